//! Multipart uploads: every part is encrypted at its absolute offset in the object.
//!
//! With CTR, byte `n` of the object uses keystream byte `n`, whichever part it travels in.
//! So parts can be encrypted independently, uploaded in parallel and in any order, and
//! retried (re-encrypting a part gives the same bytes). The result is byte-identical to
//! encrypting the whole object in one pass, which is how the Python SDK reads it.
//!
//! The part size must be a multiple of 16 bytes (every part but the last), so that each
//! part starts on a counter block: the Go and Java SDKs advance the IV by
//! `(part_number - 1) × part_size / 16` blocks and need it, and it keeps every part's
//! keystream aligned.

use crate::cipher::BLOCK_LEN;
use crate::error::CryptoError;

/// The highest part number COS accepts.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// Checks a part size: positive and a multiple of 16 bytes.
pub fn check_part_size(part_size: u64) -> Result<(), CryptoError> {
    if part_size == 0 || !part_size.is_multiple_of(BLOCK_LEN) {
        return Err(CryptoError::InvalidPartSize(part_size));
    }
    Ok(())
}

/// The object offset of part `part_number` (1-based) when every part but the last is
/// `part_size` bytes: encrypt the part's plaintext at this offset.
///
/// ```
/// assert_eq!(cos_crypto::multipart::part_offset(3, 5 * 1024 * 1024)?, 10 * 1024 * 1024);
/// # Ok::<(), cos_crypto::CryptoError>(())
/// ```
pub fn part_offset(part_number: u32, part_size: u64) -> Result<u64, CryptoError> {
    check_part_size(part_size)?;
    if part_number == 0 || part_number > MAX_PART_NUMBER {
        return Err(CryptoError::InvalidPartNumber {
            part_number,
            reason: "part numbers run from 1 to 10000",
        });
    }
    u64::from(part_number - 1)
        .checked_mul(part_size)
        .ok_or(CryptoError::OffsetOverflow {
            offset: u64::from(part_number - 1),
            len: part_size,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_sizes_must_be_block_multiples() {
        assert!(check_part_size(16).is_ok());
        assert!(check_part_size(5 << 20).is_ok());
        for bad in [0, 1, 15, 17, 1_000_001] {
            assert!(matches!(
                check_part_size(bad),
                Err(CryptoError::InvalidPartSize(n)) if n == bad
            ));
        }
    }

    #[test]
    fn offsets_are_checked() {
        assert_eq!(part_offset(1, 16).expect("valid"), 0);
        assert_eq!(part_offset(10_000, 32).expect("valid"), 9_999 * 32);
        assert!(part_offset(0, 16).is_err());
        assert!(part_offset(10_001, 16).is_err());
        assert!(matches!(
            part_offset(10_000, u64::MAX - 15),
            Err(CryptoError::OffsetOverflow { .. })
        ));
    }
}
