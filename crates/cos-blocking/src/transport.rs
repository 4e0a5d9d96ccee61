//! The transport glue: one attempt of a signed `http::Request` over the ureq agent, and
//! the mapping of ureq's errors to the core's [`TransportFailure`] kinds.

use std::io;
use std::time::{Duration, Instant};

use cos_proto::driver::pace::BodyWatch;
use cos_proto::retry::TransportFailure;
use ureq::SendBody;

use crate::body::UploadBody;
use crate::client::{Failure, Inner};
use crate::error::Error;

/// The outcome of one attempt: a response, or a transport failure to report to the call.
pub(crate) type Attempt = Result<http::Response<ureq::Body>, Failure>;

/// The time limits of one attempt.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// The operation gets the long timeout ([`cos_proto::TimeoutClass::Long`]).
    pub(crate) long: bool,
    /// How long the answer may take once the request is sent (its head, and a document
    /// body), already cut to what the call's deadline leaves.
    pub(crate) response: Duration,
    /// What the call's deadline leaves, when it has one: the whole attempt must fit.
    pub(crate) left: Option<Duration>,
    /// The answer is object data the caller streams (its pace is watched while read).
    pub(crate) streamed: bool,
    /// The minimum-progress watch of the request body.
    pub(crate) upload: BodyWatch,
    /// When the call started (the watch's clock).
    pub(crate) started: Instant,
}

/// Sends one attempt. The outer error is a local problem that ends the call at once (the
/// body does not fit the request, or the caller's source failed).
pub(crate) fn send(
    inner: &Inner,
    request: http::Request<cos_proto::Body>,
    body: &mut UploadBody,
    limits: &Limits,
) -> Result<Attempt, Error> {
    let (parts, document) = request.into_parts();
    match document {
        cos_proto::Body::Empty => Ok(run(inner, http::Request::from_parts(parts, ()), limits)),
        cos_proto::Body::Bytes(bytes) => Ok(run(
            inner,
            http::Request::from_parts(parts, bytes.as_ref()),
            limits,
        )),
        cos_proto::Body::Payload { .. } => {
            let mut reader = body.attempt()?.paced(limits.upload.clone(), limits.started);
            let attempt = run(
                inner,
                http::Request::from_parts(parts, SendBody::from_reader(&mut reader)),
                limits,
            );
            if let Some(slow) = reader.take_slow() {
                return Ok(Err(Failure {
                    kind: TransportFailure::Timeout,
                    source: Box::new(slow),
                }));
            }
            if let Some(err) = reader.take_failure() {
                return Err(Error::Source(err));
            }
            Ok(attempt)
        }
    }
}

fn run(inner: &Inner, request: http::Request<impl ureq::AsSendBody>, limits: &Limits) -> Attempt {
    let wait = Some(limits.response);
    let mut config = inner
        .agent
        .configure_request(request)
        .timeout_recv_response(wait)
        .timeout_global(limits.left);
    if !limits.streamed {
        // A document must arrive whole in time, however it trickles.
        config = config.timeout_recv_body(wait);
    }
    if limits.long {
        // COS answers a complete only once the object is assembled, keeping the
        // connection open meanwhile: every read of the answer may wait that long.
        config = config.timeout_per_read(wait);
    }
    let result = inner.agent.run(config.build());
    result.map_err(|err| Failure {
        kind: classify(&err),
        source: Box::new(err),
    })
}

/// Maps a ureq error to the core's transport failure kinds. Only failures that prove no
/// byte reached the server are [`TransportFailure::Connect`]. A TLS error is not one:
/// ureq reports a failed handshake and a record broken in the middle of a stream the
/// same way, and after the handshake the request may have reached COS.
pub(crate) fn classify(err: &ureq::Error) -> TransportFailure {
    match err {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::ConnectProxyFailed(_)
        | ureq::Error::InvalidProxyUrl
        | ureq::Error::TlsRequired => TransportFailure::Connect,
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            TransportFailure::Connect
        }
        ureq::Error::Timeout(_) => TransportFailure::Timeout,
        ureq::Error::Io(err) => classify_io(err),
        _ => TransportFailure::Io,
    }
}

/// Maps an I/O error (from a socket, or a ureq error wrapped by a body reader).
pub(crate) fn classify_io(err: &io::Error) -> TransportFailure {
    if let Some(inner) = err.get_ref().and_then(|e| e.downcast_ref::<ureq::Error>()) {
        return classify(inner);
    }
    match err.kind() {
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::AddrNotAvailable
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable => TransportFailure::Connect,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportFailure::Timeout,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => TransportFailure::ConnectionReset,
        _ => TransportFailure::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_connection_setup_failures_are_connect() {
        assert_eq!(
            classify(&ureq::Error::HostNotFound),
            TransportFailure::Connect
        );
        assert_eq!(
            classify(&ureq::Error::Timeout(ureq::Timeout::Connect)),
            TransportFailure::Connect
        );
        assert_eq!(
            classify(&ureq::Error::Timeout(ureq::Timeout::RecvResponse)),
            TransportFailure::Timeout
        );
        let reset = io::Error::new(io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(classify_io(&reset), TransportFailure::ConnectionReset);
        let refused = ureq::Error::Io(io::Error::new(io::ErrorKind::ConnectionRefused, "no"));
        assert_eq!(classify(&refused), TransportFailure::Connect);
        let wrapped = io::Error::other(ureq::Error::Timeout(ureq::Timeout::PerRead));
        assert_eq!(classify_io(&wrapped), TransportFailure::Timeout);
        // A TLS error may come in the middle of a stream: not proof of "never sent".
        let tls = ureq::Error::Rustls(rustls::Error::DecryptError);
        assert_eq!(classify(&tls), TransportFailure::Io);
        assert_eq!(classify_io(&io::Error::other(tls)), TransportFailure::Io);
        assert_eq!(
            classify(&ureq::Error::Tls("no provider")),
            TransportFailure::Io
        );
        assert_eq!(classify_io(&io::Error::other("odd")), TransportFailure::Io);
    }
}
