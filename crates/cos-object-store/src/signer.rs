//! `object_store`'s [`Signer`] (presigned URLs) for [`CosObjectStore`], behind the
//! `signer` feature: the trait lives in `object_store`'s `cloud` feature, which brings
//! reqwest into the build.

use std::time::Duration;

use async_trait::async_trait;
use object_store::path::Path;
use object_store::signer::Signer;
use url::Url;

use crate::store::CosObjectStore;

#[async_trait]
impl Signer for CosObjectStore {
    /// [`CosObjectStore::signed_url`]: a COS presigned URL for `method` on `path`, valid for
    /// `expires_in` (whole seconds, at least one).
    async fn signed_url(
        &self,
        method: http::Method,
        path: &Path,
        expires_in: Duration,
    ) -> object_store::Result<Url> {
        CosObjectStore::signed_url(self, method, path, expires_in).await
    }
}
