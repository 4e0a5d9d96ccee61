//! Where each file or object goes: the destination naming rules of `cp` (documented on
//! [`super::CpArgs`]), with key→path safety left to `cos_transfer::paths`.

use std::path::{Path, PathBuf};

use cos_tokio::cos_transfer::paths;

use crate::failure::CliError;
use crate::location::Remote;

/// The key a single file or object named `name` is written to under `destination`:
/// `destination`'s key plus `name` when that key is empty or ends with `/`, else the key.
pub(crate) fn key_for_single(destination: &Remote, name: &str) -> String {
    if destination.key.is_empty() || destination.key.ends_with('/') {
        format!("{}{name}", destination.key)
    } else {
        destination.key.clone()
    }
}

/// The key of the file or object at `relative` (with `/`) below the source root, under
/// the destination prefix `prefix` (empty or ending with `/`).
pub(crate) fn key_in_tree(prefix: &str, relative: &str) -> String {
    format!("{prefix}{relative}")
}

/// The last segment of `key` (what a single object is named after locally).
pub(crate) fn last_segment(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// Whether a local destination argument names a directory to write into: an existing
/// directory, `.`/`..`, or a path written with a trailing separator.
pub(crate) fn names_directory(argument: &str, path: &Path) -> bool {
    argument.ends_with('/')
        || argument.ends_with(std::path::MAIN_SEPARATOR)
        || matches!(argument, "." | "..")
        || path.is_dir()
}

/// The local file a single object `key` is downloaded to: `destination` itself, or,
/// when it names a directory, the key's last segment inside it (refused when that
/// segment is no plain file name, by the SDK's key rules).
pub(crate) fn path_for_single(
    destination: &Path,
    into_directory: bool,
    key: &str,
) -> Result<PathBuf, CliError> {
    if !into_directory {
        return Ok(destination.to_path_buf());
    }
    let name = last_segment(key);
    match paths::local_path_for_key(destination, "", name) {
        Ok(Some(path)) => Ok(path),
        Ok(None) | Err(_) => Err(CliError::usage(format!(
            "the key {key:?} does not end with a plain file name"
        ))
        .hint("name the local file: cos cp cos://bucket-appid/key ./file")),
    }
}

/// The path of a local file relative to a tree's root, as a key suffix (`/`-separated);
/// `None` for a path that cannot be a key (not UTF-8).
pub(crate) fn relative_key(relative: &Path) -> Option<String> {
    paths::key_for_local_path("", relative).ok()
}

/// Refuses COS→COS work that would destroy or never end: moving an object onto itself
/// (the verified "copy" is the source, which is then deleted), moving between prefixes
/// of one bucket that contain each other, and copying a prefix into a prefix below it
/// (the copies would be listed and copied again). Copying an object or a prefix onto
/// itself stays allowed: that is how COS changes metadata or the storage class.
pub(crate) fn check_overlap(
    from: &Remote,
    to: &Remote,
    recursive: bool,
    moving: bool,
) -> Result<(), CliError> {
    if from.bucket != to.bucket {
        return Ok(());
    }
    if !recursive {
        let key = key_for_single(to, last_segment(&from.key));
        if moving && key == from.key {
            return Err(
                CliError::usage(format!("moving {from} onto itself would delete it"))
                    .hint("to change its metadata or storage class, use cos cp onto the same key"),
            );
        }
        return Ok(());
    }
    let (source, destination) = (from.dir_prefix(), to.dir_prefix());
    let nested = destination.starts_with(&source) || source.starts_with(&destination);
    if moving && nested {
        return Err(CliError::usage(format!(
            "{} and {} overlap: a move between them would move or delete its own copies",
            from.with_key(source),
            to.with_key(destination)
        )));
    }
    if destination.starts_with(&source) && destination != source {
        return Err(CliError::usage(format!(
            "{} is inside {}: its copies would be listed and copied again",
            to.with_key(destination),
            from.with_key(source)
        ))
        .hint("copy to a prefix outside the source"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(key: &str) -> Remote {
        Remote {
            bucket: "b-1".into(),
            key: key.into(),
        }
    }

    #[test]
    fn single_files_keep_their_name_in_a_directory_key() {
        assert_eq!(key_for_single(&remote("dir/"), "a.txt"), "dir/a.txt");
        assert_eq!(key_for_single(&remote(""), "a.txt"), "a.txt");
        assert_eq!(key_for_single(&remote("dir/key"), "a.txt"), "dir/key");
    }

    #[test]
    fn trees_go_below_the_prefix() {
        assert_eq!(
            key_in_tree(&remote("prefix").dir_prefix(), "a/b.txt"),
            "prefix/a/b.txt"
        );
        assert_eq!(key_in_tree(&remote("").dir_prefix(), "b.txt"), "b.txt");
    }

    #[test]
    fn objects_are_named_after_their_last_segment_in_a_directory() {
        let dir = Path::new("out");
        assert_eq!(
            path_for_single(dir, true, "a/b/c.txt").expect("path"),
            Path::new("out/c.txt")
        );
        assert_eq!(
            path_for_single(Path::new("f.txt"), false, "a/b/c.txt").expect("path"),
            Path::new("f.txt")
        );
        assert!(path_for_single(dir, true, "a/..").is_err());
        assert!(path_for_single(dir, true, "a/").is_err());
    }

    #[test]
    fn directories_are_named_by_their_spelling_or_existence() {
        let tmp = tempfile::tempdir().expect("tmp");
        assert!(names_directory("out/", Path::new("out/")));
        assert!(names_directory(".", Path::new(".")));
        assert!(!names_directory(
            "out",
            Path::new("definitely-missing-here")
        ));
        let arg = tmp.path().to_string_lossy().into_owned();
        assert!(names_directory(&arg, tmp.path()));
    }

    #[test]
    fn relative_paths_become_slash_keys() {
        assert_eq!(
            relative_key(&Path::new("a").join("b.txt")).as_deref(),
            Some("a/b.txt")
        );
    }

    #[test]
    fn overlapping_copies_and_moves_are_refused() {
        let other = Remote {
            bucket: "b-2".into(),
            key: "a".into(),
        };
        assert!(check_overlap(&remote("a"), &other, false, true).is_ok());
        assert!(check_overlap(&remote("d/k"), &remote("d/k"), false, true).is_err());
        assert!(check_overlap(&remote("d/k"), &remote("d/"), false, true).is_err());
        assert!(check_overlap(&remote("d/k"), &remote("d/k"), false, false).is_ok());
        assert!(check_overlap(&remote("d/k"), &remote("e/"), false, true).is_ok());
        assert!(check_overlap(&remote("logs"), &remote("logs/"), true, true).is_err());
        assert!(check_overlap(&remote("a"), &remote("a/sub"), true, false).is_err());
        assert!(check_overlap(&remote("a/sub"), &remote("a"), true, true).is_err());
        assert!(check_overlap(&remote(""), &remote("x"), true, true).is_err());
        assert!(check_overlap(&remote("a"), &remote("a"), true, false).is_ok());
        assert!(check_overlap(&remote("a/sub"), &remote("a"), true, false).is_ok());
        assert!(check_overlap(&remote("logs"), &remote("logs-old"), true, true).is_ok());
    }
}
