//! [`Attributes`] both ways: onto a PUT or a multipart upload's initiation as COS's
//! headers, and back from what HEAD and GET answer.

use cos_proto::headers::StorageClass;
use cos_proto::ops::{InitiateMultipartUpload, ObjectInfo, PutObject};
use object_store::{Attribute, AttributeValue, Attributes, TagSet};

/// The prefix of user metadata headers.
const META: &str = "x-cos-meta-";

/// The operations that store an object's attributes: the same setters on each.
pub(crate) trait StoresAttributes: Sized {
    fn content_type(self, value: String) -> Self;
    fn cache_control(self, value: String) -> Self;
    fn content_disposition(self, value: String) -> Self;
    fn content_encoding(self, value: String) -> Self;
    fn content_language(self, value: String) -> Self;
    fn metadata(self, name: String, value: String) -> Self;
    fn storage_class(self, class: StorageClass) -> Self;
    fn tagging(self, tags: String) -> Self;
}

macro_rules! stores_attributes {
    ($($op:ty),*) => {$(
        impl StoresAttributes for $op {
            fn content_type(self, value: String) -> Self {
                <$op>::content_type(self, value)
            }
            fn cache_control(self, value: String) -> Self {
                <$op>::cache_control(self, value)
            }
            fn content_disposition(self, value: String) -> Self {
                <$op>::content_disposition(self, value)
            }
            fn content_encoding(self, value: String) -> Self {
                <$op>::content_encoding(self, value)
            }
            fn content_language(self, value: String) -> Self {
                <$op>::content_language(self, value)
            }
            fn metadata(self, name: String, value: String) -> Self {
                <$op>::metadata(self, name, value)
            }
            fn storage_class(self, class: StorageClass) -> Self {
                <$op>::storage_class(self, class)
            }
            fn tagging(self, tags: String) -> Self {
                <$op>::tagging(self, tags)
            }
        }
    )*};
}

stores_attributes!(PutObject, InitiateMultipartUpload);

/// `op` with `attributes` (as content headers, `x-cos-meta-*` metadata and the storage
/// class) and `tags` (`x-cos-tagging`, URL-encoded as COS expects). An attribute this
/// version of the store does not know is refused rather than dropped.
pub(crate) fn apply<O: StoresAttributes>(
    mut op: O,
    attributes: &Attributes,
    tags: &TagSet,
) -> object_store::Result<O> {
    for (attribute, value) in attributes {
        let value = value.as_ref().to_owned();
        op = match attribute {
            Attribute::ContentType => op.content_type(value),
            Attribute::CacheControl => op.cache_control(value),
            Attribute::ContentDisposition => op.content_disposition(value),
            Attribute::ContentEncoding => op.content_encoding(value),
            Attribute::ContentLanguage => op.content_language(value),
            Attribute::StorageClass => op.storage_class(StorageClass::parse(&value)),
            Attribute::Metadata(name) => op.metadata(format!("{META}{name}"), value),
            other => {
                return Err(object_store::Error::NotSupported {
                    source: format!("COS stores no attribute {other:?}").into(),
                });
            }
        };
    }
    if !tags.encoded().is_empty() {
        op = op.tagging(tags.encoded().to_owned());
    }
    Ok(op)
}

/// The attributes COS answered with: content headers, user metadata (names without
/// `x-cos-meta-`), and the storage class unless `STANDARD` (which COS leaves out).
pub(crate) fn of(info: &ObjectInfo) -> Attributes {
    let mut attributes = Attributes::new();
    let content = &info.content;
    let headers = [
        (Attribute::ContentType, &content.content_type),
        (Attribute::CacheControl, &content.cache_control),
        (Attribute::ContentDisposition, &content.content_disposition),
        (Attribute::ContentEncoding, &content.content_encoding),
        (Attribute::ContentLanguage, &content.content_language),
    ];
    for (attribute, value) in headers {
        if let Some(value) = value {
            attributes.insert(attribute, AttributeValue::from(value.clone()));
        }
    }
    for (name, value) in &info.metadata {
        let name = name.strip_prefix(META).unwrap_or(name);
        attributes.insert(
            Attribute::Metadata(name.to_owned().into()),
            AttributeValue::from(value.clone()),
        );
    }
    if let Some(class) = &info.storage_class
        && *class != StorageClass::Standard
    {
        attributes.insert(
            Attribute::StorageClass,
            AttributeValue::from(class.as_str().to_owned()),
        );
    }
    attributes
}

#[cfg(test)]
mod tests {
    use super::*;
    use cos_proto::{Config, Operation};

    #[test]
    fn attributes_become_headers_and_come_back() {
        let attributes = Attributes::from_iter([
            (Attribute::CacheControl, "max-age=60"),
            (Attribute::ContentType, "text/html"),
            (Attribute::Metadata("k".into()), "v  w"),
            (Attribute::StorageClass, "STANDARD_IA"),
        ]);
        let mut tags = TagSet::default();
        tags.push("team", "data eng");
        let op = apply(PutObject::new("a", Some(0)), &attributes, &tags).expect("known");
        let config = Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .build()
            .expect("config");
        let request = op.build_request(&config).expect("request");
        let headers = request.headers();
        assert_eq!(headers["cache-control"], "max-age=60");
        assert_eq!(headers["content-type"], "text/html");
        assert_eq!(headers["x-cos-meta-k"], "v  w");
        assert_eq!(headers["x-cos-storage-class"], "STANDARD_IA");
        assert_eq!(headers["x-cos-tagging"], "team=data+eng");

        let info = ObjectInfo::from_headers(headers).expect("headers");
        assert_eq!(of(&info), attributes);
    }
}
