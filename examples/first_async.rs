//! The README's first program, with `cos-tokio` (compiled with the examples; `cargo xtask
//! ci` checks that the README shows this file).
#![allow(clippy::print_stdout)] // an example prints
use cos_tokio::Client;
use cos_tokio::cos_proto::{
    Config,
    ops::{GetObject, ListObjects, PutObject},
};
use cos_tokio::cos_transfer::TransferOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build()?;
    let client = Client::builder(config).build()?; // keys from the default chain (environment, files, TKE, CVM role)
    client
        .put_object(&PutObject::new("hello.txt", None), "hello")
        .await?;
    let (_, body) = client.get_object(&GetObject::new("hello.txt")).await?;
    assert_eq!(body.bytes().await?, "hello");
    let page = client
        .list_objects(&ListObjects::new().prefix("hel"))
        .await?;
    println!("{} keys", page.contents.len());
    let big = PutObject::new("backup.tar", None); // parallel parts, resumable, CRC-64 checked
    let done = client
        .upload_file_with_progress(&big, "backup.tar", TransferOptions::default(), |e| {
            println!("{e:?}")
        })
        .await?;
    println!("{} bytes, CRC-64 {:016x}", done.size, done.crc64);
    Ok(())
}
