//! One operation to completion: the retry loop every client runs over its transport.
//! [`cos_proto::driver::call::Call`] decides everything (the request of each attempt,
//! its timeout, how to read the answer, whether and when to try again); this loop asks
//! it, lets the client's [`Transport`] do the I/O, and sleeps.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use cos_proto::driver::call::{Call, CallOptions, Payload, ReadBody, Step, read_body};
use cos_proto::driver::error::{BoxError, Error as ClientError};
use cos_proto::driver::options::ClientOptions;
use cos_proto::driver::pace::{BodyWatch, MinProgress};
use cos_proto::driver::resume::ResumingGet;
use cos_proto::ops::{GetObject, GetObjectOutput};
use cos_proto::retry::{RetryBudget, TransportFailure};
use cos_proto::{Config, Credentials, Operation, ResponseBody, TimeoutClass};
use tracing::Instrument;

/// What every call of a client shares: the configuration (bucket, endpoint), how calls
/// retry, sign and time out, the pace every body must keep, and the retry budget.
/// Clones share the budget.
#[derive(Debug, Clone)]
pub struct CallSettings {
    /// The bucket, region and endpoint requests are built for.
    pub config: Config,
    /// Retries, signatures, timeouts, deadline.
    pub options: CallOptions,
    /// What every request and response body must keep up.
    pub min_progress: MinProgress,
    /// The retry budget of the client's calls.
    pub budget: Arc<Mutex<RetryBudget>>,
}

impl CallSettings {
    /// The settings of a client for `config` built with `options`.
    pub fn new(config: Config, options: &ClientOptions) -> Self {
        Self {
            config,
            options: options.call_options(),
            min_progress: options.min_progress,
            budget: Arc::new(Mutex::new(RetryBudget::default())),
        }
    }

    /// The same settings (and budget) for another bucket or endpoint.
    pub fn with_config(&self, config: Config) -> Self {
        Self {
            config,
            ..self.clone()
        }
    }

    /// The minimum-progress watch of a body that starts `elapsed` into its call.
    pub fn body_watch(&self, elapsed: Duration) -> BodyWatch {
        BodyWatch::new(self.min_progress, self.options.deadline, elapsed)
    }

    /// The resuming reader of the body `first` answered to `op`.
    pub fn resuming_get(&self, op: &GetObject, first: &GetObjectOutput) -> ResumingGet {
        ResumingGet::new(op, first, self.options.retry).with_deadline(self.options.deadline)
    }
}

/// The current Unix time in seconds (0 if the system clock is before 1970): what
/// signatures are dated with.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The current Unix time in microseconds (0 before 1970): what credential sources name
/// sessions with.
pub fn unix_now_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

/// A fresh jitter value in `[0, 1)` for the core's backoff.
pub fn jitter() -> f64 {
    cos_proto::retry::jitter_from_u64(fastrand::u64(..))
}

/// What one attempt may take and how its answer is read.
pub struct AttemptPlan {
    /// How long the answer may take once the request is sent (the operation's timeout,
    /// cut to what the call's deadline leaves).
    pub timeout: Duration,
    /// The operation has the long timeout class (COS works before it answers: every
    /// read of the answer may wait that long).
    pub long: bool,
    /// Object data on success: its body is the caller's to read (and pace).
    pub streamed: bool,
    /// What the call's deadline leaves, when it has one: the whole attempt must fit.
    pub left: Option<Duration>,
    /// The minimum-progress watch of the request body, started with the attempt.
    pub watch: BodyWatch,
    /// How to read the answer's body, by its status.
    pub read_body: fn(http::StatusCode) -> ReadBody,
}

impl std::fmt::Debug for AttemptPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttemptPlan")
            .field("timeout", &self.timeout)
            .field("long", &self.long)
            .field("streamed", &self.streamed)
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

/// Why an attempt produced no answer to report to the call.
#[derive(Debug)]
pub enum AttemptError {
    /// Not a transport failure: the call ends with it, never retried (the caller's
    /// source failed, a document too large...).
    Final(ClientError),
    /// No usable answer (connect, timeout, reset, TLS...): the call decides.
    Transport(TransportFailure, BoxError),
}

/// A client's HTTP stack for one call (its clock starts with the call).
pub trait Transport: Sync {
    /// The client's upload body.
    type Body: Send;
    /// The unread body of a streamed answer.
    type Incoming: Send;

    /// The client's settings.
    fn settings(&self) -> &CallSettings;
    /// The time since the call started, on the client's monotonic clock.
    fn elapsed(&self) -> Duration;
    /// The keys of the next attempt (`None`: anonymous).
    fn credentials(&self) -> impl Future<Output = Result<Option<Credentials>, ClientError>> + Send;
    /// Sends `request` with `body` as its payload (rewound), within `plan`, and reads
    /// the answer's body as the plan says.
    fn attempt(
        &self,
        request: http::Request<cos_proto::Body>,
        body: &mut Self::Body,
        plan: AttemptPlan,
    ) -> impl Future<Output = Result<(http::Response<Bytes>, Option<Self::Incoming>), AttemptError>> + Send;
    /// Waits out a backoff.
    fn sleep(&self, after: Duration) -> impl Future<Output = ()> + Send;
}

/// Drives `op` to completion: every attempt re-signed, retried as the core decides,
/// within the call's deadline. `payload` describes `body`. For a streamed operation's
/// success the answer's body is returned unread.
pub async fn execute<T, O>(
    transport: &T,
    op: &O,
    body: &mut T::Body,
    payload: Payload,
) -> Result<(O::Output, Option<T::Incoming>), ClientError>
where
    T: Transport,
    O: Operation,
{
    let settings = transport.settings();
    let options = settings.options;
    let mut call = Call::new(op, &settings.config, options, payload);
    loop {
        let attempt = call.attempt();
        let Some(timeout) = call.attempt_timeout(transport.elapsed()) else {
            return Err(ClientError::deadline_passed(O::NAME, attempt));
        };
        let credentials = transport.credentials().await?;
        let request = call.request(credentials.as_ref(), unix_now())?;
        drop(credentials);
        let span = tracing::debug_span!(
            "cos_request",
            operation = O::NAME,
            method = %request.method(),
            bucket = call.target().bucket(),
            key = %call.traced_key(&request),
            attempt,
        );
        let url = request.uri().clone();
        let plan = AttemptPlan {
            timeout,
            long: O::TIMEOUT == TimeoutClass::Long,
            streamed: O::RESPONSE_BODY == ResponseBody::Streamed,
            left: cos_proto::driver::pace::time_left(options.deadline, transport.elapsed()),
            watch: settings.body_watch(transport.elapsed()),
            read_body: read_body::<O>,
        };
        let outcome = transport
            .attempt(request, body, plan)
            .instrument(span.clone())
            .await;
        let _entered = span.enter();
        let elapsed = transport.elapsed();
        let budget = &settings.budget;
        let (step, stream, failure) = match outcome {
            Ok((response, stream)) => {
                tracing::debug!(status = response.status().as_u16(), "response");
                let mut budget = budget.lock().unwrap_or_else(PoisonError::into_inner);
                let step = call.on_response(&url, response, jitter(), Some(&mut budget), elapsed);
                (step, stream, None)
            }
            Err(AttemptError::Final(err)) => return Err(err),
            Err(AttemptError::Transport(kind, source)) => {
                tracing::debug!(failure = ?kind, error = %source, "no response");
                let mut budget = budget.lock().unwrap_or_else(PoisonError::into_inner);
                let step = call.on_transport_error(kind, jitter(), Some(&mut budget), elapsed);
                (step, None, Some((kind, source)))
            }
        };
        match step {
            Step::Done(output) => return Ok((output, stream)),
            Step::Retry { after } => {
                let after_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
                tracing::info!(after_ms, "retrying");
                drop(_entered);
                transport.sleep(after).await;
            }
            Step::Failed(err) => {
                tracing::debug!(error = %err, "failed");
                return Err(err.into());
            }
            Step::GaveUp(reason) => {
                let (failure, source) =
                    failure.unwrap_or_else(|| (TransportFailure::Io, "transport failure".into()));
                tracing::debug!(%reason, "gave up");
                return Err(ClientError::Transport {
                    operation: O::NAME,
                    failure,
                    reason,
                    attempts: attempt,
                    source,
                });
            }
        }
    }
}
