//! `cargo xtask fuzz [--seconds N] [--target NAME]... [--sanitizer address|none]`: runs
//! every cargo-fuzz target of `fuzz/` for N seconds each, one after the other, and prints
//! one line per target (executions, crashes) closing with `fuzz: N passed, M failed`.
//!
//! cargo-fuzz is installed when missing (`cargo install cargo-fuzz --locked`). The targets
//! are built with the installed toolchain and `RUSTC_BOOTSTRAP=1` (cargo-fuzz needs the
//! sanitizer-coverage flags that only nightly accepts), optimised, with debug assertions
//! (overflow checks) on. New corpus entries go to `<target dir>/fuzz-corpus/<target>/`;
//! the committed seeds in `fuzz/corpus/<target>/` are only read. A crash leaves its input
//! in `fuzz/artifacts/<target>/`: fix it, and commit that file as the regression input
//! that `crates/cos-fuzz/tests/corpus_replay.rs` replays.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use super::interop::{cargo, target_dir};

/// What `cargo xtask fuzz` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Seconds per target.
    pub seconds: u64,
    /// The targets to run; all when empty.
    pub targets: Vec<String>,
    /// The sanitizer (`address`, `none`, ...).
    pub sanitizer: String,
}

impl Options {
    /// Parses the arguments after `fuzz`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options {
            seconds: 60,
            targets: Vec::new(),
            sanitizer: "address".to_owned(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match arg.as_str() {
                "--seconds" => {
                    let text = value("--seconds")?;
                    options.seconds = text
                        .parse()
                        .map_err(|_| format!("--seconds {text}: not a number"))?;
                }
                "--target" => options.targets.push(value("--target")?),
                "--sanitizer" => options.sanitizer = value("--sanitizer")?,
                other => return Err(format!("unknown argument {other}")),
            }
        }
        for target in &options.targets {
            if cos_fuzz::target(target).is_none() {
                return Err(format!("no fuzz target {target}"));
            }
        }
        Ok(options)
    }
}

/// The result of one target's run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// `stat::number_of_executed_units`.
    pub execs: Option<u64>,
    /// The seconds libFuzzer ran (`Done N runs in T second(s)`).
    pub seconds: Option<u64>,
    /// `stat::new_units_added`: inputs that reached new code.
    pub new_units: Option<u64>,
    /// `true` when libFuzzer found a crash, a timeout or an out-of-memory input.
    pub crashed: bool,
    /// Where libFuzzer wrote the failing input.
    pub artifact: Option<String>,
}

/// Reads libFuzzer's output (run with `-print_final_stats=1`).
pub fn parse_output(output: &str) -> Report {
    let mut report = Report::default();
    for line in output.lines() {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            report.execs = n.trim().parse().ok();
        }
        if let Some(n) = line.strip_prefix("stat::new_units_added:") {
            report.new_units = n.trim().parse().ok();
        }
        if let Some(rest) = line.strip_prefix("Done ")
            && let Some((_, time)) = rest.split_once(" runs in ")
        {
            report.seconds = time.split_whitespace().next().and_then(|t| t.parse().ok());
        }
        if line.contains("==ERROR: libFuzzer")
            || line.contains("ERROR: AddressSanitizer")
            || line.contains("deadly signal")
            || line.starts_with("thread '") && line.contains("panicked")
        {
            report.crashed = true;
        }
        if let Some(rest) = line.split("Test unit written to ").nth(1) {
            report.crashed = true;
            report.artifact = Some(rest.trim().to_owned());
        }
    }
    report
}

/// Runs the command; see the module documentation.
pub fn run(args: &[String]) -> ExitCode {
    let options = match Options::parse(args) {
        Ok(options) => options,
        Err(why) => {
            eprintln!("cargo xtask fuzz: {why}");
            eprintln!(
                "usage: cargo xtask fuzz [--seconds N] [--target NAME]... [--sanitizer address|none]"
            );
            return ExitCode::from(2);
        }
    };
    let root = super::ci::workspace_root();
    if let Err(why) = ensure_cargo_fuzz() {
        println!("fuzz: cannot install cargo-fuzz: {why}");
        println!("fuzz: 0 passed, 1 failed");
        return ExitCode::FAILURE;
    }
    let target = target_dir(&root);
    let build_dir = target.join("fuzz");
    let names: Vec<&str> = if options.targets.is_empty() {
        cos_fuzz::TARGETS.iter().map(|t| t.name).collect()
    } else {
        options.targets.iter().map(String::as_str).collect()
    };

    println!("==> fuzz: building {} target(s)", names.len());
    let mut build = fuzz_command(&root, &build_dir, &options.sanitizer, "build");
    if names.len() == 1 {
        build.args(&names);
    }
    if !build.status().map(|s| s.success()).unwrap_or(false) {
        println!("fuzz: the targets do not build");
        println!("fuzz: 0 passed, {} failed", names.len());
        return ExitCode::FAILURE;
    }

    let logs = target.join("fuzz-logs");
    let _ = fs::create_dir_all(&logs);
    let (mut passed, mut failed) = (0, 0);
    for name in names {
        let corpus = target.join("fuzz-corpus").join(name);
        let _ = fs::create_dir_all(&corpus);
        let log = logs.join(format!("{name}.log"));
        let report = run_target(&root, &build_dir, &options, name, &corpus, &log);
        let execs = report
            .execs
            .map_or_else(|| "?".to_owned(), |n| n.to_string());
        match (&report, report.crashed || report.execs.is_none()) {
            (_, false) => {
                passed += 1;
                let seconds = report.seconds.unwrap_or(options.seconds);
                let new_units = report.new_units.unwrap_or(0);
                println!(
                    "fuzz {name}: {execs} execs in {seconds} s, {new_units} new corpus inputs, 0 crashes"
                );
            }
            (Report { artifact, .. }, true) => {
                failed += 1;
                println!(
                    "fuzz {name}: {execs} execs, CRASH (input: {}; log: {})",
                    artifact.as_deref().unwrap_or("none written"),
                    log.display()
                );
            }
        }
    }
    println!("fuzz: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn fuzz_command(root: &Path, build_dir: &Path, sanitizer: &str, verb: &str) -> Command {
    let mut command = Command::new(cargo());
    command
        .current_dir(root.join("fuzz"))
        .env("RUSTC_BOOTSTRAP", "1")
        .args([
            "fuzz",
            verb,
            "--release",
            "--debug-assertions",
            "--sanitizer",
        ])
        .arg(sanitizer)
        .arg("--target-dir")
        .arg(build_dir);
    command
}

fn run_target(
    root: &Path,
    build_dir: &Path,
    options: &Options,
    name: &str,
    corpus: &Path,
    log: &Path,
) -> Report {
    let seeds = root.join("fuzz").join("corpus").join(name);
    let mut command = fuzz_command(root, build_dir, &options.sanitizer, "run");
    command
        .arg(name)
        .arg(corpus)
        .arg(seeds)
        .arg("--")
        .arg(format!("-max_total_time={}", options.seconds))
        .arg("-print_final_stats=1")
        .arg("-timeout=25")
        .arg("-rss_limit_mb=2048")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = match command.output() {
        Ok(output) => output,
        Err(why) => {
            println!("fuzz {name}: cannot run cargo fuzz: {why}");
            return Report {
                crashed: true,
                ..Report::default()
            };
        }
    };
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let _ = fs::write(log, &text);
    let mut report = parse_output(&text);
    if !output.status.success() {
        report.crashed = true;
    }
    report
}

/// Installs cargo-fuzz unless `cargo fuzz --version` works.
fn ensure_cargo_fuzz() -> Result<(), String> {
    let installed = Command::new(cargo())
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    println!("==> fuzz: cargo install cargo-fuzz --locked");
    // Its own build folder: the workspace's CARGO_TARGET_DIR must not receive it.
    let scratch: PathBuf = std::env::temp_dir().join("cos-rs-cargo-fuzz-install");
    let status = Command::new(cargo())
        .args(["install", "cargo-fuzz", "--locked"])
        .env("CARGO_TARGET_DIR", &scratch)
        .status()
        .map_err(|e| e.to_string())?;
    let _ = fs::remove_dir_all(&scratch);
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo install cargo-fuzz --locked: {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arguments() {
        let args: Vec<String> = [
            "--seconds",
            "300",
            "--target",
            "crc64",
            "--sanitizer",
            "none",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        assert_eq!(
            Options::parse(&args),
            Ok(Options {
                seconds: 300,
                targets: vec!["crc64".to_owned()],
                sanitizer: "none".to_owned()
            })
        );
        assert!(Options::parse(&["--target".to_owned(), "nope".to_owned()]).is_err());
        assert!(Options::parse(&["--seconds".to_owned()]).is_err());
    }

    #[test]
    fn reads_libfuzzer_statistics_and_crashes() {
        let clean = "#1024\tpulse  cov: 10 ft: 20\nDone 123456 runs in 301 second(s)\n\
                     stat::number_of_executed_units: 123456\nstat::new_units_added: 42\n\
                     stat::peak_rss_mb: 50\n";
        assert_eq!(
            parse_output(clean),
            Report {
                execs: Some(123_456),
                seconds: Some(301),
                new_units: Some(42),
                crashed: false,
                artifact: None
            }
        );
        let crash = "thread '<unnamed>' panicked at src/x.rs:1:1:\nboom\n==1== ERROR: libFuzzer: deadly signal\n\
                     artifact_prefix='fuzz/artifacts/crc64/'; Test unit written to fuzz/artifacts/crc64/crash-abc\n\
                     stat::number_of_executed_units: 77\n";
        let report = parse_output(crash);
        assert!(report.crashed);
        assert_eq!(report.execs, Some(77));
        assert_eq!(
            report.artifact.as_deref(),
            Some("fuzz/artifacts/crc64/crash-abc")
        );
    }
}
