//! `mb` and `rb` against an emulator that creates no bucket on its own, through the
//! built binary.

mod common;

use common::Env;
use cos_proto::ops::{InitiateMultipartUpload, PutObject};
use cos_tokio::UploadBody;

#[test]
fn mb_and_rb_make_and_remove_buckets() {
    let env = Env::with(cos_emulator::EmulatorConfig::new().auto_create_buckets(false));
    let bucket = "fresh-1250000000";
    let url = format!("cos://{bucket}");
    env.cos(&["ls", &format!("{url}/")]).expect_code(1);

    env.cos(&["mb", &url, "--acl", "private"]).ok();
    let buckets = env.cos(&["ls", "--json"]).ok();
    assert!(
        buckets.json_lines().iter().any(|l| l["bucket"] == bucket),
        "{buckets:?}"
    );
    let again = env.cos(&["mb", &url]).expect_code(1);
    assert!(again.stderr.contains("exists"), "{again:?}");

    let client = env.client().with_bucket(bucket).expect("client");
    env.block_on(client.put_object(&PutObject::new("x", None), UploadBody::bytes("x")))
        .expect("put");
    env.block_on(client.create_multipart_upload(&InitiateMultipartUpload::new("up")))
        .expect("initiate");
    let full = env.cos(&["rb", &url]).expect_code(1);
    assert!(full.stderr.contains("BucketNotEmpty"), "{full:?}");
    assert!(full.stderr.contains("--force"), "the hint: {full:?}");

    let forced = env.cos(&["rb", "--force", &url]).ok();
    assert!(
        forced.stdout.contains(&format!("removed: {url}")),
        "{forced:?}"
    );
    let buckets = env.cos(&["ls", "--json"]).ok();
    assert!(
        !buckets.json_lines().iter().any(|l| l["bucket"] == bucket),
        "{buckets:?}"
    );
    let key = env.cos(&["mb", &format!("{url}/key")]).expect_code(2);
    assert!(key.stderr.contains("names a key"), "{key:?}");
}
