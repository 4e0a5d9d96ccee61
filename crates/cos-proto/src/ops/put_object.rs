//! PUT Object: upload an object in one request.

use super::Extras;
use bytes::Bytes;
use http::{HeaderMap, Method};

use super::setters::{acl_setters, content_setters, extras_setters, metadata_setters};
use crate::Config;
use crate::error::{Error, InputError};
use crate::headers::{
    AclHeaders, ContentHeaders, Metadata, ServerSideEncryption, StorageClass, apply_traffic_limit,
};
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, crc64_header, header_text};

/// The largest body a single PUT (or part, or append) may carry: 5 GiB.
pub const MAX_SINGLE_UPLOAD: u64 = 5 * 1024 * 1024 * 1024;

/// Uploads an object in one request. The driver streams the payload: exactly
/// `content_length` bytes, or a chunked stream when the length is unknown.
///
/// ```
/// use cos_proto::{Config, Operation, ops::PutObject};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let put = PutObject::new("a.txt", Some(5)).content_type("text/plain").metadata("x-cos-meta-author", "alice");
/// let request = put.build_request(&cfg).unwrap();
/// assert_eq!(request.headers()["content-length"], "5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct PutObject {
    key: String,
    content_length: Option<u64>,
    content: ContentHeaders,
    metadata: Metadata,
    acl: AclHeaders,
    storage_class: Option<StorageClass>,
    tagging: Option<String>,
    encryption: Option<ServerSideEncryption>,
    traffic_limit: Option<u64>,
    content_md5: Option<String>,
    forbid_overwrite: bool,
    extras: Extras,
}

impl PutObject {
    extras_setters!(extras);

    /// Uploads `content_length` bytes (or a chunked stream for `None`) to `key`.
    pub fn new(key: impl Into<String>, content_length: Option<u64>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            content_length,
            content: ContentHeaders::default(),
            metadata: Metadata::default(),
            acl: AclHeaders::default(),
            storage_class: None,
            tagging: None,
            encryption: None,
            traffic_limit: None,
            content_md5: None,
            forbid_overwrite: false,
        }
    }

    content_setters!(content);
    metadata_setters!(metadata);
    acl_setters!(acl);

    /// Sets the storage class.
    pub fn storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }

    /// Sets object tags, `k1=v1&k2=v2` with URL-encoded keys and values (`x-cos-tagging`).
    pub fn tagging(mut self, tags: impl Into<String>) -> Self {
        self.tagging = Some(tags.into());
        self
    }

    /// Encrypts the object at rest (SSE-COS, SSE-KMS or SSE-C).
    pub fn server_side_encryption(mut self, sse: ServerSideEncryption) -> Self {
        self.encryption = Some(sse);
        self
    }

    /// Limits this upload's bandwidth, in bit/s (819200..=838860800).
    pub fn traffic_limit(mut self, bits_per_second: u64) -> Self {
        self.traffic_limit = Some(bits_per_second);
        self
    }

    /// Sends `Content-MD5` (base64 of the payload's MD5, see
    /// [`crate::headers::content_md5`]); COS rejects a mismatching body with `BadDigest`.
    pub fn content_md5(mut self, base64_md5: impl Into<String>) -> Self {
        self.content_md5 = Some(base64_md5.into());
        self
    }

    /// Fails with 409 instead of replacing an existing object (`x-cos-forbid-overwrite`).
    pub fn forbid_overwrite(mut self, forbid: bool) -> Self {
        self.forbid_overwrite = forbid;
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The payload length this request announces (`None`: chunked).
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The same upload announcing another payload length (used by transfers, which
    /// take the length from the source).
    pub fn with_content_length(mut self, content_length: Option<u64>) -> Self {
        self.content_length = content_length;
        self
    }

    /// The user metadata added with [`PutObject::metadata`], in order.
    pub fn metadata_entries(&self) -> &[(String, String)] {
        &self.metadata.0
    }

    /// The `Content-MD5` set with [`PutObject::content_md5`].
    pub fn content_md5_value(&self) -> Option<&str> {
        self.content_md5.as_deref()
    }

    /// The bandwidth limit set with [`PutObject::traffic_limit`].
    pub fn traffic_limit_value(&self) -> Option<u64> {
        self.traffic_limit
    }

    /// The SSE-C key, when the object is encrypted with a customer key: every part of a
    /// multipart upload must carry it too.
    pub fn customer_key(&self) -> Option<&crate::headers::CustomerKey> {
        match &self.encryption {
            Some(ServerSideEncryption::Customer(key)) => Some(key),
            _ => None,
        }
    }

    /// The multipart upload that stores the same object: every attribute of this PUT
    /// (content headers, metadata, ACL, storage class, tags, encryption, overwrite
    /// protection) moves to the initiation. The payload length, `Content-MD5` and the
    /// traffic limit do not: they belong to the parts.
    pub fn to_multipart(&self) -> super::InitiateMultipartUpload {
        super::InitiateMultipartUpload::with_attributes(
            self.key.clone(),
            self.content.clone(),
            self.metadata.clone(),
            self.acl.clone(),
            self.storage_class.clone(),
            self.tagging.clone(),
            self.encryption.clone(),
            self.forbid_overwrite,
        )
    }
}

/// What COS returns for an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectOutput {
    /// The object's `ETag` (with quotes).
    pub etag: Option<String>,
    /// `x-cos-hash-crc64ecma` of the stored data, when COS sent it.
    pub crc64: Option<u64>,
    /// `x-cos-version-id` on versioned buckets.
    pub version_id: Option<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl PutObjectOutput {
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Self, Error> {
        Ok(Self {
            etag: header_text(headers, "etag"),
            crc64: crc64_header(headers)?,
            version_id: header_text(headers, "x-cos-version-id"),
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

impl Operation for PutObject {
    type Output = PutObjectOutput;
    const NAME: &'static str = "PutObject";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        if self
            .content_length
            .is_some_and(|len| len > MAX_SINGLE_UPLOAD)
        {
            return Err(InputError::InvalidArgument {
                what: "content length",
                reason: "a single PUT carries at most 5 GiB; use a multipart upload".to_owned(),
            }
            .into());
        }
        let mut b = RequestBuilder::object(Method::PUT, &self.key)?;
        b = self.acl.apply(b)?;
        if let Some(class) = &self.storage_class {
            b = b.header_static("x-cos-storage-class", class.as_str())?;
        }
        b = self.content.apply(b)?;
        b = self.metadata.apply(b)?;
        b = b.header_opt("x-cos-tagging", self.tagging.as_deref())?;
        b = apply_traffic_limit(b, self.traffic_limit)?;
        if let Some(sse) = &self.encryption {
            b = sse.apply(b)?;
        }
        if self.forbid_overwrite {
            b = b.header_static("x-cos-forbid-overwrite", "true")?;
        }
        b = b.header_opt("content-md5", self.content_md5.as_deref())?;
        let body = Body::Payload {
            length: self.content_length,
        };
        Ok(b.body(body).extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<PutObjectOutput, Error> {
        response::check(&Method::PUT, url, &response)?;
        PutObjectOutput::from_headers(response.headers())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, error_response, header, response};

    #[test]
    fn builds_with_every_parameter() {
        let put = PutObject::new("docs/报告 2024/final+v2.pdf", Some(23))
            .acl("private")
            .grant_full_control("id=\"qcs::cam::uin/1:uin/1\"")
            .grant_read("id=\"qcs::cam::anyone:anyone\"")
            .grant_write("id=\"qcs::cam::uin/1:uin/1\"")
            .storage_class(StorageClass::StandardIa)
            .expires("Wed, 21 Oct 2025 07:28:00 GMT")
            .cache_control("no-cache")
            .content_type("application/pdf")
            .content_disposition("attachment; filename=\"final.pdf\"")
            .content_encoding("identity")
            .content_language("zh-CN")
            .metadata("x-cos-meta-author", "张三")
            .tagging("project=apollo&env=prod")
            .traffic_limit(8_192_000)
            .content_md5("BQzbUshfq9ZiJ2gW0H9Q7A==")
            .server_side_encryption(ServerSideEncryption::Cos)
            .forbid_overwrite(true);
        let request = put.build_request(&config()).expect("builds");
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(
            request.uri().path(),
            "/docs/%E6%8A%A5%E5%91%8A%202024/final%2Bv2.pdf"
        );
        for (name, value) in [
            ("x-cos-acl", "private"),
            ("x-cos-grant-read", "id=\"qcs::cam::anyone:anyone\""),
            ("x-cos-storage-class", "STANDARD_IA"),
            ("content-type", "application/pdf"),
            ("content-language", "zh-CN"),
            ("x-cos-meta-author", "张三"),
            ("x-cos-tagging", "project=apollo&env=prod"),
            ("x-cos-traffic-limit", "8192000"),
            ("content-md5", "BQzbUshfq9ZiJ2gW0H9Q7A=="),
            ("x-cos-server-side-encryption", "AES256"),
            ("x-cos-forbid-overwrite", "true"),
            ("content-length", "23"),
        ] {
            assert_eq!(header(&request, name), value, "{name}");
        }
        assert_eq!(request.body(), &Body::Payload { length: Some(23) });
    }

    #[test]
    fn rejects_invalid_input_before_building() {
        assert!(
            PutObject::new("", Some(1))
                .build_request(&config())
                .is_err()
        );
        assert!(
            PutObject::new("k", Some(1))
                .traffic_limit(1)
                .build_request(&config())
                .is_err()
        );
        assert!(
            PutObject::new("k", Some(1))
                .metadata("author", "x")
                .build_request(&config())
                .is_err()
        );
        assert!(
            PutObject::new("k", Some(MAX_SINGLE_UPLOAD + 1))
                .build_request(&config())
                .is_err()
        );
        let chunked = PutObject::new("k", None)
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&chunked, "transfer-encoding"), "chunked");
    }

    #[test]
    fn parses_headers_and_errors() {
        let put = PutObject::new("hello.txt", Some(11));
        let url = "http://h/hello.txt".parse().expect("uri");
        let ok = response(
            200,
            &[
                ("ETag", "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""),
                ("x-cos-hash-crc64ecma", "5981764153023615706"),
                ("x-cos-version-id", "MTg0"),
                ("x-cos-request-id", "rid"),
            ],
            "",
        );
        let out = put.parse_response(&url, ok).expect("parses");
        assert_eq!(
            out.etag.as_deref(),
            Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
        );
        assert_eq!(out.crc64, Some(5_981_764_153_023_615_706));
        assert_eq!(out.version_id.as_deref(), Some("MTg0"));
        assert_eq!(out.request_id.as_deref(), Some("rid"));
        let err = put
            .parse_response(&url, error_response(403, "AccessDenied"))
            .expect_err("fails");
        assert_eq!(err.service_error().map(|e| e.code()), Some("AccessDenied"));
        let bad_crc = response(200, &[("x-cos-hash-crc64ecma", "-1")], "");
        assert!(matches!(
            put.parse_response(&url, bad_crc),
            Err(Error::Response(_))
        ));
    }
}
