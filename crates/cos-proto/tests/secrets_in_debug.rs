//! No built request shows key material in its `Debug` output: the SSE-C key (of the
//! object, and of a copy's source), the wrapped data key of a client-side encryption
//! envelope, the session token and the signature are all marked sensitive.
#![allow(clippy::unwrap_used)]

use cos_proto::headers::ServerSideEncryption;
use cos_proto::ops::{
    CopyObject, CopySource, CustomRequest, GetObject, HeadObject, InitiateMultipartUpload,
    PutObject, UploadPart, UploadPartCopy,
};
use cos_proto::sign::{self, KeyTime, SignOptions};
use cos_proto::{Config, Credentials, Operation};

const KEY: [u8; 32] = [0x42; 32];

fn config() -> Config {
    Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .build()
        .unwrap()
}

fn customer_key() -> cos_proto::headers::CustomerKey {
    match ServerSideEncryption::customer_key(&KEY) {
        ServerSideEncryption::Customer(key) => key,
        _ => unreachable!("an SSE-C key"),
    }
}

fn shows_no_secret<O: Operation>(op: &O, secrets: &[&str]) {
    let mut request = op.build_request(&config()).unwrap();
    let credentials = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE")
        .unwrap()
        .with_token("TOKEN-SECRET")
        .unwrap();
    sign::sign_request(
        &mut request,
        &credentials,
        KeyTime::new(1_700_000_000, 600),
        SignOptions::default(),
    )
    .unwrap();
    let shown = format!("{request:?}");
    for secret in secrets.iter().chain(&["TOKEN-SECRET", "SECRETKEYEXAMPLE"]) {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(!shown.contains("q-signature="), "the signature in {shown}");
}

#[test]
fn sse_c_keys_never_show_in_debug() {
    let key = customer_key();
    let secret = key.key.clone();
    let secrets = [secret.as_str()];
    shows_no_secret(&GetObject::new("k").customer_key(key.clone()), &secrets);
    shows_no_secret(&HeadObject::new("k").customer_key(key.clone()), &secrets);
    shows_no_secret(
        &PutObject::new("k", Some(1))
            .server_side_encryption(ServerSideEncryption::customer_key(&KEY)),
        &secrets,
    );
    shows_no_secret(
        &InitiateMultipartUpload::new("k")
            .server_side_encryption(ServerSideEncryption::customer_key(&KEY)),
        &secrets,
    );
    shows_no_secret(
        &UploadPart::new("k", "u", 1, Some(1)).customer_key(key.clone()),
        &secrets,
    );
    let source = CopySource::in_config(&config(), "src");
    shows_no_secret(
        &CopyObject::new("k", source.clone()).copy_source_customer_key(key.clone()),
        &secrets,
    );
    shows_no_secret(
        &UploadPartCopy::new("k", "u", 1, source)
            .copy_source_customer_key(key.clone())
            .customer_key(key),
        &secrets,
    );
}

#[test]
fn key_material_in_custom_headers_never_shows_in_debug() {
    let op = CustomRequest::object(http::Method::PUT, "k")
        .header("x-cos-server-side-encryption-customer-key", "CUSTOM-KEY")
        .header("x-cos-meta-client-side-encryption-key", "WRAPPED-KEY")
        .header("x-cos-meta-client-side-encryption-iv", "THE-IV")
        .header("x-cos-meta-owner", "alice");
    let request = op.build_request(&config()).unwrap();
    let shown = format!("{request:?}");
    for secret in ["CUSTOM-KEY", "WRAPPED-KEY", "THE-IV"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(
        shown.contains("alice"),
        "plain metadata still shows: {shown}"
    );
}
