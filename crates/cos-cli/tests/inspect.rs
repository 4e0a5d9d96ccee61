//! `cos ls` and `cos stat` against the emulator, through the built binary.

mod common;

use common::{BUCKET, Env};

#[test]
fn ls_lists_one_level_everything_or_buckets() {
    let env = Env::new();
    env.put("logs/a.txt", "aaaa");
    env.put("logs/2024/b.txt", "bb");
    env.put("top.txt", "t");

    let level = env.cos(&["ls", &env.url("logs/")]).ok();
    assert!(level.stdout.contains(&env.url("logs/a.txt")), "{level:?}");
    assert!(level.stdout.contains("DIR"), "the sub-prefix: {level:?}");
    assert!(!level.stdout.contains("b.txt"), "one level only: {level:?}");
    assert!(level.stdout.contains("1 objects, 4 B"), "{level:?}");

    let all = env.cos(&["ls", "-r", "--json", &env.url("")]).ok();
    let lines = all.json_lines();
    let keys: Vec<&str> = lines.iter().filter_map(|l| l["key"].as_str()).collect();
    assert_eq!(keys, ["logs/2024/b.txt", "logs/a.txt", "top.txt"]);
    let summary = lines.last().expect("a summary");
    assert_eq!(
        (summary["objects"].as_u64(), summary["bytes"].as_u64()),
        (Some(3), Some(7))
    );

    let buckets = env.cos(&["ls", "--json"]).ok();
    assert!(
        buckets.json_lines().iter().any(|l| l["bucket"] == BUCKET),
        "{buckets:?}"
    );
}

#[test]
fn ls_of_versions_shows_delete_markers() {
    let env = Env::with(cos_emulator::EmulatorConfig::new().bucket(BUCKET, true));
    env.put("v.txt", "one");
    env.put("v.txt", "two!");
    let run = env.cos(&["ls", "--versions", "--json", &env.url("v")]).ok();
    let versions: Vec<_> = run
        .json_lines()
        .into_iter()
        .filter(|l| l["key"] == "v.txt")
        .collect();
    assert_eq!(versions.len(), 2, "{run:?}");
    assert_eq!(versions.iter().filter(|v| v["latest"] == true).count(), 1);
}

#[test]
fn stat_shows_metadata_and_a_missing_key_fails_with_a_hint() {
    let env = Env::new();
    env.put("doc.txt", "hello");
    let run = env.cos(&["stat", "--json", &env.url("doc.txt")]).ok();
    let info = &run.json_lines()[0];
    assert_eq!(info["size"], 5);
    assert!(
        info["crc64"].as_str().is_some_and(|c| !c.is_empty()),
        "{info}"
    );

    let missing = env.cos(&["stat", &env.url("nothing")]).expect_code(1);
    assert!(missing.stderr.contains("nothing"), "{missing:?}");
}

#[test]
fn usage_errors_exit_2_and_say_what_to_write() {
    let env = Env::new();
    let run = env.cos(&["stat", "not-a-url"]).expect_code(2);
    assert!(run.stderr.contains("cos://bucket-appid/key"), "{run:?}");
    env.cos(&["no-such-command"]).expect_code(2);
    let no_bucket = env.cos(&["ls", "cos:///x"]).expect_code(2);
    assert!(
        no_bucket.stderr.contains("names no bucket"),
        "{no_bucket:?}"
    );
}

#[test]
fn wrong_keys_say_which_variables_to_check() {
    let env = Env::new();
    let run = env
        .command()
        .args(["ls", &env.url("")])
        .env("COS_SECRET_KEY", "wrong")
        .output()
        .expect("runs");
    let run = common::finish(run).expect_code(1);
    assert!(run.stderr.contains("COS_SECRET_KEY"), "{run:?}");
}
