//! Resumable transfers of client-side encrypted objects (feature `crypto`): the rules
//! the encrypting clients' `upload_file` and `download_file` share. The machines are the
//! plain ones, marked with [`Upload::with_encryption`] and [`Download::decrypting`];
//! this module decides which envelope an upload uses and opens a download's.
//!
//! * Upload: [`upload`] seals a fresh envelope for the file (its length, and the part
//!   size of the plan, a multiple of 16), or takes up the envelope a matching checkpoint
//!   recorded, so a resumed upload encrypts its remaining parts with the same key and IV
//!   as the parts COS already holds. The driver encrypts every body at its offset in the
//!   file ([`part_offset`]); CRC64s are those of the ciphertext, which is what COS
//!   stores and checks.
//! * Download: [`open_download`] opens the envelope from the pinning HEAD; the driver
//!   takes each range's CRC64 on the bytes received (checked against COS's), then
//!   decrypts them at their offset ([`decrypt_range`]) before writing. The temp file
//!   holds plaintext; the checkpoint says so, and a plain run never resumes it.
//!
//! Whole-object MD5s (recorded by some writers) are not checked by a ranged download:
//! the ranges arrive out of order. The CRC64 of the ciphertext, checked against COS's,
//! covers the transfer, and the envelope's recorded length is checked.

use cos_crypto::object::{self, check_info};
use cos_crypto::{CryptoError, Envelope, Format, MasterKey, PlaintextInfo};
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{ObjectInfo, PutObject, UploadPart};
use rand_core::CryptoRng;

use crate::checkpoint::{CIPHER_BLOCK, EncryptionRecord, SourceIdentity, UploadCheckpoint};
use crate::download::Download;
use crate::error::TransferError;
use crate::options::TransferOptions;
use crate::plan::PartPlan;
use crate::upload::Upload;

/// A cos-crypto refusal as the client error the transfers report.
pub fn client_error(err: CryptoError) -> ClientError {
    ClientError::Encryption(Box::new(err))
}

fn refused(err: CryptoError) -> TransferError {
    TransferError::Client(client_error(err))
}

fn record_of(envelope: &Envelope) -> EncryptionRecord {
    EncryptionRecord::new(envelope.header_pairs())
}

/// The upload machine for an encrypted `upload_file` of `source` to `bucket` as `put`
/// describes (the user's metadata is kept; a `Content-MD5` of the plaintext is refused),
/// and the envelope to encrypt its bodies with. `plaintext_crc64` is the CRC-64 of the
/// file for an upload of the v2 family (the driver reads it once before the upload, see
/// [`records_plaintext_crc64`]): the envelope records it, and every whole-object read
/// checks it. `checkpoint` is what an earlier run left: when it matches the file,
/// records an envelope `master` opens, of the client's `format` and of this file's
/// CRC-64, the upload resumes with that envelope; otherwise a fresh one is sealed in
/// `format` (and the machine aborts the stale upload). A checkpoint never chooses the
/// format.
#[allow(clippy::too_many_arguments)]
pub fn upload(
    bucket: &str,
    put: &PutObject,
    source: SourceIdentity,
    plaintext_crc64: Option<u64>,
    checkpoint: Option<UploadCheckpoint>,
    options: TransferOptions,
    master: &dyn MasterKey,
    format: Format,
    rng: &mut dyn CryptoRng,
) -> Result<(Upload, Envelope), TransferError> {
    if let Some((record, envelope)) = checkpoint
        .as_ref()
        .filter(|_| !Upload::is_single_put(&source, &options))
        .and_then(|cp| resumable(cp, bucket, put.key(), &source, master, rng))
        .filter(|(_, envelope)| {
            envelope.format() == format.opens_as(master)
                && envelope.plaintext_crc64() == plaintext_crc64
        })
    {
        let put = object::put_request(put, &envelope).map_err(refused)?;
        let machine = Upload::new(bucket, put, source, checkpoint, options);
        return Ok((machine.with_encryption(record), envelope));
    }
    let mut info = PlaintextInfo::new().length(source.size);
    if let Some(crc64) = plaintext_crc64 {
        info = info.crc64(crc64);
    }
    if !Upload::is_single_put(&source, &options) {
        let plan = PartPlan::new(source.size, options.part_size)?;
        if !plan.part_size().is_multiple_of(CIPHER_BLOCK) {
            return Err(TransferError::InvalidOptions(format!(
                "encrypted parts must be a multiple of 16 bytes, not {}",
                plan.part_size()
            )));
        }
        info = info.multipart(plan.part_size());
    }
    let envelope = Envelope::seal(format, master, &info, rng).map_err(refused)?;
    let put = object::put_request(put, &envelope).map_err(refused)?;
    let machine = Upload::new(bucket, put, source, checkpoint, options);
    Ok((machine.with_encryption(record_of(&envelope)), envelope))
}

/// Whether an upload in `format` records the plaintext CRC-64 (and so needs the driver
/// to read the file once before it starts): the v2 family (v2 and Go-compatible) does,
/// the Python SDK's envelope has no place for it.
pub fn records_plaintext_crc64(format: Format) -> bool {
    !matches!(format, Format::PythonCompatible)
}

/// The record and envelope of `checkpoint`, if the upload can take it up.
fn resumable(
    checkpoint: &UploadCheckpoint,
    bucket: &str,
    key: &str,
    source: &SourceIdentity,
    master: &dyn MasterKey,
    rng: &mut dyn CryptoRng,
) -> Option<(EncryptionRecord, Envelope)> {
    let record = checkpoint.encryption.as_ref()?;
    if !Upload::checkpoint_matches(checkpoint, bucket, key, source) {
        return None;
    }
    let headers = record.header_map().ok()?;
    let envelope = object::resume_envelope(&headers, master, checkpoint.part_size, rng).ok()?;
    Some((record.clone(), envelope))
}

/// Where the body of `op`, which the machine asked to send from `offset` in the file,
/// is encrypted: `offset`, after checking that the envelope's part layout agrees.
pub fn part_offset(envelope: &Envelope, op: &UploadPart, offset: u64) -> Result<u64, ClientError> {
    let expected = object::part_offset(envelope, op).map_err(client_error)?;
    if expected != offset {
        return Err(client_error(CryptoError::InvalidPartNumber {
            part_number: op.part_number(),
            reason: "the part does not start where the envelope's part size puts it",
        }));
    }
    Ok(offset)
}

/// The download machine of an encrypted `download_file`: [`Download::new`] marked
/// [`Download::decrypting`].
pub fn download(
    bucket: &str,
    get: cos_proto::ops::GetObject,
    checkpoint: Option<crate::checkpoint::DownloadCheckpoint>,
    options: TransferOptions,
) -> Download {
    Download::new(bucket, get, checkpoint, options).decrypting()
}

/// The envelope of the object a download's HEAD describes, after checking that its
/// stored length is the recorded plaintext length. A plain object, a wrong master key,
/// an unknown algorithm fail here, before any byte is fetched.
pub fn open_download(
    info: &ObjectInfo,
    master: &dyn MasterKey,
    rng: &mut dyn CryptoRng,
) -> Result<Envelope, ClientError> {
    let envelope = Envelope::open(&info.headers, master, rng).map_err(client_error)?;
    check_info(info, &envelope).map_err(client_error)?;
    Ok(envelope)
}

/// Decrypts `data`, the stored bytes at `offset` of the object, in place.
pub fn decrypt_range(envelope: &Envelope, offset: u64, data: &mut [u8]) -> Result<(), ClientError> {
    envelope.apply_at(offset, data).map_err(client_error)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::checkpoint::{CHECKPOINT_FORMAT, CompletedPart};
    use crate::upload::UploadAction;
    use cos_crypto::AesMasterKey;

    fn master(byte: u8) -> AesMasterKey {
        AesMasterKey::from_bytes(&[byte; 32]).unwrap()
    }

    fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
        rand_core::UnwrapErr(getrandom::SysRng)
    }

    fn source(size: u64) -> SourceIdentity {
        SourceIdentity {
            modified_ns: Some(7),
            ..SourceIdentity::of_size(size)
        }
    }

    fn options() -> TransferOptions {
        TransferOptions::default()
            .multipart_threshold(64)
            .part_size(32)
    }

    fn first_action(machine: &mut Upload) -> UploadAction {
        machine.poll_action().unwrap()
    }

    fn checkpoint(record: Option<EncryptionRecord>) -> UploadCheckpoint {
        UploadCheckpoint {
            format: CHECKPOINT_FORMAT,
            bucket: "b-1250000000".into(),
            key: "k".into(),
            upload_id: "u1".into(),
            part_size: 32,
            source: source(100),
            parts: vec![CompletedPart {
                number: 1,
                etag: "\"e\"".into(),
                crc64: 1,
            }],
            encryption: record,
        }
    }

    #[test]
    fn a_fresh_upload_seals_for_its_plan_and_initiates_with_the_envelope() {
        let put = PutObject::new("k", None).metadata("x-cos-meta-owner", "alice");
        let (mut machine, envelope) = upload(
            "b-1250000000",
            &put,
            source(100),
            Some(99),
            None,
            options(),
            &master(1),
            Format::V2,
            &mut rng(),
        )
        .unwrap();
        assert_eq!(envelope.part_size(), Some(32));
        assert_eq!(envelope.plaintext_length(), Some(100));
        assert_eq!(envelope.plaintext_crc64(), Some(99));
        let UploadAction::Initiate(init) = first_action(&mut machine) else {
            panic!("expected an initiation");
        };
        let names: Vec<_> = init
            .metadata_entries()
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        assert!(names.contains(&"x-cos-meta-owner".to_owned()));
        assert!(names.iter().any(|n| n.ends_with("encryption-key")));
        assert_eq!(
            part_offset(&envelope, &UploadPart::new("k", "u", 3, Some(32)), 64).unwrap(),
            64
        );
        assert!(part_offset(&envelope, &UploadPart::new("k", "u", 3, Some(32)), 48).is_err());
    }

    #[test]
    fn a_part_size_off_the_cipher_block_is_refused() {
        let result = upload(
            "b-1250000000",
            &PutObject::new("k", None),
            source(100),
            Some(99),
            None,
            options().part_size(20),
            &master(1),
            Format::V2,
            &mut rng(),
        );
        assert!(matches!(result, Err(TransferError::InvalidOptions(_))));
    }

    #[test]
    fn a_matching_checkpoint_resumes_with_its_envelope() {
        let (_, first) = upload(
            "b-1250000000",
            &PutObject::new("k", None),
            source(100),
            Some(99),
            None,
            options(),
            &master(1),
            Format::V2,
            &mut rng(),
        )
        .unwrap();
        let record = record_of(&first);
        let (mut machine, resumed) = upload(
            "b-1250000000",
            &PutObject::new("k", None),
            source(100),
            Some(99),
            Some(checkpoint(Some(record.clone()))),
            options(),
            &master(1),
            Format::V2,
            &mut rng(),
        )
        .unwrap();
        assert_eq!(
            resumed.content_key().expose_secret(),
            first.content_key().expose_secret()
        );
        assert_eq!(resumed.iv().as_bytes(), first.iv().as_bytes());
        assert!(matches!(
            first_action(&mut machine),
            UploadAction::ListParts(_)
        ));

        // Another master key cannot open it: a fresh envelope, and the stale upload goes.
        let (mut machine, fresh) = upload(
            "b-1250000000",
            &PutObject::new("k", None),
            source(100),
            Some(99),
            Some(checkpoint(Some(record))),
            options(),
            &master(2),
            Format::V2,
            &mut rng(),
        )
        .unwrap();
        assert_ne!(fresh.iv().as_bytes(), first.iv().as_bytes());
        assert!(matches!(
            first_action(&mut machine),
            UploadAction::AbortStale(_)
        ));

        // A plain checkpoint is never resumed by an encrypted upload.
        let (mut machine, _) = upload(
            "b-1250000000",
            &PutObject::new("k", None),
            source(100),
            Some(99),
            Some(checkpoint(None)),
            options(),
            &master(1),
            Format::V2,
            &mut rng(),
        )
        .unwrap();
        assert!(matches!(
            first_action(&mut machine),
            UploadAction::AbortStale(_)
        ));
    }

    /// A checkpoint never chooses the envelope: one that records another format (the
    /// Python SDK's, say) or another plaintext CRC-64 (the file changed) is not resumed;
    /// a fresh envelope of the client's format is sealed, recording the file's CRC-64.
    #[test]
    fn a_checkpoint_of_another_format_or_file_is_not_obeyed() {
        for (format, crc) in [(Format::PythonCompatible, None), (Format::V2, Some(98))] {
            let (_, first) = upload(
                "b-1250000000",
                &PutObject::new("k", None),
                source(100),
                crc,
                None,
                options(),
                &master(1),
                format,
                &mut rng(),
            )
            .unwrap();
            let (mut machine, resumed) = upload(
                "b-1250000000",
                &PutObject::new("k", None),
                source(100),
                Some(99),
                Some(checkpoint(Some(record_of(&first)))),
                options(),
                &master(1),
                Format::V2,
                &mut rng(),
            )
            .unwrap();
            assert_eq!(resumed.format(), Format::V2, "{format:?} {crc:?}");
            assert_eq!(resumed.plaintext_crc64(), Some(99));
            assert_ne!(resumed.iv().as_bytes(), first.iv().as_bytes());
            assert!(matches!(
                first_action(&mut machine),
                UploadAction::AbortStale(_)
            ));
        }
    }

    /// A Go-compatible upload (the IV wrapped in `-start`) records the plaintext CRC-64
    /// and resumes from its own checkpoint; a v2 client does not take it up.
    #[test]
    fn a_go_compatible_upload_resumes_and_records_its_crc64() {
        assert!(records_plaintext_crc64(Format::GoCompatible));
        let seal = |checkpoint, format| {
            upload(
                "b-1250000000",
                &PutObject::new("k", None),
                source(100),
                Some(99),
                checkpoint,
                options(),
                &master(1),
                format,
                &mut rng(),
            )
            .unwrap()
        };
        let (_, first) = seal(None, Format::GoCompatible);
        assert_eq!(first.plaintext_crc64(), Some(99));
        let record = record_of(&first);
        let (mut machine, resumed) =
            seal(Some(checkpoint(Some(record.clone()))), Format::GoCompatible);
        assert_eq!(resumed.iv().as_bytes(), first.iv().as_bytes());
        assert_eq!(resumed.format(), Format::GoCompatible);
        assert!(matches!(
            first_action(&mut machine),
            UploadAction::ListParts(_)
        ));
        let (mut machine, fresh) = seal(Some(checkpoint(Some(record))), Format::V2);
        assert_eq!(fresh.format(), Format::V2);
        assert!(matches!(
            first_action(&mut machine),
            UploadAction::AbortStale(_)
        ));
    }

    /// The Python SDK's envelope records no CRC-64: an upload in that format resumes from
    /// its own checkpoint all the same.
    #[test]
    fn a_python_compatible_upload_resumes() {
        let seal = |checkpoint| {
            upload(
                "b-1250000000",
                &PutObject::new("k", None),
                source(100),
                None,
                checkpoint,
                options(),
                &master(1),
                Format::PythonCompatible,
                &mut rng(),
            )
            .unwrap()
        };
        let (_, first) = seal(None);
        let (mut machine, resumed) = seal(Some(checkpoint(Some(record_of(&first)))));
        assert_eq!(resumed.iv().as_bytes(), first.iv().as_bytes());
        assert!(matches!(
            first_action(&mut machine),
            UploadAction::ListParts(_)
        ));
    }

    #[test]
    fn the_plaintext_crc64_header_is_the_one_cos_crypto_writes() {
        assert_eq!(
            crate::checkpoint::PLAINTEXT_CRC64_HEADER,
            cos_crypto::headers::UNENCRYPTED_CONTENT_CRC64
        );
    }

    #[test]
    fn downloads_open_the_envelope_and_decrypt_at_any_offset() {
        let master = master(3);
        let envelope = Envelope::seal(
            Format::V2,
            &master,
            &PlaintextInfo::new().length(40),
            &mut rng(),
        )
        .unwrap();
        let plain: Vec<u8> = (0..40).collect();
        let mut stored = plain.clone();
        envelope.apply_at(0, &mut stored).unwrap();
        let info_with = |len: u64| {
            let mut headers: http::HeaderMap = envelope.headers().iter().cloned().collect();
            headers.insert("content-length", len.into());
            ObjectInfo::from_headers(&headers).unwrap()
        };
        let info = info_with(40);
        let opened = open_download(&info, &master, &mut rng()).unwrap();
        let mut tail = stored[21..].to_vec();
        decrypt_range(&opened, 21, &mut tail).unwrap();
        assert_eq!(tail, &plain[21..]);

        assert!(matches!(
            open_download(&info_with(41), &master, &mut rng()),
            Err(ClientError::Encryption(_))
        ));
        let plain = ObjectInfo::from_headers(&http::HeaderMap::new()).unwrap();
        assert!(open_download(&plain, &master, &mut rng()).is_err());
    }
}
