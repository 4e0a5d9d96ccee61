//! `bucket/requests.json` and `bucket/responses.json`: the bucket operations and GET
//! Service. Same layout as the object files; the operations are mapped in
//! [`super::bucket_ops`].
//!
//! A request case is checked whole: method, target (the query as sent), every header
//! (the signed ones included) and the body bytes, our `Authorization` against the
//! reference's, and the reference's signature recomputed from its own `signing[]` inputs
//! with `cos-proto`'s signer; then the served response is parsed (an expected error must
//! be ours too). A response case compares the request line, then the parsed result
//! rendered as the SDK's dict, or the error's status, code, message, resource and ids.
//!
//! Cases marked `quirk` are skipped (closing line `K skipped`), but a request quirk about
//! signing is checked first on everything except the signature: if anything else
//! differs, the case fails.

use cos_proto::sign::{self, KeyTime};
use cos_proto::{CosDomain, Credentials};
use serde_json::Value;

use super::bucket_ops;
use super::compare::{compare_request, compare_service_error, compare_view};
use super::python::{self, VectorConfig};
use super::requests::served;
use super::value::{pairs, str_at, u64_at};
use super::{Mismatches, Verdict};

/// The bucket every case names unless it says otherwise (README: fixed setting).
const DEFAULT_BUCKET: &str = "examplebucket-1250000000";

/// Quirk cases that cannot be expressed at all through `cos-proto`'s API, and why.
const INEXPRESSIBLE: &[(&str, &str)] = &[(
    "list_buckets-tagkey-only",
    "ListBuckets::tag takes a tag key and value together: a lone TagKey cannot be asked \
     for, so no filter is ever dropped silently",
)];

pub(super) fn check_request(_meta: &Value, case: &Value) -> Verdict {
    let quirk = case.get("quirk").and_then(Value::as_str);
    let id = case.get("id").and_then(Value::as_str).unwrap_or_default();
    if let (Some(quirk), Some((_, why))) = (quirk, INEXPRESSIBLE.iter().find(|(i, _)| *i == id)) {
        return Verdict::Skip(format!("quirk of the reference SDK: {quirk} ({why})"));
    }
    let outcome = request_mismatches(case, quirk.is_none());
    match (quirk, outcome) {
        (_, Err(e)) => Verdict::Fail(e),
        (None, Ok(m)) => m.verdict(),
        (Some(quirk), Ok(m)) => match m.verdict() {
            Verdict::Pass => Verdict::Skip(format!(
                "quirk of the reference SDK: {quirk} (everything but the signature matches; \
                 cos-proto signs every parameter it sends)"
            )),
            other => other,
        },
    }
}

pub(super) fn check_response(_meta: &Value, case: &Value) -> Verdict {
    if let Some(quirk) = case.get("quirk").and_then(Value::as_str) {
        return Verdict::Skip(format!("quirk of the reference SDK: {quirk}"));
    }
    match response_mismatches(case) {
        Ok(m) => m.verdict(),
        Err(e) => Verdict::Fail(e),
    }
}

/// The configuration of a case: the object files' options plus `EnableOldDomain`.
fn vector_config(config: &Value, kwargs: &Value) -> Result<VectorConfig, String> {
    let bucket = kwargs
        .get("Bucket")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_BUCKET);
    let mut vc = python::config_from(config, bucket)?;
    if config.get("EnableOldDomain").and_then(Value::as_bool) == Some(false) {
        let mut builder = cos_proto::Config::builder(vc.config.region(), vc.config.bucket())
            .scheme(vc.config.scheme())
            .domain(CosDomain::TencentCos);
        builder = builder
            .sign_host(vc.options.sign_host)
            .sign_params(vc.options.sign_params);
        vc.config = builder.build().map_err(|e| format!("config: {e}"))?;
    }
    Ok(vc)
}

fn request_mismatches(case: &Value, check_signature: bool) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    let kwargs = case.get("kwargs").ok_or("missing kwargs")?;
    let config = case.get("config").ok_or("missing config")?;
    let vc = vector_config(config, kwargs)?;
    let op = bucket_ops::operation(str_at(case, "operation")?, kwargs, config)?;
    let requests = case
        .get("requests")
        .and_then(Value::as_array)
        .ok_or("missing requests")?;
    let built = op.request(&vc.config);
    let Some(first) = requests.first() else {
        match built {
            Err(err) if err.is_client_error() => {}
            Err(err) => m.push(format!("expected a client-side error, got {err}")),
            Ok(_) => m.push("expected the call to be refused before sending, but it was built"),
        }
        return Ok(m);
    };
    let request = built.map_err(|e| format!("build failed: {e}"))?;
    let now = u64_at(case, "now")?;
    let key_time = KeyTime::new(now, sign::DEFAULT_REQUEST_EXPIRY_SECS);
    let mut signed = request.clone();
    python::sign(&vc, &mut signed, Some(key_time))?;
    let mut expected = first.clone();
    if !check_signature {
        // Compare everything else: our own Authorization stands in for theirs.
        let ours = signed
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(object) = expected.as_object_mut() {
            object.insert(
                "authorization".into(),
                ours.map_or(Value::Null, Value::String),
            );
        }
    }
    compare_request(&mut m, &expected, &signed, op.payload().as_deref())?;
    if check_signature
        && let Some(signing) = case
            .get("signing")
            .and_then(Value::as_array)
            .and_then(|s| s.first())
    {
        check_signing(&mut m, signing, first, &vc.creds, key_time)?;
    }
    if let Some(last) = case
        .get("responses_served")
        .and_then(Value::as_array)
        .and_then(|r| r.last())
    {
        let response = served(last)?;
        let headers = response.headers().clone();
        match (
            case.get("error").filter(|e| !e.is_null()),
            op.parse(signed.uri(), response),
        ) {
            (None, Ok(_)) => {}
            (None, Err(err)) => m.push(format!("expected success, got {err}")),
            (Some(expected), Err(err)) => compare_service_error(&mut m, expected, &err, &headers)?,
            (Some(expected), Ok(_)) => {
                m.push(format!("expected the error {expected}, got success"))
            }
        }
    }
    Ok(m)
}

/// Recomputes the reference's signature from its own inputs (`signing[].path`,
/// `signing[].params`, the request's signable headers, host included) with
/// `cos-proto`'s signer.
fn check_signing(
    m: &mut Mismatches,
    signing: &Value,
    sent: &Value,
    creds: &Credentials,
    key_time: KeyTime,
) -> Result<(), String> {
    let params = pairs(signing.get("params"));
    let headers: Vec<(String, String)> = pairs(sent.get("headers"))
        .into_iter()
        .filter(|(name, _)| sign::is_signed_header(name))
        .collect();
    let p: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let h: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let method = str_at(sent, "method")?.to_lowercase();
    let canonical = sign::canonicalize(&method, str_at(signing, "path")?, &p, &h);
    if let Some(http_string) = signing.get("http_string").and_then(Value::as_str) {
        m.eq(
            "signing http_string",
            http_string,
            canonical.http_string.as_str(),
        );
    }
    let auth = sign::authorize_canonical(creds, key_time, &canonical);
    m.eq(
        "signing authorization",
        str_at(signing, "authorization")?,
        auth.to_string().as_str(),
    );
    Ok(())
}

fn response_mismatches(case: &Value) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    let kwargs = case.get("kwargs").ok_or("missing kwargs")?;
    let fixed = serde_json::json!({
        "region": "ap-guangzhou", "scheme": "http",
        "secret_id": "AKIDEXAMPLE", "secret_key": "SECRETKEYEXAMPLE",
    });
    let vc = vector_config(&fixed, kwargs)?;
    let op = bucket_ops::operation(str_at(case, "operation")?, kwargs, &fixed)?;
    let request = op
        .request(&vc.config)
        .map_err(|e| format!("build failed: {e}"))?;
    if let Some(expected) = case.get("request").filter(|r| !r.is_null()) {
        m.eq(
            "request method",
            str_at(expected, "method")?,
            request.method().as_str(),
        );
        let target = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or_default();
        m.eq("request target", str_at(expected, "target")?, target);
    }
    let response = served(case.get("response").ok_or("missing response")?)?;
    let headers = response.headers().clone();
    match (
        case.get("error").filter(|e| !e.is_null()),
        op.parse(request.uri(), response),
    ) {
        (None, Ok(view)) => {
            let expected = case.get("result").cloned().unwrap_or(Value::Null);
            compare_view(&mut m, "result", &expected, &view);
        }
        (None, Err(err)) => m.push(format!("expected a result, got {err}")),
        (Some(expected), Err(err)) => compare_service_error(&mut m, expected, &err, &headers)?,
        (Some(expected), Ok(view)) => m.push(format!("expected the error {expected}, got {view}")),
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(file: &str) -> Option<Value> {
        let path = super::super::default_dir().join("bucket").join(file);
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn case<'a>(doc: &'a Value, id: &str) -> &'a Value {
        doc["cases"]
            .as_array()
            .and_then(|cases| cases.iter().find(|c| c["id"] == id))
            .unwrap_or_else(|| panic!("no case {id}"))
    }

    #[test]
    fn altered_vectors_fail() {
        let (Some(requests), Some(responses)) = (shared("requests.json"), shared("responses.json"))
        else {
            eprintln!("the shared vectors are not here; skipping");
            return;
        };
        let original = case(&requests, "create_bucket-ofs").clone();
        assert_eq!(check_request(&Value::Null, &original), Verdict::Pass);

        // Another signature.
        let mut altered = original.clone();
        let auth = altered["requests"][0]["authorization"]
            .as_str()
            .unwrap_or_default();
        altered["requests"][0]["authorization"] =
            Value::String(auth.replace("q-signature=", "q-signature=0"));
        assert!(matches!(
            check_request(&Value::Null, &altered),
            Verdict::Fail(_)
        ));
        // A signing input that does not give the recorded signature.
        let mut altered = original.clone();
        altered["signing"][0]["params"] = serde_json::json!([["acl", ""]]);
        assert!(matches!(
            check_request(&Value::Null, &altered),
            Verdict::Fail(_)
        ));
        // Another query parameter.
        let mut altered = original.clone();
        altered["requests"][0]["target"] = Value::String("/?x=1".into());
        assert!(matches!(
            check_request(&Value::Null, &altered),
            Verdict::Fail(_)
        ));
        // Another body byte.
        let mut altered = original;
        altered["kwargs"]["BucketArchConfig"] = Value::String("OFS2".into());
        assert!(matches!(
            check_request(&Value::Null, &altered),
            Verdict::Fail(_)
        ));

        // A parsed field.
        let original = case(&responses, "list_buckets-three-truncated").clone();
        assert_eq!(check_response(&Value::Null, &original), Verdict::Pass);
        let mut altered = original.clone();
        altered["result"]["Buckets"]["Bucket"][1]["Location"] = Value::String("ap-chengdu".into());
        assert!(matches!(
            check_response(&Value::Null, &altered),
            Verdict::Fail(_)
        ));
        let mut altered = original;
        altered["result"]["IsTruncated"] = Value::String("false".into());
        assert!(matches!(
            check_response(&Value::Null, &altered),
            Verdict::Fail(_)
        ));
        // An error's code.
        let mut altered = case(&responses, "create_bucket-409-exists").clone();
        assert_eq!(check_response(&Value::Null, &altered), Verdict::Pass);
        altered["error"]["error_code"] = Value::String("BucketNotEmpty".into());
        assert!(matches!(
            check_response(&Value::Null, &altered),
            Verdict::Fail(_)
        ));
    }

    #[test]
    fn signing_quirks_are_checked_apart_from_the_signature() {
        let Some(requests) = shared("requests.json") else {
            return;
        };
        let original = case(&requests, "list_buckets-create-time").clone();
        assert!(matches!(
            check_request(&Value::Null, &original),
            Verdict::Skip(_)
        ));
        let mut altered = original;
        altered["requests"][0]["target"] = Value::String("/?marker=&max-keys=10".into());
        assert!(matches!(
            check_request(&Value::Null, &altered),
            Verdict::Fail(_)
        ));
    }
}
