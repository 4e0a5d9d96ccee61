//! Workspace automation, as a library so that tests run the same code as `cargo xtask`.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

pub mod api_parity;
pub mod bench;
pub mod bench_cli;
pub mod bench_micro;
pub mod bench_peer;
pub mod bench_table;
pub mod bench_transfer;
pub mod ci;
pub mod datafusion_demo;
pub mod fuzz;
pub mod interop;
mod interop_crypto;
mod interop_sts;
mod interop_vectors;
pub mod readme;
pub mod vectors;
