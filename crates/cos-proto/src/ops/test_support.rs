//! Helpers for the operations' unit tests.

use bytes::Bytes;

use crate::Config;
use crate::request::Body;

pub(crate) fn config() -> Config {
    Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .scheme(crate::Scheme::Http)
        .build()
        .expect("valid config")
}

pub(crate) fn header<'a>(request: &'a http::Request<Body>, name: &str) -> &'a str {
    request
        .headers()
        .get(name)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
        .unwrap_or_else(|| panic!("missing header {name}"))
}

pub(crate) fn body_text(request: &http::Request<Body>) -> String {
    match request.body() {
        Body::Bytes(bytes) => String::from_utf8(bytes.to_vec()).expect("utf-8 body"),
        other => panic!("expected a document body, got {other:?}"),
    }
}

pub(crate) fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(Bytes::from(body.to_owned()))
        .expect("valid response")
}

pub(crate) fn error_response(status: u16, code: &str) -> http::Response<Bytes> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n    <Code>{code}</Code>\n    \
         <Message>message for {code}</Message>\n    <Resource>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/k</Resource>\n    \
         <RequestId>req-1</RequestId>\n    <TraceId>trace-1</TraceId>\n</Error>"
    );
    response(
        status,
        &[
            ("Content-Type", "application/xml"),
            ("x-cos-request-id", "req-1"),
        ],
        &body,
    )
}

/// A `ListBucketResult` page of `n` URL-encoded keys: the page `benches/core.rs` parses.
pub(crate) fn list_page(n: usize) -> String {
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>\
         <Name>examplebucket-1250000000</Name><EncodingType>url</EncodingType>\
         <Prefix>logs%2F</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys>\
         <IsTruncated>true</IsTruncated>",
    );
    for i in 0..n {
        doc.push_str(&format!(
            "<Contents><Key>logs%2F2023-11-14%2Fevent%20{i:06}.json</Key>\
             <LastModified>2023-11-14T22:13:20.000Z</LastModified>\
             <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>{}</Size>\
             <Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner>\
             <StorageClass>STANDARD</StorageClass></Contents>",
            1000 + i
        ));
    }
    doc.push_str(&format!(
        "<NextMarker>logs%2F2023-11-14%2Fevent%20{:06}.json</NextMarker></ListBucketResult>",
        n.saturating_sub(1)
    ));
    doc
}

// Generators of listing documents for the differential tests of the streaming scanner:
// mostly documents COS could send, with the odd things XML allows (references, CDATA,
// whitespace, comments, unknown elements, attributes, duplicates, missing fields) and
// some it does not.

use proptest::collection::vec;
use proptest::prelude::*;

/// One piece of element text: mostly what COS sends, now and then what XML allows
/// besides (references, CDATA, line ends, odd characters), rarely something the
/// streaming scanner leaves to the deserializer, or that is not XML at all.
fn text_piece() -> BoxedStrategy<String> {
    let fixed =
        |pieces: &'static [&'static str]| proptest::sample::select(pieces).prop_map(str::to_owned);
    prop_oneof![
        60 => "[a-zA-Z0-9/._-]{0,6}",
        6 => "(%[0-9A-Fa-f]{2}){1,3}",
        2 => fixed(&["%", "%zz", "%2", "+", "%20%"]),
        3 => "[ \t\r\n]{1,3}",
        3 => "[中é😀ß\u{3000}\u{85}]{1,2}",
        5 => fixed(&[
            "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#x4E2D;", "&#65;", "&#x20;", "&#13;",
        ]),
        3 => "[a-z \\]<>&]{0,5}".prop_map(|s| format!("<![CDATA[{s}]]>")),
        // About one text in 25 is hostile.
        1 => fixed(&[
            "&#0;", "&#xD800;", "&#-1;", "&nbsp;", "&", "&#;", "&amp", "<!-- c -->", "<?pi x?>",
            "<b/>", "<b>x</b>", "<", ">", "]]>", "</x>",
        ]),
    ]
    .boxed()
}

/// Element text: a few pieces.
pub(crate) fn text() -> BoxedStrategy<String> {
    vec(text_piece(), 0..4)
        .prop_map(|pieces| pieces.concat())
        .boxed()
}

/// Mostly one of `usual`, sometimes one of `odd`, now and then `other`.
fn fixed_or(
    usual: &'static [&'static str],
    odd: &'static [&'static str],
    other: BoxedStrategy<String>,
) -> BoxedStrategy<String> {
    prop_oneof![
        40 => proptest::sample::select(usual).prop_map(str::to_owned),
        2 => proptest::sample::select(odd).prop_map(str::to_owned),
        1 => other,
    ]
    .boxed()
}

/// Text for a number.
pub(crate) fn number_text() -> BoxedStrategy<String> {
    fixed_or(
        &[
            "0",
            "7",
            "1000",
            "15728640",
            " 12 ",
            "\n7\n",
            "+7",
            "&#x35;",
            "<![CDATA[42]]>",
        ],
        &["-1", "", "1e3", "99999999999999999999", "\u{3000}5", "0x10"],
        prop_oneof![3 => "[0-9]{1,6}", 1 => text()].boxed(),
    )
}

/// Text for a boolean.
pub(crate) fn bool_text() -> BoxedStrategy<String> {
    fixed_or(
        &[
            "true",
            "false",
            "1",
            "0",
            " true ",
            "\nfalse\n",
            "<![CDATA[true]]>",
            "tr&#x75;e",
        ],
        &["TRUE", "", "yes"],
        text(),
    )
}

/// `<name>text</name>`, sometimes `<name/>`.
pub(crate) fn leaf(name: &'static str, text: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop_oneof![
        40 => text.prop_map(move |t| format!("<{name}>{t}</{name}>")),
        1 => Just(format!("<{name}/>")),
        1 => text_piece().prop_map(move |t| format!("<{name} a=\"1\">{t}</{name}>")),
    ]
    .boxed()
}

/// An element no listing knows.
pub(crate) fn unknown() -> BoxedStrategy<String> {
    prop_oneof![
        4 => Just("<Unknown/>".to_owned()),
        4 => text().prop_map(|t| format!("<Unknown><Inner>{t}</Inner>{t}</Unknown>")),
        1 => Just("<Unknown a=\"1\"><Key>x</Key></Unknown>".to_owned()),
        1 => Just("<x:Unknown xmlns:x=\"u\">y</x:Unknown>".to_owned()),
    ]
    .boxed()
}

/// A struct element: the required children (each present with high probability),
/// optional ones, now and then a duplicate, shuffled.
pub(crate) fn struct_element(
    name: &'static str,
    required: Vec<BoxedStrategy<String>>,
    optional: Vec<BoxedStrategy<String>>,
) -> BoxedStrategy<String> {
    let required: Vec<_> = required
        .into_iter()
        .map(|field| proptest::option::weighted(0.98, field))
        .collect();
    let extra = if optional.is_empty() {
        Just(Vec::new()).boxed()
    } else {
        struct_fields(optional)
    };
    (required, extra, prop::bool::weighted(0.02), separator())
        .prop_flat_map(move |(required, extra, duplicate, sep)| {
            let mut fields: Vec<String> = required.into_iter().flatten().collect();
            if duplicate && let Some(first) = fields.first().cloned() {
                fields.push(first);
            }
            fields.extend(extra);
            Just(fields)
                .prop_shuffle()
                .prop_map(move |fields| format!("<{name}>{sep}{}{sep}</{name}>", fields.join(&sep)))
        })
        .boxed()
}

/// Whitespace between elements.
fn separator() -> BoxedStrategy<String> {
    proptest::sample::select(&["", "", "\n", "\n    ", " \t\r\n"][..])
        .prop_map(str::to_owned)
        .boxed()
}

/// `<Owner>` or `<Initiator>`.
pub(crate) fn owner(name: &'static str) -> BoxedStrategy<String> {
    prop_oneof![
        8 => struct_element(
            name,
            vec![],
            vec![leaf("ID", text()), leaf("DisplayName", text()), unknown()],
        ),
        1 => Just(format!("<{name}/>")),
    ]
    .boxed()
}

/// Storage classes, known and not.
pub(crate) fn storage_class_text() -> BoxedStrategy<String> {
    fixed_or(
        &["STANDARD", "Standard_IA", "ARCHIVE", "INTELLIGENT_TIERING"],
        &["", " archive ", "GLACIER"],
        text(),
    )
}

/// Some of `fields` (each with even odds), now and then one of them twice.
pub(crate) fn struct_fields(fields: Vec<BoxedStrategy<String>>) -> BoxedStrategy<Vec<String>> {
    let duplicate =
        proptest::option::weighted(0.03, proptest::strategy::Union::new(fields.clone()));
    let fields: Vec<_> = fields
        .into_iter()
        .map(|field| proptest::option::weighted(0.5, field))
        .collect();
    (fields, duplicate)
        .prop_map(|(fields, duplicate)| fields.into_iter().flatten().chain(duplicate).collect())
        .boxed()
}

/// The children of a `ListBucketResult`.
pub(crate) fn list_objects_fields() -> BoxedStrategy<Vec<String>> {
    let scalars = struct_fields(vec![
        leaf("Name", text()),
        leaf("Prefix", text()),
        leaf("Delimiter", text()),
        leaf("Marker", text()),
        leaf("NextMarker", text()),
        leaf(
            "EncodingType",
            fixed_or(&["url", "URL", " url "], &["", "none"], text()),
        ),
        leaf("MaxKeys", number_text()),
    ]);
    let contents = struct_element(
        "Contents",
        vec![
            leaf("Key", text()),
            leaf("LastModified", text()),
            leaf("ETag", text()),
            leaf("Size", number_text()),
        ],
        vec![
            owner("Owner"),
            leaf("StorageClass", storage_class_text()),
            leaf("StorageTier", text()),
            unknown(),
        ],
    );
    let common_prefix = prop_oneof![
        12 => leaf("Prefix", text()).prop_map(|p| format!("<CommonPrefixes>{p}</CommonPrefixes>")),
        1 => Just("<CommonPrefixes/>".to_owned()),
        1 => Just("<CommonPrefixes><Prefix>a</Prefix><Prefix>b</Prefix></CommonPrefixes>".to_owned()),
    ];
    (
        scalars,
        proptest::option::weighted(0.98, leaf("IsTruncated", bool_text())),
        vec(contents, 0..4),
        vec(common_prefix, 0..3),
        vec(unknown(), 0..2),
    )
        .prop_map(|(scalars, truncated, contents, prefixes, unknown)| {
            let mut fields = scalars;
            fields.extend(truncated);
            fields.extend(contents);
            fields.extend(prefixes);
            fields.extend(unknown);
            fields
        })
        .prop_shuffle()
        .boxed()
}

/// The children of a `ListMultipartUploadsResult`.
pub(crate) fn list_multipart_uploads_fields() -> BoxedStrategy<Vec<String>> {
    let scalars = struct_fields(vec![
        leaf("Bucket", text()),
        leaf(
            "EncodingType",
            fixed_or(&["url", "URL", " url "], &["", "none"], text()),
        ),
        leaf("Prefix", text()),
        leaf("Delimiter", text()),
        leaf("KeyMarker", text()),
        leaf("UploadIdMarker", text()),
        leaf("NextKeyMarker", text()),
        leaf("NextUploadIdMarker", text()),
        leaf("MaxUploads", number_text()),
    ]);
    let upload = struct_element(
        "Upload",
        vec![
            leaf("Key", text()),
            leaf("UploadId", text()),
            leaf("Initiated", text()),
        ],
        vec![
            leaf("StorageClass", storage_class_text()),
            owner("Owner"),
            owner("Initiator"),
            unknown(),
        ],
    );
    let common_prefix = prop_oneof![
        12 => leaf("Prefix", text()).prop_map(|p| format!("<CommonPrefixes>{p}</CommonPrefixes>")),
        1 => Just("<CommonPrefixes/>".to_owned()),
    ];
    (
        scalars,
        proptest::option::weighted(0.98, leaf("IsTruncated", bool_text())),
        vec(upload, 0..4),
        vec(common_prefix, 0..3),
        vec(unknown(), 0..2),
    )
        .prop_map(|(scalars, truncated, uploads, prefixes, unknown)| {
            let mut fields = scalars;
            fields.extend(truncated);
            fields.extend(uploads);
            fields.extend(prefixes);
            fields.extend(unknown);
            fields
        })
        .prop_shuffle()
        .boxed()
}

/// The children of a `ListPartsResult`.
pub(crate) fn list_parts_fields() -> BoxedStrategy<Vec<String>> {
    let scalars = struct_fields(vec![
        leaf("Bucket", text()),
        leaf(
            "EncodingType",
            fixed_or(&["url", "URL", " url "], &["", "none"], text()),
        ),
        leaf("Key", text()),
        leaf("UploadId", text()),
        owner("Initiator"),
        owner("Owner"),
        leaf("StorageClass", storage_class_text()),
        leaf("PartNumberMarker", number_text()),
        leaf("NextPartNumberMarker", number_text()),
        leaf("MaxParts", number_text()),
    ]);
    let part = struct_element(
        "Part",
        vec![
            leaf("PartNumber", number_text()),
            leaf("LastModified", text()),
            leaf("ETag", text()),
            leaf("Size", number_text()),
        ],
        vec![unknown()],
    );
    (
        scalars,
        proptest::option::weighted(0.98, leaf("IsTruncated", bool_text())),
        vec(part, 0..5),
        vec(unknown(), 0..2),
    )
        .prop_map(|(scalars, truncated, parts, unknown)| {
            let mut fields = scalars;
            fields.extend(truncated);
            fields.extend(parts);
            fields.extend(unknown);
            fields
        })
        .prop_shuffle()
        .boxed()
}

/// A whole document: prologue, root (`root`, sometimes namespaced or with attributes),
/// the fields, epilogue.
pub(crate) fn listing_document(
    root: &'static str,
    fields: BoxedStrategy<Vec<String>>,
) -> BoxedStrategy<String> {
    let prologue = fixed_or(
        &[
            "",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "\u{feff}",
            " \n",
            "\u{feff}<?xml version=\"1.0\"?>",
        ],
        &["<?xml version=\"1.1\"?>", "<!-- c -->", "<!DOCTYPE x>", "x"],
        Just(String::new()).boxed(),
    );
    let open = proptest::sample::select(&[0usize, 0, 0, 0, 0, 1, 1, 1, 2, 3, 4][..]);
    let epilogue = fixed_or(
        &["", "\n"],
        &["<!-- end -->", " x", "<Extra/>"],
        Just(String::new()).boxed(),
    );
    (prologue, open, fields, separator(), epilogue)
        .prop_map(move |(prologue, open, fields, sep, epilogue)| {
            let (open, close) = match open {
                0 => (format!("<{root}>"), format!("</{root}>")),
                1 => (
                    format!("<{root} xmlns=\"http://www.qcloud.com/document/product/436/7751\">"),
                    format!("</{root}>"),
                ),
                2 => (format!("<{root} xmlns:a=\"b\">"), format!("</{root}>")),
                3 => (format!("<{root} a=\"1\">"), format!("</{root}>")),
                _ => (
                    format!("<ns:{root} xmlns:ns=\"x\">"),
                    format!("</ns:{root}>"),
                ),
            };
            format!(
                "{prologue}{open}{sep}{}{sep}{close}{epilogue}",
                fields.join(&sep)
            )
        })
        .boxed()
}
