//! Multipart uploads: initiate, upload part, upload part copy, list parts, list
//! uploads, complete, abort.

use http::{Response, StatusCode};
use md5::{Digest, Md5};

use super::copy::{copy_data, source_version};
use super::list::{page_size, truncated};
use super::{
    encoding_type, etag_of, hex, meta_from_headers, number_param, receive, shows_versions,
};
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, set_header, xml};
use crate::errors::{CosError, ErrorCode};
use crate::store::Store;
use crate::store::types::{ObjectVersion, Part, Versioning};
use crate::xml_in;
use crate::xml_out::{self, ListPartsDoc, ListUploadsDoc, PartEntry, UploadEntry};

/// The most parts an upload may have.
const MAX_PARTS: u32 = 10_000;

fn upload_id(req: &Req<'_>) -> Result<String, CosError> {
    match req.param("uploadId") {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(CosError::new(ErrorCode::NoSuchUpload)),
    }
}

fn part_number(req: &Req<'_>) -> Result<u32, CosError> {
    let invalid = || {
        CosError::with_message(
            ErrorCode::InvalidArgument,
            "Part number must be an integer between 1 and 10000, inclusive.",
        )
    };
    let n: u32 = req
        .param("partNumber")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(invalid)?;
    if !(1..=MAX_PARTS).contains(&n) {
        return Err(invalid());
    }
    Ok(n)
}

/// Initiate Multipart Upload.
pub(crate) fn initiate(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let meta = meta_from_headers(req)?;
    let upload = req
        .app
        .store
        .create_upload(&req.bucket, &req.key, meta, req.now)?;
    Ok(xml(
        StatusCode::OK,
        xml_out::initiate_result(&req.bucket, &req.key, &upload.upload_id),
    ))
}

/// Upload Part.
pub(crate) async fn upload_part(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let number = part_number(req)?;
    let upload_id = upload_id(req)?;
    req.app
        .store
        .get_upload(&req.bucket, &req.key, &upload_id)?;
    let received = receive(req, body).await?;
    let part = Part {
        number,
        blob: received.blob,
        size: received.size,
        etag: etag_of(&received.md5),
        md5: received.md5,
        crc64: Some(received.crc64),
        last_modified: req.now,
    };
    let etag = part.etag.clone();
    req.app
        .store
        .put_part(&req.bucket, &req.key, &upload_id, part)?;
    let mut response = empty(StatusCode::OK);
    set_header(&mut response, "etag", &etag);
    set_header(
        &mut response,
        "x-cos-hash-crc64ecma",
        &received.crc64.to_string(),
    );
    Ok(response)
}

/// Upload Part - Copy.
pub(crate) fn upload_part_copy(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let number = part_number(req)?;
    let upload_id = upload_id(req)?;
    req.app
        .store
        .get_upload(&req.bucket, &req.key, &upload_id)?;
    let (source, src) = source_version(req)?;
    let range_header = req
        .header("x-cos-copy-source-range")
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let (offset, len) = match range_header {
        None => (0, src.size),
        Some(value) => copy_range(value, src.size).ok_or_else(|| {
            CosError::with_message(
                ErrorCode::InvalidArgument,
                format!(
                    "The x-cos-copy-source-range {value:.64} is not valid for a source of {} bytes.",
                    src.size
                ),
            )
        })?,
    };
    if len > req.app.settings.max_object_size {
        return Err(CosError::new(ErrorCode::EntityTooLarge));
    }
    let received = match copy_data(req, &src, offset, len) {
        Ok(received) => received,
        Err(response) => return Ok(*response),
    };
    let part = Part {
        number,
        blob: received.blob,
        size: received.size,
        etag: etag_of(&received.md5),
        md5: received.md5,
        crc64: Some(received.crc64),
        last_modified: req.now,
    };
    let etag = part.etag.clone();
    req.app
        .store
        .put_part(&req.bucket, &req.key, &upload_id, part)?;
    let mut response = xml(
        StatusCode::OK,
        xml_out::copy_part_result(&etag, Some(received.crc64), req.now),
    );
    if let Some(id) = &source.version_id {
        set_header(&mut response, "x-cos-copy-source-version-id", id);
    }
    set_header(
        &mut response,
        "x-cos-hash-crc64ecma",
        &received.crc64.to_string(),
    );
    Ok(response)
}

/// `bytes=first-last` within an object of `size` bytes: `(offset, len)`.
fn copy_range(value: &str, size: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    let (first, last) = spec.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) || !digits(last) {
        return None;
    }
    let (first, last): (u64, u64) = (first.parse().ok()?, last.parse().ok()?);
    (first <= last && last < size).then(|| (first, last - first + 1))
}

/// List Parts.
pub(crate) fn list_parts(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let upload_id = upload_id(req)?;
    let encode = encoding_type(req)?;
    let marker: u32 = number_param(req, "part-number-marker")?.unwrap_or(0);
    let max_parts = page_size(req, "max-parts")?;
    let upload = req
        .app
        .store
        .get_upload(&req.bucket, &req.key, &upload_id)?;
    let mut parts: Vec<PartEntry> = upload
        .parts
        .values()
        .filter(|p| p.number > marker)
        .take(max_parts.saturating_add(1))
        .map(|p| PartEntry {
            number: p.number,
            last_modified: p.last_modified,
            etag: p.etag.clone(),
            size: p.size,
        })
        .collect();
    let is_truncated = truncated(parts.len() > max_parts, max_parts);
    parts.truncate(max_parts);
    let doc = ListPartsDoc {
        bucket: req.bucket.clone(),
        encode,
        key: req.key.clone(),
        upload_id,
        part_number_marker: marker,
        next_part_number_marker: if is_truncated {
            parts.last().map(|p| p.number)
        } else {
            None
        },
        parts,
        storage_class: upload.meta.storage_class.clone(),
        max_parts,
        is_truncated,
        owner: req.app.owner(&req.bucket),
    };
    Ok(xml(StatusCode::OK, xml_out::list_parts_result(&doc)))
}

/// List Multipart Uploads.
pub(crate) fn list_uploads(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let encode = encoding_type(req)?;
    let prefix = req.param("prefix").unwrap_or("").to_owned();
    let delimiter = req.param("delimiter").unwrap_or("").to_owned();
    let key_marker = req.param("key-marker").unwrap_or("").to_owned();
    let upload_id_marker = req.param("upload-id-marker").unwrap_or("").to_owned();
    let max_uploads = page_size(req, "max-uploads")?;
    let doc = req
        .app
        .store
        .read(|state| -> Result<ListUploadsDoc, CosError> {
            let bucket = state.bucket(&req.bucket)?;
            let mut sorted: Vec<(&str, &str, &crate::store::types::MultipartUpload)> = bucket
                .uploads
                .values()
                .map(|u| (u.key.as_str(), u.upload_id.as_str(), u))
                .collect();
            sorted.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            let mut uploads = Vec::new();
            let mut prefixes: Vec<String> = Vec::new();
            let mut is_truncated = false;
            let mut last: Option<(String, Option<String>)> = None;
            for (key, id, upload) in sorted {
                if !key.starts_with(prefix.as_str()) {
                    continue;
                }
                let after_marker = if key_marker.is_empty() {
                    true
                } else if upload_id_marker.is_empty() {
                    key > key_marker.as_str()
                } else {
                    key > key_marker.as_str()
                        || (key == key_marker && id > upload_id_marker.as_str())
                };
                if !after_marker {
                    continue;
                }
                let common = common_prefix(key, &prefix, &delimiter);
                if let Some(cp) = &common
                    && (prefixes.last() == Some(cp) || cp.as_str() <= key_marker.as_str())
                {
                    continue;
                }
                if uploads.len() + prefixes.len() >= max_uploads {
                    is_truncated = true;
                    break;
                }
                match common {
                    Some(cp) => {
                        last = Some((cp.clone(), None));
                        prefixes.push(cp);
                    }
                    None => {
                        last = Some((key.to_owned(), Some(id.to_owned())));
                        uploads.push(UploadEntry {
                            key: key.to_owned(),
                            upload_id: id.to_owned(),
                            storage_class: upload.meta.storage_class.clone(),
                            initiated: upload.initiated,
                        });
                    }
                }
            }
            let is_truncated = truncated(is_truncated, max_uploads);
            let (next_key_marker, next_upload_id_marker) = match (is_truncated, last) {
                (true, Some((key, id))) => (Some(key), id),
                _ => (None, None),
            };
            Ok(ListUploadsDoc {
                bucket: req.bucket.clone(),
                encode,
                key_marker: key_marker.clone(),
                upload_id_marker: upload_id_marker.clone(),
                next_key_marker,
                next_upload_id_marker,
                max_uploads,
                is_truncated,
                prefix: prefix.clone(),
                delimiter: delimiter.clone(),
                uploads,
                common_prefixes: prefixes,
                owner: req.app.owner(&req.bucket),
            })
        })?;
    Ok(xml(StatusCode::OK, xml_out::list_uploads_result(&doc)))
}

/// The common prefix `key` rolls up into, if any.
pub(crate) fn common_prefix(key: &str, prefix: &str, delimiter: &str) -> Option<String> {
    if delimiter.is_empty() {
        return None;
    }
    let rest = key.get(prefix.len()..)?;
    rest.find(delimiter)
        .map(|pos| key[..prefix.len() + pos + delimiter.len()].to_owned())
}

/// The parts a Complete request lists.
fn requested_parts(body: &[u8]) -> Result<Vec<(u32, String)>, CosError> {
    let root = xml_in::parse_root(body, "CompleteMultipartUpload")?;
    let malformed = |what: &str| {
        CosError::with_message(
            ErrorCode::MalformedXML,
            format!("The XML you provided was not well-formed or did not validate: {what}"),
        )
    };
    let mut parts = Vec::new();
    for part in root.children_named("Part") {
        let number: u32 = part
            .child_text("PartNumber")
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| malformed("every Part needs a PartNumber"))?;
        let etag = part
            .child_text("ETag")
            .ok_or_else(|| malformed("every Part needs an ETag"))?;
        parts.push((number, etag.trim().to_owned()));
    }
    if parts.is_empty() {
        return Err(malformed("at least one Part is required"));
    }
    if parts.len() > MAX_PARTS as usize {
        return Err(malformed("too many parts"));
    }
    Ok(parts)
}

fn same_etag(a: &str, b: &str) -> bool {
    a.trim_matches('"')
        .eq_ignore_ascii_case(b.trim_matches('"'))
}

/// Complete Multipart Upload.
/// A new blob holding `parts`' bytes in order.
fn assemble(store: &Store, parts: &[Part]) -> Result<u64, CosError> {
    let ids: Vec<u64> = parts.iter().map(|part| part.blob).collect();
    if let Some(blob) = store.concat_blobs(&ids)? {
        return Ok(blob);
    }
    let (blob, mut sink) = store.new_blob()?;
    for part in parts {
        let mut source = store.open_blob(part.blob, 0, part.size)?;
        while let Some(chunk) = source.read_chunk(256 * 1024)? {
            sink.write(&chunk)?;
        }
    }
    sink.commit()?;
    Ok(blob)
}

pub(crate) async fn complete(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let upload_id = upload_id(req)?;
    let document = body
        .read_document(super::MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    let requested = requested_parts(&document)?;
    if requested.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(CosError::new(ErrorCode::InvalidPartOrder));
    }
    let upload = req
        .app
        .store
        .get_upload(&req.bucket, &req.key, &upload_id)?;
    let mut parts: Vec<Part> = Vec::with_capacity(requested.len());
    for (number, etag) in &requested {
        match upload.parts.get(number) {
            Some(part) if same_etag(&part.etag, etag) => parts.push(part.clone()),
            _ => {
                return Err(CosError::with_message(
                    ErrorCode::InvalidPart,
                    format!("Part {number} could not be found or its entity tag did not match."),
                ));
            }
        }
    }
    let min = req.app.settings.min_part_size;
    if let Some(small) = parts[..parts.len() - 1].iter().find(|p| p.size < min) {
        return Err(CosError::with_message(
            ErrorCode::EntityTooSmall,
            format!(
                "Part {} is {} bytes; every part but the last must be at least {min} bytes.",
                small.number, small.size
            ),
        ));
    }
    let forbid_overwrite = req
        .header("x-cos-forbid-overwrite")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    // Assemble the object from the parts, in order: by reference where the store can
    // (in memory), else copied. Its ETag and CRC64 come from the parts' (hashed when
    // they arrived), never from hashing the bytes again.
    let blob = assemble(&req.app.store, &parts)?;
    let size: u64 = parts.iter().map(|part| part.size).sum();
    let mut md5s = Md5::new();
    for part in &parts {
        md5s.update(part.md5);
    }
    let crc = parts
        .iter()
        .map(|part| part.crc64.map(|crc| (crc, part.size)))
        .collect::<Option<Vec<_>>>()
        .map(cos_proto::crc64::concat);
    let etag = format!("\"{}-{}\"", hex(&md5s.finalize()), parts.len());
    let version = ObjectVersion {
        key: req.key.clone(),
        version_id: String::new(),
        seq: 0,
        delete_marker: false,
        blob: Some(blob),
        size,
        etag,
        crc64: crc,
        last_modified: req.now,
        appendable: false,
        meta: upload.meta.clone(),
        restore: None,
    };
    let key = req.key.clone();
    let stored =
        req.app
            .store
            .complete_upload(&req.bucket, &upload_id, version, |bucket, current| {
                let unchanged = parts.iter().all(|p| {
                    current
                        .parts
                        .get(&p.number)
                        .is_some_and(|c| c.blob == p.blob)
                });
                if !unchanged {
                    return Err(CosError::with_message(
                        ErrorCode::InvalidPart,
                        "The parts changed while the upload was being completed.",
                    ));
                }
                let exists = bucket.latest(&key).is_some_and(|v| !v.delete_marker);
                if forbid_overwrite && exists && bucket.record.versioning == Versioning::Unversioned
                {
                    return Err(CosError::new(ErrorCode::FileAlreadyExists));
                }
                Ok(())
            })?;
    let location = if req.path_style {
        format!(
            "{}/{}{}",
            req.host,
            req.bucket,
            cos_proto::encode::path_encode(&req.key)
        )
    } else {
        format!("{}{}", req.host, cos_proto::encode::path_encode(&req.key))
    };
    let mut response = xml(
        StatusCode::OK,
        xml_out::complete_result(&location, &req.bucket, &req.key, &stored.etag),
    );
    if let Some(crc) = stored.crc64 {
        set_header(&mut response, "x-cos-hash-crc64ecma", &crc.to_string());
    }
    if shows_versions(req.versioning()) {
        set_header(&mut response, "x-cos-version-id", &stored.version_id);
    }
    Ok(response)
}

/// Abort Multipart Upload.
pub(crate) fn abort(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let upload_id = upload_id(req)?;
    req.app
        .store
        .abort_upload(&req.bucket, &req.key, &upload_id)?;
    Ok(empty(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_bodies() {
        let body = br#"<?xml version="1.0" encoding="utf-8"?><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part><Part><PartNumber>3</PartNumber><ETag>e3</ETag></Part></CompleteMultipartUpload>"#;
        assert_eq!(
            requested_parts(body).expect("parses"),
            vec![(1, "\"e1\"".to_owned()), (3, "e3".to_owned())]
        );
        for bad in [
            &b"<CompleteMultipartUpload/>"[..],
            b"<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>",
            b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
            b"<Other/>",
            b"<CompleteMultipartUpload><Part>",
        ] {
            assert!(requested_parts(bad).is_err());
        }
        assert!(same_etag("\"ABC\"", "abc"));
    }

    #[test]
    fn copy_ranges_must_lie_inside_the_source() {
        assert_eq!(copy_range("bytes=0-3", 10), Some((0, 4)));
        assert_eq!(copy_range("bytes=9-9", 10), Some((9, 1)));
        for bad in [
            "bytes=5-50",
            "bytes=5-1",
            "bytes=-3",
            "bytes=3-",
            "0-3",
            "bytes=a-b",
            "bytes=10-10",
        ] {
            assert_eq!(copy_range(bad, 10), None, "{bad}");
        }
    }

    #[test]
    fn common_prefixes() {
        assert_eq!(common_prefix("a/b/c", "a/", "/").as_deref(), Some("a/b/"));
        assert_eq!(common_prefix("a/b", "a/", "/"), None);
        assert_eq!(common_prefix("a/b", "a/", ""), None);
        assert_eq!(common_prefix("ab", "abc", "/"), None);
    }
}
