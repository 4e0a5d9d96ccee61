//! Helpers shared by the delete-multiple, restore, select, append, tagging and ACL
//! operations: checked document parsing and `true`/`false` values.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{Error, ResponseError};
use crate::{response, xml};

/// Parses a success document whose root must be `document`.
///
/// quick-xml's serde mapping ignores the root element's name, so without this check any
/// well-formed document (an `<Error>`, an HTML page turned XHTML) would parse as an empty
/// result. An `<Error>` root in a 2xx becomes the [`crate::ServiceError`] it describes;
/// any other root is [`ResponseError::MalformedXml`].
pub(crate) fn parse_document<T: DeserializeOwned>(
    document: &'static str,
    response: &http::Response<Bytes>,
) -> Result<T, Error> {
    response::check_error_in_200(response)?;
    Ok(xml::parse_document(document, response.body())?)
}

/// Reads COS's `true` / `false` (any ASCII case); anything else is `None`.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A `true` / `false` header; `Ok(None)` when absent.
pub(crate) fn header_bool(
    headers: &http::HeaderMap,
    name: &'static str,
) -> Result<Option<bool>, ResponseError> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(parse_bool)
            .map(Some)
            .ok_or_else(|| ResponseError::InvalidHeader {
                name,
                value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
            }),
    }
}

/// Deserialises an optional `true` / `false` element; an absent or empty element is
/// `false`, any other text is an error.
pub(crate) fn de_flag<'de, D>(deserializer: D) -> Result<bool, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(false),
        Some(text) => parse_bool(text).ok_or_else(|| {
            serde::de::Error::custom(format!("expected true or false, found {text:?}"))
        }),
    }
}

/// Signs `request` with the credentials and clock of a `signature.json` case and returns
/// the `Authorization` value.
#[cfg(test)]
pub(crate) fn vector_authorization(mut request: http::Request<crate::Body>, now: u64) -> String {
    use crate::sign;
    let credentials = crate::Credentials::new(
        "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
        "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
    )
    .expect("valid credentials");
    let key_time = sign::KeyTime::new(now, sign::DEFAULT_REQUEST_EXPIRY_SECS);
    sign::sign_request(
        &mut request,
        &credentials,
        key_time,
        sign::SignOptions::default(),
    )
    .expect("signs");
    request.headers()[http::header::AUTHORIZATION]
        .to_str()
        .expect("ASCII")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::response;

    #[derive(Debug, serde::Deserialize)]
    struct Doc {
        #[serde(rename = "Flag", default, deserialize_with = "de_flag")]
        flag: bool,
    }

    #[test]
    fn parse_document_checks_the_root() {
        let ok: Doc = parse_document("Doc", &response(200, &[], "<Doc><Flag>TRUE</Flag></Doc>"))
            .expect("parses");
        assert!(ok.flag);
        let empty: Doc = parse_document("Doc", &response(200, &[], "<Doc/>")).expect("parses");
        assert!(!empty.flag);
        let other = parse_document::<Doc>("Doc", &response(200, &[], "<Other/>"));
        assert!(matches!(
            other,
            Err(Error::Response(ResponseError::MalformedXml { .. }))
        ));
        let not_xml = parse_document::<Doc>("Doc", &response(200, &[], ""));
        assert!(matches!(
            not_xml,
            Err(Error::Response(ResponseError::MalformedXml { .. }))
        ));
        let error = "<Error><Code>InternalError</Code><Message>m</Message></Error>";
        let err = parse_document::<Doc>("Doc", &response(200, &[], error)).expect_err("error");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((200, "InternalError"))
        );
        let bad = parse_document::<Doc>("Doc", &response(200, &[], "<Doc><Flag>yes</Flag></Doc>"));
        assert!(matches!(
            bad,
            Err(Error::Response(ResponseError::MalformedXml { .. }))
        ));
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("1"), None);
        let headers = response(200, &[("a", "true"), ("b", "maybe")], "")
            .headers()
            .clone();
        assert_eq!(header_bool(&headers, "a"), Ok(Some(true)));
        assert_eq!(header_bool(&headers, "missing"), Ok(None));
        assert!(header_bool(&headers, "b").is_err());
    }
}
