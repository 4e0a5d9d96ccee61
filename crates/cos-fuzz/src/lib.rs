//! The fuzz entry points of cos-rs: one `fn(&[u8])` per parser and state machine of
//! `cos-proto`, `cos-transfer` and `cos-crypto`. Each one decodes the input, runs the code
//! under test and asserts its invariants (not only that nothing panics).
//!
//! The cargo-fuzz targets in `fuzz/fuzz_targets/` call these functions, and
//! `tests/corpus_replay.rs` replays every committed corpus file and regression input
//! through them on the stable toolchain, so a crash found once stays fixed.
//!
//! To add a target:
//!
//! 1. write `pub fn name(data: &[u8])` in a module here (decode the input with
//!    [`input::Reader`] or the text forms of [`input`], assert the invariants);
//! 2. list it in [`TARGETS`] and give it seeds in [`seeds::seeds`], then write them with
//!    `COS_FUZZ_WRITE_SEEDS=1 cargo test -p cos-fuzz`;
//! 3. add `fuzz/fuzz_targets/name.rs` (five lines, like the others) and its `[[bin]]` in
//!    `fuzz/Cargo.toml`. `tests/corpus_replay.rs` fails until all three agree.
//!
//! Three targets cover the crates above `cos-proto`:
//!
//! * `checkpoint` ([`checkpoint::checkpoint`]): any bytes as a `cos-transfer` upload and
//!   download checkpoint file; what parses is consistent and round-trips through its JSON.
//! * `encryption_envelope` ([`crypto::encryption_envelope`]): the `cos-crypto` envelope
//!   opened from arbitrary object headers with fixed AES and RSA master keys; unknown or
//!   missing algorithms, malformed values and wrong lengths fail closed, and what opens
//!   has consistent lengths, offsets and part offsets.
//! * `transfer_sequence` ([`transfer::transfer_sequence`]): a program of driver outcomes
//!   (successes, faults, lost and out-of-order answers, stale outcomes, resumes from
//!   earlier checkpoints) fed to the `cos-transfer` upload, download and copy machines
//!   against a simulated COS: every run ends, requests stay within the object and the
//!   window, checkpoints only name acknowledged parts, and a success has the source's
//!   data.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod checkpoint;
pub mod crypto;
pub mod error;
pub mod headers;
pub mod input;
pub mod machines;
pub mod seeds;
pub mod select;
pub mod sign;
pub mod transfer;
pub mod xml;

/// One fuzz target: its name (the file name under `fuzz/fuzz_targets/` and the folder
/// name under `fuzz/corpus/`) and its entry point.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// The entry point: decodes the input, runs the code, asserts the invariants.
    pub run: fn(&[u8]),
}

/// Every target, in the order `cargo xtask fuzz` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "list_objects",
        run: xml::list_objects,
    },
    Target {
        name: "list_object_versions",
        run: xml::list_object_versions,
    },
    Target {
        name: "list_multipart_uploads",
        run: xml::list_multipart_uploads,
    },
    Target {
        name: "list_parts",
        run: xml::list_parts,
    },
    Target {
        name: "delete_objects",
        run: xml::delete_objects,
    },
    Target {
        name: "copy_result",
        run: xml::copy_result,
    },
    Target {
        name: "complete_multipart_upload",
        run: xml::complete_multipart_upload,
    },
    Target {
        name: "initiate_multipart_upload",
        run: xml::initiate_multipart_upload,
    },
    Target {
        name: "object_tagging",
        run: xml::object_tagging,
    },
    Target {
        name: "object_acl",
        run: xml::object_acl,
    },
    Target {
        name: "error_response",
        run: error::error_response,
    },
    Target {
        name: "select_decoder",
        run: select::select_decoder,
    },
    Target {
        name: "select_roundtrip",
        run: select::select_roundtrip,
    },
    Target {
        name: "content_range",
        run: headers::content_range,
    },
    Target {
        name: "crc64",
        run: headers::crc64,
    },
    Target {
        name: "object_headers",
        run: headers::object_headers,
    },
    Target {
        name: "authorization",
        run: sign::authorization,
    },
    Target {
        name: "sign_request",
        run: sign::sign_request,
    },
    Target {
        name: "download",
        run: machines::download,
    },
    Target {
        name: "call",
        run: machines::call,
    },
    Target {
        name: "checkpoint",
        run: checkpoint::checkpoint,
    },
    Target {
        name: "encryption_envelope",
        run: crypto::encryption_envelope,
    },
    Target {
        name: "transfer_sequence",
        run: transfer::transfer_sequence,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
