//! HEAD Object: read an object's attributes without its data.

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::Method;

use super::object_info::ObjectInfo;
use crate::Config;
use crate::error::Error;
use crate::headers::CustomerKey;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response;

/// Reads an object's attributes. A missing object is a [`crate::ServiceError`] with
/// status 404 and code `NoSuchResource` (HEAD responses have no body).
///
/// ```
/// use cos_proto::{Config, Operation, ops::HeadObject};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = HeadObject::new("a.txt").version_id("MTg0").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("versionId=MTg0"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct HeadObject {
    key: String,
    version_id: Option<String>,
    if_modified_since: Option<String>,
    if_unmodified_since: Option<String>,
    if_match: Option<String>,
    if_none_match: Option<String>,
    customer_key: Option<CustomerKey>,
    extras: Extras,
}

impl HeadObject {
    extras_setters!(extras);

    /// Reads `key`'s attributes.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            version_id: None,
            if_modified_since: None,
            if_unmodified_since: None,
            if_match: None,
            if_none_match: None,
            customer_key: None,
        }
    }

    /// Reads a given version.
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// Answers 304 unless modified after this HTTP date.
    pub fn if_modified_since(mut self, date: impl Into<String>) -> Self {
        self.if_modified_since = Some(date.into());
        self
    }

    /// Answers 412 if modified after this HTTP date.
    pub fn if_unmodified_since(mut self, date: impl Into<String>) -> Self {
        self.if_unmodified_since = Some(date.into());
        self
    }

    /// Answers 412 unless the ETag matches.
    pub fn if_match(mut self, etag: impl Into<String>) -> Self {
        self.if_match = Some(etag.into());
        self
    }

    /// Answers 304 if the ETag matches.
    pub fn if_none_match(mut self, etag: impl Into<String>) -> Self {
        self.if_none_match = Some(etag.into());
        self
    }

    /// The SSE-C key the object was stored with (required for SSE-C objects).
    pub fn customer_key(mut self, key: CustomerKey) -> Self {
        self.customer_key = Some(key);
        self
    }
}

impl Operation for HeadObject {
    type Output = ObjectInfo;
    const NAME: &'static str = "HeadObject";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let mut b = RequestBuilder::object(Method::HEAD, &self.key)?
            .query_opt("versionId", self.version_id.clone())
            .header_opt("if-modified-since", self.if_modified_since.as_deref())?
            .header_opt("if-unmodified-since", self.if_unmodified_since.as_deref())?
            .header_opt("if-match", self.if_match.as_deref())?
            .header_opt("if-none-match", self.if_none_match.as_deref())?;
        if let Some(key) = &self.customer_key {
            b = key.apply(b, "")?;
        }
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ObjectInfo, Error> {
        response::check(&Method::HEAD, url, &response)?;
        Ok(ObjectInfo::from_headers(response.headers())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::ServerSideEncryption;
    use crate::ops::test_support::{config, header, response};

    #[test]
    fn builds_with_every_parameter() {
        let ServerSideEncryption::Customer(key) = ServerSideEncryption::customer_key(&[7; 32])
        else {
            panic!("customer key expected")
        };
        let request = HeadObject::new("ümlaut/straße.txt")
            .version_id("v1")
            .if_modified_since("Wed, 21 Oct 2015 07:28:00 GMT")
            .if_unmodified_since("Thu, 22 Oct 2015 07:28:00 GMT")
            .if_match("\"a\"")
            .if_none_match("\"b\"")
            .customer_key(key)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::HEAD);
        assert_eq!(request.uri().path(), "/%C3%BCmlaut/stra%C3%9Fe.txt");
        assert_eq!(request.uri().query(), Some("versionId=v1"));
        assert_eq!(
            header(&request, "if-modified-since"),
            "Wed, 21 Oct 2015 07:28:00 GMT"
        );
        assert_eq!(
            header(&request, "if-unmodified-since"),
            "Thu, 22 Oct 2015 07:28:00 GMT"
        );
        assert_eq!(header(&request, "if-match"), "\"a\"");
        assert_eq!(header(&request, "if-none-match"), "\"b\"");
        assert_eq!(
            header(&request, "x-cos-server-side-encryption-customer-algorithm"),
            "AES256"
        );
        assert!(request.headers().get("content-length").is_none());
    }

    #[test]
    fn parses_attributes() {
        let resp = response(
            200,
            &[
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", "11"),
                ("Cache-Control", "max-age=3600"),
                ("ETag", "\"5eb6\""),
                ("Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT"),
                ("x-cos-hash-crc64ecma", "5981764153023615706"),
                ("x-cos-meta-author", "alice"),
                ("x-cos-storage-class", "STANDARD_IA"),
                ("x-cos-version-id", "MTg0"),
                ("x-cos-server-side-encryption", "AES256"),
                ("x-cos-tagging-count", "2"),
                ("x-cos-request-id", "rid"),
            ],
            "",
        );
        let url = "http://h/hello.txt".parse().expect("uri");
        let info = HeadObject::new("hello.txt")
            .parse_response(&url, resp)
            .expect("parses");
        assert_eq!(info.content_length, Some(11));
        assert_eq!(
            info.content.content_type.as_deref(),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(info.content.cache_control.as_deref(), Some("max-age=3600"));
        assert_eq!(info.crc64, Some(5_981_764_153_023_615_706));
        assert_eq!(
            info.metadata,
            vec![("x-cos-meta-author".to_owned(), "alice".to_owned())]
        );
        assert_eq!(
            info.storage_class,
            Some(crate::headers::StorageClass::StandardIa)
        );
        assert_eq!(info.tagging_count, Some(2));
        assert_eq!(info.request_id.as_deref(), Some("rid"));
    }

    #[test]
    fn missing_object_is_no_such_resource() {
        let url: http::Uri = "http://h/missing.txt".parse().expect("uri");
        let resp = response(404, &[("x-cos-request-id", "rid")], "");
        let err = HeadObject::new("missing.txt")
            .parse_response(&url, resp)
            .expect_err("fails");
        let err = err.service_error().expect("service error");
        assert_eq!((err.status, err.code()), (404, "NoSuchResource"));
        assert_eq!(err.resource.as_deref(), Some("http://h/missing.txt"));
        assert_eq!(err.request_id.as_deref(), Some("rid"));
    }

    #[test]
    fn a_304_is_not_modified_not_a_failure_of_cos() {
        let url: http::Uri = "http://h/k".parse().expect("uri");
        let resp = response(304, &[("ETag", "\"e\""), ("x-cos-request-id", "rid")], "");
        let err = HeadObject::new("k")
            .if_none_match("\"e\"")
            .parse_response(&url, resp)
            .expect_err("304");
        assert!(err.is_not_modified(), "{err:?}");
        let crate::Error::NotModified(answer) = err else {
            panic!("not NotModified")
        };
        assert_eq!(
            (answer.status, answer.request_id.as_deref()),
            (304, Some("rid"))
        );
    }
}
