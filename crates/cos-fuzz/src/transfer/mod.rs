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

mod copy;
mod download;
mod upload;

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
        0 => upload::upload(shape, &config, &mut r),
        1 => download::download(shape, &config, &mut r),
        _ => copy::copy(shape, &config, kind == 3, &mut r),
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
