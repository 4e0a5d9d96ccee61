//! Assembling `http::Request`s: URL, query, headers and the framing headers that the
//! signature covers.

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::{HeaderName, HeaderValue, Method};

use crate::config::Config;
use crate::encode::{build_query, push_path_encoded, query_encode, set_param};
use crate::error::InputError;
use crate::key::check_key;
use crate::ops::Extras;

/// The body of a request built by this crate.
///
/// The core never owns object data: for uploads it only states how long the payload is,
/// and the transport streams the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// No body. PUT, POST and DELETE still send `Content-Length: 0`.
    Empty,
    /// A small document the core generated (XML), sent as is.
    Bytes(Bytes),
    /// Object data the transport supplies: exactly `length` bytes (`Content-Length`), or,
    /// when the length is unknown, a chunked stream (`Transfer-Encoding: chunked`).
    Payload {
        /// The exact number of bytes the transport must send, if known.
        length: Option<u64>,
    },
}

impl Body {
    /// The length the request announces, if any.
    pub fn content_length(&self) -> Option<u64> {
        match self {
            Body::Empty => Some(0),
            Body::Bytes(bytes) => Some(bytes.len() as u64),
            Body::Payload { length } => *length,
        }
    }
}

/// Builds one request. Operations use it; every rule about URLs and framing lives here.
#[derive(Debug)]
pub(crate) struct RequestBuilder {
    method: Method,
    key: Option<String>,
    /// GET Service: this host instead of the bucket's, and no bucket in the path.
    service_host: Option<String>,
    query: Vec<(String, String)>,
    /// Parameters sent as a bare name (`?intelligent-tiering`), without `=`.
    bare: Vec<&'static str>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Body,
}

impl RequestBuilder {
    /// A request on an object; the key is checked ([`check_key`]).
    pub(crate) fn object(method: Method, key: &str) -> Result<Self, InputError> {
        check_key(key)?;
        Ok(Self::new(method, Some(key.to_owned())))
    }

    /// A request on an object whose key is checked without the "key simplify" rule
    /// ([`crate::key::check_key_unsimplified`]).
    pub(crate) fn object_unsimplified(method: Method, key: &str) -> Result<Self, InputError> {
        crate::key::check_key_unsimplified(key)?;
        Ok(Self::new(method, Some(key.to_owned())))
    }

    /// A request on the bucket itself (path `/`).
    pub(crate) fn bucket(method: Method) -> Self {
        Self::new(method, None)
    }

    /// A request on the service rather than a bucket (GET Service): it goes to `host`
    /// (with path-style and IP addressing, to the configuration's address) at path `/`.
    pub(crate) fn service(method: Method, host: String) -> Self {
        let mut builder = Self::new(method, None);
        builder.service_host = Some(host);
        builder
    }

    fn new(method: Method, key: Option<String>) -> Self {
        Self {
            method,
            key,
            service_host: None,
            bare: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// Appends a query parameter (sent in this order; an empty value is sent as `name=`).
    /// A parameter whose signed name (percent-encoded, lower-cased) equals one already
    /// present replaces it in place, name and value: the signature has one entry per
    /// signed name, so the wire must too.
    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        set_param(&mut self.query, name, &value.into());
        self
    }

    /// Appends a sub-resource sent as a bare name, without `=` (`?intelligent-tiering`).
    /// It is signed like any parameter, with an empty value.
    pub(crate) fn query_bare(mut self, name: &'static str) -> Self {
        set_param(&mut self.query, name, "");
        self.bare.push(name);
        self
    }

    /// Appends a query parameter when the value is present.
    pub(crate) fn query_opt(self, name: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Sets a header; fails if the value cannot travel in HTTP (line breaks, controls).
    /// Values of headers that carry key material are marked sensitive
    /// ([`crate::headers::is_sensitive_header`]).
    pub(crate) fn header(mut self, name: HeaderName, value: &str) -> Result<Self, InputError> {
        let mut value =
            HeaderValue::from_str(value).map_err(|_| InputError::InvalidHeaderValue {
                name: name.as_str().to_owned(),
                reason: "contains a line break or a control character",
            })?;
        value.set_sensitive(crate::headers::is_sensitive_header(name.as_str()));
        self.headers.push((name, value));
        Ok(self)
    }

    /// Sets a header, removing the ones of the same name set before.
    pub(crate) fn replace_header(
        mut self,
        name: HeaderName,
        value: &str,
    ) -> Result<Self, InputError> {
        self.headers.retain(|(present, _)| *present != name);
        self.header(name, value)
    }

    /// Applies the caller's extra headers and parameters ([`Extras`]).
    pub(crate) fn extras(self, extras: &Extras) -> Result<Self, InputError> {
        if extras.is_empty() {
            return Ok(self);
        }
        extras.apply(self)
    }

    /// Sets a header whose name is a static, known-valid lower-case string.
    pub(crate) fn header_static(self, name: &'static str, value: &str) -> Result<Self, InputError> {
        self.header(HeaderName::from_static(name), value)
    }

    /// Sets a header when the value is present.
    pub(crate) fn header_opt(
        self,
        name: &'static str,
        value: Option<&str>,
    ) -> Result<Self, InputError> {
        match value {
            Some(value) => self.header_static(name, value),
            None => Ok(self),
        }
    }

    /// Sets the body.
    pub(crate) fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Produces the unsigned request for `config`: absolute URI, explicit `Host`,
    /// `Content-Length` (or `Transfer-Encoding: chunked`) exactly as COS signs them.
    pub(crate) fn build(self, config: &Config) -> Result<http::Request<Body>, InputError> {
        let host = self.service_host.clone().unwrap_or_else(|| config.host());
        let uri = self.uri(config, &host);
        let parsed = http::Uri::from_maybe_shared(Bytes::from(uri)).map_err(|_| {
            InputError::InvalidArgument {
                what: "request URI",
                reason: self.uri(config, &host),
            }
        })?;
        let host = HeaderValue::from_maybe_shared(Bytes::from(host)).map_err(|_| {
            InputError::InvalidEndpoint {
                endpoint: config.host(),
                reason: "cannot be sent as a Host header",
            }
        })?;
        let mut request = http::Request::new(Body::Empty);
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = parsed;
        let headers = request.headers_mut();
        // Host, the framing header and the signature come on top of the operation's own.
        headers.reserve(self.headers.len() + 4);
        headers.insert(HOST, host);
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        let has_body_semantics = !matches!(self.method, Method::GET | Method::HEAD);
        match self.body.content_length() {
            Some(0) if !has_body_semantics => {}
            Some(length) => {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
            }
            None => {
                headers.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
            }
        }
        *request.body_mut() = self.body;
        Ok(request)
    }

    /// `scheme://authority[/bucket]/encoded-key[?query]`.
    fn uri(&self, config: &Config, host: &str) -> String {
        let authority = config.url_authority().unwrap_or(host);
        let key_len = self.key.as_ref().map_or(0, String::len);
        let mut uri = String::with_capacity(authority.len() + 2 * key_len + 64);
        uri.push_str(config.scheme().as_str());
        uri.push_str("://");
        uri.push_str(authority);
        if let Some(bucket) = config.path_bucket().filter(|_| self.service_host.is_none()) {
            uri.push('/');
            uri.push_str(bucket);
        }
        match &self.key {
            Some(key) => push_path_encoded(&mut uri, key),
            None => uri.push('/'),
        }
        if !self.query.is_empty() {
            uri.push('?');
            if self.bare.is_empty() {
                uri.push_str(&build_query(
                    self.query.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                ));
            } else {
                self.push_query_with_bare(&mut uri);
            }
        }
        uri
    }
}

impl RequestBuilder {
    /// The query with the bare sub-resources written without `=`.
    fn push_query_with_bare(&self, uri: &mut String) {
        for (i, (name, value)) in self.query.iter().enumerate() {
            if i > 0 {
                uri.push('&');
            }
            uri.push_str(&query_encode(name));
            if !(value.is_empty() && self.bare.contains(&name.as_str())) {
                uri.push('=');
                uri.push_str(&query_encode(value));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .scheme(crate::Scheme::Http)
            .build()
            .expect("valid")
    }

    #[test]
    fn object_request_has_encoded_path_host_and_framing() {
        let request = RequestBuilder::object(Method::PUT, "a b/./c")
            .and_then(|b| b.header_static("content-type", "text/plain"))
            .map(|b| b.body(Body::Payload { length: Some(5) }))
            .and_then(|b| b.build(&config()))
            .expect("builds");
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b/.%2Fc"
        );
        assert_eq!(
            request.headers()[HOST],
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(request.headers()[CONTENT_LENGTH], "5");
        assert_eq!(request.body(), &Body::Payload { length: Some(5) });
    }

    #[test]
    fn framing_follows_the_method_and_body() {
        let get = RequestBuilder::bucket(Method::GET)
            .build(&config())
            .expect("builds");
        assert!(get.headers().get(CONTENT_LENGTH).is_none());
        let delete = RequestBuilder::object(Method::DELETE, "k")
            .and_then(|b| b.build(&config()))
            .expect("builds");
        assert_eq!(delete.headers()[CONTENT_LENGTH], "0");
        let chunked = RequestBuilder::object(Method::PUT, "k")
            .map(|b| b.body(Body::Payload { length: None }))
            .and_then(|b| b.build(&config()))
            .expect("builds");
        assert_eq!(chunked.headers()[TRANSFER_ENCODING], "chunked");
        assert!(chunked.headers().get(CONTENT_LENGTH).is_none());
    }

    #[test]
    fn query_is_form_encoded_in_order() {
        let request = RequestBuilder::bucket(Method::GET)
            .query("prefix", "a b/")
            .query("uploads", "")
            .build(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("prefix=a+b%2F&uploads="));
    }

    #[test]
    fn bare_sub_resources_and_service_requests() {
        let request = RequestBuilder::bucket(Method::GET)
            .query_bare("intelligent-tiering")
            .query("id", "a b")
            .build(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("intelligent-tiering&id=a+b"));
        let local = Config::builder("ap-guangzhou", "bkt")
            .path_style("127.0.0.1:9000")
            .build()
            .expect("valid");
        let request = RequestBuilder::service(Method::GET, "127.0.0.1:9000".to_owned())
            .build(&local)
            .expect("builds");
        assert_eq!(request.uri().to_string(), "http://127.0.0.1:9000/");
        let request = RequestBuilder::service(Method::GET, "service.cos.myqcloud.com".to_owned())
            .build(&config())
            .expect("builds");
        assert_eq!(
            request.uri().to_string(),
            "http://service.cos.myqcloud.com/"
        );
        assert_eq!(request.headers()[HOST], "service.cos.myqcloud.com");
    }

    #[test]
    fn header_values_with_line_breaks_are_rejected() {
        let err = RequestBuilder::object(Method::PUT, "k")
            .and_then(|b| b.header_static("content-type", "a\r\nb"));
        assert!(matches!(err, Err(InputError::InvalidHeaderValue { .. })));
    }

    #[test]
    fn path_style_prefixes_the_bucket() {
        let cfg = Config::builder("ap-guangzhou", "bkt")
            .path_style("127.0.0.1:9000")
            .build()
            .expect("valid");
        let request = RequestBuilder::object(Method::GET, "x y")
            .and_then(|b| b.build(&cfg))
            .expect("builds");
        assert_eq!(request.uri().to_string(), "http://127.0.0.1:9000/bkt/x%20y");
        assert_eq!(request.headers()[HOST], "127.0.0.1:9000");
    }
}
