//! Ranged reads of a 1 KiB object: every start offset 0..=48 and every length 1..=33
//! decrypts to the matching plaintext slice, in both formats, both ways (same range at
//! its offset, or the Python SDK's block-aligned request with discarded bytes).

mod common;

use common::{TestRng, aes_key, plaintext, rsa_key, seal};
use cos_crypto::range::block_aligned;
use cos_crypto::{Envelope, Format, PlaintextInfo};
use cos_proto::ops::ByteRange;

const OBJECT_LEN: usize = 1024;

/// What a server sends for `range` of `object` (end clamped to the size).
fn serve(object: &[u8], range: ByteRange) -> (u64, Vec<u8>) {
    let len = object.len() as u64;
    let (first, last) = match range {
        ByteRange::Inclusive { first, last } => (first, last.min(len - 1)),
        ByteRange::From(first) => (first, len - 1),
        ByteRange::Suffix(n) => (len - n.min(len), len - 1),
    };
    (first, object[first as usize..=last as usize].to_vec())
}

fn check_every_range(opened: &Envelope, ciphertext: &[u8], plain: &[u8]) {
    for offset in 0..=48u64 {
        for len in 1..=33u64 {
            let wanted = ByteRange::inclusive(offset, offset + len - 1).expect("valid");
            let expected = &plain[offset as usize..(offset + len) as usize];

            // The same range, decrypted at the Content-Range start.
            let (first, mut body) = serve(ciphertext, wanted);
            let mut decryptor = opened.range_decryptor(first).expect("fits");
            decryptor.update(&mut body).expect("within the object");
            decryptor.finish().expect("nothing to check");
            assert_eq!(body, expected, "offset {offset} len {len}");

            // The Python SDK's block-aligned request.
            let aligned = block_aligned(wanted);
            let (first, mut body) = serve(ciphertext, aligned.request);
            assert_eq!(first % 16, 0);
            let mut stream = opened.stream_at(first).expect("fits");
            for chunk in body.chunks_mut(7) {
                stream.apply(chunk).expect("fits");
            }
            assert_eq!(
                &body[aligned.discard as usize..],
                expected,
                "aligned offset {offset} len {len}"
            );
        }
    }
}

#[test]
fn every_small_range_of_a_v2_object_decrypts() {
    let plain = plaintext(OBJECT_LEN);
    let info = PlaintextInfo::new().length(OBJECT_LEN as u64);
    for master in [&aes_key() as &dyn cos_crypto::MasterKey, &rsa_key()] {
        let (_, headers, ciphertext) = seal(Format::V2, master, &plain, info, 1);
        let opened = Envelope::open(&headers, master, &mut TestRng::new(2)).expect("opens");
        check_every_range(&opened, &ciphertext, &plain);
    }
}

#[test]
fn every_small_range_of_a_python_object_decrypts() {
    let plain = plaintext(OBJECT_LEN);
    for master in [&aes_key() as &dyn cos_crypto::MasterKey, &rsa_key()] {
        let (_, headers, ciphertext) = seal(
            Format::PythonCompatible,
            master,
            &plain,
            PlaintextInfo::new(),
            3,
        );
        let opened = Envelope::open(&headers, master, &mut TestRng::new(4)).expect("opens");
        check_every_range(&opened, &ciphertext, &plain);
    }
}

#[test]
fn open_ended_and_suffix_ranges_decrypt_at_the_content_range_start() {
    let plain = plaintext(OBJECT_LEN);
    let info = PlaintextInfo::new().length(OBJECT_LEN as u64);
    let (_, headers, ciphertext) = seal(Format::V2, &aes_key(), &plain, info, 5);
    let opened = Envelope::open(&headers, &aes_key(), &mut TestRng::new(6)).expect("opens");
    for range in [
        "bytes=1000-",
        "bytes=-1",
        "bytes=-33",
        "bytes=-5000",
        "bytes=17-99999",
    ] {
        let (first, mut body) = serve(&ciphertext, ByteRange::parse(range).expect("valid"));
        let mut decryptor = opened.range_decryptor(first).expect("fits");
        decryptor.update(&mut body).expect("within the object");
        assert_eq!(body, &plain[first as usize..], "{range}");
    }
}

#[test]
fn a_range_decryptor_refuses_bytes_past_the_recorded_length() {
    let plain = plaintext(OBJECT_LEN);
    let info = PlaintextInfo::new().length(OBJECT_LEN as u64);
    let (_, headers, _) = seal(Format::V2, &aes_key(), &plain, info, 7);
    let opened = Envelope::open(&headers, &aes_key(), &mut TestRng::new(8)).expect("opens");
    let mut decryptor = opened.range_decryptor(1000).expect("fits");
    let mut body = vec![0u8; 25];
    assert!(matches!(
        decryptor.update(&mut body),
        Err(cos_crypto::CryptoError::LengthMismatch {
            expected: 1024,
            actual: 1025
        })
    ));
    assert_eq!(body, vec![0u8; 25], "a refused chunk is left untouched");
}
