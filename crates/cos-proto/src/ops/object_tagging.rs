//! PUT / GET / DELETE Object tagging: the key-value tags of an object.

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::Deserialize;

use super::misc_common::parse_document;
use crate::Config;
use crate::error::{Error, InputError};
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::xml::XmlWriter;

/// The most tags an object may carry.
pub const MAX_OBJECT_TAGS: usize = 10;

/// Replaces all tags of an object (or of one version) with the given set.
///
/// The body is `<Tagging><TagSet><Tag><Key>..</Key><Value>..</Value></Tag>...</TagSet></Tagging>`,
/// tags in the order added, as the Python SDK writes it (no `Content-MD5`).
///
/// ```
/// use cos_proto::{Config, Operation, ops::PutObjectTagging};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let put = PutObjectTagging::new("tagged.txt").tag("k 1", "v/1").version_id("MTg0");
/// let request = put.build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("tagging=&versionId=MTg0"));
/// assert_eq!(request.headers()["content-length"], "118");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct PutObjectTagging {
    key: String,
    tags: Vec<(String, String)>,
    version_id: Option<String>,
    extras: Extras,
}

impl PutObjectTagging {
    extras_setters!(extras);

    /// Sets the tags of `key`; add up to 10 tags with [`tag`](Self::tag).
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            tags: Vec::new(),
            version_id: None,
        }
    }

    /// Adds a tag; `key` must not be empty, `value` may be.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Adds several tags.
    pub fn tags<K: Into<String>, V: Into<String>>(
        mut self,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.tags
            .extend(tags.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Tags this version (sent as the `versionId` query parameter).
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn document(&self) -> Result<Bytes, InputError> {
        if self.tags.len() > MAX_OBJECT_TAGS {
            return Err(InputError::InvalidArgument {
                what: "object tags",
                reason: format!(
                    "{} given; an object carries at most {MAX_OBJECT_TAGS}",
                    self.tags.len()
                ),
            });
        }
        let mut w = XmlWriter::new();
        w.open("Tagging").open("TagSet");
        for (key, value) in &self.tags {
            if key.is_empty() {
                return Err(InputError::InvalidArgument {
                    what: "tag key",
                    reason: "is empty".to_owned(),
                });
            }
            w.open("Tag")
                .element("Key", key)
                .element("Value", value)
                .close("Tag");
        }
        w.close("TagSet").close("Tagging");
        Ok(w.finish())
    }
}

/// What COS returns for a tagging PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectTaggingOutput {
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for PutObjectTagging {
    type Output = PutObjectTaggingOutput;
    const NAME: &'static str = "PutObjectTagging";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let document = self.document()?;
        let b = RequestBuilder::object(Method::PUT, &self.key)?
            .query("tagging", "")
            .query_opt("versionId", self.version_id.clone());
        Ok(b.body(Body::Bytes(document))
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<PutObjectTaggingOutput, Error> {
        response::check(&Method::PUT, url, &response)?;
        Ok(PutObjectTaggingOutput {
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
            headers: response.headers().clone(),
        })
    }
}

/// Reads the tags of an object (or of one version).
///
/// ```
/// use cos_proto::{Config, Operation, ops::GetObjectTagging};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = GetObjectTagging::new("t.txt").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("tagging="));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct GetObjectTagging {
    key: String,
    version_id: Option<String>,
    extras: Extras,
}

impl GetObjectTagging {
    extras_setters!(extras);

    /// Reads the tags of `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            version_id: None,
        }
    }

    /// Reads the tags of this version (sent as the `versionId` query parameter).
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

#[derive(Debug, Deserialize)]
struct Tagging {
    #[serde(rename = "TagSet", default)]
    tag_set: TagSet,
}

#[derive(Debug, Default, Deserialize)]
struct TagSet {
    #[serde(rename = "Tag", default)]
    tags: Vec<Tag>,
}

#[derive(Debug, Deserialize)]
struct Tag {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value", default)]
    value: String,
}

/// An object's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetObjectTaggingOutput {
    /// `(key, value)` pairs in the order COS lists them; empty when the object has none.
    pub tags: Vec<(String, String)>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

impl Operation for GetObjectTagging {
    type Output = GetObjectTaggingOutput;
    const NAME: &'static str = "GetObjectTagging";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let b = RequestBuilder::object(Method::GET, &self.key)?
            .query("tagging", "")
            .query_opt("versionId", self.version_id.clone());
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<GetObjectTaggingOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let tagging: Tagging = parse_document("Tagging", &response)?;
        Ok(GetObjectTaggingOutput {
            tags: tagging
                .tag_set
                .tags
                .into_iter()
                .map(|t| (t.key, t.value))
                .collect(),
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
        })
    }
}

/// Removes all tags of an object (or of one version).
///
/// ```
/// use cos_proto::{Config, Operation, ops::DeleteObjectTagging};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = DeleteObjectTagging::new("t.txt").version_id("MTg0").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("tagging=&versionId=MTg0"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct DeleteObjectTagging {
    key: String,
    version_id: Option<String>,
    extras: Extras,
}

impl DeleteObjectTagging {
    extras_setters!(extras);

    /// Removes the tags of `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            version_id: None,
        }
    }

    /// Removes the tags of this version (sent as the `versionId` query parameter).
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// What COS returns for a tagging DELETE.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectTaggingOutput {
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for DeleteObjectTagging {
    type Output = DeleteObjectTaggingOutput;
    const NAME: &'static str = "DeleteObjectTagging";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let b = RequestBuilder::object(Method::DELETE, &self.key)?
            .query("tagging", "")
            .query_opt("versionId", self.version_id.clone());
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<DeleteObjectTaggingOutput, Error> {
        response::check(&Method::DELETE, url, &response)?;
        Ok(DeleteObjectTaggingOutput {
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
            headers: response.headers().clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ResponseError;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    const RID: &str = "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk";

    #[test]
    fn put_builds_with_every_parameter() {
        // requests.json `put_object_tagging-full`.
        let request = PutObjectTagging::new("tagged 文件.txt")
            .version_id("MTg0NDUxNTc1NjIzMTQ1MDAwODg")
            .tag("project", "apollo")
            .tags([("环境", "生产 & prod")])
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\
             /tagged%20%E6%96%87%E4%BB%B6.txt?tagging=&versionId=MTg0NDUxNTc1NjIzMTQ1MDAwODg"
        );
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Tagging><TagSet><Tag><Key>project</Key><Value>apollo</Value></Tag>\
             <Tag><Key>环境</Key><Value>生产 &amp; prod</Value></Tag></TagSet></Tagging>"
        );
        assert_eq!(header(&request, "content-length"), "185");
        assert_eq!(
            header(&request, "host"),
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(
            request.headers().len(),
            2,
            "no Content-MD5, no Content-Type"
        );
    }

    #[test]
    fn put_matches_the_other_vectors() {
        // requests.json `put_object_tagging-single`.
        let request = PutObjectTagging::new("t.txt")
            .tag("k", "v")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().path_and_query().map(|p| p.as_str()),
            Some("/t.txt?tagging=")
        );
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"
        );
        assert_eq!(header(&request, "content-length"), "114");
        // signature.json `put-tagging-version`.
        let request = PutObjectTagging::new("tagged.txt")
            .version_id("MTg0")
            .tag("k 1", "v/1")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("tagging=&versionId=MTg0"));
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Tagging><TagSet><Tag><Key>k 1</Key><Value>v/1</Value></Tag></TagSet></Tagging>"
        );
    }

    #[test]
    fn put_rejects_invalid_tags() {
        let eleven =
            PutObjectTagging::new("k").tags((0..=MAX_OBJECT_TAGS).map(|i| (format!("k{i}"), "v")));
        assert!(matches!(
            eleven.build_request(&config()),
            Err(Error::Input(InputError::InvalidArgument {
                what: "object tags",
                ..
            }))
        ));
        let ten =
            PutObjectTagging::new("k").tags((0..MAX_OBJECT_TAGS).map(|i| (format!("k{i}"), "")));
        assert!(ten.build_request(&config()).is_ok());
        let empty_key = PutObjectTagging::new("k")
            .tag("", "v")
            .build_request(&config());
        assert!(matches!(
            empty_key,
            Err(Error::Input(InputError::InvalidArgument {
                what: "tag key",
                ..
            }))
        ));
        let bad_object = PutObjectTagging::new("/")
            .tag("a", "b")
            .build_request(&config());
        assert!(matches!(
            bad_object,
            Err(Error::Input(InputError::KeyResolvesToBucket { .. }))
        ));
    }

    #[test]
    fn put_and_delete_parse_responses() {
        let url = "http://h/t.txt?tagging=".parse().expect("uri");
        // responses.json `put_object_tagging-ok`.
        let put = PutObjectTagging::new("t.txt").tag("k", "v");
        let out = put
            .parse_response(&url, response(200, &[("x-cos-request-id", RID)], ""))
            .expect("parses");
        assert_eq!(out.request_id.as_deref(), Some(RID));
        let err = put
            .parse_response(&url, error_response(400, "InvalidTag"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((400, "InvalidTag"))
        );
        // responses.json `delete_object_tagging-ok`.
        let delete = DeleteObjectTagging::new("t.txt");
        let out = delete
            .parse_response(
                &url,
                response(
                    204,
                    &[("x-cos-request-id", RID), ("Server", "tencent-cos")],
                    "",
                ),
            )
            .expect("parses");
        assert_eq!(out.request_id.as_deref(), Some(RID));
        assert_eq!(out.headers["server"], "tencent-cos");
        let err = delete
            .parse_response(&url, error_response(404, "NoSuchKey"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((404, "NoSuchKey"))
        );
    }

    #[test]
    fn get_and_delete_build_requests() {
        // requests.json `get_object_tagging-version`.
        let request = GetObjectTagging::new("tagged 文件.txt")
            .version_id("MTg0")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\
             /tagged%20%E6%96%87%E4%BB%B6.txt?tagging=&versionId=MTg0"
        );
        assert_eq!(request.headers().len(), 1, "only Host");
        assert_eq!(request.body(), &Body::Empty);
        // requests.json `delete_object_tagging-version`.
        let request = DeleteObjectTagging::new("t.txt")
            .version_id("MTg0")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::DELETE);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/t.txt?tagging=&versionId=MTg0"
        );
        assert_eq!(header(&request, "content-length"), "0");
        assert_eq!(request.headers().len(), 2);
        assert_eq!(
            GetObjectTagging::new("").build_request(&config()).err(),
            Some(Error::Input(InputError::EmptyKey))
        );
        assert!(matches!(
            DeleteObjectTagging::new("a/..").build_request(&config()),
            Err(Error::Input(InputError::KeyResolvesToBucket { .. }))
        ));
    }

    #[test]
    fn get_parses_tags() {
        let url = "http://h/t.txt?tagging=".parse().expect("uri");
        let get = GetObjectTagging::new("t.txt");
        // responses.json `get_object_tagging-two`.
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging>\n    <TagSet>\n        <Tag>\n            \
            <Key>project</Key>\n            <Value>apollo</Value>\n        </Tag>\n        <Tag>\n            \
            <Key>环境</Key>\n            <Value>生产 prod</Value>\n        </Tag>\n    </TagSet>\n</Tagging>";
        let ok = response(
            200,
            &[
                ("Content-Type", "application/xml"),
                ("x-cos-request-id", RID),
            ],
            body,
        );
        let out = get.parse_response(&url, ok).expect("parses");
        assert_eq!(
            out.tags,
            vec![
                ("project".to_owned(), "apollo".to_owned()),
                ("环境".to_owned(), "生产 prod".to_owned())
            ]
        );
        assert_eq!(out.request_id.as_deref(), Some(RID));
        // responses.json `get_object_tagging-empty`.
        let empty = response(
            200,
            &[],
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging><TagSet/></Tagging>",
        );
        assert!(
            get.parse_response(&url, empty)
                .expect("parses")
                .tags
                .is_empty()
        );
        let single = "<Tagging xmlns=\"http://www.qcloud.com/document/product/436/7751\"><TagSet><Tag><Key>a&amp;b</Key>\
            <Value/></Tag></TagSet></Tagging>";
        let out = get
            .parse_response(&url, response(200, &[], single))
            .expect("parses");
        assert_eq!(out.tags, vec![("a&b".to_owned(), String::new())]);
    }

    #[test]
    fn get_reports_errors_and_malformed_documents() {
        let url = "http://h/t.txt?tagging=".parse().expect("uri");
        let get = GetObjectTagging::new("t.txt");
        let err = get
            .parse_response(&url, error_response(404, "NoSuchKey"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((404, "NoSuchKey"))
        );
        for body in [
            "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
            "<Tagging><TagSet>",
            "<Other/>",
            "",
        ] {
            let result = get.parse_response(&url, response(200, &[], body));
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
    fn put_signs_like_the_reference() {
        // signature.json `put-tagging-version`.
        let request = PutObjectTagging::new("tagged.txt")
            .version_id("MTg0")
            .tag("k 1", "v/1")
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            crate::ops::misc_common::vector_authorization(request, 1_700_000_036),
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999976;1700010036&q-key-time=1699999976;1700010036\
             &q-header-list=content-length;host&q-url-param-list=tagging;versionid\
             &q-signature=80b657da95f384601bc7ec73f2c9d7a4fe704621"
        );
    }
}
