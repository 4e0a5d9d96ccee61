//! Asking before a destructive command deletes many things.

use std::io::{BufRead, IsTerminal, Write};

use crate::failure::CliError;

/// Goes on when `force` is set or the user answers `y` to `question` on the terminal.
/// Without a terminal to ask on (a script, a pipe), refuses with a usage error that
/// says to pass `--force`; any answer but `y`/`yes` cancels (exit code 1).
pub(crate) fn confirm(question: &str, force: bool) -> Result<(), CliError> {
    if force {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::usage(format!(
            "{question}: refusing without a terminal to confirm on; pass --force to go ahead"
        ))
        .hint("nothing was deleted; --dry-run lists what would go"));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{question} [y/N] ");
    let _ = stderr.flush();
    drop(stderr);
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|err| CliError::failed(format!("cannot read the answer: {err}")))?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(CliError::failed("cancelled: nothing was deleted")),
    }
}
