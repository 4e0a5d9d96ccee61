//! The download machine against a simulated COS.

use super::*;

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

pub(super) fn download(shape: Shape, config: &Config, r: &mut Reader<'_>) {
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
