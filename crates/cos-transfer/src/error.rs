//! Why a transfer failed.

use cos_proto::driver::error::Error as ClientError;

use crate::plan::PlanError;

/// Why a transfer failed. A failed upload or download keeps its checkpoint: running it
/// again resumes (unless the failure says the source or object changed, in which case
/// the next run starts over by itself).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransferError {
    /// A request failed for good (after the client's retries and the transfer's own
    /// part retries), or a local file could not be read or written.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The object is too large for a multipart upload.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The local source is not what it was when the transfer started (size or
    /// modification time), so the parts already sent may belong to another file.
    #[error("the source changed during the transfer ({0}); run it again to start over")]
    SourceChanged(String),
    /// The remote object was replaced during the transfer (its ETag no longer matches).
    #[error("the object changed during the transfer (it was {etag}); run it again to start over")]
    RemoteChanged {
        /// The ETag the transfer was pinned to.
        etag: String,
    },
    /// The data does not have the CRC64 COS reports for it.
    #[error("{what}: CRC64 mismatch, COS says {expected:#018x}, the data has {actual:#018x}")]
    Crc64Mismatch {
        /// What was checked (`object`, `part 3`, ...).
        what: String,
        /// COS's value.
        expected: u64,
        /// The value computed from the bytes.
        actual: u64,
    },
    /// COS's answer cannot be used (a missing ETag or length, a part listing that
    /// contradicts itself).
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// A copy's destination does not match its source, so the source was kept.
    #[error("copy not verified: {0}")]
    CopyNotVerified(String),
    /// The options cannot serve this transfer (e.g. an encrypted upload's part size
    /// that is not a multiple of the cipher's 16-byte block).
    #[error("invalid transfer options: {0}")]
    InvalidOptions(String),
    /// The driver stopped the transfer.
    #[error("the transfer was cancelled")]
    Cancelled,
}

impl TransferError {
    /// The request error behind this failure, if it is one.
    pub fn client_error(&self) -> Option<&ClientError> {
        match self {
            TransferError::Client(err) => Some(err),
            _ => None,
        }
    }
}

/// Whether a failed request may succeed if sent again: transport failures, short or
/// broken bodies, 5xx answers and throttling (429 / `SlowDown`). The client retries
/// these already; transfers give a part a few more chances on top, since one part
/// failing should not throw away a multi-gigabyte transfer.
pub fn is_transient(err: &ClientError) -> bool {
    match err {
        ClientError::Transport { .. }
        | ClientError::ShortBody { .. }
        | ClientError::Crc64Mismatch { .. }
        | ClientError::Download(_)
        | ClientError::Io(_) => true,
        ClientError::Cos(cos_proto::Error::Service(service)) => {
            service.status >= 500
                || service.status == 429
                || service.code.as_deref() == Some("SlowDown")
        }
        ClientError::Cos(cos_proto::Error::Response(_)) => true,
        _ => false,
    }
}

/// Whether `err` is COS's 412 answer to an `If-Match` that no longer matches.
pub(crate) fn is_precondition_failed(err: &ClientError) -> bool {
    err.service_error().is_some_and(|e| e.status == 412)
}

/// Whether `err` says the multipart upload does not exist (any more).
pub(crate) fn is_no_such_upload(err: &ClientError) -> bool {
    err.service_error()
        .is_some_and(|e| e.status == 404 || e.code.as_deref() == Some("NoSuchUpload"))
}

impl TransferError {
    /// The HTTP status of COS's error answer ([`ClientError::status`]).
    pub fn status(&self) -> Option<u16> {
        self.client_error().and_then(ClientError::status)
    }

    /// COS's error code ([`ClientError::code`]).
    pub fn code(&self) -> Option<&str> {
        self.client_error().and_then(ClientError::code)
    }

    /// `x-cos-request-id` of COS's error answer ([`ClientError::request_id`]).
    pub fn request_id(&self) -> Option<&str> {
        self.client_error().and_then(ClientError::request_id)
    }

    /// The object, bucket or upload does not exist ([`ClientError::is_not_found`]).
    pub fn is_not_found(&self) -> bool {
        self.client_error().is_some_and(ClientError::is_not_found)
    }

    /// A condition did not hold ([`ClientError::is_precondition_failed`]).
    pub fn is_precondition_failed(&self) -> bool {
        self.client_error()
            .is_some_and(ClientError::is_precondition_failed)
    }

    /// The caller's copy is current ([`ClientError::is_not_modified`]).
    pub fn is_not_modified(&self) -> bool {
        self.client_error()
            .is_some_and(ClientError::is_not_modified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cos_proto::ServiceError;

    #[test]
    fn a_transfer_error_answers_for_the_request_behind_it() {
        let mut conflict = ServiceError::new(412);
        conflict.code = Some("PreconditionFailed".to_owned());
        conflict.request_id = Some("req-9".to_owned());
        let err = TransferError::Client(ClientError::Cos(conflict.into()));
        assert!(err.is_precondition_failed() && !err.is_not_found() && !err.is_not_modified());
        assert_eq!(
            (err.status(), err.code(), err.request_id()),
            (Some(412), Some("PreconditionFailed"), Some("req-9"))
        );
        let local = TransferError::SourceChanged("size".to_owned());
        assert_eq!(
            (local.status(), local.code(), local.is_not_found()),
            (None, None, false)
        );
    }
}
