//! Credential sources, driven: the default chain and each source alone, written once
//! over what a client supplies ([`CredentialsIo`]: variables, files, one HTTP exchange,
//! the clock, randomness). What each source reads and how its answers are understood is
//! the core's ([`cos_proto::provider`], [`cos_proto::cloud_api::sts`]); caching, single
//! flight and refresh before expiry are the client's `RefreshingCredentials` (the rule is
//! [`CredentialsCache`](cos_proto::driver::credentials_cache::CredentialsCache)).
//!
//! The default chain ([`CredentialsProvider::default_chain`]) tries, in order, the
//! environment, the credential files, TKE's OIDC web identity and the CVM instance role.
//! A source that is not configured (no variables, no file, no metadata service) hands
//! over to the next, and its reason goes into the final error ("no credentials:
//! environment: …; profile: …; TKE OIDC: …; CVM role: …"). A source that is configured
//! but broken (a file with a key and no id, a partial TKE environment, STS refusing the
//! token) stops the chain with its error: falling through would sign with another
//! identity than the one the user set up. The first source that answers is kept: later
//! refreshes ask it again.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use cos_proto::cloud_api::CloudApiRequest;
use cos_proto::cloud_api::sts::{AssumeRole, GetFederationToken, StsCredentials};
use cos_proto::driver::error::{BoxError, Error as ClientError};
use cos_proto::provider::profile::{self, ProfileRead};
use cos_proto::provider::tke::{self, TkeOidc};
use cos_proto::provider::{CredentialSource, cvm};
use cos_proto::{Credentials, ExpiringCredentials};

/// How long an STS call may take.
pub const STS_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest STS answer read.
pub const MAX_STS_ANSWER: usize = 256 * 1024;

/// What the credential sources need from a client.
pub trait CredentialsIo: Sync {
    /// An environment variable (`None` when unset or not Unicode).
    fn var(&self, name: &str) -> Option<String>;
    /// The user's home directory.
    fn home_dir(&self) -> Option<PathBuf>;
    /// Reads a file of at most `limit` bytes: `Ok(None)` when it does not exist, an error
    /// when it cannot be read or is larger.
    fn read_file(
        &self,
        path: &Path,
        limit: u64,
    ) -> impl Future<Output = io::Result<Option<Vec<u8>>>> + Send;
    /// Sends `request` and reads the whole answer (at most `limit` bytes), all within
    /// `timeout`. Never retried.
    fn exchange(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
        limit: usize,
    ) -> impl Future<Output = Result<http::Response<Bytes>, BoxError>> + Send;
    /// The time, Unix microseconds.
    fn now_micros(&self) -> u128;
    /// 16 fresh random bytes (trace ids).
    fn random(&self) -> [u8; 16];

    /// The time, Unix seconds.
    fn now(&self) -> u64 {
        u64::try_from(self.now_micros() / 1_000_000).unwrap_or(u64::MAX)
    }
}

/// Reads a file of at most `limit` bytes with blocking I/O (what both clients'
/// [`CredentialsIo::read_file`] run): `Ok(None)` when it does not exist.
pub fn read_small_file(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes: not a credential file"),
        ));
    }
    Ok(Some(bytes))
}

/// Keys fetched by a provider, and where they came from.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The keys and their expiry.
    pub credentials: ExpiringCredentials,
    /// Which source supplied them.
    pub source: CredentialSource,
}

/// A source of credentials (or the default chain of them), with its settings. Cheap to
/// clone; clones share which source the chain settled on. `Debug` shows no secret.
///
/// ```
/// use cos_transfer::drive::CredentialsProvider;
/// let chain = CredentialsProvider::default_chain().profile_name("prod");
/// let on_cvm = CredentialsProvider::cvm_role().role_name("CVM_QcsRole");
/// assert!(!format!("{chain:?} {on_cvm:?}").is_empty());
/// ```
#[derive(Clone)]
pub struct CredentialsProvider {
    kind: Arc<Kind>,
    settings: Settings,
    chosen: Arc<Mutex<Option<Step>>>,
    /// The CVM role the metadata service listed (asked once, as the SDKs do; forgotten
    /// when the service no longer knows it, in case the instance's role changed).
    cvm_role: Arc<Mutex<Option<String>>>,
    /// Where the last keys came from.
    last_source: Arc<Mutex<Option<CredentialSource>>>,
}

#[derive(Debug)]
enum Kind {
    Chain,
    Only(Step),
    AssumeRole {
        base: Credentials,
        role_arn: String,
        session_name: String,
    },
    FederationToken {
        base: Credentials,
        name: String,
        policy: String,
    },
}

/// One step of the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Environment,
    Profile,
    TkeOidc,
    CvmRole,
}

impl Step {
    const CHAIN: [Step; 4] = [
        Step::Environment,
        Step::Profile,
        Step::TkeOidc,
        Step::CvmRole,
    ];

    fn label(self) -> &'static str {
        match self {
            Step::Environment => "environment",
            Step::Profile => "profile",
            Step::TkeOidc => "TKE OIDC",
            Step::CvmRole => "CVM role",
        }
    }
}

#[derive(Clone, Default)]
struct Settings {
    metadata_endpoint: Option<String>,
    sts_endpoint: Option<String>,
    sts_http: bool,
    region: Option<String>,
    home: Option<PathBuf>,
    system_file: Option<PathBuf>,
    variables: Option<Arc<BTreeMap<String, String>>>,
    profile: Option<String>,
    role_name: Option<String>,
    duration_secs: Option<u64>,
    policy: Option<String>,
    session_name: Option<String>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("metadata_endpoint", &self.metadata_endpoint)
            .field("sts_endpoint", &self.sts_endpoint)
            .field("region", &self.region)
            .field("home", &self.home)
            .field("system_file", &self.system_file)
            // Values may be secrets: names only.
            .field(
                "variables",
                &self
                    .variables
                    .as_ref()
                    .map(|v| v.keys().collect::<Vec<_>>()),
            )
            .field("profile", &self.profile)
            .field("role_name", &self.role_name)
            .field("duration_secs", &self.duration_secs)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for CredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsProvider")
            .field("kind", &self.kind)
            .field("settings", &self.settings)
            .field(
                "chosen",
                &*self.chosen.lock().unwrap_or_else(PoisonError::into_inner),
            )
            .finish()
    }
}

/// A setter of one optional setting.
macro_rules! setting {
    ($(#[$doc:meta])* $name:ident: $field:ident, $ty:ty, $conv:expr) => {
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.settings.$field = Some($conv(value));
            self
        }
    };
}

impl CredentialsProvider {
    fn new(kind: Kind) -> Self {
        Self {
            kind: Arc::new(kind),
            settings: Settings::default(),
            chosen: Arc::new(Mutex::new(None)),
            cvm_role: Arc::new(Mutex::new(None)),
            last_source: Arc::new(Mutex::new(None)),
        }
    }

    /// The default chain: environment → credential files → TKE OIDC → CVM role (see the
    /// module's documentation). What every client uses unless given keys.
    pub fn default_chain() -> Self {
        Self::new(Kind::Chain)
    }

    /// `COS_SECRET_ID`/`COS_SECRET_KEY`/`COS_TOKEN`, else the `TENCENTCLOUD_*` names.
    pub fn environment() -> Self {
        Self::new(Kind::Only(Step::Environment))
    }

    /// The credential files ([`cos_proto::provider::profile`]).
    pub fn profile() -> Self {
        Self::new(Kind::Only(Step::Profile))
    }

    /// TKE's OIDC web identity (the `TKE_*` variables), exchanged with STS.
    pub fn tke_oidc() -> Self {
        Self::new(Kind::Only(Step::TkeOidc))
    }

    /// The CVM instance role, from the metadata service.
    pub fn cvm_role() -> Self {
        Self::new(Kind::Only(Step::CvmRole))
    }

    /// STS `AssumeRole`: keys of `role_arn` for a session named `session_name`, asked
    /// with the long-term `base` keys (which then never sign a COS request).
    pub fn assume_role(
        base: Credentials,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> Self {
        Self::new(Kind::AssumeRole {
            base,
            role_arn: role_arn.into(),
            session_name: session_name.into(),
        })
    }

    /// STS `GetFederationToken`: keys for a federated user `name` limited by `policy` (a
    /// CAM policy document, JSON), asked with `base`.
    pub fn federation_token(
        base: Credentials,
        name: impl Into<String>,
        policy: impl Into<String>,
    ) -> Self {
        Self::new(Kind::FederationToken {
            base,
            name: name.into(),
            policy: policy.into(),
        })
    }

    setting!(
        /// The metadata service (default [`cvm::METADATA_ENDPOINT`]), `scheme://host[:port]`.
        metadata_endpoint: metadata_endpoint, impl Into<String>, Into::into
    );
    setting!(
        /// The STS host (default `sts.tencentcloudapi.com`; a regional
        /// `sts.ap-shanghai.tencentcloudapi.com`, or an emulator's `127.0.0.1:port`).
        sts_endpoint: sts_endpoint, impl Into<String>, Into::into
    );
    setting!(
        /// The STS region (`X-TC-Region`; default `ap-guangzhou` for `AssumeRole` and
        /// `GetFederationToken`, `TKE_REGION` for TKE).
        region: region, impl Into<String>, Into::into
    );
    setting!(
        /// The home directory whose credential files are read (default: the user's).
        home_dir: home, impl Into<PathBuf>, Into::into
    );
    setting!(
        /// The system-wide credential file (default
        /// [`profile::SYSTEM_FILE`], `/etc/tencentcloud/credentials`).
        system_file: system_file, impl Into<PathBuf>, Into::into
    );
    setting!(
        /// The profile to read (default: `TENCENTCLOUD_PROFILE`, else `default`).
        profile_name: profile, impl Into<String>, Into::into
    );
    setting!(
        /// The CVM role (default: the one the metadata service lists).
        role_name: role_name, impl Into<String>, Into::into
    );
    setting!(
        /// How long STS keys last (default 7,200 s; `GetFederationToken` 1,800 s).
        duration_secs: duration_secs, u64, std::convert::identity
    );
    setting!(
        /// A policy narrowing `AssumeRole`'s keys (a CAM policy document, JSON).
        policy: policy, impl Into<String>, Into::into
    );
    setting!(
        /// The session name of TKE's `AssumeRoleWithWebIdentity` (default
        /// `cos-rs-<microseconds>`).
        session_name: session_name, impl Into<String>, Into::into
    );

    /// Sends STS calls over `http` instead of `https` (an emulator on 127.0.0.1).
    pub fn sts_insecure_http(mut self, http: bool) -> Self {
        self.settings.sts_http = http;
        self
    }

    /// Reads these variables instead of the process environment (unset ones are unset).
    pub fn variables<K: Into<String>, V: Into<String>>(
        mut self,
        variables: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map = variables
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self.settings.variables = Some(Arc::new(map));
        self
    }

    /// Fetches keys: the chain's chosen source (or, the first time, the first source that
    /// answers), or the one source this provider is. Errors are
    /// [`ClientError::Credentials`] saying what each source found.
    pub async fn fetch<I: CredentialsIo>(&self, io: &I) -> Result<Fetched, ClientError> {
        let fetched = self.fetch_keys(io).await?;
        *self
            .last_source
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(fetched.source.clone());
        Ok(fetched)
    }

    /// Which source supplied the keys of the last successful [`CredentialsProvider::fetch`]
    /// (of this provider or a clone).
    pub fn source(&self) -> Option<CredentialSource> {
        self.last_source
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn fetch_keys<I: CredentialsIo>(&self, io: &I) -> Result<Fetched, ClientError> {
        let view = View {
            io,
            settings: &self.settings,
            cvm_role: &self.cvm_role,
        };
        match &*self.kind {
            Kind::Only(step) => match view.step(*step).await {
                Outcome::Found(fetched) => Ok(fetched),
                Outcome::Absent(reason) => Err(ClientError::Credentials(format!(
                    "no credentials: {}: {reason}",
                    step.label()
                ))),
                Outcome::Broken(reason) => Err(ClientError::Credentials(format!(
                    "{}: {reason}",
                    step.label()
                ))),
            },
            Kind::AssumeRole {
                base,
                role_arn,
                session_name,
            } => {
                let mut op = AssumeRole::new(role_arn, session_name)
                    .duration_seconds(self.settings.duration_secs.unwrap_or(7200))
                    .region(self.settings.region.as_deref().unwrap_or("ap-guangzhou"));
                if let Some(policy) = &self.settings.policy {
                    op = op.policy(policy);
                }
                let credentials = view.sts(op.request(), Some(base)).await?;
                Ok(Fetched {
                    credentials,
                    source: CredentialSource::AssumeRole {
                        role_arn: role_arn.clone(),
                    },
                })
            }
            Kind::FederationToken { base, name, policy } => {
                let op = GetFederationToken::new(name, policy)
                    .duration_seconds(self.settings.duration_secs.unwrap_or(1800))
                    .region(self.settings.region.as_deref().unwrap_or("ap-guangzhou"));
                let credentials = view.sts(op.request(), Some(base)).await?;
                Ok(Fetched {
                    credentials,
                    source: CredentialSource::FederationToken { name: name.clone() },
                })
            }
            Kind::Chain => self.fetch_chain(&view).await,
        }
    }

    async fn fetch_chain<I: CredentialsIo>(
        &self,
        view: &View<'_, I>,
    ) -> Result<Fetched, ClientError> {
        let chosen = *self.chosen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(step) = chosen {
            return match view.step(step).await {
                Outcome::Found(fetched) => Ok(fetched),
                Outcome::Absent(reason) | Outcome::Broken(reason) => Err(ClientError::Credentials(
                    format!("{}: {reason}", step.label()),
                )),
            };
        }
        let mut reasons = Vec::new();
        for step in Step::CHAIN {
            match view.step(step).await {
                Outcome::Found(fetched) => {
                    *self.chosen.lock().unwrap_or_else(PoisonError::into_inner) = Some(step);
                    return Ok(fetched);
                }
                Outcome::Absent(reason) => reasons.push(format!("{}: {reason}", step.label())),
                Outcome::Broken(reason) => {
                    return Err(ClientError::Credentials(format!(
                        "{}: {reason} (the chain stops at a source that is set up but \
                         broken)",
                        step.label()
                    )));
                }
            }
        }
        Err(ClientError::Credentials(format!(
            "no credentials: {} (or build the client with .credentials(..) or .anonymous())",
            reasons.join("; ")
        )))
    }

    /// Which source the chain settled on, once it has.
    pub fn chosen(&self) -> Option<&'static str> {
        let chosen = *self.chosen.lock().unwrap_or_else(PoisonError::into_inner);
        chosen.map(Step::label)
    }
}

/// What a step found.
enum Outcome {
    Found(Fetched),
    /// Not configured here: why (the chain moves on).
    Absent(String),
    /// Configured but unusable: why (the chain stops).
    Broken(String),
}

/// The settings seen through a client's I/O.
struct View<'a, I> {
    io: &'a I,
    settings: &'a Settings,
    cvm_role: &'a Mutex<Option<String>>,
}

impl<I: CredentialsIo> View<'_, I> {
    fn var(&self, name: &str) -> Option<String> {
        match &self.settings.variables {
            Some(map) => map.get(name).cloned(),
            None => self.io.var(name),
        }
    }

    fn home(&self) -> Option<PathBuf> {
        self.settings.home.clone().or_else(|| self.io.home_dir())
    }

    fn profile_name(&self) -> (String, bool) {
        match &self.settings.profile {
            Some(name) => (name.clone(), true),
            None => {
                let name = profile::profile_name(|n| self.var(n));
                let named = name != profile::DEFAULT_PROFILE;
                (name, named)
            }
        }
    }

    /// What one step finds.
    async fn step(&self, step: Step) -> Outcome {
        let result = match step {
            Step::Environment => self.environment(),
            Step::Profile => self.profile().await,
            Step::TkeOidc => self.tke().await,
            Step::CvmRole => self.cvm().await,
        };
        result.unwrap_or_else(Outcome::Broken)
    }

    fn environment(&self) -> Result<Outcome, String> {
        match Credentials::from_env_named(|name| self.var(name)) {
            Ok(Some((credentials, id_var))) => Ok(Outcome::Found(Fetched {
                credentials: ExpiringCredentials {
                    credentials,
                    expires_at: None,
                },
                source: CredentialSource::Environment { id_var },
            })),
            Ok(None) => {
                let names: Vec<String> = cos_proto::credentials::ENV_VARS
                    .iter()
                    .map(|(id, key, _)| format!("{id}/{key}"))
                    .collect();
                Ok(Outcome::Absent(format!("{} not set", names.join(" or "))))
            }
            Err(err) => Err(format!("the keys are malformed: {err}")),
        }
    }

    async fn profile(&self) -> Result<Outcome, String> {
        let (name, named) = self.profile_name();
        let home = self.home();
        let mut reasons = Vec::new();
        let system = self
            .settings
            .system_file
            .clone()
            .unwrap_or_else(|| PathBuf::from(profile::SYSTEM_FILE));
        for file in profile::profile_files(home.as_deref(), &system, &name) {
            let path = file.path.display();
            let text = match self.io.read_file(&file.path, profile::MAX_FILE_LEN).await {
                Ok(Some(bytes)) => {
                    String::from_utf8(bytes).map_err(|_| format!("{path}: not UTF-8"))?
                }
                Ok(None) => {
                    reasons.push(format!("no {path}"));
                    continue;
                }
                Err(err) => return Err(format!("{path}: {err}")),
            };
            match profile::read_profile(file.format, &text, &name) {
                Ok(ProfileRead::Found(credentials)) => {
                    return Ok(Outcome::Found(Fetched {
                        credentials: ExpiringCredentials {
                            credentials,
                            expires_at: None,
                        },
                        source: CredentialSource::Profile {
                            path: file.path.clone(),
                            profile: name,
                        },
                    }));
                }
                Ok(ProfileRead::Absent(why)) => reasons.push(format!("{path}: {why}")),
                Err(reason) => return Err(format!("{path}: {reason}")),
            }
        }
        let reasons = reasons.join(", ");
        if named {
            return Err(format!(
                "profile {name:?} is in none of the credential files ({reasons})"
            ));
        }
        Ok(Outcome::Absent(reasons))
    }

    async fn tke(&self) -> Result<Outcome, String> {
        let Some(oidc) = TkeOidc::from_env(|name| self.var(name))? else {
            return Ok(Outcome::Absent(format!(
                "{} not set",
                tke::TKE_VARS.join(", ")
            )));
        };
        let token = match self
            .io
            .read_file(&oidc.token_file, tke::MAX_TOKEN_LEN)
            .await
        {
            Ok(Some(bytes)) => String::from_utf8(bytes).map_err(|_| {
                format!("the token file {} is not UTF-8", oidc.token_file.display())
            })?,
            Ok(None) => {
                return Err(format!(
                    "the token file {} ({}) does not exist",
                    oidc.token_file.display(),
                    tke::TKE_WEB_IDENTITY_TOKEN_FILE
                ));
            }
            Err(err) => return Err(format!("{}: {err}", oidc.token_file.display())),
        };
        if token.trim().is_empty() {
            return Err(format!(
                "the token file {} is empty",
                oidc.token_file.display()
            ));
        }
        let session = self
            .settings
            .session_name
            .clone()
            .unwrap_or_else(|| tke::session_name(self.io.now_micros()));
        let duration = self
            .settings
            .duration_secs
            .unwrap_or(tke::DEFAULT_DURATION_SECS);
        let mut call = oidc.request(&token, &session, duration);
        if let Some(region) = &self.settings.region {
            call = call.region(region);
        }
        let request = call.request();
        let credentials = self.sts(request, None).await.map_err(|err| match err {
            ClientError::Credentials(reason) => reason,
            other => other.to_string(),
        })?;
        Ok(Outcome::Found(Fetched {
            credentials,
            source: CredentialSource::TkeOidc {
                role_arn: oidc.role_arn,
            },
        }))
    }

    /// No metadata service, or no role: absent (the chain moves on).
    async fn cvm(&self) -> Result<Outcome, String> {
        let endpoint = self
            .settings
            .metadata_endpoint
            .as_deref()
            .unwrap_or(cvm::METADATA_ENDPOINT);
        let listed = self
            .cvm_role
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let role = match self.settings.role_name.clone().or(listed) {
            Some(role) => role,
            None => {
                let request = cvm::role_list_request(endpoint)?;
                let answer = match self.get(request).await {
                    Ok(answer) => answer,
                    Err(err) => {
                        return Ok(Outcome::Absent(format!(
                            "no metadata service at {endpoint} ({err})"
                        )));
                    }
                };
                match cvm::parse_role_name(answer.status().as_u16(), answer.body()) {
                    Ok(role) => {
                        *self.cvm_role.lock().unwrap_or_else(PoisonError::into_inner) =
                            Some(role.clone());
                        role
                    }
                    Err(reason) if answer.status() == http::StatusCode::NOT_FOUND => {
                        return Ok(Outcome::Absent(reason));
                    }
                    Err(reason) => return Err(reason),
                }
            }
        };
        let request = cvm::credentials_request(endpoint, &role)?;
        let answer = self
            .get(request)
            .await
            .map_err(|err| format!("the metadata service at {endpoint} failed: {err}"))?;
        let mut listed = self.cvm_role.lock().unwrap_or_else(PoisonError::into_inner);
        let credentials = match cvm::parse_credentials(answer.status().as_u16(), answer.body()) {
            Ok(credentials) => credentials,
            Err(reason) => {
                if answer.status() == http::StatusCode::NOT_FOUND {
                    // No such role (any more): list again next time.
                    *listed = None;
                }
                return Err(reason);
            }
        };
        drop(listed);
        Ok(Outcome::Found(Fetched {
            credentials,
            source: CredentialSource::CvmRole { role },
        }))
    }

    async fn get(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, BoxError> {
        self.io
            .exchange(request, cvm::METADATA_TIMEOUT, cvm::MAX_ANSWER_LEN)
            .await
    }

    /// One STS call, signed with `base` (unsigned without).
    async fn sts(
        &self,
        mut request: CloudApiRequest,
        base: Option<&Credentials>,
    ) -> Result<ExpiringCredentials, ClientError> {
        if let Some(endpoint) = &self.settings.sts_endpoint {
            request = request.endpoint(endpoint);
        }
        request = request.insecure_http(self.settings.sts_http);
        let answer = call_cloud_api(self.io, &request, base)
            .await
            .map_err(|err| ClientError::Credentials(format!("STS at {}: {err}", request.host())))?;
        let keys = StsCredentials::parse(answer.status().as_u16(), answer.body())
            .map_err(|err| ClientError::Credentials(format!("STS: {err}")))?;
        let credentials = keys
            .credentials()
            .map_err(|err| ClientError::Credentials(format!("STS keys: {err}")))?;
        Ok(ExpiringCredentials {
            credentials,
            expires_at: keys.expired_time,
        })
    }
}

/// A KMS call of a `KmsMasterKey` over `io`, signed with the client's `keys` (an
/// anonymous client cannot sign one): the answer's status and body, or why there is none.
pub async fn call_kms<I: CredentialsIo>(
    io: &I,
    request: &CloudApiRequest,
    keys: Result<Option<Credentials>, ClientError>,
) -> Result<(u16, Vec<u8>), String> {
    let keys = keys
        .map_err(|err| err.to_string())?
        .ok_or("an anonymous client cannot sign KMS calls")?;
    let answer = call_cloud_api(io, request, Some(&keys))
        .await
        .map_err(|err| format!("KMS at {}: {err}", request.host()))?;
    Ok((answer.status().as_u16(), answer.into_body().to_vec()))
}

/// One Cloud API call (STS, KMS) over `io`: built at `io`'s clock, signed with `keys`
/// (sent unsigned without), sent within [`STS_TIMEOUT`], its answer read whole (at most
/// [`MAX_STS_ANSWER`] bytes). Never retried.
pub async fn call_cloud_api<I: CredentialsIo>(
    io: &I,
    request: &CloudApiRequest,
    keys: Option<&Credentials>,
) -> Result<http::Response<Bytes>, BoxError> {
    let (now, random) = (io.now(), io.random());
    let call = match keys {
        Some(keys) => request.build(keys, now, random),
        None => request.build_unsigned(now, random),
    }?;
    io.exchange(call.request, STS_TIMEOUT, MAX_STS_ANSWER).await
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
