//! `--include` / `--exclude`: glob patterns over keys, relative to the prefix worked on.

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::failure::CliError;

/// Which keys a command keeps: those matching an `--include` pattern (any key when there
/// is none) and no `--exclude` pattern. `*` also matches `/`: `*.log` finds logs at any
/// depth.
#[derive(Debug, Default)]
pub(crate) struct KeyFilter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl KeyFilter {
    /// The filter of `--include` and `--exclude`; a pattern that is not a glob is a usage
    /// error.
    pub(crate) fn new(include: &[String], exclude: &[String]) -> Result<KeyFilter, CliError> {
        Ok(KeyFilter {
            include: set_of(include, "--include")?,
            exclude: set_of(exclude, "--exclude")?,
        })
    }

    /// Whether the key at `relative` (the part after the prefix) is kept.
    pub(crate) fn accepts(&self, relative: &str) -> bool {
        self.include
            .as_ref()
            .is_none_or(|set| set.is_match(relative))
            && !self
                .exclude
                .as_ref()
                .is_some_and(|set| set.is_match(relative))
    }
}

fn set_of(patterns: &[String], flag: &str) -> Result<Option<GlobSet>, CliError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern)
            .map_err(|err| CliError::usage(format!("{flag} {pattern:?}: {err}")))?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|err| CliError::usage(format!("{flag}: {err}")))
}

#[cfg(test)]
mod tests {
    use super::KeyFilter;

    #[test]
    fn include_then_exclude() {
        let filter = KeyFilter::new(&["*.log".into()], &["tmp/*".into()]).expect("globs");
        assert!(filter.accepts("a.log"));
        assert!(filter.accepts("2024/05/a.log"));
        assert!(!filter.accepts("tmp/a.log"));
        assert!(!filter.accepts("a.txt"));
        assert!(KeyFilter::default().accepts("anything"));
        assert!(KeyFilter::new(&["a[".into()], &[]).is_err());
    }
}
