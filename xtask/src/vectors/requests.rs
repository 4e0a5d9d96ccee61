//! `requests.json`: whole calls — the requests sent (or the call refused before sending),
//! the retry decision, and the outcome of the served responses.

use bytes::Bytes;
use cos_proto::retry::{Attempt, Decision, Outcome, RetryPolicy};
use cos_proto::sign::{self, KeyTime};
use serde_json::Value;

use super::compare::{compare_request, compare_service_error};
use super::python::{self, config_from};
use super::value::{b64, pairs, str_at, u64_at};
use super::{Mismatches, Verdict};

pub(super) fn check(_meta: &Value, case: &Value) -> Verdict {
    match check_inner(case) {
        Ok(m) => m.verdict(),
        Err(e) => Verdict::Fail(e),
    }
}

/// Rebuilds a served response.
pub(crate) fn served(value: &Value) -> Result<http::Response<Bytes>, String> {
    let mut builder = http::Response::builder()
        .status(u16::try_from(u64_at(value, "status")?).map_err(|_| "status")?);
    for (name, v) in pairs(value.get("headers")) {
        builder = builder.header(name, v);
    }
    let body = match value.get("body_base64").and_then(Value::as_str) {
        Some(text) => b64(text)?,
        None => value
            .get("body_utf8")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .as_bytes()
            .to_vec(),
    };
    builder
        .body(Bytes::from(body))
        .map_err(|e| format!("response: {e}"))
}

fn check_inner(case: &Value) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    let kwargs = case.get("kwargs").ok_or("missing kwargs")?;
    let config = case.get("config").ok_or("missing config")?;
    let vc = config_from(config, str_at(kwargs, "Bucket")?)?;
    let op = python::operation(str_at(case, "operation")?, kwargs)?;
    let requests = case
        .get("requests")
        .and_then(Value::as_array)
        .ok_or("missing requests")?;
    let built = op.request(&vc.config);
    let Some(first) = requests.first() else {
        // The reference refused the call before sending anything: so must we.
        match built {
            Err(err) if err.is_client_error() => {}
            Err(err) => m.push(format!("expected a client-side error, got {err}")),
            Ok(_) => {
                m.push("expected the call to be refused before sending, but a request was built")
            }
        }
        return Ok(m);
    };
    let request = built.map_err(|e| format!("build failed: {e}"))?;
    let key_time = KeyTime::new(u64_at(case, "now")?, sign::DEFAULT_REQUEST_EXPIRY_SECS);
    let mut signed = request.clone();
    python::sign(&vc, &mut signed, Some(key_time))?;
    compare_request(&mut m, first, &signed, op.payload().as_deref())?;
    if let Some(signing) = case
        .get("signing")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
    {
        m.eq(
            "authorization (signing)",
            str_at(signing, "authorization")?,
            signed
                .headers()
                .get(http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default(),
        );
    }

    // Every response but the last was retried; the last one was not.
    let responses = case
        .get("responses_served")
        .and_then(Value::as_array)
        .ok_or("missing responses_served")?;
    let retries = u32::try_from(u64_at(config, "retry").unwrap_or(0)).map_err(|_| "retry")?;
    let policy = RetryPolicy {
        max_attempts: retries + 1,
        ..RetryPolicy::default()
    };
    let mut attempt = Attempt::first(op_idempotency(str_at(case, "operation")?), true);
    let mut last = None;
    for (i, value) in responses.iter().enumerate() {
        let response = served(value)?;
        let status = response.status().as_u16();
        let parsed = op.parse(signed.uri(), response.clone());
        let code = parsed
            .as_ref()
            .err()
            .and_then(|e| e.service_error())
            .and_then(|e| e.code.clone());
        let outcome = Outcome::Status {
            status,
            code: code.as_deref(),
        };
        let decision = if (200..300).contains(&status) && parsed.is_ok() {
            None
        } else {
            Some(policy.decide(&attempt, &outcome, 0.5))
        };
        let retried = i + 1 < responses.len();
        match (retried, decision) {
            (true, Some(Decision::Retry { .. })) | (false, None | Some(Decision::GiveUp(_))) => {}
            (true, d) => m.push(format!(
                "response {i} ({status}) was retried by the reference; we decide {d:?}"
            )),
            (false, Some(d)) => m.push(format!(
                "response {i} ({status}) was final for the reference; we decide {d:?}"
            )),
        }
        attempt = attempt.next();
        last = Some((parsed, response));
    }
    if let Some((parsed, response)) = last {
        match (case.get("error").filter(|e| !e.is_null()), parsed) {
            (None, Ok(_)) => {}
            (None, Err(err)) => m.push(format!("expected success, got {err}")),
            (Some(expected), Err(err)) => {
                compare_service_error(&mut m, expected, &err, response.headers())?
            }
            (Some(expected), Ok(_)) => {
                m.push(format!("expected the error {expected}, got success"))
            }
        }
    }
    Ok(m)
}

fn op_idempotency(operation: &str) -> cos_proto::retry::Idempotency {
    match operation {
        "create_multipart_upload" => cos_proto::retry::Idempotency::NotIdempotent,
        _ => cos_proto::retry::Idempotency::Idempotent,
    }
}
