//! `--include` and `--exclude`: which paths (relative to the source root or prefix, with
//! `/` separators) a command touches (`cp`, `mv`, `sync`, `rm -r`).

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::failure::CliError;

/// The globs of `--include` and `--exclude` (by default none: everything passes).
#[derive(Debug, Default)]
pub(crate) struct Filter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl Filter {
    /// The filter of these globs; a glob that does not parse is a usage error.
    pub(crate) fn new(include: &[String], exclude: &[String]) -> Result<Filter, CliError> {
        Ok(Filter {
            include: set("--include", include)?,
            exclude: set("--exclude", exclude)?,
        })
    }

    /// Whether `relative` is transferred (or deleted, or removed by `rm -r`): it matches no exclude, and some
    /// include when there are any.
    pub(crate) fn allows(&self, relative: &str) -> bool {
        if self
            .exclude
            .as_ref()
            .is_some_and(|set| set.is_match(relative))
        {
            return false;
        }
        self.include
            .as_ref()
            .is_none_or(|set| set.is_match(relative))
    }
}

fn set(flag: &str, globs: &[String]) -> Result<Option<GlobSet>, CliError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let parsed = Glob::new(glob).map_err(|err| {
            CliError::usage(format!("{flag} {glob:?}: {err}"))
                .hint("write a glob such as '*.log', 'logs/**' or 'a/?.txt'")
        })?;
        builder.add(parsed);
    }
    builder
        .build()
        .map(Some)
        .map_err(|err| CliError::usage(format!("{flag}: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(include: &[&str], exclude: &[&str]) -> Filter {
        let own = |globs: &[&str]| globs.iter().map(|g| (*g).to_owned()).collect::<Vec<_>>();
        Filter::new(&own(include), &own(exclude)).expect("globs")
    }

    #[test]
    fn everything_passes_without_globs() {
        assert!(filter(&[], &[]).allows("a/b/c.txt"));
    }

    #[test]
    fn includes_select_and_excludes_win() {
        let f = filter(&["*.txt", "docs/**"], &["secret*", "docs/private/**"]);
        assert!(f.allows("a.txt"));
        assert!(f.allows("deep/dir/a.txt"), "* crosses /");
        assert!(f.allows("docs/x.bin"));
        assert!(!f.allows("a.bin"));
        assert!(!f.allows("secret.txt"), "an exclude wins over an include");
        assert!(!f.allows("docs/private/k.txt"));
    }

    #[test]
    fn excludes_alone_keep_the_rest() {
        let f = filter(&[], &["*.tmp"]);
        assert!(f.allows("a.txt"));
        assert!(!f.allows("x/y.tmp"));
    }

    #[test]
    fn bad_globs_are_usage_errors() {
        let err = Filter::new(&["a[".to_owned()], &[]).expect_err("bad glob");
        assert!(err.to_string().contains("--include"), "{err}");
    }

    #[test]
    fn keys_under_a_prefix_as_rm_filters_them() {
        let f = filter(&["*.log"], &["tmp/*"]);
        assert!(f.allows("2024/05/a.log"));
        assert!(!f.allows("tmp/a.log"));
        assert!(!f.allows("a.txt"));
        assert!(Filter::new(&["a[".into()], &[]).is_err());
    }
}
