//! KMS (`kms`, API `2019-01-18`): `GenerateDataKey`, `Encrypt` and `Decrypt` under master
//! keys the emulator makes up.
//!
//! A `CiphertextBlob` is opaque and authenticated, but it is not KMS's format and not
//! meant to protect anything: Base64 of `01 | len(KeyId) | KeyId | 16-byte nonce |
//! ciphertext | 32-byte tag`, the ciphertext an HMAC-SHA256 keystream (counter mode) and
//! the tag an HMAC-SHA256 over the rest and the encryption context, both keyed by secrets
//! derived from the emulator's master secret and the KeyId. A blob altered in any byte, or
//! decrypted with another `EncryptionContext`, is `InvalidParameterValue.InvalidCiphertext`.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{ApiError, Call, Fields};

/// The service name.
pub(crate) const SERVICE: &str = "kms";
/// The API version.
pub(crate) const VERSION: &str = "2019-01-18";

const BLOB_VERSION: u8 = 1;
const NONCE: usize = 16;
const TAG: usize = 32;
/// `Encrypt` takes at most this much plaintext, as KMS.
const MAX_PLAINTEXT: usize = 4096;
/// The longest `KeyId` accepted.
const MAX_KEY_ID: usize = 128;
/// The longest `EncryptionContext` accepted, as KMS.
const MAX_CONTEXT: usize = 1024;

/// The master secret of an emulator accepting `credentials`: derived from the first
/// one's secret key, so an emulator restarted with the same configuration (and data
/// directory) still opens the blobs it made.
pub(crate) fn master_secret(credentials: &[cos_proto::Credentials]) -> [u8; 32] {
    let key = credentials.first().map_or("", |c| c.secret_key());
    hmac(b"cos-emulator kms master", &[key.as_bytes()])
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The two secrets of master key `key_id`.
struct MasterKey {
    encryption: [u8; 32],
    authentication: [u8; 32],
}

impl MasterKey {
    fn new(master: &[u8; 32], key_id: &str) -> Self {
        Self {
            encryption: hmac(master, &[b"encrypt\0", key_id.as_bytes()]),
            authentication: hmac(master, &[b"authenticate\0", key_id.as_bytes()]),
        }
    }

    /// XORs `data` with the keystream of `nonce`.
    fn apply_keystream(&self, nonce: &[u8], data: &mut [u8]) {
        for (block, chunk) in data.chunks_mut(32).enumerate() {
            let stream = hmac(&self.encryption, &[nonce, &(block as u64).to_le_bytes()]);
            for (byte, key) in chunk.iter_mut().zip(stream) {
                *byte ^= key;
            }
        }
    }

    fn tag(&self, sealed: &[u8], context: &str) -> [u8; 32] {
        let len = (context.len() as u64).to_le_bytes();
        hmac(&self.authentication, &[&len, context.as_bytes(), sealed])
    }
}

/// Seals `plaintext` under `key_id` with `context` bound.
fn seal(call: &Call<'_>, key_id: &str, plaintext: &[u8], context: &str) -> String {
    let master = MasterKey::new(&call.app.cloud.kms_master, key_id);
    let nonce = call.app.cloud.generator.bytes(NONCE);
    let mut blob = vec![BLOB_VERSION, key_id.len() as u8];
    blob.extend_from_slice(key_id.as_bytes());
    blob.extend_from_slice(&nonce);
    let start = blob.len();
    blob.extend_from_slice(plaintext);
    master.apply_keystream(&nonce, &mut blob[start..]);
    let tag = master.tag(&blob, context);
    blob.extend_from_slice(&tag);
    STANDARD.encode(blob)
}

fn invalid_ciphertext() -> ApiError {
    ApiError::new(
        "InvalidParameterValue.InvalidCiphertext",
        "The CiphertextBlob is not valid, or was made with another EncryptionContext.",
    )
}

/// Opens a blob: the key id and the plaintext.
fn open(call: &Call<'_>, blob: &str, context: &str) -> Result<(String, Vec<u8>), ApiError> {
    let blob = STANDARD
        .decode(blob.trim())
        .map_err(|_| invalid_ciphertext())?;
    let (&version, rest) = blob.split_first().ok_or_else(invalid_ciphertext)?;
    let (&id_len, rest) = rest.split_first().ok_or_else(invalid_ciphertext)?;
    let id_len = usize::from(id_len);
    if version != BLOB_VERSION || rest.len() < id_len + NONCE + TAG {
        return Err(invalid_ciphertext());
    }
    let key_id = std::str::from_utf8(&rest[..id_len]).map_err(|_| invalid_ciphertext())?;
    existing_key(call, key_id)?;
    let master = MasterKey::new(&call.app.cloud.kms_master, key_id);
    let (sealed, tag) = blob.split_at(blob.len() - TAG);
    let expected = master.tag(sealed, context);
    if expected
        .iter()
        .zip(tag)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        != 0
    {
        return Err(invalid_ciphertext());
    }
    let nonce_start = 2 + id_len;
    let nonce = &sealed[nonce_start..nonce_start + NONCE];
    let mut plaintext = sealed[nonce_start + NONCE..].to_vec();
    master.apply_keystream(nonce, &mut plaintext);
    Ok((key_id.to_owned(), plaintext))
}

/// Fails with `ResourceUnavailable.CmkNotFound` unless `key_id` exists: every id does
/// when no keys are configured, else the configured ones.
fn existing_key(call: &Call<'_>, key_id: &str) -> Result<(), ApiError> {
    let keys = &call.app.cloud.settings.kms_keys;
    if key_id.is_empty() || key_id.len() > MAX_KEY_ID {
        return Err(ApiError::invalid_value(format!(
            "KeyId must be 1 to {MAX_KEY_ID} bytes."
        )));
    }
    if keys.is_empty() || keys.iter().any(|k| k == key_id) {
        Ok(())
    } else {
        Err(ApiError::new(
            "ResourceUnavailable.CmkNotFound",
            format!("cmk not found: {key_id}"),
        ))
    }
}

/// `EncryptionContext`, canonical (the JSON object's members sorted), `""` when absent.
fn context(call: &Call<'_>) -> Result<String, ApiError> {
    let Some(text) = call
        .params
        .string("EncryptionContext")?
        .filter(|t| !t.is_empty())
    else {
        return Ok(String::new());
    };
    let bad = || {
        ApiError::invalid_value(format!(
            "EncryptionContext must be a JSON object of strings of at most {MAX_CONTEXT} characters."
        ))
    };
    if text.len() > MAX_CONTEXT {
        return Err(bad());
    }
    let members: BTreeMap<String, String> = serde_json::from_str(text).map_err(|_| bad())?;
    Ok(Value::from(
        members
            .into_iter()
            .map(|(k, v)| (k, Value::from(v)))
            .collect::<serde_json::Map<_, _>>(),
    )
    .to_string())
}

/// `GenerateDataKey`: `KeyId`, `KeySpec` (`AES_256`, `AES_128`) or `NumberOfBytes`
/// (1..=1024), optional `EncryptionContext`.
pub(crate) fn generate_data_key(call: &Call<'_>) -> Result<Fields, ApiError> {
    let key_id = call.params.required("KeyId")?;
    existing_key(call, key_id)?;
    let len = match (
        call.params.string("KeySpec")?,
        call.params.integer("NumberOfBytes")?,
    ) {
        (Some("AES_256"), _) => 32,
        (Some("AES_128"), _) => 16,
        (Some(other), _) => {
            return Err(ApiError::invalid_value(format!(
                "KeySpec invalid: {other:.32} (AES_256 or AES_128)"
            )));
        }
        (None, Some(n @ 1..=1024)) => n as usize,
        (None, Some(n)) => {
            return Err(ApiError::invalid_value(format!(
                "NumberOfBytes must be between 1 and 1024, got {n}."
            )));
        }
        (None, None) => {
            return Err(ApiError::new(
                "MissingParameter",
                "KeySpec or NumberOfBytes is required.",
            ));
        }
    };
    let context = context(call)?;
    let data_key = call.app.cloud.generator.bytes(len);
    let blob = seal(call, key_id, &data_key, &context);
    Ok(vec![
        ("KeyId", Value::from(key_id)),
        ("Plaintext", Value::from(STANDARD.encode(&data_key))),
        ("CiphertextBlob", Value::from(blob)),
    ])
}

/// `Encrypt`: `KeyId`, `Plaintext` (Base64 of at most 4 KiB), optional
/// `EncryptionContext`.
pub(crate) fn encrypt(call: &Call<'_>) -> Result<Fields, ApiError> {
    let key_id = call.params.required("KeyId")?;
    existing_key(call, key_id)?;
    let bad_plaintext = |why: &str| {
        ApiError::new(
            "InvalidParameterValue.InvalidPlaintext",
            format!("Plaintext {why}"),
        )
    };
    let plaintext = call
        .params
        .string("Plaintext")?
        .ok_or_else(|| ApiError::new("MissingParameter", "Plaintext is required."))?;
    let plaintext = STANDARD
        .decode(plaintext)
        .map_err(|_| bad_plaintext("is not base64"))?;
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(bad_plaintext("is longer than 4096 bytes"));
    }
    let context = context(call)?;
    Ok(vec![
        (
            "CiphertextBlob",
            Value::from(seal(call, key_id, &plaintext, &context)),
        ),
        ("KeyId", Value::from(key_id)),
    ])
}

/// `Decrypt`: `CiphertextBlob`, the `EncryptionContext` it was made with.
pub(crate) fn decrypt(call: &Call<'_>) -> Result<Fields, ApiError> {
    let blob = call.params.required("CiphertextBlob")?;
    let context = context(call)?;
    let (key_id, plaintext) = open(call, blob, &context)?;
    Ok(vec![
        ("KeyId", Value::from(key_id)),
        ("Plaintext", Value::from(STANDARD.encode(plaintext))),
    ])
}
