//! coscli's `~/.cos.yaml`: the keys are under `cos.base` (`secretid`, `secretkey`,
//! `sessiontoken`; viper reads key names case-insensitively), and coscli stores each one
//! obfuscated unless `disableencryption: "true"`: Base64 of AES-128-ECB under the fixed key
//! `coscli-secret` (zero-padded to 16 bytes), the text zero-padded to whole blocks. That is
//! no protection (the key is public); it is undone here so the keys work. As coscli does,
//! a value that does not decode that way is taken as written.

use aes::Aes128;
use aes::cipher::{BlockCipherDecrypt, KeyInit};
use base64::Engine as _;
use yaml_rust2::{Yaml, YamlLoader};

/// coscli's fixed obfuscation key, zero-padded to an AES-128 key.
const OBFUSCATION_KEY: &[u8; 16] = b"coscli-secret\0\0\0";

/// The keys of `cos.base` (id, key, token), `None` when the file has no `cos.base`.
pub(crate) type Keys = (Option<String>, Option<String>, Option<String>);

/// Reads `text` as coscli writes it.
pub(crate) fn read(text: &str) -> Result<Option<Keys>, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|err| format!("not a YAML file: {err}"))?;
    let Some(base) = docs
        .first()
        .and_then(|doc| field(doc, "cos"))
        .and_then(|cos| field(cos, "base"))
    else {
        return Ok(None);
    };
    let text = |name: &str| match field(base, name) {
        Some(Yaml::String(value)) => Some(value.clone()),
        Some(Yaml::Integer(value)) => Some(value.to_string()),
        _ => None,
    };
    let obfuscated = text("disableencryption").as_deref() != Some("true");
    let reveal = |value: Option<String>| {
        value.filter(|v| !v.is_empty()).map(|v| {
            if obfuscated {
                deobfuscate(&v).unwrap_or(v)
            } else {
                v
            }
        })
    };
    Ok(Some((
        reveal(text("secretid")),
        reveal(text("secretkey")),
        reveal(text("sessiontoken")),
    )))
}

/// A mapping's value by case-insensitive key (viper's rule).
fn field<'a>(map: &'a Yaml, name: &str) -> Option<&'a Yaml> {
    map.as_hash()?.iter().find_map(|(key, value)| {
        key.as_str()
            .filter(|key| key.eq_ignore_ascii_case(name))
            .map(|_| value)
    })
}

/// Undoes coscli's obfuscation; `None` when `value` is not obfuscated text.
fn deobfuscate(value: &str) -> Option<String> {
    let mut bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .ok()?;
    if bytes.is_empty() || bytes.len() % 16 != 0 {
        return None;
    }
    let cipher = Aes128::new(OBFUSCATION_KEY.into());
    for block in bytes.chunks_exact_mut(16) {
        cipher.decrypt_block(block.try_into().ok()?);
    }
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    String::from_utf8(bytes)
        .ok()
        .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use aes::cipher::BlockCipherEncrypt;

    use super::*;

    /// What coscli's `EncryptSecret` writes.
    fn obfuscate(text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        bytes.resize(bytes.len().div_ceil(16) * 16, 0);
        let cipher = Aes128::new(OBFUSCATION_KEY.into());
        for block in bytes.chunks_exact_mut(16) {
            cipher.encrypt_block(block.try_into().expect("16 bytes"));
        }
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn obfuscated_and_plain_keys() {
        let id = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
        let file = format!(
            "cos:\n  base:\n    secretid: {}\n    SecretKey: \"{}\"\n    sessiontoken: \"\"\n    protocol: https\n  buckets:\n  - name: examplebucket-1250000000\n    region: ap-guangzhou\n",
            obfuscate(id),
            obfuscate("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")
        );
        let (got_id, key, token) = read(&file).expect("yaml").expect("base");
        assert_eq!(got_id.as_deref(), Some(id));
        assert_eq!(key.as_deref(), Some("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"));
        assert_eq!(token, None);

        let plain = "cos:\n  base:\n    secretid: AKIDPLAIN\n    secretkey: plainkey\n    sessiontoken: tok\n    disableencryption: \"true\"\n";
        let (id, key, token) = read(plain).expect("yaml").expect("base");
        assert_eq!(
            (id.as_deref(), key.as_deref(), token.as_deref()),
            (Some("AKIDPLAIN"), Some("plainkey"), Some("tok"))
        );
        // An older file with plain keys and no switch: taken as written.
        let old = "cos:\n  base:\n    secretid: AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\n    secretkey: Gu5t9xGARNpq86cd98joQYCN3EXAMPLE\n";
        let (id, _, _) = read(old).expect("yaml").expect("base");
        assert_eq!(id.as_deref(), Some("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"));
        assert_eq!(read("other: 1\n").expect("yaml"), None);
        assert_eq!(read("").expect("yaml"), None);
        assert!(read("cos: [\n").is_err());
    }
}
