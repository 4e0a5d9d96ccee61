//! The remaining operations' kwargs mappings and result views.

use super::python::{Kwargs, PyOp};

pub(crate) fn operation(name: &str, _kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    Err(format!("operation {name} is not mapped"))
}
