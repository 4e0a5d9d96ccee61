//! Request header groups shared by several operations: content headers, user metadata,
//! ACLs, storage class, server-side encryption, traffic limit.
//!
//! Each group validates its values and writes its headers; operations embed the groups
//! and expose setters for them.

use crate::error::InputError;
use crate::request::RequestBuilder;

/// The lowest traffic limit COS accepts, in bit/s (100 KiB/s).
pub const MIN_TRAFFIC_LIMIT: u64 = 819_200;
/// The highest traffic limit COS accepts, in bit/s (100 MiB/s).
pub const MAX_TRAFFIC_LIMIT: u64 = 838_860_800;

/// Storage classes. Unknown values from newer COS versions are kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageClass {
    /// `STANDARD` (the default).
    Standard,
    /// `STANDARD_IA`, infrequent access.
    StandardIa,
    /// `ARCHIVE`: must be restored before it can be read.
    Archive,
    /// `DEEP_ARCHIVE`: must be restored before it can be read.
    DeepArchive,
    /// `INTELLIGENT_TIERING`.
    IntelligentTiering,
    /// `MAZ_STANDARD` (multi-AZ).
    MazStandard,
    /// `MAZ_STANDARD_IA`.
    MazStandardIa,
    /// `MAZ_INTELLIGENT_TIERING`.
    MazIntelligentTiering,
    /// Any other value, as sent or received.
    Other(String),
}

impl StorageClass {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            StorageClass::Standard => "STANDARD",
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::Archive => "ARCHIVE",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::MazStandard => "MAZ_STANDARD",
            StorageClass::MazStandardIa => "MAZ_STANDARD_IA",
            StorageClass::MazIntelligentTiering => "MAZ_INTELLIGENT_TIERING",
            StorageClass::Other(other) => other,
        }
    }

    /// Parses a wire value (case-insensitive: COS answers `Standard` in some documents).
    pub fn parse(value: &str) -> Self {
        [
            ("STANDARD", StorageClass::Standard),
            ("STANDARD_IA", StorageClass::StandardIa),
            ("ARCHIVE", StorageClass::Archive),
            ("DEEP_ARCHIVE", StorageClass::DeepArchive),
            ("INTELLIGENT_TIERING", StorageClass::IntelligentTiering),
            ("MAZ_STANDARD", StorageClass::MazStandard),
            ("MAZ_STANDARD_IA", StorageClass::MazStandardIa),
            (
                "MAZ_INTELLIGENT_TIERING",
                StorageClass::MazIntelligentTiering,
            ),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(value))
        .map_or_else(|| StorageClass::Other(value.to_owned()), |(_, class)| class)
    }

    /// `true` for classes that need a restore before the data can be read.
    pub fn is_archive(&self) -> bool {
        matches!(self, StorageClass::Archive | StorageClass::DeepArchive)
    }
}

/// Standard HTTP entity headers stored with an object and returned on GET/HEAD.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentHeaders {
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Language` (sent, not signed).
    pub content_language: Option<String>,
    /// `Expires`.
    pub expires: Option<String>,
}

impl ContentHeaders {
    pub(crate) fn apply(&self, b: RequestBuilder) -> Result<RequestBuilder, InputError> {
        b.header_opt("content-type", self.content_type.as_deref())?
            .header_opt("cache-control", self.cache_control.as_deref())?
            .header_opt("content-disposition", self.content_disposition.as_deref())?
            .header_opt("content-encoding", self.content_encoding.as_deref())?
            .header_opt("content-language", self.content_language.as_deref())?
            .header_opt("expires", self.expires.as_deref())
    }
}

/// User metadata: `x-cos-meta-*` headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata(pub Vec<(String, String)>);

impl Metadata {
    /// Adds one entry; the name must start with `x-cos-meta-` (checked when the request
    /// is built).
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    pub(crate) fn apply(&self, mut b: RequestBuilder) -> Result<RequestBuilder, InputError> {
        for (name, value) in &self.0 {
            let invalid = |reason| InputError::InvalidMetadataName {
                name: name.clone(),
                reason,
            };
            let lower = name.to_ascii_lowercase();
            let suffix = lower
                .strip_prefix("x-cos-meta-")
                .ok_or_else(|| invalid("must start with x-cos-meta-"))?;
            if suffix.is_empty() {
                return Err(invalid("has nothing after x-cos-meta-"));
            }
            let header = http::HeaderName::from_bytes(lower.as_bytes())
                .map_err(|_| invalid("is not a valid HTTP header name"))?;
            b = b.header(header, value)?;
        }
        Ok(b)
    }
}

/// An object ACL given with headers: a canned ACL and/or explicit grants
/// (`id="qcs::cam::uin/100000000001:uin/100000000001"`, comma-separated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AclHeaders {
    /// `x-cos-acl`: `private`, `public-read`, `default`.
    pub acl: Option<String>,
    /// `x-cos-grant-read`.
    pub grant_read: Option<String>,
    /// `x-cos-grant-write`.
    pub grant_write: Option<String>,
    /// `x-cos-grant-read-acp`.
    pub grant_read_acp: Option<String>,
    /// `x-cos-grant-write-acp`.
    pub grant_write_acp: Option<String>,
    /// `x-cos-grant-full-control`.
    pub grant_full_control: Option<String>,
}

impl AclHeaders {
    pub(crate) fn apply(&self, b: RequestBuilder) -> Result<RequestBuilder, InputError> {
        b.header_opt("x-cos-acl", self.acl.as_deref())?
            .header_opt("x-cos-grant-read", self.grant_read.as_deref())?
            .header_opt("x-cos-grant-write", self.grant_write.as_deref())?
            .header_opt("x-cos-grant-read-acp", self.grant_read_acp.as_deref())?
            .header_opt("x-cos-grant-write-acp", self.grant_write_acp.as_deref())?
            .header_opt(
                "x-cos-grant-full-control",
                self.grant_full_control.as_deref(),
            )
    }
}

/// Server-side encryption of the object's data at rest.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerSideEncryption {
    /// SSE-COS: keys managed by COS (`x-cos-server-side-encryption: AES256`).
    Cos,
    /// SSE-KMS: keys in Tencent KMS (`cos/kms`), with an optional key id and a base64
    /// JSON encryption context.
    Kms {
        /// `x-cos-server-side-encryption-cos-kms-key-id`.
        key_id: Option<String>,
        /// `x-cos-server-side-encryption-context`.
        context: Option<String>,
    },
    /// SSE-C: a key supplied with every request. Build it with
    /// [`ServerSideEncryption::customer_key`].
    Customer(CustomerKey),
}

/// An SSE-C key: algorithm, base64 key and base64 MD5 of the key. `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomerKey {
    /// `AES256` (or `SM4`).
    pub algorithm: String,
    /// The base64 of the 32-byte key.
    pub key: String,
    /// The base64 of the key's MD5.
    pub key_md5: String,
}

impl ServerSideEncryption {
    /// SSE-C with a raw 32-byte AES-256 key (the base64 forms and the MD5 are computed).
    pub fn customer_key(key: &[u8; 32]) -> Self {
        use base64::Engine as _;
        use md5::Digest as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        ServerSideEncryption::Customer(CustomerKey {
            algorithm: "AES256".to_owned(),
            key: b64.encode(key),
            key_md5: b64.encode(md5::Md5::digest(key)),
        })
    }

    pub(crate) fn apply(&self, b: RequestBuilder) -> Result<RequestBuilder, InputError> {
        match self {
            ServerSideEncryption::Cos => b.header_static("x-cos-server-side-encryption", "AES256"),
            ServerSideEncryption::Kms { key_id, context } => b
                .header_static("x-cos-server-side-encryption", "cos/kms")?
                .header_opt(
                    "x-cos-server-side-encryption-cos-kms-key-id",
                    key_id.as_deref(),
                )?
                .header_opt("x-cos-server-side-encryption-context", context.as_deref()),
            ServerSideEncryption::Customer(key) => key.apply(b, ""),
        }
    }
}

impl CustomerKey {
    /// Writes the three SSE-C headers; `prefix` is `""` or `"copy-source-"`.
    pub(crate) fn apply(
        &self,
        b: RequestBuilder,
        prefix: &str,
    ) -> Result<RequestBuilder, InputError> {
        let name = |suffix: &str| {
            http::HeaderName::from_bytes(
                format!("x-cos-{prefix}server-side-encryption-customer-{suffix}").as_bytes(),
            )
            .map_err(|_| InputError::InvalidArgument {
                what: "SSE-C header",
                reason: prefix.to_owned(),
            })
        };
        b.header(name("algorithm")?, &self.algorithm)?
            .header(name("key")?, &self.key)?
            .header(name("key-md5")?, &self.key_md5)
    }
}

impl std::fmt::Debug for ServerSideEncryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerSideEncryption::Cos => f.write_str("Cos"),
            ServerSideEncryption::Kms { key_id, context } => f
                .debug_struct("Kms")
                .field("key_id", key_id)
                .field("context", context)
                .finish(),
            ServerSideEncryption::Customer(key) => f.debug_tuple("Customer").field(key).finish(),
        }
    }
}

impl std::fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerKey")
            .field("algorithm", &self.algorithm)
            .field("key", &"<redacted>")
            .field("key_md5", &self.key_md5)
            .finish()
    }
}

/// Whether a request header carries secret or key material, and so is marked sensitive
/// (`http`'s `Debug` then shows `Sensitive` instead of its value): the SSE-C key of the
/// object or of a copy's source (`x-cos-*server-side-encryption-customer-key`), the
/// session token, `Authorization`, and the key material of a client-side encryption
/// envelope (`x-cos-meta-client-side-encryption-key`, `-iv`, `-start`). Names compare
/// case-insensitively.
///
/// ```
/// use cos_proto::headers::is_sensitive_header;
/// assert!(is_sensitive_header("x-cos-server-side-encryption-customer-key"));
/// assert!(is_sensitive_header("X-Cos-Copy-Source-Server-Side-Encryption-Customer-Key"));
/// assert!(!is_sensitive_header("x-cos-server-side-encryption-customer-key-md5"));
/// assert!(!is_sensitive_header("content-type"));
/// ```
pub fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with("server-side-encryption-customer-key")
        || matches!(
            name.as_str(),
            "authorization"
                | "x-cos-security-token"
                | "x-cos-meta-client-side-encryption-key"
                | "x-cos-meta-client-side-encryption-iv"
                | "x-cos-meta-client-side-encryption-start"
        )
}

/// Checks a traffic limit in bit/s.
pub fn check_traffic_limit(bits_per_second: u64) -> Result<(), InputError> {
    if (MIN_TRAFFIC_LIMIT..=MAX_TRAFFIC_LIMIT).contains(&bits_per_second) {
        Ok(())
    } else {
        Err(InputError::InvalidTrafficLimit(bits_per_second))
    }
}

/// Checks a multipart part number.
pub fn check_part_number(part_number: u32) -> Result<(), InputError> {
    if (1..=10_000).contains(&part_number) {
        Ok(())
    } else {
        Err(InputError::InvalidPartNumber(part_number))
    }
}

/// Writes `x-cos-traffic-limit` after checking its range.
pub(crate) fn apply_traffic_limit(
    b: RequestBuilder,
    limit: Option<u64>,
) -> Result<RequestBuilder, InputError> {
    match limit {
        Some(limit) => {
            check_traffic_limit(limit)?;
            b.header_static("x-cos-traffic-limit", &limit.to_string())
        }
        None => Ok(b),
    }
}

/// Standard base64 of the MD5 of `data`: the `Content-MD5` header value.
pub fn content_md5(data: &[u8]) -> String {
    use base64::Engine as _;
    use md5::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn cfg() -> crate::Config {
        crate::Config::builder("ap-guangzhou", "b-1250000000")
            .build()
            .expect("valid")
    }

    #[test]
    fn metadata_names_must_be_x_cos_meta() {
        let apply = |name: &str| {
            let meta = Metadata(vec![(name.to_owned(), "v".to_owned())]);
            RequestBuilder::object(Method::PUT, "k").and_then(|b| meta.apply(b))
        };
        assert!(apply("x-cos-meta-author").is_ok());
        assert!(apply("X-Cos-Meta-Project").is_ok());
        assert!(matches!(
            apply("author"),
            Err(InputError::InvalidMetadataName { .. })
        ));
        assert!(matches!(
            apply("x-cos-meta-"),
            Err(InputError::InvalidMetadataName { .. })
        ));
        assert!(matches!(
            apply("x-cos-meta-a b"),
            Err(InputError::InvalidMetadataName { .. })
        ));
        assert!(matches!(
            apply("x-cos-meta-中文"),
            Err(InputError::InvalidMetadataName { .. })
        ));
    }

    #[test]
    fn traffic_limit_and_part_number_ranges() {
        assert!(check_traffic_limit(819_200).is_ok());
        assert!(check_traffic_limit(838_860_800).is_ok());
        assert_eq!(
            check_traffic_limit(819_199),
            Err(InputError::InvalidTrafficLimit(819_199))
        );
        assert_eq!(
            check_traffic_limit(838_860_801),
            Err(InputError::InvalidTrafficLimit(838_860_801))
        );
        assert!(check_part_number(1).is_ok() && check_part_number(10_000).is_ok());
        assert_eq!(check_part_number(0), Err(InputError::InvalidPartNumber(0)));
        assert_eq!(
            check_part_number(10_001),
            Err(InputError::InvalidPartNumber(10_001))
        );
    }

    #[test]
    fn sse_headers() {
        let key = ServerSideEncryption::customer_key(b"0123456789ABCDEF0123456789ABCDEF");
        let request = RequestBuilder::object(Method::PUT, "k")
            .and_then(|b| key.apply(b))
            .and_then(|b| b.build(&cfg()))
            .expect("builds");
        let h = request.headers();
        assert_eq!(
            h["x-cos-server-side-encryption-customer-algorithm"],
            "AES256"
        );
        assert_eq!(
            h["x-cos-server-side-encryption-customer-key"],
            "MDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY="
        );
        assert_eq!(
            h["x-cos-server-side-encryption-customer-key-md5"],
            "U5L61r7jcwdNvT7frmUG8g=="
        );
        assert!(!format!("{key:?}").contains("MDEy"));
        let kms = ServerSideEncryption::Kms {
            key_id: Some("kid".to_owned()),
            context: None,
        };
        let request = RequestBuilder::object(Method::PUT, "k")
            .and_then(|b| kms.apply(b))
            .and_then(|b| b.build(&cfg()))
            .expect("builds");
        assert_eq!(request.headers()["x-cos-server-side-encryption"], "cos/kms");
        assert_eq!(
            request.headers()["x-cos-server-side-encryption-cos-kms-key-id"],
            "kid"
        );
    }

    #[test]
    fn storage_class_round_trips() {
        for class in [
            "STANDARD",
            "STANDARD_IA",
            "ARCHIVE",
            "DEEP_ARCHIVE",
            "INTELLIGENT_TIERING",
            "MAZ_STANDARD",
        ] {
            assert_eq!(StorageClass::parse(class).as_str(), class);
        }
        assert_eq!(StorageClass::parse("Standard"), StorageClass::Standard);
        assert_eq!(
            StorageClass::parse("NEW_CLASS"),
            StorageClass::Other("NEW_CLASS".to_owned())
        );
        assert!(StorageClass::DeepArchive.is_archive());
    }

    #[test]
    fn content_md5_is_base64_of_the_digest() {
        assert_eq!(content_md5(b"hello world"), "XrY7u+Ae7tCTyyK7j1rNww==");
    }
}
