//! Property tests: any split of an object into pieces, encrypted or decrypted at their
//! offsets in any order, gives the same bytes as one pass; opening never panics on any
//! header values.

mod common;

use common::{TestRng, aes_key, plaintext};
use cos_crypto::headers as h;
use cos_crypto::{ContentKey, CtrCipher, Envelope, Format, Iv, PlaintextInfo};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

fn cipher(key: [u8; 32], iv: [u8; 16]) -> CtrCipher {
    CtrCipher::new(&ContentKey::from_bytes(key), &Iv::from_bytes(iv))
}

/// Cut points of `len` from arbitrary fractions.
fn cuts(len: usize, fractions: &[u16]) -> Vec<usize> {
    let mut cuts: Vec<usize> = fractions
        .iter()
        .map(|f| len * usize::from(*f) / usize::from(u16::MAX))
        .collect();
    cuts.push(0);
    cuts.push(len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Pieces encrypted independently, in any order, equal the one-pass ciphertext.
    #[test]
    fn any_split_encrypts_like_the_whole(
        key in any::<[u8; 32]>(),
        iv in any::<[u8; 16]>(),
        len in 0usize..2000,
        fractions in proptest::collection::vec(any::<u16>(), 0..8),
        reverse in any::<bool>(),
    ) {
        let cipher = cipher(key, iv);
        let plain = plaintext(len);
        let mut whole = plain.clone();
        cipher.apply_at(0, &mut whole).expect("fits");

        let cuts = cuts(len, &fractions);
        let mut pieces: Vec<(usize, Vec<u8>)> = cuts
            .windows(2)
            .map(|w| (w[0], plain[w[0]..w[1]].to_vec()))
            .collect();
        if reverse {
            pieces.reverse();
        }
        for (offset, piece) in &mut pieces {
            cipher.apply_at(*offset as u64, piece).expect("fits");
        }
        pieces.sort_by_key(|(offset, _)| *offset);
        let joined: Vec<u8> = pieces.into_iter().flat_map(|(_, p)| p).collect();
        prop_assert_eq!(&joined, &whole);

        // And decrypting any range at its offset gives the plaintext back.
        if len > 0 {
            let a = usize::from(fractions.first().copied().unwrap_or(0)) * (len - 1) / usize::from(u16::MAX);
            let b = a + (len - a) / 2;
            let mut range = whole[a..=b.min(len - 1)].to_vec();
            cipher.apply_at(a as u64, &mut range).expect("fits");
            prop_assert_eq!(&range[..], &plain[a..=b.min(len - 1)]);
        }
    }

    /// A stream fed chunks of any sizes from any start equals one call at that start.
    #[test]
    fn streaming_chunks_match_one_call(
        iv in any::<[u8; 16]>(),
        start in any::<u64>().prop_map(|s| s % (1 << 40)),
        chunk_sizes in proptest::collection::vec(0usize..70, 1..20),
    ) {
        let cipher = cipher([9; 32], iv);
        let total: usize = chunk_sizes.iter().sum();
        let mut once = plaintext(total);
        cipher.apply_at(start, &mut once).expect("fits");
        let mut chunked = plaintext(total);
        let mut stream = cipher.stream_at(start).expect("fits");
        let mut at = 0;
        for size in chunk_sizes {
            stream.apply(&mut chunked[at..at + size]).expect("fits");
            at += size;
        }
        prop_assert_eq!(stream.position(), start + total as u64);
        prop_assert_eq!(chunked, once);
    }

    /// Multipart: parts encrypted at `part_offset`, uploaded in any order, decrypt as one
    /// object with the whole-object decryptor.
    #[test]
    fn multipart_parts_in_any_order_decrypt_as_one_object(
        blocks in 1u64..8,
        len in 1usize..1500,
        order_seed in any::<u64>(),
        python in any::<bool>(),
    ) {
        let part_size = blocks * 16;
        let plain = plaintext(len);
        let format = if python { Format::PythonCompatible } else { Format::V2 };
        let mut rng = TestRng::new(order_seed);
        let sealed = Envelope::seal(
            format,
            &aes_key(),
            &PlaintextInfo::new().length(len as u64).multipart(part_size),
            &mut rng,
        ).expect("seals");
        let mut parts: Vec<(u32, Vec<u8>)> = plain
            .chunks(part_size as usize)
            .enumerate()
            .map(|(i, p)| (i as u32 + 1, p.to_vec()))
            .collect();
        // Shuffle deterministically.
        let n = parts.len();
        for i in 0..n {
            let j = (order_seed as usize).wrapping_mul(i + 7) % n;
            parts.swap(i, j);
        }
        for (number, part) in &mut parts {
            let offset = sealed.part_offset(*number).expect("valid");
            sealed.apply_at(offset, part).expect("fits");
        }
        parts.sort_by_key(|(number, _)| *number);
        let mut object: Vec<u8> = parts.into_iter().flat_map(|(_, p)| p).collect();

        let headers: HeaderMap = sealed.headers().iter().cloned().collect();
        let opened = Envelope::open(&headers, &aes_key(), &mut rng).expect("opens");
        let mut decryptor = opened.decryptor().expect("fits");
        decryptor.update(&mut object).expect("fits");
        decryptor.finish().expect("complete");
        prop_assert_eq!(object, plain);
    }

    /// Opening never panics, whatever the header values: it returns a key or an error.
    #[test]
    fn opening_arbitrary_headers_never_panics(
        values in proptest::collection::vec(
            (0usize..h::ALL.len(), proptest::collection::vec(any::<u8>(), 0..80), any::<bool>()),
            0..8,
        ),
    ) {
        let mut headers = HeaderMap::new();
        for (index, bytes, as_base64) in values {
            let text = if as_base64 {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(&bytes)
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            };
            if let Ok(value) = HeaderValue::from_str(&text) {
                headers.append(h::ALL[index], value);
            }
        }
        let mut rng = TestRng::new(1);
        let _ = Envelope::open(&headers, &aes_key(), &mut rng);
        let _ = Envelope::open(&headers, &common::rsa_key(), &mut rng);
    }

    /// Well-formed v2 headers around random wrapped keys: always refused, never a key.
    #[test]
    fn random_v2_wrapped_keys_are_refused(
        aes_wrapped in proptest::collection::vec(any::<u8>(), 40),
        rsa_wrapped in proptest::collection::vec(any::<u8>(), 256),
        iv in any::<[u8; 16]>(),
    ) {
        use base64::Engine as _;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut rng = TestRng::new(2);
        let rsa = common::rsa_key();
        for (master, wrapped, alg) in [
            (&aes_key() as &dyn cos_crypto::MasterKey, &aes_wrapped, "AESWrap"),
            (&rsa, &rsa_wrapped, "RSA/ECB/OAEPWithSHA-256AndMGF1Padding"),
        ] {
            let mut headers = HeaderMap::new();
            for (name, value) in [
                (h::KEY, b64(wrapped)),
                (h::START, b64(&iv)),
                (h::CEK_ALG, "AES/CTR/NoPadding".to_owned()),
                (h::WRAP_ALG, alg.to_owned()),
                (h::MATDESC, "{}".to_owned()),
            ] {
                headers.insert(name, HeaderValue::from_str(&value).expect("valid"));
            }
            let result = Envelope::open(&headers, master, &mut rng);
            prop_assert!(
                matches!(result, Err(cos_crypto::CryptoError::UnwrapFailed { .. })),
                "{:?}",
                result
            );
        }
        // The Python envelope with RSA: no panic (a PKCS#1 v1.5 false accept is possible
        // with probability about 1/60,000, as documented on PythonRsaPadding).
        let mut python = HeaderMap::new();
        python.insert(h::KEY, HeaderValue::from_str(&b64(&rsa_wrapped)).expect("valid"));
        python.insert(h::IV, HeaderValue::from_str(&b64(&rsa_wrapped[..])).expect("valid"));
        let _ = Envelope::open(&python, &rsa, &mut rng);
    }
}
