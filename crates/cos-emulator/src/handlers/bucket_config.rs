//! GET, PUT and DELETE of the bucket sub-resources that are one XML document each:
//! `?lifecycle`, `?cors`, `?tagging`, `?referer`, `?website`, `?logging`, `?encryption`,
//! `?replication`, `?domain`, `?intelligenttiering`, `?object-lock`, and the ones kept
//! per id, `?inventory&id=` and `?intelligent-tiering&id=` (listed without `id`).
//!
//! PUT parses the document (`400 MalformedXML` if it is not XML or its root is wrong),
//! checks it ([`super::config_checks`]), and stores its canonical form
//! ([`crate::xml_config`]) in the bucket record; GET serves that text; DELETE removes
//! it (204). GET of a configuration never set answers COS's 404 code for it, or the
//! empty document COS serves for the ones that always exist (logging, referer, v1
//! intelligent tiering).

use http::{Response, StatusCode};

use super::MAX_DOCUMENT;
use super::config_checks as checks;
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, xml};
use crate::errors::{CosError, ErrorCode};
use crate::xml_config;
use crate::xml_in::{self, Element};
use crate::xml_out::XmlWriter;

/// A bucket sub-resource kept as one document (or one per id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sub {
    Lifecycle,
    Cors,
    Tagging,
    Referer,
    Website,
    Logging,
    Encryption,
    Replication,
    Domain,
    TieringV1,
    ObjectLock,
    Inventory,
    TieringV2,
}

/// What GET answers when the configuration was never set.
#[derive(Debug, Clone, Copy)]
enum Missing {
    /// This 404 code.
    Error(ErrorCode),
    /// 200 with this document (children of the root as `(name, text)`).
    Default(&'static [(&'static str, &'static str)]),
}

/// How one sub-resource is handled.
#[derive(Debug, Clone, Copy)]
struct Spec {
    /// The query parameter (and the storage key, or its prefix for keyed ones).
    param: &'static str,
    /// The document's root element.
    root: &'static str,
    /// GET before any PUT.
    missing: Missing,
    /// DELETE is an operation of this sub-resource.
    deletable: bool,
    /// One document per `id` parameter.
    keyed: bool,
    /// The document checks.
    check: fn(&Element) -> Result<(), CosError>,
}

impl Sub {
    /// Every sub-resource, in the order the router looks for their parameters.
    pub(crate) const ALL: [Sub; 13] = [
        Sub::Lifecycle,
        Sub::Cors,
        Sub::Tagging,
        Sub::Referer,
        Sub::Website,
        Sub::Logging,
        Sub::Encryption,
        Sub::Replication,
        Sub::Domain,
        Sub::TieringV1,
        Sub::ObjectLock,
        Sub::Inventory,
        Sub::TieringV2,
    ];

    fn spec(self) -> Spec {
        use ErrorCode as E;
        let spec = |param, root, missing, deletable, keyed, check| Spec {
            param,
            root,
            missing,
            deletable,
            keyed,
            check,
        };
        match self {
            Sub::Lifecycle => spec(
                "lifecycle",
                "LifecycleConfiguration",
                Missing::Error(E::NoSuchLifecycleConfiguration),
                true,
                false,
                checks::lifecycle,
            ),
            Sub::Cors => spec(
                "cors",
                "CORSConfiguration",
                Missing::Error(E::NoSuchCORSConfiguration),
                true,
                false,
                checks::cors,
            ),
            Sub::Tagging => spec(
                "tagging",
                "Tagging",
                Missing::Error(E::NoSuchTagSet),
                true,
                false,
                checks::tagging,
            ),
            Sub::Referer => spec(
                "referer",
                "RefererConfiguration",
                Missing::Default(&[]),
                true,
                false,
                checks::referer,
            ),
            Sub::Website => spec(
                "website",
                "WebsiteConfiguration",
                Missing::Error(E::NoSuchWebsiteConfiguration),
                true,
                false,
                checks::website,
            ),
            Sub::Logging => spec(
                "logging",
                "BucketLoggingStatus",
                Missing::Default(&[]),
                false,
                false,
                checks::logging,
            ),
            Sub::Encryption => spec(
                "encryption",
                "ServerSideEncryptionConfiguration",
                Missing::Error(E::NoSuchEncryptionConfiguration),
                true,
                false,
                checks::encryption,
            ),
            Sub::Replication => spec(
                "replication",
                "ReplicationConfiguration",
                Missing::Error(E::ReplicationConfigurationNotFoundError),
                true,
                false,
                checks::replication,
            ),
            Sub::Domain => spec(
                "domain",
                "DomainConfiguration",
                Missing::Error(E::NoSuchDomainConfiguration),
                true,
                false,
                checks::domain,
            ),
            Sub::TieringV1 => spec(
                "intelligenttiering",
                "IntelligentTieringConfiguration",
                Missing::Default(&[("Status", "Suspended")]),
                false,
                false,
                checks::tiering_v1,
            ),
            Sub::ObjectLock => spec(
                "object-lock",
                "ObjectLockConfiguration",
                Missing::Error(E::NoSuchObjectLockConfiguration),
                false,
                false,
                checks::object_lock,
            ),
            Sub::Inventory => spec(
                "inventory",
                "InventoryConfiguration",
                Missing::Error(E::InventoryConfigurationNotFoundError),
                true,
                true,
                checks::inventory,
            ),
            Sub::TieringV2 => spec(
                "intelligent-tiering",
                "IntelligentTieringConfiguration",
                Missing::Error(E::NoSuchConfiguration),
                true,
                true,
                checks::tiering_v2,
            ),
        }
    }

    /// The query parameter that names this sub-resource.
    pub(crate) fn param(self) -> &'static str {
        self.spec().param
    }

    /// `true` when DELETE applies to it (logging, v1 tiering and object lock have
    /// none: `405 MethodNotAllowed`).
    pub(crate) fn deletable(self) -> bool {
        self.spec().deletable
    }
}

/// The storage key of a configuration: the parameter, plus `/<id>` for keyed ones.
pub(crate) fn storage_key(param: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("{param}/{id}"),
        None => param.to_owned(),
    }
}

/// The stored text of a bucket's `key` configuration, if any.
pub(crate) fn stored(req: &Req<'_>, key: &str) -> Option<String> {
    req.app.store.read(|s| {
        s.buckets
            .get(&req.bucket)
            .and_then(|b| b.record.configs.get(key).cloned())
    })
}

/// The `id` parameter of a keyed sub-resource (`400 InvalidArgument` when required and
/// absent or empty).
fn id_param<'a>(req: &'a Req<'_>, spec: &Spec) -> Result<Option<&'a str>, CosError> {
    if !spec.keyed {
        return Ok(None);
    }
    match req.param("id").filter(|id| !id.is_empty()) {
        Some(id) => Ok(Some(id)),
        None => Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            format!("?{} needs an id.", spec.param),
        )),
    }
}

/// GET of a sub-resource (a listing for keyed ones without `id`).
pub(crate) fn get_config(req: &Req<'_>, sub: Sub) -> Result<Response<ResponseBody>, CosError> {
    let spec = sub.spec();
    if spec.keyed && req.param("id").is_none_or(str::is_empty) {
        return Ok(list_keyed(req, sub));
    }
    let id = id_param(req, &spec)?;
    match stored(req, &storage_key(spec.param, id)) {
        Some(text) => Ok(xml(StatusCode::OK, text)),
        None => match spec.missing {
            Missing::Error(code) => Err(CosError::new(code)),
            Missing::Default(children) => {
                let mut w = XmlWriter::new();
                if children.is_empty() {
                    w.empty(spec.root);
                } else {
                    w.open(spec.root);
                    for (name, text) in children {
                        w.leaf(name, text);
                    }
                    w.close(spec.root);
                }
                Ok(xml(StatusCode::OK, w.finish()))
            }
        },
    }
}

/// Every stored document of a keyed sub-resource, in id order, in COS's list element
/// (`ListInventoryConfigurationResult`, `ListBucketIntelligentTieringConfigurationsOutput`).
fn list_keyed(req: &Req<'_>, sub: Sub) -> Response<ResponseBody> {
    let prefix = format!("{}/", sub.param());
    let documents: Vec<String> = req.app.store.read(|s| {
        s.buckets
            .get(&req.bucket)
            .map(|b| {
                b.record
                    .configs
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default()
    });
    let text = if sub == Sub::Inventory {
        let token = req.param("continuation-token").unwrap_or("");
        xml_config::list(
            "ListInventoryConfigurationResult",
            &documents,
            0,
            &[("IsTruncated", "false"), ("ContinuationToken", token)],
        )
    } else {
        xml_config::list(
            "ListBucketIntelligentTieringConfigurationsOutput",
            &documents,
            1,
            &[],
        )
    };
    xml(StatusCode::OK, text)
}

/// Parses and checks a configuration document for `spec` (root name, checks, and for
/// keyed ones an `Id` equal to the `id` parameter).
fn parse_checked(
    document: &[u8],
    spec: &Spec,
    id: Option<&str>,
    check: fn(&Element) -> Result<(), CosError>,
) -> Result<Element, CosError> {
    let root = xml_in::parse_root(document, spec.root)?;
    check(&root)?;
    if let Some(id) = id
        && root.child_text("Id").map(str::trim) != Some(id)
    {
        return Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            "The Id in the document must equal the id parameter.",
        ));
    }
    Ok(root)
}

/// PUT of a sub-resource. An empty PUT `?referer` removes the referer configuration
/// (the Python SDK's `delete_bucket_referer` sends one).
pub(crate) async fn put_config(
    req: &Req<'_>,
    sub: Sub,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let spec = sub.spec();
    let id = id_param(req, &spec)?;
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    let key = storage_key(spec.param, id);
    if sub == Sub::Referer && document.iter().all(u8::is_ascii_whitespace) {
        remove(req, &key)?;
        return Ok(empty(StatusCode::OK));
    }
    let mut root = parse_checked(&document, &spec, id, spec.check)?;
    if sub == Sub::Referer && root.child("VerifySignatureURL").is_none() {
        root.children.push(Element {
            name: "VerifySignatureURL".into(),
            text: "false".into(),
            ..Element::default()
        });
    }
    if sub == Sub::Logging && root.child("LoggingEnabled").is_none() {
        remove(req, &key)?;
        return Ok(empty(StatusCode::OK));
    }
    let text = xml_config::canonical(&root);
    req.app.store.update_bucket(&req.bucket, |record| {
        record.configs.insert(key, text);
        Ok(())
    })?;
    Ok(empty(StatusCode::OK))
}

/// DELETE of a sub-resource (204 whether or not it was set).
pub(crate) fn delete_config(req: &Req<'_>, sub: Sub) -> Result<Response<ResponseBody>, CosError> {
    let spec = sub.spec();
    if !spec.deletable {
        return Err(CosError::new(ErrorCode::MethodNotAllowed));
    }
    let id = id_param(req, &spec)?;
    remove(req, &storage_key(spec.param, id))?;
    Ok(empty(StatusCode::NO_CONTENT))
}

fn remove(req: &Req<'_>, key: &str) -> Result<(), CosError> {
    req.app.store.update_bucket(&req.bucket, |record| {
        record.configs.remove(key);
        Ok(())
    })
}

/// POST `?inventory&id=`: a one-shot inventory job. The document is checked (no
/// schedule needed) and accepted; nothing is stored and no report is written.
pub(crate) async fn post_inventory(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let spec = Sub::Inventory.spec();
    let id = id_param(req, &spec)?;
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    parse_checked(&document, &spec, id, checks::inventory_once)?;
    Ok(empty(StatusCode::OK))
}
