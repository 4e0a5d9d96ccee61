//! `CAST(expr AS type)`: the conversions of S3 Select's SQL, which COS Select follows.
//!
//! | Type | From a number or text | From a boolean |
//! |---|---|---|
//! | `INT`, `INTEGER` | the number, truncated toward zero (a 64-bit integer) | 1 or 0 |
//! | `FLOAT` | the number as a double | 1.0 or 0.0 |
//! | `DECIMAL`, `NUMERIC` | the number (integers stay integers) | 1 or 0 |
//! | `STRING`, `VARCHAR` | its text | `true` or `false` |
//! | `BOOL`, `BOOLEAN` | `true`/`false` (any case), or a number: 0 is false | itself |
//! | `TIMESTAMP` | an ISO 8601 timestamp, kept as written | — |
//!
//! Text is trimmed before it is read as a number, boolean or timestamp. NULL and
//! MISSING stay what they are. Anything else — text that is not a number, a JSON array
//! or object cast to anything but `STRING`, an integer beyond 64 bits — fails the query
//! with `CastFailed`.
//!
//! Timestamps are the forms S3 Select documents: `YYYY'T'`, `YYYY-MM'T'`,
//! `YYYY-MM-DD['T']`, and `YYYY-MM-DD'T'hh:mm[:ss[.fraction]]` followed by `Z` or an
//! offset `±hh:mm`. The emulator checks the form and the ranges of the fields and keeps
//! the text: timestamps compare as text.

use std::borrow::Cow;

use super::error::SelectEngineError;
use super::eval::{Number, Value, parse_number};

/// A `CAST` target type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CastType {
    /// `BOOL`, `BOOLEAN`.
    Bool,
    /// `INT`, `INTEGER`.
    Int,
    /// `FLOAT`.
    Float,
    /// `DECIMAL`, `NUMERIC`.
    Decimal,
    /// `STRING`, `VARCHAR`.
    String,
    /// `TIMESTAMP`.
    Timestamp,
}

impl CastType {
    /// The type a name denotes (case-insensitive).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "bool" | "boolean" => Self::Bool,
            "int" | "integer" => Self::Int,
            "float" => Self::Float,
            "decimal" | "numeric" => Self::Decimal,
            "string" | "varchar" => Self::String,
            "timestamp" => Self::Timestamp,
            _ => return None,
        })
    }

    /// The type's name in error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Bool => "BOOL",
            Self::Int => "INT",
            Self::Float => "FLOAT",
            Self::Decimal => "DECIMAL",
            Self::String => "STRING",
            Self::Timestamp => "TIMESTAMP",
        }
    }
}

/// Writes a double as SQL output: with a fractional part (`3.0`, `2.5`), never as
/// an exponent for integral values below 10^16.
pub(crate) fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

fn failed(value: &Value<'_>, ty: CastType) -> SelectEngineError {
    SelectEngineError::CastFailed {
        ty: ty.name(),
        value: value.text().map(Cow::into_owned).unwrap_or_default(),
    }
}

fn number(text: i128) -> Value<'static> {
    Value::Number(Cow::Owned(text.to_string()))
}

/// Converts `value` to `ty`.
pub(crate) fn cast(value: Value<'_>, ty: CastType) -> Result<Value<'_>, SelectEngineError> {
    if matches!(value, Value::Missing | Value::Null) {
        return Ok(value);
    }
    if ty == CastType::String {
        return Ok(match value.text() {
            Some(text) => Value::Text(text),
            None => value,
        });
    }
    let parsed = match &value {
        Value::Number(text) | Value::Text(text) => parse_number(text),
        _ => None,
    };
    let converted = match (ty, &value, parsed) {
        (CastType::Int | CastType::Decimal, Value::Bool(b), _) => Some(number(i128::from(*b))),
        (CastType::Float, Value::Bool(b), _) => Some(Value::Number(Cow::Owned(format_float(
            f64::from(u8::from(*b)),
        )))),
        (CastType::Int, _, Some(Number::Int(i))) => i64::try_from(i).ok().map(|_| number(i)),
        (CastType::Int, _, Some(Number::Float(f))) => {
            let t = f.trunc();
            // The bounds are exact powers of two, so the comparison is exact.
            (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0)
                .contains(&t)
                .then(|| Value::Number(Cow::Owned(format!("{t:.0}"))))
        }
        (CastType::Decimal, _, Some(Number::Int(i))) => Some(number(i)),
        (CastType::Float, _, Some(n)) | (CastType::Decimal, _, Some(n @ Number::Float(_))) => {
            let f = n.as_f64();
            f.is_finite()
                .then(|| Value::Number(Cow::Owned(format_float(f))))
        }
        (CastType::Bool, Value::Bool(b), _) => Some(Value::Bool(*b)),
        (CastType::Bool, Value::Text(text) | Value::Number(text), parsed) => {
            let trimmed = text.trim();
            if trimmed.eq_ignore_ascii_case("true") {
                Some(Value::Bool(true))
            } else if trimmed.eq_ignore_ascii_case("false") {
                Some(Value::Bool(false))
            } else {
                parsed.map(|n| Value::Bool(n.as_f64() != 0.0))
            }
        }
        (CastType::Timestamp, Value::Text(text), _) if is_timestamp(text.trim()) => {
            Some(Value::Text(Cow::Owned(text.trim().to_owned())))
        }
        _ => None,
    };
    converted.ok_or_else(|| failed(&value, ty))
}

/// Reads exactly `n` ASCII digits at the start of `s`.
fn digits(s: &str, n: usize) -> Option<(u32, &str)> {
    let head = s.get(..n)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, s.get(n..)?))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether `s` is one of the ISO 8601 forms S3 Select's `TIMESTAMP` accepts.
pub(crate) fn is_timestamp(s: &str) -> bool {
    timestamp_parts(s).is_some()
}

fn timestamp_parts(s: &str) -> Option<()> {
    let (year, rest) = digits(s, 4)?;
    if rest == "T" {
        return Some(());
    }
    let (month, rest) = digits(rest.strip_prefix('-')?, 2)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    if rest == "T" {
        return Some(());
    }
    let (day, rest) = digits(rest.strip_prefix('-')?, 2)?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if rest.is_empty() || rest == "T" {
        return Some(());
    }
    let (hour, rest) = digits(rest.strip_prefix('T')?, 2)?;
    let (minute, mut rest) = digits(rest.strip_prefix(':')?, 2)?;
    if hour > 23 || minute > 59 {
        return None;
    }
    if let Some(after) = rest.strip_prefix(':') {
        let (second, after) = digits(after, 2)?;
        if second > 59 {
            return None;
        }
        rest = after;
        if let Some(fraction) = rest.strip_prefix('.') {
            let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if len == 0 {
                return None;
            }
            rest = fraction.get(len..)?;
        }
    }
    if rest == "Z" {
        return Some(());
    }
    let offset = rest.strip_prefix('+').or_else(|| rest.strip_prefix('-'))?;
    let (hours, offset) = digits(offset, 2)?;
    let (minutes, offset) = digits(offset.strip_prefix(':')?, 2)?;
    (offset.is_empty() && hours <= 23 && minutes <= 59).then_some(())
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value<'_> {
        Value::Text(Cow::Borrowed(s))
    }

    fn cast_text(s: &str, ty: CastType) -> Option<String> {
        cast(text(s), ty)
            .ok()
            .map(|v| v.text().unwrap_or_default().into_owned())
    }

    #[test]
    fn type_names() {
        for (name, ty) in [
            ("INT", CastType::Int),
            ("integer", CastType::Int),
            ("Float", CastType::Float),
            ("DECIMAL", CastType::Decimal),
            ("numeric", CastType::Decimal),
            ("STRING", CastType::String),
            ("varchar", CastType::String),
            ("TIMESTAMP", CastType::Timestamp),
            ("bool", CastType::Bool),
            ("BOOLEAN", CastType::Bool),
        ] {
            assert_eq!(CastType::from_name(name), Some(ty), "{name}");
        }
        assert_eq!(CastType::from_name("DATE"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(cast_text(" 42 ", CastType::Int).as_deref(), Some("42"));
        assert_eq!(cast_text("-3.9", CastType::Int).as_deref(), Some("-3"));
        assert_eq!(cast_text("1e3", CastType::Int).as_deref(), Some("1000"));
        assert_eq!(cast_text("9223372036854775808", CastType::Int), None);
        assert_eq!(cast_text("1e300", CastType::Int), None);
        assert_eq!(cast_text("abc", CastType::Int), None);
        assert_eq!(cast_text("", CastType::Int), None);
        assert_eq!(cast_text("2", CastType::Float).as_deref(), Some("2.0"));
        assert_eq!(cast_text("0.25", CastType::Float).as_deref(), Some("0.25"));
        assert_eq!(cast_text("7", CastType::Decimal).as_deref(), Some("7"));
        assert_eq!(cast_text("7.5", CastType::Decimal).as_deref(), Some("7.5"));
        assert_eq!(
            cast(Value::Bool(true), CastType::Int)
                .expect("cast")
                .text()
                .as_deref(),
            Some("1")
        );
        let err = cast(text("x1"), CastType::Float).expect_err("fails");
        assert_eq!(err.code(), "CastFailed");
    }

    #[test]
    fn booleans_strings_and_nulls() {
        assert_eq!(cast(text(" TRUE "), CastType::Bool), Ok(Value::Bool(true)));
        assert_eq!(cast(text("false"), CastType::Bool), Ok(Value::Bool(false)));
        assert_eq!(cast(text("0"), CastType::Bool), Ok(Value::Bool(false)));
        assert_eq!(cast(text("2.5"), CastType::Bool), Ok(Value::Bool(true)));
        assert!(cast(text("yes"), CastType::Bool).is_err());
        assert_eq!(
            cast(Value::Number(Cow::Borrowed("12")), CastType::String),
            Ok(Value::Text(Cow::Borrowed("12")))
        );
        assert_eq!(
            cast(Value::Bool(false), CastType::String),
            Ok(Value::Text(Cow::Borrowed("false")))
        );
        for ty in [CastType::Int, CastType::Timestamp, CastType::String] {
            assert_eq!(cast(Value::Null, ty), Ok(Value::Null));
            assert_eq!(cast(Value::Missing, ty), Ok(Value::Missing));
        }
    }

    #[test]
    fn timestamps() {
        for ok in [
            "2007T",
            "2007-04T",
            "2007-04-05",
            "2007-04-05T",
            "2007-04-05T14:30Z",
            "2007-04-05T14:30:15Z",
            "2007-04-05T14:30:15.123+08:00",
            "2024-02-29T00:00-05:30",
        ] {
            assert!(is_timestamp(ok), "{ok}");
        }
        for bad in [
            "",
            "2007",
            "07-04-05",
            "2007-13T",
            "2007-04-31",
            "2023-02-29",
            "2007-04-05T24:00Z",
            "2007-04-05T14:30",
            "2007-04-05T14:30:15.Z",
            "2007-04-05T14:30+8:00",
            "2007-04-05T14:30Zjunk",
            "２００７T",
        ] {
            assert!(!is_timestamp(bad), "{bad}");
        }
        assert_eq!(
            cast_text(" 2007-04-05T14:30Z ", CastType::Timestamp).as_deref(),
            Some("2007-04-05T14:30Z")
        );
        assert!(cast(text("yesterday"), CastType::Timestamp).is_err());
    }
}
