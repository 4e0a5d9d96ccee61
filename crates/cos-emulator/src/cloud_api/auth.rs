//! Checking a Cloud API call's `TC3-HMAC-SHA256` signature with cos-proto's own signer,
//! as the Cloud API gateway checks it: the `X-TC-Timestamp` within five minutes of the
//! emulator clock, a known SecretId, the signature over `content-type;host`, and the
//! `X-TC-Token` of temporary keys.

use cos_proto::cloud_api::tc3::{self, ALGORITHM, SIGNED_HEADERS, Tc3Input};

use super::ApiError;
use super::keys::Check;
use crate::context::App;

/// How far `X-TC-Timestamp` may be from the emulator clock, either way.
pub(crate) const MAX_SKEW_SECS: u64 = 300;

/// The parts of an `Authorization: TC3-HMAC-SHA256 Credential=…` value.
#[derive(Debug, PartialEq, Eq)]
struct Tc3Authorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Option<Tc3Authorization<'_>> {
    let rest = value.trim().strip_prefix(ALGORITHM)?.trim_start();
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for field in rest.split(',') {
        let (name, value) = field.trim().split_once('=')?;
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return None,
        };
        *slot = Some(value.trim());
    }
    let mut scope = credential?.split('/');
    let parsed = Tc3Authorization {
        secret_id: scope.next()?,
        date: scope.next()?,
        service: scope.next()?,
        signed_headers: signed_headers?,
        signature: signature?,
    };
    (scope.next() == Some("tc3_request") && scope.next().is_none()).then_some(parsed)
}

fn header<'a>(parts: &'a http::request::Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

fn auth_failure(message: &'static str) -> ApiError {
    ApiError::new("AuthFailure.InvalidAuthorization", message)
}

/// Checks the call and returns the service it is for: the signature's scope, or
/// `unsigned_service` for an unsigned call (`Authorization: SKIP`), which only an action
/// with such a service may be.
pub(crate) fn authenticate(
    app: &App,
    parts: &http::request::Parts,
    payload: &[u8],
    unsigned_service: Option<&str>,
    now: u64,
) -> Result<String, ApiError> {
    let Some(authorization) = header(parts, "authorization").filter(|a| !a.trim().is_empty())
    else {
        return Err(auth_failure("The Authorization header is missing."));
    };
    if authorization.trim() == "SKIP" {
        return match unsigned_service {
            Some(service) => Ok(service.to_owned()),
            None => Err(auth_failure("This action must be signed.")),
        };
    }
    let auth = parse_authorization(authorization).ok_or_else(|| {
        auth_failure("The Authorization header is not a TC3-HMAC-SHA256 authorization.")
    })?;
    if auth.signed_headers != SIGNED_HEADERS {
        return Err(ApiError::new(
            "AuthFailure.SignatureFailure",
            format!("The emulator checks signatures over SignedHeaders={SIGNED_HEADERS} only."),
        ));
    }
    let timestamp = header(parts, "x-tc-timestamp").ok_or_else(|| {
        ApiError::new("MissingParameter", "The X-TC-Timestamp header is missing.")
    })?;
    let timestamp: u64 = timestamp.trim().parse().map_err(|_| {
        ApiError::new(
            "InvalidParameterValue",
            "X-TC-Timestamp must be Unix seconds.",
        )
    })?;
    let sent_token = header(parts, "x-tc-token").filter(|t| !t.is_empty());
    let secret = find_secret(app, auth.secret_id, sent_token, now)?;
    if timestamp.abs_diff(now) > MAX_SKEW_SECS {
        return Err(ApiError::new(
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expire. Timestamp is {timestamp}, the server time is {now}: \
                 more than {MAX_SKEW_SECS} seconds apart."
            ),
        ));
    }
    let expected = tc3::sign(
        auth.secret_id,
        &secret.key,
        Tc3Input {
            method: parts.method.as_str(),
            query: parts.uri.query().unwrap_or(""),
            content_type: header(parts, "content-type").unwrap_or(""),
            host: header(parts, "host").unwrap_or(""),
            payload,
            service: auth.service,
            timestamp,
        },
    );
    if auth.date != expected.date
        || !constant_time_eq(expected.signature.as_bytes(), auth.signature.as_bytes())
    {
        return Err(ApiError::new(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        ));
    }
    if let Some(problem) = secret.token_problem {
        return Err(ApiError::new("AuthFailure.TokenFailure", problem));
    }
    Ok(auth.service.to_owned())
}

/// A secret key to check against, and what is wrong with the token if anything (reported
/// only once the signature is known to be right).
struct Secret {
    key: String,
    token_problem: Option<&'static str>,
}

fn find_secret(
    app: &App,
    secret_id: &str,
    sent_token: Option<&str>,
    now: u64,
) -> Result<Secret, ApiError> {
    if let Some(configured) = app
        .settings
        .credentials
        .iter()
        .find(|c| c.secret_id() == secret_id)
    {
        let token_problem = match configured.token() {
            Some(expected) if sent_token != Some(expected) => {
                Some("The X-TC-Token is missing or is not the key's token.")
            }
            _ => None,
        };
        return Ok(Secret {
            key: configured.secret_key().to_owned(),
            token_problem,
        });
    }
    match app.cloud.keys.check(secret_id, sent_token, now) {
        Check::Unknown => Err(ApiError::new(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        )),
        Check::WrongToken => Err(ApiError::new(
            "AuthFailure.TokenFailure",
            "The X-TC-Token is missing or is not the temporary key's token.",
        )),
        Check::Expired => Err(ApiError::new(
            "AuthFailure.TokenFailure",
            "The temporary key has expired.",
        )),
        Check::Valid(key) => Ok(Secret {
            key,
            token_problem: None,
        }),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_values_parse_strictly() {
        let value = "TC3-HMAC-SHA256 Credential=AKID/2023-11-14/sts/tc3_request, SignedHeaders=content-type;host, Signature=abc";
        let auth = parse_authorization(value).expect("parses");
        assert_eq!(
            (auth.secret_id, auth.date, auth.service, auth.signature),
            ("AKID", "2023-11-14", "sts", "abc")
        );
        assert_eq!(auth.signed_headers, "content-type;host");
        for bad in [
            "",
            "SKIP",
            "TC3-HMAC-SHA256",
            "TC3-HMAC-SHA256 Credential=AKID/2023-11-14/sts, SignedHeaders=a, Signature=b",
            "TC3-HMAC-SHA256 Credential=AKID/d/s/tc3_request/x, SignedHeaders=a, Signature=b",
            "TC3-HMAC-SHA256 Credential=AKID/d/s/tc3_request, Signature=b",
            "TC3-HMAC-SHA256 Credential=AKID/d/s/tc3_request, SignedHeaders=a, Signature=b, X=y",
            "HMAC-SHA1 Credential=AKID/d/s/tc3_request, SignedHeaders=a, Signature=b",
        ] {
            assert!(parse_authorization(bad).is_none(), "{bad}");
        }
    }
}
