//! CRC-64 checksums as COS reports them in `x-cos-hash-crc64ecma`.
//!
//! COS computes CRC-64/XZ (the ECMA-182 polynomial `0x42F0E1EBA9EA3693`,
//! reflected input and output, initial value and final XOR all ones) over
//! the object bytes and sends it as an unsigned **decimal** string. For a
//! multipart object the value covers the whole object, so callers that
//! upload parts compute one CRC per part and fold them with [`combine`], or
//! all at once with [`concat()`].
//!
//! This module does no I/O: feed bytes to [`Crc64`] as they pass through
//! your transport, then compare [`Crc64::value`] with the header parsed by
//! [`parse_header_value`].
//!
//! ```
//! use cos_proto::crc64::{self, Crc64};
//!
//! let mut hasher = Crc64::new();
//! hasher.update(b"1234");
//! hasher.update(b"56789");
//! assert_eq!(hasher.value(), 11051210869376104954);
//!
//! let from_server = crc64::parse_header_value("11051210869376104954")?;
//! assert_eq!(hasher.value(), from_server);
//! # Ok::<(), cos_proto::crc64::Crc64ParseError>(())
//! ```

use std::fmt;

use crc_fast::{CrcAlgorithm, Digest};

mod zeros;

/// The algorithm COS uses. `Crc64Ecma182` in `crc-fast` is a different
/// (non-reflected, zero-initialised) CRC and must not be used here.
const ALGORITHM: CrcAlgorithm = CrcAlgorithm::Crc64Xz;

/// Streaming CRC-64/XZ hasher, matching COS `x-cos-hash-crc64ecma`.
///
/// Create one per byte stream with [`Crc64::new`], call [`Crc64::update`]
/// with every chunk in order, and read the checksum with [`Crc64::value`]
/// whenever you need it (reading does not finish or reset the hasher, so
/// you may keep feeding bytes afterwards). Clone it to fork a running
/// checksum, e.g. to checkpoint a resumable transfer.
///
/// ```
/// use cos_proto::crc64::Crc64;
///
/// let mut hasher = Crc64::new();
/// assert_eq!(hasher.value(), 0); // CRC of no bytes
/// hasher.update(b"hello");
/// assert_eq!(hasher.value(), 11177612005948864433);
/// assert_eq!(hasher.len(), 5);
/// ```
#[derive(Clone)]
pub struct Crc64 {
    digest: Digest,
}

impl Crc64 {
    /// Creates a hasher that has seen no bytes (its [`value`](Self::value)
    /// is `0`, the CRC of the empty input).
    #[must_use]
    pub fn new() -> Self {
        Self {
            digest: Digest::new(ALGORITHM),
        }
    }

    /// Feeds the next chunk of the stream. Chunks must be passed in stream
    /// order; how the stream is split does not change the result.
    pub fn update(&mut self, data: &[u8]) {
        self.digest.update(data);
    }

    /// Returns the CRC of all bytes fed so far. Cheap; may be called at any
    /// time without disturbing the running state.
    #[must_use]
    pub fn value(&self) -> u64 {
        self.digest.finalize()
    }

    /// Returns how many bytes have been fed so far. Pass this as `len_b`
    /// when folding this hasher's value into another with [`combine`].
    #[must_use]
    pub fn len(&self) -> u64 {
        self.digest.get_amount()
    }

    /// Returns `true` when no bytes have been fed yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Crc64 {
    /// Same as [`Crc64::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Crc64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crc64")
            .field("value", &self.value())
            .field("len", &self.len())
            .finish()
    }
}

/// A CRC-64 shared between an upload body and the code that sent it: the body resets it
/// when an attempt starts and feeds it every byte it sends, so once the upload
/// succeeded it holds the CRC-64 (and length) of exactly the bytes COS received —
/// computed in the same pass that read them. Clones share the value.
///
/// ```
/// use cos_proto::crc64::{Crc64Tap, crc64};
/// let tap = Crc64Tap::new();
/// tap.update(b"partial attempt");
/// tap.reset();
/// tap.update(b"hello");
/// assert_eq!((tap.value(), tap.len()), (Some(crc64(b"hello")), Some(5)));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Crc64Tap(std::sync::Arc<std::sync::Mutex<Crc64>>);

impl Crc64Tap {
    /// A tap at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts over (a new attempt).
    pub fn reset(&self) {
        if let Ok(mut crc) = self.0.lock() {
            *crc = Crc64::new();
        }
    }

    /// Feeds bytes that were sent.
    pub fn update(&self, data: &[u8]) {
        if let Ok(mut crc) = self.0.lock() {
            crc.update(data);
        }
    }

    /// The CRC-64 of the bytes fed since the last reset; `None` when it is unknown (a
    /// thread panicked while feeding it: some bytes may be missing).
    pub fn value(&self) -> Option<u64> {
        self.0.lock().ok().map(|crc| crc.value())
    }

    /// The number of bytes fed since the last reset; `None` when unknown, as for
    /// [`Crc64Tap::value`].
    pub fn len(&self) -> Option<u64> {
        self.0.lock().ok().map(|crc| crc.len())
    }

    /// Whether nothing was fed since the last reset.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

#[cfg(test)]
mod tap_tests {
    use super::*;

    #[test]
    fn a_poisoned_tap_is_unknown_not_zero() {
        let tap = Crc64Tap::new();
        tap.update(b"abc");
        let poisoner = tap.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.0.lock();
            panic!("poison the tap");
        })
        .join();
        tap.update(b"lost");
        assert_eq!((tap.value(), tap.len()), (None, None));
        assert!(!tap.is_empty());
    }
}

/// Computes the CRC-64/XZ of `data` in one call.
///
/// ```
/// assert_eq!(cos_proto::crc64::crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
/// ```
#[must_use]
pub fn crc64(data: &[u8]) -> u64 {
    crc_fast::checksum(ALGORITHM, data)
}

/// Returns the CRC of the concatenation `a ‖ b`, given `crc_a` = CRC of `a`,
/// `crc_b` = CRC of `b` and `len_b` = length of `b` in bytes.
///
/// Use it to build a whole-object CRC from per-part CRCs of a multipart
/// upload: fold the parts in part-number order, starting from the first
/// part's CRC (or from `0` with `len_b` of the first part, since `0` is the
/// CRC of the empty input). When `len_b` is `0`, `b` is empty and `crc_a` is
/// returned unchanged (`crc_b` is ignored).
///
/// ```
/// use cos_proto::crc64::{combine, crc64};
///
/// let whole = combine(crc64(b"hello "), crc64(b"world"), 5);
/// assert_eq!(whole, crc64(b"hello world"));
/// ```
#[must_use]
pub fn combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    crc_fast::checksum_combine(ALGORITHM, crc_a, crc_b, len_b)
}

/// Returns the CRC of pieces laid end to end, from each piece's `(crc, len)` in order:
/// what folding them with [`combine`] gives, at a small part of its cost when runs of
/// pieces have the same length (the parts of a transfer, all of one size but the last),
/// since the work [`combine`] does for a length is done once per run. Empty pieces are
/// skipped; no pieces at all give `0`, the CRC of the empty input.
///
/// ```
/// use cos_proto::crc64::{concat, crc64};
///
/// let parts = [&b"one "[..], b"two ", b"six ", b"end"];
/// let whole = concat(parts.iter().map(|p| (crc64(p), p.len() as u64)));
/// assert_eq!(whole, crc64(b"one two six end"));
/// ```
#[must_use]
pub fn concat(pieces: impl IntoIterator<Item = (u64, u64)>) -> u64 {
    let mut zeros: Option<zeros::ZeroBytes> = None;
    pieces.into_iter().fold(0, |acc, (crc, len)| {
        if len == 0 {
            return acc;
        }
        let shift = match zeros.take() {
            Some(shift) if shift.len() == len => shift,
            _ => zeros::ZeroBytes::new(len),
        };
        let acc = shift.combine(acc, crc);
        zeros = Some(shift);
        acc
    })
}

/// Why an `x-cos-hash-crc64ecma` header value was rejected by
/// [`parse_header_value`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Crc64ParseError {
    /// The value was empty.
    #[error("empty x-cos-hash-crc64ecma value")]
    Empty,
    /// The value contained something other than the ASCII digits `0`-`9`
    /// (a sign, whitespace, hex prefix, ...).
    #[error("invalid character at byte {index} of x-cos-hash-crc64ecma value")]
    InvalidDigit {
        /// Byte offset of the first offending character.
        index: usize,
    },
    /// The number does not fit in 64 bits.
    #[error("x-cos-hash-crc64ecma value exceeds 18446744073709551615")]
    Overflow,
}

/// Parses an `x-cos-hash-crc64ecma` header value: an unsigned decimal
/// number that fits in a `u64`.
///
/// Parsing is strict: only ASCII digits are accepted (leading zeros are
/// fine); signs, whitespace and empty values are errors. Trim the header
/// value yourself first if your HTTP stack leaves surrounding whitespace.
///
/// # Errors
///
/// [`Crc64ParseError::Empty`] for `""`, [`Crc64ParseError::InvalidDigit`]
/// for any byte that is not `0`-`9`, [`Crc64ParseError::Overflow`] when the
/// number exceeds `u64::MAX`. Treat any error as a corrupt response, not
/// as a checksum mismatch.
///
/// ```
/// use cos_proto::crc64::{parse_header_value, Crc64ParseError};
///
/// assert_eq!(parse_header_value("5981764153023615706"), Ok(5981764153023615706));
/// assert_eq!(parse_header_value("007"), Ok(7));
/// assert_eq!(parse_header_value("-1"), Err(Crc64ParseError::InvalidDigit { index: 0 }));
/// ```
pub fn parse_header_value(value: &str) -> Result<u64, Crc64ParseError> {
    if value.is_empty() {
        return Err(Crc64ParseError::Empty);
    }
    let mut acc: u64 = 0;
    for (index, byte) in value.bytes().enumerate() {
        if !byte.is_ascii_digit() {
            return Err(Crc64ParseError::InvalidDigit { index });
        }
        let digit = u64::from(byte - b'0');
        acc = acc
            .checked_mul(10)
            .and_then(|v| v.checked_add(digit))
            .ok_or(Crc64ParseError::Overflow)?;
    }
    Ok(acc)
}

/// Formats a CRC the way COS sends it in `x-cos-hash-crc64ecma`: unsigned
/// decimal, no leading zeros.
///
/// ```
/// assert_eq!(cos_proto::crc64::format_header_value(0x995D_C9BB_DF19_39FA), "11051210869376104954");
/// ```
#[must_use]
pub fn format_header_value(crc: u64) -> String {
    crc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CHECK_VALUES: &[(&[u8], u64)] = &[
        (b"", 0),
        (b"a", 3_675_645_893_302_102_789),
        (b"hello", 11_177_612_005_948_864_433),
        (b"hello world", 5_981_764_153_023_615_706),
        (b"123456789", 11_051_210_869_376_104_954),
    ];

    #[test]
    fn check_values_one_shot() {
        for &(input, expected) in CHECK_VALUES {
            assert_eq!(crc64(input), expected, "input {input:?}");
        }
        assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
    }

    #[test]
    fn check_values_streaming_byte_by_byte() {
        for &(input, expected) in CHECK_VALUES {
            let mut hasher = Crc64::new();
            for byte in input {
                hasher.update(std::slice::from_ref(byte));
            }
            assert_eq!(hasher.value(), expected, "input {input:?}");
            assert_eq!(hasher.len(), input.len() as u64);
        }
    }

    #[test]
    fn not_the_forward_ecma182_variant() {
        let forward = crc_fast::checksum(CrcAlgorithm::Crc64Ecma182, b"123456789");
        assert_ne!(crc64(b"123456789"), forward);
    }

    fn buffer_1000() -> Vec<u8> {
        (0..1000u32)
            .map(|i| u8::try_from(i.wrapping_mul(31).wrapping_add(7) % 251).unwrap_or(0))
            .collect()
    }

    #[test]
    fn every_split_of_1000_bytes_matches_one_shot() {
        let data = buffer_1000();
        let expected = crc64(&data);
        for split in 0..=data.len() {
            let (a, b) = data.split_at(split);
            let mut hasher = Crc64::new();
            hasher.update(a);
            assert_eq!(hasher.value(), crc64(a), "prefix at {split}");
            hasher.update(b);
            assert_eq!(hasher.value(), expected, "split at {split}");
            assert_eq!(hasher.len(), 1000);
            assert_eq!(combine(crc64(a), crc64(b), b.len() as u64), expected);
        }
    }

    #[test]
    fn value_does_not_consume_and_clone_forks() {
        let mut hasher = Crc64::new();
        hasher.update(b"hello");
        assert_eq!(hasher.value(), hasher.value());
        let mut fork = hasher.clone();
        hasher.update(b" world");
        fork.update(b" world");
        assert_eq!(hasher.value(), 5_981_764_153_023_615_706);
        assert_eq!(fork.value(), hasher.value());
    }

    #[test]
    fn default_is_empty() {
        let hasher = Crc64::default();
        assert!(hasher.is_empty());
        assert_eq!(hasher.len(), 0);
        assert_eq!(hasher.value(), 0);
        let debug = format!("{hasher:?}");
        assert!(debug.contains("Crc64"), "{debug}");
    }

    #[test]
    fn combine_with_empty_b_returns_a() {
        let a = crc64(b"hello");
        assert_eq!(combine(a, 0, 0), a);
        assert_eq!(combine(a, 12345, 0), a);
        assert_eq!(combine(0, crc64(b"hello"), 5), crc64(b"hello"));
    }

    #[test]
    fn parse_accepts_decimal() {
        assert_eq!(parse_header_value("0"), Ok(0));
        assert_eq!(parse_header_value("000123"), Ok(123));
        assert_eq!(
            parse_header_value("11051210869376104954"),
            Ok(11_051_210_869_376_104_954)
        );
        assert_eq!(parse_header_value("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_header_value("0018446744073709551615"), Ok(u64::MAX));
    }

    #[test]
    fn parse_rejects_malformed() {
        use Crc64ParseError::*;
        let cases: &[(&str, Crc64ParseError)] = &[
            ("", Empty),
            ("-1", InvalidDigit { index: 0 }),
            ("+1", InvalidDigit { index: 0 }),
            (" 1", InvalidDigit { index: 0 }),
            ("1 ", InvalidDigit { index: 1 }),
            ("1a", InvalidDigit { index: 1 }),
            ("0x1F", InvalidDigit { index: 1 }),
            ("１", InvalidDigit { index: 0 }),
            ("18446744073709551616", Overflow),
            ("99999999999999999999999", Overflow),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_header_value(input).as_ref(),
                Err(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn error_messages_are_descriptive() {
        assert_eq!(
            Crc64ParseError::InvalidDigit { index: 3 }.to_string(),
            "invalid character at byte 3 of x-cos-hash-crc64ecma value"
        );
        assert!(Crc64ParseError::Overflow.to_string().contains("exceeds"));
        assert!(Crc64ParseError::Empty.to_string().contains("empty"));
    }

    #[test]
    fn format_matches_check_value() {
        assert_eq!(format_header_value(0), "0");
        assert_eq!(format_header_value(u64::MAX), "18446744073709551615");
        assert_eq!(
            format_header_value(crc64(b"123456789")),
            "11051210869376104954"
        );
    }

    proptest! {
        #[test]
        fn combine_matches_concatenation(
            a in proptest::collection::vec(any::<u8>(), 0..4096),
            b in proptest::collection::vec(any::<u8>(), 0..4096),
        ) {
            let mut ab = a.clone();
            ab.extend_from_slice(&b);
            prop_assert_eq!(combine(crc64(&a), crc64(&b), b.len() as u64), crc64(&ab));
        }

        #[test]
        fn concat_matches_concatenation_and_combine(
            pieces in proptest::collection::vec(
                (proptest::collection::vec(any::<u8>(), 0..600), 1usize..4),
                0..12,
            ),
        ) {
            // Each piece repeated 1–3 times: runs of equal lengths, and changes of length.
            let mut whole = Vec::new();
            let mut crcs = Vec::new();
            for (piece, times) in &pieces {
                for _ in 0..*times {
                    whole.extend_from_slice(piece);
                    crcs.push((crc64(piece), piece.len() as u64));
                }
            }
            let folded = crcs.iter().fold(0, |acc, &(crc, len)| combine(acc, crc, len));
            prop_assert_eq!(concat(crcs.iter().copied()), crc64(&whole));
            prop_assert_eq!(concat(crcs), folded);
        }

        #[test]
        fn concat_agrees_with_combine_at_any_length(
            crc_a in any::<u64>(),
            crc_b in any::<u64>(),
            len_b in 1u64..(1 << 40),
        ) {
            prop_assert_eq!(
                concat([(crc_a, 1), (crc_b, len_b)]),
                combine(crc_a, crc_b, len_b)
            );
        }

        #[test]
        fn streaming_matches_one_shot(
            data in proptest::collection::vec(any::<u8>(), 0..4096),
            chunk in 1usize..512,
        ) {
            let mut hasher = Crc64::new();
            for piece in data.chunks(chunk) {
                hasher.update(piece);
            }
            prop_assert_eq!(hasher.value(), crc64(&data));
            prop_assert_eq!(hasher.len(), data.len() as u64);
        }

        #[test]
        fn format_parse_round_trip(value in any::<u64>()) {
            prop_assert_eq!(parse_header_value(&format_header_value(value)), Ok(value));
        }

        #[test]
        fn parse_agrees_with_std_on_digit_strings(s in "[0-9]{1,25}") {
            prop_assert_eq!(parse_header_value(&s).ok(), s.parse::<u64>().ok());
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = parse_header_value(&s);
        }
    }
}
