//! The quickstart: `cargo run --example quickstart`.
//!
//! It will walk through the getting-started flow of the COS documentation against an
//! embedded emulator (or real COS when `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_REGION` and
//! `COS_BUCKET` are set) once the `cos-tokio` client and the emulator land. Until then it
//! shows what the core does on its own: it builds and signs a request, offline.
#![allow(clippy::print_stdout)]

use cos_proto::ops::PutObject;
use cos_proto::sign::{self, KeyTime, SignOptions};
use cos_proto::{Config, Credentials, Operation};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cos-rs quickstart: the clients and the embedded emulator are coming soon.");
    println!("Meanwhile, here is a request signed by cos-proto, the Sans-IO core:\n");
    let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build()?;
    let credentials = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE")?;
    let put = PutObject::new("hello.txt", Some(11)).content_type("text/plain");
    let mut request = put.build_request(&config)?;
    sign::sign_request(
        &mut request,
        &credentials,
        KeyTime::new(1_700_000_000, 10_000),
        SignOptions::default(),
    )?;
    println!("{} {}", request.method(), request.uri());
    for (name, value) in request.headers() {
        let shown = if value.is_sensitive() {
            "<signature, redacted>".into()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        println!("{name}: {shown}");
    }
    Ok(())
}
