//! [`CosObjectStore`]: the `ObjectStore` and `MultipartStore` traits over a
//! [`cos_tokio::Client`].

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use cos_proto::ops::{
    ByteRange, CopyObject, CopySource, DeleteObjects, GetObject, GetObjectTagging, HeadObject,
    InitiateMultipartUpload, ObjectIdentifier, ObjectInfo, PutObject,
};
use cos_proto::presign::Presign;
use cos_tokio::cos_transfer::TransferOptions;
use cos_tokio::{Client, UploadBody};
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{
    CopyMode, CopyOptions, GetOptions, GetRange, GetResult, GetResultPayload, ListResult,
    MultipartId, MultipartUpload, ObjectMeta, ObjectStore, PutMode, PutMultipartOptions,
    PutOptions, PutPayload, PutResult, RenameOptions, RenameTargetMode, TagSet,
};

use crate::attributes;
use crate::errors::{self, Kind};
use crate::multipart::{CosMultipartUpload, Upload};
use crate::path::KeyPrefix;

/// DeleteObjects takes at most 1,000 keys.
const DELETE_BATCH: usize = 1000;

/// An [`ObjectStore`] on one COS bucket (or a prefix of it), built with
/// [`CosObjectStoreBuilder`](crate::CosObjectStoreBuilder).
///
/// Cheap to clone: clones share the client's connections, credentials and retry budget.
/// Every request is retried as `cos-tokio` decides (re-signed each time); a GET's body
/// resumes where a broken connection stopped, pinned to the object's ETag, and a
/// whole-object read checks COS's CRC-64 at its end (a mismatch is an error from the
/// stream, after the last chunk).
#[derive(Debug, Clone)]
pub struct CosObjectStore {
    pub(crate) client: Client,
    pub(crate) keys: KeyPrefix,
}

impl fmt::Display for CosObjectStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CosObjectStore({}/{})",
            self.client.config().bucket(),
            self.keys.as_str()
        )
    }
}

/// The version id of an answer: `None` for COS's `null` (a write to an unversioned or
/// suspended bucket).
pub(crate) fn version(id: Option<String>) -> Option<String> {
    id.filter(|v| !v.is_empty() && v != "null")
}

/// A time as an HTTP date (`If-Modified-Since`, ...).
fn http_date(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The byte range COS is asked for.
fn byte_range(range: &GetRange) -> object_store::Result<ByteRange> {
    match range {
        GetRange::Bounded(r) if r.end > r.start => {
            ByteRange::inclusive(r.start, r.end - 1).map_err(|err| errors::generic(err.to_string()))
        }
        GetRange::Bounded(r) => Err(errors::generic(format!("empty range {r:?}"))),
        GetRange::Offset(first) => Ok(ByteRange::From(*first)),
        GetRange::Suffix(n) => Ok(ByteRange::Suffix(*n)),
    }
}

/// Adds `options`' conditions and version to a GET or HEAD.
macro_rules! conditions {
    ($op:expr, $options:expr) => {{
        let mut op = $op;
        let options: &GetOptions = $options;
        if let Some(etag) = &options.if_match {
            op = op.if_match(etag.clone());
        }
        if let Some(etag) = &options.if_none_match {
            op = op.if_none_match(etag.clone());
        }
        if let Some(time) = options.if_modified_since {
            op = op.if_modified_since(http_date(time));
        }
        if let Some(time) = options.if_unmodified_since {
            op = op.if_unmodified_since(http_date(time));
        }
        if let Some(version) = &options.version {
            op = op.version_id(version.clone());
        }
        op
    }};
}

impl CosObjectStore {
    /// A store on `client`'s bucket, its paths under `prefix` (`""`: the whole bucket).
    /// [`CosObjectStoreBuilder`](crate::CosObjectStoreBuilder) builds the client too.
    pub fn new(client: Client, prefix: &str) -> Self {
        Self {
            client,
            keys: KeyPrefix::new(prefix),
        }
    }

    /// The client the store sends its requests with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The key of `path` in the bucket (the store's prefix, then the path).
    pub fn key(&self, path: &Path) -> String {
        self.keys.key(path)
    }

    /// A presigned URL for `method` (`GET`, `PUT`, `HEAD`, `DELETE`) on `path`, valid for
    /// `expires_in` (rounded down to whole seconds, at least one): anyone holding it can
    /// make that request without credentials until then. Signed now with the store's
    /// current credentials; fails for an anonymous store. With the `signer` feature, the
    /// same through `object_store::signer::Signer`.
    pub async fn signed_url(
        &self,
        method: http::Method,
        path: &Path,
        expires_in: Duration,
    ) -> object_store::Result<url::Url> {
        let presign = Presign::new(method, self.key(path)).expires_in(expires_in.as_secs().max(1));
        let url = self
            .client
            .presigned_url(&presign)
            .await
            .map_err(|err| errors::client(err, path.as_ref()))?;
        url::Url::parse(&url)
            .map_err(|err| errors::generic(format!("the presigned URL {url:?} is invalid: {err}")))
    }

    /// The tags of the object at `path` (GET Object tagging): those given with
    /// [`PutOptions::tags`] or [`PutMultipartOptions::tags`], or set since.
    pub async fn tags(&self, path: &Path) -> object_store::Result<TagSet> {
        let output = self
            .client
            .get_object_tagging(&GetObjectTagging::new(self.key(path)))
            .await
            .map_err(|err| errors::client(err, path.as_ref()))?;
        let mut tags = TagSet::default();
        for (key, value) in &output.tags {
            tags.push(key, value);
        }
        Ok(tags)
    }

    /// The metadata of `location` from a HEAD's or GET's headers; `size` is the whole
    /// object's.
    fn meta(
        &self,
        location: &Path,
        info: &ObjectInfo,
        size: u64,
    ) -> object_store::Result<ObjectMeta> {
        let last_modified = info
            .last_modified
            .as_deref()
            .ok_or_else(|| errors::generic(format!("{location}: no Last-Modified")))
            .and_then(|date| {
                DateTime::parse_from_rfc2822(date).map_err(|err| {
                    errors::generic(format!("{location}: Last-Modified {date:?}: {err}"))
                })
            })?
            .with_timezone(&Utc);
        Ok(ObjectMeta {
            location: location.clone(),
            last_modified,
            size,
            e_tag: info.etag.clone(),
            version: version(info.version_id.clone()),
        })
    }

    async fn head_only(
        &self,
        location: &Path,
        options: &GetOptions,
    ) -> object_store::Result<GetResult> {
        let op = conditions!(HeadObject::new(self.key(location)), options);
        let info = self
            .client
            .head_object(&op)
            .await
            .map_err(|err| errors::client(err, location.as_ref()))?;
        let size = info
            .content_length
            .ok_or_else(|| errors::generic(format!("{location}: no Content-Length")))?;
        Ok(GetResult {
            payload: GetResultPayload::Stream(stream::empty().boxed()),
            meta: self.meta(location, &info, size)?,
            range: 0..size,
            attributes: attributes::of(&info),
        })
    }

    /// Deletes one batch (at most 1,000) with DeleteObjects; the results in the batch's order.
    async fn delete_batch(
        &self,
        batch: Vec<object_store::Result<Path>>,
    ) -> Vec<object_store::Result<Path>> {
        let keys: Vec<String> = batch
            .iter()
            .filter_map(|p| p.as_ref().ok().map(|p| self.key(p)))
            .collect();
        if keys.is_empty() {
            return batch;
        }
        let op = DeleteObjects::new()
            .objects(keys.into_iter().map(ObjectIdentifier::new))
            .quiet(true);
        let output = match self.client.delete_objects(&op).await {
            Ok(output) => output,
            Err(err) => {
                let err = Arc::new(err);
                return batch
                    .into_iter()
                    .map(|p| p.and_then(|p| Err(errors::shared(&err, p.as_ref()))))
                    .collect();
            }
        };
        let failed: HashMap<String, _> = output
            .errors
            .into_iter()
            .map(|e| (e.key.clone(), e))
            .collect();
        batch
            .into_iter()
            .map(|p| {
                let p = p?;
                match failed.get(&self.key(&p)) {
                    None => Ok(p),
                    Some(e) => {
                        let kind = Kind::of_answer(None, Some(e.code.as_str()));
                        let message = format!(
                            "DeleteObjects: {}: {}",
                            e.code,
                            e.message.as_deref().unwrap_or_default()
                        );
                        Err(kind.error(p.as_ref(), message.into()))
                    }
                }
            })
            .collect()
    }

    async fn initiate(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Upload> {
        let key = self.key(location);
        let op = attributes::apply(
            InitiateMultipartUpload::new(key.clone()),
            &opts.attributes,
            &opts.tags,
        )?;
        let output = self
            .client
            .create_multipart_upload(&op)
            .await
            .map_err(|err| errors::client(err, location.as_ref()))?;
        Ok(Upload {
            client: self.client.clone(),
            key,
            upload_id: output.upload_id,
        })
    }

    fn upload(&self, location: &Path, id: &MultipartId) -> Upload {
        Upload {
            client: self.client.clone(),
            key: self.key(location),
            upload_id: id.clone(),
        }
    }
}

#[async_trait]
impl ObjectStore for CosObjectStore {
    /// PUT Object. [`PutMode::Create`] sends `x-cos-forbid-overwrite: true` and fails with
    /// [`AlreadyExists`](object_store::Error::AlreadyExists) when the object exists — except
    /// in a bucket that has ever had versioning, where COS ignores the header and
    /// overwrites. [`PutMode::Update`] fails with
    /// [`NotImplemented`](object_store::Error::NotImplemented): COS has no conditional PUT.
    /// At most 5 GiB: larger objects go through
    /// [`put_multipart_opts`](ObjectStore::put_multipart_opts).
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        let PutOptions {
            mode,
            tags,
            attributes,
            ..
        } = opts;
        let create = match mode {
            PutMode::Overwrite => false,
            PutMode::Create => true,
            PutMode::Update(_) => {
                return Err(object_store::Error::NotImplemented {
                    operation: "put_opts with PutMode::Update (COS has no conditional PUT)"
                        .to_owned(),
                    implementer: "CosObjectStore".to_owned(),
                });
            }
        };
        let bytes = Bytes::from(payload);
        let op =
            PutObject::new(self.key(location), Some(bytes.len() as u64)).forbid_overwrite(create);
        let op = attributes::apply(op, &attributes, &tags)?;
        let output = self
            .client
            .put_object(&op, UploadBody::bytes(bytes))
            .await
            .map_err(|err| create_error(err, location, create))?;
        Ok(PutResult {
            e_tag: output.etag,
            version: version(output.version_id),
        })
    }

    /// Initiate Multipart Upload, with the attributes and tags of `opts`; see
    /// [`CosMultipartUpload`] for what the caller must do next.
    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        let upload = self.initiate(location, opts).await?;
        Ok(Box::new(CosMultipartUpload::new(upload)))
    }

    /// GET Object (HEAD Object when `options.head`). COS evaluates the conditions:
    /// `if_match`/`if_unmodified_since` failing is
    /// [`Precondition`](object_store::Error::Precondition), `if_none_match`/
    /// `if_modified_since` matching is [`NotModified`](object_store::Error::NotModified).
    /// A range past the end fails; a range reaching past it is cut at the end.
    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        if options.head {
            return self.head_only(location, &options).await;
        }
        let mut op = conditions!(GetObject::new(self.key(location)), &options);
        if let Some(range) = &options.range {
            op = op.range(byte_range(range)?);
        }
        let (output, body) = self
            .client
            .get_object(&op)
            .await
            .map_err(|err| errors::client(err, location.as_ref()))?;
        let size = output
            .object_size()
            .ok_or_else(|| errors::generic(format!("{location}: no object size")))?;
        let range = match output.content_range {
            Some(r) => r.first..r.last + 1,
            None => 0..size,
        };
        let path = location.to_string();
        let chunks = stream::unfold(Some(body), move |body| {
            let path = path.clone();
            async move {
                let mut body = body?;
                match body.next_chunk().await? {
                    Ok(chunk) => Some((Ok(chunk), Some(body))),
                    Err(err) => Some((Err(errors::client(err, &path)), None)),
                }
            }
        });
        Ok(GetResult {
            // Fused: readers such as `collect_bytes` poll again after the end.
            payload: GetResultPayload::Stream(chunks.fuse().boxed()),
            meta: self.meta(location, &output.info, size)?,
            range,
            attributes: attributes::of(&output.info),
        })
    }

    /// Delete Multiple Objects, 1,000 keys per request; results in the order of
    /// `locations`. Deleting an object that does not exist succeeds, as on COS.
    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        let store = self.clone();
        locations
            .ready_chunks(DELETE_BATCH)
            .then(move |batch| {
                let store = store.clone();
                async move { store.delete_batch(batch).await }
            })
            .flat_map(stream::iter)
            .boxed()
    }

    /// Every object below `prefix` (a "directory": `a` lists `a/…`, not `ab`), in key
    /// order, fetched a page of 1,000 at a time as the stream is polled.
    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.list_keys(self.keys.dir(prefix), None)
    }

    /// [`list`](ObjectStore::list) after `offset` (exclusive), which COS skips to
    /// (`marker`) rather than listing from the start.
    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        let after = offset.clone();
        self.list_keys(self.keys.dir(prefix), Some(self.key(offset)))
            .try_filter(move |meta| std::future::ready(meta.location > after))
            .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.list_dir(prefix).await
    }

    /// A copy inside the bucket: one PUT Object - Copy up to 5 GiB, part copies above,
    /// the result's CRC-64 checked against the source's. [`CopyMode::Create`] sends
    /// `x-cos-forbid-overwrite: true` (with the limit described at
    /// [`put_opts`](ObjectStore::put_opts)).
    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        let create = options.mode == CopyMode::Create;
        self.client
            .copy(&self.copy_op(from, to, create), TransferOptions::default())
            .await
            .map_err(|err| copy_error(err, from, to, create))?;
        Ok(())
    }

    /// [`copy_opts`](ObjectStore::copy_opts), then a HEAD of the copy (its size and
    /// CRC-64 must be the source's), and only then the deletion of the source.
    async fn rename_opts(
        &self,
        from: &Path,
        to: &Path,
        options: RenameOptions,
    ) -> object_store::Result<()> {
        let create = options.target_mode == RenameTargetMode::Create;
        self.client
            .move_object(&self.copy_op(from, to, create), TransferOptions::default())
            .await
            .map_err(|err| copy_error(err, from, to, create))?;
        Ok(())
    }
}

impl CosObjectStore {
    fn copy_op(&self, from: &Path, to: &Path, create: bool) -> CopyObject {
        let source = CopySource::in_config(self.client.config(), self.key(from));
        CopyObject::new(self.key(to), source).forbid_overwrite(create)
    }
}

/// A write's error; with `x-cos-forbid-overwrite` sent, a failed precondition also means
/// that the object exists.
fn create_error(err: cos_tokio::Error, location: &Path, create: bool) -> object_store::Error {
    if create && Kind::of(&err) == Kind::Precondition {
        return Kind::AlreadyExists.error(location.as_ref(), Box::new(err));
    }
    errors::client(err, location.as_ref())
}

/// A copy's error: see [`create_error`].
fn copy_error(
    err: cos_tokio::cos_transfer::TransferError,
    from: &Path,
    to: &Path,
    create: bool,
) -> object_store::Error {
    match errors::copy(err, from.as_ref(), to.as_ref()) {
        object_store::Error::Precondition { path, source } if create => {
            object_store::Error::AlreadyExists { path, source }
        }
        other => other,
    }
}

/// The steps of a multipart upload one at a time: part `part_idx` is COS's part
/// `part_idx + 1`, its [`PartId`] the part's ETag. Completing with no part stores an
/// empty object.
#[async_trait]
impl MultipartStore for CosObjectStore {
    async fn create_multipart(&self, path: &Path) -> object_store::Result<MultipartId> {
        let upload = self.initiate(path, PutMultipartOptions::default()).await?;
        Ok(upload.upload_id)
    }

    async fn put_part(
        &self,
        path: &Path,
        id: &MultipartId,
        part_idx: usize,
        data: PutPayload,
    ) -> object_store::Result<PartId> {
        let number = u32::try_from(part_idx.saturating_add(1)).unwrap_or(u32::MAX);
        let content_id = self.upload(path, id).put_part(number, data).await?;
        Ok(PartId { content_id })
    }

    async fn complete_multipart(
        &self,
        path: &Path,
        id: &MultipartId,
        parts: Vec<PartId>,
    ) -> object_store::Result<PutResult> {
        let parts = parts
            .into_iter()
            .zip(1u32..)
            .map(|(part, number)| (number, part.content_id))
            .collect();
        self.upload(path, id).complete(parts).await
    }

    async fn abort_multipart(&self, path: &Path, id: &MultipartId) -> object_store::Result<()> {
        self.upload(path, id).abort().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_dates_as_cos_reads_them() {
        assert_eq!(
            byte_range(&GetRange::Bounded(2..5)).ok(),
            Some(ByteRange::Inclusive { first: 2, last: 4 })
        );
        assert!(byte_range(&GetRange::Bounded(5..5)).is_err());
        assert_eq!(
            byte_range(&GetRange::Offset(3)).ok(),
            Some(ByteRange::From(3))
        );
        assert_eq!(
            byte_range(&GetRange::Suffix(2)).ok(),
            Some(ByteRange::Suffix(2))
        );
        let time = DateTime::from_timestamp(1_700_000_000, 0).expect("valid");
        assert_eq!(http_date(time), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(version(Some("null".to_owned())), None);
        assert_eq!(version(Some("v1".to_owned())), Some("v1".to_owned()));
    }
}
