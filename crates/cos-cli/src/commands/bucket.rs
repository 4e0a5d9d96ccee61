//! `cos mb` and `cos rb`: make a bucket, remove one (with `--force`, after deleting every
//! object, version and pending upload in it).

use cos_proto::ops::bucket::{CreateBucket, DeleteBucket};
use serde_json::json;

use crate::commands::Context;
use crate::commands::abort::abort_under;
use crate::commands::rm::batch::{TreeOptions, delete_tree, print_summary};
use crate::commands::rm::check;
use crate::failure::CliError;
use crate::location::Remote;

/// The arguments of `cos mb`.
#[derive(Debug, clap::Args)]
pub(crate) struct MbArgs {
    /// The bucket, cos://bucket-appid (in --region).
    pub(crate) bucket: String,
    /// Its canned ACL: private (the default), public-read or public-read-write.
    #[arg(long)]
    pub(crate) acl: Option<String>,
}

/// The arguments of `cos rb`.
#[derive(Debug, clap::Args)]
pub(crate) struct RbArgs {
    /// The bucket, cos://bucket-appid.
    pub(crate) bucket: String,
    /// Delete every object, version and pending upload in it first, without asking.
    #[arg(long)]
    pub(crate) force: bool,
}

/// Runs `cos mb`.
pub(crate) async fn make(args: MbArgs, cx: &Context) -> Result<(), CliError> {
    let remote = bucket_of(&args.bucket)?;
    let client = cx.clients.bucket(&remote.bucket)?;
    let mut op = CreateBucket::new();
    if let Some(acl) = &args.acl {
        op = op.acl(acl.clone());
    }
    client
        .create_bucket(&op)
        .await
        .map_err(|err| CliError::cos(format!("making {remote}"), &err))?;
    cx.output.result(
        || format!("made: {remote}"),
        || json!({"event": "made", "bucket": remote.bucket}),
    );
    Ok(())
}

/// Runs `cos rb`.
pub(crate) async fn remove(args: RbArgs, cx: &Context) -> Result<(), CliError> {
    let remote = bucket_of(&args.bucket)?;
    let client = cx.clients.bucket(&remote.bucket)?;
    if args.force {
        let aborted = abort_under(&client, &remote, cx).await?;
        let options = TreeOptions {
            versions: true,
            ..TreeOptions::default()
        };
        let mut counts = delete_tree(&client, &remote, "", &options, cx).await?;
        print_summary(cx, counts, false);
        counts.failed += aborted.failed;
        check(counts)?;
    }
    client
        .delete_bucket(&DeleteBucket::new())
        .await
        .map_err(|err| {
            let error = CliError::cos(format!("removing {remote}"), &err);
            if err.code() == Some("BucketNotEmpty") {
                error.hint(format!(
                    "delete its objects first (`cos rm -r {remote}`), or pass --force to \
                     delete them and the bucket"
                ))
            } else {
                error
            }
        })?;
    cx.output.result(
        || format!("removed: {remote}"),
        || json!({"event": "removed", "bucket": remote.bucket}),
    );
    Ok(())
}

/// `cos://bucket-appid` (a key is a usage error).
fn bucket_of(arg: &str) -> Result<Remote, CliError> {
    let remote = Remote::parse(arg)?;
    if !remote.key.is_empty() {
        return Err(CliError::usage(format!(
            "{arg:?} names a key: write the bucket alone, cos://bucket-appid"
        )));
    }
    Ok(remote)
}
