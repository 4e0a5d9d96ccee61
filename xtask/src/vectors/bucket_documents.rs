//! The bucket operations that carry a configuration document: the SDK's dict arguments
//! read into `cos-proto`'s typed models, and the parsed documents rendered back.

use serde_json::Value;

use super::python::{Kwargs, PyOp};

pub(crate) fn operation(name: &str, _kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    Err(format!("operation {name} is not mapped"))
}

#[allow(dead_code)]
fn unused(_: Value) {}
