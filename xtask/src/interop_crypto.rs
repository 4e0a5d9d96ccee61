//! The cos-rs side of the encryption interop (`cargo xtask interop`): reads the objects
//! the Python SDK encrypted (`interop/encryption.py write`), then writes objects in the
//! Python-compatible format for `interop/encryption.py read`.
//!
//! Both sides use the keys `encryption.py write` generated for this run. Every Python
//! object is read whole, ranged, and with the resumable `download_file`; the Rust objects
//! include one written by the resumable `upload_file` (parallel parts).

use std::fs;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use cos_blocking::cos_crypto::{AesMasterKey, Format, MasterKey, PlaintextInfo, RsaMasterKey};
use cos_blocking::cos_transfer::TransferOptions;
use cos_blocking::{Client, EncryptionClient, StaticCredentials};
use cos_proto::ops::{ByteRange, CompleteMultipartUpload, GetObject, InitiateMultipartUpload};
use cos_proto::ops::{PutObject, UploadPart};
use cos_proto::{Config, Credentials};
use serde_json::{Value, json};

const BUCKET: &str = "cryptobucket-1250000000";
const MIB: usize = 1024 * 1024;
/// A part size the Python SDK accepts and the AES block does not divide.
const ODD_PART: usize = MIB + 7;

type Master = Arc<dyn MasterKey + Send + Sync>;

/// Counts of one side's checks.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
}

impl Counts {
    pub(crate) fn check(&mut self, name: &str, result: Result<(), String>) {
        match result {
            Ok(()) => {
                self.passed += 1;
                println!("ok   {name}");
            }
            Err(why) => {
                self.failed += 1;
                println!("FAIL {name}: {why}");
            }
        }
    }
}

fn masters(dir: &Path) -> Result<Vec<(&'static str, Master)>, String> {
    let read =
        |name: &str| fs::read_to_string(dir.join(name)).map_err(|e| format!("reading {name}: {e}"));
    let aes = AesMasterKey::from_base64(read("aes.key")?.trim()).map_err(|e| e.to_string())?;
    let rsa = RsaMasterKey::from_pem(&read("rsa-private.pem")?).map_err(|e| e.to_string())?;
    Ok(vec![("aes", Arc::new(aes)), ("rsa", Arc::new(rsa))])
}

fn client(endpoint: &str, secret_id: &str, secret_key: &str) -> Result<Client, String> {
    let authority = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(authority)
        .build()
        .map_err(|e| e.to_string())?;
    let credentials = Credentials::new(secret_id, secret_key).map_err(|e| e.to_string())?;
    Client::builder(config)
        .credentials(StaticCredentials::new(credentials))
        .proxy_from_env(false)
        .build()
        .map_err(|e| e.to_string())
}

fn get(secure: &EncryptionClient, op: &GetObject) -> Result<Vec<u8>, String> {
    let (_, mut body) = secure.get_object(op).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    body.read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Options of the transfers: 1 MiB parts, four at a time, so the test objects have
/// several parts.
fn transfer_options() -> TransferOptions {
    TransferOptions::default()
        .multipart_threshold(MIB as u64)
        .part_size(MIB as u64)
        .concurrency(4)
}

fn read_python_object(
    secure: &EncryptionClient,
    key: &str,
    want: &[u8],
    dir: &Path,
) -> Result<(), String> {
    let target = dir.join("download_file.out");
    secure
        .download_file(&GetObject::new(key), &target, transfer_options())
        .map_err(|e| format!("download_file: {e}"))?;
    let downloaded = fs::read(&target).map_err(|e| e.to_string())?;
    fs::remove_file(&target).map_err(|e| e.to_string())?;
    if downloaded != want {
        return Err("download_file: the bytes differ".into());
    }
    let whole = get(secure, &GetObject::new(key))?;
    if whole != want {
        return Err(format!(
            "whole object differs ({} bytes, expected {})",
            whole.len(),
            want.len()
        ));
    }
    let last = (want.len() - 1).min(MIB + 70_000);
    let len = want.len();
    let mut ranges = vec![
        (format!("bytes=5-{last}"), &want[5..=last]),
        ("bytes=-33".to_owned(), &want[len - 33..]),
        (format!("bytes={}-", len - 101), &want[len - 101..]),
        (format!("bytes=-{}", len + 10), want),
    ];
    if len > MIB + 40 {
        // Across the first boundary of parts of MIB + 7 bytes (not block-aligned).
        ranges.push((format!("bytes={MIB}-{}", MIB + 40), &want[MIB..=MIB + 40]));
    }
    for (range, expected) in ranges {
        let parsed = ByteRange::parse(&range).map_err(|e| e.to_string())?;
        let got = get(secure, &GetObject::new(key).range(parsed))?;
        if got != expected {
            return Err(format!("range {range} differs"));
        }
    }
    Ok(())
}

fn write_rust_objects(
    secure: &EncryptionClient,
    dir: &Path,
    name: &str,
    objects: &mut Vec<Value>,
    counts: &mut Counts,
) {
    let mut record = |key: &str, data: &[u8]| -> Result<(), String> {
        let path = dir.join(format!("{}.plain", key.replace('/', "_")));
        fs::write(&path, data).map_err(|e| e.to_string())?;
        objects.push(json!({"key": key, "provider": name, "plaintext": path}));
        Ok(())
    };
    let simple = data(100_000 + 11, name.len() as u64);
    let key = format!("rust/{name}/simple.bin");
    let result = secure
        .put_object(
            &PutObject::new(&key, Some(simple.len() as u64))
                .metadata("x-cos-meta-writer", "cos-rs"),
            simple.clone(),
        )
        .map_err(|e| e.to_string())
        .and_then(|_| record(&key, &simple));
    counts.check(
        &format!("encryption: rust {name} put_object (python format)"),
        result,
    );

    let big = data(2 * MIB + 500, 7 + name.len() as u64);
    let key = format!("rust/{name}/multipart.bin");
    let result = multipart(secure, &key, &big, MIB).and_then(|()| record(&key, &big));
    counts.check(
        &format!("encryption: rust {name} multipart, parts in reverse order (python format)"),
        result,
    );

    // Parts the Python SDK could have written: not a multiple of 16 bytes.
    let odd = data(2 * ODD_PART + 500, 9 + name.len() as u64);
    let key = format!("rust/{name}/multipart-odd.bin");
    let result = multipart(secure, &key, &odd, ODD_PART).and_then(|()| record(&key, &odd));
    counts.check(
        &format!(
            "encryption: rust {name} multipart, parts of {ODD_PART} bytes in reverse order (python format)"
        ),
        result,
    );

    let file = data(3 * MIB + 77, 11 + name.len() as u64);
    let key = format!("rust/{name}/upload_file.bin");
    let source = dir.join(format!("{name}-upload_file.src"));
    let result = fs::write(&source, &file)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            secure
                .upload_file(&PutObject::new(&key, None), &source, transfer_options())
                .map_err(|e| e.to_string())
        })
        .and_then(|done| match done.parts {
            4 => record(&key, &file),
            parts => Err(format!("{parts} parts, expected 4")),
        });
    counts.check(
        &format!("encryption: rust {name} upload_file, 4 parts in parallel (python format)"),
        result,
    );
}

fn multipart(
    secure: &EncryptionClient,
    key: &str,
    plain: &[u8],
    part_size: usize,
) -> Result<(), String> {
    let info = PlaintextInfo::new()
        .length(plain.len() as u64)
        .multipart(part_size as u64);
    let (_, upload) = secure
        .create_multipart_upload(&InitiateMultipartUpload::new(key), info)
        .map_err(|e| e.to_string())?;
    let chunks: Vec<&[u8]> = plain.chunks(part_size).collect();
    let mut parts = Vec::new();
    for (index, chunk) in chunks.iter().enumerate().rev() {
        let number = index as u32 + 1;
        let op = UploadPart::new(key, upload.upload_id(), number, Some(chunk.len() as u64));
        let out = secure
            .upload_part(&upload, &op, chunk.to_vec())
            .map_err(|e| e.to_string())?;
        parts.push((number, out.etag));
    }
    parts.reverse();
    secure
        .complete_multipart_upload(
            &CompleteMultipartUpload::new(key, upload.upload_id()).parts(parts),
        )
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Deterministic test data (xorshift).
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = 0x9E37_79B9_7F4A_7C15 ^ seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Reads `python-objects.json`, then writes `rust-objects.json`, in `dir`.
pub(crate) fn run(endpoint: &str, secret_id: &str, secret_key: &str, dir: &Path) -> Counts {
    let mut counts = Counts::default();
    let setup = (|| {
        let client = client(endpoint, secret_id, secret_key)?;
        let masters = masters(dir)?;
        let manifest = fs::read_to_string(dir.join("python-objects.json"))
            .map_err(|e| format!("python-objects.json: {e}"))?;
        let manifest: Value = serde_json::from_str(&manifest).map_err(|e| e.to_string())?;
        Ok::<_, String>((client, masters, manifest))
    })();
    let (client, masters, manifest) = match setup {
        Ok(setup) => setup,
        Err(why) => {
            counts.check("encryption: rust side set-up", Err(why));
            return counts;
        }
    };
    let secure = |name: &str| {
        masters.iter().find(|(n, _)| *n == name).map(|(_, master)| {
            EncryptionClient::new(client.clone(), master.clone(), Format::PythonCompatible)
        })
    };
    for item in manifest["objects"].as_array().into_iter().flatten() {
        let key = item["key"].as_str().unwrap_or_default();
        let provider = item["provider"].as_str().unwrap_or_default();
        let result = (|| {
            let secure = secure(provider).ok_or("unknown provider")?;
            let path = item["plaintext"].as_str().ok_or("no plaintext path")?;
            let want = fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            read_python_object(&secure, key, &want, dir)
        })();
        counts.check(
            &format!("encryption: rust reads {key} ({provider})"),
            result,
        );
    }
    let mut objects = Vec::new();
    for (name, _) in &masters {
        if let Some(secure) = secure(name) {
            write_rust_objects(&secure, dir, name, &mut objects, &mut counts);
        }
    }
    let manifest = json!({"bucket": BUCKET, "objects": objects});
    let written = serde_json::to_string_pretty(&manifest)
        .map_err(|e| e.to_string())
        .and_then(|text| fs::write(dir.join("rust-objects.json"), text).map_err(|e| e.to_string()));
    if let Err(why) = written {
        counts.check("encryption: rust-objects.json", Err(why));
    }
    counts
}
