//! Progress bars for `upload_file` and `download_file`:
//! `cargo run --release --example transfer_progress [FILE]`.
//!
//! The bar's position is the bytes committed (finished parts, recorded in the
//! checkpoint): it never goes backwards, even when a part is retried. Bytes in flight
//! are shown beside it. Without `FILE` a 256 MiB file is generated. Like the quickstart,
//! it uses real COS when `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_REGION` and
//! `COS_BUCKET` are set, and an embedded emulator otherwise. Interrupt it (Ctrl-C) and
//! run it again: the transfer resumes.
#![allow(clippy::print_stdout)]

use std::error::Error as StdError;
use std::io::Write;
use std::path::PathBuf;

use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::{GetObject, PutObject};
use cos_tokio::cos_transfer::{TransferEvent, TransferOptions};
use cos_tokio::{Client, EnvCredentials, StaticCredentials};
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};

type BoxError = Box<dyn StdError + Send + Sync>;

const KEY: &str = "cos-rs-examples/transfer_progress.bin";

fn main() -> Result<(), BoxError> {
    let (client, _emulator) = connect()?;
    let source = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => generate(256 << 20)?,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let options = TransferOptions::default();
        let bar = new_bar("upload");
        let up = client
            .upload_file_with_progress(&PutObject::new(KEY, None), &source, options, |e| {
                show(&bar, &e)
            })
            .await?;
        bar.finish_with_message(format!("CRC64 {:016x}", up.crc64));
        println!(
            "upload_file: {} in {} parts ({} resumed), CRC64 {:016x}",
            HumanBytes(up.size),
            up.parts,
            HumanBytes(up.resumed_bytes),
            up.crc64
        );

        let target = source.with_extension("downloaded");
        let bar = new_bar("download");
        let down = client
            .download_file_with_progress(&GetObject::new(KEY), &target, options, |e| show(&bar, &e))
            .await?;
        bar.finish_with_message(format!(
            "CRC64 {:016x} ({})",
            down.crc64,
            if down.crc64 == up.crc64 {
                "identical"
            } else {
                "DIFFERENT"
            }
        ));
        println!(
            "download_file: {} ({} resumed), CRC64 {:016x}, identical: {}",
            HumanBytes(down.object.size),
            HumanBytes(down.resumed_bytes),
            down.crc64,
            down.crc64 == up.crc64
        );
        Ok::<_, BoxError>(())
    })
}

fn new_bar(what: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{what:>8} [{{bar:40}}] {{bytes}}/{{total_bytes}} {{binary_bytes_per_sec}} {{msg}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

fn show(bar: &ProgressBar, event: &TransferEvent) {
    let progress = event.progress();
    bar.set_length(progress.total);
    bar.set_position(progress.committed);
    match event {
        TransferEvent::Started { resumed, .. } if *resumed > 0 => {
            bar.println(format!("resuming: {} already done", HumanBytes(*resumed)));
        }
        TransferEvent::Retrying { part, reason, .. } => {
            bar.println(format!("part {part} is sent again: {reason}"));
        }
        _ => bar.set_message(format!("+{} in flight", HumanBytes(progress.in_flight))),
    }
}

fn generate(len: u64) -> Result<PathBuf, BoxError> {
    let path = std::env::temp_dir().join("cos-rs-transfer-progress.bin");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() == len) {
        return Ok(path);
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..len / 8 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.write_all(&state.to_le_bytes())?;
    }
    out.flush()?;
    Ok(path)
}

fn connect() -> Result<(Client, Option<Emulator>), BoxError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(_), Some(_), Some(region), Some(bucket)) = (
        var("COS_SECRET_ID"),
        var("COS_SECRET_KEY"),
        var("COS_REGION"),
        var("COS_BUCKET"),
    ) {
        let config = Config::builder(region, bucket).build()?;
        let client = Client::builder(config)
            .credentials(EnvCredentials::new())
            .build()?;
        return Ok((client, None));
    }
    let bucket = "examplebucket-1250000000";
    let emulator = Emulator::start(EmulatorConfig::new().bucket(bucket, false))?;
    let config = Config::builder("ap-guangzhou", bucket)
        .path_style(emulator.authority())
        .build()?;
    let client = Client::builder(config)
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .proxy_from_env(false)
        .build()?;
    Ok((client, Some(emulator)))
}
