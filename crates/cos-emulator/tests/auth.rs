//! Signature verification: one rejection per signed component, key ids, expiry, tokens,
//! anonymous access, presigned URLs, both addressing styles.

mod common;

use common::{BUCKET, Client, NOW, emulator, exchange, head_bytes};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::ops::{CustomRequest, GetObject, HeadObject, PutObject};
use cos_proto::sign::{self, KeyTime, SignOptions};
use cos_proto::{Credentials, Operation};
use http::{HeaderValue, Method, Uri};

/// A signed GET with a signed param and a signed header, ready to be tampered with.
fn signed_get(client: &Client) -> http::Request<cos_proto::Body> {
    let op = GetObject::new("hello.txt")
        .response_header(cos_proto::ops::ResponseOverride::ContentType, "text/plain");
    let mut request = client.build(&op);
    request
        .headers_mut()
        .insert("x-cos-meta-signed", HeaderValue::from_static("yes"));
    request
        .headers_mut()
        .insert("range", HeaderValue::from_static("bytes=0-3"));
    client.sign(&mut request);
    request
}

fn set_uri(request: &mut http::Request<cos_proto::Body>, path_and_query: &str) {
    let uri: Uri = format!(
        "http://{}{}",
        request.headers()["host"].to_str().expect("host"),
        path_and_query
    )
    .parse()
    .expect("uri");
    *request.uri_mut() = uri;
}

#[test]
fn the_untampered_request_passes() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("hello.txt", b"hello world");
    let raw = client.send(&signed_get(&client), &[]);
    assert_eq!(raw.status, 206, "{}", raw.text());
    assert_eq!(raw.body, b"hell");
    assert_eq!(raw.header("content-type"), Some("text/plain"));
}

#[test]
fn altering_the_method_is_rejected() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("hello.txt", b"hello world");
    let mut request = signed_get(&client);
    *request.method_mut() = Method::HEAD;
    let raw = client.send(&request, &[]);
    assert_eq!(raw.status, 403);
    assert!(raw.body.is_empty(), "HEAD errors have no body");
    let mut request = signed_get(&client);
    *request.method_mut() = Method::DELETE;
    client
        .send(&request, &[])
        .assert_error(403, "SignatureDoesNotMatch");
    // Nothing was deleted.
    assert_eq!(client.get("hello.txt").status, 200);
}

#[test]
fn altering_the_path_is_rejected() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("hello.txt", b"hello world");
    client.put("other.txt", b"secret");
    let mut request = signed_get(&client);
    let query = request.uri().query().expect("query").to_owned();
    set_uri(&mut request, &format!("/{BUCKET}/other.txt?{query}"));
    let raw = client.send(&request, &[]);
    raw.assert_error(403, "SignatureDoesNotMatch");
    assert!(
        raw.element("StringToSign")
            .is_some_and(|s| s.starts_with("sha1\n"))
    );
    assert!(
        raw.element("FormatString")
            .is_some_and(|s| s.contains("/other.txt"))
    );
}

#[test]
fn altering_a_signed_header_is_rejected() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("hello.txt", b"hello world");
    for (name, value) in [
        ("x-cos-meta-signed", "no"),
        ("range", "bytes=0-9"),
        ("host", "127.0.0.2:1"),
    ] {
        let mut request = signed_get(&client);
        request
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
        client
            .send(&request, &[])
            .assert_error(403, "SignatureDoesNotMatch");
    }
    // Removing a signed header is a mismatch too.
    let mut request = signed_get(&client);
    request.headers_mut().remove("x-cos-meta-signed");
    client
        .send(&request, &[])
        .assert_error(403, "SignatureDoesNotMatch");
    // Unsigned headers may change freely.
    let mut request = signed_get(&client);
    request
        .headers_mut()
        .insert("user-agent", HeaderValue::from_static("changed"));
    assert_eq!(client.send(&request, &[]).status, 206);
}

#[test]
fn altering_a_signed_param_is_rejected() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("hello.txt", b"hello world");
    let mut request = signed_get(&client);
    set_uri(
        &mut request,
        &format!("/{BUCKET}/hello.txt?response-content-type=text%2Fhtml"),
    );
    client
        .send(&request, &[])
        .assert_error(403, "SignatureDoesNotMatch");
    // Dropping the signed param.
    let mut request = signed_get(&client);
    set_uri(&mut request, &format!("/{BUCKET}/hello.txt"));
    client
        .send(&request, &[])
        .assert_error(403, "SignatureDoesNotMatch");
    // Adding an unsigned param is allowed (the signature covers only what it lists).
    let mut request = signed_get(&client);
    let query = request.uri().query().expect("query").to_owned();
    set_uri(
        &mut request,
        &format!("/{BUCKET}/hello.txt?{query}&extra=1"),
    );
    assert_eq!(client.send(&request, &[]).status, 206);
}

#[test]
fn altering_the_key_time_is_rejected() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("hello.txt", b"hello world");
    let request = signed_get(&client);
    let auth = request.headers()["authorization"]
        .to_str()
        .expect("auth")
        .to_owned();
    let original = KeyTime::new(NOW, sign::DEFAULT_REQUEST_EXPIRY_SECS).to_string();
    let widened = format!("{};{}", NOW - 60, NOW + 999_999);
    let mut tampered = request;
    tampered.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&auth.replace(&original, &widened)).expect("value"),
    );
    client
        .send(&tampered, &[])
        .assert_error(403, "SignatureDoesNotMatch");
}

#[test]
fn an_expired_window_is_access_denied() {
    let emulator = emulator();
    let mut client = Client::new(&emulator, BUCKET);
    client.now = NOW - 20_000;
    let raw = client.get("hello.txt");
    raw.assert_error(403, "AccessDenied");
    assert_eq!(
        raw.element("Message").as_deref(),
        Some("Request has expired")
    );
    // The emulator's clock moves; a signature valid now expires later.
    let client = Client::new(&emulator, BUCKET);
    let request = client.signed(&HeadObject::new("hello.txt"));
    emulator.set_clock_offset(10_001);
    let raw = client.send(&request, &[]);
    assert_eq!(raw.status, 403);
    emulator.set_clock_offset(0);
    // A window that starts in the future.
    let mut client = Client::new(&emulator, BUCKET);
    client.now = NOW + 3_600;
    client
        .get("hello.txt")
        .assert_error(403, "RequestTimeTooSkewed");
}

#[test]
fn an_unknown_key_id_is_rejected() {
    let emulator = emulator();
    let mut client = Client::new(&emulator, BUCKET);
    client.credentials = Credentials::new("AKIDUNKNOWN", "whatever").expect("creds");
    client
        .get("hello.txt")
        .assert_error(403, "InvalidAccessKeyId");
    // The right id with the wrong key is a signature mismatch.
    client.credentials =
        Credentials::new(emulator.credentials().secret_id(), "wrong-key").expect("creds");
    client
        .get("hello.txt")
        .assert_error(403, "SignatureDoesNotMatch");
}

#[test]
fn malformed_authorization_is_access_denied() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let mut request = client.build(&GetObject::new("k"));
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_static("q-sign-algorithm=md5&q-ak=x"),
    );
    client.send(&request, &[]).assert_error(403, "AccessDenied");
}

#[test]
fn anonymous_requests_need_anonymous_mode_or_a_public_object() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("private.txt", b"p");
    let op = PutObject::new("public.txt", Some(1)).acl("public-read");
    assert_eq!(client.call(&op, b"P").status, 200);
    let get = |key: &str, empty_auth: bool| {
        let mut request = client.build(&GetObject::new(key));
        if empty_auth {
            sign::mark_anonymous(&mut request);
        }
        client.send(&request, &[])
    };
    get("private.txt", true).assert_error(403, "AccessDenied");
    get("private.txt", false).assert_error(403, "AccessDenied");
    let public = get("public.txt", true);
    assert_eq!(public.status, 200);
    assert_eq!(public.body, b"P");

    let open =
        Emulator::start(EmulatorConfig::new().fixed_time(NOW).anonymous(true)).expect("starts");
    let client = Client::new(&open, BUCKET);
    let mut request = client.build(&PutObject::new("anon.txt", Some(2)));
    sign::mark_anonymous(&mut request);
    assert_eq!(client.send(&request, b"hi").status, 200);
    // Signed requests are still verified in anonymous mode.
    let mut bad = Client::new(&open, BUCKET);
    bad.credentials = Credentials::new("AKIDUNKNOWN", "x").expect("creds");
    bad.get("anon.txt").assert_error(403, "InvalidAccessKeyId");
}

#[test]
fn tokens_are_required_when_configured() {
    let creds = Credentials::new("AKIDTEMP", "tempsecret")
        .and_then(|c| c.with_token("TOKEN123"))
        .expect("creds");
    let emulator =
        Emulator::start(EmulatorConfig::new().fixed_time(NOW).credentials(creds)).expect("starts");
    let client = Client::new(&emulator, BUCKET);
    assert_eq!(
        client.call(&PutObject::new("t.txt", Some(1)), b"t").status,
        200
    );
    // A wrong token (re-signed, so only the token is wrong).
    let mut wrong = Client::new(&emulator, BUCKET);
    wrong.credentials = Credentials::new("AKIDTEMP", "tempsecret")
        .and_then(|c| c.with_token("TOKEN999"))
        .expect("creds");
    wrong.get("t.txt").assert_error(403, "AccessDenied");
    // No token at all.
    let mut missing = Client::new(&emulator, BUCKET);
    missing.credentials = Credentials::new("AKIDTEMP", "tempsecret").expect("creds");
    missing.get("t.txt").assert_error(403, "AccessDenied");
}

#[test]
fn presigned_urls_are_accepted() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("shared.txt", b"shared");
    let request = client.build(&GetObject::new("shared.txt"));
    let auth = sign::authorize(
        &client.credentials,
        KeyTime::new(NOW, 300),
        "GET",
        &format!("/{BUCKET}/shared.txt"),
        &[],
        &[("host", &emulator.authority())],
    );
    let query = auth
        .fields()
        .iter()
        .map(|(n, v)| format!("{n}={}", cos_proto::encode::query_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut presigned = http::Request::builder()
        .method(Method::GET)
        .uri(format!("{}?{query}", request.uri()))
        .body(cos_proto::Body::Empty)
        .expect("request");
    presigned.headers_mut().insert(
        "host",
        HeaderValue::from_str(&emulator.authority()).expect("host"),
    );
    let raw = client.send(&presigned, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.body, b"shared");
}

#[test]
fn virtual_host_requests_are_verified_too() {
    let emulator = emulator();
    let client = Client::virtual_host(&emulator, BUCKET);
    client.put("vh/a b.txt", b"virtual");
    let raw = client.get("vh/a b.txt");
    assert_eq!(raw.body, b"virtual");
    let path_style = Client::new(&emulator, BUCKET);
    assert_eq!(path_style.get("vh/a b.txt").body, b"virtual");
    // Tampering with the Host of a virtual-host request changes the bucket and breaks
    // the signature.
    let mut request = client.signed(&GetObject::new("vh/a b.txt"));
    request.headers_mut().insert(
        "host",
        HeaderValue::from_static("otherbucket-1250000000.cos.ap-guangzhou.myqcloud.com"),
    );
    client
        .send(&request, &[])
        .assert_error(403, "SignatureDoesNotMatch");
}

#[test]
fn path_style_signatures_without_the_bucket_prefix_are_accepted() {
    // Some SDKs sign only `/<key>` even when the bucket is in the path.
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("k.txt", b"v");
    let mut request = client.build(&GetObject::new("k.txt"));
    let host = emulator.authority();
    let auth = sign::authorize(
        &client.credentials,
        KeyTime::new(NOW, 600),
        "get",
        "/k.txt",
        &[],
        &[("host", host.as_str())],
    );
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&auth.to_string()).expect("auth"),
    );
    assert_eq!(client.send(&request, &[]).status, 200);
}

#[test]
fn every_request_signed_by_cos_proto_round_trips() {
    // Build the same request through `Operation` and through raw bytes: the emulator
    // checks exactly the canonical form cos-proto signs.
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let op = CustomRequest::object(Method::PUT, "dir/中文 a+b(1)~!*'.txt")
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("x-cos-meta-note", "a b&c")
        .body(cos_proto::Body::Bytes(bytes::Bytes::from_static(b"x")));
    let mut request = op.build_request(&client.config).expect("builds");
    sign::sign_request(
        &mut request,
        &client.credentials,
        KeyTime::new(NOW, 100),
        SignOptions::default(),
    )
    .expect("signs");
    let mut bytes = head_bytes(&request);
    bytes.extend_from_slice(b"x");
    let raw = exchange(emulator.addr(), &bytes).expect("exchange");
    assert_eq!(raw.status, 200, "{}", raw.text());
    let got = client.get("dir/中文 a+b(1)~!*'.txt");
    assert_eq!(got.body, b"x");
    assert_eq!(got.header("x-cos-meta-note"), Some("a b&c"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever parameters and headers a caller adds, the request the core signs is the
    /// request the emulator verifies: names with spaces, `/`, `~`, upper case, CJK,
    /// empty values, names that repeat in another case.
    #[test]
    fn any_extra_parameters_and_headers_verify(
        params in proptest::collection::vec(
            (
                // A leading `z` keeps clear of the names COS acts on (`acl`, `versionId`).
                proptest::prop_oneof![
                    "z[a-zA-Z0-9 /~._%&=+中文-]{0,6}",
                    proptest::strategy::Just("zNote".to_owned()),
                    proptest::strategy::Just("znote".to_owned()),
                ],
                "[a-zA-Z0-9 /~._%&=+中-]{0,6}",
            ),
            0..6,
        ),
        meta in "[a-zA-Z0-9 ._~-]{0,12}",
    ) {
        let emulator = emulator();
        let client = Client::new(&emulator, BUCKET);
        client.put("k", b"data");
        let mut op = CustomRequest::object(Method::HEAD, "k")
            .header("x-cos-meta-note", meta.trim())
            .header("If-None-Match", "\"other\"");
        for (name, value) in &params {
            op = op.param(name.clone(), value.clone());
        }
        let raw = client.call(&op, &[]);
        proptest::prop_assert_eq!(raw.status, 200, "{:?}", raw.text());
    }
}
