//! `cargo xtask bench [--micro]`: the criterion benchmarks of `cos-proto`
//! (`crates/cos-proto/benches/core.rs`). With `--micro`, only the two operations the
//! official Python SDK also performs per request — sign and build a PutObject request,
//! parse a 1000-key ListObjects page — then the SDK's cost for the same operations
//! (`bench/python_micro.py`, in the virtualenv of `cargo xtask interop`), and the ratios.
//!
//! Both sides report the median process CPU time per operation, so the ratios hold on a
//! busy machine.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};

use super::interop::{cargo, ensure_venv, target_dir};

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
        label: "sign+build PutObject",
        criterion_id: "sign+build PutObject",
        python_key: "sign_build_put_object_ns",
        goal: 50.0,
    },
    Micro {
        label: "parse ListObjects, 1000 keys",
        criterion_id: "parse ListObjects 1000 keys",
        python_key: "parse_list_objects_1000_ns",
        goal: 30.0,
    },
];

/// Runs the command; see the module documentation.
pub fn run(args: &[String]) -> ExitCode {
    let micro = args.iter().any(|a| a == "--micro");
    if let Some(other) = args.iter().find(|a| *a != "--micro") {
        eprintln!(
            "cargo xtask bench: unknown argument {other}\nusage: cargo xtask bench [--micro]"
        );
        return ExitCode::from(2);
    }
    let root = super::ci::workspace_root();
    let mut bench = Command::new(cargo());
    bench
        .current_dir(&root)
        .args(["bench", "--locked", "-p", "cos-proto", "--bench", "core"]);
    if micro {
        bench.args(["--", "sign\\+build|parse ListObjects"]);
    }
    println!("==> bench: cargo bench -p cos-proto --bench core");
    if !bench.status().map(|s| s.success()).unwrap_or(false) {
        println!("bench: the criterion benchmarks failed");
        return ExitCode::FAILURE;
    }
    if !micro {
        return ExitCode::SUCCESS;
    }
    match compare(&root) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(why) => {
            println!("bench: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the Python side and prints the table: Rust and Python ns/op and their ratio.
fn compare(root: &Path) -> Result<Vec<String>, String> {
    let python = ensure_venv(&root.join("target").join("interop-venv"))?;
    let script = root.join("bench").join("python_micro.py");
    println!("==> bench: {} {}", python.display(), script.display());
    let output = Command::new(&python)
        .arg(&script)
        .output()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "python_micro.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let python_json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("python_micro.py printed no JSON: {e}"))?;
    let criterion = target_dir(root).join("criterion");
    let mut lines = vec![format!(
        "{:<30} {:>14} {:>14} {:>9} {:>6}",
        "median CPU time per op", "Rust ns/op", "Python ns/op", "ratio", "goal"
    )];
    for micro in MICRO {
        let rust = criterion_median(&criterion.join(micro.criterion_id))?;
        let python = python_json
            .get(micro.python_key)
            .and_then(serde_json::Value::as_f64)
            .ok_or_else(|| format!("python_micro.py gave no {}", micro.python_key))?;
        lines.push(format_row(micro, rust, python));
    }
    if let Some(sdk) = python_json.get("sdk").and_then(serde_json::Value::as_str) {
        lines.push(format!("(Python: {sdk})"));
    }
    Ok(lines)
}

/// One table row.
pub fn format_row(micro: Micro, rust_ns: f64, python_ns: f64) -> String {
    let ratio = python_ns / rust_ns;
    let verdict = if ratio >= micro.goal {
        ""
    } else {
        "  below goal"
    };
    format!(
        "{:<30} {:>14.0} {:>14.0} {:>8.1}x {:>5.0}x{verdict}",
        micro.label, rust_ns, python_ns, ratio, micro.goal
    )
}

/// The median estimate (ns) criterion saved for one benchmark.
fn criterion_median(dir: &Path) -> Result<f64, String> {
    let path = dir.join("new").join("estimates.json");
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
    fn rows_show_the_ratio_and_the_goal() {
        let row = format_row(MICRO[0], 4_000.0, 220_000.0);
        assert!(row.contains("55.0x"), "{row}");
        assert!(!row.contains("below goal"), "{row}");
        let row = format_row(MICRO[1], 3_000_000.0, 48_000_000.0);
        assert!(row.contains("16.0x") && row.contains("below goal"), "{row}");
    }
}
