//! The credential sources ([`CredentialsProvider`]: the default chain, CVM role, TKE
//! OIDC, STS) over this client's HTTP stack: what `cos_transfer::drive` asks of a client
//! to run them, and the provider that caches and refreshes what they fetch.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cos_transfer::drive::{CredentialsIo, CredentialsProvider};
use http::HeaderValue;

use crate::body::RequestBody;
use crate::credentials::RefreshingCredentials;
use crate::error::{BoxError, Error};
use crate::transport::{HttpClient, Progress, read_limited};

/// Variables, files and HTTP as the credential sources need them, on Tokio.
#[derive(Clone)]
pub(crate) struct TokioIo {
    pub(crate) http: HttpClient,
    pub(crate) user_agent: HeaderValue,
}

impl CredentialsIo for TokioIo {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        std::env::home_dir()
    }

    async fn read_file(&self, path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
        let path = path.to_owned();
        match tokio::task::spawn_blocking(move || {
            cos_transfer::drive::read_small_file(&path, limit)
        })
        .await
        {
            Ok(result) => result,
            Err(err) => Err(std::io::Error::other(err)),
        }
    }

    async fn exchange(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
        limit: usize,
    ) -> Result<http::Response<Bytes>, BoxError> {
        let (mut parts, body) = request.into_parts();
        parts
            .headers
            .insert(http::header::USER_AGENT, self.user_agent.clone());
        let request = http::Request::from_parts(parts, RequestBody::full(body, Progress::new()));
        let work = async {
            let response = self.http.request(request).await?;
            let (parts, mut incoming) = response.into_parts();
            let (bytes, over) = read_limited(&mut incoming, limit).await?;
            if over {
                return Err(BoxError::from(format!("the answer is over {limit} bytes")));
            }
            Ok(http::Response::from_parts(parts, bytes))
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {timeout:?}").into()),
        }
    }

    fn now_micros(&self) -> u128 {
        cos_transfer::drive::unix_now_micros()
    }

    fn random(&self) -> [u8; 16] {
        fastrand::u128(..).to_le_bytes()
    }
}

/// `provider` driven by this client: its keys cached and refreshed by a
/// [`RefreshingCredentials`] (one fetch at a time, refreshed before expiry, old keys kept
/// while a refresh fails).
pub(crate) fn driven(provider: CredentialsProvider, io: TokioIo) -> RefreshingCredentials {
    let provider = Arc::new(provider);
    RefreshingCredentials::new(move || {
        let (provider, io) = (Arc::clone(&provider), io.clone());
        async move { Ok::<_, Error>(provider.fetch(&io).await?.credentials) }
    })
}
