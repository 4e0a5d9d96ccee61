//! From a request to an operation: bucket and key from the `Host` (virtual-host style)
//! or the path (path style), the sub-resource from the query, then dispatch.

use http::{Method, Response};

use crate::auth::{self, Principal};
use crate::body::{RequestBody, ResponseBody};
use crate::context::{App, Req, render_error};
use crate::errors::{CosError, ErrorCode};
use crate::handlers;
use crate::handlers::bucket_config::Sub;
use crate::select_handler;
use crate::store::types::Versioning;

/// The largest single header value accepted.
const MAX_HEADER_VALUE: usize = 8 * 1024;
/// The largest total of header names and values accepted.
const MAX_HEADERS_TOTAL: usize = 64 * 1024;
/// The longest key COS accepts, in bytes.
const MAX_KEY_LEN: usize = 850;

/// Where a request points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The bucket, if any.
    pub(crate) bucket: Option<String>,
    /// The decoded key, if any (never empty).
    pub(crate) key: Option<String>,
    /// The bucket came from the path.
    pub(crate) path_style: bool,
}

/// Decodes `%XX` escapes strictly: a `%` not followed by two hex digits, or a result
/// that is not UTF-8, is an invalid URI.
pub(crate) fn strict_decode(text: &str) -> Result<String, CosError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) => out.push(b),
                None => return Err(invalid_uri()),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| invalid_uri())
}

fn invalid_uri() -> CosError {
    CosError::new(ErrorCode::InvalidURI)
}

/// `true` for a host that names no bucket: an IP address, `localhost`, or a name
/// without dots.
fn is_plain_host(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
        || host.eq_ignore_ascii_case("localhost")
        || !host.contains('.')
        || (host.starts_with('[') && host.ends_with(']'))
}

/// Splits a `Host` into the host name (lower case, no port).
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if host.starts_with('[') {
        host.split_once(']').map_or(host, |(h, _)| h).to_owned() + "]"
    } else {
        host.rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host, |(h, _)| h)
            .to_owned()
    };
    name.to_ascii_lowercase()
}

/// Finds the bucket and key of a request.
pub(crate) fn resolve(host: &str, raw_path: &str) -> Result<Target, CosError> {
    let name = host_name(host);
    let service_host = name.starts_with("service.cos.") || name.starts_with("cos.");
    if is_plain_host(&name) {
        let rest = raw_path.strip_prefix('/').unwrap_or(raw_path);
        if rest.is_empty() {
            return Ok(Target {
                bucket: None,
                key: None,
                path_style: true,
            });
        }
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket = strict_decode(bucket)?;
        check_bucket_name(&bucket)?;
        let key = strict_decode(key)?;
        return Ok(Target {
            bucket: Some(bucket),
            key: (!key.is_empty()).then_some(key),
            path_style: true,
        });
    }
    let key = strict_decode(raw_path.strip_prefix('/').unwrap_or(raw_path))?;
    if service_host {
        return Ok(Target {
            bucket: None,
            key: None,
            path_style: false,
        });
    }
    let bucket = name.split('.').next().unwrap_or_default().to_owned();
    check_bucket_name(&bucket)?;
    Ok(Target {
        bucket: Some(bucket),
        key: (!key.is_empty()).then_some(key),
        path_style: false,
    })
}

/// COS bucket names: lower-case letters, digits and `-`, not at either end.
pub(crate) fn check_bucket_name(name: &str) -> Result<(), CosError> {
    let ok = !name.is_empty()
        && name.len() <= 60
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(CosError::new(ErrorCode::InvalidBucketName))
    }
}

fn check_key(key: &str) -> Result<(), CosError> {
    if key.len() > MAX_KEY_LEN {
        return Err(CosError::new(ErrorCode::KeyTooLong));
    }
    if key.bytes().any(|b| (24..=27).contains(&b)) {
        return Err(CosError::with_message(
            ErrorCode::InvalidObjectName,
            "The key contains a forbidden control character.",
        ));
    }
    Ok(())
}

/// `x-cos-traffic-limit` (header or parameter) must be 819200..=838860800 bit/s. The
/// emulator checks the value but does not throttle.
fn check_traffic_limit(
    parts: &http::request::Parts,
    params: &[(String, String)],
) -> Result<(), CosError> {
    const NAME: &str = "x-cos-traffic-limit";
    let header = parts
        .headers
        .get(NAME)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let param = params
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(NAME))
        .map(|(_, v)| v.clone());
    for value in header.into_iter().chain(param) {
        let ok = value.trim().parse::<u64>().is_ok_and(|v| {
            (cos_proto::headers::MIN_TRAFFIC_LIMIT..=cos_proto::headers::MAX_TRAFFIC_LIMIT)
                .contains(&v)
        });
        if !ok {
            return Err(CosError::with_message(
                ErrorCode::InvalidArgument,
                format!(
                    "x-cos-traffic-limit must be between 819200 and 838860800, got {value:.32}"
                ),
            ));
        }
    }
    Ok(())
}

fn check_headers(parts: &http::request::Parts) -> Result<(), CosError> {
    let mut total = 0usize;
    for (name, value) in &parts.headers {
        if value.len() > MAX_HEADER_VALUE {
            return Err(CosError::with_message(
                ErrorCode::RequestHeaderTooLarge,
                format!(
                    "The header {} is longer than {MAX_HEADER_VALUE} bytes.",
                    name.as_str()
                ),
            ));
        }
        total += name.as_str().len() + value.len();
    }
    if total > MAX_HEADERS_TOTAL {
        return Err(CosError::new(ErrorCode::RequestHeaderTooLarge));
    }
    Ok(())
}

/// Every operation the emulator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    ListBuckets,
    CreateBucket,
    HeadBucket,
    DeleteBucket,
    GetBucketLocation,
    GetBucketAcl,
    PutBucketAcl,
    GetBucketPolicy,
    PutBucketPolicy,
    DeleteBucketPolicy,
    GetBucketConfig(Sub),
    PutBucketConfig(Sub),
    DeleteBucketConfig(Sub),
    PostBucketInventory,
    Preflight,
    ListObjects,
    ListObjectVersions,
    ListMultipartUploads,
    GetBucketVersioning,
    PutBucketVersioning,
    DeleteObjects,
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    DeleteObject,
    AppendObject,
    RestoreObject,
    SelectObject,
    InitiateMultipartUpload,
    UploadPart,
    UploadPartCopy,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListParts,
    GetObjectTagging,
    PutObjectTagging,
    DeleteObjectTagging,
    GetObjectAcl,
    PutObjectAcl,
}

fn has(params: &[(String, String)], name: &str) -> bool {
    params.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Bucket sub-resources the emulator does not model (answered 501).
const UNSUPPORTED_BUCKET_RESOURCES: [&str; 5] = [
    "origin",
    "accelerate",
    "notification",
    "requestPayment",
    "publicAccessBlock",
];

/// Object sub-resources the emulator does not model (answered 501 rather than being
/// mistaken for a plain read or write of the object).
const UNSUPPORTED_OBJECT_RESOURCES: [&str; 7] = [
    "symlink",
    "ci-process",
    "torrent",
    "retention",
    "legal-hold",
    "rename",
    "image_process",
];

fn not_implemented(name: &str) -> CosError {
    CosError::with_message(
        ErrorCode::NotImplemented,
        format!("The sub-resource ?{name} is not implemented by the emulator."),
    )
}

/// Picks the operation from the method, the target and the sub-resource.
pub(crate) fn classify(
    method: &Method,
    target: &Target,
    params: &[(String, String)],
    headers: &http::HeaderMap,
) -> Result<Op, CosError> {
    let p = |name: &str| has(params, name);
    let not_allowed = || CosError::new(ErrorCode::MethodNotAllowed);
    let op = match (&target.bucket, &target.key) {
        (None, _) => match *method {
            Method::GET => Op::ListBuckets,
            _ => return Err(not_allowed()),
        },
        (Some(_), None) => {
            if let Some(name) = UNSUPPORTED_BUCKET_RESOURCES.iter().find(|n| p(n)) {
                return Err(not_implemented(name));
            }
            let sub = Sub::ALL.into_iter().find(|s| p(s.param()));
            match (method.clone(), sub) {
                (Method::OPTIONS, _) => Op::Preflight,
                (Method::GET, _) if p("versions") => Op::ListObjectVersions,
                (Method::GET, _) if p("uploads") => Op::ListMultipartUploads,
                (Method::GET, _) if p("versioning") => Op::GetBucketVersioning,
                (Method::GET, _) if p("location") => Op::GetBucketLocation,
                (Method::GET, _) if p("acl") => Op::GetBucketAcl,
                (Method::GET, _) if p("policy") => Op::GetBucketPolicy,
                (Method::GET, Some(sub)) => Op::GetBucketConfig(sub),
                (Method::GET, None) => Op::ListObjects,
                (Method::HEAD, _) => Op::HeadBucket,
                (_, _) if p("location") => return Err(not_allowed()),
                (Method::PUT, _) if p("versioning") => Op::PutBucketVersioning,
                (Method::PUT, _) if p("acl") => Op::PutBucketAcl,
                (Method::PUT, _) if p("policy") => Op::PutBucketPolicy,
                (Method::PUT, Some(sub)) => Op::PutBucketConfig(sub),
                (Method::PUT, None) => Op::CreateBucket,
                (Method::DELETE, _) if p("policy") => Op::DeleteBucketPolicy,
                (Method::DELETE, Some(sub)) if sub.deletable() => Op::DeleteBucketConfig(sub),
                (Method::DELETE, Some(_)) => return Err(not_allowed()),
                (Method::DELETE, None) => Op::DeleteBucket,
                (Method::POST, _) if p("delete") => Op::DeleteObjects,
                (Method::POST, Some(Sub::Inventory)) => Op::PostBucketInventory,
                (Method::POST, _) => {
                    return Err(CosError::with_message(
                        ErrorCode::NotImplemented,
                        "POST Object (form upload) is not implemented by the emulator.",
                    ));
                }
                _ => return Err(not_allowed()),
            }
        }
        (Some(_), Some(_)) => {
            if let Some(name) = UNSUPPORTED_OBJECT_RESOURCES.iter().find(|n| p(n)) {
                return Err(not_implemented(name));
            }
            let copy = headers.contains_key("x-cos-copy-source");
            match *method {
                Method::OPTIONS => Op::Preflight,
                Method::GET if p("acl") => Op::GetObjectAcl,
                Method::GET if p("tagging") => Op::GetObjectTagging,
                Method::GET if p("uploadId") => Op::ListParts,
                Method::GET => Op::GetObject,
                Method::HEAD => Op::HeadObject,
                Method::PUT if p("acl") => Op::PutObjectAcl,
                Method::PUT if p("tagging") => Op::PutObjectTagging,
                Method::PUT if p("partNumber") || p("uploadId") => {
                    if copy {
                        Op::UploadPartCopy
                    } else {
                        Op::UploadPart
                    }
                }
                Method::PUT if copy => Op::CopyObject,
                Method::PUT => Op::PutObject,
                Method::POST if p("uploads") => Op::InitiateMultipartUpload,
                Method::POST if p("uploadId") => Op::CompleteMultipartUpload,
                Method::POST if p("append") => Op::AppendObject,
                Method::POST if p("restore") => Op::RestoreObject,
                Method::POST if p("select") => Op::SelectObject,
                Method::DELETE if p("tagging") => Op::DeleteObjectTagging,
                Method::DELETE if p("uploadId") => Op::AbortMultipartUpload,
                Method::DELETE => Op::DeleteObject,
                _ => return Err(not_allowed()),
            }
        }
    };
    Ok(op)
}

/// Routes a request and renders any failure as a COS error response.
pub(crate) async fn route(
    app: &App,
    parts: &http::request::Parts,
    body: &mut RequestBody,
    resource: &str,
    request_id: &str,
) -> Response<ResponseBody> {
    match route_inner(app, parts, body, resource, request_id).await {
        Ok(response) => response,
        Err(error) => render_error(&error, &parts.method, resource, request_id),
    }
}

async fn route_inner(
    app: &App,
    parts: &http::request::Parts,
    body: &mut RequestBody,
    resource: &str,
    request_id: &str,
) -> Result<Response<ResponseBody>, CosError> {
    check_headers(parts)?;
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or("")
        .to_owned();
    let target = resolve(&host, parts.uri.path())?;
    if let Some(key) = &target.key {
        check_key(key)?;
    }
    let params = match parts.uri.query() {
        Some(query) => cos_proto::encode::parse_query(query).ok_or_else(invalid_uri)?,
        None => Vec::new(),
    };
    check_traffic_limit(parts, &params)?;
    let now = app.now();
    let path_style_bucket = target.bucket.as_deref().filter(|_| target.path_style);
    let principal = auth::authenticate(app, parts, now, path_style_bucket)?;
    let op = classify(&parts.method, &target, &params, &parts.headers)?;
    let bucket = target.bucket.clone().unwrap_or_default();
    // Creating and deleting name a bucket that may not exist; everything else needs it
    // (created on first use unless auto-creation is off).
    let needs_bucket = !matches!(op, Op::CreateBucket | Op::DeleteBucket);
    if !bucket.is_empty() && needs_bucket && !app.store.bucket_exists(&bucket) {
        if app.settings.auto_create_buckets {
            app.store
                .create_bucket(&bucket, Versioning::Unversioned, now)?;
        } else {
            return Err(CosError::new(ErrorCode::NoSuchBucket));
        }
    }
    let req = Req {
        app,
        parts,
        bucket,
        key: target.key.clone().unwrap_or_default(),
        params,
        host,
        path_style: target.path_style,
        now,
        request_id: request_id.to_owned(),
    };
    if principal == Principal::Anonymous && !app.settings.anonymous && !public_read(&req, op) {
        return Err(CosError::new(ErrorCode::AccessDenied));
    }
    let mut response = match dispatch(op, &req, body).await {
        Ok(response) => response,
        Err(error) => render_error(&error, &parts.method, resource, request_id),
    };
    if op != Op::Preflight && !req.bucket.is_empty() {
        handlers::cors::decorate(&req, &mut response);
    }
    Ok(response)
}

/// What anonymous requests may do: CORS preflights; reads of objects whose ACL is
/// public, or whose ACL is the bucket's (`default`, none set) when the bucket ACL is
/// public; reads a bucket policy allows anonymously ([`handlers::policy`]).
fn public_read(req: &Req<'_>, op: Op) -> bool {
    let action = match op {
        Op::Preflight => return true,
        Op::GetObject => "cos:GetObject",
        Op::HeadObject => "cos:HeadObject",
        _ => return false,
    };
    let by_policy = handlers::bucket_config::stored(req, "policy").is_some_and(|policy| {
        let allows =
            |a: &str| handlers::policy::allows_anonymous(&policy, a, &req.bucket, &req.key);
        allows(action) || (op == Op::HeadObject && allows("cos:GetObject"))
    });
    if by_policy {
        return true;
    }
    let Ok(version) = req
        .app
        .store
        .get_version(&req.bucket, &req.key, req.version_id())
    else {
        return false;
    };
    let acl = &version.meta.acl;
    let inherits = acl.grants.is_empty() && matches!(acl.canned.as_deref(), None | Some("default"));
    acl.public_read()
        || (inherits
            && req.app.store.read(|s| {
                s.buckets
                    .get(&req.bucket)
                    .is_some_and(|b| b.record.acl.public_read())
            }))
}

async fn dispatch(
    op: Op,
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    use handlers::*;
    match op {
        Op::ListBuckets => service::list_buckets(req),
        Op::CreateBucket => bucket::create_bucket(req, body).await,
        Op::HeadBucket => bucket::head_bucket(req),
        Op::DeleteBucket => bucket::delete_bucket(req),
        Op::GetBucketLocation => bucket::get_location(req),
        Op::GetBucketAcl => bucket::get_bucket_acl(req),
        Op::PutBucketAcl => bucket::put_bucket_acl(req, body).await,
        Op::GetBucketPolicy => policy::get_policy(req),
        Op::PutBucketPolicy => policy::put_policy(req, body).await,
        Op::DeleteBucketPolicy => policy::delete_policy(req),
        Op::GetBucketConfig(sub) => bucket_config::get_config(req, sub),
        Op::PutBucketConfig(sub) => bucket_config::put_config(req, sub, body).await,
        Op::DeleteBucketConfig(sub) => bucket_config::delete_config(req, sub),
        Op::PostBucketInventory => bucket_config::post_inventory(req, body).await,
        Op::Preflight => cors::preflight(req),
        Op::GetBucketVersioning => bucket::get_versioning(req),
        Op::PutBucketVersioning => bucket::put_versioning(req, body).await,
        Op::ListObjects => list::list_objects(req),
        Op::ListObjectVersions => list::list_versions(req),
        Op::ListMultipartUploads => multipart::list_uploads(req),
        Op::DeleteObjects => delete_multiple::delete_objects(req, body).await,
        Op::PutObject => object::put_object(req, body).await,
        Op::GetObject => object::get_object(req, false),
        Op::HeadObject => object::get_object(req, true),
        Op::DeleteObject => object::delete_object(req),
        Op::CopyObject => copy::copy_object(req),
        Op::AppendObject => append::append_object(req, body).await,
        Op::RestoreObject => restore::restore_object(req, body).await,
        Op::SelectObject => select_handler::select_object(req, body).await,
        Op::InitiateMultipartUpload => multipart::initiate(req),
        Op::UploadPart => multipart::upload_part(req, body).await,
        Op::UploadPartCopy => multipart::upload_part_copy(req),
        Op::CompleteMultipartUpload => multipart::complete(req, body).await,
        Op::AbortMultipartUpload => multipart::abort(req),
        Op::ListParts => multipart::list_parts(req),
        Op::GetObjectTagging => tagging::get_tagging(req),
        Op::PutObjectTagging => tagging::put_tagging(req, body).await,
        Op::DeleteObjectTagging => tagging::delete_tagging(req),
        Op::GetObjectAcl => acl::get_acl(req),
        Op::PutObjectAcl => acl::put_acl(req, body).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_host_and_path_style() {
        let t = resolve(
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            "/a%20b/c",
        )
        .expect("ok");
        assert_eq!(t.bucket.as_deref(), Some("examplebucket-1250000000"));
        assert_eq!(t.key.as_deref(), Some("a b/c"));
        let t = resolve("127.0.0.1:9000", "/bkt-1/x%2By/").expect("ok");
        assert_eq!(t.bucket.as_deref(), Some("bkt-1"));
        assert_eq!(t.key.as_deref(), Some("x+y/"));
        assert!(t.path_style);
        let t = resolve("localhost:1", "/bkt").expect("ok");
        assert_eq!((t.bucket.as_deref(), t.key), (Some("bkt"), None));
        let t = resolve("127.0.0.1:9000", "/").expect("ok");
        assert_eq!(t.bucket, None);
        let t = resolve("service.cos.myqcloud.com", "/").expect("ok");
        assert_eq!(t.bucket, None);
        let t = resolve("b-1.cos.ap-guangzhou.myqcloud.com", "//a").expect("ok");
        assert_eq!(t.key.as_deref(), Some("/a"));
    }

    #[test]
    fn invalid_escapes_and_names_are_rejected() {
        for path in ["/b/%zz", "/b/%", "/b/%4", "/b/%FF", "/b/%C3%28"] {
            let err = resolve("127.0.0.1:1", path).expect_err(path);
            assert_eq!(err.code, ErrorCode::InvalidURI, "{path}");
        }
        let err = resolve("127.0.0.1:1", "/Bad_Name/k").expect_err("name");
        assert_eq!(err.code, ErrorCode::InvalidBucketName);
        let err = resolve("127.0.0.1:1", "/-/k").expect_err("name");
        assert_eq!(err.code, ErrorCode::InvalidBucketName);
    }

    #[test]
    fn sub_resources_pick_the_operation() {
        let target = resolve("127.0.0.1:1", "/b/k").expect("ok");
        let params = |pairs: &[&str]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|p| ((*p).to_owned(), String::new()))
                .collect()
        };
        let none = http::HeaderMap::new();
        let mut copy = http::HeaderMap::new();
        copy.insert(
            "x-cos-copy-source",
            http::HeaderValue::from_static("b.cos.x/k"),
        );
        let cases = [
            (
                Method::PUT,
                vec!["partNumber", "uploadId"],
                &none,
                Op::UploadPart,
            ),
            (
                Method::PUT,
                vec!["partNumber", "uploadId"],
                &copy,
                Op::UploadPartCopy,
            ),
            (Method::PUT, vec![], &copy, Op::CopyObject),
            (
                Method::POST,
                vec!["append", "position"],
                &none,
                Op::AppendObject,
            ),
            (
                Method::POST,
                vec!["uploads"],
                &none,
                Op::InitiateMultipartUpload,
            ),
            (Method::GET, vec!["uploadId"], &none, Op::ListParts),
            (
                Method::DELETE,
                vec!["tagging"],
                &none,
                Op::DeleteObjectTagging,
            ),
            (
                Method::POST,
                vec!["select", "select-type"],
                &none,
                Op::SelectObject,
            ),
        ];
        for (method, ps, headers, expected) in cases {
            assert_eq!(
                classify(&method, &target, &params(&ps), headers).expect("op"),
                expected
            );
        }
        let bucket = resolve("127.0.0.1:1", "/b").expect("ok");
        assert_eq!(
            classify(&Method::GET, &bucket, &params(&["versions"]), &none).expect("op"),
            Op::ListObjectVersions
        );
        assert_eq!(
            classify(&Method::GET, &bucket, &params(&["cors"]), &none).expect("op"),
            Op::GetBucketConfig(Sub::Cors)
        );
        assert_eq!(
            classify(
                &Method::PUT,
                &bucket,
                &params(&["intelligent-tiering", "id"]),
                &none
            )
            .expect("op"),
            Op::PutBucketConfig(Sub::TieringV2)
        );
        assert_eq!(
            classify(&Method::DELETE, &bucket, &params(&["logging"]), &none)
                .expect_err("405")
                .code,
            ErrorCode::MethodNotAllowed
        );
        assert_eq!(
            classify(&Method::OPTIONS, &target, &[], &none).expect("op"),
            Op::Preflight
        );
        assert_eq!(
            classify(&Method::GET, &bucket, &params(&["notification"]), &none)
                .expect_err("501")
                .code,
            ErrorCode::NotImplemented
        );
        assert_eq!(
            classify(&Method::PATCH, &target, &[], &none)
                .expect_err("405")
                .code,
            ErrorCode::MethodNotAllowed
        );
    }
}
