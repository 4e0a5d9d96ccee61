//! Multipart uploads: [`CosMultipartUpload`] (parts sent as independent, concurrent
//! requests) and the steps [`MultipartStore`](object_store::multipart::MultipartStore)
//! exposes one by one.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use cos_proto::ops::{AbortMultipartUpload, CompleteMultipartUpload, UploadPart};
use cos_tokio::{Client, UploadBody};
use object_store::{MultipartUpload, PutPayload, PutResult, UploadPart as PartFuture};

use crate::errors;

/// COS numbers parts `1..=10_000`.
pub(crate) const MAX_PARTS: u32 = 10_000;

/// A multipart upload in progress, from
/// [`ObjectStore::put_multipart_opts`](object_store::ObjectStore::put_multipart_opts).
///
/// Each [`put_part`](MultipartUpload::put_part) numbers its part when called and returns
/// a future that uploads it on its own: poll several at once (as `object_store`'s
/// `WriteMultipart` does) to send parts concurrently.
/// Every part but the last must hold at least 1 MiB (COS's minimum; 5 MiB keeps the data
/// portable to other stores). The object appears only at
/// [`complete`](MultipartUpload::complete), after every part's future has finished;
/// [`abort`](MultipartUpload::abort) discards the parts. An upload neither completed nor
/// aborted keeps its parts (and their storage) in the bucket until a lifecycle rule
/// removes them.
#[derive(Debug)]
pub struct CosMultipartUpload {
    upload: Upload,
    next_part: u32,
    parts: Arc<Mutex<Vec<(u32, String)>>>,
}

/// One upload: where it goes and its id.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub(crate) client: Client,
    pub(crate) key: String,
    pub(crate) upload_id: String,
}

impl CosMultipartUpload {
    pub(crate) fn new(upload: Upload) -> Self {
        Self {
            upload,
            next_part: 0,
            parts: Arc::default(),
        }
    }

    /// The upload id COS gave (for
    /// [`MultipartStore`](object_store::multipart::MultipartStore) calls or a lifecycle
    /// rule's clean-up).
    pub fn upload_id(&self) -> &str {
        &self.upload.upload_id
    }
}

#[async_trait]
impl MultipartUpload for CosMultipartUpload {
    fn put_part(&mut self, data: PutPayload) -> PartFuture {
        self.next_part += 1;
        let number = self.next_part;
        let upload = self.upload.clone();
        let parts = Arc::clone(&self.parts);
        Box::pin(async move {
            let etag = upload.put_part(number, data).await?;
            parts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((number, etag));
            Ok(())
        })
    }

    async fn complete(&mut self) -> object_store::Result<PutResult> {
        let parts = std::mem::take(&mut *self.parts.lock().unwrap_or_else(PoisonError::into_inner));
        if parts.len() != self.next_part as usize {
            return Err(errors::generic(format!(
                "{}: {} of {} parts finished; await every part before completing",
                self.upload.key,
                parts.len(),
                self.next_part
            )));
        }
        self.upload.complete(parts).await
    }

    async fn abort(&mut self) -> object_store::Result<()> {
        self.upload.abort().await
    }
}

impl Upload {
    /// Uploads part `number` (`1..=10_000`); its ETag.
    pub(crate) async fn put_part(
        &self,
        number: u32,
        data: PutPayload,
    ) -> object_store::Result<String> {
        if !(1..=MAX_PARTS).contains(&number) {
            return Err(errors::generic(format!(
                "{}: part {number} is outside COS's 1..={MAX_PARTS}",
                self.key
            )));
        }
        let bytes = Bytes::from(data);
        let op = UploadPart::new(
            self.key.clone(),
            self.upload_id.clone(),
            number,
            Some(bytes.len() as u64),
        );
        let output = self
            .client
            .upload_part(&op, UploadBody::bytes(bytes))
            .await
            .map_err(|err| errors::client(err, &self.key))?;
        Ok(output.etag)
    }

    /// Completes the upload with `parts` (number, ETag), in any order. With no part at
    /// all, an empty part is uploaded first: the object is empty, as `object_store`
    /// expects, where COS would refuse an upload without parts.
    pub(crate) async fn complete(
        &self,
        mut parts: Vec<(u32, String)>,
    ) -> object_store::Result<PutResult> {
        if parts.is_empty() {
            let etag = self.put_part(1, PutPayload::new()).await?;
            parts.push((1, etag));
        }
        parts.sort_unstable_by_key(|(number, _)| *number);
        let op =
            CompleteMultipartUpload::new(self.key.clone(), self.upload_id.clone()).parts(parts);
        let output = self
            .client
            .complete_multipart_upload(&op)
            .await
            .map_err(|err| errors::client(err, &self.key))?;
        Ok(PutResult {
            e_tag: Some(output.etag),
            version: crate::store::version(output.version_id),
        })
    }

    /// Aborts the upload: COS discards its parts.
    pub(crate) async fn abort(&self) -> object_store::Result<()> {
        let op = AbortMultipartUpload::new(self.key.clone(), self.upload_id.clone());
        self.client
            .abort_multipart_upload(&op)
            .await
            .map_err(|err| errors::client(err, &self.key))?;
        Ok(())
    }
}
