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
