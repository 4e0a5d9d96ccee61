//! The content cipher: AES-256-CTR with a full 128-bit big-endian counter, seekable to any
//! byte offset.
//!
//! Byte `n` of an object is encrypted with byte `n mod 16` of the keystream block
//! `AES-256(key, (IV + n / 16) mod 2^128)`. This is exactly what the Python SDK, `openssl
//! enc -aes-256-ctr` and the Go/Java `AES/CTR/NoPadding` objects use, so any part of an
//! object can be encrypted or decrypted on its own, in any order, in parallel.

use std::fmt;

use aes::Aes256;
use aes::cipher::consts::U16;
use aes::cipher::typenum::Unsigned;
use aes::cipher::{
    Block, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser,
    KeyInit, ParBlocks, ParBlocksSizeUser,
};
use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::CryptoError;

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
        let mut stream = CtrStream {
            aes: self.aes.clone(),
            counter: u128::from_be_bytes(self.iv.0).wrapping_add(u128::from(offset / BLOCK_LEN)),
            block: [0; IV_LEN],
            used: IV_LEN,
            position: offset,
        };
        let skip = (offset % BLOCK_LEN) as usize;
        if skip > 0 {
            stream.next_block();
            stream.used = skip;
        }
        Ok(stream)
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
///
/// Whole blocks are encrypted in batches of the AES backend's parallel width (64 blocks
/// with VAES and AVX-512, 30 with VAES, 8 with AES-NI, chosen at run time by `aes`): the
/// counters of a batch are written, encrypted together and XORed into the data while it
/// is in cache, inside the backend's target-feature context.
pub struct CtrStream {
    /// The expanded key (zeroized on drop by `aes`).
    aes: Aes256,
    /// The counter of the next keystream block.
    counter: u128,
    /// The current keystream block, of which the first `used` bytes are spent.
    block: [u8; IV_LEN],
    used: usize,
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
        // The rest of the current block.
        let spare = self.block.get(self.used..).unwrap_or_default();
        let (head, rest) = buf.split_at_mut(spare.len().min(buf.len()));
        xor(head, spare);
        self.used += head.len();
        // Whole blocks, in batches.
        let whole = rest.len() - rest.len() % IV_LEN;
        let (blocks, tail) = rest.split_at_mut(whole);
        if !blocks.is_empty() {
            self.aes.encrypt_with_backend(XorKeystream {
                counter: self.counter,
                data: blocks,
            });
            self.counter = self.counter.wrapping_add((whole / IV_LEN) as u128);
        }
        // The start of the next block.
        if !tail.is_empty() {
            self.next_block();
            xor(tail, &self.block);
            self.used = tail.len();
        }
        self.position = end;
        Ok(())
    }

    /// The object offset of the next byte.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Makes the keystream block of `counter` current (none of it spent) and advances.
    fn next_block(&mut self) {
        let mut block = Block::<Aes256>::from(self.counter.to_be_bytes());
        self.aes.encrypt_block(&mut block);
        self.block = block.0;
        block.0.zeroize();
        self.used = 0;
        self.counter = self.counter.wrapping_add(1);
    }
}

impl Drop for CtrStream {
    fn drop(&mut self) {
        self.block.zeroize();
    }
}

impl ZeroizeOnDrop for CtrStream {}

impl fmt::Debug for CtrStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CtrStream")
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

/// `data ^= keystream`, over the shorter of the two.
fn xor(data: &mut [u8], keystream: &[u8]) {
    for (d, k) in data.iter_mut().zip(keystream) {
        *d ^= *k;
    }
}

/// Writes `counter`, `counter + 1`, ... (big-endian, wrapping at 2^128) into `blocks`.
/// When the low 64 bits do not carry within the batch, the high half is the same for
/// every block and the low halves are a plain sequence, which the compiler vectorises.
#[inline(always)]
fn fill_counters(blocks: &mut [Block<Aes256>], counter: u128) {
    let low = counter as u64;
    let last = blocks.len().saturating_sub(1) as u64;
    if low.checked_add(last).is_some() {
        let high = ((counter >> 64) as u64).to_be_bytes();
        for (i, block) in blocks.iter_mut().enumerate() {
            let (h, l) = block.0.split_at_mut(8);
            h.copy_from_slice(&high);
            l.copy_from_slice(&low.wrapping_add(i as u64).to_be_bytes());
        }
    } else {
        for (i, block) in blocks.iter_mut().enumerate() {
            block.0 = counter.wrapping_add(i as u128).to_be_bytes();
        }
    }
}

/// XORs the keystream from `counter` on into `data` (whole blocks), run by the AES
/// backend so that counters, encryption and XOR share its target features.
struct XorKeystream<'a> {
    counter: u128,
    data: &'a mut [u8],
}

impl BlockSizeUser for XorKeystream<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for XorKeystream<'_> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let width = <B as ParBlocksSizeUser>::ParBlocksSize::USIZE;
        let mut batch = ParBlocks::<B>::default();
        let mut counter = self.counter;
        let mut chunks = self.data.chunks_exact_mut(width * IV_LEN);
        for chunk in &mut chunks {
            fill_counters(&mut batch, counter);
            counter = counter.wrapping_add(width as u128);
            backend.encrypt_par_blocks((&mut batch).into());
            xor(chunk, Block::<B>::slice_as_flattened(&batch));
        }
        for chunk in chunks.into_remainder().chunks_mut(IV_LEN) {
            let mut block = Block::<B>::from(counter.to_be_bytes());
            counter = counter.wrapping_add(1);
            backend.encrypt_block((&mut block).into());
            xor(chunk, &block);
            block.0.zeroize();
        }
        for block in batch.iter_mut() {
            block.0.zeroize();
        }
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

    /// The same bytes through the `ctr` crate's `Ctr128BE<Aes256>`, positioned with its
    /// seek: the reference implementation.
    fn reference(key: [u8; 32], iv: [u8; 16], offset: u64, data: &[u8]) -> Vec<u8> {
        use ctr::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
        let mut reference = ctr::Ctr128BE::<Aes256>::new(&key.into(), &iv.into());
        reference.seek(offset);
        let mut out = data.to_vec();
        reference.apply_keystream(&mut out);
        out
    }

    /// IVs that put the counter's wrap (2^128, or a 64-bit carry) within reach.
    fn iv_strategy() -> impl Strategy<Value = [u8; 16]> {
        prop_oneof![
            any::<[u8; 16]>(),
            (0u8..200).prop_map(|back| (u128::MAX - u128::from(back)).to_be_bytes()),
            (0u8..200).prop_map(|back| (u128::from(u64::MAX - u64::from(back))).to_be_bytes()),
        ]
    }

    use proptest::prelude::*;

    proptest::proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn matches_the_ctr_crate_at_any_offset_and_length(
            key in any::<[u8; 32]>(),
            iv in iv_strategy(),
            offset in prop_oneof![0u64..5000, any::<u64>().prop_map(|o| o >> 8)],
            data in proptest::collection::vec(any::<u8>(), 0..4200),
        ) {
            let mut ours = data.clone();
            CtrCipher::new(&ContentKey::from_bytes(key), &Iv::from_bytes(iv))
                .apply_at(offset, &mut ours)
                .expect("fits");
            proptest::prop_assert_eq!(ours, reference(key, iv, offset, &data));
        }

        #[test]
        fn streams_in_random_chunks_like_the_ctr_crate(
            iv in iv_strategy(),
            offset in 0u64..100_000,
            chunks in proptest::collection::vec(0usize..2100, 0..8),
        ) {
            let key = [0x42; 32];
            let total: usize = chunks.iter().sum();
            let data: Vec<u8> = (0..total).map(|i| (i * 7 % 251) as u8).collect();
            let cipher = CtrCipher::new(&ContentKey::from_bytes(key), &Iv::from_bytes(iv));
            let mut stream = cipher.stream_at(offset).expect("fits");
            let mut ours = data.clone();
            let mut rest = ours.as_mut_slice();
            for size in &chunks {
                let (head, tail) = rest.split_at_mut(*size);
                stream.apply(head).expect("fits");
                rest = tail;
            }
            proptest::prop_assert_eq!(stream.position(), offset + total as u64);
            proptest::prop_assert_eq!(ours, reference(key, iv, offset, &data));
        }
    }

    #[test]
    fn a_large_buffer_matches_the_ctr_crate() {
        // Several batches of every backend width, a partial batch and a partial block,
        // from an offset inside a block, across the 128-bit wrap.
        let key = [9; 32];
        let iv = (u128::MAX - 70).to_be_bytes();
        let data: Vec<u8> = (0..(1 << 20) + 77).map(|i| (i % 253) as u8).collect();
        let mut ours = data.clone();
        CtrCipher::new(&ContentKey::from_bytes(key), &Iv::from_bytes(iv))
            .apply_at(13, &mut ours)
            .expect("fits");
        assert_eq!(ours, reference(key, iv, 13, &data));
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
