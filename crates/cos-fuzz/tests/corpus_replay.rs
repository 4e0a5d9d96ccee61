//! Replays every committed input — the seed corpora under `fuzz/corpus/<target>/` and the
//! crash regressions under `fuzz/artifacts/<target>/` — through the same entry points the
//! cargo-fuzz targets call, on the stable toolchain.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use cos_fuzz::{TARGETS, seeds};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The regular files of `dir`, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    !p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_committed_input_replays_cleanly() {
    let mut replayed = 0;
    let mut failures = Vec::new();
    for target in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(target.name));
        assert!(!corpus.is_empty(), "{} has no seed corpus", target.name);
        let regressions = files(&fuzz_dir().join("artifacts").join(target.name));
        for path in corpus.iter().chain(&regressions) {
            let data = fs::read(path).expect("readable input");
            if catch_unwind(AssertUnwindSafe(|| (target.run)(&data))).is_err() {
                failures.push(path.display().to_string());
            }
            replayed += 1;
        }
    }
    assert!(failures.is_empty(), "these inputs fail: {failures:#?}");
    eprintln!(
        "replayed {replayed} inputs through {} targets",
        TARGETS.len()
    );
}

#[test]
fn the_committed_seeds_are_the_generated_ones() {
    let write = std::env::var_os("COS_FUZZ_WRITE_SEEDS").is_some();
    let mut stale = Vec::new();
    for seed in seeds::seeds() {
        assert!(
            cos_fuzz::target(seed.target).is_some(),
            "{} is no target",
            seed.target
        );
        let dir = fuzz_dir().join("corpus").join(seed.target);
        let path = dir.join(seed.name);
        if write {
            fs::create_dir_all(&dir).expect("corpus folder");
            fs::write(&path, &seed.data).expect("seed written");
        } else if fs::read(&path).ok().as_deref() != Some(&seed.data[..]) {
            stale.push(path.display().to_string());
        }
        assert!(
            seed.data.len() <= 4096,
            "{} is not a small seed",
            path.display()
        );
    }
    assert!(
        stale.is_empty(),
        "seeds differ from seeds::seeds() (rewrite them with COS_FUZZ_WRITE_SEEDS=1): {stale:#?}"
    );
}

#[test]
fn every_target_has_a_cargo_fuzz_binary() {
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    let mut on_disk: Vec<String> = files(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = TARGETS.iter().map(|t| t.name.to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "fuzz/fuzz_targets/ and cos_fuzz::TARGETS differ"
    );
    for target in TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{}\"", target.name)),
            "fuzz/Cargo.toml lacks the [[bin]] {}",
            target.name
        );
        let source = fs::read_to_string(
            fuzz_dir()
                .join("fuzz_targets")
                .join(format!("{}.rs", target.name)),
        )
        .expect("target source");
        assert!(
            source.contains(&format!("::{}(data)", target.name)),
            "fuzz/fuzz_targets/{}.rs does not call its entry point",
            target.name
        );
    }
}
