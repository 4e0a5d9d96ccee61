//! Crash safety of the directory store, with the real binary: acknowledged objects
//! survive `kill -9` intact (bytes and CRC-64) and an upload killed mid-body is never
//! visible.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{BUCKET, Client, data, head_bytes};
use cos_emulator::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
use cos_proto::Credentials;
use cos_proto::crc64::crc64;
use cos_proto::ops::{
    CompleteMultipartUpload, InitiateMultipartUpload, ListObjects, ListParts, PutObject, UploadPart,
};

/// Kills the child when dropped (also when a test fails).
struct Running {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cos-emulator"))
        .args(["--port", "0", "--data-dir"])
        .arg(dir)
        .args(["--bucket", BUCKET])
        .env_remove("COS_EMULATOR_SECRET_ID")
        .env_remove("COS_EMULATOR_SECRET_KEY")
        .env_remove("COS_EMULATOR_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("endpoint line");
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("http://")
        .expect("http endpoint")
        .parse()
        .expect("address");
    assert!(addr.ip().is_loopback());
    Running { child, addr }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn client(running: &Running) -> Client {
    let credentials = Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY).expect("creds");
    Client::for_addr(running.addr, BUCKET, credentials, now())
}

fn temp_dir() -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir =
        std::env::temp_dir().join(format!("cos-emulator-crash-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn tmp_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir.join("tmp"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn a_killed_emulator_keeps_every_acknowledged_object_and_no_torn_one() {
    let dir = temp_dir();
    let mut acknowledged: Vec<(String, Vec<u8>)> = Vec::new();
    let upload_id;
    let part_etag;
    {
        let running = start(&dir);
        let client = client(&running);
        for i in 0..5u64 {
            let key = format!("small/{i}.txt");
            let body = data(1000 + i as usize * 37, i);
            client.put(&key, &body);
            acknowledged.push((key, body));
        }
        let big = data(3 * 1024 * 1024 + 5, 42);
        client.put("big.bin", &big);
        acknowledged.push(("big.bin".into(), big));
        // An overwrite: only the second version must come back.
        client.put("over.txt", b"first");
        client.put("over.txt", b"second");
        acknowledged.push(("over.txt".into(), b"second".to_vec()));
        // A completed multipart object.
        let id = client
            .run(&InitiateMultipartUpload::new("multi.bin"), &[])
            .expect("initiate")
            .upload_id;
        let p1 = data(1024 * 1024, 5);
        let p2 = data(77, 6);
        let e1 = client
            .run(
                &UploadPart::new("multi.bin", &id, 1, Some(p1.len() as u64)),
                &p1,
            )
            .expect("part")
            .etag;
        let e2 = client
            .run(
                &UploadPart::new("multi.bin", &id, 2, Some(p2.len() as u64)),
                &p2,
            )
            .expect("part")
            .etag;
        let done = CompleteMultipartUpload::new("multi.bin", &id)
            .part(1, e1)
            .part(2, e2);
        client.run(&done, &[]).expect("complete");
        acknowledged.push(("multi.bin".into(), [p1, p2].concat()));
        // An upload in progress with one acknowledged part.
        upload_id = client
            .run(&InitiateMultipartUpload::new("pending.bin"), &[])
            .expect("initiate")
            .upload_id;
        part_etag = client
            .run(
                &UploadPart::new("pending.bin", &upload_id, 1, Some(3)),
                b"abc",
            )
            .expect("part")
            .etag;

        // A large upload killed mid-body.
        let total = 32 * 1024 * 1024u64;
        let request = client.signed(&PutObject::new("partial.bin", Some(total)));
        let mut stream = TcpStream::connect(running.addr).expect("connect");
        stream.write_all(&head_bytes(&request)).expect("head");
        let chunk = data(1024 * 1024, 77);
        for _ in 0..4 {
            stream.write_all(&chunk).expect("body");
        }
        stream.flush().expect("flush");
        let deadline = Instant::now() + Duration::from_secs(10);
        while tmp_bytes(&dir) < 1024 * 1024 {
            assert!(
                Instant::now() < deadline,
                "the emulator never started writing"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(running); // SIGKILL
        drop(stream);
    }

    let running = start(&dir);
    let client = client(&running);
    for (key, body) in &acknowledged {
        let raw = client.get(key);
        assert_eq!(raw.status, 200, "{key}: {}", raw.text());
        assert!(raw.body == *body, "{key}: bytes differ");
        assert_eq!(
            raw.header("x-cos-hash-crc64ecma"),
            Some(crc64(body).to_string().as_str()),
            "{key}"
        );
    }
    client.get("partial.bin").assert_error(404, "NoSuchKey");
    let listing = client.run(&ListObjects::new(), &[]).expect("list");
    let mut keys: Vec<String> = listing.contents.iter().map(|c| c.key.clone()).collect();
    keys.sort();
    let mut expected: Vec<String> = acknowledged.iter().map(|(k, _)| k.clone()).collect();
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(tmp_bytes(&dir), 0, "temporary files are cleaned at start");
    // The in-progress upload and its acknowledged part survived too.
    let parts = client
        .run(&ListParts::new("pending.bin", &upload_id), &[])
        .expect("list parts");
    assert_eq!(parts.parts.len(), 1);
    assert_eq!(parts.parts[0].etag, part_etag);
    // Only referenced blobs are left.
    let blobs = std::fs::read_dir(dir.join("blobs")).expect("blobs").count();
    assert_eq!(blobs, acknowledged.len() + 1);
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}
