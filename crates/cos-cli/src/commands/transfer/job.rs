//! One file's transfer, as a task of the pool: upload, download or server-side copy,
//! each verified by the SDK (CRC-64) before it counts, and for `mv` the deletion of the
//! source after that.

use std::path::PathBuf;
use std::sync::Arc;

use cos_proto::ops::{CopySource, DeleteObject, GetObject};
use cos_tokio::Client;
use cos_tokio::cos_transfer::TransferError;
use cos_tokio::cos_transfer::fs::FileTarget;

use super::compare::{object_mtime, set_file_mtime};
use super::pool::{Meter, Outcome};
use super::request::Request;
use crate::failure::hint_for;

/// What every file of a command shares.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The flags of new objects and the part size.
    pub(crate) request: Request,
    /// `mv`: delete each source once its copy is verified.
    pub(crate) moving: bool,
}

/// Where a download writes.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// A path the user named (its directory is created if missing).
    Path(PathBuf),
    /// A path below a tree's root, checked by the SDK for links out of the root.
    Below {
        /// The tree's root.
        root: PathBuf,
        /// The file below it.
        relative: PathBuf,
    },
}

impl Target {
    /// The local path written.
    pub(crate) fn path(&self) -> PathBuf {
        match self {
            Target::Path(path) => path.clone(),
            Target::Below { root, relative } => root.join(relative),
        }
    }
}

/// Uploads the file at `path` to `key` (recording `mtime`), `concurrency` parts at a
/// time; with `mv`, then deletes the file.
pub(crate) async fn upload(
    client: Client,
    shared: Arc<Shared>,
    path: PathBuf,
    key: String,
    mtime: Option<i64>,
    concurrency: usize,
    meter: Meter,
) -> Outcome {
    let put = shared.request.put(&key, mtime);
    let options = shared.request.options(concurrency);
    let done = client
        .upload_file_with_progress(&put, &path, options, meter.on_event())
        .await;
    match done {
        Err(err) => Outcome::Failed(describe(&err)),
        Ok(done) if shared.moving => match tokio::fs::remove_file(&path).await {
            Ok(()) => Outcome::Done(done.size),
            Err(err) => Outcome::Failed(format!(
                "uploaded and verified, but the file could not be deleted: {err}"
            )),
        },
        Ok(done) => Outcome::Done(done.size),
    }
}

/// Downloads `key` to `target`, `concurrency` ranges at a time, and gives the file the
/// object's modification time; with `mv`, then deletes the object.
pub(crate) async fn download(
    client: Client,
    shared: Arc<Shared>,
    key: String,
    target: Target,
    concurrency: usize,
    meter: Meter,
) -> Outcome {
    let path = target.path();
    let file_target = match target {
        Target::Path(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
                && let Err(err) = std::fs::create_dir_all(parent)
            {
                return Outcome::Failed(format!("cannot create {}: {err}", parent.display()));
            }
            FileTarget::new(path)
        }
        Target::Below { root, relative } => FileTarget::below(&root, &relative),
    };
    let options = shared.request.options(concurrency);
    let get = GetObject::new(key.clone());
    let done = client
        .download_to(&get, Arc::new(file_target), options, meter.on_event())
        .await;
    let done = match done {
        Ok(done) => done,
        Err(err) => return Outcome::Failed(describe(&err)),
    };
    if let Some(mtime) = object_mtime(&done.info)
        && let Err(err) = set_file_mtime(&path, mtime)
    {
        return Outcome::Failed(format!(
            "downloaded, but the modification time could not be set: {err}"
        ));
    }
    if shared.moving
        && let Err(err) = client.delete_object(&DeleteObject::new(key)).await
    {
        return Outcome::Failed(format!(
            "downloaded and verified, but the object could not be deleted: {err}"
        ));
    }
    Outcome::Done(done.object.size)
}

/// Copies `source` to `key` of `client`'s bucket on the server (checked by CRC-64);
/// with `mv`, the source is deleted once the copy is verified.
pub(crate) async fn copy(
    client: Client,
    shared: Arc<Shared>,
    source: CopySource,
    key: String,
    concurrency: usize,
    meter: Meter,
) -> Outcome {
    let op = shared.request.copy(&key, source);
    let options = shared.request.options(concurrency);
    let done = if shared.moving {
        client.move_object(&op, options).await
    } else {
        client.copy(&op, options).await
    };
    match done {
        Ok(done) => {
            meter.add(done.size);
            Outcome::Done(done.size)
        }
        Err(err) => Outcome::Failed(describe(&err)),
    }
}

/// A transfer's error as its failure line says it, with what to do about COS's error
/// code when there is advice for it.
pub(crate) fn describe(err: &TransferError) -> String {
    match err.client_error().and_then(hint_for) {
        Some(hint) => format!("{err}; {hint}"),
        None => err.to_string(),
    }
}

/// A request's error, with what to do about COS's error code when there is advice.
pub(crate) fn with_hint(err: &cos_tokio::Error) -> String {
    match hint_for(err) {
        Some(hint) => format!("{err}; {hint}"),
        None => err.to_string(),
    }
}
