//! `upload_file`, `download_file`, `copy`, `move_object` against the emulator: round
#![allow(clippy::unwrap_used)]
//! trips, edge sizes, resume after a failure, and what changes between runs do.

mod common;

use std::path::Path;

use common::{BUCKET, builder, data, fast_retries};
use cos_emulator::{Emulator, EmulatorConfig, FaultRule};
use cos_proto::Config;
use cos_proto::ops::{
    CopyObject, CopySource, GetObject, HeadObject, ListMultipartUploads, PutObject,
};
use cos_tokio::Client;
use cos_transfer::{TransferError, TransferEvent, TransferOptions};

const KIB: u64 = 1024;

fn small_parts_emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new().bucket(BUCKET, false).min_part_size(1))
        .expect("emulator starts")
}

fn client(emulator: &Emulator) -> Client {
    let _ = fast_retries();
    builder(emulator).build().expect("client")
}

/// Small parts so multipart paths run on small files.
fn options() -> TransferOptions {
    TransferOptions::default()
        .multipart_threshold(64 * KIB)
        .part_size(16 * KIB)
        .concurrency(4)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn round_trip(client: &Client, dir: &Path, len: usize, options: TransferOptions) {
    let bytes = data(len);
    let key = format!("rt/{len}");
    let source = write(dir, &format!("src-{len}"), &bytes);
    let mut events = Vec::new();
    let up = client
        .upload_file_with_progress(&PutObject::new(&key, None), &source, options, |e| {
            events.push(e)
        })
        .await
        .expect("upload");
    assert_eq!(up.size, len as u64);
    assert_eq!(up.crc64, cos_proto::crc64::crc64(&bytes));
    assert!(!cos_transfer::paths::checkpoint_path(&source).exists());
    let committed: Vec<u64> = events.iter().map(|e| e.progress().committed).collect();
    assert!(
        committed.windows(2).all(|w| w[0] <= w[1]),
        "progress went backwards: {committed:?}"
    );
    assert!(matches!(
        events.last(),
        Some(TransferEvent::Finished { .. })
    ));

    let target = dir.join(format!("dst-{len}"));
    let down = client
        .download_file(&GetObject::new(&key), &target, options)
        .await
        .expect("download");
    assert_eq!(down.crc64, up.crc64);
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert!(!cos_transfer::paths::temp_path(&target).exists());
    assert!(!cos_transfer::paths::checkpoint_path(&target).exists());
}

#[tokio::test]
async fn edge_sizes_round_trip() {
    let emulator = small_parts_emulator();
    let client = client(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let options = options();
    for len in [
        0,                        // empty
        1,                        // below the threshold
        (64 * KIB - 1) as usize,  // just below the threshold: one PUT
        (64 * KIB) as usize,      // exactly the threshold: multipart
        (96 * KIB) as usize,      // an exact multiple of the part size
        (100 * KIB + 7) as usize, // a short last part
    ] {
        round_trip(&client, dir.path(), len, options).await;
    }
}

#[tokio::test]
async fn the_threshold_picks_multipart_and_the_part_count_stays_within_limits() {
    let emulator = small_parts_emulator();
    let client = client(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let exact = data(64 * KIB as usize);
    let source = write(dir.path(), "exact", &exact);
    let up = client
        .upload_file(&PutObject::new("exact", None), &source, options())
        .await
        .unwrap();
    assert_eq!(
        up.parts, 4,
        "exactly the threshold goes multipart, 4 × 16 KiB"
    );

    // 10,001 parts of 16 bytes would be too many: the part size doubles.
    let many = data(10_001 * 16);
    let source = write(dir.path(), "many", &many);
    let opts = TransferOptions::default()
        .multipart_threshold(1)
        .part_size(16)
        .concurrency(8);
    let up = client
        .upload_file(&PutObject::new("many", None), &source, opts)
        .await
        .unwrap();
    assert_eq!(up.parts, 5001);
    let got = client
        .download_file(&GetObject::new("many"), dir.path().join("many.out"), opts)
        .await
        .unwrap();
    assert_eq!(got.crc64, up.crc64);
    assert_eq!(std::fs::read(dir.path().join("many.out")).unwrap(), many);
}

#[tokio::test]
async fn a_failed_upload_resumes_without_resending_finished_parts() {
    let emulator = small_parts_emulator();
    let client = client(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let bytes = data(160 * KIB as usize);
    let source = write(dir.path(), "big", &bytes);
    let fault = emulator.faults().add(
        FaultRule::status(403, "AccessDenied")
            .method("PUT")
            .query_contains("partNumber=7")
            .times(1),
    );
    let failed = client
        .upload_file(&PutObject::new("big", None), &source, options())
        .await
        .expect_err("part 7 is refused");
    assert!(failed.client_error().is_some(), "{failed}");
    assert_eq!(emulator.faults().fired_count(fault), 1);
    assert!(cos_transfer::paths::checkpoint_path(&source).exists());

    let done = client
        .upload_file(&PutObject::new("big", None), &source, options())
        .await
        .expect("resumed");
    assert!(done.resumed_bytes >= 16 * KIB, "{done:?}");
    assert_eq!(done.resumed_bytes + done.sent_bytes, 160 * KIB, "{done:?}");
    let info = client.head_object(&HeadObject::new("big")).await.unwrap();
    assert_eq!(info.crc64, Some(cos_proto::crc64::crc64(&bytes)));
}

#[tokio::test]
async fn a_source_modified_between_runs_starts_over_and_aborts_the_stale_upload() {
    let emulator = small_parts_emulator();
    let client = client(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let source = write(dir.path(), "f", &data(160 * KIB as usize));
    emulator.faults().add(
        FaultRule::status(403, "AccessDenied")
            .method("PUT")
            .query_contains("partNumber=5")
            .times(1),
    );
    client
        .upload_file(&PutObject::new("f", None), &source, options())
        .await
        .expect_err("first run fails");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut changed = data(160 * KIB as usize + 3);
    changed[0] ^= 0xff;
    std::fs::write(&source, &changed).unwrap();
    let done = client
        .upload_file(&PutObject::new("f", None), &source, options())
        .await
        .expect("second run");
    assert_eq!(done.resumed_bytes, 0);
    let got = dir.path().join("f.out");
    client
        .download_file(&GetObject::new("f"), &got, options())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&got).unwrap(), changed);
    let uploads = client
        .list_multipart_uploads(&ListMultipartUploads::new())
        .await
        .unwrap();
    assert!(
        uploads.uploads.is_empty(),
        "the stale upload was aborted: {uploads:?}"
    );
}

#[tokio::test]
async fn a_remote_object_replaced_between_runs_is_downloaded_afresh() {
    let emulator = small_parts_emulator();
    let client = client(&emulator);
    let dir = tempfile::tempdir().unwrap();
    let first = data(128 * KIB as usize);
    client
        .put_object(
            &PutObject::new("obj", Some(first.len() as u64)),
            first.clone(),
        )
        .await
        .unwrap();
    emulator.faults().add(
        FaultRule::status(403, "AccessDenied")
            .method("GET")
            .path_contains("obj")
            .skip(3)
            .times(1),
    );
    let target = dir.path().join("obj");
    client
        .download_file(&GetObject::new("obj"), &target, options().concurrency(1))
        .await
        .expect_err("a range is refused");
    assert!(!target.exists());
    assert!(cos_transfer::paths::checkpoint_path(&target).exists());

    // Resuming the same object fetches only the rest.
    let resumed = client
        .download_file(&GetObject::new("obj"), &target, options())
        .await
        .expect("resumed");
    assert!(resumed.resumed_bytes > 0);
    assert_eq!(std::fs::read(&target).unwrap(), first);

    // A replaced object is not spliced with the old one.
    std::fs::remove_file(&target).unwrap();
    emulator.faults().add(
        FaultRule::status(403, "AccessDenied")
            .method("GET")
            .path_contains("obj")
            .skip(2)
            .times(1),
    );
    client
        .download_file(&GetObject::new("obj"), &target, options().concurrency(1))
        .await
        .expect_err("a range is refused");
    let second: Vec<u8> = first.iter().map(|b| b ^ 0x5a).collect();
    client
        .put_object(
            &PutObject::new("obj", Some(second.len() as u64)),
            second.clone(),
        )
        .await
        .unwrap();
    let fresh = client
        .download_file(&GetObject::new("obj"), &target, options())
        .await
        .expect("fresh");
    assert_eq!(fresh.resumed_bytes, 0);
    assert_eq!(std::fs::read(&target).unwrap(), second);
}

#[tokio::test]
async fn an_unwritable_target_fails_cleanly() {
    let emulator = small_parts_emulator();
    let client = client(&emulator);
    let dir = tempfile::tempdir().unwrap();
    client
        .put_object(&PutObject::new("x", Some(3)), "abc")
        .await
        .unwrap();
    let not_a_dir = write(dir.path(), "file", b"");
    let err = client
        .download_file(&GetObject::new("x"), not_a_dir.join("x"), options())
        .await
        .expect_err("the parent is a file");
    assert!(
        matches!(err.client_error(), Some(cos_tokio::Error::File { .. })),
        "{err:?}"
    );
    let missing = client
        .download_file(&GetObject::new("missing"), dir.path().join("m"), options())
        .await
        .expect_err("no such key");
    assert_eq!(
        missing
            .client_error()
            .and_then(|e| e.service_error())
            .map(|e| e.status),
        Some(404)
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing was created"
    );
}

#[tokio::test]
async fn copies_and_moves_verify_before_deleting() {
    let emulator = small_parts_emulator();
    let client = client(&emulator);
    let bytes = data(100 * KIB as usize);
    client
        .put_object(
            &PutObject::new("src", Some(bytes.len() as u64))
                .content_type("text/x-test")
                .metadata("x-cos-meta-owner", "alice"),
            bytes.clone(),
        )
        .await
        .unwrap();
    let config: &Config = client.config();
    let source = CopySource::in_config(config, "src");
    let multipart = options().copy_threshold(32 * KIB);
    let copied = client
        .copy(&CopyObject::new("copy", source.clone()), multipart)
        .await
        .expect("multipart copy");
    assert_eq!(copied.parts, 7);
    let info = client.head_object(&HeadObject::new("copy")).await.unwrap();
    assert_eq!(info.crc64, Some(cos_proto::crc64::crc64(&bytes)));
    assert_eq!(info.content.content_type.as_deref(), Some("text/x-test"));
    assert_eq!(
        info.metadata,
        vec![("x-cos-meta-owner".to_owned(), "alice".to_owned())]
    );

    let moved = client
        .move_object(
            &CopyObject::new("moved", CopySource::in_config(config, "copy")),
            options(),
        )
        .await
        .expect("move");
    assert!(moved.source_deleted);
    assert_eq!(moved.parts, 0);
    let gone = client
        .head_object(&HeadObject::new("copy"))
        .await
        .unwrap_err();
    assert_eq!(gone.service_error().map(|e| e.status), Some(404));
    let missing = client
        .move_object(
            &CopyObject::new("x", CopySource::in_config(config, "nope")),
            options(),
        )
        .await
        .unwrap_err();
    assert!(matches!(missing, TransferError::Client(_)));
}
