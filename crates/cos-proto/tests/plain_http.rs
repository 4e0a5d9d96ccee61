//! Plain `http` only where it is asked for or harmless: path-style and IP addressing
//! default to `http` for this machine only, and a session token never travels over
//! plain `http` to another host unless the configuration explicitly allows it.
#![allow(clippy::unwrap_used)]

use cos_proto::driver::call::{Call, CallOptions, Payload};
use cos_proto::ops::HeadObject;
use cos_proto::presign::Presign;
use cos_proto::{Config, Credentials, Scheme};

const BUCKET: &str = "examplebucket-1250000000";

fn temporary() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE")
        .unwrap()
        .with_token("SESSION-TOKEN")
        .unwrap()
}

fn long_term() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").unwrap()
}

fn signs(config: &Config, credentials: &Credentials) -> bool {
    let op = HeadObject::new("k");
    let call = Call::new(&op, config, CallOptions::default(), Payload::NONE);
    let header = call.request(Some(credentials), 1_700_000_000).is_ok();
    let presigned = Presign::get("k")
        .url(config, credentials, 1_700_000_000)
        .is_ok();
    assert_eq!(header, presigned, "the same rule for both");
    header
}

#[test]
fn http_is_the_default_only_for_this_machine() {
    for (authority, scheme) in [
        ("127.0.0.1:9000", Scheme::Http),
        ("127.8.9.10", Scheme::Http),
        ("localhost:9000", Scheme::Http),
        ("[::1]:9000", Scheme::Http),
        ("10.1.2.3:80", Scheme::Https),
        ("192.168.0.7", Scheme::Https),
        ("cos.internal.example:9000", Scheme::Https),
    ] {
        let path_style = Config::builder("ap-guangzhou", BUCKET)
            .path_style(authority)
            .build()
            .unwrap();
        assert_eq!(path_style.scheme(), scheme, "path-style {authority}");
        let ip = Config::builder("ap-guangzhou", BUCKET)
            .ip(authority)
            .build()
            .unwrap();
        assert_eq!(ip.scheme(), scheme, "ip {authority}");
    }
}

#[test]
fn a_session_token_never_travels_over_plain_http_to_another_host() {
    let http_elsewhere = Config::builder("ap-guangzhou", BUCKET)
        .ip("10.1.2.3:80")
        .scheme(Scheme::Http)
        .build()
        .unwrap();
    assert!(!signs(&http_elsewhere, &temporary()), "a token over http");
    assert!(signs(&http_elsewhere, &long_term()), "no token to take");
    let http_virtual_host = Config::builder("ap-guangzhou", BUCKET)
        .scheme(Scheme::Http)
        .build()
        .unwrap();
    assert!(!signs(&http_virtual_host, &temporary()));
    let https = Config::builder("ap-guangzhou", BUCKET).build().unwrap();
    assert!(signs(&https, &temporary()));
    let emulator = Config::builder("ap-guangzhou", BUCKET)
        .path_style("127.0.0.1:9000")
        .build()
        .unwrap();
    assert!(signs(&emulator, &temporary()), "this machine");
}

#[test]
fn only_an_explicit_option_lets_a_token_over_plain_http() {
    let allowed = Config::builder("ap-guangzhou", BUCKET)
        .ip("10.1.2.3:80")
        .scheme(Scheme::Http)
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert!(signs(&allowed, &temporary()));
    let op = HeadObject::new("k");
    let refused = Config::builder("ap-guangzhou", BUCKET)
        .endpoint("cos.example.com")
        .scheme(Scheme::Http)
        .build()
        .unwrap();
    let call = Call::new(&op, &refused, CallOptions::default(), Payload::NONE);
    let err = call.request(Some(&temporary()), 1).unwrap_err();
    assert!(err.to_string().contains("allow_insecure_http"), "{err}");
}
