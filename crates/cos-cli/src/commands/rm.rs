//! `cos rm`: delete one object, or with `-r` every object under a prefix in batches of
//! 1,000 (DeleteObjects), streamed from the listing in constant memory.

pub(crate) mod batch;
pub(crate) mod confirm;

use cos_proto::ops::{DeleteObject, ObjectIdentifier};

use crate::commands::Context;
use crate::failure::CliError;
use crate::filter::Filter;
use crate::location::Remote;
use batch::{Tally, TreeOptions, delete_tree, print_summary, report};
use confirm::confirm;

/// The arguments of `cos rm`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The object, cos://bucket-appid/key, or with -r the prefix (cos://bucket-appid/dir/).
    pub(crate) target: String,
    /// Every object under the prefix (the key is taken as a directory: `logs` means `logs/`).
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Delete without asking (required with -r when standard input is not a terminal).
    #[arg(short, long)]
    pub(crate) force: bool,
    /// List what would be deleted; delete nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Only keys matching this glob, relative to the prefix (repeatable; with -r).
    #[arg(long, value_name = "GLOB", requires = "recursive")]
    pub(crate) include: Vec<String>,
    /// Not keys matching this glob, relative to the prefix (repeatable; with -r).
    #[arg(long, value_name = "GLOB", requires = "recursive")]
    pub(crate) exclude: Vec<String>,
    /// Every version and delete marker too (with -r; a bucket with versioning).
    #[arg(long, requires = "recursive")]
    pub(crate) versions: bool,
    /// One version of the object (without -r).
    #[arg(long, conflicts_with = "recursive")]
    pub(crate) version_id: Option<String>,
}

/// Runs `cos rm`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let remote = Remote::parse(&args.target)?;
    if args.recursive {
        return remove_tree(&remote, &args, cx).await;
    }
    if remote.key.is_empty() || remote.key.ends_with('/') {
        return Err(CliError::usage(format!(
            "{remote} is a prefix: pass -r to delete every object under it"
        )));
    }
    let id = ObjectIdentifier {
        key: remote.key.clone(),
        version_id: args.version_id.clone(),
    };
    if args.dry_run {
        report(cx, &remote, &id, "would delete", "would_delete");
        return Ok(());
    }
    let client = cx.clients.bucket(&remote.bucket)?;
    let mut op = DeleteObject::new(remote.key.clone());
    if let Some(version) = &args.version_id {
        op = op.version_id(version.clone());
    }
    client
        .delete_object(&op)
        .await
        .map_err(|err| CliError::cos(&remote, &err))?;
    report(cx, &remote, &id, "deleted", "deleted");
    Ok(())
}

/// `rm -r`: asks (or needs `--force`), then deletes the tree and sums it up.
async fn remove_tree(remote: &Remote, args: &Args, cx: &Context) -> Result<(), CliError> {
    let prefix = remote.dir_prefix();
    let options = TreeOptions {
        versions: args.versions,
        dry_run: args.dry_run,
        filter: Filter::new(&args.include, &args.exclude)?,
    };
    if !args.dry_run {
        let what = if args.versions {
            "every version of every object"
        } else {
            "every object"
        };
        confirm(
            &format!("delete {what} under {}", remote.with_key(prefix.clone())),
            args.force,
        )?;
    }
    let client = cx.clients.bucket(&remote.bucket)?;
    let counts = delete_tree(&client, remote, &prefix, &options, cx).await?;
    print_summary(cx, counts, args.dry_run);
    check(counts)
}

/// Exit code 1 when any key failed (each was reported).
pub(crate) fn check(counts: Tally) -> Result<(), CliError> {
    if counts.failed > 0 {
        Err(CliError::partial(counts.failed))
    } else {
        Ok(())
    }
}
