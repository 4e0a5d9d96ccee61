//! PUT / GET / DELETE Bucket referer: hotlink protection by `Referer`.

use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};

use super::ResponseInfo;
use super::common::{
    Framing, RequestDocument, get_document_op, invalid, put_document_op, sub_resource, with_body,
    wrapped_list,
};
use crate::Config;
use crate::error::{Error, InputError};
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::setters::extras_setters;
use crate::response;
use crate::xml::{XmlWriter, non_empty};

wrapped_list!(domain_list, "Domain");

/// A `RefererConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefererConfiguration {
    /// `Status`: `Enabled` or `Disabled`.
    #[serde(rename = "Status", default)]
    pub status: String,
    /// `RefererType`: `White-List` or `Black-List`.
    #[serde(rename = "RefererType", default)]
    pub referer_type: String,
    /// `DomainList/Domain` (`*` wildcards allowed).
    #[serde(
        rename = "DomainList",
        default,
        with = "domain_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub domains: Vec<String>,
    /// `EmptyReferConfiguration`: `Allow` or `Deny` requests without a `Referer`.
    #[serde(
        rename = "EmptyReferConfiguration",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub empty_refer_configuration: Option<String>,
    /// `VerifySignatureURL`: whether signed URLs are checked too.
    #[serde(
        rename = "VerifySignatureURL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub verify_signature_url: Option<bool>,
}

impl RequestDocument for RefererConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        if self.status.is_empty() || self.referer_type.is_empty() {
            return Err(invalid(
                "referer configuration",
                "needs Status and RefererType",
            ));
        }
        let mut w = XmlWriter::new();
        w.open("RefererConfiguration")
            .element("Status", &self.status)
            .element("RefererType", &self.referer_type)
            .open("DomainList");
        for domain in &self.domains {
            w.element("Domain", domain);
        }
        w.close("DomainList").element_opt(
            "EmptyReferConfiguration",
            self.empty_refer_configuration.as_deref(),
        );
        if let Some(verify) = self.verify_signature_url {
            w.element("VerifySignatureURL", if verify { "true" } else { "false" });
        }
        w.close("RefererConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Replaces the bucket's referer rules (sent with `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let put = PutBucketReferer::new(RefererConfiguration {
    ///     status: "Enabled".into(),
    ///     referer_type: "White-List".into(),
    ///     domains: vec!["*.example.com".into()],
    ///     ..RefererConfiguration::default()
    /// });
    /// assert_eq!(put.build_request(&cfg).unwrap().uri().query(), Some("referer="));
    /// ```
    PutBucketReferer,
    "PutBucketReferer",
    "referer",
    Md5AndType,
    RefererConfiguration
);

get_document_op!(
    /// Reads the bucket's referer rules.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketReferer};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketReferer::new().build_request(&cfg).unwrap().uri().query(), Some("referer="));
    /// ```
    GetBucketReferer,
    "GetBucketReferer",
    "referer",
    "RefererConfiguration" => RefererConfiguration
);

/// Removes the bucket's referer rules. COS has no DELETE for them: this is a PUT of an
/// empty document (with the `Content-MD5` of nothing and `Content-Type:
/// application/xml`), as the official SDK sends it.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketReferer};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = DeleteBucketReferer::new().build_request(&cfg).unwrap();
/// assert_eq!((request.method().as_str(), request.uri().query()), ("PUT", Some("referer=")));
/// assert_eq!(request.headers()["content-md5"], "1B2M2Y8AsgTpgAmY7PhCfg==");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct DeleteBucketReferer {
    extras: Extras,
}

impl DeleteBucketReferer {
    extras_setters!(extras);

    /// Acts on the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Operation for DeleteBucketReferer {
    type Output = ResponseInfo;
    const NAME: &'static str = "PutBucketReferer";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        let b = with_body(
            sub_resource(Method::PUT, "referer"),
            Bytes::new(),
            Framing::Md5AndType,
        )?;
        Ok(b.extras(&self.extras)?.build(config)?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn doc() -> RefererConfiguration {
        RefererConfiguration {
            status: "Enabled".into(),
            referer_type: "White-List".into(),
            domains: vec!["*.example.com".into(), "www.example.org".into()],
            empty_refer_configuration: Some("Allow".into()),
            verify_signature_url: None,
        }
    }

    #[test]
    fn put_and_delete_build() {
        let request = PutBucketReferer::new(doc())
            .build_request(&config())
            .expect("builds");
        // bucket/requests.json `put_bucket_referer-whitelist`.
        assert_eq!(header(&request, "content-md5"), "ZthLeJ8MQJMIQND2uRowDw==");
        let mut with_verify = doc();
        with_verify.verify_signature_url = Some(true);
        let request = PutBucketReferer::new(with_verify)
            .build_request(&config())
            .expect("builds");
        assert!(body_text(&request).ends_with("<EmptyReferConfiguration>Allow</EmptyReferConfiguration><VerifySignatureURL>true</VerifySignatureURL></RefererConfiguration>"));
        assert!(
            PutBucketReferer::new(RefererConfiguration::default())
                .build_request(&config())
                .is_err()
        );
        let request = DeleteBucketReferer::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "content-length"), "0");
        assert_eq!(header(&request, "content-type"), "application/xml");
    }

    #[test]
    fn get_parses() {
        let url = "http://h/?referer=".parse().expect("uri");
        let body = "<RefererConfiguration><Status>Enabled</Status><RefererType>White-List</RefererType><DomainList>\
            <Domain>*.example.com</Domain><Domain>www.example.org</Domain></DomainList>\
            <EmptyReferConfiguration>Allow</EmptyReferConfiguration></RefererConfiguration>";
        let out = GetBucketReferer::new()
            .parse_response(&url, response(200, &[], body))
            .expect("parses");
        assert_eq!(out.document, doc());
        assert!(
            GetBucketReferer::new()
                .parse_response(&url, error_response(404, "NoSuchReferer"))
                .is_err()
        );
        assert!(
            DeleteBucketReferer::new()
                .parse_response(&url, response(200, &[], ""))
                .is_ok()
        );
    }
}
