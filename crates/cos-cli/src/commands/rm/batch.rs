//! Deleting every object (or every version) under a prefix: the listing is streamed page
//! by page and cut into DeleteObjects requests of at most 1,000 keys, so memory stays
//! bounded by one page and one batch whatever the number of objects. `rm -r` and
//! `rb --force` both delete through [`delete_tree`].

use std::collections::HashSet;

use cos_proto::ops::{
    DeleteObjects, ListObjectVersions, ListObjects, MAX_DELETE_OBJECTS, ObjectIdentifier,
};
use cos_tokio::Client;
use serde_json::json;

use crate::commands::Context;
use crate::failure::CliError;
use crate::filter::Filter;
use crate::location::Remote;

/// What [`delete_tree`] deletes and how.
#[derive(Debug, Default)]
pub(crate) struct TreeOptions {
    /// Every version and delete marker, not only the current objects.
    pub(crate) versions: bool,
    /// Only list what would be deleted.
    pub(crate) dry_run: bool,
    /// The keys to delete, relative to the prefix.
    pub(crate) filter: Filter,
}

/// The counts of a delete (or of aborted uploads).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Deleted (or, with `dry_run`, to be deleted; or aborted).
    pub(crate) done: u64,
    /// Failed, each reported through [`crate::output::Output::failure`].
    pub(crate) failed: u64,
}

/// Deletes every object under `prefix` (every version too with `options.versions`) of
/// `remote`'s bucket, reporting each key. Per-key errors are reported and counted; an
/// error of the listing or of a whole request stops the delete and is returned.
pub(crate) async fn delete_tree(
    client: &Client,
    remote: &Remote,
    prefix: &str,
    options: &TreeOptions,
    cx: &Context,
) -> Result<Tally, CliError> {
    let mut batch = Batch {
        client,
        remote,
        cx,
        dry_run: options.dry_run,
        pending: Vec::with_capacity(MAX_DELETE_OBJECTS),
        counts: Tally::default(),
    };
    let listing_error = |err: cos_tokio::Error| CliError::cos(format!("listing {remote}"), &err);
    let relative = |key: &str| key.strip_prefix(prefix).unwrap_or(key).to_owned();
    if options.versions {
        let mut pages = client.paginate(ListObjectVersions::new().prefix(prefix));
        while let Some(page) = pages.next_page().await {
            for entry in page.map_err(listing_error)?.entries {
                if options.filter.allows(&relative(entry.key())) {
                    let id = ObjectIdentifier::with_version(entry.key(), entry.version_id());
                    batch.push(id).await?;
                }
            }
        }
    } else {
        let mut pages = client.paginate(ListObjects::new().prefix(prefix));
        while let Some(page) = pages.next_page().await {
            for object in page.map_err(listing_error)?.contents {
                if options.filter.allows(&relative(&object.key)) {
                    batch.push(ObjectIdentifier::new(object.key)).await?;
                }
            }
        }
    }
    batch.flush().await?;
    Ok(batch.counts)
}

/// The keys waiting for the next DeleteObjects request.
struct Batch<'a> {
    client: &'a Client,
    remote: &'a Remote,
    cx: &'a Context,
    dry_run: bool,
    pending: Vec<ObjectIdentifier>,
    counts: Tally,
}

impl Batch<'_> {
    async fn push(&mut self, id: ObjectIdentifier) -> Result<(), CliError> {
        self.pending.push(id);
        if self.pending.len() >= MAX_DELETE_OBJECTS {
            self.flush().await?;
        }
        Ok(())
    }

    /// Sends the pending keys as one request (or, dry, lists them).
    async fn flush(&mut self) -> Result<(), CliError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        if self.dry_run {
            for id in &pending {
                report(self.cx, self.remote, id, "would delete", "would_delete");
            }
            self.counts.done += pending.len() as u64;
            return Ok(());
        }
        let op = DeleteObjects::new().objects(pending).quiet(true);
        let answer = self
            .client
            .delete_objects(&op)
            .await
            .map_err(|err| CliError::cos(format!("deleting under {}", self.remote), &err))?;
        let failed: HashSet<(&str, Option<&str>)> = answer
            .errors
            .iter()
            .map(|e| (e.key.as_str(), e.version_id.as_deref()))
            .collect();
        for error in &answer.errors {
            let url = self.remote.with_key(error.key.clone());
            let message = match &error.message {
                Some(message) => format!("{}: {message}", error.code),
                None => error.code.clone(),
            };
            self.cx.output.failure(&url.to_string(), &message);
        }
        for id in op.objects_to_delete() {
            if !failed.contains(&(id.key.as_str(), id.version_id.as_deref())) {
                report(self.cx, self.remote, id, "deleted", "deleted");
            }
        }
        self.counts.failed += answer.errors.len() as u64;
        let deleted = op
            .objects_to_delete()
            .len()
            .saturating_sub(answer.errors.len());
        self.counts.done += deleted as u64;
        Ok(())
    }
}

/// One key deleted (or to be): `verb: url [version v]`, or a JSON line with `event`.
pub(crate) fn report(
    cx: &Context,
    remote: &Remote,
    id: &ObjectIdentifier,
    verb: &str,
    event: &str,
) {
    let url = remote.with_key(id.key.clone());
    cx.output.result(
        || match &id.version_id {
            Some(version) => format!("{verb}: {url} version {version}"),
            None => format!("{verb}: {url}"),
        },
        || json!({"event": event, "url": url.to_string(), "key": id.key, "version_id": id.version_id}),
    );
}

/// The closing line of a delete: how many went and how many failed.
pub(crate) fn print_summary(cx: &Context, counts: Tally, dry_run: bool) {
    let verb = if dry_run {
        "would be deleted"
    } else {
        "deleted"
    };
    cx.output.result(
        || format!("{} {verb}, {} failed", counts.done, counts.failed),
        || {
            json!({
                "event": "summary",
                "dry_run": dry_run,
                "deleted": counts.done,
                "failed": counts.failed,
            })
        },
    );
}
