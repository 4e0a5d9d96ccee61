//! `cos cp`, `cos mv` and `cos sync`: files and objects copied in every direction
//! (local→COS, COS→local, COS→COS) through one bounded pool of requests, resumable,
//! CRC-64-verified, and never half-written at their destination.

use std::future::Future;

use crate::commands::Context;
use crate::failure::CliError;

mod compare;
mod cp;
mod job;
mod listing;
mod naming;
mod pool;
mod request;
mod sides;
mod sync;
mod work;

/// The naming rules of `cp` and `mv`, shown by `--help`.
const CP_NAMING: &str = "\
Naming:
  cos cp file cos://b/dir/        writes the key dir/file
  cos cp file cos://b/key         writes the key key
  cos cp -r dir cos://b/prefix    writes prefix/<path below dir>
  cos cp cos://b/a/key .          writes ./key (also dir/key for dir/ or a directory)
  cos cp -r cos://b/prefix dir    writes dir/<key below prefix/>
Between buckets the same rules apply to keys. Running the same command again resumes
an interrupted transfer. mv deletes each source only once its copy is verified.";

/// The comparison rules of `sync`, shown by `--help`.
const SYNC_RULES: &str = "\
A file is sent when the destination lacks it, when the sizes differ, or when the
modification time recorded in x-cos-meta-mtime (set by every upload of cos) differs from
the file's; without a recorded time (an object written by another tool) the CRC-64s
decide. Between buckets the CRC-64s always decide. Downloads give each file the object's
modification time (or its Last-Modified).";

/// The arguments of `cos cp` and `cos mv`.
///
/// Naming (as coscli and `aws s3 cp`): `cp file cos://b/dir/` writes key `dir/file`;
/// `cp file cos://b/key` writes `key`; `cp -r dir cos://b/prefix` writes
/// `prefix/<path below dir>`; `cp cos://b/a/key .` (or an existing directory, or a path
/// ending with `/`) writes the file `./key`, named after the key's last segment;
/// `cp -r cos://b/prefix dir` writes `dir/<key below prefix/>`; between buckets the same
/// rules apply to keys. `mv` deletes each source only once its copy is verified.
#[derive(Debug, clap::Args)]
#[command(after_long_help = CP_NAMING)]
pub(crate) struct CpArgs {
    /// The source: a local file or directory, or cos://bucket-appid/key (a prefix with -r).
    pub(crate) source: String,
    /// The destination: a local path, or cos://bucket-appid/key (a "directory" if it ends
    /// with `/`).
    pub(crate) destination: String,
    /// Copy a whole tree: every file below a directory, or every object under a prefix.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// The options shared with `cos sync`.
    #[command(flatten)]
    pub(crate) common: Common,
}

/// The arguments of `cos sync`.
///
/// A file is sent when the destination lacks it, when the sizes differ, or when the
/// modification time recorded in `x-cos-meta-mtime` (set by every upload of `cos`)
/// differs from the file's; when no time is recorded (an object written by another
/// tool), the CRC-64s decide. Between buckets the CRC-64s always decide. Downloads set
/// the file's modification time from the object's (or from its Last-Modified).
#[derive(Debug, clap::Args)]
#[command(after_long_help = SYNC_RULES)]
pub(crate) struct SyncArgs {
    /// The source: a local directory, or a prefix cos://bucket-appid/prefix.
    pub(crate) source: String,
    /// The destination: a local directory, or a prefix cos://bucket-appid/prefix.
    pub(crate) destination: String,
    /// Compare CRC-64s instead of sizes and modification times.
    #[arg(long)]
    pub(crate) checksum: bool,
    /// Delete destination files or objects the source lacks, once every transfer has
    /// succeeded (never after an error; never ones --include/--exclude leave out).
    #[arg(long)]
    pub(crate) delete: bool,
    /// Print what would be done (upload, download, copy, delete, skip, with the reason)
    /// and change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// The options shared with `cos cp`.
    #[command(flatten)]
    pub(crate) common: Common,
}

/// The options of `cp`, `mv` and `sync`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Common {
    /// Only paths (relative to the source, `/`-separated; a single file's name) matching
    /// this glob; repeatable. `*` matches across `/`: `*.log` matches `a/b.log`.
    #[arg(long, value_name = "GLOB")]
    pub(crate) include: Vec<String>,
    /// Leave out paths matching this glob (wins over --include); repeatable. Excluded
    /// files are never read, written or deleted.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// The storage class of new objects (STANDARD, STANDARD_IA, ARCHIVE, DEEP_ARCHIVE,
    /// INTELLIGENT_TIERING, MAZ_STANDARD, ...).
    #[arg(long, value_name = "CLASS")]
    pub(crate) storage_class: Option<String>,
    /// User metadata of new objects, `key=value` (stored as x-cos-meta-key); repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub(crate) meta: Vec<String>,
    /// The canned ACL of new objects (private, public-read, default).
    #[arg(long)]
    pub(crate) acl: Option<String>,
    /// Server-side encryption of new objects: AES256 (SSE-COS) or cos/kms (SSE-KMS).
    #[arg(long, value_name = "AES256|cos/kms")]
    pub(crate) sse: Option<String>,
    /// The KMS key of --sse cos/kms (the default key when absent).
    #[arg(long, value_name = "KEY_ID", requires = "sse")]
    pub(crate) sse_kms_key_id: Option<String>,
    /// The Content-Type of new objects.
    #[arg(long, value_name = "TYPE")]
    pub(crate) content_type: Option<String>,
    /// Requests in flight at once, over all files and their parts.
    #[arg(short, long, default_value_t = 16, value_name = "N")]
    pub(crate) jobs: usize,
    /// The part size of multipart transfers (`8MiB`, `16M`, bytes); a resumed transfer
    /// keeps the size it started with.
    #[arg(long, default_value = "8MiB", value_name = "SIZE")]
    pub(crate) part_size: String,
}

/// Runs `cos cp` (`moving`: `cos mv`).
pub(crate) async fn cp(args: CpArgs, cx: &Context, moving: bool) -> Result<(), CliError> {
    interruptible(cx, cp::run(args, cx, moving)).await
}

/// Runs `cos sync`.
pub(crate) async fn sync(args: SyncArgs, cx: &Context) -> Result<(), CliError> {
    interruptible(cx, sync::run(args, cx)).await
}

/// Runs `work` (with the file tasks of its pool) until it ends or Ctrl-C: then the
/// transfers in flight are dropped (their checkpoints stay), the user is told how to
/// resume, and the process exits with 130.
async fn interruptible(
    cx: &Context,
    work: impl Future<Output = Result<(), CliError>>,
) -> Result<(), CliError> {
    let finished = tokio::select! {
        result = work => Some(result),
        _ = tokio::signal::ctrl_c() => None,
    };
    // Past the select, the work is dropped, and with its pool the file tasks: their
    // requests are aborted, their checkpoints stay.
    if let Some(result) = finished {
        return result;
    }
    cx.output.finish_progress();
    cx.output.print_error(
        "cos: interrupted; run the same command again to resume (finished parts are kept)",
    );
    std::process::exit(130);
}
