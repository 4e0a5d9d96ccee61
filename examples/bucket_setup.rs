//! Sets up a bucket for an application: versioning on, a lifecycle that expires
//! temporary uploads after 7 days and moves logs to Archive after 30, and CORS rules for
//! browser uploads from one origin. `cargo run --example bucket_setup`.
//!
//! With `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_REGION` and `COS_BUCKET` set it configures
//! that bucket on real COS (it must exist; its current configurations are replaced).
//! Without them it starts an embedded emulator, creates the bucket there first, and shows
//! a browser's CORS preflight being answered from the rules.
#![allow(clippy::print_stdout)]

use std::error::Error;

use cos_blocking::{Client, StaticCredentials};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::bucket::{
    BucketExists, CorsConfiguration, CorsRule, CreateBucket, Expiration, GetBucketCors,
    GetBucketLifecycle, GetBucketVersioning, LifecycleConfiguration, LifecycleFilter,
    LifecycleRule, PutBucketCors, PutBucketLifecycle, PutBucketVersioning, Transition,
    VersioningConfiguration, VersioningStatus,
};

const EMULATOR_BUCKET: &str = "appbucket-1250000000";
const ORIGIN: &str = "https://app.example.com";

fn main() -> Result<(), Box<dyn Error>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (client, emulator) = match (var("COS_REGION"), var("COS_BUCKET"), var("COS_SECRET_ID")) {
        (Some(region), Some(bucket), Some(_)) => {
            let client = Client::builder(Config::builder(region, bucket).build()?).build()?;
            if !client.bucket_exists(&BucketExists::new())? {
                return Err("the bucket in COS_BUCKET does not exist".into());
            }
            (client, None)
        }
        _ => {
            let emulator = Emulator::start(EmulatorConfig::new().auto_create_buckets(false))?;
            let config = Config::builder("ap-guangzhou", EMULATOR_BUCKET)
                .path_style(emulator.authority())
                .build()?;
            let client = Client::builder(config)
                .credentials(StaticCredentials::new(emulator.credentials().clone()))
                .proxy_from_env(false)
                .build()?;
            client.create_bucket(&CreateBucket::new())?;
            println!("On an embedded emulator: created {EMULATOR_BUCKET}.");
            (client, Some(emulator))
        }
    };

    // Versioning: every overwrite and delete keeps the previous version.
    let on = VersioningConfiguration::new(VersioningStatus::Enabled);
    client.put_bucket_versioning(&PutBucketVersioning::new(on))?;
    let versioning = client.get_bucket_versioning(&GetBucketVersioning::new())?;
    println!("versioning: {:?}", versioning.document.status);

    // Lifecycle: temporary uploads expire, logs go cold.
    let mut tmp = LifecycleRule::new("expire-tmp");
    tmp.filter = Some(LifecycleFilter::prefix("tmp/"));
    tmp.expiration = Some(Expiration::after_days(7));
    let mut logs = LifecycleRule::new("archive-logs");
    logs.filter = Some(LifecycleFilter::prefix("logs/"));
    logs.transitions = vec![Transition::after_days(30, "ARCHIVE")];
    let rules = LifecycleConfiguration {
        rules: vec![tmp, logs],
    };
    client.put_bucket_lifecycle(&PutBucketLifecycle::new(rules))?;
    let lifecycle = client.get_bucket_lifecycle(&GetBucketLifecycle::new())?;
    for rule in &lifecycle.document.rules {
        println!("lifecycle rule {:?}: {}", rule.id, rule.status);
    }

    // CORS: browser uploads from the application's origin.
    let rule = CorsRule {
        id: Some("browser-uploads".into()),
        allowed_origins: vec![ORIGIN.into()],
        allowed_methods: vec!["GET".into(), "PUT".into(), "POST".into()],
        allowed_headers: vec!["*".into()],
        expose_headers: vec!["ETag".into(), "x-cos-request-id".into()],
        max_age_seconds: Some(600),
    };
    let cors = CorsConfiguration {
        rules: vec![rule],
        response_vary: None,
    };
    client.put_bucket_cors(&PutBucketCors::new(cors))?;
    let cors = client.get_bucket_cors(&GetBucketCors::new())?;
    println!("CORS origins: {:?}", cors.document.rules[0].allowed_origins);

    if let Some(emulator) = &emulator {
        // What a browser asks before a cross-origin PUT, answered from the rules.
        let url = format!("{}/{EMULATOR_BUCKET}/upload.bin", emulator.endpoint());
        let asks = |origin: &str| -> Result<u16, Box<dyn Error>> {
            let request = http::Request::builder()
                .method("OPTIONS")
                .uri(&url)
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "PUT")
                .body(())?;
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            Ok(agent.run(request)?.status().as_u16())
        };
        println!("preflight from {ORIGIN}: HTTP {}", asks(ORIGIN)?);
        println!(
            "preflight from https://elsewhere.example: HTTP {}",
            asks("https://elsewhere.example")?
        );
    }
    println!("Done.");
    Ok(())
}
