//! The parameters of a Cloud API call: a JSON object in a `POST` body, or the form-encoded
//! query of a `GET` (flattened names such as `Tags.0.Key` are kept as they are; the
//! actions the emulator serves only take flat values).

use serde_json::{Map, Value};

use super::ApiError;

/// A call's parameters by name.
#[derive(Debug, Default)]
pub(crate) struct Params(Map<String, Value>);

impl Params {
    /// From a `POST` body: empty, or a JSON object.
    pub(crate) fn from_json(body: &[u8]) -> Result<Self, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::new(
                "InvalidParameter",
                "The request body must be a JSON object.",
            )),
            Err(e) => Err(ApiError::new(
                "InvalidParameter",
                format!("The request body is not valid JSON: {e}."),
            )),
        }
    }

    /// From a `GET` query (`a=1&b=x+y`); every value is a string.
    pub(crate) fn from_query(query: &str) -> Result<Self, ApiError> {
        let mut map = Map::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(name), Some(value)) = (form_decode(name), form_decode(value)) else {
                return Err(ApiError::new(
                    "InvalidParameter",
                    "The query string is not valid form encoding.",
                ));
            };
            map.insert(name, Value::String(value));
        }
        Ok(Self(map))
    }

    /// A string parameter (`None` when absent or `null`).
    pub(crate) fn string(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::new(
                "InvalidParameter",
                format!("The parameter {name} must be a string."),
            )),
        }
    }

    /// A string parameter that must be present and not empty (`MissingParameter`).
    pub(crate) fn required(&self, name: &str) -> Result<&str, ApiError> {
        match self.string(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ApiError::new(
                "MissingParameter",
                format!("The request is missing the required parameter {name}."),
            )),
        }
    }

    /// A non-negative integer parameter: a JSON number, or its decimal text (a `GET`).
    pub(crate) fn integer(&self, name: &str) -> Result<Option<u64>, ApiError> {
        let bad = || {
            ApiError::new(
                "InvalidParameterValue",
                format!("The parameter {name} must be a non-negative integer."),
            )
        };
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(bad),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad()),
            Some(_) => Err(bad()),
        }
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; the result
/// must be UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_query_parameters() {
        let p = Params::from_json(br#"{"A": "x", "N": 5, "B": true}"#).expect("object");
        assert_eq!(p.required("A").expect("A"), "x");
        assert_eq!(p.integer("N").expect("N"), Some(5));
        assert_eq!(p.string("B").expect_err("bool").code, "InvalidParameter");
        assert_eq!(p.required("Z").expect_err("Z").code, "MissingParameter");
        assert!(Params::from_json(b"[1]").is_err());
        assert!(Params::from_json(b"{").is_err());
        assert!(Params::from_json(b"").is_ok());
        let q = Params::from_query("A=a+b%2A&N=900&E=").expect("query");
        assert_eq!(q.required("A").expect("A"), "a b*");
        assert_eq!(q.integer("N").expect("N"), Some(900));
        assert_eq!(q.string("E").expect("E"), Some(""));
        assert!(Params::from_query("A=%zz").is_err());
        assert!(Params::from_query("A=%FF").is_err());
        let neg = Params::from_json(br#"{"N": -1}"#).expect("object");
        assert_eq!(
            neg.integer("N").expect_err("neg").code,
            "InvalidParameterValue"
        );
    }
}
