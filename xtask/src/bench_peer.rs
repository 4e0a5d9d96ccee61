//! The OpenDAL rows of `cargo xtask bench` (alone with `--peer`): cos-tokio and
//! cos-blocking against Apache OpenDAL's COS service, on one `cos-emulator` (release, in
//! memory, `--bench-no-hash`) over loopback, in alternating rounds.
//!
//! The cases, each a child process of its own (`cos-bench` for ours,
//! `cos-opendal-bench` from `bench/opendal`, built here with its own lock file and target
//! folder), timed by the child itself (wall and process CPU time of the timed part alone)
//! while this process samples its peak RSS:
//!
//! * `upload` / `download`: one file of 1 GiB (`--quick`: 128 MiB) to an object and back
//!   to a file (8 MiB parts, 8 in flight on both sides);
//! * `get-mem`: the same object into memory;
//! * `put-many` / `get-many`: 2,000 objects of 4 KiB, 16 at a time;
//! * `list`: the 10,000 keys of a prefix laid out as 100 folders × 100 keys, in one
//!   flat listing (10 pages), and with `--delimiter /` as a walk (the 100 folders, then
//!   each folder's 100 keys: 101 listings).
//!
//! Before the rounds, `cos-bench` writes the file and seeds the objects the reading cases
//! read (untimed). Each round then runs every case once for each client, the clients in
//! an order that rotates from round to round. For every case and each of our clients,
//! the rows take the ratio to OpenDAL within each round — throughput ours/theirs, CPU
//! ours/theirs — and report the median of those per-round ratios with their spread
//! (min–max). A failed run on either side fails the row. Every run is checked: uploads
//! by a HEAD (size and CRC-64 as the emulator computed them), downloads by the CRC-64 of
//! the file, `get-mem` by the CRC-64 of what arrived, `put-many` by a listing of the
//! keys, `get-many` and `list` by their counts.
//!
//! Goals: throughput ≥ 1.2× OpenDAL's in every case; CPU ≤ 0.8× OpenDAL's on `upload`,
//! `put-many`, `get-many` and both listings, ≤ 1× on `download` and `get-mem`; the peak
//! RSS of our 1 GiB upload and download ≤ 8 MiB × 8 + 32 MiB.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use cos_proto::ops::{DeleteObject, ListObjects};

use crate::bench_table::{Goal, MIB, Measured, Row, ratio_text, thousands};
use crate::bench_transfer::{RSS_BOUND_MIB, check_room, run_sampled, size_label};
use crate::interop::{Emulator, SECRET_ID, SECRET_KEY, cargo};

/// Rounds when `--runs` is not given.
pub const DEFAULT_ROUNDS: usize = 5;
/// The bucket of these rows (the emulator creates it on first use).
const BUCKET: &str = "peer-1250000000";
/// The emulator's bench-only flag: bodies stored without their MD5.
const EMULATOR_FLAGS: &[&str] = &["--bench-no-hash"];
/// Small objects: how many, how big, how many at once.
const MANY: usize = 2_000;
const MANY_SIZE: usize = 4 << 10;
const CONCURRENCY: usize = 16;
/// The listed keys, in this many folders.
const LIST_KEYS: usize = 10_000;
const LIST_FOLDERS: usize = 100;
/// Throughput to reach, as a multiple of OpenDAL's.
pub const THROUGHPUT_GOAL: f64 = 1.2;

/// What the OpenDAL rows ran, under their table.
pub const PEER_SETTINGS: &str = "
OpenDAL rows: Apache OpenDAL 0.59.5, its COS service through its reqwest transport (no \
retry or other layer), on Tokio's multi-threaded runtime like cos-tokio; uploads with \
`writer_with(..).chunk(8 MiB).concurrent(8)`, downloads and `get-mem` with \
`reader_with`/`read_with(..).chunk(8 MiB).concurrent(8)` (download: the stream written \
to the file, then `sync_all`); our clients with the default `TransferOptions` (8 MiB \
parts, 8 in flight) and `get_object` + `ObjectBody::bytes` for `get-mem` (one stream, \
CRC-64 checked at its end; OpenDAL checks none). Many objects: 16 Tokio tasks (OpenDAL, \
cos-tokio) or 16 threads sharing one client (cos-blocking). Each ratio is the median of \
the per-round ratios, the spread their range; one `cos-emulator --bench-no-hash` \
(release, in memory) on 127.0.0.1.
";

/// A timed case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// One big file to an object.
    Upload,
    /// One big object to a file.
    Download,
    /// One big object into memory.
    GetMem,
    /// Many small objects up.
    PutMany,
    /// Many small objects down.
    GetMany,
    /// One flat listing.
    List,
    /// A walk with delimiter `/`.
    ListDelimiter,
}

impl Case {
    /// Every case, in the order a round runs them.
    pub const ALL: [Case; 7] = [
        Case::Upload,
        Case::Download,
        Case::GetMem,
        Case::PutMany,
        Case::GetMany,
        Case::List,
        Case::ListDelimiter,
    ];

    /// The child's command word.
    fn word(self) -> &'static str {
        match self {
            Case::Upload => "upload",
            Case::Download => "download",
            Case::GetMem => "get-mem",
            Case::PutMany => "put-many",
            Case::GetMany => "get-many",
            Case::List | Case::ListDelimiter => "list",
        }
    }

    /// The name in the tables.
    pub fn label(self, size: u64) -> String {
        match self {
            Case::Upload | Case::Download | Case::GetMem => {
                format!("{} {}", self.word(), size_label(size))
            }
            Case::PutMany | Case::GetMany => {
                format!("{} {} × 4 KiB", self.word(), thousands(MANY as f64))
            }
            Case::List => format!("list {} keys", thousands(LIST_KEYS as f64)),
            Case::ListDelimiter => {
                format!("list {} keys, delimiter /", thousands(LIST_KEYS as f64))
            }
        }
    }

    /// The highest CPU time, as a multiple of OpenDAL's.
    pub fn cpu_goal(self) -> f64 {
        match self {
            Case::Download | Case::GetMem => 1.0,
            _ => 0.8,
        }
    }

    /// The unit of its throughput.
    fn unit(self) -> &'static str {
        match self {
            Case::Upload | Case::Download | Case::GetMem => "MiB/s",
            Case::PutMany | Case::GetMany => "objects/s",
            Case::List | Case::ListDelimiter => "keys/s",
        }
    }
}

/// Who runs a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// `cos-bench --client tokio`.
    Tokio,
    /// `cos-bench --client blocking`.
    Blocking,
    /// `cos-opendal-bench`.
    OpenDal,
}

impl Client {
    /// Every client, ours first.
    pub const ALL: [Client; 3] = [Client::Tokio, Client::Blocking, Client::OpenDal];

    /// The name in the tables.
    pub fn name(self) -> &'static str {
        match self {
            Client::Tokio => "cos-tokio",
            Client::Blocking => "cos-blocking",
            Client::OpenDal => "OpenDAL",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Client::Tokio => "tokio",
            Client::Blocking => "blocking",
            Client::OpenDal => "opendal",
        }
    }
}

/// The clients of round `round`, in the order they run: rotated by one each round.
pub fn round_order(round: usize) -> [Client; 3] {
    let mut order = Client::ALL;
    order.rotate_left(round % Client::ALL.len());
    order
}

/// One measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Wall time of the timed part.
    pub seconds: f64,
    /// Process CPU time of the timed part.
    pub cpu_seconds: Option<f64>,
    /// Peak resident set of the process, KiB.
    pub peak_rss_kib: Option<u64>,
    /// MiB, objects or keys moved.
    pub work: f64,
}

impl Sample {
    /// Work per second.
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.work / self.seconds
        } else {
            f64::NAN
        }
    }
}

/// A run: its sample, or why there is none.
pub type Run = Result<Sample, String>;

/// The median and the range of some figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The median (the mean of the two middle figures when their number is even).
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl Spread {
    /// `None` for no figures, or when one is not finite.
    pub fn of(values: &[f64]) -> Option<Spread> {
        crate::bench_table::median_ratio(values).map(|(median, min, max)| Spread {
            median,
            min,
            max,
        })
    }

    /// `1.18× (1.05–1.30)`.
    pub fn text(&self) -> String {
        format!(
            "{}× ({}–{})",
            ratio_text(self.median),
            ratio_text(self.min),
            ratio_text(self.max)
        )
    }
}

/// Round by round, `figure(ours) / figure(theirs)`, summarised; an error when a run of
/// either side failed, a figure is missing, or a ratio is not a positive finite number.
pub fn ratio_spread(
    ours: &[Run],
    theirs: &[Run],
    figure: impl Fn(&Sample) -> Option<f64>,
) -> Result<Spread, String> {
    if ours.is_empty() || ours.len() != theirs.len() {
        return Err(format!(
            "{} runs of ours against {} of OpenDAL",
            ours.len(),
            theirs.len()
        ));
    }
    let mut ratios = Vec::new();
    for (round, (a, b)) in ours.iter().zip(theirs).enumerate() {
        let a = a
            .as_ref()
            .map_err(|why| format!("round {}: {why}", round + 1))?;
        let b = b
            .as_ref()
            .map_err(|why| format!("round {}: OpenDAL: {why}", round + 1))?;
        let (Some(x), Some(y)) = (figure(a), figure(b)) else {
            return Err(format!("round {}: a figure was not measured", round + 1));
        };
        let ratio = crate::bench_table::speedup(x, y);
        if !ratio.is_finite() {
            return Err(format!("round {}: no ratio from {x} and {y}", round + 1));
        }
        ratios.push(ratio);
    }
    Spread::of(&ratios).ok_or_else(|| "no ratio".to_owned())
}

/// Every run of every case and client.
#[derive(Debug, Clone)]
pub struct Results {
    /// The big file's size.
    pub size: u64,
    /// Rounds run.
    pub rounds: usize,
    /// The runs, round by round, of each case and client.
    pub runs: Vec<(Case, Client, Vec<Run>)>,
}

impl Results {
    fn runs(&self, case: Case, client: Client) -> &[Run] {
        self.runs
            .iter()
            .find(|(c, k, _)| *c == case && *k == client)
            .map_or(&[], |(_, _, runs)| runs.as_slice())
    }

    /// The median of a figure over the successful runs.
    fn median(
        &self,
        case: Case,
        client: Client,
        figure: impl Fn(&Sample) -> Option<f64>,
    ) -> Option<f64> {
        let values: Vec<f64> = self
            .runs(case, client)
            .iter()
            .filter_map(|r| r.as_ref().ok().and_then(&figure))
            .collect();
        Spread::of(&values).map(|s| s.median)
    }

    fn peak_mib(&self, case: Case, client: Client) -> Option<f64> {
        self.runs(case, client)
            .iter()
            .filter_map(|r| r.as_ref().ok().and_then(|s| s.peak_rss_kib))
            .max()
            .map(|kib| kib as f64 / 1024.0)
    }

    /// The target rows: for each case and each of our clients, throughput and CPU
    /// against OpenDAL; the peak RSS of our big upload and download.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for client in [Client::Tokio, Client::Blocking] {
            for case in Case::ALL {
                let what = format!("{}, {} vs OpenDAL", case.label(self.size), client.name());
                let ours = self.runs(case, client);
                let theirs = self.runs(case, Client::OpenDal);
                let rate_text = |k| {
                    self.median(case, k, |s| Some(s.rate()))
                        .map_or("—".to_owned(), |r| {
                            format!("{} {}", figure_text(r), case.unit())
                        })
                };
                let cpu_text = |k| {
                    self.median(case, k, |s| s.cpu_seconds)
                        .map_or("—".to_owned(), |c| format!("{c:.2} s CPU"))
                };
                let throughput = ratio_spread(ours, theirs, |s| Some(s.rate()));
                rows.push(Row {
                    what: format!("{what}, throughput"),
                    ours: rate_text(client),
                    reference: reference_text(rate_text(Client::OpenDal), &throughput),
                    measured: measured(&throughput),
                    goal: Goal::AtLeast(THROUGHPUT_GOAL),
                });
                let cpu = ratio_spread(ours, theirs, |s| s.cpu_seconds);
                rows.push(Row {
                    what: format!("{what}, CPU"),
                    ours: cpu_text(client),
                    reference: reference_text(cpu_text(Client::OpenDal), &cpu),
                    measured: measured(&cpu),
                    goal: Goal::AtMost(case.cpu_goal()),
                });
            }
            for case in [Case::Upload, Case::Download] {
                let failure = self
                    .runs(case, client)
                    .iter()
                    .find_map(|r| r.as_ref().err())
                    .cloned();
                let peak = self.peak_mib(case, client);
                let (text, measured) = match (failure, peak, self.runs(case, client).is_empty()) {
                    (_, _, true) => ("—".into(), Measured::Failed("not run".into())),
                    (Some(why), _, _) => ("—".into(), Measured::Failed(why)),
                    (None, Some(mib), _) => (format!("{mib:.1} MiB"), Measured::Value(mib)),
                    (None, None, _) => {
                        ("—".into(), Measured::Failed("peak RSS not measured".into()))
                    }
                };
                rows.push(Row {
                    what: format!("{}, {}, peak RSS", case.label(self.size), client.name()),
                    ours: text,
                    reference: "8 MiB × 8 parts + 32 MiB".into(),
                    measured,
                    goal: Goal::AtMostMiB(RSS_BOUND_MIB),
                });
            }
        }
        rows
    }

    /// The measurements behind the rows: one line per case and client.
    pub fn table(&self) -> String {
        let mut cells = Vec::new();
        for case in Case::ALL {
            for client in Client::ALL {
                let runs = self.runs(case, client);
                let failed = runs.iter().filter(|r| r.is_err()).count();
                let median = |figure: fn(&Sample) -> Option<f64>, digits: usize| {
                    self.median(case, client, figure)
                        .map_or("—".to_owned(), |v| format!("{v:.digits$}"))
                };
                let ratio = |figure: fn(&Sample) -> Option<f64>| {
                    if client == Client::OpenDal {
                        return "—".to_owned();
                    }
                    match ratio_spread(runs, self.runs(case, Client::OpenDal), figure) {
                        Ok(spread) => spread.text(),
                        Err(_) => "**failed**".to_owned(),
                    }
                };
                cells.push(vec![
                    case.label(self.size),
                    client.name().to_owned(),
                    median(|s| Some(s.seconds), 3),
                    self.median(case, client, |s| Some(s.rate()))
                        .map_or("—".to_owned(), |r| {
                            format!("{} {}", figure_text(r), case.unit())
                        }),
                    median(|s| s.cpu_seconds, 3),
                    self.peak_mib(case, client)
                        .map_or("—".to_owned(), |m| format!("{m:.1}")),
                    ratio(|s| Some(s.rate())),
                    ratio(|s| s.cpu_seconds),
                    if runs.is_empty() {
                        "**not run**".to_owned()
                    } else if failed == 0 {
                        format!("{} ok", runs.len())
                    } else {
                        let why = runs
                            .iter()
                            .find_map(|r| r.as_ref().err())
                            .cloned()
                            .unwrap_or_default();
                        format!("**{failed} failed**: {why}")
                    },
                ]);
            }
        }
        crate::bench_table::markdown(
            &[
                "case",
                "client",
                "median s",
                "throughput",
                "client CPU s",
                "peak RSS MiB",
                "throughput vs OpenDAL",
                "CPU vs OpenDAL",
                "runs",
            ],
            &cells,
        )
    }
}

fn figure_text(value: f64) -> String {
    if value >= 100.0 {
        thousands(value)
    } else {
        format!("{value:.1}")
    }
}

fn reference_text(theirs: String, spread: &Result<Spread, String>) -> String {
    match spread {
        Ok(s) => format!(
            "OpenDAL {theirs}; per round {}–{}×",
            ratio_text(s.min),
            ratio_text(s.max)
        ),
        Err(_) => format!("OpenDAL {theirs}"),
    }
}

fn measured(spread: &Result<Spread, String>) -> Measured {
    match spread {
        Ok(s) => Measured::Value(s.median),
        Err(why) => Measured::Failed(why.clone()),
    }
}

/// The rows of `--peer`, measured; a failure to set up gives a failed row, never a panic.
/// `size` is the big file's, `rounds` the number of rounds.
pub fn rows(root: &Path, size: u64, rounds: usize) -> (Vec<Row>, Option<Results>) {
    match measure(root, size, rounds) {
        Ok(results) => (results.rows(), Some(results)),
        Err(why) => {
            println!("bench: the OpenDAL rows could not run: {why}");
            let row = Row {
                what: "cos-tokio and cos-blocking vs OpenDAL".into(),
                ours: "—".into(),
                reference: "—".into(),
                measured: Measured::Failed(why),
                goal: Goal::AtLeast(THROUGHPUT_GOAL),
            };
            (vec![row], None)
        }
    }
}

/// Builds the three programs, starts the emulator, seeds it and runs the rounds.
pub fn measure(root: &Path, size: u64, rounds: usize) -> Result<Results, String> {
    let (target, emulator_bin, ours) = crate::bench_transfer::build_bench_programs(root)?;
    let theirs = build_opendal_bench(root, &target)?;
    // Beside the transfer rows' data (that folder is theirs to clear; this one is ours).
    let work = target.join("bench-transfer").join("peer");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;
    check_room(&work, size)?;
    let result = measure_in(&target, &work, &emulator_bin, ours, theirs, size, rounds);
    let _ = fs::remove_dir_all(&work);
    result
}

/// `cargo build --release --locked` of `bench/opendal`, into `TARGET/opendal-bench`.
fn build_opendal_bench(root: &Path, target: &Path) -> Result<PathBuf, String> {
    let manifest = root.join("bench").join("opendal").join("Cargo.toml");
    let target_dir = target.join("opendal-bench");
    println!(
        "==> cargo build --release --locked --manifest-path {} --target-dir {}",
        manifest.display(),
        target_dir.display()
    );
    let status = Command::new(cargo())
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("building cos-opendal-bench failed ({status})"));
    }
    let binary = target_dir
        .join("release")
        .join(format!("cos-opendal-bench{}", std::env::consts::EXE_SUFFIX));
    if binary.exists() {
        Ok(binary)
    } else {
        Err(format!("built, but {} does not exist", binary.display()))
    }
}

/// The programs, the emulator, the data and a checking client.
struct Peer {
    ours: PathBuf,
    theirs: PathBuf,
    endpoint: String,
    source: PathBuf,
    source_crc: u64,
    size: u64,
    download: PathBuf,
    check: cos_blocking::Client,
}

/// Where the seeded objects live.
const BIG_KEY: &str = "peer/big.bin";
const MANY_PREFIX: &str = "peer/many/";
const LIST_PREFIX: &str = "peer/list/";

fn measure_in(
    target: &Path,
    work: &Path,
    emulator_bin: &Path,
    ours: PathBuf,
    theirs: PathBuf,
    size: u64,
    rounds: usize,
) -> Result<Results, String> {
    let source = work.join("source.bin");
    println!(
        "==> bench: writing {} of test data to {}",
        size_label(size),
        source.display()
    );
    let source_crc = crate::bench_transfer::generate_source(&ours, &source, size)?;
    let log = target.join("bench-peer-emulator.log");
    let mut emulator = Emulator::start_with(emulator_bin, None, &log, EMULATOR_FLAGS)?;
    println!(
        "==> bench: emulator at {} (in memory, {}; log {})",
        emulator.endpoint,
        EMULATOR_FLAGS.join(" "),
        log.display()
    );
    let (_, _, check) = crate::bench_transfer::harness_client(&emulator.endpoint, BUCKET)?;
    let peer = Peer {
        ours,
        theirs,
        endpoint: emulator.endpoint.clone(),
        source,
        source_crc,
        size,
        download: work.join("download.bin"),
        check,
    };
    peer.seed()?;
    let mut runs: Vec<(Case, Client, Vec<Run>)> = Case::ALL
        .iter()
        .flat_map(|case| Client::ALL.map(|client| (*case, client, Vec::new())))
        .collect();
    for round in 0..rounds.max(1) {
        let order = round_order(round);
        println!(
            "==> bench: OpenDAL round {} of {} ({})",
            round + 1,
            rounds.max(1),
            order.map(Client::name).join(", ")
        );
        for case in Case::ALL {
            for client in order {
                let run = peer.one(case, client);
                match &run {
                    Ok(s) => println!(
                        "==> bench: {}, {}: {:.3} s, {} {}, CPU {}, peak RSS {}",
                        case.label(size),
                        client.name(),
                        s.seconds,
                        figure_text(s.rate()),
                        case.unit(),
                        s.cpu_seconds.map_or("—".into(), |c| format!("{c:.3} s")),
                        s.peak_rss_kib
                            .map_or("—".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
                    ),
                    Err(why) => println!(
                        "==> bench: {}, {}: failed: {why}",
                        case.label(size),
                        client.name()
                    ),
                }
                if let Some((_, _, list)) =
                    runs.iter_mut().find(|(c, k, _)| *c == case && *k == client)
                {
                    list.push(run);
                }
            }
        }
    }
    if let Some(status) = emulator.exited() {
        println!(
            "bench: the emulator stopped during the run ({status}); log {}",
            log.display()
        );
    }
    emulator.stop();
    Ok(Results {
        size,
        rounds: rounds.max(1),
        runs,
    })
}

impl Peer {
    /// The objects the reading cases read, written by cos-tokio (untimed).
    fn seed(&self) -> Result<(), String> {
        println!(
            "==> bench: seeding {BIG_KEY}, {MANY} objects under {MANY_PREFIX}, {LIST_KEYS} under {LIST_PREFIX}"
        );
        self.child(
            Client::Tokio,
            "upload",
            &["--key", BIG_KEY, "--file"],
            Some(&self.source),
        )?;
        self.check_object(BIG_KEY)?;
        let (many, many_size) = (MANY.to_string(), MANY_SIZE.to_string());
        self.child(
            Client::Tokio,
            "seed",
            &[
                "--prefix",
                MANY_PREFIX,
                "--count",
                &many,
                "--size",
                &many_size,
            ],
            None,
        )?;
        let (keys, folders) = (LIST_KEYS.to_string(), LIST_FOLDERS.to_string());
        self.child(
            Client::Tokio,
            "seed",
            &[
                "--prefix",
                LIST_PREFIX,
                "--count",
                &keys,
                "--size",
                "64",
                "--folders",
                &folders,
            ],
            None,
        )?;
        let listed = self.count_keys(LIST_PREFIX)?;
        if listed != LIST_KEYS {
            return Err(format!(
                "seeded {listed} keys under {LIST_PREFIX}, not {LIST_KEYS}"
            ));
        }
        Ok(())
    }

    /// Runs the program of `client` with `case`, the common flags and `args` (then
    /// `path`, when given); its JSON, peak RSS and CPU time.
    fn child(
        &self,
        client: Client,
        case: &str,
        args: &[&str],
        path: Option<&Path>,
    ) -> Result<(serde_json::Value, Option<u64>, Option<f64>), String> {
        let mut command = Command::new(match client {
            Client::OpenDal => &self.theirs,
            _ => &self.ours,
        });
        command
            .arg(case)
            .args(["--client", client.slug(), "--endpoint", &self.endpoint])
            .args([
                "--bucket",
                BUCKET,
                "--secret-id",
                SECRET_ID,
                "--secret-key",
                SECRET_KEY,
            ])
            .args(args);
        if let Some(path) = path {
            command.arg(path);
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
        let run = run_sampled(&mut command)?;
        Ok((run.json()?, run.peak_rss_kib, run.cpu_seconds))
    }

    /// One run of `case` by `client`, checked.
    fn one(&self, case: Case, client: Client) -> Run {
        let (many, many_size) = (MANY.to_string(), MANY_SIZE.to_string());
        let concurrency = CONCURRENCY.to_string();
        let upload_key = format!("peer/up-{}.bin", client.slug());
        let put_prefix = format!("peer/put-{}/", client.slug());
        let (json, sampled_rss, sampled_cpu) = match case {
            Case::Upload => self.child(
                client,
                "upload",
                &["--key", &upload_key, "--file"],
                Some(&self.source),
            )?,
            Case::Download => {
                let _ = fs::remove_file(&self.download);
                self.child(
                    client,
                    "download",
                    &["--key", BIG_KEY, "--file"],
                    Some(&self.download),
                )?
            }
            Case::GetMem => self.child(client, "get-mem", &["--key", BIG_KEY], None)?,
            Case::PutMany | Case::GetMany => {
                let prefix = if case == Case::PutMany {
                    put_prefix.as_str()
                } else {
                    MANY_PREFIX
                };
                let args = [
                    "--prefix",
                    prefix,
                    "--count",
                    &many,
                    "--size",
                    &many_size,
                    "--concurrency",
                    &concurrency,
                ];
                self.child(client, case.word(), &args, None)?
            }
            Case::List => self.child(client, "list", &["--prefix", LIST_PREFIX], None)?,
            Case::ListDelimiter => self.child(
                client,
                "list",
                &["--prefix", LIST_PREFIX, "--delimiter", "/"],
                None,
            )?,
        };
        let number = |name: &str| json.get(name).and_then(serde_json::Value::as_u64);
        let seconds = json
            .get("seconds")
            .and_then(serde_json::Value::as_f64)
            .ok_or("the child reported no time")?;
        let bytes = number("bytes").unwrap_or(0);
        // The check of what the run did; the work it is credited with.
        let work = match case {
            Case::Upload => {
                let checked = self.check_object(&upload_key);
                let _ = self.check.delete_object(&DeleteObject::new(&upload_key));
                checked?;
                self.expect_bytes(bytes)?
            }
            Case::Download => {
                let checked = self.check_download();
                let _ = fs::remove_file(&self.download);
                checked?;
                self.expect_bytes(bytes)?
            }
            Case::GetMem => {
                let crc = number("crc64");
                if crc != Some(self.source_crc) {
                    return Err(format!(
                        "got CRC-64 {crc:?} in memory; the object's is {}",
                        self.source_crc
                    ));
                }
                self.expect_bytes(bytes)?
            }
            Case::PutMany | Case::GetMany => {
                let objects = number("objects");
                let expected = (MANY as u64, (MANY * MANY_SIZE) as u64);
                if (objects, bytes) != (Some(expected.0), expected.1) {
                    return Err(format!(
                        "moved {objects:?} objects, {bytes} bytes; expected {} and {}",
                        expected.0, expected.1
                    ));
                }
                if case == Case::PutMany {
                    let listed = self.count_keys(&put_prefix)?;
                    if listed != MANY {
                        return Err(format!("{listed} keys under {put_prefix} after put-many"));
                    }
                }
                MANY as f64
            }
            Case::List | Case::ListDelimiter => {
                let seen = (number("keys"), number("prefixes"));
                let expected = if case == Case::List {
                    (LIST_KEYS as u64, 0)
                } else {
                    (LIST_KEYS as u64, LIST_FOLDERS as u64)
                };
                if seen != (Some(expected.0), Some(expected.1)) {
                    return Err(format!(
                        "listed {:?} keys and {:?} prefixes; expected {} and {}",
                        seen.0, seen.1, expected.0, expected.1
                    ));
                }
                LIST_KEYS as f64
            }
        };
        let reported_rss = number("peak_rss_kib");
        Ok(Sample {
            seconds,
            cpu_seconds: json
                .get("cpu_seconds")
                .and_then(serde_json::Value::as_f64)
                .or(sampled_cpu),
            peak_rss_kib: reported_rss.max(sampled_rss),
            work,
        })
    }

    /// The big file's MiB, when `bytes` is its size.
    fn expect_bytes(&self, bytes: u64) -> Result<f64, String> {
        if bytes == self.size {
            Ok(self.size as f64 / MIB)
        } else {
            Err(format!("moved {bytes} bytes of {}", self.size))
        }
    }

    /// The object has the source's size and CRC-64 (as the emulator computed them).
    fn check_object(&self, key: &str) -> Result<(), String> {
        crate::bench_transfer::check_uploaded(&self.check, key, self.size, self.source_crc)
    }

    /// The downloaded file has the source's size and CRC-64.
    fn check_download(&self) -> Result<(), String> {
        crate::bench_transfer::check_downloaded(
            &self.ours,
            &self.download,
            self.size,
            self.source_crc,
        )
    }

    /// The number of keys under `prefix`.
    fn count_keys(&self, prefix: &str) -> Result<usize, String> {
        let mut keys = 0;
        for page in self
            .check
            .list_objects_pages(ListObjects::new().prefix(prefix))
        {
            keys += page
                .map_err(|e| format!("listing {prefix}: {e}"))?
                .contents
                .len();
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench_table::Verdict;

    fn sample(seconds: f64, cpu: f64, work: f64) -> Run {
        Ok(Sample {
            seconds,
            cpu_seconds: Some(cpu),
            peak_rss_kib: Some(20 * 1024),
            work,
        })
    }

    /// Every case and client with the same runs, then `adjust` applied.
    fn results(rounds: usize, adjust: impl Fn(Case, Client, &mut Vec<Run>)) -> Results {
        let mut runs = Vec::new();
        for case in Case::ALL {
            for client in Client::ALL {
                let mut list: Vec<Run> = (0..rounds).map(|_| sample(1.0, 1.0, 100.0)).collect();
                adjust(case, client, &mut list);
                runs.push((case, client, list));
            }
        }
        Results {
            size: 1 << 30,
            rounds,
            runs,
        }
    }

    #[test]
    fn the_median_and_the_spread() {
        let s = Spread::of(&[3.0, 1.0, 2.0]).expect("figures");
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        let s = Spread::of(&[4.0, 1.0, 2.0, 3.0]).expect("figures");
        assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 4.0));
        assert_eq!(Spread::of(&[1.5]).map(|s| s.median), Some(1.5));
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(Spread::of(&[1.0, f64::NAN]), None);
        assert_eq!(s.text(), "2.5× (1.00–4.0)");
    }

    #[test]
    fn ratios_are_taken_round_by_round() {
        // Ours: 2, 1, 4 s for 100 MiB; theirs 1, 2, 2 s: rates 0.5, 2, 0.5 of theirs.
        let ours = vec![
            sample(2.0, 1.0, 100.0),
            sample(1.0, 1.0, 100.0),
            sample(4.0, 1.0, 100.0),
        ];
        let theirs = vec![
            sample(1.0, 2.0, 100.0),
            sample(2.0, 4.0, 100.0),
            sample(2.0, 1.0, 100.0),
        ];
        let rate = ratio_spread(&ours, &theirs, |s| Some(s.rate())).expect("ratios");
        assert_eq!((rate.median, rate.min, rate.max), (0.5, 0.5, 2.0));
        // Not the ratio of the medians (1.0 here): the median of the ratios.
        let cpu = ratio_spread(&ours, &theirs, |s| s.cpu_seconds).expect("ratios");
        assert_eq!((cpu.median, cpu.min, cpu.max), (0.5, 0.25, 1.0));
    }

    #[test]
    fn a_failed_or_missing_run_never_passes() {
        let good = vec![sample(1.0, 1.0, 100.0), sample(1.0, 1.0, 100.0)];
        let failed = vec![sample(1.0, 1.0, 100.0), Err("CRC-64 mismatch".to_owned())];
        assert!(ratio_spread(&good, &failed, |s| Some(s.rate())).is_err());
        assert!(ratio_spread(&failed, &good, |s| Some(s.rate())).is_err());
        assert!(ratio_spread(&good, &good[..1], |s| Some(s.rate())).is_err());
        assert!(ratio_spread(&[], &[], |s| Some(s.rate())).is_err());
        let no_cpu = vec![
            Ok(Sample {
                cpu_seconds: None,
                ..sample(1.0, 1.0, 100.0).expect("sample")
            });
            2
        ];
        assert!(ratio_spread(&good, &no_cpu, |s| s.cpu_seconds).is_err());
        let zero = vec![sample(1.0, 0.0, 100.0); 2];
        assert!(ratio_spread(&good, &zero, |s| s.cpu_seconds).is_err());

        // OpenDAL's get-mem failed once: both our get-mem rows fail, nothing else does.
        let results = results(3, |case, client, runs| {
            if case == Case::GetMem && client == Client::OpenDal {
                runs[1] = Err("connection refused".into());
            }
            if case == Case::Download && client == Client::Blocking {
                runs.clear();
            }
        });
        let rows = results.rows();
        let verdict = |what: &str| {
            rows.iter()
                .find(|r| r.what == what)
                .map(Row::verdict)
                .unwrap_or_else(|| panic!("no row {what}"))
        };
        assert_eq!(
            verdict("get-mem 1 GiB, cos-tokio vs OpenDAL, throughput"),
            Verdict::Failed
        );
        assert_eq!(
            verdict("get-mem 1 GiB, cos-blocking vs OpenDAL, CPU"),
            Verdict::Failed
        );
        assert_eq!(
            verdict("download 1 GiB, cos-blocking vs OpenDAL, throughput"),
            Verdict::Failed
        );
        assert_eq!(
            verdict("download 1 GiB, cos-blocking, peak RSS"),
            Verdict::Failed
        );
        let table = results.table();
        assert!(
            table.contains("**1 failed**: connection refused"),
            "{table}"
        );
        assert!(table.contains("**not run**"), "{table}");
    }

    #[test]
    fn the_verdicts_follow_the_goals() {
        // Ours twice as fast with 0.7× the CPU; cos-blocking's get-mem 1.1× OpenDAL's
        // throughput, and its upload's peak RSS over the bound.
        let measured = results(3, |case, client, runs| match client {
            Client::OpenDal => {}
            _ => {
                for run in runs.iter_mut() {
                    let mut s = sample(0.5, 0.7, 100.0).expect("sample");
                    if client == Client::Blocking && case == Case::GetMem {
                        s.seconds = 1.0 / 1.1;
                    }
                    if client == Client::Blocking && case == Case::Upload {
                        s.peak_rss_kib = Some(200 * 1024);
                    }
                    *run = Ok(s);
                }
            }
        });
        let rows = measured.rows();
        // Per client: 7 cases × (throughput, CPU) + 2 peak RSS.
        assert_eq!(rows.len(), 2 * (7 * 2 + 2));
        let row = |what: &str| {
            rows.iter()
                .find(|r| r.what == what)
                .unwrap_or_else(|| panic!("no row {what}"))
        };
        let up = row("upload 1 GiB, cos-tokio vs OpenDAL, throughput");
        assert_eq!(up.measured, Measured::Value(2.0));
        assert_eq!(up.verdict(), Verdict::Met);
        assert!(
            up.reference.contains("per round 2.0–2.0×"),
            "{}",
            up.reference
        );
        let cpu = row("list 10,000 keys, delimiter /, cos-tokio vs OpenDAL, CPU");
        assert_eq!(cpu.goal, Goal::AtMost(0.8));
        assert_eq!(cpu.verdict(), Verdict::Met);
        assert_eq!(
            row("download 1 GiB, cos-tokio vs OpenDAL, CPU").goal,
            Goal::AtMost(1.0)
        );
        assert_eq!(
            row("get-mem 1 GiB, cos-blocking vs OpenDAL, throughput").verdict(),
            Verdict::Missed
        );
        assert_eq!(
            row("upload 1 GiB, cos-blocking, peak RSS").verdict(),
            Verdict::Missed
        );
        assert_eq!(
            row("upload 1 GiB, cos-tokio, peak RSS").verdict(),
            Verdict::Met
        );
        assert_eq!(
            row("put-many 2,000 × 4 KiB, cos-tokio vs OpenDAL, throughput").ours,
            "200 objects/s"
        );
        // 0.7 s of CPU against 1 s: 0.7× meets ≤ 0.8× and ≤ 1×.
        assert!(
            rows.iter()
                .filter(|r| r.what.ends_with(", CPU"))
                .all(|r| r.verdict() == Verdict::Met)
        );
        // A CPU ratio of 0.9 misses ≤ 0.8× on upload but meets ≤ 1× on download.
        let one_round = results(1, |case, client, runs| {
            if client == Client::Tokio && matches!(case, Case::Upload | Case::Download) {
                runs[0] = sample(1.0, 0.9, 100.0);
            }
        });
        let rows = one_round.rows();
        let verdict = |what: &str| rows.iter().find(|r| r.what == what).map(Row::verdict);
        assert_eq!(
            verdict("upload 1 GiB, cos-tokio vs OpenDAL, CPU"),
            Some(Verdict::Missed)
        );
        assert_eq!(
            verdict("download 1 GiB, cos-tokio vs OpenDAL, CPU"),
            Some(Verdict::Met)
        );
    }

    #[test]
    fn parses_the_peer_flag() {
        let parse = |args: &[&str]| {
            crate::bench::Options::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        let peer = parse(&["--peer", "--quick"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(peer.peer && !peer.cli && !peer.micro);
        assert_eq!(peer.size, 128 << 20);
        assert_eq!((peer.runs, peer.peer_rounds), (1, 5));
        assert_eq!(peer.command_line(), "cargo xtask bench --peer --quick");
        let three = parse(&["--peer", "--runs", "3"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((three.runs, three.peer_rounds, three.size), (3, 3, 1 << 30));
        assert_eq!(three.command_line(), "cargo xtask bench --peer --runs 3");
        assert!(parse(&["--peer", "--cli"]).is_err());
        assert!(parse(&["--micro", "--peer"]).is_err());
        assert!(parse(&["--peer", "--runs", "0"]).is_err());
        let full = parse(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(!full.peer);
        assert_eq!(full.peer_rounds, crate::bench_peer::DEFAULT_ROUNDS);
    }

    #[test]
    fn the_order_rotates() {
        use Client::*;
        assert_eq!(round_order(0), [Tokio, Blocking, OpenDal]);
        assert_eq!(round_order(1), [Blocking, OpenDal, Tokio]);
        assert_eq!(round_order(2), [OpenDal, Tokio, Blocking]);
        assert_eq!(round_order(3), round_order(0));
    }

    #[test]
    fn labels_and_goals() {
        assert_eq!(Case::Upload.label(128 << 20), "upload 128 MiB");
        assert_eq!(Case::GetMany.label(1 << 30), "get-many 2,000 × 4 KiB");
        assert_eq!(
            Case::ListDelimiter.label(1 << 30),
            "list 10,000 keys, delimiter /"
        );
        let cpu: Vec<f64> = Case::ALL.iter().map(|c| c.cpu_goal()).collect();
        assert_eq!(cpu, [0.8, 1.0, 1.0, 0.8, 0.8, 0.8, 0.8]);
        assert_eq!(figure_text(1234.4), "1,234");
        assert_eq!(figure_text(12.34), "12.3");
    }
}
