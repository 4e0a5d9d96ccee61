//! Reading Cloud API answers: `{"Response": {...}}` on success, with `Response.Error`
//! (`Code`, `Message`) and `Response.RequestId` on failure.
//!
//! One deliberate difference from the official Python SDK: it looks for `Error` only
//! when `Content-Type` is exactly `application/json` or `text/plain`, so an error sent
//! as `application/json; charset=utf-8` comes back as an empty result; here an `Error`
//! is an error whatever the content type says.

use serde_json::{Map, Value};

/// A Cloud API call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CloudApiError {
    /// The service answered with `Response.Error`.
    #[error("{code}: {message} (request id {request_id:?})")]
    Service {
        /// `Error.Code` (`InvalidParameter.RoleNotExist`, `AuthFailure.SignatureExpire`, ...).
        code: String,
        /// `Error.Message`.
        message: String,
        /// `Response.RequestId`.
        request_id: Option<String>,
    },
    /// A status other than 200 (the SDKs' `ServerNetworkError`): a gateway's answer.
    #[error("HTTP {status}: {body}")]
    Status {
        /// The status.
        status: u16,
        /// The body, lossy UTF-8, at most 4 KiB.
        body: String,
    },
    /// The body is not the JSON document every answer is (`JSONDecodeError` and
    /// `KeyError` in the SDKs).
    #[error("malformed answer: {0}")]
    Malformed(String),
}

impl CloudApiError {
    /// The code the official SDKs report for this failure: the service's, else
    /// `ServerNetworkError`, `JSONDecodeError` or `KeyError`.
    pub fn code(&self) -> &str {
        match self {
            CloudApiError::Service { code, .. } => code,
            CloudApiError::Status { .. } => "ServerNetworkError",
            CloudApiError::Malformed(reason) if reason.starts_with("no `Response`") => "KeyError",
            CloudApiError::Malformed(_) => "JSONDecodeError",
        }
    }

    /// Whether sending the same call again may succeed: throttling, the service's
    /// internal errors, and gateway answers.
    pub fn is_retryable(&self) -> bool {
        match self {
            CloudApiError::Service { code, .. } => {
                code.starts_with("RequestLimitExceeded")
                    || code == "InternalError"
                    || code.starts_with("InternalError.")
            }
            CloudApiError::Status { status, .. } => *status >= 500 || *status == 429,
            CloudApiError::Malformed(_) => false,
        }
    }
}

/// The `Response` object of an answer, or the failure it reports.
pub fn parse_response(status: u16, body: &[u8]) -> Result<Map<String, Value>, CloudApiError> {
    if status != 200 {
        let cut = body.len().min(4096);
        return Err(CloudApiError::Status {
            status,
            body: String::from_utf8_lossy(body.get(..cut).unwrap_or_default()).into_owned(),
        });
    }
    let document: Value = serde_json::from_slice(body)
        .map_err(|e| CloudApiError::Malformed(format!("not JSON: {e}")))?;
    let Some(Value::Object(response)) = document.get("Response") else {
        return Err(CloudApiError::Malformed(
            "no `Response` object in the answer".to_owned(),
        ));
    };
    if let Some(error) = response.get("Error") {
        let text = |name: &str| error.get(name).and_then(Value::as_str).map(str::to_owned);
        return Err(CloudApiError::Service {
            code: text("Code").unwrap_or_default(),
            message: text("Message").unwrap_or_default(),
            request_id: request_id(response),
        });
    }
    Ok(response.clone())
}

/// `Response.RequestId`.
pub fn request_id(response: &Map<String, Value>) -> Option<String> {
    response
        .get("RequestId")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A string field of `Response`.
pub(crate) fn text(response: &Map<String, Value>, name: &str) -> Option<String> {
    response
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A required string field of `Response`.
pub(crate) fn required(response: &Map<String, Value>, name: &str) -> Result<String, CloudApiError> {
    text(response, name)
        .ok_or_else(|| CloudApiError::Malformed(format!("`{name}` missing from the answer")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_errors_whatever_the_content_type() {
        let body = br#"{"Response": {"Error": {"Code": "InternalError", "Message": "m"}, "RequestId": "r"}}"#;
        let err = parse_response(200, body).expect_err("an Error");
        assert_eq!(err.code(), "InternalError");
        assert!(err.is_retryable());
        assert_eq!(
            parse_response(502, b"<html>").expect_err("502").code(),
            "ServerNetworkError"
        );
        assert_eq!(
            parse_response(200, b"{not json").expect_err("json").code(),
            "JSONDecodeError"
        );
        assert_eq!(
            parse_response(200, b"{}").expect_err("no Response").code(),
            "KeyError"
        );
        assert_eq!(
            parse_response(200, b"[]").expect_err("no Response").code(),
            "KeyError"
        );
    }
}
