//! `cos-opendal-bench`: the Apache OpenDAL peer of `cos-bench`, run and timed by
//! `cargo xtask bench --peer` (and the full `cargo xtask bench`) against the same local
//! `cos-emulator`. It is built on its own (`bench/opendal` has its own workspace and
//! `Cargo.lock`) so that neither the users of cos-rs nor its CI ever build OpenDAL.
//!
//! OpenDAL 0.59.5 (the newest 0.x release when this was written), with its COS service
//! (`services-cos`) and its Tokio executor only, and its own reqwest transport
//! (`opendal-http-transport-reqwest`) without a TLS stack: every request is plain HTTP to
//! 127.0.0.1.
//!
//! ```text
//! cos-opendal-bench CASE [--client opendal] --endpoint http://127.0.0.1:PORT
//!           --bucket BUCKET --secret-id ID --secret-key KEY [case flags]
//!   upload|download  --key KEY --file FILE
//!   get-mem          --key KEY
//!   put-many|get-many|seed
//!                    --prefix P [--count N] [--size BYTES] [--folders F] [--concurrency C]
//!   list             --prefix P [--count N] [--delimiter /]
//! ```
//!
//! The command line and the JSON object printed are those of `cos-bench`: `client`
//! ("OpenDAL"), `case`, `bytes`, `seconds` (wall time of the timed part), `cpu_seconds`
//! (process CPU time of the timed part alone: not the process start, the runtime or the
//! operator's construction), `peak_rss_kib` (VmHWM at the end), and `crc64`, `objects`,
//! `keys`, `prefixes` where they apply.
//!
//! How OpenDAL is configured, case by case, to do the work our clients do:
//!
//! * The service: `services::Cos` with the endpoint `http://cos.emulator.test:PORT`,
//!   the bucket, static keys and `disable_config_load` (no environment, no files). The
//!   service addresses buckets virtual-hosted (`http://BUCKET.cos.emulator.test:PORT`);
//!   the emulator serves that style for any host name with a dot. The operator gets a
//!   `reqwest::Client` through `OperationContext::with_http_transport` that resolves that
//!   one name to 127.0.0.1 (`ClientBuilder::resolve`) and uses no proxy. No OpenDAL
//!   layers (retry, logging, timeout) are added: the runs have no faults.
//! * The runtime: Tokio's multi-threaded runtime with one worker per core, as
//!   `#[tokio::main]` gives an application (and as `cos-bench` runs cos-tokio).
//! * `upload`: `Operator::writer_with(key).chunk(8 MiB).concurrent(8)` (a multipart upload
//!   with 8 MiB parts, 8 in flight, as our default `TransferOptions`), fed with the file
//!   read in 8 MiB blocks, then `close`. OpenDAL computes no CRC-64 (`crc64` is null);
//!   the harness checks the object's size and CRC-64 with a HEAD.
//! * `download`: `Operator::reader_with(key).chunk(8 MiB).concurrent(8)` (8 MiB ranged
//!   GETs, 8 in flight), its byte stream written in order into the file, then
//!   `sync_all` (our `download_file` flushes its file to disk too). The harness checks
//!   the file's CRC-64.
//! * `get-mem`: `Operator::read_with(key).chunk(8 MiB).concurrent(8)`, the whole object
//!   as OpenDAL's `Buffer` (its chunks, not copied into one slice). Its CRC-64 is computed
//!   after the timed part, for the harness to check.
//! * `put-many` / `seed`: `Operator::write` of `count` objects of `size` bytes (one
//!   shared buffer) by `concurrency` Tokio tasks pulling the next key from a counter.
//!   `get-many`: `Operator::read` of each of them the same way.
//! * `list`: without a delimiter, `Operator::lister_with(prefix).recursive(true)` (one
//!   flat listing, 1,000 keys a page); with `--delimiter /`, `Operator::lister(prefix)`
//!   (a listing with delimiter `/`: the folders), then `Operator::lister` of each folder
//!   in turn. Entries that are the listed folder itself are not counted.

#![allow(clippy::print_stdout)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use futures::TryStreamExt;
use opendal::services::Cos;
use opendal::{Buffer, EntryMode, HttpTransporter, OperationContext, Operator};
use serde_json::{Value, json};

/// The parts of the big transfers, and how many are in flight (our default
/// `TransferOptions`).
const CHUNK: usize = 8 << 20;
const CONCURRENT: usize = 8;
/// The name the operator is given for the emulator; only the reqwest client resolves it.
const HOST: &str = "cos.emulator.test";

const USAGE: &str = "usage: cos-opendal-bench (upload|download|get-mem|put-many|get-many|seed|list) \
[--client opendal] --endpoint http://127.0.0.1:PORT --bucket B --secret-id ID --secret-key KEY \
[--key K] [--file F] [--prefix P] [--count N] [--size BYTES] [--folders F] [--concurrency C] \
[--delimiter /]";

const CRC64_XZ: crc::Crc<u64> = crc::Crc::<u64>::new(&crc::CRC_64_XZ);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            let _ = writeln!(std::io::stderr(), "cos-opendal-bench: {why}");
            ExitCode::FAILURE
        }
    }
}

/// The command line of one case.
struct Job {
    case: String,
    endpoint_port: u16,
    endpoint_ip: IpAddr,
    bucket: String,
    secret_id: String,
    secret_key: String,
    args: Vec<String>,
}

impl Job {
    fn parse(args: &[String]) -> Result<Self, String> {
        let (case, rest) = args.split_first().ok_or(USAGE)?;
        let job = Job {
            case: case.clone(),
            endpoint_port: 0,
            endpoint_ip: IpAddr::from([127, 0, 0, 1]),
            bucket: String::new(),
            secret_id: String::new(),
            secret_key: String::new(),
            args: rest.to_vec(),
        };
        if let Some(client) = job.flag("--client")
            && client != "opendal"
        {
            return Err(format!("--client {client}: only opendal"));
        }
        let endpoint = job.required("--endpoint")?;
        let authority = endpoint
            .strip_prefix("http://")
            .ok_or_else(|| format!("--endpoint {endpoint}: expected http://127.0.0.1:PORT"))?
            .trim_end_matches('/');
        let addr: SocketAddr = authority
            .parse()
            .map_err(|_| format!("--endpoint {endpoint}: expected http://127.0.0.1:PORT"))?;
        // Loopback only: the emulator, never anything else.
        if !addr.ip().is_loopback() || !addr.is_ipv4() {
            return Err(format!("--endpoint {endpoint}: only 127.0.0.0/8"));
        }
        Ok(Job {
            endpoint_port: addr.port(),
            endpoint_ip: addr.ip(),
            bucket: job.required("--bucket")?,
            secret_id: job.required("--secret-id")?,
            secret_key: job.required("--secret-key")?,
            ..job
        })
    }

    fn flag(&self, name: &str) -> Option<String> {
        self.args
            .windows(2)
            .find(|w| w[0] == name)
            .map(|w| w[1].clone())
    }

    fn required(&self, name: &str) -> Result<String, String> {
        self.flag(name)
            .ok_or_else(|| format!("missing {name}\n{USAGE}"))
    }

    fn number(&self, name: &str, default: usize) -> Result<usize, String> {
        self.flag(name).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| format!("{name} {v:?} is not a number"))
        })
    }

    fn operator(&self) -> Result<Operator, String> {
        let virtual_host = format!("{}.{HOST}", self.bucket);
        let http = reqwest::Client::builder()
            .no_proxy()
            .resolve(
                &virtual_host,
                SocketAddr::new(self.endpoint_ip, self.endpoint_port),
            )
            .build()
            .map_err(|e| format!("reqwest: {e}"))?;
        let transport = opendal_http_transport_reqwest::ReqwestTransport::new(http);
        let builder = Cos::default()
            .endpoint(&format!("http://{HOST}:{}", self.endpoint_port))
            .bucket(&self.bucket)
            .secret_id(&self.secret_id)
            .secret_key(&self.secret_key)
            .disable_config_load();
        let op = Operator::new(builder).map_err(|e| e.to_string())?;
        Ok(op.with_context(
            OperationContext::new().with_http_transport(HttpTransporter::new(transport)),
        ))
    }
}

fn run(args: &[String]) -> Result<Value, String> {
    let job = Job::parse(args)?;
    let op = job.operator()?;
    // What `#[tokio::main]` gives an application: one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut report = runtime.block_on(async {
        match job.case.as_str() {
            "upload" => upload(&op, &job.required("--key")?, &job.required("--file")?).await,
            "download" => download(&op, &job.required("--key")?, &job.required("--file")?).await,
            "get-mem" => get_mem(&op, &job.required("--key")?).await,
            "put-many" | "seed" | "get-many" => {
                let many = Many {
                    prefix: job.required("--prefix")?,
                    count: job.number("--count", 2_000)?,
                    size: job.number("--size", 4 << 10)?,
                    folders: job.number("--folders", 0)?,
                    concurrency: job.number("--concurrency", 16)?.max(1),
                };
                many.run(&op, job.case == "get-many").await
            }
            "list" => {
                let delimiter = match job.flag("--delimiter").as_deref() {
                    None => false,
                    Some("/") => true,
                    Some(other) => return Err(format!("--delimiter {other:?}: only /")),
                };
                list(&op, &job.required("--prefix")?, delimiter).await
            }
            other => Err(format!("unknown case {other}\n{USAGE}")),
        }
    })?;
    report["client"] = json!("OpenDAL");
    report["case"] = json!(job.case);
    report["peak_rss_kib"] = json!(peak_rss_kib());
    Ok(report)
}

async fn upload(op: &Operator, key: &str, path: &str) -> Result<Value, String> {
    let mut file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let clock = Clock::start();
    let mut writer = op
        .writer_with(key)
        .chunk(CHUNK)
        .concurrent(CONCURRENT)
        .await
        .map_err(|e| e.to_string())?;
    let mut total = 0u64;
    loop {
        let block = read_block(&mut file, CHUNK).map_err(|e| format!("{path}: {e}"))?;
        if block.is_empty() {
            break;
        }
        total += block.len() as u64;
        writer.write(block).await.map_err(|e| e.to_string())?;
    }
    writer.close().await.map_err(|e| e.to_string())?;
    let (seconds, cpu) = clock.stop();
    Ok(json!({ "bytes": total, "seconds": seconds, "cpu_seconds": cpu, "crc64": null }))
}

/// Up to `len` bytes (fewer only at the end of the file).
fn read_block(file: &mut File, len: usize) -> std::io::Result<Vec<u8>> {
    let mut block = vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        let n = file.read(&mut block[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    block.truncate(filled);
    Ok(block)
}

async fn download(op: &Operator, key: &str, path: &str) -> Result<Value, String> {
    let clock = Clock::start();
    let mut file = File::create(path).map_err(|e| format!("{path}: {e}"))?;
    let mut stream = op
        .reader_with(key)
        .chunk(CHUNK)
        .concurrent(CONCURRENT)
        .await
        .map_err(|e| e.to_string())?
        .into_bytes_stream(..)
        .await
        .map_err(|e| e.to_string())?;
    let mut total = 0u64;
    while let Some(bytes) = stream.try_next().await.map_err(|e| e.to_string())? {
        file.write_all(&bytes).map_err(|e| format!("{path}: {e}"))?;
        total += bytes.len() as u64;
    }
    file.sync_all().map_err(|e| format!("{path}: {e}"))?;
    let (seconds, cpu) = clock.stop();
    Ok(json!({ "bytes": total, "seconds": seconds, "cpu_seconds": cpu, "crc64": null }))
}

async fn get_mem(op: &Operator, key: &str) -> Result<Value, String> {
    let clock = Clock::start();
    let buffer: Buffer = op
        .read_with(key)
        .chunk(CHUNK)
        .concurrent(CONCURRENT)
        .await
        .map_err(|e| e.to_string())?;
    let (seconds, cpu) = clock.stop();
    // After the timed part: what arrived, for the harness to check.
    let mut digest = CRC64_XZ.digest();
    let total = buffer.len() as u64;
    for chunk in buffer {
        digest.update(&chunk);
    }
    Ok(json!({
        "bytes": total,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "crc64": digest.finalize(),
    }))
}

/// Many small objects.
struct Many {
    prefix: String,
    count: usize,
    size: usize,
    folders: usize,
    concurrency: usize,
}

impl Many {
    async fn run(self, op: &Operator, get: bool) -> Result<Value, String> {
        let data = Buffer::from(small_object(self.size));
        let next = Arc::new(AtomicUsize::new(0));
        let many = Arc::new(self);
        let clock = Clock::start();
        let mut tasks = Vec::new();
        for _ in 0..many.concurrency {
            let (op, data, next, many) = (op.clone(), data.clone(), next.clone(), many.clone());
            tasks.push(tokio::spawn(async move {
                let mut bytes = 0u64;
                let mut objects = 0u64;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= many.count {
                        return Ok::<_, String>((objects, bytes));
                    }
                    let key = key_of(&many.prefix, i, many.count, many.folders);
                    if get {
                        let got = op.read(&key).await.map_err(|e| format!("{key}: {e}"))?;
                        bytes += got.len() as u64;
                    } else {
                        op.write(&key, data.clone())
                            .await
                            .map_err(|e| format!("{key}: {e}"))?;
                        bytes += data.len() as u64;
                    }
                    objects += 1;
                }
            }));
        }
        let (mut objects, mut bytes) = (0u64, 0u64);
        for task in tasks {
            let (o, b) = task.await.map_err(|e| e.to_string())??;
            objects += o;
            bytes += b;
        }
        let (seconds, cpu) = clock.stop();
        Ok(json!({
            "bytes": bytes,
            "objects": objects,
            "seconds": seconds,
            "cpu_seconds": cpu,
        }))
    }
}

/// The key of object `i` of `count`: `PREFIXkNNNNN`, or with `folders`,
/// `PREFIXdFFF/kNNNNN` (`count / folders` keys in each folder). The same as `cos-bench`'s.
fn key_of(prefix: &str, i: usize, count: usize, folders: usize) -> String {
    if folders == 0 {
        format!("{prefix}k{i:05}")
    } else {
        let per = count.div_ceil(folders).max(1);
        format!("{prefix}d{:03}/k{i:05}", i / per)
    }
}

/// The bytes of every small object: an xorshift64 stream, as `cos-bench`'s.
fn small_object(size: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(size);
    out
}

async fn list(op: &Operator, prefix: &str, delimiter: bool) -> Result<Value, String> {
    let clock = Clock::start();
    let (mut keys, mut prefixes) = (0u64, 0u64);
    if delimiter {
        let mut folders = Vec::new();
        let (k, p) = list_level(op, prefix, &mut folders).await?;
        keys += k;
        prefixes += p;
        for folder in folders {
            let (k, p) = list_level(op, &folder, &mut Vec::new()).await?;
            keys += k;
            prefixes += p;
        }
    } else {
        let mut lister = op
            .lister_with(prefix)
            .recursive(true)
            .await
            .map_err(|e| e.to_string())?;
        while let Some(entry) = lister.try_next().await.map_err(|e| e.to_string())? {
            match entry.metadata().mode() {
                EntryMode::FILE => keys += 1,
                _ if entry.path() == prefix => {}
                _ => prefixes += 1,
            }
        }
    }
    let (seconds, cpu) = clock.stop();
    Ok(json!({
        "keys": keys,
        "prefixes": prefixes,
        "bytes": 0,
        "seconds": seconds,
        "cpu_seconds": cpu,
    }))
}

/// One level of a listing with delimiter `/`: its keys and folders (the folders pushed
/// to `folders`).
async fn list_level(
    op: &Operator,
    path: &str,
    folders: &mut Vec<String>,
) -> Result<(u64, u64), String> {
    let mut lister = op.lister(path).await.map_err(|e| e.to_string())?;
    let (mut keys, mut prefixes) = (0u64, 0u64);
    while let Some(entry) = lister.try_next().await.map_err(|e| e.to_string())? {
        if entry.path() == path {
            continue;
        }
        match entry.metadata().mode() {
            EntryMode::FILE => keys += 1,
            EntryMode::DIR => {
                prefixes += 1;
                folders.push(entry.path().to_owned());
            }
            _ => {}
        }
    }
    Ok((keys, prefixes))
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
