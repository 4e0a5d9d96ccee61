//! Encoder → decoder round trips, fed at every split point.

use bytes::Bytes;

use super::{Ending, Outcome, concat, decode_chunks, decode_in_chunks};
use crate::select::{
    SelectEvent, SelectStats, encode_continuation, encode_end, encode_error, encode_message,
    encode_progress, encode_records, encode_stats,
};

fn stats(a: u64, b: u64, c: u64) -> SelectStats {
    SelectStats {
        bytes_scanned: a,
        bytes_processed: b,
        bytes_returned: c,
    }
}

/// A stream with every event type, and the events it must decode to.
fn every_event() -> (Vec<u8>, Vec<SelectEvent>) {
    let stream = concat(&[
        encode_progress(&stats(0, 0, 0)),
        encode_continuation(),
        encode_records(b"1,alice,30\n").expect("records"),
        encode_message(
            &[(":message-type", "event"), (":event-type", "Future")],
            b"x",
        )
        .expect("unknown"),
        encode_records(b"").expect("empty records"),
        encode_progress(&stats(512, 1024, 41)),
        encode_records("3,张三,41\n".as_bytes()).expect("records"),
        encode_message(&[(":message-type", "exception")], b"").expect("unknown"),
        encode_stats(&stats(u64::MAX, 2048, 54)),
        encode_end(),
    ]);
    let events = vec![
        SelectEvent::Progress(stats(0, 0, 0)),
        SelectEvent::Continuation,
        SelectEvent::Records(Bytes::from_static(b"1,alice,30\n")),
        SelectEvent::Unknown {
            message_type: Some("event".to_owned()),
            event_type: Some("Future".to_owned()),
        },
        SelectEvent::Records(Bytes::new()),
        SelectEvent::Progress(stats(512, 1024, 41)),
        SelectEvent::Records(Bytes::from("3,张三,41\n".as_bytes())),
        SelectEvent::Unknown {
            message_type: Some("exception".to_owned()),
            event_type: None,
        },
        SelectEvent::Stats(stats(u64::MAX, 2048, 54)),
        SelectEvent::End,
    ];
    (stream, events)
}

#[test]
fn every_event_type_at_every_split_point() {
    let (stream, events) = every_event();
    let expected = Outcome {
        events,
        ending: Ending::Finished(Ok(())),
    };
    for split in 0..=stream.len() {
        let (a, b) = stream.split_at(split);
        assert_eq!(decode_chunks([a, b]), expected, "split at {split}");
    }
    for chunk in 1..=32 {
        assert_eq!(
            decode_in_chunks(&stream, chunk),
            expected,
            "chunks of {chunk}"
        );
    }
}

#[test]
fn error_event_at_every_split_point_and_trailing_bytes_ignored() {
    let stream = concat(&[
        encode_records(b"partial").expect("records"),
        encode_error("InternalError", "We encountered an internal error.").expect("error"),
        // After the error the reference reads no further; neither do we.
        encode_records(b"ignored").expect("records"),
        encode_end(),
        b"garbage that is not a message".to_vec(),
    ]);
    let expected = Outcome {
        events: vec![
            SelectEvent::Records(Bytes::from_static(b"partial")),
            SelectEvent::Error {
                code: "InternalError".to_owned(),
                message: "We encountered an internal error.".to_owned(),
            },
        ],
        ending: Ending::Finished(Ok(())),
    };
    for split in 0..=stream.len() {
        let (a, b) = stream.split_at(split);
        assert_eq!(decode_chunks([a, b]), expected, "split at {split}");
    }
}

#[test]
fn bytes_after_end_are_ignored() {
    let stream = concat(&[
        encode_records(b"a").expect("records"),
        encode_end(),
        encode_records(b"after end").expect("records"),
        vec![0xff; 40],
    ]);
    for split in 0..=stream.len() {
        let (a, b) = stream.split_at(split);
        let outcome = decode_chunks([a, b]);
        assert_eq!(
            outcome.events,
            vec![
                SelectEvent::Records(Bytes::from_static(b"a")),
                SelectEvent::End
            ],
            "split at {split}"
        );
        assert_eq!(outcome.ending, Ending::Finished(Ok(())), "split at {split}");
    }
}

#[test]
fn large_records_payload_round_trips() {
    let payload: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    let stream = concat(&[encode_records(&payload).expect("records"), encode_end()]);
    for chunk in [1, 4096, 65536, stream.len()] {
        let outcome = decode_in_chunks(&stream, chunk);
        assert_eq!(
            outcome.events,
            vec![
                SelectEvent::Records(Bytes::from(payload.clone())),
                SelectEvent::End
            ],
            "chunks of {chunk}"
        );
        assert_eq!(outcome.ending, Ending::Finished(Ok(())));
    }
}
