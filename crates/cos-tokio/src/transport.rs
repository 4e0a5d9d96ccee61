//! Transport glue: the hyper client, its TLS and proxy connector, the watchdog that
//! enforces timeouts, and the classification of transport errors.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::Uri;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::body::RequestBody;
use cos_proto::driver::pace::{BodyWatch, Slow};
use cos_proto::retry::TransportFailure;

use crate::error::{BoxError, Error};

/// The pooled HTTP/1.1 client every request goes through.
pub(crate) type HttpClient =
    hyper_util::client::legacy::Client<HttpsConnector<ProxyConnector>, RequestBody>;

/// What [`build_http_client`] needs.
#[derive(Debug, Clone)]
pub(crate) struct TransportOptions {
    pub(crate) connect_timeout: Duration,
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) proxy: Option<Arc<Matcher>>,
}

/// Builds the hyper client: rustls (ring, webpki roots), HTTP/1.1, pooled.
pub(crate) fn build_http_client(options: &TransportOptions) -> Result<HttpClient, Error> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(options.connect_timeout));
    let connector = ProxyConnector {
        http,
        proxy: options.proxy.clone(),
    };
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| Error::Build(format!("TLS: {e}")))?
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    Ok(
        hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(options.pool_max_idle_per_host)
            .pool_idle_timeout(options.pool_idle_timeout)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            // hyper resends a request only when a pooled connection closed before any
            // of it was written (nothing reached COS): safe even for one-shot bodies.
            // Every other retry is the core's decision.
            .retry_canceled_requests(true)
            .build(https),
    )
}

/// Reads the proxy settings (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
pub(crate) fn proxy_from_env() -> Option<Arc<Matcher>> {
    let matcher = Matcher::from_env();
    let probe_https: Uri = Uri::from_static("https://cos.example.invalid/");
    let probe_http: Uri = Uri::from_static("http://cos.example.invalid/");
    let any = matcher.intercept(&probe_https).is_some() || matcher.intercept(&probe_http).is_some();
    any.then(|| Arc::new(matcher))
}

/// The `Proxy-Authorization` a plain-HTTP request through a proxy must carry.
pub(crate) fn proxy_authorization(proxy: Option<&Matcher>, uri: &Uri) -> Option<http::HeaderValue> {
    if uri.scheme() != Some(&http::uri::Scheme::HTTP) {
        return None;
    }
    let intercept = proxy?.intercept(uri)?;
    let mut value = intercept.basic_auth()?.clone();
    value.set_sensitive(true);
    Some(value)
}

/// TCP connector that goes through a proxy when the environment says so: a CONNECT
/// tunnel for https, absolute-form requests to the proxy for http.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    proxy: Option<Arc<Matcher>>,
}

type ConnectFuture = Pin<Box<dyn Future<Output = Result<ProxiedIo, BoxError>> + Send>>;

impl tower_service::Service<Uri> for ProxyConnector {
    type Response = ProxiedIo;
    type Error = BoxError;
    type Future = ConnectFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let intercept = self.proxy.as_ref().and_then(|m| m.intercept(&dst));
        let mut http = self.http.clone();
        match intercept {
            None => Box::pin(async move {
                let io = http.call(dst).await?;
                Ok(ProxiedIo { io, proxied: false })
            }),
            Some(intercept) if dst.scheme() == Some(&http::uri::Scheme::HTTPS) => {
                let mut tunnel = Tunnel::new(intercept.uri().clone(), http);
                if let Some(auth) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move {
                    let io = tunnel.call(dst).await?;
                    Ok(ProxiedIo { io, proxied: false })
                })
            }
            Some(intercept) => {
                let proxy = intercept.uri().clone();
                Box::pin(async move {
                    let io = http.call(proxy).await?;
                    Ok(ProxiedIo { io, proxied: true })
                })
            }
        }
    }
}

/// A TCP stream that knows whether it leads to a proxy (hyper then sends absolute-form
/// request targets).
pub(crate) struct ProxiedIo {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for ProxiedIo {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl Read for ProxiedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for ProxiedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

/// How far one attempt has got: when its body last moved, when it was fully sent, and
/// whether it keeps up the minimum-progress rule. The request body updates it; the
/// watchdog reads it.
#[derive(Debug)]
pub(crate) struct Progress {
    state: Mutex<ProgressState>,
}

#[derive(Debug)]
struct ProgressState {
    last: Instant,
    /// The body waits on the caller's source (hyper asked for the next chunk): neither
    /// the stall timeout nor the minimum-progress rule runs.
    on_source: bool,
    sent: Option<Instant>,
    upload_error: Option<io::Error>,
    /// The minimum-progress watch of the body, on the call's clock (since `started`).
    pace: Option<(BodyWatch, Instant)>,
    slow: Option<Slow>,
}

impl Progress {
    /// Progress of a body no pace rule watches.
    pub(crate) fn new() -> Arc<Self> {
        Self::with_pace(None)
    }

    /// Progress of an attempt whose body must keep up `watch` (`started`: when the
    /// call started, the watch's clock).
    pub(crate) fn paced(watch: BodyWatch, started: Instant) -> Arc<Self> {
        Self::with_pace(Some((watch, started)))
    }

    fn with_pace(pace: Option<(BodyWatch, Instant)>) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(ProgressState {
                last: Instant::now(),
                on_source: false,
                sent: None,
                upload_error: None,
                pace,
                slow: None,
            }),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut ProgressState) -> T) -> T {
        let mut guard = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// The connection asked for the next chunk: until [`Progress::advanced`], the
    /// attempt waits on the caller's source, not on the server.
    pub(crate) fn awaiting_source(&self) {
        self.with(|s| {
            if !s.on_source {
                s.on_source = true;
                if let Some((watch, started)) = &mut s.pace {
                    watch.pause(started.elapsed());
                }
            }
        });
    }

    /// `n` body bytes were handed to the connection: from now the attempt waits on the
    /// server.
    pub(crate) fn advanced(&self, n: u64) {
        self.with(|s| {
            s.last = Instant::now();
            s.on_source = false;
            if let Some((watch, started)) = &mut s.pace {
                let now = started.elapsed();
                watch.unpause(now);
                if let Err(slow) = watch.on_bytes(now, n) {
                    s.slow.get_or_insert(slow);
                }
            }
        });
    }

    /// The whole request has been handed to the connection.
    pub(crate) fn sent(&self) {
        self.with(|s| {
            if s.sent.is_none() {
                s.sent = Some(Instant::now());
            }
        });
    }

    /// The caller's upload source failed (not a transport failure).
    pub(crate) fn upload_failed(&self, err: &io::Error) {
        self.with(|s| {
            if s.upload_error.is_none() {
                s.upload_error = Some(io::Error::new(err.kind(), err.to_string()));
            }
        });
    }

    pub(crate) fn take_upload_error(&self) -> Option<io::Error> {
        self.with(|s| s.upload_error.take())
    }

    /// Why the attempt must end now, or when to look again: `stall` after the last body
    /// progress while sending (or the end of the pace window, whichever is first),
    /// `request` after the request was sent.
    fn verdict(&self, stall: Duration, request: Duration) -> Result<Instant, String> {
        self.with(|s| {
            let now = Instant::now();
            if let Some(slow) = s.slow {
                return Err(slow.to_string());
            }
            if let Some(sent) = s.sent {
                let deadline = sent + request;
                return if now >= deadline {
                    Err(format!("no response within {request:?} of sending"))
                } else {
                    Ok(deadline)
                };
            }
            if s.on_source {
                // The caller's source is slow, not the server: only the call's deadline
                // runs, and the watch is read again after a stall timeout.
                let again = now + stall;
                return match &mut s.pace {
                    Some((watch, started)) => match watch.check(started.elapsed()) {
                        Err(slow) => Err(slow.to_string()),
                        Ok(()) => Ok(watch
                            .next_check()
                            .map_or(again, |at| again.min(*started + at))),
                    },
                    None => Ok(again),
                };
            }
            let stalled = s.last + stall;
            if now >= stalled {
                return Err(format!("no upload progress for {stall:?}"));
            }
            match &mut s.pace {
                Some((watch, started)) => {
                    if let Err(slow) = watch.check(started.elapsed()) {
                        return Err(slow.to_string());
                    }
                    let check = watch.next_check().map(|at| *started + at);
                    Ok(check.map_or(stalled, |at| at.min(stalled)))
                }
                None => Ok(stalled),
            }
        })
    }
}

/// Completes when the attempt described by `progress` has timed out, with the reason.
pub(crate) async fn watchdog(progress: &Progress, stall: Duration, request: Duration) -> String {
    loop {
        match progress.verdict(stall, request) {
            Err(reason) => return reason,
            Ok(wake) => tokio::time::sleep_until(wake).await,
        }
    }
}

/// Reads a response body whole, up to `limit` bytes; the flag says whether it was longer
/// (the rest is left unread).
pub(crate) async fn read_limited(
    body: &mut Incoming,
    limit: usize,
) -> Result<(Bytes, bool), hyper::Error> {
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            if buf.len() + data.len() > limit {
                let room = limit - buf.len();
                buf.extend_from_slice(&data[..room]);
                return Ok((buf.freeze(), true));
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok((buf.freeze(), false))
}

/// Classifies a transport error from its source chain. `is_connect` says the error came
/// while connecting (TCP, proxy, TLS handshake): nothing was sent. A TLS error after the
/// handshake (a broken record in the middle of a stream) is not proof of that.
pub(crate) fn classify(err: &(dyn StdError + 'static), is_connect: bool) -> TransportFailure {
    let mut found = None;
    let mut next: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(current) = next {
        if let Some(kind) = kind_of(current) {
            found = Some(kind);
        }
        next = match current.downcast_ref::<io::Error>() {
            Some(io_err) => io_err
                .get_ref()
                .map(|inner| inner as &(dyn StdError + 'static)),
            None => current.source(),
        };
    }
    match found {
        Some(TransportFailure::Io) | None if is_connect => TransportFailure::Connect,
        Some(kind) => kind,
        None => TransportFailure::Io,
    }
}

fn kind_of(err: &(dyn StdError + 'static)) -> Option<TransportFailure> {
    if err.is::<rustls::Error>() {
        return Some(TransportFailure::Io);
    }
    if let Some(io_err) = err.downcast_ref::<io::Error>() {
        return Some(match io_err.kind() {
            io::ErrorKind::TimedOut => TransportFailure::Timeout,
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof => TransportFailure::ConnectionReset,
            io::ErrorKind::ConnectionRefused | io::ErrorKind::NotConnected => {
                TransportFailure::Connect
            }
            _ => TransportFailure::Io,
        });
    }
    if let Some(hyper_err) = err.downcast_ref::<hyper::Error>() {
        if hyper_err.is_timeout() {
            return Some(TransportFailure::Timeout);
        }
        if hyper_err.is_incomplete_message() || hyper_err.is_canceled() {
            return Some(TransportFailure::ConnectionReset);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_classified() {
        let reset = io::Error::new(io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(classify(&reset, false), TransportFailure::ConnectionReset);
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "eof");
        assert_eq!(classify(&eof, false), TransportFailure::ConnectionReset);
        let timeout = io::Error::new(io::ErrorKind::TimedOut, "slow");
        assert_eq!(classify(&timeout, true), TransportFailure::Timeout);
        let other = io::Error::other("odd");
        assert_eq!(classify(&other, false), TransportFailure::Io);
        assert_eq!(classify(&other, true), TransportFailure::Connect);
        let tls = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::General("bad certificate".into()),
        );
        // During the handshake nothing was sent; in the middle of a stream the request
        // may have reached COS.
        assert_eq!(classify(&tls, true), TransportFailure::Connect);
        assert_eq!(classify(&tls, false), TransportFailure::Io);
    }

    #[tokio::test(start_paused = true)]
    async fn the_watchdog_cuts_an_upload_that_trickles() {
        use cos_proto::driver::pace::MinProgress;
        let rule = MinProgress {
            bytes: 1024,
            window: Duration::from_secs(30),
        };
        let progress = Progress::paced(BodyWatch::new(rule, None, Duration::ZERO), Instant::now());
        let started = Instant::now();
        let watch = watchdog(&progress, Duration::from_secs(30), Duration::from_secs(30));
        tokio::pin!(watch);
        // One byte every 29 s: never a stall, always too slow.
        let reason = loop {
            tokio::select! {
                reason = &mut watch => break reason,
                () = tokio::time::sleep(Duration::from_secs(29)) => progress.advanced(1),
            }
        };
        assert!(reason.contains("minimum-progress"), "{reason}");
        assert!(
            started.elapsed() <= Duration::from_secs(60),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_source_is_not_the_servers_fault() {
        use cos_proto::driver::pace::MinProgress;
        let rule = MinProgress {
            bytes: 1024,
            window: Duration::from_secs(30),
        };
        let deadline = Duration::from_secs(3600);
        let started = Instant::now();
        let progress = Progress::paced(
            BodyWatch::new(rule, Some(deadline), Duration::ZERO),
            started,
        );
        let stall = Duration::from_secs(5);
        let watch = watchdog(&progress, stall, Duration::from_secs(30));
        tokio::pin!(watch);
        // The source takes two minutes per chunk; the connection takes each at once.
        for _ in 0..20 {
            progress.awaiting_source();
            tokio::select! {
                reason = &mut watch => panic!("cut while the source was busy: {reason}"),
                () = tokio::time::sleep(Duration::from_secs(120)) => progress.advanced(4096),
            }
        }
        // Once the connection stops taking the body, the stall timeout runs again...
        let reason = (&mut watch).await;
        assert!(reason.contains("no upload progress"), "{reason}");
        // ...and the deadline runs whoever is slow.
        let progress = Progress::paced(
            BodyWatch::new(rule, Some(deadline), Duration::ZERO),
            started,
        );
        progress.awaiting_source();
        let reason = watchdog(&progress, stall, Duration::from_secs(30)).await;
        assert!(reason.contains("deadline"), "{reason}");
        assert!(started.elapsed() >= deadline, "{:?}", started.elapsed());
    }

    #[test]
    fn proxies_apply_per_scheme_and_carry_their_credentials() {
        let matcher = Matcher::builder()
            .http("http://user:pass@proxy.local:3128")
            .no("localhost")
            .build();
        let uri = Uri::from_static("http://bucket.cos.example/key");
        let auth = proxy_authorization(Some(&matcher), &uri).expect("basic auth");
        assert!(auth.is_sensitive());
        let https = Uri::from_static("https://bucket.cos.example/key");
        assert!(proxy_authorization(Some(&matcher), &https).is_none());
        assert!(proxy_authorization(None, &uri).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn the_watchdog_waits_for_the_request_to_be_sent() {
        let progress = Progress::new();
        let stall = Duration::from_secs(5);
        let request = Duration::from_secs(30);
        let started = Instant::now();
        let watch = watchdog(&progress, stall, request);
        tokio::pin!(watch);
        // Sending, with progress every 4 s: no timeout for 12 s.
        for _ in 0..3 {
            tokio::select! {
                _ = &mut watch => panic!("timed out while the body moved"),
                () = tokio::time::sleep(Duration::from_secs(4)) => progress.advanced(1),
            }
        }
        progress.sent();
        (&mut watch).await;
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_secs(42) && waited < Duration::from_secs(43),
            "{waited:?}"
        );
    }
}
