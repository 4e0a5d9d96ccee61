//! Checks of the timeouts an operation gets, through every path that sends it.

use std::time::Duration;

use bytes::Bytes;
use cos_emulator::FaultRule;
use cos_proto::ops::{CompleteMultipartUpload, HeadObject, InitiateMultipartUpload, UploadPart};

use crate::transfer::{CheckResult, Ctx};
use crate::{Failure, Upload};

/// The request timeout of the client [`crate::transfer::client_options`] builds for
/// [`complete_gets_the_long_timeout`]; its long timeout is ten times longer.
pub(crate) const SHORT_REQUEST_TIMEOUT: Duration = Duration::from_millis(400);

/// COS may take minutes to answer CompleteMultipartUpload (it assembles the object):
/// it gets the client's long timeout both through its convenience method and through
/// the generic `send`, while every other operation keeps the request timeout. The
/// emulator holds each answer 1 s, longer than the request timeout.
pub(crate) fn complete_gets_the_long_timeout(ctx: &Ctx<'_>) -> CheckResult {
    let hold = SHORT_REQUEST_TIMEOUT * 5 / 2;
    let client = ctx.client;
    let completes = ctx.faults().add(
        FaultRule::hold_answer(hold)
            .method("POST")
            .query_contains("uploadId="),
    );
    for (path, key) in [("convenience", "held-1"), ("send", "held-2")] {
        let init = client
            .create_multipart_upload(&InitiateMultipartUpload::new(key))
            .map_err(|e| format!("{path}: initiate: {e}"))?;
        let part = UploadPart::new(key, &init.upload_id, 1, Some(5));
        let uploaded = client
            .upload_part(&part, Upload::Bytes(Bytes::from_static(b"hello")))
            .map_err(|e| format!("{path}: part: {e}"))?;
        let complete = CompleteMultipartUpload::new(key, &init.upload_id).part(1, uploaded.etag);
        let done = match path {
            "convenience" => client.complete_multipart_upload(&complete),
            _ => client.send_complete_multipart_upload(&complete),
        };
        ensure!(done.is_ok(), "{path}: a held completion fails: {done:?}");
    }
    ctx.faults().remove(completes);
    let heads = ctx
        .faults()
        .add(FaultRule::hold_answer(hold).method("HEAD"));
    let head = client.head_object(&HeadObject::new("held-1"));
    ctx.faults().remove(heads);
    ensure!(
        matches!(&head, Err(Failure::Transport(message)) if message.contains("HeadObject")),
        "a HEAD held as long waits the request timeout only: {head:?}"
    );
    Ok(())
}
