//! `rm`, `cat`, `hash`, `signurl`, `du`, `restore`, `lsparts`, `abort` and `select`
//! against the emulator, through the built binary.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::{BUCKET, Env};
use cos_proto::headers::StorageClass;
use cos_proto::ops::{InitiateMultipartUpload, PutObject};
use cos_tokio::UploadBody;
use serde_json::Value;

/// The values of `field` in the JSON lines whose `event` is `event`.
fn events<'a>(lines: &'a [Value], event: &str, field: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter(|l| l["event"] == event)
        .filter_map(|l| l[field].as_str())
        .collect()
}

/// Bytes that do not repeat in short cycles.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn rm_deletes_one_key_and_refuses_a_prefix_without_r() {
    let env = Env::new();
    env.put("a.txt", "a");
    env.put("b.txt", "b");
    let run = env.cos(&["rm", &env.url("a.txt")]).ok();
    assert!(
        run.stdout
            .contains(&format!("deleted: {}", env.url("a.txt"))),
        "{run:?}"
    );
    assert_eq!(env.keys(""), ["b.txt"]);

    let quiet = env.cos(&["rm", "-q", &env.url("b.txt")]).ok();
    assert!(quiet.stdout.is_empty(), "{quiet:?}");
    assert!(env.keys("").is_empty());
    env.put("b.txt", "b");

    let prefix = env.cos(&["rm", &env.url("")]).expect_code(2);
    assert!(prefix.stderr.contains("pass -r"), "{prefix:?}");
    assert_eq!(env.keys(""), ["b.txt"]);
}

#[test]
fn rm_r_deletes_more_than_a_thousand_keys_in_batches() {
    let env = Env::new();
    for i in 0..1205 {
        env.put(&format!("many/{i:05}"), "x");
    }
    env.put("manyother", "keep");
    env.put("keep/x", "keep");
    // The emulator refuses DeleteObjects of more than 1,000 keys, as COS does.
    let run = env
        .cos(&["rm", "-r", "--force", "--json", &env.url("many")])
        .ok();
    let lines = run.json_lines();
    let deleted = events(&lines, "deleted", "key");
    assert_eq!(deleted.len(), 1205, "{}", run.stderr);
    assert_eq!(deleted[0], "many/00000");
    let summary = lines.last().expect("a summary");
    assert_eq!(
        (summary["deleted"].as_u64(), summary["failed"].as_u64()),
        (Some(1205), Some(0))
    );
    assert!(env.keys("many/").is_empty());
    assert_eq!(env.keys(""), ["keep/x", "manyother"]);
}

#[test]
fn rm_r_without_force_and_without_a_terminal_deletes_nothing() {
    let env = Env::new();
    env.put("dir/a", "a");
    env.put("dir/b", "b");
    let run = env.cos(&["rm", "-r", &env.url("dir/")]).expect_code(2);
    assert!(run.stderr.contains("--force"), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert_eq!(env.keys("dir/"), ["dir/a", "dir/b"]);
}

#[test]
fn rm_dry_run_lists_and_deletes_nothing_and_globs_filter() {
    let env = Env::new();
    for key in [
        "logs/a.log",
        "logs/2024/b.log",
        "logs/c.txt",
        "logs/tmp/d.log",
    ] {
        env.put(key, "x");
    }
    let dry = env
        .cos(&[
            "rm",
            "-r",
            "--dry-run",
            "--json",
            "--include",
            "*.log",
            "--exclude",
            "tmp/*",
            &env.url("logs"),
        ])
        .ok();
    let lines = dry.json_lines();
    assert_eq!(
        events(&lines, "would_delete", "key"),
        ["logs/2024/b.log", "logs/a.log"]
    );
    assert!(events(&lines, "deleted", "key").is_empty());
    assert_eq!(env.keys("logs/").len(), 4, "a dry run deletes nothing");

    env.cos(&["rm", "-r", "-f", "--exclude", "*.txt", &env.url("logs/")])
        .ok();
    assert_eq!(env.keys(""), ["logs/c.txt"]);
}

#[test]
fn rm_r_versions_deletes_every_version() {
    let env = Env::with(cos_emulator::EmulatorConfig::new().bucket(BUCKET, true));
    env.put("v/one", "1");
    env.put("v/one", "2");
    let run = env
        .cos(&[
            "rm",
            "-r",
            "--versions",
            "--force",
            "--json",
            &env.url("v/"),
        ])
        .ok();
    assert_eq!(
        events(&run.json_lines(), "deleted", "key"),
        ["v/one", "v/one"]
    );
    let listed = env
        .cos(&["ls", "--versions", "-r", "--json", &env.url("v/")])
        .ok();
    assert!(
        listed.json_lines().iter().all(|l| l.get("key").is_none()),
        "no version left: {listed:?}"
    );
}

#[test]
fn cat_writes_an_object_byte_for_byte() {
    let env = Env::new();
    let body = noise(3 * 1024 * 1024 + 17);
    env.put("big.bin", body.clone());
    let output = env
        .command()
        .args(["cat", &env.url("big.bin")])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        output.stdout == body,
        "{} bytes out of {}",
        output.stdout.len(),
        body.len()
    );

    let range = env
        .command()
        .args(["cat", "--range", "10-19", &env.url("big.bin")])
        .output()
        .expect("runs");
    assert_eq!(range.stdout, body[10..20]);
    let tail = env
        .command()
        .args(["cat", "--range", "-5", &env.url("big.bin")])
        .output()
        .expect("runs");
    assert_eq!(tail.stdout, body[body.len() - 5..]);
}

#[test]
fn cat_of_a_missing_key_fails_with_a_hint() {
    let env = Env::new();
    let run = env.cos(&["cat", &env.url("nothing")]).expect_code(1);
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(
        run.stderr.contains("NoSuchKey") && run.stderr.contains("cos ls"),
        "{run:?}"
    );
}

#[test]
fn hash_of_a_file_matches_the_object_it_was_put_as() {
    use md5::Digest as _;
    let env = Env::new();
    let body = noise(300_001);
    let path = env.path("data.bin");
    std::fs::write(&path, &body).expect("write");
    env.put("data.bin", body.clone());

    let local = env
        .cos(&["hash", "--json", path.to_str().expect("utf-8")])
        .ok();
    let local = &local.json_lines()[0];
    let remote = env.cos(&["hash", "--json", &env.url("data.bin")]).ok();
    let remote = &remote.json_lines()[0];

    let crc = cos_proto::crc64::crc64(&body).to_string();
    assert_eq!(local["crc64ecma"], crc.as_str());
    assert_eq!(remote["crc64ecma"], crc.as_str());
    let head = env.head("data.bin").expect("head");
    assert_eq!(head.crc64.map(|c| c.to_string()), Some(crc));

    let md5: String = md5::Md5::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(local["md5"], md5.as_str());
    assert_eq!(remote["md5"], md5.as_str());
    assert_eq!(local["content_md5"], remote["content_md5"]);
    assert_eq!(local["size"], 300_001);

    let downloaded = env
        .cos(&["hash", "--md5", "--json", &env.url("data.bin")])
        .ok();
    assert_eq!(downloaded.json_lines()[0]["md5"], md5.as_str());
    env.cos(&["hash", &env.path("missing").to_string_lossy()])
        .expect_code(1);
}

#[test]
fn signurl_is_fetched_without_credentials() {
    let env = Env::new();
    env.put("shared/doc.txt", "shared body");
    let run = env
        .cos(&["signurl", "--expires", "600", &env.url("shared/doc.txt")])
        .ok();
    let url = run.stdout.trim();
    let rest = url
        .strip_prefix("http://")
        .expect("an http URL from the emulator");
    let (authority, path) = rest.split_once('/').expect("a path");
    assert_eq!(authority, env.emulator.authority());
    assert!(authority.starts_with("127.0.0.1:"));

    let fetch = |path: &str| {
        let mut stream = TcpStream::connect(authority).expect("connect");
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        answer
    };
    let answer = fetch(path);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("shared body"), "{answer}");
    let unsigned = fetch(path.split('?').next().expect("path"));
    assert!(!unsigned.starts_with("HTTP/1.1 200"), "{unsigned}");

    let json = env
        .cos(&["signurl", "--json", "--method", "put", &env.url("up.txt")])
        .ok();
    let line = &json.json_lines()[0];
    assert_eq!(line["method"], "PUT");
    assert_eq!(line["expires_in"], 3600);
}

#[test]
fn du_totals_each_sub_prefix_and_the_whole() {
    let env = Env::new();
    env.put("data/a/1", "aaa");
    env.put("data/a/2/deep", "aaaa");
    env.put("data/b/1", "bbbbb");
    env.put("data/c.txt", "cccccc");
    env.put("data/z/1", "z");
    env.put("data.txt", "not under data/");
    let run = env.cos(&["du", "--json", &env.url("data")]).ok();
    let lines = run.json_lines();
    let rows: Vec<(&str, u64, u64, bool)> = lines
        .iter()
        .map(|l| {
            (
                l["prefix"].as_str().expect("prefix"),
                l["objects"].as_u64().expect("objects"),
                l["bytes"].as_u64().expect("bytes"),
                l["event"] == "summary",
            )
        })
        .collect();
    let a = env.url("data/a/");
    let b = env.url("data/b/");
    let z = env.url("data/z/");
    let all = env.url("data/");
    assert_eq!(
        rows,
        [
            (a.as_str(), 2, 7, false),
            (b.as_str(), 1, 5, false),
            (z.as_str(), 1, 1, false),
            (all.as_str(), 1, 6, false),
            (all.as_str(), 5, 19, true),
        ]
    );
    assert_eq!(lines[3]["direct"], true);

    let plain = env.cos(&["du", "--bytes", &env.url("data/")]).ok();
    assert!(
        plain
            .stdout
            .lines()
            .last()
            .is_some_and(|l| l.contains("19") && l.contains("total")),
        "{plain:?}"
    );
}

#[test]
fn restore_starts_on_archived_objects_and_skips_the_others() {
    let env = Env::with(
        cos_emulator::EmulatorConfig::new()
            .bucket(BUCKET, false)
            .restore_delay(std::time::Duration::from_secs(3600)),
    );
    let archived = PutObject::new("cold/a.bin", None).storage_class(StorageClass::Archive);
    env.block_on(
        env.client()
            .put_object(&archived, UploadBody::bytes("archived")),
    )
    .expect("put");
    env.put("cold/b.txt", "standard");

    let run = env
        .cos(&[
            "restore",
            "-r",
            "--days",
            "2",
            "--tier",
            "Bulk",
            "--json",
            &env.url("cold"),
        ])
        .ok();
    let lines = run.json_lines();
    assert_eq!(events(&lines, "restoring", "url"), [env.url("cold/a.bin")]);
    assert_eq!(events(&lines, "skipped", "url"), [env.url("cold/b.txt")]);
    let restore = env
        .head("cold/a.bin")
        .and_then(|h| h.restore)
        .expect("x-cos-restore");
    assert!(restore.contains("ongoing-request=\"true\""), "{restore}");

    let again = env.cos(&["restore", &env.url("cold/a.bin")]).ok();
    assert!(again.stdout.contains("in progress"), "{again:?}");
    let plain = env.cos(&["restore", &env.url("cold/b.txt")]).ok();
    assert!(plain.stdout.contains("not archived"), "{plain:?}");
    env.cos(&["restore", "--tier", "Fast", &env.url("cold/a.bin")])
        .expect_code(2);
}

#[test]
fn lsparts_lists_pending_uploads_and_abort_aborts_them() {
    let env = Env::new();
    let mut ids = Vec::new();
    for key in ["big/a.bin", "big/b.bin", "other/c.bin"] {
        let started = env
            .block_on(
                env.client()
                    .create_multipart_upload(&InitiateMultipartUpload::new(key)),
            )
            .expect("initiate");
        ids.push(started.upload_id);
    }
    let listed = env.cos(&["lsparts", "--json", &env.url("big/")]).ok();
    let lines = listed.json_lines();
    let keys: Vec<&str> = lines.iter().filter_map(|l| l["key"].as_str()).collect();
    assert_eq!(keys, ["big/a.bin", "big/b.bin"]);
    assert_eq!(lines[0]["upload_id"], ids[0].as_str());
    assert_eq!(lines.last().expect("summary")["uploads"], 2);

    env.cos(&["abort", &env.url("big/a.bin"), "--upload-id", &ids[0]])
        .ok();
    let listed = env.cos(&["lsparts", "--json", &env.url("")]).ok();
    let keys: Vec<String> = listed
        .json_lines()
        .iter()
        .filter_map(|l| l["key"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(keys, ["big/b.bin", "other/c.bin"]);

    // `abort -r cos://b/big` is the folder `big/`: an upload under `big-old/` survives.
    let sibling = env
        .block_on(
            env.client()
                .create_multipart_upload(&InitiateMultipartUpload::new("big-old/d.bin")),
        )
        .expect("initiate")
        .upload_id;
    env.cos(&["abort", "-r", "--force", &env.url("big")]).ok();
    let listed = env.cos(&["lsparts", "--json", &env.url("")]).ok();
    let keys: Vec<String> = listed
        .json_lines()
        .iter()
        .filter_map(|l| l["key"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(keys, ["big-old/d.bin", "other/c.bin"]);
    ids[1] = sibling;

    let refused = env.cos(&["abort", "-r", &env.url("")]).expect_code(2);
    assert!(refused.stderr.contains("--force"), "{refused:?}");
    env.cos(&["abort", &env.url("big/b.bin")]).expect_code(2);
    let all = env
        .cos(&["abort", "-r", "--force", "--json", &env.url("")])
        .ok();
    assert_eq!(
        events(&all.json_lines(), "aborted", "upload_id"),
        [ids[1].as_str(), ids[2].as_str()]
    );
    let none = env.cos(&["lsparts", &env.url("")]).ok();
    assert!(none.stdout.contains("0 pending uploads"), "{none:?}");
    let gone = env
        .cos(&["abort", &env.url("big/a.bin"), "--upload-id", &ids[0]])
        .expect_code(1);
    assert!(gone.stderr.contains("NoSuchUpload"), "{gone:?}");
}

#[test]
fn select_streams_the_records_of_a_csv_query() {
    let env = Env::new();
    env.put("people.csv", "name,age\nalice,30\nbob,25\ncarol,41\n");
    let all = env
        .cos(&[
            "select",
            &env.url("people.csv"),
            "--expression",
            "select * from cosobject s",
            "--input",
            "csv",
            "--csv-header",
            "use",
            "--output",
            "csv",
        ])
        .ok();
    assert_eq!(all.stdout, "alice,30\nbob,25\ncarol,41\n");
    let some = env
        .cos(&[
            "select",
            &env.url("people.csv"),
            "-e",
            "select s.name from cosobject s where cast(s.age as int) > 26",
            "--input",
            "csv",
            "--csv-header",
            "use",
            "--output",
            "json",
        ])
        .ok();
    let names: Vec<Value> = some
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record"))
        .collect();
    assert_eq!(
        names,
        [
            serde_json::json!({"name": "alice"}),
            serde_json::json!({"name": "carol"})
        ]
    );
    let bad = env
        .cos(&[
            "select",
            &env.url("people.csv"),
            "-e",
            "selec nothing",
            "--input",
            "csv",
        ])
        .expect_code(1);
    assert!(bad.stderr.contains("expression"), "{bad:?}");
}

#[test]
fn cat_fails_after_partial_output_when_the_crc64_does_not_match() {
    let env = Env::new();
    let body = noise(2 * 1024 * 1024);
    env.put("flipped.bin", body.clone());
    env.emulator.faults().add(
        cos_emulator::FaultRule::flip_byte(1_500_000)
            .method("GET")
            .path_contains("flipped.bin"),
    );
    let output = env
        .command()
        .args(["cat", &env.url("flipped.bin")])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        !output.stdout.is_empty(),
        "some bytes went out before the check"
    );
    assert!(stderr.contains("incomplete"), "{stderr}");
}

#[test]
fn hash_of_a_multipart_object_says_its_etag_is_no_md5_and_md5_computes_it() {
    use cos_proto::ops::{CompleteMultipartUpload, UploadPart};
    use md5::Digest as _;
    let env = Env::with(
        cos_emulator::EmulatorConfig::new()
            .bucket(BUCKET, false)
            .min_part_size(4),
    );
    let client = env.client();
    let upload = env
        .block_on(client.create_multipart_upload(&InitiateMultipartUpload::new("parts.bin")))
        .expect("initiate")
        .upload_id;
    let mut complete = CompleteMultipartUpload::new("parts.bin", upload.clone());
    for (number, part) in [(1, "first part "), (2, "second part")] {
        let op = UploadPart::new("parts.bin", upload.clone(), number, Some(part.len() as u64));
        let etag = env
            .block_on(client.upload_part(&op, UploadBody::bytes(part)))
            .expect("part")
            .etag;
        complete = complete.part(number, etag);
    }
    env.block_on(client.complete_multipart_upload(&complete))
        .expect("complete");

    let head = env.cos(&["hash", "--json", &env.url("parts.bin")]).ok();
    let line = &head.json_lines()[0];
    assert!(line["md5"].is_null(), "{line}");
    assert!(
        line["note"].as_str().is_some_and(|n| n.contains("--md5")),
        "{line}"
    );
    let body = b"first part second part";
    assert_eq!(
        line["crc64ecma"],
        cos_proto::crc64::crc64(body).to_string().as_str()
    );

    let computed = env
        .cos(&["hash", "--md5", "--json", &env.url("parts.bin")])
        .ok();
    let md5: String = md5::Md5::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(computed.json_lines()[0]["md5"], md5.as_str());
}
