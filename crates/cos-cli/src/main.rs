//! `cos`: the command line for Tencent Cloud Object Storage.
//!
//! Copy, sync, list, delete and share objects from a terminal or a script, with the
//! resumable, CRC-64-verified transfers of `cos-tokio`. Objects are written
//! `cos://bucket-appid/key`; anything else is a local path. `cos --help` lists the
//! commands; `cos <command> --help` explains one.
//!
//! Exit codes: 0 success, 1 when anything failed (each failure listed, the rest done),
//! 2 on usage errors.
#![forbid(unsafe_code)]

mod commands;
mod connect;
mod failure;
mod filter;
mod location;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::{Cli, Context};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cos: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let context = Context::new(&cli);
    let result = runtime.block_on(commands::run(cli.command, &context));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            context.output.print_error(&format!("cos: {err}"));
            err.exit_code()
        }
    }
}
