//! PUT / GET / DELETE Bucket CORS: which browser origins may call the bucket.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, delete_op, get_document_op, invalid, put_document_op};
use crate::error::InputError;
use crate::xml::{XmlWriter, non_empty};

/// A `CORSConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsConfiguration {
    /// `CORSRule`, in order.
    #[serde(rename = "CORSRule", default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<CorsRule>,
    /// `ResponseVary`: whether COS answers with `Vary: Origin`.
    #[serde(
        rename = "ResponseVary",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_vary: Option<bool>,
}

/// One CORS rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsRule {
    /// `ID`.
    #[serde(
        rename = "ID",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `AllowedOrigin` (`*` and one `*` wildcard allowed).
    #[serde(
        rename = "AllowedOrigin",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_origins: Vec<String>,
    /// `AllowedMethod`: `GET`, `PUT`, `POST`, `DELETE`, `HEAD`.
    #[serde(
        rename = "AllowedMethod",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_methods: Vec<String>,
    /// `AllowedHeader`.
    #[serde(
        rename = "AllowedHeader",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_headers: Vec<String>,
    /// `ExposeHeader`.
    #[serde(
        rename = "ExposeHeader",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub expose_headers: Vec<String>,
    /// `MaxAgeSeconds`: how long browsers cache the preflight answer.
    #[serde(
        rename = "MaxAgeSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_age_seconds: Option<u32>,
}

impl RequestDocument for CorsConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        if self.rules.is_empty() {
            return Err(invalid("CORS configuration", "has no rule"));
        }
        let mut w = XmlWriter::new();
        w.open("CORSConfiguration");
        for rule in &self.rules {
            if rule.allowed_origins.is_empty() || rule.allowed_methods.is_empty() {
                return Err(invalid(
                    "CORS rule",
                    "needs at least one AllowedOrigin and one AllowedMethod",
                ));
            }
            w.open("CORSRule").element_opt("ID", rule.id.as_deref());
            for (name, values) in [
                ("AllowedOrigin", &rule.allowed_origins),
                ("AllowedMethod", &rule.allowed_methods),
                ("AllowedHeader", &rule.allowed_headers),
                ("ExposeHeader", &rule.expose_headers),
            ] {
                for value in values {
                    w.element(name, value);
                }
            }
            if let Some(age) = rule.max_age_seconds {
                w.element("MaxAgeSeconds", &age.to_string());
            }
            w.close("CORSRule");
        }
        if let Some(vary) = self.response_vary {
            w.element("ResponseVary", if vary { "true" } else { "false" });
        }
        w.close("CORSConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Replaces the bucket's CORS rules (sent with `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let rule = CorsRule {
    ///     allowed_origins: vec!["https://www.example.com".into()],
    ///     allowed_methods: vec!["GET".into()],
    ///     max_age_seconds: Some(600),
    ///     ..CorsRule::default()
    /// };
    /// let put = PutBucketCors::new(CorsConfiguration { rules: vec![rule], response_vary: None });
    /// assert_eq!(put.build_request(&cfg).unwrap().uri().query(), Some("cors="));
    /// ```
    PutBucketCors,
    "PutBucketCors",
    "cors",
    Md5AndType,
    CorsConfiguration
);

get_document_op!(
    /// Reads the bucket's CORS rules (`404 NoSuchCORSConfiguration` when none).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketCors};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketCors::new().build_request(&cfg).unwrap().uri().query(), Some("cors="));
    /// ```
    GetBucketCors,
    "GetBucketCors",
    "cors",
    "CORSConfiguration" => CorsConfiguration
);

delete_op!(
    /// Removes the bucket's CORS rules.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketCors};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(DeleteBucketCors::new().build_request(&cfg).unwrap().method(), "DELETE");
    /// ```
    DeleteBucketCors,
    "DeleteBucketCors",
    "cors"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn rule() -> CorsRule {
        CorsRule {
            id: Some("1234".into()),
            allowed_origins: vec!["http://www.qq.com".into()],
            allowed_methods: vec!["GET".into(), "PUT".into()],
            allowed_headers: vec!["x-cos-meta-test".into()],
            expose_headers: vec!["x-cos-meta-test1".into()],
            max_age_seconds: Some(500),
        }
    }

    #[test]
    fn put_builds_like_the_reference() {
        // bucket/requests.json `put_bucket_cors-single`, plus ResponseVary.
        let doc = CorsConfiguration {
            rules: vec![rule()],
            response_vary: Some(false),
        };
        let request = PutBucketCors::new(doc)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CORSConfiguration><CORSRule><ID>1234</ID><AllowedOrigin>http://www.qq.com</AllowedOrigin>\
             <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-cos-meta-test</AllowedHeader>\
             <ExposeHeader>x-cos-meta-test1</ExposeHeader><MaxAgeSeconds>500</MaxAgeSeconds></CORSRule>\
             <ResponseVary>false</ResponseVary></CORSConfiguration>"
        );
        assert_eq!(header(&request, "content-type"), "application/xml");
        let request = PutBucketCors::new(CorsConfiguration {
            rules: vec![rule()],
            response_vary: None,
        })
        .build_request(&config())
        .expect("builds");
        assert_eq!(header(&request, "content-md5"), "WUB0T8aHK0CHMzVz44YCrw==");
        let mut bad = rule();
        bad.allowed_methods.clear();
        assert!(
            PutBucketCors::new(CorsConfiguration {
                rules: vec![bad],
                response_vary: None
            })
            .build_request(&config())
            .is_err()
        );
        assert!(
            PutBucketCors::new(CorsConfiguration::default())
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn get_parses_and_delete_builds() {
        let url = "http://h/?cors=".parse().expect("uri");
        let body = "<CORSConfiguration><CORSRule><ID>1234</ID><AllowedOrigin>http://www.qq.com</AllowedOrigin>\
            <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-cos-meta-test</AllowedHeader>\
            <ExposeHeader>x-cos-meta-test1</ExposeHeader><MaxAgeSeconds>500</MaxAgeSeconds></CORSRule>\
            <ResponseVary>false</ResponseVary></CORSConfiguration>";
        let out = GetBucketCors::new()
            .parse_response(&url, response(200, &[], body))
            .expect("parses");
        assert_eq!(
            out.document,
            CorsConfiguration {
                rules: vec![rule()],
                response_vary: Some(false)
            }
        );
        let err = GetBucketCors::new()
            .parse_response(&url, error_response(404, "NoSuchCORSConfiguration"))
            .expect_err("fails");
        assert_eq!(err.service_error().map(|e| e.status), Some(404));
        assert!(GetBucketCors::new()
            .parse_response(&url, response(200, &[], "<CORSConfiguration><CORSRule><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>"))
            .is_err());
        let request = DeleteBucketCors::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("cors="));
    }
}
