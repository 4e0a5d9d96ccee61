//! Serialization of selected records as CSV or JSON.
//!
//! * CSV: fields joined by the field delimiter, each record followed by the
//!   record delimiter. With `QuoteFields` ASNEEDED a field is quoted when it
//!   contains the field or record delimiter, the quote character, a CR or an
//!   LF; with ALWAYS every field is quoted (an empty or NULL value as `""`). Inside quotes,
//!   the quote character (and the escape character, when it differs) is
//!   preceded by the quote-escape character. NULL and MISSING are empty
//!   fields; JSON arrays and objects are written as compact JSON.
//! * JSON: one object per record followed by the record delimiter. CSV fields
//!   are strings, numbers keep their text (normalized to valid JSON), MISSING
//!   columns are left out and NULL is `null`.

use std::borrow::Cow;

use super::csv_input::single_char;
use super::error::SelectEngineError;
use super::eval::{Number, Value, parse_number};
use super::json_input::{is_json_number, write_json_string};
use super::{CsvOutput, JsonOutput, OutputFormat, QuoteFields};

/// Writes records in the requested output format.
#[derive(Debug)]
pub(crate) enum RecordWriter<'f> {
    Csv {
        config: &'f CsvOutput,
        quote: Option<char>,
        escape: Option<char>,
    },
    Json(&'f JsonOutput),
}

impl<'f> RecordWriter<'f> {
    /// Checks the output options.
    pub(crate) fn new(format: &'f OutputFormat) -> Result<Self, SelectEngineError> {
        Ok(match format {
            OutputFormat::Csv(config) => Self::Csv {
                config,
                quote: single_char("QuoteCharacter", &config.quote_character)?,
                escape: single_char("QuoteEscapeCharacter", &config.quote_escape_character)?,
            },
            OutputFormat::Json(config) => Self::Json(config),
        })
    }

    /// Appends one record.
    pub(crate) fn write(&self, out: &mut String, columns: &[(Cow<'_, str>, Value<'_>)]) {
        match self {
            Self::Csv {
                config,
                quote,
                escape,
            } => {
                for (i, (_, value)) in columns.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&config.field_delimiter);
                    }
                    let text = value.text().unwrap_or_default();
                    write_csv_field(out, &text, config, *quote, *escape);
                }
                out.push_str(&config.record_delimiter);
            }
            Self::Json(config) => {
                out.push('{');
                let mut first = true;
                for (name, value) in columns {
                    if matches!(value, Value::Missing) {
                        continue;
                    }
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    write_json_string(out, name);
                    out.push(':');
                    write_json_value(out, value);
                }
                out.push('}');
                out.push_str(&config.record_delimiter);
            }
        }
    }
}

fn write_csv_field(
    out: &mut String,
    text: &str,
    config: &CsvOutput,
    quote: Option<char>,
    escape: Option<char>,
) {
    let Some(quote) = quote else {
        out.push_str(text);
        return;
    };
    let contains = |needle: &str| !needle.is_empty() && text.contains(needle);
    let needs_quotes = config.quote_fields == QuoteFields::Always
        || contains(&config.field_delimiter)
        || contains(&config.record_delimiter)
        || text.contains(quote)
        || text.contains(['\n', '\r']);
    if !needs_quotes {
        out.push_str(text);
        return;
    }
    let escape = escape.unwrap_or(quote);
    out.push(quote);
    for c in text.chars() {
        if c == quote || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push(quote);
}

fn write_json_value(out: &mut String, value: &Value<'_>) {
    match value {
        Value::Missing | Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(text) => {
            if is_json_number(text) {
                out.push_str(text);
            } else {
                match parse_number(text) {
                    Some(Number::Int(i)) => out.push_str(&i.to_string()),
                    Some(Number::Float(f)) if f.is_finite() => out.push_str(&f.to_string()),
                    _ => write_json_string(out, text),
                }
            }
        }
        Value::Text(text) => write_json_string(out, text),
        Value::Json(json) => json.write_to(out),
    }
}
