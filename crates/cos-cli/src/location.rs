//! Where a command reads or writes: a `cos://bucket-appid/key` URL or a local path.

use std::fmt;
use std::path::PathBuf;

use crate::failure::CliError;

/// The URL scheme of an object or prefix.
pub(crate) const SCHEME: &str = "cos://";

/// An argument naming objects or files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A local file or directory (`-` is not a path: [`crate::commands::cat`] writes to
    /// standard output on its own).
    Local(PathBuf),
    /// An object, or the objects under a prefix, of a bucket.
    Remote(Remote),
}

/// `cos://bucket-appid/key`: the key is taken as written (no percent-decoding: COS keys
/// may contain `%`), and may be empty (the whole bucket) or end with `/` (a prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Remote {
    /// The bucket, `bucketname-appid`.
    pub(crate) bucket: String,
    /// The key or prefix.
    pub(crate) key: String,
}

impl Location {
    /// Reads a command-line argument: `cos://…` is remote, anything else a local path.
    pub(crate) fn parse(arg: &str) -> Result<Location, CliError> {
        match arg.strip_prefix(SCHEME) {
            Some(rest) => Remote::parse_after_scheme(arg, rest).map(Location::Remote),
            None if arg.is_empty() => Err(CliError::usage("an empty path names nothing")),
            None => Ok(Location::Local(PathBuf::from(arg))),
        }
    }
}

impl Remote {
    /// Reads a `cos://` argument; anything else is a usage error.
    pub(crate) fn parse(arg: &str) -> Result<Remote, CliError> {
        match Location::parse(arg)? {
            Location::Remote(remote) => Ok(remote),
            Location::Local(_) => Err(CliError::usage(format!(
                "{arg:?} is not a COS URL: write cos://bucket-appid/key"
            ))),
        }
    }

    fn parse_after_scheme(arg: &str, rest: &str) -> Result<Remote, CliError> {
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(CliError::usage(format!(
                "{arg:?} names no bucket: write cos://bucket-appid/key"
            )));
        }
        Ok(Remote {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }

    /// The same bucket, another key.
    pub(crate) fn with_key(&self, key: impl Into<String>) -> Remote {
        Remote {
            bucket: self.bucket.clone(),
            key: key.into(),
        }
    }

    /// The key as a prefix of a tree: empty, or ending with `/`.
    pub(crate) fn dir_prefix(&self) -> String {
        if self.key.is_empty() || self.key.ends_with('/') {
            self.key.clone()
        } else {
            format!("{}/", self.key)
        }
    }
}

impl fmt::Display for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SCHEME}{}/{}", self.bucket, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        assert_eq!(
            Location::parse("cos://examplebucket-1250000000/a/b%20c").expect("url"),
            Location::Remote(Remote {
                bucket: "examplebucket-1250000000".into(),
                key: "a/b%20c".into(),
            })
        );
        let bare = Remote::parse("cos://examplebucket-1250000000").expect("url");
        assert_eq!((bare.key.as_str(), bare.dir_prefix()), ("", String::new()));
        let dir = Remote::parse("cos://b-1/logs").expect("url");
        assert_eq!(dir.dir_prefix(), "logs/");
        assert_eq!(dir.to_string(), "cos://b-1/logs");
        assert_eq!(
            Location::parse("./cos:/x").expect("path"),
            Location::Local("./cos:/x".into())
        );
        for bad in ["cos://", "cos:///key", ""] {
            assert!(Location::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Remote::parse("/tmp/x").is_err());
    }
}
