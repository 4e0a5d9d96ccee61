//! HEAD Bucket (and whether the bucket exists) and DELETE Bucket.

use bytes::Bytes;
use http::{HeaderMap, Method};

use super::ResponseInfo;
use crate::Config;
use crate::error::Error;
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::setters::extras_setters;
use crate::request::RequestBuilder;
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Checks that the configuration's bucket exists and may be accessed; a missing bucket
/// is a [`crate::ServiceError`] with status 404 (see [`BucketExists`] for a yes/no).
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::HeadBucket};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = HeadBucket::new().build_request(&cfg).unwrap();
/// assert_eq!((request.method().as_str(), request.uri().path()), ("HEAD", "/"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct HeadBucket {
    extras: Extras,
}

impl HeadBucket {
    extras_setters!(extras);

    /// Asks about the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }
}

/// What HEAD Bucket tells.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeadBucketOutput {
    /// `x-cos-bucket-region`.
    pub region: Option<String>,
    /// `x-cos-bucket-az-type`: `MAZ` for a multi-AZ bucket.
    pub az_type: Option<String>,
    /// `x-cos-bucket-arch`: `OFS` for a metadata-accelerated bucket.
    pub arch: Option<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for HeadBucket {
    type Output = HeadBucketOutput;
    const NAME: &'static str = "HeadBucket";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(RequestBuilder::bucket(Method::HEAD)
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<HeadBucketOutput, Error> {
        response::check(&Method::HEAD, url, &response)?;
        let headers = response.headers();
        Ok(HeadBucketOutput {
            region: header_text(headers, "x-cos-bucket-region"),
            az_type: header_text(headers, "x-cos-bucket-az-type"),
            arch: header_text(headers, "x-cos-bucket-arch"),
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

/// Whether the configuration's bucket exists: HEAD Bucket, with `404` answered as
/// `false`. Any other error (a `403` among them: the bucket may exist) stays an error.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::BucketExists};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let exists = BucketExists::new();
/// let request = exists.build_request(&cfg).unwrap();
/// assert_eq!(request.method(), "HEAD");
/// let answer = http::Response::builder().status(404).body(bytes::Bytes::new()).unwrap();
/// assert_eq!(exists.parse_response(request.uri(), answer).unwrap(), false);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct BucketExists {
    head: HeadBucket,
}

impl BucketExists {
    /// Asks about the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header (see [`HeadBucket::header`]).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.head = self.head.header(name, value);
        self
    }

    /// Adds a query parameter (see [`HeadBucket::param`]).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.head = self.head.param(name, value);
        self
    }
}

impl Operation for BucketExists {
    type Output = bool;
    const NAME: &'static str = "HeadBucket";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        self.head.build_request(config)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<bool, Error> {
        if response.status() == http::StatusCode::NOT_FOUND {
            return Ok(false);
        }
        self.head.parse_response(url, response).map(|_| true)
    }
}

/// Deletes the configuration's bucket (it must be empty: `409 BucketNotEmpty`
/// otherwise).
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::DeleteBucket};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = DeleteBucket::new().build_request(&cfg).unwrap();
/// assert_eq!((request.method().as_str(), request.uri().path()), ("DELETE", "/"));
/// assert_eq!(request.headers()["content-length"], "0");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct DeleteBucket {
    extras: Extras,
}

impl DeleteBucket {
    extras_setters!(extras);

    /// Deletes the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Operation for DeleteBucket {
    type Output = ResponseInfo;
    const NAME: &'static str = "DeleteBucket";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(RequestBuilder::bucket(Method::DELETE)
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ResponseInfo, Error> {
        response::check(&Method::DELETE, url, &response)?;
        Ok(ResponseInfo::from_response(&response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, error_response, header, response};

    #[test]
    fn builds_requests_with_extras() {
        let request = HeadBucket::new()
            .header("x-cos-meta-probe", "1")
            .param("probe", "1")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/?probe=1"
        );
        assert_eq!(header(&request, "x-cos-meta-probe"), "1");
        let request = BucketExists::new()
            .header("x-a", "b")
            .param("p", "q")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("p=q"));
        let request = DeleteBucket::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::DELETE);
        assert_eq!(header(&request, "content-length"), "0");
    }

    #[test]
    fn head_parses_the_bucket_headers() {
        let url = "http://h/".parse().expect("uri");
        // bucket/responses.json `head_bucket-ok`.
        let ok = response(
            200,
            &[
                ("x-cos-bucket-region", "ap-guangzhou"),
                ("x-cos-bucket-az-type", "MAZ"),
                ("x-cos-bucket-arch", "OFS"),
                ("x-cos-request-id", "r1"),
            ],
            "",
        );
        let out = HeadBucket::new()
            .parse_response(&url, ok.clone())
            .expect("parses");
        assert_eq!(out.region.as_deref(), Some("ap-guangzhou"));
        assert_eq!(out.az_type.as_deref(), Some("MAZ"));
        assert_eq!(out.arch.as_deref(), Some("OFS"));
        assert_eq!(out.request_id.as_deref(), Some("r1"));
        assert_eq!(BucketExists::new().parse_response(&url, ok), Ok(true));
        let missing = response(404, &[("x-cos-request-id", "r2")], "");
        let err = HeadBucket::new()
            .parse_response(&url, missing.clone())
            .expect_err("fails");
        assert_eq!(err.service_error().map(|e| e.status), Some(404));
        assert_eq!(BucketExists::new().parse_response(&url, missing), Ok(false));
        // bucket/responses.json `bucket_exists-403`: an error, not `false`.
        let denied = response(403, &[("x-cos-request-id", "r3")], "");
        let err = BucketExists::new()
            .parse_response(&url, denied)
            .expect_err("fails");
        let service = err.service_error().expect("service error");
        assert_eq!((service.status, service.code.as_deref()), (403, None));
        assert_eq!(service.request_id.as_deref(), Some("r3"));
    }

    #[test]
    fn delete_parses_responses() {
        let url = "http://h/".parse().expect("uri");
        let out = DeleteBucket::new()
            .parse_response(&url, response(204, &[("x-cos-request-id", "r1")], ""))
            .expect("parses");
        assert_eq!(out.request_id.as_deref(), Some("r1"));
        let err = DeleteBucket::new()
            .parse_response(&url, error_response(409, "BucketNotEmpty"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((409, "BucketNotEmpty"))
        );
    }
}
