//! POST Object ?append&position=N.
//!
//! The first append (position 0) creates an appendable object; each later one must
//! start exactly at its current length (409 `AppendPositionErr` otherwise, with
//! `x-cos-next-append-position`). Objects written any other way answer 409
//! `ObjectNotAppendable`. A successful append answers with the object's ETag,
//! `x-cos-next-append-position`, its CRC-64, and `x-cos-content-sha1`: despite its
//! name, the hex MD5 of the bytes this request appended, as COS's API reference shows
//! and the Go SDK checks. The emulator stores the appended object as a new blob (old
//! bytes, then the new ones) and swaps it in only if nobody appended in between.

use http::{Response, StatusCode};

use super::{
    HashingSink, check_md5, content_md5, declared_length, etag_of, hex, meta_from_headers,
};
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, set_header};
use crate::errors::{CosError, ErrorCode};
use crate::store::types::{ObjectVersion, Versioning};

fn position_error(next: u64) -> CosError {
    CosError::new(ErrorCode::AppendPositionErr)
        .header("x-cos-next-append-position", next.to_string())
}

/// Append Object.
pub(crate) async fn append_object(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let position: u64 = req
        .param("position")
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| {
            CosError::with_message(
                ErrorCode::InvalidArgument,
                "position must be a non-negative integer.",
            )
        })?;
    if req.versioning() != Versioning::Unversioned {
        return Err(CosError::with_message(
            ErrorCode::InvalidRequest,
            "Appendable objects are not supported in buckets with versioning.",
        ));
    }
    let max = req.app.settings.max_object_size;
    declared_length(req, max)?;
    let current = match req.app.store.get_version(&req.bucket, &req.key, None) {
        Ok(v) => Some(v),
        Err(e) if e.code == ErrorCode::NoSuchKey => None,
        Err(e) => return Err(e),
    };
    let base_seq = current.as_ref().map(|c| c.seq);
    let meta = match &current {
        Some(c) if !c.appendable => return Err(CosError::new(ErrorCode::ObjectNotAppendable)),
        Some(c) if c.size != position => return Err(position_error(c.size)),
        Some(c) => c.meta.clone(),
        None if position != 0 => return Err(position_error(0)),
        None => meta_from_headers(req)?,
    };
    let expected_md5 = content_md5(req)?;
    let mut sink = HashingSink::new(&req.app.store)?;
    if let Some(blob) = current.as_ref().and_then(|c| c.blob) {
        let mut old = req.app.store.open_blob(blob, 0, position)?;
        sink.write_from(&mut old)?;
    }
    let mut appended = md5::Md5::default();
    while let Some(chunk) = body.chunk().await? {
        if sink.size() + chunk.len() as u64 > max {
            return Err(CosError::new(ErrorCode::EntityTooLarge));
        }
        md5::Digest::update(&mut appended, &chunk);
        sink.write(&chunk)?;
    }
    let appended_md5: [u8; 16] = md5::Digest::finalize(appended).into();
    let received = sink.commit()?;
    if let Err(e) = check_md5(expected_md5, &appended_md5) {
        req.app.store.discard_blobs(&[received.blob]);
        return Err(e);
    }
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
        appendable: true,
        meta,
        restore: None,
    };
    let key = req.key.clone();
    let stored = req.app.store.put_object(&req.bucket, version, |bucket| {
        let latest = bucket.latest(&key).filter(|v| !v.delete_marker);
        if latest.map(|v| v.seq) != base_seq {
            return Err(position_error(latest.map_or(0, |v| v.size)));
        }
        Ok(())
    })?;
    let mut response = empty(StatusCode::OK);
    set_header(&mut response, "etag", &stored.etag);
    set_header(
        &mut response,
        "x-cos-next-append-position",
        &stored.size.to_string(),
    );
    set_header(&mut response, "x-cos-content-sha1", &hex(&appended_md5));
    if let Some(crc) = stored.crc64 {
        set_header(&mut response, "x-cos-hash-crc64ecma", &crc.to_string());
    }
    Ok(response)
}
