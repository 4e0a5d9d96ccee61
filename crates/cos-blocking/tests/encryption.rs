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
        let mut parts = Vec::new();
        for number in (1..=4u32).rev() {
            let offset = (number as usize - 1) * part_size;
            let len = part_size.min(plain.len() - offset);
            let body = UploadBody::file_range(file.reopen().unwrap(), offset as u64, len as u64);
            let op = UploadPart::new(&key, upload.upload_id(), number, Some(len as u64));
            // The first part goes through an upload taken up from its headers (resume).
            let upload = if number == 1 {
                secure
                    .resume_upload(
                        &key,
                        upload.upload_id(),
                        &upload.envelope_headers(),
                        part_size as u64,
                    )
                    .unwrap()
            } else {
                upload.clone()
            };
            let out = secure.upload_part(&upload, &op, body).unwrap();
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
