//! Where a transfer keeps its helper files: in the folder [`HELPER_DIR`] of the directory
//! of the file it writes or reads, each named after that file. No key of a
//! `download_dir` maps into that folder (such keys are refused) and `upload_dir` does not
//! upload it, so a helper file never collides with a file of the tree; every helper file
//! is created without following a link, and the data reaches its final name by one
//! rename in the same directory.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::dir::{self, Dir, Open};
use crate::paths::{self, HELPER_DIR};

/// The files of one transfer of `<dir>/<name>`: the file itself, and in
/// `<dir>/`[`HELPER_DIR`]`/` its checkpoint (`<name>.resume`, replaced through
/// `<name>.resume.tmp`) and, for a download, its data until verified (`<name>.part`).
#[derive(Debug)]
pub struct TransferFiles {
    dir: Dir,
    name: OsString,
}

impl TransferFiles {
    /// The files of a transfer of `path`. `path` is the caller's own: links in it are
    /// followed; nothing the transfer creates is.
    pub fn of(path: &Path) -> io::Result<Self> {
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} does not name a file", path.display()),
            )
        })?;
        let parent = path.parent().unwrap_or(Path::new(""));
        Ok(Self {
            dir: Dir::open(parent)?,
            name: name.to_owned(),
        })
    }

    /// The files of a transfer of `relative` (a plain relative path) below `root`: the
    /// directories on the way are created, none through a symbolic link (a link in the
    /// tree is refused before anything is created past it).
    pub fn below(root: &Path, relative: &Path) -> io::Result<Self> {
        Self::walk_below(root, relative, true)
    }

    /// [`TransferFiles::below`] where the directories already exist: nothing is created
    /// (to look for a checkpoint or an existing file, say). Fails when one is missing.
    pub fn existing_below(root: &Path, relative: &Path) -> io::Result<Self> {
        Self::walk_below(root, relative, false)
    }

    fn walk_below(root: &Path, relative: &Path, create: bool) -> io::Result<Self> {
        let name = relative.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} does not name a file", relative.display()),
            )
        })?;
        let parent = relative.parent().unwrap_or(Path::new(""));
        Ok(Self {
            dir: dir::open_below(root, parent, create)?,
            name: name.to_owned(),
        })
    }

    /// The file itself.
    pub fn path(&self) -> PathBuf {
        self.dir.join(&self.name)
    }

    fn helper(&self, suffix: &str) -> OsString {
        paths::helper_name(&self.name, suffix)
    }

    fn helpers(&self, create: bool) -> io::Result<Dir> {
        self.dir.subdir(OsStr::new(HELPER_DIR), create)
    }

    /// Runs `create` (which makes the first file of a transfer in the helper folder) in
    /// the folder, created if missing. Another transfer in the same directory removes the
    /// folder when it is left empty, and may do so between this one opening it and
    /// creating its file: then the folder is made again and `create` tried again.
    fn create_in_helpers<T>(&self, create: impl Fn(&Dir) -> io::Result<T>) -> io::Result<T> {
        let mut attempts = 0;
        loop {
            let result = self.helpers(true).and_then(|helpers| create(&helpers));
            match result {
                Err(err) if err.kind() == io::ErrorKind::NotFound && attempts < 8 => {
                    attempts += 1;
                }
                other => return other,
            }
        }
    }

    /// The checkpoint an earlier run left; `None` if there is none or it cannot be read
    /// (a link in its place is not followed).
    pub fn read_checkpoint(&self) -> Option<Vec<u8>> {
        let mut file = self
            .helpers(false)
            .ok()?
            .open_file(&self.helper(paths::CHECKPOINT_SUFFIX), Open::Read)
            .ok()?;
        let mut data = Vec::new();
        file.read_to_end(&mut data).ok()?;
        Some(data)
    }

    /// Replaces the checkpoint with `json` so that a crash leaves the old or the new one,
    /// never a mix: a fresh `<name>.resume.tmp` (whatever had that name is removed, never
    /// written through), synced, renamed over, the folder synced.
    pub fn save_checkpoint(&self, json: &[u8]) -> io::Result<()> {
        let name = self.helper(paths::CHECKPOINT_SUFFIX);
        let tmp = dir::suffixed(&name, ".tmp");
        self.create_in_helpers(|helpers| {
            helpers.remove_file(&tmp)?;
            let written = helpers
                .open_file(&tmp, Open::CreateNew)
                .and_then(|mut file| {
                    file.write_all(json)?;
                    file.sync_all()
                });
            if let Err(err) = written {
                let _ = helpers.remove_file(&tmp);
                return Err(err);
            }
            helpers.rename(&tmp, helpers, &name)?;
            helpers.sync()
        })
    }

    /// Deletes the checkpoint (and the helper folder, once empty).
    pub fn remove_checkpoint(&self) -> io::Result<()> {
        let Ok(helpers) = self.helpers(false) else {
            return Ok(());
        };
        helpers.remove_file(&self.helper(paths::CHECKPOINT_SUFFIX))?;
        self.tidy();
        Ok(())
    }

    /// Removes the helper folder if nothing is left in it.
    fn tidy(&self) {
        self.dir.remove_dir_if_empty(OsStr::new(HELPER_DIR));
    }

    /// Opens a download's data file, `len` bytes long. With `keep`, an existing regular
    /// file of exactly that length is kept as it is (`true` is returned); otherwise
    /// whatever had the name is removed and a new file is created and sized.
    pub fn open_temp(&self, len: u64, keep: bool) -> io::Result<(File, bool)> {
        let name = self.helper(paths::TEMP_SUFFIX);
        self.create_in_helpers(|helpers| {
            if keep
                && let Ok(file) = helpers.open_file(&name, Open::ReadWrite)
                && file.metadata()?.len() == len
            {
                return Ok((file, true));
            }
            helpers.remove_file(&name)?;
            let file = helpers.open_file(&name, Open::CreateNew)?;
            file.set_len(len)?;
            Ok((file, false))
        })
    }

    /// Makes a verified download visible: syncs `temp` (the file [`open_temp`] gave),
    /// renames it over the target, syncs the directory, deletes the checkpoint.
    ///
    /// [`open_temp`]: TransferFiles::open_temp
    pub fn finalize(&self, temp: &File) -> io::Result<()> {
        temp.sync_all()?;
        let helpers = self.helpers(false)?;
        let name = self.helper(paths::TEMP_SUFFIX);
        // Another transfer of the same name (two processes, or names that only a
        // case-insensitive file system confuses) may have replaced the data file: never
        // rename bytes this download did not write and verify.
        if !helpers.holds(&name, temp)? {
            return Err(io::Error::other(format!(
                "{} was replaced by another transfer of the same file",
                helpers.join(&name).display()
            )));
        }
        helpers.rename(&name, &self.dir, &self.name)?;
        self.dir.sync()?;
        self.remove_checkpoint()
    }

    /// Deletes a download's data file and checkpoint.
    pub fn discard(&self) -> io::Result<()> {
        let Ok(helpers) = self.helpers(false) else {
            return Ok(());
        };
        helpers.remove_file(&self.helper(paths::TEMP_SUFFIX))?;
        helpers.remove_file(&self.helper(paths::CHECKPOINT_SUFFIX))?;
        self.tidy();
        Ok(())
    }

    /// A new data file for a one-shot download (not resumable), named with `unique` so
    /// that concurrent downloads of the same file do not meet: the file and its name.
    pub fn create_unique(&self, unique: u64) -> io::Result<(File, OsString)> {
        let name = self.helper(&format!(".{unique:016x}{}", paths::TEMP_SUFFIX));
        let file = self.create_in_helpers(|helpers| helpers.open_file(&name, Open::CreateNew))?;
        Ok((file, name))
    }

    /// Makes the one-shot download `name` (from [`create_unique`], written and synced)
    /// the file: renames it over the target and syncs the directory.
    ///
    /// [`create_unique`]: TransferFiles::create_unique
    pub fn commit_unique(&self, name: &OsStr) -> io::Result<()> {
        let helpers = self.helpers(false)?;
        helpers.rename(name, &self.dir, &self.name)?;
        self.tidy();
        self.dir.sync()
    }

    /// Deletes the one-shot download `name`.
    pub fn remove_unique(&self, name: &OsStr) {
        if let Ok(helpers) = self.helpers(false) {
            let _ = helpers.remove_file(name);
        }
        self.tidy();
    }

    /// Opens the file itself for reading, if it is a regular file (not through a link).
    pub fn open_existing(&self) -> io::Result<File> {
        self.dir.open_file(&self.name, Open::Read)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn helper_files_live_in_their_folder_and_go_away() {
        let root = tempfile::tempdir().unwrap();
        let files = TransferFiles::below(root.path(), Path::new("a/b.bin")).unwrap();
        assert_eq!(files.read_checkpoint(), None);
        files.save_checkpoint(b"one").unwrap();
        files.save_checkpoint(b"two").unwrap();
        assert_eq!(files.read_checkpoint().unwrap(), b"two");
        let checkpoint = paths::checkpoint_path(&root.path().join("a/b.bin"));
        assert_eq!(std::fs::read(&checkpoint).unwrap(), b"two");
        let (temp, kept) = files.open_temp(5, true).unwrap();
        assert!(!kept);
        super::super::write_at(&temp, 0, b"hello").unwrap();
        drop(temp);
        let (temp, kept) = files.open_temp(5, true).unwrap();
        assert!(kept);
        files.finalize(&temp).unwrap();
        assert_eq!(
            std::fs::read(root.path().join("a/b.bin")).unwrap(),
            b"hello"
        );
        assert!(
            !root.path().join("a").join(HELPER_DIR).exists(),
            "the helper folder goes once empty"
        );
        let (mut file, name) = files.create_unique(7).unwrap();
        file.write_all(b"again").unwrap();
        files.commit_unique(&name).unwrap();
        assert_eq!(
            std::fs::read(root.path().join("a/b.bin")).unwrap(),
            b"again"
        );
        assert_eq!(std::fs::read_dir(root.path().join("a")).unwrap().count(), 1);
    }

    /// Two transfers of the same file (two processes, or two names a case-insensitive
    /// file system confuses): the one whose data file was replaced does not rename the
    /// other's bytes into place.
    #[test]
    fn a_replaced_data_file_is_never_renamed() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("same");
        let (a, b) = (
            TransferFiles::of(&target).unwrap(),
            TransferFiles::of(&target).unwrap(),
        );
        let (temp_a, _) = a.open_temp(1, false).unwrap();
        super::super::write_at(&temp_a, 0, b"A").unwrap();
        let (temp_b, _) = b.open_temp(1, false).unwrap();
        super::super::write_at(&temp_b, 0, b"B").unwrap();
        let err = a.finalize(&temp_a).unwrap_err();
        assert!(err.to_string().contains("replaced"), "{err}");
        assert!(!target.exists());
        b.finalize(&temp_b).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"B");
    }

    /// Many transfers in one directory, each removing the helper folder when it leaves
    /// it empty: none fails because another removed the folder under it.
    #[test]
    fn transfers_sharing_a_directory_do_not_trip_over_its_helper_folder() {
        let root = tempfile::tempdir().unwrap();
        std::thread::scope(|scope| {
            for t in 0..8 {
                let root = root.path();
                scope.spawn(move || {
                    for round in 0..200 {
                        let files = TransferFiles::of(&root.join(format!("f{t}"))).unwrap();
                        let (temp, _) = files.open_temp(1, false).unwrap();
                        files.save_checkpoint(b"{}").unwrap();
                        files
                            .finalize(&temp)
                            .unwrap_or_else(|e| panic!("{t}/{round}: {e}"));
                    }
                });
            }
        });
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 8);
    }

    #[cfg(unix)]
    #[test]
    fn planted_links_are_removed_not_followed() {
        use std::os::unix::fs::symlink;
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let target = root.path().join("t");
        let helpers = root.path().join(HELPER_DIR);
        std::fs::create_dir(&helpers).unwrap();
        symlink(&victim, paths::temp_path(&target)).unwrap();
        symlink(&victim, paths::checkpoint_path(&target)).unwrap();
        let mut tmp = paths::checkpoint_path(&target).into_os_string();
        tmp.push(".tmp");
        symlink(&victim, &tmp).unwrap();
        let files = TransferFiles::of(&target).unwrap();
        assert_eq!(files.read_checkpoint(), None, "a link is not a checkpoint");
        files.save_checkpoint(b"{}").unwrap();
        let (temp, kept) = files.open_temp(3, true).unwrap();
        assert!(!kept);
        super::super::write_at(&temp, 0, b"new").unwrap();
        files.finalize(&temp).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&target).unwrap(), b"new");

        // A helper folder that is a link is refused.
        let other = root.path().join("sub");
        std::fs::create_dir(&other).unwrap();
        symlink(outside.path(), other.join(HELPER_DIR)).unwrap();
        let files = TransferFiles::of(&other.join("x")).unwrap();
        assert!(files.save_checkpoint(b"{}").is_err());
        assert!(files.open_temp(1, false).is_err());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
    }
}
