//! Flipping any single byte of a valid stream gives an error at that message, never a wrong event.

use bytes::Bytes;

use super::{Ending, concat, decode_in_chunks};
use crate::select::{
    PRELUDE_LEN, SelectError, SelectEvent, SelectStats, encode_continuation, encode_end,
    encode_error, encode_progress, encode_records, encode_stats,
};

#[test]
fn every_single_byte_flip_is_a_crc_error_at_its_message() {
    let stats = SelectStats {
        bytes_scanned: 10,
        bytes_processed: 20,
        bytes_returned: 30,
    };
    let messages = [
        encode_records(b"1,alice,30\n").expect("records"),
        encode_continuation(),
        encode_progress(&stats),
        encode_stats(&stats),
        encode_end(),
    ];
    let clean_events = [
        SelectEvent::Records(Bytes::from_static(b"1,alice,30\n")),
        SelectEvent::Continuation,
        SelectEvent::Progress(stats),
        SelectEvent::Stats(stats),
        SelectEvent::End,
    ];
    let stream = concat(&messages);
    let mut start = 0;
    let mut checked = 0;
    for (message_index, message) in messages.iter().enumerate() {
        for offset in 0..message.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut corrupt = stream.clone();
                if let Some(byte) = corrupt.get_mut(start + offset) {
                    *byte ^= mask;
                }
                for chunk in [corrupt.len(), 1] {
                    if chunk == 1 && mask != 0x80 {
                        continue; // byte-by-byte for one mask keeps the test fast
                    }
                    let outcome = decode_in_chunks(&corrupt, chunk);
                    let what = format!("message {message_index}, byte {offset}, mask {mask:#x}");
                    assert_eq!(
                        outcome.events,
                        clean_events.get(..message_index).expect("prefix"),
                        "{what}: events before the damage are intact, none after"
                    );
                    let crc_error = match outcome.ending {
                        Ending::Failed(err) => err,
                        other => panic!("{what}: not detected: {other:?}"),
                    };
                    if offset < PRELUDE_LEN {
                        assert!(
                            matches!(crc_error, SelectError::PreludeCrcMismatch { .. }),
                            "{what}: {crc_error:?}"
                        );
                    } else {
                        assert!(
                            matches!(crc_error, SelectError::MessageCrcMismatch { .. }),
                            "{what}: {crc_error:?}"
                        );
                    }
                    checked += 1;
                }
            }
        }
        start += message.len();
    }
    assert!(checked > stream.len() * 3);
}

#[test]
fn flips_in_an_error_message_are_detected() {
    let message = encode_error("InternalError", "boom").expect("error");
    for offset in 0..message.len() {
        let mut corrupt = message.clone();
        if let Some(byte) = corrupt.get_mut(offset) {
            *byte ^= 0x20;
        }
        let outcome = decode_in_chunks(&corrupt, corrupt.len());
        assert!(
            outcome.events.is_empty(),
            "byte {offset}: {:?}",
            outcome.events
        );
        assert!(
            matches!(
                outcome.ending,
                Ending::Failed(
                    SelectError::PreludeCrcMismatch { .. } | SelectError::MessageCrcMismatch { .. }
                )
            ),
            "byte {offset}: {:?}",
            outcome.ending
        );
    }
}
