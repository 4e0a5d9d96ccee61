//! The one error type of the event-stream decoder and encoder.

/// Everything that can go wrong while decoding (or encoding) a SelectObjectContent event stream.
///
/// The decoder is poisoned by its first error: every later call returns the same error again,
/// so the caller should stop reading the HTTP body and report it. A service-side error message
/// in the stream is *not* a `SelectError`; it arrives as [`SelectEvent::Error`](super::SelectEvent::Error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// The CRC-32 of the first 8 bytes of a message does not match the prelude CRC field.
    #[error(
        "event stream prelude CRC mismatch: stream says {expected:#010x}, computed {actual:#010x}"
    )]
    PreludeCrcMismatch {
        /// The CRC carried in the stream.
        expected: u32,
        /// The CRC computed over the received prelude.
        actual: u32,
    },
    /// The CRC-32 of a whole message does not match its trailing message CRC field.
    #[error(
        "event stream message CRC mismatch: stream says {expected:#010x}, computed {actual:#010x}"
    )]
    MessageCrcMismatch {
        /// The CRC carried in the stream.
        expected: u32,
        /// The CRC computed over the received message.
        actual: u32,
    },
    /// A message declares (or an encoded message would have) a total length above the limit.
    #[error("event stream message of {length} bytes exceeds the limit of {max} bytes")]
    FrameTooLarge {
        /// The declared or required total length in bytes.
        length: u64,
        /// The limit in force.
        max: u64,
    },
    /// The prelude's lengths are inconsistent: `total_length < 16` or
    /// `headers_length > total_length - 16`.
    #[error("invalid event stream message lengths: total {total_length}, headers {headers_length}")]
    InvalidLength {
        /// The declared total message length.
        total_length: u32,
        /// The declared length of the headers section.
        headers_length: u32,
    },
    /// The headers section is malformed (a header runs past the section's end, or similar).
    #[error("invalid event stream header: {reason}")]
    InvalidHeader {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A header has a value type this decoder does not know (known: 0 to 9).
    #[error("unknown event stream header value type {value_type}")]
    UnknownHeaderType {
        /// The value type byte found in the stream.
        value_type: u8,
    },
    /// A header name or string header value is not valid UTF-8.
    #[error("event stream {what} is not valid UTF-8")]
    InvalidUtf8 {
        /// Which part was invalid (`"header name"` or `"header value"`).
        what: &'static str,
    },
    /// The XML payload of a `Stats` or `Progress` event could not be parsed.
    #[error("invalid Stats/Progress XML payload: {0}")]
    InvalidStatsXml(String),
    /// The input ended before an `End` event: either in the middle of a message
    /// (`buffered > 0`) or cleanly between messages (`buffered == 0`).
    #[error(
        "event stream truncated before End ({buffered} bytes of an incomplete message buffered)"
    )]
    Truncated {
        /// Bytes left in the decoder's buffer that do not form a complete message.
        buffered: usize,
    },
    /// The encoder was given a header name, header value or payload too long for the format.
    #[error("cannot encode event stream {what} of {length} bytes (at most {max})")]
    EncodeTooLong {
        /// Which part was too long (`"header name"`, `"header value"`, `"headers"`).
        what: &'static str,
        /// Its length in bytes.
        length: usize,
        /// The largest length the format allows.
        max: usize,
    },
}
