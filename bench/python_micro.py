"""Per-operation cost of the official Python SDK (cos-python-sdk-v5) for the operations the
criterion benchmarks of cos-proto measure, calling the functions the SDK itself calls for
each request:

* sign+build PutObject: `CosS3Client.put_object` up to the wire — `mapped` headers,
  `CosConfig.uri`, `format_values`, a `requests.Request` with `CosS3Auth`, prepared by the
  client's session (which runs the signer), as `send_request` does;
* parse a 1000-key ListObjects page: `CosS3Client.list_objects` after the response —
  `xml_to_dict`, `format_dict`, `decode_result` (the document is the one the Rust
  benchmark parses, built by the same template).

Prints one JSON object: nanoseconds of process CPU time per operation, the median over
samples of several operations each — the statistic criterion reports as the median of the
Rust benchmarks, which `benches/core.rs` also takes in process CPU time. CPU time keeps
the figures comparable on a busy machine. Run it with the venv that `cargo xtask interop`
creates (`target/interop-venv/bin/python bench/python_micro.py`), or through
`cargo xtask bench --micro`, which prints the ratios.
"""

import json
import logging
import sys
import time

import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_auth import CosS3Auth
from qcloud_cos.cos_comm import decode_result, format_dict, format_values, mapped, to_bytes, xml_to_dict
from qcloud_cos.version import __version__

logging.disable(logging.CRITICAL)


def list_page(n):
    """The page `list_page` of crates/cos-proto/benches/core.rs builds, byte for byte."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult>'
        "<Name>examplebucket-1250000000</Name><EncodingType>url</EncodingType>"
        "<Prefix>logs%2F</Prefix><Marker></Marker><MaxKeys>1000</MaxKeys>"
        "<IsTruncated>true</IsTruncated>"
    ]
    for i in range(n):
        parts.append(
            "<Contents><Key>logs%2F2023-11-14%2Fevent%20{i:06d}.json</Key>"
            "<LastModified>2023-11-14T22:13:20.000Z</LastModified>"
            "<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>{size}</Size>"
            "<Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner>"
            "<StorageClass>STANDARD</StorageClass></Contents>".format(i=i, size=1000 + i)
        )
    parts.append(
        "<NextMarker>logs%2F2023-11-14%2Fevent%20{:06d}.json</NextMarker></ListBucketResult>".format(max(n - 1, 0))
    )
    return "".join(parts).encode("utf-8")


def per_op_ns(fn, samples, sample_seconds):
    """Median CPU nanoseconds per call over `samples` samples of about `sample_seconds` each,
    after a one-second warm-up that also sizes the samples."""
    clock = time.process_time_ns
    start, calls = clock(), 0
    while clock() - start < 1e9:
        fn()
        calls += 1
    per_call = (clock() - start) / calls
    iters = max(1, round(sample_seconds * 1e9 / per_call))
    results = []
    for _ in range(samples):
        start = clock()
        for _ in range(iters):
            fn()
        results.append((clock() - start) / iters)
    results.sort()
    return results[len(results) // 2]


def main():
    conf = CosConfig(Region="ap-guangzhou", SecretId="AKIDEXAMPLE", SecretKey="SECRETKEYEXAMPLE", Scheme="https")
    client = CosS3Client(conf)
    session = client._session
    bucket, key, body = "examplebucket-1250000000", "docs/report 2024.pdf", b"hello world"

    def sign_and_build():
        headers = mapped({"ContentType": "application/pdf"})
        url = conf.uri(bucket=bucket, path=key)
        headers["User-Agent"] = "cos-python-sdk-v" + __version__
        headers = format_values(headers)
        request = requests.Request(
            "PUT", url, data=to_bytes(body), headers=headers, auth=CosS3Auth(conf, key)
        )
        prepared = session.prepare_request(request)
        assert prepared.headers["Authorization"].startswith("q-sign-algorithm=sha1")
        return prepared

    document = list_page(1000)

    def parse_listing():
        data = xml_to_dict(document)
        format_dict(data, ["Contents", "CommonPrefixes"])
        decode_result(data, ["Prefix", "Marker", "NextMarker"], [["Contents", "Key"], ["CommonPrefixes", "Prefix"]])
        return data

    check = parse_listing()
    assert len(check["Contents"]) == 1000, len(check["Contents"])
    assert check["Contents"][0]["Key"] == "logs/2023-11-14/event 000000.json", check["Contents"][0]["Key"]
    sign_and_build()

    result = {
        "sdk": "cos-python-sdk-v5 " + __version__,
        "python": sys.version.split()[0],
        "sign_build_put_object_ns": round(per_op_ns(sign_and_build, samples=50, sample_seconds=0.05)),
        "parse_list_objects_1000_ns": round(per_op_ns(parse_listing, samples=15, sample_seconds=0.2)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
