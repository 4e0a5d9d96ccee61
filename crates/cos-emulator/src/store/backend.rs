//! The persistence contract shared by the in-memory and the directory backends.
//!
//! The [`super::Store`] keeps the index (buckets, versions, uploads) in memory and calls
//! a backend to persist each change and to hold object data ("blobs", immutable once
//! committed). Blobs are written through a [`BlobSink`] that becomes visible only on
//! [`BlobSink::commit`]; dropping an uncommitted sink discards it.

use std::io::{self, Read};

use bytes::Bytes;

use super::types::{BucketRecord, Loaded, MultipartUpload, ObjectVersion};

/// Where a new blob's bytes go until it is committed.
pub(crate) trait BlobSink: Send {
    /// Appends bytes.
    fn write(&mut self, data: &[u8]) -> io::Result<()>;
    /// Makes the blob durable and visible under its id.
    fn commit(self: Box<Self>) -> io::Result<()>;
}

/// A readable range of a committed blob.
#[derive(Debug)]
pub(crate) enum BlobSource {
    /// In-memory bytes (already sliced to the range).
    Memory(Bytes),
    /// In-memory pieces, in order (already sliced to the range): a blob assembled from
    /// others by reference.
    Pieces(std::collections::VecDeque<Bytes>),
    /// An open file positioned at the range start.
    File {
        /// The file.
        file: std::fs::File,
        /// Bytes left in the range.
        remaining: u64,
    },
}

impl BlobSource {
    /// The next chunk of at most `max` bytes, `None` at the end of the range.
    pub(crate) fn read_chunk(&mut self, max: usize) -> io::Result<Option<Bytes>> {
        match self {
            BlobSource::Memory(bytes) => {
                if bytes.is_empty() {
                    return Ok(None);
                }
                let n = max.min(bytes.len());
                Ok(Some(bytes.split_to(n)))
            }
            BlobSource::Pieces(pieces) => {
                let Some(front) = pieces.front_mut() else {
                    return Ok(None);
                };
                let n = max.min(front.len());
                let chunk = front.split_to(n);
                if front.is_empty() {
                    pieces.pop_front();
                }
                Ok(Some(chunk))
            }
            BlobSource::File { file, remaining } => {
                if *remaining == 0 {
                    return Ok(None);
                }
                let n = usize::try_from(*remaining).unwrap_or(usize::MAX).min(max);
                let mut buf = vec![0u8; n];
                file.read_exact(&mut buf)?;
                *remaining -= n as u64;
                Ok(Some(Bytes::from(buf)))
            }
        }
    }

    /// Bytes left.
    pub(crate) fn remaining(&self) -> u64 {
        match self {
            BlobSource::Memory(bytes) => bytes.len() as u64,
            BlobSource::Pieces(pieces) => pieces.iter().map(|p| p.len() as u64).sum(),
            BlobSource::File { remaining, .. } => *remaining,
        }
    }
}

/// Persistence for the store.
pub(crate) trait Backend: Send + Sync {
    /// Reads back everything persisted (empty for memory), cleaning up leftovers of a
    /// crash: temporary files, blobs no record refers to, duplicate versions.
    fn load(&self) -> io::Result<Loaded>;
    /// Starts a new blob with the given id.
    fn create_blob(&self, id: u64) -> io::Result<Box<dyn BlobSink>>;
    /// Opens `len` bytes of a committed blob from `offset`.
    fn open_blob(&self, id: u64, offset: u64, len: u64) -> io::Result<BlobSource>;
    /// Deletes a blob (missing blobs are ignored).
    fn delete_blob(&self, id: u64);
    /// Makes blob `id` the concatenation of `parts` without copying their bytes, when
    /// the backend can (`Ok(false)`: it cannot, the caller copies them).
    fn concat_blobs(&self, id: u64, parts: &[u64]) -> io::Result<bool> {
        let _ = (id, parts);
        Ok(false)
    }
    /// Writes a bucket record.
    fn save_bucket(&self, bucket: &BucketRecord) -> io::Result<()>;
    /// Deletes a bucket and everything under it.
    fn delete_bucket(&self, name: &str) -> io::Result<()>;
    /// Writes (or rewrites) a version record.
    fn save_version(&self, bucket: &str, version: &ObjectVersion) -> io::Result<()>;
    /// Deletes a version record.
    fn delete_version(&self, bucket: &str, version: &ObjectVersion) -> io::Result<()>;
    /// Writes (or rewrites) an upload record with its parts.
    fn save_upload(&self, bucket: &str, upload: &MultipartUpload) -> io::Result<()>;
    /// Deletes an upload record.
    fn delete_upload(&self, bucket: &str, upload_id: &str) -> io::Result<()>;
    /// Deletes everything.
    fn wipe(&self) -> io::Result<()>;
}
