//! The `cos-transfer` state machines ([`Upload`], [`Download`], [`struct@Copy`]) driven against
//! a simulated COS by a program that picks which action is answered next and how.
//!
//! A program is a header (see [`transfer_sequence`]) followed by steps. At each step the
//! driver first starts every action the machine offers (the crate's driving loop), then
//! reads a byte: most values answer one of the actions in flight (the next byte picks
//! which, so answers come in any order) with success or one of the faults of `Fault`;
//! one value instead reports an outcome for an action that is not in flight, which the
//! machine must ignore. Past the end of the program every answer is a success, so every
//! run ends.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use bytes::Bytes;
use cos_proto::crc64;
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{
    ByteRange, CopyObject, CopySource, GetObject, HeadObject, InitiateMultipartUpload, PutObject,
    UploadPart, UploadPartCopy,
};
use cos_proto::{Config, Operation};
use cos_transfer::{
    Copy, CopyAction, CopyOutcome, CopyOutput, Download, DownloadAction, DownloadCheckpoint,
    DownloadOutcome, DownloadOutput, ObjectIdentity, PartPlan, Progress, SourceIdentity,
    TransferError, TransferEvent, TransferOptions, Upload, UploadAction, UploadCheckpoint,
    UploadOutcome, UploadOutput,
};

use crate::input::{self, Reader};

const BUCKET: &str = "examplebucket-1250000000";
const KEY: &str = "k";
/// More steps than any program can need: every run ends well before (each part is tried
/// at most four times, and a step without a program byte is a success).
const MAX_STEPS: usize = 20_000;

/// How an action is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// COS (or the disk) does what was asked and the answer arrives.
    None,
    /// 503 before COS did anything.
    Unavailable,
    /// COS did it, but the answer was lost (a transport error).
    Lost,
    /// 403: a permanent refusal.
    Denied,
    /// A wrong answer: a wrong CRC-64 or ETag, a short or altered body, an arbitrary part
    /// listing.
    Corrupt,
    /// 404 `NoSuchUpload` / `NoSuchKey`.
    Gone,
    /// The object or source was replaced: 412 to requests pinned to its ETag.
    Changed,
}

impl Fault {
    /// The fault of a step byte; `None` for the byte that injects a stale outcome.
    fn of(byte: u8) -> Option<Self> {
        Some(match byte % 16 {
            0..=7 => Fault::None,
            8 => Fault::Unavailable,
            9 => Fault::Lost,
            10 => Fault::Denied,
            11 | 12 => Fault::Corrupt,
            13 => Fault::Gone,
            14 => Fault::Changed,
            _ => return None,
        })
    }
}

fn object_byte(seed: u8, i: u64) -> u8 {
    (i.wrapping_mul(31).wrapping_add(u64::from(seed) * 7 + 3) % 251) as u8
}

fn object(seed: u8, size: u64) -> Vec<u8> {
    (0..size).map(|i| object_byte(seed, i)).collect()
}

fn etag_of(data: &[u8]) -> String {
    format!("\"{:016x}\"", crc64::crc64(data))
}

fn same_etag(a: &str, b: &str) -> bool {
    a.trim_matches('"') == b.trim_matches('"')
}

/// Parses an answer with the operation's own parser, as a driver does.
fn respond<O: Operation>(
    op: &O,
    status: u16,
    headers: &[(&'static str, String)],
    body: &str,
) -> Result<O::Output, ClientError> {
    let mut response = http::Response::new(Bytes::from(body.to_owned()));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    for (name, value) in headers {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            response.headers_mut().append(*name, value);
        }
    }
    op.parse_response(&input::url(), response)
        .map_err(ClientError::Cos)
}

fn service_error(status: u16, code: &str) -> ClientError {
    let body =
        format!("<Error><Code>{code}</Code><Message>m</Message><RequestId>r</RequestId></Error>");
    match respond(&HeadObject::new(KEY), status, &[], &body) {
        Err(err) => err,
        Ok(_) => ClientError::Unsupported("an error answer parsed as a success"),
    }
}

fn transport() -> ClientError {
    ClientError::Io(io::Error::other("connection reset by peer"))
}

fn disk() -> ClientError {
    ClientError::File {
        path: "k.cosresume".into(),
        source: io::Error::other("no space left on device"),
    }
}

/// The error a failed request gets.
fn failure(fault: Fault) -> ClientError {
    match fault {
        Fault::Unavailable => service_error(503, "ServiceUnavailable"),
        Fault::Lost => transport(),
        Fault::Denied => service_error(403, "AccessDenied"),
        Fault::Gone => service_error(404, "NoSuchUpload"),
        Fault::Changed => service_error(412, "PreconditionFailed"),
        Fault::None | Fault::Corrupt => service_error(500, "InternalError"),
    }
}

fn crc_header(crc: u64) -> (&'static str, String) {
    ("x-cos-hash-crc64ecma", crc.to_string())
}

/// A built request's query parameter and headers.
struct Built {
    query: Vec<(String, String)>,
    headers: http::HeaderMap,
}

impl Built {
    fn of(op: &impl Operation, config: &Config) -> Self {
        let request = op
            .build_request(config)
            .expect("the machines build valid requests");
        let query = request
            .uri()
            .query()
            .unwrap_or_default()
            .split('&')
            .map(|p| {
                let (name, value) = p.split_once('=').unwrap_or((p, ""));
                (name.to_owned(), value.to_owned())
            })
            .collect();
        Self {
            query,
            headers: request.headers().clone(),
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What every machine promises about its events and progress.
#[derive(Debug)]
struct Watch {
    concurrency: usize,
    committed: u64,
    progress: u64,
    limit: Option<usize>,
    ended: bool,
}

impl Watch {
    fn new(concurrency: usize) -> Self {
        Self {
            concurrency,
            committed: 0,
            progress: 0,
            limit: None,
            ended: false,
        }
    }

    fn check(p: Progress) {
        assert!(
            p.committed
                .checked_add(p.in_flight)
                .is_some_and(|n| n <= p.total),
            "{p:?}"
        );
    }

    fn event(&mut self, event: &TransferEvent) {
        assert!(!self.ended, "an event after the last one: {event:?}");
        let p = event.progress();
        Self::check(p);
        assert!(
            p.committed >= self.committed,
            "committed bytes went back from {}: {event:?}",
            self.committed
        );
        self.committed = p.committed;
        match event {
            TransferEvent::Started { parts, .. } => {
                assert!(self.limit.is_none(), "started twice");
                self.limit = Some(match self.concurrency {
                    0 => (*parts as usize).clamp(1, 8),
                    n => n,
                });
            }
            TransferEvent::PartDone { bytes, .. } => assert!(*bytes > 0),
            TransferEvent::Finished { progress } => {
                assert_eq!(progress.committed, progress.total);
                self.ended = true;
            }
            TransferEvent::Failed { .. } => self.ended = true,
            _ => {}
        }
    }

    fn progress(&mut self, p: Progress) {
        Self::check(p);
        assert!(
            p.committed >= self.progress,
            "progress() went back from {} to {p:?}",
            self.progress
        );
        self.progress = p.committed;
    }
}

/// A simulated COS (and local disk) for one machine.
trait Sim {
    type Machine;
    type Action;
    type Outcome;
    type Output;

    fn poll_action(m: &mut Self::Machine) -> Option<Self::Action>;
    fn poll_event(m: &mut Self::Machine) -> Option<TransferEvent>;
    fn handle(m: &mut Self::Machine, outcome: Self::Outcome);
    fn progress(m: &Self::Machine) -> Progress;
    /// The part number of a part request (the requests the concurrency limit counts).
    fn part(action: &Self::Action) -> Option<u32>;
    /// Checks an action when the machine asks for it; `Err` with the result for `Done`.
    fn issued(
        &mut self,
        action: Self::Action,
        pending: &[Self::Action],
    ) -> Result<Self::Action, Result<Self::Output, TransferError>>;
    /// Performs the action (or not) and builds its outcome.
    fn answer(&mut self, action: Self::Action, fault: Fault, r: &mut Reader<'_>) -> Self::Outcome;
    /// An outcome for an action that is not in flight (the machine must ignore it).
    fn stale(&mut self, pending: &[Self::Action], r: &mut Reader<'_>) -> Option<Self::Outcome>;
}

enum End<T> {
    Done(Result<T, TransferError>),
    Crashed,
}

/// Runs `machine` until it is done, or until step `crash_at`, where the driver stops
/// (each action in flight was carried out or not, as the program says).
fn drive<S: Sim>(
    sim: &mut S,
    machine: &mut S::Machine,
    concurrency: usize,
    crash_at: Option<usize>,
    r: &mut Reader<'_>,
) -> End<S::Output> {
    let mut pending: Vec<S::Action> = Vec::new();
    let mut watch = Watch::new(concurrency);
    for step in 0..MAX_STEPS {
        loop {
            while let Some(event) = S::poll_event(machine) {
                watch.event(&event);
            }
            let Some(action) = S::poll_action(machine) else {
                break;
            };
            match sim.issued(action, &pending) {
                Ok(action) => {
                    if let Some(number) = S::part(&action) {
                        let limit = watch
                            .limit
                            .unwrap_or_else(|| panic!("part {number} before Started"));
                        let parts = 1 + pending.iter().filter(|a| S::part(a).is_some()).count();
                        assert!(
                            parts <= limit,
                            "{parts} part requests at once, limit {limit}"
                        );
                        assert!(
                            !pending.iter().any(|a| S::part(a) == Some(number)),
                            "part {number} twice at once"
                        );
                    }
                    pending.push(action);
                }
                Err(result) => {
                    while let Some(event) = S::poll_event(machine) {
                        watch.event(&event);
                    }
                    assert!(watch.ended, "done without a last event");
                    if result.is_ok() {
                        assert_eq!(watch.committed, S::progress(machine).total);
                    }
                    assert!(S::poll_action(machine).is_none(), "an action after Done");
                    return End::Done(result);
                }
            }
        }
        watch.progress(S::progress(machine));
        if crash_at == Some(step) {
            for action in pending {
                if r.u8() % 2 == 1 {
                    let _ = sim.answer(action, Fault::None, r);
                }
            }
            return End::Crashed;
        }
        assert!(
            !pending.is_empty(),
            "deadlock: no action, nothing in flight, not done"
        );
        let byte = r.u8();
        match Fault::of(byte) {
            Some(fault) => {
                let action = pending.remove(usize::from(r.u8()) % pending.len());
                let outcome = sim.answer(action, fault, r);
                S::handle(machine, outcome);
            }
            None => {
                if let Some(outcome) = sim.stale(&pending, r) {
                    S::handle(machine, outcome);
                }
            }
        }
    }
    panic!("no end after {MAX_STEPS} steps");
}

/// The shape of a run, from the program's header.
#[derive(Debug, Clone, Copy)]
struct Shape {
    part_size: u64,
    size: u64,
    concurrency: usize,
    attempts: u32,
    threshold: u64,
    resume: bool,
    crc_known: bool,
    crash_at: Option<usize>,
}

impl Shape {
    fn read(r: &mut Reader<'_>) -> Self {
        let part_size = u64::from(r.u8() % 48) + 1;
        let size = u64::from(r.u16()) % (16 * part_size + 1);
        let concurrency = usize::from(r.u8() % 5);
        let attempts = u32::from(r.u8() % 4) + 1;
        let threshold = match r.u8() % 4 {
            0 => 0,
            1 => size,
            2 => size + 1,
            _ => u64::MAX,
        };
        let flags = r.u8();
        let crash = r.u8();
        Self {
            part_size,
            size,
            concurrency,
            attempts,
            threshold,
            resume: flags & 1 == 1,
            crc_known: flags & 2 == 0,
            crash_at: (flags & 1 == 1 && crash != u8::MAX).then_some(usize::from(crash)),
        }
    }

    fn options(&self) -> TransferOptions {
        TransferOptions::default()
            .part_size(self.part_size)
            .concurrency(self.concurrency)
            .part_attempts(self.attempts)
            .multipart_threshold(self.threshold)
            .copy_threshold(self.threshold)
    }
}

/// A transfer program: `[kind][part size][object size u16][concurrency][part attempts]
/// [threshold][flags][crash step]`, steps, and — when flags bit 0 asks for a resume —
/// `[checkpoint pick][mutation]...` and the second run's steps. Kind 0 uploads, 1
/// downloads, 2 copies, 3 moves (objects up to 16 parts of 1–48 bytes; the threshold is
/// 0, the size, one more or none; flags bit 1 hides the object's CRC-64). With a resume,
/// the first run stops at the crash step (255: at its end), and the second starts from
/// the checkpoint file or any checkpoint the first wrote, possibly altered, against the
/// same simulated COS and temp file.
///
/// Nothing panics, and every run ends: `poll_action` gives `None` only while something
/// is in flight, and `Done` within a bounded number of steps. Part requests stay inside
/// the object and its plan, pinned to its ETag, at most `concurrency` at once, never the
/// same part twice at once; committed bytes never go back, in events or `progress()`.
/// A checkpoint is written only with parts COS acknowledged (or an earlier checkpoint
/// named and the listing confirmed, or the kept temp file holds), parses back, and names
/// the upload id or object version in use. A multipart completion lists exactly the
/// plan's parts with the ETags COS gave. A success has the object's size and CRC-64, its
/// data (COS's copy, the renamed temp file) is the source's unless the starting
/// checkpoint lied about its parts, and a move deletes the source only after the
/// destination matched. A run without faults (nor lies) succeeds.
pub fn transfer_sequence(data: &[u8]) {
    let mut r = Reader::new(data);
    let kind = r.u8() % 4;
    let shape = Shape::read(&mut r);
    let Some(config) = input::config() else {
        return;
    };
    match kind {
        0 => upload(shape, &config, &mut r),
        1 => download(shape, &config, &mut r),
        _ => copy(shape, &config, kind == 3, &mut r),
    }
}

/// Which checkpoint a resumed run starts from: `None`, the file, or one written earlier.
fn pick<T: Clone>(file: &Option<T>, saved: &[T], r: &mut Reader<'_>) -> Option<T> {
    let byte = r.u8();
    match byte % 4 {
        0 => None,
        1 => file.clone(),
        _ if saved.is_empty() => file.clone(),
        _ => Some(saved[usize::from(byte / 4) % saved.len()].clone()),
    }
}

// ---------------------------------------------------------------------------------------
// Upload

#[derive(Debug, Default)]
struct UploadSim {
    source: Vec<u8>,
    identity: Option<SourceIdentity>,
    config: Option<Config>,
    part_size: u64,
    /// Multipart uploads COS holds: id → part number → (ETag, offset, length) of the
    /// source bytes the part holds.
    uploads: BTreeMap<String, BTreeMap<u32, (String, u64, u64)>>,
    next_id: u32,
    /// The object, once stored: (size, CRC-64).
    completed: Option<(u64, u64)>,
    file: Option<UploadCheckpoint>,
    saved: Vec<UploadCheckpoint>,
    // What the running machine was told.
    initial: Option<UploadCheckpoint>,
    known_ids: BTreeSet<String>,
    acked: BTreeMap<(String, u32), (String, u64)>,
    listed: BTreeMap<u32, (String, u64)>,
    plan: Option<PartPlan>,
    /// The starting checkpoint says something untrue of its parts.
    mutated: bool,
    /// The last checkpoint the machine wrote.
    emitted: Option<UploadCheckpoint>,
    faults: bool,
}

impl UploadSim {
    fn config(&self) -> &Config {
        self.config.as_ref().expect("set before the run")
    }

    fn size(&self) -> u64 {
        self.source.len() as u64
    }

    /// The (ETag, CRC-64) the machine may record for part `number` of upload `id`: one
    /// COS acknowledged, or one the starting checkpoint named and the listing confirmed.
    fn allowed(&self, id: &str, number: u32) -> Vec<(String, u64)> {
        let mut allowed: Vec<(String, u64)> = self
            .acked
            .get(&(id.to_owned(), number))
            .cloned()
            .into_iter()
            .collect();
        if let (Some(cp), Some(plan)) = (&self.initial, self.plan)
            && cp.upload_id == id
            && plan.part_size() == cp.part_size
            && let Some(part) = cp.parts.iter().rev().find(|p| p.number == number)
            && let Some((etag, size)) = self.listed.get(&number)
            && same_etag(etag, &part.etag)
            && number >= 1
            && *size == plan.span(number - 1).1
        {
            allowed.push((part.etag.clone(), part.crc64));
        }
        allowed
    }

    fn check_checkpoint(&mut self, cp: &UploadCheckpoint) {
        self.emitted = Some(cp.clone());
        assert_eq!((cp.bucket.as_str(), cp.key.as_str()), (BUCKET, KEY));
        assert_eq!(Some(&cp.source), self.identity.as_ref());
        assert!(
            self.known_ids.contains(&cp.upload_id),
            "checkpoint of upload {:?}, which the machine was never given",
            cp.upload_id
        );
        let plan = self.plan.expect("a checkpoint before any plan");
        assert_eq!(cp.part_size, plan.part_size());
        for part in &cp.parts {
            let allowed = self.allowed(&cp.upload_id, part.number);
            assert!(
                allowed.contains(&(part.etag.clone(), part.crc64)),
                "checkpoint names part {part:?}, which was not acknowledged ({allowed:?})"
            );
        }
    }

    fn span_crc(&self, offset: u64, len: u64) -> u64 {
        crc64::crc64(&self.source[offset as usize..(offset + len) as usize])
    }
}

impl Sim for UploadSim {
    type Machine = Upload;
    type Action = UploadAction;
    type Outcome = UploadOutcome;
    type Output = UploadOutput;

    fn poll_action(m: &mut Upload) -> Option<UploadAction> {
        m.poll_action()
    }

    fn poll_event(m: &mut Upload) -> Option<TransferEvent> {
        m.poll_event()
    }

    fn handle(m: &mut Upload, outcome: UploadOutcome) {
        m.handle(outcome);
    }

    fn progress(m: &Upload) -> Progress {
        m.progress()
    }

    fn part(action: &UploadAction) -> Option<u32> {
        match action {
            UploadAction::UploadPart { op, .. } => Some(op.part_number()),
            _ => None,
        }
    }

    fn issued(
        &mut self,
        action: UploadAction,
        _pending: &[UploadAction],
    ) -> Result<UploadAction, Result<UploadOutput, TransferError>> {
        let size = self.size();
        match &action {
            UploadAction::Put { op, len, .. } => {
                assert_eq!(*len, size);
                assert_eq!(op.content_length(), Some(size));
            }
            UploadAction::HashPart {
                part_number,
                offset,
                len,
                source,
            } => {
                let plan = self.plan.expect("reading back a part without a plan");
                assert!((1..=plan.count()).contains(part_number));
                assert_eq!(plan.span(part_number - 1), (*offset, *len));
                assert_eq!(Some(source), self.identity.as_ref());
                let cp = self
                    .initial
                    .as_ref()
                    .expect("reading back without a checkpoint");
                assert!(
                    cp.parts.iter().any(|p| p.number == *part_number),
                    "reading back part {part_number}, which the checkpoint does not name"
                );
            }
            UploadAction::CheckSource => {}
            UploadAction::ListParts(op) => {
                let cp = self
                    .initial
                    .as_ref()
                    .expect("a listing without a checkpoint");
                assert_eq!(op.upload_id(), cp.upload_id);
                self.plan = PartPlan::exact(size, cp.part_size);
                assert!(self.plan.is_some(), "resuming an impossible plan");
            }
            UploadAction::Initiate(_) => {
                self.plan = PartPlan::new(size, self.part_size).ok();
            }
            UploadAction::UploadPart {
                op, offset, len, ..
            } => {
                let plan = self.plan.expect("a part without a plan");
                let number = op.part_number();
                assert!((1..=plan.count()).contains(&number), "part {number}");
                assert_eq!(plan.span(number - 1), (*offset, *len), "part {number}");
                assert!(*len > 0 && offset + len <= size);
                assert_eq!(op.content_length(), Some(*len));
                // Its upload id is checked when it is answered (building it is slow).
            }
            UploadAction::SaveCheckpoint(cp) => self.check_checkpoint(cp),
            UploadAction::Complete(op) => {
                let plan = self.plan.expect("completing without a plan");
                let built = Built::of(op, self.config());
                let id = built.param("uploadId").unwrap_or_default().to_owned();
                let numbers: Vec<u32> = op.part_list().iter().map(|(n, _)| *n).collect();
                assert_eq!(numbers, (1..=plan.count()).collect::<Vec<_>>());
                for (number, etag) in op.part_list() {
                    assert!(
                        self.allowed(&id, *number).iter().any(|(e, _)| e == etag),
                        "completing with part {number} {etag}, which COS did not give"
                    );
                }
            }
            UploadAction::RemoveCheckpoint => {
                assert!(
                    self.completed.is_some(),
                    "the checkpoint goes before the object is there"
                );
            }
            UploadAction::AbortStale(_) | UploadAction::VerifyCompleted(_) => {}
            UploadAction::Done(_) => {
                let UploadAction::Done(result) = action else {
                    unreachable!()
                };
                // A success is the source's data (as it is now): the parts a checkpoint
                // claims are read back before they count, so not even one that lies about
                // them, or a source rewritten between the runs, can make other data pass.
                if let Ok(out) = &result {
                    let crc = crc64::crc64(&self.source);
                    assert_eq!((out.size, out.crc64), (size, crc));
                    assert_eq!(self.completed, Some((size, crc)), "COS has other data");
                    if out.parts > 0 {
                        assert_eq!(Some(out.parts), self.plan.map(|p| p.count()));
                    }
                }
                return Err(result);
            }
            _ => panic!("an action this target does not know: {action:?}"),
        }
        Ok(action)
    }

    fn answer(&mut self, action: UploadAction, fault: Fault, r: &mut Reader<'_>) -> UploadOutcome {
        if fault != Fault::None {
            self.faults = true;
        }
        let acts = matches!(fault, Fault::None | Fault::Lost | Fault::Corrupt);
        let size = self.size();
        match action {
            UploadAction::Put { op, .. } => {
                let crc = crc64::crc64(&self.source);
                if acts {
                    self.completed = Some((size, crc));
                }
                let result = match fault {
                    Fault::None | Fault::Corrupt => {
                        let told = if fault == Fault::Corrupt {
                            crc ^ 1
                        } else {
                            crc
                        };
                        respond(
                            &op,
                            200,
                            &[("etag", etag_of(&self.source)), crc_header(told)],
                            "",
                        )
                        .map(|out| (out, crc))
                    }
                    _ => Err(failure(fault)),
                };
                UploadOutcome::Put(result)
            }
            UploadAction::AbortStale(op) => {
                let _ = op;
                if acts && let Some(cp) = &self.initial {
                    self.uploads.remove(&cp.upload_id);
                }
                UploadOutcome::Aborted(if fault == Fault::None {
                    Ok(())
                } else {
                    Err(failure(fault))
                })
            }
            UploadAction::ListParts(op) => {
                let built = Built::of(&op, self.config());
                let marker: u32 = built
                    .param("part-number-marker")
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(0);
                let id = op.upload_id().to_owned();
                let count = self.plan.map_or(0, |p| p.count());
                let (parts, truncated, next): (Vec<(u32, String, u64)>, bool, Option<u32>) =
                    match (fault, self.uploads.get(&id)) {
                        (Fault::None | Fault::Lost, Some(stored)) => {
                            let max = usize::from(r.u8() % 4) + 1;
                            let page: Vec<_> = stored
                                .range(marker + 1..)
                                .take(max)
                                .map(|(n, (e, _, len))| (*n, e.clone(), *len))
                                .collect();
                            let truncated = stored.range(marker + 1..).count() > max;
                            let next = page.last().map(|p| p.0);
                            (page, truncated, next)
                        }
                        (Fault::Corrupt, stored) => {
                            // An arbitrary listing.
                            let mut page = Vec::new();
                            for _ in 0..r.u8() % 4 {
                                let number = u32::from(r.u8()) % (count + 2);
                                let etag = match r.u8() % 3 {
                                    0 => stored
                                        .and_then(|s| s.get(&number))
                                        .map_or_else(String::new, |p| p.0.clone()),
                                    1 => self
                                        .initial
                                        .as_ref()
                                        .and_then(|c| c.parts.iter().find(|p| p.number == number))
                                        .map_or_else(String::new, |p| p.etag.clone()),
                                    _ => format!("\"e{}\"", r.u8()),
                                };
                                let size = match r.u8() % 2 {
                                    0 => self.plan.map_or(0, |p| p.span(number.max(1) - 1).1),
                                    _ => u64::from(r.u8()),
                                };
                                page.push((number, etag, size));
                            }
                            let truncated = r.u8() % 2 == 1;
                            let next = Some(u32::from(r.u8()));
                            (page, truncated, next)
                        }
                        _ => (Vec::new(), false, None),
                    };
                let result = match (fault, self.uploads.contains_key(&id)) {
                    (Fault::None | Fault::Corrupt, true) | (Fault::Corrupt, false) => {
                        let mut xml = format!(
                            "<ListPartsResult><Bucket>{BUCKET}</Bucket><Key>{KEY}</Key>\
                             <UploadId>{id}</UploadId><PartNumberMarker>{marker}</PartNumberMarker>"
                        );
                        if let Some(next) = next {
                            xml.push_str(&format!(
                                "<NextPartNumberMarker>{next}</NextPartNumberMarker>"
                            ));
                        }
                        xml.push_str(&format!("<IsTruncated>{truncated}</IsTruncated>"));
                        for (number, etag, size) in &parts {
                            xml.push_str(&format!(
                                "<Part><PartNumber>{number}</PartNumber>\
                                 <LastModified>2024-01-01T00:00:00.000Z</LastModified>\
                                 <ETag>{etag}</ETag><Size>{size}</Size></Part>"
                            ));
                        }
                        xml.push_str("</ListPartsResult>");
                        let result = respond(&op, 200, &[], &xml);
                        if let Ok(page) = &result {
                            for part in &page.parts {
                                self.listed
                                    .insert(part.part_number, (part.etag.clone(), part.size));
                            }
                        }
                        result
                    }
                    (Fault::None, false) => Err(service_error(404, "NoSuchUpload")),
                    _ => Err(failure(fault)),
                };
                UploadOutcome::PartsListed(result)
            }
            UploadAction::Initiate(op) => {
                let result = if acts {
                    self.next_id += 1;
                    let id = format!("upload-{}", self.next_id);
                    self.uploads.insert(id.clone(), BTreeMap::new());
                    if fault == Fault::Lost {
                        Err(transport())
                    } else {
                        let xml = format!(
                            "<InitiateMultipartUploadResult><Bucket>{BUCKET}</Bucket><Key>{KEY}</Key>\
                             <UploadId>{id}</UploadId></InitiateMultipartUploadResult>"
                        );
                        let result = respond(&op, 200, &[], &xml);
                        if result.is_ok() {
                            self.known_ids.insert(id);
                        }
                        result
                    }
                } else {
                    Err(failure(fault))
                };
                UploadOutcome::Initiated(result)
            }
            UploadAction::HashPart {
                part_number,
                offset,
                len,
                ..
            } => {
                let crc = self.span_crc(offset, len);
                UploadOutcome::PartHashed {
                    part_number,
                    result: match fault {
                        Fault::None | Fault::Lost => Ok(crc),
                        Fault::Corrupt => Ok(crc ^ 1),
                        _ => Err(disk()),
                    },
                }
            }
            UploadAction::CheckSource => {
                let mut identity = self.identity.clone().expect("set before the run");
                UploadOutcome::SourceChecked(match fault {
                    Fault::None | Fault::Lost => Ok(identity),
                    Fault::Corrupt => {
                        // Written to meanwhile (the change time moved).
                        identity.changed_ns = Some(u64::from(r.u8()));
                        Ok(identity)
                    }
                    _ => Err(disk()),
                })
            }
            UploadAction::UploadPart {
                op, offset, len, ..
            } => {
                let number = op.part_number();
                let id = Built::of(&op, self.config())
                    .param("uploadId")
                    .unwrap_or_default()
                    .to_owned();
                assert!(self.known_ids.contains(&id), "a part of upload {id:?}");
                let crc = self.span_crc(offset, len);
                let etag = etag_of(&self.source[offset as usize..(offset + len) as usize]);
                let result = match self.uploads.get_mut(&id) {
                    None if acts => Err(service_error(404, "NoSuchUpload")),
                    Some(stored) if acts => {
                        stored.insert(number, (etag.clone(), offset, len));
                        match fault {
                            Fault::Lost => Err(transport()),
                            Fault::Corrupt if r.u8().is_multiple_of(2) => {
                                // A wrong CRC-64: refused.
                                respond(
                                    &op,
                                    200,
                                    &[("etag", etag.clone()), crc_header(crc ^ 1)],
                                    "",
                                )
                                .map(|out| (out, crc))
                            }
                            Fault::Corrupt => {
                                // A wrong ETag: taken, and the completion fails.
                                let wrong = format!("\"{:016x}\"", crc ^ 1);
                                let result = respond(&op, 200, &[("etag", wrong.clone())], "")
                                    .map(|out| (out, crc));
                                if result.is_ok() {
                                    self.acked.insert((id.clone(), number), (wrong, crc));
                                }
                                result
                            }
                            _ => {
                                let result = respond(
                                    &op,
                                    200,
                                    &[("etag", etag.clone()), crc_header(crc)],
                                    "",
                                )
                                .map(|out| (out, crc));
                                if result.is_ok() {
                                    self.acked.insert((id.clone(), number), (etag, crc));
                                }
                                result
                            }
                        }
                    }
                    _ => Err(failure(fault)),
                };
                UploadOutcome::PartUploaded {
                    part_number: number,
                    result,
                }
            }
            UploadAction::SaveCheckpoint(cp) => {
                if acts {
                    self.file = Some(cp.clone());
                    self.saved.push(cp);
                }
                UploadOutcome::CheckpointSaved(if fault == Fault::None {
                    Ok(())
                } else {
                    Err(disk())
                })
            }
            UploadAction::Complete(op) => {
                let id = Built::of(&op, self.config())
                    .param("uploadId")
                    .unwrap_or_default()
                    .to_owned();
                let result = match self.uploads.get(&id) {
                    _ if !acts => Err(failure(fault)),
                    None => Err(service_error(404, "NoSuchUpload")),
                    Some(stored) => {
                        // The object COS assembles (CRC-64 of the bytes, not combined:
                        // combining is slow under coverage instrumentation).
                        let mut object = Vec::new();
                        let mut valid = !op.part_list().is_empty();
                        for (number, etag) in op.part_list() {
                            match stored.get(number) {
                                Some((e, offset, len)) if same_etag(e, etag) => object
                                    .extend_from_slice(
                                        &self.source[*offset as usize..(offset + len) as usize],
                                    ),
                                _ => valid = false,
                            }
                        }
                        let (total, crc) = (object.len() as u64, crc64::crc64(&object));
                        if valid {
                            self.uploads.remove(&id);
                            self.completed = Some((total, crc));
                            let told = if fault == Fault::Corrupt {
                                crc ^ 1
                            } else {
                                crc
                            };
                            if fault == Fault::Lost {
                                Err(transport())
                            } else {
                                let xml = format!(
                                    "<CompleteMultipartUploadResult><Location>l</Location>\
                                     <Bucket>{BUCKET}</Bucket><Key>{KEY}</Key>\
                                     <ETag>\"e-{}\"</ETag></CompleteMultipartUploadResult>",
                                    op.part_list().len()
                                );
                                respond(&op, 200, &[crc_header(told)], &xml)
                            }
                        } else {
                            Err(service_error(400, "InvalidPart"))
                        }
                    }
                };
                UploadOutcome::Completed(result)
            }
            UploadAction::VerifyCompleted(op) => {
                let result = match (fault, self.completed) {
                    (Fault::None | Fault::Corrupt, Some((size, crc))) => {
                        let told = if fault == Fault::Corrupt {
                            crc ^ 1
                        } else {
                            crc
                        };
                        respond(
                            &op,
                            200,
                            &[
                                ("content-length", size.to_string()),
                                ("etag", "\"e-1\"".into()),
                                crc_header(told),
                            ],
                            "",
                        )
                    }
                    (Fault::None, None) => Err(service_error(404, "NoSuchKey")),
                    _ => Err(failure(fault)),
                };
                UploadOutcome::Verified(result)
            }
            UploadAction::RemoveCheckpoint => {
                if acts {
                    self.file = None;
                }
                UploadOutcome::CheckpointRemoved(if fault == Fault::None {
                    Ok(())
                } else {
                    Err(disk())
                })
            }
            other => panic!("answering {other:?}"),
        }
    }

    fn stale(&mut self, pending: &[UploadAction], r: &mut Reader<'_>) -> Option<UploadOutcome> {
        let any = |f: fn(&UploadAction) -> bool| pending.iter().any(f);
        Some(match r.u8() % 11 {
            9 => {
                let number = u32::from(r.u8());
                let hashing = |a: &UploadAction| matches!(a, UploadAction::HashPart { part_number, .. } if *part_number == number);
                if pending.iter().any(hashing) {
                    return None;
                }
                UploadOutcome::PartHashed {
                    part_number: number,
                    result: Ok(0),
                }
            }
            10 if !any(|a| matches!(a, UploadAction::CheckSource)) => {
                UploadOutcome::SourceChecked(Ok(SourceIdentity::of_size(0)))
            }
            0 => {
                let number = u32::from(r.u8());
                if pending.iter().any(|a| Self::part(a) == Some(number)) {
                    return None;
                }
                let op = UploadPart::new(KEY, "upload-1", number.max(1), Some(1));
                let result =
                    respond(&op, 200, &[("etag", "\"stale\"".into())], "").map(|out| (out, 0));
                UploadOutcome::PartUploaded {
                    part_number: number,
                    result,
                }
            }
            1 if !any(|a| matches!(a, UploadAction::SaveCheckpoint(_))) => {
                UploadOutcome::CheckpointSaved(Ok(()))
            }
            2 if !any(|a| matches!(a, UploadAction::RemoveCheckpoint)) => {
                UploadOutcome::CheckpointRemoved(Ok(()))
            }
            3 if !any(|a| matches!(a, UploadAction::AbortStale(_))) => {
                UploadOutcome::Aborted(Ok(()))
            }
            4 if !any(|a| matches!(a, UploadAction::Initiate(_))) => {
                let xml = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>\
                           <UploadId>stale</UploadId></InitiateMultipartUploadResult>";
                UploadOutcome::Initiated(respond(&InitiateMultipartUpload::new(KEY), 200, &[], xml))
            }
            5 if !any(|a| matches!(a, UploadAction::Put { .. })) => {
                UploadOutcome::Put(Err(transport()))
            }
            6 if !any(|a| matches!(a, UploadAction::ListParts(_))) => {
                UploadOutcome::PartsListed(Err(service_error(404, "NoSuchUpload")))
            }
            7 if !any(|a| matches!(a, UploadAction::Complete(_))) => {
                UploadOutcome::Completed(Err(service_error(404, "NoSuchUpload")))
            }
            8 if !any(|a| matches!(a, UploadAction::VerifyCompleted(_))) => {
                UploadOutcome::Verified(Err(transport()))
            }
            _ => return None,
        })
    }
}

/// Alters a checkpoint for a resumed run. `true` if it now says something untrue of
/// the parts (their size, numbers, CRC-64 or ETags): the machine trusts those, and can
/// then complete an object of other bytes with matching checksums. The other changes
/// (a part dropped or named twice, another upload id or source) must not keep a resumed
/// upload from succeeding.
fn mutate_upload(cp: &mut UploadCheckpoint, r: &mut Reader<'_>) -> bool {
    let len = cp.parts.len().max(1);
    match r.u8() % 10 {
        0 => cp.part_size = u64::from(r.u8()),
        1 if !cp.parts.is_empty() => {
            cp.parts.remove(usize::from(r.u8()) % len);
            return false;
        }
        2 if !cp.parts.is_empty() => {
            let part = cp.parts[usize::from(r.u8()) % len].clone();
            cp.parts.push(part);
            return false;
        }
        3 if !cp.parts.is_empty() => cp.parts[usize::from(r.u8()) % len].number = r.u32(),
        4 if !cp.parts.is_empty() => cp.parts[usize::from(r.u8()) % len].crc64 ^= 1,
        5 if !cp.parts.is_empty() => cp.parts[usize::from(r.u8()) % len].etag = "\"x\"".into(),
        6 => {
            cp.source.modified_ns = Some(7);
            return false;
        }
        7 => {
            cp.upload_id = format!("upload-{}", r.u8());
            return false;
        }
        _ => return false,
    }
    true
}

fn upload(shape: Shape, config: &Config, r: &mut Reader<'_>) {
    let identity = SourceIdentity {
        size: shape.size,
        modified_ns: Some(42),
        changed_ns: None,
        inode: None,
    };
    let mut sim = UploadSim {
        source: object(1, shape.size),
        identity: Some(identity.clone()),
        config: Some(config.clone()),
        part_size: shape.part_size,
        ..UploadSim::default()
    };
    let mut checkpoint = None;
    let mut mutated = false;
    for phase in 0..2 {
        sim.initial = checkpoint.clone();
        sim.known_ids = checkpoint
            .iter()
            .map(|cp: &UploadCheckpoint| cp.upload_id.clone())
            .collect();
        sim.acked.clear();
        sim.listed.clear();
        sim.plan = None;
        sim.mutated = mutated;
        sim.faults = mutated;
        let mut machine = Upload::new(
            BUCKET,
            PutObject::new(KEY, None),
            identity.clone(),
            checkpoint.take(),
            shape.options(),
        );
        let crash = if phase == 0 { shape.crash_at } else { None };
        match drive(&mut sim, &mut machine, shape.concurrency, crash, r) {
            End::Done(result) => assert!(
                result.is_ok() || sim.faults,
                "an upload without faults failed: {result:?}"
            ),
            End::Crashed => {}
        }
        // The machine's checkpoints parse back (checked on the last one of each run:
        // parsing is slow under instrumentation, and they all have the same shape).
        if let Some(cp) = sim.emitted.take() {
            let parsed = UploadCheckpoint::from_json(&cp.to_json());
            assert_eq!(parsed, Ok(cp), "a checkpoint that does not parse back");
        }
        if !shape.resume || phase == 1 {
            return;
        }
        checkpoint = pick(&sim.file, &sim.saved, r);
        if let Some(cp) = &mut checkpoint {
            mutated = mutate_upload(cp, r);
        }
        // The source is rewritten between the runs, keeping its size and times (`cp -p`).
        if !sim.source.is_empty() && r.u8().is_multiple_of(4) {
            let at = usize::from(r.u8()) % sim.source.len();
            sim.source[at] ^= 0x40;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Download

#[derive(Debug, Default)]
struct DownloadSim {
    data: Vec<u8>,
    etag: String,
    crc_known: bool,
    config: Option<Config>,
    part_size: u64,
    temp: Option<Vec<u8>>,
    /// The temp file may hold bytes other than the object's (an altered body was taken).
    tainted: bool,
    file: Option<DownloadCheckpoint>,
    saved: Vec<DownloadCheckpoint>,
    // What the running machine was told.
    initial: Option<DownloadCheckpoint>,
    told: Option<ObjectIdentity>,
    kept: bool,
    acked: BTreeMap<u32, u64>,
    plan: Option<PartPlan>,
    finalized: bool,
    /// The starting checkpoint says something untrue of its ranges: it may name ranges
    /// the temp file lacks.
    mutated: bool,
    /// The last checkpoint the machine wrote.
    emitted: Option<DownloadCheckpoint>,
    faults: bool,
}

impl DownloadSim {
    fn config(&self) -> &Config {
        self.config.as_ref().expect("set before the run")
    }

    fn identity(&self) -> ObjectIdentity {
        ObjectIdentity {
            size: self.data.len() as u64,
            etag: self.etag.clone(),
            crc64: self.crc_known.then(|| crc64::crc64(&self.data)),
            version_id: None,
        }
    }

    /// The ranges of the starting checkpoint the machine may keep (when it was for this
    /// object and the temp file was kept): number → CRC-64, the last one named.
    fn resumed(&self) -> BTreeMap<u32, u64> {
        match (&self.initial, &self.told) {
            (Some(cp), Some(told))
                if self.kept
                    && cp.bucket == BUCKET
                    && cp.key == KEY
                    && &cp.object == told
                    && PartPlan::exact(told.size, cp.part_size).is_some() =>
            {
                cp.ranges.iter().map(|r| (r.number, r.crc64)).collect()
            }
            _ => BTreeMap::new(),
        }
    }

    fn temp_crc(&self, plan: &PartPlan, number: u32) -> Option<u64> {
        let (offset, len) = plan.span(number - 1);
        let temp = self.temp.as_ref()?;
        temp.get(offset as usize..(offset + len) as usize)
            .map(crc64::crc64)
    }
}

impl Sim for DownloadSim {
    type Machine = Download;
    type Action = DownloadAction;
    type Outcome = DownloadOutcome;
    type Output = DownloadOutput;

    fn poll_action(m: &mut Download) -> Option<DownloadAction> {
        m.poll_action()
    }

    fn poll_event(m: &mut Download) -> Option<TransferEvent> {
        m.poll_event()
    }

    fn handle(m: &mut Download, outcome: DownloadOutcome) {
        m.handle(outcome);
    }

    fn progress(m: &Download) -> Progress {
        m.progress()
    }

    fn part(action: &DownloadAction) -> Option<u32> {
        match action {
            DownloadAction::GetRange { part_number, .. } => Some(*part_number),
            _ => None,
        }
    }

    fn issued(
        &mut self,
        action: DownloadAction,
        _pending: &[DownloadAction],
    ) -> Result<DownloadAction, Result<DownloadOutput, TransferError>> {
        match &action {
            DownloadAction::Head(_) | DownloadAction::Discard => {}
            DownloadAction::OpenTemp { len, .. } => {
                let told = self.told.as_ref().expect("a temp file before the HEAD");
                assert_eq!(*len, told.size);
                let plan = match &self.initial {
                    Some(cp) if cp.bucket == BUCKET && cp.key == KEY && &cp.object == told => {
                        PartPlan::exact(told.size, cp.part_size)
                    }
                    _ => None,
                };
                self.plan = plan.or_else(|| PartPlan::new(told.size, self.part_size).ok());
            }
            DownloadAction::CheckRange {
                part_number,
                offset,
                len,
            } => {
                assert!(
                    self.kept,
                    "checking a range of a temp file that was not kept"
                );
                let plan = self.plan.expect("a check without a plan");
                assert!((1..=plan.count()).contains(part_number));
                assert_eq!(plan.span(part_number - 1), (*offset, *len));
                assert!(
                    self.resumed().contains_key(part_number),
                    "checking range {part_number}, which the checkpoint does not name"
                );
            }
            DownloadAction::GetRange {
                op,
                part_number,
                offset,
                len,
            } => {
                let told = self.told.as_ref().expect("a range before the HEAD");
                let plan = self.plan.expect("a range without a plan");
                assert!((1..=plan.count()).contains(part_number));
                assert_eq!(plan.span(part_number - 1), (*offset, *len));
                assert!(*len > 0 && offset + len <= told.size);
                assert_eq!(
                    op.requested_range(),
                    Some(ByteRange::Inclusive {
                        first: *offset,
                        last: offset + len - 1
                    })
                );
                let built = Built::of(op, self.config());
                assert_eq!(
                    built.header("if-match"),
                    Some(told.etag.as_str()),
                    "not pinned"
                );
            }
            DownloadAction::SaveCheckpoint(cp) => {
                self.emitted = Some(cp.clone());
                assert_eq!((cp.bucket.as_str(), cp.key.as_str()), (BUCKET, KEY));
                assert_eq!(Some(&cp.object), self.told.as_ref());
                let plan = self.plan.expect("a checkpoint without a plan");
                assert_eq!(cp.part_size, plan.part_size());
                let resumed = self.resumed();
                for range in &cp.ranges {
                    // Every range named is in the temp file: written by this run, or
                    // kept from the last one and read back.
                    assert_eq!(
                        self.temp_crc(&plan, range.number),
                        Some(range.crc64),
                        "range {} is not in the temp file",
                        range.number
                    );
                    if self.acked.get(&range.number) != Some(&range.crc64) {
                        assert_eq!(
                            resumed.get(&range.number),
                            Some(&range.crc64),
                            "checkpoint names range {range:?}, which was not written"
                        );
                    }
                }
            }
            DownloadAction::Finalize => {
                let told = self.told.as_ref().expect("finalizing before the HEAD");
                // Kept ranges are read back before they count, so neither an untrue
                // checkpoint nor a temp file altered between runs reaches the target;
                // only an altered body taken without a CRC64 to catch it can.
                let right = told.crc64.is_some() && told.crc64 == self.identity().crc64;
                if right || !self.tainted {
                    assert_eq!(
                        self.temp.as_deref(),
                        Some(&self.data[..]),
                        "renaming a temp file that is not the object"
                    );
                }
            }
            DownloadAction::Done(_) => {
                let DownloadAction::Done(result) = action else {
                    unreachable!()
                };
                if let Ok(out) = &result {
                    let told = self.told.as_ref().expect("done before the HEAD");
                    assert_eq!(&out.object, told);
                    assert!(self.finalized, "done without the rename");
                    if let Some(crc) = told.crc64 {
                        assert_eq!(out.crc64, crc);
                    }
                }
                return Err(result);
            }
            _ => panic!("an action this target does not know: {action:?}"),
        }
        Ok(action)
    }

    fn answer(
        &mut self,
        action: DownloadAction,
        fault: Fault,
        r: &mut Reader<'_>,
    ) -> DownloadOutcome {
        if fault != Fault::None {
            self.faults = true;
        }
        match action {
            DownloadAction::Head(op) => {
                let identity = self.identity();
                let result = match fault {
                    Fault::None | Fault::Corrupt => {
                        let mut headers = vec![
                            ("content-length", identity.size.to_string()),
                            ("etag", identity.etag.clone()),
                        ];
                        if let Some(crc) = identity.crc64 {
                            headers.push(crc_header(if fault == Fault::Corrupt {
                                crc ^ 1
                            } else {
                                crc
                            }));
                        } else if fault == Fault::Corrupt {
                            headers.remove(usize::from(r.u8() % 2));
                        }
                        respond(&op, 200, &headers, "")
                    }
                    Fault::Changed => {
                        self.replace();
                        Err(transport())
                    }
                    _ => Err(failure(fault)),
                };
                if let Ok(info) = &result
                    && let (Some(size), Some(etag)) = (info.content_length, info.etag.clone())
                {
                    self.told = Some(ObjectIdentity {
                        size,
                        etag,
                        crc64: info.crc64,
                        version_id: info.version_id.clone(),
                    });
                }
                DownloadOutcome::Head(result)
            }
            DownloadAction::OpenTemp { len, keep } => {
                let result = match fault {
                    Fault::None => {
                        let kept =
                            keep && self.temp.as_ref().is_some_and(|t| t.len() as u64 == len);
                        if !kept {
                            self.temp = Some(vec![0; len as usize]);
                            self.tainted = false;
                        }
                        self.kept = kept;
                        Ok(kept)
                    }
                    _ => Err(disk()),
                };
                DownloadOutcome::TempReady(result)
            }
            DownloadAction::GetRange {
                part_number,
                offset,
                len,
                ..
            } => {
                let told_etag = self.told.as_ref().map(|t| t.etag.clone());
                let result = if told_etag.as_deref() != Some(self.etag.as_str())
                    || fault == Fault::Changed
                {
                    self.replace();
                    Err(service_error(412, "PreconditionFailed"))
                } else if matches!(fault, Fault::None | Fault::Lost | Fault::Corrupt) {
                    let (start, end) = (offset as usize, (offset + len) as usize);
                    let mut body = self.data[start..end].to_vec();
                    let how = if fault == Fault::Corrupt {
                        r.u8() % 2
                    } else {
                        2
                    };
                    match (fault, how) {
                        (Fault::Lost, _) => body.truncate(usize::from(r.u8()) % body.len()),
                        (_, 0) => {
                            body.pop();
                        }
                        (_, 1) => {
                            let at = usize::from(r.u8()) % body.len();
                            body[at] ^= 0x20;
                            self.tainted = true;
                        }
                        _ => {}
                    }
                    if let Some(temp) = &mut self.temp {
                        temp[start..start + body.len()].copy_from_slice(&body);
                    }
                    if fault == Fault::Lost {
                        Err(transport())
                    } else {
                        let crc = crc64::crc64(&body);
                        if body.len() as u64 == len {
                            self.acked.insert(part_number, crc);
                        }
                        Ok((body.len() as u64, crc))
                    }
                } else {
                    Err(failure(fault))
                };
                DownloadOutcome::Range {
                    part_number,
                    result,
                }
            }
            DownloadAction::CheckRange {
                part_number,
                offset,
                len,
            } => {
                let read = self
                    .temp
                    .as_ref()
                    .and_then(|t| t.get(offset as usize..(offset + len) as usize))
                    .map(crc64::crc64);
                let result = match (fault, read) {
                    (Fault::None | Fault::Lost, Some(crc)) => Ok(crc),
                    (Fault::Corrupt, Some(crc)) => Ok(crc ^ 1),
                    _ => Err(disk()),
                };
                DownloadOutcome::RangeChecked {
                    part_number,
                    result,
                }
            }
            DownloadAction::SaveCheckpoint(cp) => {
                if matches!(fault, Fault::None | Fault::Lost) {
                    self.file = Some(cp.clone());
                    self.saved.push(cp);
                }
                DownloadOutcome::CheckpointSaved(if fault == Fault::None {
                    Ok(())
                } else {
                    Err(disk())
                })
            }
            DownloadAction::Finalize => {
                if matches!(fault, Fault::None | Fault::Lost) {
                    self.temp = None;
                    self.file = None;
                    self.finalized = true;
                }
                DownloadOutcome::Finalized(if fault == Fault::None {
                    Ok(())
                } else {
                    Err(disk())
                })
            }
            DownloadAction::Discard => {
                if matches!(fault, Fault::None | Fault::Lost) {
                    self.temp = None;
                    self.file = None;
                }
                DownloadOutcome::Discarded(if fault == Fault::None {
                    Ok(())
                } else {
                    Err(disk())
                })
            }
            other => panic!("answering {other:?}"),
        }
    }

    fn stale(&mut self, pending: &[DownloadAction], r: &mut Reader<'_>) -> Option<DownloadOutcome> {
        let any = |f: fn(&DownloadAction) -> bool| pending.iter().any(f);
        Some(match r.u8() % 7 {
            0 => {
                let number = u32::from(r.u8());
                if pending.iter().any(|a| Self::part(a) == Some(number)) {
                    return None;
                }
                DownloadOutcome::Range {
                    part_number: number,
                    result: Ok((u64::from(r.u8()), 0)),
                }
            }
            6 => {
                let number = u32::from(r.u8());
                let checking = |a: &DownloadAction| matches!(a, DownloadAction::CheckRange { part_number, .. } if *part_number == number);
                if pending.iter().any(checking) {
                    return None;
                }
                DownloadOutcome::RangeChecked {
                    part_number: number,
                    result: Ok(0),
                }
            }
            1 if !any(|a| matches!(a, DownloadAction::SaveCheckpoint(_))) => {
                DownloadOutcome::CheckpointSaved(Ok(()))
            }
            2 if !any(|a| matches!(a, DownloadAction::Finalize)) => {
                DownloadOutcome::Finalized(Ok(()))
            }
            3 if !any(|a| matches!(a, DownloadAction::Discard)) => {
                DownloadOutcome::Discarded(Ok(()))
            }
            4 if !any(|a| matches!(a, DownloadAction::OpenTemp { .. })) => {
                DownloadOutcome::TempReady(Ok(true))
            }
            5 if !any(|a| matches!(a, DownloadAction::Head(_))) => {
                DownloadOutcome::Head(Err(transport()))
            }
            _ => return None,
        })
    }
}

impl DownloadSim {
    /// The object is replaced by another version.
    fn replace(&mut self) {
        if self.etag == "\"v1\"" {
            self.etag = "\"v2\"".into();
            self.data = object(9, self.data.len() as u64);
        }
    }
}

/// Alters a checkpoint for a resumed run; `true` if it now says something untrue of
/// the ranges (see `mutate_upload`).
fn mutate_download(cp: &mut DownloadCheckpoint, r: &mut Reader<'_>) -> bool {
    let len = cp.ranges.len().max(1);
    match r.u8() % 9 {
        0 => cp.part_size = u64::from(r.u8()),
        1 if !cp.ranges.is_empty() => {
            cp.ranges.remove(usize::from(r.u8()) % len);
            return false;
        }
        2 if !cp.ranges.is_empty() => {
            let range = cp.ranges[usize::from(r.u8()) % len];
            cp.ranges.push(range);
            return false;
        }
        3 if !cp.ranges.is_empty() => cp.ranges[usize::from(r.u8()) % len].number = r.u32(),
        4 if !cp.ranges.is_empty() => cp.ranges[usize::from(r.u8()) % len].crc64 ^= 1,
        5 => {
            cp.object.etag = "\"v0\"".into();
            return false;
        }
        6 => {
            cp.object.crc64 = None;
            return false;
        }
        _ => return false,
    }
    true
}

fn download(shape: Shape, config: &Config, r: &mut Reader<'_>) {
    let mut sim = DownloadSim {
        data: object(2, shape.size),
        etag: "\"v1\"".into(),
        crc_known: shape.crc_known,
        config: Some(config.clone()),
        part_size: shape.part_size,
        ..DownloadSim::default()
    };
    let mut checkpoint = None;
    let mut mutated = false;
    for phase in 0..2 {
        sim.initial = checkpoint.clone();
        sim.told = None;
        sim.kept = false;
        sim.acked.clear();
        sim.plan = None;
        sim.finalized = false;
        sim.mutated = mutated;
        sim.faults = mutated;
        let mut machine = Download::new(
            BUCKET,
            GetObject::new(KEY),
            checkpoint.take(),
            shape.options(),
        );
        let crash = if phase == 0 { shape.crash_at } else { None };
        match drive(&mut sim, &mut machine, shape.concurrency, crash, r) {
            End::Done(result) => assert!(
                result.is_ok() || sim.faults || sim.tainted,
                "a download without faults failed: {result:?}"
            ),
            End::Crashed => {}
        }
        if let Some(cp) = sim.emitted.take() {
            let parsed = DownloadCheckpoint::from_json(&cp.to_json());
            assert_eq!(parsed, Ok(cp), "a checkpoint that does not parse back");
        }
        if !shape.resume || phase == 1 {
            return;
        }
        checkpoint = pick(&sim.file, &sim.saved, r);
        if let Some(cp) = &mut checkpoint {
            mutated = mutate_download(cp, r);
        }
        // Someone alters the temp file between the runs (same length).
        if let Some(temp) = sim.temp.as_mut().filter(|t| !t.is_empty())
            && r.u8().is_multiple_of(4)
        {
            let at = usize::from(r.u8()) % temp.len();
            temp[at] ^= 0x10;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Copy

#[derive(Debug, Default)]
struct CopySim {
    size: u64,
    etag: String,
    crc: Option<u64>,
    config: Option<Config>,
    part_size: u64,
    moving: bool,
    /// The source's identity when a copy was made of it: (size, CRC-64).
    dest: Option<(u64, Option<u64>)>,
    /// What the destination's HEAD told the machine: (size, CRC-64).
    dest_told: Option<(u64, Option<u64>)>,
    source_deleted: bool,
    uploads: BTreeMap<String, BTreeMap<u32, (u64, u64)>>,
    next_id: u32,
    told: Option<(u64, String, Option<u64>)>,
    known_ids: BTreeSet<String>,
    plan: Option<PartPlan>,
    faults: bool,
}

impl CopySim {
    fn config(&self) -> &Config {
        self.config.as_ref().expect("set before the run")
    }

    fn replace(&mut self) {
        if self.etag == "\"src\"" {
            self.etag = "\"src-2\"".into();
            self.crc = self.crc.map(|c| c ^ 0xff);
        }
    }
}

impl Sim for CopySim {
    type Machine = Copy;
    type Action = CopyAction;
    type Outcome = CopyOutcome;
    type Output = CopyOutput;

    fn poll_action(m: &mut Copy) -> Option<CopyAction> {
        m.poll_action()
    }

    fn poll_event(m: &mut Copy) -> Option<TransferEvent> {
        m.poll_event()
    }

    fn handle(m: &mut Copy, outcome: CopyOutcome) {
        m.handle(outcome);
    }

    fn progress(m: &Copy) -> Progress {
        m.progress()
    }

    fn part(action: &CopyAction) -> Option<u32> {
        match action {
            CopyAction::UploadPartCopy { part_number, .. } => Some(*part_number),
            _ => None,
        }
    }

    fn issued(
        &mut self,
        action: CopyAction,
        _pending: &[CopyAction],
    ) -> Result<CopyAction, Result<CopyOutput, TransferError>> {
        let config = self.config().clone();
        match &action {
            CopyAction::HeadSource(_) | CopyAction::Abort(_) | CopyAction::HeadDestination(_) => {}
            CopyAction::CopyObject(op) => {
                let told = self.told.as_ref().expect("a copy before the HEAD");
                let built = Built::of(op, &config);
                assert_eq!(
                    built.header("x-cos-copy-source-if-match"),
                    Some(told.1.as_str()),
                    "not pinned"
                );
            }
            CopyAction::Initiate(_) => {
                let told = self.told.as_ref().expect("a copy before the HEAD");
                self.plan = PartPlan::new(told.0, self.part_size).ok();
                assert!(self.plan.is_some());
            }
            CopyAction::UploadPartCopy { op, part_number } => {
                let plan = self.plan.expect("a part without a plan");
                assert_eq!(op.part_number(), *part_number);
                assert!((1..=plan.count()).contains(part_number));
                // Its range and pinning are checked when it is answered (building it is
                // slow).
            }
            CopyAction::Complete(op) => {
                let plan = self.plan.expect("completing without a plan");
                let numbers: Vec<u32> = op.part_list().iter().map(|(n, _)| *n).collect();
                assert_eq!(numbers, (1..=plan.count()).collect::<Vec<_>>());
            }
            CopyAction::DeleteSource(_) => {
                assert!(self.moving, "a copy deletes its source");
                let told = self.told.as_ref().expect("deleting before the HEAD");
                let seen = self
                    .dest_told
                    .expect("deleting before the destination's HEAD");
                let crc_ok = match (seen.1, told.2) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                assert!(
                    seen.0 == told.0 && crc_ok,
                    "deleting the source ({told:?}) of an unverified copy ({seen:?})"
                );
                if !self.faults {
                    assert_eq!(self.dest, Some((self.size, self.crc)));
                }
            }
            CopyAction::Done(_) => {
                let CopyAction::Done(result) = action else {
                    unreachable!()
                };
                if let Ok(out) = &result {
                    assert_eq!(out.size, self.size);
                    assert_eq!(self.dest, Some((self.size, self.crc)), "no copy at COS");
                    assert_eq!(out.source_deleted, self.moving);
                    assert_eq!(self.source_deleted, self.moving);
                    if let (Some(a), Some(b), false) = (out.crc64, self.crc, self.faults) {
                        assert_eq!(a, b);
                    }
                    let parts = self.plan.map_or(0, |p| p.count());
                    assert_eq!(out.parts, if out.parts == 0 { 0 } else { parts });
                }
                return Err(result);
            }
            _ => panic!("an action this target does not know: {action:?}"),
        }
        Ok(action)
    }

    fn answer(&mut self, action: CopyAction, fault: Fault, r: &mut Reader<'_>) -> CopyOutcome {
        if fault != Fault::None {
            self.faults = true;
        }
        let config = self.config().clone();
        let acts = matches!(fault, Fault::None | Fault::Lost | Fault::Corrupt);
        match action {
            CopyAction::HeadSource(op) => {
                let result = if self.source_deleted {
                    Err(service_error(404, "NoSuchKey"))
                } else if matches!(fault, Fault::None | Fault::Corrupt) {
                    let mut headers = vec![
                        ("content-length", self.size.to_string()),
                        ("etag", self.etag.clone()),
                    ];
                    if let Some(crc) = self.crc {
                        headers.push(crc_header(if fault == Fault::Corrupt {
                            crc ^ 1
                        } else {
                            crc
                        }));
                    } else if fault == Fault::Corrupt {
                        headers.remove(usize::from(r.u8() % 2));
                    }
                    respond(&op, 200, &headers, "")
                } else {
                    Err(failure(fault))
                };
                if let Ok(info) = &result
                    && let (Some(size), Some(etag)) = (info.content_length, info.etag.clone())
                {
                    self.told = Some((size, etag, info.crc64));
                }
                CopyOutcome::SourceHead(result)
            }
            CopyAction::CopyObject(op) => {
                let pinned = Built::of(&op, &config)
                    .header("x-cos-copy-source-if-match")
                    .map(str::to_owned);
                let result = if fault == Fault::Changed || pinned.as_deref() != Some(&self.etag) {
                    self.replace();
                    Err(service_error(412, "PreconditionFailed"))
                } else if acts {
                    self.dest = Some((self.size, self.crc));
                    let xml = "<CopyObjectResult><ETag>\"d\"</ETag>\
                               <LastModified>2024-01-01T00:00:00Z</LastModified></CopyObjectResult>";
                    let mut headers = Vec::new();
                    if let Some(crc) = self.crc {
                        headers.push(crc_header(if fault == Fault::Corrupt {
                            crc ^ 1
                        } else {
                            crc
                        }));
                    }
                    if fault == Fault::Lost {
                        Err(transport())
                    } else {
                        respond(&op, 200, &headers, xml)
                    }
                } else {
                    Err(failure(fault))
                };
                CopyOutcome::Copied(result)
            }
            CopyAction::Initiate(op) => {
                let result = if acts {
                    self.next_id += 1;
                    let id = format!("copy-{}", self.next_id);
                    self.uploads.insert(id.clone(), BTreeMap::new());
                    if fault == Fault::Lost {
                        Err(transport())
                    } else {
                        let xml = format!(
                            "<InitiateMultipartUploadResult><Bucket>{BUCKET}</Bucket><Key>dst</Key>\
                             <UploadId>{id}</UploadId></InitiateMultipartUploadResult>"
                        );
                        let result = respond(&op, 200, &[], &xml);
                        if result.is_ok() {
                            self.known_ids.insert(id);
                        }
                        result
                    }
                } else {
                    Err(failure(fault))
                };
                CopyOutcome::Initiated(result)
            }
            CopyAction::UploadPartCopy { op, part_number } => {
                let built = Built::of(&op, &config);
                let id = built.param("uploadId").unwrap_or_default().to_owned();
                assert!(self.known_ids.contains(&id), "a part of upload {id:?}");
                let pinned = built
                    .header("x-cos-copy-source-if-match")
                    .map(str::to_owned);
                let told = self.told.as_ref().expect("a copy before the HEAD");
                assert_eq!(pinned.as_deref(), Some(told.1.as_str()), "not pinned");
                let range = built
                    .header("x-cos-copy-source-range")
                    .and_then(|r| r.strip_prefix("bytes="))
                    .and_then(|r| r.split_once('-'))
                    .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
                    .expect("a part copy names its range");
                assert!(range.0 <= range.1 && range.1 < told.0, "{range:?}");
                let plan = self.plan.expect("a part without a plan");
                let (offset, len) = plan.span(part_number - 1);
                assert_eq!(range, (offset, offset + len - 1));
                let result = if fault == Fault::Changed || pinned.as_deref() != Some(&self.etag) {
                    self.replace();
                    Err(service_error(412, "PreconditionFailed"))
                } else if acts {
                    match self.uploads.get_mut(&id) {
                        None => Err(service_error(404, "NoSuchUpload")),
                        Some(parts) => {
                            parts.insert(part_number, range);
                            let xml = "<CopyPartResult><ETag>\"p\"</ETag>\
                                       <LastModified>2024-01-01T00:00:00Z</LastModified></CopyPartResult>";
                            if fault == Fault::Lost {
                                Err(transport())
                            } else {
                                respond(&op, 200, &[], xml)
                            }
                        }
                    }
                } else {
                    Err(failure(fault))
                };
                CopyOutcome::PartCopied {
                    part_number,
                    result,
                }
            }
            CopyAction::Complete(op) => {
                let id = Built::of(&op, &config)
                    .param("uploadId")
                    .unwrap_or_default()
                    .to_owned();
                let result = match self.uploads.get(&id) {
                    _ if !acts => Err(failure(fault)),
                    None => Err(service_error(404, "NoSuchUpload")),
                    Some(_) if op.part_list().is_empty() => Err(service_error(400, "MalformedXML")),
                    Some(parts) => {
                        let mut next = 0;
                        let mut valid = true;
                        for (number, _) in op.part_list() {
                            match parts.get(number) {
                                Some((first, last)) if *first == next => next = last + 1,
                                _ => valid = false,
                            }
                        }
                        if !valid {
                            Err(service_error(400, "InvalidPart"))
                        } else {
                            let told = self.told.as_ref().expect("completing before the HEAD");
                            assert_eq!(next, told.0, "the parts do not cover the source");
                            self.uploads.remove(&id);
                            self.dest = Some((self.size, self.crc));
                            let xml = format!(
                                "<CompleteMultipartUploadResult><Location>l</Location>\
                                 <Bucket>{BUCKET}</Bucket><Key>dst</Key>\
                                 <ETag>\"d-{}\"</ETag></CompleteMultipartUploadResult>",
                                op.part_list().len()
                            );
                            let mut headers = Vec::new();
                            if let Some(crc) = self.crc {
                                headers.push(crc_header(if fault == Fault::Corrupt {
                                    crc ^ 1
                                } else {
                                    crc
                                }));
                            }
                            if fault == Fault::Lost {
                                Err(transport())
                            } else {
                                respond(&op, 200, &headers, &xml)
                            }
                        }
                    }
                };
                CopyOutcome::Completed(result)
            }
            CopyAction::Abort(op) => {
                let id = Built::of(&op, &config)
                    .param("uploadId")
                    .unwrap_or_default()
                    .to_owned();
                if acts {
                    self.uploads.remove(&id);
                }
                CopyOutcome::Aborted(if fault == Fault::None {
                    Ok(())
                } else {
                    Err(failure(fault))
                })
            }
            CopyAction::HeadDestination(op) => {
                let result = match (fault, self.dest) {
                    (Fault::None | Fault::Corrupt, Some((size, crc))) => {
                        let mut headers = vec![
                            ("content-length", size.to_string()),
                            ("etag", "\"d\"".to_owned()),
                        ];
                        if let Some(crc) = crc {
                            headers.push(crc_header(if fault == Fault::Corrupt {
                                crc ^ 1
                            } else {
                                crc
                            }));
                        } else if fault == Fault::Corrupt {
                            headers[0].1 = (size + 1).to_string();
                        }
                        respond(&op, 200, &headers, "")
                    }
                    (Fault::None, None) => Err(service_error(404, "NoSuchKey")),
                    _ => Err(failure(fault)),
                };
                if let Ok(info) = &result
                    && let Some(size) = info.content_length
                {
                    self.dest_told = Some((size, info.crc64));
                }
                CopyOutcome::DestinationHead(result)
            }
            CopyAction::DeleteSource(op) => {
                if acts {
                    self.source_deleted = true;
                }
                let result = if fault == Fault::None {
                    respond(&op, 204, &[], "").map(drop)
                } else {
                    Err(failure(fault))
                };
                CopyOutcome::SourceDeleted(result)
            }
            other => panic!("answering {other:?}"),
        }
    }

    fn stale(&mut self, pending: &[CopyAction], r: &mut Reader<'_>) -> Option<CopyOutcome> {
        let any = |f: fn(&CopyAction) -> bool| pending.iter().any(f);
        Some(match r.u8() % 6 {
            0 => {
                let number = u32::from(r.u8());
                if pending.iter().any(|a| Self::part(a) == Some(number)) {
                    return None;
                }
                let op = UploadPartCopy::new(
                    "dst",
                    "copy-1",
                    number.max(1),
                    CopySource::in_config(self.config(), "src"),
                );
                let xml = "<CopyPartResult><ETag>\"stale\"</ETag></CopyPartResult>";
                CopyOutcome::PartCopied {
                    part_number: number,
                    result: respond(&op, 200, &[], xml),
                }
            }
            1 if !any(|a| matches!(a, CopyAction::Abort(_))) => CopyOutcome::Aborted(Ok(())),
            2 if !any(|a| matches!(a, CopyAction::DeleteSource(_))) => {
                CopyOutcome::SourceDeleted(Ok(()))
            }
            3 if !any(|a| matches!(a, CopyAction::Complete(_))) => {
                CopyOutcome::Completed(Err(transport()))
            }
            4 if !any(|a| matches!(a, CopyAction::CopyObject(_))) => {
                CopyOutcome::Copied(Err(transport()))
            }
            5 if !any(|a| matches!(a, CopyAction::HeadDestination(_))) => {
                CopyOutcome::DestinationHead(Err(transport()))
            }
            _ => return None,
        })
    }
}

fn copy(shape: Shape, config: &Config, moving: bool, r: &mut Reader<'_>) {
    let mut sim = CopySim {
        size: shape.size,
        etag: "\"src\"".into(),
        crc: shape
            .crc_known
            .then(|| crc64::crc64(&object(3, shape.size))),
        config: Some(config.clone()),
        part_size: shape.part_size,
        moving,
        ..CopySim::default()
    };
    let op = CopyObject::new("dst", CopySource::in_config(config, "src"));
    let mut machine = if moving {
        Copy::moving(op, shape.options())
    } else {
        Copy::new(op, shape.options())
    };
    match drive(&mut sim, &mut machine, shape.concurrency, None, r) {
        End::Done(result) => assert!(
            result.is_ok() || sim.faults,
            "a copy without faults failed: {result:?}"
        ),
        End::Crashed => {}
    }
}
