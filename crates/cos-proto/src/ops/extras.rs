//! Headers and query parameters a caller adds to any operation: what the official SDK
//! takes as free-form `**kwargs` headers (`Metadata`, `IfModifiedSince` on a listing,
//! `ContentType` on CompleteMultipartUpload, …) and as `Params`.

use http::HeaderName;

use crate::encode::caller_params;
use crate::error::InputError;
use crate::request::RequestBuilder;

/// Headers the request's framing and signature own: an extra header may not set them.
const FRAMING_HEADERS: [&str; 4] = [
    "host",
    "content-length",
    "transfer-encoding",
    "authorization",
];

/// The extra headers and query parameters of one operation, applied after the
/// operation's own.
///
/// * A header replaces one of the same name that the operation sets. `Host`,
///   `Content-Length`, `Transfer-Encoding` and `Authorization` are refused: the request's
///   framing and signature own them.
/// * A parameter is signed (names percent-encoded, then lower-cased). One whose signed
///   name equals a parameter already present (the operation's own `versionId`, or a
///   `VersionId` added earlier) replaces it in place, so the query on the wire and the
///   signed one are the same. Which one wins is the official SDK's rule: the parameters
///   form a dict (a name given again exactly keeps its place and takes the new value),
///   whose entries are then signed in order, the last of a signed name winning. A
///   parameter needs a name: `q-url-param-list` could not tell an empty one from none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Extras {
    headers: Vec<(String, String)>,
    params: Vec<(String, String)>,
}

impl Extras {
    /// Adds a header (checked when the request is built).
    pub(crate) fn push_header(&mut self, name: String, value: String) {
        self.headers.push((name, value));
    }

    /// Adds a query parameter (checked when the request is built).
    pub(crate) fn push_param(&mut self, name: String, value: String) {
        self.params.push((name, value));
    }

    /// `true` when nothing was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.params.is_empty()
    }

    /// Applies the headers and parameters to `builder`, in the order they were added.
    pub(crate) fn apply(&self, mut builder: RequestBuilder) -> Result<RequestBuilder, InputError> {
        for (name, value) in caller_params(&self.params)? {
            builder = builder.query(&name, value);
        }
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                InputError::InvalidArgument {
                    what: "header name",
                    reason: format!("{name:?} is not a valid HTTP header name"),
                }
            })?;
            if FRAMING_HEADERS.contains(&header.as_str()) {
                return Err(InputError::InvalidArgument {
                    what: "header name",
                    reason: format!("{name} is set by the request's framing and signature"),
                });
            }
            builder = builder.replace_header(header, value)?;
        }
        Ok(builder)
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;
    use crate::ops::test_support::config;

    fn extras(headers: &[(&str, &str)], params: &[(&str, &str)]) -> Extras {
        let mut extras = Extras::default();
        for (n, v) in headers {
            extras.push_header((*n).to_owned(), (*v).to_owned());
        }
        for (n, v) in params {
            extras.push_param((*n).to_owned(), (*v).to_owned());
        }
        extras
    }

    #[test]
    fn a_header_replaces_the_operations_own() {
        let builder = RequestBuilder::bucket(Method::POST)
            .header_static("content-type", "application/xml")
            .expect("valid");
        let request = extras(&[("Content-Type", "text/plain")], &[])
            .apply(builder)
            .and_then(|b| b.build(&config()))
            .expect("builds");
        let values: Vec<_> = request.headers().get_all("content-type").iter().collect();
        assert_eq!(values, ["text/plain"]);
    }

    #[test]
    fn framing_headers_and_nameless_params_are_refused() {
        for name in [
            "Host",
            "content-length",
            "Transfer-Encoding",
            "authorization",
        ] {
            let err = extras(&[(name, "1")], &[]).apply(RequestBuilder::bucket(Method::GET));
            assert!(
                matches!(err, Err(InputError::InvalidArgument { .. })),
                "{name}"
            );
        }
        let err = extras(&[], &[("", "v")]).apply(RequestBuilder::bucket(Method::GET));
        assert!(matches!(err, Err(InputError::InvalidArgument { .. })));
        let err = extras(&[("bad name", "v")], &[]).apply(RequestBuilder::bucket(Method::GET));
        assert!(matches!(err, Err(InputError::InvalidArgument { .. })));
    }

    #[test]
    fn a_param_with_the_same_signed_name_replaces_the_value_in_place() {
        let builder = RequestBuilder::bucket(Method::GET)
            .query("versionId", "v1")
            .query("tagging", "");
        let request = extras(&[], &[("VersionId", "v2"), ("x", "1")])
            .apply(builder)
            .and_then(|b| b.build(&config()))
            .expect("builds");
        assert_eq!(request.uri().query(), Some("VersionId=v2&tagging=&x=1"));
    }
}
