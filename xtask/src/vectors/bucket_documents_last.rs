//! Inventory, domain, intelligent tiering and object lock.

use cos_proto::ops::bucket::{self as b};
use serde_json::Value;

use super::bucket_documents::{items, number, text, texts};
use super::bucket_view::sdk_dict;
use super::python::{ExtraHeaders, Kwargs, PyOp, header_view, typed};

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
    PutBucketInventory,
    GetBucketInventory,
    DeleteBucketInventory,
    ListBucketInventoryConfigurations,
    PostBucketInventory,
    PutBucketDomain,
    GetBucketDomain,
    DeleteBucketDomain,
    PutBucketIntelligentTiering,
    GetBucketIntelligentTiering,
    PutBucketIntelligentTieringConfiguration,
    GetBucketIntelligentTieringConfiguration,
    ListBucketIntelligentTieringConfigurations,
    PutBucketObjectLock,
    GetBucketObjectLock,
);

fn doc<'a>(kw: &mut Kwargs<'a>, name: &'a str) -> Result<&'a Value, String> {
    kw.raw(name).ok_or_else(|| format!("missing {name}"))
}

pub(crate) fn operation(name: &str, kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    match name {
        "put_bucket_inventory" | "post_bucket_inventory" => {
            let id = kw.required("Id")?;
            let config = inventory(doc(kw, "InventoryConfiguration")?, id);
            if name == "put_bucket_inventory" {
                typed(kw, b::PutBucketInventory::new(config), None, |_, _| {
                    Value::Null
                })
            } else {
                typed(kw, b::PostBucketInventory::new(config), None, |_, _| {
                    Value::Null
                })
            }
        }
        "get_bucket_inventory" => {
            let op = b::GetBucketInventory::new(kw.required("Id")?);
            typed(kw, op, None, |o, _| sdk_dict(&o.document, &["Field"]))
        }
        "delete_bucket_inventory" => {
            let op = b::DeleteBucketInventory::new(kw.required("Id")?);
            typed(kw, op, None, |_, _| Value::Null)
        }
        "list_bucket_inventory_configurations" => {
            let mut op = b::ListBucketInventoryConfigurations::new();
            if let Some(token) = kw.str("ContinuationToken") {
                op = op.continuation_token(token);
            }
            typed(kw, op, None, |o, _| sdk_dict(&o.document, &[]))
        }
        "put_bucket_domain" => {
            let d = doc(kw, "DomainConfiguration")?;
            let rules = items(d.get("DomainRule"))
                .into_iter()
                .map(|r| b::DomainRule {
                    name: text(r, "Name").unwrap_or_default(),
                    kind: text(r, "Type").unwrap_or_default(),
                    status: text(r, "Status").unwrap_or_default(),
                    forced_replacement: text(r, "ForcedReplacement"),
                })
                .collect();
            typed(
                kw,
                b::PutBucketDomain::new(b::DomainConfiguration { rules }),
                None,
                |_, _| Value::Null,
            )
        }
        "get_bucket_domain" => typed(kw, b::GetBucketDomain::new(), None, |o, _| {
            let mut view = sdk_dict(&o.document, &["DomainRule"]);
            if let (Some(map), Some(txt)) = (view.as_object_mut(), &o.txt_verification) {
                map.insert(
                    "x-cos-domain-txt-verification".into(),
                    Value::String(txt.clone()),
                );
            }
            view
        }),
        "delete_bucket_domain" => typed(kw, b::DeleteBucketDomain::new(), None, |_, _| Value::Null),
        "put_bucket_intelligenttiering" => {
            let d = doc(kw, "IntelligentTieringConfiguration")?;
            let transition = match d.get("Transition") {
                Some(t) => Some(b::TieringTransition {
                    days: number(t, "Days")?,
                    request_frequent: number(t, "RequestFrequent")?,
                }),
                None => None,
            };
            let config = b::IntelligentTieringConfiguration {
                status: text(d, "Status").unwrap_or_default(),
                transition,
            };
            typed(
                kw,
                b::PutBucketIntelligentTiering::new(config),
                None,
                |_, _| Value::Null,
            )
        }
        "get_bucket_intelligenttiering" => {
            typed(kw, b::GetBucketIntelligentTiering::new(), None, |o, _| {
                sdk_dict(&o.document, &[])
            })
        }
        "put_bucket_intelligenttiering_v2" => {
            let id = kw.required("Id")?;
            let mut config = tiering(doc(kw, "IntelligentTieringConfiguration")?)?;
            config.id = id;
            typed(
                kw,
                b::PutBucketIntelligentTieringConfiguration::new(config),
                None,
                |_, _| Value::Null,
            )
        }
        "get_bucket_intelligenttiering_v2" => {
            let op = b::GetBucketIntelligentTieringConfiguration::new(kw.required("Id")?);
            typed(kw, op, None, |o, _| sdk_dict(&o.document, &[]))
        }
        "list_bucket_intelligenttiering_configurations" => typed(
            kw,
            b::ListBucketIntelligentTieringConfigurations::new(),
            None,
            |o, _| sdk_dict(&o.document, &["IntelligentTieringConfiguration"]),
        ),
        "put_bucket_object_lock" => {
            let d = doc(kw, "ObjectLockConfiguration")?;
            let rule = match d.pointer("/Rule/DefaultRetention") {
                Some(r) => Some(b::ObjectLockRule {
                    default_retention: b::DefaultRetention {
                        days: number(r, "Days")?,
                    },
                }),
                None => None,
            };
            let config = b::ObjectLockConfiguration {
                object_lock_enabled: text(d, "ObjectLockEnabled"),
                rule,
            };
            // The SDK returns the response headers.
            typed(kw, b::PutBucketObjectLock::new(config), None, |_, r| {
                Value::Object(header_view(r))
            })
        }
        "get_bucket_object_lock" => typed(kw, b::GetBucketObjectLock::new(), None, |o, _| {
            sdk_dict(&o.document, &[])
        }),
        other => Err(format!("operation {other} is not mapped")),
    }
}

fn inventory(d: &Value, id: String) -> b::InventoryConfiguration {
    let dest = d
        .pointer("/Destination/COSBucketDestination")
        .cloned()
        .unwrap_or(Value::Null);
    b::InventoryConfiguration {
        id,
        is_enabled: text(d, "IsEnabled").map(|t| t == "true"),
        destination: b::InventoryDestination {
            bucket: b::CosBucketDestination {
                format: text(&dest, "Format").unwrap_or_default(),
                account_id: text(&dest, "AccountId"),
                bucket: text(&dest, "Bucket").unwrap_or_default(),
                prefix: text(&dest, "Prefix"),
                encryption: dest.get("Encryption").map(|e| b::InventoryEncryption {
                    sse_cos: e.get("SSE-COS").map(|_| b::SseCos {}),
                }),
            },
        },
        schedule: d.get("Schedule").map(|s| b::InventorySchedule {
            frequency: text(s, "Frequency").unwrap_or_default(),
        }),
        filter: d.get("Filter").map(|f| b::InventoryFilter {
            prefix: text(f, "Prefix"),
        }),
        included_object_versions: text(d, "IncludedObjectVersions").unwrap_or_default(),
        optional_fields: texts(d.pointer("/OptionalFields/Field")),
    }
}

fn tiering(d: &Value) -> Result<b::TieringConfiguration, String> {
    let mut tierings = Vec::new();
    for t in items(d.get("Tiering")) {
        tierings.push(b::Tiering {
            access_tier: text(t, "AccessTier").unwrap_or_default(),
            days: number(t, "Days")?,
            request_frequent: number(t, "RequestFrequent")?,
        });
    }
    Ok(b::TieringConfiguration {
        id: text(d, "Id").unwrap_or_default(),
        status: text(d, "Status").unwrap_or_default(),
        filter: d.get("Filter").map(|f| b::TieringFilter {
            and: f.get("And").map(|a| b::TieringAnd {
                prefix: text(a, "Prefix"),
                tags: items(a.get("Tag"))
                    .into_iter()
                    .map(|t| {
                        b::Tag::new(
                            text(t, "Key").unwrap_or_default(),
                            text(t, "Value").unwrap_or_default(),
                        )
                    })
                    .collect(),
            }),
        }),
        tierings,
    })
}
