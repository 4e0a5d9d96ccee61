//! Helpers for the operations' unit tests.

use bytes::Bytes;

use crate::Config;
use crate::request::Body;

pub(crate) fn config() -> Config {
    Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .scheme(crate::Scheme::Http)
        .build()
        .expect("valid config")
}

pub(crate) fn header<'a>(request: &'a http::Request<Body>, name: &str) -> &'a str {
    request
        .headers()
        .get(name)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .unwrap_or_else(|| panic!("missing header {name}"))
}

pub(crate) fn body_text(request: &http::Request<Body>) -> String {
    match request.body() {
        Body::Bytes(bytes) => String::from_utf8(bytes.to_vec()).expect("utf-8 body"),
        other => panic!("expected a document body, got {other:?}"),
    }
}

pub(crate) fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(Bytes::from(body.to_owned()))
        .expect("valid response")
}

pub(crate) fn error_response(status: u16, code: &str) -> http::Response<Bytes> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n    <Code>{code}</Code>\n    \
         <Message>message for {code}</Message>\n    <Resource>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/k</Resource>\n    \
         <RequestId>req-1</RequestId>\n    <TraceId>trace-1</TraceId>\n</Error>"
    );
    response(
        status,
        &[
            ("Content-Type", "application/xml"),
            ("x-cos-request-id", "req-1"),
        ],
        &body,
    )
}
