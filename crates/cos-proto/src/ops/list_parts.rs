//! List Parts: list the parts uploaded so far to a multipart upload, one page at a time.

use super::Extras;
use super::setters::{condition_setters, decoding_setters, extras_setters};
use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use serde::Deserialize;

use super::listing_common::{
    Decoding, KeyDecoder, MAX_PAGE_SIZE, Owner, RawOwner, ScannedOwner, check_page_size, non_empty,
    once, owner, parse_document, scan_bool, scan_number, scan_owner, scan_u32,
};
use crate::Config;
use crate::error::{Error, InputError, ResponseError};
use crate::headers::StorageClass;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::xml::scan::{Child, Content, Scanner};

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
    extras: Extras,
    decoding: Decoding,
}

impl ListParts {
    extras_setters!(extras);
    condition_setters!(extras);
    decoding_setters!(decoding);

    /// Lists the parts of upload `upload_id` of `key`, from the first part, 1000 per page.
    pub fn new(key: impl Into<String>, upload_id: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            decoding: Decoding::Decoded,
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
        decoding: Decoding,
    ) -> Result<Self, ResponseError> {
        let decoder = KeyDecoder::new(raw.encoding_type.as_deref(), decoding);
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

/// `ListPartsResult` as the streaming scanner reads it (see `list_objects` for the
/// pattern): `None` slots were absent, a field seen twice makes the scan give up.
#[derive(Debug, Default)]
struct ScannedListPartsResult<'a> {
    bucket: Option<Option<Cow<'a, str>>>,
    encoding_type: Option<Option<Cow<'a, str>>>,
    key: Option<Option<Cow<'a, str>>>,
    upload_id: Option<Option<Cow<'a, str>>>,
    initiator: Option<ScannedOwner<'a>>,
    owner: Option<ScannedOwner<'a>>,
    storage_class: Option<Option<Cow<'a, str>>>,
    part_number_marker: Option<Option<u32>>,
    next_part_number_marker: Option<Option<u32>>,
    max_parts: Option<Option<u32>>,
    is_truncated: Option<bool>,
    parts: Vec<PartSummary>,
}

/// Reads a `ListPartsResult` with the streaming scanner; `None` when the body is outside
/// the scanner's subset or would not deserialize (see [`crate::xml::scan`]).
fn scan_list_parts_result(body: &[u8]) -> Option<ScannedListPartsResult<'_>> {
    const FIELDS: [&str; 12] = [
        "Bucket",
        "EncodingType",
        "Key",
        "UploadId",
        "Initiator",
        "Owner",
        "StorageClass",
        "PartNumberMarker",
        "NextPartNumberMarker",
        "MaxParts",
        "IsTruncated",
        "Part",
    ];
    let mut scanner = Scanner::open(body, "ListPartsResult")?;
    let mut raw = ScannedListPartsResult::default();
    while let Child::Known(field, content) = scanner.next_child(&FIELDS)? {
        match field {
            0 => once(&mut raw.bucket, non_empty(scanner.text(content)?))?,
            1 => once(&mut raw.encoding_type, non_empty(scanner.text(content)?))?,
            2 => once(&mut raw.key, non_empty(scanner.text(content)?))?,
            3 => once(&mut raw.upload_id, non_empty(scanner.text(content)?))?,
            4 => once(&mut raw.initiator, scan_owner(&mut scanner, content)?)?,
            5 => once(&mut raw.owner, scan_owner(&mut scanner, content)?)?,
            6 => once(&mut raw.storage_class, non_empty(scanner.text(content)?))?,
            7 => once(
                &mut raw.part_number_marker,
                scan_u32(&scanner.text(content)?)?,
            )?,
            8 => once(
                &mut raw.next_part_number_marker,
                scan_u32(&scanner.text(content)?)?,
            )?,
            9 => once(&mut raw.max_parts, scan_u32(&scanner.text(content)?)?)?,
            10 => once(&mut raw.is_truncated, scan_bool(&scanner.text(content)?)?)?,
            _ => raw.parts.push(scan_part(&mut scanner, content)?),
        }
    }
    scanner.finish()?;
    // The field the deserializer requires.
    raw.is_truncated?;
    Some(raw)
}

fn scan_part<'a>(scanner: &mut Scanner<'a>, content: Content<'a>) -> Option<PartSummary> {
    const FIELDS: [&str; 4] = ["PartNumber", "LastModified", "ETag", "Size"];
    let (mut part_number, mut last_modified, mut etag, mut size) = (None, None, None, None);
    if scanner.enter(content)? {
        while let Child::Known(field, content) = scanner.next_child(&FIELDS)? {
            match field {
                0 => once(&mut part_number, scan_number(&scanner.text(content)?)?)?,
                1 => once(&mut last_modified, scanner.text(content)?.into_owned())?,
                2 => once(&mut etag, scanner.text(content)?.into_owned())?,
                _ => once(&mut size, scan_number(&scanner.text(content)?)?)?,
            }
        }
    }
    // Every field is required.
    Some(PartSummary {
        part_number: part_number?,
        last_modified: last_modified?,
        etag: etag?,
        size: size?,
    })
}

impl ListPartsOutput {
    fn from_scanned(
        raw: ScannedListPartsResult<'_>,
        request_id: Option<String>,
        decoding: Decoding,
    ) -> Result<Self, ResponseError> {
        let encoding_type = raw.encoding_type.flatten();
        let decoder = KeyDecoder::new(encoding_type.as_deref(), decoding);
        let owned = |value: Option<Option<Cow<'_, str>>>| value.flatten().map(Cow::into_owned);
        let storage_class = raw.storage_class.flatten();
        Ok(Self {
            bucket: owned(raw.bucket),
            key: decoder.decode_cow_opt("Key", raw.key.flatten())?,
            upload_id: owned(raw.upload_id),
            initiator: raw.initiator.and_then(ScannedOwner::into_owner),
            owner: raw.owner.and_then(ScannedOwner::into_owner),
            storage_class: storage_class.as_deref().map(StorageClass::parse),
            part_number_marker: raw.part_number_marker.flatten(),
            next_part_number_marker: raw.next_part_number_marker.flatten(),
            max_parts: raw.max_parts.flatten(),
            is_truncated: raw.is_truncated.unwrap_or_default(),
            parts: raw.parts,
            encoding_type: encoding_type.map(Cow::into_owned),
            request_id,
        })
    }
}

/// Parses a `ListPartsResult` body: the streaming scanner when the body is in its
/// subset, else the deserializer (which also produces every error).
pub(crate) fn parse_list_parts_result(
    body: &[u8],
    request_id: Option<String>,
    decoding: Decoding,
) -> Result<ListPartsOutput, ResponseError> {
    match scan_list_parts_result(body) {
        Some(scanned) => ListPartsOutput::from_scanned(scanned, request_id, decoding),
        None => deserialize_list_parts_result(body, request_id, decoding),
    }
}

/// The fast path alone: `None` when the scanner leaves the body to the deserializer.
#[cfg(any(test, feature = "oracle"))]
pub(crate) fn scan_only_list_parts_result(
    body: &[u8],
) -> Option<Result<ListPartsOutput, ResponseError>> {
    scan_list_parts_result(body)
        .map(|scanned| ListPartsOutput::from_scanned(scanned, None, Decoding::Decoded))
}

/// The deserializer alone (serde and quick-xml): the reference the scanner must agree with.
pub(crate) fn deserialize_list_parts_result(
    body: &[u8],
    request_id: Option<String>,
    decoding: Decoding,
) -> Result<ListPartsOutput, ResponseError> {
    let raw = parse_document("ListPartsResult", body)?;
    ListPartsOutput::from_raw(raw, request_id, decoding)
}

impl Operation for ListParts {
    type Output = ListPartsOutput;
    const NAME: &'static str = "ListParts";

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
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ListPartsOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        Ok(parse_list_parts_result(
            response.body(),
            header_text(response.headers(), REQUEST_ID_HEADER),
            self.decoding,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ops::oracle;
    use crate::ops::test_support::{self, config, error_response, response};

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

    /// The streaming scanner, when it takes a body, gives what the deserializer gives.
    fn assert_scanner_agrees(body: &str) -> bool {
        let deserialized = oracle::list_parts_deserialized(body.as_bytes());
        match oracle::list_parts_scanned(body.as_bytes()) {
            Some(scanned) => {
                assert_eq!(scanned, deserialized, "{body}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_scanner_reads_the_fixtures() {
        assert!(assert_scanner_agrees(TWO));
        assert!(assert_scanner_agrees(
            "<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>"
        ));
        // A part without its number is the deserializer's to reject.
        assert!(!assert_scanner_agrees(
            "<ListPartsResult><IsTruncated>false</IsTruncated><Part><ETag>e</ETag>\
             <LastModified>t</LastModified><Size>1</Size></Part></ListPartsResult>"
        ));
    }

    #[test]
    fn the_scanner_agrees_on_generated_documents_and_takes_most_of_them() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy =
            test_support::listing_document("ListPartsResult", test_support::list_parts_fields());
        let mut scanned = 0;
        for _ in 0..2000 {
            let body = strategy.new_tree(&mut runner).expect("document").current();
            if assert_scanner_agrees(&body) {
                scanned += 1;
            }
        }
        assert!(
            scanned > 300,
            "only {scanned} of 2000 documents were scanned"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn the_scanner_agrees_with_the_deserializer(
            body in test_support::listing_document(
                "ListPartsResult",
                test_support::list_parts_fields(),
            )
        ) {
            assert_scanner_agrees(&body);
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

    #[test]
    fn keep_url_encoding_returns_the_text_cos_sent() {
        let op = ListParts::new("k", "u").keep_url_encoding(true);
        let out = parse(&op, TWO).expect("parses");
        assert_eq!(out.key.as_deref(), Some("big%20file%2B%E4%B8%AD.iso"));
        let out = parse(&ListParts::new("k", "u"), TWO).expect("parses");
        assert_eq!(out.key.as_deref(), Some("big file+中.iso"));
    }
}
