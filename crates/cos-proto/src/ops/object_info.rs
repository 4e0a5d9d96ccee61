//! What HEAD and GET say about an object.

use http::HeaderMap;

use crate::error::ResponseError;
use crate::headers::{ContentHeaders, StorageClass};
use crate::response::{REQUEST_ID_HEADER, crc64_header, header_text, header_u64, metadata};

/// An object's attributes, read from the response headers of HEAD or GET.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectInfo {
    /// `Content-Length` of this response (the range length for a ranged GET).
    pub content_length: Option<u64>,
    /// `ETag` (with its quotes). Not an MD5 for multipart or encrypted objects.
    pub etag: Option<String>,
    /// `Last-Modified` (HTTP date).
    pub last_modified: Option<String>,
    /// `x-cos-hash-crc64ecma` of the whole object; `None` when COS has none for it.
    pub crc64: Option<u64>,
    /// `x-cos-version-id`.
    pub version_id: Option<String>,
    /// `x-cos-storage-class`; COS omits it for `STANDARD`.
    pub storage_class: Option<StorageClass>,
    /// Content headers as stored (or as overridden by `response-*` parameters).
    pub content: ContentHeaders,
    /// User metadata (`x-cos-meta-*`), names lower-cased.
    pub metadata: Vec<(String, String)>,
    /// `x-cos-server-side-encryption` (`AES256`, `cos/kms`).
    pub server_side_encryption: Option<String>,
    /// `x-cos-object-type`: `normal`, `appendable`.
    pub object_type: Option<String>,
    /// `x-cos-tagging-count`.
    pub tagging_count: Option<u64>,
    /// `x-cos-restore` (restore status of archived objects).
    pub restore: Option<String>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header, for anything not modelled above.
    pub headers: HeaderMap,
}

impl ObjectInfo {
    /// Reads the attributes from response headers.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, ResponseError> {
        Ok(Self {
            content_length: header_u64(headers, "content-length")?,
            etag: header_text(headers, "etag"),
            last_modified: header_text(headers, "last-modified"),
            crc64: crc64_header(headers)?,
            version_id: header_text(headers, "x-cos-version-id"),
            storage_class: header_text(headers, "x-cos-storage-class")
                .map(|s| StorageClass::parse(&s)),
            content: ContentHeaders {
                content_type: header_text(headers, "content-type"),
                cache_control: header_text(headers, "cache-control"),
                content_disposition: header_text(headers, "content-disposition"),
                content_encoding: header_text(headers, "content-encoding"),
                content_language: header_text(headers, "content-language"),
                expires: header_text(headers, "expires"),
            },
            metadata: metadata(headers),
            server_side_encryption: header_text(headers, "x-cos-server-side-encryption"),
            object_type: header_text(headers, "x-cos-object-type"),
            tagging_count: header_u64(headers, "x-cos-tagging-count")?,
            restore: header_text(headers, "x-cos-restore"),
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}
