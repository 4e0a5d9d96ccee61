//! Everything a command prints: results on standard output (plain lines, or one JSON
//! object per line with `--json`), problems on standard error, a total progress bar on
//! a terminal, and the closing summary. `-q` keeps only errors.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Lines for people; a progress bar when standard error is a terminal.
    Plain,
    /// One JSON object per line (`--json`), for scripts.
    Json,
    /// Only errors (`-q`).
    Quiet,
}

/// The printer of one run; shared by every task of a command.
#[derive(Debug)]
pub(crate) struct Output {
    mode: Mode,
    bar: ProgressBar,
    /// Serialises lines so that tasks never interleave within one.
    lock: Mutex<()>,
}

impl Output {
    /// A printer in `mode`.
    pub(crate) fn new(mode: Mode) -> Output {
        let bar = if mode == Mode::Plain && std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        Output {
            mode,
            bar,
            lock: Mutex::new(()),
        }
    }

    /// The mode.
    pub(crate) fn mode(&self) -> Mode {
        self.mode
    }

    /// One result: `plain` for people, `json` with `--json`, nothing with `-q`.
    pub(crate) fn result(&self, plain: impl FnOnce() -> String, json: impl FnOnce() -> Value) {
        let line = match self.mode {
            Mode::Plain => plain(),
            Mode::Json => json().to_string(),
            Mode::Quiet => return,
        };
        self.print_line(&line);
    }

    /// Raw bytes to standard output, whatever the mode (`cat`, `select`).
    pub(crate) fn raw(&self, bytes: &[u8]) -> std::io::Result<()> {
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(bytes)?;
        stdout.flush()
    }

    /// A failed item (always shown: on standard error, or as a JSON line with `--json`).
    pub(crate) fn failure(&self, item: &str, error: &str) {
        if self.mode == Mode::Json {
            self.print_line(&json!({"event": "failed", "item": item, "error": error}).to_string());
        } else {
            self.print_error(&format!("failed: {item}: {error}"));
        }
    }

    /// A message on standard error, above the progress bar.
    pub(crate) fn print_error(&self, line: &str) {
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.bar.suspend(|| eprintln!("{line}"));
    }

    fn print_line(&self, line: &str) {
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.bar.suspend(|| {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`cos ls | head`) is not an error worth a panic.
            let _ = writeln!(stdout, "{line}");
        });
    }

    /// Starts the total progress bar: `files` files, `bytes` bytes (grows with
    /// [`Output::add_total`] while a listing is still being read).
    pub(crate) fn start_progress(&self, files: u64, bytes: u64) {
        self.bar.set_length(bytes);
        self.bar.set_style(
            ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        self.bar.set_message(format!("0/{files} files"));
        self.bar.enable_steady_tick(Duration::from_millis(200));
    }

    /// More work discovered.
    pub(crate) fn add_total(&self, bytes: u64) {
        self.bar.inc_length(bytes);
    }

    /// Bytes moved.
    pub(crate) fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    /// The bar's file counter.
    pub(crate) fn files_done(&self, done: u64, total: u64) {
        self.bar.set_message(format!("{done}/{total} files"));
    }

    /// Removes the bar.
    pub(crate) fn finish_progress(&self) {
        self.bar.finish_and_clear();
    }
}

/// The counts a command closes with.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    /// Files or objects transferred.
    pub(crate) transferred: u64,
    /// Bytes transferred.
    pub(crate) bytes: u64,
    /// Left alone (already the same, or excluded).
    pub(crate) skipped: u64,
    /// Deleted.
    pub(crate) deleted: u64,
    /// Failed (each already reported).
    pub(crate) failed: u64,
}

impl Summary {
    /// Prints the summary line (`--json`: an object with `"event": "summary"`).
    pub(crate) fn print(&self, output: &Output, started: Instant) {
        let seconds = started.elapsed().as_secs_f64();
        output.result(
            || {
                format!(
                    "{} transferred ({}), {} skipped, {} deleted, {} failed in {:.1} s",
                    self.transferred,
                    human_size(self.bytes),
                    self.skipped,
                    self.deleted,
                    self.failed,
                    seconds
                )
            },
            || {
                json!({
                    "event": "summary",
                    "transferred": self.transferred,
                    "bytes": self.bytes,
                    "skipped": self.skipped,
                    "deleted": self.deleted,
                    "failed": self.failed,
                    "seconds": seconds,
                })
            },
        );
    }
}

/// `1.5 MiB`: a size for people, in binary units.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 << 30), "5.0 GiB");
        assert_eq!(human_size(u64::MAX), "16384.0 PiB");
    }
}
