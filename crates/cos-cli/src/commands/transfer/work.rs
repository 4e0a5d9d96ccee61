//! One path of a `sync`, as a task of the pool: the comparison of its two sides when
//! their sizes are equal (HEAD, recorded times, CRC-64s), then the transfer.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cos_proto::ops::{CopySource, HeadObject, ObjectInfo};
use cos_tokio::Client;
use cos_tokio::cos_transfer::paths;

use super::compare::{Verdict, by_crc, by_time, last_modified, recorded_mtime};
use super::cp::slash_path;
use super::job::{self, Shared, Target};
use super::listing::Entry;
use super::pool::{Meter, Outcome};
use super::sides::Sides;

/// One path's task: the comparison (when the sizes are equal), then the transfer.
#[derive(Debug)]
pub(crate) struct Work {
    pub(crate) sides: Sides,
    pub(crate) shared: Arc<Shared>,
    pub(crate) checksum: bool,
    pub(crate) dry_run: bool,
    pub(crate) compare: bool,
    pub(crate) entry: Entry,
    pub(crate) local_mtime: Option<i64>,
}

impl Work {
    pub(crate) async fn run(self, concurrency: usize, meter: Meter) -> Outcome {
        if self.compare {
            let sides = self.sides.clone();
            let (entry, local_mtime) = (self.entry.clone(), self.local_mtime);
            match verdict(sides, entry, local_mtime, self.checksum).await {
                Err(error) => return Outcome::Failed(error),
                Ok(Verdict::Same(reason)) => return Outcome::Skipped(reason),
                Ok(Verdict::Differs(reason)) if self.dry_run => return Outcome::Planned(reason),
                Ok(_) => {}
            }
        }
        let relative = self.entry.relative;
        match self.sides {
            Sides::Up { root, to, client } => {
                let path = slash_path(&root, &relative);
                let key = format!("{}{relative}", to.key);
                job::upload(
                    client,
                    self.shared,
                    path,
                    key,
                    self.entry.mtime,
                    concurrency,
                    meter,
                )
                .await
            }
            Sides::Down { from, root, client } => {
                let key = format!("{}{relative}", from.key);
                // The SDK's key rules decide where a key may be written.
                let Ok(Some(relative)) = paths::local_path_for_key(Path::new(""), "", &relative)
                else {
                    return Outcome::Failed(format!("refused the key {key:?}"));
                };
                let target = Target::Below { relative, root };
                job::download(client, self.shared, key, target, concurrency, meter).await
            }
            Sides::Across {
                from,
                to,
                source_client,
                client,
            } => {
                let source = CopySource::in_config(
                    source_client.config(),
                    format!("{}{relative}", from.key),
                );
                let key = format!("{}{relative}", to.key);
                job::copy(client, self.shared, source, key, concurrency, meter).await
            }
        }
    }
}

/// Whether the two sides of `entry`, of equal size, hold the same file (see
/// [`super::SyncArgs`]); `local_mtime` is a local destination's modification time.
async fn verdict(
    sides: Sides,
    entry: Entry,
    local_mtime: Option<i64>,
    checksum: bool,
) -> Result<Verdict, String> {
    let relative = entry.relative;
    match sides {
        Sides::Up { root, to, client } => {
            let info = head(client, format!("{}{relative}", to.key)).await?;
            let verdict = by_time(checksum, entry.mtime, recorded_mtime(&info));
            or_crc(verdict, slash_path(&root, &relative), info.crc64).await
        }
        Sides::Down { from, root, client } => {
            let info = head(client, format!("{}{relative}", from.key)).await?;
            let mut verdict = by_time(checksum, local_mtime, recorded_mtime(&info));
            let modified = last_modified(&info);
            if verdict == Verdict::NeedCrc
                && !checksum
                && modified.is_some()
                && modified == local_mtime
            {
                // Set from Last-Modified by an earlier download.
                verdict = Verdict::Same("same size and mtime");
            }
            or_crc(verdict, slash_path(&root, &relative), info.crc64).await
        }
        Sides::Across {
            from,
            to,
            source_client,
            client,
        } => {
            let source = head(source_client, format!("{}{relative}", from.key)).await?;
            let destination = head(client, format!("{}{relative}", to.key)).await?;
            Ok(by_crc(source.crc64, destination.crc64))
        }
    }
}

/// `verdict`, or the comparison of the local file's CRC-64 with the object's when the
/// times could not decide.
async fn or_crc(verdict: Verdict, path: PathBuf, remote: Option<u64>) -> Result<Verdict, String> {
    if verdict != Verdict::NeedCrc {
        return Ok(verdict);
    }
    let crc = tokio::task::spawn_blocking(move || cos_tokio::cos_transfer::fs::file_crc64(&path))
        .await
        .map_err(|err| err.to_string())?
        .map_err(|err| format!("cannot read the file: {err}"))?;
    Ok(by_crc(Some(crc), remote))
}

/// The HEAD of `key`.
async fn head(client: Client, key: String) -> Result<ObjectInfo, String> {
    client
        .head_object(&HeadObject::new(key.clone()))
        .await
        .map_err(|err| format!("HEAD {key}: {}", job::with_hint(&err)))
}
