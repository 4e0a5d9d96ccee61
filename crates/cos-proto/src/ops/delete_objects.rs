//! DELETE Multiple Objects: delete up to 1000 objects in one request.

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::Method;
use serde::Deserialize;

use super::misc_common::{de_flag, parse_document};
use crate::Config;
use crate::error::{Error, InputError};
use crate::headers::content_md5;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::xml::{self, XmlWriter};

/// The most objects one request may delete.
pub const MAX_DELETE_OBJECTS: usize = 1000;

/// One object to delete: a key and, on a versioned bucket, a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectIdentifier {
    /// The object key, exactly as stored (not URL-encoded).
    pub key: String,
    /// The version to delete; without it a versioned bucket gets a delete marker.
    pub version_id: Option<String>,
}

impl ObjectIdentifier {
    /// The current version of `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            version_id: None,
        }
    }

    /// A given version of `key`.
    pub fn with_version(key: impl Into<String>, version_id: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            version_id: Some(version_id.into()),
        }
    }
}

/// Deletes 1 to 1000 objects with one POST `/?delete`. COS answers 200 even when some
/// keys fail: check [`DeleteObjectsOutput::errors`].
///
/// The body is `<Delete>[<Quiet>..</Quiet>]<Object><Key>..</Key>[<VersionId>..</VersionId>]</Object>...</Delete>`,
/// written byte for byte as the Python SDK writes it (`Quiet` first, objects in the
/// order added), and always carries `Content-MD5` and `Content-Type: application/xml`.
/// Keys are not checked like object keys: COS reports a bad key as a per-key error.
///
/// ```
/// use cos_proto::{Config, Operation, ops::DeleteObjects};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let delete = DeleteObjects::new().object("a.txt").object_version("b/c d.txt", "v1").quiet(true);
/// let request = delete.build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("delete="));
/// assert_eq!(request.headers()["content-md5"], "wDaPzDsmwi5m3M0B1IemsQ==");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct DeleteObjects {
    objects: Vec<ObjectIdentifier>,
    quiet: Option<bool>,
    extras: Extras,
}

impl DeleteObjects {
    extras_setters!(extras);

    /// An empty request; add 1 to 1000 objects before building it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the current version of `key`.
    pub fn object(mut self, key: impl Into<String>) -> Self {
        self.objects.push(ObjectIdentifier::new(key));
        self
    }

    /// Adds one version of `key`.
    pub fn object_version(mut self, key: impl Into<String>, version_id: impl Into<String>) -> Self {
        self.objects
            .push(ObjectIdentifier::with_version(key, version_id));
        self
    }

    /// Adds several objects.
    pub fn objects(mut self, objects: impl IntoIterator<Item = ObjectIdentifier>) -> Self {
        self.objects.extend(objects);
        self
    }

    /// `true`: COS lists only the failures (`<Quiet>true</Quiet>`); `false`: successes too
    /// (COS's default). Without this call no `<Quiet>` element is sent.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = Some(quiet);
        self
    }

    /// The objects to delete, in request order.
    pub fn objects_to_delete(&self) -> &[ObjectIdentifier] {
        &self.objects
    }

    fn document(&self) -> Result<Bytes, InputError> {
        if self.objects.is_empty() || self.objects.len() > MAX_DELETE_OBJECTS {
            return Err(InputError::InvalidArgument {
                what: "objects to delete",
                reason: format!(
                    "{} given; one request deletes 1 to {MAX_DELETE_OBJECTS}",
                    self.objects.len()
                ),
            });
        }
        let mut w = XmlWriter::new();
        w.open("Delete");
        if let Some(quiet) = self.quiet {
            w.element("Quiet", if quiet { "true" } else { "false" });
        }
        for object in &self.objects {
            if object.key.is_empty() {
                return Err(InputError::EmptyKey);
            }
            w.open("Object")
                .element("Key", &object.key)
                .element_opt("VersionId", object.version_id.as_deref())
                .close("Object");
        }
        w.close("Delete");
        Ok(w.finish())
    }
}

/// An object COS deleted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DeletedObject {
    /// The key, as sent.
    #[serde(rename = "Key")]
    pub key: String,
    /// The version deleted, when one was named.
    #[serde(rename = "VersionId", default, deserialize_with = "xml::non_empty")]
    pub version_id: Option<String>,
    /// `true` when the delete created or removed a delete marker.
    #[serde(rename = "DeleteMarker", default, deserialize_with = "de_flag")]
    pub delete_marker: bool,
    /// The id of the delete marker created or removed.
    #[serde(
        rename = "DeleteMarkerVersionId",
        default,
        deserialize_with = "xml::non_empty"
    )]
    pub delete_marker_version_id: Option<String>,
}

/// An object COS could not delete.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DeleteError {
    /// The key, as sent.
    #[serde(rename = "Key")]
    pub key: String,
    /// The version, when one was named.
    #[serde(rename = "VersionId", default, deserialize_with = "xml::non_empty")]
    pub version_id: Option<String>,
    /// The COS error code (`AccessDenied`, `InvalidArgument`, ...).
    #[serde(rename = "Code")]
    pub code: String,
    /// The message, when COS sent one.
    #[serde(rename = "Message", default, deserialize_with = "xml::non_empty")]
    pub message: Option<String>,
}

/// The `DeleteResult` document.
#[derive(Debug, Deserialize)]
struct DeleteResult {
    #[serde(rename = "Deleted", default)]
    deleted: Vec<DeletedObject>,
    #[serde(rename = "Error", default)]
    errors: Vec<DeleteError>,
}

/// What COS did with each object. An empty `<DeleteResult/>` (quiet mode with no failure)
/// gives two empty lists.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectsOutput {
    /// The objects deleted (empty in quiet mode).
    pub deleted: Vec<DeletedObject>,
    /// The objects that failed, each with its own error code; the caller must check it.
    pub errors: Vec<DeleteError>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

impl Operation for DeleteObjects {
    type Output = DeleteObjectsOutput;
    const NAME: &'static str = "DeleteObjects";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let document = self.document()?;
        let b = RequestBuilder::bucket(Method::POST)
            .query("delete", "")
            .header_static("content-md5", &content_md5(&document))?
            .header_static("content-type", "application/xml")?;
        Ok(b.body(Body::Bytes(document))
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<DeleteObjectsOutput, Error> {
        response::check(&Method::POST, url, &response)?;
        let result: DeleteResult = parse_document("DeleteResult", &response)?;
        Ok(DeleteObjectsOutput {
            deleted: result.deleted,
            errors: result.errors,
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ResponseError;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    #[test]
    fn builds_with_every_parameter() {
        // requests.json `delete_objects-full`.
        let request = DeleteObjects::new()
            .quiet(false)
            .object("a.txt")
            .objects([
                ObjectIdentifier::new("dir/中文 b.txt"),
                ObjectIdentifier::with_version("c&d<e>.txt", "MTg0NDUxNTc1NjIzMTQ1MDAwODg"),
            ])
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/?delete="
        );
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Delete><Quiet>false</Quiet>\
             <Object><Key>a.txt</Key></Object><Object><Key>dir/中文 b.txt</Key></Object>\
             <Object><Key>c&amp;d&lt;e&gt;.txt</Key><VersionId>MTg0NDUxNTc1NjIzMTQ1MDAwODg</VersionId></Object></Delete>"
        );
        assert_eq!(header(&request, "content-md5"), "TSqbSHfqloixNhdIDwQ3Cg==");
        assert_eq!(header(&request, "content-type"), "application/xml");
        assert_eq!(header(&request, "content-length"), "251");
        assert_eq!(
            header(&request, "host"),
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(request.headers().len(), 4);
    }

    #[test]
    fn matches_the_reference_bodies() {
        // Reference §3.5: 170 bytes, MD5 wDaPzDsmwi5m3M0B1IemsQ==.
        let request = DeleteObjects::new()
            .quiet(true)
            .object("a.txt")
            .object_version("b/c d.txt", "v1")
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "content-length"), "170");
        assert_eq!(header(&request, "content-md5"), "wDaPzDsmwi5m3M0B1IemsQ==");
        // signature.json `delete-objects`.
        let request = DeleteObjects::new()
            .quiet(false)
            .object("a.txt")
            .object_version("中文.txt", "MTg0")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Delete><Quiet>false</Quiet><Object><Key>a.txt</Key></Object>\
             <Object><Key>中文.txt</Key><VersionId>MTg0</VersionId></Object></Delete>"
        );
        assert_eq!(header(&request, "content-md5"), "+ZzuUN05JwYjaP87SMCYjg==");
        // Without quiet(), no <Quiet> element (the seeds' minimal call).
        let request = DeleteObjects::new()
            .object("k")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Delete><Object><Key>k</Key></Object></Delete>"
        );
    }

    #[test]
    fn rejects_invalid_input() {
        let none = DeleteObjects::new().build_request(&config());
        assert!(matches!(
            none,
            Err(Error::Input(InputError::InvalidArgument { .. }))
        ));
        let too_many = DeleteObjects::new()
            .objects((0..=MAX_DELETE_OBJECTS).map(|i| ObjectIdentifier::new(format!("k{i}"))));
        assert!(matches!(
            too_many.build_request(&config()),
            Err(Error::Input(InputError::InvalidArgument { .. }))
        ));
        let max = DeleteObjects::new()
            .objects((0..MAX_DELETE_OBJECTS).map(|i| ObjectIdentifier::new(format!("k{i}"))));
        assert!(max.build_request(&config()).is_ok());
        let empty_key = DeleteObjects::new()
            .object("a")
            .object("")
            .build_request(&config());
        assert_eq!(empty_key.err(), Some(Error::Input(InputError::EmptyKey)));
        // Keys that would be invalid in a URL path are COS's to judge here.
        assert!(
            DeleteObjects::new()
                .object("a/..")
                .object("/")
                .build_request(&config())
                .is_ok()
        );
    }

    const MIXED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult>\n    <Deleted>\n        \
        <Key>a.txt</Key>\n    </Deleted>\n    <Deleted>\n        <Key>versioned.txt</Key>\n        \
        <DeleteMarker>true</DeleteMarker>\n        <DeleteMarkerVersionId>MTg0NDUxNTc1NjIzMTQ1MDAyMjI</DeleteMarkerVersionId>\n    \
        </Deleted>\n    <Deleted>\n        <Key>中文.txt</Key>\n        <VersionId>MTg0NDUxNTc1NjIzMTQ1MDAzMzM</VersionId>\n    \
        </Deleted>\n    <Error>\n        <Key>locked.txt</Key>\n        <Code>AccessDenied</Code>\n        \
        <Message>Access Denied.</Message>\n    </Error>\n    <Error>\n        <Key>bad version.txt</Key>\n        \
        <VersionId>notaversion</VersionId>\n        <Code>InvalidArgument</Code>\n        \
        <Message>Invalid version id specified</Message>\n    </Error>\n</DeleteResult>";

    #[test]
    fn parses_mixed_results() {
        // responses.json `delete_objects-mixed`.
        let url = "http://h/?delete=".parse().expect("uri");
        let op = DeleteObjects::new().object("a.txt");
        let ok = response(
            200,
            &[
                ("Content-Type", "application/xml"),
                ("x-cos-request-id", "rid"),
            ],
            MIXED,
        );
        let out = op.parse_response(&url, ok).expect("parses");
        assert_eq!(out.request_id.as_deref(), Some("rid"));
        assert_eq!(
            out.deleted,
            vec![
                DeletedObject {
                    key: "a.txt".to_owned(),
                    version_id: None,
                    delete_marker: false,
                    delete_marker_version_id: None,
                },
                DeletedObject {
                    key: "versioned.txt".to_owned(),
                    version_id: None,
                    delete_marker: true,
                    delete_marker_version_id: Some("MTg0NDUxNTc1NjIzMTQ1MDAyMjI".to_owned()),
                },
                DeletedObject {
                    key: "中文.txt".to_owned(),
                    version_id: Some("MTg0NDUxNTc1NjIzMTQ1MDAzMzM".to_owned()),
                    delete_marker: false,
                    delete_marker_version_id: None,
                },
            ]
        );
        assert_eq!(
            out.errors,
            vec![
                DeleteError {
                    key: "locked.txt".to_owned(),
                    version_id: None,
                    code: "AccessDenied".to_owned(),
                    message: Some("Access Denied.".to_owned()),
                },
                DeleteError {
                    key: "bad version.txt".to_owned(),
                    version_id: Some("notaversion".to_owned()),
                    code: "InvalidArgument".to_owned(),
                    message: Some("Invalid version id specified".to_owned()),
                },
            ]
        );
    }

    #[test]
    fn parses_empty_interleaved_and_namespaced_results() {
        let url = "http://h/?delete=".parse().expect("uri");
        let op = DeleteObjects::new().object("a.txt");
        // responses.json `delete_objects-quiet-empty` (the SDK's `{'DeleteResult': None}`
        // is a quirk; here it is two empty lists).
        let empty = response(
            200,
            &[],
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult/>",
        );
        let out = op.parse_response(&url, empty).expect("parses");
        assert!(out.deleted.is_empty() && out.errors.is_empty());
        let body = "<DeleteResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">\
            <Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code></Error>\
            <Deleted><Key>c</Key><DeleteMarker>false</DeleteMarker></Deleted></DeleteResult>";
        let out = op
            .parse_response(&url, response(200, &[], body))
            .expect("parses");
        let keys: Vec<_> = out.deleted.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(
            (out.errors[0].key.as_str(), out.errors[0].message.as_deref()),
            ("b", None)
        );
    }

    #[test]
    fn reports_errors_and_malformed_documents() {
        let url = "http://h/?delete=".parse().expect("uri");
        let op = DeleteObjects::new().object("a.txt");
        let err = op
            .parse_response(&url, error_response(400, "MalformedXML"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((400, "MalformedXML"))
        );
        for body in [
            "<DeleteResult><Deleted><Key>a</Key>",
            "<DeleteResult><Deleted><Key>a</Key><DeleteMarker>maybe</DeleteMarker></Deleted></DeleteResult>",
            "<DeleteResult><Error><Key>a</Key></Error></DeleteResult>",
            "<ListBucketResult/>",
            "not xml",
        ] {
            let result = op.parse_response(&url, response(200, &[], body));
            assert!(
                matches!(
                    result,
                    Err(Error::Response(ResponseError::MalformedXml { .. }))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn signs_like_the_reference() {
        // signature.json `delete-objects`: Content-MD5 and Content-Type are signed.
        let request = DeleteObjects::new()
            .quiet(false)
            .object("a.txt")
            .object_version("中文.txt", "MTg0")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            crate::ops::misc_common::vector_authorization(request, 1_700_000_034),
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999974;1700010034&q-key-time=1699999974;1700010034\
             &q-header-list=content-length;content-md5;content-type;host&q-url-param-list=delete\
             &q-signature=133042f2ca12f1a5c82fe60f201c6c315540964d"
        );
    }
}
