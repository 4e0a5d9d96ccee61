//! What new objects carry (storage class, metadata, ACL, encryption, content type) and
//! how transfers are cut, from the command's flags.

use cos_proto::headers::{ServerSideEncryption, StorageClass};
use cos_proto::ops::{CopyDirective, CopyObject, CopySource, PutObject};
use cos_tokio::cos_transfer::{MAX_PART_SIZE, TransferOptions};

use super::Common;
use super::compare::MTIME_META;
use crate::failure::CliError;

/// The smallest part COS accepts (all but the last part of a multipart upload).
const MIN_PART_SIZE: u64 = 1 << 20;

/// The flags every new object and every transfer follows.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    storage_class: Option<StorageClass>,
    acl: Option<String>,
    sse: Option<ServerSideEncryption>,
    meta: Vec<(String, String)>,
    content_type: Option<String>,
    /// The part size of multipart transfers.
    pub(crate) part_size: u64,
}

impl Request {
    /// Reads the flags; a malformed one is a usage error.
    pub(crate) fn new(common: &Common) -> Result<Request, CliError> {
        let sse = match common.sse.as_deref() {
            None => None,
            Some(value) if value.eq_ignore_ascii_case("AES256") => Some(ServerSideEncryption::Cos),
            Some(value) if value.eq_ignore_ascii_case("cos/kms") => {
                Some(ServerSideEncryption::Kms {
                    key_id: common.sse_kms_key_id.clone(),
                    context: None,
                })
            }
            Some(other) => {
                return Err(CliError::usage(format!("--sse {other:?}: unknown"))
                    .hint("write --sse AES256 (keys kept by COS) or --sse cos/kms"));
            }
        };
        let meta = common
            .meta
            .iter()
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) if !key.trim().is_empty() => Ok((
                    format!("x-cos-meta-{}", key.trim().to_ascii_lowercase()),
                    value.to_owned(),
                )),
                _ => Err(CliError::usage(format!("--meta {pair:?}: write key=value"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let part_size = parse_size(&common.part_size).ok_or_else(|| {
            CliError::usage(format!("--part-size {:?}: not a size", common.part_size))
                .hint("write bytes or a size such as 8MiB, 16M, 1GiB")
        })?;
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
            return Err(CliError::usage(format!(
                "--part-size {}: COS takes parts of 1 MiB to 5 GiB",
                common.part_size
            )));
        }
        if common.jobs == 0 {
            return Err(CliError::usage("--jobs 0: at least one request must run"));
        }
        Ok(Request {
            storage_class: common.storage_class.as_deref().map(StorageClass::parse),
            acl: common.acl.clone(),
            sse,
            meta,
            content_type: common.content_type.clone(),
            part_size,
        })
    }

    /// The PUT of an upload to `key` of a file last modified at `mtime` (recorded in
    /// `x-cos-meta-mtime` unless `--meta mtime=…` says otherwise).
    pub(crate) fn put(&self, key: &str, mtime: Option<i64>) -> PutObject {
        let mut put = PutObject::new(key, None);
        if let Some(class) = &self.storage_class {
            put = put.storage_class(class.clone());
        }
        if let Some(acl) = &self.acl {
            put = put.acl(acl.clone());
        }
        if let Some(sse) = &self.sse {
            put = put.server_side_encryption(sse.clone());
        }
        if let Some(content_type) = &self.content_type {
            put = put.content_type(content_type.clone());
        }
        for (name, value) in &self.meta {
            put = put.metadata(name.clone(), value.clone());
        }
        if let Some(mtime) = mtime.filter(|_| !self.meta.iter().any(|(n, _)| n == MTIME_META)) {
            put = put.metadata(MTIME_META, mtime.to_string());
        }
        put
    }

    /// The server-side copy of `source` to `key`: the source's metadata is kept unless
    /// `--meta` or `--content-type` replace it.
    pub(crate) fn copy(&self, key: &str, source: CopySource) -> CopyObject {
        let mut copy = CopyObject::new(key, source);
        if let Some(class) = &self.storage_class {
            copy = copy.storage_class(class.clone());
        }
        if let Some(acl) = &self.acl {
            copy = copy.acl(acl.clone());
        }
        if let Some(sse) = &self.sse {
            copy = copy.server_side_encryption(sse.clone());
        }
        if !self.meta.is_empty() || self.content_type.is_some() {
            copy = copy.metadata_directive(CopyDirective::Replaced);
            if let Some(content_type) = &self.content_type {
                copy = copy.content_type(content_type.clone());
            }
            for (name, value) in &self.meta {
                copy = copy.metadata(name.clone(), value.clone());
            }
        }
        copy
    }

    /// The options of one transfer with `concurrency` requests in flight.
    pub(crate) fn options(&self, concurrency: usize) -> TransferOptions {
        TransferOptions::default()
            .part_size(self.part_size)
            .concurrency(concurrency.max(1))
    }
}

/// A size: bytes, or a number with K/M/G/T (powers of 1024, `KiB`/`KB`/`K` alike).
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.trim_end_matches('b').trim_end_matches('i');
    let shift = match unit {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    number.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Flags {
        #[command(flatten)]
        common: Common,
    }

    fn request(args: &[&str]) -> Result<Request, CliError> {
        let flags = Flags::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
            .expect("flags parse");
        Request::new(&flags.common)
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8MiB"), Some(8 << 20));
        assert_eq!(parse_size("16M"), Some(16 << 20));
        assert_eq!(parse_size("1gb"), Some(1 << 30));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("2 KiB"), Some(2048));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("3Q"), None);
    }

    #[test]
    fn flags_become_headers() {
        let r = request(&[
            "--meta",
            "Owner=alice",
            "--sse",
            "AES256",
            "--acl",
            "private",
        ])
        .expect("request");
        let put = r.put("k", Some(7));
        assert_eq!(
            put.metadata_entries(),
            [
                ("x-cos-meta-owner".to_owned(), "alice".to_owned()),
                (MTIME_META.to_owned(), "7".to_owned())
            ]
        );
        let own = request(&["--meta", "mtime=1"]).expect("request");
        assert_eq!(own.put("k", Some(7)).metadata_entries().len(), 1);
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        for args in [
            &["--sse", "rot13"][..],
            &["--meta", "novalue"],
            &["--part-size", "1K"],
            &["--part-size", "big"],
            &["--jobs", "0"],
        ] {
            assert!(request(args).is_err(), "{args:?}");
        }
    }
}
