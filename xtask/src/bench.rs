//! `cargo xtask bench [--micro | --cli | --transfers | --peer] [--quick] [--runs N] [--write]`: every performance target
//! of the project, measured and checked, as one markdown report.
//!
//! * CPU-bound rows ([`crate::bench_micro`]): sign+build a PutObject request and parse a
//!   1000-key listing against the official Python SDK (median process CPU time per
//!   operation, goals 50× and 30×), AES-256-CTR against `openssl speed` (goal 0.8×).
//! * Transfer rows ([`crate::bench_transfer`]): `upload_file` and `download_file` of
//!   1 GiB (`--quick`: 128 MiB) through cos-tokio and cos-blocking with the default
//!   options, against the Python SDK's `upload_file`/`download_file` and a raw `curl`
//!   PUT/GET, on an emulator that skips the MD5 of bodies (`--bench-no-hash`) over
//!   loopback: client CPU per GiB (goals 0.33× the SDK's, 1× curl's for downloads),
//!   throughput (goal 1× curl's) and peak RSS (goal 8 MiB × 8 + 32 MiB = 96 MiB); then
//!   cos-tokio's throughput against curl's on the full emulator (goal 0.8×).
//! * CLI rows ([`crate::bench_cli`]): the `cos` binary against coscmd — a tree of 2,000
//!   files of 4 KiB up and down (goal 5× the files per second), one 1 GiB file up and
//!   down (goal 2×), and the peak RSS of `cos ls -r` over 100,000 keys (goal 64 MiB).
//! * OpenDAL rows ([`crate::bench_peer`]): cos-tokio and cos-blocking against Apache
//!   OpenDAL's COS service — 1 GiB up, down and into memory, 2,000 objects of 4 KiB up
//!   and down, 10,000 keys listed flat and folder by folder — in alternating rounds, the
//!   median of the per-round ratios (goals: throughput 1.2×, CPU 0.8× or 1×; peak RSS).
//!
//! `--micro` runs the CPU-bound rows only, `--cli` the CLI rows only, `--transfers` the
//! transfer rows only, `--peer` the OpenDAL rows only. `--runs N` runs N rounds of the
//! transfers, every client once per round in rotating order, and reports the median of
//! the per-round ratios with their spread (default 1); it also sets the rounds of the
//! OpenDAL rows (default [`crate::bench_peer::DEFAULT_ROUNDS`]). `--write` also replaces the generated section of
//! `BENCHMARKS.md`. The report starts with the machine and its load, and closes with
//! `bench: N passed, M failed` (`, K skipped` when openssl, curl or Python is missing);
//! the exit status is a failure when a target is missed or a measurement fails.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::bench_table::{civil_date, closing_line, counts, replace_section, targets_table};
use crate::bench_transfer::size_label;
use crate::interop::ensure_venv;

const USAGE: &str = "usage: cargo xtask bench [--micro | --cli | --transfers | --peer] [--quick] [--runs N] [--write]";
/// The markers of the generated section of `BENCHMARKS.md`.
pub const BEGIN: &str = "<!-- cargo xtask bench --write: begin -->";
/// See [`BEGIN`].
pub const END: &str = "<!-- cargo xtask bench --write: end -->";

/// What the transfer rows run, under their table.
const TRANSFER_SETTINGS: &str = "
cos-tokio and cos-blocking: `upload_file`/`download_file` with the default \
`TransferOptions` (8 MiB parts, 8 in flight; cos-tokio on a multi-threaded runtime with \
one worker per core). Python SDK: `CosS3Client.upload_file`/`download_file` with their \
default arguments (upload: 1 MB parts, `MAXThread=5`; download: 20 MB ranges, \
`MAXThread=5`). curl: one PUT (`-T`) and one GET (`-o`) with presigned URLs. All against \
a `cos-emulator` (release, in memory) on 127.0.0.1, started with `--bench-no-hash` (bodies \
stored without their MD5; CRC-64 still computed) except for the rows marked full; every \
upload checked by size and CRC-64, every download by the CRC-64 of the file. Runs in \
rounds, every client once per round, the first client rotating; the ratios are the \
median of the per-round ratios, with their range.
";

/// The command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// CPU-bound rows only.
    pub micro: bool,
    /// The CLI rows only.
    pub cli: bool,
    /// The transfer rows only.
    pub transfers: bool,
    /// The OpenDAL rows only.
    pub peer: bool,
    /// Bytes per transfer.
    pub size: u64,
    /// Rounds of transfers (every client once per round).
    pub runs: usize,
    /// Rounds of the OpenDAL rows: `--runs`, else [`crate::bench_peer::DEFAULT_ROUNDS`].
    pub peer_rounds: usize,
    /// Rewrite the section of `BENCHMARKS.md`.
    pub write: bool,
}

impl Options {
    /// Parses the arguments after `bench`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            micro: false,
            cli: false,
            transfers: false,
            peer: false,
            size: 1 << 30,
            runs: 1,
            peer_rounds: crate::bench_peer::DEFAULT_ROUNDS,
            write: false,
        };
        let mut quick = false;
        let mut runs = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--micro" => options.micro = true,
                "--cli" => options.cli = true,
                "--transfers" => options.transfers = true,
                "--peer" => options.peer = true,
                "--quick" => quick = true,
                "--write" => options.write = true,
                "--runs" => {
                    runs = args
                        .next()
                        .and_then(|n| n.parse().ok())
                        .filter(|n| *n > 0)
                        .ok_or("--runs needs a positive number")
                        .map(Some)?;
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        if quick && options.micro {
            return Err("--quick and --micro exclude each other".into());
        }
        if [options.micro, options.cli, options.transfers, options.peer]
            .iter()
            .filter(|on| **on)
            .count()
            > 1
        {
            return Err("--micro, --cli, --transfers and --peer exclude each other".into());
        }
        if let Some(runs) = runs {
            options.runs = runs;
            options.peer_rounds = runs;
        }
        if options.write && (options.micro || options.cli || options.transfers || options.peer) {
            return Err("--write replaces the whole table: it needs the full run".into());
        }
        if quick {
            options.size = 128 << 20;
        }
        Ok(options)
    }

    /// How the command was run, for the report.
    pub fn command_line(&self) -> String {
        let mut line = String::from("cargo xtask bench");
        if self.micro {
            line.push_str(" --micro");
        } else if self.cli {
            line.push_str(" --cli");
        } else if self.transfers {
            line.push_str(" --transfers");
        } else if self.peer {
            line.push_str(" --peer");
        }
        if !self.micro && self.size != 1 << 30 {
            line.push_str(" --quick");
        }
        if self.runs != 1 {
            let _ = write!(line, " --runs {}", self.runs);
        }
        line
    }
}

/// Runs the command; see the module documentation.
pub fn run(args: &[String]) -> ExitCode {
    let options = match Options::parse(args) {
        Ok(options) => options,
        Err(why) => {
            eprintln!("cargo xtask bench: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let since = SystemTime::now();
    let root = crate::ci::workspace_root();
    let load_before = load_average();
    let python = if options.peer {
        Err("not used by --peer".to_owned())
    } else {
        ensure_venv(&root.join("target").join("interop-venv"))
    };
    if let (Err(why), false) = (&python, options.peer) {
        println!("bench: no Python SDK, its rows are skipped: {why}");
    }

    let mut rows = Vec::new();
    if !options.cli && !options.transfers && !options.peer {
        match crate::bench_micro::run_criterion(&root) {
            Ok(()) => {}
            Err(why) => println!("bench: {why}"),
        }
        rows.extend(crate::bench_micro::rows(&root, since, &python));
    }
    let mut transfers = None;
    if !options.micro && !options.cli && !options.peer {
        match crate::bench_transfer::measure(&root, options.size, options.runs, python.clone()) {
            Ok(results) => {
                rows.extend(results.rows());
                transfers = Some(results);
            }
            Err(why) => {
                println!("bench: the transfers could not run: {why}");
                rows.push(crate::bench_table::Row {
                    what: format!("transfers of {}", size_label(options.size)),
                    ours: "—".into(),
                    reference: "—".into(),
                    measured: crate::bench_table::Measured::Failed(why),
                    goal: crate::bench_table::Goal::AtLeast(1.0),
                });
            }
        }
    }

    if !options.micro && !options.transfers && !options.peer {
        rows.extend(crate::bench_cli::rows(&root, options.size, &python));
    }
    let mut peer = None;
    if !options.micro && !options.cli && !options.transfers {
        let (peer_rows, results) =
            crate::bench_peer::rows(&root, options.size, options.peer_rounds);
        rows.extend(peer_rows);
        peer = results;
    }

    let mut machine = Machine::probe(python.as_ref().ok().map(PathBuf::as_path));
    if options.peer {
        "Python: not used by --peer".clone_into(&mut machine.python);
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "`{}` on {} — {}; load average {} before, {} after; {:.0} s in all.\n",
        options.command_line(),
        civil_date(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        ),
        machine.summary(),
        load_before,
        load_average(),
        started.elapsed().as_secs_f64(),
    );
    report.push_str(&targets_table(&rows));
    if let Some(results) = &transfers {
        let _ = writeln!(
            report,
            "\nThe transfers ({} round{} against each emulator; per client the run of median time, \
             the largest peak RSS):\n",
            results.runs,
            if results.runs == 1 { "" } else { "s" }
        );
        report.push_str(&results.table());
        report.push_str(TRANSFER_SETTINGS);
    }
    if !options.micro && !options.transfers && !options.peer {
        report.push_str(crate::bench_cli::CLI_SETTINGS);
    }
    if let Some(results) = &peer {
        let _ = writeln!(
            report,
            "\nThe OpenDAL rows ({} round{}; medians, the largest peak RSS; ratios ours/OpenDAL, \
             the median of the per-round ratios and their range):\n",
            results.rounds,
            if results.rounds == 1 { "" } else { "s" }
        );
        report.push_str(&results.table());
        report.push_str(crate::bench_peer::PEER_SETTINGS);
    }
    let _ = write!(report, "\nMachine:\n\n{}", machine.details());
    println!("\n{report}");

    let mut write_failed = false;
    if options.write {
        let path = root.join("BENCHMARKS.md");
        match write_section(&path, &report) {
            Ok(()) => println!("bench: wrote the table into {}", path.display()),
            Err(why) => {
                println!("bench: {why}");
                write_failed = true;
            }
        }
    }
    println!("{}", closing_line(&rows));
    let (_, failed, _) = counts(&rows);
    if failed == 0 && !write_failed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn write_section(path: &Path, report: &str) -> Result<(), String> {
    let document = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let updated = replace_section(&document, BEGIN, END, report)
        .ok_or_else(|| format!("{} has no {BEGIN} … {END} section", path.display()))?;
    fs::write(path, updated).map_err(|e| format!("{}: {e}", path.display()))
}

/// `/proc/loadavg`'s 1-minute figure.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// What the figures were measured on.
#[derive(Debug, Default)]
struct Machine {
    cpu: String,
    cores: usize,
    ram_gib: f64,
    kernel: String,
    rustc: String,
    python: String,
    curl: String,
    openssl: String,
}

impl Machine {
    fn probe(python: Option<&Path>) -> Machine {
        let first_line = |program: &Path, args: &[&str]| {
            Command::new(program)
                .args(args)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .next()
                        .map(|l| l.trim().to_owned())
                })
                .unwrap_or_else(|| "not found".into())
        };
        let cpu = Command::new("lscpu")
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .find_map(|l| l.strip_prefix("Model name:").map(|m| m.trim().to_owned()))
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let ram_kib: f64 = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0.0);
        let python = python.map_or_else(
            || "not found".into(),
            |p| {
                first_line(
                    p,
                    &[
                        "-c",
                        "import sys, importlib.metadata as m; print('Python', \
                         sys.version.split()[0], '+ cos-python-sdk-v5', m.version('cos-python-sdk-v5'))",
                    ],
                )
            },
        );
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            ram_gib: ram_kib / 1024.0 / 1024.0,
            kernel: fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| std::env::consts::OS.into()),
            rustc: first_line(Path::new(&rustc), &["-V"]),
            python,
            curl: first_line(Path::new("curl"), &["--version"])
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_owned(),
            openssl: first_line(Path::new("openssl"), &["version"]),
        }
    }

    fn summary(&self) -> String {
        format!(
            "{}, {} cores, {:.0} GiB",
            self.cpu, self.cores, self.ram_gib
        )
    }

    /// A markdown list.
    fn details(&self) -> String {
        format!(
            "* CPU: {} ({} cores)\n* RAM: {:.0} GiB\n* kernel: Linux {}\n* {}\n* {}\n* {}\n\
             * {}\n",
            self.cpu,
            self.cores,
            self.ram_gib,
            self.kernel,
            self.rustc,
            self.python,
            self.curl,
            self.openssl
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_the_flags() {
        let full = parse(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (full.micro, full.size, full.runs, full.write),
            (false, 1 << 30, 1, false)
        );
        assert_eq!(full.command_line(), "cargo xtask bench");
        let quick = parse(&["--quick", "--runs", "3", "--write"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((quick.size, quick.runs, quick.write), (128 << 20, 3, true));
        assert_eq!(quick.command_line(), "cargo xtask bench --quick --runs 3");
        let micro = parse(&["--micro"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(micro.micro);
        assert_eq!(micro.command_line(), "cargo xtask bench --micro");
        assert!(parse(&["--runs", "0"]).is_err());
        assert!(parse(&["--runs"]).is_err());
        assert!(parse(&["--quick", "--micro"]).is_err());
        assert!(parse(&["--fast"]).is_err());
        let cli = parse(&["--cli", "--quick"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(cli.cli && !cli.micro);
        assert_eq!(cli.command_line(), "cargo xtask bench --cli --quick");
        assert!(parse(&["--cli", "--micro"]).is_err());
        let transfers =
            parse(&["--quick", "--transfers", "--runs", "3"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(transfers.transfers && !transfers.cli && !transfers.micro);
        assert_eq!(
            transfers.command_line(),
            "cargo xtask bench --transfers --quick --runs 3"
        );
        assert!(parse(&["--transfers", "--cli"]).is_err());
        assert!(parse(&["--transfers", "--micro"]).is_err());
        assert!(parse(&["--transfers", "--peer"]).is_err());
        let peer = parse(&["--peer", "--runs", "2"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((peer.peer, peer.peer_rounds), (true, 2));
        for partial in ["--micro", "--cli", "--transfers", "--peer"] {
            assert!(parse(&[partial, "--write"]).is_err(), "{partial} --write");
        }
    }
}
