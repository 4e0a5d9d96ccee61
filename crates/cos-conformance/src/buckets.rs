//! The bucket half of the suite: every bucket operation through each client against an
//! emulator where a bucket exists only once created. The configurations are the ones the
//! official SDK sent in the bucket golden vectors (`shared/vectors/bucket/requests.json`,
//! read here, never copied): each is read with the GET operation's own parser, PUT
//! through the client, read back through the client and compared whole.
//!
//! A client crate expands [`bucket_round_trips!`](crate::bucket_round_trips) in a test,
//! with a macro that runs one client call to its result.

use std::path::PathBuf;

use base64::Engine as _;
use bytes::Bytes;
use cos_proto::Operation;
use serde_json::Value;

/// The bucket the checks create (it does not exist before).
pub const BUCKET: &str = "roundtrip-1250000000";

/// `shared/vectors/bucket/requests.json` (`COS_VECTORS_DIR` overrides the folder).
pub fn vectors_path() -> PathBuf {
    let dir = std::env::var_os("COS_VECTORS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
        PathBuf::from,
    );
    dir.join("bucket").join("requests.json")
}

/// The document the SDK sent in vector case `case`, read as the answer to `get` (so it
/// comes back typed).
pub fn document<O: Operation>(get: &O, case: &str) -> Result<O::Output, String> {
    let text = std::fs::read_to_string(vectors_path()).map_err(|e| format!("vectors: {e}"))?;
    let file: Value = serde_json::from_str(&text).map_err(|e| format!("vectors: {e}"))?;
    let cases = file["cases"].as_array().ok_or("vectors: no cases")?;
    let found = cases
        .iter()
        .find(|c| c["id"] == case)
        .ok_or_else(|| format!("no vector case {case}"))?;
    let body = found["requests"][0]["body_base64"]
        .as_str()
        .ok_or_else(|| format!("{case}: no body"))?;
    let body = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("{case}: {e}"))?;
    let response = http::Response::builder()
        .status(200)
        .body(Bytes::from(body))
        .map_err(|e| e.to_string())?;
    let url: http::Uri = "http://127.0.0.1/".parse().map_err(|_| "url")?;
    get.parse_response(&url, response)
        .map_err(|e| format!("{case}: {e}"))
}

/// Round trips of every bucket operation through `$client` (a client of [`BUCKET`] on an
/// emulator with `auto_create_buckets(false)`); `$call` is a macro that runs one call of
/// the client (`block_on` for an async client) and gives its `Result`. Panics on the
/// first difference.
#[macro_export]
macro_rules! bucket_round_trips {
    // A configuration from the vectors: PUT, GET back equal.
    (@trip $client:ident, $call:ident, $get:expr, $put:expr, $case:literal) => {{
        let want = $crate::buckets::document(&$get, $case).unwrap().document;
        $call!($client.send(&$put(want.clone()), ())).unwrap();
        let got = $call!($client.send(&$get, ())).unwrap().document;
        assert_eq!(got, want, "{} read back", $case);
    }};
    // The same, then DELETE, and GET answers `$missing`.
    (@trip $client:ident, $call:ident, $get:expr, $put:expr, $case:literal,
        $delete:expr, $missing:literal) => {{
        $crate::bucket_round_trips!(@trip $client, $call, $get, $put, $case);
        $call!($client.send(&$delete, ())).unwrap();
        let err = $call!($client.send(&$get, ())).unwrap_err();
        assert!(err.to_string().contains($missing), "{}: {err}", $case);
    }};
    ($client:expr, $call:ident) => {{
        use ::cos_proto::ops::bucket::*;
        use $crate::buckets::document;
        let client = &$client;
        let code = |err: &dyn ::std::fmt::Display| err.to_string();
        // The bucket, from nothing.
        assert!(!$call!(client.bucket_exists(&BucketExists::new())).unwrap());
        $call!(client.create_bucket(&CreateBucket::new())).unwrap();
        assert!($call!(client.bucket_exists(&BucketExists::new())).unwrap());
        let err = $call!(client.create_bucket(&CreateBucket::new())).unwrap_err();
        assert!(code(&err).contains("BucketAlreadyExists"), "{err}");
        let head = $call!(client.head_bucket(&HeadBucket::new())).unwrap();
        assert_eq!(head.region.as_deref(), Some("ap-guangzhou"));
        let location = $call!(client.get_bucket_location(&GetBucketLocation::new())).unwrap();
        assert_eq!(location.location, "ap-guangzhou");
        let listing = $call!(client.list_buckets(&ListBuckets::new())).unwrap();
        assert!(
            listing.document.buckets.iter().any(|b| b.name == $crate::buckets::BUCKET),
            "{listing:?}"
        );

        // Every sub-resource.
        let never = $call!(client.get_bucket_versioning(&GetBucketVersioning::new())).unwrap();
        assert_eq!(never.document.status, None);
        $crate::bucket_round_trips!(@trip client, $call, GetBucketVersioning::new(), PutBucketVersioning::new, "put_bucket_versioning-enabled");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketLifecycle::new(), PutBucketLifecycle::new, "put_bucket_lifecycle-expiration-days",
              DeleteBucketLifecycle::new(), "NoSuchLifecycleConfiguration");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketLifecycle::new(), PutBucketLifecycle::new, "put_bucket_lifecycle-tag-filter");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketCors::new(), PutBucketCors::new, "put_bucket_cors-single",
              DeleteBucketCors::new(), "NoSuchCORSConfiguration");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketTagging::new(), PutBucketTagging::new, "put_bucket_tagging-multi",
              DeleteBucketTagging::new(), "NoSuchTagSet");
        // COS adds `VerifySignatureURL` (false) to what was put.
        let referer = document(&GetBucketReferer::new(), "put_bucket_referer-whitelist")
            .unwrap()
            .document;
        $call!(client.put_bucket_referer(&PutBucketReferer::new(referer.clone()))).unwrap();
        let mut got = $call!(client.get_bucket_referer(&GetBucketReferer::new())).unwrap().document;
        assert_eq!(got.verify_signature_url.take().unwrap_or(false), false);
        assert_eq!(got, referer);
        $call!(client.delete_bucket_referer(&DeleteBucketReferer::new())).unwrap();
        $crate::bucket_round_trips!(@trip client, $call, GetBucketWebsite::new(), PutBucketWebsite::new, "put_bucket_website-full",
              DeleteBucketWebsite::new(), "NoSuchWebsiteConfiguration");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketLogging::new(), PutBucketLogging::new, "put_bucket_logging-enabled");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketEncryption::new(), PutBucketEncryption::new, "put_bucket_encryption-aes256",
              DeleteBucketEncryption::new(), "NoSuchEncryptionConfiguration");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketReplication::new(), PutBucketReplication::new, "put_bucket_replication-single",
              DeleteBucketReplication::new(), "ReplicationConfigurationNotFoundError");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketIntelligentTiering::new(), PutBucketIntelligentTiering::new,
              "put_bucket_intelligenttiering");
        $crate::bucket_round_trips!(@trip client, $call, GetBucketObjectLock::new(), PutBucketObjectLock::new, "put_bucket_object_lock");

        // The documents with their own shapes.
        let domains = document(&GetBucketDomain::new(), "put_bucket_domain").unwrap().document;
        $call!(client.put_bucket_domain(&PutBucketDomain::new(domains.clone()))).unwrap();
        let got = $call!(client.get_bucket_domain(&GetBucketDomain::new())).unwrap();
        assert_eq!(got.document, domains);
        $call!(client.delete_bucket_domain(&DeleteBucketDomain::new())).unwrap();

        let inventory = document(&GetBucketInventory::new("x"), "put_bucket_inventory-full")
            .unwrap()
            .document;
        let id = inventory.id.clone();
        $call!(client.put_bucket_inventory(&PutBucketInventory::new(inventory.clone()))).unwrap();
        let got = $call!(client.get_bucket_inventory(&GetBucketInventory::new(&id))).unwrap();
        assert_eq!(got.document, inventory);
        let listed = $call!(client.list_bucket_inventory_configurations(
            &ListBucketInventoryConfigurations::new()
        ))
        .unwrap();
        assert_eq!(listed.document.configurations, vec![inventory]);
        let once = document(&GetBucketInventory::new("x"), "post_bucket_inventory").unwrap().document;
        $call!(client.post_bucket_inventory(&PostBucketInventory::new(once))).unwrap();
        $call!(client.delete_bucket_inventory(&DeleteBucketInventory::new(&id))).unwrap();
        let err = $call!(client.get_bucket_inventory(&GetBucketInventory::new(&id))).unwrap_err();
        assert!(code(&err).contains("InventoryConfigurationNotFoundError"), "{err}");

        let tiering = document(
            &GetBucketIntelligentTieringConfiguration::new("x"),
            "put_bucket_intelligenttiering_v2",
        )
        .unwrap()
        .document;
        $call!(client.put_bucket_intelligent_tiering_configuration(
            &PutBucketIntelligentTieringConfiguration::new(tiering.clone())
        ))
        .unwrap();
        let got = $call!(client.get_bucket_intelligent_tiering_configuration(
            &GetBucketIntelligentTieringConfiguration::new(&tiering.id)
        ))
        .unwrap();
        assert_eq!(got.document, tiering);
        let listed = $call!(client.list_bucket_intelligent_tiering_configurations(
            &ListBucketIntelligentTieringConfigurations::new()
        ))
        .unwrap();
        assert_eq!(listed.document.configurations, vec![tiering]);

        let policy = r#"{"Statement":[{"Action":["name/cos:GetObject"],"Effect":"allow","Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:roundtrip-1250000000/*"]}],"version":"2.0"}"#;
        $call!(client.put_bucket_policy(&PutBucketPolicy::new(policy))).unwrap();
        let got = $call!(client.get_bucket_policy(&GetBucketPolicy::new())).unwrap();
        assert_eq!(got.policy, policy);
        $call!(client.delete_bucket_policy(&DeleteBucketPolicy::new())).unwrap();
        let err = $call!(client.get_bucket_policy(&GetBucketPolicy::new())).unwrap_err();
        assert!(code(&err).contains("NoSuchBucketPolicy"), "{err}");

        $call!(client.put_bucket_acl(&PutBucketAcl::new().acl(BucketCannedAcl::PublicRead.as_str()))).unwrap();
        let acl = $call!(client.get_bucket_acl(&GetBucketAcl::new())).unwrap();
        assert_eq!(acl.canned_acl(), BucketCannedAcl::PublicRead, "{acl:?}");

        // An empty bucket only.
        let data = ::bytes::Bytes::from_static(b"x");
        $call!(client.send(&::cos_proto::ops::PutObject::new("keep.txt", Some(1)), data)).unwrap();
        let err = $call!(client.delete_bucket(&DeleteBucket::new())).unwrap_err();
        assert!(code(&err).contains("BucketNotEmpty"), "{err}");
        $call!(client.send(&::cos_proto::ops::DeleteObject::new("keep.txt"), ())).unwrap();
        $call!(client.put_bucket_versioning(&PutBucketVersioning::new(
            VersioningConfiguration::new(VersioningStatus::Suspended)
        )))
        .unwrap();
        let versions = $call!(client.send(&::cos_proto::ops::ListObjectVersions::new(), ())).unwrap();
        for entry in versions.versions() {
            let delete = ::cos_proto::ops::DeleteObject::new(&entry.key).version_id(&entry.version_id);
            $call!(client.send(&delete, ())).unwrap();
        }
        for marker in versions.delete_markers() {
            let delete = ::cos_proto::ops::DeleteObject::new(&marker.key).version_id(&marker.version_id);
            $call!(client.send(&delete, ())).unwrap();
        }
        $call!(client.delete_bucket(&DeleteBucket::new())).unwrap();
        assert!(!$call!(client.bucket_exists(&BucketExists::new())).unwrap());
    }};
}
