//! The download machine: HEAD to pin the object, parallel ranged GETs pinned with
//! `If-Match` into a temp file, CRC64 of the whole combined from the ranges, and an
//! atomic rename only when it matches.

use std::collections::{BTreeSet, VecDeque};

use cos_proto::crc64;
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{GetObject, HeadObject, ObjectInfo};

use crate::checkpoint::{
    CompletedRange, DownloadCheckpoint, EncryptionRecord, FORMAT, ObjectIdentity,
};
use crate::error::{TransferError, is_precondition_failed, is_transient};
use crate::options::TransferOptions;
use crate::plan::PartPlan;
use crate::progress::{Progress, TransferEvent};
use crate::window::Window;

/// What the driver must do next for a [`Download`].
// Each value is moved once per request: boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum DownloadAction {
    /// Read the object's attributes; report [`DownloadOutcome::Head`].
    Head(HeadObject),
    /// Make the temp file beside the target exactly `len` bytes long. If `keep`, keep
    /// what it holds when it exists with that length (a resume); otherwise (or if it
    /// does not) create it empty. Report [`DownloadOutcome::TempReady`] saying whether
    /// the old content was kept.
    OpenTemp {
        /// The object's length.
        len: u64,
        /// Whether earlier content may be kept.
        keep: bool,
    },
    /// Read back `len` bytes of the kept temp file at `offset`, as the object stores
    /// them (a decrypting download encrypts them again at `offset`), and report
    /// [`DownloadOutcome::RangeChecked`] with their CRC64. A resumed range counts only
    /// if that is the CRC64 the checkpoint recorded; otherwise it is fetched again. Only
    /// ranges a checkpoint names are checked: the cost of a resume is one local read of
    /// what it keeps. Several may be in flight.
    CheckRange {
        /// Part number (1-based).
        part_number: u32,
        /// Where the range starts.
        offset: u64,
        /// Its length.
        len: u64,
    },
    /// Fetch `len` bytes at `offset` with `op` and write them at `offset` in the temp
    /// file; report [`DownloadOutcome::Range`] with the bytes received and their CRC64.
    /// Several may be in flight.
    GetRange {
        /// The ranged, `If-Match`-pinned GET.
        op: GetObject,
        /// Part number (1-based).
        part_number: u32,
        /// Where the range starts.
        offset: u64,
        /// Its length.
        len: u64,
    },
    /// Make the temp file's data durable (sync it), then replace the checkpoint file with
    /// this one atomically and durably; report [`DownloadOutcome::CheckpointSaved`].
    SaveCheckpoint(DownloadCheckpoint),
    /// Read back the whole temp file as written (`len` bytes) and report
    /// [`DownloadOutcome::PlaintextChecked`] with its CRC64. Asked only of a decrypting
    /// download whose object COS sent without a CRC64: the plaintext CRC64 its envelope
    /// records is then what proves the bytes before the rename (one local read).
    CheckPlaintext {
        /// The object's length.
        len: u64,
    },
    /// Sync the temp file, rename it over the target, sync the directory, and delete the
    /// checkpoint file; report [`DownloadOutcome::Finalized`].
    Finalize,
    /// The data proved wrong: delete the temp file and the checkpoint; report
    /// [`DownloadOutcome::Discarded`].
    Discard,
    /// The download is over. After this, `poll_action` returns `None`.
    Done(Result<DownloadOutput, TransferError>),
}

/// What happened to a [`DownloadAction`].
// Each value is moved once per request: boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum DownloadOutcome {
    /// The HEAD's answer.
    Head(Result<ObjectInfo, ClientError>),
    /// The temp file is ready; `true` if earlier content was kept.
    TempReady(Result<bool, ClientError>),
    /// A kept range was read back: the CRC64 of its stored bytes (an error counts as a
    /// mismatch: the range is fetched again).
    RangeChecked {
        /// The action's part number.
        part_number: u32,
        /// The CRC64, or why the range could not be read.
        result: Result<u64, ClientError>,
    },
    /// A range was written: bytes received and their CRC64.
    Range {
        /// The action's part number.
        part_number: u32,
        /// `(bytes written, CRC64 of them)`.
        result: Result<(u64, u64), ClientError>,
    },
    /// The checkpoint is durable (or could not be written).
    CheckpointSaved(Result<(), ClientError>),
    /// The CRC64 of the whole temp file as written.
    PlaintextChecked(Result<u64, ClientError>),
    /// The target is in place.
    Finalized(Result<(), ClientError>),
    /// The temp file and checkpoint are gone.
    Discarded(Result<(), ClientError>),
}

/// A finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadOutput {
    /// The object version downloaded.
    pub object: ObjectIdentity,
    /// CRC64 of the data written, combined from the ranges (equal to COS's when COS
    /// has one).
    pub crc64: u64,
    /// The object's attributes from the HEAD.
    pub info: ObjectInfo,
    /// Bytes an earlier run had already written.
    pub resumed_bytes: u64,
    /// Bytes this run fetched, retries included.
    pub fetched_bytes: u64,
}

#[derive(Debug)]
enum Stage {
    Head {
        sent: bool,
    },
    Temp {
        sent: bool,
    },
    /// Reading back the kept ranges: those not yet asked for, and those out.
    Recheck {
        queue: VecDeque<u32>,
        out: BTreeSet<u32>,
    },
    Ranges,
    CheckPlaintext {
        sent: bool,
    },
    Finalize {
        sent: bool,
    },
    Discard {
        sent: bool,
    },
    Over,
}

/// The download state machine for one object and one target file. See the crate docs
/// for the driving loop.
#[derive(Debug)]
pub struct Download {
    bucket: String,
    get: GetObject,
    options: TransferOptions,
    decrypting: bool,
    encryption: Option<EncryptionRecord>,
    plaintext_crc64: Option<u64>,
    stage: Stage,
    checkpoint: Option<DownloadCheckpoint>,
    object: Option<(ObjectIdentity, ObjectInfo)>,
    window: Option<Window>,
    crcs: Vec<Option<u64>>,
    checkpointing: bool,
    saving: Option<Vec<u32>>,
    pending_error: Option<TransferError>,
    resumed_bytes: u64,
    fetched_bytes: u64,
    head_attempts: u32,
    events: VecDeque<TransferEvent>,
    result: Option<Result<DownloadOutput, TransferError>>,
}

impl Download {
    /// A download of what `get` names (key, version, conditions, `response-*`
    /// overrides, SSE-C key, traffic limit; its range is ignored) from `bucket`.
    /// `checkpoint` is what an earlier run left: it is used only if it names the same
    /// bucket, key and object version (size, ETag, CRC64) as the HEAD reports.
    pub fn new(
        bucket: impl Into<String>,
        get: GetObject,
        checkpoint: Option<DownloadCheckpoint>,
        options: TransferOptions,
    ) -> Self {
        Self {
            bucket: bucket.into(),
            get,
            options,
            decrypting: false,
            encryption: None,
            plaintext_crc64: None,
            stage: Stage::Head { sent: false },
            checkpoint,
            object: None,
            window: None,
            crcs: Vec::new(),
            checkpointing: true,
            saving: None,
            pending_error: None,
            resumed_bytes: 0,
            fetched_bytes: 0,
            head_attempts: 0,
            events: VecDeque::new(),
            result: None,
        }
    }

    /// Marks the download as decrypting: the driver decrypts every range (after taking
    /// its CRC64, which is the stored bytes') before writing it, so the temp file holds
    /// plaintext. Checkpoints record the object's envelope
    /// ([`EncryptionRecord::of_object`]), and only a checkpoint with an equal record is
    /// resumed: a temp file of a plain download of the same object holds ciphertext and
    /// is started over. `cos_transfer::encrypted` (feature `crypto`) opens the envelope.
    pub fn decrypting(mut self) -> Self {
        self.decrypting = true;
        self
    }

    /// The next event to report, if any.
    pub fn poll_event(&mut self) -> Option<TransferEvent> {
        self.events.pop_front()
    }

    /// Current progress.
    pub fn progress(&self) -> Progress {
        self.window
            .as_ref()
            .map(Window::progress)
            .unwrap_or_default()
    }

    /// The next action, or `None` when the driver must wait for an outcome.
    pub fn poll_action(&mut self) -> Option<DownloadAction> {
        let limit = self.limit();
        match &mut self.stage {
            Stage::Head { sent } => {
                if *sent {
                    return None;
                }
                *sent = true;
                Some(DownloadAction::Head(self.get.head_object()))
            }
            Stage::Temp { sent } => {
                if *sent {
                    return None;
                }
                *sent = true;
                let keep = self.crcs.iter().any(Option::is_some);
                let len = self.object.as_ref().map_or(0, |(o, _)| o.size);
                Some(DownloadAction::OpenTemp { len, keep })
            }
            Stage::Recheck { queue, out } => {
                if out.len() >= limit {
                    return None;
                }
                let index = queue.pop_front()?;
                out.insert(index);
                let (offset, len) = self.window.as_ref()?.plan().span(index);
                Some(DownloadAction::CheckRange {
                    part_number: index + 1,
                    offset,
                    len,
                })
            }
            Stage::Ranges => self.next_range_action(),
            Stage::CheckPlaintext { sent } => {
                if *sent {
                    return None;
                }
                *sent = true;
                let len = self.object.as_ref().map_or(0, |(o, _)| o.size);
                Some(DownloadAction::CheckPlaintext { len })
            }
            Stage::Finalize { sent } => {
                if *sent {
                    return None;
                }
                *sent = true;
                Some(DownloadAction::Finalize)
            }
            Stage::Discard { sent } => {
                if *sent {
                    return None;
                }
                *sent = true;
                Some(DownloadAction::Discard)
            }
            Stage::Over => self.result.take().map(DownloadAction::Done),
        }
    }

    /// Reports the outcome of an action returned by [`Download::poll_action`].
    pub fn handle(&mut self, outcome: DownloadOutcome) {
        if matches!(self.stage, Stage::Over) {
            return;
        }
        match outcome {
            DownloadOutcome::Head(result) => self.on_head(result),
            DownloadOutcome::TempReady(result) => self.on_temp(result),
            DownloadOutcome::RangeChecked {
                part_number,
                result,
            } => self.on_checked(part_number, result),
            DownloadOutcome::Range {
                part_number,
                result,
            } => self.on_range(part_number, result),
            DownloadOutcome::CheckpointSaved(result) => self.on_saved(result),
            DownloadOutcome::PlaintextChecked(result) => self.on_plaintext_checked(result),
            DownloadOutcome::Finalized(result) => {
                if matches!(self.stage, Stage::Finalize { sent: true }) {
                    match result {
                        Ok(()) => self.succeed(),
                        Err(err) => self.finish(Err(TransferError::Client(err))),
                    }
                }
            }
            DownloadOutcome::Discarded(_) => {
                if matches!(self.stage, Stage::Discard { sent: true }) {
                    let err = self
                        .pending_error
                        .take()
                        .unwrap_or(TransferError::Cancelled);
                    self.finish(Err(err));
                }
            }
        }
    }

    fn on_head(&mut self, result: Result<ObjectInfo, ClientError>) {
        if !matches!(self.stage, Stage::Head { sent: true }) {
            return;
        }
        let info = match result {
            Ok(info) => info,
            Err(err) => {
                self.head_attempts += 1;
                if is_transient(&err) && self.head_attempts < self.options.part_attempts {
                    self.events.push_back(TransferEvent::Retrying {
                        part: 0,
                        attempt: self.head_attempts + 1,
                        reason: err.to_string(),
                        progress: self.progress(),
                    });
                    self.stage = Stage::Head { sent: false };
                    return;
                }
                return self.finish(Err(TransferError::Client(err)));
            }
        };
        let (Some(size), Some(etag)) = (info.content_length, info.etag.clone()) else {
            return self.finish(Err(TransferError::Unexpected(
                "the HEAD answer has no Content-Length or ETag to pin the download to".into(),
            )));
        };
        let object = ObjectIdentity {
            size,
            etag,
            crc64: info.crc64,
            version_id: info.version_id.clone(),
        };
        if self.decrypting {
            let record = EncryptionRecord::of_object(&info.headers);
            self.plaintext_crc64 = record.plaintext_crc64();
            self.encryption = Some(record);
        }
        let plan = match self.checkpoint.take() {
            Some(cp)
                if cp.bucket == self.bucket
                    && cp.key == self.get.key()
                    && cp.object == object
                    && cp.encryption == self.encryption =>
            {
                PartPlan::exact(size, cp.part_size).map(|plan| (plan, cp.ranges))
            }
            _ => None,
        };
        let (plan, ranges) = match plan {
            Some(found) => found,
            None => match PartPlan::new(size, self.options.part_size) {
                Ok(plan) => (plan, Vec::new()),
                Err(err) => return self.finish(Err(err.into())),
            },
        };
        self.crcs = vec![None; plan.count() as usize];
        // Ranges outside the plan (number 0 included) are not the download's.
        for range in ranges {
            let slot = range.number.checked_sub(1).map(|i| i as usize);
            if let Some(slot) = slot.and_then(|i| self.crcs.get_mut(i)) {
                *slot = Some(range.crc64);
            }
        }
        // One range is redone whole after a crash anyway: no checkpoint for it.
        self.checkpointing = plan.count() > 1;
        self.object = Some((object, info));
        // The checkpoint's ranges count only once the temp file is known to hold them.
        self.window = Some(self.new_window(plan, false));
        self.stage = Stage::Temp { sent: false };
    }

    /// A window over `plan`; with `resumed`, the ranges in `crcs` are done already.
    fn new_window(&self, plan: PartPlan, resumed: bool) -> Window {
        let done: Vec<bool> = self.crcs.iter().map(|c| resumed && c.is_some()).collect();
        Window::new(plan, self.concurrency(&plan), |i| done[i as usize])
    }

    fn concurrency(&self, plan: &PartPlan) -> usize {
        plan.concurrency(self.options.concurrency)
    }

    /// How many actions of a stage may be out at once (the window's limit).
    fn limit(&self) -> usize {
        self.window
            .as_ref()
            .map_or(1, |w| self.concurrency(w.plan()))
    }

    fn on_temp(&mut self, result: Result<bool, ClientError>) {
        if !matches!(self.stage, Stage::Temp { sent: true }) {
            return;
        }
        let kept = match result {
            Ok(kept) => kept,
            Err(err) => return self.finish(Err(TransferError::Client(err))),
        };
        if !kept {
            self.crcs.iter_mut().for_each(|c| *c = None);
        }
        let queue: VecDeque<u32> = (0..self.crcs.len() as u32)
            .filter(|&i| self.crcs[i as usize].is_some())
            .collect();
        if queue.is_empty() {
            self.start_ranges();
        } else {
            self.stage = Stage::Recheck {
                queue,
                out: BTreeSet::new(),
            };
        }
    }

    /// A kept range was read back: it counts only if it still has the recorded CRC64.
    fn on_checked(&mut self, part_number: u32, result: Result<u64, ClientError>) {
        let Stage::Recheck { queue, out } = &mut self.stage else {
            return;
        };
        let index = part_number.wrapping_sub(1);
        if !out.remove(&index) {
            return;
        }
        if let Some(recorded) = self.crcs.get_mut(index as usize)
            && result.ok() != *recorded
        {
            *recorded = None;
        }
        if queue.is_empty() && out.is_empty() {
            self.start_ranges();
        }
    }

    /// The kept ranges are known: count them and start fetching the rest.
    fn start_ranges(&mut self) {
        if let Some(plan) = self.window.as_ref().map(|w| *w.plan()) {
            self.window = Some(self.new_window(plan, true));
        }
        let progress = self.progress();
        self.resumed_bytes = progress.committed;
        self.events.push_back(TransferEvent::Started {
            progress,
            parts: self.crcs.len() as u32,
            resumed: self.resumed_bytes,
        });
        self.stage = Stage::Ranges;
    }

    fn checkpoint_now(&self) -> Option<DownloadCheckpoint> {
        let (object, _) = self.object.as_ref()?;
        Some(DownloadCheckpoint {
            format: FORMAT,
            bucket: self.bucket.clone(),
            key: self.get.key().to_owned(),
            object: object.clone(),
            part_size: self.window.as_ref()?.plan().part_size(),
            ranges: self
                .crcs
                .iter()
                .enumerate()
                .filter_map(|(i, crc)| {
                    crc.map(|crc64| CompletedRange {
                        number: i as u32 + 1,
                        crc64,
                    })
                })
                .collect(),
            encryption: self.encryption.clone(),
        })
    }

    fn next_range_action(&mut self) -> Option<DownloadAction> {
        if self.saving.is_none() {
            let landed = self.window.as_ref()?.landed();
            if !landed.is_empty() {
                if self.checkpointing {
                    let checkpoint = self.checkpoint_now()?;
                    self.saving = Some(landed);
                    return Some(DownloadAction::SaveCheckpoint(checkpoint));
                }
                self.commit(&landed);
            }
            if self.window.as_ref()?.is_complete() {
                return self.verify();
            }
        }
        let (object, _) = self.object.as_ref()?;
        let (etag, size) = (object.etag.clone(), object.size);
        let window = self.window.as_mut()?;
        let (index, _) = window.start_next()?;
        let (offset, len) = window.plan().span(index);
        let op = match self.get.pinned_span(offset, offset + len - 1, size, &etag) {
            Ok(op) => op,
            Err(err) => {
                self.finish(Err(TransferError::Client(
                    cos_proto::Error::from(err).into(),
                )));
                return self.poll_action();
            }
        };
        self.fetched_bytes += len;
        self.events.push_back(TransferEvent::PartStarted {
            part: index + 1,
            progress: window.progress(),
        });
        Some(DownloadAction::GetRange {
            op,
            part_number: index + 1,
            offset,
            len,
        })
    }

    /// Every range is durable: compare the combined CRC64 with COS's. Without one, a
    /// decrypting download whose envelope records the plaintext CRC64 reads the file back
    /// to check it.
    fn verify(&mut self) -> Option<DownloadAction> {
        let plan = *self.window.as_ref()?.plan();
        let actual = self.combined_crc(&plan);
        let expected = self.object.as_ref()?.0.crc64;
        match expected {
            Some(expected) if expected != actual => {
                self.discard(TransferError::Crc64Mismatch {
                    what: "object".into(),
                    expected,
                    actual,
                });
            }
            None if self.plaintext_crc64.is_some() => {
                self.stage = Stage::CheckPlaintext { sent: false };
            }
            _ => self.stage = Stage::Finalize { sent: false },
        }
        self.poll_action()
    }

    fn discard(&mut self, err: TransferError) {
        self.pending_error = Some(err);
        self.stage = Stage::Discard { sent: false };
    }

    fn on_plaintext_checked(&mut self, result: Result<u64, ClientError>) {
        if !matches!(self.stage, Stage::CheckPlaintext { sent: true }) {
            return;
        }
        match (result, self.plaintext_crc64) {
            (Ok(actual), Some(expected)) if actual != expected => {
                self.discard(TransferError::Crc64Mismatch {
                    what: "decrypted object".into(),
                    expected,
                    actual,
                });
            }
            (Ok(_), _) => self.stage = Stage::Finalize { sent: false },
            (Err(err), _) => self.finish(Err(TransferError::Client(err))),
        }
    }

    fn combined_crc(&self, plan: &PartPlan) -> u64 {
        crc64::concat(
            self.crcs
                .iter()
                .enumerate()
                .map(|(i, crc)| (crc.unwrap_or(0), plan.span(i as u32).1)),
        )
    }

    fn commit(&mut self, indexes: &[u32]) {
        let Some(window) = self.window.as_mut() else {
            return;
        };
        for &index in indexes {
            if let Some(bytes) = window.commit(index) {
                self.events.push_back(TransferEvent::PartDone {
                    part: index + 1,
                    bytes,
                    progress: window.progress(),
                });
            }
        }
    }

    fn on_range(&mut self, part_number: u32, result: Result<(u64, u64), ClientError>) {
        let index = part_number.wrapping_sub(1);
        let Some(window) = self.window.as_mut() else {
            return;
        };
        if !matches!(self.stage, Stage::Ranges) || !window.is_running(index) {
            return;
        }
        let expected_len = window.plan().span(index).1;
        let failure = match result {
            Ok((received, crc)) if received == expected_len => {
                self.crcs[index as usize] = Some(crc);
                window.land(index);
                return;
            }
            Ok((received, _)) => TransferError::Client(ClientError::ShortBody {
                expected: expected_len,
                received,
            }),
            Err(err) if is_precondition_failed(&err) => {
                let etag = self.object.as_ref().map(|(o, _)| o.etag.clone());
                return self.finish(Err(TransferError::RemoteChanged {
                    etag: etag.unwrap_or_default(),
                }));
            }
            Err(err) => TransferError::Client(err),
        };
        let retry = match &failure {
            TransferError::Client(err) => is_transient(err),
            _ => true,
        };
        match window.fail(index, self.options.part_attempts) {
            Some(attempt) if retry => self.events.push_back(TransferEvent::Retrying {
                part: part_number,
                attempt,
                reason: failure.to_string(),
                progress: window.progress(),
            }),
            _ => self.finish(Err(failure)),
        }
    }

    fn on_saved(&mut self, result: Result<(), ClientError>) {
        let Some(saved) = self.saving.take() else {
            return;
        };
        match result {
            Ok(()) => self.commit(&saved),
            Err(err) => self.finish(Err(TransferError::Client(err))),
        }
    }

    fn succeed(&mut self) {
        let Some((object, info)) = self.object.clone() else {
            return;
        };
        let plan = self.window.as_ref().map(|w| *w.plan());
        let crc64 = plan.map_or(0, |p| self.combined_crc(&p));
        self.finish(Ok(DownloadOutput {
            object,
            crc64,
            info,
            resumed_bytes: self.resumed_bytes,
            fetched_bytes: self.fetched_bytes,
        }));
    }

    fn finish(&mut self, result: Result<DownloadOutput, TransferError>) {
        self.events
            .push_back(TransferEvent::end(&result, self.progress()));
        self.result = Some(result);
        self.stage = Stage::Over;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use cos_proto::Operation;

    use super::*;

    fn checkpoint() -> DownloadCheckpoint {
        DownloadCheckpoint::from_json(
            br#"{"format":1,"bucket":"b-1250000000","key":"k",
                "object":{"size":20,"etag":"\"e\"","crc64":null,"version_id":null},
                "part_size":10,"ranges":[{"number":1,"crc64":5}]}"#,
        )
        .unwrap()
    }

    /// A download of a 20-byte object in 10-byte ranges, resumed from `checkpoint`; the
    /// HEAD is answered.
    fn resumed(checkpoint: DownloadCheckpoint) -> Download {
        let options = TransferOptions::default().part_size(10);
        let mut download = Download::new(
            "b-1250000000",
            GetObject::new("k"),
            Some(checkpoint),
            options,
        );
        let Some(DownloadAction::Head(op)) = download.poll_action() else {
            panic!("a download starts with its HEAD");
        };
        let mut response = http::Response::new(bytes::Bytes::new());
        response.headers_mut().insert("content-length", 20.into());
        response
            .headers_mut()
            .insert("etag", http::HeaderValue::from_static("\"e\""));
        let info = op
            .parse_response(&"http://h/k".parse().unwrap(), response)
            .unwrap();
        download.handle(DownloadOutcome::Head(Ok(info)));
        download
    }

    /// Committed bytes never go back: the checkpoint's ranges count from the moment the
    /// kept temp file is known to hold them (read back with the recorded CRC64), not
    /// from the HEAD (they used to count from the HEAD, and drop to nothing when the
    /// temp file turned out to be gone).
    #[test]
    fn resumed_ranges_count_once_the_temp_file_is_kept_and_rechecked() {
        for (kept, read_back) in [(false, None), (true, Some(5)), (true, Some(6))] {
            let mut download = resumed(checkpoint());
            assert_eq!(download.progress().committed, 0);
            assert!(matches!(
                download.poll_action(),
                Some(DownloadAction::OpenTemp {
                    len: 20,
                    keep: true
                })
            ));
            assert_eq!(download.progress().committed, 0);
            download.handle(DownloadOutcome::TempReady(Ok(kept)));
            assert_eq!(download.progress().committed, 0);
            if let Some(result) = read_back {
                assert!(matches!(
                    download.poll_action(),
                    Some(DownloadAction::CheckRange {
                        part_number: 1,
                        offset: 0,
                        len: 10
                    })
                ));
                assert!(download.poll_action().is_none(), "one check per kept range");
                // A stray answer for a range not being checked changes nothing.
                download.handle(DownloadOutcome::RangeChecked {
                    part_number: 2,
                    result: Ok(5),
                });
                assert_eq!(download.progress().committed, 0);
                download.handle(DownloadOutcome::RangeChecked {
                    part_number: 1,
                    result: Ok(result),
                });
            }
            let resumed = if read_back == Some(5) { 10 } else { 0 };
            assert_eq!(download.progress().committed, resumed);
            assert!(matches!(
                download.poll_event(),
                Some(TransferEvent::Started { resumed: r, .. }) if r == resumed
            ));
        }
    }

    /// A checkpoint is a public struct, not only what `from_json` accepts: ranges
    /// numbered 0 or past the plan are ignored (range 0 used to overflow).
    #[test]
    fn checkpoint_ranges_outside_the_plan_are_ignored() {
        let mut checkpoint = checkpoint();
        let mut outside = checkpoint.ranges[0];
        outside.number = 3;
        checkpoint.ranges.push(outside);
        checkpoint.ranges[0].number = 0;
        let mut download = resumed(checkpoint);
        assert!(matches!(
            download.poll_action(),
            Some(DownloadAction::OpenTemp {
                len: 20,
                keep: false
            })
        ));
    }
}
