//! The convenience methods, named like the official SDKs' calls. Each is a thin wrapper
//! over the one generic send path; the operation structs (`cos_proto::ops`) carry every
//! parameter.

use std::path::Path;

use cos_proto::ops::{
    AbortMultipartUpload, AbortMultipartUploadOutput, AppendObject, AppendObjectOutput,
    CompleteMultipartUpload, CompleteMultipartUploadOutput, CopyObject, CopyObjectOutput,
    DeleteObject, DeleteObjectOutput, DeleteObjectTagging, DeleteObjectTaggingOutput,
    DeleteObjects, DeleteObjectsOutput, GetObject, GetObjectAcl, GetObjectAclOutput,
    GetObjectOutput, GetObjectTagging, GetObjectTaggingOutput, HeadObject, InitiateMultipartUpload,
    InitiateMultipartUploadOutput, ListMultipartUploads, ListMultipartUploadsOutput,
    ListObjectVersions, ListObjectVersionsOutput, ListObjects, ListObjectsOutput, ListParts,
    ListPartsOutput, ObjectInfo, PutObject, PutObjectAcl, PutObjectAclOutput, PutObjectOutput,
    PutObjectTagging, PutObjectTaggingOutput, RestoreObject, RestoreObjectOutput,
    SelectObjectContent, UploadPart, UploadPartCopy, UploadPartCopyOutput, UploadPartOutput,
};
use cos_proto::presign::Presign;

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::{self, ObjectBody};
use crate::error::Error;
use crate::pages::{ListObjectsPages, Pages};
use crate::select::SelectEvents;
use cos_transfer::drive::unix_now;

impl Client {
    /// Uploads an object. `body`'s length must be the one the operation announces
    /// (`PutObject::new(key, Some(len))`, or `None` for a reader of unknown length).
    ///
    /// ```no_run
    /// # let client: cos_blocking::Client = unimplemented!();
    /// use cos_blocking::UploadBody;
    /// use cos_proto::ops::PutObject;
    /// let body = UploadBody::file("local.txt")?;
    /// let put = PutObject::new("docs/local.txt", body.len()).content_type("text/plain");
    /// let out = client.put_object(&put, body)?;
    /// println!("{:?}", out.etag);
    /// # Ok::<(), cos_blocking::Error>(())
    /// ```
    pub fn put_object(
        &self,
        op: &PutObject,
        body: impl Into<UploadBody>,
    ) -> Result<PutObjectOutput, Error> {
        self.send(op, body)
    }

    /// Reads an object's attributes.
    pub fn head_object(&self, op: &HeadObject) -> Result<ObjectInfo, Error> {
        self.send(op, ())
    }

    /// Starts a download: the response's headers, and the data as an [`ObjectBody`]
    /// (`std::io::Read`, or [`ObjectBody::chunks`]) that resumes broken transfers.
    pub fn get_object(&self, op: &GetObject) -> Result<(GetObjectOutput, ObjectBody), Error> {
        let (output, body) = self.execute(op, &mut UploadBody::empty())?;
        let (body, started) = body.ok_or(Error::Unsupported("a download without a body"))?;
        let reader = ObjectBody::new(self.clone(), op, &output, body, started);
        Ok((output, reader))
    }

    /// Downloads into `path` atomically (temporary file beside it, fsync, rename), with
    /// the length and, for whole objects, the CRC-64 checked.
    pub fn get_object_to_file(
        &self,
        op: &GetObject,
        path: impl AsRef<Path>,
    ) -> Result<GetObjectOutput, Error> {
        download::to_file(self, op, path.as_ref())
    }

    /// Deletes an object (or a version of it).
    pub fn delete_object(&self, op: &DeleteObject) -> Result<DeleteObjectOutput, Error> {
        self.send(op, ())
    }

    /// Deletes up to 1000 objects in one request.
    pub fn delete_objects(&self, op: &DeleteObjects) -> Result<DeleteObjectsOutput, Error> {
        self.send(op, ())
    }

    /// Lists one page of objects.
    pub fn list_objects(&self, op: &ListObjects) -> Result<ListObjectsOutput, Error> {
        self.send(op, ())
    }

    /// Every page of the object listing, as an iterator.
    pub fn list_objects_pages(&self, op: ListObjects) -> ListObjectsPages {
        self.paginate(op)
    }

    /// Lists one page of object versions and delete markers.
    pub fn list_object_versions(
        &self,
        op: &ListObjectVersions,
    ) -> Result<ListObjectVersionsOutput, Error> {
        self.send(op, ())
    }

    /// Every page of the version listing, as an iterator.
    pub fn list_object_versions_pages(&self, op: ListObjectVersions) -> Pages<ListObjectVersions> {
        self.paginate(op)
    }

    /// Copies an object inside COS (an error inside the `200` is an error).
    pub fn copy_object(&self, op: &CopyObject) -> Result<CopyObjectOutput, Error> {
        self.send(op, ())
    }

    /// Restores an archived object for some days.
    pub fn restore_object(&self, op: &RestoreObject) -> Result<RestoreObjectOutput, Error> {
        self.send(op, ())
    }

    /// Runs a Select query; the events are decoded as they arrive.
    pub fn select_object_content(&self, op: &SelectObjectContent) -> Result<SelectEvents, Error> {
        let (output, body) = self.execute(op, &mut UploadBody::empty())?;
        let (body, _) = body.ok_or(Error::Unsupported("a Select answer without a body"))?;
        Ok(SelectEvents::new(body, &output))
    }

    /// Appends to an appendable object at the operation's position.
    pub fn append_object(
        &self,
        op: &AppendObject,
        body: impl Into<UploadBody>,
    ) -> Result<AppendObjectOutput, Error> {
        let err = match self.send(op, body) {
            Err(err) => err,
            done => return done,
        };
        // Never sent again (it could land twice): a HEAD says whether it landed.
        match op.recheck_after(&err) {
            Some(head) => match self.head_object(&head) {
                Ok(info) => op.reconcile(&info).ok_or(err),
                Err(_) => Err(err),
            },
            None => Err(err),
        }
    }

    /// Lists multipart uploads in progress.
    pub fn list_multipart_uploads(
        &self,
        op: &ListMultipartUploads,
    ) -> Result<ListMultipartUploadsOutput, Error> {
        self.send(op, ())
    }

    /// Every page of the multipart-upload listing, as an iterator.
    pub fn list_multipart_uploads_pages(
        &self,
        op: ListMultipartUploads,
    ) -> Pages<ListMultipartUploads> {
        self.paginate(op)
    }

    /// Starts a multipart upload (retried only when the request surely never left).
    pub fn create_multipart_upload(
        &self,
        op: &InitiateMultipartUpload,
    ) -> Result<InitiateMultipartUploadOutput, Error> {
        self.send(op, ())
    }

    /// Uploads one part.
    pub fn upload_part(
        &self,
        op: &UploadPart,
        body: impl Into<UploadBody>,
    ) -> Result<UploadPartOutput, Error> {
        self.send(op, body)
    }

    /// Copies a range of an object as one part.
    pub fn upload_part_copy(&self, op: &UploadPartCopy) -> Result<UploadPartCopyOutput, Error> {
        self.send(op, ())
    }

    /// Lists the parts of a multipart upload.
    pub fn list_parts(&self, op: &ListParts) -> Result<ListPartsOutput, Error> {
        self.send(op, ())
    }

    /// Every page of the part listing, as an iterator.
    pub fn list_parts_pages(&self, op: ListParts) -> Pages<ListParts> {
        self.paginate(op)
    }

    /// Completes a multipart upload (waits up to the complete timeout for COS to
    /// assemble the object; an error inside the `200` is an error).
    pub fn complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Result<CompleteMultipartUploadOutput, Error> {
        self.execute(op, &mut UploadBody::empty())
            .map(|(output, _)| output)
    }

    /// Aborts a multipart upload.
    pub fn abort_multipart_upload(
        &self,
        op: &AbortMultipartUpload,
    ) -> Result<AbortMultipartUploadOutput, Error> {
        self.send(op, ())
    }

    /// Replaces an object's tags.
    pub fn put_object_tagging(
        &self,
        op: &PutObjectTagging,
    ) -> Result<PutObjectTaggingOutput, Error> {
        self.send(op, ())
    }

    /// Reads an object's tags.
    pub fn get_object_tagging(
        &self,
        op: &GetObjectTagging,
    ) -> Result<GetObjectTaggingOutput, Error> {
        self.send(op, ())
    }

    /// Removes an object's tags.
    pub fn delete_object_tagging(
        &self,
        op: &DeleteObjectTagging,
    ) -> Result<DeleteObjectTaggingOutput, Error> {
        self.send(op, ())
    }

    /// Sets an object's ACL.
    pub fn put_object_acl(&self, op: &PutObjectAcl) -> Result<PutObjectAclOutput, Error> {
        self.send(op, ())
    }

    /// Reads an object's ACL.
    pub fn get_object_acl(&self, op: &GetObjectAcl) -> Result<GetObjectAclOutput, Error> {
        self.send(op, ())
    }

    /// A presigned URL, signed now with the client's credentials.
    pub fn presigned_url(&self, presign: &Presign) -> Result<String, Error> {
        let credentials = self.credentials()?.ok_or_else(|| {
            Error::Credentials("an anonymous client cannot presign URLs".to_owned())
        })?;
        Ok(presign.url(self.config(), &credentials, unix_now())?)
    }
}
