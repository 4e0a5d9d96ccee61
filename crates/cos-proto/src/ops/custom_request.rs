//! Any request the typed operations do not model (bucket configuration APIs, new COS
//! features), built and parsed with the same rules.

use bytes::Bytes;
use http::Method;

use super::Extras;
use super::setters::extras_setters;

use crate::Config;
use crate::error::Error;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response;
use crate::retry::Idempotency;

/// A request with a free-form method, key, query and headers, added with the `param` and
/// `header` every operation has: parameters are signed like any others (one per signed
/// name, the last one given wins); headers are signed when COS signs them (see
/// [`crate::sign::is_signed_header`]). The output is the raw response after the status
/// check.
///
/// Only a `GET` or `HEAD` is sent again after its answer was lost: any other method may
/// have taken effect, so the caller gets the transport error unless it declares the
/// request [`idempotent`](CustomRequest::idempotent).
///
/// ```
/// use cos_proto::{Config, Operation, ops::CustomRequest};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = CustomRequest::bucket(http::Method::GET).param("versioning", "").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("versioning="));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct CustomRequest {
    method: Method,
    key: Option<String>,
    extras: Extras,
    body: Body,
    idempotent: bool,
}

impl CustomRequest {
    /// A request on an object.
    pub fn object(method: Method, key: impl Into<String>) -> Self {
        Self {
            key: Some(key.into()),
            extras: Extras::default(),
            body: Body::Empty,
            idempotent: matches!(method, Method::GET | Method::HEAD),
            method,
        }
    }

    /// A request on the bucket (path `/`).
    pub fn bucket(method: Method) -> Self {
        Self {
            key: None,
            ..Self::object(method, String::new())
        }
    }

    extras_setters!(extras);

    /// Sets the body: a document ([`Body::Bytes`]) or a payload the driver streams.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Declares whether repeating the request is harmless (a `PUT` of a whole
    /// configuration, say), so that it is retried like a `GET` after a lost answer.
    /// Default: only `GET` and `HEAD` are.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }
}

impl Operation for CustomRequest {
    type Output = http::Response<Bytes>;
    const NAME: &'static str = "CustomRequest";

    fn idempotency(&self) -> Idempotency {
        if self.idempotent {
            Idempotency::Idempotent
        } else {
            Idempotency::NotIdempotent
        }
    }

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let b = match &self.key {
            Some(key) => RequestBuilder::object(self.method.clone(), key)?,
            None => RequestBuilder::bucket(self.method.clone()),
        };
        Ok(b.extras(&self.extras)?
            .body(self.body.clone())
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<Self::Output, Error> {
        response::check(&self.method, url, &response)?;
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, header, response};

    #[test]
    fn builds_free_form_requests() {
        let request = CustomRequest::object(Method::POST, "form")
            .param("x", "1")
            .param("empty", "")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("X-Custom", "v")
            .body(Body::Bytes(Bytes::from_static(b"a=1&b=2")))
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().path_and_query().map(|p| p.as_str()),
            Some("/form?x=1&empty=")
        );
        assert_eq!(
            header(&request, "content-type"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(header(&request, "x-custom"), "v");
        assert_eq!(header(&request, "content-length"), "7");
        assert!(
            CustomRequest::bucket(Method::GET)
                .header("bad name", "v")
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn only_gets_and_heads_are_repeated_unless_declared() {
        for (method, repeated) in [
            (Method::GET, true),
            (Method::HEAD, true),
            (Method::PUT, false),
            (Method::POST, false),
            (Method::DELETE, false),
        ] {
            let op = CustomRequest::object(method.clone(), "k");
            assert_eq!(
                op.idempotency() == Idempotency::Idempotent,
                repeated,
                "{method}"
            );
        }
        let put = CustomRequest::bucket(Method::PUT).idempotent(true);
        assert_eq!(put.idempotency(), Idempotency::Idempotent);
    }

    #[test]
    fn returns_the_raw_response_or_the_error() {
        let url = "http://h/".parse().expect("uri");
        let op = CustomRequest::bucket(Method::GET);
        let ok = op
            .parse_response(&url, response(200, &[], "<x/>"))
            .expect("ok");
        assert_eq!(ok.body().as_ref(), b"<x/>");
        assert!(op.parse_response(&url, response(500, &[], "")).is_err());
    }
}
