//! The driver's clock and random source (the core takes both as inputs).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (0 if the system clock is before 1970).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A uniformly random jitter in `[0, 1)` for the retry policy.
pub(crate) fn jitter() -> f64 {
    cos_proto::retry::jitter_from_u64(fastrand::u64(..))
}
