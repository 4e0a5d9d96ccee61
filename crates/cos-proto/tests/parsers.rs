//! Every response parser returns `Ok` or `Err` — never panics — whatever the bytes.

use bytes::Bytes;
use cos_proto::Operation;
use cos_proto::ops::*;
use proptest::prelude::*;

fn response(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Option<http::Response<Bytes>> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(Bytes::copy_from_slice(body)).ok()
}

fn parse_all(status: u16, headers: &[(String, String)], body: &[u8]) {
    let url: http::Uri = "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/k"
        .parse()
        .expect("uri");
    let Some(resp) = response(status, headers, body) else {
        return;
    };
    let source = CopySource::new("src-1250000000", "k", "ap-guangzhou");
    macro_rules! parse {
        ($($op:expr),* $(,)?) => {{ $( let _ = $op.parse_response(&url, resp.clone()); )* }};
    }
    parse!(
        PutObject::new("k", Some(1)),
        GetObject::new("k"),
        HeadObject::new("k"),
        ListObjects::new(),
        ListObjectVersions::new(),
        ListMultipartUploads::new(),
        ListParts::new("k", "u"),
        CopyObject::new("k", source.clone()),
        DeleteObject::new("k"),
        DeleteObjects::new().object("a"),
        RestoreObject::new("k", 1),
        AppendObject::new("k", 0, Some(1)),
        InitiateMultipartUpload::new("k"),
        UploadPart::new("k", "u", 1, Some(1)),
        UploadPartCopy::new("k", "u", 1, source),
        CompleteMultipartUpload::new("k", "u").part(1, "e"),
        AbortMultipartUpload::new("k", "u"),
        PutObjectTagging::new("k").tag("a", "b"),
        GetObjectTagging::new("k"),
        DeleteObjectTagging::new("k"),
        PutObjectAcl::new("k").acl("private"),
        GetObjectAcl::new("k"),
        CustomRequest::bucket(http::Method::GET),
    );
    let _ = SelectObjectContent::new(
        "k",
        "select * from COSObject",
        InputSerialization::json(JsonType::Lines),
        OutputSerialization::Json(JsonOutput::new()),
    )
    .parse_response(&url, resp);
}

fn statuses() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(204),
        Just(206),
        Just(304),
        Just(400),
        Just(403),
        Just(404),
        Just(500),
        100u16..600
    ]
}

fn xml_like() -> impl Strategy<Value = Vec<u8>> {
    let tags = prop_oneof![
        Just("ListBucketResult"),
        Just("Contents"),
        Just("Key"),
        Just("Error"),
        Just("Code"),
        Just("ETag"),
        Just("IsTruncated"),
        Just("Part"),
        Just("PartNumber"),
        Just("Size"),
        Just("Version"),
        Just("DeleteMarker"),
        Just("Upload"),
        Just("Deleted"),
        Just("Tagging"),
        Just("TagSet"),
        Just("Tag"),
        Just("Grant"),
        Just("Grantee"),
        Just("AccessControlPolicy"),
        Just("CopyObjectResult"),
        Just("CompleteMultipartUploadResult"),
        Just("InitiateMultipartUploadResult"),
        Just("UploadId"),
        Just("EncodingType"),
        Just("CommonPrefixes"),
    ];
    let pieces = prop_oneof![
        tags.clone().prop_map(|t| format!("<{t}>")),
        tags.clone().prop_map(|t| format!("</{t}>")),
        tags.prop_map(|t| format!("<{t}/>")),
        Just("url".to_owned()),
        Just("true".to_owned()),
        Just("%ZZ".to_owned()),
        Just("%E4%B8".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("-1".to_owned()),
        Just("&quot;".to_owned()),
        Just("&bad;".to_owned()),
        "[a-z0-9 ]{0,8}",
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|p| {
        let mut doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>".to_owned();
        doc.push_str(&p.concat());
        doc.into_bytes()
    })
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = prop_oneof![
        Just("etag"),
        Just("x-cos-hash-crc64ecma"),
        Just("content-length"),
        Just("content-range"),
        Just("x-cos-next-append-position"),
        Just("x-cos-delete-marker"),
        Just("x-cos-error-code"),
        Just("x-cos-tagging-count"),
        Just("x-cos-storage-class"),
        Just("x-cos-request-id"),
    ];
    proptest::collection::vec((names.prop_map(str::to_owned), "[ -~]{0,24}"), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes(status in statuses(), body in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_all(status, &[], &body);
    }

    #[test]
    fn xml_like_documents(status in statuses(), body in xml_like(), headers in headers()) {
        parse_all(status, &headers, &body);
    }

    #[test]
    fn header_parsers(value in any::<String>()) {
        let _ = ContentRange::parse(&value);
        let _ = ByteRange::parse(&value);
        let _ = cos_proto::crc64::parse_header_value(&value);
        let _ = cos_proto::sign::Authorization::parse(&value);
    }
}
