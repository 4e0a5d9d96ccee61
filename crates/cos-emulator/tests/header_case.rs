//! Response header names on the wire have COS's case (`ETag`, `Content-Length`, …;
//! `x-cos-*` lower case), and bodies pass byte for byte, on keep-alive connections that
//! carry several responses: the rewriting stops at each head's end and skips each body,
//! whatever bytes the body holds.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{BUCKET, Client, data, emulator};
use cos_emulator::FaultRule;
use cos_proto::ops::{ByteRange, DeleteObject, GetObject, HeadObject, PutObject, ResponseOverride};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};

/// The names COS capitalises, in its spelling.
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

/// A response as it came over the wire.
#[derive(Debug)]
struct WireResponse {
    /// The head, byte for byte, up to and including the blank line.
    head: Vec<u8>,
    status: u16,
    /// Header names exactly as sent.
    names: Vec<String>,
    headers: Vec<(String, String)>,
    /// The body, de-chunked if it was chunked.
    body: Vec<u8>,
}

impl WireResponse {
    /// A header's value by its exact (case-sensitive) name.
    fn exact(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every name is in COS's spelling: from the table, or `x-cos-*` in lower case.
    #[track_caller]
    fn assert_cos_case(&self, expected: &[&str]) {
        for name in &self.names {
            let ok = COS_CASE.contains(&name.as_str())
                || (name.starts_with("x-cos-") && *name == name.to_ascii_lowercase());
            assert!(ok, "header name {name:?} in {}", self.head_text());
        }
        for name in expected {
            assert!(
                self.names.iter().any(|n| n == name),
                "{name} missing in {}",
                self.head_text()
            );
        }
    }

    fn head_text(&self) -> String {
        String::from_utf8_lossy(&self.head).into_owned()
    }
}

/// One keep-alive connection.
struct Conn {
    stream: TcpStream,
    buffered: Vec<u8>,
}

impl Conn {
    fn open(client: &Client) -> Self {
        let stream = TcpStream::connect(client.addr).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        Self {
            stream,
            buffered: Vec::new(),
        }
    }

    /// Sends a signed request head (keep-alive, plus `extra` header lines) and `payload`.
    fn send(&mut self, request: &http::Request<cos_proto::Body>, extra: &str, payload: &[u8]) {
        self.try_send(request, extra, payload).expect("writes");
    }

    fn try_send(
        &mut self,
        request: &http::Request<cos_proto::Body>,
        extra: &str,
        payload: &[u8],
    ) -> std::io::Result<()> {
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
        out.extend_from_slice(extra.as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(payload);
        self.stream.write_all(&out)
    }

    fn fill(&mut self) -> bool {
        let mut buf = [0u8; 64 * 1024];
        match self.stream.read(&mut buf) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buffered.extend_from_slice(&buf[..n]);
                true
            }
        }
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        while self.buffered.len() < n {
            assert!(self.fill(), "the connection ended inside a message");
        }
        self.buffered.drain(..n).collect()
    }

    fn take_line(&mut self) -> Vec<u8> {
        loop {
            if let Some(end) = self.buffered.windows(2).position(|w| w == b"\r\n") {
                return self.buffered.drain(..end + 2).collect();
            }
            assert!(self.fill(), "the connection ended inside a line");
        }
    }

    /// Reads one response; `body` says whether it has a body on the wire (not for HEAD,
    /// 1xx, 204, 304).
    fn read(&mut self, body: bool) -> WireResponse {
        let head = loop {
            if let Some(end) = self.buffered.windows(4).position(|w| w == b"\r\n\r\n") {
                break self.buffered.drain(..end + 4).collect::<Vec<u8>>();
            }
            assert!(self.fill(), "the connection ended before a head");
        };
        let text = String::from_utf8(head.clone()).expect("ASCII head");
        let mut lines = text.trim_end_matches("\r\n").split("\r\n");
        let status_line = lines.next().expect("status line");
        assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
        let status: u16 = status_line[9..12].parse().expect("status code");
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.split_once(':').expect("name: value");
                (n.to_owned(), v.trim().to_owned())
            })
            .collect();
        let names = headers.iter().map(|(n, _)| n.clone()).collect();
        let mut response = WireResponse {
            head,
            status,
            names,
            headers,
            body: Vec::new(),
        };
        if body && status >= 200 && status != 204 && status != 304 {
            if response.exact("Transfer-Encoding") == Some("chunked") {
                loop {
                    let line = self.take_line();
                    let size = std::str::from_utf8(&line).expect("size line");
                    let size = size.trim().split(';').next().unwrap_or_default();
                    let size = usize::from_str_radix(size, 16).expect("hex size");
                    if size == 0 {
                        while self.take_line() != b"\r\n" {}
                        break;
                    }
                    let chunk = self.take(size);
                    response.body.extend_from_slice(&chunk);
                    assert_eq!(self.take(2), b"\r\n");
                }
            } else {
                let len: usize = response
                    .exact("Content-Length")
                    .expect("Content-Length in COS's spelling")
                    .parse()
                    .expect("length");
                response.body = self.take(len);
            }
        }
        response
    }

    /// Nothing more arrives (the server closed, or reset, the connection).
    fn assert_closed(&mut self) {
        assert!(
            self.buffered.is_empty(),
            "unexpected bytes after the message"
        );
        let mut buf = [0u8; 16];
        match self.stream.read(&mut buf) {
            Ok(0) => {}
            Ok(n) => panic!("unexpected bytes {:?}", String::from_utf8_lossy(&buf[..n])),
            Err(e) => assert!(
                matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe),
                "{e}"
            ),
        }
    }
}

fn put(client: &Client, key: &str, payload: &[u8]) -> http::Request<cos_proto::Body> {
    client.signed(&PutObject::new(key, Some(payload.len() as u64)))
}

#[test]
fn header_names_have_cos_case_on_a_keep_alive_connection() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let mut conn = Conn::open(&client);
    let mut payload = b"HTTP/1.1 200 OK\r\nEtag: x\r\n\r\n".to_vec();
    payload.extend_from_slice(b"etag: y\r\ncontent-length: 0\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n");
    payload.extend_from_slice(&data(70 * 1024, 3));
    payload.extend_from_slice(b"\r\n0\r\n\r\nHTTP/1.1 200 OK\r\netag: z\r\n\r\n");

    // PUT with Expect: 100-continue: hyper's interim head, then the answer.
    conn.send(
        &put(&client, "tricky", &payload),
        "Expect: 100-continue\r\n",
        &[],
    );
    let interim = conn.read(false);
    assert_eq!(interim.head, b"HTTP/1.1 100 Continue\r\n\r\n");
    conn.stream.write_all(&payload).expect("body");
    let put = conn.read(true);
    assert_eq!(put.status, 200, "{}", put.head_text());
    put.assert_cos_case(&[
        "ETag",
        "Content-Length",
        "Date",
        "Server",
        "x-cos-request-id",
        "x-cos-hash-crc64ecma",
    ]);
    assert!(
        put.head_text().contains("\r\nETag: \""),
        "{}",
        put.head_text()
    );
    assert!(put.head_text().contains("\r\nServer: tencent-cos\r\n"));
    let etag = put.exact("ETag").expect("ETag").to_owned();

    // GET: the body holds heads, and is returned byte for byte.
    conn.send(&client.signed(&GetObject::new("tricky")), "", &[]);
    let get = conn.read(true);
    assert_eq!(get.status, 200, "{}", get.head_text());
    get.assert_cos_case(&[
        "ETag",
        "Content-Type",
        "Content-Length",
        "Last-Modified",
        "Accept-Ranges",
        "Date",
        "Server",
        "x-cos-request-id",
    ]);
    assert_eq!(get.exact("ETag"), Some(etag.as_str()));
    assert_eq!(
        get.exact("Content-Length"),
        Some(payload.len().to_string().as_str())
    );
    assert!(get.body == payload, "GET body differs");

    // HEAD: a length but no body; the next answer is read right after the head.
    conn.send(&client.signed(&HeadObject::new("tricky")), "", &[]);
    let head = conn.read(false);
    assert_eq!(head.status, 200);
    head.assert_cos_case(&["ETag", "Content-Length", "Content-Type", "Last-Modified"]);
    assert_eq!(
        head.exact("Content-Length"),
        Some(payload.len().to_string().as_str())
    );

    // 304: no body either.
    conn.send(
        &client.signed(&GetObject::new("tricky").if_none_match(etag.clone())),
        "",
        &[],
    );
    let not_modified = conn.read(false);
    assert_eq!(not_modified.status, 304, "{}", not_modified.head_text());
    not_modified.assert_cos_case(&["ETag"]);

    // A range and every response-* override.
    let ranged = GetObject::new("tricky")
        .range(ByteRange::inclusive(0, 29).expect("range"))
        .response_header(ResponseOverride::ContentType, "text/plain")
        .response_header(ResponseOverride::ContentLanguage, "en")
        .response_header(ResponseOverride::Expires, "Thu, 01 Jan 2037 00:00:00 GMT")
        .response_header(ResponseOverride::CacheControl, "no-cache")
        .response_header(ResponseOverride::ContentDisposition, "attachment")
        .response_header(ResponseOverride::ContentEncoding, "identity");
    conn.send(&client.signed(&ranged), "", &[]);
    let partial = conn.read(true);
    assert_eq!(partial.status, 206, "{}", partial.head_text());
    partial.assert_cos_case(&[
        "Content-Range",
        "Content-Type",
        "Content-Language",
        "Expires",
        "Cache-Control",
        "Content-Disposition",
        "Content-Encoding",
    ]);
    assert_eq!(
        partial.exact("Content-Range"),
        Some(format!("bytes 0-29/{}", payload.len()).as_str())
    );
    assert_eq!(partial.body, payload[..30]);

    // An error document, then DELETE (204, no body), then a 404 for the deleted key.
    conn.send(&client.signed(&GetObject::new("missing")), "", &[]);
    let missing = conn.read(true);
    assert_eq!(missing.status, 404);
    missing.assert_cos_case(&["Content-Type", "Content-Length", "x-cos-trace-id"]);
    assert!(String::from_utf8_lossy(&missing.body).contains("<Code>NoSuchKey</Code>"));
    conn.send(&client.signed(&DeleteObject::new("tricky")), "", &[]);
    let deleted = conn.read(false);
    assert_eq!(deleted.status, 204, "{}", deleted.head_text());
    deleted.assert_cos_case(&["x-cos-request-id"]);
    conn.send(&client.signed(&HeadObject::new("tricky")), "", &[]);
    let gone = conn.read(false);
    assert_eq!(gone.status, 404);
    gone.assert_cos_case(&["Content-Length"]);

    // The admin endpoint's JSON answers too.
    conn.stream
        .write_all(b"GET /-/emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("writes");
    let health = conn.read(true);
    assert_eq!(health.status, 200);
    health.assert_cos_case(&["Content-Type", "Content-Length"]);

    // Last, a request that closes the connection.
    conn.stream
        .write_all(b"GET /-/emulator/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("writes");
    let last = conn.read(true);
    last.assert_cos_case(&["Connection"]);
    assert_eq!(last.exact("Connection"), Some("close"));
    conn.assert_closed();
}

#[test]
fn faults_still_cut_and_reset_rewritten_responses() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let payload = data(100 * 1024, 9);
    client.put("cut.bin", &payload);

    // Truncation: the head in COS case, the first bytes, then the close.
    emulator.faults().add(
        FaultRule::truncate_response_after(777)
            .method("GET")
            .times(1),
    );
    let mut conn = Conn::open(&client);
    conn.send(&client.signed(&GetObject::new("cut.bin")), "", &[]);
    let head = conn.read(false);
    head.assert_cos_case(&["ETag", "Content-Length"]);
    assert_eq!(
        head.exact("Content-Length"),
        Some(payload.len().to_string().as_str())
    );
    let mut rest = std::mem::take(&mut conn.buffered);
    let _ = conn.stream.read_to_end(&mut rest);
    assert_eq!(rest, payload[..777]);

    // Reset: the same, ending with a reset.
    emulator
        .faults()
        .add(FaultRule::reset_response_after(1000).method("GET").times(1));
    let mut conn = Conn::open(&client);
    conn.send(&client.signed(&GetObject::new("cut.bin")), "", &[]);
    let head = conn.read(false);
    head.assert_cos_case(&["ETag", "Content-Length"]);
    let mut rest = std::mem::take(&mut conn.buffered);
    let mut buf = [0u8; 4096];
    let error = loop {
        match conn.stream.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => rest.extend_from_slice(&buf[..n]),
            Err(e) => break Some(e.kind()),
        }
    };
    assert_eq!(rest, payload[..1000]);
    assert_eq!(error, Some(ErrorKind::ConnectionReset));

    // A reset while the request is read: no response at all.
    emulator
        .faults()
        .add(FaultRule::reset_request_after(10).method("PUT").times(1));
    let mut conn = Conn::open(&client);
    // (The server may reset before the whole request is written.)
    let _ = conn.try_send(&put(&client, "r.bin", &payload), "", &payload);
    conn.assert_closed();

    // And a whole GET on a fresh connection.
    let mut conn = Conn::open(&client);
    conn.send(&client.signed(&GetObject::new("cut.bin")), "", &[]);
    let whole = conn.read(true);
    whole.assert_cos_case(&["ETag"]);
    assert!(whole.body == payload);
}

/// Bodies made of head-like pieces and random bytes.
fn tricky_body() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"HTTP/1.1 200 OK\r\n".to_vec()),
        Just(b"Etag: x\r\n".to_vec()),
        Just(b"etag: y\r\ncontent-length: 5\r\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b"0\r\n\r\n".to_vec()),
        Just(b"transfer-encoding: chunked\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(any::<u8>(), 0..5000),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

#[test]
fn any_body_round_trips_on_a_keep_alive_connection() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let bodies = proptest::collection::vec(tricky_body(), 1..4);
    runner
        .run(&bodies, |bodies| {
            let mut conn = Conn::open(&client);
            for (i, body) in bodies.iter().enumerate() {
                let key = format!("p{i}");
                conn.send(&put(&client, &key, body), "", body);
                let put = conn.read(true);
                prop_assert_eq!(put.status, 200, "{}", put.head_text());
                put.assert_cos_case(&["ETag"]);
            }
            for (i, body) in bodies.iter().enumerate() {
                let key = format!("p{i}");
                conn.send(&client.signed(&GetObject::new(&key)), "", &[]);
                let get = conn.read(true);
                prop_assert_eq!(get.status, 200, "{}", get.head_text());
                get.assert_cos_case(&["ETag", "Content-Length"]);
                prop_assert!(&get.body == body, "body of {} differs", key);
                conn.send(&client.signed(&HeadObject::new(&key)), "", &[]);
                let head = conn.read(false);
                prop_assert_eq!(head.status, 200);
                let len = body.len().to_string();
                prop_assert_eq!(head.exact("Content-Length"), Some(len.as_str()));
            }
            Ok(())
        })
        .expect("every body round-trips");
}
