//! Upload bodies: bytes, files (or a range of one) and one-shot readers.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::Instant;

use bytes::Bytes;
use cos_proto::crc64::Crc64Tap;
use cos_proto::driver::pace::{BodyWatch, Slow};
use cos_transfer::drive::{AttemptData, Payload};

use crate::error::Error;

/// What an upload sends. Bytes and files are replayable (a retry sends them again from
/// their start); a reader of unknown length is sent once, `Transfer-Encoding: chunked`,
/// and a failed attempt is not retried. The operation takes the body's length when it
/// leaves its own open (`PutObject::new(key, None)`).
///
/// Files and readers are streamed: memory use does not grow with their size.
///
/// ```
/// use cos_blocking::UploadBody;
/// assert_eq!(UploadBody::from("hello").len(), Some(5));
/// assert!(UploadBody::from(vec![1, 2, 3]).is_replayable());
/// assert!(!UploadBody::reader(std::io::empty()).is_replayable());
/// ```
#[derive(Debug, Default)]
pub struct UploadBody(Payload<OneShot>);

/// The one-shot source of a blocking upload.
struct OneShot(Box<dyn Read + Send>);

impl fmt::Debug for OneShot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reader")
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
    pub fn from_file(file: File) -> Result<Self, Error> {
        Payload::from_file(file).map(Self)
    }

    /// `len` bytes of an opened file from `offset` (for example one part of a multipart
    /// upload). The file must hold them: a shorter file fails the upload.
    pub fn file_range(file: File, offset: u64, len: u64) -> Self {
        Self(Payload::file_range(file, offset, len))
    }

    /// A one-shot reader of unknown length (a pipe, a socket, a decoder...). Sent
    /// chunked; never retried.
    pub fn reader(reader: impl Read + Send + 'static) -> Self {
        Self(Payload::one_shot(OneShot(Box::new(reader))))
    }

    /// Feeds every byte each attempt sends into `tap` (reset when an attempt starts):
    /// after a successful upload it holds the CRC-64 of what COS received, computed
    /// while streaming.
    pub fn with_crc64(self, tap: Crc64Tap) -> Self {
        Self(self.0.with_crc64(tap))
    }

    /// The number of bytes the body sends, when known.
    pub fn len(&self) -> Option<u64> {
        self.0.len()
    }

    /// `true` for a body with no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a retry can send the body again.
    pub fn is_replayable(&self) -> bool {
        self.0.is_replayable()
    }

    /// A reader of the body from its start, for one attempt.
    pub(crate) fn attempt(&mut self) -> Result<AttemptReader, Error> {
        let attempt = self.0.attempt()?;
        let inner = match attempt.data {
            AttemptData::Bytes(bytes) => Inner::Bytes(io::Cursor::new(bytes)),
            AttemptData::File { file, len, .. } => Inner::File(Read::take(file, len)),
            AttemptData::OneShot(OneShot(reader)) => Inner::Reader(reader),
        };
        Ok(AttemptReader {
            inner,
            #[cfg(feature = "crypto")]
            keystream: attempt.keystream,
            failure: None,
            tap: attempt.tap,
            pace: None,
            slow: None,
            handed: 0,
        })
    }
}

cos_transfer::upload_body_impls!();

enum Inner {
    Bytes(io::Cursor<Bytes>),
    File(io::Take<File>),
    Reader(Box<dyn Read + Send>),
}

impl Read for Inner {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Inner::Bytes(bytes) => bytes.read(buf),
            Inner::File(file) => file.read(buf),
            Inner::Reader(reader) => reader.read(buf),
        }
    }
}

/// The body of one attempt. Remembers a failure of the caller's source, so the driver
/// can tell it apart from a network failure.
pub(crate) struct AttemptReader {
    inner: Inner,
    #[cfg(feature = "crypto")]
    keystream: Option<cos_crypto::CtrStream>,
    failure: Option<io::Error>,
    tap: Option<Crc64Tap>,
    /// The minimum-progress watch, on the call's clock.
    pace: Option<(BodyWatch, Instant)>,
    /// Why the attempt was cut for going too slowly.
    slow: Option<Slow>,
    /// Bytes handed to the transport by the last read: taken by the time it asks again.
    handed: u64,
}

impl AttemptReader {
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

impl Read for AttemptReader {
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
        #[cfg(feature = "crypto")]
        if let (Ok(n), Some(stream)) = (&result, &mut self.keystream)
            && let Err(err) = stream.apply(&mut buf[..*n])
        {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, err));
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
