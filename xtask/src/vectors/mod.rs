//! The golden-vector runner: checks every vector file of a folder (format:
//! `shared/vectors/README.md`) against `cos-proto`.
//!
//! Each case passes, fails (with the reason), or is skipped: cases marked `quirk` record a
//! defect of the reference SDK that `cos-proto` deliberately does not copy (what it does
//! instead is documented next to the code and unit-tested there). Client-side encryption
//! cases are checked against `cos-crypto`.

mod bucket;
mod bucket_documents;
mod bucket_documents_last;
mod bucket_documents_more;
mod bucket_ops;
mod bucket_view;
mod cloud_api;
mod cloud_api_calls;
mod cloud_api_credentials;
mod compare;
mod crc64;
mod encryption;
mod presign;
mod python;
mod python_ops;
mod python_rng;
mod requests;
mod responses;
mod select;
mod signature;
mod value;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every checked value matched.
    Pass,
    /// Something differed; the text says what.
    Fail(String),
    /// Not checked, and why.
    Skip(String),
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The vector file name.
    pub file: String,
    /// The case id.
    pub id: String,
    /// The verdict.
    pub verdict: Verdict,
}

/// All results of a run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every case, in file order.
    pub cases: Vec<CaseResult>,
}

impl Report {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.verdict == Verdict::Pass)
            .count()
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Fail(_)))
            .count()
    }

    /// Cases that were skipped.
    pub fn skipped(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Skip(_)))
            .count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed, {} failed", self.passed(), self.failed())?;
        if self.skipped() > 0 {
            write!(f, ", {} skipped", self.skipped())?;
        }
        Ok(())
    }
}

/// The vectors folder: `$COS_VECTORS_DIR`, else `../shared/vectors` beside the workspace.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("COS_VECTORS_DIR") {
        return PathBuf::from(dir);
    }
    crate::ci::workspace_root()
        .join("..")
        .join("shared")
        .join("vectors")
}

/// Checks every `*.json` vector file in `dir` (or the one file `dir` names). A file that
/// cannot be read or has an unknown kind counts as one failed case.
pub fn run(dir: &Path) -> Report {
    let mut report = Report::default();
    let listed = if dir.is_file() {
        Ok(vec![dir.to_path_buf()])
    } else {
        std::fs::read_dir(dir).map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
    };
    let mut files: Vec<PathBuf> = match listed {
        Ok(files) => files,
        Err(err) => {
            report.cases.push(CaseResult {
                file: dir.display().to_string(),
                id: "-".into(),
                verdict: Verdict::Fail(format!("cannot read the folder: {err}")),
            });
            return report;
        }
    };
    files.sort();
    if files.is_empty() {
        report.cases.push(CaseResult {
            file: dir.display().to_string(),
            id: "-".into(),
            verdict: Verdict::Fail("no vector files".into()),
        });
    }
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match load(&path) {
            Ok((text, doc)) if kind_of(&name, &doc) == "tc3_signature.json" => {
                report.cases.extend(cloud_api::check_tc3(&name, &text));
            }
            Ok((text, doc)) if kind_of(&name, &doc) == "credentials.json" => {
                report
                    .cases
                    .extend(cloud_api_credentials::check(&name, &text));
            }
            Ok((text, doc)) if matches!(kind_of(&name, &doc), "sts.json" | "kms.json") => {
                report.cases.extend(cloud_api_calls::check(&name, &text));
            }
            Ok((_, doc)) => check_file(&name, &doc, &mut report),
            Err(err) => report.cases.push(CaseResult {
                file: name,
                id: "-".into(),
                verdict: Verdict::Fail(err),
            }),
        }
    }
    report
}

fn load(path: &Path) -> Result<(String, Value), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let doc = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    Ok((text, doc))
}

/// The kind of a vector file: its `meta.file`, else its name.
fn kind_of<'a>(name: &'a str, doc: &'a Value) -> &'a str {
    doc.pointer("/meta/file")
        .and_then(Value::as_str)
        .unwrap_or(name)
}

fn check_file(name: &str, doc: &Value, report: &mut Report) {
    let kind = kind_of(name, doc).to_owned();
    let Some(cases) = doc.get("cases").and_then(Value::as_array) else {
        report.cases.push(CaseResult {
            file: name.to_owned(),
            id: "-".into(),
            verdict: Verdict::Fail("no `cases` array".into()),
        });
        return;
    };
    let checker: fn(&Value, &Value) -> Verdict = match kind.as_str() {
        "signature.json" => signature::check,
        "presign.json" => presign::check,
        "requests.json" => requests::check,
        "responses.json" => responses::check,
        "crc64.json" => crc64::check,
        "select_eventstream.json" => select::check,
        "encryption.json" => encryption::check,
        "bucket/requests.json" => bucket::check_request,
        "bucket/responses.json" => bucket::check_response,
        other => {
            report.cases.push(CaseResult {
                file: name.to_owned(),
                id: "-".into(),
                verdict: Verdict::Fail(format!("unknown vector file kind {other:?}")),
            });
            return;
        }
    };
    let meta = doc.get("meta").cloned().unwrap_or(Value::Null);
    for case in cases {
        let id = case
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        // The bucket checkers report quirks themselves (after checking what they can).
        let verdict = match case.get("quirk").and_then(Value::as_str) {
            Some(quirk) if !kind.starts_with("bucket/") => {
                Verdict::Skip(format!("quirk of the reference SDK: {quirk}"))
            }
            _ => catch(|| checker(&meta, case)),
        };
        report.cases.push(CaseResult {
            file: name.to_owned(),
            id,
            verdict,
        });
    }
}

/// A checker that panics has found a bug in `cos-proto` (which must never panic): report
/// it as a failure instead of aborting the run.
fn catch(check: impl FnOnce() -> Verdict + std::panic::UnwindSafe) -> Verdict {
    std::panic::catch_unwind(check).unwrap_or_else(|_| Verdict::Fail("panicked".into()))
}

/// Runs every folder or file given and prints: one line per failing case, then one
/// closing count line for all of them.
pub fn main(paths: &[PathBuf], verbose: bool) -> ExitCode {
    let mut report = Report::default();
    for path in paths {
        report.cases.extend(run(path).cases);
    }
    for case in &report.cases {
        match &case.verdict {
            Verdict::Fail(why) => println!("FAIL {}#{}: {why}", case.file, case.id),
            Verdict::Skip(why) if verbose => println!("skip {}#{}: {why}", case.file, case.id),
            Verdict::Pass if verbose => println!("ok   {}#{}", case.file, case.id),
            _ => {}
        }
    }
    println!("{report}");
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Collects mismatches; a case passes when none were recorded.
#[derive(Debug, Default)]
pub(crate) struct Mismatches(Vec<String>);

impl Mismatches {
    /// Records a mismatch when `expected != actual`.
    pub(crate) fn eq<T: PartialEq + fmt::Debug + ?Sized>(
        &mut self,
        what: &str,
        expected: &T,
        actual: &T,
    ) {
        if expected != actual {
            self.0
                .push(format!("{what}: expected {expected:?}, got {actual:?}"));
        }
    }

    /// Records a free-form mismatch.
    pub(crate) fn push(&mut self, why: impl Into<String>) {
        self.0.push(why.into());
    }

    /// The verdict.
    pub(crate) fn verdict(self) -> Verdict {
        if self.0.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail(self.0.join("; "))
        }
    }
}
