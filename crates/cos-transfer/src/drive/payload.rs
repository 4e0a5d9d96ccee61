//! An upload's payload as every client holds it: bytes, a range of a file, or a
//! one-shot source of the client's own kind (`R`: a reader, a stream), with the CRC-64
//! tap and the cipher every attempt applies. The rules (length, whether a retry can
//! send it again, how each attempt starts over) are here once; the clients only move
//! the bytes.

use std::fmt;
use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use cos_proto::crc64::Crc64Tap;
use cos_proto::driver::error::Error as ClientError;

/// What an upload sends (see the clients' `UploadBody`).
pub struct Payload<R> {
    source: Source<R>,
    tap: Option<Crc64Tap>,
    #[cfg(feature = "crypto")]
    cipher: Option<(Box<cos_crypto::CtrCipher>, u64)>,
}

enum Source<R> {
    Empty,
    Bytes(Bytes),
    File {
        file: File,
        path: Option<PathBuf>,
        offset: u64,
        len: u64,
    },
    OneShot(Option<R>),
}

/// The data of one attempt, from its start.
#[derive(Debug)]
pub enum AttemptData<R> {
    /// Bytes in memory (empty for no payload).
    Bytes(Bytes),
    /// A handle on the file, positioned at the range's start: `len` bytes to send.
    /// The handle shares its position with the payload's other attempts (it is a
    /// clone): a driver that may still be reading for an abandoned attempt must read
    /// by position, from `offset`, not from the handle's position.
    File {
        /// The handle.
        file: File,
        /// Where the range starts in the file.
        offset: u64,
        /// The bytes to send from there.
        len: u64,
    },
    /// The one-shot source (only ever handed out once).
    OneShot(R),
}

/// One attempt of a payload: its data, the tap to feed with every byte sent (reset), and
/// the keystream to encrypt them with (from the body's first byte).
#[derive(Debug)]
pub struct Attempt<R> {
    /// What to send.
    pub data: AttemptData<R>,
    /// Feed every byte sent into it.
    pub tap: Option<Crc64Tap>,
    /// Encrypt every byte with it, in order.
    #[cfg(feature = "crypto")]
    pub keystream: Option<cos_crypto::CtrStream>,
}

/// Where the CRC-64 of a plain payload comes from, before it is sent.
#[derive(Debug)]
pub enum PlaintextCrc64 {
    /// Known already (bytes in memory).
    Known(u64),
    /// One read of `len` bytes of `file` from `offset` (blocking work).
    File {
        /// A handle of its own.
        file: File,
        /// The range's start.
        offset: u64,
        /// The range's length.
        len: u64,
    },
}

impl PlaintextCrc64 {
    /// The CRC-64, reading the file if it must (blocking).
    pub fn compute(self) -> io::Result<u64> {
        match self {
            PlaintextCrc64::Known(crc) => Ok(crc),
            PlaintextCrc64::File { file, offset, len } => {
                crate::fs::file_range_crc64(&file, offset, len)
            }
        }
    }
}

impl<R> Payload<R> {
    fn of(source: Source<R>) -> Self {
        Self {
            source,
            tap: None,
            #[cfg(feature = "crypto")]
            cipher: None,
        }
    }

    /// No payload.
    pub fn empty() -> Self {
        Self::of(Source::Empty)
    }

    /// Bytes in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        Self::of(Source::Bytes(bytes.into()))
    }

    /// The whole file at `path`.
    pub fn file(path: &Path) -> Result<Self, ClientError> {
        let file_error = |source| ClientError::File {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(file_error)?;
        let len = file.metadata().map_err(file_error)?.len();
        let path = Some(path.to_owned());
        Ok(Self::of(Source::File {
            file,
            path,
            offset: 0,
            len,
        }))
    }

    /// An opened file, from its start to its current end.
    pub fn from_file(file: File) -> Result<Self, ClientError> {
        let len = file.metadata().map_err(ClientError::Source)?.len();
        Ok(Self::file_range(file, 0, len))
    }

    /// `len` bytes of an opened file from `offset`.
    pub fn file_range(file: File, offset: u64, len: u64) -> Self {
        Self::of(Source::File {
            file,
            path: None,
            offset,
            len,
        })
    }

    /// A one-shot source of unknown length: sent once, chunked, never retried.
    pub fn one_shot(source: R) -> Self {
        Self::of(Source::OneShot(Some(source)))
    }

    /// Feeds every byte each attempt sends into `tap` (reset when an attempt starts).
    pub fn with_crc64(mut self, tap: Crc64Tap) -> Self {
        self.tap = Some(tap);
        self
    }

    /// Encrypted with `cipher` as the object bytes from `offset` (a part's offset):
    /// every attempt re-encrypts from the start.
    #[cfg(feature = "crypto")]
    pub fn encrypted(mut self, cipher: cos_crypto::CtrCipher, offset: u64) -> Self {
        self.cipher = Some((Box::new(cipher), offset));
        self
    }

    /// The number of bytes, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            Source::Empty => Some(0),
            Source::Bytes(bytes) => Some(bytes.len() as u64),
            Source::File { len, .. } => Some(*len),
            Source::OneShot(_) => None,
        }
    }

    /// `true` for a payload known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether a retry can send it again from its start (bytes and files can).
    pub fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::OneShot(_))
    }

    /// Where the CRC-64 of the plain bytes comes from before sending: bytes in memory,
    /// or one read of the file; `None` for a one-shot source or an encrypted payload.
    pub fn plaintext_crc64(&self) -> Option<io::Result<PlaintextCrc64>> {
        #[cfg(feature = "crypto")]
        if self.cipher.is_some() {
            return None;
        }
        match &self.source {
            Source::Empty => Some(Ok(PlaintextCrc64::Known(0))),
            Source::Bytes(bytes) => Some(Ok(PlaintextCrc64::Known(cos_proto::crc64::crc64(bytes)))),
            Source::File {
                file, offset, len, ..
            } => Some(file.try_clone().map(|file| PlaintextCrc64::File {
                file,
                offset: *offset,
                len: *len,
            })),
            Source::OneShot(_) => None,
        }
    }

    /// The next attempt, from the start: a file gets a handle of its own at the range's
    /// start, the tap is reset, the keystream starts over. A one-shot source is handed
    /// out once; asking again is an error.
    pub fn attempt(&mut self) -> Result<Attempt<R>, ClientError> {
        let data = match &mut self.source {
            Source::Empty => AttemptData::Bytes(Bytes::new()),
            Source::Bytes(bytes) => AttemptData::Bytes(bytes.clone()),
            Source::File {
                file,
                path,
                offset,
                len,
            } => {
                let file_error = |source| match &*path {
                    Some(path) => ClientError::File {
                        path: path.clone(),
                        source,
                    },
                    None => ClientError::Source(source),
                };
                let mut own = file.try_clone().map_err(file_error)?;
                own.seek(SeekFrom::Start(*offset)).map_err(file_error)?;
                AttemptData::File {
                    file: own,
                    offset: *offset,
                    len: *len,
                }
            }
            Source::OneShot(source) => AttemptData::OneShot(source.take().ok_or_else(|| {
                ClientError::InvalidBody("the one-shot upload body was already sent".to_owned())
            })?),
        };
        if let Some(tap) = &self.tap {
            tap.reset();
        }
        Ok(Attempt {
            data,
            tap: self.tap.clone(),
            #[cfg(feature = "crypto")]
            keystream: match &self.cipher {
                Some((cipher, offset)) => Some(
                    cipher
                        .stream_at(*offset)
                        .map_err(|err| ClientError::Encryption(Box::new(err)))?,
                ),
                None => None,
            },
        })
    }
}

impl<R> Default for Payload<R> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<R> fmt::Debug for Payload<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(feature = "crypto")]
        let encrypted = self.cipher.is_some();
        #[cfg(not(feature = "crypto"))]
        let encrypted = false;
        match &self.source {
            Source::Empty => f.write_str("UploadBody::Empty"),
            Source::Bytes(bytes) => write!(f, "UploadBody::Bytes({} bytes)", bytes.len()),
            Source::File {
                path, offset, len, ..
            } => f
                .debug_struct("UploadBody::File")
                .field("path", path)
                .field("offset", offset)
                .field("len", len)
                .field("encrypted", &encrypted)
                .finish(),
            Source::OneShot(_) => f.write_str("UploadBody::OneShot"),
        }
    }
}
