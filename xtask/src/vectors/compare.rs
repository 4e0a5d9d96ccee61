//! Comparing a request built by `cos-proto` with a request object of the vectors.

use cos_proto::Body;
use serde_json::Value;

use super::Mismatches;
use super::value::{b64, pairs, str_at};

/// Compares method, target, headers (names case-insensitively, values exactly, order
/// ignored), `Authorization` and body bytes. `payload` is the data the caller handed over
/// for a streamed body.
pub(crate) fn compare_request(
    m: &mut Mismatches,
    expected: &Value,
    actual: &http::Request<Body>,
    payload: Option<&[u8]>,
) -> Result<(), String> {
    m.eq(
        "method",
        str_at(expected, "method")?,
        actual.method().as_str(),
    );
    let target = actual
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    m.eq("target", str_at(expected, "target")?, target.as_str());

    let mut want: Vec<(String, String)> = pairs(expected.get("headers"))
        .into_iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v))
        .collect();
    let mut got: Vec<(String, String)> = actual
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str() != "authorization")
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    want.sort();
    got.sort();
    m.eq("headers", &want, &got);

    let auth = actual
        .headers()
        .get(http::header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let expected_auth = expected
        .get("authorization")
        .and_then(Value::as_str)
        .map(str::to_owned);
    m.eq("authorization", &expected_auth, &auth);

    let expected_body = b64(str_at(expected, "body_base64")?)?;
    let actual_body: Vec<u8> = match actual.body() {
        Body::Empty => Vec::new(),
        Body::Bytes(bytes) => bytes.to_vec(),
        Body::Payload { length } => {
            let data = payload.unwrap_or_default();
            if let Some(length) = length {
                m.eq("payload length", length, &(data.len() as u64));
            }
            data.to_vec()
        }
    };
    if expected_body != actual_body {
        m.push(format!(
            "body: expected {:?}, got {:?}",
            String::from_utf8_lossy(&expected_body),
            String::from_utf8_lossy(&actual_body)
        ));
    }
    Ok(())
}

/// Recomputes the canonical request of a signed request (as a server would, from its
/// method, URI and the headers its `Authorization` names) and compares the reference's
/// intermediate strings: HttpString, StringToSign and the signature.
pub(crate) fn compare_intermediate(
    m: &mut Mismatches,
    intermediate: &Value,
    request: &http::Request<Body>,
    key_time: cos_proto::sign::KeyTime,
) -> Result<(), String> {
    use cos_proto::sign;
    let auth = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(sign::Authorization::parse)
        .ok_or("the request has no parsable Authorization")?;
    let parts = sign::SigningParts::from_uri(request.method(), request.uri());
    let signed_params: Vec<&str> = auth
        .param_list
        .split(';')
        .filter(|s| !s.is_empty())
        .collect();
    let params: Vec<(&str, &str)> = parts
        .params
        .iter()
        .filter(|(n, _)| signed_params.contains(&n.to_lowercase().as_str()))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let signed_headers: Vec<&str> = auth
        .header_list
        .split(';')
        .filter(|s| !s.is_empty())
        .collect();
    let headers: Vec<(&str, &[u8])> = request
        .headers()
        .iter()
        .filter(|(n, _)| signed_headers.contains(&n.as_str()))
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let canonical = sign::canonicalize(&parts.method, &parts.path, &params, &headers);
    m.eq(
        "http_string",
        str_at(intermediate, "http_string")?,
        canonical.http_string.as_str(),
    );
    m.eq(
        "string_to_sign",
        str_at(intermediate, "string_to_sign")?,
        sign::string_to_sign(key_time, &canonical.http_string).as_str(),
    );
    m.eq(
        "signature",
        str_at(intermediate, "signature")?,
        auth.signature.as_str(),
    );
    Ok(())
}

/// Compares a `CosServiceError` object of the vectors with our error.
///
/// Where the reference reports `"Unknown"` (or raises, recorded as `null`), it lost or
/// never had the value: ours must then be absent, except the request and trace ids, which
/// `cos-proto` deliberately recovers from the `x-cos-request-id` / `x-cos-trace-id` headers.
pub(crate) fn compare_service_error(
    m: &mut Mismatches,
    expected: &Value,
    actual: &cos_proto::Error,
    response_headers: &http::HeaderMap,
) -> Result<(), String> {
    let Some(err) = actual.service_error() else {
        m.push(format!("expected a service error, got {actual}"));
        return Ok(());
    };
    let status = expected
        .get("status_code")
        .and_then(Value::as_u64)
        .ok_or("missing status_code")?;
    m.eq("status", &status, &u64::from(err.status));
    let header = |name: &str| {
        response_headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let fields: [(&str, &Option<String>, Option<String>); 5] = [
        ("error_code", &err.code, None),
        ("error_msg", &err.message, None),
        ("resource", &err.resource, None),
        ("request_id", &err.request_id, header("x-cos-request-id")),
        ("trace_id", &err.trace_id, header("x-cos-trace-id")),
    ];
    for (field, ours, recovered) in fields {
        let theirs = expected
            .get(field)
            .and_then(Value::as_str)
            .filter(|v| *v != "Unknown");
        match theirs {
            Some(value) => m.eq(field, &Some(value.to_owned()), ours),
            None if ours.is_none() || *ours == recovered => {}
            None => m.push(format!("{field}: the reference has none, we have {ours:?}")),
        }
    }
    Ok(())
}

/// Compares a result in the reference SDK's dict shape with ours. Keys compare
/// case-insensitively (HTTP header names); every expected key must match; keys only we
/// have must be empty (absent in the document).
pub(crate) fn compare_view(m: &mut Mismatches, path: &str, expected: &Value, actual: &Value) {
    let is_empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            let lower = |map: &serde_json::Map<String, Value>| -> Vec<(String, Value)> {
                map.iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect()
            };
            let (want, got) = (lower(want), lower(got));
            for (key, value) in &want {
                match got.iter().find(|(k, _)| k == key) {
                    Some((_, ours)) => compare_view(m, &format!("{path}.{key}"), value, ours),
                    None if is_empty(value) => {}
                    None => m.push(format!("{path}.{key}: missing (expected {value})")),
                }
            }
            for (key, value) in &got {
                if !want.iter().any(|(k, _)| k == key) && !is_empty(value) {
                    m.push(format!("{path}.{key}: unexpected {value}"));
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                m.push(format!(
                    "{path}: expected {} items, got {}",
                    want.len(),
                    got.len()
                ));
            }
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                compare_view(m, &format!("{path}[{i}]"), w, g);
            }
        }
        (Value::Null, ours) if is_empty(ours) => {}
        (want, got) if want == got => {}
        (want, got) => m.push(format!("{path}: expected {want}, got {got}")),
    }
}
