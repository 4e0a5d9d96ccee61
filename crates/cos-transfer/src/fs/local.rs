//! The machines' actions that touch only local files (reading back the source or the
//! temp file, writing the checkpoint), carried out here once for every driver. A driver
//! takes them out of the action stream with `of`, runs `run` where blocking file I/O
//! belongs (a worker thread, a runtime's blocking pool), and reports the outcome.

use std::path::Path;

use cos_proto::driver::error::Error as ClientError;

use super::{DownloadTarget, TransferFiles, current_identity, source_crc64, stored_crc64};
use crate::checkpoint::{DownloadCheckpoint, SourceIdentity, UploadCheckpoint};
use crate::{DownloadAction, DownloadOutcome, Sealing, UploadAction, UploadOutcome, paths};

/// An [`UploadAction`] on local files only.
#[derive(Debug)]
pub enum LocalUploadStep {
    /// [`UploadAction::HashPart`].
    HashPart {
        /// The part.
        part_number: u32,
        /// Where it starts in the file.
        offset: u64,
        /// Its length.
        len: u64,
        /// The identity the file must still have.
        source: SourceIdentity,
    },
    /// [`UploadAction::CheckSource`].
    CheckSource,
    /// [`UploadAction::SaveCheckpoint`].
    SaveCheckpoint(UploadCheckpoint),
    /// [`UploadAction::RemoveCheckpoint`].
    RemoveCheckpoint,
}

impl LocalUploadStep {
    /// The local step `action` is, or the action back when it needs COS or ends the run.
    // The action is handed back as it came, by value, once per action.
    #[allow(clippy::result_large_err)]
    pub fn of(action: UploadAction) -> Result<Self, UploadAction> {
        Ok(match action {
            UploadAction::HashPart {
                part_number,
                offset,
                len,
                source,
            } => Self::HashPart {
                part_number,
                offset,
                len,
                source,
            },
            UploadAction::CheckSource => Self::CheckSource,
            UploadAction::SaveCheckpoint(checkpoint) => Self::SaveCheckpoint(checkpoint),
            UploadAction::RemoveCheckpoint => Self::RemoveCheckpoint,
            other => return Err(other),
        })
    }

    /// Carries the step out for the upload of the file at `path` (whose helper files
    /// `files` keep), its bodies sealed as `sealing` says. Blocking file I/O.
    pub fn run(self, path: &Path, files: &TransferFiles, sealing: &Sealing) -> UploadOutcome {
        let named = |source| ClientError::File {
            path: paths::checkpoint_path(path),
            source,
        };
        match self {
            Self::HashPart {
                part_number,
                offset,
                len,
                source,
            } => UploadOutcome::PartHashed {
                part_number,
                result: source_crc64(path, &source, offset, len, sealing),
            },
            Self::CheckSource => {
                UploadOutcome::SourceChecked(current_identity(path).map_err(|source| {
                    ClientError::File {
                        path: path.to_owned(),
                        source,
                    }
                }))
            }
            Self::SaveCheckpoint(checkpoint) => UploadOutcome::CheckpointSaved(
                files.save_checkpoint(&checkpoint.to_json()).map_err(named),
            ),
            Self::RemoveCheckpoint => {
                UploadOutcome::CheckpointRemoved(files.remove_checkpoint().map_err(named))
            }
        }
    }
}

/// A [`DownloadAction`] on local files only.
#[derive(Debug)]
pub enum LocalDownloadStep {
    /// [`DownloadAction::CheckRange`].
    CheckRange {
        /// The range's part number.
        part_number: u32,
        /// Where it starts.
        offset: u64,
        /// Its length.
        len: u64,
    },
    /// [`DownloadAction::CheckPlaintext`].
    CheckPlaintext {
        /// The object's length.
        len: u64,
    },
    /// [`DownloadAction::SaveCheckpoint`].
    SaveCheckpoint(DownloadCheckpoint),
}

impl LocalDownloadStep {
    /// The local step `action` is, or the action back when it needs COS, must run in
    /// order with the machine (opening, finalizing, discarding the temp file), or ends
    /// the run.
    // The action is handed back as it came, by value, once per action.
    #[allow(clippy::result_large_err)]
    pub fn of(action: DownloadAction) -> Result<Self, DownloadAction> {
        Ok(match action {
            DownloadAction::CheckRange {
                part_number,
                offset,
                len,
            } => Self::CheckRange {
                part_number,
                offset,
                len,
            },
            DownloadAction::CheckPlaintext { len } => Self::CheckPlaintext { len },
            DownloadAction::SaveCheckpoint(checkpoint) => Self::SaveCheckpoint(checkpoint),
            other => return Err(other),
        })
    }

    /// Carries the step out on `target`, whose stored bytes are sealed as `sealing`
    /// says. Blocking file I/O.
    pub fn run(self, target: &dyn DownloadTarget, sealing: &Sealing) -> DownloadOutcome {
        match self {
            Self::CheckRange {
                part_number,
                offset,
                len,
            } => DownloadOutcome::RangeChecked {
                part_number,
                result: stored_crc64(target, offset, len, sealing),
            },
            // The plaintext as written: no sealing.
            Self::CheckPlaintext { len } => {
                DownloadOutcome::PlaintextChecked(stored_crc64(target, 0, len, &Sealing::Plain))
            }
            Self::SaveCheckpoint(checkpoint) => DownloadOutcome::CheckpointSaved(
                target
                    .save_checkpoint(&checkpoint.to_json())
                    .map_err(|source| ClientError::File {
                        path: target.path().to_owned(),
                        source,
                    }),
            ),
        }
    }
}
