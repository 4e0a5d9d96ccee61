//! Message framing: the prelude, the two CRCs and the typed headers of one event-stream message.
//!
//! Layout (all integers big-endian):
//! `total_length u32 | headers_length u32 | prelude_crc u32 | headers | payload | message_crc u32`.

use bytes::Bytes;

use super::error::SelectError;

/// Length of the prelude: `total_length`, `headers_length` and `prelude_crc`.
pub const PRELUDE_LEN: usize = 12;
/// Length of the trailing message CRC.
pub const MESSAGE_CRC_LEN: usize = 4;
/// Smallest possible message: a prelude, no headers, no payload and the message CRC.
pub const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + MESSAGE_CRC_LEN;
/// Default upper bound on a message's `total_length` (16 MiB). Larger messages are rejected
/// with [`SelectError::FrameTooLarge`] instead of being buffered.
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 16 * 1024 * 1024;

/// The CRC-32 used by the format (CRC-32/ISO-HDLC, the zlib `crc32`).
pub(crate) fn crc32(data: &[u8]) -> u32 {
    crc_fast::crc32_iso_hdlc(data)
}

/// A typed header value. The wire type byte of each variant is given in its doc.
///
/// Only strings (type 7) occur in COS Select streams; the other types are decoded so that an
/// unusual header never desynchronises the parser.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderValue {
    /// Types 0 (`true`) and 1 (`false`): no value bytes.
    Bool(bool),
    /// Type 2: one signed byte.
    Byte(i8),
    /// Type 3: a big-endian `i16`.
    Int16(i16),
    /// Type 4: a big-endian `i32`.
    Int32(i32),
    /// Type 5: a big-endian `i64`.
    Int64(i64),
    /// Type 6: raw bytes with a `u16` length prefix.
    ByteArray(Bytes),
    /// Type 7: a UTF-8 string with a `u16` length prefix.
    String(String),
    /// Type 8: milliseconds since the Unix epoch, a big-endian `i64`.
    Timestamp(i64),
    /// Type 9: a 16-byte UUID.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The string inside a [`HeaderValue::String`]; `None` for every other type.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The wire type byte of this value (0 to 9).
    pub fn wire_type(&self) -> u8 {
        match self {
            HeaderValue::Bool(true) => 0,
            HeaderValue::Bool(false) => 1,
            HeaderValue::Byte(_) => 2,
            HeaderValue::Int16(_) => 3,
            HeaderValue::Int32(_) => 4,
            HeaderValue::Int64(_) => 5,
            HeaderValue::ByteArray(_) => 6,
            HeaderValue::String(_) => 7,
            HeaderValue::Timestamp(_) => 8,
            HeaderValue::Uuid(_) => 9,
        }
    }
}

/// One message header: a name (UTF-8, at most 255 bytes on the wire) and a typed value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    /// The header name, e.g. `:message-type`.
    pub name: String,
    /// The header value.
    pub value: HeaderValue,
}

impl Header {
    /// A header with a string (type 7) value, the only kind COS sends.
    pub fn string(name: impl Into<String>, value: impl Into<String>) -> Self {
        Header {
            name: name.into(),
            value: HeaderValue::String(value.into()),
        }
    }
}

/// One complete, CRC-checked event-stream message: its headers in wire order and its payload.
///
/// Most callers want [`SelectEvent`](super::SelectEvent) (via
/// [`SelectDecoder`](super::SelectDecoder)) instead; this lower level is for tools and tests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The headers, in the order they appeared on the wire (duplicates kept).
    pub headers: Vec<Header>,
    /// The payload bytes.
    pub payload: Bytes,
}

impl Message {
    /// The value of the first header named `name`, if any.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.value)
    }

    /// The value of the first header named `name` if it is a string header; `None` if the
    /// header is absent or has another type.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(HeaderValue::as_str)
    }

    /// Decodes the first message of `input`, checking both CRCs, with the default size limit
    /// [`DEFAULT_MAX_MESSAGE_LEN`].
    ///
    /// Returns `Ok(None)` if `input` does not yet hold a whole message (the caller must supply
    /// more bytes), or the message and the number of bytes it used; the caller must skip that
    /// many bytes before decoding the next message.
    pub fn decode(input: &[u8]) -> Result<Option<(Message, usize)>, SelectError> {
        let Some(prelude) = Prelude::parse(input, DEFAULT_MAX_MESSAGE_LEN)? else {
            return Ok(None);
        };
        let Some(frame) = input.get(..prelude.total_length) else {
            return Ok(None);
        };
        let message = prelude.decode_frame(Bytes::copy_from_slice(frame))?;
        Ok(Some((message, prelude.total_length)))
    }
}

/// A validated prelude: the lengths of the message it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prelude {
    /// Total message length in bytes, between [`MIN_MESSAGE_LEN`] and the limit.
    pub(crate) total_length: usize,
    /// Length of the headers section; at most `total_length - MIN_MESSAGE_LEN`.
    pub(crate) headers_length: usize,
}

impl Prelude {
    /// Parses and checks the prelude at the start of `input`: `Ok(None)` if fewer than
    /// [`PRELUDE_LEN`] bytes are available.
    pub(crate) fn parse(input: &[u8], max_len: usize) -> Result<Option<Prelude>, SelectError> {
        let Some((raw, _)) = input.split_first_chunk::<PRELUDE_LEN>() else {
            return Ok(None);
        };
        let [t0, t1, t2, t3, h0, h1, h2, h3, c0, c1, c2, c3] = *raw;
        let expected = u32::from_be_bytes([c0, c1, c2, c3]);
        let actual = crc32(&[t0, t1, t2, t3, h0, h1, h2, h3]);
        if expected != actual {
            return Err(SelectError::PreludeCrcMismatch { expected, actual });
        }
        let total_length = u32::from_be_bytes([t0, t1, t2, t3]);
        let headers_length = u32::from_be_bytes([h0, h1, h2, h3]);
        let invalid = SelectError::InvalidLength {
            total_length,
            headers_length,
        };
        let total = usize::try_from(total_length).map_err(|_| invalid.clone())?;
        let headers = usize::try_from(headers_length).map_err(|_| invalid.clone())?;
        if total < MIN_MESSAGE_LEN {
            return Err(invalid);
        }
        if total > max_len {
            return Err(SelectError::FrameTooLarge {
                length: u64::from(total_length),
                max: u64::try_from(max_len).unwrap_or(u64::MAX),
            });
        }
        if headers > total.saturating_sub(MIN_MESSAGE_LEN) {
            return Err(invalid);
        }
        Ok(Some(Prelude {
            total_length: total,
            headers_length: headers,
        }))
    }

    /// Checks the message CRC of `frame` (exactly `total_length` bytes, starting with this
    /// prelude) and splits it into headers and payload.
    pub(crate) fn decode_frame(self, frame: Bytes) -> Result<Message, SelectError> {
        let invalid = || SelectError::InvalidLength {
            total_length: u32::try_from(self.total_length).unwrap_or(u32::MAX),
            headers_length: u32::try_from(self.headers_length).unwrap_or(u32::MAX),
        };
        if frame.len() != self.total_length {
            return Err(invalid());
        }
        let (body, crc_bytes) = frame
            .split_last_chunk::<MESSAGE_CRC_LEN>()
            .ok_or_else(invalid)?;
        let expected = u32::from_be_bytes(*crc_bytes);
        let actual = crc32(body);
        if expected != actual {
            return Err(SelectError::MessageCrcMismatch { expected, actual });
        }
        let headers_end = PRELUDE_LEN
            .checked_add(self.headers_length)
            .ok_or_else(invalid)?;
        let payload_end = body.len();
        let header_bytes = body.get(PRELUDE_LEN..headers_end).ok_or_else(invalid)?;
        let headers = parse_headers(header_bytes)?;
        // `get` above proved `headers_end <= payload_end <= frame.len()`, so this cannot panic.
        let payload = frame.slice(headers_end..payload_end);
        Ok(Message { headers, payload })
    }
}

const HEADER_OVERRUN: SelectError = SelectError::InvalidHeader {
    reason: "header runs past the end of the headers section",
};

/// Takes `N` bytes from the front of `buf`.
fn take<const N: usize>(buf: &[u8]) -> Result<([u8; N], &[u8]), SelectError> {
    let (head, rest) = buf.split_first_chunk::<N>().ok_or(HEADER_OVERRUN)?;
    Ok((*head, rest))
}

/// Takes a `u16`-length-prefixed byte string from the front of `buf`.
fn take_prefixed(buf: &[u8]) -> Result<(&[u8], &[u8]), SelectError> {
    let (len, rest) = take::<2>(buf)?;
    rest.split_at_checked(usize::from(u16::from_be_bytes(len)))
        .ok_or(HEADER_OVERRUN)
}

/// Parses a whole headers section. Every byte must belong to a header.
pub(crate) fn parse_headers(mut buf: &[u8]) -> Result<Vec<Header>, SelectError> {
    let mut headers = Vec::new();
    while let Some((&name_len, rest)) = buf.split_first() {
        let (name, rest) = rest
            .split_at_checked(usize::from(name_len))
            .ok_or(HEADER_OVERRUN)?;
        let name = std::str::from_utf8(name)
            .map_err(|_| SelectError::InvalidUtf8 {
                what: "header name",
            })?
            .to_owned();
        let (&value_type, rest) = rest.split_first().ok_or(HEADER_OVERRUN)?;
        let (value, rest) = parse_value(value_type, rest)?;
        headers.push(Header { name, value });
        buf = rest;
    }
    Ok(headers)
}

/// Parses one header value of wire type `value_type` from the front of `buf`.
fn parse_value(value_type: u8, buf: &[u8]) -> Result<(HeaderValue, &[u8]), SelectError> {
    Ok(match value_type {
        0 => (HeaderValue::Bool(true), buf),
        1 => (HeaderValue::Bool(false), buf),
        2 => {
            let (v, rest) = take::<1>(buf)?;
            (HeaderValue::Byte(i8::from_be_bytes(v)), rest)
        }
        3 => {
            let (v, rest) = take::<2>(buf)?;
            (HeaderValue::Int16(i16::from_be_bytes(v)), rest)
        }
        4 => {
            let (v, rest) = take::<4>(buf)?;
            (HeaderValue::Int32(i32::from_be_bytes(v)), rest)
        }
        5 => {
            let (v, rest) = take::<8>(buf)?;
            (HeaderValue::Int64(i64::from_be_bytes(v)), rest)
        }
        6 => {
            let (v, rest) = take_prefixed(buf)?;
            (HeaderValue::ByteArray(Bytes::copy_from_slice(v)), rest)
        }
        7 => {
            let (v, rest) = take_prefixed(buf)?;
            let s = std::str::from_utf8(v).map_err(|_| SelectError::InvalidUtf8 {
                what: "header value",
            })?;
            (HeaderValue::String(s.to_owned()), rest)
        }
        8 => {
            let (v, rest) = take::<8>(buf)?;
            (HeaderValue::Timestamp(i64::from_be_bytes(v)), rest)
        }
        9 => {
            let (v, rest) = take::<16>(buf)?;
            (HeaderValue::Uuid(v), rest)
        }
        other => return Err(SelectError::UnknownHeaderType { value_type: other }),
    })
}
