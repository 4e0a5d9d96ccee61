//! `cos-tokio`: Async (tokio + hyper) client for Tencent Cloud COS.
//!
//! This crate is being built; see the workspace README for the plan.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
