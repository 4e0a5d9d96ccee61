//! The remaining operations' kwargs mappings and result views.

use cos_proto::ops::{self, Owner};
use serde_json::{Map, Value, json};

use cos_proto::headers::{StorageClass, content_md5};
use cos_proto::ops::{
    AccessControlPolicy, AclOwner, ByteRange, CopyDirective, CopySource, CsvInput, CsvOutput,
    FileHeaderInfo, Grantee, GranteeKind, InputSerialization, JsonOutput, JsonType,
    OutputSerialization, Permission, QuoteFields, RestoreTier,
};

use super::python::{Kwargs, PyOp, conditions, header_view, object_headers, set_opt, typed};
use super::value::body_arg;

pub(crate) fn operation(name: &str, kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    match name {
        "list_objects" => list_objects(kw),
        "list_objects_versions" => list_object_versions(kw),
        "list_multipart_uploads" => list_multipart_uploads(kw),
        "list_parts" => list_parts(kw),
        "copy_object" => copy_object(kw),
        "create_multipart_upload" => initiate(kw),
        "upload_part" => upload_part(kw),
        "upload_part_copy" => upload_part_copy(kw),
        "complete_multipart_upload" => complete(kw),
        "abort_multipart_upload" => abort(kw),
        "delete_object" => delete_object(kw),
        "delete_objects" => delete_objects(kw),
        "restore_object" => restore_object(kw),
        "select_object_content" => select_object_content(kw),
        "append_object" => append_object(kw),
        "put_object_tagging" => put_tagging(kw),
        "get_object_tagging" => get_tagging(kw),
        "delete_object_tagging" => delete_tagging(kw),
        "put_object_acl" => put_acl(kw),
        "get_object_acl" => get_acl(kw),
        other => Err(format!("operation {other} is not mapped")),
    }
}

/// `EncodingType='url'` given by the caller: the reference then returns COS's encoded
/// text, which `keep_url_encoding` asks of `cos-proto`.
fn encoding_type(kw: &mut Kwargs<'_>) -> Result<bool, String> {
    match kw.str("EncodingType").as_deref() {
        None | Some("") => Ok(false),
        Some("url") => Ok(true),
        Some(other) => Err(format!("EncodingType {other}")),
    }
}

fn plain(value: &Option<String>) -> Value {
    value.clone().map_or(Value::Null, Value::String)
}

fn num<T: ToString>(value: Option<T>) -> Value {
    value.map_or(Value::Null, |v| Value::String(v.to_string()))
}

fn flag(value: bool) -> Value {
    Value::String(if value { "true" } else { "false" }.to_owned())
}

fn owner(value: &Option<Owner>) -> Value {
    match value {
        None => Value::Null,
        Some(o) => json!({ "ID": plain(&o.id), "DisplayName": plain(&o.display_name) }),
    }
}

fn prefixes(items: &[String]) -> Value {
    Value::Array(items.iter().map(|p| json!({ "Prefix": p })).collect())
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Map<_, _>>(),
    )
}

fn list_objects(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::ListObjects::new();
    if let Some(v) = kw.str("Prefix") {
        op = op.prefix(v);
    }
    if let Some(v) = kw.str("Delimiter") {
        op = op.delimiter(v);
    }
    if let Some(v) = kw.str("Marker") {
        op = op.marker(v);
    }
    if let Some(v) = kw.u64("MaxKeys")? {
        op = op.max_keys(u32::try_from(v).map_err(|_| "MaxKeys")?);
    }
    let op = conditions!(kw, op).keep_url_encoding(encoding_type(kw)?);
    typed(kw, op, None, |o, _| list_objects_view(o))
}

fn list_objects_view(o: &ops::ListObjectsOutput) -> Value {
    let contents = o
        .contents
        .iter()
        .map(|c| {
            obj(vec![
                ("Key", Value::String(c.key.clone())),
                ("LastModified", Value::String(c.last_modified.clone())),
                ("ETag", Value::String(c.etag.clone())),
                ("Size", Value::String(c.size.to_string())),
                ("Owner", owner(&c.owner)),
                (
                    "StorageClass",
                    num(c.storage_class.as_ref().map(|s| s.as_str().to_owned())),
                ),
                ("StorageTier", plain(&c.storage_tier)),
            ])
        })
        .collect();
    obj(vec![
        ("Name", plain(&o.name)),
        ("EncodingType", plain(&o.encoding_type)),
        ("Prefix", plain(&o.prefix)),
        ("Marker", plain(&o.marker)),
        ("MaxKeys", num(o.max_keys)),
        ("Delimiter", plain(&o.delimiter)),
        ("IsTruncated", flag(o.is_truncated)),
        ("NextMarker", plain(&o.next_marker)),
        ("CommonPrefixes", prefixes(&o.common_prefixes)),
        ("Contents", Value::Array(contents)),
    ])
}

fn list_object_versions(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::ListObjectVersions::new();
    if let Some(v) = kw.str("Prefix") {
        op = op.prefix(v);
    }
    if let Some(v) = kw.str("Delimiter") {
        op = op.delimiter(v);
    }
    if let Some(v) = kw.str("KeyMarker") {
        op = op.key_marker(v);
    }
    if let Some(v) = kw.str("VersionIdMarker") {
        op = op.version_id_marker(v);
    }
    if let Some(v) = kw.u64("MaxKeys")? {
        op = op.max_keys(u32::try_from(v).map_err(|_| "MaxKeys")?);
    }
    let op = conditions!(kw, op).keep_url_encoding(encoding_type(kw)?);
    typed(kw, op, None, |o, _| {
        let versions: Vec<Value> = o
            .versions()
            .map(|v| {
                obj(vec![
                    ("Key", Value::String(v.key.clone())),
                    ("VersionId", Value::String(v.version_id.clone())),
                    ("IsLatest", flag(v.is_latest)),
                    ("LastModified", Value::String(v.last_modified.clone())),
                    ("ETag", Value::String(v.etag.clone())),
                    ("Size", Value::String(v.size.to_string())),
                    (
                        "StorageClass",
                        num(v.storage_class.as_ref().map(|s| s.as_str().to_owned())),
                    ),
                    ("StorageTier", plain(&v.storage_tier)),
                    ("Owner", owner(&v.owner)),
                ])
            })
            .collect();
        let markers: Vec<Value> = o
            .delete_markers()
            .map(|d| {
                obj(vec![
                    ("Key", Value::String(d.key.clone())),
                    ("VersionId", Value::String(d.version_id.clone())),
                    ("IsLatest", flag(d.is_latest)),
                    ("LastModified", Value::String(d.last_modified.clone())),
                    ("Owner", owner(&d.owner)),
                ])
            })
            .collect();
        obj(vec![
            ("EncodingType", plain(&o.encoding_type)),
            ("Name", plain(&o.name)),
            ("Prefix", plain(&o.prefix)),
            ("KeyMarker", plain(&o.key_marker)),
            ("VersionIdMarker", plain(&o.version_id_marker)),
            ("MaxKeys", num(o.max_keys)),
            ("Delimiter", plain(&o.delimiter)),
            ("IsTruncated", flag(o.is_truncated)),
            ("NextKeyMarker", plain(&o.next_key_marker)),
            ("NextVersionIdMarker", plain(&o.next_version_id_marker)),
            ("CommonPrefixes", prefixes(&o.common_prefixes)),
            ("Version", Value::Array(versions)),
            ("DeleteMarker", Value::Array(markers)),
        ])
    })
}

fn list_multipart_uploads(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::ListMultipartUploads::new();
    if let Some(v) = kw.str("Prefix") {
        op = op.prefix(v);
    }
    if let Some(v) = kw.str("Delimiter") {
        op = op.delimiter(v);
    }
    if let Some(v) = kw.str("KeyMarker") {
        op = op.key_marker(v);
    }
    if let Some(v) = kw.str("UploadIdMarker") {
        op = op.upload_id_marker(v);
    }
    if let Some(v) = kw.u64("MaxUploads")? {
        op = op.max_uploads(u32::try_from(v).map_err(|_| "MaxUploads")?);
    }
    let op = conditions!(kw, op).keep_url_encoding(encoding_type(kw)?);
    typed(kw, op, None, |o, _| {
        let uploads: Vec<Value> = o
            .uploads
            .iter()
            .map(|u| {
                obj(vec![
                    ("Key", Value::String(u.key.clone())),
                    ("UploadId", Value::String(u.upload_id.clone())),
                    (
                        "StorageClass",
                        num(u.storage_class.as_ref().map(|s| s.as_str().to_owned())),
                    ),
                    ("Initiator", owner(&u.initiator)),
                    ("Owner", owner(&u.owner)),
                    ("Initiated", Value::String(u.initiated.clone())),
                ])
            })
            .collect();
        obj(vec![
            ("Bucket", plain(&o.bucket)),
            ("EncodingType", plain(&o.encoding_type)),
            ("KeyMarker", plain(&o.key_marker)),
            ("UploadIdMarker", plain(&o.upload_id_marker)),
            ("NextKeyMarker", plain(&o.next_key_marker)),
            ("NextUploadIdMarker", plain(&o.next_upload_id_marker)),
            ("MaxUploads", num(o.max_uploads)),
            ("IsTruncated", flag(o.is_truncated)),
            ("Prefix", plain(&o.prefix)),
            ("Delimiter", plain(&o.delimiter)),
            ("Upload", Value::Array(uploads)),
            ("CommonPrefixes", prefixes(&o.common_prefixes)),
        ])
    })
}

fn list_parts(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::ListParts::new(kw.required("Key")?, kw.required("UploadId")?);
    if let Some(v) = kw.u64("MaxParts")? {
        op = op.max_parts(u32::try_from(v).map_err(|_| "MaxParts")?);
    }
    if let Some(v) = kw.u64("PartNumberMarker")? {
        op = op.part_number_marker(u32::try_from(v).map_err(|_| "PartNumberMarker")?);
    }
    let op = conditions!(kw, op).keep_url_encoding(encoding_type(kw)?);
    typed(kw, op, None, |o, _| {
        let parts: Vec<Value> = o
            .parts
            .iter()
            .map(|p| {
                obj(vec![
                    ("PartNumber", Value::String(p.part_number.to_string())),
                    ("LastModified", Value::String(p.last_modified.clone())),
                    ("ETag", Value::String(p.etag.clone())),
                    ("Size", Value::String(p.size.to_string())),
                ])
            })
            .collect();
        obj(vec![
            ("Bucket", plain(&o.bucket)),
            ("EncodingType", plain(&o.encoding_type)),
            ("Key", plain(&o.key)),
            ("UploadId", plain(&o.upload_id)),
            ("Initiator", owner(&o.initiator)),
            ("Owner", owner(&o.owner)),
            ("PartNumberMarker", num(o.part_number_marker)),
            ("Part", Value::Array(parts)),
            ("NextPartNumberMarker", num(o.next_part_number_marker)),
            (
                "StorageClass",
                num(o.storage_class.as_ref().map(|s| s.as_str().to_owned())),
            ),
            ("MaxParts", num(o.max_parts)),
            ("IsTruncated", flag(o.is_truncated)),
        ])
    })
}

fn copy_source(kw: &mut Kwargs<'_>) -> Result<CopySource, String> {
    let source = kw.raw("CopySource").ok_or("missing CopySource")?;
    let field = |name: &str| source.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut cs = CopySource::new(
        field("Bucket").unwrap_or_default(),
        field("Key").unwrap_or_default(),
        field("Region").unwrap_or_default(),
    );
    if let Some(endpoint) = field("Endpoint") {
        cs = cs.endpoint(endpoint);
    }
    if let Some(appid) = field("Appid") {
        cs = cs.appid(appid);
    }
    if let Some(version) = field("VersionId") {
        cs = cs.version_id(version);
    }
    Ok(cs)
}

fn copy_result_view(
    etag: &str,
    last_modified: &Option<String>,
    crc64: Option<u64>,
    resp: &http::Response<bytes::Bytes>,
) -> Map<String, Value> {
    let mut view = header_view(resp);
    view.insert("ETag".into(), Value::String(etag.to_owned()));
    set_opt(&mut view, "LastModified", last_modified.clone());
    set_opt(&mut view, "CRC64", crc64.map(|c| c.to_string()));
    view
}

fn copy_object(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let key = kw.required("Key")?;
    let source = copy_source(kw)?;
    let mut op = ops::CopyObject::new(key, source);
    match kw.str("CopyStatus").as_deref() {
        None | Some("Copy") => {}
        Some("Replaced") => op = op.metadata_directive(CopyDirective::Replaced),
        Some(other) => return Err(format!("CopyStatus {other}")),
    }
    if let Some(v) = kw.str("CopySourceIfMatch") {
        op = op.copy_source_if_match(v);
    }
    if let Some(v) = kw.str("CopySourceIfNoneMatch") {
        op = op.copy_source_if_none_match(v);
    }
    if let Some(v) = kw.str("CopySourceIfModifiedSince") {
        op = op.copy_source_if_modified_since(v);
    }
    if let Some(v) = kw.str("CopySourceIfUnmodifiedSince") {
        op = op.copy_source_if_unmodified_since(v);
    }
    if let Some(key) = kw.customer_key("copy-source") {
        op = op.copy_source_customer_key(key);
    }
    let op = object_headers!(kw, op, [tagging, sse]);
    typed(kw, op, None, |o, resp| {
        let mut view = copy_result_view(&o.etag, &o.last_modified, o.crc64, resp);
        set_opt(&mut view, "VersionId", o.version_id.clone());
        Value::Object(view)
    })
}

fn initiate(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let op = ops::InitiateMultipartUpload::new(kw.required("Key")?);
    let op = object_headers!(kw, op, [tagging, sse]);
    typed(kw, op, None, |o, _| {
        obj(vec![
            ("Bucket", plain(&o.bucket)),
            ("Key", plain(&o.key)),
            ("UploadId", Value::String(o.upload_id.clone())),
        ])
    })
}

fn upload_part(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let key = kw.required("Key")?;
    let upload_id = kw.required("UploadId")?;
    let part = u32::try_from(kw.u64("PartNumber")?.ok_or("missing PartNumber")?)
        .map_err(|_| "PartNumber")?;
    let (data, known) = body_arg(kw.raw("Body").unwrap_or(&Value::Null))?;
    let mut op = ops::UploadPart::new(key, upload_id, part, known.then_some(data.len() as u64));
    if kw.raw("EnableMD5").and_then(Value::as_bool) == Some(true) {
        op = op.content_md5(content_md5(&data));
    }
    if let Some(v) = kw.str("ContentMD5") {
        op = op.content_md5(v);
    }
    if let Some(v) = kw.u64("TrafficLimit")? {
        op = op.traffic_limit(v);
    }
    if let Some(key) = kw.customer_key("") {
        op = op.customer_key(key);
    }
    typed(kw, op, Some(data), |o, resp| {
        let mut view = header_view(resp);
        view.insert("ETag".into(), Value::String(o.etag.clone()));
        set_opt(
            &mut view,
            "x-cos-hash-crc64ecma",
            o.crc64.map(|c| c.to_string()),
        );
        Value::Object(view)
    })
}

fn upload_part_copy(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let key = kw.required("Key")?;
    let upload_id = kw.required("UploadId")?;
    let part = u32::try_from(kw.u64("PartNumber")?.ok_or("missing PartNumber")?)
        .map_err(|_| "PartNumber")?;
    let source = copy_source(kw)?;
    let mut op = ops::UploadPartCopy::new(key, upload_id, part, source);
    if let Some(range) = kw.str("CopySourceRange").filter(|r| !r.is_empty()) {
        match ByteRange::parse(&range).map_err(|e| e.to_string())? {
            ByteRange::Inclusive { first, last } => op = op.copy_source_range(first, last),
            other => return Err(format!("unsupported copy range {other}")),
        }
    }
    if let Some(v) = kw.str("CopySourceIfMatch") {
        op = op.copy_source_if_match(v);
    }
    if let Some(v) = kw.str("CopySourceIfNoneMatch") {
        op = op.copy_source_if_none_match(v);
    }
    if let Some(v) = kw.str("CopySourceIfModifiedSince") {
        op = op.copy_source_if_modified_since(v);
    }
    if let Some(v) = kw.str("CopySourceIfUnmodifiedSince") {
        op = op.copy_source_if_unmodified_since(v);
    }
    if let Some(key) = kw.customer_key("copy-source") {
        op = op.copy_source_customer_key(key);
    }
    if let Some(key) = kw.customer_key("") {
        op = op.customer_key(key);
    }
    typed(kw, op, None, |o, resp| {
        Value::Object(copy_result_view(&o.etag, &o.last_modified, o.crc64, resp))
    })
}

fn complete(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::CompleteMultipartUpload::new(kw.required("Key")?, kw.required("UploadId")?);
    let parts = kw
        .raw("MultipartUpload")
        .and_then(|m| m.get("Part"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for part in parts {
        let number = part
            .get("PartNumber")
            .and_then(Value::as_u64)
            .ok_or("PartNumber")?;
        let etag = part.get("ETag").and_then(Value::as_str).ok_or("ETag")?;
        op = op.part(u32::try_from(number).map_err(|_| "PartNumber")?, etag);
    }
    typed(kw, op, None, |o, resp| {
        let mut view = header_view(resp);
        set_opt(&mut view, "Location", o.location.clone());
        set_opt(&mut view, "Bucket", o.bucket.clone());
        set_opt(&mut view, "Key", o.key.clone());
        view.insert("ETag".into(), Value::String(o.etag.clone()));
        set_opt(
            &mut view,
            "x-cos-hash-crc64ecma",
            o.crc64.map(|c| c.to_string()),
        );
        set_opt(&mut view, "x-cos-version-id", o.version_id.clone());
        Value::Object(view)
    })
}

fn abort(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let op = ops::AbortMultipartUpload::new(kw.required("Key")?, kw.required("UploadId")?);
    typed(kw, op, None, |_, _| Value::Null)
}

fn delete_object(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::DeleteObject::new(kw.required("Key")?);
    if let Some(v) = kw.str("VersionId") {
        op = op.version_id(v);
    }
    typed(kw, op, None, |o, resp| {
        let mut view = header_view(resp);
        set_opt(&mut view, "x-cos-version-id", o.version_id.clone());
        if o.delete_marker {
            view.insert("x-cos-delete-marker".into(), Value::String("true".into()));
        }
        Value::Object(view)
    })
}

fn delete_objects(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let delete = kw.raw("Delete").cloned().unwrap_or(Value::Null);
    let mut op = ops::DeleteObjects::new();
    if let Some(quiet) = delete.get("Quiet").and_then(super::value::py_str) {
        op = op.quiet(quiet == "true");
    }
    for object in delete
        .get("Object")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let key = object
            .get("Key")
            .and_then(Value::as_str)
            .unwrap_or_default();
        op = match object.get("VersionId").and_then(Value::as_str) {
            Some(version) => op.object_version(key, version),
            None => op.object(key),
        };
    }
    typed(kw, op, None, |o, _| {
        let deleted: Vec<Value> = o
            .deleted
            .iter()
            .map(|d| {
                let mut item = vec![
                    ("Key", Value::String(d.key.clone())),
                    ("VersionId", plain(&d.version_id)),
                ];
                if d.delete_marker {
                    item.push(("DeleteMarker", Value::String("true".into())));
                }
                item.push(("DeleteMarkerVersionId", plain(&d.delete_marker_version_id)));
                obj(item)
            })
            .collect();
        let errors: Vec<Value> = o
            .errors
            .iter()
            .map(|e| {
                obj(vec![
                    ("Key", Value::String(e.key.clone())),
                    ("VersionId", plain(&e.version_id)),
                    ("Code", Value::String(e.code.clone())),
                    ("Message", plain(&e.message)),
                ])
            })
            .collect();
        obj(vec![
            ("Deleted", Value::Array(deleted)),
            ("Error", Value::Array(errors)),
        ])
    })
}

fn restore_object(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let request = kw.raw("RestoreRequest").cloned().unwrap_or(Value::Null);
    let days = request
        .get("Days")
        .and_then(Value::as_u64)
        .ok_or("missing Days")?;
    let mut op = ops::RestoreObject::new(
        kw.required("Key")?,
        u32::try_from(days).map_err(|_| "Days")?,
    );
    match request
        .pointer("/CASJobParameters/Tier")
        .and_then(Value::as_str)
    {
        Some("Expedited") => op = op.tier(RestoreTier::Expedited),
        Some("Standard") => op = op.tier(RestoreTier::Standard),
        Some("Bulk") => op = op.tier(RestoreTier::Bulk),
        Some(other) => return Err(format!("Tier {other}")),
        None => {}
    }
    if let Some(v) = kw.str("VersionId") {
        op = op.version_id(v);
    }
    typed(kw, op, None, |_, _| Value::Null)
}

fn select_object_content(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let key = kw.required("Key")?;
    let expression = kw.required("Expression")?;
    if kw
        .str("ExpressionType")
        .as_deref()
        .is_some_and(|t| t != "SQL")
    {
        return Err("ExpressionType must be SQL".into());
    }
    let input = kw.raw("InputSerialization").cloned().unwrap_or(Value::Null);
    let output = kw
        .raw("OutputSerialization")
        .cloned()
        .unwrap_or(Value::Null);
    let field = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut input_serialization = if let Some(csv) = input.get("CSV") {
        let mut c = CsvInput::new();
        if let Some(v) = field(csv, "FileHeaderInfo") {
            c = c.file_header_info(match v.as_str() {
                "USE" => FileHeaderInfo::Use,
                "IGNORE" => FileHeaderInfo::Ignore,
                _ => FileHeaderInfo::None,
            });
        }
        if let Some(v) = field(csv, "RecordDelimiter") {
            c = c.record_delimiter(v);
        }
        if let Some(v) = field(csv, "FieldDelimiter") {
            c = c.field_delimiter(v);
        }
        if let Some(v) = field(csv, "QuoteCharacter") {
            c = c.quote_character(v);
        }
        if let Some(v) = field(csv, "QuoteEscapeCharacter") {
            c = c.quote_escape_character(v);
        }
        if let Some(v) = field(csv, "Comments") {
            c = c.comments(v);
        }
        if let Some(v) = field(csv, "AllowQuotedRecordDelimiter") {
            c = c.allow_quoted_record_delimiter(v.eq_ignore_ascii_case("TRUE"));
        }
        InputSerialization::csv(c)
    } else {
        match input.pointer("/JSON/Type").and_then(Value::as_str) {
            Some("DOCUMENT") => InputSerialization::json(JsonType::Document),
            _ => InputSerialization::json(JsonType::Lines),
        }
    };
    if let Some(v) = field(&input, "CompressionType") {
        input_serialization = input_serialization.compression_type(match v.as_str() {
            "GZIP" => ops::CompressionType::Gzip,
            "BZIP2" => ops::CompressionType::Bzip2,
            _ => ops::CompressionType::None,
        });
    }
    let output_serialization = if let Some(csv) = output.get("CSV") {
        let mut c = CsvOutput::new();
        if let Some(v) = field(csv, "QuoteFields") {
            c = c.quote_fields(if v == "ALWAYS" {
                QuoteFields::Always
            } else {
                QuoteFields::AsNeeded
            });
        }
        if let Some(v) = field(csv, "RecordDelimiter") {
            c = c.record_delimiter(v);
        }
        if let Some(v) = field(csv, "FieldDelimiter") {
            c = c.field_delimiter(v);
        }
        if let Some(v) = field(csv, "QuoteCharacter") {
            c = c.quote_character(v);
        }
        if let Some(v) = field(csv, "QuoteEscapeCharacter") {
            c = c.quote_escape_character(v);
        }
        OutputSerialization::Csv(c)
    } else {
        let mut j = JsonOutput::new();
        if let Some(v) = output
            .pointer("/JSON/RecordDelimiter")
            .and_then(Value::as_str)
        {
            j.record_delimiter = Some(v.to_owned());
        }
        OutputSerialization::Json(j)
    };
    let mut op =
        ops::SelectObjectContent::new(key, expression, input_serialization, output_serialization);
    if let Some(enabled) = kw.raw("RequestProgress").and_then(|r| field(r, "Enabled")) {
        op = op.request_progress(enabled.eq_ignore_ascii_case("TRUE"));
    }
    typed(kw, op, None, |_, resp| Value::Object(header_view(resp)))
}

fn append_object(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let key = kw.required("Key")?;
    let position = kw.u64("Position")?.ok_or("missing Position")?;
    let (data, known) = body_arg(kw.raw("Data").unwrap_or(&Value::Null))?;
    let op = ops::AppendObject::new(key, position, known.then_some(data.len() as u64));
    let op = object_headers!(kw, op, [tagging, traffic, md5]);
    typed(kw, op, Some(data), |o, resp| {
        let mut view = header_view(resp);
        view.insert(
            "x-cos-next-append-position".into(),
            Value::String(o.next_append_position.to_string()),
        );
        set_opt(&mut view, "ETag", o.etag.clone());
        set_opt(
            &mut view,
            "x-cos-hash-crc64ecma",
            o.crc64.map(|c| c.to_string()),
        );
        Value::Object(view)
    })
}

fn tag_list(value: Option<&Value>) -> Vec<(String, String)> {
    let tags = value
        .and_then(|t| t.pointer("/TagSet/Tag"))
        .cloned()
        .unwrap_or(Value::Null);
    let items = match tags {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        single => vec![single],
    };
    items
        .iter()
        .filter_map(|t| {
            Some((
                t.get("Key").and_then(Value::as_str)?.to_owned(),
                t.get("Value")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            ))
        })
        .collect()
}

fn put_tagging(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::PutObjectTagging::new(kw.required("Key")?);
    for (key, value) in tag_list(kw.raw("Tagging")) {
        op = op.tag(key, value);
    }
    if let Some(v) = kw.str("VersionId") {
        op = op.version_id(v);
    }
    typed(kw, op, None, |_, _| Value::Null)
}

fn get_tagging(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::GetObjectTagging::new(kw.required("Key")?);
    if let Some(v) = kw.str("VersionId") {
        op = op.version_id(v);
    }
    typed(kw, op, None, |o, _| {
        if o.tags.is_empty() {
            return json!({ "TagSet": null });
        }
        let tags: Vec<Value> = o
            .tags
            .iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect();
        json!({ "TagSet": { "Tag": tags } })
    })
}

fn delete_tagging(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::DeleteObjectTagging::new(kw.required("Key")?);
    if let Some(v) = kw.str("VersionId") {
        op = op.version_id(v);
    }
    typed(kw, op, None, |_, _| Value::Null)
}

fn put_acl(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::PutObjectAcl::new(kw.required("Key")?);
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
    if let Some(policy) = kw.raw("AccessControlPolicy") {
        let id = policy
            .pointer("/Owner/ID")
            .and_then(Value::as_str)
            .ok_or("Owner.ID")?;
        let mut acp = AccessControlPolicy::new(AclOwner::new(id));
        let grants = match policy.pointer("/AccessControlList/Grant") {
            Some(Value::Array(items)) => items.clone(),
            Some(single) => vec![single.clone()],
            None => Vec::new(),
        };
        for grant in grants {
            let grantee = grant.get("Grantee").ok_or("Grantee")?;
            let grantee = match grantee.get("@xsi:type").and_then(Value::as_str) {
                Some("Group") => Grantee::group(
                    grantee
                        .get("URI")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                ),
                _ => Grantee::canonical_user(
                    grantee
                        .get("ID")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                ),
            };
            let permission = Permission::parse(
                grant
                    .get("Permission")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            );
            acp = acp.grant(grantee, permission);
        }
        op = op.policy(acp);
    }
    typed(kw, op, None, |_, _| Value::Null)
}

fn get_acl(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let op = ops::GetObjectAcl::new(kw.required("Key")?);
    typed(kw, op, None, |o, _| {
        let grants: Vec<Value> = o
            .grants
            .iter()
            .map(|g| {
                let kind = match &g.grantee.kind {
                    GranteeKind::CanonicalUser => "CanonicalUser".to_owned(),
                    GranteeKind::Group => "Group".to_owned(),
                    GranteeKind::Other(other) => other.clone(),
                };
                obj(vec![
                    (
                        "Grantee",
                        obj(vec![
                            ("Type", Value::String(kind)),
                            ("ID", plain(&g.grantee.id)),
                            ("URI", plain(&g.grantee.uri)),
                            ("DisplayName", plain(&g.grantee.display_name)),
                        ]),
                    ),
                    (
                        "Permission",
                        Value::String(g.permission.as_str().to_owned()),
                    ),
                ])
            })
            .collect();
        obj(vec![
            (
                "Owner",
                o.owner.as_ref().map_or(Value::Null, |owner| {
                    obj(vec![
                        ("ID", Value::String(owner.id.clone())),
                        ("DisplayName", plain(&owner.display_name)),
                    ])
                }),
            ),
            (
                "AccessControlList",
                obj(vec![("Grant", Value::Array(grants))]),
            ),
            (
                "CannedACL",
                Value::String(o.canned_acl().as_str().to_owned()),
            ),
        ])
    })
}
