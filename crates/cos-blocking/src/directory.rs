//! `upload_dir` and `download_dir`: many files, `parallel_files` at a time, each through
//! the resumable single-file transfers. Which key maps to which path (and which keys are
//! refused) is decided by [`cos_transfer::paths`].

use std::path::Path;
use std::sync::Mutex;

use cos_proto::ops::{GetObject, HeadObject, ListObjects, PutObject};
use cos_transfer::fs::{self, FileTarget};
use cos_transfer::paths::{self, DirectoryEntry, DirectoryReport, EntryOutcome};
use cos_transfer::{DirectoryOptions, TransferError};

use crate::client::Client;
use crate::error::Error;

impl Client {
    /// Uploads every file below `dir` to `prefix` + its relative path (with `/`
    /// separators), `options.parallel_files` files at a time, each with
    /// [`Client::upload_file`] (so each resumes). With `options.skip_unchanged`, files
    /// whose object has the same size and CRC64 are skipped. Fails only if `dir` cannot
    /// be read; each file's fate is in the report.
    pub fn upload_dir(
        &self,
        dir: impl AsRef<Path>,
        prefix: &str,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        let root = dir.as_ref();
        let files = fs::walk_files(root).map_err(|source| Error::File {
            path: root.to_owned(),
            source,
        })?;
        let (jobs, mut entries) = paths::plan_upload(root, prefix, files);
        entries.extend(run_limited(options.parallel_files, jobs, |(key, path)| {
            let outcome = self.upload_one(&key, &path, options);
            DirectoryEntry::new(key, Some(path), outcome)
        }));
        Ok(DirectoryReport::new(entries))
    }

    fn upload_one(&self, key: &str, path: &Path, options: DirectoryOptions) -> EntryOutcome {
        if options.skip_unchanged && self.unchanged(key, fs::size_and_crc64(path)) {
            return EntryOutcome::Unchanged;
        }
        match self.upload_file(&PutObject::new(key, None), path, options.transfer) {
            Ok(done) => EntryOutcome::Transferred(done.size),
            Err(err) => EntryOutcome::Failed(err),
        }
    }

    /// Whether the object `key` has the bytes `local` (the local file's size and CRC64)
    /// describes.
    fn unchanged(&self, key: &str, local: std::io::Result<(u64, u64)>) -> bool {
        let (Ok((size, crc)), Ok(remote)) = (local, self.head_object(&HeadObject::new(key))) else {
            return false;
        };
        paths::same_content(size, crc, remote.content_length.unwrap_or(0), remote.crc64)
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
    pub fn download_dir(
        &self,
        prefix: &str,
        dir: impl AsRef<Path>,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        let root = dir.as_ref();
        let mut keys = Vec::new();
        let mut page = Some(ListObjects::new().prefix(prefix));
        while let Some(op) = page {
            let output = self.list_objects(&op)?;
            page = op.next_page(&output);
            keys.extend(output.contents.into_iter().map(|o| o.key));
        }
        let (jobs, mut entries) = paths::plan_download(root, prefix, keys);
        entries.extend(run_limited(options.parallel_files, jobs, |(key, path)| {
            let outcome = self.download_one(root, &key, &path, options);
            DirectoryEntry::new(key, Some(path), outcome)
        }));
        Ok(DirectoryReport::new(entries))
    }

    fn download_one(
        &self,
        root: &Path,
        key: &str,
        path: &Path,
        options: DirectoryOptions,
    ) -> EntryOutcome {
        let relative = path.strip_prefix(root).unwrap_or(path);
        let target = FileTarget::below(root, relative);
        if options.skip_unchanged && self.unchanged(key, target.existing_size_and_crc64()) {
            return EntryOutcome::Unchanged;
        }
        let target = std::sync::Arc::new(target);
        match self.download_to(&GetObject::new(key), target, options.transfer, |_| {}) {
            Ok(done) => EntryOutcome::Transferred(done.object.size),
            Err(err) => EntryOutcome::Failed(err),
        }
    }
}

/// Runs `work` over `jobs` on `limit` scoped threads.
fn run_limited<J: Send>(
    limit: usize,
    jobs: Vec<J>,
    work: impl Fn(J) -> DirectoryEntry + Sync,
) -> Vec<DirectoryEntry> {
    let queue = Mutex::new(jobs.into_iter());
    let done = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..limit.max(1) {
            scope.spawn(|| {
                loop {
                    let job = queue.lock().ok().and_then(|mut q| q.next());
                    let Some(job) = job else { return };
                    let entry = work(job);
                    if let Ok(mut done) = done.lock() {
                        done.push(entry);
                    }
                }
            });
        }
    });
    done.into_inner().unwrap_or_default()
}
