//! Objects written in `Format::GoCompatible`, checked field by field against the format
//! the Go SDK writes (`cos-go-java-and-api.md` §1.6; see `go_objects.rs` for the reading
//! side) with the RustCrypto primitives, then read back with the wrapped IV. And, for any
//! choice of format, key kind and MGF1 hash, a round trip.

mod common;

use aes::Aes256;
use aes_kw::KeyInit as _;
use base64::Engine as _;
use common::{TestRng, rsa_key};
use cos_crypto::headers as h;
use cos_crypto::{AesMasterKey, Envelope, Format, MasterKey, OaepMgf1, PlaintextInfo};
use ctr::Ctr128BE;
use ctr::cipher::{KeyIvInit as _, StreamCipher as _};
use http::HeaderMap;
use proptest::prelude::*;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::{Oaep, RsaPrivateKey};
use sha2::Sha256;

const KEK: [u8; 32] = [0x24; 32];

fn b64(map: &HeaderMap, name: &str) -> Vec<u8> {
    let text = map[name].to_str().expect("ascii");
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

fn kw_unwrap(wrapped: &[u8]) -> Vec<u8> {
    let kw = aes_kw::KwAes256::new_from_slice(&KEK).expect("32 bytes");
    let mut out = vec![0u8; wrapped.len() - 8];
    kw.unwrap_key(wrapped, &mut out).expect("unwraps").to_vec()
}

fn seal(master: &dyn MasterKey, info: PlaintextInfo, seed: u64) -> (Envelope, HeaderMap) {
    let envelope = Envelope::seal(Format::GoCompatible, master, &info, &mut TestRng::new(seed))
        .expect("seals");
    let map = envelope.headers().iter().cloned().collect();
    (envelope, map)
}

#[test]
fn aes_wrap_objects_carry_the_go_fields() {
    let master = AesMasterKey::from_bytes(&KEK).expect("valid");
    let plain: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let (envelope, map) = seal(&master, PlaintextInfo::new().length(1000), 1);

    // -key: RFC 3394 of the content key; -start: RFC 3394 of the IV (24 bytes).
    let key = kw_unwrap(&b64(&map, h::KEY));
    assert_eq!(key, envelope.content_key().expose_secret());
    let start = b64(&map, h::START);
    assert_eq!(start.len(), 24);
    let iv = kw_unwrap(&start);
    assert_eq!(iv, envelope.iv().as_bytes());
    // Go's IV: 8 random bytes, then a 64-bit counter seeded with a 32-bit value.
    assert_eq!(&iv[8..12], &[0; 4]);
    assert_eq!(map[h::CEK_ALG], "AES/CTR/NoPadding");
    assert_eq!(map[h::WRAP_ALG], "AESWrap");
    assert!(!map.contains_key(h::MATDESC), "Go writes no empty matdesc");
    assert_eq!(map[h::UNENCRYPTED_CONTENT_LENGTH], "1000");

    // The body is AES-256-CTR from the IV.
    let mut stored = plain.clone();
    envelope.apply_at(0, &mut stored).expect("fits");
    let mut raw = stored.clone();
    let key: [u8; 32] = key.try_into().expect("32");
    let iv16: [u8; 16] = iv.clone().try_into().expect("16");
    Ctr128BE::<Aes256>::new(&key.into(), &iv16.into()).apply_keystream(&mut raw);
    assert_eq!(raw, plain);

    // Read back: the wrapped IV unwraps, the format is recognised.
    let opened = Envelope::open(&map, &master, &mut TestRng::new(2)).expect("opens");
    assert_eq!(opened.format(), Format::GoCompatible);
    assert_eq!(opened.iv().as_bytes(), &iv[..]);
    assert_eq!(opened.matdesc(), None);
    let mut read = stored;
    let mut decryptor = opened.decryptor().expect("offset 0");
    decryptor.update(&mut read).expect("within");
    decryptor.finish().expect("complete");
    assert_eq!(read, plain);
}

#[test]
fn the_matdesc_is_written_as_go_marshals_it() {
    let master = AesMasterKey::from_bytes(&KEK)
        .expect("valid")
        .with_matdesc("{ \"z\": \"1\", \"a\": \"<&>\" }")
        .expect("an object of strings");
    let (envelope, map) = seal(&master, PlaintextInfo::new(), 3);
    let want = r#"{"a":"\u003c\u0026\u003e","z":"1"}"#;
    assert_eq!(map[h::MATDESC], want);
    assert_eq!(envelope.matdesc(), Some(want));
    let opened = Envelope::open(&map, &master, &mut TestRng::new(4)).expect("opens");
    assert_eq!(opened.matdesc(), Some(want));
}

#[test]
fn multipart_objects_record_sizes_and_parts_decrypt_from_the_sought_iv() {
    let master = AesMasterKey::from_bytes(&KEK).expect("valid");
    let plain: Vec<u8> = (0..700u32).map(|i| (i * 7) as u8).collect();
    let info = PlaintextInfo::new().length(700).multipart(160);
    let (envelope, map) = seal(&master, info, 5);
    assert_eq!(map[h::DATA_SIZE], "700");
    assert_eq!(map[h::PART_SIZE], "160");
    let key: [u8; 32] = kw_unwrap(&b64(&map, h::KEY)).try_into().expect("32");
    let iv: [u8; 16] = kw_unwrap(&b64(&map, h::START)).try_into().expect("16");
    for (i, part) in plain.chunks(160).enumerate() {
        let offset = envelope.part_offset(i as u32 + 1).expect("valid");
        let mut body = part.to_vec();
        envelope.apply_at(offset, &mut body).expect("fits");
        // Go's UploadPart: the IV's low 64 bits advanced by offset / 16, no carry.
        let mut sought = iv;
        let low = u64::from_be_bytes(iv[8..].try_into().expect("8"));
        sought[8..].copy_from_slice(&(low + offset / 16).to_be_bytes());
        Ctr128BE::<Aes256>::new(&key.into(), &sought.into()).apply_keystream(&mut body);
        assert_eq!(body, part, "part {}", i + 1);
    }
    assert!(matches!(
        Envelope::seal(
            Format::GoCompatible,
            &master,
            &PlaintextInfo::new().multipart(1000),
            &mut TestRng::new(6)
        ),
        Err(cos_crypto::CryptoError::InvalidPartSize(1000))
    ));
}

#[test]
fn rsa_objects_wrap_key_and_iv_with_oaep_sha256_mgf1_sha256() {
    let master = rsa_key().with_oaep_mgf1(OaepMgf1::Sha256);
    let (envelope, map) = seal(&master, PlaintextInfo::new().length(3), 7);
    assert_eq!(map[h::WRAP_ALG], "RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
    let private =
        RsaPrivateKey::from_pkcs1_pem(include_str!("keys/test-rsa-a.pkcs1.pem")).expect("valid");
    // What Go's rsa.DecryptOAEP(sha256.New(), ...) does: MGF1 over SHA-256 too.
    let key = private
        .decrypt(Oaep::<Sha256>::new(), &b64(&map, h::KEY))
        .expect("MGF1-SHA-256");
    assert_eq!(key, envelope.content_key().expose_secret());
    let start = b64(&map, h::START);
    assert_eq!(start.len(), 256);
    let iv = private
        .decrypt(Oaep::<Sha256>::new(), &start)
        .expect("MGF1-SHA-256");
    assert_eq!(iv, envelope.iv().as_bytes());
    let opened = Envelope::open(&map, &rsa_key(), &mut TestRng::new(8)).expect("opens");
    assert_eq!(opened.iv().as_bytes(), &iv[..]);
    assert_eq!(opened.format(), Format::GoCompatible);
}

/// A master key over the test material: RSA or AES, the MGF1 hash it writes, and a
/// description.
fn master_key(rsa: bool, sha256: bool, matdesc: &str) -> Box<dyn MasterKey> {
    if rsa {
        let mgf1 = if sha256 {
            OaepMgf1::Sha256
        } else {
            OaepMgf1::Sha1
        };
        Box::new(
            rsa_key()
                .with_oaep_mgf1(mgf1)
                .with_matdesc(matdesc)
                .expect("valid"),
        )
    } else {
        let key = AesMasterKey::from_bytes(&KEK).expect("valid");
        Box::new(key.with_matdesc(matdesc).expect("valid"))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Sealed in either dialect (clear or wrapped IV), opened by a key of the same
    /// material whatever its MGF1 choice: same key, IV, description and plaintext.
    #[test]
    fn every_iv_wrapping_choice_round_trips(
        rsa in any::<bool>(),
        writer_sha256 in any::<bool>(),
        pairs in proptest::collection::btree_map("[a-z<&]{1,4}", "[ -~]{0,6}", 0..3),
        go in any::<bool>(),
        reader_sha256 in any::<bool>(),
        len in 0usize..200,
        seed in any::<u64>(),
    ) {
        let matdesc = cos_crypto::matdesc::from_pairs(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .expect("ascii");
        let master = master_key(rsa, writer_sha256, &matdesc);
        let format = if go { Format::GoCompatible } else { Format::V2 };
        let mut rng = TestRng::new(seed);
        let info = PlaintextInfo::new().length(len as u64);
        let sealed = Envelope::seal(format, master.as_ref(), &info, &mut rng).expect("seals");
        let plain: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x3c).collect();
        let mut body = plain.clone();
        sealed.apply_at(0, &mut body).expect("fits");
        let map: HeaderMap = sealed.headers().iter().cloned().collect();
        let start = b64(&map, h::START).len();
        prop_assert_eq!(start == 16, !go, "the IV is wrapped exactly in the Go dialect");

        let reader = master_key(rsa, reader_sha256, "{}");
        let opened = Envelope::open(&map, reader.as_ref(), &mut rng).expect("opens");
        prop_assert_eq!(opened.format(), format.opens_as(master.as_ref()));
        prop_assert_eq!(opened.content_key().expose_secret(), sealed.content_key().expose_secret());
        prop_assert_eq!(opened.iv().as_bytes(), sealed.iv().as_bytes());
        prop_assert_eq!(opened.matdesc(), sealed.matdesc());
        let mut decryptor = opened.decryptor().expect("offset 0");
        decryptor.update(&mut body).expect("within");
        decryptor.finish().expect("complete");
        prop_assert_eq!(body, plain);
    }
}
