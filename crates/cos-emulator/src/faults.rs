//! Fault injection: a deterministic plan of rules, each matched by method, path and query
//! substring, with counts, an optional seeded probability, and an action.
//!
//! Rules are checked in the order they were added. A matching [`FaultAction::Latency`]
//! rule adds its delay, and a matching rule that reshapes the exchange (a hostile proxy's
//! tricks: [`FaultAction::IgnoreRange`], [`FaultAction::ShiftRange`],
//! [`FaultAction::SetHeader`], [`FaultAction::FlipByte`], [`FaultAction::Trickle`]) adds
//! its change; checking goes on after both. The first matching rule with any other action
//! decides the request's fate. Every random choice (probabilities, jitter) comes
//! from one splitmix64 generator seeded by [`Faults::set_seed`] (or
//! [`crate::EmulatorConfig::fault_seed`]), so a test that sends the same requests in the
//! same order sees the same faults.
//!
//! ```
//! use cos_emulator::{Emulator, EmulatorConfig, FaultRule};
//! let emulator = Emulator::start(EmulatorConfig::new())?;
//! // The next two part uploads get 503 SlowDown.
//! emulator.faults().add(
//!     FaultRule::status(503, "SlowDown").method("PUT").query_contains("partNumber=").times(2),
//! );
//! # Ok::<(), cos_emulator::EmulatorError>(())
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The splitmix64 step: a fast, well-mixed 64-bit hash of `x`.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What happens to a request a rule matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultAction {
    /// Answer with this HTTP status (300..=599; anything else becomes 500) and a COS
    /// `<Error>` document carrying `code`, without executing the request (nothing is
    /// stored).
    Status {
        /// HTTP status, e.g. 503.
        status: u16,
        /// COS error code, e.g. `SlowDown`.
        code: String,
        /// `<Message>`; a generic text when absent.
        #[serde(default)]
        message: Option<String>,
    },
    /// Execute the request, send the response head and the first `bytes` bytes of the
    /// body, then reset the connection (TCP RST).
    ResetResponseAfter {
        /// Body bytes sent before the reset.
        bytes: u64,
    },
    /// Read the first `bytes` bytes of the request body, then reset the connection
    /// without answering. The request is not executed.
    ResetRequestAfter {
        /// Request body bytes read before the reset.
        bytes: u64,
    },
    /// Execute the request, send the response head (with the full `Content-Length`) and
    /// the first `bytes` bytes of the body, then close the connection.
    TruncateResponseAfter {
        /// Body bytes sent before the connection is closed.
        bytes: u64,
    },
    /// Wait `millis` (plus a seeded random `0..=jitter_millis`) before handling the
    /// request. Later rules still apply. Delays add up, to at most one hour.
    Latency {
        /// Fixed delay.
        millis: u64,
        /// Upper bound of the random extra delay.
        #[serde(default)]
        jitter_millis: u64,
    },
    /// Answer `200 OK` with an `<Error>` document, as COS does when a copy or a complete
    /// multipart upload fails after the status line was sent. The request is not
    /// executed.
    ErrorIn200 {
        /// COS error code, e.g. `InternalError`.
        code: String,
        /// `<Message>`; a generic text when absent.
        #[serde(default)]
        message: Option<String>,
    },
    /// Serve the request as if it had no `Range` header, as a proxy or CDN that ignores
    /// ranges does: a ranged GET gets `200` and the whole object. Later rules still apply.
    IgnoreRange,
    /// Serve another span than the one asked for: both ends of the `Range` header move
    /// `by` bytes further into the object (`bytes=a-b` becomes `bytes=a+by-b+by`,
    /// `bytes=a-` becomes `bytes=a+by-`, `bytes=-n` becomes `bytes=-(n+by)`). The answer
    /// is an honest `206` of the span served. Later rules still apply.
    ShiftRange {
        /// How far the span moves.
        by: u64,
    },
    /// Execute the request, then set the response header `name` to `value`, or remove it
    /// when `value` is `None` (a proxy that strips `x-cos-hash-crc64ecma`, a malformed
    /// `Content-Range`). Later rules still apply.
    SetHeader {
        /// Header name, e.g. `content-range`.
        name: String,
        /// The value, or `None` to remove the header.
        #[serde(default)]
        value: Option<String>,
    },
    /// Execute the request and flip every bit of the response body's byte at `offset`
    /// (if the body is that long), keeping the headers of the true data: its
    /// `x-cos-hash-crc64ecma`, `ETag` and `Content-Length`. Later rules still apply.
    FlipByte {
        /// Offset in the response body.
        offset: u64,
    },
    /// Execute the request, then send the response body `bytes` bytes at a time,
    /// `every_millis` apart (a server that trickles). Later rules still apply.
    Trickle {
        /// Bytes per piece (at least 1).
        bytes: u64,
        /// The pause before each piece.
        every_millis: u64,
    },
    /// Execute the request, then reset the connection without sending a byte of the
    /// answer: the request took effect, the client never learns it.
    LoseAnswer,
    /// Execute the request, then hold its answer for `millis` (at most an hour) before
    /// sending it: a window in which the request took effect and the client does not know.
    HoldAnswer {
        /// How long the answer is held.
        millis: u64,
    },
}

impl FaultAction {
    fn kind(&self) -> &'static str {
        match self {
            FaultAction::Status { .. } => "status",
            FaultAction::ResetResponseAfter { .. } => "reset_response_after",
            FaultAction::ResetRequestAfter { .. } => "reset_request_after",
            FaultAction::TruncateResponseAfter { .. } => "truncate_response_after",
            FaultAction::Latency { .. } => "latency",
            FaultAction::ErrorIn200 { .. } => "error_in_200",
            FaultAction::IgnoreRange => "ignore_range",
            FaultAction::ShiftRange { .. } => "shift_range",
            FaultAction::SetHeader { .. } => "set_header",
            FaultAction::FlipByte { .. } => "flip_byte",
            FaultAction::Trickle { .. } => "trickle",
            FaultAction::LoseAnswer => "lose_answer",
            FaultAction::HoldAnswer { .. } => "hold_answer",
        }
    }

    /// Whether the action reshapes the exchange and lets later rules apply too.
    fn is_modifier(&self) -> bool {
        matches!(
            self,
            FaultAction::IgnoreRange
                | FaultAction::ShiftRange { .. }
                | FaultAction::SetHeader { .. }
                | FaultAction::FlipByte { .. }
                | FaultAction::Trickle { .. }
        )
    }
}

/// A fault rule: which requests it matches, how often it fires, what it does.
///
/// All matchers are optional (an absent one matches everything); a rule without
/// [`FaultRule::times`] fires forever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// HTTP method (case-insensitive), e.g. `PUT`.
    #[serde(default)]
    pub method: Option<String>,
    /// A substring of the percent-decoded request path (`/bucket/key` in path-style).
    #[serde(default)]
    pub path_contains: Option<String>,
    /// A substring of the raw query string, e.g. `partNumber=2`.
    #[serde(default)]
    pub query_contains: Option<String>,
    /// Let this many matching requests through before firing.
    #[serde(default)]
    pub skip: u32,
    /// Fire at most this many times.
    #[serde(default)]
    pub times: Option<u32>,
    /// Fire with this probability (0.0..=1.0), drawn from the seeded generator.
    #[serde(default)]
    pub probability: Option<f64>,
    /// What to do.
    pub action: FaultAction,
}

impl FaultRule {
    /// A rule with `action` that matches every request, forever.
    pub fn new(action: FaultAction) -> Self {
        Self {
            method: None,
            path_contains: None,
            query_contains: None,
            skip: 0,
            times: None,
            probability: None,
            action,
        }
    }

    /// Answer `status` with COS error `code`.
    pub fn status(status: u16, code: impl Into<String>) -> Self {
        Self::new(FaultAction::Status {
            status,
            code: code.into(),
            message: None,
        })
    }

    /// Reset the connection after `bytes` response body bytes.
    pub fn reset_response_after(bytes: u64) -> Self {
        Self::new(FaultAction::ResetResponseAfter { bytes })
    }

    /// Reset the connection after reading `bytes` request body bytes.
    pub fn reset_request_after(bytes: u64) -> Self {
        Self::new(FaultAction::ResetRequestAfter { bytes })
    }

    /// Close the connection after `bytes` response body bytes.
    pub fn truncate_response_after(bytes: u64) -> Self {
        Self::new(FaultAction::TruncateResponseAfter { bytes })
    }

    /// Delay the request.
    pub fn latency(delay: Duration) -> Self {
        Self::new(FaultAction::Latency {
            millis: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            jitter_millis: 0,
        })
    }

    /// Answer `200` with an `<Error>` carrying `code`.
    pub fn error_in_200(code: impl Into<String>) -> Self {
        Self::new(FaultAction::ErrorIn200 {
            code: code.into(),
            message: None,
        })
    }

    /// Answer a ranged GET with `200` and the whole object.
    pub fn ignore_range() -> Self {
        Self::new(FaultAction::IgnoreRange)
    }

    /// Serve the span `by` bytes further than the one asked for (an honest `206`).
    pub fn shift_range(by: u64) -> Self {
        Self::new(FaultAction::ShiftRange { by })
    }

    /// Set (or with `None`, remove) a response header.
    pub fn set_header(name: impl Into<String>, value: Option<&str>) -> Self {
        Self::new(FaultAction::SetHeader {
            name: name.into(),
            value: value.map(str::to_owned),
        })
    }

    /// Flip the response body's byte at `offset`, keeping the true data's headers.
    pub fn flip_byte(offset: u64) -> Self {
        Self::new(FaultAction::FlipByte { offset })
    }

    /// Send the response body `bytes` bytes at a time, `every` apart.
    pub fn trickle(bytes: u64, every: Duration) -> Self {
        Self::new(FaultAction::Trickle {
            bytes,
            every_millis: u64::try_from(every.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Execute the request, then reset the connection before any byte of the answer.
    pub fn lose_answer() -> Self {
        Self::new(FaultAction::LoseAnswer)
    }

    /// Execute the request, then hold the answer for `delay`.
    pub fn hold_answer(delay: Duration) -> Self {
        Self::new(FaultAction::HoldAnswer {
            millis: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Only requests with this method.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only requests whose decoded path contains `needle`.
    pub fn path_contains(mut self, needle: impl Into<String>) -> Self {
        self.path_contains = Some(needle.into());
        self
    }

    /// Only requests whose raw query contains `needle`.
    pub fn query_contains(mut self, needle: impl Into<String>) -> Self {
        self.query_contains = Some(needle.into());
        self
    }

    /// Fire at most `n` times.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Let the first `n` matching requests through.
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = n;
        self
    }

    /// Fire with probability `p` (seeded).
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
    }

    /// Adds a random extra delay of up to `jitter` to a latency rule (ignored otherwise).
    pub fn jitter(mut self, jitter: Duration) -> Self {
        if let FaultAction::Latency { jitter_millis, .. } = &mut self.action {
            *jitter_millis = u64::try_from(jitter.as_millis()).unwrap_or(u64::MAX);
        }
        self
    }

    fn matches(&self, method: &str, path: &str, query: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|needle| path.contains(needle))
            && self
                .query_contains
                .as_deref()
                .is_none_or(|needle| query.contains(needle))
    }
}

/// Identifies a rule added to a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FaultId(pub u64);

/// A record of a rule firing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredFault {
    /// The rule.
    pub rule: FaultId,
    /// The index of the request among all requests checked since the last reset
    /// (admin requests are not counted).
    pub request_index: u64,
    /// The request method.
    pub method: String,
    /// The decoded request path.
    pub path: String,
    /// The action's kind (`status`, `latency`, ...).
    pub kind: String,
}

/// A rule with its counters, as [`Faults::rules`] reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRuleStatus {
    /// The rule's id.
    pub id: FaultId,
    /// The rule.
    pub rule: FaultRule,
    /// Requests it matched so far.
    pub matched: u32,
    /// Times it fired so far.
    pub fired: u32,
}

/// The longest delay a request is held for, whatever the rules say.
const MAX_DELAY: Duration = Duration::from_secs(3600);

/// The most fired faults remembered.
const MAX_LOG: usize = 10_000;

#[derive(Debug)]
struct PlanState {
    rules: Vec<FaultRuleStatus>,
    rng: u64,
    next_id: u64,
    request_index: u64,
    log: Vec<FiredFault>,
}

impl PlanState {
    fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(self.rng)
    }

    fn unit(&mut self) -> f64 {
        (self.next_random() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the plan decided for one request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Decision {
    /// Wait this long first.
    pub(crate) delay: Duration,
    /// Reshape the exchange this way (every matching modifier, in rule order).
    pub(crate) modifiers: Vec<FaultAction>,
    /// Then do this (or handle the request normally).
    pub(crate) action: Option<FaultAction>,
}

/// The handle to an emulator's fault plan. Cheap to clone; all clones share the plan.
#[derive(Clone)]
pub struct Faults {
    plan: Arc<Mutex<PlanState>>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Faults")
            .field("rules", &state.rules.len())
            .field("fired", &state.log.len())
            .finish()
    }
}

impl Faults {
    /// An empty plan with the given seed.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            plan: Arc::new(Mutex::new(PlanState {
                rules: Vec::new(),
                rng: seed,
                next_id: 1,
                request_index: 0,
                log: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PlanState> {
        self.plan
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a rule after the existing ones.
    pub fn add(&self, rule: FaultRule) -> FaultId {
        let mut state = self.lock();
        let id = FaultId(state.next_id);
        state.next_id += 1;
        state.rules.push(FaultRuleStatus {
            id,
            rule,
            matched: 0,
            fired: 0,
        });
        id
    }

    /// Removes a rule; `false` if it was not there.
    pub fn remove(&self, id: FaultId) -> bool {
        let mut state = self.lock();
        let before = state.rules.len();
        state.rules.retain(|r| r.id != id);
        state.rules.len() != before
    }

    /// Removes every rule (the log and the generator are kept).
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Restarts the random generator from `seed` and the request count from zero, and
    /// clears the log.
    pub fn set_seed(&self, seed: u64) {
        let mut state = self.lock();
        state.rng = seed;
        state.request_index = 0;
        state.log.clear();
    }

    /// The rules with their counters.
    pub fn rules(&self) -> Vec<FaultRuleStatus> {
        self.lock().rules.clone()
    }

    /// The faults that fired, oldest first (at most the last 10 000).
    pub fn fired(&self) -> Vec<FiredFault> {
        self.lock().log.clone()
    }

    /// How many times rule `id` fired (0 for an unknown rule).
    pub fn fired_count(&self, id: FaultId) -> u32 {
        self.lock()
            .rules
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.fired)
    }

    /// Decides what happens to a request.
    pub(crate) fn decide(&self, method: &str, path: &str, query: &str) -> Decision {
        let mut state = self.lock();
        let request_index = state.request_index;
        state.request_index += 1;
        let mut decision = Decision::default();
        for i in 0..state.rules.len() {
            let Some(rule) = state.rules.get(i).cloned() else {
                break;
            };
            if !rule.rule.matches(method, path, query) {
                continue;
            }
            let matched = rule.matched.saturating_add(1);
            if let Some(r) = state.rules.get_mut(i) {
                r.matched = matched;
            }
            if matched <= rule.rule.skip || rule.rule.times.is_some_and(|t| rule.fired >= t) {
                continue;
            }
            if let Some(p) = rule.rule.probability
                && state.unit() >= p
            {
                continue;
            }
            if let Some(r) = state.rules.get_mut(i) {
                r.fired = r.fired.saturating_add(1);
            }
            if state.log.len() < MAX_LOG {
                state.log.push(FiredFault {
                    rule: rule.id,
                    request_index,
                    method: method.to_owned(),
                    path: path.to_owned(),
                    kind: rule.rule.action.kind().to_owned(),
                });
            }
            match &rule.rule.action {
                FaultAction::Latency {
                    millis,
                    jitter_millis,
                } => {
                    let jitter = if *jitter_millis > 0 {
                        state.next_random() % jitter_millis.saturating_add(1)
                    } else {
                        0
                    };
                    let delay = Duration::from_millis(millis.saturating_add(jitter));
                    decision.delay = decision.delay.saturating_add(delay).min(MAX_DELAY);
                }
                action if action.is_modifier() => decision.modifiers.push(action.clone()),
                action => {
                    decision.action = Some(action.clone());
                    break;
                }
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_skip_and_times() {
        let faults = Faults::new(1);
        let id = faults.add(
            FaultRule::status(503, "SlowDown")
                .method("put")
                .skip(1)
                .times(2),
        );
        let fates: Vec<bool> = (0..5)
            .map(|_| faults.decide("PUT", "/b/k", "").action.is_some())
            .collect();
        assert_eq!(fates, [false, true, true, false, false]);
        assert!(faults.decide("GET", "/b/k", "").action.is_none());
        assert_eq!(faults.fired_count(id), 2);
        assert_eq!(faults.fired().len(), 2);
    }

    #[test]
    fn matches_path_and_query_substrings() {
        let faults = Faults::new(1);
        faults.add(
            FaultRule::reset_response_after(3)
                .path_contains("big")
                .query_contains("partNumber=2"),
        );
        assert!(
            faults
                .decide("PUT", "/b/big", "partNumber=1&uploadId=x")
                .action
                .is_none()
        );
        assert!(
            faults
                .decide("PUT", "/b/small", "partNumber=2")
                .action
                .is_none()
        );
        assert_eq!(
            faults
                .decide("PUT", "/b/big", "partNumber=2&uploadId=x")
                .action,
            Some(FaultAction::ResetResponseAfter { bytes: 3 })
        );
    }

    #[test]
    fn latency_accumulates_and_does_not_stop_the_search() {
        let faults = Faults::new(1);
        faults.add(FaultRule::latency(Duration::from_millis(5)));
        faults.add(FaultRule::latency(Duration::from_millis(7)));
        faults.add(FaultRule::error_in_200("InternalError"));
        let d = faults.decide("PUT", "/b/k", "");
        assert_eq!(d.delay, Duration::from_millis(12));
        assert!(matches!(d.action, Some(FaultAction::ErrorIn200 { .. })));
    }

    #[test]
    fn modifiers_accumulate_and_do_not_stop_the_search() {
        let faults = Faults::new(1);
        faults.add(FaultRule::ignore_range().method("GET"));
        faults.add(FaultRule::set_header("x-cos-hash-crc64ecma", None));
        faults.add(FaultRule::lose_answer().method("GET"));
        faults.add(FaultRule::status(500, "InternalError"));
        let d = faults.decide("GET", "/b/k", "");
        assert_eq!(
            d.modifiers,
            [
                FaultAction::IgnoreRange,
                FaultAction::SetHeader {
                    name: "x-cos-hash-crc64ecma".into(),
                    value: None
                }
            ]
        );
        assert_eq!(d.action, Some(FaultAction::LoseAnswer));
        let d = faults.decide("PUT", "/b/k", "");
        assert_eq!(d.modifiers.len(), 1);
        assert!(matches!(d.action, Some(FaultAction::Status { .. })));
    }

    #[test]
    fn huge_delays_saturate() {
        let faults = Faults::new(1);
        faults.add(FaultRule::latency(Duration::MAX));
        faults.add(FaultRule::latency(Duration::MAX).jitter(Duration::MAX));
        assert_eq!(faults.decide("GET", "/", "").delay, MAX_DELAY);
    }

    #[test]
    fn probabilities_are_deterministic_given_the_seed() {
        let run = |seed: u64| {
            let faults = Faults::new(seed);
            faults.add(FaultRule::status(500, "InternalError").probability(0.5));
            faults.add(
                FaultRule::latency(Duration::from_millis(1)).jitter(Duration::from_millis(100)),
            );
            (0..64)
                .map(|_| {
                    let d = faults.decide("GET", "/", "");
                    (d.action.is_some(), d.delay)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        let hits = run(42).iter().filter(|(hit, _)| *hit).count();
        assert!((16..=48).contains(&hits), "{hits}");
    }

    #[test]
    fn rules_round_trip_through_json() {
        let rule = FaultRule::status(503, "SlowDown").method("PUT").times(2);
        let json = serde_json::to_string(&rule).expect("json");
        let back: FaultRule = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, rule);
        let minimal: FaultRule =
            serde_json::from_str(r#"{"action":{"kind":"truncate_response_after","bytes":10}}"#)
                .expect("minimal");
        assert_eq!(
            minimal.action,
            FaultAction::TruncateResponseAfter { bytes: 10 }
        );
    }
}
