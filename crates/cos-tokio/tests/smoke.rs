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
