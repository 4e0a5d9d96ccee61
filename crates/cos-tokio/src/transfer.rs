//! The transfer drivers: `upload_file`, `download_file`, `copy`, `move_object`. Every
//! rule (part sizes, concurrency, checkpoints, resume, CRC64 checks) is in
//! [`cos_transfer`]; this file performs the actions its machines ask for — requests as
//! tasks, at most the machine's window at once, file work on the blocking pool.
//!
//! A transfer returns only once nothing it started is still running. Dropping its
//! future cancels the requests in flight, but a file write already on the blocking pool
//! finishes on its own: wait a moment before starting the same transfer again.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use cos_proto::crc64::{Crc64, Crc64Tap};
use cos_proto::ops::{CopyObject, GetObject, PutObject, UploadPart};
use cos_transfer::fs::{DownloadTarget, FileTarget, TransferFiles};
use cos_transfer::{
    Copy, CopyAction, CopyOutcome, CopyOutput, Download, DownloadAction, DownloadCheckpoint,
    DownloadOutcome, DownloadOutput, Opener, Sealing, SourceIdentity, TransferError, TransferEvent,
    TransferOptions, Upload, UploadAction, UploadCheckpoint, UploadOutcome, UploadOutput, fs,
};
use tokio::task::JoinSet;

use crate::body::UploadBody;
use crate::client::Client;
use crate::error::Error;

/// Bytes a range download gathers before handing them to the blocking pool.
const WRITE_CHUNK: usize = 1 << 20;

fn file_error(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::File {
        path: path.to_owned(),
        source,
    }
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    joined(tokio::task::spawn_blocking(f)).await
}

/// What a blocking task returned (a task that panicked is an I/O error).
async fn joined<T>(task: tokio::task::JoinHandle<Result<T, Error>>) -> Result<T, Error> {
    task.await
        .unwrap_or_else(|join| Err(Error::Io(io::Error::other(join))))
}

async fn next_outcome<T: 'static>(tasks: &mut JoinSet<T>) -> Result<T, TransferError> {
    match tasks.join_next().await {
        Some(Ok(outcome)) => Ok(outcome),
        Some(Err(join)) => Err(TransferError::Client(Error::Io(io::Error::other(join)))),
        None => Err(TransferError::Unexpected(
            "the transfer waits for nothing in flight".into(),
        )),
    }
}

/// Waits for every action still in flight when a machine is over (a failure ends it
/// while other parts may be running). File work on the blocking pool cannot be
/// cancelled: returning before it ends would let it write a checkpoint or a temp file
/// under the next run of the same transfer. Their outcomes no longer matter.
async fn settle<T: 'static>(tasks: &mut JoinSet<T>) {
    while tasks.join_next().await.is_some() {}
}

impl Client {
    /// Uploads the file at `path` as `put` describes (key, content headers, metadata,
    /// ACL, storage class, tags, encryption, traffic limit; its length is ignored):
    /// one PUT below `options.multipart_threshold`, else a multipart upload with
    /// `options.concurrency` parts in flight. Resumable: the state is kept in
    /// `<path>.cosresume` after each part; running the same upload again after a crash
    /// or failure sends only the parts COS does not have. The CRC64 of every part and
    /// of the whole object is checked against COS's.
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
        let path = path.as_ref().to_path_buf();
        let (identity, checkpoint, files) = upload_start(&path).await?;
        let machine = Upload::new(
            self.config().bucket(),
            put.clone(),
            identity.clone(),
            checkpoint,
            options,
        );
        self.drive_upload(machine, path, files, Sealing::Plain, on_event)
            .await
    }

    /// Runs an upload machine over the file at `path` (whose checkpoint `files` keep),
    /// sealing every body as `sealing` says.
    pub(crate) async fn drive_upload(
        &self,
        mut machine: Upload,
        path: PathBuf,
        files: Arc<TransferFiles>,
        sealing: Sealing,
        mut on_event: impl FnMut(TransferEvent) + Send,
    ) -> Result<UploadOutput, TransferError> {
        let mut tasks = JoinSet::new();
        loop {
            while let Some(event) = machine.poll_event() {
                on_event(event);
            }
            let Some(action) = machine.poll_action() else {
                let outcome = next_outcome(&mut tasks).await?;
                machine.handle(outcome);
                continue;
            };
            let client = self.clone();
            let path = path.clone();
            let files = Arc::clone(&files);
            let sealing = sealing.clone();
            let action = match fs::LocalUploadStep::of(action) {
                Ok(step) => {
                    tasks.spawn_blocking(move || step.run(&path, &files, &sealing));
                    continue;
                }
                Err(action) => action,
            };
            match action {
                UploadAction::Done(result) => {
                    settle(&mut tasks).await;
                    return result;
                }
                UploadAction::Put { op, len, source } => tasks.spawn(async move {
                    let sent = async {
                        let (body, tap) = source_range(&source, &path, 0, len, &sealing, None)?;
                        Ok((client.put_object(&op, body).await?, tap_value(&tap)?))
                    };
                    UploadOutcome::Put(sent.await)
                }),
                UploadAction::UploadPart {
                    op,
                    offset,
                    len,
                    source,
                } => tasks.spawn(async move {
                    let part_number = op.part_number();
                    let sent = async {
                        let (body, tap) =
                            source_range(&source, &path, offset, len, &sealing, Some(&op))?;
                        Ok((client.upload_part(&op, body).await?, tap_value(&tap)?))
                    };
                    UploadOutcome::PartUploaded {
                        part_number,
                        result: sent.await,
                    }
                }),
                UploadAction::AbortStale(op) => tasks.spawn(async move {
                    UploadOutcome::Aborted(client.abort_multipart_upload(&op).await.map(drop))
                }),
                UploadAction::ListParts(op) => tasks
                    .spawn(async move { UploadOutcome::PartsListed(client.list_parts(&op).await) }),
                UploadAction::Initiate(op) => tasks.spawn(async move {
                    UploadOutcome::Initiated(client.create_multipart_upload(&op).await)
                }),
                UploadAction::Complete(op) => tasks.spawn(async move {
                    UploadOutcome::Completed(client.complete_multipart_upload(&op).await)
                }),
                UploadAction::VerifyCompleted(op) => tasks
                    .spawn(async move { UploadOutcome::Verified(client.head_object(&op).await) }),
                _ => return Err(TransferError::Unexpected("unknown upload action".into())),
            };
        }
    }

    /// Downloads what `get` names to `path`: a HEAD pins the object's size, ETag and
    /// CRC64; ranges of `options.part_size` are fetched `options.concurrency` at a time
    /// with `If-Match`, written into `<path>.cospart`, and the file is renamed over
    /// `path` only once the CRC64 combined from the ranges matches COS's. Resumable:
    /// `<path>.cosresume` records the ranges that are durable; running the same
    /// download again fetches only the rest (or starts over if the object changed).
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
        let checkpoint = download_checkpoint(&target).await?;
        let machine = Download::new(self.config().bucket(), get.clone(), checkpoint, options);
        self.drive_download(machine, target, Opener::Plain, on_event)
            .await
    }

    /// Runs a download machine into `target`; `opener` says, once the HEAD answered,
    /// how the stored bytes become the bytes written.
    pub(crate) async fn drive_download(
        &self,
        mut machine: Download,
        target: Arc<dyn DownloadTarget>,
        opener: Opener,
        mut on_event: impl FnMut(TransferEvent) + Send,
    ) -> Result<DownloadOutput, TransferError> {
        let mut sealing = Sealing::Plain;
        let mut tasks = JoinSet::new();
        loop {
            while let Some(event) = machine.poll_event() {
                on_event(event);
            }
            let Some(action) = machine.poll_action() else {
                let outcome = match next_outcome(&mut tasks).await? {
                    DownloadOutcome::Head(Ok(info)) => match opener.open(&info) {
                        Ok(opened) => {
                            sealing = opened;
                            DownloadOutcome::Head(Ok(info))
                        }
                        Err(err) => DownloadOutcome::Head(Err(err)),
                    },
                    outcome => outcome,
                };
                machine.handle(outcome);
                continue;
            };
            let client = self.clone();
            let target = Arc::clone(&target);
            let action = match fs::LocalDownloadStep::of(action) {
                Ok(step) => {
                    let sealing = sealing.clone();
                    tasks.spawn_blocking(move || step.run(&*target, &sealing));
                    continue;
                }
                Err(action) => action,
            };
            match action {
                DownloadAction::Done(result) => {
                    settle(&mut tasks).await;
                    return result;
                }
                DownloadAction::Head(op) => {
                    tasks.spawn(async move { DownloadOutcome::Head(client.head_object(&op).await) })
                }
                DownloadAction::OpenTemp { len, keep } => {
                    let opened = on_target(target, move |t| t.open(len, keep)).await;
                    machine.handle(DownloadOutcome::TempReady(opened));
                    continue;
                }
                DownloadAction::GetRange {
                    op,
                    part_number,
                    offset,
                    ..
                } => {
                    let sealing = sealing.clone();
                    tasks.spawn(async move {
                        DownloadOutcome::Range {
                            part_number,
                            result: fetch_range(client, op, target, offset, sealing).await,
                        }
                    })
                }
                DownloadAction::Finalize => {
                    let done = on_target(target, |t| t.finalize()).await;
                    machine.handle(DownloadOutcome::Finalized(done));
                    continue;
                }
                DownloadAction::Discard => {
                    let done = on_target(target, |t| t.discard()).await;
                    machine.handle(DownloadOutcome::Discarded(done));
                    continue;
                }
                _ => return Err(TransferError::Unexpected("unknown download action".into())),
            };
        }
    }

    /// Copies as `op` describes: one server-side copy below `options.copy_threshold`
    /// (5 GiB), parallel part copies above it, each pinned to the source's ETag; the
    /// copy's CRC64 is checked against the source's.
    pub async fn copy(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        self.drive_copy(Copy::new(op.clone(), options)).await
    }

    /// Moves: [`Client::copy`], then a HEAD of the destination (size and CRC64 must match
    /// the source's), and only then the deletion of the source.
    pub async fn move_object(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        self.drive_copy(Copy::moving(op.clone(), options)).await
    }

    async fn drive_copy(&self, mut machine: Copy) -> Result<CopyOutput, TransferError> {
        let source_config = machine_source_config(self, &machine)?;
        let source = self.with_config(source_config);
        let mut tasks = JoinSet::new();
        loop {
            while machine.poll_event().is_some() {}
            let Some(action) = machine.poll_action() else {
                let outcome = next_outcome(&mut tasks).await?;
                machine.handle(outcome);
                continue;
            };
            let (client, source) = (self.clone(), source.clone());
            match action {
                CopyAction::Done(result) => {
                    settle(&mut tasks).await;
                    return result;
                }
                CopyAction::HeadSource(op) => tasks
                    .spawn(async move { CopyOutcome::SourceHead(source.head_object(&op).await) }),
                CopyAction::CopyObject(op) => {
                    tasks.spawn(async move { CopyOutcome::Copied(client.copy_object(&op).await) })
                }
                CopyAction::Initiate(op) => tasks.spawn(async move {
                    CopyOutcome::Initiated(client.create_multipart_upload(&op).await)
                }),
                CopyAction::UploadPartCopy { op, part_number } => tasks.spawn(async move {
                    CopyOutcome::PartCopied {
                        part_number,
                        result: client.upload_part_copy(&op).await,
                    }
                }),
                CopyAction::Complete(op) => tasks.spawn(async move {
                    CopyOutcome::Completed(client.complete_multipart_upload(&op).await)
                }),
                CopyAction::Abort(op) => tasks.spawn(async move {
                    CopyOutcome::Aborted(client.abort_multipart_upload(&op).await.map(drop))
                }),
                CopyAction::HeadDestination(op) => tasks.spawn(async move {
                    CopyOutcome::DestinationHead(client.head_object(&op).await)
                }),
                CopyAction::DeleteSource(op) => tasks.spawn(async move {
                    CopyOutcome::SourceDeleted(source.delete_object(&op).await.map(drop))
                }),
                _ => return Err(TransferError::Unexpected("unknown copy action".into())),
            };
        }
    }
}

fn machine_source_config(
    client: &Client,
    machine: &Copy,
) -> Result<cos_proto::Config, TransferError> {
    machine
        .source()
        .config(client.config())
        .map_err(|e| TransferError::Client(cos_proto::Error::from(e).into()))
}

/// `len` bytes of the source at `offset`, streamed from a handle of their own (never
/// held in memory), with a tap that computes their CRC64 as they are sent.
/// `sealing` encrypts them (at `offset`, checked against `part`) when it says so.
fn source_range(
    identity: &SourceIdentity,
    path: &Path,
    offset: u64,
    len: u64,
    sealing: &Sealing,
    part: Option<&UploadPart>,
) -> Result<(UploadBody, Crc64Tap), Error> {
    let handle = fs::reopen_source(path, identity).map_err(Error::Source)?;
    let tap = Crc64Tap::new();
    let body = seal(
        UploadBody::file_range(handle, offset, len),
        sealing,
        part,
        offset,
    )?;
    Ok((body.with_crc64(tap.clone()), tap))
}

/// `body` as `sealing` says to send it (the file bytes at `offset`, of `part`).
pub(crate) fn seal(
    body: UploadBody,
    sealing: &Sealing,
    part: Option<&UploadPart>,
    offset: u64,
) -> Result<UploadBody, Error> {
    #[cfg(feature = "crypto")]
    if let Some((cipher, at)) = sealing.cipher_for(part, offset)? {
        return Ok(body.encrypted(cipher, at));
    }
    let _ = (sealing, part, offset);
    Ok(body)
}

/// [`fs::upload_start`] on the blocking pool.
pub(crate) async fn upload_start(
    path: &Path,
) -> Result<(SourceIdentity, Option<UploadCheckpoint>, Arc<TransferFiles>), Error> {
    let path = path.to_path_buf();
    blocking(move || {
        let (identity, checkpoint, files) = fs::upload_start(&path).map_err(file_error(&path))?;
        Ok((identity, checkpoint, Arc::new(files)))
    })
    .await
}

/// [`fs::download_checkpoint`] on the blocking pool.
pub(crate) async fn download_checkpoint(
    target: &Arc<dyn DownloadTarget>,
) -> Result<Option<DownloadCheckpoint>, Error> {
    let target = Arc::clone(target);
    blocking(move || Ok(fs::download_checkpoint(target.as_ref()))).await
}

/// Runs one blocking call on the download target, naming it in errors.
async fn on_target<T: Send + 'static>(
    target: Arc<dyn DownloadTarget>,
    f: impl FnOnce(&dyn DownloadTarget) -> io::Result<T> + Send + 'static,
) -> Result<T, Error> {
    blocking(move || f(target.as_ref()).map_err(file_error(target.path()))).await
}

/// Fetches one range into the target at `offset`: `(bytes written, the CRC64 of the
/// bytes received)`; `sealing` turns them into the bytes written.
async fn fetch_range(
    client: Client,
    op: GetObject,
    target: Arc<dyn DownloadTarget>,
    offset: u64,
    sealing: Sealing,
) -> Result<(u64, u64), Error> {
    let mut writing = None;
    let received = receive_range(&client, &op, &target, offset, &sealing, &mut writing).await;
    // A write still running when the range failed ends before the range reports: no
    // byte lands after the transfer returned.
    let written = match writing {
        Some(task) => joined(task).await,
        None => Ok(()),
    };
    let received = received?;
    written?;
    Ok(received)
}

/// The body of one range, written into the target at `offset` in batches of the chunks
/// as hyper received them (no copy), each batch once it adds up to `WRITE_CHUNK` bytes,
/// while the next arrive: `writing` is the write in flight, at most one.
async fn receive_range(
    client: &Client,
    op: &GetObject,
    target: &Arc<dyn DownloadTarget>,
    offset: u64,
    sealing: &Sealing,
    writing: &mut Option<tokio::task::JoinHandle<Result<(), Error>>>,
) -> Result<(u64, u64), Error> {
    let (_, mut body) = client.get_object(op).await?;
    let mut crc = Crc64::new();
    let mut position = offset;
    let mut batch = Vec::new();
    let mut batched = 0;
    loop {
        let chunk = body.next_chunk().await.transpose()?;
        let last = chunk.is_none();
        if let Some(chunk) = chunk {
            crc.update(&chunk);
            batched += chunk.len();
            batch.push(chunk);
        }
        if batched >= WRITE_CHUNK || (last && batched > 0) {
            if let Some(previous) = writing.take() {
                joined(previous).await?;
            }
            let chunks = std::mem::take(&mut batch);
            let sealing = sealing.clone();
            let target = Arc::clone(target);
            *writing = Some(tokio::task::spawn_blocking(move || {
                write_chunks(&*target, &sealing, position, &chunks)
            }));
            position += batched as u64;
            batched = 0;
        }
        if last {
            return Ok((position - offset, crc.value()));
        }
    }
}

/// Writes `chunks` (bytes received, in order) into the target at `offset`, opened as
/// `sealing` says: plain ones as they are, encrypted ones decrypted in a copy.
fn write_chunks(
    target: &dyn DownloadTarget,
    sealing: &Sealing,
    mut offset: u64,
    chunks: &[Bytes],
) -> Result<(), Error> {
    let mut opened = Vec::new();
    for chunk in chunks {
        let data = match sealing {
            Sealing::Plain => chunk.as_ref(),
            _ => {
                opened.clear();
                opened.extend_from_slice(chunk);
                sealing.open(offset, &mut opened)?;
                opened.as_slice()
            }
        };
        target
            .write_at(offset, data)
            .map_err(file_error(target.path()))?;
        offset += chunk.len() as u64;
    }
    Ok(())
}

/// What a tap saw of a body COS received: unknown is an error, never a CRC-64 of 0.
fn tap_value(tap: &Crc64Tap) -> Result<u64, Error> {
    tap.value().ok_or_else(|| {
        Error::Io(std::io::Error::other(
            "the CRC-64 of the sent body is unknown",
        ))
    })
}
