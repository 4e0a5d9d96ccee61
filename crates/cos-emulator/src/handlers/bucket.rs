//! The bucket itself: PUT (create), HEAD, DELETE Bucket, GET Bucket location,
//! versioning and the bucket ACL.

use http::{Response, StatusCode};

use super::MAX_DOCUMENT;
use super::acl::{acl_response, requested_acl};
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, set_header, xml};
use crate::errors::{CosError, ErrorCode};
use crate::store::types::{BucketRecord, Versioning};
use crate::xml_in;
use crate::xml_out::{self, XmlWriter};

/// The longest `<bucket>.cos.<region>.myqcloud.com` COS accepts.
const MAX_DOMAIN_LEN: usize = 60;

/// COS's rules for a new bucket's name: `<name>-<appid>`, the name part lower-case
/// letters, digits and `-` (not at either end), the APPID digits, and the whole request
/// domain `<bucket>.cos.<region>.myqcloud.com` at most 60 characters. Anything else is
/// `400 InvalidBucketName`.
pub(crate) fn check_new_bucket_name(name: &str, region: &str) -> Result<(), CosError> {
    let invalid = |why: &str| {
        CosError::with_message(
            ErrorCode::InvalidBucketName,
            format!("The bucket name {name:.80} is not valid: {why}"),
        )
    };
    let Some((short, appid)) = name.rsplit_once('-') else {
        return Err(invalid("it must be <name>-<appid>."));
    };
    if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("it must end with -<appid>, the APPID in digits."));
    }
    let name_ok = !short.is_empty()
        && short
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !short.starts_with('-')
        && !short.ends_with('-');
    if !name_ok {
        return Err(invalid(
            "the name takes lower-case letters, digits and '-', not at either end.",
        ));
    }
    let domain = name.len() + ".cos.".len() + region.len() + ".myqcloud.com".len();
    if domain > MAX_DOMAIN_LEN {
        return Err(invalid(
            "<bucket>.cos.<region>.myqcloud.com must be at most 60 characters.",
        ));
    }
    Ok(())
}

/// The region a virtual-host request names (`<bucket>.cos.<region>.myqcloud.com`).
fn host_region(req: &Req<'_>) -> Option<String> {
    if req.path_style {
        return None;
    }
    let host = req.host.to_ascii_lowercase();
    let rest = host.strip_prefix(&format!("{}.cos.", req.bucket))?;
    let region = rest.split('.').next()?;
    let plausible = region.contains('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    plausible.then(|| region.to_owned())
}

/// The region a bucket reports.
pub(crate) fn bucket_region(req: &Req<'_>, record: &BucketRecord) -> String {
    record
        .region
        .clone()
        .unwrap_or_else(|| req.app.settings.region.clone())
}

/// PUT Bucket: name rules, `x-cos-acl`/`x-cos-grant-*`, an optional
/// `CreateBucketConfiguration` (`BucketAZConfig` `MAZ`, `BucketArchConfig` `OFS`).
/// An existing bucket is `409 BucketAlreadyExists`, as COS answers its owner.
pub(crate) async fn create_bucket(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let region = host_region(req);
    check_new_bucket_name(
        &req.bucket,
        region.as_deref().unwrap_or(&req.app.settings.region),
    )?;
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    let mut record = BucketRecord::new(&req.bucket, Versioning::Unversioned, req.now);
    record.region = region;
    record.acl = super::acl_from_headers(req)?.unwrap_or_default();
    if document.iter().any(|b| !b.is_ascii_whitespace()) {
        let root = xml_in::parse_root(&document, "CreateBucketConfiguration")?;
        let choice = |name: &str, allowed: &[&str]| -> Result<Option<String>, CosError> {
            match root.child_text(name).map(str::trim) {
                None => Ok(None),
                Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
                Some(v) => Err(CosError::with_message(
                    ErrorCode::InvalidArgument,
                    format!("{name} {v:.32} is not supported."),
                )),
            }
        };
        record.az = choice("BucketAZConfig", &["MAZ", "OAZ"])?.filter(|v| v == "MAZ");
        record.arch = choice("BucketArchConfig", &["OFS"])?;
    }
    if !req.app.store.create_bucket_with(record)? {
        return Err(CosError::new(ErrorCode::BucketAlreadyExists));
    }
    Ok(empty(StatusCode::OK))
}

/// HEAD Bucket: 200 with `x-cos-bucket-region` (and `x-cos-bucket-arch: OFS`,
/// `x-cos-bucket-az-type: MAZ` when so created); a missing bucket is a bodiless 404.
pub(crate) fn head_bucket(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let record = req
        .app
        .store
        .read(|s| s.bucket(&req.bucket).map(|b| b.record.clone()))?;
    let mut response = empty(StatusCode::OK);
    set_header(&mut response, "content-type", "application/xml");
    set_header(
        &mut response,
        "x-cos-bucket-region",
        &bucket_region(req, &record),
    );
    if let Some(az) = &record.az {
        set_header(&mut response, "x-cos-bucket-az-type", az);
    }
    if let Some(arch) = &record.arch {
        set_header(&mut response, "x-cos-bucket-arch", arch);
    }
    Ok(response)
}

/// DELETE Bucket: 204, or `409 BucketNotEmpty` while it holds objects or uploads.
pub(crate) fn delete_bucket(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    req.app.store.delete_bucket(&req.bucket)?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// GET Bucket location: `<LocationConstraint>region</LocationConstraint>`.
pub(crate) fn get_location(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let record = req
        .app
        .store
        .read(|s| s.bucket(&req.bucket).map(|b| b.record.clone()))?;
    let mut w = XmlWriter::new();
    w.leaf("LocationConstraint", &bucket_region(req, &record));
    Ok(xml(StatusCode::OK, w.finish()))
}

/// GET Bucket versioning (`<VersioningConfiguration/>` when never set).
pub(crate) fn get_versioning(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    Ok(xml(
        StatusCode::OK,
        xml_out::versioning_configuration(req.versioning().status()),
    ))
}

/// PUT Bucket versioning (`Enabled` or `Suspended`; object writes follow it at once).
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

/// GET Bucket acl.
pub(crate) fn get_bucket_acl(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let acl = req
        .app
        .store
        .read(|s| s.bucket(&req.bucket).map(|b| b.record.acl.clone()))?;
    Ok(acl_response(&req.app.owner(&req.bucket), &acl))
}

/// PUT Bucket acl: headers (`x-cos-acl`, `x-cos-grant-*`) or an `AccessControlPolicy`.
pub(crate) async fn put_bucket_acl(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let acl = requested_acl(req, body).await?;
    req.app.store.update_bucket(&req.bucket, |record| {
        record.acl = acl;
        Ok(())
    })?;
    Ok(empty(StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_bucket_names_follow_cos_rules() {
        let region = "ap-guangzhou";
        assert!(check_new_bucket_name("examplebucket-1250000000", region).is_ok());
        assert!(check_new_bucket_name("a-b-1250000000", region).is_ok());
        for bad in [
            "examplebucket",
            "examplebucket-",
            "-1250000000",
            "Example-1250000000",
            "ex_ample-1250000000",
            "example--1250000000",
            "example-12500x0000",
            "a2345678901234567890-1250000000",
        ] {
            let err = check_new_bucket_name(bad, region).expect_err(bad);
            assert_eq!(err.code, ErrorCode::InvalidBucketName, "{bad}");
        }
        // 30 characters fit with ap-guangzhou (30 + 30 = 60).
        assert!(check_new_bucket_name("a234567890123456789-1250000000", region).is_ok());
    }
}
