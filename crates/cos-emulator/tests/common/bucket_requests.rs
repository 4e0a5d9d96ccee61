//! Bucket-level requests built by hand (method, path, query, headers, body), signed with
//! cos-proto's signer, for the bucket tests: they do not depend on typed bucket
//! operations.

use bytes::Bytes;
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Body;
use http::Method;

use super::{Client, NOW, Raw, exchange};

/// An emulator that creates buckets only on PUT Bucket.
pub fn strict_emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .auto_create_buckets(false),
    )
    .expect("starts")
}

/// A signed path-style request: `target` is the path and query (`/<bucket>/?cors=`).
pub fn signed(
    client: &Client,
    method: Method,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Raw {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("http://{}{target}", client.addr))
        .header("host", client.addr.to_string());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    if !body.is_empty() {
        builder = builder.header("content-length", body.len().to_string());
    }
    let request_body = if body.is_empty() {
        Body::Empty
    } else {
        Body::Bytes(Bytes::copy_from_slice(body))
    };
    let mut request = builder.body(request_body).expect("request");
    client.sign(&mut request);
    client.send(&request, &[])
}

/// A signed virtual-host request (`Host: <bucket>.cos.<region>.myqcloud.com`) sent to the
/// emulator's address.
pub fn signed_virtual(
    client: &Client,
    bucket: &str,
    region: &str,
    method: Method,
    target: &str,
    body: &[u8],
) -> Raw {
    let host = format!("{bucket}.cos.{region}.myqcloud.com");
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("http://{host}{target}"))
        .header("host", host.as_str());
    if !body.is_empty() {
        builder = builder.header("content-length", body.len().to_string());
    }
    let request_body = if body.is_empty() {
        Body::Empty
    } else {
        Body::Bytes(Bytes::copy_from_slice(body))
    };
    let mut request = builder.body(request_body).expect("request");
    client.sign(&mut request);
    client.send(&request, &[])
}

/// An unsigned request (no `Authorization`).
pub fn unsigned(emulator: &Emulator, method: &str, target: &str, headers: &[(&str, &str)]) -> Raw {
    let mut text = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\n",
        emulator.authority()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("Connection: close\r\n\r\n");
    exchange(emulator.addr(), text.as_bytes()).expect("exchange")
}

/// A signing client: the requests' targets name their buckets, so any bucket name may
/// be sent through it (the bucket need not exist).
pub fn client(emulator: &Emulator) -> Client {
    Client::new(emulator, super::BUCKET)
}

/// `/<bucket>/?<query>` (or `/<bucket>/` for an empty query).
pub fn bucket_target(bucket: &str, query: &str) -> String {
    if query.is_empty() {
        format!("/{bucket}/")
    } else {
        format!("/{bucket}/?{query}")
    }
}

/// PUT Bucket, asserting 200.
#[track_caller]
pub fn create(client: &Client, bucket: &str) {
    let raw = signed(client, Method::PUT, &bucket_target(bucket, ""), &[], &[]);
    assert_eq!(raw.status, 200, "create {bucket}: {}", raw.text());
}
