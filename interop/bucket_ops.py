#!/usr/bin/env python3
"""Bucket interop: the official Python SDK calls every bucket operation against the emulator.

    bucket_ops.py --endpoint URL --secret-id ID --secret-key KEY --vectors FILE [--only NAME]...

FILE is `shared/vectors/bucket/requests.json`: every configuration is sent with the keyword
arguments the golden vectors were made with (so nothing is copied by hand), to a fresh bucket.
With `cos-python-sdk-v5==1.9.44` in IP mode (as `seed_snippets.py`), each check:

* creates buckets (plain and with ACL and grant headers), finds them with `head_bucket`,
  `bucket_exists` and `list_buckets` (GET Service ignores IP mode, so that client reaches the
  emulator as an HTTP proxy), reads `get_bucket_location`, and gets COS's 409 for a second
  create;
* for every sub-resource (versioning, lifecycle, CORS, policy, tagging, ACL, referer, website,
  logging, encryption, replication, inventory, domain, intelligent tiering v1 and v2, object
  lock): puts the vector's configuration, reads it back and compares it with what was put
  (the SDK's dicts: one element or a list, numbers as text, COS may add defaults), deletes
  it where COS can, and then gets COS's 404 for it;
* refuses to delete a bucket that holds an object, or (versioning being on) only its versions
  and delete marker (`409 BucketNotEmpty`), then deletes it and finds it gone (`head_bucket`
  404).

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

from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError

REGION = "ap-guangzhou"
APPID = "1250000000"


class Check(Exception):
    pass


def ensure(cond, message):
    if not cond:
        raise Check(message)


def norm(value):
    """The SDK's dicts as comparable values: numbers and booleans as text, lists kept."""
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def contains(got, put, where="$"):
    """Every value put is in what came back (a single element may come back as a one-item
    list and the other way round; COS may add elements)."""
    if isinstance(put, dict):
        if isinstance(got, list) and len(got) == 1:
            got = got[0]
        ensure(isinstance(got, dict), "%s: put a mapping, got %r" % (where, got))
        for key, value in put.items():
            if key.startswith("@"):
                continue
            ensure(key in got, "%s.%s: missing from %r" % (where, key, got))
            contains(got[key], value, "%s.%s" % (where, key))
    elif isinstance(put, list):
        items = got if isinstance(got, list) else [got]
        ensure(len(items) == len(put), "%s: put %d items, got %r" % (where, len(put), got))
        for i, (g, p) in enumerate(zip(items, put)):
            contains(g, p, "%s[%d]" % (where, i))
    else:
        if isinstance(got, list) and len(got) == 1:
            got = got[0]
        ensure(got == put, "%s: put %r, got %r" % (where, put, got))


def expect_error(call, status, codes):
    try:
        call()
    except CosServiceError as err:
        ensure(err.get_status_code() == status, "status %s (%s), expected %s" % (
            err.get_status_code(), err.get_error_code(), status))
        ensure(err.get_error_code() in codes, "code %s, expected one of %s" % (err.get_error_code(), codes))
        return
    raise Check("no error; expected %s %s" % (status, codes))


class Env(object):
    def __init__(self, args):
        self.port = urlparse(args.endpoint).port
        self.client = CosS3Client(CosConfig(Region=REGION, SecretId=args.secret_id,
                                            SecretKey=args.secret_key, Scheme="http",
                                            IP="127.0.0.1", Port=self.port), retry=0)
        # GET Service ignores IP mode (it always goes to service.cos.myqcloud.com): through
        # the emulator as an HTTP proxy instead, no name is ever resolved.
        self.service = CosS3Client(CosConfig(Region=REGION, SecretId=args.secret_id,
                                             SecretKey=args.secret_key, Scheme="http",
                                             Proxies={"http": "http://127.0.0.1:%d" % self.port}),
                                   retry=0)
        with open(args.vectors) as fp:
            self.cases = {c["id"]: c for c in json.load(fp)["cases"]}
        self.bucket = "interop%d-%s" % (int(time.time() * 1000) % 10 ** 9, APPID)

    def kwargs(self, case_id, bucket=None):
        kwargs = json.loads(json.dumps(self.cases[case_id]["kwargs"]))
        kwargs["Bucket"] = bucket or self.bucket
        return kwargs


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def create_head_exists(env):
    env.client.create_bucket(**env.kwargs("create_bucket-minimal"))
    headers = env.client.head_bucket(Bucket=env.bucket)
    ensure(isinstance(headers, dict), "head_bucket answered %r" % (headers,))
    ensure(env.client.bucket_exists(Bucket=env.bucket) is True, "bucket_exists is not True")
    ensure(env.client.bucket_exists(Bucket="nosuchbucket-" + APPID) is False,
           "bucket_exists of a missing bucket is not False")


@check
def create_twice_is_a_conflict(env):
    expect_error(lambda: env.client.create_bucket(Bucket=env.bucket), 409,
                 ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"))


@check
def create_with_acl_and_grants(env):
    other = "g" + env.bucket
    env.client.create_bucket(**env.kwargs("create_bucket-acl-grants", other))
    acl = env.client.get_bucket_acl(Bucket=other)
    ensure("Owner" in acl and "AccessControlList" in acl, "get_bucket_acl answered %r" % (acl,))
    env.client.delete_bucket(Bucket=other)


@check
def list_buckets_finds_it(env):
    listing = env.service.list_buckets()
    buckets = listing.get("Buckets") or {}
    items = buckets.get("Bucket") or []
    items = items if isinstance(items, list) else [items]
    names = [b.get("Name") for b in items]
    ensure(env.bucket in names, "%s not in %r" % (env.bucket, names))
    ensure("Owner" in listing, "no Owner in %r" % (listing,))


@check
def location(env):
    got = env.client.get_bucket_location(Bucket=env.bucket)
    ensure(got.get("LocationConstraint") == REGION, "answered %r" % (got,))


def round_trip(env, put_case, get, put_key, delete=None, missing=None, get_args=None):
    """Puts the vector's configuration, reads it back, deletes it, and gets COS's 404."""
    kwargs = env.kwargs(put_case)
    method = env.cases[put_case]["operation"]
    getattr(env.client, method)(**kwargs)
    get_kwargs = dict(Bucket=env.bucket, **(get_args or {}))
    got = getattr(env.client, get)(**get_kwargs)
    put = kwargs[put_key] if put_key else kwargs
    contains(norm(got), norm(put))
    if delete:
        getattr(env.client, delete)(**get_kwargs)
        if missing:
            expect_error(lambda: getattr(env.client, get)(**get_kwargs), 404, missing)


@check
def versioning(env):
    got = env.client.get_bucket_versioning(Bucket=env.bucket)
    ensure(not got.get("Status"), "a new bucket has versioning %r" % (got,))
    env.client.put_bucket_versioning(**env.kwargs("put_bucket_versioning-enabled"))
    got = env.client.get_bucket_versioning(Bucket=env.bucket)
    ensure(got.get("Status") == "Enabled", "answered %r" % (got,))


@check
def lifecycle(env):
    for case in ("put_bucket_lifecycle-expiration-days", "put_bucket_lifecycle-tag-filter"):
        round_trip(env, case, "get_bucket_lifecycle", "LifecycleConfiguration",
                   "delete_bucket_lifecycle", ("NoSuchLifecycleConfiguration",))


@check
def cors(env):
    round_trip(env, "put_bucket_cors-single", "get_bucket_cors", "CORSConfiguration",
               "delete_bucket_cors", ("NoSuchCORSConfiguration",))


@check
def policy(env):
    for case in ("put_bucket_policy-dict", "put_bucket_policy-str"):
        kwargs = env.kwargs(case)
        env.client.put_bucket_policy(**kwargs)
        got = env.client.get_bucket_policy(Bucket=env.bucket)
        put = kwargs["Policy"]
        put = json.loads(put) if isinstance(put, str) else put
        ensure(json.loads(got["Policy"]) == put, "put %r, got %r" % (put, got))
        env.client.delete_bucket_policy(Bucket=env.bucket)
        expect_error(lambda: env.client.get_bucket_policy(Bucket=env.bucket), 404,
                     ("NoSuchBucketPolicy", "PolicyNotFound"))


@check
def tagging(env):
    round_trip(env, "put_bucket_tagging-multi", "get_bucket_tagging", "Tagging",
               "delete_bucket_tagging", ("NoSuchTagSet", "NoSuchTagSetError"))


@check
def acl(env):
    env.client.put_bucket_acl(**env.kwargs("put_bucket_acl-headers"))
    got = env.client.get_bucket_acl(Bucket=env.bucket)
    ensure("AccessControlList" in got, "answered %r" % (got,))
    round_trip(env, "put_bucket_acl-body", "get_bucket_acl", "AccessControlPolicy")


@check
def referer(env):
    round_trip(env, "put_bucket_referer-whitelist", "get_bucket_referer", "RefererConfiguration",
               "delete_bucket_referer")


@check
def website(env):
    kwargs = env.kwargs("put_bucket_website-full")
    env.client.put_bucket_website(**kwargs)
    got = env.client.get_bucket_website(Bucket=env.bucket)
    put = dict(kwargs["WebsiteConfiguration"])
    rules = put.pop("RoutingRules", [])
    contains(norm(got), norm(put))
    contains(norm(got.get("RoutingRules")), norm(rules), "$.RoutingRules")
    env.client.delete_bucket_website(Bucket=env.bucket)
    expect_error(lambda: env.client.get_bucket_website(Bucket=env.bucket), 404,
                 ("NoSuchWebsiteConfiguration",))


@check
def logging(env):
    round_trip(env, "put_bucket_logging-enabled", "get_bucket_logging", "BucketLoggingStatus")


@check
def encryption(env):
    round_trip(env, "put_bucket_encryption-aes256", "get_bucket_encryption",
               "ServerSideEncryptionConfiguration", "delete_bucket_encryption",
               ("NoSuchEncryptionConfiguration",))


@check
def replication(env):
    round_trip(env, "put_bucket_replication-single", "get_bucket_replication",
               "ReplicationConfiguration", "delete_bucket_replication",
               ("ReplicationConfigurationNotFoundError",))


@check
def inventory(env):
    kwargs = env.kwargs("put_bucket_inventory-full")
    round_trip(env, "put_bucket_inventory-full", "get_bucket_inventory", "InventoryConfiguration",
               get_args={"Id": kwargs["Id"]})
    listing = env.client.list_bucket_inventory_configurations(Bucket=env.bucket)
    ensure(kwargs["Id"] in json.dumps(listing), "%s not listed in %r" % (kwargs["Id"], listing))
    env.client.post_bucket_inventory(**env.kwargs("post_bucket_inventory"))
    env.client.delete_bucket_inventory(Bucket=env.bucket, Id=kwargs["Id"])
    expect_error(lambda: env.client.get_bucket_inventory(Bucket=env.bucket, Id=kwargs["Id"]), 404,
                 ("InventoryConfigurationNotFoundError",))


@check
def domain(env):
    round_trip(env, "put_bucket_domain", "get_bucket_domain", "DomainConfiguration",
               "delete_bucket_domain", ("NoSuchDomainConfiguration", "NoSuchDomain"))


@check
def intelligent_tiering(env):
    round_trip(env, "put_bucket_intelligenttiering", "get_bucket_intelligenttiering",
               "IntelligentTieringConfiguration")
    kwargs = env.kwargs("put_bucket_intelligenttiering_v2")
    round_trip(env, "put_bucket_intelligenttiering_v2", "get_bucket_intelligenttiering_v2",
               "IntelligentTieringConfiguration", get_args={"Id": kwargs["Id"]})
    listing = env.client.list_bucket_intelligenttiering_configurations(Bucket=env.bucket)
    ensure(kwargs["Id"] in json.dumps(listing), "%s not listed in %r" % (kwargs["Id"], listing))


@check
def object_lock(env):
    round_trip(env, "put_bucket_object_lock", "get_bucket_object_lock", "ObjectLockConfiguration")


@check
def delete_needs_an_empty_bucket(env):
    env.client.put_object(Bucket=env.bucket, Key="keep.txt", Body=b"x")
    expect_error(lambda: env.client.delete_bucket(Bucket=env.bucket), 409, ("BucketNotEmpty",))
    env.client.delete_object(Bucket=env.bucket, Key="keep.txt")
    # Versioning is on (above): the object's version and its delete marker still count.
    expect_error(lambda: env.client.delete_bucket(Bucket=env.bucket), 409, ("BucketNotEmpty",))
    listing = env.client.list_objects_versions(Bucket=env.bucket)
    for kind in ("Version", "DeleteMarker"):
        items = listing.get(kind) or []
        for item in items if isinstance(items, list) else [items]:
            env.client.delete_object(Bucket=env.bucket, Key=item["Key"], VersionId=item["VersionId"])
    env.client.delete_bucket(Bucket=env.bucket)
    expect_error(lambda: env.client.head_bucket(Bucket=env.bucket), 404,
                 ("NoSuchBucket", "NoSuchResource", "NoSuchKey", ""))
    ensure(env.client.bucket_exists(Bucket=env.bucket) is False, "the deleted bucket exists")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--secret-id", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--vectors", required=True)
    p.add_argument("--only", action="append", default=[])
    p.add_argument("--verbose", "-v", action="store_true")
    args = p.parse_args(argv)
    env = Env(args)
    passed = failed = 0
    for fn in CHECKS:
        name = "bucket_" + fn.__name__
        if args.only and not any(o in name for o in args.only):
            continue
        try:
            fn(env)
        except Exception as err:  # every failure is reported, the run goes on
            failed += 1
            print("FAIL %s: %s: %s" % (name, type(err).__name__, err))
            if args.verbose:
                traceback.print_exc()
        else:
            passed += 1
            print("ok   %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
