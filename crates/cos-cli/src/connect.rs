//! The clients a command talks through: one per bucket, built from the global options
//! (`--region`, `--endpoint`, `--profile`), the environment and the default credential
//! chain (environment, credential files, TKE OIDC, the CVM role).

use std::collections::HashMap;
use std::sync::Mutex;

use cos_proto::{Config, Scheme};
use cos_tokio::{Client, CredentialsProvider};

use crate::failure::CliError;

/// GET Service names no bucket, but a [`Config`] needs one: this one is never sent.
const ANY_BUCKET: &str = "service-1250000000";

/// How to reach COS, from the global options.
#[derive(Debug, Clone, Default)]
pub(crate) struct Target {
    /// `--region` / `COS_REGION`.
    pub(crate) region: Option<String>,
    /// `--endpoint` / `COS_ENDPOINT`.
    pub(crate) endpoint: Option<String>,
    /// `--profile` (else `TENCENTCLOUD_PROFILE`, else `default`).
    pub(crate) profile: Option<String>,
}

/// The clients of one run, built once per bucket and reused (their connections too).
#[derive(Debug)]
pub(crate) struct Clients {
    target: Target,
    credentials: CredentialsProvider,
    built: Mutex<HashMap<String, Client>>,
}

impl Clients {
    /// Clients for `target`; nothing is checked until the first one is built.
    pub(crate) fn new(target: Target) -> Clients {
        let mut credentials = CredentialsProvider::default_chain();
        if let Some(profile) = &target.profile {
            credentials = credentials.profile_name(profile.clone());
        }
        Clients {
            target,
            credentials,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// The client of `bucket`.
    pub(crate) fn bucket(&self, bucket: &str) -> Result<Client, CliError> {
        let mut built = self
            .built
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = built.get(bucket) {
            return Ok(client.clone());
        }
        let client = self.build(bucket)?;
        built.insert(bucket.to_owned(), client.clone());
        Ok(client)
    }

    /// A client for requests that name no bucket (GET Service).
    pub(crate) fn service(&self) -> Result<Client, CliError> {
        self.bucket(ANY_BUCKET)
    }

    fn build(&self, bucket: &str) -> Result<Client, CliError> {
        let config = config_for(&self.target, bucket)?;
        Client::builder(config)
            // The chain is shared: its keys are fetched once for every bucket.
            .credentials_provider(self.credentials.clone())
            .build()
            .map_err(|err| CliError::failed(format!("cannot set up the client: {err}")))
    }
}

/// The configuration of `bucket` under `target`.
fn config_for(target: &Target, bucket: &str) -> Result<Config, CliError> {
    let endpoint = target
        .endpoint
        .as_deref()
        .map(Endpoint::parse)
        .transpose()?;
    let region = match (&target.region, &endpoint) {
        (Some(region), _) => region.clone(),
        // A local server (the emulator) does not route by region; any valid one signs.
        (None, Some(Endpoint::PathStyle { .. })) => "ap-guangzhou".to_owned(),
        (None, _) => {
            return Err(
                CliError::usage("no region: pass --region (ap-guangzhou, ...)")
                    .hint("or set COS_REGION, or pass --endpoint for a custom endpoint"),
            );
        }
    };
    let mut builder = Config::builder(region, bucket);
    match endpoint {
        None => {}
        Some(Endpoint::PathStyle { authority, scheme }) => {
            builder = builder.path_style(authority).scheme(scheme);
        }
        Some(Endpoint::Host { host, scheme }) => {
            builder = builder.endpoint(host).scheme(scheme);
        }
    }
    builder.build().map_err(|err| {
        CliError::usage(format!("bucket {bucket:?}: {err}"))
            .hint("a bucket is written bucketname-appid, e.g. examplebucket-1250000000")
    })
}

/// `--endpoint`: `http://127.0.0.1:9000` (a local server, path-style) or a host that
/// prefixes the bucket (`cos.ap-beijing.myqcloud.com`, `https://cos.example.com`).
#[derive(Debug, PartialEq, Eq)]
enum Endpoint {
    PathStyle { authority: String, scheme: Scheme },
    Host { host: String, scheme: Scheme },
}

impl Endpoint {
    fn parse(value: &str) -> Result<Endpoint, CliError> {
        let (scheme, rest) = if let Some(rest) = value.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else if let Some(rest) = value.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else {
            (Scheme::Https, value)
        };
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            return Err(CliError::usage(format!(
                "--endpoint {value:?}: give a host, or a URL with no path (http://127.0.0.1:9000)"
            )));
        }
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if port.parse::<u16>().is_ok() => host,
            _ => authority,
        };
        let local = host == "localhost"
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok();
        Ok(if local {
            Endpoint::PathStyle {
                authority: authority.to_owned(),
                scheme,
            }
        } else {
            Endpoint::Host {
                host: authority.to_owned(),
                scheme,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:9000/").expect("endpoint"),
            Endpoint::PathStyle {
                authority: "127.0.0.1:9000".into(),
                scheme: Scheme::Http
            }
        );
        assert_eq!(
            Endpoint::parse("cos.ap-beijing.myqcloud.com").expect("endpoint"),
            Endpoint::Host {
                host: "cos.ap-beijing.myqcloud.com".into(),
                scheme: Scheme::Https
            }
        );
        assert!(Endpoint::parse("http://host/path").is_err());
        assert!(Endpoint::parse("").is_err());
    }

    #[test]
    fn configs() {
        let local = Target {
            endpoint: Some("http://127.0.0.1:9000".into()),
            ..Target::default()
        };
        let config = config_for(&local, "examplebucket-1250000000").expect("config");
        assert_eq!(config.base_url(), "http://127.0.0.1:9000");
        assert_eq!(config.path_prefix(), "/examplebucket-1250000000");
        let err = config_for(&Target::default(), "b-1").expect_err("no region");
        assert!(err.to_string().contains("--region"), "{err}");
        let bad = Target {
            region: Some("ap-guangzhou".into()),
            ..Target::default()
        };
        assert!(config_for(&bad, "Bad_Bucket").is_err());
    }
}
