//! Whether `sync` sends a file: the comparison rules, and the modification times they
//! read (`x-cos-meta-mtime`, a local file's mtime, `Last-Modified`).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cos_proto::ops::ObjectInfo;

/// The metadata an upload records the file's modification time in (Unix seconds).
pub(crate) const MTIME_META: &str = "x-cos-meta-mtime";

/// The outcome of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Both sides hold the same file: skip it, for this reason.
    Same(&'static str),
    /// Send it, for this reason.
    Differs(&'static str),
    /// The times cannot decide: compare the CRC-64s.
    NeedCrc,
}

/// The first comparison: the sizes (a different size always sends).
pub(crate) fn by_size(source: u64, destination: u64) -> Option<Verdict> {
    (source != destination).then_some(Verdict::Differs("size differs"))
}

/// Equal sizes, by modification time: `source` is the file's (or object's) time,
/// `recorded` the time the other side recorded. Without a recorded time (another tool
/// wrote it) or with `--checksum`, the CRC-64s decide.
pub(crate) fn by_time(checksum: bool, source: Option<i64>, recorded: Option<i64>) -> Verdict {
    match recorded {
        _ if checksum => Verdict::NeedCrc,
        Some(recorded) if source == Some(recorded) => Verdict::Same("same size and mtime"),
        Some(_) => Verdict::Differs("modified"),
        None => Verdict::NeedCrc,
    }
}

/// Equal sizes, by CRC-64: a missing CRC-64 is never the same (unknown content).
pub(crate) fn by_crc(source: Option<u64>, destination: Option<u64>) -> Verdict {
    match (source, destination) {
        (Some(a), Some(b)) if a == b => Verdict::Same("same CRC-64"),
        (Some(_), Some(_)) => Verdict::Differs("content differs"),
        _ => Verdict::Differs("no CRC-64 to compare"),
    }
}

/// The modification time an object recorded in [`MTIME_META`], if any.
pub(crate) fn recorded_mtime(info: &ObjectInfo) -> Option<i64> {
    info.metadata
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(MTIME_META))
        .and_then(|(_, value)| value.trim().parse().ok())
        // A time no file can have (before 1970, after 9999) was not written by `cos`.
        .filter(|secs| (0..=LAST_SECOND).contains(secs))
}

/// 9999-12-31T23:59:59Z.
const LAST_SECOND: i64 = 253_402_300_799;

/// The modification time a download gives its file: the recorded one, else the
/// object's Last-Modified.
pub(crate) fn object_mtime(info: &ObjectInfo) -> Option<i64> {
    recorded_mtime(info).or_else(|| last_modified(info))
}

/// The object's `Last-Modified` in Unix seconds.
pub(crate) fn last_modified(info: &ObjectInfo) -> Option<i64> {
    let date = info.last_modified.as_deref()?;
    i64::try_from(cos_proto::civil::parse_http_date(date)?).ok()
}

/// A local file's modification time in Unix seconds.
pub(crate) fn file_mtime(metadata: &std::fs::Metadata) -> Option<i64> {
    let modified = metadata.modified().ok()?;
    let secs = modified.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// Sets the modification time of the file at `path` to Unix second `secs`.
pub(crate) fn set_file_mtime(path: &Path, secs: i64) -> std::io::Result<()> {
    let secs = u64::try_from(secs).map_err(|_| std::io::Error::other("a time before 1970"))?;
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    // Write access: Windows needs it to change a file's times (nothing is written).
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .set_modified(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_first_then_times_then_crcs() {
        assert_eq!(by_size(1, 2), Some(Verdict::Differs("size differs")));
        assert_eq!(by_size(2, 2), None);
        assert_eq!(
            by_time(false, Some(5), Some(5)),
            Verdict::Same("same size and mtime")
        );
        assert_eq!(
            by_time(false, Some(6), Some(5)),
            Verdict::Differs("modified")
        );
        assert_eq!(by_time(false, Some(6), None), Verdict::NeedCrc, "no record");
        assert_eq!(
            by_time(true, Some(5), Some(5)),
            Verdict::NeedCrc,
            "--checksum"
        );
        assert_eq!(by_crc(Some(1), Some(1)), Verdict::Same("same CRC-64"));
        assert_eq!(
            by_crc(Some(1), Some(2)),
            Verdict::Differs("content differs")
        );
        assert!(matches!(by_crc(Some(1), None), Verdict::Differs(_)));
    }

    #[test]
    fn recorded_times_win_over_last_modified() {
        let mut info = ObjectInfo::from_headers(&http::HeaderMap::new()).expect("info");
        info.last_modified = Some("Tue, 14 Nov 2023 22:13:20 GMT".into());
        assert_eq!(object_mtime(&info), Some(1_700_000_000));
        info.metadata.push((MTIME_META.into(), "-5".into()));
        assert_eq!(recorded_mtime(&info), None, "not a time cos records");
        info.metadata.clear();
        info.metadata.push((MTIME_META.into(), "42".into()));
        assert_eq!(
            (recorded_mtime(&info), object_mtime(&info)),
            (Some(42), Some(42))
        );
    }

    #[test]
    fn file_times_round_trip() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("f");
        std::fs::write(&path, b"x").expect("write");
        set_file_mtime(&path, 1_600_000_000).expect("set");
        let meta = std::fs::metadata(&path).expect("meta");
        assert_eq!(file_mtime(&meta), Some(1_600_000_000));
    }
}
