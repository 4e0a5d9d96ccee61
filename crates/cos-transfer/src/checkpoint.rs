//! What a resumable transfer records between runs, and how it is read back.
//!
//! A checkpoint is JSON, written by the driver beside the file (`<file>.cosresume`) by
//! atomic replace, and only after the data it describes is durable: for an upload, COS
//! answered the part; for a download, the temp file was synced. Reading one never trusts
//! it blindly: [`UploadCheckpoint::from_json`] and [`DownloadCheckpoint::from_json`]
//! reject anything inconsistent, and the machines compare it with the source (size,
//! modification time) or the object (size, ETag, CRC64) before using it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::plan::PartPlan;

/// The checkpoint format written by this version.
pub const CHECKPOINT_FORMAT: u32 = 1;
pub(crate) const FORMAT: u32 = CHECKPOINT_FORMAT;

/// Identifies a local source file: if any of this changed, parts already sent may hold
/// other bytes, and the upload starts over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceIdentity {
    /// Length in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (when the platform has one).
    pub modified_ns: Option<u64>,
}

/// Identifies a version of a remote object: a download resumes only into the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectIdentity {
    /// Length in bytes.
    pub size: u64,
    /// `ETag`, with its quotes.
    pub etag: String,
    /// `x-cos-hash-crc64ecma`, when COS has one.
    pub crc64: Option<u64>,
    /// `x-cos-version-id`, on versioned buckets.
    pub version_id: Option<String>,
}

/// An uploaded part, as COS acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedPart {
    /// Part number (1-based).
    pub number: u32,
    /// The part's `ETag`.
    pub etag: String,
    /// CRC64 of the part's bytes.
    pub crc64: u64,
}

/// A downloaded range, durable in the temp file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedRange {
    /// Part number (1-based) in the download's plan.
    pub number: u32,
    /// CRC64 of the range's bytes.
    pub crc64: u64,
}

/// The state of a multipart upload between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadCheckpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: u32,
    /// Destination bucket.
    pub bucket: String,
    /// Destination key.
    pub key: String,
    /// The multipart upload id.
    pub upload_id: String,
    /// Part size of the upload's plan.
    pub part_size: u64,
    /// The source file when the upload began.
    pub source: SourceIdentity,
    /// Parts COS acknowledged, by number.
    pub parts: Vec<CompletedPart>,
}

/// The state of a ranged download between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadCheckpoint {
    /// [`CHECKPOINT_FORMAT`].
    pub format: u32,
    /// Source bucket.
    pub bucket: String,
    /// Source key.
    pub key: String,
    /// The object version the download is pinned to.
    pub object: ObjectIdentity,
    /// Part size of the download's plan.
    pub part_size: u64,
    /// Ranges durable in the temp file.
    pub ranges: Vec<CompletedRange>,
}

/// A checkpoint file that cannot be used. The transfers treat it as absent (and say
/// so); they never fail because of one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// Not JSON of the expected shape.
    #[error("not a checkpoint: {0}")]
    Malformed(String),
    /// Written by another format version.
    #[error("checkpoint format {0} is not supported (expected {FORMAT})")]
    Format(u32),
    /// Well-formed but inconsistent (a part outside the plan, a duplicate, a bad size).
    #[error("inconsistent checkpoint: {0}")]
    Inconsistent(String),
}

fn check_numbers(
    plan: Option<PartPlan>,
    numbers: impl Iterator<Item = u32>,
) -> Result<(), CheckpointError> {
    let plan = plan.ok_or_else(|| CheckpointError::Inconsistent("part size".into()))?;
    let mut seen = BTreeSet::new();
    for number in numbers {
        if number == 0 || number > plan.count() {
            return Err(CheckpointError::Inconsistent(format!(
                "part {number} is outside 1..={}",
                plan.count()
            )));
        }
        if !seen.insert(number) {
            return Err(CheckpointError::Inconsistent(format!(
                "part {number} twice"
            )));
        }
    }
    Ok(())
}

fn parse<T: for<'de> Deserialize<'de>>(json: &[u8]) -> Result<T, CheckpointError> {
    #[derive(Deserialize)]
    struct Version {
        format: u32,
    }
    let version: Version =
        serde_json::from_slice(json).map_err(|e| CheckpointError::Malformed(e.to_string()))?;
    if version.format != FORMAT {
        return Err(CheckpointError::Format(version.format));
    }
    serde_json::from_slice(json).map_err(|e| CheckpointError::Malformed(e.to_string()))
}

impl UploadCheckpoint {
    /// Parses and checks a checkpoint file's bytes.
    pub fn from_json(json: &[u8]) -> Result<Self, CheckpointError> {
        let checkpoint: Self = parse(json)?;
        if checkpoint.upload_id.is_empty() || checkpoint.key.is_empty() {
            return Err(CheckpointError::Inconsistent(
                "empty upload id or key".into(),
            ));
        }
        check_numbers(
            PartPlan::exact(checkpoint.source.size, checkpoint.part_size),
            checkpoint.parts.iter().map(|p| p.number),
        )?;
        if checkpoint.parts.iter().any(|p| p.etag.is_empty()) {
            return Err(CheckpointError::Inconsistent(
                "a part without an ETag".into(),
            ));
        }
        Ok(checkpoint)
    }

    /// The checkpoint's bytes (compact JSON).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl DownloadCheckpoint {
    /// Parses and checks a checkpoint file's bytes.
    pub fn from_json(json: &[u8]) -> Result<Self, CheckpointError> {
        let checkpoint: Self = parse(json)?;
        if checkpoint.object.etag.is_empty() || checkpoint.key.is_empty() {
            return Err(CheckpointError::Inconsistent("empty ETag or key".into()));
        }
        check_numbers(
            PartPlan::exact(checkpoint.object.size, checkpoint.part_size),
            checkpoint.ranges.iter().map(|r| r.number),
        )?;
        Ok(checkpoint)
    }

    /// The checkpoint's bytes (compact JSON).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn upload() -> UploadCheckpoint {
        UploadCheckpoint {
            format: FORMAT,
            bucket: "b-1250000000".into(),
            key: "k".into(),
            upload_id: "u1".into(),
            part_size: 10,
            source: SourceIdentity {
                size: 25,
                modified_ns: Some(1),
            },
            parts: vec![CompletedPart {
                number: 2,
                etag: "\"e\"".into(),
                crc64: 7,
            }],
        }
    }

    fn download() -> DownloadCheckpoint {
        DownloadCheckpoint {
            format: FORMAT,
            bucket: "b-1250000000".into(),
            key: "k".into(),
            object: ObjectIdentity {
                size: 25,
                etag: "\"e\"".into(),
                crc64: Some(3),
                version_id: None,
            },
            part_size: 10,
            ranges: vec![CompletedRange {
                number: 3,
                crc64: 1,
            }],
        }
    }

    #[test]
    fn round_trips() {
        let cp = upload();
        assert_eq!(UploadCheckpoint::from_json(&cp.to_json()), Ok(cp));
        let cp = download();
        assert_eq!(DownloadCheckpoint::from_json(&cp.to_json()), Ok(cp));
    }

    #[test]
    fn parts_outside_the_plan_or_twice_are_refused() {
        let mut cp = upload();
        cp.parts[0].number = 4;
        assert!(matches!(
            UploadCheckpoint::from_json(&cp.to_json()),
            Err(CheckpointError::Inconsistent(_))
        ));
        let mut cp = upload();
        cp.parts.push(cp.parts[0].clone());
        assert!(UploadCheckpoint::from_json(&cp.to_json()).is_err());
        let mut cp = download();
        cp.part_size = 0;
        assert!(DownloadCheckpoint::from_json(&cp.to_json()).is_err());
    }

    #[test]
    fn other_formats_and_garbage_are_refused() {
        let mut cp = upload();
        cp.format = 2;
        assert_eq!(
            UploadCheckpoint::from_json(&cp.to_json()),
            Err(CheckpointError::Format(2))
        );
        assert!(matches!(
            UploadCheckpoint::from_json(b"{\"format\":1"),
            Err(CheckpointError::Malformed(_))
        ));
        assert!(DownloadCheckpoint::from_json(&upload().to_json()).is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = UploadCheckpoint::from_json(&bytes);
            let _ = DownloadCheckpoint::from_json(&bytes);
        }
    }
}
