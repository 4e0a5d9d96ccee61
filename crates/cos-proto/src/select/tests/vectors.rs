//! The shared vectors produced by the reference Python SDK (`select_eventstream.json`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::Value;

use super::{Ending, Outcome, decode_in_chunks};
use crate::select::{
    Header, HeaderValue, Message, SelectError, SelectEvent, SelectStats, encode_continuation,
    encode_end, encode_error, encode_message_with_headers, encode_progress, encode_records,
    encode_stats,
};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/vectors/select_eventstream.json"
);

fn load_cases() -> Vec<Value> {
    let text = std::fs::read_to_string(VECTORS).expect("read select_eventstream.json");
    let json: Value = serde_json::from_str(&text).expect("parse select_eventstream.json");
    let cases = json["cases"].as_array().expect("cases array").clone();
    assert!(!cases.is_empty(), "no cases in {VECTORS}");
    assert_eq!(
        json["meta"]["case_count"].as_u64(),
        Some(cases.len() as u64),
        "meta.case_count"
    );
    cases
}

fn b64(value: &Value) -> Vec<u8> {
    STANDARD
        .decode(value.as_str().expect("base64 string"))
        .expect("valid base64")
}

fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("string field {key} in {value}"))
}

fn u64_field(value: &Value, key: &str) -> u64 {
    value[key]
        .as_u64()
        .unwrap_or_else(|| panic!("integer field {key} in {value}"))
}

fn bool_field(value: &Value, key: &str) -> bool {
    value[key]
        .as_bool()
        .unwrap_or_else(|| panic!("bool field {key} in {value}"))
}

/// One entry of a case's `messages`, as the file describes it.
#[derive(Debug)]
enum VectorMessage {
    Complete {
        headers: Vec<(String, String)>,
        payload: Vec<u8>,
        prelude_crc: u32,
        prelude_crc_valid: bool,
        message_crc: u32,
        message_crc_valid: bool,
        total_length: usize,
    },
    Partial {
        length: usize,
    },
}

impl VectorMessage {
    fn parse(m: &Value) -> Self {
        if m.get("partial_bytes_base64").is_some() {
            let length = usize::try_from(u64_field(m, "length")).expect("length");
            assert_eq!(
                b64(&m["partial_bytes_base64"]).len(),
                length,
                "partial length"
            );
            return VectorMessage::Partial { length };
        }
        let headers = m["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .map(|h| {
                assert_eq!(
                    u64_field(h, "type"),
                    7,
                    "only string headers in the vectors"
                );
                (
                    str_field(h, "name").to_owned(),
                    str_field(h, "value").to_owned(),
                )
            })
            .collect();
        VectorMessage::Complete {
            headers,
            payload: b64(&m["payload_base64"]),
            prelude_crc: u32::try_from(u64_field(m, "prelude_crc")).expect("u32"),
            prelude_crc_valid: bool_field(m, "prelude_crc_valid"),
            message_crc: u32::try_from(u64_field(m, "message_crc")).expect("u32"),
            message_crc_valid: bool_field(m, "message_crc_valid"),
            total_length: usize::try_from(u64_field(m, "total_length")).expect("usize"),
        }
    }

    fn len(&self) -> usize {
        match self {
            VectorMessage::Complete { total_length, .. } => *total_length,
            VectorMessage::Partial { length } => *length,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        match self {
            VectorMessage::Complete { headers, .. } => headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str()),
            VectorMessage::Partial { .. } => None,
        }
    }

    fn is_terminal(&self) -> bool {
        self.header(":message-type") == Some("error")
            || (self.header(":message-type") == Some("event")
                && self.header(":event-type") == Some("End"))
    }
}

/// Converts a reference `Stats`/`Progress` `Details` object (strings) to our counters.
fn stats_from_details(details: &Value) -> SelectStats {
    let counter = |key: &str| -> u64 {
        str_field(details, key)
            .parse()
            .unwrap_or_else(|e| panic!("{key} in {details}: {e}"))
    };
    SelectStats {
        bytes_scanned: counter("BytesScanned"),
        bytes_processed: counter("BytesProcessed"),
        bytes_returned: counter("BytesReturned"),
    }
}

/// Converts one reference event to ours; `null` needs the message it came from.
fn event_from_reference(event: &Value, message: &VectorMessage) -> SelectEvent {
    if event.is_null() {
        return SelectEvent::Unknown {
            message_type: message.header(":message-type").map(str::to_owned),
            event_type: message.header(":event-type").map(str::to_owned),
        };
    }
    let object = event.as_object().expect("event object");
    assert_eq!(object.len(), 1, "one key per event: {event}");
    let (kind, body) = object.iter().next().expect("one key");
    match kind.as_str() {
        "Records" => SelectEvent::Records(Bytes::from(b64(&body["Payload"]["$base64"]))),
        "Stats" => SelectEvent::Stats(stats_from_details(&body["Details"])),
        "Progress" => SelectEvent::Progress(stats_from_details(&body["Details"])),
        "Cont" => SelectEvent::Continuation,
        "End" => SelectEvent::End,
        other => panic!("unknown reference event kind {other}"),
    }
}

/// What our decoder must do on a case, derived from the file's per-message data.
fn expected_outcome(case: &Value, messages: &[VectorMessage]) -> Outcome {
    let id = str_field(case, "id");
    let reference_events = case["events"].as_array().expect("events");
    let ended_with = str_field(case, "ended_with");
    let mut events = Vec::new();
    for (index, message) in messages.iter().enumerate() {
        match message {
            VectorMessage::Partial { length } => {
                assert_eq!(
                    ended_with, "exception",
                    "{id}: reference accepted a cut message"
                );
                return Outcome {
                    events,
                    ending: Ending::Finished(Err(SelectError::Truncated { buffered: *length })),
                };
            }
            VectorMessage::Complete {
                prelude_crc,
                prelude_crc_valid,
                message_crc,
                message_crc_valid,
                ..
            } => {
                // The reference skips CRC checks; we stop with a typed error instead.
                if !prelude_crc_valid {
                    return Outcome {
                        events,
                        ending: Ending::Failed(SelectError::PreludeCrcMismatch {
                            expected: *prelude_crc,
                            actual: 0, // replaced by the caller: only `expected` is in the file
                        }),
                    };
                }
                if !message_crc_valid {
                    return Outcome {
                        events,
                        ending: Ending::Failed(SelectError::MessageCrcMismatch {
                            expected: *message_crc,
                            actual: 0,
                        }),
                    };
                }
            }
        }
        if message.header(":message-type") == Some("error") {
            // The reference raised CosServiceError from the error headers.
            assert_eq!(ended_with, "exception", "{id}");
            assert_eq!(
                reference_events.len(),
                index,
                "{id}: events before the error"
            );
            let error = &case["error"];
            assert_eq!(str_field(error, "type"), "CosServiceError", "{id}");
            assert_eq!(
                Some(str_field(error, "error_code")),
                message.header(":error-code"),
                "{id}"
            );
            assert_eq!(
                Some(str_field(error, "error_msg")),
                message.header(":error-message"),
                "{id}"
            );
            events.push(SelectEvent::Error {
                code: str_field(error, "error_code").to_owned(),
                message: str_field(error, "error_msg").to_owned(),
            });
            return Outcome {
                events,
                ending: Ending::Finished(Ok(())),
            };
        }
        let reference = reference_events
            .get(index)
            .unwrap_or_else(|| panic!("{id}: no reference event for message {index}"));
        events.push(event_from_reference(reference, message));
        if message.is_terminal() {
            assert_eq!(ended_with, "StopIteration", "{id}");
            assert_eq!(reference_events.len(), index + 1, "{id}: events after End");
            return Outcome {
                events,
                ending: Ending::Finished(Ok(())),
            };
        }
    }
    // All messages complete but no End: the reference hit EOF reading the next prelude.
    assert_eq!(ended_with, "exception", "{id}: reference ended without End");
    Outcome {
        events,
        ending: Ending::Finished(Err(SelectError::Truncated { buffered: 0 })),
    }
}

/// Checks `actual` against `expected`, where a CRC error's `actual` field is recomputed
/// (the file records only the CRC that was sent) but must differ from `expected`.
fn assert_outcome(id: &str, chunk: usize, actual: &Outcome, expected: &Outcome) {
    assert_eq!(
        actual.events, expected.events,
        "{id} (chunks of {chunk}): events"
    );
    match (&actual.ending, &expected.ending) {
        (
            Ending::Failed(SelectError::PreludeCrcMismatch {
                expected: a,
                actual: computed,
            }),
            Ending::Failed(SelectError::PreludeCrcMismatch { expected: e, .. }),
        )
        | (
            Ending::Failed(SelectError::MessageCrcMismatch {
                expected: a,
                actual: computed,
            }),
            Ending::Failed(SelectError::MessageCrcMismatch { expected: e, .. }),
        ) => {
            assert_eq!(a, e, "{id} (chunks of {chunk}): CRC in the stream");
            assert_ne!(a, computed, "{id} (chunks of {chunk}): computed CRC");
        }
        (a, e) => assert_eq!(a, e, "{id} (chunks of {chunk}): ending"),
    }
}

#[test]
fn vectors_decode_like_the_reference_with_crc_checks() {
    let mut crc_cases = 0;
    let mut truncated_cases = 0;
    let mut error_cases = 0;
    for case in load_cases() {
        let id = str_field(&case, "id");
        let stream = b64(&case["stream_base64"]);
        assert_eq!(
            stream.len() as u64,
            u64_field(&case, "stream_length"),
            "{id}"
        );
        let messages: Vec<VectorMessage> = case["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(VectorMessage::parse)
            .collect();
        assert_eq!(
            messages.iter().map(VectorMessage::len).sum::<usize>(),
            stream.len(),
            "{id}: messages make up the stream"
        );
        let expected = expected_outcome(&case, &messages);
        match &expected.ending {
            Ending::Failed(_) => crc_cases += 1,
            Ending::Finished(Err(SelectError::Truncated { .. })) => truncated_cases += 1,
            _ => {}
        }
        if matches!(expected.events.last(), Some(SelectEvent::Error { .. })) {
            error_cases += 1;
        }
        for chunk in [stream.len().max(1), 1, 7] {
            let actual = decode_in_chunks(&stream, chunk);
            assert_outcome(id, chunk, &actual, &expected);
        }
        // The reference's get_select_result(), when it returned, is our Records concatenated.
        if let Some(result) = case["get_select_result_base64"].as_str() {
            let ours: Vec<u8> = decode_in_chunks(&stream, 7)
                .events
                .iter()
                .filter_map(|e| match e {
                    SelectEvent::Records(b) => Some(b.to_vec()),
                    _ => None,
                })
                .flatten()
                .collect();
            let reference = STANDARD.decode(result).expect("base64");
            if matches!(expected.ending, Ending::Failed(_)) {
                // The reference accepted a message we reject; its bytes are in its result.
                assert_ne!(ours, reference, "{id}");
            } else {
                assert_eq!(ours, reference, "{id}: get_select_result");
            }
        }
    }
    // The file exercises each path; if it stops doing so this test should say so.
    assert!(crc_cases >= 1, "no CRC-mismatch case in the vectors");
    assert!(truncated_cases >= 1, "no truncated case in the vectors");
    assert!(error_cases >= 1, "no error-message case in the vectors");
}

/// Every complete vector message with valid CRCs is reproduced byte for byte by the encoder,
/// both generically and by the typed helper for its event type.
#[test]
fn encoder_reproduces_vector_messages() {
    let mut helper_matches = 0;
    for case in load_cases() {
        let id = str_field(&case, "id");
        let stream = b64(&case["stream_base64"]);
        let mut offset = 0;
        for m in case["messages"].as_array().expect("messages") {
            let message = VectorMessage::parse(m);
            let raw = stream
                .get(offset..offset + message.len())
                .expect("message within stream");
            offset += message.len();
            let VectorMessage::Complete {
                headers,
                payload,
                prelude_crc_valid: true,
                message_crc_valid: true,
                ..
            } = &message
            else {
                continue;
            };
            let typed: Vec<Header> = headers
                .iter()
                .map(|(n, v)| Header::string(n.as_str(), v.as_str()))
                .collect();
            let encoded = encode_message_with_headers(&typed, payload).expect("encode");
            assert_eq!(encoded, raw, "{id}: generic encoder");

            let (decoded, used) = Message::decode(raw).expect("decode").expect("complete");
            assert_eq!(used, raw.len(), "{id}");
            assert_eq!(decoded.headers, typed, "{id}");
            assert_eq!(decoded.payload, payload.as_slice(), "{id}");

            let by_helper = match SelectEvent::from_message(&decoded).expect("event") {
                SelectEvent::Records(p) => Some(encode_records(&p).expect("records")),
                SelectEvent::Stats(s) => Some(encode_stats(&s)),
                SelectEvent::Progress(s) => Some(encode_progress(&s)),
                SelectEvent::Continuation => Some(encode_continuation()),
                SelectEvent::End => Some(encode_end()),
                SelectEvent::Error { code, message } => {
                    Some(encode_error(&code, &message).expect("error"))
                }
                _ => None,
            };
            // Helpers use COS's header order; a vector that varies it must differ.
            let standard_order = headers.first().map(|(n, _)| n.as_str()) == Some(":message-type");
            if let Some(by_helper) = by_helper {
                if standard_order {
                    assert_eq!(by_helper, raw, "{id}: typed encoder helper");
                    helper_matches += 1;
                } else {
                    assert_ne!(by_helper, raw, "{id}");
                }
            }
        }
    }
    assert!(helper_matches >= 6, "only {helper_matches} helper matches");
}

/// The header types the vectors use are all strings; check our lookups see them as such.
#[test]
fn vector_headers_are_string_typed() {
    let case = load_cases().into_iter().next().expect("a case");
    let stream = b64(&case["stream_base64"]);
    let (message, _) = Message::decode(&stream).expect("decode").expect("complete");
    assert!(!message.headers.is_empty());
    for header in &message.headers {
        assert!(matches!(header.value, HeaderValue::String(_)), "{header:?}");
    }
}
