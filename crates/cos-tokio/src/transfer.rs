//! The transfers (`upload_file`, `download_file`, `copy`, `move_object`, the
//! directories): every rule is in [`cos_transfer`], every loop in
//! [`cos_transfer::drive`]; this file gives the loops the client's requests, tasks for
//! concurrency, and the blocking pool for file work.
//!
//! A transfer returns only once nothing it started is still running. Dropping its
//! future cancels the requests in flight, but a file write already on the blocking pool
//! finishes on its own: wait a moment before starting the same transfer again.

use std::future::Future;
use std::io;
use std::path::Path;
use std::sync::Arc;

use cos_proto::Operation;
use cos_proto::crc64::Crc64Tap;
use cos_proto::ops::{CopyObject, GetObject, GetObjectOutput, PutObject};
use cos_transfer::drive::{self, ChunkSource, Requests, Tasks, TransferBody};
use cos_transfer::fs::{DownloadTarget, FileTarget};
use cos_transfer::paths::DirectoryReport;
use cos_transfer::{
    Copy, CopyOutput, DirectoryOptions, DownloadOutput, TransferError, TransferEvent,
    TransferOptions, UploadOutput,
};
use tokio::task::JoinSet;

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::ObjectBody;
use crate::error::Error;

impl Client {
    /// Uploads the file at `path` as `put` describes (key, content headers, metadata, ACL, storage
    /// class, tags, encryption, traffic limit; its length is ignored): one PUT below
    /// `options.multipart_threshold`, else a multipart upload with `options.concurrency` parts in
    /// flight. Resumable: the state is kept in `.cos-transfer/<name>.resume` beside the file after
    /// each part; running the same upload again after a crash or failure sends only the parts COS
    /// does not have. The CRC64 of every part and of the whole object is checked against COS's.
    ///
    /// ```no_run
    /// # async fn demo(client: cos_tokio::Client) -> Result<(), cos_transfer::TransferError> {
    /// use cos_proto::ops::PutObject;
    /// use cos_transfer::TransferOptions;
    /// let put = PutObject::new("backups/db.tar", None).storage_class(cos_proto::headers::StorageClass::StandardIa);
    /// let done = client.upload_file(&put, "db.tar", TransferOptions::default()).await?;
    /// println!("{} bytes, CRC64 {:016x}", done.size, done.crc64);
    /// # Ok(()) }
    /// ```
    pub async fn upload_file(
        &self,
        put: &PutObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
    ) -> Result<UploadOutput, TransferError> {
        self.upload_file_with_progress(put, path, options, |_| {})
            .await
    }

    /// [`Client::upload_file`], calling `on_event` with every progress event.
    pub async fn upload_file_with_progress(
        &self,
        put: &PutObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
        on_event: impl FnMut(TransferEvent) + Send,
    ) -> Result<UploadOutput, TransferError> {
        drive::upload_file(&self.driver(), put, path.as_ref(), options, on_event).await
    }

    /// Downloads what `get` names to `path`: a HEAD pins the object's size, ETag and CRC64; ranges
    /// of `options.part_size` are fetched `options.concurrency` at a time with `If-Match`, written
    /// into `.cos-transfer/<name>.part` beside it, and the file is renamed over `path` only once
    /// the CRC64 combined from the ranges matches COS's. Resumable: `.cos-transfer/<name>.resume`
    /// beside the file records the ranges that are durable; running the same download again fetches
    /// only the rest (or starts over if the object changed).
    pub async fn download_file(
        &self,
        get: &GetObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
    ) -> Result<DownloadOutput, TransferError> {
        self.download_file_with_progress(get, path, options, |_| {})
            .await
    }

    /// [`Client::download_file`], calling `on_event` with every progress event.
    pub async fn download_file_with_progress(
        &self,
        get: &GetObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
        on_event: impl FnMut(TransferEvent) + Send,
    ) -> Result<DownloadOutput, TransferError> {
        let target = Arc::new(FileTarget::new(path.as_ref()));
        self.download_to(get, target, options, on_event).await
    }

    /// [`Client::download_file`] into any [`DownloadTarget`] (another store, a quota):
    /// the same ranges, checkpoints, verification and resume; the target decides where
    /// bytes and checkpoints go and keeps them durable.
    pub async fn download_to(
        &self,
        get: &GetObject,
        target: Arc<dyn DownloadTarget>,
        options: TransferOptions,
        on_event: impl FnMut(TransferEvent) + Send,
    ) -> Result<DownloadOutput, TransferError> {
        drive::download_to(&self.driver(), get, target, options, on_event).await
    }

    /// Copies as `op` describes: one server-side copy below `options.copy_threshold`
    /// (5 GiB), parallel part copies above it, each pinned to the source's ETag; the
    /// copy's CRC64 is checked against the source's.
    pub async fn copy(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        drive::copy(&self.driver(), Copy::new(op.clone(), options)).await
    }

    /// Moves: [`Client::copy`], then a HEAD of the destination (size and CRC64 must match
    /// the source's), and only then the deletion of the source.
    pub async fn move_object(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        drive::copy(&self.driver(), Copy::moving(op.clone(), options)).await
    }

    /// Uploads every file below `dir` to `prefix` + its relative path (with `/`
    /// separators), `options.parallel_files` files at a time, each with
    /// [`Client::upload_file`] (so each resumes). With `options.skip_unchanged`, files
    /// whose object has the same size and CRC64 are skipped. Fails only if `dir` cannot
    /// be read; each file's fate is in the report.
    pub async fn upload_dir(
        &self,
        dir: impl AsRef<Path>,
        prefix: &str,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        drive::upload_dir(&self.driver(), dir.as_ref(), prefix, options).await
    }

    /// Downloads every object under `prefix` into `dir`, at the path the key names after
    /// the prefix, `options.parallel_files` at a time, each with
    /// [`Client::download_file`] (so each resumes, and appears only when verified).
    /// Keys that could escape `dir` (`..`, absolute, drive letters, backslashes, empty
    /// segments) or name the transfers' helper folder (`.cos-transfer`) are refused and
    /// reported, never written; a key below a symbolic link in `dir` fails, and nothing
    /// is created past the link. Directory markers (keys ending in `/`) are reported and
    /// skipped. With `options.skip_unchanged`, files whose size and CRC64 match the
    /// object are kept.
    pub async fn download_dir(
        &self,
        prefix: &str,
        dir: impl AsRef<Path>,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        drive::download_dir(&self.driver(), prefix, dir.as_ref(), options).await
    }

    /// The client as the transfer loops use it.
    pub(crate) fn driver(&self) -> Driver {
        Driver(self.clone())
    }
}

/// The client, lent to [`cos_transfer::drive`]: requests as tasks, file work on the
/// blocking pool.
#[derive(Clone)]
pub(crate) struct Driver(Client);

impl Requests for Driver {
    type Body = UploadBody;
    type Object = ObjectBody;
    type Tasks<O: Send + 'static> = JoinTasks<O>;

    fn config(&self) -> &cos_proto::Config {
        self.0.config()
    }

    fn with_config(&self, config: cos_proto::Config) -> Self {
        Driver(self.0.with_config(config))
    }

    fn tasks<O: Send + 'static>(&self) -> JoinTasks<O> {
        JoinTasks(JoinSet::new())
    }

    fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> impl Future<Output = Result<T, Error>> + Send + 'static {
        let task = tokio::task::spawn_blocking(work);
        async move {
            task.await
                .unwrap_or_else(|join| Err(Error::Io(io::Error::other(join))))
        }
    }

    fn send<O>(
        &self,
        op: &O,
        body: UploadBody,
    ) -> impl Future<Output = Result<O::Output, Error>> + Send
    where
        O: Operation + Sync,
        O::Output: Send,
    {
        self.0.send(op, body)
    }

    fn get_object(
        &self,
        op: &GetObject,
    ) -> impl Future<Output = Result<(GetObjectOutput, ObjectBody), Error>> + Send {
        self.0.get_object(op)
    }
}

/// A transfer's actions as tasks of a [`JoinSet`] (aborted if the transfer is dropped).
pub(crate) struct JoinTasks<O>(JoinSet<O>);

impl<O: Send + 'static> Tasks<O> for JoinTasks<O> {
    fn spawn(&mut self, action: impl Future<Output = O> + Send + 'static) {
        self.0.spawn(action);
    }

    fn spawn_blocking(&mut self, work: impl FnOnce() -> O + Send + 'static) {
        self.0.spawn_blocking(work);
    }

    async fn next(&mut self) -> Result<O, TransferError> {
        match self.0.join_next().await {
            Some(Ok(outcome)) => Ok(outcome),
            Some(Err(join)) => Err(TransferError::Client(Error::Io(io::Error::other(join)))),
            None => Err(TransferError::Unexpected(
                "the transfer waits for nothing in flight".into(),
            )),
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

impl TransferBody for UploadBody {
    fn file_range(file: std::fs::File, offset: u64, len: u64, tap: Crc64Tap) -> Self {
        UploadBody::file_range(file, offset, len).with_crc64(tap)
    }

    #[cfg(feature = "crypto")]
    fn encrypted(self, cipher: cos_crypto::CtrCipher, offset: u64) -> Self {
        UploadBody::encrypted(self, cipher, offset)
    }
}

impl ChunkSource for ObjectBody {
    fn next_chunk(&mut self) -> impl Future<Output = Option<Result<bytes::Bytes, Error>>> + Send {
        ObjectBody::next_chunk(self)
    }

    fn check_complete(&self) -> Result<(), Error> {
        match self.expected_len() {
            Some(expected) if self.received() != expected => Err(Error::ShortBody {
                expected,
                received: self.received(),
            }),
            _ => Ok(()),
        }
    }
}
