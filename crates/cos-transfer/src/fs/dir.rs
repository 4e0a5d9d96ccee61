//! A directory held open while a transfer writes in it. Every name is resolved against
//! the open directory itself and never through a symbolic link (`openat` with
//! `O_NOFOLLOW`, `mkdirat`, `renameat`, `unlinkat` on Unix), so a link planted in the
//! tree — or swapped in while the transfer runs — cannot redirect a write, a rename or
//! a new directory anywhere else. Elsewhere the same checks are made on paths
//! (`symlink_metadata` before each step, `create_new` for new files): a best effort that
//! a concurrent swap can race.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// How [`Dir::open_file`] opens a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Open {
    /// An existing regular file, read-only.
    Read,
    /// An existing regular file, read and write.
    ReadWrite,
    /// A new file (read and write); fails if anything — a file, a link — has the name.
    CreateNew,
}

/// A directory, held open; see the module documentation.
#[derive(Debug)]
pub(crate) struct Dir {
    path: PathBuf,
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{}: {why}; nothing is written through it", path.display()),
    )
}

impl Dir {
    /// `name` inside this directory, as a path (for messages).
    pub(crate) fn join(&self, name: &OsStr) -> PathBuf {
        self.path.join(name)
    }
}

#[cfg(unix)]
mod imp {
    use std::os::fd::AsFd;

    use rustix::fs::{AtFlags, Mode, OFlags};

    use super::*;

    const DIR_FLAGS: OFlags = OFlags::DIRECTORY
        .union(OFlags::RDONLY)
        .union(OFlags::CLOEXEC);

    /// Opens a directory: for reading, or, when it may be searched but not read (mode
    /// `0711`), by path only where the system has `O_PATH` (the `*at` calls work on such a
    /// handle; syncing it is then skipped).
    fn open_dir(
        open: impl Fn(OFlags) -> rustix::io::Result<std::os::fd::OwnedFd>,
    ) -> rustix::io::Result<std::os::fd::OwnedFd> {
        match open(DIR_FLAGS) {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Err(rustix::io::Errno::ACCESS) => {
                open(OFlags::DIRECTORY | OFlags::PATH | OFlags::CLOEXEC)
            }
            other => other,
        }
    }

    impl Dir {
        /// Opens the directory at `path`. Links in `path` itself are followed: it is the
        /// caller's own path, not one derived from a key.
        pub(crate) fn open(path: &Path) -> io::Result<Dir> {
            let path = if path.as_os_str().is_empty() {
                Path::new(".")
            } else {
                path
            };
            let fd = open_dir(|flags| rustix::fs::open(path, flags, Mode::empty()))?;
            Ok(Dir {
                path: path.to_owned(),
                fd,
            })
        }

        /// The directory `name` inside this one, created first when `create` and missing.
        /// A symbolic link or anything but a directory is refused.
        pub(crate) fn subdir(&self, name: &OsStr, create: bool) -> io::Result<Dir> {
            let path = self.join(name);
            let open = || {
                open_dir(|flags| {
                    rustix::fs::openat(&self.fd, name, flags | OFlags::NOFOLLOW, Mode::empty())
                })
            };
            let fd = match open() {
                Err(rustix::io::Errno::NOENT) if create => {
                    match rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o777)) {
                        Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                        Err(err) => return Err(err.into()),
                    }
                    open()
                }
                other => other,
            };
            match fd {
                Ok(fd) => Ok(Dir { path, fd }),
                Err(rustix::io::Errno::LOOP) => Err(refused(&path, "a symbolic link")),
                Err(rustix::io::Errno::NOTDIR) => Err(refused(&path, "not a directory")),
                Err(err) => Err(err.into()),
            }
        }

        /// Opens the file `name` of this directory as `how` says, never through a link.
        /// An existing file must be a regular file.
        pub(crate) fn open_file(&self, name: &OsStr, how: Open) -> io::Result<File> {
            // NONBLOCK: a FIFO planted under the name must not hang the open (it does
            // nothing to a regular file, and anything else is refused below).
            let flags = OFlags::NOFOLLOW
                | OFlags::CLOEXEC
                | OFlags::NONBLOCK
                | match how {
                    Open::Read => OFlags::RDONLY,
                    Open::ReadWrite => OFlags::RDWR,
                    Open::CreateNew => OFlags::RDWR | OFlags::CREATE | OFlags::EXCL,
                };
            let fd = rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(0o666))
                .map_err(|err| match err {
                    rustix::io::Errno::LOOP => refused(&self.join(name), "a symbolic link"),
                    err => err.into(),
                })?;
            let file = File::from(fd);
            if how != Open::CreateNew && !file.metadata()?.is_file() {
                return Err(refused(&self.join(name), "not a regular file"));
            }
            Ok(file)
        }

        /// Removes the file (or link) `name`; a name that does not exist is not an error.
        pub(crate) fn remove_file(&self, name: &OsStr) -> io::Result<()> {
            match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
                Ok(()) | Err(rustix::io::Errno::NOENT) => Ok(()),
                Err(err) => Err(err.into()),
            }
        }

        /// Removes the directory `name` if it is empty (and ignores it otherwise).
        pub(crate) fn remove_dir_if_empty(&self, name: &OsStr) {
            let _ = rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR);
        }

        /// Renames `from` in this directory to `to` in `dest`, replacing what `to` names
        /// (a link is replaced, not followed).
        pub(crate) fn rename(&self, from: &OsStr, dest: &Dir, to: &OsStr) -> io::Result<()> {
            Ok(rustix::fs::renameat(&self.fd, from, dest.fd.as_fd(), to)?)
        }

        /// Makes the directory's entries (creations, renames) durable (skipped for a
        /// directory that may be searched but not read).
        pub(crate) fn sync(&self) -> io::Result<()> {
            match rustix::fs::fsync(&self.fd) {
                Ok(()) | Err(rustix::io::Errno::BADF) => Ok(()),
                Err(err) => Err(err.into()),
            }
        }

        /// Whether `name` (not followed if a link) is `file`: the same device and inode.
        pub(crate) fn holds(&self, name: &OsStr, file: &File) -> io::Result<bool> {
            use std::os::unix::fs::MetadataExt;
            let named = rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)?;
            let open = file.metadata()?;
            Ok(named.st_dev as u64 == open.dev() && named.st_ino as u64 == open.ino())
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::{self, OpenOptions};

    use super::*;

    fn is_link(path: &Path) -> bool {
        fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    }

    impl Dir {
        /// Opens the directory at `path` (the caller's own path).
        pub(crate) fn open(path: &Path) -> io::Result<Dir> {
            let path = if path.as_os_str().is_empty() {
                Path::new(".")
            } else {
                path
            };
            if !fs::metadata(path)?.is_dir() {
                return Err(refused(path, "not a directory"));
            }
            Ok(Dir {
                path: path.to_owned(),
            })
        }

        /// The directory `name` inside this one, created first when `create` and missing.
        pub(crate) fn subdir(&self, name: &OsStr, create: bool) -> io::Result<Dir> {
            let path = self.join(name);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => Err(refused(&path, "a symbolic link")),
                Ok(m) if !m.is_dir() => Err(refused(&path, "not a directory")),
                Ok(_) => Ok(Dir { path }),
                Err(err) if err.kind() == io::ErrorKind::NotFound && create => {
                    match fs::create_dir(&path) {
                        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                        _ => {}
                    }
                    self.subdir(name, false)
                }
                Err(err) => Err(err),
            }
        }

        /// Opens the file `name` of this directory as `how` says, never through a link.
        pub(crate) fn open_file(&self, name: &OsStr, how: Open) -> io::Result<File> {
            let path = self.join(name);
            if how != Open::CreateNew && is_link(&path) {
                return Err(refused(&path, "a symbolic link"));
            }
            let file = match how {
                Open::Read => File::open(&path)?,
                Open::ReadWrite => OpenOptions::new().read(true).write(true).open(&path)?,
                Open::CreateNew => OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&path)?,
            };
            if !file.metadata()?.is_file() {
                return Err(refused(&path, "not a regular file"));
            }
            Ok(file)
        }

        /// Removes the file (or link) `name`; a name that does not exist is not an error.
        pub(crate) fn remove_file(&self, name: &OsStr) -> io::Result<()> {
            match fs::remove_file(self.join(name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        }

        /// Removes the directory `name` if it is empty (and ignores it otherwise).
        pub(crate) fn remove_dir_if_empty(&self, name: &OsStr) {
            let _ = fs::remove_dir(self.join(name));
        }

        /// Renames `from` in this directory to `to` in `dest`.
        pub(crate) fn rename(&self, from: &OsStr, dest: &Dir, to: &OsStr) -> io::Result<()> {
            fs::rename(self.join(from), dest.join(to))
        }

        /// Directories cannot be synced here.
        pub(crate) fn sync(&self) -> io::Result<()> {
            Ok(())
        }

        /// Whether `name` is `file`: without file identities here, only that `name` is
        /// a regular file of the same length (a best effort).
        pub(crate) fn holds(&self, name: &OsStr, file: &File) -> io::Result<bool> {
            let named = fs::symlink_metadata(self.join(name))?;
            Ok(named.is_file() && named.len() == file.metadata()?.len())
        }
    }
}

/// The directories of `relative` (a plain relative path: normal components only) below
/// `root`, each opened in turn without following a link and created when `create` and
/// missing: the containment check and the creation are one walk, so nothing is created
/// past a link. `root` itself (the caller's own path) is created as a whole when
/// `create` and missing.
pub(crate) fn open_below(root: &Path, relative: &Path, create: bool) -> io::Result<Dir> {
    if create && !root.as_os_str().is_empty() {
        std::fs::create_dir_all(root)?;
    }
    let mut dir = Dir::open(root)?;
    for component in relative.components() {
        let std::path::Component::Normal(name) = component else {
            return Err(refused(
                &root.join(relative),
                "not a plain path below the directory",
            ));
        };
        dir = dir.subdir(name, create)?;
    }
    Ok(dir)
}

/// `name` with `suffix` appended.
pub(crate) fn suffixed(name: &OsStr, suffix: &str) -> OsString {
    let mut out = name.to_owned();
    out.push(suffix);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn files_are_created_once_and_renamed_in_place() {
        let root = tempfile::tempdir().unwrap();
        let dir = open_below(root.path(), Path::new("a/b"), true).unwrap();
        assert!(root.path().join("a/b").is_dir());
        let name = OsStr::new("f");
        let file = dir.open_file(name, Open::CreateNew).unwrap();
        drop(file);
        assert!(dir.open_file(name, Open::CreateNew).is_err(), "exists");
        dir.rename(name, &dir, OsStr::new("g")).unwrap();
        assert!(dir.open_file(OsStr::new("g"), Open::Read).is_ok());
        dir.remove_file(OsStr::new("g")).unwrap();
        dir.remove_file(OsStr::new("g")).unwrap();
        dir.sync().unwrap();
        assert!(open_below(root.path(), Path::new("missing"), false).is_err());
        assert!(open_below(root.path(), Path::new("../x"), true).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_followed() {
        use std::os::unix::fs::symlink;
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        symlink(outside.path(), root.path().join("link")).unwrap();
        let err = open_below(root.path(), Path::new("link/sub"), true).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied, "{err}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);

        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        symlink(&victim, root.path().join("planted")).unwrap();
        let dir = Dir::open(root.path()).unwrap();
        for how in [Open::Read, Open::ReadWrite, Open::CreateNew] {
            assert!(
                dir.open_file(OsStr::new("planted"), how).is_err(),
                "{how:?}"
            );
        }
        dir.remove_file(OsStr::new("planted")).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        std::fs::write(root.path().join("plain"), b"x").unwrap();
        let sub = dir.subdir(OsStr::new("plain"), true).unwrap_err();
        assert_eq!(sub.kind(), io::ErrorKind::PermissionDenied, "{sub}");
    }

    /// A FIFO planted where a file is read or kept would block an ordinary open for
    /// ever: it is refused at once.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_planted_fifo_does_not_hang() {
        let root = tempfile::tempdir().unwrap();
        let fifo = root.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let dir = Dir::open(root.path()).unwrap();
        for how in [Open::Read, Open::ReadWrite] {
            let err = dir.open_file(OsStr::new("fifo"), how).unwrap_err();
            assert_eq!(
                err.kind(),
                io::ErrorKind::PermissionDenied,
                "{how:?}: {err}"
            );
        }
    }
}
