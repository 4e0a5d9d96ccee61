//! Shared set-up of the integration tests: an emulator and a client pointed at it.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::retry::RetryPolicy;
use cos_tokio::{Client, ClientBuilder, StaticCredentials};

pub const BUCKET: &str = "examplebucket-1250000000";

/// Retries quick enough for tests.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    }
}

pub fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new().bucket(BUCKET, false)).expect("emulator starts")
}

pub fn config(emulator: &Emulator) -> Config {
    Config::builder("ap-guangzhou", BUCKET)
        .path_style(emulator.authority())
        .build()
        .expect("config")
}

pub fn builder(emulator: &Emulator) -> ClientBuilder {
    Client::builder(config(emulator))
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .retry(fast_retries())
        .proxy_from_env(false)
}

pub fn client(emulator: &Emulator) -> Client {
    builder(emulator).build().expect("client")
}

/// Deterministic, non-repeating-looking test data.
pub fn data(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
