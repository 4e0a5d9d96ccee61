//! `cos-bench`: the child process `cargo xtask bench` runs and times (release build).
//!
//! ```text
//! cos-bench gen FILE BYTES           write BYTES pseudo-random bytes to FILE
//! cos-bench crc64 FILE               the CRC-64/XZ of FILE
//! cos-bench CASE --client tokio|blocking --endpoint http://HOST:PORT --bucket BUCKET
//!           --secret-id ID --secret-key KEY [case flags]
//!   upload|download  --key KEY --file FILE
//!   get-mem          --key KEY
//!   put-many|get-many|seed
//!                    --prefix P [--count N] [--size BYTES] [--folders F] [--concurrency C]
//!   list             --prefix P [--delimiter /]
//! ```
//!
//! Each prints one JSON object: `client`, `case`, `bytes`, `seconds` and `cpu_seconds`
//! (the wall time and the process CPU time of the timed part alone: not the process
//! start, the runtime or the client's construction), `peak_rss_kib` (VmHWM at the end),
//! and `crc64`, `objects`, `keys`, `prefixes` where they apply. Every case is
//! path-style against the given endpoint; cos-tokio runs on a multi-threaded runtime
//! with one worker per core.
//!
//! * `upload` / `download`: one `upload_file` or `download_file` with the default
//!   `TransferOptions` (8 MiB parts, 8 in flight); `crc64` is the one the client computed.
//! * `get-mem`: `download_to` a `MemoryTarget` with the default `TransferOptions` (the
//!   ranges of `download_file`, 8 MiB, 8 in flight, into one buffer; the client checks
//!   the CRC-64 of the whole); `crc64` is computed again after the timed part, for the
//!   harness.
//! * `put-many` / `seed`: `put_object` of `count` objects (default 2,000) of `size` bytes
//!   (default 4 KiB, one shared buffer) by `concurrency` workers (default 16: Tokio tasks,
//!   or threads sharing one blocking client) pulling the next key from a counter; keys
//!   `PREFIXkNNNNN`, or with `--folders F`, `PREFIXdFFF/kNNNNN`. `get-many`: `get_object`
//!   and `ObjectBody::bytes` of each of them the same way.
//! * `list`: without a delimiter, every page of one flat `ListObjects` under the prefix;
//!   with `--delimiter /`, a walk: the listing of the prefix with delimiter `/` (its
//!   folders), then the same listing of each folder in turn. `keys` and `prefixes` count
//!   what the listings returned.
//!
//! The peer of this program is `bench/opendal` (`cos-opendal-bench`): the same command
//! line and output through Apache OpenDAL.

#![allow(clippy::print_stdout)]

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use cos_blocking::cos_transfer::TransferOptions;
use cos_blocking::cos_transfer::fs::MemoryTarget;
use cos_proto::crc64::Crc64;
use cos_proto::ops::{GetObject, ListObjects, PutObject};
use cos_proto::{Config, Credentials};
use serde_json::{Value, json};

/// The largest object `get-mem` takes into memory.
const GET_MEM_LIMIT: u64 = 8 << 30;

const USAGE: &str = "usage: cos-bench gen FILE BYTES | crc64 FILE | \
(upload|download|get-mem|put-many|get-many|seed|list) --client tokio|blocking --endpoint URL \
--bucket B --secret-id ID --secret-key KEY [--key K] [--file F] [--prefix P] [--count N] \
[--size BYTES] [--folders F] [--concurrency C] [--delimiter /]";

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
        [cmd, rest @ ..] => Job::parse(cmd, rest)?.run(),
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

/// What a timed case does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Upload,
    Download,
    GetMem,
    PutMany,
    GetMany,
    Seed,
    List,
}

impl Case {
    fn parse(word: &str) -> Option<Case> {
        Some(match word {
            "upload" => Case::Upload,
            "download" => Case::Download,
            "get-mem" => Case::GetMem,
            "put-many" => Case::PutMany,
            "get-many" => Case::GetMany,
            "seed" => Case::Seed,
            "list" => Case::List,
            _ => return None,
        })
    }

    fn word(self) -> &'static str {
        match self {
            Case::Upload => "upload",
            Case::Download => "download",
            Case::GetMem => "get-mem",
            Case::PutMany => "put-many",
            Case::GetMany => "get-many",
            Case::Seed => "seed",
            Case::List => "list",
        }
    }
}

/// Many small objects: which, and how many at once.
#[derive(Debug, Clone)]
struct Many {
    prefix: String,
    count: usize,
    size: usize,
    folders: usize,
    concurrency: usize,
}

impl Many {
    /// The key of object `i`: `PREFIXkNNNNN`, or with folders `PREFIXdFFF/kNNNNN`
    /// (`count / folders` keys in each). The same as `cos-opendal-bench`'s.
    fn key(&self, i: usize) -> String {
        if self.folders == 0 {
            format!("{}k{i:05}", self.prefix)
        } else {
            let per = self.count.div_ceil(self.folders).max(1);
            format!("{}d{:03}/k{i:05}", self.prefix, i / per)
        }
    }
}

/// The bytes of every small object: an xorshift64 stream, as `cos-opendal-bench`'s.
fn small_object(size: usize) -> Bytes {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(size);
    Bytes::from(out)
}

/// What a case measured.
#[derive(Debug, Default)]
struct Measure {
    seconds: f64,
    cpu_seconds: f64,
    bytes: u64,
    crc64: Option<u64>,
    objects: Option<u64>,
    keys: Option<u64>,
    prefixes: Option<u64>,
}

impl Measure {
    fn timed(clock: Clock) -> Measure {
        let (seconds, cpu_seconds) = clock.stop();
        Measure {
            seconds,
            cpu_seconds,
            ..Measure::default()
        }
    }
}

/// One timed case.
struct Job {
    case: Case,
    tokio: bool,
    config: Config,
    credentials: Credentials,
    args: Vec<String>,
}

impl Job {
    fn parse(case: &str, args: &[String]) -> Result<Self, String> {
        let case = Case::parse(case).ok_or_else(|| format!("unknown case {case}\n{USAGE}"))?;
        let get = |flag: &str| flag_value(args, flag);
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
            case,
            tokio,
            config,
            credentials,
            args: args.to_vec(),
        })
    }

    fn get(&self, flag: &str) -> Result<String, String> {
        flag_value(&self.args, flag)
    }

    fn number(&self, flag: &str, default: usize) -> Result<usize, String> {
        match self.get(flag) {
            Err(_) => Ok(default),
            Ok(v) => v
                .parse()
                .map_err(|_| format!("{flag} {v:?} is not a number")),
        }
    }

    fn many(&self) -> Result<Many, String> {
        Ok(Many {
            prefix: self.get("--prefix")?,
            count: self.number("--count", 2_000)?,
            size: self.number("--size", 4 << 10)?,
            folders: self.number("--folders", 0)?,
            concurrency: self.number("--concurrency", 16)?.max(1),
        })
    }

    fn delimiter(&self) -> Result<bool, String> {
        match self.get("--delimiter").ok().as_deref() {
            None => Ok(false),
            Some("/") => Ok(true),
            Some(other) => Err(format!("--delimiter {other:?}: only /")),
        }
    }

    fn run(self) -> Result<Value, String> {
        let measure = if self.tokio {
            self.run_tokio()?
        } else {
            self.run_blocking()?
        };
        let mut report = json!({
            "client": if self.tokio { "cos-tokio" } else { "cos-blocking" },
            "case": self.case.word(),
            "bytes": measure.bytes,
            "seconds": measure.seconds,
            "cpu_seconds": measure.cpu_seconds,
            "peak_rss_kib": peak_rss_kib(),
        });
        for (name, value) in [
            ("crc64", measure.crc64),
            ("objects", measure.objects),
            ("keys", measure.keys),
            ("prefixes", measure.prefixes),
        ] {
            if let Some(value) = value {
                report[name] = json!(value);
            }
        }
        if matches!(self.case, Case::Upload | Case::Download) {
            report["direction"] = json!(self.case.word());
        }
        Ok(report)
    }

    fn run_blocking(&self) -> Result<Measure, String> {
        let client = cos_blocking::Client::builder(self.config.clone())
            .credentials(cos_blocking::StaticCredentials::new(
                self.credentials.clone(),
            ))
            .proxy_from_env(false)
            .build()
            .map_err(|e| e.to_string())?;
        let options = TransferOptions::default();
        match self.case {
            Case::Upload => {
                let (key, file) = (self.get("--key")?, PathBuf::from(self.get("--file")?));
                let clock = Clock::start();
                let out = client
                    .upload_file(&PutObject::new(&key, None), &file, options)
                    .map_err(|e| e.to_string())?;
                let mut m = Measure::timed(clock);
                (m.bytes, m.crc64) = (out.size, Some(out.crc64));
                Ok(m)
            }
            Case::Download => {
                let (key, file) = (self.get("--key")?, PathBuf::from(self.get("--file")?));
                let clock = Clock::start();
                let out = client
                    .download_file(&GetObject::new(&key), &file, options)
                    .map_err(|e| e.to_string())?;
                let mut m = Measure::timed(clock);
                (m.bytes, m.crc64) = (out.fetched_bytes + out.resumed_bytes, Some(out.crc64));
                Ok(m)
            }
            Case::GetMem => {
                let key = self.get("--key")?;
                let clock = Clock::start();
                let target = Arc::new(MemoryTarget::new(GET_MEM_LIMIT));
                client
                    .download_to(&GetObject::new(&key), target.clone(), options, |_| {})
                    .map_err(|e| e.to_string())?;
                Ok(in_memory(clock, &target.take()))
            }
            Case::PutMany | Case::GetMany | Case::Seed => {
                let many = self.many()?;
                let get = self.case == Case::GetMany;
                let data = small_object(many.size);
                let next = AtomicUsize::new(0);
                let clock = Clock::start();
                let totals: Vec<Result<(u64, u64), String>> = std::thread::scope(|scope| {
                    let workers: Vec<_> = (0..many.concurrency)
                        .map(|_| {
                            scope.spawn(|| {
                                let (mut objects, mut bytes) = (0u64, 0u64);
                                loop {
                                    let i = next.fetch_add(1, Ordering::Relaxed);
                                    if i >= many.count {
                                        return Ok((objects, bytes));
                                    }
                                    let key = many.key(i);
                                    if get {
                                        let (_, body) = client
                                            .get_object(&GetObject::new(&key))
                                            .map_err(|e| format!("{key}: {e}"))?;
                                        let got =
                                            body.bytes().map_err(|e| format!("{key}: {e}"))?;
                                        bytes += got.len() as u64;
                                    } else {
                                        let op = PutObject::new(&key, Some(data.len() as u64));
                                        client
                                            .put_object(
                                                &op,
                                                cos_blocking::UploadBody::bytes(data.clone()),
                                            )
                                            .map_err(|e| format!("{key}: {e}"))?;
                                        bytes += data.len() as u64;
                                    }
                                    objects += 1;
                                }
                            })
                        })
                        .collect();
                    workers
                        .into_iter()
                        .map(|w| w.join().unwrap_or_else(|_| Err("a worker panicked".into())))
                        .collect()
                });
                many_measure(clock, totals)
            }
            Case::List => {
                let prefix = self.get("--prefix")?;
                let delimiter = self.delimiter()?;
                let clock = Clock::start();
                let level = |prefix: &str, with_delimiter: bool| {
                    let mut op = ListObjects::new().prefix(prefix);
                    if with_delimiter {
                        op = op.delimiter("/");
                    }
                    let mut found = Listed::default();
                    for page in client.list_objects_pages(op) {
                        found.add(page.map_err(|e| e.to_string())?);
                    }
                    Ok::<_, String>(found)
                };
                let mut total = level(&prefix, delimiter)?;
                if delimiter {
                    for folder in std::mem::take(&mut total.folders) {
                        total.merge(level(&folder, true)?);
                    }
                }
                Ok(total.measure(clock))
            }
        }
    }

    fn run_tokio(&self) -> Result<Measure, String> {
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
            let options = TransferOptions::default();
            match self.case {
                Case::Upload => {
                    let (key, file) = (self.get("--key")?, PathBuf::from(self.get("--file")?));
                    let clock = Clock::start();
                    let out = client
                        .upload_file(&PutObject::new(&key, None), &file, options)
                        .await
                        .map_err(|e| e.to_string())?;
                    let mut m = Measure::timed(clock);
                    (m.bytes, m.crc64) = (out.size, Some(out.crc64));
                    Ok(m)
                }
                Case::Download => {
                    let (key, file) = (self.get("--key")?, PathBuf::from(self.get("--file")?));
                    let clock = Clock::start();
                    let out = client
                        .download_file(&GetObject::new(&key), &file, options)
                        .await
                        .map_err(|e| e.to_string())?;
                    let mut m = Measure::timed(clock);
                    (m.bytes, m.crc64) = (out.fetched_bytes + out.resumed_bytes, Some(out.crc64));
                    Ok(m)
                }
                Case::GetMem => {
                    let key = self.get("--key")?;
                    let clock = Clock::start();
                    let target = Arc::new(MemoryTarget::new(GET_MEM_LIMIT));
                    client
                        .download_to(&GetObject::new(&key), target.clone(), options, |_| {})
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(in_memory(clock, &target.take()))
                }
                Case::PutMany | Case::GetMany | Case::Seed => {
                    let many = Arc::new(self.many()?);
                    let get = self.case == Case::GetMany;
                    let data = small_object(many.size);
                    let next = Arc::new(AtomicUsize::new(0));
                    let clock = Clock::start();
                    let mut workers = Vec::new();
                    for _ in 0..many.concurrency {
                        let (client, many, data, next) =
                            (client.clone(), many.clone(), data.clone(), next.clone());
                        workers.push(tokio::spawn(async move {
                            let (mut objects, mut bytes) = (0u64, 0u64);
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                if i >= many.count {
                                    return Ok::<_, String>((objects, bytes));
                                }
                                let key = many.key(i);
                                if get {
                                    let (_, body) = client
                                        .get_object(&GetObject::new(&key))
                                        .await
                                        .map_err(|e| format!("{key}: {e}"))?;
                                    let got =
                                        body.bytes().await.map_err(|e| format!("{key}: {e}"))?;
                                    bytes += got.len() as u64;
                                } else {
                                    let op = PutObject::new(&key, Some(data.len() as u64));
                                    client
                                        .put_object(&op, cos_tokio::UploadBody::bytes(data.clone()))
                                        .await
                                        .map_err(|e| format!("{key}: {e}"))?;
                                    bytes += data.len() as u64;
                                }
                                objects += 1;
                            }
                        }));
                    }
                    let mut totals = Vec::new();
                    for worker in workers {
                        totals.push(worker.await.unwrap_or_else(|e| Err(e.to_string())));
                    }
                    many_measure(clock, totals)
                }
                Case::List => {
                    let prefix = self.get("--prefix")?;
                    let delimiter = self.delimiter()?;
                    let clock = Clock::start();
                    let level = async |prefix: &str, with_delimiter: bool| {
                        let mut op = ListObjects::new().prefix(prefix);
                        if with_delimiter {
                            op = op.delimiter("/");
                        }
                        let mut found = Listed::default();
                        let mut pages = client.list_objects_pages(op);
                        while let Some(page) = pages.next_page().await {
                            found.add(page.map_err(|e| e.to_string())?);
                        }
                        Ok::<_, String>(found)
                    };
                    let mut total = level(&prefix, delimiter).await?;
                    if delimiter {
                        for folder in std::mem::take(&mut total.folders) {
                            total.merge(level(&folder, true).await?);
                        }
                    }
                    Ok(total.measure(clock))
                }
            }
        })
    }
}

fn flag_value(args: &[String], flag: &str) -> Result<String, String> {
    args.windows(2)
        .find(|w| w[0] == flag)
        .map(|w| w[1].clone())
        .ok_or_else(|| format!("missing {flag}\n{USAGE}"))
}

/// The measure of a whole object in memory: the clock stopped first, then its CRC-64.
fn in_memory(clock: Clock, data: &[u8]) -> Measure {
    let mut m = Measure::timed(clock);
    let mut crc = Crc64::new();
    crc.update(data);
    (m.bytes, m.crc64) = (data.len() as u64, Some(crc.value()));
    m
}

/// The sum of the workers' (objects, bytes), or the first error.
fn many_measure(clock: Clock, totals: Vec<Result<(u64, u64), String>>) -> Result<Measure, String> {
    let mut m = Measure::timed(clock);
    let (mut objects, mut bytes) = (0, 0);
    for total in totals {
        let (o, b) = total?;
        objects += o;
        bytes += b;
    }
    (m.objects, m.bytes) = (Some(objects), bytes);
    Ok(m)
}

/// What listings returned.
#[derive(Debug, Default)]
struct Listed {
    keys: u64,
    prefixes: u64,
    folders: Vec<String>,
}

impl Listed {
    fn add(&mut self, page: cos_proto::ops::ListObjectsOutput) {
        self.keys += page.contents.len() as u64;
        self.prefixes += page.common_prefixes.len() as u64;
        self.folders.extend(page.common_prefixes);
    }

    fn merge(&mut self, other: Listed) {
        self.keys += other.keys;
        self.prefixes += other.prefixes;
        self.folders.extend(other.folders);
    }

    fn measure(self, clock: Clock) -> Measure {
        let mut m = Measure::timed(clock);
        (m.keys, m.prefixes) = (Some(self.keys), Some(self.prefixes));
        m
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
