//! `cos-tokio`: an async client for Tencent Cloud Object Storage (COS), on Tokio and
//! hyper 1 (HTTP/1.1, rustls).
//!
//! It is a thin driver over [`cos_proto`], the Sans-IO core: the core builds and signs
//! every request, parses every response, and decides every retry
//! ([`cos_proto::driver::call::Call`]); every loop around it (the retry loop of a call,
//! the transfers, the encrypting client's envelope work) is `cos_transfer::drive`'s,
//! shared with `cos-blocking`. This crate moves the bytes — connection pool, TLS,
//! proxies, timeouts, sleeping between attempts, streaming bodies — on Tokio tasks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use cos_proto::Config;
//! use cos_proto::ops::{GetObject, ListObjects, PutObject};
//! use cos_tokio::{Client, UploadBody};
//!
//! let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build()?;
//! let client = Client::builder(config).build()?;
//! client.put_object(&PutObject::new("a.txt", Some(2)), "hi").await?;
//! let file = UploadBody::file("big.bin")?; // streamed, rewound on retry
//! client.put_object(&PutObject::new("big.bin", file.len()), file).await?;
//! let listing = client.list_objects(&ListObjects::new().prefix("a")).await?;
//! client.get_object_to_file(&GetObject::new("big.bin"), "copy.bin").await?;
//! # let _ = listing; Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod body;
mod client;
mod credentials;
mod download;
#[cfg(feature = "crypto")]
mod encryption;
mod error;
#[cfg(feature = "crypto")]
mod kms;
mod ops;
mod pages;
mod select;
mod sources;
mod transfer;
mod transport;

pub use body::UploadBody;
pub use client::{Client, ClientBuilder};
#[cfg(feature = "crypto")]
pub use cos_crypto::object::EncryptedUpload;
pub use cos_proto::driver::pages::Paginated;
pub use cos_proto::provider::CredentialSource;
pub use cos_transfer::drive::CredentialsProvider;
pub use credentials::{
    EnvCredentials, ProvideCredentials, RefreshingCredentials, StaticCredentials,
};
pub use download::ObjectBody;
#[cfg(feature = "crypto")]
pub use encryption::{DecryptedBody, EncryptionClient};
pub use error::{BoxError, Error};
pub use pages::{ListObjectsPages, Pages};
pub use select::SelectEvents;

#[cfg(feature = "crypto")]
pub use cos_crypto;
/// The core crate, re-exported: configuration, credentials, operations, errors.
pub use cos_proto;
/// The transfer machines' types (options, outputs, events, errors), re-exported.
pub use cos_transfer;
