//! The `cos-crypto` envelope read from untrusted object headers, with a fixed AES master
//! key and a fixed RSA key pair.

use std::convert::Infallible;
use std::sync::OnceLock;

use base64::Engine as _;
use cos_crypto::headers as names;
use cos_crypto::{
    AesMasterKey, CEK_ALGORITHM, ContentKey, CryptoError, Envelope, Format, Iv, MasterKey,
    PlaintextInfo, PythonRsaPadding, RsaMasterKey,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use rand_core::{TryCryptoRng, TryRng};

use crate::input::{self, Reader};

/// A deterministic stand-in for a CSPRNG (splitmix64), so that every input replays the
/// same way. It protects nothing.
#[derive(Debug, Clone)]
pub(crate) struct FuzzRng(u64);

impl FuzzRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }
}

impl TryRng for FuzzRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for FuzzRng {}

/// The content key every sealed value of the target wraps.
pub(crate) const CONTENT_KEY: [u8; 32] = [0x5c; 32];
/// The IV every sealed value of the target wraps.
pub(crate) const IV: [u8; 16] = [0xa3; 16];

/// The master keys, and header values sealed with them, made once per process. The RSA
/// key is a committed 1024-bit test key (`keys/`), the smallest the `rsa` crate takes:
/// generating one per input would be far too slow, and each private-key operation with
/// it costs a quarter of one with a 2048-bit key.
pub(crate) struct Keys {
    pub(crate) aes: AesMasterKey,
    pub(crate) rsa: RsaMasterKey,
    rsa_oaep_only: RsaMasterKey,
    /// `-key`, `-start` (clear and wrapped), `-iv` and MD5 values that are right for the
    /// keys above.
    valid: Vec<Vec<u8>>,
}

pub(crate) fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let pem = include_str!("../keys/fuzz-rsa-1024.pkcs8.pem");
        let aes = AesMasterKey::from_bytes(&[0x42; 32]).expect("a 32-byte AES key");
        let rsa = RsaMasterKey::from_pem(pem).expect("the committed test key");
        let rsa_oaep_only = RsaMasterKey::from_pem(pem)
            .expect("the committed test key")
            .with_python_padding(PythonRsaPadding::OaepOnly);
        let mut valid = vec![
            b64(&IV).into_bytes(),
            b64(&[0xee; 16]).into_bytes(),
            b64(&CONTENT_KEY).into_bytes(),
        ];
        for master in [&aes as &dyn MasterKey, &rsa] {
            for format in [Format::V2, Format::PythonCompatible, Format::GoCompatible] {
                let info = PlaintextInfo::new();
                let sealed = seal(format, master, &info, 1);
                for (name, value) in sealed.headers() {
                    // The Go dialect's -start is the IV wrapped by the master key.
                    let wrapped_iv = format == Format::GoCompatible && name == names::START;
                    if [names::KEY, names::IV].contains(&name.as_str()) || wrapped_iv {
                        valid.push(value.as_bytes().to_vec());
                    }
                }
            }
        }
        Keys {
            aes,
            rsa,
            rsa_oaep_only,
            valid,
        }
    })
}

/// An envelope of [`CONTENT_KEY`] and [`IV`], sealed deterministically.
pub(crate) fn seal(
    format: Format,
    master: &dyn MasterKey,
    info: &PlaintextInfo,
    seed: u64,
) -> Envelope {
    Envelope::seal_with(
        format,
        master,
        ContentKey::from_bytes(CONTENT_KEY),
        Iv::from_bytes(IV),
        info,
        &mut FuzzRng::new(seed),
    )
    .expect("sealing with a valid key and part size")
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

const ALGORITHMS: [&str; 12] = [
    "AES/CTR/NoPadding",
    "aes/ctr/nopadding",
    "AES/GCM/NoPadding",
    "AES/CTR/NoPadding ",
    "AESWrap",
    "aeswrap",
    "AESWrapPad",
    "RSA/ECB/OAEPWithSHA-256AndMGF1Padding",
    "RSA/ECB/OAEPWITHSHA-256ANDMGF1PADDING",
    "RSA/ECB/OAEPWithSHA-1AndMGF1Padding",
    "KMS/TencentCloud",
    "",
];
const NUMBERS: [&str; 10] = [
    "0",
    "16",
    "32",
    "100",
    "18446744073709551615",
    "18446744073709551616",
    "-1",
    "+5",
    " 48 ",
    "1e3",
];
const MATDESCS: [&str; 4] = ["{}", "{\"kms-key-id\":\"k\"}", "[]", "{"];
const LENGTHS: [usize; 15] = [0, 1, 15, 16, 17, 24, 31, 32, 33, 40, 48, 127, 128, 129, 256];

/// The headers of a program: `count` then `[name][value]` entries, names mostly of the
/// envelope's family, values mostly of the shapes it expects.
fn program_headers(r: &mut Reader<'_>) -> HeaderMap {
    let keys = keys();
    let mut map = HeaderMap::new();
    for _ in 0..r.u8() % 16 {
        let pick = r.u8();
        let name = match pick % 16 {
            i @ 0..=10 => Some(HeaderName::from_static(names::ALL[usize::from(i)])),
            11 | 12 => HeaderName::from_bytes(
                [b"x-cos-meta-client-side-encryption-", r.short_bytes()]
                    .concat()
                    .as_slice(),
            )
            .ok(),
            _ => HeaderName::from_bytes(r.short_bytes()).ok(),
        };
        let value: Vec<u8> = match r.u8() % 10 {
            0 => r.short_bytes().to_vec(),
            1 => b64(r.short_bytes()).into_bytes(),
            2 => {
                let n = LENGTHS[usize::from(r.u8()) % LENGTHS.len()];
                let mut bytes = r.bytes(n).to_vec();
                bytes.resize(n, 0);
                b64(&bytes).into_bytes()
            }
            3 => ALGORITHMS[usize::from(r.u8()) % ALGORITHMS.len()].into(),
            4 => NUMBERS[usize::from(r.u8()) % NUMBERS.len()].into(),
            5 => MATDESCS[usize::from(r.u8()) % MATDESCS.len()].into(),
            6 => keys.valid[usize::from(r.u8()) % keys.valid.len()].clone(),
            7 => {
                // A right value with one bit flipped.
                let text = &keys.valid[usize::from(r.u8()) % keys.valid.len()];
                let mut bytes = base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap_or_default();
                let at = usize::from(r.u16());
                let bit = r.u8() % 8;
                let at = at % bytes.len().max(1);
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << bit;
                }
                b64(&bytes).into_bytes()
            }
            8 => {
                // A right value, spaced or without its padding.
                let text = &keys.valid[usize::from(r.u8()) % keys.valid.len()];
                let text = String::from_utf8_lossy(text);
                match r.u8() % 3 {
                    0 => format!(" {text} ").into_bytes(),
                    1 => text.trim_end_matches('=').as_bytes().to_vec(),
                    _ => format!("{text}{text}").into_bytes(),
                }
            }
            _ => r.u32().to_string().into_bytes(),
        };
        if let (Some(name), Ok(value)) = (name, HeaderValue::from_bytes(&value)) {
            map.append(name, value);
        }
    }
    map
}

/// An envelope program: `[flags]`, then (flags bit 3 clear) the text form of a response
/// whose headers are the object's and whose body holds the probes, or (bit 3 set) header
/// entries (see `program_headers`) followed by the probes. Flags bits 0–2 pick the master
/// key: 0–5 AES, 6 RSA, 7 RSA reading Python objects with OAEP only (RSA private-key
/// operations are slow, so they are the rarer case).
///
/// Opening never panics, and refuses unencrypted, ambiguous and inconsistent headers.
/// What opens has the format its headers select, the algorithms the master key
/// implements, wrapped values of the right lengths, and lengths and MD5 as recorded; it
/// seals again to headers that open to the same key and IV (AES); and its cipher,
/// decryptors, part offsets and length check behave at arbitrary offsets and part
/// numbers: no panic, no overflow, an error exactly when the arithmetic does not fit or
/// the recorded length says no.
pub fn encryption_envelope(data: &[u8]) {
    let mut r = Reader::new(data);
    let flags = r.u8();
    let keys = keys();
    let aes = flags % 8 < 6;
    let master: &dyn MasterKey = match flags % 8 {
        0..=5 => &keys.aes,
        6 => &keys.rsa,
        _ => &keys.rsa_oaep_only,
    };
    let (headers, probes) = if flags & 8 == 0 {
        let response = input::response(r.rest());
        let probes = response.body().to_vec();
        (response.headers().clone(), probes)
    } else {
        let headers = program_headers(&mut r);
        (headers, r.rest().to_vec())
    };
    let present = |name: &str| headers.contains_key(name);
    let mut rng = FuzzRng::new(u64::from(flags));
    let envelope = match Envelope::open(&headers, master, &mut rng) {
        Ok(envelope) => envelope,
        Err(CryptoError::NotEncrypted) => {
            assert!(!names::ALL.iter().any(|n| present(n)));
            return;
        }
        Err(CryptoError::AmbiguousFormat) => {
            assert!(present(names::IV));
            assert!(
                [
                    names::START,
                    names::CEK_ALG,
                    names::WRAP_ALG,
                    names::MATDESC
                ]
                .iter()
                .any(|n| present(n))
            );
            return;
        }
        Err(_) => return,
    };
    check_opened(&envelope, &headers, master, aes);
    probe(&envelope, &mut Reader::new(&probes));
    if aes {
        reseal(&envelope, master);
    }
}

/// The decoded Base64 of a header the envelope accepted.
fn decoded(headers: &HeaderMap, name: &str) -> Vec<u8> {
    let text = headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("opened without {name}"));
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap_or_else(|e| panic!("opened with {name} {text:?}, not Base64: {e}"))
}

/// The decimal value of a length header the envelope accepted.
fn decimal(headers: &HeaderMap, name: &str) -> Option<u64> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    assert!(values.next().is_none(), "opened with {name} twice");
    let text = value
        .to_str()
        .expect("opened with a non-ASCII length")
        .trim();
    assert!(
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()),
        "opened with {name} {text:?}"
    );
    Some(text.parse().expect("opened with an oversized length"))
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    let mut values = headers.get_all(name).iter();
    let value = values
        .next()
        .unwrap_or_else(|| panic!("opened without {name}"));
    assert!(values.next().is_none(), "opened with {name} twice");
    value
        .to_str()
        .expect("opened with a non-ASCII value")
        .trim()
}

fn check_opened(envelope: &Envelope, headers: &HeaderMap, master: &dyn MasterKey, aes: bool) {
    let key = decoded(headers, names::KEY);
    let _ = text(headers, names::KEY);
    let keys = keys();
    let valid: Vec<Vec<u8>> = keys
        .valid
        .iter()
        .filter_map(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .collect();
    if headers.contains_key(names::IV) {
        assert_eq!(envelope.format(), Format::PythonCompatible);
        let iv = decoded(headers, names::IV);
        let _ = text(headers, names::IV);
        let (key_len, iv_len) = if aes { (32, 16) } else { (128, 128) };
        assert_eq!((key.len(), iv.len()), (key_len, iv_len), "wrapped lengths");
        assert_eq!(envelope.wrap_algorithm(), None);
        assert_eq!(envelope.matdesc(), None);
    } else {
        assert!(text(headers, names::CEK_ALG).eq_ignore_ascii_case(CEK_ALGORITHM));
        assert!(!headers.contains_key(names::TAG_LEN), "a GCM object opened");
        let wrap = envelope.wrap_algorithm().expect("v2 records its wrap");
        assert!(wrap.eq_ignore_ascii_case(master.wrap_algorithm()), "{wrap}");
        assert_eq!(wrap, text(headers, names::WRAP_ALG));
        // A missing or empty -matdesc is an empty description (the Go SDK's).
        let matdesc = headers
            .contains_key(names::MATDESC)
            .then(|| text(headers, names::MATDESC))
            .filter(|m| !m.is_empty());
        assert_eq!(envelope.matdesc(), matdesc);
        assert_eq!(key.len(), if aes { 40 } else { 128 }, "wrapped key length");
        // -start is the IV in the clear (16 bytes) or wrapped by the master key (the Go
        // SDK's, any other length): the envelope says which.
        let start = decoded(headers, names::START);
        if start.len() == 16 {
            assert_eq!(envelope.format(), Format::V2);
            assert_eq!(start, envelope.iv().as_bytes(), "the IV is -start");
        } else {
            assert_eq!(envelope.format(), Format::GoCompatible);
            assert_eq!(start.len(), if aes { 24 } else { 128 }, "wrapped IV length");
        }
        // An authenticated wrap of the fixed key opens to the fixed key.
        if valid.contains(&key) {
            assert_eq!(envelope.content_key().expose_secret(), &CONTENT_KEY);
        }
    }

    let single = decimal(headers, names::UNENCRYPTED_CONTENT_LENGTH);
    let data_size = decimal(headers, names::DATA_SIZE);
    if let (Some(a), Some(b)) = (single, data_size) {
        assert_eq!(a, b, "two lengths that differ");
    }
    assert_eq!(envelope.plaintext_length(), single.or(data_size));
    assert_eq!(envelope.part_size(), decimal(headers, names::PART_SIZE));
    let md5 = headers
        .contains_key(names::UNENCRYPTED_CONTENT_MD5)
        .then(|| decoded(headers, names::UNENCRYPTED_CONTENT_MD5));
    assert_eq!(
        envelope.plaintext_md5().map(|m| m.to_vec()),
        md5,
        "the MD5 is what was recorded"
    );
    assert_eq!(
        envelope.plaintext_crc64(),
        decimal(headers, names::UNENCRYPTED_CONTENT_CRC64),
        "the CRC-64 is what was recorded"
    );

    // The envelope keeps exactly the family's headers it was given.
    let kept = envelope.headers();
    assert_eq!(
        kept.len(),
        names::ALL
            .iter()
            .filter(|n| headers.contains_key(**n))
            .count()
    );
    for (name, value) in kept {
        assert!(names::ALL.contains(&name.as_str()));
        assert_eq!(headers.get(name), Some(value));
    }
}

fn offset(p: &mut Reader<'_>, length: Option<u64>) -> u64 {
    match p.u8() % 5 {
        0 => u64::from(p.u16()),
        1 => u64::MAX - u64::from(p.u8()),
        2 => u64::from(p.u32()) << 32 | u64::from(p.u32()),
        3 => length
            .unwrap_or(0)
            .wrapping_add(u64::from(p.u8()))
            .wrapping_sub(128),
        _ => u64::from(p.u8()) * 16,
    }
}

/// Cipher, decryptors, part offsets and the length check at offsets from the probes.
fn probe(envelope: &Envelope, p: &mut Reader<'_>) {
    let length = envelope.plaintext_length();
    for _ in 0..4 {
        if p.is_empty() {
            break;
        }
        let at = offset(p, length);
        let plain = p.short_bytes().to_vec();
        let len = plain.len() as u64;
        let fits = at.checked_add(len).is_some();

        let mut buf = plain.clone();
        assert_eq!(
            envelope.apply_at(at, &mut buf).is_ok(),
            fits,
            "apply_at({at})"
        );
        if fits {
            let mut stream = envelope.stream_at(at).expect("any offset is a position");
            let mut chunked = plain.clone();
            let split = usize::from(p.u8()).min(chunked.len());
            let (head, tail) = chunked.split_at_mut(split);
            stream.apply(head).expect("fits");
            stream.apply(tail).expect("fits");
            assert_eq!(stream.position(), at + len);
            assert_eq!(chunked, buf, "streamed and one-shot differ");
            envelope.apply_at(at, &mut buf).expect("fits");
            assert_eq!(buf, plain, "CTR is its own inverse");
        } else {
            assert!(envelope.stream_at(at).is_ok(), "any offset is a position");
        }

        let mut range = envelope.range_decryptor(at).expect("any offset");
        let within = fits && length.is_none_or(|l| at + len <= l);
        let mut buf = plain.clone();
        assert_eq!(range.update(&mut buf).is_ok(), within, "range at {at}");
        assert!(range.finish().is_ok(), "a range has nothing more to check");

        let mut whole = envelope.decryptor().expect("offset 0");
        let mut buf = plain.clone();
        let taken = whole.update(&mut buf).is_ok();
        assert_eq!(taken, length.is_none_or(|l| len <= l));
        let read = if taken { len } else { 0 };
        let decrypted = cos_proto::crc64::crc64(if taken { &buf } else { &[] });
        let finished = whole.finish();
        if finished.is_ok() {
            assert!(length.is_none_or(|l| l == read), "a short object finished");
            assert!(
                envelope.plaintext_crc64().is_none_or(|c| c == decrypted),
                "a whole object of another CRC-64 finished"
            );
        } else if envelope.plaintext_md5().is_none() {
            let crc_wrong = envelope.plaintext_crc64().is_some_and(|c| c != decrypted);
            assert!(
                length.is_some_and(|l| l != read) || crc_wrong,
                "{finished:?}"
            );
        }

        assert_eq!(
            envelope.check_object_length(at).is_ok(),
            length.is_none_or(|l| l == at)
        );

        let part = match p.u8() % 4 {
            0 => u32::from(p.u8()),
            1 => p.u32(),
            2 => 9_999 + u32::from(p.u8() % 3),
            _ => u32::MAX - u32::from(p.u8()),
        };
        // Python's keystream runs on across parts of any size; v2 and Go parts start
        // on a counter block.
        let python = envelope.format() == Format::PythonCompatible;
        let expected = envelope
            .part_size()
            .filter(|s| *s > 0 && (python || s.is_multiple_of(16)))
            .filter(|_| (1..=10_000).contains(&part))
            .and_then(|s| u64::from(part - 1).checked_mul(s));
        assert_eq!(envelope.part_offset(part).ok(), expected, "part {part}");
    }
}

/// What opens seals again (same format, key, IV, recorded values) to headers that open
/// to the same key and IV.
fn reseal(envelope: &Envelope, master: &dyn MasterKey) {
    let info = envelope.plaintext_info();
    let python = envelope.format() == Format::PythonCompatible;
    if info
        .part_size
        .is_some_and(|size| size == 0 || (!python && !size.is_multiple_of(16)))
    {
        return;
    }
    let key = ContentKey::from_bytes(*envelope.content_key().expose_secret());
    let mut rng = FuzzRng::new(7);
    let sealed = Envelope::seal_with(
        envelope.format(),
        master,
        key,
        envelope.iv().clone(),
        &info,
        &mut rng,
    )
    .expect("an opened envelope seals again");
    let headers: HeaderMap = sealed.headers().iter().cloned().collect();
    let again = Envelope::open(&headers, master, &mut rng).expect("a sealed envelope opens");
    assert_eq!(again.format(), envelope.format());
    assert_eq!(
        again.content_key().expose_secret(),
        envelope.content_key().expose_secret()
    );
    assert_eq!(again.iv().as_bytes(), envelope.iv().as_bytes());
    if envelope.format() == Format::V2 {
        assert_eq!(again.plaintext_length(), envelope.plaintext_length());
        assert_eq!(again.plaintext_md5(), envelope.plaintext_md5());
        assert_eq!(again.plaintext_crc64(), envelope.plaintext_crc64());
        assert_eq!(again.part_size(), envelope.part_size());
    }
}
