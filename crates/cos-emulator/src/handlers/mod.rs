//! One file per operation group. Shared here: reading object attributes from request
//! headers, streaming a body into a blob (with MD5, CRC-64 and Content-MD5 checks),
//! copying blob ranges, and writing an object's response headers.

pub(crate) mod acl;
pub(crate) mod append;
pub(crate) mod bucket;
pub(crate) mod bucket_config;
pub(crate) mod conditions;
pub(crate) mod config_checks;
pub(crate) mod copy;
pub(crate) mod cors;
pub(crate) mod delete_multiple;
pub(crate) mod lifecycle;
pub(crate) mod list;
pub(crate) mod multipart;
pub(crate) mod object;
pub(crate) mod policy;
pub(crate) mod range;
pub(crate) mod restore;
pub(crate) mod service;
pub(crate) mod tagging;
pub(crate) mod user_meta;

use base64::Engine;
use cos_proto::crc64::Crc64;
use http::Response;
use md5::{Digest, Md5};

use crate::body::RequestBody;
use crate::context::{Req, set_header};
use crate::errors::{CosError, ErrorCode};
use crate::store::types::{
    ALL_USERS, Acl, Grant, ObjectMeta, ObjectVersion, RestoreStatus, Versioning,
};
use crate::store::{BlobSink, BlobSource, Store};
use crate::time_fmt::http_date;

/// The largest XML document accepted in a request body.
pub(crate) const MAX_DOCUMENT: usize = 4 * 1024 * 1024;

/// Canned ACLs COS accepts.
const CANNED_ACLS: [&str; 4] = ["private", "public-read", "public-read-write", "default"];

/// Storage classes COS documents.
const STORAGE_CLASSES: [&str; 9] = [
    "STANDARD",
    "STANDARD_IA",
    "ARCHIVE",
    "DEEP_ARCHIVE",
    "INTELLIGENT_TIERING",
    "MAZ_STANDARD",
    "MAZ_STANDARD_IA",
    "MAZ_INTELLIGENT_TIERING",
    "MAZ_ARCHIVE",
];

/// A blob written from a request body or a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Received {
    /// The committed blob.
    pub(crate) blob: u64,
    /// Its length.
    pub(crate) size: u64,
    /// Its MD5.
    pub(crate) md5: [u8; 16],
    /// Its CRC-64/XZ.
    pub(crate) crc64: u64,
}

/// `"<hex md5>"`.
pub(crate) fn etag_of(md5: &[u8; 16]) -> String {
    format!("\"{}\"", hex(md5))
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes bytes through a sink while hashing them.
pub(crate) struct HashingSink {
    sink: Box<dyn BlobSink>,
    blob: u64,
    /// `None` on a bench-only store that skips the MD5 (see [`Store::cheap_etags`]).
    md5: Option<Md5>,
    crc: Crc64,
    size: u64,
}

impl HashingSink {
    /// Starts a new blob in `store`, computing its MD5 unless the store is a bench-only
    /// one that skips it.
    pub(crate) fn new(store: &Store) -> Result<Self, CosError> {
        Self::with_md5(store, !store.cheap_etags())
    }

    /// Starts a new blob in `store`; `md5` says whether its MD5 is computed (it always
    /// is when the store is not a bench-only one).
    pub(crate) fn with_md5(store: &Store, md5: bool) -> Result<Self, CosError> {
        let (blob, sink) = store.new_blob()?;
        Ok(Self {
            sink,
            blob,
            md5: (md5 || !store.cheap_etags()).then(Md5::new),
            crc: Crc64::new(),
            size: 0,
        })
    }

    /// Appends bytes.
    pub(crate) fn write(&mut self, data: &[u8]) -> Result<(), CosError> {
        self.sink.write(data)?;
        if let Some(md5) = &mut self.md5 {
            md5.update(data);
        }
        self.crc.update(data);
        self.size += data.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Appends everything from `source`.
    pub(crate) fn write_from(&mut self, source: &mut BlobSource) -> Result<(), CosError> {
        while let Some(chunk) = source.read_chunk(256 * 1024)? {
            self.write(&chunk)?;
        }
        Ok(())
    }

    /// Commits the blob.
    pub(crate) fn commit(self) -> Result<Received, CosError> {
        let crc64 = self.crc.value();
        let md5: [u8; 16] = match self.md5 {
            Some(md5) => md5.finalize().into(),
            None => cheap_etag(crc64, self.size),
        };
        self.sink.commit()?;
        Ok(Received {
            blob: self.blob,
            size: self.size,
            md5,
            crc64,
        })
    }
}

/// The 16 bytes a bench-only store gives a body in place of its MD5: the CRC-64 and the
/// length, which are computed anyway. Not an MD5: ETags from such a store are only
/// unique per content as far as CRC-64 and length are.
fn cheap_etag(crc64: u64, size: u64) -> [u8; 16] {
    let mut etag = [0u8; 16];
    etag[..8].copy_from_slice(&crc64.to_be_bytes());
    etag[8..].copy_from_slice(&size.to_be_bytes());
    etag
}

/// The MD5 a `Content-MD5` header announces (`InvalidDigest` if malformed).
pub(crate) fn content_md5(req: &Req<'_>) -> Result<Option<[u8; 16]>, CosError> {
    let Some(value) = req.parts.headers.get("content-md5") else {
        return Ok(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.as_bytes())
        .map_err(|_| CosError::new(ErrorCode::InvalidDigest))?;
    let md5: [u8; 16] = decoded
        .try_into()
        .map_err(|_| CosError::new(ErrorCode::InvalidDigest))?;
    Ok(Some(md5))
}

/// Fails with `BadDigest` when the body's MD5 differs from `Content-MD5`.
pub(crate) fn check_md5(expected: Option<[u8; 16]>, actual: &[u8; 16]) -> Result<(), CosError> {
    match expected {
        Some(expected) if &expected != actual => Err(CosError::new(ErrorCode::BadDigest)),
        _ => Ok(()),
    }
}

/// The declared body length; 411 when the request has neither `Content-Length` nor
/// chunked framing; 400 `EntityTooLarge` above `max`.
pub(crate) fn declared_length(req: &Req<'_>, max: u64) -> Result<Option<u64>, CosError> {
    let length = match req.parts.headers.get(http::header::CONTENT_LENGTH) {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    CosError::with_message(ErrorCode::InvalidArgument, "Invalid Content-Length.")
                })?,
        ),
        None if req
            .parts
            .headers
            .contains_key(http::header::TRANSFER_ENCODING) =>
        {
            None
        }
        None => return Err(CosError::new(ErrorCode::MissingContentLength)),
    };
    if length.is_some_and(|l| l > max) {
        return Err(CosError::new(ErrorCode::EntityTooLarge));
    }
    Ok(length)
}

/// Streams the request body into a new blob: checks the length limit, computes MD5 and
/// CRC-64, and verifies `Content-MD5`. Nothing is committed on failure.
pub(crate) async fn receive(req: &Req<'_>, body: &mut RequestBody) -> Result<Received, CosError> {
    let max = req.app.settings.max_object_size;
    declared_length(req, max)?;
    let expected_md5 = content_md5(req)?;
    // A `Content-MD5` is always checked, even by a bench-only store.
    let mut sink = HashingSink::with_md5(&req.app.store, expected_md5.is_some())?;
    while let Some(chunk) = body.chunk().await? {
        if sink.size() + chunk.len() as u64 > max {
            return Err(CosError::new(ErrorCode::EntityTooLarge));
        }
        sink.write(&chunk)?;
    }
    let received = sink.commit()?;
    if let Err(e) = check_md5(expected_md5, &received.md5) {
        req.app.store.discard_blobs(&[received.blob]);
        return Err(e);
    }
    Ok(received)
}

/// Copies `len` bytes of a blob from `offset` into a new blob.
pub(crate) fn copy_blob(
    store: &Store,
    blob: u64,
    offset: u64,
    len: u64,
) -> Result<Received, CosError> {
    let mut source = store.open_blob(blob, offset, len)?;
    let mut sink = HashingSink::new(store)?;
    sink.write_from(&mut source)?;
    sink.commit()
}

fn text_header(req: &Req<'_>, name: &str) -> Option<String> {
    req.parts
        .headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// A storage class header value, checked (`InvalidArgument` for unknown classes).
pub(crate) fn storage_class(req: &Req<'_>) -> Result<Option<String>, CosError> {
    match req.header("x-cos-storage-class") {
        None => Ok(None),
        Some(value) => {
            let upper = value.trim().to_ascii_uppercase();
            if STORAGE_CLASSES.contains(&upper.as_str()) {
                Ok(Some(upper))
            } else {
                Err(CosError::with_message(
                    ErrorCode::InvalidArgument,
                    format!("The storage class {value} is not supported."),
                ))
            }
        }
    }
}

/// Parses `k1=v1&k2=v2` (URL-encoded) tags, at most 10.
pub(crate) fn parse_tag_header(value: &str) -> Result<Vec<(String, String)>, CosError> {
    let pairs = cos_proto::encode::parse_query(value)
        .ok_or_else(|| CosError::new(ErrorCode::InvalidTag))?;
    check_tags(&pairs)?;
    Ok(pairs)
}

/// COS's tag rules: at most 10, keys 1..=128 and values 0..=256 characters, no
/// duplicate keys.
pub(crate) fn check_tags(tags: &[(String, String)]) -> Result<(), CosError> {
    if tags.len() > 10 {
        return Err(CosError::with_message(
            ErrorCode::InvalidTag,
            "Object tags cannot be greater than 10.",
        ));
    }
    for (i, (key, value)) in tags.iter().enumerate() {
        if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(CosError::new(ErrorCode::InvalidTag));
        }
        if tags[..i].iter().any(|(k, _)| k == key) {
            return Err(CosError::with_message(
                ErrorCode::InvalidTag,
                "Cannot provide multiple tags with the same key.",
            ));
        }
    }
    Ok(())
}

/// Parses one `x-cos-grant-*` header: `id="…",uin="…",uri="…"` entries.
fn parse_grantees(value: &str, permission: &str) -> Result<Vec<Grant>, CosError> {
    let bad = || {
        CosError::with_message(
            ErrorCode::InvalidArgument,
            format!("Invalid grant header value: {value}"),
        )
    };
    let mut grants = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (kind, quoted) = entry.split_once('=').ok_or_else(bad)?;
        let id = quoted
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(bad)?;
        let grant = match kind.trim().to_ascii_lowercase().as_str() {
            "id" => Grant {
                grantee_type: "CanonicalUser".into(),
                id: Some(id.to_owned()),
                uri: None,
                permission: permission.to_owned(),
            },
            "uin" => Grant {
                grantee_type: "CanonicalUser".into(),
                id: Some(format!("qcs::cam::uin/{id}:uin/{id}")),
                uri: None,
                permission: permission.to_owned(),
            },
            "uri" => Grant {
                grantee_type: "Group".into(),
                id: None,
                uri: Some(id.to_owned()),
                permission: permission.to_owned(),
            },
            _ => return Err(bad()),
        };
        grants.push(grant);
    }
    Ok(grants)
}

/// The ACL the `x-cos-acl` and `x-cos-grant-*` headers describe, `None` if none is sent.
pub(crate) fn acl_from_headers(req: &Req<'_>) -> Result<Option<Acl>, CosError> {
    let mut acl = Acl::default();
    let mut any = false;
    if let Some(canned) = req.header("x-cos-acl") {
        let canned = canned.trim();
        if !CANNED_ACLS.contains(&canned) {
            return Err(CosError::with_message(
                ErrorCode::InvalidArgument,
                format!("The canned ACL {canned} is not valid."),
            ));
        }
        acl.canned = Some(canned.to_owned());
        any = true;
    }
    for (header, permission) in [
        ("x-cos-grant-read", "READ"),
        ("x-cos-grant-write", "WRITE"),
        ("x-cos-grant-read-acp", "READ_ACP"),
        ("x-cos-grant-write-acp", "WRITE_ACP"),
        ("x-cos-grant-full-control", "FULL_CONTROL"),
    ] {
        if let Some(value) = req.header(header) {
            acl.grants.extend(parse_grantees(value, permission)?);
            any = true;
        }
    }
    Ok(any.then_some(acl))
}

/// Content headers and user metadata from the request (what `Replaced` copies take);
/// `400 InvalidArgument` when the user metadata is over COS's limits.
pub(crate) fn content_from_headers(req: &Req<'_>, meta: &mut ObjectMeta) -> Result<(), CosError> {
    meta.content_type = text_header(req, "content-type");
    meta.cache_control = text_header(req, "cache-control");
    meta.content_disposition = text_header(req, "content-disposition");
    meta.content_encoding = text_header(req, "content-encoding");
    meta.content_language = text_header(req, "content-language");
    meta.expires = text_header(req, "expires");
    meta.user_meta = user_meta::user_meta(req)?;
    Ok(())
}

/// Every writer-set attribute from the request headers (PUT, initiate, first append).
pub(crate) fn meta_from_headers(req: &Req<'_>) -> Result<ObjectMeta, CosError> {
    let mut meta = ObjectMeta::default();
    content_from_headers(req, &mut meta)?;
    meta.storage_class = storage_class(req)?.unwrap_or_else(|| "STANDARD".to_owned());
    if let Some(tags) = req.header("x-cos-tagging") {
        meta.tags = parse_tag_header(tags)?;
    }
    meta.acl = acl_from_headers(req)?.unwrap_or_default();
    meta.sse = text_header(req, "x-cos-server-side-encryption");
    meta.sse_kms_key_id = text_header(req, "x-cos-server-side-encryption-cos-kms-key-id");
    meta.sse_customer_algorithm =
        text_header(req, "x-cos-server-side-encryption-customer-algorithm");
    meta.sse_customer_key_md5 = text_header(req, "x-cos-server-side-encryption-customer-key-md5");
    Ok(meta)
}

/// `true` when the bucket tells versions apart (versioning enabled or suspended).
pub(crate) fn shows_versions(versioning: Versioning) -> bool {
    versioning != Versioning::Unversioned
}

/// The headers a write reports: ETag, CRC-64, version id, storage class, encryption.
pub(crate) fn write_headers<B>(
    response: &mut Response<B>,
    version: &ObjectVersion,
    versioning: Versioning,
) {
    set_header(response, "etag", &version.etag);
    if let Some(crc) = version.crc64 {
        set_header(response, "x-cos-hash-crc64ecma", &crc.to_string());
    }
    if shows_versions(versioning) {
        set_header(response, "x-cos-version-id", &version.version_id);
    }
    if version.storage_class() != "STANDARD" {
        set_header(response, "x-cos-storage-class", version.storage_class());
    }
    sse_headers(response, &version.meta);
}

fn sse_headers<B>(response: &mut Response<B>, meta: &ObjectMeta) {
    if let Some(sse) = &meta.sse {
        set_header(response, "x-cos-server-side-encryption", sse);
    }
    if let Some(id) = &meta.sse_kms_key_id {
        set_header(response, "x-cos-server-side-encryption-cos-kms-key-id", id);
    }
    if let Some(alg) = &meta.sse_customer_algorithm {
        set_header(
            response,
            "x-cos-server-side-encryption-customer-algorithm",
            alg,
        );
    }
    if let Some(md5) = &meta.sse_customer_key_md5 {
        set_header(
            response,
            "x-cos-server-side-encryption-customer-key-MD5",
            md5,
        );
    }
}

/// The headers GET and HEAD report for an object.
pub(crate) fn object_headers<B>(
    response: &mut Response<B>,
    version: &ObjectVersion,
    versioning: Versioning,
    now: u64,
) {
    let meta = &version.meta;
    set_header(
        response,
        "content-type",
        meta.content_type
            .as_deref()
            .unwrap_or("application/octet-stream"),
    );
    set_header(response, "accept-ranges", "bytes");
    set_header(response, "last-modified", &http_date(version.last_modified));
    for (name, value) in [
        ("cache-control", &meta.cache_control),
        ("content-disposition", &meta.content_disposition),
        ("content-encoding", &meta.content_encoding),
        ("content-language", &meta.content_language),
        ("expires", &meta.expires),
    ] {
        if let Some(value) = value {
            set_header(response, name, value);
        }
    }
    for (name, value) in &meta.user_meta {
        set_header(response, name, value);
    }
    write_headers(response, version, versioning);
    set_header(
        response,
        "x-cos-object-type",
        if version.appendable {
            "appendable"
        } else {
            "normal"
        },
    );
    if !meta.tags.is_empty() {
        set_header(
            response,
            "x-cos-tagging-count",
            &meta.tags.len().to_string(),
        );
    }
    if version.is_archived() {
        match version.restore_status(now) {
            RestoreStatus::InProgress => {
                set_header(response, "x-cos-restore", "ongoing-request=\"true\"");
            }
            RestoreStatus::Restored { expires_at } => set_header(
                response,
                "x-cos-restore",
                &format!(
                    "ongoing-request=\"false\", expiry-date=\"{}\"",
                    http_date(expires_at)
                ),
            ),
            RestoreStatus::None => {}
        }
    }
}

/// The everyone-reads group grant.
pub(crate) fn all_users_grant(permission: &str) -> Grant {
    Grant {
        grantee_type: "Group".into(),
        id: None,
        uri: Some(ALL_USERS.to_owned()),
        permission: permission.to_owned(),
    }
}

/// Parses a decimal query parameter (`InvalidArgument` if malformed).
pub(crate) fn number_param<T: std::str::FromStr>(
    req: &Req<'_>,
    name: &str,
) -> Result<Option<T>, CosError> {
    match req.param(name) {
        None | Some("") => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            CosError::with_message(
                ErrorCode::InvalidArgument,
                format!("The value of {name} is not valid: {text}"),
            )
        }),
    }
}

/// `encoding-type`: empty or `url` (`InvalidArgument` otherwise).
pub(crate) fn encoding_type(req: &Req<'_>) -> Result<bool, CosError> {
    match req.param("encoding-type") {
        None | Some("") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("url") => Ok(true),
        Some(other) => Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            format!("Invalid Encoding Method specified in Request: {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_headers_parse() {
        let grants = parse_grantees(
            "id=\"qcs::cam::uin/1:uin/2\", uin=\"100000000011\",uri=\"http://cam.qcloud.com/groups/global/AllUsers\"",
            "READ",
        )
        .expect("parses");
        assert_eq!(grants.len(), 3);
        assert_eq!(
            grants[1].id.as_deref(),
            Some("qcs::cam::uin/100000000011:uin/100000000011")
        );
        assert_eq!(grants[2].grantee_type, "Group");
        assert!(parse_grantees("nonsense", "READ").is_err());
        assert!(parse_grantees("id=unquoted", "READ").is_err());
    }

    #[test]
    fn tag_rules() {
        assert!(parse_tag_header("a=1&b=%E4%B8%AD").is_ok());
        assert!(parse_tag_header("a=1&a=2").is_err());
        let many = (0..11)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join("&");
        assert!(parse_tag_header(&many).is_err());
        assert!(parse_tag_header("=v").is_err());
    }
}
