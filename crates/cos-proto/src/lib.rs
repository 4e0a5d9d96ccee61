//! `cos-proto`: the Sans-IO core of a Tencent Cloud Object Storage (COS) client.
//!
//! It builds signed [`http::Request`]s for every COS object and bucket operation and parses
//! [`http::Response`]s into typed results and errors. It owns no sockets, no files, no
//! clock and no random source: time and random numbers are inputs, and object data is
//! streamed by the driver (`cos-tokio`, `cos-blocking`, or your own).
//!
//! ```
//! use cos_proto::{Config, Credentials, Operation, ops::PutObject, sign};
//!
//! let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build()?;
//! let credentials = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE")?;
//! let put = PutObject::new("docs/hello.txt", Some(11)).content_type("text/plain");
//! let mut request = put.build_request(&config)?;
//! let now = 1_700_000_000; // the driver reads the clock, not the core
//! sign::sign_request(
//!     &mut request,
//!     &credentials,
//!     sign::KeyTime::new(now, sign::DEFAULT_REQUEST_EXPIRY_SECS),
//!     sign::SignOptions::default(),
//! )?;
//! assert!(request.headers().contains_key("authorization"));
//! // ...send `request` with the 11 payload bytes, then `put.parse_response(..)`.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod civil;
pub mod cloud_api;
pub mod config;
pub mod crc64;
pub mod credentials;
pub mod driver;
pub mod encode;
pub mod error;
pub mod headers;
pub mod key;
pub mod operation;
pub mod ops;
pub mod presign;
pub mod provider;
pub mod request;
pub mod response;
pub mod retry;
pub mod select;
pub mod sign;
mod xml;

pub use config::{Config, ConfigBuilder, CosDomain, Scheme};
pub use credentials::{Credentials, ExpiringCredentials, RefreshPolicy};
pub use error::{Error, InputError, ResponseError, ServiceError};
pub use operation::{Operation, ResponseBody, TimeoutClass};
pub use request::Body;

/// The `User-Agent` drivers send.
pub const USER_AGENT: &str = concat!("cos-rs/", env!("CARGO_PKG_VERSION"));
