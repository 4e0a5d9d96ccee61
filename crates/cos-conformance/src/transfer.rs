//! The transfer half of the suite: `upload_file`, `download_file`, `copy`,
//! `move_object`, `upload_dir`, `download_dir` through each client against an emulator
//! whose faults the checks control. Each check gets its own emulator (faults are
//! per emulator), built by [`emulator`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use cos_emulator::{Emulator, EmulatorConfig, FaultRule};
use cos_proto::ops::{
    CopyObject, CopySource, GetObject, HeadObject, ListMultipartUploads, PutObject,
};
use cos_transfer::fs::{DownloadTarget, FileTarget};
use cos_transfer::paths::{DirectoryReport, EntryOutcome, RefusedKey, checkpoint_path, temp_path};
use cos_transfer::{
    CopyOutput, DirectoryOptions, DownloadOutput, TransferError, TransferEvent, TransferOptions,
    UploadOutput,
};

use crate::{ConformanceClient, Upload, timeouts, villains};

/// The bucket the transfer checks use.
pub const BUCKET: &str = "examplebucket-1250000000";

const KIB: u64 = 1024;
const MIB: u64 = 1024 * 1024;

/// A progress callback.
pub type OnEvent<'a> = &'a mut (dyn FnMut(TransferEvent) + Send);

/// The transfer methods of a client, blocking style, each a thin call of the client's
/// method of the same name.
#[allow(missing_docs)]
pub trait TransferClient: ConformanceClient {
    fn upload_file(
        &self,
        put: &PutObject,
        path: &Path,
        options: TransferOptions,
        on_event: OnEvent<'_>,
    ) -> Result<UploadOutput, TransferError>;
    fn download_file(
        &self,
        get: &GetObject,
        path: &Path,
        options: TransferOptions,
        on_event: OnEvent<'_>,
    ) -> Result<DownloadOutput, TransferError>;
    fn download_to(
        &self,
        get: &GetObject,
        target: Arc<dyn DownloadTarget>,
        options: TransferOptions,
    ) -> Result<DownloadOutput, TransferError>;
    fn copy(&self, op: &CopyObject, options: TransferOptions) -> Result<CopyOutput, TransferError>;
    fn move_object(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError>;
    fn upload_dir(
        &self,
        dir: &Path,
        prefix: &str,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError>;
    fn download_dir(
        &self,
        prefix: &str,
        dir: &Path,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError>;
}

/// An emulator for one transfer check: [`BUCKET`], parts of any size accepted (so
/// multipart paths run on small files), a fixed fault seed.
pub fn emulator() -> Emulator {
    #[allow(clippy::expect_used)]
    Emulator::start(
        EmulatorConfig::new()
            .bucket(BUCKET, false)
            .min_part_size(1)
            .fault_seed(7),
    )
    .expect("the emulator starts")
}

/// The client options a transfer check wants its client built with (both harnesses
/// build their client with these): retries with short backoffs, and for the checks that
/// play a slow server, a short minimum-progress window and a call deadline.
pub fn client_options(name: &str) -> cos_proto::driver::options::ClientOptions {
    let mut options = cos_proto::driver::options::ClientOptions::default();
    options.retry = cos_proto::retry::RetryPolicy {
        max_attempts: 4,
        base_delay: std::time::Duration::from_millis(5),
        max_delay: std::time::Duration::from_millis(50),
    };
    options.proxy_from_env = false;
    if name == "slow_servers_end_in_timeouts" {
        options.min_progress = cos_proto::driver::pace::MinProgress {
            bytes: 4 * 1024,
            window: std::time::Duration::from_secs(1),
        };
        options.call_deadline = Some(std::time::Duration::from_secs(3));
    }
    if name == "slow_callers_are_not_the_servers_fault" {
        // A rule no fast small transfer breaks unless the caller's time counts.
        options.min_progress = cos_proto::driver::pace::MinProgress {
            bytes: 1024 * 1024,
            window: std::time::Duration::from_secs(1),
        };
        options.stall_timeout = std::time::Duration::from_secs(1);
    }
    if name == "complete_gets_the_long_timeout" {
        options.request_timeout = timeouts::SHORT_REQUEST_TIMEOUT;
        options.complete_timeout = timeouts::SHORT_REQUEST_TIMEOUT * 10;
    }
    if name == "resumes_keep_the_call_deadline" {
        options.call_deadline = Some(std::time::Duration::from_secs(3));
    }
    options
}

/// Where a transfer check runs.
#[derive(Debug)]
pub struct TransferSetup<'a> {
    /// The emulator the client talks to (its faults are the check's to set).
    pub emulator: &'a Emulator,
    /// The client's configuration (for copy sources).
    pub config: cos_proto::Config,
    /// A scratch directory of the check's own.
    pub scratch_dir: PathBuf,
}

pub(crate) type CheckResult = Result<(), String>;
type Check = fn(&Ctx<'_>) -> CheckResult;

const CHECKS: &[(&str, Check)] = &[
    ("edge_sizes_round_trip", edge_sizes_round_trip),
    ("part_count_limit", part_count_limit),
    ("resume_after_failed_part", resume_after_failed_part),
    ("source_modified_between_runs", source_modified_between_runs),
    ("remote_replaced_between_runs", remote_replaced_between_runs),
    ("unwritable_target", unwritable_target),
    ("disk_full", disk_full),
    ("copy_and_move", copy_and_move),
    ("directories", directories),
    (
        "download_dir_refuses_traversal",
        download_dir_refuses_traversal,
    ),
    ("faults", faults),
    ("range_answers_checked", villains::range_answers_checked),
    (
        "resumed_download_rechecks_temp",
        villains::resumed_download_rechecks_temp,
    ),
    ("no_symlink_followed", villains::no_symlink_followed),
    (
        "helper_names_cannot_collide",
        villains::helper_names_cannot_collide,
    ),
    ("flipped_byte_is_caught", villains::flipped_byte_is_caught),
    ("complete_answer_lost", villains::complete_answer_lost),
    (
        "crash_after_complete_resends_nothing",
        villains::crash_after_complete_resends_nothing,
    ),
    (
        "source_replaced_keeping_size_and_mtime",
        villains::source_replaced_keeping_size_and_mtime,
    ),
    ("append_answer_lost", villains::append_answer_lost),
    (
        "custom_request_not_repeated",
        villains::custom_request_not_repeated,
    ),
    (
        "slow_servers_end_in_timeouts",
        villains::slow_servers_end_in_timeouts,
    ),
    (
        "slow_callers_are_not_the_servers_fault",
        villains::slow_callers_are_not_the_servers_fault,
    ),
    (
        "resumes_keep_the_call_deadline",
        villains::resumes_keep_the_call_deadline,
    ),
    (
        "complete_gets_the_long_timeout",
        timeouts::complete_gets_the_long_timeout,
    ),
];

/// The names of every transfer check.
pub fn transfer_check_names() -> Vec<&'static str> {
    CHECKS.iter().map(|(name, _)| *name).collect()
}

/// Runs the transfer check `name`.
pub fn run_transfer_check(
    client: &dyn TransferClient,
    setup: &TransferSetup<'_>,
    name: &str,
) -> CheckResult {
    let (_, check) = CHECKS
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| format!("no transfer check named {name}"))?;
    check(&Ctx { client, setup })
}

pub(crate) struct Ctx<'a> {
    pub(crate) client: &'a dyn TransferClient,
    pub(crate) setup: &'a TransferSetup<'a>,
}

pub(crate) fn ok<T>(what: &str, result: Result<T, TransferError>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

pub(crate) fn io<T>(what: &str, result: std::io::Result<T>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

/// Small parts so multipart paths run on small files.
/// Parts of 128 bytes, 3 at a time, multipart from 256 bytes: every shape of a transfer
/// from a few hundred bytes (the clients' encryption tests use it).
pub fn tiny_parts() -> TransferOptions {
    TransferOptions::default()
        .multipart_threshold(256)
        .part_size(128)
        .concurrency(3)
}

/// `(part number, offset, length)` of each part of `len` bytes cut in `part_size` parts
/// (the clients' encryption tests upload them by hand).
pub fn part_spans(len: usize, part_size: usize) -> Vec<(u32, u64, u64)> {
    (0..len.div_ceil(part_size))
        .map(|i| {
            let offset = i * part_size;
            let part_len = part_size.min(len - offset) as u64;
            (i as u32 + 1, offset as u64, part_len)
        })
        .collect()
}

/// `Range` headers that test a ranged read of an object of `len` bytes cut in
/// `part_size` parts, with the bytes each one must deliver: across the first part
/// boundary, around the second, open-ended, past the end, suffixes shorter and longer
/// than a part and than the object. `len` must exceed two parts.
pub fn ranges_across_parts(len: usize, part_size: usize) -> Vec<(String, std::ops::Range<usize>)> {
    let second = 2 * part_size;
    vec![
        (
            format!("bytes={}-{}", part_size - 5, part_size + 4),
            part_size - 5..part_size + 5,
        ),
        (
            format!("bytes={}-{}", second - 1, second),
            second - 1..second + 1,
        ),
        (format!("bytes={second}-"), second..len),
        (format!("bytes={}-{}", len - 23, len * 40), len - 23..len),
        ("bytes=-7".to_owned(), len - 7..len),
        (
            format!("bytes=-{}", part_size + 1),
            len - part_size - 1..len,
        ),
        (format!("bytes=-{}", len * 40), 0..len),
    ]
}

pub(crate) fn small() -> TransferOptions {
    TransferOptions::default()
        .multipart_threshold(64 * KIB)
        .part_size(16 * KIB)
        .concurrency(4)
}

impl Ctx<'_> {
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.setup.scratch_dir.join(name)
    }

    pub(crate) fn write(&self, name: &str, data: &[u8]) -> Result<PathBuf, String> {
        let path = self.path(name);
        io("write", std::fs::write(&path, data))?;
        Ok(path)
    }

    pub(crate) fn put(&self, key: &str, data: &[u8]) -> CheckResult {
        self.client
            .put_object(
                &PutObject::new(key, Some(data.len() as u64)),
                Upload::Bytes(Bytes::copy_from_slice(data)),
            )
            .map(drop)
            .map_err(|e| format!("put {key}: {e}"))
    }

    pub(crate) fn upload(
        &self,
        key: &str,
        path: &Path,
        options: TransferOptions,
    ) -> Result<UploadOutput, TransferError> {
        self.client
            .upload_file(&PutObject::new(key, None), path, options, &mut |_| {})
    }

    pub(crate) fn download(
        &self,
        key: &str,
        path: &Path,
        options: TransferOptions,
    ) -> Result<DownloadOutput, TransferError> {
        self.client
            .download_file(&GetObject::new(key), path, options, &mut |_| {})
    }

    pub(crate) fn head(&self, key: &str) -> Result<cos_proto::ops::ObjectInfo, String> {
        self.client
            .head_object(&HeadObject::new(key))
            .map_err(|e| format!("head {key}: {e}"))
    }

    pub(crate) fn faults(&self) -> cos_emulator::Faults {
        self.setup.emulator.faults()
    }

    /// No multipart upload is left pending in the bucket.
    pub(crate) fn no_pending_uploads(&self) -> CheckResult {
        let uploads = self
            .client
            .list_multipart_uploads(&ListMultipartUploads::new())
            .map_err(|e| e.to_string())?;
        ensure!(
            uploads.uploads.is_empty(),
            "uploads left pending: {uploads:?}"
        );
        Ok(())
    }
}

pub(crate) fn data(len: u64, seed: u64) -> Vec<u8> {
    crate::checks::pattern(len as usize, seed)
}

pub(crate) fn crc(data: &[u8]) -> u64 {
    cos_proto::crc64::crc64(data)
}

fn round_trip(ctx: &Ctx<'_>, len: u64, options: TransferOptions) -> CheckResult {
    let bytes = data(len, len);
    let key = format!("rt/{len}");
    let source = ctx.write(&format!("src-{len}"), &bytes)?;
    let mut events = Vec::new();
    let up = ok(
        "upload",
        ctx.client
            .upload_file(&PutObject::new(&key, None), &source, options, &mut |e| {
                events.push(e)
            }),
    )?;
    ensure!(
        up.size == len && up.crc64 == crc(&bytes),
        "upload of {len}: {up:?}"
    );
    ensure!(
        !checkpoint_path(&source).exists(),
        "the checkpoint of {len} was left"
    );
    let committed: Vec<u64> = events.iter().map(|e| e.progress().committed).collect();
    ensure!(
        committed.windows(2).all(|w| w[0] <= w[1]),
        "progress went backwards: {committed:?}"
    );
    ensure!(
        matches!(events.last(), Some(TransferEvent::Finished { progress }) if progress.committed == len),
        "last event: {:?}",
        events.last()
    );
    let target = ctx.path(&format!("dst-{len}"));
    let down = ok("download", ctx.download(&key, &target, options))?;
    ensure!(down.crc64 == up.crc64, "download of {len}: {down:?}");
    ensure!(
        io("read", std::fs::read(&target))? == bytes,
        "{len} bytes differ"
    );
    ensure!(
        !temp_path(&target).exists() && !checkpoint_path(&target).exists(),
        "the download of {len} left files"
    );
    Ok(())
}

fn edge_sizes_round_trip(ctx: &Ctx<'_>) -> CheckResult {
    for len in [0, 1, 64 * KIB - 1, 64 * KIB, 96 * KIB, 100 * KIB + 7] {
        round_trip(ctx, len, small())?;
    }
    let source = ctx.write("exact", &data(64 * KIB, 1))?;
    let up = ok("upload", ctx.upload("exact", &source, small()))?;
    ensure!(
        up.parts == 4,
        "exactly the threshold goes multipart in 4 parts: {up:?}"
    );
    let source = ctx.write("below", &data(64 * KIB - 1, 1))?;
    let up = ok("upload", ctx.upload("below", &source, small()))?;
    ensure!(up.parts == 0, "below the threshold is one PUT: {up:?}");
    Ok(())
}

fn part_count_limit(ctx: &Ctx<'_>) -> CheckResult {
    // 10,001 parts of 16 bytes would be too many: the part size doubles to 32.
    let bytes = data(10_001 * 16, 2);
    let source = ctx.write("many", &bytes)?;
    let options = TransferOptions::default()
        .multipart_threshold(1)
        .part_size(16)
        .concurrency(8);
    let up = ok("upload", ctx.upload("many", &source, options))?;
    ensure!(up.parts == 5001, "{up:?}");
    ensure!(ctx.head("many")?.crc64 == Some(crc(&bytes)), "stored CRC64");
    let target = ctx.path("many.out");
    ok(
        "download",
        ctx.download("many", &target, options.part_size(4 * KIB)),
    )?;
    ensure!(io("read", std::fs::read(&target))? == bytes, "bytes differ");
    Ok(())
}

fn resume_after_failed_part(ctx: &Ctx<'_>) -> CheckResult {
    let bytes = data(160 * KIB, 3);
    let source = ctx.write("big", &bytes)?;
    let fault = ctx.faults().add(
        FaultRule::status(403, "AccessDenied")
            .method("PUT")
            .query_contains("partNumber=7")
            .times(1),
    );
    let failed = ctx.upload("big", &source, small());
    ensure!(failed.is_err(), "part 7 is refused: {failed:?}");
    ensure!(ctx.faults().fired_count(fault) == 1, "the fault fired");
    ensure!(checkpoint_path(&source).exists(), "the checkpoint is kept");
    let done = ok("resume", ctx.upload("big", &source, small()))?;
    ensure!(done.resumed_bytes >= 16 * KIB, "resumed: {done:?}");
    ensure!(
        done.resumed_bytes + done.sent_bytes == 160 * KIB,
        "only the missing parts were sent: {done:?}"
    );
    ensure!(ctx.head("big")?.crc64 == Some(crc(&bytes)), "stored CRC64");
    Ok(())
}

fn source_modified_between_runs(ctx: &Ctx<'_>) -> CheckResult {
    let source = ctx.write("f", &data(160 * KIB, 4))?;
    ctx.faults().add(
        FaultRule::status(403, "AccessDenied")
            .method("PUT")
            .query_contains("partNumber=5")
            .times(1),
    );
    ensure!(
        ctx.upload("f", &source, small()).is_err(),
        "the first run fails"
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut changed = data(160 * KIB + 3, 5);
    changed[0] ^= 0xff;
    io("rewrite", std::fs::write(&source, &changed))?;
    let done = ok("second run", ctx.upload("f", &source, small()))?;
    ensure!(
        done.resumed_bytes == 0,
        "nothing of the old file is kept: {done:?}"
    );
    let target = ctx.path("f.out");
    ok("download", ctx.download("f", &target, small()))?;
    ensure!(
        io("read", std::fs::read(&target))? == changed,
        "bytes differ"
    );
    // The stale upload was aborted.
    ctx.no_pending_uploads()
}

fn remote_replaced_between_runs(ctx: &Ctx<'_>) -> CheckResult {
    let first = data(128 * KIB, 6);
    ctx.put("obj", &first)?;
    let refuse_a_range = |skip| {
        FaultRule::status(403, "AccessDenied")
            .method("GET")
            .path_contains("obj")
            .skip(skip)
            .times(1)
    };
    ctx.faults().add(refuse_a_range(3));
    let target = ctx.path("obj");
    ensure!(
        ctx.download("obj", &target, small().concurrency(1))
            .is_err(),
        "a range is refused"
    );
    ensure!(
        !target.exists(),
        "nothing appears before the download is verified"
    );
    ensure!(checkpoint_path(&target).exists(), "the checkpoint is kept");
    let resumed = ok("resume", ctx.download("obj", &target, small()))?;
    ensure!(resumed.resumed_bytes > 0, "{resumed:?}");
    ensure!(
        io("read", std::fs::read(&target))? == first,
        "resumed bytes differ"
    );

    io("remove", std::fs::remove_file(&target))?;
    ctx.faults().add(refuse_a_range(2));
    ensure!(
        ctx.download("obj", &target, small().concurrency(1))
            .is_err(),
        "a range is refused"
    );
    let second: Vec<u8> = first.iter().map(|b| b ^ 0x5a).collect();
    ctx.put("obj", &second)?;
    let fresh = ok("fresh", ctx.download("obj", &target, small()))?;
    ensure!(
        fresh.resumed_bytes == 0,
        "the old object's ranges are not reused: {fresh:?}"
    );
    ensure!(
        io("read", std::fs::read(&target))? == second,
        "bytes differ"
    );
    Ok(())
}

fn unwritable_target(ctx: &Ctx<'_>) -> CheckResult {
    ctx.put("x", b"abc")?;
    let not_a_dir = ctx.write("file", b"")?;
    let err = ctx.download("x", &not_a_dir.join("x"), small());
    ensure!(
        matches!(
            &err,
            Err(TransferError::Client(
                cos_proto::driver::error::Error::File { .. }
            ))
        ),
        "a target below a file: {err:?}"
    );
    let missing = ctx.download("missing", &ctx.path("m"), small());
    ensure!(
        missing
            .as_ref()
            .err()
            .and_then(TransferError::client_error)
            .and_then(|e| e.service_error())
            .is_some_and(|e| e.status == 404),
        "a missing key: {missing:?}"
    );
    let entries = io("list", std::fs::read_dir(&ctx.setup.scratch_dir))?.count();
    ensure!(entries == 1, "nothing was created ({entries} entries)");
    Ok(())
}

/// What a [`WatchedFile`] does before each write: `Err` fails the write.
pub(crate) type WriteHook = Box<dyn Fn(u64, &[u8]) -> std::io::Result<()> + Send + Sync>;

/// A file target whose writes first pass through a hook (to record them, or to fail
/// them like a full disk); everything else is the file's.
pub(crate) struct WatchedFile {
    file: FileTarget,
    before_write: WriteHook,
}

impl WatchedFile {
    pub(crate) fn new(path: &Path, before_write: WriteHook) -> Arc<Self> {
        Arc::new(Self {
            file: FileTarget::new(path),
            before_write,
        })
    }
}

impl DownloadTarget for WatchedFile {
    fn read_checkpoint(&self) -> Option<Vec<u8>> {
        self.file.read_checkpoint()
    }
    fn open(&self, len: u64, keep: bool) -> std::io::Result<bool> {
        self.file.open(len, keep)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        (self.before_write)(offset, data)?;
        self.file.write_at(offset, data)
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.file.read_at(offset, buf)
    }
    fn save_checkpoint(&self, json: &[u8]) -> std::io::Result<()> {
        self.file.save_checkpoint(json)
    }
    fn finalize(&self) -> std::io::Result<()> {
        self.file.finalize()
    }
    fn discard(&self) -> std::io::Result<()> {
        self.file.discard()
    }
    fn path(&self) -> &Path {
        self.file.path()
    }
}

/// The disk fills up mid-download: the download fails with the file error, the target
/// does not appear, and a later run with room resumes from what was recorded.
fn disk_full(ctx: &Ctx<'_>) -> CheckResult {
    let bytes = data(160 * KIB, 8);
    ctx.put("full", &bytes)?;
    let target = ctx.path("full");
    // A disk that fills up after 100 KiB.
    let room = AtomicU64::new(100 * KIB);
    let full = WatchedFile::new(
        &target,
        Box::new(move |_, data| {
            let len = data.len() as u64;
            let left = room.fetch_sub(len.min(room.load(Ordering::SeqCst)), Ordering::SeqCst);
            if left < len {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "No space left on device",
                ));
            }
            Ok(())
        }),
    );
    let err = ctx
        .client
        .download_to(&GetObject::new("full"), full, small().concurrency(1));
    let Err(TransferError::Client(cos_proto::driver::error::Error::File { source, .. })) = &err
    else {
        return Err(format!("a full disk: {err:?}"));
    };
    ensure!(source.kind() == std::io::ErrorKind::StorageFull, "{source}");
    ensure!(!target.exists(), "nothing appears on a full disk");
    ensure!(
        checkpoint_path(&target).exists(),
        "what was written is recorded"
    );
    let done = ok("download with room", ctx.download("full", &target, small()))?;
    ensure!(done.resumed_bytes >= 64 * KIB, "resumed: {done:?}");
    ensure!(io("read", std::fs::read(&target))? == bytes, "bytes differ");
    Ok(())
}

fn copy_and_move(ctx: &Ctx<'_>) -> CheckResult {
    let bytes = data(100 * KIB, 9);
    ctx.client
        .put_object(
            &PutObject::new("src", Some(bytes.len() as u64))
                .content_type("text/x-test")
                .metadata("x-cos-meta-owner", "alice"),
            Upload::Bytes(Bytes::from(bytes.clone())),
        )
        .map_err(|e| e.to_string())?;
    let config = &ctx.setup.config;
    let copied = ok(
        "multipart copy",
        ctx.client.copy(
            &CopyObject::new("copy", CopySource::in_config(config, "src")),
            small().copy_threshold(32 * KIB),
        ),
    )?;
    ensure!(copied.parts == 7, "{copied:?}");
    let info = ctx.head("copy")?;
    ensure!(info.crc64 == Some(crc(&bytes)), "copied CRC64");
    ensure!(
        info.content.content_type.as_deref() == Some("text/x-test"),
        "content type kept"
    );
    ensure!(
        info.metadata == vec![("x-cos-meta-owner".to_owned(), "alice".to_owned())],
        "metadata kept: {:?}",
        info.metadata
    );
    let moved = ok(
        "move",
        ctx.client.move_object(
            &CopyObject::new("moved", CopySource::in_config(config, "copy")),
            small(),
        ),
    )?;
    ensure!(moved.source_deleted && moved.parts == 0, "{moved:?}");
    ensure!(ctx.head("copy").is_err(), "the source is gone");
    ensure!(ctx.head("moved")?.crc64 == Some(crc(&bytes)), "moved CRC64");
    let missing = ctx.client.move_object(
        &CopyObject::new("x", CopySource::in_config(config, "nope")),
        small(),
    );
    ensure!(missing.is_err(), "moving nothing fails: {missing:?}");
    Ok(())
}

fn directories(ctx: &Ctx<'_>) -> CheckResult {
    let tree = ctx.path("tree");
    let files = [
        ("a.txt", 10),
        ("sub/b.bin", 100 * KIB),
        ("sub/deeper/c", 0),
        ("报告.txt", 3),
    ];
    for (name, len) in files {
        let path = tree.join(name);
        io(
            "mkdir",
            std::fs::create_dir_all(path.parent().unwrap_or(&tree)),
        )?;
        io("write", std::fs::write(&path, data(len, len)))?;
    }
    let options = DirectoryOptions::default()
        .transfer(small())
        .parallel_files(3);
    let report = ok("upload_dir", ctx.client.upload_dir(&tree, "up/", options))?;
    ensure!(
        report.transferred() == 4 && report.is_success(),
        "{report:?}"
    );
    let again = ok(
        "upload_dir again",
        ctx.client
            .upload_dir(&tree, "up/", options.skip_unchanged(true)),
    )?;
    ensure!(
        again.unchanged() == 4,
        "unchanged files are skipped: {again:?}"
    );

    let out = ctx.path("out");
    let report = ok(
        "download_dir",
        ctx.client.download_dir("up/", &out, options),
    )?;
    ensure!(
        report.transferred() == 4 && report.is_success(),
        "{report:?}"
    );
    for (name, len) in files {
        let got = io("read", std::fs::read(out.join(name)))?;
        ensure!(got == data(len, len), "{name} differs");
    }
    let again = ok(
        "download_dir again",
        ctx.client
            .download_dir("up/", &out, options.skip_unchanged(true)),
    )?;
    ensure!(
        again.unchanged() == 4,
        "unchanged files are kept: {again:?}"
    );
    Ok(())
}

fn download_dir_refuses_traversal(ctx: &Ctx<'_>) -> CheckResult {
    for key in [
        "d/../evil",
        "d//abs",
        "d/a/../../b",
        "d/ok.txt",
        "d/sub/x.txt",
        "d/marker/",
    ] {
        ctx.put(key, key.as_bytes())?;
    }
    let root = ctx.path("root");
    io("mkdir", std::fs::create_dir_all(&root))?;
    let report = ok(
        "download_dir",
        ctx.client
            .download_dir("d/", &root, DirectoryOptions::default()),
    )?;
    let outcome = |key: &str| {
        report
            .entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.outcome)
    };
    ensure!(
        matches!(
            outcome("d/../evil"),
            Some(EntryOutcome::Refused(RefusedKey::DotSegment))
        ),
        "{report:?}"
    );
    ensure!(
        matches!(
            outcome("d//abs"),
            Some(EntryOutcome::Refused(RefusedKey::Absolute))
        ),
        "{report:?}"
    );
    ensure!(
        matches!(
            outcome("d/a/../../b"),
            Some(EntryOutcome::Refused(RefusedKey::DotSegment))
        ),
        "{report:?}"
    );
    ensure!(
        matches!(outcome("d/marker/"), Some(EntryOutcome::DirectoryMarker)),
        "{report:?}"
    );
    ensure!(
        report.transferred() == 2 && report.refused() == 3,
        "{report:?}"
    );
    ensure!(
        io("read", std::fs::read(root.join("sub/x.txt")))? == b"d/sub/x.txt",
        "x.txt"
    );
    // Nothing was written anywhere but the two plain files.
    let mut written = Vec::new();
    let scratch = &ctx.setup.scratch_dir;
    for entry in io("walk", cos_transfer::fs::walk_files(scratch))? {
        written.push(entry.display().to_string());
    }
    written.sort();
    ensure!(
        written == ["root/ok.txt", "root/sub/x.txt"],
        "files written: {written:?}"
    );
    Ok(())
}

/// 5% 5xx answers, 2% connection resets, 1% truncated bodies: 50 uploads and 50
/// downloads of sizes from 0 B to 64 MiB (spread log-uniformly) come out identical.
fn faults(ctx: &Ctx<'_>) -> CheckResult {
    let faults = ctx.faults();
    let injected = [
        faults.add(FaultRule::status(503, "ServiceUnavailable").probability(0.05)),
        faults.add(
            FaultRule::reset_request_after(2048)
                .method("PUT")
                .probability(0.02),
        ),
        faults.add(
            FaultRule::reset_response_after(2048)
                .method("GET")
                .probability(0.02),
        ),
        faults.add(FaultRule::truncate_response_after(1024).probability(0.01)),
    ];
    let mut sizes = vec![0, 64 * MIB];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    while sizes.len() < 50 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let bits = (state % 2700) as f64 / 100.0; // 2^0 .. 2^27
        sizes.push(((2f64.powf(bits)) as u64).min(64 * MIB));
    }
    let options = TransferOptions::default().part_size(4 * MIB);
    for (i, len) in sizes.iter().copied().enumerate() {
        let bytes = data(len, i as u64);
        let key = format!("fault/{i}");
        let source = ctx.write(&format!("fault-{i}"), &bytes)?;
        let up = ok(
            &format!("upload {i} ({len} bytes)"),
            ctx.upload(&key, &source, options),
        )?;
        ensure!(up.crc64 == crc(&bytes), "upload {i}: CRC64");
        let target = ctx.path(&format!("fault-{i}.out"));
        ok(
            &format!("download {i} ({len} bytes)"),
            ctx.download(&key, &target, options),
        )?;
        ensure!(
            io("read", std::fs::read(&target))? == bytes,
            "download {i} ({len} bytes) differs"
        );
        io("cleanup", std::fs::remove_file(&source))?;
        io("cleanup", std::fs::remove_file(&target))?;
    }
    let fired: Vec<u32> = injected.iter().map(|id| faults.fired_count(*id)).collect();
    ensure!(
        fired.iter().all(|&n| n > 0),
        "every kind of fault fired: {fired:?}"
    );
    Ok(())
}

/// One `#[test]` per transfer check, each calling `$run(name)`, plus a test that the
/// list is complete. A client's test file invokes it once:
/// `cos_conformance::transfer_tests!(run_check);`.
#[macro_export]
macro_rules! transfer_tests {
    ($run:path) => {
        $crate::transfer_tests!(@each $run;
            edge_sizes_round_trip, part_count_limit, resume_after_failed_part,
            source_modified_between_runs, remote_replaced_between_runs, unwritable_target,
            disk_full, copy_and_move, directories, download_dir_refuses_traversal, faults,
            range_answers_checked, resumed_download_rechecks_temp, no_symlink_followed,
            helper_names_cannot_collide, flipped_byte_is_caught, complete_answer_lost,
            crash_after_complete_resends_nothing, source_replaced_keeping_size_and_mtime,
            append_answer_lost, custom_request_not_repeated, slow_servers_end_in_timeouts,
            slow_callers_are_not_the_servers_fault, resumes_keep_the_call_deadline,
            complete_gets_the_long_timeout);
    };
    (@each $run:path; $($name:ident),+) => {
        $(
            #[test]
            fn $name() {
                $run(stringify!($name));
            }
        )+

        #[test]
        fn transfer_tests_cover_every_check() {
            assert_eq!(
                vec![$(stringify!($name)),+],
                $crate::transfer::transfer_check_names()
            );
        }
    };
}
