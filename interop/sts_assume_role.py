#!/usr/bin/env python3
"""STS interop: the official Python Cloud API SDK asks the emulator for temporary keys.

    sts_assume_role.py --endpoint URL --secret-id ID --secret-key KEY --out FILE

With `tencentcloud-sdk-python-sts` (`StsClient`, `HttpProfile(endpoint="127.0.0.1:PORT",
protocol="http")`, POST with a JSON body, TC3-HMAC-SHA256) and the emulator's long-term
keys it calls `AssumeRole`, writes the temporary keys to FILE as JSON (`TmpSecretId`,
`TmpSecretKey`, `Token`, `ExpiredTime`, `Expiration`) for cos-rs to use on COS next
(`cargo xtask interop`), and checks what the SDK makes of the emulator's answers:

* the keys and their expiry (`DurationSeconds=900`);
* a wrong secret key raises `TencentCloudSDKException` `AuthFailure.SignatureFailure`
  with the request id (the SDK only reads errors under `Content-Type: application/json`);
* the temporary keys sign a call themselves (`X-TC-Token`);
* `AssumeRoleWithWebIdentity` unsigned (`Authorization: SKIP`), as the SDK's
  `OIDCRoleArnCredential` sends it (`CommonClient.call_json` with `SkipSign`).

Prints one line per check (`ok   name` or `FAIL name: reason`) and ends with
`N passed, M failed`; exits 1 if any check failed.
"""

from __future__ import print_function

import argparse
import json
import sys
import time
import traceback
from urllib.parse import urlparse

from tencentcloud.common import credential
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sts.v20180813 import models, sts_client

REGION = "ap-guangzhou"
ROLE_ARN = "qcs::cam::uin/100000000001:roleName/cos-rs-interop"
DURATION = 900


def profile(args):
    http = HttpProfile(endpoint=urlparse(args.endpoint).netloc, protocol="http", reqMethod="POST")
    return ClientProfile(httpProfile=http)


def client(args, cred):
    return sts_client.StsClient(cred, REGION, profile(args))


def assume_role(args, cred, session):
    request = models.AssumeRoleRequest()
    request.RoleArn = ROLE_ARN
    request.RoleSessionName = session
    request.DurationSeconds = DURATION
    return client(args, cred).AssumeRole(request)


def check_keys(creds, expired_time, expiration, request_id):
    now = int(time.time())
    assert creds.TmpSecretId.startswith("AKID"), creds.TmpSecretId
    assert creds.TmpSecretKey and creds.Token, "empty key or token"
    assert now + DURATION - 60 <= expired_time <= now + DURATION + 60, (expired_time, now)
    assert expiration.endswith("Z") and "T" in expiration, expiration
    assert request_id, "no RequestId"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--secret-id", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    results = []

    def check(name, fn):
        try:
            fn()
            results.append(True)
            print("ok   " + name)
        except Exception as e:  # noqa: BLE001 -- every failure is a failed check
            results.append(False)
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
            traceback.print_exc(file=sys.stderr)

    issued = {}

    def long_term_keys():
        resp = assume_role(args, credential.Credential(args.secret_id, args.secret_key), "interop-1")
        check_keys(resp.Credentials, resp.ExpiredTime, resp.Expiration, resp.RequestId)
        issued.update({
            "TmpSecretId": resp.Credentials.TmpSecretId,
            "TmpSecretKey": resp.Credentials.TmpSecretKey,
            "Token": resp.Credentials.Token,
            "ExpiredTime": resp.ExpiredTime,
            "Expiration": resp.Expiration,
        })
        with open(args.out, "w") as fp:
            json.dump(issued, fp)

    def wrong_key():
        try:
            assume_role(args, credential.Credential(args.secret_id, "not-the-key"), "interop-2")
        except TencentCloudSDKException as e:
            assert e.get_code() == "AuthFailure.SignatureFailure", e.get_code()
            assert e.get_request_id(), "no request id"
            return
        raise AssertionError("the call succeeded")

    def temporary_keys():
        assert issued, "no keys were issued"
        cred = credential.Credential(issued["TmpSecretId"], issued["TmpSecretKey"], issued["Token"])
        resp = assume_role(args, cred, "interop-3")
        check_keys(resp.Credentials, resp.ExpiredTime, resp.Expiration, resp.RequestId)
        assert resp.Credentials.TmpSecretId != issued["TmpSecretId"], "the same keys again"

    def web_identity():
        common = CommonClient(credential=None, region=REGION, version="2018-08-13", service="sts",
                              profile=profile(args))
        params = {
            "ProviderId": "OIDC",
            "WebIdentityToken": "interop-jwt",
            "RoleArn": ROLE_ARN,
            "RoleSessionName": "interop-4",
            "DurationSeconds": DURATION,
        }
        rsp = common.call_json("AssumeRoleWithWebIdentity", params, options={"SkipSign": True})
        keys = rsp["Response"]["Credentials"]
        assert keys["TmpSecretId"].startswith("AKID") and keys["Token"], rsp

    check("sts: python StsClient AssumeRole with long-term keys", long_term_keys)
    check("sts: python StsClient gets AuthFailure.SignatureFailure for a wrong key", wrong_key)
    check("sts: python StsClient AssumeRole signed with the temporary keys", temporary_keys)
    check("sts: python AssumeRoleWithWebIdentity unsigned (SkipSign)", web_identity)

    passed = sum(results)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
