//! Upload bodies: bytes, files (or a range of one) and one-shot readers.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use cos_proto::crc64::Crc64Tap;
use cos_proto::driver::pace::{BodyWatch, Slow};
use std::time::Instant;

use crate::error::Error;

/// What an upload sends. Bytes and files are replayable (a retry sends them again from
/// their start); a reader of unknown length is sent once, `Transfer-Encoding: chunked`,
/// and a failed attempt is not retried.
///
/// Files and readers are streamed: memory use does not grow with their size.
///
/// ```
/// use cos_blocking::UploadBody;
/// assert_eq!(UploadBody::from("hello").len(), Some(5));
/// assert!(UploadBody::from(vec![1, 2, 3]).is_replayable());
/// assert!(!UploadBody::reader(std::io::empty()).is_replayable());
/// ```
pub struct UploadBody {
    source: Source,
    tap: Option<Crc64Tap>,
}

enum Source {
    Empty,
    Bytes(Bytes),
    File {
        file: File,
        path: Option<PathBuf>,
        offset: u64,
        len: u64,
    },
    Reader(Box<dyn Read + Send>),
    /// Another source, encrypted while it streams as the object bytes from `offset`.
    #[cfg(feature = "crypto")]
    Encrypted {
        inner: Box<Source>,
        cipher: Box<cos_crypto::CtrCipher>,
        offset: u64,
    },
}

impl UploadBody {
    /// No body (for operations that carry none, or whose document the core builds).
    pub fn empty() -> Self {
        Self {
            source: Source::Empty,
            tap: None,
        }
    }

    /// Bytes in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        Self {
            source: Source::Bytes(bytes.into()),
            tap: None,
        }
    }

    /// The whole file at `path`, streamed from disk.
    pub fn file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let file_error = |source| Error::File {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(file_error)?;
        let len = file.metadata().map_err(file_error)?.len();
        Ok(Self {
            source: Source::File {
                file,
                path: Some(path.to_owned()),
                offset: 0,
                len,
            },
            tap: None,
        })
    }

    /// An opened file, from its start to its current end.
    pub fn from_file(file: File) -> Result<Self, Error> {
        let len = file.metadata().map_err(Error::Source)?.len();
        Ok(Self::file_range(file, 0, len))
    }

    /// `len` bytes of an opened file from `offset` (for example one part of a multipart
    /// upload). The file must hold them: a shorter file fails the upload.
    pub fn file_range(file: File, offset: u64, len: u64) -> Self {
        Self {
            source: Source::File {
                file,
                path: None,
                offset,
                len,
            },
            tap: None,
        }
    }

    /// A one-shot reader of unknown length (a pipe, a socket, a decoder...). Sent
    /// chunked; never retried.
    pub fn reader(reader: impl Read + Send + 'static) -> Self {
        Self {
            source: Source::Reader(Box::new(reader)),
            tap: None,
        }
    }

    /// Feeds every byte each attempt sends into `tap` (reset when an attempt starts):
    /// after a successful upload it holds the CRC-64 of what COS received, computed
    /// while streaming.
    pub fn with_crc64(mut self, tap: Crc64Tap) -> Self {
        self.tap = Some(tap);
        self
    }

    /// The same body encrypted with `cipher` as the object bytes from `offset` (a part's
    /// offset): every attempt re-encrypts from the start, so replayable bodies stay
    /// replayable, and nothing is buffered.
    #[cfg(feature = "crypto")]
    pub(crate) fn encrypted(self, cipher: cos_crypto::CtrCipher, offset: u64) -> Self {
        Self {
            source: Source::Encrypted {
                inner: Box::new(self.source),
                cipher: Box::new(cipher),
                offset,
            },
            tap: self.tap,
        }
    }

    /// The number of bytes the body sends, when known.
    pub fn len(&self) -> Option<u64> {
        source_len(&self.source)
    }

    /// `true` for a body with no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether a retry can send the body again.
    pub fn is_replayable(&self) -> bool {
        source_replayable(&self.source)
    }

    /// The CRC-64 of the bytes a plain attempt sends, when they can be known before
    /// sending: bytes in memory, a file (one read of it). `None` for a one-shot reader.
    #[cfg(feature = "crypto")]
    pub(crate) fn plaintext_crc64(&self) -> Option<io::Result<u64>> {
        match &self.source {
            Source::Empty => Some(Ok(0)),
            Source::Bytes(bytes) => Some(Ok(cos_proto::crc64::crc64(bytes))),
            Source::File {
                file, offset, len, ..
            } => Some(cos_transfer::fs::file_range_crc64(file, *offset, *len)),
            Source::Reader(_) | Source::Encrypted { .. } => None,
        }
    }

    /// A reader of the body from its start, for one attempt.
    pub(crate) fn attempt(&mut self) -> Result<AttemptReader<'_>, Error> {
        let inner = open(&mut self.source)?;
        if let Some(tap) = &self.tap {
            tap.reset();
        }
        Ok(AttemptReader {
            inner,
            failure: None,
            tap: self.tap.clone(),
            pace: None,
            slow: None,
            handed: 0,
        })
    }
}

fn source_len(source: &Source) -> Option<u64> {
    match source {
        Source::Empty => Some(0),
        Source::Bytes(bytes) => Some(bytes.len() as u64),
        Source::File { len, .. } => Some(*len),
        Source::Reader(_) => None,
        #[cfg(feature = "crypto")]
        Source::Encrypted { inner, .. } => source_len(inner),
    }
}

fn source_replayable(source: &Source) -> bool {
    match source {
        Source::Reader(_) => false,
        #[cfg(feature = "crypto")]
        Source::Encrypted { inner, .. } => source_replayable(inner),
        _ => true,
    }
}

/// A reader of `source` from its start, for one attempt.
fn open(source: &mut Source) -> Result<Inner<'_>, Error> {
    Ok(match source {
        Source::Empty => Inner::Bytes(&[]),
        Source::Bytes(bytes) => Inner::Bytes(&bytes[..]),
        Source::File {
            file,
            path,
            offset,
            len,
        } => {
            file.seek(SeekFrom::Start(*offset))
                .map_err(|source| match path {
                    Some(path) => Error::File {
                        path: path.clone(),
                        source,
                    },
                    None => Error::Source(source),
                })?;
            Inner::File(Read::take(file, *len))
        }
        Source::Reader(reader) => Inner::Reader(reader.as_mut()),
        #[cfg(feature = "crypto")]
        Source::Encrypted {
            inner,
            cipher,
            offset,
        } => {
            let stream = cipher
                .stream_at(*offset)
                .map_err(|err| Error::Encryption(Box::new(err)))?;
            Inner::Encrypted(Box::new((open(inner)?, stream)))
        }
    })
}

impl fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.source, f)
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Empty => f.write_str("UploadBody::Empty"),
            Source::Bytes(bytes) => write!(f, "UploadBody::Bytes({} bytes)", bytes.len()),
            Source::File {
                path, offset, len, ..
            } => f
                .debug_struct("UploadBody::File")
                .field("path", path)
                .field("offset", offset)
                .field("len", len)
                .finish(),
            Source::Reader(_) => f.write_str("UploadBody::Reader"),
            #[cfg(feature = "crypto")]
            Source::Encrypted { inner, offset, .. } => f
                .debug_struct("UploadBody::Encrypted")
                .field("inner", inner)
                .field("offset", offset)
                .finish_non_exhaustive(),
        }
    }
}

impl From<Bytes> for UploadBody {
    fn from(bytes: Bytes) -> Self {
        Self::bytes(bytes)
    }
}

impl From<Vec<u8>> for UploadBody {
    fn from(bytes: Vec<u8>) -> Self {
        Self::bytes(bytes)
    }
}

impl From<&'static [u8]> for UploadBody {
    fn from(bytes: &'static [u8]) -> Self {
        Self::bytes(Bytes::from_static(bytes))
    }
}

impl From<&'static str> for UploadBody {
    fn from(text: &'static str) -> Self {
        Self::bytes(Bytes::from_static(text.as_bytes()))
    }
}

impl From<String> for UploadBody {
    fn from(text: String) -> Self {
        Self::bytes(text)
    }
}

impl Default for UploadBody {
    fn default() -> Self {
        Self::empty()
    }
}

impl From<()> for UploadBody {
    fn from((): ()) -> Self {
        Self::empty()
    }
}

enum Inner<'a> {
    Bytes(&'a [u8]),
    File(io::Take<&'a mut File>),
    Reader(&'a mut (dyn Read + Send)),
    #[cfg(feature = "crypto")]
    Encrypted(Box<(Inner<'a>, cos_crypto::CtrStream)>),
}

impl Read for Inner<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Inner::Bytes(bytes) => bytes.read(buf),
            Inner::File(file) => file.read(buf),
            Inner::Reader(reader) => reader.read(buf),
            #[cfg(feature = "crypto")]
            Inner::Encrypted(pair) => {
                let (inner, stream) = &mut **pair;
                let n = inner.read(buf)?;
                stream
                    .apply(&mut buf[..n])
                    .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))?;
                Ok(n)
            }
        }
    }
}

/// The body of one attempt. Remembers a failure of the caller's source, so the driver
/// can tell it apart from a network failure.
pub(crate) struct AttemptReader<'a> {
    inner: Inner<'a>,
    failure: Option<io::Error>,
    tap: Option<Crc64Tap>,
    /// The minimum-progress watch, on the call's clock.
    pace: Option<(BodyWatch, Instant)>,
    /// Why the attempt was cut for going too slowly.
    slow: Option<Slow>,
    /// Bytes handed to the transport by the last read: taken by the time it asks again.
    handed: u64,
}

impl AttemptReader<'_> {
    /// The source's own failure, if reading it failed.
    pub(crate) fn take_failure(&mut self) -> Option<io::Error> {
        self.failure.take()
    }

    /// Cuts the attempt when the peer takes the body more slowly than `watch` allows
    /// (`started`: when the call started, the watch's clock).
    pub(crate) fn paced(mut self, watch: BodyWatch, started: Instant) -> Self {
        self.pace = Some((watch, started));
        self
    }

    /// Why the attempt was cut for going too slowly, if it was.
    pub(crate) fn take_slow(&mut self) -> Option<Slow> {
        self.slow.take()
    }
}

impl Read for AttemptReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((watch, started)) = &mut self.pace {
            // The transport took what the last read handed it; now the source is read,
            // which is the caller's time, not the server's.
            let now = started.elapsed();
            if let Err(slow) = watch.on_bytes(now, std::mem::take(&mut self.handed)) {
                self.slow = Some(slow);
                return Err(io::Error::new(io::ErrorKind::TimedOut, slow));
            }
            watch.pause(now);
        }
        let result = self.inner.read(buf);
        if let Some((watch, started)) = &mut self.pace {
            watch.unpause(started.elapsed());
        }
        if let Ok(n) = &result {
            self.handed = *n as u64;
        }
        if let Err(err) = &result
            && err.kind() != io::ErrorKind::Interrupted
        {
            self.failure = Some(io::Error::new(err.kind(), err.to_string()));
        }
        if let (Ok(n), Some(tap)) = (&result, &self.tap) {
            tap.update(&buf[..*n]);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_tap_holds_the_crc_of_the_last_attempt_only() {
        let mut tmp = tempfile::tempfile().expect("tempfile");
        tmp.write_all(b"0123456789").expect("write");
        let tap = Crc64Tap::new();
        let mut body = UploadBody::file_range(tmp, 3, 4).with_crc64(tap.clone());
        let mut first = [0u8; 2];
        body.attempt()
            .expect("attempt")
            .read_exact(&mut first)
            .expect("read");
        assert_eq!(tap.len(), Some(2), "a broken attempt fed two bytes");
        let mut all = Vec::new();
        body.attempt()
            .expect("attempt")
            .read_to_end(&mut all)
            .expect("read");
        assert_eq!(all, b"3456");
        assert_eq!(
            (tap.value(), tap.len()),
            (Some(cos_proto::crc64::crc64(b"3456")), Some(4))
        );
    }

    #[test]
    fn file_ranges_rewind_for_every_attempt() {
        let mut tmp = tempfile::tempfile().expect("tempfile");
        tmp.write_all(b"0123456789").expect("write");
        let mut body = UploadBody::file_range(tmp, 3, 4);
        assert_eq!(body.len(), Some(4));
        for _ in 0..2 {
            let mut out = Vec::new();
            body.attempt()
                .expect("attempt")
                .read_to_end(&mut out)
                .expect("read");
            assert_eq!(out, b"3456");
        }
    }

    #[test]
    fn source_failures_are_remembered() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::PermissionDenied, "nope"))
            }
        }
        let mut body = UploadBody::reader(Failing);
        assert_eq!(body.len(), None);
        let mut attempt = body.attempt().expect("attempt");
        assert!(attempt.read(&mut [0; 4]).is_err());
        assert_eq!(
            attempt.take_failure().map(|e| e.kind()),
            Some(io::ErrorKind::PermissionDenied)
        );
    }

    #[test]
    fn bytes_replay() {
        let mut body = UploadBody::from("abc");
        for _ in 0..2 {
            let mut out = String::new();
            body.attempt()
                .expect("attempt")
                .read_to_string(&mut out)
                .expect("read");
            assert_eq!(out, "abc");
        }
        assert!(format!("{body:?}").contains("3 bytes"));
    }
}
