//! Select results: the event stream decoded as it arrives.

use std::fmt;
use std::io::{self, Read};

use bytes::Bytes;
use cos_proto::driver::error::select_broken;
use cos_proto::driver::select_stream::SelectStream;
use cos_proto::ops::SelectObjectContentOutput;
use cos_proto::select::SelectEvent;

use crate::error::Error;
use crate::transport::classify_io;

const READ_SIZE: usize = 64 * 1024;

/// The events of a Select answer, decoded incrementally by
/// [`cos_proto::driver::select_stream::SelectStream`] (memory is bounded by one message).
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

impl SelectEvents {
    /// The next event; `None` after `End`.
    pub fn next_event(&mut self) -> Option<Result<SelectEvent, Error>> {
        loop {
            match self.stream.next_event() {
                Ok(Some(event)) => return Some(Ok(event)),
                Ok(None) if self.stream.is_finished() => return None,
                Ok(None) => {}
                Err(err) => return Some(Err(err.into())),
            }
            match self.reader.read(&mut self.buffer) {
                Ok(0) => return self.stream.finish().err().map(|e| Err(e.into())),
                Ok(n) => self.stream.feed(&self.buffer[..n]),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    // Nothing more will be read: end the stream after this error.
                    let _ = self.stream.finish();
                    return Some(Err(select_broken(classify_io(&err), Box::new(err))));
                }
            }
        }
    }

    /// Runs the stream to its end and returns the concatenated records.
    pub fn records(mut self) -> Result<Bytes, Error> {
        let mut all = Vec::new();
        while let Some(event) = self.next_event() {
            if let SelectEvent::Records(bytes) = event? {
                all.extend_from_slice(&bytes);
            }
        }
        Ok(Bytes::from(all))
    }
}

impl Iterator for SelectEvents {
    type Item = Result<SelectEvent, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event()
    }
}
