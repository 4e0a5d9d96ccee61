//! The client, its builder, and one attempt over hyper: what the shared retry loop
//! (`cos_transfer::drive::execute`) asks of this client for every operation.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cos_proto::driver::call::{Overflow, Payload, ReadBody};
use cos_proto::driver::options::{ClientOptions, CredentialsChoice};
use cos_proto::provider::CredentialSource;
use cos_proto::retry::TransportFailure;
use cos_proto::{Body, Config, Credentials, Operation};
use cos_transfer::drive::{
    self, AttemptError, AttemptPlan, CallSettings, CredentialsProvider, Transport,
};
use http::HeaderValue;
use hyper::body::Incoming;
use hyper_util::client::proxy::matcher::Matcher;
use tokio::time::Instant;

use crate::body::{RequestBody, UploadBody};
use crate::credentials::{DynProvider, ProvideCredentials};
use crate::error::Error;
use crate::sources::{TokioIo, driven};
use crate::transport::{
    HttpClient, Progress, TransportOptions, build_http_client, classify, proxy_authorization,
    proxy_from_env, read_limited, watchdog,
};

/// An async COS client for one bucket. Cheap to clone (an `Arc` inside); clones share
/// the connection pool and the retry budget.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use cos_proto::{Config, ops::{PutObject, HeadObject}};
/// use cos_tokio::Client;
///
/// let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build()?;
/// let client = Client::builder(config).build()?; // keys from the default chain (environment, files, TKE, CVM role)
/// client.put_object(&PutObject::new("hello.txt", Some(5)), "hello").await?;
/// let info = client.head_object(&HeadObject::new("hello.txt")).await?;
/// assert_eq!(info.content_length, Some(5));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) settings: CallSettings,
    http: HttpClient,
    credentials: Option<Arc<dyn DynProvider>>,
    /// The credential sources, when the client drives them (the default chain).
    sourced: Option<CredentialsProvider>,
    pub(crate) stall_timeout: Duration,
    user_agent: HeaderValue,
    proxy: Option<Arc<Matcher>>,
    /// Recycled buffers for file uploads.
    file_chunks: cos_transfer::drive::ChunkPool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("settings", &inner.settings)
            .field("credentials", &inner.credentials)
            .field("stall_timeout", &inner.stall_timeout)
            .field("proxy", &inner.proxy.is_some())
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]; from [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    config: Config,
    credentials: CredentialsChoice<Arc<dyn DynProvider>, CredentialsProvider>,
    options: ClientOptions,
}

impl Client {
    /// Starts configuring a client for `config`'s bucket.
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder {
            config,
            credentials: CredentialsChoice::DefaultChain,
            options: ClientOptions::default(),
        }
    }

    /// The same client (connections, credentials, retry budget) for another endpoint.
    pub(crate) fn with_config(&self, config: Config) -> Client {
        let inner = &*self.inner;
        Client {
            inner: Arc::new(Inner {
                settings: inner.settings.with_config(config),
                http: inner.http.clone(),
                credentials: inner.credentials.clone(),
                sourced: inner.sourced.clone(),
                stall_timeout: inner.stall_timeout,
                user_agent: inner.user_agent.clone(),
                proxy: inner.proxy.clone(),
                file_chunks: inner.file_chunks.clone(),
            }),
        }
    }

    /// Which credential source supplied the keys of the last request, when the client
    /// drives the sources (the default chain, or [`ClientBuilder::credentials_provider`]);
    /// `None` before the first request and for keys given with
    /// [`ClientBuilder::credentials`].
    pub fn credential_source(&self) -> Option<CredentialSource> {
        self.inner
            .sourced
            .as_ref()
            .and_then(CredentialsProvider::source)
    }

    /// This client's connections, as KMS calls use them.
    #[cfg(feature = "crypto")]
    pub(crate) fn sources_io(&self) -> TokioIo {
        TokioIo {
            http: self.inner.http.clone(),
            user_agent: self.inner.user_agent.clone(),
        }
    }

    pub(crate) async fn current_credentials(&self) -> Result<Option<Credentials>, Error> {
        match &self.inner.credentials {
            None => Ok(None),
            Some(provider) => provider.credentials_boxed().await.map(Some),
        }
    }

    /// Drives `op` to completion through [`Call`], within the call's deadline. For
    /// streamed operations the body of the successful response is returned unread, with
    /// the instant the call started (the clock of its deadline and pace).
    pub(crate) async fn execute<O>(
        &self,
        op: &O,
        body: &mut UploadBody,
    ) -> Result<(O::Output, Option<StreamedBody>), Error>
    where
        O: Operation + Sync,
        O::Output: Send,
    {
        self.execute_since(op, body, Instant::now()).await
    }

    /// [`Client::execute`] for a call that started at `started` (a download's
    /// continuation): the call's deadline runs from then.
    pub(crate) async fn execute_since<O>(
        &self,
        op: &O,
        body: &mut UploadBody,
        started: Instant,
    ) -> Result<(O::Output, Option<StreamedBody>), Error>
    where
        O: Operation + Sync,
        O::Output: Send,
    {
        let payload = Payload::new(body.len(), body.is_replayable());
        let call = CallIo {
            client: self,
            started,
        };
        let (output, stream) = drive::execute(&call, op, body, payload).await?;
        Ok((output, stream.map(|s| (s, started))))
    }
}

/// The client's HTTP stack for one call, as [`drive::execute`] drives it.
struct CallIo<'c> {
    client: &'c Client,
    started: Instant,
}

impl Transport for CallIo<'_> {
    type Body = UploadBody;
    type Incoming = Incoming;

    fn settings(&self) -> &CallSettings {
        &self.client.inner.settings
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn credentials(&self) -> impl Future<Output = Result<Option<Credentials>, Error>> + Send {
        self.client.current_credentials()
    }

    async fn attempt(
        &self,
        request: http::Request<Body>,
        body: &mut UploadBody,
        plan: AttemptPlan,
    ) -> Result<(http::Response<Bytes>, Option<Incoming>), AttemptError> {
        let inner = &*self.client.inner;
        let (mut parts, proto_body) = request.into_parts();
        let progress = Progress::paced(plan.watch, self.started);
        let http_body = match proto_body {
            Body::Empty => RequestBody::empty(progress.clone()),
            Body::Bytes(bytes) => RequestBody::full(bytes, progress.clone()),
            Body::Payload { length } => body
                .attempt(length, progress.clone(), &inner.file_chunks)
                .map_err(AttemptError::Final)?,
        };
        let headers = &mut parts.headers;
        headers.insert(http::header::USER_AGENT, inner.user_agent.clone());
        if let Some(auth) = proxy_authorization(inner.proxy.as_deref(), &parts.uri) {
            headers.insert(http::header::PROXY_AUTHORIZATION, auth);
        }
        let request = http::Request::from_parts(parts, http_body);
        let work = async {
            let response = match inner.http.request(request).await {
                Ok(response) => response,
                Err(err) => {
                    if let Some(upload) = progress.take_upload_error() {
                        return Err(AttemptError::Final(Error::Source(upload)));
                    }
                    let kind = classify(&err, err.is_connect());
                    return Err(AttemptError::Transport(kind, Box::new(err)));
                }
            };
            let (parts, mut incoming) = response.into_parts();
            let (limit, overflow) = match (plan.read_body)(parts.status) {
                ReadBody::Stream => {
                    let head = http::Response::from_parts(parts, Bytes::new());
                    return Ok((head, Some(incoming)));
                }
                ReadBody::Document { limit, overflow } => (limit, overflow),
            };
            let (bytes, over) = read_limited(&mut incoming, limit)
                .await
                .map_err(|err| AttemptError::Transport(classify(&err, false), Box::new(err)))?;
            if over && overflow == Overflow::Refuse {
                return Err(AttemptError::Final(Error::DocumentTooLarge { limit }));
            }
            Ok((http::Response::from_parts(parts, bytes), None))
        };
        tokio::select! {
            result = work => result,
            reason = watchdog(&progress, inner.stall_timeout, plan.timeout) => Err(
                AttemptError::Transport(TransportFailure::Timeout, reason.into())
            ),
        }
    }

    fn sleep(&self, after: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(after)
    }
}

/// The unread body of a streamed operation's answer, with the instant its call started
/// (the clock of the call's deadline and of the body's pace).
pub(crate) type StreamedBody = (Incoming, Instant);

impl ClientBuilder {
    /// Signs with credentials from `provider` (default: the default chain of credential
    /// sources, [`CredentialsProvider::default_chain`]). A plain [`Credentials`] works too.
    pub fn credentials(mut self, provider: impl ProvideCredentials) -> Self {
        self.credentials = CredentialsChoice::Provider(Arc::new(provider));
        self
    }

    /// Signs with keys from a credential source (or chain of them) that the client drives
    /// over its own connections: the CVM role, TKE OIDC, STS `AssumeRole`, the files…
    /// Temporary keys are cached, fetched by one request at a time, and refreshed before
    /// they expire.
    ///
    /// ```no_run
    /// # fn demo(config: cos_proto::Config, base: cos_proto::Credentials) -> Result<(), cos_tokio::Error> {
    /// use cos_tokio::{Client, CredentialsProvider};
    /// let role = CredentialsProvider::assume_role(base, "qcs::cam::uin/1:roleName/uploader", "app");
    /// let client = Client::builder(config).credentials_provider(role).build()?;
    /// # Ok(()) }
    /// ```
    pub fn credentials_provider(mut self, provider: CredentialsProvider) -> Self {
        self.credentials = CredentialsChoice::Source(provider);
        self
    }

    /// Sends unsigned requests (public-read buckets).
    pub fn anonymous(mut self) -> Self {
        self.credentials = CredentialsChoice::Anonymous;
        self
    }

    cos_proto::client_option_setters!();

    /// Builds the client. Must be called within a Tokio runtime only when requests are
    /// sent; building itself needs none.
    pub fn build(self) -> Result<Client, Error> {
        let user_agent = HeaderValue::from_str(&self.options.user_agent).map_err(|_| {
            Error::Build(format!("invalid user agent {:?}", self.options.user_agent))
        })?;
        let proxy = if self.options.proxy_from_env {
            proxy_from_env()
        } else {
            None
        };
        let http = build_http_client(&TransportOptions {
            connect_timeout: self.options.connect_timeout,
            pool_max_idle_per_host: self.options.pool_max_idle_per_host,
            pool_idle_timeout: self.options.pool_idle_timeout,
            proxy: proxy.clone(),
        })?;
        let io = TokioIo {
            http: http.clone(),
            user_agent: user_agent.clone(),
        };
        let (credentials, sourced): (Option<Arc<dyn DynProvider>>, _) = match self
            .credentials
            .into_source(CredentialsProvider::default_chain)
        {
            Ok(source) => (Some(Arc::new(driven(source.clone(), io))), Some(source)),
            Err(provider) => (provider, None),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                settings: CallSettings::new(self.config, &self.options),
                http,
                credentials,
                sourced,
                stall_timeout: self.options.stall_timeout,
                user_agent,
                proxy,
                file_chunks: crate::body::file_chunks(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_rejects_a_bad_user_agent_and_debug_hides_credentials() {
        let config = Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .build()
            .expect("config");
        let err = Client::builder(config.clone())
            .user_agent("bad\nagent")
            .build()
            .expect_err("invalid");
        assert!(matches!(err, Error::Build(_)));
        let credentials = Credentials::new("AKIDX", "TOPSECRET").expect("valid");
        let client = Client::builder(config)
            .credentials(credentials)
            .build()
            .expect("client");
        let shown = format!("{client:?}");
        assert!(
            shown.contains("AKIDX") && !shown.contains("TOPSECRET"),
            "{shown}"
        );
        let other = client.with_bucket("other-1250000000").expect("bucket");
        assert_eq!(other.config().bucket(), "other-1250000000");
        assert!(client.with_bucket("Bad_Bucket").is_err());
    }
}
