//! Decrypting a streamed body, with the checks the envelope allows.

use cos_proto::crc64::Crc64;
use md5::{Digest as _, Md5};

use crate::cipher::CtrStream;
use crate::error::CryptoError;

/// Decrypts a GET body chunk by chunk, in place, and checks it against the envelope.
///
/// Made by [`Envelope::decryptor`](crate::Envelope::decryptor) (whole object) or
/// [`Envelope::range_decryptor`](crate::Envelope::range_decryptor). Feed every body chunk
/// to [`update`](Self::update) in order, then call [`finish`](Self::finish) when the body
/// ends; only then is a whole object known to be complete and intact (when the envelope
/// records a length or an MD5). Do not hand decrypted bytes on as final before `finish`
/// succeeds if you rely on those checks.
#[derive(Debug)]
pub struct Decryptor {
    stream: CtrStream,
    /// Bytes past this object offset are refused (the recorded plaintext length).
    limit: Option<u64>,
    whole: Option<WholeObject>,
}

#[derive(Debug)]
struct WholeObject {
    length: Option<u64>,
    md5: Option<([u8; 16], Md5)>,
    crc64: Option<(u64, Crc64)>,
}

impl Decryptor {
    pub(crate) fn whole(
        stream: CtrStream,
        length: Option<u64>,
        md5: Option<[u8; 16]>,
        crc64: Option<u64>,
    ) -> Self {
        Self {
            stream,
            limit: length,
            whole: Some(WholeObject {
                length,
                md5: md5.map(|expected| (expected, Md5::new())),
                crc64: crc64.map(|expected| (expected, Crc64::new())),
            }),
        }
    }

    pub(crate) fn range(stream: CtrStream, length: Option<u64>) -> Self {
        Self {
            stream,
            limit: length,
            whole: None,
        }
    }

    /// Decrypts the next chunk of the body in place. Refuses (and leaves `buf` as it was)
    /// a chunk that would run past the recorded plaintext length.
    pub fn update(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        let position = self.stream.position();
        let end = position
            .checked_add(buf.len() as u64)
            .ok_or(CryptoError::OffsetOverflow {
                offset: position,
                len: buf.len() as u64,
            })?;
        if let Some(limit) = self.limit
            && end > limit
        {
            return Err(CryptoError::LengthMismatch {
                expected: limit,
                actual: end,
            });
        }
        self.stream.apply(buf)?;
        if let Some(whole) = &mut self.whole {
            if let Some((_, hasher)) = &mut whole.md5 {
                hasher.update(&*buf);
            }
            if let Some((_, crc)) = &mut whole.crc64 {
                crc.update(buf);
            }
        }
        Ok(())
    }

    /// The object offset of the next byte.
    pub fn position(&self) -> u64 {
        self.stream.position()
    }

    /// Ends the body. For a whole-object decryptor, checks the recorded plaintext length,
    /// MD5 and CRC-64 (when the envelope has them); a range decryptor has nothing more to
    /// check.
    pub fn finish(self) -> Result<(), CryptoError> {
        let Some(whole) = self.whole else {
            return Ok(());
        };
        let read = self.stream.position();
        if let Some(expected) = whole.length
            && expected != read
        {
            return Err(CryptoError::LengthMismatch {
                expected,
                actual: read,
            });
        }
        if let Some((expected, hasher)) = whole.md5 {
            let actual: [u8; 16] = hasher.finalize().into();
            if actual != expected {
                return Err(CryptoError::Md5Mismatch);
            }
        }
        if let Some((expected, crc)) = whole.crc64
            && crc.value() != expected
        {
            return Err(CryptoError::Crc64Mismatch {
                expected,
                actual: crc.value(),
            });
        }
        Ok(())
    }
}
