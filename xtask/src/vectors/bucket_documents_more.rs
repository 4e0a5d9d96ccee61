//! The remaining configuration documents (referer, website, logging, encryption,
//! replication, inventory, domain, intelligent tiering, object lock).

use cos_proto::ops::bucket::{self as b};
use serde_json::Value;

use super::bucket_documents::{items, text, texts};
use super::bucket_view::sdk_dict;
use super::python::{ExtraHeaders, Kwargs, PyOp, typed};

macro_rules! extra_headers {
    ($($op:ident),* $(,)?) => {
        $(impl ExtraHeaders for b::$op {
            fn extra_header(self, name: String, value: String) -> Self {
                self.header(name, value)
            }
        })*
    };
}

extra_headers!(
    PutBucketReferer,
    GetBucketReferer,
    DeleteBucketReferer,
    PutBucketWebsite,
    GetBucketWebsite,
    DeleteBucketWebsite,
    PutBucketLogging,
    GetBucketLogging,
    PutBucketEncryption,
    GetBucketEncryption,
    DeleteBucketEncryption,
    PutBucketReplication,
    GetBucketReplication,
    DeleteBucketReplication,
);

fn doc<'a>(kw: &mut Kwargs<'a>, name: &'a str) -> Result<&'a Value, String> {
    kw.raw(name).ok_or_else(|| format!("missing {name}"))
}

pub(crate) fn operation(name: &str, kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    match name {
        "put_bucket_referer" => {
            let d = doc(kw, "RefererConfiguration")?;
            let config = b::RefererConfiguration {
                status: text(d, "Status").unwrap_or_default(),
                referer_type: text(d, "RefererType").unwrap_or_default(),
                domains: texts(d.pointer("/DomainList/Domain")),
                empty_refer_configuration: text(d, "EmptyReferConfiguration"),
                verify_signature_url: text(d, "VerifySignatureURL").map(|t| t == "true"),
            };
            typed(kw, b::PutBucketReferer::new(config), None, |_, _| {
                Value::Null
            })
        }
        "get_bucket_referer" => typed(kw, b::GetBucketReferer::new(), None, |o, _| {
            sdk_dict(&o.document, &["Domain"])
        }),
        "delete_bucket_referer" => {
            typed(kw, b::DeleteBucketReferer::new(), None, |_, _| Value::Null)
        }
        "put_bucket_website" => {
            let config = website(doc(kw, "WebsiteConfiguration")?);
            typed(kw, b::PutBucketWebsite::new(config), None, |_, _| {
                Value::Null
            })
        }
        "get_bucket_website" => typed(kw, b::GetBucketWebsite::new(), None, |o, _| {
            // The SDK returns RoutingRules as the list of RoutingRule dicts.
            let mut view = sdk_dict(&o.document, &["RoutingRule"]);
            if let Some(rules) = view.get_mut("RoutingRules") {
                *rules = rules.get("RoutingRule").cloned().unwrap_or(Value::Null);
            }
            view
        }),
        "delete_bucket_website" => {
            typed(kw, b::DeleteBucketWebsite::new(), None, |_, _| Value::Null)
        }
        "put_bucket_logging" => {
            let d = doc(kw, "BucketLoggingStatus")?;
            let config = b::BucketLoggingStatus {
                logging_enabled: d.get("LoggingEnabled").map(|l| b::LoggingEnabled {
                    target_bucket: text(l, "TargetBucket").unwrap_or_default(),
                    target_prefix: text(l, "TargetPrefix"),
                }),
            };
            typed(kw, b::PutBucketLogging::new(config), None, |_, _| {
                Value::Null
            })
        }
        "get_bucket_logging" => typed(kw, b::GetBucketLogging::new(), None, |o, _| {
            sdk_dict(&o.document, &[])
        }),
        "put_bucket_encryption" => {
            let d = doc(kw, "ServerSideEncryptionConfiguration")?;
            let rules = items(d.get("Rule"))
                .into_iter()
                .map(|r| {
                    let a = r
                        .get("ApplyServerSideEncryptionByDefault")
                        .cloned()
                        .unwrap_or(Value::Null);
                    b::EncryptionRule {
                        default: b::ApplyServerSideEncryptionByDefault {
                            sse_algorithm: text(&a, "SSEAlgorithm").unwrap_or_default(),
                            kms_master_key_id: text(&a, "KMSMasterKeyID"),
                        },
                    }
                })
                .collect();
            let config = b::ServerSideEncryptionConfiguration { rules };
            typed(kw, b::PutBucketEncryption::new(config), None, |_, _| {
                Value::Null
            })
        }
        "get_bucket_encryption" => typed(kw, b::GetBucketEncryption::new(), None, |o, _| {
            sdk_dict(&o.document, &["Rule"])
        }),
        "delete_bucket_encryption" => typed(kw, b::DeleteBucketEncryption::new(), None, |_, _| {
            Value::Null
        }),
        "put_bucket_replication" => {
            let d = doc(kw, "ReplicationConfiguration")?;
            let rules = items(d.get("Rule"))
                .into_iter()
                .map(|r| {
                    let dest = r.get("Destination").cloned().unwrap_or(Value::Null);
                    b::ReplicationRule {
                        id: text(r, "ID"),
                        status: text(r, "Status").unwrap_or_default(),
                        prefix: text(r, "Prefix"),
                        destination: b::ReplicationDestination {
                            bucket: text(&dest, "Bucket").unwrap_or_default(),
                            storage_class: text(&dest, "StorageClass"),
                        },
                    }
                })
                .collect();
            let config = b::ReplicationConfiguration {
                role: text(d, "Role").unwrap_or_default(),
                rules,
            };
            typed(kw, b::PutBucketReplication::new(config), None, |_, _| {
                Value::Null
            })
        }
        "get_bucket_replication" => typed(kw, b::GetBucketReplication::new(), None, |o, _| {
            sdk_dict(&o.document, &["Rule"])
        }),
        "delete_bucket_replication" => {
            typed(kw, b::DeleteBucketReplication::new(), None, |_, _| {
                Value::Null
            })
        }
        other => super::bucket_documents_last::operation(other, kw),
    }
}

fn website(d: &Value) -> b::WebsiteConfiguration {
    let rules = items(
        d.get("RoutingRules")
            .map(|r| r.get("RoutingRule").unwrap_or(r)),
    )
    .into_iter()
    .map(|r| {
        let redirect = r.get("Redirect").cloned().unwrap_or(Value::Null);
        b::RoutingRule {
            condition: r.get("Condition").map(|c| b::RoutingCondition {
                http_error_code_returned_equals: text(c, "HttpErrorCodeReturnedEquals"),
                key_prefix_equals: text(c, "KeyPrefixEquals"),
            }),
            redirect: b::RoutingRedirect {
                protocol: text(&redirect, "Protocol"),
                replace_key_with: text(&redirect, "ReplaceKeyWith"),
                replace_key_prefix_with: text(&redirect, "ReplaceKeyPrefixWith"),
            },
        }
    })
    .collect();
    b::WebsiteConfiguration {
        index_document: d.get("IndexDocument").map(|i| b::IndexDocument {
            suffix: text(i, "Suffix").unwrap_or_default(),
        }),
        error_document: d.get("ErrorDocument").map(|e| b::ErrorDocument {
            key: text(e, "Key").unwrap_or_default(),
            original_http_status: text(e, "OriginalHttpStatus"),
        }),
        redirect_all_requests_to: d.get("RedirectAllRequestsTo").map(|r| {
            b::RedirectAllRequestsTo {
                protocol: text(r, "Protocol").unwrap_or_default(),
            }
        }),
        routing_rules: rules,
    }
}
