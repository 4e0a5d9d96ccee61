//! `cos-crypto`: Client-side envelope encryption for Tencent Cloud COS.
//!
//! This crate is being built; see the workspace README for the plan.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
