//! The options both clients (`cos-tokio`, `cos-blocking`) take, with one set of defaults,
//! and the builder setters for them (a macro the clients expand in their builders).

use std::time::Duration;

use crate::driver::pace::MinProgress;
use crate::retry::RetryPolicy;

/// Time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time an attempt waits for its answer once the request is sent.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Time CompleteMultipartUpload may take (COS assembles the object before answering).
pub const DEFAULT_COMPLETE_TIMEOUT: Duration = Duration::from_secs(1200);
/// Longest pause without body progress, up or down.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Idle connections kept per host.
pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = 16;
/// How long an idle connection is kept.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(50);

/// Transport and retry options of a client.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Attempts and backoff.
    pub retry: RetryPolicy,
    /// Send the last attempt to the backup domain when COS did not answer the previous one.
    pub switch_to_backup_domain: bool,
    /// See [`DEFAULT_CONNECT_TIMEOUT`].
    pub connect_timeout: Duration,
    /// See [`DEFAULT_REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
    /// See [`DEFAULT_COMPLETE_TIMEOUT`].
    pub complete_timeout: Duration,
    /// See [`DEFAULT_STALL_TIMEOUT`].
    pub stall_timeout: Duration,
    /// The least a request or response body must move in every window, or the transfer
    /// is cut as a timeout (and a download resumed): defeats a server that trickles
    /// below the stall timeout. Only time spent waiting on the server counts: a caller
    /// that keeps a chunk, or an upload source slow to give one, is not judged. Default
    /// [`MinProgress::DEFAULT`], 32 KiB per 30 s.
    pub min_progress: MinProgress,
    /// The longest one call may take, wall time: attempts, backoff and (for
    /// `get_object`) its body and the body's resumes included; a call that reaches it
    /// ends with a timeout. Default `None`: only the per-attempt timeouts and the
    /// minimum-progress rule bound a call.
    pub call_deadline: Option<Duration>,
    /// See [`DEFAULT_POOL_MAX_IDLE_PER_HOST`].
    pub pool_max_idle_per_host: usize,
    /// See [`DEFAULT_POOL_IDLE_TIMEOUT`].
    pub pool_idle_timeout: Duration,
    /// Use `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY`.
    pub proxy_from_env: bool,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            switch_to_backup_domain: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            complete_timeout: DEFAULT_COMPLETE_TIMEOUT,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            min_progress: MinProgress::DEFAULT,
            call_deadline: None,
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            proxy_from_env: true,
            user_agent: crate::USER_AGENT.to_owned(),
        }
    }
}

/// Where a client gets its keys, as its builder records them: `P` is the client's
/// provider type, `S` the credential sources' (`cos_transfer::drive::CredentialsProvider`).
#[derive(Debug, Clone, Default)]
pub enum CredentialsChoice<P, S> {
    /// The default chain of credential sources (the default): environment, credential
    /// files, TKE OIDC, CVM role.
    #[default]
    DefaultChain,
    /// No keys: requests go unsigned.
    Anonymous,
    /// The caller's provider.
    Provider(P),
    /// A credential source (or a chain of them) the client drives.
    Source(S),
}

impl<P, S> CredentialsChoice<P, S> {
    /// The credential source the client drives — the caller's, or `default_chain()` when
    /// none was chosen — or, when it drives none, the caller's own provider (`None`:
    /// anonymous).
    pub fn into_source(self, default_chain: impl FnOnce() -> S) -> Result<S, Option<P>> {
        match self {
            Self::DefaultChain => Ok(default_chain()),
            Self::Source(source) => Ok(source),
            Self::Provider(provider) => Err(Some(provider)),
            Self::Anonymous => Err(None),
        }
    }
}

impl ClientOptions {
    /// The options of every call a client with these options makes.
    pub fn call_options(&self) -> crate::driver::call::CallOptions {
        crate::driver::call::CallOptions {
            retry: self.retry,
            switch_to_backup_domain: self.switch_to_backup_domain,
            deadline: self.call_deadline,
            request_timeout: self.request_timeout,
            complete_timeout: self.complete_timeout,
            ..crate::driver::call::CallOptions::default()
        }
    }
}

/// Expands to the builder setters for a builder with an `options: ClientOptions` field.
#[macro_export]
macro_rules! client_option_setters {
    () => {
        /// Attempts and backoff (default: `RetryPolicy::default()`, 4 attempts).
        pub fn retry(mut self, policy: $crate::retry::RetryPolicy) -> Self {
            self.options.retry = policy;
            self
        }

        /// Sends the last attempt to the backup domain (`*.tencentcos.cn`) when COS did not
        /// answer the previous one (default: off).
        pub fn switch_to_backup_domain(mut self, switch: bool) -> Self {
            self.options.switch_to_backup_domain = switch;
            self
        }

        /// Time to establish a connection (default 5 s).
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.connect_timeout = timeout;
            self
        }

        /// Time an attempt waits for its answer once sent (default 30 s).
        pub fn request_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.request_timeout = timeout;
            self
        }

        /// Time CompleteMultipartUpload waits for its answer (default 1200 s).
        pub fn complete_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.complete_timeout = timeout;
            self
        }

        /// Longest pause without body progress, up or down, while waiting on the server
        /// (default 30 s).
        pub fn stall_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.stall_timeout = timeout;
            self
        }

        /// The least a request or response body must move: `bytes` in every `window`
        /// (default 32 KiB per 30 s; `bytes` 0 turns it off). A slower body is cut as a
        /// timeout, and a download resumes on a new connection. Only time spent waiting
        /// on the server counts, not time the caller keeps a chunk or its source takes.
        pub fn min_progress(mut self, bytes: u64, window: std::time::Duration) -> Self {
            self.options.min_progress = $crate::driver::pace::MinProgress { bytes, window };
            self
        }

        /// The longest one call may take (wall time), retries and backoff included, and
        /// for `get_object` its body and the body's resumes too (default: none).
        pub fn call_deadline(mut self, deadline: Option<std::time::Duration>) -> Self {
            self.options.call_deadline = deadline;
            self
        }

        /// Every transport and retry option at once.
        pub fn options(mut self, options: $crate::driver::options::ClientOptions) -> Self {
            self.options = options;
            self
        }

        /// Idle connections kept per host (default 16).
        pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
            self.options.pool_max_idle_per_host = max;
            self
        }

        /// How long an idle connection is kept (default 50 s).
        pub fn pool_idle_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.pool_idle_timeout = timeout;
            self
        }

        /// Uses `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY` (default: on).
        pub fn proxy_from_env(mut self, enabled: bool) -> Self {
            self.options.proxy_from_env = enabled;
            self
        }

        /// The `User-Agent` header (default `cos_proto::USER_AGENT`).
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.options.user_agent = user_agent.into();
            self
        }
    };
}
