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
