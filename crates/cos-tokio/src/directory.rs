//! `upload_dir` and `download_dir`: many files, `parallel_files` at a time, each through
//! the resumable single-file transfers. Which key maps to which path (and which keys are
//! refused) is decided by [`cos_transfer::paths`].

use std::path::Path;
use std::sync::Arc;

use cos_proto::ops::{GetObject, HeadObject, ListObjects, PutObject};
use cos_transfer::fs::{self, FileTarget};
use cos_transfer::paths::{self, DirectoryEntry, DirectoryReport, EntryOutcome};
use cos_transfer::{DirectoryOptions, TransferError};
use tokio::task::JoinSet;

use crate::client::Client;
use crate::error::Error;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|join| Err(std::io::Error::other(join)))
}

impl Client {
    /// Uploads every file below `dir` to `prefix` + its relative path (with `/`
    /// separators), `options.parallel_files` files at a time, each with
    /// [`Client::upload_file`] (so each resumes). With `options.skip_unchanged`, files
    /// whose object has the same size and CRC64 are skipped. Fails only if `dir` cannot
    /// be read; each file's fate is in the report.
    pub async fn upload_dir(
        &self,
        dir: impl AsRef<Path>,
        prefix: &str,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        let root = dir.as_ref().to_path_buf();
        let walk_root = root.clone();
        let files = blocking(move || fs::walk_files(&walk_root))
            .await
            .map_err(|source| Error::File {
                path: root.clone(),
                source,
            })?;
        let (jobs, mut entries) = paths::plan_upload(&root, prefix, files);
        let done = run_limited(options.parallel_files, jobs, |(key, path)| {
            let client = self.clone();
            async move {
                let outcome = client.upload_one(&key, &path, options).await;
                DirectoryEntry::new(key, Some(path), outcome)
            }
        })
        .await;
        entries.extend(done);
        Ok(DirectoryReport::new(entries))
    }

    /// Whether the object `key` has the bytes `local` (the local file's size and CRC64)
    /// describes.
    async fn unchanged(&self, key: &str, local: std::io::Result<(u64, u64)>) -> bool {
        let (Ok((size, crc)), Ok(remote)) = (local, self.head_object(&HeadObject::new(key)).await)
        else {
            return false;
        };
        paths::same_content(size, crc, remote.content_length.unwrap_or(0), remote.crc64)
    }

    async fn upload_one(&self, key: &str, path: &Path, options: DirectoryOptions) -> EntryOutcome {
        if options.skip_unchanged {
            let path = path.to_path_buf();
            let local = blocking(move || fs::size_and_crc64(&path)).await;
            if self.unchanged(key, local).await {
                return EntryOutcome::Unchanged;
            }
        }
        match self
            .upload_file(&PutObject::new(key, None), path, options.transfer)
            .await
        {
            Ok(done) => EntryOutcome::Transferred(done.size),
            Err(err) => EntryOutcome::Failed(err),
        }
    }

    /// Downloads every object under `prefix` into `dir`, at the path the key names after
    /// the prefix, `options.parallel_files` at a time, each with
    /// [`Client::download_file`] (so each resumes, and appears only when verified).
    /// Keys that could escape `dir` (`..`, absolute, drive letters, backslashes, empty
    /// segments) or name the transfers' helper folder (`.cos-transfer`) are refused and
    /// reported, never written; a key below a symbolic link in `dir` fails, and nothing
    /// is created past the link. Directory markers (keys ending in `/`) are reported and
    /// skipped. With `options.skip_unchanged`, files whose size and CRC64 match the
    /// object are kept.
    pub async fn download_dir(
        &self,
        prefix: &str,
        dir: impl AsRef<Path>,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        let root = dir.as_ref().to_path_buf();
        let mut keys = Vec::new();
        let mut page = Some(ListObjects::new().prefix(prefix));
        while let Some(op) = page {
            let output = self.list_objects(&op).await?;
            page = op.next_page(&output);
            keys.extend(output.contents.into_iter().map(|o| o.key));
        }
        let (jobs, mut entries) = paths::plan_download(&root, prefix, keys);
        let done = run_limited(options.parallel_files, jobs, |(key, path)| {
            let client = self.clone();
            let root = root.clone();
            async move {
                let outcome = client.download_one(&root, &key, &path, options).await;
                DirectoryEntry::new(key, Some(path), outcome)
            }
        })
        .await;
        entries.extend(done);
        Ok(DirectoryReport::new(entries))
    }

    async fn download_one(
        &self,
        root: &Path,
        key: &str,
        path: &Path,
        options: DirectoryOptions,
    ) -> EntryOutcome {
        let relative = path.strip_prefix(root).unwrap_or(path);
        let target = Arc::new(FileTarget::below(root, relative));
        if options.skip_unchanged {
            let existing = Arc::clone(&target);
            let local = blocking(move || existing.existing_size_and_crc64()).await;
            if self.unchanged(key, local).await {
                return EntryOutcome::Unchanged;
            }
        }
        match self
            .download_to(&GetObject::new(key), target, options.transfer, |_| {})
            .await
        {
            Ok(done) => EntryOutcome::Transferred(done.object.size),
            Err(err) => EntryOutcome::Failed(err),
        }
    }
}

/// Runs `work` over `jobs`, at most `limit` at once.
async fn run_limited<J, F>(limit: usize, jobs: Vec<J>, work: impl Fn(J) -> F) -> Vec<DirectoryEntry>
where
    F: std::future::Future<Output = DirectoryEntry> + Send + 'static,
{
    let mut jobs = jobs.into_iter();
    let mut running = JoinSet::new();
    let mut entries = Vec::new();
    loop {
        while running.len() < limit.max(1) {
            let Some(job) = jobs.next() else { break };
            running.spawn(work(job));
        }
        match running.join_next().await {
            Some(Ok(entry)) => entries.push(entry),
            Some(Err(join)) => entries.push(DirectoryEntry::new(
                String::new(),
                None,
                EntryOutcome::Failed(TransferError::Client(Error::Io(std::io::Error::other(
                    join,
                )))),
            )),
            None => return entries,
        }
    }
}
