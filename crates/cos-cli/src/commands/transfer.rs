//! `cos cp`, `cos mv` and `cos sync` (to be written).

use crate::commands::Context;
use crate::failure::CliError;

/// The arguments of `cos cp` and `cos mv`.
#[derive(Debug, clap::Args)]
pub(crate) struct CpArgs {
    /// The source.
    pub(crate) source: String,
    /// The destination.
    pub(crate) destination: String,
}

/// The arguments of `cos sync`.
#[derive(Debug, clap::Args)]
pub(crate) struct SyncArgs {
    /// The source.
    pub(crate) source: String,
    /// The destination.
    pub(crate) destination: String,
}

/// Runs `cos cp` (`moving`: `cos mv`).
pub(crate) async fn cp(args: CpArgs, _cx: &Context, moving: bool) -> Result<(), CliError> {
    let _ = moving;
    Err(CliError::failed(format!(
        "cos cp {}: not available yet",
        args.source
    )))
}

/// Runs `cos sync`.
pub(crate) async fn sync(args: SyncArgs, _cx: &Context) -> Result<(), CliError> {
    Err(CliError::failed(format!(
        "cos sync {}: not available yet",
        args.source
    )))
}
