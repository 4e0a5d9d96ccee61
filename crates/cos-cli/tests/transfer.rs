//! `cos cp` and `cos mv` against the emulator, through the built binary.

mod common;

use std::time::{Duration, Instant};

use common::{Env, write_tree};
use cos_emulator::FaultRule;

#[test]
fn cp_uploads_a_file_named_like_coscli() {
    let env = Env::new();
    write_tree(env.dir.path(), &[("a.txt", b"hello")]);
    env.cos(&["cp", "a.txt", &env.url("dir/")]).ok();
    env.cos(&["cp", "a.txt", &env.url("other/name.txt")]).ok();
    env.cos(&["cp", "a.txt", &env.url("")]).ok();
    assert_eq!(env.get("dir/a.txt").as_deref(), Some(&b"hello"[..]));
    assert_eq!(env.get("other/name.txt").as_deref(), Some(&b"hello"[..]));
    assert_eq!(env.get("a.txt").as_deref(), Some(&b"hello"[..]));
    let info = env.head("dir/a.txt").expect("object");
    assert!(
        info.metadata.iter().any(|(n, _)| n == "x-cos-meta-mtime"),
        "uploads record the mtime: {info:?}"
    );
}

#[test]
fn cp_r_uploads_a_tree_below_the_prefix_with_filters() {
    let env = Env::new();
    let files: &[(&str, &[u8])] = &[
        ("tree/a.txt", b"a"),
        ("tree/sub/b.txt", b"bb"),
        ("tree/sub/skip.log", b"log"),
        ("tree/secret/c.txt", b"c"),
        ("tree/.cos-transfer/x.resume", b"{}"),
    ];
    write_tree(env.dir.path(), files);
    let run = env
        .cos(&[
            "cp",
            "-r",
            "tree",
            &env.url("up"),
            "--include",
            "*.txt",
            "--exclude",
            "secret/**",
            "--json",
        ])
        .ok();
    assert_eq!(env.keys("up/"), ["up/a.txt", "up/sub/b.txt"]);
    let lines = run.json_lines();
    let upload = lines
        .iter()
        .find(|l| l["destination"] == env.url("up/sub/b.txt"))
        .expect("a line per file");
    assert_eq!(upload["event"], "upload");
    assert_eq!(upload["bytes"], 2);
    assert!(
        upload["source"]
            .as_str()
            .is_some_and(|s| s.ends_with("b.txt"))
    );
    let summary = lines.last().expect("summary");
    assert_eq!(
        (summary["event"].as_str(), summary["transferred"].as_u64()),
        (Some("summary"), Some(2))
    );
}

#[test]
fn cp_downloads_a_file_into_a_directory_or_a_name_and_a_tree() {
    let env = Env::new();
    env.put("logs/2024/a.txt", "aaa");
    env.put("logs/b.txt", "b");
    env.put("logs/dir/", "");
    env.put("other.txt", "o");
    env.cos(&["cp", &env.url("logs/2024/a.txt"), "."]).ok();
    assert_eq!(std::fs::read(env.path("a.txt")).expect("file"), b"aaa");
    env.cos(&["cp", &env.url("logs/b.txt"), "new/"]).ok();
    assert_eq!(std::fs::read(env.path("new/b.txt")).expect("file"), b"b");
    env.cos(&["cp", &env.url("logs/b.txt"), "named.txt"]).ok();
    assert_eq!(std::fs::read(env.path("named.txt")).expect("file"), b"b");

    env.cos(&["cp", "-r", &env.url("logs"), "out", "--exclude", "b.*"])
        .ok();
    assert_eq!(
        std::fs::read(env.path("out/2024/a.txt")).expect("file"),
        b"aaa"
    );
    assert!(!env.path("out/b.txt").exists(), "excluded");
    assert!(!env.path("out/other.txt").exists(), "outside the prefix");

    let prefix = env.cos(&["cp", &env.url("logs"), "x"]).expect_code(1);
    assert!(
        prefix.stderr.contains("-r"),
        "a prefix says to pass -r: {prefix:?}"
    );
}

#[test]
fn cp_refuses_keys_that_escape_the_directory() {
    let env = Env::new();
    env.put("p/ok.txt", "ok");
    env.put("p/../evil.txt", "evil");
    let run = env.cos(&["cp", "-r", &env.url("p/"), "out"]).expect_code(1);
    assert!(run.stderr.contains("refused"), "{run:?}");
    assert_eq!(std::fs::read(env.path("out/ok.txt")).expect("file"), b"ok");
    assert!(!env.path("evil.txt").exists());
}

#[test]
fn cp_copies_between_keys_and_trees_on_the_server() {
    let env = Env::new();
    env.put("src/a.txt", "a");
    env.put("src/d/b.txt", "bb");
    env.cos(&["cp", &env.url("src/a.txt"), &env.url("dst/")])
        .ok();
    assert_eq!(env.get("dst/a.txt").as_deref(), Some(&b"a"[..]));
    env.cos(&["cp", "-r", &env.url("src/"), &env.url("copy")])
        .ok();
    assert_eq!(env.keys("copy/"), ["copy/a.txt", "copy/d/b.txt"]);
    assert_eq!(env.get("copy/d/b.txt").as_deref(), Some(&b"bb"[..]));
}

#[test]
fn cp_flags_set_class_metadata_and_type() {
    let env = Env::new();
    write_tree(env.dir.path(), &[("f.bin", b"data")]);
    env.cos(&[
        "cp",
        "f.bin",
        &env.url("f.bin"),
        "--storage-class",
        "STANDARD_IA",
        "--meta",
        "owner=alice",
        "--content-type",
        "application/x-test",
        "--sse",
        "AES256",
        "--acl",
        "private",
    ])
    .ok();
    let info = env.head("f.bin").expect("object");
    assert_eq!(
        info.storage_class
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .as_deref(),
        Some("STANDARD_IA")
    );
    assert!(
        info.metadata
            .iter()
            .any(|(n, v)| n == "x-cos-meta-owner" && v == "alice"),
        "{info:?}"
    );
    assert_eq!(
        info.content.content_type.as_deref(),
        Some("application/x-test")
    );
    assert_eq!(info.server_side_encryption.as_deref(), Some("AES256"));
}

#[test]
fn mv_deletes_each_source_only_after_its_copy() {
    let env = Env::new();
    write_tree(env.dir.path(), &[("up.txt", b"up")]);
    env.cos(&["mv", "up.txt", &env.url("moved/")]).ok();
    assert!(!env.path("up.txt").exists());
    assert_eq!(env.get("moved/up.txt").as_deref(), Some(&b"up"[..]));

    env.cos(&["mv", &env.url("moved/up.txt"), &env.url("again/up.txt")])
        .ok();
    assert_eq!(env.get("moved/up.txt"), None);
    assert_eq!(env.get("again/up.txt").as_deref(), Some(&b"up"[..]));

    env.cos(&["mv", &env.url("again/up.txt"), "down.txt"]).ok();
    assert_eq!(env.get("again/up.txt"), None);
    assert_eq!(std::fs::read(env.path("down.txt")).expect("file"), b"up");

    // A failed upload keeps its source.
    write_tree(env.dir.path(), &[("kept.txt", b"k")]);
    env.emulator
        .faults()
        .add(FaultRule::status(403, "AccessDenied").method("PUT"));
    let denied = env
        .cos(&["mv", "kept.txt", &env.url("kept.txt")])
        .expect_code(1);
    assert!(env.path("kept.txt").exists());
    assert!(
        denied.stderr.contains("CAM policy"),
        "says what to do: {denied:?}"
    );
}

#[test]
fn a_failed_file_exits_1_and_the_others_are_done() {
    let env = Env::new();
    let files: &[(&str, &[u8])] = &[("t/a.txt", b"a"), ("t/bad.txt", b"b"), ("t/c.txt", b"c")];
    write_tree(env.dir.path(), files);
    env.emulator.faults().add(
        FaultRule::status(500, "InternalError")
            .method("PUT")
            .path_contains("bad.txt"),
    );
    let run = env.cos(&["cp", "-r", "t", &env.url("t/")]).expect_code(1);
    assert!(run.stderr.contains("bad.txt"), "{run:?}");
    assert!(run.stderr.contains("run the same command again"), "{run:?}");
    assert_eq!(env.keys("t/"), ["t/a.txt", "t/c.txt"]);
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("d")).expect("dir");
    let dir = env.cos(&["cp", "d", &env.url("d/")]).expect_code(2);
    assert!(dir.stderr.contains("-r"), "{dir:?}");
    env.cos(&["cp", "a", "b"]).expect_code(2);
    env.cos(&["cp", "d", &env.url(""), "--jobs", "0"])
        .expect_code(2);
    env.cos(&["cp", "d", &env.url(""), "--sse", "nope"])
        .expect_code(2);
}

#[test]
fn a_killed_upload_resumes_and_sends_only_the_rest() {
    let env = Env::new();
    let (body, url, slow) = slowed_upload(&env, 251);
    let args = ["cp", "big.bin", &url, "--part-size", "1MiB", "--jobs", "2"];
    let mut child = env.command().args(args).spawn().expect("spawn");
    let checkpoint = wait_for_checkpoint(&env);
    std::thread::sleep(Duration::from_millis(800));
    child.kill().expect("kill");
    child.wait().expect("wait");
    assert_eq!(env.get("big.bin"), None, "nothing at the key yet");

    env.emulator.faults().remove(slow);
    let before = env.emulator.traffic().received();
    env.cos(&args).ok();
    let sent = env.emulator.traffic().received() - before;
    assert_eq!(env.get("big.bin").as_deref(), Some(&body[..]));
    assert!(sent < body.len() as u64, "resumed: {sent} bytes sent again");
    assert!(!checkpoint.exists(), "the checkpoint is gone once done");
}

#[test]
fn ctrl_c_stops_keeps_the_checkpoint_and_says_to_run_again() {
    let env = Env::new();
    let (body, url, slow) = slowed_upload(&env, 241);
    let args = ["cp", "big.bin", &url, "--part-size", "1MiB", "--jobs", "2"];
    let child = env
        .command()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let checkpoint = wait_for_checkpoint(&env);
    let signal = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(signal.success());
    let run = common::finish(child.wait_with_output().expect("wait")).expect_code(130);
    assert!(run.stderr.contains("run the same command again"), "{run:?}");
    assert!(checkpoint.exists(), "the checkpoint stays for the resume");
    assert_eq!(env.get("big.bin"), None);
    env.emulator.faults().remove(slow);
    env.cos(&args).ok();
    assert_eq!(env.get("big.bin").as_deref(), Some(&body[..]));
}

#[test]
fn a_killed_download_resumes_and_fetches_only_the_rest() {
    let env = Env::new();
    let body: Vec<u8> = (0..24u32 << 20).map(|i| (i % 239) as u8).collect();
    env.put("big.bin", body.clone());
    let slow = env
        .emulator
        .faults()
        .add(FaultRule::trickle(64 << 10, Duration::from_millis(10)).method("GET"));
    let args = [
        "cp",
        &env.url("big.bin"),
        "got.bin",
        "--part-size",
        "1MiB",
        "--jobs",
        "2",
    ];
    let mut child = env.command().args(args).spawn().expect("spawn");
    let checkpoint = env.path(".cos-transfer/got.bin.resume");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !checkpoint.exists() {
        assert!(Instant::now() < deadline, "no checkpoint appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    child.kill().expect("kill");
    child.wait().expect("wait");
    assert!(
        !env.path("got.bin").exists(),
        "nothing half-written at the path"
    );

    env.emulator.faults().remove(slow);
    let before = env.emulator.traffic().sent();
    env.cos(&args).ok();
    let fetched = env.emulator.traffic().sent() - before;
    assert_eq!(std::fs::read(env.path("got.bin")).expect("file"), body);
    assert!(
        fetched < body.len() as u64,
        "resumed: {fetched} bytes fetched again"
    );
}

#[test]
fn mv_r_moves_a_tree_and_keeps_excluded_files() {
    let env = Env::new();
    let files: &[(&str, &[u8])] = &[("t/a.txt", b"a"), ("t/s/b.txt", b"b"), ("t/keep.log", b"l")];
    write_tree(env.dir.path(), files);
    env.cos(&["mv", "-r", "t", &env.url("m/"), "--exclude", "*.log"])
        .ok();
    assert_eq!(env.keys("m/"), ["m/a.txt", "m/s/b.txt"]);
    assert!(!env.path("t/a.txt").exists() && !env.path("t/s/b.txt").exists());
    assert!(env.path("t/keep.log").exists());
    env.cos(&["mv", "-r", &env.url("m/"), &env.url("n/")]).ok();
    assert_eq!(env.keys("m/"), Vec::<String>::new());
    assert_eq!(env.keys("n/"), ["n/a.txt", "n/s/b.txt"]);
}

/// A 24 MiB file `big.bin` (bytes `i % modulus`) whose upload parts the emulator slows
/// down: its bytes, the URL to upload it to, and the slowing rule.
fn slowed_upload(env: &Env, modulus: u32) -> (Vec<u8>, String, cos_emulator::FaultId) {
    let body: Vec<u8> = (0..24u32 << 20).map(|i| (i % modulus) as u8).collect();
    std::fs::write(env.path("big.bin"), &body).expect("write");
    let slow = env.emulator.faults().add(
        FaultRule::latency(Duration::from_millis(250))
            .method("PUT")
            .query_contains("partNumber"),
    );
    (body, env.url("big.bin"), slow)
}

/// Waits (up to 30 s) for the checkpoint of `big.bin`'s transfer; its path.
fn wait_for_checkpoint(env: &Env) -> std::path::PathBuf {
    let checkpoint = env.path(".cos-transfer/big.bin.resume");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !checkpoint.exists() {
        assert!(Instant::now() < deadline, "no checkpoint appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    checkpoint
}

#[test]
fn moves_onto_themselves_or_into_their_own_prefix_are_refused() {
    let env = Env::new();
    env.put("d/k", "keep me");
    env.put("a/x", "x");
    for args in [
        ["mv", &env.url("d/k"), &env.url("d/k")],
        ["mv", &env.url("d/k"), &env.url("d/")],
    ] {
        let run = env.cos(&args).expect_code(2);
        assert!(run.stderr.contains("onto itself"), "{run:?}");
    }
    assert_eq!(env.get("d/k").as_deref(), Some(&b"keep me"[..]));
    let nested = env.cos(&["mv", "-r", &env.url("a"), &env.url("a/sub")]);
    nested.expect_code(2);
    let inside = env.cos(&["cp", "-r", &env.url("a"), &env.url("a/sub/")]);
    assert!(inside.expect_code(2).stderr.contains("copied again"));
    assert_eq!(env.keys(""), ["a/x", "d/k"], "nothing moved or copied");
    // Copying an object onto itself is how its metadata changes: allowed.
    env.cos(&["cp", "--meta", "team=ops", &env.url("d/k"), &env.url("d/k")])
        .ok();
    let info = env.head("d/k").expect("kept");
    assert!(
        info.metadata
            .iter()
            .any(|(k, v)| k.ends_with("team") && v == "ops")
    );
    assert_eq!(env.get("d/k").as_deref(), Some(&b"keep me"[..]));
}
