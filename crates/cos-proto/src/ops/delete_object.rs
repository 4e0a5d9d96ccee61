//! DELETE Object: delete one object (or one version of it).

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::{HeaderMap, Method};

use super::misc_common::header_bool;
use crate::Config;
use crate::error::Error;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Deletes an object. On a versioned bucket, without a version id COS adds a delete
/// marker; with one it removes that version for good. Deleting a missing key succeeds.
///
/// ```
/// use cos_proto::{Config, Operation, ops::DeleteObject};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = DeleteObject::new("a.txt").version_id("MTg0").build_request(&cfg).unwrap();
/// assert_eq!(request.method(), "DELETE");
/// assert_eq!(request.uri().query(), Some("versionId=MTg0"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct DeleteObject {
    key: String,
    version_id: Option<String>,
    extras: Extras,
}

impl DeleteObject {
    extras_setters!(extras);

    /// Deletes `key`. Keys that resolve to the bucket root (`/`, `a/..`) are rejected
    /// when the request is built.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            version_id: None,
        }
    }

    /// Deletes this version (sent as the `versionId` query parameter).
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// What COS returns for a delete.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectOutput {
    /// `x-cos-delete-marker: true`: the delete created (or removed) a delete marker.
    /// `false` when the header is absent.
    pub delete_marker: bool,
    /// `x-cos-version-id`: the version deleted, or the id of the new delete marker.
    pub version_id: Option<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for DeleteObject {
    type Output = DeleteObjectOutput;
    const NAME: &'static str = "DeleteObject";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let b = RequestBuilder::object(Method::DELETE, &self.key)?
            .query_opt("versionId", self.version_id.clone());
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<DeleteObjectOutput, Error> {
        response::check(&Method::DELETE, url, &response)?;
        let headers = response.headers();
        Ok(DeleteObjectOutput {
            delete_marker: header_bool(headers, "x-cos-delete-marker")?.unwrap_or(false),
            version_id: header_text(headers, "x-cos-version-id"),
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, error_response, header, response};

    #[test]
    fn builds_with_every_parameter() {
        let request = DeleteObject::new("dir/中文 a+b.txt")
            .version_id("MTg0NDUxNTc1NjIzMTQ1MDAwODg")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::DELETE);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\
             /dir/%E4%B8%AD%E6%96%87%20a%2Bb.txt?versionId=MTg0NDUxNTc1NjIzMTQ1MDAwODg"
        );
        assert_eq!(
            header(&request, "host"),
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(header(&request, "content-length"), "0");
        assert_eq!(request.headers().len(), 2);
        assert_eq!(request.body(), &Body::Empty);
    }

    #[test]
    fn matches_the_minimal_vector() {
        // requests.json `delete_object-minimal`: DELETE /hello.txt, Content-Length: 0.
        let request = DeleteObject::new("hello.txt")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().path(), "/hello.txt");
        assert_eq!(request.uri().query(), None);
        assert_eq!(header(&request, "content-length"), "0");
    }

    #[test]
    fn rejects_keys_that_address_the_bucket() {
        for key in ["", "/", "a/..", "/./"] {
            let err = DeleteObject::new(key)
                .build_request(&config())
                .expect_err(key);
            assert!(matches!(err, Error::Input(_)), "{key}");
        }
    }

    #[test]
    fn parses_delete_marker_and_errors() {
        let op = DeleteObject::new("hello.txt");
        let url = "http://h/hello.txt".parse().expect("uri");
        // responses.json `delete_object-ok`.
        let ok = response(
            204,
            &[
                ("x-cos-delete-marker", "true"),
                ("x-cos-version-id", "MTg0NDUxNTc1NjIzMTQ1MDA3Nzc"),
                ("Date", "Tue, 14 Nov 2023 22:13:20 GMT"),
                ("Server", "tencent-cos"),
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
                ("Content-Length", "0"),
            ],
            "",
        );
        let out = op.parse_response(&url, ok).expect("parses");
        assert!(out.delete_marker);
        assert_eq!(
            out.version_id.as_deref(),
            Some("MTg0NDUxNTc1NjIzMTQ1MDA3Nzc")
        );
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        assert_eq!(out.headers["server"], "tencent-cos");

        let plain = op
            .parse_response(&url, response(204, &[], ""))
            .expect("parses");
        assert!(!plain.delete_marker);
        assert_eq!(plain.version_id, None);

        let bad = response(204, &[("x-cos-delete-marker", "yes")], "");
        assert!(matches!(
            op.parse_response(&url, bad),
            Err(Error::Response(_))
        ));

        let err = op
            .parse_response(&url, error_response(403, "AccessDenied"))
            .expect_err("fails");
        let err = err.service_error().expect("service error");
        assert_eq!((err.status, err.code()), (403, "AccessDenied"));
        assert_eq!(err.request_id.as_deref(), Some("req-1"));
    }
}
