//! Fault injection: what the client retries, resumes and refuses, against the emulator's
//! deterministic faults.

mod common;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use common::{client, data, emulator};
use cos_emulator::FaultRule;
use cos_proto::ops::{
    CompleteMultipartUpload, GetObject, HeadObject, InitiateMultipartUpload, PutObject, UploadPart,
};
use cos_proto::retry::{GiveUpReason, TransportFailure};
use cos_tokio::{Error, UploadBody};
use futures_core::Stream;

struct Chunks(std::vec::IntoIter<Bytes>);

impl Stream for Chunks {
    type Item = io::Result<Bytes>;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.get_mut().0.next().map(Ok))
    }
}

fn one_shot(data: &[u8]) -> UploadBody {
    let chunks: Vec<Bytes> = data.chunks(64 * 1024).map(Bytes::copy_from_slice).collect();
    UploadBody::stream(Chunks(chunks.into_iter()))
}

async fn get_all(client: &cos_tokio::Client, key: &str) -> (Vec<u8>, u32) {
    let (_, mut body) = client.get_object(&GetObject::new(key)).await.expect("get");
    let mut all = Vec::new();
    while let Some(chunk) = body.next_chunk().await {
        all.extend_from_slice(&chunk.expect("chunk"));
    }
    (all, body.resumes())
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let emulator = emulator();
    let client = client(&emulator);
    let faults = emulator.faults();
    let put_fault = faults.add(FaultRule::status(503, "SlowDown").method("PUT").times(2));
    let payload = data(10_000);
    client
        .put_object(
            &PutObject::new("retry/a.bin", Some(payload.len() as u64)),
            payload.clone(),
        )
        .await
        .expect("put succeeds on the third attempt");
    assert_eq!(faults.fired_count(put_fault), 2);
    let head_fault = faults.add(
        FaultRule::status(500, "InternalError")
            .method("HEAD")
            .times(1),
    );
    let info = client
        .head_object(&HeadObject::new("retry/a.bin"))
        .await
        .expect("head succeeds on the second attempt");
    assert_eq!(info.content_length, Some(payload.len() as u64));
    assert_eq!(faults.fired_count(head_fault), 1);
    assert_eq!(get_all(&client, "retry/a.bin").await.0, payload);
}

#[tokio::test]
async fn errors_inside_a_200_are_retried() {
    let emulator = emulator();
    let client = client(&emulator);
    let key = "retry/multipart.bin";
    let upload = client
        .create_multipart_upload(&InitiateMultipartUpload::new(key))
        .await
        .expect("initiate");
    let part = data(1000);
    let out = client
        .upload_part(
            &UploadPart::new(key, &upload.upload_id, 1, Some(part.len() as u64)),
            part.clone(),
        )
        .await
        .expect("part");
    let fault = emulator.faults().add(
        FaultRule::error_in_200("InternalError")
            .method("POST")
            .query_contains("uploadId")
            .times(1),
    );
    client
        .complete_multipart_upload(
            &CompleteMultipartUpload::new(key, &upload.upload_id).part(1, out.etag.clone()),
        )
        .await
        .expect("complete succeeds after the error inside a 200");
    assert_eq!(emulator.faults().fired_count(fault), 1);
    assert_eq!(get_all(&client, key).await.0, part);
}

#[tokio::test]
async fn a_reset_mid_upload_of_a_file_is_retried_with_the_same_bytes() {
    let emulator = emulator();
    let client = client(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("upload.bin");
    let payload = data(3 * 1024 * 1024 + 17);
    std::fs::write(&path, &payload).expect("write");
    let fault = emulator.faults().add(
        FaultRule::reset_request_after(1024 * 1024)
            .method("PUT")
            .times(1),
    );
    let body = UploadBody::file(&path).expect("file body");
    client
        .put_object(&PutObject::new("reset/file.bin", body.len()), body)
        .await
        .expect("the retry re-reads the file from its start");
    assert_eq!(emulator.faults().fired_count(fault), 1);
    assert_eq!(get_all(&client, "reset/file.bin").await.0, payload);
}

#[tokio::test]
async fn a_truncated_or_reset_download_is_resumed() {
    let emulator = emulator();
    let client = client(&emulator);
    let payload = data(2 * 1024 * 1024 + 5);
    client
        .put_object(
            &PutObject::new("resume/a.bin", Some(payload.len() as u64)),
            payload.clone(),
        )
        .await
        .expect("put");
    let faults = emulator.faults();
    let truncate = faults.add(
        FaultRule::truncate_response_after(300_000)
            .method("GET")
            .times(1),
    );
    let (got, resumes) = get_all(&client, "resume/a.bin").await;
    assert_eq!(faults.fired_count(truncate), 1);
    assert_eq!(resumes, 1);
    assert!(got == payload, "resumed bytes differ");

    let reset = faults.add(
        FaultRule::reset_response_after(700_000)
            .method("GET")
            .times(2),
    );
    let (got, resumes) = get_all(&client, "resume/a.bin").await;
    assert_eq!(faults.fired_count(reset), 2);
    assert_eq!(resumes, 2);
    assert!(got == payload, "resumed bytes differ");

    // The download to a file resumes the same way and leaves a complete file.
    faults.add(
        FaultRule::truncate_response_after(1_000_000)
            .method("GET")
            .times(1),
    );
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("a.bin");
    client
        .get_object_to_file(&GetObject::new("resume/a.bin"), &path)
        .await
        .expect("download");
    assert!(std::fs::read(&path).expect("read") == payload);
}

#[tokio::test]
async fn a_body_that_keeps_breaking_ends_with_an_error_never_short() {
    let emulator = emulator();
    let client = client(&emulator);
    let payload = data(500_000);
    client
        .put_object(
            &PutObject::new("short/a.bin", Some(payload.len() as u64)),
            payload.clone(),
        )
        .await
        .expect("put");
    emulator
        .faults()
        .add(FaultRule::truncate_response_after(10_000).method("GET"));
    let (_, mut body) = client
        .get_object(&GetObject::new("short/a.bin"))
        .await
        .expect("headers arrive");
    let mut received = 0;
    let err = loop {
        match body.next_chunk().await {
            Some(Ok(chunk)) => received += chunk.len(),
            Some(Err(err)) => break err,
            None => panic!("the body ended silently after {received} bytes"),
        }
    };
    assert!(
        matches!(
            err,
            Error::ShortBody {
                expected: 500_000,
                ..
            }
        ),
        "{err:?}"
    );
    // Not more attempts than the policy allows: the first GET and 3 resumes.
    assert_eq!(body.resumes(), 3);
}

#[tokio::test]
async fn an_overwrite_during_a_resume_fails_with_412() {
    let emulator = emulator();
    let client = client(&emulator);
    let payload = data(1_000_000);
    client
        .put_object(
            &PutObject::new("pinned/a.bin", Some(payload.len() as u64)),
            payload.clone(),
        )
        .await
        .expect("put");
    emulator.faults().add(
        FaultRule::truncate_response_after(100_000)
            .method("GET")
            .times(1),
    );
    let (_, mut body) = client
        .get_object(&GetObject::new("pinned/a.bin"))
        .await
        .expect("headers");
    let first = body.next_chunk().await.expect("a chunk").expect("ok");
    assert!(!first.is_empty());
    client
        .put_object(&PutObject::new("pinned/a.bin", Some(3)), "new")
        .await
        .expect("overwrite");
    let err = loop {
        match body.next_chunk().await {
            Some(Ok(_)) => {}
            Some(Err(err)) => break err,
            None => panic!("spliced two objects"),
        }
    };
    assert_eq!(err.service_error().map(|e| e.status), Some(412), "{err:?}");
}

#[tokio::test]
async fn a_403_is_not_retried() {
    let emulator = emulator();
    let client = client(&emulator);
    let fault = emulator
        .faults()
        .add(FaultRule::status(403, "AccessDenied").times(10));
    let err = client
        .get_object(&GetObject::new("denied.txt"))
        .await
        .expect_err("403");
    let service = err.service_error().expect("service error");
    assert_eq!(service.status, 403);
    assert_eq!(service.code.as_deref(), Some("AccessDenied"));
    assert_eq!(
        emulator.faults().fired_count(fault),
        1,
        "exactly one attempt"
    );
    let err = client
        .head_object(&HeadObject::new("denied.txt"))
        .await
        .expect_err("403");
    assert_eq!(err.service_error().map(|e| e.status), Some(403));
    assert_eq!(emulator.faults().fired_count(fault), 2, "one more attempt");
}

#[tokio::test]
async fn a_one_shot_body_is_never_retried() {
    let emulator = emulator();
    let client = client(&emulator);
    let payload = data(300_000);

    // A server error answered to a stream upload is final.
    let fault = emulator
        .faults()
        .add(FaultRule::status(503, "SlowDown").method("PUT").times(3));
    let err = client
        .put_object(&PutObject::new("oneshot/a.bin", None), one_shot(&payload))
        .await
        .expect_err("not retried");
    assert_eq!(err.service_error().map(|e| e.status), Some(503));
    assert_eq!(emulator.faults().fired_count(fault), 1);
    emulator.faults().clear();

    // A reset mid-stream gives up with a reason that says why.
    let fault = emulator.faults().add(
        FaultRule::reset_request_after(100_000)
            .method("PUT")
            .times(3),
    );
    let err = client
        .put_object(&PutObject::new("oneshot/b.bin", None), one_shot(&payload))
        .await
        .expect_err("not retried");
    match &err {
        Error::Transport {
            reason, attempts, ..
        } => {
            assert_eq!(*reason, GiveUpReason::BodyNotReplayable);
            assert_eq!(*attempts, 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("one-shot stream"), "{err}");
    assert_eq!(emulator.faults().fired_count(fault), 1);

    // Without faults the same kind of body goes through (chunked).
    emulator.faults().clear();
    client
        .put_object(&PutObject::new("oneshot/c.bin", None), one_shot(&payload))
        .await
        .expect("chunked upload");
    let (got, _) = get_all(&client, "oneshot/c.bin").await;
    assert!(got == payload);
}

#[tokio::test]
async fn a_silent_server_times_out_and_is_retried() {
    let emulator = emulator();
    let client = common::builder(&emulator)
        .request_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    client
        .put_object(&PutObject::new("slow.txt", Some(2)), "ok")
        .await
        .expect("put");
    let fault = emulator.faults().add(
        FaultRule::latency(Duration::from_secs(3))
            .method("HEAD")
            .times(1),
    );
    let started = std::time::Instant::now();
    client
        .head_object(&HeadObject::new("slow.txt"))
        .await
        .expect("the second attempt answers at once");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(emulator.faults().fired_count(fault), 1);

    // Every attempt times out: the error says so.
    emulator.faults().add(
        FaultRule::latency(Duration::from_secs(3))
            .method("HEAD")
            .times(4),
    );
    let err = client
        .head_object(&HeadObject::new("slow.txt"))
        .await
        .expect_err("times out");
    assert_eq!(
        err.transport_failure(),
        Some(TransportFailure::Timeout),
        "{err}"
    );
}

#[tokio::test]
async fn a_connection_refused_is_a_connect_failure_after_the_retries() {
    let emulator = emulator();
    let builder = common::builder(&emulator);
    drop(emulator);
    let client = builder.build().expect("client");
    let err = client
        .head_object(&HeadObject::new("nobody-listens"))
        .await
        .expect_err("no server");
    match &err {
        Error::Transport {
            failure,
            reason,
            attempts,
            ..
        } => {
            assert_eq!(*failure, TransportFailure::Connect);
            assert_eq!(*reason, GiveUpReason::AttemptsExhausted);
            assert_eq!(*attempts, 4);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_length_is_refused_before_sending() {
    let emulator = emulator();
    let client = client(&emulator);
    let err = client
        .put_object(&PutObject::new("len.txt", Some(10)), "short")
        .await
        .expect_err("length mismatch");
    assert!(matches!(err, Error::InvalidBody(_)), "{err:?}");
    let err = client
        .head_object(&HeadObject::new("len.txt"))
        .await
        .expect_err("nothing was stored");
    assert_eq!(err.service_error().map(|e| e.status), Some(404));
}
