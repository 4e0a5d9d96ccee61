//! Client-side encryption: [`EncryptionClient`] wraps a [`Client`] and encrypts bodies
//! while they stream up, decrypts them while they stream down. The rules (envelope
//! headers, ranges, part offsets, checks) are `cos_crypto::object`'s.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Bytes, BytesMut};
use cos_transfer::drive::{ChunkSource, Decrypting, Encryption};
use futures_core::Stream;

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::ObjectBody;
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
/// # async fn demo(client: cos_tokio::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use cos_tokio::EncryptionClient;
/// use cos_tokio::cos_crypto::{AesMasterKey, Format};
/// use cos_proto::ops::{GetObject, PutObject};
///
/// let master = Arc::new(AesMasterKey::from_bytes(&[7; 32])?);
/// let secure = EncryptionClient::new(client, master, Format::V2);
/// secure.put_object(&PutObject::new("secret.txt", Some(5)), "hello").await?;
/// let (_, body) = secure.get_object(&GetObject::new("secret.txt")).await?;
/// assert_eq!(&body.bytes().await?[..], b"hello");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct EncryptionClient {
    client: Client,
    keys: Encryption,
}

impl EncryptionClient {
    cos_transfer::encryption_methods!([async] [.await] ::std::convert::identity [+ Send]);
}

/// The decrypted data of a download, chunk by chunk (also a `Stream` of `io::Result<Bytes>`). At the end it checks the recorded
/// length and MD5 of whole objects: a mismatch is an error, never a silent wrong read.
#[derive(Debug)]
pub struct DecryptedBody(Decrypting<ObjectBody>);

impl DecryptedBody {
    /// The number of plaintext bytes the body yields, when known.
    pub fn plaintext_len(&self) -> Option<u64> {
        self.0.plaintext_len()
    }

    /// The next decrypted chunk (never empty); `None` at the verified end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error>>> {
        Poll::Ready(loop {
            if self.0.is_over() {
                break None;
            }
            match ready!(self.0.body_mut().poll_chunk(cx)) {
                Some(Ok(chunk)) => {
                    let mut chunk = chunk
                        .try_into_mut()
                        .unwrap_or_else(|shared| BytesMut::from(&shared[..]));
                    match self.0.update(&mut chunk) {
                        Ok(keep) if keep.is_empty() => continue,
                        Ok(keep) => {
                            chunk.truncate(keep.end);
                            let _ = chunk.split_to(keep.start);
                            break Some(Ok(chunk.freeze()));
                        }
                        Err(err) => break Some(Err(err)),
                    }
                }
                Some(Err(err)) => {
                    self.0.fail();
                    break Some(Err(err));
                }
                None => break self.0.finish().err().map(Err),
            }
        })
    }

    /// Reads the whole decrypted body into memory (for small objects).
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let mut all = cos_transfer::drive::BodyCollector::new(self.plaintext_len());
        while let Some(chunk) = self.next_chunk().await {
            all.push(&chunk?);
        }
        Ok(all.finish())
    }
}

impl Stream for DecryptedBody {
    type Item = std::io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_chunk(cx)
            .map(|item| item.map(|r| r.map_err(Error::into_io)))
    }
}

impl ChunkSource for DecryptedBody {
    async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        DecryptedBody::next_chunk(self).await
    }

    fn check_complete(&self) -> Result<(), Error> {
        ChunkSource::check_complete(self.0.body())
    }
}
