//! `cos-conformance`: one suite of checks that every COS client of this workspace must
//! pass, so that `cos-tokio` and `cos-blocking` give the same results by construction.
//!
//! A client crate implements [`ConformanceClient`] for its `Client` in its own
//! `tests/conformance.rs` (an async client through a runtime's `block_on`), starts an
//! in-process `cos-emulator`, and calls [`run_all`]:
//!
//! ```ignore
//! let results = cos_conformance::run_all(&my_client, &setup);
//! for (name, result) in &results {
//!     println!("{name}: {}", match result { Ok(()) => "ok".to_owned(), Err(e) => e.clone() });
//! }
//! assert!(results.iter().all(|(_, r)| r.is_ok()));
//! ```
//!
//! Every method takes the `cos-proto` operation the check built, so both clients receive
//! exactly the same parameters, and returns the `cos-proto` output (or a [`Failure`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// Fails the check with a message unless `cond` holds (every module of the suite uses
/// it: defined before them).
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+));
        }
    };
}

pub mod buckets;
mod checks;
pub mod credentials;
mod fetch;
pub mod process;
mod timeouts;
pub mod transfer;
mod villains;

use std::fmt;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use cos_proto::Config;
use cos_proto::ops::{
    AbortMultipartUpload, AbortMultipartUploadOutput, AppendObject, AppendObjectOutput,
    CompleteMultipartUpload, CompleteMultipartUploadOutput, CopyObject, CopyObjectOutput,
    CustomRequest, DeleteObject, DeleteObjectOutput, DeleteObjectTagging,
    DeleteObjectTaggingOutput, DeleteObjects, DeleteObjectsOutput, GetObject, GetObjectAcl,
    GetObjectAclOutput, GetObjectOutput, GetObjectTagging, GetObjectTaggingOutput, HeadObject,
    InitiateMultipartUpload, InitiateMultipartUploadOutput, ListMultipartUploads,
    ListMultipartUploadsOutput, ListObjectVersions, ListObjectVersionsOutput, ListObjects,
    ListObjectsOutput, ListParts, ListPartsOutput, ObjectInfo, PutObject, PutObjectAcl,
    PutObjectAclOutput, PutObjectOutput, PutObjectTagging, PutObjectTaggingOutput, RestoreObject,
    RestoreObjectOutput, SelectObjectContent, UploadPart, UploadPartCopy, UploadPartCopyOutput,
    UploadPartOutput,
};
use cos_proto::presign::Presign;
use cos_proto::select::SelectEvent;
use cos_proto::{Error as ProtoError, ServiceError};

pub use checks::check_names;
pub use fetch::http_get;

/// What a client call returns in the suite.
pub type Outcome<T> = Result<T, Failure>;

/// A client error, reduced to what the checks compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// COS answered with an error (also inside a `200`, and a Select `error` event, which
    /// the client reports with status 200 and the event's code and message).
    Service(Box<ServiceError>),
    /// `304 Not Modified`: the client's typed outcome (`cos_proto::Error::NotModified`)
    /// for a condition that found the caller's copy current.
    NotModified(Box<ServiceError>),
    /// No usable response: connect, timeout, reset, TLS (the client's message).
    Transport(String),
    /// The body went wrong: short body, CRC mismatch, file or stream I/O.
    Body(String),
    /// Rejected on this side of the wire: invalid input, unparsable response, missing
    /// credentials.
    Client(String),
}

impl Failure {
    /// Maps a `cos-proto` error the same way for every client: service errors keep
    /// their fields, input and response errors become [`Failure::Client`].
    pub fn from_proto(err: &ProtoError) -> Self {
        if let ProtoError::NotModified(answer) = err {
            return Failure::NotModified(answer.clone());
        }
        match err.service_error() {
            Some(service) => Failure::Service(Box::new(service.clone())),
            None => Failure::Client(err.to_string()),
        }
    }

    /// The service error, when COS answered with one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Failure::Service(err) | Failure::NotModified(err) => Some(err),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Service(err) => write!(f, "service error: {err}"),
            Failure::NotModified(err) => write!(f, "not modified: {err}"),
            Failure::Transport(msg) => write!(f, "transport error: {msg}"),
            Failure::Body(msg) => write!(f, "body error: {msg}"),
            Failure::Client(msg) => write!(f, "client error: {msg}"),
        }
    }
}

/// An upload body, in the three shapes every client supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    /// Bytes in memory (replayable).
    Bytes(Bytes),
    /// A file of known length, streamed from disk (seekable, replayable).
    File(PathBuf),
    /// A stream of unknown length, sent `Transfer-Encoding: chunked` (not replayable):
    /// the client must feed these chunks through its reader/stream body type.
    Chunks(Vec<Bytes>),
    /// Like [`Upload::Chunks`], from a slow source: it takes `hold` to give each chunk
    /// (a sleeping reader, a stream that waits on a timer).
    SlowChunks(Vec<Bytes>, std::time::Duration),
}

/// Where and how the suite runs.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The configuration the client was built with (copy sources are named from it).
    pub config: Config,
    /// An existing, writable directory for the suite's files.
    pub scratch_dir: PathBuf,
    /// Every key the suite writes starts with this (e.g. `"blocking/"`), so several runs
    /// can share a bucket.
    pub prefix: String,
    /// A bucket with versioning enabled, for the `list_object_versions` check (reached
    /// through [`ConformanceClient::with_bucket`]). `None` fails that check.
    pub versioned_bucket: Option<String>,
}

impl Setup {
    /// A setup for `config`, writing files under `scratch_dir`, keys under `prefix`.
    pub fn new(config: Config, scratch_dir: impl Into<PathBuf>, prefix: impl Into<String>) -> Self {
        Self {
            config,
            scratch_dir: scratch_dir.into(),
            prefix: prefix.into(),
            versioned_bucket: None,
        }
    }

    /// Names the versioned bucket.
    pub fn versioned_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.versioned_bucket = Some(bucket.into());
        self
    }
}

/// One client under test, blocking style. Every method is a thin call of the client's
/// method of the same name, with the client's error mapped to a [`Failure`].
pub trait ConformanceClient {
    /// The same client, talking to another bucket (same endpoint and credentials).
    fn with_bucket(&self, bucket: &str) -> Outcome<Box<dyn ConformanceClient>>;

    /// `put_object`: uploads `body` (its length agrees with the operation's).
    fn put_object(&self, op: &PutObject, body: Upload) -> Outcome<PutObjectOutput>;
    /// `head_object`.
    fn head_object(&self, op: &HeadObject) -> Outcome<ObjectInfo>;
    /// `get_object`, the body read to the end through the client's reader
    /// (`std::io::Read` / `tokio::io::AsyncRead`).
    fn get_object(&self, op: &GetObject) -> Outcome<(GetObjectOutput, Vec<u8>)>;
    /// `get_object`, the body read through the client's chunk iterator / `Stream`.
    fn get_object_chunks(&self, op: &GetObject) -> Outcome<(GetObjectOutput, Vec<Bytes>)>;
    /// `get_object` read by a slow consumer: it keeps the first chunk `hold` before
    /// reading the rest. Returns the data and how many times the body was resumed.
    fn get_object_held(&self, op: &GetObject, hold: std::time::Duration)
    -> Outcome<(Vec<u8>, u32)>;
    /// `get_object_to_file`.
    fn get_object_to_file(&self, op: &GetObject, path: &Path) -> Outcome<GetObjectOutput>;
    /// `delete_object`.
    fn delete_object(&self, op: &DeleteObject) -> Outcome<DeleteObjectOutput>;
    /// `delete_objects`.
    fn delete_objects(&self, op: &DeleteObjects) -> Outcome<DeleteObjectsOutput>;
    /// `list_objects` (one page).
    fn list_objects(&self, op: &ListObjects) -> Outcome<ListObjectsOutput>;
    /// Every page from the client's paginating iterator / stream, starting at `op`.
    fn list_objects_pages(&self, op: &ListObjects) -> Outcome<Vec<ListObjectsOutput>>;
    /// `list_object_versions`.
    fn list_object_versions(&self, op: &ListObjectVersions) -> Outcome<ListObjectVersionsOutput>;
    /// `copy_object`.
    fn copy_object(&self, op: &CopyObject) -> Outcome<CopyObjectOutput>;
    /// `restore_object`.
    fn restore_object(&self, op: &RestoreObject) -> Outcome<RestoreObjectOutput>;
    /// `select_object_content`: every event of the client's event iterator / stream, up
    /// to and including `End`. An `error` event is a [`Failure::Service`] (status 200).
    fn select_object_content(&self, op: &SelectObjectContent) -> Outcome<Vec<SelectEvent>>;
    /// `append_object`.
    fn append_object(&self, op: &AppendObject, body: Upload) -> Outcome<AppendObjectOutput>;
    /// `list_multipart_uploads`.
    fn list_multipart_uploads(
        &self,
        op: &ListMultipartUploads,
    ) -> Outcome<ListMultipartUploadsOutput>;
    /// `create_multipart_upload`.
    fn create_multipart_upload(
        &self,
        op: &InitiateMultipartUpload,
    ) -> Outcome<InitiateMultipartUploadOutput>;
    /// `upload_part`.
    fn upload_part(&self, op: &UploadPart, body: Upload) -> Outcome<UploadPartOutput>;
    /// `upload_part_copy`.
    fn upload_part_copy(&self, op: &UploadPartCopy) -> Outcome<UploadPartCopyOutput>;
    /// `list_parts`.
    fn list_parts(&self, op: &ListParts) -> Outcome<ListPartsOutput>;
    /// `complete_multipart_upload`.
    fn complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Outcome<CompleteMultipartUploadOutput>;
    /// `send(op, ())`: the generic path, which must give the operation what the
    /// convenience method gives it (its timeout, first of all).
    fn send_complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Outcome<CompleteMultipartUploadOutput>;
    /// `abort_multipart_upload`.
    fn abort_multipart_upload(
        &self,
        op: &AbortMultipartUpload,
    ) -> Outcome<AbortMultipartUploadOutput>;
    /// `put_object_tagging`.
    fn put_object_tagging(&self, op: &PutObjectTagging) -> Outcome<PutObjectTaggingOutput>;
    /// `get_object_tagging`.
    fn get_object_tagging(&self, op: &GetObjectTagging) -> Outcome<GetObjectTaggingOutput>;
    /// `delete_object_tagging`.
    fn delete_object_tagging(&self, op: &DeleteObjectTagging)
    -> Outcome<DeleteObjectTaggingOutput>;
    /// `put_object_acl`.
    fn put_object_acl(&self, op: &PutObjectAcl) -> Outcome<PutObjectAclOutput>;
    /// `get_object_acl`.
    fn get_object_acl(&self, op: &GetObjectAcl) -> Outcome<GetObjectAclOutput>;
    /// `presigned_url`: signed with the client's credentials and clock.
    fn presigned_url(&self, presign: &Presign) -> Outcome<String>;
    /// `send` of a [`CustomRequest`] with `body` as its payload.
    fn custom_request(&self, op: &CustomRequest, body: Upload) -> Outcome<http::Response<Bytes>>;

    /// Which credential source supplied the client's keys, when the client drives one.
    fn credential_source(&self) -> Option<cos_proto::provider::CredentialSource> {
        None
    }
}

/// Runs every check in order and returns each one's name and result (an `Err` holds a
/// readable explanation). Checks do not stop at the first failure.
pub fn run_all(
    client: &dyn ConformanceClient,
    setup: &Setup,
) -> Vec<(&'static str, Result<(), String>)> {
    checks::run_all(client, setup)
}

/// Formats results as one line per check and a closing `N passed, M failed` line.
pub fn report(results: &[(&'static str, Result<(), String>)]) -> String {
    let mut out = String::new();
    let mut failed = 0;
    for (name, result) in results {
        match result {
            Ok(()) => out.push_str(&format!("ok     {name}\n")),
            Err(why) => {
                failed += 1;
                out.push_str(&format!("FAILED {name}: {why}\n"));
            }
        }
    }
    out.push_str(&format!(
        "conformance: {} passed, {failed} failed\n",
        results.len() - failed
    ));
    out
}
