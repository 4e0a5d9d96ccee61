//! The upload loop: `upload_file`, plain or encrypted.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cos_proto::crc64::Crc64Tap;
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{PutObject, UploadPart};

use super::{Requests, Tasks, TransferBody, file_error, settle};
use crate::fs::{self, TransferFiles};
use crate::{
    Sealing, SourceIdentity, TransferError, TransferEvent, TransferOptions, Upload, UploadAction,
    UploadCheckpoint, UploadOutcome, UploadOutput,
};

/// Uploads the file at `path` as `put` describes (its length is ignored): one PUT below
/// `options.multipart_threshold`, else a resumable multipart upload; see the clients'
/// `upload_file`.
pub async fn upload_file<R: Requests>(
    client: &R,
    put: &PutObject,
    path: &Path,
    options: TransferOptions,
    on_event: impl FnMut(TransferEvent),
) -> Result<UploadOutput, TransferError> {
    let (identity, checkpoint, files) = start(client, path).await?;
    let bucket = client.config().bucket();
    let machine = Upload::new(bucket, put.clone(), identity, checkpoint, options);
    run(client, machine, path, files, Sealing::Plain, on_event).await
}

/// [`upload_file`] of the file encrypted on the way (a fresh content key and IV, wrapped
/// by `master`, written as `format`; the plaintext CRC-64 recorded when the format
/// keeps one, at the cost of one local read first). A resumed run reuses the envelope
/// its checkpoint recorded.
#[cfg(feature = "crypto")]
#[allow(clippy::too_many_arguments)] // the upload, the file, and the envelope's three inputs
pub async fn upload_file_encrypted<R: Requests>(
    client: &R,
    put: &PutObject,
    path: &Path,
    options: TransferOptions,
    master: &(dyn cos_crypto::MasterKey + Send + Sync),
    format: cos_crypto::Format,
    rng: &mut (dyn rand_core::CryptoRng + Send),
    on_event: impl FnMut(TransferEvent),
) -> Result<UploadOutput, TransferError> {
    let (identity, checkpoint, files) = start(client, path).await?;
    let crc64 = if crate::encrypted::records_plaintext_crc64(format) {
        let (path, identity) = (path.to_path_buf(), identity.clone());
        let read = client.run_blocking(move || {
            fs::source_crc64(&path, &identity, 0, identity.size, &Sealing::Plain)
        });
        Some(read.await?)
    } else {
        None
    };
    let bucket = client.config().bucket();
    let (machine, envelope) = crate::encrypted::upload(
        bucket, put, identity, crc64, checkpoint, options, master, format, rng,
    )?;
    let sealing = Sealing::Encrypted(Arc::new(envelope));
    run(client, machine, path, files, sealing, on_event).await
}

/// The file's identity and checkpoint, read where blocking is allowed.
async fn start<R: Requests>(
    client: &R,
    path: &Path,
) -> Result<(SourceIdentity, Option<UploadCheckpoint>, Arc<TransferFiles>), ClientError> {
    let path = path.to_path_buf();
    client
        .run_blocking(move || {
            let (identity, checkpoint, files) =
                fs::upload_start(&path).map_err(file_error(&path))?;
            Ok((identity, checkpoint, Arc::new(files)))
        })
        .await
}

/// Runs an upload machine over the file at `path` (whose checkpoint `files` keep),
/// sealing every body as `sealing` says.
async fn run<R: Requests>(
    client: &R,
    mut machine: Upload,
    path: &Path,
    files: Arc<TransferFiles>,
    sealing: Sealing,
    mut on_event: impl FnMut(TransferEvent),
) -> Result<UploadOutput, TransferError> {
    let mut tasks = client.tasks();
    loop {
        while let Some(event) = machine.poll_event() {
            on_event(event);
        }
        let Some(action) = machine.poll_action() else {
            let outcome = tasks.next().await?;
            machine.handle(outcome);
            continue;
        };
        let (client, path, files): (R, PathBuf, _) =
            (client.clone(), path.to_path_buf(), Arc::clone(&files));
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
                    let (body, tap) = source_range::<R>(&source, &path, 0, len, &sealing, None)?;
                    Ok((client.send(&op, body).await?, tap_value(&tap)?))
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
                        source_range::<R>(&source, &path, offset, len, &sealing, Some(&op))?;
                    Ok((client.send(&op, body).await?, tap_value(&tap)?))
                };
                UploadOutcome::PartUploaded {
                    part_number,
                    result: sent.await,
                }
            }),
            UploadAction::AbortStale(op) => tasks.spawn(async move {
                UploadOutcome::Aborted(client.send(&op, R::Body::default()).await.map(drop))
            }),
            UploadAction::ListParts(op) => tasks.spawn(async move {
                UploadOutcome::PartsListed(client.send(&op, R::Body::default()).await)
            }),
            UploadAction::Initiate(op) => tasks.spawn(async move {
                UploadOutcome::Initiated(client.send(&op, R::Body::default()).await)
            }),
            UploadAction::Complete(op) => tasks.spawn(async move {
                UploadOutcome::Completed(client.send(&op, R::Body::default()).await)
            }),
            UploadAction::VerifyCompleted(op) => tasks.spawn(async move {
                UploadOutcome::Verified(client.send(&op, R::Body::default()).await)
            }),
            _ => return Err(TransferError::Unexpected("unknown upload action".into())),
        }
    }
}

/// `len` bytes of the source at `offset`, streamed from a handle of their own (never
/// held in memory), with a tap that computes their CRC-64 as they are sent. `sealing`
/// encrypts them (at `offset`, checked against `part`) when it says so.
fn source_range<R: Requests>(
    identity: &SourceIdentity,
    path: &Path,
    offset: u64,
    len: u64,
    sealing: &Sealing,
    part: Option<&UploadPart>,
) -> Result<(R::Body, Crc64Tap), ClientError> {
    let handle = fs::reopen_source(path, identity).map_err(ClientError::Source)?;
    let tap = Crc64Tap::new();
    let body = R::Body::file_range(handle, offset, len, tap.clone());
    #[cfg(feature = "crypto")]
    let body = match sealing.cipher_for(part, offset)? {
        Some((cipher, at)) => body.encrypted(cipher, at),
        None => body,
    };
    #[cfg(not(feature = "crypto"))]
    let _ = (sealing, part);
    Ok((body, tap))
}

/// What a tap saw of a body COS received: unknown is an error, never a CRC-64 of 0.
fn tap_value(tap: &Crc64Tap) -> Result<u64, ClientError> {
    tap.value().ok_or_else(|| {
        ClientError::Io(std::io::Error::other(
            "the CRC-64 of the sent body is unknown",
        ))
    })
}
