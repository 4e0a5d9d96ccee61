//! The source of a copy (`x-cos-copy-source`), shared by PUT Object - Copy and
//! Upload Part - Copy, with the copy conditions and the result document both return.

use bytes::Bytes;
use serde::Deserialize;

use crate::config::Config;
use crate::encode::copy_source_encode;
use crate::error::{Error, InputError, ResponseError};
use crate::key::{MAX_KEY_LEN, simplify};
use crate::request::RequestBuilder;
use crate::response;
use crate::xml;

/// The object a copy reads: a bucket, a key, where the bucket lives (a region or an
/// endpoint), and optionally a version.
///
/// It travels as `x-cos-copy-source: <bucket[-appid]>.<endpoint>/<encoded key>[?versionId=<id>]`
/// (see [`CopySource::header_value`]). Nothing is checked until the request is built.
///
/// ```
/// use cos_proto::{Config, ops::CopySource};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let source = CopySource::new("src-1250000000", "dir/中文 a+b.txt", "ap-beijing").version_id("v1");
/// assert_eq!(
///     source.header_value(&cfg).unwrap(),
///     "src-1250000000.cos.ap-beijing.myqcloud.com/dir/%E4%B8%AD%E6%96%87%20a%2Bb.txt?versionId=v1"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct CopySource {
    bucket: String,
    key: String,
    region: String,
    endpoint: Option<String>,
    appid: Option<String>,
    version_id: Option<String>,
}

impl CopySource {
    /// Copies `key` of `bucket` (`bucketname-appid`, or set [`CopySource::appid`]) in
    /// `region` (`ap-beijing`, or a legacy alias). Pass an empty region only together with
    /// [`CopySource::endpoint`].
    pub fn new(
        bucket: impl Into<String>,
        key: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        Self {
            bucket: bucket.into(),
            key: key.into(),
            region: region.into(),
            endpoint: None,
            appid: None,
            version_id: None,
        }
    }

    /// Copies `key` of the bucket that `config` addresses, at the same endpoint (for
    /// example to change an object's metadata or storage class in place).
    pub fn in_config(config: &Config, key: impl Into<String>) -> Self {
        Self {
            bucket: config.bucket().to_owned(),
            key: key.into(),
            region: config.region().to_owned(),
            endpoint: Some(config.endpoint()),
            appid: None,
            version_id: None,
        }
    }

    /// Names the source's endpoint (`cos.ap-shanghai.myqcloud.com`) instead of deriving it
    /// from the region; it takes precedence over the region.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Appends `-<appid>` to the bucket name unless it already ends with it.
    pub fn appid(mut self, appid: impl Into<String>) -> Self {
        self.appid = Some(appid.into());
        self
    }

    /// Copies this version of the source (appended as `?versionId=`, unencoded, as COS
    /// expects). An empty id means the current version.
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// The source bucket as given (without an appid set with [`CopySource::appid`]).
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The source key as given.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The version named with [`CopySource::version_id`], if any.
    pub fn version(&self) -> Option<&str> {
        self.version_id.as_deref().filter(|v| !v.is_empty())
    }

    /// Where requests about the source itself go (a HEAD before a multipart copy, the
    /// DELETE of a move): `dest` re-pointed at the source's bucket and region (or
    /// endpoint). A path-style or IP configuration keeps its address.
    pub fn config(&self, dest: &Config) -> Result<Config, InputError> {
        let bucket = self.bucket_name(dest)?;
        dest.for_source(&bucket, &self.region, self.endpoint.as_deref())
    }

    /// The HEAD of the source (its version, when one is named).
    pub fn head_object(&self) -> super::HeadObject {
        let head = super::HeadObject::new(self.key.clone());
        match self.version() {
            Some(v) => head.version_id(v),
            None => head,
        }
    }

    /// The `x-cos-copy-source` value for a copy whose destination is configured by `dest`:
    /// `<bucket>.<endpoint>/<key>[?versionId=<id>]`, without a scheme. The endpoint is the
    /// one given, else the source region's endpoint in the destination's domain family
    /// (`myqcloud.com`, `tencentcos.cn`, internal), as the official SDK builds it. One
    /// leading `/` of the key is dropped and the rest percent-encoded
    /// ([`crate::encode::copy_source_encode`]).
    ///
    /// Fails when the bucket or appid is invalid, the key is empty, longer than 850 bytes
    /// or names the bucket root, the region is invalid, or neither a region nor an
    /// endpoint is given.
    pub fn header_value(&self, dest: &Config) -> Result<String, InputError> {
        let bucket = self.bucket_name(dest)?;
        check_source_key(&self.key)?;
        let endpoint = self.source_endpoint(dest)?;
        let mut value = format!("{bucket}.{endpoint}/{}", copy_source_encode(&self.key));
        if let Some(version_id) = self.version_id.as_deref().filter(|v| !v.is_empty()) {
            value.push_str("?versionId=");
            value.push_str(version_id);
        }
        Ok(value)
    }

    /// Writes `x-cos-copy-source`.
    pub(super) fn apply(
        &self,
        b: RequestBuilder,
        dest: &Config,
    ) -> Result<RequestBuilder, InputError> {
        b.header_static("x-cos-copy-source", &self.header_value(dest)?)
    }

    fn bucket_name(&self, dest: &Config) -> Result<String, InputError> {
        let mut name = self.bucket.clone();
        if let Some(appid) = &self.appid {
            if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InputError::InvalidBucket {
                    bucket: self.bucket.clone(),
                    reason: "the appid must be decimal digits",
                });
            }
            let suffix = format!("-{appid}");
            if !name.ends_with(&suffix) {
                name.push_str(&suffix);
            }
        }
        Ok(dest.with_bucket(&name)?.bucket().to_owned())
    }

    fn source_endpoint(&self, dest: &Config) -> Result<String, InputError> {
        if let Some(endpoint) = self.endpoint.as_deref().filter(|e| !e.is_empty()) {
            crate::config::check_endpoint(endpoint)?;
            return Ok(endpoint.to_owned());
        }
        if self.region.is_empty() {
            return Err(InputError::InvalidArgument {
                what: "copy source",
                reason: "needs a region or an endpoint".to_owned(),
            });
        }
        // The destination's domain family (the official SDK's EnableOldDomain and
        // EnableInternalDomain flags).
        dest.endpoint_in_region(&self.region)
    }
}

/// The source key must name an object: not empty, at most 850 bytes, not the bucket root.
/// Dot segments are allowed: the header is not a URL path that proxies normalise.
fn check_source_key(key: &str) -> Result<(), InputError> {
    if key.is_empty() {
        return Err(InputError::EmptyKey);
    }
    if key.len() > MAX_KEY_LEN {
        return Err(InputError::KeyTooLong { len: key.len() });
    }
    if simplify(key) == "/" {
        return Err(InputError::KeyResolvesToBucket {
            key: key.to_owned(),
        });
    }
    Ok(())
}

/// The `x-cos-copy-source-If-*` conditions on the source of a copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct CopySourceConditions {
    pub(super) if_match: Option<String>,
    pub(super) if_none_match: Option<String>,
    pub(super) if_modified_since: Option<String>,
    pub(super) if_unmodified_since: Option<String>,
}

impl CopySourceConditions {
    pub(super) fn apply(&self, b: RequestBuilder) -> Result<RequestBuilder, InputError> {
        b.header_opt("x-cos-copy-source-if-match", self.if_match.as_deref())?
            .header_opt(
                "x-cos-copy-source-if-none-match",
                self.if_none_match.as_deref(),
            )?
            .header_opt(
                "x-cos-copy-source-if-modified-since",
                self.if_modified_since.as_deref(),
            )?
            .header_opt(
                "x-cos-copy-source-if-unmodified-since",
                self.if_unmodified_since.as_deref(),
            )
    }
}

/// Setters for a [`CopySourceConditions`] field.
macro_rules! copy_condition_setters {
    ($field:ident) => {
        /// Copies only if the source's ETag matches (`x-cos-copy-source-If-Match`);
        /// otherwise COS answers 412.
        pub fn copy_source_if_match(mut self, etag: impl Into<String>) -> Self {
            self.$field.if_match = Some(etag.into());
            self
        }
        /// Copies only if the source's ETag differs (`x-cos-copy-source-If-None-Match`).
        pub fn copy_source_if_none_match(mut self, etag: impl Into<String>) -> Self {
            self.$field.if_none_match = Some(etag.into());
            self
        }
        /// Copies only if the source changed after this HTTP date
        /// (`x-cos-copy-source-If-Modified-Since`).
        pub fn copy_source_if_modified_since(mut self, date: impl Into<String>) -> Self {
            self.$field.if_modified_since = Some(date.into());
            self
        }
        /// Copies only if the source did not change after this HTTP date
        /// (`x-cos-copy-source-If-Unmodified-Since`).
        pub fn copy_source_if_unmodified_since(mut self, date: impl Into<String>) -> Self {
            self.$field.if_unmodified_since = Some(date.into());
            self
        }
    };
}

pub(super) use copy_condition_setters;

/// `CopyObjectResult` / `CopyPartResult`: the same four elements.
#[derive(Debug, Default, Deserialize)]
struct CopyResultDocument {
    #[serde(rename = "ETag", default, deserialize_with = "xml::non_empty")]
    etag: Option<String>,
    #[serde(rename = "LastModified", default, deserialize_with = "xml::non_empty")]
    last_modified: Option<String>,
    #[serde(rename = "CRC64", default, deserialize_with = "xml::non_empty")]
    crc64: Option<String>,
    #[serde(rename = "VersionId", default, deserialize_with = "xml::non_empty")]
    version_id: Option<String>,
}

/// What the body of a successful copy says.
#[derive(Debug)]
pub(super) struct CopyResult {
    pub(super) etag: String,
    pub(super) last_modified: Option<String>,
    pub(super) crc64: Option<u64>,
    pub(super) version_id: Option<String>,
}

/// Reads the result document of a copy whose status was already checked: an `<Error>`
/// document or a document without `ETag` is a [`crate::ServiceError`] (COS failed after
/// sending `200`); the CRC falls back to the `x-cos-hash-crc64ecma` header.
pub(super) fn parse_copy_result(
    document: &'static str,
    response: &http::Response<Bytes>,
) -> Result<CopyResult, Error> {
    response::check_error_in_200(response)?;
    if response.body().trim_ascii().is_empty() {
        return Err(response::missing_etag_in_200(response));
    }
    let doc: CopyResultDocument = xml::parse(document, response.body())?;
    let Some(etag) = doc.etag else {
        return Err(response::missing_etag_in_200(response));
    };
    let crc64 = match doc.crc64 {
        Some(text) => Some(
            parse_decimal(&text).ok_or_else(|| ResponseError::InvalidField {
                field: "CRC64",
                reason: format!("not an unsigned decimal number: {text:?}"),
            })?,
        ),
        None => response::crc64_header(response.headers())?,
    };
    Ok(CopyResult {
        etag,
        last_modified: doc.last_modified,
        crc64,
        version_id: doc.version_id,
    })
}

fn parse_decimal(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, response};

    fn dest(builder: crate::ConfigBuilder) -> Config {
        builder.build().expect("valid config")
    }

    #[test]
    fn header_values_match_the_reference() {
        // signature.json copy-object-chinese-source
        let source = CopySource::new("sourcebucket-1250000000", "/源 文件.txt", "ap-beijing")
            .version_id("MTg0NDUx");
        assert_eq!(
            source.header_value(&config()).expect("valid"),
            "sourcebucket-1250000000.cos.ap-beijing.myqcloud.com/%E6%BA%90%20%E6%96%87%E4%BB%B6.txt?versionId=MTg0NDUx"
        );
        // requests.json copy_object-appid-endpoint
        let source = CopySource::new("src", "/a/b c.txt", "")
            .appid("1250000000")
            .endpoint("cos.ap-shanghai.myqcloud.com");
        assert_eq!(
            source.header_value(&config()).expect("valid"),
            "src-1250000000.cos.ap-shanghai.myqcloud.com/a/b%20c.txt"
        );
        // reference §1.10 V7: no `./` substitution, `+` encoded, version id unencoded.
        let source =
            CopySource::new("src-1250000000", "/dir/中文 a+b.txt", "ap-beijing").version_id("v1");
        assert_eq!(
            source.header_value(&config()).expect("valid"),
            "src-1250000000.cos.ap-beijing.myqcloud.com/dir/%E4%B8%AD%E6%96%87%20a%2Bb.txt?versionId=v1"
        );
        let source = CopySource::new("src-1250000000", "a/./b", "cosbj").version_id("");
        assert_eq!(
            source.header_value(&config()).expect("valid"),
            "src-1250000000.cos.ap-beijing.myqcloud.com/a/./b"
        );
    }

    #[test]
    fn the_endpoint_follows_the_destination_domain() {
        let source = CopySource::new("src-1250000000", "k", "ap-beijing");
        let b = "examplebucket-1250000000";
        let tencent = dest(Config::builder("ap-guangzhou", b).domain(crate::CosDomain::TencentCos));
        assert_eq!(
            source.header_value(&tencent).expect("valid"),
            "src-1250000000.cos.ap-beijing.tencentcos.cn/k"
        );
        let internal = dest(Config::builder("ap-guangzhou", b).internal());
        assert_eq!(
            source.header_value(&internal).expect("valid"),
            "src-1250000000.cos-internal.ap-beijing.tencentcos.cn/k"
        );
        let accelerate = dest(Config::builder("ap-guangzhou", b).accelerate());
        assert_eq!(
            source.header_value(&accelerate).expect("valid"),
            "src-1250000000.cos.ap-beijing.myqcloud.com/k"
        );
        let legacy = CopySource::new("src-1250000000", "k", "cn-north");
        assert_eq!(
            legacy.header_value(&config()).expect("valid"),
            "src-1250000000.cn-north.myqcloud.com/k"
        );
        // The endpoint wins over the region.
        let both = CopySource::new("src-1250000000", "k", "ap-beijing")
            .endpoint("cos.ap-chengdu.myqcloud.com");
        assert_eq!(
            both.header_value(&config()).expect("valid"),
            "src-1250000000.cos.ap-chengdu.myqcloud.com/k"
        );
    }

    #[test]
    fn in_config_names_the_configured_bucket() {
        let cfg = dest(
            Config::builder("ap-guangzhou", "examplebucket-1250000000")
                .domain(crate::CosDomain::TencentCos),
        );
        let source = CopySource::in_config(&cfg, "dir/a b.txt").version_id("v2");
        assert_eq!(
            source.header_value(&cfg).expect("valid"),
            "examplebucket-1250000000.cos.ap-guangzhou.tencentcos.cn/dir/a%20b.txt?versionId=v2"
        );
        assert_eq!(
            (source.bucket(), source.key()),
            ("examplebucket-1250000000", "dir/a b.txt")
        );
        let custom = dest(
            Config::builder("ap-guangzhou", "examplebucket-1250000000").endpoint("cos.example.com"),
        );
        assert_eq!(
            CopySource::in_config(&custom, "k")
                .header_value(&custom)
                .expect("valid"),
            "examplebucket-1250000000.cos.example.com/k"
        );
    }

    #[test]
    fn invalid_sources_are_typed_errors() {
        let cfg = config();
        let value = |s: CopySource| s.header_value(&cfg);
        assert!(matches!(
            value(CopySource::new("", "k", "ap-beijing")),
            Err(InputError::InvalidBucket { .. })
        ));
        assert!(matches!(
            value(CopySource::new("noappid", "k", "ap-beijing")),
            Err(InputError::InvalidBucket { .. })
        ));
        assert!(matches!(
            value(CopySource::new("src", "k", "ap-beijing").appid("12x")),
            Err(InputError::InvalidBucket { .. })
        ));
        assert!(matches!(
            value(CopySource::new("Src-1250000000", "k", "ap-beijing")),
            Err(InputError::InvalidBucket { .. })
        ));
        assert_eq!(
            value(CopySource::new("src-1250000000", "", "ap-beijing")),
            Err(InputError::EmptyKey)
        );
        assert!(matches!(
            value(CopySource::new("src-1250000000", "/", "ap-beijing")),
            Err(InputError::KeyResolvesToBucket { .. })
        ));
        assert!(matches!(
            value(CopySource::new(
                "src-1250000000",
                "a".repeat(851),
                "ap-beijing"
            )),
            Err(InputError::KeyTooLong { len: 851 })
        ));
        assert!(matches!(
            value(CopySource::new("src-1250000000", "k", "")),
            Err(InputError::InvalidArgument {
                what: "copy source",
                ..
            })
        ));
        assert!(matches!(
            value(CopySource::new("src-1250000000", "k", "ap beijing")),
            Err(InputError::InvalidRegion { .. })
        ));
        assert!(matches!(
            value(CopySource::new("src-1250000000", "k", "").endpoint("https://x.com/")),
            Err(InputError::InvalidEndpoint { .. })
        ));
    }

    #[test]
    fn copy_results_are_read_and_checked() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">\n    \
                    <ETag>&quot;5d41&quot;</ETag>\n    <CRC64>11177612005948864433</CRC64>\n    \
                    <LastModified>2023-11-14T22:13:20Z</LastModified>\n    <VersionId>MTg0</VersionId>\n</CopyObjectResult>";
        let result =
            parse_copy_result("CopyObjectResult", &response(200, &[], body)).expect("parses");
        assert_eq!(result.etag, "\"5d41\"");
        assert_eq!(result.crc64, Some(11_177_612_005_948_864_433));
        assert_eq!(
            result.last_modified.as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(result.version_id.as_deref(), Some("MTg0"));
        let header_crc = response(
            200,
            &[("x-cos-hash-crc64ecma", "7")],
            "<CopyPartResult><ETag>\"e\"</ETag></CopyPartResult>",
        );
        assert_eq!(
            parse_copy_result("CopyPartResult", &header_crc)
                .expect("parses")
                .crc64,
            Some(7)
        );
        let bad_crc = response(
            200,
            &[],
            "<CopyPartResult><ETag>e</ETag><CRC64>-1</CRC64></CopyPartResult>",
        );
        assert!(matches!(
            parse_copy_result("CopyPartResult", &bad_crc),
            Err(Error::Response(ResponseError::InvalidField {
                field: "CRC64",
                ..
            }))
        ));
        for body in [
            "",
            "  \n",
            "<CopyPartResult><LastModified>x</LastModified></CopyPartResult>",
        ] {
            let err = parse_copy_result("CopyPartResult", &response(200, &[], body))
                .expect_err("no etag");
            assert_eq!(err.service_error().map(|e| e.status), Some(200), "{body:?}");
        }
        let truncated = response(200, &[], "<CopyPartResult><ETag>e</ETa");
        assert!(matches!(
            parse_copy_result("CopyPartResult", &truncated),
            Err(Error::Response(ResponseError::MalformedXml { .. }))
        ));
    }
}
