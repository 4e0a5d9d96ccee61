//! The copy machine: one server-side copy up to the threshold, parallel part copies
//! above it, each pinned to the source's ETag; and a move, which deletes the source
//! only once the destination is verified.

use std::collections::VecDeque;

use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{
    AbortMultipartUpload, CompleteMultipartUpload, CompleteMultipartUploadOutput, CopyObject,
    CopyObjectOutput, DeleteObject, HeadObject, InitiateMultipartUploadOutput, ObjectInfo,
    UploadPartCopy, UploadPartCopyOutput,
};

use crate::error::{TransferError, is_precondition_failed, is_transient};
use crate::options::TransferOptions;
use crate::plan::PartPlan;
use crate::progress::{Progress, TransferEvent};
use crate::window::Window;

/// What the driver must do next for a [`Copy`](struct@Copy).
// Each value is moved once per request: boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum CopyAction {
    /// HEAD the source — in the source's bucket and region (see
    /// `cos_proto::ops::CopySource::config`); report [`CopyOutcome::SourceHead`].
    HeadSource(HeadObject),
    /// Copy in one request; report [`CopyOutcome::Copied`].
    CopyObject(CopyObject),
    /// Start the multipart copy; report [`CopyOutcome::Initiated`].
    Initiate(cos_proto::ops::InitiateMultipartUpload),
    /// Copy one part; report [`CopyOutcome::PartCopied`]. Several may be in flight.
    UploadPartCopy {
        /// The request.
        op: UploadPartCopy,
        /// Its part number.
        part_number: u32,
    },
    /// Finish the multipart copy; report [`CopyOutcome::Completed`].
    Complete(CompleteMultipartUpload),
    /// Abort the failed multipart copy; report [`CopyOutcome::Aborted`].
    Abort(AbortMultipartUpload),
    /// HEAD the destination to verify it before deleting the source of a move; report
    /// [`CopyOutcome::DestinationHead`].
    HeadDestination(HeadObject),
    /// Delete the source of a move — in the source's bucket and region; report
    /// [`CopyOutcome::SourceDeleted`].
    DeleteSource(DeleteObject),
    /// The copy is over. After this, `poll_action` returns `None`.
    Done(Result<CopyOutput, TransferError>),
}

/// What happened to a [`CopyAction`].
// Each value is moved once per request: boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum CopyOutcome {
    /// The source's HEAD.
    SourceHead(Result<ObjectInfo, ClientError>),
    /// The single copy's answer.
    Copied(Result<CopyObjectOutput, ClientError>),
    /// The initiation's answer.
    Initiated(Result<InitiateMultipartUploadOutput, ClientError>),
    /// A part copy's answer.
    PartCopied {
        /// The action's part number.
        part_number: u32,
        /// The answer.
        result: Result<UploadPartCopyOutput, ClientError>,
    },
    /// The completion's answer.
    Completed(Result<CompleteMultipartUploadOutput, ClientError>),
    /// The abort's answer (failures are ignored).
    Aborted(Result<(), ClientError>),
    /// The destination's HEAD.
    DestinationHead(Result<ObjectInfo, ClientError>),
    /// The source's deletion.
    SourceDeleted(Result<(), ClientError>),
}

/// A finished copy (or move).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyOutput {
    /// The new object's ETag.
    pub etag: String,
    /// The new object's CRC64, when COS sent one.
    pub crc64: Option<u64>,
    /// The new object's version on versioned buckets.
    pub version_id: Option<String>,
    /// Bytes copied.
    pub size: u64,
    /// Part copies made (0 for a single copy).
    pub parts: u32,
    /// Whether the source was deleted (a move).
    pub source_deleted: bool,
}

#[derive(Debug)]
enum Stage {
    HeadSource { sent: bool },
    Single { sent: bool },
    Initiate { sent: bool },
    Parts,
    Complete { sent: bool },
    Abort { sent: bool },
    HeadDestination { sent: bool },
    DeleteSource { sent: bool },
    Over,
}

/// The copy state machine. See the crate docs for the driving loop.
#[derive(Debug)]
pub struct Copy {
    op: CopyObject,
    options: TransferOptions,
    delete_source: bool,
    stage: Stage,
    source: Option<ObjectInfo>,
    upload_id: String,
    window: Option<Window>,
    etags: Vec<Option<(String, Option<u64>)>>,
    output: Option<CopyOutput>,
    pending_error: Option<TransferError>,
    step_attempts: u32,
    events: VecDeque<TransferEvent>,
    result: Option<Result<CopyOutput, TransferError>>,
}

impl Copy {
    /// Copies as `op` describes (destination key, source, directives, attributes).
    pub fn new(op: CopyObject, options: TransferOptions) -> Self {
        Self::with_delete(op, options, false)
    }

    /// Moves: copies as `op` describes, verifies the destination (size, and CRC64 when
    /// both sides have one), and only then deletes the source.
    pub fn moving(op: CopyObject, options: TransferOptions) -> Self {
        Self::with_delete(op, options, true)
    }

    fn with_delete(op: CopyObject, options: TransferOptions, delete_source: bool) -> Self {
        Self {
            op,
            options,
            delete_source,
            stage: Stage::HeadSource { sent: false },
            source: None,
            upload_id: String::new(),
            window: None,
            etags: Vec::new(),
            output: None,
            pending_error: None,
            step_attempts: 0,
            events: VecDeque::new(),
            result: None,
        }
    }

    /// The copy's source (its bucket and region are where `HeadSource` and
    /// `DeleteSource` go).
    pub fn source(&self) -> &cos_proto::ops::CopySource {
        self.op.source()
    }

    /// The next event to report, if any.
    pub fn poll_event(&mut self) -> Option<TransferEvent> {
        self.events.pop_front()
    }

    /// Current progress.
    pub fn progress(&self) -> Progress {
        let total = self.size();
        match &self.window {
            Some(w) => w.progress(),
            None if self.output.is_some() => Progress {
                total,
                committed: total,
                in_flight: 0,
            },
            None => Progress {
                total,
                ..Progress::default()
            },
        }
    }

    fn size(&self) -> u64 {
        self.source
            .as_ref()
            .and_then(|s| s.content_length)
            .unwrap_or(0)
    }

    fn source_etag(&self) -> String {
        self.source
            .as_ref()
            .and_then(|s| s.etag.clone())
            .unwrap_or_default()
    }

    /// The next action, or `None` when the driver must wait for an outcome.
    pub fn poll_action(&mut self) -> Option<CopyAction> {
        let etag = self.source_etag();
        match &mut self.stage {
            Stage::HeadSource { sent } => {
                once(sent).then(|| CopyAction::HeadSource(self.op.source().head_object()))
            }
            Stage::Single { sent } => {
                once(sent).then(|| CopyAction::CopyObject(self.op.pinned(&etag)))
            }
            Stage::Initiate { sent } => {
                let info = self.source.as_ref()?;
                once(sent).then(|| CopyAction::Initiate(self.op.to_multipart(info)))
            }
            Stage::Parts => self.next_part(&etag),
            Stage::Complete { sent } => once(sent).then(|| {
                let parts =
                    self.etags.iter().enumerate().filter_map(|(i, e)| {
                        e.as_ref().map(|(etag, _)| (i as u32 + 1, etag.clone()))
                    });
                CopyAction::Complete(
                    CompleteMultipartUpload::new(self.op.key(), self.upload_id.clone())
                        .parts(parts),
                )
            }),
            Stage::Abort { sent } => once(sent).then(|| {
                CopyAction::Abort(AbortMultipartUpload::new(
                    self.op.key(),
                    self.upload_id.clone(),
                ))
            }),
            Stage::HeadDestination { sent } => once(sent).then(|| {
                let mut head = HeadObject::new(self.op.key());
                if let Some(v) = self.output.as_ref().and_then(|o| o.version_id.clone()) {
                    head = head.version_id(v);
                }
                CopyAction::HeadDestination(head)
            }),
            Stage::DeleteSource { sent } => once(sent).then(|| {
                let source = self.op.source();
                let mut delete = DeleteObject::new(source.key());
                if let Some(v) = source.version() {
                    delete = delete.version_id(v);
                }
                CopyAction::DeleteSource(delete)
            }),
            Stage::Over => self.result.take().map(CopyAction::Done),
        }
    }

    fn next_part(&mut self, etag: &str) -> Option<CopyAction> {
        let window = self.window.as_mut()?;
        let landed = window.landed();
        for index in landed {
            if let Some(bytes) = window.commit(index) {
                self.events.push_back(TransferEvent::PartDone {
                    part: index + 1,
                    bytes,
                    progress: window.progress(),
                });
            }
        }
        if window.is_complete() {
            self.stage = Stage::Complete { sent: false };
            return self.poll_action();
        }
        let (index, _) = window.start_next()?;
        let (offset, len) = window.plan().span(index);
        let op = self
            .op
            .to_part_copy(&self.upload_id, index + 1, offset, offset + len - 1, etag);
        self.events.push_back(TransferEvent::PartStarted {
            part: index + 1,
            progress: window.progress(),
        });
        Some(CopyAction::UploadPartCopy {
            op,
            part_number: index + 1,
        })
    }

    /// Reports the outcome of an action returned by [`Copy::poll_action`].
    pub fn handle(&mut self, outcome: CopyOutcome) {
        let outcome = match self.retry_step(outcome) {
            Some(outcome) => outcome,
            None => return,
        };
        match (&self.stage, outcome) {
            (Stage::HeadSource { sent: true }, CopyOutcome::SourceHead(result)) => {
                self.on_source(result)
            }
            (Stage::Single { sent: true }, CopyOutcome::Copied(result)) => match result {
                Ok(out) => {
                    let output = CopyOutput {
                        etag: out.etag,
                        crc64: out.crc64,
                        version_id: out.version_id,
                        size: self.size(),
                        parts: 0,
                        source_deleted: false,
                    };
                    self.copied(output);
                }
                Err(err) => self.finish(Err(self.copy_error(err))),
            },
            (Stage::Initiate { sent: true }, CopyOutcome::Initiated(result)) => match result {
                Ok(out) => {
                    self.upload_id = out.upload_id;
                    self.stage = Stage::Parts;
                }
                Err(err) => self.finish(Err(TransferError::Client(err))),
            },
            (
                Stage::Parts,
                CopyOutcome::PartCopied {
                    part_number,
                    result,
                },
            ) => self.on_part(part_number, result),
            (Stage::Complete { sent: true }, CopyOutcome::Completed(result)) => match result {
                Ok(out) => {
                    let output = CopyOutput {
                        etag: out.etag,
                        crc64: out.crc64,
                        version_id: out.version_id,
                        size: self.size(),
                        parts: self.etags.len() as u32,
                        source_deleted: false,
                    };
                    self.copied(output);
                }
                Err(err) => self.abort(TransferError::Client(err)),
            },
            (Stage::Abort { sent: true }, CopyOutcome::Aborted(_)) => {
                let err = self
                    .pending_error
                    .take()
                    .unwrap_or(TransferError::Cancelled);
                self.finish(Err(err));
            }
            (Stage::HeadDestination { sent: true }, CopyOutcome::DestinationHead(result)) => {
                match result {
                    Ok(info) => self.verify_destination(&info),
                    Err(err) => self.finish(Err(TransferError::Client(err))),
                }
            }
            (Stage::DeleteSource { sent: true }, CopyOutcome::SourceDeleted(result)) => {
                match result {
                    Ok(()) => {
                        let mut output = self.output.clone();
                        if let Some(o) = output.as_mut() {
                            o.source_deleted = true;
                        }
                        self.succeed(output);
                    }
                    Err(err) => self.finish(Err(TransferError::Client(err))),
                }
            }
            _ => {}
        }
    }

    /// One-off steps (the HEADs, a single copy, initiate, complete) that fail
    /// transiently are sent again while attempts are left; `None` when that happened.
    fn retry_step(&mut self, outcome: CopyOutcome) -> Option<CopyOutcome> {
        let (err, again) = match (&self.stage, &outcome) {
            (Stage::HeadSource { sent: true }, CopyOutcome::SourceHead(Err(e))) => {
                (e, Stage::HeadSource { sent: false })
            }
            (Stage::Single { sent: true }, CopyOutcome::Copied(Err(e))) => {
                (e, Stage::Single { sent: false })
            }
            (Stage::Initiate { sent: true }, CopyOutcome::Initiated(Err(e))) => {
                (e, Stage::Initiate { sent: false })
            }
            (Stage::Complete { sent: true }, CopyOutcome::Completed(Err(e))) => {
                (e, Stage::Complete { sent: false })
            }
            (Stage::HeadDestination { sent: true }, CopyOutcome::DestinationHead(Err(e))) => {
                (e, Stage::HeadDestination { sent: false })
            }
            _ => return Some(outcome),
        };
        if !is_transient(err) || self.step_attempts + 1 >= self.options.part_attempts {
            return Some(outcome);
        }
        self.step_attempts += 1;
        self.events.push_back(TransferEvent::Retrying {
            part: 0,
            attempt: self.step_attempts + 1,
            reason: err.to_string(),
            progress: self.progress(),
        });
        self.stage = again;
        None
    }

    fn on_source(&mut self, result: Result<ObjectInfo, ClientError>) {
        let info = match result {
            Ok(info) => info,
            Err(err) => return self.finish(Err(TransferError::Client(err))),
        };
        let (Some(size), Some(_)) = (info.content_length, info.etag.as_ref()) else {
            return self.finish(Err(TransferError::Unexpected(
                "the source's HEAD has no Content-Length or ETag".into(),
            )));
        };
        self.source = Some(info);
        // A multipart copy needs at least one part: an empty source is one copy whatever
        // the threshold.
        if size < self.options.copy_threshold || size == 0 {
            self.events.push_back(TransferEvent::Started {
                progress: self.progress(),
                parts: 1,
                resumed: 0,
            });
            self.stage = Stage::Single { sent: false };
            return;
        }
        let plan = match PartPlan::new(size, self.options.part_size.max(1)) {
            Ok(plan) => plan,
            Err(err) => return self.finish(Err(err.into())),
        };
        let limit = plan.concurrency(self.options.concurrency);
        self.etags = vec![None; plan.count() as usize];
        self.window = Some(Window::new(plan, limit, |_| false));
        self.events.push_back(TransferEvent::Started {
            progress: self.progress(),
            parts: plan.count(),
            resumed: 0,
        });
        self.stage = Stage::Initiate { sent: false };
    }

    fn on_part(&mut self, part_number: u32, result: Result<UploadPartCopyOutput, ClientError>) {
        let index = part_number.wrapping_sub(1);
        let Some(window) = self.window.as_mut() else {
            return;
        };
        if !window.is_running(index) {
            return;
        }
        match result {
            Ok(out) => {
                self.etags[index as usize] = Some((out.etag, out.crc64));
                window.land(index);
            }
            Err(err) => {
                let retry = is_transient(&err);
                match window.fail(index, self.options.part_attempts) {
                    Some(attempt) if retry => self.events.push_back(TransferEvent::Retrying {
                        part: part_number,
                        attempt,
                        reason: err.to_string(),
                        progress: window.progress(),
                    }),
                    _ => {
                        let err = self.copy_error(err);
                        self.abort(err);
                    }
                }
            }
        }
    }

    fn copy_error(&self, err: ClientError) -> TransferError {
        if is_precondition_failed(&err) {
            TransferError::RemoteChanged {
                etag: self.source_etag(),
            }
        } else {
            TransferError::Client(err)
        }
    }

    /// The copy exists: check its CRC64 against the source's, then verify and delete
    /// the source for a move.
    fn copied(&mut self, output: CopyOutput) {
        let expected = self.source.as_ref().and_then(|s| s.crc64);
        if let (Some(expected), Some(actual)) = (expected, output.crc64)
            && expected != actual
        {
            return self.finish(Err(TransferError::CopyNotVerified(format!(
                "the copy's CRC64 {actual:#018x} differs from the source's {expected:#018x}"
            ))));
        }
        if self.delete_source {
            self.output = Some(output);
            self.stage = Stage::HeadDestination { sent: false };
        } else {
            self.succeed(Some(output));
        }
    }

    fn verify_destination(&mut self, dest: &ObjectInfo) {
        let source = self.source.as_ref();
        let size_ok = dest.content_length == source.and_then(|s| s.content_length);
        let crc_ok = match (dest.crc64, source.and_then(|s| s.crc64)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        if size_ok && crc_ok {
            self.stage = Stage::DeleteSource { sent: false };
        } else {
            self.finish(Err(TransferError::CopyNotVerified(format!(
                "the destination ({:?} bytes, CRC64 {:?}) does not match the source \
                 ({:?} bytes, CRC64 {:?}); the source was kept",
                dest.content_length,
                dest.crc64,
                source.and_then(|s| s.content_length),
                source.and_then(|s| s.crc64)
            ))));
        }
    }

    fn abort(&mut self, err: TransferError) {
        self.pending_error = Some(err);
        self.stage = Stage::Abort { sent: false };
    }

    fn succeed(&mut self, output: Option<CopyOutput>) {
        match output {
            Some(output) => self.finish(Ok(output)),
            None => self.finish(Err(TransferError::Cancelled)),
        }
    }

    fn finish(&mut self, result: Result<CopyOutput, TransferError>) {
        self.events
            .push_back(TransferEvent::end(&result, self.progress()));
        self.result = Some(result);
        self.stage = Stage::Over;
    }
}

fn once(sent: &mut bool) -> bool {
    !std::mem::replace(sent, true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use cos_proto::Operation;

    use super::*;

    /// An empty source is copied in one request even with a threshold of 0: a multipart
    /// copy of it would complete with no part, which COS refuses (and which cannot even
    /// be built).
    #[test]
    fn an_empty_source_is_one_copy_whatever_the_threshold() {
        let config = cos_proto::Config::builder("ap-guangzhou", "b-1250000000")
            .build()
            .unwrap();
        let op = CopyObject::new("dst", cos_proto::ops::CopySource::in_config(&config, "src"));
        let mut copy = Copy::new(op, TransferOptions::default().copy_threshold(0));
        let Some(CopyAction::HeadSource(head)) = copy.poll_action() else {
            panic!("a copy starts with the source's HEAD");
        };
        let mut response = http::Response::new(bytes::Bytes::new());
        response.headers_mut().insert("content-length", 0.into());
        response
            .headers_mut()
            .insert("etag", http::HeaderValue::from_static("\"s\""));
        let info = head
            .parse_response(&"http://h/src".parse().unwrap(), response)
            .unwrap();
        copy.handle(CopyOutcome::SourceHead(Ok(info)));
        let Some(CopyAction::CopyObject(single)) = copy.poll_action() else {
            panic!("an empty source is one copy");
        };
        assert!(single.build_request(&config).is_ok());
    }
}
