//! The convenience methods, named like the COS SDKs' calls. Each is a thin wrapper over
//! [`Client::send`].

use cos_proto::ops::{
    AbortMultipartUpload, AbortMultipartUploadOutput, AppendObject, AppendObjectOutput,
    CompleteMultipartUpload, CompleteMultipartUploadOutput, CopyObject, CopyObjectOutput,
    DeleteObject, DeleteObjectOutput, DeleteObjectTagging, DeleteObjectTaggingOutput,
    DeleteObjects, DeleteObjectsOutput, GetObjectAcl, GetObjectAclOutput, GetObjectTagging,
    GetObjectTaggingOutput, HeadObject, InitiateMultipartUpload, InitiateMultipartUploadOutput,
    ListMultipartUploads, ListMultipartUploadsOutput, ListObjectVersions, ListObjectVersionsOutput,
    ListObjects, ListObjectsOutput, ListParts, ListPartsOutput, ObjectInfo, PutObject,
    PutObjectAcl, PutObjectAclOutput, PutObjectOutput, PutObjectTagging, PutObjectTaggingOutput,
    RestoreObject, RestoreObjectOutput, UploadPart, UploadPartCopy, UploadPartCopyOutput,
    UploadPartOutput,
};

use crate::body::UploadBody;
use crate::client::Client;
use crate::error::Error;
use crate::pages::{ListObjectsPages, Pages};

impl Client {
    /// PUT Object. The body's length must match the length given to [`PutObject::new`]
    /// (`None` there sends the body chunked).
    pub async fn put_object(
        &self,
        op: &PutObject,
        body: impl Into<UploadBody>,
    ) -> Result<PutObjectOutput, Error> {
        self.send(op, body).await
    }

    /// HEAD Object.
    pub async fn head_object(&self, op: &HeadObject) -> Result<ObjectInfo, Error> {
        self.send(op, ()).await
    }

    /// DELETE Object.
    pub async fn delete_object(&self, op: &DeleteObject) -> Result<DeleteObjectOutput, Error> {
        self.send(op, ()).await
    }

    /// Delete Multiple Objects.
    pub async fn delete_objects(&self, op: &DeleteObjects) -> Result<DeleteObjectsOutput, Error> {
        self.send(op, ()).await
    }

    /// GET Bucket (one page of the object listing).
    pub async fn list_objects(&self, op: &ListObjects) -> Result<ListObjectsOutput, Error> {
        self.send(op, ()).await
    }

    /// Every page of the object listing, as a stream.
    pub fn list_objects_pages(&self, op: ListObjects) -> ListObjectsPages {
        self.paginate(op)
    }

    /// GET Bucket versions (one page).
    pub async fn list_object_versions(
        &self,
        op: &ListObjectVersions,
    ) -> Result<ListObjectVersionsOutput, Error> {
        self.send(op, ()).await
    }

    /// Every page of the version listing, as a stream.
    pub fn list_object_versions_pages(&self, op: ListObjectVersions) -> Pages<ListObjectVersions> {
        self.paginate(op)
    }

    /// PUT Object - Copy.
    pub async fn copy_object(&self, op: &CopyObject) -> Result<CopyObjectOutput, Error> {
        self.send(op, ()).await
    }

    /// POST Object restore (archived objects).
    pub async fn restore_object(&self, op: &RestoreObject) -> Result<RestoreObjectOutput, Error> {
        self.send(op, ()).await
    }

    /// APPEND Object. The body's length must match the one given to [`AppendObject::new`].
    pub async fn append_object(
        &self,
        op: &AppendObject,
        body: impl Into<UploadBody>,
    ) -> Result<AppendObjectOutput, Error> {
        let err = match self.send(op, body).await {
            Err(err) => err,
            done => return done,
        };
        // Never sent again (it could land twice): a HEAD says whether it landed.
        match op.recheck_after(&err) {
            Some(head) => match self.head_object(&head).await {
                Ok(info) => op.reconcile(&info).ok_or(err),
                Err(_) => Err(err),
            },
            None => Err(err),
        }
    }

    /// List Multipart Uploads (one page).
    pub async fn list_multipart_uploads(
        &self,
        op: &ListMultipartUploads,
    ) -> Result<ListMultipartUploadsOutput, Error> {
        self.send(op, ()).await
    }

    /// Every page of the multipart-upload listing, as a stream.
    pub fn list_multipart_uploads_pages(
        &self,
        op: ListMultipartUploads,
    ) -> Pages<ListMultipartUploads> {
        self.paginate(op)
    }

    /// Initiate Multipart Upload (not retried once it may have reached COS).
    pub async fn create_multipart_upload(
        &self,
        op: &InitiateMultipartUpload,
    ) -> Result<InitiateMultipartUploadOutput, Error> {
        self.send(op, ()).await
    }

    /// Upload Part. The body's length must match the one given to [`UploadPart::new`].
    pub async fn upload_part(
        &self,
        op: &UploadPart,
        body: impl Into<UploadBody>,
    ) -> Result<UploadPartOutput, Error> {
        self.send(op, body).await
    }

    /// Upload Part - Copy.
    pub async fn upload_part_copy(
        &self,
        op: &UploadPartCopy,
    ) -> Result<UploadPartCopyOutput, Error> {
        self.send(op, ()).await
    }

    /// List Parts (one page).
    pub async fn list_parts(&self, op: &ListParts) -> Result<ListPartsOutput, Error> {
        self.send(op, ()).await
    }

    /// Every page of the part listing, as a stream.
    pub fn list_parts_pages(&self, op: ListParts) -> Pages<ListParts> {
        self.paginate(op)
    }

    /// Complete Multipart Upload (per-attempt timeout at least 1200 s).
    pub async fn complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Result<CompleteMultipartUploadOutput, Error> {
        self.send(op, ()).await
    }

    /// Abort Multipart Upload.
    pub async fn abort_multipart_upload(
        &self,
        op: &AbortMultipartUpload,
    ) -> Result<AbortMultipartUploadOutput, Error> {
        self.send(op, ()).await
    }

    /// PUT Object tagging.
    pub async fn put_object_tagging(
        &self,
        op: &PutObjectTagging,
    ) -> Result<PutObjectTaggingOutput, Error> {
        self.send(op, ()).await
    }

    /// GET Object tagging.
    pub async fn get_object_tagging(
        &self,
        op: &GetObjectTagging,
    ) -> Result<GetObjectTaggingOutput, Error> {
        self.send(op, ()).await
    }

    /// DELETE Object tagging.
    pub async fn delete_object_tagging(
        &self,
        op: &DeleteObjectTagging,
    ) -> Result<DeleteObjectTaggingOutput, Error> {
        self.send(op, ()).await
    }

    /// PUT Object ACL.
    pub async fn put_object_acl(&self, op: &PutObjectAcl) -> Result<PutObjectAclOutput, Error> {
        self.send(op, ()).await
    }

    /// GET Object ACL.
    pub async fn get_object_acl(&self, op: &GetObjectAcl) -> Result<GetObjectAclOutput, Error> {
        self.send(op, ()).await
    }
}
