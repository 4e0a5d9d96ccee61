//! The villains of the transfer suite: a proxy that ignores or moves ranges, strips
//! headers or flips a byte; a local disk where someone truncated, zeroed or planted a
//! temp file, or planted symbolic links; a bucket whose keys look like our helper files;
//! a source replaced behind our back keeping its size and modification time; a
//! completion, an append or a custom request whose answer is lost after it took effect.
//! Each check states the promise it attacks: byte-identical or a typed error, nothing
//! written where it does not belong, nothing sent twice that must not be.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use cos_emulator::{FaultId, FaultRule};
use cos_proto::ops::{AppendObject, ByteRange, CustomRequest, GetObject};
use cos_transfer::paths::{EntryOutcome, checkpoint_path, temp_path};
use cos_transfer::{
    CompletedRange, DirectoryOptions, DownloadCheckpoint, ObjectIdentity, PartPlan, TransferError,
};

use crate::Upload;
use crate::transfer::{CheckResult, Ctx, WatchedFile, crc, data, io, ok, small};

const KIB: u64 = 1024;

/// How many requests rule `id` matched (a latency of 0 counts without changing anything).
fn matched(ctx: &Ctx<'_>, id: FaultId) -> u32 {
    ctx.faults()
        .rules()
        .iter()
        .find(|r| r.id == id)
        .map_or(0, |r| r.matched)
}

/// The result of a download the check calls right: the file holds the object's bytes,
/// or the download failed and left no file.
fn identical_or_refused(
    what: &str,
    result: &Result<cos_transfer::DownloadOutput, TransferError>,
    target: &Path,
    want: &[u8],
) -> CheckResult {
    match result {
        Ok(_) => {
            let got = io("read", std::fs::read(target))?;
            ensure!(
                got == want,
                "{what}: reported success, but the file differs ({} bytes, {} expected)",
                got.len(),
                want.len()
            );
        }
        Err(_) => ensure!(
            !target.exists(),
            "{what}: failed, yet a file appeared: {result:?}"
        ),
    }
    Ok(())
}

/// A proxy that ignores `Range` (answers 200 with the whole object), or serves another
/// span (an honest 206 of other bytes): no byte is written past the range asked for,
/// and the file is the object's bytes (the range is fetched again) or the download fails.
/// The same for a ranged `get_object` and for the mid-body resume of `get_object`.
pub(crate) fn range_answers_checked(ctx: &Ctx<'_>) -> CheckResult {
    let size = 64 * KIB;
    let bytes = data(size, 21);
    ctx.put("r.bin", &bytes)?;
    let options = small().concurrency(1);

    // The fourth (last) range is answered with the whole object.
    ctx.faults()
        .add(FaultRule::ignore_range().method("GET").skip(3).times(1));
    let target = ctx.path("ignored");
    // Remembers the furthest byte any write reached.
    let furthest = Arc::new(AtomicU64::new(0));
    let reached = Arc::clone(&furthest);
    let recording = WatchedFile::new(
        &target,
        Box::new(move |offset, data| {
            reached.fetch_max(offset + data.len() as u64, Ordering::SeqCst);
            Ok(())
        }),
    );
    let result = ctx
        .client
        .download_to(&GetObject::new("r.bin"), recording, options);
    let furthest = furthest.load(Ordering::SeqCst);
    ensure!(
        furthest <= size,
        "a 200 to a ranged GET was written up to byte {furthest} of a {size}-byte object"
    );
    identical_or_refused("range ignored", &result, &target, &bytes)?;
    ensure!(result.is_ok(), "the range is fetched again: {result:?}");

    // The second range is served 7 bytes further on; the HEAD carries no CRC64 to catch
    // it at the end (a proxy that strips it).
    ctx.faults()
        .add(FaultRule::set_header("x-cos-hash-crc64ecma", None).method("HEAD"));
    ctx.faults()
        .add(FaultRule::shift_range(7).method("GET").skip(1).times(1));
    let target = ctx.path("shifted");
    let result = ctx.download("r.bin", &target, options);
    identical_or_refused("range moved", &result, &target, &bytes)?;
    ensure!(result.is_ok(), "the range is fetched again: {result:?}");

    // A 206 without a Content-Range, or with a malformed one.
    for value in [None, Some("bytes 0-1/2"), Some("bytes lots")] {
        ctx.faults().add(
            FaultRule::set_header("content-range", value)
                .method("GET")
                .skip(2)
                .times(1),
        );
        let target = ctx.path("mangled");
        let result = ctx.download("r.bin", &target, options);
        identical_or_refused("content-range mangled", &result, &target, &bytes)?;
        io("remove", std::fs::remove_file(&target).or(Ok(())))?;
    }

    // A ranged get_object answered with the whole object, or with another span, is an
    // error, never the wrong bytes; so is a resume of a broken body answered that way.
    let mismatch = |result: crate::Outcome<_>, what: &str| -> CheckResult {
        match result {
            Err(crate::Failure::Client(why)) if why.contains("asked for") => Ok(()),
            Ok((_, got)) => {
                let got: Vec<u8> = got;
                Err(format!("{what}: returned {} bytes", got.len()))
            }
            Err(other) => Err(format!("{what}: not a range mismatch: {other}")),
        }
    };
    let range = ByteRange::inclusive(100, 199).map_err(|e| e.to_string())?;
    for rule in [FaultRule::ignore_range(), FaultRule::shift_range(10)] {
        ctx.faults().add(rule.method("GET").times(1));
        let got = ctx.client.get_object(&GetObject::new("r.bin").range(range));
        mismatch(got, "a ranged get_object")?;
    }
    for rule in [FaultRule::ignore_range(), FaultRule::shift_range(3)] {
        ctx.faults().add(
            FaultRule::truncate_response_after(1000)
                .method("GET")
                .times(1),
        );
        ctx.faults().add(rule.method("GET").times(1));
        let got = ctx.client.get_object(&GetObject::new("r.bin"));
        mismatch(got, "a resumed get_object")?;
    }
    Ok(())
}

/// A download fails half-way; someone then zeroes part of its temp file (same length),
/// or truncates it. The next run re-checks what the checkpoint claims and fetches it
/// again: the file is the object's, with or without a CRC64 on the HEAD to catch it.
pub(crate) fn resumed_download_rechecks_temp(ctx: &Ctx<'_>) -> CheckResult {
    let size = 160 * KIB;
    let bytes = data(size, 22);
    ctx.put("t.bin", &bytes)?;
    let options = small().concurrency(1);
    for (strip_crc, damage) in [(false, "zero"), (true, "zero"), (true, "truncate")] {
        let target = ctx.path(&format!("t-{strip_crc}-{damage}"));
        let refuse = ctx.faults().add(
            FaultRule::status(403, "AccessDenied")
                .method("GET")
                .skip(4)
                .times(1),
        );
        ensure!(
            ctx.download("t.bin", &target, options).is_err(),
            "the fifth range is refused"
        );
        ctx.faults().remove(refuse);
        let temp = temp_path(&target);
        ensure!(temp.exists(), "the temp file is kept: {}", temp.display());
        let file = io(
            "open temp",
            std::fs::OpenOptions::new().write(true).open(&temp),
        )?;
        match damage {
            "zero" => io(
                "zero",
                cos_transfer::fs::write_at(&file, 20 * KIB, &[0; 8 * 1024]),
            )?,
            _ => io("truncate", file.set_len(40 * KIB))?,
        }
        drop(file);
        let strip = strip_crc.then(|| {
            ctx.faults()
                .add(FaultRule::set_header("x-cos-hash-crc64ecma", None).method("HEAD"))
        });
        let result = ctx.download("t.bin", &target, options);
        if let Some(id) = strip {
            ctx.faults().remove(id);
        }
        identical_or_refused(
            &format!("{damage}d temp file (CRC stripped: {strip_crc})"),
            &result,
            &target,
            &bytes,
        )?;
        ensure!(
            result.is_ok(),
            "the damaged ranges are fetched again ({damage}, CRC stripped: {strip_crc}): {result:?}"
        );
    }
    Ok(())
}

/// Symbolic links planted where the transfers keep their helper files, or in the target
/// tree: no link is followed, nothing is written or created outside the root.
pub(crate) fn no_symlink_followed(ctx: &Ctx<'_>) -> CheckResult {
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        let outside = ctx.path("outside");
        let root = ctx.path("root");
        io("mkdir", std::fs::create_dir_all(&outside))?;
        io("mkdir", std::fs::create_dir_all(&root))?;
        let victim = outside.join("victim");
        io("write", std::fs::write(&victim, b"precious"))?;
        let bytes = data(100 * KIB, 23);
        ctx.put("s.bin", &bytes)?;

        let plant = |link: PathBuf| -> CheckResult {
            if let Some(parent) = link.parent() {
                io("mkdir", std::fs::create_dir_all(parent))?;
            }
            io("symlink", symlink(&victim, &link))
        };
        // The temp file and the checkpoint's temp sibling of a download.
        let target = root.join("s.bin");
        plant(temp_path(&target))?;
        plant(sibling_tmp(&checkpoint_path(&target)))?;
        let result = ctx.download("s.bin", &target, small().concurrency(1));
        ensure!(
            io("read", std::fs::read(&victim))? == b"precious",
            "a planted link was followed: the file outside was written ({result:?})"
        );
        identical_or_refused("links planted", &result, &target, &bytes)?;

        // The checkpoint's temp sibling of an upload.
        let source = ctx.write("root/up.bin", &bytes)?;
        plant(sibling_tmp(&checkpoint_path(&source)))?;
        let result = ctx.upload("up.bin", &source, small().concurrency(1));
        ensure!(
            io("read", std::fs::read(&victim))? == b"precious",
            "a planted link was followed by an upload ({result:?})"
        );

        // A directory of the target tree that links outside.
        io("symlink", symlink(&outside, root.join("link")))?;
        for key in ["d/link/sub/x.txt", "d/link/y.txt", "d/ok.txt"] {
            ctx.put(key, key.as_bytes())?;
        }
        let report = ok(
            "download_dir",
            ctx.client
                .download_dir("d/", &root, DirectoryOptions::default()),
        )?;
        let mut outside_now: Vec<String> = io("list", std::fs::read_dir(&outside))?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        outside_now.sort();
        ensure!(
            outside_now == ["victim"],
            "download_dir created {outside_now:?} outside the root: {report:?}"
        );
        ensure!(
            io("read", std::fs::read(root.join("ok.txt")))? == b"d/ok.txt",
            "the plain key is written: {report:?}"
        );
        ensure!(
            report
                .entries
                .iter()
                .filter(|e| e.key.starts_with("d/link/"))
                .all(|e| !matches!(e.outcome, EntryOutcome::Transferred(_))),
            "keys under the link are refused: {report:?}"
        );
    }
    Ok(())
}

/// `<path>.tmp`: where an atomic replace of `path` writes first.
fn sibling_tmp(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// A bucket holds `c.bin` and keys named like its helper files (today's names and the
/// names of earlier versions): same-length decoys, and forged checkpoints that claim every
/// range of `c.bin` is done. After two `download_dir` runs, every file written holds its
/// own object's bytes; keys that cannot be written are reported.
pub(crate) fn helper_names_cannot_collide(ctx: &Ctx<'_>) -> CheckResult {
    let root = ctx.path("mirror");
    let size = 200 * KIB;
    let real = data(size, 24);
    let decoy = data(size, 25);
    ctx.put("d/c.bin", &real)?;
    let target = root.join("c.bin");
    let relative = |path: PathBuf| -> Option<String> {
        let rel = path.strip_prefix(&root).ok()?;
        Some(format!("d/{}", rel.to_str()?.replace('\\', "/")))
    };
    let mut helper_keys = vec![
        "d/c.bin.cospart".to_owned(),
        "d/c.bin.cosresume".to_owned(),
        "d/c.bin.cosresume.tmp".to_owned(),
    ];
    helper_keys.extend(relative(temp_path(&target)));
    helper_keys.extend(relative(checkpoint_path(&target)));
    helper_keys.sort();
    helper_keys.dedup();

    let plan = PartPlan::new(size, 16 * KIB).map_err(|e| e.to_string())?;
    let forged = DownloadCheckpoint {
        format: cos_transfer::CHECKPOINT_FORMAT,
        bucket: crate::transfer::BUCKET.to_owned(),
        key: "d/c.bin".to_owned(),
        object: ObjectIdentity {
            size,
            etag: ctx.head("d/c.bin")?.etag.unwrap_or_default(),
            crc64: Some(crc(&real)),
            version_id: None,
        },
        part_size: plan.part_size(),
        ranges: (0..plan.count())
            .map(|i| {
                let (offset, len) = plan.span(i);
                CompletedRange {
                    number: i + 1,
                    crc64: crc(&real[offset as usize..(offset + len) as usize]),
                }
            })
            .collect(),
        encryption: None,
    };
    let mut objects: Vec<(String, Vec<u8>)> = vec![("d/c.bin".into(), real.clone())];
    for key in helper_keys {
        let body = if key.contains("resume") {
            forged.to_json()
        } else {
            decoy.clone()
        };
        ctx.put(&key, &body)?;
        objects.push((key, body));
    }
    for run in 1..=2 {
        let report = ok(
            &format!("download_dir run {run}"),
            ctx.client.download_dir(
                "d/",
                &root,
                DirectoryOptions::default()
                    .transfer(small())
                    .parallel_files(4),
            ),
        )?;
        ensure!(report.is_success(), "run {run}: {report:?}");
        for (key, body) in &objects {
            let Some(entry) = report.entries.iter().find(|e| &e.key == key) else {
                return Err(format!("run {run}: {key} is not in the report"));
            };
            match &entry.outcome {
                EntryOutcome::Transferred(_) => {
                    let Some(path) = &entry.path else {
                        return Err(format!("run {run}: {key} has no path"));
                    };
                    ensure!(
                        io("read", std::fs::read(path))? == *body,
                        "run {run}: {} does not hold the bytes of {key}",
                        path.display()
                    );
                }
                EntryOutcome::Refused(_) => {}
                other => return Err(format!("run {run}: {key}: {other:?}")),
            }
        }
        ensure!(
            io("read", std::fs::read(&target))? == real,
            "run {run}: c.bin does not hold its object's bytes"
        );
    }
    Ok(())
}

/// The completion's answer is lost after COS carried it out: the upload reports
/// success, nothing pending remains.
pub(crate) fn complete_answer_lost(ctx: &Ctx<'_>) -> CheckResult {
    let bytes = data(160 * KIB, 26);
    let source = ctx.write("lost.bin", &bytes)?;
    let lost = ctx.faults().add(
        FaultRule::lose_answer()
            .method("POST")
            .query_contains("uploadId=")
            .times(1),
    );
    let done = ok("upload", ctx.upload("lost", &source, small()))?;
    ensure!(ctx.faults().fired_count(lost) == 1, "the answer was lost");
    ensure!(
        done.size == 160 * KIB && done.crc64 == crc(&bytes),
        "{done:?}"
    );
    ensure!(ctx.head("lost")?.crc64 == Some(crc(&bytes)), "stored CRC64");
    ensure!(!checkpoint_path(&source).exists(), "the checkpoint is gone");
    ctx.no_pending_uploads()
}

/// COS carried out the completion, and the run died before it could confirm it (here:
/// the answer was lost and every HEAD failed). The next run finds no upload, checks the
/// object against the checkpoint's parts, and reports success without sending a byte.
pub(crate) fn crash_after_complete_resends_nothing(ctx: &Ctx<'_>) -> CheckResult {
    let bytes = data(160 * KIB, 27);
    let source = ctx.write("done.bin", &bytes)?;
    ctx.faults().add(
        FaultRule::lose_answer()
            .method("POST")
            .query_contains("uploadId=")
            .times(1),
    );
    let heads = ctx
        .faults()
        .add(FaultRule::status(503, "ServiceUnavailable").method("HEAD"));
    let first = ctx.upload("done", &source, small());
    ensure!(first.is_err(), "the first run cannot confirm: {first:?}");
    ensure!(checkpoint_path(&source).exists(), "the checkpoint is kept");
    ctx.faults().remove(heads);
    let before = ctx.setup.emulator.traffic().received();
    let done = ok("resume", ctx.upload("done", &source, small()))?;
    let sent = ctx.setup.emulator.traffic().received() - before;
    ensure!(
        done.sent_bytes == 0 && sent == 0,
        "the resume sent {} bytes ({sent} reached COS): {done:?}",
        done.sent_bytes
    );
    ensure!(
        done.resumed_bytes == 160 * KIB && done.crc64 == crc(&bytes),
        "{done:?}"
    );
    ensure!(!checkpoint_path(&source).exists(), "the checkpoint is gone");
    ensure!(ctx.head("done")?.crc64 == Some(crc(&bytes)), "stored CRC64");
    ctx.no_pending_uploads()
}

/// An upload fails half-way; the source is then rewritten with other bytes in one part,
/// keeping its size and modification time (as `cp -p` or `rsync -t` do). The next run
/// re-reads the recorded parts, sends again the one that changed, and the object is the
/// file as it is now.
pub(crate) fn source_replaced_keeping_size_and_mtime(ctx: &Ctx<'_>) -> CheckResult {
    let size = 160 * KIB;
    let old = data(size, 28);
    let source = ctx.write("same.bin", &old)?;
    ctx.faults().add(
        FaultRule::status(403, "AccessDenied")
            .method("PUT")
            .query_contains("partNumber=5")
            .times(1),
    );
    let options = small().concurrency(1);
    ensure!(
        ctx.upload("same", &source, options).is_err(),
        "part 5 is refused"
    );
    let modified = io(
        "stat",
        std::fs::metadata(&source).and_then(|m| m.modified()),
    )?;
    let mut new = old.clone();
    for b in &mut new[20 * KIB as usize..24 * KIB as usize] {
        *b ^= 0x5a;
    }
    io("rewrite", std::fs::write(&source, &new))?;
    let file = io(
        "open",
        std::fs::OpenOptions::new().write(true).open(&source),
    )?;
    io("set mtime", file.set_modified(modified))?;
    drop(file);
    let done = ok("second run", ctx.upload("same", &source, options))?;
    ensure!(done.crc64 == crc(&new), "{done:?}");
    ensure!(
        done.resumed_bytes == 48 * KIB,
        "parts 1, 3 and 4 are kept, part 2 is sent again: {done:?}"
    );
    let target = ctx.path("same.out");
    ok("download", ctx.download("same", &target, small()))?;
    ensure!(
        io("read", std::fs::read(&target))? == new,
        "the object mixes the old and the new file"
    );
    Ok(())
}

/// An append whose answer is lost after it took effect is not sent again (a second
/// append would fail, or worse, append twice): it is reconciled with a HEAD.
pub(crate) fn append_answer_lost(ctx: &Ctx<'_>) -> CheckResult {
    let appends = ctx.faults().add(
        FaultRule::latency(Duration::ZERO)
            .method("POST")
            .query_contains("append"),
    );
    ctx.faults().add(
        FaultRule::lose_answer()
            .method("POST")
            .query_contains("append")
            .times(1),
    );
    let result = ctx.client.append_object(
        &AppendObject::new("log", 0, Some(5)),
        Upload::Bytes(Bytes::from_static(b"hello")),
    );
    ensure!(
        matched(ctx, appends) == 1,
        "the append was sent {} times",
        matched(ctx, appends)
    );
    let out = result.map_err(|e| format!("the append took effect, yet: {e}"))?;
    ensure!(out.next_append_position == 5, "{out:?}");
    let (_, got) = ctx
        .client
        .get_object(&GetObject::new("log"))
        .map_err(|e| e.to_string())?;
    ensure!(got == b"hello", "appended once: {got:?}");
    Ok(())
}

/// A custom POST/PUT whose answer is lost is not repeated: the caller gets the
/// transport error and decides.
pub(crate) fn custom_request_not_repeated(ctx: &Ctx<'_>) -> CheckResult {
    let puts = ctx.faults().add(
        FaultRule::latency(Duration::ZERO)
            .method("PUT")
            .path_contains("custom"),
    );
    ctx.faults().add(
        FaultRule::lose_answer()
            .method("PUT")
            .path_contains("custom")
            .times(1),
    );
    let op = CustomRequest::object(http::Method::PUT, "custom")
        .body(cos_proto::Body::Payload { length: Some(3) });
    let result = ctx
        .client
        .custom_request(&op, Upload::Bytes(Bytes::from_static(b"abc")));
    ensure!(
        matched(ctx, puts) == 1,
        "the custom PUT was sent {} times ({result:?})",
        matched(ctx, puts)
    );
    ensure!(result.is_err(), "the lost answer is reported: {result:?}");
    Ok(())
}

/// A download whose bytes arrive with one of them flipped under the true CRC64 header
/// fails with a typed error and leaves no file; the next run succeeds.
pub(crate) fn flipped_byte_is_caught(ctx: &Ctx<'_>) -> CheckResult {
    let bytes = data(100 * KIB, 29);
    ctx.put("flip.bin", &bytes)?;
    ctx.faults()
        .add(FaultRule::flip_byte(5).method("GET").skip(2).times(1));
    let target = ctx.path("flip.out");
    let result = ctx.download("flip.bin", &target, small());
    identical_or_refused("flipped byte", &result, &target, &bytes)?;
    ensure!(
        matches!(result, Err(TransferError::Crc64Mismatch { .. })),
        "a flipped byte is a CRC64 mismatch: {result:?}"
    );
    ok("again", ctx.download("flip.bin", &target, small()))?;
    ensure!(io("read", std::fs::read(&target))? == bytes, "bytes differ");
    ctx.faults()
        .add(FaultRule::flip_byte(5).method("GET").times(1));
    let got = ctx.client.get_object(&GetObject::new("flip.bin"));
    ensure!(
        got.is_err(),
        "a whole-object get_object with a flipped byte fails"
    );
    ctx.faults()
        .add(FaultRule::flip_byte(5).method("GET").times(1));
    let file = ctx.path("flip.get");
    let got = ctx
        .client
        .get_object_to_file(&GetObject::new("flip.bin"), &file);
    ensure!(
        got.is_err() && !file.exists(),
        "get_object_to_file with a flipped byte fails and leaves nothing: {got:?}"
    );
    Ok(())
}

/// A server that trickles a byte at a time (below any per-read stall timeout) ends in a
/// typed timeout, for a download and for `get_object`, and a server that holds its
/// answer ends at the call's deadline (the client of this check keeps 4 KiB per second
/// and a 3 s deadline: see `client_options`). Once the server behaves, the same
/// download succeeds.
pub(crate) fn slow_servers_end_in_timeouts(ctx: &Ctx<'_>) -> CheckResult {
    let bytes = data(64 * KIB, 30);
    ctx.put("slow.bin", &bytes)?;
    let trickle = ctx.faults().add(
        FaultRule::trickle(1, Duration::from_millis(250))
            .method("GET")
            .path_contains("slow.bin"),
    );
    let timed_out = |err: &cos_proto::driver::error::Error| {
        err.transport_failure() == Some(cos_proto::retry::TransportFailure::Timeout)
    };
    let target = ctx.path("slow.out");
    let result = ctx.download("slow.bin", &target, small().concurrency(1).part_attempts(1));
    ensure!(
        result
            .as_ref()
            .err()
            .and_then(TransferError::client_error)
            .is_some_and(timed_out),
        "a trickled download ends in a timeout: {result:?}"
    );
    ensure!(!target.exists(), "nothing appears");
    let got = ctx.client.get_object(&GetObject::new("slow.bin"));
    ensure!(
        matches!(&got, Err(crate::Failure::Transport(_))),
        "a trickled get_object ends in a timeout: {:?}",
        got.map(|(out, body)| (out, body.len()))
    );
    ctx.faults().remove(trickle);

    ctx.faults().add(
        FaultRule::hold_answer(Duration::from_secs(10))
            .method("HEAD")
            .times(1),
    );
    let held = ctx
        .client
        .head_object(&cos_proto::ops::HeadObject::new("slow.bin"));
    ensure!(
        matches!(&held, Err(crate::Failure::Transport(why)) if why.contains("deadline")),
        "an answer held past the call's deadline ends in a timeout: {held:?}"
    );

    ok("download", ctx.download("slow.bin", &target, small()))?;
    ensure!(io("read", std::fs::read(&target))? == bytes, "bytes differ");
    Ok(())
}

/// The minimum-progress rule and the stall timeout judge the server only: a consumer
/// that keeps a chunk longer than the window, or an upload source slow to give the next
/// chunk, is not cut (nor resumed).
pub(crate) fn slow_callers_are_not_the_servers_fault(ctx: &Ctx<'_>) -> CheckResult {
    let hold = Duration::from_millis(1500);
    let bytes = data(256 * KIB, 31);
    ctx.put("held.bin", &bytes)?;
    let gets = ctx.faults().add(
        FaultRule::latency(Duration::ZERO)
            .method("GET")
            .path_contains("held.bin"),
    );
    let (got, resumes) = ctx
        .client
        .get_object_held(&GetObject::new("held.bin"), hold)
        .map_err(|e| format!("a consumer that keeps a chunk {hold:?}: {e}"))?;
    ensure!(got == bytes, "the held download's bytes differ");
    ensure!(
        resumes == 0 && matched(ctx, gets) == 1,
        "a consumer that keeps a chunk {hold:?} had its body cut: {resumes} resume(s), {} GET(s)",
        matched(ctx, gets)
    );

    let puts = ctx.faults().add(
        FaultRule::latency(Duration::ZERO)
            .method("PUT")
            .path_contains("held-up.bin"),
    );
    let chunks: Vec<Bytes> = data(64 * KIB, 32)
        .chunks(16 * KIB as usize)
        .map(Bytes::copy_from_slice)
        .collect();
    let result = ctx.client.put_object(
        &cos_proto::ops::PutObject::new("held-up.bin", None),
        Upload::SlowChunks(chunks.clone(), hold),
    );
    ensure!(
        result.is_ok() && matched(ctx, puts) == 1,
        "an upload whose source takes {hold:?} per chunk: {result:?} after {} PUT(s)",
        matched(ctx, puts)
    );
    let (_, stored) = ctx
        .client
        .get_object(&GetObject::new("held-up.bin"))
        .map_err(|e| e.to_string())?;
    ensure!(stored == chunks.concat(), "the slow upload's bytes differ");
    Ok(())
}

/// A download's continuation is part of the same call: it gets what is left of the
/// call's deadline, not a new one, so the call ends by its deadline.
pub(crate) fn resumes_keep_the_call_deadline(ctx: &Ctx<'_>) -> CheckResult {
    let deadline = Duration::from_secs(3);
    let bytes = data(64 * KIB, 33);
    ctx.put("late.bin", &bytes)?;
    // The first answer takes 2 s of the 3 s and its body breaks after 16 KiB; the
    // continuation's answer would take 10 s.
    for rule in [
        FaultRule::latency(Duration::from_secs(2)).times(1),
        FaultRule::latency(Duration::from_secs(10)).skip(1).times(1),
        // Last: a truncation ends the search for rules.
        FaultRule::truncate_response_after(16 * KIB).times(1),
    ] {
        ctx.faults()
            .add(rule.method("GET").path_contains("late.bin"));
    }
    let started = std::time::Instant::now();
    let result = ctx.client.get_object(&GetObject::new("late.bin"));
    let took = started.elapsed();
    ensure!(
        matches!(&result, Err(why) if why.to_string().contains("deadline")),
        "a download resumed 2 s into a 3 s deadline ends in a timeout: {:?}",
        result.map(|(out, body)| (out.status, body.len()))
    );
    // A continuation with a fresh deadline would end at 5 s.
    ensure!(
        took < deadline + Duration::from_secs(1),
        "a call with a {deadline:?} deadline ended after {took:?}"
    );
    Ok(())
}
