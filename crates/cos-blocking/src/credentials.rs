//! Where the client gets its keys from: fixed keys, the environment, or a refreshing
//! source of temporary keys.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use cos_proto::driver::credentials_cache::{self, CredentialsCache};
use cos_proto::{Credentials, ExpiringCredentials, RefreshPolicy};

use crate::error::{BoxError, Error};
use cos_transfer::drive::unix_now;

/// A source of credentials, asked before every attempt (so refreshed keys are used as
/// soon as they exist).
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The keys to sign the next request with.
    fn credentials(&self) -> Result<Credentials, Error>;
}

impl ProvideCredentials for Credentials {
    fn credentials(&self) -> Result<Credentials, Error> {
        Ok(self.clone())
    }
}

/// Fixed keys.
///
/// ```
/// use cos_blocking::{ProvideCredentials, StaticCredentials};
/// let creds = cos_proto::Credentials::new("AKIDEXAMPLE", "SECRET").unwrap();
/// let provider = StaticCredentials::new(creds);
/// assert_eq!(provider.credentials().unwrap().secret_id(), "AKIDEXAMPLE");
/// assert!(!format!("{provider:?}").contains("SECRET"));
/// ```
#[derive(Debug, Clone)]
pub struct StaticCredentials {
    credentials: Credentials,
}

impl StaticCredentials {
    /// Always answers `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self { credentials }
    }
}

impl ProvideCredentials for StaticCredentials {
    fn credentials(&self) -> Result<Credentials, Error> {
        Ok(self.credentials.clone())
    }
}

/// Keys from the process environment, read at every request (the variable names are
/// [`cos_proto::credentials::ENV_VARS`]: `COS_SECRET_ID`/`COS_SECRET_KEY`/`COS_TOKEN`,
/// then the `TENCENTCLOUD_*` family). The client's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvCredentials;

impl EnvCredentials {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self
    }
}

impl ProvideCredentials for EnvCredentials {
    fn credentials(&self) -> Result<Credentials, Error> {
        credentials_cache::from_environment(|name| std::env::var(name).ok())
    }
}

type Fetch = dyn Fn() -> Result<ExpiringCredentials, BoxError> + Send + Sync;
type Clock = dyn Fn() -> u64 + Send + Sync;

/// Temporary keys from the caller's `fetch` (an STS call, a metadata service, a file...),
/// cached and fetched again when [`RefreshPolicy`] says they are about to expire (the
/// rule is [`CredentialsCache`]'s). Threads asking at the same time wait for one fetch.
/// If a refresh fails while the cached keys are still valid, the cached keys are used.
///
/// ```
/// use cos_blocking::{ProvideCredentials, RefreshingCredentials};
/// use cos_proto::{Credentials, ExpiringCredentials};
/// let provider = RefreshingCredentials::new(|| {
///     Ok(ExpiringCredentials {
///         credentials: Credentials::new("AKIDTMP", "SECRET")?.with_token("TOKEN")?,
///         expires_at: Some(4_000_000_000),
///     })
/// });
/// assert_eq!(provider.credentials().unwrap().token(), Some("TOKEN"));
/// ```
pub struct RefreshingCredentials {
    fetch: Box<Fetch>,
    clock: Box<Clock>,
    cache: Mutex<CredentialsCache>,
}

impl RefreshingCredentials {
    /// Calls `fetch` for the first keys and whenever they are about to expire.
    pub fn new(
        fetch: impl Fn() -> Result<ExpiringCredentials, BoxError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            fetch: Box::new(fetch),
            clock: Box::new(unix_now),
            cache: Mutex::new(CredentialsCache::new(RefreshPolicy::default())),
        }
    }

    /// How long before expiry to refresh (default: [`RefreshPolicy::default`]).
    pub fn policy(self, policy: RefreshPolicy) -> Self {
        Self {
            cache: Mutex::new(CredentialsCache::new(policy)),
            ..self
        }
    }

    /// Replaces the clock (Unix seconds); for tests.
    pub fn clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }
}

impl ProvideCredentials for RefreshingCredentials {
    fn credentials(&self) -> Result<Credentials, Error> {
        // Holding the lock while fetching makes concurrent callers wait for one fetch.
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let now = (self.clock)();
        if !cache.needs_refresh(now) {
            return cache.credentials();
        }
        let fetched = (self.fetch)();
        if let Err(err) = &fetched {
            tracing::warn!(error = %err, "credential refresh failed");
        }
        cache.after_fetch(now, fetched)
    }
}

impl fmt::Debug for RefreshingCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("RefreshingCredentials")
            .field("cache", &*cache)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    #[test]
    fn refreshes_within_the_margin_and_survives_a_failed_refresh() {
        let fetches = Arc::new(AtomicUsize::new(0));
        let now = Arc::new(AtomicU64::new(1_000));
        let counter = Arc::clone(&fetches);
        let provider = RefreshingCredentials::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            if n == 2 {
                return Err("sts down".into());
            }
            Ok(ExpiringCredentials {
                credentials: Credentials::new(format!("AKID{n}"), "SECRETKEY123")?,
                expires_at: Some(2_000 + 1_000 * n as u64),
            })
        })
        .clock({
            let now = Arc::clone(&now);
            move || now.load(Ordering::SeqCst)
        });
        let id = |p: &RefreshingCredentials| p.credentials().map(|c| c.secret_id().to_owned());
        assert_eq!(id(&provider).ok().as_deref(), Some("AKID0"));
        assert_eq!(id(&provider).ok().as_deref(), Some("AKID0"));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // Within the 300 s margin of 2000: refresh.
        now.store(1_750, Ordering::SeqCst);
        assert_eq!(id(&provider).ok().as_deref(), Some("AKID1"));
        // Next refresh fails while AKID1 (expires 3000) is still valid: keep it.
        now.store(2_800, Ordering::SeqCst);
        assert_eq!(id(&provider).ok().as_deref(), Some("AKID1"));
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
        // Once refreshed again it moves on.
        assert_eq!(id(&provider).ok().as_deref(), Some("AKID3"));
        let shown = format!("{provider:?}");
        assert!(!shown.contains("SECRETKEY123"), "{shown}");
    }

    #[test]
    fn a_failed_first_fetch_is_an_error() {
        let provider = RefreshingCredentials::new(|| Err("no".into()));
        assert!(matches!(provider.credentials(), Err(Error::Credentials(_))));
    }
}
