//! Credential files: where the Tencent Cloud tools keep keys, and how each is read. The
//! driver reads the files (in [`profile_files`] order) and hands their text to
//! [`read_profile`].
//!
//! | file | format | what is read |
//! | --- | --- | --- |
//! | `~/.tencentcloud/credentials`, then `/etc/tencentcloud/credentials` | INI (the Cloud API SDKs') | section `[<profile>]`: `secret_id`, `secret_key`, `token` |
//! | `~/.tccli/<profile>.credential` | JSON (`tccli configure`) | `secretId`, `secretKey`, `token` |
//! | `~/.cos.conf` (profile `default` only) | INI (`coscmd config`) | section `[common]`: `secret_id`, `secret_key`, `token` |
//! | `~/.cos.yaml` (profile `default` only) | YAML (`coscli config`) | `cos.base`: `secretid`, `secretkey`, `sessiontoken` (the keys coscli obfuscates are undone) |
//!
//! The profile is `default` unless [`PROFILE_VAR`] names another.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::ini::Ini;
use crate::Credentials;

/// The environment variable naming the profile (`default` when unset or empty).
pub const PROFILE_VAR: &str = "TENCENTCLOUD_PROFILE";
/// The profile read when [`PROFILE_VAR`] is unset.
pub const DEFAULT_PROFILE: &str = "default";
/// The system-wide file of the Cloud API SDKs.
pub const SYSTEM_FILE: &str = "/etc/tencentcloud/credentials";
/// The largest credential file read (a bigger one is not a credential file).
pub const MAX_FILE_LEN: u64 = 64 * 1024;

/// How a credential file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFormat {
    /// The Cloud API SDKs' INI file, a section per profile.
    TencentCloud,
    /// tccli's JSON file, a file per profile.
    Tccli,
    /// coscmd's INI file, one `[common]` section.
    Coscmd,
    /// coscli's YAML file, one `cos.base` mapping.
    Coscli,
}

/// A file to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFile {
    /// How it is written.
    pub format: ProfileFormat,
    /// Where it is.
    pub path: PathBuf,
}

/// The files that may hold `profile`'s keys, in the order they are tried; `home` is the
/// user's home directory (`None`: only the system file), `system` the system-wide file
/// (normally [`SYSTEM_FILE`]).
///
/// ```
/// use std::path::Path;
/// use cos_proto::provider::profile::{SYSTEM_FILE, profile_files};
/// let files = profile_files(Some(Path::new("/home/u")), Path::new(SYSTEM_FILE), "default");
/// assert_eq!(files[0].path, Path::new("/home/u/.tencentcloud/credentials"));
/// assert_eq!(files[1].path, Path::new("/etc/tencentcloud/credentials"));
/// ```
pub fn profile_files(home: Option<&Path>, system: &Path, profile: &str) -> Vec<ProfileFile> {
    let file = |format, path: PathBuf| ProfileFile { format, path };
    let mut files = Vec::new();
    if let Some(home) = home {
        files.push(file(
            ProfileFormat::TencentCloud,
            home.join(".tencentcloud").join("credentials"),
        ));
    }
    files.push(file(ProfileFormat::TencentCloud, system.to_owned()));
    if let Some(home) = home {
        // A profile name is a file name here: never a path.
        if is_plain_name(profile) {
            files.push(file(
                ProfileFormat::Tccli,
                home.join(".tccli").join(format!("{profile}.credential")),
            ));
        }
        if profile == DEFAULT_PROFILE {
            files.push(file(ProfileFormat::Coscli, home.join(".cos.yaml")));
            files.push(file(ProfileFormat::Coscmd, home.join(".cos.conf")));
        }
    }
    files
}

/// The profile to read: [`PROFILE_VAR`]'s value, else [`DEFAULT_PROFILE`].
pub fn profile_name(lookup: impl Fn(&str) -> Option<String>) -> String {
    lookup(PROFILE_VAR)
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| DEFAULT_PROFILE.to_owned())
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.@".contains(c))
}

/// What a file says about a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileRead {
    /// The profile's keys.
    Found(Credentials),
    /// The file has no such profile, or no keys in it (why, for the chain's message).
    Absent(String),
}

/// Reads `profile` from `text`, a file written in `format`. An error is a file that holds
/// the profile but cannot be used (not INI or JSON, a key without its id, a malformed
/// key): the caller must not fall back to another source silently.
///
/// ```
/// use cos_proto::provider::profile::{ProfileFormat, ProfileRead, read_profile};
/// let text = "[default]\nsecret_id = AKID\nsecret_key = KEY\n";
/// match read_profile(ProfileFormat::TencentCloud, text, "default").unwrap() {
///     ProfileRead::Found(keys) => assert_eq!(keys.secret_id(), "AKID"),
///     ProfileRead::Absent(why) => panic!("{why}"),
/// }
/// ```
pub fn read_profile(
    format: ProfileFormat,
    text: &str,
    profile: &str,
) -> Result<ProfileRead, String> {
    let (id, key, token) = match format {
        ProfileFormat::TencentCloud | ProfileFormat::Coscmd => {
            let ini = Ini::parse(text).map_err(|err| format!("not an INI file: {err}"))?;
            let section = match format {
                ProfileFormat::Coscmd => "common",
                _ => profile,
            };
            if !ini.has_section(section) {
                let present: Vec<&str> = ini.sections().collect();
                return Ok(ProfileRead::Absent(format!(
                    "no [{section}] section (sections: {})",
                    if present.is_empty() {
                        "none".to_owned()
                    } else {
                        present.join(", ")
                    }
                )));
            }
            let get = |key: &str| ini.get(section, key).map(str::to_owned);
            (get("secret_id"), get("secret_key"), get("token"))
        }
        ProfileFormat::Coscli => match super::coscli::read(text)? {
            Some(keys) => keys,
            None => return Ok(ProfileRead::Absent("no cos.base section".to_owned())),
        },
        ProfileFormat::Tccli => {
            let value: Value =
                serde_json::from_str(text).map_err(|err| format!("not a JSON file: {err}"))?;
            let get = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
            (get("secretId"), get("secretKey"), get("token"))
        }
    };
    let nonempty = |v: Option<String>| v.filter(|v| !v.is_empty());
    match (nonempty(id), nonempty(key)) {
        (None, None) => Ok(ProfileRead::Absent("no keys in it".to_owned())),
        (Some(_), None) => Err("has a secret id but no secret key".to_owned()),
        (None, Some(_)) => Err("has a secret key but no secret id".to_owned()),
        (Some(id), Some(key)) => {
            let mut keys = Credentials::new(id, key).map_err(|err| err.to_string())?;
            if let Some(token) = nonempty(token) {
                keys = keys.with_token(token).map_err(|err| err.to_string())?;
            }
            Ok(ProfileRead::Found(keys))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(read: Result<ProfileRead, String>) -> (String, String, Option<String>) {
        match read {
            Ok(ProfileRead::Found(keys)) => (
                keys.secret_id().to_owned(),
                keys.secret_key().to_owned(),
                keys.token().map(str::to_owned),
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_format_and_profile() {
        let ini =
            "[default]\nsecret_id=A\nsecret_key=K\n[prod]\nsecret_id=P\nsecret_key=PK\ntoken=T\n";
        let read = |profile| read_profile(ProfileFormat::TencentCloud, ini, profile);
        assert_eq!(found(read("default")), ("A".into(), "K".into(), None));
        assert_eq!(
            found(read("prod")),
            ("P".into(), "PK".into(), Some("T".into()))
        );
        assert!(
            matches!(read("dev"), Ok(ProfileRead::Absent(why)) if why.contains("default, prod"))
        );
        let tccli = r#"{"secretId": "TA", "secretKey": "TK", "region": "ap-guangzhou"}"#;
        assert_eq!(
            found(read_profile(ProfileFormat::Tccli, tccli, "default")),
            ("TA".into(), "TK".into(), None)
        );
        let coscmd = "[common]\nsecret_id = C\nsecret_key = CK\nbucket = b-1\n";
        assert_eq!(
            found(read_profile(ProfileFormat::Coscmd, coscmd, "ignored")),
            ("C".into(), "CK".into(), None)
        );
    }

    #[test]
    fn unusable_files_are_errors_and_empty_ones_absent() {
        let tc = ProfileFormat::TencentCloud;
        assert!(read_profile(tc, "[default]\nsecret_id=A\n", "default").is_err());
        assert!(read_profile(tc, "[default]\nsecret_key=K\n", "default").is_err());
        assert!(read_profile(tc, "secret_id=A\n", "default").is_err());
        assert!(read_profile(tc, "[default]\nsecret_id=A B\nsecret_key=K\n", "default").is_err());
        assert!(read_profile(ProfileFormat::Tccli, "{", "default").is_err());
        assert!(matches!(
            read_profile(tc, "[default]\nregion=x\n", "default"),
            Ok(ProfileRead::Absent(_))
        ));
        assert!(matches!(
            read_profile(tc, "[DEFAULT]\nsecret_id=A\nsecret_key=K\n", "default"),
            Ok(ProfileRead::Absent(_))
        ));
    }

    #[test]
    fn file_order_and_hostile_profile_names() {
        let home = Path::new("/h");
        let paths = |profile| -> Vec<PathBuf> {
            profile_files(Some(home), Path::new(SYSTEM_FILE), profile)
                .into_iter()
                .map(|f| f.path)
                .collect()
        };
        assert_eq!(
            paths("default"),
            [
                PathBuf::from("/h/.tencentcloud/credentials"),
                PathBuf::from(SYSTEM_FILE),
                PathBuf::from("/h/.tccli/default.credential"),
                PathBuf::from("/h/.cos.yaml"),
                PathBuf::from("/h/.cos.conf"),
            ]
        );
        assert_eq!(paths("prod").len(), 3);
        assert_eq!(paths("../../etc/passwd").len(), 2, "never a path");
        assert_eq!(profile_files(None, Path::new("/s"), "default").len(), 1);
        let env = |value: Option<&'static str>| move |_: &str| value.map(str::to_owned);
        assert_eq!(profile_name(env(None)), "default");
        assert_eq!(profile_name(env(Some(" "))), "default");
        assert_eq!(profile_name(env(Some("prod"))), "prod");
    }
}
