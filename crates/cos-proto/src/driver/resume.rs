//! Following a download to its verified end, as a state machine the driver feeds: it
//! counts the bytes against `Content-Length`, computes the CRC-64 of a whole object and
//! checks it against `x-cos-hash-crc64ecma`, and, when the body breaks (reset, stall,
//! truncation), says whether to resume, with which request ([`GetObject::resume`]:
//! ranged, pinned with `If-Match`) and after which backoff, or to give up.
//!
//! The driver reads the body and performs the waits and requests; every rule lives here.
//!
//! ```
//! use cos_proto::driver::resume::{ResumingGet, ResumeStep};
//! use cos_proto::ops::{GetObject, GetObjectOutput};
//! use cos_proto::retry::{RetryPolicy, TransportFailure};
//! use cos_proto::Operation;
//! use std::time::Duration;
//!
//! let op = GetObject::new("a.bin");
//! let url: http::Uri = "https://b-1250000000.cos.ap-guangzhou.myqcloud.com/a.bin".parse().unwrap();
//! let head = http::Response::builder()
//!     .status(200)
//!     .header("content-length", "10")
//!     .header("etag", "\"e\"")
//!     .body(bytes::Bytes::new())
//!     .unwrap();
//! let first: GetObjectOutput = op.parse_response(&url, head).unwrap();
//! let mut download = ResumingGet::new(&op, &first, RetryPolicy::default());
//! download.on_data(b"0123").unwrap();
//! // The connection was reset: resume from byte 4.
//! match download.on_break(TransportFailure::ConnectionReset, 0.5, Duration::from_secs(2)).unwrap() {
//!     ResumeStep::Resume { request, .. } => {
//!         assert_eq!(request.requested_range().map(|r| r.to_string()).as_deref(), Some("bytes=4-9"));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use std::time::Duration;

use crate::crc64::Crc64;
use crate::error::Error;
use crate::ops::{GetObject, GetObjectOutput};
use crate::retry::{GiveUpReason, RetryPolicy, TransportFailure};

/// What the driver does after [`ResumingGet::on_end`] or [`ResumingGet::on_break`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum ResumeStep {
    /// Every byte arrived and checked out: the download is complete.
    Done,
    /// Wait `after`, send `request` (a GET through the driver's usual retrying path),
    /// pass its output to [`ResumingGet::on_resumed`], then keep feeding its body.
    Resume {
        /// The continuation.
        request: Box<GetObject>,
        /// The backoff to wait first.
        after: Duration,
    },
}

/// Why a download failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResumeError {
    /// The body kept ending before its `Content-Length` and the resumes ran out.
    #[error("short body: received {received} of {expected} bytes")]
    ShortBody {
        /// `Content-Length` of the first response.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
    /// More bytes arrived than `Content-Length` announced.
    #[error("the body is longer than its Content-Length of {expected} bytes")]
    TooLong {
        /// `Content-Length` of the first response.
        expected: u64,
    },
    /// The whole object arrived but its CRC-64 is not the one COS announced.
    #[error("CRC64 mismatch: COS says {expected}, the data has {actual}")]
    Crc64Mismatch {
        /// `x-cos-hash-crc64ecma`.
        expected: u64,
        /// The CRC-64 of the bytes received.
        actual: u64,
    },
    /// A continuation answered a different byte range than the one asked for.
    #[error("the resumed body starts at byte {got:?}, not at {wanted:?}")]
    Misaligned {
        /// Where the continuation should start.
        wanted: Option<u64>,
        /// Where it starts.
        got: Option<u64>,
    },
    /// The body broke and the download cannot go on (the driver reports its own
    /// transport error with this).
    #[error("download gave up after {attempts} attempt(s): {reason}")]
    GaveUp {
        /// How the last body broke.
        failure: TransportFailure,
        /// Why it is not resumed.
        reason: GiveUpReason,
        /// Transfers tried (the first one and the resumes).
        attempts: u32,
    },
    /// No continuation can be built (the first response had no ETag).
    #[error(transparent)]
    Resume(Error),
}

/// One download in progress; see the module documentation.
#[derive(Debug, Clone)]
pub struct ResumingGet {
    op: GetObject,
    first: GetObjectOutput,
    policy: RetryPolicy,
    deadline: Option<Duration>,
    expected: Option<u64>,
    received: u64,
    resumes: u32,
    crc: Option<(Crc64, u64)>,
    done: bool,
}

impl ResumingGet {
    /// Follows the body of `first`, the answer to `op`. `policy` bounds the resumes
    /// (fewer than `max_attempts`) and gives their backoff.
    pub fn new(op: &GetObject, first: &GetObjectOutput, policy: RetryPolicy) -> Self {
        // The CRC-64 header describes the whole object: only a 200 (not a range) can be
        // checked against it.
        let whole_object = first.status == 200 && first.content_range.is_none();
        let crc = first
            .info
            .crc64
            .filter(|_| whole_object)
            .map(|expected| (Crc64::new(), expected));
        Self {
            op: op.clone(),
            first: first.clone(),
            policy,
            deadline: None,
            expected: first.body_length(),
            received: 0,
            resumes: 0,
            crc,
            done: false,
        }
    }

    /// Bounds the download by the call's total `deadline`
    /// ([`crate::driver::call::CallOptions::deadline`]), on the clock of the `elapsed` the driver
    /// passes to [`ResumingGet::on_end`] and [`ResumingGet::on_break`] (time since the call
    /// started): a resume that could not start before it is not planned.
    pub fn with_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Continuations issued so far.
    pub fn resumes(&self) -> u32 {
        self.resumes
    }

    /// The number of bytes the download delivers, when known.
    pub fn expected(&self) -> Option<u64> {
        self.expected
    }

    /// After the body's end: every announced byte arrived, or
    /// [`ResumeError::ShortBody`] (a body that stopped early).
    pub fn check_complete(&self) -> Result<(), ResumeError> {
        match self.expected {
            Some(expected) if self.received != expected => Err(ResumeError::ShortBody {
                expected,
                received: self.received,
            }),
            _ => Ok(()),
        }
    }

    /// `true` once [`ResumeStep::Done`] was returned.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Records body bytes (in order). Fails when they exceed `Content-Length`.
    pub fn on_data(&mut self, data: &[u8]) -> Result<(), ResumeError> {
        let total = self.received.saturating_add(data.len() as u64);
        if let Some(expected) = self.expected
            && total > expected
        {
            return Err(ResumeError::TooLong { expected });
        }
        self.received = total;
        if let Some((crc, _)) = &mut self.crc {
            crc.update(data);
        }
        Ok(())
    }

    /// The body ended cleanly at `elapsed` (time since the call started). Complete when
    /// every announced byte arrived (and the CRC-64 matches); otherwise the body was
    /// truncated and is resumed like a break.
    pub fn on_end(&mut self, jitter: f64, elapsed: Duration) -> Result<ResumeStep, ResumeError> {
        match self.expected {
            Some(expected) if self.received < expected => {
                self.resume(TransportFailure::ConnectionReset, jitter, elapsed, true)
            }
            _ => self.finish(),
        }
    }

    /// Reading the body failed with `failure` at `elapsed` (time since the call
    /// started): resume or give up.
    pub fn on_break(
        &mut self,
        failure: TransportFailure,
        jitter: f64,
        elapsed: Duration,
    ) -> Result<ResumeStep, ResumeError> {
        self.resume(failure, jitter, elapsed, false)
    }

    /// Checks a continuation's answer before its body is fed.
    pub fn on_resumed(&mut self, output: &GetObjectOutput) -> Result<(), ResumeError> {
        let wanted = self
            .first
            .span()
            .map(|(first, _)| first.saturating_add(self.received));
        let got = output.span().map(|(first, _)| first);
        if wanted == got {
            Ok(())
        } else {
            Err(ResumeError::Misaligned { wanted, got })
        }
    }

    fn resume(
        &mut self,
        failure: TransportFailure,
        jitter: f64,
        elapsed: Duration,
        ended_early: bool,
    ) -> Result<ResumeStep, ResumeError> {
        let attempts = self.resumes.saturating_add(1);
        let Some(expected) = self.expected else {
            // Without a length nothing can be resumed (nor a truncation noticed).
            return Err(ResumeError::GaveUp {
                failure,
                reason: GiveUpReason::NotRetryable,
                attempts,
            });
        };
        if attempts >= self.policy.max_attempts {
            return Err(if ended_early {
                ResumeError::ShortBody {
                    expected,
                    received: self.received,
                }
            } else {
                ResumeError::GaveUp {
                    failure,
                    reason: GiveUpReason::AttemptsExhausted,
                    attempts,
                }
            });
        }
        match self.op.resume(&self.first, self.received) {
            Ok(Some(request)) => {
                let after = self.policy.backoff(attempts, jitter);
                if let Some(left) = crate::driver::pace::time_left(self.deadline, elapsed)
                    && after >= left
                {
                    return Err(ResumeError::GaveUp {
                        failure,
                        reason: GiveUpReason::DeadlineExceeded,
                        attempts,
                    });
                }
                self.resumes = attempts;
                Ok(ResumeStep::Resume {
                    request: Box::new(request),
                    after,
                })
            }
            Ok(None) => self.finish(),
            Err(err) => Err(ResumeError::Resume(err)),
        }
    }

    fn finish(&mut self) -> Result<ResumeStep, ResumeError> {
        if let Some((crc, expected)) = &self.crc
            && crc.value() != *expected
        {
            return Err(ResumeError::Crc64Mismatch {
                expected: *expected,
                actual: crc.value(),
            });
        }
        self.done = true;
        Ok(ResumeStep::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::crc64::crc64;

    #[test]
    fn a_body_is_complete_only_with_every_announced_byte() {
        let first = output(200, 4, None, None);
        let mut get = ResumingGet::new(&GetObject::new("k"), &first, policy());
        get.on_data(b"abc").expect("within the length");
        assert!(matches!(
            get.check_complete(),
            Err(ResumeError::ShortBody {
                expected: 4,
                received: 3
            })
        ));
        get.on_data(b"d").expect("within the length");
        assert!(get.check_complete().is_ok());
    }

    fn output(status: u16, length: u64, range: Option<&str>, crc: Option<u64>) -> GetObjectOutput {
        let mut b = http::Response::builder()
            .status(status)
            .header("content-length", length.to_string())
            .header("etag", "\"e\"");
        if let Some(range) = range {
            b = b.header("content-range", range);
        }
        if let Some(crc) = crc {
            b = b.header("x-cos-hash-crc64ecma", crc.to_string());
        }
        let url: http::Uri = "http://127.0.0.1:9000/b/k".parse().expect("uri");
        GetObject::new("k")
            .parse_response(&url, b.body(bytes::Bytes::new()).expect("response"))
            .expect("parses")
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn a_complete_body_with_the_right_crc_is_done() {
        let data = b"hello world";
        let first = output(200, 11, None, Some(crc64(data)));
        let mut d = ResumingGet::new(&GetObject::new("k"), &first, policy());
        d.on_data(&data[..5]).expect("data");
        d.on_data(&data[5..]).expect("data");
        assert_eq!(d.on_end(0.5, Duration::ZERO), Ok(ResumeStep::Done));
        assert!(d.is_done());
    }

    #[test]
    fn a_wrong_crc_is_an_error_but_ranges_are_not_checked() {
        let first = output(200, 3, None, Some(12345));
        let mut d = ResumingGet::new(&GetObject::new("k"), &first, policy());
        d.on_data(b"abc").expect("data");
        assert!(matches!(
            d.on_end(0.5, Duration::ZERO),
            Err(ResumeError::Crc64Mismatch {
                expected: 12345,
                ..
            })
        ));
        let ranged = output(206, 3, Some("bytes 0-2/10"), Some(12345));
        let mut d = ResumingGet::new(&GetObject::new("k"), &ranged, policy());
        d.on_data(b"abc").expect("data");
        assert_eq!(d.on_end(0.5, Duration::ZERO), Ok(ResumeStep::Done));
    }

    #[test]
    fn truncation_resumes_from_the_next_byte_then_runs_out() {
        let first = output(200, 10, None, None);
        let mut d = ResumingGet::new(&GetObject::new("k"), &first, policy());
        d.on_data(b"0123").expect("data");
        let ResumeStep::Resume { request, after } = d.on_end(1.0, Duration::ZERO).expect("resume")
        else {
            panic!("not resumed")
        };
        assert_eq!(after, Duration::from_millis(100));
        assert_eq!(
            request.requested_range().map(|r| r.to_string()).as_deref(),
            Some("bytes=4-9")
        );
        let resumed = output(206, 6, Some("bytes 4-9/10"), None);
        d.on_resumed(&resumed).expect("aligned");
        let wrong = output(206, 6, Some("bytes 0-5/10"), None);
        assert!(matches!(
            d.on_resumed(&wrong),
            Err(ResumeError::Misaligned { .. })
        ));
        // Two more breaks are allowed (4 attempts), then a short body.
        for _ in 0..2 {
            assert!(matches!(
                d.on_break(TransportFailure::Timeout, 0.5, Duration::ZERO),
                Ok(ResumeStep::Resume { .. })
            ));
        }
        assert_eq!(d.resumes(), 3);
        assert_eq!(
            d.on_end(0.5, Duration::ZERO),
            Err(ResumeError::ShortBody {
                expected: 10,
                received: 4
            })
        );
        assert!(matches!(
            d.on_break(TransportFailure::Timeout, 0.5, Duration::ZERO),
            Err(ResumeError::GaveUp {
                reason: GiveUpReason::AttemptsExhausted,
                ..
            })
        ));
    }

    #[test]
    fn too_many_bytes_and_unknown_lengths_fail() {
        let first = output(200, 2, None, None);
        let mut d = ResumingGet::new(&GetObject::new("k"), &first, policy());
        assert_eq!(d.on_data(b"abc"), Err(ResumeError::TooLong { expected: 2 }));
        let mut unknown = first.clone();
        unknown.info.content_length = None;
        let mut d = ResumingGet::new(&GetObject::new("k"), &unknown, policy());
        d.on_data(b"abc").expect("no limit");
        assert_eq!(d.on_end(0.5, Duration::ZERO), Ok(ResumeStep::Done));
        assert!(matches!(
            d.on_break(TransportFailure::ConnectionReset, 0.5, Duration::ZERO),
            Err(ResumeError::GaveUp {
                reason: GiveUpReason::NotRetryable,
                ..
            })
        ));
    }

    #[test]
    fn a_break_after_the_last_byte_is_complete() {
        let first = output(200, 3, None, Some(crc64(b"abc")));
        let mut d = ResumingGet::new(&GetObject::new("k"), &first, policy());
        d.on_data(b"abc").expect("data");
        assert_eq!(
            d.on_break(TransportFailure::ConnectionReset, 0.5, Duration::ZERO),
            Ok(ResumeStep::Done)
        );
    }

    #[test]
    fn no_resume_is_planned_past_the_call_deadline() {
        let first = output(200, 10, None, None);
        let s = Duration::from_secs;
        let mut d =
            ResumingGet::new(&GetObject::new("k"), &first, policy()).with_deadline(Some(s(5)));
        d.on_data(b"0123").expect("data");
        // Backoff of the first resume at jitter 1.0 is 100 ms: it fits at 4 s...
        assert!(matches!(
            d.on_break(TransportFailure::Timeout, 1.0, s(4)),
            Ok(ResumeStep::Resume { .. })
        ));
        // ...but not once the deadline passed, nor when the wait would cross it.
        for elapsed in [s(5), s(9), Duration::from_millis(4_950)] {
            assert!(matches!(
                d.clone().on_break(TransportFailure::Timeout, 1.0, elapsed),
                Err(ResumeError::GaveUp {
                    reason: GiveUpReason::DeadlineExceeded,
                    ..
                })
            ));
            assert!(matches!(
                d.clone().on_end(1.0, elapsed),
                Err(ResumeError::GaveUp {
                    reason: GiveUpReason::DeadlineExceeded,
                    ..
                })
            ));
        }
        // Without a deadline the same break resumes.
        let mut d = ResumingGet::new(&GetObject::new("k"), &first, policy());
        d.on_data(b"0123").expect("data");
        assert!(matches!(
            d.on_break(TransportFailure::Timeout, 1.0, s(3600)),
            Ok(ResumeStep::Resume { .. })
        ));
    }
}
