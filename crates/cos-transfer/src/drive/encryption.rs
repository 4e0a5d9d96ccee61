//! What an encrypting client does around each request, written once (feature
//! `crypto`): the envelope sealed for a PUT or an initiation, the body encrypted for
//! it, the envelope opened from a HEAD or a GET. The rules themselves are
//! `cos_crypto::object`'s; randomness is the caller's.

use std::fmt;
use std::sync::Arc;

use cos_crypto::object::{self, EncryptedGet, EncryptedUpload, PlaintextBody};
use cos_crypto::{CryptoError, Envelope, Format, MasterKey, PlaintextInfo};
use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{GetObject, HeadObject, InitiateMultipartUploadOutput, PutObjectOutput};
use cos_proto::ops::{GetObjectOutput, InitiateMultipartUpload, ObjectInfo, PutObject, UploadPart};
use http::HeaderMap;
use rand_core::CryptoRng;

use super::{Requests, TransferBody};

/// The keys of an encrypting client: the master key that wraps every object's content
/// key, and the envelope format uploads write.
#[derive(Clone)]
pub struct Encryption {
    master: Arc<dyn MasterKey + Send + Sync>,
    format: Format,
}

impl fmt::Debug for Encryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encryption")
            .field("wrap_algorithm", &self.master.wrap_algorithm())
            .field("format", &self.format)
            .finish()
    }
}

/// A `cos-crypto` refusal, as the clients report it.
pub fn crypto(err: CryptoError) -> ClientError {
    ClientError::Encryption(Box::new(err))
}

impl Encryption {
    /// Keys that wrap with `master` and write `format`.
    pub fn new(master: Arc<dyn MasterKey + Send + Sync>, format: Format) -> Self {
        Self { master, format }
    }

    /// The master key.
    pub fn master(&self) -> &Arc<dyn MasterKey + Send + Sync> {
        &self.master
    }

    /// The format uploads write.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether an upload records the plaintext CRC-64 (the caller computes it first).
    pub fn records_plaintext_crc64(&self) -> bool {
        crate::encrypted::records_plaintext_crc64(self.format)
    }

    /// The PUT of `op` under a fresh envelope (the plaintext's length from `op`, its
    /// CRC-64 when known), and `body` encrypted for it.
    pub fn put<B: TransferBody>(
        &self,
        op: &PutObject,
        body: B,
        plaintext_crc64: Option<u64>,
        rng: &mut dyn CryptoRng,
    ) -> Result<(PutObject, B), ClientError> {
        let envelope = self.seal(&object::put_info(op, plaintext_crc64), rng)?;
        let put = object::put_request(op, &envelope).map_err(crypto)?;
        Ok((put, body.encrypted(envelope.cipher().clone(), 0)))
    }

    /// Opens the envelope a HEAD returned (a plain object or a wrong master key fails)
    /// and checks the stored length against it.
    pub fn check_head(
        &self,
        info: &ObjectInfo,
        rng: &mut dyn CryptoRng,
    ) -> Result<(), ClientError> {
        let envelope = Envelope::open(&info.headers, self.master.as_ref(), rng).map_err(crypto)?;
        object::check_info(info, &envelope).map_err(crypto)
    }

    /// Opens the envelope of a GET planned by `plan`, rewriting `output` to describe the
    /// plaintext; the body's bytes go through the returned [`PlaintextBody`].
    pub fn open_get(
        &self,
        plan: &EncryptedGet,
        output: &mut GetObjectOutput,
        rng: &mut dyn CryptoRng,
    ) -> Result<PlaintextBody, ClientError> {
        let (_, plaintext) = plan
            .open(output, self.master.as_ref(), rng)
            .map_err(crypto)?;
        Ok(plaintext)
    }

    /// The initiation of `op` under a fresh envelope for `info` (which carries the part
    /// size), and the envelope its parts are encrypted with.
    pub fn initiate(
        &self,
        op: &InitiateMultipartUpload,
        info: &PlaintextInfo,
        rng: &mut dyn CryptoRng,
    ) -> Result<(InitiateMultipartUpload, Envelope), ClientError> {
        let envelope = self.seal(info, rng)?;
        let init = object::initiate_request(op, &envelope).map_err(crypto)?;
        Ok((init, envelope))
    }

    /// An encrypted multipart upload taken up again from its envelope's headers.
    pub fn resume_upload(
        &self,
        key: &str,
        upload_id: &str,
        envelope_headers: &HeaderMap,
        part_size: u64,
        rng: &mut dyn CryptoRng,
    ) -> Result<EncryptedUpload, ClientError> {
        let master = self.master.as_ref();
        let envelope =
            object::resume_envelope(envelope_headers, master, part_size, rng).map_err(crypto)?;
        Ok(EncryptedUpload::new(key, upload_id, envelope))
    }

    /// `body` encrypted at the offset of the part `op` uploads.
    pub fn part_body<B: TransferBody>(
        upload: &EncryptedUpload,
        op: &UploadPart,
        body: B,
    ) -> Result<B, ClientError> {
        let offset = object::part_offset(upload.envelope(), op).map_err(crypto)?;
        Ok(body.encrypted(upload.envelope().cipher().clone(), offset))
    }

    fn seal(&self, info: &PlaintextInfo, rng: &mut dyn CryptoRng) -> Result<Envelope, ClientError> {
        Envelope::seal(self.format, self.master.as_ref(), info, rng).map_err(crypto)
    }
}

impl Encryption {
    /// PUT Object of `body` under a fresh envelope (see [`Encryption::put`]); the
    /// plaintext CRC-64 is read first when the format records it and the body can say.
    pub async fn put_object<R: Requests>(
        &self,
        client: &R,
        op: &PutObject,
        body: R::Body,
        rng: &mut (dyn CryptoRng + Send),
    ) -> Result<PutObjectOutput, ClientError> {
        let crc64 = match body
            .plaintext_crc64()
            .filter(|_| self.records_plaintext_crc64())
        {
            Some(Ok(source)) => {
                let read = move || source.compute().map_err(ClientError::Source);
                Some(client.run_blocking(read).await?)
            }
            Some(Err(err)) => return Err(ClientError::Source(err)),
            None => None,
        };
        let (put, body) = self.put(op, body, crc64, rng)?;
        client.send(&put, body).await
    }

    /// HEAD Object, its envelope opened and its length checked ([`Encryption::check_head`]).
    pub async fn head_object<R: Requests>(
        &self,
        client: &R,
        op: &HeadObject,
        rng: &mut (dyn CryptoRng + Send),
    ) -> Result<ObjectInfo, ClientError> {
        let info = client.send(op, R::Body::default()).await?;
        self.check_head(&info, rng)?;
        Ok(info)
    }

    /// GET Object as [`EncryptedGet`] plans it: the output (describing the plaintext),
    /// the body, and the state that decrypts it.
    pub async fn get_object<R: Requests>(
        &self,
        client: &R,
        op: &GetObject,
        rng: &mut (dyn CryptoRng + Send),
    ) -> Result<(GetObjectOutput, R::Object, PlaintextBody), ClientError> {
        let plan = EncryptedGet::new(op);
        let (mut output, body) = client.get_object(plan.request()).await?;
        let plaintext = self.open_get(&plan, &mut output, rng)?;
        Ok((output, body, plaintext))
    }

    /// Initiate Multipart Upload under a fresh envelope for `info`, and the upload its
    /// parts are encrypted for.
    pub async fn create_multipart_upload<R: Requests>(
        &self,
        client: &R,
        op: &InitiateMultipartUpload,
        info: &PlaintextInfo,
        rng: &mut (dyn CryptoRng + Send),
    ) -> Result<(InitiateMultipartUploadOutput, EncryptedUpload), ClientError> {
        let (init, envelope) = self.initiate(op, info, rng)?;
        let output = client.send(&init, R::Body::default()).await?;
        let upload = EncryptedUpload::new(op.key(), output.upload_id.clone(), envelope);
        Ok((output, upload))
    }
}

/// A download's body and the state that decrypts it, as both clients' `DecryptedBody`
/// hold them: the bytes received go through [`Decrypting::update`], the end through
/// [`Decrypting::finish`] (which checks the recorded length and MD5); any error ends it.
#[derive(Debug)]
pub struct Decrypting<B> {
    body: B,
    plaintext: Option<PlaintextBody>,
}

impl<B> Decrypting<B> {
    /// `body`, decrypted by `plaintext`.
    pub fn new(body: B, plaintext: PlaintextBody) -> Self {
        Self {
            body,
            plaintext: Some(plaintext),
        }
    }

    /// The number of plaintext bytes the body yields, when known.
    pub fn plaintext_len(&self) -> Option<u64> {
        self.plaintext
            .as_ref()
            .and_then(PlaintextBody::plaintext_len)
    }

    /// The body underneath.
    pub fn body(&self) -> &B {
        &self.body
    }

    /// The body underneath, to read from.
    pub fn body_mut(&mut self) -> &mut B {
        &mut self.body
    }

    /// Whether it ended (verified, or failed): nothing more is yielded.
    pub fn is_over(&self) -> bool {
        self.plaintext.is_none()
    }

    /// Decrypts `data`, the next bytes received, in place, and says which of them to
    /// yield (an empty range: read more). An error ends the body.
    pub fn update(&mut self, data: &mut [u8]) -> Result<std::ops::Range<usize>, ClientError> {
        let Some(plaintext) = self.plaintext.as_mut() else {
            return Ok(0..0);
        };
        plaintext.update(data).map_err(|err| {
            self.plaintext = None;
            crypto(err)
        })
    }

    /// The body failed: nothing more is yielded.
    pub fn fail(&mut self) {
        self.plaintext = None;
    }

    /// The body ended: checks the recorded length and MD5 (once).
    pub fn finish(&mut self) -> Result<(), ClientError> {
        match self.plaintext.take() {
            Some(plaintext) => plaintext.finish().map_err(crypto),
            None => Ok(()),
        }
    }
}
