//! List Multipart Uploads: list the multipart uploads of a bucket that were started but
//! neither completed nor aborted, one page at a time.

use super::Extras;
use super::setters::{condition_setters, decoding_setters, extras_setters};
use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use serde::Deserialize;

use super::listing_common::{
    Decoding, KeyDecoder, MAX_PAGE_SIZE, Owner, RawCommonPrefix, RawOwner, ScannedOwner,
    check_page_size, non_empty, once, owner, parse_document, scan_bool, scan_common_prefix,
    scan_owner, scan_u32,
};
use crate::Config;
use crate::error::{Error, ResponseError};
use crate::headers::StorageClass;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::xml::scan::{Child, Content, Scanner};

/// Lists unfinished multipart uploads, at most `max_uploads` per page, by key and then
/// by initiation time. Every parameter is always sent (empty when unset), with
/// `encoding-type=url`; keys in the output are decoded. Ask for the following pages with
/// [`ListMultipartUploads::next_page`].
///
/// ```
/// use cos_proto::{Config, Operation, ops::ListMultipartUploads};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = ListMultipartUploads::new().prefix("backup/").build_request(&cfg).unwrap();
/// assert_eq!(
///     request.uri().query(),
///     Some("uploads=&prefix=backup%2F&delimiter=&key-marker=&upload-id-marker=&max-uploads=1000&encoding-type=url")
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ListMultipartUploads {
    prefix: String,
    delimiter: String,
    key_marker: String,
    upload_id_marker: String,
    max_uploads: u32,
    extras: Extras,
    decoding: Decoding,
}

impl Default for ListMultipartUploads {
    fn default() -> Self {
        Self::new()
    }
}

impl ListMultipartUploads {
    extras_setters!(extras);
    condition_setters!(extras);
    decoding_setters!(decoding);

    /// Lists the uploads of the whole bucket from its first key, 1000 per page.
    pub fn new() -> Self {
        Self {
            extras: Extras::default(),
            decoding: Decoding::Decoded,
            prefix: String::new(),
            delimiter: String::new(),
            key_marker: String::new(),
            upload_id_marker: String::new(),
            max_uploads: MAX_PAGE_SIZE,
        }
    }

    /// Lists only uploads whose key starts with `prefix` (`prefix`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Groups keys that contain `delimiter` after the prefix into
    /// [`ListMultipartUploadsOutput::common_prefixes`] (`delimiter`).
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.delimiter = delimiter.into();
        self
    }

    /// Starts after this key (`key-marker`); with [`Self::upload_id_marker`], after that
    /// upload of this key. Prefer [`ListMultipartUploads::next_page`] to set both.
    pub fn key_marker(mut self, key: impl Into<String>) -> Self {
        self.key_marker = key.into();
        self
    }

    /// Starts after this upload of the key marker's key (`upload-id-marker`; ignored by
    /// COS without a key marker).
    pub fn upload_id_marker(mut self, upload_id: impl Into<String>) -> Self {
        self.upload_id_marker = upload_id.into();
        self
    }

    /// Returns at most this many uploads and common prefixes per page, `1..=1000`
    /// (`max-uploads`, default 1000; checked when the request is built).
    pub fn max_uploads(mut self, max_uploads: u32) -> Self {
        self.max_uploads = max_uploads;
        self
    }

    /// The request for the page after `output` (the answer to this request), or `None`
    /// when `output` was the last page.
    ///
    /// The next page starts at `NextKeyMarker` / `NextUploadIdMarker`; when COS truncates
    /// without them, after the last upload of `output` (or after its last common prefix,
    /// when that comes later). `None` is also returned when that position is not past this
    /// request's markers, which would ask for the same page forever.
    pub fn next_page(&self, output: &ListMultipartUploadsOutput) -> Option<ListMultipartUploads> {
        if !output.is_truncated {
            return None;
        }
        let (key, upload_id) = match output.next_key_marker.as_deref() {
            Some(key) => (key, output.next_upload_id_marker.as_deref().unwrap_or("")),
            None => {
                let last_prefix = output.common_prefixes.iter().map(String::as_str).max();
                match (output.uploads.last(), last_prefix) {
                    (Some(upload), Some(prefix)) if prefix > upload.key.as_str() => (prefix, ""),
                    (Some(upload), _) => (upload.key.as_str(), upload.upload_id.as_str()),
                    (None, Some(prefix)) => (prefix, ""),
                    (None, None) => return None,
                }
            }
        };
        let current = self.key_marker.as_str();
        let advances = key > current
            || (key == current
                && !self.upload_id_marker.is_empty()
                && upload_id != self.upload_id_marker);
        if !advances {
            return None;
        }
        Some(Self {
            key_marker: key.to_owned(),
            upload_id_marker: upload_id.to_owned(),
            ..self.clone()
        })
    }
}

/// An unfinished multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartUploadSummary {
    /// The key the upload will create (decoded).
    pub key: String,
    /// The upload id, for UploadPart, ListParts, Complete and Abort.
    pub upload_id: String,
    /// `Initiated`: when the upload was started, ISO 8601.
    pub initiated: String,
    /// The storage class the object will have.
    pub storage_class: Option<StorageClass>,
    /// The owner of the object to be.
    pub owner: Option<Owner>,
    /// Who started the upload.
    pub initiator: Option<Owner>,
}

/// One page of a multipart-upload listing. Keys, prefixes, markers and the delimiter are
/// decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListMultipartUploadsOutput {
    /// The bucket.
    pub bucket: Option<String>,
    /// `EncodingType` as COS sent it (`url`); the fields below are already decoded.
    pub encoding_type: Option<String>,
    /// The prefix the listing was restricted to.
    pub prefix: Option<String>,
    /// The delimiter of the request.
    pub delimiter: Option<String>,
    /// The key marker of the request.
    pub key_marker: Option<String>,
    /// The upload id marker of the request.
    pub upload_id_marker: Option<String>,
    /// The key the next page starts at, when COS says; use
    /// [`ListMultipartUploads::next_page`].
    pub next_key_marker: Option<String>,
    /// The upload the next page starts after, when COS says.
    pub next_upload_id_marker: Option<String>,
    /// The page size COS applied.
    pub max_uploads: Option<u32>,
    /// `true` when more uploads follow this page.
    pub is_truncated: bool,
    /// The uploads of this page.
    pub uploads: Vec<MultipartUploadSummary>,
    /// The "directories": each distinct prefix up to and including the delimiter.
    pub common_prefixes: Vec<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawListMultipartUploadsResult {
    #[serde(rename = "Bucket", default, deserialize_with = "crate::xml::non_empty")]
    bucket: Option<String>,
    #[serde(
        rename = "EncodingType",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    encoding_type: Option<String>,
    #[serde(rename = "Prefix", default, deserialize_with = "crate::xml::non_empty")]
    prefix: Option<String>,
    #[serde(
        rename = "Delimiter",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    delimiter: Option<String>,
    #[serde(
        rename = "KeyMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    key_marker: Option<String>,
    #[serde(
        rename = "UploadIdMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    upload_id_marker: Option<String>,
    #[serde(
        rename = "NextKeyMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    next_key_marker: Option<String>,
    #[serde(
        rename = "NextUploadIdMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    next_upload_id_marker: Option<String>,
    #[serde(
        rename = "MaxUploads",
        default,
        deserialize_with = "super::listing_common::opt_u32"
    )]
    max_uploads: Option<u32>,
    #[serde(rename = "IsTruncated")]
    is_truncated: bool,
    #[serde(rename = "Upload", default)]
    uploads: Vec<RawUpload>,
    #[serde(rename = "CommonPrefixes", default)]
    common_prefixes: Vec<RawCommonPrefix>,
}

#[derive(Debug, Deserialize)]
struct RawUpload {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "UploadId")]
    upload_id: String,
    #[serde(rename = "Initiated")]
    initiated: String,
    #[serde(
        rename = "StorageClass",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    storage_class: Option<String>,
    #[serde(rename = "Owner", default)]
    owner: Option<RawOwner>,
    #[serde(rename = "Initiator", default)]
    initiator: Option<RawOwner>,
}

impl ListMultipartUploadsOutput {
    fn from_raw(
        raw: RawListMultipartUploadsResult,
        request_id: Option<String>,
        decoding: Decoding,
    ) -> Result<Self, ResponseError> {
        let decoder = KeyDecoder::new(raw.encoding_type.as_deref(), decoding);
        let uploads = raw
            .uploads
            .into_iter()
            .map(|u| {
                Ok(MultipartUploadSummary {
                    key: decoder.decode("Upload.Key", u.key)?,
                    upload_id: u.upload_id,
                    initiated: u.initiated,
                    storage_class: u.storage_class.as_deref().map(StorageClass::parse),
                    owner: owner(u.owner),
                    initiator: owner(u.initiator),
                })
            })
            .collect::<Result<Vec<_>, ResponseError>>()?;
        Ok(Self {
            bucket: raw.bucket,
            prefix: decoder.decode_opt("Prefix", raw.prefix)?,
            delimiter: decoder.decode_opt("Delimiter", raw.delimiter)?,
            key_marker: decoder.decode_opt("KeyMarker", raw.key_marker)?,
            upload_id_marker: decoder.decode_opt("UploadIdMarker", raw.upload_id_marker)?,
            next_key_marker: decoder.decode_opt("NextKeyMarker", raw.next_key_marker)?,
            next_upload_id_marker: decoder
                .decode_opt("NextUploadIdMarker", raw.next_upload_id_marker)?,
            max_uploads: raw.max_uploads,
            is_truncated: raw.is_truncated,
            uploads,
            common_prefixes: decoder.common_prefixes(raw.common_prefixes)?,
            encoding_type: raw.encoding_type,
            request_id,
        })
    }
}

/// `ListMultipartUploadsResult` as the streaming scanner reads it (see `list_objects`
/// for the pattern): `None` slots were absent, a field seen twice makes the scan give up.
#[derive(Debug, Default)]
struct ScannedListMultipartUploadsResult<'a> {
    bucket: Option<Option<Cow<'a, str>>>,
    encoding_type: Option<Option<Cow<'a, str>>>,
    prefix: Option<Option<Cow<'a, str>>>,
    delimiter: Option<Option<Cow<'a, str>>>,
    key_marker: Option<Option<Cow<'a, str>>>,
    upload_id_marker: Option<Option<Cow<'a, str>>>,
    next_key_marker: Option<Option<Cow<'a, str>>>,
    next_upload_id_marker: Option<Option<Cow<'a, str>>>,
    max_uploads: Option<Option<u32>>,
    is_truncated: Option<bool>,
    uploads: Vec<ScannedUpload<'a>>,
    common_prefixes: Vec<Cow<'a, str>>,
}

#[derive(Debug)]
struct ScannedUpload<'a> {
    key: Cow<'a, str>,
    upload_id: Cow<'a, str>,
    initiated: Cow<'a, str>,
    storage_class: Option<Cow<'a, str>>,
    owner: Option<ScannedOwner<'a>>,
    initiator: Option<ScannedOwner<'a>>,
}

/// Reads a `ListMultipartUploadsResult` with the streaming scanner; `None` when the body
/// is outside the scanner's subset or would not deserialize (see [`crate::xml::scan`]).
fn scan_list_multipart_uploads_result(
    body: &[u8],
) -> Option<ScannedListMultipartUploadsResult<'_>> {
    const FIELDS: [&str; 12] = [
        "Bucket",
        "EncodingType",
        "Prefix",
        "Delimiter",
        "KeyMarker",
        "UploadIdMarker",
        "NextKeyMarker",
        "NextUploadIdMarker",
        "MaxUploads",
        "IsTruncated",
        "Upload",
        "CommonPrefixes",
    ];
    let mut scanner = Scanner::open(body, "ListMultipartUploadsResult")?;
    let mut raw = ScannedListMultipartUploadsResult::default();
    while let Child::Known(field, content) = scanner.next_child(&FIELDS)? {
        match field {
            0 => once(&mut raw.bucket, non_empty(scanner.text(content)?))?,
            1 => once(&mut raw.encoding_type, non_empty(scanner.text(content)?))?,
            2 => once(&mut raw.prefix, non_empty(scanner.text(content)?))?,
            3 => once(&mut raw.delimiter, non_empty(scanner.text(content)?))?,
            4 => once(&mut raw.key_marker, non_empty(scanner.text(content)?))?,
            5 => once(&mut raw.upload_id_marker, non_empty(scanner.text(content)?))?,
            6 => once(&mut raw.next_key_marker, non_empty(scanner.text(content)?))?,
            7 => once(
                &mut raw.next_upload_id_marker,
                non_empty(scanner.text(content)?),
            )?,
            8 => once(&mut raw.max_uploads, scan_u32(&scanner.text(content)?)?)?,
            9 => once(&mut raw.is_truncated, scan_bool(&scanner.text(content)?)?)?,
            10 => raw.uploads.push(scan_upload(&mut scanner, content)?),
            _ => raw
                .common_prefixes
                .push(scan_common_prefix(&mut scanner, content)?),
        }
    }
    scanner.finish()?;
    // The field the deserializer requires.
    raw.is_truncated?;
    Some(raw)
}

fn scan_upload<'a>(scanner: &mut Scanner<'a>, content: Content<'a>) -> Option<ScannedUpload<'a>> {
    const FIELDS: [&str; 6] = [
        "Key",
        "UploadId",
        "Initiated",
        "StorageClass",
        "Owner",
        "Initiator",
    ];
    let (mut key, mut upload_id, mut initiated) = (None, None, None);
    let (mut storage_class, mut owner, mut initiator) = (None, None, None);
    if scanner.enter(content)? {
        while let Child::Known(field, content) = scanner.next_child(&FIELDS)? {
            match field {
                0 => once(&mut key, scanner.text(content)?)?,
                1 => once(&mut upload_id, scanner.text(content)?)?,
                2 => once(&mut initiated, scanner.text(content)?)?,
                3 => once(&mut storage_class, non_empty(scanner.text(content)?))?,
                4 => once(&mut owner, scan_owner(scanner, content)?)?,
                _ => once(&mut initiator, scan_owner(scanner, content)?)?,
            }
        }
    }
    // Key, UploadId and Initiated are required.
    Some(ScannedUpload {
        key: key?,
        upload_id: upload_id?,
        initiated: initiated?,
        storage_class: storage_class.flatten(),
        owner,
        initiator,
    })
}

impl ListMultipartUploadsOutput {
    fn from_scanned(
        raw: ScannedListMultipartUploadsResult<'_>,
        request_id: Option<String>,
        decoding: Decoding,
    ) -> Result<Self, ResponseError> {
        let encoding_type = raw.encoding_type.flatten();
        let decoder = KeyDecoder::new(encoding_type.as_deref(), decoding);
        let owned = |value: Option<Option<Cow<'_, str>>>| value.flatten().map(Cow::into_owned);
        let uploads = raw
            .uploads
            .into_iter()
            .map(|u| {
                Ok(MultipartUploadSummary {
                    key: decoder.decode_cow("Upload.Key", u.key)?,
                    upload_id: u.upload_id.into_owned(),
                    initiated: u.initiated.into_owned(),
                    storage_class: u.storage_class.as_deref().map(StorageClass::parse),
                    owner: u.owner.and_then(ScannedOwner::into_owner),
                    initiator: u.initiator.and_then(ScannedOwner::into_owner),
                })
            })
            .collect::<Result<Vec<_>, ResponseError>>()?;
        Ok(Self {
            bucket: owned(raw.bucket),
            prefix: decoder.decode_cow_opt("Prefix", raw.prefix.flatten())?,
            delimiter: decoder.decode_cow_opt("Delimiter", raw.delimiter.flatten())?,
            key_marker: decoder.decode_cow_opt("KeyMarker", raw.key_marker.flatten())?,
            upload_id_marker: decoder
                .decode_cow_opt("UploadIdMarker", raw.upload_id_marker.flatten())?,
            next_key_marker: decoder
                .decode_cow_opt("NextKeyMarker", raw.next_key_marker.flatten())?,
            next_upload_id_marker: decoder
                .decode_cow_opt("NextUploadIdMarker", raw.next_upload_id_marker.flatten())?,
            max_uploads: raw.max_uploads.flatten(),
            is_truncated: raw.is_truncated.unwrap_or_default(),
            uploads,
            common_prefixes: raw
                .common_prefixes
                .into_iter()
                .map(|p| decoder.decode_cow("CommonPrefixes.Prefix", p))
                .collect::<Result<_, _>>()?,
            encoding_type: encoding_type.map(Cow::into_owned),
            request_id,
        })
    }
}

/// Parses a `ListMultipartUploadsResult` body: the streaming scanner when the body is in
/// its subset, else the deserializer (which also produces every error).
pub(crate) fn parse_list_multipart_uploads_result(
    body: &[u8],
    request_id: Option<String>,
    decoding: Decoding,
) -> Result<ListMultipartUploadsOutput, ResponseError> {
    match scan_list_multipart_uploads_result(body) {
        Some(scanned) => ListMultipartUploadsOutput::from_scanned(scanned, request_id, decoding),
        None => deserialize_list_multipart_uploads_result(body, request_id, decoding),
    }
}

/// The fast path alone: `None` when the scanner leaves the body to the deserializer.
#[cfg(any(test, feature = "oracle"))]
pub(crate) fn scan_only_list_multipart_uploads_result(
    body: &[u8],
) -> Option<Result<ListMultipartUploadsOutput, ResponseError>> {
    scan_list_multipart_uploads_result(body)
        .map(|scanned| ListMultipartUploadsOutput::from_scanned(scanned, None, Decoding::Decoded))
}

/// The deserializer alone (serde and quick-xml): the reference the scanner must agree with.
pub(crate) fn deserialize_list_multipart_uploads_result(
    body: &[u8],
    request_id: Option<String>,
    decoding: Decoding,
) -> Result<ListMultipartUploadsOutput, ResponseError> {
    let raw = parse_document("ListMultipartUploadsResult", body)?;
    ListMultipartUploadsOutput::from_raw(raw, request_id, decoding)
}

impl Operation for ListMultipartUploads {
    type Output = ListMultipartUploadsOutput;
    const NAME: &'static str = "ListMultipartUploads";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        check_page_size("max-uploads", self.max_uploads)?;
        let b = RequestBuilder::bucket(Method::GET)
            .query("uploads", "")
            .query("prefix", self.prefix.clone())
            .query("delimiter", self.delimiter.clone())
            .query("key-marker", self.key_marker.clone())
            .query("upload-id-marker", self.upload_id_marker.clone())
            .query("max-uploads", self.max_uploads.to_string())
            .query("encoding-type", "url");
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ListMultipartUploadsOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        Ok(parse_list_multipart_uploads_result(
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
    use crate::error::InputError;
    use crate::ops::oracle;
    use crate::ops::test_support::{self, config, error_response, response};

    const UPLOAD_1: &str =
        "1585130700a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
    const UPLOAD_2: &str =
        "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";
    const UIN: &str = "qcs::cam::uin/100000000001:uin/100000000001";

    /// `list_multipart_uploads-two` of responses.json.
    const TWO: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult>
    <Bucket>examplebucket-1250000000</Bucket>
    <EncodingType>url</EncodingType>
    <KeyMarker/>
    <UploadIdMarker/>
    <NextKeyMarker>big%20file.iso</NextKeyMarker>
    <NextUploadIdMarker>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</NextUploadIdMarker>
    <MaxUploads>2</MaxUploads>
    <IsTruncated>true</IsTruncated>
    <Prefix/>
    <Delimiter>%2F</Delimiter>
    <Upload>
        <Key>%E4%B8%AD%E6%96%87.bin</Key>
        <UploadId>1585130700a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9</UploadId>
        <StorageClass>STANDARD</StorageClass>
        <Initiator><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Initiator>
        <Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>
        <Initiated>2023-11-14T20:00:00.000Z</Initiated>
    </Upload>
    <Upload>
        <Key>big%20file.iso</Key>
        <UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>
        <StorageClass>STANDARD_IA</StorageClass>
        <Initiator><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Initiator>
        <Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>
        <Initiated>2023-11-14T21:00:00.000Z</Initiated>
    </Upload>
    <CommonPrefixes>
        <Prefix>backup%2F</Prefix>
    </CommonPrefixes>
</ListMultipartUploadsResult>"#;

    fn url() -> http::Uri {
        "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/?uploads="
            .parse()
            .expect("uri")
    }

    fn parse(op: &ListMultipartUploads, body: &str) -> Result<ListMultipartUploadsOutput, Error> {
        op.parse_response(&url(), response(200, &[("x-cos-request-id", "rid")], body))
    }

    fn upload(key: &str, upload_id: &str) -> MultipartUploadSummary {
        MultipartUploadSummary {
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
            initiated: "2023-11-14T20:00:00.000Z".to_owned(),
            storage_class: None,
            owner: None,
            initiator: None,
        }
    }

    fn page(
        truncated: bool,
        next: Option<(&str, Option<&str>)>,
        uploads: Vec<MultipartUploadSummary>,
        prefixes: &[&str],
    ) -> ListMultipartUploadsOutput {
        ListMultipartUploadsOutput {
            bucket: None,
            encoding_type: None,
            prefix: None,
            delimiter: None,
            key_marker: None,
            upload_id_marker: None,
            next_key_marker: next.map(|(k, _)| k.to_owned()),
            next_upload_id_marker: next.and_then(|(_, u)| u.map(str::to_owned)),
            max_uploads: None,
            is_truncated: truncated,
            uploads,
            common_prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
            request_id: None,
        }
    }

    #[test]
    fn builds_with_every_parameter() {
        let request = ListMultipartUploads::new()
            .prefix("backup/2024 年/")
            .delimiter("/")
            .key_marker("backup/2024 年/a+b.iso")
            .upload_id_marker(UPLOAD_1)
            .max_uploads(100)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri().to_string(),
            format!(
                "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/\
                 ?uploads=&prefix=backup%2F2024+%E5%B9%B4%2F&delimiter=%2F\
                 &key-marker=backup%2F2024+%E5%B9%B4%2Fa%2Bb.iso&upload-id-marker={UPLOAD_1}\
                 &max-uploads=100&encoding-type=url"
            )
        );
        assert_eq!(request.headers().len(), 1);
        assert_eq!(
            request.headers()["host"],
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(request.body(), &Body::Empty);
    }

    #[test]
    fn sends_every_parameter_even_when_empty() {
        // requests.json `list_multipart_uploads-defaults`.
        let request = ListMultipartUploads::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().path(), "/");
        assert_eq!(
            request.uri().query(),
            Some(
                "uploads=&prefix=&delimiter=&key-marker=&upload-id-marker=&max-uploads=1000&encoding-type=url"
            )
        );
        assert!(request.headers().get("content-length").is_none());
        // responses.json `list_multipart_uploads-two` request.
        let request = ListMultipartUploads::new()
            .delimiter("/")
            .max_uploads(2)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().query(),
            Some(
                "uploads=&prefix=&delimiter=%2F&key-marker=&upload-id-marker=&max-uploads=2&encoding-type=url"
            )
        );
    }

    #[test]
    fn parses_and_decodes_a_page() {
        let op = ListMultipartUploads::new().delimiter("/").max_uploads(2);
        let out = parse(&op, TWO).expect("parses");
        assert_eq!(out.bucket.as_deref(), Some("examplebucket-1250000000"));
        assert_eq!(out.encoding_type.as_deref(), Some("url"));
        assert_eq!(
            (
                out.prefix.as_deref(),
                out.key_marker.as_deref(),
                out.upload_id_marker.as_deref()
            ),
            (None, None, None)
        );
        // The reference leaves the delimiter encoded ('%2F'), a quirk: we decode it.
        assert_eq!(out.delimiter.as_deref(), Some("/"));
        assert_eq!(out.next_key_marker.as_deref(), Some("big file.iso"));
        assert_eq!(out.next_upload_id_marker.as_deref(), Some(UPLOAD_2));
        assert_eq!(out.max_uploads, Some(2));
        assert!(out.is_truncated);
        assert_eq!(out.common_prefixes, vec!["backup/".to_owned()]);
        assert_eq!(out.request_id.as_deref(), Some("rid"));
        assert_eq!(out.uploads.len(), 2);
        let first = &out.uploads[0];
        assert_eq!(first.key, "中文.bin");
        assert_eq!(first.upload_id, UPLOAD_1);
        assert_eq!(first.initiated, "2023-11-14T20:00:00.000Z");
        assert_eq!(first.storage_class, Some(StorageClass::Standard));
        let initiator = first.initiator.as_ref().expect("initiator");
        assert_eq!(
            (initiator.id.as_deref(), initiator.display_name.as_deref()),
            (Some(UIN), Some("100000000001"))
        );
        assert_eq!(first.owner, first.initiator);
        let second = &out.uploads[1];
        assert_eq!(
            (second.key.as_str(), second.upload_id.as_str()),
            ("big file.iso", UPLOAD_2)
        );
        assert_eq!(second.storage_class, Some(StorageClass::StandardIa));
        assert_eq!(second.initiated, "2023-11-14T21:00:00.000Z");

        let next = op.next_page(&out).expect("truncated");
        assert_eq!(
            next,
            op.clone()
                .key_marker("big file.iso")
                .upload_id_marker(UPLOAD_2)
        );
        assert_eq!(
            next.build_request(&config()).expect("builds").uri().query(),
            Some(
                format!(
                    "uploads=&prefix=&delimiter=%2F&key-marker=big+file.iso&upload-id-marker={UPLOAD_2}\
                     &max-uploads=2&encoding-type=url"
                )
                .as_str()
            )
        );
    }

    #[test]
    fn parses_an_empty_namespaced_page() {
        // requests.json `list_multipart_uploads-defaults`, with the COS namespace.
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://www.qcloud.com/document/product/436/7751">
    <Bucket>examplebucket-1250000000</Bucket>
    <EncodingType>url</EncodingType>
    <KeyMarker/>
    <UploadIdMarker/>
    <MaxUploads>1000</MaxUploads>
    <IsTruncated>false</IsTruncated>
    <Prefix>none%2F</Prefix>
</ListMultipartUploadsResult>"#;
        let op = ListMultipartUploads::new();
        let out = parse(&op, body).expect("parses");
        assert_eq!(out.prefix.as_deref(), Some("none/"));
        assert!(out.uploads.is_empty() && out.common_prefixes.is_empty());
        assert_eq!(out.max_uploads, Some(1000));
        assert_eq!(op.next_page(&out), None);
    }

    #[test]
    fn next_page_falls_back_and_never_loops() {
        let op = ListMultipartUploads::new();
        assert_eq!(
            op.next_page(&page(false, Some(("k", Some("u"))), vec![], &[])),
            None
        );
        assert_eq!(
            op.next_page(&page(
                true,
                None,
                vec![upload("a", "u1"), upload("b", "u2")],
                &[]
            )),
            Some(op.clone().key_marker("b").upload_id_marker("u2"))
        );
        assert_eq!(
            op.next_page(&page(true, None, vec![upload("a", "u1")], &["c/"])),
            Some(op.clone().key_marker("c/"))
        );
        assert_eq!(op.next_page(&page(true, None, vec![], &[])), None);
        let at = op.clone().key_marker("k").upload_id_marker("u1");
        assert_eq!(
            at.next_page(&page(true, Some(("k", Some("u1"))), vec![], &[])),
            None
        );
        assert_eq!(
            at.next_page(&page(true, Some(("k", Some("u2"))), vec![], &[])),
            Some(op.clone().key_marker("k").upload_id_marker("u2"))
        );
        assert_eq!(
            at.next_page(&page(true, Some(("j", None)), vec![], &[])),
            None
        );
    }

    #[test]
    fn errors_and_malformed_documents() {
        let op = ListMultipartUploads::new();
        let err = op
            .parse_response(&url(), error_response(404, "NoSuchBucket"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((404, "NoSuchBucket"))
        );
        for body in [
            "",
            "<ListMultipartUploadsResult><Bucket>b</Bucket></ListMultipartUploadsResult>",
            "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>k</Key></Upload>\
             </ListMultipartUploadsResult>",
            "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><MaxUploads>many</MaxUploads>\
             </ListMultipartUploadsResult>",
            "<Error><Code>InternalError</Code></Error>",
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
    fn rejects_invalid_page_sizes() {
        for max_uploads in [0, 1001] {
            assert!(matches!(
                ListMultipartUploads::new()
                    .max_uploads(max_uploads)
                    .build_request(&config()),
                Err(Error::Input(InputError::InvalidArgument {
                    what: "max-uploads",
                    ..
                }))
            ));
        }
    }

    /// The streaming scanner, when it takes a body, gives what the deserializer gives.
    fn assert_scanner_agrees(body: &str) -> bool {
        let deserialized = oracle::list_multipart_uploads_deserialized(body.as_bytes());
        match oracle::list_multipart_uploads_scanned(body.as_bytes()) {
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
            "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"
        ));
        // An upload without its id is the deserializer's to reject.
        assert!(!assert_scanner_agrees(
            "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>k</Key>\
             <Initiated>t</Initiated></Upload></ListMultipartUploadsResult>"
        ));
    }

    #[test]
    fn the_scanner_agrees_on_generated_documents_and_takes_most_of_them() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = test_support::listing_document(
            "ListMultipartUploadsResult",
            test_support::list_multipart_uploads_fields(),
        );
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
                "ListMultipartUploadsResult",
                test_support::list_multipart_uploads_fields(),
            )
        ) {
            assert_scanner_agrees(&body);
        }
    }

    proptest! {
        #[test]
        fn parse_response_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let resp = http::Response::builder().status(200).body(Bytes::from(body)).expect("response");
            let _ = ListMultipartUploads::new().parse_response(&url(), resp);
        }

        #[test]
        fn parse_response_never_panics_on_near_documents(
            fields in proptest::collection::vec(
                ("(Key|UploadId|Initiated|IsTruncated|Upload|Initiator|Owner|CommonPrefixes|Prefix|NextKeyMarker)",
                 "[a-z0-9%<>/&;]{0,12}"),
                0..12,
            )
        ) {
            let mut body = String::from("<ListMultipartUploadsResult><EncodingType>url</EncodingType>");
            for (name, text) in &fields {
                body.push_str(&format!("<{name}>{text}</{name}>"));
            }
            body.push_str("</ListMultipartUploadsResult>");
            let resp = http::Response::builder().status(200).body(Bytes::from(body)).expect("response");
            let _ = ListMultipartUploads::new().parse_response(&url(), resp);
        }
    }

    #[test]
    fn keep_url_encoding_returns_the_text_cos_sent() {
        let op = ListMultipartUploads::new().keep_url_encoding(true);
        let out = parse(&op, TWO).expect("parses");
        assert_eq!(out.next_key_marker.as_deref(), Some("big%20file.iso"));
        let out = parse(&ListMultipartUploads::new(), TWO).expect("parses");
        assert_eq!(out.next_key_marker.as_deref(), Some("big file.iso"));
    }
}
