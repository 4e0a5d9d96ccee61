//! `cos ls`: the buckets, or the objects under a prefix (one level, or every level with
//! `-r`, or every version with `--versions`), streamed page by page in constant memory.

use cos_proto::ops::bucket::ListBuckets;
use cos_proto::ops::{ListObjectVersions, ListObjects, VersionEntry};
use serde_json::json;

use crate::commands::Context;
use crate::failure::CliError;
use crate::location::Remote;
use crate::output::human_size;

/// The arguments of `cos ls`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A bucket or prefix, cos://bucket-appid/prefix; none lists the buckets.
    pub(crate) target: Option<String>,
    /// Every object under the prefix, not only its first level.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Every version and delete marker (a bucket with versioning).
    #[arg(long)]
    pub(crate) versions: bool,
    /// Sizes in bytes, not KiB, MiB, ...
    #[arg(long)]
    pub(crate) bytes: bool,
}

/// Runs `cos ls`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let Some(target) = &args.target else {
        return buckets(cx).await;
    };
    let remote = Remote::parse(target)?;
    let size = |bytes: u64| {
        if args.bytes {
            bytes.to_string()
        } else {
            human_size(bytes)
        }
    };
    let (count, total) = if args.versions {
        versions(&remote, &args, cx, &size).await?
    } else {
        objects(&remote, &args, cx, &size).await?
    };
    cx.output.result(
        || format!("{count} objects, {}", size(total)),
        || json!({"event": "summary", "objects": count, "bytes": total}),
    );
    Ok(())
}

async fn buckets(cx: &Context) -> Result<(), CliError> {
    let client = cx.clients.service()?;
    let mut op = ListBuckets::new();
    loop {
        let page = client
            .list_buckets(&op)
            .await
            .map_err(|err| CliError::cos("listing the buckets", &err))?;
        for bucket in &page.document.buckets {
            cx.output.result(
                || {
                    format!(
                        "{}  {:<16}  cos://{}",
                        bucket.creation_date, bucket.location, bucket.name
                    )
                },
                || {
                    json!({
                        "bucket": bucket.name,
                        "region": bucket.location,
                        "created": bucket.creation_date,
                    })
                },
            );
        }
        match page
            .document
            .next_marker
            .filter(|_| page.document.is_truncated)
        {
            Some(marker) => op = op.marker(marker),
            None => return Ok(()),
        }
    }
}

/// Lists objects (and first-level prefixes unless recursive); the count and total size.
async fn objects(
    remote: &Remote,
    args: &Args,
    cx: &Context,
    size: &impl Fn(u64) -> String,
) -> Result<(u64, u64), CliError> {
    let client = cx.clients.bucket(&remote.bucket)?;
    let mut op = ListObjects::new().prefix(remote.key.clone());
    if !args.recursive {
        op = op.delimiter("/");
    }
    let mut pages = client.paginate(op);
    let (mut count, mut total) = (0u64, 0u64);
    while let Some(page) = pages.next_page().await {
        let page = page.map_err(|err| CliError::cos(format!("listing {remote}"), &err))?;
        print_prefixes(remote, &page.common_prefixes, cx);
        for object in &page.contents {
            count += 1;
            total += object.size;
            let url = remote.with_key(object.key.clone());
            let class = object
                .storage_class
                .as_ref()
                .map_or("STANDARD", |c| c.as_str());
            cx.output.result(
                || {
                    format!(
                        "{:>20}  {:>10}  {class:<12}  {url}",
                        short_time(&object.last_modified),
                        size(object.size)
                    )
                },
                || {
                    json!({
                        "key": object.key,
                        "url": url.to_string(),
                        "size": object.size,
                        "last_modified": object.last_modified,
                        "etag": object.etag,
                        "storage_class": class,
                    })
                },
            );
        }
    }
    Ok((count, total))
}

/// Lists every version and delete marker; the count of versions and their total size.
async fn versions(
    remote: &Remote,
    args: &Args,
    cx: &Context,
    size: &impl Fn(u64) -> String,
) -> Result<(u64, u64), CliError> {
    let client = cx.clients.bucket(&remote.bucket)?;
    let mut op = ListObjectVersions::new().prefix(remote.key.clone());
    if !args.recursive {
        op = op.delimiter("/");
    }
    let mut pages = client.paginate(op);
    let (mut count, mut total) = (0u64, 0u64);
    while let Some(page) = pages.next_page().await {
        let page = page.map_err(|err| CliError::cos(format!("listing {remote}"), &err))?;
        print_prefixes(remote, &page.common_prefixes, cx);
        for entry in &page.entries {
            let url = remote.with_key(entry.key().to_owned());
            let latest = if entry.is_latest() { "latest" } else { "" };
            let (shown, bytes) = match entry {
                VersionEntry::Version(version) => {
                    count += 1;
                    total += version.size;
                    (size(version.size), Some(version.size))
                }
                VersionEntry::DeleteMarker(_) => ("DELETED".to_owned(), None),
            };
            cx.output.result(
                || {
                    format!(
                        "{:>20}  {shown:>10}  {latest:<12}  {url}  version {}",
                        short_time(entry.last_modified()),
                        entry.version_id()
                    )
                },
                || {
                    json!({
                        "key": entry.key(),
                        "url": url.to_string(),
                        "version_id": entry.version_id(),
                        "latest": entry.is_latest(),
                        "delete_marker": bytes.is_none(),
                        "size": bytes,
                        "last_modified": entry.last_modified(),
                    })
                },
            );
        }
    }
    Ok((count, total))
}

/// One `DIR` line per first-level prefix of a page.
fn print_prefixes(remote: &Remote, prefixes: &[String], cx: &Context) {
    for prefix in prefixes {
        let url = remote.with_key(prefix.clone());
        cx.output.result(
            || format!("{:>20}  {:>10}  {:<12}  {url}", "", "DIR", ""),
            || json!({"prefix": url.to_string()}),
        );
    }
}

/// `2024-05-01T10:20:30.000Z` → `2024-05-01 10:20:30`.
fn short_time(iso: &str) -> String {
    let trimmed = iso.split('.').next().unwrap_or(iso).trim_end_matches('Z');
    trimmed.replacen('T', " ", 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_for_people() {
        assert_eq!(
            super::short_time("2024-05-01T10:20:30.000Z"),
            "2024-05-01 10:20:30"
        );
        assert_eq!(
            super::short_time("2024-05-01T10:20:30Z"),
            "2024-05-01 10:20:30"
        );
        assert_eq!(super::short_time("odd"), "odd");
    }
}
