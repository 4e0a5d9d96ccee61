//! Keys and local paths: which local file a key may be written to, which key a local
//! file is uploaded as, and where a transfer keeps its checkpoint and temp file.
//!
//! A key is untrusted input: whoever can write to the bucket chooses it. A key is
//! written under the target directory only if every segment is a plain name: no `..`
//! or `.`, no absolute path, no drive letter, no backslash, no NUL, no empty segment,
//! and not [`HELPER_DIR`], where transfers keep their helper files. Anything else is
//! refused, never "cleaned up" into a different file.
//!
//! Helper files live in the [`HELPER_DIR`] folder of the directory of the file a
//! transfer writes or reads: `dir/.cos-transfer/<name>.part` (a download's data until it
//! is verified and renamed to `dir/<name>`) and `dir/.cos-transfer/<name>.resume` (the
//! checkpoint of a download into, or an upload from, `dir/<name>`).

use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};

use crate::error::TransferError;

/// Why a key was not written to the local disk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RefusedKey {
    /// A `..` or `.` segment: the key could escape the target directory.
    #[error("a '..' or '.' segment could escape the target directory")]
    DotSegment,
    /// The part after the prefix starts with `/`.
    #[error("an absolute path")]
    Absolute,
    /// A segment like `C:` (a drive or an alternate data stream on Windows).
    #[error("a drive letter or ':' in a segment")]
    DriveOrColon,
    /// A `\`, a path separator on Windows.
    #[error("a backslash")]
    Backslash,
    /// An empty segment (`a//b`).
    #[error("an empty segment")]
    EmptySegment,
    /// A NUL or control character.
    #[error("a control character")]
    ControlCharacter,
    /// The key does not start with the prefix being downloaded.
    #[error("outside the prefix")]
    OutsidePrefix,
    /// Nothing is left after the prefix.
    #[error("empty after the prefix")]
    Empty,
    /// A segment is [`HELPER_DIR`], the folder transfers keep their helper files in.
    #[error("the '.cos-transfer' folder is reserved for the transfers' helper files")]
    Reserved,
}

/// Where `key`, listed under `prefix`, is written below `root`. `Ok(None)` for a
/// directory marker (a key ending in `/`), which creates nothing.
///
/// ```
/// use std::path::Path;
/// use cos_transfer::paths::{local_path_for_key, RefusedKey};
/// let root = Path::new("/data");
/// assert_eq!(local_path_for_key(root, "logs/", "logs/2024/a.txt").unwrap().unwrap(),
///            Path::new("/data/2024/a.txt"));
/// assert_eq!(local_path_for_key(root, "logs/", "logs/../evil"), Err(RefusedKey::DotSegment));
/// assert_eq!(local_path_for_key(root, "", "/abs"), Err(RefusedKey::Absolute));
/// ```
pub fn local_path_for_key(
    root: &Path,
    prefix: &str,
    key: &str,
) -> Result<Option<PathBuf>, RefusedKey> {
    let rest = key.strip_prefix(prefix).ok_or(RefusedKey::OutsidePrefix)?;
    if rest.is_empty() {
        return Err(RefusedKey::Empty);
    }
    if rest.starts_with('/') {
        return Err(RefusedKey::Absolute);
    }
    let (rest, marker) = match rest.strip_suffix('/') {
        Some(dir) => (dir, true),
        None => (rest, false),
    };
    let mut path = root.to_path_buf();
    for segment in rest.split('/') {
        check_segment(segment)?;
        path.push(segment);
    }
    Ok(if marker { None } else { Some(path) })
}

fn check_segment(segment: &str) -> Result<(), RefusedKey> {
    if segment.is_empty() {
        return Err(RefusedKey::EmptySegment);
    }
    if segment == ".." || segment == "." {
        return Err(RefusedKey::DotSegment);
    }
    if segment.contains('\\') {
        return Err(RefusedKey::Backslash);
    }
    if segment.contains(':') {
        return Err(RefusedKey::DriveOrColon);
    }
    if segment.chars().any(char::is_control) {
        return Err(RefusedKey::ControlCharacter);
    }
    // Case-insensitive file systems (macOS, Windows) would map `.COS-Transfer` there too.
    if segment.eq_ignore_ascii_case(HELPER_DIR) {
        return Err(RefusedKey::Reserved);
    }
    // A last line of defence: the segment must be one plain path component here too.
    let mut components = Path::new(segment).components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(_)), None) => Ok(()),
        _ => Err(RefusedKey::DotSegment),
    }
}

/// The key a file at `relative` (below the uploaded directory) is stored as: `prefix`
/// followed by the path's components joined with `/`. Fails for a path that is not
/// plain relative UTF-8.
pub fn key_for_local_path(prefix: &str, relative: &Path) -> Result<String, TransferError> {
    let mut key = prefix.to_owned();
    let mut first = true;
    for component in relative.components() {
        let Component::Normal(name) = component else {
            return Err(TransferError::Unexpected(format!(
                "{} is not a plain relative path",
                relative.display()
            )));
        };
        let name = name.to_str().ok_or_else(|| {
            TransferError::Unexpected(format!("{} is not UTF-8", relative.display()))
        })?;
        if !first {
            key.push('/');
        }
        key.push_str(name);
        first = false;
    }
    Ok(key)
}

/// The files of a directory upload: `(key, path)` jobs for the files found below `root`
/// (relative paths as [`crate::fs`]'s walk lists them), and failed entries for paths
/// that cannot be keys.
pub fn plan_upload(
    root: &Path,
    prefix: &str,
    relative_files: Vec<PathBuf>,
) -> (Vec<(String, PathBuf)>, Vec<DirectoryEntry>) {
    let mut jobs = Vec::new();
    let mut entries = Vec::new();
    for relative in relative_files {
        let path = root.join(&relative);
        match key_for_local_path(prefix, &relative) {
            Ok(key) => jobs.push((key, path)),
            Err(err) => entries.push(DirectoryEntry::new(
                relative.display().to_string(),
                Some(path),
                EntryOutcome::Failed(err),
            )),
        }
    }
    (jobs, entries)
}

/// The objects of a directory download: `(key, path)` jobs for the keys that map below
/// `root`, and entries for those that are refused or are directory markers.
pub fn plan_download(
    root: &Path,
    prefix: &str,
    keys: Vec<String>,
) -> (Vec<(String, PathBuf)>, Vec<DirectoryEntry>) {
    let mut jobs = Vec::new();
    let mut entries = Vec::new();
    for key in keys {
        match local_path_for_key(root, prefix, &key) {
            Err(refused) => entries.push(DirectoryEntry::new(
                key,
                None,
                EntryOutcome::Refused(refused),
            )),
            Ok(None) => entries.push(DirectoryEntry::new(
                key,
                None,
                EntryOutcome::DirectoryMarker,
            )),
            Ok(Some(path)) => jobs.push((key, path)),
        }
    }
    (jobs, entries)
}

/// The folder, in the directory of each file a transfer writes or reads, that holds the
/// transfer's helper files. `download_dir` refuses keys with this segment
/// ([`RefusedKey::Reserved`]) and `upload_dir` does not upload it.
pub const HELPER_DIR: &str = ".cos-transfer";

/// The suffix of a checkpoint's name in [`HELPER_DIR`].
pub(crate) const CHECKPOINT_SUFFIX: &str = ".resume";

/// The suffix of a download's data file's name in [`HELPER_DIR`].
pub(crate) const TEMP_SUFFIX: &str = ".part";

/// Longest file name most file systems take, in bytes.
const NAME_MAX: usize = 255;

/// The longest suffix a helper file adds (`.resume.tmp`, `.<16 hex digits>.part`).
const LONGEST_SUFFIX: usize = 22;

/// The name of the helper file of `name` with `suffix`. A name too long to take the
/// suffix within the file system's limit is shortened to its start and the CRC64 of the
/// whole name.
pub(crate) fn helper_name(name: &OsStr, suffix: &str) -> OsString {
    let mut out = if name.len() + LONGEST_SUFFIX <= NAME_MAX {
        name.to_owned()
    } else {
        let lossy = name.to_string_lossy();
        let mut end = 160.min(lossy.len());
        while !lossy.is_char_boundary(end) {
            end -= 1;
        }
        let crc = cos_proto::crc64::crc64(name.as_encoded_bytes());
        OsString::from(format!("{}~{crc:016x}", &lossy[..end]))
    };
    out.push(suffix);
    out
}

fn helper_path(file: &Path, suffix: &str) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new(""));
    let name = file.file_name().unwrap_or(file.as_os_str());
    dir.join(HELPER_DIR).join(helper_name(name, suffix))
}

/// The checkpoint file of a transfer of `file` (the upload's source or the download's
/// target): `<dir>/.cos-transfer/<name>.resume`.
pub fn checkpoint_path(file: &Path) -> PathBuf {
    helper_path(file, CHECKPOINT_SUFFIX)
}

/// The file a download writes before renaming it over `target`:
/// `<dir>/.cos-transfer/<name>.part`.
pub fn temp_path(target: &Path) -> PathBuf {
    helper_path(target, TEMP_SUFFIX)
}

/// Whether a local file and a remote object hold the same bytes, for skip-existing:
/// equal sizes and equal CRC64s. An object without a CRC64 is never considered the
/// same (a missing CRC means unknown).
pub fn same_content(
    local_size: u64,
    local_crc64: u64,
    remote_size: u64,
    remote_crc64: Option<u64>,
) -> bool {
    local_size == remote_size && remote_crc64 == Some(local_crc64)
}

/// What became of one file of a directory transfer.
#[derive(Debug)]
#[non_exhaustive]
pub enum EntryOutcome {
    /// Uploaded or downloaded; the size in bytes.
    Transferred(u64),
    /// Skipped: the other side already has the same bytes (size and CRC64).
    Unchanged,
    /// A directory marker (a key ending in `/`): nothing to write.
    DirectoryMarker,
    /// The key was refused and nothing was written.
    Refused(RefusedKey),
    /// The transfer failed.
    Failed(TransferError),
}

/// One file of a directory transfer.
#[derive(Debug)]
#[non_exhaustive]
pub struct DirectoryEntry {
    /// The object key.
    pub key: String,
    /// The local file (none for a refused key).
    pub path: Option<PathBuf>,
    /// What happened.
    pub outcome: EntryOutcome,
}

impl DirectoryEntry {
    /// An entry.
    pub fn new(key: String, path: Option<PathBuf>, outcome: EntryOutcome) -> Self {
        Self { key, path, outcome }
    }
}

/// The per-file results of `upload_dir` / `download_dir`, in key order.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct DirectoryReport {
    /// One entry per file or key.
    pub entries: Vec<DirectoryEntry>,
}

impl DirectoryReport {
    /// A report of these entries, sorted by key.
    pub fn new(mut entries: Vec<DirectoryEntry>) -> Self {
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        Self { entries }
    }

    /// Files transferred.
    pub fn transferred(&self) -> usize {
        self.count(|o| matches!(o, EntryOutcome::Transferred(_)))
    }

    /// Files skipped as unchanged.
    pub fn unchanged(&self) -> usize {
        self.count(|o| matches!(o, EntryOutcome::Unchanged))
    }

    /// Keys refused.
    pub fn refused(&self) -> usize {
        self.count(|o| matches!(o, EntryOutcome::Refused(_)))
    }

    /// Transfers that failed.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, EntryOutcome::Failed(_)))
    }

    /// Whether nothing failed (refused keys are not failures: they are reported).
    pub fn is_success(&self) -> bool {
        self.failed() == 0
    }

    fn count(&self, f: impl Fn(&EntryOutcome) -> bool) -> usize {
        self.entries.iter().filter(|e| f(&e.outcome)).count()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn traversal_keys_are_refused() {
        let root = Path::new("/r");
        for (key, why) in [
            ("p/../evil", RefusedKey::DotSegment),
            ("p/a/../../b", RefusedKey::DotSegment),
            ("p/./a", RefusedKey::DotSegment),
            ("p//abs", RefusedKey::Absolute),
            ("p/a//b", RefusedKey::EmptySegment),
            ("p/C:/x", RefusedKey::DriveOrColon),
            ("p/c:evil", RefusedKey::DriveOrColon),
            ("p/a\\..\\b", RefusedKey::Backslash),
            ("p/a\0b", RefusedKey::ControlCharacter),
            ("q/a", RefusedKey::OutsidePrefix),
            ("p/", RefusedKey::Empty),
            ("p/.cos-transfer/x.part", RefusedKey::Reserved),
            ("p/a/.cos-transfer", RefusedKey::Reserved),
            ("p/.COS-Transfer/x.resume", RefusedKey::Reserved),
        ] {
            assert_eq!(local_path_for_key(root, "p/", key), Err(why), "{key}");
        }
        assert_eq!(
            local_path_for_key(root, "", "../evil"),
            Err(RefusedKey::DotSegment)
        );
        assert_eq!(
            local_path_for_key(root, "", "/abs"),
            Err(RefusedKey::Absolute)
        );
    }

    #[test]
    fn plain_keys_and_markers() {
        let root = Path::new("/r");
        assert_eq!(
            local_path_for_key(root, "p/", "p/a/b.txt"),
            Ok(Some(PathBuf::from("/r/a/b.txt")))
        );
        assert_eq!(local_path_for_key(root, "p/", "p/dir/"), Ok(None));
        assert_eq!(
            local_path_for_key(root, "", "报告 2024.pdf"),
            Ok(Some(PathBuf::from("/r/报告 2024.pdf")))
        );
    }

    #[test]
    fn local_paths_become_slash_keys() {
        let key = key_for_local_path("up/", Path::new("a").join("b.txt").as_path()).unwrap();
        assert_eq!(key, "up/a/b.txt");
        assert!(key_for_local_path("", Path::new("../x")).is_err());
        assert!(key_for_local_path("", Path::new("/x")).is_err());
    }

    #[test]
    fn helper_files_are_named_after_their_file_in_the_helper_folder() {
        let target = Path::new("/data/logs/a.txt");
        assert_eq!(
            temp_path(target),
            Path::new("/data/logs/.cos-transfer/a.txt.part")
        );
        assert_eq!(
            checkpoint_path(target),
            Path::new("/data/logs/.cos-transfer/a.txt.resume")
        );
        let long = "é".repeat(120);
        let a = checkpoint_path(&Path::new("/d").join(&long));
        let b = checkpoint_path(&Path::new("/d").join(format!("{long}x")));
        let name = |p: &Path| p.file_name().map(|n| n.len()).unwrap_or(0);
        assert!(name(&a) + ".tmp".len() <= NAME_MAX && name(&b) <= NAME_MAX);
        assert_ne!(a, b, "shortened names stay apart");
    }

    #[test]
    fn unknown_crc_is_never_the_same() {
        assert!(same_content(3, 7, 3, Some(7)));
        assert!(!same_content(3, 7, 3, None));
        assert!(!same_content(3, 7, 4, Some(7)));
    }

    proptest! {
        #[test]
        fn accepted_keys_stay_below_the_root(key in "[a-z./\\\\:]{0,12}") {
            let root = Path::new("/root/dir");
            if let Ok(Some(path)) = local_path_for_key(root, "", &key) {
                prop_assert!(path.starts_with(root));
                prop_assert!(path.components().all(|c| !matches!(c, Component::ParentDir | Component::CurDir)));
                prop_assert!(path.components().count() > root.components().count());
            }
        }
    }
}
