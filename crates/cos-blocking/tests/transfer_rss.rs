//! Peak memory of `upload_file` and `download_file` with default options (8 MiB parts,
//! 8 in flight): each runs in a child process (this binary, re-run) that reports its own
//! VmHWM, against an emulator in the parent with a directory store. The bound is
//! `part_size × concurrency + 32 MiB`. Ignored by default (2 GiB each way); run with
//! `cargo test -p cos-blocking --release --test transfer_rss -- --ignored --nocapture`
//! (`COS_RSS_BYTES` changes the size).
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};

use cos_blocking::{Client, StaticCredentials};
use cos_conformance::process::{peak_rss_kib, spawn_test_child, write_random_file};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::ops::{GetObject, PutObject};
use cos_proto::{Config, Credentials};
use cos_transfer::{DEFAULT_PART_SIZE, TransferOptions};

const BUCKET: &str = "examplebucket-1250000000";
const KEY: &str = "rss/object.bin";

fn env(name: &str) -> String {
    std::env::var(name).unwrap()
}

/// The child: one transfer with default options, then `crc <value>` and `peak_kib <n>`.
#[test]
#[ignore = "the child of transfer_peak_rss"]
fn transfer_rss_child() {
    let Ok(mode) = std::env::var("COS_RSS_CHILD") else {
        return;
    };
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(env("COS_RSS_AUTHORITY"))
        .build()
        .unwrap();
    let credentials = Credentials::new(env("COS_RSS_ID"), env("COS_RSS_KEY")).unwrap();
    let client = Client::builder(config)
        .credentials(StaticCredentials::new(credentials))
        .proxy_from_env(false)
        .build()
        .unwrap();
    let file = env("COS_RSS_FILE");
    let crc = if mode == "upload" {
        let put = PutObject::new(KEY, None);
        client
            .upload_file(&put, &file, TransferOptions::default())
            .unwrap()
            .crc64
    } else {
        let get = GetObject::new(KEY);
        client
            .download_file(&get, &file, TransferOptions::default())
            .unwrap()
            .crc64
    };
    // A line of its own: libtest prints the test's name without a newline first.
    println!("\ncrc {crc}");
    println!("peak_kib {}", peak_rss_kib().unwrap());
}

fn run_child(
    emulator: &Emulator,
    mode: &str,
    file: &std::path::Path,
) -> (u64, u64, std::time::Duration) {
    let started = std::time::Instant::now();
    let mut child = spawn_test_child(
        "transfer_rss_child",
        &[
            ("COS_RSS_CHILD", mode.to_owned()),
            ("COS_RSS_AUTHORITY", emulator.authority()),
            ("COS_RSS_FILE", file.display().to_string()),
            ("COS_RSS_ID", emulator.credentials().secret_id().to_owned()),
            (
                "COS_RSS_KEY",
                emulator.credentials().secret_key().to_owned(),
            ),
        ],
    )
    .unwrap();
    let (mut crc, mut peak) = (None, None);
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(v) = line.strip_prefix("crc ") {
            crc = v.parse().ok();
        }
        if let Some(v) = line.strip_prefix("peak_kib ") {
            peak = v.parse().ok();
        }
    }
    assert!(child.wait().unwrap().success(), "the {mode} child failed");
    (crc.unwrap(), peak.unwrap(), started.elapsed())
}

#[test]
#[ignore = "moves 2 GiB each way; run explicitly (see the file's docs)"]
fn transfer_peak_rss() {
    let size: u64 = std::env::var("COS_RSS_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2 << 30);
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.bin");
    let crc = write_random_file(&source, size).unwrap();
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .bucket(BUCKET, false)
            .data_dir(dir.path().join("store")),
    )
    .unwrap();
    let bound_kib = (DEFAULT_PART_SIZE * 8 + (32 << 20)) / 1024;
    let (up_crc, up_peak, up_time) = run_child(&emulator, "upload", &source);
    assert_eq!(up_crc, crc);
    let target = dir.path().join("target.bin");
    let (down_crc, down_peak, down_time) = run_child(&emulator, "download", &target);
    assert_eq!(down_crc, crc);
    eprintln!(
        "blocking transfer rss: {size} bytes; upload_file peak {:.1} MiB in {up_time:.1?}, \
         download_file peak {:.1} MiB in {down_time:.1?}; bound {} MiB",
        up_peak as f64 / 1024.0,
        down_peak as f64 / 1024.0,
        bound_kib / 1024
    );
    assert!(
        up_peak <= bound_kib,
        "upload peak {up_peak} KiB > {bound_kib} KiB"
    );
    assert!(
        down_peak <= bound_kib,
        "download peak {down_peak} KiB > {bound_kib} KiB"
    );
}
