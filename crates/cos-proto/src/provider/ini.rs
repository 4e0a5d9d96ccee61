//! The INI dialect of the credential files (`~/.tencentcloud/credentials`, coscmd's
//! `~/.cos.conf`), read as Python's `configparser` reads them, since the official SDK and
//! coscmd write and read them with it: `[section]` headers (case-sensitive), `key = value`
//! or `key: value` (keys lower-cased, both sides stripped, quotes kept), `#`/`;` comment
//! lines, indented continuation lines, and the `[DEFAULT]` section whose keys every
//! section inherits.

use std::collections::BTreeMap;

/// One parsed file: sections by name, each key → value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ini {
    defaults: BTreeMap<String, String>,
    sections: Vec<(String, BTreeMap<String, String>)>,
}

/// Why a file is not INI (what `configparser` would raise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong there.
    pub reason: &'static str,
}

impl std::fmt::Display for IniError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl Ini {
    /// Parses `text`.
    ///
    /// ```
    /// use cos_proto::provider::ini::Ini;
    /// let ini = Ini::parse("[default]\nSecret_Id = \"AKID\"\n").unwrap();
    /// assert_eq!(ini.get("default", "secret_id"), Some("\"AKID\""));
    /// ```
    pub fn parse(text: &str) -> Result<Self, IniError> {
        let mut ini = Ini::default();
        // Where the next key goes: `None` before any header, `Some(None)` in `[DEFAULT]`.
        let mut current: Option<Option<usize>> = None;
        let mut last_key: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                if trimmed.is_empty() {
                    last_key = None;
                }
                continue;
            }
            let indented = raw.starts_with([' ', '\t']);
            if indented && let (Some(section), Some(key)) = (current, &last_key) {
                let values = ini.values_mut(section);
                if let Some(value) = values.get_mut(key) {
                    value.push('\n');
                    value.push_str(trimmed);
                }
                continue;
            }
            if let Some(name) = trimmed
                .strip_prefix('[')
                .and_then(|rest| rest.rfind(']').map(|end| &rest[..end]))
                .filter(|name| !name.is_empty())
            {
                if name == "DEFAULT" {
                    current = Some(None);
                } else if ini.sections.iter().any(|(present, _)| present == name) {
                    return Err(IniError {
                        line,
                        reason: "a section is given twice",
                    });
                } else {
                    ini.sections.push((name.to_owned(), BTreeMap::new()));
                    current = Some(Some(ini.sections.len() - 1));
                }
                last_key = None;
                continue;
            }
            let Some(section) = current else {
                return Err(IniError {
                    line,
                    reason: "a key before any [section] header",
                });
            };
            let Some(split) = trimmed.find(['=', ':']) else {
                return Err(IniError {
                    line,
                    reason: "neither a [section], a key = value, nor a comment",
                });
            };
            let key = trimmed[..split].trim().to_lowercase();
            let value = trimmed[split + 1..].trim().to_owned();
            if key.is_empty() {
                return Err(IniError {
                    line,
                    reason: "an empty key",
                });
            }
            let values = ini.values_mut(section);
            if values.insert(key.clone(), value).is_some() {
                return Err(IniError {
                    line,
                    reason: "a key is given twice in one section",
                });
            }
            last_key = Some(key);
        }
        Ok(ini)
    }

    fn values_mut(&mut self, section: Option<usize>) -> &mut BTreeMap<String, String> {
        match section {
            Some(index) => &mut self.sections[index].1,
            None => &mut self.defaults,
        }
    }

    /// Whether `[section]` exists (`[DEFAULT]` does not count, as in `configparser`).
    pub fn has_section(&self, section: &str) -> bool {
        self.sections.iter().any(|(name, _)| name == section)
    }

    /// The section names, in file order.
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(name, _)| name.as_str())
    }

    /// `key` (lower case) of `section`, or of `[DEFAULT]`; `None` when the section does not
    /// exist.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        let (_, values) = self.sections.iter().find(|(name, _)| name == section)?;
        values
            .get(key)
            .or_else(|| self.defaults.get(key))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_configparser_does() {
        let ini = Ini::parse(
            "# comment\n[DEFAULT]\nregion = ap-guangzhou\n\n[default]\nSECRET_ID=AKID\n\
             secret_key : key with : colon\n; another\ntoken = a\n  b\n[prod]\nsecret_id=\"q\"\n",
        )
        .expect("parses");
        assert_eq!(ini.get("default", "secret_id"), Some("AKID"));
        assert_eq!(ini.get("default", "secret_key"), Some("key with : colon"));
        assert_eq!(ini.get("default", "token"), Some("a\nb"));
        assert_eq!(ini.get("default", "region"), Some("ap-guangzhou"));
        assert_eq!(ini.get("prod", "secret_id"), Some("\"q\""));
        assert_eq!(ini.get("DEFAULT", "region"), None);
        assert!(!ini.has_section("DEFAULT"));
        assert_eq!(ini.sections().collect::<Vec<_>>(), ["default", "prod"]);
    }

    #[test]
    fn refuses_what_configparser_refuses() {
        for (text, line) in [
            ("secret_id = x\n", 1),
            ("[a]\nx = 1\nx = 2\n", 3),
            ("[a]\n[a]\n", 2),
            ("[a]\njust words\n", 2),
            ("[a]\n = v\n", 2),
        ] {
            assert_eq!(Ini::parse(text).map_err(|e| e.line), Err(line), "{text:?}");
        }
    }
}
