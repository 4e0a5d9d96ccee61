//! The listing parsers two ways, for differential testing (the fuzz targets and the
//! tests): the streaming scanner alone, and the serde deserializer the scanner replaces.
//! Not part of the API: built for tests and with the `oracle` feature only.

use crate::error::ResponseError;

use super::listing_common::Decoding;

use super::list_multipart_uploads::{
    deserialize_list_multipart_uploads_result, scan_only_list_multipart_uploads_result,
};
use super::list_objects::{deserialize_list_bucket_result, scan_only_list_bucket_result};
use super::list_parts::{deserialize_list_parts_result, scan_only_list_parts_result};
use super::{ListMultipartUploadsOutput, ListObjectsOutput, ListPartsOutput};

/// A `ListBucketResult` body through the streaming scanner alone: `None` when the body
/// is outside the scanner's subset (the parser then uses the deserializer).
pub fn list_objects_scanned(body: &[u8]) -> Option<Result<ListObjectsOutput, ResponseError>> {
    scan_only_list_bucket_result(body)
}

/// A `ListBucketResult` body through the serde deserializer alone.
pub fn list_objects_deserialized(body: &[u8]) -> Result<ListObjectsOutput, ResponseError> {
    deserialize_list_bucket_result(body, None, Decoding::Decoded)
}

/// A `ListPartsResult` body through the streaming scanner alone.
pub fn list_parts_scanned(body: &[u8]) -> Option<Result<ListPartsOutput, ResponseError>> {
    scan_only_list_parts_result(body)
}

/// A `ListPartsResult` body through the serde deserializer alone.
pub fn list_parts_deserialized(body: &[u8]) -> Result<ListPartsOutput, ResponseError> {
    deserialize_list_parts_result(body, None, Decoding::Decoded)
}

/// A `ListMultipartUploadsResult` body through the streaming scanner alone.
pub fn list_multipart_uploads_scanned(
    body: &[u8],
) -> Option<Result<ListMultipartUploadsOutput, ResponseError>> {
    scan_only_list_multipart_uploads_result(body)
}

/// A `ListMultipartUploadsResult` body through the serde deserializer alone.
pub fn list_multipart_uploads_deserialized(
    body: &[u8],
) -> Result<ListMultipartUploadsOutput, ResponseError> {
    deserialize_list_multipart_uploads_result(body, None, Decoding::Decoded)
}
