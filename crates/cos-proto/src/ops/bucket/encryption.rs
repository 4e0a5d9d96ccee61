//! PUT / GET / DELETE Bucket encryption: the default server-side encryption.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, delete_op, get_document_op, invalid, put_document_op};
use crate::error::InputError;
use crate::xml::{XmlWriter, non_empty};

/// A `ServerSideEncryptionConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSideEncryptionConfiguration {
    /// `Rule` (COS takes one).
    #[serde(rename = "Rule", default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<EncryptionRule>,
}

impl ServerSideEncryptionConfiguration {
    /// One rule encrypting with `algorithm` (`AES256` for SSE-COS, `KMS` or `SM4`).
    pub fn new(algorithm: impl Into<String>) -> Self {
        Self {
            rules: vec![EncryptionRule {
                default: ApplyServerSideEncryptionByDefault {
                    sse_algorithm: algorithm.into(),
                    kms_master_key_id: None,
                },
            }],
        }
    }
}

/// One encryption rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionRule {
    /// `ApplyServerSideEncryptionByDefault`.
    #[serde(rename = "ApplyServerSideEncryptionByDefault", default)]
    pub default: ApplyServerSideEncryptionByDefault,
}

/// The encryption applied to objects written without their own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyServerSideEncryptionByDefault {
    /// `SSEAlgorithm`: `AES256`, `KMS`, `SM4`.
    #[serde(rename = "SSEAlgorithm", default)]
    pub sse_algorithm: String,
    /// `KMSMasterKeyID` (with `KMS`).
    #[serde(
        rename = "KMSMasterKeyID",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub kms_master_key_id: Option<String>,
}

impl RequestDocument for ServerSideEncryptionConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        if self.rules.is_empty() {
            return Err(invalid("encryption configuration", "has no rule"));
        }
        let mut w = XmlWriter::new();
        w.open("ServerSideEncryptionConfiguration");
        for rule in &self.rules {
            w.open("Rule")
                .open("ApplyServerSideEncryptionByDefault")
                .element("SSEAlgorithm", &rule.default.sse_algorithm)
                .element_opt("KMSMasterKeyID", rule.default.kms_master_key_id.as_deref())
                .close("ApplyServerSideEncryptionByDefault")
                .close("Rule");
        }
        w.close("ServerSideEncryptionConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Sets the bucket's default encryption. The body goes without `Content-MD5` and
    /// `Content-Type`, as the official SDK sends it.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let put = PutBucketEncryption::new(ServerSideEncryptionConfiguration::new("AES256"));
    /// let request = put.build_request(&cfg).unwrap();
    /// assert_eq!(request.uri().query(), Some("encryption="));
    /// assert_eq!(request.headers()["content-length"], "231");
    /// ```
    PutBucketEncryption,
    "PutBucketEncryption",
    "encryption",
    Bare,
    ServerSideEncryptionConfiguration
);

get_document_op!(
    /// Reads the bucket's default encryption.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketEncryption};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketEncryption::new().build_request(&cfg).unwrap().uri().query(), Some("encryption="));
    /// ```
    GetBucketEncryption,
    "GetBucketEncryption",
    "encryption",
    "ServerSideEncryptionConfiguration" => ServerSideEncryptionConfiguration
);

delete_op!(
    /// Removes the bucket's default encryption.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketEncryption};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(DeleteBucketEncryption::new().build_request(&cfg).unwrap().method(), "DELETE");
    /// ```
    DeleteBucketEncryption,
    "DeleteBucketEncryption",
    "encryption"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::ops::test_support::{body_text, config, error_response, response};

    #[test]
    fn put_builds_with_a_kms_key() {
        let mut doc = ServerSideEncryptionConfiguration::new("KMS");
        doc.rules[0].default.kms_master_key_id = Some("kms-1".into());
        let request = PutBucketEncryption::new(doc)
            .build_request(&config())
            .expect("builds");
        assert!(
            body_text(&request)
                .contains("<SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>kms-1</KMSMasterKeyID>")
        );
        assert!(request.headers().get("content-md5").is_none());
        assert!(request.headers().get("content-type").is_none());
        assert!(
            PutBucketEncryption::new(ServerSideEncryptionConfiguration::default())
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn get_parses_and_delete_builds() {
        let url = "http://h/?encryption=".parse().expect("uri");
        let body = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>\
            </ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
        let out = GetBucketEncryption::new()
            .parse_response(&url, response(200, &[], body))
            .expect("parses");
        assert_eq!(
            out.document,
            ServerSideEncryptionConfiguration::new("AES256")
        );
        assert!(
            GetBucketEncryption::new()
                .parse_response(&url, error_response(404, "NoSuchEncryptionConfiguration"))
                .is_err()
        );
        assert_eq!(
            DeleteBucketEncryption::new()
                .build_request(&config())
                .expect("builds")
                .uri()
                .query(),
            Some("encryption=")
        );
    }
}
