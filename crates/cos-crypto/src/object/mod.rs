//! The rules of the encrypting clients, shared by `cos-tokio` and `cos-blocking`: which
//! requests to send, how a ranged GET maps to a ciphertext range, what to check in the
//! responses. The clients only move bytes.
//!
//! * Upload: [`put_request`] (or [`initiate_request`]) adds the envelope to the user's
//!   request; the body is encrypted at offset 0 (or at [`part_offset`] for a part).
//! * Download: [`EncryptedGet::new`] rounds the range start down to a 16-byte block (as
//!   the Python SDK does; suffix ranges go as they are); [`EncryptedGet::open`] reads the
//!   envelope from the response and gives a [`PlaintextBody`] that decrypts the streamed
//!   chunks at the offset the response starts at and delivers exactly the caller's bytes.
//!
//! ```
//! use cos_crypto::object::{put_request, EncryptedGet};
//! use cos_crypto::{AesMasterKey, Envelope, Format, PlaintextInfo};
//! use cos_proto::ops::{ByteRange, GetObject, PutObject};
//!
//! let master = AesMasterKey::from_bytes(&[0x11; 32])?;
//! let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
//! let put = PutObject::new("a.txt", Some(5)).metadata("x-cos-meta-owner", "alice");
//! let envelope = Envelope::seal(Format::V2, &master, &PlaintextInfo::new().length(5), &mut rng)?;
//! let sent = put_request(&put, &envelope)?;      // the user's metadata and the envelope
//! assert!(sent.metadata_entries().len() > 1);
//!
//! let get = EncryptedGet::new(&GetObject::new("a.txt").range(ByteRange::parse("bytes=18-")?));
//! assert_eq!(get.request().requested_range().map(|r| r.to_string()).as_deref(), Some("bytes=16-"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod get;

use cos_proto::ops::{InitiateMultipartUpload, ObjectInfo, PutObject, UploadPart};
use rand_core::CryptoRng;

pub use self::get::{EncryptedGet, PlaintextBody};
use crate::envelope::{Envelope, PlaintextInfo};
use crate::error::CryptoError;
use crate::master_key::MasterKey;

const RESERVED_PREFIX: &str = "x-cos-meta-client-side-encryption-";

fn check_metadata(entries: &[(String, String)]) -> Result<(), CryptoError> {
    for (name, _) in entries {
        if name.to_ascii_lowercase().starts_with(RESERVED_PREFIX) {
            return Err(CryptoError::ReservedMetadata(name.clone()));
        }
    }
    Ok(())
}

/// What a single PUT records about its plaintext: its length, when the request announces
/// it, and its CRC-64 when the driver could compute it before sending (bytes in memory,
/// a file: one local read). A v2 envelope records the CRC-64 and every whole-object read
/// checks it; a one-shot stream cannot have one.
pub fn put_info(op: &PutObject, crc64: Option<u64>) -> PlaintextInfo {
    let mut info = PlaintextInfo::new();
    if let Some(len) = op.content_length() {
        info = info.length(len);
    }
    if let Some(crc64) = crc64 {
        info = info.crc64(crc64);
    }
    info
}

/// The PUT to send: the user's request (metadata kept) plus the envelope's headers. The
/// body keeps its length (CTR). Refuses a user `Content-MD5` and user metadata in the
/// envelope's namespace.
pub fn put_request(op: &PutObject, envelope: &Envelope) -> Result<PutObject, CryptoError> {
    if op.content_md5_value().is_some() {
        return Err(CryptoError::ContentMd5OfPlaintext);
    }
    check_metadata(op.metadata_entries())?;
    Ok(envelope
        .header_pairs()
        .fold(op.clone(), |put, (name, value)| put.metadata(name, value)))
}

/// The InitiateMultipartUpload to send: the user's request plus the envelope (sealed with
/// [`PlaintextInfo::multipart`]).
pub fn initiate_request(
    op: &InitiateMultipartUpload,
    envelope: &Envelope,
) -> Result<InitiateMultipartUpload, CryptoError> {
    check_metadata(op.metadata_entries())?;
    if envelope.part_size().is_none() {
        return Err(CryptoError::InvalidPartNumber {
            part_number: 0,
            reason: "the envelope was not sealed for a multipart upload",
        });
    }
    Ok(envelope
        .header_pairs()
        .fold(op.clone(), |init, (name, value)| init.metadata(name, value)))
}

/// The envelope of a multipart upload taken up again, from the headers it was initiated
/// with (kept in a checkpoint: they hold only wrapped key material). `part_size` is
/// needed for Python-compatible envelopes, which do not record it; a v2 envelope that
/// records another part size is refused.
pub fn resume_envelope(
    headers: &http::HeaderMap,
    master: &dyn MasterKey,
    part_size: u64,
    rng: &mut dyn CryptoRng,
) -> Result<Envelope, CryptoError> {
    let opened = Envelope::open(headers, master, rng)?;
    if opened
        .part_size()
        .is_some_and(|recorded| recorded != part_size)
    {
        return Err(CryptoError::InvalidPartSize(part_size));
    }
    let info = opened.plaintext_info().multipart(part_size);
    let key = crate::ContentKey::from_slice(opened.content_key().expose_secret())?;
    Envelope::seal_with(
        opened.format(),
        master,
        key,
        opened.iv().clone(),
        &info,
        rng,
    )
}

/// Where part `op` starts in the object (encrypt its body there), after checking it:
/// no `Content-MD5`, no longer than the part size, not past the recorded length.
pub fn part_offset(envelope: &Envelope, op: &UploadPart) -> Result<u64, CryptoError> {
    if op.content_md5_value().is_some() {
        return Err(CryptoError::ContentMd5OfPlaintext);
    }
    let part_number = op.part_number();
    let offset = envelope.part_offset(part_number)?;
    if let Some(len) = op.content_length() {
        let too_long = |reason| CryptoError::PartDoesNotFit {
            part_number,
            len,
            reason,
        };
        if Some(len) > envelope.part_size() {
            return Err(too_long("longer than the part size"));
        }
        let end = offset
            .checked_add(len)
            .ok_or(CryptoError::OffsetOverflow { offset, len })?;
        if envelope.plaintext_length().is_some_and(|total| end > total) {
            return Err(too_long("past the recorded plaintext length"));
        }
    }
    Ok(offset)
}

/// The attributes of an encrypted object after checking them against its envelope: the
/// stored length must be the recorded plaintext length (CTR keeps lengths).
pub fn check_info(info: &ObjectInfo, envelope: &Envelope) -> Result<(), CryptoError> {
    match info.content_length {
        Some(len) => envelope.check_object_length(len),
        None => Ok(()),
    }
}

/// A multipart upload of an encrypted object: its key, upload id and envelope.
/// Shareable between threads; parts may be uploaded in any order and in parallel, each
/// encrypted at [`part_offset`].
#[derive(Debug, Clone)]
pub struct EncryptedUpload {
    key: String,
    upload_id: String,
    envelope: std::sync::Arc<Envelope>,
}

impl EncryptedUpload {
    /// The upload `upload_id` of `key`, sealed (or resumed) with `envelope`.
    pub fn new(key: impl Into<String>, upload_id: impl Into<String>, envelope: Envelope) -> Self {
        Self {
            key: key.into(),
            upload_id: upload_id.into(),
            envelope: std::sync::Arc::new(envelope),
        }
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The upload id (for `UploadPart`, `CompleteMultipartUpload`, `AbortMultipartUpload`).
    pub fn upload_id(&self) -> &str {
        &self.upload_id
    }

    /// The envelope every part is encrypted with.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The part size every part but the last must have.
    pub fn part_size(&self) -> u64 {
        self.envelope.part_size().unwrap_or_default()
    }

    /// The envelope's headers (wrapped key material only: safe to store in a checkpoint,
    /// then pass to the clients' `resume_upload`).
    pub fn envelope_headers(&self) -> http::HeaderMap {
        self.envelope.headers().iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::TestRng;
    use crate::{AesMasterKey, Format};

    fn master() -> AesMasterKey {
        AesMasterKey::from_bytes(&[0x42; 32]).expect("valid")
    }

    #[test]
    fn metadata_is_kept_and_reserved_names_refused() {
        let mut rng = TestRng::new(1);
        let env = Envelope::seal(
            Format::V2,
            &master(),
            &PlaintextInfo::new().length(3),
            &mut rng,
        )
        .expect("seal");
        let put = PutObject::new("k", Some(3)).metadata("x-cos-meta-a", "b");
        let sent = put_request(&put, &env).expect("ok");
        assert_eq!(
            sent.metadata_entries()[0],
            ("x-cos-meta-a".into(), "b".into())
        );
        assert_eq!(sent.metadata_entries().len(), 1 + env.headers().len());
        let bad = put.metadata("X-Cos-Meta-Client-Side-Encryption-Key", "x");
        assert!(matches!(
            put_request(&bad, &env),
            Err(CryptoError::ReservedMetadata(_))
        ));
        let md5 = PutObject::new("k", Some(3)).content_md5("AAAA");
        assert!(matches!(
            put_request(&md5, &env),
            Err(CryptoError::ContentMd5OfPlaintext)
        ));
    }

    #[test]
    fn parts_are_checked_against_the_envelope() {
        let mut rng = TestRng::new(2);
        let info = PlaintextInfo::new().length(40).multipart(16);
        let env = Envelope::seal(Format::V2, &master(), &info, &mut rng).expect("seal");
        assert_eq!(
            part_offset(&env, &UploadPart::new("k", "u", 3, Some(8))).ok(),
            Some(32)
        );
        assert!(part_offset(&env, &UploadPart::new("k", "u", 1, Some(17))).is_err());
        assert!(part_offset(&env, &UploadPart::new("k", "u", 3, Some(9))).is_err());
        let single =
            Envelope::seal(Format::V2, &master(), &PlaintextInfo::new(), &mut rng).expect("seal");
        assert!(initiate_request(&InitiateMultipartUpload::new("k"), &single).is_err());
    }
}
