//! Objects as `cos-go-sdk-v5` (0.7.75) writes them, assembled field by field from the
//! documented format (`cos-go-java-and-api.md` §1.6, §2.2–2.3) with the RustCrypto
//! primitives, never with this crate's writer; then read whole and at odd ranges.
//!
//! What the Go SDK does (`crypto/aes_ctr_cipher.go`, `crypto_object.go`,
//! `crypto_object_part.go`):
//! * content key: 32 random bytes; IV: 8 random bytes, then a big-endian `u64` counter
//!   seeded with a random `u32`; AES-256-CTR over the body;
//! * the master cipher encrypts the key **and the IV**: `-key` and `-start` are Base64 of
//!   the two wrapped values (here `AESWrap`, RFC 3394: 40 and 24 bytes; or RSA-OAEP with
//!   SHA-256 and MGF1-SHA-256, Go's `crypto/rsa`: the modulus size each);
//! * `-matdesc` only when the description is not empty (`json.Marshal` of a
//!   `map[string]string`: compact, keys sorted); `-wrap-alg`; `-cek-alg`
//!   `AES/CTR/NoPadding`;
//! * PUT: `-unencrypted-content-length` (when not 0) and `-unencrypted-content-md5` (the
//!   caller's Content-MD5, moved); multipart: `-data-size` (when not 0) and
//!   `-part-size`, each part encrypted from the IV whose low 64 bits are advanced by
//!   `(part_number - 1) × part_size / 16` (`SeekIV`).

mod common;

use aes::Aes256;
use aes_kw::KeyInit as _;
use base64::Engine as _;
use common::{TestRng, get_through_plan, rsa_key};
use cos_crypto::{AesMasterKey, Envelope, Format, MasterKey, RsaMasterKey};
use cos_proto::ops::ByteRange;
use ctr::Ctr128BE;
use ctr::cipher::{KeyIvInit as _, StreamCipher as _};
use http::{HeaderMap, HeaderValue};
use md5::{Digest as _, Md5};
use rand_core::Rng as _;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::{Oaep, RsaPrivateKey};
use sha1::Sha1;
use sha2::Sha256;

const KEK: [u8; 32] = [0x5c; 32];
const RSA_PEM: &str = include_str!("keys/test-rsa-a.pkcs1.pem");

/// A Go master cipher, as a user plugs it in (`MasterCipher.Encrypt`).
#[derive(Clone, Copy, Debug)]
enum GoMaster {
    /// RFC 3394 under [`KEK`], `-wrap-alg: AESWrap`.
    AesWrap,
    /// RSA-OAEP, SHA-256 label hash and MGF1 over `mgf1_sha256 ? SHA-256 : SHA-1`.
    Rsa { mgf1_sha256: bool },
}

impl GoMaster {
    fn encrypt(self, plain: &[u8], rng: &mut TestRng) -> Vec<u8> {
        match self {
            GoMaster::AesWrap => {
                let kw = aes_kw::KwAes256::new_from_slice(&KEK).expect("32 bytes");
                let mut out = vec![0u8; plain.len() + 8];
                let len = kw.wrap_key(plain, &mut out).expect("wraps").len();
                out.truncate(len);
                out
            }
            GoMaster::Rsa { mgf1_sha256 } => {
                let public = RsaPrivateKey::from_pkcs1_pem(RSA_PEM)
                    .expect("valid")
                    .to_public_key();
                if mgf1_sha256 {
                    public.encrypt(rng, Oaep::<Sha256>::new(), plain)
                } else {
                    public.encrypt(rng, Oaep::<Sha256, Sha1>::new_with_mgf_hash(), plain)
                }
                .expect("wraps")
            }
        }
    }

    fn wrap_algorithm(self) -> &'static str {
        match self {
            GoMaster::AesWrap => "AESWrap",
            GoMaster::Rsa { .. } => "RSA/ECB/OAEPWithSHA-256AndMGF1Padding",
        }
    }

    /// This crate's master key for the same key material.
    fn ours(self) -> Box<dyn MasterKey> {
        match self {
            GoMaster::AesWrap => Box::new(AesMasterKey::from_bytes(&KEK).expect("valid")),
            GoMaster::Rsa { .. } => Box::new(rsa_key()),
        }
    }
}

/// A Go-written object: its metadata headers and stored bytes.
struct GoObject {
    headers: HeaderMap,
    stored: Vec<u8>,
}

/// `CipherData.RandomKeyIv`: 32 random key bytes; IV = 8 random bytes ‖ BE u64(random u32).
fn go_key_iv(rng: &mut TestRng) -> ([u8; 32], [u8; 16]) {
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    let mut iv = [0u8; 16];
    rng.fill_bytes(&mut iv[..8]);
    iv[8..].copy_from_slice(&u64::from(rng.next_u32()).to_be_bytes());
    (key, iv)
}

/// `CipherData.SeekIV`: the low 64 bits advanced by `offset / 16`, without carry.
fn seek_iv(iv: [u8; 16], offset: u64) -> [u8; 16] {
    let mut out = iv;
    let low = u64::from_be_bytes(iv[8..].try_into().expect("8 bytes"));
    out[8..].copy_from_slice(&low.wrapping_add(offset / 16).to_be_bytes());
    out
}

/// `addCryptoHeaders` plus the PUT's or the initiation's own headers.
fn go_headers(
    master: GoMaster,
    key: &[u8; 32],
    iv: &[u8; 16],
    matdesc: &str,
    extra: &[(&'static str, String)],
    rng: &mut TestRng,
) -> HeaderMap {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut pairs: Vec<(&str, String)> = extra.to_vec();
    if !matdesc.is_empty() {
        pairs.push(("x-cos-meta-client-side-encryption-matdesc", matdesc.into()));
    }
    pairs.push((
        "x-cos-meta-client-side-encryption-key",
        b64(&master.encrypt(key, rng)),
    ));
    pairs.push((
        "x-cos-meta-client-side-encryption-start",
        b64(&master.encrypt(iv, rng)),
    ));
    pairs.push((
        "x-cos-meta-client-side-encryption-wrap-alg",
        master.wrap_algorithm().into(),
    ));
    pairs.push((
        "x-cos-meta-client-side-encryption-cek-alg",
        "AES/CTR/NoPadding".into(),
    ));
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.insert(name, HeaderValue::from_str(&value).expect("header"));
    }
    headers
}

/// `CryptoObjectService.Put` with a Content-MD5 and a known length.
fn go_put(master: GoMaster, plain: &[u8], matdesc: &str, seed: u64) -> GoObject {
    let mut rng = TestRng::new(seed);
    let (key, iv) = go_key_iv(&mut rng);
    let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(plain));
    let extra = [
        (
            "x-cos-meta-client-side-encryption-unencrypted-content-md5",
            md5,
        ),
        (
            "x-cos-meta-client-side-encryption-unencrypted-content-length",
            plain.len().to_string(),
        ),
    ];
    let headers = go_headers(master, &key, &iv, matdesc, &extra, &mut rng);
    let mut stored = plain.to_vec();
    Ctr128BE::<Aes256>::new(&key.into(), &iv.into()).apply_keystream(&mut stored);
    GoObject { headers, stored }
}

/// `InitiateMultipartUpload` + `UploadPart` for every part (each from its sought IV).
fn go_multipart(
    master: GoMaster,
    plain: &[u8],
    part_size: usize,
    matdesc: &str,
    seed: u64,
) -> GoObject {
    let mut rng = TestRng::new(seed);
    let (key, iv) = go_key_iv(&mut rng);
    let extra = [
        (
            "x-cos-meta-client-side-encryption-data-size",
            plain.len().to_string(),
        ),
        (
            "x-cos-meta-client-side-encryption-part-size",
            part_size.to_string(),
        ),
    ];
    let headers = go_headers(master, &key, &iv, matdesc, &extra, &mut rng);
    let mut stored = Vec::new();
    for (i, part) in plain.chunks(part_size).enumerate() {
        let part_iv = seek_iv(iv, (i * part_size) as u64);
        let mut part = part.to_vec();
        Ctr128BE::<Aes256>::new(&key.into(), &part_iv.into()).apply_keystream(&mut part);
        stored.extend_from_slice(&part);
    }
    GoObject { headers, stored }
}

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 29 + i / 17) as u8).collect()
}

/// Reads the object whole (checking its recorded length and MD5, if any) and at odd
/// ranges, through the envelope and through the clients' GET plan.
fn check_reads(object: &GoObject, plain: &[u8], master: &dyn MasterKey, matdesc: &str) {
    let opened = Envelope::open(&object.headers, master, &mut TestRng::new(50)).expect("opens");
    assert_eq!(opened.matdesc(), (!matdesc.is_empty()).then_some(matdesc));
    assert_eq!(opened.format(), Format::GoCompatible, "a wrapped IV");
    let mut whole = object.stored.clone();
    let mut decryptor = opened.decryptor().expect("offset 0");
    decryptor.update(&mut whole).expect("within");
    decryptor.finish().expect("length and MD5 match");
    assert_eq!(whole, plain);

    let len = plain.len() as u64;
    for range in [
        ByteRange::Inclusive { first: 1, last: 1 },
        ByteRange::Inclusive { first: 7, last: 40 },
        ByteRange::Inclusive {
            first: 31,
            last: 33,
        },
        ByteRange::Inclusive {
            first: len / 2 - 3,
            last: len / 2 + 20,
        },
        ByteRange::From(len - 17),
        ByteRange::Suffix(13),
        ByteRange::Suffix(len + 100),
        ByteRange::Inclusive {
            first: len - 5,
            last: len + 100,
        },
    ] {
        let got = get_through_plan(&object.headers, &object.stored, Some(range), master)
            .expect("in the object")
            .expect("reads");
        let (a, b) = range.span_in(Some(len)).expect("in the object");
        assert_eq!(got, &plain[a as usize..=b as usize], "{range}");
    }
    let got = get_through_plan(&object.headers, &object.stored, None, master)
        .expect("whole")
        .expect("reads");
    assert_eq!(got, plain);
}

#[test]
fn go_single_puts_with_aes_wrap_read_whole_and_ranged() {
    let plain = plaintext(1234);
    let master = GoMaster::AesWrap;
    for (seed, matdesc) in [(1, ""), (2, r#"{"a":"1","kms":"x"}"#)] {
        let object = go_put(master, &plain, matdesc, seed);
        let start = &object.headers["x-cos-meta-client-side-encryption-start"];
        assert_eq!(start.len(), 32, "Base64 of a 24-byte wrapped IV");
        check_reads(&object, &plain, master.ours().as_ref(), matdesc);
    }
}

#[test]
fn go_multipart_uploads_with_aes_wrap_read_whole_and_ranged() {
    let plain = plaintext(5 * 160 + 77);
    let master = GoMaster::AesWrap;
    for (seed, matdesc) in [(3, ""), (4, r#"{"project":"apollo"}"#)] {
        let object = go_multipart(master, &plain, 160, matdesc, seed);
        check_reads(&object, &plain, master.ours().as_ref(), matdesc);
    }
}

#[test]
fn go_objects_with_rsa_wrapped_ivs_read_whole_and_ranged() {
    let plain = plaintext(999);
    for (seed, mgf1_sha256, matdesc) in [
        (5, true, ""),
        (6, true, r#"{"owner":"go"}"#),
        (7, false, ""),
    ] {
        let master = GoMaster::Rsa { mgf1_sha256 };
        let object = go_put(master, &plain, matdesc, seed);
        let start = &object.headers["x-cos-meta-client-side-encryption-start"];
        assert_eq!(start.len(), 344, "Base64 of a 256-byte wrapped IV");
        check_reads(&object, &plain, master.ours().as_ref(), matdesc);
        let object = go_multipart(master, &plain, 320, matdesc, seed + 100);
        check_reads(&object, &plain, master.ours().as_ref(), matdesc);
    }
    // A key configured for MGF1-SHA-256 reads MGF1-SHA-1 wraps too, and the reverse.
    let sha256_first = rsa_key().with_oaep_mgf1(cos_crypto::OaepMgf1::Sha256);
    let object = go_put(GoMaster::Rsa { mgf1_sha256: false }, &plain, "", 8);
    check_reads(&object, &plain, &sha256_first, "");
}

#[test]
fn wrapped_ivs_that_do_not_unwrap_are_refused() {
    let plain = plaintext(100);
    let object = go_put(GoMaster::AesWrap, &plain, "", 9);
    let mut rng = TestRng::new(10);
    let other = AesMasterKey::from_bytes(&[0x5d; 32]).expect("valid");
    assert!(matches!(
        Envelope::open(&object.headers, &other, &mut rng),
        Err(cos_crypto::CryptoError::UnwrapFailed { what: "IV", .. })
    ));
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    for (len, what) in [(20, "wrapped IV"), (25, "wrapped IV"), (12, "IV")] {
        let mut headers = object.headers.clone();
        headers.insert(
            "x-cos-meta-client-side-encryption-start",
            HeaderValue::from_str(&b64(&vec![7; len])).expect("valid"),
        );
        let result = Envelope::open(&headers, master_aes().as_ref(), &mut rng);
        assert!(
            matches!(result, Err(cos_crypto::CryptoError::InvalidLength { what: w, .. }) if w == what),
            "{len}: {result:?}"
        );
    }
    let rsa: RsaMasterKey = rsa_key();
    let rsa_object = go_put(GoMaster::Rsa { mgf1_sha256: true }, &plain, "", 11);
    let mut headers = rsa_object.headers.clone();
    headers.insert(
        "x-cos-meta-client-side-encryption-start",
        HeaderValue::from_str(&b64(&[1; 255])).expect("valid"),
    );
    assert!(matches!(
        Envelope::open(&headers, &rsa, &mut rng),
        Err(cos_crypto::CryptoError::InvalidLength { .. })
    ));
}

fn master_aes() -> Box<dyn MasterKey> {
    GoMaster::AesWrap.ours()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Hostile `-start` and `-matdesc` values (any length, any text, not Base64, not
    /// JSON) give a typed error or an envelope, never a panic; a clear 16-byte IV always
    /// opens.
    #[test]
    fn hostile_start_and_matdesc_values_never_panic(
        start in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        raw_start in "[ -~]{0,40}",
        use_raw in proptest::prelude::any::<bool>(),
        matdesc in proptest::option::of("[ -~]{0,40}"),
        rsa in proptest::prelude::any::<bool>(),
    ) {
        let master = if rsa { GoMaster::Rsa { mgf1_sha256: true } } else { GoMaster::AesWrap };
        let mut headers = go_put(master, b"payload", "", 12).headers;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&start);
        let value = if use_raw { raw_start } else { b64 };
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert("x-cos-meta-client-side-encryption-start", value);
        }
        if let Some(Ok(value)) = matdesc.as_deref().map(HeaderValue::from_str) {
            headers.insert("x-cos-meta-client-side-encryption-matdesc", value);
        }
        let opened = Envelope::open(&headers, master.ours().as_ref(), &mut TestRng::new(13));
        if !use_raw && start.len() == 16 && matdesc.as_deref().is_none_or(|m| {
            cos_crypto::matdesc::canonical(m).is_ok()
        }) {
            let opened = opened.expect("a clear IV");
            proptest::prop_assert_eq!(opened.iv().as_bytes(), &start[..]);
        }
    }
}
