//! The checks: one function per seed operation (and per body shape for uploads and
//! downloads). Each builds its operations, calls the client, and compares what came back
//! with what COS promises.

use std::fmt::Debug;
use std::path::PathBuf;

use bytes::Bytes;
use cos_proto::ServiceError;
use cos_proto::crc64::crc64;
use cos_proto::headers::StorageClass;
use cos_proto::ops::{
    AbortMultipartUpload, AppendObject, ByteRange, CannedAcl, CompleteMultipartUpload,
    CopyDirective, CopyObject, CopySource, CsvInput, CsvOutput, DeleteObject, DeleteObjectTagging,
    DeleteObjects, GetObject, GetObjectAcl, GetObjectTagging, HeadObject, InitiateMultipartUpload,
    InputSerialization, ListMultipartUploads, ListObjectVersions, ListObjects, ListParts,
    OutputSerialization, PutObject, PutObjectAcl, PutObjectTagging, ResponseOverride,
    RestoreObject, RestoreTier, SelectObjectContent, UploadPart, UploadPartCopy, VersionEntry,
};
use cos_proto::presign::Presign;
use cos_proto::select::SelectEvent;

use crate::{ConformanceClient, Failure, Outcome, Setup, Upload};

type CheckResult = Result<(), String>;
type Check = fn(&Ctx<'_>) -> CheckResult;

const MIB: usize = 1024 * 1024;

/// Every check, in the order [`crate::run_all`] runs them.
const CHECKS: &[(&str, Check)] = &[
    ("put_object_bytes", put_object_bytes),
    ("put_object_file", put_object_file),
    ("put_object_stream_chunked", put_object_stream_chunked),
    ("put_object_metadata", put_object_metadata),
    ("put_object_headers", put_object_headers),
    ("get_object_to_file", get_object_to_file),
    ("get_object_stream", get_object_stream),
    ("get_object_range", get_object_range),
    ("get_object_response_headers", get_object_response_headers),
    ("head_object", head_object),
    ("list_objects_pagination", list_objects_pagination),
    ("list_objects_delimiter", list_objects_delimiter),
    ("list_object_versions", list_object_versions),
    ("copy_object", copy_object),
    ("delete_object", delete_object),
    ("delete_objects", delete_objects),
    ("restore_object_archive", restore_object_archive),
    ("select_object_content", select_object_content),
    ("append_object", append_object),
    ("multipart_upload", multipart_upload),
    ("upload_part_copy", upload_part_copy),
    ("list_multipart_uploads", list_multipart_uploads),
    ("abort_multipart_upload", abort_multipart_upload),
    ("object_tagging", object_tagging),
    ("object_acl", object_acl),
    ("presigned_url", presigned_url),
    ("service_error_fields", service_error_fields),
];

/// The names of every check, in order.
pub fn check_names() -> Vec<&'static str> {
    CHECKS.iter().map(|(name, _)| *name).collect()
}

pub(crate) fn run_all(
    client: &dyn ConformanceClient,
    setup: &Setup,
) -> Vec<(&'static str, CheckResult)> {
    let ctx = Ctx { client, setup };
    CHECKS
        .iter()
        .map(|(name, check)| (*name, check(&ctx)))
        .collect()
}

struct Ctx<'a> {
    client: &'a dyn ConformanceClient,
    setup: &'a Setup,
}

impl Ctx<'_> {
    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.setup.prefix)
    }

    fn file(&self, name: &str) -> PathBuf {
        let flat = format!("{}{name}", self.setup.prefix).replace('/', "_");
        self.setup.scratch_dir.join(flat)
    }

    /// Puts `data` under `key` as bytes.
    fn put(&self, key: &str, data: &[u8]) -> CheckResult {
        call(
            "put_object",
            self.client.put_object(
                &PutObject::new(key, Some(data.len() as u64)),
                Upload::Bytes(Bytes::copy_from_slice(data)),
            ),
        )
        .map(|_| ())
    }

    /// Reads `key` back whole.
    fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        call("get_object", self.client.get_object(&GetObject::new(key))).map(|(_, body)| body)
    }
}

fn call<T>(what: &str, outcome: Outcome<T>) -> Result<T, String> {
    outcome.map_err(|failure| format!("{what}: {failure}"))
}

/// Expects a service error with this status and code.
fn service_error<T: Debug>(
    what: &str,
    outcome: Outcome<T>,
    status: u16,
    code: &str,
) -> Result<Box<ServiceError>, String> {
    match outcome {
        Err(Failure::Service(err)) if err.status == status && err.code() == code => Ok(err),
        Err(other) => Err(format!("{what}: expected {status} {code}, got {other}")),
        Ok(value) => Err(format!("{what}: expected {status} {code}, got {value:?}")),
    }
}

/// Deterministic, non-repeating-looking test data.
pub(crate) fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn same_bytes(what: &str, got: &[u8], want: &[u8]) -> CheckResult {
    if got == want {
        return Ok(());
    }
    let first_diff = got.iter().zip(want).position(|(a, b)| a != b);
    Err(format!(
        "{what}: got {} bytes, want {} (first difference at {first_diff:?})",
        got.len(),
        want.len()
    ))
}

fn put_object_bytes(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("put/bytes.bin");
    let data = pattern(100_000, 1);
    let out = call(
        "put_object",
        ctx.client.put_object(
            &PutObject::new(&key, Some(data.len() as u64)),
            Upload::Bytes(Bytes::from(data.clone())),
        ),
    )?;
    ensure!(out.etag.is_some(), "put_object returned no ETag");
    ensure!(
        out.crc64 == Some(crc64(&data)),
        "put_object CRC64 {:?}, want {}",
        out.crc64,
        crc64(&data)
    );
    same_bytes("get_object", &ctx.get(&key)?, &data)
}

fn put_object_file(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("put/file.bin");
    let path = ctx.file("upload-file.bin");
    let data = pattern(300_000, 2);
    std::fs::write(&path, &data).map_err(|e| format!("write {}: {e}", path.display()))?;
    let out = call(
        "put_object",
        ctx.client.put_object(
            &PutObject::new(&key, Some(data.len() as u64)),
            Upload::File(path.clone()),
        ),
    )?;
    let _ = std::fs::remove_file(&path);
    ensure!(
        out.crc64 == Some(crc64(&data)),
        "put_object CRC64 {:?}",
        out.crc64
    );
    same_bytes("get_object", &ctx.get(&key)?, &data)
}

fn put_object_stream_chunked(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("put/stream.bin");
    let data = pattern(210_000, 3);
    let chunks: Vec<Bytes> = data.chunks(70_000).map(Bytes::copy_from_slice).collect();
    call(
        "put_object",
        ctx.client
            .put_object(&PutObject::new(&key, None), Upload::Chunks(chunks)),
    )?;
    let info = call(
        "head_object",
        ctx.client.head_object(&HeadObject::new(&key)),
    )?;
    ensure!(
        info.content_length == Some(data.len() as u64),
        "head_object content_length {:?}",
        info.content_length
    );
    same_bytes("get_object", &ctx.get(&key)?, &data)
}

fn put_object_metadata(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("put/metadata.txt");
    let op = PutObject::new(&key, Some(4))
        .metadata("x-cos-meta-author", "alice")
        .metadata("x-cos-meta-project", "cos-rs");
    call(
        "put_object",
        ctx.client
            .put_object(&op, Upload::Bytes(Bytes::from_static(b"test"))),
    )?;
    let info = call(
        "head_object",
        ctx.client.head_object(&HeadObject::new(&key)),
    )?;
    for (name, value) in [
        ("x-cos-meta-author", "alice"),
        ("x-cos-meta-project", "cos-rs"),
    ] {
        ensure!(
            info.metadata
                .iter()
                .any(|(n, v)| n.as_str() == name && v.as_str() == value),
            "metadata {name}={value} missing from {:?}",
            info.metadata
        );
    }
    Ok(())
}

fn put_object_headers(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("put/headers.html");
    let op = PutObject::new(&key, Some(4))
        .content_type("text/html; charset=utf-8")
        .cache_control("no-cache")
        .content_disposition("attachment; filename=\"page.html\"")
        .content_language("zh-CN")
        .storage_class(StorageClass::StandardIa);
    call(
        "put_object",
        ctx.client
            .put_object(&op, Upload::Bytes(Bytes::from_static(b"test"))),
    )?;
    let info = call(
        "head_object",
        ctx.client.head_object(&HeadObject::new(&key)),
    )?;
    let content = &info.content;
    ensure!(
        content.content_type.as_deref() == Some("text/html; charset=utf-8"),
        "content_type {:?}",
        content.content_type
    );
    ensure!(
        content.cache_control.as_deref() == Some("no-cache"),
        "cache_control {:?}",
        content.cache_control
    );
    ensure!(
        content.content_disposition.as_deref() == Some("attachment; filename=\"page.html\""),
        "content_disposition {:?}",
        content.content_disposition
    );
    ensure!(
        content.content_language.as_deref() == Some("zh-CN"),
        "content_language {:?}",
        content.content_language
    );
    ensure!(
        info.storage_class == Some(StorageClass::StandardIa),
        "storage_class {:?}",
        info.storage_class
    );
    Ok(())
}

fn get_object_to_file(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("get/to-file.bin");
    let data = pattern(200_000, 4);
    ctx.put(&key, &data)?;
    let dir = ctx
        .setup
        .scratch_dir
        .join(format!("{}download", ctx.setup.prefix.replace('/', "_")));
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let path = dir.join("object.bin");
    std::fs::write(&path, b"stale content to be replaced")
        .map_err(|e| format!("write {}: {e}", path.display()))?;
    let out = call(
        "get_object_to_file",
        ctx.client.get_object_to_file(&GetObject::new(&key), &path),
    )?;
    ensure!(
        out.info.content_length == Some(data.len() as u64),
        "content_length {:?}",
        out.info.content_length
    );
    let got = std::fs::read(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    same_bytes("downloaded file", &got, &data)?;
    let entries: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("list {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ensure!(
        entries == ["object.bin"],
        "the download left other files behind: {entries:?}"
    );
    let missing = dir.join("missing.bin");
    service_error(
        "get_object_to_file of a missing key",
        ctx.client
            .get_object_to_file(&GetObject::new(ctx.key("get/missing")), &missing),
        404,
        "NoSuchKey",
    )?;
    ensure!(
        !missing.exists(),
        "a failed download created {}",
        missing.display()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn get_object_stream(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("get/stream.bin");
    let data = pattern(500_000, 5);
    ctx.put(&key, &data)?;
    let (out, chunks) = call(
        "get_object_chunks",
        ctx.client.get_object_chunks(&GetObject::new(&key)),
    )?;
    ensure!(out.status == 200, "status {}", out.status);
    ensure!(!chunks.is_empty(), "no chunks");
    ensure!(
        chunks.iter().all(|c| !c.is_empty()),
        "the stream yielded an empty chunk"
    );
    let joined: Vec<u8> = chunks.concat();
    same_bytes("streamed body", &joined, &data)
}

fn get_object_range(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("get/range.bin");
    let data = pattern(5_000, 6);
    ctx.put(&key, &data)?;
    let range = ByteRange::inclusive(10, 1009).map_err(|e| e.to_string())?;
    let (out, body) = call(
        "get_object",
        ctx.client.get_object(&GetObject::new(&key).range(range)),
    )?;
    ensure!(out.status == 206, "status {}, want 206", out.status);
    let content_range = out.content_range.ok_or("no Content-Range")?;
    ensure!(
        (content_range.first, content_range.last, content_range.total) == (10, 1009, Some(5_000)),
        "Content-Range {content_range:?}"
    );
    same_bytes("ranged body", &body, &data[10..1010])?;
    let beyond = ByteRange::inclusive(10_000, 10_010).map_err(|e| e.to_string())?;
    service_error(
        "get_object beyond the end",
        ctx.client.get_object(&GetObject::new(&key).range(beyond)),
        416,
        "InvalidRange",
    )
    .map(|_| ())
}

fn get_object_response_headers(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("get/overrides.txt");
    ctx.put(&key, b"overrides")?;
    let op = GetObject::new(&key)
        .response_header(ResponseOverride::ContentType, "application/x-test")
        .response_header(
            ResponseOverride::ContentDisposition,
            "attachment; filename=\"x.txt\"",
        )
        .response_header(ResponseOverride::CacheControl, "max-age=60");
    let (out, body) = call("get_object", ctx.client.get_object(&op))?;
    let content = &out.info.content;
    ensure!(
        content.content_type.as_deref() == Some("application/x-test"),
        "content_type {:?}",
        content.content_type
    );
    ensure!(
        content.content_disposition.as_deref() == Some("attachment; filename=\"x.txt\""),
        "content_disposition {:?}",
        content.content_disposition
    );
    ensure!(
        content.cache_control.as_deref() == Some("max-age=60"),
        "cache_control {:?}",
        content.cache_control
    );
    same_bytes("body", &body, b"overrides")
}

fn head_object(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("head/object.bin");
    let data = pattern(12_345, 7);
    let put = call(
        "put_object",
        ctx.client.put_object(
            &PutObject::new(&key, Some(data.len() as u64)),
            Upload::Bytes(Bytes::from(data.clone())),
        ),
    )?;
    let info = call(
        "head_object",
        ctx.client.head_object(&HeadObject::new(&key)),
    )?;
    ensure!(
        info.content_length == Some(12_345),
        "content_length {:?}",
        info.content_length
    );
    ensure!(
        info.etag.is_some() && info.etag == put.etag,
        "ETag {:?}, put said {:?}",
        info.etag,
        put.etag
    );
    ensure!(info.crc64 == Some(crc64(&data)), "crc64 {:?}", info.crc64);
    ensure!(info.last_modified.is_some(), "no Last-Modified");
    ensure!(info.request_id.is_some(), "no x-cos-request-id");
    let etag = info.etag.clone().unwrap_or_default();
    match ctx
        .client
        .head_object(&HeadObject::new(&key).if_none_match(etag))
    {
        Err(Failure::NotModified(err)) if err.status == 304 => {}
        other => {
            return Err(format!(
                "head_object if-none-match: want NotModified, got {other:?}"
            ));
        }
    }
    match ctx
        .client
        .get_object(&GetObject::new(&key).if_none_match(info.etag.clone().unwrap_or_default()))
    {
        Err(Failure::NotModified(err)) if err.status == 304 => {}
        other => {
            return Err(format!(
                "get_object if-none-match: want NotModified, got {:?}",
                other.map(|(out, body)| (out, body.len()))
            ));
        }
    }
    match ctx.client.head_object(
        &HeadObject::new(&key).if_modified_since(info.last_modified.clone().unwrap_or_default()),
    ) {
        Err(Failure::NotModified(err)) if err.status == 304 => {}
        other => {
            return Err(format!(
                "head_object if-modified-since its Last-Modified: want NotModified, got {other:?}"
            ));
        }
    }
    let missing = service_error(
        "head_object of a missing key",
        ctx.client
            .head_object(&HeadObject::new(ctx.key("head/missing"))),
        404,
        "NoSuchResource",
    )?;
    ensure!(
        missing.request_id.is_some(),
        "a HEAD 404 lost its request id"
    );
    Ok(())
}

fn list_objects_pagination(ctx: &Ctx<'_>) -> CheckResult {
    let prefix = ctx.key("list-page/");
    let mut want = Vec::new();
    for i in 0..5 {
        let key = format!("{prefix}k{i}");
        ctx.put(&key, format!("object {i}").as_bytes())?;
        want.push(key);
    }
    let first = call(
        "list_objects",
        ctx.client
            .list_objects(&ListObjects::new().prefix(&prefix).max_keys(2)),
    )?;
    ensure!(first.is_truncated, "the first page of 2 is not truncated");
    ensure!(first.contents.len() == 2, "{} keys", first.contents.len());
    let pages = call(
        "list_objects_pages",
        ctx.client
            .list_objects_pages(&ListObjects::new().prefix(&prefix).max_keys(2)),
    )?;
    ensure!(pages.len() == 3, "{} pages, want 3", pages.len());
    let got: Vec<String> = pages
        .iter()
        .flat_map(|page| page.contents.iter().map(|o| o.key.clone()))
        .collect();
    ensure!(got == want, "keys {got:?}, want {want:?}");
    let sizes: Vec<u64> = pages
        .iter()
        .flat_map(|page| page.contents.iter().map(|o| o.size))
        .collect();
    ensure!(sizes.iter().all(|s| *s == 8), "sizes {sizes:?}");
    Ok(())
}

fn list_objects_delimiter(ctx: &Ctx<'_>) -> CheckResult {
    let prefix = ctx.key("list-dir/");
    for name in ["a/1", "a/2", "b/1", "c"] {
        ctx.put(&format!("{prefix}{name}"), b"x")?;
    }
    let out = call(
        "list_objects",
        ctx.client
            .list_objects(&ListObjects::new().prefix(&prefix).delimiter("/")),
    )?;
    let prefixes = [format!("{prefix}a/"), format!("{prefix}b/")];
    ensure!(
        out.common_prefixes == prefixes,
        "common prefixes {:?}",
        out.common_prefixes
    );
    let keys: Vec<&str> = out.contents.iter().map(|o| o.key.as_str()).collect();
    ensure!(keys == [format!("{prefix}c")], "contents {keys:?}");
    ensure!(
        out.delimiter.as_deref() == Some("/"),
        "delimiter {:?}",
        out.delimiter
    );
    Ok(())
}

fn list_object_versions(ctx: &Ctx<'_>) -> CheckResult {
    let bucket = ctx
        .setup
        .versioned_bucket
        .as_deref()
        .ok_or("the setup names no versioned bucket")?;
    let client = call("with_bucket", ctx.client.with_bucket(bucket))?;
    let key = ctx.key("versions/doc.txt");
    let mut version_ids = Vec::new();
    for body in ["version one", "version two"] {
        let out = call(
            "put_object",
            client.put_object(
                &PutObject::new(&key, Some(body.len() as u64)),
                Upload::Bytes(Bytes::from(body)),
            ),
        )?;
        version_ids.push(
            out.version_id
                .ok_or("a versioned put returned no version id")?,
        );
    }
    let deleted = call(
        "delete_object",
        client.delete_object(&DeleteObject::new(&key)),
    )?;
    ensure!(deleted.delete_marker, "the delete made no delete marker");
    let out = call(
        "list_object_versions",
        client.list_object_versions(&ListObjectVersions::new().prefix(&key)),
    )?;
    let versions: Vec<_> = out.versions().collect();
    let markers: Vec<_> = out.delete_markers().collect();
    ensure!(versions.len() == 2, "{} versions, want 2", versions.len());
    ensure!(
        markers.len() == 1,
        "{} delete markers, want 1",
        markers.len()
    );
    ensure!(markers[0].is_latest, "the delete marker is not the latest");
    ensure!(
        versions.iter().all(|v| !v.is_latest),
        "a version is still the latest"
    );
    let first_version = version_ids[0].clone();
    let mut listed: Vec<String> = versions.iter().map(|v| v.version_id.clone()).collect();
    listed.sort();
    version_ids.sort();
    ensure!(
        listed == version_ids,
        "version ids {listed:?}, put said {version_ids:?}"
    );
    ensure!(
        matches!(out.entries.first(), Some(VersionEntry::DeleteMarker(_))),
        "the newest entry is not the delete marker"
    );
    let (_, body) = call(
        "get_object of an old version",
        client.get_object(&GetObject::new(&key).version_id(&first_version)),
    )?;
    same_bytes("old version", &body, b"version one")
}

fn copy_object(ctx: &Ctx<'_>) -> CheckResult {
    let source = ctx.key("copy/source.bin");
    let data = pattern(50_000, 8);
    call(
        "put_object",
        ctx.client.put_object(
            &PutObject::new(&source, Some(data.len() as u64)).metadata("x-cos-meta-origin", "src"),
            Upload::Bytes(Bytes::from(data.clone())),
        ),
    )?;
    let dest = ctx.key("copy/dest.bin");
    let out = call(
        "copy_object",
        ctx.client.copy_object(&CopyObject::new(
            &dest,
            CopySource::in_config(&ctx.setup.config, &source),
        )),
    )?;
    ensure!(!out.etag.is_empty(), "copy_object returned no ETag");
    same_bytes("copied object", &ctx.get(&dest)?, &data)?;
    let info = call(
        "head_object",
        ctx.client.head_object(&HeadObject::new(&dest)),
    )?;
    ensure!(
        info.metadata
            .iter()
            .any(|(n, v)| n == "x-cos-meta-origin" && v == "src"),
        "metadata not copied: {:?}",
        info.metadata
    );
    let replaced = ctx.key("copy/replaced.bin");
    call(
        "copy_object (replace metadata)",
        ctx.client.copy_object(
            &CopyObject::new(&replaced, CopySource::in_config(&ctx.setup.config, &source))
                .metadata_directive(CopyDirective::Replaced)
                .metadata("x-cos-meta-fresh", "yes"),
        ),
    )?;
    let info = call(
        "head_object",
        ctx.client.head_object(&HeadObject::new(&replaced)),
    )?;
    ensure!(
        info.metadata == [("x-cos-meta-fresh".to_owned(), "yes".to_owned())],
        "replaced metadata {:?}",
        info.metadata
    );
    service_error(
        "copy_object of a missing source",
        ctx.client.copy_object(&CopyObject::new(
            ctx.key("copy/never"),
            CopySource::in_config(&ctx.setup.config, ctx.key("copy/missing")),
        )),
        404,
        "NoSuchKey",
    )
    .map(|_| ())
}

fn delete_object(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("delete/one.txt");
    ctx.put(&key, b"bye")?;
    call(
        "delete_object",
        ctx.client.delete_object(&DeleteObject::new(&key)),
    )?;
    service_error(
        "head_object after delete",
        ctx.client.head_object(&HeadObject::new(&key)),
        404,
        "NoSuchResource",
    )?;
    call(
        "delete_object of a missing key",
        ctx.client.delete_object(&DeleteObject::new(&key)),
    )
    .map(|_| ())
}

fn delete_objects(ctx: &Ctx<'_>) -> CheckResult {
    let keys: Vec<String> = (0..3)
        .map(|i| ctx.key(&format!("delete-many/{i}")))
        .collect();
    for key in &keys {
        ctx.put(key, b"x")?;
    }
    let op = keys
        .iter()
        .fold(DeleteObjects::new(), |op, key| op.object(key.clone()));
    let out = call("delete_objects", ctx.client.delete_objects(&op))?;
    let mut deleted: Vec<String> = out.deleted.iter().map(|d| d.key.clone()).collect();
    deleted.sort();
    ensure!(deleted == keys, "deleted {deleted:?}, want {keys:?}");
    ensure!(out.errors.is_empty(), "errors {:?}", out.errors);
    for key in &keys {
        service_error(
            "head_object after delete_objects",
            ctx.client.head_object(&HeadObject::new(key)),
            404,
            "NoSuchResource",
        )?;
    }
    for key in &keys {
        ctx.put(key, b"y")?;
    }
    let quiet = keys
        .iter()
        .fold(DeleteObjects::new().quiet(true), |op, key| {
            op.object(key.clone())
        });
    let out = call("delete_objects (quiet)", ctx.client.delete_objects(&quiet))?;
    ensure!(
        out.deleted.is_empty() && out.errors.is_empty(),
        "quiet mode reported {:?} / {:?}",
        out.deleted,
        out.errors
    );
    Ok(())
}

fn restore_object_archive(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("restore/archived.bin");
    call(
        "put_object (ARCHIVE)",
        ctx.client.put_object(
            &PutObject::new(&key, Some(7)).storage_class(StorageClass::Archive),
            Upload::Bytes(Bytes::from_static(b"archive")),
        ),
    )?;
    service_error(
        "get_object of an archived object",
        ctx.client.get_object(&GetObject::new(&key)),
        403,
        "InvalidObjectState",
    )?;
    let out = call(
        "restore_object",
        ctx.client
            .restore_object(&RestoreObject::new(&key, 1).tier(RestoreTier::Expedited)),
    )?;
    ensure!(out.is_accepted(), "restore status {}, want 202", out.status);
    service_error(
        "restore_object again",
        ctx.client
            .restore_object(&RestoreObject::new(&key, 1).tier(RestoreTier::Expedited)),
        409,
        "RestoreAlreadyInProgress",
    )?;
    let info = call(
        "head_object",
        ctx.client.head_object(&HeadObject::new(&key)),
    )?;
    ensure!(
        info.restore
            .as_deref()
            .is_some_and(|r| r.contains("ongoing-request=\"true\"")),
        "x-cos-restore {:?}",
        info.restore
    );
    ensure!(
        info.storage_class == Some(StorageClass::Archive),
        "storage class {:?}",
        info.storage_class
    );
    Ok(())
}

fn select_object_content(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("select/table.csv");
    ctx.put(&key, b"1,alice,30\n2,bob,25\n3,carol,41\n")?;
    let op = SelectObjectContent::new(
        &key,
        "SELECT s._2 FROM COSObject s WHERE s._1 = '2' OR s._1 = '3'",
        InputSerialization::csv(CsvInput::new()),
        OutputSerialization::Csv(CsvOutput::new()),
    );
    let events = call(
        "select_object_content",
        ctx.client.select_object_content(&op),
    )?;
    let mut records = Vec::new();
    for event in &events {
        if let SelectEvent::Records(bytes) = event {
            records.extend_from_slice(bytes);
        }
    }
    ensure!(
        records == b"bob\ncarol\n",
        "records {:?}",
        String::from_utf8_lossy(&records)
    );
    ensure!(
        events.iter().any(|e| matches!(e, SelectEvent::Stats(_))),
        "no Stats event"
    );
    ensure!(
        matches!(events.last(), Some(SelectEvent::End)),
        "the stream does not end with End: {:?}",
        events.last()
    );
    let bad = SelectObjectContent::new(
        &key,
        "SELECT FROM nowhere",
        InputSerialization::csv(CsvInput::new()),
        OutputSerialization::Csv(CsvOutput::new()),
    );
    match ctx.client.select_object_content(&bad) {
        Err(Failure::Service(err)) if err.status == 400 => Ok(()),
        other => Err(format!("an invalid query: want a 400, got {other:?}")),
    }
}

fn append_object(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("append/log.txt");
    let first = call(
        "append_object",
        ctx.client.append_object(
            &AppendObject::new(&key, 0, Some(6)),
            Upload::Bytes(Bytes::from_static(b"hello ")),
        ),
    )?;
    ensure!(
        first.next_append_position == 6,
        "next position {}",
        first.next_append_position
    );
    let second = call(
        "append_object",
        ctx.client.append_object(
            &AppendObject::new(&key, 6, Some(5)),
            Upload::Bytes(Bytes::from_static(b"world")),
        ),
    )?;
    ensure!(
        second.next_append_position == 11,
        "next position {}",
        second.next_append_position
    );
    same_bytes("appended object", &ctx.get(&key)?, b"hello world")?;
    let info = call(
        "head_object",
        ctx.client.head_object(&HeadObject::new(&key)),
    )?;
    ensure!(
        info.object_type.as_deref() == Some("appendable"),
        "object type {:?}",
        info.object_type
    );
    service_error(
        "append_object at a wrong position",
        ctx.client.append_object(
            &AppendObject::new(&key, 3, Some(1)),
            Upload::Bytes(Bytes::from_static(b"!")),
        ),
        409,
        "AppendPositionErr",
    )
    .map(|_| ())
}

fn multipart_upload(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("multipart/object.bin");
    let part1 = pattern(MIB, 9);
    let part2 = pattern(1_000, 10);
    let created = call(
        "create_multipart_upload",
        ctx.client.create_multipart_upload(
            &InitiateMultipartUpload::new(&key).content_type("application/octet-stream"),
        ),
    )?;
    let upload_id = created.upload_id.clone();
    ensure!(!upload_id.is_empty(), "empty upload id");
    let out1 = call(
        "upload_part 1",
        ctx.client.upload_part(
            &UploadPart::new(&key, &upload_id, 1, Some(part1.len() as u64)),
            Upload::Bytes(Bytes::from(part1.clone())),
        ),
    )?;
    ensure!(
        out1.crc64 == Some(crc64(&part1)),
        "part 1 CRC64 {:?}",
        out1.crc64
    );
    let path = ctx.file("part2.bin");
    std::fs::write(&path, &part2).map_err(|e| format!("write {}: {e}", path.display()))?;
    let out2 = call(
        "upload_part 2 (file)",
        ctx.client.upload_part(
            &UploadPart::new(&key, &upload_id, 2, Some(part2.len() as u64)),
            Upload::File(path.clone()),
        ),
    )?;
    let _ = std::fs::remove_file(&path);
    let parts = call(
        "list_parts",
        ctx.client.list_parts(&ListParts::new(&key, &upload_id)),
    )?;
    let listed: Vec<(u32, String, u64)> = parts
        .parts
        .iter()
        .map(|p| (p.part_number, p.etag.clone(), p.size))
        .collect();
    let want = vec![
        (1, out1.etag.clone(), part1.len() as u64),
        (2, out2.etag.clone(), part2.len() as u64),
    ];
    ensure!(listed == want, "parts {listed:?}, want {want:?}");
    let done = call(
        "complete_multipart_upload",
        ctx.client.complete_multipart_upload(
            &CompleteMultipartUpload::new(&key, &upload_id)
                .part(1, out1.etag)
                .part(2, out2.etag),
        ),
    )?;
    ensure!(done.etag.ends_with("-2\""), "multipart ETag {}", done.etag);
    let whole = [part1.as_slice(), part2.as_slice()].concat();
    if let Some(crc) = done.crc64 {
        ensure!(crc == crc64(&whole), "complete CRC64 {crc}");
    }
    same_bytes("assembled object", &ctx.get(&key)?, &whole)
}

fn upload_part_copy(ctx: &Ctx<'_>) -> CheckResult {
    let source = ctx.key("part-copy/source.bin");
    let data = pattern(MIB + 500_000, 11);
    ctx.put(&source, &data)?;
    let key = ctx.key("part-copy/dest.bin");
    let upload_id = call(
        "create_multipart_upload",
        ctx.client
            .create_multipart_upload(&InitiateMultipartUpload::new(&key)),
    )?
    .upload_id;
    let src = CopySource::in_config(&ctx.setup.config, &source);
    let first = call(
        "upload_part_copy 1",
        ctx.client.upload_part_copy(
            &UploadPartCopy::new(&key, &upload_id, 1, src.clone())
                .copy_source_range(0, MIB as u64 - 1),
        ),
    )?;
    let second = call(
        "upload_part_copy 2",
        ctx.client.upload_part_copy(
            &UploadPartCopy::new(&key, &upload_id, 2, src)
                .copy_source_range(MIB as u64, data.len() as u64 - 1),
        ),
    )?;
    ensure!(!first.etag.is_empty(), "part copy returned no ETag");
    call(
        "complete_multipart_upload",
        ctx.client.complete_multipart_upload(
            &CompleteMultipartUpload::new(&key, &upload_id)
                .part(1, first.etag)
                .part(2, second.etag),
        ),
    )?;
    same_bytes("object assembled from copies", &ctx.get(&key)?, &data)
}

fn list_multipart_uploads(ctx: &Ctx<'_>) -> CheckResult {
    let prefix = ctx.key("uploads/");
    let mut ids = Vec::new();
    for name in ["a", "b"] {
        let out = call(
            "create_multipart_upload",
            ctx.client
                .create_multipart_upload(&InitiateMultipartUpload::new(format!("{prefix}{name}"))),
        )?;
        ids.push((format!("{prefix}{name}"), out.upload_id));
    }
    let out = call(
        "list_multipart_uploads",
        ctx.client
            .list_multipart_uploads(&ListMultipartUploads::new().prefix(&prefix)),
    )?;
    let listed: Vec<(String, String)> = out
        .uploads
        .iter()
        .map(|u| (u.key.clone(), u.upload_id.clone()))
        .collect();
    ensure!(listed == ids, "uploads {listed:?}, want {ids:?}");
    for (key, id) in &ids {
        call(
            "abort_multipart_upload",
            ctx.client
                .abort_multipart_upload(&AbortMultipartUpload::new(key, id)),
        )?;
    }
    Ok(())
}

fn abort_multipart_upload(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("abort/object.bin");
    let upload_id = call(
        "create_multipart_upload",
        ctx.client
            .create_multipart_upload(&InitiateMultipartUpload::new(&key)),
    )?
    .upload_id;
    call(
        "upload_part",
        ctx.client.upload_part(
            &UploadPart::new(&key, &upload_id, 1, Some(3)),
            Upload::Bytes(Bytes::from_static(b"abc")),
        ),
    )?;
    call(
        "abort_multipart_upload",
        ctx.client
            .abort_multipart_upload(&AbortMultipartUpload::new(&key, &upload_id)),
    )?;
    service_error(
        "list_parts after abort",
        ctx.client.list_parts(&ListParts::new(&key, &upload_id)),
        404,
        "NoSuchUpload",
    )?;
    let out = call(
        "list_multipart_uploads",
        ctx.client
            .list_multipart_uploads(&ListMultipartUploads::new().prefix(&key)),
    )?;
    ensure!(out.uploads.is_empty(), "the aborted upload is still listed");
    Ok(())
}

fn object_tagging(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("tagging/object.txt");
    ctx.put(&key, b"tagged")?;
    call(
        "put_object_tagging",
        ctx.client.put_object_tagging(
            &PutObjectTagging::new(&key)
                .tag("project", "cos-rs")
                .tag("team", "sdk"),
        ),
    )?;
    let out = call(
        "get_object_tagging",
        ctx.client.get_object_tagging(&GetObjectTagging::new(&key)),
    )?;
    let mut tags = out.tags.clone();
    tags.sort();
    let want = [
        ("project".to_owned(), "cos-rs".to_owned()),
        ("team".to_owned(), "sdk".to_owned()),
    ];
    ensure!(tags == want, "tags {tags:?}");
    call(
        "delete_object_tagging",
        ctx.client
            .delete_object_tagging(&DeleteObjectTagging::new(&key)),
    )?;
    let out = call(
        "get_object_tagging",
        ctx.client.get_object_tagging(&GetObjectTagging::new(&key)),
    )?;
    ensure!(out.tags.is_empty(), "tags after delete {:?}", out.tags);
    Ok(())
}

fn object_acl(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("acl/object.txt");
    ctx.put(&key, b"acl")?;
    call(
        "put_object_acl",
        ctx.client
            .put_object_acl(&PutObjectAcl::new(&key).acl("public-read")),
    )?;
    let out = call(
        "get_object_acl",
        ctx.client.get_object_acl(&GetObjectAcl::new(&key)),
    )?;
    ensure!(
        out.canned_acl() == CannedAcl::PublicRead,
        "canned ACL {:?}, grants {:?}",
        out.canned_acl(),
        out.grants
    );
    ensure!(out.owner.is_some(), "no owner");
    call(
        "put_object_acl",
        ctx.client
            .put_object_acl(&PutObjectAcl::new(&key).acl("private")),
    )?;
    let out = call(
        "get_object_acl",
        ctx.client.get_object_acl(&GetObjectAcl::new(&key)),
    )?;
    ensure!(
        out.canned_acl() == CannedAcl::Private,
        "canned ACL {:?}",
        out.canned_acl()
    );
    Ok(())
}

fn presigned_url(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("presign/shared file.txt");
    let data = pattern(4_096, 12);
    ctx.put(&key, &data)?;
    let url = call(
        "presigned_url",
        ctx.client
            .presigned_url(&Presign::get(&key).expires_in(600)),
    )?;
    ensure!(
        url.contains("q-signature="),
        "URL without a signature: {url}"
    );
    let (status, body) = crate::fetch::http_get(&url)?;
    ensure!(status == 200, "fetching the presigned URL: status {status}");
    same_bytes("presigned download", &body, &data)?;
    let tampered = url.replace("q-signature=", "q-signature=0");
    let (status, _) = crate::fetch::http_get(&tampered)?;
    ensure!(
        status == 403,
        "a tampered signature got status {status}, want 403"
    );
    Ok(())
}

fn service_error_fields(ctx: &Ctx<'_>) -> CheckResult {
    let key = ctx.key("errors/no such key.txt");
    let err = service_error(
        "get_object of a missing key",
        ctx.client.get_object(&GetObject::new(&key)),
        404,
        "NoSuchKey",
    )?;
    ensure!(
        err.message.as_deref().is_some_and(|m| !m.is_empty()),
        "no message"
    );
    ensure!(
        err.resource.as_deref().is_some_and(|r| !r.is_empty()),
        "no resource"
    );
    ensure!(
        err.request_id.as_deref().is_some_and(|r| !r.is_empty()),
        "no request id"
    );
    ensure!(
        err.trace_id.as_deref().is_some_and(|t| !t.is_empty()),
        "no trace id"
    );
    ensure!(
        err.body.contains("<Code>NoSuchKey</Code>"),
        "raw body {:?}",
        err.body
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_pattern_is_stable() {
        let mut names = check_names();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(pattern(16, 1), pattern(16, 1));
        assert_ne!(pattern(16, 1), pattern(16, 2));
    }
}
