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

use crate::credentials::{Credentials, ENV_VARS, ExpiringCredentials, RefreshPolicy};
use crate::driver::error::{BoxError, Error};

/// The keys the process environment holds (`lookup` reads a variable; the names are
/// [`ENV_VARS`], `COS_*` first), as every client's environment provider answers them:
/// none, or malformed keys, is [`Error::Credentials`] naming the variables.
pub fn from_environment(lookup: impl Fn(&str) -> Option<String>) -> Result<Credentials, Error> {
    let names = || {
        let names: Vec<String> = ENV_VARS
            .iter()
            .map(|(id, key, _)| format!("{id}/{key}"))
            .collect();
        names.join(" or ")
    };
    match Credentials::from_env(lookup) {
        Ok(Some(credentials)) => Ok(credentials),
        Ok(None) => Err(Error::Credentials(format!(
            "none in the environment: set {} (or build the client with .credentials(..) or \
             .anonymous())",
            names()
        ))),
        Err(err) => Err(Error::Credentials(format!(
            "the environment's keys ({}) are malformed: {err}",
            names()
        ))),
    }
}

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

    /// Takes the result of the fetch [`CredentialsCache::needs_refresh`] asked for at
    /// `now`, and answers the keys to sign with: the fresh ones, the cached ones while
    /// they are valid if the fetch failed, else the failure as [`Error::Credentials`].
    pub fn after_fetch(
        &mut self,
        now: u64,
        fetched: Result<ExpiringCredentials, BoxError>,
    ) -> Result<Credentials, Error> {
        match fetched {
            Ok(fresh) => self.on_fetched(fresh),
            // The cached keys still sign; the next request fetches again.
            Err(_) if self.on_fetch_failed(now) => {}
            // A credential source's own error says it all.
            Err(err) => {
                return Err(match err.downcast::<Error>() {
                    Ok(err) => match *err {
                        Error::Credentials(reason) => Error::Credentials(reason),
                        other => Error::Credentials(format!("refresh failed: {other}")),
                    },
                    Err(err) => Error::Credentials(format!("refresh failed: {err}")),
                });
            }
        }
        self.credentials()
    }

    /// The cached keys, or [`Error::Credentials`] when none were ever fetched.
    pub fn credentials(&self) -> Result<Credentials, Error> {
        self.current()
            .cloned()
            .ok_or_else(|| Error::Credentials("no credentials fetched".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_answers_keys_or_a_credentials_error() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let found = from_environment(vars(&[("COS_SECRET_ID", "AKID"), ("COS_SECRET_KEY", "K")]));
        assert_eq!(found.expect("keys").secret_id(), "AKID");
        let none = from_environment(vars(&[]));
        assert!(matches!(none, Err(Error::Credentials(m)) if m.contains("COS_SECRET_ID")));
        let bad = from_environment(vars(&[("COS_SECRET_ID", "AK ID"), ("COS_SECRET_KEY", "K")]));
        assert!(
            matches!(&bad, Err(Error::Credentials(m)) if m.contains("malformed")),
            "{bad:?}"
        );
    }

    #[test]
    fn a_failed_fetch_keeps_valid_keys_and_reports_otherwise() {
        let keys = |at| ExpiringCredentials {
            credentials: Credentials::new("AKIDTMP", "KEY").expect("valid"),
            expires_at: Some(at),
        };
        let mut cache = CredentialsCache::new(RefreshPolicy { margin_secs: 100 });
        assert!(matches!(cache.credentials(), Err(Error::Credentials(_))));
        assert!(cache.after_fetch(0, Err("down".into())).is_err());
        assert!(cache.after_fetch(0, Ok(keys(1_000))).is_ok());
        assert!(cache.after_fetch(950, Err("down".into())).is_ok());
        let expired = cache.after_fetch(1_000, Err("down".into()));
        assert!(matches!(expired, Err(Error::Credentials(m)) if m.contains("down")));
    }

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
