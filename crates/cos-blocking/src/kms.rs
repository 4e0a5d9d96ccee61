//! A Tencent Cloud KMS master key for client-side encryption, whose KMS calls are signed
//! with this client's credentials and sent over its connections.

use cos_crypto::KmsMasterKey;
use cos_proto::cloud_api::CloudApiRequest;
use cos_transfer::drive::call_kms;

use crate::client::Client;
use crate::sources::BlockingIo;

impl Client {
    /// The KMS customer master key `key_id` in `region`, for an
    /// [`EncryptionClient`](crate::EncryptionClient): objects are wrapped as the Go SDK
    /// wraps them (`KMS/TencentCloud`, with [`Format::GoCompatible`](cos_crypto::Format)
    /// they read in both directions). Each KMS call is signed with this client's
    /// credentials; point [`KmsMasterKey::endpoint`] at another host when needed.
    ///
    /// ```no_run
    /// # fn demo(client: cos_blocking::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::sync::Arc;
    /// use cos_blocking::EncryptionClient;
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
            let io = BlockingIo {
                agent: client.inner.agent.clone(),
            };
            pollster::block_on(call_kms(&io, &request, client.current_credentials()))
        })
    }
}
