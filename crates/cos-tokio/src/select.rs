//! SelectObjectContent: the event stream, decoded incrementally by the core's decoder.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use cos_proto::driver::error::select_broken;
use cos_proto::driver::select_stream::SelectStream;
use cos_proto::ops::{SelectObjectContent, SelectObjectContentOutput};
use cos_proto::select::SelectEvent;
use futures_core::Stream;
use hyper::body::{Body, Incoming};
use tokio::time::{Instant, Sleep};

use crate::body::UploadBody;
use crate::client::Client;
use cos_proto::retry::TransportFailure;

use crate::error::Error;

/// The events of a Select answer, decoded incrementally as they arrive (memory is
/// bounded by one message). Yields every event up to and including
/// [`SelectEvent::End`]; an `error` event becomes an `Err` holding a service error
/// (status 200, its code and message); a stream that stops before `End` is an `Err` too.
pub struct SelectEvents {
    /// The response headers.
    pub output: SelectObjectContentOutput,
    incoming: Option<Incoming>,
    stream: SelectStream,
    stall: Pin<Box<Sleep>>,
    stall_timeout: std::time::Duration,
    done: bool,
}

impl fmt::Debug for SelectEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectEvents")
            .field("output", &self.output)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl SelectEvents {
    /// The next event; `None` after `End`.
    pub async fn next_event(&mut self) -> Option<Result<SelectEvent, Error>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// Runs the stream to its end and returns the concatenated records.
    pub async fn records(mut self) -> Result<Bytes, Error> {
        let mut all = Vec::new();
        while let Some(event) = self.next_event().await {
            if let SelectEvent::Records(bytes) = event? {
                all.extend_from_slice(&bytes);
            }
        }
        Ok(Bytes::from(all))
    }

    fn fail(&mut self, err: Error) -> Poll<Option<Result<SelectEvent, Error>>> {
        self.done = true;
        self.incoming = None;
        // Nothing more will be read: end the stream after this error.
        let _ = self.stream.finish();
        Poll::Ready(Some(Err(err)))
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<SelectEvent, Error>>> {
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            match self.stream.next_event() {
                Ok(Some(event)) => return Poll::Ready(Some(Ok(event))),
                Ok(None) if self.stream.is_finished() => {
                    self.done = true;
                    self.incoming = None;
                    return Poll::Ready(None);
                }
                Ok(None) => {}
                Err(err) => return self.fail(Error::from(err)),
            }
            let Some(incoming) = self.incoming.as_mut() else {
                return self.fail(Error::Unsupported("the select body is gone"));
            };
            match Pin::new(incoming).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        self.stream.feed(&data);
                        let deadline = Instant::now() + self.stall_timeout;
                        self.stall.as_mut().reset(deadline);
                    }
                }
                Poll::Ready(Some(Err(err))) => {
                    return self.fail(select_broken(
                        crate::transport::classify(&err, false),
                        Box::new(err),
                    ));
                }
                Poll::Ready(None) => {
                    self.done = true;
                    self.incoming = None;
                    return Poll::Ready(self.stream.finish().err().map(|e| Err(e.into())));
                }
                Poll::Pending => {
                    ready!(self.stall.as_mut().poll(cx));
                    return self.fail(select_broken(
                        TransportFailure::Timeout,
                        format!("no select data for {:?}", self.stall_timeout).into(),
                    ));
                }
            }
        }
    }
}

impl Stream for SelectEvents {
    type Item = Result<SelectEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl Client {
    /// Runs a Select query; the events stream in as COS sends them.
    pub async fn select_object_content(
        &self,
        op: &SelectObjectContent,
    ) -> Result<SelectEvents, Error> {
        let (output, incoming) = self.execute(op, &mut UploadBody::empty()).await?;
        let incoming = incoming.ok_or(Error::Unsupported("a Select answer without a body"))?;
        let stall_timeout = self.inner.stall_timeout;
        let stream = SelectStream::new(&output);
        Ok(SelectEvents {
            output,
            incoming: Some(incoming.0),
            stream,
            stall: Box::pin(tokio::time::sleep(stall_timeout)),
            stall_timeout,
            done: false,
        })
    }
}
