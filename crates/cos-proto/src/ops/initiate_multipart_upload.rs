//! Initiate Multipart Upload: start a multipart upload and get its upload id.

use super::Extras;
use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::Deserialize;

use super::setters::{acl_setters, content_setters, extras_setters, metadata_setters};
use crate::Config;
use crate::error::{Error, InputError, ResponseError};
use crate::headers::{AclHeaders, ContentHeaders, Metadata, ServerSideEncryption, StorageClass};
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::retry::Idempotency;
use crate::xml;

/// Starts a multipart upload. The object's attributes (content headers, metadata,
/// storage class, ACL, tags, encryption) are given here, not with the parts.
///
/// Not idempotent: every execution creates a new upload id, which keeps its parts (and
/// costs storage) until completed or aborted with [`crate::ops::AbortMultipartUpload`].
///
/// ```
/// use cos_proto::{Config, Operation, ops::InitiateMultipartUpload};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = InitiateMultipartUpload::new("big file.iso").content_type("application/x-iso9660-image")
///     .build_request(&cfg)
///     .unwrap();
/// assert_eq!(request.uri().path_and_query().unwrap(), "/big%20file.iso?uploads=");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct InitiateMultipartUpload {
    key: String,
    content: ContentHeaders,
    metadata: Metadata,
    acl: AclHeaders,
    storage_class: Option<StorageClass>,
    tagging: Option<String>,
    encryption: Option<ServerSideEncryption>,
    forbid_overwrite: bool,
    extras: Extras,
}

impl InitiateMultipartUpload {
    extras_setters!(extras);

    /// Starts an upload to `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            content: ContentHeaders::default(),
            metadata: Metadata::default(),
            acl: AclHeaders::default(),
            storage_class: None,
            tagging: None,
            encryption: None,
            forbid_overwrite: false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn with_attributes(
        key: String,
        content: ContentHeaders,
        metadata: Metadata,
        acl: AclHeaders,
        storage_class: Option<StorageClass>,
        tagging: Option<String>,
        encryption: Option<ServerSideEncryption>,
        forbid_overwrite: bool,
    ) -> Self {
        Self {
            extras: Extras::default(),
            key,
            content,
            metadata,
            acl,
            storage_class,
            tagging,
            encryption,
            forbid_overwrite,
        }
    }

    /// Replaces the content headers (for example with those of a copy's source).
    pub fn content_headers(mut self, content: ContentHeaders) -> Self {
        self.content = content;
        self
    }

    content_setters!(content);
    metadata_setters!(metadata);
    acl_setters!(acl);

    /// Sets the object's storage class.
    pub fn storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }

    /// Sets object tags, `k1=v1&k2=v2` with URL-encoded keys and values (`x-cos-tagging`).
    pub fn tagging(mut self, tags: impl Into<String>) -> Self {
        self.tagging = Some(tags.into());
        self
    }

    /// Encrypts the object at rest (SSE-COS, SSE-KMS or SSE-C). With SSE-C, every
    /// [`crate::ops::UploadPart`] must carry the same key.
    pub fn server_side_encryption(mut self, sse: ServerSideEncryption) -> Self {
        self.encryption = Some(sse);
        self
    }

    /// Makes the completion fail with 409 instead of replacing an existing object
    /// (`x-cos-forbid-overwrite`).
    pub fn forbid_overwrite(mut self, forbid: bool) -> Self {
        self.forbid_overwrite = forbid;
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The user metadata added with [`InitiateMultipartUpload::metadata`], in order.
    pub fn metadata_entries(&self) -> &[(String, String)] {
        &self.metadata.0
    }
}

/// What COS returns when an upload starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InitiateMultipartUploadOutput {
    /// `Bucket` as COS returns it (`bucketname-appid`).
    pub bucket: Option<String>,
    /// `Key` as COS returns it (not URL-encoded).
    pub key: Option<String>,
    /// `UploadId`: pass it to every part, to the completion or to the abort.
    pub upload_id: String,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

#[derive(Debug, Deserialize)]
struct InitiateMultipartUploadResult {
    #[serde(rename = "Bucket", default, deserialize_with = "xml::non_empty")]
    bucket: Option<String>,
    #[serde(rename = "Key", default, deserialize_with = "xml::non_empty")]
    key: Option<String>,
    #[serde(rename = "UploadId", default, deserialize_with = "xml::non_empty")]
    upload_id: Option<String>,
}

/// Checks an upload id before it goes into a request: an empty `uploadId=` would turn the
/// request into another operation (an abort into a DELETE Object).
pub(super) fn check_upload_id(upload_id: &str) -> Result<(), InputError> {
    if upload_id.is_empty() {
        return Err(InputError::InvalidArgument {
            what: "upload id",
            reason: "is empty".to_owned(),
        });
    }
    Ok(())
}

impl Operation for InitiateMultipartUpload {
    type Output = InitiateMultipartUploadOutput;
    const NAME: &'static str = "InitiateMultipartUpload";

    fn idempotency(&self) -> Idempotency {
        Idempotency::NotIdempotent
    }

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let mut b = RequestBuilder::object(Method::POST, &self.key)?.query("uploads", "");
        b = self.acl.apply(b)?;
        if let Some(class) = &self.storage_class {
            b = b.header_static("x-cos-storage-class", class.as_str())?;
        }
        b = self.content.apply(b)?;
        b = self.metadata.apply(b)?;
        b = b.header_opt("x-cos-tagging", self.tagging.as_deref())?;
        if let Some(sse) = &self.encryption {
            b = sse.apply(b)?;
        }
        if self.forbid_overwrite {
            b = b.header_static("x-cos-forbid-overwrite", "true")?;
        }
        Ok(b.body(Body::Empty).extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<InitiateMultipartUploadOutput, Error> {
        response::check(&Method::POST, url, &response)?;
        let doc: InitiateMultipartUploadResult =
            xml::parse("InitiateMultipartUploadResult", response.body())?;
        let upload_id = doc.upload_id.ok_or_else(|| ResponseError::InvalidField {
            field: "UploadId",
            reason: "missing or empty".to_owned(),
        })?;
        let headers = response.headers();
        Ok(InitiateMultipartUploadOutput {
            bucket: doc.bucket,
            key: doc.key,
            upload_id,
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;
    use crate::ops::test_support::{config, error_response, header, response};
    use crate::sign::{KeyTime, SignOptions, sign_request};

    #[test]
    fn builds_with_every_parameter() {
        let request = InitiateMultipartUpload::new("big file.iso")
            .storage_class(StorageClass::Archive)
            .expires("Wed, 21 Oct 2025 07:28:00 GMT")
            .cache_control("max-age=3600")
            .content_type("application/x-iso9660-image")
            .content_disposition("attachment; filename=\"big file.iso\"")
            .content_encoding("identity")
            .content_language("en")
            .metadata("x-cos-meta-key1", "value1")
            .metadata("x-cos-meta-key2", "value2")
            .acl("public-read")
            .grant_full_control("id=\"qcs::cam::uin/1:uin/1\"")
            .grant_read("id=\"qcs::cam::uin/2:uin/2\"")
            .grant_write("id=\"qcs::cam::uin/3:uin/3\"")
            .grant_read_acp("id=\"qcs::cam::uin/4:uin/4\"")
            .grant_write_acp("id=\"qcs::cam::uin/5:uin/5\"")
            .tagging("a=1&b=2")
            .server_side_encryption(ServerSideEncryption::Cos)
            .forbid_overwrite(true)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file.iso?uploads="
        );
        let expected = [
            (
                "host",
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            ),
            ("x-cos-storage-class", "ARCHIVE"),
            ("expires", "Wed, 21 Oct 2025 07:28:00 GMT"),
            ("cache-control", "max-age=3600"),
            ("content-type", "application/x-iso9660-image"),
            (
                "content-disposition",
                "attachment; filename=\"big file.iso\"",
            ),
            ("content-encoding", "identity"),
            ("content-language", "en"),
            ("x-cos-meta-key1", "value1"),
            ("x-cos-meta-key2", "value2"),
            ("x-cos-acl", "public-read"),
            ("x-cos-grant-full-control", "id=\"qcs::cam::uin/1:uin/1\""),
            ("x-cos-grant-read", "id=\"qcs::cam::uin/2:uin/2\""),
            ("x-cos-grant-write", "id=\"qcs::cam::uin/3:uin/3\""),
            ("x-cos-grant-read-acp", "id=\"qcs::cam::uin/4:uin/4\""),
            ("x-cos-grant-write-acp", "id=\"qcs::cam::uin/5:uin/5\""),
            ("x-cos-tagging", "a=1&b=2"),
            ("x-cos-server-side-encryption", "AES256"),
            ("x-cos-forbid-overwrite", "true"),
            ("content-length", "0"),
        ];
        for (name, value) in expected {
            assert_eq!(header(&request, name), value, "{name}");
        }
        assert_eq!(request.headers().len(), expected.len());
        assert_eq!(request.body(), &Body::Empty);
        assert_eq!(
            InitiateMultipartUpload::new("k").idempotency(),
            Idempotency::NotIdempotent
        );
    }

    #[test]
    fn signature_matches_the_reference() {
        // signature.json initiate-multipart
        let mut request = InitiateMultipartUpload::new("big file.iso")
            .storage_class(StorageClass::Standard)
            .content_type("application/x-iso9660-image")
            .metadata("x-cos-meta-md5", "abc")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.headers().len(), 5);
        let credentials = Credentials::new(
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
        )
        .expect("valid");
        sign_request(
            &mut request,
            &credentials,
            KeyTime::new(1_700_000_026, 10_000),
            SignOptions::default(),
        )
        .expect("signs");
        assert_eq!(
            header(&request, "authorization"),
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999966;1700010026\
             &q-key-time=1699999966;1700010026&q-header-list=content-length;content-type;host;x-cos-meta-md5;\
             x-cos-storage-class&q-url-param-list=uploads&q-signature=69d89dde612911e4c903979736888b23b8d49dbb"
        );
    }

    #[test]
    fn parses_the_upload_id() {
        let url = "http://h/big%20file.iso?uploads=".parse().expect("uri");
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult>\n    \
                    <Bucket>examplebucket-1250000000</Bucket>\n    <Key>big file.iso</Key>\n    \
                    <UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>\n\
                    </InitiateMultipartUploadResult>";
        let ok = response(
            200,
            &[
                ("Content-Type", "application/xml"),
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
            ],
            body,
        );
        let out = InitiateMultipartUpload::new("big file.iso")
            .parse_response(&url, ok)
            .expect("parses");
        assert_eq!(out.bucket.as_deref(), Some("examplebucket-1250000000"));
        assert_eq!(out.key.as_deref(), Some("big file.iso"));
        assert_eq!(
            out.upload_id,
            "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"
        );
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        let namespaced = "<InitiateMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">\
                          <Bucket>b-1</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>";
        let out = InitiateMultipartUpload::new("k")
            .parse_response(&url, response(200, &[], namespaced))
            .expect("parses");
        assert_eq!((out.upload_id.as_str(), out.request_id), ("u1", None));
    }

    #[test]
    fn errors_and_bad_documents() {
        let url = "http://h/k?uploads=".parse().expect("uri");
        let op = InitiateMultipartUpload::new("k");
        let err = op
            .parse_response(&url, error_response(403, "AccessDenied"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((403, "AccessDenied"))
        );
        let no_id = response(
            200,
            &[],
            "<InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId/></InitiateMultipartUploadResult>",
        );
        assert!(matches!(
            op.parse_response(&url, no_id),
            Err(Error::Response(ResponseError::InvalidField {
                field: "UploadId",
                ..
            }))
        ));
        for garbage in ["", "<InitiateMultipartUploadResult><UploadId>u", "not xml"] {
            assert!(
                matches!(
                    op.parse_response(&url, response(200, &[], garbage)),
                    Err(Error::Response(_))
                ),
                "{garbage:?}"
            );
        }
    }

    #[test]
    fn rejects_invalid_input_before_building() {
        let build = |op: InitiateMultipartUpload| op.build_request(&config()).err();
        assert_eq!(
            build(InitiateMultipartUpload::new("")),
            Some(Error::Input(InputError::EmptyKey))
        );
        assert!(matches!(
            build(InitiateMultipartUpload::new("a/b/..")),
            Some(Error::Input(InputError::KeyEndsWithDotSegment { .. }))
        ));
        assert!(matches!(
            build(InitiateMultipartUpload::new("k").metadata("x-cos-meta-", "v")),
            Some(Error::Input(InputError::InvalidMetadataName { .. }))
        ));
        assert!(matches!(
            build(InitiateMultipartUpload::new("k").tagging("a=1\r\nb")),
            Some(Error::Input(InputError::InvalidHeaderValue { .. }))
        ));
        assert!(check_upload_id("").is_err() && check_upload_id("u").is_ok());
    }
}
