//! Peak memory of a 1 GiB streaming upload and download: far below 64 MiB.
//!
//! Ignored by default (it moves 2 GiB through the loopback and the disk); run it with
//! `cargo test -p cos-tokio --release --test rss -- --ignored --nocapture`. The emulator
//! runs in this process with a directory store, so the figure (VmHWM of the whole
//! process) bounds the client's own peak from above.
#![allow(clippy::print_stdout)]

mod common;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::ops::{GetObject, PutObject};
use cos_tokio::UploadBody;
use futures_core::Stream;

const SIZE: u64 = 1024 * 1024 * 1024;
const LIMIT_KIB: u64 = 64 * 1024;

/// `remaining` bytes of one repeated 64 KiB chunk, generated without allocating.
struct Generated {
    chunk: Bytes,
    remaining: u64,
}

impl Stream for Generated {
    type Item = io::Result<Bytes>;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = this.remaining.min(this.chunk.len() as u64) as usize;
        this.remaining -= n as u64;
        Poll::Ready(Some(Ok(this.chunk.slice(..n))))
    }
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
#[ignore = "moves 2 GiB; run explicitly (see the file's doc)"]
fn one_gib_upload_and_download_stay_far_below_64_mib() {
    let dir = tempfile::tempdir().expect("dir");
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .bucket(common::BUCKET, false)
            .data_dir(dir.path()),
    )
    .expect("emulator");
    let client = common::client(&emulator);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let before = vm_hwm_kib().unwrap_or(0);
    let started = std::time::Instant::now();
    let received = runtime.block_on(async {
        let chunk = Bytes::from(common::data(64 * 1024));
        let body = UploadBody::stream(Generated {
            chunk,
            remaining: SIZE,
        });
        client
            .put_object(&PutObject::new("big/1gib.bin", None), body)
            .await
            .expect("upload");
        let (output, mut body) = client
            .get_object(&GetObject::new("big/1gib.bin"))
            .await
            .expect("download");
        assert_eq!(output.info.content_length, Some(SIZE));
        assert!(
            output.info.crc64.is_some(),
            "the CRC-64 is checked on the way"
        );
        let mut received = 0u64;
        while let Some(chunk) = body.next_chunk().await {
            received += chunk.expect("chunk").len() as u64;
        }
        received
    });
    assert_eq!(received, SIZE);
    let peak = vm_hwm_kib().expect("VmHWM in /proc/self/status");
    println!(
        "1 GiB up + down in {:.1?}: peak RSS (VmHWM) {peak} KiB = {:.1} MiB (before the transfer: {before} KiB)",
        started.elapsed(),
        peak as f64 / 1024.0
    );
    assert!(peak < LIMIT_KIB, "peak RSS {peak} KiB is not below 64 MiB");
}
