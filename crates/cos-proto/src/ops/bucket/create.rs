//! PUT Bucket: creating the configuration's bucket.

use bytes::Bytes;
use http::Method;

use super::ResponseInfo;
use super::common::{Framing, with_body};
use crate::Config;
use crate::error::Error;
use crate::headers::AclHeaders;
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::setters::{acl_setters, extras_setters};
use crate::request::RequestBuilder;
use crate::response;
use crate::xml::XmlWriter;

/// Creates the configuration's bucket.
///
/// ACLs go as headers (a canned `x-cos-acl` of `private`, `public-read`,
/// `public-read-write`, and `x-cos-grant-*` lists). A multi-AZ (`MAZ`) or
/// metadata-accelerated (`OFS`) bucket is asked for with a `CreateBucketConfiguration`
/// body, sent with `Content-MD5` and `Content-Type: application/xml`; without one the
/// body is empty.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::CreateBucket};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = CreateBucket::new().acl("private").arch_config("OFS").build_request(&cfg).unwrap();
/// assert_eq!(request.method(), "PUT");
/// assert_eq!(request.uri().path(), "/");
/// assert_eq!(request.headers()["content-length"], "134");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct CreateBucket {
    acl: AclHeaders,
    az_config: Option<String>,
    arch_config: Option<String>,
    tagging: Option<String>,
    extras: Extras,
}

impl CreateBucket {
    extras_setters!(extras);
    acl_setters!(acl);

    /// Creates the bucket with COS's defaults (private, single AZ, plain COS).
    pub fn new() -> Self {
        Self::default()
    }

    /// `BucketAZConfig`: `MAZ` for a multi-AZ bucket.
    pub fn az_config(mut self, value: impl Into<String>) -> Self {
        self.az_config = Some(value.into());
        self
    }

    /// `BucketArchConfig`: `OFS` for a metadata-accelerated (hierarchical) bucket.
    pub fn arch_config(mut self, value: impl Into<String>) -> Self {
        self.arch_config = Some(value.into());
        self
    }

    /// Tags the new bucket (`x-cos-tagging`: `key1=value1&key2=value2`, URL-encoded).
    pub fn tagging(mut self, value: impl Into<String>) -> Self {
        self.tagging = Some(value.into());
        self
    }

    fn document(&self) -> Option<Bytes> {
        if self.az_config.is_none() && self.arch_config.is_none() {
            return None;
        }
        let mut w = XmlWriter::new();
        w.open("CreateBucketConfiguration")
            .element_opt("BucketAZConfig", self.az_config.as_deref())
            .element_opt("BucketArchConfig", self.arch_config.as_deref())
            .close("CreateBucketConfiguration");
        Some(w.finish())
    }
}

impl Operation for CreateBucket {
    type Output = ResponseInfo;
    const NAME: &'static str = "PutBucket";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        let mut b = self.acl.apply(RequestBuilder::bucket(Method::PUT))?;
        b = b.header_opt("x-cos-tagging", self.tagging.as_deref())?;
        if let Some(body) = self.document() {
            b = with_body(b, body, Framing::Md5AndType)?;
        }
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

    const UIN: &str = "id=\"qcs::cam::uin/100000000001:uin/100000000001\"";

    #[test]
    fn builds_with_every_parameter() {
        let request = CreateBucket::new()
            .acl("public-read")
            .grant_read(UIN)
            .grant_write(UIN)
            .grant_read_acp(UIN)
            .grant_write_acp(UIN)
            .grant_full_control(UIN)
            .tagging("a=1")
            .az_config("MAZ")
            .arch_config("OFS")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/"
        );
        for name in [
            "x-cos-grant-read",
            "x-cos-grant-write",
            "x-cos-grant-read-acp",
            "x-cos-grant-write-acp",
            "x-cos-grant-full-control",
        ] {
            assert_eq!(header(&request, name), UIN);
        }
        assert_eq!(header(&request, "x-cos-acl"), "public-read");
        assert_eq!(header(&request, "x-cos-tagging"), "a=1");
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CreateBucketConfiguration><BucketAZConfig>MAZ</BucketAZConfig>\
             <BucketArchConfig>OFS</BucketArchConfig></CreateBucketConfiguration>"
        );
        assert_eq!(header(&request, "content-type"), "application/xml");
        // bucket/requests.json `create_bucket-ofs`.
        let request = CreateBucket::new()
            .acl("private")
            .arch_config("OFS")
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "content-md5"), "W22Ua8Q0cAihIBiLJkuYnw==");
        // bucket/requests.json `create_bucket-minimal`: no body, no type.
        let request = CreateBucket::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "content-length"), "0");
        assert_eq!(request.headers().len(), 2);
    }

    #[test]
    fn parses_responses() {
        let url = "http://h/".parse().expect("uri");
        let out = CreateBucket::new()
            .parse_response(&url, response(200, &[("x-cos-request-id", "r1")], ""))
            .expect("parses");
        assert_eq!(out.request_id.as_deref(), Some("r1"));
        let err = CreateBucket::new()
            .parse_response(&url, error_response(409, "BucketAlreadyExists"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((409, "BucketAlreadyExists"))
        );
    }
}
