//! The download machine driven against a simulated COS: pinned ranges, checkpoints
//! after durable ranges, verification before the rename, resume, and refusals.
#![allow(clippy::unwrap_used)]

mod support;

use cos_proto::crc64;
use cos_proto::ops::GetObject;
use cos_transfer::{
    CompletedRange, Download, DownloadAction, DownloadCheckpoint, DownloadOutcome, DownloadOutput,
    ObjectIdentity, TransferError, TransferOptions,
};
use support::{crc_header, parse, response, service_error};

fn object(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 13 % 253) as u8).collect()
}

fn options() -> TransferOptions {
    TransferOptions::default().part_size(100).concurrency(3)
}

struct Sim {
    data: Vec<u8>,
    etag: String,
    crc_header: Option<u64>,
    temp: Vec<u8>,
    temp_exists: bool,
    fail_ranges: Vec<(u32, u16)>,
    short_ranges: Vec<u32>,
    /// Ranges served with one byte flipped (and the CRC64 of what was served).
    flip_ranges: Vec<u32>,
    /// Envelope headers the HEAD carries (a decrypting download reads them).
    envelope: Vec<(&'static str, String)>,
}

#[derive(Default, Debug)]
struct Trace {
    actions: Vec<String>,
    checkpoints: Vec<DownloadCheckpoint>,
    max_in_flight: usize,
    finalized: bool,
}

impl Sim {
    fn new(data: Vec<u8>) -> Self {
        let crc = crc64::crc64(&data);
        Self {
            data,
            etag: "\"v1\"".into(),
            crc_header: Some(crc),
            temp: Vec::new(),
            temp_exists: false,
            fail_ranges: Vec::new(),
            short_ranges: Vec::new(),
            flip_ranges: Vec::new(),
            envelope: Vec::new(),
        }
    }

    fn perform(&mut self, action: DownloadAction, trace: &mut Trace) -> DownloadOutcome {
        match action {
            DownloadAction::Head(op) => {
                trace.actions.push("head".into());
                let mut headers = vec![
                    ("Content-Length", self.data.len().to_string()),
                    ("ETag", self.etag.clone()),
                ];
                if let Some(crc) = self.crc_header {
                    headers.push(("x-cos-hash-crc64ecma", crc.to_string()));
                }
                headers.extend(self.envelope.iter().cloned());
                DownloadOutcome::Head(parse(&op, response(200, &headers, "")))
            }
            DownloadAction::OpenTemp { len, keep } => {
                trace.actions.push(format!("open keep={keep}"));
                let kept = keep && self.temp_exists && self.temp.len() as u64 == len;
                if !kept {
                    self.temp = vec![0; len as usize];
                    self.temp_exists = true;
                }
                DownloadOutcome::TempReady(Ok(kept))
            }
            DownloadAction::GetRange {
                op,
                part_number,
                offset,
                len,
            } => {
                trace.actions.push(format!("get {part_number}"));
                let request = cos_proto::Operation::build_request(
                    &op,
                    &cos_proto::Config::builder("ap-guangzhou", "b-1250000000")
                        .build()
                        .unwrap(),
                )
                .unwrap();
                assert_eq!(request.headers()["if-match"], self.etag.as_str(), "pinned");
                let (o, l) = (offset as usize, len as usize);
                assert_eq!(
                    request.headers()["range"],
                    format!("bytes={}-{}", o, o + l - 1).as_str()
                );
                if let Some(i) = self.fail_ranges.iter().position(|(n, _)| *n == part_number) {
                    let (_, status) = self.fail_ranges.remove(i);
                    return DownloadOutcome::Range {
                        part_number,
                        result: Err(service_error(status, "X")),
                    };
                }
                let mut data = self.data[o..o + l].to_vec();
                if let Some(i) = self.short_ranges.iter().position(|n| *n == part_number) {
                    self.short_ranges.remove(i);
                    data.pop();
                }
                if let Some(i) = self.flip_ranges.iter().position(|n| *n == part_number) {
                    self.flip_ranges.remove(i);
                    data[0] ^= 0xff;
                }
                self.temp[o..o + data.len()].copy_from_slice(&data);
                DownloadOutcome::Range {
                    part_number,
                    result: Ok((data.len() as u64, crc64::crc64(&data))),
                }
            }
            DownloadAction::CheckRange {
                part_number,
                offset,
                len,
            } => {
                trace.actions.push(format!("check {part_number}"));
                let (o, l) = (offset as usize, len as usize);
                DownloadOutcome::RangeChecked {
                    part_number,
                    result: Ok(crc64::crc64(&self.temp[o..o + l])),
                }
            }
            DownloadAction::CheckPlaintext { len } => {
                trace.actions.push("check plaintext".into());
                assert_eq!(len, self.data.len() as u64);
                DownloadOutcome::PlaintextChecked(Ok(crc64::crc64(&self.temp)))
            }
            DownloadAction::SaveCheckpoint(cp) => {
                trace.actions.push(format!("save {}", cp.ranges.len()));
                trace.checkpoints.push(cp);
                DownloadOutcome::CheckpointSaved(Ok(()))
            }
            DownloadAction::Finalize => {
                trace.actions.push("finalize".into());
                trace.finalized = true;
                DownloadOutcome::Finalized(Ok(()))
            }
            DownloadAction::Discard => {
                trace.actions.push("discard".into());
                self.temp_exists = false;
                DownloadOutcome::Discarded(Ok(()))
            }
            DownloadAction::Done(_) => unreachable!(),
            _ => unreachable!(),
        }
    }
}

fn drive(
    machine: &mut Download,
    sim: &mut Sim,
    seed: u64,
) -> (Result<DownloadOutput, TransferError>, Trace) {
    let mut trace = Trace::default();
    let mut pending = Vec::new();
    let mut state = seed | 1;
    loop {
        while machine.poll_event().is_some() {}
        match machine.poll_action() {
            Some(DownloadAction::Done(result)) => return (result, trace),
            Some(action) => {
                pending.push(action);
                let ranges = pending
                    .iter()
                    .filter(|a| matches!(a, DownloadAction::GetRange { .. }))
                    .count();
                trace.max_in_flight = trace.max_in_flight.max(ranges);
            }
            None => {
                assert!(!pending.is_empty(), "the machine waits for nothing");
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let action = pending.swap_remove((state % pending.len() as u64) as usize);
                let outcome = sim.perform(action, &mut trace);
                machine.handle(outcome);
            }
        }
    }
}

fn download(checkpoint: Option<DownloadCheckpoint>) -> Download {
    Download::new("b-1250000000", GetObject::new("k"), checkpoint, options())
}

#[test]
fn ranges_are_fetched_in_a_window_recorded_and_verified_before_the_rename() {
    for seed in 1..30 {
        let data = object(1050);
        let mut sim = Sim::new(data.clone());
        let (result, trace) = drive(&mut download(None), &mut sim, seed);
        let out = result.unwrap();
        assert_eq!(out.crc64, crc64::crc64(&data));
        assert_eq!(sim.temp, data);
        assert!(trace.finalized);
        assert!(trace.max_in_flight <= 3, "seed {seed}");
        assert_eq!(trace.actions[..2], ["head", "open keep=false"]);
        let last = trace.checkpoints.last().unwrap();
        assert_eq!(last.ranges.len(), 11, "every range recorded before the end");
    }
}

#[test]
fn a_crc_mismatch_discards_instead_of_renaming() {
    let data = object(500);
    let mut sim = Sim::new(data);
    sim.crc_header = Some(12345);
    let (result, trace) = drive(&mut download(None), &mut sim, 1);
    assert!(matches!(
        result,
        Err(TransferError::Crc64Mismatch {
            expected: 12345,
            ..
        })
    ));
    assert!(!trace.finalized);
    assert_eq!(trace.actions.last().map(String::as_str), Some("discard"));
}

#[test]
fn without_a_crc_the_download_still_completes() {
    let data = object(500);
    let mut sim = Sim::new(data.clone());
    sim.crc_header = None;
    let (result, _) = drive(&mut download(None), &mut sim, 1);
    assert_eq!(result.unwrap().crc64, crc64::crc64(&data));
}

fn checkpoint_for(data: &[u8], etag: &str, ranges: &[u32]) -> DownloadCheckpoint {
    DownloadCheckpoint {
        format: cos_transfer::CHECKPOINT_FORMAT,
        bucket: "b-1250000000".into(),
        key: "k".into(),
        object: ObjectIdentity {
            size: data.len() as u64,
            etag: etag.into(),
            crc64: Some(crc64::crc64(data)),
            version_id: None,
        },
        part_size: 100,
        ranges: ranges
            .iter()
            .map(|&n| CompletedRange {
                number: n,
                crc64: crc64::crc64(
                    &data[(n as usize - 1) * 100..(n as usize * 100).min(data.len())],
                ),
            })
            .collect(),
        encryption: None,
    }
}

#[test]
fn resume_fetches_only_missing_ranges_of_the_same_object() {
    let data = object(1000);
    let mut sim = Sim::new(data.clone());
    sim.temp = data.clone();
    for b in &mut sim.temp[500..] {
        *b = 0;
    }
    sim.temp_exists = true;
    let cp = checkpoint_for(&data, "\"v1\"", &[1, 2, 3, 4, 5]);
    let (result, trace) = drive(&mut download(Some(cp)), &mut sim, 2);
    let out = result.unwrap();
    assert_eq!(out.resumed_bytes, 500);
    assert_eq!(sim.temp, data);
    let gets: Vec<_> = trace
        .actions
        .iter()
        .filter(|a| a.starts_with("get"))
        .collect();
    assert_eq!(gets.len(), 5);
    assert_eq!(trace.actions[1], "open keep=true");
}

/// A resume trusts nothing it cannot re-check: every range the checkpoint claims is
/// read back, and one whose bytes no longer have the recorded CRC64 (zeroed, swapped
/// behind the transfer's back) is fetched again, even when COS sends no CRC64 that
/// would catch it at the end.
#[test]
fn a_resume_rechecks_every_kept_range() {
    for (seed, crc_header) in [(6, true), (7, false)] {
        let data = object(1000);
        let mut sim = Sim::new(data.clone());
        if !crc_header {
            sim.crc_header = None;
        }
        sim.temp = data.clone();
        sim.temp[150..160].fill(0);
        sim.temp[400..500].copy_from_slice(&data[0..100]);
        sim.temp[500..].fill(0);
        sim.temp_exists = true;
        let mut cp = checkpoint_for(&data, "\"v1\"", &[1, 2, 3, 4, 5]);
        cp.object.crc64 = sim.crc_header;
        let (result, trace) = drive(&mut download(Some(cp)), &mut sim, seed);
        let out = result.unwrap();
        assert_eq!(sim.temp, data, "CRC64 header: {crc_header}");
        assert_eq!(out.resumed_bytes, 300, "{:?}", trace.actions);
        let mut gets: Vec<_> = trace
            .actions
            .iter()
            .filter(|a| a.starts_with("get"))
            .cloned()
            .collect();
        gets.sort();
        assert_eq!(
            gets,
            [
                "get 10", "get 2", "get 5", "get 6", "get 7", "get 8", "get 9"
            ]
        );
        let checks = trace.actions.iter().filter(|a| a.starts_with("check"));
        assert_eq!(checks.count(), 5, "one local read of what is kept");
    }
}

#[test]
fn a_checkpoint_of_another_version_or_a_lost_temp_starts_over() {
    let data = object(1000);
    let mut sim = Sim::new(data.clone());
    let cp = checkpoint_for(&data, "\"v0\"", &[1, 2, 3]);
    let (result, trace) = drive(&mut download(Some(cp)), &mut sim, 3);
    assert_eq!(result.unwrap().resumed_bytes, 0);
    assert_eq!(trace.actions[1], "open keep=false");

    let mut sim = Sim::new(data.clone());
    let cp = checkpoint_for(&data, "\"v1\"", &[1, 2, 3]);
    let (result, trace) = drive(&mut download(Some(cp)), &mut sim, 3);
    assert_eq!(result.unwrap().resumed_bytes, 0, "the temp file was gone");
    assert_eq!(trace.actions[1], "open keep=true");
    assert_eq!(
        trace
            .actions
            .iter()
            .filter(|a| a.starts_with("get"))
            .count(),
        10
    );
    assert_eq!(sim.temp, data);
}

#[test]
fn a_replaced_object_fails_and_short_ranges_are_fetched_again() {
    let data = object(1000);
    let mut sim = Sim::new(data.clone());
    sim.fail_ranges = vec![(4, 412)];
    let (result, trace) = drive(&mut download(None), &mut sim, 4);
    assert!(
        matches!(result, Err(TransferError::RemoteChanged { .. })),
        "{result:?}"
    );
    assert!(!trace.finalized);

    let mut sim = Sim::new(data.clone());
    sim.short_ranges = vec![2, 7];
    sim.fail_ranges = vec![(3, 503)];
    let (result, _) = drive(&mut download(None), &mut sim, 4);
    result.unwrap();
    assert_eq!(sim.temp, data);
}

#[test]
fn empty_and_single_range_objects() {
    let mut sim = Sim::new(Vec::new());
    let (result, trace) = drive(&mut download(None), &mut sim, 5);
    assert_eq!(result.unwrap().crc64, 0);
    assert_eq!(trace.actions, ["head", "open keep=false", "finalize"]);

    let data = object(60);
    let mut sim = Sim::new(data.clone());
    let (result, trace) = drive(&mut download(None), &mut sim, 5);
    result.unwrap();
    assert!(
        trace.checkpoints.is_empty(),
        "one range needs no checkpoint"
    );
    assert_eq!(sim.temp, data);
}

#[test]
fn a_head_without_length_or_etag_is_refused() {
    let mut machine = download(None);
    let Some(DownloadAction::Head(op)) = machine.poll_action() else {
        panic!("head first")
    };
    machine.handle(DownloadOutcome::Head(parse(
        &op,
        response(200, &[crc_header(b"x")], ""),
    )));
    assert!(matches!(
        machine.poll_action(),
        Some(DownloadAction::Done(Err(TransferError::Unexpected(_))))
    ));
}

#[test]
fn plain_and_decrypting_downloads_never_resume_each_other() {
    let data = object(1000);
    // A plain run's temp file holds stored bytes: a decrypting run starts over.
    let mut sim = Sim::new(data.clone());
    sim.temp = data.clone();
    sim.temp_exists = true;
    let cp = checkpoint_for(&data, "\"v1\"", &[1, 2, 3, 4, 5]);
    let mut machine = download(Some(cp.clone())).decrypting();
    let (result, trace) = drive(&mut machine, &mut sim, 3);
    assert_eq!(result.unwrap().resumed_bytes, 0);
    assert_eq!(trace.actions[1], "open keep=false");
    let recorded = trace.checkpoints.last().unwrap().encryption.clone();
    assert!(recorded.is_some(), "a decrypting run records its envelope");

    // And a decrypting run's checkpoint is not resumed by a plain run.
    let mut sim = Sim::new(data.clone());
    sim.temp = data.clone();
    sim.temp_exists = true;
    let mut decrypted = cp;
    decrypted.encryption = recorded;
    let (result, _) = drive(&mut download(Some(decrypted.clone())), &mut sim, 4);
    assert_eq!(result.unwrap().resumed_bytes, 0);

    // The same decrypting run resumes it.
    let mut sim = Sim::new(data.clone());
    sim.temp = data.clone();
    sim.temp_exists = true;
    let (result, _) = drive(&mut download(Some(decrypted)).decrypting(), &mut sim, 5);
    assert_eq!(result.unwrap().resumed_bytes, 500);
}

/// A decrypting download of an object COS sends without a CRC64 reads the written file
/// back and checks it against the plaintext CRC64 the envelope records before the
/// rename: a byte flipped on the way is a typed error and nothing is renamed. (The
/// simulated object is its own plaintext.)
#[test]
fn a_decrypting_download_without_cos_crc_checks_the_envelope_crc() {
    for flipped in [false, true] {
        let data = object(1000);
        let mut sim = Sim::new(data.clone());
        sim.crc_header = None;
        sim.envelope = vec![
            ("x-cos-meta-client-side-encryption-key", "k".into()),
            (
                "x-cos-meta-client-side-encryption-unencrypted-content-crc64",
                crc64::crc64(&data).to_string(),
            ),
        ];
        if flipped {
            sim.flip_ranges = vec![3];
        }
        let mut machine = download(None).decrypting();
        let (result, trace) = drive(&mut machine, &mut sim, 8);
        assert!(trace.actions.iter().any(|a| a == "check plaintext"));
        if flipped {
            assert!(
                matches!(result, Err(TransferError::Crc64Mismatch { .. })),
                "{result:?}"
            );
            assert!(!trace.finalized);
        } else {
            result.unwrap();
            assert!(trace.finalized);
        }
    }
    // With COS's CRC64 there is nothing to read back.
    let mut sim = Sim::new(object(1000));
    sim.envelope = vec![(
        "x-cos-meta-client-side-encryption-unencrypted-content-crc64",
        "1".into(),
    )];
    let (result, trace) = drive(&mut download(None).decrypting(), &mut sim, 9);
    result.unwrap();
    assert!(!trace.actions.iter().any(|a| a == "check plaintext"));
}
