//! Unit tests of sealing and opening (the cross-cutting matrices live in `tests/`).

use http::{HeaderMap, HeaderValue};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::*;
use crate::headers as h;
use crate::master_key::{AesMasterKey, RsaMasterKey, UnwrapRequest, WrapItem};
use crate::test_rng::TestRng;

const RSA_PEM: &str = include_str!("../../tests/keys/test-rsa-a.pkcs8.pem");

fn aes() -> AesMasterKey {
    AesMasterKey::from_bytes(&[0x11; 32]).expect("valid")
}

fn to_map(envelope: &Envelope) -> HeaderMap {
    envelope.headers().iter().cloned().collect()
}

fn names(envelope: &Envelope) -> Vec<&str> {
    envelope.headers().iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn v2_writes_the_go_java_family_in_order() {
    let mut rng = TestRng::new(1);
    let sealed = Envelope::seal(
        Format::V2,
        &aes().with_matdesc(r#"{"id":"k1"}"#).expect("valid"),
        &PlaintextInfo::new().length(11).md5([0xab; 16]),
        &mut rng,
    )
    .expect("seals");
    assert_eq!(
        names(&sealed),
        [
            h::KEY,
            h::START,
            h::CEK_ALG,
            h::WRAP_ALG,
            h::MATDESC,
            h::UNENCRYPTED_CONTENT_LENGTH,
            h::UNENCRYPTED_CONTENT_MD5,
        ]
    );
    let map = to_map(&sealed);
    assert_eq!(map[h::CEK_ALG], "AES/CTR/NoPadding");
    assert_eq!(map[h::WRAP_ALG], "AESWrap");
    assert_eq!(map[h::MATDESC], r#"{"id":"k1"}"#);
    assert_eq!(map[h::UNENCRYPTED_CONTENT_LENGTH], "11");
    // The IV travels in the clear (Java does the same); the key is wrapped (40 bytes).
    assert_eq!(
        map[h::START].to_str().expect("ascii"),
        crate::headers::encode_b64(sealed.iv().as_bytes())
    );
    assert_eq!(map[h::KEY].len(), 56);

    let opened = Envelope::open(&map, &aes(), &mut rng).expect("opens");
    assert_eq!(opened.format(), Format::V2);
    assert_eq!(
        opened.content_key().expose_secret(),
        sealed.content_key().expose_secret()
    );
    assert_eq!(opened.iv().as_bytes(), sealed.iv().as_bytes());
    assert_eq!(opened.plaintext_length(), Some(11));
    assert_eq!(opened.plaintext_md5(), Some([0xab; 16]));
    assert_eq!(opened.wrap_algorithm(), Some("AESWrap"));
    assert_eq!(opened.matdesc(), Some(r#"{"id":"k1"}"#));
    assert_eq!(opened.headers().len(), sealed.headers().len());
}

#[test]
fn v2_multipart_records_data_and_part_size() {
    let mut rng = TestRng::new(2);
    let sealed = Envelope::seal(
        Format::V2,
        &aes(),
        &PlaintextInfo::new().length(100).multipart(32),
        &mut rng,
    )
    .expect("seals");
    assert_eq!(
        names(&sealed)[5..],
        [h::DATA_SIZE, h::PART_SIZE],
        "{:?}",
        names(&sealed)
    );
    assert_eq!(sealed.part_offset(1).expect("valid"), 0);
    assert_eq!(sealed.part_offset(4).expect("valid"), 96);
    let opened = Envelope::open(&to_map(&sealed), &aes(), &mut rng).expect("opens");
    assert_eq!(opened.plaintext_length(), Some(100));
    assert_eq!(opened.part_size(), Some(32));

    assert!(matches!(
        Envelope::seal(
            Format::V2,
            &aes(),
            &PlaintextInfo::new().multipart(1000),
            &mut rng
        ),
        Err(CryptoError::InvalidPartSize(1000))
    ));
    let single =
        Envelope::seal(Format::V2, &aes(), &PlaintextInfo::new(), &mut rng).expect("seals");
    assert!(matches!(
        single.part_offset(1),
        Err(CryptoError::InvalidPartNumber { .. })
    ));

    // A v2 object that records parts off the block is read, but gives no part offsets.
    let mut odd = to_map(&sealed);
    odd.insert(h::PART_SIZE, HeaderValue::from_static("1000"));
    let opened = Envelope::open(&odd, &aes(), &mut rng).expect("opens");
    assert!(matches!(
        opened.part_offset(2),
        Err(CryptoError::InvalidPartSize(1000))
    ));
    let python = Envelope::seal(
        Format::PythonCompatible,
        &aes(),
        &PlaintextInfo::new().multipart(1000),
        &mut rng,
    )
    .expect("seals");
    assert_eq!(python.part_offset(3).expect("any size"), 2000);
}

#[test]
fn v2_with_rsa_round_trips() {
    let mut rng = TestRng::new(3);
    let key = RsaMasterKey::from_pem(RSA_PEM).expect("valid");
    let sealed = Envelope::seal(Format::V2, &key, &PlaintextInfo::new(), &mut rng).expect("seals");
    let map = to_map(&sealed);
    assert_eq!(map[h::WRAP_ALG], "RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
    assert_eq!(map[h::KEY].len(), 344);
    let opened = Envelope::open(&map, &key, &mut rng).expect("opens");
    assert_eq!(
        opened.content_key().expose_secret(),
        sealed.content_key().expose_secret()
    );
}

#[test]
fn python_format_writes_exactly_two_headers() {
    let mut rng = TestRng::new(4);
    let sealed = Envelope::seal_with(
        Format::PythonCompatible,
        &AesMasterKey::from_base64("ERERERERERERERERERERERERERERERERERERERERERE=").expect("valid"),
        ContentKey::from_bytes(std::array::from_fn(|i| i as u8)),
        Iv::from_bytes(std::array::from_fn(|i| 100 + i as u8)),
        &PlaintextInfo::new().length(43).md5([1; 16]),
        &mut rng,
    )
    .expect("seals");
    let map = to_map(&sealed);
    assert_eq!(names(&sealed), [h::KEY, h::IV]);
    // cos-python-sdk.md §6.4.
    assert_eq!(map[h::KEY], "IO0Nyx0BKUeubPZjhGkHOlXhtRsS7WZxMA7yCIqdBUo=");
    assert_eq!(map[h::IV], "oK94AInG9/Jtd9Nqq4Oo/A==");
    assert_eq!(
        sealed.plaintext_length(),
        None,
        "nothing recorded, nothing claimed"
    );
    let opened = Envelope::open(&map, &aes_python(), &mut rng).expect("opens");
    assert_eq!(opened.format(), Format::PythonCompatible);
    assert_eq!(opened.wrap_algorithm(), None);
    assert_eq!(opened.iv().as_bytes(), sealed.iv().as_bytes());
}

fn aes_python() -> AesMasterKey {
    AesMasterKey::from_base64("ERERERERERERERERERERERERERERERERERERERERERE=").expect("valid")
}

fn header_map(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).expect("valid"));
    }
    map
}

#[test]
fn the_format_is_chosen_from_the_headers() {
    let mut rng = TestRng::new(5);
    let err = |map: &HeaderMap, rng: &mut TestRng| {
        Envelope::open(map, &aes(), rng).expect_err("must fail")
    };
    let plain = header_map(&[("x-cos-meta-owner", "alice"), ("content-length", "3")]);
    assert!(matches!(err(&plain, &mut rng), CryptoError::NotEncrypted));
    let both = header_map(&[(h::KEY, "AAAA"), (h::IV, "AAAA"), (h::START, "AAAA")]);
    assert!(matches!(err(&both, &mut rng), CryptoError::AmbiguousFormat));
    let key_only = header_map(&[(h::KEY, "AAAA")]);
    assert!(matches!(
        err(&key_only, &mut rng),
        CryptoError::MissingHeader(h::IV)
    ));
}

/// A complete v2 envelope's headers, minus `drop` and with `replace` applied.
fn v2_map_with(drop: &str, replace: Option<(&'static str, &str)>) -> HeaderMap {
    let mut rng = TestRng::new(6);
    let sealed = Envelope::seal(
        Format::V2,
        &aes(),
        &PlaintextInfo::new().length(5),
        &mut rng,
    )
    .expect("seals");
    let mut map = to_map(&sealed);
    map.remove(drop);
    if let Some((name, value)) = replace {
        map.insert(name, HeaderValue::from_str(value).expect("valid"));
    }
    map
}

#[test]
fn every_required_v2_header_is_required() {
    let mut rng = TestRng::new(7);
    for name in [h::KEY, h::START, h::CEK_ALG, h::WRAP_ALG] {
        let result = Envelope::open(&v2_map_with(name, None), &aes(), &mut rng);
        assert!(
            matches!(result, Err(CryptoError::MissingHeader(missing)) if missing == name),
            "{name}: {result:?}"
        );
    }
}

/// The Go SDK writes no `-matdesc` for an empty description: missing (or empty) means
/// empty, not an error.
#[test]
fn a_missing_matdesc_is_an_empty_description() {
    let mut rng = TestRng::new(12);
    for map in [
        v2_map_with(h::MATDESC, None),
        v2_map_with("", Some((h::MATDESC, ""))),
    ] {
        let opened = Envelope::open(&map, &aes(), &mut rng).expect("opens");
        assert_eq!(opened.matdesc(), None);
        assert_eq!(opened.format(), Format::V2);
    }
}

/// A `-matdesc` that is not a JSON object is a typed error, whatever it holds.
#[test]
fn a_malformed_matdesc_is_refused() {
    let mut rng = TestRng::new(13);
    let deep = format!("{{\"a\":{}}}", "[".repeat(100));
    for bad in ["{", "[]", "{\"a\":}", "not json", "{}}", deep.as_str()] {
        let result = Envelope::open(&v2_map_with("", Some((h::MATDESC, bad))), &aes(), &mut rng);
        assert!(
            matches!(
                result,
                Err(CryptoError::MalformedHeader {
                    name: h::MATDESC,
                    ..
                })
            ),
            "{bad}: {result:?}"
        );
    }
    let nested = r#"{"b":{"c":[1,true]},"a":"x"}"#;
    let opened = Envelope::open(
        &v2_map_with("", Some((h::MATDESC, nested))),
        &aes(),
        &mut rng,
    )
    .expect("any JSON object is a description");
    assert_eq!(opened.matdesc(), Some(nested), "kept as stored");
}

#[test]
fn unknown_algorithms_fail_closed() {
    let mut rng = TestRng::new(8);
    for cek in ["AES/GCM/NoPadding", "AES/CBC/PKCS5Padding", "", "AES/CTR"] {
        let map = v2_map_with("", Some((h::CEK_ALG, cek)));
        assert!(
            matches!(
                Envelope::open(&map, &aes(), &mut rng),
                Err(CryptoError::UnsupportedContentAlgorithm(found)) if found == cek
            ),
            "{cek}"
        );
    }
    let gcm_tag = v2_map_with("", Some((h::TAG_LEN, "128")));
    assert!(matches!(
        Envelope::open(&gcm_tag, &aes(), &mut rng),
        Err(CryptoError::UnsupportedContentAlgorithm(_))
    ));
    for wrap in [
        "KMS/TencentCloud",
        "kms",
        "RSA/ECB/OAEPWithSHA-256AndMGF1Padding",
    ] {
        let map = v2_map_with("", Some((h::WRAP_ALG, wrap)));
        assert!(
            matches!(
                Envelope::open(&map, &aes(), &mut rng),
                Err(CryptoError::UnsupportedWrapAlgorithm { found, .. }) if found == wrap
            ),
            "{wrap}"
        );
    }
    // JCE names are case-insensitive.
    let lower = v2_map_with("", Some((h::CEK_ALG, "aes/ctr/nopadding")));
    assert!(Envelope::open(&lower, &aes(), &mut rng).is_ok());
}

#[test]
fn lengths_are_checked() {
    let mut rng = TestRng::new(9);
    let opened = Envelope::open(&v2_map_with("", None), &aes(), &mut rng).expect("opens");
    assert!(opened.check_object_length(5).is_ok());
    assert!(matches!(
        opened.check_object_length(6),
        Err(CryptoError::LengthMismatch {
            expected: 5,
            actual: 6
        })
    ));
    let conflicting = v2_map_with("", Some((h::DATA_SIZE, "6")));
    assert!(matches!(
        Envelope::open(&conflicting, &aes(), &mut rng),
        Err(CryptoError::MalformedHeader {
            name: h::DATA_SIZE,
            ..
        })
    ));
    for (name, value) in [
        (h::UNENCRYPTED_CONTENT_LENGTH, "-1"),
        (h::UNENCRYPTED_CONTENT_MD5, "AAAA"),
        (h::PART_SIZE, "x"),
        (h::START, "AAAA"),
    ] {
        let map = v2_map_with("", Some((name, value)));
        assert!(
            Envelope::open(&map, &aes(), &mut rng).is_err(),
            "{name}={value}"
        );
    }
}

/// A KMS-style key that wraps IVs too and does not do the Python format.
struct XorKms;

impl MasterKey for XorKms {
    fn wrap_algorithm(&self) -> &str {
        "Xor/KMS"
    }
    fn wraps_iv(&self) -> bool {
        true
    }
    fn wrap(
        &self,
        item: WrapItem,
        plaintext: &[u8],
        _rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut out = vec![item as u8];
        out.extend(plaintext.iter().map(|b| b ^ 0x5a));
        Ok(out)
    }
    fn unwrap(
        &self,
        request: &UnwrapRequest<'_>,
        _rng: &mut dyn CryptoRng,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        match request.wrapped.split_first() {
            Some((tag, rest)) if *tag == request.item as u8 => {
                Ok(Zeroizing::new(rest.iter().map(|b| b ^ 0x5a).collect()))
            }
            _ => Err(CryptoError::UnwrapFailed {
                what: request.item.as_str(),
                algorithm: "Xor/KMS".into(),
            }),
        }
    }
}

#[test]
fn a_custom_master_key_can_wrap_the_iv() {
    let mut rng = TestRng::new(10);
    let sealed =
        Envelope::seal(Format::V2, &XorKms, &PlaintextInfo::new(), &mut rng).expect("seals");
    let map = to_map(&sealed);
    assert_eq!(map[h::WRAP_ALG], "Xor/KMS");
    assert_eq!(map[h::START].len(), 24, "17 bytes of wrapped IV");
    let opened = Envelope::open(&map, &XorKms, &mut rng).expect("opens");
    assert_eq!(opened.iv().as_bytes(), sealed.iv().as_bytes());
    assert!(matches!(
        Envelope::seal(
            Format::PythonCompatible,
            &XorKms,
            &PlaintextInfo::new(),
            &mut rng
        ),
        Err(CryptoError::PythonFormatUnsupported)
    ));
    // An unwrapped key of the wrong length is refused, whatever the master key says.
    let mut short = map.clone();
    short.insert(
        h::KEY,
        HeaderValue::from_str(&crate::headers::encode_b64(&[0, 1, 2])).expect("valid"),
    );
    assert!(matches!(
        Envelope::open(&short, &XorKms, &mut rng),
        Err(CryptoError::InvalidLength {
            what: "content key",
            ..
        })
    ));
}

#[test]
fn envelopes_do_not_debug_key_material() {
    let mut rng = TestRng::new(11);
    let sealed = Envelope::seal_with(
        Format::V2,
        &aes(),
        ContentKey::from_bytes([0x77; 32]),
        Iv::from_bytes([0x66; 16]),
        &PlaintextInfo::new(),
        &mut rng,
    )
    .expect("seals");
    let shown = format!("{sealed:?}");
    assert!(
        !shown.contains("119, 119") && !shown.contains("0x77"),
        "{shown}"
    );
    assert!(shown.contains("redacted"));
}

#[test]
fn every_seal_draws_a_fresh_key_and_iv() {
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    let seals: Vec<Envelope> = (0..8)
        .map(|_| {
            Envelope::seal(Format::V2, &aes(), &PlaintextInfo::new(), &mut rng).expect("seals")
        })
        .collect();
    for (i, a) in seals.iter().enumerate() {
        for b in &seals[i + 1..] {
            assert_ne!(
                a.content_key().expose_secret(),
                b.content_key().expose_secret()
            );
            assert_ne!(a.iv().as_bytes(), b.iv().as_bytes());
        }
    }
}
