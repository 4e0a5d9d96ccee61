//! The Select SQL engine behind `SelectObjectContent`.
//!
//! [`run`] evaluates one SQL expression of the COS Select subset (like S3
//! Select) against a whole object held in memory and returns the serialized
//! result records and the byte statistics:
//!
//! ```text
//! SELECT * | item [, item]... FROM COSObject [[AS] alias] [WHERE condition] [LIMIT n]
//! ```
//!
//! The parts: `lexer` (tokens), `sql` (the parser) building an `ast`, `eval`
//! (one record at a time), `cast` (`CAST`), `aggregate` (`COUNT`, `SUM`, `AVG`,
//! `MIN`, `MAX`), `scan` (records of CSV or JSON input), `output` (CSV or JSON
//! records).
//!
//! * Keywords are case-insensitive; the table is `COSObject` (any case).
//! * Items are column references (`s._1`, `_2`, `s.name`, `name`,
//!   `s."quoted name"`, nested JSON paths `s.a.b[0]`), string and number
//!   literals, `TRUE`/`FALSE`/`NULL`, or conditions, each with an optional
//!   `[AS] alias` (used as the key in JSON output, ignored in CSV output).
//! * Conditions: `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, `IS [NOT] NULL`,
//!   `IS [NOT] MISSING`, `AND`, `OR`, `NOT` and parentheses (`NOT` binds
//!   tighter than `AND`, which binds tighter than `OR`).
//! * `CAST(expr AS type)` to `BOOL`, `INT`/`INTEGER`, `FLOAT`, `DECIMAL`,
//!   `STRING` or `TIMESTAMP`, anywhere an expression may stand.
//! * The aggregates `COUNT(*)`, `COUNT(expr)`, `SUM`, `AVG`, `MIN` and `MAX` in
//!   the select list: the query then returns one record over every record the
//!   `WHERE` clause keeps (see the `aggregate` module for the rules).
//!
//! Comparison and NULL semantics are described in the `eval` module: if both
//! sides parse as numbers they compare numerically, otherwise as strings; a
//! missing column is NULL and a comparison with NULL is never TRUE.
//!
//! Input is CSV (RFC 4180 with the COS options, see [`CsvInput`]), JSON LINES
//! or a JSON DOCUMENT (a stream of whitespace-separated values); output is
//! CSV or JSON. Compressed objects (GZIP, BZIP2) are decompressed first, with
//! a bound on the decompressed size: [`CompressionType::decompress`].
//!
//! The engine never panics: recursion is bounded (expression nesting by 64
//! levels, JSON nesting by 128) and every failure is a [`SelectEngineError`].
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]
// The parent crate may declare this module privately (`mod select_engine;`):
// its `pub` items are then crate-internal and only partly used by the server.
// (Checked without this allowance under `pub mod select_engine;`: no dead code.)
#![allow(unreachable_pub, dead_code)]

mod aggregate;
mod ast;
mod cast;
mod csv_input;
mod error;
mod eval;
mod json_input;
mod lexer;
mod output;
mod scan;
mod sql;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_aggregate;

use std::borrow::Cow;
use std::io::Read;
use std::str::FromStr;

// Re-exported for the server; unused when this module is private.
#[allow(unused_imports)]
pub use error::{ParseErrorKind, SelectEngineError};

/// How the first line of CSV input is treated (`FileHeaderInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FileHeaderInfo {
    /// The first line is a record (the default).
    #[default]
    None,
    /// The first line is a header and is skipped; columns are referenced by
    /// position only.
    Ignore,
    /// The first line is a header whose names can be used as column names.
    Use,
}

impl FromStr for FileHeaderInfo {
    type Err = SelectEngineError;

    /// Parses `NONE`, `IGNORE` or `USE` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "NONE" => Ok(Self::None),
            "IGNORE" => Ok(Self::Ignore),
            "USE" => Ok(Self::Use),
            _ => Err(SelectEngineError::InvalidFileHeaderInfo(s.to_owned())),
        }
    }
}

/// CSV input options (`InputSerialization/CSV`).
///
/// Delimiters are strings (a multi-character delimiter is matched as a
/// whole); the quote and quote-escape characters are single characters, or
/// empty for "none".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvInput {
    /// How the first line is treated. Default NONE.
    pub file_header_info: FileHeaderInfo,
    /// Separates records. Default `"\n"`; with `"\n"`, `"\r\n"` also ends a
    /// record.
    pub record_delimiter: String,
    /// Separates fields. Default `","`.
    pub field_delimiter: String,
    /// Quotes fields. Default `"`; empty disables quoting.
    pub quote_character: String,
    /// Inside a quoted field, makes the next quote character literal.
    /// Default `"` (so `""` is a literal quote; a doubled quote character is
    /// always accepted).
    pub quote_escape_character: String,
    /// Lines starting with this prefix are skipped. Default `Some("#")` as
    /// documented for COS/S3; `None` or an empty string disables comments.
    pub comments: Option<String>,
    /// Whether quoted fields may contain the record delimiter. Default false.
    pub allow_quoted_record_delimiter: bool,
}

impl Default for CsvInput {
    fn default() -> Self {
        Self {
            file_header_info: FileHeaderInfo::None,
            record_delimiter: "\n".into(),
            field_delimiter: ",".into(),
            quote_character: "\"".into(),
            quote_escape_character: "\"".into(),
            comments: Some("#".into()),
            allow_quoted_record_delimiter: false,
        }
    }
}

/// The format of the object being queried (`InputSerialization`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputFormat {
    /// CSV with the given options.
    Csv(CsvInput),
    /// JSON `Type` LINES: one JSON value (normally an object) per line; blank
    /// lines are skipped.
    JsonLines,
    /// JSON `Type` DOCUMENT: a stream of whitespace-separated JSON values,
    /// each possibly spanning several lines; each top-level value is a record.
    JsonDocument,
}

impl Default for InputFormat {
    fn default() -> Self {
        Self::Csv(CsvInput::default())
    }
}

impl InputFormat {
    /// The JSON input format for a `JSON/Type` value: `LINES` or `DOCUMENT`
    /// (case-insensitive).
    pub fn json(type_name: &str) -> Result<Self, SelectEngineError> {
        match type_name.trim().to_ascii_uppercase().as_str() {
            "LINES" => Ok(Self::JsonLines),
            "DOCUMENT" => Ok(Self::JsonDocument),
            _ => Err(SelectEngineError::InvalidInput(format!(
                "JSON Type must be DOCUMENT or LINES, got {type_name:?}"
            ))),
        }
    }
}

/// `InputSerialization/CompressionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CompressionType {
    /// Not compressed (the default).
    #[default]
    None,
    /// GZIP (RFC 1952; several concatenated members are read one after the other).
    Gzip,
    /// BZIP2 (several concatenated streams are read one after the other).
    Bzip2,
}

impl FromStr for CompressionType {
    type Err = SelectEngineError;

    /// Parses `NONE`, `GZIP` or `BZIP2` (case-insensitive); anything else is
    /// [`SelectEngineError::InvalidInput`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "NONE" | "" => Ok(Self::None),
            "GZIP" => Ok(Self::Gzip),
            "BZIP2" => Ok(Self::Bzip2),
            _ => Err(SelectEngineError::InvalidInput(format!(
                "CompressionType must be NONE, GZIP or BZIP2, got {s:?}"
            ))),
        }
    }
}

impl CompressionType {
    /// The name COS uses for this type.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Gzip => "GZIP",
            Self::Bzip2 => "BZIP2",
        }
    }

    /// The object's bytes as the engine reads them: `input` itself for NONE,
    /// otherwise `input` decompressed, in memory.
    ///
    /// # Errors
    ///
    /// [`SelectEngineError::Decompression`] when `input` is not valid data of
    /// this type (corrupt, truncated, or followed by other bytes), and
    /// [`SelectEngineError::DecompressedTooLarge`] when it decompresses to more
    /// than `limit` bytes (decompression stops there: a small object cannot
    /// make the server allocate more).
    pub fn decompress(self, input: &[u8], limit: u64) -> Result<Cow<'_, [u8]>, SelectEngineError> {
        let decoder: Box<dyn Read + '_> = match self {
            Self::None => return Ok(Cow::Borrowed(input)),
            Self::Gzip => Box::new(flate2::read::MultiGzDecoder::new(input)),
            Self::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(input)),
        };
        let mut out = Vec::new();
        decoder
            .take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| SelectEngineError::Decompression {
                format: self.name(),
                message: e.to_string(),
            })?;
        if to_u64(out.len()) > limit {
            return Err(SelectEngineError::DecompressedTooLarge {
                format: self.name(),
                limit,
            });
        }
        Ok(Cow::Owned(out))
    }
}

/// When CSV output fields are quoted (`QuoteFields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum QuoteFields {
    /// Every field is quoted.
    Always,
    /// Only fields that need it are quoted (the default).
    #[default]
    AsNeeded,
}

impl FromStr for QuoteFields {
    type Err = SelectEngineError;

    /// Parses `ALWAYS` or `ASNEEDED` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "ALWAYS" => Ok(Self::Always),
            "ASNEEDED" => Ok(Self::AsNeeded),
            _ => Err(SelectEngineError::InvalidQuoteFields(s.to_owned())),
        }
    }
}

/// CSV output options (`OutputSerialization/CSV`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOutput {
    /// When fields are quoted. Default ASNEEDED.
    pub quote_fields: QuoteFields,
    /// Written after every record. Default `"\n"`.
    pub record_delimiter: String,
    /// Written between fields. Default `","`.
    pub field_delimiter: String,
    /// Quotes fields. Default `"`; empty disables quoting.
    pub quote_character: String,
    /// Written before a quote character inside a quoted field. Default `"`;
    /// empty means the quote character itself.
    pub quote_escape_character: String,
}

impl Default for CsvOutput {
    fn default() -> Self {
        Self {
            quote_fields: QuoteFields::AsNeeded,
            record_delimiter: "\n".into(),
            field_delimiter: ",".into(),
            quote_character: "\"".into(),
            quote_escape_character: "\"".into(),
        }
    }
}

/// JSON output options (`OutputSerialization/JSON`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonOutput {
    /// Written after every record. Default `"\n"`.
    pub record_delimiter: String,
}

impl Default for JsonOutput {
    fn default() -> Self {
        Self {
            record_delimiter: "\n".into(),
        }
    }
}

/// The format of the result records (`OutputSerialization`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputFormat {
    /// CSV with the given options.
    Csv(CsvOutput),
    /// One JSON object per record. Keys are the item aliases, else the
    /// column names (header names, `_1`, `_2`, ... for CSV without a USE
    /// header, JSON keys), else `_N` for the N-th item.
    Json(JsonOutput),
}

impl Default for OutputFormat {
    fn default() -> Self {
        Self::Csv(CsvOutput::default())
    }
}

/// The result of [`run`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SelectOutput {
    /// The serialized result records (each followed by the record delimiter).
    pub records: Vec<u8>,
    /// Bytes of the object scanned: the whole input ([`run`] sees the
    /// decompressed input; the caller sets the object's size for compressed
    /// objects).
    pub bytes_scanned: u64,
    /// Bytes processed: the whole (decompressed) input.
    pub bytes_processed: u64,
    /// Bytes returned: the length of `records`.
    pub bytes_returned: u64,
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Runs `expression` over the object `input` and serializes the selected
/// records.
///
/// The expression is parsed first, then the input and output options are
/// checked, then records are read one at a time until the input or the
/// `LIMIT` is exhausted. The input must be UTF-8 (a leading byte-order mark
/// is ignored).
///
/// # Errors
///
/// [`SelectEngineError::Parse`] and friends for a malformed or too long
/// expression, [`SelectEngineError::UnsupportedFeature`] for SQL beyond the
/// subset, [`SelectEngineError::InvalidInput`] for invalid options,
/// [`SelectEngineError::InvalidTextEncoding`] for non-UTF-8 input, and
/// [`SelectEngineError::CsvParsing`] / [`SelectEngineError::JsonParsing`] for
/// malformed records.
pub fn run(
    expression: &str,
    input: &[u8],
    input_format: &InputFormat,
    output_format: &OutputFormat,
) -> Result<SelectOutput, SelectEngineError> {
    let query = sql::parse(expression)?;
    eval::validate(&query, matches!(input_format, InputFormat::Csv(_)))?;
    let writer = output::RecordWriter::new(output_format)?;
    let text = std::str::from_utf8(input).map_err(|e| SelectEngineError::InvalidTextEncoding {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let limit = query.limit.unwrap_or(u64::MAX);
    let mut out = String::new();
    match aggregate::Aggregates::of(&query)? {
        Some(mut aggregates) => {
            // Every selected record feeds the aggregates; LIMIT applies to the result.
            scan::scan(text, input_format, true, &mut |row| {
                if eval::selects(&query, row)? {
                    aggregates.add(row)?;
                }
                Ok(true)
            })?;
            if limit > 0 {
                let results = aggregates.results();
                let row = eval::Row::Aggregated(&results);
                writer.write(&mut out, &eval::project(&query, row)?);
            }
        }
        None => {
            let mut returned: u64 = 0;
            scan::scan(text, input_format, limit > 0, &mut |row| {
                if eval::selects(&query, row)? {
                    writer.write(&mut out, &eval::project(&query, row)?);
                    returned += 1;
                }
                Ok(returned < limit)
            })?;
        }
    }
    let records = out.into_bytes();
    Ok(SelectOutput {
        bytes_scanned: to_u64(input.len()),
        bytes_processed: to_u64(input.len()),
        bytes_returned: to_u64(records.len()),
        records,
    })
}
