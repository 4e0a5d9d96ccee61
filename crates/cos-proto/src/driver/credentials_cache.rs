//! The cache of temporary credentials a driver keeps: when to fetch new keys, and what to
//! do when fetching fails. The driver holds the cache behind its lock (so that one fetch
//! serves every waiting request), reads the clock and calls the user's fetch.
//!
//! ```
//! use cos_proto::driver::credentials_cache::CredentialsCache;
//! use cos_proto::{Credentials, ExpiringCredentials, RefreshPolicy};
//!
//! let mut cache = CredentialsCache::new(RefreshPolicy::default());
//! assert!(cache.needs_refresh(1_000));
//! cache.on_fetched(ExpiringCredentials {
//!     credentials: Credentials::new("AKIDTMP", "KEY").unwrap(),
//!     expires_at: Some(2_000),
//! });
//! assert!(!cache.needs_refresh(1_000));
//! assert!(cache.needs_refresh(1_750)); // within the 300 s margin
//! assert!(cache.on_fetch_failed(1_750)); // still valid: keep using the cached keys
//! assert!(!cache.on_fetch_failed(2_000)); // expired: the failure is the caller's error
//! ```

use crate::credentials::{Credentials, ExpiringCredentials, RefreshPolicy};

/// Cached temporary credentials and their refresh rule.
#[derive(Debug, Clone, Default)]
pub struct CredentialsCache {
    policy: RefreshPolicy,
    current: Option<ExpiringCredentials>,
}

impl CredentialsCache {
    /// An empty cache refreshed per `policy`.
    pub fn new(policy: RefreshPolicy) -> Self {
        Self {
            policy,
            current: None,
        }
    }

    /// `true` when the driver must fetch keys before signing at `now` (Unix seconds).
    pub fn needs_refresh(&self, now: u64) -> bool {
        self.policy.needs_refresh(self.current.as_ref(), now)
    }

    /// Stores freshly fetched keys.
    pub fn on_fetched(&mut self, fresh: ExpiringCredentials) {
        self.current = Some(fresh);
    }

    /// A fetch failed at `now`: `true` when the cached keys have not expired yet and may
    /// still sign (the refresh margin is a safety buffer, not the expiry); `false` when
    /// the failure must be reported.
    pub fn on_fetch_failed(&self, now: u64) -> bool {
        self.current
            .as_ref()
            .is_some_and(|c| c.expires_at.is_none_or(|at| now < at))
    }

    /// The cached keys, if any.
    pub fn current(&self) -> Option<&Credentials> {
        self.current.as_ref().map(|c| &c.credentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanent_keys_never_refresh_and_empty_caches_always_do() {
        let mut cache = CredentialsCache::new(RefreshPolicy { margin_secs: 10 });
        assert!(cache.needs_refresh(0));
        assert!(!cache.on_fetch_failed(0));
        assert!(cache.current().is_none());
        cache.on_fetched(ExpiringCredentials {
            credentials: Credentials::new("AKID", "KEY").expect("valid"),
            expires_at: None,
        });
        assert!(!cache.needs_refresh(u64::MAX));
        assert!(cache.on_fetch_failed(u64::MAX));
        assert_eq!(cache.current().map(Credentials::secret_id), Some("AKID"));
    }
}
