//! Every object operation, one file each.
//!
//! Each operation is a plain struct with builder methods for every parameter COS
//! accepts; it implements [`crate::Operation`].

mod custom_request;
mod get_object;
mod head_object;
mod object_info;
mod put_object;
mod range;
mod setters;
#[cfg(test)]
pub(crate) mod test_support;

pub use custom_request::CustomRequest;
pub use get_object::{GetObject, GetObjectOutput, ResponseOverride};
pub use head_object::HeadObject;
pub use object_info::ObjectInfo;
pub use put_object::{MAX_SINGLE_UPLOAD, PutObject, PutObjectOutput};
pub use range::{ByteRange, ContentRange};
