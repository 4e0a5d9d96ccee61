//! Upload Part: upload one part of a multipart upload.

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::{HeaderMap, Method};

use super::initiate_multipart_upload::check_upload_id;
use super::put_object::MAX_SINGLE_UPLOAD;
use crate::Config;
use crate::error::{Error, InputError, ResponseError};
use crate::headers::{CustomerKey, apply_traffic_limit, check_part_number};
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, crc64_header, header_text};

/// Uploads part `part_number` (1..=10000) of an upload started with
/// [`crate::ops::InitiateMultipartUpload`]. The driver streams the payload: exactly
/// `content_length` bytes (at most 5 GiB), or a chunked stream when the length is unknown.
/// Uploading the same part number again replaces the part.
///
/// ```
/// use cos_proto::{Config, Operation, ops::UploadPart};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = UploadPart::new("big file.iso", "upload-id", 1, Some(1024)).build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("partNumber=1&uploadId=upload-id"));
/// assert_eq!(request.headers()["content-length"], "1024");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct UploadPart {
    key: String,
    upload_id: String,
    part_number: u32,
    content_length: Option<u64>,
    content_md5: Option<String>,
    traffic_limit: Option<u64>,
    customer_key: Option<CustomerKey>,
    extras: Extras,
}

impl UploadPart {
    extras_setters!(extras);

    /// Uploads `content_length` bytes (or a chunked stream for `None`) as part
    /// `part_number` of `upload_id` for `key`.
    pub fn new(
        key: impl Into<String>,
        upload_id: impl Into<String>,
        part_number: u32,
        content_length: Option<u64>,
    ) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            upload_id: upload_id.into(),
            part_number,
            content_length,
            content_md5: None,
            traffic_limit: None,
            customer_key: None,
        }
    }

    /// Sends `Content-MD5` (base64 of the part's MD5, see
    /// [`crate::headers::content_md5`]); COS rejects a mismatching body with `BadDigest`.
    pub fn content_md5(mut self, base64_md5: impl Into<String>) -> Self {
        self.content_md5 = Some(base64_md5.into());
        self
    }

    /// Limits this upload's bandwidth, in bit/s (819200..=838860800).
    pub fn traffic_limit(mut self, bits_per_second: u64) -> Self {
        self.traffic_limit = Some(bits_per_second);
        self
    }

    /// The SSE-C key the upload was initiated with (required for SSE-C uploads).
    pub fn customer_key(mut self, key: CustomerKey) -> Self {
        self.customer_key = Some(key);
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The part number.
    pub fn part_number(&self) -> u32 {
        self.part_number
    }

    /// The payload length this request announces (`None`: chunked).
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The `Content-MD5` set with [`UploadPart::content_md5`].
    pub fn content_md5_value(&self) -> Option<&str> {
        self.content_md5.as_deref()
    }
}

/// What COS returns for an uploaded part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadPartOutput {
    /// The part's `ETag` (with quotes): pass it to [`crate::ops::CompleteMultipartUpload`].
    pub etag: String,
    /// `x-cos-hash-crc64ecma` of the part, when COS sent it.
    pub crc64: Option<u64>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for UploadPart {
    type Output = UploadPartOutput;
    const NAME: &'static str = "UploadPart";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        check_part_number(self.part_number)?;
        check_upload_id(&self.upload_id)?;
        if self
            .content_length
            .is_some_and(|len| len > MAX_SINGLE_UPLOAD)
        {
            return Err(InputError::InvalidArgument {
                what: "content length",
                reason: "a part carries at most 5 GiB".to_owned(),
            }
            .into());
        }
        let mut b = RequestBuilder::object(Method::PUT, &self.key)?
            .query("partNumber", self.part_number.to_string())
            .query("uploadId", self.upload_id.clone());
        b = apply_traffic_limit(b, self.traffic_limit)?;
        if let Some(key) = &self.customer_key {
            b = key.apply(b, "")?;
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
    ) -> Result<UploadPartOutput, Error> {
        response::check(&Method::PUT, url, &response)?;
        let headers = response.headers();
        Ok(UploadPartOutput {
            etag: header_text(headers, "etag").ok_or(ResponseError::MissingHeader("etag"))?,
            crc64: crc64_header(headers)?,
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;
    use crate::headers::ServerSideEncryption;
    use crate::ops::test_support::{config, error_response, header, response};
    use crate::sign::{KeyTime, SignOptions, sign_request};

    const UPLOAD_ID: &str =
        "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";

    #[test]
    fn builds_with_every_parameter() {
        // requests.json upload_part-md5-traffic
        let ServerSideEncryption::Customer(key) =
            ServerSideEncryption::customer_key(b"0123456789ABCDEF0123456789ABCDEF")
        else {
            panic!("customer key expected")
        };
        let request = UploadPart::new("big file.iso", UPLOAD_ID, 10_000, Some(1000))
            .content_md5("EexT28YzAz/aqT/WhHvqGg==")
            .traffic_limit(819_200)
            .customer_key(key)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(
            request.uri().to_string(),
            format!(
                "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file.iso?partNumber=10000&uploadId={UPLOAD_ID}"
            )
        );
        let expected = [
            (
                "host",
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            ),
            ("x-cos-traffic-limit", "819200"),
            ("x-cos-server-side-encryption-customer-algorithm", "AES256"),
            (
                "x-cos-server-side-encryption-customer-key",
                "MDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY=",
            ),
            (
                "x-cos-server-side-encryption-customer-key-md5",
                "U5L61r7jcwdNvT7frmUG8g==",
            ),
            ("content-md5", "EexT28YzAz/aqT/WhHvqGg=="),
            ("content-length", "1000"),
        ];
        for (name, value) in expected {
            assert_eq!(header(&request, name), value, "{name}");
        }
        assert_eq!(request.headers().len(), expected.len());
        assert_eq!(request.body(), &Body::Payload { length: Some(1000) });
    }

    #[test]
    fn signature_matches_the_reference() {
        // signature.json upload-part
        let mut request = UploadPart::new("big file.iso", UPLOAD_ID, 1, Some(1024))
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.headers().len(), 2);
        let credentials = Credentials::new(
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
        )
        .expect("valid");
        sign_request(
            &mut request,
            &credentials,
            KeyTime::new(1_700_000_027, 10_000),
            SignOptions::default(),
        )
        .expect("signs");
        assert_eq!(
            header(&request, "authorization"),
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999967;1700010027\
             &q-key-time=1699999967;1700010027&q-header-list=content-length;host&q-url-param-list=partnumber;uploadid\
             &q-signature=1f580acceb4572b9ebd4f239f94c8fbde4a3fea7"
        );
    }

    #[test]
    fn parses_headers_and_errors() {
        let op = UploadPart::new("big file.iso", UPLOAD_ID, 1, Some(4));
        let url = "http://h/big%20file.iso?partNumber=1&uploadId=u"
            .parse()
            .expect("uri");
        let ok = response(
            200,
            &[
                ("ETag", "\"f4c9385f1902f7334b00b9b4ecd164de\""),
                ("x-cos-hash-crc64ecma", "2695730276159960308"),
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
                ("Content-Length", "0"),
            ],
            "",
        );
        let out = op.parse_response(&url, ok).expect("parses");
        assert_eq!(out.etag, "\"f4c9385f1902f7334b00b9b4ecd164de\"");
        assert_eq!(out.crc64, Some(2_695_730_276_159_960_308));
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        assert_eq!(out.headers["content-length"], "0");
        let no_crc = op
            .parse_response(&url, response(200, &[("ETag", "\"e\"")], ""))
            .expect("parses");
        assert_eq!(no_crc.crc64, None);
        assert_eq!(
            op.parse_response(&url, response(200, &[], "")),
            Err(Error::Response(ResponseError::MissingHeader("etag")))
        );
        let bad_crc = response(
            200,
            &[("ETag", "\"e\""), ("x-cos-hash-crc64ecma", "abc")],
            "",
        );
        assert!(matches!(
            op.parse_response(&url, bad_crc),
            Err(Error::Response(ResponseError::InvalidHeader { .. }))
        ));
        let err = op
            .parse_response(&url, error_response(404, "NoSuchUpload"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((404, "NoSuchUpload"))
        );
    }

    #[test]
    fn rejects_invalid_input_before_building() {
        let build = |op: UploadPart| op.build_request(&config()).err();
        assert_eq!(
            build(UploadPart::new("k", "u", 0, Some(1))),
            Some(Error::Input(InputError::InvalidPartNumber(0)))
        );
        assert_eq!(
            build(UploadPart::new("k", "u", 10_001, Some(1))),
            Some(Error::Input(InputError::InvalidPartNumber(10_001)))
        );
        assert!(matches!(
            build(UploadPart::new("k", "", 1, Some(1))),
            Some(Error::Input(InputError::InvalidArgument {
                what: "upload id",
                ..
            }))
        ));
        assert!(matches!(
            build(UploadPart::new("k", "u", 1, Some(MAX_SINGLE_UPLOAD + 1))),
            Some(Error::Input(InputError::InvalidArgument {
                what: "content length",
                ..
            }))
        ));
        assert!(build(UploadPart::new("k", "u", 1, Some(MAX_SINGLE_UPLOAD))).is_none());
        assert_eq!(
            build(UploadPart::new("k", "u", 1, Some(1)).traffic_limit(100)),
            Some(Error::Input(InputError::InvalidTrafficLimit(100)))
        );
        assert_eq!(
            build(UploadPart::new("", "u", 1, Some(1))),
            Some(Error::Input(InputError::EmptyKey))
        );
        let chunked = UploadPart::new("k", "u", 1, None)
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&chunked, "transfer-encoding"), "chunked");
        assert!(chunked.headers().get("content-length").is_none());
    }
}
