//! Retry classification and backoff for COS requests.
//!
//! This module decides; it never acts. The driver (an async or blocking
//! HTTP client) sends a request, describes how the attempt ended as an
//! [`Outcome`], and asks [`RetryPolicy::decide`] (or
//! [`RetryPolicy::decide_with_budget`]) what to do next. The answer is
//! either "wait this long, then send again" or "give up, and here is why".
//! Nothing here sleeps, reads a clock or draws random numbers: the driver
//! sleeps, and passes in a jitter value in `[0, 1)` that it drew itself
//! (see [`jitter_from_u64`]).
//!
//! Rules, in short:
//!
//! * retried: no response at all ([`Outcome::Transport`]), any 5xx except
//!   `501 Not Implemented`, `408`, `429`, throttling / timeout error codes
//!   such as `400 RequestTimeout` and `503 SlowDown`, and a `200` whose body
//!   is an error with a server-side code ([`Outcome::ErrorIn200`]);
//! * never retried: 1xx/2xx/3xx and every other 4xx (403, 404, 409, 412…);
//! * [`Idempotency::NotIdempotent`] requests are retried only when the
//!   request provably never reached COS ([`TransportFailure::Connect`]);
//! * a request whose body cannot be re-sent is never retried.
//!
//! A driver loop looks like this (the outcomes are simulated here):
//!
//! ```
//! use cos_proto::retry::{
//!     Attempt, Decision, Idempotency, Outcome, RetryBudget, RetryPolicy, TransportFailure,
//!     RETRY_HEADER, RETRY_HEADER_VALUE,
//! };
//!
//! let policy = RetryPolicy::default();
//! let mut budget = RetryBudget::new(); // really: one per client, behind a Mutex
//! let mut attempt = Attempt::first(Idempotency::Idempotent, true);
//! let simulated = [
//!     Outcome::Transport(TransportFailure::Timeout),
//!     Outcome::Status { status: 503, code: Some("SlowDown") },
//!     Outcome::Status { status: 200, code: None },
//! ];
//! let mut waited = Vec::new();
//! for outcome in simulated {
//!     if attempt.is_retry() {
//!         // add the header `RETRY_HEADER: RETRY_HEADER_VALUE` to this request
//!     }
//!     // ... send the request, build `outcome` from what happened ...
//!     if outcome.is_success() {
//!         budget.on_success();
//!         break;
//!     }
//!     let jitter = 0.5; // the driver draws this from its own RNG
//!     match policy.decide_with_budget(&attempt, &outcome, jitter, &mut budget) {
//!         Decision::Retry { after } => {
//!             waited.push(after); // the driver sleeps `after` here
//!             attempt = attempt.next();
//!         }
//!         Decision::GiveUp(reason) => panic!("request failed: {reason}"),
//!     }
//! }
//! assert_eq!(attempt.number, 3);
//! assert_eq!(waited.len(), 2);
//! assert!(waited.iter().all(|d| *d <= policy.max_delay));
//! ```

use std::fmt;
use std::time::Duration;

/// Request header that marks a retried attempt.
///
/// Drivers must add `x-cos-sdk-retry: true` (see [`RETRY_HEADER_VALUE`]) to
/// every attempt after the first ([`Attempt::is_retry`]), as the official
/// COS SDKs do, and must not send it on the first attempt. Add it before
/// signing if the signer covers all headers.
pub const RETRY_HEADER: &str = "x-cos-sdk-retry";

/// Value to send in [`RETRY_HEADER`] on retried attempts.
pub const RETRY_HEADER_VALUE: &str = "true";

/// Error codes (the `<Code>` of a COS error body) that mean "transient,
/// try again", whatever the HTTP status.
const RETRYABLE_CODES: &[&str] = &[
    "InternalError",
    "ServiceUnavailable",
    "SlowDown",
    "RequestTimeout",
    "Throttling",
    "ThrottlingException",
    "TooManyRequests",
    "RequestLimitExceeded",
    "RequestThrottled",
];

/// How an attempt failed when no HTTP response was received.
///
/// Drivers map their client's error to one of these. When unsure whether
/// the request reached COS, do **not** report [`Connect`](Self::Connect):
/// that kind allows retrying non-idempotent requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportFailure {
    /// The connection could not be established, so no byte of the request
    /// reached COS: DNS failure, TCP connect refused or timed out, TLS or
    /// proxy handshake failure. A connect *timeout* belongs here, not in
    /// [`Timeout`](Self::Timeout).
    Connect,
    /// The connection was up but the response did not arrive (or did not
    /// finish) before the driver's deadline. COS may have executed the
    /// request.
    Timeout,
    /// The peer reset or closed the connection after the request was at
    /// least partly sent. COS may have executed the request.
    ConnectionReset,
    /// Any other I/O or HTTP protocol error after the connection was up
    /// (broken pipe, truncated or malformed response). COS may have
    /// executed the request.
    Io,
}

/// How one attempt ended, as reported by the driver.
///
/// `code` is the `<Code>` element of the COS XML error body when the driver
/// parsed one (pass `None` when there was no body, e.g. for `HEAD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// No HTTP response was received.
    Transport(TransportFailure),
    /// An HTTP response with this status arrived. Successful statuses
    /// (1xx–3xx) may be reported too; they are never retried.
    Status {
        /// HTTP status code.
        status: u16,
        /// Error code from the response body, if any.
        code: Option<&'a str>,
    },
    /// A `200 OK` whose body was an `<Error>` document. COS does this for
    /// CompleteMultipartUpload and PUT Object - Copy, which start streaming
    /// `200` before the work finishes. Retried when `code` names a
    /// server-side or throttling error (`InternalError`,
    /// `ServiceUnavailable`, `SlowDown`, …) or is `None` (the error could
    /// not be identified); not retried for client errors such as
    /// `NoSuchUpload` or `InvalidPart`.
    ErrorIn200 {
        /// Error code from the response body, if one could be parsed.
        code: Option<&'a str>,
    },
}

impl Outcome<'_> {
    /// Returns `true` for a `2xx` [`Outcome::Status`]: the request worked.
    /// Drivers should then call [`RetryBudget::on_success`]. An
    /// [`Outcome::ErrorIn200`] is not a success.
    #[must_use]
    pub const fn is_success(&self) -> bool {
        matches!(
            self,
            Outcome::Status {
                status: 200..=299,
                ..
            }
        )
    }

    /// Returns `true` when the outcome proves the request never reached
    /// COS (a [`TransportFailure::Connect`]), which is the only case where a
    /// non-idempotent request may be re-sent.
    #[must_use]
    pub const fn request_never_sent(&self) -> bool {
        matches!(self, Outcome::Transport(TransportFailure::Connect))
    }
}

/// Returns whether `outcome` is transient, ignoring everything about the
/// request itself (idempotency, body, attempt count).
///
/// Use [`RetryPolicy::decide`] to actually decide; this is the
/// classification alone, useful for logging or error reporting.
///
/// ```
/// use cos_proto::retry::{is_retryable, Outcome};
///
/// assert!(is_retryable(&Outcome::Status { status: 400, code: Some("RequestTimeout") }));
/// assert!(!is_retryable(&Outcome::Status { status: 404, code: Some("NoSuchKey") }));
/// ```
#[must_use]
pub fn is_retryable(outcome: &Outcome<'_>) -> bool {
    match *outcome {
        Outcome::Transport(_) => true,
        Outcome::Status { status, code } => {
            status_is_retryable(status) || (status >= 400 && code.is_some_and(code_is_retryable))
        }
        Outcome::ErrorIn200 { code } => code.is_none_or(code_is_retryable),
    }
}

fn status_is_retryable(status: u16) -> bool {
    match status {
        // Request Timeout, Too Many Requests.
        408 | 429 => true,
        // Not Implemented is deterministic: asking again cannot help.
        501 => false,
        500..=599 => true,
        _ => false,
    }
}

fn code_is_retryable(code: &str) -> bool {
    RETRYABLE_CODES.contains(&code)
}

/// Whether executing a request twice is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// Repeating the request has the same effect as sending it once:
    /// GET/HEAD, PUT Object, Upload Part, DELETE, Copy,
    /// CompleteMultipartUpload, AbortMultipartUpload, listings, and
    /// bucket/ACL/tagging configuration writes.
    Idempotent,
    /// A duplicate execution has a visible side effect. Use it for
    /// InitiateMultipartUpload (each execution creates an upload id that
    /// leaks unless aborted) and append-style writes. Such a request is
    /// retried only after a [`TransportFailure::Connect`].
    NotIdempotent,
}

/// The attempt that just ended, and what the request allows.
///
/// Start with [`Attempt::first`] and move on with [`Attempt::next`] each
/// time the policy says [`Decision::Retry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// 1 for the first try, 2 for the first retry, and so on.
    pub number: u32,
    /// Whether the request may be executed twice.
    pub idempotency: Idempotency,
    /// Whether the driver can send the same body again (it is in memory,
    /// or a file/stream it can rewind). `false` for a one-shot stream:
    /// such a request is never retried.
    pub body_replayable: bool,
}

impl Attempt {
    /// Describes the first try of a request.
    #[must_use]
    pub const fn first(idempotency: Idempotency, body_replayable: bool) -> Self {
        Self {
            number: 1,
            idempotency,
            body_replayable,
        }
    }

    /// Describes the attempt after this one (same request, `number + 1`).
    #[must_use]
    pub const fn next(self) -> Self {
        Self {
            number: self.number.saturating_add(1),
            ..self
        }
    }

    /// Returns `true` for every attempt after the first: the driver must
    /// send [`RETRY_HEADER`] on it.
    #[must_use]
    pub const fn is_retry(&self) -> bool {
        self.number > 1
    }
}

/// Why the policy said not to retry. Its `Display` text is a short,
/// user-facing explanation to put in the driver's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GiveUpReason {
    /// The outcome is final: a success, or an error retrying cannot fix
    /// (most 4xx). Hand the outcome to the caller as it is.
    NotRetryable,
    /// The failure was transient but [`RetryPolicy::max_attempts`] attempts
    /// have been made.
    AttemptsExhausted,
    /// The failure was transient but the request is
    /// [`Idempotency::NotIdempotent`] and may already have been executed.
    NotIdempotent,
    /// The failure was transient but the body was a one-shot stream that
    /// cannot be sent again.
    BodyNotReplayable,
    /// The failure was transient but the client's shared [`RetryBudget`]
    /// is empty (too many recent failures).
    BudgetExhausted,
    /// The failure was transient but the call's deadline would pass before the
    /// next attempt could start.
    DeadlineExceeded,
}

impl fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotRetryable => "the error is not retryable",
            Self::AttemptsExhausted => "retry attempts exhausted",
            Self::NotIdempotent => {
                "not retried: the request is not idempotent and may already have been executed"
            }
            Self::BodyNotReplayable => {
                "not retried: the request body is a one-shot stream and cannot be sent again"
            }
            Self::BudgetExhausted => "not retried: the client's retry budget is exhausted",
            Self::DeadlineExceeded => "not retried: the call's deadline would pass",
        })
    }
}

/// What the driver should do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait `after`, then send the request again with [`Attempt::next`]
    /// and the [`RETRY_HEADER`].
    Retry {
        /// How long to wait before the next attempt; never more than
        /// [`RetryPolicy::max_delay`].
        after: Duration,
    },
    /// Stop and report the last outcome to the caller.
    GiveUp(GiveUpReason),
}

/// Retry limits and exponential backoff with full jitter.
///
/// The wait after attempt `n` (counting from 1) is
/// `jitter × min(max_delay, base_delay × 2^(n-1))`, computed without
/// overflow for any `n`. Defaults: 4 attempts (1 try + 3 retries),
/// 100 ms base, 20 s cap.
///
/// ```
/// use std::time::Duration;
/// use cos_proto::retry::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.backoff(3, 1.0), Duration::from_millis(400));
/// assert_eq!(policy.backoff(3, 0.5), Duration::from_millis(200));
/// assert_eq!(policy.backoff(60, 0.999_999), Duration::from_secs(20).mul_f64(0.999_999));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    /// Total attempts including the first try. `1` (or `0`) disables
    /// retries.
    pub max_attempts: u32,
    /// Backoff ceiling for the first retry; doubles with each attempt.
    pub base_delay: Duration,
    /// Upper bound on any single wait.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// Default [`max_attempts`](Self::max_attempts): 1 try + 3 retries.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
    /// Default [`base_delay`](Self::base_delay): 100 ms.
    pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(100);
    /// Default [`max_delay`](Self::max_delay): 20 s.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(20);

    /// A policy that never retries (`max_attempts = 1`).
    #[must_use]
    pub const fn no_retries() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Self::DEFAULT_BASE_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
        }
    }

    /// Decides what to do after `attempt` ended with `outcome`.
    ///
    /// `jitter` is a uniformly random number in `[0, 1)` the driver drew
    /// itself; values outside that range are clamped (NaN counts as 0).
    /// Checks run in this order and the first that applies wins:
    /// not retryable ([`is_retryable`]), attempts exhausted, not idempotent
    /// (unless [`Outcome::request_never_sent`]), body not replayable.
    /// Success statuses give `GiveUp(NotRetryable)`: the driver should not
    /// normally ask about them.
    ///
    /// ```
    /// use cos_proto::retry::*;
    ///
    /// let policy = RetryPolicy::default();
    /// let initiate = Attempt::first(Idempotency::NotIdempotent, true);
    /// let timeout = Outcome::Transport(TransportFailure::Timeout);
    /// assert_eq!(
    ///     policy.decide(&initiate, &timeout, 0.3),
    ///     Decision::GiveUp(GiveUpReason::NotIdempotent)
    /// );
    /// let refused = Outcome::Transport(TransportFailure::Connect);
    /// assert!(matches!(policy.decide(&initiate, &refused, 0.3), Decision::Retry { .. }));
    /// ```
    #[must_use]
    pub fn decide(&self, attempt: &Attempt, outcome: &Outcome<'_>, jitter: f64) -> Decision {
        let give_up = if !is_retryable(outcome) {
            Some(GiveUpReason::NotRetryable)
        } else if attempt.number >= self.max_attempts {
            Some(GiveUpReason::AttemptsExhausted)
        } else if attempt.idempotency == Idempotency::NotIdempotent && !outcome.request_never_sent()
        {
            Some(GiveUpReason::NotIdempotent)
        } else if !attempt.body_replayable {
            Some(GiveUpReason::BodyNotReplayable)
        } else {
            None
        };
        match give_up {
            Some(reason) => Decision::GiveUp(reason),
            None => Decision::Retry {
                after: self.backoff(attempt.number, jitter),
            },
        }
    }

    /// Like [`decide`](Self::decide), but a retry must also be paid for from
    /// the client's shared `budget` ([`RetryBudget::try_acquire`]); when it
    /// cannot be paid the answer is `GiveUp(BudgetExhausted)`. The budget is
    /// charged only when the answer is [`Decision::Retry`].
    #[must_use]
    pub fn decide_with_budget(
        &self,
        attempt: &Attempt,
        outcome: &Outcome<'_>,
        jitter: f64,
        budget: &mut RetryBudget,
    ) -> Decision {
        match self.decide(attempt, outcome, jitter) {
            Decision::Retry { .. } if !budget.try_acquire(outcome) => {
                Decision::GiveUp(GiveUpReason::BudgetExhausted)
            }
            decision => decision,
        }
    }

    /// The wait after attempt number `attempt` (counting from 1; `0` is
    /// treated as 1): `jitter × min(max_delay, base_delay × 2^(attempt-1))`.
    /// `jitter` is clamped to `[0, 1]` (NaN counts as 0). Never exceeds
    /// [`max_delay`](Self::max_delay) and never overflows.
    #[must_use]
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let ceiling = self.ceiling(attempt);
        let jitter = clamp_unit(jitter);
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * jitter)
            .unwrap_or(ceiling)
            .min(ceiling)
    }

    /// `min(max_delay, base_delay × 2^(attempt-1))`, saturating.
    fn ceiling(&self, attempt: u32) -> Duration {
        if self.base_delay.is_zero() {
            return Duration::ZERO;
        }
        let exponent = attempt.saturating_sub(1);
        1u32.checked_shl(exponent)
            .and_then(|factor| self.base_delay.checked_mul(factor))
            .unwrap_or(Duration::MAX)
            .min(self.max_delay)
    }
}

impl Default for RetryPolicy {
    /// 4 attempts, 100 ms base delay, 20 s maximum delay.
    fn default() -> Self {
        Self {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            base_delay: Self::DEFAULT_BASE_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
        }
    }
}

fn clamp_unit(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        x
    }
}

/// Maps a uniformly random `u64` (from the driver's RNG) to a uniformly
/// distributed jitter value in `[0, 1)` for [`RetryPolicy::decide`].
///
/// ```
/// use cos_proto::retry::jitter_from_u64;
///
/// assert_eq!(jitter_from_u64(0), 0.0);
/// assert!(jitter_from_u64(u64::MAX) < 1.0);
/// ```
#[must_use]
pub fn jitter_from_u64(random: u64) -> f64 {
    // The top 53 bits fill an f64 mantissa exactly; 2^-53 scales to [0, 1).
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    (random >> 11) as f64 * SCALE
}

/// A client-wide retry token bucket, like the AWS SDKs' "standard" retry
/// quota: retries cost tokens, successes slowly refund them, and when the
/// bucket is empty retries stop until the service recovers. This keeps a
/// struggling service from being hammered with retries.
///
/// Drivers must share **one** budget per client across all its requests
/// (e.g. `Arc<Mutex<RetryBudget>>`), charge it before each retry
/// ([`try_acquire`](Self::try_acquire), or use
/// [`RetryPolicy::decide_with_budget`]) and call
/// [`on_success`](Self::on_success) after every successful response.
///
/// Costs: a retry after an HTTP error costs [`RETRY_COST`](Self::RETRY_COST)
/// (5); after a transport failure (timeout, reset, connect…)
/// [`TRANSPORT_RETRY_COST`](Self::TRANSPORT_RETRY_COST) (10). Each success
/// refunds [`SUCCESS_REFUND`](Self::SUCCESS_REFUND) (1), up to the capacity.
///
/// ```
/// use cos_proto::retry::{Outcome, RetryBudget};
///
/// let mut budget = RetryBudget::with_capacity(10);
/// let throttled = Outcome::Status { status: 503, code: Some("SlowDown") };
/// assert!(budget.try_acquire(&throttled));
/// assert!(budget.try_acquire(&throttled));
/// assert!(!budget.try_acquire(&throttled)); // empty
/// budget.on_success();
/// assert_eq!(budget.available(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RetryBudget {
    capacity: u32,
    available: u32,
}

impl RetryBudget {
    /// Default capacity in tokens.
    pub const DEFAULT_CAPACITY: u32 = 500;
    /// Tokens taken by a retry after an HTTP error response.
    pub const RETRY_COST: u32 = 5;
    /// Tokens taken by a retry after a transport failure.
    pub const TRANSPORT_RETRY_COST: u32 = 10;
    /// Tokens returned by each successful response.
    pub const SUCCESS_REFUND: u32 = 1;

    /// A full budget of [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY) tokens.
    #[must_use]
    pub const fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A full budget of `capacity` tokens (`0` disables retries entirely).
    #[must_use]
    pub const fn with_capacity(capacity: u32) -> Self {
        Self {
            capacity,
            available: capacity,
        }
    }

    /// Tokens currently available.
    #[must_use]
    pub const fn available(&self) -> u32 {
        self.available
    }

    /// Maximum number of tokens.
    #[must_use]
    pub const fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Tokens a retry after `outcome` costs.
    #[must_use]
    pub const fn cost(outcome: &Outcome<'_>) -> u32 {
        match outcome {
            Outcome::Transport(_) => Self::TRANSPORT_RETRY_COST,
            Outcome::Status { .. } | Outcome::ErrorIn200 { .. } => Self::RETRY_COST,
        }
    }

    /// Takes the cost of a retry after `outcome`. Returns `false`, taking
    /// nothing, when not enough tokens are left: the driver must then give
    /// up instead of retrying.
    pub fn try_acquire(&mut self, outcome: &Outcome<'_>) -> bool {
        match self.available.checked_sub(Self::cost(outcome)) {
            Some(left) => {
                self.available = left;
                true
            }
            None => false,
        }
    }

    /// Records a successful response, refunding
    /// [`SUCCESS_REFUND`](Self::SUCCESS_REFUND) token up to the capacity.
    pub fn on_success(&mut self) {
        self.available = self
            .available
            .saturating_add(Self::SUCCESS_REFUND)
            .min(self.capacity);
    }
}

impl Default for RetryBudget {
    /// Same as [`RetryBudget::new`].
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RETRY: bool = true;
    const FINAL: bool = false;

    fn status(status: u16, code: Option<&str>) -> Outcome<'_> {
        Outcome::Status { status, code }
    }

    #[test]
    fn classification_table() {
        use TransportFailure::*;
        let table: &[(Outcome<'_>, bool)] = &[
            (status(200, None), FINAL),
            (status(204, None), FINAL),
            (status(206, None), FINAL),
            (status(301, Some("PermanentRedirect")), FINAL),
            (status(304, None), FINAL),
            (status(307, Some("TemporaryRedirect")), FINAL),
            (status(400, None), FINAL),
            (status(400, Some("InvalidArgument")), FINAL),
            (status(400, Some("RequestTimeout")), RETRY),
            (status(403, Some("AccessDenied")), FINAL),
            (status(403, Some("RequestTimeTooSkewed")), FINAL),
            (status(404, Some("NoSuchKey")), FINAL),
            (status(404, None), FINAL),
            (status(408, None), RETRY),
            (status(409, Some("BucketAlreadyExists")), FINAL),
            (status(412, Some("PreconditionFailed")), FINAL),
            (status(429, None), RETRY),
            (status(500, None), RETRY),
            (status(500, Some("InternalError")), RETRY),
            (status(501, Some("NotImplemented")), FINAL),
            (status(502, None), RETRY),
            (status(503, None), RETRY),
            (status(503, Some("ServiceUnavailable")), RETRY),
            (status(503, Some("SlowDown")), RETRY),
            (status(504, None), RETRY),
            (status(599, None), RETRY),
            (status(600, None), FINAL),
            (status(0, None), FINAL),
            (status(200, Some("SlowDown")), FINAL),
            (
                Outcome::ErrorIn200 {
                    code: Some("InternalError"),
                },
                RETRY,
            ),
            (
                Outcome::ErrorIn200 {
                    code: Some("ServiceUnavailable"),
                },
                RETRY,
            ),
            (
                Outcome::ErrorIn200 {
                    code: Some("SlowDown"),
                },
                RETRY,
            ),
            (Outcome::ErrorIn200 { code: None }, RETRY),
            (
                Outcome::ErrorIn200 {
                    code: Some("NoSuchUpload"),
                },
                FINAL,
            ),
            (
                Outcome::ErrorIn200 {
                    code: Some("InvalidPart"),
                },
                FINAL,
            ),
            (Outcome::Transport(Connect), RETRY),
            (Outcome::Transport(Timeout), RETRY),
            (Outcome::Transport(ConnectionReset), RETRY),
            (Outcome::Transport(Io), RETRY),
        ];
        let policy = RetryPolicy::default();
        let first = Attempt::first(Idempotency::Idempotent, true);
        for (outcome, retry) in table {
            assert_eq!(is_retryable(outcome), *retry, "{outcome:?}");
            let decision = policy.decide(&first, outcome, 0.5);
            if *retry {
                assert!(matches!(decision, Decision::Retry { .. }), "{outcome:?}");
            } else {
                assert_eq!(
                    decision,
                    Decision::GiveUp(GiveUpReason::NotRetryable),
                    "{outcome:?}"
                );
            }
        }
    }

    #[test]
    fn success_helpers() {
        assert!(status(200, None).is_success());
        assert!(status(206, None).is_success());
        assert!(!status(304, None).is_success());
        assert!(!Outcome::ErrorIn200 { code: None }.is_success());
        assert!(Outcome::Transport(TransportFailure::Connect).request_never_sent());
        assert!(!Outcome::Transport(TransportFailure::Timeout).request_never_sent());
    }

    #[test]
    fn attempts_exhausted_at_max_attempts() {
        let policy = RetryPolicy::default();
        let outcome = status(500, None);
        let mut attempt = Attempt::first(Idempotency::Idempotent, true);
        let mut retries = 0;
        loop {
            match policy.decide(&attempt, &outcome, 0.5) {
                Decision::Retry { .. } => {
                    retries += 1;
                    attempt = attempt.next();
                    assert!(attempt.is_retry());
                }
                Decision::GiveUp(reason) => {
                    assert_eq!(reason, GiveUpReason::AttemptsExhausted);
                    break;
                }
            }
        }
        assert_eq!(retries, 3);
        assert_eq!(attempt.number, 4);

        for max_attempts in [0, 1] {
            let policy = RetryPolicy {
                max_attempts,
                ..RetryPolicy::default()
            };
            let first = Attempt::first(Idempotency::Idempotent, true);
            assert_eq!(
                policy.decide(&first, &outcome, 0.5),
                Decision::GiveUp(GiveUpReason::AttemptsExhausted)
            );
        }
        assert_eq!(
            RetryPolicy::no_retries().decide(
                &Attempt::first(Idempotency::Idempotent, true),
                &outcome,
                0.5
            ),
            Decision::GiveUp(GiveUpReason::AttemptsExhausted)
        );
    }

    #[test]
    fn non_replayable_body_never_retried() {
        let policy = RetryPolicy::default();
        let attempt = Attempt::first(Idempotency::Idempotent, false);
        for outcome in [
            status(500, None),
            status(503, Some("SlowDown")),
            Outcome::Transport(TransportFailure::Connect),
            Outcome::Transport(TransportFailure::Timeout),
        ] {
            assert_eq!(
                policy.decide(&attempt, &outcome, 0.5),
                Decision::GiveUp(GiveUpReason::BodyNotReplayable),
                "{outcome:?}"
            );
        }
        // A final outcome is reported as such, not as a body problem.
        assert_eq!(
            policy.decide(&attempt, &status(404, None), 0.5),
            Decision::GiveUp(GiveUpReason::NotRetryable)
        );
    }

    #[test]
    fn not_idempotent_only_retried_on_connect_failure() {
        let policy = RetryPolicy::default();
        let initiate = Attempt::first(Idempotency::NotIdempotent, true);
        for outcome in [
            status(500, None),
            status(503, Some("SlowDown")),
            status(400, Some("RequestTimeout")),
            Outcome::ErrorIn200 {
                code: Some("InternalError"),
            },
            Outcome::Transport(TransportFailure::Timeout),
            Outcome::Transport(TransportFailure::ConnectionReset),
            Outcome::Transport(TransportFailure::Io),
        ] {
            assert_eq!(
                policy.decide(&initiate, &outcome, 0.5),
                Decision::GiveUp(GiveUpReason::NotIdempotent),
                "{outcome:?}"
            );
        }
        let connect = Outcome::Transport(TransportFailure::Connect);
        assert!(matches!(
            policy.decide(&initiate, &connect, 0.5),
            Decision::Retry { .. }
        ));
        // ...but still bounded by max_attempts.
        let last = Attempt {
            number: 4,
            ..initiate
        };
        assert_eq!(
            policy.decide(&last, &connect, 0.5),
            Decision::GiveUp(GiveUpReason::AttemptsExhausted)
        );
    }

    #[test]
    fn jitter_bounds() {
        let policy = RetryPolicy::default();
        let attempt = Attempt::first(Idempotency::Idempotent, true);
        let outcome = status(503, Some("SlowDown"));
        assert_eq!(
            policy.decide(&attempt, &outcome, 0.0),
            Decision::Retry {
                after: Duration::ZERO
            }
        );
        for attempt_no in 1..=12 {
            let cap = policy
                .max_delay
                .min(policy.base_delay * (1 << (attempt_no - 1)));
            let near_one = policy.backoff(attempt_no, 1.0 - f64::EPSILON);
            assert!(
                near_one <= cap,
                "attempt {attempt_no}: {near_one:?} > {cap:?}"
            );
            assert!(near_one >= cap.mul_f64(0.999), "attempt {attempt_no}");
            assert_eq!(policy.backoff(attempt_no, 0.0), Duration::ZERO);
        }
        assert_eq!(policy.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(policy.backoff(2, 1.0), Duration::from_millis(200));
        assert_eq!(policy.backoff(8, 1.0), Duration::from_millis(12_800));
        assert_eq!(policy.backoff(9, 1.0), Duration::from_secs(20));
        assert_eq!(policy.backoff(0, 1.0), Duration::from_millis(100));
    }

    #[test]
    fn odd_jitter_values_are_clamped() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(3, f64::NAN), Duration::ZERO);
        assert_eq!(policy.backoff(3, -5.0), Duration::ZERO);
        assert_eq!(policy.backoff(3, f64::NEG_INFINITY), Duration::ZERO);
        assert_eq!(policy.backoff(3, 7.0), Duration::from_millis(400));
        assert_eq!(policy.backoff(3, f64::INFINITY), Duration::from_millis(400));
    }

    #[test]
    fn delays_capped_without_overflow() {
        let policy = RetryPolicy {
            max_attempts: u32::MAX,
            ..RetryPolicy::default()
        };
        let attempt = Attempt {
            number: 60,
            ..Attempt::first(Idempotency::Idempotent, true)
        };
        match policy.decide(&attempt, &status(500, None), 0.999_999) {
            Decision::Retry { after } => {
                assert!(after <= policy.max_delay);
                assert!(after > Duration::from_secs(19));
            }
            other => panic!("unexpected {other:?}"),
        }
        for n in [31, 32, 33, 60, 64, 65, u32::MAX - 1, u32::MAX] {
            assert_eq!(policy.backoff(n, 1.0), policy.max_delay, "attempt {n}");
        }
        let huge = RetryPolicy {
            max_attempts: u32::MAX,
            base_delay: Duration::MAX,
            max_delay: Duration::MAX,
        };
        assert_eq!(huge.backoff(1, 1.0), Duration::MAX);
        assert!(huge.backoff(40, 0.999) <= Duration::MAX);
        let zero_base = RetryPolicy {
            base_delay: Duration::ZERO,
            ..RetryPolicy::default()
        };
        assert_eq!(zero_base.backoff(u32::MAX, 1.0), Duration::ZERO);
        let attempt = Attempt {
            number: u32::MAX,
            ..attempt
        };
        assert_eq!(attempt.next().number, u32::MAX);
    }

    #[test]
    fn jitter_from_u64_is_in_unit_interval() {
        assert_eq!(jitter_from_u64(0), 0.0);
        assert_eq!(jitter_from_u64(1 << 63), 0.5);
        let top = jitter_from_u64(u64::MAX);
        assert!(top < 1.0 && top > 0.999_999);
    }

    #[test]
    fn budget_exhaustion_and_refill() {
        let mut budget = RetryBudget::default();
        assert_eq!(budget.capacity(), 500);
        assert_eq!(budget.available(), 500);
        let http = status(503, Some("SlowDown"));
        let timeout = Outcome::Transport(TransportFailure::Timeout);
        assert_eq!(RetryBudget::cost(&http), 5);
        assert_eq!(RetryBudget::cost(&timeout), 10);
        assert_eq!(RetryBudget::cost(&Outcome::ErrorIn200 { code: None }), 5);

        for _ in 0..50 {
            assert!(budget.try_acquire(&timeout));
        }
        assert_eq!(budget.available(), 0);
        assert!(!budget.try_acquire(&http));
        assert_eq!(budget.available(), 0);

        for _ in 0..4 {
            budget.on_success();
        }
        assert!(!budget.try_acquire(&http));
        budget.on_success();
        assert!(budget.try_acquire(&http));
        assert_eq!(budget.available(), 0);

        for _ in 0..1000 {
            budget.on_success();
        }
        assert_eq!(budget.available(), 500);

        let mut budget = RetryBudget::with_capacity(12);
        assert!(budget.try_acquire(&http));
        assert!(!budget.try_acquire(&timeout)); // 7 left, needs 10
        assert_eq!(budget.available(), 7);
        assert!(budget.try_acquire(&http));
        assert_eq!(budget.available(), 2);

        let mut empty = RetryBudget::with_capacity(0);
        assert!(!empty.try_acquire(&http));
        empty.on_success();
        assert_eq!(empty.available(), 0);
    }

    #[test]
    fn decide_with_budget_charges_only_retries() {
        let policy = RetryPolicy::default();
        let first = Attempt::first(Idempotency::Idempotent, true);
        let mut budget = RetryBudget::with_capacity(10);

        let final_outcome = status(404, None);
        assert_eq!(
            policy.decide_with_budget(&first, &final_outcome, 0.5, &mut budget),
            Decision::GiveUp(GiveUpReason::NotRetryable)
        );
        assert_eq!(budget.available(), 10);

        let reset = Outcome::Transport(TransportFailure::ConnectionReset);
        assert!(matches!(
            policy.decide_with_budget(&first, &reset, 0.5, &mut budget),
            Decision::Retry { .. }
        ));
        assert_eq!(budget.available(), 0);
        assert_eq!(
            policy.decide_with_budget(&first, &reset, 0.5, &mut budget),
            Decision::GiveUp(GiveUpReason::BudgetExhausted)
        );
    }

    #[test]
    fn give_up_reasons_explain_themselves() {
        for reason in [
            GiveUpReason::NotRetryable,
            GiveUpReason::AttemptsExhausted,
            GiveUpReason::NotIdempotent,
            GiveUpReason::BodyNotReplayable,
            GiveUpReason::BudgetExhausted,
        ] {
            assert!(!reason.to_string().is_empty());
        }
        assert!(
            GiveUpReason::BodyNotReplayable
                .to_string()
                .contains("stream")
        );
    }

    #[test]
    fn retry_header_constants() {
        assert_eq!(RETRY_HEADER, "x-cos-sdk-retry");
        assert_eq!(RETRY_HEADER_VALUE, "true");
        assert!(!Attempt::first(Idempotency::Idempotent, true).is_retry());
    }

    fn any_duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            Just(Duration::ZERO),
            Just(Duration::MAX),
            (0u64..100_000, 0u32..1_000_000_000).prop_map(|(ms, ns)| {
                Duration::from_millis(ms).saturating_add(Duration::from_nanos(u64::from(ns)))
            }),
            (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        ]
    }

    fn any_f64() -> impl Strategy<Value = f64> {
        prop_oneof![
            0.0f64..1.0,
            any::<f64>(),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(1.0),
            Just(-0.0),
        ]
    }

    fn any_code() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            proptest::sample::select(RETRYABLE_CODES).prop_map(|c| Some(c.to_owned())),
            Just(Some("NoSuchKey".to_owned())),
            any::<String>().prop_map(Some),
        ]
    }

    fn any_transport() -> impl Strategy<Value = TransportFailure> {
        proptest::sample::select(vec![
            TransportFailure::Connect,
            TransportFailure::Timeout,
            TransportFailure::ConnectionReset,
            TransportFailure::Io,
        ])
    }

    proptest! {
        #[test]
        fn decide_never_panics_and_respects_cap(
            max_attempts in any::<u32>(),
            base_delay in any_duration(),
            max_delay in any_duration(),
            number in any::<u32>(),
            not_idempotent in any::<bool>(),
            body_replayable in any::<bool>(),
            kind in 0u8..3,
            status_code in any::<u16>(),
            code in any_code(),
            transport in any_transport(),
            jitter in any_f64(),
        ) {
            let policy = RetryPolicy { max_attempts, base_delay, max_delay };
            let attempt = Attempt {
                number,
                idempotency: if not_idempotent { Idempotency::NotIdempotent } else { Idempotency::Idempotent },
                body_replayable,
            };
            let outcome = match kind {
                0 => Outcome::Transport(transport),
                1 => Outcome::Status { status: status_code, code: code.as_deref() },
                _ => Outcome::ErrorIn200 { code: code.as_deref() },
            };
            match policy.decide(&attempt, &outcome, jitter) {
                Decision::Retry { after } => {
                    prop_assert!(after <= max_delay);
                    prop_assert!(is_retryable(&outcome));
                    prop_assert!(body_replayable);
                    prop_assert!(number < max_attempts);
                    prop_assert!(!not_idempotent || outcome.request_never_sent());
                }
                Decision::GiveUp(GiveUpReason::NotRetryable) => {
                    prop_assert!(!is_retryable(&outcome));
                }
                Decision::GiveUp(_) => prop_assert!(is_retryable(&outcome)),
            }
            let mut budget = RetryBudget::with_capacity(status_code.into());
            let _ = policy.decide_with_budget(&attempt, &outcome, jitter, &mut budget);
            prop_assert!(budget.available() <= budget.capacity());
        }

        #[test]
        fn backoff_is_bounded_by_ceiling(
            base_ms in 0u64..10_000,
            max_ms in 0u64..100_000,
            attempt in any::<u32>(),
            jitter in 0.0f64..1.0,
        ) {
            let policy = RetryPolicy {
                max_attempts: 4,
                base_delay: Duration::from_millis(base_ms),
                max_delay: Duration::from_millis(max_ms),
            };
            let ceiling = policy.ceiling(attempt);
            let delay = policy.backoff(attempt, jitter);
            prop_assert!(delay <= ceiling);
            prop_assert!(ceiling <= policy.max_delay);
            prop_assert!(policy.ceiling(attempt.saturating_add(1)) >= ceiling);
        }

        #[test]
        fn jitter_from_any_u64_is_in_unit_interval(r in any::<u64>()) {
            let j = jitter_from_u64(r);
            prop_assert!((0.0..1.0).contains(&j));
        }
    }
}
