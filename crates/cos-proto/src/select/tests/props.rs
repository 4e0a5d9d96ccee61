//! Property tests: no panics on arbitrary input, and random round trips.

use bytes::Bytes;
use proptest::prelude::*;

use super::{Ending, concat, decode_chunks};
use crate::select::frame::{crc32, parse_headers};
use crate::select::{Message, SelectDecoder, SelectError, SelectEvent, encode_end, encode_records};

/// Splits `data` at the given cut points (taken modulo its length, in order).
fn split_at_cuts<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| {
            if data.is_empty() {
                0
            } else {
                c % (data.len() + 1)
            }
        })
        .collect();
    points.push(0);
    points.push(data.len());
    points.sort_unstable();
    points
        .windows(2)
        .filter_map(|w| match w {
            [a, b] => data.get(*a..*b),
            _ => None,
        })
        .collect()
}

/// A message with a valid prelude and message CRC around arbitrary header and payload bytes,
/// so the fuzzing gets past both CRC checks into header parsing.
fn framed(headers: &[u8], payload: &[u8]) -> Vec<u8> {
    let total = (16 + headers.len() + payload.len()) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&(headers.len() as u32).to_be_bytes());
    let prelude_crc = crc32(&out);
    out.extend_from_slice(&prelude_crc.to_be_bytes());
    out.extend_from_slice(headers);
    out.extend_from_slice(payload);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let outcome = decode_chunks(split_at_cuts(&data, &cuts));
        // Random bytes essentially never carry a valid prelude CRC; either way no panic, and a
        // decoder that did not fail must not claim a complete stream without End.
        if let Ending::Finished(Ok(())) = outcome.ending {
            prop_assert!(outcome.events.last().is_some_and(SelectEvent::is_terminal));
        }
        let _ = Message::decode(&data);
    }

    #[test]
    fn arbitrary_headers_with_valid_crcs_never_panic(
        headers in proptest::collection::vec(any::<u8>(), 0..200),
        payload in proptest::collection::vec(any::<u8>(), 0..50),
        chunk in 1usize..40,
    ) {
        let message = framed(&headers, &payload);
        let parsed = parse_headers(&headers);
        let mut decoder = SelectDecoder::new();
        let mut result = Ok(None);
        for piece in message.chunks(chunk) {
            decoder.feed(piece);
            result = decoder.next_event();
            if result.is_err() {
                break;
            }
        }
        match (&parsed, &result) {
            // Valid headers: the message decodes to some event.
            (Ok(_), Ok(Some(_))) => {}
            // Headers that parse but carry bad Stats/Progress XML.
            (Ok(_), Err(SelectError::InvalidStatsXml(_))) => {}
            (Err(e), Err(r)) => prop_assert_eq!(e, r),
            (p, r) => prop_assert!(false, "headers {:?} but decoder {:?}", p, r),
        }
    }

    #[test]
    fn random_records_round_trip_with_random_chunking(
        payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..8),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let mut messages: Vec<Vec<u8>> = Vec::new();
        for p in &payloads {
            messages.push(encode_records(p).expect("encode"));
        }
        messages.push(encode_end());
        let stream = concat(&messages);
        let outcome = decode_chunks(split_at_cuts(&stream, &cuts));
        let mut expected: Vec<SelectEvent> = payloads
            .iter()
            .map(|p| SelectEvent::Records(Bytes::from(p.clone())))
            .collect();
        expected.push(SelectEvent::End);
        prop_assert_eq!(outcome.events, expected);
        prop_assert_eq!(outcome.ending, Ending::Finished(Ok(())));
    }

    #[test]
    fn truncating_a_valid_stream_is_reported(
        payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..100), 1..5),
        cut in any::<usize>(),
    ) {
        let mut messages: Vec<Vec<u8>> = Vec::new();
        for p in &payloads {
            messages.push(encode_records(p).expect("encode"));
        }
        messages.push(encode_end());
        let stream = concat(&messages);
        let cut = cut % stream.len(); // strictly shorter than the whole stream
        let outcome = decode_chunks([stream.get(..cut).expect("prefix")]);
        let Ending::Finished(Err(SelectError::Truncated { buffered })) = outcome.ending else {
            return Err(TestCaseError::fail(format!("{:?}", outcome.ending)));
        };
        // Exactly the whole messages before the cut were decoded.
        let mut whole = 0;
        let mut used = 0;
        for m in &messages {
            if used + m.len() > cut {
                break;
            }
            used += m.len();
            whole += 1;
        }
        prop_assert_eq!(outcome.events.len(), whole);
        prop_assert_eq!(buffered, cut - used);
    }

    #[test]
    fn any_single_byte_change_is_detected(
        index in any::<usize>(),
        mask in 1u8..=255,
        payload in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut stream = concat(&[encode_records(&payload).expect("encode"), encode_end()]);
        let index = index % stream.len();
        if let Some(byte) = stream.get_mut(index) {
            *byte ^= mask;
        }
        let outcome = decode_chunks([stream.as_slice()]);
        prop_assert!(matches!(
            outcome.ending,
            Ending::Failed(SelectError::PreludeCrcMismatch { .. } | SelectError::MessageCrcMismatch { .. })
        ), "{:?}", outcome.ending);
    }
}
