//! Request authentication: the COS signature, checked with cos-proto's own canonical
//! form, exactly as COS checks it.
//!
//! The `Authorization` header (or the `q-*` query fields of a presigned URL) names the
//! signed headers and parameters. The emulator rebuilds the canonical request from those
//! names and the request as received — method, *decoded* path, parameter values, header
//! values — and recomputes the signature with the secret key of `q-ak`. Any change to a
//! signed component changes the signature.

use cos_proto::Credentials;
use cos_proto::encode::sign_encode;
use cos_proto::sign::{self, Authorization, SECURITY_TOKEN_HEADER, SigningParts};

use crate::cloud_api::keys::Check;
use crate::context::App;
use crate::errors::{CosError, ErrorCode};

/// Who sent the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// No signature (empty or absent `Authorization`).
    Anonymous,
    /// A valid signature by this secret id.
    Signed(String),
}

/// The `Authorization` value: from the header, or rebuilt from presigned-URL fields.
fn authorization_text(
    parts: &http::request::Parts,
    signing: &SigningParts,
) -> Result<Option<String>, CosError> {
    if let Some(value) = parts.headers.get(http::header::AUTHORIZATION) {
        let text = std::str::from_utf8(value.as_bytes())
            .map_err(|_| malformed_authorization())?
            .trim();
        if !text.is_empty() {
            return Ok(Some(text.to_owned()));
        }
    }
    let param = |name: &str| {
        signing
            .params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(merged) = param("sign") {
        return Ok(Some(merged.to_owned()));
    }
    if param("q-sign-algorithm").is_some() {
        let fields = [
            "q-sign-algorithm",
            "q-ak",
            "q-sign-time",
            "q-key-time",
            "q-header-list",
            "q-url-param-list",
            "q-signature",
        ];
        let joined = fields
            .iter()
            .map(|name| format!("{name}={}", param(name).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("&");
        return Ok(Some(joined));
    }
    Ok(None)
}

fn malformed_authorization() -> CosError {
    CosError::with_message(
        ErrorCode::AccessDenied,
        "The Authorization you provided is malformed.",
    )
}

fn names(list: &str) -> Vec<&str> {
    list.split(';').filter(|n| !n.is_empty()).collect()
}

/// Checks the request's signature. `path_style_bucket` is the bucket taken from the path
/// (the client may have signed the path with or without it).
pub(crate) fn authenticate(
    app: &App,
    parts: &http::request::Parts,
    now: u64,
    path_style_bucket: Option<&str>,
) -> Result<Principal, CosError> {
    let signing = SigningParts::from_uri(&parts.method, &parts.uri);
    let Some(text) = authorization_text(parts, &signing)? else {
        return Ok(Principal::Anonymous);
    };
    let auth = Authorization::parse(&text).ok_or_else(malformed_authorization)?;
    let sent_token = parts
        .headers
        .get(SECURITY_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            signing
                .params
                .iter()
                .find(|(n, _)| n == SECURITY_TOKEN_HEADER)
                .map(|(_, v)| v.clone())
        });
    let secret_key = secret_key(app, &auth.secret_id, sent_token.as_deref(), now)?;
    if now > auth.key_time.end || auth.key_time.start > auth.key_time.end {
        return Err(CosError::with_message(
            ErrorCode::AccessDenied,
            "Request has expired",
        ));
    }
    if auth.key_time.start > now {
        return Err(CosError::new(ErrorCode::RequestTimeTooSkewed));
    }

    let header_names = names(&auth.header_list);
    let headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .filter(|(name, _)| {
            let encoded = sign_encode(name.as_str()).to_lowercase();
            header_names.contains(&encoded.as_str())
        })
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let param_names = names(&auth.param_list);
    let params: Vec<(&str, &str)> = signing
        .params
        .iter()
        .filter(|(name, _)| {
            let encoded = sign_encode(name).to_lowercase();
            param_names.contains(&encoded.as_str())
        })
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();

    let mut paths = vec![signing.path.clone()];
    if let Some(bucket) = path_style_bucket {
        let prefix = format!("/{bucket}");
        if let Some(rest) = signing.path.strip_prefix(&prefix) {
            paths.push(if rest.is_empty() {
                "/".to_owned()
            } else {
                rest.to_owned()
            });
        }
    }
    let mut first_canonical = None;
    for path in &paths {
        let canonical = sign::canonicalize(&signing.method, path, &params, &headers);
        if canonical.header_list == auth.header_list && canonical.param_list == auth.param_list {
            let expected = sign::signature(&secret_key, auth.key_time, &canonical.http_string);
            if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
                return Ok(Principal::Signed(auth.secret_id));
            }
        }
        first_canonical.get_or_insert(canonical);
    }
    let mut error = CosError::new(ErrorCode::SignatureDoesNotMatch);
    if let Some(canonical) = first_canonical {
        error = error
            .detail(
                "StringToSign",
                sign::string_to_sign(auth.key_time, &canonical.http_string),
            )
            .detail("FormatString", canonical.http_string);
    }
    Err(error)
}

/// The secret key of `secret_id`, if the request may use it: configured credentials
/// (with their token, if they have one: else `403 AccessDenied`), or a temporary key
/// issued by STS or the metadata endpoint (with its token, else `403
/// InvalidAccessKeyId`; past its expiry `400 ExpiredToken`).
fn secret_key(
    app: &App,
    secret_id: &str,
    sent_token: Option<&str>,
    now: u64,
) -> Result<String, CosError> {
    if let Some(credentials) = find_credentials(&app.settings.credentials, secret_id) {
        if let Some(expected) = credentials.token()
            && sent_token != Some(expected)
        {
            return Err(CosError::with_message(
                ErrorCode::AccessDenied,
                "The security token you provided is invalid.",
            ));
        }
        return Ok(credentials.secret_key().to_owned());
    }
    match app.cloud.keys.check(secret_id, sent_token, now) {
        Check::Valid(key) => Ok(key),
        Check::Expired => Err(CosError::new(ErrorCode::ExpiredToken)),
        Check::WrongToken => Err(CosError::with_message(
            ErrorCode::InvalidAccessKeyId,
            "The temporary key needs the x-cos-security-token it was issued with.",
        )),
        Check::Unknown => Err(CosError::new(ErrorCode::InvalidAccessKeyId)),
    }
}

fn find_credentials<'a>(all: &'a [Credentials], secret_id: &str) -> Option<&'a Credentials> {
    all.iter().find(|c| c.secret_id() == secret_id)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn list_names_split_on_semicolons() {
        assert_eq!(names("host;range"), ["host", "range"]);
        assert!(names("").is_empty());
    }
}
