//! The content cipher: AES-256-CTR with a full 128-bit big-endian counter, seekable to any
//! byte offset.
//!
//! Byte `n` of an object is encrypted with byte `n mod 16` of the keystream block
//! `AES-256(key, (IV + n / 16) mod 2^128)`. This is exactly what the Python SDK, `openssl
//! enc -aes-256-ctr` and the Go/Java `AES/CTR/NoPadding` objects use, so any part of an
//! object can be encrypted or decrypted on its own, in any order, in parallel.

use std::fmt;

use aes::Aes256;
use ctr::cipher::{InnerIvInit, KeyInit, StreamCipher, StreamCipherSeek};
use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::CryptoError;

type Aes256Ctr = ctr::Ctr128BE<Aes256>;

/// Length of a content key in bytes (AES-256).
pub const CONTENT_KEY_LEN: usize = 32;
/// Length of an IV (one AES block) in bytes.
pub const IV_LEN: usize = 16;
/// The AES block size: CTR works in 16-byte blocks.
pub const BLOCK_LEN: u64 = 16;

/// A 32-byte AES-256 content key (the "data key" or CEK), fresh for every object.
///
/// Zeroized on drop; `Debug` never shows it.
#[derive(Clone)]
pub struct ContentKey([u8; CONTENT_KEY_LEN]);

impl Drop for ContentKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for ContentKey {}

impl ContentKey {
    /// Wraps 32 key bytes.
    pub fn from_bytes(bytes: [u8; CONTENT_KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// Copies a key from a slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; CONTENT_KEY_LEN] =
            bytes.try_into().map_err(|_| CryptoError::InvalidLength {
                what: "content key",
                expected: CONTENT_KEY_LEN,
                actual: bytes.len(),
            })?;
        Ok(Self(array))
    }

    /// Draws a fresh key from `rng` (32 bytes).
    pub fn generate(rng: &mut (impl CryptoRng + ?Sized)) -> Self {
        let mut bytes = [0u8; CONTENT_KEY_LEN];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The raw key bytes. Handle with care: they decrypt the object.
    pub fn expose_secret(&self) -> &[u8; CONTENT_KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ContentKey(<redacted>)")
    }
}

/// A 16-byte initialisation vector: the initial value of the 128-bit CTR counter.
///
/// Not secret in the v2 envelope (it is stored in the clear, like the Go and Java SDKs do),
/// but in the Python envelope the plaintext IV must stay private: with an AES master key,
/// knowing one object's IV reveals keystream that unwraps every object's key. So it is
/// zeroized on drop and `Debug` does not show it either.
#[derive(Clone)]
pub struct Iv([u8; IV_LEN]);

impl Drop for Iv {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Iv {}

impl Iv {
    /// Wraps 16 IV bytes.
    pub fn from_bytes(bytes: [u8; IV_LEN]) -> Self {
        Self(bytes)
    }

    /// Copies an IV from a slice, which must be exactly 16 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; IV_LEN] = bytes.try_into().map_err(|_| CryptoError::InvalidLength {
            what: "IV",
            expected: IV_LEN,
            actual: bytes.len(),
        })?;
        Ok(Self(array))
    }

    /// Draws a fresh IV from `rng` (16 bytes).
    pub fn generate(rng: &mut (impl CryptoRng + ?Sized)) -> Self {
        let mut bytes = [0u8; IV_LEN];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The raw IV bytes.
    pub fn as_bytes(&self) -> &[u8; IV_LEN] {
        &self.0
    }
}

impl fmt::Debug for Iv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Iv(<redacted>)")
    }
}

/// AES-256-CTR under one content key and IV, usable at any byte offset.
///
/// CTR is its own inverse: the same call encrypts plaintext and decrypts ciphertext.
/// Holds only the expanded key (zeroized on drop); every call starts from a fresh,
/// positioned copy, so one `CtrCipher` can serve many parts or ranges at once (`&self`).
///
/// ```
/// use cos_crypto::{ContentKey, CtrCipher, Iv};
///
/// let cipher = CtrCipher::new(&ContentKey::from_bytes([7; 32]), &Iv::from_bytes([9; 16]));
/// let mut whole = *b"The quick brown fox jumps over the lazy dog";
/// cipher.apply_at(0, &mut whole)?;
///
/// // Any slice decrypts on its own, given its offset in the object.
/// let mut middle = whole[5..20].to_vec();
/// cipher.apply_at(5, &mut middle)?;
/// assert_eq!(&middle, b"uick brown fox ");
/// # Ok::<(), cos_crypto::CryptoError>(())
/// ```
#[derive(Clone)]
pub struct CtrCipher {
    /// The expanded key (zeroized on drop by `aes`).
    aes: Aes256,
    iv: Iv,
}

impl CtrCipher {
    /// A cipher for `key` and `iv`.
    pub fn new(key: &ContentKey, iv: &Iv) -> Self {
        Self {
            aes: Aes256::new(&key.0.into()),
            iv: iv.clone(),
        }
    }

    /// Encrypts (or decrypts) `buf` in place, as the bytes found at `offset` in the object.
    ///
    /// Fails only when `offset + buf.len()` does not fit in a `u64`.
    pub fn apply_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), CryptoError> {
        self.stream_at(offset)?.apply(buf)
    }

    /// A streaming cipher positioned at `offset`: feed it consecutive chunks of the object.
    pub fn stream_at(&self, offset: u64) -> Result<CtrStream, CryptoError> {
        let mut inner = Aes256Ctr::from_core(ctr::CtrCore::inner_iv_init(
            self.aes.clone(),
            &self.iv.0.into(),
        ));
        inner
            .try_seek(offset)
            .map_err(|_| CryptoError::OffsetOverflow { offset, len: 0 })?;
        Ok(CtrStream {
            inner,
            position: offset,
        })
    }
}

impl fmt::Debug for CtrCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CtrCipher(AES-256-CTR, <redacted>)")
    }
}

/// An AES-256-CTR keystream positioned at a byte offset, advancing as chunks go through.
///
/// Chunks may have any length (no block alignment needed); the state carries partial
/// blocks from one call to the next.
pub struct CtrStream {
    inner: Aes256Ctr,
    position: u64,
}

impl CtrStream {
    /// Encrypts (or decrypts) the next `buf.len()` bytes of the object in place.
    pub fn apply(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        let len = buf.len() as u64;
        let end = self
            .position
            .checked_add(len)
            .ok_or(CryptoError::OffsetOverflow {
                offset: self.position,
                len,
            })?;
        self.inner
            .try_apply_keystream(buf)
            .map_err(|_| CryptoError::OffsetOverflow {
                offset: self.position,
                len,
            })?;
        self.position = end;
        Ok(())
    }

    /// The object offset of the next byte.
    pub fn position(&self) -> u64 {
        self.position
    }
}

impl fmt::Debug for CtrStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CtrStream")
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `cos-python-sdk.md` §6.4: data key 00..1f, IV 100..115, the 43-byte fox sentence.
    #[test]
    fn python_reference_vector() {
        let key = ContentKey::from_bytes(std::array::from_fn(|i| i as u8));
        let iv = Iv::from_bytes(std::array::from_fn(|i| 100 + i as u8));
        let mut data = *b"The quick brown fox jumps over the lazy dog";
        CtrCipher::new(&key, &iv)
            .apply_at(0, &mut data)
            .expect("fits");
        assert_eq!(
            hex(&data),
            "c7b07400c755d22e15adddd989c8fefcd386f3256aa678a80156fb2cfffec1e6a8a4ba3db7d3d478c631df"
        );
    }

    /// The counter is the whole IV and wraps modulo 2^128 (IV = ff..ff: block 1 uses
    /// counter 0).
    #[test]
    fn counter_wraps_around_128_bits() {
        let key = ContentKey::from_bytes([3; 32]);
        let top = CtrCipher::new(&key, &Iv::from_bytes([0xff; 16]));
        let zero = CtrCipher::new(&key, &Iv::from_bytes([0; 16]));
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        top.apply_at(16, &mut a).expect("fits");
        zero.apply_at(0, &mut b).expect("fits");
        assert_eq!(a, b);
        // The carry crosses the 64-bit halves too.
        let mut iv = [0u8; 16];
        iv[8..].copy_from_slice(&[0xff; 8]);
        let mut carried = [0u8; 16];
        carried[7] = 1;
        let (mut c, mut d) = ([0u8; 16], [0u8; 16]);
        CtrCipher::new(&key, &Iv::from_bytes(iv))
            .apply_at(16, &mut c)
            .expect("fits");
        CtrCipher::new(&key, &Iv::from_bytes(carried))
            .apply_at(0, &mut d)
            .expect("fits");
        assert_eq!(c, d);
    }

    #[test]
    fn streaming_in_odd_chunks_matches_one_shot() {
        let cipher = CtrCipher::new(&ContentKey::from_bytes([1; 32]), &Iv::from_bytes([2; 16]));
        let mut whole = vec![0x5au8; 1000];
        cipher.apply_at(0, &mut whole).expect("fits");
        let mut chunked = vec![0x5au8; 1000];
        let mut stream = cipher.stream_at(0).expect("fits");
        let mut rest = chunked.as_mut_slice();
        for size in [1usize, 15, 16, 17, 3, 100].iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let n = (*size).min(rest.len());
            let (head, tail) = rest.split_at_mut(n);
            stream.apply(head).expect("fits");
            rest = tail;
        }
        assert_eq!(stream.position(), 1000);
        assert_eq!(whole, chunked);
    }

    #[test]
    fn offsets_near_the_end_of_u64_fail_cleanly() {
        let cipher = CtrCipher::new(&ContentKey::from_bytes([1; 32]), &Iv::from_bytes([2; 16]));
        let mut buf = [0u8; 4];
        assert!(cipher.apply_at(u64::MAX - 8, &mut buf).is_ok());
        assert!(matches!(
            cipher.apply_at(u64::MAX - 2, &mut buf),
            Err(CryptoError::OffsetOverflow { .. })
        ));
        let mut stream = cipher.stream_at(u64::MAX).expect("position itself fits");
        assert!(stream.apply(&mut []).is_ok());
        assert!(stream.apply(&mut buf).is_err());
    }

    #[test]
    fn debug_redacts_secrets() {
        let key = ContentKey::from_bytes([0xab; 32]);
        let iv = Iv::from_bytes([0xcd; 16]);
        let shown = format!("{key:?} {iv:?} {:?}", CtrCipher::new(&key, &iv));
        assert!(!shown.contains("171") && !shown.contains("ab") && !shown.contains("205"));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn lengths_are_checked() {
        assert!(ContentKey::from_slice(&[0; 31]).is_err());
        assert!(ContentKey::from_slice(&[0; 32]).is_ok());
        assert!(Iv::from_slice(&[0; 17]).is_err());
        assert!(Iv::from_slice(&[0; 16]).is_ok());
    }
}
