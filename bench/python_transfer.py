"""One `upload_file` or `download_file` of the official Python SDK (cos-python-sdk-v5)
against the emulator, timed: the Python side of the throughput rows of `cargo xtask bench`.

Usage:
    python_transfer.py upload|download --endpoint http://127.0.0.1:PORT --bucket BUCKET
                       --key KEY --file FILE --secret-id ID --secret-key KEY

The SDK reaches the emulator in its IP mode (`CosConfig(IP='127.0.0.1', Port=PORT,
Scheme='http')`, as `interop/seed_snippets.py` does). Both calls use the SDK's defaults:
`upload_file(PartSize=1, MAXThread=5, EnableMD5=False)` — 1 MB parts, 5 threads, a single
PUT up to 1 MB — and `download_file(PartSize=20, MAXThread=5, EnableCRC=False)` — 20 MB
ranged GETs, 5 threads, a single GET up to 20 MB.

Prints one JSON object: the wall time and the process CPU time of the call alone (not
the interpreter's start or the imports), the process's peak RSS (ru_maxrss, KiB) and the
SDK's version. Run it with the venv that `cargo xtask interop` creates.
"""

import argparse
import importlib.metadata
import json
import logging
import os
import resource
import sys
import time

from qcloud_cos import CosConfig, CosS3Client

logging.disable(logging.CRITICAL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("direction", choices=["upload", "download"])
    for flag in ("--endpoint", "--bucket", "--key", "--file", "--secret-id", "--secret-key"):
        parser.add_argument(flag, required=True)
    args = parser.parse_args()
    host, _, port = args.endpoint.replace("http://", "", 1).rstrip("/").partition(":")
    config = CosConfig(Region="ap-guangzhou", SecretId=args.secret_id, SecretKey=args.secret_key,
                       Scheme="http", IP=host, Port=int(port))
    client = CosS3Client(config)

    wall, cpu = time.perf_counter(), time.process_time()
    if args.direction == "upload":
        client.upload_file(Bucket=args.bucket, Key=args.key, LocalFilePath=args.file)
    else:
        client.download_file(Bucket=args.bucket, Key=args.key, DestFilePath=args.file)
    seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu

    json.dump({
        "client": "python",
        "direction": args.direction,
        "bytes": os.path.getsize(args.file),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "sdk": importlib.metadata.version("cos-python-sdk-v5"),
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
