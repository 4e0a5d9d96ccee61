//! The material description (`-matdesc`): a JSON object of strings that labels the
//! master key, written as the Go SDK writes it and checked when read.
//!
//! The Go SDK compares a stored `-matdesc` with its own `json.Marshal` of a
//! `map[string]string` **byte for byte**, so the form matters: compact (no spaces), keys
//! sorted byte-wise, and Go's escaping (`<`, `>` and `&` as `\u003c`, `\u003e`,
//! `\u0026`). [`canonical`] turns any JSON object of strings into that form;
//! [`from_pairs`] builds it from key/value pairs. An empty description is `{}` here, and
//! no header at all in objects the Go SDK writes (see
//! [`Format::GoCompatible`](crate::Format::GoCompatible)).
//!
//! ```
//! use cos_crypto::matdesc;
//!
//! assert_eq!(matdesc::canonical(r#"{ "b": "2", "a": "1" }"#)?, r#"{"a":"1","b":"2"}"#);
//! assert_eq!(matdesc::from_pairs([("kms", "a&b")])?, r#"{"kms":"a\u0026b"}"#);
//! assert!(matdesc::canonical(r#"{"a": 1}"#).is_err());   // values are strings
//! # Ok::<(), cos_crypto::CryptoError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::error::CryptoError;

/// How deeply a stored `-matdesc` may nest before it is refused (hostile input).
const MAX_DEPTH: usize = 32;

/// The canonical (Go `json.Marshal`) form of `text`, a JSON object whose values are all
/// strings. Refuses anything else, duplicate keys, and non-ASCII text (it travels in a
/// header), with [`CryptoError::InvalidMatdesc`].
pub fn canonical(text: &str) -> Result<String, CryptoError> {
    let mut parser = Parser::new(text);
    let pairs = parser.flat_object().map_err(CryptoError::InvalidMatdesc)?;
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        let Some(value) = value else {
            return Err(CryptoError::InvalidMatdesc(format!(
                "the value of {key:?} is not a string (a matdesc maps strings to strings)"
            )));
        };
        if map.insert(key.clone(), value).is_some() {
            return Err(CryptoError::InvalidMatdesc(format!(
                "the key {key:?} appears twice"
            )));
        }
    }
    from_pairs(map.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The canonical description of `pairs` (sorted by key; a repeated key keeps its last
/// value, as a Go map would). Refuses non-ASCII text.
pub fn from_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<String, CryptoError> {
    let map: BTreeMap<&str, &str> = pairs.into_iter().collect();
    let mut out = String::from("{");
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode_string(&mut out, key)?;
        out.push(':');
        encode_string(&mut out, value)?;
    }
    out.push('}');
    Ok(out)
}

/// Checks a stored `-matdesc`: a JSON object (any values), with at most [`MAX_DEPTH`]
/// levels of nesting. The reason is for a `MalformedHeader` error.
pub(crate) fn check_stored(text: &str) -> Result<(), String> {
    let mut parser = Parser::new(text);
    parser.skip_ws();
    if parser.peek() != Some(b'{') {
        return Err("not a JSON object".into());
    }
    parser.value(0)?;
    parser.skip_ws();
    match parser.peek() {
        None => Ok(()),
        Some(_) => Err(format!("trailing text at byte {}", parser.pos)),
    }
}

/// Go's `encoding/json` string encoding (with HTML escaping), ASCII only.
fn encode_string(out: &mut String, text: &str) -> Result<(), CryptoError> {
    if !text.is_ascii() {
        return Err(CryptoError::InvalidMatdesc(format!(
            "{text:?} is not ASCII (the matdesc travels in a header)"
        )));
    }
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\0'..='\u{1f}' | '\u{7f}' => {
                // `write!` to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

/// A small JSON reader: enough to validate any document and to read a flat object.
struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
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

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected {:?} at byte {}", byte as char, self.pos))
        }
    }

    /// A whole document that is one object; each value is `Some` when it is a string.
    fn flat_object(&mut self) -> Result<Vec<(String, Option<String>)>, String> {
        let mut pairs = Vec::new();
        self.expect(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                let key = self.string()?;
                self.expect(b':')?;
                self.skip_ws();
                let value = if self.peek() == Some(b'"') {
                    Some(self.string()?)
                } else {
                    self.value(1)?;
                    None
                };
                pairs.push((key, value));
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(format!("expected ',' or '}}' at byte {}", self.pos)),
                }
            }
        }
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return Err(format!("trailing text at byte {}", self.pos));
        }
        Ok(pairs)
    }

    /// Skips one value of any kind.
    fn value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.container(depth, b'}', true),
            Some(b'[') => self.container(depth, b']', false),
            Some(b'"') => self.string().map(drop),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(format!("expected a value at byte {}", self.pos)),
        }
    }

    fn container(&mut self, depth: usize, close: u8, object: bool) -> Result<(), String> {
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(());
        }
        loop {
            if object {
                self.skip_ws();
                self.string()?;
                self.expect(b':')?;
            }
            self.value(depth + 1)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(format!("unterminated container at byte {}", self.pos)),
            }
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), String> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(format!("unexpected text at byte {}", self.pos))
        }
    }

    fn number(&mut self) -> Result<(), String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let from = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos > from
        };
        if !digits(self) {
            return Err(format!("bad number at byte {start}"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(format!("bad number at byte {start}"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(format!("bad number at byte {start}"));
            }
        }
        Ok(())
    }

    /// A string, decoded (escapes resolved, surrogate pairs joined).
    fn string(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return Err(format!("expected a string at byte {}", self.pos));
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(byte) = self.peek() else {
                return Err("unterminated string".into());
            };
            self.pos += 1;
            match byte {
                b'"' => return Ok(out),
                b'\\' => {
                    let escape = self.peek().ok_or("unterminated escape")?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(format!("bad escape at byte {}", self.pos - 1)),
                    }
                }
                0..=0x1f => return Err(format!("control character at byte {}", self.pos - 1)),
                _ => {
                    // Copy a whole UTF-8 sequence (the input is a &str, so it is valid).
                    let start = self.pos - 1;
                    while self.peek().is_some_and(|b| (0x80..0xc0).contains(&b)) {
                        self.pos += 1;
                    }
                    let text = std::str::from_utf8(&self.bytes[start..self.pos])
                        .map_err(|_| format!("bad UTF-8 at byte {start}"))?;
                    out.push_str(text);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or("truncated \\u escape")?;
        let text = std::str::from_utf8(digits).map_err(|_| "bad \\u escape")?;
        let value = u32::from_str_radix(text, 16).map_err(|_| "bad \\u escape")?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("bad \\u escape".into());
        }
        self.pos += 4;
        Ok(value)
    }

    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err("unpaired surrogate".into());
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Err("unpaired surrogate".into());
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| "unpaired surrogate".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_is_go_json_marshal() {
        for (input, want) in [
            ("{}", "{}"),
            (" { } ", "{}"),
            (r#"{"b":"2","a":"1"}"#, r#"{"a":"1","b":"2"}"#),
            (
                "{\n  \"Z\" : \"x\",\n  \"a\": \"y\"\n}",
                r#"{"Z":"x","a":"y"}"#,
            ),
            (r#"{"k":"<a&b>"}"#, r#"{"k":"\u003ca\u0026b\u003e"}"#),
            (r#"{"k":"\u0041\/\"\\\n"}"#, r#"{"k":"A/\"\\\n"}"#),
            (r#"{"k":"\u0001"}"#, r#"{"k":"\u0001"}"#),
        ] {
            assert_eq!(canonical(input).expect(input), want, "{input}");
        }
    }

    #[test]
    fn canonical_refuses_what_go_cannot_hold() {
        for bad in [
            "",
            "[]",
            "{",
            r#"{"a":1}"#,
            r#"{"a":{"b":"c"}}"#,
            r#"{"a":"1","a":"2"}"#,
            r#"{"a":"é"}"#,
            r#"{"a":"1"} x"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a" "b"}"#,
            r#"{a:"b"}"#,
        ] {
            assert!(
                matches!(canonical(bad), Err(CryptoError::InvalidMatdesc(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn stored_values_are_checked_without_panicking() {
        assert!(check_stored("{}").is_ok());
        assert!(check_stored(r#"{"a":[1,2.5e-3,true,null,{"b":-0}]}"#).is_ok());
        for bad in [
            "",
            "[]",
            "{",
            "{}}",
            r#"{"a":}"#,
            r#"{"a":01x}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            "{\"a\":\"\\",
        ] {
            assert!(check_stored(bad).is_err(), "{bad:?}");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(check_stored(&deep).is_err());
    }

    proptest::proptest! {
        /// No input panics; what `canonical` accepts is a fixed point and a stored value.
        #[test]
        fn any_text_is_handled(text in ".{0,40}") {
            let _ = check_stored(&text);
            if let Ok(canon) = canonical(&text) {
                proptest::prop_assert_eq!(canonical(&canon).ok(), Some(canon.clone()));
                proptest::prop_assert!(check_stored(&canon).is_ok());
            }
        }

        #[test]
        fn pairs_round_trip(pairs in proptest::collection::btree_map("[ -~]{0,6}", "[ -~]{0,6}", 0..5)) {
            let text = from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .expect("ascii");
            proptest::prop_assert_eq!(canonical(&text).ok(), Some(text.clone()));
        }
    }
}
