//! The rules of the encrypting clients, shared by `cos-tokio` and `cos-blocking`: which
//! requests to send, how a ranged GET maps to a ciphertext range, what to check in the
//! responses. The clients only move bytes.
//!
//! * Upload: [`put_request`] (or [`initiate_request`]) adds the envelope to the user's
//!   request; the body is encrypted at offset 0 (or at [`part_offset`] for a part).
//! * Download: [`EncryptedGet::new`] rounds the range start down to a 16-byte block (as
//!   the Python SDK does); [`EncryptedGet::open`] reads the envelope from the response and
//!   gives a [`PlaintextBody`] that decrypts the streamed chunks and drops the extra
//!   leading bytes.
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

use std::ops::Range;

use cos_proto::ops::{
    ByteRange, GetObject, GetObjectOutput, InitiateMultipartUpload, ObjectInfo, PutObject,
    UploadPart,
};
use rand_core::CryptoRng;

use crate::decrypt::Decryptor;
use crate::envelope::{Envelope, PlaintextInfo};
use crate::error::CryptoError;
use crate::master_key::MasterKey;
use crate::range::block_aligned;

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

/// A GET of an encrypted object: the request to send (range start rounded down to 16
/// bytes) and how to read its response.
#[derive(Debug, Clone)]
pub struct EncryptedGet {
    request: GetObject,
    first: Option<u64>,
    ranged: bool,
}

impl EncryptedGet {
    /// Plans the GET for the user's request.
    pub fn new(op: &GetObject) -> Self {
        match op.requested_range() {
            None => Self {
                request: op.clone(),
                first: Some(0),
                ranged: false,
            },
            Some(range) => {
                let aligned = block_aligned(range);
                let first = match range {
                    ByteRange::Inclusive { first, .. } | ByteRange::From(first) => Some(first),
                    ByteRange::Suffix(_) => None,
                };
                Self {
                    request: op.clone().range(aligned.request),
                    first,
                    ranged: true,
                }
            }
        }
    }

    /// The GET to send.
    pub fn request(&self) -> &GetObject {
        &self.request
    }

    /// Opens the envelope from the response headers and returns the decrypting body
    /// state, positioned at the response's first byte (`Content-Range`), with the bytes
    /// before the caller's range to drop. `output` is then rewritten to describe what the
    /// caller receives (its `Content-Length` and `Content-Range` start).
    pub fn open(
        &self,
        output: &mut GetObjectOutput,
        master: &dyn MasterKey,
        rng: &mut dyn CryptoRng,
    ) -> Result<(Envelope, PlaintextBody), CryptoError> {
        let envelope = Envelope::open(&output.info.headers, master, rng)?;
        let whole = output.content_range.is_none();
        let served = output.span().map_or(0, |(first, _)| first);
        let discard = match self.first {
            Some(first) if first < served => {
                return Err(CryptoError::RangeNotServed {
                    requested: first,
                    served,
                });
            }
            Some(first) => first - served,
            None => 0,
        };
        let decryptor = if whole {
            if let Some(len) = output.info.content_length {
                envelope.check_object_length(len)?;
            }
            if self.ranged {
                envelope.range_decryptor(0)?
            } else {
                envelope.decryptor()?
            }
        } else {
            envelope.range_decryptor(served)?
        };
        let plaintext_len = output
            .info
            .content_length
            .map(|len| len.saturating_sub(discard));
        output.info.content_length = plaintext_len;
        if let Some(range) = &mut output.content_range {
            range.first += discard;
        }
        let body = PlaintextBody {
            decryptor,
            discard,
            plaintext_len,
        };
        Ok((envelope, body))
    }
}

/// Decrypts a download chunk by chunk and drops the bytes before the caller's range.
#[derive(Debug)]
pub struct PlaintextBody {
    decryptor: Decryptor,
    discard: u64,
    plaintext_len: Option<u64>,
}

impl PlaintextBody {
    /// Decrypts `chunk` (the next bytes of the response body) in place and returns the
    /// part of it to deliver (empty while leading bytes are being dropped).
    pub fn update(&mut self, chunk: &mut [u8]) -> Result<Range<usize>, CryptoError> {
        self.decryptor.update(chunk)?;
        let skip = usize::try_from(self.discard)
            .unwrap_or(usize::MAX)
            .min(chunk.len());
        self.discard -= skip as u64;
        Ok(skip..chunk.len())
    }

    /// The number of plaintext bytes the caller receives, when the response said.
    pub fn plaintext_len(&self) -> Option<u64> {
        self.plaintext_len
    }

    /// Call at the end of the body: checks the recorded length and MD5 (whole objects).
    pub fn finish(self) -> Result<(), CryptoError> {
        self.decryptor.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::TestRng;
    use crate::{AesMasterKey, Format};
    use cos_proto::Operation;
    use http::HeaderMap;

    fn master() -> AesMasterKey {
        AesMasterKey::from_bytes(&[0x42; 32]).expect("valid")
    }

    fn output(headers: &Envelope, len: u64, range: Option<(u64, u64, u64)>) -> GetObjectOutput {
        let mut map: HeaderMap = headers.headers().iter().cloned().collect();
        map.insert("content-length", len.into());
        if let Some((first, last, total)) = range {
            map.insert(
                "content-range",
                format!("bytes {first}-{last}/{total}")
                    .parse()
                    .expect("valid"),
            );
        }
        let mut response = http::Response::new(bytes::Bytes::new());
        *response.status_mut() = if range.is_some() {
            http::StatusCode::PARTIAL_CONTENT
        } else {
            http::StatusCode::OK
        };
        *response.headers_mut() = map;
        let url: http::Uri = "http://127.0.0.1/k".parse().expect("valid");
        GetObject::new("k")
            .parse_response(&url, response)
            .expect("parses")
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

    #[test]
    fn ranged_reads_round_down_and_discard() {
        let mut rng = TestRng::new(3);
        let plain: Vec<u8> = (0..100u8).collect();
        let env = Envelope::seal(
            Format::V2,
            &master(),
            &PlaintextInfo::new().length(100),
            &mut rng,
        )
        .expect("seal");
        let mut cipher = plain.clone();
        env.apply_at(0, &mut cipher).expect("fits");

        let get = EncryptedGet::new(
            &GetObject::new("k").range(ByteRange::parse("bytes=21-50").expect("valid")),
        );
        assert_eq!(
            get.request().requested_range().expect("range").to_string(),
            "bytes=16-50"
        );
        let mut out = output(&env, 35, Some((16, 50, 100)));
        let (_, mut body) = get.open(&mut out, &master(), &mut rng).expect("open");
        assert_eq!(body.plaintext_len(), Some(30));
        assert_eq!(out.span(), Some((21, 50)));
        assert_eq!(out.info.content_length, Some(30));
        let mut got = Vec::new();
        for chunk in cipher[16..51].chunks(3) {
            let mut chunk = chunk.to_vec();
            let keep = body.update(&mut chunk).expect("decrypt");
            got.extend_from_slice(&chunk[keep]);
        }
        body.finish().expect("finish");
        assert_eq!(got, &plain[21..51]);

        // A server that starts later than asked is refused.
        let mut late = output(&env, 10, Some((32, 41, 100)));
        assert!(matches!(
            get.open(&mut late, &master(), &mut rng),
            Err(CryptoError::RangeNotServed { .. })
        ));

        // A whole object of the wrong length is refused.
        let whole = EncryptedGet::new(&GetObject::new("k"));
        assert!(matches!(
            whole.open(&mut output(&env, 99, None), &master(), &mut rng),
            Err(CryptoError::LengthMismatch { .. })
        ));
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
