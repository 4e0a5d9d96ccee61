//! The download loop: `download_file` and `download_to`, plain or decrypting.

use std::sync::Arc;

use bytes::Bytes;
use cos_proto::crc64::Crc64;
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::GetObject;

use super::{ChunkSource, Requests, Tasks, file_error, settle};
use crate::fs::{self, DownloadTarget};
use crate::{
    Download, DownloadAction, DownloadOutcome, DownloadOutput, Opener, Sealing, TransferError,
    TransferEvent, TransferOptions,
};

/// Bytes a range gathers before they are written (on the blocking side, while the next
/// arrive).
const WRITE_CHUNK: usize = 1 << 20;

/// Downloads what `get` names into `target`: a HEAD pins the object's size, ETag and
/// CRC-64, ranges are fetched in parallel with `If-Match`, and the target is finalized
/// only once the CRC-64 combined from the ranges matches COS's; see the clients'
/// `download_file`.
pub async fn download_to<R: Requests>(
    client: &R,
    get: &GetObject,
    target: Arc<dyn DownloadTarget>,
    options: TransferOptions,
    on_event: impl FnMut(TransferEvent),
) -> Result<DownloadOutput, TransferError> {
    let checkpoint = checkpoint(client, &target).await?;
    let machine = Download::new(client.config().bucket(), get.clone(), checkpoint, options);
    run(client, machine, target, Opener::Plain, on_event).await
}

/// [`download_to`] of a client-side encrypted object, decrypted before it is written:
/// the envelope is opened from the HEAD with `master` (`rng` gives what an unwrap needs),
/// so a plain object or a wrong key fails before any byte is fetched.
#[cfg(feature = "crypto")]
pub async fn download_decrypted<R: Requests>(
    client: &R,
    get: &GetObject,
    target: Arc<dyn DownloadTarget>,
    options: TransferOptions,
    master: Arc<dyn cos_crypto::MasterKey + Send + Sync>,
    rng: fn() -> Box<dyn rand_core::CryptoRng>,
    on_event: impl FnMut(TransferEvent),
) -> Result<DownloadOutput, TransferError> {
    let checkpoint = checkpoint(client, &target).await?;
    let bucket = client.config().bucket();
    let machine = crate::encrypted::download(bucket, get.clone(), checkpoint, options);
    let opener = Opener::Decrypt { master, rng };
    run(client, machine, target, opener, on_event).await
}

async fn checkpoint<R: Requests>(
    client: &R,
    target: &Arc<dyn DownloadTarget>,
) -> Result<Option<crate::DownloadCheckpoint>, ClientError> {
    let target = Shared(Arc::clone(target));
    client
        .run_blocking(move || Ok(fs::download_checkpoint(target.get())))
        .await
}

/// The target as the blocking closures capture it. A closure that captures an
/// `Arc<dyn DownloadTarget>` itself makes the whole transfer's future fail rustc's
/// higher-ranked `Send` check (so a caller could not `tokio::spawn` a download); a
/// named type without lifetimes, captured whole through [`Shared::get`], does not.
struct Shared(Arc<dyn DownloadTarget>);

impl Shared {
    fn get(&self) -> &dyn DownloadTarget {
        self.0.as_ref()
    }
}

/// Runs a download machine into `target`; `opener` says, once the HEAD answered, how
/// the stored bytes become the bytes written.
async fn run<R: Requests>(
    client: &R,
    mut machine: Download,
    target: Arc<dyn DownloadTarget>,
    opener: Opener,
    mut on_event: impl FnMut(TransferEvent),
) -> Result<DownloadOutput, TransferError> {
    let mut sealing = Sealing::Plain;
    let mut tasks = client.tasks();
    loop {
        while let Some(event) = machine.poll_event() {
            on_event(event);
        }
        let Some(action) = machine.poll_action() else {
            let outcome = match tasks.next().await? {
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
        let (client, target) = (client.clone(), Arc::clone(&target));
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
            DownloadAction::Head(op) => tasks.spawn(async move {
                DownloadOutcome::Head(client.send(&op, Default::default()).await)
            }),
            DownloadAction::OpenTemp { len, keep } => {
                let opened = on_target(&client, target, move |t| t.open(len, keep)).await;
                machine.handle(DownloadOutcome::TempReady(opened));
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
                        result: fetch_range(&client, &op, target, offset, sealing).await,
                    }
                })
            }
            DownloadAction::Finalize => {
                let done = on_target(&client, target, |t| t.finalize()).await;
                machine.handle(DownloadOutcome::Finalized(done));
            }
            DownloadAction::Discard => {
                let done = on_target(&client, target, |t| t.discard()).await;
                machine.handle(DownloadOutcome::Discarded(done));
            }
            _ => return Err(TransferError::Unexpected("unknown download action".into())),
        }
    }
}

/// Runs one blocking call on the download target, naming it in errors.
async fn on_target<R: Requests, T: Send + 'static>(
    client: &R,
    target: Arc<dyn DownloadTarget>,
    work: impl FnOnce(&dyn DownloadTarget) -> std::io::Result<T> + Send + 'static,
) -> Result<T, ClientError> {
    let target = Shared(target);
    client
        .run_blocking(move || {
            let target = target.get();
            work(target).map_err(file_error(target.path()))
        })
        .await
}

/// Fetches one range into the target at `offset`: `(bytes written, the CRC-64 of the
/// bytes received)`.
async fn fetch_range<R: Requests>(
    client: &R,
    op: &GetObject,
    target: Arc<dyn DownloadTarget>,
    offset: u64,
    sealing: Sealing,
) -> Result<(u64, u64), ClientError> {
    let (_, mut body) = client.get_object(op).await?;
    let mut crc = Crc64::new();
    let write = move |at: u64, chunks: Vec<Bytes>| write_chunks(&*target, &sealing, at, &chunks);
    let written = write_body(client, &mut body, offset, |chunk| crc.update(chunk), write).await?;
    Ok((written, crc.value()))
}

/// Writes a body's chunks from `offset` on, in batches of at least [`WRITE_CHUNK`]
/// bytes (the chunks as they arrived, no copy), each on the blocking side while the
/// next arrive: `write(position, chunks)` writes one batch, `seen` sees every chunk in
/// order. Returns the bytes written; no write is left running when it returns, even
/// when the body failed.
pub(super) async fn write_body<R: Requests>(
    client: &R,
    body: &mut (impl ChunkSource + Send),
    offset: u64,
    mut seen: impl FnMut(&Bytes) + Send,
    write: impl Fn(u64, Vec<Bytes>) -> Result<(), ClientError> + Clone + Send + 'static,
) -> Result<u64, ClientError> {
    let mut writing = None;
    let received = async {
        let mut position = offset;
        let mut batch = Vec::new();
        let mut batched = 0;
        loop {
            let chunk = body.next_chunk().await.transpose()?;
            let last = chunk.is_none();
            if let Some(chunk) = chunk {
                seen(&chunk);
                batched += chunk.len();
                batch.push(chunk);
            }
            if batched >= WRITE_CHUNK || (last && batched > 0) {
                if let Some(previous) = writing.take() {
                    previous.await?;
                }
                let (chunks, write) = (std::mem::take(&mut batch), write.clone());
                writing = Some(client.run_blocking(move || write(position, chunks)));
                position += batched as u64;
                batched = 0;
            }
            if last {
                return Ok::<_, ClientError>(position - offset);
            }
        }
    }
    .await;
    let written = match writing {
        Some(write) => write.await,
        None => Ok(()),
    };
    let received = received?;
    written?;
    Ok(received)
}

/// Writes `chunks` (bytes received, in order) into the target at `offset`, opened as
/// `sealing` says: plain ones as they are, encrypted ones decrypted in a copy.
fn write_chunks(
    target: &dyn DownloadTarget,
    sealing: &Sealing,
    mut offset: u64,
    chunks: &[Bytes],
) -> Result<(), ClientError> {
    let mut opened = Vec::new();
    for chunk in chunks {
        let data = match sealing {
            Sealing::Plain => chunk.as_ref(),
            #[allow(unreachable_patterns)] // without `crypto`, every sealing is plain
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
