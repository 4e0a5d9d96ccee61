//! The records the store keeps: buckets, object versions, multipart uploads and parts.
//! They are plain data (serde) so the directory backend can write them as JSON sidecars.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A bucket's versioning state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) enum Versioning {
    /// Never enabled: one version per key, id `null`, no `x-cos-version-id`.
    #[default]
    Unversioned,
    /// Every write creates a new version; deletes add delete markers.
    Enabled,
    /// Writes replace the `null` version; older versions stay.
    Suspended,
}

impl Versioning {
    /// The `<Status>` text, `None` when never configured.
    pub(crate) fn status(self) -> Option<&'static str> {
        match self {
            Versioning::Unversioned => None,
            Versioning::Enabled => Some("Enabled"),
            Versioning::Suspended => Some("Suspended"),
        }
    }
}

/// A bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BucketRecord {
    /// `name-appid`.
    pub(crate) name: String,
    /// Versioning state.
    pub(crate) versioning: Versioning,
    /// Creation time (Unix seconds).
    pub(crate) created: u64,
    /// The region the bucket was created in (`None`: the emulator's region).
    #[serde(default)]
    pub(crate) region: Option<String>,
    /// `OFS` for a bucket created with `BucketArchConfig` OFS.
    #[serde(default)]
    pub(crate) arch: Option<String>,
    /// `MAZ` for a bucket created with `BucketAZConfig` MAZ.
    #[serde(default)]
    pub(crate) az: Option<String>,
    /// The bucket ACL (PUT Bucket headers or PUT Bucket acl).
    #[serde(default)]
    pub(crate) acl: Acl,
    /// Stored sub-resource documents by key (`cors`, `lifecycle`, `policy`,
    /// `inventory/<id>`, ...), in the canonical form GET returns.
    #[serde(default)]
    pub(crate) configs: BTreeMap<String, String>,
}

impl BucketRecord {
    /// A plain bucket: no ACL, no configuration, the emulator's region.
    pub(crate) fn new(name: &str, versioning: Versioning, created: u64) -> Self {
        Self {
            name: name.to_owned(),
            versioning,
            created,
            region: None,
            arch: None,
            az: None,
            acl: Acl::default(),
            configs: BTreeMap::new(),
        }
    }
}

/// One ACL grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Grant {
    /// `CanonicalUser` or `Group`.
    pub(crate) grantee_type: String,
    /// CAM id of a user grantee.
    pub(crate) id: Option<String>,
    /// URI of a group grantee.
    pub(crate) uri: Option<String>,
    /// The permission.
    pub(crate) permission: String,
}

/// An object's ACL: a canned ACL and/or explicit grants.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct Acl {
    /// `private`, `public-read`, `public-read-write` or `default`.
    pub(crate) canned: Option<String>,
    /// Explicit grants (from `x-cos-grant-*` headers or an `AccessControlPolicy`).
    pub(crate) grants: Vec<Grant>,
}

impl Acl {
    /// `true` when anonymous users may read the object.
    pub(crate) fn public_read(&self) -> bool {
        matches!(
            self.canned.as_deref(),
            Some("public-read") | Some("public-read-write")
        ) || self.grants.iter().any(|g| {
            g.uri.as_deref() == Some(ALL_USERS)
                && (g.permission == "READ" || g.permission == "FULL_CONTROL")
        })
    }
}

/// The group URI for everyone.
pub(crate) const ALL_USERS: &str = "http://cam.qcloud.com/groups/global/AllUsers";

/// The attributes a writer sets: content headers, user metadata, class, tags, ACL, SSE.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct ObjectMeta {
    /// `Content-Type`.
    pub(crate) content_type: Option<String>,
    /// `Cache-Control`.
    pub(crate) cache_control: Option<String>,
    /// `Content-Disposition`.
    pub(crate) content_disposition: Option<String>,
    /// `Content-Encoding`.
    pub(crate) content_encoding: Option<String>,
    /// `Content-Language`.
    pub(crate) content_language: Option<String>,
    /// `Expires`.
    pub(crate) expires: Option<String>,
    /// `x-cos-meta-*` (lower-case names, with the prefix).
    pub(crate) user_meta: Vec<(String, String)>,
    /// Storage class (upper case).
    pub(crate) storage_class: String,
    /// Object tags.
    pub(crate) tags: Vec<(String, String)>,
    /// ACL.
    pub(crate) acl: Acl,
    /// `x-cos-server-side-encryption` (`AES256`, `cos/kms`).
    pub(crate) sse: Option<String>,
    /// `x-cos-server-side-encryption-cos-kms-key-id`.
    pub(crate) sse_kms_key_id: Option<String>,
    /// SSE-C algorithm.
    pub(crate) sse_customer_algorithm: Option<String>,
    /// SSE-C key MD5.
    pub(crate) sse_customer_key_md5: Option<String>,
}

/// A restore of an archived object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RestoreState {
    /// When the temporary copy becomes readable (Unix seconds).
    pub(crate) completes_at: u64,
    /// When the temporary copy expires (Unix seconds).
    pub(crate) expires_at: u64,
}

/// What a restore looks like at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RestoreStatus {
    /// No restore, or an expired one.
    None,
    /// Restoring.
    InProgress,
    /// Readable until the given time.
    Restored {
        /// Expiry (Unix seconds).
        expires_at: u64,
    },
}

/// One version of an object (or a delete marker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ObjectVersion {
    /// The key.
    pub(crate) key: String,
    /// `null` or a generated id.
    pub(crate) version_id: String,
    /// Store-wide sequence number: a larger one is newer.
    pub(crate) seq: u64,
    /// `true` for a delete marker (no data).
    pub(crate) delete_marker: bool,
    /// The data blob.
    pub(crate) blob: Option<u64>,
    /// Data length.
    pub(crate) size: u64,
    /// Quoted ETag.
    pub(crate) etag: String,
    /// CRC-64/XZ of the data, when known.
    pub(crate) crc64: Option<u64>,
    /// Last modification (Unix seconds).
    pub(crate) last_modified: u64,
    /// `true` for objects created by APPEND.
    pub(crate) appendable: bool,
    /// Writer-set attributes.
    pub(crate) meta: ObjectMeta,
    /// Restore of an archived object.
    pub(crate) restore: Option<RestoreState>,
}

impl ObjectVersion {
    /// The storage class, `STANDARD` when unset.
    pub(crate) fn storage_class(&self) -> &str {
        if self.meta.storage_class.is_empty() {
            "STANDARD"
        } else {
            &self.meta.storage_class
        }
    }

    /// `true` for `ARCHIVE` and `DEEP_ARCHIVE` objects.
    pub(crate) fn is_archived(&self) -> bool {
        cos_proto::headers::StorageClass::parse(self.storage_class()).is_archive()
    }

    /// The restore state at `now`.
    pub(crate) fn restore_status(&self, now: u64) -> RestoreStatus {
        match self.restore {
            Some(r) if now < r.completes_at => RestoreStatus::InProgress,
            Some(r) if now < r.expires_at => RestoreStatus::Restored {
                expires_at: r.expires_at,
            },
            _ => RestoreStatus::None,
        }
    }

    /// `true` when the data can be read at `now` (not archived, or restored).
    pub(crate) fn readable(&self, now: u64) -> bool {
        !self.is_archived() || matches!(self.restore_status(now), RestoreStatus::Restored { .. })
    }
}

/// One uploaded part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Part {
    /// 1..=10000.
    pub(crate) number: u32,
    /// Data blob.
    pub(crate) blob: u64,
    /// Length.
    pub(crate) size: u64,
    /// Quoted MD5 ETag.
    pub(crate) etag: String,
    /// Raw MD5 (for the multipart ETag).
    pub(crate) md5: [u8; 16],
    /// CRC-64/XZ, when known.
    pub(crate) crc64: Option<u64>,
    /// Upload time.
    pub(crate) last_modified: u64,
}

/// An in-progress multipart upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MultipartUpload {
    /// The upload id.
    pub(crate) upload_id: String,
    /// Target key.
    pub(crate) key: String,
    /// Initiation time.
    pub(crate) initiated: u64,
    /// Sequence number.
    pub(crate) seq: u64,
    /// Attributes the completed object gets.
    pub(crate) meta: ObjectMeta,
    /// Parts by number.
    pub(crate) parts: BTreeMap<u32, Part>,
}

/// Everything the store holds for one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketState {
    /// The bucket itself.
    pub(crate) record: BucketRecord,
    /// Versions by key, newest first.
    pub(crate) objects: BTreeMap<String, Vec<ObjectVersion>>,
    /// Uploads by id.
    pub(crate) uploads: BTreeMap<String, MultipartUpload>,
}

impl BucketState {
    /// An empty bucket.
    pub(crate) fn new(record: BucketRecord) -> Self {
        Self {
            record,
            objects: BTreeMap::new(),
            uploads: BTreeMap::new(),
        }
    }

    /// The newest version of `key` (possibly a delete marker).
    pub(crate) fn latest(&self, key: &str) -> Option<&ObjectVersion> {
        self.objects.get(key).and_then(|v| v.first())
    }
}

/// What a backend hands back when the store starts.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// Buckets with their objects and uploads.
    pub(crate) buckets: Vec<BucketState>,
    /// The largest sequence number or blob id seen.
    pub(crate) max_id: u64,
}
