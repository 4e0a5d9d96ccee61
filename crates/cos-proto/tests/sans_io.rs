//! `cos-proto` is Sans-IO: its sources use no sockets, files, threads, clock or random
//! source, and its manifest names no async runtime or HTTP client. (`cargo xtask ci` also
//! checks the resolved dependency tree.)

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Test modules may read the golden vector files; the library itself may not.
fn is_test_file(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "tests") || path.ends_with("test_support.rs")
}

#[test]
fn library_sources_do_no_io_and_read_no_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 10, "found the sources");
    const FORBIDDEN: [&str; 10] = [
        "std::net",
        "std::fs",
        "std::thread",
        "std::process",
        "std::env",
        "SystemTime",
        "Instant",
        "tokio",
        "hyper",
        "ureq",
    ];
    let mut offences = Vec::new();
    for file in files.iter().filter(|f| !is_test_file(f)) {
        let text = std::fs::read_to_string(file).expect("readable source");
        // Code after a `#[cfg(test)]` module marker is test code.
        let library_part = text.split("#[cfg(test)]").next().unwrap_or_default();
        let code: String = library_part
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for word in FORBIDDEN {
            if code.contains(word) {
                offences.push(format!("{}: {word}", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "Sans-IO violations: {offences:?}");
}

#[test]
fn manifest_has_no_runtime_or_client_dependency() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("manifest");
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    for name in [
        "tokio",
        "hyper",
        "ureq",
        "reqwest",
        "mio",
        "socket2",
        "rand",
        "getrandom",
        "async-std",
    ] {
        assert!(
            !dependencies
                .lines()
                .any(|l| l.trim_start().starts_with(name)),
            "cos-proto must not depend on {name}"
        );
    }
}
