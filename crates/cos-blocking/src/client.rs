//! The client, its builder, and one attempt over the ureq agent: what the shared retry
//! loop (`cos_transfer::drive::execute`) asks of this client for every operation.

use std::fmt;
use std::future::{Future, ready};
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cos_proto::driver::call::{Overflow, Payload, ReadBody};
use cos_proto::driver::options::{ClientOptions, CredentialsChoice};
use cos_proto::provider::CredentialSource;
use cos_proto::retry::TransportFailure;
use cos_proto::{Config, Credentials, Operation};
use cos_transfer::drive::{
    self, AttemptError, AttemptPlan, CallSettings, CredentialsProvider, Transport,
};

use crate::body::UploadBody;
use crate::credentials::ProvideCredentials;
use crate::error::{BoxError, Error};
use crate::sources::{BlockingIo, driven};
use crate::transport;

/// The receive buffer of each connection (ureq's default is 128 KiB). Bodies are copied
/// out of it, so its size sets how many reads a download takes: at 512 KiB a 1 GiB
/// download needs a quarter of the `recv` calls, for 384 KiB more per pooled connection.
const INPUT_BUFFER: usize = 512 * 1024;

/// A blocking COS client: cheap to clone (an `Arc` inside), safe to share between threads.
///
/// ```no_run
/// use cos_blocking::Client;
/// use cos_proto::{Config, ops::HeadObject};
/// let config = Config::builder("ap-guangzhou", "examplebucket-1250000000").build()?;
/// let client = Client::builder(config).build()?; // keys from the default chain (environment, files, TKE, CVM role)
/// let info = client.head_object(&HeadObject::new("docs/a.txt"))?;
/// println!("{:?} bytes", info.content_length);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) settings: CallSettings,
    pub(crate) agent: ureq::Agent,
    pub(crate) credentials: Option<Arc<dyn ProvideCredentials>>,
    /// The credential sources, when the client drives them (the default chain).
    pub(crate) sourced: Option<CredentialsProvider>,
}

/// The unread body of a streamed operation's answer, with the instant its call started
/// (the clock of the call's deadline and of the body's pace).
pub(crate) type StreamedBody = (ureq::Body, Instant);

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.inner.settings)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    config: Config,
    credentials: CredentialsChoice<Arc<dyn ProvideCredentials>, CredentialsProvider>,
    options: ClientOptions,
}

impl Client {
    /// Starts building a client for `config` (endpoint and bucket).
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder {
            config,
            credentials: CredentialsChoice::DefaultChain,
            options: ClientOptions::default(),
        }
    }

    /// The same client (connections, credentials, retry budget) for another endpoint.
    pub(crate) fn with_config(&self, config: Config) -> Client {
        Client {
            inner: Arc::new(Inner {
                settings: self.inner.settings.with_config(config),
                agent: self.inner.agent.clone(),
                credentials: self.inner.credentials.clone(),
                sourced: self.inner.sourced.clone(),
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

    /// The credentials for the next attempt (`None` when anonymous).
    pub(crate) fn current_credentials(&self) -> Result<Option<Credentials>, Error> {
        self.inner
            .credentials
            .as_ref()
            .map(|provider| provider.credentials())
            .transpose()
    }

    /// Drives one operation through [`Call`]: every attempt re-signed, retried as the
    /// core decides, sleeping the backoff it gives, within the call's deadline. For a
    /// streamed operation's success the response body is returned unread, with the
    /// instant the call started (the clock of its deadline and pace).
    pub(crate) fn execute<O: Operation>(
        &self,
        op: &O,
        body: &mut UploadBody,
    ) -> Result<(O::Output, Option<StreamedBody>), Error> {
        self.execute_since(op, body, Instant::now())
    }

    /// [`Client::execute`] for a call that started at `started` (a download's
    /// continuation): the call's deadline runs from then.
    pub(crate) fn execute_since<O: Operation>(
        &self,
        op: &O,
        body: &mut UploadBody,
        started: Instant,
    ) -> Result<(O::Output, Option<StreamedBody>), Error> {
        let payload = Payload::new(body.len(), body.is_replayable());
        let call = CallIo {
            client: self,
            started,
        };
        let (output, stream) = pollster::block_on(drive::execute(&call, op, body, payload))?;
        Ok((output, stream.map(|s| (s, started))))
    }
}

/// The client's HTTP stack for one call, as [`drive::execute`] drives it: every method
/// blocks, and its future is ready when it returns.
struct CallIo<'c> {
    client: &'c Client,
    started: Instant,
}

impl Transport for CallIo<'_> {
    type Body = UploadBody;
    type Incoming = ureq::Body;

    fn settings(&self) -> &CallSettings {
        &self.client.inner.settings
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn credentials(&self) -> impl Future<Output = Result<Option<Credentials>, Error>> + Send {
        ready(self.client.current_credentials())
    }

    fn attempt(
        &self,
        request: http::Request<cos_proto::Body>,
        body: &mut UploadBody,
        plan: AttemptPlan,
    ) -> impl Future<Output = Result<(http::Response<Bytes>, Option<ureq::Body>), AttemptError>> + Send
    {
        let limits = transport::Limits {
            long: plan.long,
            response: plan.timeout,
            left: plan.left,
            streamed: plan.streamed,
            upload: plan.watch,
            started: self.started,
        };
        let answer = match transport::send(&self.client.inner, request, body, &limits) {
            Err(err) => Err(AttemptError::Final(err)),
            Ok(Err(failure)) => Err(AttemptError::Transport(failure.kind, failure.source)),
            Ok(Ok(response)) => {
                let (parts, answer) = response.into_parts();
                match (plan.read_body)(parts.status) {
                    ReadBody::Stream => Ok((
                        http::Response::from_parts(parts, Bytes::new()),
                        Some(answer),
                    )),
                    ReadBody::Document { limit, overflow } => {
                        match read_document(answer, limit, overflow) {
                            Ok(bytes) => Ok((http::Response::from_parts(parts, bytes), None)),
                            Err(ReadFailure::TooLarge) => {
                                Err(AttemptError::Final(Error::DocumentTooLarge { limit }))
                            }
                            Err(ReadFailure::Transport(failure)) => {
                                Err(AttemptError::Transport(failure.kind, failure.source))
                            }
                        }
                    }
                }
            }
        };
        ready(answer)
    }

    fn sleep(&self, after: Duration) -> impl Future<Output = ()> + Send {
        std::thread::sleep(after);
        ready(())
    }
}

impl ClientBuilder {
    /// Signs with keys from `provider` (default: the default chain of credential
    /// sources, [`CredentialsProvider::default_chain`]).
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = CredentialsChoice::Provider(Arc::new(provider));
        self
    }

    /// Signs with keys from a credential source (or chain of them) that the client drives
    /// over its own connections: the CVM role, TKE OIDC, STS `AssumeRole`, the files…
    /// Temporary keys are cached, fetched by one request at a time, and refreshed before
    /// they expire.
    ///
    /// ```no_run
    /// # fn demo(config: cos_proto::Config, base: cos_proto::Credentials) -> Result<(), cos_blocking::Error> {
    /// use cos_blocking::{Client, CredentialsProvider};
    /// let role = CredentialsProvider::assume_role(base, "qcs::cam::uin/1:roleName/uploader", "app");
    /// let client = Client::builder(config).credentials_provider(role).build()?;
    /// # Ok(()) }
    /// ```
    pub fn credentials_provider(mut self, provider: CredentialsProvider) -> Self {
        self.credentials = CredentialsChoice::Source(provider);
        self
    }

    /// Sends unsigned requests (public-read objects).
    pub fn anonymous(mut self) -> Self {
        self.credentials = CredentialsChoice::Anonymous;
        self
    }

    cos_proto::client_option_setters!();

    /// Builds the client. Fails on a user agent that cannot travel in a header.
    pub fn build(self) -> Result<Client, Error> {
        if http::HeaderValue::from_str(&self.options.user_agent).is_err() {
            return Err(Error::Build(
                "the user agent contains characters a header cannot carry".to_owned(),
            ));
        }
        let proxy = if self.options.proxy_from_env {
            ureq::Proxy::try_from_env()
        } else {
            None
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(self.options.connect_timeout))
            .timeout_send_request(Some(self.options.request_timeout))
            .timeout_recv_response(Some(self.options.request_timeout))
            .timeout_per_read(Some(self.options.stall_timeout))
            .timeout_per_write(Some(self.options.stall_timeout))
            .max_idle_connections(self.options.pool_max_idle_per_host.saturating_mul(4))
            .max_idle_connections_per_host(self.options.pool_max_idle_per_host)
            .max_idle_age(self.options.pool_idle_timeout)
            .proxy(proxy)
            .user_agent(self.options.user_agent.as_str())
            .input_buffer_size(INPUT_BUFFER)
            .build()
            .into();
        let io = BlockingIo {
            agent: agent.clone(),
        };
        let (credentials, sourced): (Option<Arc<dyn ProvideCredentials>>, _) = match self
            .credentials
            .into_source(CredentialsProvider::default_chain)
        {
            Ok(source) => (Some(Arc::new(driven(source.clone(), io))), Some(source)),
            Err(provider) => (provider, None),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                settings: CallSettings::new(self.config, &self.options),
                agent,
                credentials,
                sourced,
            }),
        })
    }
}

/// An attempt that produced no usable response.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) kind: TransportFailure,
    pub(crate) source: BoxError,
}

enum ReadFailure {
    TooLarge,
    Transport(Failure),
}

/// Reads a document or error body, at most `limit` bytes; with more, `overflow` says
/// whether to cut it there or refuse it.
fn read_document(body: ureq::Body, limit: usize, overflow: Overflow) -> Result<Bytes, ReadFailure> {
    let mut buffer = Vec::new();
    let reader = body.into_reader();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut buffer)
        .map_err(|err| {
            ReadFailure::Transport(Failure {
                kind: transport::classify_io(&err),
                source: Box::new(err),
            })
        })?;
    if buffer.len() > limit {
        if overflow == Overflow::Refuse {
            return Err(ReadFailure::TooLarge);
        }
        buffer.truncate(limit);
    }
    Ok(Bytes::from(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_rejects_bad_user_agents() {
        let config = Config::builder("ap-guangzhou", "bkt-1250000000")
            .build()
            .expect("config");
        assert!(matches!(
            Client::builder(config).user_agent("a\nb").build(),
            Err(Error::Build(_))
        ));
    }
}
