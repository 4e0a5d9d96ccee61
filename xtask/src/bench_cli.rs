//! The CLI rows of `cargo xtask bench`: the `cos` binary (release) against coscmd, Tencent's
//! Python CLI (installed from PyPI into the interop venv), on one `cos-emulator` (release, in
//! memory) over loopback, each run as a user would run it (the whole process, timed).
//!
//! * a tree of 2,000 files of 4 KiB, uploaded (`cos cp -r` / `coscmd upload -r`) and
//!   downloaded (`cos cp -r` / `coscmd download -r`): files per second, goal 5×;
//! * one file of 1 GiB (`--quick`: 128 MiB) uploaded and downloaded, the faster of two
//!   runs of each tool: MiB/s, goal 2×;
//! * the peak RSS of `cos ls -r` over 100,000 keys: goal ≤ 64 MiB.
//!
//! Every upload is checked (the number of keys, or the size and CRC-64 of the object as the
//! emulator computed them), every download byte for byte against its source.

use std::fs;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cos_proto::ops::{HeadObject, ListObjects};
use cos_proto::{Config, Credentials};

use crate::bench_table::{Goal, MIB, Measured, Row, thousands};
use crate::bench_transfer::{run_sampled, size_label};
use crate::interop::{Emulator, SECRET_ID, SECRET_KEY, build_emulator, target_dir};

/// The bucket the rows use (the emulator creates it on first use).
const BUCKET: &str = "clibench-1250000000";
/// The tree: this many files of [`TREE_FILE_SIZE`] bytes.
const TREE_FILES: usize = 2_000;
const TREE_FILE_SIZE: usize = 4 << 10;
/// The listing whose peak RSS is measured.
const LISTED_KEYS: usize = 100_000;
/// The coscmd release compared against.
pub const COSCMD_REQUIREMENT: &str = "coscmd==1.9.0.6";

/// What the CLI rows ran, under the table.
pub const CLI_SETTINGS: &str = "
CLI rows: the `cos` binary (release) with its defaults, against coscmd 1.9.0.6 with the \
defaults its `config` writes (`max_thread` 5, `part_size` 1 MB, MD5 of every file \
uploaded), reaching the emulator in the Python SDK's IP mode through \
`bench/coscmd_emulator.py`. Each figure is one whole process, start to exit, after \
`sync`; the 1 GiB rows keep each tool's faster of two runs.
";

/// Measures the CLI rows; a failure to set up gives failed rows, never a panic.
pub fn rows(root: &Path, big_size: u64, python: &Result<PathBuf, String>) -> Vec<Row> {
    let failed = |why: String| {
        vec![Row {
            what: "cos CLI against coscmd".into(),
            ours: "—".into(),
            reference: "—".into(),
            measured: Measured::Failed(why),
            goal: Goal::AtLeast(1.0),
        }]
    };
    let target = target_dir(root);
    let emulator_bin = match build_emulator(root, &target, true, &["-p", "cos-cli", "--bin", "cos"])
    {
        Ok(binary) => binary,
        Err(why) => return failed(why),
    };
    let cos = target
        .join("release")
        .join(format!("cos{}", std::env::consts::EXE_SUFFIX));
    let coscmd = python
        .clone()
        .and_then(|python| install_coscmd(&python).map(|()| python));
    if let Err(why) = &coscmd {
        println!("bench: no coscmd, its side of the CLI rows is skipped: {why}");
    }
    let work = target.join("bench-cli");
    let _ = fs::remove_dir_all(&work);
    if let Err(e) = fs::create_dir_all(&work) {
        return failed(format!("creating {}: {e}", work.display()));
    }
    let log = target.join("bench-cli-emulator.log");
    let emulator = match Emulator::start(&emulator_bin, None, &log) {
        Ok(emulator) => emulator,
        Err(why) => return failed(why),
    };
    let bench = match CliBench::new(root, &work, cos, coscmd, &emulator.endpoint) {
        Ok(bench) => bench,
        Err(why) => return failed(why),
    };
    let rows = vec![
        bench.tree_row(Direction::Upload),
        bench.tree_row(Direction::Download),
        bench.big_row(Direction::Upload, big_size),
        bench.big_row(Direction::Download, big_size),
        bench.listing_row(),
    ];
    let mut emulator = emulator;
    emulator.stop();
    let _ = fs::remove_dir_all(&work);
    rows
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Upload,
    Download,
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Upload => "upload",
            Direction::Download => "download",
        }
    }
}

/// The tools, the emulator and a checking client.
struct CliBench {
    cos: PathBuf,
    /// The venv's Python with coscmd, and the wrapper script; or why there is none.
    coscmd: Result<(PathBuf, PathBuf), String>,
    endpoint: String,
    work: PathBuf,
    home: PathBuf,
    coscmd_config: PathBuf,
    check: cos_blocking::Client,
}

impl CliBench {
    fn new(
        root: &Path,
        work: &Path,
        cos: PathBuf,
        coscmd: Result<PathBuf, String>,
        endpoint: &str,
    ) -> Result<CliBench, String> {
        let home = work.join("home");
        fs::create_dir_all(&home).map_err(|e| format!("creating {}: {e}", home.display()))?;
        let coscmd_config = work.join("coscmd.conf");
        fs::write(
            &coscmd_config,
            format!(
                "[common]\nsecret_id = {SECRET_ID}\nsecret_key = {SECRET_KEY}\nbucket = {BUCKET}\n\
                 region = ap-guangzhou\nmax_thread = 5\npart_size = 1\nschema = http\n"
            ),
        )
        .map_err(|e| format!("writing {}: {e}", coscmd_config.display()))?;
        let authority = endpoint.trim_start_matches("http://");
        let config = Config::builder("ap-guangzhou", BUCKET)
            .path_style(authority)
            .build()
            .map_err(|e| e.to_string())?;
        let credentials = Credentials::new(SECRET_ID, SECRET_KEY).map_err(|e| e.to_string())?;
        let check = cos_blocking::Client::builder(config)
            .credentials(cos_blocking::StaticCredentials::new(credentials))
            .proxy_from_env(false)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(CliBench {
            cos,
            coscmd: coscmd.map(|python| (python, root.join("bench").join("coscmd_emulator.py"))),
            endpoint: endpoint.to_owned(),
            work: work.to_path_buf(),
            home,
            coscmd_config,
            check,
        })
    }

    /// `cos ARGS` with the emulator's endpoint and keys, and a private home.
    fn cos(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.cos);
        command
            .args(args)
            .env("HOME", &self.home)
            .env("COS_ENDPOINT", &self.endpoint)
            .env("COS_SECRET_ID", SECRET_ID)
            .env("COS_SECRET_KEY", SECRET_KEY)
            .env_remove("COS_TOKEN")
            .env_remove("COS_REGION")
            .current_dir(&self.work);
        command
    }

    /// coscmd with `args`, through the wrapper that points it at the emulator.
    fn coscmd(&self, args: &[&str]) -> Result<Command, String> {
        let (python, script) = self.coscmd.as_ref().map_err(Clone::clone)?;
        let mut command = Command::new(python);
        command
            .arg(script)
            .args(["--endpoint", &self.endpoint, "--", "-c"])
            .arg(&self.coscmd_config)
            .args(args)
            .env("HOME", &self.home)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .current_dir(&self.work);
        Ok(command)
    }

    /// The tree, written once.
    fn tree(&self) -> Result<PathBuf, String> {
        let tree = self.work.join("tree");
        if tree.exists() {
            return Ok(tree);
        }
        for i in 0..TREE_FILES {
            let path = tree
                .join(format!("d{:02}", i % 20))
                .join(format!("f{i:04}.bin"));
            write_file(&path, TREE_FILE_SIZE as u64, i as u64)?;
        }
        Ok(tree)
    }

    fn tree_row(&self, direction: Direction) -> Row {
        let what = format!(
            "{} of {} files × 4 KiB, cos vs coscmd",
            direction.word(),
            thousands(TREE_FILES as f64)
        );
        let rate = |seconds: f64| {
            let per_second = TREE_FILES as f64 / seconds;
            (
                per_second,
                format!("{} files/s", thousands(per_second.round())),
            )
        };
        let ours = self.tree_run(Tool::Cos, direction).map(rate);
        let reference = self.tree_run(Tool::Coscmd, direction).map(rate);
        Row::ratio(what, ours, reference, false, 5.0)
    }

    /// One tree transfer; its wall time, checked.
    fn tree_run(&self, tool: Tool, direction: Direction) -> Result<f64, Measured> {
        let tree = self.tree().map_err(Measured::Failed)?;
        let prefix = format!("tree-{}/", tool.slug());
        let download = self.work.join(format!("tree-{}-download", tool.slug()));
        let url = format!("cos://{BUCKET}/{prefix}");
        let mut command = match (tool, direction) {
            (Tool::Cos, Direction::Upload) => self.cos(&["cp", "-r", "-q", path(&tree), &url]),
            (Tool::Cos, Direction::Download) => {
                self.cos(&["cp", "-r", "-q", &url, path(&download)])
            }
            (Tool::Coscmd, Direction::Upload) => self
                .coscmd(&["upload", "-r", path(&tree), &prefix])
                .map_err(Measured::Skipped)?,
            (Tool::Coscmd, Direction::Download) => self
                .coscmd(&["download", "-r", &prefix, path(&download)])
                .map_err(Measured::Skipped)?,
        };
        let seconds = timed(&mut command).map_err(Measured::Failed)?;
        match direction {
            Direction::Upload => {
                let keys = self.count_keys(&prefix).map_err(Measured::Failed)?;
                if keys != TREE_FILES {
                    return Err(Measured::Failed(format!(
                        "{} uploaded {keys} of {TREE_FILES} files",
                        tool.name()
                    )));
                }
            }
            Direction::Download => {
                // coscmd downloads `prefix/tree/...` under the folder, cos `tree/...`: both
                // hold the tree's files somewhere below.
                same_files(&tree, &download).map_err(|why| {
                    Measured::Failed(format!("{}'s download: {why}", tool.name()))
                })?;
            }
        }
        Ok(seconds)
    }

    fn big_row(&self, direction: Direction, size: u64) -> Row {
        let what = format!(
            "{} of one {} file, cos vs coscmd",
            direction.word(),
            size_label(size)
        );
        let rate = |seconds: f64| {
            let mib_s = size as f64 / MIB / seconds;
            (mib_s, format!("{mib_s:.0} MiB/s"))
        };
        let best = |tool| -> Result<f64, Measured> {
            // The faster of two runs: the first write of a fresh gigabyte also pays for
            // the kernel reclaiming page cache, whichever tool comes first.
            let first = self.big_run(tool, direction, size)?;
            Ok(first.min(self.big_run(tool, direction, size)?))
        };
        let ours = best(Tool::Cos).map(rate);
        let reference = best(Tool::Coscmd).map(rate);
        Row::ratio(what, ours, reference, false, 2.0)
    }

    fn big_run(&self, tool: Tool, direction: Direction, size: u64) -> Result<f64, Measured> {
        let source = self.work.join("big.bin");
        if !source.exists() {
            write_file(&source, size, u64::MAX).map_err(Measured::Failed)?;
        }
        let key = format!("big-{}.bin", tool.slug());
        let url = format!("cos://{BUCKET}/{key}");
        let download = self.work.join(format!("big-{}-download.bin", tool.slug()));
        let mut command = match (tool, direction) {
            (Tool::Cos, Direction::Upload) => self.cos(&["cp", "-q", path(&source), &url]),
            (Tool::Cos, Direction::Download) => self.cos(&["cp", "-q", &url, path(&download)]),
            (Tool::Coscmd, Direction::Upload) => self
                .coscmd(&["upload", path(&source), &key])
                .map_err(Measured::Skipped)?,
            (Tool::Coscmd, Direction::Download) => self
                .coscmd(&["download", &key, path(&download)])
                .map_err(Measured::Skipped)?,
        };
        let seconds = timed(&mut command).map_err(Measured::Failed)?;
        let checked = match direction {
            Direction::Upload => self
                .check
                .head_object(&HeadObject::new(key.clone()))
                .map_err(|e| e.to_string())
                .and_then(|info| match info.content_length {
                    Some(len) if len == size => Ok(()),
                    other => Err(format!("the object has {other:?} bytes, not {size}")),
                }),
            Direction::Download => {
                let same = same_bytes(&source, &download);
                let _ = fs::remove_file(&download);
                same
            }
        };
        checked.map_err(|why| Measured::Failed(format!("{}: {why}", tool.name())))?;
        Ok(seconds)
    }

    fn listing_row(&self) -> Row {
        let what = format!(
            "peak RSS of `cos ls -r` over {} keys",
            thousands(LISTED_KEYS as f64)
        );
        let measured = self.listing_rss();
        let ours = match &measured {
            Measured::Value(mib) => format!("{mib:.1} MiB"),
            _ => "—".into(),
        };
        Row {
            what,
            ours,
            reference: "—".into(),
            measured,
            goal: Goal::AtMostMiB(64.0),
        }
    }

    fn listing_rss(&self) -> Measured {
        let many = self.work.join("many");
        for i in 0..LISTED_KEYS {
            let path = many
                .join(format!("p{:03}", i % 100))
                .join(format!("k{i:06}"));
            if let Err(why) = write_file(&path, 0, 0) {
                return Measured::Failed(why);
            }
        }
        let url = format!("cos://{BUCKET}/many/");
        println!(
            "==> bench: uploading {} empty objects",
            thousands(LISTED_KEYS as f64)
        );
        if let Err(why) = timed(&mut self.cos(&["cp", "-r", "-q", path(&many), &url])) {
            return Measured::Failed(format!("seeding the listing: {why}"));
        }
        let _ = fs::remove_dir_all(&many);
        let listed = match run_sampled(&mut self.cos(&["ls", "-r", &url])) {
            Ok(listed) => listed,
            Err(why) => return Measured::Failed(why),
        };
        let lines = listed
            .stdout
            .lines()
            .filter(|line| line.contains("cos://"))
            .count();
        if lines != LISTED_KEYS {
            return Measured::Failed(format!("cos ls -r printed {lines} keys, not {LISTED_KEYS}"));
        }
        match listed.peak_rss_kib {
            Some(kib) => Measured::Value(kib as f64 / 1024.0),
            None => Measured::Failed("no peak RSS sampled".into()),
        }
    }

    /// The number of keys under `prefix`.
    fn count_keys(&self, prefix: &str) -> Result<usize, String> {
        let mut count = 0;
        let mut op = Some(ListObjects::new().prefix(prefix));
        while let Some(list) = op {
            let page = self.check.list_objects(&list).map_err(|e| e.to_string())?;
            count += page.contents.len();
            op = list.next_page(&page);
        }
        Ok(count)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Cos,
    Coscmd,
}

impl Tool {
    fn slug(self) -> &'static str {
        match self {
            Tool::Cos => "cos",
            Tool::Coscmd => "coscmd",
        }
    }

    fn name(self) -> &'static str {
        self.slug()
    }
}

/// Installs coscmd into the venv of `python` unless it is there.
fn install_coscmd(python: &Path) -> Result<(), String> {
    let present = Command::new(python)
        .args(["-c", "import coscmd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    println!("==> bench: pip install {COSCMD_REQUIREMENT}");
    let status = Command::new(python)
        .args(["-m", "pip", "install", "--quiet", COSCMD_REQUIREMENT])
        .status()
        .map_err(|e| format!("pip: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("pip install {COSCMD_REQUIREMENT}: {status}"))
    }
}

/// Runs `command` to a successful end; its wall time in seconds. The data written
/// before (the test files, the previous runs' downloads) is flushed to disk first, so
/// that no run pays for another's writeback.
fn timed(command: &mut Command) -> Result<f64, String> {
    let _ = Command::new("sync").status();
    let started = Instant::now();
    let output = command
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("starting {:?}: {e}", command.get_program()))?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let tail = |text: &str| {
            text.chars()
                .rev()
                .take(400)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<String>()
        };
        return Err(format!(
            "{:?} {}: {} {}",
            command.get_program(),
            output.status,
            tail(&stdout),
            tail(&stderr)
        ));
    }
    Ok(seconds)
}

/// A path as a command-line argument (the bench's paths are UTF-8).
fn path(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// Writes `size` pseudo-random bytes (a function of `seed`) to `path`.
fn write_file(path: &Path, size: u64, seed: u64) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    let file = fs::File::create(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        for word in chunk[..n].chunks_mut(8) {
            // xorshift64: fast, and incompressible enough for a transfer.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes()[..word.len()]);
        }
        out.write_all(&chunk[..n])
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        left -= n as u64;
    }
    out.flush()
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Whether two files hold the same bytes.
fn same_bytes(a: &Path, b: &Path) -> Result<(), String> {
    let open = |p: &Path| fs::File::open(p).map_err(|e| format!("opening {}: {e}", p.display()));
    let (mut fa, mut fb) = (open(a)?, open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let na =
            read_full(&mut fa, &mut ba).map_err(|e| format!("reading {}: {e}", a.display()))?;
        let nb =
            read_full(&mut fb, &mut bb).map_err(|e| format!("reading {}: {e}", b.display()))?;
        if na != nb || ba[..na] != bb[..nb] {
            return Err(format!("{} differs from {}", b.display(), a.display()));
        }
        if na == 0 {
            return Ok(());
        }
    }
}

fn read_full(file: &mut fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Every file of `tree` is somewhere below `download` at the same relative path (under
/// any number of leading folders), with the same bytes; and there are as many files.
fn same_files(tree: &Path, download: &Path) -> Result<(), String> {
    let mut downloaded = Vec::new();
    walk(download, &mut downloaded)?;
    if downloaded.len() != TREE_FILES {
        return Err(format!("{} files, not {TREE_FILES}", downloaded.len()));
    }
    for file in &downloaded {
        let relative: Vec<_> = file
            .strip_prefix(download)
            .unwrap_or(file)
            .components()
            .collect();
        // The last two components (`dNN/fNNNN.bin`) name the source file.
        let tail: PathBuf = relative.iter().rev().take(2).rev().collect();
        same_bytes(&tree.join(&tail), file)?;
    }
    Ok(())
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("reading {}: {e}", dir.display()))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            if entry.file_name() != ".cos-transfer" {
                walk(&path, files)?;
            }
        } else if kind.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_are_deterministic_and_compared() {
        let dir = std::env::temp_dir().join(format!("bench-cli-test-{}", std::process::id()));
        let (a, b, c) = (dir.join("a"), dir.join("x/b"), dir.join("c"));
        write_file(&a, 3 << 20 | 5, 7).unwrap_or_else(|e| panic!("{e}"));
        write_file(&b, 3 << 20 | 5, 7).unwrap_or_else(|e| panic!("{e}"));
        write_file(&c, 3 << 20 | 5, 8).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fs::metadata(&a).map(|m| m.len()).ok(), Some(3 << 20 | 5));
        assert!(same_bytes(&a, &b).is_ok());
        assert!(same_bytes(&a, &c).is_err(), "another seed, other bytes");
        let _ = fs::remove_dir_all(&dir);
    }
}
