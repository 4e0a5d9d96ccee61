//! Progress reporting.

/// Where a transfer stands. `committed` only grows: it counts bytes of parts that are
/// finished and recorded (in the checkpoint, for resumable transfers). `in_flight`
/// counts bytes of parts being sent right now; it shrinks when they commit or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// The transfer's size in bytes (`0` until known, for a download before its HEAD).
    pub total: u64,
    /// Bytes finished for good, including those a resumed run found done.
    pub committed: u64,
    /// Bytes of parts in progress.
    pub in_flight: u64,
}

/// Something worth telling the user, in order. Every event carries the progress after
/// it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferEvent {
    /// The size is known and work begins; `resumed` bytes were already done by an
    /// earlier run.
    Started {
        /// Progress (committed = resumed bytes).
        progress: Progress,
        /// Number of parts (1 for a single request).
        parts: u32,
        /// Bytes an earlier run had already finished.
        resumed: u64,
    },
    /// A part is being sent (or fetched).
    PartStarted {
        /// Part number (1-based).
        part: u32,
        /// Progress.
        progress: Progress,
    },
    /// A part is finished and recorded.
    PartDone {
        /// Part number (1-based).
        part: u32,
        /// Its length.
        bytes: u64,
        /// Progress.
        progress: Progress,
    },
    /// A part failed and will be sent again.
    Retrying {
        /// Part number (1-based).
        part: u32,
        /// The attempt that comes next (2 for the first retry).
        attempt: u32,
        /// Why the last attempt failed.
        reason: String,
        /// Progress.
        progress: Progress,
    },
    /// The transfer finished.
    Finished {
        /// Progress (committed = total).
        progress: Progress,
    },
    /// The transfer failed; its checkpoint (if any) is kept for a resume.
    Failed {
        /// Why.
        reason: String,
        /// Progress.
        progress: Progress,
    },
}

impl TransferEvent {
    /// The progress this event carries.
    pub fn progress(&self) -> Progress {
        match self {
            TransferEvent::Started { progress, .. }
            | TransferEvent::PartStarted { progress, .. }
            | TransferEvent::PartDone { progress, .. }
            | TransferEvent::Retrying { progress, .. }
            | TransferEvent::Finished { progress }
            | TransferEvent::Failed { progress, .. } => *progress,
        }
    }
}

impl TransferEvent {
    /// The last event of a transfer that ended with `result`: on success everything is
    /// committed.
    pub(crate) fn end<T>(result: &Result<T, crate::TransferError>, mut progress: Progress) -> Self {
        match result {
            Ok(_) => {
                progress.committed = progress.total;
                progress.in_flight = 0;
                TransferEvent::Finished { progress }
            }
            Err(err) => TransferEvent::Failed {
                reason: err.to_string(),
                progress,
            },
        }
    }
}
