#!/usr/bin/env python3
"""Client-side encryption interop between the official Python SDK and cos-rs.

    encryption.py write --endpoint URL --secret-id ID --secret-key KEY --dir DIR
    encryption.py read  --endpoint URL --secret-id ID --secret-key KEY --dir DIR

`write` generates this run's master keys in DIR (an AES key as Base64 in `aes.key`; an
RSA-2048 pair in `rsa-private.pem` and `rsa-public.pem`), then writes encrypted objects
with `CosEncryptionClient` (AESProvider and RSAProvider from key files; a simple put, a
multipart upload by hand with 1 MiB parts, another with parts of 1 MiB + 7 bytes (not a
multiple of 16: the SDK's CTR state simply continues across parts), and `upload_file`),
their plaintexts beside the keys, and
`python-objects.json` listing them: cos-rs reads them next (`cargo xtask interop`).

`read` reads the objects cos-rs wrote in the Python-compatible format (listed in
`rust-objects.json`) with `CosEncryptionClient`, whole and ranged, and compares them with
the plaintexts.

Prints one line per check (`ok   name` or `FAIL name: reason`) and ends with
`N passed, M failed`; exits 1 if any check failed.
"""

from __future__ import print_function

import argparse
import base64
import json
import os
import sys
import traceback
from urllib.parse import urlparse

from Crypto.PublicKey import RSA
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_encryption_client import CosEncryptionClient
from qcloud_cos.crypto import AESCTRCipher, AESProvider, RSAProvider

BUCKET = "cryptobucket-1250000000"
REGION = "ap-guangzhou"
MIB = 1024 * 1024
ODD_PART = MIB + 7  # not a multiple of the AES block


def config(args):
    port = urlparse(args.endpoint).port
    return CosConfig(Region=REGION, SecretId=args.secret_id, SecretKey=args.secret_key, Token=None,
                     Scheme="http", IP="127.0.0.1", Port=port)


def providers(workdir):
    """Each provider gets a cipher of its own (the SDK's default argument is shared)."""
    with open(os.path.join(workdir, "aes.key")) as fp:
        aes = AESProvider(aes_key=fp.read().strip(), cipher=AESCTRCipher())
    pair = RSAProvider.get_rsa_key_pair_path(os.path.join(workdir, "rsa-public.pem"),
                                              os.path.join(workdir, "rsa-private.pem"))
    rsa = RSAProvider(key_pair_info=pair, cipher=AESCTRCipher())
    return {"aes": aes, "rsa": rsa}


def generate_keys(workdir):
    with open(os.path.join(workdir, "aes.key"), "w") as fp:
        fp.write(base64.b64encode(os.urandom(32)).decode())
    key = RSA.generate(2048)
    with open(os.path.join(workdir, "rsa-private.pem"), "wb") as fp:
        fp.write(key.export_key())
    with open(os.path.join(workdir, "rsa-public.pem"), "wb") as fp:
        fp.write(key.publickey().export_key())


class Checks(object):
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def run(self, name, fn):
        try:
            fn()
        except Exception as err:  # noqa: BLE001 - every failure is reported
            self.failed += 1
            print("FAIL %s: %s: %s" % (name, type(err).__name__, err))
            if self.verbose:
                traceback.print_exc(file=sys.stdout)
            return False
        self.passed += 1
        print("ok   %s" % name)
        return True

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def write(args):
    os.makedirs(args.dir, exist_ok=True)
    generate_keys(args.dir)
    plain = CosS3Client(config(args))
    try:
        plain.create_bucket(Bucket=BUCKET)
    except Exception:  # noqa: BLE001 - already there from an earlier run
        pass
    checks = Checks(args.verbose)
    objects = []
    for name, provider in sorted(providers(args.dir).items()):
        client = CosEncryptionClient(config(args), provider)

        def simple(name=name, client=client):
            data = os.urandom(100 * 1000 + 7)
            key = "python/%s/simple.bin" % name
            client.put_object(Bucket=BUCKET, Body=data, Key=key)
            objects.append(record(args.dir, key, name, data))

        def by_hand(name=name, client=client, part_size=MIB, suffix="", size=2 * MIB + 333):
            data = os.urandom(size)
            key = "python/%s/multipart%s.bin" % (name, suffix)
            upload_id = client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
            parts = []
            # In order, one at a time: the parts share the provider's CTR state.
            for number, start in enumerate(range(0, len(data), part_size), 1):
                out = client.upload_part(Bucket=BUCKET, Key=key,
                                         Body=data[start:start + part_size],
                                         PartNumber=number, UploadId=upload_id)
                parts.append({"ETag": out["ETag"], "PartNumber": number})
            client.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id,
                                             MultipartUpload={"Part": parts})
            objects.append(record(args.dir, key, name, data))

        def by_hand_odd(name=name, client=client):
            by_hand(name, client, part_size=ODD_PART, suffix="-odd", size=2 * ODD_PART + 333)

        def upload_file(name=name, client=client):
            data = os.urandom(2 * MIB + MIB // 2 + 1)
            key = "python/%s/upload_file.bin" % name
            path = os.path.join(args.dir, "source-%s.bin" % name)
            with open(path, "wb") as fp:
                fp.write(data)
            # One thread: the SDK's parts share one CTR state (see the reference, 6.5).
            client.upload_file(Bucket=BUCKET, Key=key, LocalFilePath=path, PartSize=1, MAXThread=1)
            objects.append(record(args.dir, key, name, data))

        checks.run("encryption: python %s put_object" % name, simple)
        checks.run("encryption: python %s multipart by hand" % name, by_hand)
        checks.run("encryption: python %s multipart by hand, parts of %d bytes" % (name, ODD_PART),
                   by_hand_odd)
        checks.run("encryption: python %s upload_file" % name, upload_file)
    with open(os.path.join(args.dir, "python-objects.json"), "w") as fp:
        json.dump({"bucket": BUCKET, "objects": objects}, fp, indent=1)
    return checks.finish()


def record(workdir, key, provider, data):
    path = os.path.join(workdir, key.replace("/", "_") + ".plain")
    with open(path, "wb") as fp:
        fp.write(data)
    return {"key": key, "provider": provider, "plaintext": path}


def download(client, bucket, key, workdir, **kwargs):
    """The decrypted object (the Body's raw stream would be the ciphertext)."""
    path = os.path.join(workdir, "download.out")
    client.get_object(Bucket=bucket, Key=key, **kwargs)["Body"].get_stream_to_file(path)
    with open(path, "rb") as fp:
        return fp.read()


def read(args):
    with open(os.path.join(args.dir, "rust-objects.json")) as fp:
        manifest = json.load(fp)
    clients = {name: CosEncryptionClient(config(args), provider)
               for name, provider in providers(args.dir).items()}
    checks = Checks(args.verbose)
    for item in manifest["objects"]:
        def check(item=item):
            with open(item["plaintext"], "rb") as fp:
                want = fp.read()
            client = clients[item["provider"]]
            got = download(client, manifest["bucket"], item["key"], args.dir)
            if got != want:
                raise AssertionError("whole object differs (%d bytes, expected %d)" % (len(got), len(want)))
            ranges = [(5, min(len(want) - 1, 5 + 70000))]
            if len(want) > MIB + 40:
                ranges.append((MIB, MIB + 40))  # across the odd parts' first boundary
            for first, last in ranges:
                part = download(client, manifest["bucket"], item["key"], args.dir,
                                Range="bytes=%d-%d" % (first, last))
                if part != want[first:last + 1]:
                    raise AssertionError("range bytes=%d-%d differs" % (first, last))
        checks.run("encryption: python reads %s (%s)" % (item["key"], item["provider"]), check)
    return checks.finish()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("step", choices=["write", "read"])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--secret-id", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--verbose", "-v", action="store_true")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    return write(args) if args.step == "write" else read(args)


if __name__ == "__main__":
    sys.exit(main())
