//! `upload_dir` and `download_dir`: many files, `parallel_files` at a time, each through
//! the resumable single-file transfers. Which key maps to which path (and which keys
//! are refused) is decided by [`crate::paths`].

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cos_proto::driver::error::Error as ClientError;
use cos_proto::driver::pages::PageCursor;
use cos_proto::ops::{GetObject, HeadObject, ListObjects, PutObject};

use super::{Requests, Tasks};
use crate::fs::{self, FileTarget};
use crate::paths::{self, DirectoryEntry, DirectoryReport, EntryOutcome};
use crate::{DirectoryOptions, TransferError};

/// Uploads every file below `dir` to `prefix` + its relative path; see the clients'
/// `upload_dir`.
pub async fn upload_dir<R: Requests>(
    client: &R,
    dir: &Path,
    prefix: &str,
    options: DirectoryOptions,
) -> Result<DirectoryReport, TransferError> {
    let root = dir.to_path_buf();
    let walk_root = root.clone();
    let files = client
        .run_blocking(move || fs::walk_files(&walk_root).map_err(super::file_error(&walk_root)))
        .await?;
    let (jobs, mut entries) = paths::plan_upload(&root, prefix, files);
    let done = run_limited(
        client,
        options.parallel_files,
        jobs,
        |client, (key, path)| async move {
            let outcome = upload_one(&client, &key, &path, options).await;
            DirectoryEntry::new(key, Some(path), outcome)
        },
    )
    .await;
    entries.extend(done);
    Ok(DirectoryReport::new(entries))
}

async fn upload_one<R: Requests>(
    client: &R,
    key: &str,
    path: &Path,
    options: DirectoryOptions,
) -> EntryOutcome {
    if options.skip_unchanged {
        let path = path.to_path_buf();
        let local = client.run_blocking(move || Ok(fs::size_and_crc64(&path)));
        if unchanged(client, key, local.await).await {
            return EntryOutcome::Unchanged;
        }
    }
    let put = PutObject::new(key, None);
    match super::upload_file(client, &put, path, options.transfer, |_| {}).await {
        Ok(done) => EntryOutcome::Transferred(done.size),
        Err(err) => EntryOutcome::Failed(err),
    }
}

/// Whether the object `key` has the bytes `local` (the local file's size and CRC-64)
/// describes.
async fn unchanged<R: Requests>(
    client: &R,
    key: &str,
    local: Result<std::io::Result<(u64, u64)>, ClientError>,
) -> bool {
    let Ok(Ok((size, crc))) = local else {
        return false;
    };
    let Ok(remote) = client.send(&HeadObject::new(key), R::Body::default()).await else {
        return false;
    };
    paths::same_content(size, crc, remote.content_length.unwrap_or(0), remote.crc64)
}

/// Downloads every object under `prefix` into `dir`; see the clients' `download_dir`.
pub async fn download_dir<R: Requests>(
    client: &R,
    prefix: &str,
    dir: &Path,
    options: DirectoryOptions,
) -> Result<DirectoryReport, TransferError> {
    let root = dir.to_path_buf();
    let mut keys = Vec::new();
    let mut cursor = PageCursor::new(ListObjects::new().prefix(prefix));
    while let Some(op) = cursor.next_request() {
        let output = client.send(&op, R::Body::default()).await?;
        cursor.on_page(&op, &output);
        keys.extend(output.contents.into_iter().map(|o| o.key));
    }
    let (jobs, mut entries) = paths::plan_download(&root, prefix, keys);
    let done = run_limited(
        client,
        options.parallel_files,
        jobs,
        |client, (key, path)| {
            let root = root.clone();
            async move {
                let outcome = download_one(&client, &root, &key, &path, options).await;
                DirectoryEntry::new(key, Some(path), outcome)
            }
        },
    )
    .await;
    entries.extend(done);
    Ok(DirectoryReport::new(entries))
}

async fn download_one<R: Requests>(
    client: &R,
    root: &Path,
    key: &str,
    path: &Path,
    options: DirectoryOptions,
) -> EntryOutcome {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let target = Arc::new(FileTarget::below(root, relative));
    if options.skip_unchanged {
        let existing = Arc::clone(&target);
        let local = client.run_blocking(move || Ok(existing.existing_size_and_crc64()));
        if unchanged(client, key, local.await).await {
            return EntryOutcome::Unchanged;
        }
    }
    let get = GetObject::new(key);
    match super::download_to(client, &get, target, options.transfer, |_| {}).await {
        Ok(done) => EntryOutcome::Transferred(done.object.size),
        Err(err) => EntryOutcome::Failed(err),
    }
}

/// Runs `work` over `jobs`, at most `limit` at once; a job that panicked is reported
/// as failed.
async fn run_limited<R, F>(
    client: &R,
    limit: usize,
    jobs: Vec<(String, PathBuf)>,
    work: impl Fn(R, (String, PathBuf)) -> F,
) -> Vec<DirectoryEntry>
where
    R: Requests,
    F: Future<Output = DirectoryEntry> + Send + 'static,
{
    let mut jobs = jobs.into_iter();
    let mut running = client.tasks();
    let mut entries = Vec::new();
    loop {
        while running.len() < limit.max(1) {
            let Some(job) = jobs.next() else { break };
            running.spawn(work(client.clone(), job));
        }
        if running.is_empty() {
            return entries;
        }
        match running.next().await {
            Ok(entry) => entries.push(entry),
            Err(err) => entries.push(DirectoryEntry::new(
                String::new(),
                None,
                EntryOutcome::Failed(err),
            )),
        }
    }
}
