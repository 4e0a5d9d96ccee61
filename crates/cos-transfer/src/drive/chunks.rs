//! Recycled buffers for the chunks a driver reads (upload sources, response bodies): a
//! chunk is handed on as [`Bytes`], and its buffer comes back to the pool when the
//! last reference to it is dropped, so a transfer does not allocate (and fault in) a
//! fresh buffer for every chunk.

use std::sync::{Arc, Mutex, PoisonError, Weak};

use bytes::Bytes;

/// A pool of byte buffers of one capacity, shared by the clones of a client.
///
/// ```
/// use cos_transfer::drive::ChunkPool;
/// let pool = ChunkPool::new(1024, 4);
/// let mut buf = pool.take();
/// buf.extend_from_slice(b"hello");
/// let chunk = pool.freeze(buf);
/// assert_eq!(&chunk[..], b"hello");
/// drop(chunk); // the buffer goes back to the pool
/// assert_eq!(pool.idle(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct ChunkPool(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    capacity: usize,
    keep: usize,
    idle: Mutex<Vec<Vec<u8>>>,
}

impl ChunkPool {
    /// Buffers of `capacity` bytes; at most `keep` idle ones are kept (the others are
    /// freed when they come back).
    pub fn new(capacity: usize, keep: usize) -> Self {
        Self(Arc::new(Shared {
            capacity,
            keep,
            idle: Mutex::new(Vec::new()),
        }))
    }

    /// The capacity of the pool's buffers.
    pub fn capacity(&self) -> usize {
        self.0.capacity
    }

    /// An empty buffer with at least [`capacity`](Self::capacity) bytes of spare
    /// capacity: a recycled one when there is one. Its spare capacity may hold old
    /// bytes: fill it with `Read::read_to_end` or `extend`, never read it uninitialized.
    pub fn take(&self) -> Vec<u8> {
        let recycled = self
            .0
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match recycled {
            Some(mut buf) => {
                buf.clear();
                buf
            }
            None => Vec::with_capacity(self.0.capacity),
        }
    }

    /// A buffer of exactly [`capacity`](Self::capacity) initialized bytes to read into
    /// with `Read::read` (zero-filled only where it was never written before); truncate
    /// it to what was read before [`freeze`](Self::freeze).
    pub fn take_filled(&self) -> Vec<u8> {
        let mut buf = self
            .0
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default();
        buf.resize(self.0.capacity, 0);
        buf
    }

    /// `buf` as [`Bytes`] (no copy); its buffer returns to the pool once every clone
    /// and slice of the result is dropped.
    pub fn freeze(&self, buf: Vec<u8>) -> Bytes {
        Bytes::from_owner(Pooled {
            buf,
            home: Arc::downgrade(&self.0),
        })
    }

    /// How many idle buffers the pool holds.
    pub fn idle(&self) -> usize {
        self.0
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// A buffer on loan as [`Bytes`]; it goes home when dropped (if the pool still exists
/// and wants it).
struct Pooled {
    buf: Vec<u8>,
    home: Weak<Shared>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(home) = self.home.upgrade() else {
            return;
        };
        if self.buf.capacity() < home.capacity {
            return;
        }
        let mut idle = home.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < home.keep {
            idle.push(std::mem::take(&mut self.buf));
        }
    }
}

/// The most a body read into memory reserves up front from its announced length: a
/// larger body grows as it arrives, so an announced length alone never allocates more.
pub const PRESIZE_LIMIT: usize = 64 * 1024 * 1024;

/// Collects a body's chunks into one buffer of its own (so no chunk pins a larger
/// buffer it was cut from), reserved once from the `expected` length (at most
/// [`PRESIZE_LIMIT`]).
///
/// ```
/// use bytes::Bytes;
/// use cos_transfer::drive::BodyCollector;
/// let mut all = BodyCollector::new(Some(11));
/// all.push(&Bytes::from_static(b"hello "));
/// all.push(&Bytes::from_static(b"world"));
/// assert_eq!(all.finish(), Bytes::from_static(b"hello world"));
/// ```
#[derive(Debug)]
pub struct BodyCollector {
    all: Vec<u8>,
}

impl BodyCollector {
    /// A collector for a body announced as `expected` bytes still to come.
    pub fn new(expected: Option<u64>) -> Self {
        let capacity = expected
            .and_then(|len| usize::try_from(len).ok())
            .unwrap_or(0)
            .min(PRESIZE_LIMIT);
        Self {
            all: Vec::with_capacity(capacity),
        }
    }

    /// Appends the next chunk.
    pub fn push(&mut self, chunk: &[u8]) {
        self.all.extend_from_slice(chunk);
    }

    /// Everything pushed, in order.
    pub fn finish(self) -> Bytes {
        Bytes::from(self.all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_in_order_and_reserves_once_within_the_limit() {
        assert!(BodyCollector::new(None).finish().is_empty());
        let huge = BodyCollector::new(Some(u64::MAX));
        assert_eq!(huge.all.capacity(), PRESIZE_LIMIT);
        let mut sized = BodyCollector::new(Some(1000));
        for _ in 0..10 {
            sized.push(&[7u8; 100]);
        }
        assert_eq!(sized.all.capacity(), 1000, "reserved once");
        assert_eq!(sized.finish(), vec![7u8; 1000]);
    }

    #[test]
    fn buffers_come_back_once_every_slice_is_gone_and_are_reused() {
        let pool = ChunkPool::new(64, 2);
        let mut buf = pool.take();
        let address = buf.as_ptr();
        buf.extend_from_slice(&[7; 40]);
        let chunk = pool.freeze(buf);
        let slice = chunk.slice(10..20);
        drop(chunk);
        assert_eq!(pool.idle(), 0, "a slice still holds it");
        assert_eq!(&slice[..], &[7; 10]);
        drop(slice);
        assert_eq!(pool.idle(), 1);
        let again = pool.take();
        assert!(again.is_empty());
        assert!(again.capacity() >= 64);
        assert_eq!(again.as_ptr(), address, "the same buffer");
    }

    #[test]
    fn keeps_at_most_keep_and_forgets_small_or_orphaned_buffers() {
        let pool = ChunkPool::new(16, 1);
        let a = pool.freeze(pool.take());
        let b = pool.freeze(pool.take());
        drop((a, b));
        assert_eq!(pool.idle(), 1);
        let small = pool.freeze(Vec::with_capacity(4));
        drop(small);
        assert_eq!(pool.idle(), 1, "too small to be worth keeping");
        let orphan = pool.freeze(pool.take());
        drop(pool);
        drop(orphan); // the pool is gone: the buffer is freed, nothing panics
    }

    #[test]
    fn filled_buffers_have_the_capacity_as_length() {
        let pool = ChunkPool::new(32, 1);
        let mut buf = pool.take_filled();
        assert_eq!(buf.len(), 32);
        buf.truncate(5);
        drop(pool.freeze(buf));
        assert_eq!(pool.take_filled().len(), 32);
    }
}
