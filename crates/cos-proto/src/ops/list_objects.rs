//! GET Bucket (List Objects): list a bucket's objects, one page at a time.

use super::Extras;
use super::setters::{condition_setters, decoding_setters, extras_setters};
use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use serde::Deserialize;

use super::listing_common::{
    Decoding, KeyDecoder, MAX_PAGE_SIZE, Owner, RawCommonPrefix, RawOwner, ScannedOwner,
    check_page_size, later, non_empty, once, owner, parse_document, scan_bool, scan_common_prefix,
    scan_number, scan_owner, scan_u32,
};
use crate::Config;
use crate::error::{Error, ResponseError};
use crate::headers::StorageClass;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::xml::scan::{Child, Content, Scanner};

/// Lists the objects of the bucket, at most `max_keys` per page, in UTF-8 byte order of
/// their keys. Every parameter is always sent (empty when unset), with
/// `encoding-type=url`; keys in the output are decoded. Ask for the following pages with
/// [`ListObjects::next_page`].
///
/// ```
/// use cos_proto::{Config, Operation, ops::ListObjects};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = ListObjects::new().prefix("photos/").delimiter("/").build_request(&cfg).unwrap();
/// assert_eq!(
///     request.uri().query(),
///     Some("prefix=photos%2F&delimiter=%2F&marker=&max-keys=1000&encoding-type=url")
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ListObjects {
    prefix: String,
    delimiter: String,
    marker: String,
    max_keys: u32,
    extras: Extras,
    decoding: Decoding,
}

impl Default for ListObjects {
    fn default() -> Self {
        Self::new()
    }
}

impl ListObjects {
    extras_setters!(extras);
    condition_setters!(extras);
    decoding_setters!(decoding);

    /// Lists the whole bucket from its first key, 1000 keys per page.
    pub fn new() -> Self {
        Self {
            extras: Extras::default(),
            decoding: Decoding::Decoded,
            prefix: String::new(),
            delimiter: String::new(),
            marker: String::new(),
            max_keys: MAX_PAGE_SIZE,
        }
    }

    /// Lists only keys starting with `prefix` (`prefix`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Groups keys that contain `delimiter` after the prefix into
    /// [`ListObjectsOutput::common_prefixes`] (`delimiter`; `/` lists one "directory").
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.delimiter = delimiter.into();
        self
    }

    /// Starts after this key (`marker`). Prefer [`ListObjects::next_page`] to set it.
    pub fn marker(mut self, marker: impl Into<String>) -> Self {
        self.marker = marker.into();
        self
    }

    /// Returns at most this many keys and common prefixes per page, `1..=1000`
    /// (`max-keys`, default 1000; checked when the request is built).
    pub fn max_keys(mut self, max_keys: u32) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// The request for the page after `output` (the answer to this request), or `None`
    /// when `output` was the last page.
    ///
    /// The next page starts at `NextMarker`; when COS truncates without sending one, at
    /// the later of the last key and the last common prefix of `output`. `None` is also
    /// returned when that position is not past this request's marker, which would ask
    /// for the same page forever.
    ///
    /// ```
    /// # use cos_proto::{Operation, ops::ListObjects};
    /// # let url: http::Uri = "http://h/".parse().unwrap();
    /// let first = ListObjects::new().max_keys(1);
    /// let body = "<ListBucketResult><IsTruncated>true</IsTruncated>\
    ///             <Contents><Key>a</Key><LastModified>t</LastModified><ETag>e</ETag><Size>1</Size></Contents>\
    ///             </ListBucketResult>";
    /// let output = first.parse_response(&url, http::Response::new(body.into())).unwrap();
    /// let second = first.next_page(&output).expect("truncated");
    /// assert_eq!(second, ListObjects::new().max_keys(1).marker("a"));
    /// ```
    pub fn next_page(&self, output: &ListObjectsOutput) -> Option<ListObjects> {
        if !output.is_truncated {
            return None;
        }
        let marker = match output.next_marker.as_deref() {
            Some(marker) => marker,
            None => later(
                output.contents.iter().map(|o| o.key.as_str()).max(),
                output.common_prefixes.iter().map(String::as_str).max(),
            )?,
        };
        if marker <= self.marker.as_str() {
            return None;
        }
        Some(Self {
            marker: marker.to_owned(),
            ..self.clone()
        })
    }
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectSummary {
    /// The object key (decoded).
    pub key: String,
    /// `LastModified`, ISO 8601 (`2023-11-14T22:13:20.000Z`).
    pub last_modified: String,
    /// `ETag`, with its quotes. Not an MD5 for multipart or encrypted objects.
    pub etag: String,
    /// The object's length in bytes.
    pub size: u64,
    /// The object's owner.
    pub owner: Option<Owner>,
    /// The storage class.
    pub storage_class: Option<StorageClass>,
    /// `StorageTier` of an `INTELLIGENT_TIERING` object (`FREQUENT`, `INFREQUENT`, ...).
    pub storage_tier: Option<String>,
}

/// One page of a bucket listing. Keys, prefixes, markers and the delimiter are decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListObjectsOutput {
    /// The bucket (`Name`).
    pub name: Option<String>,
    /// `EncodingType` as COS sent it (`url`); the fields below are already decoded.
    pub encoding_type: Option<String>,
    /// The prefix the listing was restricted to.
    pub prefix: Option<String>,
    /// The delimiter of the request.
    pub delimiter: Option<String>,
    /// The marker of the request.
    pub marker: Option<String>,
    /// Where the next page starts, when COS says; use [`ListObjects::next_page`].
    pub next_marker: Option<String>,
    /// The page size COS applied.
    pub max_keys: Option<u32>,
    /// `true` when more keys follow this page.
    pub is_truncated: bool,
    /// The objects of this page, in key order.
    pub contents: Vec<ObjectSummary>,
    /// The "directories": each distinct prefix up to and including the delimiter.
    pub common_prefixes: Vec<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawListBucketResult {
    #[serde(rename = "Name", default, deserialize_with = "crate::xml::non_empty")]
    name: Option<String>,
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
    #[serde(rename = "Marker", default, deserialize_with = "crate::xml::non_empty")]
    marker: Option<String>,
    #[serde(
        rename = "NextMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    next_marker: Option<String>,
    #[serde(
        rename = "MaxKeys",
        default,
        deserialize_with = "super::listing_common::opt_u32"
    )]
    max_keys: Option<u32>,
    #[serde(rename = "IsTruncated")]
    is_truncated: bool,
    #[serde(rename = "Contents", default)]
    contents: Vec<RawObjectSummary>,
    #[serde(rename = "CommonPrefixes", default)]
    common_prefixes: Vec<RawCommonPrefix>,
}

#[derive(Debug, Deserialize)]
struct RawObjectSummary {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "LastModified")]
    last_modified: String,
    #[serde(rename = "ETag")]
    etag: String,
    #[serde(rename = "Size")]
    size: u64,
    #[serde(rename = "Owner", default)]
    owner: Option<RawOwner>,
    #[serde(
        rename = "StorageClass",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    storage_class: Option<String>,
    #[serde(
        rename = "StorageTier",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    storage_tier: Option<String>,
}

impl ListObjectsOutput {
    fn from_raw(
        raw: RawListBucketResult,
        request_id: Option<String>,
        decoding: Decoding,
    ) -> Result<Self, ResponseError> {
        let decoder = KeyDecoder::new(raw.encoding_type.as_deref(), decoding);
        let contents = raw
            .contents
            .into_iter()
            .map(|o| {
                Ok(ObjectSummary {
                    key: decoder.decode("Contents.Key", o.key)?,
                    last_modified: o.last_modified,
                    etag: o.etag,
                    size: o.size,
                    owner: owner(o.owner),
                    storage_class: o.storage_class.as_deref().map(StorageClass::parse),
                    storage_tier: o.storage_tier,
                })
            })
            .collect::<Result<Vec<_>, ResponseError>>()?;
        Ok(Self {
            name: raw.name,
            prefix: decoder.decode_opt("Prefix", raw.prefix)?,
            delimiter: decoder.decode_opt("Delimiter", raw.delimiter)?,
            marker: decoder.decode_opt("Marker", raw.marker)?,
            next_marker: decoder.decode_opt("NextMarker", raw.next_marker)?,
            max_keys: raw.max_keys,
            is_truncated: raw.is_truncated,
            contents,
            common_prefixes: decoder.common_prefixes(raw.common_prefixes)?,
            encoding_type: raw.encoding_type,
            request_id,
        })
    }
}

/// `ListBucketResult` as the streaming scanner reads it: texts borrowed from the body
/// unless they had to be unescaped. `None` slots were absent; a field seen twice makes
/// the scan give up (the deserializer rejects duplicates).
#[derive(Debug, Default)]
struct ScannedListBucketResult<'a> {
    name: Option<Option<Cow<'a, str>>>,
    encoding_type: Option<Option<Cow<'a, str>>>,
    prefix: Option<Option<Cow<'a, str>>>,
    delimiter: Option<Option<Cow<'a, str>>>,
    marker: Option<Option<Cow<'a, str>>>,
    next_marker: Option<Option<Cow<'a, str>>>,
    max_keys: Option<Option<u32>>,
    is_truncated: Option<bool>,
    /// The objects in their final form, but for their keys, which are decoded (or not)
    /// once the whole document has said whether it is URL-encoded.
    contents: Vec<ObjectSummary>,
    keys: Vec<Cow<'a, str>>,
    common_prefixes: Vec<Cow<'a, str>>,
}

/// Reads a `ListBucketResult` with the streaming scanner; `None` when the body is
/// outside the scanner's subset or would not deserialize (see [`crate::xml::scan`]).
fn scan_list_bucket_result(body: &[u8]) -> Option<ScannedListBucketResult<'_>> {
    const FIELDS: [&str; 10] = [
        "Name",
        "EncodingType",
        "Prefix",
        "Delimiter",
        "Marker",
        "NextMarker",
        "MaxKeys",
        "IsTruncated",
        "Contents",
        "CommonPrefixes",
    ];
    let mut scanner = Scanner::open(body, "ListBucketResult")?;
    let mut raw = ScannedListBucketResult::default();
    while let Child::Known(field, content) = scanner.next_child(&FIELDS)? {
        match field {
            0 => once(&mut raw.name, non_empty(scanner.text(content)?))?,
            1 => once(&mut raw.encoding_type, non_empty(scanner.text(content)?))?,
            2 => once(&mut raw.prefix, non_empty(scanner.text(content)?))?,
            3 => once(&mut raw.delimiter, non_empty(scanner.text(content)?))?,
            4 => once(&mut raw.marker, non_empty(scanner.text(content)?))?,
            5 => once(&mut raw.next_marker, non_empty(scanner.text(content)?))?,
            6 => once(&mut raw.max_keys, scan_u32(&scanner.text(content)?)?)?,
            7 => once(&mut raw.is_truncated, scan_bool(&scanner.text(content)?)?)?,
            8 => {
                let (key, summary) = scan_object_summary(&mut scanner, content)?;
                raw.keys.push(key);
                raw.contents.push(summary);
            }
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

/// One `<Contents>`: its raw key, and the summary with an empty key.
fn scan_object_summary<'a>(
    scanner: &mut Scanner<'a>,
    content: Content<'a>,
) -> Option<(Cow<'a, str>, ObjectSummary)> {
    const FIELDS: [&str; 7] = [
        "Key",
        "LastModified",
        "ETag",
        "Size",
        "Owner",
        "StorageClass",
        "StorageTier",
    ];
    let (mut key, mut last_modified, mut etag, mut size) = (None, None, None, None);
    let (mut owner, mut storage_class, mut storage_tier) = (None, None, None);
    if scanner.enter(content)? {
        while let Child::Known(field, content) = scanner.next_child(&FIELDS)? {
            match field {
                0 => once(&mut key, scanner.text(content)?)?,
                1 => once(&mut last_modified, scanner.text(content)?.into_owned())?,
                2 => once(&mut etag, scanner.text(content)?.into_owned())?,
                3 => once(&mut size, scan_number(&scanner.text(content)?)?)?,
                4 => once(&mut owner, scan_owner(scanner, content)?)?,
                5 => once(&mut storage_class, non_empty(scanner.text(content)?))?,
                _ => once(&mut storage_tier, non_empty(scanner.text(content)?))?,
            }
        }
    }
    // Key, LastModified, ETag and Size are required.
    let summary = ObjectSummary {
        key: String::new(),
        last_modified: last_modified?,
        etag: etag?,
        size: size?,
        owner: owner.and_then(ScannedOwner::into_owner),
        storage_class: storage_class.flatten().as_deref().map(StorageClass::parse),
        storage_tier: storage_tier.flatten().map(Cow::into_owned),
    };
    Some((key?, summary))
}

impl ListObjectsOutput {
    fn from_scanned(
        raw: ScannedListBucketResult<'_>,
        request_id: Option<String>,
        decoding: Decoding,
    ) -> Result<Self, ResponseError> {
        let encoding_type = raw.encoding_type.flatten();
        let decoder = KeyDecoder::new(encoding_type.as_deref(), decoding);
        let owned = |value: Option<Option<Cow<'_, str>>>| value.flatten().map(Cow::into_owned);
        let mut contents = raw.contents;
        for (summary, key) in contents.iter_mut().zip(raw.keys) {
            summary.key = decoder.decode_cow("Contents.Key", key)?;
        }
        Ok(Self {
            name: owned(raw.name),
            prefix: decoder.decode_cow_opt("Prefix", raw.prefix.flatten())?,
            delimiter: decoder.decode_cow_opt("Delimiter", raw.delimiter.flatten())?,
            marker: decoder.decode_cow_opt("Marker", raw.marker.flatten())?,
            next_marker: decoder.decode_cow_opt("NextMarker", raw.next_marker.flatten())?,
            max_keys: raw.max_keys.flatten(),
            is_truncated: raw.is_truncated.unwrap_or_default(),
            contents,
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

/// Parses a `ListBucketResult` body: the streaming scanner when the body is in its
/// subset, else the deserializer (which also produces every error).
pub(crate) fn parse_list_bucket_result(
    body: &[u8],
    request_id: Option<String>,
    decoding: Decoding,
) -> Result<ListObjectsOutput, ResponseError> {
    match scan_list_bucket_result(body) {
        Some(scanned) => ListObjectsOutput::from_scanned(scanned, request_id, decoding),
        None => deserialize_list_bucket_result(body, request_id, decoding),
    }
}

/// The fast path alone: `None` when the scanner leaves the body to the deserializer.
#[cfg(any(test, feature = "oracle"))]
pub(crate) fn scan_only_list_bucket_result(
    body: &[u8],
) -> Option<Result<ListObjectsOutput, ResponseError>> {
    scan_list_bucket_result(body)
        .map(|scanned| ListObjectsOutput::from_scanned(scanned, None, Decoding::Decoded))
}

/// The deserializer alone (serde and quick-xml): the reference the scanner must agree with.
pub(crate) fn deserialize_list_bucket_result(
    body: &[u8],
    request_id: Option<String>,
    decoding: Decoding,
) -> Result<ListObjectsOutput, ResponseError> {
    let raw = parse_document("ListBucketResult", body)?;
    ListObjectsOutput::from_raw(raw, request_id, decoding)
}

impl Operation for ListObjects {
    type Output = ListObjectsOutput;
    const NAME: &'static str = "ListObjects";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        check_page_size("max-keys", self.max_keys)?;
        let b = RequestBuilder::bucket(Method::GET)
            .query("prefix", self.prefix.clone())
            .query("delimiter", self.delimiter.clone())
            .query("marker", self.marker.clone())
            .query("max-keys", self.max_keys.to_string())
            .query("encoding-type", "url");
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ListObjectsOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        Ok(parse_list_bucket_result(
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
    use crate::Credentials;
    use crate::error::InputError;
    use crate::ops::oracle;
    use crate::ops::test_support::{config, error_response, response};
    use crate::sign::{KeyTime, SignOptions, sign_request};

    const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

    /// `list_objects-encoded-multi` of responses.json.
    const ENCODED_PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
    <Name>examplebucket-1250000000</Name>
    <EncodingType>url</EncodingType>
    <Prefix>docs%2F</Prefix>
    <Marker/>
    <MaxKeys>3</MaxKeys>
    <Delimiter>%2F</Delimiter>
    <IsTruncated>true</IsTruncated>
    <NextMarker>docs%2F%E4%B8%AD%E6%96%87%20%ED%95%9C%EA%B8%80.txt</NextMarker>
    <CommonPrefixes>
        <Prefix>docs%2Fsub%20dir%2F</Prefix>
    </CommonPrefixes>
    <CommonPrefixes>
        <Prefix>docs%2F%E5%9B%BE%E7%89%87%2F</Prefix>
    </CommonPrefixes>
    <Contents>
        <Key>docs%2Fa%2Bb%20c.txt</Key>
        <LastModified>2023-11-14T22:13:20.000Z</LastModified>
        <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag>
        <Size>5</Size>
        <Owner>
            <ID>1250000000</ID>
            <DisplayName>1250000000</DisplayName>
        </Owner>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
    <Contents>
        <Key>docs%2F100%25%20%26%20more%3F.txt</Key>
        <LastModified>2023-11-13T08:00:00.000Z</LastModified>
        <ETag>&quot;e2fc714c4727ee9395f324cd2e7f331f-3&quot;</ETag>
        <Size>15728640</Size>
        <Owner>
            <ID>1250000000</ID>
            <DisplayName>1250000000</DisplayName>
        </Owner>
        <StorageClass>STANDARD_IA</StorageClass>
    </Contents>
    <Contents>
        <Key>docs%2F%E4%B8%AD%E6%96%87%20%ED%95%9C%EA%B8%80.txt</Key>
        <LastModified>2023-11-12T00:00:00.000Z</LastModified>
        <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag>
        <Size>0</Size>
        <Owner>
            <ID>1250000000</ID>
            <DisplayName>1250000000</DisplayName>
        </Owner>
        <StorageClass>INTELLIGENT_TIERING</StorageClass>
        <StorageTier>FREQUENT</StorageTier>
    </Contents>
</ListBucketResult>"#;

    /// `list_objects-single-namespace` of responses.json.
    const SINGLE_NAMESPACED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://www.qcloud.com/document/product/436/7751">
    <Name>examplebucket-1250000000</Name>
    <EncodingType>url</EncodingType>
    <Prefix/>
    <Marker>a%20b</Marker>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>only%20one.txt</Key>
        <LastModified>2023-11-14T22:13:20.000Z</LastModified>
        <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag>
        <Size>5</Size>
        <Owner>
            <ID>1250000000</ID>
            <DisplayName>1250000000</DisplayName>
        </Owner>
        <StorageClass>ARCHIVE</StorageClass>
    </Contents>
</ListBucketResult>"#;

    fn url() -> http::Uri {
        "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/?prefix=docs%2F"
            .parse()
            .expect("uri")
    }

    fn parse(op: &ListObjects, body: &str) -> Result<ListObjectsOutput, Error> {
        op.parse_response(&url(), response(200, &[("x-cos-request-id", "rid")], body))
    }

    fn summary(key: &str) -> ObjectSummary {
        ObjectSummary {
            key: key.to_owned(),
            last_modified: "2023-11-14T22:13:20.000Z".to_owned(),
            etag: "\"e\"".to_owned(),
            size: 1,
            owner: None,
            storage_class: None,
            storage_tier: None,
        }
    }

    fn page(
        truncated: bool,
        next_marker: Option<&str>,
        keys: &[&str],
        prefixes: &[&str],
    ) -> ListObjectsOutput {
        ListObjectsOutput {
            name: None,
            encoding_type: None,
            prefix: None,
            delimiter: None,
            marker: None,
            next_marker: next_marker.map(str::to_owned),
            max_keys: None,
            is_truncated: truncated,
            contents: keys.iter().map(|k| summary(k)).collect(),
            common_prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
            request_id: None,
        }
    }

    #[test]
    fn builds_with_every_parameter() {
        // requests.json `list_objects-full`.
        let request = ListObjects::new()
            .prefix("photos/2024 年/")
            .delimiter("/")
            .marker("photos/2024 年/a+b.jpg")
            .max_keys(100)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/\
             ?prefix=photos%2F2024+%E5%B9%B4%2F&delimiter=%2F&marker=photos%2F2024+%E5%B9%B4%2Fa%2Bb.jpg\
             &max-keys=100&encoding-type=url"
        );
        assert_eq!(request.headers().len(), 1);
        assert_eq!(request.headers()["host"], HOST);
        assert_eq!(request.body(), &Body::Empty);
    }

    #[test]
    fn sends_every_parameter_even_when_empty() {
        // requests.json `list_objects-defaults`.
        let request = ListObjects::new().build_request(&config()).expect("builds");
        assert_eq!(request.uri().path(), "/");
        assert_eq!(
            request.uri().query(),
            Some("prefix=&delimiter=&marker=&max-keys=1000&encoding-type=url")
        );
        assert!(request.headers().get("content-length").is_none());
        assert_eq!(ListObjects::default(), ListObjects::new());
    }

    #[test]
    fn signs_like_the_reference() {
        // signature.json `list-objects-unicode-prefix`, `sts-list`, `config-signparams-false`.
        let credentials = Credentials::new(
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
        )
        .expect("credentials");
        let mut request = ListObjects::new()
            .prefix("photos/2024 年/")
            .delimiter("/")
            .marker("photos/a+b")
            .max_keys(10)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().query(),
            Some(
                "prefix=photos%2F2024+%E5%B9%B4%2F&delimiter=%2F&marker=photos%2Fa%2Bb&max-keys=10&encoding-type=url"
            )
        );
        sign_request(
            &mut request,
            &credentials,
            KeyTime::new(1_700_000_030, 10_000),
            SignOptions::default(),
        )
        .expect("signs");
        assert_eq!(
            request.headers()["authorization"],
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999970;1700010030\
             &q-key-time=1699999970;1700010030&q-header-list=host&q-url-param-list=delimiter;encoding-type;marker;\
             max-keys;prefix&q-signature=857689c657900707c2fc96b15afc67ba4db35fd6"
        );

        let sts = Credentials::new(
            "AKIDtmpTEMPORARYexampleID0000000000",
            "tmpSecretKeyEXAMPLE+/abcdefghijklmn=",
        )
        .and_then(|c| {
            c.with_token(
                "v1.Session-Token+/With=Symbols~and.dots_1234567890abcdefghijklmnopqrstuvwxyz==",
            )
        })
        .expect("credentials");
        let mut request = ListObjects::new()
            .prefix("sts/")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().query(),
            Some("prefix=sts%2F&delimiter=&marker=&max-keys=1000&encoding-type=url")
        );
        sign_request(
            &mut request,
            &sts,
            KeyTime::new(1_700_000_042, 10_000),
            SignOptions::default(),
        )
        .expect("signs");
        assert_eq!(
            request.headers()["authorization"],
            "q-sign-algorithm=sha1&q-ak=AKIDtmpTEMPORARYexampleID0000000000&q-sign-time=1699999982;1700010042\
             &q-key-time=1699999982;1700010042&q-header-list=host;x-cos-security-token&q-url-param-list=delimiter;\
             encoding-type;marker;max-keys;prefix&q-signature=6ba2a34d25e89cd68cc0b8c43483291d51eecc8c"
        );

        let mut request = ListObjects::new()
            .prefix("p/")
            .max_keys(3)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().query(),
            Some("prefix=p%2F&delimiter=&marker=&max-keys=3&encoding-type=url")
        );
        let options = SignOptions {
            sign_params: false,
            ..SignOptions::default()
        };
        sign_request(
            &mut request,
            &credentials,
            KeyTime::new(1_700_000_044, 10_000),
            options,
        )
        .expect("signs");
        assert_eq!(
            request.headers()["authorization"],
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999984;1700010044\
             &q-key-time=1699999984;1700010044&q-header-list=host&q-url-param-list=\
             &q-signature=fefb38fb887119b7cf0af24f34a81fa4cde5c526"
        );
    }

    #[test]
    fn parses_and_decodes_a_page() {
        let op = ListObjects::new()
            .prefix("docs/")
            .delimiter("/")
            .max_keys(3);
        let out = parse(&op, ENCODED_PAGE).expect("parses");
        assert_eq!(out.name.as_deref(), Some("examplebucket-1250000000"));
        assert_eq!(out.encoding_type.as_deref(), Some("url"));
        assert_eq!(out.prefix.as_deref(), Some("docs/"));
        // The reference leaves the delimiter encoded ('%2F'), a quirk: we decode it.
        assert_eq!(out.delimiter.as_deref(), Some("/"));
        assert_eq!(out.marker, None);
        assert_eq!(out.next_marker.as_deref(), Some("docs/中文 한글.txt"));
        assert_eq!(out.max_keys, Some(3));
        assert!(out.is_truncated);
        assert_eq!(
            out.common_prefixes,
            vec!["docs/sub dir/".to_owned(), "docs/图片/".to_owned()]
        );
        let keys: Vec<&str> = out.contents.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "docs/a+b c.txt",
                "docs/100% & more?.txt",
                "docs/中文 한글.txt"
            ]
        );
        let first = &out.contents[0];
        assert_eq!(first.last_modified, "2023-11-14T22:13:20.000Z");
        assert_eq!(first.etag, "\"5d41402abc4b2a76b9719d911017c592\"");
        assert_eq!(first.size, 5);
        let owner = first.owner.as_ref().expect("owner");
        assert_eq!(
            (owner.id.as_deref(), owner.display_name.as_deref()),
            (Some("1250000000"), Some("1250000000"))
        );
        assert_eq!(first.storage_class, Some(StorageClass::Standard));
        assert_eq!(first.storage_tier, None);
        assert_eq!(out.contents[1].size, 15_728_640);
        assert_eq!(
            out.contents[1].storage_class,
            Some(StorageClass::StandardIa)
        );
        assert_eq!(
            out.contents[2].storage_class,
            Some(StorageClass::IntelligentTiering)
        );
        assert_eq!(out.contents[2].storage_tier.as_deref(), Some("FREQUENT"));
        assert_eq!(out.request_id.as_deref(), Some("rid"));

        let next = op.next_page(&out).expect("truncated");
        assert_eq!(next, op.clone().marker("docs/中文 한글.txt"));
        assert_eq!(
            next.build_request(&config()).expect("builds").uri().query(),
            Some(
                "prefix=docs%2F&delimiter=%2F&marker=docs%2F%E4%B8%AD%E6%96%87+%ED%95%9C%EA%B8%80.txt&max-keys=3&encoding-type=url"
            )
        );
    }

    #[test]
    fn parses_a_namespaced_single_entry_page() {
        let op = ListObjects::new();
        let out = parse(&op, SINGLE_NAMESPACED).expect("parses");
        assert_eq!(out.prefix, None);
        assert_eq!(out.marker.as_deref(), Some("a b"));
        assert!(!out.is_truncated);
        assert_eq!(out.contents.len(), 1);
        assert_eq!(out.contents[0].key, "only one.txt");
        assert_eq!(out.contents[0].storage_class, Some(StorageClass::Archive));
        assert!(out.common_prefixes.is_empty());
        assert_eq!(op.next_page(&out), None);
    }

    #[test]
    fn keys_stay_encoded_without_encoding_type_and_empty_pages_parse() {
        let body = "<ListBucketResult><Name>b</Name><Prefix>a%20b</Prefix><IsTruncated>false</IsTruncated>\
                    <Contents><Key>a%20b/c+d</Key><LastModified>t</LastModified><ETag>\"e\"</ETag><Size>0</Size>\
                    </Contents><CommonPrefixes><Prefix>a%20b/x/</Prefix></CommonPrefixes></ListBucketResult>";
        let out = parse(&ListObjects::new(), body).expect("parses");
        assert_eq!(out.prefix.as_deref(), Some("a%20b"));
        assert_eq!(out.contents[0].key, "a%20b/c+d");
        assert_eq!(out.contents[0].owner, None);
        assert_eq!(out.common_prefixes, vec!["a%20b/x/".to_owned()]);
        // requests.json `list_objects-defaults`: nothing matched.
        let empty = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>\n    <Name>examplebucket-1250000000</Name>\n\
                     <EncodingType>url</EncodingType>\n<Prefix>nothing%2F</Prefix>\n<Marker/>\n<MaxKeys>1000</MaxKeys>\n\
                     <IsTruncated>false</IsTruncated>\n</ListBucketResult>";
        let out = parse(&ListObjects::new(), empty).expect("parses");
        assert_eq!(out.prefix.as_deref(), Some("nothing/"));
        assert!(out.contents.is_empty() && out.common_prefixes.is_empty());
    }

    #[test]
    fn next_page_falls_back_and_never_loops() {
        let op = ListObjects::new().prefix("p/").max_keys(2);
        assert_eq!(op.next_page(&page(false, Some("p/z"), &["p/a"], &[])), None);
        assert_eq!(
            op.next_page(&page(true, Some("p/z"), &["p/a"], &[])),
            Some(op.clone().marker("p/z"))
        );
        // No NextMarker: the later of the last key and the last common prefix.
        assert_eq!(
            op.next_page(&page(true, None, &["p/a", "p/b"], &[])),
            Some(op.clone().marker("p/b"))
        );
        assert_eq!(
            op.next_page(&page(true, None, &["p/a"], &["p/d/"])),
            Some(op.clone().marker("p/d/"))
        );
        assert_eq!(
            op.next_page(&page(true, None, &["p/e"], &["p/d/"])),
            Some(op.clone().marker("p/e"))
        );
        // Truncated but no way forward: stop instead of repeating the page.
        assert_eq!(op.next_page(&page(true, None, &[], &[])), None);
        let at = op.clone().marker("p/m");
        assert_eq!(at.next_page(&page(true, Some("p/m"), &[], &[])), None);
        assert_eq!(at.next_page(&page(true, Some("p/a"), &[], &[])), None);
    }

    #[test]
    fn errors_and_malformed_documents() {
        let op = ListObjects::new();
        let err = op
            .parse_response(&url(), error_response(404, "NoSuchBucket"))
            .expect_err("fails");
        let err = err.service_error().expect("service error");
        assert_eq!(
            (err.status, err.code(), err.request_id.as_deref()),
            (404, "NoSuchBucket", Some("req-1"))
        );
        for body in [
            "",
            "not xml",
            "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
            "<ListBucketResult><Name>b</Name></ListBucketResult>",
            "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key></Contents></ListBucketResult>",
            "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><LastModified>t</LastModified>\
             <ETag>e</ETag><Size>-1</Size></Contents></ListBucketResult>",
            "<ListVersionsResult><IsTruncated>false</IsTruncated></ListVersionsResult>",
            "<ListBucketResult><IsTruncated>false</IsTruncated>",
        ] {
            assert!(
                matches!(
                    parse(&op, body),
                    Err(Error::Response(ResponseError::MalformedXml { .. }))
                ),
                "{body}"
            );
        }
        let bad_escape = "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>\
                          <Contents><Key>%FF</Key><LastModified>t</LastModified><ETag>e</ETag><Size>1</Size>\
                          </Contents></ListBucketResult>";
        assert!(matches!(
            parse(&op, bad_escape),
            Err(Error::Response(ResponseError::InvalidField {
                field: "Contents.Key",
                ..
            }))
        ));
    }

    #[test]
    fn rejects_invalid_page_sizes() {
        for max_keys in [0, 1001] {
            assert!(matches!(
                ListObjects::new()
                    .max_keys(max_keys)
                    .build_request(&config()),
                Err(Error::Input(InputError::InvalidArgument {
                    what: "max-keys",
                    ..
                }))
            ));
        }
    }

    /// The streaming scanner, when it takes a body, gives what the deserializer gives.
    fn assert_scanner_agrees(body: &str) -> bool {
        let deserialized = oracle::list_objects_deserialized(body.as_bytes());
        match oracle::list_objects_scanned(body.as_bytes()) {
            Some(scanned) => {
                assert_eq!(scanned, deserialized, "{body}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_scanner_reads_the_fixtures_and_the_benchmark_page() {
        let bench_page = crate::ops::test_support::list_page(1000);
        for body in [ENCODED_PAGE, SINGLE_NAMESPACED, bench_page.as_str()] {
            assert!(assert_scanner_agrees(body), "{body}");
        }
        let minimal = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
        assert!(assert_scanner_agrees(minimal));
        // Outside the scanner's subset: left to the deserializer.
        for body in [
            "<ListBucketResult><!-- c --><IsTruncated>false</IsTruncated></ListBucketResult>",
            "<ListBucketResult><Name a=\"1\">x</Name><IsTruncated>0</IsTruncated></ListBucketResult>",
            "<ListBucketResult><IsTruncated>false</IsTruncated><Name>a</Name><Name>b</Name></ListBucketResult>",
            "<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>",
            "<ListBucketResult><Name>a</Name></ListBucketResult>",
        ] {
            assert!(!assert_scanner_agrees(body), "{body}");
        }
    }

    #[test]
    fn the_scanner_agrees_on_generated_documents_and_takes_most_of_them() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = crate::ops::test_support::listing_document(
            "ListBucketResult",
            crate::ops::test_support::list_objects_fields(),
        );
        let mut scanned = 0;
        for _ in 0..2000 {
            let body = strategy.new_tree(&mut runner).expect("document").current();
            if assert_scanner_agrees(&body) {
                scanned += 1;
            }
        }
        // The generator must exercise the scanner, not only the fallback.
        assert!(
            scanned > 400,
            "only {scanned} of 2000 documents were scanned"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn the_scanner_agrees_with_the_deserializer(
            body in crate::ops::test_support::listing_document(
                "ListBucketResult",
                crate::ops::test_support::list_objects_fields(),
            )
        ) {
            assert_scanner_agrees(&body);
        }

        #[test]
        fn parse_response_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let resp = http::Response::builder().status(200).body(Bytes::from(body)).expect("response");
            let _ = ListObjects::new().parse_response(&url(), resp);
        }

        #[test]
        fn parse_response_never_panics_on_near_documents(
            fields in proptest::collection::vec(
                ("(Key|Size|IsTruncated|Contents|Prefix|CommonPrefixes|EncodingType|Owner|NextMarker)", "[a-z0-9%<>/&;]{0,12}"),
                0..12,
            )
        ) {
            let mut body = String::from("<ListBucketResult><EncodingType>url</EncodingType>");
            for (name, text) in &fields {
                body.push_str(&format!("<{name}>{text}</{name}>"));
            }
            body.push_str("</ListBucketResult>");
            let resp = http::Response::builder().status(200).body(Bytes::from(body)).expect("response");
            let _ = ListObjects::new().parse_response(&url(), resp);
        }
    }

    #[test]
    fn keep_url_encoding_returns_the_text_cos_sent() {
        let op = ListObjects::new().keep_url_encoding(true);
        let out = parse(&op, ENCODED_PAGE).expect("parses");
        assert_eq!(out.prefix.as_deref(), Some("docs%2F"));
        assert!(out.contents.iter().all(|o| o.key.starts_with("docs%2F")));
        let decoded = parse(&op.keep_url_encoding(false), ENCODED_PAGE).expect("parses");
        assert_eq!(decoded.prefix.as_deref(), Some("docs/"));
    }

    #[test]
    fn listing_conditions_and_extra_headers_are_sent_and_signed() {
        let request = ListObjects::new()
            .if_modified_since("Wed, 15 Nov 2023 00:00:00 GMT")
            .if_none_match("\"e\"")
            .header("x-cos-meta-note", "n")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.headers()["if-modified-since"],
            "Wed, 15 Nov 2023 00:00:00 GMT"
        );
        assert_eq!(request.headers()["if-none-match"], "\"e\"");
        assert_eq!(request.headers()["x-cos-meta-note"], "n");
    }
}
