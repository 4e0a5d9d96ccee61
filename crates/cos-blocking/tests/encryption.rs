//! Client-side encryption against the in-process emulator: both formats, both key kinds,
//! ranged reads, multipart parts in reverse order, metadata, and the refusals.
#![cfg(feature = "crypto")]
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::sync::Arc;

use cos_blocking::cos_crypto::{
    AesMasterKey, CryptoError, Format, MasterKey, PlaintextInfo, RsaMasterKey,
};
use cos_blocking::{Client, EncryptionClient, Error, StaticCredentials, UploadBody};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::ops::{
    ByteRange, CompleteMultipartUpload, GetObject, HeadObject, InitiateMultipartUpload, PutObject,
    UploadPart,
};
use cos_proto::{Config, Credentials};

const BUCKET: &str = "examplebucket-1250000000";
const RSA_A: &str = include_str!("../../cos-crypto/tests/keys/test-rsa-a.pkcs8.pem");
const RSA_B: &str = include_str!("../../cos-crypto/tests/keys/test-rsa-b.pkcs8.pem");

fn credentials() -> Credentials {
    Credentials::new("AKIDENCRYPTIONTEST", "encryption-test-secret").unwrap()
}

fn start() -> (Emulator, Client) {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .bucket(BUCKET, false)
            .min_part_size(16)
            .credentials(credentials()),
    )
    .unwrap();
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(emulator.authority())
        .build()
        .unwrap();
    let client = Client::builder(config)
        .credentials(StaticCredentials::new(credentials()))
        .proxy_from_env(false)
        .build()
        .unwrap();
    (emulator, client)
}

fn aes(byte: u8) -> Arc<dyn MasterKey + Send + Sync> {
    Arc::new(AesMasterKey::from_bytes(&[byte; 32]).unwrap())
}

fn rsa(pem: &str) -> Arc<dyn MasterKey + Send + Sync> {
    Arc::new(RsaMasterKey::from_pem(pem).unwrap())
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn read_all(secure: &EncryptionClient, get: &GetObject) -> Result<Vec<u8>, std::io::Error> {
    let (_, mut body) = secure.get_object(get).map_err(Error::into_io)?;
    let mut out = Vec::new();
    body.read_to_end(&mut out)?;
    Ok(out)
}

fn crypto_error(err: &Error) -> &CryptoError {
    match err {
        Error::Encryption(inner) => inner.downcast_ref::<CryptoError>().unwrap(),
        other => panic!("not an encryption error: {other:?}"),
    }
}

#[test]
fn round_trips_in_both_formats_with_both_key_kinds() {
    let (_emulator, client) = start();
    let plain = data(1000);
    let dir = tempfile::tempdir().unwrap();
    for format in [Format::V2, Format::PythonCompatible] {
        for (kind, master) in [("aes", aes(1)), ("rsa", rsa(RSA_A))] {
            let key = format!("rt/{format:?}-{kind}");
            let secure = EncryptionClient::new(client.clone(), master, format);
            let put = PutObject::new(&key, Some(plain.len() as u64))
                .content_type("application/octet-stream")
                .metadata("x-cos-meta-owner", "alice");
            secure.put_object(&put, plain.clone()).unwrap();

            // Stored encrypted, with the caller's metadata and the envelope.
            let (_, mut raw) = client.get_object(&GetObject::new(&key)).unwrap();
            let mut stored = Vec::new();
            raw.read_to_end(&mut stored).unwrap();
            assert_eq!(stored.len(), plain.len());
            assert_ne!(stored, plain);
            let info = secure.head_object(&HeadObject::new(&key)).unwrap();
            assert_eq!(info.content_length, Some(1000));
            assert!(
                info.metadata
                    .contains(&("x-cos-meta-owner".into(), "alice".into()))
            );

            assert_eq!(read_all(&secure, &GetObject::new(&key)).unwrap(), plain);
            let path = dir.path().join(format!("{format:?}-{kind}"));
            secure
                .get_object_to_file(&GetObject::new(&key), &path)
                .unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), plain);
        }
    }
}

#[test]
fn ranged_reads_decrypt_any_span() {
    let (_emulator, client) = start();
    let plain = data(300);
    for format in [Format::V2, Format::PythonCompatible] {
        let secure = EncryptionClient::new(client.clone(), aes(2), format);
        let key = format!("range/{format:?}");
        secure
            .put_object(&PutObject::new(&key, Some(300)), plain.clone())
            .unwrap();
        for (range, want) in [
            ("bytes=0-0", &plain[0..1]),
            ("bytes=5-40", &plain[5..41]),
            ("bytes=16-31", &plain[16..32]),
            ("bytes=31-32", &plain[31..33]),
            ("bytes=250-", &plain[250..]),
            ("bytes=-7", &plain[293..]),
        ] {
            let get = GetObject::new(&key).range(ByteRange::parse(range).unwrap());
            let (output, mut body) = secure.get_object(&get).unwrap();
            assert_eq!(
                output.info.content_length,
                Some(want.len() as u64),
                "{range}"
            );
            let mut got = Vec::new();
            body.read_to_end(&mut got).unwrap();
            assert_eq!(got, want, "{range} ({format:?})");
        }
    }
}

/// A Python-compatible multipart upload with parts of 1000 bytes (not a multiple of 16,
/// as the Python SDK allows) reads back whole and at any range: suffix, open, past the
/// end.
#[test]
fn python_parts_of_any_size_read_whole_and_at_any_range() {
    let (_emulator, client) = start();
    let plain = data(2523);
    let secure = EncryptionClient::new(client, aes(6), Format::PythonCompatible);
    let key = "mp/python-1000";
    let info = PlaintextInfo::new().multipart(1000);
    let init = InitiateMultipartUpload::new(key);
    let (_, upload) = secure.create_multipart_upload(&init, info).unwrap();
    let mut parts = Vec::new();
    for (number, offset, len) in cos_conformance::transfer::part_spans(plain.len(), 1000) {
        let op = UploadPart::new(key, upload.upload_id(), number, Some(len));
        let body = plain[offset as usize..(offset + len) as usize].to_vec();
        let out = secure.upload_part(&upload, &op, body).unwrap();
        parts.push((number, out.etag));
    }
    let complete = CompleteMultipartUpload::new(key, upload.upload_id()).parts(parts);
    secure.complete_multipart_upload(&complete).unwrap();
    assert_eq!(read_all(&secure, &GetObject::new(key)).unwrap(), plain);
    for (range, want) in cos_conformance::transfer::ranges_across_parts(plain.len(), 1000) {
        let get = GetObject::new(key).range(ByteRange::parse(&range).unwrap());
        assert_eq!(read_all(&secure, &get).unwrap(), plain[want], "{range}");
    }
    // Nothing of the object in the range: COS's 416, an error, not a panic.
    let past = GetObject::new(key).range(ByteRange::parse("bytes=5000-").unwrap());
    assert!(read_all(&secure, &past).is_err());
}

/// The Go-compatible format: the IV wrapped by the master key in `-start`, read back
/// whole and at odd ranges, with both key kinds.
#[test]
fn go_compatible_objects_round_trip() {
    let (_emulator, client) = start();
    let plain = data(777);
    let rsa_go: Arc<dyn MasterKey + Send + Sync> = Arc::new(
        RsaMasterKey::from_pem(RSA_A)
            .unwrap()
            .with_oaep_mgf1(cos_blocking::cos_crypto::OaepMgf1::Sha256),
    );
    for (kind, master, start_len) in [("aes", aes(7), 32), ("rsa", rsa_go, 344)] {
        let secure = EncryptionClient::new(client.clone(), master, Format::GoCompatible);
        let key = format!("go/{kind}");
        let put = PutObject::new(&key, Some(plain.len() as u64));
        secure.put_object(&put, plain.clone()).unwrap();
        let info = secure.head_object(&HeadObject::new(&key)).unwrap();
        let start = info
            .headers
            .get("x-cos-meta-client-side-encryption-start")
            .unwrap();
        assert_eq!(start.len(), start_len, "a wrapped IV ({kind})");
        assert!(
            !info
                .headers
                .contains_key("x-cos-meta-client-side-encryption-matdesc")
        );
        assert_eq!(read_all(&secure, &GetObject::new(&key)).unwrap(), plain);
        for (range, want) in [("bytes=3-700", &plain[3..701]), ("bytes=-9", &plain[768..])] {
            let get = GetObject::new(&key).range(ByteRange::parse(range).unwrap());
            assert_eq!(read_all(&secure, &get).unwrap(), want, "{range}");
        }
    }
}

#[test]
fn multipart_parts_upload_in_reverse_order_from_a_file() {
    let (_emulator, client) = start();
    let part_size = 64 * 1024;
    let plain = data(3 * part_size + 100);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&plain).unwrap();
    for (format, master) in [(Format::V2, rsa(RSA_A)), (Format::PythonCompatible, aes(3))] {
        let secure = EncryptionClient::new(client.clone(), master, format);
        let key = format!("mp/{format:?}");
        let info = PlaintextInfo::new()
            .length(plain.len() as u64)
            .multipart(part_size as u64);
        let init = InitiateMultipartUpload::new(&key).metadata("x-cos-meta-project", "apollo");
        let (_, upload) = secure.create_multipart_upload(&init, info).unwrap();
        // The first part goes through an upload taken up from its headers (resume).
        let headers = upload.envelope_headers();
        let resumed = secure.resume_upload(&key, upload.upload_id(), &headers, part_size as u64);
        let resumed = resumed.unwrap();
        let mut parts = Vec::new();
        for (number, offset, len) in cos_conformance::transfer::part_spans(plain.len(), part_size)
            .into_iter()
            .rev()
        {
            let body = UploadBody::file_range(file.reopen().unwrap(), offset, len);
            let op = UploadPart::new(&key, upload.upload_id(), number, Some(len));
            let target = if number == 1 { &resumed } else { &upload };
            let out = secure.upload_part(target, &op, body).unwrap();
            parts.push((number, out.etag));
        }
        parts.reverse();
        secure
            .complete_multipart_upload(
                &CompleteMultipartUpload::new(&key, upload.upload_id()).parts(parts),
            )
            .unwrap();
        assert_eq!(read_all(&secure, &GetObject::new(&key)).unwrap(), plain);
        let info = secure.head_object(&HeadObject::new(&key)).unwrap();
        assert!(
            info.metadata
                .contains(&("x-cos-meta-project".into(), "apollo".into()))
        );

        // A part that is not a multiple of the part size (but the last) is refused.
        let op = UploadPart::new(&key, upload.upload_id(), 1, Some(part_size as u64 + 16));
        let err = secure
            .upload_part(&upload, &op, vec![0; part_size + 16])
            .unwrap_err();
        assert!(matches!(
            crypto_error(&err),
            CryptoError::PartDoesNotFit { .. }
        ));
    }
    // Part sizes must be multiples of 16.
    let secure = EncryptionClient::new(client, aes(3), Format::V2);
    let err = secure
        .create_multipart_upload(
            &InitiateMultipartUpload::new("mp/bad"),
            PlaintextInfo::new().multipart(1000),
        )
        .unwrap_err();
    assert!(matches!(
        crypto_error(&err),
        CryptoError::InvalidPartSize(1000)
    ));
}

#[test]
fn plain_objects_and_wrong_keys_fail_closed() {
    let (_emulator, client) = start();
    client
        .put_object(&PutObject::new("plain.txt", Some(5)), "hello")
        .unwrap();
    let secure = EncryptionClient::new(client.clone(), aes(4), Format::V2);
    let err = secure.get_object(&GetObject::new("plain.txt")).unwrap_err();
    assert!(matches!(crypto_error(&err), CryptoError::NotEncrypted));
    assert!(
        err.to_string()
            .contains("no client-side encryption metadata")
    );
    let err = secure
        .head_object(&HeadObject::new("plain.txt"))
        .unwrap_err();
    assert!(matches!(crypto_error(&err), CryptoError::NotEncrypted));

    for (writer, reader) in [(aes(4), aes(5)), (rsa(RSA_A), rsa(RSA_B))] {
        let secure = EncryptionClient::new(client.clone(), writer, Format::V2);
        secure
            .put_object(&PutObject::new("v2.txt", Some(5)), "hello")
            .unwrap();
        let wrong = EncryptionClient::new(client.clone(), reader, Format::V2);
        let err = wrong.get_object(&GetObject::new("v2.txt")).unwrap_err();
        assert!(
            matches!(crypto_error(&err), CryptoError::UnwrapFailed { .. }),
            "{err}"
        );
    }

    // Reserved metadata names belong to the envelope.
    let put = PutObject::new("x", Some(1)).metadata("x-cos-meta-client-side-encryption-key", "k");
    let err = secure.put_object(&put, "x").unwrap_err();
    assert!(matches!(
        crypto_error(&err),
        CryptoError::ReservedMetadata(_)
    ));
}

fn transfer_error_is_crypto(err: &cos_transfer::TransferError) -> &CryptoError {
    match err.client_error() {
        Some(inner) => crypto_error(inner),
        None => panic!("not a request error: {err:?}"),
    }
}

#[test]
fn upload_file_and_download_file_encrypt_resume_and_decrypt() {
    use cos_emulator::FaultRule;
    use cos_transfer::{TransferError, UploadCheckpoint, paths};

    let (emulator, client) = start();
    let dir = tempfile::tempdir().unwrap();
    let options = cos_conformance::transfer::tiny_parts();
    for (format, master) in [(Format::V2, aes(1)), (Format::PythonCompatible, rsa(RSA_A))] {
        let secure = EncryptionClient::new(client.clone(), master, format);
        for size in [0usize, 100, 1000] {
            let key = format!("files/{format:?}-{size}");
            let source = dir.path().join(format!("{format:?}-{size}.bin"));
            std::fs::write(&source, data(size)).unwrap();
            let put = PutObject::new(key.as_str(), None).metadata("x-cos-meta-owner", "alice");
            let up = secure.upload_file(&put, &source, options).unwrap();
            assert_eq!(up.parts, if size >= 256 { 8 } else { 0 }, "{key}");

            // COS holds ciphertext with the envelope and the caller's metadata.
            let info = client.head_object(&HeadObject::new(key.as_str())).unwrap();
            assert_eq!(info.headers["x-cos-meta-owner"], "alice");
            let stored = dir.path().join("stored.bin");
            client
                .download_file(&GetObject::new(key.as_str()), &stored, options)
                .unwrap();
            if size > 0 {
                assert_ne!(std::fs::read(&stored).unwrap(), data(size), "{key}");
            }

            // Both read paths decrypt it: the ranged transfer and a plain GET.
            let back = dir.path().join("back.bin");
            secure
                .download_file(&GetObject::new(key.as_str()), &back, options)
                .unwrap();
            assert_eq!(std::fs::read(&back).unwrap(), data(size), "{key}");
            assert_eq!(
                read_all(&secure, &GetObject::new(key.as_str())).unwrap(),
                data(size)
            );
        }
    }

    // A failed upload keeps an encrypted checkpoint; the next run resumes with the
    // same envelope and the object decrypts whole.
    let secure = EncryptionClient::new(client.clone(), aes(1), Format::V2);
    let source = dir.path().join("resume.bin");
    std::fs::write(&source, data(1000)).unwrap();
    let fault = emulator.faults().add(
        FaultRule::status(400, "InvalidArgument")
            .method("PUT")
            .query_contains("partNumber=6"),
    );
    let put = PutObject::new("files/resume", None);
    secure.upload_file(&put, &source, options).unwrap_err();
    let json = std::fs::read(paths::checkpoint_path(&source)).unwrap();
    let checkpoint = UploadCheckpoint::from_json(&json).unwrap();
    assert!(checkpoint.encryption.is_some());
    assert!(!checkpoint.parts.is_empty());
    emulator.faults().remove(fault);
    let done = secure.upload_file(&put, &source, options).unwrap();
    assert!(done.resumed_bytes > 0, "resumed {}", done.resumed_bytes);
    assert_eq!(
        read_all(&secure, &GetObject::new("files/resume")).unwrap(),
        data(1000)
    );

    // A plain checkpoint is never resumed by an encrypted upload (its parts are
    // plaintext): the same failure with the plain client, then the encrypted run.
    let fault = emulator.faults().add(
        FaultRule::status(400, "InvalidArgument")
            .method("PUT")
            .query_contains("partNumber=6"),
    );
    client.upload_file(&put, &source, options).unwrap_err();
    emulator.faults().remove(fault);
    let done = secure.upload_file(&put, &source, options).unwrap();
    assert_eq!(done.resumed_bytes, 0);
    assert_eq!(
        read_all(&secure, &GetObject::new("files/resume")).unwrap(),
        data(1000)
    );

    // Refusals: a part size off the cipher block, a wrong master key, a plain object.
    let err = secure
        .upload_file(&put, &source, options.part_size(100))
        .unwrap_err();
    assert!(matches!(err, TransferError::InvalidOptions(_)), "{err}");
    let target = dir.path().join("never.bin");
    let wrong = EncryptionClient::new(client.clone(), aes(2), Format::V2);
    let err = wrong
        .download_file(&GetObject::new("files/resume"), &target, options)
        .unwrap_err();
    assert!(matches!(
        transfer_error_is_crypto(&err),
        CryptoError::UnwrapFailed { .. }
    ));
    client
        .put_object(&PutObject::new("files/plain", Some(5)), "hello")
        .unwrap();
    let err = secure
        .download_file(&GetObject::new("files/plain"), &target, options)
        .unwrap_err();
    assert!(matches!(
        transfer_error_is_crypto(&err),
        CryptoError::NotEncrypted
    ));
    assert!(!target.exists());
    assert!(!cos_transfer::paths::temp_path(&target).exists());
}

/// CTR does not authenticate: a flipped ciphertext bit flips a plaintext bit. A v2
/// object records its plaintext CRC-64, so a whole-object read of one served with a byte
/// flipped, and without the CRC64 header that would have caught it, fails with a typed
/// error and writes nothing — whether the object was put from bytes, from a file, or
/// uploaded in parts by `upload_file`.
#[test]
fn a_flipped_ciphertext_byte_is_a_typed_error_on_whole_reads() {
    use cos_emulator::FaultRule;
    let (emulator, client) = start();
    let secure = EncryptionClient::new(client, aes(1), Format::V2);
    let plain = data(100_000);
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    std::fs::write(&source, &plain).unwrap();
    let len = Some(plain.len() as u64);
    secure
        .put_object(&PutObject::new("flip/bytes", len), plain.clone())
        .unwrap();
    secure
        .put_object(
            &PutObject::new("flip/file", len),
            UploadBody::file(&source).unwrap(),
        )
        .unwrap();
    let parts = cos_transfer::TransferOptions::default()
        .multipart_threshold(1)
        .part_size(16 * 1024);
    secure
        .upload_file(&PutObject::new("flip/parts", None), &source, parts)
        .unwrap();
    for key in ["flip/bytes", "flip/file", "flip/parts"] {
        let get = GetObject::new(key);
        assert_eq!(read_all(&secure, &get).unwrap(), plain, "{key}");
        let strip = emulator
            .faults()
            .add(FaultRule::set_header("x-cos-hash-crc64ecma", None));
        let flip = || {
            emulator
                .faults()
                .add(FaultRule::flip_byte(100).method("GET").times(1));
        };
        flip();
        let err = Error::from_io(read_all(&secure, &get).unwrap_err());
        assert!(
            matches!(crypto_error(&err), CryptoError::Crc64Mismatch { .. }),
            "{key}: {err:?}"
        );
        flip();
        let file = dir.path().join("got");
        let err = secure.get_object_to_file(&get, &file).unwrap_err();
        assert!(
            matches!(crypto_error(&err), CryptoError::Crc64Mismatch { .. }),
            "{key}: {err:?}"
        );
        assert!(!file.exists(), "{key}: nothing is written");
        flip();
        let got = secure.download_file(&get, &file, parts);
        assert!(
            matches!(got, Err(cos_transfer::TransferError::Crc64Mismatch { .. })),
            "{key}: {got:?}"
        );
        assert!(!file.exists(), "{key}: nothing is written");
        emulator.faults().remove(strip);
    }
}

/// A ranged read through a proxy that ignores `Range` (or serves another span) is an
/// error, never other plaintext.
#[test]
fn a_ranged_read_answered_with_other_bytes_is_an_error() {
    use cos_emulator::FaultRule;
    let (emulator, client) = start();
    let secure = EncryptionClient::new(client, aes(1), Format::V2);
    let plain = data(10_000);
    secure
        .put_object(
            &PutObject::new("r", Some(plain.len() as u64)),
            plain.clone(),
        )
        .unwrap();
    let get = GetObject::new("r").range(ByteRange::inclusive(100, 199).unwrap());
    assert_eq!(read_all(&secure, &get).unwrap(), &plain[100..200]);
    for rule in [FaultRule::ignore_range(), FaultRule::shift_range(32)] {
        emulator.faults().add(rule.method("GET").times(1));
        match read_all(&secure, &get) {
            Ok(got) => panic!("{} bytes instead of an error", got.len()),
            Err(err) => assert!(err.to_string().contains("asked for"), "{err}"),
        }
    }
}

#[test]
fn a_kms_master_key_wraps_through_the_emulators_kms() {
    let (emulator, client) = start();
    let plain = data(1000);
    let kms = |matdesc: &str| {
        client
            .kms_master_key("kms-cmk-1", "ap-guangzhou")
            .endpoint(emulator.authority(), true)
            .matdesc(matdesc)
            .unwrap()
    };
    for (format, matdesc) in [
        (Format::GoCompatible, "{}"),
        (Format::GoCompatible, r#"{"b":"2","a":"1"}"#),
        (Format::V2, r#"{"app":"billing"}"#),
    ] {
        let secure = EncryptionClient::new(client.clone(), Arc::new(kms(matdesc)), format);
        let key = format!("kms/{format:?}-{}", matdesc.len());
        let put = PutObject::new(&key, Some(plain.len() as u64));
        secure.put_object(&put, plain.clone()).unwrap();
        let info = secure.head_object(&HeadObject::new(&key)).unwrap();
        let header = |name: &str| {
            info.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header("x-cos-meta-client-side-encryption-wrap-alg").as_deref(),
            Some("KMS/TencentCloud")
        );
        assert_eq!(read_all(&secure, &GetObject::new(&key)).unwrap(), plain);
        let get = GetObject::new(&key).range(ByteRange::parse("bytes=100-899").unwrap());
        assert_eq!(read_all(&secure, &get).unwrap(), &plain[100..900]);
        // A KMS that cannot be reached is a typed error, never data.
        let unreachable = client
            .kms_master_key("kms-cmk-1", "ap-guangzhou")
            .endpoint("127.0.0.1:9", true);
        let blind = EncryptionClient::new(client.clone(), Arc::new(unreachable), format);
        let err = blind
            .get_object(&GetObject::new(&key))
            .map(|_| ())
            .unwrap_err();
        assert!(
            matches!(crypto_error(&err), CryptoError::Kms { .. }),
            "{err:?}"
        );
    }
    // Each object: the key and the IV wrapped (2 Encrypt), each read unwraps both.
    assert_eq!(emulator.cloud_api_calls("Encrypt"), 6);
    assert!(emulator.cloud_api_calls("Decrypt") >= 12);
}
