//! Service and bucket requests: GET Service, PUT/HEAD/DELETE Bucket, versioning.

use http::{Response, StatusCode};

use super::MAX_DOCUMENT;
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, set_header, xml};
use crate::errors::{CosError, ErrorCode};
use crate::store::types::Versioning;
use crate::xml_in;
use crate::xml_out;

/// GET Service: every bucket.
pub(crate) fn list_buckets(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let buckets: Vec<(String, u64)> = req.app.store.read(|state| {
        state
            .buckets
            .values()
            .map(|b| (b.record.name.clone(), b.record.created))
            .collect()
    });
    let owner = req.app.owner("");
    Ok(xml(
        StatusCode::OK,
        xml_out::list_buckets_result(&owner, &buckets, &req.app.settings.region),
    ))
}

/// PUT Bucket.
pub(crate) async fn create_bucket(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    // A CreateBucketConfiguration body is accepted and ignored.
    body.read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    if !req
        .app
        .store
        .create_bucket(&req.bucket, Versioning::Unversioned, req.now)?
    {
        return Err(CosError::new(ErrorCode::BucketAlreadyOwnedByYou));
    }
    Ok(empty(StatusCode::OK))
}

/// HEAD Bucket.
pub(crate) fn head_bucket(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let mut response = empty(StatusCode::OK);
    set_header(
        &mut response,
        "x-cos-bucket-region",
        &req.app.settings.region,
    );
    Ok(response)
}

/// DELETE Bucket (409 `BucketNotEmpty` while it holds objects).
pub(crate) fn delete_bucket(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    req.app.store.delete_bucket(&req.bucket)?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// GET Bucket versioning.
pub(crate) fn get_versioning(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    Ok(xml(
        StatusCode::OK,
        xml_out::versioning_configuration(req.versioning().status()),
    ))
}

/// PUT Bucket versioning.
pub(crate) async fn put_versioning(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    let root = xml_in::parse_root(&document, "VersioningConfiguration")?;
    let versioning = match root.child_text("Status").map(str::trim) {
        Some("Enabled") => Versioning::Enabled,
        Some("Suspended") => Versioning::Suspended,
        _ => {
            return Err(CosError::with_message(
                ErrorCode::MalformedXML,
                "Status must be Enabled or Suspended.",
            ));
        }
    };
    req.app.store.set_versioning(&req.bucket, versioning)?;
    Ok(empty(StatusCode::OK))
}
