//! APPEND Object: add data to the end of an appendable object.

use super::Extras;
use bytes::Bytes;
use http::{HeaderMap, Method};

use super::object_info::ObjectInfo;
use super::put_object::MAX_SINGLE_UPLOAD;
use super::setters::{acl_setters, content_setters, extras_setters, metadata_setters};
use crate::Config;
use crate::error::{Error, InputError, ResponseError};
use crate::headers::{AclHeaders, ContentHeaders, Metadata, StorageClass, apply_traffic_limit};
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, crc64_header, header_text, header_u64};
use crate::retry::Idempotency;

/// The response header carrying the position of the next append.
pub const NEXT_APPEND_POSITION_HEADER: &str = "x-cos-next-append-position";

/// Appends data at `position` of an appendable object (POST `/{key}?append&position=N`).
/// The first append uses position 0 and creates the object (type `appendable`); each
/// later append must use the object's current length, which every answer returns as
/// [`AppendObjectOutput::next_append_position`] (a wrong position is a 409
/// `AppendPositionErr`). The driver streams the payload like a PUT.
///
/// The content headers, metadata, ACL, storage class and tagging are only taken into
/// account by the append that creates the object.
///
/// ```
/// use cos_proto::{Config, Operation, ops::AppendObject};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let append = AppendObject::new("logs/app.log", 7, Some(7));
/// let request = append.build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("append=&position=7"));
/// assert_eq!(request.headers()["content-length"], "7");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct AppendObject {
    key: String,
    position: u64,
    content_length: Option<u64>,
    content: ContentHeaders,
    metadata: Metadata,
    acl: AclHeaders,
    storage_class: Option<StorageClass>,
    tagging: Option<String>,
    traffic_limit: Option<u64>,
    content_md5: Option<String>,
    extras: Extras,
}

impl AppendObject {
    extras_setters!(extras);

    /// Appends `content_length` bytes (at most 5 GiB; `None` sends a chunked stream) at
    /// byte `position` of `key`.
    pub fn new(key: impl Into<String>, position: u64, content_length: Option<u64>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            position,
            content_length,
            content: ContentHeaders::default(),
            metadata: Metadata::default(),
            acl: AclHeaders::default(),
            storage_class: None,
            tagging: None,
            traffic_limit: None,
            content_md5: None,
        }
    }

    content_setters!(content);
    metadata_setters!(metadata);
    acl_setters!(acl);

    /// Sets the storage class of a new appendable object (COS ignores it on later
    /// appends and rejects `INTELLIGENT_TIERING`).
    pub fn storage_class(mut self, class: StorageClass) -> Self {
        self.storage_class = Some(class);
        self
    }

    /// Sets object tags, `k1=v1&k2=v2` with URL-encoded keys and values (`x-cos-tagging`).
    pub fn tagging(mut self, tags: impl Into<String>) -> Self {
        self.tagging = Some(tags.into());
        self
    }

    /// Limits this upload's bandwidth, in bit/s (819200..=838860800).
    pub fn traffic_limit(mut self, bits_per_second: u64) -> Self {
        self.traffic_limit = Some(bits_per_second);
        self
    }

    /// Sends `Content-MD5` (base64 of this payload's MD5, see
    /// [`crate::headers::content_md5`]); COS rejects a mismatching body with `BadDigest`.
    pub fn content_md5(mut self, base64_md5: impl Into<String>) -> Self {
        self.content_md5 = Some(base64_md5.into());
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The position this append writes at.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The HEAD to send after the append failed with `err`, when that leaves its outcome
    /// unknown (its answer was lost after the request may have reached COS; an append is
    /// never sent again): [`AppendObject::reconcile`] then judges by its answer. `None`
    /// when the failure is final as it is.
    pub fn recheck_after(&self, err: &crate::driver::error::Error) -> Option<super::HeadObject> {
        (err.may_have_taken_effect() && self.content_length.is_some())
            .then(|| super::HeadObject::new(self.key.clone()))
    }

    /// Whether an append whose outcome is unknown (its answer was lost after the request
    /// may have reached COS: it is never sent again) took effect, judged from a HEAD of
    /// the object: it did if the object is appendable and exactly `position + length`
    /// bytes long. The output is then what COS would have answered (without the
    /// request id). `None` when it did not, or when the length was not announced.
    ///
    /// A concurrent appender that wrote as many bytes at the same position cannot be
    /// told apart: use one appender per object, as COS's positions require anyway.
    ///
    /// ```
    /// use cos_proto::ops::{AppendObject, ObjectInfo};
    /// let head = |len: u64| {
    ///     let mut headers = http::HeaderMap::new();
    ///     headers.insert("content-length", len.into());
    ///     headers.insert("x-cos-object-type", http::HeaderValue::from_static("appendable"));
    ///     ObjectInfo::from_headers(&headers).unwrap()
    /// };
    /// let append = AppendObject::new("log", 10, Some(5));
    /// assert_eq!(append.reconcile(&head(15)).map(|o| o.next_append_position), Some(15));
    /// assert!(append.reconcile(&head(10)).is_none(), "it did not land");
    /// assert!(append.reconcile(&head(20)).is_none(), "something else landed");
    /// ```
    pub fn reconcile(&self, head: &ObjectInfo) -> Option<AppendObjectOutput> {
        let end = self.position.checked_add(self.content_length?)?;
        let appendable = head
            .object_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("appendable"));
        (appendable && head.content_length == Some(end)).then(|| AppendObjectOutput {
            next_append_position: end,
            etag: head.etag.clone(),
            crc64: head.crc64,
            request_id: None,
            headers: head.headers.clone(),
        })
    }
}

/// What COS returns for an append.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppendObjectOutput {
    /// `x-cos-next-append-position`: the object's new length, the position of the next
    /// append.
    pub next_append_position: u64,
    /// The object's `ETag` (with quotes).
    pub etag: Option<String>,
    /// `x-cos-hash-crc64ecma` of the whole object so far, when COS sent it.
    pub crc64: Option<u64>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for AppendObject {
    type Output = AppendObjectOutput;
    const NAME: &'static str = "AppendObject";

    /// A repeated append lands twice, or fails on its own position: never sent again
    /// once it may have reached COS (see [`AppendObject::reconcile`]).
    fn idempotency(&self) -> Idempotency {
        Idempotency::NotIdempotent
    }

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        if self
            .content_length
            .is_some_and(|len| len > MAX_SINGLE_UPLOAD)
        {
            return Err(InputError::InvalidArgument {
                what: "content length",
                reason: "one append carries at most 5 GiB".to_owned(),
            }
            .into());
        }
        let mut b = RequestBuilder::object(Method::POST, &self.key)?
            .query("append", "")
            .query("position", self.position.to_string());
        b = self.content.apply(b)?;
        b = self.metadata.apply(b)?;
        b = self.acl.apply(b)?;
        if let Some(class) = &self.storage_class {
            b = b.header_static("x-cos-storage-class", class.as_str())?;
        }
        b = b.header_opt("x-cos-tagging", self.tagging.as_deref())?;
        b = apply_traffic_limit(b, self.traffic_limit)?;
        b = b.header_opt("content-md5", self.content_md5.as_deref())?;
        let body = Body::Payload {
            length: self.content_length,
        };
        Ok(b.body(body).extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<AppendObjectOutput, Error> {
        response::check(&Method::POST, url, &response)?;
        let headers = response.headers();
        let next_append_position = header_u64(headers, NEXT_APPEND_POSITION_HEADER)?
            .ok_or(ResponseError::MissingHeader(NEXT_APPEND_POSITION_HEADER))?;
        Ok(AppendObjectOutput {
            next_append_position,
            etag: header_text(headers, "etag"),
            crc64: crc64_header(headers)?,
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, error_response, header, response};

    #[test]
    fn builds_with_every_parameter() {
        let request = AppendObject::new("logs/append 日志.log", 1024, Some(11))
            .content_type("text/plain")
            .cache_control("no-cache")
            .content_disposition("inline")
            .content_encoding("identity")
            .content_language("zh-CN")
            .expires("Wed, 21 Oct 2025 07:28:00 GMT")
            .metadata("x-cos-meta-source", "app")
            .acl("private")
            .grant_read("id=\"qcs::cam::uin/1:uin/2\"")
            .grant_write("id=\"qcs::cam::uin/1:uin/3\"")
            .grant_read_acp("id=\"qcs::cam::uin/1:uin/4\"")
            .grant_write_acp("id=\"qcs::cam::uin/1:uin/5\"")
            .grant_full_control("id=\"qcs::cam::uin/1:uin/1\"")
            .storage_class(StorageClass::Standard)
            .tagging("project=apollo&env=prod")
            .traffic_limit(819_200)
            .content_md5("ZajifYh5KDgxtmS9i38K1A==")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\
             /logs/append%20%E6%97%A5%E5%BF%97.log?append=&position=1024"
        );
        let expected = [
            (
                "host",
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            ),
            ("content-type", "text/plain"),
            ("cache-control", "no-cache"),
            ("content-disposition", "inline"),
            ("content-encoding", "identity"),
            ("content-language", "zh-CN"),
            ("expires", "Wed, 21 Oct 2025 07:28:00 GMT"),
            ("x-cos-meta-source", "app"),
            ("x-cos-acl", "private"),
            ("x-cos-grant-read", "id=\"qcs::cam::uin/1:uin/2\""),
            ("x-cos-grant-write", "id=\"qcs::cam::uin/1:uin/3\""),
            ("x-cos-grant-read-acp", "id=\"qcs::cam::uin/1:uin/4\""),
            ("x-cos-grant-write-acp", "id=\"qcs::cam::uin/1:uin/5\""),
            ("x-cos-grant-full-control", "id=\"qcs::cam::uin/1:uin/1\""),
            ("x-cos-storage-class", "STANDARD"),
            ("x-cos-tagging", "project=apollo&env=prod"),
            ("x-cos-traffic-limit", "819200"),
            ("content-md5", "ZajifYh5KDgxtmS9i38K1A=="),
            ("content-length", "11"),
        ];
        for (name, value) in expected {
            assert_eq!(header(&request, name), value, "{name}");
        }
        assert_eq!(request.headers().len(), expected.len());
        assert_eq!(request.body(), &Body::Payload { length: Some(11) });
    }

    #[test]
    fn only_an_outcome_left_unknown_is_rechecked() {
        use crate::driver::error::Error as ClientError;
        use crate::retry::{GiveUpReason, TransportFailure};
        let lost = |failure| ClientError::Transport {
            operation: "AppendObject",
            failure,
            reason: GiveUpReason::NotIdempotent,
            attempts: 1,
            source: "lost".into(),
        };
        let append = AppendObject::new("log", 10, Some(5));
        let head = append
            .recheck_after(&lost(TransportFailure::ConnectionReset))
            .expect("a lost answer is rechecked");
        let request = head.build_request(&config()).expect("builds");
        assert_eq!(request.method(), Method::HEAD);
        assert!(
            append
                .recheck_after(&lost(TransportFailure::Connect))
                .is_none()
        );
        let refused = ClientError::Cos(
            append
                .parse_response(
                    &"http://h/log".parse().expect("uri"),
                    error_response(409, "AppendPositionErr"),
                )
                .expect_err("an error"),
        );
        assert!(append.recheck_after(&refused).is_none());
        let chunked = AppendObject::new("log", 10, None);
        assert!(
            chunked
                .recheck_after(&lost(TransportFailure::Timeout))
                .is_none()
        );
    }

    #[test]
    fn matches_the_vectors() {
        // requests.json `append_object-first`.
        let request = AppendObject::new("logs/append.log", 0, Some(11))
            .content_type("text/plain")
            .cache_control("no-cache")
            .metadata("x-cos-meta-source", "app")
            .acl("private")
            .storage_class(StorageClass::Standard)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().path_and_query().map(|p| p.as_str()),
            Some("/logs/append.log?append=&position=0")
        );
        assert_eq!(request.headers().len(), 7);
        assert_eq!(header(&request, "x-cos-meta-source"), "app");
        // signature.json `append-next`.
        let request = AppendObject::new("logs/app.log", 7, Some(7))
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("append=&position=7"));
        assert_eq!(request.headers().len(), 2);
        assert_eq!(header(&request, "content-length"), "7");
        let chunked = AppendObject::new("k", 0, None)
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&chunked, "transfer-encoding"), "chunked");
    }

    #[test]
    fn rejects_invalid_input() {
        let too_big =
            AppendObject::new("k", 0, Some(MAX_SINGLE_UPLOAD + 1)).build_request(&config());
        assert!(matches!(
            too_big,
            Err(Error::Input(InputError::InvalidArgument { .. }))
        ));
        assert!(
            AppendObject::new("k", 0, Some(MAX_SINGLE_UPLOAD))
                .build_request(&config())
                .is_ok()
        );
        let limit = AppendObject::new("k", 0, Some(1))
            .traffic_limit(1)
            .build_request(&config());
        assert_eq!(
            limit.err(),
            Some(Error::Input(InputError::InvalidTrafficLimit(1)))
        );
        let meta = AppendObject::new("k", 0, Some(1))
            .metadata("source", "x")
            .build_request(&config());
        assert!(matches!(
            meta,
            Err(Error::Input(InputError::InvalidMetadataName { .. }))
        ));
        assert_eq!(
            AppendObject::new("", 0, Some(1))
                .build_request(&config())
                .err(),
            Some(Error::Input(InputError::EmptyKey))
        );
    }

    #[test]
    fn parses_next_position_and_errors() {
        let url = "http://h/log.txt?append=&position=0".parse().expect("uri");
        let op = AppendObject::new("log.txt", 0, Some(3));
        // responses.json `append_object-ok`.
        let ok = response(
            200,
            &[
                ("x-cos-next-append-position", "3"),
                ("ETag", "\"900150983cd24fb0d6963f7d28e17f72\""),
                ("x-cos-hash-crc64ecma", "3231342946509354535"),
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
                ("Content-Length", "0"),
            ],
            "",
        );
        let out = op.parse_response(&url, ok).expect("parses");
        assert_eq!(out.next_append_position, 3);
        assert_eq!(
            out.etag.as_deref(),
            Some("\"900150983cd24fb0d6963f7d28e17f72\"")
        );
        assert_eq!(out.crc64, Some(3_231_342_946_509_354_535));
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        assert_eq!(out.headers["content-length"], "0");

        let missing = op.parse_response(&url, response(200, &[("ETag", "\"e\"")], ""));
        assert_eq!(
            missing,
            Err(Error::Response(ResponseError::MissingHeader(
                NEXT_APPEND_POSITION_HEADER
            )))
        );
        let invalid = op.parse_response(
            &url,
            response(200, &[("x-cos-next-append-position", "-3")], ""),
        );
        assert!(matches!(
            invalid,
            Err(Error::Response(ResponseError::InvalidHeader { .. }))
        ));

        let err = op
            .parse_response(&url, error_response(409, "AppendPositionErr"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((409, "AppendPositionErr"))
        );
    }

    #[test]
    fn signs_like_the_reference() {
        // signature.json `append-first`.
        let request = AppendObject::new("logs/app.log", 0, Some(7))
            .content_type("text/plain")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            crate::ops::misc_common::vector_authorization(request, 1_700_000_024),
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999964;1700010024&q-key-time=1699999964;1700010024\
             &q-header-list=content-length;content-type;host&q-url-param-list=append;position\
             &q-signature=b74279b42ba233a49f4528ae4238eb6596f372e8"
        );
    }
}
