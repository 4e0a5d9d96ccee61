//! The parameters of a Cloud API call, in the caller's order, written as the official
//! SDK writes them: a JSON body as Python's `json.dumps` (separators `", "` and `": "`,
//! non-ASCII as `\uXXXX`), or a flattened, form-encoded query (`Filters.0.Name=…`).

use std::fmt::Write as _;

/// One parameter value. Objects keep their keys in the order given.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// `null` in JSON; left out of a query.
    Null,
    /// `true`/`false` in JSON, `True`/`False` in a query (Python's `str`).
    Bool(bool),
    /// An integer (the API's 64-bit ids and unsigned counts both fit).
    Int(i128),
    /// A number with a fraction, written as Python's `repr` writes it.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Param>),
    /// An object, keys in order.
    Object(Vec<(String, Param)>),
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Param::Str(value.to_owned())
    }
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Param::Str(value)
    }
}

impl From<u64> for Param {
    fn from(value: u64) -> Self {
        Param::Int(i128::from(value))
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Param::Int(i128::from(value))
    }
}

impl From<bool> for Param {
    fn from(value: bool) -> Self {
        Param::Bool(value)
    }
}

/// `params` as Python's `json.dumps(params)` writes them (an object).
pub fn json_body(params: &[(String, Param)]) -> String {
    let mut out = String::with_capacity(64);
    write_object(&mut out, params);
    out
}

fn write_object(out: &mut String, entries: &[(String, Param)]) {
    out.push('{');
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_string(out, key);
        out.push_str(": ");
        write_value(out, value);
    }
    out.push('}');
}

fn write_value(out: &mut String, value: &Param) {
    match value {
        Param::Null => out.push_str("null"),
        Param::Bool(true) => out.push_str("true"),
        Param::Bool(false) => out.push_str("false"),
        Param::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Param::Float(x) => out.push_str(&python_float(*x, "NaN", "Infinity")),
        Param::Str(s) => write_string(out, s),
        Param::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Param::Object(entries) => write_object(out, entries),
    }
}

/// A JSON string with `ensure_ascii`: `"`, `\` and controls escaped, every non-ASCII
/// character as `\uXXXX` (UTF-16 surrogate pairs above U+FFFF).
fn write_string(out: &mut String, text: &str) {
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
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: the shortest digits that read back, positional when the
/// exponent is in `-4..16`, else `d.ddde±XX`.
fn python_float(x: f64, nan: &str, infinity: &str) -> String {
    if x.is_nan() {
        return nan.to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            infinity.to_owned()
        } else {
            format!("-{infinity}")
        };
    }
    // `{:e}` gives the shortest round-trip digits: `d.ddde<exp>`.
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let text = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{text}")
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{first}{fraction}e{exp_sign}{:02}",
            exponent.unsigned_abs()
        )
    }
}

/// `params` as the SDK's GET query: nested lists and objects flattened to `a.0.b`
/// names, `null` left out, values as Python's `str`, form-encoded (space `+`, `*`
/// `%2A`, `~` kept), in the order given. Also the canonical query of the signature.
pub fn query_string(params: &[(String, Param)]) -> String {
    let mut flat = Vec::new();
    for (name, value) in params {
        flatten(name.clone(), value, &mut flat);
    }
    flat.iter()
        .map(|(name, value)| format!("{}={}", form_encode(name), form_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn flatten(name: String, value: &Param, out: &mut Vec<(String, String)>) {
    match value {
        Param::Null => {}
        Param::Bool(b) => out.push((name, if *b { "True" } else { "False" }.to_owned())),
        Param::Int(n) => out.push((name, n.to_string())),
        Param::Float(x) => out.push((name, python_float(*x, "nan", "inf"))),
        Param::Str(s) => out.push((name, s.clone())),
        Param::List(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(format!("{name}.{i}"), item, out);
            }
        }
        Param::Object(entries) => {
            for (key, item) in entries {
                flatten(format!("{name}.{key}"), item, out);
            }
        }
    }
}

/// Python's `quote_plus`: alphanumerics and `_.-~` kept, space `+`, the rest `%XX`.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) => out.push(char::from(b)),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_as_python_writes_them() {
        for (x, want) in [
            (0.5, "0.5"),
            (1e-7, "1e-07"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (100.0, "100.0"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (-2.5, "-2.5"),
            (1e22, "1e+22"),
        ] {
            assert_eq!(python_float(x, "NaN", "Infinity"), want, "{x}");
        }
    }

    #[test]
    fn json_escapes_as_ensure_ascii() {
        let params = vec![
            (
                "A".to_owned(),
                Param::Str("未命名 \"q\" \\ 😀\n".to_owned()),
            ),
            (
                "N".to_owned(),
                Param::List(vec![Param::Null, Param::Bool(false), Param::Int(-1)]),
            ),
        ];
        assert_eq!(
            json_body(&params),
            r#"{"A": "\u672a\u547d\u540d \"q\" \\ \ud83d\ude00\n", "N": [null, false, -1]}"#
        );
    }

    #[test]
    fn queries_flatten_in_order() {
        let params = vec![
            ("Limit".to_owned(), Param::Int(10)),
            ("Skip".to_owned(), Param::Null),
            (
                "Filters".to_owned(),
                Param::List(vec![Param::Object(vec![
                    ("Name".to_owned(), "a b*~".into()),
                    ("Values".to_owned(), Param::List(vec!["中".into()])),
                ])]),
            ),
            ("Flag".to_owned(), Param::Bool(true)),
        ];
        assert_eq!(
            query_string(&params),
            "Limit=10&Filters.0.Name=a+b%2A~&Filters.0.Values.0=%E4%B8%AD&Flag=True"
        );
    }
}
