//! A minimal, blocking HTTP/1.1 client for the emulator tests: requests are built with
//! cos-proto's operations, signed with `cos_proto::sign::sign_request`, and written to a
//! plain `TcpStream` (one connection per request, `Connection: close`), so tests control
//! every byte and can observe resets and truncated bodies.
#![allow(dead_code, unreachable_pub)]

pub mod bucket_requests;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use bytes::Bytes;
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::sign::{self, KeyTime, SignOptions};
use cos_proto::{Body, Config, Credentials, Operation};

/// The bucket most tests use.
pub const BUCKET: &str = "examplebucket-1250000000";
/// A fixed time for deterministic signatures.
pub const NOW: u64 = 1_700_000_000;

/// What came back.
#[derive(Debug, Clone)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The read ended with an error (reset) instead of EOF.
    pub read_error: Option<io::ErrorKind>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The text of the first `<name>` element in the body.
    pub fn element(&self, name: &str) -> Option<String> {
        let text = self.text();
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find(&format!("</{name}>"))? + start;
        Some(text[start..end].to_owned())
    }

    /// Every `<name>` element's text.
    pub fn elements(&self, name: &str) -> Vec<String> {
        let text = self.text();
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let mut out = Vec::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            let Some(end) = after.find(&close) else { break };
            out.push(after[..end].to_owned());
            rest = &after[end + close.len()..];
        }
        out
    }

    pub fn code(&self) -> Option<String> {
        self.element("Code")
    }

    /// Asserts a COS error response: status, `<Error>` document with this code, request
    /// and trace ids.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "status; body: {}", self.text());
        assert_eq!(
            self.code().as_deref(),
            Some(code),
            "code; body: {}",
            self.text()
        );
        assert!(self.text().contains("<Error>"), "{}", self.text());
        assert!(self.element("RequestId").is_some_and(|r| !r.is_empty()));
        assert!(self.element("TraceId").is_some());
        assert!(self.element("Resource").is_some());
        assert!(self.header("x-cos-request-id").is_some());
        assert_eq!(self.header("content-type"), Some("application/xml"));
    }

    /// Converts into an `http::Response` for cos-proto's parsers.
    pub fn into_response(self) -> http::Response<Bytes> {
        let mut builder = http::Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder
            .body(Bytes::from(self.body))
            .expect("valid response")
    }
}

/// Sends raw bytes, reads until EOF (or an error), parses the head.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> io::Result<Raw> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(request)?;
    read_response(&mut stream)
}

/// Reads a whole response from a stream.
pub fn read_response(stream: &mut TcpStream) -> io::Result<Raw> {
    let mut data = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let mut read_error = None;
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) => {
                read_error = Some(e.kind());
                break;
            }
        }
    }
    let Some(head_end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(io::Error::new(
            read_error.unwrap_or(io::ErrorKind::UnexpectedEof),
            format!("no response head ({} bytes)", data.len()),
        ));
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other(format!("bad status line {status_line:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let body = data[head_end + 4..].to_vec();
    Ok(Raw {
        status,
        headers,
        body,
        read_error,
    })
}

/// Serialises a request head (and adds `Connection: close`).
pub fn head_bytes<B>(request: &http::Request<B>) -> Vec<u8> {
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let mut out = format!("{} {target} HTTP/1.1\r\n", request.method()).into_bytes();
    for (name, value) in request.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out
}

/// A client for one bucket of one emulator.
pub struct Client {
    pub addr: SocketAddr,
    pub config: Config,
    pub credentials: Credentials,
    pub now: u64,
}

impl Client {
    /// Path-style (`http://127.0.0.1:PORT/<bucket>/<key>`).
    pub fn new(emulator: &Emulator, bucket: &str) -> Self {
        let config = Config::builder("ap-guangzhou", bucket)
            .scheme(cos_proto::Scheme::Http)
            .path_style(emulator.authority())
            .build()
            .expect("config");
        Self {
            addr: emulator.addr(),
            config,
            credentials: emulator.credentials().clone(),
            now: emulator.now(),
        }
    }

    /// Path-style against any address (e.g. the binary), with explicit credentials and
    /// signing time.
    pub fn for_addr(addr: SocketAddr, bucket: &str, credentials: Credentials, now: u64) -> Self {
        let config = Config::builder("ap-guangzhou", bucket)
            .scheme(cos_proto::Scheme::Http)
            .path_style(addr.to_string())
            .build()
            .expect("config");
        Self {
            addr,
            config,
            credentials,
            now,
        }
    }

    /// Virtual-host style (`Host: <bucket>.cos.ap-guangzhou.myqcloud.com`).
    pub fn virtual_host(emulator: &Emulator, bucket: &str) -> Self {
        let config = Config::builder("ap-guangzhou", bucket)
            .scheme(cos_proto::Scheme::Http)
            .ip(emulator.authority())
            .build()
            .expect("config");
        Self {
            addr: emulator.addr(),
            config,
            credentials: emulator.credentials().clone(),
            now: emulator.now(),
        }
    }

    /// Builds (unsigned).
    pub fn build<O: Operation>(&self, op: &O) -> http::Request<Body> {
        op.build_request(&self.config).expect("request builds")
    }

    /// Signs in place with a window around `self.now`.
    pub fn sign<B>(&self, request: &mut http::Request<B>) {
        sign::sign_request(
            request,
            &self.credentials,
            KeyTime::new(self.now, sign::DEFAULT_REQUEST_EXPIRY_SECS),
            SignOptions::default(),
        )
        .expect("signs");
    }

    /// Builds and signs.
    pub fn signed<O: Operation>(&self, op: &O) -> http::Request<Body> {
        let mut request = self.build(op);
        self.sign(&mut request);
        request
    }

    /// Sends a request; `payload` is the body for `Body::Payload` requests.
    pub fn send(&self, request: &http::Request<Body>, payload: &[u8]) -> Raw {
        let mut bytes = head_bytes(request);
        match request.body() {
            Body::Bytes(b) => bytes.extend_from_slice(b),
            Body::Payload { length: None } => {
                if !payload.is_empty() {
                    bytes.extend_from_slice(format!("{:x}\r\n", payload.len()).as_bytes());
                    bytes.extend_from_slice(payload);
                    bytes.extend_from_slice(b"\r\n");
                }
                bytes.extend_from_slice(b"0\r\n\r\n");
            }
            Body::Payload { .. } => bytes.extend_from_slice(payload),
            Body::Empty => {}
        }
        exchange(self.addr, &bytes).expect("exchange")
    }

    /// Builds, signs, sends.
    pub fn call<O: Operation>(&self, op: &O, payload: &[u8]) -> Raw {
        self.send(&self.signed(op), payload)
    }

    /// Builds, signs, sends and parses with the operation's own parser.
    pub fn run<O: Operation>(&self, op: &O, payload: &[u8]) -> Result<O::Output, cos_proto::Error> {
        let request = self.signed(op);
        let raw = self.send(&request, payload);
        op.parse_response(request.uri(), raw.into_response())
    }

    /// PUT Object with `data`.
    pub fn put(&self, key: &str, data: &[u8]) -> Raw {
        let op = cos_proto::ops::PutObject::new(key, Some(data.len() as u64));
        let raw = self.call(&op, data);
        assert_eq!(raw.status, 200, "put {key}: {}", raw.text());
        raw
    }

    /// GET Object.
    pub fn get(&self, key: &str) -> Raw {
        self.call(&cos_proto::ops::GetObject::new(key), &[])
    }

    /// A raw signed custom request.
    pub fn custom(&self, op: cos_proto::ops::CustomRequest) -> Raw {
        self.call(&op, &[])
    }
}

/// An emulator with a fixed clock and the standard bucket.
pub fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new().fixed_time(NOW).bucket(BUCKET, false)).expect("starts")
}

/// An emulator with a versioned standard bucket.
pub fn versioned_emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new().fixed_time(NOW).bucket(BUCKET, true)).expect("starts")
}

/// A health check through the admin endpoint: the server still answers.
#[track_caller]
pub fn assert_alive(emulator: &Emulator) {
    let raw = exchange(
        emulator.addr(),
        b"GET /-/emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .expect("health");
    assert_eq!(raw.status, 200, "{}", raw.text());
}

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u8
        })
        .collect()
}
