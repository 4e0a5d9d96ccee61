//! Reading responses: status classes, headers, and the COS error model.

use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode, Uri};
use serde::Deserialize;

use crate::error::{Error, ResponseError, ServiceError};
use crate::xml;

/// The most bytes of an error body a driver needs to read (and that [`ServiceError`] keeps).
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// The largest XML document a driver should buffer for a buffered operation (listings of
/// 1000 keys are far below this).
pub const MAX_DOCUMENT_BODY: usize = 32 * 1024 * 1024;

/// The request id header COS sets on every response.
pub const REQUEST_ID_HEADER: &str = "x-cos-request-id";
/// The trace id header COS sets on error responses.
pub const TRACE_ID_HEADER: &str = "x-cos-trace-id";
/// The header carrying the CRC-64/XZ of the object or part, in decimal.
pub const CRC64_HEADER: &str = "x-cos-hash-crc64ecma";

/// How much of the body [`ServiceError::body`] keeps.
const KEPT_ERROR_BODY: usize = 4096;

/// `true` for the statuses COS uses for success (2xx). Redirects are not followed and are
/// errors, as is `304 Not Modified` (the object was not sent).
pub fn is_success(status: StatusCode) -> bool {
    status.is_success()
}

/// A header's value as text (lossy UTF-8: COS sends user metadata as raw UTF-8).
pub fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// A header holding an unsigned decimal number; `Ok(None)` when absent.
pub fn header_u64(headers: &HeaderMap, name: &'static str) -> Result<Option<u64>, ResponseError> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => {
            let text = value.to_str().ok();
            text.filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse().ok())
                .map(Some)
                .ok_or_else(|| ResponseError::InvalidHeader {
                    name,
                    value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
                })
        }
    }
}

/// The `x-cos-hash-crc64ecma` value; `Ok(None)` when COS sent none (objects stored before
/// COS computed CRCs have none: a missing value is unknown, never zero).
pub fn crc64_header(headers: &HeaderMap) -> Result<Option<u64>, ResponseError> {
    header_u64(headers, CRC64_HEADER)
}

/// The user metadata (`x-cos-meta-*` headers), names lower-cased as HTTP delivers them.
pub fn metadata(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-cos-meta-"))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Fails with a [`ServiceError`] unless the status is a success; a `304` is
/// [`Error::NotModified`].
pub(crate) fn check(method: &Method, url: &Uri, response: &Response<Bytes>) -> Result<(), Error> {
    if is_success(response.status()) {
        Ok(())
    } else if response.status() == StatusCode::NOT_MODIFIED {
        Err(Error::NotModified(Box::new(service_error(
            method, url, response,
        ))))
    } else {
        Err(service_error(method, url, response).into())
    }
}

/// Fails when a `200` carries an `<Error>` document instead of the expected result (copy,
/// upload-part-copy and complete-multipart-upload can do this).
pub(crate) fn check_error_in_200(response: &Response<Bytes>) -> Result<(), Error> {
    if xml::root_element(response.body()).as_deref() == Some("Error") {
        let mut err = error_from_body(
            response.status().as_u16(),
            response.headers(),
            response.body(),
        );
        err.status = response.status().as_u16();
        return Err(err.into());
    }
    Ok(())
}

/// A `200` whose document lacks the `ETag` that success always carries: COS failed after
/// sending the status line.
pub(crate) fn missing_etag_in_200(response: &Response<Bytes>) -> Error {
    let mut err = error_from_body(
        response.status().as_u16(),
        response.headers(),
        response.body(),
    );
    if err.message.is_none() {
        err.message =
            Some("the 200 response carries no ETag: the operation did not complete".to_owned());
    }
    err.into()
}

/// Builds the [`ServiceError`] for an error response:
///
/// * a HEAD answered 404 has no body: code `NoSuchResource`, resource = the URL;
/// * an `x-cos-error-code` header gives the code, the body the message;
/// * otherwise the `<Error>` document (or a JSON object with lower-case keys) gives the
///   fields; request and trace ids fall back to the `x-cos-request-id` and
///   `x-cos-trace-id` headers.
pub fn service_error(method: &Method, url: &Uri, response: &Response<Bytes>) -> ServiceError {
    let status = response.status().as_u16();
    let headers = response.headers();
    if *method == Method::HEAD && status == 404 {
        let mut err = ServiceError::new(status);
        err.code = Some("NoSuchResource".to_owned());
        err.message = Some("The Resource You Head Not Exist".to_owned());
        err.resource = Some(url.to_string());
        err.request_id = header_text(headers, REQUEST_ID_HEADER);
        err.trace_id = header_text(headers, TRACE_ID_HEADER);
        return err;
    }
    error_from_body(status, headers, response.body())
}

#[derive(Debug, Default, Deserialize)]
struct ErrorDocument {
    #[serde(rename = "Code", default, deserialize_with = "xml::non_empty")]
    code: Option<String>,
    #[serde(rename = "Message", default, deserialize_with = "xml::non_empty")]
    message: Option<String>,
    #[serde(rename = "Resource", default, deserialize_with = "xml::non_empty")]
    resource: Option<String>,
    #[serde(rename = "RequestId", default, deserialize_with = "xml::non_empty")]
    request_id: Option<String>,
    #[serde(rename = "TraceId", default, deserialize_with = "xml::non_empty")]
    trace_id: Option<String>,
    #[serde(rename = "StringToSign", default, deserialize_with = "xml::non_empty")]
    string_to_sign: Option<String>,
    #[serde(rename = "FormatString", default, deserialize_with = "xml::non_empty")]
    format_string: Option<String>,
}

fn error_from_body(status: u16, headers: &HeaderMap, body: &[u8]) -> ServiceError {
    let mut err = ServiceError::new(status);
    let text = String::from_utf8_lossy(body);
    err.body = truncate(&text, KEPT_ERROR_BODY).to_owned();
    if let Some(code) = header_text(headers, "x-cos-error-code") {
        err.code = Some(code);
        let message = text.trim();
        err.message = (!message.is_empty()).then(|| message.to_owned());
    } else if xml::root_element(body).as_deref() == Some("Error") {
        if let Ok(doc) = xml::parse::<ErrorDocument>("Error", body) {
            err.code = doc.code;
            err.message = doc.message;
            err.resource = doc.resource;
            err.request_id = doc.request_id;
            err.trace_id = doc.trace_id;
            err.string_to_sign = doc.string_to_sign;
            err.format_string = doc.format_string;
        }
    } else if let Some(json) = json_error(body) {
        err.code = json.code;
        err.message = json.message;
        err.resource = json.resource;
        err.request_id = json.requestid;
        err.trace_id = json.traceid;
    }
    if err.request_id.is_none() {
        err.request_id = header_text(headers, REQUEST_ID_HEADER);
    }
    if err.trace_id.is_none() {
        err.trace_id = header_text(headers, TRACE_ID_HEADER);
    }
    err
}

#[derive(Debug, Deserialize)]
struct JsonError {
    code: Option<String>,
    message: Option<String>,
    resource: Option<String>,
    requestid: Option<String>,
    traceid: Option<String>,
}

fn json_error(body: &[u8]) -> Option<JsonError> {
    let trimmed = body.trim_ascii_start();
    if !trimmed.starts_with(b"{") {
        return None;
    }
    serde_json::from_slice(trimmed).ok()
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response<Bytes> {
        let mut builder = Response::builder().status(status);
        for (n, v) in headers {
            builder = builder.header(*n, *v);
        }
        builder
            .body(Bytes::from(body.to_owned()))
            .expect("valid response")
    }

    const ERROR_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n<Code>NoSuchKey</Code>\n\
        <Message>The specified key does not exist.</Message>\n<Resource>b.cos/k</Resource>\n\
        <RequestId>rid</RequestId>\n<TraceId>tid</TraceId>\n</Error>";

    #[test]
    fn xml_error_fields() {
        let uri: Uri = "http://h/k".parse().expect("uri");
        let err = service_error(&Method::GET, &uri, &response(404, &[], ERROR_XML));
        assert_eq!(err.status, 404);
        assert_eq!(err.code.as_deref(), Some("NoSuchKey"));
        assert_eq!(
            err.message.as_deref(),
            Some("The specified key does not exist.")
        );
        assert_eq!(err.resource.as_deref(), Some("b.cos/k"));
        assert_eq!(err.request_id.as_deref(), Some("rid"));
        assert_eq!(err.trace_id.as_deref(), Some("tid"));
        assert_eq!(err.body, ERROR_XML);
    }

    #[test]
    fn head_404_is_synthesised_and_ids_fall_back_to_headers() {
        let uri: Uri = "http://h/missing".parse().expect("uri");
        let resp = response(404, &[("x-cos-request-id", "r1")], "");
        let err = service_error(&Method::HEAD, &uri, &resp);
        assert_eq!(err.code.as_deref(), Some("NoSuchResource"));
        assert_eq!(err.resource.as_deref(), Some("http://h/missing"));
        assert_eq!(err.request_id.as_deref(), Some("r1"));
        assert_eq!(err.trace_id, None);
        let resp = response(
            403,
            &[("x-cos-request-id", "r2"), ("x-cos-trace-id", "t2")],
            "",
        );
        let err = service_error(&Method::HEAD, &uri, &resp);
        assert_eq!(err.code, None);
        assert_eq!(err.request_id.as_deref(), Some("r2"));
        assert_eq!(err.trace_id.as_deref(), Some("t2"));
    }

    #[test]
    fn error_code_header_and_json_and_garbage() {
        let uri: Uri = "http://h/k".parse().expect("uri");
        let resp = response(
            409,
            &[("x-cos-error-code", "PathConflict")],
            "Path conflict.",
        );
        let err = service_error(&Method::PUT, &uri, &resp);
        assert_eq!(
            (err.code.as_deref(), err.message.as_deref()),
            (Some("PathConflict"), Some("Path conflict."))
        );
        let resp = response(
            400,
            &[],
            "{\"code\":\"InvalidArgument\",\"message\":\"bad\",\"requestid\":\"r1\"}",
        );
        let err = service_error(&Method::PUT, &uri, &resp);
        assert_eq!(
            (err.code.as_deref(), err.request_id.as_deref()),
            (Some("InvalidArgument"), Some("r1"))
        );
        let resp = response(502, &[], "<html><body>502</body></html>");
        let err = service_error(&Method::PUT, &uri, &resp);
        assert_eq!((err.status, err.code.as_deref()), (502, None));
        assert!(err.body.contains("502"));
    }

    #[test]
    fn error_inside_200_is_detected() {
        assert!(check_error_in_200(&response(200, &[], ERROR_XML)).is_err());
        assert!(check_error_in_200(&response(200, &[], "<CopyObjectResult/>")).is_ok());
    }

    #[test]
    fn headers_are_parsed_strictly() {
        let resp = response(
            200,
            &[("x-cos-hash-crc64ecma", "123"), ("content-length", "x")],
            "",
        );
        assert_eq!(crc64_header(resp.headers()), Ok(Some(123)));
        assert!(header_u64(resp.headers(), "content-length").is_err());
        assert_eq!(header_u64(resp.headers(), "x-missing"), Ok(None));
    }

    #[test]
    fn long_bodies_are_truncated_on_char_boundaries() {
        let text = "中".repeat(3000);
        assert!(truncate(&text, 4096).len() <= 4096);
        assert!(truncate(&text, 4096).chars().all(|c| c == '中'));
    }
}
