//! The transfers (`upload_file`, `download_file`, `copy`, `move_object`, the
//! directories): every rule is in [`cos_transfer`], every loop in
//! [`cos_transfer::drive`]; this file gives the loops the client's requests, a thread
//! per action in flight (at most the machine's window at once), and the caller's thread
//! for file work. A call returns only once every thread it started has finished.

use std::future::{Future, ready};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::thread;

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
    /// # fn demo(client: cos_blocking::Client) -> Result<(), cos_transfer::TransferError> {
    /// use cos_proto::ops::PutObject;
    /// use cos_transfer::TransferOptions;
    /// let done = client.upload_file(&PutObject::new("db.tar", None), "db.tar", TransferOptions::default())?;
    /// println!("{} bytes, CRC64 {:016x}", done.size, done.crc64);
    /// # Ok(()) }
    /// ```
    pub fn upload_file(
        &self,
        put: &PutObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
    ) -> Result<UploadOutput, TransferError> {
        self.upload_file_with_progress(put, path, options, |_| {})
    }

    /// [`Client::upload_file`], calling `on_event` with every progress event.
    pub fn upload_file_with_progress(
        &self,
        put: &PutObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
        on_event: impl FnMut(TransferEvent),
    ) -> Result<UploadOutput, TransferError> {
        let client = self.driver();
        pollster::block_on(drive::upload_file(
            &client,
            put,
            path.as_ref(),
            options,
            on_event,
        ))
    }

    /// Downloads what `get` names to `path`: a HEAD pins the object's size, ETag and CRC64; ranges
    /// of `options.part_size` are fetched `options.concurrency` at a time with `If-Match`, written
    /// into `.cos-transfer/<name>.part` beside it, and the file is renamed over `path` only once
    /// the CRC64 combined from the ranges matches COS's. Resumable: `.cos-transfer/<name>.resume`
    /// beside the file records the ranges that are durable; running the same download again fetches
    /// only the rest (or starts over if the object changed).
    pub fn download_file(
        &self,
        get: &GetObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
    ) -> Result<DownloadOutput, TransferError> {
        self.download_file_with_progress(get, path, options, |_| {})
    }

    /// [`Client::download_file`], calling `on_event` with every progress event.
    pub fn download_file_with_progress(
        &self,
        get: &GetObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
        on_event: impl FnMut(TransferEvent),
    ) -> Result<DownloadOutput, TransferError> {
        let target = Arc::new(FileTarget::new(path.as_ref()));
        self.download_to(get, target, options, on_event)
    }

    /// [`Client::download_file`] into any [`DownloadTarget`] (another store, a quota):
    /// the same ranges, checkpoints, verification and resume; the target decides where
    /// bytes and checkpoints go and keeps them durable.
    pub fn download_to(
        &self,
        get: &GetObject,
        target: Arc<dyn DownloadTarget>,
        options: TransferOptions,
        on_event: impl FnMut(TransferEvent),
    ) -> Result<DownloadOutput, TransferError> {
        pollster::block_on(drive::download_to(
            &self.driver(),
            get,
            target,
            options,
            on_event,
        ))
    }

    /// Copies as `op` describes: one server-side copy below `options.copy_threshold`
    /// (5 GiB), parallel part copies above it, each pinned to the source's ETag; the
    /// copy's CRC64 is checked against the source's.
    pub fn copy(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        pollster::block_on(drive::copy(&self.driver(), Copy::new(op.clone(), options)))
    }

    /// Moves: [`Client::copy`], then a HEAD of the destination (size and CRC64 must match
    /// the source's), and only then the deletion of the source.
    pub fn move_object(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        pollster::block_on(drive::copy(
            &self.driver(),
            Copy::moving(op.clone(), options),
        ))
    }

    /// Uploads every file below `dir` to `prefix` + its relative path (with `/`
    /// separators), `options.parallel_files` files at a time, each with
    /// [`Client::upload_file`] (so each resumes). With `options.skip_unchanged`, files
    /// whose object has the same size and CRC64 are skipped. Fails only if `dir` cannot
    /// be read; each file's fate is in the report.
    pub fn upload_dir(
        &self,
        dir: impl AsRef<Path>,
        prefix: &str,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        pollster::block_on(drive::upload_dir(
            &self.driver(),
            dir.as_ref(),
            prefix,
            options,
        ))
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
    pub fn download_dir(
        &self,
        prefix: &str,
        dir: impl AsRef<Path>,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        pollster::block_on(drive::download_dir(
            &self.driver(),
            prefix,
            dir.as_ref(),
            options,
        ))
    }

    /// The client as the transfer loops use it.
    pub(crate) fn driver(&self) -> Driver {
        Driver(self.clone())
    }
}

/// The client, lent to [`cos_transfer::drive`]: every request and file call blocks the
/// thread that makes it; [`ThreadTasks`] gives each action its own thread.
#[derive(Clone)]
pub(crate) struct Driver(Client);

impl Requests for Driver {
    type Body = UploadBody;
    type Object = ObjectBody;
    type Tasks<O: Send + 'static> = ThreadTasks<O>;

    fn config(&self) -> &cos_proto::Config {
        self.0.config()
    }

    fn with_config(&self, config: cos_proto::Config) -> Self {
        Driver(self.0.with_config(config))
    }

    fn tasks<O: Send + 'static>(&self) -> ThreadTasks<O> {
        let (sender, receiver) = mpsc::channel();
        ThreadTasks {
            sender,
            receiver,
            in_flight: 0,
        }
    }

    fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> impl Future<Output = Result<T, Error>> + Send + 'static {
        ready(work())
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
        ready(self.0.send(op, body))
    }

    fn get_object(
        &self,
        op: &GetObject,
    ) -> impl Future<Output = Result<(GetObjectOutput, ObjectBody), Error>> + Send {
        ready(self.0.get_object(op))
    }
}

/// A transfer's actions, each on a thread of its own, their outcomes handed back in
/// the order they finish.
pub(crate) struct ThreadTasks<O> {
    sender: mpsc::Sender<thread::Result<O>>,
    receiver: mpsc::Receiver<thread::Result<O>>,
    in_flight: usize,
}

impl<O: Send + 'static> ThreadTasks<O> {
    fn start(&mut self, work: impl FnOnce() -> O + Send + 'static) {
        let sender = self.sender.clone();
        self.in_flight += 1;
        thread::spawn(move || {
            let _ = sender.send(catch_unwind(AssertUnwindSafe(work)));
        });
    }
}

impl<O: Send + 'static> Tasks<O> for ThreadTasks<O> {
    fn spawn(&mut self, action: impl Future<Output = O> + Send + 'static) {
        self.start(move || pollster::block_on(action));
    }

    fn spawn_blocking(&mut self, work: impl FnOnce() -> O + Send + 'static) {
        self.start(work);
    }

    async fn next(&mut self) -> Result<O, TransferError> {
        if self.in_flight == 0 {
            return Err(TransferError::Unexpected(
                "the transfer waits for nothing in flight".into(),
            ));
        }
        let outcome = self.receiver.recv();
        self.in_flight -= 1;
        match outcome {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(_)) => Err(TransferError::Unexpected(
                "a transfer thread panicked".into(),
            )),
            Err(_) => Err(TransferError::Unexpected(
                "a transfer thread vanished".into(),
            )),
        }
    }

    fn len(&self) -> usize {
        self.in_flight
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
        ready(ObjectBody::next_chunk(self))
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
