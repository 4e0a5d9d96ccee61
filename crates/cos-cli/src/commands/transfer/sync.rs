//! `cos sync`: the merge-join of the source and destination listings, each path sent,
//! skipped or (with `--delete`, once every transfer succeeded) deleted.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use cos_proto::ops::{DeleteObjects, ObjectIdentifier};
use cos_tokio::Client;
use cos_tokio::cos_transfer::paths;

use super::SyncArgs;
use super::compare::{Verdict, by_size};
use super::cp::slash_path;
use super::job::Shared;
use super::listing::{Entry, Merge, Pair};
use super::pool::{Kind, Label, Outcome, Pool};
use super::request::Request;
use super::sides::Sides;
use super::work::Work;
use crate::commands::Context;
use crate::failure::CliError;
use crate::filter::Filter;
use crate::location::{Location, Remote};

/// The most keys one DeleteObjects request takes.
const DELETE_BATCH: usize = 1000;

/// Runs `cos sync`.
pub(crate) async fn run(args: SyncArgs, cx: &Context) -> Result<(), CliError> {
    let started = Instant::now();
    let sides = Sides::new(
        cx,
        Location::parse(&args.source)?,
        Location::parse(&args.destination)?,
    )?;
    let sync = Sync {
        sides,
        filter: Filter::new(&args.common.include, &args.common.exclude)?,
        shared: Arc::new(Shared {
            request: Request::new(&args.common)?,
            moving: false,
        }),
        checksum: args.checksum,
        dry_run: args.dry_run,
        delete: args.delete,
    };
    let mut pool = Pool::new(cx, args.common.jobs, args.dry_run);
    let planned = sync.transfers(cx, &mut pool).await;
    let failed = pool.settle().await;
    let deleted = match planned {
        Ok(()) if args.delete && !args.dry_run && failed == 0 => sync.deletions(&mut pool).await,
        Ok(()) => Ok(()),
        Err(err) => Err(err),
    };
    let summary = pool.finish().await;
    deleted?;
    if args.delete && failed > 0 {
        cx.output.print_error(
            "cos: nothing was deleted, since transfers failed; run the same command again",
        );
    }
    summary.print(&cx.output, started);
    if args.dry_run {
        cx.output.print_error("dry run: nothing was changed");
    }
    match summary.failed {
        0 => Ok(()),
        failed => Err(CliError::partial(failed)),
    }
}

/// One `sync` run.
#[derive(Debug)]
struct Sync {
    sides: Sides,
    filter: Filter,
    shared: Arc<Shared>,
    checksum: bool,
    dry_run: bool,
    delete: bool,
}

impl Sync {
    /// The first pass: every source path sent or skipped (and, with `--dry-run`, the
    /// deletions `--delete` would make printed).
    async fn transfers(&self, cx: &Context, pool: &mut Pool<'_>) -> Result<(), CliError> {
        let (source, destination, unusable) = self.sides.listings().await?;
        for path in unusable {
            let item = path.display().to_string();
            if let Sides::Up { .. } = self.sides {
                // A file that cannot be sent: no deletion may follow.
                let label = Label {
                    verb: "upload",
                    source: item,
                    destination: String::new(),
                    size: 0,
                };
                pool.record(
                    label,
                    Outcome::Failed("not a UTF-8 path: it cannot be a key".into()),
                );
            } else {
                cx.output
                    .print_error(&format!("cos: {item}: not a UTF-8 path, left alone"));
            }
        }
        if let (Sides::Down { root, .. }, false) = (&self.sides, self.dry_run) {
            tokio::fs::create_dir_all(root).await.map_err(|err| {
                CliError::failed(format!("cannot create {}: {err}", root.display()))
            })?;
        }
        let mut merge = Merge::new(source, destination);
        while let Some(pair) = merge.next().await? {
            match pair {
                Pair::SourceOnly(entry) if self.filter.allows(&entry.relative) => {
                    self.transfer(pool, entry, None).await;
                }
                Pair::Both(entry, existing) if self.filter.allows(&entry.relative) => {
                    self.transfer(pool, entry, Some(existing)).await;
                }
                Pair::DestinationOnly(entry)
                    if self.delete && self.dry_run && self.filter.allows(&entry.relative) =>
                {
                    let (_, destination) = self.sides.names(&entry.relative);
                    let label = Label {
                        verb: "delete",
                        source: String::new(),
                        destination,
                        size: entry.size,
                    };
                    pool.record(label, Outcome::Planned("not in the source"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Sends `entry` unless `existing` (the destination's) is the same file.
    async fn transfer(&self, pool: &mut Pool<'_>, entry: Entry, existing: Option<Entry>) {
        let (source, destination) = self.sides.names(&entry.relative);
        let (verb, kind) = match self.sides {
            Sides::Up { .. } => ("upload", Kind::Upload),
            Sides::Down { .. } => ("download", Kind::Download),
            Sides::Across { .. } => ("copy", Kind::Copy),
        };
        let label = Label {
            verb,
            source,
            destination,
            size: entry.size,
        };
        if let Sides::Down { .. } = self.sides
            && let Err(refused) = paths::local_path_for_key(Path::new(""), "", &entry.relative)
        {
            let error = format!("refused: {refused}; nothing was written");
            return pool.record(label, Outcome::Failed(error));
        }
        let reason = match &existing {
            None => Some("new"),
            Some(existing) => match by_size(entry.size, existing.size) {
                Some(Verdict::Differs(reason)) => Some(reason),
                _ => None,
            },
        };
        if let (Some(reason), true) = (reason, self.dry_run) {
            return pool.record(label, Outcome::Planned(reason));
        }
        let permits = pool.permits(kind, entry.size, self.shared.request.part_size);
        let work = Work {
            sides: self.sides.clone(),
            shared: Arc::clone(&self.shared),
            checksum: self.checksum,
            dry_run: self.dry_run,
            compare: reason.is_none(),
            entry,
            local_mtime: existing.and_then(|e| e.mtime),
        };
        let meter = pool.meter();
        pool.submit(label, permits, move |n| work.run(n, meter))
            .await;
    }

    /// The second pass, once everything was sent: the destination paths the source
    /// lacks (and the filters allow) deleted.
    async fn deletions(&self, pool: &mut Pool<'_>) -> Result<(), CliError> {
        // The source is listed again: if a local source vanished (an unmounted disk, a
        // renamed folder) or a file can no longer be read, it would look empty or
        // short, and its objects extraneous. Nothing is deleted then.
        if let Sides::Up { root, .. } = &self.sides
            && !root.is_dir()
        {
            return Err(CliError::failed(format!(
                "{} is no longer a readable directory: nothing was deleted",
                root.display()
            ))
            .hint("check the source and run the same command again"));
        }
        let (source, destination, unusable) = self.sides.listings().await?;
        if matches!(self.sides, Sides::Up { .. }) && !unusable.is_empty() {
            return Err(CliError::failed(format!(
                "{} source file(s) could not be read while checking what to delete (first: {}): \
                 nothing was deleted",
                unusable.len(),
                unusable[0].display()
            ))
            .hint("check the source and run the same command again"));
        }
        let mut merge = Merge::new(source, destination);
        let mut batch = Vec::new();
        while let Some(pair) = merge.next().await? {
            let Pair::DestinationOnly(entry) = pair else {
                continue;
            };
            if !self.filter.allows(&entry.relative) {
                continue;
            }
            match &self.sides {
                Sides::Down { root, .. } => {
                    let (_, destination) = self.sides.names(&entry.relative);
                    let outcome =
                        match tokio::fs::remove_file(slash_path(root, &entry.relative)).await {
                            Ok(()) => Outcome::Done(entry.size),
                            Err(err) => Outcome::Failed(err.to_string()),
                        };
                    let label = Label {
                        verb: "delete",
                        source: String::new(),
                        destination,
                        size: 0,
                    };
                    pool.record(label, outcome);
                }
                Sides::Up { to, client, .. } | Sides::Across { to, client, .. } => {
                    batch.push((format!("{}{}", to.key, entry.relative), entry.size));
                    if batch.len() == DELETE_BATCH {
                        delete_batch(pool, client, to, std::mem::take(&mut batch)).await;
                    }
                }
            }
        }
        if let Sides::Up { to, client, .. } | Sides::Across { to, client, .. } = &self.sides
            && !batch.is_empty()
        {
            delete_batch(pool, client, to, batch).await;
        }
        Ok(())
    }
}

/// Deletes `keys` (at most 1,000) of `to`'s bucket in one request; each reported.
async fn delete_batch(pool: &mut Pool<'_>, client: &Client, to: &Remote, keys: Vec<(String, u64)>) {
    let op = DeleteObjects::new()
        .objects(
            keys.iter()
                .map(|(key, _)| ObjectIdentifier::new(key.clone())),
        )
        .quiet(true);
    let answer = client.delete_objects(&op).await;
    for (key, size) in keys {
        let outcome = match &answer {
            Err(err) => Outcome::Failed(super::job::with_hint(err)),
            Ok(output) => match output.errors.iter().find(|e| e.key == key) {
                Some(error) => Outcome::Failed(format!(
                    "{}: {}",
                    error.code,
                    error.message.clone().unwrap_or_default()
                )),
                None => Outcome::Done(size),
            },
        };
        let label = Label {
            verb: "delete",
            source: String::new(),
            destination: to.with_key(key).to_string(),
            size: 0,
        };
        pool.record(label, outcome);
    }
}
