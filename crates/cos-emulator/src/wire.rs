//! Response heads as COS spells them: header names with COS's capitals, rewritten on the
//! socket.
//!
//! hyper 1 writes every header name in lower case and keeps its case-preserving map
//! private, and its `title_case_headers` would write `Etag`. Clients that index a plain,
//! case-sensitive dict (the Python SDK returns `dict(response.headers)`) need COS's own
//! spelling: `ETag`, `Content-Length`, … (the [`COS_CASE`] table); `x-cos-*` names stay
//! lower case, as COS sends them.
//!
//! [`CaseIo`] wraps the connection's stream and rewrites the names in each response head
//! as hyper writes it. Only the case changes, so a head keeps its length. Bodies are never
//! touched, whatever bytes they hold: the wrapper tracks where each message ends.
//!
//! * Between messages, the next bytes are a head (`HTTP/1.x …`) up to the blank line. A
//!   head may arrive over several writes; a header name is only rewritten once it is
//!   known whole (its `:`), or passed on unchanged as soon as it cannot be in the table.
//! * The service records, for each response it produces, whether that response has a body
//!   on the wire (a [`ResponseLog`] shared by the service and the stream): responses to
//!   HEAD and 1xx/204/304 have none, whatever their `Content-Length` says. Interim heads
//!   hyper writes by itself (`100 Continue`) have no entry and no body. A head without an
//!   entry (hyper's own error answers) is framed by its headers.
//! * A body is then passed through unread: `Content-Length` bytes, or chunked framing
//!   (sizes, extensions, data, the last chunk and trailers) parsed to find its end. A body
//!   delimited by the close, or bytes that do not look like HTTP, make the rest of the
//!   connection pass through untouched.
//!
//! Rewritten head bytes go through a small staging buffer (a head is written to the
//! socket by the next write, flush or shutdown); body bytes go straight from the caller's
//! buffers to the socket, in the same vectored write as any staged head bytes.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http::{Method, StatusCode};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Header names COS sends with capitals, in COS's spelling. Names not in this table are
/// written as hyper writes them (lower case).
const COS_CASE: &[&str] = &[
    "Accept-Ranges",
    "Cache-Control",
    "Connection",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Range",
    "Content-Type",
    "Date",
    "ETag",
    "Expires",
    "Last-Modified",
    "Location",
    "Server",
    "Transfer-Encoding",
];

/// The most buffers one vectored write passes on.
const MAX_SLICES: usize = 32;
/// How much of a framing header's value is kept (longer values make the body run to the
/// close).
const MAX_VALUE: usize = 128;
/// How much of the status line is kept (enough for the version and the code).
const MAX_STATUS_LINE: usize = 16;

/// COS's spelling of `name`, if it is in the table.
fn cos_spelling(name: &[u8]) -> Option<&'static str> {
    COS_CASE
        .iter()
        .copied()
        .find(|entry| entry.as_bytes().eq_ignore_ascii_case(name))
}

/// Whether some table name starts with `prefix` (ignoring case).
fn is_table_prefix(prefix: &[u8]) -> bool {
    COS_CASE.iter().any(|entry| {
        entry
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    })
}

/// Whether a response has a body on the wire.
pub(crate) fn has_body(method: &Method, status: StatusCode) -> bool {
    !(*method == Method::HEAD
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED)
}

/// The responses a connection's service produced, in order, as the stream needs them:
/// whether each has a body on the wire.
#[derive(Debug, Default)]
pub(crate) struct ResponseLog {
    entries: Mutex<VecDeque<bool>>,
}

impl ResponseLog {
    /// Records a final response the service is handing to hyper.
    pub(crate) fn record(&self, method: &Method, status: StatusCode) {
        if status.is_informational() {
            // hyper does not send 1xx responses from services; nothing to match.
            return;
        }
        self.lock().push_back(has_body(method, status));
    }

    /// The oldest unmatched response: `Some(has_body)`.
    fn next(&self) -> Option<bool> {
        self.lock().pop_front()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<bool>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Which header's value is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ContentLength,
    TransferEncoding,
    Other,
}

/// Where in a head the next byte falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// The status line.
    Status,
    /// The start of a header line, or of the blank line.
    Start,
    /// A `\r` at the start of a line: the head ends at the `\n`.
    Blank,
    /// A header name that may be in the table: its bytes wait in `Head::name`.
    Name,
    /// A header name that is not in the table: passed on as it comes.
    NameKept,
    /// A header value, up to the end of the line.
    Value(Field),
}

/// A response head being read.
#[derive(Debug, Clone)]
struct Head {
    line: Line,
    /// The start of the status line.
    status_line: Vec<u8>,
    /// Header-name bytes not yet passed on (at most the longest table name).
    name: Vec<u8>,
    /// The value of a framing header, so far.
    value: Vec<u8>,
    /// The value did not fit in `value`.
    value_overflow: bool,
    content_length: Option<u64>,
    /// `Some(true)` when `Transfer-Encoding` ends with `chunked`.
    transfer_encoding: Option<bool>,
    /// Conflicting or unreadable `Content-Length`.
    bad_length: bool,
}

/// What one head byte did.
enum Step {
    More,
    /// The head ended with this byte.
    Done,
    /// The bytes are not an HTTP response head.
    NotHttp,
}

impl Head {
    fn new() -> Self {
        Self {
            line: Line::Status,
            status_line: Vec::new(),
            name: Vec::new(),
            value: Vec::new(),
            value_overflow: false,
            content_length: None,
            transfer_encoding: None,
            bad_length: false,
        }
    }

    /// The status code, when the status line was `HTTP/x.y NNN…`.
    fn status(&self) -> Option<u16> {
        let line = self.status_line.strip_prefix(b"HTTP/")?;
        let space = line.iter().position(|&b| b == b' ')?;
        let code = line.get(space + 1..space + 4)?;
        std::str::from_utf8(code).ok()?.parse().ok()
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) -> Step {
        match self.line {
            Line::Status => {
                out.push(b);
                if self.status_line.len() < MAX_STATUS_LINE {
                    self.status_line.push(b);
                }
                let seen = self.status_line.len().min(5);
                if self.status_line.get(..seen) != b"HTTP/".get(..seen) {
                    return Step::NotHttp;
                }
                if b == b'\n' {
                    self.line = Line::Start;
                }
            }
            Line::Start => match b {
                b'\r' => {
                    out.push(b);
                    self.line = Line::Blank;
                }
                b'\n' => {
                    out.push(b);
                    return Step::Done;
                }
                _ => {
                    self.line = Line::Name;
                    self.name.clear();
                    self.name_byte(b, out);
                }
            },
            Line::Blank => {
                out.push(b);
                if b == b'\n' {
                    return Step::Done;
                }
                // Not a blank line after all: skip the rest of it.
                self.line = Line::Value(Field::Other);
            }
            Line::Name => self.name_byte(b, out),
            Line::NameKept => {
                out.push(b);
                match b {
                    b':' => self.start_value(Field::Other),
                    b'\n' => self.line = Line::Start,
                    _ => {}
                }
            }
            Line::Value(field) => {
                out.push(b);
                if b == b'\n' {
                    self.end_value(field);
                    self.line = Line::Start;
                } else if field != Field::Other {
                    if self.value.len() < MAX_VALUE {
                        self.value.push(b);
                    } else {
                        self.value_overflow = true;
                    }
                }
            }
        }
        Step::More
    }

    /// A byte of a header name that may be in the table.
    fn name_byte(&mut self, b: u8, out: &mut Vec<u8>) {
        match b {
            b':' => {
                let field = if self.name.eq_ignore_ascii_case(b"content-length") {
                    Field::ContentLength
                } else if self.name.eq_ignore_ascii_case(b"transfer-encoding") {
                    Field::TransferEncoding
                } else {
                    Field::Other
                };
                match cos_spelling(&self.name) {
                    Some(spelling) => out.extend_from_slice(spelling.as_bytes()),
                    None => out.extend_from_slice(&self.name),
                }
                self.name.clear();
                out.push(b);
                self.start_value(field);
            }
            b'\r' | b'\n' => {
                // A line without a colon: not a header; passed on as it is.
                out.extend_from_slice(&self.name);
                self.name.clear();
                out.push(b);
                self.line = if b == b'\n' {
                    Line::Start
                } else {
                    Line::Value(Field::Other)
                };
            }
            _ => {
                self.name.push(b);
                if !is_table_prefix(&self.name) {
                    out.extend_from_slice(&self.name);
                    self.name.clear();
                    self.line = Line::NameKept;
                }
            }
        }
    }

    /// Passes on a name still waiting for its end, unchanged (a flush in the middle of a
    /// head: the rest of the name follows unchanged too).
    fn release_name(&mut self, out: &mut Vec<u8>) {
        if self.line == Line::Name {
            out.extend_from_slice(&self.name);
            self.name.clear();
            self.line = Line::NameKept;
        }
    }

    fn start_value(&mut self, field: Field) {
        self.value.clear();
        self.value_overflow = false;
        self.line = Line::Value(field);
    }

    fn end_value(&mut self, field: Field) {
        let text = std::str::from_utf8(&self.value)
            .ok()
            .filter(|_| !self.value_overflow)
            .map(str::trim);
        match field {
            Field::ContentLength => match text.and_then(|t| t.parse::<u64>().ok()) {
                Some(n) if self.content_length.is_none_or(|old| old == n) => {
                    self.content_length = Some(n);
                }
                _ => self.bad_length = true,
            },
            Field::TransferEncoding => {
                let chunked = text.is_some_and(|t| {
                    t.rsplit(',')
                        .next()
                        .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
                });
                self.transfer_encoding = Some(chunked);
            }
            Field::Other => {}
        }
    }

    /// What follows the head on the wire.
    fn body(&self, log: &ResponseLog) -> Phase {
        let status = self.status();
        match status {
            Some(101) => return Phase::Raw,
            Some(100..=199) => return Phase::Idle,
            _ => {}
        }
        let logged = log.next().unwrap_or(true);
        if !logged || matches!(status, Some(204 | 304)) {
            return Phase::Idle;
        }
        match (self.transfer_encoding, self.content_length) {
            (Some(true), _) => Phase::Chunked(Chunked::Size { size: 0, digits: 0 }),
            (Some(false), _) => Phase::Raw,
            _ if self.bad_length => Phase::Raw,
            (None, Some(0)) => Phase::Idle,
            (None, Some(n)) => Phase::Fixed(n),
            (None, None) => Phase::Raw,
        }
    }
}

/// Where in a chunked body the next byte falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunked {
    /// The hex size of the next chunk.
    Size { size: u64, digits: u8 },
    /// A chunk extension (or whitespace) after the size, up to the end of the line.
    Ext { size: u64 },
    /// Chunk data still to come.
    Data(u64),
    /// The line end after chunk data.
    DataEnd,
    /// Trailer lines after the last chunk; `empty` while the current line has no bytes.
    Trailer { empty: bool },
}

impl Chunked {
    fn after_size(size: u64) -> Self {
        if size == 0 {
            Self::Trailer { empty: true }
        } else {
            Self::Data(size)
        }
    }

    /// Reads framing from `input`: how many bytes belong to the body and whether it ended
    /// there. `Err` when the bytes are not chunked framing.
    fn feed(&mut self, input: &[u8]) -> Result<(usize, bool), ()> {
        let mut used = 0;
        while let Some(rest) = input.get(used..).filter(|r| !r.is_empty()) {
            if let Self::Data(left) = *self {
                let take = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                used += take;
                let left = left - take as u64;
                *self = if left == 0 {
                    Self::DataEnd
                } else {
                    Self::Data(left)
                };
                continue;
            }
            let b = rest.first().copied().ok_or(())?;
            used += 1;
            *self = match *self {
                Self::Size { size, digits } => match (b as char).to_digit(16) {
                    Some(digit) if digits < 16 => Self::Size {
                        size: size * 16 + u64::from(digit),
                        digits: digits + 1,
                    },
                    Some(_) => return Err(()),
                    None if digits == 0 => return Err(()),
                    None if b == b'\n' => Self::after_size(size),
                    None if matches!(b, b';' | b' ' | b'\t' | b'\r') => Self::Ext { size },
                    None => return Err(()),
                },
                Self::Ext { size } if b == b'\n' => Self::after_size(size),
                Self::Ext { size } => Self::Ext { size },
                Self::DataEnd if b == b'\n' => Self::Size { size: 0, digits: 0 },
                Self::DataEnd if b == b'\r' => Self::DataEnd,
                Self::DataEnd => return Err(()),
                Self::Trailer { empty: true } if b == b'\n' => return Ok((used, true)),
                Self::Trailer { .. } if b == b'\n' => Self::Trailer { empty: true },
                Self::Trailer { empty } if b == b'\r' => Self::Trailer { empty },
                Self::Trailer { .. } => Self::Trailer { empty: false },
                Self::Data(_) => return Err(()),
            };
        }
        Ok((used, false))
    }
}

/// What the next bytes written are.
#[derive(Debug, Clone)]
enum Phase {
    /// Between messages: a head comes next.
    Idle,
    /// Inside a head.
    Head(Box<Head>),
    /// A body with this many bytes still to come (never zero).
    Fixed(u64),
    /// A chunked body.
    Chunked(Chunked),
    /// Everything from here on passes untouched.
    Raw,
}

/// The stream's position in the response sequence.
#[derive(Debug, Clone)]
struct Framing {
    phase: Phase,
}

impl Framing {
    fn new() -> Self {
        Self { phase: Phase::Idle }
    }

    fn in_head(&self) -> bool {
        matches!(self.phase, Phase::Idle | Phase::Head(_))
    }

    /// Reads head bytes from `input` (up to the end of the head), appending their
    /// rewritten form to `out`. Returns how many bytes it read (at least one when
    /// `input` is not empty).
    fn head(&mut self, input: &[u8], out: &mut Vec<u8>, log: &ResponseLog) -> usize {
        for (i, &b) in input.iter().enumerate() {
            if matches!(self.phase, Phase::Idle) {
                self.phase = Phase::Head(Box::new(Head::new()));
            }
            let Phase::Head(head) = &mut self.phase else {
                return i;
            };
            match head.byte(b, out) {
                Step::More => {}
                Step::Done => {
                    self.phase = head.body(log);
                    return i + 1;
                }
                Step::NotHttp => {
                    head.release_name(out);
                    self.phase = Phase::Raw;
                    return i + 1;
                }
            }
        }
        input.len()
    }

    /// Reads body bytes from `input`, up to the end of the body. Returns how many.
    fn body(&mut self, input: &[u8]) -> usize {
        match &mut self.phase {
            Phase::Idle | Phase::Head(_) => 0,
            Phase::Raw => input.len(),
            Phase::Fixed(left) => {
                let take = usize::try_from(*left)
                    .unwrap_or(usize::MAX)
                    .min(input.len());
                *left -= take as u64;
                if *left == 0 {
                    self.phase = Phase::Idle;
                }
                take
            }
            Phase::Chunked(chunked) => match chunked.feed(input) {
                Ok((used, ended)) => {
                    if ended {
                        self.phase = Phase::Idle;
                    }
                    used
                }
                Err(()) => {
                    self.phase = Phase::Raw;
                    input.len()
                }
            },
        }
    }

    /// Passes on a header name still waiting for its end (see [`Head::release_name`]).
    fn release(&mut self, out: &mut Vec<u8>) {
        if let Phase::Head(head) = &mut self.phase {
            head.release_name(out);
        }
    }
}

/// A stream whose response heads get COS's header-name case (see the module docs).
#[derive(Debug)]
pub(crate) struct CaseIo<S> {
    inner: S,
    log: Arc<ResponseLog>,
    framing: Framing,
    /// Rewritten head bytes not yet on the stream, from `staged_at` on.
    staged: Vec<u8>,
    staged_at: usize,
}

impl<S> CaseIo<S> {
    /// Wraps `inner`; `log` is the one the connection's service records into.
    pub(crate) fn new(inner: S, log: Arc<ResponseLog>) -> Self {
        Self {
            inner,
            log,
            framing: Framing::new(),
            staged: Vec::new(),
            staged_at: 0,
        }
    }

    /// The wrapped stream.
    pub(crate) fn get_ref(&self) -> &S {
        &self.inner
    }

    fn pending(&self) -> &[u8] {
        staged_rest(&self.staged, self.staged_at)
    }

    fn consume_staged(&mut self, n: usize) {
        self.staged_at += n;
        if self.staged_at >= self.staged.len() {
            self.staged.clear();
            self.staged_at = 0;
        }
    }
}

/// The staged bytes not yet written.
fn staged_rest(staged: &[u8], at: usize) -> &[u8] {
    staged.get(at..).unwrap_or(&[])
}

/// The bytes of `bufs` after the first `skip`, as at most [`MAX_SLICES`] non-empty slices.
fn rest<'a>(bufs: &'a [IoSlice<'_>], mut skip: usize) -> impl Iterator<Item = &'a [u8]> {
    bufs.iter()
        .filter_map(move |buf| {
            let buf: &[u8] = buf;
            let start = skip.min(buf.len());
            skip -= start;
            buf.get(start..).filter(|b| !b.is_empty())
        })
        .take(MAX_SLICES)
}

impl<S: AsyncWrite + Unpin> CaseIo<S> {
    /// Writes staged bytes until none are left.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending().is_empty() {
            let pending = staged_rest(&self.staged, self.staged_at);
            match Pin::new(&mut self.inner).poll_write(cx, pending) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => self.consume_staged(n),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }

    fn write(&mut self, cx: &mut Context<'_>, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let mut accepted = 0;
        loop {
            let mut input = rest(bufs, accepted).peekable();
            let Some(&first) = input.peek() else {
                break;
            };
            if self.framing.in_head() {
                accepted += self.framing.head(first, &mut self.staged, &self.log);
                continue;
            }
            // Body bytes, behind whatever head bytes are still staged: one write.
            let mut slices = [IoSlice::new(&[]); MAX_SLICES + 1];
            let mut count = 0;
            let staged = staged_rest(&self.staged, self.staged_at);
            let staged_len = staged.len();
            if staged_len > 0 {
                slices[0] = IoSlice::new(staged);
                count = 1;
            }
            let mut probe = self.framing.clone();
            for buf in input {
                let used = probe.body(buf);
                let Some(part) = buf.get(..used) else {
                    break;
                };
                if let Some(slot) = slices.get_mut(count) {
                    *slot = IoSlice::new(part);
                    count += 1;
                }
                if used < buf.len() || probe.in_head() {
                    break;
                }
            }
            let written = match Pin::new(&mut self.inner)
                .poll_write_vectored(cx, slices.get(..count).unwrap_or(&[]))
            {
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending if accepted > 0 => return Poll::Ready(Ok(accepted)),
                Poll::Pending => return Poll::Pending,
            };
            if written == 0 {
                return Poll::Ready(Ok(accepted));
            }
            let from_staged = written.min(staged_len);
            self.consume_staged(from_staged);
            let mut body = written - from_staged;
            if body == 0 {
                // Only staged bytes went out: try again.
                continue;
            }
            for buf in rest(bufs, accepted) {
                if body == 0 {
                    break;
                }
                let part = buf.get(..body.min(buf.len())).unwrap_or(&[]);
                let used = self.framing.body(part);
                body -= part.len();
                accepted += used;
            }
            return Poll::Ready(Ok(accepted));
        }
        // Everything was head bytes, now staged: send what the stream takes now.
        if let Poll::Ready(Err(e)) = self.poll_drain(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(accepted))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for CaseIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for CaseIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write(cx, &[IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().write(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.framing.release(&mut this.staged);
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.framing.release(&mut this.staged);
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A stream that takes at most a few bytes per write and is sometimes not ready.
    #[derive(Debug, Default)]
    struct Mock {
        out: Vec<u8>,
        /// How many bytes each write takes, in turn (0 = not ready this time).
        accept: Vec<usize>,
        turn: usize,
        vectored: bool,
        flushes: usize,
    }

    impl Mock {
        fn limit(&mut self) -> Option<usize> {
            let limit = if self.accept.is_empty() {
                usize::MAX
            } else {
                self.accept[self.turn % self.accept.len()]
            };
            self.turn += 1;
            (limit > 0).then_some(limit)
        }
    }

    impl AsyncWrite for Mock {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.poll_write_vectored(cx, &[IoSlice::new(buf)])
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let Some(mut limit) = this.limit() else {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            };
            let bufs = if this.vectored {
                bufs
            } else {
                &bufs[..bufs.len().min(1)]
            };
            let mut n = 0;
            for buf in bufs {
                let take = buf.len().min(limit);
                this.out.extend_from_slice(&buf[..take]);
                n += take;
                limit -= take;
            }
            Poll::Ready(Ok(n))
        }

        fn is_write_vectored(&self) -> bool {
            self.vectored
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.get_mut().flushes += 1;
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// Writes `writes` (each a list of buffers, written to the end like hyper does) and
    /// flushes; returns what reached the stream.
    fn run(writes: &[Vec<Vec<u8>>], log: &[bool], accept: &[usize], vectored: bool) -> Vec<u8> {
        let responses = Arc::new(ResponseLog::default());
        for &has_body in log {
            responses.lock().push_back(has_body);
        }
        let mock = Mock {
            accept: accept.to_vec(),
            vectored,
            ..Mock::default()
        };
        let mut io = CaseIo::new(mock, responses);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        for write in writes {
            let total: usize = write.iter().map(Vec::len).sum();
            let mut done = 0;
            let mut spins = 0;
            while done < total {
                let bufs: Vec<IoSlice<'_>> = rest_of(write, done);
                match Pin::new(&mut io).poll_write_vectored(&mut cx, &bufs) {
                    Poll::Ready(Ok(n)) => {
                        assert!(n > 0, "a write took nothing");
                        assert!(done + n <= total);
                        done += n;
                    }
                    Poll::Ready(Err(e)) => panic!("write failed: {e}"),
                    Poll::Pending => {
                        spins += 1;
                        assert!(spins < 1_000_000, "stuck");
                    }
                }
            }
        }
        let mut spins = 0;
        while Pin::new(&mut io).poll_flush(&mut cx).is_pending() {
            spins += 1;
            assert!(spins < 1_000_000, "stuck flushing");
        }
        assert!(io.inner.flushes > 0);
        io.inner.out
    }

    fn rest_of(write: &[Vec<u8>], mut skip: usize) -> Vec<IoSlice<'_>> {
        let mut out = Vec::new();
        for buf in write {
            if skip >= buf.len() {
                skip -= buf.len();
                continue;
            }
            out.push(IoSlice::new(&buf[skip..]));
            skip = 0;
        }
        out
    }

    /// One write of the whole stream.
    fn whole(stream: &[u8]) -> Vec<Vec<Vec<u8>>> {
        vec![vec![stream.to_vec()]]
    }

    /// One write per byte.
    fn bytewise(stream: &[u8]) -> Vec<Vec<Vec<u8>>> {
        stream.iter().map(|&b| vec![vec![b]]).collect()
    }

    /// Every way of feeding `stream` this test suite tries, each must give `expected`.
    #[track_caller]
    fn assert_rewrites(stream: &[u8], log: &[bool], expected: &[u8]) {
        let show = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        for (writes, accept, vectored) in [
            (whole(stream), vec![], true),
            (whole(stream), vec![1], true),
            (whole(stream), vec![0, 3, 0, 7], false),
            (bytewise(stream), vec![], true),
            (bytewise(stream), vec![0, 1], true),
            (
                vec![stream.chunks(5).map(<[u8]>::to_vec).collect()],
                vec![],
                true,
            ),
            (
                vec![stream.chunks(5).map(<[u8]>::to_vec).collect()],
                vec![4],
                true,
            ),
            (
                vec![stream.chunks(5).map(<[u8]>::to_vec).collect()],
                vec![2],
                false,
            ),
        ] {
            let out = run(&writes, log, &accept, vectored);
            assert_eq!(
                show(&out),
                show(expected),
                "accept {accept:?}, vectored {vectored}"
            );
        }
    }

    #[test]
    fn names_in_the_table_get_cos_case() {
        let stream = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\netag: \"e\"\r\ncontent-length: 5\r\nx-cos-request-id: etag\r\nserver-timing: 1\r\naccept-ranges: bytes\r\nlast-modified: x\r\ndate: d\r\nserver: tencent-cos\r\nconnection: close\r\nlocation: l\r\nexpires: e\r\ncache-control: c\r\ncontent-disposition: c\r\ncontent-encoding: c\r\ncontent-language: c\r\ncontent-range: c\r\ncontent-typo: c\r\ne: x\r\n\r\nhello";
        let expected = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"e\"\r\nContent-Length: 5\r\nx-cos-request-id: etag\r\nserver-timing: 1\r\nAccept-Ranges: bytes\r\nLast-Modified: x\r\nDate: d\r\nServer: tencent-cos\r\nConnection: close\r\nLocation: l\r\nExpires: e\r\nCache-Control: c\r\nContent-Disposition: c\r\nContent-Encoding: c\r\nContent-Language: c\r\nContent-Range: c\r\ncontent-typo: c\r\ne: x\r\n\r\nhello";
        assert_rewrites(stream, &[true], expected);
    }

    #[test]
    fn bodies_are_never_rewritten() {
        let body = b"HTTP/1.1 200 OK\r\netag: x\r\n\r\n";
        let mut stream = format!(
            "HTTP/1.1 200 OK\r\netag: a\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        stream.extend_from_slice(body);
        stream.extend_from_slice(b"HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\n\r\netag");
        let mut expected = format!(
            "HTTP/1.1 200 OK\r\nETag: a\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        expected.extend_from_slice(body);
        expected.extend_from_slice(b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\netag");
        assert_rewrites(&stream, &[true, true], &expected);
    }

    #[test]
    fn chunked_bodies_are_framed() {
        let stream = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=\"a\"\r\nhello\r\n1c\r\nHTTP/1.1 200 OK\r\netag: x\r\n\r\n\r\n0\r\netag: trailer\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\netag: y\r\n\r\n";
        let expected = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=\"a\"\r\nhello\r\n1c\r\nHTTP/1.1 200 OK\r\netag: x\r\n\r\n\r\n0\r\netag: trailer\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\nETag: y\r\n\r\n";
        assert_rewrites(stream, &[true, true, false], expected);
    }

    #[test]
    fn interim_and_bodiless_responses() {
        // 100 Continue has no log entry; the HEAD answer announces a length it does not
        // send; 304 and hyper's own error answer (no entry) follow.
        let stream = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 10\r\netag: h\r\n\r\nHTTP/1.1 304 Not Modified\r\netag: n\r\n\r\nHTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: d\r\n\r\n";
        let expected = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: h\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: n\r\n\r\nHTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\nDate: d\r\n\r\n";
        assert_rewrites(stream, &[true, false, false], expected);
    }

    #[test]
    fn unframed_or_foreign_bytes_pass_untouched() {
        // No length: the body runs to the close.
        let stream =
            b"HTTP/1.1 200 OK\r\netag: a\r\n\r\nHTTP/1.1 200 OK\r\netag: b\r\ncontent-length: 0\r\n\r\n";
        let expected =
            b"HTTP/1.1 200 OK\r\nETag: a\r\n\r\nHTTP/1.1 200 OK\r\netag: b\r\ncontent-length: 0\r\n\r\n";
        assert_rewrites(stream, &[true, true], expected);
        // Not HTTP at all.
        let stream = b"hello\r\netag: a\r\n\r\n";
        assert_rewrites(stream, &[], stream);
        // Broken chunked framing: the rest is left alone.
        let stream = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n0\r\n\r\nHTTP/1.1 200 OK\r\netag: c\r\n\r\n";
        let expected = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n0\r\n\r\nHTTP/1.1 200 OK\r\netag: c\r\n\r\n";
        assert_rewrites(stream, &[true, true], expected);
        // Conflicting lengths: the same.
        let stream = b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nabHTTP/1.1 200 OK\r\netag: c\r\n\r\n";
        let expected = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nabHTTP/1.1 200 OK\r\netag: c\r\n\r\n";
        assert_rewrites(stream, &[true, true], expected);
    }

    #[test]
    fn a_flush_inside_a_name_releases_it_unchanged() {
        let responses = Arc::new(ResponseLog::default());
        let mut io = CaseIo::new(Mock::default(), responses);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        for part in [
            &b"HTTP/1.1 200 OK\r\net"[..],
            b"ag: x\r\ncontent-length: 0\r\n\r\n",
        ] {
            let Poll::Ready(Ok(n)) = Pin::new(&mut io).poll_write(&mut cx, part) else {
                panic!("mock is always ready");
            };
            assert_eq!(n, part.len());
            assert!(Pin::new(&mut io).poll_flush(&mut cx).is_ready());
        }
        assert_eq!(
            io.inner.out,
            b"HTTP/1.1 200 OK\r\netag: x\r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn log_entries_follow_the_method_and_status() {
        assert!(has_body(&Method::GET, StatusCode::OK));
        assert!(has_body(&Method::PUT, StatusCode::NOT_FOUND));
        assert!(!has_body(&Method::HEAD, StatusCode::OK));
        assert!(!has_body(&Method::HEAD, StatusCode::NOT_FOUND));
        assert!(!has_body(&Method::GET, StatusCode::NOT_MODIFIED));
        assert!(!has_body(&Method::DELETE, StatusCode::NO_CONTENT));
        let log = ResponseLog::default();
        log.record(&Method::GET, StatusCode::CONTINUE);
        log.record(&Method::HEAD, StatusCode::OK);
        log.record(&Method::GET, StatusCode::OK);
        assert_eq!(log.next(), Some(false));
        assert_eq!(log.next(), Some(true));
        assert_eq!(log.next(), None);
    }

    /// Body bytes that look like heads and framing.
    fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"HTTP/1.1 200 OK\r\n".to_vec()),
            Just(b"etag: x\r\n".to_vec()),
            Just(b"content-length: 3\r\n".to_vec()),
            Just(b"\r\n\r\n".to_vec()),
            Just(b"0\r\n\r\n".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..20),
        ];
        proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
    }

    /// A response as hyper writes it and as the wire must carry it.
    fn response() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, bool)> {
        (body_bytes(), 0u8..4, 1usize..8).prop_map(|(body, kind, chunk)| {
            let (lower, cos) = (
                "HTTP/1.1 200 OK\r\netag: \"e\"\r\nx-cos-request-id: r\r\n".to_owned(),
                "HTTP/1.1 200 OK\r\nETag: \"e\"\r\nx-cos-request-id: r\r\n".to_owned(),
            );
            let mut framed = Vec::new();
            let (lower, cos, has_body) = match kind {
                0 => {
                    framed.extend_from_slice(&body);
                    let n = body.len();
                    (
                        format!("{lower}content-length: {n}\r\n\r\n"),
                        format!("{cos}Content-Length: {n}\r\n\r\n"),
                        true,
                    )
                }
                1 => {
                    for part in body.chunks(chunk) {
                        framed.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                        framed.extend_from_slice(part);
                        framed.extend_from_slice(b"\r\n");
                    }
                    framed.extend_from_slice(b"0\r\n\r\n");
                    (
                        format!("{lower}transfer-encoding: chunked\r\n\r\n"),
                        format!("{cos}Transfer-Encoding: chunked\r\n\r\n"),
                        true,
                    )
                }
                // A HEAD answer.
                2 => (
                    format!("{lower}content-length: {}\r\n\r\n", body.len() + 1),
                    format!("{cos}Content-Length: {}\r\n\r\n", body.len() + 1),
                    false,
                ),
                // 100 Continue first (no log entry).
                _ => {
                    framed.extend_from_slice(&body);
                    let n = body.len();
                    (
                        format!("HTTP/1.1 100 Continue\r\n\r\n{lower}content-length: {n}\r\n\r\n"),
                        format!("HTTP/1.1 100 Continue\r\n\r\n{cos}Content-Length: {n}\r\n\r\n"),
                        true,
                    )
                }
            };
            let mut wire = lower.into_bytes();
            wire.extend_from_slice(&framed);
            let mut expected = cos.into_bytes();
            expected.extend_from_slice(&framed);
            (wire, expected, has_body)
        })
    }

    proptest! {
        #[test]
        fn any_split_of_any_responses_round_trips(
            responses in proptest::collection::vec(response(), 1..5),
            cuts in proptest::collection::vec(1usize..40, 1..30),
            accept in proptest::collection::vec(0usize..50, 0..6),
            vectored in any::<bool>(),
        ) {
            let stream: Vec<u8> = responses.iter().flat_map(|r| r.0.clone()).collect();
            let expected: Vec<u8> = responses.iter().flat_map(|r| r.1.clone()).collect();
            let log: Vec<bool> = responses.iter().map(|r| r.2).collect();
            // Cut the stream into writes of one to three buffers.
            let mut writes = Vec::new();
            let mut at = 0;
            let mut i = 0;
            while at < stream.len() {
                let mut write = Vec::new();
                for _ in 0..=(cuts[i % cuts.len()] % 3) {
                    let len = cuts[(i + 1) % cuts.len()].min(stream.len() - at);
                    write.push(stream[at..at + len].to_vec());
                    at += len;
                    i += 1;
                    if at == stream.len() {
                        break;
                    }
                }
                writes.push(write);
            }
            // Keep the mock from never being ready.
            let mut accept = accept;
            if !accept.is_empty() && accept.iter().all(|&a| a == 0) {
                accept.push(1);
            }
            let out = run(&writes, &log, &accept, vectored);
            prop_assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&expected)
            );
        }
    }
}
