//! GET Bucket Object Versions: list every version and delete marker of a bucket's
//! objects, one page at a time.

use super::Extras;
use super::setters::{condition_setters, decoding_setters, extras_setters};
use bytes::Bytes;
use http::Method;
use serde::Deserialize;

use super::listing_common::{
    Decoding, KeyDecoder, MAX_PAGE_SIZE, Owner, RawCommonPrefix, RawOwner, check_page_size, owner,
    parse_document,
};
use crate::Config;
use crate::error::{Error, ResponseError};
use crate::headers::StorageClass;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Lists object versions and delete markers, at most `max_keys` per page, by key and
/// then newest first. Every parameter is always sent (empty when unset), with
/// `encoding-type=url`; keys in the output are decoded. Ask for the following pages with
/// [`ListObjectVersions::next_page`].
///
/// ```
/// use cos_proto::{Config, Operation, ops::ListObjectVersions};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = ListObjectVersions::new().prefix("v/").build_request(&cfg).unwrap();
/// assert_eq!(
///     request.uri().query(),
///     Some("versions=&prefix=v%2F&delimiter=&key-marker=&version-id-marker=&max-keys=1000&encoding-type=url")
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ListObjectVersions {
    prefix: String,
    delimiter: String,
    key_marker: String,
    version_id_marker: String,
    max_keys: u32,
    extras: Extras,
    decoding: Decoding,
}

impl Default for ListObjectVersions {
    fn default() -> Self {
        Self::new()
    }
}

impl ListObjectVersions {
    extras_setters!(extras);
    condition_setters!(extras);
    decoding_setters!(decoding);

    /// Lists the versions of the whole bucket from its first key, 1000 entries per page.
    pub fn new() -> Self {
        Self {
            extras: Extras::default(),
            decoding: Decoding::Decoded,
            prefix: String::new(),
            delimiter: String::new(),
            key_marker: String::new(),
            version_id_marker: String::new(),
            max_keys: MAX_PAGE_SIZE,
        }
    }

    /// Lists only keys starting with `prefix` (`prefix`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Groups keys that contain `delimiter` after the prefix into
    /// [`ListObjectVersionsOutput::common_prefixes`] (`delimiter`).
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.delimiter = delimiter.into();
        self
    }

    /// Starts after this key (`key-marker`); with [`Self::version_id_marker`], after that
    /// version of this key. Prefer [`ListObjectVersions::next_page`] to set both.
    pub fn key_marker(mut self, key: impl Into<String>) -> Self {
        self.key_marker = key.into();
        self
    }

    /// Starts after this version of the key marker's key (`version-id-marker`; ignored by
    /// COS without a key marker).
    pub fn version_id_marker(mut self, version_id: impl Into<String>) -> Self {
        self.version_id_marker = version_id.into();
        self
    }

    /// Returns at most this many entries and common prefixes per page, `1..=1000`
    /// (`max-keys`, default 1000; checked when the request is built).
    pub fn max_keys(mut self, max_keys: u32) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// The request for the page after `output` (the answer to this request), or `None`
    /// when `output` was the last page.
    ///
    /// The next page starts at `NextKeyMarker` / `NextVersionIdMarker`; when COS truncates
    /// without them, after the last entry of `output` in document order (or after its last
    /// common prefix, when that comes later). `None` is also returned when that position is
    /// not past this request's markers, which would ask for the same page forever.
    pub fn next_page(&self, output: &ListObjectVersionsOutput) -> Option<ListObjectVersions> {
        if !output.is_truncated {
            return None;
        }
        let (key, version_id) = match output.next_key_marker.as_deref() {
            Some(key) => (key, output.next_version_id_marker.as_deref().unwrap_or("")),
            None => {
                let last_prefix = output.common_prefixes.iter().map(String::as_str).max();
                match (output.entries.last(), last_prefix) {
                    (Some(entry), Some(prefix)) if prefix > entry.key() => (prefix, ""),
                    (Some(entry), _) => (entry.key(), entry.version_id()),
                    (None, Some(prefix)) => (prefix, ""),
                    (None, None) => return None,
                }
            }
        };
        let current = self.key_marker.as_str();
        let advances = key > current
            || (key == current
                && !self.version_id_marker.is_empty()
                && version_id != self.version_id_marker);
        if !advances {
            return None;
        }
        Some(Self {
            key_marker: key.to_owned(),
            version_id_marker: version_id.to_owned(),
            ..self.clone()
        })
    }
}

/// A stored version of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectVersion {
    /// The object key (decoded).
    pub key: String,
    /// `VersionId`; `null` for the version written before versioning was enabled.
    pub version_id: String,
    /// `true` for the current version of the key.
    pub is_latest: bool,
    /// `LastModified`, ISO 8601.
    pub last_modified: String,
    /// `ETag`, with its quotes.
    pub etag: String,
    /// The version's length in bytes.
    pub size: u64,
    /// The storage class.
    pub storage_class: Option<StorageClass>,
    /// `StorageTier` of an `INTELLIGENT_TIERING` version.
    pub storage_tier: Option<String>,
    /// The owner.
    pub owner: Option<Owner>,
}

/// A delete marker: the key reads as deleted while it is the latest entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteMarkerEntry {
    /// The object key (decoded).
    pub key: String,
    /// The delete marker's own version id.
    pub version_id: String,
    /// `true` when this marker is the current entry of the key.
    pub is_latest: bool,
    /// `LastModified`, ISO 8601.
    pub last_modified: String,
    /// The owner.
    pub owner: Option<Owner>,
}

/// One entry of a versions listing, in the order COS sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionEntry {
    /// A `<Version>`.
    Version(ObjectVersion),
    /// A `<DeleteMarker>`.
    DeleteMarker(DeleteMarkerEntry),
}

impl VersionEntry {
    /// The object key.
    pub fn key(&self) -> &str {
        match self {
            VersionEntry::Version(v) => &v.key,
            VersionEntry::DeleteMarker(m) => &m.key,
        }
    }

    /// The version id (of the version, or of the delete marker).
    pub fn version_id(&self) -> &str {
        match self {
            VersionEntry::Version(v) => &v.version_id,
            VersionEntry::DeleteMarker(m) => &m.version_id,
        }
    }

    /// `true` for the current entry of its key.
    pub fn is_latest(&self) -> bool {
        match self {
            VersionEntry::Version(v) => v.is_latest,
            VersionEntry::DeleteMarker(m) => m.is_latest,
        }
    }

    /// `LastModified`, ISO 8601.
    pub fn last_modified(&self) -> &str {
        match self {
            VersionEntry::Version(v) => &v.last_modified,
            VersionEntry::DeleteMarker(m) => &m.last_modified,
        }
    }
}

/// One page of a versions listing. Keys, prefixes, markers and the delimiter are decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListObjectVersionsOutput {
    /// The bucket (`Name`).
    pub name: Option<String>,
    /// `EncodingType` as COS sent it (`url`); the fields below are already decoded.
    pub encoding_type: Option<String>,
    /// The prefix the listing was restricted to.
    pub prefix: Option<String>,
    /// The delimiter of the request.
    pub delimiter: Option<String>,
    /// The key marker of the request.
    pub key_marker: Option<String>,
    /// The version id marker of the request.
    pub version_id_marker: Option<String>,
    /// The key the next page starts at, when COS says; use
    /// [`ListObjectVersions::next_page`].
    pub next_key_marker: Option<String>,
    /// The version the next page starts after, when COS says.
    pub next_version_id_marker: Option<String>,
    /// The page size COS applied.
    pub max_keys: Option<u32>,
    /// `true` when more entries follow this page.
    pub is_truncated: bool,
    /// Versions and delete markers, interleaved in document order (by key, newest first).
    pub entries: Vec<VersionEntry>,
    /// The "directories": each distinct prefix up to and including the delimiter.
    pub common_prefixes: Vec<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

impl ListObjectVersionsOutput {
    /// The versions of this page, in document order.
    pub fn versions(&self) -> impl Iterator<Item = &ObjectVersion> {
        self.entries.iter().filter_map(|e| match e {
            VersionEntry::Version(v) => Some(v),
            VersionEntry::DeleteMarker(_) => None,
        })
    }

    /// The delete markers of this page, in document order.
    pub fn delete_markers(&self) -> impl Iterator<Item = &DeleteMarkerEntry> {
        self.entries.iter().filter_map(|e| match e {
            VersionEntry::DeleteMarker(m) => Some(m),
            VersionEntry::Version(_) => None,
        })
    }
}

#[derive(Debug, Deserialize)]
struct RawListVersionsResult {
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
    #[serde(
        rename = "KeyMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    key_marker: Option<String>,
    #[serde(
        rename = "VersionIdMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    version_id_marker: Option<String>,
    #[serde(
        rename = "NextKeyMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    next_key_marker: Option<String>,
    #[serde(
        rename = "NextVersionIdMarker",
        default,
        deserialize_with = "crate::xml::non_empty"
    )]
    next_version_id_marker: Option<String>,
    #[serde(
        rename = "MaxKeys",
        default,
        deserialize_with = "super::listing_common::opt_u32"
    )]
    max_keys: Option<u32>,
    #[serde(rename = "IsTruncated")]
    is_truncated: bool,
    #[serde(rename = "CommonPrefixes", default)]
    common_prefixes: Vec<RawCommonPrefix>,
    /// Every other child, in document order: this keeps versions and delete markers
    /// interleaved as COS sent them.
    #[serde(rename = "$value", default)]
    children: Vec<RawChild>,
}

#[derive(Debug, Deserialize)]
enum RawChild {
    Version(RawVersion),
    DeleteMarker(RawDeleteMarker),
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct RawVersion {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "VersionId")]
    version_id: String,
    #[serde(rename = "IsLatest")]
    is_latest: bool,
    #[serde(rename = "LastModified")]
    last_modified: String,
    #[serde(rename = "ETag")]
    etag: String,
    #[serde(rename = "Size")]
    size: u64,
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
    #[serde(rename = "Owner", default)]
    owner: Option<RawOwner>,
}

#[derive(Debug, Deserialize)]
struct RawDeleteMarker {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "VersionId")]
    version_id: String,
    #[serde(rename = "IsLatest")]
    is_latest: bool,
    #[serde(rename = "LastModified")]
    last_modified: String,
    #[serde(rename = "Owner", default)]
    owner: Option<RawOwner>,
}

impl ListObjectVersionsOutput {
    fn from_raw(
        raw: RawListVersionsResult,
        request_id: Option<String>,
        decoding: Decoding,
    ) -> Result<Self, ResponseError> {
        let decoder = KeyDecoder::new(raw.encoding_type.as_deref(), decoding);
        let mut entries = Vec::with_capacity(raw.children.len());
        for child in raw.children {
            match child {
                RawChild::Version(v) => entries.push(VersionEntry::Version(ObjectVersion {
                    key: decoder.decode("Version.Key", v.key)?,
                    version_id: v.version_id,
                    is_latest: v.is_latest,
                    last_modified: v.last_modified,
                    etag: v.etag,
                    size: v.size,
                    storage_class: v.storage_class.as_deref().map(StorageClass::parse),
                    storage_tier: v.storage_tier,
                    owner: owner(v.owner),
                })),
                RawChild::DeleteMarker(m) => {
                    entries.push(VersionEntry::DeleteMarker(DeleteMarkerEntry {
                        key: decoder.decode("DeleteMarker.Key", m.key)?,
                        version_id: m.version_id,
                        is_latest: m.is_latest,
                        last_modified: m.last_modified,
                        owner: owner(m.owner),
                    }))
                }
                RawChild::Other => {}
            }
        }
        Ok(Self {
            name: raw.name,
            prefix: decoder.decode_opt("Prefix", raw.prefix)?,
            delimiter: decoder.decode_opt("Delimiter", raw.delimiter)?,
            key_marker: decoder.decode_opt("KeyMarker", raw.key_marker)?,
            version_id_marker: decoder.decode_opt("VersionIdMarker", raw.version_id_marker)?,
            next_key_marker: decoder.decode_opt("NextKeyMarker", raw.next_key_marker)?,
            next_version_id_marker: decoder
                .decode_opt("NextVersionIdMarker", raw.next_version_id_marker)?,
            max_keys: raw.max_keys,
            is_truncated: raw.is_truncated,
            entries,
            common_prefixes: decoder.common_prefixes(raw.common_prefixes)?,
            encoding_type: raw.encoding_type,
            request_id,
        })
    }
}

impl Operation for ListObjectVersions {
    type Output = ListObjectVersionsOutput;
    const NAME: &'static str = "ListObjectVersions";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        check_page_size("max-keys", self.max_keys)?;
        let b = RequestBuilder::bucket(Method::GET)
            .query("versions", "")
            .query("prefix", self.prefix.clone())
            .query("delimiter", self.delimiter.clone())
            .query("key-marker", self.key_marker.clone())
            .query("version-id-marker", self.version_id_marker.clone())
            .query("max-keys", self.max_keys.to_string())
            .query("encoding-type", "url");
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ListObjectVersionsOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let raw = parse_document("ListVersionsResult", response.body())?;
        Ok(ListObjectVersionsOutput::from_raw(
            raw,
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
    use crate::ops::test_support::{config, error_response, response};

    /// `list_objects_versions-mixed` of responses.json.
    const MIXED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult>
    <EncodingType>url</EncodingType>
    <Name>examplebucket-1250000000</Name>
    <Prefix>v%2F</Prefix>
    <KeyMarker/>
    <VersionIdMarker/>
    <MaxKeys>4</MaxKeys>
    <Delimiter>%2F</Delimiter>
    <IsTruncated>true</IsTruncated>
    <NextKeyMarker>v%2Fz%20z.txt</NextKeyMarker>
    <NextVersionIdMarker>MTg0NDUxNTc1NjIzMTQ1MDAwODg</NextVersionIdMarker>
    <CommonPrefixes>
        <Prefix>v%2Fdir%20one%2F</Prefix>
    </CommonPrefixes>
    <Version>
        <Key>v%2Fa%20b.txt</Key>
        <VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwODg</VersionId>
        <IsLatest>true</IsLatest>
        <LastModified>2023-11-14T22:13:20.000Z</LastModified>
        <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag>
        <Size>5</Size>
        <StorageClass>STANDARD</StorageClass>
        <Owner>
            <ID>1250000000</ID>
            <DisplayName>1250000000</DisplayName>
        </Owner>
    </Version>
    <DeleteMarker>
        <Key>v%2F%E4%B8%AD%E6%96%87.txt</Key>
        <VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwOTk</VersionId>
        <IsLatest>true</IsLatest>
        <LastModified>2023-11-14T22:13:21.000Z</LastModified>
        <Owner>
            <ID>1250000000</ID>
            <DisplayName>1250000000</DisplayName>
        </Owner>
    </DeleteMarker>
    <Version>
        <Key>v%2F%E4%B8%AD%E6%96%87.txt</Key>
        <VersionId>null</VersionId>
        <IsLatest>false</IsLatest>
        <LastModified>2023-11-10T00:00:00.000Z</LastModified>
        <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag>
        <Size>0</Size>
        <StorageClass>STANDARD_IA</StorageClass>
        <Owner>
            <ID>1250000000</ID>
            <DisplayName>1250000000</DisplayName>
        </Owner>
    </Version>
</ListVersionsResult>"#;

    fn url() -> http::Uri {
        "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/?versions="
            .parse()
            .expect("uri")
    }

    fn parse(op: &ListObjectVersions, body: &str) -> Result<ListObjectVersionsOutput, Error> {
        op.parse_response(&url(), response(200, &[("x-cos-request-id", "rid")], body))
    }

    fn marker(key: &str, version_id: &str) -> VersionEntry {
        VersionEntry::DeleteMarker(DeleteMarkerEntry {
            key: key.to_owned(),
            version_id: version_id.to_owned(),
            is_latest: true,
            last_modified: "2023-11-14T22:13:21.000Z".to_owned(),
            owner: None,
        })
    }

    fn page(
        truncated: bool,
        next: Option<(&str, Option<&str>)>,
        entries: Vec<VersionEntry>,
        prefixes: &[&str],
    ) -> ListObjectVersionsOutput {
        ListObjectVersionsOutput {
            name: None,
            encoding_type: None,
            prefix: None,
            delimiter: None,
            key_marker: None,
            version_id_marker: None,
            next_key_marker: next.map(|(k, _)| k.to_owned()),
            next_version_id_marker: next.and_then(|(_, v)| v.map(str::to_owned)),
            max_keys: None,
            is_truncated: truncated,
            entries,
            common_prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
            request_id: None,
        }
    }

    #[test]
    fn builds_with_every_parameter() {
        let request = ListObjectVersions::new()
            .prefix("v/目录 a/")
            .delimiter("/")
            .key_marker("v/目录 a/x+y.txt")
            .version_id_marker("MTg0NDUxNTc1NjIzMTQ1MDAwODg")
            .max_keys(100)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/\
             ?versions=&prefix=v%2F%E7%9B%AE%E5%BD%95+a%2F&delimiter=%2F\
             &key-marker=v%2F%E7%9B%AE%E5%BD%95+a%2Fx%2By.txt&version-id-marker=MTg0NDUxNTc1NjIzMTQ1MDAwODg\
             &max-keys=100&encoding-type=url"
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
        // requests.json `list_objects_versions-defaults`.
        let request = ListObjectVersions::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().path(), "/");
        assert_eq!(
            request.uri().query(),
            Some(
                "versions=&prefix=&delimiter=&key-marker=&version-id-marker=&max-keys=1000&encoding-type=url"
            )
        );
        assert!(request.headers().get("content-length").is_none());
        // responses.json `list_objects_versions-mixed` request.
        let request = ListObjectVersions::new()
            .prefix("v/")
            .delimiter("/")
            .max_keys(4)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().query(),
            Some(
                "versions=&prefix=v%2F&delimiter=%2F&key-marker=&version-id-marker=&max-keys=4&encoding-type=url"
            )
        );
    }

    #[test]
    fn keeps_versions_and_delete_markers_in_document_order() {
        let op = ListObjectVersions::new()
            .prefix("v/")
            .delimiter("/")
            .max_keys(4);
        let out = parse(&op, MIXED).expect("parses");
        assert_eq!(out.name.as_deref(), Some("examplebucket-1250000000"));
        assert_eq!(out.encoding_type.as_deref(), Some("url"));
        assert_eq!(out.prefix.as_deref(), Some("v/"));
        // The reference leaves the delimiter encoded ('%2F'), a quirk: we decode it.
        assert_eq!(out.delimiter.as_deref(), Some("/"));
        assert_eq!(
            (out.key_marker.as_deref(), out.version_id_marker.as_deref()),
            (None, None)
        );
        assert_eq!(out.next_key_marker.as_deref(), Some("v/z z.txt"));
        assert_eq!(
            out.next_version_id_marker.as_deref(),
            Some("MTg0NDUxNTc1NjIzMTQ1MDAwODg")
        );
        assert_eq!(out.max_keys, Some(4));
        assert!(out.is_truncated);
        assert_eq!(out.common_prefixes, vec!["v/dir one/".to_owned()]);
        assert_eq!(out.request_id.as_deref(), Some("rid"));
        // The reference groups entries by element name; the interleaving is kept here.
        let order: Vec<(&str, &str, bool)> = out
            .entries
            .iter()
            .map(|e| {
                (
                    e.key(),
                    e.version_id(),
                    matches!(e, VersionEntry::DeleteMarker(_)),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("v/a b.txt", "MTg0NDUxNTc1NjIzMTQ1MDAwODg", false),
                ("v/中文.txt", "MTg0NDUxNTc1NjIzMTQ1MDAwOTk", true),
                ("v/中文.txt", "null", false),
            ]
        );
        let versions: Vec<&ObjectVersion> = out.versions().collect();
        assert_eq!(versions.len(), 2);
        assert!(versions[0].is_latest && !versions[1].is_latest);
        assert_eq!(versions[0].etag, "\"5d41402abc4b2a76b9719d911017c592\"");
        assert_eq!((versions[0].size, versions[1].size), (5, 0));
        assert_eq!(versions[0].storage_class, Some(StorageClass::Standard));
        assert_eq!(versions[1].storage_class, Some(StorageClass::StandardIa));
        assert_eq!(versions[1].last_modified, "2023-11-10T00:00:00.000Z");
        assert_eq!(
            versions[0].owner.as_ref().and_then(|o| o.id.as_deref()),
            Some("1250000000")
        );
        let markers: Vec<&DeleteMarkerEntry> = out.delete_markers().collect();
        assert_eq!(markers.len(), 1);
        assert!(markers[0].is_latest);
        assert_eq!(markers[0].last_modified, "2023-11-14T22:13:21.000Z");
        assert_eq!(
            markers[0]
                .owner
                .as_ref()
                .and_then(|o| o.display_name.as_deref()),
            Some("1250000000")
        );
        assert!(out.entries[1].is_latest());
        assert_eq!(out.entries[2].last_modified(), "2023-11-10T00:00:00.000Z");

        let next = op.next_page(&out).expect("truncated");
        assert_eq!(
            next,
            op.clone()
                .key_marker("v/z z.txt")
                .version_id_marker("MTg0NDUxNTc1NjIzMTQ1MDAwODg")
        );
    }

    #[test]
    fn parses_a_single_delete_marker_and_skips_unknown_elements() {
        // requests.json `list_objects_versions-defaults`, plus elements a newer COS may add.
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://www.qcloud.com/document/product/436/7751">
    <EncodingType>url</EncodingType>
    <Name>examplebucket-1250000000</Name>
    <Prefix/>
    <KeyMarker/>
    <VersionIdMarker/>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <FutureElement kind="x"><Nested>1</Nested></FutureElement>
    <DeleteMarker>
        <Key>gone%2Bfile.txt</Key>
        <VersionId>MTg0NDUxNTc1NjIzMTQ1MDAxMTE</VersionId>
        <IsLatest>true</IsLatest>
        <LastModified>2023-11-14T22:13:21.000Z</LastModified>
        <Owner>
            <ID>1250000000</ID>
            <DisplayName>1250000000</DisplayName>
        </Owner>
    </DeleteMarker>
</ListVersionsResult>"#;
        let op = ListObjectVersions::new();
        let out = parse(&op, body).expect("parses");
        assert_eq!(out.prefix, None);
        assert!(!out.is_truncated);
        assert_eq!(out.entries.len(), 1);
        assert_eq!(out.entries[0].key(), "gone+file.txt");
        assert_eq!(out.versions().count(), 0);
        assert_eq!(out.delete_markers().count(), 1);
        assert_eq!(op.next_page(&out), None);
    }

    #[test]
    fn next_page_falls_back_and_never_loops() {
        let op = ListObjectVersions::new().max_keys(2);
        assert_eq!(
            op.next_page(&page(false, Some(("k", Some("v"))), vec![], &[])),
            None
        );
        assert_eq!(
            op.next_page(&page(true, Some(("k", None)), vec![], &[])),
            Some(op.clone().key_marker("k"))
        );
        // No next markers: after the last entry in document order, or the later prefix.
        assert_eq!(
            op.next_page(&page(
                true,
                None,
                vec![marker("a", "v2"), marker("b", "v1")],
                &[]
            )),
            Some(op.clone().key_marker("b").version_id_marker("v1"))
        );
        assert_eq!(
            op.next_page(&page(true, None, vec![marker("a", "v2")], &["d/"])),
            Some(op.clone().key_marker("d/"))
        );
        assert_eq!(op.next_page(&page(true, None, vec![], &[])), None);
        // Same key: only moving to another version of it advances.
        let at = op.clone().key_marker("k").version_id_marker("v3");
        assert_eq!(
            at.next_page(&page(true, Some(("k", Some("v2"))), vec![], &[])),
            Some(op.clone().key_marker("k").version_id_marker("v2"))
        );
        assert_eq!(
            at.next_page(&page(true, Some(("k", Some("v3"))), vec![], &[])),
            None
        );
        assert_eq!(
            at.next_page(&page(true, Some(("a", Some("v9"))), vec![], &[])),
            None
        );
        let past_key = op.clone().key_marker("k");
        assert_eq!(
            past_key.next_page(&page(true, Some(("k", Some("v1"))), vec![], &[])),
            None
        );
    }

    #[test]
    fn errors_and_malformed_documents() {
        let op = ListObjectVersions::new();
        let err = op
            .parse_response(&url(), error_response(403, "AccessDenied"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((403, "AccessDenied"))
        );
        for body in [
            "",
            "<ListVersionsResult><Name>b</Name></ListVersionsResult>",
            "<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>k</Key></Version></ListVersionsResult>",
            "<ListVersionsResult><IsTruncated>false</IsTruncated><DeleteMarker><Key>k</Key><VersionId>v</VersionId>\
             <IsLatest>perhaps</IsLatest><LastModified>t</LastModified></DeleteMarker></ListVersionsResult>",
            "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
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
        for max_keys in [0, 1001] {
            assert!(matches!(
                ListObjectVersions::new()
                    .max_keys(max_keys)
                    .build_request(&config()),
                Err(Error::Input(InputError::InvalidArgument {
                    what: "max-keys",
                    ..
                }))
            ));
        }
    }

    proptest! {
        #[test]
        fn parse_response_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let resp = http::Response::builder().status(200).body(Bytes::from(body)).expect("response");
            let _ = ListObjectVersions::new().parse_response(&url(), resp);
        }

        #[test]
        fn parse_response_never_panics_on_near_documents(
            fields in proptest::collection::vec(
                ("(Key|Size|IsTruncated|Version|DeleteMarker|VersionId|IsLatest|CommonPrefixes|EncodingType|Owner)",
                 "[a-z0-9%<>/&;]{0,12}"),
                0..12,
            )
        ) {
            let mut body = String::from("<ListVersionsResult><EncodingType>url</EncodingType>");
            for (name, text) in &fields {
                body.push_str(&format!("<{name}>{text}</{name}>"));
            }
            body.push_str("</ListVersionsResult>");
            let resp = http::Response::builder().status(200).body(Bytes::from(body)).expect("response");
            let _ = ListObjectVersions::new().parse_response(&url(), resp);
        }
    }

    #[test]
    fn keep_url_encoding_returns_the_text_cos_sent() {
        let out = parse(&ListObjectVersions::new().keep_url_encoding(true), MIXED).expect("parses");
        assert_eq!(out.prefix.as_deref(), Some("v%2F"));
        let out = parse(&ListObjectVersions::new(), MIXED).expect("parses");
        assert_eq!(out.prefix.as_deref(), Some("v/"));
    }
}
