//! A GET of an encrypted object: the range to ask for, and which decrypted bytes of the
//! response the caller gets.
//!
//! Every kind of range works, whatever the object's format and part size (CTR decrypts
//! any byte at its offset): `bytes=a-b`, open ranges `bytes=a-`, suffix ranges `bytes=-n`
//! (the last `n` bytes; the Python SDK fails on them), ranges reaching past the end
//! (clipped to the object, as COS clips them), and a server that ignores the range and
//! sends the whole object (the caller still gets only the bytes asked for).

use std::ops::Range;

use cos_proto::ops::{ByteRange, ContentRange, GetObject, GetObjectOutput};
use rand_core::CryptoRng;

use crate::decrypt::Decryptor;
use crate::envelope::Envelope;
use crate::error::CryptoError;
use crate::master_key::MasterKey;
use crate::range::block_aligned;

/// A GET of an encrypted object: the request to send (a range's start rounded down to 16
/// bytes, as the Python SDK asks) and how to read its response.
#[derive(Debug, Clone)]
pub struct EncryptedGet {
    request: GetObject,
    range: Option<ByteRange>,
}

impl EncryptedGet {
    /// Plans the GET for the user's request.
    pub fn new(op: &GetObject) -> Self {
        let range = op.requested_range();
        let request = match range {
            Some(range) => op.clone().range(block_aligned(range).request),
            None => op.clone(),
        };
        Self { request, range }
    }

    /// The GET to send.
    pub fn request(&self) -> &GetObject {
        &self.request
    }

    /// Opens the envelope from the response headers and returns the decrypting body
    /// state: positioned at the response's first byte (`Content-Range`), it drops the
    /// bytes before the caller's range and after its end. `output` is then rewritten to
    /// describe what the caller receives (its `Content-Length`, and a `Content-Range` with
    /// the caller's span).
    ///
    /// Fails when the response starts after the first byte asked for
    /// ([`CryptoError::RangeNotServed`]), and for a suffix range answered with the whole
    /// object of unknown length ([`CryptoError::SuffixRangeUnresolved`]).
    pub fn open(
        &self,
        output: &mut GetObjectOutput,
        master: &dyn MasterKey,
        rng: &mut dyn CryptoRng,
    ) -> Result<(Envelope, PlaintextBody), CryptoError> {
        let envelope = Envelope::open(&output.info.headers, master, rng)?;
        let window = Window::of(self.range, output)?;
        let decryptor = match output.content_range {
            None => {
                if let Some(len) = output.info.content_length {
                    envelope.check_object_length(len)?;
                }
                envelope.decryptor()?
            }
            Some(range) => envelope.range_decryptor(range.first)?,
        };
        let plaintext_len = window.rewrite(output);
        let body = PlaintextBody {
            decryptor,
            discard: window.discard,
            remaining: window.deliver,
            plaintext_len,
        };
        Ok((envelope, body))
    }
}

/// Which bytes of a response the caller gets: skip `discard`, then deliver at most
/// `deliver` (`None`: to the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    discard: u64,
    deliver: Option<u64>,
    /// The object offset of the first byte delivered.
    first: u64,
}

impl Window {
    fn of(range: Option<ByteRange>, output: &GetObjectOutput) -> Result<Self, CryptoError> {
        let served = output.content_range.map_or(0, |r| r.first);
        let Some(range) = range else {
            return Ok(Self {
                discard: 0,
                deliver: None,
                first: served,
            });
        };
        let total = output.object_size();
        let wanted = match (range.span_in(total), total, range) {
            (Some(span), _, _) => Some(span),
            // The object is known and nothing of it is in the range (past the end, an
            // empty object, `bytes=-0`): nothing to deliver.
            (None, Some(_), _) => None,
            (None, None, ByteRange::From(first)) => Some((first, u64::MAX)),
            // Only the server knows where the last n bytes start: its Content-Range says.
            (None, None, ByteRange::Suffix(n)) => match output.content_range {
                Some(r) => Some((r.first, r.last)),
                None => return Err(CryptoError::SuffixRangeUnresolved(n)),
            },
            (None, None, ByteRange::Inclusive { first, last }) => Some((first, last)),
        };
        let Some((first, last)) = wanted else {
            return Ok(Self {
                discard: 0,
                deliver: Some(0),
                first: served,
            });
        };
        if first < served {
            return Err(CryptoError::RangeNotServed {
                requested: first,
                served,
            });
        }
        Ok(Self {
            discard: first - served,
            deliver: Some((last - first).saturating_add(1)),
            first,
        })
    }

    /// Rewrites `output` to describe the delivered bytes; returns their number, when the
    /// response says how long it is.
    fn rewrite(&self, output: &mut GetObjectOutput) -> Option<u64> {
        let total = output.object_size();
        let body = output.body_length();
        let len = body.map(|body| {
            let after = body.saturating_sub(self.discard);
            self.deliver.map_or(after, |deliver| after.min(deliver))
        });
        output.info.content_length = len;
        let ranged = output.content_range.is_some() || self.discard > 0 || self.deliver.is_some();
        output.content_range = match len {
            Some(len) if ranged && len > 0 => Some(ContentRange {
                first: self.first,
                last: self.first.saturating_add(len - 1),
                total,
            }),
            Some(_) if ranged => None,
            _ => output.content_range.map(|r| ContentRange {
                first: self.first,
                ..r
            }),
        };
        len
    }
}

/// Decrypts a download chunk by chunk and delivers only the caller's bytes.
#[derive(Debug)]
pub struct PlaintextBody {
    decryptor: Decryptor,
    discard: u64,
    remaining: Option<u64>,
    plaintext_len: Option<u64>,
}

impl PlaintextBody {
    /// Decrypts `chunk` (the next bytes of the response body) in place and returns the
    /// part of it to deliver: empty while leading bytes are being dropped, and once the
    /// caller's range is complete (keep reading to the end all the same: `finish` checks
    /// the whole).
    pub fn update(&mut self, chunk: &mut [u8]) -> Result<Range<usize>, CryptoError> {
        self.decryptor.update(chunk)?;
        let skip = usize::try_from(self.discard)
            .unwrap_or(usize::MAX)
            .min(chunk.len());
        self.discard -= skip as u64;
        let mut take = chunk.len() - skip;
        if let Some(remaining) = &mut self.remaining {
            take = usize::try_from(*remaining).unwrap_or(usize::MAX).min(take);
            *remaining -= take as u64;
        }
        Ok(skip..skip + take)
    }

    /// The number of plaintext bytes the caller receives, when the response said.
    pub fn plaintext_len(&self) -> Option<u64> {
        self.plaintext_len
    }

    /// Call at the end of the body: checks the recorded length, MD5 and CRC-64 when the
    /// whole object was received.
    pub fn finish(self) -> Result<(), CryptoError> {
        self.decryptor.finish()
    }
}
