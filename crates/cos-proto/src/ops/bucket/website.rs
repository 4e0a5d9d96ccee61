//! PUT / GET / DELETE Bucket website: static website hosting and routing rules.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, delete_op, get_document_op, put_document_op, wrapped_list};
use crate::error::InputError;
use crate::xml::{XmlWriter, non_empty};

wrapped_list!(routing_rules, "RoutingRule");

/// A `WebsiteConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebsiteConfiguration {
    /// `IndexDocument`.
    #[serde(
        rename = "IndexDocument",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub index_document: Option<IndexDocument>,
    /// `ErrorDocument`.
    #[serde(
        rename = "ErrorDocument",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub error_document: Option<ErrorDocument>,
    /// `RedirectAllRequestsTo`.
    #[serde(
        rename = "RedirectAllRequestsTo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_all_requests_to: Option<RedirectAllRequestsTo>,
    /// `RoutingRules/RoutingRule`, in order.
    #[serde(
        rename = "RoutingRules",
        default,
        with = "routing_rules",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub routing_rules: Vec<RoutingRule>,
}

/// `IndexDocument`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDocument {
    /// `Suffix`: the index object of a "directory", e.g. `index.html`.
    #[serde(rename = "Suffix", default)]
    pub suffix: String,
}

/// `ErrorDocument`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDocument {
    /// `Key`: the object served on errors.
    #[serde(rename = "Key", default)]
    pub key: String,
    /// `OriginalHttpStatus`: `Enabled` keeps the error status, `Disabled` answers 200.
    #[serde(
        rename = "OriginalHttpStatus",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub original_http_status: Option<String>,
}

/// `RedirectAllRequestsTo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectAllRequestsTo {
    /// `Protocol`: `https` redirects plain HTTP requests.
    #[serde(rename = "Protocol", default)]
    pub protocol: String,
}

/// A routing rule: when [`RoutingCondition`] holds, redirect as [`RoutingRedirect`] says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// `Condition`.
    #[serde(rename = "Condition", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<RoutingCondition>,
    /// `Redirect`.
    #[serde(rename = "Redirect", default)]
    pub redirect: RoutingRedirect,
}

/// `Condition` of a routing rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingCondition {
    /// `HttpErrorCodeReturnedEquals`, e.g. `404`.
    #[serde(
        rename = "HttpErrorCodeReturnedEquals",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub http_error_code_returned_equals: Option<String>,
    /// `KeyPrefixEquals`.
    #[serde(
        rename = "KeyPrefixEquals",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub key_prefix_equals: Option<String>,
}

/// `Redirect` of a routing rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRedirect {
    /// `Protocol`.
    #[serde(
        rename = "Protocol",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub protocol: Option<String>,
    /// `ReplaceKeyWith`: the whole key.
    #[serde(
        rename = "ReplaceKeyWith",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub replace_key_with: Option<String>,
    /// `ReplaceKeyPrefixWith`: the matched prefix.
    #[serde(
        rename = "ReplaceKeyPrefixWith",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub replace_key_prefix_with: Option<String>,
}

impl RequestDocument for WebsiteConfiguration {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        let mut w = XmlWriter::new();
        w.open("WebsiteConfiguration");
        if let Some(index) = &self.index_document {
            w.open("IndexDocument")
                .element("Suffix", &index.suffix)
                .close("IndexDocument");
        }
        if let Some(error) = &self.error_document {
            w.open("ErrorDocument")
                .element("Key", &error.key)
                .element_opt("OriginalHttpStatus", error.original_http_status.as_deref())
                .close("ErrorDocument");
        }
        if let Some(all) = &self.redirect_all_requests_to {
            w.open("RedirectAllRequestsTo")
                .element("Protocol", &all.protocol)
                .close("RedirectAllRequestsTo");
        }
        if !self.routing_rules.is_empty() {
            w.open("RoutingRules");
            for rule in &self.routing_rules {
                w.open("RoutingRule");
                if let Some(c) = &rule.condition {
                    w.open("Condition")
                        .element_opt(
                            "HttpErrorCodeReturnedEquals",
                            c.http_error_code_returned_equals.as_deref(),
                        )
                        .element_opt("KeyPrefixEquals", c.key_prefix_equals.as_deref())
                        .close("Condition");
                }
                let r = &rule.redirect;
                w.open("Redirect")
                    .element_opt("Protocol", r.protocol.as_deref())
                    .element_opt("ReplaceKeyWith", r.replace_key_with.as_deref())
                    .element_opt("ReplaceKeyPrefixWith", r.replace_key_prefix_with.as_deref())
                    .close("Redirect")
                    .close("RoutingRule");
            }
            w.close("RoutingRules");
        }
        w.close("WebsiteConfiguration");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Replaces the bucket's website configuration (sent with `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let put = PutBucketWebsite::new(WebsiteConfiguration {
    ///     index_document: Some(IndexDocument { suffix: "index.html".into() }),
    ///     ..WebsiteConfiguration::default()
    /// });
    /// assert_eq!(put.build_request(&cfg).unwrap().uri().query(), Some("website="));
    /// ```
    PutBucketWebsite,
    "PutBucketWebsite",
    "website",
    Md5AndType,
    WebsiteConfiguration
);

get_document_op!(
    /// Reads the bucket's website configuration.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketWebsite};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketWebsite::new().build_request(&cfg).unwrap().uri().query(), Some("website="));
    /// ```
    GetBucketWebsite,
    "GetBucketWebsite",
    "website",
    "WebsiteConfiguration" => WebsiteConfiguration
);

delete_op!(
    /// Turns static website hosting off.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketWebsite};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(DeleteBucketWebsite::new().build_request(&cfg).unwrap().method(), "DELETE");
    /// ```
    DeleteBucketWebsite,
    "DeleteBucketWebsite",
    "website"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn doc() -> WebsiteConfiguration {
        WebsiteConfiguration {
            index_document: Some(IndexDocument {
                suffix: "index.html".into(),
            }),
            error_document: Some(ErrorDocument {
                key: "error.html".into(),
                original_http_status: Some("Disabled".into()),
            }),
            redirect_all_requests_to: Some(RedirectAllRequestsTo {
                protocol: "https".into(),
            }),
            routing_rules: vec![
                RoutingRule {
                    condition: Some(RoutingCondition {
                        http_error_code_returned_equals: Some("404".into()),
                        key_prefix_equals: None,
                    }),
                    redirect: RoutingRedirect {
                        protocol: Some("https".into()),
                        replace_key_with: Some("404.html".into()),
                        replace_key_prefix_with: None,
                    },
                },
                RoutingRule {
                    condition: Some(RoutingCondition {
                        http_error_code_returned_equals: None,
                        key_prefix_equals: Some("docs/".into()),
                    }),
                    redirect: RoutingRedirect {
                        protocol: Some("https".into()),
                        replace_key_with: None,
                        replace_key_prefix_with: Some("documents/".into()),
                    },
                },
            ],
        }
    }

    #[test]
    fn put_builds_like_the_reference() {
        // bucket/requests.json `put_bucket_website-full`.
        let request = PutBucketWebsite::new(doc())
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "content-md5"), "OExGNbt1WHfi8nps4IZNQA==");
        assert_eq!(header(&request, "content-length"), "737");
        assert!(body_text(&request).contains("<RoutingRules><RoutingRule><Condition>"));
    }

    #[test]
    fn get_round_trips_and_delete_builds() {
        let url = "http://h/?website=".parse().expect("uri");
        let body = body_text(
            &PutBucketWebsite::new(doc())
                .build_request(&config())
                .expect("builds"),
        );
        let out = GetBucketWebsite::new()
            .parse_response(&url, response(200, &[], &body))
            .expect("parses");
        assert_eq!(out.document, doc());
        let bare = GetBucketWebsite::new()
            .parse_response(
                &url,
                response(
                    200,
                    &[],
                    "<WebsiteConfiguration><RoutingRules/></WebsiteConfiguration>",
                ),
            )
            .expect("parses");
        assert_eq!(bare.document, WebsiteConfiguration::default());
        assert!(
            GetBucketWebsite::new()
                .parse_response(&url, error_response(404, "NoSuchWebsiteConfiguration"))
                .is_err()
        );
        assert_eq!(
            DeleteBucketWebsite::new()
                .build_request(&config())
                .expect("builds")
                .uri()
                .query(),
            Some("website=")
        );
    }
}
