//! Every bucket operation and GET Service, one file per sub-resource: its typed
//! document model (serde, in COS's element names) and its operations.
//!
//! The bucket is the [`crate::Config`]'s; GET Service ([`ListBuckets`]) names none.
//! Operations whose answer carries no document return [`ResponseInfo`]; those reading
//! a configuration return a [`DocumentOutput`] of its model.

mod acl;
pub(crate) mod common;
mod cors;
mod create;
mod domain;
mod encryption;
mod head_delete;
mod intelligent_tiering;
mod inventory;
mod lifecycle;
mod location;
mod logging;
mod object_lock;
mod policy;
mod referer;
mod replication;
mod service;
mod tagging;
mod versioning;
mod website;

use serde::{Deserialize, Serialize};

pub use acl::{BucketCannedAcl, GetBucketAcl, GetBucketAclOutput, PutBucketAcl};
pub use common::{DocumentOutput, ResponseInfo};
pub use cors::{CorsConfiguration, CorsRule, DeleteBucketCors, GetBucketCors, PutBucketCors};
pub use create::CreateBucket;
pub use domain::{
    DeleteBucketDomain, DomainConfiguration, DomainRule, GetBucketDomain, GetBucketDomainOutput,
    PutBucketDomain,
};
pub use encryption::{
    ApplyServerSideEncryptionByDefault, DeleteBucketEncryption, EncryptionRule,
    GetBucketEncryption, PutBucketEncryption, ServerSideEncryptionConfiguration,
};
pub use head_delete::{BucketExists, DeleteBucket, HeadBucket, HeadBucketOutput};
pub use intelligent_tiering::{
    GetBucketIntelligentTiering, GetBucketIntelligentTieringConfiguration,
    IntelligentTieringConfiguration, ListBucketIntelligentTieringConfigurations,
    PutBucketIntelligentTiering, PutBucketIntelligentTieringConfiguration, Tiering, TieringAnd,
    TieringConfiguration, TieringConfigurationList, TieringFilter, TieringTransition,
};
pub use inventory::{
    CosBucketDestination, DeleteBucketInventory, GetBucketInventory, InventoryConfiguration,
    InventoryConfigurationList, InventoryDestination, InventoryEncryption, InventoryFilter,
    InventorySchedule, ListBucketInventoryConfigurations, PostBucketInventory, PutBucketInventory,
    SseCos,
};
pub use lifecycle::{
    AbortIncompleteMultipartUpload, DeleteBucketLifecycle, Expiration, GetBucketLifecycle,
    LifecycleAnd, LifecycleConfiguration, LifecycleFilter, LifecycleRule,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, PutBucketLifecycle, Transition,
};
pub use location::{GetBucketLocation, GetBucketLocationOutput};
pub use logging::{BucketLoggingStatus, GetBucketLogging, LoggingEnabled, PutBucketLogging};
pub use object_lock::{
    DefaultRetention, GetBucketObjectLock, ObjectLockConfiguration, ObjectLockRule,
    PutBucketObjectLock,
};
pub use policy::{DeleteBucketPolicy, GetBucketPolicy, GetBucketPolicyOutput, PutBucketPolicy};
pub use referer::{DeleteBucketReferer, GetBucketReferer, PutBucketReferer, RefererConfiguration};
pub use replication::{
    DeleteBucketReplication, GetBucketReplication, PutBucketReplication, ReplicationConfiguration,
    ReplicationDestination, ReplicationRule,
};
pub use service::{
    BucketList, BucketSummary, DEFAULT_MAX_BUCKETS, ListBuckets, ListBucketsOutput,
    ServiceEndpoint, TimeRange,
};
pub use tagging::{DeleteBucketTagging, GetBucketTagging, PutBucketTagging, Tag, Tagging};
pub use versioning::{
    GetBucketVersioning, PutBucketVersioning, VersioningConfiguration, VersioningStatus,
};

pub use website::{
    DeleteBucketWebsite, ErrorDocument, GetBucketWebsite, IndexDocument, PutBucketWebsite,
    RedirectAllRequestsTo, RoutingCondition, RoutingRedirect, RoutingRule, WebsiteConfiguration,
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
