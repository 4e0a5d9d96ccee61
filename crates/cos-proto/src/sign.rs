//! The COS request signature (`q-sign-algorithm=sha1`), as pure functions.
//!
//! The signature covers the lower-cased method, the *decoded* path, the chosen query
//! parameters and the chosen headers, for a validity window ([`KeyTime`]). Time is an
//! input: nothing here reads a clock.
//!
//! ```
//! use cos_proto::sign::{KeyTime, authorize};
//! use cos_proto::Credentials;
//! // The official documentation's example C.
//! let creds = Credentials::new("QmFzZTY0IGlzIGEgZ2VuZXJp", "AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM").unwrap();
//! let auth = authorize(
//!     &creds,
//!     KeyTime { start: 1480932292, end: 1481012292 },
//!     "PUT",
//!     "/testfile2",
//!     &[],
//!     &[
//!         ("Host", "testbucket-125000000.cos.ap-guangzhou.myqcloud.com"),
//!         ("x-cos-content-sha1", "db8ac1c259eb89d4a131b253bacfca5f319d54f2"),
//!         ("x-cos-stroage-class", "nearline"),
//!     ],
//! );
//! assert_eq!(auth.signature, "ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a");
//! ```

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};

use crate::Credentials;
use crate::encode::{percent_decode_str, sign_encode};
use crate::error::InputError;

/// Headers that are signed whatever their case, besides every `x-cos-*` and `x-ci-*`.
pub const SIGNED_HEADERS: [&str; 17] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-type",
    "content-md5",
    "content-length",
    "expect",
    "expires",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "origin",
    "range",
    "transfer-encoding",
    "pic-operations",
];

/// The header that carries the session token of temporary credentials.
pub const SECURITY_TOKEN_HEADER: &str = "x-cos-security-token";

/// How long an ordinary request's signature stays valid (the official SDKs' default).
pub const DEFAULT_REQUEST_EXPIRY_SECS: u64 = 10_000;

/// Seconds subtracted from `now` for the start of the window, to tolerate clock skew.
pub const START_SKEW_SECS: u64 = 60;

/// `true` if a header with this name is signed by the client (case-insensitive).
pub fn is_signed_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("x-cos-")
        || lower.starts_with("x-ci-")
        || SIGNED_HEADERS.contains(&lower.as_str())
}

/// The validity window of a signature, in Unix seconds: `start;end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyTime {
    /// First second the signature is valid.
    pub start: u64,
    /// Last second the signature is valid.
    pub end: u64,
}

impl KeyTime {
    /// The window the official SDKs use: from `now - 60` to `now + expires_in`.
    pub fn new(now: u64, expires_in: u64) -> Self {
        Self {
            start: now.saturating_sub(START_SKEW_SECS),
            end: now.saturating_add(expires_in),
        }
    }

    /// Parses `start;end`.
    pub fn parse(value: &str) -> Option<Self> {
        let (start, end) = value.split_once(';')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(start) || !digits(end) {
            return None;
        }
        Some(Self {
            start: start.parse().ok()?,
            end: end.parse().ok()?,
        })
    }
}

impl fmt::Display for KeyTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};{}", self.start, self.end)
    }
}

/// The canonical form of a request: what the signature is computed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// `method\npath\nparams\nheaders\n`.
    pub http_string: String,
    /// The signed header names, encoded, lower-cased, sorted, joined by `;`.
    pub header_list: String,
    /// The signed parameter names, encoded, lower-cased, sorted, joined by `;`.
    pub param_list: String,
}

/// Encodes and sorts `(name, value)` pairs: returns `name=value&...` and `name;...`.
fn canonical_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> (String, String) {
    let mut encoded: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(name, value)| {
            let value = percent_encoding::percent_encode(value, ENCODE_SET).to_string();
            (sign_encode(name).to_lowercase(), value)
        })
        .collect();
    encoded.sort();
    let joined = encoded
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let names = encoded
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (joined, names)
}

/// The signature's encode set on raw bytes (same as [`sign_encode`]).
const ENCODE_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Builds the canonical form from exactly the parameters and headers to sign (no
/// filtering happens here). `path` is the decoded path (`/` + key).
pub fn canonicalize(
    method: &str,
    path: &str,
    params: &[(&str, &str)],
    headers: &[(&str, &[u8])],
) -> Canonical {
    let (params_str, param_list) = canonical_pairs(params.iter().map(|(n, v)| (*n, v.as_bytes())));
    let (headers_str, header_list) = canonical_pairs(headers.iter().copied());
    Canonical {
        http_string: format!(
            "{}\n{path}\n{params_str}\n{headers_str}\n",
            method.to_lowercase()
        ),
        header_list,
        param_list,
    }
}

fn hmac_sha1_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length; the error branch cannot happen.
    let mut mac = match <Hmac<Sha1> as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(message);
    hex(&mac.finalize().into_bytes())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// `hex(HMAC-SHA1(secret_key, key_time))`.
pub fn sign_key(secret_key: &str, key_time: KeyTime) -> String {
    hmac_sha1_hex(secret_key.as_bytes(), key_time.to_string().as_bytes())
}

/// `sha1\n<key time>\n<hex sha1 of the http string>\n`.
pub fn string_to_sign(key_time: KeyTime, http_string: &str) -> String {
    format!(
        "sha1\n{key_time}\n{}\n",
        hex(&Sha1::digest(http_string.as_bytes()))
    )
}

/// The `q-signature` value for a canonical request.
pub fn signature(secret_key: &str, key_time: KeyTime, http_string: &str) -> String {
    let key = sign_key(secret_key, key_time);
    hmac_sha1_hex(
        key.as_bytes(),
        string_to_sign(key_time, http_string).as_bytes(),
    )
}

/// The parsed or computed `Authorization` value.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    /// `q-ak`.
    pub secret_id: String,
    /// `q-sign-time` (and `q-key-time`, which the client always sets equal).
    pub key_time: KeyTime,
    /// `q-header-list`.
    pub header_list: String,
    /// `q-url-param-list`.
    pub param_list: String,
    /// `q-signature`.
    pub signature: String,
}

impl Authorization {
    /// The seven `(name, value)` fields in the order COS expects them.
    pub fn fields(&self) -> [(&'static str, String); 7] {
        let kt = self.key_time.to_string();
        [
            ("q-sign-algorithm", "sha1".to_owned()),
            ("q-ak", self.secret_id.clone()),
            ("q-sign-time", kt.clone()),
            ("q-key-time", kt),
            ("q-header-list", self.header_list.clone()),
            ("q-url-param-list", self.param_list.clone()),
            ("q-signature", self.signature.clone()),
        ]
    }

    /// Parses an `Authorization` header value (or the `q-*` fields of a presigned URL
    /// joined by `&`). Returns `None` when a field is missing, repeated or malformed, when
    /// the algorithm is not `sha1`, or when `q-sign-time` and `q-key-time` differ.
    pub fn parse(value: &str) -> Option<Self> {
        let mut fields: [Option<&str>; 7] = [None; 7];
        const NAMES: [&str; 7] = [
            "q-sign-algorithm",
            "q-ak",
            "q-sign-time",
            "q-key-time",
            "q-header-list",
            "q-url-param-list",
            "q-signature",
        ];
        for part in value.split('&') {
            let (name, field) = part.split_once('=')?;
            let index = NAMES.iter().position(|n| *n == name)?;
            let slot = fields.get_mut(index)?;
            if slot.replace(field).is_some() {
                return None;
            }
        }
        let [
            Some(algorithm),
            Some(ak),
            Some(sign_time),
            Some(key_time),
            Some(headers),
            Some(params),
            Some(sig),
        ] = fields
        else {
            return None;
        };
        if algorithm != "sha1" || sign_time != key_time {
            return None;
        }
        Some(Self {
            secret_id: ak.to_owned(),
            key_time: KeyTime::parse(key_time)?,
            header_list: headers.to_owned(),
            param_list: params.to_owned(),
            signature: sig.to_owned(),
        })
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields = self.fields();
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                f.write_str("&")?;
            }
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("secret_id", &self.secret_id)
            .field("key_time", &self.key_time)
            .field("header_list", &self.header_list)
            .field("param_list", &self.param_list)
            .field("signature", &"<redacted>")
            .finish()
    }
}

/// Signs exactly the given parameters and headers (no filtering here; see
/// [`sign_request`] for the client-side selection).
pub fn authorize(
    credentials: &Credentials,
    key_time: KeyTime,
    method: &str,
    path: &str,
    params: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Authorization {
    let headers: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    authorize_canonical(
        credentials,
        key_time,
        &canonicalize(method, path, params, &headers),
    )
}

/// Signs an already canonicalised request.
pub fn authorize_canonical(
    credentials: &Credentials,
    key_time: KeyTime,
    canonical: &Canonical,
) -> Authorization {
    Authorization {
        secret_id: credentials.secret_id().to_owned(),
        key_time,
        header_list: canonical.header_list.clone(),
        param_list: canonical.param_list.clone(),
        signature: signature(credentials.secret_key(), key_time, &canonical.http_string),
    }
}

/// Which parts of a request the client signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignOptions {
    /// Sign the `host` header (default `true`).
    pub sign_host: bool,
    /// Sign the query parameters (default `true`).
    pub sign_params: bool,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self {
            sign_host: true,
            sign_params: true,
        }
    }
}

/// The decoded path, the query parameters and the headers of a request, as the signature
/// sees them. The server side (the emulator) uses the same extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningParts {
    /// The lower-cased method.
    pub method: String,
    /// The percent-decoded path (lossy UTF-8).
    pub path: String,
    /// The decoded query parameters, in wire order. A parameter without a name (`?=v`)
    /// is left out: `q-url-param-list` cannot name it, so no verifier could pick it.
    pub params: Vec<(String, String)>,
}

impl SigningParts {
    /// Extracts the signing view of a request's method and URI.
    pub fn from_uri(method: &http::Method, uri: &http::Uri) -> Self {
        let raw_path = uri.path();
        let path = percent_decode_str(raw_path).unwrap_or_else(|| {
            String::from_utf8_lossy(
                &percent_encoding::percent_decode(raw_path.as_bytes()).collect::<Vec<u8>>(),
            )
            .into_owned()
        });
        let params = uri
            .query()
            .map(|q| {
                q.split('&')
                    .filter(|p| !p.is_empty())
                    .map(|part| {
                        let (name, value) = part.split_once('=').unwrap_or((part, ""));
                        (lossy_form_decode(name), lossy_form_decode(value))
                    })
                    .filter(|(name, _)| !name.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method: method.as_str().to_lowercase(),
            path,
            params,
        }
    }
}

fn lossy_form_decode(value: &str) -> String {
    let spaced = value.replace('+', " ");
    String::from_utf8_lossy(
        &percent_encoding::percent_decode(spaced.as_bytes()).collect::<Vec<u8>>(),
    )
    .into_owned()
}

/// Signs a request in place, the way a COS client does:
///
/// 1. with temporary credentials, sets `x-cos-security-token` first (so it is signed);
/// 2. signs every query parameter (unless `sign_params` is off) and every header that
///    [`is_signed_header`] selects (`host` only when `sign_host` is on; the request must
///    carry its `Host` header explicitly, as the requests built by this crate do);
/// 3. sets `Authorization` (marked sensitive, so `http`'s `Debug` hides it).
///
/// Call it again for every retry, with a fresh [`KeyTime`].
pub fn sign_request<B>(
    request: &mut http::Request<B>,
    credentials: &Credentials,
    key_time: KeyTime,
    options: SignOptions,
) -> Result<(), InputError> {
    if let Some(token) = credentials.token() {
        let mut value =
            http::HeaderValue::from_str(token).map_err(|_| InputError::InvalidCredentials {
                what: "Token",
                reason: "cannot be sent in a header",
            })?;
        value.set_sensitive(true);
        request
            .headers_mut()
            .insert(http::HeaderName::from_static(SECURITY_TOKEN_HEADER), value);
    }
    let parts = SigningParts::from_uri(request.method(), request.uri());
    let params: Vec<(&str, &str)> = if options.sign_params {
        parts
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    } else {
        Vec::new()
    };
    let headers: Vec<(&str, &[u8])> = request
        .headers()
        .iter()
        .filter(|(name, _)| is_signed_header(name.as_str()))
        .filter(|(name, _)| options.sign_host || name.as_str() != "host")
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let canonical = canonicalize(&parts.method, &parts.path, &params, &headers);
    let authorization = authorize_canonical(credentials, key_time, &canonical);
    let mut value = http::HeaderValue::from_str(&authorization.to_string()).map_err(|_| {
        InputError::InvalidCredentials {
            what: "SecretId",
            reason: "cannot be sent in a header",
        }
    })?;
    value.set_sensitive(true);
    request
        .headers_mut()
        .insert(http::header::AUTHORIZATION, value);
    Ok(())
}

/// Marks a request as anonymous the way the official SDKs do: an empty `Authorization`.
pub fn mark_anonymous<B>(request: &mut http::Request<B>) {
    request.headers_mut().insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_static(""),
    );
}

#[cfg(test)]
mod tests;
