//! `cargo xtask ci`: every check CI runs, in order, each step's result on one line.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest.to_path_buf())
}

struct Step {
    name: &'static str,
    program: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, &'static str)>,
}

fn cargo(name: &'static str, args: &[&str]) -> Step {
    Step {
        name,
        program: "cargo",
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        env: Vec::new(),
    }
}

/// Runs the steps; prints `N passed, M failed` and fails if any step failed.
pub fn run() -> ExitCode {
    let root = workspace_root();
    let vectors = super::vectors::default_dir();
    let steps = vec![
        cargo("format", &["fmt", "--all", "--check"]),
        cargo(
            "clippy",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
        ),
        // Every intra-doc link resolves and no doc comment is malformed.
        Step {
            env: vec![("RUSTDOCFLAGS", "-D warnings")],
            ..cargo(
                "docs",
                &[
                    "doc",
                    "--workspace",
                    "--all-features",
                    "--no-deps",
                    "--locked",
                ],
            )
        },
        // Every feature on: the optional integrations (`cos-object-store`'s `signer`) are
        // tested too.
        cargo(
            "tests",
            &["test", "--workspace", "--all-features", "--locked"],
        ),
        vectors_step("vectors", &vectors),
        // The bucket operations and GET Service against the official SDK's requests
        // and parsed answers.
        vectors_step("vectors-bucket", &vectors.join("bucket")),
        // The Cloud API signer, STS, KMS and the credential providers against the
        // official SDK's requests and answers.
        vectors_step("vectors-cloud-api", &vectors.join("cloud-api")),
        Step {
            name: "interop",
            program: "cargo",
            args: vec![
                "run".into(),
                "--quiet".into(),
                "--locked".into(),
                "--package".into(),
                "xtask".into(),
                "--".into(),
                "interop".into(),
            ],
            env: Vec::new(),
        },
    ];
    let mut passed = 0;
    let mut failed = Vec::new();
    for step in &steps {
        println!(
            "==> {}: {} {}",
            step.name,
            step.program,
            step.args.join(" ")
        );
        let ok = Command::new(step.program)
            .args(&step.args)
            .envs(step.env.iter().copied())
            .current_dir(&root)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            passed += 1;
        } else {
            println!("step {} FAILED", step.name);
            failed.push(step.name);
        }
    }
    println!(
        "==> api-parity: both clients' public API, against {}",
        super::api_parity::ALLOWLIST
    );
    match super::api_parity::check(&root) {
        Ok(()) => passed += 1,
        Err(why) => {
            println!("step api-parity FAILED: {why}");
            failed.push("api-parity");
        }
    }
    println!("==> readme: the Layout section and the programs shown, against the tree");
    match super::readme::check(&root) {
        Ok(()) => passed += 1,
        Err(why) => {
            println!("step readme FAILED: {why}");
            failed.push("readme");
        }
    }
    match sans_io_check(&root) {
        Ok(()) => passed += 1,
        Err(why) => {
            println!("step sans-io FAILED: {why}");
            failed.push("sans-io");
        }
    }
    println!("ci: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `cos-proto` must not depend on an async runtime, an HTTP client or socket crates.
/// `cargo xtask vectors DIR` as the CI step `name`.
fn vectors_step(name: &'static str, dir: &Path) -> Step {
    Step {
        name,
        program: "cargo",
        args: [
            "run",
            "--quiet",
            "--locked",
            "--package",
            "xtask",
            "--",
            "vectors",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([dir.display().to_string()])
        .collect(),
        env: Vec::new(),
    }
}

fn sans_io_check(root: &Path) -> Result<(), String> {
    println!("==> sans-io: cargo tree -p cos-proto -e normal");
    let output = Command::new("cargo")
        .args([
            "tree",
            "--locked",
            "-p",
            "cos-proto",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    const FORBIDDEN: [&str; 8] = [
        "tokio",
        "hyper",
        "ureq",
        "mio",
        "socket2",
        "reqwest",
        "rand",
        "getrandom",
    ];
    let offenders: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| FORBIDDEN.contains(name))
        .collect();
    if offenders.is_empty() {
        println!("cos-proto depends on none of {FORBIDDEN:?}");
        Ok(())
    } else {
        Err(format!("cos-proto depends on {offenders:?}"))
    }
}
