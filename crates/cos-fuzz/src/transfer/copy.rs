//! The copy (and move) machine against a simulated COS.

use super::*;

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

pub(super) fn copy(shape: Shape, config: &Config, moving: bool, r: &mut Reader<'_>) {
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
