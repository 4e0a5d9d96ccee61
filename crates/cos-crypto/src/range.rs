//! Ranged reads of encrypted objects.
//!
//! CTR keeps lengths and can start at any byte, so a plaintext range *is* the ciphertext
//! range: request the range you want, then decrypt the body at the offset where it starts
//! ([`Envelope::range_decryptor`](crate::Envelope::range_decryptor)). Take that offset
//! from the response's `Content-Range` (`GetObjectOutput::span`), never from the request:
//! it is the server's word on what it sent, and it is the only way a suffix range
//! (`bytes=-n`) can be decrypted at all.
//!
//! [`block_aligned`] gives the request the Python SDK makes instead (start rounded down to
//! a 16-byte block, extra bytes discarded), for callers that want identical requests.

use cos_proto::ops::ByteRange;

use crate::cipher::BLOCK_LEN;

/// A ciphertext range to request, and how many decrypted bytes to drop from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlignedRange {
    /// The range to send in `Range`.
    pub request: ByteRange,
    /// The number of leading decrypted bytes that are not part of the caller's range.
    pub discard: u64,
}

/// The Python SDK's ranged request: the first byte rounded down to a multiple of 16, the
/// end kept; decrypt from the aligned start and drop `discard` bytes.
///
/// A suffix range (`bytes=-n`) has no known start and is returned unchanged (the Python
/// SDK fails on it; here, decrypt at the `Content-Range` start).
///
/// ```
/// use cos_crypto::range::block_aligned;
/// use cos_proto::ops::ByteRange;
///
/// let aligned = block_aligned(ByteRange::parse("bytes=5-40")?);
/// assert_eq!(aligned.request.to_string(), "bytes=0-40");
/// assert_eq!(aligned.discard, 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn block_aligned(range: ByteRange) -> AlignedRange {
    let align = |first: u64| first - first % BLOCK_LEN;
    match range {
        ByteRange::Inclusive { first, last } => AlignedRange {
            request: ByteRange::Inclusive {
                first: align(first),
                last,
            },
            discard: first % BLOCK_LEN,
        },
        ByteRange::From(first) => AlignedRange {
            request: ByteRange::From(align(first)),
            discard: first % BLOCK_LEN,
        },
        ByteRange::Suffix(_) => AlignedRange {
            request: range,
            discard: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aligned(text: &str) -> (String, u64) {
        let a = block_aligned(ByteRange::parse(text).expect("valid"));
        (a.request.to_string(), a.discard)
    }

    #[test]
    fn matches_the_python_requests() {
        assert_eq!(aligned("bytes=5-40"), ("bytes=0-40".into(), 5));
        assert_eq!(aligned("bytes=16-31"), ("bytes=16-31".into(), 0));
        assert_eq!(aligned("bytes=31-32"), ("bytes=16-32".into(), 15));
        assert_eq!(aligned("bytes=100-"), ("bytes=96-".into(), 4));
        assert_eq!(aligned("bytes=-7"), ("bytes=-7".into(), 0));
        assert_eq!(
            aligned("bytes=18446744073709551615-18446744073709551615"),
            ("bytes=18446744073709551600-18446744073709551615".into(), 15)
        );
    }
}
