//! The transfer rows of `cargo xtask bench`: `upload_file` and `download_file` of one
//! file through cos-tokio, cos-blocking, the official Python SDK and a raw `curl`, against
//! a `cos-emulator` (release build, in-memory store) on 127.0.0.1.
//!
//! Every transfer runs in its own child process: `cos-bench` (a release binary of this
//! workspace) for our clients, `bench/python_transfer.py` in the venv of
//! `cargo xtask interop` for the SDK, `curl` with presigned URLs. While a child runs, this
//! process samples its `/proc/PID/status` (VmHWM, the kernel's high-water mark of the
//! resident set) and `/proc/PID/stat` (user + system CPU time) every 10 ms, up to the
//! moment it is a zombie, and the emulator's CPU time before and after. The children that
//! can also report their own figures (ours and Python: the call alone, without the
//! process start) do; a row takes the larger peak RSS and the child's own CPU time when
//! there is one.
//!
//! The runs come in rounds: each round moves the file up and down once per client, the
//! clients in rotating order (round `i` starts with client `i mod n`). The main rounds run
//! against an emulator started with `--bench-no-hash` (no MD5 of the bodies, so that the
//! server is not what is measured on a small machine); then as many rounds of cos-tokio
//! and curl against the full emulator. A row compares ours with the reference in the same
//! round and reports the median of those per-run ratios with their spread; a failed run
//! of either side fails the row.
//!
//! Every upload is checked with a HEAD (size and CRC-64 as the emulator computed them),
//! every download by the CRC-64 of the file written; a mismatch fails the run. Downloaded
//! files are removed after each run, the object after each round trip, the work folder at
//! the end.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cos_blocking::cos_transfer::DEFAULT_PART_SIZE;
use cos_proto::ops::{DeleteObject, HeadObject};
use cos_proto::presign::Presign;
use cos_proto::{Config, Credentials};

use crate::bench_table::{Goal, MIB, Measured, Row, median_ratio, mib_per_s, speedup, thousands};
use crate::interop::{Emulator, SECRET_ID, SECRET_KEY, build_emulator, target_dir};

/// The bucket of the transfers (the emulator creates it on first use).
pub const BUCKET: &str = "bench-1250000000";
/// The peak RSS our clients must stay under with the default options: 8 parts of 8 MiB
/// in flight, plus 32 MiB for the program itself.
pub const RSS_BOUND_MIB: f64 = (DEFAULT_PART_SIZE * 8) as f64 / MIB + 32.0;
/// The most client CPU per GiB our clients may take, as a share of the Python SDK's.
pub const PYTHON_CPU_GOAL: f64 = 0.33;
/// The most client CPU per GiB our clients may take downloading, as a share of curl's.
pub const CURL_CPU_GOAL: f64 = 1.0;
/// Share of curl's throughput to reach against the non-hashing emulator.
pub const CURL_GOAL: f64 = 1.0;
/// Share of curl's throughput for cos-tokio to reach against the full emulator.
pub const CURL_GOAL_FULL: f64 = 0.8;
/// How often a running child is sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);
/// Linux's `USER_HZ`: the unit of the CPU times in `/proc/PID/stat`.
const TICKS_PER_SECOND: f64 = 100.0;

/// Who moves the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// `cos_tokio::Client::upload_file` / `download_file`.
    Tokio,
    /// `cos_blocking::Client::upload_file` / `download_file`.
    Blocking,
    /// `qcloud_cos.CosS3Client.upload_file` / `download_file`, default arguments.
    Python,
    /// `curl -T FILE URL` / `curl -o FILE URL`, one request each.
    Curl,
}

impl Client {
    /// Every client, ours first.
    pub const ALL: [Client; 4] = [
        Client::Tokio,
        Client::Blocking,
        Client::Python,
        Client::Curl,
    ];

    /// The name in the tables.
    pub fn name(self) -> &'static str {
        match self {
            Client::Tokio => "cos-tokio",
            Client::Blocking => "cos-blocking",
            Client::Python => "Python SDK",
            Client::Curl => "curl",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Client::Tokio => "tokio",
            Client::Blocking => "blocking",
            Client::Python => "python",
            Client::Curl => "curl",
        }
    }
}

/// Which way the bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The file to the object.
    Upload,
    /// The object to a file.
    Download,
}

impl Direction {
    /// Both, in the order they run.
    pub const ALL: [Direction; 2] = [Direction::Upload, Direction::Download];

    /// `upload_file` or `download_file`.
    pub fn call(self) -> &'static str {
        match self {
            Direction::Upload => "upload_file",
            Direction::Download => "download_file",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Direction::Upload => "upload",
            Direction::Download => "download",
        }
    }
}

/// Which emulator a transfer ran against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// `cos-emulator --bench-no-hash`: bodies stored without their MD5 (the CRC-64 still
    /// computed and checked), so that the server takes less of the cores than the clients.
    NoHash,
    /// The emulator as the tests run it: the MD5 and the CRC-64 of every body.
    Full,
}

impl Server {
    /// Both, in the order they run.
    pub const ALL: [Server; 2] = [Server::NoHash, Server::Full];

    /// The name in the tables.
    pub fn label(self) -> &'static str {
        match self {
            Server::NoHash => "no-hash",
            Server::Full => "full",
        }
    }

    /// The emulator's flags.
    fn flags(self) -> &'static [&'static str] {
        match self {
            Server::NoHash => &["--bench-no-hash"],
            Server::Full => &[],
        }
    }

    /// The clients measured against it, in the order of the first round.
    pub fn clients(self) -> &'static [Client] {
        match self {
            Server::NoHash => &Client::ALL,
            Server::Full => &[Client::Tokio, Client::Curl],
        }
    }
}

/// The order of the clients in round `round` (from 0): the list rotated so that round
/// `i` starts with client `i mod n`, which spreads a drift of the machine over all of them.
pub fn round_order(clients: &[Client], round: usize) -> Vec<Client> {
    let mut order = clients.to_vec();
    if !order.is_empty() {
        let n = order.len();
        order.rotate_left(round % n);
    }
    order
}

/// One measured transfer.
#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    /// Bytes moved.
    pub bytes: u64,
    /// Wall time of the transfer.
    pub seconds: f64,
    /// User + system CPU time of the client process.
    pub client_cpu: Option<f64>,
    /// User + system CPU time of the emulator during the transfer.
    pub emulator_cpu: Option<f64>,
    /// Peak resident set of the client process, KiB.
    pub peak_rss_kib: Option<u64>,
}

impl Transfer {
    /// MiB per second.
    pub fn rate(&self) -> f64 {
        mib_per_s(self.bytes, self.seconds)
    }

    /// Client CPU seconds per GiB moved.
    pub fn cpu_per_gib(&self) -> Option<f64> {
        let cpu = self.client_cpu?;
        (self.bytes > 0).then(|| cpu * GIB / self.bytes as f64)
    }
}

/// One GiB.
const GIB: f64 = 1024.0 * MIB;

/// The result of one client and direction: the transfer, or why there is none
/// ([`Measured::Skipped`] or [`Measured::Failed`]).
pub type Outcome = Result<Transfer, Measured>;

/// One transfer of one round.
#[derive(Debug, Clone)]
pub struct Run {
    /// The emulator.
    pub server: Server,
    /// The round, from 0.
    pub round: usize,
    /// Who moved the bytes.
    pub client: Client,
    /// Which way.
    pub direction: Direction,
    /// What came of it.
    pub outcome: Outcome,
}

/// Every outcome of a run of the throughput part.
#[derive(Debug, Clone)]
pub struct Results {
    /// The file's size.
    pub size: u64,
    /// Rounds against each emulator.
    pub runs: usize,
    /// Every transfer of every round.
    pub transfers: Vec<Run>,
}

/// What a per-run ratio compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Figure {
    /// MiB/s, higher is better.
    Rate,
    /// Client CPU seconds per GiB, lower is better.
    CpuPerGib,
}

impl Figure {
    fn of(self, transfer: &Transfer) -> Result<f64, Measured> {
        match self {
            Figure::Rate => Ok(transfer.rate()),
            Figure::CpuPerGib => transfer
                .cpu_per_gib()
                .ok_or_else(|| Measured::Failed("client CPU time not measured".into())),
        }
    }

    fn text(self, value: f64) -> String {
        match self {
            Figure::Rate => format!("{value:.0} MiB/s"),
            Figure::CpuPerGib => format!("{value:.2} s/GiB"),
        }
    }
}

impl Results {
    /// Every run of one client and direction against one emulator, by round; the first
    /// failed run (else the first skipped one) instead when there is one.
    fn series(
        &self,
        server: Server,
        client: Client,
        direction: Direction,
    ) -> Result<Vec<Transfer>, Measured> {
        let mut transfers = Vec::new();
        let mut skipped = None;
        for round in 0..self.runs.max(1) {
            let outcome = self
                .transfers
                .iter()
                .find(|r| {
                    r.server == server
                        && r.round == round
                        && r.client == client
                        && r.direction == direction
                })
                .map(|r| r.outcome.clone())
                .unwrap_or_else(|| Err(Measured::Failed("not run".into())));
            match outcome {
                Ok(t) => transfers.push(t),
                Err(Measured::Skipped(why)) => skipped = skipped.or(Some(why)),
                Err(Measured::Failed(why)) if self.runs > 1 => {
                    return Err(Measured::Failed(format!("run {}: {why}", round + 1)));
                }
                Err(why) => return Err(why),
            }
        }
        match skipped {
            Some(why) => Err(Measured::Skipped(why)),
            None => Ok(transfers),
        }
    }

    /// A row of per-run ratios of `figure`, `ours` over `reference` in the same round.
    #[allow(clippy::too_many_arguments)]
    fn per_run_row(
        &self,
        what: String,
        server: Server,
        ours: Client,
        reference: Client,
        direction: Direction,
        figure: Figure,
        goal: Goal,
    ) -> Row {
        let figures = |client| -> Result<Vec<f64>, Measured> {
            self.series(server, client, direction)?
                .iter()
                .map(|t| figure.of(t))
                .collect()
        };
        let median_text = |values: &Result<Vec<f64>, Measured>| {
            values
                .as_ref()
                .ok()
                .and_then(|v| median_ratio(v))
                .map(|(m, _, _)| figure.text(m))
        };
        let (a, b) = (figures(ours), figures(reference));
        let ours_text = median_text(&a).unwrap_or_else(|| "—".into());
        let reference_text = median_text(&b)
            .map_or_else(|| "—".into(), |text| format!("{} {text}", reference.name()));
        let ratios = a.and_then(|a| {
            b.map(|b| {
                a.iter()
                    .zip(&b)
                    .map(|(x, y)| speedup(*x, *y))
                    .collect::<Vec<f64>>()
            })
        });
        Row::per_run(what, ours_text, reference_text, ratios, goal)
    }

    /// The target rows: for each of our clients and direction, against the non-hashing
    /// emulator, the throughput as a share of curl's, the client CPU per GiB against the
    /// Python SDK's (and curl's, for downloads) and the peak RSS; then cos-tokio's
    /// throughput against curl's on the full emulator.
    pub fn rows(&self) -> Vec<Row> {
        let size = size_label(self.size);
        let mut rows = Vec::new();
        for client in [Client::Tokio, Client::Blocking] {
            for direction in Direction::ALL {
                let what = format!("{} {size}, {}", direction.call(), client.name());
                rows.push(self.per_run_row(
                    format!("{what}, throughput vs curl (no-hash emulator)"),
                    Server::NoHash,
                    client,
                    Client::Curl,
                    direction,
                    Figure::Rate,
                    Goal::AtLeast(CURL_GOAL),
                ));
                let mut cpu_references = vec![(Client::Python, PYTHON_CPU_GOAL)];
                if direction == Direction::Download {
                    cpu_references.push((Client::Curl, CURL_CPU_GOAL));
                }
                for (reference, goal) in cpu_references {
                    rows.push(self.per_run_row(
                        format!("{what}, CPU per GiB vs {}", reference.name()),
                        Server::NoHash,
                        client,
                        reference,
                        direction,
                        Figure::CpuPerGib,
                        Goal::AtMost(goal),
                    ));
                }
                rows.push(self.rss_row(format!("{what}, peak RSS"), client, direction));
            }
        }
        for direction in Direction::ALL {
            rows.push(self.per_run_row(
                format!(
                    "{} {size}, cos-tokio, throughput vs curl (full emulator)",
                    direction.call()
                ),
                Server::Full,
                Client::Tokio,
                Client::Curl,
                direction,
                Figure::Rate,
                Goal::AtLeast(CURL_GOAL_FULL),
            ));
        }
        rows
    }

    /// The largest peak RSS of the client's runs in that direction, on both emulators.
    fn rss_row(&self, what: String, client: Client, direction: Direction) -> Row {
        let peaks: Result<Vec<Option<u64>>, Measured> = Server::ALL
            .iter()
            .filter(|server| server.clients().contains(&client))
            .map(|server| {
                self.series(*server, client, direction)
                    .map(|runs| runs.iter().map(|t| t.peak_rss_kib).collect::<Vec<_>>())
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.concat());
        let (text, measured) = match peaks {
            Ok(peaks) if !peaks.is_empty() && peaks.iter().all(Option::is_some) => {
                let mib = peaks.iter().flatten().max().copied().unwrap_or(0) as f64 / 1024.0;
                (format!("{mib:.1} MiB"), Measured::Value(mib))
            }
            Ok(_) => ("—".into(), Measured::Failed("peak RSS not measured".into())),
            Err(why) => ("—".into(), why),
        };
        Row {
            what,
            ours: text,
            reference: "8 MiB × 8 parts + 32 MiB".into(),
            measured,
            goal: Goal::AtMostMiB(RSS_BOUND_MIB),
        }
    }

    /// The measurements behind the rows, one line per emulator, direction and client: the
    /// run of median time, with the largest peak RSS of its runs.
    pub fn table(&self) -> String {
        let opt = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{v:.2}"));
        let mut cells = Vec::new();
        for server in Server::ALL {
            for direction in Direction::ALL {
                for client in server.clients() {
                    let first = vec![
                        format!("{} {}", direction.word(), size_label(self.size)),
                        server.label().to_owned(),
                        client.name().to_owned(),
                    ];
                    let rest = match self.series(server, *client, direction) {
                        Ok(runs) if !runs.is_empty() => {
                            let t = median(runs);
                            vec![
                                format!("{:.2}", t.seconds),
                                thousands(t.rate()),
                                opt(t.client_cpu),
                                opt(t.cpu_per_gib()),
                                opt(t.emulator_cpu),
                                t.peak_rss_kib
                                    .map_or("—".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
                                "ok".into(),
                            ]
                        }
                        outcome => {
                            let mut v = vec!["—".to_owned(); 6];
                            v.push(match outcome {
                                Err(Measured::Skipped(why)) => format!("skipped: {why}"),
                                Err(Measured::Failed(why)) => format!("**failed**: {why}"),
                                _ => "**failed**".to_owned(),
                            });
                            v
                        }
                    };
                    cells.push(first.into_iter().chain(rest).collect());
                }
            }
        }
        crate::bench_table::markdown(
            &[
                "transfer",
                "emulator",
                "client",
                "seconds",
                "MiB/s",
                "client CPU s",
                "CPU s/GiB",
                "emulator CPU s",
                "peak RSS MiB",
                "check",
            ],
            &cells,
        )
    }
}

/// `1 GiB`, `128 MiB`.
pub fn size_label(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes as f64 / MIB)
    }
}

/// Everything a measurement needs.
struct Bench {
    driver: PathBuf,
    python: Result<(PathBuf, PathBuf), String>,
    curl: Result<(), String>,
    emulator: Emulator,
    config: Config,
    credentials: Credentials,
    source: PathBuf,
    source_crc: u64,
    size: u64,
    download: PathBuf,
    check: cos_blocking::Client,
}

/// Builds what it needs, starts the emulator, measures every client and direction.
/// `python` is the venv's interpreter, or why there is none.
pub fn measure(
    root: &Path,
    size: u64,
    runs: usize,
    python: Result<PathBuf, String>,
) -> Result<Results, String> {
    let (target, emulator_bin, driver) = build_bench_programs(root)?;
    let work = target.join("bench-transfer");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;
    check_room(&work, size)?;
    let result = measure_in(
        root,
        &target,
        &work,
        &emulator_bin,
        driver,
        size,
        runs,
        python,
    );
    let _ = fs::remove_dir_all(&work);
    result
}

#[allow(clippy::too_many_arguments)]
fn measure_in(
    root: &Path,
    target: &Path,
    work: &Path,
    emulator_bin: &Path,
    driver: PathBuf,
    size: u64,
    runs: usize,
    python: Result<PathBuf, String>,
) -> Result<Results, String> {
    let source = work.join("source.bin");
    println!(
        "==> bench: writing {} of test data to {}",
        size_label(size),
        source.display()
    );
    let source_crc = generate_source(&driver, &source, size)?;

    let curl = match Command::new("curl").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!("curl --version: {}", out.status)),
        Err(e) => Err(format!("no curl ({e})")),
    };
    let python = python.map(|p| (p, root.join("bench").join("python_transfer.py")));
    let mut transfers = Vec::new();
    for server in Server::ALL {
        let log = target.join(format!("bench-emulator-{}.log", server.label()));
        let emulator = Emulator::start_with(emulator_bin, None, &log, server.flags())?;
        println!(
            "==> bench: {} emulator at {} (in memory; log {})",
            server.label(),
            emulator.endpoint,
            log.display()
        );
        let (config, credentials, check) = harness_client(&emulator.endpoint, BUCKET)?;
        let mut bench = Bench {
            driver: driver.clone(),
            python: python.clone(),
            curl: curl.clone(),
            emulator,
            config,
            credentials,
            source: source.clone(),
            source_crc,
            size,
            download: work.join("download.bin"),
            check,
        };
        for round in 0..runs.max(1) {
            let order = round_order(server.clients(), round);
            println!(
                "==> bench: round {} of {} ({} emulator): {}",
                round + 1,
                runs.max(1),
                server.label(),
                order
                    .iter()
                    .map(|c| c.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for client in order {
                let [up, down] = bench.round_trip(client, round == 0);
                for (direction, outcome) in Direction::ALL.into_iter().zip([up, down]) {
                    transfers.push(Run {
                        server,
                        round,
                        client,
                        direction,
                        outcome,
                    });
                }
            }
        }
        if let Some(status) = bench.emulator.exited() {
            println!(
                "bench: the emulator stopped during the run ({status}); log {}",
                log.display()
            );
        }
        bench.emulator.stop();
    }
    Ok(Results {
        size,
        runs,
        transfers,
    })
}

impl Bench {
    /// One upload and one download of the client's own object, which is then removed;
    /// `tell` prints why a client that cannot run is skipped.
    fn round_trip(&mut self, client: Client, tell: bool) -> [Outcome; 2] {
        let unavailable = match (client, &self.python, &self.curl) {
            (Client::Python, Err(why), _) | (Client::Curl, _, Err(why)) => Some(why.clone()),
            _ => None,
        };
        if let Some(why) = unavailable {
            if tell {
                println!("==> bench: {}: skipped ({why})", client.name());
            }
            return [
                Err(Measured::Skipped(why.clone())),
                Err(Measured::Skipped(why)),
            ];
        }
        let key = format!("bench/{}.bin", client.slug());
        let outcomes = match self.one(client, Direction::Upload, &key) {
            Ok(up) => [
                Ok(up),
                self.one(client, Direction::Download, &key)
                    .map_err(Measured::Failed),
            ],
            Err(why) => [
                Err(Measured::Failed(why)),
                Err(Measured::Failed("its upload failed".into())),
            ],
        };
        let _ = self.check.delete_object(&DeleteObject::new(&key));
        outcomes
    }

    /// One transfer, checked.
    fn one(&self, client: Client, direction: Direction, key: &str) -> Result<Transfer, String> {
        let upload = direction == Direction::Upload;
        let file = if upload {
            // A checkpoint left by an interrupted earlier run would turn this into a resume.
            let _ = fs::remove_file(with_suffix(&self.source, ".cosresume"));
            self.source.clone()
        } else {
            for suffix in ["", ".cospart", ".cosresume"] {
                let _ = fs::remove_file(with_suffix(&self.download, suffix));
            }
            self.download.clone()
        };
        let mut command = self.command(client, direction, key, &file)?;
        let emulator_before = proc_stat(self.emulator.pid()).map(|s| s.cpu_seconds);
        let child = run_sampled(&mut command);
        let emulator_after = proc_stat(self.emulator.pid()).map(|s| s.cpu_seconds);
        let child = child?;
        let mut transfer = match client {
            Client::Curl => {
                let seconds: f64 = child
                    .stdout
                    .trim()
                    .parse()
                    .map_err(|_| format!("curl printed no time: {:?}", child.stdout.trim()))?;
                Transfer {
                    bytes: self.size,
                    seconds,
                    client_cpu: child.cpu_seconds,
                    emulator_cpu: None,
                    peak_rss_kib: child.peak_rss_kib,
                }
            }
            _ => {
                let json = child.json()?;
                let number = |name: &str| json.get(name).and_then(serde_json::Value::as_f64);
                let reported_rss = json.get("peak_rss_kib").and_then(serde_json::Value::as_u64);
                Transfer {
                    bytes: json
                        .get("bytes")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(0),
                    seconds: number("seconds").ok_or("the child reported no time")?,
                    client_cpu: number("cpu_seconds").or(child.cpu_seconds),
                    emulator_cpu: None,
                    peak_rss_kib: reported_rss.max(child.peak_rss_kib),
                }
            }
        };
        transfer.emulator_cpu = emulator_after.zip(emulator_before).map(|(a, b)| a - b);
        let checked = if upload {
            self.check_object(key)
        } else {
            self.check_download()
        };
        if !upload {
            let _ = fs::remove_file(&self.download);
        }
        checked?;
        if transfer.bytes != self.size {
            return Err(format!("moved {} bytes of {}", transfer.bytes, self.size));
        }
        println!(
            "==> bench: {} {}, {}: {:.2} s, {:.0} MiB/s, peak RSS {}",
            direction.word(),
            size_label(self.size),
            client.name(),
            transfer.seconds,
            transfer.rate(),
            transfer
                .peak_rss_kib
                .map_or("—".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
        );
        Ok(transfer)
    }

    fn command(
        &self,
        client: Client,
        direction: Direction,
        key: &str,
        file: &Path,
    ) -> Result<Command, String> {
        let endpoint = &self.emulator.endpoint;
        let common = |command: &mut Command| {
            command
                .arg(direction.word())
                .args([
                    "--endpoint",
                    endpoint,
                    "--bucket",
                    BUCKET,
                    "--key",
                    key,
                    "--file",
                ])
                .arg(file)
                .args(["--secret-id", SECRET_ID, "--secret-key", SECRET_KEY]);
        };
        let mut command;
        match client {
            Client::Tokio | Client::Blocking => {
                command = Command::new(&self.driver);
                common(&mut command);
                command.args(["--client", client.slug()]);
            }
            Client::Python => {
                let (python, script) = self.python.as_ref().map_err(Clone::clone)?;
                command = Command::new(python);
                command.arg(script);
                common(&mut command);
                command
                    .env("PYTHONDONTWRITEBYTECODE", "1")
                    .env("PYTHONIOENCODING", "utf-8");
            }
            Client::Curl => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_err(|e| e.to_string())?
                    .as_secs();
                let presign = match direction {
                    Direction::Upload => Presign::put(key),
                    Direction::Download => Presign::get(key),
                };
                let url = presign
                    .expires_in(3600)
                    .url(&self.config, &self.credentials, now)
                    .map_err(|e| e.to_string())?;
                command = Command::new("curl");
                command.args(["--fail", "--silent", "--show-error", "--noproxy", "*"]);
                match direction {
                    // No `Expect: 100-continue` round trip (our clients send none).
                    Direction::Upload => command
                        .args(["-H", "Expect:", "-o", "/dev/null", "-T"])
                        .arg(file),
                    Direction::Download => command.arg("-o").arg(file),
                };
                command.args(["-w", "%{time_total}", &url]);
            }
        }
        // Loopback only: an inherited proxy setting must not reroute the children.
        for name in [
            "http_proxy",
            "HTTP_PROXY",
            "https_proxy",
            "HTTPS_PROXY",
            "all_proxy",
            "ALL_PROXY",
        ] {
            command.env_remove(name);
        }
        Ok(command)
    }

    /// The object has the source's size and CRC-64 (as the emulator computed them).
    fn check_object(&self, key: &str) -> Result<(), String> {
        check_uploaded(&self.check, key, self.size, self.source_crc)
    }

    /// The downloaded file has the source's size and CRC-64.
    fn check_download(&self) -> Result<(), String> {
        check_downloaded(&self.driver, &self.download, self.size, self.source_crc)
    }
}

/// Builds the release emulator and `cos-bench`: `(target dir, emulator, cos-bench)`.
pub(crate) fn build_bench_programs(root: &Path) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let target = target_dir(root);
    let emulator = build_emulator(
        root,
        &target,
        true,
        &["-p", "cos-bench", "--bin", "cos-bench"],
    )?;
    let cos_bench = target
        .join("release")
        .join(format!("cos-bench{}", std::env::consts::EXE_SUFFIX));
    Ok((target, emulator, cos_bench))
}

/// Writes `size` pseudo-random bytes to `source` with `cos-bench gen` (the binary at
/// `tool`); returns their CRC-64.
pub(crate) fn generate_source(tool: &Path, source: &Path, size: u64) -> Result<u64, String> {
    run_sampled(
        Command::new(tool)
            .arg("gen")
            .arg(source)
            .arg(size.to_string()),
    )?
    .json()?
    .get("crc64")
    .and_then(serde_json::Value::as_u64)
    .ok_or_else(|| "cos-bench gen printed no crc64".to_owned())
}

/// The harness's own client of `bucket` on the emulator at `endpoint` (path-style, the
/// emulator's keys, no proxy), with its configuration and keys.
pub(crate) fn harness_client(
    endpoint: &str,
    bucket: &str,
) -> Result<(Config, Credentials, cos_blocking::Client), String> {
    let authority = endpoint.trim_start_matches("http://");
    let config = Config::builder("ap-guangzhou", bucket)
        .path_style(authority)
        .build()
        .map_err(|e| e.to_string())?;
    let credentials = Credentials::new(SECRET_ID, SECRET_KEY).map_err(|e| e.to_string())?;
    let client = cos_blocking::Client::builder(config.clone())
        .credentials(cos_blocking::StaticCredentials::new(credentials.clone()))
        .proxy_from_env(false)
        .build()
        .map_err(|e| e.to_string())?;
    Ok((config, credentials, client))
}

/// The object `key` has `size` bytes and CRC-64 `crc` (as the emulator computed them).
pub(crate) fn check_uploaded(
    check: &cos_blocking::Client,
    key: &str,
    size: u64,
    crc: u64,
) -> Result<(), String> {
    let info = check
        .head_object(&HeadObject::new(key))
        .map_err(|e| format!("HEAD after the upload: {e}"))?;
    if info.content_length != Some(size) || info.crc64 != Some(crc) {
        return Err(format!(
            "the uploaded object has {:?} bytes, CRC-64 {:?}; the file {size} bytes, CRC-64 {crc}",
            info.content_length, info.crc64
        ));
    }
    Ok(())
}

/// The file `download` has `size` bytes and CRC-64 `crc` (computed by `cos-bench crc64`,
/// the binary at `tool`).
pub(crate) fn check_downloaded(
    tool: &Path,
    download: &Path,
    size: u64,
    crc: u64,
) -> Result<(), String> {
    let out = run_sampled(Command::new(tool).arg("crc64").arg(download))?;
    let json = out.json()?;
    let bytes = json.get("bytes").and_then(serde_json::Value::as_u64);
    let got = json.get("crc64").and_then(serde_json::Value::as_u64);
    if bytes != Some(size) || got != Some(crc) {
        return Err(format!(
            "the downloaded file has {bytes:?} bytes, CRC-64 {got:?}; the object {size} bytes, \
             CRC-64 {crc}"
        ));
    }
    Ok(())
}

/// Refuses to start when the disk cannot hold the file and one download, or memory the
/// emulator's copy of the object (with room for a multipart completion), rather than
/// failing half-way. Unknown figures (no `df`, no `/proc/meminfo`) are not checked.
pub(crate) fn check_room(work: &Path, size: u64) -> Result<(), String> {
    let margin = 256 << 20;
    let disk = Command::new("df")
        .arg("-Pk")
        .arg(work)
        .output()
        .ok()
        .and_then(|o| parse_df_available_kib(&String::from_utf8_lossy(&o.stdout)));
    if let Some(kib) = disk.filter(|kib| kib * 1024 < 2 * size + margin) {
        return Err(format!(
            "{} has {} MiB free; the file and a download need {} MiB",
            work.display(),
            kib / 1024,
            (2 * size + margin) >> 20
        ));
    }
    let memory = fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    });
    if let Some(kib) = memory.filter(|kib| kib * 1024 < 3 * size + margin) {
        return Err(format!(
            "{} MiB of memory available; the in-memory emulator needs up to {} MiB",
            kib / 1024,
            (3 * size + margin) >> 20
        ));
    }
    Ok(())
}

/// The available KiB in `df -Pk` output (the fourth column of the second line).
pub fn parse_df_available_kib(text: &str) -> Option<u64> {
    text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()
}

/// The run of median time, with the largest peak RSS of all runs.
pub fn median(mut runs: Vec<Transfer>) -> Transfer {
    let peak = runs.iter().filter_map(|t| t.peak_rss_kib).max();
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mut pick = runs.swap_remove(runs.len() / 2);
    pick.peak_rss_kib = peak;
    pick
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A finished child and what was sampled of it.
#[derive(Debug)]
pub(crate) struct ChildRun {
    /// Everything the child printed on standard output.
    pub(crate) stdout: String,
    /// Peak resident set, KiB, as last sampled.
    pub(crate) peak_rss_kib: Option<u64>,
    /// User + system CPU seconds, as last sampled (exact when sampled as a zombie).
    pub(crate) cpu_seconds: Option<f64>,
}

impl ChildRun {
    /// The last line of stdout as JSON.
    pub(crate) fn json(&self) -> Result<serde_json::Value, String> {
        let line = self.stdout.lines().rev().find(|l| !l.trim().is_empty());
        serde_json::from_str(line.unwrap_or_default())
            .map_err(|e| format!("no JSON from the child ({e}): {:?}", self.stdout))
    }
}

/// Runs `command` to its end, sampling its peak RSS and CPU time; an error unless it
/// exits with success.
pub(crate) fn run_sampled(command: &mut Command) -> Result<ChildRun, String> {
    let shown = format!("{:?}", command.get_program());
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {shown}: {e}"))?;
    let pid = child.id();
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let (mut peak, mut cpu) = (None::<u64>, None);
    let status: ExitStatus = loop {
        // Sampled until it is a zombie: its CPU time is then final, and it is still there
        // to be read because it is reaped only below.
        let stat = proc_stat(pid);
        if let Some(stat) = &stat {
            cpu = Some(stat.cpu_seconds);
            peak = peak.max(proc_vmhwm_kib(pid));
        }
        if stat.is_none_or(|s| s.state == 'Z') {
            break child
                .wait()
                .map_err(|e| format!("waiting for {shown}: {e}"))?;
        }
        thread::sleep(SAMPLE_EVERY);
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if !status.success() {
        let stderr = stderr.trim();
        let tail: String = stderr
            .char_indices()
            .nth_back(600)
            .map_or(stderr, |(i, _)| &stderr[i..])
            .to_owned();
        return Err(format!("{shown} {status}: {tail}"));
    }
    Ok(ChildRun {
        stdout,
        peak_rss_kib: peak,
        cpu_seconds: cpu,
    })
}

/// What `/proc/PID/stat` says of a process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcStat {
    /// `R`, `S`, `Z`, ...
    pub state: char,
    /// utime + stime, seconds.
    pub cpu_seconds: f64,
}

fn proc_stat(pid: u32) -> Option<ProcStat> {
    parse_proc_stat(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Parses `/proc/PID/stat` (the command name, in parentheses, may hold spaces).
pub fn parse_proc_stat(text: &str) -> Option<ProcStat> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(ProcStat {
        state,
        cpu_seconds: (utime + stime) as f64 / TICKS_PER_SECOND,
    })
}

fn proc_vmhwm_kib(pid: u32) -> Option<u64> {
    parse_vmhwm(&fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

/// The `VmHWM` of a `/proc/PID/status`, KiB.
pub fn parse_vmhwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench_table::Verdict;

    fn transfer(seconds: f64, rss_mib: u64) -> Transfer {
        Transfer {
            bytes: 1 << 30,
            seconds,
            client_cpu: Some(1.0),
            emulator_cpu: Some(1.0),
            peak_rss_kib: Some(rss_mib * 1024),
        }
    }

    fn costly(seconds: f64, cpu: f64, rss_mib: u64) -> Outcome {
        Ok(Transfer {
            client_cpu: Some(cpu),
            ..transfer(seconds, rss_mib)
        })
    }

    /// Every client against both emulators for `runs` rounds, each from `outcome`.
    fn results(
        runs: usize,
        outcome: impl Fn(Server, usize, Client, Direction) -> Outcome,
    ) -> Results {
        let mut transfers = Vec::new();
        for server in Server::ALL {
            for round in 0..runs {
                for client in round_order(server.clients(), round) {
                    for direction in Direction::ALL {
                        transfers.push(Run {
                            server,
                            round,
                            client,
                            direction,
                            outcome: outcome(server, round, client, direction),
                        });
                    }
                }
            }
        }
        Results {
            size: 1 << 30,
            runs,
            transfers,
        }
    }

    fn find<'a>(rows: &'a [Row], what: &str) -> &'a Row {
        rows.iter()
            .find(|r| r.what == what)
            .unwrap_or_else(|| panic!("no row {what}"))
    }

    #[test]
    fn the_bound_is_eight_parts_and_32_mib() {
        assert_eq!(RSS_BOUND_MIB, 96.0);
    }

    #[test]
    fn rounds_rotate_the_first_client() {
        use Client::*;
        let all = Server::NoHash.clients();
        assert_eq!(round_order(all, 0), vec![Tokio, Blocking, Python, Curl]);
        assert_eq!(round_order(all, 1), vec![Blocking, Python, Curl, Tokio]);
        assert_eq!(round_order(all, 3), vec![Curl, Tokio, Blocking, Python]);
        assert_eq!(round_order(all, 5), round_order(all, 1));
        let full = Server::Full.clients();
        assert_eq!(round_order(full, 0), vec![Tokio, Curl]);
        assert_eq!(round_order(full, 1), vec![Curl, Tokio]);
        assert!(round_order(&[], 3).is_empty());
        // Over n rounds each client is first once.
        let firsts: Vec<Client> = (0..4).map(|r| round_order(all, r)[0]).collect();
        assert_eq!(firsts, all.to_vec());
    }

    #[test]
    fn cpu_per_gib_scales_to_a_gib() {
        let t = Transfer {
            bytes: 128 << 20,
            client_cpu: Some(0.25),
            ..transfer(1.0, 1)
        };
        assert_eq!(t.cpu_per_gib(), Some(2.0));
        let t = Transfer {
            client_cpu: None,
            ..transfer(1.0, 1)
        };
        assert_eq!(t.cpu_per_gib(), None);
    }

    #[test]
    fn each_of_our_clients_has_seven_targets_and_tokio_two_more() {
        use Client::*;
        let rows = results(3, |server, round, client, _| match (server, client) {
            // cos-tokio: 1, 2 and 0.5 × curl's throughput by round; 0.5 s/GiB.
            (_, Tokio) => costly([1.0, 0.5, 2.0][round], 0.5, 50),
            // cos-blocking: half curl's throughput, 1 s/GiB, too big.
            (_, Blocking) => costly(2.0, 1.0, 120),
            (_, Python) => costly(4.0, 2.0, 300),
            (Server::NoHash, Curl) => costly(1.0, 0.6, 5),
            (Server::Full, Curl) => costly(2.0, 0.6, 5),
        })
        .rows();
        assert_eq!(rows.len(), 16);
        for client in ["cos-tokio", "cos-blocking"] {
            let ours: Vec<&Row> = rows
                .iter()
                .filter(|r| r.what.contains(&format!(", {client},")))
                .filter(|r| !r.what.contains("full emulator"))
                .collect();
            assert_eq!(ours.len(), 7, "{client}");
            let cpu = ours.iter().filter(|r| r.what.contains("CPU per GiB"));
            assert!(cpu.clone().all(|r| matches!(r.goal, Goal::AtMost(_))));
            assert_eq!(
                cpu.count(),
                3,
                "{client}: upload and download vs Python, download vs curl"
            );
        }
        let row = find(
            &rows,
            "upload_file 1 GiB, cos-tokio, throughput vs curl (no-hash emulator)",
        );
        assert_eq!(
            row.measured,
            Measured::Ratios {
                median: 1.0,
                min: 0.5,
                max: 2.0
            }
        );
        assert_eq!(row.goal, Goal::AtLeast(1.0));
        assert_eq!(row.verdict(), Verdict::Met);
        assert_eq!(row.ours, "1024 MiB/s");
        assert_eq!(row.reference, "curl 1024 MiB/s");
        assert!(crate::bench_table::targets_table(&rows).contains("| 1.00× (0.50–2.0) |"));
        // Costs: ours over theirs, lower is better.
        let row = find(
            &rows,
            "download_file 1 GiB, cos-tokio, CPU per GiB vs Python SDK",
        );
        assert_eq!(
            row.measured,
            Measured::Ratios {
                median: 0.25,
                min: 0.25,
                max: 0.25
            }
        );
        assert_eq!(
            (row.ours.as_str(), row.reference.as_str()),
            ("0.50 s/GiB", "Python SDK 2.00 s/GiB")
        );
        assert_eq!(row.verdict(), Verdict::Met);
        let row = find(
            &rows,
            "upload_file 1 GiB, cos-blocking, CPU per GiB vs Python SDK",
        );
        assert_eq!(
            row.measured,
            Measured::Ratios {
                median: 0.5,
                min: 0.5,
                max: 0.5
            }
        );
        assert_eq!(row.verdict(), Verdict::Missed);
        assert_eq!(
            find(&rows, "download_file 1 GiB, cos-tokio, CPU per GiB vs curl").verdict(),
            Verdict::Met
        );
        assert_eq!(
            find(
                &rows,
                "download_file 1 GiB, cos-blocking, CPU per GiB vs curl"
            )
            .verdict(),
            Verdict::Missed
        );
        assert_eq!(
            find(
                &rows,
                "upload_file 1 GiB, cos-blocking, throughput vs curl (no-hash emulator)"
            )
            .verdict(),
            Verdict::Missed
        );
        let row = find(&rows, "download_file 1 GiB, cos-blocking, peak RSS");
        assert_eq!(row.measured, Measured::Value(120.0));
        assert_eq!(row.verdict(), Verdict::Missed);
        // Against the full emulator curl is half as fast: cos-tokio's median is 2×.
        let row = find(
            &rows,
            "upload_file 1 GiB, cos-tokio, throughput vs curl (full emulator)",
        );
        assert_eq!(
            row.measured,
            Measured::Ratios {
                median: 2.0,
                min: 1.0,
                max: 4.0
            }
        );
        assert_eq!(row.goal, Goal::AtLeast(0.8));
    }

    #[test]
    fn a_failed_skipped_or_missing_run_never_passes() {
        use Client::*;
        use Direction::*;
        let mut results = results(3, |server, round, client, direction| {
            match (server, round, client, direction) {
                (Server::NoHash, 1, Tokio, Download) => {
                    Err(Measured::Failed("CRC-64 mismatch".into()))
                }
                (Server::NoHash, 2, Curl, Upload) => Err(Measured::Failed("curl: (52)".into())),
                (_, _, Python, _) => Err(Measured::Skipped("no python3".into())),
                _ => costly(1.0, 0.2, 40),
            }
        });
        // cos-blocking's last download never ran.
        results.transfers.retain(|r| {
            !(r.server == Server::NoHash
                && r.client == Blocking
                && r.direction == Download
                && r.round == 2)
        });
        let rows = results.rows();
        let verdict = |what: &str| find(&rows, what).verdict();
        let row = find(
            &rows,
            "download_file 1 GiB, cos-tokio, throughput vs curl (no-hash emulator)",
        );
        assert_eq!(
            row.measured,
            Measured::Failed("run 2: CRC-64 mismatch".into())
        );
        assert_eq!(
            verdict("download_file 1 GiB, cos-tokio, CPU per GiB vs curl"),
            Verdict::Failed
        );
        assert_eq!(
            verdict("download_file 1 GiB, cos-tokio, peak RSS"),
            Verdict::Failed
        );
        // The reference's failed run fails ours too.
        assert_eq!(
            verdict("upload_file 1 GiB, cos-tokio, throughput vs curl (no-hash emulator)"),
            Verdict::Failed
        );
        assert_eq!(
            verdict("upload_file 1 GiB, cos-blocking, throughput vs curl (no-hash emulator)"),
            Verdict::Failed
        );
        assert_eq!(
            verdict("upload_file 1 GiB, cos-tokio, CPU per GiB vs Python SDK"),
            Verdict::Skipped
        );
        assert_eq!(
            verdict("upload_file 1 GiB, cos-tokio, peak RSS"),
            Verdict::Met
        );
        let row = find(
            &rows,
            "download_file 1 GiB, cos-blocking, CPU per GiB vs curl",
        );
        assert_eq!(row.measured, Measured::Failed("run 3: not run".into()));
        assert_eq!(
            verdict("download_file 1 GiB, cos-tokio, throughput vs curl (full emulator)"),
            Verdict::Met
        );
        let table = results.table();
        assert!(
            table.contains("**failed**: run 2: CRC-64 mismatch"),
            "{table}"
        );
        assert!(table.contains("skipped: no python3"), "{table}");
        assert!(
            table.contains("| download 1 GiB | full     | cos-tokio"),
            "{table}"
        );
    }

    #[test]
    fn a_missing_cpu_time_fails_the_cpu_rows_only() {
        let results = results(1, |_, _, client, _| match client {
            Client::Curl => Ok(Transfer {
                client_cpu: None,
                ..transfer(1.0, 5)
            }),
            _ => costly(1.0, 0.5, 40),
        });
        let rows = results.rows();
        assert_eq!(
            find(&rows, "download_file 1 GiB, cos-tokio, CPU per GiB vs curl").measured,
            Measured::Failed("client CPU time not measured".into())
        );
        assert_eq!(
            find(
                &rows,
                "download_file 1 GiB, cos-tokio, CPU per GiB vs Python SDK"
            )
            .verdict(),
            Verdict::Missed
        );
        assert_eq!(
            find(
                &rows,
                "download_file 1 GiB, cos-tokio, throughput vs curl (no-hash emulator)"
            )
            .measured,
            Measured::Ratios {
                median: 1.0,
                min: 1.0,
                max: 1.0
            }
        );
    }

    #[test]
    fn the_median_run_keeps_the_largest_peak() {
        let pick = median(vec![
            transfer(3.0, 10),
            transfer(1.0, 70),
            transfer(2.0, 20),
        ]);
        assert_eq!(pick.seconds, 2.0);
        assert_eq!(pick.peak_rss_kib, Some(70 * 1024));
        assert_eq!(median(vec![transfer(5.0, 1)]).seconds, 5.0);
    }

    #[test]
    fn sizes_are_labelled() {
        assert_eq!(size_label(1 << 30), "1 GiB");
        assert_eq!(size_label(128 << 20), "128 MiB");
    }

    #[test]
    fn reads_df() {
        let text = "Filesystem     1024-blocks      Used Available Capacity Mounted on\n\
                    /dev/vda         263174212  91000000   4089052      96% /\n";
        assert_eq!(parse_df_available_kib(text), Some(4_089_052));
        assert_eq!(parse_df_available_kib("df: /x: No such file\n"), None);
    }

    #[test]
    fn reads_proc_files() {
        let stat = "4242 (cos bench) S 1 4242 4242 0 -1 4194304 1200 0 0 0 \
                    250 75 0 0 20 0 9 0 5000 100000 2000";
        assert_eq!(
            parse_proc_stat(stat),
            Some(ProcStat {
                state: 'S',
                cpu_seconds: 3.25
            })
        );
        assert_eq!(parse_proc_stat("12 (x) Z"), None);
        let status = "Name:\tcurl\nVmPeak:\t  20000 kB\nVmHWM:\t    6144 kB\nVmRSS:\t 6000 kB\n";
        assert_eq!(parse_vmhwm(status), Some(6144));
        assert_eq!(parse_vmhwm("Name:\tzombie\nState:\tZ (zombie)\n"), None);
    }
}
