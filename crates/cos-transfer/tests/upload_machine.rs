//! The upload machine driven against a simulated COS: the order of actions, the
//! concurrency window, checkpoints before parts, resume and reconciliation, retries,
//! and what it does when COS's answers go wrong.
#![allow(clippy::unwrap_used)]

mod support;

use cos_proto::Operation;
use cos_proto::crc64;
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::PutObject;
use cos_transfer::{
    CompletedPart, EncryptionRecord, SourceIdentity, TransferError, TransferEvent, TransferOptions,
    Upload, UploadAction, UploadCheckpoint, UploadOutcome, UploadOutput,
};
use support::{Uploads, crc_header, etag_of, parse, response, service_error};

const PART: u64 = 100;

fn source(len: usize) -> (Vec<u8>, SourceIdentity) {
    let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    let identity = SourceIdentity {
        size: len as u64,
        modified_ns: Some(42),
        changed_ns: None,
        inode: None,
    };
    (data, identity)
}

fn options() -> TransferOptions {
    TransferOptions::default()
        .multipart_threshold(250)
        .part_size(PART)
        .concurrency(3)
}

/// What a run did, as seen by the simulated driver.
#[derive(Default, Debug)]
struct Trace {
    actions: Vec<String>,
    events: Vec<TransferEvent>,
    checkpoints: Vec<UploadCheckpoint>,
    max_unrecorded: usize,
    parts_sent: Vec<u32>,
}

/// The answers the simulated COS gives, with knobs for failures.
struct Sim {
    data: Vec<u8>,
    uploads: Uploads,
    /// Part numbers whose next upload fails with this status.
    fail_parts: Vec<(u32, u16, &'static str)>,
    /// Parts answered with a wrong CRC64 once.
    corrupt_parts: Vec<u32>,
    lose_completion: bool,
    checkpoint: Option<UploadCheckpoint>,
    /// The source's identity when the driver checks it before the completion.
    identity_now: Option<SourceIdentity>,
}

impl Sim {
    fn new(data: Vec<u8>) -> Self {
        Self {
            data,
            uploads: Uploads::default(),
            fail_parts: Vec::new(),
            corrupt_parts: Vec::new(),
            lose_completion: false,
            checkpoint: None,
            identity_now: None,
        }
    }

    fn perform(&mut self, action: UploadAction, trace: &mut Trace) -> Option<UploadOutcome> {
        Some(match action {
            UploadAction::Put { op, len, .. } => {
                trace.actions.push("put".into());
                let body = &self.data[..len as usize];
                let answer = response(200, &[("ETag", etag_of(body)), crc_header(body)], "");
                self.uploads.completed = Some(body.to_vec());
                UploadOutcome::Put(parse(&op, answer).map(|o| (o, crc64::crc64(body))))
            }
            UploadAction::AbortStale(op) => {
                trace.actions.push("abort".into());
                let _ = op;
                if let Some(cp) = &self.checkpoint {
                    self.uploads.live.remove(&cp.upload_id);
                    self.uploads.aborted.push(cp.upload_id.clone());
                }
                UploadOutcome::Aborted(Ok(()))
            }
            UploadAction::ListParts(op) => {
                trace.actions.push("list".into());
                let id = op.upload_id().to_owned();
                let marker = op
                    .build_request(&config())
                    .unwrap()
                    .uri()
                    .query()
                    .and_then(|q| {
                        q.split('&')
                            .find_map(|p| p.strip_prefix("part-number-marker="))
                    })
                    .map_or(0, |m| m.parse().unwrap());
                match self.uploads.list_parts_xml(&id, marker, 2) {
                    Some(xml) => UploadOutcome::PartsListed(parse(&op, response(200, &[], &xml))),
                    None => UploadOutcome::PartsListed(Err(service_error(404, "NoSuchUpload"))),
                }
            }
            UploadAction::Initiate(op) => {
                trace.actions.push("initiate".into());
                let id = self.uploads.initiate();
                let xml = format!(
                    "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>{id}</UploadId></InitiateMultipartUploadResult>"
                );
                UploadOutcome::Initiated(parse(&op, response(200, &[], &xml)))
            }
            UploadAction::HashPart {
                part_number,
                offset,
                len,
                ..
            } => {
                trace.actions.push(format!("hash {part_number}"));
                let body = &self.data[offset as usize..(offset + len) as usize];
                UploadOutcome::PartHashed {
                    part_number,
                    result: Ok(crc64::crc64(body)),
                }
            }
            UploadAction::CheckSource => {
                trace.actions.push("check".into());
                let identity = self.identity_now.clone().unwrap_or_else(|| {
                    let (_, identity) = source(self.data.len());
                    identity
                });
                UploadOutcome::SourceChecked(Ok(identity))
            }
            UploadAction::UploadPart {
                op, offset, len, ..
            } => {
                let number = op.part_number();
                trace.actions.push(format!("part {number}"));
                trace.parts_sent.push(number);
                let body = &self.data[offset as usize..(offset + len) as usize];
                let crc = crc64::crc64(body);
                if let Some(i) = self.fail_parts.iter().position(|(n, _, _)| *n == number) {
                    let (_, status, code) = self.fail_parts.remove(i);
                    return Some(UploadOutcome::PartUploaded {
                        part_number: number,
                        result: Err(service_error(status, code)),
                    });
                }
                let mut header = crc_header(body);
                if let Some(i) = self.corrupt_parts.iter().position(|n| *n == number) {
                    self.corrupt_parts.remove(i);
                    header.1 = (crc ^ 1).to_string();
                }
                let id = self.uploads.live.keys().last().cloned().unwrap_or_default();
                if let Some(parts) = self.uploads.live.get_mut(&id) {
                    parts.insert(number, body.to_vec());
                }
                let answer = response(200, &[("ETag", etag_of(body)), header], "");
                UploadOutcome::PartUploaded {
                    part_number: number,
                    result: parse(&op, answer).map(|o| (o, crc)),
                }
            }
            UploadAction::SaveCheckpoint(cp) => {
                trace.actions.push(format!("save {}", cp.parts.len()));
                trace.checkpoints.push(cp.clone());
                self.checkpoint = Some(cp);
                UploadOutcome::CheckpointSaved(Ok(()))
            }
            UploadAction::Complete(op) => {
                trace.actions.push("complete".into());
                let (id, parts) = self.uploads.live.pop_last().unwrap();
                let _ = id;
                let mut whole = Vec::new();
                for (number, (listed, etag)) in parts.values().zip(op.part_list()).enumerate() {
                    assert_eq!(etag.0 as usize, number + 1, "parts in order");
                    assert_eq!(etag_of(listed), etag.1, "the ETag of part {}", etag.0);
                    whole.extend_from_slice(listed);
                }
                self.uploads.completed = Some(whole.clone());
                if self.lose_completion {
                    self.lose_completion = false;
                    return Some(UploadOutcome::Completed(Err(service_error(
                        503,
                        "ServiceUnavailable",
                    ))));
                }
                let xml = "<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>k</Key><ETag>\"e-3\"</ETag></CompleteMultipartUploadResult>";
                UploadOutcome::Completed(parse(&op, response(200, &[crc_header(&whole)], xml)))
            }
            UploadAction::VerifyCompleted(op) => {
                trace.actions.push("verify".into());
                let whole = self.uploads.completed.clone().unwrap_or_default();
                let answer = response(
                    200,
                    &[
                        ("Content-Length", whole.len().to_string()),
                        ("ETag", "\"e-3\"".into()),
                        crc_header(&whole),
                    ],
                    "",
                );
                UploadOutcome::Verified(parse(&op, answer))
            }
            UploadAction::RemoveCheckpoint => {
                trace.actions.push("remove".into());
                self.checkpoint = None;
                UploadOutcome::CheckpointRemoved(Ok(()))
            }
            UploadAction::Done(_) => unreachable!("handled by the driver"),
            _ => unreachable!("no other actions"),
        })
    }
}

fn config() -> cos_proto::Config {
    cos_proto::Config::builder("ap-guangzhou", "b-1250000000")
        .build()
        .unwrap()
}

/// Drives `machine`, finishing in-flight actions in an order picked by `seed`.
fn drive(
    machine: &mut Upload,
    sim: &mut Sim,
    seed: u64,
) -> (Result<UploadOutput, TransferError>, Trace) {
    let mut trace = Trace::default();
    let mut pending: Vec<UploadAction> = Vec::new();
    let mut state = seed | 1;
    for _ in 0..100_000 {
        while let Some(event) = machine.poll_event() {
            trace.events.push(event);
        }
        match machine.poll_action() {
            Some(UploadAction::Done(result)) => return (result, trace),
            Some(action) => {
                pending.push(action);
                let committed = trace.events.iter().rev().find_map(|e| match e {
                    TransferEvent::PartDone { .. } | TransferEvent::Started { .. } => {
                        Some(e.progress())
                    }
                    _ => None,
                });
                let _ = committed;
                let unrecorded = pending
                    .iter()
                    .filter(|a| matches!(a, UploadAction::UploadPart { .. }))
                    .count();
                trace.max_unrecorded = trace.max_unrecorded.max(unrecorded);
            }
            None => {
                assert!(!pending.is_empty(), "the machine waits for nothing");
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let action = pending.swap_remove((state % pending.len() as u64) as usize);
                if let Some(outcome) = sim.perform(action, &mut trace) {
                    machine.handle(outcome);
                }
            }
        }
    }
    panic!("the upload never finished");
}

fn record(key: &str) -> EncryptionRecord {
    EncryptionRecord::new([("x-cos-meta-client-side-encryption-key", key)])
}

fn new_upload(
    identity: &SourceIdentity,
    checkpoint: Option<UploadCheckpoint>,
    options: TransferOptions,
) -> Upload {
    Upload::new(
        "b-1250000000",
        PutObject::new("k", None),
        identity.clone(),
        checkpoint,
        options,
    )
}

#[test]
fn small_sources_are_one_put() {
    let (data, identity) = source(249);
    let mut sim = Sim::new(data.clone());
    let (result, trace) = drive(&mut new_upload(&identity, None, options()), &mut sim, 1);
    let out = result.unwrap();
    assert_eq!(trace.actions, ["put", "check", "remove"]);
    assert_eq!((out.parts, out.crc64), (0, crc64::crc64(&data)));
}

#[test]
fn an_empty_source_is_one_put_whatever_the_threshold() {
    let (_, identity) = source(0);
    let mut sim = Sim::new(Vec::new());
    let options = options().multipart_threshold(0);
    let (result, trace) = drive(&mut new_upload(&identity, None, options), &mut sim, 1);
    assert_eq!(result.unwrap().crc64, 0);
    assert_eq!(trace.actions, ["put", "check", "remove"]);
}

#[test]
fn multipart_records_the_upload_before_any_part_and_keeps_the_window() {
    for seed in 1..40 {
        let (data, identity) = source(1234);
        let mut sim = Sim::new(data.clone());
        let (result, trace) = drive(&mut new_upload(&identity, None, options()), &mut sim, seed);
        let out = result.unwrap();
        assert_eq!(&trace.actions[..2], ["initiate", "save 0"], "seed {seed}");
        assert!(
            trace.max_unrecorded <= 3,
            "seed {seed}: {}",
            trace.max_unrecorded
        );
        assert_eq!(trace.actions.last().map(String::as_str), Some("remove"));
        assert_eq!(out.parts, 13);
        assert_eq!(out.crc64, crc64::crc64(&data));
        assert_eq!(sim.uploads.completed.as_deref(), Some(&data[..]));
        let mut sent = trace.parts_sent.clone();
        sent.sort_unstable();
        assert_eq!(sent, (1..=13).collect::<Vec<_>>(), "every part once");
        // Each checkpoint only grows, and never names a part COS has not answered.
        for pair in trace.checkpoints.windows(2) {
            assert!(pair[0].parts.len() <= pair[1].parts.len());
        }
        let committed: Vec<u64> = trace
            .events
            .iter()
            .map(|e| e.progress().committed)
            .collect();
        assert!(
            committed.windows(2).all(|w| w[0] <= w[1]),
            "seed {seed}: {committed:?}"
        );
    }
}

#[test]
fn resume_sends_only_what_cos_lacks() {
    let (data, identity) = source(1000);
    let mut sim = Sim::new(data.clone());
    let id = sim.uploads.initiate();
    let parts = sim.uploads.live.get_mut(&id).unwrap();
    for n in 1..=4u32 {
        let span = &data[(n as usize - 1) * 100..n as usize * 100];
        parts.insert(n, span.to_vec());
    }
    // Part 3 on COS holds other bytes than the checkpoint says: it is sent again.
    parts.insert(3, vec![0; 100]);
    let checkpoint = UploadCheckpoint {
        format: cos_transfer::CHECKPOINT_FORMAT,
        bucket: "b-1250000000".into(),
        key: "k".into(),
        upload_id: id,
        part_size: PART,
        source: identity.clone(),
        parts: (1..=4)
            .map(|n: u32| {
                let span = &data[(n as usize - 1) * 100..n as usize * 100];
                CompletedPart {
                    number: n,
                    etag: etag_of(span),
                    crc64: crc64::crc64(span),
                }
            })
            .collect(),
        encryption: None,
    };
    let (result, trace) = drive(
        &mut new_upload(&identity, Some(checkpoint), options()),
        &mut sim,
        3,
    );
    let out = result.unwrap();
    assert_eq!(
        trace.actions.iter().filter(|a| *a == "list").count(),
        2,
        "paginated"
    );
    let mut sent = trace.parts_sent.clone();
    sent.sort_unstable();
    assert_eq!(sent, vec![3, 5, 6, 7, 8, 9, 10]);
    assert_eq!(out.resumed_bytes, 300);
    assert_eq!(out.crc64, crc64::crc64(&data));
    assert_eq!(sim.uploads.completed.as_deref(), Some(&data[..]));
}

#[test]
fn a_checkpoint_for_other_bytes_is_aborted_and_the_upload_starts_over() {
    let (data, identity) = source(1000);
    for change in 0..5 {
        let mut sim = Sim::new(data.clone());
        let id = sim.uploads.initiate();
        let mut checkpoint = UploadCheckpoint {
            format: cos_transfer::CHECKPOINT_FORMAT,
            bucket: "b-1250000000".into(),
            key: "k".into(),
            upload_id: id.clone(),
            part_size: PART,
            source: identity.clone(),
            parts: vec![],
            encryption: None,
        };
        match change {
            0 => checkpoint.source.size = 999,
            1 => checkpoint.key = "other".into(),
            2 => checkpoint.bucket = "other-1250000000".into(),
            // Encrypted parts are never resumed by a plain upload...
            3 => checkpoint.encryption = Some(record("a")),
            _ => {}
        }
        sim.checkpoint = Some(checkpoint.clone());
        let mut machine = new_upload(&identity, Some(checkpoint.clone()), options());
        if change == 4 {
            // ...nor plain parts by an encrypted one (whose parts are whole blocks).
            machine = new_upload(&identity, Some(checkpoint), options().part_size(112))
                .with_encryption(record("b"));
        }
        let (result, trace) = drive(&mut machine, &mut sim, 5);
        result.unwrap();
        assert_eq!(
            &trace.actions[..2],
            ["abort", "initiate"],
            "change {change}"
        );
        assert_eq!(sim.uploads.aborted, vec![id]);
    }
}

#[test]
fn a_vanished_upload_starts_over() {
    let (data, identity) = source(500);
    let mut sim = Sim::new(data.clone());
    let checkpoint = UploadCheckpoint {
        format: cos_transfer::CHECKPOINT_FORMAT,
        bucket: "b-1250000000".into(),
        key: "k".into(),
        upload_id: "gone".into(),
        part_size: PART,
        source: identity.clone(),
        parts: vec![],
        encryption: None,
    };
    let (result, trace) = drive(
        &mut new_upload(&identity, Some(checkpoint), options()),
        &mut sim,
        7,
    );
    assert_eq!(result.unwrap().resumed_bytes, 0);
    assert_eq!(&trace.actions[..2], ["list", "initiate"]);
}

#[test]
fn transient_part_failures_are_retried_and_others_are_not() {
    let (data, identity) = source(1000);
    let mut sim = Sim::new(data.clone());
    sim.fail_parts = vec![(2, 503, "ServiceUnavailable"), (2, 500, "InternalError")];
    sim.corrupt_parts = vec![5];
    let (result, trace) = drive(&mut new_upload(&identity, None, options()), &mut sim, 9);
    assert_eq!(result.unwrap().crc64, crc64::crc64(&data));
    let retries = trace
        .events
        .iter()
        .filter(|e| matches!(e, TransferEvent::Retrying { part: 2 | 5, .. }))
        .count();
    assert_eq!(retries, 3);

    let mut sim = Sim::new(data.clone());
    sim.fail_parts = vec![(4, 403, "AccessDenied")];
    let (result, trace) = drive(&mut new_upload(&identity, None, options()), &mut sim, 9);
    assert!(matches!(result, Err(TransferError::Client(_))));
    assert!(
        !trace.actions.iter().any(|a| a == "remove"),
        "the checkpoint stays for a resume"
    );
    assert!(matches!(
        trace.events.last(),
        Some(TransferEvent::Failed { .. })
    ));

    let mut sim = Sim::new(data.clone());
    sim.fail_parts = vec![(4, 503, "A"), (4, 503, "B"), (4, 503, "C")];
    let (result, _) = drive(&mut new_upload(&identity, None, options()), &mut sim, 9);
    assert!(result.is_err(), "three attempts and no more");
}

#[test]
fn a_lost_completion_is_confirmed_by_the_object() {
    let (data, identity) = source(1000);
    // The completion's answer is lost (503), its repeat finds no upload: the HEAD
    // decides. a completion whose repeat says NoSuchUpload, the HEAD decides.
    let mut sim = Sim::new(data.clone());
    sim.lose_completion = true;
    let mut machine = new_upload(&identity, None, options());
    let mut done = None;
    let mut trace = Trace::default();
    let mut completes = 0;
    while done.is_none() {
        let _ = machine.poll_event();
        match machine.poll_action() {
            Some(UploadAction::Done(r)) => done = Some(r),
            Some(UploadAction::Complete(op)) if completes == 1 => {
                completes += 1;
                let _ = op;
                machine.handle(UploadOutcome::Completed(Err(service_error(
                    404,
                    "NoSuchUpload",
                ))));
            }
            Some(action) => {
                if matches!(action, UploadAction::Complete(_)) {
                    completes += 1;
                }
                if let Some(outcome) = sim.perform(action, &mut trace) {
                    machine.handle(outcome);
                }
            }
            None => unreachable!("actions are answered at once"),
        }
    }
    let out = done.unwrap().unwrap();
    assert!(
        trace.actions.iter().any(|a| a == "verify"),
        "{:?}",
        trace.actions
    );
    assert_eq!(out.crc64, crc64::crc64(&data));
}

#[test]
fn outcomes_for_actions_never_asked_are_ignored() {
    let (_, identity) = source(1000);
    let mut machine = new_upload(&identity, None, options());
    machine.handle(UploadOutcome::PartUploaded {
        part_number: 7,
        result: Err(ClientError::Unsupported("x")),
    });
    machine.handle(UploadOutcome::CheckpointSaved(Ok(())));
    assert!(matches!(
        machine.poll_action(),
        Some(UploadAction::Initiate(_))
    ));
    assert!(machine.poll_action().is_none());
}

#[test]
fn an_encrypted_upload_off_the_cipher_block_is_never_started() {
    let (data, identity) = source(1000);
    let mut sim = Sim::new(data);
    let mut machine = new_upload(&identity, None, options()).with_encryption(record("k"));
    let (result, trace) = drive(&mut machine, &mut sim, 9);
    assert!(matches!(result, Err(TransferError::InvalidOptions(_))));
    assert!(trace.actions.is_empty(), "{:?}", trace.actions);
    assert!(sim.uploads.live.is_empty());
}

fn checkpoint_of(
    data: &[u8],
    identity: &SourceIdentity,
    id: &str,
    parts: &[u32],
) -> UploadCheckpoint {
    UploadCheckpoint {
        format: cos_transfer::CHECKPOINT_FORMAT,
        bucket: "b-1250000000".into(),
        key: "k".into(),
        upload_id: id.into(),
        part_size: PART,
        source: identity.clone(),
        parts: parts
            .iter()
            .map(|&n| {
                let span = &data[(n as usize - 1) * 100..(n as usize * 100).min(data.len())];
                CompletedPart {
                    number: n,
                    etag: etag_of(span),
                    crc64: crc64::crc64(span),
                }
            })
            .collect(),
        encryption: None,
    }
}

/// A resume re-reads every part its checkpoint records: one whose bytes changed (the
/// file was rewritten keeping its size and modification time) is sent again, the others
/// are kept, and the object is the file as it is now.
#[test]
fn a_resume_rereads_every_recorded_part() {
    let (old, identity) = source(1000);
    let mut new = old.clone();
    new[150] ^= 0xff;
    let mut sim = Sim::new(new.clone());
    let id = sim.uploads.initiate();
    let parts = sim.uploads.live.get_mut(&id).unwrap();
    for n in 1..=4usize {
        parts.insert(n as u32, old[(n - 1) * 100..n * 100].to_vec());
    }
    let checkpoint = checkpoint_of(&old, &identity, &id, &[1, 2, 3, 4]);
    let (result, trace) = drive(
        &mut new_upload(&identity, Some(checkpoint), options()),
        &mut sim,
        11,
    );
    let out = result.unwrap();
    let hashed = trace.actions.iter().filter(|a| a.starts_with("hash"));
    assert_eq!(hashed.count(), 4, "one local read of what is kept");
    let mut sent = trace.parts_sent.clone();
    sent.sort_unstable();
    assert_eq!(sent, vec![2, 5, 6, 7, 8, 9, 10]);
    assert_eq!(out.resumed_bytes, 300);
    assert_eq!(out.crc64, crc64::crc64(&new));
    assert_eq!(sim.uploads.completed.as_deref(), Some(&new[..]));
}

/// The run that completed the upload died before it could say so: the next one finds no
/// upload, re-reads the file, finds the object made of the recorded parts, and reports
/// success without sending a byte. If the file or the object is not that, it starts over.
#[test]
fn an_upload_completed_before_a_crash_is_confirmed_not_sent_again() {
    let all: Vec<u32> = (1..=10).collect();
    for case in ["same", "file changed", "object replaced"] {
        let (data, identity) = source(1000);
        let mut sim = Sim::new(data.clone());
        sim.uploads.completed = Some(data.clone());
        let checkpoint = checkpoint_of(&data, &identity, "gone", &all);
        match case {
            "file changed" => sim.data[999] ^= 1,
            "object replaced" => sim.uploads.completed = Some(vec![7; 1000]),
            _ => {}
        }
        let (result, trace) = drive(
            &mut new_upload(&identity, Some(checkpoint), options()),
            &mut sim,
            13,
        );
        let out = result.unwrap();
        assert_eq!(
            sim.uploads.completed.as_deref(),
            Some(&sim.data[..]),
            "{case}"
        );
        if case == "same" {
            assert!(trace.parts_sent.is_empty(), "{:?}", trace.actions);
            assert_eq!((out.sent_bytes, out.resumed_bytes), (0, 1000));
            assert_eq!(trace.actions.first().map(String::as_str), Some("list"));
            assert_eq!(&trace.actions[11..], ["verify", "remove"]);
            let committed: Vec<u64> = trace
                .events
                .iter()
                .map(|e| e.progress().committed)
                .collect();
            assert_eq!(committed.last(), Some(&1000));
        } else {
            assert_eq!(trace.parts_sent.len(), 10, "{case}: started over");
            assert_eq!(out.resumed_bytes, 0);
        }
    }
}

/// The first completion's answer is lost and the client's own retry finds no upload:
/// the object decides, from the first answer the machine sees.
#[test]
fn a_completion_answered_no_such_upload_is_verified() {
    let (data, identity) = source(1000);
    let mut sim = Sim::new(data.clone());
    let mut machine = new_upload(&identity, None, options());
    let mut trace = Trace::default();
    let out = loop {
        let _ = machine.poll_event();
        match machine.poll_action() {
            Some(UploadAction::Done(r)) => break r.unwrap(),
            Some(UploadAction::Complete(op)) => {
                // COS assembles the object; the answer the driver gets is NoSuchUpload.
                let outcome = sim.perform(UploadAction::Complete(op), &mut trace);
                assert!(matches!(outcome, Some(UploadOutcome::Completed(Ok(_)))));
                machine.handle(UploadOutcome::Completed(Err(service_error(
                    404,
                    "NoSuchUpload",
                ))));
            }
            Some(action) => {
                if let Some(outcome) = sim.perform(action, &mut trace) {
                    machine.handle(outcome);
                }
            }
            None => unreachable!("actions are answered at once"),
        }
    };
    assert_eq!(out.crc64, crc64::crc64(&data));
    assert!(trace.actions.iter().any(|a| a == "verify"));
}

/// A source written to after its last byte was read is never completed as a mix of two
/// files: the multipart upload fails before its completion (the checkpoint stays, so
/// the next run sends the parts that changed), a single PUT is sent again.
#[test]
fn a_source_written_to_during_the_run_is_never_completed() {
    let (data, identity) = source(1000);
    let mut sim = Sim::new(data.clone());
    let mut touched = identity.clone();
    touched.changed_ns = Some(7);
    sim.identity_now = Some(touched.clone());
    let (result, trace) = drive(&mut new_upload(&identity, None, options()), &mut sim, 15);
    assert!(
        matches!(result, Err(TransferError::SourceChanged(_))),
        "{result:?}"
    );
    assert!(
        !trace
            .actions
            .iter()
            .any(|a| a == "complete" || a == "remove")
    );

    let (data, identity) = source(200);
    let mut sim = Sim::new(data.clone());
    let mut touched = identity.clone();
    touched.changed_ns = Some(7);
    sim.identity_now = Some(touched);
    let mut machine = new_upload(&identity, None, options());
    let mut trace = Trace::default();
    let mut checks = 0;
    let out = loop {
        let _ = machine.poll_event();
        match machine.poll_action() {
            Some(UploadAction::Done(r)) => break r.unwrap(),
            Some(UploadAction::Put { source, .. }) if checks == 1 => {
                // The second PUT reads the file as it is now.
                assert_eq!(source.changed_ns, Some(7));
                trace.actions.push("put again".into());
                sim.identity_now = Some(source.clone());
                let body = &sim.data[..];
                let answer = response(200, &[("ETag", etag_of(body)), crc_header(body)], "");
                let op = PutObject::new("k", Some(200));
                machine.handle(UploadOutcome::Put(
                    parse(&op, answer).map(|o| (o, crc64::crc64(body))),
                ));
            }
            Some(action) => {
                if matches!(action, UploadAction::CheckSource) {
                    checks += 1;
                }
                if let Some(outcome) = sim.perform(action, &mut trace) {
                    machine.handle(outcome);
                }
            }
            None => unreachable!("actions are answered at once"),
        }
    };
    assert_eq!(
        trace.actions,
        ["put", "check", "put again", "check", "remove"]
    );
    assert_eq!(out.crc64, crc64::crc64(&data));
}

/// An encrypted single PUT carries an envelope that records the file as it was read:
/// when the file changed meanwhile it is not sent again with other bytes under the same
/// key and IV; the run fails and the next one seals a new envelope.
#[test]
fn an_encrypted_put_of_a_changed_file_is_not_sent_again() {
    let (data, identity) = source(160);
    let mut sim = Sim::new(data);
    let mut touched = identity.clone();
    touched.changed_ns = Some(7);
    sim.identity_now = Some(touched);
    let options = options().part_size(112);
    let mut machine = new_upload(&identity, None, options).with_encryption(record("k"));
    let (result, trace) = drive(&mut machine, &mut sim, 17);
    assert!(
        matches!(result, Err(TransferError::SourceChanged(_))),
        "{result:?}"
    );
    assert_eq!(trace.actions, ["put", "check"]);
}

/// The HEAD that confirms a completion of an SSE-C object carries the object's key (COS
/// refuses a HEAD of such an object without it).
#[test]
fn the_confirming_head_of_an_sse_c_upload_carries_its_key() {
    let (data, identity) = source(300);
    let mut sim = Sim::new(data);
    let put = PutObject::new("k", None).server_side_encryption(
        cos_proto::headers::ServerSideEncryption::customer_key(&[9; 32]),
    );
    let mut machine = Upload::new("b-1250000000", put, identity, None, options());
    let mut trace = Trace::default();
    let head = loop {
        let _ = machine.poll_event();
        match machine.poll_action() {
            Some(UploadAction::Complete(_)) => machine.handle(UploadOutcome::Completed(Err(
                service_error(404, "NoSuchUpload"),
            ))),
            Some(UploadAction::VerifyCompleted(head)) => break head,
            Some(action) => {
                if let Some(outcome) = sim.perform(action, &mut trace) {
                    machine.handle(outcome);
                }
            }
            None => unreachable!("actions are answered at once"),
        }
    };
    let request = head.build_request(&config()).unwrap();
    assert!(
        request
            .headers()
            .contains_key("x-cos-server-side-encryption-customer-key")
    );
}
