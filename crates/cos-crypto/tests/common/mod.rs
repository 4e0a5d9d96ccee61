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

/// The GET response a server sends for `span` of the stored object (`None`: the whole
/// object, with a 200), carrying the object's `headers`.
pub fn answer(
    headers: &http::HeaderMap,
    stored: &[u8],
    span: Option<(u64, u64)>,
) -> (cos_proto::ops::GetObjectOutput, Vec<u8>) {
    use cos_proto::Operation as _;
    let mut map = headers.clone();
    let total = stored.len() as u64;
    let body = match span {
        Some((a, b)) => {
            let value = format!("bytes {a}-{b}/{total}");
            map.insert("content-range", value.parse().expect("valid"));
            stored[a as usize..=b as usize].to_vec()
        }
        None => stored.to_vec(),
    };
    map.insert("content-length", (body.len() as u64).into());
    let mut response = http::Response::new(bytes::Bytes::new());
    *response.status_mut() = if span.is_some() {
        http::StatusCode::PARTIAL_CONTENT
    } else {
        http::StatusCode::OK
    };
    *response.headers_mut() = map;
    let url: http::Uri = "http://127.0.0.1/k".parse().expect("valid");
    let output = cos_proto::ops::GetObject::new("k")
        .parse_response(&url, response)
        .expect("parses");
    (output, body)
}

/// Reads `range` (or the whole object) of the stored object through the encrypting
/// clients' GET plan (`object::EncryptedGet`) against an honest server: `None` when the
/// server would answer 416 (nothing of the object in the range sent).
pub fn get_through_plan(
    headers: &http::HeaderMap,
    stored: &[u8],
    range: Option<cos_proto::ops::ByteRange>,
    master: &dyn cos_crypto::MasterKey,
) -> Option<Result<Vec<u8>, cos_crypto::CryptoError>> {
    let op = match range {
        Some(range) => cos_proto::ops::GetObject::new("k").range(range),
        None => cos_proto::ops::GetObject::new("k"),
    };
    let plan = cos_crypto::object::EncryptedGet::new(&op);
    let span = match plan.request().requested_range() {
        Some(sent) => Some(sent.span_in(Some(stored.len() as u64))?),
        None => None,
    };
    let (mut output, mut body) = answer(headers, stored, span);
    Some((|| {
        let (_, mut plaintext) = plan.open(&mut output, master, &mut TestRng::new(1))?;
        let keep = plaintext.update(&mut body)?;
        plaintext.finish()?;
        Ok(body[keep].to_vec())
    })())
}
