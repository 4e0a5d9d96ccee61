//! The credential sources over a scripted world: variables, files, and HTTP answers.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::*;

#[derive(Default)]
struct World {
    vars: BTreeMap<String, String>,
    files: BTreeMap<PathBuf, String>,
    /// URL → (status, body); a missing URL is a connection failure.
    routes: BTreeMap<String, (u16, String)>,
    sent: Mutex<Vec<http::Request<Bytes>>>,
}

impl World {
    fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }
    fn file(mut self, path: &str, text: &str) -> Self {
        self.files.insert(PathBuf::from(path), text.into());
        self
    }
    fn route(mut self, url: &str, status: u16, body: &str) -> Self {
        self.routes.insert(url.into(), (status, body.into()));
        self
    }
    fn urls(&self) -> Vec<String> {
        let sent = self.sent.lock().expect("lock");
        sent.iter().map(|r| r.uri().to_string()).collect()
    }
}

impl CredentialsIo for World {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
    fn home_dir(&self) -> Option<PathBuf> {
        Some(PathBuf::from("/home/u"))
    }
    async fn read_file(&self, path: &Path, _limit: u64) -> io::Result<Option<Vec<u8>>> {
        Ok(self.files.get(path).map(|t| t.clone().into_bytes()))
    }
    async fn exchange(
        &self,
        request: http::Request<Bytes>,
        _timeout: Duration,
        _limit: usize,
    ) -> Result<http::Response<Bytes>, BoxError> {
        let url = request.uri().to_string();
        self.sent.lock().expect("lock").push(request);
        let (status, body) = self.routes.get(&url).ok_or("connection refused")?;
        let mut response = http::Response::new(Bytes::from(body.clone()));
        *response.status_mut() = http::StatusCode::from_u16(*status)?;
        Ok(response)
    }
    fn now_micros(&self) -> u128 {
        1_700_000_000_000_000
    }
    fn random(&self) -> [u8; 16] {
        [7; 16]
    }
}

const LIST: &str = "http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/";
const STS: &str = "https://sts.tencentcloudapi.com/";

fn cvm_keys(id: &str) -> String {
    format!(
        r#"{{"TmpSecretId":"{id}","TmpSecretKey":"K","Token":"T","ExpiredTime":1700007200,"Code":"Success"}}"#
    )
}

fn sts_keys(id: &str) -> String {
    format!(
        r#"{{"Response":{{"Credentials":{{"Token":"T","TmpSecretId":"{id}","TmpSecretKey":"K"}},"ExpiredTime":1700007200,"RequestId":"r"}}}}"#
    )
}

fn tke(world: World) -> World {
    world
        .var("TKE_REGION", "ap-beijing")
        .var("TKE_PROVIDER_ID", "oidc")
        .var("TKE_WEB_IDENTITY_TOKEN_FILE", "/var/run/token")
        .var("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/pod")
        .file("/var/run/token", "jwt\n")
}

fn fetch(provider: &CredentialsProvider, world: &World) -> Result<Fetched, String> {
    pollster::block_on(provider.fetch(world)).map_err(|e| e.to_string())
}

fn id(fetched: &Result<Fetched, String>) -> &str {
    match fetched {
        Ok(f) => f.credentials.credentials.secret_id(),
        Err(e) => e,
    }
}

#[test]
fn the_chain_goes_environment_files_tke_then_cvm() {
    let cvm = World::default().route(LIST, 200, "Role").route(
        &format!("{LIST}Role"),
        200,
        &cvm_keys("AKIDCVM"),
    );
    let chain = CredentialsProvider::default_chain();
    assert_eq!(id(&fetch(&chain, &cvm)), "AKIDCVM");
    assert_eq!(chain.chosen(), Some("CVM role"));

    // TKE's pod identity comes before the node's CVM role, without asking the metadata
    // service at all.
    let pod = tke(World::default())
        .route(LIST, 200, "Role")
        .route(&format!("{LIST}Role"), 200, &cvm_keys("AKIDCVM"))
        .route(STS, 200, &sts_keys("AKIDPOD"));
    let chain = CredentialsProvider::default_chain();
    let fetched = fetch(&chain, &pod);
    assert_eq!(id(&fetched), "AKIDPOD");
    assert_eq!(pod.urls(), [STS]);
    let sent = pod.sent.lock().expect("lock");
    assert_eq!(sent[0].headers()["authorization"], "SKIP");
    assert_eq!(sent[0].headers()["x-tc-region"], "ap-beijing");
    let body = String::from_utf8_lossy(sent[0].body()).into_owned();
    assert!(body.contains(r#""WebIdentityToken": "jwt\n""#), "{body}");
    assert!(
        body.contains(r#""RoleSessionName": "cos-rs-1700000000000000""#),
        "{body}"
    );
    drop(sent);

    let files = tke(World::default()).file(
        "/home/u/.tencentcloud/credentials",
        "[default]\nsecret_id=AKIDFILE\nsecret_key=K\n",
    );
    let fetched = fetch(&CredentialsProvider::default_chain(), &files);
    assert_eq!(id(&fetched), "AKIDFILE");
    assert!(files.urls().is_empty());

    let env = files
        .var("TENCENTCLOUD_SECRET_ID", "AKIDENV")
        .var("TENCENTCLOUD_SECRET_KEY", "K");
    let fetched = fetch(&CredentialsProvider::default_chain(), &env).expect("keys");
    assert_eq!(fetched.credentials.credentials.secret_id(), "AKIDENV");
    assert_eq!(
        fetched.source,
        CredentialSource::Environment {
            id_var: "TENCENTCLOUD_SECRET_ID"
        }
    );
    assert_eq!(fetched.credentials.expires_at, None);
}

#[test]
fn nothing_configured_names_every_step() {
    let world = World::default().route(LIST, 404, "");
    let err = fetch(&CredentialsProvider::default_chain(), &world).expect_err("none");
    for part in [
        "no credentials: environment: COS_SECRET_ID/COS_SECRET_KEY or TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY not set",
        "; profile: no /home/u/.tencentcloud/credentials, no /etc/tencentcloud/credentials",
        "; TKE OIDC: TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN not set",
        "; CVM role: the metadata service lists no role",
    ] {
        assert!(err.contains(part), "{part:?} missing from {err}");
    }
    let offline = World::default();
    let err = fetch(&CredentialsProvider::default_chain(), &offline).expect_err("none");
    assert!(
        err.contains(
            "CVM role: no metadata service at http://metadata.tencentyun.com (connection refused)"
        ),
        "{err}"
    );
}

#[test]
fn a_source_set_up_but_broken_stops_the_chain() {
    let cvm = World::default().route(LIST, 200, "Role").route(
        &format!("{LIST}Role"),
        200,
        &cvm_keys("AKIDCVM"),
    );
    let half_file = cvm.file(
        "/home/u/.tencentcloud/credentials",
        "[default]\nsecret_id=AKIDFILE\n",
    );
    let err = fetch(&CredentialsProvider::default_chain(), &half_file).expect_err("broken");
    assert!(
        err.contains(
            "profile: /home/u/.tencentcloud/credentials: has a secret id but no secret key"
        ),
        "{err}"
    );

    let partial_tke = World::default().var("TKE_REGION", "ap-beijing");
    let err = fetch(&CredentialsProvider::default_chain(), &partial_tke).expect_err("broken");
    assert!(err.contains("TKE OIDC: TKE_PROVIDER_ID"), "{err}");

    let refused = tke(World::default()).route(
        STS,
        200,
        r#"{"Response":{"Error":{"Code":"InvalidParameter.WebIdentityTokenError","Message":"token expired"},"RequestId":"r"}}"#,
    );
    let err = fetch(&CredentialsProvider::default_chain(), &refused).expect_err("refused");
    assert!(
        err.contains("InvalidParameter.WebIdentityTokenError"),
        "{err}"
    );
    assert!(err.contains("token expired"), "{err}");

    let no_token = tke(World::default());
    let mut no_token = no_token;
    no_token.files.clear();
    let err = fetch(&CredentialsProvider::default_chain(), &no_token).expect_err("no file");
    assert!(err.contains("/var/run/token"), "{err}");

    // A profile named in TENCENTCLOUD_PROFILE must exist.
    let named = World::default().var("TENCENTCLOUD_PROFILE", "prod").file(
        "/home/u/.tencentcloud/credentials",
        "[default]\nsecret_id=A\nsecret_key=K\n",
    );
    let err = fetch(&CredentialsProvider::default_chain(), &named).expect_err("missing");
    assert!(err.contains("profile \"prod\" is in none"), "{err}");
}

#[test]
fn the_chain_keeps_the_source_that_answered() {
    let world = World::default().route(LIST, 200, "Role").route(
        &format!("{LIST}Role"),
        200,
        &cvm_keys("AKIDCVM"),
    );
    let chain = CredentialsProvider::default_chain();
    fetch(&chain, &world).expect("first");
    let again = world
        .var("COS_SECRET_ID", "AKIDENV")
        .var("COS_SECRET_KEY", "K");
    // Refreshes ask the chosen source, not the whole chain again.
    assert_eq!(id(&fetch(&chain.clone(), &again)), "AKIDCVM");
}

#[test]
fn files_in_order_and_formats() {
    let tccli = World::default().file(
        "/home/u/.tccli/default.credential",
        r#"{"secretId":"AKIDTCCLI","secretKey":"K","token":"T"}"#,
    );
    let fetched = fetch(&CredentialsProvider::profile(), &tccli).expect("tccli");
    assert_eq!(fetched.credentials.credentials.token(), Some("T"));
    // coscli's file comes before coscmd's, tccli's before both.
    let coscmd = World::default().file(
        "/home/u/.cos.conf",
        "[common]\nsecret_id=AKIDCOSCMD\nsecret_key=K\n",
    );
    assert_eq!(
        id(&fetch(&CredentialsProvider::profile(), &coscmd)),
        "AKIDCOSCMD"
    );
    let coscli = coscmd.file(
        "/home/u/.cos.yaml",
        "cos:\n  base:\n    secretid: AKIDCOSCLI\n    secretkey: K\n    disableencryption: \"true\"\n",
    );
    assert_eq!(
        id(&fetch(&CredentialsProvider::profile(), &coscli)),
        "AKIDCOSCLI"
    );
    let mut coscmd = coscli;
    coscmd.files.extend(tccli.files);
    assert_eq!(
        id(&fetch(&CredentialsProvider::profile(), &coscmd)),
        "AKIDTCCLI"
    );
    let system = coscmd.file(
        "/etc/tencentcloud/credentials",
        "[default]\nsecret_id=AKIDETC\nsecret_key=K\n",
    );
    assert_eq!(
        id(&fetch(&CredentialsProvider::profile(), &system)),
        "AKIDETC"
    );
    let prod = system.var("TENCENTCLOUD_PROFILE", "prod").file(
        "/home/u/.tccli/prod.credential",
        r#"{"secretId":"AKIDPROD","secretKey":"K"}"#,
    );
    assert_eq!(
        id(&fetch(&CredentialsProvider::profile(), &prod)),
        "AKIDPROD"
    );
    let chosen = CredentialsProvider::profile().profile_name("default");
    assert_eq!(id(&fetch(&chosen, &prod)), "AKIDETC");
}

#[test]
fn assume_role_signs_with_the_base_keys() {
    let world = World::default().route("http://127.0.0.1:9/", 200, &sts_keys("AKIDROLE"));
    let base = Credentials::new("AKIDBASE", "BASEKEY").expect("valid");
    let provider = CredentialsProvider::assume_role(base, "qcs::cam::uin/1:roleName/r", "s")
        .sts_endpoint("127.0.0.1:9")
        .sts_insecure_http(true)
        .duration_secs(900)
        .policy("{}");
    let fetched = fetch(&provider, &world).expect("keys");
    assert_eq!(fetched.credentials.expires_at, Some(1_700_007_200));
    let sent = world.sent.lock().expect("lock");
    let auth = sent[0].headers()["authorization"].to_str().expect("ascii");
    assert!(
        auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDBASE/"),
        "{auth}"
    );
    assert_eq!(
        String::from_utf8_lossy(sent[0].body()),
        r#"{"RoleArn": "qcs::cam::uin/1:roleName/r", "RoleSessionName": "s", "DurationSeconds": 900, "Policy": "{}"}"#
    );
    let shown = format!("{provider:?}");
    assert!(!shown.contains("BASEKEY"), "{shown}");
}

#[test]
fn debug_shows_variable_names_only() {
    let provider = CredentialsProvider::default_chain().variables([("COS_SECRET_KEY", "hunter2")]);
    let shown = format!("{provider:?}");
    assert!(
        shown.contains("COS_SECRET_KEY") && !shown.contains("hunter2"),
        "{shown}"
    );
}

#[test]
fn the_cvm_role_is_listed_once_and_forgotten_when_unknown() {
    let role_url = format!("{LIST}Role");
    let world =
        World::default()
            .route(LIST, 200, "Role")
            .route(&role_url, 200, &cvm_keys("AKIDCVM"));
    let provider = CredentialsProvider::cvm_role();
    fetch(&provider, &world).expect("first");
    fetch(&provider, &world).expect("second");
    assert_eq!(world.urls(), [LIST, &role_url, &role_url]);

    // A refusal keeps the role; a role the service no longer knows is listed again.
    let refused =
        World::default()
            .route(LIST, 200, "Role")
            .route(&role_url, 200, r#"{"Code":"Failure"}"#);
    let err = fetch(&provider, &refused).expect_err("refused");
    assert!(err.contains("Code Failure"), "{err}");
    let _ = fetch(&provider, &refused);
    assert_eq!(refused.urls(), [role_url.as_str(), &role_url]);
    let gone = World::default()
        .route(LIST, 200, "Role")
        .route(&role_url, 404, "");
    let _ = fetch(&provider, &gone);
    let _ = fetch(&provider, &gone);
    assert_eq!(gone.urls(), [&role_url, LIST, &role_url]);

    let named = CredentialsProvider::cvm_role().role_name("Named");
    let _ = fetch(&named, &world);
    assert_eq!(
        world.urls().last().map(String::as_str),
        Some(&*format!("{LIST}Named"))
    );
}

#[test]
fn tke_reads_its_environment_at_each_fetch_and_takes_a_region() {
    let mut world = tke(World::default()).route(STS, 200, &sts_keys("AKIDPOD"));
    let provider = CredentialsProvider::tke_oidc().region("ap-shanghai");
    fetch(&provider, &world).expect("first");
    world
        .files
        .insert("/var/run/token".into(), "rotated".into());
    fetch(&provider, &world).expect("second");
    let sent = world.sent.lock().expect("lock");
    assert_eq!(sent[0].headers()["x-tc-region"], "ap-shanghai");
    let body = String::from_utf8_lossy(sent[1].body()).into_owned();
    assert!(body.contains(r#""WebIdentityToken": "rotated""#), "{body}");
}
