//! User metadata (`x-cos-meta-*` headers) and COS's size limits on it.
//!
//! COS's PUT Object documentation (API doc 436/7749) limits each user metadata header
//! to 2 KB — its name suffix (after `x-cos-meta-`) and its value — and all of them
//! together to 4 KB. A request over either limit is refused with `400
//! InvalidArgument`: COS's error code table (436/7730) names no code of its own for
//! metadata, and `InvalidArgument` is its code for an invalid request parameter. The
//! limits apply wherever a request sets user metadata: PUT Object, Initiate Multipart
//! Upload, PUT Object - Copy with `x-cos-metadata-directive: Replaced`, and the first
//! Append.

use crate::context::Req;
use crate::errors::{CosError, ErrorCode};

/// The prefix of user metadata header names.
const PREFIX: &str = "x-cos-meta-";

/// The most bytes one header may take (name suffix and value).
pub(crate) const MAX_HEADER_BYTES: usize = 2 * 1024;

/// The most bytes all user metadata headers may take together.
pub(crate) const MAX_TOTAL_BYTES: usize = 4 * 1024;

/// The `x-cos-meta-*` headers (names lower-cased, with the prefix), checked against
/// the size limits.
pub(crate) fn user_meta(req: &Req<'_>) -> Result<Vec<(String, String)>, CosError> {
    let meta: Vec<(String, String)> = req
        .parts
        .headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with(PREFIX))
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    check_sizes(&meta)?;
    Ok(meta)
}

/// The bytes one header counts for: its name after the prefix, and its value.
fn header_bytes(name: &str, value: &str) -> usize {
    name.strip_prefix(PREFIX).unwrap_or(name).len() + value.len()
}

/// Fails with `400 InvalidArgument` when one header or the whole set is too large.
pub(crate) fn check_sizes(meta: &[(String, String)]) -> Result<(), CosError> {
    let mut total = 0usize;
    for (name, value) in meta {
        let bytes = header_bytes(name, value);
        if bytes > MAX_HEADER_BYTES {
            return Err(CosError::with_message(
                ErrorCode::InvalidArgument,
                format!(
                    "The user metadata header {name:.64} is {bytes} bytes; each may be at most \
                     {MAX_HEADER_BYTES} bytes."
                ),
            ));
        }
        total = total.saturating_add(bytes);
    }
    if total > MAX_TOTAL_BYTES {
        return Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            format!(
                "Your metadata headers are {total} bytes; the user metadata may be at most \
                 {MAX_TOTAL_BYTES} bytes in total."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(suffix: &str, value_len: usize) -> (String, String) {
        (format!("{PREFIX}{suffix}"), "v".repeat(value_len))
    }

    #[test]
    fn each_header_counts_its_suffix_and_value() {
        assert!(check_sizes(&[header("ab", MAX_HEADER_BYTES - 2)]).is_ok());
        let err = check_sizes(&[header("ab", MAX_HEADER_BYTES - 1)]).expect_err("too large");
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }

    #[test]
    fn the_total_is_limited() {
        let half = MAX_TOTAL_BYTES / 2;
        assert!(check_sizes(&[header("a", half - 1), header("b", half - 1)]).is_ok());
        let err = check_sizes(&[header("a", half - 1), header("b", half - 1), header("c", 1)])
            .expect_err("too large");
        assert_eq!(err.code, ErrorCode::InvalidArgument);
        assert!(check_sizes(&[]).is_ok());
    }
}
