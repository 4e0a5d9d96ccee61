//! Request bodies (streamed in, bounded) and response bodies (streamed out from a blob or
//! a buffer, optionally cut short by a fault).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};

use crate::errors::{CosError, ErrorCode};
use crate::server::ConnControl;
use crate::store::BlobSource;

/// The size of the chunks a response body is sent in.
const CHUNK: usize = 64 * 1024;

/// How long a cut body waits after its last allowed byte before ending or resetting
/// the connection, so the bytes reach the peer first.
const CUT_GRACE: Duration = Duration::from_millis(50);

/// Why a connection is being torn down.
#[derive(Debug)]
pub(crate) struct Abort(pub(crate) &'static str);

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Abort {}

/// Body bytes the emulator received and sent, over its lifetime: what a client
/// transferred, as seen from the server (a test's measure of bytes re-sent).
#[derive(Debug, Default)]
pub struct Traffic {
    received: AtomicU64,
    sent: AtomicU64,
}

impl Traffic {
    /// Request body bytes received (all requests, including broken ones).
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Response body bytes handed to the connection (including bodies cut short).
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

/// A request body being read.
#[derive(Debug)]
pub(crate) struct RequestBody {
    inner: Option<Incoming>,
    read: u64,
    traffic: Option<Arc<Traffic>>,
}

impl RequestBody {
    /// Wraps hyper's body.
    pub(crate) fn new(inner: Incoming) -> Self {
        Self {
            inner: Some(inner),
            read: 0,
            traffic: None,
        }
    }

    /// Counts this body's bytes in `traffic`.
    pub(crate) fn counted(mut self, traffic: Arc<Traffic>) -> Self {
        self.traffic = Some(traffic);
        self
    }

    /// The next chunk of data, `None` at the end. A broken connection is
    /// `IncompleteBody` (the client will not see the answer anyway).
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, CosError> {
        loop {
            let Some(inner) = self.inner.as_mut() else {
                return Ok(None);
            };
            match inner.frame().await {
                None => {
                    self.inner = None;
                    return Ok(None);
                }
                Some(Err(e)) => {
                    self.inner = None;
                    return Err(CosError::with_message(
                        ErrorCode::IncompleteBody,
                        format!("The request body could not be read: {e}"),
                    ));
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.read += data.len() as u64;
                        if let Some(traffic) = &self.traffic {
                            traffic
                                .received
                                .fetch_add(data.len() as u64, Ordering::Relaxed);
                        }
                        return Ok(Some(data));
                    }
                }
            }
        }
    }

    /// Reads a whole (small) document body: more than `limit` bytes is `error`.
    pub(crate) async fn read_document(
        &mut self,
        limit: usize,
        error: ErrorCode,
    ) -> Result<Bytes, CosError> {
        let mut out = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            if out.len() + chunk.len() > limit {
                return Err(CosError::with_message(
                    error,
                    format!("The request body exceeds the limit of {limit} bytes."),
                ));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(out))
    }

    /// Reads and drops up to `limit` more bytes, giving up after `timeout`, so that an
    /// early answer does not make the client see a broken pipe. Returns `true` if the
    /// body was read to its end.
    pub(crate) async fn drain(&mut self, limit: u64, timeout: Duration) -> bool {
        let start = self.read;
        let work = async {
            loop {
                if self.read - start > limit {
                    return false;
                }
                match self.chunk().await {
                    Ok(Some(_)) => {}
                    Ok(None) => return true,
                    Err(_) => return false,
                }
            }
        };
        tokio::time::timeout(timeout, work).await.unwrap_or(false)
    }

    /// Reads up to `limit` bytes and drops them (for the request-reset fault).
    pub(crate) async fn consume(&mut self, limit: u64) {
        while self.read < limit {
            match self.chunk().await {
                Ok(Some(_)) => {}
                _ => return,
            }
        }
    }
}

/// Where a response body's bytes come from.
#[derive(Debug)]
enum Source {
    Bytes(Option<Bytes>),
    Blob(BlobSource),
}

/// How a fault cuts a response body short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// Stop after this many bytes and close the connection.
    Truncate(u64),
    /// Stop after this many bytes and reset the connection.
    Reset(u64),
}

/// How a fault makes a response body lie or crawl.
#[derive(Debug, Default)]
struct Tamper {
    /// Flip every bit of the body byte at this offset.
    flip: Option<u64>,
    /// Send at most this many bytes per frame, each after this pause.
    trickle: Option<(usize, Duration)>,
    /// Bytes read from the source, not sent yet (trickling).
    held: Bytes,
    /// The pause before the next trickled piece.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// A response body.
#[derive(Debug)]
pub(crate) struct ResponseBody {
    source: Source,
    cut: Option<Cut>,
    conn: Option<Arc<ConnControl>>,
    sent: u64,
    done: bool,
    grace: Option<Pin<Box<tokio::time::Sleep>>>,
    traffic: Option<Arc<Traffic>>,
    tamper: Tamper,
}

impl ResponseBody {
    /// No body.
    pub(crate) fn empty() -> Self {
        Self::from_source(Source::Bytes(None))
    }

    /// A body held in memory.
    pub(crate) fn bytes(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Self::empty();
        }
        Self::from_source(Source::Bytes(Some(bytes)))
    }

    /// A body streamed from a blob.
    pub(crate) fn blob(source: BlobSource) -> Self {
        Self::from_source(Source::Blob(source))
    }

    fn from_source(source: Source) -> Self {
        Self {
            source,
            cut: None,
            conn: None,
            sent: 0,
            done: false,
            grace: None,
            traffic: None,
            tamper: Tamper::default(),
        }
    }

    /// Flips every bit of the body byte at `offset` (headers untouched).
    pub(crate) fn flip_byte(mut self, offset: u64) -> Self {
        self.tamper.flip = Some(offset);
        self
    }

    /// Sends the body `bytes` bytes at a time, `every` apart.
    pub(crate) fn trickle(mut self, bytes: u64, every: Duration) -> Self {
        let bytes = usize::try_from(bytes).unwrap_or(usize::MAX).max(1);
        self.tamper.trickle = Some((bytes, every));
        self
    }

    /// Counts this body's bytes in `traffic`.
    pub(crate) fn counted(mut self, traffic: Arc<Traffic>) -> Self {
        self.traffic = Some(traffic);
        self
    }

    /// Applies a fault to this body.
    pub(crate) fn cut(mut self, cut: Cut, conn: Arc<ConnControl>) -> Self {
        self.cut = Some(cut);
        self.conn = Some(conn);
        self
    }

    fn next_chunk(&mut self) -> Result<Option<Bytes>, Abort> {
        let chunk = match &mut self.source {
            Source::Bytes(bytes) => bytes.take(),
            Source::Blob(blob) => blob
                .read_chunk(CHUNK)
                .map_err(|_| Abort("the object data could not be read"))?,
        };
        let Some(chunk) = chunk else {
            return Ok(None);
        };
        // `sent` counts what was handed out before this chunk (trickling holds the
        // rest of a chunk back, so count it too).
        let start = self.sent + self.tamper.held.len() as u64;
        match self.tamper.flip {
            Some(at) if (start..start + chunk.len() as u64).contains(&at) => {
                let mut bytes = chunk.to_vec();
                let i = usize::try_from(at - start).unwrap_or(0);
                bytes[i] ^= 0xff;
                Ok(Some(Bytes::from(bytes)))
            }
            _ => Ok(Some(chunk)),
        }
    }

    fn remaining(&self) -> u64 {
        let unread = match &self.source {
            Source::Bytes(bytes) => bytes.as_ref().map_or(0, |b| b.len() as u64),
            Source::Blob(blob) => blob.remaining(),
        };
        unread + self.tamper.held.len() as u64
    }

    /// The next piece to send: a chunk, or with trickling the next `bytes` of it once
    /// the pause is over (`Pending` meanwhile).
    fn poll_piece(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Bytes>, Abort>> {
        let Some((bytes, every)) = self.tamper.trickle else {
            return Poll::Ready(self.next_chunk());
        };
        let pause = self
            .tamper
            .pause
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(every)));
        if pause.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.tamper.pause = None;
        if self.tamper.held.is_empty() {
            match self.next_chunk() {
                Ok(Some(chunk)) => self.tamper.held = chunk,
                other => return Poll::Ready(other),
            }
        }
        let n = bytes.min(self.tamper.held.len());
        Poll::Ready(Ok(Some(self.tamper.held.split_to(n))))
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Abort;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Abort>>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let allowed = match this.cut {
            Some(Cut::Truncate(limit)) | Some(Cut::Reset(limit)) => limit.saturating_sub(this.sent),
            None => u64::MAX,
        };
        if allowed == 0 {
            // Give hyper time to flush what was sent before the connection goes away.
            let grace = this
                .grace
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(CUT_GRACE)));
            if grace.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.done = true;
            if let Some(Cut::Reset(_)) = this.cut {
                if let Some(conn) = &this.conn {
                    conn.reset.store(true, Ordering::SeqCst);
                }
                return Poll::Ready(Some(Err(Abort("connection reset by a fault"))));
            }
            // Truncation: end the body early; hyper closes the connection because the
            // announced length was not sent.
            return Poll::Ready(None);
        }
        let piece = match this.poll_piece(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(piece) => piece,
        };
        match piece {
            Err(e) => {
                this.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Ok(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Ok(Some(mut chunk)) => {
                if chunk.len() as u64 > allowed {
                    chunk.truncate(usize::try_from(allowed).unwrap_or(usize::MAX));
                }
                this.sent += chunk.len() as u64;
                if let Some(traffic) = &this.traffic {
                    traffic
                        .sent
                        .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done || (self.cut.is_none() && self.remaining() == 0)
    }

    fn size_hint(&self) -> SizeHint {
        if self.cut.is_none() && self.tamper.trickle.is_none() {
            SizeHint::with_exact(self.remaining())
        } else {
            SizeHint::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(mut body: ResponseBody) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        loop {
            match body.frame().await {
                None => return (out, false),
                Some(Err(_)) => return (out, true),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        out.extend_from_slice(&data);
                    }
                }
            }
        }
    }

    #[tokio::test]
    async fn bodies_stream_and_cut() {
        let (all, failed) = collect(ResponseBody::bytes(&b"hello world"[..])).await;
        assert_eq!(all, b"hello world");
        assert!(!failed);
        let conn = Arc::new(ConnControl::default());
        let body = ResponseBody::bytes(&b"hello world"[..]).cut(Cut::Truncate(4), conn.clone());
        assert_eq!(collect(body).await, (b"hell".to_vec(), false));
        assert!(!conn.reset.load(Ordering::SeqCst));
        let body = ResponseBody::bytes(&b"hello world"[..]).cut(Cut::Reset(5), conn.clone());
        assert_eq!(collect(body).await, (b"hello".to_vec(), true));
        assert!(conn.reset.load(Ordering::SeqCst));
    }

    #[tokio::test(start_paused = true)]
    async fn bodies_lie_and_crawl() {
        let (all, _) = collect(ResponseBody::bytes(&b"hello"[..]).flip_byte(1)).await;
        assert_eq!(all, b"h\x9allo");
        let (all, _) = collect(ResponseBody::bytes(&b"hello"[..]).flip_byte(5)).await;
        assert_eq!(all, b"hello");
        let started = tokio::time::Instant::now();
        let mut body = ResponseBody::bytes(&b"hello"[..])
            .trickle(2, Duration::from_secs(3))
            .flip_byte(4);
        let mut pieces = Vec::new();
        while let Some(frame) = body.frame().await {
            pieces.push(
                frame
                    .ok()
                    .and_then(|f| f.into_data().ok())
                    .unwrap_or_default(),
            );
        }
        assert_eq!(pieces, [&b"he"[..], b"ll", b"\x90"]);
        assert!(started.elapsed() >= Duration::from_secs(9));
    }
}
