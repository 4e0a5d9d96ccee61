//! Objects the Python SDK writes by multipart upload, whatever their part sizes: its parts
//! share one AES-CTR state that continues from part to part, partial blocks included
//! (`cos-python-sdk.md` §6.5). Built here from the documented algorithm with the RustCrypto
//! primitives, not with this crate's writer; then read whole and at any range, and written
//! again byte for byte by the Python-compatible writer.

mod common;

use aes::Aes256;
use base64::Engine as _;
use common::TestRng;
use cos_crypto::object;
use cos_crypto::{AesMasterKey, ContentKey, Envelope, Format, Iv, PlaintextInfo};
use cos_proto::ops::{ByteRange, UploadPart};
use ctr::Ctr128BE;
use ctr::cipher::{KeyIvInit as _, StreamCipher as _};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

const MASTER: [u8; 32] = [0x11; 32];

/// What `CosEncryptionClient` with `AESProvider(MASTER)` stores for a multipart upload of
/// `plain` in parts of `sizes` (the last part takes the rest): the two headers, and each
/// part's ciphertext.
fn python_multipart(
    key: [u8; 32],
    iv: [u8; 16],
    plain: &[u8],
    sizes: &[usize],
) -> (HeaderMap, Vec<Vec<u8>>) {
    // The wrap: AES-CTR under the master key from counter 0 over key ‖ IV (§6.3).
    let mut wrapped = [key.as_slice(), iv.as_slice()].concat();
    Ctr128BE::<Aes256>::new(&MASTER.into(), &[0u8; 16].into()).apply_keystream(&mut wrapped);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("x-cos-meta-client-side-encryption-key", b64(&wrapped[..32])),
        ("x-cos-meta-client-side-encryption-iv", b64(&wrapped[32..])),
    ] {
        headers.insert(name, HeaderValue::from_str(&value).expect("base64"));
    }
    // One data cipher for the whole upload: every part continues its keystream (§6.5).
    let mut cipher = Ctr128BE::<Aes256>::new(&key.into(), &iv.into());
    let mut parts = Vec::new();
    let mut rest = plain;
    for size in sizes.iter().copied().chain(std::iter::repeat(usize::MAX)) {
        if rest.is_empty() {
            break;
        }
        let (part, tail) = rest.split_at(size.min(rest.len()));
        let mut part = part.to_vec();
        cipher.apply_keystream(&mut part);
        parts.push(part);
        rest = tail;
    }
    (headers, parts)
}

fn master() -> AesMasterKey {
    AesMasterKey::from_bytes(&MASTER).expect("valid")
}

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 + i / 251) as u8).collect()
}

/// Reads `range` (or the whole object) through the encrypting client's GET plan.
fn get(headers: &HeaderMap, stored: &[u8], range: Option<ByteRange>) -> Option<Vec<u8>> {
    common::get_through_plan(headers, stored, range, &master()).map(|read| read.expect("reads"))
}

#[test]
fn a_python_object_with_parts_of_1000_bytes_reads_whole_and_ranged() {
    let plain = plaintext(3 * 1000 + 333);
    let (headers, parts) = python_multipart([7; 32], [0xfe; 16], &plain, &[1000, 1000, 1000]);
    let stored = parts.concat();
    assert_eq!(get(&headers, &stored, None).expect("whole"), plain);
    for (range, want) in [
        ("bytes=995-1004", 995..1005),
        ("bytes=1000-1999", 1000..2000),
        ("bytes=2999-", 2999..3333),
        ("bytes=-7", 3326..3333),
        ("bytes=-1000", 2333..3333),
        ("bytes=-99999", 0..3333),
        ("bytes=3000-99999", 3000..3333),
    ] {
        let range = ByteRange::parse(range).expect("valid");
        assert_eq!(
            get(&headers, &stored, Some(range)).expect("in the object"),
            &plain[want],
            "{range}"
        );
    }
}

/// The Python-compatible writer, given the same key and IV, sends the same headers and
/// the same bytes in every part, with a part size that is not a multiple of 16.
#[test]
fn the_python_compatible_writer_reproduces_parts_of_1000_bytes() {
    let plain = plaintext(2500);
    let (key, iv) = ([3; 32], [0x80; 16]);
    let (headers, parts) = python_multipart(key, iv, &plain, &[1000, 1000]);
    let info = PlaintextInfo::new().multipart(1000);
    let envelope = Envelope::seal_with(
        Format::PythonCompatible,
        &master(),
        ContentKey::from_bytes(key),
        Iv::from_bytes(iv),
        &info,
        &mut TestRng::new(2),
    )
    .expect("any positive part size seals");
    let ours: HeaderMap = envelope.headers().iter().cloned().collect();
    assert_eq!(ours, headers);
    for (i, part) in parts.iter().enumerate() {
        let number = i as u32 + 1;
        let op = UploadPart::new("k", "u", number, Some(part.len() as u64));
        let offset = object::part_offset(&envelope, &op).expect("fits");
        assert_eq!(offset, 1000 * i as u64);
        let mut body = plain[offset as usize..offset as usize + part.len()].to_vec();
        envelope.apply_at(offset, &mut body).expect("fits");
        assert_eq!(&body, part, "part {number}");
    }
}

fn any_range(len: u64) -> impl Strategy<Value = ByteRange> {
    prop_oneof![
        (0..len + 20, 0..len + 20).prop_map(|(first, n)| ByteRange::Inclusive {
            first,
            last: first + n
        }),
        (0..len + 20).prop_map(ByteRange::From),
        (0..len + 20).prop_map(ByteRange::Suffix),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any part sizes (multiples of 16 or not), any range (suffix, open, past the end):
    /// the decrypted range is the plaintext slice, and the whole object decrypts.
    #[test]
    fn any_range_of_any_python_multipart_object_decrypts(
        sizes in proptest::collection::vec(1usize..90, 1..6),
        extra in 0usize..90,
        key in any::<[u8; 32]>(),
        iv in any::<[u8; 16]>(),
        range in any_range(400),
    ) {
        let len = sizes.iter().sum::<usize>() + extra;
        let plain = plaintext(len);
        let (headers, parts) = python_multipart(key, iv, &plain, &sizes);
        let stored = parts.concat();
        prop_assert_eq!(get(&headers, &stored, None).expect("whole"), plain.clone());
        let want = range.span_in(Some(len as u64));
        match get(&headers, &stored, Some(range)) {
            // The block-aligned request may reach into the object when the range itself
            // does not: then nothing is delivered.
            Some(got) => {
                let want = want.map_or(&[][..], |(a, b)| &plain[a as usize..=b as usize]);
                prop_assert_eq!(&got[..], want);
            }
            None => prop_assert!(want.is_none()),
        }
    }

    /// Any fixed part size: the Python-compatible writer's parts are the SDK's parts.
    #[test]
    fn the_python_compatible_writer_reproduces_any_part_size(
        part_size in 1usize..100,
        len in 1usize..400,
        key in any::<[u8; 32]>(),
        iv in any::<[u8; 16]>(),
    ) {
        let plain = plaintext(len);
        let (headers, parts) = python_multipart(key, iv, &plain, &[part_size; 400]);
        let envelope = Envelope::seal_with(
            Format::PythonCompatible,
            &master(),
            ContentKey::from_bytes(key),
            Iv::from_bytes(iv),
            &PlaintextInfo::new().multipart(part_size as u64),
            &mut TestRng::new(3),
        )
        .expect("seals");
        let ours: HeaderMap = envelope.headers().iter().cloned().collect();
        prop_assert_eq!(ours, headers);
        for (i, part) in parts.iter().enumerate() {
            let offset = envelope.part_offset(i as u32 + 1).expect("valid");
            let mut body = plain[offset as usize..offset as usize + part.len()].to_vec();
            envelope.apply_at(offset, &mut body).expect("fits");
            prop_assert_eq!(&body, part);
        }
    }
}
