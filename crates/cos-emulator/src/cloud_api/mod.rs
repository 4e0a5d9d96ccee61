//! Tencent Cloud API 3.0 on the emulator's listener: a request with an `X-TC-Action`
//! header is a Cloud API call (STS and KMS), not a COS request. Calls are checked like the
//! Cloud API gateway checks them ([`auth`]) and answered with the Cloud API's JSON:
//! `{"Response": {…, "RequestId": …}}`, errors as `Response.Error` with `Code` and
//! `Message`, always HTTP 200 with `Content-Type: application/json`.
//!
//! The metadata endpoint of a CVM instance ([`metadata`]) shares the temporary keys
//! ([`keys`]) STS issues.

pub(crate) mod auth;
pub(crate) mod keys;
pub(crate) mod kms;
pub(crate) mod metadata;
pub(crate) mod params;
pub(crate) mod sts;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use http::{Response, StatusCode};
use serde_json::Value;

use crate::body::{RequestBody, ResponseBody};
use crate::context::{App, set_header};
use crate::errors::ErrorCode;
use keys::{Generator, TemporaryKeys};
use params::Params;

/// The largest Cloud API request body accepted (`RequestSizeLimitExceeded` above).
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// The most distinct action names counted (any more are not counted).
const MAX_COUNTED_ACTIONS: usize = 1024;

/// The Cloud API part of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CloudSettings {
    /// The CVM role the metadata endpoint serves, if any.
    pub(crate) cvm_role: Option<String>,
    /// The longest lifetime granted to temporary keys, in seconds.
    pub(crate) sts_max_duration: u64,
    /// The only web identity token `AssumeRoleWithWebIdentity` accepts, if set.
    pub(crate) web_identity_token: Option<String>,
    /// The KMS keys that exist; empty: every key id exists.
    pub(crate) kms_keys: Vec<String>,
}

impl Default for CloudSettings {
    fn default() -> Self {
        Self {
            cvm_role: None,
            sts_max_duration: 43_200,
            web_identity_token: None,
            kms_keys: Vec::new(),
        }
    }
}

/// The Cloud API state every request shares.
#[derive(Debug)]
pub(crate) struct CloudState {
    pub(crate) settings: CloudSettings,
    pub(crate) keys: TemporaryKeys,
    pub(crate) generator: Generator,
    /// The KMS master secret every key's secrets derive from.
    pub(crate) kms_master: [u8; 32],
    calls: Mutex<BTreeMap<String, u64>>,
    metadata_requests: AtomicU64,
}

impl CloudState {
    /// The state for `settings`; `seed` varies the generated values, `kms_master` is the
    /// secret KMS blobs are sealed under.
    pub(crate) fn new(settings: CloudSettings, seed: u64, kms_master: [u8; 32]) -> Self {
        Self {
            settings,
            keys: TemporaryKeys::default(),
            generator: Generator::new(seed),
            kms_master,
            calls: Mutex::default(),
            metadata_requests: AtomicU64::new(0),
        }
    }

    /// How many calls of `action` were received (whether they succeeded or not).
    pub(crate) fn calls(&self, action: &str) -> u64 {
        self.lock_calls().get(action).copied().unwrap_or(0)
    }

    /// Every action's count.
    pub(crate) fn all_calls(&self) -> BTreeMap<String, u64> {
        self.lock_calls().clone()
    }

    /// How many metadata requests were received.
    pub(crate) fn metadata_requests(&self) -> u64 {
        self.metadata_requests.load(Ordering::Relaxed)
    }

    pub(crate) fn count_metadata_request(&self) {
        self.metadata_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets the temporary keys and the counters.
    pub(crate) fn reset(&self) {
        self.keys.clear();
        self.lock_calls().clear();
        self.metadata_requests.store(0, Ordering::Relaxed);
    }

    fn count_call(&self, action: &str) {
        let mut calls = self.lock_calls();
        if let Some(count) = calls.get_mut(action) {
            *count += 1;
        } else if calls.len() < MAX_COUNTED_ACTIONS && action.len() <= 128 {
            calls.insert(action.to_owned(), 1);
        }
    }

    fn lock_calls(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, u64>> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A Cloud API error: `Response.Error.Code` and `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: &'static str,
    pub(crate) message: Cow<'static, str>,
}

impl ApiError {
    pub(crate) fn new(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `InvalidParameterValue` with `message`.
    pub(crate) fn invalid_value(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new("InvalidParameterValue", message)
    }
}

/// The fields of a successful answer, in order (`RequestId` is added after them).
pub(crate) type Fields = Vec<(&'static str, Value)>;

/// `true` when the request is a Cloud API call (it has an `X-TC-Action` header).
pub(crate) fn is_cloud_api(parts: &http::request::Parts) -> bool {
    parts.headers.contains_key("x-tc-action")
}

/// One call being served.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) app: &'a App,
    pub(crate) params: Params,
    pub(crate) now: u64,
}

/// What the emulator serves: service, API version, action, and whether the action may
/// be sent unsigned.
const ACTIONS: [(&str, &str, &str, bool); 6] = [
    (sts::SERVICE, sts::VERSION, "AssumeRole", false),
    (
        sts::SERVICE,
        sts::VERSION,
        "AssumeRoleWithWebIdentity",
        true,
    ),
    (sts::SERVICE, sts::VERSION, "GetFederationToken", false),
    (kms::SERVICE, kms::VERSION, "GenerateDataKey", false),
    (kms::SERVICE, kms::VERSION, "Encrypt", false),
    (kms::SERVICE, kms::VERSION, "Decrypt", false),
];

/// Serves a Cloud API call.
pub(crate) async fn handle(
    app: &App,
    parts: &http::request::Parts,
    body: &mut RequestBody,
) -> Response<ResponseBody> {
    let request_id = app.cloud.generator.uuid();
    let action = parts
        .headers
        .get("x-tc-action")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    app.cloud.count_call(&action);
    match serve(app, parts, body, &action).await {
        Ok(fields) => answer(fields, &request_id),
        Err(error) => error_answer(&error, &request_id),
    }
}

async fn serve(
    app: &App,
    parts: &http::request::Parts,
    body: &mut RequestBody,
    action: &str,
) -> Result<Fields, ApiError> {
    let payload = body
        .read_document(MAX_BODY, ErrorCode::EntityTooLarge)
        .await
        .map_err(|e| match e.code {
            ErrorCode::EntityTooLarge => ApiError::new(
                "RequestSizeLimitExceeded",
                format!("The request body exceeds {MAX_BODY} bytes."),
            ),
            _ => ApiError::new("InvalidParameter", e.message),
        })?;
    let known: Vec<_> = ACTIONS.iter().filter(|a| a.2 == action).collect();
    let unsigned_service = known.iter().find(|a| a.3).map(|a| a.0);
    let now = app.now();
    let scope = auth::authenticate(app, parts, &payload, unsigned_service, now)?;
    let Some(&&(service, version, ..)) = known.iter().find(|a| a.0 == scope) else {
        return Err(ApiError::new(
            "InvalidAction",
            format!(
                "The action {action:.64} is not served by service {scope:.32} of the emulator."
            ),
        ));
    };
    let sent_version = parts
        .headers
        .get("x-tc-version")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if sent_version != version {
        return Err(ApiError::new(
            "NoSuchVersion",
            format!(
                "The API version {sent_version:.32} of service {service} does not exist; the emulator serves {version}."
            ),
        ));
    }
    let params = match parts.method {
        http::Method::GET => Params::from_query(parts.uri.query().unwrap_or(""))?,
        http::Method::POST => Params::from_json(&payload)?,
        _ => {
            return Err(ApiError::new(
                "UnsupportedProtocol",
                "Cloud API calls are POST or GET requests.",
            ));
        }
    };
    let call = Call { app, params, now };
    match action {
        "AssumeRole" => sts::assume_role(&call),
        "AssumeRoleWithWebIdentity" => sts::assume_role_with_web_identity(&call),
        "GetFederationToken" => sts::get_federation_token(&call),
        "GenerateDataKey" => kms::generate_data_key(&call),
        "Encrypt" => kms::encrypt(&call),
        "Decrypt" => kms::decrypt(&call),
        _ => Err(ApiError::new("InvalidAction", "The action is not served.")),
    }
}

/// `{"Response": {<fields>, "RequestId": id}}`, keys in the order given.
fn answer(fields: Fields, request_id: &str) -> Response<ResponseBody> {
    let mut text = String::from("{\"Response\": {");
    for (name, value) in &fields {
        text.push_str(&Value::from(*name).to_string());
        text.push_str(": ");
        text.push_str(&value.to_string());
        text.push_str(", ");
    }
    text.push_str("\"RequestId\": ");
    text.push_str(&Value::from(request_id).to_string());
    text.push_str("}}");
    json(text)
}

fn error_answer(error: &ApiError, request_id: &str) -> Response<ResponseBody> {
    let document = serde_json::json!({
        "Response": {
            "Error": { "Code": error.code, "Message": error.message },
            "RequestId": request_id,
        }
    });
    json(document.to_string())
}

/// A 200 with `Content-Type: application/json` (exactly: the official Python SDK looks
/// for errors only under that type).
fn json(text: String) -> Response<ResponseBody> {
    let len = text.len();
    let mut response = Response::new(ResponseBody::bytes(text));
    *response.status_mut() = StatusCode::OK;
    set_header(&mut response, "content-type", "application/json");
    set_header(&mut response, "content-length", &len.to_string());
    response
}
