//! `cos-blocking`: a blocking client for Tencent Cloud Object Storage (COS), built on
//! [`ureq`] 3 and the Sans-IO core [`cos_proto`].
//!
//! The crate only moves bytes. Every COS rule — signing, request building, response
//! parsing, which failures to retry and after how long, resume ranges, credential
//! refresh timing — is called from `cos-proto`, and every loop around it (the retry
//! loop of a call, the transfers, the encrypting client's envelope work) is
//! `cos_transfer::drive`'s, shared with `cos-tokio`: this crate gives them one attempt
//! over ureq and a thread per concurrent action, and waits for them on the calling
//! thread. The convenience methods ([`Client::put_object`], [`Client::get_object`], ...)
//! are one line each over [`Client::send`], the same as `cos-tokio`'s.
//!
//! ```no_run
//! use cos_blocking::{Client, UploadBody};
//! use cos_proto::{Config, ops::{GetObject, PutObject}};
//! use std::io::Read;
//!
//! let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build()?;
//! let client = Client::builder(config).build()?; // keys from the default chain (environment, files, TKE, CVM role)
//! client.put_object(&PutObject::new("hello.txt", Some(5)), "hello")?;
//! let (_, mut body) = client.get_object(&GetObject::new("hello.txt"))?;
//! let mut text = String::new();
//! body.read_to_string(&mut text)?;
//! assert_eq!(text, "hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! * Retries: every attempt is re-signed with the current time and marked
//!   `x-cos-sdk-retry`; the core's classifier decides, a client-wide retry budget caps
//!   retry storms, and bodies that cannot be replayed (readers) are never re-sent.
//! * Streaming: files and readers are uploaded in chunks, downloads are read as they
//!   arrive; memory does not grow with object size.
//! * Redirects are not followed; `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` are honoured.
//! * Tracing: one `cos_request` span per attempt (operation, method, bucket, key,
//!   attempt); header values and bodies are never logged.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod body;
mod client;
mod credentials;
mod download;
#[cfg(feature = "crypto")]
mod encryption;
mod error;
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
pub use download::{ObjectBody, ObjectChunks};
#[cfg(feature = "crypto")]
pub use encryption::{DecryptedBody, EncryptionClient};
pub use error::{BoxError, Error};
pub use pages::{ListObjectsPages, Pages};
pub use select::SelectEvents;

#[cfg(feature = "crypto")]
pub use cos_crypto;
pub use cos_proto;
/// The transfer machines' types (options, outputs, events, errors), re-exported.
pub use cos_transfer;
