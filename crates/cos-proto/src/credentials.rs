//! Access keys: a `SecretId`, a `SecretKey` and, for temporary (STS) keys, a session token.

use std::fmt;

use crate::error::InputError;

/// COS access keys. `Debug` shows the `SecretId` only; the secret key and the token are
/// never printed.
///
/// ```
/// use cos_proto::Credentials;
/// let creds = Credentials::new("AKIDEXAMPLE", "SECRET").unwrap().with_token("TOKEN").unwrap();
/// let shown = format!("{creds:?}");
/// assert!(shown.contains("AKIDEXAMPLE") && !shown.contains("SECRET") && !shown.contains("TOKEN"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    secret_id: String,
    secret_key: String,
    token: Option<String>,
}

impl Credentials {
    /// Builds permanent credentials. Fails if either part is empty, has surrounding
    /// whitespace, or holds characters that cannot travel in an HTTP header.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, InputError> {
        let secret_id = secret_id.into();
        let secret_key = secret_key.into();
        check_part("SecretId", &secret_id)?;
        check_part("SecretKey", &secret_key)?;
        Ok(Self {
            secret_id,
            secret_key,
            token: None,
        })
    }

    /// Adds the session token of temporary credentials. It is sent as the signed
    /// `x-cos-security-token` header, and as a signed query parameter in presigned URLs.
    pub fn with_token(mut self, token: impl Into<String>) -> Result<Self, InputError> {
        let token = token.into();
        check_part("Token", &token)?;
        self.token = Some(token);
        Ok(self)
    }

    /// The public key id (`q-ak` in the signature).
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The secret key. Only the signer needs it; never log it.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The session token of temporary credentials, if any. Never log it.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

/// The environment variables credentials are read from, in order of precedence: COS's
/// own names, then the Tencent Cloud SDKs' names. Each entry is (id, key, token).
pub const ENV_VARS: [(&str, &str, &str); 2] = [
    ("COS_SECRET_ID", "COS_SECRET_KEY", "COS_TOKEN"),
    (
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
        "TENCENTCLOUD_SESSION_TOKEN",
    ),
];

impl Credentials {
    /// Reads credentials through `lookup` (the driver passes the process environment):
    /// the first family of [`ENV_VARS`] whose id and key are both set and non-empty wins,
    /// with that family's token if set. `Ok(None)` when no family is complete.
    ///
    /// ```
    /// use cos_proto::Credentials;
    /// let env = |name: &str| match name {
    ///     "TENCENTCLOUD_SECRET_ID" => Some("AKID".to_owned()),
    ///     "TENCENTCLOUD_SECRET_KEY" => Some("KEY".to_owned()),
    ///     _ => None,
    /// };
    /// let creds = Credentials::from_env(env).unwrap().unwrap();
    /// assert_eq!(creds.secret_id(), "AKID");
    /// ```
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, InputError> {
        Ok(Self::from_env_named(lookup)?.map(|(creds, _)| creds))
    }

    /// [`Credentials::from_env`], with the name of the variable the secret id came from
    /// (`COS_SECRET_ID` or `TENCENTCLOUD_SECRET_ID`).
    pub fn from_env_named(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<(Self, &'static str)>, InputError> {
        let set = |name: &str| lookup(name).filter(|v| !v.is_empty());
        for (id_var, key_var, token_var) in ENV_VARS {
            if let (Some(id), Some(key)) = (set(id_var), set(key_var)) {
                let mut creds = Credentials::new(id, key)?;
                if let Some(token) = set(token_var) {
                    creds = creds.with_token(token)?;
                }
                return Ok(Some((creds, id_var)));
            }
        }
        Ok(None)
    }
}

/// Temporary (STS) credentials and the Unix second they stop working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringCredentials {
    /// The keys and token.
    pub credentials: Credentials,
    /// When they expire (Unix seconds); `None` for keys that do not expire.
    pub expires_at: Option<u64>,
}

/// When to fetch new temporary credentials: `margin_secs` before they expire, so that no
/// request is signed with keys about to lapse (a request's signature is checked when it
/// arrives, and large uploads take time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// Seconds before expiry at which credentials count as stale.
    pub margin_secs: u64,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self { margin_secs: 300 }
    }
}

impl RefreshPolicy {
    /// `true` when there are no credentials yet or they expire within the margin at `now`.
    pub fn needs_refresh(&self, current: Option<&ExpiringCredentials>, now: u64) -> bool {
        match current {
            None => true,
            Some(ExpiringCredentials {
                expires_at: None, ..
            }) => false,
            Some(ExpiringCredentials {
                expires_at: Some(expires_at),
                ..
            }) => now.saturating_add(self.margin_secs) >= *expires_at,
        }
    }
}

fn check_part(what: &'static str, value: &str) -> Result<(), InputError> {
    if value.is_empty() {
        return Err(InputError::InvalidCredentials {
            what,
            reason: "is empty",
        });
    }
    if value.trim() != value {
        return Err(InputError::InvalidCredentials {
            what,
            reason: "has leading or trailing whitespace",
        });
    }
    if value.bytes().any(|b| b < 0x21 || b == 0x7f) {
        return Err(InputError::InvalidCredentials {
            what,
            reason: "contains a space or a control character",
        });
    }
    Ok(())
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let creds = Credentials::new("AKID123", "sk-very-secret")
            .and_then(|c| c.with_token("tok-very-secret"))
            .expect("valid");
        let shown = format!("{creds:?} {creds:#?}");
        assert!(shown.contains("AKID123"));
        assert!(!shown.contains("very-secret"));
    }

    #[test]
    fn environment_families_in_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let both = env(&[
            ("COS_SECRET_ID", "cos-id"),
            ("COS_SECRET_KEY", "cos-key"),
            ("COS_TOKEN", "cos-token"),
            ("TENCENTCLOUD_SECRET_ID", "tc-id"),
            ("TENCENTCLOUD_SECRET_KEY", "tc-key"),
        ]);
        let creds = Credentials::from_env(both).expect("valid").expect("found");
        assert_eq!(
            (creds.secret_id(), creds.token()),
            ("cos-id", Some("cos-token"))
        );
        let half = env(&[
            ("COS_SECRET_ID", "cos-id"),
            ("TENCENTCLOUD_SECRET_ID", "tc-id"),
            ("TENCENTCLOUD_SECRET_KEY", "tc-key"),
            ("TENCENTCLOUD_SESSION_TOKEN", "tc-token"),
        ]);
        let creds = Credentials::from_env(half).expect("valid").expect("found");
        assert_eq!(
            (creds.secret_id(), creds.token()),
            ("tc-id", Some("tc-token"))
        );
        assert_eq!(
            Credentials::from_env(env(&[("COS_SECRET_KEY", "k")])),
            Ok(None)
        );
        assert!(
            Credentials::from_env(env(&[("COS_SECRET_ID", " id"), ("COS_SECRET_KEY", "k")]))
                .is_err()
        );
    }

    #[test]
    fn refresh_before_expiry() {
        let creds = Credentials::new("id", "key").expect("valid");
        let policy = RefreshPolicy::default();
        let expiring = ExpiringCredentials {
            credentials: creds.clone(),
            expires_at: Some(1_000),
        };
        assert!(policy.needs_refresh(None, 0));
        assert!(!policy.needs_refresh(Some(&expiring), 699));
        assert!(policy.needs_refresh(Some(&expiring), 700));
        assert!(policy.needs_refresh(Some(&expiring), u64::MAX));
        let permanent = ExpiringCredentials {
            credentials: creds,
            expires_at: None,
        };
        assert!(!policy.needs_refresh(Some(&permanent), u64::MAX));
    }

    #[test]
    fn rejects_malformed_parts() {
        assert!(Credentials::new("", "k").is_err());
        assert!(Credentials::new(" id", "k").is_err());
        assert!(Credentials::new("id", "k ").is_err());
        assert!(Credentials::new("id", "k\nx").is_err());
        assert!(
            Credentials::new("id", "k")
                .and_then(|c| c.with_token(""))
                .is_err()
        );
        assert!(Credentials::new("id", "k").is_ok());
    }
}
