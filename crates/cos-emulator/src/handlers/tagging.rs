//! PUT, GET and DELETE Object ?tagging.

use http::{Response, StatusCode};

use super::{MAX_DOCUMENT, check_tags, shows_versions};
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, set_header, xml};
use crate::errors::{CosError, ErrorCode};
use crate::xml_in;
use crate::xml_out;

fn with_version(
    req: &Req<'_>,
    mut response: Response<ResponseBody>,
    version_id: &str,
) -> Response<ResponseBody> {
    if shows_versions(req.versioning()) {
        set_header(&mut response, "x-cos-version-id", version_id);
    }
    response
}

/// PUT Object tagging.
pub(crate) async fn put_tagging(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    let root = xml_in::parse_root(&document, "Tagging")?;
    let set = root.child("TagSet").ok_or_else(|| {
        CosError::with_message(ErrorCode::MalformedXML, "Tagging needs a TagSet.")
    })?;
    let mut tags = Vec::new();
    for tag in set.children_named("Tag") {
        let (Some(key), Some(value)) = (tag.child_text("Key"), tag.child_text("Value")) else {
            return Err(CosError::with_message(
                ErrorCode::MalformedXML,
                "Every Tag needs a Key and a Value.",
            ));
        };
        tags.push((key.to_owned(), value.to_owned()));
    }
    check_tags(&tags)?;
    let version_id =
        req.app
            .store
            .update_version(&req.bucket, &req.key, req.version_id(), |v| {
                v.meta.tags = tags;
                Ok(v.version_id.clone())
            })?;
    Ok(with_version(req, empty(StatusCode::OK), &version_id))
}

/// GET Object tagging.
pub(crate) fn get_tagging(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let version = req
        .app
        .store
        .get_version(&req.bucket, &req.key, req.version_id())?;
    let response = xml(StatusCode::OK, xml_out::tagging(&version.meta.tags));
    Ok(with_version(req, response, &version.version_id))
}

/// DELETE Object tagging.
pub(crate) fn delete_tagging(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let version_id =
        req.app
            .store
            .update_version(&req.bucket, &req.key, req.version_id(), |v| {
                v.meta.tags.clear();
                Ok(v.version_id.clone())
            })?;
    Ok(with_version(
        req,
        empty(StatusCode::NO_CONTENT),
        &version_id,
    ))
}
