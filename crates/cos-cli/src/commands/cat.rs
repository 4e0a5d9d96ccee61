//! `cos cat` (to be written).

use crate::commands::Context;
use crate::failure::CliError;

/// The arguments of `cos cat`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// What to work on.
    pub(crate) target: String,
}

/// Runs `cos cat`.
pub(crate) async fn run(args: Args, _cx: &Context) -> Result<(), CliError> {
    Err(CliError::failed(format!(
        "cos cat {}: not available yet",
        args.target
    )))
}
