//! Tencent Cloud API 3.0 requests (STS, KMS, …), signed with `TC3-HMAC-SHA256`, built the
//! way the official SDKs build them: a `POST` with a JSON body (or a `GET` with the
//! parameters in the query), the `X-TC-*` headers, `content-type` and `host` signed. Time
//! and the trace id's random bytes are inputs.
//!
//! ```
//! use cos_proto::cloud_api::{CloudApiRequest, Param};
//! use cos_proto::Credentials;
//! let creds = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").unwrap();
//! let call = CloudApiRequest::new("sts", "2018-08-13", "AssumeRole")
//!     .region("ap-guangzhou")
//!     .param("RoleArn", "qcs::cam::uin/100000000001:roleName/uploader")
//!     .param("RoleSessionName", "s1")
//!     .param("DurationSeconds", Param::Int(7200))
//!     .build(&creds, 1_700_000_000, [7; 16])
//!     .unwrap();
//! assert_eq!(call.request.uri(), "https://sts.tencentcloudapi.com/");
//! assert_eq!(call.request.headers()["x-tc-action"], "AssumeRole");
//! assert!(call.signing.is_some());
//! ```

pub mod kms;
pub mod params;
pub mod response;
pub mod sts;
pub mod tc3;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};

pub use params::Param;
pub use response::CloudApiError;
pub use tc3::Tc3Signing;

use crate::Credentials;
use crate::error::InputError;

/// The domain under which each service has its endpoint (`<service>.<root>`).
pub const ROOT_DOMAIN: &str = "tencentcloudapi.com";
/// What `X-TC-RequestClient` says unless the caller adds to it.
pub const REQUEST_CLIENT: &str = concat!("cos-rs/", env!("CARGO_PKG_VERSION"));

/// How the parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloudMethod {
    /// A JSON body (`Content-Type: application/json`), the default.
    Post,
    /// The query string (`Content-Type: application/x-www-form-urlencoded`).
    Get,
}

/// One Cloud API call. Build it with the setters, then [`CloudApiRequest::build`].
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct CloudApiRequest {
    service: String,
    version: String,
    action: String,
    region: Option<String>,
    params: Vec<(String, Param)>,
    method: CloudMethod,
    endpoint: Option<String>,
    http: bool,
    language: Option<String>,
    request_client: Option<String>,
    headers: Vec<(String, String)>,
    skip_sign: bool,
}

/// A built call: the request, and how it was signed (`None` when unsigned).
#[derive(Debug, Clone)]
pub struct CloudApiCall {
    /// The request, with its body.
    pub request: http::Request<Bytes>,
    /// The signature's intermediates.
    pub signing: Option<Tc3Signing>,
}

impl CloudApiRequest {
    /// A call of `action` (its first letter is upper-cased, as the SDKs do) on `service`
    /// at API `version` (`"2018-08-13"` for STS).
    pub fn new(
        service: impl Into<String>,
        version: impl Into<String>,
        action: impl Into<String>,
    ) -> Self {
        let action: String = action.into();
        let mut chars = action.chars();
        let action = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => action,
        };
        Self {
            service: service.into(),
            version: version.into(),
            action,
            region: None,
            params: Vec::new(),
            method: CloudMethod::Post,
            endpoint: None,
            http: false,
            language: Some("zh-CN".to_owned()),
            request_client: None,
            headers: Vec::new(),
            skip_sign: false,
        }
    }

    /// `X-TC-Region` (left out when unset or empty).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into()).filter(|r| !r.is_empty());
        self
    }

    /// Adds a parameter (kept in this order; a name given again replaces the value).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Param>) -> Self {
        let name = name.into();
        let value = value.into();
        match self.params.iter_mut().find(|(present, _)| *present == name) {
            Some(slot) => slot.1 = value,
            None => self.params.push((name, value)),
        }
        self
    }

    /// Sends the parameters in the query of a `GET` instead of a JSON `POST`.
    pub fn method(mut self, method: CloudMethod) -> Self {
        self.method = method;
        self
    }

    /// The host to call (default `<service>.tencentcloudapi.com`; a regional
    /// `sts.ap-shanghai.tencentcloudapi.com`, or an emulator's `127.0.0.1:port`).
    pub fn endpoint(mut self, host: impl Into<String>) -> Self {
        self.endpoint = Some(host.into());
        self
    }

    /// Uses `http` instead of `https` (for a local endpoint).
    pub fn insecure_http(mut self, http: bool) -> Self {
        self.http = http;
        self
    }

    /// `X-TC-Language` (`zh-CN` by default, `en-US`; `None` sends none).
    pub fn language(mut self, language: Option<String>) -> Self {
        self.language = language;
        self
    }

    /// Appended to `X-TC-RequestClient` after `; `, to name the application.
    pub fn request_client(mut self, name: impl Into<String>) -> Self {
        self.request_client = Some(name.into());
        self
    }

    /// Adds an unsigned header (an `X-TC-TraceId` of the caller's, say); it replaces
    /// one of the same name the call sets, except `Content-Type`, `Host` and
    /// `Authorization`, which the signature owns.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `Authorization: SKIP` instead of a signature (the SDKs' `SkipSign`, for
    /// `AssumeRoleWithWebIdentity`, which the web identity token authenticates).
    pub fn skip_sign(mut self, skip: bool) -> Self {
        self.skip_sign = skip;
        self
    }

    /// The host the call goes to.
    pub fn host(&self) -> String {
        self.endpoint
            .clone()
            .unwrap_or_else(|| format!("{}.{ROOT_DOMAIN}", self.service))
    }

    /// The signed request at `timestamp` (Unix seconds); `random` makes the
    /// `X-TC-TraceId` (a version-4 UUID) unless a header gave one.
    pub fn build(
        &self,
        credentials: &Credentials,
        timestamp: u64,
        random: [u8; 16],
    ) -> Result<CloudApiCall, InputError> {
        self.assemble(Some(credentials), timestamp, random)
    }

    /// The request sent without keys (`Authorization: SKIP`, no `X-TC-Token`): for a call
    /// that authenticates itself, such as `AssumeRoleWithWebIdentity`.
    pub fn build_unsigned(
        &self,
        timestamp: u64,
        random: [u8; 16],
    ) -> Result<CloudApiCall, InputError> {
        self.assemble(None, timestamp, random)
    }

    fn assemble(
        &self,
        credentials: Option<&Credentials>,
        timestamp: u64,
        random: [u8; 16],
    ) -> Result<CloudApiCall, InputError> {
        let host = self.host();
        let (method, query, content_type, payload) = match self.method {
            CloudMethod::Post => (
                "POST",
                String::new(),
                "application/json",
                params::json_body(&self.params).into_bytes(),
            ),
            CloudMethod::Get => (
                "GET",
                params::query_string(&self.params),
                "application/x-www-form-urlencoded",
                Vec::new(),
            ),
        };
        let scheme = if self.http { "http" } else { "https" };
        let uri = if query.is_empty() {
            format!("{scheme}://{host}/")
        } else {
            format!("{scheme}://{host}/?{query}")
        };
        let mut headers: Vec<(String, String)> = vec![
            ("X-TC-TraceId".to_owned(), uuid_v4(random)),
            ("Content-Type".to_owned(), content_type.to_owned()),
            ("Host".to_owned(), host.clone()),
            ("X-TC-Action".to_owned(), self.action.clone()),
            (
                "X-TC-RequestClient".to_owned(),
                self.request_client_header(),
            ),
            ("X-TC-Timestamp".to_owned(), timestamp.to_string()),
            ("X-TC-Version".to_owned(), self.version.clone()),
        ];
        if let Some(region) = &self.region {
            headers.push(("X-TC-Region".to_owned(), region.clone()));
        }
        if let Some(token) = credentials.and_then(Credentials::token) {
            headers.push(("X-TC-Token".to_owned(), token.to_owned()));
        }
        if let Some(language) = &self.language {
            headers.push(("X-TC-Language".to_owned(), language.clone()));
        }
        for (name, value) in &self.headers {
            if ["content-type", "host", "authorization"]
                .contains(&name.to_ascii_lowercase().as_str())
            {
                return Err(InputError::InvalidArgument {
                    what: "header name",
                    reason: format!("{name} is set by the call and its signature"),
                });
            }
            headers.retain(|(present, _)| !present.eq_ignore_ascii_case(name));
            headers.push((name.clone(), value.clone()));
        }
        let signing = credentials.filter(|_| !self.skip_sign).map(|credentials| {
            tc3::sign(
                credentials.secret_id(),
                credentials.secret_key(),
                tc3::Tc3Input {
                    method,
                    query: &query,
                    content_type,
                    host: &host,
                    payload: &payload,
                    service: &self.service,
                    timestamp,
                },
            )
        });
        let authorization = signing
            .as_ref()
            .map_or_else(|| "SKIP".to_owned(), |s| s.authorization.clone());
        headers.push(("Authorization".to_owned(), authorization));
        if method == "POST" {
            headers.push(("Content-Length".to_owned(), payload.len().to_string()));
        }

        let mut request = http::Request::new(Bytes::from(payload));
        *request.method_mut() = if method == "POST" {
            Method::POST
        } else {
            Method::GET
        };
        *request.uri_mut() = uri.parse().map_err(|_| InputError::InvalidArgument {
            what: "Cloud API endpoint",
            reason: host.clone(),
        })?;
        for (name, value) in headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                InputError::InvalidArgument {
                    what: "header name",
                    reason: format!("{name:?} is not a valid HTTP header name"),
                }
            })?;
            let mut value =
                HeaderValue::from_str(&value).map_err(|_| InputError::InvalidHeaderValue {
                    name: name.clone(),
                    reason: "contains a line break or a control character",
                })?;
            value.set_sensitive(matches!(header.as_str(), "authorization" | "x-tc-token"));
            request.headers_mut().append(header, value);
        }
        Ok(CloudApiCall { request, signing })
    }

    fn request_client_header(&self) -> String {
        match &self.request_client {
            Some(name) => format!("{REQUEST_CLIENT}; {name}"),
            None => REQUEST_CLIENT.to_owned(),
        }
    }
}

/// A version-4 UUID from 16 random bytes (what `X-TC-TraceId` and Cloud API request ids
/// are).
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_version_4_uuids() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn framing_headers_cannot_be_replaced_and_bad_values_are_refused() {
        let creds = Credentials::new("AKID", "KEY").expect("valid");
        for name in ["Host", "content-type", "Authorization"] {
            let call = CloudApiRequest::new("sts", "v", "A").header(name, "x");
            assert!(call.build(&creds, 1, [0; 16]).is_err(), "{name}");
        }
        let call = CloudApiRequest::new("sts", "v", "A").header("X-TC-TraceId", "a\nb");
        assert!(call.build(&creds, 1, [0; 16]).is_err());
    }

    #[test]
    fn the_action_starts_upper_case_and_get_carries_the_query() {
        let creds = Credentials::new("AKID", "KEY").expect("valid");
        let call = CloudApiRequest::new("kms", "2019-01-18", "listKeys")
            .method(CloudMethod::Get)
            .param("Limit", Param::Int(5))
            .build(&creds, 1_700_000_000, [1; 16])
            .expect("builds");
        assert_eq!(call.request.headers()["x-tc-action"], "ListKeys");
        assert_eq!(call.request.uri().query(), Some("Limit=5"));
        assert!(call.request.headers().get("content-length").is_none());
        assert!(call.request.body().is_empty());
    }
}
