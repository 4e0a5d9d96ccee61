//! The body of a GET: a stream that resumes where a broken download stopped.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use cos_proto::driver::pace::{BodyWatch, Slow};
use cos_proto::driver::resume::{ResumeError, ResumeStep, ResumingGet};
use cos_proto::ops::{GetObject, GetObjectOutput};
use cos_proto::retry::TransportFailure;
use futures_core::Stream;
use hyper::body::{Body, Incoming};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::body::UploadBody;
use crate::client::{Client, StreamedBody};
use crate::error::{BoxError, Error};
use crate::transport::classify;
use cos_transfer::drive::jitter;

type ResumeFuture =
    Pin<Box<dyn Future<Output = Result<(GetObjectOutput, Option<StreamedBody>), Error>> + Send>>;

/// The body of a GET Object: an [`AsyncRead`] and a `Stream<Item = io::Result<Bytes>>`
/// (errors travel inside the `io::Error`; [`Error::from_io`] recovers them), or
/// [`ObjectBody::next_chunk`] with the crate's [`Error`].
///
/// The core's [`ResumingGet`] follows the body: if the connection breaks, stalls, moves
/// more slowly than the client's minimum-progress rule, or the body stops short of its
/// `Content-Length`, it waits the core's backoff and sends the core's continuation
/// ([`GetObject::resume`]: ranged, pinned with `If-Match`, so an overwritten object fails
/// with 412) through the same retrying machinery, then goes on — the first request and
/// the resumes together are at most the retry policy's attempts. It never ends short
/// silently, and it checks the CRC-64 against `x-cos-hash-crc64ecma` when the whole
/// object was fetched and COS announced one. The client's call deadline, if any, covers
/// the body and its resumes too. The stall timeout and the minimum-progress rule judge
/// only the time spent waiting on the server: not polling the body between chunks costs
/// nothing but the deadline.
pub struct ObjectBody {
    client: Client,
    download: ResumingGet,
    key: String,
    incoming: Option<Incoming>,
    resuming: Option<ResumeFuture>,
    timer: Pin<Box<Sleep>>,
    last_progress: Instant,
    watch: BodyWatch,
    started: Instant,
    leftover: Bytes,
    done: bool,
}

impl fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectBody")
            .field("key", &self.key)
            .field("expected", &self.download.expected())
            .field("received", &self.download.received())
            .field("resumes", &self.download.resumes())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ObjectBody {
    pub(crate) fn new(
        client: Client,
        op: &GetObject,
        first: &GetObjectOutput,
        incoming: Incoming,
        started: Instant,
    ) -> Self {
        let download = client.inner.settings.resuming_get(op, first);
        let mut watch = client.inner.settings.body_watch(started.elapsed());
        // Until the caller first polls, the body waits on the caller.
        watch.pause(started.elapsed());
        let mut body = Self {
            client,
            download,
            key: op.key().to_owned(),
            incoming: Some(incoming),
            resuming: None,
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
            last_progress: Instant::now(),
            watch,
            started,
            leftover: Bytes::new(),
            done: false,
        };
        body.rearm();
        body
    }

    /// Bytes delivered so far.
    pub fn received(&self) -> u64 {
        self.download.received()
    }

    /// How many times the download was resumed.
    pub fn resumes(&self) -> u32 {
        self.download.resumes()
    }

    /// The number of bytes the body carries, when COS said (`Content-Length`).
    pub fn expected_len(&self) -> Option<u64> {
        self.download.expected()
    }

    /// After the end: every announced byte arrived (the core's rule).
    pub(crate) fn check_complete(&self) -> Result<(), Error> {
        self.download
            .check_complete()
            .map_err(|err| Error::from_download(err, None))
    }

    /// The next chunk (never empty); `None` at the verified end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// Reads the whole body into memory (for small objects).
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let mut all = cos_transfer::drive::BodyCollector::new(
            self.expected_len()
                .map(|len| len.saturating_sub(self.received())),
        );
        while let Some(chunk) = self.next_chunk().await {
            all.push(&chunk?);
        }
        Ok(all.finish())
    }

    /// Body bytes moved: the stall timer restarts.
    fn progressed(&mut self, n: u64) {
        self.last_progress = Instant::now();
        // Judged at the next wake (these bytes are good either way).
        let _ = self.watch.on_bytes(self.started.elapsed(), n);
        self.rearm();
    }

    /// A chunk goes to the caller: until it polls again, the body waits on the caller,
    /// and neither the stall timeout nor the minimum-progress rule runs.
    fn handed_over(&mut self) {
        self.watch.pause(self.started.elapsed());
    }

    /// The caller polls again: from now the body waits on the server.
    fn asked_again(&mut self) {
        if self.watch.is_paused() {
            self.watch.unpause(self.started.elapsed());
            self.last_progress = Instant::now();
            self.rearm();
        }
    }

    /// Wakes at the stall deadline, or at the next minimum-progress check if earlier.
    fn rearm(&mut self) {
        let stalled = self.last_progress + self.client.inner.stall_timeout;
        let wake = match self.watch.next_check() {
            Some(at) => stalled.min(self.started + at),
            None => stalled,
        };
        self.timer.as_mut().reset(wake);
    }

    /// The timer fired: `Ok` when the body may go on waiting; `Err(None)` when the
    /// call's deadline passed; `Err(Some(why))` when this connection must be given up
    /// (stalled, or too slow) and the download resumed.
    fn judge(&mut self) -> Result<(), Option<BoxError>> {
        let stall = self.client.inner.stall_timeout;
        if self.last_progress.elapsed() >= stall {
            return Err(Some(format!("no data for {stall:?}").into()));
        }
        match self.watch.check(self.started.elapsed()) {
            Ok(()) => {
                self.rearm();
                Ok(())
            }
            Err(Slow::Deadline(_)) => Err(None),
            Err(slow) => Err(Some(Box::new(slow))),
        }
    }

    /// Acts on the core's decision after the body ended or broke (`cause`: the
    /// transport's error, for the report).
    fn follow(
        &mut self,
        next: Result<ResumeStep, ResumeError>,
        cause: Option<BoxError>,
    ) -> Result<bool, Error> {
        self.incoming = None;
        match next.map_err(|err| download_error(err, cause))? {
            ResumeStep::Done => {
                self.done = true;
                Ok(true)
            }
            ResumeStep::Resume { request, after } => {
                tracing::info!(
                    key = %self.key,
                    received = self.download.received(),
                    resume = self.download.resumes(),
                    "download broke; resuming"
                );
                let client = self.client.clone();
                let started = self.started;
                self.resuming = Some(Box::pin(async move {
                    tokio::time::sleep(after).await;
                    // A continuation of the same call: its deadline runs from the start.
                    client
                        .execute_since(&*request, &mut UploadBody::empty(), started)
                        .await
                }));
                Ok(false)
            }
        }
    }

    fn fail(&mut self, err: Error) -> Poll<Option<Result<Bytes, Error>>> {
        self.done = true;
        self.incoming = None;
        self.resuming = None;
        Poll::Ready(Some(Err(err)))
    }

    pub(crate) fn poll_chunk(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Error>>> {
        if !self.leftover.is_empty() {
            return Poll::Ready(Some(Ok(std::mem::take(&mut self.leftover))));
        }
        self.asked_again();
        loop {
            if self.done {
                return Poll::Ready(None);
            }
            if let Some(resuming) = self.resuming.as_mut() {
                let result = ready!(resuming.as_mut().poll(cx));
                self.resuming = None;
                let installed = result.and_then(|(output, incoming)| {
                    self.download
                        .on_resumed(&output)
                        .map_err(|err| download_error(err, None))?;
                    incoming.ok_or(Error::Unsupported("a resumed download has no body"))
                });
                match installed {
                    Ok((incoming, _)) => {
                        self.incoming = Some(incoming);
                        self.watch.restart(self.started.elapsed());
                        self.progressed(0);
                    }
                    Err(err) => return self.fail(err),
                }
            }
            let Some(incoming) = self.incoming.as_mut() else {
                return self.fail(Error::Unsupported("the object body is gone"));
            };
            let step = match Pin::new(incoming).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    if data.is_empty() {
                        continue;
                    }
                    if let Err(err) = self.download.on_data(&data) {
                        return self.fail(download_error(err, None));
                    }
                    self.progressed(data.len() as u64);
                    self.handed_over();
                    return Poll::Ready(Some(Ok(data)));
                }
                Poll::Ready(Some(Err(err))) if ends_early(&err) => {
                    // hyper reports a body cut before its Content-Length as an
                    // unexpected end of file: the body ended early.
                    let next = self.download.on_end(jitter(), self.started.elapsed());
                    self.follow(next, Some(Box::new(err)))
                }
                Poll::Ready(Some(Err(err))) => {
                    let next = self.download.on_break(
                        classify(&err, false),
                        jitter(),
                        self.started.elapsed(),
                    );
                    self.follow(next, Some(Box::new(err)))
                }
                Poll::Ready(None) => {
                    let next = self.download.on_end(jitter(), self.started.elapsed());
                    self.follow(next, None)
                }
                Poll::Pending => {
                    ready!(self.timer.as_mut().poll(cx));
                    match self.judge() {
                        Ok(()) => continue,
                        Err(None) => {
                            return self.fail(Error::deadline_passed(
                                "GetObject",
                                self.download.resumes() + 1,
                            ));
                        }
                        Err(Some(why)) => {
                            let next = self.download.on_break(
                                TransportFailure::Timeout,
                                jitter(),
                                self.started.elapsed(),
                            );
                            self.follow(next, Some(why))
                        }
                    }
                }
            };
            match step {
                Ok(true) => return Poll::Ready(None),
                Ok(false) => {}
                Err(err) => return self.fail(err),
            }
        }
    }
}

fn download_error(err: ResumeError, cause: Option<BoxError>) -> Error {
    Error::from_download(err, cause)
}

/// Whether a body error says the body ended before its announced length.
fn ends_early(err: &hyper::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = next {
        if let Some(io_err) = current.downcast_ref::<io::Error>() {
            return io_err.kind() == io::ErrorKind::UnexpectedEof;
        }
        next = current.source();
    }
    false
}

impl Stream for ObjectBody {
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_chunk(cx)
            .map(|item| item.map(|r| r.map_err(Error::into_io)))
    }
}

impl AsyncRead for ObjectBody {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if this.leftover.is_empty() {
            match ready!(this.poll_chunk(cx)) {
                Some(Ok(chunk)) => this.leftover = chunk,
                Some(Err(err)) => return Poll::Ready(Err(err.into_io())),
                None => return Poll::Ready(Ok(())),
            }
        }
        let n = buf.remaining().min(this.leftover.len());
        buf.put_slice(&this.leftover.split_to(n));
        Poll::Ready(Ok(()))
    }
}
