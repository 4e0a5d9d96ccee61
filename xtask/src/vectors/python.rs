//! Translating the reference SDK's calls (`CosConfig` options and `**kwargs`) into
//! `cos-proto` configurations and operations, and outputs back into the SDK's dict shape.

use bytes::Bytes;
use cos_proto::headers::{CustomerKey, ServerSideEncryption, StorageClass, content_md5};
use cos_proto::ops::{self, ByteRange, ResponseOverride};
use cos_proto::sign::{self, KeyTime, SignOptions};
use cos_proto::{Body, Config, Credentials, Operation, Scheme};
use serde_json::{Map, Value};

use super::value::{body_arg, py_str, str_at};

/// A vector's client configuration.
pub(crate) struct VectorConfig {
    pub(crate) config: Config,
    pub(crate) creds: Credentials,
    pub(crate) options: SignOptions,
    pub(crate) anonymous: bool,
}

/// Builds the configuration for `bucket` from a vector's `config` object.
pub(crate) fn config_from(config: &Value, bucket: &str) -> Result<VectorConfig, String> {
    let mut builder = Config::builder(str_at(config, "region")?, bucket);
    builder = builder.scheme(match str_at(config, "scheme")? {
        "http" => Scheme::Http,
        _ => Scheme::Https,
    });
    if let Some(appid) = config.get("Appid").and_then(py_str) {
        builder = builder.appid(appid);
    }
    let options = SignOptions {
        sign_host: config
            .get("SignHost")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        sign_params: config
            .get("SignParams")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    };
    builder = builder
        .sign_host(options.sign_host)
        .sign_params(options.sign_params);
    let config_built = builder.build().map_err(|e| format!("config: {e}"))?;
    let anonymous = config
        .get("Anonymous")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // Anonymous requests are not signed; the credentials are never used.
    let (id, key) = if anonymous {
        ("anonymous", "anonymous")
    } else {
        (str_at(config, "secret_id")?, str_at(config, "secret_key")?)
    };
    let mut creds = Credentials::new(id, key).map_err(|e| format!("credentials: {e}"))?;
    if let Some(token) = config.get("token").and_then(Value::as_str) {
        creds = creds.with_token(token).map_err(|e| format!("token: {e}"))?;
    }
    Ok(VectorConfig {
        config: config_built,
        creds,
        options,
        anonymous,
    })
}

/// Signs like the reference client: anonymous requests carry an empty `Authorization`.
pub(crate) fn sign(
    vc: &VectorConfig,
    request: &mut http::Request<Body>,
    key_time: Option<KeyTime>,
) -> Result<(), String> {
    match key_time {
        _ if vc.anonymous => {
            sign::mark_anonymous(request);
            Ok(())
        }
        Some(key_time) => sign::sign_request(request, &vc.creds, key_time, vc.options)
            .map_err(|e| format!("sign: {e}")),
        None => Err("no key time".into()),
    }
}

/// An operation behind a uniform interface.
pub(crate) trait PyOp {
    /// The unsigned request.
    fn request(&self, config: &Config) -> Result<http::Request<Body>, cos_proto::Error>;
    /// The payload bytes the caller handed over, for streamed bodies.
    fn payload(&self) -> Option<Vec<u8>>;
    /// Parses a response into the reference SDK's result shape.
    fn parse(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<Value, cos_proto::Error>;
}

struct Typed<O: Operation> {
    op: O,
    payload: Option<Vec<u8>>,
    view: fn(&O::Output, &http::Response<Bytes>) -> Value,
}

impl<O: Operation> PyOp for Typed<O> {
    fn request(&self, config: &Config) -> Result<http::Request<Body>, cos_proto::Error> {
        self.op.build_request(config)
    }

    fn payload(&self) -> Option<Vec<u8>> {
        self.payload.clone()
    }

    fn parse(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<Value, cos_proto::Error> {
        let copy = response.clone();
        let output = self.op.parse_response(url, response)?;
        Ok((self.view)(&output, &copy))
    }
}

/// The reference's `**kwargs` that no operation-specific mapping consumed become headers,
/// as its `mapped()` makes them: through the SDK's mapping table, `Metadata` verbatim.
pub(crate) fn typed<O: Operation + ExtraHeaders + 'static>(
    kw: &mut Kwargs<'_>,
    mut op: O,
    payload: Option<Vec<u8>>,
    view: fn(&O::Output, &http::Response<Bytes>) -> Value,
) -> Result<Box<dyn PyOp>, String> {
    for (name, value) in kw.free_headers()? {
        op = op.extra_header(name, value);
    }
    Ok(Box::new(Typed { op, payload, view }))
}

/// Every operation's `header` setter, behind one name.
pub(crate) trait ExtraHeaders: Sized {
    fn extra_header(self, name: String, value: String) -> Self;
}

macro_rules! extra_headers {
    ($($op:ident),* $(,)?) => {
        $(impl ExtraHeaders for ops::$op {
            fn extra_header(self, name: String, value: String) -> Self {
                self.header(name, value)
            }
        })*
    };
}

extra_headers!(
    AbortMultipartUpload,
    AppendObject,
    CompleteMultipartUpload,
    CopyObject,
    CustomRequest,
    DeleteObject,
    DeleteObjects,
    DeleteObjectTagging,
    GetObject,
    GetObjectAcl,
    GetObjectTagging,
    HeadObject,
    InitiateMultipartUpload,
    ListMultipartUploads,
    ListObjectVersions,
    ListObjects,
    ListParts,
    PutObject,
    PutObjectAcl,
    PutObjectTagging,
    RestoreObject,
    SelectObjectContent,
    UploadPart,
    UploadPartCopy,
);

/// The reference SDK's `maplist` (1.9.44): kwarg → wire header name.
const SDK_HEADERS: &[(&str, &str)] = &[
    ("ContentLength", "Content-Length"),
    ("ContentMD5", "Content-MD5"),
    ("ContentType", "Content-Type"),
    ("CacheControl", "Cache-Control"),
    ("ContentDisposition", "Content-Disposition"),
    ("ContentEncoding", "Content-Encoding"),
    ("ContentLanguage", "Content-Language"),
    ("Expires", "Expires"),
    ("ResponseContentType", "response-content-type"),
    ("ResponseContentLanguage", "response-content-language"),
    ("ResponseExpires", "response-expires"),
    ("ResponseCacheControl", "response-cache-control"),
    ("ResponseContentDisposition", "response-content-disposition"),
    ("ResponseContentEncoding", "response-content-encoding"),
    ("ACL", "x-cos-acl"),
    ("Tagging", "x-cos-tagging"),
    ("GrantFullControl", "x-cos-grant-full-control"),
    ("GrantWrite", "x-cos-grant-write"),
    ("GrantRead", "x-cos-grant-read"),
    ("StorageClass", "x-cos-storage-class"),
    ("Range", "Range"),
    ("IfMatch", "If-Match"),
    ("IfNoneMatch", "If-None-Match"),
    ("IfModifiedSince", "If-Modified-Since"),
    ("IfUnmodifiedSince", "If-Unmodified-Since"),
    ("CopySourceIfMatch", "x-cos-copy-source-If-Match"),
    ("CopySourceIfNoneMatch", "x-cos-copy-source-If-None-Match"),
    (
        "CopySourceIfModifiedSince",
        "x-cos-copy-source-If-Modified-Since",
    ),
    (
        "CopySourceIfUnmodifiedSince",
        "x-cos-copy-source-If-Unmodified-Since",
    ),
    ("VersionId", "versionId"),
    ("ServerSideEncryption", "x-cos-server-side-encryption"),
    ("SSEKMSKeyId", "x-cos-server-side-encryption-cos-kms-key-id"),
    ("SSEKMSContext", "x-cos-server-side-encryption-context"),
    (
        "SSECustomerAlgorithm",
        "x-cos-server-side-encryption-customer-algorithm",
    ),
    (
        "SSECustomerKey",
        "x-cos-server-side-encryption-customer-key",
    ),
    (
        "SSECustomerKeyMD5",
        "x-cos-server-side-encryption-customer-key-MD5",
    ),
    (
        "CopySourceSSECustomerAlgorithm",
        "x-cos-copy-source-server-side-encryption-customer-algorithm",
    ),
    (
        "CopySourceSSECustomerKey",
        "x-cos-copy-source-server-side-encryption-customer-key",
    ),
    (
        "CopySourceSSECustomerKeyMD5",
        "x-cos-copy-source-server-side-encryption-customer-key-MD5",
    ),
    ("Referer", "Referer"),
    ("PicOperations", "Pic-Operations"),
    ("TrafficLimit", "x-cos-traffic-limit"),
    ("Accept", "Accept"),
    ("AcceptEncoding", "Accept-Encoding"),
    ("Callback", "x-cos-callback"),
    ("CallbackVar", "x-cos-callback-var"),
];

/// Keyword arguments, consumed one by one; leftovers are an error (an unmapped argument
/// would silently weaken the check).
pub(crate) struct Kwargs<'a> {
    map: &'a Map<String, Value>,
    used: Vec<&'a str>,
}

impl<'a> Kwargs<'a> {
    pub(crate) fn new(value: &'a Value) -> Result<Self, String> {
        let map = value.as_object().ok_or("kwargs is not an object")?;
        Ok(Self {
            map,
            used: vec!["Bucket"],
        })
    }

    pub(crate) fn raw(&mut self, name: &'a str) -> Option<&'a Value> {
        self.used.push(name);
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub(crate) fn str(&mut self, name: &'a str) -> Option<String> {
        self.raw(name).and_then(py_str)
    }

    pub(crate) fn u64(&mut self, name: &'a str) -> Result<Option<u64>, String> {
        self.str(name)
            .map(|s| s.parse().map_err(|_| format!("{name} is not a number")))
            .transpose()
    }

    pub(crate) fn required(&mut self, name: &'a str) -> Result<String, String> {
        self.str(name).ok_or_else(|| format!("missing {name}"))
    }

    pub(crate) fn pairs(&mut self, name: &'a str) -> Vec<(String, String)> {
        self.raw(name)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), py_str(v)?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The kwargs left over that the reference sends as headers: each through
    /// [`SDK_HEADERS`], each `Metadata` entry as its own header. Marks them used.
    fn free_headers(&mut self) -> Result<Vec<(String, String)>, String> {
        let left: Vec<&'a String> = self
            .map
            .keys()
            .filter(|k| !self.used.contains(&k.as_str()))
            .collect();
        let mut headers = Vec::new();
        for name in left {
            if name == "Metadata" {
                headers.extend(self.pairs("Metadata"));
                continue;
            }
            let Some((_, header)) = SDK_HEADERS.iter().find(|(kwarg, _)| kwarg == name) else {
                continue;
            };
            if let Some(value) = self.str(name) {
                headers.push(((*header).to_owned(), value));
            }
        }
        Ok(headers)
    }

    pub(crate) fn finish(self) -> Result<(), String> {
        let left: Vec<&String> = self
            .map
            .keys()
            .filter(|k| !self.used.contains(&k.as_str()))
            .collect();
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!("unmapped kwargs {left:?}"))
        }
    }

    pub(crate) fn customer_key(&mut self, prefix: &'a str) -> Option<CustomerKey> {
        let (alg, key, md5) = match prefix {
            "" => (
                "SSECustomerAlgorithm",
                "SSECustomerKey",
                "SSECustomerKeyMD5",
            ),
            _ => (
                "CopySourceSSECustomerAlgorithm",
                "CopySourceSSECustomerKey",
                "CopySourceSSECustomerKeyMD5",
            ),
        };
        let algorithm = self.str(alg)?;
        Some(CustomerKey {
            algorithm,
            key: self.str(key).unwrap_or_default(),
            key_md5: self.str(md5).unwrap_or_default(),
        })
    }

    pub(crate) fn encryption(&mut self) -> Option<ServerSideEncryption> {
        if let Some(key) = self.customer_key("") {
            return Some(ServerSideEncryption::Customer(key));
        }
        match self.str("ServerSideEncryption")?.as_str() {
            "cos/kms" => Some(ServerSideEncryption::Kms {
                key_id: self.str("SSEKMSKeyId"),
                context: self.str("SSEKMSContext"),
            }),
            _ => Some(ServerSideEncryption::Cos),
        }
    }
}

/// Header-dict results (`put_object`, `head_object`, ...): the reference returns the
/// response headers; names are compared case-insensitively.
pub(crate) fn header_view(response: &http::Response<Bytes>) -> Map<String, Value> {
    response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect()
}

pub(crate) fn set_opt(map: &mut Map<String, Value>, key: &str, value: Option<String>) {
    match value {
        Some(v) => {
            map.insert(key.to_owned(), Value::String(v));
        }
        None => {
            map.remove(key);
        }
    }
}

/// Builds the operation the reference SDK's `operation(**kwargs)` call stands for.
pub(crate) fn operation(name: &str, kwargs: &Value) -> Result<Box<dyn PyOp>, String> {
    let mut kw = Kwargs::new(kwargs)?;
    let op = match name {
        "put_object" => put_object(&mut kw)?,
        "get_object" => get_object(&mut kw)?,
        "head_object" => head_object(&mut kw)?,
        "send_request" => send_request(&mut kw)?,
        other => super::python_ops::operation(other, &mut kw)?,
    };
    kw.finish()?;
    Ok(op)
}

fn put_object(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let key = kw.required("Key")?;
    let (data, known) = body_arg(kw.raw("Body").unwrap_or(&Value::Null))?;
    let mut op = ops::PutObject::new(key, known.then_some(data.len() as u64));
    if kw.raw("EnableMD5").and_then(Value::as_bool) == Some(true) {
        op = op.content_md5(content_md5(&data));
    }
    let op = object_headers!(kw, op, [tagging, traffic, md5, sse]);
    typed(kw, op, Some(data), |out, resp| {
        let mut view = header_view(resp);
        set_opt(&mut view, "etag", out.etag.clone());
        set_opt(
            &mut view,
            "x-cos-hash-crc64ecma",
            out.crc64.map(|c| c.to_string()),
        );
        set_opt(&mut view, "x-cos-version-id", out.version_id.clone());
        Value::Object(view)
    })
}

/// Applies the object-attribute kwargs (content headers, metadata, ACL, storage class,
/// tagging, traffic limit, Content-MD5, SSE) to any operation that has those setters.
macro_rules! object_headers {
    ($kw:expr, $op:expr, [$($extra:ident),*]) => {{
        let kw: &mut Kwargs<'_> = $kw;
        let mut op = $op;
        if let Some(v) = kw.str("ContentType") { op = op.content_type(v); }
        if let Some(v) = kw.str("CacheControl") { op = op.cache_control(v); }
        if let Some(v) = kw.str("ContentDisposition") { op = op.content_disposition(v); }
        if let Some(v) = kw.str("ContentEncoding") { op = op.content_encoding(v); }
        if let Some(v) = kw.str("ContentLanguage") { op = op.content_language(v); }
        if let Some(v) = kw.str("Expires") { op = op.expires(v); }
        for (name, value) in kw.pairs("Metadata") { op = op.metadata(name, value); }
        if let Some(v) = kw.str("ACL") { op = op.acl(v); }
        if let Some(v) = kw.str("GrantRead") { op = op.grant_read(v); }
        if let Some(v) = kw.str("GrantWrite") { op = op.grant_write(v); }
        if let Some(v) = kw.str("GrantFullControl") { op = op.grant_full_control(v); }
        if let Some(v) = kw.str("StorageClass") { op = op.storage_class(StorageClass::parse(&v)); }
        $( object_headers!(@$extra kw, op); )*
        op
    }};
    (@tagging $kw:ident, $op:ident) => {
        if let Some(v) = $kw.str("Tagging") { $op = $op.tagging(v); }
    };
    (@traffic $kw:ident, $op:ident) => {
        if let Some(v) = $kw.u64("TrafficLimit")? { $op = $op.traffic_limit(v); }
    };
    (@md5 $kw:ident, $op:ident) => {
        if let Some(v) = $kw.str("ContentMD5") { $op = $op.content_md5(v); }
    };
    (@sse $kw:ident, $op:ident) => {
        if let Some(sse) = $kw.encryption() { $op = $op.server_side_encryption(sse); }
    };
}
pub(crate) use object_headers;

/// The `If*` kwargs, through the operation's typed condition setters.
macro_rules! conditions {
    ($kw:expr, $op:expr) => {{
        let kw: &mut Kwargs<'_> = $kw;
        let mut op = $op;
        if let Some(v) = kw.str("IfMatch") {
            op = op.if_match(v);
        }
        if let Some(v) = kw.str("IfNoneMatch") {
            op = op.if_none_match(v);
        }
        if let Some(v) = kw.str("IfModifiedSince") {
            op = op.if_modified_since(v);
        }
        if let Some(v) = kw.str("IfUnmodifiedSince") {
            op = op.if_unmodified_since(v);
        }
        op
    }};
}
pub(crate) use conditions;

fn get_object(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::GetObject::new(kw.required("Key")?);
    if let Some(check) = kw.raw("KeySimplifyCheck").and_then(Value::as_bool) {
        op = op.key_simplify_check(check);
    }
    // The response-* overrides go out in the caller's order, as the reference sends them.
    let overrides = [
        ("ResponseContentType", ResponseOverride::ContentType),
        ("ResponseContentLanguage", ResponseOverride::ContentLanguage),
        ("ResponseExpires", ResponseOverride::Expires),
        ("ResponseCacheControl", ResponseOverride::CacheControl),
        (
            "ResponseContentDisposition",
            ResponseOverride::ContentDisposition,
        ),
        ("ResponseContentEncoding", ResponseOverride::ContentEncoding),
    ];
    let given: Vec<String> = kw.map.keys().cloned().collect();
    for name in given {
        if let Some((kwarg, which)) = overrides.iter().find(|(k, _)| *k == name)
            && let Some(value) = kw.str(kwarg)
        {
            op = op.response_header(*which, value);
        }
    }
    if let Some(v) = kw.str("Range") {
        op = op.range(ByteRange::parse(&v).map_err(|e| e.to_string())?);
    }
    op = conditions!(kw, op);
    if let Some(v) = kw.str("VersionId") {
        op = op.version_id(v);
    }
    if let Some(v) = kw.u64("TrafficLimit")? {
        op = op.traffic_limit(v);
    }
    if let Some(key) = kw.customer_key("") {
        op = op.customer_key(key);
    }
    typed(kw, op, None, |out, resp| {
        let mut view = header_view(resp);
        set_opt(&mut view, "etag", out.info.etag.clone());
        set_opt(
            &mut view,
            "content-length",
            out.info.content_length.map(|c| c.to_string()),
        );
        set_opt(
            &mut view,
            "x-cos-hash-crc64ecma",
            out.info.crc64.map(|c| c.to_string()),
        );
        use base64::Engine as _;
        let body = base64::engine::general_purpose::STANDARD.encode(resp.body());
        view.insert("Body".into(), serde_json::json!({ "$stream_base64": body }));
        Value::Object(view)
    })
}

fn head_object(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let mut op = ops::HeadObject::new(kw.required("Key")?);
    if let Some(v) = kw.str("VersionId") {
        op = op.version_id(v);
    }
    op = conditions!(kw, op);
    if let Some(key) = kw.customer_key("") {
        op = op.customer_key(key);
    }
    typed(kw, op, None, |out, resp| {
        let mut view = header_view(resp);
        set_opt(&mut view, "etag", out.etag.clone());
        set_opt(
            &mut view,
            "content-length",
            out.content_length.map(|c| c.to_string()),
        );
        set_opt(
            &mut view,
            "x-cos-hash-crc64ecma",
            out.crc64.map(|c| c.to_string()),
        );
        set_opt(&mut view, "x-cos-version-id", out.version_id.clone());
        set_opt(
            &mut view,
            "x-cos-storage-class",
            out.storage_class.as_ref().map(|c| c.as_str().to_owned()),
        );
        for (name, value) in &out.metadata {
            view.insert(name.clone(), Value::String(value.clone()));
        }
        Value::Object(view)
    })
}

fn send_request(kw: &mut Kwargs<'_>) -> Result<Box<dyn PyOp>, String> {
    let method: http::Method = kw.required("method")?.parse().map_err(|_| "bad method")?;
    let mut op = match kw.str("key") {
        Some(key) => ops::CustomRequest::object(method, key),
        None => ops::CustomRequest::bucket(method),
    };
    for (name, value) in kw.pairs("params") {
        op = op.param(name, value);
    }
    for (name, value) in kw.pairs("headers") {
        op = op.header(name, value);
    }
    let (data, _) = body_arg(kw.raw("data").unwrap_or(&Value::Null))?;
    if !data.is_empty() {
        op = op.body(Body::Bytes(Bytes::from(data)));
    }
    kw.used
        .extend(["method", "key", "params", "headers", "data"]);
    typed(kw, op, None, |_, resp| Value::Object(header_view(resp)))
}
