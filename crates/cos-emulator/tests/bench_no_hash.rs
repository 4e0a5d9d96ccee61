//! The bench-only store that skips MD5: ETags from CRC-64 and length, the CRC-64 and a
//! `Content-MD5` still checked, multipart uploads complete, never with a data directory.

mod common;

use common::{BUCKET, Client, NOW, data};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::crc64::crc64;
use cos_proto::headers::content_md5;
use cos_proto::ops::{CompleteMultipartUpload, InitiateMultipartUpload, PutObject, UploadPart};

fn no_hash_emulator() -> Emulator {
    Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .bucket(BUCKET, false)
            .bench_no_hash(true),
    )
    .expect("starts")
}

/// The hex MD5 of `body`, as an ETag without its quotes.
fn md5_hex(body: &[u8]) -> String {
    use base64::Engine as _;
    let digest = base64::engine::general_purpose::STANDARD
        .decode(content_md5(body))
        .expect("base64");
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn etag(raw: &common::Raw) -> String {
    raw.header("etag")
        .expect("etag")
        .trim_matches('"')
        .to_owned()
}

#[test]
fn puts_skip_the_md5_but_keep_the_crc64() {
    let emulator = no_hash_emulator();
    let client = Client::new(&emulator, BUCKET);
    let body = data(300_000, 7);
    let raw = client.put("plain", &body);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let crc = crc64(&body);
    assert_eq!(
        raw.header("x-cos-hash-crc64ecma"),
        Some(crc.to_string().as_str())
    );
    assert_ne!(etag(&raw), md5_hex(&body), "the MD5 was computed");
    assert_eq!(
        etag(&raw),
        format!("{crc:016x}{:016x}", body.len()),
        "the ETag is the CRC-64 and the length"
    );
    assert_eq!(client.get("plain").body, body);

    // The same on the default emulator: the ETag is the MD5.
    let full = Emulator::start(EmulatorConfig::new().fixed_time(NOW).bucket(BUCKET, false))
        .expect("starts");
    let raw = Client::new(&full, BUCKET).put("plain", &body);
    assert_eq!(etag(&raw), md5_hex(&body));
}

#[test]
fn a_content_md5_is_still_checked() {
    let emulator = no_hash_emulator();
    let client = Client::new(&emulator, BUCKET);
    let body = b"checked body".to_vec();
    let op = PutObject::new("checked", Some(body.len() as u64)).content_md5(content_md5(&body));
    let raw = client.call(&op, &body);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(etag(&raw), md5_hex(&body), "asked for, so computed");
    let op = PutObject::new("wrong", Some(body.len() as u64)).content_md5(content_md5(b"other"));
    client.call(&op, &body).assert_error(400, "BadDigest");
}

#[test]
fn multipart_uploads_complete_with_the_combined_crc64() {
    let emulator = no_hash_emulator();
    let client = Client::new(&emulator, BUCKET);
    let upload_id = client
        .run(&InitiateMultipartUpload::new("parts"), &[])
        .expect("initiate")
        .upload_id;
    let parts = [data(1024 * 1024, 1), data(1000, 2)];
    let wrong = UploadPart::new("parts", &upload_id, 1, Some(10)).content_md5(content_md5(b"x"));
    client.call(&wrong, &[0; 10]).assert_error(400, "BadDigest");
    let mut complete = CompleteMultipartUpload::new("parts", &upload_id);
    for (index, part) in parts.iter().enumerate() {
        let number = index as u32 + 1;
        let op = UploadPart::new("parts", &upload_id, number, Some(part.len() as u64));
        let raw = client.call(&op, part);
        assert_eq!(raw.status, 200, "{}", raw.text());
        assert_ne!(etag(&raw), md5_hex(part));
        complete = complete.part(number, etag(&raw));
    }
    let raw = client.call(&complete, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let whole = parts.concat();
    assert_eq!(
        raw.header("x-cos-hash-crc64ecma"),
        Some(crc64(&whole).to_string().as_str())
    );
    assert_eq!(client.get("parts").body, whole);
}

#[test]
fn refused_with_a_data_directory() {
    let dir = std::env::temp_dir().join(format!("cos-emulator-no-hash-{}", std::process::id()));
    let started = Emulator::start(EmulatorConfig::new().data_dir(&dir).bench_no_hash(true));
    let _ = std::fs::remove_dir_all(&dir);
    let error = started.expect_err("refused").to_string();
    assert!(error.contains("bench_no_hash"), "{error}");
}
