//! The error type of the clients (`cos-tokio` and `cos-blocking` re-export it as their
//! `Error`): one definition, so both report the same failures the same way.

use std::io;
use std::path::PathBuf;

use crate::ServiceError;
use crate::retry::{GiveUpReason, TransportFailure};

/// A boxed error from the HTTP stack or the caller's source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Any failure of a client. No variant carries a secret: credentials,
/// signatures and `Authorization` values never appear in `Debug` or `Display`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// COS answered with an error, the input was invalid, or the answer could not be
    /// understood (see [`crate::Error`]).
    #[error(transparent)]
    Cos(#[from] crate::Error),
    /// No usable response arrived (connect, timeout, reset, TLS, protocol), and the call
    /// gave up for `reason`.
    #[error("{operation}: {} after {attempts} attempt(s); {reason}: {source}", describe(*.failure))]
    Transport {
        /// The operation (`PutObject`, `GetObject`, ...).
        operation: &'static str,
        /// What kind of transport failure ended the last attempt.
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
    /// A download went wrong in a way the core detected (more bytes than announced, a
    /// continuation for the wrong range).
    #[error(transparent)]
    Download(crate::driver::resume::ResumeError),
    /// A success response's document is larger than [`crate::response::MAX_DOCUMENT_BODY`].
    #[error("response document larger than {limit} bytes")]
    DocumentTooLarge {
        /// The limit.
        limit: usize,
    },
    /// A local file could not be read, written or renamed.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// Reading a downloaded body failed in a way that is not a transport failure.
    #[error("body I/O: {0}")]
    Io(#[source] io::Error),
    /// No credentials could be obtained.
    #[error("credentials: {0}")]
    Credentials(String),
    /// A Select response stream is malformed or truncated.
    #[error("select stream: {0}")]
    Select(#[from] crate::select::SelectError),
    /// The client could not be built (invalid option).
    #[error("invalid client configuration: {0}")]
    Build(String),
    /// Client-side encryption refused (the source is a `cos_crypto::CryptoError`: not an
    /// encrypted object, wrong master key, length or MD5 mismatch, ...).
    #[error("client-side encryption: {0}")]
    Encryption(#[source] BoxError),
    /// The method cannot serve this operation.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
}

/// Questions any client error answers directly, whatever layer it came from: COS's
/// answer (status, code, request id) when there was one.
///
/// ```
/// use cos_proto::driver::error::Error;
/// use cos_proto::ServiceError;
///
/// let mut missing = ServiceError::new(404);
/// missing.code = Some("NoSuchKey".to_owned());
/// missing.request_id = Some("req-1".to_owned());
/// let err = Error::Cos(missing.into());
/// assert!(err.is_not_found());
/// assert_eq!(
///     (err.status(), err.code(), err.request_id()),
///     (Some(404), Some("NoSuchKey"), Some("req-1"))
/// );
/// assert!(!err.is_precondition_failed() && !err.is_not_modified());
/// let local = Error::Credentials("none".to_owned());
/// assert_eq!((local.status(), local.is_not_found()), (None, false));
/// ```
impl Error {
    /// COS's error answer, when the failure is one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Cos(err) => err.service_error(),
            _ => None,
        }
    }

    /// The HTTP status of COS's error answer.
    pub fn status(&self) -> Option<u16> {
        self.service_error().map(|e| e.status)
    }

    /// COS's error code (`NoSuchKey`, `PreconditionFailed`, ...), when the answer had one
    /// (a HEAD's error has no body, so no code: ask [`Error::status`]).
    pub fn code(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.code.as_deref())
    }

    /// `x-cos-request-id` of COS's error answer: quote it to Tencent Cloud support.
    pub fn request_id(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.request_id.as_deref())
    }

    /// The object, bucket or upload does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// A condition (`If-Match`, `If-Unmodified-Since`, `x-cos-forbid-overwrite`, ...)
    /// did not hold (412).
    pub fn is_precondition_failed(&self) -> bool {
        self.status() == Some(412)
    }

    /// `If-None-Match` / `If-Modified-Since` said the caller's copy is current (304):
    /// the same as matching `Error::Cos(cos_proto::Error::NotModified(_))`.
    pub fn is_not_modified(&self) -> bool {
        matches!(self, Error::Cos(err) if err.is_not_modified())
    }
}

impl Error {
    /// The client error for a download the core gave up on; `cause` is the transport
    /// error behind a give-up, when the driver has one.
    pub fn from_download(err: crate::driver::resume::ResumeError, cause: Option<BoxError>) -> Self {
        use crate::driver::resume::ResumeError;
        match err {
            ResumeError::ShortBody { expected, received } => {
                Error::ShortBody { expected, received }
            }
            ResumeError::Crc64Mismatch { expected, actual } => {
                Error::Crc64Mismatch { expected, actual }
            }
            ResumeError::GaveUp {
                failure,
                reason,
                attempts,
            } => Error::Transport {
                operation: "GetObject",
                failure,
                reason,
                attempts,
                source: cause.unwrap_or_else(|| "the body broke".into()),
            },
            ResumeError::Resume(err) => Error::Cos(err),
            other => Error::Download(other),
        }
    }
}

impl From<crate::InputError> for Error {
    /// Invalid input, refused before any I/O.
    fn from(err: crate::InputError) -> Self {
        Error::Cos(err.into())
    }
}

impl From<crate::driver::select_stream::SelectStreamError> for Error {
    /// A Select stream the core rejected: COS's `error` event is a service error, a
    /// malformed stream a [`Error::Select`].
    fn from(err: crate::driver::select_stream::SelectStreamError) -> Self {
        use crate::driver::select_stream::SelectStreamError;
        match err {
            SelectStreamError::Service(service) => Error::Cos((*service).into()),
            SelectStreamError::Decode(decode) => Error::Select(decode),
        }
    }
}

/// The transport error that ends a Select stream (a query is not resumable).
pub fn select_broken(failure: TransportFailure, source: BoxError) -> Error {
    Error::Transport {
        operation: "SelectObjectContent",
        failure,
        reason: GiveUpReason::NotRetryable,
        attempts: 1,
        source,
    }
}

impl Error {
    /// The error of a call whose deadline ([`crate::driver::call::CallOptions::deadline`]) passed
    /// before it could finish: a timeout, not retried.
    pub fn deadline_passed(operation: &'static str, attempts: u32) -> Self {
        Error::Transport {
            operation,
            failure: TransportFailure::Timeout,
            reason: GiveUpReason::DeadlineExceeded,
            attempts,
            source: "the call's deadline passed".into(),
        }
    }

    /// The transport failure kind, for [`Error::Transport`].
    pub fn transport_failure(&self) -> Option<TransportFailure> {
        match self {
            Error::Transport { failure, .. } => Some(*failure),
            _ => None,
        }
    }

    /// Whether the request may have taken effect although no answer arrived: a
    /// transport failure after the connection was up. Such a request that is not
    /// idempotent was not sent again; its outcome is unknown until checked.
    pub fn may_have_taken_effect(&self) -> bool {
        matches!(self, Error::Transport { failure, .. } if *failure != TransportFailure::Connect)
    }

    /// Wraps this error in an `io::Error` (for `Read`, `AsyncRead` and `Stream` bodies).
    pub fn into_io(self) -> io::Error {
        match self {
            Error::Io(err) => err,
            other => io::Error::other(other),
        }
    }

    /// Recovers the client's error from an `io::Error` returned by
    /// a client's download body (`Read`, `AsyncRead` or `Stream`) (a plain I/O error
    /// becomes [`Error::Io`]).
    pub fn from_io(err: io::Error) -> Self {
        if err.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            if let Some(inner) = err.into_inner() {
                return match inner.downcast::<Error>() {
                    Ok(ours) => *ours,
                    Err(other) => Error::Io(io::Error::other(other)),
                };
            }
            return Error::Io(io::Error::other("unknown error"));
        }
        Error::Io(err)
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
        assert!(err.service_error().is_none());
        assert!(err.may_have_taken_effect());
        let refused = Error::Transport {
            operation: "AppendObject",
            failure: TransportFailure::Connect,
            reason: GiveUpReason::AttemptsExhausted,
            attempts: 4,
            source: "refused".into(),
        };
        assert!(!refused.may_have_taken_effect());
    }
}
