//! The quickstart: `cargo run --example quickstart`.
//!
//! It walks through the getting-started flow of the COS documentation with the async
//! client (`cos-tokio`): upload bytes and a file, list, inspect, download to a file and a
//! range, copy, delete several objects at once, share a presigned URL, and read a COS
//! error.
//!
//! With `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_REGION` and `COS_BUCKET` set it talks to
//! real COS (objects under `cos-rs-quickstart/`, deleted at the end). Without them it
//! starts an embedded COS emulator in this process, so it needs nothing but the Rust
//! toolchain; there it first creates the bucket (on real COS it checks that the bucket
//! exists). Either way the keys come from the default credential chain (environment,
//! credential files, TKE OIDC, the CVM role), and the first step says which source gave
//! them: on the emulator, which also plays a CVM instance's metadata service, the role.
#![allow(clippy::print_stdout)]

use std::error::Error as StdError;
use std::path::PathBuf;

use bytes::Bytes;
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::bucket::{BucketExists, CreateBucket, HeadBucket};
use cos_proto::ops::{
    ByteRange, CopyObject, CopySource, DeleteObjects, GetObject, HeadObject, ListObjects, PutObject,
};
use cos_proto::presign::Presign;
use cos_tokio::cos_transfer::{self, TransferEvent, TransferOptions};
use cos_tokio::{Client, CredentialsProvider, UploadBody};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;

type BoxError = Box<dyn StdError + Send + Sync>;

const PREFIX: &str = "cos-rs-quickstart/";
const EMULATOR_BUCKET: &str = "examplebucket-1250000000";

fn main() -> Result<(), BoxError> {
    // Start the emulator (if needed) before the runtime: it runs its own.
    let (client, _emulator) = connect()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        the_bucket(&client, _emulator.is_some()).await?;
        walk_through(&client).await
    });
    if let Err(err) = &result {
        println!("\nThe quickstart failed: {err}");
    }
    result
}

/// Real COS when the four variables are set, otherwise an embedded emulator.
fn connect() -> Result<(Client, Option<Emulator>), BoxError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let vars = (
        var("COS_SECRET_ID"),
        var("COS_SECRET_KEY"),
        var("COS_REGION"),
        var("COS_BUCKET"),
    );
    if let (Some(_), Some(_), Some(region), Some(bucket)) = vars {
        println!("Using real COS: bucket {bucket} in {region}.");
        let config = Config::builder(region, bucket).build()?;
        // The default chain: environment, credential files, TKE OIDC, the CVM role.
        let client = Client::builder(config).build()?;
        return Ok((client, None));
    }
    // Like real COS, the emulator has no bucket until one is created (step 0).
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .auto_create_buckets(false)
            .cvm_role("quickstart-role"),
    )?;
    println!(
        "No COS credentials in the environment (COS_SECRET_ID, COS_SECRET_KEY, COS_REGION, COS_BUCKET),\n\
         so this quickstart runs against an embedded COS emulator at {} (bucket {EMULATOR_BUCKET}).\n\
         Set those four variables to run the same steps against real COS.",
        emulator.endpoint()
    );
    let config = Config::builder("ap-guangzhou", EMULATOR_BUCKET)
        .path_style(emulator.authority())
        .build()?;
    // The same default chain, kept away from this machine's own keys (no variables, no
    // credential files), with the emulator playing a CVM instance's metadata service:
    // the chain finds the instance role and signs with its temporary keys.
    let empty = std::env::temp_dir().join(format!("cos-rs-quickstart-home-{}", std::process::id()));
    let chain = CredentialsProvider::default_chain()
        .variables(Vec::<(String, String)>::new())
        .home_dir(&empty)
        .system_file(empty.join("credentials"))
        .metadata_endpoint(emulator.endpoint());
    let client = Client::builder(config)
        .credentials_provider(chain)
        .proxy_from_env(false)
        .build()?;
    Ok((client, Some(emulator)))
}

/// Step 0: the bucket exists (on the emulator this run creates it; on real COS it must
/// exist already, and this only checks).
async fn the_bucket(client: &Client, on_emulator: bool) -> Result<(), BoxError> {
    step(0, "The bucket");
    if on_emulator {
        client.create_bucket(&CreateBucket::new()).await?;
        println!("   created (PUT Bucket)");
    } else if !client.bucket_exists(&BucketExists::new()).await? {
        return Err(
            "the bucket in COS_BUCKET does not exist: create it first (console, coscli, \
                    or Client::create_bucket)"
                .into(),
        );
    }
    let head = client.head_bucket(&HeadBucket::new()).await?;
    println!(
        "   exists, in {}; signed with keys from: {}",
        show(&head.region),
        show(&client.credential_source())
    );
    Ok(())
}

async fn walk_through(client: &Client) -> Result<(), BoxError> {
    let workdir = std::env::temp_dir().join(format!("cos-rs-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&workdir)?;
    let result = steps(client, &workdir).await;
    let _ = std::fs::remove_dir_all(&workdir);
    result
}

async fn steps(client: &Client, workdir: &std::path::Path) -> Result<(), BoxError> {
    let hello_key = format!("{PREFIX}hello.txt");
    let file_key = format!("{PREFIX}data.bin");
    let copy_key = format!("{PREFIX}hello-copy.txt");

    step(1, "Upload bytes");
    let text = "Hello, COS! This object was uploaded by cos-tokio.\n";
    let put = PutObject::new(&hello_key, Some(text.len() as u64))
        .content_type("text/plain; charset=utf-8")
        .metadata("x-cos-meta-author", "quickstart");
    let out = client.put_object(&put, text).await?;
    println!(
        "   PUT {hello_key}: {} bytes, ETag {}",
        text.len(),
        show(&out.etag)
    );

    step(
        2,
        "Upload a file (streamed from disk, rewound if a retry is needed)",
    );
    let local = workdir.join("data.bin");
    let data: Vec<u8> = (0..256 * 1024u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&local, &data)?;
    let body = UploadBody::file(&local)?;
    let out = client
        .put_object(&PutObject::new(&file_key, body.len()), body)
        .await?;
    println!(
        "   PUT {file_key}: {} bytes from {}, CRC-64 {}",
        data.len(),
        local.display(),
        show(&out.crc64)
    );

    step(3, "List the objects under the prefix");
    let listing = client
        .list_objects(&ListObjects::new().prefix(PREFIX))
        .await?;
    for object in &listing.contents {
        println!(
            "   {:<40} {:>8} bytes  {}",
            object.key, object.size, object.last_modified
        );
    }

    step(4, "Inspect an object (HEAD)");
    let info = client.head_object(&HeadObject::new(&hello_key)).await?;
    println!("   length        {}", show(&info.content_length));
    println!("   content type  {}", show(&info.content.content_type));
    println!("   ETag          {}", show(&info.etag));
    println!("   CRC-64        {}", show(&info.crc64));
    for (name, value) in &info.metadata {
        println!("   metadata      {name}: {value}");
    }

    step(
        5,
        "Download to a file (atomic rename, length and CRC-64 checked)",
    );
    let downloaded: PathBuf = workdir.join("data-downloaded.bin");
    let out = client
        .get_object_to_file(&GetObject::new(&file_key), &downloaded)
        .await?;
    let same = std::fs::read(&downloaded)? == data;
    println!(
        "   GET {file_key} -> {}: {} bytes, identical to the original: {same}",
        downloaded.display(),
        show(&out.info.content_length)
    );

    step(6, "Download a range (bytes 0-4)");
    let (out, body) = client
        .get_object(&GetObject::new(&hello_key).range(ByteRange::inclusive(0, 4)?))
        .await?;
    let bytes = body.bytes().await?;
    println!(
        "   HTTP {} Content-Range {}: {:?}",
        out.status,
        out.content_range
            .map(|r| format!("bytes {}-{}/{}", r.first, r.last, show(&r.total)))
            .unwrap_or_default(),
        String::from_utf8_lossy(&bytes)
    );

    step(7, "Copy an object (server side)");
    let source = CopySource::in_config(client.config(), &hello_key);
    let out = client
        .copy_object(&CopyObject::new(&copy_key, source))
        .await?;
    println!("   COPY {hello_key} -> {copy_key}: ETag {}", out.etag);

    step(
        8,
        "Share a presigned URL and fetch it with a plain HTTP client",
    );
    let url = client
        .presigned_url(&Presign::get(&hello_key).expires_in(600))
        .await?;
    let shown = url.split('?').next().unwrap_or(&url);
    println!("   URL (valid 10 minutes): {shown}?q-sign-algorithm=sha1&q-ak=...&q-signature=...");
    let (status, fetched) = fetch(&url).await?;
    println!(
        "   fetched without the SDK: HTTP {status}, {:?}",
        String::from_utf8_lossy(&fetched).trim_end()
    );

    step(
        9,
        "Upload and download a large file (resumable, parallel parts, CRC64-checked)",
    );
    let big_key = format!("{PREFIX}big.bin");
    let big = workdir.join("big.bin");
    std::fs::write(&big, pseudo_random(24 << 20))?;
    let options = TransferOptions::default();
    let mut parts_done = 0;
    let up = client
        .upload_file_with_progress(&PutObject::new(&big_key, None), &big, options, |event| {
            if let TransferEvent::PartDone { .. } = event {
                parts_done += 1;
            }
        })
        .await?;
    println!(
        "   upload_file: {} bytes in {} parts ({parts_done} recorded in {}), CRC64 {:016x}",
        up.size,
        up.parts,
        cos_transfer::paths::checkpoint_path(&big).display(),
        up.crc64
    );
    let back = workdir.join("big.copy");
    let down = client
        .download_file(&GetObject::new(&big_key), &back, options)
        .await?;
    println!(
        "   download_file: {} bytes, CRC64 {:016x} (matches: {})",
        down.object.size,
        down.crc64,
        down.crc64 == up.crc64
    );

    step(10, "Delete several objects at once");
    let delete = DeleteObjects::new()
        .object(&hello_key)
        .object(&file_key)
        .object(&copy_key)
        .object(&big_key);
    let out = client.delete_objects(&delete).await?;
    for deleted in &out.deleted {
        println!("   deleted {}", deleted.key);
    }
    for error in &out.errors {
        println!(
            "   could not delete {}: {} {}",
            error.key,
            error.code,
            show(&error.message)
        );
    }

    step(11, "Read a COS error: every field COS sends");
    match client.get_object(&GetObject::new(&hello_key)).await {
        Ok(_) => println!("   unexpected: the deleted object is still there"),
        Err(err) => {
            println!("   GET {hello_key} failed: {err}");
            if let Some(service) = err.service_error() {
                println!("   status      {}", service.status);
                println!("   code        {}", show(&service.code));
                println!("   message     {}", show(&service.message));
                println!("   resource    {}", show(&service.resource));
                println!("   request id  {}", show(&service.request_id));
                println!("   trace id    {}", show(&service.trace_id));
            }
        }
    }
    println!("\nDone: every step of the getting-started flow worked.");
    Ok(())
}

/// Deterministic bytes that do not compress.
fn pseudo_random(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn step(n: u32, title: &str) {
    println!("\n{n:>2}. {title}");
}

fn show<T: std::fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "(none)".to_owned(), ToString::to_string)
}

/// Fetches a URL the way a browser or `curl` would: no SDK, no signature of our own.
async fn fetch(url: &str) -> Result<(u16, Bytes), BoxError> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
        .https_or_http()
        .enable_http1()
        .build();
    let http: HttpClient<_, Empty<Bytes>> = HttpClient::builder(TokioExecutor::new()).build(https);
    let response = http.get(url.parse()?).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}
