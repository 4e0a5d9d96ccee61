//! Client-side encryption: [`EncryptionClient`] wraps a [`Client`] and encrypts bodies
//! while they stream up, decrypts them while they stream down. The rules (envelope
//! headers, ranges, part offsets, checks) are `cos_crypto::object`'s.

use std::future::Future;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use cos_crypto::object::{EncryptedGet, EncryptedUpload, PlaintextBody};
use cos_crypto::{Format, MasterKey, PlaintextInfo};
use cos_proto::ops::{
    CompleteMultipartUpload, CompleteMultipartUploadOutput, GetObject, GetObjectOutput, HeadObject,
    InitiateMultipartUpload, InitiateMultipartUploadOutput, ObjectInfo, PutObject, PutObjectOutput,
    UploadPart, UploadPartOutput,
};
use cos_transfer::drive::{self, ChunkSource, Encryption};
use cos_transfer::fs::FileTarget;
use cos_transfer::{DownloadOutput, TransferError, TransferEvent, TransferOptions, UploadOutput};
use http::HeaderMap;

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

/// The size of the chunks [`DecryptedBody::next_chunk`] reads.
const CHUNK: usize = 256 * 1024;

/// A client that encrypts objects on the way up and decrypts them on the way down
/// (AES-256-CTR, a fresh key and IV per object, wrapped by a [`MasterKey`]).
///
/// Writes [`Format::V2`] by default; [`Format::PythonCompatible`] writes objects the
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
    /// Wraps `client`; `master` wraps every object's content key, `format` is what
    /// uploads write.
    pub fn new(client: Client, master: Arc<dyn MasterKey + Send + Sync>, format: Format) -> Self {
        let keys = Encryption::new(master, format);
        Self { client, keys }
    }

    /// The plain client underneath.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Encrypts `body` while uploading it (no buffering; files stay retryable). The
    /// plaintext length is recorded when `op` announces it, and (v2) the plaintext CRC-64
    /// of bytes or a file (one local read first), which every whole-object read checks;
    /// a one-shot reader cannot have one.
    pub fn put_object(
        &self,
        op: &PutObject,
        body: impl Into<UploadBody>,
    ) -> Result<PutObjectOutput, Error> {
        let body = body.into();
        let crc64 = match self.keys.records_plaintext_crc64() {
            true => body.plaintext_crc64().transpose(),
            false => Ok(None),
        };
        let crc64 = crc64.map_err(Error::Source)?;
        let (put, body) = self.keys.put(op, body, crc64, &mut os_rng())?;
        self.client.put_object(&put, body)
    }

    /// Reads an encrypted object's attributes, after opening its envelope (so a plain
    /// object or a wrong master key fails here) and checking its length.
    /// `content_length` is the plaintext length.
    pub fn head_object(&self, op: &HeadObject) -> Result<ObjectInfo, Error> {
        let info = self.client.head_object(op)?;
        self.keys.check_head(&info, &mut os_rng())?;
        Ok(info)
    }

    /// Starts a download and decrypts it while it streams. A range is requested from
    /// its start rounded down to 16 bytes, and the extra bytes are dropped; the output
    /// describes what the reader yields.
    pub fn get_object(&self, op: &GetObject) -> Result<(GetObjectOutput, DecryptedBody), Error> {
        let plan = EncryptedGet::new(op);
        let (mut output, body) = self.client.get_object(plan.request())?;
        let plaintext = self.keys.open_get(&plan, &mut output, &mut os_rng())?;
        Ok((
            output,
            DecryptedBody {
                body,
                plaintext: Some(plaintext),
            },
        ))
    }

    /// Downloads and decrypts into `path` atomically (temporary file, fsync, rename);
    /// the recorded length and MD5 are checked before the rename.
    pub fn get_object_to_file(
        &self,
        op: &GetObject,
        path: impl AsRef<Path>,
    ) -> Result<GetObjectOutput, Error> {
        let driver = self.client.driver();
        let files = pollster::block_on(drive::files_for(&driver, path.as_ref()))?;
        let (output, mut body) = self.get_object(op)?;
        pollster::block_on(drive::save(&driver, &mut body, files, fastrand::u64(..)))?;
        Ok(output)
    }

    /// Starts an encrypted multipart upload: `info` must carry the part size
    /// ([`PlaintextInfo::multipart`], a multiple of 16) and, when known, the length.
    pub fn create_multipart_upload(
        &self,
        op: &InitiateMultipartUpload,
        info: PlaintextInfo,
    ) -> Result<(InitiateMultipartUploadOutput, EncryptedUpload), Error> {
        let (init, envelope) = self.keys.initiate(op, &info, &mut os_rng())?;
        let output = self.client.create_multipart_upload(&init)?;
        let upload = EncryptedUpload::new(op.key().to_owned(), output.upload_id.clone(), envelope);
        Ok((output, upload))
    }

    /// Takes up an encrypted multipart upload again from the headers of
    /// [`EncryptedUpload::envelope_headers`] (e.g. kept in a checkpoint). `part_size` is
    /// needed for Python-compatible envelopes, which do not record it.
    pub fn resume_upload(
        &self,
        key: &str,
        upload_id: &str,
        envelope_headers: &HeaderMap,
        part_size: u64,
    ) -> Result<EncryptedUpload, Error> {
        let rng = &mut os_rng();
        self.keys
            .resume_upload(key, upload_id, envelope_headers, part_size, rng)
    }

    /// Encrypts `body` at the part's offset (`(part_number - 1) × part_size`) while
    /// uploading it. The part must not be longer than the part size.
    pub fn upload_part(
        &self,
        upload: &EncryptedUpload,
        op: &UploadPart,
        body: impl Into<UploadBody>,
    ) -> Result<UploadPartOutput, Error> {
        let body = Encryption::part_body(upload, op, body.into())?;
        self.client.upload_part(op, body)
    }

    /// Encrypts the file at `path` while uploading it as `put` describes: the same resumable,
    /// parallel transfer as [`Client::upload_file`] (one PUT below the multipart threshold, else
    /// parts of `options.part_size`, which must be a multiple of 16), each part encrypted at its
    /// offset with one envelope. The checkpoint (`.cos-transfer/<name>.resume` beside the file)
    /// records the envelope's headers — wrapped key material only — so a run after a crash resumes
    /// with the same key and IV; it needs the same master key (with another one, or from a plain
    /// checkpoint, the upload starts over). The CRC64s checked are those of the ciphertext COS
    /// stores.
    ///
    /// ```no_run
    /// # fn demo(secure: cos_blocking::EncryptionClient) -> Result<(), cos_transfer::TransferError> {
    /// use cos_proto::ops::PutObject;
    /// use cos_transfer::TransferOptions;
    /// secure.upload_file(&PutObject::new("db.tar", None), "db.tar", TransferOptions::default())?;
    /// # Ok(()) }
    /// ```
    pub fn upload_file(
        &self,
        put: &PutObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
    ) -> Result<UploadOutput, TransferError> {
        self.upload_file_with_progress(put, path, options, |_| {})
    }

    /// [`EncryptionClient::upload_file`], calling `on_event` with every progress event.
    pub fn upload_file_with_progress(
        &self,
        put: &PutObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
        on_event: impl FnMut(TransferEvent),
    ) -> Result<UploadOutput, TransferError> {
        let client = self.client.driver();
        let (master, format) = (self.keys.master().as_ref(), self.keys.format());
        let path = path.as_ref();
        let rng = &mut os_rng();
        let upload = drive::upload_file_encrypted(
            &client, put, path, options, master, format, rng, on_event,
        );
        pollster::block_on(upload)
    }

    /// Downloads and decrypts what `get` names to `path`: the same resumable, parallel,
    /// ranged transfer as [`Client::download_file`] (HEAD-pinned, CRC64 of the
    /// ciphertext checked against COS's, atomic rename), each range decrypted at its
    /// offset before it is written. The envelope is opened from the HEAD, so a plain
    /// object or a wrong master key fails before any byte is fetched. A temp file left
    /// by a plain download of the same object is not reused.
    pub fn download_file(
        &self,
        get: &GetObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
    ) -> Result<DownloadOutput, TransferError> {
        self.download_file_with_progress(get, path, options, |_| {})
    }

    /// [`EncryptionClient::download_file`], calling `on_event` with every progress event.
    pub fn download_file_with_progress(
        &self,
        get: &GetObject,
        path: impl AsRef<Path>,
        options: TransferOptions,
        on_event: impl FnMut(TransferEvent),
    ) -> Result<DownloadOutput, TransferError> {
        let target = Arc::new(FileTarget::new(path.as_ref()));
        let (client, master) = (self.client.driver(), self.keys.master().clone());
        let download = drive::download_decrypted(
            &client,
            get,
            target,
            options,
            master,
            boxed_os_rng,
            on_event,
        );
        pollster::block_on(download)
    }

    /// Completes the upload (the envelope was stored by the initiation).
    pub fn complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Result<CompleteMultipartUploadOutput, Error> {
        self.client.complete_multipart_upload(op)
    }
}

/// The decrypted data of a download (`std::io::Read`). At the end it checks the
/// recorded length and MD5 of whole objects: a mismatch is an error, never a silent
/// wrong read.
#[derive(Debug)]
pub struct DecryptedBody {
    body: ObjectBody,
    plaintext: Option<PlaintextBody>,
}

impl DecryptedBody {
    /// The number of plaintext bytes the body yields, when known.
    pub fn plaintext_len(&self) -> Option<u64> {
        self.plaintext
            .as_ref()
            .and_then(PlaintextBody::plaintext_len)
    }

    /// The next decrypted chunk (never empty); `None` at the verified end.
    pub fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        let mut chunk = BytesMut::zeroed(CHUNK);
        match self.read_inner(&mut chunk) {
            Ok(0) => None,
            Ok(n) => {
                chunk.truncate(n);
                Some(Ok(chunk.freeze()))
            }
            Err(err) => Some(Err(err)),
        }
    }

    /// Reads the whole decrypted body into memory (for small objects).
    pub fn bytes(mut self) -> Result<Bytes, Error> {
        let mut all = Vec::new();
        while let Some(chunk) = self.next_chunk() {
            all.extend_from_slice(&chunk?);
        }
        Ok(Bytes::from(all))
    }

    fn read_inner(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        loop {
            let Some(plaintext) = self.plaintext.as_mut() else {
                return Ok(0);
            };
            if buf.is_empty() {
                return Ok(0);
            }
            let n = self.body.read_inner(buf)?;
            if n == 0 {
                let finished = self.plaintext.take().map(PlaintextBody::finish);
                finished.transpose().map_err(drive::crypto)?;
                return Ok(0);
            }
            let keep = match plaintext.update(&mut buf[..n]) {
                Ok(keep) => keep,
                Err(err) => {
                    self.plaintext = None;
                    return Err(drive::crypto(err));
                }
            };
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
        ChunkSource::check_complete(&self.body)
    }
}
