//! The CVM instance metadata endpoint's role credentials, as `metadata.tencentyun.com`
//! serves them:
//!
//! * `GET /latest/meta-data/cam/security-credentials/` — the role name (`text/plain`);
//!   `404` when no role is configured ([`crate::EmulatorConfig::cvm_role`]).
//! * `GET /latest/meta-data/cam/security-credentials/<role>` — fresh temporary keys on
//!   every call: `{"TmpSecretId", "TmpSecretKey", "ExpiredTime", "Expiration", "Token",
//!   "Code": "Success"}`, lasting two hours (or the STS maximum if shorter); `404` for
//!   another role.
//!
//! Every other path under `/latest/` is `404`, any method but `GET` `405`. COS bucket
//! names end in `-<appid>`, so `latest` never names a bucket; on a virtual-hosted COS
//! `Host` these paths are object keys, not metadata.

use http::{Method, Response, StatusCode};
use serde_json::Value;

use crate::body::ResponseBody;
use crate::context::{App, set_header};

const PREFIX: &str = "/latest/";
const CREDENTIALS: &str = "/latest/meta-data/cam/security-credentials";
/// How long the keys of a CVM role last.
const ROLE_KEY_LIFETIME: u64 = 7200;

/// `true` for a metadata request: a `/latest/…` path on a host that names no bucket (an
/// address, `localhost`, or `metadata.tencentyun.com`).
pub(crate) fn is_metadata(parts: &http::request::Parts) -> bool {
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or("");
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
        .trim_start_matches('[')
        .trim_end_matches(']');
    let plain = name.parse::<std::net::IpAddr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || name.eq_ignore_ascii_case("metadata.tencentyun.com")
        || !name.contains('.');
    plain && (parts.uri.path().starts_with(PREFIX) || parts.uri.path() == "/latest")
}

fn text(status: StatusCode, body: String) -> Response<ResponseBody> {
    let len = body.len();
    let mut response = Response::new(ResponseBody::bytes(body));
    *response.status_mut() = status;
    set_header(&mut response, "content-type", "text/plain");
    set_header(&mut response, "content-length", &len.to_string());
    response
}

fn not_found() -> Response<ResponseBody> {
    text(StatusCode::NOT_FOUND, "404 - Not Found".to_owned())
}

/// Serves a metadata request.
pub(crate) fn handle(app: &App, parts: &http::request::Parts) -> Response<ResponseBody> {
    app.cloud.count_metadata_request();
    if parts.method != Method::GET {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "405 - Method Not Allowed".to_owned(),
        );
        set_header(&mut response, "allow", "GET");
        return response;
    }
    let Some(rest) = parts.uri.path().strip_prefix(CREDENTIALS) else {
        return not_found();
    };
    let Some(role) = &app.cloud.settings.cvm_role else {
        return not_found();
    };
    match rest {
        "" | "/" => text(StatusCode::OK, role.clone()),
        asked if asked.strip_prefix('/') == Some(role.as_str()) => {
            let cloud = &app.cloud;
            let lifetime = ROLE_KEY_LIFETIME.min(cloud.settings.sts_max_duration);
            let key = cloud.keys.issue(&cloud.generator, app.now(), lifetime);
            let field = |v: Value| v.to_string();
            let body = format!(
                "{{\n  \"TmpSecretId\": {},\n  \"TmpSecretKey\": {},\n  \"ExpiredTime\": {},\n  \
                 \"Expiration\": {},\n  \"Token\": {},\n  \"Code\": \"Success\"\n}}",
                field(Value::from(key.secret_id)),
                field(Value::from(key.secret_key)),
                key.expired_time,
                field(Value::from(super::sts::iso8601(key.expired_time))),
                field(Value::from(key.token)),
            );
            text(StatusCode::OK, body)
        }
        _ => not_found(),
    }
}
