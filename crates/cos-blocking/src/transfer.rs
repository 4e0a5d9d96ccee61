//! The transfer drivers: `upload_file`, `download_file`, `copy`, `move_object`. Every
//! rule (part sizes, concurrency, checkpoints, resume, CRC64 checks) is in
//! [`cos_transfer`]; this file performs the actions its machines ask for, each request
//! on a scoped thread (at most the machine's window at once).

use std::io::{self, Read};
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::thread::Scope;

use cos_proto::crc64::{Crc64, Crc64Tap};
use cos_proto::ops::{CopyObject, GetObject, PutObject, UploadPart};
use cos_transfer::fs::{DownloadTarget, FileTarget, TransferFiles};
use cos_transfer::{
    Copy, CopyAction, CopyOutcome, CopyOutput, Download, DownloadAction, DownloadOutcome,
    DownloadOutput, Opener, Sealing, SourceIdentity, TransferError, TransferEvent, TransferOptions,
    Upload, UploadAction, UploadOutcome, UploadOutput, fs,
};

use crate::body::UploadBody;
use crate::client::Client;
use crate::error::Error;

/// Bytes a range download reads before writing them to the temp file.
const WRITE_CHUNK: usize = 1 << 20;

fn file_error(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::File {
        path: path.to_owned(),
        source,
    }
}

/// Runs actions on scoped threads and hands their outcomes back in completion order.
struct Workers<'scope, 'env, O> {
    scope: &'scope Scope<'scope, 'env>,
    sender: mpsc::Sender<O>,
    receiver: mpsc::Receiver<O>,
    in_flight: usize,
}

impl<'scope, 'env, O: Send + 'scope> Workers<'scope, 'env, O> {
    fn new(scope: &'scope Scope<'scope, 'env>) -> Self {
        let (sender, receiver) = mpsc::channel();
        Self {
            scope,
            sender,
            receiver,
            in_flight: 0,
        }
    }

    fn spawn(&mut self, work: impl FnOnce() -> O + Send + 'scope) {
        let sender = self.sender.clone();
        self.in_flight += 1;
        self.scope.spawn(move || {
            let _ = sender.send(work());
        });
    }

    fn next(&mut self) -> Result<O, TransferError> {
        if self.in_flight == 0 {
            return Err(TransferError::Unexpected(
                "the transfer waits for nothing in flight".into(),
            ));
        }
        let outcome = self
            .receiver
            .recv()
            .map_err(|_| TransferError::Unexpected("a transfer thread vanished".into()))?;
        self.in_flight -= 1;
        Ok(outcome)
    }
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
        let path = path.as_ref();
        let (identity, checkpoint, files) = fs::upload_start(path).map_err(file_error(path))?;
        let machine = Upload::new(
            self.config().bucket(),
            put.clone(),
            identity.clone(),
            checkpoint,
            options,
        );
        self.drive_upload(machine, path, &files, &Sealing::Plain, on_event)
    }

    /// Runs an upload machine over the file at `path` (whose checkpoint `files` keep),
    /// sealing every body as `sealing` says.
    pub(crate) fn drive_upload(
        &self,
        mut machine: Upload,
        path: &Path,
        files: &TransferFiles,
        sealing: &Sealing,
        mut on_event: impl FnMut(TransferEvent),
    ) -> Result<UploadOutput, TransferError> {
        std::thread::scope(|scope| {
            let mut workers = Workers::new(scope);
            loop {
                while let Some(event) = machine.poll_event() {
                    on_event(event);
                }
                let Some(action) = machine.poll_action() else {
                    let outcome = workers.next()?;
                    machine.handle(outcome);
                    continue;
                };
                let action = match fs::LocalUploadStep::of(action) {
                    Ok(step) => {
                        workers.spawn(move || step.run(path, files, sealing));
                        continue;
                    }
                    Err(action) => action,
                };
                match action {
                    UploadAction::Done(result) => return result,
                    UploadAction::Put { op, len, source } => workers.spawn(move || {
                        UploadOutcome::Put(
                            source_range(&source, path, 0, len, sealing, None).and_then(
                                |(body, tap)| Ok((self.put_object(&op, body)?, tap_value(&tap)?)),
                            ),
                        )
                    }),
                    UploadAction::UploadPart {
                        op,
                        offset,
                        len,
                        source,
                    } => workers.spawn(move || UploadOutcome::PartUploaded {
                        part_number: op.part_number(),
                        result: source_range(&source, path, offset, len, sealing, Some(&op))
                            .and_then(|(body, tap)| {
                                Ok((self.upload_part(&op, body)?, tap_value(&tap)?))
                            }),
                    }),
                    UploadAction::AbortStale(op) => workers.spawn(move || {
                        UploadOutcome::Aborted(self.abort_multipart_upload(&op).map(drop))
                    }),
                    UploadAction::ListParts(op) => {
                        workers.spawn(move || UploadOutcome::PartsListed(self.list_parts(&op)))
                    }
                    UploadAction::Initiate(op) => workers
                        .spawn(move || UploadOutcome::Initiated(self.create_multipart_upload(&op))),
                    UploadAction::Complete(op) => workers.spawn(move || {
                        UploadOutcome::Completed(self.complete_multipart_upload(&op))
                    }),
                    UploadAction::VerifyCompleted(op) => {
                        workers.spawn(move || UploadOutcome::Verified(self.head_object(&op)))
                    }
                    _ => return Err(TransferError::Unexpected("unknown upload action".into())),
                }
            }
        })
    }

    /// Downloads what `get` names to `path`: a HEAD pins the object's size, ETag and
    /// CRC64; ranges of `options.part_size` are fetched `options.concurrency` at a time
    /// with `If-Match`, written into `<path>.cospart`, and the file is renamed over
    /// `path` only once the CRC64 combined from the ranges matches COS's. Resumable:
    /// `<path>.cosresume` records the ranges that are durable; running the same
    /// download again fetches only the rest (or starts over if the object changed).
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
        self.download_to(
            get,
            Arc::new(FileTarget::new(path.as_ref())),
            options,
            on_event,
        )
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
        let checkpoint = fs::download_checkpoint(target.as_ref());
        let machine = Download::new(self.config().bucket(), get.clone(), checkpoint, options);
        self.drive_download(machine, target.as_ref(), &Opener::Plain, on_event)
    }

    /// Runs a download machine into `target`; `opener` says, once the HEAD answered,
    /// how the stored bytes become the bytes written.
    pub(crate) fn drive_download(
        &self,
        mut machine: Download,
        target: &dyn DownloadTarget,
        opener: &Opener,
        mut on_event: impl FnMut(TransferEvent),
    ) -> Result<DownloadOutput, TransferError> {
        let named = |err| file_error(target.path())(err);
        let mut sealing = Sealing::Plain;
        std::thread::scope(|scope| {
            let mut workers = Workers::new(scope);
            loop {
                while let Some(event) = machine.poll_event() {
                    on_event(event);
                }
                let Some(action) = machine.poll_action() else {
                    let outcome = match workers.next()? {
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
                let action = match fs::LocalDownloadStep::of(action) {
                    Ok(step) => {
                        let sealing = sealing.clone();
                        workers.spawn(move || step.run(target, &sealing));
                        continue;
                    }
                    Err(action) => action,
                };
                match action {
                    DownloadAction::Done(result) => return result,
                    DownloadAction::Head(op) => {
                        workers.spawn(move || DownloadOutcome::Head(self.head_object(&op)))
                    }
                    DownloadAction::OpenTemp { len, keep } => {
                        let opened = target.open(len, keep).map_err(named);
                        machine.handle(DownloadOutcome::TempReady(opened));
                    }
                    DownloadAction::GetRange {
                        op,
                        part_number,
                        offset,
                        ..
                    } => {
                        let sealing = sealing.clone();
                        workers.spawn(move || DownloadOutcome::Range {
                            part_number,
                            result: self.fetch_range(&op, target, offset, &sealing),
                        })
                    }
                    DownloadAction::Finalize => {
                        let done = target.finalize().map_err(named);
                        machine.handle(DownloadOutcome::Finalized(done));
                    }
                    DownloadAction::Discard => {
                        let done = target.discard().map_err(named);
                        machine.handle(DownloadOutcome::Discarded(done));
                    }
                    _ => return Err(TransferError::Unexpected("unknown download action".into())),
                }
            }
        })
    }

    /// Copies as `op` describes: one server-side copy below `options.copy_threshold`
    /// (5 GiB), parallel part copies above it, each pinned to the source's ETag; the
    /// copy's CRC64 is checked against the source's.
    pub fn copy(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        self.drive_copy(Copy::new(op.clone(), options))
    }

    /// Moves: [`Client::copy`], then a HEAD of the destination (size and CRC64 must match
    /// the source's), and only then the deletion of the source.
    pub fn move_object(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        self.drive_copy(Copy::moving(op.clone(), options))
    }

    fn drive_copy(&self, mut machine: Copy) -> Result<CopyOutput, TransferError> {
        let source_config = machine
            .source()
            .config(self.config())
            .map_err(|e| TransferError::Client(cos_proto::Error::from(e).into()))?;
        let source = &self.with_config(source_config);
        std::thread::scope(|scope| {
            let mut workers = Workers::new(scope);
            loop {
                while machine.poll_event().is_some() {}
                let Some(action) = machine.poll_action() else {
                    let outcome = workers.next()?;
                    machine.handle(outcome);
                    continue;
                };
                match action {
                    CopyAction::Done(result) => return result,
                    CopyAction::HeadSource(op) => {
                        workers.spawn(move || CopyOutcome::SourceHead(source.head_object(&op)))
                    }
                    CopyAction::CopyObject(op) => {
                        workers.spawn(move || CopyOutcome::Copied(self.copy_object(&op)))
                    }
                    CopyAction::Initiate(op) => workers
                        .spawn(move || CopyOutcome::Initiated(self.create_multipart_upload(&op))),
                    CopyAction::UploadPartCopy { op, part_number } => {
                        workers.spawn(move || CopyOutcome::PartCopied {
                            part_number,
                            result: self.upload_part_copy(&op),
                        })
                    }
                    CopyAction::Complete(op) => workers
                        .spawn(move || CopyOutcome::Completed(self.complete_multipart_upload(&op))),
                    CopyAction::Abort(op) => workers.spawn(move || {
                        CopyOutcome::Aborted(self.abort_multipart_upload(&op).map(drop))
                    }),
                    CopyAction::HeadDestination(op) => {
                        workers.spawn(move || CopyOutcome::DestinationHead(self.head_object(&op)))
                    }
                    CopyAction::DeleteSource(op) => workers.spawn(move || {
                        CopyOutcome::SourceDeleted(source.delete_object(&op).map(drop))
                    }),
                    _ => return Err(TransferError::Unexpected("unknown copy action".into())),
                }
            }
        })
    }

    /// Fetches one range into the target at `offset`: `(bytes written, CRC64 of the
    /// bytes received)`; `sealing` turns them into the bytes written.
    fn fetch_range(
        &self,
        op: &GetObject,
        target: &dyn DownloadTarget,
        offset: u64,
        sealing: &Sealing,
    ) -> Result<(u64, u64), Error> {
        let (_, mut body) = self.get_object(op)?;
        let mut crc = Crc64::new();
        let mut buffer = vec![0; WRITE_CHUNK];
        let mut position = offset;
        loop {
            let mut filled = 0;
            while filled < buffer.len() {
                match body.read(&mut buffer[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(err) => return Err(Error::from_io(err)),
                }
            }
            if filled == 0 {
                return Ok((position - offset, crc.value()));
            }
            crc.update(&buffer[..filled]);
            sealing.open(position, &mut buffer[..filled])?;
            target
                .write_at(position, &buffer[..filled])
                .map_err(file_error(target.path()))?;
            position += filled as u64;
        }
    }
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

/// What a tap saw of a body COS received: unknown is an error, never a CRC-64 of 0.
fn tap_value(tap: &Crc64Tap) -> Result<u64, Error> {
    tap.value().ok_or_else(|| {
        Error::Io(std::io::Error::other(
            "the CRC-64 of the sent body is unknown",
        ))
    })
}
