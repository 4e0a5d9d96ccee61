//! [`CosObjectStoreBuilder`]: a store from a URL, the environment, a [`Config`], or a
//! ready [`Client`].

use cos_proto::driver::options::ClientOptions;
use cos_proto::{Config, Credentials};
use cos_tokio::Client;

use crate::errors;
use crate::store::CosObjectStore;

/// The URL schemes the builder reads: `cos://` and Hadoop's `cosn://`.
pub(crate) const SCHEMES: [&str; 2] = ["cos", "cosn"];

/// Builds a [`CosObjectStore`].
///
/// The bucket (`bucketname-appid`) and its region are required, from
/// [`with_url`](Self::with_url), [`from_env`](Self::from_env), the setters, or a whole
/// [`Config`]. Credentials come from the default chain of `cos-tokio` (environment,
/// credential files, TKE OIDC, the CVM role) unless given.
///
/// ```
/// use cos_object_store::CosObjectStoreBuilder;
///
/// let store = CosObjectStoreBuilder::new()
///     .with_url("cosn://examplebucket-1250000000/warehouse")?
///     .with_region("ap-beijing")
///     .build()?;
/// assert_eq!(store.key(&"t/part-0.parquet".into()), "warehouse/t/part-0.parquet");
/// # Ok::<(), object_store::Error>(())
/// ```
///
/// Engines that resolve URLs through an
/// [`ObjectStoreRegistry`](object_store::registry::ObjectStoreRegistry) can use
/// [`CosObjectStoreRegistry`](crate::CosObjectStoreRegistry), which builds one store per
/// bucket from a builder like this one the first time a `cos://` URL names it.
#[derive(Debug, Default, Clone)]
#[must_use]
pub struct CosObjectStoreBuilder {
    region: Option<String>,
    bucket: Option<String>,
    prefix: String,
    endpoint: Option<String>,
    path_style: Option<String>,
    config: Option<Config>,
    credentials: Option<Credentials>,
    anonymous: bool,
    options: Option<ClientOptions>,
    client: Option<Client>,
}

impl CosObjectStoreBuilder {
    /// A builder with nothing set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder from the environment: `COS_REGION`, `COS_BUCKET`, `COS_ENDPOINT` (a custom
    /// endpoint host) and `COS_PREFIX`, each when set and not empty. Credentials still come
    /// from the default chain (which reads `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_TOKEN`).
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut builder = Self::new();
        builder.region = var("COS_REGION");
        builder.bucket = var("COS_BUCKET");
        builder.endpoint = var("COS_ENDPOINT");
        if let Some(prefix) = var("COS_PREFIX") {
            builder.prefix = prefix;
        }
        builder
    }

    /// The bucket, and the prefix its paths live under, from `cos://bucket-appid/prefix`
    /// or `cosn://bucket-appid/prefix` (the prefix may be absent), with options in the
    /// query: `region` (Hadoop-COS URLs do not carry it; else set it with
    /// [`with_region`](Self::with_region)), `endpoint` (as [`with_endpoint`](Self::with_endpoint)),
    /// `path_style_endpoint` (as [`with_path_style_endpoint`](Self::with_path_style_endpoint)).
    /// Any other query key is an error, so a misspelt option is never silently ignored.
    ///
    /// ```
    /// use cos_object_store::CosObjectStoreBuilder;
    ///
    /// let store = CosObjectStoreBuilder::new()
    ///     .with_url("cos://examplebucket-1250000000/logs?region=ap-shanghai")?
    ///     .build()?;
    /// assert_eq!(store.client().config().region(), "ap-shanghai");
    /// # Ok::<(), object_store::Error>(())
    /// ```
    pub fn with_url(self, url: &str) -> object_store::Result<Self> {
        let parsed = url::Url::parse(url)
            .map_err(|err| errors::generic(format!("invalid COS URL {url:?}: {err}")))?;
        self.with_parsed_url(&parsed)
    }

    /// [`with_url`](Self::with_url) for a URL already parsed.
    pub fn with_parsed_url(mut self, parsed: &url::Url) -> object_store::Result<Self> {
        let url = parsed.as_str();
        if !SCHEMES.contains(&parsed.scheme()) {
            return Err(errors::generic(format!(
                "{url:?}: a COS URL starts with cos:// or cosn://"
            )));
        }
        let bucket = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| errors::generic(format!("{url:?} names no bucket")))?;
        self.bucket = Some(bucket.to_owned());
        let prefix = percent_encoding::percent_decode_str(parsed.path().trim_matches('/'))
            .decode_utf8()
            .map_err(|_| errors::generic(format!("{url:?}: the path is not UTF-8")))?;
        self.prefix = prefix.into_owned();
        for (key, value) in parsed.query_pairs() {
            let value = value.into_owned();
            match key.as_ref() {
                "region" => self.region = Some(value),
                "endpoint" => self.endpoint = Some(value),
                "path_style_endpoint" => self.path_style = Some(value),
                other => {
                    return Err(errors::generic(format!(
                        "{url:?}: unknown option {other:?} (known: region, endpoint, \
                         path_style_endpoint)"
                    )));
                }
            }
        }
        Ok(self)
    }

    /// The region (`ap-guangzhou`).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The bucket, `bucketname-appid`.
    pub fn with_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// Paths live under this prefix of the bucket (`tables` or `tables/`: the path `a` is
    /// the key `tables/a`); default: the whole bucket.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// A custom endpoint host (a CDN or private domain) instead of
    /// `<bucket>.cos.<region>.myqcloud.com`.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// A path-style endpoint (`127.0.0.1:9000`): the bucket goes in the path. This is how
    /// the store reaches `cos-emulator`; plain HTTP is allowed on loopback only.
    pub fn with_path_style_endpoint(mut self, authority: impl Into<String>) -> Self {
        self.path_style = Some(authority.into());
        self
    }

    /// A whole configuration (bucket, region, endpoint, scheme); replaces the bucket,
    /// region and endpoints set otherwise.
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Signs with these keys instead of the default chain's.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sends unsigned requests (a public-read bucket).
    pub fn with_anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }

    /// The client's transport and retry options (timeouts, retries, proxies).
    pub fn with_client_options(mut self, options: ClientOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Uses this client (its bucket, credentials and options); only the prefix of the
    /// builder still applies.
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The store. Fails when the bucket or region is missing or invalid, or the client
    /// cannot be built; credentials are fetched at the first request, not here.
    pub fn build(self) -> object_store::Result<CosObjectStore> {
        if let Some(client) = self.client {
            return Ok(CosObjectStore::new(client, &self.prefix));
        }
        let config = match self.config {
            Some(config) => config,
            None => {
                let bucket = self
                    .bucket
                    .ok_or_else(|| errors::generic("no bucket: set it, or give a cos:// URL"))?;
                let region = self
                    .region
                    .ok_or_else(|| errors::generic("no region: set it (ap-guangzhou, ...)"))?;
                let mut builder = Config::builder(region, bucket);
                if let Some(endpoint) = self.endpoint {
                    builder = builder.endpoint(endpoint);
                }
                if let Some(authority) = self.path_style {
                    builder = builder.path_style(authority);
                }
                builder
                    .build()
                    .map_err(|err| errors::generic(err.to_string()))?
            }
        };
        let mut builder = Client::builder(config);
        if let Some(credentials) = self.credentials {
            builder = builder.credentials(credentials);
        } else if self.anonymous {
            builder = builder.anonymous();
        }
        if let Some(options) = self.options {
            builder = builder.options(options);
        }
        let client = builder
            .build()
            .map_err(|err| errors::generic(err.to_string()))?;
        Ok(CosObjectStore::new(client, &self.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::path::Path;

    #[test]
    fn urls_name_the_bucket_and_prefix() {
        let store = CosObjectStoreBuilder::new()
            .with_url("cos://examplebucket-1250000000/data/2024%20q1/")
            .expect("url")
            .with_region("ap-guangzhou")
            .with_anonymous()
            .build()
            .expect("store");
        assert_eq!(store.client().config().bucket(), "examplebucket-1250000000");
        assert_eq!(store.key(&Path::from("a")), "data/2024 q1/a");
        assert_eq!(
            store.to_string(),
            "CosObjectStore(examplebucket-1250000000/data/2024 q1/)"
        );

        let bare = CosObjectStoreBuilder::new()
            .with_url("cosn://examplebucket-1250000000")
            .expect("url")
            .with_region("ap-guangzhou")
            .with_anonymous()
            .build()
            .expect("store");
        assert_eq!(bare.key(&Path::from("a/b")), "a/b");

        for bad in ["s3://bucket/a", "cos:///a", "not a url"] {
            assert!(CosObjectStoreBuilder::new().with_url(bad).is_err(), "{bad}");
        }
        let with_options = CosObjectStoreBuilder::new()
            .with_url(
                "cos://examplebucket-1250000000/p?region=ap-beijing&path_style_endpoint=127.0.0.1:9000",
            )
            .expect("url")
            .with_anonymous()
            .build()
            .expect("store");
        assert_eq!(with_options.client().config().region(), "ap-beijing");
        assert_eq!(
            with_options.client().config().host(),
            "127.0.0.1:9000",
            "the path-style endpoint from the query"
        );
        let unknown = CosObjectStoreBuilder::new()
            .with_url("cos://examplebucket-1250000000/p?regoin=ap-beijing")
            .expect_err("a misspelt option");
        assert!(unknown.to_string().contains("regoin"), "{unknown}");

        let missing = CosObjectStoreBuilder::new()
            .with_bucket("examplebucket-1250000000")
            .build();
        assert!(missing.is_err());
        let invalid = CosObjectStoreBuilder::new()
            .with_bucket("Bad_Bucket")
            .with_region("ap-guangzhou")
            .build();
        assert!(invalid.is_err());
    }
}
