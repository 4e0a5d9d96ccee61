//! The `cos-transfer` checkpoint files: any bytes read as an upload and as a download
//! checkpoint.

use std::collections::BTreeSet;
use std::fmt::Debug;

use cos_transfer::{CHECKPOINT_FORMAT, DownloadCheckpoint, PartPlan, UploadCheckpoint};

/// The input is a checkpoint file, read by both parsers. Nothing panics; what parses
/// has this version's format, its identifiers, and part numbers within the plan it
/// records, each once; it serialises to JSON that parses back to an equal checkpoint,
/// which serialises to the same JSON.
pub fn checkpoint(data: &[u8]) {
    if let Ok(cp) = UploadCheckpoint::from_json(data) {
        assert_eq!(cp.format, CHECKPOINT_FORMAT);
        assert!(!cp.key.is_empty() && !cp.upload_id.is_empty());
        assert!(cp.parts.iter().all(|p| !p.etag.is_empty()));
        check_numbers(
            cp.source.size,
            cp.part_size,
            cp.parts.iter().map(|p| p.number),
        );
        round_trip(&cp, UploadCheckpoint::to_json, UploadCheckpoint::from_json);
    }
    if let Ok(cp) = DownloadCheckpoint::from_json(data) {
        assert_eq!(cp.format, CHECKPOINT_FORMAT);
        assert!(!cp.key.is_empty() && !cp.object.etag.is_empty());
        check_numbers(
            cp.object.size,
            cp.part_size,
            cp.ranges.iter().map(|r| r.number),
        );
        round_trip(
            &cp,
            DownloadCheckpoint::to_json,
            DownloadCheckpoint::from_json,
        );
    }
}

fn check_numbers(size: u64, part_size: u64, numbers: impl Iterator<Item = u32>) {
    let plan = PartPlan::exact(size, part_size).expect("a checkpoint with an impossible plan");
    let mut seen = BTreeSet::new();
    for number in numbers {
        assert!(
            (1..=plan.count()).contains(&number),
            "part {number} of {}",
            plan.count()
        );
        assert!(seen.insert(number), "part {number} twice");
    }
}

fn round_trip<T: PartialEq + Debug, E: Debug>(
    checkpoint: &T,
    to_json: fn(&T) -> Vec<u8>,
    from_json: fn(&[u8]) -> Result<T, E>,
) {
    let json = to_json(checkpoint);
    let again = from_json(&json).unwrap_or_else(|e| {
        panic!(
            "{checkpoint:?} is written as {:?}, which does not parse: {e:?}",
            String::from_utf8_lossy(&json)
        )
    });
    assert_eq!(&again, checkpoint, "not the same after a round trip");
    assert_eq!(to_json(&again), json, "written differently the second time");
}
