//! An RSA master key: RSA-OAEP (SHA-256) for v2, and the Python SDK's OAEP-SHA1 /
//! PKCS#1 v1.5 wraps for the Python-compatible envelope.

use std::fmt;

use rand_core::CryptoRng;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{Oaep, Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{MasterKey, PythonWrapped, UnwrapRequest, WrapItem, same_algorithm};
use crate::cipher::{CONTENT_KEY_LEN, ContentKey, IV_LEN, Iv};
use crate::error::CryptoError;

/// How the Python-compatible envelope's RSA-wrapped values are read.
///
/// The Python SDK wraps with OAEP-SHA1 when its keys come from files, and with PKCS#1
/// v1.5 when they are given in memory (`cos-python-sdk.md` §6.3), and records neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PythonRsaPadding {
    /// OAEP-SHA1 first, then PKCS#1 v1.5 (the default: reads every Python object).
    ///
    /// PKCS#1 v1.5 decryption uses implicit rejection (the `rsa` crate's defence against
    /// the Marvin/Bleichenbacher timing attacks): a wrong key or an altered value yields
    /// a pseudo-random message instead of an error, which this crate then refuses unless
    /// it has exactly the expected length. So a wrong key or an altered `-key` header is
    /// caught except with a probability of about 1/246 per header (about 1/60,000 when
    /// both headers are wrong, as with a wrong key). Choose [`OaepOnly`](Self::OaepOnly)
    /// when all your objects were written with OAEP.
    #[default]
    OaepThenPkcs1v15,
    /// OAEP-SHA1 only: objects written by the Python SDK from key files, or by this crate.
    /// A wrong key or an altered header always fails.
    OaepOnly,
}

/// The mask generation function (MGF1) hash of the RSA-OAEP-SHA-256 wrap of the v2
/// envelopes.
///
/// Both are recorded under the same `-wrap-alg` name
/// (`RSA/ECB/OAEPWithSHA-256AndMGF1Padding`: Java's default JCE provider reads it as
/// MGF1-SHA-1, BouncyCastle and Go's `crypto/rsa` as MGF1-SHA-256), so a reader cannot
/// tell them apart from the headers. [`RsaMasterKey`] therefore *reads* both: the
/// configured one first, then the other (OAEP's own check rejects the wrong one). The
/// choice only decides what is *written*.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OaepMgf1 {
    /// MGF1 with SHA-1: what Java's default provider reads (the default).
    #[default]
    Sha1,
    /// MGF1 with SHA-256: what Go's `rsa.DecryptOAEP(sha256.New(), ...)` and Java with
    /// BouncyCastle read. Choose it with [`Format::GoCompatible`](crate::Format::GoCompatible).
    Sha256,
}

/// An RSA master key (a key pair, or a public key alone for write-only use).
///
/// * v2 envelope: RSA-OAEP with SHA-256 (`-wrap-alg:
///   RSA/ECB/OAEPWithSHA-256AndMGF1Padding`, the Java SDK's name), MGF1 over SHA-1 (as
///   Java's default JCE provider reads that name) or over SHA-256 (Go, BouncyCastle), see
///   [`OaepMgf1`]: both are read. OAEP's check makes a wrong key or an altered value fail
///   with [`CryptoError::UnwrapFailed`].
/// * Python-compatible envelope: the content key and the IV are each wrapped with
///   OAEP-SHA1 (what the Python SDK reads back); reading also accepts PKCS#1 v1.5, see
///   [`PythonRsaPadding`].
///
/// Keys are PEM or DER: PKCS#1 (`RSA PRIVATE KEY`, `RSA PUBLIC KEY`), PKCS#8 (`PRIVATE
/// KEY`) or SPKI (`PUBLIC KEY`). Encrypted private keys are refused; decrypt them first.
/// Private key material is zeroized on drop; `Debug` shows only the size.
///
/// ```
/// use cos_crypto::{MasterKey, RsaMasterKey};
///
/// let pem = include_str!("../../tests/keys/test-rsa-a.pkcs8.pem");
/// let key = RsaMasterKey::from_pem(pem)?;
/// assert_eq!(key.bits(), 2048);
/// assert!(key.has_private_key());
/// assert_eq!(key.wrap_algorithm(), "RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
/// # Ok::<(), cos_crypto::CryptoError>(())
/// ```
pub struct RsaMasterKey {
    public: RsaPublicKey,
    private: Option<RsaPrivateKey>,
    matdesc: String,
    python_padding: PythonRsaPadding,
    mgf1: OaepMgf1,
}

impl RsaMasterKey {
    /// The `-wrap-alg` value of the v2 envelope.
    pub const WRAP_ALGORITHM: &'static str = "RSA/ECB/OAEPWithSHA-256AndMGF1Padding";

    /// A key from PEM text: a private key (PKCS#1 or PKCS#8, both halves usable) or a
    /// public key (SPKI or PKCS#1, wrap only).
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        if pem.contains("ENCRYPTED") {
            return Err(CryptoError::InvalidMasterKey(
                "encrypted RSA private keys are not supported; decrypt the key first \
                 (e.g. `openssl pkey -in key.pem -out plain.pem`)"
                    .into(),
            ));
        }
        let pem = pem.trim();
        if let Ok(private) = RsaPrivateKey::from_pkcs8_pem(pem) {
            return Ok(Self::from_private(private));
        }
        if let Ok(private) = RsaPrivateKey::from_pkcs1_pem(pem) {
            return Ok(Self::from_private(private));
        }
        if let Ok(public) = RsaPublicKey::from_public_key_pem(pem) {
            return Ok(Self::from_public(public));
        }
        if let Ok(public) = RsaPublicKey::from_pkcs1_pem(pem) {
            return Ok(Self::from_public(public));
        }
        Err(CryptoError::InvalidMasterKey(
            "not a PEM RSA key (expected RSA PRIVATE KEY, PRIVATE KEY, PUBLIC KEY or RSA PUBLIC KEY)"
                .into(),
        ))
    }

    /// A key from DER bytes, in any of the encodings [`from_pem`](Self::from_pem) takes.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        if let Ok(private) = RsaPrivateKey::from_pkcs8_der(der) {
            return Ok(Self::from_private(private));
        }
        if let Ok(private) = RsaPrivateKey::from_pkcs1_der(der) {
            return Ok(Self::from_private(private));
        }
        if let Ok(public) = RsaPublicKey::from_public_key_der(der) {
            return Ok(Self::from_public(public));
        }
        if let Ok(public) = RsaPublicKey::from_pkcs1_der(der) {
            return Ok(Self::from_public(public));
        }
        Err(CryptoError::InvalidMasterKey(
            "not a DER RSA key (PKCS#1, PKCS#8 or SPKI)".into(),
        ))
    }

    fn from_private(private: RsaPrivateKey) -> Self {
        Self {
            public: private.to_public_key(),
            private: Some(private),
            matdesc: "{}".into(),
            python_padding: PythonRsaPadding::default(),
            mgf1: OaepMgf1::default(),
        }
    }

    fn from_public(public: RsaPublicKey) -> Self {
        Self {
            public,
            private: None,
            matdesc: "{}".into(),
            python_padding: PythonRsaPadding::default(),
            mgf1: OaepMgf1::default(),
        }
    }

    /// Sets the `-matdesc` written with v2 envelopes: a JSON object of strings (`{}` by
    /// default), stored in the Go SDK's form ([`matdesc::canonical`](crate::matdesc::canonical):
    /// compact, keys sorted), which Go readers compare byte for byte.
    pub fn with_matdesc(mut self, matdesc: impl Into<String>) -> Result<Self, CryptoError> {
        self.matdesc = crate::matdesc::canonical(&matdesc.into())?;
        Ok(self)
    }

    /// Chooses how Python-compatible envelopes are read (default:
    /// [`PythonRsaPadding::OaepThenPkcs1v15`]).
    pub fn with_python_padding(mut self, padding: PythonRsaPadding) -> Self {
        self.python_padding = padding;
        self
    }

    /// Chooses the MGF1 hash of the OAEP wraps written in v2 envelopes (default:
    /// [`OaepMgf1::Sha1`]); both are always read.
    ///
    /// ```
    /// use cos_crypto::{OaepMgf1, RsaMasterKey};
    ///
    /// // A key whose objects the Go SDK (crypto/rsa, SHA-256) can unwrap.
    /// let key = RsaMasterKey::from_pem(include_str!("../../tests/keys/test-rsa-a.pkcs8.pem"))?
    ///     .with_oaep_mgf1(OaepMgf1::Sha256);
    /// assert_eq!(key.oaep_mgf1(), OaepMgf1::Sha256);
    /// # Ok::<(), cos_crypto::CryptoError>(())
    /// ```
    pub fn with_oaep_mgf1(mut self, mgf1: OaepMgf1) -> Self {
        self.mgf1 = mgf1;
        self
    }

    /// The MGF1 hash of the OAEP wraps this key writes.
    pub fn oaep_mgf1(&self) -> OaepMgf1 {
        self.mgf1
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.public.size() * 8
    }

    /// `true` when the key can unwrap (a private key was given).
    pub fn has_private_key(&self) -> bool {
        self.private.is_some()
    }

    fn private(&self) -> Result<&RsaPrivateKey, CryptoError> {
        self.private.as_ref().ok_or(CryptoError::PublicKeyOnly)
    }

    fn check_wrapped_len(&self, what: &'static str, wrapped: &[u8]) -> Result<(), CryptoError> {
        if wrapped.len() != self.public.size() {
            return Err(CryptoError::InvalidLength {
                what,
                expected: self.public.size(),
                actual: wrapped.len(),
            });
        }
        Ok(())
    }

    fn oaep_sha1_wrap(
        &self,
        item: WrapItem,
        plaintext: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, CryptoError> {
        self.public
            .encrypt(rng, Oaep::<Sha1>::new(), plaintext)
            .map_err(|e| CryptoError::WrapFailed {
                what: item.as_str(),
                reason: e.to_string(),
            })
    }

    /// Python unwrap of both values with one padding; `None` when either fails or has
    /// the wrong length.
    fn python_unwrap_with(
        &self,
        private: &RsaPrivateKey,
        oaep: bool,
        wrapped_key: &[u8],
        wrapped_iv: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Option<(ContentKey, Iv)> {
        let mut decrypt = |wrapped: &[u8]| -> Option<Zeroizing<Vec<u8>>> {
            let plain = if oaep {
                private.decrypt_blinded(rng, Oaep::<Sha1>::new(), wrapped)
            } else {
                private.decrypt_blinded(rng, Pkcs1v15Encrypt, wrapped)
            };
            plain.ok().map(Zeroizing::new)
        };
        let key = decrypt(wrapped_key)?;
        let iv = decrypt(wrapped_iv)?;
        if key.len() != CONTENT_KEY_LEN || iv.len() != IV_LEN {
            return None;
        }
        Some((
            ContentKey::from_slice(&key).ok()?,
            Iv::from_slice(&iv).ok()?,
        ))
    }
}

impl MasterKey for RsaMasterKey {
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
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, CryptoError> {
        let wrapped = match self.mgf1 {
            OaepMgf1::Sha1 => {
                self.public
                    .encrypt(rng, Oaep::<Sha256, Sha1>::new_with_mgf_hash(), plaintext)
            }
            OaepMgf1::Sha256 => self.public.encrypt(rng, Oaep::<Sha256>::new(), plaintext),
        };
        wrapped.map_err(|e| CryptoError::WrapFailed {
            what: item.as_str(),
            reason: e.to_string(),
        })
    }

    fn unwrap(
        &self,
        request: &UnwrapRequest<'_>,
        rng: &mut dyn CryptoRng,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if !same_algorithm(request.wrap_algorithm, Self::WRAP_ALGORITHM) {
            return Err(CryptoError::UnsupportedWrapAlgorithm {
                found: request.wrap_algorithm.into(),
                supported: Self::WRAP_ALGORITHM.into(),
            });
        }
        let private = self.private()?;
        self.check_wrapped_len(
            match request.item {
                WrapItem::ContentKey => "wrapped content key",
                WrapItem::Iv => "wrapped IV",
            },
            request.wrapped,
        )?;
        // Java's default provider: SHA-256 label hash, MGF1 with SHA-1; BouncyCastle and
        // Go: MGF1 with SHA-256. The headers do not say which; OAEP's own check tells
        // them apart. The configured one is tried first.
        let mut decrypt = |mgf1| match mgf1 {
            OaepMgf1::Sha1 => private.decrypt_blinded(
                rng,
                Oaep::<Sha256, Sha1>::new_with_mgf_hash(),
                request.wrapped,
            ),
            OaepMgf1::Sha256 => {
                private.decrypt_blinded(rng, Oaep::<Sha256>::new(), request.wrapped)
            }
        };
        let other = match self.mgf1 {
            OaepMgf1::Sha1 => OaepMgf1::Sha256,
            OaepMgf1::Sha256 => OaepMgf1::Sha1,
        };
        let plain = decrypt(self.mgf1)
            .or_else(|_| decrypt(other))
            .map_err(|_| CryptoError::UnwrapFailed {
                what: request.item.as_str(),
                algorithm: Self::WRAP_ALGORITHM.into(),
            })?;
        Ok(Zeroizing::new(plain))
    }

    fn wrap_python(
        &self,
        key: &ContentKey,
        iv: &Iv,
        rng: &mut dyn CryptoRng,
    ) -> Result<PythonWrapped, CryptoError> {
        Ok(PythonWrapped {
            key: self.oaep_sha1_wrap(WrapItem::ContentKey, key.expose_secret(), rng)?,
            iv: self.oaep_sha1_wrap(WrapItem::Iv, iv.as_bytes(), rng)?,
        })
    }

    fn unwrap_python(
        &self,
        wrapped_key: &[u8],
        wrapped_iv: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<(ContentKey, Iv), CryptoError> {
        let private = self.private()?;
        self.check_wrapped_len("wrapped content key", wrapped_key)?;
        self.check_wrapped_len("wrapped IV", wrapped_iv)?;
        if let Some(found) = self.python_unwrap_with(private, true, wrapped_key, wrapped_iv, rng) {
            return Ok(found);
        }
        let algorithm = match self.python_padding {
            PythonRsaPadding::OaepOnly => "RSA-OAEP-SHA1",
            PythonRsaPadding::OaepThenPkcs1v15 => {
                if let Some(found) =
                    self.python_unwrap_with(private, false, wrapped_key, wrapped_iv, rng)
                {
                    return Ok(found);
                }
                "RSA-OAEP-SHA1 and RSA-PKCS1-v1_5"
            }
        };
        Err(CryptoError::UnwrapFailed {
            what: "content key and IV",
            algorithm: algorithm.into(),
        })
    }
}

impl fmt::Debug for RsaMasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaMasterKey")
            .field("bits", &self.bits())
            .field(
                "private_key",
                &if self.private.is_some() {
                    "<redacted>"
                } else {
                    "none"
                },
            )
            .field("matdesc", &self.matdesc)
            .field("python_padding", &self.python_padding)
            .field("oaep_mgf1", &self.mgf1)
            .finish()
    }
}

#[cfg(test)]
mod tests;
