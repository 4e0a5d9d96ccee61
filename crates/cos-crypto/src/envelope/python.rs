//! The official Python SDK's envelope: exactly two headers, `-key` and `-iv`, each the
//! Base64 of a *wrapped* value (`cos-python-sdk.md` §6.1), and nothing else.

use rand_core::CryptoRng;

use super::{Format, Parts, PlaintextInfo, present_headers, read_lengths};
use crate::cipher::{ContentKey, Iv};
use crate::error::CryptoError;
use crate::headers::{self, EnvelopeHeaderMap, encode_b64, pair};
use crate::master_key::MasterKey;

pub(super) fn seal(
    master: &dyn MasterKey,
    key: ContentKey,
    iv: Iv,
    info: &PlaintextInfo,
    rng: &mut dyn CryptoRng,
) -> Result<Parts, CryptoError> {
    let wrapped = master.wrap_python(&key, &iv, rng)?;
    let headers = vec![
        pair(headers::KEY, &encode_b64(&wrapped.key))?,
        pair(headers::IV, &encode_b64(&wrapped.iv))?,
    ];
    Ok(Parts {
        format: Format::PythonCompatible,
        key,
        iv,
        headers,
        wrap_algorithm: None,
        matdesc: None,
        // Nothing else is recorded, so nothing else can be checked by readers.
        plaintext_length: None,
        plaintext_md5: None,
        plaintext_crc64: None,
        part_size: info.part_size,
    })
}

pub(super) fn open(
    map: &EnvelopeHeaderMap<'_>,
    master: &dyn MasterKey,
    rng: &mut dyn CryptoRng,
) -> Result<Parts, CryptoError> {
    let wrapped_key = map.base64(headers::KEY)?;
    let wrapped_iv = map.base64(headers::IV)?;
    // The Python SDK writes no lengths, but if some are present they are checked.
    let lengths = read_lengths(map)?;
    let (key, iv) = master.unwrap_python(&wrapped_key, &wrapped_iv, rng)?;
    Ok(Parts {
        format: Format::PythonCompatible,
        key,
        iv,
        headers: present_headers(map),
        wrap_algorithm: None,
        matdesc: None,
        plaintext_length: lengths.plaintext_length,
        plaintext_md5: lengths.plaintext_md5,
        plaintext_crc64: lengths.plaintext_crc64,
        part_size: lengths.part_size,
    })
}
