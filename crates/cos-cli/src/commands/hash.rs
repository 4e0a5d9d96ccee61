//! `cos hash`: the CRC-64 (ECMA, in decimal as COS's `x-cos-hash-crc64ecma`) and MD5 (hex
//! and base64, as `Content-MD5`) of a local file, read as a stream, or of an object (from
//! its HEAD; `--md5` downloads it when its ETag is not an MD5).

use std::path::Path;

use base64::Engine as _;
use cos_proto::crc64::{Crc64, format_header_value};
use cos_proto::ops::{GetObject, HeadObject};
use md5::{Digest as _, Md5};
use serde_json::{Map, Value, json};
use tokio::io::AsyncReadExt;

use crate::commands::Context;
use crate::failure::CliError;
use crate::location::{Location, Remote};

/// The arguments of `cos hash`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A local file, or an object cos://bucket-appid/key.
    pub(crate) target: String,
    /// For an object: download it and compute its MD5 and CRC-64 (needed when its ETag is
    /// a multipart ETag, which is no MD5).
    #[arg(long)]
    pub(crate) md5: bool,
}

/// The hashes of a file or object, as found.
#[derive(Debug, Default)]
struct Hashes {
    size: Option<u64>,
    crc64: Option<u64>,
    md5: Option<[u8; 16]>,
    note: Option<String>,
}

/// Runs `cos hash`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let (name, hashes) = match Location::parse(&args.target)? {
        Location::Local(path) => {
            let hashes = local(&path).await?;
            ("path", hashes)
        }
        Location::Remote(remote) => {
            if remote.key.is_empty() {
                return Err(CliError::usage(format!("{remote} names no object")));
            }
            let hashes = if args.md5 {
                downloaded(&remote, cx).await?
            } else {
                remote_head(&remote, cx).await?
            };
            ("url", hashes)
        }
    };
    print(cx, name, &args.target, &hashes);
    Ok(())
}

/// Reads `path` once, a buffer at a time, through both hashes.
async fn local(path: &Path) -> Result<Hashes, CliError> {
    let what = |err: std::io::Error| CliError::failed(format!("{}: {err}", path.display()));
    let mut file = tokio::fs::File::open(path).await.map_err(what)?;
    let mut crc = Crc64::new();
    let mut md5 = Md5::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer).await.map_err(what)?;
        if read == 0 {
            break;
        }
        crc.update(&buffer[..read]);
        md5.update(&buffer[..read]);
    }
    Ok(Hashes {
        size: Some(crc.len()),
        crc64: Some(crc.value()),
        md5: Some(md5.finalize().into()),
        note: None,
    })
}

/// The object's CRC-64 from its HEAD, and its MD5 when the ETag is one.
async fn remote_head(remote: &Remote, cx: &Context) -> Result<Hashes, CliError> {
    let client = cx.clients.bucket(&remote.bucket)?;
    let info = client
        .head_object(&HeadObject::new(remote.key.clone()))
        .await
        .map_err(|err| CliError::cos(remote, &err))?;
    let etag = info.etag.as_deref().map(|e| e.trim_matches('"'));
    let md5 = etag.and_then(md5_of_etag);
    let note = match (md5, etag) {
        (None, Some(etag)) if etag.contains('-') => Some(
            "a multipart ETag, not an MD5: pass --md5 to download the object and compute it"
                .to_owned(),
        ),
        (None, _) => Some("the ETag is not an MD5: pass --md5 to compute it".to_owned()),
        (Some(_), _) => None,
    };
    Ok(Hashes {
        size: info.content_length,
        crc64: info.crc64,
        md5,
        note,
    })
}

/// Downloads the object as a stream through both hashes.
async fn downloaded(remote: &Remote, cx: &Context) -> Result<Hashes, CliError> {
    let client = cx.clients.bucket(&remote.bucket)?;
    let (_, mut body) = client
        .get_object(&GetObject::new(remote.key.clone()))
        .await
        .map_err(|err| CliError::cos(remote, &err))?;
    let mut crc = Crc64::new();
    let mut md5 = Md5::new();
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk.map_err(|err| CliError::cos(format!("reading {remote}"), &err))?;
        crc.update(&chunk);
        md5.update(&chunk);
    }
    Ok(Hashes {
        size: Some(crc.len()),
        crc64: Some(crc.value()),
        md5: Some(md5.finalize().into()),
        note: None,
    })
}

/// The MD5 a plain ETag (32 hex digits, no `-`) is.
fn md5_of_etag(etag: &str) -> Option<[u8; 16]> {
    if etag.len() != 32 {
        return None;
    }
    let mut digest = [0u8; 16];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(etag.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(digest)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn print(cx: &Context, name: &str, target: &str, hashes: &Hashes) {
    let mut fields: Vec<(&str, Value)> = vec![(name, json!(target))];
    if let Some(size) = hashes.size {
        fields.push(("size", json!(size)));
    }
    fields.push(("crc64ecma", json!(hashes.crc64.map(format_header_value))));
    fields.push(("md5", json!(hashes.md5.map(|d| hex(&d)))));
    fields.push((
        "content_md5",
        json!(
            hashes
                .md5
                .map(|d| base64::engine::general_purpose::STANDARD.encode(d))
        ),
    ));
    if let Some(note) = &hashes.note {
        fields.push(("note", json!(note)));
    }
    cx.output.result(
        || {
            fields
                .iter()
                .map(|(k, v)| {
                    let shown = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => "-".to_owned(),
                        other => other.to_string(),
                    };
                    format!("{k:<12} {shown}")
                })
                .collect::<Vec<_>>()
                .join("\n")
        },
        || {
            Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect::<Map<String, Value>>(),
            )
        },
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_etags_are_md5s() {
        let md5 = super::md5_of_etag("d41d8cd98f00b204e9800998ecf8427e").expect("md5");
        assert_eq!(super::hex(&md5), "d41d8cd98f00b204e9800998ecf8427e");
        assert!(super::md5_of_etag("d41d8cd98f00b204e9800998ecf8427e-3").is_none());
        assert!(super::md5_of_etag("zz1d8cd98f00b204e9800998ecf8427e").is_none());
    }
}
