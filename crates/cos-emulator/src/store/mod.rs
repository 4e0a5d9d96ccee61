//! The object store: an in-memory index of buckets, versions and uploads, persisted
//! through a [`Backend`] (memory or directory).
//!
//! Every method takes the index lock for a short, I/O-light critical section (record
//! writes only); object data is streamed into blobs before the lock is taken.

mod backend;
mod disk;
mod memory;
pub(crate) mod types;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use base64::Engine;

use backend::Backend;
pub(crate) use backend::{BlobSink, BlobSource};
use types::{
    BucketRecord, BucketState, MultipartUpload, ObjectMeta, ObjectVersion, Part, Versioning,
};

use crate::errors::{CosError, ErrorCode};

/// The id every version gets in a bucket that never had versioning.
pub(crate) const NULL_VERSION: &str = "null";

/// The index.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Buckets by name.
    pub(crate) buckets: BTreeMap<String, BucketState>,
}

impl State {
    /// A bucket or `NoSuchBucket`.
    pub(crate) fn bucket(&self, name: &str) -> Result<&BucketState, CosError> {
        self.buckets
            .get(name)
            .ok_or_else(|| CosError::new(ErrorCode::NoSuchBucket))
    }

    fn bucket_mut(&mut self, name: &str) -> Result<&mut BucketState, CosError> {
        self.buckets
            .get_mut(name)
            .ok_or_else(|| CosError::new(ErrorCode::NoSuchBucket))
    }
}

/// The result of a DELETE Object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeleteOutcome {
    /// The version removed, or the id of the delete marker created.
    pub(crate) version_id: Option<String>,
    /// A delete marker was created, or the version removed was one.
    pub(crate) delete_marker: bool,
}

/// The store.
pub(crate) struct Store {
    state: Mutex<State>,
    backend: Box<dyn Backend>,
    next_id: AtomicU64,
    /// Bench-only: bodies are stored without their MD5 unless a request asks for it.
    cheap_etags: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("next_id", &self.next_id.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// A version id derived from a sequence number (URL-safe, like COS's base64 ids).
pub(crate) fn version_id_for(seq: u64) -> String {
    let number = 1_844_515_756_231_450_000u64.wrapping_add(seq);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(number.to_string())
}

/// `true` when `id` could be a version id of this store (or `null`).
pub(crate) fn plausible_version_id(id: &str) -> bool {
    id == NULL_VERSION
        || base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id)
            .ok()
            .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
}

impl Store {
    /// Opens a store: in memory, or persisted under `data_dir`.
    pub(crate) fn open(data_dir: Option<&Path>) -> io::Result<Self> {
        let backend: Box<dyn Backend> = match data_dir {
            Some(dir) => Box::new(disk::DiskBackend::new(dir)?),
            None => Box::new(memory::MemoryBackend::new()),
        };
        let loaded = backend.load()?;
        let buckets = loaded
            .buckets
            .into_iter()
            .map(|b| (b.record.name.clone(), b))
            .collect();
        Ok(Self {
            state: Mutex::new(State { buckets }),
            backend,
            next_id: AtomicU64::new(loaded.max_id + 1),
            cheap_etags: false,
        })
    }

    /// Bench-only: from now on, bodies are stored without computing their MD5 (see
    /// [`crate::EmulatorConfig::bench_no_hash`]).
    pub(crate) fn with_cheap_etags(mut self) -> Self {
        self.cheap_etags = true;
        self
    }

    /// `true` when bodies are stored without their MD5 unless a request asks for it.
    pub(crate) fn cheap_etags(&self) -> bool {
        self.cheap_etags
    }

    /// A fresh id for a blob, a version or an upload.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the index.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.lock())
    }

    /// `true` if the bucket exists.
    pub(crate) fn bucket_exists(&self, name: &str) -> bool {
        self.lock().buckets.contains_key(name)
    }

    /// Creates a bucket; `Ok(false)` if it already existed.
    pub(crate) fn create_bucket(
        &self,
        name: &str,
        versioning: Versioning,
        now: u64,
    ) -> Result<bool, CosError> {
        self.create_bucket_with(BucketRecord::new(name, versioning, now))
    }

    /// Creates a bucket from a full record (ACL, region, type); `Ok(false)` if a bucket
    /// of that name already existed (it is left unchanged).
    pub(crate) fn create_bucket_with(&self, record: BucketRecord) -> Result<bool, CosError> {
        let mut state = self.lock();
        if state.buckets.contains_key(&record.name) {
            return Ok(false);
        }
        self.backend.save_bucket(&record)?;
        state
            .buckets
            .insert(record.name.clone(), BucketState::new(record));
        Ok(true)
    }

    /// Changes a bucket's record (ACL, stored configurations) and persists it: `f` edits
    /// a copy, which replaces the record only once it is durable.
    pub(crate) fn update_bucket<R>(
        &self,
        name: &str,
        f: impl FnOnce(&mut BucketRecord) -> Result<R, CosError>,
    ) -> Result<R, CosError> {
        let mut state = self.lock();
        let bucket = state.bucket_mut(name)?;
        let mut record = bucket.record.clone();
        let result = f(&mut record)?;
        if record != bucket.record {
            self.backend.save_bucket(&record)?;
            bucket.record = record;
        }
        Ok(result)
    }

    /// Deletes an empty bucket: `409 BucketNotEmpty` while it holds any object version
    /// (delete markers included) or an in-progress multipart upload.
    pub(crate) fn delete_bucket(&self, name: &str) -> Result<(), CosError> {
        let mut state = self.lock();
        let bucket = state.bucket(name)?;
        if !bucket.objects.is_empty() || !bucket.uploads.is_empty() {
            return Err(CosError::new(ErrorCode::BucketNotEmpty));
        }
        self.backend.delete_bucket(name)?;
        state.buckets.remove(name);
        Ok(())
    }

    /// Sets a bucket's versioning state.
    pub(crate) fn set_versioning(
        &self,
        name: &str,
        versioning: Versioning,
    ) -> Result<(), CosError> {
        let mut state = self.lock();
        let bucket = state.bucket_mut(name)?;
        let mut record = bucket.record.clone();
        record.versioning = versioning;
        self.backend.save_bucket(&record)?;
        bucket.record = record;
        Ok(())
    }

    /// Starts a new blob: returns its id and the sink to write it through.
    pub(crate) fn new_blob(&self) -> io::Result<(u64, Box<dyn BlobSink>)> {
        let id = self.next_id();
        Ok((id, self.backend.create_blob(id)?))
    }

    /// A new blob that is the concatenation of `parts`, made without copying their
    /// bytes when the backend can (`None`: it cannot; write it through
    /// [`new_blob`](Self::new_blob)).
    pub(crate) fn concat_blobs(&self, parts: &[u64]) -> io::Result<Option<u64>> {
        let id = self.next_id();
        Ok(self.backend.concat_blobs(id, parts)?.then_some(id))
    }

    /// Opens `len` bytes of a blob from `offset`.
    pub(crate) fn open_blob(&self, id: u64, offset: u64, len: u64) -> io::Result<BlobSource> {
        self.backend.open_blob(id, offset, len)
    }

    /// Deletes blobs nothing refers to any more.
    pub(crate) fn discard_blobs(&self, ids: &[u64]) {
        for id in ids {
            self.backend.delete_blob(*id);
        }
    }

    /// Stores a new version of `version.key` (its `version_id` and `seq` are assigned
    /// here), after `check` has accepted the bucket's current state (under the lock).
    /// Returns the stored version. On any error the new blob is discarded.
    pub(crate) fn put_object(
        &self,
        bucket: &str,
        version: ObjectVersion,
        check: impl FnOnce(&BucketState) -> Result<(), CosError>,
    ) -> Result<ObjectVersion, CosError> {
        self.put_version(bucket, version, None, check)
    }

    fn put_version(
        &self,
        bucket: &str,
        mut version: ObjectVersion,
        finish_upload: Option<&str>,
        check: impl FnOnce(&BucketState) -> Result<(), CosError>,
    ) -> Result<ObjectVersion, CosError> {
        let result = self.put_version_locked(bucket, &mut version, finish_upload, check);
        match result {
            Ok(unused) => {
                self.discard_blobs(&unused);
                Ok(version)
            }
            Err(e) => {
                if let Some(blob) = version.blob {
                    self.backend.delete_blob(blob);
                }
                Err(e)
            }
        }
    }

    fn put_version_locked(
        &self,
        bucket: &str,
        version: &mut ObjectVersion,
        finish_upload: Option<&str>,
        check: impl FnOnce(&BucketState) -> Result<(), CosError>,
    ) -> Result<Vec<u64>, CosError> {
        let mut state = self.lock();
        let b = state.bucket_mut(bucket)?;
        check(b)?;
        let versioning = b.record.versioning;
        version.seq = self.next_id();
        version.version_id = match versioning {
            Versioning::Enabled => version_id_for(version.seq),
            Versioning::Unversioned | Versioning::Suspended => NULL_VERSION.to_owned(),
        };
        // The new record is durable before the ones it replaces go away.
        self.backend.save_version(bucket, version)?;
        let mut unused = Vec::new();
        if let Some(upload_id) = finish_upload {
            self.backend.delete_upload(bucket, upload_id)?;
            if let Some(upload) = b.uploads.remove(upload_id) {
                unused.extend(upload.parts.values().map(|p| p.blob));
            }
        }
        let list = b.objects.entry(version.key.clone()).or_default();
        if versioning != Versioning::Enabled {
            let (old, keep): (Vec<ObjectVersion>, Vec<ObjectVersion>) = std::mem::take(list)
                .into_iter()
                .partition(|v| v.version_id == NULL_VERSION);
            *list = keep;
            for old in old {
                self.backend.delete_version(bucket, &old)?;
                unused.extend(old.blob);
            }
        }
        list.insert(0, version.clone());
        Ok(unused)
    }

    /// The version to read: the latest (`NoSuchKey` if it is a delete marker, with the
    /// `x-cos-delete-marker` header) or the one asked for (`NoSuchVersion`; a delete
    /// marker asked for by id is `MethodNotAllowed`).
    pub(crate) fn get_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<ObjectVersion, CosError> {
        let state = self.lock();
        let b = state.bucket(bucket)?;
        find_version(b, key, version_id).cloned()
    }

    /// Changes a stored version's attributes (tags, ACL, restore) and persists it.
    pub(crate) fn update_version<R>(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        f: impl FnOnce(&mut ObjectVersion) -> Result<R, CosError>,
    ) -> Result<R, CosError> {
        let mut state = self.lock();
        let b = state.bucket_mut(bucket)?;
        let current = find_version(b, key, version_id)?;
        let mut updated = current.clone();
        let result = f(&mut updated)?;
        self.backend.save_version(bucket, &updated)?;
        if let Some(slot) = b
            .objects
            .get_mut(key)
            .and_then(|list| list.iter_mut().find(|v| v.seq == updated.seq))
        {
            *slot = updated;
        }
        Ok(result)
    }

    /// DELETE Object, with COS's versioning semantics.
    pub(crate) fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        now: u64,
    ) -> Result<DeleteOutcome, CosError> {
        let (outcome, blobs) = self.delete_object_locked(bucket, key, version_id, now)?;
        self.discard_blobs(&blobs);
        Ok(outcome)
    }

    fn delete_object_locked(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        now: u64,
    ) -> Result<(DeleteOutcome, Vec<u64>), CosError> {
        let mut state = self.lock();
        let b = state.bucket_mut(bucket)?;
        let versioning = b.record.versioning;
        let mut blobs = Vec::new();
        if let Some(id) = version_id {
            let Some(list) = b.objects.get_mut(key) else {
                return version_not_found(id).map(|o| (o, blobs));
            };
            let Some(pos) = list.iter().position(|v| v.version_id == id) else {
                return version_not_found(id).map(|o| (o, blobs));
            };
            let removed = list.remove(pos);
            if let Err(e) = self.backend.delete_version(bucket, &removed) {
                list.insert(pos, removed);
                return Err(e.into());
            }
            if list.is_empty() {
                b.objects.remove(key);
            }
            blobs.extend(removed.blob);
            return Ok((
                DeleteOutcome {
                    version_id: Some(removed.version_id),
                    delete_marker: removed.delete_marker,
                },
                blobs,
            ));
        }
        match versioning {
            Versioning::Unversioned => {
                if let Some(list) = b.objects.remove(key) {
                    for old in &list {
                        self.backend.delete_version(bucket, old)?;
                        blobs.extend(old.blob);
                    }
                }
                Ok((
                    DeleteOutcome {
                        version_id: None,
                        delete_marker: false,
                    },
                    blobs,
                ))
            }
            Versioning::Enabled | Versioning::Suspended => {
                let seq = self.next_id();
                let marker_id = if versioning == Versioning::Enabled {
                    version_id_for(seq)
                } else {
                    NULL_VERSION.to_owned()
                };
                let marker = ObjectVersion {
                    key: key.to_owned(),
                    version_id: marker_id.clone(),
                    seq,
                    delete_marker: true,
                    blob: None,
                    size: 0,
                    etag: String::new(),
                    crc64: None,
                    last_modified: now,
                    appendable: false,
                    meta: ObjectMeta::default(),
                    restore: None,
                };
                self.backend.save_version(bucket, &marker)?;
                let list = b.objects.entry(key.to_owned()).or_default();
                if versioning == Versioning::Suspended {
                    let (old, keep): (Vec<ObjectVersion>, Vec<ObjectVersion>) =
                        std::mem::take(list)
                            .into_iter()
                            .partition(|v| v.version_id == NULL_VERSION);
                    *list = keep;
                    for old in old {
                        self.backend.delete_version(bucket, &old)?;
                        blobs.extend(old.blob);
                    }
                }
                list.insert(0, marker);
                Ok((
                    DeleteOutcome {
                        version_id: Some(marker_id),
                        delete_marker: true,
                    },
                    blobs,
                ))
            }
        }
    }

    /// Starts a multipart upload.
    pub(crate) fn create_upload(
        &self,
        bucket: &str,
        key: &str,
        meta: ObjectMeta,
        now: u64,
    ) -> Result<MultipartUpload, CosError> {
        let mut state = self.lock();
        let b = state.bucket_mut(bucket)?;
        let seq = self.next_id();
        let upload = MultipartUpload {
            upload_id: upload_id_for(now, seq),
            key: key.to_owned(),
            initiated: now,
            seq,
            meta,
            parts: BTreeMap::new(),
        };
        self.backend.save_upload(bucket, &upload)?;
        b.uploads.insert(upload.upload_id.clone(), upload.clone());
        Ok(upload)
    }

    /// An upload of `key`, or `NoSuchUpload`.
    pub(crate) fn get_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<MultipartUpload, CosError> {
        let state = self.lock();
        let b = state.bucket(bucket)?;
        find_upload(b, key, upload_id).cloned()
    }

    /// Records a part (replacing any previous part with the same number). On error the
    /// part's blob is discarded.
    pub(crate) fn put_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part: Part,
    ) -> Result<(), CosError> {
        let blob = part.blob;
        let result = (|| {
            let mut state = self.lock();
            let b = state.bucket_mut(bucket)?;
            let upload = find_upload_mut(b, key, upload_id)?;
            let mut updated = upload.clone();
            let old = updated.parts.insert(part.number, part);
            self.backend.save_upload(bucket, &updated)?;
            *upload = updated;
            Ok(old.map(|p| p.blob))
        })();
        match result {
            Ok(old) => {
                self.discard_blobs(&old.into_iter().collect::<Vec<_>>());
                Ok(())
            }
            Err(e) => {
                self.backend.delete_blob(blob);
                Err(e)
            }
        }
    }

    /// Turns an upload into an object: `check` validates the upload under the lock (it
    /// must still exist with the parts that were assembled), then the version is stored
    /// and the upload and its part blobs are removed, all in one critical section.
    pub(crate) fn complete_upload(
        &self,
        bucket: &str,
        upload_id: &str,
        version: ObjectVersion,
        check: impl FnOnce(&BucketState, &MultipartUpload) -> Result<(), CosError>,
    ) -> Result<ObjectVersion, CosError> {
        let key = version.key.clone();
        self.put_version(bucket, version, Some(upload_id), |b| {
            let upload = find_upload(b, &key, upload_id)?;
            check(b, upload)
        })
    }

    /// Aborts an upload and discards its parts.
    pub(crate) fn abort_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(), CosError> {
        let blobs = {
            let mut state = self.lock();
            let b = state.bucket_mut(bucket)?;
            find_upload(b, key, upload_id)?;
            self.backend.delete_upload(bucket, upload_id)?;
            b.uploads
                .remove(upload_id)
                .map(|u| u.parts.values().map(|p| p.blob).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        self.discard_blobs(&blobs);
        Ok(())
    }

    /// Deletes everything, then creates `buckets`.
    pub(crate) fn reset(&self, buckets: &[(String, Versioning)], now: u64) -> Result<(), CosError> {
        {
            let mut state = self.lock();
            self.backend.wipe()?;
            state.buckets.clear();
        }
        for (name, versioning) in buckets {
            self.create_bucket(name, *versioning, now)?;
        }
        Ok(())
    }
}

fn version_not_found(id: &str) -> Result<DeleteOutcome, CosError> {
    if plausible_version_id(id) {
        // Deleting a version that is already gone succeeds (idempotent retries).
        Ok(DeleteOutcome {
            version_id: Some(id.to_owned()),
            delete_marker: false,
        })
    } else {
        Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            "Invalid version id specified",
        ))
    }
}

fn find_version<'a>(
    bucket: &'a BucketState,
    key: &str,
    version_id: Option<&str>,
) -> Result<&'a ObjectVersion, CosError> {
    match version_id {
        None => match bucket.latest(key) {
            Some(v) if v.delete_marker => Err(CosError::new(ErrorCode::NoSuchKey)
                .header("x-cos-delete-marker", "true")
                .header("x-cos-version-id", v.version_id.clone())),
            Some(v) => Ok(v),
            None => Err(CosError::new(ErrorCode::NoSuchKey)),
        },
        Some(id) => {
            let found = bucket
                .objects
                .get(key)
                .and_then(|list| list.iter().find(|v| v.version_id == id));
            match found {
                Some(v) if v.delete_marker => Err(CosError::new(ErrorCode::MethodNotAllowed)
                    .header("x-cos-delete-marker", "true")
                    .header("x-cos-version-id", v.version_id.clone())),
                Some(v) => Ok(v),
                None if plausible_version_id(id) => Err(CosError::new(ErrorCode::NoSuchVersion)),
                None => Err(CosError::with_message(
                    ErrorCode::InvalidArgument,
                    "Invalid version id specified",
                )),
            }
        }
    }
}

fn find_upload<'a>(
    bucket: &'a BucketState,
    key: &str,
    upload_id: &str,
) -> Result<&'a MultipartUpload, CosError> {
    bucket
        .uploads
        .get(upload_id)
        .filter(|u| u.key == key)
        .ok_or_else(|| CosError::new(ErrorCode::NoSuchUpload))
}

fn find_upload_mut<'a>(
    bucket: &'a mut BucketState,
    key: &str,
    upload_id: &str,
) -> Result<&'a mut MultipartUpload, CosError> {
    bucket
        .uploads
        .get_mut(upload_id)
        .filter(|u| u.key == key)
        .ok_or_else(|| CosError::new(ErrorCode::NoSuchUpload))
}

/// An upload id in COS's style: the initiation time then hex digits.
fn upload_id_for(now: u64, seq: u64) -> String {
    format!(
        "{now}{seq:016x}{:016x}",
        crate::faults::splitmix64(seq ^ now)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::open(None).expect("memory store")
    }

    fn object(store: &Store, key: &str, data: &[u8]) -> ObjectVersion {
        let (blob, mut sink) = store.new_blob().expect("blob");
        sink.write(data).expect("write");
        sink.commit().expect("commit");
        ObjectVersion {
            key: key.into(),
            version_id: String::new(),
            seq: 0,
            delete_marker: false,
            blob: Some(blob),
            size: data.len() as u64,
            etag: "\"e\"".into(),
            crc64: None,
            last_modified: 1,
            appendable: false,
            meta: ObjectMeta::default(),
            restore: None,
        }
    }

    #[test]
    fn unversioned_buckets_keep_one_version() {
        let s = store();
        s.create_bucket("b", Versioning::Unversioned, 0)
            .expect("bucket");
        let first = s
            .put_object("b", object(&s, "k", b"1"), |_| Ok(()))
            .expect("put");
        let second = s
            .put_object("b", object(&s, "k", b"22"), |_| Ok(()))
            .expect("put");
        assert_eq!(first.version_id, "null");
        assert_eq!(second.version_id, "null");
        assert_eq!(s.read(|st| st.buckets["b"].objects["k"].len()), 1);
        assert!(s.open_blob(first.blob.expect("blob"), 0, 1).is_err());
        let outcome = s.delete_object("b", "k", None, 2).expect("delete");
        assert!(!outcome.delete_marker);
        assert!(s.get_version("b", "k", None).is_err());
    }

    #[test]
    fn versioned_buckets_keep_history_and_markers() {
        let s = store();
        s.create_bucket("b", Versioning::Enabled, 0)
            .expect("bucket");
        let v1 = s
            .put_object("b", object(&s, "k", b"1"), |_| Ok(()))
            .expect("put");
        let v2 = s
            .put_object("b", object(&s, "k", b"2"), |_| Ok(()))
            .expect("put");
        assert_ne!(v1.version_id, v2.version_id);
        assert!(plausible_version_id(&v1.version_id));
        let marker = s.delete_object("b", "k", None, 3).expect("delete");
        assert!(marker.delete_marker);
        let err = s.get_version("b", "k", None).expect_err("marker");
        assert_eq!(err.code, ErrorCode::NoSuchKey);
        assert_eq!(
            s.get_version("b", "k", Some(&v1.version_id))
                .expect("v1")
                .seq,
            v1.seq
        );
        let err = s
            .get_version("b", "k", marker.version_id.as_deref())
            .expect_err("marker by id");
        assert_eq!(err.code, ErrorCode::MethodNotAllowed);
        s.delete_object("b", "k", marker.version_id.as_deref(), 4)
            .expect("remove marker");
        assert_eq!(s.get_version("b", "k", None).expect("v2").seq, v2.seq);
        let err = s
            .get_version("b", "k", Some("garbage!"))
            .expect_err("bad id");
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn checks_run_under_the_lock_and_failures_discard_the_blob() {
        let s = store();
        s.create_bucket("b", Versioning::Unversioned, 0)
            .expect("bucket");
        let v = object(&s, "k", b"x");
        let blob = v.blob.expect("blob");
        let err = s
            .put_object("b", v, |_| Err(CosError::new(ErrorCode::FileAlreadyExists)))
            .expect_err("rejected");
        assert_eq!(err.code, ErrorCode::FileAlreadyExists);
        assert!(s.open_blob(blob, 0, 1).is_err());
    }
}
