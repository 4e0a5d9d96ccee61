//! `cos mb` and `cos rb` (to be written).

use crate::commands::Context;
use crate::failure::CliError;

/// The arguments of `cos mb`.
#[derive(Debug, clap::Args)]
pub(crate) struct MbArgs {
    /// The bucket, cos://bucket-appid.
    pub(crate) bucket: String,
}

/// The arguments of `cos rb`.
#[derive(Debug, clap::Args)]
pub(crate) struct RbArgs {
    /// The bucket, cos://bucket-appid.
    pub(crate) bucket: String,
}

/// Runs `cos mb`.
pub(crate) async fn make(args: MbArgs, _cx: &Context) -> Result<(), CliError> {
    Err(CliError::failed(format!(
        "cos mb {}: not available yet",
        args.bucket
    )))
}

/// Runs `cos rb`.
pub(crate) async fn remove(args: RbArgs, _cx: &Context) -> Result<(), CliError> {
    Err(CliError::failed(format!(
        "cos rb {}: not available yet",
        args.bucket
    )))
}
