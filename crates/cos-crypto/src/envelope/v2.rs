//! The v2 envelope: the Go/Java header family (`cos-go-java-and-api.md` §1.6, §2.2), in
//! its two dialects ([`Format::V2`] and [`Format::GoCompatible`]).
//!
//! Written, in this order: `-key` (Base64 of the wrapped content key), `-start` (Base64
//! of the IV in the clear, or of the IV wrapped by the master key: always in the Go
//! dialect, and in v2 when the master key wraps IVs), `-cek-alg` (`AES/CTR/NoPadding`),
//! `-wrap-alg`, `-matdesc` (the Go dialect leaves out an empty one, as the Go SDK does),
//! then what is known of the plaintext: `-unencrypted-content-length` (single PUT) or
//! `-data-size` and `-part-size` (multipart), `-unencrypted-content-md5`, and
//! `-unencrypted-content-crc64` (cos-rs's integrity value, checked by whole-object reads;
//! other SDKs ignore it).
//!
//! Read: a missing (or empty) `-matdesc` is an empty description; a `-start` of 16 bytes
//! is a clear IV unless the master key always wraps IVs; any other length is a wrapped IV,
//! unwrapped by the master key (24 bytes for `AESWrap`, the modulus size for RSA).

use rand_core::CryptoRng;

use super::{Format, Parts, PlaintextInfo, present_headers, read_lengths};
use crate::cipher::{ContentKey, IV_LEN, Iv};
use crate::error::CryptoError;
use crate::headers::{self, EnvelopeHeaderMap, encode_b64, pair};
use crate::master_key::{MasterKey, UnwrapRequest, WrapItem, check_matdesc, same_algorithm};
use crate::matdesc;

/// The content cipher recorded in v2 envelopes (`-cek-alg`), the only one accepted:
/// AES-256 in CTR mode (the Go SDK's and Java's
/// `AesCtrEncryption` value).
pub const CEK_ALGORITHM: &str = "AES/CTR/NoPadding";

/// The empty description, which the Go dialect does not write.
const EMPTY_MATDESC: &str = "{}";

/// An IV as the Go SDK draws it: 8 random bytes, then a big-endian 64-bit counter seeded
/// with a random `u32`, so that the Go SDK's ranged reads (which add the block offset to
/// the low 64 bits without carrying) never overflow.
pub(super) fn go_iv(rng: &mut dyn CryptoRng) -> Iv {
    let mut bytes = [0u8; IV_LEN];
    rng.fill_bytes(&mut bytes[..8]);
    rng.fill_bytes(&mut bytes[12..]);
    Iv::from_bytes(bytes)
}

/// Seals in `format`, [`Format::V2`] or [`Format::GoCompatible`].
pub(super) fn seal(
    format: Format,
    master: &dyn MasterKey,
    key: ContentKey,
    iv: Iv,
    info: &PlaintextInfo,
    rng: &mut dyn CryptoRng,
) -> Result<Parts, CryptoError> {
    let go = format == Format::GoCompatible;
    let wrap_algorithm = master.wrap_algorithm().to_owned();
    let matdesc = if go {
        matdesc::canonical(master.matdesc())?
    } else {
        master.matdesc().to_owned()
    };
    check_matdesc(&matdesc)?;
    let wrapped_key = master.wrap(WrapItem::ContentKey, key.expose_secret(), rng)?;
    let start = if go || master.wraps_iv() {
        master.wrap(WrapItem::Iv, iv.as_bytes(), rng)?
    } else {
        iv.as_bytes().to_vec()
    };
    let mut headers = vec![
        pair(headers::KEY, &encode_b64(&wrapped_key))?,
        pair(headers::START, &encode_b64(&start))?,
        pair(headers::CEK_ALG, CEK_ALGORITHM)?,
        pair(headers::WRAP_ALG, &wrap_algorithm)?,
    ];
    let written_matdesc = !(go && matdesc == EMPTY_MATDESC);
    if written_matdesc {
        headers.push(pair(headers::MATDESC, &matdesc)?);
    }
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
        format,
        key,
        iv,
        headers,
        wrap_algorithm: Some(wrap_algorithm),
        matdesc: written_matdesc.then_some(matdesc),
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
    // The Go SDK writes no -matdesc for an empty description.
    let matdesc = map.text(headers::MATDESC)?.filter(|text| !text.is_empty());
    if let Some(text) = matdesc {
        matdesc::check_stored(text).map_err(|reason| CryptoError::MalformedHeader {
            name: headers::MATDESC,
            reason,
        })?;
    }
    let wrapped_key = map.base64(headers::KEY)?;
    let start = map.base64(headers::START)?;
    let lengths = read_lengths(map)?;

    // A clear IV is 16 bytes; a wrapped one is longer (24 for AESWrap, the modulus size
    // for RSA), so the two cannot be confused. Shorter is neither.
    if start.len() < IV_LEN && !master.wraps_iv() {
        return Err(CryptoError::InvalidLength {
            what: "IV",
            expected: IV_LEN,
            actual: start.len(),
        });
    }
    let iv_wrapped = master.wraps_iv() || start.len() != IV_LEN;
    let iv = if iv_wrapped {
        let plain = master.unwrap(
            &UnwrapRequest {
                item: WrapItem::Iv,
                wrap_algorithm,
                matdesc: matdesc.unwrap_or(""),
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
            matdesc: matdesc.unwrap_or(""),
            wrapped: &wrapped_key,
        },
        rng,
    )?;
    let key = ContentKey::from_slice(&key)?;
    // A wrapped IV is the Go dialect's mark, unless this master key wraps every IV.
    let format = if iv_wrapped && !master.wraps_iv() {
        Format::GoCompatible
    } else {
        Format::V2
    };
    Ok(Parts {
        format,
        key,
        iv,
        headers: present_headers(map),
        wrap_algorithm: Some(wrap_algorithm.to_owned()),
        matdesc: matdesc.map(str::to_owned),
        plaintext_length: lengths.plaintext_length,
        plaintext_md5: lengths.plaintext_md5,
        plaintext_crc64: lengths.plaintext_crc64,
        part_size: lengths.part_size,
    })
}
