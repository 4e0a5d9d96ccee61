//! The v2 envelope: the Go/Java header family (`cos-go-java-and-api.md` §1.6, §2.2).
//!
//! Written, in this order: `-key` (Base64 of the wrapped content key), `-start` (Base64
//! of the IV, or of the wrapped IV when the master key wraps IVs), `-cek-alg`
//! (`AES/CTR/NoPadding`), `-wrap-alg`, `-matdesc`, then what is known of the plaintext:
//! `-unencrypted-content-length` (single PUT) or `-data-size` and `-part-size`
//! (multipart), `-unencrypted-content-md5`, and `-unencrypted-content-crc64` (cos-rs's
//! integrity value, checked by whole-object reads; other SDKs ignore it).

use rand_core::CryptoRng;

use super::{Format, Parts, PlaintextInfo, present_headers, read_lengths};
use crate::cipher::{ContentKey, Iv};
use crate::error::CryptoError;
use crate::headers::{self, EnvelopeHeaderMap, encode_b64, pair};
use crate::master_key::{MasterKey, UnwrapRequest, WrapItem, check_matdesc, same_algorithm};

/// The content cipher recorded in v2 envelopes (`-cek-alg`), the only one accepted:
/// AES-256 in CTR mode (the Go SDK's and Java's
/// `AesCtrEncryption` value).
pub const CEK_ALGORITHM: &str = "AES/CTR/NoPadding";

pub(super) fn seal(
    master: &dyn MasterKey,
    key: ContentKey,
    iv: Iv,
    info: &PlaintextInfo,
    rng: &mut dyn CryptoRng,
) -> Result<Parts, CryptoError> {
    let wrap_algorithm = master.wrap_algorithm().to_owned();
    let matdesc = master.matdesc().to_owned();
    check_matdesc(&matdesc)?;
    let wrapped_key = master.wrap(WrapItem::ContentKey, key.expose_secret(), rng)?;
    let start = if master.wraps_iv() {
        master.wrap(WrapItem::Iv, iv.as_bytes(), rng)?
    } else {
        iv.as_bytes().to_vec()
    };
    let mut headers = vec![
        pair(headers::KEY, &encode_b64(&wrapped_key))?,
        pair(headers::START, &encode_b64(&start))?,
        pair(headers::CEK_ALG, CEK_ALGORITHM)?,
        pair(headers::WRAP_ALG, &wrap_algorithm)?,
        pair(headers::MATDESC, &matdesc)?,
    ];
    match (info.part_size, info.length) {
        (None, Some(length)) => {
            headers.push(pair(
                headers::UNENCRYPTED_CONTENT_LENGTH,
                &length.to_string(),
            )?);
        }
        (Some(_), Some(length)) => headers.push(pair(headers::DATA_SIZE, &length.to_string())?),
        (_, None) => {}
    }
    if let Some(md5) = info.md5 {
        headers.push(pair(headers::UNENCRYPTED_CONTENT_MD5, &encode_b64(&md5))?);
    }
    if let Some(crc64) = info.crc64 {
        headers.push(pair(
            headers::UNENCRYPTED_CONTENT_CRC64,
            &crc64.to_string(),
        )?);
    }
    if let Some(part_size) = info.part_size {
        headers.push(pair(headers::PART_SIZE, &part_size.to_string())?);
    }
    Ok(Parts {
        format: Format::V2,
        key,
        iv,
        headers,
        wrap_algorithm: Some(wrap_algorithm),
        matdesc: Some(matdesc),
        plaintext_length: info.length,
        plaintext_md5: info.md5,
        plaintext_crc64: info.crc64,
        part_size: info.part_size,
    })
}

pub(super) fn open(
    map: &EnvelopeHeaderMap<'_>,
    master: &dyn MasterKey,
    rng: &mut dyn CryptoRng,
) -> Result<Parts, CryptoError> {
    // Algorithms first: an unknown one is refused before any key material is touched.
    let cek_algorithm = map.required(headers::CEK_ALG)?;
    if !same_algorithm(cek_algorithm, CEK_ALGORITHM) || map.has(headers::TAG_LEN) {
        return Err(CryptoError::UnsupportedContentAlgorithm(
            cek_algorithm.to_owned(),
        ));
    }
    let wrap_algorithm = map.required(headers::WRAP_ALG)?;
    if wrap_algorithm.is_empty() {
        return Err(CryptoError::MalformedHeader {
            name: headers::WRAP_ALG,
            reason: "empty".into(),
        });
    }
    let matdesc = map.required(headers::MATDESC)?;
    let wrapped_key = map.base64(headers::KEY)?;
    let start = map.base64(headers::START)?;
    let lengths = read_lengths(map)?;

    let iv = if master.wraps_iv() {
        let plain = master.unwrap(
            &UnwrapRequest {
                item: WrapItem::Iv,
                wrap_algorithm,
                matdesc,
                wrapped: &start,
            },
            rng,
        )?;
        Iv::from_slice(&plain)?
    } else {
        Iv::from_slice(&start)?
    };
    let key = master.unwrap(
        &UnwrapRequest {
            item: WrapItem::ContentKey,
            wrap_algorithm,
            matdesc,
            wrapped: &wrapped_key,
        },
        rng,
    )?;
    let key = ContentKey::from_slice(&key)?;
    Ok(Parts {
        format: Format::V2,
        key,
        iv,
        headers: present_headers(map),
        wrap_algorithm: Some(wrap_algorithm.to_owned()),
        matdesc: Some(matdesc.to_owned()),
        plaintext_length: lengths.plaintext_length,
        plaintext_md5: lengths.plaintext_md5,
        plaintext_crc64: lengths.plaintext_crc64,
        part_size: lengths.part_size,
    })
}
