//! The directory backend: data survives restarts and a killed emulator never serves a
//! torn object.
//!
//! Layout under the data directory:
//!
//! ```text
//! tmp/                                   files being written (wiped at start)
//! blobs/<id:016x>                        object and part data, immutable
//! buckets/<bucket>/bucket.json           the bucket record
//! buckets/<bucket>/versions/<seq>.json   one sidecar per object version
//! buckets/<bucket>/uploads/<id>.json     one record per multipart upload (with parts)
//! ```
//!
//! Every file is written to `tmp/`, flushed (`fsync`) and renamed into place, and the
//! directory is flushed after the rename. Data is committed before the sidecar that
//! refers to it, so a crash leaves at worst an orphan blob (deleted at the next start) and
//! never a record pointing at missing or partial data.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::backend::{Backend, BlobSink, BlobSource};
use super::types::{BucketRecord, BucketState, Loaded, MultipartUpload, ObjectVersion, Versioning};

/// Persists to a directory.
#[derive(Debug)]
pub(crate) struct DiskBackend {
    root: PathBuf,
    temp_counter: AtomicU64,
}

impl DiskBackend {
    /// Uses (and creates) `root`.
    pub(crate) fn new(root: &Path) -> io::Result<Self> {
        let backend = Self {
            root: root.to_path_buf(),
            temp_counter: AtomicU64::new(0),
        };
        backend.create_dirs()?;
        Ok(backend)
    }

    fn create_dirs(&self) -> io::Result<()> {
        fs::create_dir_all(self.tmp_dir())?;
        fs::create_dir_all(self.blobs_dir())?;
        fs::create_dir_all(self.buckets_dir())?;
        Ok(())
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn blobs_dir(&self) -> PathBuf {
        self.root.join("blobs")
    }

    fn buckets_dir(&self) -> PathBuf {
        self.root.join("buckets")
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.buckets_dir().join(bucket)
    }

    fn blob_path(&self, id: u64) -> PathBuf {
        self.blobs_dir().join(format!("{id:016x}"))
    }

    fn version_path(&self, bucket: &str, seq: u64) -> PathBuf {
        self.bucket_dir(bucket)
            .join("versions")
            .join(format!("{seq:020}.json"))
    }

    fn upload_path(&self, bucket: &str, upload_id: &str) -> PathBuf {
        self.bucket_dir(bucket)
            .join("uploads")
            .join(format!("{upload_id}.json"))
    }

    fn temp_path(&self, suffix: &str) -> PathBuf {
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        self.tmp_dir()
            .join(format!("{}-{n}.{suffix}", std::process::id()))
    }

    /// Writes `value` as JSON to `path` atomically (temp file, fsync, rename, dir fsync).
    fn write_json<T: Serialize>(&self, path: &Path, value: &T) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
        let tmp = self.temp_path("json");
        let result = (|| {
            let mut file = File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::rename(&tmp, path)?;
            sync_dir(path.parent())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        match fs::remove_file(path) {
            Ok(()) => sync_dir(path.parent()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn load_bucket(&self, dir: &Path, blobs: &HashSet<u64>) -> Option<BucketState> {
        let record: BucketRecord = read_json(&dir.join("bucket.json"))?;
        if dir.file_name().and_then(|n| n.to_str()) != Some(record.name.as_str()) {
            return None;
        }
        let mut state = BucketState::new(record);
        let mut versions: Vec<(PathBuf, ObjectVersion)> = Vec::new();
        for path in json_files(&dir.join("versions")) {
            match read_json::<ObjectVersion>(&path) {
                Some(v) if v.blob.is_none_or(|b| blobs.contains(&b)) => versions.push((path, v)),
                // A record whose data is gone (or an unreadable one) is dropped.
                _ => {
                    let _ = fs::remove_file(&path);
                }
            }
        }
        versions.sort_by_key(|v| std::cmp::Reverse(v.1.seq));
        let mut by_key: BTreeMap<String, Vec<ObjectVersion>> = BTreeMap::new();
        for (path, version) in versions {
            let list = by_key.entry(version.key.clone()).or_default();
            // Newest first: a second record for the same version id (a crash between
            // writing a replacement and deleting the old record) loses, and so does any
            // older record in a bucket that never had versioning.
            let superseded = list.iter().any(|v| v.version_id == version.version_id)
                || (state.record.versioning == Versioning::Unversioned && !list.is_empty());
            if superseded {
                let _ = fs::remove_file(&path);
                continue;
            }
            list.push(version);
        }
        state.objects = by_key;
        for path in json_files(&dir.join("uploads")) {
            match read_json::<MultipartUpload>(&path) {
                Some(mut upload) => {
                    upload.parts.retain(|_, p| blobs.contains(&p.blob));
                    state.uploads.insert(upload.upload_id.clone(), upload);
                }
                None => {
                    let _ = fs::remove_file(&path);
                }
            }
        }
        Some(state)
    }
}

fn sync_dir(dir: Option<&Path>) -> io::Result<()> {
    if let Some(dir) = dir {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect()
}

struct DiskSink {
    file: Option<File>,
    tmp: PathBuf,
    target: PathBuf,
}

impl BlobSink for DiskSink {
    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(data),
            None => Err(io::Error::other("blob already committed")),
        }
    }

    fn commit(mut self: Box<Self>) -> io::Result<()> {
        let file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("blob already committed"))?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.tmp, &self.target)?;
        sync_dir(self.target.parent())
    }
}

impl Drop for DiskSink {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

impl Backend for DiskBackend {
    fn load(&self) -> io::Result<Loaded> {
        self.create_dirs()?;
        // Whatever was being written when the emulator stopped is abandoned.
        for entry in fs::read_dir(self.tmp_dir())?.filter_map(Result::ok) {
            let _ = fs::remove_file(entry.path());
        }
        let mut blobs: HashSet<u64> = HashSet::new();
        let mut max_id = 0u64;
        for entry in fs::read_dir(self.blobs_dir())?.filter_map(Result::ok) {
            let name = entry.file_name();
            match name.to_str().and_then(|n| u64::from_str_radix(n, 16).ok()) {
                Some(id) => {
                    blobs.insert(id);
                    max_id = max_id.max(id);
                }
                None => {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        let mut buckets = Vec::new();
        for entry in fs::read_dir(self.buckets_dir())?.filter_map(Result::ok) {
            if let Some(bucket) = self.load_bucket(&entry.path(), &blobs) {
                buckets.push(bucket);
            }
        }
        // Blobs no record refers to were being written when the emulator stopped.
        let mut referenced: HashSet<u64> = HashSet::new();
        for bucket in &buckets {
            for version in bucket.objects.values().flatten() {
                max_id = max_id.max(version.seq);
                referenced.extend(version.blob);
            }
            for upload in bucket.uploads.values() {
                max_id = max_id.max(upload.seq);
                referenced.extend(upload.parts.values().map(|p| p.blob));
            }
        }
        for id in blobs.difference(&referenced) {
            let _ = fs::remove_file(self.blob_path(*id));
        }
        Ok(Loaded { buckets, max_id })
    }

    fn create_blob(&self, id: u64) -> io::Result<Box<dyn BlobSink>> {
        let tmp = self.temp_path("blob");
        let file = File::create(&tmp)?;
        Ok(Box::new(DiskSink {
            file: Some(file),
            tmp,
            target: self.blob_path(id),
        }))
    }

    fn open_blob(&self, id: u64, offset: u64, len: u64) -> io::Result<BlobSource> {
        let mut file = File::open(self.blob_path(id))?;
        let size = file.metadata()?.len();
        if offset.checked_add(len).is_none_or(|end| end > size) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "range outside the blob",
            ));
        }
        file.seek(SeekFrom::Start(offset))?;
        Ok(BlobSource::File {
            file,
            remaining: len,
        })
    }

    fn delete_blob(&self, id: u64) {
        let _ = fs::remove_file(self.blob_path(id));
    }

    fn save_bucket(&self, bucket: &BucketRecord) -> io::Result<()> {
        let dir = self.bucket_dir(&bucket.name);
        fs::create_dir_all(dir.join("versions"))?;
        fs::create_dir_all(dir.join("uploads"))?;
        self.write_json(&dir.join("bucket.json"), bucket)
    }

    fn delete_bucket(&self, name: &str) -> io::Result<()> {
        let dir = self.bucket_dir(name);
        // The record goes first so a half-deleted bucket is not loaded back.
        self.remove(&dir.join("bucket.json"))?;
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn save_version(&self, bucket: &str, version: &ObjectVersion) -> io::Result<()> {
        self.write_json(&self.version_path(bucket, version.seq), version)
    }

    fn delete_version(&self, bucket: &str, version: &ObjectVersion) -> io::Result<()> {
        self.remove(&self.version_path(bucket, version.seq))
    }

    fn save_upload(&self, bucket: &str, upload: &MultipartUpload) -> io::Result<()> {
        self.write_json(&self.upload_path(bucket, &upload.upload_id), upload)
    }

    fn delete_upload(&self, bucket: &str, upload_id: &str) -> io::Result<()> {
        self.remove(&self.upload_path(bucket, upload_id))
    }

    fn wipe(&self) -> io::Result<()> {
        for dir in [self.buckets_dir(), self.blobs_dir(), self.tmp_dir()] {
            match fs::remove_dir_all(&dir) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        self.create_dirs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::types::ObjectMeta;

    fn temp_root(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cos-emulator-disk-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn version(key: &str, seq: u64, blob: Option<u64>, size: u64) -> ObjectVersion {
        ObjectVersion {
            key: key.into(),
            version_id: "null".into(),
            seq,
            delete_marker: false,
            blob,
            size,
            etag: "\"e\"".into(),
            crc64: None,
            last_modified: 0,
            appendable: false,
            meta: ObjectMeta::default(),
            restore: None,
        }
    }

    #[test]
    fn survives_reload_and_cleans_up_leftovers() {
        let root = temp_root("reload");
        let backend = DiskBackend::new(&root).expect("backend");
        let mut record = BucketRecord::new("b-1250000000", Versioning::Unversioned, 1);
        record
            .configs
            .insert("cors".into(), "<CORSConfiguration/>".into());
        backend.save_bucket(&record).expect("bucket");
        let mut sink = backend.create_blob(5).expect("sink");
        sink.write(b"hello").expect("write");
        sink.commit().expect("commit");
        backend
            .save_version("b-1250000000", &version("k", 6, Some(5), 5))
            .expect("version");
        // A crash mid-write: a temp blob and an orphan committed blob.
        let mut partial = backend.create_blob(9).expect("sink");
        partial.write(b"torn").expect("write");
        std::mem::forget(partial);
        let mut orphan = backend.create_blob(10).expect("sink");
        orphan.write(b"orphan").expect("write");
        orphan.commit().expect("commit");
        // A crash between writing a replacement and removing the old record.
        let mut newer = backend.create_blob(11).expect("sink");
        newer.write(b"newer").expect("write");
        newer.commit().expect("commit");
        backend
            .save_version("b-1250000000", &version("k", 12, Some(11), 5))
            .expect("version");

        let reopened = DiskBackend::new(&root).expect("backend");
        let loaded = reopened.load().expect("load");
        assert_eq!(loaded.buckets.len(), 1);
        assert_eq!(loaded.buckets[0].record, record);
        let versions = &loaded.buckets[0].objects["k"];
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].seq, 12);
        assert!(loaded.max_id >= 12);
        assert!(!reopened.blob_path(10).exists());
        assert!(!reopened.blob_path(5).exists());
        assert_eq!(fs::read_dir(reopened.tmp_dir()).expect("tmp").count(), 0);
        let mut src = reopened.open_blob(11, 0, 5).expect("open");
        assert_eq!(
            src.read_chunk(100).expect("read").as_deref(),
            Some(&b"newer"[..])
        );
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn records_without_data_are_dropped() {
        let root = temp_root("nodata");
        let backend = DiskBackend::new(&root).expect("backend");
        let record = BucketRecord::new("b-1", Versioning::Enabled, 1);
        backend.save_bucket(&record).expect("bucket");
        backend
            .save_version("b-1", &version("k", 3, Some(2), 5))
            .expect("version");
        let loaded = backend.load().expect("load");
        assert!(loaded.buckets[0].objects.is_empty());
        let _ = fs::remove_dir_all(&root);
    }
}
