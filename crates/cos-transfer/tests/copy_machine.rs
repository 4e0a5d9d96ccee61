//! The copy machine against a simulated COS: single and multipart copies pinned to the
//! source's ETag, the source's attributes carried over, verification before a move
//! deletes anything.
#![allow(clippy::unwrap_used)]

mod support;

use cos_proto::ops::{CopyObject, CopySource};
use cos_proto::{Config, Operation};
use cos_transfer::{Copy, CopyAction, CopyOutcome, CopyOutput, TransferError, TransferOptions};
use support::{parse, response, service_error};

const SOURCE_CRC: u64 = 0xdead_beef;

fn config() -> Config {
    Config::builder("ap-guangzhou", "b-1250000000")
        .build()
        .unwrap()
}

fn op() -> CopyObject {
    CopyObject::new("dst", CopySource::in_config(&config(), "src"))
}

#[derive(Default)]
struct Sim {
    size: u64,
    dest_crc: u64,
    fail_part: Option<(u32, u16)>,
    actions: Vec<String>,
    ranges: Vec<(u64, u64)>,
    initiate_headers: Vec<(String, String)>,
}

impl Sim {
    fn perform(&mut self, action: CopyAction) -> CopyOutcome {
        let crc = ("x-cos-hash-crc64ecma", self.dest_crc.to_string());
        match action {
            CopyAction::HeadSource(op) => {
                self.actions.push("head source".into());
                let headers = [
                    ("Content-Length", self.size.to_string()),
                    ("ETag", "\"src\"".to_owned()),
                    ("x-cos-hash-crc64ecma", SOURCE_CRC.to_string()),
                    ("Content-Type", "text/x-kept".to_owned()),
                    ("x-cos-meta-owner", "alice".to_owned()),
                ];
                CopyOutcome::SourceHead(parse(&op, response(200, &headers, "")))
            }
            CopyAction::CopyObject(op) => {
                self.actions.push("copy".into());
                let request = op.build_request(&config()).unwrap();
                assert_eq!(request.headers()["x-cos-copy-source-if-match"], "\"src\"");
                let xml = "<CopyObjectResult><ETag>\"d\"</ETag><LastModified>2024-01-01T00:00:00Z</LastModified></CopyObjectResult>";
                CopyOutcome::Copied(parse(&op, response(200, &[crc], xml)))
            }
            CopyAction::Initiate(op) => {
                self.actions.push("initiate".into());
                let request = op.build_request(&config()).unwrap();
                for (name, value) in request.headers() {
                    self.initiate_headers
                        .push((name.to_string(), value.to_str().unwrap().to_owned()));
                }
                let xml = "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>dst</Key><UploadId>u</UploadId></InitiateMultipartUploadResult>";
                CopyOutcome::Initiated(parse(&op, response(200, &[], xml)))
            }
            CopyAction::UploadPartCopy { op, part_number } => {
                self.actions.push(format!("part {part_number}"));
                let request = op.build_request(&config()).unwrap();
                assert_eq!(request.headers()["x-cos-copy-source-if-match"], "\"src\"");
                let range = request.headers()["x-cos-copy-source-range"]
                    .to_str()
                    .unwrap();
                let (first, last) = range.trim_start_matches("bytes=").split_once('-').unwrap();
                self.ranges
                    .push((first.parse().unwrap(), last.parse().unwrap()));
                if let Some((n, status)) = self.fail_part
                    && n == part_number
                {
                    return CopyOutcome::PartCopied {
                        part_number,
                        result: Err(service_error(status, "PreconditionFailed")),
                    };
                }
                let xml = "<CopyPartResult><ETag>\"p\"</ETag><LastModified>2024-01-01T00:00:00Z</LastModified></CopyPartResult>";
                CopyOutcome::PartCopied {
                    part_number,
                    result: parse(&op, response(200, &[], xml)),
                }
            }
            CopyAction::Complete(op) => {
                self.actions.push("complete".into());
                let xml = "<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>dst</Key><ETag>\"d-3\"</ETag></CompleteMultipartUploadResult>";
                CopyOutcome::Completed(parse(&op, response(200, &[crc], xml)))
            }
            CopyAction::Abort(_) => {
                self.actions.push("abort".into());
                CopyOutcome::Aborted(Ok(()))
            }
            CopyAction::HeadDestination(op) => {
                self.actions.push("head destination".into());
                let headers = [
                    ("Content-Length", self.size.to_string()),
                    ("ETag", "\"d\"".to_owned()),
                    crc,
                ];
                CopyOutcome::DestinationHead(parse(&op, response(200, &headers, "")))
            }
            CopyAction::DeleteSource(op) => {
                self.actions.push("delete source".into());
                CopyOutcome::SourceDeleted(parse(&op, response(204, &[], "")).map(drop))
            }
            CopyAction::Done(_) => unreachable!(),
            _ => unreachable!(),
        }
    }
}

fn drive(mut machine: Copy, sim: &mut Sim) -> Result<CopyOutput, TransferError> {
    let mut pending = Vec::new();
    loop {
        while machine.poll_event().is_some() {}
        match machine.poll_action() {
            Some(CopyAction::Done(result)) => return result,
            Some(action) => pending.push(action),
            None => {
                let action = pending.pop().expect("the machine waits for something");
                let outcome = sim.perform(action);
                machine.handle(outcome);
            }
        }
    }
}

fn options() -> TransferOptions {
    TransferOptions::default()
        .copy_threshold(1000)
        .part_size(400)
        .concurrency(2)
}

#[test]
fn small_copies_are_one_pinned_request_and_moves_verify_then_delete() {
    let mut sim = Sim {
        size: 999,
        dest_crc: SOURCE_CRC,
        ..Sim::default()
    };
    let out = drive(Copy::moving(op(), options()), &mut sim).unwrap();
    assert!(out.source_deleted);
    assert_eq!(
        sim.actions,
        ["head source", "copy", "head destination", "delete source"]
    );
}

#[test]
fn large_copies_are_parts_covering_the_source_with_its_attributes() {
    let mut sim = Sim {
        size: 1000,
        dest_crc: SOURCE_CRC,
        ..Sim::default()
    };
    let out = drive(Copy::new(op(), options()), &mut sim).unwrap();
    assert_eq!(out.parts, 3);
    let mut ranges = sim.ranges.clone();
    ranges.sort_unstable();
    assert_eq!(ranges, [(0, 399), (400, 799), (800, 999)]);
    assert!(
        sim.initiate_headers
            .contains(&("content-type".into(), "text/x-kept".into()))
    );
    assert!(
        sim.initiate_headers
            .contains(&("x-cos-meta-owner".into(), "alice".into()))
    );
    assert_eq!(sim.actions.last().map(String::as_str), Some("complete"));
}

#[test]
fn a_copy_whose_crc_differs_is_not_verified_and_the_source_is_kept() {
    let mut sim = Sim {
        size: 10,
        dest_crc: 1,
        ..Sim::default()
    };
    let err = drive(Copy::moving(op(), options()), &mut sim).unwrap_err();
    assert!(matches!(err, TransferError::CopyNotVerified(_)), "{err}");
    assert!(!sim.actions.iter().any(|a| a == "delete source"));
}

#[test]
fn a_source_changed_mid_copy_aborts_the_upload() {
    let mut sim = Sim {
        size: 1000,
        dest_crc: SOURCE_CRC,
        fail_part: Some((2, 412)),
        ..Sim::default()
    };
    let err = drive(Copy::moving(op(), options()), &mut sim).unwrap_err();
    assert!(matches!(err, TransferError::RemoteChanged { .. }), "{err}");
    assert_eq!(sim.actions.last().map(String::as_str), Some("abort"));
    assert!(!sim.actions.iter().any(|a| a == "delete source"));
}
