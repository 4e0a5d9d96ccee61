//! The Tencent Cloud API 3.0 signature, `TC3-HMAC-SHA256`, as pure functions: time is an
//! input. Only `content-type` and `host` are signed, as every official SDK does.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::civil::utc_date;

/// The algorithm name, first word of the `Authorization` value.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The headers the signature covers.
pub const SIGNED_HEADERS: &str = "content-type;host";

/// What a request's signature is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tc3Input<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The canonical query (`""` for a POST).
    pub query: &'a str,
    /// The `Content-Type` sent.
    pub content_type: &'a str,
    /// The `Host` sent.
    pub host: &'a str,
    /// The body (empty for a GET).
    pub payload: &'a [u8],
    /// The service (`sts`, `kms`, …): the scope's second part.
    pub service: &'a str,
    /// `X-TC-Timestamp`: Unix seconds, whose UTC date starts the scope.
    pub timestamp: u64,
}

/// Every intermediate of a signature, for tests and diagnostics. `Debug` leaves out the
/// key-derived values.
#[derive(Clone, PartialEq, Eq)]
pub struct Tc3Signing {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    /// `<date>/<service>/tc3_request`.
    pub credential_scope: String,
    /// Hex SHA-256 of the payload.
    pub hashed_payload: String,
    /// The canonical request.
    pub canonical_request: String,
    /// `TC3-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256(canonical request)>`.
    pub string_to_sign: String,
    /// Hex `HMAC("TC3" + secret key, date)`.
    pub secret_date: String,
    /// Hex `HMAC(secret date, service)`.
    pub secret_service: String,
    /// Hex `HMAC(secret service, "tc3_request")`.
    pub signing_key: String,
    /// Hex `HMAC(signing key, string to sign)`.
    pub signature: String,
    /// The `Authorization` value.
    pub authorization: String,
}

impl std::fmt::Debug for Tc3Signing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tc3Signing")
            .field("credential_scope", &self.credential_scope)
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Signs `input` with `secret_id` / `secret_key`.
///
/// ```
/// use cos_proto::cloud_api::tc3::{Tc3Input, sign};
/// let signing = sign("AKIDEXAMPLE", "SECRET", Tc3Input {
///     method: "POST", query: "", content_type: "application/json",
///     host: "sts.tencentcloudapi.com", payload: b"{}", service: "sts", timestamp: 1_700_000_000,
/// });
/// assert_eq!(signing.credential_scope, "2023-11-14/sts/tc3_request");
/// assert!(signing.authorization.starts_with("TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/sts/tc3_request, SignedHeaders=content-type;host, Signature="));
/// ```
pub fn sign(secret_id: &str, secret_key: &str, input: Tc3Input<'_>) -> Tc3Signing {
    let date = utc_date(input.timestamp);
    let credential_scope = format!("{date}/{}/tc3_request", input.service);
    let hashed_payload = hex(&Sha256::digest(input.payload));
    let canonical_request = format!(
        "{}\n/\n{}\ncontent-type:{}\nhost:{}\n\n{SIGNED_HEADERS}\n{hashed_payload}",
        input.method, input.query, input.content_type, input.host
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{credential_scope}\n{}",
        input.timestamp,
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let secret_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac(&secret_date, input.service.as_bytes());
    let signing_key = hmac(&secret_service, b"tc3_request");
    let signature = hex(&hmac(&signing_key, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={secret_id}/{credential_scope}, SignedHeaders={SIGNED_HEADERS}, Signature={signature}"
    );
    Tc3Signing {
        date,
        credential_scope,
        hashed_payload,
        canonical_request,
        string_to_sign,
        secret_date: hex(&secret_date),
        secret_service: hex(&secret_service),
        signing_key: hex(&signing_key),
        signature,
        authorization,
    }
}
