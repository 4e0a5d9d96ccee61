//! `cos sync`: the merge-join of the source and destination listings, each path sent,
//! skipped or (with `--delete`, once every transfer succeeded) deleted.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use cos_proto::ops::{CopySource, DeleteObjects, HeadObject, ObjectIdentifier, ObjectInfo};
use cos_tokio::Client;

use super::SyncArgs;
use super::compare::{Verdict, by_crc, by_size, by_time, http_date, recorded_mtime};
use super::cp::slash_path;
use super::filter::Filter;
use super::job::{self, Shared, Target};
use super::listing::{Entry, Listing, Merge, Pair, RemoteList, local_tree};
use super::pool::{Kind, Label, Outcome, Pool};
use super::request::Request;
use crate::commands::Context;
use crate::failure::CliError;
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

/// Where a sync reads and writes.
#[derive(Debug, Clone)]
enum Sides {
    /// A local directory to a prefix.
    Up {
        root: PathBuf,
        to: Remote,
        client: Client,
    },
    /// A prefix to a local directory.
    Down {
        from: Remote,
        root: PathBuf,
        client: Client,
    },
    /// A prefix to a prefix (maybe in another bucket).
    Across {
        from: Remote,
        to: Remote,
        source_client: Client,
        client: Client,
    },
}

impl Sides {
    fn new(cx: &Context, source: Location, destination: Location) -> Result<Sides, CliError> {
        let tree = |remote: &Remote| remote.with_key(remote.dir_prefix());
        Ok(match (source, destination) {
            (Location::Local(root), Location::Remote(to)) => {
                if !root.is_dir() {
                    return Err(
                        CliError::usage(format!("{} is no directory", root.display()))
                            .hint("sync works on directories; copy one file with `cos cp`"),
                    );
                }
                let client = cx.clients.bucket(&to.bucket)?;
                Sides::Up {
                    root,
                    to: tree(&to),
                    client,
                }
            }
            (Location::Remote(from), Location::Local(root)) => {
                let client = cx.clients.bucket(&from.bucket)?;
                Sides::Down {
                    from: tree(&from),
                    root,
                    client,
                }
            }
            (Location::Remote(from), Location::Remote(to)) => Sides::Across {
                source_client: cx.clients.bucket(&from.bucket)?,
                client: cx.clients.bucket(&to.bucket)?,
                from: tree(&from),
                to: tree(&to),
            },
            (Location::Local(_), Location::Local(_)) => {
                return Err(CliError::usage(
                    "both paths are local: one of them must be cos://bucket-appid/prefix",
                ));
            }
        })
    }

    /// The source and destination listings, and the local paths that cannot be keys.
    async fn listings(&self) -> Result<(Listing, Listing, Vec<PathBuf>), CliError> {
        Ok(match self {
            Sides::Up { root, to, client } => {
                let (tree, unusable) = local_tree(root).await?;
                let remote = Listing::Remote(RemoteList::new(client, to));
                (Listing::Local(tree.into_iter()), remote, unusable)
            }
            Sides::Down { from, root, client } => {
                let (tree, unusable) = local_tree(root).await?;
                let remote = Listing::Remote(RemoteList::new(client, from));
                (remote, Listing::Local(tree.into_iter()), unusable)
            }
            Sides::Across {
                from,
                to,
                source_client,
                client,
            } => (
                Listing::Remote(RemoteList::new(source_client, from)),
                Listing::Remote(RemoteList::new(client, to)),
                Vec::new(),
            ),
        })
    }

    /// The source and destination of `relative`, as printed.
    fn names(&self, relative: &str) -> (String, String) {
        match self {
            Sides::Up { root, to, .. } => (
                slash_path(root, relative).display().to_string(),
                to.with_key(format!("{}{relative}", to.key)).to_string(),
            ),
            Sides::Down { from, root, .. } => (
                from.with_key(format!("{}{relative}", from.key)).to_string(),
                slash_path(root, relative).display().to_string(),
            ),
            Sides::Across { from, to, .. } => (
                from.with_key(format!("{}{relative}", from.key)).to_string(),
                to.with_key(format!("{}{relative}", to.key)).to_string(),
            ),
        }
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
            cx.output.failure(
                &path.display().to_string(),
                "not a UTF-8 path: it cannot be a key",
            );
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
        let (source, destination, _) = self.sides.listings().await?;
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
        if let Sides::Up { to, client, .. } | Sides::Across { to, client, .. } = &self.sides {
            if !batch.is_empty() {
                delete_batch(pool, client, to, batch).await;
            }
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
            Err(err) => Outcome::Failed(err.to_string()),
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

/// One path's task: the comparison (when the sizes are equal), then the transfer.
#[derive(Debug)]
struct Work {
    sides: Sides,
    shared: Arc<Shared>,
    checksum: bool,
    dry_run: bool,
    compare: bool,
    entry: Entry,
    local_mtime: Option<i64>,
}

impl Work {
    async fn run(self, concurrency: usize, meter: super::pool::Meter) -> Outcome {
        if self.compare {
            let sides = self.sides.clone();
            let (entry, local_mtime) = (self.entry.clone(), self.local_mtime);
            match verdict(sides, entry, local_mtime, self.checksum).await {
                Err(error) => return Outcome::Failed(error),
                Ok(Verdict::Same(reason)) => return Outcome::Skipped(reason),
                Ok(Verdict::Differs(reason)) if self.dry_run => return Outcome::Planned(reason),
                Ok(_) => {}
            }
        }
        let relative = self.entry.relative;
        match self.sides {
            Sides::Up { root, to, client } => {
                let path = slash_path(&root, &relative);
                let key = format!("{}{relative}", to.key);
                job::upload(
                    client,
                    self.shared,
                    path,
                    key,
                    self.entry.mtime,
                    concurrency,
                    meter,
                )
                .await
            }
            Sides::Down { from, root, client } => {
                let key = format!("{}{relative}", from.key);
                let target = Target::Below {
                    relative: slash_path(Path::new(""), &relative),
                    root,
                };
                job::download(client, self.shared, key, target, concurrency, meter).await
            }
            Sides::Across {
                from,
                to,
                source_client,
                client,
            } => {
                let source = CopySource::in_config(
                    source_client.config(),
                    format!("{}{relative}", from.key),
                );
                let key = format!("{}{relative}", to.key);
                job::copy(client, self.shared, source, key, concurrency, meter).await
            }
        }
    }
}

/// Whether the two sides of `entry`, of equal size, hold the same file (see
/// [`super::SyncArgs`]); `local_mtime` is a local destination's modification time.
async fn verdict(
    sides: Sides,
    entry: Entry,
    local_mtime: Option<i64>,
    checksum: bool,
) -> Result<Verdict, String> {
    let relative = entry.relative;
    match sides {
        Sides::Up { root, to, client } => {
            let info = head(client, format!("{}{relative}", to.key)).await?;
            let verdict = by_time(checksum, entry.mtime, recorded_mtime(&info));
            or_crc(verdict, slash_path(&root, &relative), info.crc64).await
        }
        Sides::Down { from, root, client } => {
            let info = head(client, format!("{}{relative}", from.key)).await?;
            let mut verdict = by_time(checksum, local_mtime, recorded_mtime(&info));
            let modified = info.last_modified.as_deref().and_then(http_date);
            if verdict == Verdict::NeedCrc
                && !checksum
                && modified.is_some()
                && modified == local_mtime
            {
                // Set from Last-Modified by an earlier download.
                verdict = Verdict::Same("same size and mtime");
            }
            or_crc(verdict, slash_path(&root, &relative), info.crc64).await
        }
        Sides::Across {
            from,
            to,
            source_client,
            client,
        } => {
            let source = head(source_client, format!("{}{relative}", from.key)).await?;
            let destination = head(client, format!("{}{relative}", to.key)).await?;
            Ok(by_crc(source.crc64, destination.crc64))
        }
    }
}

/// `verdict`, or the comparison of the local file's CRC-64 with the object's when the
/// times could not decide.
async fn or_crc(verdict: Verdict, path: PathBuf, remote: Option<u64>) -> Result<Verdict, String> {
    if verdict != Verdict::NeedCrc {
        return Ok(verdict);
    }
    let crc = tokio::task::spawn_blocking(move || cos_tokio::cos_transfer::fs::file_crc64(&path))
        .await
        .map_err(|err| err.to_string())?
        .map_err(|err| format!("cannot read the file: {err}"))?;
    Ok(by_crc(Some(crc), remote))
}

/// The HEAD of `key`.
async fn head(client: Client, key: String) -> Result<ObjectInfo, String> {
    client
        .head_object(&HeadObject::new(key.clone()))
        .await
        .map_err(|err| format!("HEAD {key}: {err}"))
}
