//! Presigned URLs: a URL that carries its own signature in the query, for a browser, a
//! `curl` or a third party to use until it expires.
//!
//! Unlike the official Python SDK, a temporary credential's token is added to the URL
//! (as the signed `x-cos-security-token` parameter), so the URL works; a token the caller
//! passes as a parameter, as the SDK asks its users to, is sent and signed once, as given.
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

use crate::encode::{build_query, caller_params, path_encode, signed_name};
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
    sign_host: Option<bool>,
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
            sign_host: None,
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
    /// `response-content-type`, `versionId`, `x-cos-traffic-limit`). Any name but an
    /// empty one, any value; one whose name, percent-encoded and lower-cased, equals a
    /// parameter already added replaces it in place (the official SDK's `Params` dict).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Signs a header the user of the URL must then send with exactly this value (for
    /// example `Content-Type` on an upload). Headers COS does not sign are ignored. A
    /// `Host` given here is signed as given, in place of the endpoint's.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Whether the endpoint's `host` is signed (the official SDK's `SignHost`; default:
    /// the config's [`crate::ConfigBuilder::sign_host`], itself on by default). Leave it
    /// out for a URL that must also work through another domain (a CDN, a proxy); a
    /// `Host` given with [`Presign::header`] is signed either way.
    pub fn sign_host(mut self, sign_host: bool) -> Self {
        self.sign_host = Some(sign_host);
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
        let mut params = caller_params(&self.params)?;
        if let Some(token) = credentials.token()
            && !params
                .iter()
                .any(|(name, _)| signed_name(name) == SECURITY_TOKEN_HEADER)
        {
            params.push((SECURITY_TOKEN_HEADER.to_owned(), token.to_owned()));
        }
        let base = format!("{}{}", config.base_url(), path);
        let uri: http::Uri = base.parse().map_err(|_| InputError::InvalidArgument {
            what: "presigned URL",
            reason: base.clone(),
        })?;
        let signing = SigningParts::from_uri(&self.method, &uri);
        let host = config.host();
        // One value per signed name, the last one given (a dict, as in the SDK).
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(self.headers.len() + 1);
        for (name, value) in self
            .headers
            .iter()
            .filter(|(n, _)| sign::is_signed_header(n))
        {
            headers.retain(|(present, _)| !present.eq_ignore_ascii_case(name));
            headers.push((name, value));
        }
        if self.sign_host.unwrap_or(config.sign_host())
            && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host"))
        {
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

    fn query_pairs(url: &str) -> Vec<(String, String)> {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        crate::encode::parse_query(query).expect("decodes")
    }

    #[test]
    fn a_token_the_caller_passes_is_sent_and_signed_once() {
        let creds = Credentials::new("AKID", "KEY")
            .and_then(|c| c.with_token("tok"))
            .expect("valid");
        for name in ["x-cos-security-token", "X-Cos-Security-Token"] {
            let url = Presign::get("k")
                .param(name, "tok")
                .url(&config(), &creds, 1_700_000_000)
                .expect("signs");
            let pairs = query_pairs(&url);
            let tokens: Vec<_> = pairs
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("x-cos-security-token"))
                .collect();
            assert_eq!(tokens.len(), 1, "{url}");
            assert!(
                url.contains("q-url-param-list=x-cos-security-token&"),
                "{url}"
            );
        }
    }

    #[test]
    fn sign_host_off_leaves_host_out_and_a_given_host_is_signed_as_given() {
        let creds = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").expect("valid");
        let now = 1_700_000_000;
        let url = Presign::get("a.txt")
            .sign_host(false)
            .url(&config(), &creds, now)
            .expect("signs");
        let expected = sign::authorize(&creds, KeyTime::new(now, 300), "get", "/a.txt", &[], &[]);
        assert!(url.contains("&q-header-list=&q-url-param-list=&"), "{url}");
        assert!(
            url.ends_with(&format!("q-signature={}", expected.signature)),
            "{url}"
        );
        // A Host given as a header is signed whatever `sign_host` says.
        for sign_host in [true, false] {
            let url = Presign::get("a.txt")
                .sign_host(sign_host)
                .header("Host", "cdn.example.com")
                .url(&config(), &creds, now)
                .expect("signs");
            let expected = sign::authorize(
                &creds,
                KeyTime::new(now, 300),
                "get",
                "/a.txt",
                &[],
                &[("host", "cdn.example.com")],
            );
            assert!(
                url.ends_with(&format!("q-signature={}", expected.signature)),
                "{url}"
            );
        }
    }

    #[test]
    fn parameters_and_headers_follow_the_sdks_dict_rules() {
        let creds = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").expect("valid");
        let now = 1_700_000_000;
        let url = Presign::get("a.txt")
            .param("versionId", "v1")
            .param("response-content-type", "text/plain; charset=中")
            .param("VersionId", "v2")
            .header("content-type", "a")
            .header("Content-Type", "b")
            .header("User-Agent", "not signed")
            .url(&config(), &creds, now)
            .expect("signs");
        let pairs = query_pairs(&url);
        let extra: Vec<_> = pairs.iter().filter(|(n, _)| !n.starts_with("q-")).collect();
        assert_eq!(
            extra,
            [
                &("VersionId".to_owned(), "v2".to_owned()),
                &(
                    "response-content-type".to_owned(),
                    "text/plain; charset=中".to_owned()
                )
            ]
        );
        let expected = sign::authorize(
            &creds,
            KeyTime::new(now, 300),
            "get",
            "/a.txt",
            &[
                ("VersionId", "v2"),
                ("response-content-type", "text/plain; charset=中"),
            ],
            &[("Content-Type", "b"), ("host", &config().host())],
        );
        assert!(url.contains(&format!(
            "q-header-list={}&",
            expected.header_list.replace(';', "%3B")
        )));
        assert!(
            url.contains(&format!("q-signature={}&", expected.signature)),
            "{url}"
        );
        assert!(
            Presign::get("k")
                .param("", "v")
                .url(&config(), &creds, now)
                .is_err()
        );
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
