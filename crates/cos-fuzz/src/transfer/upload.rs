//! The upload machine against a simulated COS.

use super::*;

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

pub(super) fn upload(shape: Shape, config: &Config, r: &mut Reader<'_>) {
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
