//! Peak memory of `upload_file` and `download_file` with default options (8 MiB parts,
//! 8 in flight): each runs in a child process (this binary, re-run) that reports its own
//! VmHWM, against an emulator in the parent with a directory store. The bound is
//! `part_size × concurrency + 32 MiB`. Ignored by default (2 GiB each way); run with
//! `cargo test -p cos-tokio --release --test transfer_rss -- --ignored --nocapture`
//! (`COS_RSS_BYTES` changes the size).
#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use cos_conformance::process::{RssChild, check_transfer_rss};
use cos_tokio::{Client, StaticCredentials};
use cos_transfer::TransferOptions;

/// The child: one transfer with default options, reported to the parent.
#[test]
#[ignore = "the child of transfer_peak_rss"]
fn transfer_rss_child() {
    let Some(child) = RssChild::from_env() else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = Client::builder(child.config().unwrap())
        .credentials(StaticCredentials::new(child.credentials.clone()))
        .proxy_from_env(false)
        .build()
        .unwrap();
    let options = TransferOptions::default();
    child.run(
        |put, file| {
            let done = runtime.block_on(client.upload_file(put, file, options));
            done.unwrap().crc64
        },
        |get, file| {
            let done = runtime.block_on(client.download_file(get, file, options));
            done.unwrap().crc64
        },
    );
}

#[test]
#[ignore = "moves 2 GiB each way; run explicitly (see the file's docs)"]
fn transfer_peak_rss() {
    check_transfer_rss("tokio", "transfer_rss_child").unwrap();
}
