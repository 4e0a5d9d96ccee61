//! Every bucket operation through the blocking client against an emulator where a bucket
//! exists only once created (`cos_conformance::bucket_round_trips!`).
#![allow(clippy::unwrap_used)]

use cos_blocking::{Client, StaticCredentials};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;

macro_rules! call {
    ($e:expr) => {
        $e
    };
}

#[test]
fn every_bucket_operation_round_trips() {
    let emulator = Emulator::start(EmulatorConfig::new().auto_create_buckets(false)).unwrap();
    let config = Config::builder("ap-guangzhou", cos_conformance::buckets::BUCKET)
        .path_style(emulator.authority())
        .build()
        .unwrap();
    let client = Client::builder(config)
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .proxy_from_env(false)
        .build()
        .unwrap();
    cos_conformance::bucket_round_trips!(client, call);
}
