//! A simulated COS for driving the machines without I/O: answers are built as real
//! HTTP responses and parsed by the operations' own `parse_response`, so the machines
//! see exactly what a driver would hand them.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::BTreeMap;

use bytes::Bytes;
use cos_proto::Operation;
use cos_proto::crc64;
use cos_proto::driver::error::Error as ClientError;

/// `http://h/k`: the URI the parsers name in errors.
pub fn url() -> http::Uri {
    "http://h/k".parse().unwrap()
}

pub fn response(status: u16, headers: &[(&str, String)], body: &str) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, value.as_str());
    }
    builder.body(Bytes::from(body.to_owned())).unwrap()
}

/// A COS error answer, parsed into the client error a driver would report.
pub fn service_error(status: u16, code: &str) -> ClientError {
    let body =
        format!("<Error><Code>{code}</Code><Message>m</Message><RequestId>r</RequestId></Error>");
    let parsed = cos_proto::ops::HeadObject::new("k")
        .parse_response(&url(), response(status, &[], &body))
        .unwrap_err();
    ClientError::Cos(parsed)
}

/// Parses `response` with `op`, as a driver does.
pub fn parse<O: Operation>(
    op: &O,
    response: http::Response<Bytes>,
) -> Result<O::Output, ClientError> {
    op.parse_response(&url(), response)
        .map_err(ClientError::Cos)
}

pub fn etag_of(data: &[u8]) -> String {
    format!("\"{:016x}\"", crc64::crc64(data))
}

pub fn crc_header(data: &[u8]) -> (&'static str, String) {
    ("x-cos-hash-crc64ecma", crc64::crc64(data).to_string())
}

/// Multipart uploads as COS keeps them.
#[derive(Debug, Default)]
pub struct Uploads {
    pub next_id: u32,
    pub live: BTreeMap<String, BTreeMap<u32, Vec<u8>>>,
    pub aborted: Vec<String>,
    pub completed: Option<Vec<u8>>,
}

impl Uploads {
    pub fn initiate(&mut self) -> String {
        self.next_id += 1;
        let id = format!("upload-{}", self.next_id);
        self.live.insert(id.clone(), BTreeMap::new());
        id
    }

    pub fn list_parts_xml(&self, id: &str, marker: u32, max: usize) -> Option<String> {
        let parts = self.live.get(id)?;
        let page: Vec<_> = parts.range(marker + 1..).take(max).collect();
        let truncated = parts.range(marker + 1..).count() > max;
        let mut xml = String::from("<ListPartsResult><Bucket>b</Bucket><Key>k</Key>");
        xml.push_str(&format!(
            "<UploadId>{id}</UploadId><PartNumberMarker>{marker}</PartNumberMarker>"
        ));
        if let Some((last, _)) = page.last() {
            xml.push_str(&format!(
                "<NextPartNumberMarker>{last}</NextPartNumberMarker>"
            ));
        }
        xml.push_str(&format!(
            "<MaxParts>{max}</MaxParts><IsTruncated>{truncated}</IsTruncated>"
        ));
        for (number, data) in page {
            xml.push_str(&format!(
                "<Part><PartNumber>{number}</PartNumber><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>{}</ETag><Size>{}</Size></Part>",
                etag_of(data),
                data.len()
            ));
        }
        xml.push_str("</ListPartsResult>");
        Some(xml)
    }
}
