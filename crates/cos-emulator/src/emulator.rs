//! The public handle: [`EmulatorConfig`] (a builder) and [`Emulator`] (a running
//! server, stopped on drop).

use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cos_proto::Credentials;

use crate::cloud_api::CloudSettings;
use crate::context::{App, Settings};
use crate::faults::Faults;
use crate::handlers::lifecycle::LifecycleRun;
use crate::store::Store;
use crate::store::types::Versioning;

/// The SecretId accepted when no credentials are configured.
pub const DEFAULT_SECRET_ID: &str = "AKIDCOSEMULATOR00000000000000000000";
/// The SecretKey accepted when no credentials are configured.
pub const DEFAULT_SECRET_KEY: &str = "cosemulatorsecretkey000000000000";
/// How long a restore takes unless [`EmulatorConfig::restore_delay`] says otherwise:
/// a minute, the order of COS's fastest (`Expedited`) tier, so that a HEAD right after
/// a restore sees it in progress even on a slow machine.
pub const DEFAULT_RESTORE_DELAY: Duration = Duration::from_secs(60);

/// The emulator's clock: Unix seconds.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Why the emulator could not start or reset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// Binding the port, creating the runtime or opening the data directory failed.
    #[error("cos-emulator I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The configuration is inconsistent.
    #[error("invalid cos-emulator configuration: {0}")]
    InvalidConfig(String),
    /// The store refused an operation.
    #[error("cos-emulator store error: {0}")]
    Store(String),
}

/// How to start an [`Emulator`].
///
/// ```
/// use cos_emulator::{Emulator, EmulatorConfig};
/// let emulator = Emulator::start(
///     EmulatorConfig::new().bucket("examplebucket-1250000000", true).fixed_time(1_700_000_000),
/// )?;
/// assert!(emulator.endpoint().starts_with("http://127.0.0.1:"));
/// # Ok::<(), cos_emulator::EmulatorError>(())
/// ```
#[derive(Clone)]
pub struct EmulatorConfig {
    credentials: Vec<Credentials>,
    anonymous: bool,
    data_dir: Option<PathBuf>,
    port: u16,
    buckets: Vec<(String, bool)>,
    auto_create_buckets: bool,
    fault_seed: u64,
    clock: Option<Clock>,
    min_part_size: u64,
    max_object_size: u64,
    restore_delay: Duration,
    region: String,
    worker_threads: usize,
    cloud: CloudSettings,
    bench_no_hash: bool,
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("credentials", &self.credentials)
            .field("anonymous", &self.anonymous)
            .field("data_dir", &self.data_dir)
            .field("port", &self.port)
            .field("buckets", &self.buckets)
            .field("auto_create_buckets", &self.auto_create_buckets)
            .field("fault_seed", &self.fault_seed)
            .field("clock", &self.clock.as_ref().map(|_| "<custom>"))
            .field("min_part_size", &self.min_part_size)
            .field("max_object_size", &self.max_object_size)
            .field("restore_delay", &self.restore_delay)
            .field("region", &self.region)
            .field("cvm_role", &self.cloud.cvm_role)
            .field("sts_max_duration", &self.cloud.sts_max_duration)
            .field(
                "web_identity_token",
                &self.cloud.web_identity_token.as_ref().map(|_| "<redacted>"),
            )
            .field("kms_keys", &self.cloud.kms_keys)
            .field("bench_no_hash", &self.bench_no_hash)
            .finish()
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl EmulatorConfig {
    /// In memory, an ephemeral port, the default credentials
    /// ([`DEFAULT_SECRET_ID`]/[`DEFAULT_SECRET_KEY`]), signatures required, buckets
    /// created on first use, fault seed 0, the system clock, 1 MiB minimum part size,
    /// 5 GiB maximum single upload, restores taking one second, region `ap-guangzhou`.
    pub fn new() -> Self {
        Self {
            credentials: Vec::new(),
            anonymous: false,
            data_dir: None,
            port: 0,
            buckets: Vec::new(),
            auto_create_buckets: true,
            fault_seed: 0,
            clock: None,
            min_part_size: 1024 * 1024,
            max_object_size: 5 * 1024 * 1024 * 1024,
            restore_delay: DEFAULT_RESTORE_DELAY,
            region: "ap-guangzhou".to_owned(),
            worker_threads: 2,
            cloud: CloudSettings::default(),
            bench_no_hash: false,
        }
    }

    /// **For benchmarks only.** Stores request bodies without computing their MD5, so
    /// that a client under test, not the emulator's hashing, is what limits a transfer
    /// on a small machine (MD5 costs the emulator about 2 CPU seconds per GiB).
    ///
    /// ETags then come from the body's CRC-64 and length instead of its MD5, so they are
    /// not what COS would return. A `Content-MD5` header is still checked (its body is
    /// hashed), and the CRC-64 (`x-cos-hash-crc64ecma`) is still computed, so clients
    /// verify against the real value. [`Emulator::start`] refuses it together with
    /// [`data_dir`](Self::data_dir): a persisted store must never hold such ETags.
    pub fn bench_no_hash(mut self, on: bool) -> Self {
        self.bench_no_hash = on;
        self
    }

    /// Accepts these credentials (call again for more). The first call replaces the
    /// defaults. With a token, requests must carry it in `x-cos-security-token`.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials.push(credentials);
        self
    }

    /// Accepts unsigned requests (an empty or absent `Authorization`). Signed requests are
    /// still verified. Without this, anonymous requests may only read objects whose ACL
    /// is public.
    pub fn anonymous(mut self, allow: bool) -> Self {
        self.anonymous = allow;
        self
    }

    /// Persists objects and metadata under `dir` (created if needed).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Listens on `127.0.0.1:port` (0, the default, picks a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Creates a bucket at start (and after [`Emulator::reset`]), versioned or not.
    pub fn bucket(mut self, name: impl Into<String>, versioning: bool) -> Self {
        self.buckets.push((name.into(), versioning));
        self
    }

    /// Whether unknown buckets are created on first use (default `true`); when off they
    /// are `404 NoSuchBucket` until created with PUT Bucket.
    pub fn auto_create_buckets(mut self, create: bool) -> Self {
        self.auto_create_buckets = create;
        self
    }

    /// Seeds the fault plan's random generator.
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = seed;
        self
    }

    /// Reads time from `clock` (Unix seconds) instead of the system clock.
    pub fn clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Freezes the clock at `unix_secs` (move it with [`Emulator::set_clock_offset`]).
    pub fn fixed_time(self, unix_secs: u64) -> Self {
        self.clock(move || unix_secs)
    }

    /// The smallest size of every part but the last that Complete accepts (default
    /// 1 MiB, as COS).
    pub fn min_part_size(mut self, bytes: u64) -> Self {
        self.min_part_size = bytes;
        self
    }

    /// The largest single PUT, part or appended object (default 5 GiB).
    pub fn max_object_size(mut self, bytes: u64) -> Self {
        self.max_object_size = bytes;
        self
    }

    /// How long (on the emulator clock) a restore takes before the object is readable
    /// (default [`DEFAULT_RESTORE_DELAY`], a minute). The clock counts whole seconds,
    /// so a delay of one second can end a few milliseconds after the restore was asked
    /// for; move the clock with [`Emulator::set_clock_offset`] to finish a restore.
    pub fn restore_delay(mut self, delay: Duration) -> Self {
        self.restore_delay = delay;
        self
    }

    /// The region HEAD Bucket and GET Service report.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Serves a CVM role on the metadata endpoint
    /// (`GET /latest/meta-data/cam/security-credentials/` answers `name`, and
    /// `…/security-credentials/<name>` issues temporary keys). Without a role both are
    /// `404`, as on an instance without one.
    pub fn cvm_role(mut self, name: impl Into<String>) -> Self {
        self.cloud.cvm_role = Some(name.into()).filter(|n| !n.is_empty());
        self
    }

    /// Caps the lifetime of the temporary keys STS and the metadata endpoint issue
    /// (default 12 hours, STS's own maximum; whole seconds, at least one). A test that
    /// wants keys to expire soon sets a short cap, or moves the clock with
    /// [`Emulator::set_clock_offset`].
    pub fn sts_max_duration(mut self, max: Duration) -> Self {
        self.cloud.sts_max_duration = max.as_secs().max(1);
        self
    }

    /// Makes `AssumeRoleWithWebIdentity` accept only this `WebIdentityToken` (others are
    /// `InvalidParameter.WebIdentityTokenError`); by default any non-empty token passes.
    pub fn web_identity_token(mut self, token: impl Into<String>) -> Self {
        self.cloud.web_identity_token = Some(token.into());
        self
    }

    /// Declares a KMS master key (call again for more). Once one is declared, only the
    /// declared keys exist (others are `ResourceUnavailable.CmkNotFound`); by default
    /// every `KeyId` exists.
    pub fn kms_key(mut self, key_id: impl Into<String>) -> Self {
        self.cloud.kms_keys.push(key_id.into());
        self
    }

    /// Server worker threads (default 2).
    pub fn worker_threads(mut self, threads: usize) -> Self {
        self.worker_threads = threads.max(1);
        self
    }
}

fn system_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A running emulator. Dropping it stops the server (in-flight requests get up to two
/// seconds) and joins its thread.
///
/// The server runs on its own Tokio runtime in its own thread, so synchronous tests and
/// tests on any async runtime can use it alike.
pub struct Emulator {
    addr: SocketAddr,
    app: Arc<App>,
    credentials: Credentials,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Binds `127.0.0.1:<port>`, loads the data directory (if any), creates the
    /// configured buckets and starts serving.
    pub fn start(config: EmulatorConfig) -> Result<Self, EmulatorError> {
        let credentials = if config.credentials.is_empty() {
            vec![
                Credentials::new(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY)
                    .map_err(|e| EmulatorError::InvalidConfig(e.to_string()))?,
            ]
        } else {
            config.credentials.clone()
        };
        let first = credentials
            .first()
            .cloned()
            .ok_or_else(|| EmulatorError::InvalidConfig("no credentials".into()))?;
        let mut buckets = Vec::new();
        for (name, versioned) in &config.buckets {
            crate::router::check_bucket_name(name).map_err(|_| {
                EmulatorError::InvalidConfig(format!("invalid bucket name {name:?}"))
            })?;
            let versioning = if *versioned {
                Versioning::Enabled
            } else {
                Versioning::Unversioned
            };
            buckets.push((name.clone(), versioning));
        }
        let clock: Clock = config
            .clock
            .clone()
            .unwrap_or_else(|| Arc::new(system_clock));
        if config.bench_no_hash && config.data_dir.is_some() {
            return Err(EmulatorError::InvalidConfig(
                "bench_no_hash is for in-memory benchmarks and cannot be used with a data \
                 directory"
                    .into(),
            ));
        }
        let mut store = Store::open(config.data_dir.as_deref())?;
        if config.bench_no_hash {
            store = store.with_cheap_etags();
        }
        let now = clock();
        for (name, versioning) in &buckets {
            let created = store
                .create_bucket(name, *versioning, now)
                .map_err(|e| EmulatorError::Store(e.message.into_owned()))?;
            if !created && *versioning == Versioning::Enabled {
                store
                    .set_versioning(name, *versioning)
                    .map_err(|e| EmulatorError::Store(e.message.into_owned()))?;
            }
        }
        let settings = Settings {
            credentials,
            anonymous: config.anonymous,
            auto_create_buckets: config.auto_create_buckets,
            min_part_size: config.min_part_size,
            max_object_size: config.max_object_size,
            restore_seconds: config.restore_delay.as_secs(),
            buckets,
            region: config.region.clone(),
            uin: "100000000001".to_owned(),
            fault_seed: config.fault_seed,
        };
        let app = Arc::new(App::new(
            settings,
            config.cloud.clone(),
            store,
            Faults::new(config.fault_seed),
            clock,
        ));

        let listener = StdListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.worker_threads)
            .thread_name("cos-emulator-worker")
            .enable_all()
            .build()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let server_app = Arc::clone(&app);
        let thread = std::thread::Builder::new()
            .name("cos-emulator".to_owned())
            .spawn(move || {
                runtime.block_on(crate::server::serve(listener, server_app));
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(Self {
            addr,
            app,
            credentials: first,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT` (the `Host` of path-style requests).
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first accepted credentials (the defaults unless configured).
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Body bytes received and sent so far (what clients transferred, seen from here).
    pub fn traffic(&self) -> &crate::body::Traffic {
        &self.app.traffic
    }

    /// The fault plan.
    pub fn faults(&self) -> Faults {
        self.app.faults.clone()
    }

    /// The emulator's current time (Unix seconds).
    pub fn now(&self) -> u64 {
        self.app.now()
    }

    /// Shifts the emulator's clock by `secs` from its source (signature windows, restore
    /// completion, `Last-Modified`), then applies the buckets' lifecycle rules at the new
    /// time (see [`Emulator::apply_lifecycle`]).
    pub fn set_clock_offset(&self, secs: i64) {
        self.app.set_clock_offset(secs);
    }

    /// Applies every bucket's stored lifecycle rules at the emulator's current time:
    /// `Expiration` (`Days` since `Last-Modified`, or a `Date`) expires matching current
    /// objects (a delete marker in versioned buckets), `AbortIncompleteMultipartUpload`
    /// aborts old uploads. Moving the clock does this too; call it after storing rules
    /// when the clock is already where the test wants it.
    pub fn apply_lifecycle(&self) -> LifecycleRun {
        crate::handlers::lifecycle::apply(&self.app)
    }

    /// How many Cloud API calls of `action` (`"AssumeRole"`, `"Decrypt"`, …) the emulator
    /// received, whether they succeeded or not, since the start or the last
    /// [`Emulator::reset`].
    pub fn cloud_api_calls(&self, action: &str) -> u64 {
        self.app.cloud.calls(action)
    }

    /// How many requests the metadata endpoint (`/latest/…`) received since the start or
    /// the last [`Emulator::reset`].
    pub fn metadata_requests(&self) -> u64 {
        self.app.cloud.metadata_requests()
    }

    /// Makes every temporary key issued so far expire now (COS then answers
    /// `400 ExpiredToken`, the Cloud API `AuthFailure.TokenFailure`); returns how many
    /// were still valid.
    pub fn expire_temporary_keys(&self) -> usize {
        self.app.cloud.keys.expire_all(self.app.now())
    }

    /// Deletes every object, upload and bucket, recreates the configured buckets,
    /// clears the fault plan (its generator restarts from the configured seed), and
    /// forgets the temporary keys issued and the Cloud API and metadata counters.
    pub fn reset(&self) -> Result<(), EmulatorError> {
        self.app
            .reset()
            .map_err(|e| EmulatorError::Store(e.message.into_owned()))
    }

    /// Stops the server and waits for its thread (same as dropping the handle).
    pub fn shutdown(mut self) {
        self.stop();
    }

    /// Blocks until the server stops (through the admin endpoint
    /// `POST /-/emulator/shutdown`). The binary uses this.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    fn stop(&mut self) {
        self.app.request_shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}
