//! Decoding fuzz inputs: a byte reader for small programs, and a text form of HTTP
//! responses and requests that seeds can be written in.

use bytes::Bytes;

/// Reads numbers and slices from the front of a fuzz input; past the end it yields zeros
/// and empty slices, so every input decodes to something.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// `true` when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, or 0.
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next two bytes, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// The next four bytes, big-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// The next `n` bytes (fewer at the end of the input).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// A byte string prefixed by its one-byte length.
    pub fn short_bytes(&mut self) -> &'a [u8] {
        let n = usize::from(self.u8());
        self.bytes(n)
    }

    /// A string prefixed by its one-byte length (lossy UTF-8).
    pub fn short_string(&mut self) -> String {
        String::from_utf8_lossy(self.short_bytes()).into_owned()
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

/// The writer matching [`Reader`], used to build seed inputs.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    /// The bytes written so far.
    pub buf: Vec<u8>,
}

impl Writer {
    /// Appends a byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// Appends two bytes, big-endian.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends four bytes, big-endian.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }

    /// Appends a byte string prefixed by its one-byte length (truncated to 255 bytes).
    pub fn short_bytes(&mut self, v: &[u8]) -> &mut Self {
        let v = &v[..v.len().min(255)];
        self.buf.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
        self.buf.extend_from_slice(v);
        self
    }
}

/// The `(name, value)` header lines of a message in text form.
pub type HeaderLines<'a> = Vec<(&'a [u8], &'a [u8])>;

/// Splits the text form of an HTTP message: a first line, `name: value` header lines, an
/// empty line, then the body (raw bytes). Header lines that are not valid HTTP are skipped.
pub fn split_message(data: &[u8]) -> (&[u8], HeaderLines<'_>, &[u8]) {
    let (head, body) = match find(data, b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    let headers = lines
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            Some((&line[..colon], value))
        })
        .collect();
    (first, headers, body)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Adds the headers that `http` accepts to `headers`.
pub fn add_headers(headers: &mut http::HeaderMap, pairs: &[(&[u8], &[u8])]) {
    for (name, value) in pairs {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name),
            http::HeaderValue::from_bytes(value),
        ) {
            headers.append(name, value);
        }
    }
}

/// Decodes the text form of a response: `STATUS` on the first line (three digits; anything
/// else is 200), headers, an empty line, the body.
pub fn response(data: &[u8]) -> http::Response<Bytes> {
    let (first, headers, body) = split_message(data);
    let status = std::str::from_utf8(first)
        .ok()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .and_then(|s| http::StatusCode::from_u16(s).ok())
        .unwrap_or(http::StatusCode::OK);
    let mut response = http::Response::new(Bytes::copy_from_slice(body));
    *response.status_mut() = status;
    add_headers(response.headers_mut(), &headers);
    response
}

/// The text form of a response (the inverse of [`response`]), for seeds.
pub fn response_text(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status}\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\n").as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

/// The URL the response targets (errors without a body name it as their resource).
pub fn url() -> http::Uri {
    http::Uri::from_static("https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/k")
}

/// The configuration requests are built for.
pub fn config() -> Option<cos_proto::Config> {
    cos_proto::Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .build()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_and_writer_agree() {
        let mut w = Writer::default();
        w.u8(7)
            .u16(300)
            .u32(70_000)
            .short_bytes(b"abc")
            .bytes(b"rest");
        let mut r = Reader::new(&w.buf);
        assert_eq!(
            (r.u8(), r.u16(), r.u32(), r.short_string()),
            (7, 300, 70_000, "abc".to_owned())
        );
        assert_eq!(r.rest(), b"rest");
        assert_eq!((r.u8(), r.u32(), r.bytes(3)), (0, 0, &[][..]));
    }

    #[test]
    fn response_text_round_trips() {
        let text = response_text(404, &[("x-cos-request-id", "r1")], b"body\n\nmore");
        let resp = response(&text);
        assert_eq!(resp.status(), 404);
        assert_eq!(resp.headers()["x-cos-request-id"], "r1");
        assert_eq!(&resp.body()[..], b"body\n\nmore");
        assert_eq!(response(b"garbage").status(), 200);
    }
}
