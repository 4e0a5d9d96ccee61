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

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};

use crate::Credentials;
use crate::encode::percent_decode_str;
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
    let starts_with = |prefix: &str| {
        name.as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    starts_with("x-cos-")
        || starts_with("x-ci-")
        || SIGNED_HEADERS
            .iter()
            .any(|signed| signed.eq_ignore_ascii_case(name))
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
        f.write_str(self.formatted().as_str())
    }
}

/// `start;end` written without allocating: two `u64`s of at most 20 digits and a `;`.
struct KeyTimeText {
    buf: [u8; 41],
    len: usize,
}

impl KeyTimeText {
    fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and `;` are ever written.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    fn push_u64(&mut self, value: u64) {
        let mut digits = [0u8; 20];
        let mut n = value;
        let mut i = digits.len();
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || i == 0 {
                break;
            }
        }
        for &d in digits.get(i..).unwrap_or_default() {
            self.push(d);
        }
    }

    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }
}

impl KeyTime {
    fn formatted(&self) -> KeyTimeText {
        let mut text = KeyTimeText {
            buf: [0; 41],
            len: 0,
        };
        text.push_u64(self.start);
        text.push(b';');
        text.push_u64(self.end);
        text
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

/// Appends `bytes` percent-encoded with the signature's encode set (the RFC 3986
/// unreserved characters stay, as in [`crate::encode::sign_encode`]). Names are lower-cased after
/// encoding, escapes included (`%E4` becomes `%e4`).
fn encode_into(out: &mut String, bytes: &[u8], lower_case: bool) {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    const LOWER: &[u8; 16] = b"0123456789abcdef";
    let digits = if lower_case { LOWER } else { UPPER };
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(if lower_case {
                b.to_ascii_lowercase()
            } else {
                b
            }));
        } else {
            out.push('%');
            out.push(char::from(digits[usize::from(b >> 4)]));
            out.push(char::from(digits[usize::from(b & 0x0f)]));
        }
    }
}

/// Encodes and sorts `(name, value)` pairs: appends `name=value&...` to `joined` and
/// returns `name;...`. Names are encoded and lower-cased, values encoded; the pairs are
/// sorted by name, then value (byte order of the encoded forms).
fn canonical_pairs<'a>(
    joined: &mut String,
    pairs: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])>,
) -> String {
    let mut encoded = String::new();
    let mut spans: Vec<(Range<usize>, Range<usize>)> = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        let start = encoded.len();
        encode_into(&mut encoded, name, true);
        let middle = encoded.len();
        encode_into(&mut encoded, value, false);
        spans.push((start..middle, middle..encoded.len()));
    }
    let text = |range: &Range<usize>| encoded.get(range.clone()).unwrap_or_default();
    spans.sort_unstable_by(|(an, av), (bn, bv)| {
        text(an).cmp(text(bn)).then_with(|| text(av).cmp(text(bv)))
    });
    let names_len: usize = spans.iter().map(|(n, _)| n.len() + 1).sum();
    let mut names = String::with_capacity(names_len);
    joined.reserve(encoded.len() + 2 * spans.len());
    for (i, (name, value)) in spans.iter().enumerate() {
        if i > 0 {
            joined.push('&');
            names.push(';');
        }
        joined.push_str(text(name));
        joined.push('=');
        joined.push_str(text(value));
        names.push_str(text(name));
    }
    names
}

/// Appends the lower-cased method.
fn push_lower(out: &mut String, method: &str) {
    if method.is_ascii() {
        out.extend(method.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(&method.to_lowercase());
    }
}

/// Builds the canonical form from exactly the parameters and headers to sign (no
/// filtering happens here). `path` is the decoded path (`/` + key).
pub fn canonicalize(
    method: &str,
    path: &str,
    params: &[(&str, &str)],
    headers: &[(&str, &[u8])],
) -> Canonical {
    canonicalize_pairs(
        method,
        path,
        params.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())),
        headers.iter().map(|(n, v)| (n.as_bytes(), *v)),
    )
}

fn canonicalize_pairs<'a>(
    method: &str,
    path: &str,
    params: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])>,
    headers: impl ExactSizeIterator<Item = (&'a [u8], &'a [u8])>,
) -> Canonical {
    let mut http_string = String::with_capacity(method.len() + path.len() + 256);
    push_lower(&mut http_string, method);
    http_string.push('\n');
    http_string.push_str(path);
    http_string.push('\n');
    let param_list = canonical_pairs(&mut http_string, params);
    http_string.push('\n');
    let header_list = canonical_pairs(&mut http_string, headers);
    http_string.push('\n');
    Canonical {
        http_string,
        header_list,
        param_list,
    }
}

/// Lower-case hex of a SHA-1 digest or HMAC-SHA1, on the stack.
type Hex40 = [u8; 40];

fn hex40(bytes: &[u8]) -> Hex40 {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 40];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]]);
    }
    out
}

fn hex_str(hex: &Hex40) -> &str {
    // Only ASCII hex digits are ever written.
    std::str::from_utf8(hex).unwrap_or_default()
}

/// HMAC-SHA1 keyed with `key`, ready for the message.
fn keyed_mac(key: &[u8]) -> Hmac<Sha1> {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail here, and the
    // fallback (an empty key) is never taken.
    <Hmac<Sha1> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha1> as KeyInit>::new(&Default::default()))
}

/// `hex(HMAC-SHA1(secret_key, key_time))`, on the stack.
fn sign_key_hex(secret_key: &str, key_time: KeyTime) -> Hex40 {
    let mut mac = keyed_mac(secret_key.as_bytes());
    mac.update(key_time.formatted().as_bytes());
    hex40(&mac.finalize().into_bytes())
}

/// The signature, on the stack: the string to sign is fed to the HMAC piece by piece.
fn signature_hex(secret_key: &str, key_time: KeyTime, http_string: &str) -> Hex40 {
    let mut mac = keyed_mac(&sign_key_hex(secret_key, key_time));
    let digest = hex40(&Sha1::digest(http_string.as_bytes()));
    mac.update(b"sha1\n");
    mac.update(key_time.formatted().as_bytes());
    mac.update(b"\n");
    mac.update(&digest);
    mac.update(b"\n");
    hex40(&mac.finalize().into_bytes())
}

/// `hex(HMAC-SHA1(secret_key, key_time))`.
pub fn sign_key(secret_key: &str, key_time: KeyTime) -> String {
    hex_str(&sign_key_hex(secret_key, key_time)).to_owned()
}

/// `sha1\n<key time>\n<hex sha1 of the http string>\n`.
pub fn string_to_sign(key_time: KeyTime, http_string: &str) -> String {
    let digest = hex40(&Sha1::digest(http_string.as_bytes()));
    format!("sha1\n{key_time}\n{}\n", hex_str(&digest))
}

/// The `q-signature` value for a canonical request.
pub fn signature(secret_key: &str, key_time: KeyTime, http_string: &str) -> String {
    hex_str(&signature_hex(secret_key, key_time, http_string)).to_owned()
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
        let mut out = String::new();
        write_authorization(
            &mut out,
            &self.secret_id,
            self.key_time,
            &self.header_list,
            &self.param_list,
            &self.signature,
        );
        f.write_str(&out)
    }
}

/// Writes the seven `q-*` fields, in the order of [`Authorization::fields`].
fn write_authorization(
    out: &mut String,
    secret_id: &str,
    key_time: KeyTime,
    header_list: &str,
    param_list: &str,
    signature: &str,
) {
    let key_time = key_time.formatted();
    let key_time = key_time.as_str();
    out.reserve(
        110 + secret_id.len()
            + 2 * key_time.len()
            + header_list.len()
            + param_list.len()
            + signature.len(),
    );
    for (i, (name, value)) in [
        ("q-sign-algorithm", "sha1"),
        ("q-ak", secret_id),
        ("q-sign-time", key_time),
        ("q-key-time", key_time),
        ("q-header-list", header_list),
        ("q-url-param-list", param_list),
        ("q-signature", signature),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
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
    authorize_canonical(
        credentials,
        key_time,
        &canonicalize_pairs(
            method,
            path,
            params.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())),
            headers.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())),
        ),
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
        signature: hex_str(&signature_hex(
            credentials.secret_key(),
            key_time,
            &canonical.http_string,
        ))
        .to_owned(),
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
        let params = uri
            .query()
            .map(|q| {
                query_pairs(q)
                    .map(|(n, v)| (n.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method: method.as_str().to_lowercase(),
            path: decode_path(uri.path()).into_owned(),
            params,
        }
    }
}

/// The percent-decoded path; invalid UTF-8 is replaced (lossy).
fn decode_path(raw_path: &str) -> Cow<'_, str> {
    if !raw_path.contains('%') {
        return Cow::Borrowed(raw_path);
    }
    match percent_decode_str(raw_path) {
        Some(path) => Cow::Owned(path),
        None => Cow::Owned(
            String::from_utf8_lossy(
                &percent_encoding::percent_decode(raw_path.as_bytes()).collect::<Vec<u8>>(),
            )
            .into_owned(),
        ),
    }
}

/// The decoded `(name, value)` pairs of a query, in wire order, without the nameless ones.
fn query_pairs(query: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (lossy_form_decode(name), lossy_form_decode(value))
        })
        .filter(|(name, _)| !name.is_empty())
}

fn lossy_form_decode(value: &str) -> Cow<'_, str> {
    if !value.contains(['+', '%']) {
        return Cow::Borrowed(value);
    }
    let spaced = value.replace('+', " ");
    Cow::Owned(
        String::from_utf8_lossy(
            &percent_encoding::percent_decode(spaced.as_bytes()).collect::<Vec<u8>>(),
        )
        .into_owned(),
    )
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
    let uri = request.uri();
    let path = decode_path(uri.path());
    let params: Vec<(Cow<'_, str>, Cow<'_, str>)> = match uri.query() {
        Some(query) if options.sign_params => query_pairs(query).collect(),
        _ => Vec::new(),
    };
    let headers: Vec<(&[u8], &[u8])> = request
        .headers()
        .iter()
        .filter(|(name, _)| is_signed_header(name.as_str()))
        .filter(|(name, _)| options.sign_host || name.as_str() != "host")
        .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()))
        .collect();
    let canonical = canonicalize_pairs(
        request.method().as_str(),
        &path,
        params.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())),
        headers.into_iter(),
    );
    let signature = signature_hex(credentials.secret_key(), key_time, &canonical.http_string);
    let mut authorization = String::new();
    write_authorization(
        &mut authorization,
        credentials.secret_id(),
        key_time,
        &canonical.header_list,
        &canonical.param_list,
        hex_str(&signature),
    );
    let mut value = http::HeaderValue::from_maybe_shared(bytes::Bytes::from(authorization))
        .map_err(|_| InputError::InvalidCredentials {
            what: "SecretId",
            reason: "cannot be sent in a header",
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
mod params_property;
#[cfg(test)]
mod tests;
