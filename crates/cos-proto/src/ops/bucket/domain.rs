//! PUT / GET / DELETE Bucket domain: custom domains bound to the bucket.

use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, delete_op, invalid, put_document_op, sub_resource};
use crate::Config;
use crate::error::{Error, InputError};
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::misc_common::parse_document;
use crate::ops::setters::extras_setters;
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::xml::{XmlWriter, non_empty};

/// A `DomainConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainConfiguration {
    /// `DomainRule`, in order.
    #[serde(rename = "DomainRule", default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<DomainRule>,
}

/// A custom domain of the bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRule {
    /// `Name`: the domain.
    #[serde(rename = "Name", default)]
    pub name: String,
    /// `Type`: `REST` or `WEBSITE` endpoint.
    #[serde(rename = "Type", default)]
    pub kind: String,
    /// `Status`: `ENABLED` or `DISABLED`.
    #[serde(rename = "Status", default)]
    pub status: String,
    /// `ForcedReplacement`: `CNAME` or `TXT`, to take the domain from another bucket.
    #[serde(
        rename = "ForcedReplacement",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub forced_replacement: Option<String>,
}

impl RequestDocument for DomainConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        if self.rules.is_empty() {
            return Err(invalid("domain configuration", "has no rule"));
        }
        let mut w = XmlWriter::new();
        w.open("DomainConfiguration");
        for rule in &self.rules {
            w.open("DomainRule")
                .element("Name", &rule.name)
                .element("Type", &rule.kind)
                .element("Status", &rule.status)
                .element_opt("ForcedReplacement", rule.forced_replacement.as_deref())
                .close("DomainRule");
        }
        w.close("DomainConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Replaces the bucket's custom domains (sent with `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let rule = DomainRule { name: "www.example.com".into(), kind: "REST".into(), status: "ENABLED".into(), forced_replacement: None };
    /// let put = PutBucketDomain::new(DomainConfiguration { rules: vec![rule] });
    /// assert_eq!(put.build_request(&cfg).unwrap().uri().query(), Some("domain="));
    /// ```
    PutBucketDomain,
    "PutBucketDomain",
    "domain",
    Md5AndType,
    DomainConfiguration
);

/// Reads the bucket's custom domains.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::GetBucketDomain};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// assert_eq!(GetBucketDomain::new().build_request(&cfg).unwrap().uri().query(), Some("domain="));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct GetBucketDomain {
    extras: Extras,
}

impl GetBucketDomain {
    extras_setters!(extras);

    /// Reads the domains of the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The bucket's custom domains.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketDomainOutput {
    /// The document.
    pub document: DomainConfiguration,
    /// `x-cos-domain-txt-verification`: the TXT record that proves ownership.
    pub txt_verification: Option<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

impl Operation for GetBucketDomain {
    type Output = GetBucketDomainOutput;
    const NAME: &'static str = "GetBucketDomain";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(sub_resource(Method::GET, "domain")
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<GetBucketDomainOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let document = parse_document("DomainConfiguration", &response)?;
        Ok(GetBucketDomainOutput {
            document,
            txt_verification: header_text(response.headers(), "x-cos-domain-txt-verification"),
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
        })
    }
}

delete_op!(
    /// Removes every custom domain of the bucket.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketDomain};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(DeleteBucketDomain::new().build_request(&cfg).unwrap().method(), "DELETE");
    /// ```
    DeleteBucketDomain,
    "DeleteBucketDomain",
    "domain"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn doc() -> DomainConfiguration {
        DomainConfiguration {
            rules: vec![
                DomainRule {
                    name: "www.example.com".into(),
                    kind: "REST".into(),
                    status: "ENABLED".into(),
                    forced_replacement: Some("CNAME".into()),
                },
                DomainRule {
                    name: "static.example.com".into(),
                    kind: "WEBSITE".into(),
                    status: "DISABLED".into(),
                    forced_replacement: None,
                },
            ],
        }
    }

    #[test]
    fn put_builds_like_the_reference() {
        let request = PutBucketDomain::new(doc())
            .build_request(&config())
            .expect("builds");
        // bucket/requests.json `put_bucket_domain`.
        assert_eq!(header(&request, "content-md5"), "y5RrszJbzCQHRxpXiScQQw==");
        assert!(
            PutBucketDomain::new(DomainConfiguration::default())
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn get_parses_the_document_and_the_txt_record() {
        let url = "http://h/?domain=".parse().expect("uri");
        let body = body_text(
            &PutBucketDomain::new(doc())
                .build_request(&config())
                .expect("builds"),
        );
        let out = GetBucketDomain::new()
            .parse_response(
                &url,
                response(
                    200,
                    &[("x-cos-domain-txt-verification", "cos-verify=1")],
                    &body,
                ),
            )
            .expect("parses");
        assert_eq!(out.document, doc());
        assert_eq!(out.txt_verification.as_deref(), Some("cos-verify=1"));
        assert!(
            GetBucketDomain::new()
                .parse_response(&url, error_response(404, "NoSuchDomainConfiguration"))
                .is_err()
        );
        assert_eq!(
            DeleteBucketDomain::new()
                .build_request(&config())
                .expect("builds")
                .uri()
                .query(),
            Some("domain=")
        );
    }
}
