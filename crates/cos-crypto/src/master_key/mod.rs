//! Master keys: what wraps (protects) each object's content key.
//!
//! [`AesMasterKey`] and [`RsaMasterKey`] are local keys. Anything else — a KMS, an HSM, a
//! key held by another service — plugs in by implementing [`MasterKey`] (the v2 methods
//! only; the Python-compatible envelope exists for AES and RSA keys alone).

mod aes;
mod aes_file;
mod kms;
mod rsa;

use std::fmt;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::cipher::{ContentKey, Iv};
use crate::error::CryptoError;

pub use self::aes::AesMasterKey;
pub use self::kms::{KmsMasterKey, KmsTransport};
pub use self::rsa::{OaepMgf1, PythonRsaPadding, RsaMasterKey};

/// What is being wrapped or unwrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WrapItem {
    /// The 32-byte content key.
    ContentKey,
    /// The 16-byte IV (in the Python envelope, in the Go-compatible one, and in v2 when
    /// [`MasterKey::wraps_iv`] is `true` or `-start` is not 16 bytes long).
    Iv,
}

impl WrapItem {
    /// `"content key"` or `"IV"`, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            WrapItem::ContentKey => "content key",
            WrapItem::Iv => "IV",
        }
    }

    /// The plaintext length of the item.
    pub fn len(self) -> usize {
        match self {
            WrapItem::ContentKey => crate::cipher::CONTENT_KEY_LEN,
            WrapItem::Iv => crate::cipher::IV_LEN,
        }
    }

    /// Always `false` (an item is never empty); here for clippy's `len_without_is_empty`.
    pub fn is_empty(self) -> bool {
        false
    }
}

impl fmt::Display for WrapItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One unwrap request of the v2 envelope: everything the object's metadata says about a
/// wrapped value. All fields are untrusted input.
#[derive(Debug, Clone, Copy)]
pub struct UnwrapRequest<'a> {
    /// The content key or the IV.
    pub item: WrapItem,
    /// The object's `-wrap-alg` value. Refuse any value you do not implement.
    pub wrap_algorithm: &'a str,
    /// The object's `-matdesc` value (a JSON object; a KMS uses it as encryption context).
    pub matdesc: &'a str,
    /// The wrapped bytes (Base64-decoded header value).
    pub wrapped: &'a [u8],
}

/// A key-encrypting key: wraps fresh content keys when objects are written and unwraps
/// them when objects are read.
///
/// Implement the four v2 methods to plug in a KMS-style wrapper:
///
/// ```
/// use cos_crypto::{CryptoError, MasterKey, UnwrapRequest, WrapItem};
/// use rand_core::CryptoRng;
/// use zeroize::Zeroizing;
///
/// /// A toy "KMS" (a real one would call the service; this one XORs — never do this).
/// struct ToyKms;
///
/// impl MasterKey for ToyKms {
///     fn wrap_algorithm(&self) -> &str { "Toy/KMS" }
///     fn matdesc(&self) -> &str { r#"{"kms-key-id":"toy"}"# }
///     fn wrap(&self, _item: WrapItem, plain: &[u8], _rng: &mut dyn CryptoRng)
///         -> Result<Vec<u8>, CryptoError> {
///         Ok(plain.iter().map(|b| b ^ 0x5a).collect())
///     }
///     fn unwrap(&self, request: &UnwrapRequest<'_>, _rng: &mut dyn CryptoRng)
///         -> Result<Zeroizing<Vec<u8>>, CryptoError> {
///         if request.wrap_algorithm != "Toy/KMS" {
///             return Err(CryptoError::UnsupportedWrapAlgorithm {
///                 found: request.wrap_algorithm.into(),
///                 supported: "Toy/KMS".into(),
///             });
///         }
///         Ok(Zeroizing::new(request.wrapped.iter().map(|b| b ^ 0x5a).collect()))
///     }
/// }
/// ```
///
/// Rules for implementors:
/// * `unwrap` must refuse (`UnsupportedWrapAlgorithm`) every `wrap_algorithm` it does not
///   implement, and should use an authenticated wrap so that a wrong key or an altered
///   value fails (`UnwrapFailed`) instead of yielding a wrong key. The envelope checks the
///   unwrapped length.
/// * Randomness comes only from `rng` (the caller's CSPRNG): the crate reads no OS source.
pub trait MasterKey {
    /// The `-wrap-alg` value written by [`Envelope::seal`](crate::Envelope::seal) (v2).
    fn wrap_algorithm(&self) -> &str;

    /// The `-matdesc` value written with v2 envelopes: a JSON object describing the master
    /// key (`{}` when there is nothing to say). Must be a valid header value.
    fn matdesc(&self) -> &str {
        "{}"
    }

    /// Whether the [`V2`](crate::Format::V2) envelope wraps the IV too (as the Go and
    /// Java SDKs do with KMS) instead of storing it in the clear in `-start`. `false` by
    /// default. [`GoCompatible`](crate::Format::GoCompatible) envelopes wrap the IV
    /// whatever this says. When `false`, a reader still unwraps a `-start` that is not 16
    /// bytes long (a wrapped IV), so `unwrap` must handle [`WrapItem::Iv`] too; when
    /// `true`, every `-start` is unwrapped.
    fn wraps_iv(&self) -> bool {
        false
    }

    /// Wraps one item for the v2 envelope.
    fn wrap(
        &self,
        item: WrapItem,
        plaintext: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, CryptoError>;

    /// Unwraps one item of a v2 envelope. `rng` is available for side-channel blinding.
    fn unwrap(
        &self,
        request: &UnwrapRequest<'_>,
        rng: &mut dyn CryptoRng,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError>;

    /// Wraps a content key and IV the way the official Python SDK does (Python-compatible
    /// envelope). Only [`AesMasterKey`] and [`RsaMasterKey`] implement it; the default
    /// refuses with [`CryptoError::PythonFormatUnsupported`].
    fn wrap_python(
        &self,
        key: &ContentKey,
        iv: &Iv,
        rng: &mut dyn CryptoRng,
    ) -> Result<PythonWrapped, CryptoError> {
        let _ = (key, iv, rng);
        Err(CryptoError::PythonFormatUnsupported)
    }

    /// Unwraps the `-key` and `-iv` values of a Python-compatible envelope. The default
    /// refuses with [`CryptoError::PythonFormatUnsupported`].
    fn unwrap_python(
        &self,
        wrapped_key: &[u8],
        wrapped_iv: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<(ContentKey, Iv), CryptoError> {
        let _ = (wrapped_key, wrapped_iv, rng);
        Err(CryptoError::PythonFormatUnsupported)
    }
}

/// The two wrapped values of a Python-compatible envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonWrapped {
    /// The wrapped content key (`-key`, Base64-encoded in the header).
    pub key: Vec<u8>,
    /// The wrapped IV (`-iv`, Base64-encoded in the header).
    pub iv: Vec<u8>,
}

/// Algorithm names come from Java's JCE, whose names are case-insensitive.
pub(crate) fn same_algorithm(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Checks a matdesc given to a master key: a non-empty header value that looks like a
/// JSON object (the other SDKs parse it as one).
pub(crate) fn check_matdesc(matdesc: &str) -> Result<(), CryptoError> {
    let trimmed = matdesc.trim();
    if !(trimmed.starts_with('{') && trimmed.ends_with('}')) {
        return Err(CryptoError::InvalidMatdesc(
            "must be a JSON object such as {} or {\"key\":\"value\"}".into(),
        ));
    }
    if !matdesc.bytes().all(|b| (0x20..0x7f).contains(&b)) || matdesc != trimmed {
        return Err(CryptoError::InvalidMatdesc(
            "must be visible ASCII without surrounding spaces (it travels in a header)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matdesc_must_be_a_header_safe_json_object() {
        assert!(check_matdesc("{}").is_ok());
        assert!(check_matdesc(r#"{"a":"b"}"#).is_ok());
        for bad in ["", "[]", " {}", "{}\n", "{\"é\":1}", "x"] {
            assert!(check_matdesc(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn algorithm_names_compare_like_jce() {
        assert!(same_algorithm(
            "RSA/ECB/OAEPWITHSHA-256ANDMGF1PADDING",
            "RSA/ECB/OAEPWithSHA-256AndMGF1Padding"
        ));
        assert!(!same_algorithm("AESWrap", "AESWrapPad"));
    }
}
