//! `cos-object-store`: Apache Arrow's [`object_store::ObjectStore`] for Tencent Cloud
//! Object Storage (COS), on the async client [`cos_tokio`].
//!
//! Data engines that read and write through `object_store` (DataFusion, Polars, delta-rs,
//! ...) reach a COS bucket through [`CosObjectStore`]. It implements, for the
//! `object_store` version the newest DataFusion release depends on (0.13):
//!
//! * [`ObjectStore`](object_store::ObjectStore): PUT (overwrite, or create-only through
//!   `x-cos-forbid-overwrite`), GET (ranges, conditions, versions, HEAD; bodies
//!   streamed, resumed where a connection broke, and CRC-64 checked on whole-object
//!   reads), deletes in batches of 1,000, listings, copy and rename (multipart copy above
//!   5 GiB; a rename deletes the source only once the copy is verified);
//! * [`MultipartStore`](object_store::multipart::MultipartStore) and
//!   [`PaginatedListStore`](object_store::list::PaginatedListStore);
//! * tags read back ([`CosObjectStore::tags`]) and presigned URLs
//!   ([`CosObjectStore::signed_url`]; `object_store::signer::Signer` with the `signer`
//!   feature, which turns on `object_store`'s `cloud` feature and so brings reqwest);
//! * [`CosObjectStoreRegistry`], an
//!   [`ObjectStoreRegistry`](object_store::registry::ObjectStoreRegistry) that resolves
//!   `cos://` and `cosn://` URLs, one store per bucket, for engines that look stores up by
//!   URL.
//!
//! ```no_run
//! # async fn demo() -> object_store::Result<()> {
//! use cos_object_store::CosObjectStoreBuilder;
//! use object_store::{ObjectStoreExt, path::Path};
//!
//! // Keys from the default credential chain (environment, files, TKE, CVM role).
//! let store = CosObjectStoreBuilder::new()
//!     .with_url("cos://examplebucket-1250000000/tables")?
//!     .with_region("ap-guangzhou")
//!     .build()?;
//! store.put(&Path::from("a/b.parquet"), "data".into()).await?;
//! let bytes = store.get(&Path::from("a/b.parquet")).await?.bytes().await?;
//! # let _ = bytes; Ok(()) }
//! ```
//!
//! What COS cannot do, and how the store answers:
//!
//! * `PutMode::Update` (a PUT conditional on an ETag): COS has no conditional PUT, so it
//!   fails with [`object_store::Error::NotImplemented`].
//! * `PutMode::Create`, `copy_if_not_exists` and `rename_if_not_exists` rely on
//!   `x-cos-forbid-overwrite: true`, which COS ignores in a bucket that has ever had
//!   versioning enabled: there they overwrite.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod attributes;
mod builder;
mod errors;
mod list;
mod multipart;
mod path;
mod registry;
#[cfg(feature = "signer")]
mod signer;
mod store;

pub use builder::CosObjectStoreBuilder;
pub use multipart::CosMultipartUpload;
pub use registry::CosObjectStoreRegistry;
pub use store::CosObjectStore;

/// The `object_store` crate this store implements, re-exported so that callers use the
/// same version.
pub use object_store;
