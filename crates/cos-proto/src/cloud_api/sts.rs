//! STS (`sts`, API `2018-08-13`): temporary keys for a role (`AssumeRole`), for a web
//! identity (`AssumeRoleWithWebIdentity`, what TKE's OIDC gives a pod) and for a
//! federated user (`GetFederationToken`). Each call is a [`CloudApiRequest`] to send and
//! a parser for its answer.

use serde_json::{Map, Value};

use super::response::{CloudApiError, parse_response, request_id, required, text};
use super::{CloudApiRequest, Param};
use crate::Credentials;

/// The service name.
pub const SERVICE: &str = "sts";
/// The API version.
pub const VERSION: &str = "2018-08-13";

/// Temporary keys, as every STS action returns them.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StsCredentials {
    /// `Credentials.TmpSecretId`.
    pub tmp_secret_id: String,
    /// `Credentials.TmpSecretKey`.
    pub tmp_secret_key: String,
    /// `Credentials.Token`.
    pub token: String,
    /// `ExpiredTime`: when the keys stop working, Unix seconds.
    pub expired_time: Option<u64>,
    /// `Expiration`: the same, ISO 8601.
    pub expiration: Option<String>,
    /// `RequestId`.
    pub request_id: Option<String>,
}

impl std::fmt::Debug for StsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StsCredentials")
            .field("tmp_secret_id", &self.tmp_secret_id)
            .field("expired_time", &self.expired_time)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl StsCredentials {
    /// Parses an STS answer (`status` and body).
    pub fn parse(status: u16, body: &[u8]) -> Result<Self, CloudApiError> {
        let response = parse_response(status, body)?;
        Self::from_response(&response)
    }

    fn from_response(response: &Map<String, Value>) -> Result<Self, CloudApiError> {
        let Some(Value::Object(keys)) = response.get("Credentials") else {
            return Err(CloudApiError::Malformed(
                "`Credentials` missing from the answer".to_owned(),
            ));
        };
        Ok(Self {
            tmp_secret_id: required(keys, "TmpSecretId")?,
            tmp_secret_key: required(keys, "TmpSecretKey")?,
            token: required(keys, "Token")?,
            expired_time: response.get("ExpiredTime").and_then(Value::as_u64),
            expiration: text(response, "Expiration"),
            request_id: request_id(response),
        })
    }

    /// The keys as COS credentials.
    pub fn credentials(&self) -> Result<Credentials, crate::InputError> {
        Credentials::new(&self.tmp_secret_id, &self.tmp_secret_key)?.with_token(&self.token)
    }
}

fn call(action: &str, region: &Option<String>, params: Vec<(&str, Param)>) -> CloudApiRequest {
    let mut request = CloudApiRequest::new(SERVICE, VERSION, action);
    if let Some(region) = region {
        request = request.region(region);
    }
    for (name, value) in params {
        request = request.param(name, value);
    }
    request
}

fn push_opt(params: &mut Vec<(&'static str, Param)>, name: &'static str, value: &Option<String>) {
    if let Some(value) = value {
        params.push((name, Param::Str(value.clone())));
    }
}

/// `duration_seconds` and `region`, which every STS call has.
macro_rules! duration_and_region {
    () => {
        /// How long the keys last (`DurationSeconds`, up to 43,200 for a role; STS's
        /// default is 7,200 for `AssumeRole`, 1,800 for `GetFederationToken`).
        pub fn duration_seconds(mut self, seconds: u64) -> Self {
            self.duration_seconds = Some(seconds);
            self
        }

        /// `X-TC-Region`.
        pub fn region(mut self, region: impl Into<String>) -> Self {
            self.region = Some(region.into());
            self
        }
    };
}

/// `AssumeRole`: temporary keys for `role_arn`, signed with the caller's keys.
///
/// ```
/// use cos_proto::cloud_api::sts::AssumeRole;
/// let request = AssumeRole::new("qcs::cam::uin/1:roleName/uploader", "s1")
///     .duration_seconds(900)
///     .region("ap-guangzhou")
///     .request();
/// assert_eq!(request.host(), "sts.tencentcloudapi.com");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct AssumeRole {
    role_arn: String,
    role_session_name: String,
    duration_seconds: Option<u64>,
    policy: Option<String>,
    external_id: Option<String>,
    tags: Vec<(String, String)>,
    region: Option<String>,
}

impl AssumeRole {
    /// Assumes `role_arn` (`qcs::cam::uin/<uin>:roleName/<name>`) as `session_name`.
    pub fn new(role_arn: impl Into<String>, session_name: impl Into<String>) -> Self {
        Self {
            role_arn: role_arn.into(),
            role_session_name: session_name.into(),
            duration_seconds: None,
            policy: None,
            external_id: None,
            tags: Vec::new(),
            region: None,
        }
    }

    duration_and_region!();

    /// A policy that narrows the role's (`Policy`, URL-encoded JSON, as STS wants it).
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }

    /// `ExternalId`, when the role's trust policy asks for one.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// A session tag (`Tags`).
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// The call, parameters in the API's order.
    pub fn request(&self) -> CloudApiRequest {
        let mut params = vec![
            ("RoleArn", Param::Str(self.role_arn.clone())),
            (
                "RoleSessionName",
                Param::Str(self.role_session_name.clone()),
            ),
        ];
        if let Some(seconds) = self.duration_seconds {
            params.push(("DurationSeconds", Param::from(seconds)));
        }
        push_opt(&mut params, "Policy", &self.policy);
        push_opt(&mut params, "ExternalId", &self.external_id);
        if !self.tags.is_empty() {
            let tags = self
                .tags
                .iter()
                .map(|(k, v)| {
                    Param::Object(vec![
                        ("Key".to_owned(), Param::Str(k.clone())),
                        ("Value".to_owned(), Param::Str(v.clone())),
                    ])
                })
                .collect();
            params.push(("Tags", Param::List(tags)));
        }
        call("AssumeRole", &self.region, params)
    }
}

/// `AssumeRoleWithWebIdentity`: temporary keys for the holder of an OIDC token (TKE's
/// service-account token). The token authenticates the call, so it is sent unsigned
/// (`Authorization: SKIP`), as the official SDKs' OIDC provider sends it, unless
/// [`AssumeRoleWithWebIdentity::signed`] asks otherwise.
#[derive(Clone, PartialEq, Eq)]
#[must_use]
pub struct AssumeRoleWithWebIdentity {
    provider_id: String,
    web_identity_token: String,
    role_arn: String,
    role_session_name: String,
    duration_seconds: Option<u64>,
    region: Option<String>,
    signed: bool,
}

impl std::fmt::Debug for AssumeRoleWithWebIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssumeRoleWithWebIdentity")
            .field("provider_id", &self.provider_id)
            .field("web_identity_token", &"<redacted>")
            .field("role_arn", &self.role_arn)
            .field("role_session_name", &self.role_session_name)
            .finish_non_exhaustive()
    }
}

impl AssumeRoleWithWebIdentity {
    /// Exchanges `web_identity_token` from identity provider `provider_id` for keys of
    /// `role_arn`.
    pub fn new(
        provider_id: impl Into<String>,
        web_identity_token: impl Into<String>,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> Self {
        Self {
            provider_id: provider_id.into(),
            web_identity_token: web_identity_token.into(),
            role_arn: role_arn.into(),
            role_session_name: session_name.into(),
            duration_seconds: None,
            region: None,
            signed: false,
        }
    }

    duration_and_region!();

    /// Signs the call with the caller's keys, as the SDKs' typed `StsClient` does.
    pub fn signed(mut self, signed: bool) -> Self {
        self.signed = signed;
        self
    }

    /// The call, parameters in the API's order.
    pub fn request(&self) -> CloudApiRequest {
        let mut params = vec![
            ("ProviderId", Param::Str(self.provider_id.clone())),
            (
                "WebIdentityToken",
                Param::Str(self.web_identity_token.clone()),
            ),
            ("RoleArn", Param::Str(self.role_arn.clone())),
            (
                "RoleSessionName",
                Param::Str(self.role_session_name.clone()),
            ),
        ];
        if let Some(seconds) = self.duration_seconds {
            params.push(("DurationSeconds", Param::from(seconds)));
        }
        call("AssumeRoleWithWebIdentity", &self.region, params).skip_sign(!self.signed)
    }
}

/// `GetFederationToken`: temporary keys for a federated user named `name`, limited by
/// `policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct GetFederationToken {
    name: String,
    policy: String,
    duration_seconds: Option<u64>,
    region: Option<String>,
}

impl GetFederationToken {
    /// Keys for `name` with `policy` (URL-encoded JSON).
    pub fn new(name: impl Into<String>, policy: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            policy: policy.into(),
            duration_seconds: None,
            region: None,
        }
    }

    duration_and_region!();

    /// The call, parameters in the API's order.
    pub fn request(&self) -> CloudApiRequest {
        let mut params = vec![
            ("Name", Param::Str(self.name.clone())),
            ("Policy", Param::Str(self.policy.clone())),
        ];
        if let Some(seconds) = self.duration_seconds {
            params.push(("DurationSeconds", Param::from(seconds)));
        }
        call("GetFederationToken", &self.region, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_give_keys_or_the_service_error() {
        let ok = br#"{"Response": {"Credentials": {"Token": "t", "TmpSecretId": "AKIDx", "TmpSecretKey": "k"}, "ExpiredTime": 1700007200, "Expiration": "2023-11-15T00:13:20Z", "RequestId": "r"}}"#;
        let keys = StsCredentials::parse(200, ok).expect("parses");
        assert_eq!(keys.expired_time, Some(1_700_007_200));
        let creds = keys.credentials().expect("valid");
        assert_eq!(creds.token(), Some("t"));
        assert!(!format!("{keys:?}").contains("\"k\""));
        let missing = br#"{"Response": {"RequestId": "r"}}"#;
        assert!(matches!(
            StsCredentials::parse(200, missing),
            Err(CloudApiError::Malformed(_))
        ));
    }

    #[test]
    fn the_web_identity_call_is_unsigned_unless_asked() {
        let creds = Credentials::new("AKID", "KEY").expect("valid");
        let op = AssumeRoleWithWebIdentity::new("OIDC", "jwt", "arn", "s");
        let call = op
            .request()
            .build(&creds, 1_700_000_000, [0; 16])
            .expect("builds");
        assert_eq!(call.request.headers()["authorization"], "SKIP");
        assert!(!format!("{op:?}").contains("jwt"));
        let call = op
            .signed(true)
            .request()
            .build(&creds, 1_700_000_000, [0; 16])
            .expect("builds");
        assert!(call.signing.is_some());
    }
}
