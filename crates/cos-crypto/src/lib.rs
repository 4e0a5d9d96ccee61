//! `cos-crypto`: client-side envelope encryption for Tencent Cloud COS, as pure transforms.
//!
//! Every object gets a fresh 32-byte content key and 16-byte IV; the object body is
//! encrypted with AES-256-CTR; the key is wrapped by a *master key* and stored in the
//! object's metadata (`x-cos-meta-client-side-encryption-*`). The crate does no I/O and
//! reads no clock or OS random source: the caller passes a CSPRNG (`rng`) wherever
//! randomness is needed, and moves the bytes.
//!
//! * [`CtrCipher`]: the seekable content cipher (any byte offset), so parts encrypt in
//!   parallel and ranges decrypt on their own.
//! * [`MasterKey`]: what wraps content keys — [`AesMasterKey`], [`RsaMasterKey`], or your
//!   own (a KMS).
//! * [`Envelope`]: seal before upload, open from HEAD/GET headers, in three [`Format`]s —
//!   the secure default [`Format::V2`] (the Go/Java header family), its dialect
//!   [`Format::GoCompatible`] (as `cos-go-sdk-v5` writes it: wrapped IV, Go's matdesc),
//!   and [`Format::PythonCompatible`] (the official Python SDK's objects; always
//!   readable, written only on request).
//! * [`Decryptor`]: decrypts a streamed body and checks the recorded length and MD5.
//! * [`range`] and [`multipart`]: the rules for ranged reads and multipart uploads;
//!   [`matdesc`]: the material description as the Go SDK writes and compares it;
//!   [`object`]: the requests and checks of the encrypting clients.
//!
//! ```
//! use cos_crypto::{Envelope, Format, PlaintextInfo, RsaMasterKey};
//!
//! let master = RsaMasterKey::from_pem(include_str!("../tests/keys/test-rsa-a.pkcs8.pem"))?;
//! let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
//!
//! // Upload: seal, send the headers, encrypt the body at offset 0.
//! let mut body = b"secret report".to_vec();
//! let sealed = Envelope::seal(Format::V2, &master,
//!     &PlaintextInfo::new().length(body.len() as u64), &mut rng)?;
//! sealed.apply_at(0, &mut body)?;
//!
//! // Download a range: open from the HEAD headers, decrypt at the Content-Range start.
//! let head: http::HeaderMap = sealed.headers().iter().cloned().collect();
//! let opened = Envelope::open(&head, &master, &mut rng)?;
//! let mut range = body[7..].to_vec();
//! let mut decryptor = opened.range_decryptor(7)?;
//! decryptor.update(&mut range)?;
//! decryptor.finish()?;
//! assert_eq!(range, b"report");
//! # Ok::<(), cos_crypto::CryptoError>(())
//! ```
//!
//! What is and is not detected when reading:
//!
//! | failure | v2 | Python, RSA | Python, AES |
//! |---|---|---|---|
//! | no encryption headers, missing or malformed header | error | error | error |
//! | unknown `-cek-alg` / `-wrap-alg` | error | (not recorded) | (not recorded) |
//! | wrong master key, altered wrapped key | error (AES key wrap / OAEP check) | error (OAEP); ≈1/246 per header escapes with PKCS#1 v1.5 | **undetectable** |
//! | altered IV, altered data (whole-object read) | error at `finish` when the CRC-64 (written by cos-rs for every object whose bytes are known before the upload) or the MD5 was recorded | undetectable | undetectable |
//! | altered IV, altered data (ranged read) | undetectable | undetectable | undetectable |
//! | wrong object length | error when the length was recorded | undetectable | undetectable |
//!
//! **AES-CTR does not authenticate.** Flipping a ciphertext bit flips the same plaintext
//! bit, silently; nothing in either format is a MAC. What a read can check is what the
//! envelope records: the plaintext length, and the plaintext CRC-64 (v2, written by
//! cos-rs for bytes, files and `upload_file`; not for a one-shot stream, whose content is
//! unknown until sent) or MD5, checked by [`Decryptor::finish`] on whole-object reads.
//! That catches corruption (a flipped bit served with a stripped or recomputed
//! `x-cos-hash-crc64ecma`), not an attacker who can also rewrite the envelope's headers:
//! a CRC is not a signature. A ranged read checks only the ciphertext against COS's
//! CRC-64 when the whole object is read, and nothing when a range is.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cipher;
mod decrypt;
mod envelope;
mod error;
pub mod headers;
mod master_key;
pub mod matdesc;
pub mod multipart;
pub mod object;
pub mod range;
#[cfg(test)]
mod test_rng;

pub use cipher::{BLOCK_LEN, CONTENT_KEY_LEN, ContentKey, CtrCipher, CtrStream, IV_LEN, Iv};
pub use decrypt::Decryptor;
pub use envelope::{CEK_ALGORITHM, Envelope, Format, PlaintextInfo};
pub use error::CryptoError;
pub use master_key::{
    AesMasterKey, KmsMasterKey, KmsTransport, MasterKey, OaepMgf1, PythonRsaPadding, PythonWrapped,
    RsaMasterKey, UnwrapRequest, WrapItem,
};
