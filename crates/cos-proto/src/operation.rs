//! The contract between an operation and a driver.

use bytes::Bytes;

use crate::config::Config;
use crate::error::Error;
use crate::request::Body;
use crate::retry::Idempotency;

/// What a driver does with a successful response's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseBody {
    /// Read it whole (at most [`crate::response::MAX_DOCUMENT_BODY`] bytes) and pass it
    /// to [`Operation::parse_response`].
    Buffered,
    /// Object data: pass an empty body to [`Operation::parse_response`] and hand the
    /// stream to the caller. Error responses are still buffered (at most
    /// [`crate::response::MAX_ERROR_BODY`] bytes) and parsed.
    Streamed,
}

/// How long an attempt of an operation may wait for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutClass {
    /// The client's request timeout ([`crate::driver::call::CallOptions::request_timeout`]).
    Request,
    /// COS works before it answers (CompleteMultipartUpload assembles the object): the
    /// client's long timeout ([`crate::driver::call::CallOptions::complete_timeout`]).
    Long,
}

/// One COS operation: how to build its request and how to read its response.
///
/// A driver sends any operation the same way:
///
/// 1. `let request = op.build_request(&config)?;` — an unsigned `http::Request<Body>`;
/// 2. sign it with [`crate::sign::sign_request`] (a fresh key time for every attempt);
/// 3. send it, streaming [`Body::Payload`] bytes from the caller's source;
/// 4. read the body as [`Operation::RESPONSE_BODY`] says and call
///    `op.parse_response(request.uri(), response)`;
/// 5. on failure, ask [`crate::retry::RetryPolicy`] whether to try again, using
///    [`Operation::idempotency`].
pub trait Operation {
    /// The typed result.
    type Output;

    /// The operation's name as COS documents it (`PutObject`, `ListObjects`, ...): what
    /// errors and traces call it.
    const NAME: &'static str;

    /// Which timeout its attempts get.
    const TIMEOUT: TimeoutClass = TimeoutClass::Request;

    /// How the driver must treat a successful response's body.
    const RESPONSE_BODY: ResponseBody = ResponseBody::Buffered;

    /// Whether repeating the request is harmless. Only InitiateMultipartUpload is not.
    fn idempotency(&self) -> Idempotency {
        Idempotency::Idempotent
    }

    /// Builds the unsigned request. Fails before any I/O on invalid input.
    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error>;

    /// Turns the response into the output or a typed error. `url` is the request's URI
    /// (errors without a body name it as their resource).
    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<Self::Output, Error>;
}
