//! Select results: the event stream decoded as it arrives.

use std::fmt;
use std::io::{self, Read};

use cos_proto::ops::SelectObjectContentOutput;
use cos_proto::retry::GiveUpReason;
use cos_proto::select::SelectEvent;
use cos_proto::select_stream::{SelectStream, SelectStreamError};

use crate::error::Error;
use crate::transport::classify_io;

const READ_SIZE: usize = 64 * 1024;

/// The events of a Select answer, decoded incrementally by
/// [`cos_proto::select_stream::SelectStream`] (memory is bounded by one message).
/// Yields every event up to and including [`SelectEvent::End`]; an `error` event becomes
/// an `Err` holding a service error (status 200, its code and message); a stream that
/// stops before `End` is an `Err` too. A broken connection is not retried (a query is
/// not resumable).
pub struct SelectEvents {
    reader: ureq::BodyReader<'static>,
    stream: SelectStream,
    buffer: Vec<u8>,
}

impl fmt::Debug for SelectEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectEvents")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl SelectEvents {
    pub(crate) fn new(body: ureq::Body, output: &SelectObjectContentOutput) -> Self {
        Self {
            reader: body.into_reader(),
            stream: SelectStream::new(output),
            buffer: vec![0; READ_SIZE],
        }
    }
}

fn stream_error(err: SelectStreamError) -> Error {
    match err {
        SelectStreamError::Service(err) => Error::Cos((*err).into()),
        SelectStreamError::Decode(err) => Error::Select(err),
        other => Error::Io(io::Error::other(other)),
    }
}

impl Iterator for SelectEvents {
    type Item = Result<SelectEvent, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.stream.next_event() {
                Ok(Some(event)) => return Some(Ok(event)),
                Ok(None) if self.stream.is_finished() => return None,
                Ok(None) => {}
                Err(err) => return Some(Err(stream_error(err))),
            }
            match self.reader.read(&mut self.buffer) {
                Ok(0) => return self.stream.finish().err().map(|e| Err(stream_error(e))),
                Ok(n) => self.stream.feed(&self.buffer[..n]),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    // Nothing more will be read: end the stream after this error.
                    let _ = self.stream.finish();
                    return Some(Err(Error::Transport {
                        operation: "SelectObjectContent",
                        failure: classify_io(&err),
                        reason: GiveUpReason::NotRetryable,
                        attempts: 1,
                        source: Box::new(err),
                    }));
                }
            }
        }
    }
}
