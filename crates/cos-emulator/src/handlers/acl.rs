//! PUT and GET Object ?acl, and the ACL documents Bucket ?acl shares with them.

use http::{Response, StatusCode};

use super::{MAX_DOCUMENT, acl_from_headers, all_users_grant};
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, set_header, xml};
use crate::errors::{CosError, ErrorCode};
use crate::store::types::{Acl, Grant};
use crate::xml_in;
use crate::xml_out::{self, GrantView};

const PERMISSIONS: [&str; 5] = ["READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"];

/// Parses an `AccessControlPolicy` body into grants (`400 MalformedXML` if invalid).
pub(crate) fn parse_policy(body: &[u8]) -> Result<Acl, CosError> {
    let root = xml_in::parse_root(body, "AccessControlPolicy")?;
    let malformed = |what: &str| CosError::with_message(ErrorCode::MalformedXML, what.to_owned());
    let list = root
        .child("AccessControlList")
        .ok_or_else(|| malformed("AccessControlPolicy needs an AccessControlList."))?;
    let mut grants = Vec::new();
    for grant in list.children_named("Grant") {
        let grantee = grant
            .child("Grantee")
            .ok_or_else(|| malformed("Every Grant needs a Grantee."))?;
        let permission = grant
            .child_text("Permission")
            .map(str::trim)
            .filter(|p| PERMISSIONS.contains(p))
            .ok_or_else(|| malformed("Invalid Permission."))?;
        let id = grantee.child_text("ID").map(|s| s.trim().to_owned());
        let uri = grantee.child_text("URI").map(|s| s.trim().to_owned());
        let grantee_type = match (grantee.attribute("type"), &id, &uri) {
            (Some(t), _, _) => t.to_owned(),
            (None, Some(_), _) => "CanonicalUser".to_owned(),
            (None, None, Some(_)) => "Group".to_owned(),
            (None, None, None) => return Err(malformed("A Grantee needs an ID or a URI.")),
        };
        if id.is_none() && uri.is_none() {
            return Err(malformed("A Grantee needs an ID or a URI."));
        }
        grants.push(Grant {
            grantee_type,
            id,
            uri,
            permission: permission.to_owned(),
        });
    }
    Ok(Acl {
        canned: None,
        grants,
    })
}

/// The ACL a PUT `?acl` asks for: an `AccessControlPolicy` body, else the `x-cos-acl`
/// and `x-cos-grant-*` headers (`400 InvalidArgument` when there is neither).
pub(crate) async fn requested_acl(req: &Req<'_>, body: &mut RequestBody) -> Result<Acl, CosError> {
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    if document.iter().any(|b| !b.is_ascii_whitespace()) {
        parse_policy(&document)
    } else {
        acl_from_headers(req)?.ok_or_else(|| {
            CosError::with_message(
                ErrorCode::InvalidArgument,
                "Send an ACL in x-cos-acl / x-cos-grant-* headers or an AccessControlPolicy body.",
            )
        })
    }
}

/// PUT Object acl: headers (`x-cos-acl`, `x-cos-grant-*`) or an `AccessControlPolicy`.
pub(crate) async fn put_acl(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let acl = requested_acl(req, body).await?;
    req.app
        .store
        .update_version(&req.bucket, &req.key, req.version_id(), |v| {
            v.meta.acl = acl;
            Ok(())
        })?;
    Ok(empty(StatusCode::OK))
}

/// GET Object acl.
pub(crate) fn get_acl(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let version = req
        .app
        .store
        .get_version(&req.bucket, &req.key, req.version_id())?;
    Ok(acl_response(&req.app.owner(&req.bucket), &version.meta.acl))
}

/// The `AccessControlPolicy` response for `acl` (owner `FULL_CONTROL` first unless only
/// explicit grants were set, then the canned ACL's grants, then the explicit ones), with
/// `x-cos-acl` when a canned ACL is set.
pub(crate) fn acl_response(owner: &xml_out::Owner, acl: &Acl) -> Response<ResponseBody> {
    let mut grants: Vec<Grant> = Vec::new();
    if acl.canned.is_some() || acl.grants.is_empty() {
        grants.push(Grant {
            grantee_type: "CanonicalUser".into(),
            id: Some(owner.cam_id()),
            uri: None,
            permission: "FULL_CONTROL".into(),
        });
    }
    match acl.canned.as_deref() {
        Some("public-read") => grants.push(all_users_grant("READ")),
        Some("public-read-write") => {
            grants.push(all_users_grant("READ"));
            grants.push(all_users_grant("WRITE"));
        }
        _ => {}
    }
    grants.extend(acl.grants.iter().cloned());
    let views: Vec<GrantView> = grants
        .into_iter()
        .map(|g| GrantView {
            grantee_type: g.grantee_type,
            id: g.id,
            uri: g.uri,
            permission: g.permission,
        })
        .collect();
    let mut response = xml(
        StatusCode::OK,
        xml_out::access_control_policy(owner, &views),
    );
    if let Some(canned) = &acl.canned {
        set_header(&mut response, "x-cos-acl", canned);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse() {
        let body = br#"<?xml version="1.0" encoding="utf-8"?>
<AccessControlPolicy><Owner><ID>qcs::cam::uin/1:uin/1</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>qcs::cam::uin/1:uin/1</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
        let acl = parse_policy(body).expect("parses");
        assert_eq!(acl.grants.len(), 2);
        assert!(acl.public_read());
        assert!(parse_policy(b"<AccessControlPolicy/>").is_err());
        assert!(parse_policy(b"<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>x</ID></Grantee><Permission>ALL</Permission></Grant></AccessControlList></AccessControlPolicy>").is_err());
    }
}
