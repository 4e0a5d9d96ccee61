//! Bucket intelligent tiering: the bucket-wide v1 switch (`?intelligenttiering=`) and
//! the v2 named configurations (`?intelligent-tiering&id=`).
//!
//! The v2 sub-resource is sent as COS documents it, a bare `?intelligent-tiering`
//! without `=`, and signed like every other parameter (the official SDK leaves it out
//! of the signature).

use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};

use super::DocumentOutput;
use super::common::{
    RequestDocument, get_document_op, invalid, put_document_op, write_document_op,
};
use super::lifecycle::write_tags;
use super::tagging::Tag;
use crate::Config;
use crate::error::{Error, InputError};
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::misc_common::parse_document;
use crate::ops::setters::extras_setters;
use crate::request::RequestBuilder;
use crate::response;
use crate::xml::{XmlWriter, non_empty};

/// The v1 `IntelligentTieringConfiguration` document: one switch for the bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelligentTieringConfiguration {
    /// `Status`: `Enabled` (it cannot be turned off once on).
    #[serde(rename = "Status", default)]
    pub status: String,
    /// `Transition`.
    #[serde(
        rename = "Transition",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub transition: Option<TieringTransition>,
}

/// When objects move to the infrequent tier (v1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieringTransition {
    /// `Days` without access.
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// `RequestFrequent`: accesses within the days that keep an object frequent.
    #[serde(
        rename = "RequestFrequent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_frequent: Option<u32>,
}

fn number(w: &mut XmlWriter, name: &str, value: Option<u32>) {
    if let Some(value) = value {
        w.element(name, &value.to_string());
    }
}

impl RequestDocument for IntelligentTieringConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        let mut w = XmlWriter::new();
        w.open("IntelligentTieringConfiguration")
            .element("Status", &self.status);
        if let Some(t) = &self.transition {
            w.open("Transition");
            number(&mut w, "Days", t.days);
            number(&mut w, "RequestFrequent", t.request_frequent);
            w.close("Transition");
        }
        w.close("IntelligentTieringConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Turns intelligent tiering on for the bucket (v1; sent with `Content-Type` but no
    /// `Content-MD5`, as the official SDK sends it).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let put = PutBucketIntelligentTiering::new(IntelligentTieringConfiguration {
    ///     status: "Enabled".into(),
    ///     transition: Some(TieringTransition { days: Some(30), request_frequent: Some(1) }),
    /// });
    /// assert_eq!(put.build_request(&cfg).unwrap().uri().query(), Some("intelligenttiering="));
    /// ```
    PutBucketIntelligentTiering,
    "PutBucketIntelligentTiering",
    "intelligenttiering",
    TypeOnly,
    IntelligentTieringConfiguration
);

get_document_op!(
    /// Reads the bucket's intelligent tiering switch (v1).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketIntelligentTiering};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketIntelligentTiering::new().build_request(&cfg).unwrap().uri().query(), Some("intelligenttiering="));
    /// ```
    GetBucketIntelligentTiering,
    "GetBucketIntelligentTiering",
    "intelligenttiering",
    "IntelligentTieringConfiguration" => IntelligentTieringConfiguration
);

/// A v2 intelligent tiering configuration (also an `IntelligentTieringConfiguration`
/// element): a named rule with a filter and tiers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieringConfiguration {
    /// `Id` (also the `id` parameter).
    #[serde(rename = "Id", default)]
    pub id: String,
    /// `Status`: `Enabled` or `Disabled`.
    #[serde(rename = "Status", default)]
    pub status: String,
    /// `Filter`.
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<TieringFilter>,
    /// `Tiering`, one per access tier.
    #[serde(rename = "Tiering", default, skip_serializing_if = "Vec::is_empty")]
    pub tierings: Vec<Tiering>,
}

/// `Filter` of a v2 configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieringFilter {
    /// `And`: a prefix and tags.
    #[serde(rename = "And", default, skip_serializing_if = "Option::is_none")]
    pub and: Option<TieringAnd>,
}

/// `And` of a v2 filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieringAnd {
    /// `Prefix`.
    #[serde(
        rename = "Prefix",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub prefix: Option<String>,
    /// `Tag`.
    #[serde(rename = "Tag", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// A tier of a v2 configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tiering {
    /// `AccessTier`: `INFREQUENT`, `ARCHIVE_ACCESS`, `DEEP_ARCHIVE_ACCESS`.
    #[serde(rename = "AccessTier", default)]
    pub access_tier: String,
    /// `Days` without access.
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// `RequestFrequent`.
    #[serde(
        rename = "RequestFrequent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_frequent: Option<u32>,
}

impl RequestDocument for TieringConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        check_id(&self.id)?;
        let mut w = XmlWriter::new();
        w.open("IntelligentTieringConfiguration")
            .element("Id", &self.id)
            .element("Status", &self.status);
        if let Some(filter) = &self.filter {
            w.open("Filter");
            if let Some(and) = &filter.and {
                w.open("And").element_opt("Prefix", and.prefix.as_deref());
                write_tags(&mut w, &and.tags)?;
                w.close("And");
            }
            w.close("Filter");
        }
        for t in &self.tierings {
            w.open("Tiering").element("AccessTier", &t.access_tier);
            number(&mut w, "Days", t.days);
            number(&mut w, "RequestFrequent", t.request_frequent);
            w.close("Tiering");
        }
        w.close("IntelligentTieringConfiguration");
        Ok(w.finish())
    }
}

fn check_id(id: &str) -> Result<(), InputError> {
    if id.is_empty() {
        return Err(invalid("intelligent tiering id", "is empty"));
    }
    Ok(())
}

fn tiering_request(method: Method, id: Option<&str>) -> Result<RequestBuilder, InputError> {
    let b = RequestBuilder::bucket(method).query_bare("intelligent-tiering");
    match id {
        Some(id) => {
            check_id(id)?;
            Ok(b.query("id", id))
        }
        None => Ok(b),
    }
}

write_document_op!(
    /// Creates or replaces the v2 configuration named by its `Id` (sent with
    /// `Content-Type` but no `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let tiering = TieringConfiguration {
    ///     id: "default".into(),
    ///     status: "Enabled".into(),
    ///     filter: None,
    ///     tierings: vec![Tiering { access_tier: "INFREQUENT".into(), days: Some(30), request_frequent: Some(1) }],
    /// };
    /// let request = PutBucketIntelligentTieringConfiguration::new(tiering).build_request(&cfg).unwrap();
    /// assert_eq!(request.uri().query(), Some("intelligent-tiering&id=default"));
    /// ```
    PutBucketIntelligentTieringConfiguration, "PutBucketIntelligentTieringConfiguration", PUT,
    TypeOnly, TieringConfiguration,
    "Writes `configuration` under its `id`.",
    |c: &TieringConfiguration| tiering_request(Method::PUT, Some(&c.id))
);

/// Reads one v2 configuration.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::GetBucketIntelligentTieringConfiguration};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = GetBucketIntelligentTieringConfiguration::new("default").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("intelligent-tiering&id=default"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct GetBucketIntelligentTieringConfiguration {
    id: String,
    extras: Extras,
}

impl GetBucketIntelligentTieringConfiguration {
    extras_setters!(extras);

    /// Reads the configuration named `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            extras: Extras::default(),
        }
    }
}

impl Operation for GetBucketIntelligentTieringConfiguration {
    type Output = DocumentOutput<TieringConfiguration>;
    const NAME: &'static str = "GetBucketIntelligentTieringConfiguration";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(tiering_request(Method::GET, Some(&self.id))?
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<Self::Output, Error> {
        response::check(&Method::GET, url, &response)?;
        let document = parse_document("IntelligentTieringConfiguration", &response)?;
        Ok(DocumentOutput::new(document, &response))
    }
}

/// Every v2 configuration of the bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieringConfigurationList {
    /// `IntelligentTieringConfiguration`, always a list.
    #[serde(
        rename = "IntelligentTieringConfiguration",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub configurations: Vec<TieringConfiguration>,
}

/// Lists the bucket's v2 configurations.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::ListBucketIntelligentTieringConfigurations};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = ListBucketIntelligentTieringConfigurations::new().build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("intelligent-tiering"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ListBucketIntelligentTieringConfigurations {
    extras: Extras,
}

impl ListBucketIntelligentTieringConfigurations {
    extras_setters!(extras);

    /// Lists the configurations of the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Operation for ListBucketIntelligentTieringConfigurations {
    type Output = DocumentOutput<TieringConfigurationList>;
    const NAME: &'static str = "ListBucketIntelligentTieringConfigurations";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(tiering_request(Method::GET, None)?
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<Self::Output, Error> {
        response::check(&Method::GET, url, &response)?;
        let document = parse_document(
            "ListBucketIntelligentTieringConfigurationsOutput",
            &response,
        )?;
        Ok(DocumentOutput::new(document, &response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn v2() -> TieringConfiguration {
        TieringConfiguration {
            id: "archive".into(),
            status: "Enabled".into(),
            filter: Some(TieringFilter {
                and: Some(TieringAnd {
                    prefix: Some("cold/".into()),
                    tags: vec![Tag::new("k", "v")],
                }),
            }),
            tierings: vec![Tiering {
                access_tier: "ARCHIVE_ACCESS".into(),
                days: Some(91),
                request_frequent: None,
            }],
        }
    }

    #[test]
    fn v1_builds_and_parses() {
        let doc = IntelligentTieringConfiguration {
            status: "Enabled".into(),
            transition: Some(TieringTransition {
                days: Some(30),
                request_frequent: Some(1),
            }),
        };
        let request = PutBucketIntelligentTiering::new(doc.clone())
            .build_request(&config())
            .expect("builds");
        // bucket/requests.json `put_bucket_intelligenttiering`.
        assert_eq!(header(&request, "content-length"), "206");
        assert_eq!(header(&request, "content-type"), "application/xml");
        assert!(request.headers().get("content-md5").is_none());
        let url = "http://h/?intelligenttiering=".parse().expect("uri");
        let out = GetBucketIntelligentTiering::new()
            .parse_response(&url, response(200, &[], &body_text(&request)))
            .expect("parses");
        assert_eq!(out.document, doc);
    }

    #[test]
    fn v2_builds_signs_and_parses() {
        let request = PutBucketIntelligentTieringConfiguration::new(v2())
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().query(),
            Some("intelligent-tiering&id=archive")
        );
        assert!(body_text(&request).contains("<Filter><And><Prefix>cold/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>"));
        // bucket/requests.json `get_bucket_intelligenttiering_v2`: the sub-resource is
        // signed (the reference signs only `id`).
        let request = GetBucketIntelligentTieringConfiguration::new("default")
            .build_request(&config())
            .expect("builds");
        let auth = crate::ops::misc_common::vector_authorization(request, 1_700_000_000);
        assert!(
            auth.contains("&q-url-param-list=id;intelligent-tiering&"),
            "{auth}"
        );
        assert!(
            GetBucketIntelligentTieringConfiguration::new("")
                .build_request(&config())
                .is_err()
        );
        let url = "http://h/?intelligent-tiering".parse().expect("uri");
        let body = body_text(
            &PutBucketIntelligentTieringConfiguration::new(v2())
                .build_request(&config())
                .expect("builds"),
        );
        let out = GetBucketIntelligentTieringConfiguration::new("archive")
            .parse_response(&url, response(200, &[], &body))
            .expect("parses");
        assert_eq!(out.document, v2());
        let inner = body.trim_start_matches("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        let list = format!(
            "<ListBucketIntelligentTieringConfigurationsOutput>{inner}</ListBucketIntelligentTieringConfigurationsOutput>"
        );
        let out = ListBucketIntelligentTieringConfigurations::new()
            .parse_response(&url, response(200, &[], &list))
            .expect("parses");
        assert_eq!(out.document.configurations, vec![v2()]);
        assert!(
            ListBucketIntelligentTieringConfigurations::new()
                .parse_response(&url, error_response(404, "NoSuchConfiguration"))
                .is_err()
        );
        assert!(
            PutBucketIntelligentTieringConfiguration::new(v2())
                .parse_response(&url, response(200, &[], ""))
                .is_ok()
        );
    }
}
