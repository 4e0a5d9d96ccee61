//! `select_eventstream.json`: the SelectObjectContent event stream.
//!
//! The reference SDK checks no CRC; `cos-proto` checks both, so a case whose message
//! carries a bad CRC must end in a CRC error here where the reference returned data.

use cos_proto::select::{SelectDecoder, SelectError, SelectEvent, SelectStats};
use serde_json::Value;

use super::value::{b64, str_at};
use super::{Mismatches, Verdict};

pub(super) fn check(_meta: &Value, case: &Value) -> Verdict {
    match check_inner(case) {
        Ok(m) => m.verdict(),
        Err(e) => Verdict::Fail(e),
    }
}

fn stats(details: &Value) -> Result<SelectStats, String> {
    let field = |name: &str| -> Result<u64, String> {
        details
            .get(name)
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad {name}"))
    };
    Ok(SelectStats {
        bytes_scanned: field("BytesScanned")?,
        bytes_processed: field("BytesProcessed")?,
        bytes_returned: field("BytesReturned")?,
    })
}

fn expected_event(value: &Value) -> Result<SelectEvent, String> {
    if value.is_null() {
        return Ok(SelectEvent::Unknown {
            message_type: None,
            event_type: None,
        });
    }
    if let Some(payload) = value
        .pointer("/Records/Payload/$base64")
        .and_then(Value::as_str)
    {
        return Ok(SelectEvent::Records(b64(payload)?.into()));
    }
    if let Some(details) = value.pointer("/Stats/Details") {
        return Ok(SelectEvent::Stats(stats(details)?));
    }
    if let Some(details) = value.pointer("/Progress/Details") {
        return Ok(SelectEvent::Progress(stats(details)?));
    }
    if value.get("Cont").is_some() {
        return Ok(SelectEvent::Continuation);
    }
    if value.get("End").is_some() {
        return Ok(SelectEvent::End);
    }
    Err(format!("unknown event {value}"))
}

/// Decodes the stream fed in `chunk`-byte pieces: the events, then the terminal error.
fn decode(stream: &[u8], chunk: usize) -> (Vec<SelectEvent>, Option<SelectError>) {
    let mut decoder = SelectDecoder::new();
    let mut events = Vec::new();
    for piece in stream.chunks(chunk.max(1)) {
        decoder.feed(piece);
        loop {
            match decoder.next_event() {
                Ok(Some(event)) => events.push(event),
                Ok(None) => break,
                Err(err) => return (events, Some(err)),
            }
        }
    }
    (events, decoder.finish().err())
}

fn same_kind(expected: &SelectEvent, actual: &SelectEvent) -> bool {
    match (expected, actual) {
        (SelectEvent::Unknown { .. }, SelectEvent::Unknown { .. }) => true,
        _ => expected == actual,
    }
}

fn check_inner(case: &Value) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    let stream = b64(str_at(case, "stream_base64")?)?;
    let messages = case
        .get("messages")
        .and_then(Value::as_array)
        .ok_or("missing messages")?;
    let first_bad_crc = messages.iter().position(|msg| {
        msg.get("prelude_crc_valid") == Some(&Value::Bool(false))
            || msg.get("message_crc_valid") == Some(&Value::Bool(false))
    });
    let reference: Vec<SelectEvent> = case
        .get("events")
        .and_then(Value::as_array)
        .ok_or("missing events")?
        .iter()
        .map(expected_event)
        .collect::<Result<_, _>>()?;
    let service_error = case
        .get("error")
        .filter(|e| e.get("type").and_then(Value::as_str) == Some("CosServiceError"));
    for chunk in [stream.len().max(1), 1, 7] {
        let (events, error) = decode(&stream, chunk);
        let label = format!("chunks of {chunk}");
        if let Some(bad) = first_bad_crc {
            // Every event before the corrupt message, then a CRC error.
            let before = reference.len().min(bad);
            let ok = events.len() == before
                && reference.iter().zip(&events).all(|(e, a)| same_kind(e, a))
                && matches!(
                    error,
                    Some(
                        SelectError::PreludeCrcMismatch { .. }
                            | SelectError::MessageCrcMismatch { .. }
                    )
                );
            if !ok {
                m.push(format!(
                    "{label}: expected {before} events then a CRC error, got {events:?} / {error:?}"
                ));
            }
            continue;
        }
        if let Some(err) = service_error {
            let code = err
                .get("error_code")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let message = err
                .get("error_msg")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let expected_last = SelectEvent::Error {
                code: code.to_owned(),
                message: message.to_owned(),
            };
            let mut expected = reference.clone();
            expected.push(expected_last);
            let same = expected.len() == events.len()
                && expected.iter().zip(&events).all(|(e, a)| same_kind(e, a));
            if !same || error.is_some() {
                m.push(format!(
                    "{label}: expected {expected:?}, got {events:?} / {error:?}"
                ));
            }
            continue;
        }
        let same = reference.len() == events.len()
            && reference.iter().zip(&events).all(|(e, a)| same_kind(e, a));
        if !same {
            m.push(format!(
                "{label}: expected events {reference:?}, got {events:?}"
            ));
        }
        let ended_normally = str_at(case, "ended_with")? == "StopIteration";
        match (ended_normally, &error) {
            (true, None) | (false, Some(_)) => {}
            (true, Some(err)) => m.push(format!("{label}: unexpected error {err}")),
            (false, None) => m.push(format!(
                "{label}: the reference failed (truncated stream) but we did not"
            )),
        }
        if let Some(result) = case.get("get_select_result_base64").and_then(Value::as_str) {
            let records: Vec<u8> = events
                .iter()
                .filter_map(|e| match e {
                    SelectEvent::Records(bytes) => Some(bytes.to_vec()),
                    _ => None,
                })
                .flatten()
                .collect();
            m.eq(&format!("{label}: records"), &b64(result)?, &records);
        }
    }
    Ok(m)
}
