//! The bucket operations that carry a configuration document: the SDK's dict arguments
//! read into `cos-proto`'s typed models, and the parsed documents rendered back.

use std::str::FromStr as _;

use cos_proto::ops::bucket::{self as b};
use cos_proto::ops::{AccessControlPolicy, AclOwner, Grantee, GranteeKind, Permission};
use serde_json::{Value, json};

use super::bucket_ops::Refused;
use super::bucket_view::{py_json_dumps, sdk_dict};
use super::python::{ExtraHeaders, Kwargs, PyOp, typed};
use super::value::py_str;

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
    PutBucketVersioning,
    GetBucketVersioning,
    PutBucketLifecycle,
    GetBucketLifecycle,
    DeleteBucketLifecycle,
    PutBucketCors,
    GetBucketCors,
    DeleteBucketCors,
    PutBucketPolicy,
    GetBucketPolicy,
    DeleteBucketPolicy,
    PutBucketTagging,
    GetBucketTagging,
    DeleteBucketTagging,
    PutBucketAcl,
    GetBucketAcl,
);

/// A dict value or a list of them, as the SDK accepts for repeated elements.
pub(crate) fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(single) => vec![single],
    }
}

/// A text field of a dict.
pub(crate) fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(py_str)
}

/// A number field of a dict (number or decimal text).
pub(crate) fn number(value: &Value, key: &str) -> Result<Option<u32>, String> {
    text(value, key)
        .map(|t| t.parse().map_err(|_| format!("{key} is not a number: {t}")))
        .transpose()
}

/// A list of texts (one text or a list).
pub(crate) fn texts(value: Option<&Value>) -> Vec<String> {
    items(value).into_iter().filter_map(py_str).collect()
}

fn tags(value: Option<&Value>) -> Vec<b::Tag> {
    items(value)
        .into_iter()
        .map(|t| {
            b::Tag::new(
                text(t, "Key").unwrap_or_default(),
                text(t, "Value").unwrap_or_default(),
            )
        })
        .collect()
}

pub(crate) fn operation(name: &str, kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    match name {
        "put_bucket_versioning" => {
            let status = kw.required("Status")?;
            match b::VersioningStatus::from_str(&status) {
                Ok(status) => typed(
                    kw,
                    b::PutBucketVersioning::new(b::VersioningConfiguration::new(status)),
                    None,
                    |_, _| Value::Null,
                ),
                Err(e) => Ok(Box::new(Refused(e.into()))),
            }
        }
        "get_bucket_versioning" => typed(kw, b::GetBucketVersioning::new(), None, |o, _| {
            sdk_dict(&o.document, &[])
        }),
        "put_bucket_lifecycle" => {
            let doc = lifecycle(
                kw.raw("LifecycleConfiguration")
                    .ok_or("missing LifecycleConfiguration")?,
            )?;
            typed(kw, b::PutBucketLifecycle::new(doc), None, |_, _| {
                Value::Null
            })
        }
        "get_bucket_lifecycle" => typed(kw, b::GetBucketLifecycle::new(), None, |o, _| {
            sdk_dict(
                &o.document,
                &["Rule", "Transition", "NoncurrentVersionTransition", "Tag"],
            )
        }),
        "delete_bucket_lifecycle" => typed(kw, b::DeleteBucketLifecycle::new(), None, |_, _| {
            Value::Null
        }),
        "put_bucket_cors" => {
            let doc = cors(
                kw.raw("CORSConfiguration")
                    .ok_or("missing CORSConfiguration")?,
            )?;
            typed(kw, b::PutBucketCors::new(doc), None, |_, _| Value::Null)
        }
        "get_bucket_cors" => typed(kw, b::GetBucketCors::new(), None, |o, _| {
            sdk_dict(
                &o.document,
                &[
                    "CORSRule",
                    "AllowedOrigin",
                    "AllowedMethod",
                    "AllowedHeader",
                    "ExposeHeader",
                ],
            )
        }),
        "delete_bucket_cors" => typed(kw, b::DeleteBucketCors::new(), None, |_, _| Value::Null),
        "put_bucket_policy" => {
            let policy = match kw.raw("Policy").ok_or("missing Policy")? {
                Value::String(text) => text.clone(),
                other => py_json_dumps(other),
            };
            typed(kw, b::PutBucketPolicy::new(policy), None, |_, _| {
                Value::Null
            })
        }
        "get_bucket_policy" => typed(
            kw,
            b::GetBucketPolicy::new(),
            None,
            |o, _| json!({ "Policy": o.policy }),
        ),
        "delete_bucket_policy" => typed(kw, b::DeleteBucketPolicy::new(), None, |_, _| Value::Null),
        "put_bucket_tagging" => {
            let tagging = kw.raw("Tagging").ok_or("missing Tagging")?;
            let doc = b::Tagging {
                tags: tags(tagging.pointer("/TagSet/Tag")),
            };
            typed(kw, b::PutBucketTagging::new(doc), None, |_, _| Value::Null)
        }
        "get_bucket_tagging" => typed(kw, b::GetBucketTagging::new(), None, |o, _| {
            sdk_dict(&o.document, &["Tag"])
        }),
        "delete_bucket_tagging" => {
            typed(kw, b::DeleteBucketTagging::new(), None, |_, _| Value::Null)
        }
        "put_bucket_acl" => put_acl(kw),
        "get_bucket_acl" => typed(kw, b::GetBucketAcl::new(), None, |o, _| acl_view(o)),
        other => super::bucket_documents_more::operation(other, kw),
    }
}

fn lifecycle(value: &Value) -> Result<b::LifecycleConfiguration, String> {
    let mut rules = Vec::new();
    for r in items(value.get("Rule")) {
        let filter = r.get("Filter").map(|f| b::LifecycleFilter {
            prefix: text(f, "Prefix"),
            tags: tags(f.get("Tag")),
            and: f.get("And").map(|a| b::LifecycleAnd {
                prefix: text(a, "Prefix"),
                tags: tags(a.get("Tag")),
            }),
        });
        let mut transitions = Vec::new();
        for t in items(r.get("Transition")) {
            transitions.push(b::Transition {
                days: number(t, "Days")?,
                date: text(t, "Date"),
                storage_class: text(t, "StorageClass").unwrap_or_default(),
            });
        }
        let expiration = match r.get("Expiration") {
            Some(e) => Some(b::Expiration {
                days: number(e, "Days")?,
                date: text(e, "Date"),
                expired_object_delete_marker: text(e, "ExpiredObjectDeleteMarker")
                    .map(|t| t == "true"),
            }),
            None => None,
        };
        let mut noncurrent = Vec::new();
        for t in items(r.get("NoncurrentVersionTransition")) {
            noncurrent.push(b::NoncurrentVersionTransition {
                noncurrent_days: number(t, "NoncurrentDays")?,
                storage_class: text(t, "StorageClass").unwrap_or_default(),
            });
        }
        rules.push(b::LifecycleRule {
            id: text(r, "ID"),
            filter,
            status: text(r, "Status").unwrap_or_default(),
            transitions,
            expiration,
            noncurrent_version_transitions: noncurrent,
            noncurrent_version_expiration: match r.get("NoncurrentVersionExpiration") {
                Some(e) => Some(b::NoncurrentVersionExpiration {
                    noncurrent_days: number(e, "NoncurrentDays")?,
                }),
                None => None,
            },
            abort_incomplete_multipart_upload: match r.get("AbortIncompleteMultipartUpload") {
                Some(a) => Some(b::AbortIncompleteMultipartUpload {
                    days_after_initiation: number(a, "DaysAfterInitiation")?,
                }),
                None => None,
            },
        });
    }
    Ok(b::LifecycleConfiguration { rules })
}

fn cors(value: &Value) -> Result<b::CorsConfiguration, String> {
    let mut rules = Vec::new();
    for r in items(value.get("CORSRule")) {
        rules.push(b::CorsRule {
            id: text(r, "ID"),
            allowed_origins: texts(r.get("AllowedOrigin")),
            allowed_methods: texts(r.get("AllowedMethod")),
            allowed_headers: texts(r.get("AllowedHeader")),
            expose_headers: texts(r.get("ExposeHeader")),
            max_age_seconds: number(r, "MaxAgeSeconds")?,
        });
    }
    Ok(b::CorsConfiguration {
        rules,
        response_vary: text(value, "ResponseVary").map(|t| t == "true"),
    })
}

fn put_acl(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = b::PutBucketAcl::new();
    if let Some(v) = kw.str("ACL") {
        op = op.acl(v);
    }
    if let Some(v) = kw.str("GrantRead") {
        op = op.grant_read(v);
    }
    if let Some(v) = kw.str("GrantWrite") {
        op = op.grant_write(v);
    }
    if let Some(v) = kw.str("GrantFullControl") {
        op = op.grant_full_control(v);
    }
    if let Some(policy) = kw.raw("AccessControlPolicy") {
        let owner = policy.get("Owner").ok_or("Owner")?;
        let mut acl_owner = AclOwner::new(text(owner, "ID").ok_or("Owner.ID")?);
        acl_owner.display_name = text(owner, "DisplayName");
        let mut acp = AccessControlPolicy::new(acl_owner);
        for grant in items(policy.pointer("/AccessControlList/Grant")) {
            let grantee = grant.get("Grantee").ok_or("Grantee")?;
            let grantee = match text(grantee, "@xsi:type").as_deref() {
                Some("Group") => Grantee::group(text(grantee, "URI").unwrap_or_default()),
                _ => Grantee::canonical_user(text(grantee, "ID").unwrap_or_default()),
            };
            acp = acp.grant(
                grantee,
                Permission::parse(&text(grant, "Permission").unwrap_or_default()),
            );
        }
        op = op.policy(acp);
    }
    typed(kw, op, None, |_, _| Value::Null)
}

fn acl_view(o: &b::GetBucketAclOutput) -> Value {
    let plain = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    let grants: Vec<Value> = o
        .grants
        .iter()
        .map(|g| {
            let kind = match &g.grantee.kind {
                GranteeKind::CanonicalUser => "CanonicalUser".to_owned(),
                GranteeKind::Group => "Group".to_owned(),
                GranteeKind::Other(other) => other.clone(),
            };
            json!({
                "Grantee": {
                    "Type": kind,
                    "ID": plain(&g.grantee.id),
                    "URI": plain(&g.grantee.uri),
                    "DisplayName": plain(&g.grantee.display_name),
                },
                "Permission": g.permission.as_str(),
            })
        })
        .collect();
    json!({
        "Owner": o.owner.as_ref().map_or(Value::Null, |owner| json!({
            "ID": owner.id,
            "DisplayName": plain(&owner.display_name),
        })),
        "AccessControlList": { "Grant": grants },
        "CannedACL": o.canned_acl().as_str(),
    })
}
