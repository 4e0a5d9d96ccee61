//! The error type of the async client (the same variants as `cos-blocking`'s).

use std::io;
use std::path::PathBuf;

use cos_proto::ServiceError;
use cos_proto::retry::{GiveUpReason, TransportFailure};

/// A boxed error from the HTTP stack or the caller's source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Any failure of the async client. No variant carries a secret: credentials,
/// signatures and `Authorization` values never appear in `Debug` or `Display`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// COS answered with an error, the input was invalid, or the answer could not be
    /// understood (see [`cos_proto::Error`]).
    #[error(transparent)]
    Cos(#[from] cos_proto::Error),
    /// No usable response arrived (connect, TLS, timeout, reset, protocol), and the call
    /// gave up for `reason`.
    #[error("{operation}: {} after {attempts} attempt(s); {reason}: {source}", describe(*.failure))]
    Transport {
        /// The operation (`PutObject`, `GetObject`, ...).
        operation: &'static str,
        /// What kind of transport failure ended the last attempt (TLS failures are
        /// `Connect`: nothing was sent).
        failure: TransportFailure,
        /// Why it was not retried (again).
        reason: GiveUpReason,
        /// Attempts made.
        attempts: u32,
        /// The HTTP stack's error.
        #[source]
        source: BoxError,
    },
    /// Reading the caller's upload source failed (the request was abandoned).
    #[error("reading the upload body failed: {0}")]
    Source(#[source] io::Error),
    /// The upload body does not fit the operation: a payload for an operation without
    /// one, or a length different from the one the operation announces.
    #[error("invalid upload body: {0}")]
    InvalidBody(String),
    /// The download ended before `expected` bytes arrived, and resuming was not possible.
    #[error("short body: received {received} of {expected} bytes")]
    ShortBody {
        /// `Content-Length` of the response.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
    /// The downloaded data does not match the object's `x-cos-hash-crc64ecma`.
    #[error("CRC64 mismatch: COS says {expected}, the data has {actual}")]
    Crc64Mismatch {
        /// The header's value.
        expected: u64,
        /// The CRC of the bytes received.
        actual: u64,
    },
    /// A success response's document is larger than [`cos_proto::response::MAX_DOCUMENT_BODY`].
    #[error("response document larger than {limit} bytes")]
    DocumentTooLarge {
        /// The limit.
        limit: usize,
    },
    /// A local file could not be read, written or renamed.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// A download answered more bytes than announced, or a resumed download answered
    /// another span than asked for.
    #[error(transparent)]
    Download(cos_proto::download::DownloadError),
    /// Reading a downloaded body failed in a way that is not a transport failure.
    #[error("body I/O: {0}")]
    Io(#[source] io::Error),
    /// No credentials could be obtained.
    #[error("credentials: {0}")]
    Credentials(String),
    /// A Select response stream is malformed or truncated.
    #[error("select stream: {0}")]
    Select(#[from] cos_proto::select::SelectError),
    /// The client could not be built (invalid option).
    #[error("invalid client configuration: {0}")]
    Build(String),
    /// The method cannot serve this operation.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
}

impl Error {
    /// The COS error, when COS answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Cos(err) => err.service_error(),
            _ => None,
        }
    }

    /// The transport failure kind, for [`Error::Transport`].
    pub fn transport_failure(&self) -> Option<TransportFailure> {
        match self {
            Error::Transport { failure, .. } => Some(*failure),
            _ => None,
        }
    }

    /// Recovers an error that travelled inside an `io::Error` (the [`crate::ObjectBody`]
    /// `AsyncRead` and `Stream` report through `io::Error`), or wraps a plain I/O error.
    pub fn from_io(err: io::Error) -> Self {
        if !err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            return Error::Io(err);
        }
        match err.into_inner().map(|inner| inner.downcast::<Error>()) {
            Some(Ok(ours)) => *ours,
            Some(Err(other)) => Error::Io(io::Error::other(other)),
            None => Error::Io(io::Error::other("unknown error")),
        }
    }

    /// Wraps this error in an `io::Error` (for `AsyncRead` and `Stream`).
    pub(crate) fn into_io(self) -> io::Error {
        match self {
            Error::Io(err) => err,
            other => io::Error::other(other),
        }
    }
}

fn describe(failure: TransportFailure) -> &'static str {
    match failure {
        TransportFailure::Connect => "could not connect",
        TransportFailure::Timeout => "timed out",
        TransportFailure::ConnectionReset => "connection reset",
        TransportFailure::Io => "I/O or protocol error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_round_trip_keeps_the_error() {
        let err = Error::ShortBody {
            expected: 10,
            received: 3,
        };
        let back = Error::from_io(err.into_io());
        assert!(matches!(
            back,
            Error::ShortBody {
                expected: 10,
                received: 3
            }
        ));
        let plain = Error::from_io(io::Error::new(io::ErrorKind::BrokenPipe, "x"));
        assert!(matches!(plain, Error::Io(_)));
    }

    #[test]
    fn transport_errors_explain_themselves() {
        let err = Error::Transport {
            operation: "PutObject",
            failure: TransportFailure::ConnectionReset,
            reason: GiveUpReason::BodyNotReplayable,
            attempts: 1,
            source: "reset by peer".into(),
        };
        let text = err.to_string();
        assert!(text.contains("PutObject") && text.contains("connection reset"));
        assert!(text.contains("one-shot stream"), "{text}");
        assert_eq!(
            err.transport_failure(),
            Some(TransportFailure::ConnectionReset)
        );
    }
}
