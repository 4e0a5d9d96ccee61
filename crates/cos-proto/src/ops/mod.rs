//! Every object operation, one file each; the bucket operations in [`bucket`].
//!
//! Each operation is a plain struct with builder methods for every parameter COS
//! accepts; it implements [`crate::Operation`].

mod abort_multipart_upload;
mod append_object;
pub mod bucket;
mod complete_multipart_upload;
mod copy_object;
mod copy_source;
mod custom_request;
mod delete_object;
mod delete_objects;
mod extras;
pub(crate) use extras::Extras;
mod get_object;
mod head_object;
mod initiate_multipart_upload;
mod list_multipart_uploads;
mod list_object_versions;
mod list_objects;
mod list_parts;
mod listing_common;
mod misc_common;
mod object_acl;
mod object_info;
mod object_tagging;
#[cfg(any(test, feature = "oracle"))]
#[doc(hidden)]
pub mod oracle;
mod put_object;
mod range;
mod restore_object;
mod select_object_content;
mod setters;
#[cfg(test)]
pub(crate) mod test_support;
mod upload_part;
mod upload_part_copy;

pub use abort_multipart_upload::{AbortMultipartUpload, AbortMultipartUploadOutput};
pub use append_object::{AppendObject, AppendObjectOutput, NEXT_APPEND_POSITION_HEADER};
pub use complete_multipart_upload::{CompleteMultipartUpload, CompleteMultipartUploadOutput};
pub use copy_object::{CopyDirective, CopyObject, CopyObjectOutput};
pub use copy_source::CopySource;
pub use custom_request::CustomRequest;
pub use delete_object::{DeleteObject, DeleteObjectOutput};
pub use delete_objects::{
    DeleteError, DeleteObjects, DeleteObjectsOutput, DeletedObject, MAX_DELETE_OBJECTS,
    ObjectIdentifier,
};
pub use get_object::{GetObject, GetObjectOutput, ResponseOverride};
pub use head_object::HeadObject;
pub use initiate_multipart_upload::{InitiateMultipartUpload, InitiateMultipartUploadOutput};
pub use list_multipart_uploads::{
    ListMultipartUploads, ListMultipartUploadsOutput, MultipartUploadSummary,
};
pub use list_object_versions::{
    DeleteMarkerEntry, ListObjectVersions, ListObjectVersionsOutput, ObjectVersion, VersionEntry,
};
pub use list_objects::{ListObjects, ListObjectsOutput, ObjectSummary};
pub use list_parts::{ListParts, ListPartsOutput, PartSummary};
pub use listing_common::Owner;
pub use object_acl::{
    ALL_USERS_GROUP, AccessControlPolicy, AclOwner, CannedAcl, GetObjectAcl, GetObjectAclOutput,
    Grant, Grantee, GranteeKind, Permission, PutObjectAcl, PutObjectAclOutput,
};
pub use object_info::ObjectInfo;
pub use object_tagging::{
    DeleteObjectTagging, DeleteObjectTaggingOutput, GetObjectTagging, GetObjectTaggingOutput,
    MAX_OBJECT_TAGS, PutObjectTagging, PutObjectTaggingOutput,
};
pub use put_object::{MAX_SINGLE_UPLOAD, PutObject, PutObjectOutput};
pub use range::{ByteRange, ContentRange};
pub use restore_object::{RestoreObject, RestoreObjectOutput, RestoreTier};
pub use select_object_content::{
    CompressionType, CsvInput, CsvOutput, FileHeaderInfo, InputFormat, InputSerialization,
    JsonOutput, JsonType, OutputSerialization, QuoteFields, SelectObjectContent,
    SelectObjectContentOutput,
};
pub use upload_part::{UploadPart, UploadPartOutput};
pub use upload_part_copy::{UploadPartCopy, UploadPartCopyOutput};
