//! Fault injection, each fault observed from the client side: statuses for the next N
//! matching requests, connection resets after K bytes, truncated bodies, latency,
//! errors inside a 200, a hostile proxy's tricks (ranges ignored or moved, headers
//! changed, a flipped byte, a trickle), answers lost or held after the request took
//! effect, determinism given a seed, and the admin endpoint.

mod common;

use std::io::{ErrorKind, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{BUCKET, Client, NOW, assert_alive, data, emulator, exchange, head_bytes};
use cos_emulator::{Emulator, EmulatorConfig, FaultAction, FaultRule};
use cos_proto::Operation;
use cos_proto::ops::{
    ByteRange, CompleteMultipartUpload, CopyObject, CopySource, GetObject, HeadObject,
    InitiateMultipartUpload, PutObject, UploadPart,
};

#[test]
fn status_for_the_next_n_matching_requests() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let id = emulator.faults().add(
        FaultRule::status(503, "SlowDown")
            .method("PUT")
            .path_contains("flaky")
            .times(2),
    );
    let put = PutObject::new("flaky.txt", Some(2));
    client.call(&put, b"v1").assert_error(503, "SlowDown");
    // Other paths and methods are not affected.
    client.put("steady.txt", b"s");
    client.get("flaky.txt").assert_error(404, "NoSuchKey");
    client.call(&put, b"v2").assert_error(503, "SlowDown");
    assert_eq!(client.call(&put, b"v3").status, 200);
    assert_eq!(client.get("flaky.txt").body, b"v3");
    assert_eq!(emulator.faults().fired_count(id), 2);
    let fired = emulator.faults().fired();
    assert_eq!(fired.len(), 2);
    assert!(
        fired
            .iter()
            .all(|f| f.kind == "status" && f.path.contains("flaky"))
    );

    // Query matching and skip.
    emulator.faults().add(
        FaultRule::status(500, "InternalError")
            .query_contains("partNumber=2")
            .skip(1)
            .times(1),
    );
    let upload_id = client
        .run(&InitiateMultipartUpload::new("mp"), &[])
        .expect("initiate")
        .upload_id;
    let part2 = UploadPart::new("mp", &upload_id, 2, Some(1));
    assert_eq!(client.call(&part2, b"a").status, 200, "skipped once");
    client.call(&part2, b"b").assert_error(500, "InternalError");
    assert_eq!(client.call(&part2, b"c").status, 200);
}

#[test]
fn reset_after_k_response_bytes() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let payload = data(200 * 1024, 7);
    client.put("big.bin", &payload);
    emulator
        .faults()
        .add(FaultRule::reset_response_after(1000).method("GET").times(1));
    let raw = client.get("big.bin");
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("content-length"), Some("204800"));
    assert_eq!(raw.body.len(), 1000, "the bytes before the reset arrive");
    assert_eq!(raw.body, payload[..raw.body.len()]);
    assert_eq!(raw.read_error, Some(ErrorKind::ConnectionReset));
    // The next GET is whole.
    assert_eq!(client.get("big.bin").body, payload);
}

#[test]
fn reset_after_k_request_bytes_stores_nothing() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    emulator
        .faults()
        .add(FaultRule::reset_request_after(4096).method("PUT").times(1));
    let payload = data(64 * 1024, 3);
    let request = client.signed(&PutObject::new("up.bin", Some(payload.len() as u64)));
    let mut stream = TcpStream::connect(emulator.addr()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut bytes = head_bytes(&request);
    bytes.extend_from_slice(&payload);
    let write = stream.write_all(&bytes);
    let read = common::read_response(&mut stream);
    assert!(
        write.is_err() || read.is_err(),
        "the connection must break: {write:?} {:?}",
        read.map(|r| r.status)
    );
    client.get("up.bin").assert_error(404, "NoSuchKey");
    assert_eq!(
        client
            .call(&PutObject::new("up.bin", Some(2)), b"ok")
            .status,
        200
    );
}

#[test]
fn truncated_bodies_end_early_without_a_reset() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let payload = data(100 * 1024, 9);
    client.put("t.bin", &payload);
    emulator.faults().add(
        FaultRule::truncate_response_after(5000)
            .path_contains("t.bin")
            .times(1),
    );
    let raw = client.get("t.bin");
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("content-length"), Some("102400"));
    assert_eq!(raw.body.len(), 5000);
    assert_eq!(raw.body, payload[..5000]);
    assert_eq!(raw.read_error, None, "a clean close, not a reset");
    assert_eq!(client.get("t.bin").body, payload);
}

fn get_range(client: &Client, key: &str, first: u64, last: u64) -> common::Raw {
    let range = ByteRange::inclusive(first, last).expect("range");
    client.call(&GetObject::new(key).range(range), &[])
}

#[test]
fn a_proxy_ignores_or_moves_ranges() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let payload = data(1000, 3);
    client.put("r.bin", &payload);
    emulator
        .faults()
        .add(FaultRule::ignore_range().method("GET").times(1));
    let whole = get_range(&client, "r.bin", 100, 199);
    assert_eq!((whole.status, whole.header("content-range")), (200, None));
    assert_eq!(whole.body, payload);
    emulator
        .faults()
        .add(FaultRule::shift_range(50).method("GET").times(1));
    let moved = get_range(&client, "r.bin", 100, 199);
    assert_eq!(moved.status, 206);
    assert_eq!(moved.header("content-range"), Some("bytes 150-249/1000"));
    assert_eq!(moved.body, payload[150..250]);
    let honest = get_range(&client, "r.bin", 100, 199);
    assert_eq!(honest.header("content-range"), Some("bytes 100-199/1000"));
}

#[test]
fn a_proxy_changes_headers_and_flips_a_byte() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let payload = data(300 * 1024, 4);
    client.put("f.bin", &payload);
    let crc = cos_proto::crc64::crc64(&payload).to_string();
    emulator.faults().add(
        FaultRule::set_header("x-cos-hash-crc64ecma", None)
            .method("GET")
            .times(1),
    );
    emulator.faults().add(
        FaultRule::set_header("content-range", Some("bytes nonsense"))
            .method("GET")
            .times(1),
    );
    let stripped = client.get("f.bin");
    assert_eq!(stripped.header("x-cos-hash-crc64ecma"), None);
    assert_eq!(stripped.header("content-range"), Some("bytes nonsense"));
    assert_eq!(stripped.body, payload);
    // A byte far into the body (past the first chunk) is flipped; the headers are the
    // true data's.
    emulator
        .faults()
        .add(FaultRule::flip_byte(200_000).method("GET").times(1));
    let flipped = client.get("f.bin");
    assert_eq!(flipped.header("x-cos-hash-crc64ecma"), Some(crc.as_str()));
    assert_eq!(flipped.body.len(), payload.len());
    let differ: Vec<usize> = (0..payload.len())
        .filter(|&i| flipped.body[i] != payload[i])
        .collect();
    assert_eq!(differ, [200_000]);
    assert_eq!(flipped.body[200_000], !payload[200_000]);
    assert_eq!(client.get("f.bin").body, payload);
}

#[test]
fn a_trickle_sends_a_few_bytes_at_a_time() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("slow.bin", b"abcdefgh");
    emulator.faults().add(
        FaultRule::trickle(3, Duration::from_millis(150))
            .method("GET")
            .times(1),
    );
    let request = client.signed(&GetObject::new("slow.bin"));
    let mut stream = TcpStream::connect(emulator.addr()).expect("connect");
    stream.write_all(&head_bytes(&request)).expect("send");
    let start = Instant::now();
    let raw = common::read_response(&mut stream).expect("answer");
    assert_eq!(raw.body, b"abcdefgh");
    assert!(
        start.elapsed() >= Duration::from_millis(450),
        "three pieces, each after a pause: {:?}",
        start.elapsed()
    );
}

#[test]
fn answers_lost_or_held_after_the_request_took_effect() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    emulator
        .faults()
        .add(FaultRule::lose_answer().method("PUT").times(1));
    let request = client.signed(&PutObject::new("lost.txt", Some(4)));
    let mut bytes = head_bytes(&request);
    bytes.extend_from_slice(b"done");
    let lost = exchange(emulator.addr(), &bytes);
    assert!(
        lost.is_err(),
        "no answer at all: {:?}",
        lost.map(|r| r.status)
    );
    assert_eq!(client.get("lost.txt").body, b"done", "the PUT took effect");

    let hold = Duration::from_secs(3);
    emulator
        .faults()
        .add(FaultRule::hold_answer(hold).method("PUT").times(1));
    let putter = {
        let client = Client::new(&emulator, BUCKET);
        std::thread::spawn(move || {
            let start = Instant::now();
            let raw = client.put("held.txt", b"held");
            (raw.status, start.elapsed())
        })
    };
    // Inside the window: the object is there, its answer is not. (Polled, not timed: on
    // a loaded machine the PUT may take a while to arrive.)
    let start = Instant::now();
    while client.call(&HeadObject::new("held.txt"), &[]).status != 200 {
        assert!(
            start.elapsed() < hold,
            "the held PUT never stored its object"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        !putter.is_finished(),
        "the answer came before the hold ended"
    );
    let (status, took) = putter.join().expect("put");
    assert_eq!(status, 200);
    assert!(took >= hold, "{took:?}");
}

#[test]
fn latency_delays_the_answer() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("slow", b"s");
    emulator.faults().add(
        FaultRule::latency(Duration::from_millis(300))
            .method("GET")
            .times(1),
    );
    let start = Instant::now();
    let raw = client.get("slow");
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(raw.body, b"s");
    let start = Instant::now();
    client.get("slow");
    assert!(start.elapsed() < Duration::from_millis(300));
}

#[test]
fn error_inside_a_200_for_copy_and_complete() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .min_part_size(1)
            .bucket(BUCKET, false),
    )
    .expect("starts");
    let client = Client::new(&emulator, BUCKET);
    client.put("src", b"source");
    emulator.faults().add(
        FaultRule::error_in_200("InternalError")
            .method("PUT")
            .path_contains("/dst")
            .times(1),
    );
    let copy = CopyObject::new("dst", CopySource::new(BUCKET, "src", "ap-guangzhou"));
    let request = client.signed(&copy);
    let raw = client.send(&request, &[]);
    assert_eq!(raw.status, 200);
    assert_eq!(raw.code().as_deref(), Some("InternalError"));
    let parsed = copy.parse_response(request.uri(), raw.into_response());
    let error = parsed.expect_err("a 200 with <Error> is a failure");
    assert_eq!(
        error.service_error().map(|e| e.code()),
        Some("InternalError")
    );
    client.get("dst").assert_error(404, "NoSuchKey");
    assert_eq!(client.run(&copy, &[]).expect("copy").etag.len(), 34);

    let upload_id = client
        .run(&InitiateMultipartUpload::new("mp"), &[])
        .expect("initiate")
        .upload_id;
    let etag = client
        .run(&UploadPart::new("mp", &upload_id, 1, Some(4)), b"part")
        .expect("part")
        .etag;
    emulator.faults().add(
        FaultRule::new(FaultAction::ErrorIn200 {
            code: "InternalError".into(),
            message: Some("complete failed".into()),
        })
        .method("POST")
        .query_contains("uploadId=")
        .times(1),
    );
    let complete = CompleteMultipartUpload::new("mp", &upload_id).part(1, &etag);
    let raw = client.call(&complete, &[]);
    assert_eq!(raw.status, 200);
    assert_eq!(raw.element("Message").as_deref(), Some("complete failed"));
    assert!(
        client.run(&complete, &[]).is_ok(),
        "the upload survived the failure"
    );
    assert_eq!(client.get("mp").body, b"part");
}

fn pattern(seed: u64) -> Vec<u16> {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .fault_seed(seed)
            .bucket(BUCKET, false),
    )
    .expect("starts");
    let client = Client::new(&emulator, BUCKET);
    client.put("p", b"p");
    emulator.faults().add(
        FaultRule::status(503, "SlowDown")
            .method("GET")
            .probability(0.5),
    );
    (0..40).map(|_| client.get("p").status).collect()
}

#[test]
fn faults_are_deterministic_given_a_seed() {
    let a = pattern(7);
    let b = pattern(7);
    let c = pattern(8);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.contains(&503) && a.contains(&200));

    // Re-seeding an emulator replays the same pattern.
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("p", b"p");
    emulator.faults().add(
        FaultRule::status(500, "InternalError")
            .method("GET")
            .probability(0.3),
    );
    emulator.faults().set_seed(99);
    let first: Vec<u16> = (0..30).map(|_| client.get("p").status).collect();
    emulator.faults().set_seed(99);
    let second: Vec<u16> = (0..30).map(|_| client.get("p").status).collect();
    assert_eq!(first, second);
}

#[test]
fn admin_endpoint_drives_faults_and_resets() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("k", b"v");
    let body =
        r#"{"method":"GET","times":1,"action":{"kind":"status","status":429,"code":"SlowDown"}}"#;
    let request = format!(
        "POST /-/emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let raw = exchange(emulator.addr(), request.as_bytes()).expect("admin");
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert!(raw.text().contains("\"id\":"));
    client.get("k").assert_error(429, "SlowDown");
    assert_eq!(client.get("k").status, 200);
    let raw = exchange(
        emulator.addr(),
        b"GET /-/emulator/faults HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .expect("admin");
    let listing: serde_json::Value = serde_json::from_slice(&raw.body).expect("json");
    assert_eq!(listing["rules"][0]["fired"], 1);
    assert_eq!(listing["fired"][0]["kind"], "status");

    let bad = "POST /-/emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{oops";
    assert_eq!(
        exchange(emulator.addr(), bad.as_bytes())
            .expect("admin")
            .status,
        400
    );
    let clock = r#"{"offset_secs":100}"#;
    let request = format!(
        "POST /-/emulator/clock HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{clock}",
        clock.len()
    );
    exchange(emulator.addr(), request.as_bytes()).expect("admin");
    assert_eq!(emulator.now(), NOW + 100);
    let reset = "POST /-/emulator/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assert_eq!(
        exchange(emulator.addr(), reset.as_bytes())
            .expect("admin")
            .status,
        200
    );
    let client = Client::new(&emulator, BUCKET);
    client.get("k").assert_error(404, "NoSuchKey");
    let missing = "GET /-/emulator/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_eq!(
        exchange(emulator.addr(), missing.as_bytes())
            .expect("admin")
            .status,
        404
    );
    assert_alive(&emulator);
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let emulator = emulator();
    let addr = emulator.addr();
    assert_alive(&emulator);
    let start = Instant::now();
    drop(emulator);
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens any more"
    );
}
