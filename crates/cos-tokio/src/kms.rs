//! A Tencent Cloud KMS master key for client-side encryption, whose KMS calls are signed
//! with this client's credentials and sent over its connections.

use cos_crypto::KmsMasterKey;
use cos_proto::cloud_api::CloudApiRequest;
use cos_transfer::drive::call_kms;
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::client::Client;

impl Client {
    /// The KMS customer master key `key_id` in `region`, for an
    /// [`EncryptionClient`](crate::EncryptionClient): objects are wrapped as the Go SDK
    /// wraps them (`KMS/TencentCloud`, with [`Format::GoCompatible`](cos_crypto::Format)
    /// they read in both directions). Each KMS call is signed with this client's
    /// credentials; point [`KmsMasterKey::endpoint`] at another host when needed.
    ///
    /// A master key answers synchronously, so each KMS call holds its worker thread
    /// (`block_in_place`): it needs the multi-thread runtime, and fails with a KMS error on
    /// a current-thread one.
    ///
    /// ```no_run
    /// # async fn demo(client: cos_tokio::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::sync::Arc;
    /// use cos_tokio::EncryptionClient;
    /// use cos_crypto::Format;
    /// let key = client.kms_master_key("kms-1234", "ap-guangzhou").matdesc(r#"{"app":"billing"}"#)?;
    /// let encrypting = EncryptionClient::new(client, Arc::new(key), Format::GoCompatible);
    /// # Ok(()) }
    /// ```
    pub fn kms_master_key(
        &self,
        key_id: impl Into<String>,
        region: impl Into<String>,
    ) -> KmsMasterKey {
        let client = self.clone();
        KmsMasterKey::new(key_id, region, move |request: CloudApiRequest| {
            let handle =
                Handle::try_current().map_err(|_| "KMS calls need a Tokio runtime".to_owned())?;
            if handle.runtime_flavor() != RuntimeFlavor::MultiThread {
                return Err("KMS calls need Tokio's multi-thread runtime".to_owned());
            }
            let work = async {
                let keys = client.current_credentials().await;
                call_kms(&client.sources_io(), &request, keys).await
            };
            tokio::task::block_in_place(|| handle.block_on(work))
        })
    }
}
