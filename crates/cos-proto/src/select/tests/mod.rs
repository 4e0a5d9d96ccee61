//! Tests of the event-stream decoder and encoder.

mod corruption;
mod props;
mod roundtrip;
mod unit;
mod vectors;

use super::{SelectDecoder, SelectError, SelectEvent};

/// How a decoding run stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ending {
    /// All input was fed without error; this is what `finish()` returned.
    Finished(Result<(), SelectError>),
    /// `next_event()` failed with this error.
    Failed(SelectError),
}

/// The events a run produced and how it stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<SelectEvent>,
    ending: Ending,
}

/// Feeds `chunks` in order, draining events after each one, then calls `finish()`.
fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut decoder = SelectDecoder::new();
    let mut events = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        loop {
            match decoder.next_event() {
                Ok(Some(event)) => events.push(event),
                Ok(None) => break,
                Err(err) => {
                    // The decoder is poisoned: the same error comes back.
                    assert_eq!(decoder.next_event(), Err(err.clone()));
                    assert_eq!(decoder.finish(), Err(err.clone()));
                    return Outcome {
                        events,
                        ending: Ending::Failed(err),
                    };
                }
            }
        }
    }
    Outcome {
        events,
        ending: Ending::Finished(decoder.finish()),
    }
}

/// Decodes `stream` fed in chunks of `chunk` bytes (`chunk >= 1`).
fn decode_in_chunks(stream: &[u8], chunk: usize) -> Outcome {
    decode_chunks(stream.chunks(chunk.max(1)))
}

/// Concatenates encoded messages.
fn concat(messages: &[Vec<u8>]) -> Vec<u8> {
    messages.concat()
}
