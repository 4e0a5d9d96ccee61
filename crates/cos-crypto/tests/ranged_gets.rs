//! The encrypted GET plan (`object::EncryptedGet`) against every kind of answer: honest
//! ranges, open and suffix ranges, ranges past the end, a whole object sent for a range,
//! and hostile `Content-Range`s.

mod common;

use common::TestRng;
use cos_crypto::object::EncryptedGet;
use cos_crypto::{AesMasterKey, CryptoError, Envelope, Format, PlaintextInfo};
use cos_proto::Operation;
use cos_proto::ops::{ByteRange, ContentRange, GetObject, GetObjectOutput};
use http::HeaderMap;
use proptest::prelude::*;

fn master() -> AesMasterKey {
    AesMasterKey::from_bytes(&[0x42; 32]).expect("valid")
}

/// A response carrying `envelope`'s headers: `len` body bytes, and `range` as
/// `Content-Range` (`first`, `last`, `total`; `None` total is `*`).
fn output(
    envelope: &Envelope,
    len: u64,
    range: Option<(u64, u64, Option<u64>)>,
) -> GetObjectOutput {
    let mut map: HeaderMap = envelope.headers().iter().cloned().collect();
    map.insert("content-length", len.into());
    if let Some((first, last, total)) = range {
        let total = total.map_or("*".to_owned(), |t| t.to_string());
        let value = format!("bytes {first}-{last}/{total}");
        map.insert("content-range", value.parse().expect("valid"));
    }
    let mut response = http::Response::new(bytes::Bytes::new());
    *response.status_mut() = if range.is_some() {
        http::StatusCode::PARTIAL_CONTENT
    } else {
        http::StatusCode::OK
    };
    *response.headers_mut() = map;
    let url: http::Uri = "http://127.0.0.1/k".parse().expect("valid");
    GetObject::new("k")
        .parse_response(&url, response)
        .expect("parses")
}

/// An object of `len` bytes: its envelope, plaintext and ciphertext.
fn object(len: usize, seed: u64) -> (Envelope, Vec<u8>, Vec<u8>) {
    let mut rng = TestRng::new(seed);
    let info = PlaintextInfo::new().length(len as u64);
    let envelope = Envelope::seal(Format::V2, &master(), &info, &mut rng).expect("seal");
    let plain: Vec<u8> = (0..len).map(|i| (i * 7 + i / 13) as u8).collect();
    let mut cipher = plain.clone();
    envelope.apply_at(0, &mut cipher).expect("fits");
    (envelope, plain, cipher)
}

/// Opens `out` for `get` and feeds it `body` in `chunk`-byte pieces: what the caller
/// receives, and the rewritten output.
fn read(
    get: &EncryptedGet,
    mut out: GetObjectOutput,
    body: &[u8],
    chunk: usize,
) -> Result<(Vec<u8>, GetObjectOutput), CryptoError> {
    let (_, mut plaintext) = get.open(&mut out, &master(), &mut TestRng::new(9))?;
    let mut got = Vec::new();
    for piece in body.chunks(chunk.max(1)) {
        let mut piece = piece.to_vec();
        let keep = plaintext.update(&mut piece)?;
        got.extend_from_slice(&piece[keep]);
    }
    plaintext.finish()?;
    Ok((got, out))
}

fn planned(range: &str) -> EncryptedGet {
    EncryptedGet::new(&GetObject::new("k").range(ByteRange::parse(range).expect("valid")))
}

#[test]
fn ranged_reads_round_down_and_discard() {
    let (env, plain, cipher) = object(100, 3);
    let get = planned("bytes=21-50");
    assert_eq!(
        get.request().requested_range().expect("range").to_string(),
        "bytes=16-50"
    );
    let out = output(&env, 35, Some((16, 50, Some(100))));
    let (got, out) = read(&get, out, &cipher[16..51], 3).expect("reads");
    assert_eq!(got, &plain[21..51]);
    assert_eq!(out.span(), Some((21, 50)));
    assert_eq!(out.info.content_length, Some(30));

    // A server that starts later than asked is refused.
    let late = output(&env, 10, Some((32, 41, Some(100))));
    assert!(matches!(
        read(&get, late, &cipher[32..42], 3),
        Err(CryptoError::RangeNotServed { .. })
    ));

    // A whole object of the wrong length is refused.
    let whole = EncryptedGet::new(&GetObject::new("k"));
    assert!(matches!(
        read(&whole, output(&env, 99, None), &cipher[..99], 7),
        Err(CryptoError::LengthMismatch { .. })
    ));
}

/// A suffix range is sent as it is, and its answer decrypts at the Content-Range start.
#[test]
fn suffix_ranges_decrypt_the_last_bytes() {
    let (env, plain, cipher) = object(100, 4);
    for (range, first) in [("bytes=-7", 93), ("bytes=-100", 0), ("bytes=-5000", 0)] {
        let get = planned(range);
        assert_eq!(
            get.request().requested_range().expect("range").to_string(),
            range
        );
        let out = output(&env, 100 - first, Some((first, 99, Some(100))));
        let (got, out) = read(&get, out, &cipher[first as usize..], 5).expect("reads");
        assert_eq!(got, &plain[first as usize..], "{range}");
        assert_eq!(out.span(), Some((first, 99)));
    }
}

/// A server (or a proxy) that ignores `Range` sends the whole object with a 200: the
/// caller still gets exactly the bytes it asked for, and the whole object is checked.
#[test]
fn a_whole_answer_to_a_range_delivers_only_the_range() {
    let (env, plain, cipher) = object(100, 5);
    for (range, want) in [
        ("bytes=-7", 93..100),
        ("bytes=-500", 0..100),
        ("bytes=10-20", 10..21),
        ("bytes=90-", 90..100),
        ("bytes=95-1000", 95..100),
        ("bytes=100-", 100..100),
        ("bytes=-0", 100..100),
    ] {
        let (got, out) = read(&planned(range), output(&env, 100, None), &cipher, 9)
            .unwrap_or_else(|e| panic!("{range}: {e}"));
        assert_eq!(got, &plain[want.clone()], "{range}");
        assert_eq!(out.info.content_length, Some(want.len() as u64), "{range}");
        if !want.is_empty() {
            assert_eq!(out.span(), Some((want.start as u64, want.end as u64 - 1)));
        }
    }
    // The whole object is checked at the end: a flipped byte is caught.
    let mut flipped = cipher.clone();
    flipped[3] ^= 1;
    let env_md5 = {
        let mut rng = TestRng::new(5);
        let info = PlaintextInfo::new()
            .length(100)
            .crc64(cos_proto::crc64::crc64(&plain));
        Envelope::seal_with(
            Format::V2,
            &master(),
            cos_crypto::ContentKey::from_slice(env.content_key().expose_secret()).expect("32"),
            env.iv().clone(),
            &info,
            &mut rng,
        )
        .expect("seal")
    };
    assert!(matches!(
        read(
            &planned("bytes=-7"),
            output(&env_md5, 100, None),
            &flipped,
            9
        ),
        Err(CryptoError::Crc64Mismatch { .. })
    ));
}

#[test]
fn a_suffix_of_an_object_of_unknown_length_is_refused() {
    let (env, _, _) = object(100, 6);
    let mut out = output(&env, 100, None);
    out.info.content_length = None;
    assert!(matches!(
        planned("bytes=-7").open(&mut out, &master(), &mut TestRng::new(1)),
        Err(CryptoError::SuffixRangeUnresolved(7))
    ));
    // With a Content-Range of unknown total, the server's span is the answer.
    let (env, plain, cipher) = object(100, 7);
    let out = output(&env, 7, Some((93, 99, None)));
    let (got, _) = read(&planned("bytes=-7"), out, &cipher[93..], 2).expect("reads");
    assert_eq!(got, &plain[93..]);
}

/// The ranges a caller may ask for, including past the end and degenerate ones.
fn any_range(len: u64) -> impl Strategy<Value = ByteRange> {
    let around = 0..len + 40;
    prop_oneof![
        (around.clone(), 0..len + 40).prop_map(|(a, n)| ByteRange::Inclusive {
            first: a,
            last: a + n
        }),
        around.clone().prop_map(ByteRange::From),
        (0..len + 40).prop_map(ByteRange::Suffix),
        Just(ByteRange::Inclusive {
            first: u64::MAX,
            last: u64::MAX
        }),
        Just(ByteRange::Suffix(u64::MAX)),
        Just(ByteRange::From(u64::MAX)),
    ]
}

proptest! {
    /// Any range, answered honestly (206, or 416 for nothing) or with the whole object
    /// (200), delivers exactly the plaintext bytes of the range, in chunks of any size.
    #[test]
    fn any_range_delivers_the_plaintext_slice(
        len in 1usize..300,
        range in (1u64..300).prop_flat_map(any_range),
        whole in any::<bool>(),
        chunk in 1usize..40,
        seed in any::<u64>(),
    ) {
        let (env, plain, cipher) = object(len, seed);
        let get = EncryptedGet::new(&GetObject::new("k").range(range));
        let sent = get.request().requested_range().expect("ranged");
        let want = range.span_in(Some(len as u64));
        let (out, body) = if whole {
            (output(&env, len as u64, None), &cipher[..])
        } else {
            match sent.span_in(Some(len as u64)) {
                // A real server answers 416: nothing to decrypt.
                None => { prop_assert!(want.is_none()); return Ok(()); }
                Some((a, b)) => (
                    output(&env, b - a + 1, Some((a, b, Some(len as u64)))),
                    &cipher[a as usize..=b as usize],
                ),
            }
        };
        let (got, out) = read(&get, out, body, chunk).expect("reads");
        let expected = want.map_or(&[][..], |(a, b)| &plain[a as usize..=b as usize]);
        prop_assert_eq!(&got[..], expected);
        prop_assert_eq!(out.info.content_length, Some(expected.len() as u64));
        prop_assert_eq!(out.span(), want);
    }

    /// Hostile answers (any Content-Range, any length, any body) never panic.
    #[test]
    fn hostile_answers_do_not_panic(
        range in any_range(1000),
        first in prop_oneof![0u64..2000, Just(u64::MAX - 1)],
        span in 0u64..100,
        total in proptest::option::of(prop_oneof![0u64..2000, Just(u64::MAX)]),
        with_range in any::<bool>(),
        body_len in 0usize..200,
        length in proptest::option::of(prop_oneof![0u64..2000, Just(u64::MAX)]),
    ) {
        let (env, _, _) = object(100, 1);
        let get = EncryptedGet::new(&GetObject::new("k").range(range));
        let last = first.saturating_add(span);
        let mut out = output(&env, 0, None);
        out.content_range = with_range.then_some(ContentRange { first, last, total });
        out.info.content_length = length;
        let body = vec![0u8; body_len];
        let _ = read(&get, out, &body, 7);
    }
}
