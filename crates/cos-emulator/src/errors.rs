//! COS error codes, their HTTP statuses and default messages.
//!
//! Handlers fail with a [`CosError`]; the dispatcher turns it into the `<Error>` document
//! COS sends (see [`crate::xml_out::error_document`]).

use std::borrow::Cow;

use http::StatusCode;

/// The COS error codes the emulator answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    AccessDenied,
    AccessForbidden,
    AppendPositionErr,
    BadDigest,
    BadRequest,
    BucketAlreadyExists,
    BucketNotEmpty,
    EntityTooLarge,
    EntityTooSmall,
    ExpiredToken,
    FileAlreadyExists,
    IncompleteBody,
    InternalError,
    InvalidAccessKeyId,
    InvalidArgument,
    InvalidBucketName,
    InvalidCopySource,
    InvalidDigest,
    InvalidObjectName,
    InvalidObjectState,
    InvalidPart,
    InvalidPartOrder,
    InvalidRange,
    InvalidRequest,
    InvalidTag,
    InvalidURI,
    InventoryConfigurationNotFoundError,
    KeyTooLong,
    MalformedPolicy,
    MalformedXML,
    MethodNotAllowed,
    MissingContentLength,
    NoSuchBucket,
    NoSuchBucketPolicy,
    NoSuchCORSConfiguration,
    NoSuchConfiguration,
    NoSuchDomainConfiguration,
    NoSuchEncryptionConfiguration,
    NoSuchKey,
    NoSuchLifecycleConfiguration,
    NoSuchObjectLockConfiguration,
    NoSuchTagSet,
    NoSuchUpload,
    NoSuchVersion,
    NoSuchWebsiteConfiguration,
    NotImplemented,
    ObjectNotAppendable,
    PolicyInvalid,
    PreconditionFailed,
    ReplicationConfigurationNotFoundError,
    RequestHeaderTooLarge,
    RequestTimeTooSkewed,
    RestoreAlreadyInProgress,
    RestoreNonArchiveObject,
    SignatureDoesNotMatch,
}

impl ErrorCode {
    /// The `<Code>` text.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::AccessDenied => "AccessDenied",
            Self::AccessForbidden => "AccessForbidden",
            Self::BadRequest => "BadRequest",
            Self::BucketAlreadyExists => "BucketAlreadyExists",
            Self::InventoryConfigurationNotFoundError => "InventoryConfigurationNotFoundError",
            Self::MalformedPolicy => "MalformedPolicy",
            Self::NoSuchBucketPolicy => "NoSuchBucketPolicy",
            Self::NoSuchCORSConfiguration => "NoSuchCORSConfiguration",
            Self::NoSuchConfiguration => "NoSuchConfiguration",
            Self::NoSuchDomainConfiguration => "NoSuchDomainConfiguration",
            Self::NoSuchEncryptionConfiguration => "NoSuchEncryptionConfiguration",
            Self::NoSuchLifecycleConfiguration => "NoSuchLifecycleConfiguration",
            Self::NoSuchObjectLockConfiguration => "NoSuchObjectLockConfiguration",
            Self::NoSuchTagSet => "NoSuchTagSet",
            Self::NoSuchWebsiteConfiguration => "NoSuchWebsiteConfiguration",
            Self::PolicyInvalid => "PolicyInvalid",
            Self::ReplicationConfigurationNotFoundError => "ReplicationConfigurationNotFoundError",
            Self::AppendPositionErr => "AppendPositionErr",
            Self::BadDigest => "BadDigest",
            Self::BucketNotEmpty => "BucketNotEmpty",
            Self::EntityTooLarge => "EntityTooLarge",
            Self::EntityTooSmall => "EntityTooSmall",
            Self::ExpiredToken => "ExpiredToken",
            Self::FileAlreadyExists => "FileAlreadyExists",
            Self::IncompleteBody => "IncompleteBody",
            Self::InternalError => "InternalError",
            Self::InvalidAccessKeyId => "InvalidAccessKeyId",
            Self::InvalidArgument => "InvalidArgument",
            Self::InvalidBucketName => "InvalidBucketName",
            Self::InvalidCopySource => "InvalidCopySource",
            Self::InvalidDigest => "InvalidDigest",
            Self::InvalidObjectName => "InvalidObjectName",
            Self::InvalidObjectState => "InvalidObjectState",
            Self::InvalidPart => "InvalidPart",
            Self::InvalidPartOrder => "InvalidPartOrder",
            Self::InvalidRange => "InvalidRange",
            Self::InvalidRequest => "InvalidRequest",
            Self::InvalidTag => "InvalidTag",
            Self::InvalidURI => "InvalidURI",
            Self::KeyTooLong => "KeyTooLong",
            Self::MalformedXML => "MalformedXML",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::MissingContentLength => "MissingContentLength",
            Self::NoSuchBucket => "NoSuchBucket",
            Self::NoSuchKey => "NoSuchKey",
            Self::NoSuchUpload => "NoSuchUpload",
            Self::NoSuchVersion => "NoSuchVersion",
            Self::NotImplemented => "NotImplemented",
            Self::ObjectNotAppendable => "ObjectNotAppendable",
            Self::PreconditionFailed => "PreconditionFailed",
            Self::RequestHeaderTooLarge => "RequestHeaderTooLarge",
            Self::RequestTimeTooSkewed => "RequestTimeTooSkewed",
            Self::RestoreAlreadyInProgress => "RestoreAlreadyInProgress",
            Self::RestoreNonArchiveObject => "RestoreNonArchiveObject",
            Self::SignatureDoesNotMatch => "SignatureDoesNotMatch",
        }
    }

    /// The HTTP status COS pairs with the code.
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::BadDigest
            | Self::EntityTooLarge
            | Self::EntityTooSmall
            | Self::ExpiredToken
            | Self::IncompleteBody
            | Self::InvalidArgument
            | Self::InvalidBucketName
            | Self::InvalidCopySource
            | Self::InvalidDigest
            | Self::InvalidObjectName
            | Self::InvalidPart
            | Self::InvalidPartOrder
            | Self::InvalidRequest
            | Self::InvalidTag
            | Self::InvalidURI
            | Self::KeyTooLong
            | Self::MalformedXML
            | Self::RequestHeaderTooLarge => StatusCode::BAD_REQUEST,
            Self::AccessDenied
            | Self::InvalidAccessKeyId
            | Self::InvalidObjectState
            | Self::RequestTimeTooSkewed
            | Self::SignatureDoesNotMatch => StatusCode::FORBIDDEN,
            Self::NoSuchBucket | Self::NoSuchKey | Self::NoSuchUpload | Self::NoSuchVersion => {
                StatusCode::NOT_FOUND
            }
            Self::MethodNotAllowed | Self::RestoreNonArchiveObject => {
                StatusCode::METHOD_NOT_ALLOWED
            }
            Self::AppendPositionErr
            | Self::BucketNotEmpty
            | Self::FileAlreadyExists
            | Self::ObjectNotAppendable
            | Self::RestoreAlreadyInProgress => StatusCode::CONFLICT,
            Self::AccessForbidden => StatusCode::FORBIDDEN,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::BucketAlreadyExists => StatusCode::CONFLICT,
            Self::InventoryConfigurationNotFoundError => StatusCode::NOT_FOUND,
            Self::MalformedPolicy => StatusCode::BAD_REQUEST,
            Self::NoSuchBucketPolicy => StatusCode::NOT_FOUND,
            Self::NoSuchCORSConfiguration => StatusCode::NOT_FOUND,
            Self::NoSuchConfiguration => StatusCode::NOT_FOUND,
            Self::NoSuchDomainConfiguration => StatusCode::NOT_FOUND,
            Self::NoSuchEncryptionConfiguration => StatusCode::NOT_FOUND,
            Self::NoSuchLifecycleConfiguration => StatusCode::NOT_FOUND,
            Self::NoSuchObjectLockConfiguration => StatusCode::NOT_FOUND,
            Self::NoSuchTagSet => StatusCode::NOT_FOUND,
            Self::NoSuchWebsiteConfiguration => StatusCode::NOT_FOUND,
            Self::PolicyInvalid => StatusCode::BAD_REQUEST,
            Self::ReplicationConfigurationNotFoundError => StatusCode::NOT_FOUND,
            Self::MissingContentLength => StatusCode::LENGTH_REQUIRED,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::InvalidRange => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::NotImplemented => StatusCode::NOT_IMPLEMENTED,
        }
    }

    /// The message COS sends when nothing more specific is known.
    pub(crate) fn default_message(self) -> &'static str {
        match self {
            Self::AccessDenied => "Access Denied.",
            Self::AccessForbidden => {
                "CORSResponse: This CORS request is not allowed. This is usually because the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
            }
            Self::BadRequest => "Insufficient information. Origin request header needed.",
            Self::BucketAlreadyExists => "The requested bucket name is not available.",
            Self::InventoryConfigurationNotFoundError => {
                "The inventory configuration does not exist."
            }
            Self::MalformedPolicy => "The policy is not valid JSON.",
            Self::NoSuchBucketPolicy => "The bucket policy does not exist.",
            Self::NoSuchCORSConfiguration => "The CORS configuration does not exist.",
            Self::NoSuchConfiguration => "The specified configuration does not exist.",
            Self::NoSuchDomainConfiguration => "The domain configuration does not exist.",
            Self::NoSuchEncryptionConfiguration => {
                "The server side encryption configuration was not found."
            }
            Self::NoSuchLifecycleConfiguration => "The lifecycle configuration does not exist.",
            Self::NoSuchObjectLockConfiguration => "The object lock configuration does not exist.",
            Self::NoSuchTagSet => "The TagSet does not exist.",
            Self::NoSuchWebsiteConfiguration => {
                "The specified bucket does not have a website configuration."
            }
            Self::PolicyInvalid => "Policy is invalid.",
            Self::ReplicationConfigurationNotFoundError => {
                "The replication configuration was not found."
            }
            Self::AppendPositionErr => "The position is not equal to the length of the object.",
            Self::BadDigest => "The Content-MD5 you specified did not match what we received.",
            Self::BucketNotEmpty => "The bucket you tried to delete is not empty.",
            Self::EntityTooLarge => "Your proposed upload exceeds the maximum allowed object size.",
            Self::ExpiredToken => "The provided token has expired.",
            Self::EntityTooSmall => {
                "Your proposed upload is smaller than the minimum allowed object size."
            }
            Self::FileAlreadyExists => "The object already exists and overwriting is forbidden.",
            Self::IncompleteBody => {
                "You did not provide the number of bytes specified by the Content-Length HTTP header."
            }
            Self::InternalError => "We encountered an internal error. Please try again.",
            Self::InvalidAccessKeyId => {
                "The Access Key Id you provided does not exist in our records."
            }
            Self::InvalidArgument => "Invalid Argument.",
            Self::InvalidBucketName => "The specified bucket is not valid.",
            Self::InvalidCopySource => "The copy source is invalid.",
            Self::InvalidDigest => "The Content-MD5 you specified is not valid.",
            Self::InvalidObjectName => "The object name is not valid.",
            Self::InvalidObjectState => "The operation is not valid for the object's state.",
            Self::InvalidPart => {
                "One or more of the specified parts could not be found or its entity tag did not match."
            }
            Self::InvalidPartOrder => "The list of parts was not in ascending order.",
            Self::InvalidRange => "The requested range is not satisfiable.",
            Self::InvalidRequest => "Invalid Request.",
            Self::InvalidTag => "The tag provided was not a valid tag.",
            Self::InvalidURI => "Couldn't parse the specified URI.",
            Self::KeyTooLong => "Your key is too long.",
            Self::MalformedXML => "The XML you provided was not well-formed.",
            Self::MethodNotAllowed => "The specified method is not allowed against this resource.",
            Self::MissingContentLength => "You must provide the Content-Length HTTP header.",
            Self::NoSuchBucket => "The specified bucket does not exist.",
            Self::NoSuchKey => "The specified key does not exist.",
            Self::NoSuchUpload => "The specified upload does not exist.",
            Self::NoSuchVersion => "The specified version does not exist.",
            Self::NotImplemented => "This operation is not implemented by the emulator.",
            Self::ObjectNotAppendable => "The object is not appendable.",
            Self::PreconditionFailed => {
                "At least one of the pre-conditions you specified did not hold."
            }
            Self::RequestHeaderTooLarge => "Your request header section exceeds the maximum size.",
            Self::RequestTimeTooSkewed => {
                "The difference between the request time and the server's time is too large."
            }
            Self::RestoreAlreadyInProgress => "Object restore is already in progress.",
            Self::RestoreNonArchiveObject => "Only archived objects can be restored.",
            Self::SignatureDoesNotMatch => {
                "The Signature you specified does not match what we calculated."
            }
        }
    }
}

/// A failed request: the code, the message and any extra response headers.
#[derive(Debug, Clone)]
pub(crate) struct CosError {
    /// The error code (and through it the status).
    pub(crate) code: ErrorCode,
    /// The `<Message>` text.
    pub(crate) message: Cow<'static, str>,
    /// Extra headers for the error response (e.g. `Content-Range` on 416).
    pub(crate) headers: Vec<(&'static str, String)>,
    /// Extra elements in the `<Error>` document (e.g. `StringToSign`).
    pub(crate) details: Vec<(&'static str, String)>,
}

impl CosError {
    /// The error with its default message.
    pub(crate) fn new(code: ErrorCode) -> Self {
        Self {
            code,
            message: Cow::Borrowed(code.default_message()),
            headers: Vec::new(),
            details: Vec::new(),
        }
    }

    /// The error with a specific message.
    pub(crate) fn with_message(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
            ..Self::new(code)
        }
    }

    /// Adds a response header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds an element to the error document.
    pub(crate) fn detail(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.details.push((name, value.into()));
        self
    }

    /// An internal failure (I/O on the data directory and the like).
    pub(crate) fn internal(what: impl std::fmt::Display) -> Self {
        Self::with_message(
            ErrorCode::InternalError,
            format!("We encountered an internal error: {what}"),
        )
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        self.code.status()
    }
}

impl From<std::io::Error> for CosError {
    fn from(error: std::io::Error) -> Self {
        Self::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_cos_table() {
        assert_eq!(ErrorCode::SignatureDoesNotMatch.status(), 403);
        assert_eq!(ErrorCode::InvalidAccessKeyId.status(), 403);
        assert_eq!(ErrorCode::BadDigest.status(), 400);
        assert_eq!(ErrorCode::AppendPositionErr.status(), 409);
        assert_eq!(ErrorCode::RestoreNonArchiveObject.status(), 405);
        assert_eq!(ErrorCode::InvalidRange.status(), 416);
        assert_eq!(ErrorCode::NoSuchUpload.status(), 404);
        assert_eq!(ErrorCode::MissingContentLength.status(), 411);
    }

    #[test]
    fn messages_are_overridable() {
        let e = CosError::with_message(ErrorCode::AccessDenied, "Request has expired");
        assert_eq!(e.message, "Request has expired");
        assert_eq!(e.code.as_str(), "AccessDenied");
    }
}
