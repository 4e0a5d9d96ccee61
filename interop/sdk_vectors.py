"""Vectors beyond ../shared/vectors, made the same way: the official SDK's own requests,
results and presigned URLs for the keywords a caller may pass (conditions on listings,
EncodingType, free-form headers and Params, SignHost, KeySimplifyCheck, a token given as
a parameter), written in the schema of shared/vectors/README.md for `cargo xtask vectors`.

The SDK never reaches a network: a requests adapter records each prepared request and
answers it from the case. The signer's clock is fixed per case.

    python sdk_vectors.py OUT_DIR
"""

import base64
import io
import json
import os
import sys
from unittest import mock
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from qcloud_cos import CosConfig, CosS3Client, CosServiceError
import qcloud_cos

BUCKET = "examplebucket-1250000000"
REGION = "ap-guangzhou"
NOW = 1700000000
SECRET_ID = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q"
SECRET_KEY = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"
NOISE = {"user-agent", "accept-encoding", "accept", "connection", "authorization"}
XML = [("Content-Type", "application/xml"), ("x-cos-request-id", "NjU1M2YxYjBfcmVxdWVzdA==")]


def b64(data):
    return base64.b64encode(data).decode()


class Answer(BaseAdapter):
    """Records each prepared request and answers `status, headers, body`."""

    def __init__(self, status, headers, body):
        super().__init__()
        self.answer = (status, headers, body)
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        status, headers, body = self.answer
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(dict(headers + [("Content-Length", str(len(body)))]))
        response._content = body
        response.raw = io.BytesIO(body)
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


def scheme(token):
    """`http`, as the seed vectors; `https` with a token (cos-rs refuses to send a token
    in the clear)."""
    return "https" if token else "http"


def client(adapter, token=None):
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    config = CosConfig(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY, Token=token,
                       Scheme=scheme(token))
    return CosS3Client(config, retry=0, session=session)


def config_record(token=None):
    return {"region": REGION, "scheme": scheme(token), "secret_id": SECRET_ID, "secret_key": SECRET_KEY,
            "token": token, "retry": 0}


def request_record(prepared):
    url = urlsplit(prepared.url)
    target = url.path + ("?" + url.query if url.query else "")
    headers = [[k, v if isinstance(v, str) else v.decode("utf-8")]
               for k, v in prepared.headers.items() if k.lower() not in NOISE]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ["Host", url.netloc])
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {"method": prepared.method, "target": target, "path": url.path,
            "query": url.query or None, "headers": headers,
            "authorization": prepared.headers.get("Authorization"),
            "body_base64": b64(body), "body_length": len(body)}


def error_record(err):
    if isinstance(err, CosServiceError):
        return {"type": "CosServiceError", "status_code": err.get_status_code(),
                "error_code": err.get_error_code(), "error_msg": err.get_error_msg(),
                "resource": err.get_resource_location(), "request_id": err.get_request_id(),
                "trace_id": err.get_trace_id()}
    return {"type": type(err).__name__, "message": str(err)}


def jsonable(value):
    if isinstance(value, bytes):
        return {"$base64": b64(value)}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def call(operation, kwargs, answer, token=None):
    """Runs `operation(**kwargs)` against `answer`; returns (requests, result, error)."""
    adapter = Answer(*answer)
    cos = client(adapter, token)
    result, error = None, None
    with mock.patch("qcloud_cos.cos_auth.time.time", return_value=NOW):
        try:
            result = getattr(cos, operation)(Bucket=BUCKET, **kwargs)
        except Exception as err:  # the SDK's outcome is what the case records
            error = err
    return [request_record(p) for p in adapter.sent], result, error


def listing(root, inner):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<%s>\n%s\n</%s>' % (root, inner, root)).encode()


VERSIONS = listing("ListVersionsResult", """    <EncodingType>url</EncodingType>
    <Name>examplebucket-1250000000</Name>
    <Prefix>dir%2F</Prefix>
    <KeyMarker>dir%2Fa%20b</KeyMarker>
    <VersionIdMarker/>
    <MaxKeys>2</MaxKeys>
    <IsTruncated>true</IsTruncated>
    <NextKeyMarker>dir%2F%E4%B8%AD%2Bc</NextKeyMarker>
    <NextVersionIdMarker>MTg0NDUxNTc1NjIzMTQ1MDAxMTE</NextVersionIdMarker>
    <Version>
        <Key>dir%2F%E4%B8%AD%2Bc</Key>
        <VersionId>MTg0NDUxNTc1NjIzMTQ1MDAxMTE</VersionId>
        <IsLatest>true</IsLatest>
        <LastModified>2023-11-14T22:13:21.000Z</LastModified>
        <ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag>
        <Size>1</Size>
        <StorageClass>STANDARD</StorageClass>
        <Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner>
    </Version>
    <DeleteMarker>
        <Key>dir%2Fgone%20x</Key>
        <VersionId>MTg0NDUxNTc1NjIzMTQ1MDAxMTI</VersionId>
        <IsLatest>true</IsLatest>
        <LastModified>2023-11-14T22:13:22.000Z</LastModified>
        <Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner>
    </DeleteMarker>
    <CommonPrefixes><Prefix>dir%2Fsub%20dir%2F</Prefix></CommonPrefixes>""")

UPLOADS = listing("ListMultipartUploadsResult", """    <Bucket>examplebucket-1250000000</Bucket>
    <EncodingType>url</EncodingType>
    <KeyMarker/>
    <UploadIdMarker/>
    <NextKeyMarker>big%20file%2B.iso</NextKeyMarker>
    <NextUploadIdMarker>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</NextUploadIdMarker>
    <MaxUploads>1</MaxUploads>
    <IsTruncated>true</IsTruncated>
    <Prefix>big%20</Prefix>
    <Upload>
        <Key>big%20file%2B.iso</Key>
        <UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>
        <StorageClass>STANDARD</StorageClass>
        <Initiator><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Initiator>
        <Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>
        <Initiated>2023-11-14T22:13:20.000Z</Initiated>
    </Upload>""")

PARTS = listing("ListPartsResult", """    <Bucket>examplebucket-1250000000</Bucket>
    <EncodingType>url</EncodingType>
    <Key>big%20file%2B%E4%B8%AD.iso</Key>
    <UploadId>1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361</UploadId>
    <Initiator><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Initiator>
    <Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>
    <StorageClass>STANDARD</StorageClass>
    <PartNumberMarker>0</PartNumberMarker>
    <NextPartNumberMarker>1</NextPartNumberMarker>
    <MaxParts>1</MaxParts>
    <IsTruncated>true</IsTruncated>
    <Part>
        <PartNumber>1</PartNumber>
        <LastModified>2023-11-14T22:13:20.000Z</LastModified>
        <ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag>
        <Size>1048576</Size>
    </Part>""")

BUCKET_PAGE = listing("ListBucketResult", """    <Name>examplebucket-1250000000</Name>
    <EncodingType>url</EncodingType>
    <Prefix>a%20b%2F</Prefix>
    <Marker/>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>a%20b%2F%E4%B8%AD%2B1.txt</Key>
        <LastModified>2023-11-14T22:13:20.000Z</LastModified>
        <ETag>&quot;0cc175b9c0f1b6a831c399e269772661&quot;</ETag>
        <Size>1</Size>
        <Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner>
        <StorageClass>STANDARD</StorageClass>
    </Contents>""")

COMPLETE = ('<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult>'
            '<Location>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/k</Location>'
            '<Bucket>examplebucket-1250000000</Bucket><Key>k</Key>'
            '<ETag>&quot;e-2&quot;</ETag></CompleteMultipartUploadResult>').encode()

UPLOAD_ID = "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"
OK = (200, XML, b"")
DATE = "Wed, 15 Nov 2023 00:00:00 GMT"

# (id, operation, kwargs, answer): requests the SDK sends for keywords beyond the seed
# vectors. Each becomes a requests.json case, and a responses.json case when it answers
# with a document.
CASES = [
    ("list_objects-conditions-metadata", "list_objects",
     {"Prefix": "a b/", "IfModifiedSince": DATE, "IfNoneMatch": '"e"',
      "Metadata": {"x-cos-meta-note": "n"}}, (200, XML, BUCKET_PAGE)),
    ("list_objects-encoding-type", "list_objects",
     {"Prefix": "a b/", "EncodingType": "url", "IfUnmodifiedSince": DATE},
     (200, XML, BUCKET_PAGE)),
    ("list_objects_versions-encoding-type-conditions", "list_objects_versions",
     {"Prefix": "dir/", "KeyMarker": "dir/a b", "MaxKeys": 2, "EncodingType": "url",
      "IfMatch": '"e"', "IfModifiedSince": DATE}, (200, XML, VERSIONS)),
    ("list_objects_versions-decoded", "list_objects_versions",
     {"Prefix": "dir/", "KeyMarker": "dir/a b", "MaxKeys": 2}, (200, XML, VERSIONS)),
    ("list_multipart_uploads-encoding-type", "list_multipart_uploads",
     {"Prefix": "big ", "MaxUploads": 1, "EncodingType": "url",
      "IfUnmodifiedSince": DATE}, (200, XML, UPLOADS)),
    ("list_parts-encoding-type", "list_parts",
     {"Key": "big file+中.iso", "UploadId": UPLOAD_ID, "MaxParts": 1, "EncodingType": "url",
      "IfNoneMatch": '"e"'}, (200, XML, PARTS)),
    ("complete_multipart_upload-content-type", "complete_multipart_upload",
     {"Key": "k", "UploadId": UPLOAD_ID, "ContentType": "application/xml",
      "MultipartUpload": {"Part": [{"PartNumber": 1, "ETag": '"p1"'}]},
      "Metadata": {"x-cos-meta-a": "b"}}, (200, XML, COMPLETE)),
    ("get_object-key-simplify-off", "get_object",
     {"Key": "a/../", "KeySimplifyCheck": False},
     (200, [("Content-Type", "text/plain"), ("ETag", '"x"')], b"abc")),
    ("get_object-key-simplify-on", "get_object", {"Key": "a/../"}, OK),
    ("delete_object-free-headers", "delete_object",
     {"Key": "k", "CacheControl": "no-cache", "StorageClass": "STANDARD"},
     (204, XML, b"")),
    ("get_object_tagging-traffic-limit", "get_object_tagging",
     {"Key": "k", "TrafficLimit": "819200", "IfMatch": '"e"'},
     (200, XML, b'<?xml version="1.0" encoding="UTF-8"?>\n<Tagging><TagSet/></Tagging>')),
    ("abort_multipart_upload-expires", "abort_multipart_upload",
     {"Key": "k", "UploadId": UPLOAD_ID, "Expires": "0", "ContentDisposition": "inline"},
     (204, XML, b"")),
]

# (id, kwargs, token): presigned URLs.
PRESIGN = [
    ("presign-sign-host-off", {"Key": "a.txt", "Method": "GET", "SignHost": False}, None),
    ("presign-sign-host-off-with-headers", {"Key": "up.bin", "Method": "PUT", "SignHost": False,
                                            "Headers": {"Content-Type": "text/plain"}}, None),
    ("presign-host-header", {"Key": "a.txt", "Method": "GET",
                             "Headers": {"Host": "cdn.example.com"}}, None),
    ("presign-token-param", {"Key": "a.txt", "Method": "GET",
                             "Params": {"x-cos-security-token": "tok+/="}}, "tok+/="),
    ("presign-any-params", {"Key": "dir/中 1.txt", "Method": "GET", "Expired": 60,
                            "Params": {"response-content-disposition": "attachment; filename=中.txt",
                                       "a b/c~": "", "UPPER": "Value", "中文": "值"}}, None),
]


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    meta = {"sdk": {"name": "cos-python-sdk-v5", "version": qcloud_cos.__version__
                    if hasattr(qcloud_cos, "__version__") else "1.9.44"},
            "schema": "shared/vectors/README.md"}
    request_cases, response_cases, presign_cases = [], [], []
    for case_id, operation, kwargs, answer in CASES:
        sent, result, error = call(operation, dict(kwargs), answer)
        served = [{"status": answer[0], "headers": [list(h) for h in answer[1]],
                   "body_utf8": answer[2].decode("utf-8")}] if sent else []
        all_kwargs = dict(kwargs, Bucket=BUCKET)
        request_cases.append({"id": case_id, "operation": operation, "config": config_record(),
                              "now": NOW, "kwargs": all_kwargs, "requests": sent,
                              "responses_served": served,
                              "error": error_record(error) if error else None})
        if sent and answer[2] and operation != "get_object":
            response_cases.append({
                "id": case_id, "operation": operation, "kwargs": all_kwargs,
                "request": {"method": sent[0]["method"], "target": sent[0]["target"]},
                "response": {"status": answer[0],
                             "headers": [list(h) for h in answer[1]]
                             + [["Content-Length", str(len(answer[2]))]],
                             "body_base64": b64(answer[2])},
                "result": jsonable(result), "error": error_record(error) if error else None})
    for case_id, kwargs, token in PRESIGN:
        adapter = Answer(*OK)
        cos = client(adapter, token)
        expired = kwargs.get("Expired", 300)
        with mock.patch("qcloud_cos.cos_auth.time.time", return_value=NOW):
            url = cos.get_presigned_url(Bucket=BUCKET, **kwargs)
        presign_cases.append({"id": case_id, "function": "get_presigned_url",
                              "call_kwargs": dict(kwargs, Bucket=BUCKET),
                              "config": config_record(token), "now": NOW,
                              "expire_seconds": expired, "url": url})
    for name, cases in (("requests.json", request_cases), ("responses.json", response_cases),
                        ("presign.json", presign_cases)):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            json.dump({"meta": dict(meta, file=name, case_count=len(cases)), "cases": cases}, f,
                      ensure_ascii=False, indent=1)
    print("sdk_vectors: %d request, %d response and %d presign cases in %s"
          % (len(request_cases), len(response_cases), len(presign_cases), out_dir))


if __name__ == "__main__":
    main(sys.argv[1])
