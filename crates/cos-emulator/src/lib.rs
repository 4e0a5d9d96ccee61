//! `cos-emulator`: A local Tencent Cloud COS-compatible server with fault injection.
//!
//! This crate is being built; see the workspace README for the plan.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
