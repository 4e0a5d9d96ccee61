//! `cos cat`: an object's bytes on standard output, chunk by chunk as they arrive (never
//! the whole object in memory). A whole object's CRC-64 is checked at its end: a
//! mismatch or a broken transfer after some output still gives exit code 1.

use cos_proto::ops::{ByteRange, GetObject};

use crate::commands::Context;
use crate::failure::CliError;
use crate::location::Remote;

/// The arguments of `cos cat`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The object, cos://bucket-appid/key.
    pub(crate) object: String,
    /// Only these bytes: FIRST-LAST (inclusive), FIRST- (to the end) or -N (the last N).
    #[arg(long, value_name = "RANGE", allow_hyphen_values = true)]
    pub(crate) range: Option<String>,
    /// A version of the object (a bucket with versioning).
    #[arg(long)]
    pub(crate) version_id: Option<String>,
}

/// Runs `cos cat`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let remote = Remote::parse(&args.object)?;
    if remote.key.is_empty() {
        return Err(CliError::usage(format!("{remote} names no object")));
    }
    let mut op = GetObject::new(remote.key.clone());
    if let Some(range) = &args.range {
        op = op.range(parse_range(range)?);
    }
    if let Some(version) = &args.version_id {
        op = op.version_id(version.clone());
    }
    let client = cx.clients.bucket(&remote.bucket)?;
    let (_, mut body) = client
        .get_object(&op)
        .await
        .map_err(|err| CliError::cos(&remote, &err))?;
    while let Some(chunk) = body.next_chunk().await {
        let chunk = chunk.map_err(|err| {
            CliError::cos(format!("reading {remote}"), &err)
                .hint("the output is incomplete or corrupt: discard it and run the command again")
        })?;
        match cx.output.raw(&chunk) {
            Ok(()) => {}
            // The reader went away (`cos cat … | head`): it has what it wanted.
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(err) => return Err(CliError::failed(format!("writing {remote}: {err}"))),
        }
    }
    Ok(())
}

/// `--range`: `FIRST-LAST`, `FIRST-` or `-N`, with or without `bytes=`.
fn parse_range(value: &str) -> Result<ByteRange, CliError> {
    let spec = value.strip_prefix("bytes=").unwrap_or(value);
    ByteRange::parse(&format!("bytes={spec}")).map_err(|err| {
        CliError::usage(format!("--range {value:?}: {err}"))
            .hint("write FIRST-LAST (0-99), FIRST- (100-) or -N (-100)")
    })
}

#[cfg(test)]
mod tests {
    use cos_proto::ops::ByteRange;

    #[test]
    fn ranges() {
        assert_eq!(
            super::parse_range("0-99").expect("range"),
            ByteRange::inclusive(0, 99).expect("range")
        );
        assert_eq!(
            super::parse_range("bytes=5-").expect("range"),
            ByteRange::From(5)
        );
        assert_eq!(
            super::parse_range("-7").expect("range"),
            ByteRange::Suffix(7)
        );
        assert!(super::parse_range("9-1").is_err());
        assert!(super::parse_range("x").is_err());
    }
}
