//! The credential sources ([`CredentialsProvider`]: the default chain, CVM role, TKE
//! OIDC, STS) over this client's ureq agent: what `cos_transfer::drive` asks of a client
//! to run them, and the provider that caches and refreshes what they fetch.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use cos_transfer::drive::{CredentialsIo, CredentialsProvider};

use crate::credentials::RefreshingCredentials;
use crate::error::BoxError;

/// Variables, files and HTTP as the credential sources need them, blocking.
#[derive(Clone)]
pub(crate) struct BlockingIo {
    pub(crate) agent: ureq::Agent,
}

impl CredentialsIo for BlockingIo {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn home_dir(&self) -> Option<PathBuf> {
        std::env::home_dir()
    }

    async fn read_file(&self, path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
        cos_transfer::drive::read_small_file(path, limit)
    }

    async fn exchange(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
        limit: usize,
    ) -> Result<http::Response<Bytes>, BoxError> {
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, body.as_ref());
        let config = self
            .agent
            .configure_request(request)
            .timeout_global(Some(timeout))
            .build();
        let response = self.agent.run(config)?;
        let (parts, body) = response.into_parts();
        let mut bytes = Vec::new();
        body.into_reader()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() > limit {
            return Err(format!("the answer is over {limit} bytes").into());
        }
        Ok(http::Response::from_parts(parts, Bytes::from(bytes)))
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
pub(crate) fn driven(provider: CredentialsProvider, io: BlockingIo) -> RefreshingCredentials {
    RefreshingCredentials::new(move || Ok(pollster::block_on(provider.fetch(&io))?.credentials))
}
