//! GET Bucket location: the region of the bucket.

use bytes::Bytes;
use http::Method;
use serde::Deserialize;

use super::common::sub_resource;
use crate::Config;
use crate::error::{Error, ResponseError};
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::misc_common::parse_document;
use crate::ops::setters::extras_setters;
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Reads the region the configuration's bucket lives in.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::GetBucketLocation};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = GetBucketLocation::new().build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("location="));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct GetBucketLocation {
    extras: Extras,
}

impl GetBucketLocation {
    extras_setters!(extras);

    /// Asks about the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The bucket's region.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketLocationOutput {
    /// The text of `LocationConstraint`, e.g. `ap-guangzhou`.
    pub location: String,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LocationConstraint {
    #[serde(rename = "$text", default)]
    text: Option<String>,
}

impl Operation for GetBucketLocation {
    type Output = GetBucketLocationOutput;
    const NAME: &'static str = "GetBucketLocation";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(sub_resource(Method::GET, "location")
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<GetBucketLocationOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let document: LocationConstraint = parse_document("LocationConstraint", &response)?;
        let location = document
            .text
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or(ResponseError::InvalidField {
                field: "LocationConstraint",
                reason: "empty".to_owned(),
            })?;
        Ok(GetBucketLocationOutput {
            location,
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, error_response, response};

    #[test]
    fn builds_with_extras() {
        let request = GetBucketLocation::new()
            .param("x", "1")
            .header("x-cos-a", "b")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("location=&x=1"));
        assert_eq!(request.headers().len(), 2);
    }

    #[test]
    fn parses_the_region() {
        let url = "http://h/?location=".parse().expect("uri");
        // bucket/responses.json `get_bucket_location-ok`.
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint>ap-guangzhou</LocationConstraint>";
        let out = GetBucketLocation::new()
            .parse_response(&url, response(200, &[("x-cos-request-id", "r1")], body))
            .expect("parses");
        assert_eq!(out.location, "ap-guangzhou");
        assert_eq!(out.request_id.as_deref(), Some("r1"));
        for bad in [
            "<LocationConstraint/>",
            "<Other>x</Other>",
            "",
            "<LocationConstraint>",
        ] {
            assert!(
                GetBucketLocation::new()
                    .parse_response(&url, response(200, &[], bad))
                    .is_err(),
                "{bad}"
            );
        }
        let err = GetBucketLocation::new()
            .parse_response(&url, error_response(404, "NoSuchBucket"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((404, "NoSuchBucket"))
        );
    }
}
