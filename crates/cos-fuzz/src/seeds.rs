//! The seed inputs of every target: small, realistic COS answers and programs. They are
//! committed under `fuzz/corpus/<target>/seed-*`; `tests/corpus_replay.rs` checks that
//! the committed files are these (run it with `COS_FUZZ_WRITE_SEEDS=1` to rewrite them).

use cos_proto::crc64::crc64;
use cos_proto::select::{self, SelectStats};

use cos_crypto::{Format, MasterKey, PlaintextInfo};

use crate::crypto;
use crate::input::{Writer, response_text};
use crate::select::roundtrip_program;

/// One seed: its target, its file name and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// The target it feeds.
    pub target: &'static str,
    /// The file name under `fuzz/corpus/<target>/`.
    pub name: &'static str,
    /// The input.
    pub data: Vec<u8>,
}

const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const OWNER: &str = "<Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner>";

fn doc(body: &str) -> Vec<u8> {
    format!("{DECL}{body}").into_bytes()
}

/// Every seed of every target.
pub fn seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    let mut add = |target, name, data: Vec<u8>| out.push(Seed { target, name, data });

    add(
        "list_objects",
        "seed-page",
        doc(&format!(
            "<ListBucketResult><Name>examplebucket-1250000000</Name><EncodingType>url</EncodingType>\
         <Prefix>docs%2F</Prefix><Marker/><MaxKeys>2</MaxKeys><Delimiter>%2F</Delimiter>\
         <IsTruncated>true</IsTruncated><NextMarker>docs%2Fb%20c.txt</NextMarker>\
         <Contents><Key>docs%2Fa.txt</Key><LastModified>2023-11-14T22:13:20.000Z</LastModified>\
         <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5</Size>{OWNER}\
         <StorageClass>STANDARD</StorageClass></Contents>\
         <Contents><Key>docs%2Fb%20c.txt</Key><LastModified>2023-11-14T22:13:21.000Z</LastModified>\
         <ETag>&quot;7d793037a0760186574b0282f2f435e7&quot;</ETag><Size>11</Size>{OWNER}\
         <StorageClass>STANDARD_IA</StorageClass><StorageTier>FREQUENT</StorageTier></Contents>\
         <CommonPrefixes><Prefix>docs%2F%E4%B8%AD%E6%96%87%2F</Prefix></CommonPrefixes>\
         </ListBucketResult>"
        )),
    );
    add(
        "list_objects",
        "seed-empty",
        doc(
            "<ListBucketResult><Name>examplebucket-1250000000</Name><Prefix/><Marker/><MaxKeys>1000</MaxKeys>\
         <IsTruncated>false</IsTruncated></ListBucketResult>",
        ),
    );
    add(
        "list_object_versions",
        "seed-mixed",
        doc(&format!(
            "<ListVersionsResult><EncodingType>url</EncodingType><Name>examplebucket-1250000000</Name>\
         <Prefix>v%2F</Prefix><KeyMarker/><VersionIdMarker/><MaxKeys>3</MaxKeys><Delimiter>%2F</Delimiter>\
         <IsTruncated>true</IsTruncated><NextKeyMarker>v%2Fz.txt</NextKeyMarker>\
         <NextVersionIdMarker>MTg0NDUxNTc1NjIzMTQ1MDAwODg</NextVersionIdMarker>\
         <CommonPrefixes><Prefix>v%2Fdir%2F</Prefix></CommonPrefixes>\
         <Version><Key>v%2Fa%20b.txt</Key><VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwODg</VersionId>\
         <IsLatest>true</IsLatest><LastModified>2023-11-14T22:13:20.000Z</LastModified>\
         <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5</Size>\
         <StorageClass>STANDARD</StorageClass>{OWNER}</Version>\
         <DeleteMarker><Key>v%2F%E4%B8%AD.txt</Key><VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwOTk</VersionId>\
         <IsLatest>true</IsLatest><LastModified>2023-11-14T22:13:21.000Z</LastModified>{OWNER}</DeleteMarker>\
         <Version><Key>v%2Fz.txt</Key><VersionId>null</VersionId><IsLatest>false</IsLatest>\
         <LastModified>2023-11-13T10:00:00.000Z</LastModified><ETag>&quot;e&quot;</ETag><Size>0</Size>\
         <StorageClass>ARCHIVE</StorageClass>{OWNER}</Version></ListVersionsResult>"
        )),
    );
    add(
        "list_multipart_uploads",
        "seed-two",
        doc(
            "<ListMultipartUploadsResult><Bucket>examplebucket-1250000000</Bucket><EncodingType>url</EncodingType>\
         <KeyMarker/><UploadIdMarker/><NextKeyMarker>big%20file.iso</NextKeyMarker>\
         <NextUploadIdMarker>1585130821cbb7df1d11846c073ad648</NextUploadIdMarker><MaxUploads>2</MaxUploads>\
         <IsTruncated>true</IsTruncated><Prefix/><Delimiter>%2F</Delimiter>\
         <Upload><Key>%E4%B8%AD%E6%96%87.bin</Key><UploadId>1585130700a1b2c3d4e5f607</UploadId>\
         <StorageClass>STANDARD</StorageClass><Initiator><ID>qcs::cam::uin/100000000001:uin/100000000001</ID>\
         <DisplayName>100000000001</DisplayName></Initiator><Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID>\
         <DisplayName>100000000001</DisplayName></Owner><Initiated>2023-11-14T20:00:00.000Z</Initiated></Upload>\
         <Upload><Key>big%20file.iso</Key><UploadId>1585130821cbb7df1d11846c073ad648</UploadId>\
         <StorageClass>STANDARD_IA</StorageClass><Initiated>2023-11-14T21:00:00.000Z</Initiated></Upload>\
         <CommonPrefixes><Prefix>logs%2F</Prefix></CommonPrefixes></ListMultipartUploadsResult>",
        ),
    );
    add(
        "list_parts",
        "seed-two",
        doc(
            "<ListPartsResult><Bucket>examplebucket-1250000000</Bucket><EncodingType>url</EncodingType>\
         <Key>big%20file%2B%E4%B8%AD.iso</Key><UploadId>1585130821cbb7df1d11846c073ad648</UploadId>\
         <Initiator><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Initiator>\
         <Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>\
         <PartNumberMarker>2</PartNumberMarker>\
         <Part><PartNumber>3</PartNumber><LastModified>2023-11-14T22:00:00.000Z</LastModified>\
         <ETag>&quot;e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1&quot;</ETag><Size>1048576</Size></Part>\
         <Part><PartNumber>4</PartNumber><LastModified>2023-11-14T22:01:00.000Z</LastModified>\
         <ETag>&quot;e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2&quot;</ETag><Size>1048576</Size></Part>\
         <NextPartNumberMarker>4</NextPartNumberMarker><StorageClass>STANDARD</StorageClass>\
         <MaxParts>2</MaxParts><IsTruncated>true</IsTruncated></ListPartsResult>",
        ),
    );
    add(
        "delete_objects",
        "seed-mixed",
        doc(
            "<DeleteResult><Deleted><Key>a.txt</Key></Deleted><Deleted><Key>versioned.txt</Key>\
         <DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>MTg0NDUxNTc1NjIzMTQ1MDAyMjI</DeleteMarkerVersionId>\
         </Deleted><Deleted><Key>中文.txt</Key><VersionId>MTg0NDUxNTc1NjIzMTQ1MDAzMzM</VersionId></Deleted>\
         <Error><Key>locked.txt</Key><Code>AccessDenied</Code><Message>Access Denied.</Message></Error>\
         </DeleteResult>",
        ),
    );
    add(
        "copy_result",
        "seed-copy",
        doc(
            "<CopyObjectResult><ETag>&quot;ee8de918d05640145b18f70f4c3aa602&quot;</ETag>\
         <LastModified>2023-11-14T22:13:20.000Z</LastModified>\
         <CRC64>16749565679157681890</CRC64><VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwODg</VersionId></CopyObjectResult>",
        ),
    );
    add(
        "copy_result",
        "seed-error-in-200",
        doc(
            "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>\
         <RequestId>NjU1MmY0ZTRfYjQ</RequestId><TraceId>OGVmYzZiMmQ</TraceId></Error>",
        ),
    );
    add(
        "complete_multipart_upload",
        "seed-result",
        doc(
            "<CompleteMultipartUploadResult><Location>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big.iso</Location>\
         <Bucket>examplebucket-1250000000</Bucket><Key>big.iso</Key>\
         <ETag>&quot;aa259a62513358f69e98e72e59856d88-2&quot;</ETag></CompleteMultipartUploadResult>",
        ),
    );
    add("complete_multipart_upload", "seed-late-error", {
        let mut body = b"   \n  ".to_vec();
        body.extend(doc("<Error><Code>InvalidPart</Code><Message>One or more of the specified parts could not be found.</Message></Error>"));
        body
    });
    add(
        "initiate_multipart_upload",
        "seed-result",
        doc(
            "<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>docs/big%20file.iso</Key>\
         <UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>\
         </InitiateMultipartUploadResult>",
        ),
    );
    add(
        "object_tagging",
        "seed-tags",
        doc(
            "<Tagging><TagSet><Tag><Key>project</Key><Value>cos-rs</Value></Tag>\
         <Tag><Key>环境</Key><Value>a &amp; b</Value></Tag></TagSet></Tagging>",
        ),
    );
    add(
        "object_acl",
        "seed-public-read",
        doc(
            "<AccessControlPolicy><Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID>\
         <DisplayName>100000000001</DisplayName></Owner><AccessControlList><Grant>\
         <Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">\
         <ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Grantee>\
         <Permission>FULL_CONTROL</Permission></Grant><Grant>\
         <Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">\
         <URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>\
         </AccessControlList></AccessControlPolicy>",
        ),
    );

    add(
        "error_response",
        "seed-xml",
        response_text(
            404,
            &[
                ("content-type", "application/xml"),
                ("x-cos-request-id", "NjU1MmY0ZTRfYjQ"),
            ],
            &doc(
                "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>\
              <Resource>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/k</Resource>\
              <RequestId>NjU1MmY0ZTRfYjQ</RequestId><TraceId>OGVmYzZiMmQ</TraceId></Error>",
            ),
        ),
    );
    add(
        "error_response",
        "seed-signature",
        response_text(
            403,
            &[("x-cos-trace-id", "OGVmYzZiMmQ")],
            &doc(
                "<Error><Code>SignatureDoesNotMatch</Code><Message>The Signature you specified is invalid.</Message>\
              <StringToSign>sha1\n1700000000;1700010000\nd2a6e3c5c0\n</StringToSign>\
              <FormatString>get\n/k\n\nhost=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\n</FormatString></Error>",
            ),
        ),
    );
    add("error_response", "seed-json", response_text(
        400,
        &[],
        b"{\"code\":\"InvalidArgument\",\"message\":\"bad\",\"requestid\":\"r1\",\"traceid\":\"t1\"}",
    ));
    add(
        "error_response",
        "seed-header-code",
        response_text(
            409,
            &[("x-cos-error-code", "PathConflict")],
            b"Path conflict.",
        ),
    );
    add(
        "error_response",
        "seed-head-404",
        response_text(404, &[("x-cos-request-id", "r2")], b""),
    );

    let mut body = select::encode_records(b"1,alice\n2,bob\n").unwrap_or_default();
    body.extend(select::encode_continuation());
    body.extend(select::encode_progress(&SelectStats {
        bytes_scanned: 20,
        bytes_processed: 20,
        bytes_returned: 14,
    }));
    body.extend(select::encode_stats(&SelectStats {
        bytes_scanned: 20,
        bytes_processed: 20,
        bytes_returned: 14,
    }));
    body.extend(select::encode_end());
    add(
        "select_decoder",
        "seed-stream",
        [&[0u8, 7][..], &body].concat(),
    );
    let mut failed = select::encode_records(b"{\"a\":1}\n").unwrap_or_default();
    failed.extend(select::encode_error("InternalError", "boom").unwrap_or_default());
    add(
        "select_decoder",
        "seed-error",
        [&[1u8, 3][..], &failed].concat(),
    );
    add(
        "select_roundtrip",
        "seed-program",
        roundtrip_program(
            5,
            &[
                (0, b"\x0e1,alice\n2,bob\n"),
                (1, b""),
                (2, &[0, 0, 0, 20, 0, 0, 0, 20, 0, 0, 0, 14]),
                (6, b"\x04Ping\x00"),
                (
                    7,
                    b"\x02\x04name\x07\x05value\x04uuid\x09abcdefghijklmnop\x03xyz",
                ),
                (3, &[0, 0, 0, 20, 0, 0, 0, 20, 0, 0, 0, 14]),
                (4, b""),
            ],
        ),
    );
    add(
        "select_roundtrip",
        "seed-error",
        roundtrip_program(
            9,
            &[(0, b"\x08{\"a\":1}\n"), (5, b"\x0dInternalError\x04boom")],
        ),
    );

    add("content_range", "seed-full", b"bytes 0-99/1000".to_vec());
    add(
        "content_range",
        "seed-unknown-total",
        b"bytes 6-10/*".to_vec(),
    );
    add("content_range", "seed-request", b"bytes=100-".to_vec());
    add("content_range", "seed-suffix", b"bytes=-500".to_vec());
    let mut w = Writer::default();
    w.u16(4).u8(3).bytes(b"123456789");
    add("crc64", "seed-check", w.buf.clone());
    add(
        "crc64",
        "seed-header",
        [&[0u8, 0, 1][..], b"11051210869376104954"].concat(),
    );

    add(
        "object_headers",
        "seed-get-range",
        response_text(
            206,
            &[
                ("content-length", "10"),
                ("content-range", "bytes 10-19/100"),
                ("etag", "\"ee8de918d05640145b18f70f4c3aa602\""),
                ("last-modified", "Tue, 14 Nov 2023 22:13:20 GMT"),
                ("x-cos-hash-crc64ecma", "16749565679157681890"),
                ("x-cos-request-id", "NjU1MmY0ZTRfYjQ"),
            ],
            b"",
        ),
    );
    add(
        "object_headers",
        "seed-head",
        response_text(
            200,
            &[
                ("content-length", "5"),
                ("content-type", "text/plain; charset=utf-8"),
                ("etag", "\"5d41402abc4b2a76b9719d911017c592\""),
                ("last-modified", "Tue, 14 Nov 2023 22:13:20 GMT"),
                ("x-cos-hash-crc64ecma", &crc64(b"hello").to_string()),
                ("x-cos-meta-author", "张三"),
                ("x-cos-storage-class", "ARCHIVE"),
                (
                    "x-cos-restore",
                    "ongoing-request=\"false\", expiry-date=\"Sat, 18 Nov 2023 00:00:00 GMT\"",
                ),
                ("x-cos-tagging-count", "2"),
                ("x-cos-version-id", "MTg0NDUxNTc1NjIzMTQ1MDAwODg"),
                ("x-cos-next-append-position", "5"),
            ],
            b"",
        ),
    );

    add("authorization", "seed-header", b"q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q\
        &q-sign-time=1417773892;1417853898&q-key-time=1417773892;1417853898&q-header-list=host;x-cos-content-sha1\
        &q-url-param-list=&q-signature=14e6ebd7955b0c6da532151bf97045e2c5a64e10".to_vec());
    add("sign_request", "seed-put", b"PUT /docs/%E6%8A%A5%E5%91%8A%202024.pdf\n\
        host: examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\ncontent-type: application/pdf\n\
        content-length: 23\nx-cos-meta-author: alice\nx-cos-storage-class: STANDARD_IA\nuser-agent: cos-rs\n\n".to_vec());
    add(
        "sign_request",
        "seed-query-token",
        b"GET /k?versionId=MTg0&response-content-type=text%2Fplain&uploads TOKEN123\n\
        range: bytes=0-99\nif-match: \"e\"\n\n"
            .to_vec(),
    );

    let mut w = Writer::default();
    // 100-byte object, whole, right CRC, an ETag; data, a reset, the continuation, the rest.
    w.u16(100).u8(2 | 4 | 8).u16(0).u16(0).u8(3);
    w.u8(0)
        .u8(40)
        .u8(2)
        .u8(2)
        .u8(128)
        .u8(3)
        .u8(0)
        .u8(0)
        .u8(60)
        .u8(1)
        .u8(10);
    add("download", "seed-resume", w.buf.clone());
    let mut w = Writer::default();
    w.u16(1000).u8(1 | 8).u16(100).u16(199).u8(2);
    w.u8(0)
        .u8(99)
        .u8(1)
        .u8(50)
        .u8(3)
        .u8(1)
        .u8(0)
        .u8(1)
        .u8(1)
        .u8(0);
    add("download", "seed-range", w.buf.clone());
    let mut w = Writer::default();
    // PutObject, replayable body, budget: 503 SlowDown, reset, 200.
    w.u8(1).u8(1 | 8).u8(4);
    w.u8(0)
        .u8(14)
        .u8(2)
        .u8(0)
        .u8(100)
        .u8(1)
        .u8(2)
        .u8(200)
        .u8(0)
        .u8(0)
        .u8(0)
        .u8(0)
        .u8(50);
    add("call", "seed-retries", w.buf.clone());
    let mut w = Writer::default();
    // InitiateMultipartUpload, anonymous: connect failure, timeout.
    w.u8(2).u8(1 | 4).u8(3);
    w.u8(1).u8(0).u8(10).u8(1).u8(1).u8(10);
    add("call", "seed-initiate", w.buf.clone());
    add(
        "checkpoint",
        "seed-upload",
        b"{\"format\":1,\"bucket\":\"examplebucket-1250000000\",\"key\":\"docs/big file.iso\",\
          \"upload_id\":\"1585130821cbb7df1d11846c073ad648\",\"part_size\":8388608,\
          \"source\":{\"size\":20971521,\"modified_ns\":1700000000123456789},\
          \"parts\":[{\"number\":1,\"etag\":\"\\\"e1e1\\\"\",\"crc64\":16749565679157681890},\
          {\"number\":3,\"etag\":\"\\\"e3\\\"\",\"crc64\":0}]}"
            .to_vec(),
    );
    add(
        "checkpoint",
        "seed-download",
        b"{\"format\":1,\"bucket\":\"examplebucket-1250000000\",\"key\":\"\\u4e2d.bin\",\
          \"object\":{\"size\":25,\"etag\":\"\\\"v1\\\"\",\"crc64\":3,\"version_id\":null},\
          \"part_size\":10,\"ranges\":[{\"number\":3,\"crc64\":1},{\"number\":1,\"crc64\":2}]}"
            .to_vec(),
    );

    for (name, flags, format, info) in [
        (
            "seed-v2-aes",
            0,
            Format::V2,
            PlaintextInfo::new().length(100).md5([7; 16]),
        ),
        (
            "seed-v2-rsa-multipart",
            6,
            Format::V2,
            PlaintextInfo::new().length(1000).multipart(32),
        ),
        (
            "seed-python-aes",
            1,
            Format::PythonCompatible,
            PlaintextInfo::new(),
        ),
        (
            "seed-python-rsa",
            7,
            Format::PythonCompatible,
            PlaintextInfo::new(),
        ),
    ] {
        let keys = crypto::keys();
        let master: &dyn MasterKey = if flags < 6 { &keys.aes } else { &keys.rsa };
        let sealed = crypto::seal(format, master, &info, 3);
        let headers: Vec<(&str, &str)> = sealed.header_pairs().collect();
        let mut data = vec![flags];
        data.extend(response_text(200, &headers, &envelope_probes()));
        add("encryption_envelope", name, data);
    }
    let mut w = Writer::default();
    // Program mode, AES: a v2 envelope entry by entry, then the probes.
    w.u8(8).u8(7);
    w.u8(0).u8(6).u8(3); // -key: the AES-wrapped content key
    w.u8(2).u8(6).u8(0); // -start: the IV
    w.u8(3).u8(3).u8(0); // -cek-alg: AES/CTR/NoPadding
    w.u8(4).u8(3).u8(4); // -wrap-alg: AESWrap
    w.u8(5).u8(5).u8(0); // -matdesc: {}
    w.u8(8).u8(4).u8(3); // -data-size: 100
    w.u8(9).u8(4).u8(2); // -part-size: 32
    w.bytes(&envelope_probes());
    add("encryption_envelope", "seed-program", w.buf.clone());

    let mut w = Writer::default();
    // Upload, 10-byte parts of 95 bytes, 3 at once, 3 attempts, always multipart, resumed
    // after step 12: successes, a lost part, a wrong ETag, out of order; then the resume
    // from the checkpoint file.
    w.u8(0).u8(9).u16(95).u8(3).u8(2).u8(0).u8(1).u8(12);
    w.bytes(&[
        0, 0, 0, 0, 9, 1, 0, 2, 11, 0, 1, 0, 1, 15, 1, 0, 0, 8, 0, 0, 3,
    ]);
    w.u8(1).u8(1);
    add("transfer_sequence", "seed-upload-resume", w.buf.clone());
    let mut w = Writer::default();
    // Download, 16-byte parts of 100 bytes, 2 at once, the CRC-64 known, resumed after
    // step 8: a short body, a lost range, a stale outcome; then from an earlier checkpoint.
    w.u8(1).u8(15).u16(100).u8(2).u8(2).u8(0).u8(1).u8(8);
    w.bytes(&[0, 0, 0, 0, 11, 0, 0, 0, 1, 9, 0, 3, 15, 0, 7, 0, 1, 0, 0]);
    w.u8(2).u8(8);
    add("transfer_sequence", "seed-download-resume", w.buf.clone());
    let mut w = Writer::default();
    // Copy in 8-byte parts of 70 bytes, default concurrency, 2 attempts: a 503, a lost
    // part, answers out of order.
    w.u8(2).u8(7).u16(70).u8(0).u8(1).u8(0).u8(0).u8(0);
    w.bytes(&[0, 0, 0, 0, 8, 2, 0, 3, 9, 1, 0, 4, 0, 0, 15, 2]);
    add("transfer_sequence", "seed-copy-parts", w.buf.clone());
    let mut w = Writer::default();
    // Move in one copy, no CRC-64: the destination's HEAD fails once.
    w.u8(3).u8(20).u16(30).u8(1).u8(3).u8(3).u8(2).u8(0);
    w.bytes(&[0, 0, 0, 0, 8, 0, 0, 0]);
    add("transfer_sequence", "seed-move", w.buf.clone());
    let mut w = Writer::default();
    // Upload in one PUT: a wrong CRC-64, then success.
    w.u8(0).u8(47).u16(40).u8(1).u8(3).u8(3).u8(0).u8(0);
    w.bytes(&[11, 0, 0, 0, 0, 0]);
    add("transfer_sequence", "seed-upload-put", w.buf.clone());
    out
}

/// Probes of an opened envelope: `[offset kind][offset][bytes][split][part kind][part]`.
fn envelope_probes() -> Vec<u8> {
    let mut w = Writer::default();
    w.u8(0)
        .u16(17)
        .short_bytes(b"secret report")
        .u8(5)
        .u8(0)
        .u8(3);
    w.u8(4).u8(6).short_bytes(&[0xaa; 40]).u8(16).u8(2).u8(1);
    w.u8(1).u8(2).short_bytes(b"end").u8(1).u8(3).u8(0);
    w.buf
}
