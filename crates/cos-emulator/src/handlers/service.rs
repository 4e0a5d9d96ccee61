//! GET Service (ListBuckets): `GET /` on `service.cos.myqcloud.com` (or `cos.<region>…`),
//! or on the emulator's own address with no bucket in the path.
//!
//! Buckets come in name order. Filters: `marker` (names after it), `max-keys` (default
//! and maximum 2000), `region`, `tagkey`/`tagvalue` (the bucket's tags), `create-time`
//! with `range` (`gt`, `gte`, `lt`, `lte`, `eq`; Unix seconds). `Marker`, `IsTruncated`,
//! `NextMarker` and `MaxKeys` are written only for a truncated page or one that started
//! at a marker, as COS does.

use http::{Response, StatusCode};

use super::bucket::bucket_region;
use crate::body::ResponseBody;
use crate::context::{Req, xml};
use crate::errors::{CosError, ErrorCode};
use crate::store::types::BucketRecord;
use crate::time_fmt::iso8601;
use crate::xml_in;
use crate::xml_out::{XmlWriter, bool_text};

/// The largest (and default) page.
const MAX_KEYS: usize = 2000;

fn invalid(message: String) -> CosError {
    CosError::with_message(ErrorCode::InvalidArgument, message)
}

/// `true` when the bucket's stored tags have `key` (with `value`, when given).
fn has_tag(record: &BucketRecord, key: &str, value: Option<&str>) -> bool {
    let Some(tagging) = record
        .configs
        .get("tagging")
        .and_then(|t| xml_in::parse(t.as_bytes()).ok())
    else {
        return false;
    };
    let Some(set) = tagging.child("TagSet") else {
        return false;
    };
    set.children_named("Tag").any(|tag| {
        tag.child_text("Key") == Some(key)
            && value.is_none_or(|v| tag.child_text("Value") == Some(v))
    })
}

/// A `create-time` filter.
fn created_matches(created: u64, range: &str, bound: u64) -> bool {
    match range {
        "gt" => created > bound,
        "gte" => created >= bound,
        "lt" => created < bound,
        "lte" => created <= bound,
        _ => created == bound,
    }
}

/// GET Service.
pub(crate) fn list_buckets(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let marker = req.param("marker").unwrap_or("");
    let max_keys = match req.param("max-keys").filter(|v| !v.is_empty()) {
        None => MAX_KEYS,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= MAX_KEYS)
            .ok_or_else(|| invalid(format!("max-keys must be 0..=2000, got {v:.32}")))?,
    };
    let region = req.param("region").filter(|r| !r.is_empty());
    let tag_key = req.param("tagkey").filter(|k| !k.is_empty());
    let tag_value = req.param("tagvalue").filter(|v| !v.is_empty());
    let created = match req.param("create-time").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(
            v.parse::<u64>()
                .map_err(|_| invalid(format!("create-time must be Unix seconds, got {v:.32}")))?,
        ),
    };
    let range = req.param("range").unwrap_or("eq");
    let records: Vec<BucketRecord> = req.app.store.read(|s| {
        s.buckets
            .values()
            .map(|b| b.record.clone())
            .filter(|r| r.name.as_str() > marker)
            .collect()
    });
    let matching: Vec<(BucketRecord, String)> = records
        .into_iter()
        .map(|r| {
            let location = bucket_region(req, &r);
            (r, location)
        })
        .filter(|(r, location)| {
            region.is_none_or(|want| want == location)
                && tag_key.is_none_or(|k| has_tag(r, k, tag_value))
                && created.is_none_or(|bound| created_matches(r.created, range, bound))
        })
        .collect();
    let truncated = matching.len() > max_keys;
    let page = &matching[..matching.len().min(max_keys)];
    let mut w = XmlWriter::new();
    w.open("ListAllMyBucketsResult");
    req.app.owner("").write_cam(&mut w, "Owner");
    if page.is_empty() {
        w.empty("Buckets");
    } else {
        w.open("Buckets");
        for (record, location) in page {
            let kind = if record.arch.as_deref() == Some("OFS") {
                "ofs"
            } else {
                "cos"
            };
            w.open("Bucket")
                .leaf("Name", &record.name)
                .leaf("Location", location)
                .leaf("CreationDate", &iso8601(record.created))
                .leaf("BucketType", kind)
                .close("Bucket");
        }
        w.close("Buckets");
    }
    if truncated || !marker.is_empty() {
        w.leaf("Marker", marker)
            .leaf("IsTruncated", bool_text(truncated));
        if truncated && let Some((last, _)) = page.last() {
            w.leaf("NextMarker", &last.name);
        }
        w.leaf("MaxKeys", &max_keys.to_string());
    }
    w.close("ListAllMyBucketsResult");
    Ok(xml(StatusCode::OK, w.finish()))
}
