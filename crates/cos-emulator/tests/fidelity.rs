//! Where real clients look: the append checksum header, COS's user metadata limits,
//! empty listing pages (`max-keys=0`), the `304 Not Modified` headers and inverted
//! ranges.

mod common;

use common::{BUCKET, Client, emulator, versioned_emulator};
use cos_proto::ops::{
    AppendObject, CopyDirective, CopyObject, CopySource, CustomRequest, GetObject, HeadObject,
    InitiateMultipartUpload, PutObject, UploadPart,
};
use http::Method;
use md5::{Digest, Md5};

fn md5_hex(data: &[u8]) -> String {
    Md5::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---------------------------------------------------------------------------
// Append: x-cos-content-sha1
// ---------------------------------------------------------------------------

#[test]
fn append_answers_carry_the_md5_of_the_appended_chunk() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let first = client.call(&AppendObject::new("log", 0, Some(5)), b"hello");
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(
        first.header("x-cos-content-sha1"),
        Some(md5_hex(b"hello").as_str())
    );
    let second = client.call(&AppendObject::new("log", 5, Some(6)), b" world");
    assert_eq!(second.status, 200, "{}", second.text());
    // The chunk's MD5, not the whole object's (that one is the ETag).
    assert_eq!(
        second.header("x-cos-content-sha1"),
        Some(md5_hex(b" world").as_str())
    );
    assert_eq!(
        second.header("etag"),
        Some(format!("\"{}\"", md5_hex(b"hello world")).as_str())
    );
}

// ---------------------------------------------------------------------------
// User metadata limits: 2 KB a header, 4 KB in all
// ---------------------------------------------------------------------------

/// `count` headers `x-cos-meta-mN` whose suffix and value make `each` bytes.
fn meta_headers(count: usize, each: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            let name = format!("m{i}");
            let value = "v".repeat(each - name.len());
            (format!("x-cos-meta-{name}"), value)
        })
        .collect()
}

fn put_with_meta(client: &Client, key: &str, meta: &[(String, String)]) -> common::Raw {
    let mut op = PutObject::new(key, Some(4));
    for (name, value) in meta {
        op = op.metadata(name, value);
    }
    client.call(&op, b"data")
}

#[test]
fn put_refuses_user_metadata_over_the_limits() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    // At the limits: accepted, and read back.
    let at_limit = meta_headers(2, 2048);
    let raw = put_with_meta(&client, "ok", &at_limit);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let head = client.call(&HeadObject::new("ok"), &[]);
    assert_eq!(
        head.header("x-cos-meta-m1").map(str::len),
        Some(2048 - "m1".len())
    );
    // One header over 2 KB.
    put_with_meta(&client, "one", &meta_headers(1, 2049)).assert_error(400, "InvalidArgument");
    // Three headers of 1.5 KB: each fine, 4.5 KB in all.
    put_with_meta(&client, "all", &meta_headers(3, 1536)).assert_error(400, "InvalidArgument");
    assert_eq!(client.get("one").status, 404);
    assert_eq!(client.get("all").status, 404);
}

#[test]
fn every_write_that_sets_metadata_checks_the_limits() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let too_much = meta_headers(3, 1536);

    let mut initiate = InitiateMultipartUpload::new("mp");
    for (name, value) in &too_much {
        initiate = initiate.metadata(name, value);
    }
    client
        .call(&initiate, &[])
        .assert_error(400, "InvalidArgument");

    client.put("src", b"data");
    let source = CopySource::new(BUCKET, "src", "ap-guangzhou");
    let mut replaced =
        CopyObject::new("dst", source.clone()).metadata_directive(CopyDirective::Replaced);
    for (name, value) in &too_much {
        replaced = replaced.metadata(name, value);
    }
    client
        .call(&replaced, &[])
        .assert_error(400, "InvalidArgument");
    // With the Copy directive the request's metadata is ignored, so not checked.
    let mut copied = CopyObject::new("dst", source);
    for (name, value) in &too_much {
        copied = copied.metadata(name, value);
    }
    assert_eq!(client.call(&copied, &[]).status, 200);

    let mut append = AppendObject::new("log", 0, Some(1));
    for (name, value) in &too_much {
        append = append.metadata(name, value);
    }
    client
        .call(&append, b"x")
        .assert_error(400, "InvalidArgument");
    assert_eq!(client.get("log").status, 404);
}

// ---------------------------------------------------------------------------
// max-keys=0
// ---------------------------------------------------------------------------

#[test]
fn a_page_size_of_zero_is_an_empty_page_that_is_not_truncated() {
    let emulator = versioned_emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("a", b"1");
    client.put("b", b"2");

    // cos-proto refuses 0 before sending: ask by hand, as other clients may.
    let list = |params: &[(&str, &str)]| {
        let mut op = CustomRequest::bucket(Method::GET);
        for (name, value) in params {
            op = op.param(*name, *value);
        }
        client.custom(op)
    };
    let raw = list(&[("max-keys", "0")]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.element("MaxKeys").as_deref(), Some("0"));
    assert_eq!(raw.element("IsTruncated").as_deref(), Some("false"));
    assert!(raw.elements("Contents").is_empty(), "{}", raw.text());
    assert!(raw.element("NextMarker").is_none(), "{}", raw.text());

    let raw = list(&[("versions", ""), ("max-keys", "0")]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.element("IsTruncated").as_deref(), Some("false"));
    assert!(raw.elements("Version").is_empty(), "{}", raw.text());
    assert!(raw.element("NextKeyMarker").is_none(), "{}", raw.text());

    let upload_id = client
        .run(&InitiateMultipartUpload::new("mp"), &[])
        .expect("initiate")
        .upload_id;
    let part = client.call(&UploadPart::new("mp", &upload_id, 1, Some(1)), b"x");
    assert_eq!(part.status, 200);

    let raw = list(&[("uploads", ""), ("max-uploads", "0")]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.element("IsTruncated").as_deref(), Some("false"));
    assert!(raw.elements("Upload").is_empty(), "{}", raw.text());
    assert!(raw.element("NextKeyMarker").is_none(), "{}", raw.text());

    let op = CustomRequest::object(Method::GET, "mp")
        .param("uploadId", upload_id.as_str())
        .param("max-parts", "0");
    let raw = client.custom(op);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.element("IsTruncated").as_deref(), Some("false"));
    assert!(raw.elements("Part").is_empty(), "{}", raw.text());
    assert!(
        raw.element("NextPartNumberMarker").is_none(),
        "{}",
        raw.text()
    );
}

// ---------------------------------------------------------------------------
// 304 Not Modified
// ---------------------------------------------------------------------------

#[test]
fn not_modified_carries_the_caching_headers_and_no_body_length() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let put = PutObject::new("page.html", Some(5))
        .cache_control("max-age=60")
        .expires("Thu, 01 Jan 2037 00:00:00 GMT");
    assert_eq!(client.call(&put, b"hello").status, 200);
    let etag = format!("\"{}\"", md5_hex(b"hello"));

    for head in [false, true] {
        let raw = if head {
            client.call(&HeadObject::new("page.html").if_none_match(&etag), &[])
        } else {
            client.call(&GetObject::new("page.html").if_none_match(&etag), &[])
        };
        assert_eq!(raw.status, 304, "head={head}");
        assert!(raw.body.is_empty());
        assert_eq!(raw.header("etag"), Some(etag.as_str()));
        assert!(raw.header("last-modified").is_some());
        assert_eq!(raw.header("cache-control"), Some("max-age=60"));
        assert_eq!(raw.header("expires"), Some("Thu, 01 Jan 2037 00:00:00 GMT"));
        assert!(raw.header("date").is_some());
        assert!(raw.header("x-cos-request-id").is_some());
        assert_eq!(raw.header("content-length"), None, "head={head}");
    }
    // The response-* overrides apply as they would to the 200.
    let op = CustomRequest::object(Method::GET, "page.html")
        .param("response-cache-control", "no-cache")
        .header("If-None-Match", etag.as_str());
    let raw = client.call(&op, &[]);
    assert_eq!(raw.status, 304);
    assert_eq!(raw.header("cache-control"), Some("no-cache"));
}

// ---------------------------------------------------------------------------
// Inverted ranges
// ---------------------------------------------------------------------------

#[test]
fn an_inverted_range_is_ignored() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("r", b"0123456789abcdef");
    for range in ["bytes=10-5", "bytes=5-1", "bytes=100-3"] {
        let op = CustomRequest::object(Method::GET, "r").header("Range", range);
        let raw = client.call(&op, &[]);
        assert_eq!(raw.status, 200, "{range}: {}", raw.text());
        assert_eq!(raw.body, b"0123456789abcdef", "{range}");
        assert_eq!(raw.header("content-range"), None, "{range}");
        assert_eq!(raw.header("content-length"), Some("16"), "{range}");
    }
    // A range past the end is still unsatisfiable.
    let op = CustomRequest::object(Method::GET, "r").header("Range", "bytes=16-20");
    let raw = client.call(&op, &[]);
    raw.assert_error(416, "InvalidRange");
    assert_eq!(raw.header("content-range"), Some("bytes */16"));
}

// ---------------------------------------------------------------------------
// Select: aggregates and CAST over HTTP
// ---------------------------------------------------------------------------

/// The Records bytes, and whether Stats and End came, of a Select answer.
fn select_answer(raw: &common::Raw) -> (Vec<u8>, Option<cos_proto::select::SelectStats>, bool) {
    use cos_proto::select::{SelectDecoder, SelectEvent};
    let mut decoder = SelectDecoder::new();
    decoder.feed(&raw.body);
    let mut records = Vec::new();
    let mut stats = None;
    let mut end = false;
    while let Some(event) = decoder.next_event().expect("valid event stream") {
        match event {
            SelectEvent::Records(bytes) => records.extend_from_slice(&bytes),
            SelectEvent::Stats(s) => stats = Some(s),
            SelectEvent::End => end = true,
            _ => {}
        }
    }
    (records, stats, end)
}

#[test]
fn select_aggregates_and_casts_on_csv_and_json() {
    use cos_proto::ops::{
        CsvInput, CsvOutput, FileHeaderInfo, InputSerialization, JsonOutput, JsonType,
        OutputSerialization, SelectObjectContent,
    };
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let csv = b"name,age\nalice,30\nbob,25\ncarol,35\n";
    client.put("people.csv", csv);
    let op = SelectObjectContent::new(
        "people.csv",
        "SELECT COUNT(*), SUM(CAST(s.age AS INT)), AVG(CAST(s.age AS FLOAT)), MIN(s.age), \
         MAX(s.age) FROM COSObject s WHERE CAST(s.age AS INT) > 20",
        InputSerialization::csv(CsvInput::new().file_header_info(FileHeaderInfo::Use)),
        OutputSerialization::Csv(CsvOutput::new()),
    );
    let raw = client.call(&op, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let (records, stats, end) = select_answer(&raw);
    assert_eq!(String::from_utf8_lossy(&records), "3,90,30.0,25,35\n");
    let stats = stats.expect("a Stats event");
    assert_eq!(stats.bytes_scanned, csv.len() as u64);
    assert_eq!(stats.bytes_returned, records.len() as u64);
    assert!(end, "an End event");

    client.put(
        "people.json",
        b"{\"n\":\"a\",\"v\":1}\n{\"n\":\"b\",\"v\":2.5}\n{\"n\":\"c\",\"v\":null}\n{\"n\":\"d\"}\n",
    );
    let op = SelectObjectContent::new(
        "people.json",
        "SELECT COUNT(*) AS n, COUNT(s.v) AS k, SUM(s.v) AS total, MAX(s.n) AS last \
         FROM COSObject s",
        InputSerialization::json(JsonType::Lines),
        OutputSerialization::Json(JsonOutput::new()),
    );
    let raw = client.call(&op, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let (records, stats, end) = select_answer(&raw);
    assert_eq!(
        String::from_utf8_lossy(&records),
        "{\"n\":4,\"k\":2,\"total\":3.5,\"last\":\"d\"}\n"
    );
    assert!(stats.is_some() && end);

    // Mixing an aggregate and a plain column is refused before streaming.
    let op = SelectObjectContent::new(
        "people.json",
        "SELECT s.n, COUNT(*) FROM COSObject s",
        InputSerialization::json(JsonType::Lines),
        OutputSerialization::Json(JsonOutput::new()),
    );
    client
        .call(&op, &[])
        .assert_error(400, "UnsupportedSqlStructure");
    // A value CAST cannot convert fails the query.
    let op = SelectObjectContent::new(
        "people.json",
        "SELECT CAST(s.n AS INT) FROM COSObject s",
        InputSerialization::json(JsonType::Lines),
        OutputSerialization::Json(JsonOutput::new()),
    );
    client.call(&op, &[]).assert_error(400, "CastFailed");
}
