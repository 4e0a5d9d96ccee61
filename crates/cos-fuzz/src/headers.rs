//! Header parsers: `Content-Range`/`Range`, `x-cos-hash-crc64ecma` (and the CRC it
//! carries), and the header-only answers (HEAD, GET, PUT, ...) with their ETags, dates,
//! lengths and metadata.

use cos_proto::Operation;
use cos_proto::crc64::{self, Crc64};
use cos_proto::driver::resume::ResumingGet;
use cos_proto::ops::{
    AbortMultipartUpload, AppendObject, ByteRange, ContentRange, DeleteObject, DeleteObjectTagging,
    GetObject, HeadObject, PutObject, PutObjectAcl, PutObjectTagging, RestoreObject, UploadPart,
};
use cos_proto::retry::RetryPolicy;

use crate::input::{self, Reader};

/// `ContentRange::parse` and `ByteRange::parse` on any text: what parses is a valid range
/// and prints back to the same value.
pub fn content_range(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(range) = ContentRange::parse(&text) {
        assert!(range.first <= range.last, "{range:?}");
        if let Some(total) = range.total {
            assert!(range.last < total, "{range:?}");
        }
        assert_eq!(range.len(), range.last - range.first + 1);
        let total = range.total.map_or("*".to_owned(), |t| t.to_string());
        let printed = format!("bytes {}-{}/{total}", range.first, range.last);
        assert_eq!(ContentRange::parse(&printed), Some(range), "{printed}");
    }
    if let Ok(range) = ByteRange::parse(&text) {
        if let ByteRange::Inclusive { first, last } = range {
            assert!(first <= last, "{range:?}");
        }
        assert_eq!(ByteRange::parse(&range.to_string()), Ok(range));
    }
}

/// CRC-64/XZ: streaming in any chunks equals one shot, `combine` equals the CRC of the
/// concatenation, and the header value parses back to what was formatted.
pub fn crc64(data: &[u8]) {
    let mut r = Reader::new(data);
    let split = usize::from(r.u16());
    let step = usize::from(r.u8()).max(1);
    let bytes = r.rest();
    let whole = crc64::crc64(bytes);
    let mut streamed = Crc64::new();
    for chunk in bytes.chunks(step) {
        streamed.update(chunk);
    }
    assert_eq!(streamed.value(), whole);
    assert_eq!(streamed.len(), bytes.len() as u64);
    let (a, b) = bytes.split_at(split.min(bytes.len()));
    assert_eq!(
        crc64::combine(crc64::crc64(a), crc64::crc64(b), b.len() as u64),
        whole
    );
    let formatted = crc64::format_header_value(whole);
    assert_eq!(crc64::parse_header_value(&formatted), Ok(whole));

    let text = String::from_utf8_lossy(bytes);
    if let Ok(value) = crc64::parse_header_value(&text) {
        assert!(text.bytes().all(|b| b.is_ascii_digit()), "{text:?}");
        let canonical = crc64::format_header_value(value);
        assert_eq!(crc64::parse_header_value(&canonical), Ok(value));
        let significant = text.trim_start_matches('0');
        assert_eq!(
            canonical,
            if significant.is_empty() {
                "0"
            } else {
                significant
            }
        );
    }
}

/// The header-only answers, from the text form of a response (`STATUS`, headers, empty
/// line): lengths, CRCs, ranges and ETags are read consistently by every operation.
pub fn object_headers(data: &[u8]) {
    let response = input::response(data);
    let url = input::url();
    let crc_header = response
        .headers()
        .get(cos_proto::response::CRC64_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| crc64::parse_header_value(v).ok());

    let get = GetObject::new("k");
    if let Ok(output) = get.parse_response(&url, response.clone()) {
        assert!(response.status().is_success());
        if response.status() == http::StatusCode::PARTIAL_CONTENT {
            assert!(output.content_range.is_some(), "a 206 without a range");
        }
        if let Some((first, last)) = output.span() {
            assert!(first <= last);
        }
        assert_eq!(output.info.crc64, crc_header);
        // Following the body must not panic, whatever the headers said.
        let mut download = ResumingGet::new(&get, &output, RetryPolicy::default());
        let _ = download.on_data(b"0123456789");
        let _ = download.on_end(0.5, std::time::Duration::ZERO);
        if let Ok(Some(next)) = get.resume(&output, 3)
            && let Some(ByteRange::Inclusive { first, last }) = next.requested_range()
        {
            let (start, end) = output.span().expect("a resumable answer has a span");
            assert_eq!((first, last), (start.saturating_add(3), end));
        }
    }
    if let Ok(output) = HeadObject::new("k").parse_response(&url, response.clone()) {
        assert_eq!(output.crc64, crc_header);
    }
    if let Ok(output) = PutObject::new("k", Some(1)).parse_response(&url, response.clone()) {
        assert_eq!(output.crc64, crc_header);
    }
    macro_rules! parse {
        ($($op:expr),* $(,)?) => {{ $( let _ = $op.parse_response(&url, response.clone()); )* }};
    }
    parse!(
        AppendObject::new("k", 0, Some(1)),
        UploadPart::new("k", "u", 1, Some(1)),
        DeleteObject::new("k"),
        RestoreObject::new("k", 1),
        AbortMultipartUpload::new("k", "u"),
        PutObjectTagging::new("k").tag("a", "b"),
        DeleteObjectTagging::new("k"),
        PutObjectAcl::new("k").acl("private"),
    );
}
