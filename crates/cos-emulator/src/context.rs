//! The shared server state ([`App`]), the per-request view handlers work with ([`Req`]),
//! and the top of request handling: request ids, faults, error rendering, common headers.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use cos_proto::Credentials;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, Method, Response, StatusCode};
use hyper::body::Incoming;

use crate::body::{Abort, Cut, RequestBody, ResponseBody};
use crate::cloud_api::{self, CloudSettings, CloudState, metadata};
use crate::errors::CosError;
use crate::faults::{FaultAction, Faults};
use crate::handlers::lifecycle::{self, LifecycleRun};
use crate::server::ConnControl;
use crate::store::Store;
use crate::store::types::Versioning;
use crate::xml_out::{self, Owner};
use crate::{Clock, admin, router};

/// How much of an unread request body is read and dropped before an early answer.
const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Accepted credentials.
    pub(crate) credentials: Vec<Credentials>,
    /// Accept unsigned requests.
    pub(crate) anonymous: bool,
    /// Create unknown buckets on first use.
    pub(crate) auto_create_buckets: bool,
    /// Smallest part (but the last) Complete accepts.
    pub(crate) min_part_size: u64,
    /// Largest single PUT, part or append.
    pub(crate) max_object_size: u64,
    /// How long a restore takes (emulator clock seconds).
    pub(crate) restore_seconds: u64,
    /// Buckets created at start and after a reset.
    pub(crate) buckets: Vec<(String, Versioning)>,
    /// The region buckets report.
    pub(crate) region: String,
    /// The owner account's UIN.
    pub(crate) uin: String,
    /// The fault generator's seed (restored by a reset).
    pub(crate) fault_seed: u64,
}

/// The state every request shares.
pub(crate) struct App {
    pub(crate) settings: Settings,
    pub(crate) store: Store,
    pub(crate) faults: Faults,
    /// Temporary keys, KMS and the Cloud API counters.
    pub(crate) cloud: CloudState,
    clock: Clock,
    clock_offset: AtomicI64,
    request_counter: AtomicU64,
    pub(crate) traffic: Arc<crate::body::Traffic>,
    instance: u64,
    shutdown: tokio::sync::Notify,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.settings)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Builds the state.
    pub(crate) fn new(
        settings: Settings,
        cloud: CloudSettings,
        store: Store,
        faults: Faults,
        clock: Clock,
    ) -> Self {
        let instance = crate::faults::splitmix64(u64::from(std::process::id()) ^ clock());
        let kms_master = cloud_api::kms::master_secret(&settings.credentials);
        Self {
            cloud: CloudState::new(cloud, instance, kms_master),
            settings,
            store,
            faults,
            clock,
            clock_offset: AtomicI64::new(0),
            request_counter: AtomicU64::new(0),
            traffic: Arc::default(),
            instance,
            shutdown: tokio::sync::Notify::new(),
        }
    }

    /// Asks the server to stop.
    pub(crate) fn request_shutdown(&self) {
        self.shutdown.notify_one();
    }

    /// Resolves when a stop was asked for.
    pub(crate) async fn shutdown_requested(&self) {
        self.shutdown.notified().await;
    }

    /// Deletes all data, recreates the configured buckets, clears the fault plan, forgets
    /// the temporary keys and the Cloud API counters.
    pub(crate) fn reset(&self) -> Result<(), CosError> {
        self.cloud.reset();
        self.faults.clear();
        self.faults.set_seed(self.settings.fault_seed);
        self.store.reset(&self.settings.buckets, self.now())
    }

    /// The emulator's time (Unix seconds): the clock plus the offset.
    pub(crate) fn now(&self) -> u64 {
        let base = (self.clock)();
        let offset = self.clock_offset.load(Ordering::SeqCst);
        if offset >= 0 {
            base.saturating_add(offset.unsigned_abs())
        } else {
            base.saturating_sub(offset.unsigned_abs())
        }
    }

    /// Shifts the emulator's time, then applies the buckets' lifecycle rules at the new
    /// time.
    pub(crate) fn set_clock_offset(&self, secs: i64) -> LifecycleRun {
        self.clock_offset.store(secs, Ordering::SeqCst);
        lifecycle::apply(self)
    }

    /// The account owning `bucket`: APPID from the `-<appid>` suffix.
    pub(crate) fn owner(&self, bucket: &str) -> Owner {
        let appid = bucket
            .rsplit_once('-')
            .map(|(_, suffix)| suffix)
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or("1250000000");
        Owner {
            appid: appid.to_owned(),
            uin: self.settings.uin.clone(),
        }
    }

    fn next_request_id(&self) -> String {
        let n = self.request_counter.fetch_add(1, Ordering::Relaxed);
        let raw = format!(
            "{:08x}_{:08x}_{:x}_{:06x}",
            self.now(),
            self.instance & 0xffff_ffff,
            n,
            crate::faults::splitmix64(n) & 0xff_ffff
        );
        base64::engine::general_purpose::STANDARD.encode(raw)
    }

    /// Handles one request: admin endpoint, faults, routing, common headers.
    pub(crate) async fn handle(
        self: Arc<Self>,
        request: http::Request<Incoming>,
        conn: Arc<ConnControl>,
    ) -> Result<Response<ResponseBody>, Abort> {
        let traffic = Arc::clone(&self.traffic);
        let response = self.handle_counted(request, conn).await?;
        Ok(response.map(|body| body.counted(traffic)))
    }

    async fn handle_counted(
        self: Arc<Self>,
        request: http::Request<Incoming>,
        conn: Arc<ConnControl>,
    ) -> Result<Response<ResponseBody>, Abort> {
        let request_id = self.next_request_id();
        let (mut parts, incoming) = request.into_parts();
        let mut body = RequestBody::new(incoming).counted(Arc::clone(&self.traffic));
        if admin::is_admin_path(parts.uri.path()) {
            let response = admin::handle(&self, &parts, &mut body).await;
            return Ok(finish(response, &request_id));
        }
        let path = lossy_decode(parts.uri.path());
        let query = parts.uri.query().unwrap_or("");
        let decision = self.faults.decide(parts.method.as_str(), &path, query);
        if !decision.delay.is_zero() {
            tokio::time::sleep(decision.delay).await;
        }
        reshape_request(&mut parts, &decision.modifiers);
        let resource = resource(&parts);
        let mut cut = None;
        let mut hold = None;
        match decision.action {
            Some(FaultAction::Status {
                status,
                code,
                message,
            }) => {
                let status = StatusCode::from_u16(status)
                    .ok()
                    .filter(|s| (300..=599).contains(&s.as_u16()))
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let message = message.unwrap_or_else(|| format!("Injected fault: {code}"));
                let response = error_response(
                    status,
                    &code,
                    &message,
                    &[],
                    &[],
                    &parts.method,
                    &resource,
                    &request_id,
                );
                body.drain(DRAIN_LIMIT, Duration::from_secs(2)).await;
                return Ok(finish(response, &request_id));
            }
            Some(FaultAction::ErrorIn200 { code, message }) => {
                let message = message.unwrap_or_else(|| {
                    "We encountered an internal error. Please try again.".to_owned()
                });
                let response = error_response(
                    StatusCode::OK,
                    &code,
                    &message,
                    &[],
                    &[],
                    &parts.method,
                    &resource,
                    &request_id,
                );
                body.drain(DRAIN_LIMIT, Duration::from_secs(2)).await;
                return Ok(finish(response, &request_id));
            }
            Some(FaultAction::ResetRequestAfter { bytes }) => {
                body.consume(bytes).await;
                conn.reset.store(true, Ordering::SeqCst);
                return Err(Abort("connection reset by a fault"));
            }
            Some(FaultAction::ResetResponseAfter { bytes }) => cut = Some(Cut::Reset(bytes)),
            Some(FaultAction::TruncateResponseAfter { bytes }) => cut = Some(Cut::Truncate(bytes)),
            Some(FaultAction::HoldAnswer { millis }) => {
                hold = Some(Duration::from_millis(millis).min(Duration::from_secs(3600)));
            }
            Some(FaultAction::LoseAnswer) => {
                self.route(&parts, &mut body, &resource, &request_id).await;
                conn.reset.store(true, Ordering::SeqCst);
                return Err(Abort("the answer was lost by a fault"));
            }
            _ => {}
        }
        let response = self.route(&parts, &mut body, &resource, &request_id).await;
        body.drain(DRAIN_LIMIT, Duration::from_secs(2)).await;
        let response = reshape_response(response, &decision.modifiers);
        let response = match cut {
            Some(cut) => response.map(|b| b.cut(cut, Arc::clone(&conn))),
            None => response,
        };
        if let Some(hold) = hold {
            tokio::time::sleep(hold).await;
        }
        Ok(finish(response, &request_id))
    }
}

impl App {
    /// Serves a request that passed the fault plan: the metadata endpoint, a Cloud API
    /// call, or COS.
    async fn route(
        &self,
        parts: &http::request::Parts,
        body: &mut RequestBody,
        resource: &str,
        request_id: &str,
    ) -> Response<ResponseBody> {
        if metadata::is_metadata(parts) {
            metadata::handle(self, parts)
        } else if cloud_api::is_cloud_api(parts) {
            cloud_api::handle(self, parts, body).await
        } else {
            router::route(self, parts, body, resource, request_id).await
        }
    }
}

/// The `Range` a fault makes the object handlers serve instead of the request's own
/// (`None`: the whole object). The request keeps its headers, so its signature still
/// checks: the proxy forwarded the request as it was and changed what it served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServedRange(pub(crate) Option<String>);

impl ServedRange {
    /// The `Range` value to serve for `parts`.
    pub(crate) fn of(parts: &http::request::Parts) -> Option<&str> {
        match parts.extensions.get::<ServedRange>() {
            Some(ServedRange(served)) => served.as_deref(),
            None => parts
                .headers
                .get(http::header::RANGE)
                .and_then(|v| v.to_str().ok()),
        }
    }
}

/// Applies the request side of a hostile proxy's tricks: a `Range` ignored or moved.
fn reshape_request(parts: &mut http::request::Parts, modifiers: &[FaultAction]) {
    for modifier in modifiers {
        match modifier {
            FaultAction::IgnoreRange => {
                parts.extensions.insert(ServedRange(None));
            }
            FaultAction::ShiftRange { by } => {
                use cos_proto::ops::ByteRange;
                let shifted = ServedRange::of(parts)
                    .and_then(|v| ByteRange::parse(v).ok())
                    .map(|range| match range {
                        ByteRange::Inclusive { first, last } => format!(
                            "bytes={}-{}",
                            first.saturating_add(*by),
                            last.saturating_add(*by)
                        ),
                        ByteRange::From(first) => format!("bytes={}-", first.saturating_add(*by)),
                        // The last n bytes moved further are past the end: serve the
                        // n + by bytes before the end instead.
                        ByteRange::Suffix(n) => format!("bytes=-{}", n.saturating_add(*by)),
                    });
                if let Some(value) = shifted {
                    parts.extensions.insert(ServedRange(Some(value)));
                }
            }
            _ => {}
        }
    }
}

/// Applies the response side of a hostile proxy's tricks: headers changed, a byte
/// flipped, the body trickled.
fn reshape_response(
    mut response: Response<ResponseBody>,
    modifiers: &[FaultAction],
) -> Response<ResponseBody> {
    for modifier in modifiers {
        match modifier {
            FaultAction::SetHeader { name, value } => {
                let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
                    continue;
                };
                match value.as_deref().map(HeaderValue::from_str) {
                    Some(Ok(value)) => {
                        response.headers_mut().insert(name, value);
                    }
                    Some(Err(_)) => {}
                    None => {
                        response.headers_mut().remove(name);
                    }
                }
            }
            FaultAction::FlipByte { offset } => {
                response = response.map(|b| b.flip_byte(*offset));
            }
            FaultAction::Trickle {
                bytes,
                every_millis,
            } => {
                let every = Duration::from_millis(*every_millis);
                response = response.map(|b| b.trickle(*bytes, every));
            }
            _ => {}
        }
    }
    response
}

/// `host` + raw path, the way COS names the resource in errors.
fn resource(parts: &http::request::Parts) -> String {
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    format!("{host}{}", parts.uri.path())
}

/// Percent-decodes a path for fault matching (bad escapes kept, invalid UTF-8 replaced).
fn lossy_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = (b == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Adds the headers every response carries.
fn finish(mut response: Response<ResponseBody>, request_id: &str) -> Response<ResponseBody> {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static("x-cos-request-id"), value);
    }
    headers.insert(
        http::header::SERVER,
        HeaderValue::from_static("tencent-cos"),
    );
    response
}

/// The trace id of an error (derived from the request id).
fn trace_id(request_id: &str) -> String {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for b in request_id.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let raw = format!(
        "{:016x}{:016x}{:016x}",
        hash,
        crate::faults::splitmix64(hash),
        crate::faults::splitmix64(hash ^ 1)
    );
    base64::engine::general_purpose::STANDARD.encode(raw)
}

/// Renders an error document response (no body for HEAD).
#[allow(clippy::too_many_arguments)]
pub(crate) fn error_response(
    status: StatusCode,
    code: &str,
    message: &str,
    headers: &[(&'static str, String)],
    details: &[(&'static str, String)],
    method: &Method,
    resource: &str,
    request_id: &str,
) -> Response<ResponseBody> {
    let trace = trace_id(request_id);
    let mut response = if *method == Method::HEAD {
        let mut r = Response::new(ResponseBody::empty());
        r.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        r
    } else {
        let doc = xml_out::error_document(code, message, resource, request_id, &trace, details);
        xml(status, doc)
    };
    *response.status_mut() = status;
    set_header(&mut response, "x-cos-trace-id", &trace);
    for (name, value) in headers {
        set_header(&mut response, name, value);
    }
    response
}

/// Renders a [`CosError`].
pub(crate) fn render_error(
    error: &CosError,
    method: &Method,
    resource: &str,
    request_id: &str,
) -> Response<ResponseBody> {
    error_response(
        error.status(),
        error.code.as_str(),
        &error.message,
        &error.headers,
        &error.details,
        method,
        resource,
        request_id,
    )
}

/// An XML document response.
pub(crate) fn xml(status: StatusCode, document: String) -> Response<ResponseBody> {
    let len = document.len();
    let mut response = Response::new(ResponseBody::bytes(document));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/xml"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    response
}

/// A response without a body.
pub(crate) fn empty(status: StatusCode) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}

/// Sets a header, skipping values HTTP cannot carry.
pub(crate) fn set_header<B>(response: &mut Response<B>, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_bytes(value.as_bytes()),
    ) {
        response.headers_mut().insert(name, value);
    }
}

/// The request as handlers see it.
#[derive(Debug)]
pub(crate) struct Req<'a> {
    /// Shared state.
    pub(crate) app: &'a App,
    /// Method, URI, headers.
    pub(crate) parts: &'a http::request::Parts,
    /// The bucket (empty for service requests).
    pub(crate) bucket: String,
    /// The decoded key (empty for bucket requests).
    pub(crate) key: String,
    /// Decoded query parameters in wire order.
    pub(crate) params: Vec<(String, String)>,
    /// The request's `Host`.
    pub(crate) host: String,
    /// The bucket was named in the path.
    pub(crate) path_style: bool,
    /// The emulator's time for this request.
    pub(crate) now: u64,
    /// This request's `x-cos-request-id`.
    pub(crate) request_id: String,
}

impl Req<'_> {
    /// A query parameter (names compared case-insensitively).
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A header as text (`None` if absent or not valid text).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.parts
            .headers
            .get(name)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
    }

    /// `versionId` when present and not empty.
    pub(crate) fn version_id(&self) -> Option<&str> {
        self.param("versionId").filter(|v| !v.is_empty())
    }

    /// The versioning state of the request's bucket.
    pub(crate) fn versioning(&self) -> Versioning {
        self.app.store.read(|s| {
            s.buckets
                .get(&self.bucket)
                .map(|b| b.record.versioning)
                .unwrap_or_default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_leniently_for_fault_matching() {
        assert_eq!(lossy_decode("/b/a%20b%2Fc"), "/b/a b/c");
        assert_eq!(lossy_decode("/b/%zz%"), "/b/%zz%");
        assert_eq!(lossy_decode("/b/%FF"), "/b/\u{FFFD}");
    }
}
