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
use std::fmt::{self, Write as _};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::error::CryptoError;

/// The canonical (Go `json.Marshal`) form of `text`, a JSON object whose values are all
/// strings. Refuses anything else, duplicate keys, and non-ASCII text (it travels in a
/// header), with [`CryptoError::InvalidMatdesc`].
pub fn canonical(text: &str) -> Result<String, CryptoError> {
    let entries = read_entries(text).map_err(CryptoError::InvalidMatdesc)?;
    let mut map = BTreeMap::new();
    for (key, value) in entries {
        let Value::String(value) = value else {
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

/// Checks a stored `-matdesc`: one JSON object (any values; `serde_json` bounds the
/// nesting). The reason is for a `MalformedHeader` error.
pub(crate) fn check_stored(text: &str) -> Result<(), String> {
    read_entries(text).map(drop)
}

/// The entries of a document that is one JSON object, in order, duplicates kept (a map
/// would hide them).
fn read_entries(text: &str) -> Result<Vec<(String, Value)>, String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let entries = deserializer
        .deserialize_map(EntriesVisitor)
        .map_err(|e| format!("not a JSON object: {e}"))?;
    deserializer
        .end()
        .map_err(|e| format!("trailing text: {e}"))?;
    Ok(entries)
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<(String, Value)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Value>()? {
            entries.push(entry);
        }
        Ok(entries)
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
