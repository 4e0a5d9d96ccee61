//! `cos cp` and `cos mv`: one file or object, or a whole tree with `-r`, in any
//! direction, named as [`super::CpArgs`] documents.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use cos_proto::ops::{CopySource, HeadObject};
use cos_tokio::cos_transfer::paths;

use super::CpArgs;
use super::compare::file_mtime;
use super::job::{self, Shared, Target};
use super::listing::{RemoteList, local_tree};
use super::naming;
use super::pool::{Kind, Label, Outcome, Pool};
use super::request::Request;
use crate::commands::Context;
use crate::failure::CliError;
use crate::filter::Filter;
use crate::location::{Location, Remote};

/// Runs `cos cp` (`moving`: `cos mv`).
pub(crate) async fn run(args: CpArgs, cx: &Context, moving: bool) -> Result<(), CliError> {
    let started = Instant::now();
    let source = Location::parse(&args.source)?;
    let destination = Location::parse(&args.destination)?;
    let filter = Filter::new(&args.common.include, &args.common.exclude)?;
    let shared = Arc::new(Shared {
        request: Request::new(&args.common)?,
        moving,
    });
    let plan = Plan {
        cx,
        shared,
        filter,
        verb: match (&source, &destination, moving) {
            (_, _, true) => "move",
            (Location::Local(_), _, false) => "upload",
            (_, Location::Local(_), false) => "download",
            _ => "copy",
        },
    };
    let mut pool = Pool::new(cx, args.common.jobs, false);
    let result = match (&source, &destination) {
        (Location::Local(_), Location::Local(_)) => Err(CliError::usage(
            "both paths are local: one of them must be cos://bucket-appid/key",
        )),
        (Location::Local(path), Location::Remote(to)) => {
            plan.upload(&mut pool, path, to, args.recursive).await
        }
        (Location::Remote(from), Location::Local(path)) => {
            let into_directory = naming::names_directory(&args.destination, path);
            plan.download(&mut pool, from, path, into_directory, args.recursive)
                .await
        }
        (Location::Remote(from), Location::Remote(to)) => {
            naming::check_overlap(from, to, args.recursive, moving)?;
            plan.copy(&mut pool, from, to, args.recursive).await
        }
    };
    let summary = pool.finish().await;
    result?;
    summary.print(&cx.output, started);
    match summary.failed {
        0 => Ok(()),
        failed => Err(CliError::partial(failed)),
    }
}

/// What the files of one `cp` share.
#[derive(Debug)]
struct Plan<'a> {
    cx: &'a Context,
    shared: Arc<Shared>,
    filter: Filter,
    verb: &'static str,
}

impl Plan<'_> {
    async fn upload(
        &self,
        pool: &mut Pool<'_>,
        path: &Path,
        to: &Remote,
        recursive: bool,
    ) -> Result<(), CliError> {
        let metadata = std::fs::metadata(path).map_err(|err| {
            CliError::failed(format!("cannot read {}: {err}", path.display()))
                .hint("check the path (a local path, or cos://bucket-appid/key)")
        })?;
        let client = self.cx.clients.bucket(&to.bucket)?;
        if !metadata.is_dir() {
            let name = naming::relative_key(Path::new(path.file_name().unwrap_or_default()))
                .ok_or_else(|| CliError::usage(format!("{} is no file name", path.display())))?;
            if !self.filter.allows(&name) {
                return Ok(());
            }
            let key = naming::key_for_single(to, &name);
            let file = (path.to_path_buf(), metadata.len(), file_mtime(&metadata));
            self.upload_one(pool, &client, file, to.with_key(key)).await;
            return Ok(());
        }
        if !recursive {
            return Err(
                CliError::usage(format!("{} is a directory", path.display()))
                    .hint("pass -r to copy the files below it"),
            );
        }
        let (tree, unusable) = local_tree(path).await?;
        for relative in unusable {
            let label = Label {
                verb: self.verb,
                source: path.join(relative).display().to_string(),
                destination: String::new(),
                size: 0,
            };
            let error = "not a UTF-8 path: it cannot be a key";
            pool.record(label, Outcome::Failed(error.to_owned()));
        }
        let prefix = to.dir_prefix();
        for entry in tree.into_iter().filter(|e| self.filter.allows(&e.relative)) {
            let file = (slash_path(path, &entry.relative), entry.size, entry.mtime);
            let key = naming::key_in_tree(&prefix, &entry.relative);
            self.upload_one(pool, &client, file, to.with_key(key)).await;
        }
        Ok(())
    }

    async fn upload_one(
        &self,
        pool: &mut Pool<'_>,
        client: &cos_tokio::Client,
        (path, size, mtime): (PathBuf, u64, Option<i64>),
        to: Remote,
    ) {
        let label = Label {
            verb: self.verb,
            source: path.display().to_string(),
            destination: to.to_string(),
            size,
        };
        let permits = pool.permits(Kind::Upload, size, self.shared.request.part_size);
        let (client, shared, meter) = (client.clone(), Arc::clone(&self.shared), pool.meter());
        pool.submit(label, permits, move |n| {
            job::upload(client, shared, path, to.key, mtime, n, meter)
        })
        .await;
    }

    async fn download(
        &self,
        pool: &mut Pool<'_>,
        from: &Remote,
        path: &Path,
        into_directory: bool,
        recursive: bool,
    ) -> Result<(), CliError> {
        let client = self.cx.clients.bucket(&from.bucket)?;
        if !recursive {
            let size = self.head_single(&client, from).await?;
            if !self.filter.allows(naming::last_segment(&from.key)) {
                return Ok(());
            }
            let target = naming::path_for_single(path, into_directory, &from.key)?;
            self.download_one(pool, &client, from.clone(), Target::Path(target), size)
                .await;
            return Ok(());
        }
        let prefix = from.with_key(from.dir_prefix());
        let mut list = RemoteList::new(&client, &prefix);
        while let Some(object) = list.next().await? {
            let relative = object.key.strip_prefix(prefix.key.as_str()).unwrap_or("");
            if relative.is_empty() || relative.ends_with('/') || !self.filter.allows(relative) {
                continue;
            }
            let label = |verb| Label {
                verb,
                source: from.with_key(object.key.clone()).to_string(),
                destination: path.display().to_string(),
                size: object.size,
            };
            match paths::local_path_for_key(Path::new(""), &prefix.key, &object.key) {
                Ok(Some(relative)) => {
                    let target = Target::Below {
                        root: path.to_path_buf(),
                        relative,
                    };
                    let object_at = from.with_key(object.key);
                    self.download_one(pool, &client, object_at, target, object.size)
                        .await;
                }
                Ok(None) => {}
                Err(refused) => pool.record(
                    label(self.verb),
                    Outcome::Failed(format!("refused: {refused}; nothing was written")),
                ),
            }
        }
        Ok(())
    }

    async fn download_one(
        &self,
        pool: &mut Pool<'_>,
        client: &cos_tokio::Client,
        from: Remote,
        target: Target,
        size: u64,
    ) {
        let label = Label {
            verb: self.verb,
            source: from.to_string(),
            destination: target.path().display().to_string(),
            size,
        };
        let permits = pool.permits(Kind::Download, size, self.shared.request.part_size);
        let (client, shared, meter) = (client.clone(), Arc::clone(&self.shared), pool.meter());
        pool.submit(label, permits, move |n| {
            job::download(client, shared, from.key, target, n, meter)
        })
        .await;
    }

    async fn copy(
        &self,
        pool: &mut Pool<'_>,
        from: &Remote,
        to: &Remote,
        recursive: bool,
    ) -> Result<(), CliError> {
        let source_client = self.cx.clients.bucket(&from.bucket)?;
        let client = self.cx.clients.bucket(&to.bucket)?;
        if !recursive {
            let size = self.head_single(&source_client, from).await?;
            let name = naming::last_segment(&from.key);
            if !self.filter.allows(name) {
                return Ok(());
            }
            let key = naming::key_for_single(to, name);
            return {
                self.copy_one(
                    pool,
                    &source_client,
                    &client,
                    from.clone(),
                    to.with_key(key),
                    size,
                )
                .await;
                Ok(())
            };
        }
        let prefix = from.with_key(from.dir_prefix());
        let to_prefix = to.dir_prefix();
        let mut list = RemoteList::new(&source_client, &prefix);
        while let Some(object) = list.next().await? {
            let relative = object.key.strip_prefix(prefix.key.as_str()).unwrap_or("");
            if relative.is_empty() || !self.filter.allows(relative) {
                continue;
            }
            let key = naming::key_in_tree(&to_prefix, relative);
            let object_at = from.with_key(object.key.clone());
            self.copy_one(
                pool,
                &source_client,
                &client,
                object_at,
                to.with_key(key),
                object.size,
            )
            .await;
        }
        Ok(())
    }

    async fn copy_one(
        &self,
        pool: &mut Pool<'_>,
        source_client: &cos_tokio::Client,
        client: &cos_tokio::Client,
        from: Remote,
        to: Remote,
        size: u64,
    ) {
        let label = Label {
            verb: self.verb,
            source: from.to_string(),
            destination: to.to_string(),
            size,
        };
        let source = CopySource::in_config(source_client.config(), from.key);
        let permits = pool.permits(Kind::Copy, size, self.shared.request.part_size);
        let (client, shared, meter) = (client.clone(), Arc::clone(&self.shared), pool.meter());
        pool.submit(label, permits, move |n| {
            job::copy(client, shared, source, to.key, n, meter)
        })
        .await;
    }

    /// The size of the single object `from`, which must be a key (not a prefix).
    async fn head_single(
        &self,
        client: &cos_tokio::Client,
        from: &Remote,
    ) -> Result<u64, CliError> {
        if from.key.is_empty() || from.key.ends_with('/') {
            return Err(
                CliError::usage(format!("{from} is a prefix, not an object"))
                    .hint("pass -r to copy the objects under it"),
            );
        }
        match client.head_object(&HeadObject::new(from.key.clone())).await {
            Ok(info) => Ok(info.content_length.unwrap_or(0)),
            Err(err) if err.is_not_found() => {
                Err(CliError::failed(format!("{from}: no such object"))
                    .hint("list it with `cos ls`; for the objects under a prefix, pass -r"))
            }
            Err(err) => Err(CliError::cos(from, &err)),
        }
    }
}

/// The local path of `relative` (`/`-separated) below `root`.
pub(crate) fn slash_path(root: &Path, relative: &str) -> PathBuf {
    relative
        .split('/')
        .fold(root.to_path_buf(), |p, s| p.join(s))
}
