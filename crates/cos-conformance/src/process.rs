//! Helpers for tests that run a transfer in a child process (crash and memory tests):
//! the child is the test binary itself, re-run with an environment variable set.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use cos_proto::crc64::Crc64;

/// Re-runs this test binary's test `name` alone, with `envs`, its stdout piped.
pub fn spawn_test_child(name: &str, envs: &[(&str, String)]) -> std::io::Result<Child> {
    let mut command = Command::new(std::env::current_exe()?);
    command
        .args([
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
            "--include-ignored",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in envs {
        command.env(key, value);
    }
    command.spawn()
}

/// VmHWM (peak resident set) of this process in KiB, on Linux.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Writes `size` pseudo-random bytes to `path` (1 MiB at a time) and returns their
/// CRC64.
pub fn write_random_file(path: &Path, size: u64) -> std::io::Result<u64> {
    let mut crc = Crc64::new();
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut state = 0x2545_f491_4f6c_dd1du64 ^ size;
    let mut block = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        crc.update(&block[..n]);
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.flush()?;
    Ok(crc.value())
}

/// What the child of a memory test is asked to do (read from its environment).
#[derive(Debug)]
pub struct RssChild {
    /// `upload` or `download`.
    pub mode: String,
    /// The emulator's `host:port`.
    pub authority: String,
    /// The emulator's credentials.
    pub credentials: cos_proto::Credentials,
    /// The file to upload or download to.
    pub file: std::path::PathBuf,
}

/// The bucket and key the memory tests use.
pub const RSS_BUCKET: &str = "examplebucket-1250000000";
/// See [`RSS_BUCKET`].
pub const RSS_KEY: &str = "rss/object.bin";

impl RssChild {
    /// The child's instructions, or `None` when this process is not a child.
    pub fn from_env() -> Option<Self> {
        let mode = std::env::var("COS_RSS_CHILD").ok()?;
        let var = |name: &str| std::env::var(name).unwrap_or_default();
        Some(Self {
            mode,
            authority: var("COS_RSS_AUTHORITY"),
            credentials: cos_proto::Credentials::new(var("COS_RSS_ID"), var("COS_RSS_KEY")).ok()?,
            file: var("COS_RSS_FILE").into(),
        })
    }

    /// The path-style configuration of the emulator.
    pub fn config(&self) -> Option<cos_proto::Config> {
        cos_proto::Config::builder("ap-guangzhou", RSS_BUCKET)
            .path_style(&self.authority)
            .build()
            .ok()
    }

    /// Runs this child's transfer (`upload` or `download`, given the object's request
    /// and the local file) and reports the CRC-64 it returns.
    pub fn run(
        &self,
        upload: impl FnOnce(&cos_proto::ops::PutObject, &std::path::Path) -> u64,
        download: impl FnOnce(&cos_proto::ops::GetObject, &std::path::Path) -> u64,
    ) {
        let crc64 = if self.mode == "upload" {
            upload(&cos_proto::ops::PutObject::new(RSS_KEY, None), &self.file)
        } else {
            download(&cos_proto::ops::GetObject::new(RSS_KEY), &self.file)
        };
        self.report(crc64);
    }

    /// Reports the transfer's CRC64 and this process's peak RSS to the parent.
    #[allow(clippy::print_stdout)]
    pub fn report(&self, crc64: u64) {
        // Lines of their own: libtest prints the test's name without a newline first.
        println!("\ncrc {crc64}");
        println!("peak_kib {}", peak_rss_kib().unwrap_or(0));
    }
}

/// The peak memory of one transfer in a child process.
#[derive(Debug, Clone, Copy)]
pub struct RssFigure {
    /// VmHWM of the child, KiB.
    pub peak_kib: u64,
    /// Wall time of the child.
    pub elapsed: std::time::Duration,
}

/// Uploads then downloads `size` bytes, each in a child process running this test
/// binary's test `child_test` (which reads [`RssChild::from_env`], transfers with
/// default options and calls [`RssChild::report`]), against an emulator with a
/// directory store. Checks both CRC64s and returns both figures.
pub fn measure_transfer_rss(child_test: &str, size: u64) -> Result<(RssFigure, RssFigure), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let dir = tempfile_dir()?;
    let source = dir.join("source.bin");
    let crc = write_random_file(&source, size).map_err(|e| err(&e))?;
    let emulator = cos_emulator::Emulator::start(
        cos_emulator::EmulatorConfig::new()
            .bucket(RSS_BUCKET, false)
            .data_dir(dir.join("store")),
    )
    .map_err(|e| err(&e))?;
    let run = |mode: &str, file: &Path| -> Result<RssFigure, String> {
        let started = std::time::Instant::now();
        let mut child = spawn_test_child(
            child_test,
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
        .map_err(|e| err(&e))?;
        let (mut got_crc, mut peak) = (None, None);
        let stdout = child.stdout.take().ok_or("no stdout")?;
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
            let line = line.map_err(|e| err(&e))?;
            if let Some(v) = line.strip_prefix("crc ") {
                got_crc = v.parse().ok();
            }
            if let Some(v) = line.strip_prefix("peak_kib ") {
                peak = v.parse().ok();
            }
        }
        let status = child.wait().map_err(|e| err(&e))?;
        if !status.success() || got_crc != Some(crc) {
            return Err(format!(
                "the {mode} child: {status}, CRC64 {got_crc:?} (want {crc})"
            ));
        }
        Ok(RssFigure {
            peak_kib: peak.ok_or("no peak reported")?,
            elapsed: started.elapsed(),
        })
    };
    let up = run("upload", &source)?;
    let down = run("download", &dir.join("target.bin"))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok((up, down))
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("cos-rs-rss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// The parent of the transfer-RSS tests: measures `upload_file` and `download_file` of
/// `COS_RSS_BYTES` bytes (default 2 GiB) in children running `child_test`, prints both
/// figures under `label`, and checks each peak against `part_size × 8 + 32 MiB`.
#[allow(clippy::print_stderr)] // the figures are the test's report
pub fn check_transfer_rss(label: &str, child_test: &str) -> Result<(), String> {
    let size = std::env::var("COS_RSS_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2 << 30);
    let (up, down) = measure_transfer_rss(child_test, size)?;
    let bound_kib = (cos_transfer::DEFAULT_PART_SIZE * 8 + (32 << 20)) / 1024;
    eprintln!(
        "{label} transfer rss: {size} bytes; upload_file peak {:.1} MiB in {:.1?}, \
         download_file peak {:.1} MiB in {:.1?}; bound {} MiB",
        up.peak_kib as f64 / 1024.0,
        up.elapsed,
        down.peak_kib as f64 / 1024.0,
        down.elapsed,
        bound_kib / 1024
    );
    if up.peak_kib > bound_kib {
        return Err(format!(
            "upload peak {} KiB over {bound_kib} KiB",
            up.peak_kib
        ));
    }
    if down.peak_kib > bound_kib {
        return Err(format!(
            "download peak {} KiB over {bound_kib} KiB",
            down.peak_kib
        ));
    }
    Ok(())
}
