//! The one error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong while sealing, opening, encrypting or decrypting.
///
/// Every variant is a *refusal*: when opening an envelope fails, no content key comes out,
/// so a caller can never decrypt with a key that did not verify. Messages never contain key
/// material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The object has none of the `x-cos-meta-client-side-encryption-*` headers: it was not
    /// written by an encryption client (or its metadata was lost, e.g. by a copy that
    /// replaced the metadata).
    #[error(
        "the object has no client-side encryption metadata (x-cos-meta-client-side-encryption-*)"
    )]
    NotEncrypted,
    /// A header the envelope needs is absent.
    #[error("missing client-side encryption header {0}")]
    MissingHeader(&'static str),
    /// A header is present but unusable (not Base64, not a number, repeated, not ASCII...).
    #[error("malformed client-side encryption header {name}: {reason}")]
    MalformedHeader {
        /// The header name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The headers mix the Python envelope (`-iv`) with the v2 envelope (`-start`,
    /// `-cek-alg`, ...), so the format cannot be chosen safely.
    #[error(
        "the object carries both the Python (-iv) and the v2 (-start/-cek-alg/-wrap-alg) encryption headers; refusing to guess"
    )]
    AmbiguousFormat,
    /// The content cipher named by `-cek-alg` is not AES-256-CTR (e.g. the Java SDK's
    /// default AES/GCM, or AES/CBC).
    #[error("unsupported content cipher {0:?} (only AES/CTR/NoPadding is supported)")]
    UnsupportedContentAlgorithm(String),
    /// The master key cannot unwrap keys wrapped with this algorithm (`-wrap-alg`), for
    /// example an RSA key asked to unwrap `AESWrap`, or any local key asked to unwrap
    /// `KMS/TencentCloud`.
    #[error("the master key cannot unwrap {found:?} (it handles {supported})")]
    UnsupportedWrapAlgorithm {
        /// The algorithm in the object's metadata.
        found: String,
        /// What the master key handles.
        supported: String,
    },
    /// The wrapped key did not unwrap: a wrong master key, or a wrapped value that was
    /// altered. Authenticated wraps (AES key wrap, RSA-OAEP) detect both.
    #[error("could not unwrap the {what} with {algorithm}: wrong master key or altered metadata")]
    UnwrapFailed {
        /// `"content key"` or `"IV"`.
        what: &'static str,
        /// The wrap algorithm that was tried.
        algorithm: String,
    },
    /// An unwrapped or supplied key or IV has the wrong length.
    #[error("the {what} is {actual} bytes, expected {expected}")]
    InvalidLength {
        /// What was measured.
        what: &'static str,
        /// The required length.
        expected: usize,
        /// The length found.
        actual: usize,
    },
    /// The master key material is unusable (bad AES key length, unparsable RSA key...).
    #[error("invalid master key: {0}")]
    InvalidMasterKey(String),
    /// An RSA master key built from a public key only was asked to unwrap.
    #[error("the RSA master key has no private key, so it can wrap but not unwrap")]
    PublicKeyOnly,
    /// The master key does not implement the Python-compatible envelope (only the
    /// built-in [`AesMasterKey`](crate::AesMasterKey) and
    /// [`RsaMasterKey`](crate::RsaMasterKey) do).
    #[error("this master key does not support the Python-compatible envelope")]
    PythonFormatUnsupported,
    /// A KMS call to unwrap failed (KMS refused it — a wrong encryption context, a
    /// disabled key — or could not be reached).
    #[error("KMS could not unwrap the {what}: {reason}")]
    Kms {
        /// `"content key"` or `"IV"`.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// Wrapping failed (for example an RSA modulus too small for the key).
    #[error("could not wrap the {what}: {reason}")]
    WrapFailed {
        /// `"content key"` or `"IV"`.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The object or the decrypted stream does not have the plaintext length the
    /// envelope records (`-unencrypted-content-length` or `-data-size`).
    #[error("length mismatch: the envelope records {expected} plaintext bytes, found {actual}")]
    LengthMismatch {
        /// The length in the envelope.
        expected: u64,
        /// The length found.
        actual: u64,
    },
    /// The decrypted object does not have the MD5 the envelope records
    /// (`-unencrypted-content-md5`): wrong key, altered IV or altered data.
    #[error("the decrypted data does not match the plaintext MD5 in the envelope")]
    Md5Mismatch,
    /// The decrypted whole object does not have the CRC-64 the envelope records
    /// (`-unencrypted-content-crc64`): altered data (CTR does not authenticate: a
    /// flipped ciphertext bit flips the same plaintext bit), a wrong key or IV.
    #[error("the decrypted data has CRC64 {actual:#018x}, the envelope records {expected:#018x}")]
    Crc64Mismatch {
        /// The envelope's value.
        expected: u64,
        /// The CRC-64 of the decrypted bytes.
        actual: u64,
    },
    /// A multipart part size that is zero, or not a multiple of 16 bytes in a format of
    /// the v2 family (see [`multipart::check_part_size_for`](crate::multipart::check_part_size_for)).
    #[error(
        "invalid part size {0}: it must be positive, and a multiple of 16 bytes for the v2 and Go-compatible formats"
    )]
    InvalidPartSize(u64),
    /// A part number outside 1..=10000, or a multipart call on a single-part envelope.
    #[error("invalid part number {part_number}: {reason}")]
    InvalidPartNumber {
        /// The part number given.
        part_number: u32,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A byte offset plus a length past 2^64 - 1.
    #[error("byte offset {offset} + {len} overflows")]
    OffsetOverflow {
        /// The offset.
        offset: u64,
        /// The length.
        len: u64,
    },
    /// The `matdesc` given to a master key is not a valid header value.
    #[error("invalid matdesc: {0}")]
    InvalidMatdesc(String),
    /// A key file could not be read (only [`AesMasterKey::from_key_file`](crate::AesMasterKey::from_key_file)
    /// touches the file system).
    #[error("cannot read the key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The user metadata of an encrypted upload uses a name of the envelope
    /// (`x-cos-meta-client-side-encryption-*`), which the envelope must own.
    #[error("user metadata {0:?} is reserved for the client-side encryption envelope")]
    ReservedMetadata(String),
    /// An encrypted upload was given a `Content-MD5`: COS would check it against the
    /// ciphertext, so a plaintext MD5 always fails (record it with
    /// [`PlaintextInfo::md5`](crate::PlaintextInfo::md5) instead).
    #[error(
        "Content-MD5 cannot be sent with an encrypted upload (COS checks it against the ciphertext)"
    )]
    ContentMd5OfPlaintext,
    /// A part longer than the part size of the upload, or reaching past the recorded
    /// plaintext length.
    #[error("part {part_number} of {len} bytes does not fit: {reason}")]
    PartDoesNotFit {
        /// The part number.
        part_number: u32,
        /// The part's length.
        len: u64,
        /// Why.
        reason: &'static str,
    },
    /// A suffix range (`bytes=-n`) answered with the whole object, without a length: where
    /// its last `n` bytes start cannot be known.
    #[error(
        "the answer to the suffix range bytes=-{0} is the whole object of unknown length: cannot tell where its last bytes start"
    )]
    SuffixRangeUnresolved(u64),
    /// A ranged response that starts after the first byte asked for.
    #[error("the response starts at byte {served}, after the requested byte {requested}")]
    RangeNotServed {
        /// The first byte asked for.
        requested: u64,
        /// The first byte of the response (`Content-Range`).
        served: u64,
    },
}
