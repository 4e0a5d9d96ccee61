//! `object_store`'s own conformance suite (its `integration` feature) against an
//! in-process `cos-emulator`: one test per function of the suite, each on a fresh
//! emulator (the suite empties the store it is given).

use std::time::Duration;

use cos_emulator::{Emulator, EmulatorConfig, FaultRule};
use cos_object_store::{CosObjectStore, CosObjectStoreBuilder};
use cos_proto::Credentials;
use cos_proto::driver::options::ClientOptions;
use cos_proto::retry::RetryPolicy;
use futures_util::TryStreamExt;
use object_store::integration;
use object_store::path::Path;
use object_store::{Error, ObjectStore, ObjectStoreExt, PutMode, PutOptions, TagSet};

const BUCKET: &str = "examplebucket-1250000000";

/// An emulator and a store on its bucket; the emulator stops when dropped.
struct Fixture {
    store: CosObjectStore,
    emulator: Emulator,
}

fn fixture() -> Fixture {
    fixture_with(false, None)
}

/// A fixture on a bucket with versioning or not, signing with `credentials` (default:
/// the emulator's).
fn fixture_with(versioned: bool, credentials: Option<Credentials>) -> Fixture {
    let emulator = Emulator::start(EmulatorConfig::new().bucket(BUCKET, versioned))
        .expect("the emulator starts");
    let mut options = ClientOptions::default();
    options.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    };
    options.proxy_from_env = false;
    let store = CosObjectStoreBuilder::new()
        .with_bucket(BUCKET)
        .with_region("ap-guangzhou")
        .with_path_style_endpoint(emulator.authority())
        .with_credentials(credentials.unwrap_or_else(|| emulator.credentials().clone()))
        .with_client_options(options)
        .build()
        .expect("the store builds");
    Fixture { store, emulator }
}

#[tokio::test]
async fn put_get_delete_list() {
    let f = fixture();
    integration::put_get_delete_list(&f.store).await;
}

#[tokio::test]
async fn put_get_attributes() {
    let f = fixture();
    integration::put_get_attributes(&f.store).await;
}

#[tokio::test]
async fn get_opts() {
    let f = fixture();
    integration::get_opts(&f.store).await;
}

/// COS has no conditional PUT: `PutMode::Update` is `NotImplemented`, which the suite
/// checks with `supports_update: false`.
#[tokio::test]
async fn put_opts() {
    let f = fixture();
    integration::put_opts(&f.store, false).await;
}

#[tokio::test]
async fn stream_get() {
    let f = fixture();
    integration::stream_get(&f.store).await;
}

#[tokio::test]
async fn list_uses_directories_correctly() {
    let f = fixture();
    integration::list_uses_directories_correctly(&f.store).await;
}

#[tokio::test]
async fn list_with_delimiter() {
    let f = fixture();
    integration::list_with_delimiter(&f.store).await;
}

#[tokio::test]
async fn get_nonexistent_object() {
    let f = fixture();
    let err = integration::get_nonexistent_object(&f.store, None)
        .await
        .expect_err("there is no such object");
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[tokio::test]
async fn rename_and_copy() {
    let f = fixture();
    integration::rename_and_copy(&f.store).await;
}

#[tokio::test]
async fn copy_if_not_exists() {
    let f = fixture();
    integration::copy_if_not_exists(&f.store).await;
}

#[tokio::test]
async fn copy_rename_nonexistent_object() {
    let f = fixture();
    integration::copy_rename_nonexistent_object(&f.store).await;
}

#[tokio::test]
async fn multipart() {
    let f = fixture();
    integration::multipart(&f.store, &f.store).await;
}

/// Two uploads to one key: each completes, the last one wins (COS keeps the object of
/// the last Complete Multipart Upload).
#[tokio::test]
async fn multipart_race_condition() {
    let f = fixture();
    integration::multipart_race_condition(&f.store, true).await;
}

#[tokio::test]
async fn multipart_out_of_order() {
    let f = fixture();
    integration::multipart_out_of_order(&f.store).await;
}

#[tokio::test]
async fn list_paginated() {
    let f = fixture();
    integration::list_paginated(&f.store, &f.store).await;
}

#[tokio::test]
async fn list_with_offset_exclusivity() {
    let f = fixture();
    integration::list_with_offset_exclusivity(&f.store).await;
}

// Beyond the suite: what it does not check.

/// In a versioned bucket, writes answer their version, and a GET reads an older one.
#[tokio::test]
async fn get_opts_reads_versions() {
    let f = fixture_with(true, None);
    integration::get_opts(&f.store).await;
    let put = f
        .store
        .put(&Path::from("v"), "1".into())
        .await
        .expect("put");
    assert!(put.version.is_some(), "{put:?}");
    let meta = f.store.head(&Path::from("v")).await.expect("head");
    assert_eq!(meta.version, put.version);
}

/// Tags go with the write and come back from GET Object tagging.
#[tokio::test]
async fn tags_round_trip() {
    let f = fixture();
    let mut tags = TagSet::default();
    tags.push("team", "data eng");
    tags.push("tier", "gold");
    let options = PutOptions {
        tags: tags.clone(),
        ..Default::default()
    };
    let path = Path::from("tagged");
    f.store
        .put_opts(&path, "x".into(), options)
        .await
        .expect("put");
    assert_eq!(f.store.tags(&path).await.expect("tags"), tags);
    let mut upload = f
        .store
        .put_multipart_opts(&Path::from("tagged-multipart"), tags.clone().into())
        .await
        .expect("initiate");
    upload.put_part("y".into()).await.expect("part");
    upload.complete().await.expect("complete");
    assert_eq!(
        f.store
            .tags(&Path::from("tagged-multipart"))
            .await
            .expect("tags"),
        tags
    );
}

/// Wrong keys are `Unauthenticated`, whatever the operation.
#[tokio::test]
async fn wrong_keys_are_unauthenticated() {
    let wrong = Credentials::new("AKIDwrongwrongwrong", "not-the-secret").expect("well-formed");
    let f = fixture_with(false, Some(wrong));
    let err = f.store.get(&Path::from("any")).await.expect_err("refused");
    assert!(matches!(err, Error::Unauthenticated { .. }), "{err}");
    let err = f
        .store
        .put(&Path::from("any"), "x".into())
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::Unauthenticated { .. }), "{err}");
}

/// A store under a prefix sees only its own keys, and lists paths without the prefix.
#[tokio::test]
async fn a_prefix_scopes_the_store() {
    let f = fixture();
    let tables = CosObjectStore::new(f.store.client().clone(), "tables");
    tables
        .put(&Path::from("t/a.parquet"), "a".into())
        .await
        .expect("put");
    f.store
        .put(&Path::from("other/b"), "b".into())
        .await
        .expect("put");
    let listed: Vec<Path> = tables
        .list(None)
        .try_collect::<Vec<_>>()
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.location)
        .collect();
    assert_eq!(listed, vec![Path::from("t/a.parquet")]);
    let root = f.store.list_with_delimiter(None).await.expect("list");
    assert_eq!(
        root.common_prefixes,
        vec![Path::from("other"), Path::from("tables")]
    );
    let got = f
        .store
        .get(&Path::from("tables/t/a.parquet"))
        .await
        .expect("get")
        .bytes()
        .await
        .expect("body");
    assert_eq!(got.as_ref(), b"a");
}

/// Create-only writes and copies keep the existing object; the error names it.
#[tokio::test]
async fn create_only_writes_keep_the_existing_object() {
    let f = fixture();
    let path = Path::from("once");
    f.store.put(&path, "1".into()).await.expect("put");
    let err = f
        .store
        .put_opts(&path, "2".into(), PutMode::Create.into())
        .await
        .expect_err("exists");
    assert!(
        matches!(&err, Error::AlreadyExists { path, .. } if path == "once"),
        "{err}"
    );
    f.store
        .put(&Path::from("src"), "s".into())
        .await
        .expect("put");
    let err = f
        .store
        .rename_if_not_exists(&Path::from("src"), &path)
        .await
        .expect_err("exists");
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    // The failed rename kept its source.
    f.store.head(&Path::from("src")).await.expect("kept");
    let body = body_of(&f.store, &path).await;
    assert_eq!(body.as_ref(), b"1");
}

/// A presigned GET works without credentials; the same URL for another key does not.
#[tokio::test]
async fn presigned_urls_work_without_credentials() {
    let f = fixture();
    let path = Path::from("a b/c");
    f.store.put(&path, "shared".into()).await.expect("put");
    let url = f
        .store
        .signed_url(http::Method::GET, &path, Duration::from_secs(60))
        .await
        .expect("signed");
    assert!(url.path().ends_with("/a%20b/c"), "{url}");
    let (status, body) = plain_get(&url).await;
    assert_eq!((status, body.as_slice()), (200, &b"shared"[..]), "{url}");

    let mut tampered = url.clone();
    tampered.set_path(&url.path().replace("/c", "/d"));
    let (status, _) = plain_get(&tampered).await;
    assert_eq!(status, 403, "the signature covers the key: {tampered}");
}

/// The same through `object_store`'s `Signer` trait.
#[cfg(feature = "signer")]
#[tokio::test]
async fn the_signer_trait_presigns_gets_and_puts() {
    use object_store::signer::Signer;
    let f = fixture();
    let signer: &dyn Signer = &f.store;
    let path = Path::from("signed.txt");
    let urls = signer
        .signed_urls(
            http::Method::PUT,
            std::slice::from_ref(&path),
            Duration::from_secs(60),
        )
        .await
        .expect("signed");
    assert_eq!(urls.len(), 1);
    let (status, _) = plain_request("PUT", &urls[0], b"through the trait").await;
    assert_eq!(status, 200, "{}", urls[0]);
    let got = body_of(&f.store, &path).await;
    assert_eq!(got.as_ref(), b"through the trait");
}

/// A GET of `url` with no credentials: the status and the body.
async fn plain_get(url: &url::Url) -> (u16, Vec<u8>) {
    plain_request("GET", url, b"").await
}

/// One HTTP/1.1 request to the emulator with only the URL's authority (its query
/// signs it): the status and the body.
async fn plain_request(method: &str, url: &url::Url, body: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authority = format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().expect("port")
    );
    let mut stream = tokio::net::TcpStream::connect(&authority)
        .await
        .expect("connect");
    let target = &url[url::Position::BeforePath..];
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    (status, answer[split + 4..].to_vec())
}

/// A whole-object read checks COS's CRC-64: a corrupted byte fails the read (after the
/// last chunk); a connection cut mid-body is resumed where it stopped.
#[tokio::test]
async fn whole_reads_are_checked_and_resumed() {
    let f = fixture();
    let path = Path::from("data.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    f.store.put(&path, data.clone().into()).await.expect("put");

    let faults = f.emulator.faults();
    faults.add(FaultRule::flip_byte(100_000).method("GET").times(1));
    let err = f
        .store
        .get(&path)
        .await
        .expect("the answer starts")
        .bytes()
        .await
        .expect_err("the CRC-64 does not match");
    assert!(err.to_string().contains("CRC64"), "{err}");

    faults.add(
        FaultRule::reset_response_after(150_000)
            .method("GET")
            .times(1),
    );
    let body = f
        .store
        .get(&path)
        .await
        .expect("get")
        .bytes()
        .await
        .expect("resumed");
    assert_eq!(body.as_ref(), data.as_slice());
}

/// The whole object at `path`.
async fn body_of(store: &CosObjectStore, path: &Path) -> bytes::Bytes {
    store
        .get(path)
        .await
        .expect("get")
        .bytes()
        .await
        .expect("body")
}
