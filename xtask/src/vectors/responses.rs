//! `responses.json`: parsing served responses into results and errors.

use cos_proto::Config;
use serde_json::Value;

use super::compare::{compare_service_error, compare_view};
use super::python;
use super::requests::served;
use super::value::str_at;
use super::{Mismatches, Verdict};

pub(super) fn check(_meta: &Value, case: &Value) -> Verdict {
    match check_inner(case) {
        Ok(m) => m.verdict(),
        Err(e) => Verdict::Fail(e),
    }
}

/// The fixed setting of the vectors (README: bucket, region, scheme http).
fn config(bucket: &str) -> Result<Config, String> {
    Config::builder("ap-guangzhou", bucket)
        .scheme(cos_proto::Scheme::Http)
        .build()
        .map_err(|e| format!("config: {e}"))
}

fn check_inner(case: &Value) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    let kwargs = case.get("kwargs").ok_or("missing kwargs")?;
    let op = python::operation(str_at(case, "operation")?, kwargs)?;
    let cfg = config(str_at(kwargs, "Bucket")?)?;
    let request = op.request(&cfg).map_err(|e| format!("build failed: {e}"))?;
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
    let parsed = op.parse(request.uri(), response);
    match (case.get("error").filter(|e| !e.is_null()), parsed) {
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
