//! The conversions transfers rely on: a PUT's attributes moving to a multipart upload,
//! a GET's HEAD and pinned spans, a copy's source requests and multipart form.
#![allow(clippy::unwrap_used)]

use cos_proto::headers::{ServerSideEncryption, StorageClass};
use cos_proto::ops::{CopyObject, CopySource, GetObject, ObjectInfo, PutObject, ResponseOverride};
use cos_proto::{Config, Operation};

fn config() -> Config {
    Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .build()
        .unwrap()
}

fn header(request: &http::Request<cos_proto::Body>, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[test]
fn a_put_moves_every_attribute_to_its_multipart_upload() {
    let key = ServerSideEncryption::customer_key(&[7u8; 32]);
    let put = PutObject::new("big.iso", Some(3))
        .content_type("application/x-iso9660-image")
        .cache_control("no-cache")
        .metadata("x-cos-meta-owner", "alice")
        .acl("private")
        .storage_class(StorageClass::StandardIa)
        .tagging("a=1")
        .server_side_encryption(key.clone())
        .traffic_limit(819_200)
        .content_md5("XrY7u+Ae7tCTyyK7j1rNww==")
        .forbid_overwrite(true);
    let initiate = put.to_multipart().build_request(&config()).unwrap();
    for (name, value) in [
        ("content-type", "application/x-iso9660-image"),
        ("cache-control", "no-cache"),
        ("x-cos-meta-owner", "alice"),
        ("x-cos-acl", "private"),
        ("x-cos-storage-class", "STANDARD_IA"),
        ("x-cos-tagging", "a=1"),
        ("x-cos-forbid-overwrite", "true"),
        ("x-cos-server-side-encryption-customer-algorithm", "AES256"),
    ] {
        assert_eq!(header(&initiate, name).as_deref(), Some(value), "{name}");
    }
    assert_eq!(
        header(&initiate, "content-md5"),
        None,
        "the MD5 is the whole object's"
    );
    assert_eq!(
        header(&initiate, "x-cos-traffic-limit"),
        None,
        "the limit goes to parts"
    );
    assert_eq!(put.traffic_limit_value(), Some(819_200));
    assert!(put.customer_key().is_some());
    assert_eq!(
        put.clone().with_content_length(Some(9)).content_length(),
        Some(9)
    );
}

#[test]
fn a_get_has_a_head_and_pinned_spans() {
    let get = GetObject::new("k")
        .version_id("v1")
        .if_none_match("\"old\"")
        .if_modified_since("Tue, 14 Nov 2023 22:13:20 GMT")
        .response_header(ResponseOverride::ContentType, "text/plain")
        .traffic_limit(819_200);
    let head = get.head_object().build_request(&config()).unwrap();
    assert_eq!(head.method(), http::Method::HEAD);
    assert_eq!(head.uri().query(), Some("versionId=v1"));
    assert_eq!(header(&head, "if-none-match").as_deref(), Some("\"old\""));

    let span = get
        .pinned_span(10, 19, 100, "\"e1\"")
        .unwrap()
        .build_request(&config())
        .unwrap();
    assert_eq!(header(&span, "range").as_deref(), Some("bytes=10-19"));
    assert_eq!(header(&span, "if-match").as_deref(), Some("\"e1\""));
    assert_eq!(
        header(&span, "if-none-match"),
        None,
        "conditions were checked by the HEAD"
    );
    assert_eq!(header(&span, "if-modified-since"), None);
    assert_eq!(
        header(&span, "x-cos-traffic-limit").as_deref(),
        Some("819200")
    );
    assert!(
        span.uri()
            .query()
            .unwrap()
            .contains("response-content-type=text%2Fplain")
    );
    assert!(
        get.pinned_span(20, 10, 100, "\"e1\"").is_err()
            && get.pinned_span(90, 100, 100, "\"e1\"").is_err(),
        "an inverted span, or one past the object, is refused"
    );
}

#[test]
fn a_copy_source_has_its_own_endpoint_head_and_delete() {
    let dest = config();
    let source = CopySource::new("other-1250000000", "a/b.txt", "ap-beijing").version_id("v9");
    let source_config = source.config(&dest).unwrap();
    assert_eq!(source_config.bucket(), "other-1250000000");
    assert_eq!(source_config.region(), "ap-beijing");
    let head = source.head_object().build_request(&source_config).unwrap();
    assert_eq!(
        head.uri().to_string(),
        "https://other-1250000000.cos.ap-beijing.myqcloud.com/a/b.txt?versionId=v9"
    );
    assert_eq!(source.version(), Some("v9"));

    // A path-style configuration (a local server) keeps its address.
    let local = Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .path_style("127.0.0.1:9000")
        .build()
        .unwrap();
    let head = source
        .head_object()
        .build_request(&source.config(&local).unwrap())
        .unwrap();
    assert!(
        head.uri()
            .to_string()
            .starts_with("http://127.0.0.1:9000/other-1250000000/a/b.txt")
    );
}

fn info_with(headers: &[(&str, &str)]) -> ObjectInfo {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        map.insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    ObjectInfo::from_headers(&map).unwrap()
}

#[test]
fn a_multipart_copy_carries_the_source_attributes_unless_replaced() {
    let source = CopySource::in_config(&config(), "src");
    let info = info_with(&[
        ("content-type", "text/x-src"),
        ("x-cos-meta-owner", "alice"),
    ]);
    let copy = CopyObject::new("dst", source.clone()).storage_class(StorageClass::Archive);
    let initiate = copy.to_multipart(&info).build_request(&config()).unwrap();
    assert_eq!(
        header(&initiate, "content-type").as_deref(),
        Some("text/x-src")
    );
    assert_eq!(
        header(&initiate, "x-cos-meta-owner").as_deref(),
        Some("alice")
    );
    assert_eq!(
        header(&initiate, "x-cos-storage-class").as_deref(),
        Some("ARCHIVE")
    );

    let replaced = CopyObject::new("dst", source)
        .metadata_directive(cos_proto::ops::CopyDirective::Replaced)
        .content_type("text/x-new");
    let initiate = replaced
        .to_multipart(&info)
        .build_request(&config())
        .unwrap();
    assert_eq!(
        header(&initiate, "content-type").as_deref(),
        Some("text/x-new")
    );
    assert_eq!(header(&initiate, "x-cos-meta-owner"), None);

    let part = replaced
        .to_part_copy("u1", 2, 100, 199, "\"src\"")
        .build_request(&config())
        .unwrap();
    assert_eq!(
        header(&part, "x-cos-copy-source-range").as_deref(),
        Some("bytes=100-199")
    );
    assert_eq!(
        header(&part, "x-cos-copy-source-if-match").as_deref(),
        Some("\"src\"")
    );
    assert_eq!(part.uri().query(), Some("partNumber=2&uploadId=u1"));
    let pinned = replaced.pinned("\"src\"").build_request(&config()).unwrap();
    assert_eq!(
        header(&pinned, "x-cos-copy-source-if-match").as_deref(),
        Some("\"src\"")
    );
}
