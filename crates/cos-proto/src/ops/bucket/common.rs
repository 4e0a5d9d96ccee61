//! What every bucket operation shares: the outputs without a document, the document
//! output, the request framing of configuration documents, and the macros that generate
//! the operations whose only parameter is the bucket (GET / DELETE of a sub-resource)
//! or one configuration document (PUT of a sub-resource).

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::error::InputError;
use crate::headers::content_md5;
use crate::request::{Body, RequestBuilder};
use crate::response::{REQUEST_ID_HEADER, header_text};

/// The answer to a bucket request that returns no document (most PUTs and DELETEs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseInfo {
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl ResponseInfo {
    pub(crate) fn from_response(response: &http::Response<Bytes>) -> Self {
        Self {
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
            headers: response.headers().clone(),
        }
    }
}

/// A configuration document read from a bucket, with the request id of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentOutput<T> {
    /// The document.
    pub document: T,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

impl<T> DocumentOutput<T> {
    pub(crate) fn new(document: T, response: &http::Response<Bytes>) -> Self {
        Self {
            document,
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
        }
    }
}

/// How a configuration document travels: the official SDK sends most with `Content-MD5`
/// and `Content-Type: application/xml`, a few with neither or with the type only. COS
/// accepts each as sent; the framing is kept byte-for-byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Content-MD5` and `Content-Type: application/xml`.
    Md5AndType,
    /// `Content-Type: application/xml` only.
    TypeOnly,
    /// Neither header.
    Bare,
}

/// A request document of a bucket configuration.
pub(crate) trait RequestDocument {
    /// The XML document (declaration included), or why the configuration is invalid.
    fn to_xml(&self) -> Result<Bytes, InputError>;
}

/// A bucket request on sub-resource `sub` (`?cors=`).
pub(crate) fn sub_resource(method: Method, sub: &'static str) -> RequestBuilder {
    RequestBuilder::bucket(method).query(sub, "")
}

/// Sets `body` with its framing headers.
pub(crate) fn with_body(
    builder: RequestBuilder,
    body: Bytes,
    framing: Framing,
) -> Result<RequestBuilder, InputError> {
    let builder = match framing {
        Framing::Md5AndType => builder
            .header_static("content-md5", &content_md5(&body))?
            .header_static("content-type", "application/xml")?,
        Framing::TypeOnly => builder.header_static("content-type", "application/xml")?,
        Framing::Bare => builder,
    };
    Ok(builder.body(Body::Bytes(body)))
}

/// An invalid argument of a bucket configuration.
pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> InputError {
    InputError::InvalidArgument {
        what,
        reason: reason.into(),
    }
}

/// Serde helpers for a list wrapped in an element of its own
/// (`<Buckets><Bucket>..</Bucket>..</Buckets>`): the Rust field is the plain list, serde
/// sees the wrapper (`{"Buckets": {"Bucket": [..]}}`).
macro_rules! wrapped_list {
    ($module:ident, $child:literal) => {
        pub(crate) mod $module {
            pub(crate) fn serialize<S, T>(items: &[T], serializer: S) -> Result<S::Ok, S::Error>
            where
                S: serde::Serializer,
                T: serde::Serialize,
            {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry($child, items)?;
                map.end()
            }

            pub(crate) fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
            where
                D: serde::Deserializer<'de>,
                T: serde::Deserialize<'de>,
            {
                #[derive(serde::Deserialize)]
                struct Wrapper<T> {
                    #[serde(rename = $child, default = "Vec::new")]
                    items: Vec<T>,
                }
                let wrapper: Option<Wrapper<T>> = serde::Deserialize::deserialize(deserializer)?;
                Ok(wrapper.map(|w| w.items).unwrap_or_default())
            }
        }
    };
}

/// An operation that reads a sub-resource document of the bucket (`GET /?<sub>=`).
macro_rules! get_document_op {
    ($(#[$attr:meta])* $name:ident, $op:literal, $sub:literal, $root:literal => $doc:ty) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[must_use]
        pub struct $name {
            extras: crate::ops::Extras,
        }

        impl $name {
            crate::ops::setters::extras_setters!(extras);

            /// Reads the document of the configuration's bucket.
            pub fn new() -> Self {
                Self::default()
            }
        }

        impl crate::Operation for $name {
            type Output = crate::ops::bucket::DocumentOutput<$doc>;
            const NAME: &'static str = $op;

            fn build_request(
                &self,
                config: &crate::Config,
            ) -> Result<http::Request<crate::Body>, crate::Error> {
                Ok(crate::ops::bucket::common::sub_resource(http::Method::GET, $sub)
                    .extras(&self.extras)?
                    .build(config)?)
            }

            fn parse_response(
                &self,
                url: &http::Uri,
                response: http::Response<bytes::Bytes>,
            ) -> Result<Self::Output, crate::Error> {
                crate::response::check(&http::Method::GET, url, &response)?;
                let document = crate::ops::misc_common::parse_document($root, &response)?;
                Ok(crate::ops::bucket::DocumentOutput::new(document, &response))
            }
        }
    };
}

/// An operation that removes a sub-resource of the bucket (`DELETE /?<sub>=`).
macro_rules! delete_op {
    ($(#[$attr:meta])* $name:ident, $op:literal, $sub:literal) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[must_use]
        pub struct $name {
            extras: crate::ops::Extras,
        }

        impl $name {
            crate::ops::setters::extras_setters!(extras);

            /// Acts on the configuration's bucket.
            pub fn new() -> Self {
                Self::default()
            }
        }

        impl crate::Operation for $name {
            type Output = crate::ops::bucket::ResponseInfo;
            const NAME: &'static str = $op;

            fn build_request(
                &self,
                config: &crate::Config,
            ) -> Result<http::Request<crate::Body>, crate::Error> {
                Ok(crate::ops::bucket::common::sub_resource(http::Method::DELETE, $sub)
                    .extras(&self.extras)?
                    .build(config)?)
            }

            fn parse_response(
                &self,
                url: &http::Uri,
                response: http::Response<bytes::Bytes>,
            ) -> Result<Self::Output, crate::Error> {
                crate::response::check(&http::Method::DELETE, url, &response)?;
                Ok(crate::ops::bucket::ResponseInfo::from_response(&response))
            }
        }
    };
}

/// An operation that writes a sub-resource document of the bucket (`PUT /?<sub>=`).
macro_rules! put_document_op {
    ($(#[$attr:meta])* $name:ident, $op:literal, $sub:literal, $framing:ident, $doc:ty) => {
        crate::ops::bucket::common::write_document_op!(
            $(#[$attr])* $name, $op, PUT, $framing, $doc,
            "Replaces the configuration of the configuration's bucket with `configuration`.",
            |_: &$doc| Ok::<_, crate::error::InputError>(
                crate::ops::bucket::common::sub_resource(http::Method::PUT, $sub)
            )
        );
    };
}

/// An operation that sends a document with `$method`, to the request `$request` builds
/// from the document (a keyed one names its `id` in the query).
macro_rules! write_document_op {
    ($(#[$attr:meta])* $name:ident, $op:literal, $method:ident, $framing:ident, $doc:ty,
        $new_doc:literal, $request:expr) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[must_use]
        pub struct $name {
            configuration: $doc,
            extras: crate::ops::Extras,
        }

        impl $name {
            crate::ops::setters::extras_setters!(extras);

            #[doc = $new_doc]
            pub fn new(configuration: $doc) -> Self {
                Self {
                    configuration,
                    extras: crate::ops::Extras::default(),
                }
            }

            /// The document sent.
            pub fn configuration(&self) -> &$doc {
                &self.configuration
            }
        }

        impl crate::Operation for $name {
            type Output = crate::ops::bucket::ResponseInfo;
            const NAME: &'static str = $op;

            fn build_request(
                &self,
                config: &crate::Config,
            ) -> Result<http::Request<crate::Body>, crate::Error> {
                use crate::ops::bucket::common::{self, RequestDocument as _};
                let body = self.configuration.to_xml()?;
                let builder = ($request)(&self.configuration)?;
                Ok(common::with_body(builder, body, common::Framing::$framing)?
                    .extras(&self.extras)?
                    .build(config)?)
            }

            fn parse_response(
                &self,
                url: &http::Uri,
                response: http::Response<bytes::Bytes>,
            ) -> Result<Self::Output, crate::Error> {
                crate::response::check(&http::Method::$method, url, &response)?;
                Ok(crate::ops::bucket::ResponseInfo::from_response(&response))
            }
        }
    };
}

pub(crate) use {delete_op, get_document_op, put_document_op, wrapped_list, write_document_op};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{body_text, config, header};

    #[test]
    fn framing_headers() {
        let body = Bytes::from_static(b"<A/>");
        let request = with_body(
            sub_resource(Method::PUT, "x"),
            body.clone(),
            Framing::Md5AndType,
        )
        .and_then(|b| b.build(&config()))
        .expect("builds");
        assert_eq!(header(&request, "content-md5"), content_md5(b"<A/>"));
        assert_eq!(header(&request, "content-type"), "application/xml");
        assert_eq!(body_text(&request), "<A/>");
        let request = with_body(
            sub_resource(Method::PUT, "x"),
            body.clone(),
            Framing::TypeOnly,
        )
        .and_then(|b| b.build(&config()))
        .expect("builds");
        assert!(request.headers().get("content-md5").is_none());
        assert_eq!(header(&request, "content-type"), "application/xml");
        let request = with_body(sub_resource(Method::PUT, "x"), body, Framing::Bare)
            .and_then(|b| b.build(&config()))
            .expect("builds");
        assert!(request.headers().get("content-type").is_none());
        assert_eq!(request.uri().query(), Some("x="));
    }
}
