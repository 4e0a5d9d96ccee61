//! PUT / GET Bucket logging: access logs written to another bucket.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, get_document_op, put_document_op};
use crate::error::InputError;
use crate::xml::{XmlWriter, non_empty};

/// A `BucketLoggingStatus` document; without [`LoggingEnabled`] logging is off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketLoggingStatus {
    /// `LoggingEnabled`.
    #[serde(
        rename = "LoggingEnabled",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub logging_enabled: Option<LoggingEnabled>,
}

/// Where the access logs go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingEnabled {
    /// `TargetBucket`: `bucketname-appid`, same region.
    #[serde(rename = "TargetBucket", default)]
    pub target_bucket: String,
    /// `TargetPrefix`: the key prefix of the log objects.
    #[serde(
        rename = "TargetPrefix",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub target_prefix: Option<String>,
}

impl RequestDocument for BucketLoggingStatus {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        let mut w = XmlWriter::new();
        w.open("BucketLoggingStatus");
        if let Some(on) = &self.logging_enabled {
            w.open("LoggingEnabled")
                .element("TargetBucket", &on.target_bucket)
                .element_opt("TargetPrefix", on.target_prefix.as_deref())
                .close("LoggingEnabled");
        }
        w.close("BucketLoggingStatus");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Turns access logging on (or off, with an empty [`BucketLoggingStatus`]); sent with
    /// `Content-MD5`.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let put = PutBucketLogging::new(BucketLoggingStatus {
    ///     logging_enabled: Some(LoggingEnabled {
    ///         target_bucket: "logbucket-1250000000".into(),
    ///         target_prefix: Some("logs/".into()),
    ///     }),
    /// });
    /// assert_eq!(put.build_request(&cfg).unwrap().uri().query(), Some("logging="));
    /// ```
    PutBucketLogging,
    "PutBucketLogging",
    "logging",
    Md5AndType,
    BucketLoggingStatus
);

get_document_op!(
    /// Reads the bucket's logging status.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketLogging};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketLogging::new().build_request(&cfg).unwrap().uri().query(), Some("logging="));
    /// ```
    GetBucketLogging,
    "GetBucketLogging",
    "logging",
    "BucketLoggingStatus" => BucketLoggingStatus
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn doc() -> BucketLoggingStatus {
        BucketLoggingStatus {
            logging_enabled: Some(LoggingEnabled {
                target_bucket: "logbucket-1250000000".into(),
                target_prefix: Some("logs/examplebucket/".into()),
            }),
        }
    }

    #[test]
    fn put_builds_on_and_off() {
        let request = PutBucketLogging::new(doc())
            .build_request(&config())
            .expect("builds");
        // bucket/requests.json `put_bucket_logging-enabled`.
        assert_eq!(header(&request, "content-md5"), "6QPtDLi1h7owFMODTBI7xA==");
        let off = PutBucketLogging::new(BucketLoggingStatus::default())
            .build_request(&config())
            .expect("builds");
        assert!(body_text(&off).ends_with("<BucketLoggingStatus></BucketLoggingStatus>"));
    }

    #[test]
    fn get_parses() {
        let url = "http://h/?logging=".parse().expect("uri");
        let body = body_text(
            &PutBucketLogging::new(doc())
                .build_request(&config())
                .expect("builds"),
        );
        let out = GetBucketLogging::new()
            .parse_response(&url, response(200, &[], &body))
            .expect("parses");
        assert_eq!(out.document, doc());
        let off = GetBucketLogging::new()
            .parse_response(&url, response(200, &[], "<BucketLoggingStatus/>"))
            .expect("parses");
        assert_eq!(off.document, BucketLoggingStatus::default());
        assert!(
            GetBucketLogging::new()
                .parse_response(&url, error_response(403, "AccessDenied"))
                .is_err()
        );
    }
}
