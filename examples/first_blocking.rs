//! The README's first program, with `cos-blocking` (compiled with the examples; `cargo
//! xtask ci` checks that the README shows this file).
#![allow(clippy::print_stdout)] // an example prints
use cos_blocking::Client;
use cos_blocking::cos_proto::{
    Config,
    ops::{GetObject, ListObjects, PutObject},
};
use cos_blocking::cos_transfer::TransferOptions;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build()?;
    let client = Client::builder(config).build()?;
    client.put_object(&PutObject::new("hello.txt", None), "hello")?;
    let (_, body) = client.get_object(&GetObject::new("hello.txt"))?;
    assert_eq!(body.bytes()?, "hello");
    for page in client.list_objects_pages(ListObjects::new().prefix("hel")) {
        println!("{} keys", page?.contents.len());
    }
    let big = PutObject::new("backup.tar", None);
    let done =
        client.upload_file_with_progress(&big, "backup.tar", TransferOptions::default(), |e| {
            println!("{e:?}")
        })?;
    println!("{} bytes, CRC-64 {:016x}", done.size, done.crc64);
    Ok(())
}
