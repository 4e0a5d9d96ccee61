//! Multipart uploads: initiate, upload part, part copy with ranges, list parts and
//! uploads with pagination, complete (order, sizes, ETags, CRC-64), abort.

mod common;

use common::{BUCKET, Client, NOW, data, emulator, versioned_emulator};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::crc64::crc64;
use cos_proto::ops::{
    AbortMultipartUpload, CompleteMultipartUpload, CopySource, CustomRequest,
    InitiateMultipartUpload, ListMultipartUploads, ListParts, UploadPart, UploadPartCopy,
};
use http::Method;

const MIB: usize = 1024 * 1024;

fn initiate(client: &Client, key: &str) -> String {
    client
        .run(&InitiateMultipartUpload::new(key), &[])
        .expect("initiate")
        .upload_id
}

fn upload(client: &Client, key: &str, upload_id: &str, number: u32, body: &[u8]) -> String {
    let op = UploadPart::new(key, upload_id, number, Some(body.len() as u64));
    let raw = client.call(&op, body);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(
        raw.header("x-cos-hash-crc64ecma"),
        Some(crc64(body).to_string().as_str())
    );
    raw.header("etag").expect("etag").to_owned()
}

#[test]
fn upload_complete_and_read_back() {
    let emulator = versioned_emulator();
    let client = Client::new(&emulator, BUCKET);
    let raw = client.call(&InitiateMultipartUpload::new("big file.iso"), &[]);
    assert_eq!(raw.status, 200);
    assert_eq!(raw.element("Key").as_deref(), Some("big file.iso"));
    assert_eq!(raw.element("Bucket").as_deref(), Some(BUCKET));
    let upload_id = raw.element("UploadId").expect("upload id");
    assert!(upload_id.starts_with(&NOW.to_string()));

    let part1 = data(MIB, 1);
    let part2 = data(MIB + 17, 2);
    let part3 = data(100, 3);
    let e1 = upload(&client, "big file.iso", &upload_id, 1, &part1);
    let e2 = upload(&client, "big file.iso", &upload_id, 2, &part2);
    let e3 = upload(&client, "big file.iso", &upload_id, 3, &part3);
    let complete = CompleteMultipartUpload::new("big file.iso", &upload_id)
        .part(1, &e1)
        .part(2, &e2)
        .part(3, &e3);
    let raw = client.call(&complete, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let whole: Vec<u8> = [part1, part2, part3].concat();
    assert_eq!(
        raw.header("x-cos-hash-crc64ecma"),
        Some(crc64(&whole).to_string().as_str())
    );
    assert!(raw.header("x-cos-version-id").is_some());
    let etag = raw.element("ETag").expect("etag");
    assert!(etag.ends_with("-3&quot;"), "{etag}");
    assert_eq!(
        raw.element("Location").as_deref(),
        Some(format!("{}/{BUCKET}/big%20file.iso", emulator.authority()).as_str())
    );
    let got = client.get("big file.iso");
    assert_eq!(got.body.len(), whole.len());
    assert!(got.body == whole);
    assert_eq!(
        got.header("x-cos-hash-crc64ecma"),
        Some(crc64(&whole).to_string().as_str())
    );
    // The upload is gone.
    client
        .call(&ListParts::new("big file.iso", &upload_id), &[])
        .assert_error(404, "NoSuchUpload");
}

/// `x-cos-forbid-overwrite: true` on Complete: an existing key is kept (409
/// `FileAlreadyExists`, the upload left to complete otherwise), except in a bucket that
/// has had versioning, where COS ignores the header.
#[test]
fn complete_honours_forbid_overwrite_unless_the_bucket_had_versioning() {
    for (emulator, versioned) in [(emulator(), false), (versioned_emulator(), true)] {
        let client = Client::new(&emulator, BUCKET);
        client.put("taken", b"old");
        let upload_id = initiate(&client, "taken");
        let etag = upload(&client, "taken", &upload_id, 1, b"new");
        let guarded = CompleteMultipartUpload::new("taken", &upload_id)
            .part(1, &etag)
            .forbid_overwrite(true);
        let raw = client.call(&guarded, &[]);
        if versioned {
            assert_eq!(raw.status, 200, "{}", raw.text());
            assert_eq!(client.get("taken").body, b"new");
            continue;
        }
        raw.assert_error(409, "FileAlreadyExists");
        assert_eq!(client.get("taken").body, b"old");
        let plain = CompleteMultipartUpload::new("taken", &upload_id).part(1, &etag);
        assert_eq!(client.call(&plain, &[]).status, 200, "the upload was kept");
        assert_eq!(client.get("taken").body, b"new");

        let fresh_id = initiate(&client, "fresh");
        let etag = upload(&client, "fresh", &fresh_id, 1, b"first");
        let fresh = CompleteMultipartUpload::new("fresh", &fresh_id)
            .part(1, &etag)
            .forbid_overwrite(true);
        assert_eq!(client.call(&fresh, &[]).status, 200, "a new key is written");
    }
}

#[test]
fn complete_checks_order_parts_and_sizes() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let id = initiate(&client, "k");
    let e1 = upload(&client, "k", &id, 1, b"small");
    let e2 = upload(&client, "k", &id, 2, b"tail");
    // cos-proto refuses to send parts out of order, so write the document by hand.
    let body = format!(
        "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>{e2}</ETag></Part>\
         <Part><PartNumber>1</PartNumber><ETag>{e1}</ETag></Part></CompleteMultipartUpload>"
    );
    let raw_order = CustomRequest::object(Method::POST, "k")
        .param("uploadId", &id)
        .body(cos_proto::Body::Bytes(bytes::Bytes::from(body)));
    client
        .call(&raw_order, &[])
        .assert_error(400, "InvalidPartOrder");

    let too_small = CompleteMultipartUpload::new("k", &id)
        .part(1, &e1)
        .part(2, &e2);
    client
        .call(&too_small, &[])
        .assert_error(400, "EntityTooSmall");
    let bad_etag = CompleteMultipartUpload::new("k", &id).part(1, "\"0000\"");
    client.call(&bad_etag, &[]).assert_error(400, "InvalidPart");
    let missing = CompleteMultipartUpload::new("k", &id).part(7, &e1);
    client.call(&missing, &[]).assert_error(400, "InvalidPart");
    // A single small part is fine (the last part may be small).
    let single = CompleteMultipartUpload::new("k", &id).part(1, &e1);
    let raw = client.call(&single, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(client.get("k").body, b"small");

    let unknown = CompleteMultipartUpload::new("k", "123nosuchupload").part(1, &e1);
    client.call(&unknown, &[]).assert_error(404, "NoSuchUpload");
    client
        .call(&UploadPart::new("k", "123nosuchupload", 1, Some(1)), b"x")
        .assert_error(404, "NoSuchUpload");
    let id = initiate(&client, "k2");
    client
        .call(
            &CustomRequest::object(Method::PUT, "k2")
                .param("partNumber", "10001")
                .param("uploadId", &id)
                .body(cos_proto::Body::Bytes(bytes::Bytes::from_static(b"x"))),
            &[],
        )
        .assert_error(400, "InvalidArgument");
}

#[test]
fn parts_can_be_replaced_and_the_min_size_configured() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .min_part_size(4)
            .bucket(BUCKET, false),
    )
    .expect("starts");
    let client = Client::new(&emulator, BUCKET);
    let id = initiate(&client, "k");
    upload(&client, "k", &id, 1, b"aaaa");
    let e1 = upload(&client, "k", &id, 1, b"AAAA");
    let e2 = upload(&client, "k", &id, 2, b"b");
    let done = CompleteMultipartUpload::new("k", &id)
        .part(1, &e1)
        .part(2, &e2);
    let raw = client.call(&done, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(client.get("k").body, b"AAAAb");
}

#[test]
fn upload_part_copy_with_ranges() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .min_part_size(1)
            .bucket(BUCKET, false),
    )
    .expect("starts");
    let client = Client::new(&emulator, BUCKET);
    client.put("src.bin", b"0123456789");
    let id = initiate(&client, "dst.bin");
    let source = CopySource::new(BUCKET, "src.bin", "ap-guangzhou");
    let copy1 = UploadPartCopy::new("dst.bin", &id, 1, source.clone()).copy_source_range(0, 3);
    let raw = client.call(&copy1, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.element("CRC64"), Some(crc64(b"0123").to_string()));
    let e1 = client.run(&copy1, &[]).expect("copy part").etag;
    let copy2 = UploadPartCopy::new("dst.bin", &id, 2, source.clone());
    let e2 = client.run(&copy2, &[]).expect("copy part").etag;
    let bad = UploadPartCopy::new("dst.bin", &id, 3, source.clone()).copy_source_range(5, 50);
    client.call(&bad, &[]).assert_error(400, "InvalidArgument");
    let failing = UploadPartCopy::new("dst.bin", &id, 3, source).copy_source_if_none_match("*");
    client
        .call(&failing, &[])
        .assert_error(412, "PreconditionFailed");
    let done = CompleteMultipartUpload::new("dst.bin", &id)
        .part(1, &e1)
        .part(2, &e2);
    let raw = client.call(&done, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(client.get("dst.bin").body, b"01230123456789");
}

#[test]
fn list_parts_and_uploads_paginate() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let id = initiate(&client, "p");
    for n in 1..=5 {
        upload(&client, "p", &id, n, format!("part{n}").as_bytes());
    }
    let first = ListParts::new("p", &id).max_parts(2);
    let page = client.run(&first, &[]).expect("list parts");
    assert_eq!(
        page.parts.iter().map(|p| p.part_number).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(page.is_truncated);
    assert_eq!(page.next_part_number_marker, Some(2));
    let page2 = client
        .run(&first.next_page(&page).expect("next"), &[])
        .expect("list parts");
    assert_eq!(
        page2
            .parts
            .iter()
            .map(|p| p.part_number)
            .collect::<Vec<_>>(),
        [3, 4]
    );
    let raw = client.call(&ListParts::new("p", &id).part_number_marker(4), &[]);
    assert_eq!(raw.elements("PartNumber"), vec!["5"]);
    assert_eq!(raw.element("IsTruncated").as_deref(), Some("false"));
    assert_eq!(raw.element("Size").as_deref(), Some("5"));

    let a = initiate(&client, "dir/a");
    let b1 = initiate(&client, "dir/b");
    let b2 = initiate(&client, "dir/b");
    initiate(&client, "dir/sub/c");
    let op = ListMultipartUploads::new()
        .prefix("dir/")
        .delimiter("/")
        .max_uploads(2);
    let page = client.run(&op, &[]).expect("list uploads");
    assert!(page.is_truncated);
    assert_eq!(page.uploads.len(), 2);
    assert_eq!(page.uploads[0].upload_id, a);
    let mut rest = Vec::new();
    let mut next = op.next_page(&page);
    let mut guard = 0;
    while let Some(op) = next {
        guard += 1;
        assert!(guard < 10, "pagination must end");
        let page = client.run(&op, &[]).expect("list uploads");
        rest.extend(page.uploads.iter().map(|u| u.upload_id.clone()));
        rest.extend(page.common_prefixes.iter().cloned());
        next = op.next_page(&page);
    }
    let mut all: Vec<String> = page.uploads.iter().map(|u| u.upload_id.clone()).collect();
    all.extend(rest);
    assert!(all.contains(&b1) && all.contains(&b2), "{all:?}");
    assert!(all.contains(&"dir/sub/".to_owned()), "{all:?}");
    assert_eq!(all.len(), 4);
}

#[test]
fn abort_discards_the_upload() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let id = initiate(&client, "gone");
    upload(&client, "gone", &id, 1, b"x");
    let raw = client.call(&AbortMultipartUpload::new("gone", &id), &[]);
    assert_eq!(raw.status, 204);
    client
        .call(&AbortMultipartUpload::new("gone", &id), &[])
        .assert_error(404, "NoSuchUpload");
    client
        .call(&ListParts::new("gone", &id), &[])
        .assert_error(404, "NoSuchUpload");
    let listing = client.run(&ListMultipartUploads::new(), &[]).expect("list");
    assert!(listing.uploads.is_empty());
    // An upload id is bound to its key.
    let id = initiate(&client, "one");
    client
        .call(&ListParts::new("two", &id), &[])
        .assert_error(404, "NoSuchUpload");
}

/// A completed object is its parts' bytes by reference: ranged GETs, part copies and
/// whole copies across the parts' boundaries read the right bytes, and deleting the
/// source object or aborting other uploads leaves copies intact.
#[test]
fn completed_objects_read_across_part_boundaries() {
    use cos_proto::ops::{ByteRange, CopyObject, DeleteObject, GetObject};

    let emulator = Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .min_part_size(1000)
            .bucket(BUCKET, false),
    )
    .expect("starts");
    let client = Client::new(&emulator, BUCKET);
    let parts = [data(1000, 1), data(1500, 2), data(7, 3)];
    let whole = parts.concat();
    let id = initiate(&client, "pieced");
    let mut done = CompleteMultipartUpload::new("pieced", &id);
    for (index, part) in parts.iter().enumerate() {
        let number = index as u32 + 1;
        done = done.part(number, upload(&client, "pieced", &id, number, part));
    }
    assert_eq!(client.call(&done, &[]).status, 200);
    assert_eq!(client.get("pieced").body, whole);
    for (first, last) in [
        (990, 1010),
        (0, 2506),
        (2499, 2501),
        (1000, 1000),
        (999, 2500),
    ] {
        let op = GetObject::new("pieced").range(ByteRange::inclusive(first, last).expect("range"));
        let raw = client.call(&op, &[]);
        assert_eq!(raw.status, 206, "{first}-{last}");
        assert_eq!(
            raw.body,
            whole[first as usize..=last as usize],
            "{first}-{last}"
        );
    }
    let source = CopySource::new(BUCKET, "pieced", "ap-guangzhou");
    let copy_id = initiate(&client, "copied");
    let span =
        UploadPartCopy::new("copied", &copy_id, 1, source.clone()).copy_source_range(995, 2502);
    let etag = client.run(&span, &[]).expect("copy part").etag;
    let done = CompleteMultipartUpload::new("copied", &copy_id).part(1, &etag);
    assert_eq!(client.call(&done, &[]).status, 200);
    let whole_copy = CopyObject::new("whole-copy", source);
    assert_eq!(client.call(&whole_copy, &[]).status, 200);
    assert_eq!(client.call(&DeleteObject::new("pieced"), &[]).status, 204);
    assert_eq!(client.get("copied").body, whole[995..=2502]);
    assert_eq!(client.get("whole-copy").body, whole);
}
