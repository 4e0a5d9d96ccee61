//! Driving one operation to completion, as a state machine: the driver asks for each
//! attempt's signed request, performs it, and reports what happened; the call says
//! whether the result is final or when to try again.
//!
//! Every rule a driver would otherwise re-implement lives here: re-signing every attempt
//! with a fresh key time, the `x-cos-sdk-retry` marker, the retry classifier, the retry
//! budget, and the switch to the backup domain for the last attempt.
//!
//! ```
//! use cos_proto::driver::call::{Call, CallOptions, Payload, Step};
//! use cos_proto::{Config, Credentials, ops::HeadObject};
//!
//! let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
//! let credentials = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").unwrap();
//! let op = HeadObject::new("a.txt");
//! let mut call = Call::new(&op, &config, CallOptions::default(), Payload::NONE);
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

use crate::driver::error::Error as ClientError;
use crate::driver::options::{DEFAULT_COMPLETE_TIMEOUT, DEFAULT_REQUEST_TIMEOUT};
use crate::error::Error;
use crate::operation::{Operation, ResponseBody, TimeoutClass};
use crate::request::Body;
use crate::response::{MAX_DOCUMENT_BODY, MAX_ERROR_BODY, REQUEST_ID_HEADER, is_success};
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
    /// How long an attempt of a [`TimeoutClass::Request`] operation waits for its answer.
    pub request_timeout: Duration,
    /// How long an attempt of a [`TimeoutClass::Long`] operation waits for its answer.
    pub complete_timeout: Duration,
}

impl Default for CallOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            signature_validity: DEFAULT_REQUEST_EXPIRY_SECS,
            switch_to_backup_domain: false,
            deadline: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            complete_timeout: DEFAULT_COMPLETE_TIMEOUT,
        }
    }
}

/// What the driver will send as the payload of a call: its length, if known, and
/// whether it can be sent again from its start (bytes and files can, a one-shot stream
/// cannot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payload {
    /// The exact number of bytes the driver's body holds, if known.
    pub len: Option<u64>,
    /// Whether a retry can send it again.
    pub replayable: bool,
}

impl Payload {
    /// No payload (the operations without one).
    pub const NONE: Payload = Payload {
        len: Some(0),
        replayable: true,
    };

    /// A payload of `len` bytes (`None`: unknown, sent chunked).
    pub fn new(len: Option<u64>, replayable: bool) -> Self {
        Payload { len, replayable }
    }
}

/// How the driver reads an answer's body before [`Call::on_response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBody {
    /// Object data of a success: do not read it; pass an empty body to
    /// [`Call::on_response`] and hand the stream to the caller.
    Stream,
    /// Read at most `limit` bytes; with more, `overflow` says what to do.
    Document {
        /// The most bytes kept.
        limit: usize,
        /// What a longer body means.
        overflow: Overflow,
    },
}

/// What a document longer than its limit means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// A success's document: refuse it ([`crate::driver::error::Error::DocumentTooLarge`]).
    Refuse,
    /// An error's body: keep the first `limit` bytes (the error is still reported).
    Cut,
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
    payload: Payload,
    attempt: Attempt,
    answered_by_cos: bool,
}

impl<'o, O: Operation> Call<'o, O> {
    /// Starts a call whose payload (for the operations that carry one) is `payload`.
    pub fn new(op: &'o O, config: &Config, options: CallOptions, payload: Payload) -> Self {
        Self {
            op,
            config: config.clone(),
            backup: options
                .switch_to_backup_domain
                .then(|| config.backup())
                .flatten(),
            options,
            payload,
            attempt: Attempt::first(op.idempotency(), payload.replayable),
            answered_by_cos: true,
        }
    }

    /// The attempt number, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt.number
    }

    /// The operation's name ([`Operation::NAME`]).
    pub fn operation(&self) -> &'static str {
        O::NAME
    }

    /// How long the current attempt may wait for its answer: the operation's timeout
    /// ([`Operation::TIMEOUT`]), cut to what the call's deadline leaves at `elapsed`.
    /// `None` once the deadline passed: do not send it.
    pub fn attempt_timeout(&self, elapsed: Duration) -> Option<Duration> {
        let timeout = match O::TIMEOUT {
            TimeoutClass::Request => self.options.request_timeout,
            TimeoutClass::Long => self.options.complete_timeout,
        };
        match crate::driver::pace::time_left(self.options.deadline, elapsed) {
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
    ///
    /// The payload must fit the operation: none for an operation without one, and the
    /// length the operation announces, if it announces one; an operation that leaves
    /// its length open takes the payload's (sent chunked only when that is unknown too).
    /// A misfit is [`ClientError::InvalidBody`], before any I/O.
    pub fn request(
        &self,
        credentials: Option<&Credentials>,
        now: u64,
    ) -> Result<http::Request<Body>, ClientError> {
        let target = self.target();
        let mut request = self.op.build_request(target)?;
        frame_payload(&mut request, self.payload.len)?;
        if self.attempt.is_retry() {
            request.headers_mut().insert(
                http::HeaderName::from_static(RETRY_HEADER),
                http::HeaderValue::from_static(RETRY_HEADER_VALUE),
            );
        }
        match credentials {
            Some(credentials) => {
                target
                    .check_transport_for(credentials)
                    .map_err(Error::from)?;
                let key_time = KeyTime::new(now, self.options.signature_validity);
                let options = SignOptions {
                    sign_host: target.sign_host(),
                    sign_params: target.sign_params(),
                };
                sign::sign_request(&mut request, credentials, key_time, options)
                    .map_err(Error::from)?;
            }
            None => sign::mark_anonymous(&mut request),
        }
        Ok(request)
    }

    /// How to read the body of an answer with `status` ([`read_body`]).
    pub fn read_body(&self, status: http::StatusCode) -> ReadBody {
        read_body::<O>(status)
    }

    /// The object key `request` addresses (empty for bucket requests), decoded, for
    /// traces and logs.
    pub fn traced_key<B>(&self, request: &http::Request<B>) -> String {
        let path = request.uri().path();
        let prefix = self.target().path_prefix();
        let rest = path.strip_prefix(prefix.as_str()).unwrap_or(path);
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        crate::encode::percent_decode_str(rest).unwrap_or_else(|| rest.to_owned())
    }

    /// Reports the response of the current attempt (its body read as
    /// [`Call::read_body`] says).
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
            && let Some(left) = crate::driver::pace::time_left(self.options.deadline, elapsed)
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

/// How to read the body of an answer with `status` to an operation `O`
/// ([`Operation::RESPONSE_BODY`] and the document and error limits).
pub fn read_body<O: Operation>(status: http::StatusCode) -> ReadBody {
    match (is_success(status), O::RESPONSE_BODY) {
        (true, ResponseBody::Streamed) => ReadBody::Stream,
        (true, ResponseBody::Buffered) => ReadBody::Document {
            limit: MAX_DOCUMENT_BODY,
            overflow: Overflow::Refuse,
        },
        (false, _) => ReadBody::Document {
            limit: MAX_ERROR_BODY,
            overflow: Overflow::Cut,
        },
    }
}

/// Fits the driver's payload of `supplied` bytes to `request` (see [`Call::request`]).
fn frame_payload(
    request: &mut http::Request<Body>,
    supplied: Option<u64>,
) -> Result<(), ClientError> {
    let describe = |len: Option<u64>| match len {
        Some(n) => format!("{n} bytes"),
        None => "an unknown length".to_owned(),
    };
    match *request.body() {
        Body::Payload { length: None } => {
            if let Some(len) = supplied {
                *request.body_mut() = Body::Payload { length: Some(len) };
                let headers = request.headers_mut();
                headers.remove(http::header::TRANSFER_ENCODING);
                headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
            }
            Ok(())
        }
        Body::Payload { length } if length == supplied => Ok(()),
        Body::Payload { length } => Err(ClientError::InvalidBody(format!(
            "the operation announces {} but the body has {}",
            describe(length),
            describe(supplied)
        ))),
        _ if supplied == Some(0) => Ok(()),
        _ => Err(ClientError::InvalidBody(
            "this operation carries no payload; pass an empty body".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{HeadObject, InitiateMultipartUpload, ListObjects, PutObject};

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

    /// `PutObject` for `cos_proto::ops::put_object::PutObject`.
    fn short_type_name<O>() -> &'static str {
        let full = std::any::type_name::<O>();
        full.rsplit("::").next().unwrap_or(full)
    }

    #[test]
    fn every_operation_is_named_after_its_type() {
        use crate::ops::*;
        fn check<O: Operation>() {
            assert_eq!(O::NAME, short_type_name::<O>());
        }
        check::<AbortMultipartUpload>();
        check::<AppendObject>();
        check::<CompleteMultipartUpload>();
        check::<CopyObject>();
        check::<CustomRequest>();
        check::<DeleteObject>();
        check::<DeleteObjectTagging>();
        check::<DeleteObjects>();
        check::<GetObject>();
        check::<GetObjectAcl>();
        check::<GetObjectTagging>();
        check::<HeadObject>();
        check::<InitiateMultipartUpload>();
        check::<ListMultipartUploads>();
        check::<ListObjectVersions>();
        check::<ListObjects>();
        check::<ListParts>();
        check::<PutObject>();
        check::<PutObjectAcl>();
        check::<PutObjectTagging>();
        check::<RestoreObject>();
        check::<SelectObjectContent>();
        check::<UploadPart>();
        check::<UploadPartCopy>();
    }

    #[test]
    fn only_complete_gets_the_long_timeout() {
        use crate::ops::{CompleteMultipartUpload, HeadObject};
        let options = CallOptions {
            request_timeout: Duration::from_secs(7),
            complete_timeout: Duration::from_secs(700),
            ..CallOptions::default()
        };
        let complete = CompleteMultipartUpload::new("k", "id");
        let call = Call::new(&complete, &config(), options, Payload::NONE);
        assert_eq!(
            call.attempt_timeout(Duration::ZERO),
            Some(Duration::from_secs(700))
        );
        let copy = HeadObject::new("k");
        let call = Call::new(&copy, &config(), options, Payload::NONE);
        assert_eq!(
            call.attempt_timeout(Duration::ZERO),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn the_payload_fits_the_operation_or_is_refused() {
        use crate::driver::error::Error as ClientError;
        let announced = PutObject::new("k", Some(5));
        let request = |op: &PutObject, payload| {
            Call::new(op, &config(), CallOptions::default(), payload).request(None, 1)
        };
        assert!(request(&announced, Payload::new(Some(5), true)).is_ok());
        for wrong in [Some(4), None, Some(0)] {
            assert!(matches!(
                request(&announced, Payload::new(wrong, true)),
                Err(ClientError::InvalidBody(_))
            ));
        }
        // An open length takes the body's; chunked only when both are unknown.
        let open = PutObject::new("k", None);
        let sized = request(&open, Payload::new(Some(9), true)).expect("fits");
        assert_eq!(sized.body(), &Body::Payload { length: Some(9) });
        assert_eq!(sized.headers()[http::header::CONTENT_LENGTH], "9");
        assert!(
            sized
                .headers()
                .get(http::header::TRANSFER_ENCODING)
                .is_none()
        );
        let chunked = request(&open, Payload::new(None, false)).expect("fits");
        assert_eq!(
            chunked.headers()[http::header::TRANSFER_ENCODING],
            "chunked"
        );
        // No payload for an operation without one.
        let head = HeadObject::new("k");
        let call = Call::new(
            &head,
            &config(),
            CallOptions::default(),
            Payload::new(Some(3), true),
        );
        assert!(matches!(
            call.request(None, 1),
            Err(ClientError::InvalidBody(_))
        ));
    }

    #[test]
    fn bodies_are_read_by_status_and_kind() {
        use crate::ops::GetObject;
        let get = GetObject::new("k");
        let call = Call::new(&get, &config(), CallOptions::default(), Payload::NONE);
        assert_eq!(call.read_body(http::StatusCode::OK), ReadBody::Stream);
        let error = ReadBody::Document {
            limit: MAX_ERROR_BODY,
            overflow: Overflow::Cut,
        };
        assert_eq!(call.read_body(http::StatusCode::NOT_FOUND), error);
        let head = HeadObject::new("k");
        let call = Call::new(&head, &config(), CallOptions::default(), Payload::NONE);
        assert_eq!(
            call.read_body(http::StatusCode::OK),
            ReadBody::Document {
                limit: MAX_DOCUMENT_BODY,
                overflow: Overflow::Refuse
            }
        );
    }

    #[test]
    fn traced_keys_are_decoded_and_unprefixed() {
        let op = HeadObject::new("a b/c.txt");
        let config = Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .path_style("127.0.0.1:9000")
            .build()
            .expect("config");
        let call = Call::new(&op, &config, CallOptions::default(), Payload::NONE);
        let request = call.request(None, 1).expect("request");
        assert_eq!(call.traced_key(&request), "a b/c.txt");
        let bucket = ListObjects::new();
        let call = Call::new(
            &bucket,
            &self::config(),
            CallOptions::default(),
            Payload::NONE,
        );
        let request = call.request(None, 1).expect("request");
        assert_eq!(call.traced_key(&request), "");
    }

    #[test]
    fn every_attempt_is_re_signed_and_marked() {
        let op = HeadObject::new("a");
        let mut call = Call::new(&op, &config(), CallOptions::default(), Payload::NONE);
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
        let mut call = Call::new(&op, &config(), CallOptions::default(), Payload::NONE);
        let url = call.request(None, 1).expect("request").uri().clone();
        assert!(matches!(
            call.on_response(&url, response(200, true), 0.5, None, Duration::ZERO),
            Step::Done(_)
        ));
        let mut call = Call::new(&op, &config(), CallOptions::default(), Payload::NONE);
        assert!(matches!(
            call.on_response(&url, response(403, true), 0.5, None, Duration::ZERO),
            Step::Failed(_)
        ));
    }

    #[test]
    fn attempts_run_out() {
        let op = HeadObject::new("a");
        let mut call = Call::new(&op, &config(), CallOptions::default(), Payload::NONE);
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
        let mut call = Call::new(
            &put,
            &config(),
            CallOptions::default(),
            Payload::new(None, false),
        );
        assert!(matches!(
            call.on_transport_error(TransportFailure::ConnectionReset, 0.5, None, Duration::ZERO),
            Step::GaveUp(GiveUpReason::BodyNotReplayable)
        ));
        let init = InitiateMultipartUpload::new("a");
        let mut call = Call::new(&init, &config(), CallOptions::default(), Payload::NONE);
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
        let mut call = Call::new(&op, &config(), options, Payload::NONE);
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

        let mut call = Call::new(&op, &config(), options, Payload::NONE);
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
        let mut call = Call::new(&op, &config(), options, Payload::NONE);
        assert_eq!(call.attempt_timeout(ms(0)), Some(Duration::from_secs(1)));
        assert_eq!(call.attempt_timeout(ms(500)), Some(ms(500)));
        assert_eq!(call.attempt_timeout(ms(1000)), None);
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
        let mut call = Call::new(&op, &config(), CallOptions::default(), Payload::NONE);
        assert_eq!(
            call.attempt_timeout(ms(1_000_000)),
            Some(DEFAULT_REQUEST_TIMEOUT)
        );
        assert!(matches!(
            call.on_transport_error(TransportFailure::Timeout, 1.0, None, ms(950)),
            Step::Retry { .. }
        ));
    }

    #[test]
    fn the_budget_limits_retries() {
        let op = HeadObject::new("a");
        let mut budget = RetryBudget::with_capacity(5);
        let mut call = Call::new(&op, &config(), CallOptions::default(), Payload::NONE);
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
