//! The XML response parsers: the input is the body of a `200` answer.
//!
//! Every parser must give the same answer with a leading UTF-8 BOM (COS front ends may
//! send one); listings must never ask for the same page again; documents that are also
//! request bodies (tagging, ACL) must survive a write and a re-read unchanged.

use std::fmt::Debug;

use bytes::Bytes;
use cos_proto::Operation;
use cos_proto::ops::{
    self, CompleteMultipartUpload, CopyObject, CopySource, DeleteObjects, GetObjectAcl,
    GetObjectTagging, InitiateMultipartUpload, ListMultipartUploads, ListObjectVersions,
    ListObjects, ListParts, PutObjectAcl, PutObjectTagging, UploadPartCopy,
};

use crate::input::{config, url};

use ops::oracle;

/// Parses `body` as a `200` answer to `op`, checks the BOM rule, and returns the output.
fn parse<O>(op: &O, body: &[u8]) -> Option<O::Output>
where
    O: Operation,
    O::Output: PartialEq + Debug,
{
    let url = url();
    let plain = op.parse_response(&url, http::Response::new(Bytes::copy_from_slice(body)));
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(body);
    let with_bom = op.parse_response(&url, http::Response::new(Bytes::from(bom)));
    match (&plain, &with_bom) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "a leading BOM changed the result"),
        (Err(_), Err(_)) => {}
        _ => panic!("a leading BOM changed the result: {plain:?} vs {with_bom:?}"),
    }
    plain.ok()
}

/// `ListObjects` (`ListBucketResult`). Where the streaming scanner takes the body, it
/// must read what the serde deserializer reads (or fail the same way).
pub fn list_objects(data: &[u8]) {
    if let Some(scanned) = oracle::list_objects_scanned(data) {
        assert_eq!(
            scanned,
            oracle::list_objects_deserialized(data),
            "the scanner and the deserializer disagree"
        );
    }
    let op = ListObjects::new().marker("m");
    if let Some(output) = parse(&op, data)
        && let Some(next) = op.next_page(&output)
    {
        assert!(output.is_truncated, "a page after the last one");
        assert_ne!(next, op, "the next page is this page again");
    }
}

/// `ListObjectVersions` (`ListVersionsResult`).
pub fn list_object_versions(data: &[u8]) {
    let op = ListObjectVersions::new();
    if let Some(output) = parse(&op, data)
        && let Some(next) = op.next_page(&output)
    {
        assert!(output.is_truncated, "a page after the last one");
        assert_ne!(next, op, "the next page is this page again");
    }
}

/// `ListMultipartUploads` (`ListMultipartUploadsResult`), the scanner checked against
/// the deserializer.
pub fn list_multipart_uploads(data: &[u8]) {
    if let Some(scanned) = oracle::list_multipart_uploads_scanned(data) {
        assert_eq!(
            scanned,
            oracle::list_multipart_uploads_deserialized(data),
            "the scanner and the deserializer disagree"
        );
    }
    let op = ListMultipartUploads::new();
    if let Some(output) = parse(&op, data)
        && let Some(next) = op.next_page(&output)
    {
        assert!(output.is_truncated, "a page after the last one");
        assert_ne!(next, op, "the next page is this page again");
    }
}

/// `ListParts` (`ListPartsResult`), the scanner checked against the deserializer.
pub fn list_parts(data: &[u8]) {
    if let Some(scanned) = oracle::list_parts_scanned(data) {
        assert_eq!(
            scanned,
            oracle::list_parts_deserialized(data),
            "the scanner and the deserializer disagree"
        );
    }
    let op = ListParts::new("k", "u").part_number_marker(2);
    if let Some(output) = parse(&op, data)
        && let Some(next) = op.next_page(&output)
    {
        assert!(output.is_truncated, "a page after the last one");
        assert_ne!(next, op, "the next page is this page again");
    }
}

/// `DeleteObjects` (`DeleteResult`).
pub fn delete_objects(data: &[u8]) {
    let _ = parse(&DeleteObjects::new().object("a").object("b"), data);
}

/// `CopyObject` and `UploadPartCopy` (`CopyObjectResult`/`CopyPartResult`, or an
/// `<Error>` inside the `200`).
pub fn copy_result(data: &[u8]) {
    let source = CopySource::new("sourcebucket-1250000000", "src", "ap-guangzhou");
    let copy = parse(&CopyObject::new("k", source.clone()), data);
    let part = parse(&UploadPartCopy::new("k", "u", 1, source), data);
    if let (Some(copy), Some(part)) = (copy, part) {
        assert_eq!(copy.etag, part.etag, "the two copy parsers disagree");
    }
}

/// `CompleteMultipartUpload` (`CompleteMultipartUploadResult`, or an `<Error>`).
pub fn complete_multipart_upload(data: &[u8]) {
    let _ = parse(
        &CompleteMultipartUpload::new("k", "u").part(1, "\"e\""),
        data,
    );
}

/// `InitiateMultipartUpload` (`InitiateMultipartUploadResult`).
pub fn initiate_multipart_upload(data: &[u8]) {
    let _ = parse(&InitiateMultipartUpload::new("k"), data);
}

/// `GetObjectTagging` (`Tagging`); the tags written back by `PutObjectTagging` read the same.
pub fn object_tagging(data: &[u8]) {
    let get = GetObjectTagging::new("k");
    let Some(output) = parse(&get, data) else {
        return;
    };
    let put = PutObjectTagging::new("k").tags(output.tags.clone());
    let Some(body) = request_body(&put) else {
        return;
    };
    let again = parse(&get, &body).expect("a tagging document we wrote does not parse");
    assert_eq!(again.tags, output.tags, "tags changed through a write");
}

/// `GetObjectAcl` (`AccessControlPolicy`); the policy written back by `PutObjectAcl`
/// reads the same.
pub fn object_acl(data: &[u8]) {
    let get = GetObjectAcl::new("k");
    let Some(output) = parse(&get, data) else {
        return;
    };
    let Some(policy) = output.policy() else {
        return;
    };
    let Some(body) = request_body(&PutObjectAcl::new("k").policy(policy)) else {
        return;
    };
    let again = parse(&get, &body).expect("an ACL document we wrote does not parse");
    assert_eq!(
        (again.owner, again.grants),
        (output.owner, output.grants),
        "the ACL changed through a write"
    );
}

/// The XML body of the request `op` builds, if it builds.
fn request_body<O: Operation>(op: &O) -> Option<Vec<u8>> {
    let request = op.build_request(&config()?).ok()?;
    match request.into_body() {
        cos_proto::Body::Bytes(bytes) => Some(bytes.to_vec()),
        _ => None,
    }
}
