//! Percent-encoding rules of COS, each written once.
//!
//! Three encodings meet in a COS request and must never be confused:
//!
//! | where | function | keeps unencoded |
//! |---|---|---|
//! | signature (names and values) | [`sign_encode`] | `A-Z a-z 0-9 - _ . ~` |
//! | URL path | [`path_encode`] | the above plus `/`; then `./` becomes `.%2F` |
//! | URL query | [`query_encode`] | `A-Z a-z 0-9 - _ . ~`, space becomes `+` |
//!
//! All escapes are upper-case hex, as the official SDKs write them.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything except the RFC 3986 unreserved set.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// [`UNRESERVED`] with `/` kept, for object paths.
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// [`UNRESERVED`] with space kept (it becomes `+` afterwards), for form-encoded queries.
const QUERY: &AsciiSet = &UNRESERVED.remove(b' ');

/// Encodes a header or parameter name or value for the signature's canonical strings.
///
/// ```
/// assert_eq!(cos_proto::encode::sign_encode("text/plain; a=b"), "text%2Fplain%3B%20a%3Db");
/// ```
pub fn sign_encode(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// A parameter's or header's name as the signature lists it: percent-encoded, then
/// lower-cased (escapes included: `%E4` becomes `%e4`).
pub(crate) fn signed_name(name: &str) -> String {
    sign_encode(name).to_ascii_lowercase()
}

/// The caller's parameters as they are sent and signed, by the official SDK's rules:
/// they form a dict (a name given again exactly keeps its first place and takes the last
/// value), whose entries are then signed in order, the last one of a signed name winning
/// ([`set_param`]). A parameter without a name is refused: `q-url-param-list` could not
/// tell it from none.
pub(crate) fn caller_params(
    pairs: &[(String, String)],
) -> Result<Vec<(String, String)>, crate::error::InputError> {
    let mut params: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (name, value) in params_dict(pairs) {
        if name.is_empty() {
            return Err(crate::error::InputError::InvalidArgument {
                what: "query parameter",
                reason: format!("a parameter needs a name (value {value:?})"),
            });
        }
        set_param(&mut params, name, value);
    }
    Ok(params)
}

/// The caller's parameters as the official SDK's `Params` dict holds them: a name given
/// again (exactly) keeps its first place and takes the last value.
fn params_dict(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut dict: Vec<(&str, &str)> = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        match dict.iter_mut().find(|(present, _)| *present == name) {
            Some(slot) => slot.1 = value,
            None => dict.push((name, value)),
        }
    }
    dict
}

/// Sets `name` in a parameter list the way a Python dict of the official SDK's `Params`
/// ends up in its signature: a parameter whose [`signed_name`] equals one already present
/// replaces it in place (name and value); otherwise it is appended.
pub(crate) fn set_param(params: &mut Vec<(String, String)>, name: &str, value: &str) {
    let signed = signed_name(name);
    match params
        .iter_mut()
        .find(|(present, _)| signed_name(present) == signed)
    {
        Some(slot) => *slot = (name.to_owned(), value.to_owned()),
        None => params.push((name.to_owned(), value.to_owned())),
    }
}

/// Encodes an object key for the URL path: one leading `/` is dropped, the rest is
/// percent-encoded keeping `/`, every `./` becomes `.%2F` (so that no proxy or server
/// collapses dot segments), and a `/` is put in front.
///
/// ```
/// assert_eq!(cos_proto::encode::path_encode("a/./b c"), "/a/.%2Fb%20c");
/// assert_eq!(cos_proto::encode::path_encode("/x"), "/x");
/// ```
pub fn path_encode(key: &str) -> String {
    let mut path = String::with_capacity(key.len() + 16);
    push_path_encoded(&mut path, key);
    path
}

/// Appends [`path_encode`]`(key)` to `out`, in one pass: escapes are written as the key
/// is read, and a `/` right after a `.` is escaped (that is where `./` occurs in the
/// encoded form, since `.` and `/` are never escaped and no escape contains them).
pub(crate) fn push_path_encoded(out: &mut String, key: &str) {
    let key = key.strip_prefix('/').unwrap_or(key);
    out.reserve(key.len() + 1);
    out.push('/');
    let mut after_dot = false;
    for &b in key.as_bytes() {
        if (b == b'/' && !after_dot) || is_unreserved(b) {
            out.push(char::from(b));
        } else {
            push_escape(out, b);
        }
        after_dot = b == b'.';
    }
}

/// `A-Z a-z 0-9 - _ . ~`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `%XX` (upper-case hex).
fn push_escape(out: &mut String, b: u8) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(DIGITS[usize::from(b >> 4)]));
    out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
}

/// Encodes a key for the `x-cos-copy-source` header: like [`path_encode`] but without the
/// leading `/` and without the `./` substitution (the header is not a URL path).
pub fn copy_source_encode(key: &str) -> String {
    let key = key.strip_prefix('/').unwrap_or(key);
    utf8_percent_encode(key, PATH).to_string()
}

/// Encodes a query parameter name or value the way HTML forms do (`quote_plus`):
/// space becomes `+`, everything outside the unreserved set is escaped.
///
/// ```
/// assert_eq!(cos_proto::encode::query_encode("a b/c+d"), "a+b%2Fc%2Bd");
/// ```
pub fn query_encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY)
        .to_string()
        .replace(' ', "+")
}

/// Decodes `%XX` escapes (a URL path). Returns `None` if the result is not UTF-8.
/// Malformed escapes (`%zz`, a trailing `%`) are kept literally.
pub fn percent_decode_str(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) => hex_value(hi).zip(hex_value(lo)),
            _ => None,
        };
        match escaped {
            Some((hi, lo)) => {
                decoded.push(hi << 4 | lo);
                i += 3;
            }
            None => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).ok()
}

/// The value of a hex digit (either case).
fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// Decodes a form-encoded query component: `+` is a space, then `%XX` escapes.
/// Returns `None` if the result is not UTF-8.
pub fn query_decode(value: &str) -> Option<String> {
    percent_decode_str(&value.replace('+', " "))
}

/// Splits a raw query string into decoded `(name, value)` pairs, keeping empty values
/// (`uploads=` and a bare `uploads` both give `("uploads", "")`) and the order.
/// Returns `None` if a component does not decode to UTF-8.
///
/// Servers parse queries; clients do not: the emulator's, hidden from the documented API.
#[doc(hidden)]
pub fn parse_query(query: &str) -> Option<Vec<(String, String)>> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            Some((query_decode(name)?, query_decode(value)?))
        })
        .collect()
}

/// Joins `(name, value)` pairs into a form-encoded query string in the given order.
pub fn build_query<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut query = String::new();
    for (name, value) in pairs {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&query_encode(name));
        query.push('=');
        query.push_str(&query_encode(value));
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_encoding_matches_the_reference_examples() {
        assert_eq!(sign_encode("max-age=600"), "max-age%3D600");
        assert_eq!(
            sign_encode("application/octet-stream"),
            "application%2Foctet-stream"
        );
        assert_eq!(
            sign_encode("x-cos-meta-中文"),
            "x-cos-meta-%E4%B8%AD%E6%96%87"
        );
        assert_eq!(sign_encode("a b~"), "a%20b~");
        assert_eq!(sign_encode(""), "");
    }

    #[test]
    fn path_encoding_matches_the_reference_examples() {
        assert_eq!(path_encode("中文 a+b"), "/%E4%B8%AD%E6%96%87%20a%2Bb");
        assert_eq!(path_encode("!*'()"), "/%21%2A%27%28%29");
        assert_eq!(path_encode("//a"), "//a");
        assert_eq!(path_encode("../x"), "/..%2Fx");
        assert_eq!(path_encode("a/./b"), "/a/.%2Fb");
        assert_eq!(path_encode("././"), "/.%2F.%2F");
        assert_eq!(path_encode("~"), "/~");
    }

    proptest::proptest! {
        #[test]
        fn path_encoding_is_the_percent_encoding_with_dot_slash_escaped(key in "[./a %中]{0,16}") {
            let stripped = key.strip_prefix('/').unwrap_or(&key);
            let reference = format!(
                "/{}",
                utf8_percent_encode(stripped, PATH).to_string().replace("./", ".%2F")
            );
            proptest::prop_assert_eq!(path_encode(&key), reference);
        }
    }

    #[test]
    fn query_encoding_is_form_encoding() {
        assert_eq!(
            query_encode("photos/2024 年/"),
            "photos%2F2024+%E5%B9%B4%2F"
        );
        assert_eq!(query_encode("~-_."), "~-_.");
        assert_eq!(query_encode("!*'()"), "%21%2A%27%28%29");
        assert_eq!(
            build_query([("uploads", ""), ("prefix", "a b")]),
            "uploads=&prefix=a+b"
        );
    }

    #[test]
    fn query_round_trips() {
        let pairs = [("a b", "c+d/e"), ("empty", ""), ("中", "文")];
        let query = build_query(pairs);
        let parsed = parse_query(&query).expect("utf-8");
        let expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(parsed, expected);
        assert_eq!(
            parse_query("acl&x=1").expect("utf-8"),
            vec![
                ("acl".to_owned(), String::new()),
                ("x".to_owned(), "1".to_owned())
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn decoding_matches_percent_encoding(value in "[%0-9a-fA-FgG中/ ]{0,12}") {
            let reference = percent_encoding::percent_decode(value.as_bytes())
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned());
            proptest::prop_assert_eq!(percent_decode_str(&value), reference);
        }
    }

    #[test]
    fn decoding_rejects_invalid_utf8_and_keeps_bad_escapes() {
        assert_eq!(percent_decode_str("%FF"), None);
        assert_eq!(percent_decode_str("%zz%"), Some("%zz%".to_owned()));
        assert_eq!(
            percent_decode_str("/a%20b/.%2Fc"),
            Some("/a b/./c".to_owned())
        );
    }
}
