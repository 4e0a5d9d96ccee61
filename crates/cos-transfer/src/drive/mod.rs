//! What every client runs, written once (feature `drive`), generic over what differs
//! between runtimes:
//!
//! * the retry loop of one call ([`execute`]) over the client's [`Transport`] (one
//!   attempt over its HTTP stack, and its sleep);
//! * the transfer loops ([`upload_file`], [`download_to`], [`copy`], [`upload_dir`],
//!   [`download_dir`], [`save`]), which take the machines' actions, hand each request
//!   to the client ([`Requests`]), run each local-file step, and report the outcomes,
//!   concurrently through [`Tasks`];
//! * the upload payload ([`Payload`]), the encrypting client's envelope work
//!   ([`Encryption`], [`Decrypting`]) and the clients' method declarations
//!   ([`operation_methods!`](crate::operation_methods),
//!   [`transfer_methods!`](crate::transfer_methods),
//!   [`encryption_methods!`](crate::encryption_methods)).
//!
//! `cos-tokio` implements the traits with hyper, tasks and the blocking pool;
//! `cos-blocking` with ureq and a thread per action, and waits for each future on the
//! calling thread. A transfer loop whose machine is done returns only once nothing it
//! started is still running (a failure may end it while other parts are in flight:
//! they are waited for, never left to write a checkpoint under the next run).

use std::fs::File;
use std::future::Future;

use bytes::Bytes;
use cos_proto::Config;
use cos_proto::Operation;
use cos_proto::crc64::Crc64Tap;
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{GetObject, GetObjectOutput};

use crate::TransferError;

mod call;
mod chunks;
mod copy;
mod credentials;
mod directory;
mod download;
#[cfg(feature = "crypto")]
mod encryption;
mod methods;
mod payload;
mod save;
mod upload;

pub use call::{
    AttemptError, AttemptPlan, CallSettings, Transport, execute, jitter, unix_now, unix_now_micros,
};
pub use chunks::{BodyCollector, ChunkPool, PRESIZE_LIMIT};
pub use copy::copy;
pub use credentials::{
    CredentialsIo, CredentialsProvider, Fetched, MAX_STS_ANSWER, STS_TIMEOUT, call_cloud_api,
    call_kms, read_small_file,
};
pub use directory::{download_dir, upload_dir};
#[cfg(feature = "crypto")]
pub use download::download_decrypted;
pub use download::download_to;
#[cfg(feature = "crypto")]
pub use encryption::{Decrypting, Encryption, crypto};
pub use methods::append_object;
pub use payload::{Attempt, AttemptData, Payload, PlaintextCrc64};
pub use save::{files_for, save};
pub use upload::upload_file;
#[cfg(feature = "crypto")]
pub use upload::upload_file_encrypted;

/// A client, as the transfer loops use it. Every method is one call of the client's
/// own API; the futures it returns must not borrow anything but their arguments.
pub trait Requests: Clone + Send + Sync + 'static {
    /// The client's upload body.
    type Body: TransferBody;
    /// The body of a GET.
    type Object: ChunkSource + Send + 'static;
    /// A set of concurrent actions with outcomes of type `O`.
    type Tasks<O: Send + 'static>: Tasks<O> + Send;

    /// The client's configuration (its bucket).
    fn config(&self) -> &Config;

    /// The same client for another bucket or endpoint (a copy's source).
    fn with_config(&self, config: Config) -> Self;

    /// An empty set of concurrent actions.
    fn tasks<O: Send + 'static>(&self) -> Self::Tasks<O>;

    /// Runs blocking file work where it may block (a thread pool, or the caller's
    /// thread). It starts at once: the future only waits for its result.
    fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ClientError> + Send + 'static,
    ) -> impl Future<Output = Result<T, ClientError>> + Send + 'static;

    /// Sends a buffered operation with its body (the body's `Default` when it has none).
    fn send<O>(
        &self,
        op: &O,
        body: Self::Body,
    ) -> impl Future<Output = Result<O::Output, ClientError>> + Send
    where
        O: Operation + Sync,
        O::Output: Send;

    /// GET Object, its body unread.
    fn get_object(
        &self,
        op: &GetObject,
    ) -> impl Future<Output = Result<(GetObjectOutput, Self::Object), ClientError>> + Send;
}

/// Actions running concurrently, their outcomes collected in the order they finish.
/// Dropping the set must stop or detach what it runs without blocking.
pub trait Tasks<O: Send + 'static> {
    /// Starts `action`.
    fn spawn(&mut self, action: impl Future<Output = O> + Send + 'static);
    /// Starts blocking file work.
    fn spawn_blocking(&mut self, work: impl FnOnce() -> O + Send + 'static);
    /// The outcome of the next action to finish; an error when nothing is in flight or
    /// an action panicked.
    fn next(&mut self) -> impl Future<Output = Result<O, TransferError>> + Send;
    /// How many actions are still running.
    fn len(&self) -> usize;
    /// Whether nothing is running.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A client's upload body, as the transfer loops build them ([`Default`]: no payload).
pub trait TransferBody: Default + Send + 'static {
    /// `len` bytes of `file` from `offset`, read as they are sent (rewound on retry),
    /// every byte of every attempt fed into `tap`.
    fn file_range(file: File, offset: u64, len: u64, tap: Crc64Tap) -> Self;
    /// Encrypted with `cipher` as they are sent, the first byte at `offset` of the
    /// cipher's stream.
    #[cfg(feature = "crypto")]
    fn encrypted(self, cipher: cos_crypto::CtrCipher, offset: u64) -> Self;
    /// Where the CRC-64 of the plain bytes comes from before sending
    /// ([`Payload::plaintext_crc64`]).
    #[cfg(feature = "crypto")]
    fn plaintext_crc64(&self) -> Option<std::io::Result<PlaintextCrc64>>;
}

/// A GET's body (or its decrypted view), chunk by chunk.
pub trait ChunkSource {
    /// The next chunk (never empty); `None` at the verified end.
    fn next_chunk(&mut self) -> impl Future<Output = Option<Result<Bytes, ClientError>>> + Send;
    /// After the end: checks that every announced byte arrived.
    fn check_complete(&self) -> Result<(), ClientError>;
}

/// Waits for every action still in flight; their outcomes no longer matter.
async fn settle<O: Send + 'static>(tasks: &mut impl Tasks<O>) {
    while !tasks.is_empty() {
        let _ = tasks.next().await;
    }
}

fn file_error(path: &std::path::Path) -> impl Fn(std::io::Error) -> ClientError + '_ {
    move |source| ClientError::File {
        path: path.to_owned(),
        source,
    }
}
