//! PUT / GET / DELETE Bucket tagging.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, delete_op, get_document_op, put_document_op, wrapped_list};
use super::lifecycle::write_tags;
use crate::error::InputError;
use crate::xml::XmlWriter;

/// A key-value tag (of a bucket, or in a filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tag {
    /// `Key` (not empty).
    #[serde(rename = "Key", default)]
    pub key: String,
    /// `Value` (may be empty).
    #[serde(rename = "Value", default)]
    pub value: String,
}

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

wrapped_list!(tag_set, "Tag");

/// A `Tagging` document: the bucket's tags, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tagging {
    /// `TagSet/Tag`.
    #[serde(
        rename = "TagSet",
        default,
        with = "tag_set",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<Tag>,
}

impl Tagging {
    /// A tag set of `(key, value)` pairs.
    pub fn new<K: Into<String>, V: Into<String>>(tags: impl IntoIterator<Item = (K, V)>) -> Self {
        Self {
            tags: tags.into_iter().map(|(k, v)| Tag::new(k, v)).collect(),
        }
    }
}

impl RequestDocument for Tagging {
    fn to_xml(&self) -> Result<Bytes, InputError> {
        let mut w = XmlWriter::new();
        w.open("Tagging").open("TagSet");
        write_tags(&mut w, &self.tags)?;
        w.close("TagSet").close("Tagging");
        Ok(w.finish())
    }
}

put_document_op!(
    /// Replaces the bucket's tags (sent with `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let put = PutBucketTagging::new(Tagging::new([("env", "prod")]));
    /// let request = put.build_request(&cfg).unwrap();
    /// assert_eq!(request.uri().query(), Some("tagging="));
    /// ```
    PutBucketTagging,
    "PutBucketTagging",
    "tagging",
    Md5AndType,
    Tagging
);

get_document_op!(
    /// Reads the bucket's tags.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::GetBucketTagging};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(GetBucketTagging::new().build_request(&cfg).unwrap().uri().query(), Some("tagging="));
    /// ```
    GetBucketTagging,
    "GetBucketTagging",
    "tagging",
    "Tagging" => Tagging
);

delete_op!(
    /// Removes every tag of the bucket.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketTagging};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// assert_eq!(DeleteBucketTagging::new().build_request(&cfg).unwrap().method(), "DELETE");
    /// ```
    DeleteBucketTagging,
    "DeleteBucketTagging",
    "tagging"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    #[test]
    fn put_builds_like_the_reference() {
        // bucket/requests.json `put_bucket_tagging-multi`.
        let tags = Tagging::new([
            ("env", "prod"),
            ("项目", "阿波罗 & co"),
            ("a<b>", "\"quoted\" 'x'"),
        ]);
        let request = PutBucketTagging::new(tags)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Tagging><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag>\
             <Tag><Key>项目</Key><Value>阿波罗 &amp; co</Value></Tag><Tag><Key>a&lt;b&gt;</Key><Value>\"quoted\" 'x'</Value></Tag>\
             </TagSet></Tagging>"
        );
        assert_eq!(header(&request, "content-md5"), "cyey/JZqfctEBPGHkA8L7A==");
        assert!(
            PutBucketTagging::new(Tagging::new([("", "v")]))
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn get_parses_and_delete_builds() {
        let url = "http://h/?tagging=".parse().expect("uri");
        let body = "<Tagging><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag><Tag><Key>a&amp;b</Key><Value/></Tag></TagSet></Tagging>";
        let out = GetBucketTagging::new()
            .parse_response(&url, response(200, &[], body))
            .expect("parses");
        assert_eq!(out.document, Tagging::new([("env", "prod"), ("a&b", "")]));
        let empty = GetBucketTagging::new()
            .parse_response(&url, response(200, &[], "<Tagging><TagSet/></Tagging>"))
            .expect("parses");
        assert!(empty.document.tags.is_empty());
        assert!(
            GetBucketTagging::new()
                .parse_response(&url, error_response(404, "NoSuchTagSet"))
                .is_err()
        );
        assert!(
            GetBucketTagging::new()
                .parse_response(&url, response(200, &[], "<Tagging><TagSet><Tag><Key>"))
                .is_err()
        );
        let request = DeleteBucketTagging::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("tagging="));
    }
}
