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
