//! Where requests go: region, bucket, scheme and the addressing mode.
//!
//! ```
//! use cos_proto::{Config, Scheme};
//! let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
//! assert_eq!(cfg.host(), "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com");
//! assert_eq!(cfg.scheme(), Scheme::Https);
//!
//! // A local server (the emulator): path-style addressing, plain HTTP.
//! let local = Config::builder("ap-guangzhou", "examplebucket-1250000000")
//!     .path_style("127.0.0.1:9000")
//!     .build()
//!     .unwrap();
//! assert_eq!(local.host(), "127.0.0.1:9000");
//! assert_eq!(local.scheme(), Scheme::Http);
//! ```

use crate::error::InputError;

/// URL scheme. HTTPS is the default and the only safe choice over a public network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// `https://`
    #[default]
    Https,
    /// `http://` (local servers, tests, or a trusted network).
    Http,
}

impl Scheme {
    /// `"https"` or `"http"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// The domain family of the public COS endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CosDomain {
    /// `*.myqcloud.com`, the default.
    #[default]
    MyQcloud,
    /// `*.tencentcos.cn`, the newer (and backup) domain.
    TencentCos,
}

impl CosDomain {
    fn suffix(self) -> &'static str {
        match self {
            CosDomain::MyQcloud => "myqcloud.com",
            CosDomain::TencentCos => "tencentcos.cn",
        }
    }
}

/// How the bucket and the key map onto the URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Addressing {
    /// `<bucket>.cos.<region>.<domain>/<key>` (or `cos-internal.` / `cos.accelerate.`).
    VirtualHost,
    /// `<bucket>.<endpoint>/<key>` with a caller-given endpoint.
    Endpoint(String),
    /// `<domain>/<key>`: a custom or CDN domain bound to the bucket.
    CustomDomain(String),
    /// `<authority>/<bucket>/<key>`: path-style, for local servers such as the emulator.
    PathStyle(String),
    /// `<authority>/<key>` with `Host: <bucket>.cos.<region>.<domain>`: connect to an IP.
    Ip(String),
}

/// A validated, immutable description of one bucket's endpoint. Build it with
/// [`Config::builder`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Config {
    region: String,
    bucket: String,
    scheme: Scheme,
    domain: CosDomain,
    internal: bool,
    accelerate: bool,
    addressing: Addressing,
    sign_host: bool,
    sign_params: bool,
    allow_insecure_http: bool,
}

/// Builder for [`Config`]; every value is checked by [`ConfigBuilder::build`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ConfigBuilder {
    region: String,
    bucket: String,
    appid: Option<String>,
    scheme: Option<Scheme>,
    domain: CosDomain,
    internal: bool,
    accelerate: bool,
    addressing: Addressing,
    sign_host: bool,
    sign_params: bool,
    allow_insecure_http: bool,
}

impl Config {
    /// Starts a configuration for `bucket` (`bucketname-appid`) in `region`
    /// (`ap-guangzhou`, or a legacy alias such as `cosgz`).
    pub fn builder(region: impl Into<String>, bucket: impl Into<String>) -> ConfigBuilder {
        ConfigBuilder {
            region: region.into(),
            bucket: bucket.into(),
            appid: None,
            scheme: None,
            domain: CosDomain::MyQcloud,
            internal: false,
            accelerate: false,
            addressing: Addressing::VirtualHost,
            sign_host: true,
            sign_params: true,
            allow_insecure_http: false,
        }
    }

    /// The region as given (after alias resolution), e.g. `ap-guangzhou`.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The bucket, `bucketname-appid`.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The URL scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether the `host` header is signed (default `true`; turning it off lets anyone
    /// replay a signature against another host).
    pub fn sign_host(&self) -> bool {
        self.sign_host
    }

    /// Whether query parameters are signed (default `true`).
    pub fn sign_params(&self) -> bool {
        self.sign_params
    }

    /// The virtual-host name `<bucket>.<endpoint>` of the bucket on COS, whatever the
    /// addressing mode. It names the bucket in `x-cos-copy-source` and is the `Host` of
    /// IP-mode requests.
    pub fn virtual_host(&self) -> String {
        format!("{}.{}", self.bucket, self.endpoint())
    }

    /// The COS endpoint without the bucket, e.g. `cos.ap-guangzhou.myqcloud.com`.
    pub fn endpoint(&self) -> String {
        match &self.addressing {
            Addressing::Endpoint(endpoint) => endpoint.clone(),
            _ => endpoint_for(&self.region, self.domain, self.internal, self.accelerate),
        }
    }

    /// The value of the `Host` header (and the signed `host`): includes the port when the
    /// address has one.
    pub fn host(&self) -> String {
        match &self.addressing {
            Addressing::VirtualHost | Addressing::Endpoint(_) | Addressing::Ip(_) => {
                self.virtual_host()
            }
            Addressing::CustomDomain(domain) => domain.clone(),
            Addressing::PathStyle(authority) => authority.clone(),
        }
    }

    /// Whether requests go to this machine: the host of the URL is `localhost` or a
    /// loopback address (`127.0.0.0/8`, `::1`).
    pub fn is_loopback(&self) -> bool {
        let authority = match self.url_authority() {
            Some(authority) => authority.to_owned(),
            None => self.host(),
        };
        is_loopback_authority(&authority)
    }

    /// Whether `credentials` may be sent to this endpoint: a session token never travels
    /// over plain `http` to a host other than this machine, unless the configuration
    /// says [`ConfigBuilder::allow_insecure_http`]. Checked before every signature.
    pub fn check_transport_for(&self, credentials: &crate::Credentials) -> Result<(), InputError> {
        if credentials.token().is_some()
            && self.scheme == Scheme::Http
            && !self.allow_insecure_http
            && !self.is_loopback()
        {
            return Err(InputError::InsecureTransport {
                host: self
                    .url_authority()
                    .map_or_else(|| self.host(), str::to_owned),
            });
        }
        Ok(())
    }

    /// The host of GET Service (ListBuckets), which names no bucket: the configuration's
    /// address for path-style addressing (a local server), else `service.cos.myqcloud.com`
    /// or, with [`CosDomain::TencentCos`] (or the internal endpoint),
    /// `service.cos.tencentcos.cn`. The configuration's bucket is not used.
    pub fn service_host(&self) -> String {
        match &self.addressing {
            Addressing::PathStyle(authority) => authority.clone(),
            _ => format!("service.cos.{}", self.domain.suffix()),
        }
    }

    /// The regional GET Service host `cos.<region>.<domain>` (the buckets of one region),
    /// or the configuration's address for path-style addressing.
    pub fn regional_service_host(&self) -> String {
        match &self.addressing {
            Addressing::PathStyle(authority) => authority.clone(),
            _ => endpoint_for(&self.region, self.domain, false, false),
        }
    }

    /// The `scheme://authority` requests are sent to.
    pub fn base_url(&self) -> String {
        let authority = match self.url_authority() {
            Some(authority) => authority.to_owned(),
            None => self.host(),
        };
        format!("{}://{}", self.scheme.as_str(), authority)
    }

    /// The authority of the URL when it is not the `Host` (path-style and IP addressing).
    pub(crate) fn url_authority(&self) -> Option<&str> {
        match &self.addressing {
            Addressing::PathStyle(authority) | Addressing::Ip(authority) => Some(authority),
            _ => None,
        }
    }

    /// The bucket's name when it prefixes the path (path-style addressing).
    pub(crate) fn path_bucket(&self) -> Option<&str> {
        match &self.addressing {
            Addressing::PathStyle(_) => Some(&self.bucket),
            _ => None,
        }
    }

    /// The path prefix before the encoded key: `/<bucket>` in path-style addressing,
    /// empty otherwise.
    pub fn path_prefix(&self) -> String {
        match &self.addressing {
            Addressing::PathStyle(_) => format!("/{}", self.bucket),
            _ => String::new(),
        }
    }

    /// The same bucket on the backup domain (`*.tencentcos.cn`), when this configuration
    /// uses the default `*.myqcloud.com` virtual host. Drivers may switch to it for the
    /// last retry of a request that got no answer from COS (no `x-cos-request-id`).
    pub fn backup(&self) -> Option<Config> {
        let switchable = self.addressing == Addressing::VirtualHost
            && self.domain == CosDomain::MyQcloud
            && !self.accelerate
            && !self.internal
            && self.endpoint().starts_with("cos.");
        switchable.then(|| Config {
            domain: CosDomain::TencentCos,
            ..self.clone()
        })
    }

    /// The COS endpoint of `region` in this configuration's domain family (default,
    /// `tencentcos.cn` or internal): where a copy source in another region lives.
    pub fn endpoint_in_region(&self, region: &str) -> Result<String, InputError> {
        let region = check_region(region)?;
        Ok(endpoint_for(&region, self.domain, self.internal, false))
    }

    /// This configuration for another bucket of the same account and endpoint (for
    /// example the source of a copy).
    pub fn with_bucket(&self, bucket: &str) -> Result<Config, InputError> {
        let bucket = check_bucket(bucket, None, self.requires_appid())?;
        Ok(Config {
            bucket,
            ..self.clone()
        })
    }

    /// This configuration for `bucket` in `region`, as a copy's source: virtual-host
    /// addressing moves to the source region (or to `endpoint` when one is given); a
    /// path-style, IP or endpoint configuration keeps its address (a local server holds
    /// every bucket).
    pub(crate) fn for_source(
        &self,
        bucket: &str,
        region: &str,
        endpoint: Option<&str>,
    ) -> Result<Config, InputError> {
        let mut config = self.with_bucket(bucket)?;
        if let Addressing::VirtualHost = self.addressing {
            if let Some(endpoint) = endpoint.filter(|e| !e.is_empty()) {
                check_endpoint(endpoint)?;
                config.addressing = Addressing::Endpoint(endpoint.to_owned());
            } else if !region.is_empty() {
                config.region = check_region(region)?;
            }
        }
        Ok(config)
    }

    fn requires_appid(&self) -> bool {
        matches!(
            self.addressing,
            Addressing::VirtualHost | Addressing::Endpoint(_) | Addressing::Ip(_)
        )
    }
}

impl ConfigBuilder {
    /// Appends `-<appid>` to the bucket name unless it already ends with it.
    pub fn appid(mut self, appid: impl Into<String>) -> Self {
        self.appid = Some(appid.into());
        self
    }

    /// Sets the scheme. Default: HTTPS, except for path-style and IP addressing of a
    /// loopback address (`localhost`, `127.0.0.0/8`, `::1`), such as a local emulator,
    /// which default to HTTP. Plain HTTP elsewhere must be asked for here.
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = Some(scheme);
        self
    }

    /// Lets credentials with a session token travel over plain HTTP to a host that is not
    /// this machine (default: refused with [`InputError::InsecureTransport`], since
    /// anyone on the path could take the token). Only for a network you trust entirely.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Uses the `*.tencentcos.cn` domain instead of `*.myqcloud.com`.
    pub fn domain(mut self, domain: CosDomain) -> Self {
        self.domain = domain;
        self
    }

    /// Uses the internal endpoint `cos-internal.<region>.tencentcos.cn` (reachable from
    /// Tencent Cloud machines in the same region).
    pub fn internal(mut self) -> Self {
        self.internal = true;
        self
    }

    /// Uses the global acceleration endpoint `cos.accelerate.myqcloud.com`.
    pub fn accelerate(mut self) -> Self {
        self.accelerate = true;
        self
    }

    /// Uses a custom endpoint: requests go to `<bucket>.<endpoint>`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.addressing = Addressing::Endpoint(endpoint.into());
        self
    }

    /// Uses a custom (for example CDN) domain bound to the bucket: requests go to
    /// `<domain>/<key>` and the bucket does not appear in the URL.
    pub fn custom_domain(mut self, domain: impl Into<String>) -> Self {
        self.addressing = Addressing::CustomDomain(domain.into());
        self
    }

    /// Path-style addressing for local servers (the emulator): requests go to
    /// `<scheme>://<authority>/<bucket>/<key>` with `Host: <authority>` (plain HTTP by
    /// default only for this machine's address).
    pub fn path_style(mut self, authority: impl Into<String>) -> Self {
        self.addressing = Addressing::PathStyle(authority.into());
        self
    }

    /// Connects to `authority` (`ip[:port]`) while sending and signing
    /// `Host: <bucket>.cos.<region>.<domain>`, as the official SDKs' IP mode does. Uses
    /// HTTPS unless the address is this machine's: for plain HTTP to another address, ask
    /// for it with [`ConfigBuilder::scheme`].
    pub fn ip(mut self, authority: impl Into<String>) -> Self {
        self.addressing = Addressing::Ip(authority.into());
        self
    }

    /// Signs the `host` header (default `true`).
    pub fn sign_host(mut self, sign: bool) -> Self {
        self.sign_host = sign;
        self
    }

    /// Signs query parameters (default `true`).
    pub fn sign_params(mut self, sign: bool) -> Self {
        self.sign_params = sign;
        self
    }

    /// Validates everything and returns the configuration.
    pub fn build(self) -> Result<Config, InputError> {
        let region = check_region(&self.region)?;
        let default_scheme = match &self.addressing {
            Addressing::PathStyle(authority) | Addressing::Ip(authority)
                if is_loopback_authority(authority) =>
            {
                Scheme::Http
            }
            _ => Scheme::Https,
        };
        match &self.addressing {
            Addressing::VirtualHost => {}
            Addressing::Endpoint(host) | Addressing::CustomDomain(host) => check_host(host, false)?,
            Addressing::PathStyle(authority) | Addressing::Ip(authority) => {
                check_host(authority, true)?
            }
        }
        let requires_appid = matches!(
            self.addressing,
            Addressing::VirtualHost | Addressing::Endpoint(_) | Addressing::Ip(_)
        );
        let bucket = check_bucket(&self.bucket, self.appid.as_deref(), requires_appid)?;
        Ok(Config {
            region,
            bucket,
            scheme: self.scheme.unwrap_or(default_scheme),
            domain: if self.internal {
                CosDomain::TencentCos
            } else {
                self.domain
            },
            internal: self.internal,
            accelerate: self.accelerate,
            addressing: self.addressing,
            sign_host: self.sign_host,
            sign_params: self.sign_params,
            allow_insecure_http: self.allow_insecure_http,
        })
    }
}

/// Whether `authority` (`host`, `host:port`, `[v6]:port`) names this machine.
fn is_loopback_authority(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(rest, |(ip, _)| ip),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<core::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Legacy region names that have no `cos.` prefix in their endpoint.
const LEGACY_REGIONS: [&str; 6] = [
    "cn-north",
    "cn-south",
    "cn-east",
    "cn-south-2",
    "cn-southwest",
    "sg",
];

/// The v4 aliases and the regions they stand for.
const REGION_ALIASES: [(&str, &str); 9] = [
    ("cossh", "ap-shanghai"),
    ("cosgz", "ap-guangzhou"),
    ("cosbj", "ap-beijing"),
    ("costj", "ap-beijing-1"),
    ("coscd", "ap-chengdu"),
    ("cossgp", "ap-singapore"),
    ("coshk", "ap-hongkong"),
    ("cosca", "na-toronto"),
    ("cosger", "eu-frankfurt"),
];

fn check_region(region: &str) -> Result<String, InputError> {
    let invalid = |reason| InputError::InvalidRegion {
        region: region.to_owned(),
        reason,
    };
    if region.is_empty() {
        return Err(invalid("is empty"));
    }
    let bytes = region.as_bytes();
    let edge_ok = |b: u8| b.is_ascii_alphanumeric();
    if region.len() < 2
        || !bytes.first().is_some_and(|&b| edge_ok(b))
        || !bytes.last().is_some_and(|&b| edge_ok(b))
        || !bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return Err(invalid("only letters, digits, '.' and '-' are allowed"));
    }
    let resolved = REGION_ALIASES
        .iter()
        .find(|(alias, _)| *alias == region)
        .map_or(region, |(_, name)| name);
    Ok(resolved.to_owned())
}

fn endpoint_for(region: &str, domain: CosDomain, internal: bool, accelerate: bool) -> String {
    if accelerate {
        return "cos.accelerate.myqcloud.com".to_owned();
    }
    let module = if region.contains("cos.") || LEGACY_REGIONS.contains(&region) {
        String::new()
    } else if internal {
        "cos-internal.".to_owned()
    } else {
        "cos.".to_owned()
    };
    format!("{module}{region}.{}", domain.suffix())
}

fn check_bucket(
    bucket: &str,
    appid: Option<&str>,
    requires_appid: bool,
) -> Result<String, InputError> {
    let invalid = |reason| InputError::InvalidBucket {
        bucket: bucket.to_owned(),
        reason,
    };
    if bucket.is_empty() {
        return Err(invalid("is empty"));
    }
    let mut name = bucket.to_owned();
    if let Some(appid) = appid {
        if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("the appid must be decimal digits"));
        }
        let suffix = format!("-{appid}");
        if !name.ends_with(&suffix) {
            name.push_str(&suffix);
        }
    }
    let bytes = name.as_bytes();
    if !bytes
        .iter()
        .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(invalid(
            "only lower-case letters, digits and '-' are allowed",
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err(invalid("must not start or end with '-'"));
    }
    if name.len() > 63 {
        return Err(invalid("is longer than 63 characters"));
    }
    if requires_appid {
        let has_appid = name.rsplit_once('-').is_some_and(|(head, appid)| {
            !head.is_empty() && !appid.is_empty() && appid.bytes().all(|b| b.is_ascii_digit())
        });
        if !has_appid {
            return Err(invalid("must be <bucketname>-<appid> (or set the appid)"));
        }
    }
    Ok(name)
}

/// Checks a custom endpoint (a host name, no scheme, path or port).
pub(crate) fn check_endpoint(endpoint: &str) -> Result<(), InputError> {
    check_host(endpoint, false)
}

/// Checks `host[:port]`: a DNS name or IPv4 address (or a bracketed IPv6 address when a
/// port is allowed) with an optional decimal port.
fn check_host(value: &str, port_allowed: bool) -> Result<(), InputError> {
    let invalid = |reason| InputError::InvalidEndpoint {
        endpoint: value.to_owned(),
        reason,
    };
    if value.is_empty() {
        return Err(invalid("is empty"));
    }
    if value.contains("://") || value.contains('/') {
        return Err(invalid(
            "give the host (and port) only, without scheme or path",
        ));
    }
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (ip, after) = rest
            .split_once(']')
            .ok_or_else(|| invalid("unclosed '['"))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| invalid("expected ':' after ']'"))?,
            ),
        };
        let ipv6_chars = ip
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        if ip.len() < 2 || !ip.contains(':') || !ipv6_chars {
            return Err(invalid("invalid IPv6 address"));
        }
        (None, port)
    } else {
        match value.rsplit_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(value), None),
        }
    };
    if let Some(port) = port {
        if !port_allowed {
            return Err(invalid("a port is not allowed here"));
        }
        if port.parse::<u16>().map_or(true, |p| p == 0) || !port.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid("invalid port"));
        }
    }
    if let Some(host) = host {
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        if host.len() > 253 || !host.split('.').all(label_ok) {
            return Err(invalid("not a valid host name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(builder: ConfigBuilder) -> String {
        builder.build().expect("valid").host()
    }

    const B: &str = "exb-1250000000";

    #[test]
    fn hosts_match_the_reference_worked_examples() {
        assert_eq!(
            host_of(Config::builder("ap-guangzhou", B)),
            "exb-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(
            host_of(Config::builder("ap-guangzhou", B).internal()),
            "exb-1250000000.cos-internal.ap-guangzhou.tencentcos.cn"
        );
        assert_eq!(
            host_of(Config::builder("ap-guangzhou", B).domain(CosDomain::TencentCos)),
            "exb-1250000000.cos.ap-guangzhou.tencentcos.cn"
        );
        assert_eq!(
            host_of(Config::builder("accelerate", B)),
            "exb-1250000000.cos.accelerate.myqcloud.com"
        );
        assert_eq!(
            host_of(Config::builder("ap-guangzhou", B).accelerate()),
            "exb-1250000000.cos.accelerate.myqcloud.com"
        );
        assert_eq!(
            host_of(Config::builder("ap-guangzhou", B).endpoint("cos.accelerate.myqcloud.com")),
            "exb-1250000000.cos.accelerate.myqcloud.com"
        );
        assert_eq!(
            host_of(Config::builder("cossh", B)),
            "exb-1250000000.cos.ap-shanghai.myqcloud.com"
        );
        assert_eq!(
            host_of(Config::builder("cn-north", B)),
            "exb-1250000000.cn-north.myqcloud.com"
        );
        assert_eq!(
            host_of(Config::builder("cos.ap-beijing", B)),
            "exb-1250000000.cos.ap-beijing.myqcloud.com"
        );
        assert_eq!(
            host_of(Config::builder("ap-guangzhou", B).custom_domain("static.example.com")),
            "static.example.com"
        );
    }

    #[test]
    fn ip_mode_sends_the_virtual_host() {
        let cfg = Config::builder("ap-guangzhou", B)
            .ip("10.0.0.1:8080")
            .build()
            .expect("valid");
        // Plain http to another machine only when asked for.
        assert_eq!(cfg.base_url(), "https://10.0.0.1:8080");
        let http = Config::builder("ap-guangzhou", B)
            .ip("10.0.0.1:8080")
            .scheme(Scheme::Http)
            .build()
            .expect("valid");
        assert_eq!(http.base_url(), "http://10.0.0.1:8080");
        assert_eq!(cfg.host(), "exb-1250000000.cos.ap-guangzhou.myqcloud.com");
        assert_eq!(cfg.path_prefix(), "");
    }

    #[test]
    fn path_style_puts_the_bucket_in_the_path() {
        let cfg = Config::builder("ap-guangzhou", "anything")
            .path_style("127.0.0.1:9000")
            .build()
            .expect("valid");
        assert_eq!(cfg.base_url(), "http://127.0.0.1:9000");
        assert_eq!(cfg.path_prefix(), "/anything");
        assert_eq!(cfg.scheme(), Scheme::Http);
    }

    #[test]
    fn appid_is_appended_once() {
        let cfg = Config::builder("ap-guangzhou", "examplebucket")
            .appid("1250000000")
            .build()
            .expect("valid");
        assert_eq!(cfg.bucket(), "examplebucket-1250000000");
        let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .appid("1250000000")
            .build()
            .expect("valid");
        assert_eq!(cfg.bucket(), "examplebucket-1250000000");
    }

    #[test]
    fn invalid_values_are_typed_errors() {
        let bad_region = |r: &str| {
            matches!(
                Config::builder(r, B).build(),
                Err(InputError::InvalidRegion { .. })
            )
        };
        assert!(bad_region(""));
        assert!(bad_region("a"));
        assert!(bad_region("ap_guangzhou"));
        assert!(bad_region("-ap"));
        assert!(bad_region("ap guangzhou"));
        let bad_bucket = |b: &str| {
            matches!(
                Config::builder("ap-guangzhou", b).build(),
                Err(InputError::InvalidBucket { .. })
            )
        };
        assert!(bad_bucket(""));
        assert!(bad_bucket("Upper-1250000000"));
        assert!(bad_bucket("under_score-1250000000"));
        assert!(bad_bucket("-x-1250000000"));
        assert!(bad_bucket("noappid"));
        assert!(bad_bucket(&format!("{}-1250000000", "a".repeat(60))));
        assert!(matches!(
            Config::builder("ap-guangzhou", "b").appid("12a").build(),
            Err(InputError::InvalidBucket { .. })
        ));
        let bad_endpoint =
            |b: ConfigBuilder| matches!(b.build(), Err(InputError::InvalidEndpoint { .. }));
        assert!(bad_endpoint(
            Config::builder("ap-guangzhou", B).endpoint("https://x.com")
        ));
        assert!(bad_endpoint(
            Config::builder("ap-guangzhou", B).endpoint("x.com:80")
        ));
        assert!(bad_endpoint(
            Config::builder("ap-guangzhou", B).path_style("127.0.0.1:0")
        ));
        assert!(bad_endpoint(
            Config::builder("ap-guangzhou", B).path_style("127.0.0.1:99999")
        ));
        assert!(bad_endpoint(
            Config::builder("ap-guangzhou", B).path_style("bad host")
        ));
        assert!(
            Config::builder("ap-guangzhou", B)
                .path_style("[::1]:9000")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn service_hosts() {
        let cfg = Config::builder("ap-guangzhou", B).build().expect("valid");
        assert_eq!(cfg.service_host(), "service.cos.myqcloud.com");
        assert_eq!(cfg.regional_service_host(), "cos.ap-guangzhou.myqcloud.com");
        let new_domain = Config::builder("ap-guangzhou", B)
            .domain(CosDomain::TencentCos)
            .build()
            .expect("valid");
        assert_eq!(new_domain.service_host(), "service.cos.tencentcos.cn");
        let local = Config::builder("ap-guangzhou", "b")
            .path_style("127.0.0.1:9000")
            .build()
            .expect("valid");
        assert_eq!(local.service_host(), "127.0.0.1:9000");
        assert_eq!(local.regional_service_host(), "127.0.0.1:9000");
    }

    #[test]
    fn backup_domain_only_for_default_hosts() {
        let cfg = Config::builder("ap-guangzhou", B).build().expect("valid");
        assert_eq!(
            cfg.backup().map(|c| c.host()),
            Some("exb-1250000000.cos.ap-guangzhou.tencentcos.cn".to_owned())
        );
        assert_eq!(
            Config::builder("ap-guangzhou", B)
                .accelerate()
                .build()
                .expect("valid")
                .backup(),
            None
        );
        assert_eq!(
            Config::builder("ap-guangzhou", B)
                .path_style("127.0.0.1:1")
                .build()
                .expect("valid")
                .backup(),
            None
        );
        assert_eq!(
            Config::builder("ap-guangzhou", B)
                .internal()
                .build()
                .expect("valid")
                .backup(),
            None
        );
    }
}
