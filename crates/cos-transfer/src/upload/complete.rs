//! Completing an upload: the completion's answer (or its loss), the source checked
//! once more, and the object verified against the parts.

use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{CompleteMultipartUploadOutput, ObjectInfo};

use super::*;

impl Upload {
    pub(super) fn on_completed(
        &mut self,
        result: Result<CompleteMultipartUploadOutput, ClientError>,
    ) {
        if !matches!(self.stage, Stage::Complete { sent: true }) {
            return;
        }
        let output = match result {
            Ok(output) => output,
            // The upload is gone: an attempt whose answer was lost (here or in the
            // client's own retries) may have completed it.
            Err(err) if is_no_such_upload(&err) => {
                self.step_attempts = 0;
                self.stage = Stage::Verify {
                    sent: false,
                    resumed: false,
                };
                return;
            }
            Err(err) => return self.retry_step(err, Stage::Complete { sent: false }),
        };
        let crc = combined_crc(&self.parts, self.window.as_ref().map(|w| *w.plan()));
        if let Some(expected) = output.crc64.filter(|&e| e != crc) {
            return self.fail(TransferError::Crc64Mismatch {
                what: "object".into(),
                expected,
                actual: crc,
            });
        }
        let done = UploadOutput {
            etag: Some(output.etag),
            crc64: crc,
            version_id: output.version_id,
            size: self.source.size,
            parts: self.parts.len() as u32,
            resumed_bytes: self.resumed_bytes,
            sent_bytes: self.sent_bytes,
        };
        self.stage = Stage::Remove {
            sent: false,
            output: done,
        };
    }

    /// Every byte is sent; the source must still be the file the run read. A multipart
    /// upload whose file changed is not completed; a single PUT is sent again (while
    /// attempts are left and the file still fits one PUT).
    pub(super) fn on_source_checked(&mut self, result: Result<SourceIdentity, ClientError>) {
        let Stage::CheckSource { sent: true, put } = &mut self.stage else {
            return;
        };
        let put = put.take();
        let now = match result {
            Ok(now) => now,
            Err(err) => return self.fail(TransferError::Client(err)),
        };
        match put {
            Some(done) if now == self.source => {
                // A checkpoint an earlier multipart attempt left goes too.
                self.stage = Stage::Remove {
                    sent: false,
                    output: done,
                };
            }
            None if now == self.source => self.stage = Stage::Complete { sent: false },
            // An encrypted PUT carries an envelope that records the file as it was: it is
            // never sent again with other bytes under the same key and IV.
            Some(_)
                if self.encryption.is_none()
                    && Self::is_single_put(&now, &self.options)
                    && self.single_attempts < self.options.part_attempts =>
            {
                self.events.push_back(TransferEvent::Retrying {
                    part: 1,
                    attempt: self.single_attempts + 1,
                    reason: "the file was written to while it was sent".into(),
                    progress: self.progress(),
                });
                self.source = now;
                self.stage = Stage::Put { sent: false };
            }
            _ => self.fail(TransferError::SourceChanged(
                "written to while its bytes were sent; run the upload again \
                 (a multipart upload sends again only the parts whose bytes changed)"
                    .into(),
            )),
        }
    }

    /// The upload is gone: the object is this upload's if it has the source's size and
    /// the CRC64 combined from the parts. A resumed run that finds another object starts
    /// over; a run that sent the completion itself fails (its progress cannot go back).
    pub(super) fn on_verified(&mut self, result: Result<ObjectInfo, ClientError>) {
        let Stage::Verify {
            sent: true,
            resumed,
        } = self.stage
        else {
            return;
        };
        let plan = self.window.as_ref().map(|w| *w.plan());
        let crc = combined_crc(&self.parts, plan);
        let info = match result {
            Ok(info) => Some(info),
            Err(err) if err.service_error().is_some_and(|e| e.status == 404) => None,
            Err(err) => {
                return self.retry_step(
                    err,
                    Stage::Verify {
                        sent: false,
                        resumed,
                    },
                );
            }
        };
        match info {
            Some(info)
                if info.content_length == Some(self.source.size) && info.crc64 == Some(crc) =>
            {
                // Every part was read back and matched: all of it was sent before.
                if resumed && let Some(plan) = plan {
                    self.start_window(plan);
                }
                let done = UploadOutput {
                    etag: info.etag,
                    crc64: crc,
                    version_id: info.version_id,
                    size: self.source.size,
                    parts: self.parts.len() as u32,
                    resumed_bytes: self.resumed_bytes,
                    sent_bytes: self.sent_bytes,
                };
                self.stage = Stage::Remove {
                    sent: false,
                    output: done,
                };
            }
            _ if resumed => self.start_over(),
            _ => self.fail(TransferError::Unexpected(
                "the upload vanished before its completion was confirmed, \
                 and the object is not this file"
                    .into(),
            )),
        }
    }
}
