//! The reference SDK's bucket calls (`create_bucket(**kwargs)`, ...) as `cos-proto`
//! bucket operations, and their outputs as the SDK's return values. The configuration
//! documents given as dicts are read in [`super::bucket_documents`].

use bytes::Bytes;
use cos_proto::Error;
use cos_proto::ops::bucket;
use serde_json::Value;

use super::bucket_view::sdk_dict;
use super::python::{ExtraHeaders, Kwargs, PyOp, header_view, typed};

macro_rules! extra_headers {
    ($($op:ident),* $(,)?) => {
        $(impl ExtraHeaders for bucket::$op {
            fn extra_header(self, name: String, value: String) -> Self {
                self.header(name, value)
            }
        })*
    };
}

extra_headers!(
    BucketExists,
    CreateBucket,
    DeleteBucket,
    GetBucketLocation,
    HeadBucket,
    ListBuckets,
);

/// Builds the operation the SDK's `name(**kwargs)` call stands for, with the client's
/// `config` (its `ServiceDomain` decides GET Service's host).
pub(crate) fn operation(
    name: &str,
    kwargs: &Value,
    config: &Value,
) -> Result<Box<dyn PyOp>, String> {
    let mut kw = Kwargs::new(kwargs)?;
    let op = match name {
        "list_buckets" => list_buckets(&mut kw, config)?,
        "create_bucket" => create_bucket(&mut kw)?,
        "head_bucket" => typed(&mut kw, bucket::HeadBucket::new(), None, |_, r| {
            Value::Object(header_view(r))
        })?,
        "bucket_exists" => typed(&mut kw, bucket::BucketExists::new(), None, |o, _| {
            Value::Bool(*o)
        })?,
        "delete_bucket" => typed(&mut kw, bucket::DeleteBucket::new(), None, |_, _| {
            Value::Null
        })?,
        "get_bucket_location" => typed(
            &mut kw,
            bucket::GetBucketLocation::new(),
            None,
            |o, _| serde_json::json!({ "LocationConstraint": o.location }),
        )?,
        other => super::bucket_documents::operation(other, &mut kw)?,
    };
    kw.finish()?;
    Ok(op)
}

/// An operation `cos-proto` refuses before building anything, as the SDK did.
pub(crate) struct Refused(pub(crate) Error);

impl PyOp for Refused {
    fn request(&self, _: &cos_proto::Config) -> Result<http::Request<cos_proto::Body>, Error> {
        Err(self.0.clone())
    }

    fn payload(&self) -> Option<Vec<u8>> {
        None
    }

    fn parse(&self, _: &http::Uri, _: http::Response<Bytes>) -> Result<Value, Error> {
        Err(self.0.clone())
    }
}

fn list_buckets(kw: &mut Kwargs<'_>, config: &Value) -> Result<Box<dyn PyOp>, String> {
    let mut op = bucket::ListBuckets::new();
    if let Some(host) = config.get("ServiceDomain").and_then(Value::as_str) {
        op = op.endpoint(bucket::ServiceEndpoint::Host(host.to_owned()));
    }
    if let Some(v) = kw.str("Marker") {
        op = op.marker(v);
    }
    if let Some(v) = kw.u64("MaxKeys")? {
        op = op.max_keys(u32::try_from(v).map_err(|_| "MaxKeys")?);
    }
    match (kw.str("TagKey"), kw.str("TagValue")) {
        (Some(key), Some(value)) => op = op.tag(key, value),
        (None, None) => {}
        _ => return Err("a tag filter needs TagKey and TagValue".into()),
    }
    if let Some(v) = kw.str("Region") {
        op = op.region(v);
    }
    match (kw.u64("CreateTime")?, kw.str("Range").as_deref()) {
        (Some(time), Some("lt")) => op = op.created(time, bucket::TimeRange::Before),
        (Some(time), Some("gt")) => op = op.created(time, bucket::TimeRange::After),
        (None, None) => {}
        other => return Err(format!("creation-time filter {other:?}")),
    }
    typed(kw, op, None, |o, _| sdk_dict(&o.document, &["Bucket"]))
}

fn create_bucket(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = bucket::CreateBucket::new();
    if let Some(v) = kw.str("ACL") {
        op = op.acl(v);
    }
    if let Some(v) = kw.str("GrantRead") {
        op = op.grant_read(v);
    }
    if let Some(v) = kw.str("GrantWrite") {
        op = op.grant_write(v);
    }
    if let Some(v) = kw.str("GrantFullControl") {
        op = op.grant_full_control(v);
    }
    if let Some(v) = kw.str("BucketAZConfig") {
        op = op.az_config(v);
    }
    if let Some(v) = kw.str("BucketArchConfig") {
        op = op.arch_config(v);
    }
    typed(kw, op, None, |_, _| Value::Null)
}
