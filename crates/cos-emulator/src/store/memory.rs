//! The in-memory backend: blobs are `Bytes` in a map (a blob completed from parts is the
//! parts' pieces, shared, not copied); records need no persistence.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

use super::backend::{Backend, BlobSink, BlobSource};
use super::types::{BucketRecord, Loaded, MultipartUpload, ObjectVersion};

/// A blob: its pieces in order, none empty (one for a blob written from a body).
type Pieces = Arc<[Bytes]>;
type Blobs = Arc<Mutex<HashMap<u64, Pieces>>>;

fn lock(blobs: &Blobs) -> MutexGuard<'_, HashMap<u64, Pieces>> {
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
        let pieces: Pieces = if data.is_empty() {
            Arc::new([])
        } else {
            Arc::new([Bytes::from(data)])
        };
        lock(&blobs).insert(id, pieces);
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
        let pieces = lock(&self.blobs)
            .get(&id)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("blob {id}")))?;
        let size: u64 = pieces.iter().map(|p| p.len() as u64).sum();
        let end = offset.checked_add(len).filter(|end| *end <= size);
        let Some(end) = end else {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "range outside the blob",
            ));
        };
        // The pieces that overlap [offset, end), each sliced to it.
        let mut at = 0u64;
        let mut range = std::collections::VecDeque::new();
        for piece in pieces.iter() {
            let (start, stop) = (at, at + piece.len() as u64);
            at = stop;
            if stop <= offset || start >= end {
                continue;
            }
            let from = (offset.max(start) - start) as usize;
            let to = (end.min(stop) - start) as usize;
            range.push_back(piece.slice(from..to));
        }
        Ok(match range.len() {
            0 => BlobSource::Memory(Bytes::new()),
            1 => BlobSource::Memory(range.pop_front().unwrap_or_default()),
            _ => BlobSource::Pieces(range),
        })
    }

    fn concat_blobs(&self, id: u64, parts: &[u64]) -> io::Result<bool> {
        let mut blobs = lock(&self.blobs);
        let mut pieces = Vec::new();
        for part in parts {
            let part = blobs
                .get(part)
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("blob {part}")))?;
            pieces.extend(part.iter().cloned());
        }
        blobs.insert(id, pieces.into());
        Ok(true)
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

    fn read_all(mut source: BlobSource, max: usize) -> Vec<u8> {
        let mut all = Vec::new();
        while let Some(chunk) = source.read_chunk(max).expect("read") {
            assert!(!chunk.is_empty() && chunk.len() <= max);
            all.extend_from_slice(&chunk);
        }
        all
    }

    proptest::proptest! {
        #[test]
        fn concatenated_blobs_read_like_their_bytes_in_any_range(
            parts in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..40), 1..6),
            from in 0usize..200,
            take in 0usize..200,
            max in 1usize..50,
        ) {
            let backend = MemoryBackend::new();
            for (id, part) in parts.iter().enumerate() {
                let mut sink = backend.create_blob(id as u64).expect("sink");
                sink.write(part).expect("write");
                sink.commit().expect("commit");
            }
            let ids: Vec<u64> = (0..parts.len() as u64).collect();
            proptest::prop_assert!(backend.concat_blobs(100, &ids).expect("concat"));
            // The parts go; the assembled blob keeps their bytes.
            for id in &ids {
                backend.delete_blob(*id);
            }
            let whole = parts.concat();
            let opened = backend.open_blob(100, from as u64, take as u64);
            if from + take > whole.len() {
                proptest::prop_assert!(opened.is_err());
            } else {
                let source = opened.expect("open");
                proptest::prop_assert_eq!(source.remaining(), take as u64);
                proptest::prop_assert_eq!(read_all(source, max), whole[from..from + take].to_vec());
            }
        }
    }
}
