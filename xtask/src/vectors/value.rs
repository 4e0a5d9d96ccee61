//! Reading the vectors' JSON conventions (`$base64` and friends).

use base64::Engine as _;
use serde_json::Value;

pub(crate) fn b64(text: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("bad base64: {e}"))
}

/// A string field.
pub(crate) fn str_at<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string field {key}"))
}

/// An unsigned integer field (number or decimal string).
pub(crate) fn u64_at(value: &Value, key: &str) -> Result<u64, String> {
    match value.get(key) {
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| format!("{key} is not a u64")),
        Some(Value::String(s)) => s.parse().map_err(|_| format!("{key} is not a u64")),
        _ => Err(format!("missing number field {key}")),
    }
}

/// A Python value as text: strings as is, numbers and booleans as Python prints them.
pub(crate) fn py_str(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("true".into()),
        Value::Bool(false) => Some("false".into()),
        _ => None,
    }
}

/// A body argument: `{"$base64"}`, `{"$bytesio_base64"}`, `{"$iterable_chunks_base64"}`
/// or a plain string. Returns the bytes and whether the length was known to the SDK.
pub(crate) fn body_arg(value: &Value) -> Result<(Vec<u8>, bool), String> {
    match value {
        Value::String(text) => Ok((text.as_bytes().to_vec(), true)),
        Value::Object(map) => {
            if let Some(Value::String(text)) =
                map.get("$base64").or_else(|| map.get("$bytesio_base64"))
            {
                return Ok((b64(text)?, true));
            }
            if let Some(Value::Array(chunks)) = map.get("$iterable_chunks_base64") {
                let mut bytes = Vec::new();
                for chunk in chunks {
                    bytes.extend(b64(chunk.as_str().ok_or("chunk is not a string")?)?);
                }
                return Ok((bytes, false));
            }
            Err(format!("unknown body form {value}"))
        }
        Value::Null => Ok((Vec::new(), true)),
        other => Err(format!("unknown body form {other}")),
    }
}

/// `[name, value]` pairs.
pub(crate) fn pairs(value: Option<&Value>) -> Vec<(String, String)> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|pair| {
                    let pair = pair.as_array()?;
                    Some((
                        pair.first()?.as_str()?.to_owned(),
                        pair.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `{name: value}` objects in document order (serde_json keeps insertion order with the
/// `preserve_order` feature; without it, order is alphabetical — callers that need the
/// caller's order use [`pairs`] on a list form).
pub(crate) fn object_pairs(value: Option<&Value>) -> Vec<(String, String)> {
    value
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), py_str(v)?)))
                .collect()
        })
        .unwrap_or_default()
}
