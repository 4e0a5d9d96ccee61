//! The knobs every transfer shares.

use crate::plan::DEFAULT_PART_SIZE;

/// How a transfer is cut and scheduled. The defaults suit most links; every field has
/// a builder method.
///
/// ```
/// use cos_transfer::TransferOptions;
/// let options = TransferOptions::default().part_size(16 << 20).concurrency(4);
/// assert_eq!(options.part_size, 16 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct TransferOptions {
    /// Uploads of at least this many bytes go multipart; smaller ones are one PUT
    /// (default 20 MiB, as the official SDKs).
    pub multipart_threshold: u64,
    /// Requested part size in bytes (default 8 MiB); doubled as needed to stay within
    /// 10,000 parts. COS needs at least 1 MiB for every part but the last. A resumed
    /// transfer keeps the part size its checkpoint recorded.
    pub part_size: u64,
    /// Requests in flight at once; `0` (the default) means one per part, at most 8.
    /// Memory held by a transfer is at most `part_size × concurrency`.
    pub concurrency: usize,
    /// Times a part is sent (each time through the client's own retries) before the
    /// transfer gives up on it (default 3).
    pub part_attempts: u32,
    /// Copies of at least this many bytes use multipart part copies (default 5 GiB,
    /// the largest single copy COS accepts).
    pub copy_threshold: u64,
}

impl Default for TransferOptions {
    fn default() -> Self {
        Self {
            multipart_threshold: 20 * 1024 * 1024,
            part_size: DEFAULT_PART_SIZE,
            concurrency: 0,
            part_attempts: 3,
            copy_threshold: 5 * 1024 * 1024 * 1024,
        }
    }
}

impl TransferOptions {
    /// Sets [`TransferOptions::multipart_threshold`].
    pub fn multipart_threshold(mut self, bytes: u64) -> Self {
        self.multipart_threshold = bytes;
        self
    }

    /// Sets [`TransferOptions::part_size`].
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes;
        self
    }

    /// Sets [`TransferOptions::concurrency`].
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests;
        self
    }

    /// Sets [`TransferOptions::part_attempts`] (at least 1).
    pub fn part_attempts(mut self, attempts: u32) -> Self {
        self.part_attempts = attempts.max(1);
        self
    }

    /// Sets [`TransferOptions::copy_threshold`].
    pub fn copy_threshold(mut self, bytes: u64) -> Self {
        self.copy_threshold = bytes;
        self
    }
}

/// How `upload_dir` and `download_dir` work through a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct DirectoryOptions {
    /// Options of each file's transfer.
    pub transfer: TransferOptions,
    /// Files transferred at once (default 4); memory is at most this many times one
    /// file's `part_size × concurrency`.
    pub parallel_files: usize,
    /// Skip files whose other side already has the same size and CRC64 (default off).
    pub skip_unchanged: bool,
}

impl Default for DirectoryOptions {
    fn default() -> Self {
        Self {
            transfer: TransferOptions::default(),
            parallel_files: 4,
            skip_unchanged: false,
        }
    }
}

impl DirectoryOptions {
    /// Sets [`DirectoryOptions::transfer`].
    pub fn transfer(mut self, options: TransferOptions) -> Self {
        self.transfer = options;
        self
    }

    /// Sets [`DirectoryOptions::parallel_files`] (at least 1).
    pub fn parallel_files(mut self, files: usize) -> Self {
        self.parallel_files = files.max(1);
        self
    }

    /// Sets [`DirectoryOptions::skip_unchanged`].
    pub fn skip_unchanged(mut self, skip: bool) -> Self {
        self.skip_unchanged = skip;
        self
    }
}
