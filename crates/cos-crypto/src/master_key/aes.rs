//! A symmetric AES master key: RFC 3394 key wrap for v2 (`AESWrap`), and the Python
//! SDK's CTR-from-zero wrap for the Python-compatible envelope.

use std::fmt;

use aes_kw::{KeyInit as _, KwAes128, KwAes192, KwAes256};
use base64::Engine as _;
use ctr::cipher::{KeyIvInit as _, StreamCipher as _};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::{MasterKey, PythonWrapped, UnwrapRequest, WrapItem, same_algorithm};
use crate::cipher::{CONTENT_KEY_LEN, ContentKey, IV_LEN, Iv};
use crate::error::CryptoError;

/// The integrity check value length of RFC 3394.
const KW_OVERHEAD: usize = 8;

/// An AES-128, AES-192 or AES-256 master key (16, 24 or 32 bytes), like the Python SDK's
/// `AESProvider`.
///
/// * v2 envelope: wraps the content key with the RFC 3394 AES key wrap (`-wrap-alg:
///   AESWrap`, as the Java SDK names it). The wrap carries a 64-bit integrity check, so a
///   wrong master key or an altered `-key` header fails with
///   [`CryptoError::UnwrapFailed`].
/// * Python-compatible envelope: AES-CTR under the master key from counter 0 over
///   `content key ‖ IV` (see [`Format::PythonCompatible`](crate::Format::PythonCompatible)
///   for why that is weak). Nothing there can tell a wrong master key from the right one.
///
/// The key is zeroized on drop and never shown by `Debug`.
///
/// ```
/// use cos_crypto::AesMasterKey;
///
/// // The same Base64 text the Python SDK takes as `AESProvider(aes_key=...)`.
/// let key = AesMasterKey::from_base64("ERERERERERERERERERERERERERERERERERERERERERE=")?;
/// assert_eq!(key.bits(), 256);
/// assert!(!format!("{key:?}").contains("ERER"));
/// # Ok::<(), cos_crypto::CryptoError>(())
/// ```
pub struct AesMasterKey {
    key: Zeroizing<Vec<u8>>,
    matdesc: String,
}

impl AesMasterKey {
    /// The `-wrap-alg` value of the v2 envelope (Java's name for RFC 3394).
    pub const WRAP_ALGORITHM: &'static str = "AESWrap";

    /// A master key from its raw bytes: 16, 24 or 32 of them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if !matches!(bytes.len(), 16 | 24 | 32) {
            return Err(CryptoError::InvalidMasterKey(format!(
                "an AES key is 16, 24 or 32 bytes, not {}",
                bytes.len()
            )));
        }
        Ok(Self {
            key: Zeroizing::new(bytes.to_vec()),
            matdesc: "{}".into(),
        })
    }

    /// A master key from Base64 text (standard alphabet), as the Python SDK stores it.
    /// ASCII whitespace anywhere is ignored, so a key file's trailing newline is fine.
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let compact: Zeroizing<String> =
            Zeroizing::new(text.chars().filter(|c| !c.is_ascii_whitespace()).collect());
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .map_err(|_| {
                    CryptoError::InvalidMasterKey("the AES key is not valid Base64".into())
                })?,
        );
        Self::from_bytes(&bytes)
    }

    /// Sets the `-matdesc` written with v2 envelopes: a JSON object of strings (`{}` by
    /// default), stored in the Go SDK's form ([`matdesc::canonical`](crate::matdesc::canonical):
    /// compact, keys sorted), which Go readers compare byte for byte. It labels the key
    /// for readers; it is not checked when unwrapping (the wrap's own integrity check is
    /// what tells a wrong key).
    pub fn with_matdesc(mut self, matdesc: impl Into<String>) -> Result<Self, CryptoError> {
        self.matdesc = crate::matdesc::canonical(&matdesc.into())?;
        Ok(self)
    }

    /// The key size in bits: 128, 192 or 256.
    pub fn bits(&self) -> usize {
        self.key.len() * 8
    }

    /// The Python SDK's wrap: XOR with AES-CTR(master key, counter from 0). Its own inverse.
    fn python_keystream(&self, buf: &mut [u8]) -> Result<(), CryptoError> {
        let iv = [0u8; 16];
        let bad = |_| CryptoError::InvalidMasterKey("unusable AES key".into());
        match self.key.len() {
            16 => ctr::Ctr128BE::<aes::Aes128>::new_from_slices(&self.key, &iv)
                .map_err(bad)?
                .try_apply_keystream(buf),
            24 => ctr::Ctr128BE::<aes::Aes192>::new_from_slices(&self.key, &iv)
                .map_err(bad)?
                .try_apply_keystream(buf),
            _ => ctr::Ctr128BE::<aes::Aes256>::new_from_slices(&self.key, &iv)
                .map_err(bad)?
                .try_apply_keystream(buf),
        }
        .map_err(|_| CryptoError::InvalidMasterKey("keystream exhausted".into()))
    }

    /// RFC 3394 wrap (`None` only if the key could not be set up, which its length rules out).
    fn kw_wrap(&self, plaintext: &[u8], out: &mut [u8]) -> Option<Result<usize, aes_kw::Error>> {
        let wrapped = match self.key.len() {
            16 => KwAes128::new_from_slice(&self.key)
                .ok()?
                .wrap_key(plaintext, out),
            24 => KwAes192::new_from_slice(&self.key)
                .ok()?
                .wrap_key(plaintext, out),
            _ => KwAes256::new_from_slice(&self.key)
                .ok()?
                .wrap_key(plaintext, out),
        };
        Some(wrapped.map(<[u8]>::len))
    }

    /// RFC 3394 unwrap, with its integrity check.
    fn kw_unwrap(&self, wrapped: &[u8], out: &mut [u8]) -> Option<Result<usize, aes_kw::Error>> {
        let plain = match self.key.len() {
            16 => KwAes128::new_from_slice(&self.key)
                .ok()?
                .unwrap_key(wrapped, out),
            24 => KwAes192::new_from_slice(&self.key)
                .ok()?
                .unwrap_key(wrapped, out),
            _ => KwAes256::new_from_slice(&self.key)
                .ok()?
                .unwrap_key(wrapped, out),
        };
        Some(plain.map(<[u8]>::len))
    }
}

impl MasterKey for AesMasterKey {
    fn wrap_algorithm(&self) -> &str {
        Self::WRAP_ALGORITHM
    }

    fn matdesc(&self) -> &str {
        &self.matdesc
    }

    fn wrap(
        &self,
        item: WrapItem,
        plaintext: &[u8],
        _rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut out = vec![0u8; plaintext.len() + KW_OVERHEAD];
        let len = match self.kw_wrap(plaintext, &mut out) {
            Some(Ok(len)) => len,
            Some(Err(e)) => {
                return Err(CryptoError::WrapFailed {
                    what: item.as_str(),
                    reason: e.to_string(),
                });
            }
            None => return Err(CryptoError::InvalidMasterKey("unusable AES key".into())),
        };
        out.truncate(len);
        Ok(out)
    }

    fn unwrap(
        &self,
        request: &UnwrapRequest<'_>,
        _rng: &mut dyn CryptoRng,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if !same_algorithm(request.wrap_algorithm, Self::WRAP_ALGORITHM) {
            return Err(CryptoError::UnsupportedWrapAlgorithm {
                found: request.wrap_algorithm.into(),
                supported: Self::WRAP_ALGORITHM.into(),
            });
        }
        let expected = request.item.len() + KW_OVERHEAD;
        if request.wrapped.len() != expected {
            return Err(CryptoError::InvalidLength {
                what: match request.item {
                    WrapItem::ContentKey => "wrapped content key",
                    WrapItem::Iv => "wrapped IV",
                },
                expected,
                actual: request.wrapped.len(),
            });
        }
        let mut out = Zeroizing::new(vec![0u8; request.item.len()]);
        let len = match self.kw_unwrap(request.wrapped, &mut out) {
            Some(Ok(len)) => len,
            Some(Err(_)) => {
                return Err(CryptoError::UnwrapFailed {
                    what: request.item.as_str(),
                    algorithm: Self::WRAP_ALGORITHM.into(),
                });
            }
            None => return Err(CryptoError::InvalidMasterKey("unusable AES key".into())),
        };
        out.truncate(len);
        Ok(out)
    }

    fn wrap_python(
        &self,
        key: &ContentKey,
        iv: &Iv,
        _rng: &mut dyn CryptoRng,
    ) -> Result<PythonWrapped, CryptoError> {
        let mut buf = Zeroizing::new([0u8; CONTENT_KEY_LEN + IV_LEN]);
        buf[..CONTENT_KEY_LEN].copy_from_slice(key.expose_secret());
        buf[CONTENT_KEY_LEN..].copy_from_slice(iv.as_bytes());
        self.python_keystream(&mut buf[..])?;
        Ok(PythonWrapped {
            key: buf[..CONTENT_KEY_LEN].to_vec(),
            iv: buf[CONTENT_KEY_LEN..].to_vec(),
        })
    }

    fn unwrap_python(
        &self,
        wrapped_key: &[u8],
        wrapped_iv: &[u8],
        _rng: &mut dyn CryptoRng,
    ) -> Result<(ContentKey, Iv), CryptoError> {
        if wrapped_key.len() != CONTENT_KEY_LEN {
            return Err(CryptoError::InvalidLength {
                what: "wrapped content key",
                expected: CONTENT_KEY_LEN,
                actual: wrapped_key.len(),
            });
        }
        if wrapped_iv.len() != IV_LEN {
            return Err(CryptoError::InvalidLength {
                what: "wrapped IV",
                expected: IV_LEN,
                actual: wrapped_iv.len(),
            });
        }
        let mut buf = Zeroizing::new([0u8; CONTENT_KEY_LEN + IV_LEN]);
        buf[..CONTENT_KEY_LEN].copy_from_slice(wrapped_key);
        buf[CONTENT_KEY_LEN..].copy_from_slice(wrapped_iv);
        self.python_keystream(&mut buf[..])?;
        Ok((
            ContentKey::from_slice(&buf[..CONTENT_KEY_LEN])?,
            Iv::from_slice(&buf[CONTENT_KEY_LEN..])?,
        ))
    }
}

impl fmt::Debug for AesMasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AesMasterKey")
            .field("bits", &self.bits())
            .field("key", &"<redacted>")
            .field("matdesc", &self.matdesc)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::TestRng;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn data_key() -> ContentKey {
        ContentKey::from_bytes(std::array::from_fn(|i| i as u8))
    }

    fn data_iv() -> Iv {
        Iv::from_bytes(std::array::from_fn(|i| 100 + i as u8))
    }

    /// `cos-python-sdk.md` §6.4, both wrap vectors.
    #[test]
    fn python_wrap_matches_the_reference() {
        let mut rng = TestRng::new(1);
        let k256 = AesMasterKey::from_base64("ERERERERERERERERERERERERERERERERERERERERERE=\n")
            .expect("valid");
        let w = k256
            .wrap_python(&data_key(), &data_iv(), &mut rng)
            .expect("wraps");
        assert_eq!(
            hex(&w.key),
            "20ed0dcb1d012947ae6cf6638469073a55e1b51b12ed6671300ef2088a9d054a"
        );
        assert_eq!(hex(&w.iv), "a0af780089c6f7f26d77d36aab83a8fc");
        let (key, iv) = k256
            .unwrap_python(&w.key, &w.iv, &mut rng)
            .expect("unwraps");
        assert_eq!(key.expose_secret(), data_key().expose_secret());
        assert_eq!(iv.as_bytes(), data_iv().as_bytes());

        let k128 = AesMasterKey::from_bytes(&std::array::from_fn::<u8, 16, _>(|i| i as u8))
            .expect("valid");
        let w = k128
            .wrap_python(&data_key(), &data_iv(), &mut rng)
            .expect("wraps");
        assert_eq!(
            hex(&w.key),
            "c6a03934838a5d8567468b69adc5d6766357018681d5a2095162a7f879e93315"
        );
        assert_eq!(hex(&w.iv), "2db3e134f1f2cce78fe4140710f0c2ee");
    }

    /// RFC 3394 §4.6: 256-bit KEK wrapping 256 bits of key data.
    #[test]
    fn aes_key_wrap_matches_rfc_3394() {
        let kek: Vec<u8> = (0..32).collect();
        let data: Vec<u8> = (0..16u8)
            .map(|i| i * 0x11)
            .chain((0..16).map(|i| i as u8))
            .collect();
        let key = AesMasterKey::from_bytes(&kek).expect("valid");
        let mut rng = TestRng::new(1);
        let wrapped = key
            .wrap(WrapItem::ContentKey, &data, &mut rng)
            .expect("wraps");
        assert_eq!(
            hex(&wrapped),
            "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"
        );
        let request = UnwrapRequest {
            item: WrapItem::ContentKey,
            wrap_algorithm: "aeswrap",
            matdesc: "{}",
            wrapped: &wrapped,
        };
        assert_eq!(
            &key.unwrap(&request, &mut rng).expect("unwraps")[..],
            &data[..]
        );
    }

    #[test]
    fn key_wrap_detects_a_wrong_key_and_tampering() {
        let mut rng = TestRng::new(2);
        let right = AesMasterKey::from_bytes(&[1; 32]).expect("valid");
        let wrong = AesMasterKey::from_bytes(&[2; 32]).expect("valid");
        let wrapped = right
            .wrap(WrapItem::ContentKey, &[9; 32], &mut rng)
            .expect("wraps");
        let mut request = UnwrapRequest {
            item: WrapItem::ContentKey,
            wrap_algorithm: "AESWrap",
            matdesc: "{}",
            wrapped: &wrapped,
        };
        assert!(matches!(
            wrong.unwrap(&request, &mut rng),
            Err(CryptoError::UnwrapFailed { .. })
        ));
        let mut altered = wrapped.clone();
        altered[17] ^= 1;
        request.wrapped = &altered;
        assert!(matches!(
            right.unwrap(&request, &mut rng),
            Err(CryptoError::UnwrapFailed { .. })
        ));
        request.wrapped = &wrapped[..39];
        assert!(matches!(
            right.unwrap(&request, &mut rng),
            Err(CryptoError::InvalidLength { .. })
        ));
        request.wrapped = &wrapped;
        request.wrap_algorithm = "AESWrapPad";
        assert!(matches!(
            right.unwrap(&request, &mut rng),
            Err(CryptoError::UnsupportedWrapAlgorithm { .. })
        ));
    }

    #[test]
    fn construction_is_checked_and_debug_redacts() {
        assert!(AesMasterKey::from_bytes(&[0; 15]).is_err());
        assert!(AesMasterKey::from_bytes(&[0; 24]).is_ok());
        assert!(AesMasterKey::from_base64("***").is_err());
        assert!(AesMasterKey::from_base64("AAAA").is_err());
        let key = AesMasterKey::from_bytes(&[0x42; 32])
            .expect("valid")
            .with_matdesc(r#"{"id":"k1"}"#)
            .expect("valid");
        let shown = format!("{key:?}");
        assert!(
            shown.contains("redacted") && shown.contains("k1"),
            "{shown}"
        );
        assert!(!shown.contains("66") && !shown.contains("42"), "{shown}");
        assert!(
            AesMasterKey::from_bytes(&[0; 32])
                .expect("valid")
                .with_matdesc("not json")
                .is_err()
        );
    }
}
