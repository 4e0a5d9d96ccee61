//! `cos-emulator`: a local Tencent Cloud COS-compatible server with fault injection.
//!
//! A hyper 1 server on `127.0.0.1` that speaks the COS XML API closely enough for SDK
//! tests and offline development:
//!
//! * **Auth** — COS signatures checked with the same canonicalisation as COS (cos-proto's
//!   own functions): `403 SignatureDoesNotMatch` (with `StringToSign` and `FormatString`
//!   in the error), `403 InvalidAccessKeyId`, `403 AccessDenied` "Request has expired",
//!   STS tokens; optional anonymous mode. Virtual-host (`Host: bucket-appid.cos.…`) and
//!   path-style (`http://127.0.0.1:PORT/<bucket>/<key>`) requests.
//! * **Objects** — PUT (Content-MD5 → `BadDigest`), GET/HEAD (ranges → 206/416,
//!   conditions → 304/412, `response-*` overrides), DELETE, Delete Multiple (quiet),
//!   copy (metadata directive, conditions, 200-with-error when copying fails), append
//!   (with `x-cos-content-sha1`, the hex MD5 of the appended bytes, as COS sends it),
//!   restore of ARCHIVE/DEEP_ARCHIVE objects, tagging, ACL, Select (CSV, JSON; plain,
//!   GZIP or BZIP2; filters, projections, `CAST` and the aggregates `COUNT`, `SUM`,
//!   `AVG`, `MIN`, `MAX`) as a CRC-checked event stream, versioning with delete markers,
//!   multipart uploads (part copy, listings with pagination, complete with order and
//!   size checks).
//! * **Buckets** — PUT Bucket (COS's name rules: `<name>-<appid>`, the request domain at
//!   most 60 characters, else `400 InvalidBucketName`; `x-cos-acl`/`x-cos-grant-*`; a
//!   `CreateBucketConfiguration` for OFS/MAZ; an existing bucket is
//!   `409 BucketAlreadyExists`), HEAD (404 without a body), DELETE (`409 BucketNotEmpty`
//!   while objects or uploads remain), GET Service (`ListAllMyBucketsResult`; `marker`,
//!   `max-keys`, `region`, `tagkey`/`tagvalue`, `create-time`/`range`), location, ACL,
//!   versioning, and every bucket sub-resource stored with the bucket and served back in
//!   COS's shape: `?lifecycle`, `?cors`, `?policy`, `?tagging`, `?referer`, `?website`,
//!   `?logging`, `?encryption`, `?replication`, `?inventory&id=` (listed without `id`,
//!   one-shot POST), `?domain`, `?intelligenttiering`, `?intelligent-tiering&id=`,
//!   `?object-lock` — malformed documents `400 MalformedXML` (`MalformedPolicy` /
//!   `PolicyInvalid` for policies), unset ones COS's 404 code. CORS rules answer
//!   `OPTIONS` preflights and add `Access-Control-*` headers; lifecycle expiration runs
//!   when the clock moves ([`Emulator::apply_lifecycle`]); a bucket policy allowing
//!   anonymous `cos:GetObject` opens objects to unsigned reads. With
//!   [`EmulatorConfig::auto_create_buckets`]`(false)` (`--no-auto-create`) a bucket
//!   exists only once created.
//! * **Limits** — user metadata (`x-cos-meta-*`) as COS's PUT Object documentation
//!   gives it: at most 2 KB per header (name suffix and value) and 4 KB in all, on every
//!   write that sets it (PUT, initiate, copy with `Replaced`, the first append).
//! * **HTTP details** — a `304 Not Modified` carries `ETag`, `Last-Modified`,
//!   `Cache-Control` and `Expires` (RFC 9110 §15.4.5), no body and no `Content-Length`.
//! * **Wire format** — response header names are spelled as COS spells them (`ETag`,
//!   `Content-Length`, `Last-Modified`, …; `x-cos-*` in lower case), for clients that
//!   look headers up case-sensitively, such as the Python SDK's plain dict.
//! * **Integrity** — `x-cos-hash-crc64ecma` on put, upload part, complete (when every
//!   part has one), head and get; `x-cos-request-id` on every response.
//! * **Storage** — in memory, or under a data directory with atomic writes (a killed
//!   emulator never serves a torn object).
//! * **Tencent Cloud** — on the same port, a request with an `X-TC-Action` header is a
//!   Cloud API 3.0 call: `TC3-HMAC-SHA256` signatures, `X-TC-Timestamp` skew (five
//!   minutes) and `X-TC-Token` checked, answers and errors as the Cloud API's JSON. STS
//!   (`AssumeRole`, `AssumeRoleWithWebIdentity` — unsigned accepted —,
//!   `GetFederationToken`) issues temporary keys that COS and the Cloud API accept with
//!   their token until `ExpiredTime` on the emulator clock (then COS answers
//!   `400 ExpiredToken`); [`EmulatorConfig::sts_max_duration`] caps their lifetime. KMS
//!   (`GenerateDataKey`, `Encrypt`, `Decrypt`) seals under emulator-made master keys, the
//!   encryption context bound. `GET /latest/meta-data/cam/security-credentials/[<role>]`
//!   is a CVM's metadata endpoint for [`EmulatorConfig::cvm_role`].
//!   [`Emulator::cloud_api_calls`] and [`Emulator::metadata_requests`] count the calls.
//! * **Faults** — per test through [`Emulator::faults`], or through the admin endpoint
//!   `/-/emulator/faults` for the binary: statuses, connection resets, truncated bodies,
//!   latency, errors inside a 200; deterministic given a seed.
//!
//! ```
//! use cos_emulator::{Emulator, EmulatorConfig};
//!
//! let emulator = Emulator::start(EmulatorConfig::new().bucket("examplebucket-1250000000", false))?;
//! // Point a client at emulator.endpoint() with path-style addressing
//! // (Host = emulator.authority()) and sign with emulator.credentials().
//! assert_eq!(emulator.endpoint(), format!("http://{}", emulator.authority()));
//! drop(emulator); // stops the server
//! # Ok::<(), cos_emulator::EmulatorError>(())
//! ```
//!
//! The binary (`cargo run -p cos-emulator -- --port 9000 --data-dir ./data`) serves the
//! same thing; `--help` lists its options.
//!
//! # Where the emulator differs from COS
//!
//! * Bucket sub-resources are stored and served, and checked only for their required
//!   elements and enumerated values; of their effects the emulator applies CORS,
//!   lifecycle `Expiration` and `AbortIncompleteMultipartUpload` (not transitions,
//!   noncurrent-version rules or replication, inventory reports, referer or website
//!   behaviour). `?origin`, `?accelerate`, `?notification`, `?requestPayment` and
//!   `?publicAccessBlock` answer `501 NotImplemented`. There is no CAM policy model: a
//!   valid signature allows everything; anonymous requests may only read objects whose
//!   ACL (or, for objects without their own, the bucket's) is public or that a bucket
//!   policy lets everyone `cos:GetObject`/`cos:HeadObject` (statement conditions are
//!   ignored), unless anonymous mode is on.
//! * Where COS documents no code the emulator chooses: an unset domain configuration is
//!   `404 NoSuchDomainConfiguration`, an unknown intelligent-tiering id
//!   `404 NoSuchConfiguration`; unset referer and logging configurations are empty
//!   documents, an unset v1 intelligent tiering `Status` `Suspended`. Re-creating one's
//!   own bucket is `409 BucketAlreadyExists`, as COS answered it in the SDK's vectors.
//!   Lifecycle `Days` count from `Last-Modified` in whole days of 86400 seconds (COS
//!   rounds to midnight).
//! * A signature whose window starts in the future is `403 RequestTimeTooSkewed`; a
//!   missing or wrong token of configured credentials is `403 AccessDenied`, of an issued
//!   temporary key `403 InvalidAccessKeyId`. Signatures are checked over exactly
//!   the headers and parameters the `Authorization` lists; for path-style requests the
//!   signed path may include the `/<bucket>` prefix or not.
//! * Where COS's documentation is silent the emulator follows RFC 9110 for ranges: an
//!   inverted range (`bytes=10-5`) is invalid and ignored (200, the whole object), and a
//!   range that starts past the end is `416 InvalidRange`. `Range` values that are not
//!   byte ranges at all are `400 InvalidArgument` (HTTP would ignore them too); several
//!   ranges in one header get the whole object.
//! * COS documents no error code for user metadata over its limits; the emulator answers
//!   `400 InvalidArgument`, the code COS's error table gives for invalid arguments.
//! * COS documents no behaviour for a page size of 0 (`max-keys`, `max-uploads`,
//!   `max-parts`); the emulator answers as S3 does: an empty page with `IsTruncated`
//!   false.
//! * Header sections above 64 KiB, or a header value above 8 KiB, are
//!   `400 RequestHeaderTooLarge`; heads above 1 MiB get the HTTP parser's bare `431`.
//! * `x-cos-traffic-limit` is validated but not enforced. SSE headers are stored and
//!   echoed, nothing is encrypted, and SSE-C keys are not required on reads.
//! * A restore takes [`EmulatorConfig::restore_delay`] on the emulator clock whatever
//!   the tier; a missing `Tier` means `Standard`.
//! * Appends are refused in versioned buckets; appendable objects cannot be copied.
//! * Select reads objects of at most 256 MiB and sends the whole result after running
//!   the query (Records of at most 1 MiB, optional Progress, Stats, End) rather than
//!   streaming while scanning, so errors found while scanning (a malformed record, a
//!   failed `CAST`, text given to `SUM`) are a `400` with the code rather than an error
//!   event. Its SQL is a subset of S3 Select's: no arithmetic, string or date functions,
//!   `LIKE`, `IN`, `BETWEEN`, `CASE` or `COUNT(DISTINCT …)`; a `TIMESTAMP` is checked
//!   and kept (and compared) as its text; misplaced aggregates (beside plain columns, in
//!   `WHERE`, nested) are `400 UnsupportedSqlStructure`. GZIP and BZIP2 objects are decompressed in memory first, to
//!   at most 256 MiB (more is `400 InvalidArgument`); data that does not decompress with
//!   the requested `CompressionType` is `400 TruncatedInput`, S3 Select's code for it.
//! * The Cloud API side has no CAM: any valid signature may call any action, every
//!   well-formed role ARN names an assumable role, policies are accepted and ignored. Only
//!   signatures over `SignedHeaders=content-type;host` (what every official SDK signs) are
//!   checked. KMS blobs are the emulator's own format (Base64, opaque, authenticated), and
//!   every `KeyId` exists unless [`EmulatorConfig::kms_key`] declares some. Faults apply
//!   to Cloud API and metadata requests as to COS ones (a status fault answers COS XML,
//!   as a gateway's error page would be something other than the Cloud API's JSON).
//! * ETags are MD5s (multipart: MD5 of the part MD5s, `-N`); version and upload ids are
//!   derived from a counter, request ids from the clock and a counter. The `Date` header
//!   follows the system clock, everything else the emulator clock.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod admin;
mod auth;
mod body;
mod cloud_api;
mod context;
mod emulator;
mod errors;
mod faults;
mod handlers;
mod router;
mod select_engine;
mod select_handler;
mod server;
mod store;
mod time_fmt;
mod wire;
mod xml_config;
mod xml_in;
mod xml_out;

pub use body::Traffic;
pub use emulator::{
    Clock, DEFAULT_RESTORE_DELAY, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig,
    EmulatorError,
};
pub use faults::{FaultAction, FaultId, FaultRule, FaultRuleStatus, Faults, FiredFault};
pub use handlers::lifecycle::LifecycleRun;
