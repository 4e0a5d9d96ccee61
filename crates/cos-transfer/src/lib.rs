//! `cos-transfer`: the resumable transfer state machines of cos-rs, Sans-IO.
//!
//! Each machine — [`Upload`], [`Download`], [`Copy`](struct@Copy) — is driven the same way, in the
//! style of quinn-proto: the driver asks it for the next action, performs it (sends a
//! request through its client, reads a source range, writes a checkpoint) and reports the
//! outcome; the machine never touches a file, a socket or a clock. It owns the rules:
//! part sizing ([`PartPlan`]), the concurrency window, checkpoint contents
//! ([`UploadCheckpoint`], [`DownloadCheckpoint`]) and when they may be written, resume and
//! reconciliation, CRC64 verification by combining part CRCs, and progress
//! ([`TransferEvent`]) that never goes backwards.
//!
//! ```text
//! loop {
//!     while let Some(event) = machine.poll_event() { report(event) }
//!     match machine.poll_action() {
//!         Some(Action::Done(result)) => return result,
//!         Some(action) => start(action),          // at most `concurrency` requests at once
//!         None => machine.handle(next_outcome()), // wait for something in flight
//!     }
//! }
//! ```
//!
//! [`paths`] holds the rules that map keys to local paths safely. The optional `fs`
//! feature holds the file actions both drivers share (files created in directories held
//! open, atomic checkpoint replace, durable rename); the optional `crypto` feature,
//! [`encrypted`], the rules of resumable client-side encrypted transfers. The optional
//! `drive` feature (`drive`) writes these loops once for every client — and the retry
//! loop of a call, the upload payload, the encrypting client's envelope work and the
//! clients' method declarations — generic over the client's transport and concurrency:
//! `cos-tokio` runs them on tasks, `cos-blocking` on threads.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod checkpoint;
mod copy;
mod download;
#[cfg(feature = "drive")]
pub mod drive;
#[cfg(feature = "crypto")]
pub mod encrypted;
mod error;
#[cfg(feature = "fs")]
pub mod fs;
mod options;
pub mod paths;
mod plan;
mod progress;
pub mod sealing;
mod upload;
mod window;

pub use checkpoint::{
    CHECKPOINT_FORMAT, CheckpointError, CompletedPart, CompletedRange, DownloadCheckpoint,
    ENVELOPE_HEADER_PREFIX, EncryptionRecord, ObjectIdentity, SourceIdentity, UploadCheckpoint,
};
pub use copy::{Copy, CopyAction, CopyOutcome, CopyOutput};
pub use download::{Download, DownloadAction, DownloadOutcome, DownloadOutput};
pub use error::{TransferError, is_transient};
pub use options::{DirectoryOptions, TransferOptions};
pub use plan::{DEFAULT_PART_SIZE, MAX_PART_SIZE, MAX_PARTS, PartPlan, PlanError};
pub use progress::{Progress, TransferEvent};
pub use sealing::{Opener, Sealing};
pub use upload::{Upload, UploadAction, UploadOutcome, UploadOutput};
