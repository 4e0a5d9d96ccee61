//! Bad input never panics the server: malformed XML, absurd ranges, huge headers,
//! invalid percent-encoding each get a COS-shaped 4xx, and the server keeps serving.

mod common;

use common::{BUCKET, Client, assert_alive, emulator, exchange};
use cos_proto::ops::{CustomRequest, GetObject};
use http::Method;

fn xml_request(
    method: Method,
    key: Option<&str>,
    params: &[(&str, &str)],
    body: &'static [u8],
) -> CustomRequest {
    let mut op = match key {
        Some(key) => CustomRequest::object(method, key),
        None => CustomRequest::bucket(method),
    };
    for (name, value) in params {
        op = op.param(*name, *value);
    }
    op.body(cos_proto::Body::Bytes(bytes::Bytes::from_static(body)))
}

#[test]
fn malformed_xml_bodies_are_malformed_xml() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("k", b"data");
    let upload_id = client
        .run(&cos_proto::ops::InitiateMultipartUpload::new("k"), &[])
        .expect("initiate")
        .upload_id;
    let bodies: [&'static [u8]; 9] = [
        b"",
        b"not xml at all",
        b"<Delete><Object><Key>a</Key></Object>",
        b"<Delete></Wrong>",
        b"\xff\xfe\x00<",
        b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>",
        b"<a><b><c><d><e><f><g><h><i><j><k><l><m><n><o><p><q><r><s><t><u><v><w><x><y><z><a><b><c><d><e><f><g><h></h></g></f></e></d></c></b></a></z></y></x></w></v></u></t></s></r></q></p></o></n></m></l></k></j></i></h></g></f></e></d></c></b></a>",
        b"<Unexpected/>",
        b"<x>&unknown;</x>",
    ];
    let upload = upload_id.as_str();
    type Target<'a> = (Method, Option<&'a str>, Vec<(&'a str, &'a str)>);
    let targets: Vec<Target<'_>> = vec![
        (Method::POST, None, vec![("delete", "")]),
        (Method::POST, Some("k"), vec![("uploadId", upload)]),
        (Method::PUT, Some("k"), vec![("tagging", "")]),
        (Method::POST, Some("k"), vec![("restore", "")]),
        (Method::PUT, Some("k"), vec![("acl", "")]),
        (
            Method::POST,
            Some("k"),
            vec![("select", ""), ("select-type", "2")],
        ),
        (Method::PUT, None, vec![("versioning", "")]),
    ];
    for (method, key, params) in &targets {
        for body in bodies {
            let op = xml_request(method.clone(), *key, params, body);
            let raw = client.call(&op, &[]);
            assert!(
                (400..500).contains(&raw.status),
                "{method} {key:?} {params:?} {:?}: {} {}",
                String::from_utf8_lossy(body),
                raw.status,
                raw.text()
            );
            assert!(raw.code().is_some(), "{}", raw.text());
            // The empty ACL body means "use the headers", which are absent: 400 too.
            if !body.is_empty() {
                assert_eq!(
                    raw.code().as_deref(),
                    Some("MalformedXML"),
                    "{}",
                    raw.text()
                );
            }
        }
    }
    // Nothing changed.
    assert_eq!(client.get("k").body, b"data");
    assert_alive(&emulator);
}

#[test]
fn absurd_ranges_are_416_or_400() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("r", b"0123456789");
    for (range, status, code) in [
        ("bytes=999999999999-", 416, "InvalidRange"),
        (
            "bytes=99999999999999999999999999999-99999999999999999999999999999",
            416,
            "InvalidRange",
        ),
        ("bytes=-0", 416, "InvalidRange"),
        ("garbage", 400, "InvalidArgument"),
        ("bytes=", 400, "InvalidArgument"),
        ("bytes=--", 400, "InvalidArgument"),
        ("bytes=1-2-3", 400, "InvalidArgument"),
        ("bytes=\u{1F600}-", 400, "InvalidArgument"),
    ] {
        let op = CustomRequest::object(Method::GET, "r").header("Range", range);
        let raw = client.call(&op, &[]);
        raw.assert_error(status, code);
    }
    // Inverted, however absurd: ignored (RFC 9110), the whole object.
    let op = CustomRequest::object(Method::GET, "r")
        .header("Range", "bytes=99999999999999999999999999999-1");
    let raw = client.call(&op, &[]);
    assert_eq!((raw.status, raw.body.as_slice()), (200, &b"0123456789"[..]));
    let op = GetObject::new("r");
    let mut request = client.build(&op);
    request.headers_mut().insert(
        "range",
        http::HeaderValue::from_bytes(b"bytes=\xff-").expect("value"),
    );
    client.sign(&mut request);
    client
        .send(&request, &[])
        .assert_error(400, "InvalidArgument");
    assert_alive(&emulator);
}

#[test]
fn huge_headers_are_rejected_cleanly() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let op =
        CustomRequest::object(Method::GET, "k").header("x-cos-meta-big", "a".repeat(100 * 1024));
    client
        .call(&op, &[])
        .assert_error(400, "RequestHeaderTooLarge");
    // Many medium headers adding up.
    let mut op = CustomRequest::object(Method::GET, "k");
    for i in 0..20 {
        op = op.header(format!("x-cos-meta-h{i}"), "b".repeat(4 * 1024));
    }
    client
        .call(&op, &[])
        .assert_error(400, "RequestHeaderTooLarge");
    // Beyond what the HTTP parser buffers at all: hyper answers 431 itself.
    let mut raw = format!("GET /{BUCKET}/k HTTP/1.1\r\nHost: x\r\nX-Huge: ").into_bytes();
    raw.extend(std::iter::repeat_n(b'c', 2 * 1024 * 1024));
    raw.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    if let Ok(response) = exchange(emulator.addr(), &raw) {
        assert!((400..500).contains(&response.status));
    }
    assert_alive(&emulator);
}

#[test]
fn invalid_percent_encoding_is_invalid_uri() {
    let emulator = emulator();
    for path in [
        format!("/{BUCKET}/%zz"),
        format!("/{BUCKET}/a%"),
        format!("/{BUCKET}/a%4"),
        format!("/{BUCKET}/%FF%FE"),
        format!("/{BUCKET}/%C3%28"),
        format!("/{BUCKET}/ok?prefix=%FF"),
    ] {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            emulator.authority()
        );
        let raw = exchange(emulator.addr(), request.as_bytes()).expect("exchange");
        raw.assert_error(400, "InvalidURI");
    }
    let request = format!(
        "GET /Bad_Bucket/k HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        emulator.authority()
    );
    exchange(emulator.addr(), request.as_bytes())
        .expect("exchange")
        .assert_error(400, "InvalidBucketName");
    assert_alive(&emulator);
}

#[test]
fn garbage_on_the_wire_does_not_stop_the_server() {
    let emulator = emulator();
    for junk in [
        &b"\x00\x01\x02\x03\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"PUT /b/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort",
    ] {
        let mut stream = std::net::TcpStream::connect(emulator.addr()).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .expect("timeout");
        use std::io::Write;
        let _ = stream.write_all(junk);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let _ = common::read_response(&mut stream);
    }
    assert_alive(&emulator);
    // Unsigned requests, unknown methods and odd sub-resources are COS errors.
    let raw = exchange(
        emulator.addr(),
        format!(
            "PATCH /{BUCKET}/k HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            emulator.authority()
        )
        .as_bytes(),
    )
    .expect("exchange");
    assert!((400..500).contains(&raw.status));
    assert!(raw.code().is_some());
    assert_alive(&emulator);
}
