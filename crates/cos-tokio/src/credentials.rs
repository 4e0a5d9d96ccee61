//! Where the client gets its access keys: a fixed pair, the environment, or a refreshing
//! source of temporary keys.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use cos_proto::driver::credentials_cache::{self, CredentialsCache};
use cos_proto::{Credentials, ExpiringCredentials, RefreshPolicy};
use tokio::sync::Mutex;

use crate::error::{BoxError, Error};
use cos_transfer::drive::unix_now;

/// A source of credentials, asked before every attempt (so a retry signs with fresh
/// temporary keys).
///
/// ```
/// use cos_tokio::{Error, ProvideCredentials};
/// use cos_proto::Credentials;
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl ProvideCredentials for FromVault {
///     async fn credentials(&self) -> Result<Credentials, Error> {
///         Credentials::new("AKID...", "...").map_err(|e| Error::Credentials(e.to_string()))
///     }
/// }
/// ```
pub trait ProvideCredentials: fmt::Debug + Send + Sync + 'static {
    /// The credentials to sign the next request with.
    fn credentials(&self) -> impl Future<Output = Result<Credentials, Error>> + Send;
}

/// A boxed credentials future (the object-safe form the client stores).
pub(crate) type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, Error>> + Send + 'a>>;

/// The object-safe twin of [`ProvideCredentials`].
pub(crate) trait DynProvider: fmt::Debug + Send + Sync {
    fn credentials_boxed(&self) -> CredentialsFuture<'_>;
}

impl<T: ProvideCredentials> DynProvider for T {
    fn credentials_boxed(&self) -> CredentialsFuture<'_> {
        Box::pin(self.credentials())
    }
}

/// Credentials sign every request as they are.
impl ProvideCredentials for Credentials {
    async fn credentials(&self) -> Result<Credentials, Error> {
        Ok(self.clone())
    }
}

/// A fixed pair of keys (and token).
#[derive(Debug, Clone)]
pub struct StaticCredentials(Credentials);

impl StaticCredentials {
    /// Always signs with `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self(credentials)
    }
}

impl ProvideCredentials for StaticCredentials {
    async fn credentials(&self) -> Result<Credentials, Error> {
        Ok(self.0.clone())
    }
}

/// Credentials from the process environment, read on every request:
/// `COS_SECRET_ID`/`COS_SECRET_KEY`/`COS_TOKEN`, else the `TENCENTCLOUD_*` names
/// (the rule is [`Credentials::from_env`]). The client's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvCredentials;

impl EnvCredentials {
    /// Reads the environment.
    pub fn new() -> Self {
        Self
    }
}

impl ProvideCredentials for EnvCredentials {
    async fn credentials(&self) -> Result<Credentials, Error> {
        credentials_cache::from_environment(|name| std::env::var(name).ok())
    }
}

type FetchFuture = Pin<Box<dyn Future<Output = Result<ExpiringCredentials, BoxError>> + Send>>;
type Fetch = dyn Fn() -> FetchFuture + Send + Sync;
type Clock = dyn Fn() -> u64 + Send + Sync;

/// Temporary keys fetched by the caller's function (an STS call, a metadata endpoint),
/// cached, and fetched again [`RefreshPolicy::margin_secs`] before they expire.
///
/// Concurrent requests share one fetch (single flight): while one task fetches, the
/// others wait for its result.
///
/// ```
/// use cos_tokio::RefreshingCredentials;
/// use cos_proto::{Credentials, ExpiringCredentials};
///
/// let provider = RefreshingCredentials::new(|| async {
///     // ... ask STS for temporary keys ...
///     let credentials = Credentials::new("AKID...", "...")?.with_token("token")?;
///     Ok::<_, cos_proto::InputError>(ExpiringCredentials {
///         credentials,
///         expires_at: Some(1_900_000_000),
///     })
/// });
/// ```
#[derive(Clone)]
pub struct RefreshingCredentials {
    fetch: Arc<Fetch>,
    clock: Arc<Clock>,
    policy: RefreshPolicy,
    cache: Arc<Mutex<CredentialsCache>>,
}

impl fmt::Debug for RefreshingCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingCredentials")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl RefreshingCredentials {
    /// Calls `fetch` whenever there are no keys yet or they are about to expire.
    pub fn new<F, Fut, E>(fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ExpiringCredentials, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let fetch = Arc::new(move || -> FetchFuture {
            let fut = fetch();
            Box::pin(async move { fut.await.map_err(Into::into) })
        });
        Self {
            fetch,
            clock: Arc::new(unix_now),
            policy: RefreshPolicy::default(),
            cache: Arc::new(Mutex::new(CredentialsCache::new(RefreshPolicy::default()))),
        }
    }

    /// Changes when keys count as stale (default: 300 s before they expire).
    pub fn policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self.cache = Arc::new(Mutex::new(CredentialsCache::new(policy)));
        self
    }

    /// Replaces the clock (Unix seconds); for tests.
    pub fn clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }
}

impl ProvideCredentials for RefreshingCredentials {
    async fn credentials(&self) -> Result<Credentials, Error> {
        // Holding the lock across the fetch makes it single-flight: waiting callers get
        // the keys the first one fetched.
        let mut cache = self.cache.lock().await;
        let now = (self.clock)();
        if !cache.needs_refresh(now) {
            return cache.credentials();
        }
        let fetched = (self.fetch)().await;
        if let Err(err) = &fetched {
            tracing::warn!(error = %err, "credential refresh failed");
        }
        cache.after_fetch(now, fetched)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    fn keys(n: u64) -> Credentials {
        Credentials::new(format!("AKID{n}"), "KEY")
            .and_then(|c| c.with_token(format!("TOKEN{n}")))
            .expect("valid")
    }

    #[tokio::test]
    async fn refreshes_before_expiry_with_one_fetch_for_concurrent_callers() {
        let fetches = Arc::new(AtomicU64::new(0));
        let now = Arc::new(AtomicU64::new(1_000));
        let counter = Arc::clone(&fetches);
        let provider = RefreshingCredentials::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                tokio::task::yield_now().await;
                Ok::<_, BoxError>(ExpiringCredentials {
                    credentials: keys(n),
                    expires_at: Some(2_000),
                })
            }
        });
        let clock = Arc::clone(&now);
        let provider = provider.clock(move || clock.load(Ordering::SeqCst));
        let (a, b, c) = tokio::join!(
            provider.credentials(),
            provider.credentials(),
            provider.credentials()
        );
        for got in [a, b, c] {
            assert_eq!(got.expect("credentials").secret_id(), "AKID1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "single flight");
        // 300 s before expiry the keys are stale.
        now.store(1_700, Ordering::SeqCst);
        let got = provider.credentials().await.expect("credentials");
        assert_eq!(got.secret_id(), "AKID2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_valid_keys_and_fails_without_them() {
        let fetches = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&fetches);
        let now = Arc::new(AtomicU64::new(1_000));
        let clock = Arc::clone(&now);
        let provider = RefreshingCredentials::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                if n == 1 {
                    Ok(ExpiringCredentials {
                        credentials: keys(1),
                        expires_at: Some(2_000),
                    })
                } else {
                    Err(BoxError::from("STS is down"))
                }
            }
        })
        .clock(move || clock.load(Ordering::SeqCst));
        assert!(provider.credentials().await.is_ok());
        now.store(1_900, Ordering::SeqCst);
        let kept = provider.credentials().await.expect("still valid");
        assert_eq!(kept.secret_id(), "AKID1");
        now.store(2_000, Ordering::SeqCst);
        let err = provider.credentials().await.expect_err("expired");
        assert!(err.to_string().contains("STS is down"), "{err}");
        assert!(!format!("{provider:?}").contains("KEY"));
    }

    #[tokio::test]
    async fn environment_credentials_need_both_parts() {
        // The process environment of a test run has no COS keys (and this test does not
        // set any: it would race with other tests).
        if std::env::var_os("COS_SECRET_ID").is_none()
            && std::env::var_os("TENCENTCLOUD_SECRET_ID").is_none()
        {
            let err = EnvCredentials::new().credentials().await.expect_err("none");
            assert!(err.to_string().contains("COS_SECRET_ID"), "{err}");
        }
        let fixed = StaticCredentials::new(keys(7));
        assert_eq!(
            fixed.credentials().await.expect("fixed").secret_id(),
            "AKID7"
        );
    }
}
