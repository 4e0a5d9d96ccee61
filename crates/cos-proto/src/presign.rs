//! Presigned URLs: a URL that carries its own signature in the query, for a browser, a
//! `curl` or a third party to use until it expires.
//!
//! Unlike the official Python SDK, a temporary credential's token is added to the URL
//! (as the signed `x-cos-security-token` parameter), so the URL works.
//!
//! ```
//! use cos_proto::{Config, Credentials, presign::Presign};
//! let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
//! let creds = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").unwrap();
//! let url = Presign::get("dir/中文 1.txt").url(&config, &creds, 1_700_000_000).unwrap();
//! assert_eq!(
//!     url,
//!     "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/%E4%B8%AD%E6%96%87%201.txt\
//!      ?q-sign-algorithm=sha1&q-ak=AKIDEXAMPLE&q-sign-time=1699999940%3B1700000300\
//!      &q-key-time=1699999940%3B1700000300&q-header-list=host&q-url-param-list=\
//!      &q-signature=08100f8637c7856190581c599396548f37eb5d73"
//! );
//! ```

use http::Method;

use crate::encode::{build_query, path_encode};
use crate::error::{Error, InputError};
use crate::key::check_key;
use crate::sign::{self, KeyTime, SECURITY_TOKEN_HEADER, SigningParts};
use crate::{Config, Credentials};

/// The default validity of a presigned URL, in seconds (as in the official SDKs).
pub const DEFAULT_EXPIRY_SECS: u64 = 300;

/// A presigned-URL request: method, object, extra signed parameters and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Presign {
    method: Method,
    key: Option<String>,
    params: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    expires_in: u64,
}

impl Presign {
    /// A URL for `method` on `key`.
    pub fn new(method: Method, key: impl Into<String>) -> Self {
        Self {
            method,
            key: Some(key.into()),
            params: Vec::new(),
            headers: Vec::new(),
            expires_in: DEFAULT_EXPIRY_SECS,
        }
    }

    /// A URL on the bucket itself (for example a listing).
    pub fn bucket(method: Method) -> Self {
        Self {
            key: None,
            ..Self::new(method, String::new())
        }
    }

    /// A download URL (GET).
    pub fn get(key: impl Into<String>) -> Self {
        Self::new(Method::GET, key)
    }

    /// An upload URL (PUT).
    pub fn put(key: impl Into<String>) -> Self {
        Self::new(Method::PUT, key)
    }

    /// Adds a query parameter that is signed and appended to the URL (for example
    /// `response-content-type`, `versionId`, `x-cos-traffic-limit`).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Signs a header the user of the URL must then send with exactly this value (for
    /// example `Content-Type` on an upload). Headers COS does not sign are ignored.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How long the URL stays valid, in seconds (default [`DEFAULT_EXPIRY_SECS`]).
    pub fn expires_in(mut self, seconds: u64) -> Self {
        self.expires_in = seconds;
        self
    }

    /// The signed URL, valid from `now - 60` to `now + expires_in` (Unix seconds).
    pub fn url(
        &self,
        config: &Config,
        credentials: &Credentials,
        now: u64,
    ) -> Result<String, Error> {
        config.check_transport_for(credentials)?;
        let mut path = config.path_prefix();
        match &self.key {
            Some(key) => {
                check_key(key)?;
                path.push_str(&path_encode(key));
            }
            None => path.push('/'),
        }
        let mut params = self.params.clone();
        if let Some(token) = credentials.token() {
            params.push((SECURITY_TOKEN_HEADER.to_owned(), token.to_owned()));
        }
        let base = format!("{}{}", config.base_url(), path);
        let uri: http::Uri = base.parse().map_err(|_| InputError::InvalidArgument {
            what: "presigned URL",
            reason: base.clone(),
        })?;
        let signing = SigningParts::from_uri(&self.method, &uri);
        let host = config.host();
        let mut headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .filter(|(name, _)| sign::is_signed_header(name) && !name.eq_ignore_ascii_case("host"))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if config.sign_host() {
            headers.push(("host", &host));
        }
        let signed_params: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let key_time = KeyTime::new(now, self.expires_in);
        let authorization = sign::authorize(
            credentials,
            key_time,
            &signing.method,
            &signing.path,
            &signed_params,
            &headers,
        );
        let fields = authorization.fields();
        let mut query = build_query(fields.iter().map(|(n, v)| (*n, v.as_str())));
        if !params.is_empty() {
            query.push('&');
            query.push_str(&build_query(signed_params.iter().copied()));
        }
        Ok(format!("{base}?{query}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .build()
            .expect("valid")
    }

    #[test]
    fn python_sdk_vector_v10_put_with_params_and_headers() {
        let creds = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").expect("valid");
        let url = Presign::put("a.txt")
            .expires_in(600)
            .param("x-cos-traffic-limit", "819200")
            .header("Content-Type", "text/plain")
            .url(&config(), &creds, 1_700_000_000)
            .expect("signs");
        assert!(
            url.contains("q-header-list=content-type%3Bhost&q-url-param-list=x-cos-traffic-limit")
        );
        assert!(url.contains("q-signature=d609e45094b303f86e207c60b55e5a8f28753ceb"));
        assert!(url.ends_with("&x-cos-traffic-limit=819200"));
    }

    #[test]
    fn token_is_added_as_a_signed_parameter() {
        let creds = Credentials::new("AKID", "KEY")
            .and_then(|c| c.with_token("tok+/="))
            .expect("valid");
        let url = Presign::get("k")
            .url(&config(), &creds, 1_700_000_000)
            .expect("signs");
        assert!(url.contains("q-url-param-list=x-cos-security-token&"));
        assert!(url.ends_with("&x-cos-security-token=tok%2B%2F%3D"));
    }

    #[test]
    fn invalid_keys_are_rejected() {
        let creds = Credentials::new("AKID", "KEY").expect("valid");
        assert!(Presign::get("").url(&config(), &creds, 1).is_err());
        assert!(Presign::get("a/..").url(&config(), &creds, 1).is_err());
        assert!(
            Presign::bucket(Method::HEAD)
                .url(&config(), &creds, 1)
                .is_ok()
        );
    }
}
