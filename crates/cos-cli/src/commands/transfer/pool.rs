//! One bounded pool for every request of a command: `--jobs` permits, of which each
//! file takes as many as it runs requests at once (one for a small file, up to
//! [`PER_FILE`] parts for a large one) before it starts, and gives back when it ends.
//! Small files thus run `--jobs` at a time and large ones share the same budget; no
//! file starts, and no further listing page is read, until permits are free.
//!
//! Everything is printed here, by the task that owns the [`Context`]: the file tasks
//! only return their [`Outcome`] and count bytes on a shared [`Meter`]. File tasks, the
//! requests of their parts and their file work run on the runtime's workers and
//! blocking pool.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cos_tokio::cos_transfer::TransferEvent;
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::{JoinError, JoinSet};

use crate::commands::Context;
use crate::output::Summary;

/// Requests one file may have in flight (the SDK's own default ceiling).
pub(crate) const PER_FILE: usize = 8;

/// What kind of requests a file's transfer makes, for [`permits_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One PUT below the multipart threshold, else parts.
    Upload,
    /// Ranges of the part size.
    Download,
    /// One server-side copy below 5 GiB, else part copies.
    Copy,
}

/// The permits a transfer of `size` bytes takes: its parts, at most [`PER_FILE`] and at
/// most `limit`, at least one.
pub(crate) fn permits_for(kind: Kind, size: u64, part_size: u64, limit: usize) -> usize {
    let defaults = cos_tokio::cos_transfer::TransferOptions::default();
    let single = match kind {
        Kind::Upload => size < defaults.multipart_threshold,
        Kind::Download => size <= part_size,
        Kind::Copy => size < defaults.copy_threshold,
    };
    let parts = if single {
        1
    } else {
        usize::try_from(size.div_ceil(part_size.max(1))).unwrap_or(usize::MAX)
    };
    parts.min(PER_FILE).min(limit).max(1)
}

/// The bytes moved by every transfer of the pool, for the progress bar.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meter(Arc<AtomicU64>);

impl Meter {
    /// Counts `bytes` more.
    pub(crate) fn add(&self, bytes: u64) {
        self.0.fetch_add(bytes, Ordering::Relaxed);
    }

    /// The SDK's progress callback for one transfer: adds what it commits.
    pub(crate) fn on_event(&self) -> impl FnMut(TransferEvent) + Send + 'static {
        let meter = self.clone();
        let mut seen = 0;
        move |event| {
            let committed = event.progress().committed;
            if committed > seen {
                meter.add(committed - seen);
                seen = committed;
            }
        }
    }

    fn total(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A file's task.
type Task = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// What one file or object is, for the lines printed about it.
#[derive(Debug, Clone)]
pub(crate) struct Label {
    /// `upload`, `download`, `copy`, `move`, `delete`.
    pub(crate) verb: &'static str,
    /// Where from (empty for a deletion).
    pub(crate) source: String,
    /// Where to (what is deleted, for a deletion).
    pub(crate) destination: String,
    /// Its size.
    pub(crate) size: u64,
}

/// What became of one file.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Transferred (or deleted): this many bytes.
    Done(u64),
    /// Left alone, for this reason.
    Skipped(&'static str),
    /// Would be transferred or deleted (`--dry-run`), for this reason.
    Planned(&'static str),
    /// Failed, with this error.
    Failed(String),
}

/// The pool of one command.
#[derive(Debug)]
pub(crate) struct Pool<'a> {
    cx: &'a Context,
    permits: Arc<Semaphore>,
    limit: usize,
    running: JoinSet<(Label, Outcome)>,
    meter: Meter,
    shown: u64,
    files: u64,
    finished: u64,
    show_skips: bool,
    summary: Summary,
    /// Whether the progress bar was started (at the first file: an empty bar reads full).
    started: bool,
}

impl<'a> Pool<'a> {
    /// A pool of `jobs` requests; skipped files are printed when `show_skips` (`--json`
    /// always shows them).
    pub(crate) fn new(cx: &'a Context, jobs: usize, show_skips: bool) -> Pool<'a> {
        let most = Semaphore::MAX_PERMITS.min(u32::MAX as usize);
        let limit = jobs.clamp(1, most);
        Pool {
            cx,
            permits: Arc::new(Semaphore::new(limit)),
            limit,
            running: JoinSet::new(),
            meter: Meter::default(),
            shown: 0,
            files: 0,
            finished: 0,
            show_skips,
            summary: Summary::default(),
            started: false,
        }
    }

    /// The pool's byte counter, for the transfers' progress callbacks.
    pub(crate) fn meter(&self) -> Meter {
        self.meter.clone()
    }

    /// The permits of a transfer of this kind (see [`permits_for`]).
    pub(crate) fn permits(&self, kind: Kind, size: u64, part_size: u64) -> usize {
        permits_for(kind, size, part_size, self.limit)
    }

    /// Runs `work(permits)` once `permits` are free (reporting files that end in the
    /// meantime); `work` gets the number of requests it may run at once.
    pub(crate) async fn submit<F>(
        &mut self,
        label: Label,
        permits: usize,
        work: impl FnOnce(usize) -> F,
    ) where
        F: Future<Output = Outcome> + Send + 'static,
    {
        self.submit_boxed(label, permits, move |n| -> Task { Box::pin(work(n)) })
            .await;
    }

    async fn submit_boxed(
        &mut self,
        label: Label,
        permits: usize,
        work: impl FnOnce(usize) -> Task,
    ) {
        let wanted = permits.clamp(1, self.limit);
        self.count_file(label.size);
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        let (permits, count) = (Arc::clone(&self.permits), u32::try_from(wanted));
        let count = count.unwrap_or(u32::MAX);
        let permit = loop {
            tokio::select! {
                biased;
                Some(joined) = self.running.join_next() => self.joined(joined),
                permit = Arc::clone(&permits).acquire_many_owned(count) => break permit,
                _ = tick.tick() => self.show_progress(),
            }
        };
        let future = work(wanted);
        self.running.spawn(async move {
            let outcome = future.await;
            drop(permit);
            (label, outcome)
        });
        while let Some(joined) = self.running.try_join_next() {
            self.joined(joined);
        }
    }

    /// Reports a file decided without a transfer (a skip, a refusal, a deletion).
    pub(crate) fn record(&mut self, label: Label, outcome: Outcome) {
        self.count_file(label.size);
        self.report(label, outcome);
    }

    fn count_file(&mut self, size: u64) {
        if !self.started {
            self.started = true;
            self.cx.output.start_progress(0, size);
        } else {
            self.cx.output.add_total(size);
        }
        self.files += 1;
    }

    /// Waits for every file; the counts.
    pub(crate) async fn finish(mut self) -> Summary {
        self.settle().await;
        self.cx.output.finish_progress();
        std::mem::take(&mut self.summary)
    }

    /// Waits for every file submitted so far; the number of files that failed so far.
    pub(crate) async fn settle(&mut self) -> u64 {
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            tokio::select! {
                joined = self.running.join_next() => match joined {
                    Some(joined) => self.joined(joined),
                    None => break,
                },
                _ = tick.tick() => self.show_progress(),
            }
        }
        self.show_progress();
        self.summary.failed
    }

    fn joined(&mut self, joined: Result<(Label, Outcome), JoinError>) {
        match joined {
            Ok((label, outcome)) => {
                self.finished += 1;
                self.report_done(label, outcome);
            }
            Err(err) => {
                self.summary.failed += 1;
                self.cx.output.failure("a transfer", &err.to_string());
            }
        }
    }

    fn report(&mut self, label: Label, outcome: Outcome) {
        self.finished += 1;
        self.report_done(label, outcome);
    }

    fn report_done(&mut self, label: Label, outcome: Outcome) {
        let output = &self.cx.output;
        let Label {
            verb,
            source,
            destination,
            size,
        } = &label;
        let arrow = match (source.is_empty(), destination.is_empty()) {
            (true, _) => destination.clone(),
            (false, true) => source.clone(),
            (false, false) => format!("{source} → {destination}"),
        };
        match outcome {
            Outcome::Done(bytes) => {
                if *verb == "delete" {
                    self.summary.deleted += 1;
                } else {
                    self.summary.transferred += 1;
                    self.summary.bytes += bytes;
                }
                output.result(
                    || format!("{verb} {arrow}"),
                    || {
                        json!({"event": verb, "source": source, "destination": destination,
                              "bytes": bytes})
                    },
                );
            }
            Outcome::Planned(reason) => {
                if *verb == "delete" {
                    self.summary.deleted += 1;
                } else {
                    self.summary.transferred += 1;
                    self.summary.bytes += size;
                }
                output.advance(*size);
                output.result(
                    || format!("{verb} {arrow} ({reason})"),
                    || {
                        json!({"event": verb, "source": source, "destination": destination,
                              "bytes": size, "reason": reason, "dry_run": true})
                    },
                );
            }
            Outcome::Skipped(reason) => {
                self.summary.skipped += 1;
                output.advance(*size);
                let json_mode = output.mode() == crate::output::Mode::Json;
                if self.show_skips || json_mode {
                    output.result(
                        || format!("skip {arrow} ({reason})"),
                        || {
                            json!({"event": "skip", "source": source, "destination": destination,
                                  "bytes": size, "reason": reason})
                        },
                    );
                }
            }
            Outcome::Failed(error) => {
                self.summary.failed += 1;
                output.failure(&format!("{verb} {arrow}"), &error);
            }
        }
    }

    fn show_progress(&mut self) {
        let now = self.meter.total();
        if now > self.shown {
            self.cx.output.advance(now - self.shown);
            self.shown = now;
        }
        self.cx.output.files_done(self.finished, self.files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn small_files_take_one_permit_and_large_ones_their_parts() {
        assert_eq!(permits_for(Kind::Upload, 10 * MIB, 8 * MIB, 16), 1);
        assert_eq!(permits_for(Kind::Upload, 24 * MIB, 8 * MIB, 16), 3);
        assert_eq!(permits_for(Kind::Upload, 1 << 30, 8 * MIB, 16), PER_FILE);
        assert_eq!(
            permits_for(Kind::Upload, 1 << 30, 8 * MIB, 2),
            2,
            "--jobs caps"
        );
        assert_eq!(permits_for(Kind::Download, 8 * MIB, 8 * MIB, 16), 1);
        assert_eq!(permits_for(Kind::Download, 9 * MIB, 8 * MIB, 16), 2);
        assert_eq!(permits_for(Kind::Download, 0, 8 * MIB, 16), 1);
        assert_eq!(permits_for(Kind::Copy, 1 << 30, 8 * MIB, 16), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_in_flight_never_exceed_the_jobs() {
        use clap::Parser;
        use std::sync::atomic::AtomicUsize;
        let cli = crate::commands::Cli::parse_from(["cos", "-q", "ls"]);
        let cx = Context::new(&cli);
        let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let summary = async {
            let mut pool = Pool::new(&cx, 5, false);
            for i in 0..40u64 {
                let label = Label {
                    verb: "upload",
                    source: format!("f{i}"),
                    destination: String::new(),
                    size: i,
                };
                let (now, peak) = (Arc::clone(&now), Arc::clone(&peak));
                pool.submit(label, 1 + (i as usize % 4), move |n| async move {
                    let at = now.fetch_add(n, Ordering::SeqCst) + n;
                    peak.fetch_max(at, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(10 + i % 7)).await;
                    now.fetch_sub(n, Ordering::SeqCst);
                    Outcome::Done(i)
                })
                .await;
            }
            pool.finish().await
        }
        .await;
        assert_eq!((summary.transferred, summary.failed), (40, 0));
        assert_eq!(summary.bytes, (0..40).sum::<u64>());
        let peak = peak.load(Ordering::SeqCst);
        assert!((2..=5).contains(&peak), "{peak} requests at once");
    }

    #[test]
    fn the_meter_counts_committed_bytes_once() {
        use cos_tokio::cos_transfer::Progress;
        let meter = Meter::default();
        let mut on_event = meter.on_event();
        let at = |committed| Progress {
            total: 10,
            committed,
            in_flight: 0,
        };
        on_event(TransferEvent::Finished { progress: at(4) });
        on_event(TransferEvent::Finished { progress: at(4) });
        on_event(TransferEvent::Finished { progress: at(10) });
        assert_eq!(meter.total(), 10);
    }
}
