//! The file actions both drivers perform for the machines (feature `fs`): reading a
//! source range, writing a range of a temp file, durable atomic replace of a
//! checkpoint, durable rename of a finished download. They are blocking; the async
//! driver runs them on its blocking pool.
//!
//! Every file a transfer creates is created in a directory held open, never through a
//! symbolic link ([`TransferFiles`]); helper files live in the [`crate::paths::HELPER_DIR`]
//! folder beside the file they serve.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use crate::checkpoint::{DownloadCheckpoint, SourceIdentity, UploadCheckpoint};

mod dir;
mod files;
mod local;
mod memory;

pub use files::TransferFiles;
pub use local::{LocalDownloadStep, LocalUploadStep};
pub use memory::MemoryTarget;

/// The identity of a source file: its size, modification and change times, and inode.
pub fn source_identity(metadata: &fs::Metadata) -> SourceIdentity {
    let modified_ns = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| u64::try_from(d.as_nanos()).ok());
    #[cfg(unix)]
    let (changed_ns, inode) = {
        use std::os::unix::fs::MetadataExt;
        let changed = u64::try_from(metadata.ctime())
            .ok()
            .zip(u64::try_from(metadata.ctime_nsec()).ok())
            .and_then(|(s, ns)| s.checked_mul(1_000_000_000)?.checked_add(ns));
        (changed, Some(metadata.ino()))
    };
    #[cfg(not(unix))]
    let (changed_ns, inode) = (None, None);
    SourceIdentity {
        size: metadata.len(),
        modified_ns,
        changed_ns,
        inode,
    }
}

/// Opens the source of an upload again, for one part: a handle of its own (its own
/// file position, so parts can be read concurrently), checked to be the file the
/// run started with (same size, times and inode).
pub fn reopen_source(path: &Path, identity: &SourceIdentity) -> io::Result<File> {
    let file = File::open(path)?;
    if source_identity(&file.metadata()?) != *identity {
        return Err(source_changed());
    }
    Ok(file)
}

fn source_changed() -> io::Error {
    io::Error::other(
        "the file changed since the upload started (size, times or inode): \
         run it again, the parts whose bytes changed are sent again",
    )
}

/// The identity the file at `path` has now: what an upload checks just before it asks
/// COS to assemble the object ([`crate::UploadAction::CheckSource`]).
pub fn current_identity(path: &Path) -> io::Result<SourceIdentity> {
    Ok(source_identity(&fs::metadata(path)?))
}

/// The CRC64 of `len` bytes of `file` at `offset` (the plaintext of an encrypted
/// upload's body, say, which its envelope records before the body is sent).
pub fn file_range_crc64(file: &File, offset: u64, len: u64) -> io::Result<u64> {
    crc64_of_range(
        |at, buf| read_exact_at(file, buf, at),
        Path::new(""),
        offset,
        len,
        &crate::Sealing::Plain,
    )
    .map_err(cos_proto::driver::error::Error::into_io)
}

/// The CRC64 of `len` bytes of the upload source at `offset`, as they are sent: read
/// from a handle of their own (checked against `identity`) and, for an encrypted upload,
/// encrypted at `offset` (`sealing` is its own inverse). What a
/// [`crate::UploadAction::HashPart`] asks for.
pub fn source_crc64(
    path: &Path,
    identity: &SourceIdentity,
    offset: u64,
    len: u64,
    sealing: &crate::Sealing,
) -> Result<u64, cos_proto::driver::error::Error> {
    let file = reopen_source(path, identity).map_err(cos_proto::driver::error::Error::Source)?;
    crc64_of_range(
        |at, buf| read_exact_at(&file, buf, at),
        path,
        offset,
        len,
        sealing,
    )
}

/// Reads exactly `len` bytes at `offset`. A source shorter than that now is an
/// `UnexpectedEof` error (it changed).
pub fn read_at(file: &File, offset: u64, len: u64) -> io::Result<Vec<u8>> {
    let len = usize::try_from(len).map_err(|_| io::Error::other("range too large"))?;
    let mut buf = vec![0; len];
    read_exact_at(file, &mut buf, offset)?;
    Ok(buf)
}

/// Writes all of `data` at `offset`.
pub fn write_at(file: &File, offset: u64, data: &[u8]) -> io::Result<()> {
    write_all_at(file, data, offset)
}

/// Reads into `buf` from `offset` on, without using or moving the file's position,
/// until `buf` is full or the file ends; returns the bytes read.
pub fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_some_at(file, &mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

#[cfg(unix)]
fn read_some_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_some_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(not(any(unix, windows)))]
fn read_some_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::io::{Read, Seek, SeekFrom};
    let _serial = SEEK_LOCK.lock().map_err(|_| poisoned())?;
    let mut f = file;
    f.seek(SeekFrom::Start(offset))?;
    f.read(buf)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(unix)]
fn write_all_at(file: &File, data: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, data, offset)
}

// Positional reads and writes that never share a file position: ranges are written
// concurrently through one handle.
#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "failed to fill whole buffer",
                ));
            }
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

#[cfg(windows)]
fn write_all_at(file: &File, mut data: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !data.is_empty() {
        match file.seek_write(data, offset) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "failed to write whole buffer",
                ));
            }
            Ok(n) => {
                data = &data[n..];
                offset += n as u64;
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

// Elsewhere there is no positional I/O: one lock serialises every seek and its read or
// write, so concurrent ranges cannot move each other's position.
#[cfg(not(any(unix, windows)))]
static SEEK_LOCK: Mutex<()> = Mutex::new(());

#[cfg(not(any(unix, windows)))]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let _serial = SEEK_LOCK.lock().map_err(|_| poisoned())?;
    let mut f = file;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

#[cfg(not(any(unix, windows)))]
fn write_all_at(file: &File, data: &[u8], offset: u64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let _serial = SEEK_LOCK.lock().map_err(|_| poisoned())?;
    let mut f = file;
    f.seek(SeekFrom::Start(offset))?;
    f.write_all(data)
}

/// Asks the kernel to start writing the `len` bytes at `offset` to the disk now, without
/// waiting for them. A download syncs its file before each checkpoint; started early, the
/// writes of the parts go out while the next bytes arrive, and the sync finds them done
/// or on their way instead of issuing them all at once and holding the parts' slots
/// meanwhile (a 1 GiB download on the development VM: 1.11 s → 0.97 s). Linux only:
/// `posix_fadvise(POSIX_FADV_DONTNEED)` starts the writeback of the range's dirty pages
/// and keeps them cached until it ends (only pages already clean are dropped). Advice
/// only: a failure changes nothing but the timing; elsewhere it does nothing.
pub fn start_writeback(file: &File, offset: u64, len: u64) {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::fs::fadvise(
            file,
            offset,
            std::num::NonZeroU64::new(len),
            rustix::fs::Advice::DontNeed,
        );
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, offset, len);
}

/// Where a download's bytes go. [`FileTarget`] (a temp file beside the target, renamed
/// over it at the end) is what `download_file` uses; a caller can supply another (a
/// different store, a quota, a failing disk in a test) to `download_to`.
///
/// The machine calls these through the driver in this order: `read_checkpoint`, `open`,
/// `read_at` of the ranges a kept checkpoint claims (a resume re-checks them), any number
/// of `write_at` (concurrently, at disjoint offsets) and `save_checkpoint`, then
/// `finalize` or `discard`. Durability is the target's job: `save_checkpoint` must make
/// every byte written so far durable before the checkpoint that describes it.
pub trait DownloadTarget: Send + Sync {
    /// The checkpoint an earlier run left, if any.
    fn read_checkpoint(&self) -> Option<Vec<u8>>;
    /// Prepares `len` bytes of storage. With `keep`, earlier content of exactly that
    /// length is kept (returns `true`); otherwise storage starts empty.
    fn open(&self, len: u64, keep: bool) -> io::Result<bool>;
    /// Writes `data` at `offset`.
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()>;
    /// Reads back exactly `buf.len()` bytes at `offset` of what was kept or written: a
    /// resumed download re-checks each range its checkpoint claims before it counts
    /// (the CRC64 of the bytes read must be the recorded one). The default cannot read
    /// back, so every range is fetched again.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let _ = (offset, buf);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this download target cannot read back what it holds",
        ))
    }
    /// Makes the data written so far durable, then replaces the checkpoint with `json`
    /// atomically.
    fn save_checkpoint(&self, json: &[u8]) -> io::Result<()>;
    /// Makes the data durable and visible at its final place; deletes the checkpoint.
    fn finalize(&self) -> io::Result<()>;
    /// Deletes the data and the checkpoint.
    fn discard(&self) -> io::Result<()>;
    /// What to name in error messages.
    fn path(&self) -> &Path;
}

/// A download into a file: written into its helper folder's `<name>.part`, recorded in
/// `<name>.resume` ([`crate::paths`]), renamed over the target once verified. No link
/// planted at any of these names, or in the directories on the way, is followed.
#[derive(Debug)]
pub struct FileTarget {
    target: PathBuf,
    below: Option<(PathBuf, PathBuf)>,
    files: Mutex<Option<Arc<TransferFiles>>>,
    file: Mutex<Option<Arc<File>>>,
}

fn poisoned() -> io::Error {
    io::Error::other("poisoned")
}

impl FileTarget {
    /// A download into `target` (the caller's own path: links in it are followed).
    pub fn new(target: impl Into<PathBuf>) -> Self {
        Self {
            target: target.into(),
            below: None,
            files: Mutex::new(None),
            file: Mutex::new(None),
        }
    }

    /// A download into `relative` below `root`, as `download_dir` writes a key: the
    /// directories on the way are created when the download opens its file, none
    /// through a symbolic link (a link in the tree fails the download before anything
    /// is created past it).
    pub fn below(root: &Path, relative: &Path) -> Self {
        Self {
            target: root.join(relative),
            below: Some((root.to_owned(), relative.to_owned())),
            files: Mutex::new(None),
            file: Mutex::new(None),
        }
    }

    /// The transfer's files where they exist, creating nothing (a lookup before the
    /// download has started must leave no directory behind).
    fn existing_files(&self) -> io::Result<Arc<TransferFiles>> {
        if let Some(files) = &*self.files.lock().map_err(|_| poisoned())? {
            return Ok(Arc::clone(files));
        }
        Ok(Arc::new(match &self.below {
            Some((root, relative)) => TransferFiles::existing_below(root, relative)?,
            None => TransferFiles::of(&self.target)?,
        }))
    }

    fn files(&self) -> io::Result<Arc<TransferFiles>> {
        let mut files = self.files.lock().map_err(|_| poisoned())?;
        if let Some(files) = &*files {
            return Ok(Arc::clone(files));
        }
        let opened = Arc::new(match &self.below {
            Some((root, relative)) => TransferFiles::below(root, relative)?,
            None => TransferFiles::of(&self.target)?,
        });
        *files = Some(Arc::clone(&opened));
        Ok(opened)
    }

    fn file(&self) -> io::Result<Arc<File>> {
        self.file
            .lock()
            .map_err(|_| poisoned())?
            .clone()
            .ok_or_else(|| io::Error::other("the temp file is not open"))
    }

    /// Size and CRC64 of the file already at the target (read without following a
    /// link), for skip-unchanged checks.
    pub fn existing_size_and_crc64(&self) -> io::Result<(u64, u64)> {
        let mut file = self.existing_files()?.open_existing()?;
        let size = file.metadata()?.len();
        Ok((size, crc64_of_reader(&mut file)?))
    }
}

impl DownloadTarget for FileTarget {
    fn read_checkpoint(&self) -> Option<Vec<u8>> {
        self.existing_files().ok()?.read_checkpoint()
    }

    fn open(&self, len: u64, keep: bool) -> io::Result<bool> {
        let (file, kept) = self.files()?.open_temp(len, keep)?;
        *self.file.lock().map_err(|_| poisoned())? = Some(Arc::new(file));
        Ok(kept)
    }

    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let file = self.file()?;
        write_at(file.as_ref(), offset, data)?;
        start_writeback(file.as_ref(), offset, data.len() as u64);
        Ok(())
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        read_exact_at(self.file()?.as_ref(), buf, offset)
    }

    fn save_checkpoint(&self, json: &[u8]) -> io::Result<()> {
        self.file()?.sync_data()?;
        self.files()?.save_checkpoint(json)
    }

    fn finalize(&self) -> io::Result<()> {
        let file = self.file()?;
        self.files()?.finalize(&file)?;
        *self.file.lock().map_err(|_| poisoned())? = None;
        Ok(())
    }

    fn discard(&self) -> io::Result<()> {
        *self.file.lock().map_err(|_| poisoned())? = None;
        self.files()?.discard()
    }

    fn path(&self) -> &Path {
        &self.target
    }
}

/// The CRC64 of `len` bytes of `target` at `offset` as the object stores them: read
/// back and, for a decrypting download, encrypted again at `offset` (`sealing` is its
/// own inverse). What a [`crate::DownloadAction::CheckRange`] asks for.
pub fn stored_crc64(
    target: &dyn DownloadTarget,
    offset: u64,
    len: u64,
    sealing: &crate::Sealing,
) -> Result<u64, cos_proto::driver::error::Error> {
    crc64_of_range(
        |at, buf| target.read_at(at, buf),
        target.path(),
        offset,
        len,
        sealing,
    )
}

/// The CRC64 of `len` bytes read by `read_at` from `offset`, each chunk passed through
/// `sealing` first; `path` names the file in errors.
fn crc64_of_range(
    mut read_at: impl FnMut(u64, &mut [u8]) -> io::Result<()>,
    path: &Path,
    offset: u64,
    len: u64,
    sealing: &crate::Sealing,
) -> Result<u64, cos_proto::driver::error::Error> {
    const CHUNK: u64 = 1 << 20;
    let mut crc = cos_proto::crc64::Crc64::new();
    let mut buffer = vec![0; CHUNK.min(len) as usize];
    let mut done = 0;
    while done < len {
        let n = CHUNK.min(len - done) as usize;
        let chunk = &mut buffer[..n];
        read_at(offset + done, chunk).map_err(|source| cos_proto::driver::error::Error::File {
            path: path.to_owned(),
            source,
        })?;
        sealing.open(offset + done, chunk)?;
        crc.update(chunk);
        done += n as u64;
    }
    Ok(crc.value())
}

/// What an upload of the file at `path` starts from: the file's identity, the checkpoint
/// an earlier run left (`None` if there is none or it is unusable), and the files that
/// keep the upload's checkpoint.
pub fn upload_start(
    path: &Path,
) -> io::Result<(SourceIdentity, Option<UploadCheckpoint>, TransferFiles)> {
    let identity = source_identity(&fs::metadata(path)?);
    let files = TransferFiles::of(path)?;
    let checkpoint = files
        .read_checkpoint()
        .and_then(|json| UploadCheckpoint::from_json(&json).ok());
    Ok((identity, checkpoint, files))
}

/// The checkpoint an earlier download into `target` left (`None` if there is none or
/// it is unusable).
pub fn download_checkpoint(target: &dyn DownloadTarget) -> Option<DownloadCheckpoint> {
    target
        .read_checkpoint()
        .and_then(|json| DownloadCheckpoint::from_json(&json).ok())
}

/// Every regular file below `root`, as paths relative to it, sorted component by
/// component (`a/b` before `a-b`: not the byte order in which COS lists keys). Symbolic
/// links to directories are not followed (no loops, no escaping the tree), links to
/// files are (their target's bytes are read), and the transfers' helper folders
/// ([`crate::paths::HELPER_DIR`]) are skipped.
pub fn walk_files(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(relative) = dirs.pop() {
        for entry in fs::read_dir(root.join(&relative))? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = relative.join(entry.file_name());
            if kind.is_dir()
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| name.eq_ignore_ascii_case(crate::paths::HELPER_DIR))
            {
                continue;
            }
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file() || (kind.is_symlink() && root.join(&path).is_file()) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// CRC64 of a whole file (for skip-unchanged checks).
pub fn file_crc64(path: &Path) -> io::Result<u64> {
    crc64_of_reader(&mut File::open(path)?)
}

fn crc64_of_reader(reader: &mut impl io::Read) -> io::Result<u64> {
    let mut crc = cos_proto::crc64::Crc64::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            return Ok(crc.value());
        }
        crc.update(&buffer[..n]);
    }
}

/// Size and CRC64 of a local file (for skip-unchanged checks).
pub fn size_and_crc64(path: &Path) -> io::Result<(u64, u64)> {
    Ok((fs::metadata(path)?.len(), file_crc64(path)?))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn walks_files_sorted_and_relative() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        fs::write(dir.path().join("a/b/c.txt"), b"x").unwrap();
        fs::write(dir.path().join("z"), b"").unwrap();
        let files = walk_files(dir.path()).unwrap();
        assert_eq!(
            files,
            vec![Path::new("a/b/c.txt").to_owned(), PathBuf::from("z")]
        );
        assert_eq!(
            file_crc64(&dir.path().join("a/b/c.txt")).unwrap(),
            cos_proto::crc64::crc64(b"x")
        );
    }

    #[cfg(unix)]
    #[test]
    fn targets_behind_links_out_of_the_root_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
        let evil = FileTarget::below(root.path(), Path::new("link/deeper/evil"));
        assert!(evil.open(1, false).is_err());
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
        let ok = FileTarget::below(root.path(), Path::new("ok/file"));
        // Looking for a checkpoint or an existing file creates nothing.
        assert!(ok.read_checkpoint().is_none());
        assert!(ok.existing_size_and_crc64().is_err());
        assert!(!root.path().join("ok").exists());
        assert!(!ok.open(1, false).unwrap());
        assert!(root.path().join("ok").is_dir());
    }

    #[test]
    fn starting_the_writeback_keeps_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = FileTarget::new(dir.path().join("d"));
        assert!(!target.open(3 << 20, false).unwrap());
        let data: Vec<u8> = (0..2 << 20).map(|i: u32| (i % 251) as u8).collect();
        target.write_at(1 << 20, &data).unwrap();
        start_writeback(&target.file().unwrap(), 0, 3 << 20);
        let file = target.file().unwrap();
        assert_eq!(read_at(&file, 1 << 20, 2 << 20).unwrap(), data);
        assert_eq!(read_at(&file, 0, 1 << 20).unwrap(), vec![0; 1 << 20]);
    }

    #[test]
    fn temp_files_are_kept_only_at_the_right_length_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = FileTarget::new(dir.path().join("t"));
        assert!(!target.open(10, true).unwrap());
        target.write_at(3, b"abc").unwrap();
        assert!(target.open(10, true).unwrap());
        let mut back = [0; 3];
        target.read_at(3, &mut back).unwrap();
        assert_eq!(&back, b"abc");
        assert!(!target.open(11, true).unwrap());
        assert!(!target.open(4, false).unwrap());
        assert!(
            target.read_at(2, &mut back).is_err(),
            "short reads are errors"
        );
        let sealing = crate::Sealing::Plain;
        target.write_at(0, b"wxyz").unwrap();
        assert_eq!(
            stored_crc64(&target, 1, 3, &sealing).unwrap(),
            cos_proto::crc64::crc64(b"xyz")
        );
    }
}
