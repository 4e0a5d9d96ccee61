//! `cos hash` (to be written).

use crate::commands::Context;
use crate::failure::CliError;

/// The arguments of `cos hash`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// What to work on.
    pub(crate) target: String,
}

/// Runs `cos hash`.
pub(crate) async fn run(args: Args, _cx: &Context) -> Result<(), CliError> {
    Err(CliError::failed(format!(
        "cos hash {}: not available yet",
        args.target
    )))
}
