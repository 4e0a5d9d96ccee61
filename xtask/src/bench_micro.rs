//! The CPU-bound rows of `cargo xtask bench`.
//!
//! * The two operations the official Python SDK also performs per request — sign and
//!   build a PutObject request, parse a 1000-key ListObjects page — from the criterion
//!   benchmarks of `cos-proto` (`crates/cos-proto/benches/core.rs`), against the SDK's cost
//!   for the same operations (`bench/python_micro.py`, in the venv of
//!   `cargo xtask interop`). Both sides report the median process CPU time per
//!   operation, so the ratios hold on a busy machine.
//! * AES-256-CTR over 1 MiB in one call (`crates/cos-crypto/benches/ctr.rs`, criterion's
//!   median wall time) against `openssl speed -evp aes-256-ctr -bytes 1048576` (which
//!   divides by its user CPU time).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::bench_table::{MIB, Measured, Row, thousands};
use crate::interop::{cargo, target_dir};

/// One micro-benchmark: the criterion benchmark, the Python figure, the ratio to reach.
#[derive(Debug, Clone, Copy)]
pub struct Micro {
    /// What is measured.
    pub label: &'static str,
    /// The criterion benchmark id (and folder under `<target>/criterion/`).
    pub criterion_id: &'static str,
    /// The key of `bench/python_micro.py`'s JSON output.
    pub python_key: &'static str,
    /// The speed-up over the Python SDK the project aims at.
    pub goal: f64,
}

/// The micro-benchmarks compared with the Python SDK.
pub const MICRO: [Micro; 2] = [
    Micro {
        label: "sign+build PutObject, CPU time per op",
        criterion_id: "sign+build PutObject",
        python_key: "sign_build_put_object_ns",
        goal: 50.0,
    },
    Micro {
        label: "parse ListObjects 1000 keys, CPU time per op",
        criterion_id: "parse ListObjects 1000 keys",
        python_key: "parse_list_objects_1000_ns",
        goal: 30.0,
    },
];

/// The criterion benchmark of the cipher (group/function).
pub const CTR_ID: &str = "aes-256-ctr/1 MiB in one call";
/// The share of openssl's throughput to reach.
pub const CTR_GOAL: f64 = 0.8;

/// Runs the criterion benchmarks the rows read: the two of `cos-proto` above and the
/// cipher's one-call benchmark.
pub fn run_criterion(root: &Path) -> Result<(), String> {
    let benches: [(&str, &str, &str); 2] = [
        (
            "cos-proto",
            "core",
            "sign\\+build PutObject|parse ListObjects 1000 keys",
        ),
        ("cos-crypto", "ctr", "1 MiB in one call"),
    ];
    for (package, bench, filter) in benches {
        println!("==> bench: cargo bench -p {package} --bench {bench} -- '{filter}'");
        let status = Command::new(cargo())
            .current_dir(root)
            .args([
                "bench", "--locked", "-p", package, "--bench", bench, "--", filter,
            ])
            .status()
            .map_err(|e| format!("cargo bench: {e}"))?;
        if !status.success() {
            return Err(format!(
                "cargo bench -p {package} --bench {bench}: {status}"
            ));
        }
    }
    Ok(())
}

/// The rows: sign+build and list parsing against Python (`python` is the venv's
/// interpreter, or why there is none), AES-CTR against openssl. Criterion estimates older
/// than `since` are refused, so a failed run never reports an earlier one.
pub fn rows(
    root: &Path,
    since: SystemTime,
    python: &Result<std::path::PathBuf, String>,
) -> Vec<Row> {
    let criterion = target_dir(root).join("criterion");
    let python_json = match python {
        Ok(python) => python_figures(root, python).map_err(Measured::Failed),
        Err(why) => Err(Measured::Skipped(why.clone())),
    };
    let mut rows = Vec::new();
    for micro in MICRO {
        let ours = criterion_median(&criterion.join(micro.criterion_id), since)
            .map(|ns| (ns, format!("{} ns", thousands(ns))))
            .map_err(Measured::Failed);
        let theirs = python_json.clone().and_then(|json| {
            json.get(micro.python_key)
                .and_then(serde_json::Value::as_f64)
                .map(|ns| (ns, format!("Python SDK {} ns", thousands(ns))))
                .ok_or_else(|| {
                    Measured::Failed(format!("python_micro.py gave no {}", micro.python_key))
                })
        });
        rows.push(Row::ratio(micro.label, ours, theirs, true, micro.goal));
    }
    let ours = criterion_median(&criterion.join(CTR_ID), since)
        .map(|ns| {
            let rate = 1e9 / ns; // 1 MiB per iteration
            (rate, format!("{} MiB/s", thousands(rate)))
        })
        .map_err(Measured::Failed);
    let theirs = openssl_ctr().map(|bytes_per_s| {
        let rate = bytes_per_s / MIB;
        (rate, format!("openssl {} MiB/s", thousands(rate)))
    });
    rows.push(Row::ratio(
        "AES-256-CTR, 1 MiB in one call",
        ours,
        theirs,
        false,
        CTR_GOAL,
    ));
    rows
}

/// The JSON of `bench/python_micro.py`.
fn python_figures(root: &Path, python: &Path) -> Result<serde_json::Value, String> {
    let script = root.join("bench").join("python_micro.py");
    println!("==> bench: {} {}", python.display(), script.display());
    let output = Command::new(python)
        .arg(&script)
        .output()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "python_micro.py failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("python_micro.py printed no JSON: {e}"))
}

/// openssl's AES-256-CTR throughput on 1 MiB blocks, bytes per second; skipped without
/// openssl.
fn openssl_ctr() -> Result<f64, Measured> {
    let args = [
        "speed",
        "-evp",
        "aes-256-ctr",
        "-bytes",
        "1048576",
        "-seconds",
        "3",
        "-mr",
    ];
    println!("==> bench: openssl {}", args.join(" "));
    let output = match Command::new("openssl").args(args).output() {
        Ok(output) => output,
        Err(e) => return Err(Measured::Skipped(format!("no openssl ({e})"))),
    };
    if !output.status.success() {
        return Err(Measured::Failed(format!(
            "openssl speed: {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    parse_openssl_mr(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| Measured::Failed("openssl speed -mr printed no +F line".into()))
}

/// The rate of the first block size in `openssl speed -mr` output
/// (`+F:<n>:<cipher>:<bytes per second>...`).
pub fn parse_openssl_mr(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.starts_with("+F:"))?;
    let rate: f64 = line.split(':').nth(3)?.trim().parse().ok()?;
    (rate > 0.0).then_some(rate)
}

/// The median estimate (ns) criterion saved for one benchmark, if written after `since`.
fn criterion_median(dir: &Path, since: SystemTime) -> Result<f64, String> {
    let path = dir.join("new").join("estimates.json");
    let modified = fs::metadata(&path)
        .and_then(|m| m.modified())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if modified < since {
        return Err(format!("{} is from an earlier run", path.display()));
    }
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    json.pointer("/median/point_estimate")
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| format!("{} has no median", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openssl_machine_readable_output() {
        let text = "+DT:AES-256-CTR:3:1048576\n+R:9216:AES-256-CTR:2.990000\n\
                    +H:1048576\n+F:25:AES-256-CTR:3231799564.33\n";
        assert_eq!(parse_openssl_mr(text), Some(3_231_799_564.33));
        assert_eq!(parse_openssl_mr("+H:1048576\n"), None);
        assert_eq!(parse_openssl_mr("+F:25:AES-256-CTR:0.00\n"), None);
    }

    #[test]
    fn stale_or_missing_estimates_are_refused() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        let new = dir.join("new");
        fs::create_dir_all(&new).unwrap_or_default();
        fs::write(
            new.join("estimates.json"),
            r#"{"median":{"point_estimate":4100.5}}"#,
        )
        .unwrap_or_default();
        assert_eq!(criterion_median(&dir, SystemTime::UNIX_EPOCH), Ok(4100.5));
        let later = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(criterion_median(&dir, later).is_err_and(|e| e.contains("earlier run")));
        assert!(criterion_median(&dir.join("missing"), SystemTime::UNIX_EPOCH).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
