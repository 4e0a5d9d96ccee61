//! Keys ↔ [`Path`]s: a store may live under a prefix of its bucket; a path's key is that
//! prefix followed by the path, as `object_store` encodes it (`/` between segments, a
//! segment's own `/` as `%2F`).

use object_store::path::Path;

/// The delimiter of "directories", for listings.
pub(crate) const DELIMITER: &str = "/";

/// Where a store's paths live in its bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPrefix {
    /// `""`, or the prefix followed by `/`.
    prefix: String,
}

impl KeyPrefix {
    /// Paths live under `prefix` (leading and trailing `/` ignored; empty: the whole bucket).
    pub(crate) fn new(prefix: &str) -> Self {
        let trimmed = prefix.trim_matches('/');
        let prefix = if trimmed.is_empty() {
            String::new()
        } else {
            format!("{trimmed}/")
        };
        Self { prefix }
    }

    /// The prefix, `""` or ending with `/`.
    pub(crate) fn as_str(&self) -> &str {
        &self.prefix
    }

    /// The key of `path`.
    pub(crate) fn key(&self, path: &Path) -> String {
        format!("{}{}", self.prefix, path.as_ref())
    }

    /// The key prefix that lists what is below `prefix`, a "directory": its key and `/`
    /// (no path or the root: everything).
    pub(crate) fn dir(&self, prefix: Option<&Path>) -> String {
        match prefix {
            Some(p) if !p.as_ref().is_empty() => format!("{}{}{DELIMITER}", self.prefix, p),
            _ => self.prefix.clone(),
        }
    }

    /// The path of a listed key; an error for a key outside the prefix or one that is
    /// not a valid path (an empty segment, `.` or `..`).
    pub(crate) fn path(&self, key: &str) -> object_store::Result<Path> {
        let Some(rest) = key.strip_prefix(&self.prefix) else {
            return Err(object_store::Error::Generic {
                store: crate::errors::STORE,
                source: format!("listed key {key:?} is outside the prefix {:?}", self.prefix)
                    .into(),
            });
        };
        Ok(Path::parse(rest)?)
    }

    /// The path of a listed common prefix (`a/b/` is the directory `a/b`).
    pub(crate) fn dir_path(&self, common_prefix: &str) -> object_store::Result<Path> {
        self.path(
            common_prefix
                .strip_suffix(DELIMITER)
                .unwrap_or(common_prefix),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_paths_round_trip_under_a_prefix() {
        let none = KeyPrefix::new("");
        assert_eq!(none, KeyPrefix::new("/"));
        let p = Path::from_iter(["a", "b/c", "d.parquet"]);
        assert_eq!(none.key(&p), "a/b%2Fc/d.parquet");
        assert_eq!(none.path("a/b%2Fc/d.parquet").ok(), Some(p.clone()));
        assert_eq!(none.dir(None), "");
        assert_eq!(none.dir(Some(&Path::from("/"))), "");
        assert_eq!(none.dir(Some(&Path::from("a"))), "a/");

        let tables = KeyPrefix::new("/tables/");
        assert_eq!(tables.as_str(), "tables/");
        assert_eq!(tables.key(&p), "tables/a/b%2Fc/d.parquet");
        assert_eq!(tables.path("tables/a/b%2Fc/d.parquet").ok(), Some(p));
        assert_eq!(tables.dir(None), "tables/");
        assert_eq!(tables.dir(Some(&Path::from("a"))), "tables/a/");
        assert_eq!(tables.dir_path("tables/a/").ok(), Some(Path::from("a")));
        assert!(tables.path("other/a").is_err());
        assert!(none.path("a//b").is_err());
    }
}
