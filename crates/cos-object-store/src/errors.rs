//! The client's errors as `object_store` kinds, decided once here: what COS answered
//! (status and code) says which [`object_store::Error`] a caller can match.

use std::sync::Arc;

use cos_tokio::cos_transfer::TransferError;
use object_store::Error;

/// The store's name in [`Error::Generic`].
pub(crate) const STORE: &str = "COS";

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What an error means to a caller of `object_store`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    NotFound,
    Precondition,
    NotModified,
    AlreadyExists,
    PermissionDenied,
    Unauthenticated,
    Generic,
}

/// Codes COS answers when the request's credentials are wrong (rather than lacking a
/// permission).
const UNAUTHENTICATED_CODES: &[&str] = &[
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "MissingSecurityHeader",
    "AccessKeyDisabled",
];

impl Kind {
    /// The kind of a client error.
    pub(crate) fn of(err: &cos_tokio::Error) -> Kind {
        if err.is_not_modified() {
            return Kind::NotModified;
        }
        if let cos_tokio::Error::Credentials(_) = err {
            return Kind::Unauthenticated;
        }
        Kind::of_answer(err.status(), err.code())
    }

    /// The kind of COS's answer: its HTTP status and error code (a HEAD's error has none).
    pub(crate) fn of_answer(status: Option<u16>, code: Option<&str>) -> Kind {
        if code.is_some_and(|c| UNAUTHENTICATED_CODES.contains(&c)) {
            return Kind::Unauthenticated;
        }
        match (status, code) {
            (_, Some("FileAlreadyExists")) => Kind::AlreadyExists,
            (_, Some("NoSuchKey")) | (Some(404), _) => Kind::NotFound,
            (Some(304), _) => Kind::NotModified,
            (Some(412), _) => Kind::Precondition,
            (Some(401), _) => Kind::Unauthenticated,
            (Some(403), _) => Kind::PermissionDenied,
            _ => Kind::Generic,
        }
    }

    /// The `object_store` error of this kind for `path`.
    pub(crate) fn error(self, path: &str, source: Source) -> Error {
        let path = path.to_owned();
        match self {
            Kind::NotFound => Error::NotFound { path, source },
            Kind::Precondition => Error::Precondition { path, source },
            Kind::NotModified => Error::NotModified { path, source },
            Kind::AlreadyExists => Error::AlreadyExists { path, source },
            Kind::PermissionDenied => Error::PermissionDenied { path, source },
            Kind::Unauthenticated => Error::Unauthenticated { path, source },
            Kind::Generic => Error::Generic {
                store: STORE,
                source,
            },
        }
    }
}

/// A client error on `path`.
pub(crate) fn client(err: cos_tokio::Error, path: &str) -> Error {
    Kind::of(&err).error(path, Box::new(err))
}

/// A client error shared by several paths (a failed batch delete).
pub(crate) fn shared(err: &Arc<cos_tokio::Error>, path: &str) -> Error {
    Kind::of(err).error(path, Box::new(Arc::clone(err)))
}

/// A transfer's error on `path` (copy, rename): a client error keeps its kind.
pub(crate) fn transfer(err: TransferError, path: &str) -> Error {
    match err {
        TransferError::Client(err) => client(err, path),
        other => Kind::Generic.error(path, Box::new(other)),
    }
}

/// A copy's error: a missing source is reported on `from`, anything else on `to`.
pub(crate) fn copy(err: TransferError, from: &str, to: &str) -> Error {
    let kind = match &err {
        TransferError::Client(err) => Kind::of(err),
        _ => Kind::Generic,
    };
    transfer(err, if kind == Kind::NotFound { from } else { to })
}

/// A local failure (invalid input) that is no error of COS.
pub(crate) fn generic(message: impl Into<String>) -> Error {
    Error::Generic {
        store: STORE,
        source: message.into().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cos_proto::ServiceError;

    fn answer(status: u16, code: Option<&str>) -> cos_tokio::Error {
        let mut err = ServiceError::new(status);
        err.code = code.map(str::to_owned);
        cos_tokio::Error::Cos(err.into())
    }

    #[test]
    fn answers_map_to_their_meaning() {
        let cases = [
            (answer(404, Some("NoSuchKey")), Kind::NotFound),
            (answer(404, None), Kind::NotFound),
            (answer(412, Some("PreconditionFailed")), Kind::Precondition),
            (answer(409, Some("FileAlreadyExists")), Kind::AlreadyExists),
            (answer(403, Some("AccessDenied")), Kind::PermissionDenied),
            (answer(403, None), Kind::PermissionDenied),
            (
                answer(403, Some("SignatureDoesNotMatch")),
                Kind::Unauthenticated,
            ),
            (
                answer(403, Some("InvalidAccessKeyId")),
                Kind::Unauthenticated,
            ),
            (answer(401, None), Kind::Unauthenticated),
            (answer(409, Some("BucketNotEmpty")), Kind::Generic),
            (answer(500, Some("InternalError")), Kind::Generic),
            (
                cos_tokio::Error::Credentials("none".to_owned()),
                Kind::Unauthenticated,
            ),
        ];
        for (err, kind) in cases {
            assert_eq!(Kind::of(&err), kind, "{err}");
        }
        let not_modified = cos_tokio::Error::Cos(cos_proto::Error::NotModified(Box::new(
            ServiceError::new(304),
        )));
        assert_eq!(Kind::of(&not_modified), Kind::NotModified);
        assert!(matches!(
            client(answer(404, Some("NoSuchKey")), "a/b"),
            Error::NotFound { path, .. } if path == "a/b"
        ));
        let shared_err = Arc::new(answer(403, Some("AccessDenied")));
        assert!(matches!(
            shared(&shared_err, "x"),
            Error::PermissionDenied { .. }
        ));
    }

    #[test]
    fn copies_report_a_missing_source_on_the_source() {
        let missing = TransferError::Client(answer(404, Some("NoSuchKey")));
        assert!(
            matches!(copy(missing, "from", "to"), Error::NotFound { path, .. } if path == "from")
        );
        let exists = TransferError::Client(answer(409, Some("FileAlreadyExists")));
        assert!(matches!(
            copy(exists, "from", "to"),
            Error::AlreadyExists { path, .. } if path == "to"
        ));
        assert!(matches!(
            transfer(TransferError::Cancelled, "p"),
            Error::Generic { .. }
        ));
    }
}
