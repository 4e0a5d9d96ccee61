//! The in-memory backend: blobs are `Bytes` in a map; records need no persistence.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

use super::backend::{Backend, BlobSink, BlobSource};
use super::types::{BucketRecord, Loaded, MultipartUpload, ObjectVersion};

type Blobs = Arc<Mutex<HashMap<u64, Bytes>>>;

fn lock(blobs: &Blobs) -> MutexGuard<'_, HashMap<u64, Bytes>> {
    blobs
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keeps everything in process memory; nothing survives a restart.
#[derive(Debug, Default)]
pub(crate) struct MemoryBackend {
    blobs: Blobs,
}

impl MemoryBackend {
    /// An empty backend.
    pub(crate) fn new() -> Self {
        Self::default()
    }
}

struct MemorySink {
    id: u64,
    data: Vec<u8>,
    blobs: Blobs,
}

impl BlobSink for MemorySink {
    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(data);
        Ok(())
    }

    fn commit(self: Box<Self>) -> io::Result<()> {
        let MemorySink { id, data, blobs } = *self;
        lock(&blobs).insert(id, Bytes::from(data));
        Ok(())
    }
}

impl Backend for MemoryBackend {
    fn load(&self) -> io::Result<Loaded> {
        Ok(Loaded::default())
    }

    fn create_blob(&self, id: u64) -> io::Result<Box<dyn BlobSink>> {
        Ok(Box::new(MemorySink {
            id,
            data: Vec::new(),
            blobs: Arc::clone(&self.blobs),
        }))
    }

    fn open_blob(&self, id: u64, offset: u64, len: u64) -> io::Result<BlobSource> {
        let blobs = lock(&self.blobs);
        let blob = blobs
            .get(&id)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("blob {id}")))?;
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let end = usize::try_from(offset.saturating_add(len)).unwrap_or(usize::MAX);
        if start > blob.len() || end > blob.len() || start > end {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "range outside the blob",
            ));
        }
        Ok(BlobSource::Memory(blob.slice(start..end)))
    }

    fn delete_blob(&self, id: u64) {
        lock(&self.blobs).remove(&id);
    }

    fn save_bucket(&self, _bucket: &BucketRecord) -> io::Result<()> {
        Ok(())
    }

    fn delete_bucket(&self, _name: &str) -> io::Result<()> {
        Ok(())
    }

    fn save_version(&self, _bucket: &str, _version: &ObjectVersion) -> io::Result<()> {
        Ok(())
    }

    fn delete_version(&self, _bucket: &str, _version: &ObjectVersion) -> io::Result<()> {
        Ok(())
    }

    fn save_upload(&self, _bucket: &str, _upload: &MultipartUpload) -> io::Result<()> {
        Ok(())
    }

    fn delete_upload(&self, _bucket: &str, _upload_id: &str) -> io::Result<()> {
        Ok(())
    }

    fn wipe(&self) -> io::Result<()> {
        lock(&self.blobs).clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_appear_on_commit_and_read_in_ranges() {
        let backend = MemoryBackend::new();
        let mut sink = backend.create_blob(7).expect("sink");
        sink.write(b"hello ").expect("write");
        sink.write(b"world").expect("write");
        assert!(backend.open_blob(7, 0, 1).is_err());
        sink.commit().expect("commit");
        let mut src = backend.open_blob(7, 6, 5).expect("open");
        assert_eq!(
            src.read_chunk(3).expect("read").as_deref(),
            Some(&b"wor"[..])
        );
        assert_eq!(
            src.read_chunk(9).expect("read").as_deref(),
            Some(&b"ld"[..])
        );
        assert!(src.read_chunk(9).expect("read").is_none());
        assert!(backend.open_blob(7, 6, 6).is_err());
        backend.delete_blob(7);
        assert!(backend.open_blob(7, 0, 0).is_err());
    }

    #[test]
    fn dropped_sinks_leave_nothing() {
        let backend = MemoryBackend::new();
        let mut sink = backend.create_blob(1).expect("sink");
        sink.write(b"partial").expect("write");
        drop(sink);
        assert!(backend.open_blob(1, 0, 0).is_err());
    }
}
