//! Object key rules.

use crate::error::InputError;

/// The longest key COS accepts, in bytes of UTF-8.
pub const MAX_KEY_LEN: usize = 850;

/// Checks an object key before it goes into a request:
///
/// * it must not be empty, nor longer than [`MAX_KEY_LEN`] bytes;
/// * it must not normalise to `/` like a POSIX path (`/`, `a/..`, `./`): such a request
///   would address the bucket itself (the official SDK's "key simplify" check, applied
///   here to every operation, not only GET);
/// * its last segment must not be `.` or `..`: HTTP stacks and proxies collapse such dot
///   segments, so the request would reach another key than the one signed.
///
/// ```
/// use cos_proto::key::check_key;
/// assert!(check_key("photos/2024/a.jpg").is_ok());
/// assert!(check_key("a/b/../..").is_err());
/// ```
pub fn check_key(key: &str) -> Result<(), InputError> {
    if key.is_empty() {
        return Err(InputError::EmptyKey);
    }
    if key.len() > MAX_KEY_LEN {
        return Err(InputError::KeyTooLong { len: key.len() });
    }
    if resolves_to_root(key) {
        return Err(InputError::KeyResolvesToBucket {
            key: key.to_owned(),
        });
    }
    check_dot_segment(key)
}

/// [`check_key`] without the "key simplify" rule, for a caller who opts out of it to
/// reach an object whose key normalises to `/` (`a/../`, `./`): such keys exist, and the
/// URL path escapes their dot segments (`a/..%2F`). Still refused: an empty or too long
/// key, a last segment `.` or `..`, and the key `/`, whose URL path is the bucket's.
pub fn check_key_unsimplified(key: &str) -> Result<(), InputError> {
    if key == "/" {
        return Err(InputError::KeyResolvesToBucket {
            key: key.to_owned(),
        });
    }
    match check_key(key) {
        Err(InputError::KeyResolvesToBucket { .. }) => check_dot_segment(key),
        other => other,
    }
}

fn check_dot_segment(key: &str) -> Result<(), InputError> {
    let last = key.rsplit('/').next().unwrap_or(key);
    if last == "." || last == ".." {
        return Err(InputError::KeyEndsWithDotSegment {
            key: key.to_owned(),
        });
    }
    Ok(())
}

/// `simplify(key) == "/"`, without building the simplified path: counts the segments
/// that would remain.
fn resolves_to_root(key: &str) -> bool {
    let mut depth = 0usize;
    for segment in key.split('/') {
        match segment {
            "" | "." => {}
            ".." => depth = depth.saturating_sub(1),
            _ => depth += 1,
        }
    }
    depth == 0
}

/// Normalises a key like a POSIX path: empty segments and `.` are dropped, `..` pops a
/// segment, the result is `/` followed by the remaining segments joined by `/`.
pub fn simplify(key: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in key.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    format!("/{}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_resolve_to_the_bucket_are_rejected() {
        for key in [
            "/",
            "////",
            "/abc/../",
            "/./",
            "/././///abc/.//def//../../",
            "a/..",
            "..",
            ".",
        ] {
            assert!(check_key(key).is_err(), "{key:?} must be rejected");
        }
        assert!(matches!(
            check_key("/abc/../"),
            Err(InputError::KeyResolvesToBucket { .. })
        ));
    }

    #[test]
    fn trailing_dot_segments_are_rejected() {
        assert!(matches!(
            check_key("a/b/.."),
            Err(InputError::KeyEndsWithDotSegment { .. })
        ));
        assert!(matches!(
            check_key("a/."),
            Err(InputError::KeyEndsWithDotSegment { .. })
        ));
        assert!(check_key("a/.b").is_ok());
        assert!(check_key("a/../b").is_ok());
        assert!(check_key("a/..b/c..").is_ok());
    }

    #[test]
    fn length_limit_is_in_bytes() {
        assert!(check_key(&"a".repeat(850)).is_ok());
        assert_eq!(
            check_key(&"a".repeat(851)),
            Err(InputError::KeyTooLong { len: 851 })
        );
        assert!(check_key(&"中".repeat(284)).is_err());
        assert_eq!(check_key(""), Err(InputError::EmptyKey));
    }

    proptest::proptest! {
        #[test]
        fn root_check_agrees_with_simplify(key in "[./a]{0,12}") {
            proptest::prop_assert_eq!(resolves_to_root(&key), simplify(&key) == "/");
        }
    }

    #[test]
    fn ordinary_keys_pass() {
        for key in [
            "a",
            "dir/",
            "/leading",
            "//double//slash",
            "中文/파일 이름.txt",
            " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~end",
        ] {
            assert!(check_key(key).is_ok(), "{key:?} must pass");
        }
    }

    #[test]
    fn the_unsimplified_check_lets_dot_keys_through_but_never_the_root() {
        for key in [
            "a/../",
            "./",
            "////",
            "/abc/../",
            "/././///abc/.//def//../../",
        ] {
            assert!(check_key(key).is_err(), "{key}");
            assert_eq!(check_key_unsimplified(key), Ok(()), "{key}");
        }
        for key in ["", "/", "a/..", "a/.", "."] {
            assert!(check_key_unsimplified(key).is_err(), "{key}");
        }
        assert_eq!(check_key_unsimplified("a/b"), Ok(()));
    }
}
