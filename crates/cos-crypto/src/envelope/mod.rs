//! The envelope: a content key and IV, wrapped by a master key into object metadata.
//!
//! * [`Envelope::seal`] before a PUT or an InitiateMultipartUpload: it draws a fresh key
//!   and IV, wraps them, and gives the headers to send ([`Envelope::headers`]); then
//!   encrypt the body (or each part, at its offset) with [`Envelope::apply_at`] or
//!   [`Envelope::stream_at`].
//! * [`Envelope::open`] with the headers of a HEAD (or GET) response: it picks the format
//!   from the headers, unwraps, and refuses anything it cannot verify; then decrypt with
//!   [`Envelope::decryptor`] (whole object) or [`Envelope::range_decryptor`] (a range).

mod python;
#[cfg(test)]
mod tests;
mod v2;

pub use v2::CEK_ALGORITHM;

use http::{HeaderMap, HeaderName, HeaderValue};
use rand_core::CryptoRng;

use crate::cipher::{ContentKey, CtrCipher, CtrStream, Iv};
use crate::decrypt::Decryptor;
use crate::error::CryptoError;
use crate::headers::{self, EnvelopeHeaderMap};
use crate::master_key::MasterKey;
use crate::multipart;

/// Which envelope [`Envelope::seal`] writes. Reading always accepts both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The official Python SDK's envelope (`-key` and `-iv`, both wrapped), so that
    /// `cos-python-sdk-v5` can read the objects. Write it only when that is required.
    ///
    /// **Weaknesses**, all inherited from the Python SDK:
    /// * With an [`AesMasterKey`](crate::AesMasterKey), the key and IV are wrapped with
    ///   AES-CTR from counter 0 — the *same keystream for every object*. Anyone who learns
    ///   one object's content key or IV (a leaked data key, a debug log) can unwrap the key
    ///   of every other object under that master key.
    /// * Nothing is authenticated: a wrong AES master key or an altered header yields a
    ///   wrong key and garbage plaintext, with no error. (RSA wraps are checked, see
    ///   [`PythonRsaPadding`](crate::PythonRsaPadding).)
    /// * No algorithm, length or checksum is recorded, so readers cannot tell this
    ///   envelope from another, nor a truncated object from a whole one.
    PythonCompatible,
    /// The Go/Java header family (`-key`, `-start`, `-cek-alg`, `-wrap-alg`,
    /// `-matdesc`, lengths and MD5): a fresh random key and IV per object, an
    /// authenticated key wrap (RFC 3394 `AESWrap` or RSA-OAEP), algorithms recorded and
    /// checked. The IV travels in the clear in `-start` (as Java writes it), unless the
    /// master key wraps IVs ([`MasterKey::wraps_iv`](crate::MasterKey::wraps_iv)). The
    /// default.
    #[default]
    V2,
    /// The same header family, written as `cos-go-sdk-v5` (0.7.75) writes it, so that
    /// the Go SDK (with a master cipher of the same algorithm) reads the objects:
    /// * `-start` holds the IV **wrapped by the master key**, as Go always does (24 bytes
    ///   with `AESWrap`, the modulus size with RSA);
    /// * the IV is drawn as Go draws it (8 random bytes, then a 64-bit counter seeded
    ///   with a random 32-bit value), so Go's ranged reads never overflow it;
    /// * `-matdesc` is compact JSON with sorted keys (Go compares it byte for byte) and is
    ///   left out when the description is empty (`{}`), as Go leaves it out.
    ///
    /// With an [`RsaMasterKey`](crate::RsaMasterKey), also choose
    /// [`OaepMgf1::Sha256`](crate::OaepMgf1::Sha256): Go's `crypto/rsa` unwraps OAEP
    /// with MGF1 over the same hash as the label (SHA-256). Part sizes are multiples of
    /// 16, as for v2. Every reader of this crate reads both v2 dialects: an envelope
    /// whose `-start` holds a wrapped IV opens as `GoCompatible` (see
    /// [`opens_as`](Self::opens_as)).
    GoCompatible,
}

impl Format {
    /// The format that [`Envelope::open`] reports for an envelope sealed in `self` with
    /// `master`: the same, except that with a master key that wraps every IV
    /// ([`MasterKey::wraps_iv`](crate::MasterKey::wraps_iv)), the two v2 dialects
    /// cannot be told apart and both open as [`V2`](Self::V2). Compare with this when
    /// deciding whether a stored envelope is one you would write.
    pub fn opens_as(self, master: &dyn MasterKey) -> Format {
        match self {
            Format::GoCompatible if master.wraps_iv() => Format::V2,
            format => format,
        }
    }
}

/// What is known about the plaintext before it is uploaded; recorded in v2 envelopes.
///
/// ```
/// use cos_crypto::PlaintextInfo;
///
/// let single = PlaintextInfo::new().length(11).md5([0; 16]);
/// let multipart = PlaintextInfo::new().length(64 << 20).multipart(8 << 20);
/// assert_eq!(multipart.part_size, Some(8 << 20));
/// # let _ = single;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlaintextInfo {
    /// The plaintext length, when known.
    pub length: Option<u64>,
    /// The plaintext MD5, when known (needs a pass over the data before the upload).
    pub md5: Option<[u8; 16]>,
    /// The plaintext CRC-64/XZ, when known (a pass over the data before the upload, at
    /// memory speed): a v2 envelope records it and every whole-object read checks it.
    pub crc64: Option<u64>,
    /// The part size of a multipart upload (a multiple of 16 for the v2 formats, any
    /// positive size for the Python-compatible one); `None` for a single PUT.
    pub part_size: Option<u64>,
}

impl PlaintextInfo {
    /// Nothing known.
    pub fn new() -> Self {
        Self::default()
    }

    /// The plaintext length.
    pub fn length(mut self, length: u64) -> Self {
        self.length = Some(length);
        self
    }

    /// The plaintext MD5.
    pub fn md5(mut self, md5: [u8; 16]) -> Self {
        self.md5 = Some(md5);
        self
    }

    /// The plaintext CRC-64/XZ.
    pub fn crc64(mut self, crc64: u64) -> Self {
        self.crc64 = Some(crc64);
        self
    }

    /// A multipart upload with this part size (every part but the last).
    pub fn multipart(mut self, part_size: u64) -> Self {
        self.part_size = Some(part_size);
        self
    }
}

/// An object's content key and IV, with the metadata that carries them.
///
/// Sealed for writing or opened for reading. The key material never leaves through
/// `Debug`; it is zeroized on drop.
#[derive(Debug)]
pub struct Envelope {
    format: Format,
    key: ContentKey,
    iv: Iv,
    cipher: CtrCipher,
    headers: Vec<(HeaderName, HeaderValue)>,
    wrap_algorithm: Option<String>,
    matdesc: Option<String>,
    plaintext_length: Option<u64>,
    plaintext_md5: Option<[u8; 16]>,
    plaintext_crc64: Option<u64>,
    part_size: Option<u64>,
}

/// The parts of an envelope that each format fills in.
pub(crate) struct Parts {
    pub(crate) format: Format,
    pub(crate) key: ContentKey,
    pub(crate) iv: Iv,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) wrap_algorithm: Option<String>,
    pub(crate) matdesc: Option<String>,
    pub(crate) plaintext_length: Option<u64>,
    pub(crate) plaintext_md5: Option<[u8; 16]>,
    pub(crate) plaintext_crc64: Option<u64>,
    pub(crate) part_size: Option<u64>,
}

impl Envelope {
    /// Draws a fresh content key (32 bytes) and then an IV (16 bytes; 12 random ones for
    /// [`Format::GoCompatible`]) from `rng`, wraps them with `master`, and returns the
    /// envelope to encrypt with. Send
    /// [`headers`](Self::headers) with the PUT, or with the InitiateMultipartUpload.
    ///
    /// `rng` must be a CSPRNG (the drivers pass the operating system's); it also feeds
    /// RSA padding. Call once per object: never reuse an envelope for a second object.
    ///
    /// ```
    /// use cos_crypto::{AesMasterKey, Envelope, Format, PlaintextInfo};
    ///
    /// let master = AesMasterKey::from_bytes(&[0x11; 32])?;
    /// // The driver's CSPRNG: the operating system's, via getrandom.
    /// let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    /// let mut body = b"hello, world".to_vec();
    /// let envelope = Envelope::seal(Format::V2, &master,
    ///     &PlaintextInfo::new().length(body.len() as u64), &mut rng)?;
    /// envelope.apply_at(0, &mut body)?;              // encrypt in place
    /// for (name, value) in envelope.headers() {       // add to the PutObject request
    ///     assert!(name.as_str().starts_with("x-cos-meta-client-side-encryption-"));
    /// #   let _ = value;
    /// }
    ///
    /// // Later, with the HEAD response's headers:
    /// let mut response_headers = http::HeaderMap::new();
    /// response_headers.extend(envelope.headers().iter().cloned());
    /// let opened = Envelope::open(&response_headers, &master, &mut rng)?;
    /// let mut decryptor = opened.decryptor()?;
    /// decryptor.update(&mut body)?;
    /// decryptor.finish()?;                           // checks the recorded length
    /// assert_eq!(body, b"hello, world");
    /// # Ok::<(), cos_crypto::CryptoError>(())
    /// ```
    pub fn seal(
        format: Format,
        master: &dyn MasterKey,
        info: &PlaintextInfo,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, CryptoError> {
        let key = ContentKey::generate(rng);
        let iv = match format {
            Format::GoCompatible => v2::go_iv(rng),
            Format::PythonCompatible | Format::V2 => Iv::generate(rng),
        };
        Self::seal_with(format, master, key, iv, info, rng)
    }

    /// [`seal`](Self::seal) with a caller-chosen key and IV (tests, or a caller with its
    /// own key source). Never reuse a key and IV pair for two objects: CTR would then
    /// encrypt both with the same keystream.
    pub fn seal_with(
        format: Format,
        master: &dyn MasterKey,
        key: ContentKey,
        iv: Iv,
        info: &PlaintextInfo,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, CryptoError> {
        if let Some(part_size) = info.part_size {
            multipart::check_part_size_for(format, part_size)?;
        }
        let parts = match format {
            Format::PythonCompatible => python::seal(master, key, iv, info, rng)?,
            Format::V2 | Format::GoCompatible => v2::seal(format, master, key, iv, info, rng)?,
        };
        Ok(Self::from_parts(parts))
    }

    /// Reads the envelope from an object's headers (a HEAD or GET response) and unwraps
    /// its key with `master`.
    ///
    /// The format is chosen from the headers: `-iv` means the Python envelope; `-start`,
    /// `-cek-alg`, `-wrap-alg` or `-matdesc` mean v2 (reported as
    /// [`Format::GoCompatible`] when `-start` holds a wrapped IV); both at once is
    /// refused. A missing `-matdesc` is an empty description. Every
    /// value is untrusted: a missing or malformed header, an unknown content cipher or
    /// wrap algorithm, a wrong length, a wrong master key or an altered wrapped key gives
    /// an error, never a key. (The Python envelope with an AES master key is the
    /// exception: it has no integrity check at all, see
    /// [`Format::PythonCompatible`].)
    ///
    /// `rng` blinds RSA private-key operations.
    pub fn open(
        headers: &HeaderMap,
        master: &dyn MasterKey,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self, CryptoError> {
        let map = EnvelopeHeaderMap(headers);
        if !headers::ALL.iter().any(|name| map.has(name)) {
            return Err(CryptoError::NotEncrypted);
        }
        let python = map.has(headers::IV);
        let v2 = headers::V2_MARKERS.iter().any(|name| map.has(name));
        let parts = match (python, v2) {
            (true, true) => return Err(CryptoError::AmbiguousFormat),
            (true, false) => python::open(&map, master, rng)?,
            (false, true) => v2::open(&map, master, rng)?,
            (false, false) => return Err(CryptoError::MissingHeader(headers::IV)),
        };
        Ok(Self::from_parts(parts))
    }

    fn from_parts(parts: Parts) -> Self {
        Self {
            format: parts.format,
            cipher: CtrCipher::new(&parts.key, &parts.iv),
            key: parts.key,
            iv: parts.iv,
            headers: parts.headers,
            wrap_algorithm: parts.wrap_algorithm,
            matdesc: parts.matdesc,
            plaintext_length: parts.plaintext_length,
            plaintext_md5: parts.plaintext_md5,
            plaintext_crc64: parts.plaintext_crc64,
            part_size: parts.part_size,
        }
    }

    /// The envelope's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The metadata headers of the envelope (lower-case `x-cos-meta-client-side-encryption-*`
    /// names): to send when sealed, as read when opened.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// The headers as `(name, value)` text, e.g. for `PutObject::metadata`.
    pub fn header_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
    }

    /// The content key. Handle with care: it decrypts the object.
    pub fn content_key(&self) -> &ContentKey {
        &self.key
    }

    /// The IV (the counter's initial value).
    pub fn iv(&self) -> &Iv {
        &self.iv
    }

    /// The seekable content cipher.
    pub fn cipher(&self) -> &CtrCipher {
        &self.cipher
    }

    /// Encrypts or decrypts `buf` in place as the bytes at `offset` of the object.
    pub fn apply_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), CryptoError> {
        self.cipher.apply_at(offset, buf)
    }

    /// A streaming cipher positioned at `offset` (a part's offset, a range's start).
    pub fn stream_at(&self, offset: u64) -> Result<CtrStream, CryptoError> {
        self.cipher.stream_at(offset)
    }

    /// The `-wrap-alg` (v2 only).
    pub fn wrap_algorithm(&self) -> Option<&str> {
        self.wrap_algorithm.as_deref()
    }

    /// The `-matdesc` (v2 only; `None` when the description is empty and not written, as
    /// the Go SDK does).
    pub fn matdesc(&self) -> Option<&str> {
        self.matdesc.as_deref()
    }

    /// The plaintext length the envelope records, if any.
    pub fn plaintext_length(&self) -> Option<u64> {
        self.plaintext_length
    }

    /// The plaintext MD5 the envelope records, if any.
    pub fn plaintext_md5(&self) -> Option<[u8; 16]> {
        self.plaintext_md5
    }

    /// The plaintext CRC-64 the envelope records, if any.
    pub fn plaintext_crc64(&self) -> Option<u64> {
        self.plaintext_crc64
    }

    /// What the envelope records of the plaintext, as [`PlaintextInfo`] (to seal the same
    /// key and IV again, say).
    pub fn plaintext_info(&self) -> PlaintextInfo {
        PlaintextInfo {
            length: self.plaintext_length,
            md5: self.plaintext_md5,
            crc64: self.plaintext_crc64,
            part_size: self.part_size,
        }
    }

    /// The multipart part size the envelope records (or was sealed with), if any.
    pub fn part_size(&self) -> Option<u64> {
        self.part_size
    }

    /// The object offset of part `part_number` (1-based) of a multipart upload sealed
    /// with [`PlaintextInfo::multipart`]: encrypt that part at this offset. Parts are
    /// independent: any order, in parallel, retried. The part size must suit the
    /// envelope's format ([`multipart::check_part_size_for`]): a multiple of 16 for the
    /// v2 family, any positive size for the Python-compatible format.
    pub fn part_offset(&self, part_number: u32) -> Result<u64, CryptoError> {
        let part_size = self.part_size.ok_or(CryptoError::InvalidPartNumber {
            part_number,
            reason: "the envelope was not sealed for a multipart upload",
        })?;
        multipart::check_part_size_for(self.format, part_size)?;
        multipart::part_offset(part_number, part_size)
    }

    /// Checks the stored object's length (`Content-Length` of a HEAD) against the
    /// recorded plaintext length: CTR keeps lengths, so they must be equal.
    pub fn check_object_length(&self, object_length: u64) -> Result<(), CryptoError> {
        match self.plaintext_length {
            Some(expected) if expected != object_length => Err(CryptoError::LengthMismatch {
                expected,
                actual: object_length,
            }),
            _ => Ok(()),
        }
    }

    /// A decryptor for the whole object, from byte 0. Its
    /// [`finish`](Decryptor::finish) checks the recorded plaintext length, MD5 and
    /// CRC-64, when the envelope has them.
    pub fn decryptor(&self) -> Result<Decryptor, CryptoError> {
        Ok(Decryptor::whole(
            self.cipher.stream_at(0)?,
            self.plaintext_length,
            self.plaintext_md5,
            self.plaintext_crc64,
        ))
    }

    /// A decryptor for a ranged body starting at object offset `first_byte`. Take it
    /// from the response's `Content-Range` (`GetObjectOutput::span`), not from the
    /// request. Refuses bytes past the recorded plaintext length.
    pub fn range_decryptor(&self, first_byte: u64) -> Result<Decryptor, CryptoError> {
        Ok(Decryptor::range(
            self.cipher.stream_at(first_byte)?,
            self.plaintext_length,
        ))
    }
}

/// The length and integrity headers, read the same way for both formats.
pub(crate) struct Lengths {
    pub(crate) plaintext_length: Option<u64>,
    pub(crate) plaintext_md5: Option<[u8; 16]>,
    pub(crate) plaintext_crc64: Option<u64>,
    pub(crate) part_size: Option<u64>,
}

pub(crate) fn read_lengths(map: &EnvelopeHeaderMap<'_>) -> Result<Lengths, CryptoError> {
    let single = map.decimal(headers::UNENCRYPTED_CONTENT_LENGTH)?;
    let data_size = map.decimal(headers::DATA_SIZE)?;
    let plaintext_length = match (single, data_size) {
        (Some(a), Some(b)) if a != b => {
            return Err(CryptoError::MalformedHeader {
                name: headers::DATA_SIZE,
                reason: format!("{b} differs from the unencrypted content length {a}"),
            });
        }
        (a, b) => a.or(b),
    };
    let plaintext_md5 = match map.text(headers::UNENCRYPTED_CONTENT_MD5)? {
        None => None,
        Some(_) => {
            let bytes = map.base64(headers::UNENCRYPTED_CONTENT_MD5)?;
            Some(<[u8; 16]>::try_from(bytes.as_slice()).map_err(|_| {
                CryptoError::MalformedHeader {
                    name: headers::UNENCRYPTED_CONTENT_MD5,
                    reason: format!("an MD5 is 16 bytes, not {}", bytes.len()),
                }
            })?)
        }
    };
    let part_size = map.decimal(headers::PART_SIZE)?;
    Ok(Lengths {
        plaintext_length,
        plaintext_md5,
        plaintext_crc64: map.decimal(headers::UNENCRYPTED_CONTENT_CRC64)?,
        part_size,
    })
}

/// The envelope headers present in a response, in the family's order (kept on opened
/// envelopes, e.g. to copy an object with its metadata).
pub(crate) fn present_headers(map: &EnvelopeHeaderMap<'_>) -> Vec<(HeaderName, HeaderValue)> {
    headers::ALL
        .iter()
        .filter_map(|name| {
            let value = map.0.get(*name)?.clone();
            Some((HeaderName::from_static(name), value))
        })
        .collect()
}
