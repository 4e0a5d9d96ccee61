//! The throughput rows of `cargo xtask bench`: `upload_file` and `download_file` of one
//! file through cos-tokio, cos-blocking, the official Python SDK and a raw `curl`, against
//! one `cos-emulator` (release build, in-memory store) on 127.0.0.1.
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
//! Every upload is checked with a HEAD (size and CRC-64 as the emulator computed them),
//! every download by the CRC-64 of the file written; a mismatch fails the row. Each
//! client uploads, then downloads its own object, `runs` times; the row takes the run of
//! median time and the largest peak RSS. Downloaded files are removed after each run, the
//! object after the client's last run, the work folder at the end.

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

use crate::bench_table::{Goal, MIB, Measured, Row, mib_per_s, thousands};
use crate::interop::{Emulator, SECRET_ID, SECRET_KEY, build_emulator, target_dir};

/// The bucket of the transfers (the emulator creates it on first use).
pub const BUCKET: &str = "bench-1250000000";
/// The peak RSS our clients must stay under with the default options: 8 parts of 8 MiB
/// in flight, plus 32 MiB for the program itself.
pub const RSS_BOUND_MIB: f64 = (DEFAULT_PART_SIZE * 8) as f64 / MIB + 32.0;
/// Speed-up over the Python SDK to reach.
pub const PYTHON_GOAL: f64 = 3.0;
/// Share of curl's throughput to reach.
pub const CURL_GOAL: f64 = 0.8;
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
}

/// The result of one client and direction: the transfer, or why there is none
/// ([`Measured::Skipped`] or [`Measured::Failed`]).
pub type Outcome = Result<Transfer, Measured>;

/// Every outcome of a run of the throughput part.
#[derive(Debug, Clone)]
pub struct Results {
    /// The file's size.
    pub size: u64,
    /// Runs per client and direction.
    pub runs: usize,
    /// One per client and direction.
    pub outcomes: Vec<(Client, Direction, Outcome)>,
}

impl Results {
    fn get(&self, client: Client, direction: Direction) -> Outcome {
        self.outcomes
            .iter()
            .find(|(c, d, _)| *c == client && *d == direction)
            .map(|(_, _, o)| o.clone())
            .unwrap_or_else(|| Err(Measured::Failed("not run".into())))
    }

    /// The target rows: for each of our clients and direction, the speed-up over the
    /// Python SDK, the share of curl's throughput and the peak RSS.
    pub fn rows(&self) -> Vec<Row> {
        let size = size_label(self.size);
        let rate = |o: Outcome| o.map(|t| (t.rate(), format!("{:.0} MiB/s", t.rate())));
        let mut rows = Vec::new();
        for client in [Client::Tokio, Client::Blocking] {
            for direction in Direction::ALL {
                let ours = self.get(client, direction);
                let what = format!("{} {size}, {}", direction.call(), client.name());
                for (reference, goal) in [(Client::Python, PYTHON_GOAL), (Client::Curl, CURL_GOAL)]
                {
                    let theirs = rate(self.get(reference, direction))
                        .map(|(v, text)| (v, format!("{} {text}", reference.name())));
                    rows.push(Row::ratio(
                        format!("{what} vs {}", reference.name()),
                        rate(ours.clone()),
                        theirs,
                        false,
                        goal,
                    ));
                }
                let (text, measured) = match &ours {
                    Ok(Transfer {
                        peak_rss_kib: Some(kib),
                        ..
                    }) => {
                        let mib = *kib as f64 / 1024.0;
                        (format!("{mib:.1} MiB"), Measured::Value(mib))
                    }
                    Ok(_) => ("—".into(), Measured::Failed("peak RSS not measured".into())),
                    Err(why) => ("—".into(), why.clone()),
                };
                rows.push(Row {
                    what: format!("{what}, peak RSS"),
                    ours: text,
                    reference: "8 MiB × 8 parts + 32 MiB".into(),
                    measured,
                    goal: Goal::AtMostMiB(RSS_BOUND_MIB),
                });
            }
        }
        rows
    }

    /// The measurements behind the rows, one line per client and direction.
    pub fn table(&self) -> String {
        let opt = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{v:.2}"));
        let mut cells = Vec::new();
        for direction in Direction::ALL {
            for client in Client::ALL {
                let first = vec![
                    format!("{} {}", direction.word(), size_label(self.size)),
                    client.name().to_owned(),
                ];
                let rest = match self.get(client, direction) {
                    Ok(t) => vec![
                        format!("{:.2}", t.seconds),
                        thousands(t.rate()),
                        opt(t.client_cpu),
                        opt(t.emulator_cpu),
                        t.peak_rss_kib
                            .map_or("—".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
                        "ok".into(),
                    ],
                    Err(why) => {
                        let mut v = vec!["—".to_owned(); 5];
                        v.push(match why {
                            Measured::Skipped(why) => format!("skipped: {why}"),
                            Measured::Failed(why) => format!("**failed**: {why}"),
                            Measured::Value(_) => "**failed**".to_owned(),
                        });
                        v
                    }
                };
                cells.push(first.into_iter().chain(rest).collect());
            }
        }
        crate::bench_table::markdown(
            &[
                "transfer",
                "client",
                "seconds",
                "MiB/s",
                "client CPU s",
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
    let target = target_dir(root);
    let emulator_bin = build_emulator(
        root,
        &target,
        true,
        &["-p", "cos-bench", "--bin", "cos-bench"],
    )?;
    let driver = target
        .join("release")
        .join(format!("cos-bench{}", std::env::consts::EXE_SUFFIX));
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
    let generated = run_sampled(
        Command::new(&driver)
            .arg("gen")
            .arg(&source)
            .arg(size.to_string()),
    )?;
    let source_crc = generated
        .json()?
        .get("crc64")
        .and_then(serde_json::Value::as_u64)
        .ok_or("cos-bench gen printed no crc64")?;

    let log = target.join("bench-emulator.log");
    let emulator = Emulator::start(emulator_bin, None, &log)?;
    println!(
        "==> bench: emulator at {} (in memory; log {})",
        emulator.endpoint,
        log.display()
    );
    let authority = emulator.endpoint.trim_start_matches("http://").to_owned();
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(&authority)
        .build()
        .map_err(|e| e.to_string())?;
    let credentials = Credentials::new(SECRET_ID, SECRET_KEY).map_err(|e| e.to_string())?;
    let check = cos_blocking::Client::builder(config.clone())
        .credentials(cos_blocking::StaticCredentials::new(credentials.clone()))
        .proxy_from_env(false)
        .build()
        .map_err(|e| e.to_string())?;
    let curl = match Command::new("curl").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!("curl --version: {}", out.status)),
        Err(e) => Err(format!("no curl ({e})")),
    };
    let mut bench = Bench {
        driver,
        python: python.map(|p| (p, root.join("bench").join("python_transfer.py"))),
        curl,
        emulator,
        config,
        credentials,
        source,
        source_crc,
        size,
        download: work.join("download.bin"),
        check,
    };
    let mut outcomes = Vec::new();
    for client in Client::ALL {
        let [up, down] = bench.client_runs(client, runs);
        outcomes.push((client, Direction::Upload, up));
        outcomes.push((client, Direction::Download, down));
    }
    if let Some(status) = bench.emulator.exited() {
        println!(
            "bench: the emulator stopped during the run ({status}); log {}",
            log.display()
        );
    }
    bench.emulator.stop();
    Ok(Results {
        size,
        runs,
        outcomes,
    })
}

impl Bench {
    /// `runs` round trips of one client; the median of each direction.
    fn client_runs(&mut self, client: Client, runs: usize) -> [Outcome; 2] {
        let unavailable = match (client, &self.python, &self.curl) {
            (Client::Python, Err(why), _) | (Client::Curl, _, Err(why)) => Some(why.clone()),
            _ => None,
        };
        if let Some(why) = unavailable {
            println!("==> bench: {}: skipped ({why})", client.name());
            return [
                Err(Measured::Skipped(why.clone())),
                Err(Measured::Skipped(why)),
            ];
        }
        let key = format!("bench/{}.bin", client.slug());
        let (mut ups, mut downs) = (Vec::new(), Vec::new());
        let mut failure: [Option<String>; 2] = [None, None];
        for _ in 0..runs.max(1) {
            match self.one(client, Direction::Upload, &key) {
                Ok(t) => ups.push(t),
                Err(why) => {
                    failure[0] = Some(why);
                    failure[1] = Some("its upload failed".into());
                    break;
                }
            }
            match self.one(client, Direction::Download, &key) {
                Ok(t) => downs.push(t),
                Err(why) => {
                    failure[1] = Some(why);
                    break;
                }
            }
        }
        let _ = self.check.delete_object(&DeleteObject::new(&key));
        let [up_failure, down_failure] = failure;
        [
            up_failure.map_or_else(|| Ok(median(ups)), |why| Err(Measured::Failed(why))),
            down_failure.map_or_else(|| Ok(median(downs)), |why| Err(Measured::Failed(why))),
        ]
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
        let info = self
            .check
            .head_object(&HeadObject::new(key))
            .map_err(|e| format!("HEAD after the upload: {e}"))?;
        if info.content_length != Some(self.size) || info.crc64 != Some(self.source_crc) {
            return Err(format!(
                "the uploaded object has {:?} bytes, CRC-64 {:?}; the file {} bytes, CRC-64 {}",
                info.content_length, info.crc64, self.size, self.source_crc
            ));
        }
        Ok(())
    }

    /// The downloaded file has the source's size and CRC-64.
    fn check_download(&self) -> Result<(), String> {
        let out = run_sampled(Command::new(&self.driver).arg("crc64").arg(&self.download))?;
        let json = out.json()?;
        let bytes = json.get("bytes").and_then(serde_json::Value::as_u64);
        let crc = json.get("crc64").and_then(serde_json::Value::as_u64);
        if bytes != Some(self.size) || crc != Some(self.source_crc) {
            return Err(format!(
                "the downloaded file has {bytes:?} bytes, CRC-64 {crc:?}; the object {} bytes, \
                 CRC-64 {}",
                self.size, self.source_crc
            ));
        }
        Ok(())
    }
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

    fn results(outcomes: Vec<(Client, Direction, Outcome)>) -> Results {
        Results {
            size: 1 << 30,
            runs: 1,
            outcomes,
        }
    }

    #[test]
    fn the_bound_is_eight_parts_and_32_mib() {
        assert_eq!(RSS_BOUND_MIB, 96.0);
    }

    #[test]
    fn each_of_our_transfers_has_three_targets() {
        use Client::*;
        let mut outcomes = Vec::new();
        for d in Direction::ALL {
            outcomes.push((Tokio, d, Ok(transfer(1.0, 50)))); // 1024 MiB/s
            outcomes.push((Blocking, d, Ok(transfer(2.0, 120)))); // 512 MiB/s, too big
            outcomes.push((Python, d, Ok(transfer(4.0, 300)))); // 256 MiB/s
            outcomes.push((Curl, d, Ok(transfer(1.1, 5)))); // 931 MiB/s
        }
        let rows = results(outcomes).rows();
        assert_eq!(rows.len(), 12);
        let find = |what: &str| {
            rows.iter()
                .find(|r| r.what == what)
                .unwrap_or_else(|| panic!("no row {what}"))
        };
        let row = find("upload_file 1 GiB, cos-tokio vs Python SDK");
        assert_eq!(row.measured, Measured::Value(4.0));
        assert_eq!(row.verdict(), Verdict::Met);
        let row = find("download_file 1 GiB, cos-tokio vs curl");
        assert!(matches!(row.measured, Measured::Value(v) if (v - 1.1).abs() < 1e-9));
        assert_eq!(row.verdict(), Verdict::Met);
        assert_eq!(
            find("upload_file 1 GiB, cos-blocking vs Python SDK").verdict(),
            Verdict::Missed
        );
        assert_eq!(
            find("upload_file 1 GiB, cos-blocking vs curl").verdict(),
            Verdict::Missed
        );
        let row = find("download_file 1 GiB, cos-blocking, peak RSS");
        assert_eq!(row.measured, Measured::Value(120.0));
        assert_eq!(row.verdict(), Verdict::Missed);
        assert_eq!(
            find("download_file 1 GiB, cos-tokio, peak RSS").verdict(),
            Verdict::Met
        );
    }

    #[test]
    fn a_failed_or_missing_transfer_never_passes() {
        use Client::*;
        use Direction::*;
        let outcomes = vec![
            (Tokio, Upload, Ok(transfer(1.0, 50))),
            (
                Tokio,
                Download,
                Err(Measured::Failed("CRC-64 mismatch".into())),
            ),
            (Python, Upload, Err(Measured::Skipped("no python3".into()))),
            (Curl, Upload, Ok(transfer(1.0, 5))),
        ];
        let results = results(outcomes);
        let rows = results.rows();
        let verdict = |what: &str| rows.iter().find(|r| r.what == what).map(Row::verdict);
        assert_eq!(
            verdict("upload_file 1 GiB, cos-tokio vs Python SDK"),
            Some(Verdict::Skipped)
        );
        assert_eq!(
            verdict("upload_file 1 GiB, cos-tokio vs curl"),
            Some(Verdict::Met)
        );
        assert_eq!(
            verdict("download_file 1 GiB, cos-tokio vs curl"),
            Some(Verdict::Failed)
        );
        assert_eq!(
            verdict("download_file 1 GiB, cos-tokio, peak RSS"),
            Some(Verdict::Failed)
        );
        // Blocking was never run: failed, not skipped.
        assert_eq!(
            verdict("upload_file 1 GiB, cos-blocking vs curl"),
            Some(Verdict::Failed)
        );
        let table = results.table();
        assert!(table.contains("**failed**: CRC-64 mismatch"), "{table}");
        assert!(table.contains("skipped: no python3"), "{table}");
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
