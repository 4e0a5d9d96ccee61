//! PUT / GET / DELETE / POST Bucket inventory and the listing of inventory
//! configurations (`?inventory=&id=`).

use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};

use super::common::{RequestDocument, invalid, sub_resource, wrapped_list, write_document_op};
use super::{DocumentOutput, ResponseInfo};
use crate::Config;
use crate::error::{Error, InputError};
use crate::operation::Operation;
use crate::ops::Extras;
use crate::ops::misc_common::parse_document;
use crate::ops::setters::extras_setters;
use crate::request::RequestBuilder;
use crate::response;
use crate::xml::{XmlWriter, non_empty};

wrapped_list!(optional_fields, "Field");

/// An `InventoryConfiguration` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryConfiguration {
    /// `Id`: the configuration's name (also the `id` parameter).
    #[serde(rename = "Id", default)]
    pub id: String,
    /// `IsEnabled` (not sent for a one-off inventory).
    #[serde(rename = "IsEnabled", default, skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
    /// `Destination`.
    #[serde(rename = "Destination", default)]
    pub destination: InventoryDestination,
    /// `Schedule` (not sent for a one-off inventory).
    #[serde(rename = "Schedule", default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<InventorySchedule>,
    /// `Filter`.
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<InventoryFilter>,
    /// `IncludedObjectVersions`: `All` or `Current`.
    #[serde(rename = "IncludedObjectVersions", default)]
    pub included_object_versions: String,
    /// `OptionalFields/Field`: `Size`, `LastModifiedDate`, `ETag`, `StorageClass`, ...
    #[serde(
        rename = "OptionalFields",
        default,
        with = "optional_fields",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub optional_fields: Vec<String>,
}

/// `Destination`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryDestination {
    /// `COSBucketDestination`.
    #[serde(rename = "COSBucketDestination", default)]
    pub bucket: CosBucketDestination,
}

/// Where the inventory reports go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosBucketDestination {
    /// `Format`: `CSV`.
    #[serde(rename = "Format", default)]
    pub format: String,
    /// `AccountId`: the destination bucket's owner.
    #[serde(
        rename = "AccountId",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_id: Option<String>,
    /// `Bucket`: `qcs::cos:<region>::<bucketname-appid>`.
    #[serde(rename = "Bucket", default)]
    pub bucket: String,
    /// `Prefix` of the report objects.
    #[serde(
        rename = "Prefix",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub prefix: Option<String>,
    /// `Encryption` of the reports.
    #[serde(
        rename = "Encryption",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub encryption: Option<InventoryEncryption>,
}

/// `Encryption` of inventory reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEncryption {
    /// `SSE-COS`: reports are encrypted with SSE-COS.
    #[serde(rename = "SSE-COS", default, skip_serializing_if = "Option::is_none")]
    pub sse_cos: Option<SseCos>,
}

/// The (empty) `SSE-COS` element.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SseCos {}

/// `Schedule`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventorySchedule {
    /// `Frequency`: `Daily` or `Weekly`.
    #[serde(rename = "Frequency", default)]
    pub frequency: String,
}

/// `Filter`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryFilter {
    /// `Prefix`.
    #[serde(
        rename = "Prefix",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub prefix: Option<String>,
}

impl RequestDocument for InventoryConfiguration {
    /// The document as the official SDK writes it: the caller's elements, then `Id`.
    fn to_xml(&self) -> Result<Bytes, InputError> {
        check_id(&self.id)?;
        let d = &self.destination.bucket;
        let mut w = XmlWriter::new();
        w.open("InventoryConfiguration")
            .open("Destination")
            .open("COSBucketDestination")
            .element_opt("AccountId", d.account_id.as_deref())
            .element("Bucket", &d.bucket)
            .element("Format", &d.format)
            .element_opt("Prefix", d.prefix.as_deref());
        if let Some(encryption) = &d.encryption {
            w.open("Encryption");
            if encryption.sse_cos.is_some() {
                w.element("SSE-COS", "");
            }
            w.close("Encryption");
        }
        w.close("COSBucketDestination").close("Destination");
        if let Some(enabled) = self.is_enabled {
            w.element("IsEnabled", if enabled { "true" } else { "false" });
        }
        if let Some(filter) = &self.filter {
            w.open("Filter")
                .element_opt("Prefix", filter.prefix.as_deref())
                .close("Filter");
        }
        w.element("IncludedObjectVersions", &self.included_object_versions);
        if !self.optional_fields.is_empty() {
            w.open("OptionalFields");
            for field in &self.optional_fields {
                w.element("Field", field);
            }
            w.close("OptionalFields");
        }
        if let Some(schedule) = &self.schedule {
            w.open("Schedule")
                .element("Frequency", &schedule.frequency)
                .close("Schedule");
        }
        w.element("Id", &self.id).close("InventoryConfiguration");
        Ok(w.finish())
    }
}

fn check_id(id: &str) -> Result<(), InputError> {
    if id.is_empty() {
        return Err(invalid("inventory id", "is empty"));
    }
    Ok(())
}

fn inventory_request(method: Method, id: &str) -> Result<RequestBuilder, InputError> {
    check_id(id)?;
    Ok(sub_resource(method, "inventory").query("id", id))
}

write_document_op!(
    /// Creates or replaces the inventory configuration named by its `Id` (sent with
    /// `Content-MD5`).
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let mut inventory = InventoryConfiguration {
    ///     id: "daily".into(),
    ///     is_enabled: Some(true),
    ///     included_object_versions: "All".into(),
    ///     schedule: Some(InventorySchedule { frequency: "Daily".into() }),
    ///     ..InventoryConfiguration::default()
    /// };
    /// inventory.destination.bucket.format = "CSV".into();
    /// inventory.destination.bucket.bucket = "qcs::cos:ap-guangzhou::inventorybucket-1250000000".into();
    /// let request = PutBucketInventory::new(inventory).build_request(&cfg).unwrap();
    /// assert_eq!(request.uri().query(), Some("inventory=&id=daily"));
    /// ```
    PutBucketInventory, "PutBucketInventory", PUT, Md5AndType, InventoryConfiguration,
    "Writes `configuration` under its `id`.",
    |c: &InventoryConfiguration| inventory_request(Method::PUT, &c.id)
);

write_document_op!(
    /// Starts a one-off inventory (`POST /?inventory=&id=`): leave
    /// [`InventoryConfiguration::is_enabled`] and [`InventoryConfiguration::schedule`]
    /// unset.
    ///
    /// ```
    /// use cos_proto::{Config, Operation, ops::bucket::*};
    /// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
    /// let once = InventoryConfiguration { id: "once".into(), included_object_versions: "Current".into(), ..Default::default() };
    /// let request = PostBucketInventory::new(once).build_request(&cfg).unwrap();
    /// assert_eq!((request.method().as_str(), request.uri().query()), ("POST", Some("inventory=&id=once")));
    /// ```
    PostBucketInventory, "PostBucketInventory", POST, Md5AndType, InventoryConfiguration,
    "Runs `configuration` once.",
    |c: &InventoryConfiguration| inventory_request(Method::POST, &c.id)
);

/// Reads one inventory configuration.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::GetBucketInventory};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = GetBucketInventory::new("daily").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("inventory=&id=daily"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct GetBucketInventory {
    id: String,
    extras: Extras,
}

impl GetBucketInventory {
    extras_setters!(extras);

    /// Reads the configuration named `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            extras: Extras::default(),
        }
    }
}

impl Operation for GetBucketInventory {
    type Output = DocumentOutput<InventoryConfiguration>;
    const NAME: &'static str = "GetBucketInventory";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(inventory_request(Method::GET, &self.id)?
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<Self::Output, Error> {
        response::check(&Method::GET, url, &response)?;
        let document = parse_document("InventoryConfiguration", &response)?;
        Ok(DocumentOutput::new(document, &response))
    }
}

/// Removes one inventory configuration.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::DeleteBucketInventory};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = DeleteBucketInventory::new("daily photos/1").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("inventory=&id=daily+photos%2F1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct DeleteBucketInventory {
    id: String,
    extras: Extras,
}

impl DeleteBucketInventory {
    extras_setters!(extras);

    /// Removes the configuration named `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            extras: Extras::default(),
        }
    }
}

impl Operation for DeleteBucketInventory {
    type Output = ResponseInfo;
    const NAME: &'static str = "DeleteBucketInventory";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(inventory_request(Method::DELETE, &self.id)?
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ResponseInfo, Error> {
        response::check(&Method::DELETE, url, &response)?;
        Ok(ResponseInfo::from_response(&response))
    }
}

/// A `ListInventoryConfigurationResult` page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryConfigurationList {
    /// `InventoryConfiguration`, always a list (one or many).
    #[serde(
        rename = "InventoryConfiguration",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub configurations: Vec<InventoryConfiguration>,
    /// `IsTruncated`: another page follows.
    #[serde(
        rename = "IsTruncated",
        default,
        deserialize_with = "crate::ops::misc_common::de_flag"
    )]
    pub is_truncated: bool,
    /// `ContinuationToken` of this page.
    #[serde(
        rename = "ContinuationToken",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub continuation_token: Option<String>,
    /// `NextContinuationToken`: the token of the next page.
    #[serde(
        rename = "NextContinuationToken",
        default,
        deserialize_with = "non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_continuation_token: Option<String>,
}

/// Lists the bucket's inventory configurations, a page at a time.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::ListBucketInventoryConfigurations};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let list = ListBucketInventoryConfigurations::new().continuation_token("1cr6");
/// assert_eq!(list.build_request(&cfg).unwrap().uri().query(), Some("inventory=&continuation-token=1cr6"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ListBucketInventoryConfigurations {
    continuation_token: Option<String>,
    extras: Extras,
}

impl ListBucketInventoryConfigurations {
    extras_setters!(extras);

    /// The first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// The page after the one that returned this `NextContinuationToken`.
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.continuation_token = Some(token.into());
        self
    }
}

impl Operation for ListBucketInventoryConfigurations {
    type Output = DocumentOutput<InventoryConfigurationList>;
    const NAME: &'static str = "ListBucketInventoryConfigurations";

    fn build_request(&self, config: &Config) -> Result<http::Request<crate::Body>, Error> {
        Ok(sub_resource(Method::GET, "inventory")
            .query_opt("continuation-token", self.continuation_token.clone())
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<Self::Output, Error> {
        response::check(&Method::GET, url, &response)?;
        let document = parse_document("ListInventoryConfigurationResult", &response)?;
        Ok(DocumentOutput::new(document, &response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    fn full() -> InventoryConfiguration {
        InventoryConfiguration {
            id: "daily-photos".into(),
            is_enabled: Some(true),
            destination: InventoryDestination {
                bucket: CosBucketDestination {
                    format: "CSV".into(),
                    account_id: Some("100000000001".into()),
                    bucket: "qcs::cos:ap-guangzhou::inventorybucket-1250000000".into(),
                    prefix: Some("inventory".into()),
                    encryption: Some(InventoryEncryption {
                        sse_cos: Some(SseCos {}),
                    }),
                },
            },
            schedule: Some(InventorySchedule {
                frequency: "Daily".into(),
            }),
            filter: Some(InventoryFilter {
                prefix: Some("photos/".into()),
            }),
            included_object_versions: "All".into(),
            optional_fields: [
                "Size",
                "LastModifiedDate",
                "ETag",
                "StorageClass",
                "IsMultipartUploaded",
                "ReplicationStatus",
            ]
            .map(String::from)
            .to_vec(),
        }
    }

    #[test]
    fn put_post_get_delete_build() {
        // bucket/requests.json `put_bucket_inventory-full`.
        let request = PutBucketInventory::new(full())
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("inventory=&id=daily-photos"));
        assert_eq!(header(&request, "content-md5"), "u3wKRCMVdwniUtenEbwAHA==");
        assert!(body_text(&request).contains("<Encryption><SSE-COS></SSE-COS></Encryption>"));
        assert!(body_text(&request).ends_with("<Id>daily-photos</Id></InventoryConfiguration>"));
        let mut once = full();
        once.is_enabled = None;
        once.schedule = None;
        let request = PostBucketInventory::new(once)
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::POST);
        assert!(!body_text(&request).contains("Schedule"));
        let request = GetBucketInventory::new("a b")
            .header("x-a", "b")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("inventory=&id=a+b"));
        let request = DeleteBucketInventory::new("x")
            .param("p", "1")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("inventory=&id=x&p=1"));
        assert!(
            GetBucketInventory::new("")
                .build_request(&config())
                .is_err()
        );
        assert!(
            PutBucketInventory::new(InventoryConfiguration::default())
                .build_request(&config())
                .is_err()
        );
        let request = ListBucketInventoryConfigurations::new()
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.uri().query(), Some("inventory="));
    }

    #[test]
    fn get_and_list_parse() {
        let url = "http://h/?inventory=".parse().expect("uri");
        let body = body_text(
            &PutBucketInventory::new(full())
                .build_request(&config())
                .expect("builds"),
        );
        let out = GetBucketInventory::new("daily-photos")
            .parse_response(&url, response(200, &[], &body))
            .expect("parses");
        assert_eq!(out.document, full());
        // bucket/responses.json `get_bucket_inventory-no-optional-fields`: a valid
        // configuration without optional fields parses (the reference raises KeyError).
        let bare = body.replace("<OptionalFields><Field>Size</Field><Field>LastModifiedDate</Field><Field>ETag</Field>\
            <Field>StorageClass</Field><Field>IsMultipartUploaded</Field><Field>ReplicationStatus</Field></OptionalFields>", "");
        let out = GetBucketInventory::new("x")
            .parse_response(&url, response(200, &[], &bare))
            .expect("parses");
        assert!(out.document.optional_fields.is_empty());
        // bucket/responses.json `list_bucket_inventory_configurations-single`: one
        // configuration is a list of one.
        let inner = body.trim_start_matches("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        let list = format!(
            "<ListInventoryConfigurationResult>{inner}<IsTruncated>false</IsTruncated>\
            <ContinuationToken>t1</ContinuationToken></ListInventoryConfigurationResult>"
        );
        let out = ListBucketInventoryConfigurations::new()
            .parse_response(&url, response(200, &[], &list))
            .expect("parses");
        assert_eq!(out.document.configurations, vec![full()]);
        assert_eq!(out.document.continuation_token.as_deref(), Some("t1"));
        assert!(!out.document.is_truncated);
        assert!(
            GetBucketInventory::new("x")
                .parse_response(&url, error_response(404, "NoSuchInventoryConfiguration"))
                .is_err()
        );
        assert!(ListBucketInventoryConfigurations::new().parse_response(&url, response(200, &[], "<ListInventoryConfigurationResult><IsTruncated>maybe</IsTruncated></ListInventoryConfigurationResult>")).is_err());
        for op in [
            DeleteBucketInventory::new("x").parse_response(&url, response(204, &[], "")),
            PutBucketInventory::new(full()).parse_response(&url, response(200, &[], "")),
            PostBucketInventory::new(full()).parse_response(&url, response(200, &[], "")),
        ] {
            assert!(op.is_ok());
        }
    }
}
