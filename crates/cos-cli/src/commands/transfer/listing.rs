//! The two sides of a transfer as sorted lists: a local tree (held in memory, sorted by
//! the bytes of its `/`-separated relative paths, the order COS lists keys in) and a
//! COS listing (streamed page by page), and the merge-join of two of them.

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use cos_proto::ops::{ListObjects, ObjectSummary};
use cos_tokio::{Client, Pages};

use super::compare::file_mtime;
use super::naming::relative_key;
use crate::failure::CliError;
use crate::location::Remote;

/// A file or object, by its path relative to the root of its side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The relative path, `/`-separated (for an object: the key after the prefix).
    pub(crate) relative: String,
    /// The size in bytes.
    pub(crate) size: u64,
    /// A local file's modification time (Unix seconds); `None` for objects.
    pub(crate) mtime: Option<i64>,
}

/// The regular files below `root` (none if it does not exist), sorted by relative path;
/// the helper folders of transfers (`.cos-transfer`) are left out. Paths that cannot be
/// keys are returned apart.
pub(crate) async fn local_tree(root: &Path) -> Result<(Vec<Entry>, Vec<PathBuf>), CliError> {
    let root = root.to_path_buf();
    let walked = tokio::task::spawn_blocking(move || walk(&root)).await;
    walked.map_err(|err| CliError::failed(format!("listing local files: {err}")))?
}

fn walk(root: &Path) -> Result<(Vec<Entry>, Vec<PathBuf>), CliError> {
    if !root.exists() {
        return Ok((Vec::new(), Vec::new()));
    }
    let files = cos_tokio::cos_transfer::fs::walk_files(root)
        .map_err(|err| CliError::failed(format!("cannot read {}: {err}", root.display())))?;
    let mut entries = Vec::with_capacity(files.len());
    let mut unusable = Vec::new();
    for relative in files {
        let (Some(key), Ok(metadata)) = (
            relative_key(&relative),
            std::fs::metadata(root.join(&relative)),
        ) else {
            unusable.push(relative);
            continue;
        };
        entries.push(Entry {
            relative: key,
            size: metadata.len(),
            mtime: file_mtime(&metadata),
        });
    }
    // Byte order of the `/` paths, as COS lists keys (not directory by directory).
    entries.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok((entries, unusable))
}

/// The objects under a prefix, streamed one page at a time.
pub(crate) struct RemoteList {
    remote: Remote,
    pages: Pages<ListObjects>,
    buffered: VecDeque<ObjectSummary>,
}

impl std::fmt::Debug for RemoteList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteList")
            .field("remote", &self.remote)
            .finish_non_exhaustive()
    }
}

impl RemoteList {
    /// The objects of `client` whose keys start with `remote.key`.
    pub(crate) fn new(client: &Client, remote: &Remote) -> RemoteList {
        RemoteList {
            remote: remote.clone(),
            pages: client.paginate(ListObjects::new().prefix(remote.key.clone())),
            buffered: VecDeque::new(),
        }
    }

    /// The next object, in key order; `None` after the last.
    pub(crate) async fn next(&mut self) -> Result<Option<ObjectSummary>, CliError> {
        loop {
            if let Some(object) = self.buffered.pop_front() {
                return Ok(Some(object));
            }
            match self.pages.next_page().await {
                None => return Ok(None),
                Some(Err(err)) => {
                    return Err(CliError::cos(format!("listing {}", self.remote), &err));
                }
                Some(Ok(page)) => self.buffered.extend(page.contents),
            }
        }
    }
}

/// One side of a `sync`.
#[derive(Debug)]
pub(crate) enum Listing {
    /// A local tree.
    Local(std::vec::IntoIter<Entry>),
    /// The objects under a prefix (ending with `/` or empty); directory markers and the
    /// prefix itself are left out.
    Remote(RemoteList),
}

impl Listing {
    /// The next entry, in byte order of relative paths.
    pub(crate) async fn next(&mut self) -> Result<Option<Entry>, CliError> {
        match self {
            Listing::Local(entries) => Ok(entries.next()),
            Listing::Remote(list) => loop {
                let Some(object) = list.next().await? else {
                    return Ok(None);
                };
                let relative = object
                    .key
                    .strip_prefix(list.remote.key.as_str())
                    .unwrap_or(&object.key);
                if relative.is_empty() || relative.ends_with('/') {
                    continue;
                }
                return Ok(Some(Entry {
                    relative: relative.to_owned(),
                    size: object.size,
                    mtime: None,
                }));
            },
        }
    }
}

/// What the merge-join finds at one relative path.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pair {
    /// Only the source has it.
    SourceOnly(Entry),
    /// Both sides have it.
    Both(Entry, Entry),
    /// Only the destination has it.
    DestinationOnly(Entry),
}

/// The merge-join of two sorted listings: constant memory beyond what they hold.
#[derive(Debug)]
pub(crate) struct Merge {
    source: Listing,
    destination: Listing,
    next_source: Option<Entry>,
    next_destination: Option<Entry>,
    started: bool,
}

impl Merge {
    /// Joins `source` and `destination`.
    pub(crate) fn new(source: Listing, destination: Listing) -> Merge {
        Merge {
            source,
            destination,
            next_source: None,
            next_destination: None,
            started: false,
        }
    }

    /// The next path of either side, in order; `None` when both are exhausted.
    pub(crate) async fn next(&mut self) -> Result<Option<Pair>, CliError> {
        if !self.started {
            self.started = true;
            self.next_source = self.source.next().await?;
            self.next_destination = self.destination.next().await?;
        }
        let order = match (&self.next_source, &self.next_destination) {
            (None, None) => return Ok(None),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(s), Some(d)) => s.relative.cmp(&d.relative),
        };
        let pair = match order {
            Ordering::Less => Pair::SourceOnly(self.take_source().await?),
            Ordering::Greater => Pair::DestinationOnly(self.take_destination().await?),
            Ordering::Equal => {
                let source = self.take_source().await?;
                Pair::Both(source, self.take_destination().await?)
            }
        };
        Ok(Some(pair))
    }

    async fn take_source(&mut self) -> Result<Entry, CliError> {
        let next = self.source.next().await?;
        let taken = std::mem::replace(&mut self.next_source, next)
            .ok_or_else(|| CliError::failed("the source listing ended early"))?;
        in_order(&taken, self.next_source.as_ref(), "source")?;
        Ok(taken)
    }

    async fn take_destination(&mut self) -> Result<Entry, CliError> {
        let next = self.destination.next().await?;
        let taken = std::mem::replace(&mut self.next_destination, next)
            .ok_or_else(|| CliError::failed("the destination listing ended early"))?;
        in_order(&taken, self.next_destination.as_ref(), "destination")?;
        Ok(taken)
    }
}

/// The join is only right if each side comes in strictly increasing order: a server
/// that pages out of order would otherwise make a path look missing (and deletable).
fn in_order(taken: &Entry, next: Option<&Entry>, side: &str) -> Result<(), CliError> {
    match next {
        Some(next) if next.relative <= taken.relative => Err(CliError::failed(format!(
            "the {side} listing is out of order ({:?} after {:?}): nothing more is done",
            next.relative, taken.relative
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entries(paths: &[&str]) -> Vec<Entry> {
        paths
            .iter()
            .map(|p| Entry {
                relative: (*p).to_owned(),
                size: 1,
                mtime: None,
            })
            .collect()
    }

    async fn join(source: &[&str], destination: &[&str]) -> Vec<(String, &'static str)> {
        let mut merge = Merge::new(
            Listing::Local(entries(source).into_iter()),
            Listing::Local(entries(destination).into_iter()),
        );
        let mut out = Vec::new();
        while let Some(pair) = merge.next().await.expect("merge") {
            out.push(match pair {
                Pair::SourceOnly(e) => (e.relative, "source"),
                Pair::Both(e, _) => (e.relative, "both"),
                Pair::DestinationOnly(e) => (e.relative, "destination"),
            });
        }
        out
    }

    #[tokio::test]
    async fn merge_pairs_paths_in_order() {
        let out = join(&["a", "b/c", "d"], &["b/c", "c", "e"]).await;
        let expected = [
            ("a", "source"),
            ("b/c", "both"),
            ("c", "destination"),
            ("d", "source"),
            ("e", "destination"),
        ];
        assert_eq!(
            out,
            expected.map(|(p, s)| (p.to_owned(), s)).to_vec(),
            "{out:?}"
        );
        assert!(join(&[], &[]).await.is_empty());
    }

    #[tokio::test]
    async fn a_side_out_of_order_stops_the_join() {
        let mut merge = Merge::new(
            Listing::Local(entries(&["a", "c"]).into_iter()),
            Listing::Local(entries(&["b", "a2"]).into_iter()),
        );
        let mut failed = None;
        while failed.is_none() {
            match merge.next().await {
                Ok(Some(Pair::DestinationOnly(e))) => assert_ne!(e.relative, "a2"),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(err) => failed = Some(err.to_string()),
            }
        }
        let failed = failed.expect("the destination's a2 after b is refused");
        assert!(failed.contains("out of order"), "{failed}");
    }

    #[tokio::test]
    async fn local_trees_sort_by_bytes_and_skip_helper_folders() {
        let dir = tempfile::tempdir().expect("tmp");
        for path in ["a/b", "a-b", "a.c", ".cos-transfer/x.resume", "z"] {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, b"12").expect("write");
        }
        let (tree, unusable) = local_tree(dir.path()).await.expect("tree");
        let names: Vec<&str> = tree.iter().map(|e| e.relative.as_str()).collect();
        // '-' (0x2d) < '.' (0x2e) < '/' (0x2f): "a/b" sorts after "a.c", as COS lists.
        assert_eq!(names, ["a-b", "a.c", "a/b", "z"]);
        assert!(unusable.is_empty());
        assert!(tree.iter().all(|e| e.size == 2 && e.mtime.is_some()));
        let missing = local_tree(&dir.path().join("missing")).await.expect("tree");
        assert!(missing.0.is_empty());
    }

    proptest! {
        #[test]
        fn merge_sees_every_path_once(
            a in proptest::collection::btree_set("[a-c/]{1,4}", 0..12),
            b in proptest::collection::btree_set("[a-c/]{1,4}", 0..12),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().expect("rt");
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let b: Vec<&str> = b.iter().map(String::as_str).collect();
            let out = runtime.block_on(join(&a, &b));
            let mut union: Vec<&str> = a.iter().chain(&b).copied().collect();
            union.sort_unstable();
            union.dedup();
            let seen: Vec<&str> = out.iter().map(|(p, _)| p.as_str()).collect();
            prop_assert_eq!(seen, union);
            for (path, side) in &out {
                let (in_a, in_b) = (a.contains(&path.as_str()), b.contains(&path.as_str()));
                let expected = match (in_a, in_b) {
                    (true, true) => "both",
                    (true, false) => "source",
                    _ => "destination",
                };
                prop_assert_eq!(*side, expected);
            }
        }
    }
}
