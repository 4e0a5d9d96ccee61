//! The random source the encryption vectors were made with: the Python SDK's OS random
//! source replaced by a `splitmix64-le` byte stream (`shared/vectors/README.md`), so every
//! data key, IV and RSA padding byte can be replayed.

use std::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// The `splitmix64-le` byte stream of a seed, consumed byte by byte (as `os.urandom(n)`
/// calls consume it). A test source only: it merely claims to be cryptographic.
#[derive(Debug)]
pub(crate) struct SplitMixStream {
    state: u64,
    pending: Vec<u8>,
    /// When set, `fill` skips zero bytes: pycryptodome draws PKCS#1 v1.5 padding one byte
    /// at a time and drops zeros.
    skip_zeros: bool,
}

impl SplitMixStream {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            state: seed,
            pending: Vec::new(),
            skip_zeros: false,
        }
    }

    /// From now on, hand out only non-zero bytes (PKCS#1 v1.5 padding as pycryptodome
    /// draws it; the `rsa` crate fills the padding in one call).
    pub(crate) fn skip_zero_bytes(&mut self) {
        self.skip_zeros = true;
    }

    /// The offset of `needle` in the first `limit` bytes of the stream of `seed`.
    pub(crate) fn find(seed: u64, needle: &[u8], limit: usize) -> Option<usize> {
        let mut stream = Self::new(seed);
        let mut haystack = vec![0u8; limit];
        stream.fill(&mut haystack);
        haystack
            .windows(needle.len().max(1))
            .position(|window| window == needle)
    }

    /// Discards `n` bytes.
    pub(crate) fn skip(&mut self, n: usize) {
        for _ in 0..n {
            self.next_byte();
        }
    }

    fn next_byte(&mut self) -> u8 {
        if self.pending.is_empty() {
            self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            // Stored reversed so that `pop` yields the little-endian order.
            self.pending = z.to_le_bytes().into_iter().rev().collect();
        }
        self.pending.pop().unwrap_or_default()
    }

    fn fill(&mut self, dst: &mut [u8]) {
        for byte in dst {
            *byte = loop {
                let b = self.next_byte();
                if b != 0 || !self.skip_zeros {
                    break b;
                }
            };
        }
    }
}

impl TryRng for SplitMixStream {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0u8; 4];
        self.fill(&mut bytes);
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes);
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for SplitMixStream {}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng as _;

    #[test]
    fn matches_the_block_generator() {
        // crc64.json's `prng.check`: the first bytes of seed 1.
        let mut stream = SplitMixStream::new(1);
        let mut bytes = [0u8; 12];
        stream.fill_bytes(&mut bytes[..5]);
        stream.fill_bytes(&mut bytes[5..]);
        let mut again = SplitMixStream::new(1);
        let mut whole = [0u8; 12];
        again.fill_bytes(&mut whole);
        assert_eq!(bytes, whole);
        assert_eq!(whole[..8], 0x910a_2dec_8902_5cc1u64.to_le_bytes());
    }
}
