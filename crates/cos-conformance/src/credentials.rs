//! The credential half of the suite: the default chain and each credential source,
//! through each client, against an emulator that plays STS and the CVM metadata service
//! too. Each check gets its own emulator (roles, lifetimes and call counters are per
//! emulator) and an isolated chain: no process variable, no file outside its scratch
//! directory, metadata and STS on the emulator.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::{GetObject, PutObject};
use cos_proto::provider::CredentialSource;
use cos_transfer::drive::CredentialsProvider;

use crate::{ConformanceClient, Upload};

/// The bucket the credential checks use.
pub const BUCKET: &str = "examplebucket-1250000000";
const ROLE: &str = "CVM_QcsRole";
const ROLE_ARN: &str = "qcs::cam::uin/100000000001:roleName/cos-uploader";
const WEB_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.pod.sig\n";

/// What the credential checks need of a client crate.
pub trait CredentialClients: Sync {
    /// A client of `config` whose keys come from `provider`, driven by the client.
    fn with_provider(
        &self,
        config: Config,
        provider: CredentialsProvider,
    ) -> Box<dyn ConformanceClient + Send + Sync>;
}

/// The names of every credential check, in order.
pub fn credential_check_names() -> Vec<&'static str> {
    CHECKS.iter().map(|(name, _)| *name).collect()
}

type Check = fn(&dyn CredentialClients, &Scene) -> Result<(), String>;

const CHECKS: [(&str, Check); 7] = [
    (
        "chain_falls_through_to_the_cvm_role",
        chain_falls_through_to_the_cvm_role,
    ),
    (
        "chain_puts_the_pods_identity_before_the_nodes",
        chain_puts_the_pods_identity_before_the_nodes,
    ),
    (
        "chain_prefers_environment_then_files",
        chain_prefers_environment_then_files,
    ),
    (
        "chain_error_names_every_source",
        chain_error_names_every_source,
    ),
    (
        "one_sts_request_for_concurrent_calls",
        one_sts_request_for_concurrent_calls,
    ),
    (
        "expired_keys_are_refreshed_and_calls_go_on",
        expired_keys_are_refreshed_and_calls_go_on,
    ),
    (
        "sts_roles_and_federated_users",
        sts_roles_and_federated_users,
    ),
];

/// Runs the credential check `name` through `clients`.
pub fn run_credentials_check(clients: &dyn CredentialClients, name: &str) -> Result<(), String> {
    let (_, check) = CHECKS
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| format!("no credential check named {name}"))?;
    let scratch = std::env::temp_dir().join(format!(
        "cos-conformance-credentials-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let emulator = Emulator::start(emulator_config(name)).map_err(|e| e.to_string())?;
    let scene = Scene { emulator, scratch };
    let result = check(clients, &scene);
    let _ = std::fs::remove_dir_all(&scene.scratch);
    result
}

fn emulator_config(name: &str) -> EmulatorConfig {
    let config = EmulatorConfig::new()
        .bucket(BUCKET, false)
        .web_identity_token(WEB_TOKEN);
    match name {
        "chain_error_names_every_source" => config,
        // Keys that live 2 s: inside the 300 s refresh margin from the start, so every
        // call fetches again, and each expires (on the emulator) between calls.
        "expired_keys_are_refreshed_and_calls_go_on" => config
            .cvm_role(ROLE)
            .sts_max_duration(Duration::from_secs(2)),
        _ => config.cvm_role(ROLE),
    }
}

/// One check's emulator and scratch directory.
#[derive(Debug)]
struct Scene {
    emulator: Emulator,
    scratch: PathBuf,
}

impl Scene {
    fn config(&self) -> Config {
        Config::builder("ap-guangzhou", BUCKET)
            .path_style(self.emulator.authority())
            .build()
            .expect("a valid configuration")
    }

    fn home(&self) -> PathBuf {
        self.scratch.join("home")
    }

    /// A chain that sees only `variables`, the scratch home and the emulator.
    fn chain(&self, variables: &[(&str, String)]) -> CredentialsProvider {
        self.isolate(CredentialsProvider::default_chain(), variables)
    }

    fn isolate(
        &self,
        provider: CredentialsProvider,
        variables: &[(&str, String)],
    ) -> CredentialsProvider {
        provider
            .variables(variables.iter().map(|(k, v)| (*k, v.clone())))
            .home_dir(self.home())
            .system_file(self.scratch.join("etc-credentials"))
            .metadata_endpoint(self.emulator.endpoint())
            .sts_endpoint(self.emulator.authority())
            .sts_insecure_http(true)
    }

    fn write(&self, path: &Path, text: &str) -> Result<(), String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(path, text).map_err(|e| e.to_string())
    }

    fn tke_variables(&self) -> Result<Vec<(&'static str, String)>, String> {
        let token = self.scratch.join("tke-token");
        self.write(&token, WEB_TOKEN)?;
        Ok(vec![
            ("TKE_REGION", "ap-guangzhou".to_owned()),
            ("TKE_PROVIDER_ID", "tke-oidc".to_owned()),
            ("TKE_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
            ("TKE_ROLE_ARN", ROLE_ARN.to_owned()),
        ])
    }

    fn keys(&self) -> (String, String) {
        let keys = self.emulator.credentials();
        (keys.secret_id().to_owned(), keys.secret_key().to_owned())
    }
}

/// A PUT then a GET of `key` through `client`: the keys work on COS.
fn round_trip(client: &dyn ConformanceClient, key: &str) -> Result<(), String> {
    let data = Bytes::from(format!("signed for {key}"));
    client
        .put_object(
            &PutObject::new(key, Some(data.len() as u64)),
            Upload::Bytes(data.clone()),
        )
        .map_err(|e| format!("PUT {key}: {e}"))?;
    let (_, got) = client
        .get_object(&GetObject::new(key))
        .map_err(|e| format!("GET {key}: {e}"))?;
    ensure!(got == data, "GET {key} answered other bytes");
    Ok(())
}

fn source_of(client: &dyn ConformanceClient) -> Result<CredentialSource, String> {
    client
        .credential_source()
        .ok_or_else(|| "the client names no credential source".to_owned())
}

fn chain_falls_through_to_the_cvm_role(
    clients: &dyn CredentialClients,
    scene: &Scene,
) -> Result<(), String> {
    let client = clients.with_provider(scene.config(), scene.chain(&[]));
    round_trip(client.as_ref(), "chain/cvm.txt")?;
    let source = source_of(client.as_ref())?;
    ensure!(
        source == CredentialSource::CvmRole { role: ROLE.into() },
        "source {source:?}"
    );
    let asked = scene.emulator.metadata_requests();
    ensure!(
        asked == 2,
        "{asked} metadata requests (the listing, then the keys)"
    );
    Ok(())
}

fn chain_puts_the_pods_identity_before_the_nodes(
    clients: &dyn CredentialClients,
    scene: &Scene,
) -> Result<(), String> {
    let client = clients.with_provider(scene.config(), scene.chain(&scene.tke_variables()?));
    round_trip(client.as_ref(), "chain/tke.txt")?;
    let source = source_of(client.as_ref())?;
    ensure!(
        source
            == CredentialSource::TkeOidc {
                role_arn: ROLE_ARN.into()
            },
        "source {source:?}"
    );
    let metadata = scene.emulator.metadata_requests();
    ensure!(
        metadata == 0,
        "the node's role was asked ({metadata} requests)"
    );
    let calls = scene.emulator.cloud_api_calls("AssumeRoleWithWebIdentity");
    ensure!(calls == 1, "{calls} AssumeRoleWithWebIdentity calls");
    Ok(())
}

fn chain_prefers_environment_then_files(
    clients: &dyn CredentialClients,
    scene: &Scene,
) -> Result<(), String> {
    let (id, key) = scene.keys();
    scene.write(
        &scene.home().join(".tencentcloud").join("credentials"),
        &format!("[default]\nsecret_id = {id}\nsecret_key = {key}\n"),
    )?;
    let tke = scene.tke_variables()?;
    let client = clients.with_provider(scene.config(), scene.chain(&tke));
    round_trip(client.as_ref(), "chain/file.txt")?;
    let source = source_of(client.as_ref())?;
    ensure!(
        matches!(&source, CredentialSource::Profile { profile, .. } if profile == "default"),
        "source {source:?}"
    );
    let mut variables = tke;
    variables.push(("TENCENTCLOUD_SECRET_ID", id));
    variables.push(("TENCENTCLOUD_SECRET_KEY", key));
    let client = clients.with_provider(scene.config(), scene.chain(&variables));
    round_trip(client.as_ref(), "chain/env.txt")?;
    let source = source_of(client.as_ref())?;
    ensure!(
        source
            == CredentialSource::Environment {
                id_var: "TENCENTCLOUD_SECRET_ID"
            },
        "source {source:?}"
    );
    let sts = scene.emulator.cloud_api_calls("AssumeRoleWithWebIdentity");
    let metadata = scene.emulator.metadata_requests();
    ensure!(
        sts == 0 && metadata == 0,
        "{sts} STS and {metadata} metadata requests"
    );
    Ok(())
}

fn chain_error_names_every_source(
    clients: &dyn CredentialClients,
    scene: &Scene,
) -> Result<(), String> {
    let client = clients.with_provider(scene.config(), scene.chain(&[]));
    let err = match round_trip(client.as_ref(), "chain/none.txt") {
        Ok(()) => return Err("a client without keys anywhere signed a request".into()),
        Err(err) => err,
    };
    for part in [
        "no credentials: environment: COS_SECRET_ID/COS_SECRET_KEY or TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY not set",
        "; profile: no ",
        "; TKE OIDC: TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN not set",
        "; CVM role: the metadata service lists no role",
    ] {
        ensure!(err.contains(part), "{part:?} is not in {err}");
    }
    ensure!(client.credential_source().is_none(), "a source is named");
    Ok(())
}

fn assume_role(scene: &Scene) -> CredentialsProvider {
    let (id, key) = scene.keys();
    let base = cos_proto::Credentials::new(id, key).expect("the emulator's keys");
    scene.isolate(
        CredentialsProvider::assume_role(base, ROLE_ARN, "conformance"),
        &[],
    )
}

fn one_sts_request_for_concurrent_calls(
    clients: &dyn CredentialClients,
    scene: &Scene,
) -> Result<(), String> {
    let client = clients.with_provider(scene.config(), assume_role(scene));
    let results: Vec<Result<(), String>> = std::thread::scope(|threads| {
        let client: &(dyn ConformanceClient + Send + Sync) = &*client;
        let handles: Vec<_> = (0..16)
            .map(|i| threads.spawn(move || round_trip(client, &format!("concurrent/{i}.txt"))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a caller panicked".into())))
            .collect()
    });
    for result in results {
        result?;
    }
    let calls = scene.emulator.cloud_api_calls("AssumeRole");
    ensure!(
        calls == 1,
        "16 concurrent callers made {calls} AssumeRole requests"
    );
    Ok(())
}

fn expired_keys_are_refreshed_and_calls_go_on(
    clients: &dyn CredentialClients,
    scene: &Scene,
) -> Result<(), String> {
    let sts = clients.with_provider(scene.config(), assume_role(scene));
    let cvm = clients.with_provider(scene.config(), scene.chain(&[]));
    for round in 0..3 {
        round_trip(sts.as_ref(), &format!("expiring/sts-{round}.txt"))?;
        round_trip(cvm.as_ref(), &format!("expiring/cvm-{round}.txt"))?;
        // Every key issued so far has expired on the emulator by the next round.
        std::thread::sleep(Duration::from_millis(2_100));
    }
    // Each PUT and GET fetched keys: nothing expired was ever sent.
    let calls = scene.emulator.cloud_api_calls("AssumeRole");
    ensure!(calls == 6, "{calls} AssumeRole requests for 6 calls");
    let metadata = scene.emulator.metadata_requests();
    ensure!(
        metadata == 7,
        "{metadata} metadata requests (one listing, six fetches)"
    );
    Ok(())
}

fn sts_roles_and_federated_users(
    clients: &dyn CredentialClients,
    scene: &Scene,
) -> Result<(), String> {
    let client = clients.with_provider(scene.config(), assume_role(scene));
    round_trip(client.as_ref(), "sts/role.txt")?;
    let source = source_of(client.as_ref())?;
    ensure!(
        source
            == CredentialSource::AssumeRole {
                role_arn: ROLE_ARN.into()
            },
        "source {source:?}"
    );
    let (id, key) = scene.keys();
    let base = cos_proto::Credentials::new(id, key).expect("the emulator's keys");
    let policy = r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:*"],"resource":["*"]}]}"#;
    let federated = scene.isolate(
        CredentialsProvider::federation_token(base, "uploader", policy).duration_secs(900),
        &[],
    );
    let client = clients.with_provider(scene.config(), federated);
    round_trip(client.as_ref(), "sts/federated.txt")?;
    let source = source_of(client.as_ref())?;
    ensure!(
        source
            == CredentialSource::FederationToken {
                name: "uploader".into()
            },
        "source {source:?}"
    );
    // A role STS refuses: the call fails with STS's code, naming the source.
    let (id, key) = scene.keys();
    let wrong = cos_proto::Credentials::new(id, format!("{key}x")).expect("keys");
    let refused = scene.isolate(CredentialsProvider::assume_role(wrong, ROLE_ARN, "s"), &[]);
    let client = clients.with_provider(scene.config(), refused);
    match round_trip(client.as_ref(), "sts/refused.txt") {
        Ok(()) => Err("keys from a refused AssumeRole signed a request".into()),
        Err(err) if err.contains("AuthFailure.SignatureFailure") => Ok(()),
        Err(err) => Err(format!("unexpected failure: {err}")),
    }
}

/// Declares one `#[test]` per credential check, each calling `$run(name)`.
#[macro_export]
macro_rules! credential_tests {
    ($run:path) => {
        $crate::credential_tests!(@each $run;
            chain_falls_through_to_the_cvm_role, chain_puts_the_pods_identity_before_the_nodes,
            chain_prefers_environment_then_files, chain_error_names_every_source,
            one_sts_request_for_concurrent_calls, expired_keys_are_refreshed_and_calls_go_on,
            sts_roles_and_federated_users);
    };
    (@each $run:path; $($name:ident),+) => {
        $(
            #[test]
            fn $name() {
                $run(stringify!($name));
            }
        )+

        #[test]
        fn credential_tests_cover_every_check() {
            assert_eq!(
                vec![$(stringify!($name)),+],
                $crate::credentials::credential_check_names()
            );
        }
    };
}
