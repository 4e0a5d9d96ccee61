//! The COS error parser: XML `<Error>` documents, JSON bodies, `x-cos-error-code`, bodiless
//! HEAD answers, and errors inside a `200`.

use cos_proto::Operation;
use cos_proto::ops::{CompleteMultipartUpload, CopyObject, CopySource, GetObject, ListObjects};
use cos_proto::response::{REQUEST_ID_HEADER, service_error};

use crate::input;

/// From the text form of a response: the error keeps the status, at most 4 KiB of the
/// body, and the ids of the headers when the body has none; every operation turns a
/// non-2xx answer into that same service error.
pub fn error_response(data: &[u8]) {
    let response = input::response(data);
    let url = input::url();
    let status = response.status().as_u16();
    let body = String::from_utf8_lossy(response.body());
    let header_id = response
        .headers()
        .get(REQUEST_ID_HEADER)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());

    for method in [http::Method::GET, http::Method::HEAD, http::Method::PUT] {
        let err = service_error(&method, &url, &response);
        assert_eq!(err.status, status);
        assert!(err.body.len() <= 4096, "the kept body is too long");
        if method != http::Method::HEAD {
            assert!(body.starts_with(&err.body), "the kept body is not the body");
        }
        if header_id.is_some() {
            assert!(err.request_id.is_some(), "the request id header was lost");
        }
        if method == http::Method::HEAD && status == 404 {
            assert_eq!(err.code(), "NoSuchResource");
        }
        let _ = err.to_string();
    }

    let expected = service_error(&http::Method::GET, &url, &response);
    let source = CopySource::new("sourcebucket-1250000000", "src", "ap-guangzhou");
    let results = [
        GetObject::new("k")
            .parse_response(&url, response.clone())
            .err(),
        ListObjects::new()
            .parse_response(&url, response.clone())
            .err(),
        CopyObject::new("k", source)
            .parse_response(&url, response.clone())
            .err(),
        CompleteMultipartUpload::new("k", "u")
            .part(1, "\"e\"")
            .parse_response(&url, response.clone())
            .err(),
    ];
    for err in results {
        if !response.status().is_success() {
            let err = err.expect("a non-2xx answer parsed as a success");
            assert_eq!(err.service_error(), Some(&expected));
        } else if let Some(service) = err.as_ref().and_then(|e| e.service_error()) {
            // An error inside a 200: COS's verdict, with the 2xx status.
            assert_eq!(service.status, status);
        }
    }
}
