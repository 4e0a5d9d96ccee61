//! Byte ranges: the `Range` request header and the `Content-Range` response header.

use std::fmt;

use crate::error::InputError;

/// A byte range of an object, as sent in `Range: bytes=...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteRange {
    /// Bytes `first..=last`.
    Inclusive {
        /// First byte offset.
        first: u64,
        /// Last byte offset (inclusive).
        last: u64,
    },
    /// From `first` to the end of the object.
    From(u64),
    /// The last `n` bytes of the object.
    Suffix(u64),
}

impl ByteRange {
    /// Bytes `first..=last`; fails if `last < first`.
    pub fn inclusive(first: u64, last: u64) -> Result<Self, InputError> {
        if last < first {
            return Err(InputError::InvalidArgument {
                what: "range",
                reason: format!("last byte {last} is before first byte {first}"),
            });
        }
        Ok(ByteRange::Inclusive { first, last })
    }

    /// Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` (one range only).
    pub fn parse(value: &str) -> Result<Self, InputError> {
        let invalid = || InputError::InvalidArgument {
            what: "range",
            reason: format!("{value:?} is not bytes=first-last, bytes=first- or bytes=-suffix"),
        };
        let spec = value.trim().strip_prefix("bytes=").ok_or_else(invalid)?;
        let (first, last) = spec.split_once('-').ok_or_else(invalid)?;
        let number = |s: &str| -> Result<u64, InputError> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            s.parse().map_err(|_| invalid())
        };
        match (first.is_empty(), last.is_empty()) {
            (true, true) => Err(invalid()),
            (true, false) => Ok(ByteRange::Suffix(number(last)?)),
            (false, true) => Ok(ByteRange::From(number(first)?)),
            (false, false) => ByteRange::inclusive(number(first)?, number(last)?),
        }
    }
}

impl ByteRange {
    /// The absolute span `(first, last)` an honest server answers for this range over an
    /// object of `total` bytes (`None` when `total` is unknown and the range's end
    /// depends on it, or when nothing of the object is in the range).
    ///
    /// ```
    /// use cos_proto::ops::ByteRange;
    /// assert_eq!(ByteRange::inclusive(10, 99).unwrap().span_in(Some(50)), Some((10, 49)));
    /// assert_eq!(ByteRange::From(10).span_in(Some(50)), Some((10, 49)));
    /// assert_eq!(ByteRange::Suffix(80).span_in(Some(50)), Some((0, 49)));
    /// assert_eq!(ByteRange::inclusive(10, 19).unwrap().span_in(None), Some((10, 19)));
    /// assert_eq!(ByteRange::From(10).span_in(None), None);
    /// ```
    pub fn span_in(&self, total: Option<u64>) -> Option<(u64, u64)> {
        match (*self, total) {
            (_, Some(0)) => None,
            (ByteRange::Inclusive { first, last }, Some(total)) => {
                (first < total).then(|| (first, last.min(total - 1)))
            }
            (ByteRange::Inclusive { first, last }, None) => Some((first, last)),
            (ByteRange::From(first), Some(total)) => (first < total).then(|| (first, total - 1)),
            (ByteRange::Suffix(n), Some(total)) => {
                (n > 0).then(|| (total - n.min(total), total - 1))
            }
            (ByteRange::From(_) | ByteRange::Suffix(_), None) => None,
        }
    }
}

impl fmt::Display for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ByteRange::Inclusive { first, last } => write!(f, "bytes={first}-{last}"),
            ByteRange::From(first) => write!(f, "bytes={first}-"),
            ByteRange::Suffix(n) => write!(f, "bytes=-{n}"),
        }
    }
}

/// A parsed `Content-Range: bytes first-last/total` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentRange {
    /// First byte offset.
    pub first: u64,
    /// Last byte offset (inclusive).
    pub last: u64,
    /// The object's full size, when known (`*` means unknown).
    pub total: Option<u64>,
}

impl ContentRange {
    /// Parses `bytes a-b/total` (or `bytes a-b/*`). Returns `None` when malformed.
    pub fn parse(value: &str) -> Option<Self> {
        let spec = value.trim().strip_prefix("bytes ")?;
        let (range, total) = spec.split_once('/')?;
        let (first, last) = range.split_once('-')?;
        let number = |s: &str| -> Option<u64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (first, last) = (number(first)?, number(last)?);
        if last < first {
            return None;
        }
        let total = if total == "*" {
            None
        } else {
            Some(number(total)?)
        };
        if total.is_some_and(|t| last >= t) {
            return None;
        }
        Some(Self { first, last, total })
    }

    /// The number of bytes in the range.
    pub fn len(&self) -> u64 {
        self.last - self.first + 1
    }

    /// Always `false`: a content range holds at least one byte.
    pub fn is_empty(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip() {
        for text in ["bytes=0-99", "bytes=5-", "bytes=-10"] {
            assert_eq!(ByteRange::parse(text).expect("valid").to_string(), text);
        }
        for bad in [
            "bytes=",
            "bytes=-",
            "bytes=9-1",
            "0-1",
            "bytes=a-b",
            "bytes=1-2,3-4",
            "bytes=+1-2",
        ] {
            assert!(ByteRange::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn content_range_parses_strictly() {
        assert_eq!(
            ContentRange::parse("bytes 0-99/1000"),
            Some(ContentRange {
                first: 0,
                last: 99,
                total: Some(1000)
            })
        );
        assert_eq!(
            ContentRange::parse("bytes 6-10/*").map(|r| r.len()),
            Some(5)
        );
        for bad in [
            "bytes 5-1/10",
            "bytes 0-10/10",
            "0-1/2",
            "bytes a-1/2",
            "bytes 0-1",
        ] {
            assert_eq!(ContentRange::parse(bad), None, "{bad}");
        }
    }
}
