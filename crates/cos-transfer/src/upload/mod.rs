//! The upload machine: one PUT below the threshold, else a resumable multipart upload.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use cos_proto::crc64;
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{
    AbortMultipartUpload, CompleteMultipartUpload, CompleteMultipartUploadOutput, HeadObject,
    InitiateMultipartUpload, InitiateMultipartUploadOutput, ListParts, ListPartsOutput, ObjectInfo,
    PutObject, PutObjectOutput, UploadPart, UploadPartOutput,
};

use crate::checkpoint::{
    CIPHER_BLOCK, CompletedPart, EncryptionRecord, FORMAT, SourceIdentity, UploadCheckpoint,
};
use crate::error::{TransferError, is_no_such_upload, is_transient};
use crate::options::TransferOptions;
use crate::plan::PartPlan;
use crate::progress::{Progress, TransferEvent};
use crate::window::Window;

mod actions;
mod complete;
mod resume;

pub use actions::{UploadAction, UploadOutcome, UploadOutput};

#[derive(Debug)]
enum Stage {
    Start,
    AbortStale {
        upload_id: String,
        sent: bool,
    },
    Put {
        sent: bool,
    },
    List {
        marker: Option<u32>,
        sent: bool,
    },
    /// Reading back the recorded parts (indexes not yet asked for, and those out), then
    /// going on as `then` says.
    Hash {
        queue: VecDeque<u32>,
        out: BTreeSet<u32>,
        then: AfterHash,
    },
    Initiate {
        sent: bool,
    },
    Parts,
    /// Checking the source once every byte is sent; `put` is the answer of a single
    /// PUT, kept until the check passes.
    CheckSource {
        sent: bool,
        put: Option<UploadOutput>,
    },
    Complete {
        sent: bool,
    },
    Verify {
        sent: bool,
        resumed: bool,
    },
    Remove {
        sent: bool,
        output: UploadOutput,
    },
    Over,
}

/// What follows the read-back of the recorded parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterHash {
    /// The upload is still open: send the parts that are missing or changed.
    Parts,
    /// The upload is gone and the checkpoint recorded every part: if the file is still
    /// the one recorded, the object may be this upload's, completed by an earlier run.
    Confirm,
}

/// The upload state machine for one source and one key. See the crate docs for the
/// driving loop; the driver reports every action's outcome with [`Upload::handle`].
#[derive(Debug)]
pub struct Upload {
    bucket: String,
    put: PutObject,
    source: SourceIdentity,
    options: TransferOptions,
    encryption: Option<EncryptionRecord>,
    stage: Stage,
    checkpoint: Option<UploadCheckpoint>,
    upload_id: String,
    window: Option<Window>,
    parts: Vec<Option<CompletedPart>>,
    listed: BTreeMap<u32, (String, u64)>,
    saving: Option<Vec<u32>>,
    recorded: bool,
    single_attempts: u32,
    step_attempts: u32,
    resumed_bytes: u64,
    sent_bytes: u64,
    events: VecDeque<TransferEvent>,
    result: Option<Result<UploadOutput, TransferError>>,
}

impl Upload {
    /// An upload of `source` to `bucket`, with the attributes of `put` (its length is
    /// ignored: the source's size is used). `checkpoint` is what an earlier run left
    /// (`None` if there is no file or it could not be parsed): if it names the same
    /// bucket, key and source size ([`Upload::checkpoint_matches`]), its parts are read
    /// back, reconciled with COS, and only missing or changed parts are sent; otherwise
    /// its upload is aborted and the upload starts over.
    pub fn new(
        bucket: impl Into<String>,
        put: PutObject,
        source: SourceIdentity,
        checkpoint: Option<UploadCheckpoint>,
        options: TransferOptions,
    ) -> Self {
        Self {
            bucket: bucket.into(),
            put,
            source,
            options,
            encryption: None,
            stage: Stage::Start,
            checkpoint,
            upload_id: String::new(),
            window: None,
            parts: Vec::new(),
            listed: BTreeMap::new(),
            saving: None,
            recorded: true,
            single_attempts: 0,
            step_attempts: 0,
            resumed_bytes: 0,
            sent_bytes: 0,
            events: VecDeque::new(),
            result: None,
        }
    }

    /// Marks the upload's bytes as encrypted with the envelope of `record` (whose
    /// headers `put` must carry): checkpoints record it, and only a checkpoint with an
    /// equal record is resumed — a plain checkpoint, or one of another envelope, has its
    /// upload aborted and the upload starts over. The driver encrypts every body at its
    /// offset in the source; the part size must then be a multiple of 16 (else the
    /// upload fails with [`TransferError::InvalidOptions`]).
    /// `cos_transfer::encrypted` (feature `crypto`) builds such uploads.
    pub fn with_encryption(mut self, record: EncryptionRecord) -> Self {
        self.encryption = Some(record);
        self
    }

    /// Whether `source` goes in one PUT with `options`: below the multipart threshold,
    /// or empty (a multipart upload needs at least one part).
    pub fn is_single_put(source: &SourceIdentity, options: &TransferOptions) -> bool {
        source.size < options.multipart_threshold || source.size == 0
    }

    /// Whether `checkpoint` may belong to an upload of `source` to `bucket` and `key`:
    /// the same bucket, key and size (an upload resumes from it only if its encryption
    /// record is also equal to the upload's). The file's times are not trusted: the
    /// parts the checkpoint records are read back and kept only if their bytes are the
    /// same.
    pub fn checkpoint_matches(
        checkpoint: &UploadCheckpoint,
        bucket: &str,
        key: &str,
        source: &SourceIdentity,
    ) -> bool {
        checkpoint.bucket == bucket
            && checkpoint.key == key
            && checkpoint.source.size == source.size
            && PartPlan::exact(source.size, checkpoint.part_size).is_some()
    }

    /// The next event to report, if any.
    pub fn poll_event(&mut self) -> Option<TransferEvent> {
        self.events.pop_front()
    }

    /// Current progress.
    pub fn progress(&self) -> Progress {
        match &self.window {
            Some(w) => w.progress(),
            None => Progress {
                total: self.source.size,
                committed: if matches!(self.stage, Stage::Remove { .. } | Stage::Over) {
                    self.source.size
                } else {
                    0
                },
                in_flight: if matches!(self.stage, Stage::Put { sent: true }) {
                    self.source.size
                } else {
                    0
                },
            },
        }
    }

    /// The next action, or `None` when the driver must wait for an outcome of an action
    /// in flight (or the upload is over and `Done` was returned).
    pub fn poll_action(&mut self) -> Option<UploadAction> {
        loop {
            match &mut self.stage {
                Stage::Start => self.start(),
                Stage::AbortStale { upload_id, sent } => {
                    if *sent {
                        return None;
                    }
                    *sent = true;
                    let op = AbortMultipartUpload::new(self.put.key(), upload_id.clone());
                    return Some(UploadAction::AbortStale(op));
                }
                Stage::Put { sent } => {
                    if *sent {
                        return None;
                    }
                    *sent = true;
                    self.single_attempts += 1;
                    self.sent_bytes += self.source.size;
                    return Some(UploadAction::Put {
                        op: self.put.clone().with_content_length(Some(self.source.size)),
                        len: self.source.size,
                        source: self.source.clone(),
                    });
                }
                Stage::List { marker, sent } => {
                    if *sent {
                        return None;
                    }
                    *sent = true;
                    let mut op = ListParts::new(self.put.key(), self.upload_id.clone());
                    if let Some(marker) = marker {
                        op = op.part_number_marker(*marker);
                    }
                    return Some(UploadAction::ListParts(op));
                }
                Stage::Hash { queue, out, .. } => {
                    let asked = self.options.concurrency;
                    let limit = self
                        .window
                        .as_ref()
                        .map_or(1, |w| w.plan().concurrency(asked));
                    if out.len() >= limit {
                        return None;
                    }
                    let index = queue.pop_front()?;
                    out.insert(index);
                    let (offset, len) = self.window.as_ref()?.plan().span(index);
                    return Some(UploadAction::HashPart {
                        part_number: index + 1,
                        offset,
                        len,
                        source: self.source.clone(),
                    });
                }
                Stage::Initiate { sent } => {
                    if *sent {
                        return None;
                    }
                    *sent = true;
                    // An upload that cannot be planned is never started.
                    if let Err(err) = self.plan() {
                        self.fail(err);
                        continue;
                    }
                    return Some(UploadAction::Initiate(self.put.to_multipart()));
                }
                Stage::Parts => return self.next_part_action(),
                Stage::CheckSource { sent, .. } => {
                    if *sent {
                        return None;
                    }
                    *sent = true;
                    return Some(UploadAction::CheckSource);
                }
                Stage::Complete { sent } => {
                    if *sent {
                        return None;
                    }
                    *sent = true;
                    let parts = self
                        .parts
                        .iter()
                        .flatten()
                        .map(|p| (p.number, p.etag.clone()));
                    let op = CompleteMultipartUpload::new(self.put.key(), self.upload_id.clone())
                        .parts(parts);
                    return Some(UploadAction::Complete(op));
                }
                Stage::Verify { sent, .. } => {
                    if *sent {
                        return None;
                    }
                    *sent = true;
                    let mut head = HeadObject::new(self.put.key());
                    if let Some(key) = self.put.customer_key() {
                        head = head.customer_key(key.clone());
                    }
                    return Some(UploadAction::VerifyCompleted(head));
                }
                Stage::Remove { sent, .. } => {
                    if *sent {
                        return None;
                    }
                    *sent = true;
                    return Some(UploadAction::RemoveCheckpoint);
                }
                Stage::Over => return self.result.take().map(UploadAction::Done),
            }
        }
    }

    /// Reports the outcome of an action returned by [`Upload::poll_action`].
    pub fn handle(&mut self, outcome: UploadOutcome) {
        if matches!(self.stage, Stage::Over) {
            return;
        }
        match outcome {
            UploadOutcome::Put(result) => self.on_put(result),
            UploadOutcome::Aborted(_) => {
                if matches!(self.stage, Stage::AbortStale { sent: true, .. }) {
                    self.stage = if self.single_put() {
                        Stage::Put { sent: false }
                    } else {
                        Stage::Initiate { sent: false }
                    };
                }
            }
            UploadOutcome::PartsListed(result) => self.on_listed(result),
            UploadOutcome::Initiated(result) => self.on_initiated(result),
            UploadOutcome::PartUploaded {
                part_number,
                result,
            } => self.on_part(part_number, result),
            UploadOutcome::PartHashed {
                part_number,
                result,
            } => self.on_hashed(part_number, result),
            UploadOutcome::CheckpointSaved(result) => self.on_saved(result),
            UploadOutcome::SourceChecked(result) => self.on_source_checked(result),
            UploadOutcome::Completed(result) => self.on_completed(result),
            UploadOutcome::Verified(result) => self.on_verified(result),
            UploadOutcome::CheckpointRemoved(_) => {
                if !matches!(self.stage, Stage::Remove { sent: true, .. }) {
                    return;
                }
                if let Stage::Remove { output, .. } =
                    std::mem::replace(&mut self.stage, Stage::Over)
                {
                    self.finish(Ok(output));
                }
            }
        }
    }

    fn start(&mut self) {
        let stale = self.checkpoint.take();
        if self.single_put() {
            self.stage = match stale {
                Some(cp) => Stage::AbortStale {
                    upload_id: cp.upload_id,
                    sent: false,
                },
                None => Stage::Put { sent: false },
            };
            self.events.push_back(TransferEvent::Started {
                progress: self.progress(),
                parts: 1,
                resumed: 0,
            });
            return;
        }
        if let Some(cp) = stale {
            let plan = PartPlan::exact(self.source.size, cp.part_size);
            let usable = Self::checkpoint_matches(&cp, &self.bucket, self.put.key(), &self.source)
                && cp.encryption == self.encryption;
            if let (true, Some(plan)) = (usable, plan) {
                self.upload_id = cp.upload_id.clone();
                self.parts = vec![None; plan.count() as usize];
                // Parts outside the plan (number 0 included) are not the upload's.
                for part in cp.parts {
                    let slot = part.number.checked_sub(1).map(|i| i as usize);
                    if let Some(slot) = slot.and_then(|i| self.parts.get_mut(i)) {
                        *slot = Some(part);
                    }
                }
                self.window = Some(Window::new(plan, 1, |_| false));
                self.stage = Stage::List {
                    marker: None,
                    sent: false,
                };
                return;
            }
            self.stage = Stage::AbortStale {
                upload_id: cp.upload_id,
                sent: false,
            };
            return;
        }
        self.stage = Stage::Initiate { sent: false };
    }

    /// Whether the source goes in one PUT: below the threshold, or empty (a multipart
    /// upload needs at least one part).
    fn single_put(&self) -> bool {
        Self::is_single_put(&self.source, &self.options)
    }

    fn plan(&self) -> Result<PartPlan, TransferError> {
        let plan = PartPlan::new(self.source.size, self.options.part_size)?;
        if self.encryption.is_some() && !plan.part_size().is_multiple_of(CIPHER_BLOCK) {
            return Err(TransferError::InvalidOptions(format!(
                "encrypted parts must be a multiple of 16 bytes, not {}",
                plan.part_size()
            )));
        }
        Ok(plan)
    }

    fn concurrency(&self, plan: &PartPlan) -> usize {
        plan.concurrency(self.options.concurrency)
    }

    /// Starts the part phase over `plan`, with the parts in `self.parts` counted done.
    fn begin_parts(&mut self, plan: PartPlan) {
        self.start_window(plan);
        self.stage = Stage::Parts;
    }

    /// The window over `plan`, with the parts in `self.parts` counted done (what an
    /// earlier run sent), and the event that says so.
    fn start_window(&mut self, plan: PartPlan) {
        let done: Vec<bool> = self.parts.iter().map(Option::is_some).collect();
        let window = Window::new(plan, self.concurrency(&plan), |i| done[i as usize]);
        self.resumed_bytes = window.progress().committed;
        self.events.push_back(TransferEvent::Started {
            progress: window.progress(),
            parts: plan.count(),
            resumed: self.resumed_bytes,
        });
        self.window = Some(window);
    }

    fn checkpoint_now(&self) -> UploadCheckpoint {
        UploadCheckpoint {
            format: FORMAT,
            bucket: self.bucket.clone(),
            key: self.put.key().to_owned(),
            upload_id: self.upload_id.clone(),
            part_size: self.window.as_ref().map_or(0, |w| w.plan().part_size()),
            source: self.source.clone(),
            parts: self.parts.iter().flatten().cloned().collect(),
            encryption: self.encryption.clone(),
        }
    }

    fn next_part_action(&mut self) -> Option<UploadAction> {
        let window = self.window.as_mut()?;
        if self.saving.is_none() {
            let landed = window.landed();
            if !landed.is_empty() || !self.recorded {
                self.saving = Some(landed);
                return Some(UploadAction::SaveCheckpoint(self.checkpoint_now()));
            }
            if window.is_complete() {
                self.stage = Stage::CheckSource {
                    sent: false,
                    put: None,
                };
                return self.poll_action();
            }
        }
        if !self.recorded {
            return None;
        }
        let (index, _attempt) = window.start_next()?;
        let (offset, len) = window.plan().span(index);
        let part_number = index + 1;
        let mut op = UploadPart::new(
            self.put.key(),
            self.upload_id.clone(),
            part_number,
            Some(len),
        );
        if let Some(limit) = self.put.traffic_limit_value() {
            op = op.traffic_limit(limit);
        }
        if let Some(key) = self.put.customer_key() {
            op = op.customer_key(key.clone());
        }
        self.sent_bytes += len;
        self.events.push_back(TransferEvent::PartStarted {
            part: part_number,
            progress: window.progress(),
        });
        Some(UploadAction::UploadPart {
            op,
            offset,
            len,
            source: self.source.clone(),
        })
    }

    fn on_put(&mut self, result: Result<(PutObjectOutput, u64), ClientError>) {
        if !matches!(self.stage, Stage::Put { sent: true }) {
            return;
        }
        let failure = match result {
            Ok((output, crc)) => match output.crc64 {
                Some(expected) if expected != crc => TransferError::Crc64Mismatch {
                    what: "object".into(),
                    expected,
                    actual: crc,
                },
                _ => {
                    let done = UploadOutput {
                        etag: output.etag,
                        crc64: crc,
                        version_id: output.version_id,
                        size: self.source.size,
                        parts: 0,
                        resumed_bytes: 0,
                        sent_bytes: self.sent_bytes,
                    };
                    // The file must not have changed while it was read.
                    self.stage = Stage::CheckSource {
                        sent: false,
                        put: Some(done),
                    };
                    return;
                }
            },
            Err(err) => TransferError::Client(err),
        };
        let retry = match &failure {
            TransferError::Client(err) => is_transient(err),
            _ => true,
        };
        if retry && self.single_attempts < self.options.part_attempts {
            self.events.push_back(TransferEvent::Retrying {
                part: 1,
                attempt: self.single_attempts + 1,
                reason: failure.to_string(),
                progress: self.progress(),
            });
            self.stage = Stage::Put { sent: false };
        } else {
            self.finish(Err(failure));
        }
    }

    fn on_initiated(&mut self, result: Result<InitiateMultipartUploadOutput, ClientError>) {
        if !matches!(self.stage, Stage::Initiate { sent: true }) {
            return;
        }
        let output = match result {
            Ok(output) => output,
            Err(err) => {
                // A new upload id is harmless: an earlier attempt that COS may have
                // carried out holds no parts.
                return self.retry_step(err, Stage::Initiate { sent: false });
            }
        };
        self.step_attempts = 0;
        let plan = match self.plan() {
            Ok(plan) => plan,
            Err(err) => return self.fail(err),
        };
        self.upload_id = output.upload_id;
        self.parts = vec![None; plan.count() as usize];
        // The upload id is recorded before any part is sent, so that a crash never
        // leaves an upload nobody knows about.
        self.recorded = false;
        self.begin_parts(plan);
    }

    fn on_part(&mut self, part_number: u32, result: Result<(UploadPartOutput, u64), ClientError>) {
        let index = part_number.wrapping_sub(1);
        let Some(window) = self.window.as_mut() else {
            return;
        };
        if !matches!(self.stage, Stage::Parts) || !window.is_running(index) {
            return;
        }
        let failure = match result {
            Ok((output, crc)) => match output.crc64 {
                Some(expected) if expected != crc => TransferError::Crc64Mismatch {
                    what: format!("part {part_number}"),
                    expected,
                    actual: crc,
                },
                _ => {
                    self.parts[index as usize] = Some(CompletedPart {
                        number: part_number,
                        etag: output.etag,
                        crc64: crc,
                    });
                    window.land(index);
                    return;
                }
            },
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
            _ => self.fail(failure),
        }
    }

    fn on_saved(&mut self, result: Result<(), ClientError>) {
        let Some(saved) = self.saving.take() else {
            return;
        };
        if let Err(err) = result {
            return self.fail(TransferError::Client(err));
        }
        self.recorded = true;
        let Some(window) = self.window.as_mut() else {
            return;
        };
        for index in saved {
            if let Some(bytes) = window.commit(index) {
                self.events.push_back(TransferEvent::PartDone {
                    part: index + 1,
                    bytes,
                    progress: window.progress(),
                });
            }
        }
    }

    /// A one-off step (initiate, list, complete) failed: send it again if the failure
    /// is transient and attempts are left, else fail.
    fn retry_step(&mut self, err: ClientError, again: Stage) {
        self.step_attempts += 1;
        if is_transient(&err) && self.step_attempts < self.options.part_attempts {
            self.events.push_back(TransferEvent::Retrying {
                part: 0,
                attempt: self.step_attempts + 1,
                reason: err.to_string(),
                progress: self.progress(),
            });
            self.stage = again;
        } else {
            self.fail(TransferError::Client(err));
        }
    }

    fn finish(&mut self, result: Result<UploadOutput, TransferError>) {
        self.events
            .push_back(TransferEvent::end(&result, self.progress()));
        self.result = Some(result);
        self.stage = Stage::Over;
    }

    fn fail(&mut self, err: TransferError) {
        self.finish(Err(err));
    }
}

/// The whole object's CRC64, combined from the parts' in order.
fn combined_crc(parts: &[Option<CompletedPart>], plan: Option<PartPlan>) -> u64 {
    let Some(plan) = plan else { return 0 };
    crc64::concat(parts.iter().enumerate().map(|(index, part)| {
        let crc = part.as_ref().map_or(0, |p| p.crc64);
        (crc, plan.span(index as u32).1)
    }))
}

/// ETags compare without their quotes (listings and answers differ in quoting).
pub(crate) fn same_etag(a: &str, b: &str) -> bool {
    a.trim_matches('"') == b.trim_matches('"')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use cos_proto::Operation;

    use super::*;

    fn multipart() -> Upload {
        let source = SourceIdentity {
            size: 300,
            modified_ns: None,
            changed_ns: None,
            inode: None,
        };
        let options = TransferOptions::default()
            .multipart_threshold(100)
            .part_size(100);
        Upload::new(
            "b-1250000000",
            PutObject::new("k", None),
            source,
            None,
            options,
        )
    }

    fn initiated(op: &InitiateMultipartUpload) -> InitiateMultipartUploadOutput {
        let xml = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>\
                   <UploadId>u</UploadId></InitiateMultipartUploadResult>";
        let response = http::Response::new(bytes::Bytes::from_static(xml.as_bytes()));
        op.parse_response(&"http://h/k".parse().unwrap(), response)
            .unwrap()
    }

    /// A checkpoint removal or abort nobody asked for is ignored. A stray removal used
    /// to end the upload without a result, so the driver waited forever.
    #[test]
    fn stray_removals_and_aborts_are_ignored() {
        let mut upload = multipart();
        let Some(UploadAction::Initiate(op)) = upload.poll_action() else {
            panic!("a multipart upload initiates first");
        };
        upload.handle(UploadOutcome::CheckpointRemoved(Ok(())));
        upload.handle(UploadOutcome::Aborted(Ok(())));
        upload.handle(UploadOutcome::Initiated(Ok(initiated(&op))));
        assert!(matches!(
            upload.poll_action(),
            Some(UploadAction::SaveCheckpoint(_))
        ));
    }

    /// A checkpoint is a public struct, not only what `from_json` accepts: parts
    /// numbered 0 or past the plan are ignored (part 0 used to overflow).
    #[test]
    fn checkpoint_parts_outside_the_plan_are_ignored() {
        let mut checkpoint = UploadCheckpoint::from_json(
            br#"{"format":1,"bucket":"b-1250000000","key":"k","upload_id":"u",
                "part_size":100,"source":{"size":300,"modified_ns":null},
                "parts":[{"number":1,"etag":"\"e\"","crc64":1}]}"#,
        )
        .unwrap();
        let mut outside = checkpoint.parts[0].clone();
        outside.number = 4;
        checkpoint.parts.push(outside);
        checkpoint.parts[0].number = 0;
        let options = TransferOptions::default()
            .multipart_threshold(100)
            .part_size(100);
        let source = checkpoint.source.clone();
        let mut upload = Upload::new(
            "b-1250000000",
            PutObject::new("k", None),
            source,
            Some(checkpoint),
            options,
        );
        assert!(matches!(
            upload.poll_action(),
            Some(UploadAction::ListParts(_))
        ));
        assert!(upload.parts.iter().all(Option::is_none));
    }
}
