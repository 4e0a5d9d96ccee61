//! `cos sync` against the emulator, through the built binary.

mod common;

use std::time::{Duration, SystemTime};

use common::{Env, write_tree};
use cos_emulator::FaultRule;

/// The summary object of a `--json` run.
fn summary(run: &common::Run) -> serde_json::Value {
    run.json_lines()
        .into_iter()
        .find(|l| l["event"] == "summary")
        .unwrap_or_else(|| panic!("no summary: {run:?}"))
}

fn counts(run: &common::Run) -> (u64, u64, u64) {
    let s = summary(run);
    let n = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
    (n("transferred"), n("skipped"), n("deleted"))
}

fn set_mtime(path: &std::path::Path, secs: u64) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
        .expect("mtime");
}

#[test]
fn sync_up_then_again_sends_nothing_then_only_changes() {
    let env = Env::new();
    let files: &[(&str, &[u8])] = &[("d/a.txt", b"aaa"), ("d/s/b.txt", b"bb"), ("d/c", b"c")];
    write_tree(env.dir.path(), files);
    let first = env.cos(&["sync", "d", &env.url("p"), "--json"]).ok();
    assert_eq!(counts(&first), (3, 0, 0));
    assert_eq!(env.keys("p/"), ["p/a.txt", "p/c", "p/s/b.txt"]);

    let again = env.cos(&["sync", "d", &env.url("p"), "--json"]).ok();
    assert_eq!(counts(&again), (0, 3, 0), "{again:?}");

    // Same size, another time: sent. Another size: sent.
    std::fs::write(env.path("d/a.txt"), b"AAA").expect("write");
    set_mtime(&env.path("d/a.txt"), 1_000_000_000);
    std::fs::write(env.path("d/c"), b"cc").expect("write");
    let changed = env.cos(&["sync", "d", &env.url("p"), "--json"]).ok();
    assert_eq!(counts(&changed), (2, 1, 0), "{changed:?}");
    assert_eq!(env.get("p/a.txt").as_deref(), Some(&b"AAA"[..]));
    assert_eq!(env.get("p/c").as_deref(), Some(&b"cc"[..]));
}

#[test]
fn objects_from_other_tools_are_compared_by_crc() {
    let env = Env::new();
    write_tree(
        env.dir.path(),
        &[("d/same.txt", b"same"), ("d/diff.txt", b"mine")],
    );
    env.put("p/same.txt", "same");
    env.put("p/diff.txt", "them");
    let run = env.cos(&["sync", "d", &env.url("p/"), "--json"]).ok();
    assert_eq!(counts(&run), (1, 1, 0), "{run:?}");
    let sent: Vec<_> = run
        .json_lines()
        .into_iter()
        .filter(|l| l["event"] == "upload")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["destination"], env.url("p/diff.txt"));
    assert_eq!(env.get("p/diff.txt").as_deref(), Some(&b"mine"[..]));
}

#[test]
fn checksum_compares_crcs_even_when_times_differ() {
    let env = Env::new();
    write_tree(env.dir.path(), &[("d/a.txt", b"abc")]);
    env.cos(&["sync", "d", &env.url("p")]).ok();
    set_mtime(&env.path("d/a.txt"), 1_000_000_000);
    let run = env
        .cos(&["sync", "d", &env.url("p"), "--checksum", "--json"])
        .ok();
    assert_eq!(counts(&run), (0, 1, 0), "{run:?}");
}

#[test]
fn delete_removes_extraneous_objects_but_not_excluded_ones() {
    let env = Env::new();
    write_tree(env.dir.path(), &[("d/keep.txt", b"k")]);
    env.put("p/extra.txt", "x");
    env.put("p/keep.log", "excluded");
    let run = env
        .cos(&[
            "sync",
            "d",
            &env.url("p"),
            "--delete",
            "--exclude",
            "*.log",
            "--json",
        ])
        .ok();
    assert_eq!(counts(&run), (1, 0, 1), "{run:?}");
    assert_eq!(env.keys("p/"), ["p/keep.log", "p/keep.txt"]);
}

#[test]
fn delete_waits_for_every_transfer_and_never_follows_an_error() {
    let env = Env::new();
    write_tree(env.dir.path(), &[("d/good.txt", b"g"), ("d/bad.txt", b"b")]);
    env.put("p/extra.txt", "x");
    env.emulator.faults().add(
        FaultRule::status(500, "InternalError")
            .method("PUT")
            .path_contains("bad.txt"),
    );
    let run = env
        .cos(&["sync", "d", &env.url("p"), "--delete"])
        .expect_code(1);
    assert!(run.stderr.contains("bad.txt"), "{run:?}");
    assert!(run.stderr.contains("nothing was deleted"), "{run:?}");
    assert_eq!(env.keys("p/"), ["p/extra.txt", "p/good.txt"]);
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let env = Env::new();
    write_tree(env.dir.path(), &[("d/new.txt", b"n"), ("d/same.txt", b"s")]);
    env.cos(&["cp", "d/same.txt", &env.url("p/")]).ok();
    env.put("p/extra.txt", "x");
    let run = env
        .cos(&["sync", "d", &env.url("p"), "--delete", "--dry-run"])
        .ok();
    assert!(run.stdout.contains("upload"), "{run:?}");
    assert!(run.stdout.contains("new.txt (new)"), "{run:?}");
    assert!(run.stdout.contains("delete"), "{run:?}");
    assert!(run.stdout.contains("skip"), "{run:?}");
    assert_eq!(env.keys("p/"), ["p/extra.txt", "p/same.txt"]);
}

#[test]
fn sync_down_sets_mtimes_so_a_second_run_skips_and_deletes_locally() {
    let env = Env::new();
    env.put("r/a.txt", "from another tool");
    write_tree(env.dir.path(), &[("up/b.txt", b"bee")]);
    set_mtime(&env.path("up/b.txt"), 1_500_000_000);
    env.cos(&["cp", "up/b.txt", &env.url("r/sub/")]).ok();
    write_tree(env.dir.path(), &[("local/stale.txt", b"old")]);

    let first = env
        .cos(&["sync", &env.url("r"), "local", "--delete", "--json"])
        .ok();
    assert_eq!(counts(&first), (2, 0, 1), "{first:?}");
    assert_eq!(
        std::fs::read(env.path("local/sub/b.txt")).expect("file"),
        b"bee"
    );
    assert!(!env.path("local/stale.txt").exists());
    let mtime = std::fs::metadata(env.path("local/sub/b.txt"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(
        mtime,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000)
    );

    let again = env
        .cos(&["sync", &env.url("r"), "local", "--delete", "--json"])
        .ok();
    assert_eq!(counts(&again), (0, 2, 0), "{again:?}");
}

#[test]
fn sync_between_prefixes_copies_on_the_server() {
    let env = Env::new();
    env.put("a/1.txt", "one");
    env.put("a/2.txt", "two");
    env.put("b/2.txt", "two");
    let run = env
        .cos(&["sync", &env.url("a"), &env.url("b"), "--json"])
        .ok();
    assert_eq!(counts(&run), (1, 1, 0), "{run:?}");
    assert_eq!(env.get("b/1.txt").as_deref(), Some(&b"one"[..]));
}

#[test]
fn keys_that_could_escape_are_refused_and_block_deletion() {
    let env = Env::new();
    env.put("r/ok.txt", "ok");
    env.put("r/../evil.txt", "evil");
    write_tree(env.dir.path(), &[("local/stale.txt", b"old")]);
    let run = env
        .cos(&["sync", &env.url("r"), "local", "--delete"])
        .expect_code(1);
    assert!(run.stderr.contains("refused"), "{run:?}");
    assert_eq!(
        std::fs::read(env.path("local/ok.txt")).expect("file"),
        b"ok"
    );
    assert!(!env.path("evil.txt").exists());
    assert!(
        env.path("local/stale.txt").exists(),
        "no deletion after a failure"
    );
}

#[test]
fn sync_down_fetches_an_object_replaced_with_the_same_size() {
    let env = Env::new();
    env.put("r/a.txt", "one");
    env.cos(&["sync", &env.url("r"), "local"]).ok();
    // Another tool replaces it a while later: same size, other bytes, later Last-Modified.
    env.emulator.set_clock_offset(120);
    env.put("r/a.txt", "two");
    let run = env.cos(&["sync", &env.url("r"), "local", "--json"]).ok();
    assert_eq!(counts(&run), (1, 0, 0), "{run:?}");
    assert_eq!(
        std::fs::read(env.path("local/a.txt")).expect("file"),
        b"two"
    );
}
