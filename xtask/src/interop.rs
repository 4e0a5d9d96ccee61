//! `cargo xtask interop [ARGS]`: drives the emulator with the official Python SDK.
//!
//! 1. Creates a virtualenv under `<workspace>/target/interop-venv` (once) and installs the
//!    pinned `cos-python-sdk-v5`, `tencentcloud-sdk-python-common` and
//!    `tencentcloud-sdk-python-sts` into it (again only when an installed version differs).
//! 2. Builds the `cos-emulator` binary.
//! 3. Starts it on a free port (`--port 0`; the first line it prints is its endpoint) with
//!    fixed test credentials and a fresh data directory.
//! 4. Runs `interop/seed_snippets.py` with the venv's Python, streaming its output. `ARGS`
//!    go to the script (`--only NAME`, `--verbose`, `--ignore-header-case`, ...).
//! 5. Exchanges encrypted objects with the SDK's `CosEncryptionClient` (skipped with
//!    `--only`/`--list` unless the filter names `encryption`): `interop/encryption.py write`
//!    (keys generated for the run; AES and RSA providers; put, multipart, `upload_file`),
//!    cos-rs reads them and writes Python-compatible objects (see `interop_crypto`), then
//!    `interop/encryption.py read` reads those.
//! 6. Makes vectors with the SDK for the keywords beyond the seed vectors and checks them
//!    with the vectors runner (`interop/sdk_vectors.py`, see `interop_vectors`; skipped
//!    with `--only`/`--list` unless the filter names `vectors`).
//! 7. Gets temporary keys from the emulator's STS with the official Cloud API SDK
//!    (`interop/sts_assume_role.py`: `StsClient.AssumeRole` over plain HTTP, and its
//!    error, chained and unsigned calls), then cos-rs PUTs and GETs an object with those
//!    keys (see `interop_sts`; skipped with `--only`/`--list` unless the filter names
//!    `sts`).
//! 8. Always stops the emulator, and exits with the result of every step, after printing
//!    `interop: N passed, M failed` (the counts of all steps).
//!
//! Only std: no new dependencies.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The SDK release the golden vectors were made with.
pub const SDK_REQUIREMENT: &str = "cos-python-sdk-v5==1.9.44";
/// Every distribution the venv needs and its pinned version: the COS SDK, and the Cloud
/// API SDK the `cloud-api` vectors were made with (its common package and STS).
const PINNED: [(&str, &str); 3] = [
    ("cos-python-sdk-v5", "1.9.44"),
    ("tencentcloud-sdk-python-common", "3.1.195"),
    ("tencentcloud-sdk-python-sts", "3.0.1459"),
];
/// Credentials the emulator accepts and the script signs with.
pub const SECRET_ID: &str = "AKIDcosrsinterop0000000000000000000";
/// See [`SECRET_ID`].
pub const SECRET_KEY: &str = "cosrsinteropsecretkey00000000000";
/// How long the emulator may take to print its endpoint.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the harness with the arguments that follow `interop` on the command line.
pub fn run() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip_while(|a| a != "interop")
        .skip(1)
        .collect();
    run_with(&args)
}

/// Runs the harness, passing `script_args` to the script.
pub fn run_with(script_args: &[String]) -> ExitCode {
    let started = Instant::now();
    let root = crate::ci::workspace_root();
    let result = run_inner(&root, script_args);
    let elapsed = started.elapsed().as_secs_f64();
    match result {
        Ok(outcome) => {
            match outcome.counts {
                Some((passed, failed)) => {
                    println!("interop: {passed} passed, {failed} failed ({elapsed:.0}s)");
                }
                None => println!(
                    "interop: the script ended without its summary line ({}); 0 passed, 1 failed",
                    outcome.status
                ),
            }
            if outcome.success {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(why) => {
            println!("interop: {why}");
            println!("interop: 0 passed, 1 failed ({elapsed:.0}s)");
            ExitCode::FAILURE
        }
    }
}

struct Outcome {
    counts: Option<(u64, u64)>,
    status: String,
    success: bool,
}

fn run_inner(root: &Path, script_args: &[String]) -> Result<Outcome, String> {
    let target = target_dir(root);
    let python = ensure_venv(&root.join("target").join("interop-venv"))?;
    let emulator_bin = build_emulator(root, &target, false, &[])?;

    let data_dir = target.join("interop-data");
    let log_path = target.join("interop-emulator.log");
    let _ = fs::remove_dir_all(&data_dir);
    fs::create_dir_all(&data_dir).map_err(|e| format!("creating {}: {e}", data_dir.display()))?;
    let mut emulator = Emulator::start(&emulator_bin, Some(&data_dir), &log_path)?;
    println!("==> interop: emulator at {}", emulator.endpoint);

    let script = root.join("interop").join("seed_snippets.py");
    println!("==> interop: {} {}", python.display(), script.display());
    let mut result = run_script(&python, &script, &emulator.endpoint, script_args);
    if runs_encryption(script_args) {
        let dir = target.join("interop-crypto");
        let encryption = encryption_steps(root, &python, &emulator.endpoint, &dir);
        let _ = fs::remove_dir_all(&dir);
        result = match (result, encryption) {
            (Ok(seeds), Ok(encryption)) => Ok(seeds.merge(encryption)),
            (Err(why), _) | (_, Err(why)) => Err(why),
        };
    }
    if runs_step(script_args, "sts") {
        let dir = target.join("interop-sts");
        let sts = sts_steps(root, &python, &emulator.endpoint, &dir);
        let _ = fs::remove_dir_all(&dir);
        result = match (result, sts) {
            (Ok(earlier), Ok(sts)) => Ok(earlier.merge(sts)),
            (Err(why), _) | (_, Err(why)) => Err(why),
        };
    }
    if runs_step(script_args, "bucket") {
        let log = target.join("interop-buckets.log");
        let buckets = bucket_steps(root, &python, &emulator_bin, &log);
        result = match (result, buckets) {
            (Ok(earlier), Ok(buckets)) => Ok(earlier.merge(buckets)),
            (Err(why), _) | (_, Err(why)) => Err(why),
        };
    }
    if runs_step(script_args, "vectors") {
        let counts = crate::interop_vectors::run(root, &python, &target.join("interop-vectors"));
        let vectors = Outcome {
            counts: Some((counts.passed, counts.failed)),
            status: "sdk vectors".to_owned(),
            success: counts.failed == 0,
        };
        result = result.map(|earlier| earlier.merge(vectors));
    }
    if let Some(status) = emulator.exited() {
        println!(
            "interop: the emulator stopped during the run ({status}); its log: {}",
            log_path.display()
        );
    }
    emulator.stop();
    let _ = fs::remove_dir_all(&data_dir);
    let outcome = result?;
    if !outcome.success {
        println!("interop: emulator log: {}", log_path.display());
    }
    Ok(outcome)
}

impl Outcome {
    fn merge(self, other: Outcome) -> Outcome {
        let counts = |o: &Outcome| o.counts.unwrap_or((0, 1));
        let (a, b) = (counts(&self), counts(&other));
        Outcome {
            counts: Some((a.0 + b.0, a.1 + b.1)),
            status: format!("{}; {}", self.status, other.status),
            success: self.success && other.success,
        }
    }
}

/// Whether this run includes the encryption exchange.
fn runs_encryption(script_args: &[String]) -> bool {
    runs_step(script_args, "encryption") || runs_step(script_args, "encrypt")
}

/// Whether this run includes the step `name`: always without `--only`, never with
/// `--list`, else when a filter and the name contain one another.
fn runs_step(script_args: &[String], name: &str) -> bool {
    if script_args.iter().any(|a| a == "--list") {
        return false;
    }
    let mut filters = script_args
        .windows(2)
        .filter(|w| w[0] == "--only")
        .map(|w| w[1].as_str())
        .peekable();
    filters.peek().is_none() || filters.any(|f| name.contains(f) || f.contains(name))
}

/// Python writes, cos-rs reads and writes, Python reads: three steps, one count.
fn encryption_steps(
    root: &Path,
    python: &Path,
    endpoint: &str,
    dir: &Path,
) -> Result<Outcome, String> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let script = root.join("interop").join("encryption.py");
    let step = |name: &str| {
        println!("==> interop: {} {name}", script.display());
        let args = [
            name.to_owned(),
            "--dir".to_owned(),
            dir.display().to_string(),
        ];
        run_script(python, &script, endpoint, &args)
    };
    let written = step("write")?;
    println!("==> interop: cos-rs reads and writes encrypted objects");
    let rust = crate::interop_crypto::run(endpoint, SECRET_ID, SECRET_KEY, dir);
    println!("{} passed, {} failed", rust.passed, rust.failed);
    let rust = Outcome {
        counts: Some((rust.passed, rust.failed)),
        status: "cos-rs".to_owned(),
        success: rust.failed == 0,
    };
    let read = step("read")?;
    Ok(written.merge(rust).merge(read))
}

/// The Cloud API SDK asks the emulator's STS for temporary keys, then cos-rs uses them on
/// COS: two steps, one count.
fn sts_steps(root: &Path, python: &Path, endpoint: &str, dir: &Path) -> Result<Outcome, String> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let script = root.join("interop").join("sts_assume_role.py");
    let keys = dir.join("keys.json");
    println!("==> interop: {}", script.display());
    let args = ["--out".to_owned(), keys.display().to_string()];
    let python_side = run_script(python, &script, endpoint, &args)?;
    println!("==> interop: cos-rs uses the temporary keys on COS");
    let rust = crate::interop_sts::run(endpoint, &keys);
    println!("{} passed, {} failed", rust.passed, rust.failed);
    let rust = Outcome {
        counts: Some((rust.passed, rust.failed)),
        status: "cos-rs with STS keys".to_owned(),
        success: rust.failed == 0,
    };
    Ok(python_side.merge(rust))
}

/// The SDK's bucket operations against an emulator of their own, where a bucket exists
/// only once created (`--no-auto-create`).
fn bucket_steps(
    root: &Path,
    python: &Path,
    emulator_bin: &Path,
    log: &Path,
) -> Result<Outcome, String> {
    let mut emulator = Emulator::start_with(emulator_bin, None, log, &["--no-auto-create"])?;
    let script = root.join("interop").join("bucket_ops.py");
    let vectors = crate::vectors::default_dir()
        .join("bucket")
        .join("requests.json");
    println!(
        "==> interop: {} (emulator at {})",
        script.display(),
        emulator.endpoint
    );
    let args = ["--vectors".to_owned(), vectors.display().to_string()];
    let outcome = run_script(python, &script, &emulator.endpoint, &args);
    emulator.stop();
    outcome
}

/// `CARGO_TARGET_DIR` (relative to the workspace root when relative), else `target/`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        }
        _ => root.join("target"),
    }
}

pub(crate) fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// The installed version of each [`PINNED`] distribution (`None` when missing), if the
/// venv's Python runs.
fn installed_versions(python: &Path) -> Option<Vec<Option<String>>> {
    let names: Vec<String> = PINNED.iter().map(|(name, _)| format!("{name:?}")).collect();
    let script = format!(
        "import importlib.metadata as m\n\
         for name in [{}]:\n    \
         try: print(m.version(name))\n    \
         except m.PackageNotFoundError: print('-')",
        names.join(", ")
    );
    let output = Command::new(python)
        .args(["-c", &script])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let versions: Vec<Option<String>> = text
        .lines()
        .map(|l| Some(l.trim().to_owned()).filter(|v| v != "-"))
        .collect();
    (versions.len() == PINNED.len()).then_some(versions)
}

/// Whether every pinned distribution is installed at its version.
fn pinned_installed(python: &Path) -> bool {
    installed_versions(python).is_some_and(|versions| {
        versions
            .iter()
            .zip(PINNED)
            .all(|(found, (_, want))| found.as_deref() == Some(want))
    })
}

/// Creates the venv if missing and installs the pinned SDKs unless they are there already.
pub(crate) fn ensure_venv(venv: &Path) -> Result<PathBuf, String> {
    let python = venv_python(venv);
    if !python.exists() {
        println!("==> interop: python3 -m venv {}", venv.display());
        let _ = fs::remove_dir_all(venv);
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(venv)
            .status()
            .map_err(|e| format!("python3 -m venv: {e} (is python3 installed?)"))?;
        if !status.success() || !python.exists() {
            return Err(format!(
                "python3 -m venv {} failed ({status})",
                venv.display()
            ));
        }
    }
    if pinned_installed(&python) {
        return Ok(python);
    }
    let requirements: Vec<String> = PINNED
        .iter()
        .map(|(name, version)| format!("{name}=={version}"))
        .collect();
    println!("==> interop: pip install {}", requirements.join(" "));
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
        ])
        .args(&requirements)
        .status()
        .map_err(|e| format!("pip install: {e}"))?;
    if !status.success() {
        return Err(format!(
            "pip install {} failed ({status})",
            requirements.join(" ")
        ));
    }
    if pinned_installed(&python) {
        Ok(python)
    } else {
        Err(format!(
            "{} not importable after pip install (found {:?})",
            requirements.join(" "),
            installed_versions(&python)
        ))
    }
}

/// Builds the `cos-emulator` binary (debug, or `--release` with `release`) and returns its
/// path. `extra` adds more packages and binaries to the same `cargo build` (one build, so
/// their features are unified once).
pub(crate) fn build_emulator(
    root: &Path,
    target: &Path,
    release: bool,
    extra: &[&str],
) -> Result<PathBuf, String> {
    let mut args = vec!["build", "--locked"];
    if release {
        args.push("--release");
    }
    args.extend(["-p", "cos-emulator", "--bin", "cos-emulator"]);
    args.extend(extra);
    println!("==> cargo {}", args.join(" "));
    let status = Command::new(cargo())
        .args(&args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err(format!("building cos-emulator failed ({status})"));
    }
    let binary = target
        .join(if release { "release" } else { "debug" })
        .join(format!("cos-emulator{}", std::env::consts::EXE_SUFFIX));
    if binary.exists() {
        Ok(binary)
    } else {
        Err(format!("built, but {} does not exist", binary.display()))
    }
}

/// The running emulator (the `cos-emulator` binary on 127.0.0.1, a free port, the
/// credentials [`SECRET_ID`] and [`SECRET_KEY`]); dropping it kills the process.
pub(crate) struct Emulator {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) endpoint: String,
}

impl Emulator {
    /// Starts `binary`, keeping objects in `data_dir` (else in memory) and its stderr in
    /// `log_path`, and waits for the endpoint it prints.
    pub(crate) fn start(
        binary: &Path,
        data_dir: Option<&Path>,
        log_path: &Path,
    ) -> Result<Self, String> {
        Self::start_with(binary, data_dir, log_path, &[])
    }

    /// [`Emulator::start`] with more command-line flags.
    pub(crate) fn start_with(
        binary: &Path,
        data_dir: Option<&Path>,
        log_path: &Path,
        flags: &[&str],
    ) -> Result<Self, String> {
        let log =
            File::create(log_path).map_err(|e| format!("creating {}: {e}", log_path.display()))?;
        let mut command = Command::new(binary);
        command.args(["--port", "0"]);
        if let Some(dir) = data_dir {
            command.arg("--data-dir").arg(dir);
        }
        let mut child = command
            .args(flags)
            .args(["--secret-id", SECRET_ID, "--secret-key", SECRET_KEY])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the emulator's stdout was not captured".to_owned());
        };
        // The first line is the endpoint; the rest is drained so the emulator never
        // blocks on a full pipe.
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next();
            let _ = sender.send(first);
            for _ in lines {}
        });
        let mut emulator = Self {
            child,
            endpoint: String::new(),
        };
        match receiver.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) if line.trim().starts_with("http://") => {
                emulator.endpoint = line.trim().trim_end_matches('/').to_owned();
                Ok(emulator)
            }
            Ok(Some(Ok(line))) => Err(format!(
                "the emulator's first line is not an endpoint: {line:?} (log: {})",
                log_path.display()
            )),
            Ok(_) => Err(format!(
                "the emulator printed no endpoint and closed its stdout ({}); log: {}",
                emulator
                    .exited()
                    .unwrap_or_else(|| "still running".to_owned()),
                tail(log_path)
            )),
            Err(_) => Err(format!(
                "the emulator printed no endpoint within {}s (log: {})",
                START_TIMEOUT.as_secs(),
                log_path.display()
            )),
        }
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(status)` if the process has ended.
    pub(crate) fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }

    /// Kills the process (if still running) and reaps it.
    pub(crate) fn stop(&mut self) {
        if self.exited().is_none() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last lines of a log file, for error messages.
fn tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(20);
    if lines.is_empty() {
        format!("{} (empty)", path.display())
    } else {
        lines[start..].join("\n")
    }
}

/// Parses `N passed, M failed` (the script's closing line).
fn summary(line: &str) -> Option<(u64, u64)> {
    let (passed, rest) = line.trim().split_once(" passed, ")?;
    let failed = rest.strip_suffix(" failed")?;
    Some((passed.parse().ok()?, failed.parse().ok()?))
}

fn run_script(
    python: &Path,
    script: &Path,
    endpoint: &str,
    script_args: &[String],
) -> Result<Outcome, String> {
    let mut child = Command::new(python)
        .arg("-u")
        .arg(script)
        .args([
            "--endpoint",
            endpoint,
            "--secret-id",
            SECRET_ID,
            "--secret-key",
            SECRET_KEY,
        ])
        .args(script_args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        // The emulator is on loopback: never through a proxy from the environment.
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", python.display()))?;
    let mut counts = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            println!("{line}");
            if let Some(found) = summary(&line) {
                counts = Some(found);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for the script: {e}"))?;
    Ok(Outcome {
        success: status.success() && matches!(counts, Some((_, 0))),
        status: status.to_string(),
        counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encryption_exchange_follows_the_filters() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(runs_encryption(&args(&[])));
        assert!(runs_encryption(&args(&["--verbose"])));
        assert!(runs_encryption(&args(&["--only", "encryption"])));
        assert!(!runs_encryption(&args(&["--only", "put_object"])));
        assert!(!runs_encryption(&args(&["--list"])));
        assert!(runs_step(&args(&["--only", "vectors"]), "vectors"));
        assert!(!runs_step(&args(&["--only", "put_object"]), "vectors"));
        assert!(runs_step(&args(&["--only", "sts"]), "sts"));
        assert!(runs_step(&args(&[]), "sts"));
        assert!(!runs_step(&args(&["--list"]), "sts"));
    }

    #[test]
    fn reads_the_summary_line() {
        assert_eq!(summary("76 passed, 1 failed"), Some((76, 1)));
        assert_eq!(summary("0 passed, 0 failed\n"), Some((0, 0)));
        assert_eq!(summary("ok   put_object_bytes"), None);
        assert_eq!(summary("FAIL x: 3 passed, y failed"), None);
    }

    #[test]
    fn target_dir_defaults_under_the_workspace() {
        let root = Path::new("/ws");
        if std::env::var_os("CARGO_TARGET_DIR").is_none() {
            assert_eq!(target_dir(root), Path::new("/ws/target"));
        }
    }
}
