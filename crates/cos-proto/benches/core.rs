//! The core's hot paths: sign and build a PutObject request, parse a 1000-key listing page,
//! CRC-64 over 1 MiB, decode a 10 MiB Select event stream.
//!
//! `cargo bench -p cos-proto --bench core`; `cargo xtask bench --micro` also measures
//! the official Python SDK doing the first two and prints the ratios.
//!
//! Times are the CPU time of the process (not wall-clock time), so that figures taken on a
//! busy machine stay comparable; the Python micro-benchmark measures the same way.

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use cos_proto::ops::{ListObjects, PutObject};
use cos_proto::select::{SelectDecoder, SelectEvent, SelectStats};
use cos_proto::sign::{self, KeyTime, SignOptions};
use cos_proto::{Config, Credentials, Operation, crc64, select};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A `ListBucketResult` page of `n` URL-encoded keys, as COS sends it for
/// `encoding-type=url` (the Python micro-benchmark builds the same document).
pub fn list_page(n: usize) -> String {
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

/// Process CPU time (`CLOCK_PROCESS_CPUTIME_ID`), formatted like wall-clock durations.
#[derive(Debug)]
struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = cpu_time::ProcessTime;
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        cpu_time::ProcessTime::now()
    }

    fn end(&self, start: Self::Intermediate) -> Self::Value {
        start.elapsed()
    }

    fn add(&self, a: &Self::Value, b: &Self::Value) -> Self::Value {
        *a + *b
    }

    fn zero(&self) -> Self::Value {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Self::Value) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        static WALL_TIME: WallTime = WallTime;
        WALL_TIME.formatter()
    }
}

type Bench = Criterion<CpuTime>;

fn sign_and_build(c: &mut Bench) {
    let config = Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .build()
        .expect("valid config");
    let credentials = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").expect("valid");
    let key_time = KeyTime::new(1_700_000_000, sign::DEFAULT_REQUEST_EXPIRY_SECS);
    c.bench_function("sign+build PutObject", |b| {
        b.iter(|| {
            let put = PutObject::new(black_box("docs/report 2024.pdf"), Some(11))
                .content_type("application/pdf");
            let mut request = put.build_request(&config).expect("builds");
            sign::sign_request(&mut request, &credentials, key_time, SignOptions::default())
                .expect("signs");
            request
        })
    });
}

fn parse_listing(c: &mut Bench) {
    let body = Bytes::from(list_page(1000));
    let url: http::Uri = "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/"
        .parse()
        .expect("uri");
    let op = ListObjects::new();
    let check = op
        .parse_response(&url, http::Response::new(body.clone()))
        .expect("parses");
    assert_eq!(check.contents.len(), 1000);
    c.bench_function("parse ListObjects 1000 keys", |b| {
        b.iter(|| {
            op.parse_response(&url, http::Response::new(black_box(body.clone())))
                .expect("parses")
        })
    });
}

fn crc64_1mib(c: &mut Bench) {
    let data: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let mut group = c.benchmark_group("crc64");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("CRC-64/XZ 1 MiB", |b| {
        b.iter(|| crc64::crc64(black_box(&data)))
    });
    group.finish();
}

/// The whole-object CRC of a 1 GiB transfer from its 128 parts of 8 MiB, as the transfer
/// machines compute it when the last part is in: one `combine` per part, or `concat`.
fn crc64_fold_parts(c: &mut Bench) {
    let parts: Vec<(u64, u64)> = (0..128u64)
        .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15), 8 << 20))
        .collect();
    let mut group = c.benchmark_group("crc64");
    group.bench_function("fold 128 parts of 8 MiB, combine", |b| {
        b.iter(|| {
            black_box(&parts)
                .iter()
                .fold(0, |acc, &(crc, len)| crc64::combine(acc, crc, len))
        })
    });
    group.bench_function("fold 128 parts of 8 MiB, concat", |b| {
        b.iter(|| crc64::concat(black_box(&parts).iter().copied()))
    });
    group.finish();
}

fn select_10mib(c: &mut Bench) {
    let record: Vec<u8> = b"2023-11-14T22:13:20Z,GET,/logs/event.json,200,1234\n"
        .iter()
        .copied()
        .cycle()
        .take(64 * 1024)
        .collect();
    let mut body = Vec::with_capacity(11 << 20);
    for _ in 0..160 {
        body.extend(select::encode_records(&record).expect("encodes"));
    }
    let stats = SelectStats {
        bytes_scanned: 10 << 20,
        bytes_processed: 10 << 20,
        bytes_returned: 10 << 20,
    };
    body.extend(select::encode_stats(&stats));
    body.extend(select::encode_end());
    let mut group = c.benchmark_group("select");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(20);
    group.bench_function("decode 10 MiB event stream (16 KiB reads)", |b| {
        b.iter(|| {
            let mut decoder = SelectDecoder::new();
            let mut records = 0usize;
            for chunk in black_box(&body).chunks(16 * 1024) {
                decoder.feed(chunk);
                while let Some(event) = decoder.next_event().expect("valid stream") {
                    if let SelectEvent::Records(bytes) = event {
                        records += bytes.len();
                    }
                }
            }
            decoder.finish().expect("complete");
            assert_eq!(records, 160 * 64 * 1024);
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = sign_and_build, parse_listing, crc64_1mib, crc64_fold_parts, select_10mib
}
criterion_main!(benches);
