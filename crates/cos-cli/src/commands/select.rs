//! `cos select` (to be written).

use crate::commands::Context;
use crate::failure::CliError;

/// The arguments of `cos select`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// What to work on.
    pub(crate) target: String,
}

/// Runs `cos select`.
pub(crate) async fn run(args: Args, _cx: &Context) -> Result<(), CliError> {
    Err(CliError::failed(format!(
        "cos select {}: not available yet",
        args.target
    )))
}
