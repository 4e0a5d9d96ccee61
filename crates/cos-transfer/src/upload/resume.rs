//! Resuming an upload: the parts COS already has (ListParts), checked against the
//! checkpoint's record and re-read from the file before they are trusted.

use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::ListPartsOutput;

use super::*;

impl Upload {
    pub(super) fn on_listed(&mut self, result: Result<ListPartsOutput, ClientError>) {
        if !matches!(self.stage, Stage::List { sent: true, .. }) {
            return;
        }
        match result {
            Ok(page) => {
                for part in &page.parts {
                    self.listed
                        .insert(part.part_number, (part.etag.clone(), part.size));
                }
                let next = page.next_part_number_marker.filter(|_| page.is_truncated);
                match next {
                    Some(marker) if page.part_number_marker != Some(marker) => {
                        self.stage = Stage::List {
                            marker: Some(marker),
                            sent: false,
                        };
                    }
                    _ => self.reconcile(),
                }
            }
            Err(err) if is_no_such_upload(&err) => {
                // A checkpoint that records every part belongs to a run that may have
                // completed the upload before it could say so.
                if !self.parts.is_empty() && self.parts.iter().all(Option::is_some) {
                    self.hash_recorded(AfterHash::Confirm);
                } else {
                    self.start_over();
                }
            }
            Err(err) => {
                let marker = match &self.stage {
                    Stage::List { marker, .. } => *marker,
                    _ => None,
                };
                self.retry_step(
                    err,
                    Stage::List {
                        marker,
                        sent: false,
                    },
                )
            }
        }
    }

    /// Keeps the checkpoint's parts COS still has with the same ETag and size.
    pub(super) fn reconcile(&mut self) {
        let Some(plan) = self.window.as_ref().map(|w| *w.plan()) else {
            return;
        };
        let listed = std::mem::take(&mut self.listed);
        for (index, slot) in self.parts.iter_mut().enumerate() {
            let keep = slot.as_ref().is_some_and(|part| {
                listed.get(&part.number).is_some_and(|(etag, size)| {
                    same_etag(etag, &part.etag) && *size == plan.span(index as u32).1
                })
            });
            if !keep {
                *slot = None;
            }
        }
        self.hash_recorded(AfterHash::Parts);
    }

    /// Reads back every part the checkpoint records before it counts.
    pub(super) fn hash_recorded(&mut self, then: AfterHash) {
        let queue: VecDeque<u32> = (0..self.parts.len() as u32)
            .filter(|&i| self.parts[i as usize].is_some())
            .collect();
        if queue.is_empty() {
            return self.after_hash(then);
        }
        self.stage = Stage::Hash {
            queue,
            out: BTreeSet::new(),
            then,
        };
    }

    /// A recorded part was read back: it is kept only if its bytes are the ones sent.
    pub(super) fn on_hashed(&mut self, part_number: u32, result: Result<u64, ClientError>) {
        let Stage::Hash { queue, out, then } = &mut self.stage else {
            return;
        };
        let index = part_number.wrapping_sub(1);
        if !out.remove(&index) {
            return;
        }
        if let Some(slot) = self.parts.get_mut(index as usize)
            && slot.as_ref().map(|p| p.crc64) != result.ok()
        {
            *slot = None;
        }
        if queue.is_empty() && out.is_empty() {
            let then = *then;
            self.after_hash(then);
        }
    }

    pub(super) fn after_hash(&mut self, then: AfterHash) {
        let Some(plan) = self.window.as_ref().map(|w| *w.plan()) else {
            return;
        };
        match then {
            AfterHash::Parts => self.begin_parts(plan),
            AfterHash::Confirm if self.parts.iter().all(Option::is_some) => {
                self.step_attempts = 0;
                self.stage = Stage::Verify {
                    sent: false,
                    resumed: true,
                };
            }
            // The file is not the one the gone upload was made of.
            AfterHash::Confirm => self.start_over(),
        }
    }

    pub(super) fn start_over(&mut self) {
        self.parts.clear();
        self.window = None;
        self.upload_id.clear();
        self.stage = Stage::Initiate { sent: false };
    }
}
