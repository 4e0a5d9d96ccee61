//! The cos-rs side of the STS interop (`cargo xtask interop`): the temporary keys the
//! official Cloud API SDK got from the emulator's STS (`interop/sts_assume_role.py`
//! writes them to a JSON file) sign a PUT and a GET of an object through
//! `cos_blocking`; without their token the same GET is refused.

use std::path::Path;

use cos_blocking::{Client, StaticCredentials};
use cos_proto::ops::{GetObject, PutObject};
use cos_proto::{Config, Credentials};
use serde_json::Value;

use crate::interop_crypto::Counts;

const BUCKET: &str = "stsbucket-1250000000";
const KEY: &str = "sts/temporary-keys.txt";
const DATA: &[u8] = b"written with keys from the Python SDK's StsClient.AssumeRole";

/// The keys in `file`: `TmpSecretId`, `TmpSecretKey`, `Token`.
fn read_keys(file: &Path) -> Result<(String, String, String), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("keys file: {e}"))?;
    let field = |name: &str| {
        doc.get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("keys file: no {name}"))
    };
    Ok((
        field("TmpSecretId")?,
        field("TmpSecretKey")?,
        field("Token")?,
    ))
}

fn client(endpoint: &str, credentials: Credentials) -> Result<Client, String> {
    let authority = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(authority)
        .build()
        .map_err(|e| e.to_string())?;
    Client::builder(config)
        .credentials(StaticCredentials::new(credentials))
        .proxy_from_env(false)
        .build()
        .map_err(|e| e.to_string())
}

fn get(client: &Client) -> Result<Vec<u8>, String> {
    let (_, body) = client
        .get_object(&GetObject::new(KEY))
        .map_err(|e| e.to_string())?;
    body.bytes().map(|b| b.to_vec()).map_err(|e| e.to_string())
}

/// Runs the checks against the emulator at `endpoint` with the keys in `keys_file`.
pub(crate) fn run(endpoint: &str, keys_file: &Path) -> Counts {
    let mut counts = Counts::default();
    let keys = read_keys(keys_file);
    let with_token = keys.clone().and_then(|(id, key, token)| {
        let credentials = Credentials::new(id, key)
            .and_then(|c| c.with_token(token))
            .map_err(|e| e.to_string())?;
        client(endpoint, credentials)
    });
    let put = with_token.as_ref().map_err(Clone::clone).and_then(|c| {
        c.send(&PutObject::new(KEY, Some(DATA.len() as u64)), DATA.to_vec())
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    counts.check(
        "sts: cos-rs PUT Object signed with the Python SDK's temporary keys",
        put,
    );
    let read = with_token
        .as_ref()
        .map_err(Clone::clone)
        .and_then(get)
        .and_then(|got| {
            (got == DATA)
                .then_some(())
                .ok_or_else(|| format!("read {} bytes that differ from those written", got.len()))
        });
    counts.check("sts: cos-rs GET Object with them: the same bytes", read);
    let refused = keys.and_then(|(id, key, _)| {
        let without = Credentials::new(id, key).map_err(|e| e.to_string())?;
        let client = client(endpoint, without)?;
        match client.get_object(&GetObject::new(KEY)) {
            Ok(_) => Err("read without the token".to_owned()),
            Err(e) if e.status() == Some(403) && e.code() == Some("InvalidAccessKeyId") => Ok(()),
            Err(e) => Err(format!("expected 403 InvalidAccessKeyId, got {e}")),
        }
    });
    counts.check(
        "sts: cos-rs without the token gets 403 InvalidAccessKeyId",
        refused,
    );
    counts
}
