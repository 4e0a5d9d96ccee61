//! The Select event-stream decoder: arbitrary bytes in arbitrary chunks, and encoded event
//! sequences that must decode to what was encoded.

use cos_proto::driver::select_stream::SelectStream;
use cos_proto::select::{
    self, DEFAULT_MAX_MESSAGE_LEN, Header, HeaderValue, Message, SelectDecoder, SelectError,
    SelectEvent, SelectStats,
};

use crate::input::{Reader, Writer};

/// What a decoder made of a whole input: its events, then how it ended.
type Decoded = (Vec<SelectEvent>, Result<(), SelectError>);

/// Chunk sizes from a seed: a small linear congruential sequence of sizes 1 to 64.
fn chunks(data: &[u8], seed: u8) -> Vec<&[u8]> {
    let mut state = u32::from(seed) | 1;
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = ((state >> 16) % 64 + 1) as usize;
        let (head, tail) = rest.split_at(size.min(rest.len()));
        out.push(head);
        rest = tail;
    }
    out
}

fn decode<'a>(max: usize, chunks: impl IntoIterator<Item = &'a [u8]>) -> Decoded {
    let mut decoder = SelectDecoder::with_max_message_len(max);
    let mut events = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        loop {
            match decoder.next_event() {
                Ok(Some(event)) => events.push(event),
                Ok(None) => break,
                Err(err) => {
                    assert_eq!(
                        decoder.finish(),
                        Err(err.clone()),
                        "the error did not stick"
                    );
                    return (events, Err(err));
                }
            }
        }
    }
    (events, decoder.finish())
}

fn stream<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<String> {
    let mut stream = SelectStream::with_request_id(Some("r".to_owned()));
    let mut seen = Vec::new();
    for chunk in chunks {
        stream.feed(chunk);
        loop {
            match stream.next_event() {
                Ok(Some(event)) => seen.push(format!("{event:?}")),
                Ok(None) => break,
                Err(err) => {
                    seen.push(format!("{err:?}"));
                    break;
                }
            }
        }
    }
    seen.push(format!("{:?}", stream.finish()));
    seen
}

/// Rewrites both CRCs of every message that the length fields delimit, so that mutations
/// reach the header and event parsers behind the CRC checks.
fn fix_crcs(data: &mut [u8]) {
    let mut pos = 0usize;
    while let Some(prelude) = data.get(pos..pos + 12) {
        let total = u32::from_be_bytes([prelude[0], prelude[1], prelude[2], prelude[3]]) as usize;
        let end = pos.saturating_add(total);
        if total < 16 || end > data.len() {
            break;
        }
        let crc = crc32(&data[pos..pos + 8]);
        data[pos + 8..pos + 12].copy_from_slice(&crc.to_be_bytes());
        let crc = crc32(&data[pos..end - 4]);
        data[end - 4..end].copy_from_slice(&crc.to_be_bytes());
        pos = end;
    }
}

/// CRC-32/ISO-HDLC (the event stream's), bit by bit: the fuzz crate stays independent of
/// the decoder's own implementation.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `[flags][chunk seed] body`: the decoder yields the same events and the same end
/// whether the body arrives whole, in pseudo-random chunks or byte by byte. Flag bit 0
/// repairs the CRCs first; bits 1-2 pick the message size limit.
pub fn select_decoder(data: &[u8]) {
    let mut r = Reader::new(data);
    let flags = r.u8();
    let seed = r.u8();
    let mut body = r.rest().to_vec();
    if flags & 1 == 1 {
        fix_crcs(&mut body);
    }
    let max = [DEFAULT_MAX_MESSAGE_LEN, 16, 64, 1024][usize::from(flags >> 1 & 3)];
    let whole = decode(max, [&body[..]]);
    let records: usize = whole
        .0
        .iter()
        .map(|e| match e {
            SelectEvent::Records(bytes) => bytes.len(),
            _ => 0,
        })
        .sum();
    assert!(records <= body.len());
    assert_eq!(
        decode(max, chunks(&body, seed)),
        whole,
        "chunking changed the result"
    );
    if body.len() <= 4096 {
        assert_eq!(
            decode(max, body.chunks(1)),
            whole,
            "byte-wise feeding changed the result"
        );
    }
    if max == DEFAULT_MAX_MESSAGE_LEN {
        assert_eq!(stream(chunks(&body, seed)), stream([&body[..]]));
    }
}

/// One event of a [`select_roundtrip`] program, and its encoding.
fn next_message(r: &mut Reader<'_>) -> Option<(Vec<u8>, SelectEvent)> {
    let stats = |r: &mut Reader<'_>| SelectStats {
        bytes_scanned: u64::from(r.u32()),
        bytes_processed: u64::from(r.u32()),
        bytes_returned: u64::from(r.u32()),
    };
    Some(match r.u8() % 8 {
        0 => {
            let payload = r.short_bytes();
            let event = SelectEvent::Records(bytes::Bytes::copy_from_slice(payload));
            (select::encode_records(payload).ok()?, event)
        }
        1 => (select::encode_continuation(), SelectEvent::Continuation),
        2 => {
            let s = stats(r);
            (select::encode_progress(&s), SelectEvent::Progress(s))
        }
        3 => {
            let s = stats(r);
            (select::encode_stats(&s), SelectEvent::Stats(s))
        }
        4 => (select::encode_end(), SelectEvent::End),
        5 => {
            let (code, message) = (r.short_string(), r.short_string());
            let encoded = select::encode_error(&code, &message).ok()?;
            (encoded, SelectEvent::Error { code, message })
        }
        6 => {
            let event_type = format!("X{}", r.short_string());
            let encoded = select::encode_message(
                &[
                    (select::MESSAGE_TYPE, "event"),
                    (select::EVENT_TYPE, &event_type),
                ],
                r.short_bytes(),
            )
            .ok()?;
            let event = SelectEvent::Unknown {
                message_type: Some("event".to_owned()),
                event_type: Some(event_type),
            };
            (encoded, event)
        }
        _ => {
            let message = typed_message(r);
            let encoded =
                select::encode_message_with_headers(&message.headers, &message.payload).ok()?;
            let (decoded, used) = Message::decode(&encoded)
                .expect("an encoded message decodes")
                .expect("an encoded message is complete");
            assert_eq!((&decoded, used), (&message, encoded.len()));
            let event = SelectEvent::from_message(&message).ok()?;
            (encoded, event)
        }
    })
}

/// A message with headers of every wire type.
fn typed_message(r: &mut Reader<'_>) -> Message {
    let count = r.u8() % 8;
    let headers = (0..count)
        .map(|_| {
            let name = r.short_string();
            let value = match r.u8() % 10 {
                0 => HeaderValue::Bool(true),
                1 => HeaderValue::Bool(false),
                2 => HeaderValue::Byte(r.u8() as i8),
                3 => HeaderValue::Int16(r.u16() as i16),
                4 => HeaderValue::Int32(r.u32() as i32),
                5 => HeaderValue::Int64(i64::from(r.u32()) << 32 | i64::from(r.u32())),
                6 => HeaderValue::ByteArray(bytes::Bytes::copy_from_slice(r.short_bytes())),
                7 => HeaderValue::String(r.short_string()),
                8 => HeaderValue::Timestamp(i64::from(r.u32())),
                _ => {
                    let mut uuid = [0u8; 16];
                    uuid.iter_mut().for_each(|b| *b = r.u8());
                    HeaderValue::Uuid(uuid)
                }
            };
            Header { name, value }
        })
        .collect();
    Message {
        headers,
        payload: bytes::Bytes::copy_from_slice(r.short_bytes()),
    }
}

/// `[chunk seed] program`: a sequence of events (records, progress, stats, end, errors,
/// unknown and typed-header messages) is encoded, then decoded in pseudo-random chunks;
/// the decoder must return exactly the events up to the first terminal one.
pub fn select_roundtrip(data: &[u8]) {
    let mut r = Reader::new(data);
    let seed = r.u8();
    let mut body = Vec::new();
    let mut expected = Vec::new();
    while !r.is_empty() && expected.len() < 64 {
        if let Some((encoded, event)) = next_message(&mut r) {
            body.extend_from_slice(&encoded);
            expected.push(event);
        }
    }
    let terminal = expected.iter().position(SelectEvent::is_terminal);
    if let Some(i) = terminal {
        expected.truncate(i + 1);
    }
    let (events, end) = decode(DEFAULT_MAX_MESSAGE_LEN, chunks(&body, seed));
    assert_eq!(events, expected);
    match terminal {
        Some(_) => assert_eq!(end, Ok(())),
        None => assert_eq!(end, Err(SelectError::Truncated { buffered: 0 })),
    }
}

/// Writes a [`select_roundtrip`] program (for seeds): `events` are `(tag, operand bytes)`.
pub fn roundtrip_program(seed: u8, events: &[(u8, &[u8])]) -> Vec<u8> {
    let mut w = Writer::default();
    w.u8(seed);
    for (tag, operands) in events {
        w.u8(*tag).bytes(operands);
    }
    w.buf
}
