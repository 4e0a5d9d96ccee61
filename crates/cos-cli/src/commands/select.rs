//! `cos select`: COS Select, an SQL expression run by COS over a CSV or JSON object; the
//! result records are written to standard output as they stream in.

use cos_proto::ops::{
    CompressionType, CsvInput, CsvOutput, FileHeaderInfo, InputSerialization, JsonOutput, JsonType,
    OutputSerialization, SelectObjectContent,
};
use cos_proto::select::SelectEvent;

use crate::commands::Context;
use crate::failure::{CliError, hint_for};
use crate::location::Remote;

/// The arguments of `cos select`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The object, cos://bucket-appid/key.
    pub(crate) object: String,
    /// The SQL expression, e.g. "select * from cosobject s".
    #[arg(short, long)]
    pub(crate) expression: String,
    /// How the object is written.
    #[arg(long, value_enum)]
    pub(crate) input: Format,
    /// How the result is written (the input's format by default).
    #[arg(long, value_enum)]
    pub(crate) output: Option<Format>,
    /// CSV input: its first line is a header to name columns by (use), to skip (ignore),
    /// or data (none; columns are _1, _2, ...).
    #[arg(long, value_enum)]
    pub(crate) csv_header: Option<CsvHeader>,
    /// CSV input: the field delimiter (`,` by default).
    #[arg(long, value_name = "CHAR")]
    pub(crate) field_delimiter: Option<String>,
    /// JSON input: one document, or one record per line.
    #[arg(long, value_enum, default_value_t = JsonKind::Lines)]
    pub(crate) json_type: JsonKind,
    /// How the object is compressed.
    #[arg(long, value_enum, default_value_t = Compression::None)]
    pub(crate) compression: Compression,
}

/// `--input` / `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Comma-separated values.
    Csv,
    /// JSON.
    Json,
}

/// `--csv-header`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum CsvHeader {
    /// A header naming the columns.
    Use,
    /// A header to skip.
    Ignore,
    /// No header.
    None,
}

/// `--json-type`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum JsonKind {
    /// One JSON document.
    Document,
    /// One JSON record per line.
    Lines,
}

/// `--compression`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Compression {
    /// Not compressed.
    None,
    /// gzip.
    Gzip,
    /// bzip2.
    Bzip2,
}

/// Runs `cos select`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let remote = Remote::parse(&args.object)?;
    if remote.key.is_empty() {
        return Err(CliError::usage(format!("{remote} names no object")));
    }
    let op = SelectObjectContent::new(
        remote.key.clone(),
        args.expression.clone(),
        input_of(&args),
        output_of(args.output.unwrap_or(args.input)),
    );
    let client = cx.clients.bucket(&remote.bucket)?;
    let failed = |err: cos_tokio::Error| {
        let error = CliError::cos(format!("selecting from {remote}"), &err);
        if hint_for(&err).is_some() {
            error
        } else {
            error.hint("check the expression and --input, --csv-header, --json-type")
        }
    };
    let mut events = client.select_object_content(&op).await.map_err(failed)?;
    while let Some(event) = events.next_event().await {
        let event = event.map_err(failed)?;
        if let SelectEvent::Records(bytes) = event {
            match cx.output.raw(&bytes) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                Err(err) => return Err(CliError::failed(format!("writing the result: {err}"))),
            }
        }
    }
    Ok(())
}

fn input_of(args: &Args) -> InputSerialization {
    let input = match args.input {
        Format::Csv => {
            let mut csv = CsvInput::new();
            if let Some(header) = args.csv_header {
                csv = csv.file_header_info(match header {
                    CsvHeader::Use => FileHeaderInfo::Use,
                    CsvHeader::Ignore => FileHeaderInfo::Ignore,
                    CsvHeader::None => FileHeaderInfo::None,
                });
            }
            if let Some(delimiter) = &args.field_delimiter {
                csv = csv.field_delimiter(delimiter.clone());
            }
            InputSerialization::csv(csv)
        }
        Format::Json => InputSerialization::json(match args.json_type {
            JsonKind::Document => JsonType::Document,
            JsonKind::Lines => JsonType::Lines,
        }),
    };
    match args.compression {
        Compression::None => input,
        Compression::Gzip => input.compression_type(CompressionType::Gzip),
        Compression::Bzip2 => input.compression_type(CompressionType::Bzip2),
    }
}

fn output_of(format: Format) -> OutputSerialization {
    match format {
        Format::Csv => OutputSerialization::Csv(CsvOutput::new()),
        Format::Json => OutputSerialization::Json(JsonOutput::new().record_delimiter("\n")),
    }
}
