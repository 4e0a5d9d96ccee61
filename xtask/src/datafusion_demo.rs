//! `cargo xtask datafusion-demo`: builds and runs `examples/datafusion-sql`, SQL over
//! `cos://` URLs with Apache DataFusion on `cos-object-store`, against an embedded COS
//! emulator.
//!
//! The demo is not a member of the workspace (DataFusion builds for a long time, so
//! `cargo xtask ci` leaves it out) and has its own `Cargo.lock`. It is built in
//! `<target dir>/datafusion-demo`, apart from the workspace's builds and kept between runs;
//! its exit code is this command's.

use std::process::{Command, ExitCode};

use super::ci::workspace_root;
use super::interop::{cargo, target_dir};

/// Runs the demo with `cargo run`; its output goes straight to the terminal.
pub fn run() -> ExitCode {
    let root = workspace_root();
    let manifest = root
        .join("examples")
        .join("datafusion-sql")
        .join("Cargo.toml");
    let status = Command::new(cargo())
        .current_dir(&root)
        .arg("run")
        .arg("--manifest-path")
        .arg(&manifest)
        .env(
            "CARGO_TARGET_DIR",
            target_dir(&root).join("datafusion-demo"),
        )
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("datafusion-demo: {status}");
            // The demo's own exit code when it has one (not when a signal ended it).
            status
                .code()
                .and_then(|code| u8::try_from(code).ok())
                .map_or(ExitCode::FAILURE, ExitCode::from)
        }
        Err(err) => {
            eprintln!("datafusion-demo: cannot run cargo: {err}");
            ExitCode::FAILURE
        }
    }
}
