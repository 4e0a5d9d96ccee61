//! Every bucket operation and GET Service, one file per sub-resource: its typed
//! document model (serde, in COS's element names) and its operations.
//!
//! The bucket is the [`crate::Config`]'s; GET Service ([`ListBuckets`]) names none.
//! Operations whose answer carries no document return [`ResponseInfo`]; those reading
//! a configuration return a [`DocumentOutput`] of its model.

pub(crate) mod common;
mod create;
mod head_delete;
mod location;
mod service;

use serde::{Deserialize, Serialize};

pub use common::{DocumentOutput, ResponseInfo};
pub use create::CreateBucket;
pub use head_delete::{BucketExists, DeleteBucket, HeadBucket, HeadBucketOutput};
pub use location::{GetBucketLocation, GetBucketLocationOutput};
pub use service::{
    BucketList, BucketSummary, DEFAULT_MAX_BUCKETS, ListBuckets, ListBucketsOutput,
    ServiceEndpoint, TimeRange,
};

/// The owner of a bucket or a listing (`Owner`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketOwner {
    /// `ID`, e.g. `qcs::cam::uin/100000000001:uin/100000000001`.
    #[serde(
        rename = "ID",
        default,
        deserialize_with = "crate::xml::non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// `DisplayName`.
    #[serde(
        rename = "DisplayName",
        default,
        deserialize_with = "crate::xml::non_empty",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
}
