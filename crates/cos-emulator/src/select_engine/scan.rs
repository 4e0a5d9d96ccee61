//! Reading an object's records one at a time, whatever its input format.

use super::error::SelectEngineError;
use super::eval::Row;
use super::{FileHeaderInfo, InputFormat, csv_input, json_input};

/// Calls `visit` on each record of `text` in order, while it answers `true`.
///
/// The reader is set up (and CSV options checked, and a CSV header read) even when
/// `read_any` is false, in which case no record is read: `LIMIT 0` reports invalid
/// options but not malformed records.
pub(crate) fn scan(
    text: &str,
    input_format: &InputFormat,
    read_any: bool,
    visit: &mut dyn FnMut(Row<'_>) -> Result<bool, SelectEngineError>,
) -> Result<(), SelectEngineError> {
    let mut more = read_any;
    match input_format {
        InputFormat::Csv(config) => {
            let mut reader = csv_input::CsvReader::new(text, config)?;
            let header = match config.file_header_info {
                FileHeaderInfo::None => None,
                FileHeaderInfo::Ignore => {
                    reader.next_record()?;
                    None
                }
                FileHeaderInfo::Use => reader.next_record()?,
            };
            while more {
                let Some(fields) = reader.next_record()? else {
                    break;
                };
                more = visit(Row::Csv {
                    fields: &fields,
                    header: header.as_deref(),
                })?;
            }
        }
        InputFormat::JsonLines | InputFormat::JsonDocument => {
            let mut reader = if matches!(input_format, InputFormat::JsonLines) {
                json_input::JsonReader::lines(text)
            } else {
                json_input::JsonReader::document(text)
            };
            while more {
                let Some(value) = reader.next_value()? else {
                    break;
                };
                more = visit(Row::Json(&value))?;
            }
        }
    }
    Ok(())
}
