//! Fault injection through the emulator: retries, resumes, and what is never retried.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::time::Duration;

use cos_blocking::{Client, Error, StaticCredentials, UploadBody};
use cos_emulator::{Emulator, EmulatorConfig, FaultRule};
use cos_proto::Config;
use cos_proto::ops::{CopyObject, CopySource, GetObject, HeadObject, PutObject};
use cos_proto::retry::{GiveUpReason, RetryPolicy, TransportFailure};

const BUCKET: &str = "examplebucket-1250000000";

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    }
}

fn start() -> (Emulator, Client) {
    let emulator = Emulator::start(EmulatorConfig::new().bucket(BUCKET, false)).unwrap();
    let client = client_for(&emulator, |b| b);
    (emulator, client)
}

fn client_for(
    emulator: &Emulator,
    tune: impl FnOnce(cos_blocking::ClientBuilder) -> cos_blocking::ClientBuilder,
) -> Client {
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(emulator.authority())
        .build()
        .unwrap();
    let builder = Client::builder(config)
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .retry(fast_retries())
        .proxy_from_env(false);
    tune(builder).build().unwrap()
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn get_all(client: &Client, key: &str) -> (Vec<u8>, u32) {
    let (_, mut body) = client.get_object(&GetObject::new(key)).unwrap();
    let mut data = Vec::new();
    body.read_to_end(&mut data).unwrap();
    (data, body.resumes())
}

#[test]
fn server_errors_on_the_first_attempts_are_retried() {
    let (emulator, client) = start();
    let put = emulator
        .faults()
        .add(FaultRule::status(503, "SlowDown").method("PUT").times(2));
    let data = pattern(10_000);
    client
        .put_object(
            &PutObject::new("retry/put.bin", Some(data.len() as u64)),
            data.clone(),
        )
        .unwrap();
    assert_eq!(emulator.faults().fired_count(put), 2);
    let get = emulator.faults().add(
        FaultRule::status(500, "InternalError")
            .method("GET")
            .times(3),
    );
    let (got, _) = get_all(&client, "retry/put.bin");
    assert_eq!(got, data);
    assert_eq!(emulator.faults().fired_count(get), 3);
}

#[test]
fn attempts_run_out_with_the_last_service_error() {
    let (emulator, client) = start();
    client
        .put_object(&PutObject::new("retry/exhausted", Some(1)), "x")
        .unwrap();
    let rule = emulator
        .faults()
        .add(FaultRule::status(503, "SlowDown").method("HEAD").times(10));
    let err = client
        .head_object(&HeadObject::new("retry/exhausted"))
        .unwrap_err();
    assert_eq!(err.service_error().map(|e| e.status), Some(503));
    assert_eq!(emulator.faults().fired_count(rule), 4);
}

#[test]
fn a_reset_mid_upload_of_a_file_is_retried_from_the_start() {
    let (emulator, client) = start();
    let data = pattern(1024 * 1024 + 123);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&data).unwrap();
    let rule = emulator.faults().add(
        FaultRule::reset_request_after(200_000)
            .method("PUT")
            .path_contains("reset/file.bin")
            .times(1),
    );
    let body = UploadBody::file(file.path()).unwrap();
    let put = PutObject::new("reset/file.bin", body.len());
    let out = client.put_object(&put, body).unwrap();
    assert_eq!(emulator.faults().fired_count(rule), 1);
    assert_eq!(out.crc64, Some(cos_proto::crc64::crc64(&data)));
    assert_eq!(get_all(&client, "reset/file.bin").0, data);
}

#[test]
fn a_truncated_download_is_resumed() {
    let (emulator, client) = start();
    let data = pattern(700_000);
    client
        .put_object(
            &PutObject::new("resume/object.bin", Some(data.len() as u64)),
            data.clone(),
        )
        .unwrap();
    let rule = emulator.faults().add(
        FaultRule::truncate_response_after(100_000)
            .method("GET")
            .times(1),
    );
    let (got, resumes) = get_all(&client, "resume/object.bin");
    assert_eq!(emulator.faults().fired_count(rule), 1);
    assert_eq!(resumes, 1);
    assert_eq!(got, data);

    // A reset mid-body, twice, and a download to a file.
    let rule = emulator.faults().add(
        FaultRule::reset_response_after(50_000)
            .method("GET")
            .times(2),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("object.bin");
    client
        .get_object_to_file(&GetObject::new("resume/object.bin"), &path)
        .unwrap();
    assert_eq!(emulator.faults().fired_count(rule), 2);
    assert_eq!(std::fs::read(&path).unwrap(), data);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_download_that_keeps_breaking_fails_instead_of_returning_a_short_body() {
    let (emulator, client) = start();
    let data = pattern(300_000);
    client
        .put_object(
            &PutObject::new("resume/flaky.bin", Some(data.len() as u64)),
            data.clone(),
        )
        .unwrap();
    emulator
        .faults()
        .add(FaultRule::truncate_response_after(10_000).method("GET"));
    let (_, mut body) = client
        .get_object(&GetObject::new("resume/flaky.bin"))
        .unwrap();
    let mut got = Vec::new();
    let err = Error::from_io(body.read_to_end(&mut got).unwrap_err());
    assert!(
        matches!(err, Error::ShortBody { expected: 300_000, received } if received < 300_000),
        "{err:?}"
    );
    assert_eq!(body.resumes(), 3);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flaky.bin");
    assert!(
        client
            .get_object_to_file(&GetObject::new("resume/flaky.bin"), &path)
            .is_err()
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_resume_after_an_overwrite_fails_with_412() {
    let (emulator, client) = start();
    let data = pattern(400_000);
    client
        .put_object(
            &PutObject::new("resume/changing.bin", Some(data.len() as u64)),
            data.clone(),
        )
        .unwrap();
    emulator.faults().add(
        FaultRule::truncate_response_after(1_000)
            .method("GET")
            .times(1),
    );
    let (_, mut body) = client
        .get_object(&GetObject::new("resume/changing.bin"))
        .unwrap();
    let mut first = [0u8; 500];
    body.read_exact(&mut first).unwrap();
    client
        .put_object(&PutObject::new("resume/changing.bin", Some(3)), "new")
        .unwrap();
    let mut rest = Vec::new();
    let err = Error::from_io(body.read_to_end(&mut rest).unwrap_err());
    assert_eq!(err.service_error().map(|e| e.status), Some(412), "{err:?}");
}

#[test]
fn a_403_is_not_retried() {
    let (emulator, client) = start();
    let rule = emulator.faults().add(
        FaultRule::status(403, "AccessDenied")
            .method("GET")
            .times(5),
    );
    let err = client.get_object(&GetObject::new("any")).unwrap_err();
    assert_eq!(err.service_error().map(|e| e.code()), Some("AccessDenied"));
    assert_eq!(emulator.faults().fired_count(rule), 1);
}

#[test]
fn a_redirect_is_not_followed() {
    let (emulator, client) = start();
    let rule = emulator.faults().add(
        FaultRule::status(301, "PermanentRedirect")
            .method("HEAD")
            .times(5),
    );
    let err = client.head_object(&HeadObject::new("any")).unwrap_err();
    assert_eq!(err.service_error().map(|e| e.status), Some(301));
    assert_eq!(emulator.faults().fired_count(rule), 1);
}

#[test]
fn a_one_shot_body_is_never_retried() {
    let (emulator, client) = start();
    let data = pattern(300_000);
    let rule = emulator.faults().add(
        FaultRule::reset_request_after(100_000)
            .method("PUT")
            .times(5),
    );
    let err = client
        .put_object(
            &PutObject::new("oneshot/reset.bin", None),
            UploadBody::reader(std::io::Cursor::new(data.clone())),
        )
        .unwrap_err();
    match &err {
        Error::Transport {
            reason, attempts, ..
        } => {
            assert_eq!(*reason, GiveUpReason::BodyNotReplayable);
            assert_eq!(*attempts, 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("cannot be sent again"), "{err}");
    assert_eq!(emulator.faults().fired_count(rule), 1);
    emulator.faults().clear();

    let rule = emulator
        .faults()
        .add(FaultRule::status(503, "SlowDown").method("PUT").times(5));
    let err = client
        .put_object(
            &PutObject::new("oneshot/status.bin", None),
            UploadBody::reader(std::io::Cursor::new(data)),
        )
        .unwrap_err();
    assert_eq!(err.service_error().map(|e| e.status), Some(503));
    assert_eq!(emulator.faults().fired_count(rule), 1);
}

#[test]
fn an_error_inside_a_200_copy_is_retried() {
    let (emulator, client) = start();
    client
        .put_object(&PutObject::new("copy/src", Some(3)), "abc")
        .unwrap();
    let rule = emulator.faults().add(
        FaultRule::error_in_200("InternalError")
            .method("PUT")
            .path_contains("copy/dst")
            .times(1),
    );
    let source = CopySource::in_config(client.config(), "copy/src");
    client
        .copy_object(&CopyObject::new("copy/dst", source))
        .unwrap();
    assert_eq!(emulator.faults().fired_count(rule), 1);
    assert_eq!(get_all(&client, "copy/dst").0, b"abc");
}

#[test]
fn a_slow_answer_times_out_and_is_retried() {
    let emulator = Emulator::start(EmulatorConfig::new().bucket(BUCKET, false)).unwrap();
    let client = client_for(&emulator, |b| b.request_timeout(Duration::from_millis(300)));
    client
        .put_object(&PutObject::new("slow/object", Some(1)), "x")
        .unwrap();
    let rule = emulator.faults().add(
        FaultRule::latency(Duration::from_millis(1_500))
            .method("HEAD")
            .times(1),
    );
    let info = client.head_object(&HeadObject::new("slow/object")).unwrap();
    assert_eq!(info.content_length, Some(1));
    assert_eq!(emulator.faults().fired_count(rule), 1);
}

#[test]
fn an_unreachable_endpoint_is_a_connect_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(format!("127.0.0.1:{port}"))
        .build()
        .unwrap();
    let client = Client::builder(config)
        .anonymous()
        .retry(fast_retries())
        .proxy_from_env(false)
        .build()
        .unwrap();
    let err = client.head_object(&HeadObject::new("x")).unwrap_err();
    match err {
        Error::Transport {
            failure,
            reason,
            attempts,
            ..
        } => {
            assert_eq!(failure, TransportFailure::Connect);
            assert_eq!(reason, GiveUpReason::AttemptsExhausted);
            assert_eq!(attempts, 4);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_body_that_does_not_fit_the_operation_is_refused_before_sending() {
    let (_emulator, client) = start();
    let err = client
        .put_object(&PutObject::new("mismatch", Some(10)), "short")
        .unwrap_err();
    assert!(matches!(err, Error::InvalidBody(_)), "{err:?}");
    let err = client
        .send(&HeadObject::new("mismatch"), "payload")
        .unwrap_err();
    assert!(matches!(err, Error::InvalidBody(_)), "{err:?}");
    let err = client.send(&GetObject::new("x"), ()).unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
}

#[test]
fn empty_objects_round_trip() {
    let (_emulator, client) = start();
    client
        .put_object(
            &PutObject::new("empty/object", Some(0)),
            UploadBody::empty(),
        )
        .unwrap();
    assert_eq!(get_all(&client, "empty/object").0, b"");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty");
    let out = client
        .get_object_to_file(&GetObject::new("empty/object"), &path)
        .unwrap();
    assert_eq!(out.info.content_length, Some(0));
    assert_eq!(std::fs::read(&path).unwrap(), b"");
    let chunks: Vec<_> = client
        .get_object(&GetObject::new("empty/object"))
        .unwrap()
        .1
        .chunks()
        .collect();
    assert!(chunks.is_empty());
}
