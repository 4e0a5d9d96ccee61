//! Peak memory of a 1 GiB streaming upload and download (file → COS → file, and a
//! streamed read), measured as the process's VmHWM. Ignored by default (it moves 3 GiB
//! through the loopback and the disk); run it with
//! `cargo test -p cos-blocking --release --test rss -- --ignored --nocapture`
//! (`COS_RSS_BYTES` changes the size). The emulator runs in the same process with a
//! directory store, so the figure covers both ends.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::io::{self, BufWriter, Write};

use cos_blocking::{Client, StaticCredentials, UploadBody};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::crc64::Crc64;
use cos_proto::ops::{GetObject, PutObject};

const BUCKET: &str = "examplebucket-1250000000";
const LIMIT_MIB: u64 = 64;

/// VmHWM (peak resident set) of this process, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
#[ignore = "moves 1 GiB each way; run explicitly (see the file's docs)"]
fn one_gib_round_trip_stays_far_below_64_mib() {
    let size: u64 = std::env::var("COS_RSS_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 30);
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.bin");
    let mut crc = Crc64::new();
    {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&source).unwrap());
        let mut block = vec![0u8; 1 << 20];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut left = size;
        while left > 0 {
            for b in block.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = (state >> 32) as u8;
            }
            let n = left.min(block.len() as u64) as usize;
            crc.update(&block[..n]);
            out.write_all(&block[..n]).unwrap();
            left -= n as u64;
        }
        out.flush().unwrap();
    }
    let before = peak_rss_kib().unwrap_or(0);

    let emulator = Emulator::start(
        EmulatorConfig::new()
            .bucket(BUCKET, false)
            .data_dir(dir.path().join("store")),
    )
    .unwrap();
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(emulator.authority())
        .build()
        .unwrap();
    let client = Client::builder(config)
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .proxy_from_env(false)
        .build()
        .unwrap();

    let started = std::time::Instant::now();
    let body = UploadBody::file(&source).unwrap();
    let put = client
        .put_object(&PutObject::new("big/object.bin", body.len()), body)
        .unwrap();
    assert_eq!(put.crc64, Some(crc.value()));
    let uploaded = started.elapsed();

    let target = dir.path().join("download.bin");
    let out = client
        .get_object_to_file(&GetObject::new("big/object.bin"), &target)
        .unwrap();
    assert_eq!(out.info.content_length, Some(size));
    assert_eq!(std::fs::metadata(&target).unwrap().len(), size);
    std::fs::remove_file(&target).unwrap();
    let downloaded = started.elapsed();

    let (_, mut reader) = client
        .get_object(&GetObject::new("big/object.bin"))
        .unwrap();
    let streamed = io::copy(&mut reader, &mut io::sink()).unwrap();
    assert_eq!(streamed, size);
    let total = started.elapsed();
    drop(emulator);

    let peak = peak_rss_kib().unwrap_or(0);
    eprintln!(
        "rss: {size} bytes up (file) in {:.1?}, down to a file in {:.1?}, streamed in {:.1?}; \
         VmHWM before the transfers {} KiB, after {} KiB ({:.1} MiB)",
        uploaded,
        downloaded - uploaded,
        total - downloaded,
        before,
        peak,
        peak as f64 / 1024.0
    );
    assert!(
        peak < LIMIT_MIB * 1024,
        "peak RSS {peak} KiB is not below {LIMIT_MIB} MiB"
    );
}

#[test]
fn vm_hwm_is_readable() {
    if cfg!(target_os = "linux") {
        assert!(peak_rss_kib().is_some_and(|kib| kib > 0));
    }
}
