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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Operation;
    use crate::ops::test_support::response;

    /// Every parser of a bucket answer returns an error (never panics) on hostile bodies.
    #[test]
    fn hostile_bodies_never_panic() {
        let roots = [
            "ListAllMyBucketsResult",
            "LocationConstraint",
            "VersioningConfiguration",
            "LifecycleConfiguration",
            "CORSConfiguration",
            "Tagging",
            "AccessControlPolicy",
            "RefererConfiguration",
            "WebsiteConfiguration",
            "BucketLoggingStatus",
            "ServerSideEncryptionConfiguration",
            "ReplicationConfiguration",
            "InventoryConfiguration",
            "ListInventoryConfigurationResult",
            "DomainConfiguration",
            "IntelligentTieringConfiguration",
            "ListBucketIntelligentTieringConfigurationsOutput",
            "ObjectLockConfiguration",
        ];
        let mut bodies = vec![
            String::new(),
            "\u{feff}".to_owned(),
            "<".to_owned(),
            "<Error><Code>X</Code></Error>".to_owned(),
            "{\"a\":".to_owned(),
            "\u{0}\u{1}<<>>&&;".to_owned(),
        ];
        for root in roots {
            bodies.push(format!("<{root}>"));
            bodies.push(format!("<{root}/>"));
            bodies.push(format!(
                "<{root}><Rule><Rule><Days>99999999999</Days></Rule></Rule></{root}>"
            ));
            bodies.push(format!("<{root}><Buckets><Bucket>x</Bucket></Buckets><IsTruncated>yes</IsTruncated></{root}>"));
            bodies.push(format!("<{root}><Status><Status/></Status><TagSet><Tag/></TagSet><DomainList>a</DomainList></{root}>"));
            bodies.push(format!("<{root}>&bogus;<![CDATA[x]]><!-- c --></{root}>"));
            bodies.push(format!(
                "<{root}><OptionalFields><Field><a/></Field></OptionalFields></{root}>"
            ));
        }
        let url: http::Uri = "http://h/".parse().expect("uri");
        for body in &bodies {
            let r = || response(200, &[], body);
            let _ = ListBuckets::new().parse_response(&url, r());
            let _ = GetBucketLocation::new().parse_response(&url, r());
            let _ = GetBucketVersioning::new().parse_response(&url, r());
            let _ = GetBucketLifecycle::new().parse_response(&url, r());
            let _ = GetBucketCors::new().parse_response(&url, r());
            let _ = GetBucketPolicy::new().parse_response(&url, r());
            let _ = GetBucketTagging::new().parse_response(&url, r());
            let _ = GetBucketAcl::new().parse_response(&url, r());
            let _ = GetBucketReferer::new().parse_response(&url, r());
            let _ = GetBucketWebsite::new().parse_response(&url, r());
            let _ = GetBucketLogging::new().parse_response(&url, r());
            let _ = GetBucketEncryption::new().parse_response(&url, r());
            let _ = GetBucketReplication::new().parse_response(&url, r());
            let _ = GetBucketInventory::new("i").parse_response(&url, r());
            let _ = ListBucketInventoryConfigurations::new().parse_response(&url, r());
            let _ = GetBucketDomain::new().parse_response(&url, r());
            let _ = GetBucketIntelligentTiering::new().parse_response(&url, r());
            let _ = GetBucketIntelligentTieringConfiguration::new("i").parse_response(&url, r());
            let _ = ListBucketIntelligentTieringConfigurations::new().parse_response(&url, r());
            let _ = GetBucketObjectLock::new().parse_response(&url, r());
            let _ = HeadBucket::new().parse_response(&url, r());
            let _ = BucketExists::new().parse_response(&url, r());
        }
    }
}
