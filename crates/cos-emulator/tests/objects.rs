//! Object operations: happy paths and main errors, with COS status codes, headers and
//! XML documents. Requests come from cos-proto's operations; outputs are checked both
//! raw and through the operations' own parsers.

mod common;

use common::{BUCKET, Client, NOW, data, emulator, versioned_emulator};
use cos_emulator::{DEFAULT_RESTORE_DELAY, Emulator, EmulatorConfig};
use cos_proto::crc64::crc64;
use cos_proto::headers::{StorageClass, content_md5};
use cos_proto::ops::{
    AppendObject, ByteRange, CopyDirective, CopyObject, CopySource, CustomRequest, DeleteObject,
    DeleteObjectTagging, DeleteObjects, GetObject, GetObjectAcl, GetObjectTagging, HeadObject,
    ListObjectVersions, ListObjects, PutObject, PutObjectAcl, PutObjectTagging, ResponseOverride,
    RestoreObject, RestoreTier, SelectObjectContent,
};
use cos_proto::select::{SelectDecoder, SelectEvent};
use http::Method;

#[test]
fn put_get_head_delete() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let body = b"hello world";
    let op = PutObject::new("docs/hello.txt", Some(11))
        .content_type("text/plain")
        .metadata("x-cos-meta-author", "alice")
        .content_md5(content_md5(body));
    let put = client.run(&op, body).expect("put succeeds");
    assert_eq!(
        put.etag.as_deref(),
        Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
    );
    assert_eq!(put.crc64, Some(crc64(body)));
    assert_eq!(put.version_id, None);

    let head = client.call(&HeadObject::new("docs/hello.txt"), &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), Some("11"));
    assert_eq!(head.header("content-type"), Some("text/plain"));
    assert_eq!(head.header("x-cos-meta-author"), Some("alice"));
    assert_eq!(
        head.header("x-cos-hash-crc64ecma"),
        Some(crc64(body).to_string().as_str())
    );
    assert_eq!(
        head.header("last-modified"),
        Some("Tue, 14 Nov 2023 22:13:20 GMT")
    );
    assert_eq!(head.header("x-cos-object-type"), Some("normal"));
    assert!(head.header("x-cos-request-id").is_some());
    assert_eq!(head.header("server"), Some("tencent-cos"));

    let get = client.get("docs/hello.txt");
    assert_eq!(get.status, 200);
    assert_eq!(get.body, body);
    assert_eq!(
        get.header("etag"),
        Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
    );

    let parsed = client
        .run(&HeadObject::new("docs/hello.txt"), &[])
        .expect("head parses");
    assert_eq!(parsed.content_length, Some(11));

    let delete = client.call(&DeleteObject::new("docs/hello.txt"), &[]);
    assert_eq!(delete.status, 204);
    client.get("docs/hello.txt").assert_error(404, "NoSuchKey");
    let head = client.call(&HeadObject::new("docs/hello.txt"), &[]);
    assert_eq!(head.status, 404);
    assert!(head.body.is_empty());
    // Deleting a missing key is not an error.
    assert_eq!(
        client
            .call(&DeleteObject::new("docs/hello.txt"), &[])
            .status,
        204
    );
}

#[test]
fn put_checks_content_md5_and_length() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let op = PutObject::new("k", Some(5)).content_md5(content_md5(b"other"));
    client.call(&op, b"hello").assert_error(400, "BadDigest");
    client.get("k").assert_error(404, "NoSuchKey");
    let op = PutObject::new("k", Some(5)).content_md5("not base64!");
    client
        .call(&op, b"hello")
        .assert_error(400, "InvalidDigest");
    // Neither Content-Length nor chunked framing.
    let op = CustomRequest::object(Method::PUT, "k");
    let mut request = client.build(&op);
    request.headers_mut().remove("content-length");
    client.sign(&mut request);
    client
        .send(&request, &[])
        .assert_error(411, "MissingContentLength");
    // Chunked uploads work.
    let op = PutObject::new("chunked", None);
    let raw = client.call(&op, b"first chunk,second chunk");
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(client.get("chunked").body, b"first chunk,second chunk");
}

#[test]
fn size_limits_and_forbid_overwrite() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .max_object_size(10)
            .bucket(BUCKET, false),
    )
    .expect("starts");
    let client = Client::new(&emulator, BUCKET);
    client
        .call(&PutObject::new("big", Some(11)), &[0; 11])
        .assert_error(400, "EntityTooLarge");
    let throttled = PutObject::new("slow", Some(1)).traffic_limit(819_200);
    assert_eq!(client.call(&throttled, b"s").status, 200);
    let op = CustomRequest::object(Method::GET, "slow").header("x-cos-traffic-limit", "100");
    client.call(&op, &[]).assert_error(400, "InvalidArgument");
    client.put("once", b"1");
    let op = PutObject::new("once", Some(1)).forbid_overwrite(true);
    client
        .call(&op, b"2")
        .assert_error(409, "FileAlreadyExists");
    assert_eq!(client.get("once").body, b"1");
    // cos-proto refuses to build such a request: sign one with a short key, then swap
    // the path (the key check comes before the signature check).
    let mut request = client.signed(&GetObject::new("short"));
    let long_path = format!(
        "http://{}/{BUCKET}/{}",
        emulator.authority(),
        "k".repeat(851)
    );
    *request.uri_mut() = long_path.parse().expect("uri");
    client.send(&request, &[]).assert_error(400, "KeyTooLong");
}

#[test]
fn ranges_conditions_and_overrides() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("r.txt", b"hello world");
    let get = |op: GetObject| client.call(&op, &[]);
    let raw = get(GetObject::new("r.txt").range(ByteRange::inclusive(6, 10).expect("range")));
    assert_eq!(raw.status, 206);
    assert_eq!(raw.body, b"world");
    assert_eq!(raw.header("content-range"), Some("bytes 6-10/11"));
    assert_eq!(raw.header("content-length"), Some("5"));
    let suffix = CustomRequest::object(Method::GET, "r.txt").header("Range", "bytes=-3");
    let raw = client.call(&suffix, &[]);
    assert_eq!((raw.status, raw.body.as_slice()), (206, &b"rld"[..]));
    let open = CustomRequest::object(Method::GET, "r.txt").header("Range", "bytes=9-");
    assert_eq!(client.call(&open, &[]).body, b"ld");
    let beyond = CustomRequest::object(Method::GET, "r.txt").header("Range", "bytes=11-");
    let raw = client.call(&beyond, &[]);
    raw.assert_error(416, "InvalidRange");
    assert_eq!(raw.header("content-range"), Some("bytes */11"));

    let etag = "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"";
    let raw = get(GetObject::new("r.txt").if_none_match(etag));
    assert_eq!(raw.status, 304);
    assert!(raw.body.is_empty());
    assert_eq!(raw.header("etag"), Some(etag));
    assert_eq!(get(GetObject::new("r.txt").if_match(etag)).status, 200);
    get(GetObject::new("r.txt").if_match("\"nope\"")).assert_error(412, "PreconditionFailed");
    let before = "Tue, 14 Nov 2023 22:13:19 GMT";
    let at = "Tue, 14 Nov 2023 22:13:20 GMT";
    assert_eq!(
        get(GetObject::new("r.txt").if_modified_since(at)).status,
        304
    );
    assert_eq!(
        get(GetObject::new("r.txt").if_modified_since(before)).status,
        200
    );
    get(GetObject::new("r.txt").if_unmodified_since(before))
        .assert_error(412, "PreconditionFailed");

    let op = GetObject::new("r.txt")
        .response_header(ResponseOverride::ContentType, "application/x-test")
        .response_header(
            ResponseOverride::ContentDisposition,
            "attachment; filename=\"a b.txt\"",
        )
        .response_header(ResponseOverride::CacheControl, "no-cache")
        .response_header(ResponseOverride::ContentEncoding, "identity")
        .response_header(ResponseOverride::ContentLanguage, "zh-CN")
        .response_header(ResponseOverride::Expires, "Wed, 21 Oct 2015 07:28:00 GMT");
    let raw = get(op);
    assert_eq!(raw.header("content-type"), Some("application/x-test"));
    assert_eq!(
        raw.header("content-disposition"),
        Some("attachment; filename=\"a b.txt\"")
    );
    assert_eq!(raw.header("cache-control"), Some("no-cache"));
    assert_eq!(raw.header("content-language"), Some("zh-CN"));
    assert_eq!(raw.header("expires"), Some("Wed, 21 Oct 2015 07:28:00 GMT"));
}

fn seed(client: &Client, keys: &[&str]) {
    for key in keys {
        client.put(key, key.as_bytes());
    }
}

#[test]
fn list_objects_with_prefix_delimiter_marker_and_encoding() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    seed(
        &client,
        &[
            "docs/a+b c.txt",
            "docs/sub dir/x",
            "docs/sub dir/y",
            "docs/中文.txt",
            "docs/z",
            "other",
        ],
    );
    let op = ListObjects::new()
        .prefix("docs/")
        .delimiter("/")
        .max_keys(2);
    let raw = client.call(&op, &[]);
    assert_eq!(raw.status, 200);
    // encoding-type=url is sent by cos-proto: keys come back percent-encoded.
    assert_eq!(raw.element("EncodingType").as_deref(), Some("url"));
    assert_eq!(raw.element("Prefix").as_deref(), Some("docs%2F"));
    assert_eq!(raw.element("Delimiter").as_deref(), Some("%2F"));
    assert_eq!(raw.element("IsTruncated").as_deref(), Some("true"));
    assert_eq!(raw.elements("Key"), vec!["docs%2Fa%2Bb%20c.txt"]);
    assert!(
        raw.text()
            .contains("<CommonPrefixes>\n        <Prefix>docs%2Fsub%20dir%2F</Prefix>")
    );
    let first = client.run(&op, &[]).expect("parses");
    assert_eq!(first.contents[0].key, "docs/a+b c.txt");
    assert_eq!(first.common_prefixes, vec!["docs/sub dir/"]);
    assert_eq!(first.next_marker.as_deref(), Some("docs/sub dir/"));
    let next = op.next_page(&first).expect("more");
    let second = client.run(&next, &[]).expect("parses");
    let keys: Vec<&str> = second.contents.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["docs/z", "docs/中文.txt"]);
    assert!(!second.is_truncated);
    assert_eq!(second.contents[0].size, 6);
    assert_eq!(
        second.contents[0].storage_class,
        Some(StorageClass::Standard)
    );

    // Without encoding-type, raw keys; without delimiter, everything.
    let plain = CustomRequest::bucket(Method::GET).param("prefix", "docs/sub");
    let raw = client.call(&plain, &[]);
    assert_eq!(
        raw.elements("Key"),
        vec!["docs/sub dir/x", "docs/sub dir/y"]
    );
    assert!(raw.element("EncodingType").is_none());
    let bad = CustomRequest::bucket(Method::GET).param("encoding-type", "base64");
    client.call(&bad, &[]).assert_error(400, "InvalidArgument");
    let bad = CustomRequest::bucket(Method::GET).param("max-keys", "-1");
    client.call(&bad, &[]).assert_error(400, "InvalidArgument");
}

#[test]
fn versioning_and_delete_markers() {
    let emulator = versioned_emulator();
    let client = Client::new(&emulator, BUCKET);
    let v1 = client.put("v.txt", b"one");
    let v1 = v1
        .header("x-cos-version-id")
        .expect("version id")
        .to_owned();
    let v2 = client.put("v.txt", b"two");
    let v2 = v2
        .header("x-cos-version-id")
        .expect("version id")
        .to_owned();
    assert_ne!(v1, v2);
    assert_eq!(client.get("v.txt").body, b"two");
    let old = client.call(&GetObject::new("v.txt").version_id(&v1), &[]);
    assert_eq!(old.body, b"one");
    assert_eq!(old.header("x-cos-version-id"), Some(v1.as_str()));

    let deleted = client
        .run(&DeleteObject::new("v.txt"), &[])
        .expect("delete");
    assert!(deleted.delete_marker);
    let marker = deleted.version_id.expect("marker id");
    let raw = client.get("v.txt");
    raw.assert_error(404, "NoSuchKey");
    assert_eq!(raw.header("x-cos-delete-marker"), Some("true"));
    client
        .call(&GetObject::new("v.txt").version_id(&marker), &[])
        .assert_error(405, "MethodNotAllowed");
    client
        .call(
            &GetObject::new("v.txt").version_id("MTg0NDUxNTc1NjIzMTQ1OTk5OTk"),
            &[],
        )
        .assert_error(404, "NoSuchVersion");

    let listing = client
        .run(&ListObjectVersions::new(), &[])
        .expect("versions");
    assert_eq!(listing.entries.len(), 3);
    assert!(
        matches!(&listing.entries[0], cos_proto::ops::VersionEntry::DeleteMarker(m) if m.is_latest && m.version_id == marker)
    );
    assert_eq!(listing.entries[1].version_id(), v2);
    assert_eq!(listing.entries[2].version_id(), v1);
    let objects = client.run(&ListObjects::new(), &[]).expect("list");
    assert!(objects.contents.is_empty(), "a delete marker hides the key");

    // Paging through versions.
    let page = ListObjectVersions::new().max_keys(2);
    let first = client.run(&page, &[]).expect("page");
    assert!(first.is_truncated);
    let second = client
        .run(&page.next_page(&first).expect("next"), &[])
        .expect("page");
    assert_eq!(second.entries.len(), 1);
    assert_eq!(second.entries[0].version_id(), v1);

    // Removing the marker brings v2 back; deleting v1 by id removes it for good.
    let removed = client
        .run(&DeleteObject::new("v.txt").version_id(&marker), &[])
        .expect("remove marker");
    assert!(removed.delete_marker);
    assert_eq!(client.get("v.txt").body, b"two");
    client
        .run(&DeleteObject::new("v.txt").version_id(&v1), &[])
        .expect("remove v1");
    client
        .call(&GetObject::new("v.txt").version_id(&v1), &[])
        .assert_error(404, "NoSuchVersion");

    // GET/PUT Bucket versioning.
    let get = client.call(
        &CustomRequest::bucket(Method::GET).param("versioning", ""),
        &[],
    );
    assert_eq!(get.element("Status").as_deref(), Some("Enabled"));
    let body = "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>";
    let put = CustomRequest::bucket(Method::PUT)
        .param("versioning", "")
        .body(cos_proto::Body::Bytes(bytes::Bytes::from(body)));
    assert_eq!(client.call(&put, &[]).status, 200);
    let suspended = client.put("v.txt", b"three");
    assert_eq!(suspended.header("x-cos-version-id"), Some("null"));
}

#[test]
fn copy_object_with_directives_and_conditions() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let op = PutObject::new("src.txt", Some(5))
        .content_type("text/plain")
        .metadata("x-cos-meta-a", "1");
    client.call(&op, b"hello");
    let source = CopySource::new(BUCKET, "src.txt", "ap-guangzhou");
    let copy = CopyObject::new("dst.txt", source.clone());
    let out = client.run(&copy, &[]).expect("copy");
    assert_eq!(out.etag, "\"5d41402abc4b2a76b9719d911017c592\"");
    let raw = client.call(&copy, &[]);
    assert_eq!(raw.element("CRC64"), Some(crc64(b"hello").to_string()));
    assert!(
        raw.element("LastModified")
            .is_some_and(|t| t == "2023-11-14T22:13:20Z")
    );
    let got = client.get("dst.txt");
    assert_eq!(got.body, b"hello");
    assert_eq!(got.header("x-cos-meta-a"), Some("1"));
    assert_eq!(got.header("content-type"), Some("text/plain"));

    let replaced = CopyObject::new("dst2.txt", source.clone())
        .metadata_directive(CopyDirective::Replaced)
        .metadata("x-cos-meta-b", "2")
        .content_type("application/json");
    client.run(&replaced, &[]).expect("replaced copy");
    let got = client.get("dst2.txt");
    assert_eq!(got.header("x-cos-meta-a"), None);
    assert_eq!(got.header("x-cos-meta-b"), Some("2"));
    assert_eq!(got.header("content-type"), Some("application/json"));

    let failing = CopyObject::new("dst3.txt", source.clone()).copy_source_if_match("\"nope\"");
    client
        .call(&failing, &[])
        .assert_error(412, "PreconditionFailed");
    let missing = CopyObject::new(
        "dst3.txt",
        CopySource::new(BUCKET, "missing", "ap-guangzhou"),
    );
    client.call(&missing, &[]).assert_error(404, "NoSuchKey");
    // Copying onto itself needs a change.
    let itself = CopyObject::new("src.txt", source.clone());
    client
        .call(&itself, &[])
        .assert_error(400, "InvalidRequest");
    let reclass = CopyObject::new("src.txt", source).storage_class(StorageClass::StandardIa);
    let raw = client.call(&reclass, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let head = client.call(&HeadObject::new("src.txt"), &[]);
    assert_eq!(head.header("x-cos-storage-class"), Some("STANDARD_IA"));
    assert_eq!(head.header("x-cos-meta-a"), Some("1"));
}

#[test]
fn copy_honours_forbid_overwrite_unless_the_bucket_had_versioning() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("src.txt", b"new");
    client.put("dst.txt", b"old");
    let source = CopySource::new(BUCKET, "src.txt", "ap-guangzhou");
    let guarded = CopyObject::new("dst.txt", source.clone()).forbid_overwrite(true);
    client
        .call(&guarded, &[])
        .assert_error(409, "FileAlreadyExists");
    assert_eq!(client.get("dst.txt").body, b"old");
    // A missing source is reported first, whatever the destination.
    let missing = CopyObject::new(
        "dst.txt",
        CopySource::new(BUCKET, "missing", "ap-guangzhou"),
    )
    .forbid_overwrite(true);
    client.call(&missing, &[]).assert_error(404, "NoSuchKey");
    let fresh = CopyObject::new("fresh.txt", source.clone()).forbid_overwrite(true);
    assert_eq!(client.call(&fresh, &[]).status, 200);
    assert_eq!(client.get("fresh.txt").body, b"new");

    // Once a bucket has had versioning, COS ignores the header.
    let emulator = versioned_emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("src.txt", b"new");
    client.put("dst.txt", b"old");
    assert_eq!(client.call(&guarded, &[]).status, 200);
    assert_eq!(client.get("dst.txt").body, b"new");
}

#[test]
fn delete_multiple_reports_and_quiet_mode() {
    let emulator = versioned_emulator();
    let client = Client::new(&emulator, BUCKET);
    seed(&client, &["a.txt", "b/c d.txt"]);
    let op = DeleteObjects::new()
        .object("a.txt")
        .object("b/c d.txt")
        .object_version("x.txt", "not a version!");
    let out = client.run(&op, &[]).expect("delete objects");
    assert_eq!(out.deleted.len(), 2);
    assert!(
        out.deleted
            .iter()
            .all(|d| d.delete_marker && d.delete_marker_version_id.is_some())
    );
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].code, "InvalidArgument");
    let quiet = DeleteObjects::new().object("a.txt").quiet(true);
    let raw = client.call(&quiet, &[]);
    assert_eq!(raw.status, 200);
    assert!(
        raw.text().trim_end().ends_with("<DeleteResult/>"),
        "{}",
        raw.text()
    );
    // A wrong Content-MD5 is BadDigest.
    let mut request = client.build(&DeleteObjects::new().object("a.txt"));
    request.headers_mut().insert(
        "content-md5",
        http::HeaderValue::from_static("AAAAAAAAAAAAAAAAAAAAAA=="),
    );
    client.sign(&mut request);
    client.send(&request, &[]).assert_error(400, "BadDigest");
}

#[test]
fn tagging_and_acl() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("t.txt", b"t");
    let put = PutObjectTagging::new("t.txt")
        .tag("project", "apollo")
        .tag("环境", "生产 & prod");
    assert_eq!(client.call(&put, &[]).status, 200);
    let tags = client
        .run(&GetObjectTagging::new("t.txt"), &[])
        .expect("tags");
    assert_eq!(
        tags.tags,
        vec![
            ("project".to_owned(), "apollo".to_owned()),
            ("环境".to_owned(), "生产 & prod".to_owned())
        ]
    );
    assert_eq!(
        client
            .call(&HeadObject::new("t.txt"), &[])
            .header("x-cos-tagging-count"),
        Some("2")
    );
    // cos-proto refuses more than 10 tags, so send the document by hand.
    let tags: String = (0..11)
        .map(|i| format!("<Tag><Key>k{i}</Key><Value>v</Value></Tag>"))
        .collect();
    let too_many = CustomRequest::object(Method::PUT, "t.txt")
        .param("tagging", "")
        .body(cos_proto::Body::Bytes(bytes::Bytes::from(format!(
            "<Tagging><TagSet>{tags}</TagSet></Tagging>"
        ))));
    client.call(&too_many, &[]).assert_error(400, "InvalidTag");
    assert_eq!(
        client.call(&DeleteObjectTagging::new("t.txt"), &[]).status,
        204
    );
    assert!(
        client
            .run(&GetObjectTagging::new("t.txt"), &[])
            .expect("tags")
            .tags
            .is_empty()
    );
    client
        .call(&GetObjectTagging::new("missing"), &[])
        .assert_error(404, "NoSuchKey");

    let acl = client.run(&GetObjectAcl::new("t.txt"), &[]).expect("acl");
    assert_eq!(acl.grants.len(), 1);
    let put_acl = CustomRequest::object(Method::PUT, "t.txt")
        .param("acl", "")
        .header("x-cos-acl", "public-read");
    assert_eq!(client.call(&put_acl, &[]).status, 200);
    let raw = client.call(&GetObjectAcl::new("t.txt"), &[]);
    assert!(
        raw.text()
            .contains("http://cam.qcloud.com/groups/global/AllUsers")
    );
    assert_eq!(raw.header("x-cos-acl"), Some("public-read"));
    let policy = cos_proto::ops::AccessControlPolicy::new(cos_proto::ops::AclOwner::new(
        "qcs::cam::uin/100000000001:uin/100000000001",
    ))
    .grant(
        cos_proto::ops::Grantee::canonical_user("qcs::cam::uin/100000000011:uin/100000000011"),
        cos_proto::ops::Permission::Read,
    );
    assert_eq!(
        client
            .call(&PutObjectAcl::new("t.txt").policy(policy), &[])
            .status,
        200
    );
    let acl = client.run(&GetObjectAcl::new("t.txt"), &[]).expect("acl");
    assert_eq!(acl.grants.len(), 1);
    assert_eq!(acl.grants[0].permission, cos_proto::ops::Permission::Read);
    let bad = CustomRequest::object(Method::PUT, "t.txt")
        .param("acl", "")
        .header("x-cos-acl", "everyone-may-write");
    client.call(&bad, &[]).assert_error(400, "InvalidArgument");
}

#[test]
fn append_positions_and_types() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let first = client
        .run(&AppendObject::new("log.txt", 0, Some(3)), b"abc")
        .expect("append");
    assert_eq!(first.next_append_position, 3);
    let raw = client.call(&AppendObject::new("log.txt", 3, Some(3)), b"def");
    assert_eq!(raw.header("x-cos-next-append-position"), Some("6"));
    assert_eq!(
        raw.header("x-cos-hash-crc64ecma"),
        Some(crc64(b"abcdef").to_string().as_str())
    );
    let wrong = client.call(&AppendObject::new("log.txt", 2, Some(1)), b"x");
    wrong.assert_error(409, "AppendPositionErr");
    assert_eq!(wrong.header("x-cos-next-append-position"), Some("6"));
    let got = client.get("log.txt");
    assert_eq!(got.body, b"abcdef");
    assert_eq!(got.header("x-cos-object-type"), Some("appendable"));
    client.put("normal.txt", b"n");
    client
        .call(&AppendObject::new("normal.txt", 1, Some(1)), b"x")
        .assert_error(409, "ObjectNotAppendable");
    client
        .call(&AppendObject::new("fresh.txt", 5, Some(1)), b"x")
        .assert_error(409, "AppendPositionErr");
    // Appendable objects cannot be copied.
    let copy = CopyObject::new("c.txt", CopySource::new(BUCKET, "log.txt", "ap-guangzhou"));
    client.call(&copy, &[]).assert_error(400, "InvalidRequest");
}

#[test]
fn restore_archived_objects() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let op = PutObject::new("archive.bin", Some(4)).storage_class(StorageClass::Archive);
    let raw = client.call(&op, b"cold");
    assert_eq!(raw.header("x-cos-storage-class"), Some("ARCHIVE"));
    client
        .get("archive.bin")
        .assert_error(403, "InvalidObjectState");
    let head = client.call(&HeadObject::new("archive.bin"), &[]);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("x-cos-storage-class"), Some("ARCHIVE"));

    let restore = RestoreObject::new("archive.bin", 1).tier(RestoreTier::Expedited);
    assert_eq!(client.call(&restore, &[]).status, 202);
    client
        .call(&restore, &[])
        .assert_error(409, "RestoreAlreadyInProgress");
    assert_eq!(
        client
            .call(&HeadObject::new("archive.bin"), &[])
            .header("x-cos-restore"),
        Some("ongoing-request=\"true\"")
    );
    // One second on, the restore is still in progress: with a one-second default a
    // HEAD that crossed a second boundary saw it finished.
    emulator.set_clock_offset(1);
    let client = Client::new(&emulator, BUCKET);
    assert_eq!(
        client
            .call(&HeadObject::new("archive.bin"), &[])
            .header("x-cos-restore"),
        Some("ongoing-request=\"true\"")
    );
    client
        .get("archive.bin")
        .assert_error(403, "InvalidObjectState");
    emulator.set_clock_offset(DEFAULT_RESTORE_DELAY.as_secs() as i64);
    let client = Client::new(&emulator, BUCKET);
    assert_eq!(client.get("archive.bin").body, b"cold");
    let head = client.call(&HeadObject::new("archive.bin"), &[]);
    assert!(
        head.header("x-cos-restore")
            .is_some_and(|r| r.contains("ongoing-request=\"false\""))
    );
    assert_eq!(
        client.call(&restore, &[]).status,
        200,
        "extending a restored copy"
    );
    // After the restored copy expires, the object is archived again.
    emulator.set_clock_offset(3 * 86_400);
    let client = Client::new(&emulator, BUCKET);
    client
        .get("archive.bin")
        .assert_error(403, "InvalidObjectState");

    client.put("hot.bin", b"hot");
    client
        .call(&RestoreObject::new("hot.bin", 1), &[])
        .assert_error(405, "RestoreNonArchiveObject");
    let deep = PutObject::new("deep.bin", Some(1)).storage_class(StorageClass::DeepArchive);
    client.call(&deep, b"d");
    client
        .call(
            &RestoreObject::new("deep.bin", 1).tier(RestoreTier::Expedited),
            &[],
        )
        .assert_error(400, "InvalidArgument");
    assert_eq!(
        client
            .call(
                &RestoreObject::new("deep.bin", 1).tier(RestoreTier::Bulk),
                &[]
            )
            .status,
        202
    );
}

fn select_events(raw: &common::Raw) -> Vec<SelectEvent> {
    let mut decoder = SelectDecoder::new();
    decoder.feed(&raw.body);
    let mut events = Vec::new();
    while let Some(event) = decoder.next_event().expect("CRC-valid event stream") {
        events.push(event);
    }
    decoder.finish().expect("stream ends with End");
    events
}

#[test]
fn select_csv_and_json_lines() {
    use cos_proto::ops::{CsvInput, CsvOutput, InputSerialization, JsonType, OutputSerialization};
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    client.put("table.csv", b"id,name\n5,alice\n20,bob\n30,carol\n");
    let op = SelectObjectContent::new(
        "table.csv",
        "SELECT UPPER(s.name) FROM COSObject s WHERE CAST(s.id AS INT) > 10",
        InputSerialization::csv(
            CsvInput::new().file_header_info(cos_proto::ops::FileHeaderInfo::Use),
        ),
        OutputSerialization::Csv(CsvOutput::new()),
    );
    let raw = client.call(&op, &[]);
    // String functions are beyond the engine's subset: a 400 with the engine's code,
    // before streaming.
    assert_eq!(raw.status, 400, "{}", raw.text());
    assert_eq!(raw.code().as_deref(), Some("UnsupportedSyntax"));
    let op = SelectObjectContent::new(
        "table.csv",
        "SELECT s.name FROM COSObject s WHERE s.id > 10",
        InputSerialization::csv(
            CsvInput::new().file_header_info(cos_proto::ops::FileHeaderInfo::Use),
        ),
        OutputSerialization::Csv(CsvOutput::new()),
    )
    .request_progress(true);
    let raw = client.call(&op, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let events = select_events(&raw);
    let records: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            SelectEvent::Records(b) => Some(b.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(records, b"bob\ncarol\n");
    assert!(events.iter().any(|e| matches!(e, SelectEvent::Progress(_))));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, SelectEvent::Stats(s) if s.bytes_returned == 10))
    );
    assert_eq!(events.last(), Some(&SelectEvent::End));

    client.put(
        "rows.json",
        b"{\"name\":\"a\",\"n\":1}\n{\"name\":\"b\",\"n\":2}\n",
    );
    let op = SelectObjectContent::new(
        "rows.json",
        "Select s.name from COSObject s where s.n = 2",
        InputSerialization::json(JsonType::Lines),
        OutputSerialization::Json(cos_proto::ops::JsonOutput::new()),
    );
    let raw = client.call(&op, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let events = select_events(&raw);
    assert_eq!(
        events[0],
        SelectEvent::Records(bytes::Bytes::from_static(b"{\"name\":\"b\"}\n"))
    );

    let bad_sql = SelectObjectContent::new(
        "rows.json",
        "SELEKT nonsense",
        InputSerialization::json(JsonType::Lines),
        OutputSerialization::Json(cos_proto::ops::JsonOutput::new()),
    );
    let raw = client.call(&bad_sql, &[]);
    assert_eq!(raw.status, 400, "{}", raw.text());
    assert!(raw.code().is_some());

    let big = data(3 * 1024 * 1024, 1)
        .iter()
        .map(|b| if b % 16 == 0 { b'\n' } else { b'a' + b % 26 })
        .collect::<Vec<u8>>();
    client.put("big.csv", &big);
    let op = SelectObjectContent::new(
        "big.csv",
        "select * from COSObject",
        InputSerialization::csv(CsvInput::new().comments("")),
        OutputSerialization::Csv(CsvOutput::new()),
    );
    let raw = client.call(&op, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    let events = select_events(&raw);
    let record_messages = events
        .iter()
        .filter(|e| matches!(e, SelectEvent::Records(_)))
        .count();
    assert!(
        record_messages >= 3,
        "large results are split over several messages"
    );
}

fn select_records(raw: &common::Raw) -> Vec<u8> {
    select_events(raw)
        .iter()
        .filter_map(|e| match e {
            SelectEvent::Records(b) => Some(b.to_vec()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn select_gzip_and_bzip2_input() {
    use cos_proto::ops::{
        CompressionType, InputSerialization, JsonOutput, JsonType, OutputSerialization,
    };
    use std::io::Write;
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let rows = b"{\"name\":\"a\",\"n\":1}\n{\"name\":\"b\",\"n\":2}\n{\"name\":\"c\",\"n\":3}\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(rows).expect("gzip");
    let gz = gz.finish().expect("gzip");
    client.put("rows.json.gz", &gz);
    let select = |key: &str, compression: CompressionType| {
        let op = SelectObjectContent::new(
            key,
            "select s.name from COSObject s where s.n >= 2",
            InputSerialization::json(JsonType::Lines).compression_type(compression),
            OutputSerialization::Json(JsonOutput::new()),
        );
        client.call(&op, &[])
    };
    let raw = select("rows.json.gz", CompressionType::Gzip);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(
        select_records(&raw),
        b"{\"name\":\"b\"}\n{\"name\":\"c\"}\n"
    );
    let stats = select_events(&raw).into_iter().find_map(|e| match e {
        SelectEvent::Stats(s) => Some(s),
        _ => None,
    });
    let stats = stats.expect("Stats");
    assert_eq!(stats.bytes_scanned, gz.len() as u64, "the object's bytes");
    assert_eq!(
        stats.bytes_processed,
        rows.len() as u64,
        "the decompressed bytes"
    );

    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    bz.write_all(rows).expect("bzip2");
    client.put("rows.json.bz2", &bz.finish().expect("bzip2"));
    let raw = select("rows.json.bz2", CompressionType::Bzip2);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(
        select_records(&raw),
        b"{\"name\":\"b\"}\n{\"name\":\"c\"}\n"
    );

    // Corrupt data, plain data said to be GZIP, a truncated object: a COS error, 400.
    let mut corrupt = gz.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0xff;
    client.put("corrupt.json.gz", &corrupt);
    client.put("plain.json", rows);
    client.put("short.json.gz", &gz[..gz.len() / 2]);
    for key in ["corrupt.json.gz", "plain.json", "short.json.gz"] {
        select(key, CompressionType::Gzip).assert_error(400, "TruncatedInput");
    }
    select("rows.json.gz", CompressionType::Bzip2).assert_error(400, "TruncatedInput");
    // The object itself is unchanged and still selects.
    assert_eq!(select("rows.json.gz", CompressionType::Gzip).status, 200);
}

#[test]
fn buckets_service_and_missing_buckets() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .fixed_time(NOW)
            .auto_create_buckets(false)
            .bucket(BUCKET, false),
    )
    .expect("starts");
    let client = Client::new(&emulator, "nobucket-1250000000");
    client.get("k").assert_error(404, "NoSuchBucket");
    assert_eq!(
        client.call(&CustomRequest::bucket(Method::PUT), &[]).status,
        200
    );
    client
        .call(&CustomRequest::bucket(Method::PUT), &[])
        .assert_error(409, "BucketAlreadyExists");
    client.put("k", b"v");
    assert_eq!(
        client
            .call(&CustomRequest::bucket(Method::HEAD), &[])
            .status,
        200
    );
    client
        .call(&CustomRequest::bucket(Method::DELETE), &[])
        .assert_error(409, "BucketNotEmpty");
    client.call(&DeleteObject::new("k"), &[]);
    assert_eq!(
        client
            .call(&CustomRequest::bucket(Method::DELETE), &[])
            .status,
        204
    );
    client
        .call(&CustomRequest::bucket(Method::GET).param("cors", ""), &[])
        .assert_error(404, "NoSuchBucket");
    client
        .call(
            &CustomRequest::bucket(Method::GET).param("notification", ""),
            &[],
        )
        .assert_error(501, "NotImplemented");

    // GET Service lists buckets.
    let mut request = http::Request::builder()
        .method(Method::GET)
        .uri(format!("{}/", emulator.endpoint()))
        .body(cos_proto::Body::Empty)
        .expect("request");
    request.headers_mut().insert(
        "host",
        http::HeaderValue::from_str(&emulator.authority()).expect("host"),
    );
    client.sign(&mut request);
    let raw = client.send(&request, &[]);
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.elements("Name"), vec![BUCKET.to_owned()]);
}

#[test]
fn in_memory_emulators_are_independent_and_reset() {
    let a = emulator();
    let b = emulator();
    Client::new(&a, BUCKET).put("k", b"a");
    Client::new(&b, BUCKET)
        .get("k")
        .assert_error(404, "NoSuchKey");
    a.reset().expect("reset");
    Client::new(&a, BUCKET)
        .get("k")
        .assert_error(404, "NoSuchKey");
    assert_ne!(a.endpoint(), b.endpoint());
}

#[test]
fn traffic_counts_body_bytes_both_ways() {
    let emulator = emulator();
    let client = Client::new(&emulator, BUCKET);
    let (received, sent) = (emulator.traffic().received(), emulator.traffic().sent());
    client
        .run(&PutObject::new("t.bin", Some(1000)), &[7u8; 1000])
        .expect("put");
    assert_eq!(emulator.traffic().received() - received, 1000);
    let get = client.call(&cos_proto::ops::GetObject::new("t.bin"), &[]);
    assert_eq!(get.body.len(), 1000);
    assert!(emulator.traffic().sent() - sent >= 1000);
}
