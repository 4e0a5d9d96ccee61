//! Rendering `cos-proto`'s bucket documents as the dicts the reference SDK returns, and
//! the SDK's `json.dumps` for policies given as dicts.

use serde::Serialize;
use serde_json::Value;

/// The SDK's dict for a document: `cos-proto`'s models serialise in COS's element names;
/// the SDK's `xmltodict` then has every leaf as text (numbers and flags as strings) and
/// a repeated element as a list only when it occurs more than once, except the elements
/// the operation always turns into lists (`forced`, by element name).
pub(crate) fn sdk_dict<T: Serialize>(document: &T, forced: &[&str]) -> Value {
    let value = serde_json::to_value(document).unwrap_or(Value::Null);
    shape(value, forced, None)
}

fn shape(value: Value, forced: &[&str], key: Option<&str>) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(|i| shape(i, forced, None)).collect();
            let keep_list = key.is_some_and(|k| forced.contains(&k));
            if items.len() == 1 && !keep_list {
                items.remove(0)
            } else {
                Value::Array(items)
            }
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let shaped = shape(v, forced, Some(&k));
                    (k, shaped)
                })
                .collect(),
        ),
        other => other,
    }
}

/// Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators, keys in
/// insertion order, non-ASCII escaped as `\uXXXX` (UTF-16 surrogates beyond the BMP).
pub(crate) fn py_json_dumps(value: &Value) -> String {
    let mut out = String::new();
    dump(value, &mut out);
    out
}

fn dump(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => dump_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dump(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dump_str(k, out);
                out.push_str(": ");
                dump(v, out);
            }
            out.push('}');
        }
    }
}

fn dump_str(text: &str, out: &mut String) {
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
            c if (' '..='~').contains(&c) => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dicts_take_the_sdk_shape() {
        let value =
            json!({"Rule": [{"Days": 7, "Tag": [{"Key": "a"}]}], "Flag": true, "Many": [1, 2]});
        assert_eq!(
            sdk_dict(&value, &["Rule"]),
            json!({"Rule": [{"Days": "7", "Tag": {"Key": "a"}}], "Flag": "true", "Many": ["1", "2"]})
        );
    }

    #[test]
    fn json_dumps_like_python() {
        let value = json!({"b": [1, "公开"], "a": {"x": null, "y": "\"q\"\n😀"}});
        assert_eq!(
            py_json_dumps(&value),
            "{\"b\": [1, \"\\u516c\\u5f00\"], \"a\": {\"x\": null, \"y\": \"\\\"q\\\"\\n\\ud83d\\ude00\"}}"
        );
    }
}
