//! List Parts: list the parts uploaded so far to a multipart upload, one page at a time.

use bytes::Bytes;
use http::Method;
use serde::Deserialize;

use super::listing_common::{
    KeyDecoder, MAX_PAGE_SIZE, Owner, RawOwner, check_page_size, owner, parse_document,
};
use crate::Config;
use crate::error::{Error, InputError, ResponseError};
use crate::headers::StorageClass;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Lists the parts of a multipart upload, at most `max_parts` per page, by part number.
/// Every parameter is always sent, with `encoding-type=url`; the key in the output is
/// decoded. Ask for the following pages with [`ListParts::next_page`].
///
/// ```
/// use cos_proto::{Config, Operation, ops::ListParts};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = ListParts::new("big file.iso", "1585130821cbb7").max_parts(100).build_request(&cfg).unwrap();
/// assert_eq!(request.uri().path(), "/big%20file.iso");
/// assert_eq!(
///     request.uri().query(),
///     Some("uploadId=1585130821cbb7&part-number-marker=0&max-parts=100&encoding-type=url")
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ListParts {
    key: String,
    upload_id: String,
    part_number_marker: u32,
    max_parts: u32,
}

impl ListParts {
    /// Lists the parts of upload `upload_id` of `key`, from the first part, 1000 per page.
    pub fn new(key: impl Into<String>, upload_id: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            upload_id: upload_id.into(),
            part_number_marker: 0,
            max_parts: MAX_PAGE_SIZE,
        }
    }

    /// Starts after this part number (`part-number-marker`, default 0). Prefer
    /// [`ListParts::next_page`] to set it.
    pub fn part_number_marker(mut self, part_number: u32) -> Self {
        self.part_number_marker = part_number;
        self
    }

    /// Returns at most this many parts per page, `1..=1000` (`max-parts`, default 1000;
    /// checked when the request is built).
    pub fn max_parts(mut self, max_parts: u32) -> Self {
        self.max_parts = max_parts;
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The upload id.
    pub fn upload_id(&self) -> &str {
        &self.upload_id
    }

    /// The request for the page after `output` (the answer to this request), or `None`
    /// when `output` was the last page.
    ///
    /// The next page starts after `NextPartNumberMarker`; when COS truncates without it,
    /// after the highest part number of `output`. `None` is also returned when that
    /// number is not past this request's marker, which would ask for the same page forever.
    pub fn next_page(&self, output: &ListPartsOutput) -> Option<ListParts> {
        if !output.is_truncated {
            return None;
        }
        let marker = output
            .next_part_number_marker
            .or_else(|| output.parts.iter().map(|p| p.part_number).max())?;
        if marker <= self.part_number_marker {
            return None;
        }
        Some(Self {
            part_number_marker: marker,
            ..self.clone()
        })
    }
}

/// A part uploaded to a multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartSummary {
    /// The part number, `1..=10000`.
    pub part_number: u32,
    /// `LastModified`, ISO 8601.
    pub last_modified: String,
    /// The part's `ETag` (with its quotes), as CompleteMultipartUpload needs it.
    pub etag: String,
    /// The part's length in bytes.
    pub size: u64,
}

/// One page of a part listing. The key is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListPartsOutput {
    /// The bucket.
    pub bucket: Option<String>,
    /// `EncodingType` as COS sent it (`url`), or `None` when COS did not encode the key.
    pub encoding_type: Option<String>,
    /// The object key (decoded).
    pub key: Option<String>,
    /// The upload id.
    pub upload_id: Option<String>,
    /// Who started the upload.
    pub initiator: Option<Owner>,
    /// The owner of the object to be.
    pub owner: Option<Owner>,
    /// The storage class the object will have.
    pub storage_class: Option<StorageClass>,
    /// The part number marker of the request.
    pub part_number_marker: Option<u32>,
    /// The part number the next page starts after, when COS says; use
    /// [`ListParts::next_page`].
    pub next_part_number_marker: Option<u32>,
    /// The page size COS applied.
    pub max_parts: Option<u32>,
    /// `true` when more parts follow this page.
    pub is_truncated: bool,
    /// The parts of this page, by part number.
    pub parts: Vec<PartSummary>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawListPartsResult {
    #[serde(rename = "Bucket", default, deserialize_with = "crate::xml::non_empty")]
    bucket: Option<String>,
    #[serde(
        rename = "EncodingType",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    encoding_type: Option<String>,
    #[serde(rename = "Key", default, deserialize_with = "crate::xml::non_empty")]
    key: Option<String>,
    #[serde(
        rename = "UploadId",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    upload_id: Option<String>,
    #[serde(rename = "Initiator", default)]
    initiator: Option<RawOwner>,
    #[serde(rename = "Owner", default)]
    owner: Option<RawOwner>,
    #[serde(
        rename = "StorageClass",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    storage_class: Option<String>,
    #[serde(
        rename = "PartNumberMarker",
        default,
        deserialize_with = "super::listing_common::opt_u32"
    )]
    part_number_marker: Option<u32>,
    #[serde(
        rename = "NextPartNumberMarker",
        default,
        deserialize_with = "super::listing_common::opt_u32"
    )]
    next_part_number_marker: Option<u32>,
    #[serde(
        rename = "MaxParts",
        default,
        deserialize_with = "super::listing_common::opt_u32"
    )]
    max_parts: Option<u32>,
    #[serde(rename = "IsTruncated")]
    is_truncated: bool,
    #[serde(rename = "Part", default)]
    parts: Vec<RawPart>,
}

#[derive(Debug, Deserialize)]
struct RawPart {
    #[serde(rename = "PartNumber")]
    part_number: u32,
    #[serde(rename = "LastModified")]
    last_modified: String,
    #[serde(rename = "ETag")]
    etag: String,
    #[serde(rename = "Size")]
    size: u64,
}

impl ListPartsOutput {
    fn from_raw(
        raw: RawListPartsResult,
        request_id: Option<String>,
    ) -> Result<Self, ResponseError> {
        let decoder = KeyDecoder::new(raw.encoding_type.as_deref());
        Ok(Self {
            bucket: raw.bucket,
            key: decoder.decode_opt("Key", raw.key)?,
            upload_id: raw.upload_id,
            initiator: owner(raw.initiator),
            owner: owner(raw.owner),
            storage_class: raw.storage_class.as_deref().map(StorageClass::parse),
            part_number_marker: raw.part_number_marker,
            next_part_number_marker: raw.next_part_number_marker,
            max_parts: raw.max_parts,
            is_truncated: raw.is_truncated,
            parts: raw
                .parts
                .into_iter()
                .map(|p| PartSummary {
                    part_number: p.part_number,
                    last_modified: p.last_modified,
                    etag: p.etag,
                    size: p.size,
                })
                .collect(),
            encoding_type: raw.encoding_type,
            request_id,
        })
    }
}

impl Operation for ListParts {
    type Output = ListPartsOutput;

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        if self.upload_id.is_empty() {
            return Err(InputError::InvalidArgument {
                what: "upload id",
                reason: "is empty".to_owned(),
            }
            .into());
        }
        check_page_size("max-parts", self.max_parts)?;
        let b = RequestBuilder::object(Method::GET, &self.key)?
            .query("uploadId", self.upload_id.clone())
            .query("part-number-marker", self.part_number_marker.to_string())
            .query("max-parts", self.max_parts.to_string())
            .query("encoding-type", "url");
        Ok(b.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ListPartsOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let raw = parse_document("ListPartsResult", response.body())?;
        Ok(ListPartsOutput::from_raw(
            raw,
            header_text(response.headers(), REQUEST_ID_HEADER),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ops::test_support::{config, error_response, response};

    const UPLOAD: &str =
        "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";
    const UIN: &str = "qcs::cam::uin/100000000001:uin/100000000001";

    /// `list_parts-two` of responses.json.
    const TWO: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult>
    <Bucket>examplebucket-1250000000</Bucket>
    <EncodingType>url</EncodingType>
    <Key>big%20file%2B%E4%B8%AD.iso</Key>
    <UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>
    <Initiator><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Initiator>
    <Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>
    <PartNumberMarker>0</PartNumberMarker>
    <Part>
        <PartNumber>1</PartNumber>
        <LastModified>2023-11-14T22:00:00.000Z</LastModified>
        <ETag>&quot;e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1&quot;</ETag>
        <Size>1048576</Size>
    </Part>
    <Part>
        <PartNumber>2</PartNumber>
        <LastModified>2023-11-14T22:01:00.000Z</LastModified>
        <ETag>&quot;e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2&quot;</ETag>
        <Size>1048576</Size>
    </Part>
    <NextPartNumberMarker>2</NextPartNumberMarker>
    <StorageClass>STANDARD</StorageClass>
    <MaxParts>2</MaxParts>
    <IsTruncated>true</IsTruncated>
</ListPartsResult>"#;

    /// `list_parts-single` of responses.json: one part, no `EncodingType`.
    const SINGLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult>
    <Bucket>examplebucket-1250000000</Bucket>
    <Key>plain.bin</Key>
    <UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>
    <Initiator><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Initiator>
    <Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>
    <PartNumberMarker>0</PartNumberMarker>
    <Part>
        <PartNumber>1</PartNumber>
        <LastModified>2023-11-14T22:00:00.000Z</LastModified>
        <ETag>&quot;e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1&quot;</ETag>
        <Size>5</Size>
    </Part>
    <StorageClass>STANDARD</StorageClass>
    <MaxParts>1000</MaxParts>
    <IsTruncated>false</IsTruncated>
</ListPartsResult>"#;

    fn url() -> http::Uri {
        "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file%2B%E4%B8%AD.iso?uploadId=x"
            .parse()
            .expect("uri")
    }

    fn parse(op: &ListParts, body: &str) -> Result<ListPartsOutput, Error> {
        op.parse_response(&url(), response(200, &[("x-cos-request-id", "rid")], body))
    }

    fn page(truncated: bool, next: Option<u32>, numbers: &[u32]) -> ListPartsOutput {
        ListPartsOutput {
            bucket: None,
            encoding_type: None,
            key: None,
            upload_id: None,
            initiator: None,
            owner: None,
            storage_class: None,
            part_number_marker: None,
            next_part_number_marker: next,
            max_parts: None,
            is_truncated: truncated,
            parts: numbers
                .iter()
                .map(|n| PartSummary {
                    part_number: *n,
                    last_modified: "2023-11-14T22:00:00.000Z".to_owned(),
                    etag: "\"e\"".to_owned(),
                    size: 1,
                })
                .collect(),
            request_id: None,
        }
    }

    #[test]
    fn builds_with_every_parameter() {
        let request = ListParts::new("big file+中.iso", UPLOAD)
            .part_number_marker(100)
            .max_parts(1000)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri().to_string(),
            format!(
                "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file%2B%E4%B8%AD.iso\
                 ?uploadId={UPLOAD}&part-number-marker=100&max-parts=1000&encoding-type=url"
            )
        );
        assert_eq!(request.headers().len(), 1);
        assert_eq!(
            request.headers()["host"],
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(request.body(), &Body::Empty);
        let op = ListParts::new("k", "u");
        assert_eq!((op.key(), op.upload_id()), ("k", "u"));
    }

    #[test]
    fn sends_defaults() {
        // requests.json `list_parts-defaults`.
        let request = ListParts::new("big file.iso", UPLOAD)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().to_string(),
            format!(
                "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file.iso\
                 ?uploadId={UPLOAD}&part-number-marker=0&max-parts=1000&encoding-type=url"
            )
        );
        assert!(request.headers().get("content-length").is_none());
        // responses.json `list_parts-two` request.
        let request = ListParts::new("big file+中.iso", UPLOAD)
            .max_parts(2)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().query(),
            Some(
                format!("uploadId={UPLOAD}&part-number-marker=0&max-parts=2&encoding-type=url")
                    .as_str()
            )
        );
    }

    #[test]
    fn parses_and_decodes_a_page() {
        let op = ListParts::new("big file+中.iso", UPLOAD).max_parts(2);
        let out = parse(&op, TWO).expect("parses");
        assert_eq!(out.bucket.as_deref(), Some("examplebucket-1250000000"));
        assert_eq!(out.encoding_type.as_deref(), Some("url"));
        assert_eq!(out.key.as_deref(), Some("big file+中.iso"));
        assert_eq!(out.upload_id.as_deref(), Some(UPLOAD));
        let initiator = out.initiator.as_ref().expect("initiator");
        assert_eq!(
            (initiator.id.as_deref(), initiator.display_name.as_deref()),
            (Some(UIN), Some("100000000001"))
        );
        assert_eq!(out.owner, out.initiator);
        assert_eq!(out.storage_class, Some(StorageClass::Standard));
        assert_eq!(out.part_number_marker, Some(0));
        assert_eq!(out.next_part_number_marker, Some(2));
        assert_eq!(out.max_parts, Some(2));
        assert!(out.is_truncated);
        assert_eq!(out.request_id.as_deref(), Some("rid"));
        assert_eq!(
            out.parts,
            vec![
                PartSummary {
                    part_number: 1,
                    last_modified: "2023-11-14T22:00:00.000Z".to_owned(),
                    etag: "\"e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1\"".to_owned(),
                    size: 1_048_576,
                },
                PartSummary {
                    part_number: 2,
                    last_modified: "2023-11-14T22:01:00.000Z".to_owned(),
                    etag: "\"e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2\"".to_owned(),
                    size: 1_048_576,
                },
            ]
        );
        let next = op.next_page(&out).expect("truncated");
        assert_eq!(next, op.clone().part_number_marker(2));
        assert_eq!(
            next.build_request(&config()).expect("builds").uri().query(),
            Some(
                format!("uploadId={UPLOAD}&part-number-marker=2&max-parts=2&encoding-type=url")
                    .as_str()
            )
        );
    }

    #[test]
    fn parses_a_single_part_without_encoding_type() {
        let op = ListParts::new("plain.bin", UPLOAD);
        let out = parse(&op, SINGLE).expect("parses");
        assert_eq!(out.encoding_type, None);
        assert_eq!(out.key.as_deref(), Some("plain.bin"));
        assert_eq!(out.parts.len(), 1);
        assert_eq!((out.parts[0].part_number, out.parts[0].size), (1, 5));
        assert_eq!(out.next_part_number_marker, None);
        assert!(!out.is_truncated);
        assert_eq!(op.next_page(&out), None);
        // Without `<EncodingType>url</EncodingType>` nothing is decoded.
        let raw = SINGLE.replace("<Key>plain.bin</Key>", "<Key>a%20b</Key>");
        assert_eq!(
            parse(&op, &raw).expect("parses").key.as_deref(),
            Some("a%20b")
        );
    }

    #[test]
    fn next_page_falls_back_and_never_loops() {
        let op = ListParts::new("k", "u").max_parts(2);
        assert_eq!(op.next_page(&page(false, Some(2), &[1, 2])), None);
        assert_eq!(
            op.next_page(&page(true, None, &[3, 4])),
            Some(op.clone().part_number_marker(4))
        );
        assert_eq!(op.next_page(&page(true, None, &[])), None);
        let at = op.clone().part_number_marker(4);
        assert_eq!(at.next_page(&page(true, Some(4), &[])), None);
        assert_eq!(at.next_page(&page(true, Some(3), &[])), None);
        assert_eq!(
            at.next_page(&page(true, Some(6), &[5, 6])),
            Some(op.clone().part_number_marker(6))
        );
    }

    #[test]
    fn errors_and_malformed_documents() {
        let op = ListParts::new("k", "u");
        let err = op
            .parse_response(&url(), error_response(404, "NoSuchUpload"))
            .expect_err("fails");
        let err = err.service_error().expect("service error");
        assert_eq!(
            (err.status, err.code(), err.request_id.as_deref()),
            (404, "NoSuchUpload", Some("req-1"))
        );
        for body in [
            "",
            "<ListPartsResult><Key>k</Key></ListPartsResult>",
            "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber></Part></ListPartsResult>",
            "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>-1</PartNumber>\
             <LastModified>t</LastModified><ETag>e</ETag><Size>1</Size></Part></ListPartsResult>",
            "<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>x</NextPartNumberMarker>\
             </ListPartsResult>",
            "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>",
        ] {
            assert!(
                matches!(
                    parse(&op, body),
                    Err(Error::Response(ResponseError::MalformedXml { .. }))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn rejects_invalid_input() {
        assert!(matches!(
            ListParts::new("", "u").build_request(&config()),
            Err(Error::Input(InputError::EmptyKey))
        ));
        assert!(matches!(
            ListParts::new("a/..", "u").build_request(&config()),
            Err(Error::Input(InputError::KeyResolvesToBucket { .. }))
        ));
        assert!(matches!(
            ListParts::new("k", "").build_request(&config()),
            Err(Error::Input(InputError::InvalidArgument {
                what: "upload id",
                ..
            }))
        ));
        for max_parts in [0, 1001] {
            assert!(matches!(
                ListParts::new("k", "u")
                    .max_parts(max_parts)
                    .build_request(&config()),
                Err(Error::Input(InputError::InvalidArgument {
                    what: "max-parts",
                    ..
                }))
            ));
        }
    }

    proptest! {
        #[test]
        fn parse_response_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let resp = http::Response::builder().status(200).body(Bytes::from(body)).expect("response");
            let _ = ListParts::new("k", "u").parse_response(&url(), resp);
        }

        #[test]
        fn parse_response_never_panics_on_near_documents(
            fields in proptest::collection::vec(
                ("(Key|Part|PartNumber|Size|ETag|IsTruncated|NextPartNumberMarker|MaxParts|Owner|EncodingType)",
                 "[a-z0-9%<>/&;]{0,12}"),
                0..12,
            )
        ) {
            let mut body = String::from("<ListPartsResult><EncodingType>url</EncodingType>");
            for (name, text) in &fields {
                body.push_str(&format!("<{name}>{text}</{name}>"));
            }
            body.push_str("</ListPartsResult>");
            let resp = http::Response::builder().status(200).body(Bytes::from(body)).expect("response");
            let _ = ListParts::new("k", "u").parse_response(&url(), resp);
        }
    }
}
