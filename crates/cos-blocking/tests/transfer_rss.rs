//! Peak memory of `upload_file` and `download_file` with default options (8 MiB parts,
//! 8 in flight): each runs in a child process (this binary, re-run) that reports its own
//! VmHWM, against an emulator in the parent with a directory store. The bound is
//! `part_size × concurrency + 32 MiB`. Ignored by default (2 GiB each way); run with
//! `cargo test -p cos-blocking --release --test transfer_rss -- --ignored --nocapture`
//! (`COS_RSS_BYTES` changes the size).
#![allow(clippy::unwrap_used, clippy::print_stderr)]
#![cfg(target_os = "linux")]

use cos_blocking::{Client, StaticCredentials};
use cos_conformance::process::{RSS_KEY, RssChild, measure_transfer_rss};
use cos_proto::ops::{GetObject, PutObject};
use cos_transfer::{DEFAULT_PART_SIZE, TransferOptions};

/// The child: one transfer with default options, reported to the parent.
#[test]
#[ignore = "the child of transfer_peak_rss"]
fn transfer_rss_child() {
    let Some(child) = RssChild::from_env() else {
        return;
    };
    let client = Client::builder(child.config().unwrap())
        .credentials(StaticCredentials::new(child.credentials.clone()))
        .proxy_from_env(false)
        .build()
        .unwrap();
    let options = TransferOptions::default();
    let crc = if child.mode == "upload" {
        let put = PutObject::new(RSS_KEY, None);
        client
            .upload_file(&put, &child.file, options)
            .unwrap()
            .crc64
    } else {
        let get = GetObject::new(RSS_KEY);
        client
            .download_file(&get, &child.file, options)
            .unwrap()
            .crc64
    };
    child.report(crc);
}

#[test]
#[ignore = "moves 2 GiB each way; run explicitly (see the file's docs)"]
fn transfer_peak_rss() {
    let size = std::env::var("COS_RSS_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2 << 30);
    let (up, down) = measure_transfer_rss("transfer_rss_child", size).unwrap();
    let bound_kib = (DEFAULT_PART_SIZE * 8 + (32 << 20)) / 1024;
    eprintln!(
        "blocking transfer rss: {size} bytes; upload_file peak {:.1} MiB in {:.1?}, \
         download_file peak {:.1} MiB in {:.1?}; bound {} MiB",
        up.peak_kib as f64 / 1024.0,
        up.elapsed,
        down.peak_kib as f64 / 1024.0,
        down.elapsed,
        bound_kib / 1024
    );
    assert!(up.peak_kib <= bound_kib, "upload peak {} KiB", up.peak_kib);
    assert!(
        down.peak_kib <= bound_kib,
        "download peak {} KiB",
        down.peak_kib
    );
}
