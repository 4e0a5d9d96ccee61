//! A Select answer as a stream of events, for drivers: [`SelectDecoder`] plus the rules
//! of the response around it — the stream ends at `End`, and an `error` event (which COS
//! sends after its `200` status line) is a [`ServiceError`] with status 200.
//!
//! ```
//! use cos_proto::select::{encode_error, encode_records, SelectEvent};
//! use cos_proto::driver::select_stream::{SelectStream, SelectStreamError};
//!
//! let mut stream = SelectStream::with_request_id(Some("req-1".to_owned()));
//! let mut body = encode_records(b"1,a\n").unwrap();
//! body.extend(encode_error("InternalError", "boom").unwrap());
//! stream.feed(&body);
//! assert!(matches!(stream.next_event(), Ok(Some(SelectEvent::Records(_)))));
//! match stream.next_event() {
//!     Err(SelectStreamError::Service(err)) => {
//!         assert_eq!((err.status, err.code()), (200, "InternalError"));
//!         assert_eq!(err.request_id.as_deref(), Some("req-1"));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert!(stream.is_finished());
//! ```

use crate::error::ServiceError;
use crate::ops::SelectObjectContentOutput;
use crate::select::{SelectDecoder, SelectError, SelectEvent};

/// Why a Select stream failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectStreamError {
    /// The query failed mid-stream (`error` event): status 200, the event's code and
    /// message, the response's request id.
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// The stream is malformed, or ended before `End`.
    #[error(transparent)]
    Decode(#[from] SelectError),
}

/// The events of one Select answer; feed it the body as it arrives.
#[derive(Debug)]
pub struct SelectStream {
    decoder: SelectDecoder,
    request_id: Option<String>,
    finished: bool,
}

impl SelectStream {
    /// Follows the body of the answer `output`.
    pub fn new(output: &SelectObjectContentOutput) -> Self {
        Self::with_request_id(output.request_id.clone())
    }

    /// Follows a body whose response had this `x-cos-request-id`.
    pub fn with_request_id(request_id: Option<String>) -> Self {
        Self {
            decoder: SelectDecoder::new(),
            request_id,
            finished: false,
        }
    }

    /// Adds body bytes (ignored once the stream is finished).
    pub fn feed(&mut self, data: &[u8]) {
        if !self.finished {
            self.decoder.feed(data);
        }
    }

    /// The next event, up to and including [`SelectEvent::End`]; `Ok(None)` when more
    /// bytes are needed or the stream is finished. After an `Err` the stream is finished.
    pub fn next_event(&mut self) -> Result<Option<SelectEvent>, SelectStreamError> {
        if self.finished {
            return Ok(None);
        }
        match self.decoder.next_event() {
            Ok(Some(SelectEvent::Error { code, message })) => {
                self.finished = true;
                let mut err = ServiceError::new(200);
                err.code = Some(code);
                err.message = Some(message);
                err.request_id = self.request_id.clone();
                Err(SelectStreamError::Service(Box::new(err)))
            }
            Ok(Some(event)) => {
                if event.is_terminal() {
                    self.finished = true;
                }
                Ok(Some(event))
            }
            Ok(None) => Ok(None),
            Err(err) => {
                self.finished = true;
                Err(err.into())
            }
        }
    }

    /// The body ended: fine after `End`, an error otherwise.
    pub fn finish(&mut self) -> Result<(), SelectStreamError> {
        let was_finished = self.finished;
        self.finished = true;
        if was_finished {
            return Ok(());
        }
        self.decoder.finish().map_err(Into::into)
    }

    /// `true` after `End`, an error, or [`SelectStream::finish`].
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::{SelectStats, encode_end, encode_records, encode_stats};

    #[test]
    fn events_until_end_then_nothing() {
        let mut body = encode_records(b"a\n").expect("records");
        body.extend(encode_stats(&SelectStats::default()));
        body.extend(encode_end());
        body.extend(encode_records(b"ignored").expect("records"));
        let mut stream = SelectStream::with_request_id(None);
        let mut events = Vec::new();
        for chunk in body.chunks(3) {
            stream.feed(chunk);
            while let Some(event) = stream.next_event().expect("event") {
                events.push(event);
            }
        }
        assert_eq!(events.len(), 3);
        assert_eq!(events.last(), Some(&SelectEvent::End));
        assert!(stream.is_finished());
        assert_eq!(stream.finish(), Ok(()));
    }

    #[test]
    fn a_stream_without_end_is_truncated() {
        let mut stream = SelectStream::with_request_id(None);
        stream.feed(&encode_records(b"a\n").expect("records"));
        assert!(matches!(
            stream.next_event(),
            Ok(Some(SelectEvent::Records(_)))
        ));
        assert_eq!(stream.next_event(), Ok(None));
        assert!(matches!(
            stream.finish(),
            Err(SelectStreamError::Decode(SelectError::Truncated { .. }))
        ));
    }
}
