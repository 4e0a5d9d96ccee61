//! The incremental (Sans-IO) decoder: bytes in, events out.

use bytes::BytesMut;

use super::error::SelectError;
use super::event::SelectEvent;
use super::frame::{DEFAULT_MAX_MESSAGE_LEN, Prelude};

/// Incremental decoder of a SelectObjectContent response body.
///
/// The caller drives it: [`feed`](Self::feed) each chunk of the HTTP body as it arrives (any
/// sizes, even one byte at a time), then call [`next_event`](Self::next_event) until it
/// returns `Ok(None)`, and repeat. When the body ends, call [`finish`](Self::finish) to learn
/// whether the stream was complete. The decoder does no I/O.
///
/// Both CRCs of every message are checked. After [`SelectEvent::End`] or
/// [`SelectEvent::Error`] further bytes are ignored. After the first `Err`, the decoder is
/// poisoned and returns that same error from every later call.
#[derive(Debug)]
pub struct SelectDecoder {
    /// Bytes received and not yet consumed; always starts at a message boundary.
    buf: BytesMut,
    /// The checked prelude of the message at the front of `buf`, once known.
    pending: Option<Prelude>,
    /// Largest accepted `total_length`.
    max_message_len: usize,
    /// Set once a terminal event (`End` or `Error`) was returned.
    ended: bool,
    /// Set by the first error; returned again by every later call.
    failed: Option<SelectError>,
}

impl Default for SelectDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl SelectDecoder {
    /// A decoder with the default message size limit ([`DEFAULT_MAX_MESSAGE_LEN`], 16 MiB).
    #[must_use]
    pub fn new() -> Self {
        Self::with_max_message_len(DEFAULT_MAX_MESSAGE_LEN)
    }

    /// A decoder that rejects messages whose `total_length` exceeds `max_message_len` with
    /// [`SelectError::FrameTooLarge`], so a corrupt or hostile length never makes it buffer
    /// without bound.
    #[must_use]
    pub fn with_max_message_len(max_message_len: usize) -> Self {
        SelectDecoder {
            buf: BytesMut::new(),
            pending: None,
            max_message_len,
            ended: false,
            failed: None,
        }
    }

    /// Appends the next chunk of the response body. Bytes after a terminal event, or after an
    /// error, are discarded.
    pub fn feed(&mut self, data: &[u8]) {
        if !self.ended && self.failed.is_none() {
            self.buf.extend_from_slice(data);
        }
    }

    /// Returns the next complete event, or `Ok(None)` when more bytes must be fed first (or the
    /// stream has ended). Call it repeatedly after each [`feed`](Self::feed) until `Ok(None)`.
    pub fn next_event(&mut self) -> Result<Option<SelectEvent>, SelectError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        match self.decode_next() {
            Ok(event) => Ok(event),
            Err(err) => {
                self.failed = Some(err.clone());
                self.buf = BytesMut::new();
                self.pending = None;
                Err(err)
            }
        }
    }

    /// Declares the end of the input. Call it after [`next_event`](Self::next_event) has
    /// returned `Ok(None)` for the last fed bytes.
    ///
    /// Returns `Ok(())` if a terminal event ([`SelectEvent::End`] or [`SelectEvent::Error`])
    /// was returned; otherwise [`SelectError::Truncated`] (with the count of buffered bytes of
    /// an incomplete message, 0 if the input stopped between messages), or the error that
    /// poisoned the decoder.
    pub fn finish(&self) -> Result<(), SelectError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if self.ended {
            return Ok(());
        }
        Err(SelectError::Truncated {
            buffered: self.buf.len(),
        })
    }

    /// Whether a terminal event ([`SelectEvent::End`] or [`SelectEvent::Error`]) was returned;
    /// the caller may stop reading the body then.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Number of received bytes not yet turned into events.
    pub fn buffered_len(&self) -> usize {
        self.buf.len()
    }

    fn decode_next(&mut self) -> Result<Option<SelectEvent>, SelectError> {
        if self.ended {
            return Ok(None);
        }
        let prelude = match self.pending {
            Some(prelude) => prelude,
            None => match Prelude::parse(&self.buf, self.max_message_len)? {
                Some(prelude) => prelude,
                None => return Ok(None),
            },
        };
        if self.buf.len() < prelude.total_length {
            if self.pending.is_none() {
                self.pending = Some(prelude);
                // One allocation for the whole message instead of repeated growth.
                self.buf
                    .reserve(prelude.total_length.saturating_sub(self.buf.len()));
            }
            return Ok(None);
        }
        self.pending = None;
        let frame = self.buf.split_to(prelude.total_length).freeze();
        let message = prelude.decode_frame(frame)?;
        let event = SelectEvent::from_message(&message)?;
        if event.is_terminal() {
            self.ended = true;
            self.buf = BytesMut::new();
        }
        Ok(Some(event))
    }
}
