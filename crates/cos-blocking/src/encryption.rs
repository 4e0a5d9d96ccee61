//! Client-side encryption: [`EncryptionClient`] wraps a [`Client`] and encrypts bodies
//! while they stream up, decrypts them while they stream down. The rules (envelope
//! headers, ranges, part offsets, checks) are `cos_crypto::object`'s.

use std::future::Future;
use std::io::{self, Read};

use bytes::Bytes;
use cos_transfer::drive::{ChunkSource, Decrypting, Encryption};

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::{ObjectBody, read_all};
use crate::error::Error;

/// The operating system's CSPRNG, as `cos-crypto` wants it.
fn os_rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

fn boxed_os_rng() -> Box<dyn rand_core::CryptoRng> {
    Box::new(os_rng())
}

/// A client that encrypts objects on the way up and decrypts them on the way down
/// (AES-256-CTR, a fresh key and IV per object, wrapped by a [`MasterKey`](cos_crypto::MasterKey)).
///
/// Writes [`Format::V2`](cos_crypto::Format::V2) by default;
/// [`Format::PythonCompatible`](cos_crypto::Format::PythonCompatible) writes objects the
/// official Python SDK's `CosEncryptionClient` reads (see its weaknesses). Reads both.
/// Unlike the Python SDK, the caller's own metadata (`x-cos-meta-*`) is kept.
///
/// ```no_run
/// # let client: cos_blocking::Client = unimplemented!();
/// use std::sync::Arc;
/// use cos_blocking::EncryptionClient;
/// use cos_crypto::{AesMasterKey, Format};
/// use cos_proto::ops::{GetObject, PutObject};
/// use std::io::Read;
///
/// let master = Arc::new(AesMasterKey::from_bytes(&[7; 32])?);
/// let secure = EncryptionClient::new(client, master, Format::V2);
/// secure.put_object(&PutObject::new("secret.txt", Some(5)), "hello")?;
/// let (_, mut body) = secure.get_object(&GetObject::new("secret.txt"))?;
/// let mut text = String::new();
/// body.read_to_string(&mut text)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct EncryptionClient {
    client: Client,
    keys: Encryption,
}

impl EncryptionClient {
    cos_transfer::encryption_methods!([] [] ::pollster::block_on []);
}

/// The decrypted data of a download (`std::io::Read`). At the end it checks the
/// recorded length and MD5 of whole objects: a mismatch is an error, never a silent
/// wrong read.
#[derive(Debug)]
pub struct DecryptedBody(Decrypting<ObjectBody>);

impl DecryptedBody {
    /// The number of plaintext bytes the body yields, when known.
    pub fn plaintext_len(&self) -> Option<u64> {
        self.0.plaintext_len()
    }

    /// The next decrypted chunk (never empty); `None` at the verified end.
    pub fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        // The ciphertext body's buffers hold the plaintext chunks.
        let remaining = self.0.body().remaining();
        let mut buffers = std::mem::take(self.0.body_mut().buffers());
        let chunk = buffers.next(remaining, |buf| self.read_inner(buf));
        *self.0.body_mut().buffers() = buffers;
        chunk
    }

    /// Reads the whole decrypted body into memory (for small objects).
    pub fn bytes(mut self) -> Result<Bytes, Error> {
        read_all(self.plaintext_len().unwrap_or(0), || self.next_chunk())
    }

    fn read_inner(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        loop {
            if self.0.is_over() || buf.is_empty() {
                return Ok(0);
            }
            let n = self
                .0
                .body_mut()
                .read_inner(buf)
                .inspect_err(|_| self.0.fail())?;
            if n == 0 {
                self.0.finish()?;
                return Ok(0);
            }
            let keep = self.0.update(&mut buf[..n])?;
            if !keep.is_empty() {
                let len = keep.len();
                buf.copy_within(keep, 0);
                return Ok(len);
            }
        }
    }
}

impl Read for DecryptedBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_inner(buf).map_err(Error::into_io)
    }
}

impl ChunkSource for DecryptedBody {
    fn next_chunk(&mut self) -> impl Future<Output = Option<Result<Bytes, Error>>> + Send {
        std::future::ready(DecryptedBody::next_chunk(self))
    }

    fn check_complete(&self) -> Result<(), Error> {
        ChunkSource::check_complete(self.0.body())
    }
}
