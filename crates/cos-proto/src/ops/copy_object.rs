//! PUT Object - Copy: copy an object (up to 5 GiB) server-side, or rewrite an object's
//! metadata in place.

use super::Extras;
use bytes::Bytes;
use http::{HeaderMap, Method};

use super::copy_source::{
    CopySource, CopySourceConditions, copy_condition_setters, parse_copy_result,
};
use super::setters::{acl_setters, content_setters, extras_setters, metadata_setters};
use crate::Config;
use crate::error::Error;
use crate::headers::{
    AclHeaders, ContentHeaders, CustomerKey, Metadata, ServerSideEncryption, StorageClass,
};
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// What a copy does with the source's metadata (`x-cos-metadata-directive`) or tags
/// (`x-cos-tagging-directive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CopyDirective {
    /// Keep the source's values; the request's values are ignored (the default).
    #[default]
    Copy,
    /// Use the values sent with the copy request instead. Required to copy an object
    /// onto itself.
    Replaced,
}

impl CopyDirective {
    /// The wire value: `Copy` or `Replaced`.
    pub fn as_str(self) -> &'static str {
        match self {
            CopyDirective::Copy => "Copy",
            CopyDirective::Replaced => "Replaced",
        }
    }
}

/// Copies an object server-side (COS accepts sources up to 5 GiB; larger objects are
/// copied part by part with [`crate::ops::UploadPartCopy`]).
///
/// With [`CopyDirective::Replaced`] the content headers, metadata and storage class of
/// the request replace the source's; with the default [`CopyDirective::Copy`] COS keeps
/// the source's. COS can fail after answering `200`: `parse_response` turns such an
/// answer into a [`crate::ServiceError`] with status 200.
///
/// ```
/// use cos_proto::{Config, Operation, ops::{CopyDirective, CopyObject, CopySource}};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let source = CopySource::new("sourcebucket-1250000000", "a.txt", "ap-beijing");
/// let copy = CopyObject::new("b.txt", source)
///     .metadata_directive(CopyDirective::Replaced)
///     .content_type("text/plain");
/// let request = copy.build_request(&cfg).unwrap();
/// assert_eq!(request.headers()["x-cos-copy-source"], "sourcebucket-1250000000.cos.ap-beijing.myqcloud.com/a.txt");
/// assert_eq!(request.headers()["x-cos-metadata-directive"], "Replaced");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct CopyObject {
    key: String,
    source: CopySource,
    metadata_directive: CopyDirective,
    content: ContentHeaders,
    metadata: Metadata,
    acl: AclHeaders,
    storage_class: Option<StorageClass>,
    tagging: Option<String>,
    tagging_directive: Option<CopyDirective>,
    conditions: CopySourceConditions,
    encryption: Option<ServerSideEncryption>,
    source_customer_key: Option<CustomerKey>,
    forbid_overwrite: bool,
    extras: Extras,
}

impl CopyObject {
    extras_setters!(extras);

    /// Copies `source` to `key` in the configured bucket.
    pub fn new(key: impl Into<String>, source: CopySource) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            source,
            metadata_directive: CopyDirective::Copy,
            content: ContentHeaders::default(),
            metadata: Metadata::default(),
            acl: AclHeaders::default(),
            storage_class: None,
            tagging: None,
            tagging_directive: None,
            conditions: CopySourceConditions::default(),
            encryption: None,
            source_customer_key: None,
            forbid_overwrite: false,
        }
    }

    content_setters!(content);
    metadata_setters!(metadata);
    acl_setters!(acl);
    copy_condition_setters!(conditions);

    /// The multipart upload that stores what this copy would store, for copies too
    /// large for one request: with the `Copy` directive (the default) the source's
    /// content headers and metadata (from its HEAD, `source_info`) move to the
    /// initiation, since part copies carry none; with `Replaced`, this request's. ACL,
    /// storage class, tags, encryption and overwrite protection come from this request.
    pub fn to_multipart(&self, source_info: &super::ObjectInfo) -> super::InitiateMultipartUpload {
        let (content, metadata) = match self.metadata_directive {
            CopyDirective::Copy => (
                source_info.content.clone(),
                Metadata(source_info.metadata.clone()),
            ),
            CopyDirective::Replaced => (self.content.clone(), self.metadata.clone()),
        };
        super::InitiateMultipartUpload::with_attributes(
            self.key.clone(),
            content,
            metadata,
            self.acl.clone(),
            self.storage_class.clone(),
            self.tagging.clone(),
            self.encryption.clone(),
            self.forbid_overwrite,
        )
    }

    /// The part copy of bytes `first..=last` of this copy's source into part
    /// `part_number` of `upload_id`, with the source's SSE-C key, pinned to the source
    /// version whose ETag is `source_etag`.
    pub fn to_part_copy(
        &self,
        upload_id: &str,
        part_number: u32,
        first: u64,
        last: u64,
        source_etag: &str,
    ) -> super::UploadPartCopy {
        let mut part = super::UploadPartCopy::new(
            self.key.clone(),
            upload_id,
            part_number,
            self.source.clone(),
        )
        .copy_source_range(first, last)
        .copy_source_if_match(source_etag);
        if let Some(key) = &self.source_customer_key {
            part = part.copy_source_customer_key(key.clone());
        }
        if let Some(ServerSideEncryption::Customer(key)) = &self.encryption {
            part = part.customer_key(key.clone());
        }
        part
    }

    /// This copy pinned to the source version whose ETag is `etag`
    /// (`x-cos-copy-source-If-Match`).
    pub fn pinned(&self, etag: &str) -> CopyObject {
        self.clone().copy_source_if_match(etag)
    }

    /// Keeps (`Copy`, the default) or replaces (`Replaced`) the source's content headers
    /// and metadata (`x-cos-metadata-directive`). Set `Replaced` for the content headers
    /// and metadata of this request to take effect.
    pub fn metadata_directive(mut self, directive: CopyDirective) -> Self {
        self.metadata_directive = directive;
        self
    }

    /// Sets the destination's storage class.
    pub fn storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }

    /// Sets the destination's tags, `k1=v1&k2=v2` with URL-encoded keys and values
    /// (`x-cos-tagging`); they apply with [`CopyObject::tagging_directive`] `Replaced`.
    pub fn tagging(mut self, tags: impl Into<String>) -> Self {
        self.tagging = Some(tags.into());
        self
    }

    /// Keeps (`Copy`) or replaces (`Replaced`) the source's tags
    /// (`x-cos-tagging-directive`; not sent unless set, COS then copies the tags).
    pub fn tagging_directive(mut self, directive: CopyDirective) -> Self {
        self.tagging_directive = Some(directive);
        self
    }

    /// Encrypts the destination at rest (SSE-COS, SSE-KMS or SSE-C).
    pub fn server_side_encryption(mut self, sse: ServerSideEncryption) -> Self {
        self.encryption = Some(sse);
        self
    }

    /// The SSE-C key the source is stored with (required to copy an SSE-C source;
    /// `x-cos-copy-source-server-side-encryption-customer-*`).
    pub fn copy_source_customer_key(mut self, key: CustomerKey) -> Self {
        self.source_customer_key = Some(key);
        self
    }

    /// Fails with 409 instead of replacing an existing destination
    /// (`x-cos-forbid-overwrite`).
    pub fn forbid_overwrite(mut self, forbid: bool) -> Self {
        self.forbid_overwrite = forbid;
        self
    }

    /// The destination key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The source.
    pub fn source(&self) -> &CopySource {
        &self.source
    }
}

/// What COS returns for a copy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyObjectOutput {
    /// The new object's `ETag` (with quotes).
    pub etag: String,
    /// `LastModified` of the new object (ISO 8601).
    pub last_modified: Option<String>,
    /// The new object's CRC-64 (`<CRC64>`, else `x-cos-hash-crc64ecma`), when COS sent it.
    pub crc64: Option<u64>,
    /// The new object's version (`x-cos-version-id`, else `<VersionId>`) on versioned buckets.
    pub version_id: Option<String>,
    /// The version that was copied (`x-cos-copy-source-version-id`).
    pub copy_source_version_id: Option<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for CopyObject {
    type Output = CopyObjectOutput;
    const NAME: &'static str = "CopyObject";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let mut b = RequestBuilder::object(Method::PUT, &self.key)?;
        b = self.acl.apply(b)?;
        if let Some(class) = &self.storage_class {
            b = b.header_static("x-cos-storage-class", class.as_str())?;
        }
        b = self.content.apply(b)?;
        b = self.metadata.apply(b)?;
        b = b.header_opt("x-cos-tagging", self.tagging.as_deref())?;
        b = b.header_opt(
            "x-cos-tagging-directive",
            self.tagging_directive.map(CopyDirective::as_str),
        )?;
        b = self.conditions.apply(b)?;
        if let Some(sse) = &self.encryption {
            b = sse.apply(b)?;
        }
        if let Some(key) = &self.source_customer_key {
            b = key.apply(b, "copy-source-")?;
        }
        if self.forbid_overwrite {
            b = b.header_static("x-cos-forbid-overwrite", "true")?;
        }
        b = self.source.apply(b, config)?;
        b = b.header_static("x-cos-metadata-directive", self.metadata_directive.as_str())?;
        Ok(b.body(Body::Empty).extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<CopyObjectOutput, Error> {
        response::check(&Method::PUT, url, &response)?;
        let result = parse_copy_result("CopyObjectResult", &response)?;
        let headers = response.headers();
        Ok(CopyObjectOutput {
            etag: result.etag,
            last_modified: result.last_modified,
            crc64: result.crc64,
            version_id: header_text(headers, "x-cos-version-id").or(result.version_id),
            copy_source_version_id: header_text(headers, "x-cos-copy-source-version-id"),
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::InputError;
    use crate::ops::test_support::{config, error_response, header, response};
    use crate::sign::{KeyTime, SignOptions, sign_request};
    use crate::{Credentials, Scheme};

    fn customer_key(byte: u8) -> CustomerKey {
        match ServerSideEncryption::customer_key(&[byte; 32]) {
            ServerSideEncryption::Customer(key) => key,
            other => panic!("customer key expected, got {other:?}"),
        }
    }

    fn authorization(request: &mut http::Request<Body>, id: &str, key: &str, now: u64) -> String {
        let credentials = Credentials::new(id, key).expect("valid credentials");
        sign_request(
            request,
            &credentials,
            KeyTime::new(now, 10_000),
            SignOptions::default(),
        )
        .expect("signs");
        header(request, "authorization").to_owned()
    }

    #[test]
    fn builds_with_every_parameter() {
        let source = CopySource::new("sourcebucket", "/dir/源 a+b.txt", "ap-beijing")
            .appid("1250000000")
            .version_id("MTg0NDUx");
        let request = CopyObject::new("dest/目标 1.txt", source)
            .metadata_directive(CopyDirective::Replaced)
            .acl("private")
            .grant_full_control("id=\"qcs::cam::uin/1:uin/1\"")
            .grant_read("id=\"qcs::cam::anyone:anyone\"")
            .grant_write("id=\"qcs::cam::uin/2:uin/2\"")
            .grant_read_acp("id=\"qcs::cam::uin/3:uin/3\"")
            .grant_write_acp("id=\"qcs::cam::uin/4:uin/4\"")
            .storage_class(StorageClass::StandardIa)
            .expires("Wed, 21 Oct 2025 07:28:00 GMT")
            .cache_control("no-cache")
            .content_type("text/plain")
            .content_disposition("attachment; filename=\"a.txt\"")
            .content_encoding("gzip")
            .content_language("zh-CN")
            .metadata("x-cos-meta-key1", "value1")
            .metadata("x-cos-meta-key2", "值 2")
            .tagging("project=apollo&env=prod")
            .tagging_directive(CopyDirective::Replaced)
            .copy_source_if_match("\"abc\"")
            .copy_source_if_none_match("\"def\"")
            .copy_source_if_modified_since("Mon, 13 Nov 2023 00:00:00 GMT")
            .copy_source_if_unmodified_since("Tue, 14 Nov 2023 00:00:00 GMT")
            .server_side_encryption(ServerSideEncryption::Kms {
                key_id: Some("kms-key".to_owned()),
                context: Some("eyJhIjoiYiJ9".to_owned()),
            })
            .copy_source_customer_key(customer_key(b'0'))
            .forbid_overwrite(true)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dest/%E7%9B%AE%E6%A0%87%201.txt"
        );
        let expected = [
            (
                "host",
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            ),
            (
                "x-cos-copy-source",
                "sourcebucket-1250000000.cos.ap-beijing.myqcloud.com/dir/%E6%BA%90%20a%2Bb.txt?versionId=MTg0NDUx",
            ),
            ("x-cos-metadata-directive", "Replaced"),
            ("x-cos-acl", "private"),
            ("x-cos-grant-full-control", "id=\"qcs::cam::uin/1:uin/1\""),
            ("x-cos-grant-read", "id=\"qcs::cam::anyone:anyone\""),
            ("x-cos-grant-write", "id=\"qcs::cam::uin/2:uin/2\""),
            ("x-cos-grant-read-acp", "id=\"qcs::cam::uin/3:uin/3\""),
            ("x-cos-grant-write-acp", "id=\"qcs::cam::uin/4:uin/4\""),
            ("x-cos-storage-class", "STANDARD_IA"),
            ("expires", "Wed, 21 Oct 2025 07:28:00 GMT"),
            ("cache-control", "no-cache"),
            ("content-type", "text/plain"),
            ("content-disposition", "attachment; filename=\"a.txt\""),
            ("content-encoding", "gzip"),
            ("content-language", "zh-CN"),
            ("x-cos-meta-key1", "value1"),
            ("x-cos-meta-key2", "值 2"),
            ("x-cos-tagging", "project=apollo&env=prod"),
            ("x-cos-tagging-directive", "Replaced"),
            ("x-cos-copy-source-if-match", "\"abc\""),
            ("x-cos-copy-source-if-none-match", "\"def\""),
            (
                "x-cos-copy-source-if-modified-since",
                "Mon, 13 Nov 2023 00:00:00 GMT",
            ),
            (
                "x-cos-copy-source-if-unmodified-since",
                "Tue, 14 Nov 2023 00:00:00 GMT",
            ),
            ("x-cos-server-side-encryption", "cos/kms"),
            ("x-cos-server-side-encryption-cos-kms-key-id", "kms-key"),
            ("x-cos-server-side-encryption-context", "eyJhIjoiYiJ9"),
            (
                "x-cos-copy-source-server-side-encryption-customer-algorithm",
                "AES256",
            ),
            (
                "x-cos-copy-source-server-side-encryption-customer-key",
                "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=",
            ),
            (
                "x-cos-copy-source-server-side-encryption-customer-key-md5",
                "zZ5FnqcIqUjVwvWmyog4zw==",
            ),
            ("x-cos-forbid-overwrite", "true"),
            ("content-length", "0"),
        ];
        for (name, value) in expected {
            assert_eq!(header(&request, name), value, "{name}");
        }
        assert_eq!(request.headers().len(), expected.len());
        assert_eq!(request.body(), &Body::Empty);
    }

    #[test]
    fn minimal_copy_matches_the_reference_request() {
        // requests.json copy_object-minimal
        let source = CopySource::new("sourcebucket-1250000000", "src.txt", "ap-guangzhou");
        let request = CopyObject::new("copy.txt", source)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/copy.txt"
        );
        assert_eq!(
            header(&request, "x-cos-copy-source"),
            "sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/src.txt"
        );
        assert_eq!(header(&request, "x-cos-metadata-directive"), "Copy");
        assert_eq!(header(&request, "content-length"), "0");
        assert_eq!(request.headers().len(), 4);
    }

    #[test]
    fn signatures_match_the_reference() {
        // signature.json copy-object-chinese-source
        let source = CopySource::new("sourcebucket-1250000000", "/源 文件.txt", "ap-beijing")
            .version_id("MTg0NDUx");
        let mut request = CopyObject::new("copy dest.txt", source)
            .metadata_directive(CopyDirective::Replaced)
            .content_type("text/plain")
            .metadata("x-cos-meta-copied", "yes")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            authorization(
                &mut request,
                "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
                "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
                1_700_000_038
            ),
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999978;1700010038\
             &q-key-time=1699999978;1700010038&q-header-list=content-length;content-type;host;x-cos-copy-source;\
             x-cos-meta-copied;x-cos-metadata-directive&q-url-param-list=&q-signature=f1f2c0346c32cd2b4227a7998ec0ed42d495f03f"
        );
        // reference §1.10 V7 (https)
        let https = Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .scheme(Scheme::Https)
            .build()
            .expect("valid");
        let source =
            CopySource::new("src-1250000000", "/dir/中文 a+b.txt", "ap-beijing").version_id("v1");
        let mut request = CopyObject::new("dst.txt", source)
            .metadata_directive(CopyDirective::Replaced)
            .content_type("text/plain")
            .metadata("x-cos-meta-a", "1")
            .build_request(&https)
            .expect("builds");
        let auth = authorization(
            &mut request,
            "AKIDEXAMPLE",
            "SECRETKEYEXAMPLE",
            1_700_000_000,
        );
        assert!(
            auth.ends_with("&q-signature=6122472618dc50441e01142653bb674a77703933"),
            "{auth}"
        );
    }

    const COPY_OK: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult>\n    \
        <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag>\n    <CRC64>11177612005948864433</CRC64>\n    \
        <LastModified>2023-11-14T22:13:20Z</LastModified>\n    <VersionId>MTg0NDUxNTc1NjIzMTQ1MDA0NDQ</VersionId>\n\
        </CopyObjectResult>";

    fn copy() -> CopyObject {
        CopyObject::new(
            "copy.txt",
            CopySource::new("src-1250000000", "a.txt", "ap-guangzhou"),
        )
    }

    #[test]
    fn parses_the_copy_result() {
        let url = "http://h/copy.txt".parse().expect("uri");
        let ok = response(
            200,
            &[
                ("Content-Type", "application/xml"),
                ("x-cos-version-id", "MTg0NDUxNTc1NjIzMTQ1MDA0NDQ"),
                ("x-cos-copy-source-version-id", "MTg0"),
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
            ],
            COPY_OK,
        );
        let out = copy().parse_response(&url, ok).expect("parses");
        assert_eq!(out.etag, "\"5d41402abc4b2a76b9719d911017c592\"");
        assert_eq!(out.last_modified.as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(out.crc64, Some(11_177_612_005_948_864_433));
        assert_eq!(
            out.version_id.as_deref(),
            Some("MTg0NDUxNTc1NjIzMTQ1MDA0NDQ")
        );
        assert_eq!(out.copy_source_version_id.as_deref(), Some("MTg0"));
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        assert_eq!(out.headers["content-type"], "application/xml");
        // Without the header, the document's VersionId is used.
        let out = copy()
            .parse_response(&url, response(200, &[], COPY_OK))
            .expect("parses");
        assert_eq!(
            out.version_id.as_deref(),
            Some("MTg0NDUxNTc1NjIzMTQ1MDA0NDQ")
        );
        assert_eq!(out.copy_source_version_id, None);
    }

    #[test]
    fn errors_including_inside_a_200() {
        let url = "http://h/copy.txt".parse().expect("uri");
        let err = copy()
            .parse_response(&url, error_response(404, "NoSuchKey"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((404, "NoSuchKey"))
        );
        // responses.json copy_object-200-error
        let in_200 = error_response(200, "InternalError");
        let err = copy().parse_response(&url, in_200).expect_err("fails");
        let err = err.service_error().expect("service error");
        assert_eq!((err.status, err.code()), (200, "InternalError"));
        assert_eq!(err.request_id.as_deref(), Some("req-1"));
        let no_etag = response(
            200,
            &[("x-cos-request-id", "r1")],
            "<CopyObjectResult><LastModified>x</LastModified></CopyObjectResult>",
        );
        let err = copy().parse_response(&url, no_etag).expect_err("fails");
        assert_eq!(
            err.service_error()
                .map(|e| (e.status, e.request_id.as_deref())),
            Some((200, Some("r1")))
        );
        let garbage = response(200, &[], "<CopyObjectResult><ETag>");
        assert!(matches!(
            copy().parse_response(&url, garbage),
            Err(Error::Response(_))
        ));
    }

    #[test]
    fn rejects_invalid_input_before_building() {
        let build = |copy: CopyObject| copy.build_request(&config()).err();
        let source = || CopySource::new("src-1250000000", "a.txt", "ap-guangzhou");
        assert_eq!(
            build(CopyObject::new("", source())),
            Some(Error::Input(InputError::EmptyKey))
        );
        assert!(matches!(
            build(CopyObject::new(
                "k",
                CopySource::new("src-1250000000", "", "ap-guangzhou")
            )),
            Some(Error::Input(InputError::EmptyKey))
        ));
        assert!(matches!(
            build(CopyObject::new(
                "k",
                CopySource::new("src-1250000000", "a", "")
            )),
            Some(Error::Input(InputError::InvalidArgument {
                what: "copy source",
                ..
            }))
        ));
        assert!(matches!(
            build(CopyObject::new("k", source()).metadata("author", "x")),
            Some(Error::Input(InputError::InvalidMetadataName { .. }))
        ));
        assert!(matches!(
            build(CopyObject::new("k", source()).copy_source_if_match("a\nb")),
            Some(Error::Input(InputError::InvalidHeaderValue { .. }))
        ));
    }
}
