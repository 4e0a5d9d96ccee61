//! Building event-stream messages: used by the local COS emulator to answer Select requests,
//! and by tests.
//!
//! Header order follows what COS sends: `:message-type`, `:event-type`, then `:content-type`
//! when there is a payload; error messages carry `:message-type`, `:error-code`,
//! `:error-message`.

use super::error::SelectError;
use super::event::{
    CONTENT_TYPE, ERROR_CODE, ERROR_MESSAGE, EVENT_TYPE, MESSAGE_TYPE, SelectStats,
};
use super::frame::{DEFAULT_MAX_MESSAGE_LEN, Header, HeaderValue, MIN_MESSAGE_LEN, crc32};

/// Encodes one message with string (type 7) headers, in the given order, and `payload`.
///
/// Fails with [`SelectError::EncodeTooLong`] if a header name exceeds 255 bytes or a value
/// 65535 bytes, and with [`SelectError::FrameTooLarge`] if the message would exceed
/// [`DEFAULT_MAX_MESSAGE_LEN`] (the decoder's default limit): the caller must then split the
/// payload over several messages.
pub fn encode_message(headers: &[(&str, &str)], payload: &[u8]) -> Result<Vec<u8>, SelectError> {
    let headers: Vec<Header> = headers
        .iter()
        .map(|(name, value)| Header::string(*name, *value))
        .collect();
    encode_message_with_headers(&headers, payload)
}

/// Encodes one message with typed headers (any [`HeaderValue`]), in the given order, and
/// `payload`. Same limits and errors as [`encode_message`].
pub fn encode_message_with_headers(
    headers: &[Header],
    payload: &[u8],
) -> Result<Vec<u8>, SelectError> {
    let mut header_bytes = Vec::new();
    for header in headers {
        encode_header(header, &mut header_bytes)?;
    }
    let too_large = |length: usize| SelectError::FrameTooLarge {
        length: u64::try_from(length).unwrap_or(u64::MAX),
        max: u64::try_from(DEFAULT_MAX_MESSAGE_LEN).unwrap_or(u64::MAX),
    };
    let total = MIN_MESSAGE_LEN
        .checked_add(header_bytes.len())
        .and_then(|n| n.checked_add(payload.len()))
        .ok_or_else(|| too_large(usize::MAX))?;
    if total > DEFAULT_MAX_MESSAGE_LEN {
        return Err(too_large(total));
    }
    let total_length = u32::try_from(total).map_err(|_| too_large(total))?;
    let headers_length = u32::try_from(header_bytes.len()).map_err(|_| too_large(total))?;

    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&total_length.to_be_bytes());
    out.extend_from_slice(&headers_length.to_be_bytes());
    let prelude_crc = crc32(&out);
    out.extend_from_slice(&prelude_crc.to_be_bytes());
    out.extend_from_slice(&header_bytes);
    out.extend_from_slice(payload);
    let message_crc = crc32(&out);
    out.extend_from_slice(&message_crc.to_be_bytes());
    Ok(out)
}

/// Appends one header in wire form to `out`.
fn encode_header(header: &Header, out: &mut Vec<u8>) -> Result<(), SelectError> {
    let name_len = u8::try_from(header.name.len()).map_err(|_| SelectError::EncodeTooLong {
        what: "header name",
        length: header.name.len(),
        max: usize::from(u8::MAX),
    })?;
    out.push(name_len);
    out.extend_from_slice(header.name.as_bytes());
    out.push(header.value.wire_type());
    match &header.value {
        HeaderValue::Bool(_) => {}
        HeaderValue::Byte(v) => out.extend_from_slice(&v.to_be_bytes()),
        HeaderValue::Int16(v) => out.extend_from_slice(&v.to_be_bytes()),
        HeaderValue::Int32(v) => out.extend_from_slice(&v.to_be_bytes()),
        HeaderValue::Int64(v) | HeaderValue::Timestamp(v) => {
            out.extend_from_slice(&v.to_be_bytes());
        }
        HeaderValue::ByteArray(v) => encode_prefixed(v, out)?,
        HeaderValue::String(v) => encode_prefixed(v.as_bytes(), out)?,
        HeaderValue::Uuid(v) => out.extend_from_slice(v),
    }
    Ok(())
}

/// Appends a `u16`-length-prefixed byte string to `out`.
fn encode_prefixed(value: &[u8], out: &mut Vec<u8>) -> Result<(), SelectError> {
    let len = u16::try_from(value.len()).map_err(|_| SelectError::EncodeTooLong {
        what: "header value",
        length: value.len(),
        max: usize::from(u16::MAX),
    })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
    Ok(())
}

/// Encodes an `event` message with fixed headers; only the payload length can make it fail.
fn encode_event(
    event_type: &str,
    content_type: Option<&str>,
    payload: &[u8],
) -> Result<Vec<u8>, SelectError> {
    match content_type {
        Some(content_type) => encode_message(
            &[
                (MESSAGE_TYPE, "event"),
                (EVENT_TYPE, event_type),
                (CONTENT_TYPE, content_type),
            ],
            payload,
        ),
        None => encode_message(
            &[(MESSAGE_TYPE, "event"), (EVENT_TYPE, event_type)],
            payload,
        ),
    }
}

/// Encodes a `Records` event carrying `payload` (content type `application/octet-stream`).
///
/// Fails with [`SelectError::FrameTooLarge`] if `payload` does not fit in one message of
/// [`DEFAULT_MAX_MESSAGE_LEN`]; the caller must then split the result over several `Records`.
pub fn encode_records(payload: &[u8]) -> Result<Vec<u8>, SelectError> {
    encode_event("Records", Some("application/octet-stream"), payload)
}

/// The XML payload of a `Stats` or `Progress` event, e.g.
/// `<Stats><BytesScanned>1</BytesScanned><BytesProcessed>2</BytesProcessed><BytesReturned>3</BytesReturned></Stats>`.
fn stats_xml(root: &str, stats: &SelectStats) -> String {
    format!(
        "<{root}><BytesScanned>{}</BytesScanned><BytesProcessed>{}</BytesProcessed>\
         <BytesReturned>{}</BytesReturned></{root}>",
        stats.bytes_scanned, stats.bytes_processed, stats.bytes_returned
    )
}

/// Encodes the fixed-header, small-payload events below; these cannot exceed any limit.
fn encode_small_event(event_type: &str, content_type: Option<&str>, payload: &[u8]) -> Vec<u8> {
    // Headers are constant and the payload is at most a few hundred bytes, so the only error
    // cases (over-long header or frame) cannot happen; an empty Vec is never returned.
    encode_event(event_type, content_type, payload).unwrap_or_default()
}

/// Encodes a `Stats` event (content type `text/xml`) with the given counters.
#[must_use]
pub fn encode_stats(stats: &SelectStats) -> Vec<u8> {
    encode_small_event(
        "Stats",
        Some("text/xml"),
        stats_xml("Stats", stats).as_bytes(),
    )
}

/// Encodes a `Progress` event (content type `text/xml`) with the given counters.
#[must_use]
pub fn encode_progress(stats: &SelectStats) -> Vec<u8> {
    encode_small_event(
        "Progress",
        Some("text/xml"),
        stats_xml("Progress", stats).as_bytes(),
    )
}

/// Encodes a `Cont` (keep-alive) event: no payload, no content type.
#[must_use]
pub fn encode_continuation() -> Vec<u8> {
    encode_small_event("Cont", None, &[])
}

/// Encodes the `End` event that must close every successful stream.
#[must_use]
pub fn encode_end() -> Vec<u8> {
    encode_small_event("End", None, &[])
}

/// Encodes an `error` message with the `:error-code` and `:error-message` headers.
///
/// Fails with [`SelectError::EncodeTooLong`] if `code` or `message` exceeds 65535 bytes.
pub fn encode_error(code: &str, message: &str) -> Result<Vec<u8>, SelectError> {
    encode_message(
        &[
            (MESSAGE_TYPE, "error"),
            (ERROR_CODE, code),
            (ERROR_MESSAGE, message),
        ],
        &[],
    )
}
