//! The clock and the random source the core takes as inputs.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current Unix time in seconds (0 if the system clock is before 1970).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A fresh jitter value in `[0, 1)` for the core's backoff.
pub(crate) fn jitter() -> f64 {
    cos_proto::retry::jitter_from_u64(fastrand::u64(..))
}
