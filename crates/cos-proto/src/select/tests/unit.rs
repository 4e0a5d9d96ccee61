//! Focused tests of framing limits, header types, Stats XML and decoder states.

use bytes::Bytes;

use super::{Ending, decode_in_chunks};
use crate::select::frame::crc32;
use crate::select::{
    DEFAULT_MAX_MESSAGE_LEN, Header, HeaderValue, Message, SelectDecoder, SelectError, SelectEvent,
    SelectStats, encode_end, encode_error, encode_message, encode_message_with_headers,
    encode_records, encode_stats,
};

/// A prelude with a correct CRC for the given lengths.
fn prelude(total_length: u32, headers_length: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&total_length.to_be_bytes());
    out.extend_from_slice(&headers_length.to_be_bytes());
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// Replaces the message CRC of `message` with the correct one.
fn fix_message_crc(message: &mut Vec<u8>) {
    message.truncate(message.len() - 4);
    let crc = crc32(message);
    message.extend_from_slice(&crc.to_be_bytes());
}

#[test]
fn crc32_is_the_zlib_crc() {
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
}

#[test]
fn every_header_type_round_trips() {
    let headers = vec![
        Header {
            name: "t".to_owned(),
            value: HeaderValue::Bool(true),
        },
        Header {
            name: "f".to_owned(),
            value: HeaderValue::Bool(false),
        },
        Header {
            name: "byte".to_owned(),
            value: HeaderValue::Byte(-3),
        },
        Header {
            name: "i16".to_owned(),
            value: HeaderValue::Int16(-300),
        },
        Header {
            name: "i32".to_owned(),
            value: HeaderValue::Int32(-70_000),
        },
        Header {
            name: "i64".to_owned(),
            value: HeaderValue::Int64(i64::MIN),
        },
        Header {
            name: "bytes".to_owned(),
            value: HeaderValue::ByteArray(Bytes::from_static(&[0, 1, 2, 255])),
        },
        Header::string(":message-type", "event"),
        Header {
            name: "ts".to_owned(),
            value: HeaderValue::Timestamp(1_700_000_000_000),
        },
        Header {
            name: "uuid".to_owned(),
            value: HeaderValue::Uuid([7; 16]),
        },
        Header::string(":event-type", "Records"),
    ];
    let message = encode_message_with_headers(&headers, b"payload").expect("encode");
    let (decoded, used) = Message::decode(&message)
        .expect("decode")
        .expect("complete");
    assert_eq!(used, message.len());
    assert_eq!(decoded.headers, headers);
    assert_eq!(decoded.payload, Bytes::from_static(b"payload"));
    assert_eq!(decoded.header_str(":event-type"), Some("Records"));
    assert_eq!(decoded.header_str("i32"), None);
    assert_eq!(decoded.header("i32"), Some(&HeaderValue::Int32(-70_000)));
    // Unusual headers do not stop the event from being recognised.
    assert_eq!(
        SelectEvent::from_message(&decoded),
        Ok(SelectEvent::Records(Bytes::from_static(b"payload")))
    );
    let wire_types: Vec<u8> = headers.iter().map(|h| h.value.wire_type()).collect();
    assert_eq!(wire_types, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 7]);
}

#[test]
fn unknown_header_type_is_an_error() {
    // name "x", type 10, then a plausible length.
    let headers = [1, b'x', 10, 0, 0];
    let mut message = prelude(16 + 5, 5);
    message.extend_from_slice(&headers);
    message.extend_from_slice(&[0; 4]);
    fix_message_crc(&mut message);
    assert_eq!(
        Message::decode(&message),
        Err(SelectError::UnknownHeaderType { value_type: 10 })
    );
}

#[test]
fn header_overrunning_its_section_is_an_error() {
    // A string header claiming 10 value bytes in a 7-byte section, followed by payload bytes.
    let headers = [1, b'x', 7, 0, 10, b'a', b'b'];
    let mut message = prelude(16 + 7 + 8, 7);
    message.extend_from_slice(&headers);
    message.extend_from_slice(b"12345678");
    message.extend_from_slice(&[0; 4]);
    fix_message_crc(&mut message);
    assert!(matches!(
        Message::decode(&message),
        Err(SelectError::InvalidHeader { .. })
    ));
    // A name length running past the section.
    for headers in [&[5u8, b'a'][..], &[1, b'a'][..], &[1, b'a', 4, 0][..]] {
        let len = headers.len() as u32;
        let mut message = prelude(16 + len, len);
        message.extend_from_slice(headers);
        message.extend_from_slice(&[0; 4]);
        fix_message_crc(&mut message);
        assert!(
            matches!(
                Message::decode(&message),
                Err(SelectError::InvalidHeader { .. })
            ),
            "{headers:?}"
        );
    }
}

#[test]
fn invalid_utf8_in_headers_is_an_error() {
    for (headers, what) in [
        (&[1u8, 0xff, 0][..], "header name"),
        (&[1u8, b'x', 7, 0, 2, 0xc3, 0x28][..], "header value"),
    ] {
        let len = headers.len() as u32;
        let mut message = prelude(16 + len, len);
        message.extend_from_slice(headers);
        message.extend_from_slice(&[0; 4]);
        fix_message_crc(&mut message);
        assert_eq!(
            Message::decode(&message),
            Err(SelectError::InvalidUtf8 { what })
        );
    }
}

#[test]
fn inconsistent_lengths_are_rejected_from_the_prelude_alone() {
    let invalid = |total_length, headers_length| SelectError::InvalidLength {
        total_length,
        headers_length,
    };
    let too_large = SelectError::FrameTooLarge {
        length: u64::from(u32::MAX),
        max: DEFAULT_MAX_MESSAGE_LEN as u64,
    };
    for (total, headers, expected) in [
        (0, 0, invalid(0, 0)),
        (15, 0, invalid(15, 0)),
        (16, 1, invalid(16, 1)),
        (20, 5, invalid(20, 5)),
        (100, u32::MAX, invalid(100, u32::MAX)),
        (u32::MAX, 0, too_large.clone()),
        (u32::MAX, u32::MAX, too_large.clone()),
    ] {
        let mut decoder = SelectDecoder::new();
        decoder.feed(&prelude(total, headers));
        assert_eq!(decoder.next_event(), Err(expected), "{total} {headers}");
    }
    // The smallest valid message: no headers, no payload.
    let mut empty = prelude(16, 0);
    empty.extend_from_slice(&[0; 4]);
    fix_message_crc(&mut empty);
    assert_eq!(Message::decode(&empty), Ok(Some((Message::default(), 16))));
}

#[test]
fn oversized_frames_are_rejected_without_buffering() {
    let too_big = DEFAULT_MAX_MESSAGE_LEN as u32 + 1;
    let mut decoder = SelectDecoder::new();
    decoder.feed(&prelude(too_big, 0));
    assert_eq!(
        decoder.next_event(),
        Err(SelectError::FrameTooLarge {
            length: u64::from(too_big),
            max: DEFAULT_MAX_MESSAGE_LEN as u64
        })
    );
    // A custom limit applies too, and the exact limit is accepted.
    let message = encode_records(&[b'x'; 100]).expect("records");
    let mut small = SelectDecoder::with_max_message_len(message.len() - 1);
    small.feed(&message);
    assert!(matches!(
        small.next_event(),
        Err(SelectError::FrameTooLarge { .. })
    ));
    let mut exact = SelectDecoder::with_max_message_len(message.len());
    exact.feed(&message);
    assert!(matches!(
        exact.next_event(),
        Ok(Some(SelectEvent::Records(_)))
    ));
    // Bytes fed after an error are dropped.
    small.feed(&[0; 1000]);
    assert_eq!(small.buffered_len(), 0);
}

#[test]
fn stats_xml_is_written_exactly_and_parsed_strictly() {
    let stats = SelectStats {
        bytes_scanned: 1,
        bytes_processed: 2,
        bytes_returned: 3,
    };
    let (message, _) = Message::decode(&encode_stats(&stats))
        .expect("decode")
        .expect("complete");
    assert_eq!(
        message.payload,
        Bytes::from_static(
            b"<Stats><BytesScanned>1</BytesScanned><BytesProcessed>2</BytesProcessed><BytesReturned>3</BytesReturned></Stats>"
        )
    );
    assert_eq!(message.header_str(":content-type"), Some("text/xml"));
    // Unknown children and surrounding whitespace are accepted.
    assert_eq!(
        SelectStats::from_xml(
            b"<?xml version=\"1.0\"?>\n<Progress>\n  <BytesScanned>1</BytesScanned>\n  <Extra>x</Extra>\n  <BytesProcessed>2</BytesProcessed><BytesReturned>3</BytesReturned></Progress>"
        ),
        Ok(stats)
    );
    for bad in [
        &b""[..],
        b"not xml",
        b"<Stats><BytesScanned>1</BytesScanned>",
        b"<Stats><BytesScanned>1</BytesScanned><BytesProcessed>2</BytesProcessed></Stats>",
        b"<Stats><BytesScanned>-1</BytesScanned><BytesProcessed>2</BytesProcessed><BytesReturned>3</BytesReturned></Stats>",
        b"<Stats><BytesScanned>18446744073709551616</BytesScanned><BytesProcessed>2</BytesProcessed><BytesReturned>3</BytesReturned></Stats>",
        b"<Stats><BytesScanned>\xff</BytesScanned></Stats>",
    ] {
        assert!(
            matches!(SelectStats::from_xml(bad), Err(SelectError::InvalidStatsXml(_))),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn malformed_stats_payload_in_a_stream_is_an_error() {
    let message = encode_message(
        &[
            (":message-type", "event"),
            (":event-type", "Stats"),
            (":content-type", "text/xml"),
        ],
        b"<Stats><BytesScanned>lots</BytesScanned></Stats>",
    )
    .expect("encode");
    let outcome = decode_in_chunks(&message, 3);
    assert!(outcome.events.is_empty());
    assert!(matches!(
        outcome.ending,
        Ending::Failed(SelectError::InvalidStatsXml(_))
    ));
}

#[test]
fn error_message_without_headers_gives_empty_strings() {
    let message = encode_message(&[(":message-type", "error")], b"").expect("encode");
    let mut decoder = SelectDecoder::new();
    decoder.feed(&message);
    assert_eq!(
        decoder.next_event(),
        Ok(Some(SelectEvent::Error {
            code: String::new(),
            message: String::new()
        }))
    );
    assert!(decoder.is_ended());
    assert_eq!(decoder.finish(), Ok(()));
}

#[test]
fn messages_without_type_headers_are_unknown() {
    let message = encode_message(&[], b"").expect("encode");
    let mut decoder = SelectDecoder::new();
    decoder.feed(&message);
    assert_eq!(
        decoder.next_event(),
        Ok(Some(SelectEvent::Unknown {
            message_type: None,
            event_type: None
        }))
    );
    // An event-type header that is not a string is not treated as one.
    let typed = encode_message_with_headers(
        &[
            Header::string(":message-type", "event"),
            Header {
                name: ":event-type".to_owned(),
                value: HeaderValue::ByteArray(Bytes::from_static(b"End")),
            },
        ],
        b"",
    )
    .expect("encode");
    decoder.feed(&typed);
    assert_eq!(
        decoder.next_event(),
        Ok(Some(SelectEvent::Unknown {
            message_type: Some("event".to_owned()),
            event_type: None
        }))
    );
    assert!(!decoder.is_ended());
    assert_eq!(
        decoder.finish(),
        Err(SelectError::Truncated { buffered: 0 })
    );
}

#[test]
fn finish_reports_truncation() {
    let decoder = SelectDecoder::new();
    assert_eq!(
        decoder.finish(),
        Err(SelectError::Truncated { buffered: 0 })
    );

    let end = encode_end();
    let mut decoder = SelectDecoder::new();
    decoder.feed(end.get(..20).expect("prefix"));
    assert_eq!(decoder.next_event(), Ok(None));
    assert_eq!(decoder.buffered_len(), 20);
    assert_eq!(
        decoder.finish(),
        Err(SelectError::Truncated { buffered: 20 })
    );
    decoder.feed(end.get(20..).expect("rest"));
    assert_eq!(decoder.next_event(), Ok(Some(SelectEvent::End)));
    assert_eq!(decoder.next_event(), Ok(None));
    assert_eq!(decoder.finish(), Ok(()));
    decoder.feed(&encode_end());
    assert_eq!(decoder.buffered_len(), 0);
    assert_eq!(decoder.next_event(), Ok(None));

    // Bytes that arrive in the same chunk as End are released as well.
    let mut decoder = SelectDecoder::new();
    let mut chunk = encode_end();
    chunk.extend_from_slice(&[0xab; 100]);
    decoder.feed(&chunk);
    assert_eq!(decoder.next_event(), Ok(Some(SelectEvent::End)));
    assert_eq!(decoder.buffered_len(), 0);
    assert_eq!(decoder.next_event(), Ok(None));
    assert_eq!(decoder.finish(), Ok(()));
}

#[test]
fn message_decode_reports_partial_input_and_consumed_length() {
    let mut stream = encode_records(b"abc").expect("records");
    let first_len = stream.len();
    stream.extend(encode_end());
    for cut in 0..first_len {
        assert_eq!(
            Message::decode(stream.get(..cut).expect("prefix")),
            Ok(None)
        );
    }
    let (message, used) = Message::decode(&stream).expect("decode").expect("complete");
    assert_eq!(used, first_len);
    assert_eq!(message.payload, Bytes::from_static(b"abc"));
    let (end, used) = Message::decode(stream.get(first_len..).expect("rest"))
        .expect("decode")
        .expect("complete");
    assert_eq!(used, stream.len() - first_len);
    assert_eq!(SelectEvent::from_message(&end), Ok(SelectEvent::End));
}

#[test]
fn encoder_rejects_what_the_format_cannot_carry() {
    let long_name = "n".repeat(256);
    assert_eq!(
        encode_message(&[(long_name.as_str(), "v")], b""),
        Err(SelectError::EncodeTooLong {
            what: "header name",
            length: 256,
            max: 255
        })
    );
    let long_value = "v".repeat(65_536);
    assert_eq!(
        encode_error("Code", &long_value),
        Err(SelectError::EncodeTooLong {
            what: "header value",
            length: 65_536,
            max: 65_535
        })
    );
    // The largest name and value still fit.
    let name = "n".repeat(255);
    let value = "v".repeat(65_535);
    let message = encode_message(&[(name.as_str(), value.as_str())], b"").expect("fits");
    let (decoded, _) = Message::decode(&message)
        .expect("decode")
        .expect("complete");
    assert_eq!(decoded.headers, vec![Header::string(name, value)]);
    // A Records payload too large for one message must be split by the caller.
    let huge = vec![0u8; DEFAULT_MAX_MESSAGE_LEN];
    assert!(matches!(
        encode_records(&huge),
        Err(SelectError::FrameTooLarge { .. })
    ));
}

#[test]
fn errors_display_their_details() {
    let err = SelectError::MessageCrcMismatch {
        expected: 0xdead_beef,
        actual: 1,
    };
    assert_eq!(
        err.to_string(),
        "event stream message CRC mismatch: stream says 0xdeadbeef, computed 0x00000001"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(SelectError::Truncated { buffered: 3 });
    assert!(boxed.to_string().contains("truncated"));
}
