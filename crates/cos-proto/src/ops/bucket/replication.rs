//! PUT / GET / DELETE Bucket replication: cross-region replication rules.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, delete_op, get_document_op, invalid, put_document_op};
use crate::error::InputError;
use crate::xml::{XmlWriter, non_empty};

/// A `ReplicationConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationConfiguration {
    /// `Role`: the CAM role COS replicates as.
    #[serde(rename = "Role", default)]
    pub role: String,
    /// `Rule`, in order.
    #[serde(rename = "Rule", default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ReplicationRule>,
}

/// One replication rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationRule {
    /// `ID`.
    #[serde(
        rename = "ID",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `Status`: `Enabled` or `Disabled`.
    #[serde(rename = "Status", default)]
    pub status: String,
    /// `Prefix` (empty: every object; always sent).
    #[serde(
        rename = "Prefix",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub prefix: Option<String>,
    /// `Destination`.
    #[serde(rename = "Destination", default)]
    pub destination: ReplicationDestination,
}

/// Where a rule replicates to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationDestination {
    /// `Bucket`: `qcs::cos:<region>::<bucketname-appid>`.
    #[serde(rename = "Bucket", default)]
    pub bucket: String,
    /// `StorageClass` of the replicas (default: the source's).
    #[serde(
        rename = "StorageClass",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub storage_class: Option<String>,
}

impl RequestDocument for ReplicationConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        if self.rules.is_empty() {
            return Err(invalid("replication configuration", "has no rule"));
        }
        let mut w = XmlWriter::new();
        w.open("ReplicationConfiguration")
            .element("Role", &self.role);
        for rule in &self.rules {
            w.open("Rule")
                .element_opt("ID", rule.id.as_deref())
                .element("Status", &rule.status)
                .element("Prefix", rule.prefix.as_deref().unwrap_or(""))
                .open("Destination")
                .element("Bucket", &rule.destination.bucket)
                .element_opt("StorageClass", rule.destination.storage_class.as_deref())
                .close("Destination")
                .close("Rule");
        }
        w.close("ReplicationConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Replaces the bucket's replication rules (sent with `Content-MD5`; versioning must
    /// be on in both buckets).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let rule = ReplicationRule {
    ///     status: "Enabled".into(),
    ///     destination: ReplicationDestination {
    ///         bucket: "qcs::cos:ap-beijing::destinationbucket-1250000000".into(),
    ///         storage_class: None,
    ///     },
    ///     ..ReplicationRule::default()
    /// };
    /// let put = PutBucketReplication::new(ReplicationConfiguration {
    ///     role: "qcs::cam::uin/100000000001:uin/100000000001".into(),
    ///     rules: vec![rule],
    /// });
    /// assert_eq!(put.build_request(&cfg).unwrap().uri().query(), Some("replication="));
    /// ```
    PutBucketReplication,
    "PutBucketReplication",
    "replication",
    Md5AndType,
    ReplicationConfiguration
);

get_document_op!(
    /// Reads the bucket's replication rules.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketReplication};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketReplication::new().build_request(&cfg).unwrap().uri().query(), Some("replication="));
    /// ```
    GetBucketReplication,
    "GetBucketReplication",
    "replication",
    "ReplicationConfiguration" => ReplicationConfiguration
);

delete_op!(
    /// Removes the bucket's replication rules.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketReplication};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(DeleteBucketReplication::new().build_request(&cfg).unwrap().method(), "DELETE");
    /// ```
    DeleteBucketReplication,
    "DeleteBucketReplication",
    "replication"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn doc() -> ReplicationConfiguration {
        ReplicationConfiguration {
            role: "qcs::cam::uin/100000000001:uin/100000000001".into(),
            rules: vec![ReplicationRule {
                id: Some("to-beijing".into()),
                status: "Enabled".into(),
                prefix: Some("images/".into()),
                destination: ReplicationDestination {
                    bucket: "qcs::cos:ap-beijing::destinationbucket-1250000000".into(),
                    storage_class: Some("STANDARD_IA".into()),
                },
            }],
        }
    }

    #[test]
    fn put_builds_like_the_reference() {
        // bucket/requests.json `put_bucket_replication-single`.
        let request = PutBucketReplication::new(doc())
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "content-md5"), "Et83G0mwFZ3fgb8c2Ab/Ww==");
        let mut all = doc();
        all.rules[0].prefix = None;
        let request = PutBucketReplication::new(all)
            .build_request(&config())
            .expect("builds");
        assert!(body_text(&request).contains("<Prefix></Prefix>"));
        assert!(
            PutBucketReplication::new(ReplicationConfiguration::default())
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn get_parses_and_delete_builds() {
        let url = "http://h/?replication=".parse().expect("uri");
        let body = body_text(
            &PutBucketReplication::new(doc())
                .build_request(&config())
                .expect("builds"),
        );
        let out = GetBucketReplication::new()
            .parse_response(&url, response(200, &[], &body))
            .expect("parses");
        assert_eq!(out.document, doc());
        assert!(
            GetBucketReplication::new()
                .parse_response(&url, error_response(404, "NoSuchReplicationConfiguration"))
                .is_err()
        );
        assert!(
            GetBucketReplication::new()
                .parse_response(&url, response(200, &[], "<ReplicationConfiguration><Rule>"))
                .is_err()
        );
        assert_eq!(
            DeleteBucketReplication::new()
                .build_request(&config())
                .expect("builds")
                .method(),
            http::Method::DELETE
        );
    }
}
