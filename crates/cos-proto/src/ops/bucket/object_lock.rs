//! PUT / GET Bucket object lock: write-once retention.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, get_document_op, put_document_op};
use crate::error::InputError;
use crate::xml::{XmlWriter, non_empty};

/// An `ObjectLockConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLockConfiguration {
    /// `ObjectLockEnabled`: `Enabled`.
    #[serde(
        rename = "ObjectLockEnabled",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub object_lock_enabled: Option<String>,
    /// `Rule`.
    #[serde(rename = "Rule", default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<ObjectLockRule>,
}

/// `Rule` of an object lock configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLockRule {
    /// `DefaultRetention`.
    #[serde(rename = "DefaultRetention", default)]
    pub default_retention: DefaultRetention,
}

/// How long new objects are locked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRetention {
    /// `Days`.
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
}

impl RequestDocument for ObjectLockConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        let mut w = XmlWriter::new();
        w.open("ObjectLockConfiguration")
            .element_opt("ObjectLockEnabled", self.object_lock_enabled.as_deref());
        if let Some(rule) = &self.rule {
            w.open("Rule").open("DefaultRetention");
            if let Some(days) = rule.default_retention.days {
                w.element("Days", &days.to_string());
            }
            w.close("DefaultRetention").close("Rule");
        }
        w.close("ObjectLockConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Turns object lock on, with a default retention (sent with `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let put = PutBucketObjectLock::new(ObjectLockConfiguration {
    ///     object_lock_enabled: Some("Enabled".into()),
    ///     rule: Some(ObjectLockRule { default_retention: DefaultRetention { days: Some(30) } }),
    /// });
    /// let request = put.build_request(&cfg).unwrap();
    /// assert_eq!(request.uri().query(), Some("object-lock="));
    /// assert_eq!(request.headers()["content-md5"], "MupwHjcGmaHVIZsaE+UDsA==");
    /// ```
    PutBucketObjectLock,
    "PutBucketObjectLock",
    "object-lock",
    Md5AndType,
    ObjectLockConfiguration
);

get_document_op!(
    /// Reads the bucket's object lock configuration.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketObjectLock};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketObjectLock::new().build_request(&cfg).unwrap().uri().query(), Some("object-lock="));
    /// ```
    GetBucketObjectLock,
    "GetBucketObjectLock",
    "object-lock",
    "ObjectLockConfiguration" => ObjectLockConfiguration
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::ops::test_support::{body_text, config, error_response, response};

    #[test]
    fn put_builds_and_get_parses() {
        let doc = ObjectLockConfiguration {
            object_lock_enabled: Some("Enabled".into()),
            rule: Some(ObjectLockRule {
                default_retention: DefaultRetention { days: Some(30) },
            }),
        };
        let request = PutBucketObjectLock::new(doc.clone())
            .build_request(&config())
            .expect("builds");
        let url = "http://h/?object-lock=".parse().expect("uri");
        let out = GetBucketObjectLock::new()
            .parse_response(
                &url,
                response(200, &[("x-cos-request-id", "r")], &body_text(&request)),
            )
            .expect("parses");
        assert_eq!(out.document, doc);
        assert_eq!(out.request_id.as_deref(), Some("r"));
        let put = PutBucketObjectLock::new(ObjectLockConfiguration::default());
        let out = put
            .parse_response(&url, response(200, &[("x-cos-request-id", "r")], ""))
            .expect("parses");
        assert_eq!(out.headers["x-cos-request-id"], "r");
        assert!(
            GetBucketObjectLock::new()
                .parse_response(&url, error_response(404, "NoSuchObjectLockConfiguration"))
                .is_err()
        );
        assert!(GetBucketObjectLock::new().parse_response(&url, response(200, &[], "<ObjectLockConfiguration><Rule><DefaultRetention><Days>-3</Days></DefaultRetention></Rule></ObjectLockConfiguration>")).is_err());
    }
}
