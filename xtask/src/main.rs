//! `cargo xtask <command>`: the workspace's automation.
//!
//! * `cargo xtask ci` — everything CI runs (format, lints, tests, golden vectors).
//! * `cargo xtask vectors DIR` — checks every golden-vector file in `DIR` against
//!   `cos-proto` and closes with `N passed, M failed[, K skipped]`.
//! * `cargo xtask api-parity` — compares the public API of `cos-tokio` and `cos-blocking`
//!   (method by method, modulo `async`) against `xtask/api-parity.allow`.
//! * `cargo xtask interop` — drives the emulator with the official Python SDK running every
//!   snippet of the seed documents; closes with `interop: N passed, M failed`.
//! * `cargo xtask fuzz [--seconds N] [--target NAME]...` — runs every cargo-fuzz target
//!   for N seconds; one line per target (executions, crashes), then `fuzz: N passed, M failed`.
//! * `cargo xtask bench [--micro | --cli | --quick] [--runs N] [--write]` — every performance
//!   target measured and checked (sign+build and list parsing against the Python SDK,
//!   AES-CTR against openssl, `upload_file`/`download_file` of 1 GiB against the Python SDK
//!   and curl, peak RSS) as a markdown table; closes with `bench: N passed, M failed`.
//! * `cargo xtask datafusion-demo` — builds and runs `examples/datafusion-sql` (outside the
//!   workspace and CI): SQL with DataFusion over `cos://` URLs against the emulator.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => xtask::ci::run(),
        Some("interop") => xtask::interop::run(),
        Some("api-parity") => xtask::api_parity::run(),
        Some("fuzz") => xtask::fuzz::run(&args[1..]),
        Some("bench") => xtask::bench::run(&args[1..]),
        Some("datafusion-demo") => xtask::datafusion_demo::run(),
        Some("vectors") => {
            let verbose = args.iter().any(|a| a == "--verbose" || a == "-v");
            let mut paths: Vec<PathBuf> = args
                .iter()
                .skip(1)
                .filter(|a| !a.starts_with('-'))
                .map(PathBuf::from)
                .collect();
            if paths.is_empty() {
                paths.push(xtask::vectors::default_dir());
            }
            xtask::vectors::main(&paths, verbose)
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <ci | vectors [DIR|FILE]... [--verbose] | api-parity | interop [SCRIPT ARGS] \
                 | fuzz [--seconds N] [--target NAME]... | bench [--micro | --cli | --quick] [--runs N] [--write] \
                 | datafusion-demo>"
            );
            ExitCode::from(2)
        }
    }
}
