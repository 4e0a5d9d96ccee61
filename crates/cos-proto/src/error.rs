//! The one error type of the core, and its three kinds.
//!
//! * [`InputError`]: a configuration value or an argument is invalid; no request was built.
//! * [`ServiceError`]: COS answered with an error (also inside a `200`, as copy and
//!   complete-multipart can).
//! * [`ResponseError`]: COS answered, but the answer could not be understood.

use std::fmt;

/// Any failure of `cos-proto`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An invalid configuration value or argument, caught before any request existed.
    #[error(transparent)]
    Input(#[from] InputError),
    /// COS (or something in front of it) answered with an error.
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// The response could not be parsed.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// `304 Not Modified`: a condition (`If-None-Match`, `If-Modified-Since`) found the
    /// caller's copy current, so COS sent no object. Not a failure: match it to keep
    /// using that copy. The answer's status and request id are in the [`ServiceError`].
    #[error("not modified (304): the caller's copy is current")]
    NotModified(Box<ServiceError>),
}

impl Error {
    /// `true` for errors raised on this side of the wire (input and response-parsing errors).
    pub fn is_client_error(&self) -> bool {
        !self.is_service_error()
    }

    /// `true` when COS answered with an error (or a `304 Not Modified`).
    pub fn is_service_error(&self) -> bool {
        matches!(self, Error::Service(_) | Error::NotModified(_))
    }

    /// `true` for a `304 Not Modified` ([`Error::NotModified`]).
    pub fn is_not_modified(&self) -> bool {
        matches!(self, Error::NotModified(_))
    }

    /// The service error, when COS answered with one (a `304` included).
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(err) | Error::NotModified(err) => Some(err),
            _ => None,
        }
    }
}

impl From<ServiceError> for Error {
    fn from(err: ServiceError) -> Self {
        Error::Service(Box::new(err))
    }
}

/// A configuration value or an argument that COS would reject (or that would turn the
/// request into a different one). Raised before any request is built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The region name is empty or has characters other than letters, digits, `.` and `-`.
    #[error("invalid region {region:?}: {reason}")]
    InvalidRegion {
        /// The rejected value.
        region: String,
        /// Why.
        reason: &'static str,
    },
    /// The bucket name is not `bucketname-appid` made of lower-case letters, digits and `-`.
    #[error("invalid bucket {bucket:?}: {reason}")]
    InvalidBucket {
        /// The rejected value.
        bucket: String,
        /// Why.
        reason: &'static str,
    },
    /// The endpoint, domain or address is not a valid host (and optional port).
    #[error("invalid endpoint {endpoint:?}: {reason}")]
    InvalidEndpoint {
        /// The rejected value.
        endpoint: String,
        /// Why.
        reason: &'static str,
    },
    /// A part of the credentials is malformed.
    #[error("invalid credentials: {what} {reason}")]
    InvalidCredentials {
        /// Which part (`SecretId`, `SecretKey`, `Token`).
        what: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A session token would travel over plain `http` to a host that is not this
    /// machine, where anyone on the path could take it and use it until it expires.
    #[error(
        "refusing to send a session token over plain http to {host}: use https, \
         or set allow_insecure_http on the configuration"
    )]
    InsecureTransport {
        /// The host requests go to.
        host: String,
    },
    /// The object key is empty.
    #[error("object key is empty")]
    EmptyKey,
    /// The object key is longer than COS allows (850 bytes of UTF-8).
    #[error("object key is {len} bytes long; COS allows at most 850")]
    KeyTooLong {
        /// The key's length in bytes.
        len: usize,
    },
    /// The key normalises to `/` (like `/`, `a/..`, `./`): the request would address the
    /// bucket instead of an object (a GET would list it, a PUT or DELETE would act on it).
    #[error("object key {key:?} resolves to the bucket root")]
    KeyResolvesToBucket {
        /// The rejected key.
        key: String,
    },
    /// The key ends in a `.` or `..` path segment, which HTTP intermediaries rewrite, so
    /// the request would reach a different key than the one signed.
    #[error("object key {key:?} ends in a dot segment ('.' or '..')")]
    KeyEndsWithDotSegment {
        /// The rejected key.
        key: String,
    },
    /// A part number outside `1..=10000`.
    #[error("part number {0} is outside 1..=10000")]
    InvalidPartNumber(u32),
    /// A traffic limit outside `819200..=838860800` bit/s.
    #[error("traffic limit {0} bit/s is outside 819200..=838860800")]
    InvalidTrafficLimit(u64),
    /// A user metadata name that does not start with `x-cos-meta-` or is not a valid header name.
    #[error("invalid metadata name {name:?}: {reason}")]
    InvalidMetadataName {
        /// The rejected name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A value that cannot travel in an HTTP header (control characters, line breaks).
    #[error("invalid value for {name}: {reason}")]
    InvalidHeaderValue {
        /// The header or parameter it was meant for.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// Any other argument COS would reject.
    #[error("invalid {what}: {reason}")]
    InvalidArgument {
        /// The argument.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// The response arrived but does not say what COS promises it says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The XML body could not be parsed into the expected document.
    #[error("malformed {document} XML in response: {detail}")]
    MalformedXml {
        /// The expected root element.
        document: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// A header COS always sends is missing.
    #[error("response lacks the {0} header")]
    MissingHeader(&'static str),
    /// A header has a value that cannot be parsed.
    #[error("response header {name} has an invalid value {value:?}")]
    InvalidHeader {
        /// The header.
        name: &'static str,
        /// Its value (lossy UTF-8).
        value: String,
    },
    /// A document field is missing or invalid.
    #[error("response field {field} is {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A ranged GET was not answered with exactly the bytes asked for: a `200` (the whole
    /// object, as a proxy that ignores `Range` sends), another span, or another object
    /// size. Nothing of such a body is the caller's data.
    #[error("asked for {requested}, the answer carries {answered}")]
    RangeMismatch {
        /// The range asked for (`bytes=100-199`, and the pinned object size when known).
        requested: String,
        /// What the answer says it carries.
        answered: String,
    },
}

/// An error answered by COS: the status, the `<Error>` document's fields (or what could be
/// recovered from headers when there was no body), and the raw body for diagnostics.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The HTTP status; `200` for an error reported inside a successful response.
    pub status: u16,
    /// The COS error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...), if one was sent.
    /// A HEAD answered 404 has no body; its code is `NoSuchResource`, as in the official SDKs.
    pub code: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
    /// The resource COS names in the error (or the request URL, for a bodiless HEAD 404).
    pub resource: Option<String>,
    /// `RequestId` from the body, else the `x-cos-request-id` header.
    pub request_id: Option<String>,
    /// `TraceId` from the body, else the `x-cos-trace-id` header.
    pub trace_id: Option<String>,
    /// `StringToSign` that COS computed, sent with `SignatureDoesNotMatch`.
    pub string_to_sign: Option<String>,
    /// `FormatString` (COS's HttpString) sent with `SignatureDoesNotMatch`.
    pub format_string: Option<String>,
    /// The raw body (UTF-8, lossy; at most 4 KiB) for diagnostics.
    pub body: String,
}

impl ServiceError {
    /// An error with only a status; fill the other fields with the struct's public fields.
    pub fn new(status: u16) -> Self {
        Self {
            status,
            code: None,
            message: None,
            resource: None,
            request_id: None,
            trace_id: None,
            string_to_sign: None,
            format_string: None,
            body: String::new(),
        }
    }

    /// The error code, or `""` when COS sent none.
    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or("")
    }
}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("resource", &self.resource)
            .field("request_id", &self.request_id)
            .field("trace_id", &self.trace_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "COS error (HTTP {})", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(resource) = &self.resource {
            write!(f, " [resource {resource}]")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " [request id {request_id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServiceError {}
