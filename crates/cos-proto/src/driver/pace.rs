//! How long a server may hold a call: a body must move at least [`MinProgress::bytes`] in
//! every [`MinProgress::window`] (so a server that trickles one byte every 29 seconds,
//! below any per-read stall timeout, still ends in a timeout), and a call may have a
//! total deadline. Time is an input: the driver passes the time elapsed since the call
//! started, read from its own monotonic clock.
//!
//! Only the server is judged: the time the caller's side holds the transfer (a consumer
//! that keeps a chunk before asking for the next, an upload source slow to give the next
//! one) is left out of the windows between [`BodyWatch::pause`] and
//! [`BodyWatch::unpause`]. The deadline is wall time: it counts everything.
//!
//! ```
//! use std::time::Duration;
//! use cos_proto::driver::pace::{BodyWatch, MinProgress, Slow};
//!
//! let rule = MinProgress { bytes: 1024, window: Duration::from_secs(30) };
//! let mut watch = BodyWatch::new(rule, None, Duration::ZERO);
//! let s = Duration::from_secs;
//! // A byte every 29 s: each read is under any stall timeout, but the window is short.
//! assert!(watch.on_bytes(s(29), 1).is_ok());
//! assert!(matches!(watch.on_bytes(s(58), 1), Err(Slow::TooSlow { moved: 2, .. })));
//!
//! // A consumer that keeps each chunk a minute is not the server's fault.
//! let mut watch = BodyWatch::new(rule, None, Duration::ZERO);
//! for minute in 1..10 {
//!     assert!(watch.on_bytes(s(minute * 60 - 59), 1024).is_ok());
//!     watch.pause(s(minute * 60 - 59));
//!     watch.unpause(s(minute * 60));
//! }
//! ```

use std::fmt;
use std::time::Duration;

/// The least a body transfer must move: `bytes` in every `window`. A `bytes` of 0 turns
/// the rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MinProgress {
    /// Bytes that must move in each window.
    pub bytes: u64,
    /// The window.
    pub window: Duration,
}

impl MinProgress {
    /// 32 KiB in every 30 s (about 1 KiB/s): far below any working link, far above a
    /// server that trickles.
    pub const DEFAULT: MinProgress = MinProgress {
        bytes: 32 * 1024,
        window: Duration::from_secs(30),
    };

    /// No rule.
    pub const OFF: MinProgress = MinProgress {
        bytes: 0,
        window: Duration::from_secs(30),
    };

    fn is_off(&self) -> bool {
        self.bytes == 0 || self.window.is_zero()
    }
}

impl Default for MinProgress {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a watched transfer must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slow {
    /// A whole window passed with fewer bytes than the rule asks.
    TooSlow {
        /// Bytes moved in the window.
        moved: u64,
        /// The rule.
        rule: MinProgress,
    },
    /// The call's deadline passed.
    Deadline(Duration),
}

impl fmt::Display for Slow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Slow::TooSlow { moved, rule } => write!(
                f,
                "{moved} bytes moved in {:?}, fewer than the {} the minimum-progress rule asks",
                rule.window, rule.bytes
            ),
            Slow::Deadline(deadline) => write!(f, "the call's deadline of {deadline:?} passed"),
        }
    }
}

impl std::error::Error for Slow {}

/// Watches one body transfer (a request body being sent, a response body being read)
/// against a [`MinProgress`] rule and the call's deadline. Report every chunk with
/// [`BodyWatch::on_bytes`]; while waiting, wake at [`BodyWatch::next_check`] and call
/// [`BodyWatch::check`]. Call [`BodyWatch::pause`] when the transfer waits on the
/// caller's side rather than on the server, and [`BodyWatch::unpause`] when it waits on
/// the server again.
#[derive(Debug, Clone)]
pub struct BodyWatch {
    rule: MinProgress,
    deadline: Option<Duration>,
    window_start: Duration,
    moved: u64,
    paused_at: Option<Duration>,
}

impl BodyWatch {
    /// Starts watching at `now` (time since the call started); `deadline` is the call's
    /// total deadline on the same clock.
    pub fn new(rule: MinProgress, deadline: Option<Duration>, now: Duration) -> Self {
        Self {
            rule,
            deadline,
            window_start: now,
            moved: 0,
            paused_at: None,
        }
    }

    /// A new window from `now` (the transfer resumed on a new connection).
    pub fn restart(&mut self, now: Duration) {
        self.window_start = now;
        self.moved = 0;
        self.paused_at = None;
    }

    /// From `now` the transfer waits on the caller (a consumer holding the data it was
    /// given, an upload source producing the next chunk): that time does not count
    /// against the server. Only the deadline is judged until [`BodyWatch::unpause`].
    pub fn pause(&mut self, now: Duration) {
        self.paused_at.get_or_insert(now);
    }

    /// From `now` the transfer waits on the server again: the window goes on where it
    /// stopped at [`BodyWatch::pause`]. Does nothing when not paused.
    pub fn unpause(&mut self, now: Duration) {
        if let Some(paused_at) = self.paused_at.take() {
            let held = now.saturating_sub(paused_at);
            self.window_start = self.window_start.saturating_add(held);
        }
    }

    /// Whether the transfer waits on the caller (see [`BodyWatch::pause`]).
    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// `n` bytes moved at `now`.
    pub fn on_bytes(&mut self, now: Duration, n: u64) -> Result<(), Slow> {
        self.moved = self.moved.saturating_add(n);
        self.check(now)
    }

    /// Whether the transfer may go on at `now`. A window that ended is judged by the
    /// bytes it saw (those reported at its very end included), then the next begins.
    /// While paused, only the deadline is judged.
    pub fn check(&mut self, now: Duration) -> Result<(), Slow> {
        if let Some(deadline) = self.deadline
            && now >= deadline
        {
            return Err(Slow::Deadline(deadline));
        }
        if self.rule.is_off() || self.is_paused() {
            return Ok(());
        }
        let end = self.window_start.saturating_add(self.rule.window);
        if now < end {
            return Ok(());
        }
        if self.moved < self.rule.bytes {
            return Err(Slow::TooSlow {
                moved: self.moved,
                rule: self.rule,
            });
        }
        self.restart(now);
        Ok(())
    }

    /// When to call [`BodyWatch::check`] next if nothing moves (the end of the window,
    /// or the deadline); `None` when nothing is watched.
    pub fn next_check(&self) -> Option<Duration> {
        let window = (!self.rule.is_off() && !self.is_paused())
            .then(|| self.window_start.saturating_add(self.rule.window));
        match (window, self.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// What is left of a call's `deadline` at `elapsed`: `None` without a deadline,
/// `Some(ZERO)` once it passed.
pub fn time_left(deadline: Option<Duration>, elapsed: Duration) -> Option<Duration> {
    deadline.map(|d| d.saturating_sub(elapsed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn a_trickle_under_the_stall_timeout_is_too_slow() {
        let rule = MinProgress {
            bytes: 100,
            window: S(30),
        };
        let mut watch = BodyWatch::new(rule, None, S(0));
        assert_eq!(watch.on_bytes(S(29), 1), Ok(()));
        assert_eq!(watch.next_check(), Some(S(30)));
        assert_eq!(watch.check(S(30)), Err(Slow::TooSlow { moved: 1, rule }));
        // Enough in each window goes on for ever.
        let mut watch = BodyWatch::new(rule, None, S(0));
        for t in 1..1000 {
            assert_eq!(watch.on_bytes(S(t * 10), 40), Ok(()), "{t}");
        }
        // A resume starts a new window.
        let mut watch = BodyWatch::new(rule, None, S(0));
        watch.restart(S(25));
        assert_eq!(watch.check(S(54)), Ok(()));
    }

    #[test]
    fn the_deadline_ends_everything() {
        let mut watch = BodyWatch::new(MinProgress::OFF, Some(S(60)), S(0));
        assert_eq!(watch.next_check(), Some(S(60)));
        assert_eq!(watch.on_bytes(S(59), 1 << 30), Ok(()));
        assert_eq!(watch.check(S(60)), Err(Slow::Deadline(S(60))));
        assert_eq!(time_left(Some(S(60)), S(70)), Some(Duration::ZERO));
        assert_eq!(time_left(None, S(70)), None);
        let watch = BodyWatch::new(MinProgress::DEFAULT, Some(S(10)), S(0));
        assert_eq!(watch.next_check(), Some(S(10)));
        assert_eq!(
            BodyWatch::new(MinProgress::OFF, None, S(0)).next_check(),
            None
        );
    }

    #[test]
    fn time_the_caller_holds_the_transfer_is_not_the_servers() {
        let rule = MinProgress {
            bytes: 100,
            window: S(30),
        };
        let mut watch = BodyWatch::new(rule, Some(S(600)), S(0));
        assert_eq!(watch.on_bytes(S(10), 50), Ok(()));
        watch.pause(S(10));
        assert!(watch.is_paused());
        // Held for five minutes: nothing is judged but the deadline.
        assert_eq!(watch.next_check(), Some(S(600)));
        assert_eq!(watch.check(S(310)), Ok(()));
        watch.unpause(S(310));
        // The window had 20 s left when paused: it ends at 330 s.
        assert_eq!(watch.next_check(), Some(S(330)));
        assert_eq!(watch.check(S(329)), Ok(()));
        assert_eq!(watch.check(S(330)), Err(Slow::TooSlow { moved: 50, rule }));
        // The deadline is wall time, paused or not.
        let mut watch = BodyWatch::new(rule, Some(S(60)), S(0));
        watch.pause(S(1));
        assert_eq!(watch.check(S(60)), Err(Slow::Deadline(S(60))));
        // Pausing twice keeps the first instant; unpausing when not paused does nothing.
        let mut watch = BodyWatch::new(rule, None, S(0));
        watch.unpause(S(100));
        watch.pause(S(10));
        watch.pause(S(20));
        watch.unpause(S(40));
        assert_eq!(watch.next_check(), Some(S(60)));
    }

    proptest! {
        /// Only the time the server holds the transfer is judged: with the caller's
        /// pauses cut out of the clock, a transfer is stopped exactly when a window
        /// moved too little.
        #[test]
        fn pauses_are_cut_out_of_the_windows(
            chunks in proptest::collection::vec((0u64..20, 0u64..50, 0u64..100), 0..60),
        ) {
            let rule = MinProgress { bytes: 60, window: S(10) };
            let mut watch = BodyWatch::new(rule, None, S(0));
            let (mut wall, mut server, mut start, mut moved) = (S(0), S(0), S(0), 0u64);
            for (gap, n, held) in chunks {
                wall += S(gap);
                server += S(gap);
                moved += n;
                let expected = if server >= start + rule.window {
                    if moved < rule.bytes { Err(()) } else { start = server; moved = 0; Ok(()) }
                } else {
                    Ok(())
                };
                let got = watch.on_bytes(wall, n).map_err(|_| ());
                prop_assert_eq!(got, expected);
                if got.is_err() {
                    break;
                }
                // The caller holds the chunk.
                watch.pause(wall);
                wall += S(held);
                prop_assert_eq!(watch.check(wall), Ok(()));
                watch.unpause(wall);
            }
        }

        /// A transfer is stopped exactly when some window it completed moved fewer bytes
        /// than the rule asks, whatever the chunking.
        #[test]
        fn stopped_only_for_a_short_window(
            chunks in proptest::collection::vec((0u64..20, 0u64..50), 0..60),
        ) {
            let rule = MinProgress { bytes: 60, window: S(10) };
            let mut watch = BodyWatch::new(rule, None, S(0));
            let (mut now, mut start, mut moved) = (S(0), S(0), 0u64);
            for (gap, n) in chunks {
                now += S(gap);
                moved += n;
                let expected = if now >= start + rule.window {
                    if moved < rule.bytes { Err(()) } else { start = now; moved = 0; Ok(()) }
                } else {
                    Ok(())
                };
                let got = watch.on_bytes(now, n).map_err(|_| ());
                prop_assert_eq!(got, expected);
                if got.is_err() {
                    break;
                }
            }
        }
    }
}
