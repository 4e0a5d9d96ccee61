//! The HTTP/1.1 server: accept loop, per-connection settings, graceful shutdown, and the
//! connection wrapper that lets a fault reset a connection (TCP RST) and gives response
//! header names COS's case ([`crate::wire`]).

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::context::App;
use crate::wire::{CaseIo, ResponseLog};

/// The largest request head accepted by the HTTP parser. Larger heads get hyper's bare
/// 431; heads up to this size reach the emulator, which answers oversized headers with a
/// COS-shaped 400 (see [`crate::router`]).
pub(crate) const MAX_HEAD_BYTES: usize = 1024 * 1024;

/// How long in-flight requests may take to finish once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Per-connection state shared with response bodies.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    /// When set, the connection is torn down with a reset.
    pub(crate) reset: AtomicBool,
    /// The responses the service produced, for the stream to find where bodies end.
    pub(crate) responses: Arc<ResponseLog>,
}

/// A TCP stream whose close becomes a reset when the connection's control says so, and
/// whose response heads get COS's header-name case.
#[derive(Debug)]
struct FaultIo {
    inner: CaseIo<TcpStream>,
    control: Arc<ConnControl>,
}

impl FaultIo {
    fn resetting(&self) -> bool {
        self.control.reset.load(Ordering::SeqCst)
    }
}

fn reset_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionReset,
        "connection reset by a fault",
    )
}

impl AsyncRead for FaultIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.resetting() {
            return Poll::Ready(Err(reset_error()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.resetting() {
            return Poll::Ready(Err(reset_error()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.resetting() {
            return Poll::Ready(Err(reset_error()));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.resetting() {
            return Poll::Ready(Err(reset_error()));
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.resetting() {
            return Poll::Ready(Err(reset_error()));
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl Drop for FaultIo {
    fn drop(&mut self) {
        if self.resetting() {
            // A zero linger turns the close into a RST.
            let _ = self.inner.get_ref().set_zero_linger();
        }
    }
}

/// Accepts connections until the app asks to stop, then lets in-flight requests finish
/// (for at most two seconds).
pub(crate) async fn serve(listener: TcpListener, app: Arc<App>) {
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let control = Arc::new(ConnControl::default());
                    let inner = CaseIo::new(stream, Arc::clone(&control.responses));
                    let io = TokioIo::new(FaultIo { inner, control: Arc::clone(&control) });
                    let app = Arc::clone(&app);
                    let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let app = Arc::clone(&app);
                        let control = Arc::clone(&control);
                        async move {
                            let method = request.method().clone();
                            let response = app.handle(request, Arc::clone(&control)).await;
                            if let Ok(response) = &response {
                                // Before hyper sees the response: the stream needs the
                                // entry when it meets the head.
                                control.responses.record(&method, response.status());
                            }
                            response
                        }
                    });
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(30))
                        .max_buf_size(MAX_HEAD_BYTES)
                        .max_headers(512)
                        .keep_alive(true)
                        .serve_connection(io, service);
                    let watched = graceful.watch(connection);
                    tokio::spawn(async move {
                        let _ = watched.await;
                    });
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = app.shutdown_requested() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}
