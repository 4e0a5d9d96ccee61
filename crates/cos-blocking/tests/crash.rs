//! `kill -9` in the middle of `upload_file` and `download_file`, then resume: the final
//! bytes are identical (CRC64 and a full compare), and each crash costs at most
//! `concurrency × part_size` bytes sent again.
//!
//! The transfer runs in a child process (this test binary, re-run with
//! `COS_CRASH_CHILD` set) against an emulator in the parent, which reads the child's
//! progress lines and sends SIGKILL once a random share of the bytes is committed.
//! What each crash cost is measured at the emulator: body bytes it received (upload)
//! or sent (download) during the killed run, minus what the checkpoint gained.
//! `COS_CRASH_BYTES` changes the size (default 256 MiB).
//!
//! The same runs with an `EncryptionClient` (`encrypted_upload_survives_sigkill`, 512 MiB,
//! `COS_CRASH_ENCRYPTED_BYTES`): every resumed run encrypts its parts with the envelope
//! the checkpoint recorded, and the object decrypts to the source byte for byte.
//!
//! And kills inside the window of CompleteMultipartUpload
//! (`upload_killed_in_the_complete_window_resends_nothing`): after the request reached
//! COS and before the client saw the answer, both with COS having assembled the object
//! and not yet. Each resume sends no part again and reports success.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
#![cfg(unix)]

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use cos_blocking::{Client, StaticCredentials};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::{GetObject, PutObject};
use cos_transfer::paths::checkpoint_path;
use cos_transfer::{DownloadCheckpoint, PartPlan, TransferOptions, UploadCheckpoint};

const BUCKET: &str = "examplebucket-1250000000";
const KEY: &str = "crash/object.bin";
const KILLS: usize = 7;
const PART_SIZE: u64 = 8 << 20;
const CONCURRENCY: usize = 8;

fn options() -> TransferOptions {
    TransferOptions::default()
        .part_size(PART_SIZE)
        .concurrency(CONCURRENCY)
}

const ENCRYPTED_UPLOAD: &str = "encrypted-upload";

/// The object size of a mode.
fn size(mode: &str) -> u64 {
    let (variable, default) = if mode == ENCRYPTED_UPLOAD {
        ("COS_CRASH_ENCRYPTED_BYTES", 512 << 20)
    } else {
        ("COS_CRASH_BYTES", 256 << 20)
    };
    std::env::var(variable)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn is_upload(mode: &str) -> bool {
    mode.ends_with("upload")
}

#[cfg(feature = "crypto")]
fn encrypting(client: Client) -> cos_blocking::EncryptionClient {
    use cos_blocking::cos_crypto::{AesMasterKey, Format};
    let master = AesMasterKey::from_bytes(&[0x5A; 32]).unwrap();
    cos_blocking::EncryptionClient::new(client, std::sync::Arc::new(master), Format::V2)
}

fn client(authority: &str, credentials: cos_proto::Credentials) -> Client {
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(authority)
        .build()
        .unwrap();
    Client::builder(config)
        .credentials(StaticCredentials::new(credentials))
        .proxy_from_env(false)
        .build()
        .unwrap()
}

/// The child's side: run one transfer, printing `committed <bytes>` after every event.
#[test]
fn crash_child() {
    let Ok(mode) = std::env::var("COS_CRASH_CHILD") else {
        return;
    };
    let authority = std::env::var("COS_CRASH_AUTHORITY").unwrap();
    let file = PathBuf::from(std::env::var("COS_CRASH_FILE").unwrap());
    let credentials = cos_proto::Credentials::new(
        std::env::var("COS_CRASH_ID").unwrap(),
        std::env::var("COS_CRASH_KEY").unwrap(),
    )
    .unwrap();
    let client = client(&authority, credentials);
    let mut out = std::io::stdout().lock();
    let mut report = |event: cos_transfer::TransferEvent| {
        let _ = writeln!(out, "committed {}", event.progress().committed);
        let _ = out.flush();
    };
    let resumed = match mode.as_str() {
        #[cfg(feature = "crypto")]
        ENCRYPTED_UPLOAD => {
            encrypting(client)
                .upload_file_with_progress(
                    &PutObject::new(KEY, None),
                    &file,
                    options(),
                    &mut report,
                )
                .unwrap()
                .resumed_bytes
        }
        "upload" => {
            let key = std::env::var("COS_CRASH_OBJECT").unwrap_or_else(|_| KEY.to_owned());
            client
                .upload_file_with_progress(
                    &PutObject::new(key, None),
                    &file,
                    options(),
                    &mut report,
                )
                .unwrap()
                .resumed_bytes
        }
        _ => {
            client
                .download_file_with_progress(&GetObject::new(KEY), &file, options(), &mut report)
                .unwrap()
                .resumed_bytes
        }
    };
    println!("done {resumed}");
    std::process::exit(0);
}

struct Run {
    killed_at: Option<u64>,
    /// The transfer had finished when the kill landed.
    finished: bool,
    transferred: u64,
    recorded_before: u64,
    recorded_after: u64,
}

/// Bytes the checkpoint of `file` says are done.
fn recorded(mode: &str, file: &Path, size: u64) -> u64 {
    let Ok(json) = std::fs::read(checkpoint_path(file)) else {
        return 0;
    };
    let spans: Vec<(u64, u32)> = if is_upload(mode) {
        let Ok(cp) = UploadCheckpoint::from_json(&json) else {
            return 0;
        };
        assert_eq!(
            cp.encryption.is_some(),
            mode == ENCRYPTED_UPLOAD,
            "an encrypted upload's checkpoint records its envelope, a plain one's does not"
        );
        cp.parts.iter().map(|p| (cp.part_size, p.number)).collect()
    } else {
        let Ok(cp) = DownloadCheckpoint::from_json(&json) else {
            return 0;
        };
        cp.ranges.iter().map(|r| (cp.part_size, r.number)).collect()
    };
    spans
        .into_iter()
        .map(|(part_size, number)| {
            PartPlan::exact(size, part_size).map_or(0, |p| p.span(number - 1).1)
        })
        .sum()
}

fn run_child(
    emulator: &Emulator,
    mode: &str,
    file: &Path,
    kill_at: Option<u64>,
    extra_delay: Duration,
) -> Run {
    let size = size(mode);
    let traffic = |e: &Emulator| {
        if is_upload(mode) {
            e.traffic().received()
        } else {
            e.traffic().sent()
        }
    };
    let before = traffic(emulator);
    let recorded_before = recorded(mode, file, size);
    let mut child = cos_conformance::process::spawn_test_child(
        "crash_child",
        &[
            ("COS_CRASH_CHILD", mode.to_owned()),
            ("COS_CRASH_AUTHORITY", emulator.authority()),
            ("COS_CRASH_FILE", file.display().to_string()),
            (
                "COS_CRASH_ID",
                emulator.credentials().secret_id().to_owned(),
            ),
            (
                "COS_CRASH_KEY",
                emulator.credentials().secret_key().to_owned(),
            ),
        ],
    )
    .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut killed_at = None;
    for line in stdout.lines() {
        let line = line.unwrap();
        if let (Some(limit), Some(n)) = (kill_at, line.strip_prefix("committed ")) {
            let committed: u64 = n.parse().unwrap();
            if committed >= limit {
                std::thread::sleep(extra_delay);
                child.kill().unwrap(); // SIGKILL
                killed_at = Some(committed);
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    // A killed child's sockets still deliver what the kernel had queued: let the
    // emulator drain them before reading its counters.
    let mut last = traffic(emulator);
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let now = traffic(emulator);
        if now == last {
            break;
        }
        last = now;
    }
    if killed_at.is_none() {
        assert!(status.success(), "the {mode} child failed: {status}");
    }
    let finished = if is_upload(mode) {
        client(&emulator.authority(), emulator.credentials().clone())
            .head_object(&cos_proto::ops::HeadObject::new(KEY))
            .is_ok()
    } else {
        file.exists()
    };
    Run {
        killed_at,
        finished,
        transferred: traffic(emulator) - before,
        recorded_before,
        recorded_after: recorded(mode, file, size),
    }
}

fn write_source(path: &Path, size: u64) -> u64 {
    cos_conformance::process::write_random_file(path, size).unwrap()
}

fn same_files(a: &Path, b: &Path) -> bool {
    let (mut a, mut b) = (File::open(a).unwrap(), File::open(b).unwrap());
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = read_full(&mut a, &mut x);
        let m = read_full(&mut b, &mut y);
        if n != m || x[..n] != y[..m] {
            return false;
        }
        if n == 0 {
            return true;
        }
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]).unwrap() {
            0 => break,
            n => filled += n,
        }
    }
    filled
}

fn crash_and_resume(mode: &str) {
    let size = size(mode);
    let emulator = Emulator::start(EmulatorConfig::new().bucket(BUCKET, false)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.bin");
    let crc = write_source(&source, size);
    let file = if is_upload(mode) {
        source.clone()
    } else {
        client(&emulator.authority(), emulator.credentials().clone())
            .upload_file(&PutObject::new(KEY, None), &source, options())
            .unwrap();
        dir.path().join("target.bin")
    };
    let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ size;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let bound = CONCURRENCY as u64 * PART_SIZE;
    let mut runs = Vec::new();
    for _ in 0..KILLS {
        // Each run gets 1% to 4% of the object further than the checkpoint says,
        // then dies at a random instant up to 10 ms later (mid-part, mid-write).
        let recorded_now = recorded(mode, &file, size);
        let at = recorded_now + size / 100 + random() % (size / 33).max(1);
        let delay = Duration::from_micros(random() % 10_000);
        let run = run_child(&emulator, mode, &file, Some(at), delay);
        let finished = run.finished;
        runs.push(run);
        if finished {
            break;
        }
    }
    let last = if runs.last().is_some_and(|r| r.finished) {
        None
    } else {
        Some(run_child(&emulator, mode, &file, None, Duration::ZERO))
    };
    println!("{mode} of {size} bytes, part {PART_SIZE}, concurrency {CONCURRENCY}:");
    let mut kills = 0;
    let mut total_wasted = 0;
    for (k, run) in runs.iter().enumerate() {
        let gained = run.recorded_after.saturating_sub(run.recorded_before);
        let wasted = run.transferred.saturating_sub(gained);
        println!(
            "  run {k}: killed at {:?} committed{}, transferred {} bytes, checkpoint +{gained}, re-sent cost {wasted}",
            run.killed_at,
            if run.finished {
                " (after it finished)"
            } else {
                ""
            },
            run.transferred
        );
        if run.killed_at.is_some() && !run.finished {
            kills += 1;
            total_wasted += wasted;
            assert!(wasted <= bound, "crash {k} cost {wasted} bytes > {bound}");
        }
    }
    println!(
        "  final run: transferred {:?} bytes; {kills} kills cost {total_wasted} bytes in all (bound {bound} each)",
        last.map(|r| r.transferred)
    );
    assert!(kills >= 5, "only {kills} runs were killed mid-transfer");
    assert!(
        !checkpoint_path(&file).exists(),
        "the checkpoint is removed"
    );

    #[cfg(feature = "crypto")]
    let decrypted = (mode == ENCRYPTED_UPLOAD).then(|| {
        let plain = client(&emulator.authority(), emulator.credentials().clone());
        let stored = dir.path().join("stored.bin");
        let got = plain
            .download_file(&GetObject::new(KEY), &stored, options())
            .unwrap();
        assert_ne!(got.crc64, crc, "COS holds ciphertext");
        assert!(
            got.info
                .headers
                .contains_key("x-cos-meta-client-side-encryption-key")
        );
        let back = dir.path().join("back.bin");
        encrypting(plain)
            .download_file(&GetObject::new(KEY), &back, options())
            .unwrap();
        back
    });
    #[cfg(not(feature = "crypto"))]
    let decrypted = None;
    let target = if let Some(back) = decrypted {
        back
    } else if mode == "upload" {
        let back = dir.path().join("back.bin");
        let got = client(&emulator.authority(), emulator.credentials().clone())
            .download_file(&GetObject::new(KEY), &back, options())
            .unwrap();
        assert_eq!(got.crc64, crc);
        back
    } else {
        file
    };
    assert!(same_files(&source, &target), "{mode}: the bytes differ");
}

#[test]
fn upload_survives_sigkill() {
    if std::env::var("COS_CRASH_CHILD").is_ok() {
        return;
    }
    crash_and_resume("upload");
}

#[test]
fn download_survives_sigkill() {
    if std::env::var("COS_CRASH_CHILD").is_ok() {
        return;
    }
    crash_and_resume("download");
}

#[cfg(feature = "crypto")]
#[test]
fn encrypted_upload_survives_sigkill() {
    if std::env::var("COS_CRASH_CHILD").is_ok() {
        return;
    }
    crash_and_resume(ENCRYPTED_UPLOAD);
}

/// Where a kill lands in the completion's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    /// COS assembled the object and holds the answer.
    Assembled,
    /// COS received the request and has not carried it out yet.
    Received,
}

/// Kills an upload inside the window of its CompleteMultipartUpload (after the request
/// reached COS, before the client saw the answer), then resumes: the resume sends no
/// part again, and reports success with the object equal to the file. Four rounds, two
/// of each kind of window.
#[test]
fn upload_killed_in_the_complete_window_resends_nothing() {
    if std::env::var("COS_CRASH_CHILD").is_ok() {
        return;
    }
    use cos_emulator::FaultRule;
    let size: u64 = 32 << 20;
    let emulator = Emulator::start(EmulatorConfig::new().bucket(BUCKET, false)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.bin");
    let crc = write_source(&source, size);
    let checker = client(&emulator.authority(), emulator.credentials().clone());
    let parts_sent = emulator.faults().add(
        FaultRule::latency(Duration::ZERO)
            .method("PUT")
            .query_contains("partNumber="),
    );
    let matched = |id| {
        emulator
            .faults()
            .rules()
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.matched)
    };
    let spawn = |object: &str| {
        let mut child = cos_conformance::process::spawn_test_child(
            "crash_child",
            &[
                ("COS_CRASH_CHILD", "upload".to_owned()),
                ("COS_CRASH_OBJECT", object.to_owned()),
                ("COS_CRASH_AUTHORITY", emulator.authority()),
                ("COS_CRASH_FILE", source.display().to_string()),
                (
                    "COS_CRASH_ID",
                    emulator.credentials().secret_id().to_owned(),
                ),
                (
                    "COS_CRASH_KEY",
                    emulator.credentials().secret_key().to_owned(),
                ),
            ],
        )
        .unwrap();
        // Drain the child's progress lines so it never blocks on a full pipe.
        let stdout = child.stdout.take().unwrap();
        let lines = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        (child, lines)
    };
    println!("upload of {size} bytes, killed inside the completion's window, then resumed:");
    let rounds = [
        Window::Assembled,
        Window::Received,
        Window::Assembled,
        Window::Received,
    ];
    for (round, window) in rounds.into_iter().enumerate() {
        let object = format!("complete-window/{round}");
        let complete = FaultRule::new(match window {
            Window::Assembled => cos_emulator::FaultAction::HoldAnswer { millis: 15_000 },
            Window::Received => cos_emulator::FaultAction::Latency {
                millis: 15_000,
                jitter_millis: 0,
            },
        })
        .method("POST")
        .query_contains("uploadId=")
        .path_contains(&object)
        .times(1);
        let hold = emulator.faults().add(complete);
        let sent_before = matched(parts_sent);
        let (mut child, lines) = spawn(&object);
        // Kill once the completion is inside its window.
        let started = std::time::Instant::now();
        loop {
            let inside = match window {
                Window::Assembled => checker
                    .head_object(&cos_proto::ops::HeadObject::new(&object))
                    .is_ok(),
                Window::Received => emulator.faults().fired_count(hold) == 1,
            };
            if inside {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "round {round}: the child ended before the completion's window"
            );
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "round {round}: no completion"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let _ = lines.join();
        emulator.faults().remove(hold);
        let first_run_parts = matched(parts_sent) - sent_before;
        assert!(
            checkpoint_path(&source).exists(),
            "round {round}: the killed run kept its checkpoint"
        );

        // The resume.
        let parts_before = matched(parts_sent);
        let received_before = emulator.traffic().received();
        let (mut child, lines) = spawn(&object);
        let status = child.wait().unwrap();
        let lines = lines.join().unwrap();
        assert!(
            status.success(),
            "round {round}: the resume failed: {status}"
        );
        let resent_parts = matched(parts_sent) - parts_before;
        let received = emulator.traffic().received() - received_before;
        let done = lines
            .iter()
            .find_map(|l| l.strip_prefix("done "))
            .unwrap_or("?");
        println!(
            "  round {round} ({window:?}): killed {:?} after the run started, {first_run_parts} parts sent before; \
             the resume sent {resent_parts} parts, {received} body bytes reached the emulator, resumed {done} bytes",
            started.elapsed()
        );
        assert_eq!(resent_parts, 0, "round {round}: parts were sent again");
        assert!(
            received < 64 * 1024,
            "round {round}: {received} bytes reached the emulator"
        );
        assert!(
            !checkpoint_path(&source).exists(),
            "round {round}: the checkpoint is removed"
        );
        let head = checker
            .head_object(&cos_proto::ops::HeadObject::new(&object))
            .unwrap();
        assert_eq!((head.content_length, head.crc64), (Some(size), Some(crc)));
    }
}
