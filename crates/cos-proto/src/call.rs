//! Driving one operation to completion, as a state machine: the driver asks for each
//! attempt's signed request, performs it, and reports what happened; the call says
//! whether the result is final or when to try again.
//!
//! Every rule a driver would otherwise re-implement lives here: re-signing every attempt
//! with a fresh key time, the `x-cos-sdk-retry` marker, the retry classifier, the retry
//! budget, and the switch to the backup domain for the last attempt.
//!
//! ```
//! use cos_proto::call::{Call, CallOptions, Step};
//! use cos_proto::{Config, Credentials, ops::HeadObject};
//!
//! let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
//! let credentials = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").unwrap();
//! let op = HeadObject::new("a.txt");
//! let mut call = Call::new(&op, &config, CallOptions::default(), true);
//! let request = call.request(Some(&credentials), 1_700_000_000).unwrap();
//! // ... the driver sends `request` and gets a 503 back:
//! let response = http::Response::builder().status(503).body(bytes::Bytes::new()).unwrap();
//! match call.on_response(request.uri(), response, 0.5, None, std::time::Duration::ZERO) {
//!     Step::Retry { after } => assert!(after <= std::time::Duration::from_secs(20)),
//!     other => panic!("a 503 is retried: {other:?}"),
//! }
//! let retry = call.request(Some(&credentials), 1_700_000_001).unwrap();
//! assert_eq!(retry.headers()["x-cos-sdk-retry"], "true");
//! ```

use std::time::Duration;

use bytes::Bytes;

use crate::error::Error;
use crate::operation::Operation;
use crate::request::Body;
use crate::response::REQUEST_ID_HEADER;
use crate::retry::{
    Attempt, Decision, GiveUpReason, Outcome, RETRY_HEADER, RETRY_HEADER_VALUE, RetryBudget,
    RetryPolicy, TransportFailure,
};
use crate::sign::{self, DEFAULT_REQUEST_EXPIRY_SECS, KeyTime, SignOptions};
use crate::{Config, Credentials};

/// How a call retries and signs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallOptions {
    /// Attempts and backoff.
    pub retry: RetryPolicy,
    /// How long each attempt's signature stays valid, in seconds.
    pub signature_validity: u64,
    /// Send the last attempt to the backup domain (`*.tencentcos.cn`) when the previous
    /// failure did not come from COS (no `x-cos-request-id`). Off by default.
    pub switch_to_backup_domain: bool,
    /// The longest the whole call may take, attempts and backoff included (`None`: no
    /// limit but the per-attempt timeouts). No attempt starts, and no retry is planned,
    /// past it.
    pub deadline: Option<Duration>,
}

impl Default for CallOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            signature_validity: DEFAULT_REQUEST_EXPIRY_SECS,
            switch_to_backup_domain: false,
            deadline: None,
        }
    }
}

/// What the driver does next.
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// The operation finished: here is its output.
    Done(T),
    /// Sleep `after`, then ask [`Call::request`] for the next attempt (rewinding the
    /// payload to its start).
    Retry {
        /// The backoff to wait.
        after: Duration,
    },
    /// The operation failed with this error; do not retry.
    Failed(Error),
    /// A transport failure that must not be retried, and why (the driver reports its own
    /// transport error together with this reason).
    GaveUp(GiveUpReason),
}

/// One operation in flight. Create it with [`Call::new`], then loop: [`Call::request`],
/// send (within [`Call::attempt_timeout`]), [`Call::on_response`] or
/// [`Call::on_transport_error`]. `elapsed` is always the time since the call started, on
/// the driver's monotonic clock.
#[derive(Debug)]
pub struct Call<'o, O: Operation> {
    op: &'o O,
    config: Config,
    backup: Option<Config>,
    options: CallOptions,
    attempt: Attempt,
    answered_by_cos: bool,
}

impl<'o, O: Operation> Call<'o, O> {
    /// Starts a call. `body_replayable` says whether the driver can send the payload again
    /// from its start (bytes and files can, a one-shot stream cannot).
    pub fn new(op: &'o O, config: &Config, options: CallOptions, body_replayable: bool) -> Self {
        Self {
            op,
            config: config.clone(),
            backup: options
                .switch_to_backup_domain
                .then(|| config.backup())
                .flatten(),
            options,
            attempt: Attempt::first(op.idempotency(), body_replayable),
            answered_by_cos: true,
        }
    }

    /// The attempt number, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt.number
    }

    /// How long the current attempt may wait for its answer: `timeout`, cut to what the
    /// call's deadline leaves at `elapsed`. `None` once the deadline passed: do not
    /// send it.
    pub fn attempt_timeout(&self, timeout: Duration, elapsed: Duration) -> Option<Duration> {
        match crate::pace::time_left(self.options.deadline, elapsed) {
            Some(left) if left.is_zero() => None,
            Some(left) => Some(timeout.min(left)),
            None => Some(timeout),
        }
    }

    /// The configuration the next attempt uses (the backup domain on a switched last attempt).
    pub fn target(&self) -> &Config {
        let last = self.attempt.number >= self.options.retry.max_attempts;
        match &self.backup {
            Some(backup) if last && self.attempt.is_retry() && !self.answered_by_cos => backup,
            _ => &self.config,
        }
    }

    /// The signed request of the current attempt. `now` is the driver's clock (Unix
    /// seconds); without credentials the request is anonymous.
    pub fn request(
        &self,
        credentials: Option<&Credentials>,
        now: u64,
    ) -> Result<http::Request<Body>, Error> {
        let target = self.target();
        let mut request = self.op.build_request(target)?;
        if self.attempt.is_retry() {
            request.headers_mut().insert(
                http::HeaderName::from_static(RETRY_HEADER),
                http::HeaderValue::from_static(RETRY_HEADER_VALUE),
            );
        }
        match credentials {
            Some(credentials) => {
                target.check_transport_for(credentials)?;
                let key_time = KeyTime::new(now, self.options.signature_validity);
                let options = SignOptions {
                    sign_host: target.sign_host(),
                    sign_params: target.sign_params(),
                };
                sign::sign_request(&mut request, credentials, key_time, options)?;
            }
            None => sign::mark_anonymous(&mut request),
        }
        Ok(request)
    }

    /// Reports the response of the current attempt (its body read as
    /// [`Operation::RESPONSE_BODY`] says).
    pub fn on_response(
        &mut self,
        url: &http::Uri,
        response: http::Response<Bytes>,
        jitter: f64,
        budget: Option<&mut RetryBudget>,
        elapsed: Duration,
    ) -> Step<O::Output> {
        self.answered_by_cos = response.headers().contains_key(REQUEST_ID_HEADER);
        let status = response.status().as_u16();
        match self.op.parse_response(url, response) {
            Ok(output) => {
                if let Some(budget) = budget {
                    budget.on_success();
                }
                Step::Done(output)
            }
            Err(err) => {
                let code = err.service_error().and_then(|e| e.code.clone());
                let outcome = match err.service_error() {
                    Some(service) if (200..300).contains(&service.status) => Outcome::ErrorIn200 {
                        code: code.as_deref(),
                    },
                    Some(service) => Outcome::Status {
                        status: service.status,
                        code: code.as_deref(),
                    },
                    // The body could not be understood: not a COS verdict, do not retry.
                    None => Outcome::Status { status, code: None },
                };
                match self.decide(&outcome, jitter, budget, elapsed) {
                    Decision::Retry { after } if err.is_service_error() => self.retry(after),
                    _ => Step::Failed(err),
                }
            }
        }
    }

    /// Reports that the current attempt got no response.
    pub fn on_transport_error(
        &mut self,
        failure: TransportFailure,
        jitter: f64,
        budget: Option<&mut RetryBudget>,
        elapsed: Duration,
    ) -> Step<O::Output> {
        self.answered_by_cos = false;
        match self.decide(&Outcome::Transport(failure), jitter, budget, elapsed) {
            Decision::Retry { after } => self.retry(after),
            Decision::GiveUp(reason) => Step::GaveUp(reason),
        }
    }

    fn decide(
        &self,
        outcome: &Outcome<'_>,
        jitter: f64,
        budget: Option<&mut RetryBudget>,
        elapsed: Duration,
    ) -> Decision {
        // A retry that could not start before the deadline is not planned (nor paid for).
        let policy = &self.options.retry;
        if let Decision::Retry { after } = policy.decide(&self.attempt, outcome, jitter)
            && let Some(left) = crate::pace::time_left(self.options.deadline, elapsed)
            && after >= left
        {
            return Decision::GiveUp(GiveUpReason::DeadlineExceeded);
        }
        match budget {
            Some(budget) => policy.decide_with_budget(&self.attempt, outcome, jitter, budget),
            None => policy.decide(&self.attempt, outcome, jitter),
        }
    }

    fn retry(&mut self, after: Duration) -> Step<O::Output> {
        self.attempt = self.attempt.next();
        Step::Retry { after }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{HeadObject, InitiateMultipartUpload, PutObject};

    fn config() -> Config {
        Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .build()
            .expect("valid")
    }

    fn creds() -> Credentials {
        Credentials::new("AKID", "KEY").expect("valid")
    }

    fn response(status: u16, request_id: bool) -> http::Response<Bytes> {
        let mut b = http::Response::builder().status(status);
        if request_id {
            b = b.header("x-cos-request-id", "r");
        }
        b.body(Bytes::new()).expect("response")
    }

    #[test]
    fn every_attempt_is_re_signed_and_marked() {
        let op = HeadObject::new("a");
        let mut call = Call::new(&op, &config(), CallOptions::default(), true);
        let first = call.request(Some(&creds()), 1_000).expect("request");
        assert!(first.headers().get(RETRY_HEADER).is_none());
        let step = call.on_response(first.uri(), response(500, true), 0.0, None, Duration::ZERO);
        assert!(matches!(step, Step::Retry { .. }));
        let second = call.request(Some(&creds()), 2_000).expect("request");
        assert_eq!(second.headers()[RETRY_HEADER], "true");
        assert_ne!(
            first.headers()["authorization"],
            second.headers()["authorization"]
        );
        assert_eq!(call.attempt(), 2);
    }

    #[test]
    fn success_and_client_errors_are_final() {
        let op = HeadObject::new("a");
        let mut call = Call::new(&op, &config(), CallOptions::default(), true);
        let url = call.request(None, 1).expect("request").uri().clone();
        assert!(matches!(
            call.on_response(&url, response(200, true), 0.5, None, Duration::ZERO),
            Step::Done(_)
        ));
        let mut call = Call::new(&op, &config(), CallOptions::default(), true);
        assert!(matches!(
            call.on_response(&url, response(403, true), 0.5, None, Duration::ZERO),
            Step::Failed(_)
        ));
    }

    #[test]
    fn attempts_run_out() {
        let op = HeadObject::new("a");
        let mut call = Call::new(&op, &config(), CallOptions::default(), true);
        let url = call.request(None, 1).expect("request").uri().clone();
        let mut retries = 0;
        loop {
            match call.on_response(&url, response(503, true), 0.5, None, Duration::ZERO) {
                Step::Retry { .. } => retries += 1,
                Step::Failed(err) => {
                    assert_eq!(err.service_error().map(|e| e.status), Some(503));
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(retries, RetryPolicy::default().max_attempts - 1);
    }

    #[test]
    fn non_replayable_bodies_and_initiate_are_not_retried() {
        let put = PutObject::new("a", None);
        let mut call = Call::new(&put, &config(), CallOptions::default(), false);
        assert!(matches!(
            call.on_transport_error(TransportFailure::ConnectionReset, 0.5, None, Duration::ZERO),
            Step::GaveUp(GiveUpReason::BodyNotReplayable)
        ));
        let init = InitiateMultipartUpload::new("a");
        let mut call = Call::new(&init, &config(), CallOptions::default(), true);
        assert!(matches!(
            call.on_transport_error(TransportFailure::Timeout, 0.5, None, Duration::ZERO),
            Step::GaveUp(GiveUpReason::NotIdempotent)
        ));
        assert!(matches!(
            call.on_transport_error(TransportFailure::Connect, 0.5, None, Duration::ZERO),
            Step::Retry { .. }
        ));
    }

    #[test]
    fn last_attempt_switches_to_the_backup_domain_only_without_a_cos_answer() {
        let op = HeadObject::new("a");
        let options = CallOptions {
            switch_to_backup_domain: true,
            ..CallOptions::default()
        };
        let mut call = Call::new(&op, &config(), options, true);
        for _ in 1..options.retry.max_attempts {
            assert!(
                call.request(None, 1)
                    .expect("request")
                    .uri()
                    .host()
                    .is_some_and(|h| h.ends_with("myqcloud.com"))
            );
            assert!(matches!(
                call.on_transport_error(TransportFailure::Timeout, 0.5, None, Duration::ZERO),
                Step::Retry { .. }
            ));
        }
        let last = call.request(None, 1).expect("request");
        assert_eq!(
            last.uri().host(),
            Some("examplebucket-1250000000.cos.ap-guangzhou.tencentcos.cn")
        );

        let mut call = Call::new(&op, &config(), options, true);
        for _ in 1..options.retry.max_attempts {
            let url = call.request(None, 1).expect("request").uri().clone();
            assert!(matches!(
                call.on_response(&url, response(500, true), 0.5, None, Duration::ZERO),
                Step::Retry { .. }
            ));
        }
        let last = call.request(None, 1).expect("request");
        assert!(
            last.uri()
                .host()
                .is_some_and(|h| h.ends_with("myqcloud.com"))
        );
    }

    #[test]
    fn the_deadline_bounds_attempts_and_retries() {
        let op = HeadObject::new("a");
        let options = CallOptions {
            deadline: Some(Duration::from_secs(1)),
            ..CallOptions::default()
        };
        let ms = Duration::from_millis;
        let mut call = Call::new(&op, &config(), options, true);
        assert_eq!(
            call.attempt_timeout(Duration::from_secs(30), ms(0)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(call.attempt_timeout(ms(100), ms(500)), Some(ms(100)));
        assert_eq!(call.attempt_timeout(ms(100), ms(1000)), None);
        // A retry that fits before the deadline is planned; one that does not is not.
        assert!(matches!(
            call.on_transport_error(TransportFailure::Timeout, 1.0, None, ms(500)),
            Step::Retry { .. }
        ));
        assert!(matches!(
            call.on_transport_error(TransportFailure::Timeout, 1.0, None, ms(950)),
            Step::GaveUp(GiveUpReason::DeadlineExceeded)
        ));
        let url = call.request(None, 1).expect("request").uri().clone();
        assert!(matches!(
            call.on_response(&url, response(503, true), 1.0, None, ms(990)),
            Step::Failed(_)
        ));
        // Without a deadline, the same failures are retried.
        let mut call = Call::new(&op, &config(), CallOptions::default(), true);
        assert_eq!(call.attempt_timeout(ms(100), ms(1_000_000)), Some(ms(100)));
        assert!(matches!(
            call.on_transport_error(TransportFailure::Timeout, 1.0, None, ms(950)),
            Step::Retry { .. }
        ));
    }

    #[test]
    fn the_budget_limits_retries() {
        let op = HeadObject::new("a");
        let mut budget = RetryBudget::with_capacity(5);
        let mut call = Call::new(&op, &config(), CallOptions::default(), true);
        let url = call.request(None, 1).expect("request").uri().clone();
        assert!(matches!(
            call.on_response(
                &url,
                response(500, true),
                0.5,
                Some(&mut budget),
                Duration::ZERO
            ),
            Step::Retry { .. }
        ));
        assert!(matches!(
            call.on_response(
                &url,
                response(500, true),
                0.5,
                Some(&mut budget),
                Duration::ZERO
            ),
            Step::Failed(_)
        ));
    }
}
