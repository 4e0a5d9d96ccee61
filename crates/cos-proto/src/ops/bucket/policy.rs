//! PUT / GET / DELETE Bucket policy: the bucket's access policy, a JSON document.

use bytes::Bytes;
use http::Method;

use super::ResponseInfo;
use super::common::{delete_op, invalid, sub_resource};
use crate::Config;
use crate::error::{Error, ResponseError};
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::setters::extras_setters;
use crate::request::Body;
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Replaces the bucket's policy with a JSON document, sent byte-for-byte as given with
/// `Content-Type: application/json`. The text must be JSON (checked before sending).
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::PutBucketPolicy};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let put = PutBucketPolicy::new(r#"{"version": "2.0", "Statement": []}"#);
/// let request = put.build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("policy="));
/// assert_eq!(request.headers()["content-type"], "application/json");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct PutBucketPolicy {
    policy: String,
    extras: Extras,
}

impl PutBucketPolicy {
    extras_setters!(extras);

    /// Sets the policy to `policy` (JSON text).
    pub fn new(policy: impl Into<String>) -> Self {
        Self {
            policy: policy.into(),
            extras: Extras::default(),
        }
    }

    /// The policy text sent.
    pub fn policy(&self) -> &str {
        &self.policy
    }
}

impl Operation for PutBucketPolicy {
    type Output = ResponseInfo;
    const NAME: &'static str = "PutBucketPolicy";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&self.policy) {
            return Err(invalid("bucket policy", format!("is not JSON: {e}")).into());
        }
        Ok(sub_resource(Method::PUT, "policy")
            .header_static("content-type", "application/json")?
            .body(Body::Bytes(Bytes::from(self.policy.clone())))
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ResponseInfo, Error> {
        response::check(&Method::PUT, url, &response)?;
        Ok(ResponseInfo::from_response(&response))
    }
}

/// Reads the bucket's policy (`404 NoSuchBucketPolicy` when none).
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::GetBucketPolicy};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// assert_eq!(GetBucketPolicy::new().build_request(&cfg).unwrap().uri().query(), Some("policy="));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct GetBucketPolicy {
    extras: Extras,
}

impl GetBucketPolicy {
    extras_setters!(extras);

    /// Reads the policy of the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The bucket's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketPolicyOutput {
    /// The policy exactly as COS returned it (JSON text).
    pub policy: String,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

impl Operation for GetBucketPolicy {
    type Output = GetBucketPolicyOutput;
    const NAME: &'static str = "GetBucketPolicy";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        Ok(sub_resource(Method::GET, "policy")
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<GetBucketPolicyOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        response::check_error_in_200(&response)?;
        let not_json = |reason: String| ResponseError::InvalidField {
            field: "Policy",
            reason,
        };
        let policy = std::str::from_utf8(response.body())
            .map_err(|e| not_json(format!("not UTF-8: {e}")))?
            .trim_start_matches('\u{feff}');
        serde_json::from_str::<serde::de::IgnoredAny>(policy)
            .map_err(|e| not_json(format!("not JSON: {e}")))?;
        Ok(GetBucketPolicyOutput {
            policy: policy.to_owned(),
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
        })
    }
}

delete_op!(
    /// Removes the bucket's policy.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketPolicy};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(DeleteBucketPolicy::new().build_request(&cfg).unwrap().method(), "DELETE");
    /// ```
    DeleteBucketPolicy,
    "DeleteBucketPolicy",
    "policy"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    const POLICY: &str = "{\n    \"Statement\": [\n        {\n            \"Sid\": \"公开读取\"\n        }\n    ],\n    \"version\": \"2.0\"\n}";

    #[test]
    fn put_sends_the_text_as_given() {
        let request = PutBucketPolicy::new(POLICY)
            .header("x-cos-a", "b")
            .build_request(&config())
            .expect("builds");
        assert_eq!(body_text(&request), POLICY);
        assert_eq!(header(&request, "content-length"), POLICY.len().to_string());
        assert!(request.headers().get("content-md5").is_none());
        assert!(
            PutBucketPolicy::new("{not json")
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn get_returns_the_stored_text() {
        // bucket/responses.json `get_bucket_policy-ok`: the text as stored, not
        // re-serialised with `\uXXXX` escapes as the reference SDK returns it.
        let url = "http://h/?policy=".parse().expect("uri");
        let out = GetBucketPolicy::new()
            .parse_response(&url, response(200, &[("x-cos-request-id", "r1")], POLICY))
            .expect("parses");
        assert_eq!(out.policy, POLICY);
        assert_eq!(out.request_id.as_deref(), Some("r1"));
        for bad in ["<html/>", "", "{"] {
            assert!(
                GetBucketPolicy::new()
                    .parse_response(&url, response(200, &[], bad))
                    .is_err()
            );
        }
        let err = GetBucketPolicy::new()
            .parse_response(&url, error_response(404, "NoSuchBucketPolicy"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| e.code()),
            Some("NoSuchBucketPolicy")
        );
        let in_200 = "<Error><Code>InternalError</Code></Error>";
        assert!(
            GetBucketPolicy::new()
                .parse_response(&url, response(200, &[], in_200))
                .expect_err("fails")
                .is_service_error()
        );
    }

    #[test]
    fn delete_parses() {
        let url = "http://h/?policy=".parse().expect("uri");
        assert!(
            DeleteBucketPolicy::new()
                .parse_response(&url, response(204, &[], ""))
                .is_ok()
        );
    }
}
