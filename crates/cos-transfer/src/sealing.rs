//! How a transfer's bytes are stored: as they are, or encrypted client-side (feature
//! `crypto`, see [`crate::encrypted`]). The drivers hold a [`Sealing`] for each transfer
//! and ask it what to do with every body they send and every range they receive; a
//! download learns its sealing from the object's HEAD through an [`Opener`].

use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::ObjectInfo;

/// The cipher of a transfer's bodies, if any.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Sealing {
    /// Bytes are stored as they are.
    #[default]
    Plain,
    /// Bytes are stored encrypted with this envelope.
    #[cfg(feature = "crypto")]
    Encrypted(std::sync::Arc<cos_crypto::Envelope>),
}

impl std::fmt::Debug for Sealing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sealing::Plain => "Sealing::Plain",
            #[cfg(feature = "crypto")]
            Sealing::Encrypted(_) => "Sealing::Encrypted",
        })
    }
}

impl Sealing {
    /// How to send the file bytes at `offset` (those of `part`, for a part): `None` as
    /// they are, or encrypted with this cipher positioned at this object offset (checked
    /// against the envelope's part layout).
    #[cfg(feature = "crypto")]
    pub fn cipher_for(
        &self,
        part: Option<&cos_proto::ops::UploadPart>,
        offset: u64,
    ) -> Result<Option<(cos_crypto::CtrCipher, u64)>, ClientError> {
        match self {
            Sealing::Plain => Ok(None),
            Sealing::Encrypted(envelope) => {
                let at = match part {
                    Some(op) => crate::encrypted::part_offset(envelope, op, offset)?,
                    None => 0,
                };
                Ok(Some((envelope.cipher().clone(), at)))
            }
        }
    }

    /// Turns `data`, the stored bytes at `offset` of the object, into the bytes to
    /// write, in place.
    pub fn open(&self, offset: u64, data: &mut [u8]) -> Result<(), ClientError> {
        match self {
            Sealing::Plain => {
                let _ = (offset, data);
                Ok(())
            }
            #[cfg(feature = "crypto")]
            Sealing::Encrypted(envelope) => crate::encrypted::decrypt_range(envelope, offset, data),
        }
    }
}

/// How a download learns its [`Sealing`] from the object's HEAD.
#[non_exhaustive]
pub enum Opener {
    /// The bytes are written as stored.
    Plain,
    /// The object's envelope is opened with this master key; `rng` gives the
    /// randomness an unwrap may need (RSA blinding).
    #[cfg(feature = "crypto")]
    Decrypt {
        /// The master key.
        master: std::sync::Arc<dyn cos_crypto::MasterKey + Send + Sync>,
        /// A source of cryptographic randomness.
        rng: fn() -> Box<dyn rand_core::CryptoRng>,
    },
}

impl std::fmt::Debug for Opener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Opener::Plain => "Opener::Plain",
            #[cfg(feature = "crypto")]
            Opener::Decrypt { .. } => "Opener::Decrypt",
        })
    }
}

impl Opener {
    /// The sealing of the object `info` describes: fails for a plain object when
    /// decrypting, with a wrong master key, or when the stored length is not the
    /// recorded one.
    pub fn open(&self, info: &ObjectInfo) -> Result<Sealing, ClientError> {
        match self {
            Opener::Plain => {
                let _ = info;
                Ok(Sealing::Plain)
            }
            #[cfg(feature = "crypto")]
            Opener::Decrypt { master, rng } => {
                let envelope = crate::encrypted::open_download(info, master.as_ref(), &mut *rng())?;
                Ok(Sealing::Encrypted(std::sync::Arc::new(envelope)))
            }
        }
    }
}
