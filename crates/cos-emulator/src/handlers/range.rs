//! `Range: bytes=…` on GET (and `x-cos-copy-source-range` on part copies).
//!
//! A single range is served with 206. Ranges that start at or past the end of the
//! object (and suffix ranges of zero bytes) cannot be satisfied: 416 `InvalidRange`
//! with `Content-Range: bytes */<size>`. COS's GET Object documentation says nothing
//! of inverted ranges (`bytes=10-5`); RFC 9110 §14.1.1 calls such a range invalid and
//! §14.2 lets a server ignore it, which is what the emulator does: 200 with the whole
//! object. A header that is not a byte range at all is 400 `InvalidArgument`. Several
//! ranges in one header are answered with the whole object (200), as COS does.

use crate::errors::{CosError, ErrorCode};

/// What to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    /// The whole object (200).
    Full,
    /// Bytes `start..=end` (206).
    Partial {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
    },
}

fn unsatisfiable(size: u64) -> CosError {
    CosError::new(ErrorCode::InvalidRange).header("content-range", format!("bytes */{size}"))
}

fn invalid(value: &str) -> CosError {
    CosError::with_message(
        ErrorCode::InvalidArgument,
        format!("The Range header is not valid: {value:.64}"),
    )
}

/// A decimal number; too many digits saturate (they are beyond any object anyway).
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX))
}

/// Resolves a `Range` header against an object of `size` bytes.
pub(crate) fn resolve(header: Option<&str>, size: u64) -> Result<Span, CosError> {
    let Some(value) = header else {
        return Ok(Span::Full);
    };
    let trimmed = value.trim();
    let spec = match trimmed.split_once('=') {
        Some((unit, spec)) if unit.trim().eq_ignore_ascii_case("bytes") => spec.trim(),
        _ => return Err(invalid(value)),
    };
    if spec.contains(',') {
        return Ok(Span::Full);
    }
    let (first, last) = spec.split_once('-').ok_or_else(|| invalid(value))?;
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        (true, true) => Err(invalid(value)),
        (true, false) => {
            let suffix = number(last).ok_or_else(|| invalid(value))?;
            if suffix == 0 || size == 0 {
                return Err(unsatisfiable(size));
            }
            Ok(Span::Partial {
                start: size.saturating_sub(suffix),
                end: size - 1,
            })
        }
        (false, true) => {
            let start = number(first).ok_or_else(|| invalid(value))?;
            if start >= size {
                return Err(unsatisfiable(size));
            }
            Ok(Span::Partial {
                start,
                end: size - 1,
            })
        }
        (false, false) => {
            let start = number(first).ok_or_else(|| invalid(value))?;
            let end = number(last).ok_or_else(|| invalid(value))?;
            if start > end {
                // Invalid (RFC 9110 §14.1.1): ignored, whatever the size.
                return Ok(Span::Full);
            }
            if start >= size {
                return Err(unsatisfiable(size));
            }
            Ok(Span::Partial {
                start,
                end: end.min(size - 1),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_ranges() {
        assert_eq!(resolve(None, 10).expect("ok"), Span::Full);
        assert_eq!(
            resolve(Some("bytes=0-3"), 10).expect("ok"),
            Span::Partial { start: 0, end: 3 }
        );
        assert_eq!(
            resolve(Some("bytes=6-"), 10).expect("ok"),
            Span::Partial { start: 6, end: 9 }
        );
        assert_eq!(
            resolve(Some("bytes=-4"), 10).expect("ok"),
            Span::Partial { start: 6, end: 9 }
        );
        assert_eq!(
            resolve(Some("bytes=-40"), 10).expect("ok"),
            Span::Partial { start: 0, end: 9 }
        );
        assert_eq!(
            resolve(Some("bytes=8-100"), 10).expect("ok"),
            Span::Partial { start: 8, end: 9 }
        );
        assert_eq!(resolve(Some("bytes=0-1,3-4"), 10).expect("ok"), Span::Full);
    }

    #[test]
    fn inverted_ranges_are_ignored() {
        for value in ["bytes=5-1", "bytes=10-5", "bytes=99-3", "bytes= 9 - 0 "] {
            assert_eq!(
                resolve(Some(value), 10).expect(value),
                Span::Full,
                "{value}"
            );
        }
        assert_eq!(resolve(Some("bytes=1-0"), 0).expect("empty"), Span::Full);
    }

    #[test]
    fn absurd_ranges() {
        for (value, code) in [
            ("bytes=999999999999-", ErrorCode::InvalidRange),
            ("bytes=99999999999999999999999999-", ErrorCode::InvalidRange),
            ("bytes=10-", ErrorCode::InvalidRange),
            ("bytes=-0", ErrorCode::InvalidRange),
            ("garbage", ErrorCode::InvalidArgument),
            ("bytes=", ErrorCode::InvalidArgument),
            ("bytes=-", ErrorCode::InvalidArgument),
            ("bytes=a-b", ErrorCode::InvalidArgument),
            ("items=0-1", ErrorCode::InvalidArgument),
            ("bytes=1-2-3", ErrorCode::InvalidArgument),
        ] {
            assert_eq!(
                resolve(Some(value), 10).expect_err(value).code,
                code,
                "{value}"
            );
        }
        assert_eq!(
            resolve(Some("bytes=0-0"), 0).expect_err("empty").code,
            ErrorCode::InvalidRange
        );
        let err = resolve(Some("bytes=20-"), 10).expect_err("416");
        assert_eq!(
            err.headers,
            vec![("content-range", "bytes */10".to_owned())]
        );
    }
}
