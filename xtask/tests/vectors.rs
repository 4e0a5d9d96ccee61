//! Runs the golden vectors of the official Python SDK (`../shared/vectors`) through the
//! same code as `cargo xtask vectors`, and shows the runner can fail.

use std::path::{Path, PathBuf};

use xtask::vectors::{self, Verdict};

fn vectors_dir() -> PathBuf {
    vectors::default_dir()
}

#[test]
fn every_golden_vector_passes() {
    let report = vectors::run(&vectors_dir());
    let failures: Vec<String> = report
        .cases
        .iter()
        .filter_map(|c| match &c.verdict {
            Verdict::Fail(why) => Some(format!("{}#{}: {why}", c.file, c.id)),
            _ => None,
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Skipped: only the reference's marked quirks (client-side encryption is checked
    // against cos-crypto like everything else).
    for case in &report.cases {
        if let Verdict::Skip(why) = &case.verdict {
            assert!(
                why.starts_with("quirk"),
                "{}#{} skipped: {why}",
                case.file,
                case.id
            );
        }
    }
    let encryption_passed = report
        .cases
        .iter()
        .filter(|c| c.file == "encryption.json" && c.verdict == Verdict::Pass)
        .count();
    assert!(
        encryption_passed >= 31,
        "only {encryption_passed} encryption cases passed: {report}"
    );
    assert!(
        report.passed() >= 190,
        "only {} cases passed: {report}",
        report.passed()
    );
}

/// A scratch copy of the vectors folder.
fn copy_of_vectors(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cos-vectors-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for entry in std::fs::read_dir(vectors_dir()).expect("vectors folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

fn alter(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("vector file");
    assert!(text.contains(from), "{file} contains {from}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// Replaces every occurrence, so that a value repeated in a case stays self-consistent
/// and only the comparison with `cos-crypto` can catch it.
fn alter_all(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("vector file");
    assert!(text.contains(from), "{file} contains {from}");
    std::fs::write(&path, text.replace(from, to)).expect("write");
}

#[test]
fn an_altered_vector_fails() {
    let dir = copy_of_vectors("altered");
    // One signature of `put-simple`, one byte changed.
    alter(
        &dir,
        "signature.json",
        "3830fd89bc72349089208ca6d7af49904e4de76c",
        "3830fd89bc72349089208ca6d7af49904e4de76d",
    );
    // One CRC of crc64.json.
    alter(
        &dir,
        "crc64.json",
        "\"11051210869376104954\"",
        "\"11051210869376104955\"",
    );
    let report = vectors::run(&dir);
    let failed: Vec<&str> = report
        .cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail(_)))
        .map(|c| c.id.as_str())
        .collect();
    assert!(failed.contains(&"put-simple"), "{failed:?}");
    assert!(failed.contains(&"check-123456789"), "{failed:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_altered_encryption_vector_fails() {
    let dir = copy_of_vectors("altered-encryption");
    // The wrapped data key of `put-aes256-0`, one Base64 digit changed everywhere it
    // appears (wrapped_key_base64, encryption_headers, the request).
    alter_all(
        &dir,
        "encryption.json",
        "JpbGRd1JoYPxPYotlHSyukHyyGgxE+vfiem4J5FE0EY=",
        "JpbGRd1JoYPxPYotlHSyukHyyGgxE+vfiem4J5FE0EZ=",
    );
    // The plaintext `get-aes256-5_40` expects from its range, one digit changed.
    alter_all(
        &dir,
        "encryption.json",
        "vhNdP33AlfWyhaM2B269HWs7vBHB/eqiPwlYHocQO6BAxhce",
        "vhNdP33AlfWyhaM2B269HWs7vBHB/eqiPwlYHocQO6BAxhcf",
    );
    // One part's ciphertext of the out-of-order multipart case.
    alter(
        &dir,
        "encryption.json",
        "76N+nrcbsGoK0qoyjrS+ZfJfb9S1MYTGWzJ4ei7B2lBI",
        "76N+nrcbsGoK0qoyjrS+ZfJfb9S1MYTGWzJ4ei7B2lBJ",
    );
    let report = vectors::run(&dir);
    let failed: Vec<&str> = report
        .cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Fail(_)))
        .map(|c| c.id.as_str())
        .collect();
    assert!(failed.contains(&"put-aes256-0"), "{failed:?}");
    assert!(failed.contains(&"get-aes256-5_40"), "{failed:?}");
    assert!(
        failed.contains(&"multipart-rsa-oaep-4096x4096x100-213"),
        "{failed:?}"
    );
    assert_eq!(failed.len(), 3, "{failed:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_folder_is_a_failure_not_a_pass() {
    let report = vectors::run(Path::new("/nonexistent/vectors"));
    assert_eq!(report.passed(), 0);
    assert_eq!(report.failed(), 1);
}

#[test]
fn every_bucket_vector_passes() {
    let report = vectors::run(&vectors_dir().join("bucket"));
    let failures: Vec<String> = report
        .cases
        .iter()
        .filter_map(|c| match &c.verdict {
            Verdict::Fail(why) => Some(format!("{}#{}: {why}", c.file, c.id)),
            _ => None,
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for case in &report.cases {
        if let Verdict::Skip(why) = &case.verdict {
            assert!(
                why.starts_with("quirk"),
                "{}#{} skipped: {why}",
                case.file,
                case.id
            );
        }
    }
    assert!(
        report.passed() >= 89,
        "only {} cases passed: {report}",
        report.passed()
    );
}
