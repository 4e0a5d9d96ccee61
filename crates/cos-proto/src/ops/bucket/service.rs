//! GET Service (ListBuckets): the buckets of the account.

use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};

use super::common::wrapped_list;
use super::{BucketOwner, DocumentOutput};
use crate::Config;
use crate::error::{Error, InputError};
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::misc_common::parse_document;
use crate::ops::setters::extras_setters;
use crate::request::{Body, RequestBuilder};
use crate::{response, xml};

/// The page size the official SDK asks for when its caller gives none.
pub const DEFAULT_MAX_BUCKETS: u32 = 2000;

/// Which host answers GET Service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ServiceEndpoint {
    /// `service.cos.myqcloud.com` (`service.cos.tencentcos.cn` for a configuration on
    /// that domain): every region ([`Config::service_host`]).
    #[default]
    Global,
    /// `cos.<region>.myqcloud.com` of the configuration's region: the buckets of that
    /// region ([`Config::regional_service_host`]).
    Regional,
    /// A host of the caller's (the official SDK's `ServiceDomain`).
    Host(String),
}

/// How a creation-time filter compares (`range`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeRange {
    /// `lt`: created before the time.
    Before,
    /// `gt`: created after the time.
    After,
}

impl TimeRange {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeRange::Before => "lt",
            TimeRange::After => "gt",
        }
    }
}

/// Lists the account's buckets (GET Service).
///
/// The request names no bucket: any [`Config`] of the account works (its scheme, domain
/// and addressing are used, its bucket is not). The query is sent as the official SDK
/// sends it (`marker=` and `max-keys=2000` by default, then the filters) and, unlike the
/// SDK, signed.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::{ListBuckets, TimeRange}};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let list = ListBuckets::new().max_keys(10).region("ap-beijing").tag("env", "prod")
///     .created(1_700_000_000, TimeRange::After);
/// let request = list.build_request(&cfg).unwrap();
/// assert_eq!(request.headers()["host"], "service.cos.myqcloud.com");
/// assert_eq!(
///     request.uri().query(),
///     Some("marker=&max-keys=10&tagkey=env&tagvalue=prod&region=ap-beijing&create-time=1700000000&range=gt")
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ListBuckets {
    endpoint: ServiceEndpoint,
    marker: String,
    max_keys: u32,
    tag: Option<(String, String)>,
    region: Option<String>,
    created: Option<(u64, TimeRange)>,
    extras: Extras,
}

impl Default for ListBuckets {
    fn default() -> Self {
        Self::new()
    }
}

impl ListBuckets {
    extras_setters!(extras);

    /// The first page of every bucket, from the global endpoint.
    pub fn new() -> Self {
        Self {
            endpoint: ServiceEndpoint::Global,
            marker: String::new(),
            max_keys: DEFAULT_MAX_BUCKETS,
            tag: None,
            region: None,
            created: None,
            extras: Extras::default(),
        }
    }

    /// Which host to ask.
    pub fn endpoint(mut self, endpoint: ServiceEndpoint) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Starts after this bucket name (a previous page's `NextMarker`).
    pub fn marker(mut self, marker: impl Into<String>) -> Self {
        self.marker = marker.into();
        self
    }

    /// At most this many buckets per page (default [`DEFAULT_MAX_BUCKETS`]).
    pub fn max_keys(mut self, max_keys: u32) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// Only buckets carrying this tag (`tagkey`, `tagvalue`).
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tag = Some((key.into(), value.into()));
        self
    }

    /// Only buckets of this region (`region`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Only buckets created before or after `unix_seconds` (`create-time`, `range`).
    pub fn created(mut self, unix_seconds: u64, range: TimeRange) -> Self {
        self.created = Some((unix_seconds, range));
        self
    }

    fn host(&self, config: &Config) -> Result<String, InputError> {
        Ok(match &self.endpoint {
            ServiceEndpoint::Global => config.service_host(),
            ServiceEndpoint::Regional => config.regional_service_host(),
            ServiceEndpoint::Host(_) if config.path_bucket().is_some() => config.service_host(),
            ServiceEndpoint::Host(host) => {
                crate::config::check_endpoint(host)?;
                host.clone()
            }
        })
    }
}

/// A bucket of the listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketSummary {
    /// `Name`: `bucketname-appid`.
    #[serde(rename = "Name", default)]
    pub name: String,
    /// `Location`: the region.
    #[serde(rename = "Location", default)]
    pub location: String,
    /// `CreationDate` (ISO 8601).
    #[serde(rename = "CreationDate", default)]
    pub creation_date: String,
    /// `BucketType`: `cos`, `ofs`.
    #[serde(
        rename = "BucketType",
        default,
        deserialize_with = "xml::non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub bucket_type: Option<String>,
}

wrapped_list!(bucket_list, "Bucket");

/// A `ListAllMyBucketsResult` page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketList {
    /// `Owner`.
    #[serde(rename = "Owner", default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<BucketOwner>,
    /// `Buckets/Bucket`, in COS's order.
    #[serde(
        rename = "Buckets",
        default,
        with = "bucket_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub buckets: Vec<BucketSummary>,
    /// `Marker`.
    #[serde(
        rename = "Marker",
        default,
        deserialize_with = "xml::non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub marker: Option<String>,
    /// `IsTruncated`: another page follows.
    #[serde(
        rename = "IsTruncated",
        default,
        deserialize_with = "crate::ops::misc_common::de_flag",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub is_truncated: bool,
    /// `NextMarker`: the marker of the next page.
    #[serde(
        rename = "NextMarker",
        default,
        deserialize_with = "xml::non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_marker: Option<String>,
    /// `MaxKeys`.
    #[serde(rename = "MaxKeys", default, skip_serializing_if = "Option::is_none")]
    pub max_keys: Option<u32>,
}

/// The account's buckets (one page).
pub type ListBucketsOutput = DocumentOutput<BucketList>;

impl Operation for ListBuckets {
    type Output = ListBucketsOutput;
    const NAME: &'static str = "ListBuckets";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let mut b = RequestBuilder::service(Method::GET, self.host(config)?)
            .query("marker", self.marker.clone())
            .query("max-keys", self.max_keys.to_string());
        if let Some((key, value)) = &self.tag {
            b = b
                .query("tagkey", key.clone())
                .query("tagvalue", value.clone());
        }
        b = b.query_opt("region", self.region.clone());
        if let Some((time, range)) = self.created {
            b = b
                .query("create-time", time.to_string())
                .query("range", range.as_str());
        }
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ListBucketsOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let document = parse_document("ListAllMyBucketsResult", &response)?;
        Ok(DocumentOutput::new(document, &response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, error_response, response};
    use crate::{CosDomain, Scheme};

    #[test]
    fn builds_with_every_parameter() {
        let request = ListBuckets::new()
            .marker("a-1250000000")
            .max_keys(10)
            .tag("env", "prod")
            .region("ap-beijing")
            .created(1_700_000_000, TimeRange::Before)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().to_string(),
            "http://service.cos.myqcloud.com/?marker=a-1250000000&max-keys=10&tagkey=env\
             &tagvalue=prod&region=ap-beijing&create-time=1700000000&range=lt"
        );
        assert_eq!(request.headers().len(), 1, "only Host");
        // bucket/requests.json `list_buckets-defaults`: the query as sent, now signed.
        let request = ListBuckets::new().build_request(&config()).expect("builds");
        assert_eq!(request.uri().query(), Some("marker=&max-keys=2000"));
        let auth = crate::ops::misc_common::vector_authorization(request, 1_700_000_000);
        assert!(
            auth.contains("&q-url-param-list=marker;max-keys&"),
            "{auth}"
        );
    }

    #[test]
    fn hosts() {
        let host = |op: ListBuckets, cfg: &Config| {
            op.build_request(cfg).expect("builds").headers()["host"]
                .to_str()
                .expect("ascii")
                .to_owned()
        };
        let cfg = config();
        assert_eq!(host(ListBuckets::new(), &cfg), "service.cos.myqcloud.com");
        assert_eq!(
            host(ListBuckets::new().endpoint(ServiceEndpoint::Regional), &cfg),
            "cos.ap-guangzhou.myqcloud.com"
        );
        let custom = ListBuckets::new()
            .endpoint(ServiceEndpoint::Host("cos.ap-shanghai.myqcloud.com".into()));
        assert_eq!(host(custom, &cfg), "cos.ap-shanghai.myqcloud.com");
        let new_domain = Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .domain(CosDomain::TencentCos)
            .scheme(Scheme::Http)
            .build()
            .expect("valid");
        assert_eq!(
            host(ListBuckets::new(), &new_domain),
            "service.cos.tencentcos.cn"
        );
        let bad = ListBuckets::new().endpoint(ServiceEndpoint::Host("http://x/".into()));
        assert!(matches!(
            bad.build_request(&cfg),
            Err(Error::Input(InputError::InvalidEndpoint { .. }))
        ));
    }

    #[test]
    fn parses_a_page() {
        let url = "http://service.cos.myqcloud.com/".parse().expect("uri");
        // bucket/responses.json `list_buckets-three-truncated`, shortened.
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult>\
            <Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>\
            <Buckets><Bucket><Name>examplebucket-1250000000</Name><Location>ap-guangzhou</Location>\
            <CreationDate>2023-11-14T22:13:20Z</CreationDate><BucketType>cos</BucketType></Bucket>\
            <Bucket><Name>ofs-bucket-1250000000</Name><Location>ap-shanghai</Location>\
            <CreationDate>2024-03-01T12:30:45Z</CreationDate><BucketType>ofs</BucketType></Bucket></Buckets>\
            <Marker/><IsTruncated>true</IsTruncated><NextMarker>ofs-bucket-1250000000</NextMarker><MaxKeys>2</MaxKeys>\
            </ListAllMyBucketsResult>";
        let out = ListBuckets::new()
            .parse_response(&url, response(200, &[("x-cos-request-id", "r1")], body))
            .expect("parses");
        let page = out.document;
        assert_eq!(page.buckets.len(), 2);
        assert_eq!(page.buckets[1].name, "ofs-bucket-1250000000");
        assert_eq!(page.buckets[1].bucket_type.as_deref(), Some("ofs"));
        assert!(page.is_truncated);
        assert_eq!(page.marker, None);
        assert_eq!(page.next_marker.as_deref(), Some("ofs-bucket-1250000000"));
        assert_eq!(page.max_keys, Some(2));
        assert_eq!(
            page.owner.and_then(|o| o.display_name).as_deref(),
            Some("100000000001")
        );
        assert_eq!(out.request_id.as_deref(), Some("r1"));
        let empty =
            "<ListAllMyBucketsResult><Owner><ID>x</ID></Owner><Buckets/></ListAllMyBucketsResult>";
        let out = ListBuckets::new()
            .parse_response(&url, response(200, &[], empty))
            .expect("parses");
        assert!(out.document.buckets.is_empty());
    }

    #[test]
    fn reports_errors() {
        let url = "http://service.cos.myqcloud.com/".parse().expect("uri");
        let err = ListBuckets::new()
            .parse_response(&url, error_response(403, "AccessDenied"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((403, "AccessDenied"))
        );
        for body in [
            "<ListAllMyBucketsResult><MaxKeys>x</MaxKeys></ListAllMyBucketsResult>",
            "<Other/>",
            "<ListAllMyBucketsResult>",
        ] {
            assert!(
                ListBuckets::new()
                    .parse_response(&url, response(200, &[], body))
                    .is_err()
            );
        }
    }
}
