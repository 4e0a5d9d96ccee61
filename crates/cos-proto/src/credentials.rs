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
