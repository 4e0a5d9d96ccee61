//! `get_object_to_file`: one GET's body into a file, atomically.

use std::sync::Arc;

use bytes::Bytes;
use cos_proto::driver::error::Error as ClientError;

use super::{ChunkSource, Requests, file_error};
use crate::fs::{self, TransferFiles};

/// The files of a download into `path` (its directory opened where blocking is
/// allowed: a missing directory fails before anything is asked of COS).
pub async fn files_for<R: Requests>(
    client: &R,
    path: &std::path::Path,
) -> Result<Arc<TransferFiles>, ClientError> {
    let path = path.to_path_buf();
    client
        .run_blocking(move || {
            TransferFiles::of(&path)
                .map(Arc::new)
                .map_err(file_error(&path))
        })
        .await
}

/// Writes `body` to a new file in the helper folder of `files` (named with `unique`),
/// checks that every announced byte arrived, makes it durable and renames it over the
/// target; on any failure the file is removed and the target untouched.
pub async fn save<R: Requests>(
    client: &R,
    body: &mut (impl ChunkSource + Send),
    files: Arc<TransferFiles>,
    unique: u64,
) -> Result<(), ClientError> {
    let (file, temp) = {
        let files = Arc::clone(&files);
        let create = move || {
            files
                .create_unique(unique)
                .map_err(file_error(&files.path()))
        };
        client.run_blocking(create).await?
    };
    let file = Arc::new(file);
    let written = async {
        let (sink, path) = (Arc::clone(&file), files.path());
        let write = move |mut at: u64, chunks: Vec<Bytes>| {
            for chunk in &chunks {
                fs::write_at(&sink, at, chunk).map_err(file_error(&path))?;
                at += chunk.len() as u64;
            }
            Ok(())
        };
        super::download::write_body(client, body, 0, |_| {}, write).await?;
        body.check_complete()?;
        let (file, path) = (Arc::clone(&file), files.path());
        client
            .run_blocking(move || file.sync_all().map_err(file_error(&path)))
            .await
    }
    .await;
    drop(file);
    client
        .run_blocking(move || match written {
            Ok(()) => files
                .commit_unique(&temp)
                .map_err(file_error(&files.path())),
            Err(err) => {
                files.remove_unique(&temp);
                Err(err)
            }
        })
        .await
}
