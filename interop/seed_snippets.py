#!/usr/bin/env python3
# -*- coding=utf-8
"""Runs every code snippet of the two seed documents (the Korean COS Python SDK guides
`000_0be40e0a800770fc.txt`, "개발 준비 / 시작 가이드", and `003_c34551cfa6892e01.txt`, "객체 작업")
against the cos-rs emulator with the OFFICIAL Python SDK (cos-python-sdk-v5), each snippet
as its own named check that asserts what a user would rely on.

Usage:
    seed_snippets.py --endpoint http://127.0.0.1:PORT --secret-id ID --secret-key KEY
                     [--only SUBSTRING ...] [--list] [--verbose] [--keep]

The endpoint, secret id and key may also come from COS_EMULATOR_ENDPOINT (or
COS_EMULATOR_PORT), COS_EMULATOR_SECRET_ID and COS_EMULATOR_SECRET_KEY.

How the SDK reaches the emulator: `CosConfig(Region='ap-guangzhou', Scheme='http',
IP='127.0.0.1', Port=PORT, ...)`. In IP mode the SDK connects to IP:PORT and sends
`Host: <bucket>.cos.ap-guangzhou.myqcloud.com`, which it also signs (q-header-list has
`host`), so the emulator sees exactly the virtual-host request real COS would see.
One SDK path ignores IP mode: `client.copy()` first HEADs the source through a URL built
from the CopySource's bucket and endpoint (`_head_object_when_copy`). The checks of the
high-level copy therefore use a second client with the default endpoint and
`Proxies={'http': 'http://127.0.0.1:PORT'}`: requests then sends the absolute-form
request line (`HEAD http://bucket.cos.ap-guangzhou.myqcloud.com/key HTTP/1.1`) with the
same Host to the emulator, and no name is ever resolved.

Prints one line per check (`ok   name` or `FAIL name: reason`) and ends with
`N passed, M failed`; exits 1 if any check failed.
"""

from __future__ import print_function

import argparse
import base64
import contextlib
import functools
import gzip
import hashlib
import http.server
import io
import json
import logging
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from urllib.parse import quote, unquote

# The harness only talks to 127.0.0.1: never let an inherited proxy setting reroute it.
for _name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(_name, None)

import requests  # noqa: E402  (a dependency of the SDK)

from qcloud_cos import CosConfig  # noqa: E402
from qcloud_cos import CosS3Client  # noqa: E402
from qcloud_cos import CosServiceError  # noqa: E402
from qcloud_cos import CosClientError  # noqa: E402
from qcloud_cos.cos_threadpool import SimpleThreadPool  # noqa: E402
from qcloud_cos.cos_encryption_client import CosEncryptionClient  # noqa: E402
from qcloud_cos.crypto import AESProvider, RSAProvider  # noqa: E402

REGION = "ap-guangzhou"
BUCKET = "examplebucket-1250000000"
SOURCE_BUCKET = "sourcebucket-1250000000"
VERSIONED_BUCKET = "versionedbucket-1250000000"
MIB = 1024 * 1024
# Grantee ids in the format COS documents for x-cos-grant-*.
GRANTEE = 'id="qcs::cam::uin/100000000011:uin/100000000011"'
PAST = "Wed, 28 Oct 2014 20:30:00 GMT"
FUTURE = "Wed, 28 Oct 2099 20:30:00 GMT"


class Env(object):
    """Everything a check needs: the port, credentials, clients and the work dir."""

    port = None
    secret_id = None
    secret_key = None
    client = None  # IP mode
    proxy_client = None  # default endpoint, emulator as HTTP proxy
    session = None  # the requests session every client shares
    workdir = None
    ignore_header_case = False
    http_base = None  # a local static file server (for the requests stream snippet)


E = Env()
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


# ---------------------------------------------------------------------------------------
# helpers


def eq(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def ok(cond, what):
    if not cond:
        raise AssertionError(what)


def blob(n, seed):
    return random.Random(seed).getrandbits(8 * n).to_bytes(n, "little") if n else b""


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def etag_of(data):
    return '"%s"' % md5_hex(data)


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def multipart_etag(parts):
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return '"%s-%d"' % (digest, len(parts))


def write_file(path, data):
    d = os.path.dirname(path)
    if d and not os.path.isdir(d):
        os.makedirs(d)
    with open(path, "wb") as fp:
        fp.write(data)
    return path


def read_file(path):
    with open(path, "rb") as fp:
        return fp.read()


def make_config(**extra):
    kw = dict(Region=REGION, SecretId=E.secret_id, SecretKey=E.secret_key, Token=None, Scheme="http",
              IP="127.0.0.1", Port=E.port)
    kw.update(extra)
    return CosConfig(**kw)


def new_client(retry=1, session=None, **extra):
    return CosS3Client(make_config(**extra), retry=retry, session=session or E.session)


# How COS spells the standard response headers (x-cos-* headers are lower case). The SDK
# returns `dict(**response.headers)`, so user code (and the SDK itself, e.g. download_file
# reading head_object(...)['Content-Length']) depends on the exact case.
COS_HEADER_CASE = {name.lower(): name for name in (
    "Accept-Ranges", "Cache-Control", "Connection", "Content-Disposition", "Content-Encoding",
    "Content-Language", "Content-Length", "Content-Range", "Content-Type", "Date", "ETag", "Expires",
    "Last-Modified", "Location", "Server", "Transfer-Encoding")}


def canonicalize_header_case(response, *args, **kwargs):
    """--ignore-header-case: respell response header names the way COS does."""
    fixed = requests.structures.CaseInsensitiveDict()
    for name, value in response.headers.items():
        lower = name.lower()
        fixed[COS_HEADER_CASE.get(lower, lower if lower.startswith("x-cos-") else name)] = value
    response.headers = fixed
    return response


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def make_session(records=None, canonicalize=None):
    session = requests.Session()
    if E.ignore_header_case if canonicalize is None else canonicalize:
        session.hooks["response"].append(canonicalize_header_case)
    if records is not None:
        def hook(response, *args, **kwargs):
            req = response.request
            records.append({"method": req.method, "url": req.url,
                            "headers": dict((k, text(v)) for k, v in req.headers.items()),
                            "status": response.status_code, "response_headers": dict(response.headers)})

        session.hooks["response"].append(hook)
    return session


def recording_client(retry=1, **extra):
    """A client on its own session whose every request (method, url, headers) is recorded."""
    records = []
    return new_client(retry=retry, session=make_session(records), **extra), records


def put(key, data, bucket=BUCKET, client=None, **kw):
    return (client or E.client).put_object(Bucket=bucket, Body=data, Key=key, **kw)


def get_bytes(key, bucket=BUCKET, client=None, **kw):
    response = (client or E.client).get_object(Bucket=bucket, Key=key, **kw)
    return response["Body"].get_raw_stream().read(), response


def expect_service_error(status, code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except CosServiceError as e:
        eq(e.get_status_code(), status, "HTTP status of the CosServiceError (%s)" % e.get_error_code())
        if code is not None:
            eq(e.get_error_code(), code, "error code")
        return e
    raise AssertionError("expected CosServiceError %s %s, but the call succeeded" % (status, code))


def head_missing(key, bucket=BUCKET, **kw):
    expect_service_error(404, None, E.client.head_object, Bucket=bucket, Key=key, **kw)


def version_of(response, what):
    vid = response.get("x-cos-version-id")
    ok(vid, "%s: no x-cos-version-id in %r" % (what, sorted(response)))
    return vid


def url(value):
    """COS's `encoding-type=url` form: every byte but unreserved ones percent-encoded."""
    return quote(value, safe="")


def keys_of(listing, field="Contents"):
    return [item["Key"] for item in listing.get(field, [])]


def abort_all_uploads(prefix, bucket=BUCKET):
    listing = E.client.list_multipart_uploads(Bucket=bucket, Prefix=prefix)
    for upload in listing.get("Upload", []):
        E.client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])


def admin(method, path, body=None):
    """Calls the emulator's admin endpoint (`/-/emulator/...`); returns (status, text)."""
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (E.port, path), data=data, method=method,
                                 headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


_fixtures = {}


def fixture(fn):
    """Runs a fixture builder once and remembers its result (or its exception)."""

    @functools.wraps(fn)
    def wrapper():
        if fn.__name__ not in _fixtures:
            try:
                _fixtures[fn.__name__] = ("ok", fn())
            except Exception as e:  # noqa: BLE001
                _fixtures[fn.__name__] = ("err", e)
        state, value = _fixtures[fn.__name__]
        if state == "err":
            raise AssertionError("fixture %s failed: %s" % (fn.__name__, value))
        return value

    return wrapper


@fixture
def versioned_string_keys():
    """In the versioned bucket: 'string' twice, 'string1.txt' (then deleted: a delete
    marker), 'string/a.txt'. Returns the version ids."""
    c = E.client
    v1 = version_of(put("string", b"string v1", bucket=VERSIONED_BUCKET), "put string v1")
    v2 = version_of(put("string", b"string v2!", bucket=VERSIONED_BUCKET), "put string v2")
    s1 = version_of(put("string1.txt", b"string1", bucket=VERSIONED_BUCKET), "put string1.txt")
    sa = version_of(put("string/a.txt", b"a", bucket=VERSIONED_BUCKET), "put string/a.txt")
    d = c.delete_object(Bucket=VERSIONED_BUCKET, Key="string1.txt")
    eq(d.get("x-cos-delete-marker"), "true", "x-cos-delete-marker of a delete in a versioned bucket")
    dm = version_of(d, "delete string1.txt")
    return {"string": (v1, v2), "string1.txt": s1, "string/a.txt": sa, "marker": dm}


# ---------------------------------------------------------------------------------------
# 000: 시작 가이드 (client configuration), buckets used below


@check
def quickstart_client_config():
    # 1. 사용자 구성을 설정하며 secretId, secretKey 및 Region을 포함합니다.
    secret_id = E.secret_id
    secret_key = E.secret_key
    region = "ap-guangzhou"
    token = None
    scheme = "http"
    config = CosConfig(Region=region, SecretId=secret_id, SecretKey=secret_key, Token=token, Scheme=scheme,
                       IP="127.0.0.1", Port=E.port)
    # 2. 클라이언트 객체 가져오기 (on its own session, to see the requests it sends)
    records = []
    client = CosS3Client(config, session=make_session(records))
    for bucket in (BUCKET, SOURCE_BUCKET, VERSIONED_BUCKET):
        try:
            client.create_bucket(Bucket=bucket)
        except CosServiceError as e:
            ok(e.get_status_code() == 409, "create_bucket %s: %s" % (bucket, e))
        response = client.head_bucket(Bucket=bucket)
    eq(records[-1]["headers"].get("Host"), "versionedbucket-1250000000.cos.ap-guangzhou.myqcloud.com",
       "Host header sent in IP mode")
    ok("host" in records[-1]["headers"]["Authorization"].split("q-header-list=")[1].split("&")[0].split(";"),
       "the SDK signs the Host header")
    ok(response.get("x-cos-request-id"), "head_bucket: x-cos-request-id header")
    client.put_bucket_versioning(Bucket=VERSIONED_BUCKET, Status="Enabled")
    eq(client.get_bucket_versioning(Bucket=VERSIONED_BUCKET).get("Status"), "Enabled", "versioning status")
    listing = client.list_objects(Bucket=BUCKET)
    eq(listing.get("Name"), BUCKET, "list_objects Name")


@check
def response_header_case():
    # The SDK hands headers to the user as dict(**response.headers): 'ETag' must be spelt
    # 'ETag' (the seeds print response['ETag']), x-cos-* headers lower case, as COS does.
    records = []
    client = CosS3Client(make_config(), retry=1, session=make_session(records, canonicalize=False))
    put_response = client.put_object(Bucket=BUCKET, Body=b"case", Key="case/object.txt", ContentType="text/plain",
                                     Metadata={"x-cos-meta-key1": "value1"})
    head = client.head_object(Bucket=BUCKET, Key="case/object.txt")
    get = client.get_object(Bucket=BUCKET, Key="case/object.txt", Range="bytes=0-1")
    get["Body"].get_raw_stream().read()
    problems = []
    for what, names, wanted in (
            ("put_object", put_response, ["ETag", "x-cos-request-id", "x-cos-hash-crc64ecma"]),
            ("head_object", head, ["ETag", "Content-Length", "Content-Type", "Last-Modified", "x-cos-request-id",
                                   "x-cos-meta-key1"]),
            ("get_object", get, ["ETag", "Content-Length", "Content-Range", "Content-Type", "Last-Modified",
                                 "Accept-Ranges", "x-cos-request-id"])):
        for name in wanted:
            if name not in names:
                spelt = [n for n in names if n.lower() == name.lower()]
                problems.append("%s: %s sent as %s" % (what, name, spelt[0] if spelt else "(absent)"))
    ok(not problems, "; ".join(problems))


# ---------------------------------------------------------------------------------------
# 000: 파일 업로드


@check
def put_object_file_stream():
    data = blob(64 * 1024, 1)
    write_file("test.txt", data)
    file_name = "upload/test.txt"
    # 이진 모드(binary mode)로 파일을 열 것을 강력히 권장합니다.
    with open("test.txt", "rb") as fp:
        response = E.client.put_object(
            Bucket=BUCKET,
            Body=fp,
            Key=file_name,
            StorageClass="STANDARD",
            EnableMD5=False
        )
    eq(response["ETag"], etag_of(data), "ETag")
    eq(get_bytes(file_name)[0], data, "content")
    # 003 request example 1: the same with a Content-Type
    with open("test.txt", "rb") as fp:
        response = E.client.put_object(
            Bucket=BUCKET,
            Body=fp,
            Key=file_name,
            StorageClass="STANDARD",
            ContentType="text/html; charset=utf-8"
        )
    eq(response["ETag"], etag_of(data), "ETag (with ContentType)")
    head = E.client.head_object(Bucket=BUCKET, Key=file_name)
    eq(head["Content-Type"], "text/html; charset=utf-8", "Content-Type")
    eq(head["Content-Length"], str(len(data)), "Content-Length")


@check
def put_object_bytes():
    file_name = "upload/bytes.txt"
    response = E.client.put_object(
        Bucket=BUCKET,
        Body=b"abcdefg",
        Key=file_name,
        EnableMD5=False
    )
    eq(response["ETag"], '"7ac66c0f148de9519b8bd264312c4d64"', "ETag")
    eq(get_bytes(file_name)[0], b"abcdefg", "content")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def start_static_server(directory):
    handler = functools.partial(_QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@check
def put_object_chunked_requests_stream():
    # The seed streams a web page: `stream = requests.get(url)`; here the page is served
    # by a local static server, and the SDK sends it with Transfer-Encoding: chunked.
    page = b"<html><body>" + b"COS chunk upload " * 4000 + b"</body></html>"
    write_file(os.path.join("www", "document", "product", "436", "7778"), page)
    stream = requests.get(E.http_base + "/document/product/436/7778")
    eq(stream.status_code, 200, "local page")
    client, records = recording_client()
    file_name = "upload/chunked-page.html"
    response = client.put_object(
        Bucket=BUCKET,
        Body=stream,
        Key=file_name
    )
    sent = records[-1]["headers"]
    eq(sent.get("Transfer-Encoding"), "chunked", "request Transfer-Encoding")
    ok("Content-Length" not in sent, "no Content-Length on a chunked upload")
    eq(response["ETag"], etag_of(page), "ETag")
    eq(get_bytes(file_name)[0], page, "content")


@check
def put_object_chunked_generator():
    data = blob(300 * 1024 + 7, 2)

    def chunks():
        for i in range(0, len(data), 64 * 1024):
            yield data[i:i + 64 * 1024]

    client, records = recording_client()
    response = client.put_object(Bucket=BUCKET, Body=chunks(), Key="upload/generator.bin")
    eq(records[-1]["headers"].get("Transfer-Encoding"), "chunked", "request Transfer-Encoding")
    eq(response["ETag"], etag_of(data), "ETag")
    body, got = get_bytes("upload/generator.bin")
    eq(body, data, "content")
    eq(got["Content-Length"], str(len(data)), "Content-Length of the stored object")


@check
def put_object_from_local_file():
    data = blob(10 * 1024, 3)
    write_file("local.txt", data)
    file_name = "upload/local.txt"
    response = E.client.put_object_from_local_file(
        Bucket=BUCKET,
        LocalFilePath="local.txt",
        Key=file_name,
        EnableMD5=False
    )
    eq(response["ETag"], etag_of(data), "ETag")
    eq(get_bytes(file_name)[0], data, "content")


@check
def put_object_content_type():
    file_name = "upload/content-type.html"
    response = E.client.put_object(
        Bucket=BUCKET,
        Body=b"test",
        Key=file_name,
        ContentType="text/html; charset=utf-8",
        EnableMD5=False
    )
    eq(response["ETag"], etag_of(b"test"), "ETag")
    eq(E.client.head_object(Bucket=BUCKET, Key=file_name)["Content-Type"], "text/html; charset=utf-8",
       "Content-Type (head)")
    body, got = get_bytes(file_name)
    eq(got["Content-Type"], "text/html; charset=utf-8", "Content-Type (get)")
    eq(body, b"test", "content")


@check
def put_object_metadata():
    file_name = "upload/metadata.txt"
    response = E.client.put_object(
        Bucket=BUCKET,
        Body=b"test",
        Key=file_name,
        Metadata={
            "x-cos-meta-key1": "value1",
            "x-cos-meta-key2": "value2"
        },
        EnableMD5=False
    )
    eq(response["ETag"], etag_of(b"test"), "ETag")
    head = E.client.head_object(Bucket=BUCKET, Key=file_name)
    eq(head.get("x-cos-meta-key1"), "value1", "x-cos-meta-key1")
    eq(head.get("x-cos-meta-key2"), "value2", "x-cos-meta-key2")


@check
def put_object_enable_md5():
    client, records = recording_client()
    data = blob(5000, 4)
    response = client.put_object(Bucket=BUCKET, Body=data, Key="upload/md5.bin", EnableMD5=True)
    eq(records[-1]["headers"].get("Content-MD5"), md5_b64(data), "Content-MD5 sent")
    eq(response["ETag"], etag_of(data), "ETag")
    write_file("md5.bin", data)
    with open("md5.bin", "rb") as fp:
        response = client.put_object(Bucket=BUCKET, Body=fp, Key="upload/md5-file.bin", EnableMD5=True)
    eq(records[-1]["headers"].get("Content-MD5"), md5_b64(data), "Content-MD5 sent (file)")
    eq(response["ETag"], etag_of(data), "ETag (file)")


@check
def put_object_bad_content_md5():
    e = expect_service_error(400, "BadDigest", E.client.put_object, Bucket=BUCKET, Body=b"some bytes",
                             Key="upload/bad-md5.bin", ContentMD5=md5_b64(b"other bytes"))
    ok(e.get_error_msg(), "error message")
    head_missing("upload/bad-md5.bin")


@check
def upload_file_simple():
    data = blob(200 * 1024, 5)
    write_file("local.txt", data)
    file_name = "upload/upload-file-simple.txt"
    response = E.client.upload_file(
        Bucket=BUCKET,
        LocalFilePath="local.txt",
        Key=file_name,
        PartSize=10,
        MAXThread=10,
        EnableMD5=False
    )
    eq(response["ETag"], etag_of(data), "ETag (a file under PartSize goes up in one PUT)")
    eq(get_bytes(file_name)[0], data, "content")


# ---------------------------------------------------------------------------------------
# 000: 파일 다운로드, 이상 유형


@fixture
def download_object():
    data = b"0123456789abcdefghijklmnopqrstuvwxyz" * 100
    put("download/test.txt", data, ContentType="text/plain")
    return data


@check
def get_object_to_file():
    data = download_object()
    response = E.client.get_object(
        Bucket=BUCKET,
        Key="download/test.txt",
    )
    response["Body"].get_stream_to_file("output.txt")
    eq(read_file("output.txt"), data, "downloaded file")
    eq(response["ETag"], etag_of(data), "ETag")
    eq(response["Content-Length"], str(len(data)), "Content-Length")


@check
def get_object_raw_stream_read2():
    data = download_object()
    response = E.client.get_object(
        Bucket=BUCKET,
        Key="download/test.txt",
    )
    fp = response["Body"].get_raw_stream()
    eq(fp.read(2), data[:2], "first two bytes")
    eq(fp.read(), data[2:], "rest of the stream")


@check
def get_object_response_content_type():
    data = download_object()
    response = E.client.get_object(
        Bucket=BUCKET,
        Key="download/test.txt",
        ResponseContentType="text/html; charset=utf-8"
    )
    eq(response["Content-Type"], "text/html; charset=utf-8", "Content-Type")
    fp = response["Body"].get_raw_stream()
    eq(fp.read(2), data[:2], "first two bytes")


@check
def get_object_range():
    data = download_object()
    response = E.client.get_object(
        Bucket=BUCKET,
        Key="download/test.txt",
        Range="bytes=0-10"
    )
    fp = response["Body"].get_raw_stream()
    eq(fp.read(), data[:11], "range content")
    eq(response["Content-Range"], "bytes 0-10/%d" % len(data), "Content-Range")
    eq(response["Content-Length"], "11", "Content-Length")


@check
def cos_service_error_fields():
    client, records = recording_client()
    key = "download/no-such-key.txt"
    try:
        client.get_object(Bucket=BUCKET, Key=key)
        raise AssertionError("get_object of a missing key succeeded")
    except CosServiceError as e:
        eq(e.get_status_code(), 404, "get_status_code()")
        eq(e.get_error_code(), "NoSuchKey", "get_error_code()")
        ok(e.get_error_msg() and e.get_error_msg() != "Unknown", "get_error_msg() is empty")
        ok(key in e.get_resource_location(), "get_resource_location() %r names the key" %
           e.get_resource_location())
        sent_id = records[-1]["response_headers"].get("x-cos-request-id")
        ok(e.get_request_id(), "get_request_id() is empty")
        eq(e.get_request_id(), sent_id, "get_request_id() vs the x-cos-request-id header")
        ok(e.get_trace_id() and e.get_trace_id() != "Unknown", "get_trace_id() is empty")
        origin = e.get_origin_msg()
        ok("<Code>NoSuchKey</Code>" in origin, "get_origin_msg() is the XML document: %r" % origin[:200])
        digest = e.get_digest_msg()
        ok(isinstance(digest, dict), "get_digest_msg() is a dict: %r" % (digest,))
        eq(sorted(digest), ["code", "message", "requestid", "resource", "traceid"], "digest fields")


@check
def cos_client_error_unreachable():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    closed_port = sock.getsockname()[1]
    sock.close()
    client = CosS3Client(make_config(Port=closed_port, Timeout=5), retry=0, session=make_session())
    try:
        client.head_object(Bucket=BUCKET, Key="anything")
        raise AssertionError("a request to a closed port succeeded")
    except CosClientError as e:
        ok(str(e), "CosClientError carries a message")


# ---------------------------------------------------------------------------------------
# 003: 객체 리스트 조회


@check
def list_objects_prefix():
    for key in ("folder1/a.txt", "folder1/b/c.txt", "folder10.txt", "folder2/x.txt"):
        put(key, key.encode())
    response = E.client.list_objects(
        Bucket=BUCKET,
        Prefix="folder1"
    )
    eq(keys_of(response), ["folder1/a.txt", "folder1/b/c.txt", "folder10.txt"], "keys")
    eq(response["IsTruncated"], "false", "IsTruncated")
    eq(response["Name"], BUCKET, "Name")
    eq(response["Prefix"], "folder1", "Prefix")
    first = response["Contents"][0]
    eq(first["ETag"], etag_of(b"folder1/a.txt"), "ETag")
    eq(first["Size"], str(len(b"folder1/a.txt")), "Size")
    ok(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", first["LastModified"]),
       "LastModified %r is ISO 8601" % first["LastModified"])
    eq(first["StorageClass"], "STANDARD", "StorageClass")
    ok(first.get("Owner", {}).get("ID"), "Owner ID")


@check
def list_objects_all_params():
    for key in ("string", "string/a.txt", "string/b/c.txt", "string with space.txt", "string1.txt",
                "stringz/d.txt"):
        put(key, b"x")
    response = E.client.list_objects(
        Bucket=BUCKET,
        Prefix="string",
        Delimiter="/",
        Marker="string",
        MaxKeys=100,
        EncodingType="url"
    )
    # EncodingType='url' given by the caller: the SDK leaves the values percent-encoded
    eq(keys_of(response), [url(k) for k in ("string with space.txt", "string1.txt")], "keys (url-encoded)")
    eq([p["Prefix"] for p in response.get("CommonPrefixes", [])], [url("string/"), url("stringz/")],
       "CommonPrefixes (url-encoded)")
    eq(response["Delimiter"], url("/"), "Delimiter (url-encoded)")
    eq(response["Marker"], "string", "Marker")
    eq(response["MaxKeys"], "100", "MaxKeys")
    eq(response["EncodingType"], "url", "EncodingType")
    eq(response["IsTruncated"], "false", "IsTruncated")


@check
def list_objects_pagination():
    keys = ["page/%02d.txt" % i for i in range(7)]
    for key in keys:
        put(key, key.encode())
    seen = []
    marker = ""
    pages = 0
    while True:
        response = E.client.list_objects(Bucket=BUCKET, Prefix="page/", Marker=marker, MaxKeys=3)
        pages += 1
        ok(pages <= 10, "pagination does not end")
        seen.extend(keys_of(response))
        if response["IsTruncated"] == "false":
            break
        eq(response["IsTruncated"], "true", "IsTruncated")
        marker = response["NextMarker"]
        eq(marker, seen[-1], "NextMarker is the last key of the page")
    eq(seen, keys, "keys over all pages")
    eq(pages, 3, "pages")


# ---------------------------------------------------------------------------------------
# 003: 객체 및 이전 버전 리스트 조회


@check
def list_objects_versions_prefix():
    v = versioned_string_keys()
    response = E.client.list_objects_versions(
        Bucket=VERSIONED_BUCKET,
        Prefix="string"
    )
    versions = [(x["Key"], x["VersionId"], x["IsLatest"]) for x in response.get("Version", [])]
    eq(versions, [
        ("string", v["string"][1], "true"),
        ("string", v["string"][0], "false"),
        ("string/a.txt", v["string/a.txt"], "true"),
        ("string1.txt", v["string1.txt"], "false"),
    ], "Version entries (key, version id, latest)")
    markers = [(x["Key"], x["VersionId"], x["IsLatest"]) for x in response.get("DeleteMarker", [])]
    eq(markers, [("string1.txt", v["marker"], "true")], "DeleteMarker entries")
    eq(response["Version"][0]["ETag"], etag_of(b"string v2!"), "ETag of the latest 'string'")
    eq(response["Version"][0]["Size"], "10", "Size of the latest 'string'")
    eq(response["IsTruncated"], "false", "IsTruncated")
    eq(response["Name"], VERSIONED_BUCKET, "Name")


@check
def list_objects_versions_all_params():
    v = versioned_string_keys()
    response = E.client.list_objects_versions(
        Bucket=VERSIONED_BUCKET,
        Prefix="string",
        Delimiter="/",
        KeyMarker="string",
        VersionIdMarker=v["string"][1],
        MaxKeys=100,
        EncodingType="url"
    )
    versions = [(x["Key"], x["VersionId"]) for x in response.get("Version", [])]
    eq(versions, [("string", v["string"][0]), ("string1.txt", v["string1.txt"])],
       "versions after (KeyMarker, VersionIdMarker)")
    eq([(x["Key"], x["VersionId"]) for x in response.get("DeleteMarker", [])],
       [("string1.txt", v["marker"])], "delete markers")
    eq([p["Prefix"] for p in response.get("CommonPrefixes", [])], [url("string/")], "CommonPrefixes (url-encoded)")
    eq(response["KeyMarker"], "string", "KeyMarker")
    eq(response["VersionIdMarker"], v["string"][1], "VersionIdMarker")
    eq(response["MaxKeys"], "100", "MaxKeys")
    # page through with MaxKeys=1
    seen = []
    key_marker, vid_marker = "", ""
    for _ in range(10):
        page = E.client.list_objects_versions(Bucket=VERSIONED_BUCKET, Prefix="string1.txt", MaxKeys=1,
                                              KeyMarker=key_marker, VersionIdMarker=vid_marker)
        seen.extend(x["VersionId"] for x in page.get("Version", []) + page.get("DeleteMarker", []))
        if page["IsTruncated"] == "false":
            break
        key_marker, vid_marker = page["NextKeyMarker"], page["NextVersionIdMarker"]
    eq(seen, [v["marker"], v["string1.txt"]], "versions of string1.txt paged one by one (newest first)")


# ---------------------------------------------------------------------------------------
# 003: 객체 간편 업로드


@check
def put_object_create_directory():
    # 디렉터리 생성: a key ending in '/'
    bucket = BUCKET
    try:
        dir_to_create = "path/to/create/dir/"
        response = E.client.put_object(
            Bucket=bucket,
            Key=dir_to_create,
            Body=b"",
        )
    except CosServiceError as e:
        raise AssertionError("put_object of a directory failed: %s" % e.get_status_code())
    eq(response["ETag"], etag_of(b""), "ETag of an empty object")
    head = E.client.head_object(Bucket=BUCKET, Key="path/to/create/dir/")
    eq(head["Content-Length"], "0", "Content-Length")
    listing = E.client.list_objects(Bucket=BUCKET, Prefix="path/to/create/", Delimiter="/")
    eq([p["Prefix"] for p in listing.get("CommonPrefixes", [])], ["path/to/create/dir/"], "CommonPrefixes")
    listing = E.client.list_objects(Bucket=BUCKET, Prefix="path/to/create/dir/", Delimiter="/")
    eq(keys_of(listing), ["path/to/create/dir/"], "the directory object itself")


@check
def put_object_into_directory():
    data = blob(3000, 6)
    write_file("test.txt", data)
    dir_name = "path/to/dir/"
    file_name = "test.txt"
    object_key = dir_name + file_name
    with open("test.txt", "rb") as fp:
        response = E.client.put_object(
            Bucket=BUCKET,
            Body=fp,
            Key=object_key,
            StorageClass="STANDARD",
            ContentType="text/html; charset=utf-8"
        )
    eq(response["ETag"], etag_of(data), "ETag")
    listing = E.client.list_objects(Bucket=BUCKET, Prefix="path/to/dir/")
    eq(keys_of(listing), ["path/to/dir/test.txt"], "listing of the directory")


@check
def put_object_all_params():
    data = gzip.compress(b"all parameters " * 100, mtime=0)
    key = "upload/exampleobject-all-params"
    response = E.client.put_object(
        Bucket=BUCKET,
        Body=data,
        Key=key,
        EnableMD5=True,
        ACL="public-read",
        GrantFullControl=GRANTEE,
        GrantRead=GRANTEE,
        StorageClass="STANDARD_IA",
        Expires=FUTURE,
        CacheControl="max-age=1000000",
        ContentType="text/plain; charset=utf-8",
        ContentDisposition='attachment; filename="all-params.txt"',
        ContentEncoding="gzip",
        ContentLanguage="ko-KR",
        ContentLength=str(len(data)),
        ContentMD5=md5_b64(data),
        Metadata={
            "x-cos-meta-key1": "value1",
            "x-cos-meta-key2": "value2"
        },
        TrafficLimit="1048576"
    )
    eq(response["ETag"], etag_of(data), "ETag")
    head = E.client.head_object(Bucket=BUCKET, Key=key)
    expected = {
        "Content-Length": str(len(data)),
        "Content-Type": "text/plain; charset=utf-8",
        "Cache-Control": "max-age=1000000",
        "Content-Disposition": 'attachment; filename="all-params.txt"',
        "Content-Encoding": "gzip",
        "Content-Language": "ko-KR",
        "Expires": FUTURE,
        "x-cos-meta-key1": "value1",
        "x-cos-meta-key2": "value2",
        "x-cos-storage-class": "STANDARD_IA",
    }
    for name, value in expected.items():
        eq(head.get(name), value, "head %s" % name)
    body, got = get_bytes(key)
    eq(body, data, "content (raw, still gzip-encoded)")
    eq(gzip.decompress(body), b"all parameters " * 100, "content decompressed")
    acl = E.client.get_object_acl(Bucket=BUCKET, Key=key)
    eq(acl["CannedACL"], "public-read", "CannedACL derived from the grants")
    perms = sorted(g["Permission"] for g in acl["AccessControlList"]["Grant"]
                   if "100000000011" in json.dumps(g["Grantee"]))
    eq(perms, ["FULL_CONTROL", "READ"], "grants of %s" % GRANTEE)


# ---------------------------------------------------------------------------------------
# 003: 객체 메타데이터 조회


@check
def head_object():
    data = blob(1234, 7)
    put("head/exampleobject", data, ContentType="application/octet-stream",
        Metadata={"x-cos-meta-test": "test"})
    response = E.client.head_object(
        Bucket=BUCKET,
        Key="head/exampleobject"
    )
    eq(response["ETag"], etag_of(data), "ETag")
    eq(response["Content-Length"], "1234", "Content-Length")
    eq(response["Content-Type"], "application/octet-stream", "Content-Type")
    eq(response["x-cos-meta-test"], "test", "x-cos-meta-test")
    ok(re.match(r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$", response["Last-Modified"]),
       "Last-Modified %r is an HTTP date" % response["Last-Modified"])
    ok(response.get("x-cos-request-id"), "x-cos-request-id")
    head_missing("head/no-such-object")


@check
def head_object_version_if_modified_since():
    key = "v/head.txt"
    v1 = version_of(put(key, b"version one", bucket=VERSIONED_BUCKET), "put v1")
    v2 = version_of(put(key, b"version two!", bucket=VERSIONED_BUCKET), "put v2")
    ok(v1 != v2, "two versions have different ids")
    response = E.client.head_object(
        Bucket=VERSIONED_BUCKET,
        Key=key,
        VersionId=v1,
        IfModifiedSince=PAST,
    )
    eq(response["ETag"], etag_of(b"version one"), "ETag of v1")
    eq(response["Content-Length"], "11", "Content-Length of v1")
    eq(response["x-cos-version-id"], v1, "x-cos-version-id")
    latest = E.client.head_object(Bucket=VERSIONED_BUCKET, Key=key)
    eq(latest["x-cos-version-id"], v2, "x-cos-version-id of the latest")


# ---------------------------------------------------------------------------------------
# 003: 객체 다운로드


@check
def get_object_example():
    data = blob(100 * 1024, 8)
    put("exampleobject", data)
    response = E.client.get_object(
        Bucket=BUCKET,
        Key="exampleobject"
    )
    response["Body"].get_stream_to_file("exampleobject")
    eq(read_file("exampleobject"), data, "downloaded file")
    eq(response["Accept-Ranges"], "bytes", "Accept-Ranges")


@check
def get_object_all_params():
    key = "v/get-all-params.txt"
    data1 = blob(5000, 9)
    v1 = version_of(put(key, data1, bucket=VERSIONED_BUCKET), "put v1")
    version_of(put(key, b"newer", bucket=VERSIONED_BUCKET), "put v2")
    response = E.client.get_object(
        Bucket=VERSIONED_BUCKET,
        Key=key,
        Range="bytes=0-9",
        IfMatch=etag_of(data1),
        IfModifiedSince=PAST,
        IfNoneMatch='"9a4802d5c99dafe1c04da0a8e7e166bf"',
        IfUnmodifiedSince=FUTURE,
        ResponseCacheControl="no-cache",
        ResponseContentDisposition='attachment; filename="get-all-params.txt"',
        ResponseContentEncoding="identity",
        ResponseContentLanguage="zh-cn",
        ResponseContentType="text/plain",
        ResponseExpires=FUTURE,
        VersionId=v1,
        TrafficLimit="819200"
    )
    eq(response["Body"].get_raw_stream().read(), data1[:10], "content of v1, bytes 0-9")
    expected = {
        "Content-Range": "bytes 0-9/5000",
        "Content-Length": "10",
        "Cache-Control": "no-cache",
        "Content-Disposition": 'attachment; filename="get-all-params.txt"',
        "Content-Encoding": "identity",
        "Content-Language": "zh-cn",
        "Content-Type": "text/plain",
        "Expires": FUTURE,
        "x-cos-version-id": v1,
        "ETag": etag_of(data1),
    }
    for name, value in expected.items():
        eq(response.get(name), value, "response %s" % name)


@check
def get_object_precondition_failed():
    data = download_object()
    expect_service_error(412, "PreconditionFailed", E.client.get_object, Bucket=BUCKET,
                         Key="download/test.txt", IfMatch='"9a4802d5c99dafe1c04da0a8e7e166bf"')
    expect_service_error(412, "PreconditionFailed", E.client.get_object, Bucket=BUCKET,
                         Key="download/test.txt", IfUnmodifiedSince=PAST)
    body, _ = get_bytes("download/test.txt", IfMatch=etag_of(data))
    eq(body, data, "content with a matching If-Match")


# ---------------------------------------------------------------------------------------
# 003: 객체 복사 설정


@fixture
def source_object():
    data = blob(150 * 1024, 10)
    put("exampleobject", data, bucket=SOURCE_BUCKET, ContentType="image/png",
        Metadata={"x-cos-meta-origin": "source"})
    return data


@check
def copy_object():
    data = source_object()
    response = E.client.copy_object(
        Bucket=BUCKET,
        Key="copy/exampleobject",
        CopySource={
            "Bucket": "sourcebucket-1250000000",
            "Key": "exampleobject",
            "Region": "ap-guangzhou"
        }
    )
    eq(response["ETag"], etag_of(data), "ETag")
    ok(response.get("LastModified"), "LastModified")
    eq(get_bytes("copy/exampleobject")[0], data, "content")
    head = E.client.head_object(Bucket=BUCKET, Key="copy/exampleobject")
    eq(head.get("x-cos-meta-origin"), "source", "metadata copied (CopyStatus Copy)")
    eq(head["Content-Type"], "image/png", "Content-Type copied")


@check
def copy_object_all_params():
    key = "v/copy-source.txt"
    plain = b"copy with all parameters\n" * 50
    data1 = gzip.compress(plain, mtime=0)
    v1 = version_of(put(key, data1, bucket=VERSIONED_BUCKET, Metadata={"x-cos-meta-old": "old"}), "put v1")
    version_of(put(key, b"later version", bucket=VERSIONED_BUCKET), "put v2")
    response = E.client.copy_object(
        Bucket=BUCKET,
        Key="copy/exampleobject-all-params",
        CopySource={
            "Bucket": VERSIONED_BUCKET,
            "Key": key,
            "Region": "ap-guangzhou",
            "VersionId": v1  # the seed spells it 'VesionId', which the SDK ignores
        },
        CopyStatus="Replaced",
        ACL="private",
        GrantFullControl=GRANTEE,
        GrantRead=GRANTEE,
        StorageClass="STANDARD_IA",
        Expires=FUTURE,
        CacheControl="no-store",
        ContentType="text/plain",
        ContentDisposition="inline",
        ContentEncoding="gzip",
        ContentLanguage="en-US",
        Metadata={
            "x-cos-meta-key1": "value1",
            "x-cos-meta-key2": "value2"
        }
    )
    eq(response["ETag"], etag_of(data1), "ETag")
    eq(response.get("x-cos-copy-source-version-id"), v1, "x-cos-copy-source-version-id")
    head = E.client.head_object(Bucket=BUCKET, Key="copy/exampleobject-all-params")
    expected = {
        "Content-Type": "text/plain",
        "Cache-Control": "no-store",
        "Content-Disposition": "inline",
        "Content-Encoding": "gzip",
        "Content-Language": "en-US",
        "Expires": FUTURE,
        "x-cos-meta-key1": "value1",
        "x-cos-meta-key2": "value2",
        "x-cos-storage-class": "STANDARD_IA",
        "Content-Length": str(len(data1)),
    }
    for name, value in expected.items():
        eq(head.get(name), value, "head %s" % name)
    ok("x-cos-meta-old" not in head, "source metadata replaced")
    body, _ = get_bytes("copy/exampleobject-all-params")
    eq(gzip.decompress(body), plain, "content of v1")
    acl = E.client.get_object_acl(Bucket=BUCKET, Key="copy/exampleobject-all-params")
    eq(acl["CannedACL"], "private", "CannedACL")
    perms = sorted(g["Permission"] for g in acl["AccessControlList"]["Grant"]
                   if "100000000011" in json.dumps(g["Grantee"]))
    eq(perms, ["FULL_CONTROL", "READ"], "grants of %s" % GRANTEE)


@check
def copy_object_same_key_replaced():
    key = "copy/self.txt"
    put(key, b"self copy", ContentType="text/plain", Metadata={"x-cos-meta-a": "1"})
    response = E.client.copy_object(Bucket=BUCKET, Key=key,
                                    CopySource={"Bucket": BUCKET, "Key": key, "Region": "ap-guangzhou"},
                                    CopyStatus="Replaced", Metadata={"x-cos-meta-b": "2"})
    eq(response["ETag"], etag_of(b"self copy"), "ETag")
    head = E.client.head_object(Bucket=BUCKET, Key=key)
    eq(head.get("x-cos-meta-b"), "2", "new metadata")
    ok("x-cos-meta-a" not in head, "old metadata gone")
    # CopyStatus Copy onto itself is refused (nothing would change)
    expect_service_error(400, "InvalidRequest", E.client.copy_object, Bucket=BUCKET, Key=key,
                         CopySource={"Bucket": BUCKET, "Key": key, "Region": "ap-guangzhou"})


# ---------------------------------------------------------------------------------------
# 003: 단일 객체 삭제, 다수의 객체 삭제


@check
def delete_object():
    put("delete/exampleobject", b"to delete")
    response = E.client.delete_object(
        Bucket=BUCKET,
        Key="delete/exampleobject"
    )
    ok(isinstance(response, dict), "response is the headers dict")
    head_missing("delete/exampleobject")
    # deleting a missing key succeeds too
    E.client.delete_object(Bucket=BUCKET, Key="delete/exampleobject")


@check
def delete_object_directory():
    put("path/to/delete/dir/", b"")
    put("path/to/delete/dir/child.txt", b"child")
    status = None
    try:
        to_delete_dir = "path/to/delete/dir/"
        response = E.client.delete_object(
            Bucket=BUCKET,
            Key=to_delete_dir,
        )
        print(response)
    except CosServiceError as e:
        status = e.get_status_code()
    eq(status, None, "delete_object of the directory raised")
    head_missing("path/to/delete/dir/")
    eq(get_bytes("path/to/delete/dir/child.txt")[0], b"child", "a child of the directory remains")


@check
def delete_objects_by_prefix():
    for i in range(5):
        put("root/logs/prefix-delete-%d.log" % i, b"log %d" % i)
    put("root/other.txt", b"not under the prefix")
    client = E.client
    # 지정 접두사(prefix)가 있는 파일 삭제
    bucket = BUCKET
    is_over = False
    marker = ""
    prefix = "root/logs"
    rounds = 0
    while not is_over:
        rounds += 1
        ok(rounds <= 20, "the delete loop does not end")
        try:
            response = client.list_objects(Bucket=bucket, Prefix=prefix, Marker=marker)
            if response["Contents"]:
                for content in response["Contents"]:
                    print("delete object: ", content["Key"])
                    client.delete_object(Bucket=bucket, Key=content["Key"])

                if response["IsTruncated"] == "false":
                    is_over = True
                    marker = response["Marker"]
        except CosServiceError as e:
            print(e.get_origin_msg())
            print(e.get_digest_msg())
            print(e.get_status_code())
            print(e.get_error_code())
            print(e.get_error_msg())
            print(e.get_resource_location())
            print(e.get_trace_id())
            print(e.get_request_id())
            raise
    listing = client.list_objects(Bucket=bucket, Prefix=prefix)
    eq(keys_of(listing), [], "keys left under the prefix")
    eq(get_bytes("root/other.txt")[0], b"not under the prefix", "other object kept")


@check
def delete_object_version():
    key = "v/delete.txt"
    v1 = version_of(put(key, b"one", bucket=VERSIONED_BUCKET), "put v1")
    v2 = version_of(put(key, b"two", bucket=VERSIONED_BUCKET), "put v2")
    response = E.client.delete_object(
        Bucket=VERSIONED_BUCKET,
        Key=key,
        VersionId=v1,
    )
    eq(response.get("x-cos-version-id"), v1, "x-cos-version-id")
    head_missing(key, bucket=VERSIONED_BUCKET, VersionId=v1)
    eq(E.client.head_object(Bucket=VERSIONED_BUCKET, Key=key)["x-cos-version-id"], v2, "latest is v2")
    response = E.client.delete_object(Bucket=VERSIONED_BUCKET, Key=key)
    eq(response.get("x-cos-delete-marker"), "true", "x-cos-delete-marker")
    head_missing(key, bucket=VERSIONED_BUCKET)
    eq(get_bytes(key, bucket=VERSIONED_BUCKET, VersionId=v2)[0], b"two", "v2 still readable by id")


@check
def delete_objects():
    put("multi/exampleobject1", b"1")
    put("multi/exampleobject2", b"2")
    response = E.client.delete_objects(
        Bucket=BUCKET,
        Delete={
            "Object": [
                {
                    "Key": "multi/exampleobject1"
                },
                {
                    "Key": "multi/exampleobject2"
                }
            ]
        }
    )
    eq(sorted(d["Key"] for d in response.get("Deleted", [])), ["multi/exampleobject1", "multi/exampleobject2"],
       "Deleted")
    ok(not response.get("Error"), "Error: %r" % response.get("Error"))
    head_missing("multi/exampleobject1")
    head_missing("multi/exampleobject2")


@check
def delete_objects_quiet_versions():
    ids = {}
    for name in ("v/multi/exampleobject1", "v/multi/exampleobject2"):
        ids[name] = version_of(put(name, b"x", bucket=VERSIONED_BUCKET), "put " + name)
    response = E.client.delete_objects(
        Bucket=VERSIONED_BUCKET,
        Delete={
            "Object": [
                {
                    "Key": "v/multi/exampleobject1",
                    "VersionId": ids["v/multi/exampleobject1"]
                },
                {
                    "Key": "v/multi/exampleobject2",
                    "VersionId": ids["v/multi/exampleobject2"]
                },
            ],
            "Quiet": "true"
        }
    )
    ok(not response.get("Deleted"), "Quiet: no Deleted entries, got %r" % response.get("Deleted"))
    ok(not response.get("Error"), "Error: %r" % response.get("Error"))
    listing = E.client.list_objects_versions(Bucket=VERSIONED_BUCKET, Prefix="v/multi/")
    eq(listing.get("Version", []) + listing.get("DeleteMarker", []), [],
       "versions left (deleting by version id leaves no marker)")
    # not quiet, with version ids: each entry echoes its VersionId
    vid = version_of(put("v/multi/again", b"y", bucket=VERSIONED_BUCKET), "put again")
    response = E.client.delete_objects(Bucket=VERSIONED_BUCKET, Delete={
        "Object": [{"Key": "v/multi/again", "VersionId": vid}], "Quiet": "false"})
    eq([(d["Key"], d.get("VersionId")) for d in response.get("Deleted", [])], [("v/multi/again", vid)],
       "Deleted (not quiet)")


# ---------------------------------------------------------------------------------------
# 003: 보관된 객체 복구


@check
def restore_object():
    key = "archive/exampleobject"
    put(key, b"cold data", StorageClass="ARCHIVE")
    eq(E.client.head_object(Bucket=BUCKET, Key=key).get("x-cos-storage-class"), "ARCHIVE", "storage class")
    expect_service_error(403, "InvalidObjectState", E.client.get_object, Bucket=BUCKET, Key=key)
    response = E.client.restore_object(
        Bucket=BUCKET,
        Key=key,
        RestoreRequest={
            "Days": 100,
            "CASJobParameters": {
                "Tier": "Standard"
            }
        }
    )
    eq(response, None, "restore_object returns None")
    head = E.client.head_object(Bucket=BUCKET, Key=key)
    eq(head.get("x-cos-restore"), 'ongoing-request="true"', "x-cos-restore while restoring")
    e = expect_service_error(409, "RestoreAlreadyInProgress", E.client.restore_object, Bucket=BUCKET, Key=key,
                             RestoreRequest={"Days": 100, "CASJobParameters": {"Tier": "Standard"}})
    ok(e.get_request_id(), "request id of the 409")


@check
def restore_object_all_params():
    for tier in ("Expedited", "Bulk"):
        key = "archive/exampleobject-" + tier.lower()
        put(key, b"cold data " + tier.encode(), StorageClass="ARCHIVE")
        response = E.client.restore_object(
            Bucket=BUCKET,
            Key=key,
            RestoreRequest={
                "Days": 100,
                "CASJobParameters": {
                    "Tier": tier
                }
            }
        )
        eq(response, None, "restore_object returns None")
        head = E.client.head_object(Bucket=BUCKET, Key=key)
        eq(head.get("x-cos-restore"), 'ongoing-request="true"', "x-cos-restore (%s)" % tier)
    # restoring a STANDARD object is refused
    put("archive/standard.txt", b"warm")
    expect_service_error(405, "RestoreNonArchiveObject", E.client.restore_object, Bucket=BUCKET,
                         Key="archive/standard.txt",
                         RestoreRequest={"Days": 1, "CASJobParameters": {"Tier": "Standard"}})


# ---------------------------------------------------------------------------------------
# 003: 객체 콘텐츠 인덱스 (SELECT)

SELECT_ROWS = [
    {"name": "alice", "age": 30, "city": "Seoul"},
    {"name": "bob", "age": 25, "city": "Busan"},
    {"name": "carol", "age": 41, "city": "Incheon"},
]
SELECT_JSON = "".join(json.dumps(r) + "\n" for r in SELECT_ROWS).encode()
SELECT_CSV = b"alice,30,Seoul\nbob,25,Busan\ncarol,41,Incheon\n"


def select_events(response):
    events = list(response["Payload"])
    records = b"".join(e["Records"]["Payload"] for e in events if "Records" in e)
    kinds = [list(e)[0] for e in events]
    return records, kinds, events


@check
def select_object_content():
    put("select/exampleobject.json", SELECT_JSON)
    response = E.client.select_object_content(
        Bucket=BUCKET,
        Key="select/exampleobject.json",
        Expression="Select * from COSObject",
        ExpressionType="SQL",
        InputSerialization={
            "CompressionType": "NONE",
            "JSON": {
                "Type": "LINES"
            }
        },
        OutputSerialization={
            "CSV": {
                "RecordDelimiter": "\n"
            }
        }
    )
    records, kinds, events = select_events(response)
    eq(records, SELECT_CSV, "records")
    eq(kinds[-1], "End", "last event")
    stats = [e["Stats"]["Details"] for e in events if "Stats" in e]
    eq(len(stats), 1, "one Stats event")
    eq(str(stats[0].get("BytesScanned")), str(len(SELECT_JSON)), "Stats BytesScanned")
    eq(str(stats[0].get("BytesReturned")), str(len(SELECT_CSV)), "Stats BytesReturned")


@check
def select_object_content_gzip_all_params():
    put("select/exampleobject.json.gz", gzip.compress(SELECT_JSON, mtime=0))
    response = E.client.select_object_content(
        Bucket=BUCKET,
        Key="select/exampleobject.json.gz",
        Expression="Select * from COSObject",
        ExpressionType="SQL",
        InputSerialization={
            "CompressionType": "GZIP",
            "JSON": {
                "Type": "LINES"
            }
        },
        OutputSerialization={
            "CSV": {
                "RecordDelimiter": "\n"
            }
        },
        RequestProgress={
            "Enabled": "FALSE"
        }
    )
    records, kinds, _ = select_events(response)
    eq(records, SELECT_CSV, "records")
    ok("Progress" not in kinds, "no Progress events when disabled")
    eq(kinds[-1], "End", "last event")


@check
def select_object_content_where():
    put("select/exampleobject.json", SELECT_JSON)
    response = E.client.select_object_content(
        Bucket=BUCKET, Key="select/exampleobject.json",
        Expression="SELECT s.name, s.city FROM COSObject s WHERE s.age > 28",
        ExpressionType="SQL",
        InputSerialization={"CompressionType": "NONE", "JSON": {"Type": "LINES"}},
        OutputSerialization={"JSON": {"RecordDelimiter": "\n"}})
    records, _, _ = select_events(response)
    rows = [json.loads(line) for line in records.decode().splitlines() if line]
    eq(rows, [{"name": "alice", "city": "Seoul"}, {"name": "carol", "city": "Incheon"}], "rows")


# ---------------------------------------------------------------------------------------
# 003: 객체 추가 업로드 (APPEND)


@check
def append_object():
    key = "append/exampleobject"
    response = E.client.append_object(
        Bucket=BUCKET,
        Key=key,
        Position=0,
        Data=b"b" * 1024 * 1024
    )
    eq(response["x-cos-next-append-position"], str(MIB), "next position after the first append")
    position = int(response["x-cos-next-append-position"])
    response = E.client.append_object(Bucket=BUCKET, Key=key, Position=position, Data=b"c" * 1000)
    eq(response["x-cos-next-append-position"], str(MIB + 1000), "next position after the second append")
    body, _ = get_bytes(key)
    eq(body, b"b" * MIB + b"c" * 1000, "content")
    head = E.client.head_object(Bucket=BUCKET, Key=key)
    eq(head.get("x-cos-object-type"), "appendable", "x-cos-object-type")
    e = expect_service_error(409, "AppendPositionErr", E.client.append_object, Bucket=BUCKET, Key=key,
                             Position=5, Data=b"x")
    ok(e.get_error_msg(), "message")


@check
def append_object_file():
    data = blob(70 * 1024, 11)
    write_file("append.bin", data)
    key = "append/from-file"
    with open("append.bin", "rb") as fp:
        response = E.client.append_object(
            Bucket=BUCKET,
            Key=key,
            Position=0,
            Data=fp
        )
    eq(response["x-cos-next-append-position"], str(len(data)), "next position")
    response = E.client.append_object(Bucket=BUCKET, Key=key, Position=len(data), Data=b"tail")
    eq(get_bytes(key)[0], data + b"tail", "content")


# ---------------------------------------------------------------------------------------
# 003: 멀티파트 작업


@check
def list_multipart_uploads_prefix():
    abort_all_uploads("dir")
    ids = {}
    for key in ("dir/a.bin", "dir/b.bin", "dirx.bin", "other/dir.bin"):
        ids[key] = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    response = E.client.list_multipart_uploads(
        Bucket=BUCKET,
        Prefix="dir"
    )
    got = [(u["Key"], u["UploadId"]) for u in response.get("Upload", [])]
    eq(got, [(k, ids[k]) for k in ("dir/a.bin", "dir/b.bin", "dirx.bin")], "uploads under 'dir'")
    first = response["Upload"][0]
    ok(first.get("Initiated"), "Initiated")
    eq(first.get("StorageClass"), "STANDARD", "StorageClass")
    ok(first.get("Owner", {}).get("ID"), "Owner ID")
    ok(first.get("Initiator", {}).get("ID"), "Initiator ID")
    eq(response["Bucket"], BUCKET, "Bucket")
    eq(response["IsTruncated"], "false", "IsTruncated")
    for key, upload_id in ids.items():
        E.client.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id)


@check
def list_multipart_uploads_all_params():
    abort_all_uploads("mpu/")
    ids = {}
    for key in ("mpu/a b.bin", "mpu/c.bin", "mpu/d.bin", "mpu/sub/x.bin"):
        ids[key] = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    response = E.client.list_multipart_uploads(
        Bucket=BUCKET,
        Prefix="mpu/",
        Delimiter="/",
        KeyMarker="mpu/a b.bin",
        UploadIdMarker=ids["mpu/a b.bin"],
        MaxUploads=100,
        EncodingType="url"
    )
    eq([(u["Key"], u["UploadId"]) for u in response.get("Upload", [])],
       [(url("mpu/c.bin"), ids["mpu/c.bin"]), (url("mpu/d.bin"), ids["mpu/d.bin"])],
       "uploads after the markers (url-encoded keys)")
    eq([p["Prefix"] for p in response.get("CommonPrefixes", [])], [url("mpu/sub/")], "CommonPrefixes")
    eq(response["MaxUploads"], "100", "MaxUploads")
    eq(response["EncodingType"], "url", "EncodingType")
    # paging with MaxUploads=1, keys url-encoded
    page = E.client.list_multipart_uploads(Bucket=BUCKET, Prefix="mpu/", MaxUploads=1, EncodingType="url")
    eq([u["Key"] for u in page.get("Upload", [])], [url("mpu/a b.bin")], "first page (url-encoded key)")
    eq(page["IsTruncated"], "true", "IsTruncated")
    eq(unquote(page["NextKeyMarker"]), "mpu/a b.bin", "NextKeyMarker")
    eq(page["NextUploadIdMarker"], ids["mpu/a b.bin"], "NextUploadIdMarker")
    for key, upload_id in ids.items():
        E.client.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id)


@check
def create_multipart_upload():
    response = E.client.create_multipart_upload(
        Bucket=BUCKET,
        Key="multipart/exampleobject",
        StorageClass="STANDARD"
    )
    ok(response.get("UploadId"), "UploadId")
    eq(response.get("Bucket"), BUCKET, "Bucket")
    eq(response.get("Key"), "multipart/exampleobject", "Key")
    E.client.abort_multipart_upload(Bucket=BUCKET, Key="multipart/exampleobject", UploadId=response["UploadId"])


@check
def create_multipart_upload_all_params():
    key = "multipart/multipart.txt"
    response = E.client.create_multipart_upload(
        Bucket=BUCKET,
        Key=key,
        StorageClass="STANDARD_IA",
        Expires=FUTURE,
        CacheControl="max-age=60",
        ContentType="text/plain",
        ContentDisposition='attachment; filename="multipart.txt"',
        ContentEncoding="identity",
        ContentLanguage="ko",
        Metadata={
            "x-cos-meta-key1": "value1",
            "x-cos-meta-key2": "value2"
        },
        ACL="public-read",
        GrantFullControl=GRANTEE,
        GrantRead=GRANTEE
    )
    uploadid = response["UploadId"]
    part = E.client.upload_part(Bucket=BUCKET, Key=key, Body=b"multipart text", PartNumber=1, UploadId=uploadid)
    E.client.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uploadid, MultipartUpload={
        "Part": [{"ETag": part["ETag"], "PartNumber": 1}]})
    head = E.client.head_object(Bucket=BUCKET, Key=key)
    expected = {
        "Content-Type": "text/plain",
        "Cache-Control": "max-age=60",
        "Content-Disposition": 'attachment; filename="multipart.txt"',
        "Content-Encoding": "identity",
        "Content-Language": "ko",
        "Expires": FUTURE,
        "x-cos-meta-key1": "value1",
        "x-cos-meta-key2": "value2",
        "x-cos-storage-class": "STANDARD_IA",
    }
    for name, value in expected.items():
        eq(head.get(name), value, "head %s" % name)
    eq(get_bytes(key)[0], b"multipart text", "content")
    eq(E.client.get_object_acl(Bucket=BUCKET, Key=key)["CannedACL"], "public-read", "CannedACL")


@check
def upload_part():
    key = "multipart/upload-part"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    # 참고: 멀티파트 업로드 최대 수는 10000개
    response = E.client.upload_part(
        Bucket=BUCKET,
        Key=key,
        Body=b"b" * 1024 * 1024,
        PartNumber=1,
        UploadId=uploadid
    )
    eq(response["ETag"], etag_of(b"b" * MIB), "part ETag")
    parts = E.client.list_parts(Bucket=BUCKET, Key=key, UploadId=uploadid)
    eq([(p["PartNumber"], p["ETag"], p["Size"]) for p in parts["Part"]], [("1", etag_of(b"b" * MIB), str(MIB))],
       "listed parts")
    # re-uploading a part number replaces it
    response = E.client.upload_part(Bucket=BUCKET, Key=key, Body=b"c" * 10, PartNumber=1, UploadId=uploadid)
    parts = E.client.list_parts(Bucket=BUCKET, Key=key, UploadId=uploadid)
    eq([(p["PartNumber"], p["ETag"]) for p in parts["Part"]], [("1", etag_of(b"c" * 10))], "replaced part")
    expect_service_error(404, "NoSuchUpload", E.client.upload_part, Bucket=BUCKET, Key=key, Body=b"x",
                         PartNumber=2, UploadId="no-such-upload-id")
    E.client.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uploadid)


@check
def upload_part_all_params():
    key = "multipart/upload-part-all-params"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    data = blob(100 * 1024, 12)
    client, records = recording_client()
    response = client.upload_part(
        Bucket=BUCKET,
        Key=key,
        Body=data,
        PartNumber=1,
        UploadId=uploadid,
        EnableMD5=True,
        ContentLength=str(len(data)),
        ContentMD5=md5_b64(data),
        TrafficLimit="1048576"
    )
    sent = records[-1]["headers"]
    eq(sent.get("x-cos-traffic-limit"), "1048576", "x-cos-traffic-limit sent")
    eq(sent.get("Content-MD5"), md5_b64(data), "Content-MD5 sent")
    eq(response["ETag"], etag_of(data), "part ETag")
    expect_service_error(400, "BadDigest", E.client.upload_part, Bucket=BUCKET, Key=key, Body=b"abc",
                         PartNumber=2, UploadId=uploadid, ContentMD5=md5_b64(b"abd"))
    E.client.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uploadid, MultipartUpload={
        "Part": [{"ETag": response["ETag"], "PartNumber": 1}]})
    eq(get_bytes(key)[0], data, "content")


@fixture
def part_copy_source():
    data = blob(MIB + 300 * 1024, 13)
    put("part-copy/source.bin", data, bucket=SOURCE_BUCKET)
    return data


@check
def upload_part_copy():
    data = part_copy_source()
    key = "multipart/upload-part-copy"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    response = E.client.upload_part_copy(
        Bucket=BUCKET,
        Key=key,
        PartNumber=1,
        UploadId=uploadid,
        CopySource={
            "Bucket": "sourcebucket-1250000000",
            "Key": "part-copy/source.bin",
            "Region": "ap-guangzhou"
        }
    )
    eq(response["ETag"], etag_of(data), "ETag of the copied part")
    ok(response.get("LastModified"), "LastModified")
    E.client.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uploadid, MultipartUpload={
        "Part": [{"ETag": response["ETag"], "PartNumber": 1}]})
    eq(get_bytes(key)[0], data, "content")


@check
def upload_part_copy_all_params():
    key = "v/part-copy-source.bin"
    data1 = blob(MIB + 200 * 1024, 14)
    v1 = version_of(put(key, data1, bucket=VERSIONED_BUCKET), "put v1")
    version_of(put(key, b"newer", bucket=VERSIONED_BUCKET), "put v2")
    dest = "multipart/upload-part-copy-all-params"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=dest)["UploadId"]
    source = {
        "Bucket": VERSIONED_BUCKET,
        "Key": key,
        "Region": "ap-guangzhou",  # 원본 버킷 Region
        "VersionId": v1
    }
    first = E.client.upload_part_copy(Bucket=BUCKET, Key=dest, PartNumber=1, UploadId=uploadid, CopySource=source,
                                      CopySourceRange="bytes=0-%d" % (MIB - 1))
    eq(first["ETag"], etag_of(data1[:MIB]), "ETag of part 1")
    response = E.client.upload_part_copy(
        Bucket=BUCKET,
        Key=dest,
        PartNumber=100,
        UploadId=uploadid,
        CopySource=source,
        CopySourceRange="bytes=%d-%d" % (MIB, len(data1) - 1),
        CopySourceIfMatch=etag_of(data1),
        CopySourceIfModifiedSince=PAST,
        CopySourceIfNoneMatch='"9a4802d5c99dafe1c04da0a8e7e166bf"',
        CopySourceIfUnmodifiedSince=FUTURE
    )
    eq(response["ETag"], etag_of(data1[MIB:]), "ETag of part 100")
    eq(response.get("x-cos-copy-source-version-id"), v1, "x-cos-copy-source-version-id")
    expect_service_error(412, "PreconditionFailed", E.client.upload_part_copy, Bucket=BUCKET, Key=dest,
                         PartNumber=2, UploadId=uploadid, CopySource=source,
                         CopySourceIfMatch='"9a4802d5c99dafe1c04da0a8e7e166bf"')
    E.client.complete_multipart_upload(Bucket=BUCKET, Key=dest, UploadId=uploadid, MultipartUpload={
        "Part": [{"ETag": first["ETag"], "PartNumber": 1}, {"ETag": response["ETag"], "PartNumber": 100}]})
    eq(get_bytes(dest)[0], data1, "content")


@check
def list_parts():
    key = "multipart/list-parts"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    chunks = [b"first part", b"second part", b"third part"]
    for n, chunk in enumerate(chunks, 1):
        E.client.upload_part(Bucket=BUCKET, Key=key, Body=chunk, PartNumber=n, UploadId=uploadid)
    response = E.client.list_parts(
        Bucket=BUCKET,
        Key=key,
        UploadId=uploadid
    )
    eq([(p["PartNumber"], p["ETag"], p["Size"]) for p in response["Part"]],
       [(str(n), etag_of(c), str(len(c))) for n, c in enumerate(chunks, 1)], "parts")
    ok(all(p.get("LastModified") for p in response["Part"]), "LastModified of every part")
    eq(response["Bucket"], BUCKET, "Bucket")
    eq(response["Key"], key, "Key")
    eq(response["UploadId"], uploadid, "UploadId")
    eq(response["IsTruncated"], "false", "IsTruncated")
    ok(response.get("Owner", {}).get("ID"), "Owner ID")
    ok(response.get("Initiator", {}).get("ID"), "Initiator ID")
    eq(response.get("StorageClass"), "STANDARD", "StorageClass")
    E.client.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uploadid)


@check
def list_parts_all_params():
    key = "multipart/list parts all params"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    for n in (1, 100, 101, 200):
        E.client.upload_part(Bucket=BUCKET, Key=key, Body=b"part %d" % n, PartNumber=n, UploadId=uploadid)
    response = E.client.list_parts(
        Bucket=BUCKET,
        Key=key,
        UploadId=uploadid,
        MaxParts=1000,
        PartNumberMarker=100,
        EncodingType="url"
    )
    eq([p["PartNumber"] for p in response["Part"]], ["101", "200"], "parts after marker 100")
    eq(response["PartNumberMarker"], "100", "PartNumberMarker")
    eq(response["MaxParts"], "1000", "MaxParts")
    eq(response["Key"], url(key), "Key (url-encoded)")
    eq(response["EncodingType"], "url", "EncodingType")
    page = E.client.list_parts(Bucket=BUCKET, Key=key, UploadId=uploadid, MaxParts=2)
    eq([p["PartNumber"] for p in page["Part"]], ["1", "100"], "first page of 2")
    eq(page["IsTruncated"], "true", "IsTruncated")
    eq(page["NextPartNumberMarker"], "100", "NextPartNumberMarker")
    eq(page["Key"], key, "Key (decoded by the SDK)")
    E.client.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uploadid)


@check
def complete_multipart_upload():
    key = "multipart/exampleobject-complete"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    p1, p2 = blob(MIB, 15), blob(1000, 16)
    e1 = E.client.upload_part(Bucket=BUCKET, Key=key, Body=p1, PartNumber=1, UploadId=uploadid)["ETag"]
    e2 = E.client.upload_part(Bucket=BUCKET, Key=key, Body=p2, PartNumber=2, UploadId=uploadid)["ETag"]
    response = E.client.complete_multipart_upload(
        Bucket=BUCKET,
        Key=key,
        UploadId=uploadid,
        MultipartUpload={
            "Part": [
                {
                    "ETag": e1,
                    "PartNumber": 1
                },
                {
                    "ETag": e2,
                    "PartNumber": 2
                },
            ]
        },
    )
    ok(re.match(r'^"[0-9a-f]{32}-2"$', response["ETag"]), "ETag %r looks like a multipart ETag" % response["ETag"])
    eq(response["ETag"], multipart_etag([p1, p2]), "ETag (md5 of the part md5s, -2)")
    eq(response["Bucket"], BUCKET, "Bucket")
    eq(response["Key"], key, "Key")
    ok(response["Location"].endswith("/" + key) and BUCKET in response["Location"],
       "Location %r" % response["Location"])
    eq(get_bytes(key)[0], p1 + p2, "content")
    eq(E.client.head_object(Bucket=BUCKET, Key=key)["ETag"], response["ETag"], "head ETag")


@check
def complete_multipart_upload_errors():
    key = "multipart/complete-errors"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    e1 = E.client.upload_part(Bucket=BUCKET, Key=key, Body=b"small", PartNumber=1, UploadId=uploadid)["ETag"]
    e2 = E.client.upload_part(Bucket=BUCKET, Key=key, Body=b"tail", PartNumber=2, UploadId=uploadid)["ETag"]
    expect_service_error(400, "EntityTooSmall", E.client.complete_multipart_upload, Bucket=BUCKET, Key=key,
                         UploadId=uploadid, MultipartUpload={"Part": [{"ETag": e1, "PartNumber": 1},
                                                                      {"ETag": e2, "PartNumber": 2}]})
    expect_service_error(400, "InvalidPart", E.client.complete_multipart_upload, Bucket=BUCKET, Key=key,
                         UploadId=uploadid, MultipartUpload={"Part": [{"ETag": etag_of(b"nope"), "PartNumber": 1}]})
    expect_service_error(400, "InvalidPartOrder", E.client.complete_multipart_upload, Bucket=BUCKET, Key=key,
                         UploadId=uploadid, MultipartUpload={"Part": [{"ETag": e2, "PartNumber": 2},
                                                                      {"ETag": e1, "PartNumber": 1}]})
    E.client.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=uploadid)


@check
def abort_multipart_upload():
    key = "multipart/exampleobject-abort"
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    E.client.upload_part(Bucket=BUCKET, Key=key, Body=b"x" * 100, PartNumber=1, UploadId=uploadid)
    response = E.client.abort_multipart_upload(
        Bucket=BUCKET,
        Key=key,
        UploadId=uploadid
    )
    eq(response, None, "abort_multipart_upload returns None")
    expect_service_error(404, "NoSuchUpload", E.client.list_parts, Bucket=BUCKET, Key=key, UploadId=uploadid)
    listing = E.client.list_multipart_uploads(Bucket=BUCKET, Prefix=key)
    eq(listing.get("Upload", []), [], "uploads left")
    head_missing(key)


# ---------------------------------------------------------------------------------------
# 003: 고급 인터페이스 — upload_file


class Progress(object):
    def __init__(self):
        self.calls = []

    def __call__(self, consumed_bytes, total_bytes):
        self.calls.append((consumed_bytes, total_bytes))


@check
def upload_file_multipart():
    data = blob(3 * MIB + 512 * 1024, 17)
    write_file("big.bin", data)
    progress = Progress()
    client, records = recording_client()
    response = client.upload_file(
        Bucket=BUCKET,
        Key="transfer/big.bin",
        LocalFilePath="big.bin",
        PartSize=1,
        MAXThread=5,
        EnableMD5=False,
        progress_callback=progress
    )
    parts = [data[i:i + MIB] for i in range(0, len(data), MIB)]
    eq(len(parts), 4, "parts")
    eq(response["ETag"], multipart_etag(parts), "ETag")
    uploads = sorted(int(re.search(r"partNumber=(\d+)", r["url"]).group(1)) for r in records
                     if r["method"] == "PUT" and "partNumber=" in r["url"])
    eq(uploads, [1, 2, 3, 4], "part numbers uploaded")
    eq(get_bytes("transfer/big.bin")[0], data, "content")
    ok(progress.calls and progress.calls[-1] == (len(data), len(data)), "progress reached 100%%: %r" %
       progress.calls[-1:])


@check
def upload_file_all_params():
    # the request example and the all-parameters example; a file under PartSize goes up in
    # one PUT, which is where ContentLength and ContentMD5 make sense
    data = blob(300 * 1024, 18)
    write_file("local.txt", data)
    response = E.client.upload_file(
        Bucket=BUCKET,
        Key="transfer/exampleobject",
        LocalFilePath="local.txt",
        EnableMD5=False,
        progress_callback=None
    )
    eq(response["ETag"], etag_of(data), "ETag (request example)")

    def upload_percentage(consumed_bytes, total_bytes):
        """진행 바 콜백 함수. 현재 업로드의 백분율 계산"""
        if total_bytes:
            rate = int(100 * (float(consumed_bytes) / float(total_bytes)))
            print("\r{0}% ".format(rate))
            sys.stdout.flush()

    response = E.client.upload_file(
        Bucket=BUCKET,
        Key="transfer/exampleobject-all-params",
        LocalFilePath="local.txt",
        PartSize=1,
        MAXThread=5,
        progress_callback=upload_percentage,
        EnableMD5=True,
        ACL="private",
        GrantFullControl=GRANTEE,
        GrantRead=GRANTEE,
        StorageClass="STANDARD_IA",
        Expires=FUTURE,
        CacheControl="no-cache",
        ContentType="application/x-test",
        ContentDisposition="inline",
        ContentEncoding="identity",
        ContentLanguage="ko",
        ContentLength=str(len(data)),
        ContentMD5=md5_b64(data),
        Metadata={
            "x-cos-meta-key1": "value1",
            "x-cos-meta-key2": "value2"
        },
        TrafficLimit="1048576"
    )
    eq(response["ETag"], etag_of(data), "ETag (all parameters)")
    head = E.client.head_object(Bucket=BUCKET, Key="transfer/exampleobject-all-params")
    for name, value in {"Content-Type": "application/x-test", "Cache-Control": "no-cache",
                        "Content-Disposition": "inline", "Content-Language": "ko", "Expires": FUTURE,
                        "x-cos-meta-key1": "value1", "x-cos-storage-class": "STANDARD_IA"}.items():
        eq(head.get(name), value, "head %s" % name)


@check
def upload_file_multipart_all_params():
    data = blob(2 * MIB + 100 * 1024, 19)
    write_file("local-multipart.bin", data)
    progress = Progress()
    response = E.client.upload_file(
        Bucket=BUCKET,
        Key="transfer/multipart-all-params",
        LocalFilePath="local-multipart.bin",
        PartSize=1,
        MAXThread=5,
        progress_callback=progress,
        EnableMD5=True,
        ACL="public-read",
        GrantFullControl=GRANTEE,
        GrantRead=GRANTEE,
        StorageClass="STANDARD_IA",
        Expires=FUTURE,
        CacheControl="no-cache",
        ContentType="application/x-test",
        ContentDisposition="inline",
        ContentEncoding="identity",
        ContentLanguage="ko",
        Metadata={
            "x-cos-meta-key1": "value1",
            "x-cos-meta-key2": "value2"
        },
        TrafficLimit="838860800"
    )
    eq(response["ETag"], multipart_etag([data[:MIB], data[MIB:2 * MIB], data[2 * MIB:]]), "ETag")
    head = E.client.head_object(Bucket=BUCKET, Key="transfer/multipart-all-params")
    for name, value in {"Content-Type": "application/x-test", "Cache-Control": "no-cache",
                        "Content-Disposition": "inline", "Content-Language": "ko", "Expires": FUTURE,
                        "x-cos-meta-key2": "value2", "x-cos-storage-class": "STANDARD_IA",
                        "Content-Length": str(len(data))}.items():
        eq(head.get(name), value, "head %s" % name)
    eq(get_bytes("transfer/multipart-all-params")[0], data, "content")
    eq(E.client.get_object_acl(Bucket=BUCKET, Key="transfer/multipart-all-params")["CannedACL"], "public-read",
       "CannedACL")


def upload_file_recording_parts(client, **kwargs):
    """Runs upload_file on `client`, recording the (PartNumber, UploadId) of every part
    actually sent."""
    sent = []
    lock = threading.Lock()
    original = client.upload_part

    def upload_part(Bucket, Key, Body, PartNumber, UploadId, *args, **kw):
        with lock:
            sent.append((PartNumber, UploadId))
        return original(Bucket, Key, Body, PartNumber, UploadId, *args, **kw)

    client.upload_part = upload_part
    try:
        return client.upload_file(**kwargs), sent
    finally:
        client.upload_part = original


@check
def upload_file_resume_after_partial_upload():
    # An interrupted upload_file: the multipart upload exists and parts 1-2 are there.
    data = blob(4 * MIB + 123, 20)
    write_file("resume.bin", data)
    key = "transfer/resume.bin"
    abort_all_uploads(key)
    uploadid = E.client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    for n in (1, 2):
        E.client.upload_part(Bucket=BUCKET, Key=key, Body=data[(n - 1) * MIB:n * MIB], PartNumber=n,
                             UploadId=uploadid)
    client = new_client()
    response, sent = upload_file_recording_parts(client, Bucket=BUCKET, Key=key, LocalFilePath="resume.bin",
                                                 PartSize=1, MAXThread=5)
    eq(sorted(sent), [(3, uploadid), (4, uploadid), (5, uploadid)],
       "parts sent by the resumed upload_file (it must reuse the upload id found by list_multipart_uploads)")
    parts = [data[i:i + MIB] for i in range(0, len(data), MIB)]
    eq(response["ETag"], multipart_etag(parts), "ETag")
    eq(get_bytes(key)[0], data, "content")
    eq(E.client.list_multipart_uploads(Bucket=BUCKET, Prefix=key).get("Upload", []), [], "uploads left")


@check
def upload_file_resume_after_fault():
    # The emulator resets the connection while part 3 is being sent, twice (the SDK
    # retries once), so upload_file fails midway; the second upload_file resumes.
    data = blob(4 * MIB + 77, 21)
    write_file("resume-fault.bin", data)
    key = "transfer/resume-fault.bin"
    abort_all_uploads(key)
    rule = {"method": "PUT", "path_contains": key, "query_contains": "partNumber=3", "times": 2,
            "action": {"kind": "reset_request_after", "bytes": 64 * 1024}}
    status, text = admin("POST", "/-/emulator/faults", rule)
    ok(200 <= status < 300, "adding a fault rule: HTTP %s %s" % (status, text[:300]))
    try:
        client = new_client(retry=1)
        try:
            upload_file_recording_parts(client, Bucket=BUCKET, Key=key, LocalFilePath="resume-fault.bin",
                                        PartSize=1, MAXThread=5)
            raise AssertionError("upload_file succeeded although part 3 kept failing")
        except CosClientError:
            pass
        head_missing(key)
        uploads = E.client.list_multipart_uploads(Bucket=BUCKET, Prefix=key).get("Upload", [])
        eq(len(uploads), 1, "the interrupted multipart upload is listed")
        uploadid = uploads[0]["UploadId"]
        listed = E.client.list_parts(Bucket=BUCKET, Key=key, UploadId=uploadid).get("Part", [])
        eq(sorted(int(p["PartNumber"]) for p in listed), [1, 2, 4, 5], "parts stored before the resume")
        response, sent = upload_file_recording_parts(client, Bucket=BUCKET, Key=key,
                                                     LocalFilePath="resume-fault.bin", PartSize=1, MAXThread=5)
        eq(sent, [(3, uploadid)], "parts sent by the resumed upload_file")
        eq(get_bytes(key)[0], data, "content")
    finally:
        admin("DELETE", "/-/emulator/faults")


# ---------------------------------------------------------------------------------------
# 003: 고급 인터페이스 — download_file


@check
def download_file():
    data = blob(50 * 1024, 22)
    put("transfer/download-simple", data)
    response = E.client.download_file(
        Bucket=BUCKET,
        Key="transfer/download-simple",
        DestFilePath="local_download.txt"
    )
    eq(response, None, "download_file returns None")
    eq(read_file("local_download.txt"), data, "downloaded file")


@check
def download_file_resumable_crc():
    data = blob(2 * MIB + 500 * 1024, 23)
    put("transfer/download-big", data)
    head = E.client.head_object(Bucket=BUCKET, Key="transfer/download-big")
    ok(head.get("x-cos-hash-crc64ecma"), "x-cos-hash-crc64ecma on HEAD (EnableCRC needs it)")
    client, records = recording_client()
    client.download_file(
        Bucket=BUCKET,
        Key="transfer/download-big",
        DestFilePath="download-big.bin",
        PartSize=1,
        MAXThread=5,
        EnableCRC=True
    )
    eq(read_file("download-big.bin"), data, "downloaded file")
    ranges = sorted(r["headers"].get("Range", "") for r in records if r["method"] == "GET")
    eq(len(ranges), 3, "ranged GETs (%r)" % ranges)
    ok(all(x.startswith("bytes=") for x in ranges), "every GET is ranged: %r" % ranges)


@check
def download_file_all_params():
    key = "v/download-all-params.bin"
    data1 = blob(MIB + 256 * 1024, 24)
    v1 = version_of(put(key, data1, bucket=VERSIONED_BUCKET), "put v1")
    version_of(put(key, b"newer", bucket=VERSIONED_BUCKET), "put v2")
    response = E.client.download_file(
        Bucket=VERSIONED_BUCKET,
        Key=key,
        DestFilePath="download-all-params.bin",
        PartSize=1,
        MAXThread=5,
        EnableCRC=True,
        TrafficLimit="1048576",
        IfMatch=etag_of(data1),
        IfModifiedSince=PAST,
        IfNoneMatch='"9a4802d5c99dafe1c04da0a8e7e166bf"',
        IfUnmodifiedSince=FUTURE,
        ResponseCacheControl="no-cache",
        ResponseContentDisposition="attachment",
        ResponseContentEncoding="identity",
        ResponseContentLanguage="ko",
        ResponseContentType="application/octet-stream",
        ResponseExpires=FUTURE,
        VersionId=v1
    )
    eq(response, None, "download_file returns None")
    eq(read_file("download-all-params.bin"), data1, "downloaded file (version 1)")


# ---------------------------------------------------------------------------------------
# 003: 일괄 업로드 / 일괄 다운로드


@check
def batch_upload_directory():
    files = {
        "root/logs/a.log": blob(2000, 25),
        "root/logs/b.log": blob(3000, 26),
        "root/logs/sub/c.log": blob(MIB + 4096, 27),  # > PartSize 1 MB: a multipart upload
        "root/logs/sub/deeper/d.log": b"",
    }
    for path, data in files.items():
        write_file(path, data)
    put("root/logs/a.log", b"already in COS")  # exists: the seed skips it
    client = E.client
    uploaded = []

    def run():
        uploadDir = "root/logs"
        bucket = BUCKET
        g = os.walk(uploadDir)
        # 업로드의 스레드 풀 생성
        pool = SimpleThreadPool()
        for path, dir_list, file_list in g:
            for file_name in file_list:
                srcKey = os.path.join(path, file_name)
                cosObjectKey = srcKey.strip("/")
                # COS에 파일 존재 여부 판단
                exists = False
                try:
                    response = client.head_object(Bucket=bucket, Key=cosObjectKey)
                    exists = True
                except CosServiceError as e:
                    if e.get_status_code() == 404:
                        exists = False
                    else:
                        print("Error happened, reupload it.")
                if not exists:
                    print("File %s not exists in cos, upload it", srcKey)
                    uploaded.append(cosObjectKey)
                    pool.add_task(client.upload_file, bucket, cosObjectKey, srcKey)

        pool.wait_completion()
        result = pool.get_result()
        if not result["success_all"]:
            print("Not all files upload sucessed. you should retry")
        return result

    result = run()
    ok(result["success_all"], "success_all (%r)" % result)
    eq(sorted(uploaded), sorted(k for k in files if k != "root/logs/a.log"), "files uploaded")
    for key, data in files.items():
        eq(get_bytes(key)[0], b"already in COS" if key == "root/logs/a.log" else data, "content of %s" % key)
    del uploaded[:]
    run()
    eq(uploaded, [], "a second run uploads nothing")


@check
def batch_download_directory():
    objects = {
        "data/": b"",
        "data/a.txt": b"aaa",
        "data/sub/": b"",
        "data/sub/b.bin": blob(MIB + 1000, 28),
        "data/sub/deep/c.txt": b"c" * 100,
    }
    for key, data in objects.items():
        put(key, data)
    client = E.client
    test_bucket = BUCKET
    start_prefix = "data/"
    delimiter = ""

    # 현재 디렉터리의 하위 노드 나열. 모든 하위 노드 정보 반환
    def listCurrentDir(prefix):
        file_infos = []
        sub_dirs = []
        marker = ""
        count = 1
        while True:
            response = client.list_objects(test_bucket, prefix, delimiter, marker)
            count += 1
            ok(count <= 50, "listCurrentDir does not end (NextMarker on every page?)")

            if "CommonPrefixes" in response:
                common_prefixes = response.get("CommonPrefixes")
                sub_dirs.extend(common_prefixes)

            if "Contents" in response:
                contents = response.get("Contents")
                file_infos.extend(contents)

            if "NextMarker" in response.keys():
                marker = response["NextMarker"]
            else:
                break

        print("=======================================================")
        sorted(file_infos, key=lambda file_info: file_info["Key"])
        for file in file_infos:
            print(file)
        return file_infos

    # 로컬 디렉터리에 파일 다운로드. 로컬 디렉터리에 동일한 이름의 파일이 있는 경우 덮어쓰기
    def downLoadFiles(file_infos):
        localDir = "./download/"

        pool = SimpleThreadPool()
        for file in file_infos:
            # 파일을 다운로드하여 로컬로 가져오기
            file_cos_key = file["Key"]
            localName = localDir + file_cos_key

            # 로컬 디렉터리 구조가 존재하지 않는 경우 재귀 생성
            if not os.path.exists(os.path.dirname(localName)):
                os.makedirs(os.path.dirname(localName))

            # skip dir, no need to download it
            if str(localName).endswith("/"):
                continue

            # 실제 다운로드 파일
            pool.add_task(client.download_file, test_bucket, file_cos_key, localName)

        pool.wait_completion()
        return pool.get_result()

    file_infos = listCurrentDir(start_prefix)
    eq(sorted(f["Key"] for f in file_infos), sorted(objects), "listed keys")
    result = downLoadFiles(file_infos)
    ok(result["success_all"], "success_all (%r)" % result)
    for key, data in objects.items():
        local = os.path.join("download", key)
        if key.endswith("/"):
            ok(os.path.isdir(local), "directory %s created" % local)
        else:
            eq(read_file(local), data, "downloaded %s" % key)


# ---------------------------------------------------------------------------------------
# 003: 객체 복사 (high level), 객체 이동


@check
def copy_high_level():
    data = source_object()
    response = E.proxy_client.copy(
        Bucket=BUCKET,
        Key="copy/copy_10G.txt",
        CopySource={
            "Bucket": "sourcebucket-1250000000",
            "Key": "exampleobject",
            "Region": "ap-guangzhou"
        }
    )
    eq(response["ETag"], etag_of(data), "ETag")
    eq(get_bytes("copy/copy_10G.txt")[0], data, "content")
    response = E.proxy_client.copy(
        Bucket=BUCKET,
        Key="copy/exampleobject-high-level",
        CopySource={
            "Bucket": "sourcebucket-1250000000",
            "Key": "exampleobject",
            "Region": "ap-guangzhou"
        },
        CopyStatus="Copy",
        PartSize=20,
        MAXThread=10
    )
    eq(response["ETag"], etag_of(data), "ETag (all parameters)")
    eq(get_bytes("copy/exampleobject-high-level")[0], data, "content (all parameters)")


@check
def copy_high_level_multipart():
    # a copy that changes the storage class and is over the (lowered) threshold goes
    # through create_multipart_upload + upload_part_copy with ranges
    data = part_copy_source()
    config = CosConfig(Region=REGION, SecretId=E.secret_id, SecretKey=E.secret_key, Scheme="http",
                       Proxies={"http": "http://127.0.0.1:%d" % E.port})
    config.set_copy_part_threshold_size(MIB)
    client = CosS3Client(config, retry=1, session=E.session)
    response = client.copy(
        Bucket=BUCKET,
        Key="copy/multipart-copy.bin",
        CopySource={"Bucket": SOURCE_BUCKET, "Key": "part-copy/source.bin", "Region": "ap-guangzhou"},
        PartSize=1,
        MAXThread=3,
        StorageClass="STANDARD_IA"
    )
    eq(response["ETag"], multipart_etag([data[:MIB], data[MIB:]]), "ETag of the multipart copy")
    eq(get_bytes("copy/multipart-copy.bin")[0], data, "content")
    eq(E.client.head_object(Bucket=BUCKET, Key="copy/multipart-copy.bin").get("x-cos-storage-class"),
       "STANDARD_IA", "storage class")


@check
def move_object():
    bucket = BUCKET
    srcKey = "move/src_object_key"  # 원본 객체 경로
    destKey = "move/dest_object_key"  # 타깃 객체 경로
    put(srcKey, b"moving")
    # 본 예시는 SDK 기본 인터페이스를 사용해 파일 move 작업을 진행합니다.
    response = E.client.copy_object(
        Bucket=bucket,
        Key=destKey,
        CopySource={
            "Bucket": bucket,
            "Key": srcKey,
            "Region": "ap-guangzhou",
        })
    E.client.delete_object(Bucket=bucket, Key=srcKey)
    eq(response["ETag"], etag_of(b"moving"), "ETag")
    eq(get_bytes(destKey)[0], b"moving", "content at the destination")
    head_missing(srcKey)


# ---------------------------------------------------------------------------------------
# beyond the seeds: what COS answers that clients check


@check
def append_object_content_sha1():
    # COS answers an append with x-cos-content-sha1: the hex MD5 of the appended chunk
    # (the Go SDK compares it with the MD5 it computed).
    key = "append/checksummed"
    first, second = b"first chunk", blob(4096, 31)
    response = E.client.append_object(Bucket=BUCKET, Key=key, Position=0, Data=first)
    eq(response.get("x-cos-content-sha1"), md5_hex(first), "x-cos-content-sha1 of the first append")
    response = E.client.append_object(Bucket=BUCKET, Key=key, Position=len(first), Data=second)
    eq(response.get("x-cos-content-sha1"), md5_hex(second), "x-cos-content-sha1 of the second append")
    eq(response.get("ETag"), etag_of(first + second), "ETag of the whole object")


def oversized_metadata(count, each):
    """count x-cos-meta-* headers whose name suffix and value make `each` bytes."""
    return {"x-cos-meta-m%d" % i: "v" * (each - len("m%d" % i)) for i in range(count)}


@check
def user_metadata_limits():
    # COS: each x-cos-meta-* header at most 2 KB (suffix and value), 4 KB in all.
    key = "metadata/limits"
    E.client.put_object(Bucket=BUCKET, Body=b"ok", Key=key, Metadata=oversized_metadata(2, 2048))
    head = E.client.head_object(Bucket=BUCKET, Key=key)
    eq(len(head.get("x-cos-meta-m1", "")), 2046, "a 2 KB metadata header read back")
    e = expect_service_error(400, "InvalidArgument", E.client.put_object, Bucket=BUCKET, Body=b"x",
                             Key="metadata/one-too-big", Metadata=oversized_metadata(1, 2049))
    ok(e.get_error_msg(), "message")
    expect_service_error(400, "InvalidArgument", E.client.put_object, Bucket=BUCKET, Body=b"x",
                         Key="metadata/too-much", Metadata=oversized_metadata(3, 1536))
    head_missing("metadata/one-too-big")
    head_missing("metadata/too-much")
    expect_service_error(400, "InvalidArgument", E.client.create_multipart_upload, Bucket=BUCKET,
                         Key="metadata/multipart", Metadata=oversized_metadata(3, 1536))
    expect_service_error(400, "InvalidArgument", E.client.copy_object, Bucket=BUCKET,
                         Key="metadata/copy", CopySource={"Bucket": BUCKET, "Key": key, "Region": REGION},
                         CopyStatus="Replaced", Metadata=oversized_metadata(3, 1536))
    expect_service_error(400, "InvalidArgument", E.client.append_object, Bucket=BUCKET,
                         Key="metadata/append", Position=0, Data=b"x", Metadata=oversized_metadata(3, 1536))


AGGREGATE_CSV_SQL = ("SELECT COUNT(*), SUM(CAST(s._2 AS INT)), AVG(CAST(s._2 AS FLOAT)), "
                     "MIN(CAST(s._2 AS INT)), MAX(CAST(s._2 AS INT)) FROM COSObject s")


@check
def select_object_content_aggregates_csv():
    put("select/aggregate.csv", SELECT_CSV)
    response = E.client.select_object_content(
        Bucket=BUCKET, Key="select/aggregate.csv",
        Expression=AGGREGATE_CSV_SQL, ExpressionType="SQL",
        InputSerialization={"CompressionType": "NONE", "CSV": {"FileHeaderInfo": "NONE"}},
        OutputSerialization={"CSV": {"RecordDelimiter": "\n"}})
    records, kinds, events = select_events(response)
    count, total, mean, low, high = records.decode().strip().split(",")
    eq((count, total, low, high), ("3", "96", "25", "41"), "COUNT, SUM, MIN, MAX")
    eq(float(mean), 32.0, "AVG")
    stats = [e["Stats"]["Details"] for e in events if "Stats" in e]
    eq(len(stats), 1, "one Stats event")
    eq(str(stats[0].get("BytesScanned")), str(len(SELECT_CSV)), "Stats BytesScanned")
    eq(str(stats[0].get("BytesReturned")), str(len(records)), "Stats BytesReturned")
    eq(kinds[-1], "End", "last event")


@check
def select_object_content_aggregates_json():
    put("select/aggregate.json", SELECT_JSON)
    response = E.client.select_object_content(
        Bucket=BUCKET, Key="select/aggregate.json",
        Expression="SELECT COUNT(*) AS n, SUM(s.age) AS total, AVG(s.age) AS mean, MIN(s.age) AS youngest, "
                   "MAX(s.name) AS last FROM COSObject s WHERE s.age > 26",
        ExpressionType="SQL",
        InputSerialization={"CompressionType": "NONE", "JSON": {"Type": "LINES"}},
        OutputSerialization={"JSON": {"RecordDelimiter": "\n"}})
    records, kinds, events = select_events(response)
    rows = [json.loads(line) for line in records.decode().splitlines() if line]
    eq(rows, [{"n": 2, "total": 71, "mean": 35.5, "youngest": 30, "last": "carol"}], "aggregate row")
    ok(any("Stats" in e for e in events), "a Stats event")
    eq(kinds[-1], "End", "last event")
    # A select list mixing an aggregate and a plain column is refused.
    expect_service_error(400, "UnsupportedSqlStructure", E.client.select_object_content,
                         Bucket=BUCKET, Key="select/aggregate.json",
                         Expression="SELECT s.name, COUNT(*) FROM COSObject s", ExpressionType="SQL",
                         InputSerialization={"CompressionType": "NONE", "JSON": {"Type": "LINES"}},
                         OutputSerialization={"JSON": {"RecordDelimiter": "\n"}})


# ---------------------------------------------------------------------------------------
# beyond the seeds: object tagging and ACL


@check
def object_tagging():
    key = "tagging/exampleobject"
    put(key, b"tagged")
    E.client.put_object_tagging(Bucket=BUCKET, Key=key, Tagging={
        "TagSet": {"Tag": [{"Key": "project", "Value": "cos-rs"}, {"Key": "stage", "Value": "interop"}]}})
    response = E.client.get_object_tagging(Bucket=BUCKET, Key=key)
    eq(sorted((t["Key"], t["Value"]) for t in response["TagSet"]["Tag"]),
       [("project", "cos-rs"), ("stage", "interop")], "tags")
    eq(E.client.head_object(Bucket=BUCKET, Key=key).get("x-cos-tagging-count"), "2", "x-cos-tagging-count")
    E.client.delete_object_tagging(Bucket=BUCKET, Key=key)
    response = E.client.get_object_tagging(Bucket=BUCKET, Key=key)
    eq((response.get("TagSet") or {}).get("Tag", []), [], "tags after delete")
    expect_service_error(404, "NoSuchKey", E.client.get_object_tagging, Bucket=BUCKET, Key="tagging/missing")


@check
def object_acl():
    key = "acl/exampleobject"
    put(key, b"acl")
    response = E.client.get_object_acl(Bucket=BUCKET, Key=key)
    ok(response.get("Owner", {}).get("ID"), "Owner ID")
    eq(response["CannedACL"], "private", "default CannedACL")
    E.client.put_object_acl(Bucket=BUCKET, Key=key, ACL="public-read")
    eq(E.client.get_object_acl(Bucket=BUCKET, Key=key)["CannedACL"], "public-read", "CannedACL after public-read")
    E.client.put_object_acl(Bucket=BUCKET, Key=key, GrantRead=GRANTEE)
    response = E.client.get_object_acl(Bucket=BUCKET, Key=key)
    perms = [g["Permission"] for g in response["AccessControlList"]["Grant"]
             if "100000000011" in json.dumps(g["Grantee"])]
    eq(perms, ["READ"], "grant of %s" % GRANTEE)
    eq(response["CannedACL"], "private", "CannedACL after replacing the ACL with a grant")
    E.client.put_object_acl(Bucket=BUCKET, Key=key, ACL="private")
    eq(E.client.get_object_acl(Bucket=BUCKET, Key=key)["CannedACL"], "private", "CannedACL after private")


# ---------------------------------------------------------------------------------------
# 003: 클라이언트 암호화 (client-side encryption)


def run_encryption_snippet(client_for_x, tag):
    data = blob(100 * 1024, 29)
    # 객체 업로드
    response = client_for_x.put_object(
        Bucket=BUCKET,
        Body=data,
        Key="cse/%s/exampleobject" % tag,
        EnableMD5=False)
    raw, head = get_bytes("cse/%s/exampleobject" % tag)
    eq(len(raw), len(data), "stored size")
    ok(raw != data, "stored bytes are encrypted")
    ok(head.get("x-cos-meta-client-side-encryption-key"), "envelope metadata stored")
    # 객체 다운로드
    response = client_for_x.get_object(
        Bucket=BUCKET,
        Key="cse/%s/exampleobject" % tag)
    response["Body"].get_stream_to_file("cse-%s.out" % tag)
    eq(read_file("cse-%s.out" % tag), data, "decrypted content")
    response = client_for_x.get_object(Bucket=BUCKET, Key="cse/%s/exampleobject" % tag, Range="bytes=100-199")
    response["Body"].get_stream_to_file("cse-%s-range.out" % tag)
    eq(read_file("cse-%s-range.out" % tag), data[100:200], "decrypted range")

    # 멀티파트 업로드
    part1, part2 = blob(MIB, 30), blob(5000, 31)
    response = client_for_x.create_multipart_upload(
        Bucket=BUCKET,
        Key="cse/%s/exampleobject_upload" % tag)
    uploadid = response["UploadId"]
    for n, body in ((1, part1), (2, part2)):
        client_for_x.upload_part(
            Bucket=BUCKET,
            Key="cse/%s/exampleobject_upload" % tag,
            Body=body,
            PartNumber=n,
            UploadId=uploadid)
    response = client_for_x.list_parts(
        Bucket=BUCKET,
        Key="cse/%s/exampleobject_upload" % tag,
        UploadId=uploadid)
    client_for_x.complete_multipart_upload(
        Bucket=BUCKET,
        Key="cse/%s/exampleobject_upload" % tag,
        UploadId=uploadid,
        MultipartUpload={"Part": response["Part"]})
    response = client_for_x.get_object(Bucket=BUCKET, Key="cse/%s/exampleobject_upload" % tag)
    response["Body"].get_stream_to_file("cse-%s-mpu.out" % tag)
    eq(read_file("cse-%s-mpu.out" % tag), part1 + part2, "decrypted multipart object")

    # 중단 지점부터 이어서 전송하는 방식으로 객체를 업로드합니다.
    write_file("local.txt", data)
    response = client_for_x.upload_file(
        Bucket=BUCKET,
        LocalFilePath="local.txt",
        Key="cse/%s/upload_file.txt" % tag,
        PartSize=10,
        MAXThread=10
    )
    response = client_for_x.get_object(Bucket=BUCKET, Key="cse/%s/upload_file.txt" % tag)
    response["Body"].get_stream_to_file("cse-%s-upload-file.out" % tag)
    eq(read_file("cse-%s-upload-file.out" % tag), data, "decrypted upload_file object")


@check
def client_side_encryption_aes():
    conf = make_config()
    aes_key = base64.b64encode(blob(32, 32)).decode()
    # 방법1: 키 값으로 암호화된 클라이언트 초기화
    aes_provider = AESProvider(aes_key=aes_key)
    # 방법2: 키 경로로 암호화된 클라이언트 초기화
    write_file("aes_key_path", aes_key.encode())
    aes_key_pair = AESProvider(aes_key_path="aes_key_path")
    client_for_aes = CosEncryptionClient(conf, aes_provider, session=E.session)
    run_encryption_snippet(client_for_aes, "aes")
    # the key-path provider reads what the key-value provider wrote
    client_by_path = CosEncryptionClient(conf, aes_key_pair, session=E.session)
    response = client_by_path.get_object(Bucket=BUCKET, Key="cse/aes/exampleobject")
    response["Body"].get_stream_to_file("cse-aes-by-path.out")
    eq(read_file("cse-aes-by-path.out"), blob(100 * 1024, 29), "decrypted with the key-path provider")


@check
def client_side_encryption_rsa():
    from Crypto.PublicKey import RSA  # pycryptodome, a dependency of the SDK
    key = RSA.generate(2048, randfunc=random.Random(33).randbytes)
    public_key, private_key = key.publickey().export_key(), key.export_key()
    conf = make_config()
    # 방법1: 키 값으로 암호화된 클라이언트 초기화
    rsa_key_pair = RSAProvider.get_rsa_key_pair(public_key, private_key)
    # 방법2: 키 경로로 암호화된 클라이언트 초기화
    write_file("public_key_path", public_key)
    write_file("private_key_path", private_key)
    rsa_key_pair_path = RSAProvider.get_rsa_key_pair_path("public_key_path", "private_key_path")
    rsa_provider = RSAProvider(key_pair_info=rsa_key_pair)
    client_for_rsa = CosEncryptionClient(conf, rsa_provider, session=E.session)
    run_encryption_snippet(client_for_rsa, "rsa")
    ok(RSAProvider(key_pair_info=rsa_key_pair_path) is not None, "provider from key paths")


# ---------------------------------------------------------------------------------------
# runner


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", default=os.environ.get("COS_EMULATOR_ENDPOINT"),
                   help="emulator endpoint, e.g. http://127.0.0.1:9000")
    p.add_argument("--port", type=int, default=os.environ.get("COS_EMULATOR_PORT"))
    p.add_argument("--secret-id", default=os.environ.get("COS_EMULATOR_SECRET_ID"))
    p.add_argument("--secret-key", default=os.environ.get("COS_EMULATOR_SECRET_KEY"))
    p.add_argument("--only", action="append", default=[], help="run the checks whose name contains this")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.add_argument("--verbose", "-v", action="store_true", help="print the full traceback of failures")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--reset", action="store_true",
                   help="first delete everything in the emulator (POST /-/emulator/reset); the checks expect "
                        "an emulator without earlier runs' objects")
    p.add_argument("--ignore-header-case", action="store_true",
                   help="respell response header names as COS does before the SDK sees them (for diagnosis: "
                        "shows what else fails when the emulator lower-cases them); response_header_case still "
                        "checks the real spelling")
    args = p.parse_args(argv)
    if args.list:
        return args
    if args.port is None and args.endpoint:
        m = re.match(r"^(?:https?://)?[^/:]+:(\d+)", args.endpoint.strip())
        if not m:
            p.error("cannot read a port from --endpoint %r" % args.endpoint)
        args.port = int(m.group(1))
    if args.port is None:
        p.error("--endpoint or --port (or COS_EMULATOR_ENDPOINT / COS_EMULATOR_PORT) is required")
    if not args.secret_id or not args.secret_key:
        p.error("--secret-id and --secret-key (or COS_EMULATOR_SECRET_ID / _KEY) are required")
    return args


def failure_reason(exc):
    lines = traceback.format_exception_only(type(exc), exc)
    text = lines[-1].strip() if lines else repr(exc)
    return text.replace("\n", " ")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        for fn in CHECKS:
            print(fn.__name__)
        print("%d checks" % len(CHECKS))
        return 0
    E.port = args.port
    E.secret_id = args.secret_id
    E.secret_key = args.secret_key
    E.workdir = tempfile.mkdtemp(prefix="cos-interop-")
    os.chdir(E.workdir)
    logging.basicConfig(filename=os.path.join(E.workdir, "sdk.log"), level=logging.DEBUG,
                        format="%(asctime)s %(threadName)s %(name)s %(levelname)s %(message)s")
    os.makedirs("www")
    server = start_static_server(os.path.join(E.workdir, "www"))
    E.http_base = "http://127.0.0.1:%d" % server.server_address[1]
    E.ignore_header_case = args.ignore_header_case
    E.session = make_session()
    E.client = new_client()
    E.proxy_client = CosS3Client(CosConfig(Region=REGION, SecretId=E.secret_id, SecretKey=E.secret_key,
                                           Scheme="http", Proxies={"http": "http://127.0.0.1:%d" % E.port}),
                                 retry=1, session=E.session)
    if args.reset:
        status, body = admin("POST", "/-/emulator/reset")
        if status != 200:
            print("cannot reset the emulator: HTTP %s %s" % (status, body[:200]))
            return 2
    selected = [fn for fn in CHECKS if not args.only or any(s in fn.__name__ for s in args.only)]
    if quickstart_client_config not in selected:
        # the buckets (and the versioning of one) that the other checks use
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                quickstart_client_config()
        except Exception:  # noqa: BLE001 — the checks that need it will fail and say so
            logging.getLogger("interop").exception("setup")
    passed = failed = 0
    for fn in selected:
        name = fn.__name__
        started = time.time()
        captured = io.StringIO()
        logging.getLogger("interop").info("===== %s", name)
        try:
            with contextlib.redirect_stdout(captured):
                fn()
        except Exception as exc:  # noqa: BLE001 — every failure is reported, none stops the run
            failed += 1
            print("FAIL %s: %s" % (name, failure_reason(exc)))
            logging.getLogger("interop").exception("check %s failed", name)
            if args.verbose:
                traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print("ok   %s" % name)
        logging.getLogger("interop").info("===== %s took %.1fs", name, time.time() - started)
        sys.stdout.flush()
    server.shutdown()
    os.chdir("/")
    if args.keep:
        print("work directory kept: %s" % E.workdir)
    elif failed:
        # keep only the SDK's debug log (every request and response of the run)
        for entry in os.listdir(E.workdir):
            if entry != "sdk.log":
                path = os.path.join(E.workdir, entry)
                shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
        print("SDK debug log kept in %s" % os.path.join(E.workdir, "sdk.log"))
    else:
        shutil.rmtree(E.workdir, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
