//! Upload bodies: what the caller hands over, and the per-attempt HTTP body built from it.

use std::fmt;
use std::future::Future as _;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use cos_proto::crc64::Crc64Tap;
use futures_core::Stream;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};

use cos_transfer::drive::{AttemptData, ChunkPool, Payload};

use crate::error::Error;
use crate::transport::Progress;

/// How many bytes a reader body reads at a time.
const CHUNK: usize = 256 * 1024;

/// How many bytes a file body reads at a time, on the blocking pool (one round trip
/// per chunk; the next chunk is read while hyper sends this one).
pub(crate) const FILE_CHUNK: usize = 1024 * 1024;

/// Idle file chunks a client keeps for reuse (8 parts in flight hold about two each).
pub(crate) const IDLE_FILE_CHUNKS: usize = 16;

/// The pool of a client's file chunks.
pub(crate) fn file_chunks() -> ChunkPool {
    ChunkPool::new(FILE_CHUNK, IDLE_FILE_CHUNKS)
}

type BoxReader = Pin<Box<dyn AsyncRead + Send>>;
type BoxStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// The data of an upload (PUT Object, Upload Part, Append Object).
///
/// * bytes — in memory, replayable;
/// * a file (by path, an opened file, or a range of one) — streamed in chunks and
///   rewound on retry, never read whole into memory;
/// * a reader or a stream — streamed once, of unknown length, sent
///   `Transfer-Encoding: chunked`. Not replayable: a failed attempt is not retried.
///
/// The operation takes the body's length when it leaves its own open
/// (`PutObject::new(key, None)`).
///
/// ```
/// use cos_tokio::UploadBody;
/// let body = UploadBody::from("hello");
/// assert_eq!(body.len(), Some(5));
/// assert!(body.is_replayable());
/// ```
#[derive(Debug, Default)]
pub struct UploadBody(Payload<OneShot>);

/// The one-shot sources of an async upload.
enum OneShot {
    Reader(BoxReader),
    Stream(BoxStream),
}

impl fmt::Debug for OneShot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OneShot::Reader(_) => "Reader",
            OneShot::Stream(_) => "Stream",
        })
    }
}

impl UploadBody {
    /// No body (for operations that carry none, or whose document the core builds).
    pub fn empty() -> Self {
        Self(Payload::empty())
    }

    /// Bytes in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        Self(Payload::bytes(bytes))
    }

    /// The whole file at `path`, streamed from disk.
    pub fn file(path: impl AsRef<Path>) -> Result<Self, Error> {
        Payload::file(path.as_ref()).map(Self)
    }

    /// An opened file, from its start to its current end.
    pub fn from_file(file: std::fs::File) -> Result<Self, Error> {
        Payload::from_file(file).map(Self)
    }

    /// `len` bytes of an opened file from `offset` (for example one part of a multipart
    /// upload). The file must hold them: a shorter file fails the upload.
    pub fn file_range(file: std::fs::File, offset: u64, len: u64) -> Self {
        Self(Payload::file_range(file, offset, len))
    }

    /// A one-shot reader of unknown length (a pipe, a socket, a decoder...). Sent
    /// chunked; never retried.
    pub fn reader(reader: impl AsyncRead + Send + 'static) -> Self {
        Self(Payload::one_shot(OneShot::Reader(Box::pin(reader))))
    }

    /// A one-shot stream of chunks of unknown length. Sent chunked; never retried.
    pub fn stream(stream: impl Stream<Item = io::Result<Bytes>> + Send + 'static) -> Self {
        Self(Payload::one_shot(OneShot::Stream(Box::pin(stream))))
    }

    /// The number of bytes, when known.
    pub fn len(&self) -> Option<u64> {
        self.0.len()
    }

    /// `true` for a body known to be empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the body can be sent again from its start (bytes and files can).
    pub fn is_replayable(&self) -> bool {
        self.0.is_replayable()
    }

    /// Feeds every byte each attempt sends into `tap` (reset when an attempt starts):
    /// after a successful upload it holds the CRC-64 of what COS received, computed
    /// while streaming.
    pub fn with_crc64(self, tap: Crc64Tap) -> Self {
        Self(self.0.with_crc64(tap))
    }

    /// The HTTP body of one attempt, for a request announcing `announced` bytes
    /// (`None`: chunked), the body's own length ([`cos_proto::driver::call::Call::request`]
    /// checked that they fit).
    pub(crate) fn attempt(
        &mut self,
        announced: Option<u64>,
        progress: Arc<Progress>,
        chunks: &ChunkPool,
    ) -> Result<RequestBody, Error> {
        let attempt = self.0.attempt()?;
        let source = match attempt.data {
            AttemptData::Bytes(bytes) if bytes.is_empty() => Source::Full(None),
            AttemptData::Bytes(bytes) => Source::Full(Some(bytes)),
            AttemptData::File { file, offset, len } => {
                Source::File(FileChunks::new(file, offset, len, chunks.clone()))
            }
            AttemptData::OneShot(OneShot::Reader(reader)) => Source::Reader(reader),
            AttemptData::OneShot(OneShot::Stream(stream)) => Source::Stream(stream),
        };
        let mut body = RequestBody::new(source, announced, progress);
        body.tap = attempt.tap;
        #[cfg(feature = "crypto")]
        {
            body.cipher = attempt.keystream.map(Box::new);
        }
        Ok(body)
    }
}

cos_transfer::upload_body_impls!();

/// The keystream of one attempt of an encrypted body.
#[cfg(feature = "crypto")]
type AttemptCipher = Option<Box<cos_crypto::CtrStream>>;
#[cfg(not(feature = "crypto"))]
type AttemptCipher = ();

enum Source {
    Full(Option<Bytes>),
    File(FileChunks),
    Reader(BoxReader),
    Stream(BoxStream),
}

/// A file read in [`FILE_CHUNK`]s on the blocking pool, one chunk ahead of the
/// connection: each chunk is read straight into the buffer that becomes the frame (no
/// copy out of an intermediate buffer; a recycled buffer is not zeroed again), and the
/// read of the next one starts as soon as a chunk is handed over. Reads are positional:
/// a read still running for an abandoned attempt cannot move where a retry reads (the
/// attempts' handles share one file position).
struct FileChunks {
    /// The handle; `None` while a read runs.
    file: Option<std::fs::File>,
    /// Where the next read starts.
    offset: u64,
    /// Bytes still to read.
    left: u64,
    /// The read in flight, which hands the handle back.
    reading: Option<tokio::task::JoinHandle<(std::fs::File, io::Result<Vec<u8>>)>>,
    /// Where the chunks' buffers come from and go back to.
    pool: ChunkPool,
}

impl FileChunks {
    fn new(file: std::fs::File, offset: u64, len: u64, pool: ChunkPool) -> Self {
        Self {
            file: Some(file),
            offset,
            left: len,
            reading: None,
            pool,
        }
    }

    /// Starts reading the next chunk unless one is being read or nothing is left.
    fn read_ahead(&mut self) {
        if self.reading.is_some() || self.left == 0 {
            return;
        }
        let Some(file) = self.file.take() else {
            return;
        };
        let pool = self.pool.clone();
        let (offset, want) = (self.offset, self.left.min(pool.capacity() as u64));
        self.reading = Some(tokio::task::spawn_blocking(move || {
            let mut chunk = pool.take_filled();
            chunk.truncate(want as usize);
            let read = cos_transfer::fs::read_full_at(&file, &mut chunk, offset).map(|n| {
                chunk.truncate(n);
                chunk
            });
            (file, read)
        }));
    }

    /// The next chunk; `None` once `len` bytes were read, or when the file ends early
    /// (the body then reports the shortfall against the announced length).
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Vec<u8>>>> {
        self.read_ahead();
        let Some(reading) = self.reading.as_mut() else {
            return Poll::Ready(Ok(None));
        };
        let joined = ready!(Pin::new(reading).poll(cx));
        self.reading = None;
        let (file, read) = joined.map_err(io::Error::other)?;
        self.file = Some(file);
        let chunk = read?;
        if chunk.is_empty() {
            self.left = 0;
            return Poll::Ready(Ok(None));
        }
        self.left = self.left.saturating_sub(chunk.len() as u64);
        self.offset += chunk.len() as u64;
        self.read_ahead();
        Poll::Ready(Ok(Some(chunk)))
    }
}

/// The body hyper sends for one attempt. It counts bytes against the announced length,
/// reports progress to the watchdog, and records failures of the caller's source.
pub(crate) struct RequestBody {
    source: Source,
    announced: Option<u64>,
    sent: u64,
    done: bool,
    progress: Arc<Progress>,
    tap: Option<Crc64Tap>,
    #[cfg_attr(not(feature = "crypto"), allow(dead_code))]
    cipher: AttemptCipher,
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBody")
            .field("announced", &self.announced)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl RequestBody {
    fn new(source: Source, announced: Option<u64>, progress: Arc<Progress>) -> Self {
        let done = matches!(source, Source::Full(None));
        if done {
            progress.sent();
        }
        Self {
            source,
            announced,
            sent: 0,
            done,
            progress,
            tap: None,
            cipher: Default::default(),
        }
    }

    /// No body.
    pub(crate) fn empty(progress: Arc<Progress>) -> Self {
        Self::new(Source::Full(None), Some(0), progress)
    }

    /// A document generated by the core.
    pub(crate) fn full(bytes: Bytes, progress: Arc<Progress>) -> Self {
        let len = bytes.len() as u64;
        if bytes.is_empty() {
            return Self::empty(progress);
        }
        Self::new(Source::Full(Some(bytes)), Some(len), progress)
    }

    fn fail(&mut self, err: io::Error) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.progress.upload_failed(&err);
        self.done = true;
        Poll::Ready(Some(Err(err)))
    }

    fn deliver(&mut self, chunk: Bytes) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        #[cfg(feature = "crypto")]
        let chunk = match &mut self.cipher {
            Some(stream) => {
                let mut buf = chunk
                    .try_into_mut()
                    .unwrap_or_else(|shared| bytes::BytesMut::from(&shared[..]));
                if let Err(err) = stream.apply(&mut buf) {
                    return self.fail(io::Error::new(io::ErrorKind::InvalidInput, err));
                }
                buf.freeze()
            }
            None => chunk,
        };
        self.send(chunk)
    }

    /// [`deliver`](Self::deliver) for a chunk of a file, still in its own buffer: an
    /// encrypted body is encrypted in place.
    fn deliver_file_chunk(
        &mut self,
        mut chunk: Vec<u8>,
        pool: &ChunkPool,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        #[cfg(feature = "crypto")]
        if let Some(stream) = &mut self.cipher
            && let Err(err) = stream.apply(&mut chunk)
        {
            return self.fail(io::Error::new(io::ErrorKind::InvalidInput, err));
        }
        self.send(pool.freeze(chunk))
    }

    /// Counts, taps and hands over a chunk as it goes on the wire.
    fn send(&mut self, chunk: Bytes) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.sent += chunk.len() as u64;
        if let Some(tap) = &self.tap {
            tap.update(&chunk);
        }
        if let Some(announced) = self.announced {
            if self.sent > announced {
                return self.fail(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("the upload source yields more than the announced {announced} bytes"),
                ));
            }
            if self.sent == announced {
                self.done = true;
                self.progress.sent();
            }
        }
        self.progress.advanced(chunk.len() as u64);
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn end(&mut self) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(announced) = self.announced
            && self.sent != announced
        {
            return self.fail(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the upload source ended after {} of the announced {announced} bytes",
                    self.sent
                ),
            ));
        }
        self.done = true;
        self.progress.sent();
        Poll::Ready(None)
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        // The connection took what it was given; what follows is the source's time.
        this.progress.awaiting_source();
        match &mut this.source {
            Source::Full(bytes) => match bytes.take() {
                Some(bytes) => this.deliver(bytes),
                None => this.end(),
            },
            Source::File(file) => match ready!(file.poll_chunk(cx)) {
                Ok(Some(chunk)) => {
                    let pool = file.pool.clone();
                    this.deliver_file_chunk(chunk, &pool)
                }
                Ok(None) => this.end(),
                Err(err) => this.fail(err),
            },
            Source::Reader(reader) => {
                let want = match this.announced {
                    Some(announced) => (announced - this.sent).min(CHUNK as u64) as usize,
                    None => CHUNK,
                };
                if want == 0 {
                    return this.end();
                }
                let mut buf = vec![0u8; want];
                let mut read_buf = ReadBuf::new(&mut buf);
                match ready!(reader.as_mut().poll_read(cx, &mut read_buf)) {
                    Ok(()) => {
                        let n = read_buf.filled().len();
                        if n == 0 {
                            return this.end();
                        }
                        buf.truncate(n);
                        this.deliver(Bytes::from(buf))
                    }
                    Err(err) => this.fail(err),
                }
            }
            Source::Stream(stream) => match ready!(stream.as_mut().poll_next(cx)) {
                Some(Ok(chunk)) if chunk.is_empty() => {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                Some(Ok(chunk)) => this.deliver(chunk),
                Some(Err(err)) => this.fail(err),
                None => this.end(),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        match self.announced {
            Some(n) => SizeHint::with_exact(n - self.sent.min(n)),
            None => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    async fn collect(mut body: RequestBody) -> Result<Vec<u8>, io::Error> {
        let mut all = Vec::new();
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame?.into_data() {
                all.extend_from_slice(&data);
            }
        }
        Ok(all)
    }

    #[tokio::test]
    async fn a_tap_holds_the_crc_of_the_last_attempt_only() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f.bin");
        std::fs::write(&path, b"0123456789").expect("write");
        let tap = Crc64Tap::new();
        let file = std::fs::File::open(&path).expect("open");
        let mut body = UploadBody::file_range(file, 3, 4).with_crc64(tap.clone());
        let mut broken = body
            .attempt(Some(4), Progress::new(), &file_chunks())
            .expect("attempt");
        let first = broken.frame().await.expect("a frame").expect("data");
        assert!(first.into_data().is_ok_and(|d| !d.is_empty()));
        assert!(!tap.is_empty());
        let sent = collect(
            body.attempt(Some(4), Progress::new(), &file_chunks())
                .expect("attempt"),
        )
        .await
        .expect("body");
        assert_eq!(sent, b"3456");
        assert_eq!(
            (tap.value(), tap.len()),
            (Some(cos_proto::crc64::crc64(b"3456")), Some(4))
        );
    }

    #[tokio::test]
    async fn files_are_rewound_for_every_attempt_and_ranges_respected() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f.bin");
        let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).expect("write");
        let mut body = UploadBody::file(&path).expect("file");
        assert!(body.is_replayable());
        for _ in 0..2 {
            let attempt = body
                .attempt(body.len(), Progress::new(), &file_chunks())
                .expect("attempt");
            assert_eq!(collect(attempt).await.expect("body"), data);
        }
        let file = std::fs::File::open(&path).expect("open");
        let mut part = UploadBody::file_range(file, 1000, 5000);
        for _ in 0..2 {
            let attempt = part
                .attempt(Some(5000), Progress::new(), &file_chunks())
                .expect("attempt");
            assert_eq!(collect(attempt).await.expect("body"), &data[1000..6000]);
        }
        // A file shorter than the announced range fails as a source error.
        let file = std::fs::File::open(&path).expect("open");
        let mut beyond = UploadBody::file_range(file, 599_000, 5000);
        let progress = Progress::new();
        let attempt = beyond
            .attempt(Some(5000), progress.clone(), &file_chunks())
            .expect("attempt");
        assert!(collect(attempt).await.is_err());
        assert!(progress.take_upload_error().is_some());
    }

    #[tokio::test]
    async fn files_go_in_whole_chunks_from_recycled_buffers() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f.bin");
        let len = 3 * FILE_CHUNK + FILE_CHUNK / 2 + 7;
        let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        std::fs::write(&path, &data).expect("write");
        let pool = file_chunks();
        let mut body = UploadBody::file(&path).expect("file");
        let mut addresses = Vec::new();
        for round in 0..2 {
            let mut attempt = body
                .attempt(body.len(), Progress::new(), &pool)
                .expect("attempt");
            let mut sizes = Vec::new();
            let mut all = Vec::new();
            while let Some(frame) = attempt.frame().await {
                let data = frame.expect("frame").into_data().expect("data");
                sizes.push(data.len());
                all.extend_from_slice(&data);
                if round == 0 {
                    addresses.push(data.as_ptr());
                } else if sizes.len() == 1 {
                    // (Later ones may be fresh: how many buffers a round needs depends
                    // on when the reads ahead run.)
                    assert!(addresses.contains(&data.as_ptr()), "a fresh buffer");
                }
            }
            assert_eq!(all, data);
            assert_eq!(
                sizes,
                [FILE_CHUNK, FILE_CHUNK, FILE_CHUNK, FILE_CHUNK / 2 + 7],
                "one read per chunk"
            );
            assert!(pool.idle() >= 1, "the buffers came back");
        }
    }

    /// hyper drops a body mid-stream (a 503 while sending, a reset, a stall) while the
    /// read of its next chunk runs on; the retry's handle shares the file position with
    /// the abandoned one, so only positional reads keep the retry's bytes right.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_retry_sends_its_own_range_while_an_abandoned_read_runs_on() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("f.bin");
        let data: Vec<u8> = (0..8 * FILE_CHUNK)
            .map(|i| (i / 4096 % 251) as u8)
            .collect();
        std::fs::write(&path, &data).expect("write");
        let pool = file_chunks();
        let (offset, len) = (2 * FILE_CHUNK, 4 * FILE_CHUNK);
        let expected = &data[offset..offset + len];
        let tap = Crc64Tap::new();
        let file = std::fs::File::open(&path).expect("open");
        let mut part =
            UploadBody::file_range(file, offset as u64, len as u64).with_crc64(tap.clone());
        for round in 0..50 {
            let mut first = part
                .attempt(part.len(), Progress::new(), &pool)
                .expect("attempt");
            let _ = first.frame().await; // a chunk handed over, the next one being read
            drop(first);
            let retry = part
                .attempt(part.len(), Progress::new(), &pool)
                .expect("attempt");
            let sent = collect(retry).await.expect("body");
            assert!(
                sent == expected,
                "round {round}: other bytes than the range"
            );
            assert_eq!(tap.value(), Some(cos_proto::crc64::crc64(expected)));
        }
    }

    #[tokio::test]
    async fn one_shot_readers_go_once() {
        let mut body = UploadBody::reader(&b"streamed"[..]);
        assert!(!body.is_replayable());
        assert_eq!(body.len(), None);
        let attempt = body
            .attempt(None, Progress::new(), &file_chunks())
            .expect("attempt");
        assert!(attempt.size_hint().exact().is_none());
        assert_eq!(collect(attempt).await.expect("body"), b"streamed");
        assert!(matches!(
            body.attempt(None, Progress::new(), &file_chunks()),
            Err(Error::InvalidBody(_))
        ));
    }
}
