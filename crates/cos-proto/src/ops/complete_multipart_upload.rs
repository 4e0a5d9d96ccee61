//! Complete Multipart Upload: assemble the uploaded parts into the object.

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::Deserialize;

use super::initiate_multipart_upload::check_upload_id;
use crate::Config;
use crate::error::{Error, InputError};
use crate::headers::check_part_number;
use crate::operation::{Operation, TimeoutClass};
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, crc64_header, header_text};
use crate::xml::{self, XmlWriter};

/// Assembles the parts of an upload into the object. Give every part to keep, by part
/// number in strictly ascending order, with the ETag its upload returned.
///
/// COS may take long to assemble large objects; it answers `200` at once and may then
/// report a failure inside the body: `parse_response` turns an `<Error>` document, or a
/// document without `ETag`, into a [`crate::ServiceError`] with status 200.
///
/// ```
/// use cos_proto::{Config, Operation, ops::CompleteMultipartUpload};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let complete = CompleteMultipartUpload::new("big file.iso", "upload-id")
///     .part(1, "\"e1\"")
///     .part(2, "\"e2\"");
/// let request = complete.build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("uploadId=upload-id"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct CompleteMultipartUpload {
    key: String,
    upload_id: String,
    parts: Vec<(u32, String)>,
    forbid_overwrite: bool,
    extras: Extras,
}

impl CompleteMultipartUpload {
    extras_setters!(extras);

    /// Completes `upload_id` for `key`; add the parts with [`CompleteMultipartUpload::part`]
    /// or [`CompleteMultipartUpload::parts`].
    pub fn new(key: impl Into<String>, upload_id: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            upload_id: upload_id.into(),
            parts: Vec::new(),
            forbid_overwrite: false,
        }
    }

    /// Adds a part: its number (1..=10000, greater than the previous part's) and the
    /// `ETag` its upload returned (quotes included, as COS sent it).
    pub fn part(mut self, part_number: u32, etag: impl Into<String>) -> Self {
        self.parts.push((part_number, etag.into()));
        self
    }

    /// Adds parts as `(part number, ETag)` pairs, in ascending part-number order.
    pub fn parts<I, E>(mut self, parts: I) -> Self
    where
        I: IntoIterator<Item = (u32, E)>,
        E: Into<String>,
    {
        self.parts
            .extend(parts.into_iter().map(|(n, e)| (n, e.into())));
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

    /// The parts given so far.
    pub fn part_list(&self) -> &[(u32, String)] {
        &self.parts
    }

    /// Checks the part list: at least one part, numbers in 1..=10000 and strictly
    /// ascending (COS answers `InvalidPartOrder` otherwise), no empty ETag.
    fn check_parts(&self) -> Result<(), InputError> {
        if self.parts.is_empty() {
            return Err(InputError::InvalidArgument {
                what: "parts",
                reason: "a multipart upload is completed with at least one part".to_owned(),
            });
        }
        let mut previous = 0;
        for (number, etag) in &self.parts {
            check_part_number(*number)?;
            if *number <= previous {
                return Err(InputError::InvalidArgument {
                    what: "parts",
                    reason: format!(
                        "part {number} follows part {previous}: part numbers must be strictly ascending"
                    ),
                });
            }
            if etag.is_empty() {
                return Err(InputError::InvalidArgument {
                    what: "parts",
                    reason: format!("part {number} has an empty ETag"),
                });
            }
            previous = *number;
        }
        Ok(())
    }

    /// The request document, written as the official SDK writes it (minidom: no newline
    /// after the declaration, quotes escaped as `&quot;`).
    fn document(&self) -> Bytes {
        let mut w = XmlWriter::minidom();
        w.open("CompleteMultipartUpload");
        for (number, etag) in &self.parts {
            w.open("Part")
                .element("PartNumber", &number.to_string())
                .element("ETag", etag)
                .close("Part");
        }
        w.close("CompleteMultipartUpload");
        w.finish()
    }
}

/// What COS returns for a completed upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompleteMultipartUploadOutput {
    /// `Location`: `<bucket host>/<encoded key>`, as COS returns it.
    pub location: Option<String>,
    /// `Bucket` as COS returns it.
    pub bucket: Option<String>,
    /// `Key` as COS returns it.
    pub key: Option<String>,
    /// The object's `ETag` (with quotes; `"<md5 of the part md5s>-<part count>"`, not an
    /// MD5 of the data).
    pub etag: String,
    /// `x-cos-hash-crc64ecma` of the whole object, when COS sent it.
    pub crc64: Option<u64>,
    /// `x-cos-version-id` on versioned buckets.
    pub version_id: Option<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

#[derive(Debug, Deserialize)]
struct CompleteMultipartUploadResult {
    #[serde(rename = "Location", default, deserialize_with = "xml::non_empty")]
    location: Option<String>,
    #[serde(rename = "Bucket", default, deserialize_with = "xml::non_empty")]
    bucket: Option<String>,
    #[serde(rename = "Key", default, deserialize_with = "xml::non_empty")]
    key: Option<String>,
    #[serde(rename = "ETag", default, deserialize_with = "xml::non_empty")]
    etag: Option<String>,
}

impl Operation for CompleteMultipartUpload {
    type Output = CompleteMultipartUploadOutput;
    const NAME: &'static str = "CompleteMultipartUpload";
    const TIMEOUT: TimeoutClass = TimeoutClass::Long;

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        check_upload_id(&self.upload_id)?;
        self.check_parts()?;
        let mut b = RequestBuilder::object(Method::POST, &self.key)?
            .query("uploadId", self.upload_id.clone());
        if self.forbid_overwrite {
            b = b.header_static("x-cos-forbid-overwrite", "true")?;
        }
        Ok(b.body(Body::Bytes(self.document()))
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<CompleteMultipartUploadOutput, Error> {
        response::check(&Method::POST, url, &response)?;
        response::check_error_in_200(&response)?;
        if response.body().trim_ascii().is_empty() {
            return Err(response::missing_etag_in_200(&response));
        }
        let doc: CompleteMultipartUploadResult =
            xml::parse("CompleteMultipartUploadResult", response.body())?;
        let Some(etag) = doc.etag else {
            return Err(response::missing_etag_in_200(&response));
        };
        let headers = response.headers();
        Ok(CompleteMultipartUploadOutput {
            location: doc.location,
            bucket: doc.bucket,
            key: doc.key,
            etag,
            crc64: crc64_header(headers)?,
            version_id: header_text(headers, "x-cos-version-id"),
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ResponseError;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    const UPLOAD_ID: &str =
        "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";

    #[test]
    fn builds_with_every_parameter() {
        // requests.json complete_multipart_upload-three, plus forbid-overwrite
        let request = CompleteMultipartUpload::new("big file.iso", UPLOAD_ID)
            .part(1, "\"e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1\"")
            .parts([
                (2, "\"e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2\""),
                (3, "e3-no-quotes"),
            ])
            .forbid_overwrite(true)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().to_string(),
            format!(
                "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file.iso?uploadId={UPLOAD_ID}"
            )
        );
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><CompleteMultipartUpload>\
                    <Part><PartNumber>1</PartNumber><ETag>&quot;e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1&quot;</ETag></Part>\
                    <Part><PartNumber>2</PartNumber><ETag>&quot;e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2&quot;</ETag></Part>\
                    <Part><PartNumber>3</PartNumber><ETag>e3-no-quotes</ETag></Part></CompleteMultipartUpload>";
        assert_eq!(body_text(&request), body);
        assert_eq!(body.len(), 345);
        let expected = [
            (
                "host",
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            ),
            ("x-cos-forbid-overwrite", "true"),
            ("content-length", "345"),
        ];
        for (name, value) in expected {
            assert_eq!(header(&request, name), value, "{name}");
        }
        assert_eq!(request.headers().len(), expected.len());
    }

    #[test]
    fn etags_are_escaped_like_minidom() {
        let request = CompleteMultipartUpload::new("k", "u")
            .part(10_000, "a&b<c>\"d'")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><CompleteMultipartUpload><Part><PartNumber>10000</PartNumber>\
             <ETag>a&amp;b&lt;c&gt;&quot;d'</ETag></Part></CompleteMultipartUpload>"
        );
    }

    fn complete() -> CompleteMultipartUpload {
        CompleteMultipartUpload::new("big file.iso", UPLOAD_ID).part(1, "\"e1\"")
    }

    #[test]
    fn parses_the_result() {
        let url = "http://h/big%20file.iso?uploadId=u".parse().expect("uri");
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult>\n    \
                    <Location>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file.iso</Location>\n    \
                    <Bucket>examplebucket-1250000000</Bucket>\n    <Key>big file.iso</Key>\n    \
                    <ETag>&quot;aa259a62513358f69e833e9bbd2ba2f9-3&quot;</ETag>\n</CompleteMultipartUploadResult>";
        let ok = response(
            200,
            &[
                ("Content-Type", "application/xml"),
                ("x-cos-hash-crc64ecma", "16749565679157681890"),
                ("x-cos-version-id", "MTg0NDUxNTc1NjIzMTQ1MDA1NTU"),
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
            ],
            body,
        );
        let out = complete().parse_response(&url, ok).expect("parses");
        assert_eq!(
            out.location.as_deref(),
            Some("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file.iso")
        );
        assert_eq!(out.bucket.as_deref(), Some("examplebucket-1250000000"));
        assert_eq!(out.key.as_deref(), Some("big file.iso"));
        assert_eq!(out.etag, "\"aa259a62513358f69e833e9bbd2ba2f9-3\"");
        assert_eq!(out.crc64, Some(16_749_565_679_157_681_890));
        assert_eq!(
            out.version_id.as_deref(),
            Some("MTg0NDUxNTc1NjIzMTQ1MDA1NTU")
        );
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        assert_eq!(out.headers["content-type"], "application/xml");
        // Keep-alive whitespace before a late result, and a namespaced root.
        let late = "\n \n<CompleteMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">\
                    <ETag>\"e-1\"</ETag></CompleteMultipartUploadResult>";
        let out = complete()
            .parse_response(&url, response(200, &[], late))
            .expect("parses");
        assert_eq!(
            (out.etag.as_str(), out.crc64, out.location),
            ("\"e-1\"", None, None)
        );
    }

    #[test]
    fn errors_including_inside_a_200() {
        let url = "http://h/big%20file.iso?uploadId=u".parse().expect("uri");
        let err = complete()
            .parse_response(&url, error_response(400, "InvalidPartOrder"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((400, "InvalidPartOrder"))
        );
        let err = complete()
            .parse_response(&url, error_response(200, "InternalError"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((200, "InternalError"))
        );
        for body in [
            "",
            "   ",
            "<CompleteMultipartUploadResult><Key>k</Key></CompleteMultipartUploadResult>",
        ] {
            let err = complete()
                .parse_response(&url, response(200, &[], body))
                .expect_err("fails");
            assert_eq!(err.service_error().map(|e| e.status), Some(200), "{body:?}");
        }
        let truncated = response(
            200,
            &[],
            "<CompleteMultipartUploadResult><ETag>\"e\"</ETag><Key>",
        );
        assert!(matches!(
            complete().parse_response(&url, truncated),
            Err(Error::Response(ResponseError::MalformedXml { .. }))
        ));
        let bad_crc = response(
            200,
            &[("x-cos-hash-crc64ecma", "x")],
            "<R><ETag>e</ETag></R>",
        );
        assert!(matches!(
            complete().parse_response(&url, bad_crc),
            Err(Error::Response(_))
        ));
    }

    #[test]
    fn rejects_invalid_parts_before_building() {
        let build = |op: CompleteMultipartUpload| op.build_request(&config()).err();
        let invalid_parts = |op| {
            matches!(
                build(op),
                Some(Error::Input(InputError::InvalidArgument {
                    what: "parts",
                    ..
                }))
            )
        };
        assert!(invalid_parts(CompleteMultipartUpload::new("k", "u")));
        assert!(invalid_parts(
            CompleteMultipartUpload::new("k", "u")
                .part(2, "a")
                .part(1, "b")
        ));
        assert!(invalid_parts(
            CompleteMultipartUpload::new("k", "u")
                .part(1, "a")
                .part(1, "b")
        ));
        assert!(invalid_parts(
            CompleteMultipartUpload::new("k", "u").part(1, "")
        ));
        assert_eq!(
            build(CompleteMultipartUpload::new("k", "u").part(0, "a")),
            Some(Error::Input(InputError::InvalidPartNumber(0)))
        );
        assert_eq!(
            build(
                CompleteMultipartUpload::new("k", "u")
                    .part(1, "a")
                    .part(10_001, "b")
            ),
            Some(Error::Input(InputError::InvalidPartNumber(10_001)))
        );
        assert!(matches!(
            build(CompleteMultipartUpload::new("k", "").part(1, "a")),
            Some(Error::Input(InputError::InvalidArgument {
                what: "upload id",
                ..
            }))
        ));
        assert_eq!(
            build(CompleteMultipartUpload::new("", "u").part(1, "a")),
            Some(Error::Input(InputError::EmptyKey))
        );
        // Gaps are allowed: only the order matters.
        let ok = CompleteMultipartUpload::new("k", "u").parts([(1, "a"), (5, "b"), (10_000, "c")]);
        assert_eq!(ok.part_list().len(), 3);
        assert!(build(ok).is_none());
    }
}
