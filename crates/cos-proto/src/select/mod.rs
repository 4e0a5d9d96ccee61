//! SelectObjectContent response streams: the AWS event-stream format as COS uses it.
//!
//! A Select response body (HTTP 200) is a sequence of binary messages, each framed as
//! `total_length u32 | headers_length u32 | prelude_crc u32 | headers | payload | message_crc u32`
//! (big-endian, CRC-32/ISO-HDLC). Decode it with [`SelectDecoder`]: feed body chunks, pull
//! [`SelectEvent`]s, and call [`SelectDecoder::finish`] at the end of the body; a stream that
//! stops before [`SelectEvent::End`] is [`SelectError::Truncated`]. Unlike the reference
//! Python SDK, both CRCs are verified.
//!
//! The `encode_*` functions build the same messages (for the local emulator and for tests).
//!
//! ```
//! # use cos_proto::select::*;
//! let mut body = encode_records(b"1,alice\n")?;
//! body.extend(encode_end());
//!
//! let mut decoder = SelectDecoder::new();
//! let mut result = Vec::new();
//! for chunk in body.chunks(5) {
//!     decoder.feed(chunk);
//!     while let Some(event) = decoder.next_event()? {
//!         match event {
//!             SelectEvent::Records(bytes) => result.extend_from_slice(&bytes),
//!             SelectEvent::Error { code, message } => panic!("{code}: {message}"),
//!             _ => {}
//!         }
//!     }
//! }
//! decoder.finish()?;
//! assert_eq!(result, b"1,alice\n");
//! # Ok::<(), SelectError>(())
//! ```

mod decoder;
mod encoder;
mod error;
mod event;
mod frame;

#[cfg(test)]
mod tests;

pub use decoder::SelectDecoder;
pub use encoder::{
    encode_continuation, encode_end, encode_error, encode_message, encode_message_with_headers,
    encode_progress, encode_records, encode_stats,
};
pub use error::SelectError;
pub use event::{
    CONTENT_TYPE, ERROR_CODE, ERROR_MESSAGE, EVENT_TYPE, MESSAGE_TYPE, SelectEvent, SelectStats,
};
pub use frame::{
    DEFAULT_MAX_MESSAGE_LEN, Header, HeaderValue, MESSAGE_CRC_LEN, MIN_MESSAGE_LEN, Message,
    PRELUDE_LEN,
};
