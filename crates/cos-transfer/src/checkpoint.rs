//! What a resumable transfer records between runs, and how it is read back.
//!
//! A checkpoint is JSON, written by the driver beside the file (`.cos-transfer/<name>.resume`) by
//! atomic replace, and only after the data it describes is durable: for an upload, COS
//! answered the part; for a download, the temp file was synced. Reading one never trusts
//! it blindly: [`UploadCheckpoint::from_json`] and [`DownloadCheckpoint::from_json`]
//! reject anything inconsistent, and the machines compare it with the source (size,
//! modification time) or the object (size, ETag, CRC64) before using it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::plan::PartPlan;

/// The checkpoint format written by this version.
pub const CHECKPOINT_FORMAT: u32 = 1;
pub(crate) const FORMAT: u32 = CHECKPOINT_FORMAT;

/// Identifies a local source file while an upload runs: if any of this changes, the
/// file was written to (the change time moves even when `cp -p`, `rsync -t` or `tar`
/// restore the modification time) or replaced (another inode), and the run stops before
/// it could send a mix of two files. Between runs the identity is not trusted: a resumed
/// upload re-reads every part its checkpoint records and sends again those whose bytes
/// changed; only a different size starts over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceIdentity {
    /// Length in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (when the platform has one).
    pub modified_ns: Option<u64>,
    /// Status change time (`ctime`), nanoseconds since the Unix epoch (Unix only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_ns: Option<u64>,
    /// The file's inode number (Unix only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inode: Option<u64>,
}

impl SourceIdentity {
    /// A file of `size` bytes known by its size alone.
    pub fn of_size(size: u64) -> Self {
        Self {
            size,
            modified_ns: None,
            changed_ns: None,
            inode: None,
        }
    }
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

/// Encrypted parts are whole cipher blocks (AES: 16 bytes), so that each part's
/// keystream starts on a block boundary.
pub(crate) const CIPHER_BLOCK: u64 = 16;

/// The names of the headers of a client-side encryption envelope start with this
/// (`cos-crypto` writes them; the Python SDK and the other official SDKs too).
pub const ENVELOPE_HEADER_PREFIX: &str = "x-cos-meta-client-side-encryption-";

/// The envelope header recording the plaintext CRC-64 (what `cos-crypto` writes as
/// `headers::UNENCRYPTED_CONTENT_CRC64`).
pub(crate) const PLAINTEXT_CRC64_HEADER: &str =
    "x-cos-meta-client-side-encryption-unencrypted-content-crc64";

/// The client-side encryption envelope a transfer's bytes belong to: the headers that
/// `cos-crypto` stores with an encrypted object (`x-cos-meta-client-side-encryption-*`,
/// wrapped key material only — nothing here decrypts without the master key).
///
/// A checkpoint carries one when its data is encrypted (an upload's parts) or was
/// decrypted (a download's temp file). Plain and encrypted runs never resume each
/// other: the record must be equal for a checkpoint to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionRecord {
    /// The envelope's headers, by lower-case name.
    pub headers: BTreeMap<String, String>,
}

impl EncryptionRecord {
    /// The record of these header pairs.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            headers: pairs
                .into_iter()
                .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
                .collect(),
        }
    }

    /// The record of an object's envelope: its headers named
    /// [`ENVELOPE_HEADER_PREFIX`]`*` (empty for a plain object).
    pub fn of_object(headers: &http::HeaderMap) -> Self {
        Self::new(headers.iter().filter_map(|(name, value)| {
            let name = name.as_str();
            let value = value.to_str().ok()?;
            name.starts_with(ENVELOPE_HEADER_PREFIX)
                .then_some((name, value))
        }))
    }

    /// The plaintext CRC-64 the envelope records
    /// (`x-cos-meta-client-side-encryption-unencrypted-content-crc64`), if any.
    pub fn plaintext_crc64(&self) -> Option<u64> {
        self.headers
            .get(PLAINTEXT_CRC64_HEADER)
            .and_then(|value| value.trim().parse().ok())
    }

    /// The headers as a map, e.g. to open the envelope again.
    pub fn header_map(&self) -> Result<http::HeaderMap, CheckpointError> {
        let mut map = http::HeaderMap::new();
        for (name, value) in &self.headers {
            let bad = || CheckpointError::Inconsistent(format!("encryption header {name:?}"));
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
            let value = http::HeaderValue::from_str(value).map_err(|_| bad())?;
            map.append(name, value);
        }
        Ok(map)
    }
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
    /// The envelope the parts are encrypted with (client-side encryption only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionRecord>,
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
    /// The envelope the object's bytes were decrypted with (client-side encryption
    /// only: the temp file holds plaintext).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptionRecord>,
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

/// An envelope record must name something, and be usable as headers. Encrypted parts
/// start at multiples of the cipher's 16-byte block.
fn check_encryption(
    record: Option<&EncryptionRecord>,
    part_size: u64,
) -> Result<(), CheckpointError> {
    let Some(record) = record else {
        return Ok(());
    };
    if record.headers.is_empty() {
        return Err(CheckpointError::Inconsistent(
            "an empty encryption record".into(),
        ));
    }
    record.header_map()?;
    if !part_size.is_multiple_of(CIPHER_BLOCK) {
        return Err(CheckpointError::Inconsistent(format!(
            "encrypted parts of {part_size} bytes (not a multiple of 16)"
        )));
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
        check_encryption(checkpoint.encryption.as_ref(), checkpoint.part_size)?;
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
        check_encryption(checkpoint.encryption.as_ref(), checkpoint.part_size)?;
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
                changed_ns: None,
                inode: None,
            },
            parts: vec![CompletedPart {
                number: 2,
                etag: "\"e\"".into(),
                crc64: 7,
            }],
            encryption: None,
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
            encryption: None,
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

    fn record() -> EncryptionRecord {
        EncryptionRecord::new([
            ("X-Cos-Meta-Client-Side-Encryption-Key", "d3JhcHBlZA=="),
            (
                "x-cos-meta-client-side-encryption-cek-alg",
                "AES/CTR/NoPadding",
            ),
        ])
    }

    #[test]
    fn encryption_records_round_trip_and_are_checked() {
        let mut cp = upload();
        cp.part_size = 16;
        cp.source.size = 40;
        cp.encryption = Some(record());
        let json = cp.to_json();
        assert!(String::from_utf8_lossy(&json).contains("x-cos-meta-client-side-encryption-key"));
        assert_eq!(UploadCheckpoint::from_json(&json), Ok(cp.clone()));
        let map = record().header_map().unwrap();
        assert_eq!(map["x-cos-meta-client-side-encryption-key"], "d3JhcHBlZA==");

        // Encrypted parts must start on a cipher block.
        cp.part_size = 10;
        cp.source.size = 25;
        assert!(matches!(
            UploadCheckpoint::from_json(&cp.to_json()),
            Err(CheckpointError::Inconsistent(_))
        ));
        let mut cp = download();
        cp.encryption = Some(EncryptionRecord {
            headers: BTreeMap::new(),
        });
        assert!(DownloadCheckpoint::from_json(&cp.to_json()).is_err());
        cp.part_size = 16;
        cp.object.size = 48;
        cp.encryption = Some(EncryptionRecord {
            headers: BTreeMap::from([("bad name".into(), "v".into())]),
        });
        assert!(DownloadCheckpoint::from_json(&cp.to_json()).is_err());
        cp.encryption = Some(record());
        assert_eq!(DownloadCheckpoint::from_json(&cp.to_json()), Ok(cp));
    }

    #[test]
    fn an_objects_record_holds_only_its_envelope() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-cos-meta-client-side-encryption-iv",
            "aXY=".parse().unwrap(),
        );
        headers.insert("x-cos-meta-owner", "alice".parse().unwrap());
        headers.insert("etag", "\"e\"".parse().unwrap());
        let record = EncryptionRecord::of_object(&headers);
        assert_eq!(
            record.headers.into_iter().collect::<Vec<_>>(),
            [(
                "x-cos-meta-client-side-encryption-iv".to_owned(),
                "aXY=".to_owned()
            )]
        );
        assert!(
            EncryptionRecord::of_object(&http::HeaderMap::new())
                .headers
                .is_empty()
        );
    }

    #[test]
    fn plain_checkpoints_carry_no_record() {
        let json = upload().to_json();
        assert!(!String::from_utf8_lossy(&json).contains("encryption"));
        assert_eq!(UploadCheckpoint::from_json(&json).unwrap().encryption, None);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = UploadCheckpoint::from_json(&bytes);
            let _ = DownloadCheckpoint::from_json(&bytes);
        }
    }
}
