//! Multipart uploads: every part is encrypted at its absolute offset in the object.
//!
//! With CTR, byte `n` of the object uses keystream byte `n`, whichever part it travels in.
//! So parts can be encrypted independently, uploaded in parallel and in any order, and
//! retried (re-encrypting a part gives the same bytes). The result is byte-identical to
//! encrypting the whole object in one pass, which is how the Python SDK reads it.
//!
//! The counter of any byte is computed from its offset (block `offset / 16`, then
//! `offset % 16` keystream bytes skipped), so a part may start anywhere. What each format
//! asks of the part size ([`check_part_size_for`]):
//!
//! * the v2 family ([`Format::V2`], [`Format::GoCompatible`]): a multiple of 16 bytes
//!   (every part but the last), because the Go and Java SDKs advance the IV by
//!   `(part_number - 1) × part_size / 16` blocks and need each part on a block;
//! * [`Format::PythonCompatible`]: any positive size. The Python SDK's parts share one CTR
//!   state that simply continues from part to part, whatever their sizes; encrypting each
//!   part at its absolute offset gives the same bytes.

use crate::cipher::BLOCK_LEN;
use crate::envelope::Format;
use crate::error::CryptoError;

/// The highest part number COS accepts.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// Checks a part size for the v2 family: positive and a multiple of 16 bytes.
pub fn check_part_size(part_size: u64) -> Result<(), CryptoError> {
    if part_size == 0 || !part_size.is_multiple_of(BLOCK_LEN) {
        return Err(CryptoError::InvalidPartSize(part_size));
    }
    Ok(())
}

/// Checks a part size for an upload written in `format`: a positive multiple of 16 bytes
/// for the v2 family, any positive size for [`Format::PythonCompatible`] (see the
/// module docs).
///
/// ```
/// use cos_crypto::{Format, multipart::check_part_size_for};
///
/// assert!(check_part_size_for(Format::PythonCompatible, 1000).is_ok());
/// assert!(check_part_size_for(Format::V2, 1000).is_err());
/// ```
pub fn check_part_size_for(format: Format, part_size: u64) -> Result<(), CryptoError> {
    match format {
        Format::PythonCompatible if part_size > 0 => Ok(()),
        Format::PythonCompatible => Err(CryptoError::InvalidPartSize(part_size)),
        Format::V2 | Format::GoCompatible => check_part_size(part_size),
    }
}

/// The object offset of part `part_number` (1-based) when every part but the last is
/// `part_size` bytes (any positive size): encrypt the part's plaintext at this offset.
/// Whether the size suits the envelope's format is [`check_part_size_for`]'s question.
///
/// ```
/// assert_eq!(cos_crypto::multipart::part_offset(3, 5 * 1024 * 1024)?, 10 * 1024 * 1024);
/// assert_eq!(cos_crypto::multipart::part_offset(3, 1000)?, 2000);
/// # Ok::<(), cos_crypto::CryptoError>(())
/// ```
pub fn part_offset(part_number: u32, part_size: u64) -> Result<u64, CryptoError> {
    if part_size == 0 {
        return Err(CryptoError::InvalidPartSize(part_size));
    }
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
    fn python_part_sizes_need_only_be_positive() {
        for size in [1, 15, 17, 1000, 5 << 20] {
            assert!(check_part_size_for(Format::PythonCompatible, size).is_ok());
            assert!(check_part_size_for(Format::V2, size).is_ok() == (size % 16 == 0));
            assert!(check_part_size_for(Format::GoCompatible, size).is_ok() == (size % 16 == 0));
        }
        assert!(check_part_size_for(Format::PythonCompatible, 0).is_err());
    }

    #[test]
    fn offsets_are_checked() {
        assert_eq!(part_offset(1, 16).expect("valid"), 0);
        assert_eq!(part_offset(10_000, 32).expect("valid"), 9_999 * 32);
        assert_eq!(part_offset(3, 1000).expect("valid"), 2000);
        assert!(part_offset(1, 0).is_err());
        assert!(part_offset(0, 16).is_err());
        assert!(part_offset(10_001, 16).is_err());
        assert!(matches!(
            part_offset(10_000, u64::MAX - 15),
            Err(CryptoError::OffsetOverflow { .. })
        ));
    }
}
