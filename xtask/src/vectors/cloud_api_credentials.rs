//! `cloud-api/credentials.json`: the official Cloud API SDK's credential providers, each
//! case replayed through cos-rs's credential sources (`cos_transfer::drive::
//! CredentialsProvider`) over a scripted world: the case's variables and files, its
//! metadata-service answers and its canned STS answers, at the case's clock. Each step's
//! keys (or failure) are compared with the SDK's, and so are the metadata URLs asked and
//! every STS request sent (method, URL, body, headers, signature).
//!
//! Keys are cached and refreshed as the clients do (`CredentialsCache`, refreshed 300 s
//! before expiry). Where cos-rs deliberately differs (README, "Credentials"), the case is
//! checked up to the step where the difference shows, then reported as skipped with the
//! reason.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use cos_blocking::cos_transfer::drive::{CredentialsIo, CredentialsProvider};
use cos_proto::driver::credentials_cache::CredentialsCache;
use cos_proto::driver::error::BoxError;
use cos_proto::{Credentials, RefreshPolicy};
use serde::Deserialize;
use serde_json::Value;

use super::cloud_api::{WireRequest, check_document, compare_call};
use super::{CaseResult, Mismatches, Verdict};

/// The scripted home directory.
const HOME: &str = "/vhome";
/// Where an `OIDCRoleArnCredential`'s token is put for the TKE source to read.
const OIDC_TOKEN_FILE: &str = "/vhome/.oidc-token";

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    group: String,
    input: Input,
    expected: Expected,
}

#[derive(Deserialize)]
struct Input {
    env: BTreeMap<String, String>,
    files: BTreeMap<String, String>,
    metadata_routes: BTreeMap<String, Route>,
    steps: Vec<InStep>,
}

#[derive(Deserialize, Clone)]
struct Route {
    status: u16,
    body: String,
}

#[derive(Deserialize)]
struct InStep {
    at: Option<u64>,
    meta: Option<BTreeMap<String, Route>>,
    api: Option<Vec<Route>>,
}

#[derive(Deserialize)]
struct Expected {
    steps: Vec<OutStep>,
}

#[derive(Deserialize)]
struct OutStep {
    at: u64,
    call: String,
    constructor: Option<Constructor>,
    result: Option<Value>,
    credential_fields: Option<Value>,
    exception: Option<Value>,
    metadata_urlopen_calls: Option<Vec<UrlOpen>>,
    api_requests: Option<Vec<WireRequest>>,
}

#[derive(Deserialize)]
struct Constructor {
    class: String,
    args: Vec<Value>,
    kwargs: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct UrlOpen {
    url: String,
}

/// Where cos-rs chooses differently (README, "Credentials"): the step from which the
/// SDK's answers are not ours, and why.
fn deviation(id: &str) -> Option<(usize, &'static str)> {
    const TIMING: &str = "cos-rs refreshes temporary keys 300 s before they expire \
        (RefreshPolicy, one rule for every source); the SDK refreshes STS keys once 10 % of \
        their lifetime has passed and OIDC keys when 10 % is left";
    Some(match id {
        "env-token-ignored" => (
            1,
            "cos-rs reads TENCENTCLOUD_SESSION_TOKEN with the keys: temporary keys without \
             their token fail every request",
        ),
        "profile-token-role-ignored" => (
            1,
            "cos-rs reads a `token` written next to the keys in a credential file",
        ),
        "cvm-role-missing-field" => (
            1,
            "cos-rs refuses metadata keys without their token or expiry (the SDK returns keys \
             that COS then rejects)",
        ),
        "cvm-role-listing-two-roles" => (
            1,
            "cos-rs refuses a role listing that names several roles before asking for keys \
             (the SDK asks for the URL `RoleA\\nRoleB`, which fails)",
        ),
        "chain-profile-without-default-section" => (
            1,
            "a credential file without the profile hands over to the next source (the SDK \
             raises AttributeError, an accident of its code)",
        ),
        "sts-provider-refresh" | "oidc-refresh" => (3, TIMING),
        "sts-provider-capped-duration" => (2, TIMING),
        _ => return None,
    })
}

/// Checks every case of a `credentials.json` document.
pub(super) fn check(name: &str, text: &str) -> Vec<CaseResult> {
    check_document(
        name,
        text,
        |file: &File| &file.cases,
        |case| &case.id,
        |case| {
            let (upto, reason) = deviation(&case.id).unwrap_or((usize::MAX, ""));
            match check_case(case, upto) {
                Ok(m) if reason.is_empty() => m.verdict(),
                Ok(m) => match m.verdict() {
                    Verdict::Pass => Verdict::Skip(reason.to_owned()),
                    failed => failed,
                },
                Err(err) => Verdict::Fail(err),
            }
        },
    )
}

/// The scripted world a case runs in.
#[derive(Default)]
struct World {
    vars: BTreeMap<String, String>,
    files: BTreeMap<PathBuf, Vec<u8>>,
    routes: Mutex<BTreeMap<String, Route>>,
    sts: Mutex<VecDeque<Route>>,
    now: Mutex<u64>,
    metadata_urls: Mutex<Vec<String>>,
    sts_requests: Mutex<Vec<http::Request<Bytes>>>,
}

fn home(text: &str) -> String {
    text.replace("$HOME", HOME)
}

impl CredentialsIo for World {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        Some(PathBuf::from(HOME))
    }

    async fn read_file(&self, path: &Path, _limit: u64) -> io::Result<Option<Vec<u8>>> {
        Ok(self.files.get(path).cloned())
    }

    async fn exchange(
        &self,
        request: http::Request<Bytes>,
        _timeout: Duration,
        _limit: usize,
    ) -> Result<http::Response<Bytes>, BoxError> {
        let url = request.uri().to_string();
        let route = if request.uri().host() == Some("metadata.tencentyun.com") {
            self.metadata_urls.lock().expect("lock").push(url.clone());
            let routes = self.routes.lock().expect("lock");
            routes.get(&url).cloned().unwrap_or(Route {
                status: 404,
                body: String::new(),
            })
        } else {
            self.sts_requests.lock().expect("lock").push(request);
            let mut answers = self.sts.lock().expect("lock");
            answers.pop_front().ok_or("no canned STS answer left")?
        };
        let mut response = http::Response::new(Bytes::from(route.body.into_bytes()));
        *response.status_mut() = http::StatusCode::from_u16(route.status)?;
        Ok(response)
    }

    fn now_micros(&self) -> u128 {
        u128::from(*self.now.lock().expect("lock")) * 1_000_000
    }

    fn random(&self) -> [u8; 16] {
        [0; 16]
    }
}

fn text_arg(args: &[Value], index: usize) -> Option<String> {
    args.get(index).and_then(Value::as_str).map(str::to_owned)
}

/// The SDK's TKE session name at `at`: `tencentcloud-python-sdk-` + `str(time.time() * 1e6)`.
fn sdk_session(at: u64) -> String {
    format!("tencentcloud-python-sdk-{}.0", u128::from(at) * 1_000_000)
}

/// Our provider for the SDK's class, and what it adds to the world.
fn provider(ctor: &Constructor, at: u64, world: &mut World) -> Result<CredentialsProvider, String> {
    let args = &ctor.args;
    Ok(match ctor.class.as_str() {
        "CVMRoleCredential" => match text_arg(args, 0) {
            Some(role) => CredentialsProvider::cvm_role().role_name(role),
            None => CredentialsProvider::cvm_role(),
        },
        "EnvironmentVariableCredential" => CredentialsProvider::environment(),
        "ProfileCredential" => CredentialsProvider::profile(),
        "STSAssumeRoleCredential" => {
            let base = Credentials::new(
                text_arg(args, 0).unwrap_or_default(),
                text_arg(args, 1).unwrap_or_default(),
            )
            .map_err(|e| format!("base keys: {e}"))?;
            let mut provider = CredentialsProvider::assume_role(
                base,
                text_arg(args, 2).unwrap_or_default(),
                text_arg(args, 3).unwrap_or_default(),
            )
            .duration_secs(
                args.get(4)
                    .or(ctor.kwargs.get("duration_seconds"))
                    .and_then(Value::as_u64)
                    .unwrap_or(7200),
            );
            if let Some(endpoint) = ctor.kwargs.get("endpoint").and_then(Value::as_str) {
                provider = provider.sts_endpoint(endpoint);
            }
            provider
        }
        "OIDCRoleArnCredential" => {
            // The TKE source with the arguments as its environment and token file.
            for (index, name) in cos_proto::provider::tke::TKE_VARS.iter().enumerate() {
                let value = match index {
                    0 => text_arg(args, 0),
                    1 => text_arg(args, 1),
                    2 => Some(OIDC_TOKEN_FILE.to_owned()),
                    _ => text_arg(args, 3),
                };
                world
                    .vars
                    .insert((*name).to_owned(), value.unwrap_or_default());
            }
            let token = text_arg(args, 2).unwrap_or_default();
            world
                .files
                .insert(OIDC_TOKEN_FILE.into(), token.into_bytes());
            CredentialsProvider::tke_oidc()
                .session_name(text_arg(args, 4).unwrap_or_default())
                .duration_secs(args.get(5).and_then(Value::as_u64).unwrap_or(7200))
        }
        "DefaultTkeOIDCRoleArnProvider" => {
            CredentialsProvider::tke_oidc().session_name(sdk_session(at))
        }
        "DefaultCredentialProvider" => {
            CredentialsProvider::default_chain().session_name(sdk_session(at))
        }
        other => return Err(format!("unknown SDK class {other}")),
    })
}

/// The SDK's keys for a step: `Some((id, key, token))`, or `None` for no keys (null
/// fields, a null result, or an exception).
fn sdk_keys(step: &OutStep) -> Option<(String, String, Option<String>)> {
    if step.exception.is_some() {
        return None;
    }
    let fields = match step.call.as_str() {
        "get_credential_info" => step.result.as_ref()?,
        _ => step.credential_fields.as_ref()?,
    };
    let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
    Some((text("secret_id")?, text("secret_key")?, text("token")))
}

fn check_case(case: &Case, upto: usize) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    let steps = &case.expected.steps;
    let construct = steps.first().ok_or("no steps")?;
    let ctor = construct.constructor.as_ref().ok_or("no constructor")?;
    if ctor.class == "Credential" {
        return Ok(check_validation(case, ctor));
    }
    let mut world = World {
        vars: case
            .input
            .env
            .iter()
            .map(|(k, v)| (k.clone(), home(v)))
            .collect(),
        files: case
            .input
            .files
            .iter()
            .map(|(path, text)| (Path::new(HOME).join(path), text.clone().into_bytes()))
            .collect(),
        routes: Mutex::new(case.input.metadata_routes.clone()),
        ..World::default()
    };
    // Every canned STS answer, in order: the SDK fetches lazily, cos-rs when asked for
    // keys, so an answer may serve an earlier step here.
    let answers: VecDeque<Route> = case
        .input
        .steps
        .iter()
        .flat_map(|s| s.api.iter().flatten().cloned())
        .collect();
    *world.sts.lock().expect("lock") = answers;
    let provider = provider(ctor, construct.at, &mut world)?;
    let mut cache = CredentialsCache::new(RefreshPolicy::default());
    let (mut want_urls, mut want_sts) = (Vec::new(), Vec::new());
    for (index, (step, input)) in steps.iter().zip(&case.input.steps).enumerate() {
        if index >= upto {
            break;
        }
        let now = input.at.unwrap_or(step.at);
        *world.now.lock().expect("lock") = now;
        if let Some(routes) = &input.meta {
            *world.routes.lock().expect("lock") = routes.clone();
        }
        want_urls.extend(
            step.metadata_urlopen_calls
                .iter()
                .flatten()
                .map(|call| call.url.trim().to_owned()),
        );
        want_sts.extend(step.api_requests.iter().flatten());
        if step.call == "construct" {
            continue;
        }
        let ours = if cache.needs_refresh(now) {
            let fetched = pollster::block_on(provider.fetch(&world));
            cache.after_fetch(now, fetched.map(|f| f.credentials).map_err(BoxError::from))
        } else {
            cache.credentials()
        };
        let what = format!("step {index} ({})", step.call);
        match (sdk_keys(step), ours) {
            (Some(want), Ok(got)) => m.eq(
                &what,
                &want,
                &(
                    got.secret_id().to_owned(),
                    got.secret_key().to_owned(),
                    got.token().map(str::to_owned),
                ),
            ),
            (Some(_), Err(err)) if lazy_oidc(step) => m.push(format!("{what}: {err}")),
            (Some(want), Err(err)) => {
                m.push(format!("{what}: the SDK has {want:?}, we fail: {err}"))
            }
            (None, Ok(_)) if lazy_oidc(step) => {}
            (None, Ok(got)) => m.push(format!("{what}: the SDK has no keys, we have {got:?}")),
            (None, Err(err)) => {
                // An SDK error with a code: ours names the same code.
                let code = step
                    .exception
                    .as_ref()
                    .and_then(|e| e.get("code"))
                    .and_then(Value::as_str);
                if let Some(code) = code
                    && !err.to_string().contains(code)
                {
                    m.push(format!("{what}: the SDK fails with {code}, we with {err}"));
                }
            }
        }
    }
    // The chain's order is ours (TKE before the CVM role): its metadata requests are not
    // the SDK's.
    if case.group != "chain" {
        let got = world.metadata_urls.lock().expect("lock").clone();
        m.eq("metadata URLs", &want_urls, &got);
    }
    let sent = std::mem::take(&mut *world.sts_requests.lock().expect("lock"));
    m.eq("STS requests", &want_sts.len(), &sent.len());
    for (want, got) in want_sts.into_iter().zip(sent) {
        let call = cos_proto::cloud_api::CloudApiCall {
            request: got,
            signing: None,
        };
        compare_call(&mut m, want, None, call);
    }
    Ok(m)
}

/// `get_credential` answered a TKE credential that has not fetched yet (the SDK is lazy;
/// cos-rs fetches when asked).
fn lazy_oidc(step: &OutStep) -> bool {
    step.result
        .as_ref()
        .and_then(|r| r.get("class"))
        .and_then(Value::as_str)
        == Some("OIDCRoleArnCredential")
}

/// `Credential(secret_id, secret_key, token)`: refused or accepted as the SDK does.
fn check_validation(case: &Case, ctor: &Constructor) -> Mismatches {
    let mut m = Mismatches::default();
    let arg = |i| text_arg(&ctor.args, i);
    let ours =
        Credentials::new(arg(0).unwrap_or_default(), arg(1).unwrap_or_default()).and_then(|c| {
            match arg(2) {
                Some(token) => c.with_token(token),
                None => Ok(c),
            }
        });
    let refused = case.expected.steps[0].exception.is_some();
    match (refused, ours) {
        (true, Err(_)) => {}
        (false, Ok(keys)) => {
            if let Some(step) = case.expected.steps.get(1)
                && let Some(want) = sdk_keys(step)
            {
                let got = (
                    keys.secret_id().to_owned(),
                    keys.secret_key().to_owned(),
                    keys.token().map(str::to_owned),
                );
                m.eq("keys", &want, &got);
            }
        }
        (true, Ok(_)) => m.push("the SDK refuses these keys, we accept them"),
        (false, Err(err)) => m.push(format!("the SDK accepts these keys, we refuse: {err}")),
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_fails_on_an_altered_vector() {
        let path = crate::vectors::default_dir()
            .join("cloud-api")
            .join("credentials.json");
        let text = std::fs::read_to_string(path).expect("the shared vectors");
        let failures = |text: &str| {
            check("credentials.json", text)
                .into_iter()
                .filter(|c| matches!(c.verdict, Verdict::Fail(_)))
                .map(|c| c.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(failures(&text), Vec::<String>::new());
        for (from, to) in [
            // A key the SDK got from the metadata service.
            ("\"secret_id\": \"AKIDfQbdca", "\"secret_id\": \"AKIDfQbdcb"),
            // The role name in the URL the SDK asked.
            (
                "security-credentials/CVM_QcsRole\",\n",
                "security-credentials/CVM_QcsRolf\",\n",
            ),
            // The session name in an STS body.
            (
                "\\\"RoleSessionName\\\": \\\"cos-provider\\\"",
                "\\\"RoleSessionName\\\": \\\"cos-provideR\\\"",
            ),
            // A profile's key.
            (
                "\"secret_id\": \"AKIDprof0001\"",
                "\"secret_id\": \"AKIDprof0009\"",
            ),
        ] {
            assert!(text.contains(from), "{from}");
            let altered = text.replacen(from, to, 1);
            assert!(
                !failures(&altered).is_empty(),
                "{from} -> {to} went unnoticed"
            );
        }
    }
}
