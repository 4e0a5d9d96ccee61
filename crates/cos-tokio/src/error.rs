//! The client's error type: one definition in `cos-proto`, shared with the other client.

pub use cos_proto::driver::error::{BoxError, Error};
