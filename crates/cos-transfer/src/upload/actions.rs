//! What an upload asks its driver to do, what the driver reports back, and what a
//! finished upload returns.

use super::*;

/// What the driver must do next for an [`Upload`].
// Each value is moved once per request: boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum UploadAction {
    /// Read the whole source (`len` bytes from offset 0), checked to still be `source`,
    /// send it with `op`, and report [`UploadOutcome::Put`] with the CRC64 of the bytes
    /// sent.
    Put {
        /// The request (its length is the source's).
        op: PutObject,
        /// Bytes to send.
        len: u64,
        /// The file the bytes must come from.
        source: SourceIdentity,
    },
    /// Abort an earlier run's upload that cannot be resumed; report
    /// [`UploadOutcome::Aborted`] (failures are ignored).
    AbortStale(AbortMultipartUpload),
    /// List the parts COS holds for the checkpoint's upload; report
    /// [`UploadOutcome::PartsListed`].
    ListParts(ListParts),
    /// Start the multipart upload; report [`UploadOutcome::Initiated`].
    Initiate(InitiateMultipartUpload),
    /// Read `len` bytes of the source at `offset` (checked to still be `source`), send
    /// them with `op`, and report [`UploadOutcome::PartUploaded`] with their CRC64.
    /// Several may be in flight.
    UploadPart {
        /// The request.
        op: UploadPart,
        /// Where the part starts in the source.
        offset: u64,
        /// The part's length.
        len: u64,
        /// The file the bytes must come from.
        source: SourceIdentity,
    },
    /// Read `len` bytes of the source at `offset`, as they are sent (encrypted at
    /// `offset` when the upload is), and report [`UploadOutcome::PartHashed`] with their
    /// CRC64. A resumed run does this for every part its checkpoint records: a part
    /// counts only if its bytes still have the recorded CRC64, otherwise it is sent
    /// again (a file rewritten with its size and modification time kept, as `cp -p`
    /// does). The cost of a resume is one local read of the parts it keeps. Several may
    /// be in flight.
    HashPart {
        /// The part's number.
        part_number: u32,
        /// Where the part starts in the source.
        offset: u64,
        /// The part's length.
        len: u64,
        /// The file the bytes must come from.
        source: SourceIdentity,
    },
    /// Replace the checkpoint file with this one atomically and durably (write a temp
    /// file, sync it, rename it over, sync the directory); report
    /// [`UploadOutcome::CheckpointSaved`].
    SaveCheckpoint(UploadCheckpoint),
    /// Every byte is sent: read the source's identity now and report
    /// [`UploadOutcome::SourceChecked`]. A file written to since its bytes were read is
    /// never left as a mix of two files: a multipart upload is not completed (the run
    /// fails; the next one sends the parts that changed), a single PUT is sent again.
    CheckSource,
    /// Finish the upload; report [`UploadOutcome::Completed`].
    Complete(CompleteMultipartUpload),
    /// Read the object's attributes: the upload is gone (the completion's answer was
    /// lost and a repeat found no upload, or a resumed run found none), so a completion
    /// may have succeeded. Report [`UploadOutcome::Verified`]: the object is this
    /// upload's if it has the source's size and the CRC64 combined from the parts.
    VerifyCompleted(HeadObject),
    /// Delete the checkpoint file (if any); report [`UploadOutcome::CheckpointRemoved`].
    RemoveCheckpoint,
    /// The upload is over. After this, `poll_action` returns `None`.
    Done(Result<UploadOutput, TransferError>),
}

/// What happened to an [`UploadAction`].
// Each value is moved once per request: boxing the large variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum UploadOutcome {
    /// The PUT's answer and the CRC64 of the bytes sent.
    Put(Result<(PutObjectOutput, u64), ClientError>),
    /// The abort's answer.
    Aborted(Result<(), ClientError>),
    /// One page of the part listing.
    PartsListed(Result<ListPartsOutput, ClientError>),
    /// The initiation's answer.
    Initiated(Result<InitiateMultipartUploadOutput, ClientError>),
    /// A part's answer and the CRC64 of the bytes sent.
    PartUploaded {
        /// The part number of the action.
        part_number: u32,
        /// The answer and the CRC64.
        result: Result<(UploadPartOutput, u64), ClientError>,
    },
    /// A part's bytes were read back: their CRC64 (an error counts as a mismatch: the
    /// part is sent again).
    PartHashed {
        /// The part number of the action.
        part_number: u32,
        /// The CRC64, or why the part could not be read.
        result: Result<u64, ClientError>,
    },
    /// The checkpoint is durable (or could not be written).
    CheckpointSaved(Result<(), ClientError>),
    /// The source's identity just before the completion.
    SourceChecked(Result<SourceIdentity, ClientError>),
    /// The completion's answer.
    Completed(Result<CompleteMultipartUploadOutput, ClientError>),
    /// The object's attributes after a lost completion.
    Verified(Result<ObjectInfo, ClientError>),
    /// The checkpoint is gone (a failure here is ignored: the next run finds the upload
    /// completed and starts over).
    CheckpointRemoved(Result<(), ClientError>),
}

/// A finished upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadOutput {
    /// The object's ETag.
    pub etag: Option<String>,
    /// CRC64 of the object, computed from the bytes sent (combined from the parts) and
    /// checked against COS's when COS sent one.
    pub crc64: u64,
    /// `x-cos-version-id` on versioned buckets.
    pub version_id: Option<String>,
    /// Object size.
    pub size: u64,
    /// Parts (0 for a single PUT).
    pub parts: u32,
    /// Bytes an earlier run had already uploaded.
    pub resumed_bytes: u64,
    /// Bytes this run sent, retries included.
    pub sent_bytes: u64,
}
