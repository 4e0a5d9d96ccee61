//! The emulator runs on its own runtime: async tests (any flavour) and sync tests can
//! start, use and drop it.

mod common;

use std::time::Duration;

use common::{BUCKET, Client, NOW};
use cos_emulator::{Emulator, EmulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "current_thread")]
async fn usable_from_a_current_thread_runtime() {
    let emulator =
        Emulator::start(EmulatorConfig::new().fixed_time(NOW).anonymous(true)).expect("starts");
    let mut stream = tokio::net::TcpStream::connect(emulator.addr())
        .await
        .expect("connect");
    let request = format!(
        "PUT /{BUCKET}/async.txt HTTP/1.1\r\nHost: {}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        emulator.authority()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response))
        .await
        .expect("in time")
        .expect("read");
    assert!(response.starts_with(b"HTTP/1.1 200"));
    let client = Client::new(&emulator, BUCKET);
    let got = tokio::task::spawn_blocking(move || client.get("async.txt"))
        .await
        .expect("join");
    assert_eq!(got.body, b"hello");
    drop(emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usable_from_a_multi_thread_runtime() {
    let emulator = Emulator::start(EmulatorConfig::new().fixed_time(NOW)).expect("starts");
    let client = Client::new(&emulator, BUCKET);
    let raw = tokio::task::spawn_blocking(move || client.put("m.txt", b"m"))
        .await
        .expect("join");
    assert_eq!(raw.status, 200);
    emulator.shutdown();
}

#[test]
fn many_emulators_start_and_stop_quickly() {
    let start = std::time::Instant::now();
    let emulators: Vec<Emulator> = (0..8)
        .map(|_| Emulator::start(EmulatorConfig::new()).expect("starts"))
        .collect();
    let mut ports: Vec<u16> = emulators.iter().map(Emulator::port).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 8);
    drop(emulators);
    assert!(start.elapsed() < Duration::from_secs(5));
}
