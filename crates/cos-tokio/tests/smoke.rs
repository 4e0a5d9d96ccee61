//! A first look: basic operations against an in-process emulator.

use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::{GetObject, HeadObject, PutObject};
use cos_tokio::Client;

const BUCKET: &str = "examplebucket-1250000000";

fn setup() -> (Emulator, Client) {
    let emulator = Emulator::start(EmulatorConfig::new().bucket(BUCKET, false)).expect("emulator");
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(emulator.authority())
        .build()
        .expect("config");
    let client = Client::builder(config)
        .credentials(emulator.credentials().clone())
        .build()
        .expect("client");
    (emulator, client)
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[tokio::test]
async fn put_head_get() {
    let (_emulator, client) = setup();
    assert_send(client.put_object(&PutObject::new("a.txt", Some(5)), "hello"))
        .await
        .expect("put");
    let info = client
        .head_object(&HeadObject::new("a.txt"))
        .await
        .expect("head");
    assert_eq!(info.content_length, Some(5));
    let (_, body) = assert_send(client.get_object(&GetObject::new("a.txt")))
        .await
        .expect("get");
    let body = assert_send(body.bytes()).await.expect("body");
    assert_eq!(&body[..], b"hello");
}

/// Every transfer runs as a task of its own on a multi-threaded runtime (`tokio::spawn`
/// needs `Send` futures): the way a service or a CLI runs many of them at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_can_be_spawned() {
    use cos_proto::ops::{CopyObject, CopySource};
    use cos_tokio::cos_transfer::{DirectoryOptions, TransferOptions};

    let (_emulator, client) = setup();
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("up.bin");
    std::fs::write(&source, vec![7u8; 100_000]).expect("write");

    let c = client.clone();
    let path = source.clone();
    tokio::spawn(async move {
        c.upload_file(
            &PutObject::new("t/up.bin", None),
            &path,
            TransferOptions::default(),
        )
        .await
    })
    .await
    .expect("joined")
    .expect("upload");

    let c = client.clone();
    let target = dir.path().join("down.bin");
    let down = target.clone();
    tokio::spawn(async move {
        c.download_file(
            &GetObject::new("t/up.bin"),
            &down,
            TransferOptions::default(),
        )
        .await
    })
    .await
    .expect("joined")
    .expect("download");
    assert_eq!(std::fs::read(&target).expect("read").len(), 100_000);

    let c = client.clone();
    let copy = CopyObject::new(
        "t/copy.bin",
        CopySource::in_config(client.config(), "t/up.bin"),
    );
    tokio::spawn(async move { c.copy(&copy, TransferOptions::default()).await })
        .await
        .expect("joined")
        .expect("copy");

    let c = client.clone();
    let tree = dir.path().join("tree");
    tokio::spawn(async move {
        c.download_dir("t/", &tree, DirectoryOptions::default())
            .await
    })
    .await
    .expect("joined")
    .expect("download_dir");

    let c = client.clone();
    let tree = dir.path().join("tree");
    tokio::spawn(async move {
        c.upload_dir(&tree, "again/", DirectoryOptions::default())
            .await
    })
    .await
    .expect("joined")
    .expect("upload_dir");
}

/// `download_to` a `MemoryTarget`: the ranges of `download_file`, in parallel, into one
/// buffer; an object larger than the target's limit fails before any range is fetched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_download_in_ranges_into_memory() {
    use std::sync::Arc;

    use cos_tokio::UploadBody;
    use cos_tokio::cos_transfer::TransferOptions;
    use cos_tokio::cos_transfer::fs::MemoryTarget;

    let (emulator, client) = setup();
    let data: Vec<u8> = (0..3_500_000u32).map(|i| (i % 251) as u8).collect();
    client
        .put_object(
            &PutObject::new("mem.bin", Some(data.len() as u64)),
            UploadBody::bytes(data.clone()),
        )
        .await
        .expect("put");
    let options = TransferOptions::default()
        .part_size(1024 * 1024)
        .concurrency(3);
    let target = Arc::new(MemoryTarget::new(data.len() as u64));
    let out = client
        .download_to(&GetObject::new("mem.bin"), target.clone(), options, |_| {})
        .await
        .expect("download");
    assert_eq!(out.fetched_bytes, data.len() as u64);
    assert_eq!(out.crc64, cos_proto::crc64::crc64(&data));
    assert!(target.take() == data, "the object, byte for byte");

    let sent_before = emulator.traffic().sent();
    let small = Arc::new(MemoryTarget::new(data.len() as u64 - 1));
    let refused = client
        .download_to(&GetObject::new("mem.bin"), small.clone(), options, |_| {})
        .await;
    assert!(refused.is_err(), "over the limit");
    assert!(
        emulator.traffic().sent() - sent_before < 1024,
        "no range fetched after the HEAD"
    );
    assert!(small.take().is_empty());
}
