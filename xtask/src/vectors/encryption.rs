//! `encryption.json`: the Python SDK's client-side encryption, replayed through
//! `cos-crypto`.
//!
//! With the vector's master key and its random stream (`rng_seed`), sealing in the
//! Python-compatible format must give the same data key, IV and header values, byte for
//! byte, and encrypting must give the same body; opening the recorded headers must give
//! the data key and IV back. PKCS#1 v1.5 wraps (which `cos-crypto` reads but never
//! writes) are replayed with the `rsa` crate and pycryptodome's padding draw. Parts are
//! checked at the keystream offset the SDK used and against the absolute-offset rule;
//! ranged GETs against the SDK's block-aligned request and against a same-range request.

use base64::Engine as _;
use cos_crypto::range::block_aligned;
use cos_crypto::{
    AesMasterKey, CryptoError, Envelope, Format, MasterKey, PlaintextInfo, RsaMasterKey,
};
use cos_proto::ops::ByteRange;
use http::{HeaderMap, HeaderName, HeaderValue};
use rsa::pkcs8::DecodePublicKey as _;
use serde_json::Value;

use super::python_rng::SplitMixStream;
use super::value::{b64, object_pairs, pairs, str_at, u64_at};
use super::{Mismatches, Verdict};

pub(super) fn check(_meta: &Value, case: &Value) -> Verdict {
    match check_inner(case) {
        Ok(m) => m.verdict(),
        Err(e) => Verdict::Fail(e),
    }
}

fn check_inner(case: &Value) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    match str_at(case, "kind")? {
        "put_object" => put_object(case, &mut m)?,
        "multipart_upload" => multipart_upload(case, &mut m)?,
        "get_object" => get_object(case, &mut m)?,
        other => m.push(format!("unknown kind {other}")),
    }
    Ok(m)
}

/// The master keys of a case: one to seal with, and every form that must open.
struct Keys {
    kind: String,
    seal: Box<dyn MasterKey>,
    open: Vec<(&'static str, Box<dyn MasterKey>)>,
    rsa_public_pem: Option<String>,
}

fn keys(case: &Value) -> Result<Keys, String> {
    let kind = str_at(case, "provider_kind")?.to_owned();
    let master = case.get("master_key").ok_or("missing master_key")?;
    let fail = |what: &str, e: CryptoError| format!("{what}: {e}");
    match kind.as_str() {
        "aes256" | "aes128" => {
            let text = str_at(master, "aes_key_base64")?;
            let key = AesMasterKey::from_base64(text).map_err(|e| fail("aes key", e))?;
            let bits = if kind == "aes256" { 256 } else { 128 };
            if key.bits() != bits {
                return Err(format!("{kind} key has {} bits", key.bits()));
            }
            let again = AesMasterKey::from_base64(text).map_err(|e| fail("aes key", e))?;
            Ok(Keys {
                kind,
                seal: Box::new(key),
                open: vec![("aes", Box::new(again))],
                rsa_public_pem: None,
            })
        }
        "rsa-oaep" | "rsa-pkcs1v15" => {
            let public = str_at(master, "rsa_public_pem")?;
            let pkcs1 = str_at(master, "rsa_private_pem_pkcs1")?;
            let pkcs8 = str_at(master, "rsa_private_pem_pkcs8")?;
            let load = |what: &str, pem: &str| {
                RsaMasterKey::from_pem(pem)
                    .map(|k| Box::new(k) as Box<dyn MasterKey>)
                    .map_err(|e| fail(what, e))
            };
            Ok(Keys {
                kind,
                seal: load("public key", public)?,
                open: vec![
                    ("pkcs1 private key", load("pkcs1 private key", pkcs1)?),
                    ("pkcs8 private key", load("pkcs8 private key", pkcs8)?),
                ],
                rsa_public_pem: Some(public.to_owned()),
            })
        }
        other => Err(format!("unknown provider_kind {other}")),
    }
}

fn header_map(pairs: &[(String, String)]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("{name}: {e}"))?;
        let value = HeaderValue::from_str(value).map_err(|e| format!("{value}: {e}"))?;
        map.append(name, value);
    }
    Ok(map)
}

fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A case's data key and IV, and the envelope headers the SDK sent.
struct Sealed {
    data_key: Vec<u8>,
    data_iv: Vec<u8>,
    headers: Vec<(String, String)>,
}

/// Seals as the SDK did and compares the data key, IV, wrapped values and headers.
fn check_seal(
    case: &Value,
    keys: &Keys,
    info: PlaintextInfo,
    m: &mut Mismatches,
) -> Result<Sealed, String> {
    let data_key = b64(str_at(case, "data_key_base64")?)?;
    let data_iv = b64(str_at(case, "data_iv_base64")?)?;
    m.eq(
        "data_iv_counter_hex",
        str_at(case, "data_iv_counter_hex")?,
        hex(&data_iv).as_str(),
    );
    let expected_headers = object_pairs(case.get("encryption_headers"));
    let wrapped_key = str_at(case, "wrapped_key_base64")?;
    let wrapped_iv = str_at(case, "wrapped_iv_base64")?;
    m.eq(
        "encryption_headers",
        &vec![
            (cos_crypto::headers::KEY.to_owned(), wrapped_key.to_owned()),
            (cos_crypto::headers::IV.to_owned(), wrapped_iv.to_owned()),
        ],
        &expected_headers,
    );

    let seed = u64_at(case, "rng_seed")?;
    let mut rng = SplitMixStream::new(seed);
    if keys.kind.starts_with("rsa") {
        // Building the SDK's RSA provider drew from the stream before the data key (1 to
        // 2 KiB, unrecorded): find the data key and IV in the stream, and start there.
        // The RSA padding must then follow them exactly.
        let skipped = SplitMixStream::find(seed, &[&data_key[..], &data_iv[..]].concat(), 1 << 14)
            .ok_or("the data key and IV are not in the rng_seed stream")?;
        rng.skip(skipped);
    }
    if keys.kind == "rsa-pkcs1v15" {
        // cos-crypto never writes PKCS#1 v1.5; replay the SDK's wrap with the `rsa` crate.
        let mut drawn = [0u8; 48];
        rand_core::Rng::fill_bytes(&mut rng, &mut drawn);
        m.eq("data key (rng)", &data_key[..], &drawn[..32]);
        m.eq("data IV (rng)", &data_iv[..], &drawn[32..]);
        let pem = keys.rsa_public_pem.as_deref().ok_or("no public key")?;
        let public = rsa::RsaPublicKey::from_public_key_pem(pem).map_err(|e| e.to_string())?;
        rng.skip_zero_bytes();
        let mut wrap = |plain: &[u8]| {
            public
                .encrypt(&mut rng, rsa::Pkcs1v15Encrypt, plain)
                .map(|w| encode(&w))
                .map_err(|e| e.to_string())
        };
        m.eq(
            "wrapped key (PKCS#1 v1.5)",
            wrapped_key,
            wrap(&data_key)?.as_str(),
        );
        m.eq(
            "wrapped IV (PKCS#1 v1.5)",
            wrapped_iv,
            wrap(&data_iv)?.as_str(),
        );
    } else {
        let sealed = Envelope::seal(Format::PythonCompatible, &*keys.seal, &info, &mut rng)
            .map_err(|e| format!("seal: {e}"))?;
        m.eq(
            "data key",
            &data_key[..],
            &sealed.content_key().expose_secret()[..],
        );
        m.eq("data IV", &data_iv[..], &sealed.iv().as_bytes()[..]);
        let ours: Vec<(String, String)> = sealed
            .header_pairs()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        m.eq("sealed headers", &expected_headers, &ours);
    }
    Ok(Sealed {
        data_key,
        data_iv,
        headers: expected_headers,
    })
}

/// Opens the recorded headers with every form of the key; returns one opened envelope.
fn check_open(
    keys: &Keys,
    headers: &HeaderMap,
    data_key: &[u8],
    data_iv: &[u8],
    m: &mut Mismatches,
) -> Option<Envelope> {
    let mut opened = None;
    for (what, key) in &keys.open {
        let mut rng = SplitMixStream::new(0);
        match Envelope::open(headers, &**key, &mut rng) {
            Ok(envelope) => {
                m.eq(
                    &format!("opened data key ({what})"),
                    data_key,
                    &envelope.content_key().expose_secret()[..],
                );
                m.eq(
                    &format!("opened IV ({what})"),
                    data_iv,
                    &envelope.iv().as_bytes()[..],
                );
                if envelope.format() != Format::PythonCompatible {
                    m.push(format!("opened as {:?}", envelope.format()));
                }
                opened = Some(envelope);
            }
            Err(e) => m.push(format!("open with the {what}: {e}")),
        }
    }
    opened
}

/// The request carries the encryption headers (names compared case-insensitively).
fn check_request_headers(
    what: &str,
    request: &Value,
    expected: &[(String, String)],
    m: &mut Mismatches,
) {
    let sent = pairs(request.get("headers"));
    for (name, value) in expected {
        let found = sent
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        m.eq(
            &format!("{what} header {name}"),
            &Some(value.as_str()),
            &found,
        );
    }
}

fn put_object(case: &Value, m: &mut Mismatches) -> Result<(), String> {
    let keys = keys(case)?;
    let plaintext = b64(str_at(case, "plaintext_base64")?)?;
    m.eq(
        "plaintext_length",
        &u64_at(case, "plaintext_length")?,
        &(plaintext.len() as u64),
    );
    let info = PlaintextInfo::new().length(plaintext.len() as u64);
    let Sealed {
        data_key,
        data_iv,
        headers,
    } = check_seal(case, &keys, info, m)?;

    let expected = b64(str_at(case, "ciphertext_base64")?)?;
    let request = case.get("request").ok_or("missing request")?;
    m.eq(
        "request body",
        &expected,
        &b64(str_at(request, "body_base64")?)?,
    );
    check_request_headers("request", request, &headers, m);

    let map = header_map(&headers)?;
    if let Some(envelope) = check_open(&keys, &map, &data_key, &data_iv, m) {
        let mut ciphertext = plaintext.clone();
        envelope
            .apply_at(0, &mut ciphertext)
            .map_err(|e| e.to_string())?;
        m.eq("ciphertext", &expected, &ciphertext);
        let mut decrypted = expected.clone();
        let mut decryptor = envelope.decryptor().map_err(|e| e.to_string())?;
        decryptor
            .update(&mut decrypted)
            .map_err(|e| e.to_string())?;
        decryptor.finish().map_err(|e| e.to_string())?;
        m.eq("decrypted", &plaintext, &decrypted);
    }
    Ok(())
}

fn multipart_upload(case: &Value, m: &mut Mismatches) -> Result<(), String> {
    let keys = keys(case)?;
    let plaintext = b64(str_at(case, "plaintext_base64")?)?;
    let parts = case
        .get("parts")
        .and_then(Value::as_array)
        .ok_or("missing parts")?;
    let first = parts.first().ok_or("no parts")?;
    let part_size = b64(str_at(first, "plaintext_base64")?)?.len() as u64;
    let info = PlaintextInfo::new()
        .length(plaintext.len() as u64)
        .multipart(part_size);
    let Sealed {
        data_key,
        data_iv,
        headers,
    } = check_seal(case, &keys, info, m)?;
    let create = case.get("create_request").ok_or("missing create_request")?;
    check_request_headers("create request", create, &headers, m);

    let map = header_map(&headers)?;
    let Some(envelope) = check_open(&keys, &map, &data_key, &data_iv, m) else {
        return Ok(());
    };

    // Each part as the SDK encrypted it: at the keystream offset its CTR state had reached.
    let mut stored: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut keystream_by_number = Vec::new();
    for part in parts {
        let number = u64_at(part, "part_number")?;
        let offset = u64_at(part, "plaintext_offset")?;
        let keystream_offset = u64_at(part, "keystream_offset")?;
        let part_plain = b64(str_at(part, "plaintext_base64")?)?;
        let expected = b64(str_at(part, "ciphertext_base64")?)?;
        let what = format!("part {number}");
        let start = usize::try_from(offset).map_err(|_| "offset")?;
        m.eq(
            &format!("{what} plaintext"),
            &plaintext.get(start..start + part_plain.len()),
            &Some(&part_plain[..]),
        );
        let request = part.get("request").ok_or("missing part request")?;
        m.eq(
            &format!("{what} request body"),
            &expected,
            &b64(str_at(request, "body_base64")?)?,
        );
        let mut ours = part_plain.clone();
        envelope
            .apply_at(keystream_offset, &mut ours)
            .map_err(|e| e.to_string())?;
        m.eq(&format!("{what} ciphertext"), &expected, &ours);
        // cos-crypto's rule: a part is encrypted at its absolute offset.
        let number32 = u32::try_from(number).map_err(|_| "part number")?;
        m.eq(
            &format!("{what} offset"),
            &Ok(offset),
            &cos_crypto::multipart::part_offset(number32, part_size).map_err(|e| e.to_string()),
        );
        keystream_by_number.push((number, keystream_offset, part_plain.len() as u64));
        stored.push((number, expected));
    }

    // The SDK's keystream offsets follow the upload order (one shared CTR state).
    let order: Vec<u64> = case
        .get("upload_order")
        .and_then(Value::as_array)
        .ok_or("missing upload_order")?
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    let mut position = 0;
    for number in &order {
        let Some((_, keystream_offset, len)) =
            keystream_by_number.iter().find(|(n, _, _)| n == number)
        else {
            m.push(format!("upload_order names unknown part {number}"));
            continue;
        };
        m.eq(
            &format!("part {number} keystream offset"),
            &position,
            keystream_offset,
        );
        position += len;
    }

    // The stored object (parts by number) decrypts iff the SDK uploaded in order.
    stored.sort_by_key(|(number, _)| *number);
    let mut object: Vec<u8> = stored.into_iter().flat_map(|(_, bytes)| bytes).collect();
    envelope
        .apply_at(0, &mut object)
        .map_err(|e| e.to_string())?;
    let decrypts = case
        .get("stored_object_decrypts_to_plaintext")
        .and_then(Value::as_bool)
        .ok_or("missing stored_object_decrypts_to_plaintext")?;
    m.eq(
        "stored object decrypts to the plaintext",
        &decrypts,
        &(object == plaintext),
    );
    Ok(())
}

/// What a server sends for `range` of `object`: the first offset and the bytes.
fn serve(object: &[u8], range: ByteRange) -> Option<(u64, Vec<u8>)> {
    let len = object.len() as u64;
    let (first, last) = match range {
        ByteRange::Inclusive { first, last } => (first, last.min(len.checked_sub(1)?)),
        ByteRange::From(first) => (first, len.checked_sub(1)?),
        ByteRange::Suffix(n) => (len - n.min(len), len.checked_sub(1)?),
    };
    if first > last {
        return None;
    }
    let bytes = object.get(usize::try_from(first).ok()?..=usize::try_from(last).ok()?)?;
    Some((first, bytes.to_vec()))
}

fn decrypt_range(
    envelope: &Envelope,
    first: u64,
    mut body: Vec<u8>,
    discard: u64,
) -> Result<Vec<u8>, String> {
    let mut decryptor = envelope.range_decryptor(first).map_err(|e| e.to_string())?;
    decryptor.update(&mut body).map_err(|e| e.to_string())?;
    decryptor.finish().map_err(|e| e.to_string())?;
    Ok(body.split_off(usize::try_from(discard).map_err(|_| "discard")?))
}

fn get_object(case: &Value, m: &mut Mismatches) -> Result<(), String> {
    let keys = keys(case)?;
    let stored = case.get("stored_object").ok_or("missing stored_object")?;
    let ciphertext = b64(str_at(stored, "ciphertext_base64")?)?;
    m.eq(
        "stored length",
        &u64_at(stored, "length")?,
        &(ciphertext.len() as u64),
    );
    let headers = header_map(&object_pairs(stored.get("headers")))?;

    if case.get("error").is_some_and(|e| !e.is_null()) {
        // The SDK failed (an object without metadata); cos-crypto must refuse it too.
        for (what, key) in &keys.open {
            match Envelope::open(&headers, &**key, &mut SplitMixStream::new(0)) {
                Err(CryptoError::NotEncrypted) => {}
                other => m.push(format!(
                    "{what}: expected NotEncrypted, got {:?}",
                    other.map(|e| e.format())
                )),
            }
        }
        m.eq(
            "returned plaintext",
            &Value::Null,
            case.get("returned_plaintext_base64")
                .unwrap_or(&Value::Null),
        );
        return Ok(());
    }

    let whole = b64(str_at(case, "plaintext_of_object_base64")?)?;
    let expected = b64(str_at(case, "expected_plaintext_base64")?)?;
    m.eq(
        "returned plaintext",
        &expected,
        &b64(str_at(case, "returned_plaintext_base64")?)?,
    );
    m.eq(
        "returned plaintext (get_stream_to_file)",
        &expected,
        &b64(str_at(
            case,
            "returned_plaintext_get_stream_to_file_base64",
        )?)?,
    );
    let mut rng = SplitMixStream::new(0);
    for (what, key) in &keys.open {
        let envelope = match Envelope::open(&headers, &**key, &mut rng) {
            Ok(envelope) => envelope,
            Err(e) => {
                m.push(format!("open with the {what}: {e}"));
                continue;
            }
        };
        if let Err(e) = envelope.check_object_length(ciphertext.len() as u64) {
            m.push(format!("object length: {e}"));
        }
        let mut decrypted = ciphertext.clone();
        let mut decryptor = envelope.decryptor().map_err(|e| e.to_string())?;
        decryptor
            .update(&mut decrypted)
            .map_err(|e| e.to_string())?;
        decryptor.finish().map_err(|e| e.to_string())?;
        m.eq(&format!("whole object ({what})"), &whole, &decrypted);

        let requested = case.get("range_requested").and_then(Value::as_str);
        let Some(requested) = requested else {
            m.eq(&format!("plaintext ({what})"), &expected, &decrypted);
            continue;
        };
        let range = ByteRange::parse(requested).map_err(|e| e.to_string())?;
        m.eq(
            "HEAD range",
            &Some(requested),
            &case.get("head_range_sent").and_then(Value::as_str),
        );
        // The SDK's request: the start rounded down to a block.
        let aligned = block_aligned(range);
        m.eq(
            "range sent",
            &case.get("range_sent").and_then(Value::as_str),
            &Some(aligned.request.to_string().as_str()),
        );
        let (first, body) = serve(&ciphertext, aligned.request).ok_or("unsatisfiable")?;
        m.eq(
            &format!("block-aligned range ({what})"),
            &expected,
            &decrypt_range(&envelope, first, body, aligned.discard)?,
        );
        // cos-crypto's own way: the same range, decrypted at its Content-Range start.
        let (first, body) = serve(&ciphertext, range).ok_or("unsatisfiable")?;
        m.eq(
            &format!("same range ({what})"),
            &expected,
            &decrypt_range(&envelope, first, body, 0)?,
        );
    }
    Ok(())
}
