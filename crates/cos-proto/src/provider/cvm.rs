//! The CVM instance role: the metadata service names the role attached to the instance,
//! then hands out its temporary keys.
//!
//! 1. `GET <endpoint>/latest/meta-data/cam/security-credentials/` → the role name
//!    ([`role_list_request`], [`parse_role_name`]; skipped when the caller names the role);
//! 2. `GET <endpoint>/latest/meta-data/cam/security-credentials/<role>` → JSON with
//!    `TmpSecretId`, `TmpSecretKey`, `Token`, `ExpiredTime` and `Code`
//!    ([`credentials_request`], [`parse_credentials`]).
//!
//! Off CVM the service does not answer: the driver must give each request a short
//! timeout ([`METADATA_TIMEOUT`]) so that a chain moves on quickly.

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use crate::{Credentials, ExpiringCredentials};

/// The metadata service of every CVM instance.
pub const METADATA_ENDPOINT: &str = "http://metadata.tencentyun.com";
/// The path that lists the instance's role, and under which its keys are.
pub const CREDENTIALS_PATH: &str = "/latest/meta-data/cam/security-credentials/";
/// How long a metadata request may take (the service is on the instance's own network).
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(1);
/// The largest metadata answer read.
pub const MAX_ANSWER_LEN: usize = 64 * 1024;

/// The request that lists the instance's role, at `endpoint` (`scheme://host[:port]`,
/// normally [`METADATA_ENDPOINT`]).
///
/// ```
/// use cos_proto::provider::cvm::{METADATA_ENDPOINT, role_list_request};
/// let request = role_list_request(METADATA_ENDPOINT).unwrap();
/// assert_eq!(
///     request.uri(),
///     "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/"
/// );
/// ```
pub fn role_list_request(endpoint: &str) -> Result<http::Request<Bytes>, String> {
    get(&format!(
        "{}{CREDENTIALS_PATH}",
        endpoint.trim_end_matches('/')
    ))
}

/// The request for `role`'s temporary keys. `role` must be a CAM role name (letters,
/// digits and `+=,.@_-`).
pub fn credentials_request(endpoint: &str, role: &str) -> Result<http::Request<Bytes>, String> {
    check_role_name(role)?;
    get(&format!(
        "{}{CREDENTIALS_PATH}{role}",
        endpoint.trim_end_matches('/')
    ))
}

fn get(url: &str) -> Result<http::Request<Bytes>, String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|err| format!("bad metadata URL {url:?}: {err}"))?;
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .ok_or_else(|| format!("the metadata URL {url:?} has no host"))?;
    http::Request::get(uri)
        .header(http::header::HOST, host)
        .body(Bytes::new())
        .map_err(|err| err.to_string())
}

fn check_role_name(role: &str) -> Result<(), String> {
    let valid = !role.is_empty()
        && role.len() <= 128
        && role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if valid {
        Ok(())
    } else {
        Err(format!("{role:?} is not a CAM role name"))
    }
}

/// The role name from the listing's answer. Surrounding whitespace is dropped; an answer
/// naming several roles (or none) is an error: the caller must name the role.
pub fn parse_role_name(status: u16, body: &[u8]) -> Result<String, String> {
    if status == 404 {
        return Err("the metadata service lists no role (is a CAM role bound to this CVM?)".into());
    }
    if status != 200 {
        return Err(format!("the metadata service answered {status}"));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| "the role listing is not UTF-8".to_owned())?
        .trim();
    let roles: Vec<&str> = text.split_whitespace().collect();
    match roles.as_slice() {
        [] => Err("the metadata service lists no role".to_owned()),
        [role] => {
            check_role_name(role)?;
            Ok((*role).to_owned())
        }
        several => Err(format!(
            "the metadata service lists several roles ({}): name the one to use",
            several.join(", ")
        )),
    }
}

/// The role's temporary keys from the credentials answer. `Code` must be `Success`, and
/// the keys, the token and `ExpiredTime` must all be there: keys without their token or
/// expiry would fail at COS later, far from the cause.
///
/// ```
/// use cos_proto::provider::cvm::parse_credentials;
/// let body = br#"{"TmpSecretId":"AKIDT","TmpSecretKey":"K","Token":"T",
///                 "ExpiredTime":1700007200,"Code":"Success"}"#;
/// let keys = parse_credentials(200, body).unwrap();
/// assert_eq!(keys.expires_at, Some(1_700_007_200));
/// assert_eq!(keys.credentials.token(), Some("T"));
/// ```
pub fn parse_credentials(status: u16, body: &[u8]) -> Result<ExpiringCredentials, String> {
    if status != 200 {
        return Err(format!(
            "the metadata service answered {status} for the role's keys"
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|err| format!("the role's keys are not JSON: {err}"))?;
    let text = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("the role's keys lack `{name}`"))
    };
    let code = value.get("Code").and_then(Value::as_str);
    if code != Some("Success") {
        return Err(format!(
            "the metadata service refused the role's keys (Code {})",
            code.unwrap_or("missing")
        ));
    }
    let expires_at = value
        .get("ExpiredTime")
        .and_then(Value::as_u64)
        .ok_or_else(|| "the role's keys lack `ExpiredTime`".to_owned())?;
    let (id, key, token) = (text("TmpSecretId")?, text("TmpSecretKey")?, text("Token")?);
    let credentials = Credentials::new(id, key)
        .and_then(|keys| keys.with_token(token))
        .map_err(|err| format!("the role's keys are malformed: {err}"))?;
    Ok(ExpiringCredentials {
        credentials,
        expires_at: Some(expires_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_from_the_listing() {
        assert_eq!(
            parse_role_name(200, b"CVM_QcsRole\n"),
            Ok("CVM_QcsRole".into())
        );
        assert!(parse_role_name(200, b"RoleA\nRoleB").is_err_and(|e| e.contains("RoleA, RoleB")));
        assert!(parse_role_name(200, b"  ").is_err());
        assert!(parse_role_name(404, b"").is_err_and(|e| e.contains("no role")));
        assert!(parse_role_name(500, b"CVM").is_err());
        assert!(parse_role_name(200, b"../../admin").is_err());
        assert!(parse_role_name(200, &[0xff]).is_err());
        assert!(credentials_request(METADATA_ENDPOINT, "a/b").is_err());
        let request = credentials_request("http://127.0.0.1:9/", "R").expect("valid");
        assert_eq!(
            request.uri(),
            "http://127.0.0.1:9/latest/meta-data/cam/security-credentials/R"
        );
        assert_eq!(request.headers()["host"], "127.0.0.1:9");
    }

    #[test]
    fn keys_need_every_field_and_success() {
        let full = r#"{"TmpSecretId":"A","TmpSecretKey":"K","Token":"T","ExpiredTime":9,"Code":"Success"}"#;
        assert!(parse_credentials(200, full.as_bytes()).is_ok());
        for broken in [
            full.replace("Success", "Failure"),
            full.replace(r#""Token":"T","#, ""),
            full.replace(r#""ExpiredTime":9,"#, ""),
            full.replace(r#""TmpSecretKey":"K""#, r#""TmpSecretKey":"""#),
            full.replace(r#""A""#, r#""A B""#),
            "not json".to_owned(),
        ] {
            assert!(
                parse_credentials(200, broken.as_bytes()).is_err(),
                "{broken}"
            );
        }
        assert!(parse_credentials(404, full.as_bytes()).is_err());
    }
}
