//! `crc64.json`: CRC-64/XZ values, combination, and per-part CRCs.

use cos_proto::crc64::{self, Crc64};
use serde_json::Value;

use super::value::{b64, str_at, u64_at};
use super::{Mismatches, Verdict};

/// The deterministic input generator the vectors use (`splitmix64-le`).
fn splitmix64(seed: u64, length: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(length + 8);
    while out.len() < length {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(length);
    out
}

fn input(spec: &Value) -> Result<Vec<u8>, String> {
    match str_at(spec, "type")? {
        "literal" => b64(str_at(spec, "base64")?),
        "prng" => {
            if str_at(spec, "algorithm")? != "splitmix64-le" {
                return Err("unknown prng".into());
            }
            let length =
                usize::try_from(u64_at(spec, "length")?).map_err(|_| "length too large")?;
            Ok(splitmix64(u64_at(spec, "seed")?, length))
        }
        other => Err(format!("unknown input type {other}")),
    }
}

fn decimal(case: &Value, key: &str) -> Result<u64, String> {
    crc64::parse_header_value(str_at(case, key)?).map_err(|e| format!("{key}: {e}"))
}

pub(super) fn check(meta: &Value, case: &Value) -> Verdict {
    match check_inner(meta, case) {
        Ok(m) => m.verdict(),
        Err(e) => Verdict::Fail(e),
    }
}

fn check_inner(meta: &Value, case: &Value) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    if let Some(check) = meta.pointer("/prng/check") {
        let length = usize::try_from(u64_at(check, "length")?).map_err(|_| "length")?;
        let bytes = splitmix64(u64_at(check, "seed")?, length);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        m.eq("prng check", str_at(check, "hex")?, hex.as_str());
    }
    match str_at(case, "kind")? {
        "crc64" => {
            let data = input(case.get("input").ok_or("missing input")?)?;
            m.eq("length", &u64_at(case, "length")?, &(data.len() as u64));
            let expected = decimal(case, "crc64")?;
            let actual = crc64::crc64(&data);
            m.eq("crc64", &expected, &actual);
            m.eq(
                "crc64_hex",
                str_at(case, "crc64_hex")?,
                format!("{actual:016x}").as_str(),
            );
            m.eq(
                "header form",
                str_at(case, "crc64")?,
                crc64::format_header_value(actual).as_str(),
            );
            let mut streaming = Crc64::new();
            for chunk in data.chunks(4093) {
                streaming.update(chunk);
            }
            m.eq("streaming crc64", &expected, &streaming.value());
        }
        "combine" => {
            let a = input(case.get("a").ok_or("missing a")?)?;
            let b = input(case.get("b").ok_or("missing b")?)?;
            let (ca, cb) = (decimal(case, "crc64_a")?, decimal(case, "crc64_b")?);
            m.eq("crc64_a", &ca, &crc64::crc64(&a));
            m.eq("crc64_b", &cb, &crc64::crc64(&b));
            m.eq("len_b", &u64_at(case, "len_b")?, &(b.len() as u64));
            m.eq(
                "crc64_ab",
                &decimal(case, "crc64_ab")?,
                &crc64::combine(ca, cb, b.len() as u64),
            );
        }
        "parts" => {
            let whole = input(case.get("whole").ok_or("missing whole")?)?;
            let part_size = usize::try_from(u64_at(case, "part_size")?).map_err(|_| "part size")?;
            let expected: Vec<u64> = case
                .get("parts_crc64")
                .and_then(Value::as_array)
                .ok_or("missing parts_crc64")?
                .iter()
                .map(|v| {
                    v.as_str()
                        .and_then(|s| crc64::parse_header_value(s).ok())
                        .ok_or("bad part crc")
                })
                .collect::<Result<_, _>>()?;
            let parts: Vec<&[u8]> = whole.chunks(part_size.max(1)).collect();
            let actual: Vec<u64> = parts.iter().map(|p| crc64::crc64(p)).collect();
            m.eq("parts_crc64", &expected, &actual);
            let combined = parts.iter().zip(&actual).fold(0u64, |acc, (part, crc)| {
                crc64::combine(acc, *crc, part.len() as u64)
            });
            m.eq(
                "crc64_whole (combined)",
                &decimal(case, "crc64_whole")?,
                &combined,
            );
        }
        other => m.push(format!("unknown kind {other}")),
    }
    Ok(m)
}
