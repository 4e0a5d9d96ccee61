//! PUT / GET / DELETE Bucket lifecycle: rules that move and expire objects.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, delete_op, get_document_op, invalid, put_document_op};
use super::tagging::Tag;
use crate::error::InputError;
use crate::xml::{XmlWriter, non_empty};

/// A `LifecycleConfiguration` document: its rules, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleConfiguration {
    /// `Rule`.
    #[serde(rename = "Rule", default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<LifecycleRule>,
}

/// One lifecycle rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleRule {
    /// `ID`.
    #[serde(
        rename = "ID",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `Filter`: which objects (`<Filter/>`: all).
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<LifecycleFilter>,
    /// `Status`: `Enabled` or `Disabled`.
    #[serde(rename = "Status", default)]
    pub status: String,
    /// `Transition`: storage-class changes of current versions.
    #[serde(rename = "Transition", default, skip_serializing_if = "Vec::is_empty")]
    pub transitions: Vec<Transition>,
    /// `Expiration`: when current versions expire.
    #[serde(
        rename = "Expiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration: Option<Expiration>,
    /// `NoncurrentVersionTransition`.
    #[serde(
        rename = "NoncurrentVersionTransition",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub noncurrent_version_transitions: Vec<NoncurrentVersionTransition>,
    /// `NoncurrentVersionExpiration`.
    #[serde(
        rename = "NoncurrentVersionExpiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    /// `AbortIncompleteMultipartUpload`.
    #[serde(
        rename = "AbortIncompleteMultipartUpload",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub abort_incomplete_multipart_upload: Option<AbortIncompleteMultipartUpload>,
}

impl LifecycleRule {
    /// An `Enabled` rule for every object of the bucket, without actions yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            filter: Some(LifecycleFilter::default()),
            status: "Enabled".to_owned(),
            ..Self::default()
        }
    }
}

/// Which objects a rule applies to: a prefix, tags, or both under `And`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleFilter {
    /// `Prefix`.
    #[serde(
        rename = "Prefix",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub prefix: Option<String>,
    /// `Tag`: objects carrying all of these tags.
    #[serde(rename = "Tag", default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// `And`: a prefix and tags together.
    #[serde(rename = "And", default, skip_serializing_if = "Option::is_none")]
    pub and: Option<LifecycleAnd>,
}

impl LifecycleFilter {
    /// Objects whose key starts with `prefix`.
    pub fn prefix(prefix: impl Into<String>) -> Self {
        Self {
            prefix: Some(prefix.into()),
            ..Self::default()
        }
    }

    /// Objects carrying this tag.
    pub fn tag(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            tags: vec![Tag::new(key, value)],
            ..Self::default()
        }
    }
}

/// `And`: a prefix and tags an object must all match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleAnd {
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

/// When current versions expire: after days, at a date, or (versioned buckets) the
/// removal of delete markers left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiration {
    /// `Days` after creation.
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// `Date` (ISO 8601, midnight, e.g. `2024-12-31T00:00:00+08:00`).
    #[serde(
        rename = "Date",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<String>,
    /// `ExpiredObjectDeleteMarker`.
    #[serde(
        rename = "ExpiredObjectDeleteMarker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expired_object_delete_marker: Option<bool>,
}

impl Expiration {
    /// Expires objects `days` after their creation.
    pub fn after_days(days: u32) -> Self {
        Self {
            days: Some(days),
            ..Self::default()
        }
    }
}

/// A change of storage class of current versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// `Days` after creation.
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// `Date` (ISO 8601).
    #[serde(
        rename = "Date",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<String>,
    /// `StorageClass`: `STANDARD_IA`, `ARCHIVE`, `DEEP_ARCHIVE`, ...
    #[serde(rename = "StorageClass", default)]
    pub storage_class: String,
}

impl Transition {
    /// Moves objects to `storage_class` `days` after their creation.
    pub fn after_days(days: u32, storage_class: impl Into<String>) -> Self {
        Self {
            days: Some(days),
            date: None,
            storage_class: storage_class.into(),
        }
    }
}

/// A change of storage class of noncurrent versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoncurrentVersionTransition {
    /// `NoncurrentDays`: days after the version became noncurrent.
    #[serde(
        rename = "NoncurrentDays",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub noncurrent_days: Option<u32>,
    /// `StorageClass`.
    #[serde(rename = "StorageClass", default)]
    pub storage_class: String,
}

/// When noncurrent versions expire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoncurrentVersionExpiration {
    /// `NoncurrentDays`.
    #[serde(
        rename = "NoncurrentDays",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub noncurrent_days: Option<u32>,
}

/// When unfinished multipart uploads are aborted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbortIncompleteMultipartUpload {
    /// `DaysAfterInitiation`.
    #[serde(
        rename = "DaysAfterInitiation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub days_after_initiation: Option<u32>,
}

fn number(w: &mut XmlWriter, name: &str, value: Option<u32>) {
    if let Some(value) = value {
        w.element(name, &value.to_string());
    }
}

pub(crate) fn write_tags(w: &mut XmlWriter, tags: &[Tag]) -> Result<(), InputError> {
    for tag in tags {
        if tag.key.is_empty() {
            return Err(invalid("tag key", "is empty"));
        }
        w.open("Tag")
            .element("Key", &tag.key)
            .element("Value", &tag.value)
            .close("Tag");
    }
    Ok(())
}

impl LifecycleFilter {
    fn write(&self, w: &mut XmlWriter) -> Result<(), InputError> {
        w.open("Filter")
            .element_opt("Prefix", self.prefix.as_deref());
        write_tags(w, &self.tags)?;
        if let Some(and) = &self.and {
            w.open("And").element_opt("Prefix", and.prefix.as_deref());
            write_tags(w, &and.tags)?;
            w.close("And");
        }
        w.close("Filter");
        Ok(())
    }
}

impl LifecycleRule {
    fn write(&self, w: &mut XmlWriter) -> Result<(), InputError> {
        w.open("Rule").element_opt("ID", self.id.as_deref());
        if let Some(filter) = &self.filter {
            filter.write(w)?;
        }
        if !self.status.is_empty() {
            w.element("Status", &self.status);
        }
        for t in &self.transitions {
            w.open("Transition");
            number(w, "Days", t.days);
            w.element_opt("Date", t.date.as_deref())
                .element("StorageClass", &t.storage_class)
                .close("Transition");
        }
        if let Some(e) = &self.expiration {
            w.open("Expiration");
            number(w, "Days", e.days);
            w.element_opt("Date", e.date.as_deref());
            if let Some(flag) = e.expired_object_delete_marker {
                w.element(
                    "ExpiredObjectDeleteMarker",
                    if flag { "true" } else { "false" },
                );
            }
            w.close("Expiration");
        }
        for t in &self.noncurrent_version_transitions {
            w.open("NoncurrentVersionTransition");
            number(w, "NoncurrentDays", t.noncurrent_days);
            w.element("StorageClass", &t.storage_class)
                .close("NoncurrentVersionTransition");
        }
        if let Some(e) = &self.noncurrent_version_expiration {
            w.open("NoncurrentVersionExpiration");
            number(w, "NoncurrentDays", e.noncurrent_days);
            w.close("NoncurrentVersionExpiration");
        }
        if let Some(a) = &self.abort_incomplete_multipart_upload {
            w.open("AbortIncompleteMultipartUpload");
            number(w, "DaysAfterInitiation", a.days_after_initiation);
            w.close("AbortIncompleteMultipartUpload");
        }
        w.close("Rule");
        Ok(())
    }
}

impl RequestDocument for LifecycleConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        if self.rules.is_empty() {
            return Err(invalid("lifecycle configuration", "has no rule"));
        }
        let mut w = XmlWriter::new();
        w.open("LifecycleConfiguration");
        for rule in &self.rules {
            rule.write(&mut w)?;
        }
        w.close("LifecycleConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Replaces the bucket's lifecycle rules (sent with `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let mut rule = LifecycleRule::new("expire-tmp");
    /// rule.filter = Some(LifecycleFilter::prefix("tmp/"));
    /// rule.expiration = Some(Expiration::after_days(7));
    /// let put = PutBucketLifecycle::new(LifecycleConfiguration { rules: vec![rule] });
    /// let request = put.build_request(&cfg).unwrap();
    /// assert_eq!(request.uri().query(), Some("lifecycle="));
    /// assert_eq!(request.headers()["content-md5"], "UulNFBAFJHeGjX+szyjyyg==");
    /// ```
    PutBucketLifecycle,
    "PutBucketLifecycle",
    "lifecycle",
    Md5AndType,
    LifecycleConfiguration
);

get_document_op!(
    /// Reads the bucket's lifecycle rules (`404 NoSuchLifecycleConfiguration` when none).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketLifecycle};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketLifecycle::new().build_request(&cfg).unwrap().uri().query(), Some("lifecycle="));
    /// ```
    GetBucketLifecycle,
    "GetBucketLifecycle",
    "lifecycle",
    "LifecycleConfiguration" => LifecycleConfiguration
);

delete_op!(
    /// Removes every lifecycle rule of the bucket.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketLifecycle};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let request = DeleteBucketLifecycle::new().build_request(&cfg).unwrap();
    /// assert_eq!((request.method().as_str(), request.uri().query()), ("DELETE", Some("lifecycle=")));
    /// ```
    DeleteBucketLifecycle,
    "DeleteBucketLifecycle",
    "lifecycle"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::error::{Error, ResponseError};
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn every_element() -> LifecycleConfiguration {
        let mut rule = LifecycleRule::new("all");
        rule.filter = Some(LifecycleFilter {
            prefix: None,
            tags: vec![],
            and: Some(LifecycleAnd {
                prefix: Some("logs/".into()),
                tags: vec![Tag::new("a", "1"), Tag::new("b", "")],
            }),
        });
        rule.transitions = vec![
            Transition::after_days(30, "STANDARD_IA"),
            Transition {
                days: None,
                date: Some("2030-01-01T00:00:00+08:00".into()),
                storage_class: "ARCHIVE".into(),
            },
        ];
        rule.expiration = Some(Expiration {
            days: None,
            date: None,
            expired_object_delete_marker: Some(true),
        });
        rule.noncurrent_version_transitions = vec![NoncurrentVersionTransition {
            noncurrent_days: Some(10),
            storage_class: "STANDARD_IA".into(),
        }];
        rule.noncurrent_version_expiration = Some(NoncurrentVersionExpiration {
            noncurrent_days: Some(20),
        });
        rule.abort_incomplete_multipart_upload = Some(AbortIncompleteMultipartUpload {
            days_after_initiation: Some(7),
        });
        let mut tagged = LifecycleRule::new("tagged");
        tagged.filter = Some(LifecycleFilter::tag("class", "cold"));
        tagged.status = "Disabled".into();
        tagged.expiration = Some(Expiration::after_days(1));
        LifecycleConfiguration {
            rules: vec![rule, tagged],
        }
    }

    #[test]
    fn put_builds_every_element() {
        let request = PutBucketLifecycle::new(every_element())
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), http::Method::PUT);
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<LifecycleConfiguration><Rule><ID>all</ID><Filter><And><Prefix>logs/</Prefix>\
             <Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value></Value></Tag></And></Filter><Status>Enabled</Status>\
             <Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>\
             <Transition><Date>2030-01-01T00:00:00+08:00</Date><StorageClass>ARCHIVE</StorageClass></Transition>\
             <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>\
             <NoncurrentVersionTransition><NoncurrentDays>10</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition>\
             <NoncurrentVersionExpiration><NoncurrentDays>20</NoncurrentDays></NoncurrentVersionExpiration>\
             <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>\
             <Rule><ID>tagged</ID><Filter><Tag><Key>class</Key><Value>cold</Value></Tag></Filter><Status>Disabled</Status>\
             <Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"
        );
        assert_eq!(header(&request, "content-type"), "application/xml");
        assert!(matches!(
            PutBucketLifecycle::new(LifecycleConfiguration::default()).build_request(&config()),
            Err(Error::Input(_))
        ));
        let mut bad = every_element();
        bad.rules[1].filter = Some(LifecycleFilter::tag("", "v"));
        assert!(
            PutBucketLifecycle::new(bad)
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn get_parses_and_round_trips() {
        let url = "http://h/?lifecycle=".parse().expect("uri");
        let request = PutBucketLifecycle::new(every_element())
            .build_request(&config())
            .expect("builds");
        let body = body_text(&request);
        let out = GetBucketLifecycle::new()
            .parse_response(&url, response(200, &[("x-cos-request-id", "r1")], &body))
            .expect("parses");
        assert_eq!(out.document, every_element());
        assert_eq!(out.request_id.as_deref(), Some("r1"));
        // bucket/responses.json `get_bucket_lifecycle-three`, the third rule.
        let body = "<LifecycleConfiguration><Rule><ID>noncurrent</ID><Filter/><Status>Disabled</Status>\
            <NoncurrentVersionExpiration><NoncurrentDays>180</NoncurrentDays></NoncurrentVersionExpiration>\
            </Rule></LifecycleConfiguration>";
        let out = GetBucketLifecycle::new()
            .parse_response(&url, response(200, &[], body))
            .expect("parses");
        assert_eq!(
            out.document.rules[0].filter,
            Some(LifecycleFilter::default())
        );
        assert_eq!(
            out.document.rules[0].noncurrent_version_expiration,
            Some(NoncurrentVersionExpiration {
                noncurrent_days: Some(180)
            })
        );
        let bad = "<LifecycleConfiguration><Rule><Expiration><Days>x</Days></Expiration></Rule></LifecycleConfiguration>";
        assert!(matches!(
            GetBucketLifecycle::new().parse_response(&url, response(200, &[], bad)),
            Err(Error::Response(ResponseError::MalformedXml { .. }))
        ));
    }

    #[test]
    fn errors_and_delete() {
        let url = "http://h/?lifecycle=".parse().expect("uri");
        let err = GetBucketLifecycle::new()
            .parse_response(&url, error_response(404, "NoSuchLifecycleConfiguration"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| e.code()),
            Some("NoSuchLifecycleConfiguration")
        );
        let request = DeleteBucketLifecycle::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "content-length"), "0");
        let out = DeleteBucketLifecycle::new()
            .parse_response(&url, response(204, &[("x-cos-request-id", "r")], ""))
            .expect("parses");
        assert_eq!(out.request_id.as_deref(), Some("r"));
        assert!(
            DeleteBucketLifecycle::new()
                .parse_response(&url, error_response(403, "AccessDenied"))
                .is_err()
        );
    }
}
