//! `signature.json`: the `Authorization` header, through the public signer, free-form
//! requests and the typed operations.

use cos_proto::sign::{self, KeyTime};
use serde_json::Value;

use super::compare::{compare_intermediate, compare_request};
use super::python::{self, VectorConfig};
use super::value::{pairs, str_at, u64_at};
use super::{Mismatches, Verdict};

pub(super) fn check(_meta: &Value, case: &Value) -> Verdict {
    match check_inner(case) {
        Ok(m) => m.verdict(),
        Err(e) => Verdict::Fail(e),
    }
}

fn check_inner(case: &Value) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    let kwargs = case.get("call_kwargs").ok_or("missing call_kwargs")?;
    let bucket = str_at(kwargs, "Bucket").unwrap_or("examplebucket-1250000000");
    let vc = python::config_from(case.get("config").ok_or("missing config")?, bucket)?;
    let key_time = if vc.anonymous {
        None
    } else {
        Some(KeyTime {
            start: u64_at(case, "start_time")?,
            end: u64_at(case, "end_time")?,
        })
    };
    match str_at(case, "via")? {
        "get_auth" => check_get_auth(
            &mut m,
            case,
            &vc,
            key_time.ok_or("get_auth needs a key time")?,
        )?,
        "send_request" | "operation" => {
            let op = python::operation(str_at(case, "operation")?, kwargs)?;
            let mut request = op
                .request(&vc.config)
                .map_err(|e| format!("build failed: {e}"))?;
            python::sign(&vc, &mut request, key_time)?;
            let sent = case.get("sent").ok_or("missing sent")?;
            compare_request(&mut m, sent, &request, op.payload().as_deref())?;
            if let Some(key_time) = key_time {
                let inter = case.get("intermediate").ok_or("missing intermediate")?;
                compare_intermediate(&mut m, inter, &request, key_time)?;
            }
        }
        other => m.push(format!("unknown via {other}")),
    }
    Ok(m)
}

/// The public signer: the reference's inputs (path, params, the headers that passed its
/// filter, plus `host` from the URL when host signing is on) give the same intermediate
/// strings and the same `Authorization`.
fn check_get_auth(
    m: &mut Mismatches,
    case: &Value,
    vc: &VectorConfig,
    key_time: KeyTime,
) -> Result<(), String> {
    let input = case.get("signer_input").ok_or("missing signer_input")?;
    let params = pairs(input.get("params"));
    let mut headers = pairs(input.get("headers_considered"));
    let sign_host = input
        .get("sign_host")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if sign_host && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        let url: http::Uri = str_at(input, "url")?.parse().map_err(|_| "bad url")?;
        headers.push(("host".into(), url.host().unwrap_or_default().to_owned()));
    }
    // The filter itself must select exactly what the reference considered.
    for (name, _) in pairs(input.get("headers")) {
        let considered = pairs(input.get("headers_considered"))
            .iter()
            .any(|(n, _)| *n == name);
        m.eq(
            &format!("header filter for {name}"),
            &considered,
            &sign::is_signed_header(&name),
        );
    }
    let p: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let h: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let canonical = sign::canonicalize(str_at(input, "method")?, str_at(input, "path")?, &p, &h);
    let inter = case.get("intermediate").ok_or("missing intermediate")?;
    m.eq(
        "key_time",
        str_at(inter, "key_time")?,
        key_time.to_string().as_str(),
    );
    m.eq(
        "sign_key",
        str_at(inter, "sign_key")?,
        sign::sign_key(vc.creds.secret_key(), key_time).as_str(),
    );
    m.eq(
        "http_string",
        str_at(inter, "http_string")?,
        canonical.http_string.as_str(),
    );
    m.eq(
        "string_to_sign",
        str_at(inter, "string_to_sign")?,
        sign::string_to_sign(key_time, &canonical.http_string).as_str(),
    );
    let auth = sign::authorize_canonical(&vc.creds, key_time, &canonical);
    m.eq(
        "signature",
        str_at(inter, "signature")?,
        auth.signature.as_str(),
    );
    m.eq(
        "authorization",
        str_at(case, "authorization")?,
        auth.to_string().as_str(),
    );
    Ok(())
}
