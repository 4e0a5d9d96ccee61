//! POST Object ?select&select-type=2 (SelectObjectContent).
//!
//! The handler's side of the interface with the SQL engine ([`crate::select_engine`]):
//! it parses the `SelectRequest` document into a [`SelectSpec`] (the engine's input and
//! output formats), reads the whole object, calls [`crate::select_engine::run`] and
//! answers with a real event stream built by cos-proto's encoder: `Records` messages
//! (at most 1 MiB of records each), a `Progress` message when `RequestProgress` is
//! enabled, `Stats`, then `End`. Every message carries both CRC-32s.
//!
//! Errors found before streaming (a malformed request, an object that does not
//! decompress, a SQL syntax error, malformed records, a failed `CAST`, a value an
//! aggregate cannot take) are answered with HTTP 400 and the engine's
//! error code in an ordinary `<Error>` document, as COS does for errors it detects
//! before the first event.

use http::{Response, StatusCode};

use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, error_response, set_header};
use crate::errors::{CosError, ErrorCode};
use crate::handlers::MAX_DOCUMENT;
use crate::select_engine::{
    self, CompressionType, CsvInput, CsvOutput, InputFormat, JsonOutput, OutputFormat,
    SelectEngineError, SelectOutput,
};
use crate::xml_in::{self, Element};
use cos_proto::select::{SelectStats, encode_end, encode_progress, encode_records, encode_stats};

/// The largest object Select reads, and the most bytes a compressed object may
/// decompress to (the data is held in memory while the query runs).
const MAX_SELECT_INPUT: u64 = 256 * 1024 * 1024;
/// The most record bytes per `Records` message.
const RECORDS_PER_MESSAGE: usize = 1024 * 1024;

/// A parsed `SelectRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SelectSpec {
    /// The SQL expression.
    pub(crate) expression: String,
    /// `InputSerialization/CompressionType`.
    pub(crate) compression: CompressionType,
    /// How the object is read.
    pub(crate) input: InputFormat,
    /// How records are written.
    pub(crate) output: OutputFormat,
    /// `RequestProgress/Enabled`.
    pub(crate) progress: bool,
}

fn malformed(what: &str) -> CosError {
    CosError::with_message(
        ErrorCode::MalformedXML,
        format!("The SelectRequest is not valid: {what}"),
    )
}

fn text(el: &Element, name: &str) -> Option<String> {
    el.child_text(name).map(str::to_owned)
}

fn flag(el: &Element, name: &str) -> bool {
    el.child_text(name)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Parses the request document. Engine-level option errors (an unknown
/// `FileHeaderInfo`, ...) come back as the engine's error.
pub(crate) fn parse_spec(body: &[u8]) -> Result<Result<SelectSpec, SelectEngineError>, CosError> {
    let root = xml_in::parse_root(body, "SelectRequest")?;
    let expression = root
        .child_text("Expression")
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| malformed("Expression is required"))?
        .to_owned();
    if let Some(kind) = root.child_text("ExpressionType")
        && !kind.trim().eq_ignore_ascii_case("SQL")
    {
        return Err(malformed("ExpressionType must be SQL"));
    }
    let input_el = root
        .child("InputSerialization")
        .ok_or_else(|| malformed("InputSerialization is required"))?;
    let output_el = root
        .child("OutputSerialization")
        .ok_or_else(|| malformed("OutputSerialization is required"))?;
    let progress = root
        .child("RequestProgress")
        .is_some_and(|p| flag(p, "Enabled"));
    Ok(engine_spec(expression, input_el, output_el, progress))
}

fn engine_spec(
    expression: String,
    input_el: &Element,
    output_el: &Element,
    progress: bool,
) -> Result<SelectSpec, SelectEngineError> {
    let compression: CompressionType = input_el
        .child_text("CompressionType")
        .unwrap_or("NONE")
        .parse()?;
    let input = if let Some(csv) = input_el.child("CSV") {
        let defaults = CsvInput::default();
        InputFormat::Csv(CsvInput {
            file_header_info: match csv.child_text("FileHeaderInfo") {
                Some(v) => v.parse()?,
                None => defaults.file_header_info,
            },
            record_delimiter: text(csv, "RecordDelimiter").unwrap_or(defaults.record_delimiter),
            field_delimiter: text(csv, "FieldDelimiter").unwrap_or(defaults.field_delimiter),
            quote_character: text(csv, "QuoteCharacter").unwrap_or(defaults.quote_character),
            quote_escape_character: text(csv, "QuoteEscapeCharacter")
                .unwrap_or(defaults.quote_escape_character),
            comments: match csv.child_text("Comments") {
                Some("") => None,
                Some(c) => Some(c.to_owned()),
                None => defaults.comments,
            },
            allow_quoted_record_delimiter: flag(csv, "AllowQuotedRecordDelimiter"),
        })
    } else if let Some(json) = input_el.child("JSON") {
        InputFormat::json(json.child_text("Type").unwrap_or("DOCUMENT"))?
    } else {
        return Err(SelectEngineError::InvalidInput(
            "InputSerialization needs CSV or JSON".into(),
        ));
    };
    let output = if let Some(csv) = output_el.child("CSV") {
        let defaults = CsvOutput::default();
        OutputFormat::Csv(CsvOutput {
            quote_fields: match csv.child_text("QuoteFields") {
                Some(v) => v.parse()?,
                None => defaults.quote_fields,
            },
            record_delimiter: text(csv, "RecordDelimiter").unwrap_or(defaults.record_delimiter),
            field_delimiter: text(csv, "FieldDelimiter").unwrap_or(defaults.field_delimiter),
            quote_character: text(csv, "QuoteCharacter").unwrap_or(defaults.quote_character),
            quote_escape_character: text(csv, "QuoteEscapeCharacter")
                .unwrap_or(defaults.quote_escape_character),
        })
    } else if let Some(json) = output_el.child("JSON") {
        OutputFormat::Json(JsonOutput {
            record_delimiter: text(json, "RecordDelimiter")
                .unwrap_or_else(|| JsonOutput::default().record_delimiter),
        })
    } else {
        return Err(SelectEngineError::InvalidInput(
            "OutputSerialization needs CSV or JSON".into(),
        ));
    };
    Ok(SelectSpec {
        expression,
        compression,
        input,
        output,
        progress,
    })
}

/// Runs a parsed request over the object bytes (decompressed first when the request
/// says they are compressed; at most [`MAX_SELECT_INPUT`] bytes once decompressed).
pub(crate) fn evaluate(spec: &SelectSpec, data: &[u8]) -> Result<SelectOutput, SelectEngineError> {
    let input = spec.compression.decompress(data, MAX_SELECT_INPUT)?;
    let mut output = select_engine::run(&spec.expression, &input, &spec.input, &spec.output)?;
    // Scanned: the object's bytes; processed: the decompressed bytes.
    output.bytes_scanned = u64::try_from(data.len()).unwrap_or(u64::MAX);
    Ok(output)
}

/// The event stream for a result: Records*, \[Progress\], Stats, End.
pub(crate) fn event_stream(output: &SelectOutput, progress: bool) -> Result<Vec<u8>, CosError> {
    let mut stream = Vec::with_capacity(output.records.len() + 256);
    for chunk in output.records.chunks(RECORDS_PER_MESSAGE) {
        let message = encode_records(chunk).map_err(CosError::internal)?;
        stream.extend_from_slice(&message);
    }
    let stats = SelectStats {
        bytes_scanned: output.bytes_scanned,
        bytes_processed: output.bytes_processed,
        bytes_returned: output.bytes_returned,
    };
    if progress {
        stream.extend_from_slice(&encode_progress(&stats));
    }
    stream.extend_from_slice(&encode_stats(&stats));
    stream.extend_from_slice(&encode_end());
    Ok(stream)
}

fn engine_error(req: &Req<'_>, error: &SelectEngineError) -> Response<ResponseBody> {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let resource = format!("{}{}", req.host, req.parts.uri.path());
    error_response(
        status,
        error.code(),
        &error.to_string(),
        &[],
        &[],
        &req.parts.method,
        &resource,
        &req.request_id,
    )
}

/// Select Object Content.
pub(crate) async fn select_object(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    if req.param("select-type").map(str::trim) != Some("2") {
        return Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            "select-type must be 2.",
        ));
    }
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    let spec = match parse_spec(&document)? {
        Ok(spec) => spec,
        Err(e) => return Ok(engine_error(req, &e)),
    };
    let version = req
        .app
        .store
        .get_version(&req.bucket, &req.key, req.version_id())?;
    if !version.readable(req.now) {
        return Err(CosError::new(ErrorCode::InvalidObjectState));
    }
    if version.size > MAX_SELECT_INPUT {
        return Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            format!("The emulator selects from objects of at most {MAX_SELECT_INPUT} bytes."),
        ));
    }
    let mut data = Vec::with_capacity(usize::try_from(version.size).unwrap_or(0));
    if let Some(blob) = version.blob {
        let mut source = req.app.store.open_blob(blob, 0, version.size)?;
        while let Some(chunk) = source.read_chunk(1024 * 1024)? {
            data.extend_from_slice(&chunk);
        }
    }
    let output = match evaluate(&spec, &data) {
        Ok(output) => output,
        Err(e) => return Ok(engine_error(req, &e)),
    };
    let stream = event_stream(&output, spec.progress)?;
    let len = stream.len();
    let mut response = Response::new(ResponseBody::bytes(stream));
    set_header(&mut response, "content-type", "application/octet-stream");
    set_header(&mut response, "content-length", &len.to_string());
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cos_proto::select::{SelectDecoder, SelectEvent};

    #[test]
    fn parses_the_sdk_request() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SelectRequest><Expression>Select * from COSObject s where s._1 &gt; '10'</Expression><ExpressionType>SQL</ExpressionType><InputSerialization><CompressionType>NONE</CompressionType><CSV><FileHeaderInfo>NONE</FileHeaderInfo><RecordDelimiter>\n</RecordDelimiter><FieldDelimiter>,</FieldDelimiter><QuoteCharacter>\"</QuoteCharacter><QuoteEscapeCharacter>\"</QuoteEscapeCharacter><Comments>#</Comments><AllowQuotedRecordDelimiter>FALSE</AllowQuotedRecordDelimiter></CSV></InputSerialization><OutputSerialization><CSV><QuoteFields>ASNEEDED</QuoteFields><RecordDelimiter>\n</RecordDelimiter><FieldDelimiter>,</FieldDelimiter><QuoteCharacter>\"</QuoteCharacter><QuoteEscapeCharacter>\"</QuoteEscapeCharacter></CSV></OutputSerialization><RequestProgress><Enabled>TRUE</Enabled></RequestProgress></SelectRequest>";
        let spec = parse_spec(body.as_bytes()).expect("xml").expect("spec");
        assert_eq!(
            spec.expression,
            "Select * from COSObject s where s._1 > '10'"
        );
        assert!(spec.progress);
        let InputFormat::Csv(csv) = &spec.input else {
            panic!("csv input expected");
        };
        assert_eq!(csv.record_delimiter, "\n");
        let out = evaluate(&spec, b"5,a\n20,b\n").expect("runs");
        assert_eq!(out.records, b"20,b\n");
    }

    #[test]
    fn rejects_bad_requests() {
        assert!(parse_spec(b"<SelectRequest/>").is_err());
        assert!(parse_spec(b"not xml").is_err());
        let gzip = b"<SelectRequest><Expression>select * from COSObject</Expression><InputSerialization><CompressionType>GZIP</CompressionType><JSON><Type>LINES</Type></JSON></InputSerialization><OutputSerialization><JSON/></OutputSerialization></SelectRequest>";
        let spec = parse_spec(gzip).expect("xml").expect("spec");
        assert_eq!(spec.compression, CompressionType::Gzip);
        assert_eq!(
            evaluate(&spec, b"{}").expect_err("not gzip").code(),
            "TruncatedInput"
        );
        let bad_header = b"<SelectRequest><Expression>select * from COSObject</Expression><InputSerialization><CSV><FileHeaderInfo>MAYBE</FileHeaderInfo></CSV></InputSerialization><OutputSerialization><CSV/></OutputSerialization></SelectRequest>";
        assert!(parse_spec(bad_header).expect("xml").is_err());
    }

    #[test]
    fn the_event_stream_decodes() {
        let output = SelectOutput {
            records: b"a\nb\n".to_vec(),
            bytes_scanned: 10,
            bytes_processed: 10,
            bytes_returned: 4,
        };
        let stream = event_stream(&output, true).expect("encodes");
        let mut decoder = SelectDecoder::new();
        decoder.feed(&stream);
        let mut events = Vec::new();
        while let Some(event) = decoder.next_event().expect("valid") {
            events.push(event);
        }
        decoder.finish().expect("complete");
        assert_eq!(events.len(), 4);
        assert_eq!(
            events[0],
            SelectEvent::Records(bytes::Bytes::from_static(b"a\nb\n"))
        );
        assert!(matches!(events[1], SelectEvent::Progress(_)));
        assert!(matches!(events[2], SelectEvent::Stats(s) if s.bytes_returned == 4));
        assert_eq!(events[3], SelectEvent::End);
    }
}
