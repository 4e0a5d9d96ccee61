//! Abort Multipart Upload: cancel an upload and delete its parts.

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::{HeaderMap, Method};

use super::initiate_multipart_upload::check_upload_id;
use crate::Config;
use crate::error::Error;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Cancels a multipart upload and deletes the parts uploaded so far. Parts still being
/// uploaded may survive: abort again after they finish to free all storage.
///
/// ```
/// use cos_proto::{Config, Operation, ops::AbortMultipartUpload};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = AbortMultipartUpload::new("big file.iso", "upload+id").build_request(&cfg).unwrap();
/// assert_eq!(request.method(), "DELETE");
/// assert_eq!(request.uri().query(), Some("uploadId=upload%2Bid"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct AbortMultipartUpload {
    key: String,
    upload_id: String,
    extras: Extras,
}

impl AbortMultipartUpload {
    extras_setters!(extras);

    /// Aborts `upload_id` for `key`.
    pub fn new(key: impl Into<String>, upload_id: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            upload_id: upload_id.into(),
        }
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// What COS returns for an abort (`204 No Content`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AbortMultipartUploadOutput {
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for AbortMultipartUpload {
    type Output = AbortMultipartUploadOutput;
    const NAME: &'static str = "AbortMultipartUpload";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        check_upload_id(&self.upload_id)?;
        let b = RequestBuilder::object(Method::DELETE, &self.key)?
            .query("uploadId", self.upload_id.clone());
        Ok(b.body(Body::Empty).extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<AbortMultipartUploadOutput, Error> {
        response::check(&Method::DELETE, url, &response)?;
        let headers = response.headers();
        Ok(AbortMultipartUploadOutput {
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;
    use crate::error::InputError;
    use crate::ops::test_support::{config, error_response, header, response};
    use crate::sign::{KeyTime, SignOptions, sign_request};

    const UPLOAD_ID: &str =
        "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361";

    #[test]
    fn builds_with_every_parameter() {
        // requests.json abort_multipart_upload
        let request = AbortMultipartUpload::new("big file.iso", UPLOAD_ID)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::DELETE);
        assert_eq!(
            request.uri().to_string(),
            format!(
                "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/big%20file.iso?uploadId={UPLOAD_ID}"
            )
        );
        assert_eq!(
            header(&request, "host"),
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(header(&request, "content-length"), "0");
        assert_eq!(request.headers().len(), 2);
        assert_eq!(request.body(), &Body::Empty);
    }

    #[test]
    fn signature_matches_the_reference() {
        // signature.json abort-multipart: the upload id is form-encoded in the URL.
        let mut request = AbortMultipartUpload::new("big file.iso", "upload+id/with=chars")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().query(),
            Some("uploadId=upload%2Bid%2Fwith%3Dchars")
        );
        let credentials = Credentials::new(
            "AKID1234567890abcdefghijklmnopqrstuv",
            "s3cr3t+/=KeyWith~Symbols_0123456789",
        )
        .expect("valid");
        sign_request(
            &mut request,
            &credentials,
            KeyTime::new(1_700_000_029, 10_000),
            SignOptions::default(),
        )
        .expect("signs");
        assert_eq!(
            header(&request, "authorization"),
            "q-sign-algorithm=sha1&q-ak=AKID1234567890abcdefghijklmnopqrstuv&q-sign-time=1699999969;1700010029\
             &q-key-time=1699999969;1700010029&q-header-list=content-length;host&q-url-param-list=uploadid\
             &q-signature=cda16ce8463b9e0a5edbb3a0689b11a3ff499663"
        );
    }

    #[test]
    fn parses_the_answer_and_errors() {
        let op = AbortMultipartUpload::new("big file.iso", UPLOAD_ID);
        let url = "http://h/big%20file.iso?uploadId=u".parse().expect("uri");
        let ok = response(
            204,
            &[
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
                ("Content-Length", "0"),
            ],
            "",
        );
        let out = op.parse_response(&url, ok).expect("parses");
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        assert_eq!(out.headers["content-length"], "0");
        let err = op
            .parse_response(&url, error_response(404, "NoSuchUpload"))
            .expect_err("fails");
        let err = err.service_error().expect("service error");
        assert_eq!(
            (err.status, err.code(), err.request_id.as_deref()),
            (404, "NoSuchUpload", Some("req-1"))
        );
    }

    #[test]
    fn rejects_invalid_input_before_building() {
        // An empty upload id would turn the abort into a DELETE Object.
        assert!(matches!(
            AbortMultipartUpload::new("k", "")
                .build_request(&config())
                .err(),
            Some(Error::Input(InputError::InvalidArgument {
                what: "upload id",
                ..
            }))
        ));
        assert_eq!(
            AbortMultipartUpload::new("/", "u")
                .build_request(&config())
                .err(),
            Some(Error::Input(InputError::KeyResolvesToBucket {
                key: "/".to_owned()
            }))
        );
    }
}
