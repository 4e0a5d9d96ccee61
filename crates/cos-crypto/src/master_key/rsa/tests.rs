//! Unit tests of the RSA master key.

use super::*;
use crate::test_rng::TestRng;

const PKCS8: &str = include_str!("../../../tests/keys/test-rsa-a.pkcs8.pem");
const PKCS1: &str = include_str!("../../../tests/keys/test-rsa-a.pkcs1.pem");
const SPKI: &str = include_str!("../../../tests/keys/test-rsa-a.spki.pem");
const PKCS1_PUBLIC: &str = include_str!("../../../tests/keys/test-rsa-a.pkcs1-public.pem");
const OTHER: &str = include_str!("../../../tests/keys/test-rsa-b.pkcs8.pem");

fn request(wrapped: &[u8]) -> UnwrapRequest<'_> {
    UnwrapRequest {
        item: WrapItem::ContentKey,
        wrap_algorithm: RsaMasterKey::WRAP_ALGORITHM,
        matdesc: "{}",
        wrapped,
    }
}

#[test]
fn every_encoding_loads_the_same_key() {
    let der: [&[u8]; 3] = [
        include_bytes!("../../../tests/keys/test-rsa-a.pkcs1.der"),
        include_bytes!("../../../tests/keys/test-rsa-a.pkcs8.der"),
        include_bytes!("../../../tests/keys/test-rsa-a.spki.der"),
    ];
    let mut rng = TestRng::new(3);
    let private = RsaMasterKey::from_pem(PKCS1).expect("pkcs1");
    for key in [
        RsaMasterKey::from_pem(PKCS8).expect("pkcs8"),
        RsaMasterKey::from_pem(SPKI).expect("spki"),
        RsaMasterKey::from_pem(PKCS1_PUBLIC).expect("pkcs1 public"),
        RsaMasterKey::from_der(der[0]).expect("pkcs1 der"),
        RsaMasterKey::from_der(der[1]).expect("pkcs8 der"),
        RsaMasterKey::from_der(der[2]).expect("spki der"),
    ] {
        assert_eq!(key.bits(), 2048);
        // Whatever wrapped it, the private key unwraps it.
        let wrapped = key
            .wrap(WrapItem::ContentKey, &[7; 32], &mut rng)
            .expect("wraps");
        let plain = private
            .unwrap(&request(&wrapped), &mut rng)
            .expect("unwraps");
        assert_eq!(&plain[..], &[7; 32]);
    }
}

#[test]
fn bad_keys_are_refused_clearly() {
    let encrypted = include_str!("../../../tests/keys/test-rsa-a.encrypted.pem");
    let err = RsaMasterKey::from_pem(encrypted).expect_err("encrypted");
    assert!(err.to_string().contains("decrypt the key first"), "{err}");
    assert!(
        RsaMasterKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
            .is_err()
    );
    assert!(RsaMasterKey::from_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
    assert!(RsaMasterKey::from_der(&[]).is_err());
}

#[test]
fn public_only_keys_wrap_but_do_not_unwrap() {
    let mut rng = TestRng::new(4);
    let public = RsaMasterKey::from_pem(SPKI).expect("spki");
    assert!(!public.has_private_key());
    let wrapped = public
        .wrap(WrapItem::ContentKey, &[1; 32], &mut rng)
        .expect("wraps");
    assert!(matches!(
        public.unwrap(&request(&wrapped), &mut rng),
        Err(CryptoError::PublicKeyOnly)
    ));
    let py = public
        .wrap_python(
            &ContentKey::from_bytes([1; 32]),
            &Iv::from_bytes([2; 16]),
            &mut rng,
        )
        .expect("wraps");
    assert!(matches!(
        public.unwrap_python(&py.key, &py.iv, &mut rng),
        Err(CryptoError::PublicKeyOnly)
    ));
}

#[test]
fn oaep_detects_wrong_keys_and_tampering() {
    let mut rng = TestRng::new(5);
    let right = RsaMasterKey::from_pem(PKCS8).expect("valid");
    let wrong = RsaMasterKey::from_pem(OTHER).expect("valid");
    let wrapped = right
        .wrap(WrapItem::ContentKey, &[3; 32], &mut rng)
        .expect("wraps");
    assert!(matches!(
        wrong.unwrap(&request(&wrapped), &mut rng),
        Err(CryptoError::UnwrapFailed { .. })
    ));
    let mut altered = wrapped.clone();
    altered[100] ^= 0x40;
    assert!(matches!(
        right.unwrap(&request(&altered), &mut rng),
        Err(CryptoError::UnwrapFailed { .. })
    ));
    assert!(matches!(
        right.unwrap(&request(&wrapped[1..]), &mut rng),
        Err(CryptoError::InvalidLength { .. })
    ));
    let mut other_alg = request(&wrapped);
    other_alg.wrap_algorithm = "KMS/TencentCloud";
    assert!(matches!(
        right.unwrap(&other_alg, &mut rng),
        Err(CryptoError::UnsupportedWrapAlgorithm { .. })
    ));
}

#[test]
fn bouncycastle_style_oaep_is_read_too() {
    let mut rng = TestRng::new(6);
    let key = RsaMasterKey::from_pem(PKCS8).expect("valid");
    let wrapped = key
        .public
        .encrypt(&mut rng, Oaep::<Sha256>::new(), &[4; 32])
        .expect("wraps");
    let plain = key.unwrap(&request(&wrapped), &mut rng).expect("unwraps");
    assert_eq!(&plain[..], &[4; 32]);
}

#[test]
fn python_format_reads_oaep_and_pkcs1v15() {
    let mut rng = TestRng::new(7);
    let key = RsaMasterKey::from_pem(PKCS1).expect("valid");
    let (k, iv) = (ContentKey::from_bytes([8; 32]), Iv::from_bytes([9; 16]));
    let oaep = key.wrap_python(&k, &iv, &mut rng).expect("wraps");
    let (k2, iv2) = key
        .unwrap_python(&oaep.key, &oaep.iv, &mut rng)
        .expect("unwraps");
    assert_eq!(k2.expose_secret(), k.expose_secret());
    assert_eq!(iv2.as_bytes(), iv.as_bytes());

    let v15_key = key
        .public
        .encrypt(&mut rng, Pkcs1v15Encrypt, k.expose_secret())
        .expect("wraps");
    let v15_iv = key
        .public
        .encrypt(&mut rng, Pkcs1v15Encrypt, iv.as_bytes())
        .expect("wraps");
    let (k3, iv3) = key
        .unwrap_python(&v15_key, &v15_iv, &mut rng)
        .expect("unwraps");
    assert_eq!(k3.expose_secret(), k.expose_secret());
    assert_eq!(iv3.as_bytes(), iv.as_bytes());

    let strict = RsaMasterKey::from_pem(PKCS1)
        .expect("valid")
        .with_python_padding(PythonRsaPadding::OaepOnly);
    assert!(matches!(
        strict.unwrap_python(&v15_key, &v15_iv, &mut rng),
        Err(CryptoError::UnwrapFailed { .. })
    ));
    // Mixed paddings are refused.
    assert!(key.unwrap_python(&oaep.key, &v15_iv, &mut rng).is_err());
}

#[test]
fn python_format_with_a_wrong_key_fails() {
    let mut rng = TestRng::new(8);
    let right = RsaMasterKey::from_pem(PKCS8).expect("valid");
    let wrong = RsaMasterKey::from_pem(OTHER).expect("valid");
    let w = right
        .wrap_python(
            &ContentKey::from_bytes([1; 32]),
            &Iv::from_bytes([2; 16]),
            &mut rng,
        )
        .expect("wraps");
    assert!(matches!(
        wrong.unwrap_python(&w.key, &w.iv, &mut rng),
        Err(CryptoError::UnwrapFailed { .. })
    ));
}

#[test]
fn debug_redacts_the_private_key() {
    let shown = format!("{:?}", RsaMasterKey::from_pem(PKCS8).expect("valid"));
    assert!(
        shown.contains("<redacted>") && shown.contains("2048"),
        "{shown}"
    );
    assert!(!shown.contains("MII"), "{shown}");
}
