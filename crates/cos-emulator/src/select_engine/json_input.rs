//! JSON input: an order-preserving JSON value, a depth-bounded parser, and the
//! LINES / DOCUMENT record readers.
//!
//! The engine parses JSON itself rather than through `serde_json::Value`
//! because `SELECT *` must give back an object's members in their original
//! order, and `serde_json` sorts them unless its `preserve_order` feature
//! (and another crate) is enabled. Numbers keep their original text.

use super::error::SelectEngineError;

/// How deeply arrays and objects may nest (as in `serde_json`).
pub(crate) const MAX_JSON_DEPTH: usize = 128;

/// A JSON value whose objects keep their members in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonValue {
    Null,
    Bool(bool),
    /// The number as written in the input.
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    /// Members in input order; duplicate keys are kept.
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// Appends the compact JSON text of this value to `out`.
    pub(crate) fn write_to(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(true) => out.push_str("true"),
            Self::Bool(false) => out.push_str("false"),
            Self::Number(n) => out.push_str(n),
            Self::String(s) => write_json_string(out, s),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out);
                }
                out.push(']');
            }
            Self::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(out, key);
                    out.push(':');
                    value.write_to(out);
                }
                out.push('}');
            }
        }
    }

    /// The compact JSON text of this value.
    pub(crate) fn to_json_string(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }
}

/// Appends `s` as a quoted, escaped JSON string.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether `text` is exactly a JSON number.
pub(crate) fn is_json_number(text: &str) -> bool {
    let mut p = Parser::new(text);
    p.number().is_ok() && p.pos == text.len()
}

/// A JSON parser over UTF-8 text.
#[derive(Debug)]
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

type JResult<T> = Result<T, String>;

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn found(&self) -> String {
        match self.text.get(self.pos..).and_then(|r| r.chars().next()) {
            Some(c) => format!("{c:?}"),
            None => "end of input".into(),
        }
    }

    fn expect_byte(&mut self, b: u8, what: &str) -> JResult<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected {what}, found {}", self.found()))
        }
    }

    fn value(&mut self, depth: usize) -> JResult<JsonValue> {
        self.skip_ws();
        match self.peek() {
            None => Err("expected a JSON value, found end of input".into()),
            Some(b'{') => {
                let depth = Self::deeper(depth)?;
                self.pos += 1;
                self.object(depth)
            }
            Some(b'[') => {
                let depth = Self::deeper(depth)?;
                self.pos += 1;
                self.array(depth)
            }
            Some(b'"') => self.string().map(JsonValue::String),
            Some(b't') => self.word("true", JsonValue::Bool(true)),
            Some(b'f') => self.word("false", JsonValue::Bool(false)),
            Some(b'n') => self.word("null", JsonValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(JsonValue::Number),
            Some(_) => Err(format!("expected a JSON value, found {}", self.found())),
        }
    }

    fn deeper(depth: usize) -> JResult<usize> {
        if depth >= MAX_JSON_DEPTH {
            Err(format!(
                "arrays and objects nest deeper than {MAX_JSON_DEPTH} levels"
            ))
        } else {
            Ok(depth + 1)
        }
    }

    fn word(&mut self, word: &str, value: JsonValue) -> JResult<JsonValue> {
        let end = self.pos.saturating_add(word.len());
        if self.bytes.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(value)
        } else {
            Err(format!("expected `{word}`, found {}", self.found()))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> JResult<String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(format!("malformed number, found {}", self.found())),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err("malformed number: no digits after the decimal point".into());
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err("malformed number: no digits in the exponent".into());
            }
        }
        self.text
            .get(start..self.pos)
            .map(str::to_owned)
            .ok_or_else(|| "malformed number".into())
    }

    fn hex4(&mut self) -> JResult<u32> {
        let mut value = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| {
                    format!("expected a hex digit in \\u escape, found {}", self.found())
                })?;
            value = value * 16 + digit;
            self.pos += 1;
        }
        Ok(value)
    }

    /// Parses a string; the cursor is on the opening quote.
    fn string(&mut self) -> JResult<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            // The run stops only at ASCII bytes, so both ends are char boundaries.
            out.push_str(self.text.get(start..self.pos).unwrap_or_default());
            match self.peek() {
                None => return Err("unterminated string".into()),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(escaped) = self.peek() else {
                        return Err("unterminated string".into());
                    };
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        other => {
                            return Err(format!("invalid escape \\{}", char::from(other)));
                        }
                    }
                }
                Some(_) => return Err("unescaped control character in string".into()),
            }
        }
    }

    /// Decodes the rest of a `\u` escape, including a surrogate pair.
    fn unicode_escape(&mut self) -> JResult<char> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.bytes.get(self.pos..self.pos.saturating_add(2)) != Some(b"\\u".as_slice()) {
                return Err("unpaired surrogate in \\u escape".into());
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err("unpaired surrogate in \\u escape".into());
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| "unpaired surrogate in \\u escape".into())
    }

    fn array(&mut self, depth: usize) -> JResult<JsonValue> {
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonValue::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonValue::Array(items));
                }
                _ => return Err(format!("expected `,` or `]`, found {}", self.found())),
            }
        }
    }

    fn object(&mut self, depth: usize) -> JResult<JsonValue> {
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonValue::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(format!("expected a string key, found {}", self.found()));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect_byte(b':', "`:`")?;
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonValue::Object(members));
                }
                _ => return Err(format!("expected `,` or `}}`, found {}", self.found())),
            }
        }
    }
}

/// Parses `text` as exactly one JSON value (surrounding whitespace allowed).
pub(crate) fn parse_one(text: &str) -> Result<JsonValue, String> {
    let mut parser = Parser::new(text);
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.at_end() {
        Ok(value)
    } else {
        Err(format!(
            "unexpected {} after the JSON value",
            parser.found()
        ))
    }
}

/// Reads top-level JSON values as records.
#[derive(Debug)]
pub(crate) struct JsonReader<'a> {
    text: &'a str,
    /// Byte offset of the next unread input.
    pos: usize,
    /// Lines consumed so far (LINES mode).
    line: u64,
    /// LINES mode (one value per line) rather than DOCUMENT mode (a stream of
    /// whitespace-separated values).
    lines: bool,
}

impl<'a> JsonReader<'a> {
    /// A reader of newline-delimited values (`Type` LINES).
    pub(crate) fn lines(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            line: 0,
            lines: true,
        }
    }

    /// A reader of a stream of whitespace-separated values (`Type` DOCUMENT).
    pub(crate) fn document(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            line: 0,
            lines: false,
        }
    }

    /// The next record, or `None` at the end of the input.
    pub(crate) fn next_value(&mut self) -> Result<Option<JsonValue>, SelectEngineError> {
        if self.lines {
            self.next_line_value()
        } else {
            self.next_document_value()
        }
    }

    fn next_line_value(&mut self) -> Result<Option<JsonValue>, SelectEngineError> {
        loop {
            let Some(rest) = self.text.get(self.pos..).filter(|r| !r.is_empty()) else {
                return Ok(None);
            };
            let (line, consumed) = match rest.find('\n') {
                Some(end) => (rest.get(..end).unwrap_or_default(), end + 1),
                None => (rest, rest.len()),
            };
            self.pos += consumed;
            self.line += 1;
            if line.trim_matches([' ', '\t', '\r']).is_empty() {
                continue;
            }
            return parse_one(line)
                .map(Some)
                .map_err(|message| SelectEngineError::JsonParsing {
                    line: self.line,
                    message,
                });
        }
    }

    fn next_document_value(&mut self) -> Result<Option<JsonValue>, SelectEngineError> {
        let mut parser = Parser::new(self.text);
        parser.pos = self.pos;
        parser.skip_ws();
        if parser.at_end() {
            self.pos = parser.pos;
            return Ok(None);
        }
        match parser.value(0) {
            Ok(value) => {
                self.pos = parser.pos;
                Ok(Some(value))
            }
            Err(message) => {
                let before = self.text.get(..parser.pos).unwrap_or(self.text);
                let newlines = before.bytes().filter(|b| *b == b'\n').count();
                Err(SelectEngineError::JsonParsing {
                    line: u64::try_from(newlines)
                        .unwrap_or(u64::MAX)
                        .saturating_add(1),
                    message,
                })
            }
        }
    }
}
