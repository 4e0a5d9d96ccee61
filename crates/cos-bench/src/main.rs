//! `cos-bench`: the child process `cargo xtask bench` runs and times (release build).
//!
//! ```text
//! cos-bench gen FILE BYTES           write BYTES pseudo-random bytes to FILE
//! cos-bench crc64 FILE               the CRC-64/XZ of FILE
//! cos-bench upload|download --client tokio|blocking --endpoint http://HOST:PORT
//!           --bucket BUCKET --key KEY --file FILE --secret-id ID --secret-key KEY
//! ```
//!
//! Each prints one JSON object. A transfer is one `upload_file` or `download_file` with
//! the default `TransferOptions` (8 MiB parts, 8 in flight), path-style against the given
//! endpoint; it reports the wall time and the process CPU time of that call alone (not
//! the process start or the client's construction), the process's peak RSS (VmHWM) at
//! the end, the bytes moved and the CRC-64 the client computed.

#![allow(clippy::print_stdout)]

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use cos_blocking::cos_transfer::TransferOptions;
use cos_proto::crc64::Crc64;
use cos_proto::ops::{GetObject, PutObject};
use cos_proto::{Config, Credentials};
use serde_json::{Value, json};

const USAGE: &str = "usage: cos-bench gen FILE BYTES | crc64 FILE | (upload|download) \
--client tokio|blocking --endpoint URL --bucket B --key K --file F --secret-id ID --secret-key KEY";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            let _ = writeln!(std::io::stderr(), "cos-bench: {why}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<Value, String> {
    match args {
        [cmd, file, bytes] if cmd == "gen" => {
            let bytes = bytes
                .parse()
                .map_err(|_| format!("gen: {bytes:?} is not a byte count"))?;
            let crc = generate(Path::new(file), bytes).map_err(|e| format!("{file}: {e}"))?;
            Ok(json!({ "bytes": bytes, "crc64": crc }))
        }
        [cmd, file] if cmd == "crc64" => {
            let (bytes, crc) = crc64_of(Path::new(file)).map_err(|e| format!("{file}: {e}"))?;
            Ok(json!({ "bytes": bytes, "crc64": crc }))
        }
        [cmd, rest @ ..] if cmd == "upload" || cmd == "download" => {
            let job = Job::parse(cmd == "upload", rest)?;
            job.run()
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Writes `size` bytes of an xorshift64 stream (fast and incompressible) and returns
/// their CRC-64.
fn generate(path: &Path, size: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut crc = Crc64::new();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
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
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(crc.value())
}

fn crc64_of(path: &Path) -> std::io::Result<(u64, u64)> {
    let mut file = File::open(path)?;
    let mut crc = Crc64::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok((total, crc.value()));
        }
        crc.update(&buf[..n]);
        total += n as u64;
    }
}

/// One timed transfer.
struct Job {
    upload: bool,
    tokio: bool,
    config: Config,
    credentials: Credentials,
    key: String,
    file: PathBuf,
}

impl Job {
    fn parse(upload: bool, args: &[String]) -> Result<Self, String> {
        let get = |flag: &str| -> Result<String, String> {
            args.windows(2)
                .find(|w| w[0] == flag)
                .map(|w| w[1].clone())
                .ok_or_else(|| format!("missing {flag}\n{USAGE}"))
        };
        let tokio = match get("--client")?.as_str() {
            "tokio" => true,
            "blocking" => false,
            other => return Err(format!("--client {other}: tokio or blocking")),
        };
        let endpoint = get("--endpoint")?;
        let authority = endpoint
            .strip_prefix("http://")
            .ok_or_else(|| format!("--endpoint {endpoint}: expected http://HOST:PORT"))?
            .trim_end_matches('/');
        let config = Config::builder("ap-guangzhou", get("--bucket")?)
            .path_style(authority)
            .build()
            .map_err(|e| e.to_string())?;
        let credentials = Credentials::new(get("--secret-id")?, get("--secret-key")?)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            upload,
            tokio,
            config,
            credentials,
            key: get("--key")?,
            file: PathBuf::from(get("--file")?),
        })
    }

    fn run(self) -> Result<Value, String> {
        let options = TransferOptions::default();
        let (seconds, cpu_seconds, bytes, crc64) = if self.tokio {
            self.run_tokio(options)?
        } else {
            self.run_blocking(options)?
        };
        Ok(json!({
            "client": if self.tokio { "cos-tokio" } else { "cos-blocking" },
            "direction": if self.upload { "upload" } else { "download" },
            "bytes": bytes,
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "peak_rss_kib": peak_rss_kib(),
            "crc64": crc64,
        }))
    }

    fn run_blocking(&self, options: TransferOptions) -> Result<(f64, f64, u64, u64), String> {
        let client = cos_blocking::Client::builder(self.config.clone())
            .credentials(cos_blocking::StaticCredentials::new(
                self.credentials.clone(),
            ))
            .proxy_from_env(false)
            .build()
            .map_err(|e| e.to_string())?;
        let clock = Clock::start();
        let (bytes, crc) = if self.upload {
            let out = client
                .upload_file(&PutObject::new(&self.key, None), &self.file, options)
                .map_err(|e| e.to_string())?;
            (out.size, out.crc64)
        } else {
            let out = client
                .download_file(&GetObject::new(&self.key), &self.file, options)
                .map_err(|e| e.to_string())?;
            (out.fetched_bytes + out.resumed_bytes, out.crc64)
        };
        let (seconds, cpu) = clock.stop();
        Ok((seconds, cpu, bytes, crc))
    }

    fn run_tokio(&self, options: TransferOptions) -> Result<(f64, f64, u64, u64), String> {
        // What `#[tokio::main]` gives an application: one worker per core.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let client = cos_tokio::Client::builder(self.config.clone())
                .credentials(cos_tokio::StaticCredentials::new(self.credentials.clone()))
                .proxy_from_env(false)
                .build()
                .map_err(|e| e.to_string())?;
            let clock = Clock::start();
            let (bytes, crc) = if self.upload {
                let out = client
                    .upload_file(&PutObject::new(&self.key, None), &self.file, options)
                    .await
                    .map_err(|e| e.to_string())?;
                (out.size, out.crc64)
            } else {
                let out = client
                    .download_file(&GetObject::new(&self.key), &self.file, options)
                    .await
                    .map_err(|e| e.to_string())?;
                (out.fetched_bytes + out.resumed_bytes, out.crc64)
            };
            let (seconds, cpu) = clock.stop();
            Ok((seconds, cpu, bytes, crc))
        })
    }
}

/// Wall and process CPU time from `start` to `stop`.
struct Clock {
    wall: Instant,
    cpu: Option<cpu_time::ProcessTime>,
}

impl Clock {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: cpu_time::ProcessTime::try_now().ok(),
        }
    }

    fn stop(self) -> (f64, f64) {
        let cpu = self
            .cpu
            .and_then(|start| start.try_elapsed().ok())
            .map_or(f64::NAN, |d| d.as_secs_f64());
        (self.wall.elapsed().as_secs_f64(), cpu)
    }
}

/// VmHWM (peak resident set) of this process in KiB (Linux), else null.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
