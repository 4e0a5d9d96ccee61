//! A Tencent Cloud KMS master key for client-side encryption, whose KMS calls are signed
//! with this client's credentials and sent over its connections.

use cos_crypto::KmsMasterKey;
use cos_proto::cloud_api::CloudApiRequest;
use cos_transfer::drive::call_cloud_api;

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
            let keys = client
                .current_credentials()
                .map_err(|err| err.to_string())?
                .ok_or("an anonymous client cannot sign KMS calls")?;
            let io = BlockingIo {
                agent: client.inner.agent.clone(),
            };
            let answer = pollster::block_on(call_cloud_api(&io, &request, Some(&keys)))
                .map_err(|err| format!("KMS at {}: {err}", request.host()))?;
            Ok((answer.status().as_u16(), answer.into_body().to_vec()))
        })
    }
}
