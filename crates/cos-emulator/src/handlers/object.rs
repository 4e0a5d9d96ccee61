//! PUT, GET, HEAD and DELETE Object.

use http::{Response, StatusCode};

use super::conditions::{Conditions, Verdict};
use super::range::{self, Span};
use super::{etag_of, meta_from_headers, object_headers, receive, shows_versions, write_headers};
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, set_header};
use crate::errors::{CosError, ErrorCode};
use crate::store::types::{ObjectVersion, Versioning};

/// `response-*` query parameters and the headers they override.
const OVERRIDES: [(&str, &str); 6] = [
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

/// PUT Object.
pub(crate) async fn put_object(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let meta = meta_from_headers(req)?;
    let forbid_overwrite = req
        .header("x-cos-forbid-overwrite")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let received = receive(req, body).await?;
    let version = ObjectVersion {
        key: req.key.clone(),
        version_id: String::new(),
        seq: 0,
        delete_marker: false,
        blob: Some(received.blob),
        size: received.size,
        etag: etag_of(&received.md5),
        crc64: Some(received.crc64),
        last_modified: req.now,
        appendable: false,
        meta,
        restore: None,
    };
    let key = req.key.clone();
    let stored = req.app.store.put_object(&req.bucket, version, |bucket| {
        let exists = bucket.latest(&key).is_some_and(|v| !v.delete_marker);
        if forbid_overwrite && exists && bucket.record.versioning == Versioning::Unversioned {
            return Err(CosError::new(ErrorCode::FileAlreadyExists));
        }
        Ok(())
    })?;
    let mut response = empty(StatusCode::OK);
    write_headers(&mut response, &stored, req.versioning());
    Ok(response)
}

/// GET Object (`head == false`) and HEAD Object.
pub(crate) fn get_object(req: &Req<'_>, head: bool) -> Result<Response<ResponseBody>, CosError> {
    let version = req
        .app
        .store
        .get_version(&req.bucket, &req.key, req.version_id())?;
    let versioning = req.versioning();
    if !head && !version.readable(req.now) {
        return Err(CosError::with_message(
            ErrorCode::InvalidObjectState,
            "The operation is not valid for the object's storage class; restore it first.",
        ));
    }
    let conditions = Conditions {
        if_match: req.header("if-match"),
        if_none_match: req.header("if-none-match"),
        if_modified_since: req.header("if-modified-since"),
        if_unmodified_since: req.header("if-unmodified-since"),
    };
    match conditions.evaluate(&version.etag, version.last_modified) {
        Verdict::Proceed => {}
        Verdict::Failed => return Err(CosError::new(ErrorCode::PreconditionFailed)),
        Verdict::NotModified => return Ok(not_modified(req, &version, versioning)),
    }
    if req
        .parts
        .headers
        .get(http::header::RANGE)
        .is_some_and(|value| value.to_str().is_err())
    {
        return Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            "The Range header is not valid.",
        ));
    }
    // What a fault's proxy serves, or the request's own `Range`.
    let range_header = crate::context::ServedRange::of(req.parts);
    let span = range::resolve(range_header, version.size)?;
    let (status, start, len) = match span {
        Span::Full => (StatusCode::OK, 0, version.size),
        Span::Partial { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
    };
    let body = match (head, version.blob) {
        (false, Some(blob)) => ResponseBody::blob(req.app.store.open_blob(blob, start, len)?),
        _ => ResponseBody::empty(),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    object_headers(&mut response, &version, versioning, req.now);
    set_header(&mut response, "content-length", &len.to_string());
    if let Span::Partial { start, end } = span {
        set_header(
            &mut response,
            "content-range",
            &format!("bytes {start}-{end}/{}", version.size),
        );
    }
    for (param, header) in OVERRIDES {
        if let Some(value) = req.param(param) {
            set_header(&mut response, header, value);
        }
    }
    Ok(response)
}

/// The `304 Not Modified` answer: no body and no `Content-Length`, and the headers
/// RFC 9110 §15.4.5 asks for that a 200 would carry — `ETag`, `Cache-Control` and
/// `Expires` (with their `response-*` overrides) — plus `Last-Modified` and the version
/// id (`Date` and `x-cos-request-id` are added to every answer).
fn not_modified(
    req: &Req<'_>,
    version: &ObjectVersion,
    versioning: Versioning,
) -> Response<ResponseBody> {
    let mut response = empty(StatusCode::NOT_MODIFIED);
    response.headers_mut().remove(http::header::CONTENT_LENGTH);
    set_header(&mut response, "etag", &version.etag);
    set_header(
        &mut response,
        "last-modified",
        &crate::time_fmt::http_date(version.last_modified),
    );
    for (header, stored, param) in [
        (
            "cache-control",
            &version.meta.cache_control,
            "response-cache-control",
        ),
        ("expires", &version.meta.expires, "response-expires"),
    ] {
        if let Some(value) = req.param(param).or(stored.as_deref()) {
            set_header(&mut response, header, value);
        }
    }
    if shows_versions(versioning) {
        set_header(&mut response, "x-cos-version-id", &version.version_id);
    }
    response
}

/// DELETE Object.
pub(crate) fn delete_object(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let requested = req.version_id();
    let outcome = req
        .app
        .store
        .delete_object(&req.bucket, &req.key, requested, req.now)?;
    let mut response = empty(StatusCode::NO_CONTENT);
    if let Some(id) = &outcome.version_id {
        set_header(&mut response, "x-cos-version-id", id);
    }
    if outcome.delete_marker {
        set_header(&mut response, "x-cos-delete-marker", "true");
    }
    Ok(response)
}
