//! `cos lsparts` (to be written).

use crate::commands::Context;
use crate::failure::CliError;

/// The arguments of `cos lsparts`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// What to work on.
    pub(crate) target: String,
}

/// Runs `cos lsparts`.
pub(crate) async fn run(args: Args, _cx: &Context) -> Result<(), CliError> {
    Err(CliError::failed(format!(
        "cos lsparts {}: not available yet",
        args.target
    )))
}
