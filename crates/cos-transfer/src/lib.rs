//! `cos-transfer`: Resumable transfer state machine for Tencent Cloud COS (Sans-IO).
//!
//! This crate is being built; see the workspace README for the plan.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
