//! PUT Object - Copy, and the copy source shared with Upload Part - Copy.

use http::{Response, StatusCode};

use super::conditions::{Conditions, Verdict};
use super::{
    Received, content_from_headers, copy_blob, etag_of, parse_tag_header, shows_versions,
    storage_class,
};
use crate::body::ResponseBody;
use crate::context::{Req, render_error, set_header, xml};
use crate::errors::{CosError, ErrorCode};
use crate::router::{check_bucket_name, strict_decode};
use crate::store::types::{ObjectVersion, Versioning};
use crate::xml_out;

/// A parsed `x-cos-copy-source`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopySource {
    /// Source bucket.
    pub(crate) bucket: String,
    /// Source key (decoded).
    pub(crate) key: String,
    /// Source version, if named.
    pub(crate) version_id: Option<String>,
}

fn invalid_source(reason: &str) -> CosError {
    CosError::with_message(
        ErrorCode::InvalidCopySource,
        format!("The x-cos-copy-source header is not valid: {reason}."),
    )
}

/// Parses `<bucket>.cos.<region>.myqcloud.com/<encoded key>[?versionId=…]`; also
/// accepts `127.0.0.1:PORT/<bucket>/<key>` and `[/]<bucket>/<key>`.
pub(crate) fn parse_copy_source(value: &str) -> Result<CopySource, CosError> {
    let value = value.trim();
    let value = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .unwrap_or(value);
    let (location, query) = value.split_once('?').unwrap_or((value, ""));
    let location = location.strip_prefix('/').unwrap_or(location);
    let (host, rest) = location
        .split_once('/')
        .ok_or_else(|| invalid_source("no key"))?;
    let host_name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let plain = host_name.parse::<std::net::IpAddr>().is_ok()
        || host_name.eq_ignore_ascii_case("localhost");
    let (bucket, raw_key) = if plain {
        rest.split_once('/')
            .ok_or_else(|| invalid_source("no key"))?
    } else if host.contains('.') {
        (host.split('.').next().unwrap_or_default(), rest)
    } else {
        (host, rest)
    };
    check_bucket_name(bucket).map_err(|_| invalid_source("bad bucket name"))?;
    let key = strict_decode(raw_key).map_err(|_| invalid_source("bad key encoding"))?;
    if key.is_empty() {
        return Err(invalid_source("no key"));
    }
    let version_id = cos_proto::encode::parse_query(query)
        .unwrap_or_default()
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("versionId"))
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty());
    Ok(CopySource {
        bucket: bucket.to_owned(),
        key,
        version_id,
    })
}

/// Resolves the copy source of a request: parses it, finds the version, checks that it
/// can be read and the `x-cos-copy-source-If-*` conditions.
pub(crate) fn source_version(req: &Req<'_>) -> Result<(CopySource, ObjectVersion), CosError> {
    let header = req
        .header("x-cos-copy-source")
        .ok_or_else(|| invalid_source("missing"))?;
    let source = parse_copy_source(header)?;
    let version =
        req.app
            .store
            .get_version(&source.bucket, &source.key, source.version_id.as_deref())?;
    if !version.readable(req.now) {
        return Err(CosError::with_message(
            ErrorCode::InvalidObjectState,
            "The source object is archived; restore it first.",
        ));
    }
    if version.appendable {
        return Err(CosError::with_message(
            ErrorCode::InvalidRequest,
            "Appendable objects cannot be copied.",
        ));
    }
    let conditions = Conditions {
        if_match: req.header("x-cos-copy-source-if-match"),
        if_none_match: req.header("x-cos-copy-source-if-none-match"),
        if_modified_since: req.header("x-cos-copy-source-if-modified-since"),
        if_unmodified_since: req.header("x-cos-copy-source-if-unmodified-since"),
    };
    if conditions.evaluate(&version.etag, version.last_modified) != Verdict::Proceed {
        return Err(CosError::new(ErrorCode::PreconditionFailed));
    }
    Ok((source, version))
}

/// Copies a source range into a new blob. A failure while copying is reported the way
/// COS reports it: `200 OK` with an `<Error>` document.
pub(crate) fn copy_data(
    req: &Req<'_>,
    version: &ObjectVersion,
    offset: u64,
    len: u64,
) -> Result<Received, Box<Response<ResponseBody>>> {
    let result = match version.blob {
        Some(blob) => copy_blob(&req.app.store, blob, offset, len),
        None => Err(CosError::internal("the source has no data")),
    };
    result.map_err(|error| {
        let resource = format!("{}{}", req.host, req.parts.uri.path());
        let mut response = render_error(&error, &req.parts.method, &resource, &req.request_id);
        *response.status_mut() = StatusCode::OK;
        Box::new(response)
    })
}

/// PUT Object - Copy.
pub(crate) fn copy_object(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let (source, src) = source_version(req)?;
    let directive = req
        .header("x-cos-metadata-directive")
        .unwrap_or("Copy")
        .trim()
        .to_owned();
    let replace = match directive.to_ascii_lowercase().as_str() {
        "copy" => false,
        "replaced" => true,
        _ => {
            return Err(CosError::with_message(
                ErrorCode::InvalidArgument,
                "x-cos-metadata-directive must be Copy or Replaced.",
            ));
        }
    };
    let class = storage_class(req)?;
    let same_object = source.bucket == req.bucket && source.key == req.key;
    if same_object && !replace && class.as_deref().is_none_or(|c| c == src.storage_class()) {
        return Err(CosError::with_message(
            ErrorCode::InvalidRequest,
            "This copy request is illegal because it is trying to copy an object to itself \
             without changing the object's metadata or storage class.",
        ));
    }
    let mut meta = src.meta.clone();
    if replace {
        content_from_headers(req, &mut meta)?;
    }
    meta.storage_class = class.unwrap_or_else(|| {
        if replace {
            "STANDARD".to_owned()
        } else {
            src.storage_class().to_owned()
        }
    });
    let tagging_replaced = req
        .header("x-cos-tagging-directive")
        .is_some_and(|d| d.trim().eq_ignore_ascii_case("replaced"));
    if tagging_replaced {
        meta.tags = match req.header("x-cos-tagging") {
            Some(tags) => parse_tag_header(tags)?,
            None => Vec::new(),
        };
    }
    meta.acl = super::acl_from_headers(req)?.unwrap_or_default();
    let received = match copy_data(req, &src, 0, src.size) {
        Ok(received) => received,
        Err(response) => return Ok(*response),
    };
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
    // `x-cos-forbid-overwrite: true` applies to copies as to PUT: an existing destination
    // is kept (409 FileAlreadyExists), unless the bucket has had versioning.
    let forbid_overwrite = req
        .header("x-cos-forbid-overwrite")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let key = req.key.clone();
    let stored = req.app.store.put_object(&req.bucket, version, |bucket| {
        let exists = bucket.latest(&key).is_some_and(|v| !v.delete_marker);
        if forbid_overwrite && exists && bucket.record.versioning == Versioning::Unversioned {
            return Err(CosError::new(ErrorCode::FileAlreadyExists));
        }
        Ok(())
    })?;
    let versioning = req.versioning();
    let version_id = shows_versions(versioning).then_some(stored.version_id.as_str());
    let mut response = xml(
        StatusCode::OK,
        xml_out::copy_object_result(&stored.etag, stored.crc64, stored.last_modified, version_id),
    );
    if let Some(id) = version_id {
        set_header(&mut response, "x-cos-version-id", id);
    }
    if let Some(id) = &source.version_id {
        set_header(&mut response, "x-cos-copy-source-version-id", id);
    }
    if let Some(crc) = stored.crc64 {
        set_header(&mut response, "x-cos-hash-crc64ecma", &crc.to_string());
    }
    if stored.storage_class() != "STANDARD" {
        set_header(&mut response, "x-cos-storage-class", stored.storage_class());
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_forms() {
        let s = parse_copy_source(
            "src-1250000000.cos.ap-beijing.myqcloud.com/dir/%E4%B8%AD%E6%96%87%20a%2Bb.txt?versionId=v1",
        )
        .expect("parses");
        assert_eq!(s.bucket, "src-1250000000");
        assert_eq!(s.key, "dir/中文 a+b.txt");
        assert_eq!(s.version_id.as_deref(), Some("v1"));
        let s = parse_copy_source("127.0.0.1:9000/bkt/a/b").expect("parses");
        assert_eq!((s.bucket.as_str(), s.key.as_str()), ("bkt", "a/b"));
        let s = parse_copy_source("/bkt/k").expect("parses");
        assert_eq!(
            (s.bucket.as_str(), s.key.as_str(), s.version_id),
            ("bkt", "k", None)
        );
        for bad in [
            "",
            "nokey",
            "b.cos.x/",
            "B_AD.cos.x/k",
            "b.cos.x/%zz",
            "127.0.0.1:1/bkt",
        ] {
            assert!(parse_copy_source(bad).is_err(), "{bad}");
        }
    }
}
