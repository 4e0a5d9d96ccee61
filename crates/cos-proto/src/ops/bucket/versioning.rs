//! PUT / GET Bucket versioning.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, get_document_op, invalid, put_document_op};
use crate::error::InputError;
use crate::xml::XmlWriter;

/// Whether a bucket keeps object versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VersioningStatus {
    /// `Enabled`: every write keeps the previous version.
    Enabled,
    /// `Suspended`: new writes replace the `null` version; kept versions stay.
    Suspended,
}

impl VersioningStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            VersioningStatus::Enabled => "Enabled",
            VersioningStatus::Suspended => "Suspended",
        }
    }
}

impl std::str::FromStr for VersioningStatus {
    type Err = InputError;

    /// `Enabled` or `Suspended`; anything else is refused (COS knows no other status).
    fn from_str(value: &str) -> Result<Self, InputError> {
        match value {
            "Enabled" => Ok(VersioningStatus::Enabled),
            "Suspended" => Ok(VersioningStatus::Suspended),
            other => Err(invalid(
                "versioning status",
                format!("{other:?}: must be Enabled or Suspended"),
            )),
        }
    }
}

/// A `VersioningConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersioningConfiguration {
    /// `Status`; `None` for a bucket whose versioning was never turned on.
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VersioningStatus>,
}

impl VersioningConfiguration {
    /// A configuration with this status.
    pub fn new(status: VersioningStatus) -> Self {
        Self {
            status: Some(status),
        }
    }
}

impl RequestDocument for VersioningConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        let status = self
            .status
            .ok_or_else(|| invalid("versioning status", "is not set"))?;
        let mut w = XmlWriter::new();
        w.open("VersioningConfiguration")
            .element("Status", status.as_str())
            .close("VersioningConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Turns versioning on or suspends it. The body goes without `Content-MD5` and
    /// `Content-Type`, as the official SDK sends it.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let put = PutBucketVersioning::new(VersioningConfiguration::new(VersioningStatus::Enabled));
    /// let request = put.build_request(&cfg).unwrap();
    /// assert_eq!(request.uri().query(), Some("versioning="));
    /// assert_eq!(request.headers()["content-length"], "114");
    /// ```
    PutBucketVersioning,
    "PutBucketVersioning",
    "versioning",
    Bare,
    VersioningConfiguration
);

get_document_op!(
    /// Reads the versioning status (`<VersioningConfiguration/>`: never enabled).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketVersioning};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let request = GetBucketVersioning::new().build_request(&cfg).unwrap();
    /// assert_eq!(request.uri().query(), Some("versioning="));
    /// ```
    GetBucketVersioning,
    "GetBucketVersioning",
    "versioning",
    "VersioningConfiguration" => VersioningConfiguration
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::error::Error;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    #[test]
    fn put_builds_and_refuses_unknown_statuses() {
        let request =
            PutBucketVersioning::new(VersioningConfiguration::new(VersioningStatus::Suspended))
                .header("x-cos-a", "b")
                .param("p", "1")
                .build_request(&config())
                .expect("builds");
        assert_eq!(request.method(), http::Method::PUT);
        assert_eq!(request.uri().query(), Some("versioning=&p=1"));
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"
        );
        assert!(request.headers().get("content-md5").is_none());
        assert_eq!(header(&request, "x-cos-a"), "b");
        // bucket/requests.json `put_bucket_versioning-invalid`.
        assert!("Disabled".parse::<VersioningStatus>().is_err());
        assert!(matches!(
            PutBucketVersioning::new(VersioningConfiguration::default()).build_request(&config()),
            Err(Error::Input(_))
        ));
    }

    #[test]
    fn get_parses_the_status() {
        let url = "http://h/?versioning=".parse().expect("uri");
        let body =
            "<VersioningConfiguration>\n    <Status>Enabled</Status>\n</VersioningConfiguration>";
        let out = GetBucketVersioning::new()
            .parse_response(&url, response(200, &[("x-cos-request-id", "r1")], body))
            .expect("parses");
        assert_eq!(out.document.status, Some(VersioningStatus::Enabled));
        assert_eq!(out.request_id.as_deref(), Some("r1"));
        let never = GetBucketVersioning::new()
            .parse_response(&url, response(200, &[], "<VersioningConfiguration/>"))
            .expect("parses");
        assert_eq!(never.document.status, None);
        for bad in [
            "<VersioningConfiguration><Status>Maybe</Status></VersioningConfiguration>",
            "<X/>",
        ] {
            assert!(
                GetBucketVersioning::new()
                    .parse_response(&url, response(200, &[], bad))
                    .is_err()
            );
        }
        let err = GetBucketVersioning::new()
            .parse_response(&url, error_response(404, "NoSuchBucket"))
            .expect_err("fails");
        assert_eq!(err.service_error().map(|e| e.status), Some(404));
    }
}
