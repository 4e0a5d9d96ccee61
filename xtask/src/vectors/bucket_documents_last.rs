//! Inventory, domain, intelligent tiering and object lock.

use super::python::{Kwargs, PyOp};

pub(crate) fn operation(name: &str, _kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    Err(format!("operation {name} is not mapped"))
}
