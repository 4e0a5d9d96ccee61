//! The body of a GET: a reader that resumes a broken transfer where it stopped, and a
//! chunk iterator over it.

use std::fmt;
use std::io::{self, Read};

use bytes::{Bytes, BytesMut};
use cos_proto::driver::pace::{BodyWatch, Slow};
use cos_proto::driver::resume::{ResumeError, ResumeStep, ResumingGet};
use cos_proto::ops::{GetObject, GetObjectOutput};
use std::time::Instant;

use crate::body::UploadBody;
use crate::client::Client;
use crate::error::Error;
use crate::transport::classify_io;
use cos_transfer::drive::{BodyCollector, jitter};

/// The size of the chunks [`ObjectChunks`] yields and of the copy buffer of downloads.
const CHUNK: usize = 256 * 1024;

/// The data of a download. Reads exactly the response's `Content-Length`: a transfer
/// that breaks (reset, stall, truncation, or slower than the client's minimum-progress
/// rule) is resumed with a ranged request pinned to the same ETag, as
/// [`cos_proto::driver::resume::ResumingGet`] decides (at most as many transfers as the retry
/// policy has attempts); a body that still ends short is an error, never a silent short
/// read. When the whole object is read and COS sent its CRC-64, the data is checked
/// against it at the end (a mismatch is an error). The client's call deadline, if any,
/// covers the body and its resumes too. The stall timeout and the minimum-progress rule
/// judge only the time spent waiting on the server: keeping the reader between reads
/// costs nothing but the deadline.
pub struct ObjectBody {
    client: Client,
    download: ResumingGet,
    key: String,
    reader: Option<ureq::BodyReader<'static>>,
    failed: bool,
    watch: BodyWatch,
    started: Instant,
    buffers: ChunkBuffers,
}

impl fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectBody")
            .field("key", &self.key)
            .field("received", &self.download.received())
            .field("expected", &self.download.expected())
            .field("resumes", &self.download.resumes())
            .finish_non_exhaustive()
    }
}

impl ObjectBody {
    pub(crate) fn new(
        client: Client,
        op: &GetObject,
        first: &GetObjectOutput,
        body: ureq::Body,
        started: Instant,
    ) -> Self {
        let download = client.inner.settings.resuming_get(op, first);
        let mut watch = client.inner.settings.body_watch(started.elapsed());
        // Until the caller first reads, the body waits on the caller.
        watch.pause(started.elapsed());
        Self {
            client,
            download,
            key: op.key().to_owned(),
            reader: Some(body.into_reader()),
            failed: false,
            watch,
            started,
            buffers: ChunkBuffers::default(),
        }
    }

    /// Bytes delivered so far.
    pub fn received(&self) -> u64 {
        self.download.received()
    }

    /// How many times the transfer was resumed.
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

    /// The body as an iterator of chunks (never empty ones).
    pub fn chunks(self) -> ObjectChunks {
        ObjectChunks {
            body: self,
            finished: false,
        }
    }

    /// The next chunk of the body (never empty); `None` at its verified end. An error
    /// ends the body.
    pub fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        let mut buffers = std::mem::take(&mut self.buffers);
        let chunk = buffers.next(self.remaining(), |buf| self.read_inner(buf));
        self.buffers = buffers;
        chunk
    }

    /// Reads the rest of the body into memory (for small objects), sized once from the
    /// expected length.
    pub fn bytes(mut self) -> Result<Bytes, Error> {
        let expected = self.expected_len().unwrap_or(0);
        let left = expected.saturating_sub(self.received());
        read_all(left, || self.next_chunk())
    }

    /// The bytes still to come, when the length is known.
    pub(crate) fn remaining(&self) -> Option<u64> {
        self.expected_len()
            .map(|len| len.saturating_sub(self.received()))
    }

    /// The buffers [`next_chunk`](Self::next_chunk) reads into (also lent to a body
    /// that decrypts this one).
    pub(crate) fn buffers(&mut self) -> &mut ChunkBuffers {
        &mut self.buffers
    }

    pub(crate) fn read_inner(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        if buf.is_empty() || self.failed || self.download.is_done() {
            return Ok(0);
        }
        let result = self.read_or_resume(buf);
        if result.is_err() {
            self.failed = true;
            self.reader = None;
        }
        result
    }

    fn read_or_resume(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        loop {
            let Some(reader) = self.reader.as_mut() else {
                return Ok(0);
            };
            // The caller asks for more: from now the body waits on the server.
            self.watch.unpause(self.started.elapsed());
            let read = match self.watch.check(self.started.elapsed()) {
                Ok(()) => reader.read(buf),
                Err(Slow::Deadline(_)) => {
                    return Err(Error::deadline_passed(
                        "GetObject",
                        self.download.resumes() + 1,
                    ));
                }
                // Too slow: cut this connection and resume on a new one.
                Err(slow) => Err(io::Error::new(io::ErrorKind::TimedOut, slow)),
            };
            let step = match read {
                Ok(0) => {
                    let early =
                        io::Error::new(io::ErrorKind::UnexpectedEof, "the body ended early");
                    self.download
                        .on_end(jitter(), self.started.elapsed())
                        .map_err(|err| download_error(err, early))?
                }
                Ok(n) => {
                    self.download
                        .on_data(&buf[..n])
                        .map_err(|err| download_error(err, io::ErrorKind::InvalidData.into()))?;
                    // Judged at the next read (these bytes are good either way); until
                    // then the body waits on the caller.
                    let now = self.started.elapsed();
                    let _ = self.watch.on_bytes(now, n as u64);
                    self.watch.pause(now);
                    return Ok(n);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                // ureq's way of saying the connection closed before `Content-Length`
                // bytes: the body ended early.
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => self
                    .download
                    .on_end(jitter(), self.started.elapsed())
                    .map_err(|e| download_error(e, err))?,
                Err(err) => {
                    let failure = classify_io(&err);
                    tracing::debug!(key = self.key, error = %err, "download broke");
                    self.download
                        .on_break(failure, jitter(), self.started.elapsed())
                        .map_err(|e| download_error(e, err))?
                }
            };
            match step {
                ResumeStep::Done => {
                    self.reader = None;
                    return Ok(0);
                }
                ResumeStep::Resume { request, after } => {
                    self.reader = None;
                    tracing::info!(
                        key = self.key,
                        received = self.download.received(),
                        resume = self.download.resumes(),
                        "resuming the download"
                    );
                    std::thread::sleep(after);
                    // A continuation of the same call: its deadline runs from the start.
                    let (output, body) = self.client.execute_since(
                        &*request,
                        &mut UploadBody::empty(),
                        self.started,
                    )?;
                    self.download
                        .on_resumed(&output)
                        .map_err(|e| download_error(e, io::ErrorKind::InvalidData.into()))?;
                    let (body, _) =
                        body.ok_or(Error::Unsupported("a resumed download has no body"))?;
                    self.reader = Some(body.into_reader());
                    self.watch.restart(self.started.elapsed());
                }
            }
        }
    }
}

fn download_error(err: ResumeError, cause: io::Error) -> Error {
    Error::from_download(err, Some(Box::new(cause)))
}

impl Read for ObjectBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_inner(buf).map_err(Error::into_io)
    }
}

/// The chunks of an [`ObjectBody`]; see [`ObjectBody::chunks`].
#[derive(Debug)]
pub struct ObjectChunks {
    body: ObjectBody,
    finished: bool,
}

impl Iterator for ObjectChunks {
    type Item = io::Result<Bytes>;

    fn next(&mut self) -> Option<io::Result<Bytes>> {
        if self.finished {
            return None;
        }
        let next = self.body.next_chunk();
        self.finished = !matches!(next, Some(Ok(_)));
        next.map(|chunk| chunk.map_err(Error::into_io))
    }
}

/// The buffers a body's chunks are read into: each read fills the unused tail of the
/// current buffer and is cut off as a chunk (so a short read wastes nothing), and a
/// buffer is reused once every chunk cut from it was dropped, instead of allocating
/// (and faulting in) fresh memory for every chunk.
#[derive(Debug, Default)]
pub(crate) struct ChunkBuffers {
    /// The buffer being filled; its bytes are initialized (zeroed once per reuse).
    current: BytesMut,
    /// Whether `current` is a full-size buffer, worth reusing.
    reusable: bool,
    /// Earlier buffers, some of whose chunks may still be alive.
    earlier: Vec<BytesMut>,
}

/// The size of one buffer of [`ChunkBuffers`].
const BUFFER: usize = 1024 * 1024;
/// A buffer with less room than this left is set aside for a fresh or reclaimed one.
const MIN_READ: usize = 64 * 1024;
/// How many set-aside buffers a body keeps for reuse.
const KEEP: usize = 3;

impl ChunkBuffers {
    /// The next chunk `read` fills (at most [`CHUNK`] bytes; `None` when it reads
    /// nothing).
    pub(crate) fn next(
        &mut self,
        remaining: Option<u64>,
        read: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
    ) -> Option<Result<Bytes, Error>> {
        // The room a read gets: what is left of the body (one byte more, so the read
        // that finds its end has room too), at most a chunk.
        let want = remaining.map_or(CHUNK, |left| {
            usize::try_from(left).map_or(CHUNK, |left| left.saturating_add(1).min(CHUNK))
        });
        if self.current.len() < want.min(MIN_READ) {
            self.refill(want);
        }
        let room = self.current.len().min(want);
        match read(&mut self.current[..room]) {
            Ok(0) => None,
            Ok(n) => Some(Ok(self.current.split_to(n).freeze())),
            Err(err) => Some(Err(err)),
        }
    }

    /// Replaces the current buffer with a reclaimed one whose chunks are all gone, or
    /// a new one; a body with less than a chunk left gets a buffer of its size.
    fn refill(&mut self, want: usize) {
        let mut spent = std::mem::take(&mut self.current);
        if std::mem::replace(&mut self.reusable, false) {
            // Empty, so that reclaiming it later needs the whole buffer free.
            spent.clear();
            if self.earlier.len() >= KEEP {
                self.earlier.remove(0);
            }
            self.earlier.push(spent);
        }
        if want < CHUNK {
            self.current = BytesMut::zeroed(want);
            return;
        }
        let mut reclaimed = None;
        for index in 0..self.earlier.len() {
            if self.earlier[index].try_reclaim(BUFFER) {
                reclaimed = Some(self.earlier.swap_remove(index));
                break;
            }
        }
        let mut buf = reclaimed.unwrap_or_else(|| BytesMut::with_capacity(BUFFER));
        buf.clear();
        buf.resize(BUFFER, 0);
        self.current = buf;
        self.reusable = true;
    }
}

/// Every chunk `next` yields, collected as [`BodyCollector`] does (reserved once from
/// `expected`, within [`cos_transfer::drive::PRESIZE_LIMIT`]).
pub(crate) fn read_all(
    expected: u64,
    mut next: impl FnMut() -> Option<Result<Bytes, Error>>,
) -> Result<Bytes, Error> {
    let mut all = BodyCollector::new(Some(expected));
    while let Some(chunk) = next() {
        all.push(&chunk?);
    }
    Ok(all.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `data` in pieces of at most `step` bytes.
    fn reader(data: &[u8], step: usize) -> impl FnMut(&mut [u8]) -> Result<usize, Error> + '_ {
        let mut at = 0;
        move |buf: &mut [u8]| {
            let n = buf.len().min(step).min(data.len() - at);
            buf[..n].copy_from_slice(&data[at..at + n]);
            at += n;
            Ok(n)
        }
    }

    #[test]
    fn short_reads_share_one_buffer_and_buffers_are_reused_once_free() {
        let data: Vec<u8> = (0..3 * BUFFER).map(|i| (i % 251) as u8).collect();
        let mut read = reader(&data, 10_000);
        let mut buffers = ChunkBuffers::default();
        let first = buffers.next(None, &mut read).expect("a chunk").expect("ok");
        let second = buffers.next(None, &mut read).expect("a chunk").expect("ok");
        assert_eq!((first.len(), second.len()), (10_000, 10_000));
        assert_eq!(
            second.as_ptr(),
            first.as_ptr().wrapping_add(10_000),
            "the second read went on in the same buffer"
        );
        let start = first.as_ptr();
        drop((first, second));
        let mut all = data[..20_000].to_vec();
        let mut reused = false;
        while let Some(chunk) = buffers.next(None, &mut read) {
            let chunk = chunk.expect("ok");
            reused |= chunk.as_ptr() == start && all.len() > BUFFER;
            all.extend_from_slice(&chunk);
        }
        assert_eq!(all, data, "every byte once, in order");
        assert!(
            reused,
            "the first buffer was taken again once its chunks were gone"
        );
    }

    #[test]
    fn small_bodies_get_small_buffers() {
        let data = vec![5u8; 4096];
        let mut read = reader(&data, usize::MAX);
        let mut buffers = ChunkBuffers::default();
        let chunk = buffers
            .next(Some(4096), &mut read)
            .expect("a chunk")
            .expect("ok");
        assert_eq!(chunk, data);
        assert!(
            buffers.current.capacity() < 8192,
            "no megabyte for a small body"
        );
        assert!(
            buffers.next(Some(0), &mut read).is_none(),
            "the end is read"
        );
    }

    #[test]
    fn a_kept_chunk_survives_its_buffer_being_set_aside_and_the_others_reused() {
        let data: Vec<u8> = (0..6 * BUFFER).map(|i| (i % 239) as u8).collect();
        let mut read = reader(&data, 100_000);
        let mut buffers = ChunkBuffers::default();
        let kept = buffers.next(None, &mut read).expect("a chunk").expect("ok");
        let mut all = kept.to_vec();
        while let Some(chunk) = buffers.next(None, &mut read) {
            all.extend_from_slice(&chunk.expect("ok")); // dropped: its buffer is reusable
        }
        assert_eq!(all, data);
        assert_eq!(
            kept,
            data[..100_000],
            "the kept chunk was never written over"
        );
    }

    #[test]
    fn the_read_that_finds_the_end_has_room() {
        let mut buffers = ChunkBuffers::default();
        let mut room = 0;
        let end = buffers.next(Some(0), |buf| {
            room = buf.len();
            Ok(0)
        });
        assert!(end.is_none());
        assert!(room >= 1, "an empty buffer would end the body unchecked");
    }

    #[test]
    fn a_buffer_still_in_use_is_never_overwritten() {
        let data: Vec<u8> = (0..4 * BUFFER).map(|i| (i % 241) as u8).collect();
        let mut read = reader(&data, CHUNK);
        let mut buffers = ChunkBuffers::default();
        let mut kept = Vec::new();
        while let Some(chunk) = buffers.next(None, &mut read) {
            kept.push(chunk.expect("ok"));
        }
        assert_eq!(kept.concat(), data);
    }
}
