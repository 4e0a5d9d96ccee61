//! The envelope's metadata headers (`x-cos-meta-client-side-encryption-*`), and reading
//! them from an untrusted [`http::HeaderMap`].

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::CryptoError;

/// Base64 of the wrapped content key (both formats).
pub const KEY: &str = "x-cos-meta-client-side-encryption-key";
/// Python format: Base64 of the *wrapped* IV.
pub const IV: &str = "x-cos-meta-client-side-encryption-iv";
/// v2 format: Base64 of the IV: 16 bytes in the clear, or wrapped by the master key (as
/// the Go SDK always writes it, see [`Format::GoCompatible`](crate::Format::GoCompatible)).
pub const START: &str = "x-cos-meta-client-side-encryption-start";
/// v2 format: the content cipher, `AES/CTR/NoPadding`.
pub const CEK_ALG: &str = "x-cos-meta-client-side-encryption-cek-alg";
/// v2 format: the key wrap algorithm (`AESWrap`, `RSA/ECB/OAEPWithSHA-256AndMGF1Padding`,
/// `KMS/TencentCloud`...).
pub const WRAP_ALG: &str = "x-cos-meta-client-side-encryption-wrap-alg";
/// v2 format: the material description, a JSON object (absent: an empty description).
pub const MATDESC: &str = "x-cos-meta-client-side-encryption-matdesc";
/// v2 format: the plaintext length of a single-part object, in decimal.
pub const UNENCRYPTED_CONTENT_LENGTH: &str =
    "x-cos-meta-client-side-encryption-unencrypted-content-length";
/// v2 format: Base64 of the plaintext MD5, when it was known before the upload.
pub const UNENCRYPTED_CONTENT_MD5: &str =
    "x-cos-meta-client-side-encryption-unencrypted-content-md5";
/// v2 format (written by cos-rs): the CRC-64/XZ of the plaintext, in decimal (as COS
/// writes `x-cos-hash-crc64ecma`), checked by every whole-object read. Other SDKs ignore
/// it.
pub const UNENCRYPTED_CONTENT_CRC64: &str =
    "x-cos-meta-client-side-encryption-unencrypted-content-crc64";
/// v2 format: the plaintext length of a multipart object, in decimal.
pub const DATA_SIZE: &str = "x-cos-meta-client-side-encryption-data-size";
/// v2 format: the part size of a multipart object, in decimal (a multiple of 16).
pub const PART_SIZE: &str = "x-cos-meta-client-side-encryption-part-size";
/// Java's GCM tag length; its presence means a GCM object, which this crate refuses.
pub const TAG_LEN: &str = "x-cos-meta-client-side-encryption-tag-len";

/// Every header name of the family, for "is this object encrypted at all?".
pub const ALL: [&str; 12] = [
    KEY,
    IV,
    START,
    CEK_ALG,
    WRAP_ALG,
    MATDESC,
    UNENCRYPTED_CONTENT_LENGTH,
    UNENCRYPTED_CONTENT_MD5,
    UNENCRYPTED_CONTENT_CRC64,
    DATA_SIZE,
    PART_SIZE,
    TAG_LEN,
];

/// The v2 headers whose presence selects the v2 format.
pub(crate) const V2_MARKERS: [&str; 4] = [START, CEK_ALG, WRAP_ALG, MATDESC];

/// One header of an envelope being written.
pub(crate) fn pair(
    name: &'static str,
    value: &str,
) -> Result<(HeaderName, HeaderValue), CryptoError> {
    let value = HeaderValue::from_str(value).map_err(|_| CryptoError::MalformedHeader {
        name,
        reason: "not a valid header value".into(),
    })?;
    Ok((HeaderName::from_static(name), value))
}

/// Standard, padded Base64 (what every COS SDK writes).
pub(crate) fn encode_b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Read-only access to the envelope headers of a HEAD or GET response, treating every
/// value as untrusted.
pub(crate) struct EnvelopeHeaderMap<'a>(pub(crate) &'a HeaderMap);

impl EnvelopeHeaderMap<'_> {
    /// `true` when the header is present (even if malformed).
    pub(crate) fn has(&self, name: &'static str) -> bool {
        self.0.contains_key(name)
    }

    /// The header's text, `None` when absent. A repeated or non-ASCII header is malformed.
    pub(crate) fn text(&self, name: &'static str) -> Result<Option<&str>, CryptoError> {
        let mut values = self.0.get_all(name).iter();
        let Some(value) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(CryptoError::MalformedHeader {
                name,
                reason: "present more than once".into(),
            });
        }
        let text = value.to_str().map_err(|_| CryptoError::MalformedHeader {
            name,
            reason: "not visible ASCII".into(),
        })?;
        Ok(Some(text.trim()))
    }

    /// The header's text; absent is an error.
    pub(crate) fn required(&self, name: &'static str) -> Result<&str, CryptoError> {
        self.text(name)?.ok_or(CryptoError::MissingHeader(name))
    }

    /// A required, non-empty Base64 value, decoded.
    pub(crate) fn base64(&self, name: &'static str) -> Result<Vec<u8>, CryptoError> {
        let text = self.required(name)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| CryptoError::MalformedHeader {
                name,
                reason: format!("not Base64: {e}"),
            })?;
        if bytes.is_empty() {
            return Err(CryptoError::MalformedHeader {
                name,
                reason: "empty".into(),
            });
        }
        Ok(bytes)
    }

    /// An optional decimal `u64`.
    pub(crate) fn decimal(&self, name: &'static str) -> Result<Option<u64>, CryptoError> {
        let Some(text) = self.text(name)? else {
            return Ok(None);
        };
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CryptoError::MalformedHeader {
                name,
                reason: format!("{text:?} is not a decimal number"),
            });
        }
        text.parse()
            .map(Some)
            .map_err(|_| CryptoError::MalformedHeader {
                name,
                reason: format!("{text:?} is too large"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).expect("valid"));
        }
        map
    }

    #[test]
    fn names_are_lower_case_meta_headers() {
        for name in ALL {
            assert!(name.starts_with("x-cos-meta-client-side-encryption-"));
            assert_eq!(name, name.to_ascii_lowercase());
            HeaderName::from_static(name);
        }
    }

    #[test]
    fn untrusted_values_are_checked() {
        let headers = map(&[
            (KEY, "AAEC"),
            (IV, "not base64!"),
            (DATA_SIZE, "12a"),
            (PART_SIZE, "99999999999999999999999"),
            (MATDESC, "{}"),
            (MATDESC, "{}"),
            (START, ""),
        ]);
        let h = EnvelopeHeaderMap(&headers);
        assert_eq!(h.base64(KEY).expect("valid"), vec![0, 1, 2]);
        assert!(matches!(
            h.base64(IV),
            Err(CryptoError::MalformedHeader { .. })
        ));
        assert!(matches!(
            h.base64(START),
            Err(CryptoError::MalformedHeader { .. })
        ));
        assert!(matches!(
            h.base64(CEK_ALG),
            Err(CryptoError::MissingHeader(CEK_ALG))
        ));
        assert!(h.decimal(DATA_SIZE).is_err());
        assert!(h.decimal(PART_SIZE).is_err());
        assert!(h.text(MATDESC).is_err());
        assert_eq!(h.decimal(UNENCRYPTED_CONTENT_LENGTH).expect("absent"), None);
    }

    #[test]
    fn non_ascii_values_are_malformed() {
        let mut headers = HeaderMap::new();
        headers.insert(
            CEK_ALG,
            HeaderValue::from_bytes(b"AES/\xff").expect("obs-text is a valid header value"),
        );
        assert!(EnvelopeHeaderMap(&headers).text(CEK_ALG).is_err());
    }
}
