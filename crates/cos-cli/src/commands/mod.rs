//! The commands: their arguments (clap) and what each does.

use clap::{Parser, Subcommand};

use crate::connect::{Clients, Target};
use crate::failure::CliError;
use crate::output::{Mode, Output};

pub(crate) mod abort;
pub(crate) mod bucket;
pub(crate) mod cat;
pub(crate) mod du;
pub(crate) mod hash;
pub(crate) mod ls;
pub(crate) mod lsparts;
pub(crate) mod restore;
pub(crate) mod rm;
pub(crate) mod select;
pub(crate) mod signurl;
pub(crate) mod stat;
pub(crate) mod transfer;

/// The command line for Tencent Cloud COS: objects are `cos://bucket-appid/key`,
/// anything else is a local path.
#[derive(Debug, Parser)]
#[command(name = "cos", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// The region of the buckets (ap-guangzhou, ap-beijing, ...).
    #[arg(long, global = true, env = "COS_REGION")]
    pub(crate) region: Option<String>,
    /// A custom endpoint: a host that prefixes the bucket (cos.ap-beijing.myqcloud.com), or
    /// a local server's URL, addressed path-style (http://127.0.0.1:9000).
    #[arg(long, global = true, env = "COS_ENDPOINT", value_name = "URL")]
    pub(crate) endpoint: Option<String>,
    /// The credentials profile (~/.tencentcloud/credentials, tccli's, coscli's ~/.cos.yaml);
    /// keys come from COS_SECRET_ID/COS_SECRET_KEY/COS_TOKEN first.
    #[arg(long, global = true)]
    pub(crate) profile: Option<String>,
    /// One JSON object per line on standard output (results, failures, the summary).
    #[arg(long, global = true, conflicts_with = "quiet")]
    pub(crate) json: bool,
    /// Print only errors.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List buckets, or the objects under a prefix.
    Ls(ls::Args),
    /// Copy files and objects: local→COS, COS→local, COS→COS (resumable).
    Cp(transfer::CpArgs),
    /// Move: copy, verify, then delete the source.
    Mv(transfer::CpArgs),
    /// Make the destination match the source (size and modification time, or CRC-64).
    Sync(transfer::SyncArgs),
    /// Delete objects (a prefix with -r, in batches of 1,000).
    Rm(rm::Args),
    /// Make a bucket.
    Mb(bucket::MbArgs),
    /// Remove a bucket (with --force, everything in it first).
    Rb(bucket::RbArgs),
    /// Show an object's metadata.
    Stat(stat::Args),
    /// Write an object (or a byte range of it) to standard output.
    Cat(cat::Args),
    /// CRC-64 and MD5 of a local file or an object.
    Hash(hash::Args),
    /// A presigned URL for an object (GET, PUT, ...), valid for --expires seconds.
    Signurl(signurl::Args),
    /// Total size and count under a prefix, per sub-prefix.
    Du(du::Args),
    /// Restore archived objects for a number of days.
    Restore(restore::Args),
    /// List pending multipart uploads.
    Lsparts(lsparts::Args),
    /// Abort a pending multipart upload, or every one under a prefix.
    Abort(abort::Args),
    /// Run an SQL expression over a CSV or JSON object (COS Select).
    Select(select::Args),
}

/// What every command shares: the clients and the printer.
#[derive(Debug)]
pub(crate) struct Context {
    /// One client per bucket.
    pub(crate) clients: Clients,
    /// The printer.
    pub(crate) output: Output,
}

impl Context {
    /// The context the global options describe.
    pub(crate) fn new(cli: &Cli) -> Context {
        let mode = if cli.json {
            Mode::Json
        } else if cli.quiet {
            Mode::Quiet
        } else {
            Mode::Plain
        };
        Context {
            clients: Clients::new(Target {
                region: cli.region.clone(),
                endpoint: cli.endpoint.clone(),
                profile: cli.profile.clone(),
            }),
            output: Output::new(mode),
        }
    }
}

/// Runs `command`.
pub(crate) async fn run(command: Command, cx: &Context) -> Result<(), CliError> {
    match command {
        Command::Ls(args) => ls::run(args, cx).await,
        Command::Cp(args) => transfer::cp(args, cx, false).await,
        Command::Mv(args) => transfer::cp(args, cx, true).await,
        Command::Sync(args) => transfer::sync(args, cx).await,
        Command::Rm(args) => rm::run(args, cx).await,
        Command::Mb(args) => bucket::make(args, cx).await,
        Command::Rb(args) => bucket::remove(args, cx).await,
        Command::Stat(args) => stat::run(args, cx).await,
        Command::Cat(args) => cat::run(args, cx).await,
        Command::Hash(args) => hash::run(args, cx).await,
        Command::Signurl(args) => signurl::run(args, cx).await,
        Command::Du(args) => du::run(args, cx).await,
        Command::Restore(args) => restore::run(args, cx).await,
        Command::Lsparts(args) => lsparts::run(args, cx).await,
        Command::Abort(args) => abort::run(args, cx).await,
        Command::Select(args) => select::run(args, cx).await,
    }
}
