//! Upload Part - Copy: copy a byte range of an existing object as one part of a
//! multipart upload.

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::{HeaderMap, Method};

use super::copy_source::{
    CopySource, CopySourceConditions, copy_condition_setters, parse_copy_result,
};
use super::initiate_multipart_upload::check_upload_id;
use super::put_object::MAX_SINGLE_UPLOAD;
use crate::Config;
use crate::error::{Error, InputError};
use crate::headers::{CustomerKey, check_part_number};
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Copies bytes of `source` (all of it, or the range given with
/// [`UploadPartCopy::copy_source_range`]) as part `part_number` (1..=10000) of an upload
/// started with [`crate::ops::InitiateMultipartUpload`].
///
/// COS can fail after answering `200`: `parse_response` turns such an answer into a
/// [`crate::ServiceError`] with status 200.
///
/// ```
/// use cos_proto::{Config, Operation, ops::{CopySource, UploadPartCopy}};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let source = CopySource::new("src", "k", "ap-beijing").appid("1250000000");
/// let request = UploadPartCopy::new("dst.txt", "UPID", 1, source)
///     .copy_source_range(0, 1_048_575)
///     .build_request(&cfg)
///     .unwrap();
/// assert_eq!(request.headers()["x-cos-copy-source"], "src-1250000000.cos.ap-beijing.myqcloud.com/k");
/// assert_eq!(request.headers()["x-cos-copy-source-range"], "bytes=0-1048575");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct UploadPartCopy {
    key: String,
    upload_id: String,
    part_number: u32,
    source: CopySource,
    range: Option<(u64, u64)>,
    conditions: CopySourceConditions,
    source_customer_key: Option<CustomerKey>,
    customer_key: Option<CustomerKey>,
    extras: Extras,
}

impl UploadPartCopy {
    extras_setters!(extras);

    /// Copies `source` as part `part_number` of `upload_id` for `key`.
    pub fn new(
        key: impl Into<String>,
        upload_id: impl Into<String>,
        part_number: u32,
        source: CopySource,
    ) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            upload_id: upload_id.into(),
            part_number,
            source,
            range: None,
            conditions: CopySourceConditions::default(),
            source_customer_key: None,
            customer_key: None,
        }
    }

    copy_condition_setters!(conditions);

    /// Copies only bytes `first..=last` of the source (`x-cos-copy-source-range:
    /// bytes=first-last`, at most 5 GiB). Without it the whole source is copied.
    pub fn copy_source_range(mut self, first: u64, last: u64) -> Self {
        self.range = Some((first, last));
        self
    }

    /// The SSE-C key the source is stored with
    /// (`x-cos-copy-source-server-side-encryption-customer-*`).
    pub fn copy_source_customer_key(mut self, key: CustomerKey) -> Self {
        self.source_customer_key = Some(key);
        self
    }

    /// The SSE-C key the upload was initiated with (required for SSE-C uploads).
    pub fn customer_key(mut self, key: CustomerKey) -> Self {
        self.customer_key = Some(key);
        self
    }

    /// The destination key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The part number.
    pub fn part_number(&self) -> u32 {
        self.part_number
    }
}

/// What COS returns for a copied part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadPartCopyOutput {
    /// The part's `ETag` (with quotes): pass it to [`crate::ops::CompleteMultipartUpload`].
    pub etag: String,
    /// `LastModified` of the part (ISO 8601).
    pub last_modified: Option<String>,
    /// The part's CRC-64 (`<CRC64>`, else `x-cos-hash-crc64ecma`), when COS sent it.
    pub crc64: Option<u64>,
    /// The version that was copied (`x-cos-copy-source-version-id`).
    pub copy_source_version_id: Option<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for UploadPartCopy {
    type Output = UploadPartCopyOutput;
    const NAME: &'static str = "UploadPartCopy";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        check_part_number(self.part_number)?;
        check_upload_id(&self.upload_id)?;
        let range = match self.range {
            Some((first, last)) => {
                if last < first {
                    return Err(InputError::InvalidArgument {
                        what: "copy source range",
                        reason: format!("last byte {last} is before first byte {first}"),
                    }
                    .into());
                }
                if last - first >= MAX_SINGLE_UPLOAD {
                    return Err(InputError::InvalidArgument {
                        what: "copy source range",
                        reason: "a part carries at most 5 GiB".to_owned(),
                    }
                    .into());
                }
                format!("bytes={first}-{last}")
            }
            // The official SDK always sends the header, empty when no range is given.
            None => String::new(),
        };
        let mut b = RequestBuilder::object(Method::PUT, &self.key)?
            .query("partNumber", self.part_number.to_string())
            .query("uploadId", self.upload_id.clone());
        b = self.conditions.apply(b)?;
        if let Some(key) = &self.source_customer_key {
            b = key.apply(b, "copy-source-")?;
        }
        if let Some(key) = &self.customer_key {
            b = key.apply(b, "")?;
        }
        b = self.source.apply(b, config)?;
        b = b.header_static("x-cos-copy-source-range", &range)?;
        Ok(b.body(Body::Empty).extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<UploadPartCopyOutput, Error> {
        response::check(&Method::PUT, url, &response)?;
        let result = parse_copy_result("CopyPartResult", &response)?;
        let headers = response.headers();
        Ok(UploadPartCopyOutput {
            etag: result.etag,
            last_modified: result.last_modified,
            crc64: result.crc64,
            copy_source_version_id: header_text(headers, "x-cos-copy-source-version-id"),
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::ServerSideEncryption;
    use crate::ops::test_support::{config, error_response, header, response};
    use crate::sign::{KeyTime, SignOptions, sign_request};
    use crate::{Credentials, Scheme};

    const UPLOAD_ID: &str =
        "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";

    fn customer_key(byte: u8) -> CustomerKey {
        match ServerSideEncryption::customer_key(&[byte; 32]) {
            ServerSideEncryption::Customer(key) => key,
            other => panic!("customer key expected, got {other:?}"),
        }
    }

    #[test]
    fn builds_with_every_parameter() {
        let source = CopySource::new(
            "sourcebucket-1250000000",
            "source/源文件 1.txt",
            "ap-beijing",
        )
        .version_id("MTg0");
        let request = UploadPartCopy::new("dest.bin", UPLOAD_ID, 100, source)
            .copy_source_range(0, 5_242_879)
            .copy_source_if_match("\"abc\"")
            .copy_source_if_modified_since("Mon, 13 Nov 2023 00:00:00 GMT")
            .copy_source_if_none_match("\"def\"")
            .copy_source_if_unmodified_since("Tue, 14 Nov 2023 00:00:00 GMT")
            .copy_source_customer_key(customer_key(b'0'))
            .customer_key(customer_key(b'1'))
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(
            request.uri().to_string(),
            format!(
                "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dest.bin?partNumber=100&uploadId={UPLOAD_ID}"
            )
        );
        let expected = [
            (
                "host",
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            ),
            (
                "x-cos-copy-source",
                "sourcebucket-1250000000.cos.ap-beijing.myqcloud.com/source/%E6%BA%90%E6%96%87%E4%BB%B6%201.txt?versionId=MTg0",
            ),
            ("x-cos-copy-source-range", "bytes=0-5242879"),
            ("x-cos-copy-source-if-match", "\"abc\""),
            (
                "x-cos-copy-source-if-modified-since",
                "Mon, 13 Nov 2023 00:00:00 GMT",
            ),
            ("x-cos-copy-source-if-none-match", "\"def\""),
            (
                "x-cos-copy-source-if-unmodified-since",
                "Tue, 14 Nov 2023 00:00:00 GMT",
            ),
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
            ("x-cos-server-side-encryption-customer-algorithm", "AES256"),
            (
                "x-cos-server-side-encryption-customer-key",
                "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=",
            ),
            (
                "x-cos-server-side-encryption-customer-key-md5",
                "GoDL8oWeAZVZNl1r5Hh5Tg==",
            ),
            ("content-length", "0"),
        ];
        for (name, value) in expected {
            assert_eq!(header(&request, name), value, "{name}");
        }
        assert_eq!(request.headers().len(), expected.len());
        assert_eq!(request.body(), &Body::Empty);
    }

    #[test]
    fn without_a_range_the_header_is_sent_empty() {
        // requests.json upload_part_copy-norange
        let source =
            CopySource::new("src-1250000000", "whole.bin", "ap-guangzhou").version_id("MTg0");
        let request = UploadPartCopy::new("dest.bin", UPLOAD_ID, 2, source)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().path_and_query().map(|p| p.as_str()),
            Some(format!("/dest.bin?partNumber=2&uploadId={UPLOAD_ID}").as_str())
        );
        assert_eq!(
            header(&request, "x-cos-copy-source"),
            "src-1250000000.cos.ap-guangzhou.myqcloud.com/whole.bin?versionId=MTg0"
        );
        assert_eq!(header(&request, "x-cos-copy-source-range"), "");
        assert_eq!(header(&request, "content-length"), "0");
        assert_eq!(request.headers().len(), 4);
    }

    #[test]
    fn signature_matches_reference_v8() {
        let https = Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .scheme(Scheme::Https)
            .build()
            .expect("valid");
        let source = CopySource::new("src", "k", "ap-beijing").appid("1250000000");
        let mut request = UploadPartCopy::new("dst.txt", "UPID", 1, source)
            .copy_source_range(0, 1_048_575)
            .build_request(&https)
            .expect("builds");
        let credentials = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").expect("valid");
        sign_request(
            &mut request,
            &credentials,
            KeyTime::new(1_700_000_000, 10_000),
            SignOptions::default(),
        )
        .expect("signs");
        let auth = header(&request, "authorization");
        assert!(
            auth.contains("&q-header-list=content-length;host;x-cos-copy-source;x-cos-copy-source-range&q-url-param-list=partnumber;uploadid&"),
            "{auth}"
        );
        assert!(
            auth.ends_with("&q-signature=79ededc277f05764de8dc34fa314eac42c3f3b26"),
            "{auth}"
        );
    }

    fn part_copy() -> UploadPartCopy {
        UploadPartCopy::new(
            "dest.bin",
            UPLOAD_ID,
            1,
            CopySource::new("src-1250000000", "src.bin", "ap-guangzhou"),
        )
    }

    #[test]
    fn parses_the_part_result() {
        let url = "http://h/dest.bin?partNumber=1&uploadId=u"
            .parse()
            .expect("uri");
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyPartResult>\n    \
                    <ETag>&quot;ba82b57cfdfda8bd17ad4e5879ebb4fe&quot;</ETag>\n    <CRC64>12998366766741935826</CRC64>\n    \
                    <LastModified>2023-11-14T22:13:20Z</LastModified>\n</CopyPartResult>";
        let ok = response(
            200,
            &[
                ("Content-Type", "application/xml"),
                ("x-cos-copy-source-version-id", "MTg0"),
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
            ],
            body,
        );
        let out = part_copy().parse_response(&url, ok).expect("parses");
        assert_eq!(out.etag, "\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"");
        assert_eq!(out.crc64, Some(12_998_366_766_741_935_826));
        assert_eq!(out.last_modified.as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(out.copy_source_version_id.as_deref(), Some("MTg0"));
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        assert_eq!(out.headers["content-type"], "application/xml");
    }

    #[test]
    fn errors_including_inside_a_200() {
        let url = "http://h/dest.bin?partNumber=1&uploadId=u"
            .parse()
            .expect("uri");
        let err = part_copy()
            .parse_response(&url, error_response(412, "PreconditionFailed"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((412, "PreconditionFailed"))
        );
        let err = part_copy()
            .parse_response(&url, error_response(200, "InternalError"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((200, "InternalError"))
        );
        let no_etag = response(
            200,
            &[],
            "<CopyPartResult><CRC64>1</CRC64></CopyPartResult>",
        );
        let err = part_copy()
            .parse_response(&url, no_etag)
            .expect_err("fails");
        assert_eq!(err.service_error().map(|e| e.status), Some(200));
        let garbage = response(200, &[], "<CopyPartResult><ETag>x</CopyPartResult>");
        assert!(matches!(
            part_copy().parse_response(&url, garbage),
            Err(Error::Response(_))
        ));
    }

    #[test]
    fn rejects_invalid_input_before_building() {
        let build = |op: UploadPartCopy| op.build_request(&config()).err();
        let source = || CopySource::new("src-1250000000", "src.bin", "ap-guangzhou");
        assert_eq!(
            build(UploadPartCopy::new("k", "u", 0, source())),
            Some(Error::Input(InputError::InvalidPartNumber(0)))
        );
        assert!(matches!(
            build(UploadPartCopy::new("k", "", 1, source())),
            Some(Error::Input(InputError::InvalidArgument {
                what: "upload id",
                ..
            }))
        ));
        assert!(matches!(
            build(UploadPartCopy::new("k", "u", 1, source()).copy_source_range(10, 9)),
            Some(Error::Input(InputError::InvalidArgument {
                what: "copy source range",
                ..
            }))
        ));
        assert!(matches!(
            build(
                UploadPartCopy::new("k", "u", 1, source()).copy_source_range(0, MAX_SINGLE_UPLOAD)
            ),
            Some(Error::Input(InputError::InvalidArgument {
                what: "copy source range",
                ..
            }))
        ));
        assert!(
            build(
                UploadPartCopy::new("k", "u", 1, source())
                    .copy_source_range(0, MAX_SINGLE_UPLOAD - 1)
            )
            .is_none()
        );
        assert!(
            build(UploadPartCopy::new("k", "u", 1, source()).copy_source_range(7, 7)).is_none()
        );
        assert!(matches!(
            build(UploadPartCopy::new(
                "k",
                "u",
                1,
                CopySource::new("src-1250000000", "/", "ap-guangzhou")
            )),
            Some(Error::Input(InputError::KeyResolvesToBucket { .. }))
        ));
        assert_eq!(
            build(UploadPartCopy::new("", "u", 1, source())),
            Some(Error::Input(InputError::EmptyKey))
        );
    }
}
