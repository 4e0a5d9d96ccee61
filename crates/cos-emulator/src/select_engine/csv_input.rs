//! A small RFC 4180 CSV reader with the COS/S3 Select input options.
//!
//! Rules:
//!
//! * Records end at the record delimiter; when it is `"\n"`, `"\r\n"` also
//!   ends a record (the `\r` is dropped). A final record without a trailing
//!   delimiter is still a record.
//! * Empty lines are skipped, and so are lines starting with the comment
//!   prefix (checked only at the start of a record, outside quotes).
//! * A field that starts with the quote character is quoted: inside it, field
//!   delimiters are literal, a doubled quote character is one quote character,
//!   and the quote-escape character followed by the quote or escape character
//!   stands for that character. Text after the closing quote is appended
//!   literally (lenient, like Python's `csv`). A quote character inside an
//!   unquoted field is literal.
//! * A record delimiter inside a quoted field is part of the value only when
//!   `AllowQuotedRecordDelimiter` is TRUE; otherwise it is a
//!   [`SelectEngineError::CsvParsing`] error, as is a quoted field still open
//!   at the end of the input.

use super::CsvInput;
use super::error::SelectEngineError;

/// Options in checked form.
#[derive(Debug)]
struct Options<'c> {
    field_delimiter: &'c str,
    record_delimiter: &'c str,
    quote: Option<char>,
    escape: Option<char>,
    comment: Option<&'c str>,
    allow_quoted_record_delimiter: bool,
}

/// Reads one optional single character; empty means "none".
pub(crate) fn single_char(name: &str, value: &str) -> Result<Option<char>, SelectEngineError> {
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Ok(None),
        (Some(c), None) => Ok(Some(c)),
        (Some(_), Some(_)) => Err(SelectEngineError::InvalidInput(format!(
            "{name} must be a single character, got {value:?}"
        ))),
    }
}

impl<'c> Options<'c> {
    fn new(config: &'c CsvInput) -> Result<Self, SelectEngineError> {
        let quote = single_char("QuoteCharacter", &config.quote_character)?;
        let escape = single_char("QuoteEscapeCharacter", &config.quote_escape_character)?;
        let field_delimiter = config.field_delimiter.as_str();
        let record_delimiter = config.record_delimiter.as_str();
        if field_delimiter.is_empty() {
            return Err(SelectEngineError::InvalidInput(
                "FieldDelimiter must not be empty".into(),
            ));
        }
        if record_delimiter.is_empty() {
            return Err(SelectEngineError::InvalidInput(
                "RecordDelimiter must not be empty".into(),
            ));
        }
        if field_delimiter == record_delimiter {
            return Err(SelectEngineError::InvalidInput(
                "FieldDelimiter and RecordDelimiter must differ".into(),
            ));
        }
        if let Some(q) = quote
            && (field_delimiter.contains(q) || record_delimiter.contains(q))
        {
            return Err(SelectEngineError::InvalidInput(
                "QuoteCharacter must not be part of a delimiter".into(),
            ));
        }
        let comment = config.comments.as_deref().filter(|c| !c.is_empty());
        Ok(Self {
            field_delimiter,
            record_delimiter,
            quote,
            escape,
            comment,
            allow_quoted_record_delimiter: config.allow_quoted_record_delimiter,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    Start,
    /// Inside an unquoted field (or after the closing quote of a quoted one).
    Unquoted,
    /// Inside quotes.
    Quoted,
}

/// Reads records one at a time from UTF-8 text.
#[derive(Debug)]
pub(crate) struct CsvReader<'a> {
    text: &'a str,
    pos: usize,
    record: u64,
    options: Options<'a>,
}

impl<'a> CsvReader<'a> {
    /// Checks `config` and prepares to read `text`.
    pub(crate) fn new(text: &'a str, config: &'a CsvInput) -> Result<Self, SelectEngineError> {
        Ok(Self {
            text,
            pos: 0,
            record: 0,
            options: Options::new(config)?,
        })
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    /// The length of the record delimiter at the start of `rest`, if any.
    fn record_delimiter_len(&self, rest: &str) -> Option<usize> {
        let delimiter = self.options.record_delimiter;
        if rest.starts_with(delimiter) {
            Some(delimiter.len())
        } else if delimiter == "\n" && rest.starts_with("\r\n") {
            Some(2)
        } else {
            None
        }
    }

    fn error(&self, message: impl Into<String>) -> SelectEngineError {
        SelectEngineError::CsvParsing {
            record: self.record,
            message: message.into(),
        }
    }

    /// Skips blank and comment lines; returns false at the end of the input.
    fn skip_to_record(&mut self) -> bool {
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return false;
            }
            if let Some(n) = self.record_delimiter_len(rest) {
                self.pos += n;
                continue;
            }
            match self.options.comment {
                Some(prefix) if rest.starts_with(prefix) => {
                    // Skip to just after the next record delimiter.
                    let skip = rest
                        .char_indices()
                        .find_map(|(i, _)| {
                            rest.get(i..)
                                .and_then(|r| self.record_delimiter_len(r))
                                .map(|n| i + n)
                        })
                        .unwrap_or(rest.len());
                    if skip == 0 {
                        // Unreachable: a delimiter at the start was skipped above.
                        return true;
                    }
                    self.pos += skip;
                }
                _ => return true,
            }
        }
    }

    /// The next record's fields, or `None` at the end of the input.
    pub(crate) fn next_record(&mut self) -> Result<Option<Vec<String>>, SelectEngineError> {
        if !self.skip_to_record() {
            return Ok(None);
        }
        self.record += 1;
        let quote = self.options.quote;
        let escape = self.options.escape;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut state = State::Start;
        loop {
            let rest = self.rest();
            let mut chars = rest.chars();
            let Some(c) = chars.next() else {
                if state == State::Quoted {
                    return Err(
                        self.error("quoted field is not closed before the end of the input")
                    );
                }
                fields.push(field);
                return Ok(Some(fields));
            };
            let next = chars.next();
            if state == State::Quoted {
                if escape.is_some() && escape != quote && Some(c) == escape {
                    if let Some(n) = next.filter(|n| Some(*n) == quote || Some(*n) == escape) {
                        field.push(n);
                        self.pos += c.len_utf8() + n.len_utf8();
                    } else {
                        field.push(c);
                        self.pos += c.len_utf8();
                    }
                    continue;
                }
                if Some(c) == quote {
                    if next == quote {
                        field.push(c);
                        self.pos += 2 * c.len_utf8();
                    } else {
                        state = State::Unquoted;
                        self.pos += c.len_utf8();
                    }
                    continue;
                }
                if !self.options.allow_quoted_record_delimiter
                    && self.record_delimiter_len(rest).is_some()
                {
                    return Err(self.error(
                        "a quoted field contains the record delimiter; \
                         set AllowQuotedRecordDelimiter to TRUE to allow it",
                    ));
                }
                field.push(c);
                self.pos += c.len_utf8();
                continue;
            }
            if rest.starts_with(self.options.field_delimiter) {
                fields.push(std::mem::take(&mut field));
                self.pos += self.options.field_delimiter.len();
                state = State::Start;
                continue;
            }
            if let Some(n) = self.record_delimiter_len(rest) {
                fields.push(field);
                self.pos += n;
                return Ok(Some(fields));
            }
            if state == State::Start && Some(c) == quote {
                state = State::Quoted;
            } else {
                field.push(c);
                state = State::Unquoted;
            }
            self.pos += c.len_utf8();
        }
    }
}
