//! Shared by the integration tests: a deterministic generator and the test keys.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;

use cos_crypto::{AesMasterKey, Envelope, Format, PlaintextInfo, RsaMasterKey};
use rand_core::{TryCryptoRng, TryRng};

/// splitmix64, pretending to be a CSPRNG so tests can pin every random byte. Tests only.
pub struct TestRng(u64);

impl TestRng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
}

impl TryRng for TestRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for TestRng {}

pub fn aes_key() -> AesMasterKey {
    AesMasterKey::from_bytes(&[0x42; 32]).expect("valid")
}

pub fn other_aes_key() -> AesMasterKey {
    AesMasterKey::from_bytes(&[0x43; 32]).expect("valid")
}

pub fn rsa_key() -> RsaMasterKey {
    RsaMasterKey::from_pem(include_str!("../keys/test-rsa-a.pkcs1.pem")).expect("valid")
}

pub fn other_rsa_key() -> RsaMasterKey {
    RsaMasterKey::from_pem(include_str!("../keys/test-rsa-b.pkcs8.pem")).expect("valid")
}

/// `len` bytes of varied plaintext.
pub fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 7) as u8).collect()
}

/// Seals `plaintext` and returns the envelope, its headers as a response would carry
/// them, and the ciphertext.
pub fn seal(
    format: Format,
    master: &dyn cos_crypto::MasterKey,
    plaintext: &[u8],
    info: PlaintextInfo,
    seed: u64,
) -> (Envelope, http::HeaderMap, Vec<u8>) {
    let mut rng = TestRng::new(seed);
    let envelope = Envelope::seal(format, master, &info, &mut rng).expect("seals");
    let mut ciphertext = plaintext.to_vec();
    envelope.apply_at(0, &mut ciphertext).expect("fits");
    let headers = envelope.headers().iter().cloned().collect();
    (envelope, headers, ciphertext)
}
