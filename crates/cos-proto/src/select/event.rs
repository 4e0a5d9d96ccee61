//! Typed SelectObjectContent events and their classification from raw messages.

use bytes::Bytes;
use serde::Deserialize;

use super::error::SelectError;
use super::frame::Message;

/// Header naming the message kind: `event` or `error`.
pub const MESSAGE_TYPE: &str = ":message-type";
/// Header naming the event kind of an `event` message: `Records`, `Cont`, `Progress`, `Stats`, `End`.
pub const EVENT_TYPE: &str = ":event-type";
/// Header naming the payload's media type.
pub const CONTENT_TYPE: &str = ":content-type";
/// Header carrying the service error code of an `error` message.
pub const ERROR_CODE: &str = ":error-code";
/// Header carrying the service error message of an `error` message.
pub const ERROR_MESSAGE: &str = ":error-message";

/// The byte counters of a `Stats` or `Progress` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SelectStats {
    /// `BytesScanned`: bytes of the object scanned so far.
    pub bytes_scanned: u64,
    /// `BytesProcessed`: bytes processed (after decompression) so far.
    pub bytes_processed: u64,
    /// `BytesReturned`: bytes of result returned so far.
    pub bytes_returned: u64,
}

impl SelectStats {
    /// Parses a `<Stats>` or `<Progress>` XML payload. All three counters must be present;
    /// unknown child elements are ignored. Any other shape is [`SelectError::InvalidStatsXml`].
    pub fn from_xml(payload: &[u8]) -> Result<SelectStats, SelectError> {
        let text = std::str::from_utf8(payload)
            .map_err(|e| SelectError::InvalidStatsXml(format!("payload is not UTF-8: {e}")))?;
        quick_xml::de::from_str(text).map_err(|e| SelectError::InvalidStatsXml(e.to_string()))
    }
}

/// One event of a SelectObjectContent response stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectEvent {
    /// A chunk of the query result (`:event-type` `Records`). The caller appends it to the
    /// result; record boundaries do not align with chunk boundaries.
    Records(Bytes),
    /// A keep-alive (`:event-type` `Cont`); the caller ignores it.
    Continuation,
    /// Progress counters (`:event-type` `Progress`), sent only when progress was requested.
    Progress(SelectStats),
    /// Final counters (`:event-type` `Stats`).
    Stats(SelectStats),
    /// The successful end of the stream (`:event-type` `End`); the decoder ignores everything
    /// after it.
    End,
    /// An `error` message: the query failed mid-stream. The caller must turn it into a service
    /// error (the HTTP status was already 200). The decoder ignores everything after it.
    /// A missing `:error-code` / `:error-message` header gives an empty string.
    Error {
        /// The `:error-code` header, e.g. `InternalError`.
        code: String,
        /// The `:error-message` header.
        message: String,
    },
    /// A message this decoder does not recognise (another message type or event type). The
    /// caller should skip it; it is reported so nothing is dropped silently.
    Unknown {
        /// The `:message-type` header, if present as a string.
        message_type: Option<String>,
        /// The `:event-type` header, if present as a string.
        event_type: Option<String>,
    },
}

impl SelectEvent {
    /// Classifies a decoded message. Fails only if a `Stats`/`Progress` payload is not valid XML.
    pub fn from_message(message: &Message) -> Result<SelectEvent, SelectError> {
        let message_type = message.header_str(MESSAGE_TYPE);
        let event_type = message.header_str(EVENT_TYPE);
        Ok(match (message_type, event_type) {
            (Some("event"), Some("Records")) => SelectEvent::Records(message.payload.clone()),
            (Some("event"), Some("Cont")) => SelectEvent::Continuation,
            (Some("event"), Some("Progress")) => {
                SelectEvent::Progress(SelectStats::from_xml(&message.payload)?)
            }
            (Some("event"), Some("Stats")) => {
                SelectEvent::Stats(SelectStats::from_xml(&message.payload)?)
            }
            (Some("event"), Some("End")) => SelectEvent::End,
            (Some("error"), _) => SelectEvent::Error {
                code: message
                    .header_str(ERROR_CODE)
                    .unwrap_or_default()
                    .to_owned(),
                message: message
                    .header_str(ERROR_MESSAGE)
                    .unwrap_or_default()
                    .to_owned(),
            },
            (message_type, event_type) => SelectEvent::Unknown {
                message_type: message_type.map(str::to_owned),
                event_type: event_type.map(str::to_owned),
            },
        })
    }

    /// Whether this event ends the stream ([`SelectEvent::End`] or [`SelectEvent::Error`]).
    pub fn is_terminal(&self) -> bool {
        matches!(self, SelectEvent::End | SelectEvent::Error { .. })
    }
}
