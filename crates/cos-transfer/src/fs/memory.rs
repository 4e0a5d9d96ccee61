//! A download target in memory.

use std::io;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::DownloadTarget;

/// A [`DownloadTarget`] that holds the object in memory: the clients' `download_to` with
/// it fetches an object the way `download_file` does (parallel ranges pinned to one
/// ETag, each range resumed when it breaks, the whole checked against COS's CRC-64), into
/// one buffer instead of a file. Nothing is durable and nothing survives the call, so a
/// failed download starts again from the first byte.
///
/// The object's length comes from the server: `limit` is the largest it may be (a larger
/// one fails the download before any byte is fetched, instead of allocating it).
///
/// ```ignore
/// # async fn run(client: cos_tokio::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use cos_tokio::cos_transfer::TransferOptions;
/// use cos_tokio::cos_transfer::fs::MemoryTarget;
/// use cos_proto::ops::GetObject;
///
/// let target = Arc::new(MemoryTarget::new(1 << 30));
/// client
///     .download_to(&GetObject::new("data.bin"), target.clone(), TransferOptions::default(), |_| {})
///     .await?;
/// let bytes: Vec<u8> = target.take();
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MemoryTarget {
    limit: u64,
    data: Mutex<Vec<u8>>,
}

impl MemoryTarget {
    /// An empty target for objects of at most `limit` bytes.
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            data: Mutex::new(Vec::new()),
        }
    }

    /// The bytes held (after a successful download, the whole object), leaving the
    /// target empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The `len` bytes at `offset`, or an error when they do not lie inside.
    fn range(held: usize, offset: u64, len: usize) -> io::Result<std::ops::Range<usize>> {
        usize::try_from(offset)
            .ok()
            .and_then(|start| Some(start..start.checked_add(len)?))
            .filter(|range| range.end <= held)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{len} bytes at {offset} lie outside the {held} bytes held"),
                )
            })
    }
}

impl DownloadTarget for MemoryTarget {
    fn read_checkpoint(&self) -> Option<Vec<u8>> {
        None
    }

    fn open(&self, len: u64, _keep: bool) -> io::Result<bool> {
        let size = usize::try_from(len)
            .ok()
            .filter(|_| len <= self.limit)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "the object has {len} bytes, more than this memory target's limit of {}",
                        self.limit
                    ),
                )
            })?;
        // Zeroed by the allocator (fresh pages), not written twice.
        *self.lock() = vec![0; size];
        Ok(false)
    }

    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut held = self.lock();
        let range = Self::range(held.len(), offset, data.len())?;
        held[range].copy_from_slice(data);
        Ok(())
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let held = self.lock();
        let range = Self::range(held.len(), offset, buf.len())?;
        buf.copy_from_slice(&held[range]);
        Ok(())
    }

    fn save_checkpoint(&self, _json: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn finalize(&self) -> io::Result<()> {
        Ok(())
    }

    fn discard(&self) -> io::Result<()> {
        *self.lock() = Vec::new();
        Ok(())
    }

    fn path(&self) -> &Path {
        Path::new("(memory)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_is_written_where_it_is_written_within_its_limit() {
        let target = MemoryTarget::new(10);
        assert!(target.open(11, false).is_err(), "over the limit");
        assert!(
            !target.open(10, true).expect("open"),
            "nothing is ever kept"
        );
        target.write_at(6, b"wxyz").expect("write");
        target.write_at(0, b"abcdef").expect("write");
        assert!(target.write_at(8, b"abc").is_err(), "past the end");
        assert!(target.write_at(u64::MAX, b"a").is_err());
        let mut back = [0u8; 3];
        target.read_at(4, &mut back).expect("read");
        assert_eq!(&back, b"efw");
        assert!(target.read_checkpoint().is_none());
        target.save_checkpoint(b"{}").expect("checkpoint");
        target.finalize().expect("finalize");
        assert_eq!(target.take(), b"abcdefwxyz");
        assert!(target.take().is_empty(), "taken");
        target.open(3, false).expect("open");
        target.discard().expect("discard");
        assert!(target.take().is_empty());
    }
}
