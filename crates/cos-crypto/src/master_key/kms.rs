//! A master key held by Tencent Cloud KMS (`KMS/TencentCloud`), as the Go SDK's
//! `MasterKMSCipher` uses it: the content key and the IV are each encrypted with KMS
//! `Encrypt` (the plaintext in Base64), the object's matdesc as encryption context, and the
//! `CiphertextBlob` text is what the envelope stores (Base64 again in the header).
//!
//! The key describes each KMS call ([`CloudApiRequest`]); the caller's [`KmsTransport`]
//! signs and sends it (the clients' `kms_master_key` methods provide one over their
//! connections and credentials), so this crate still does no I/O.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use cos_proto::cloud_api::CloudApiRequest;
use cos_proto::cloud_api::kms::{Decrypt, Encrypt, KmsOutput};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::{MasterKey, UnwrapRequest, WrapItem, check_matdesc, same_algorithm};
use crate::error::CryptoError;

/// Sends a KMS call: signs `request` with the caller's keys, sends it, and answers the
/// HTTP status and body. An error is a failure to get an answer at all.
pub trait KmsTransport: Send + Sync {
    /// One call.
    fn send(&self, request: CloudApiRequest) -> Result<(u16, Vec<u8>), String>;
}

impl<F> KmsTransport for F
where
    F: Fn(CloudApiRequest) -> Result<(u16, Vec<u8>), String> + Send + Sync,
{
    fn send(&self, request: CloudApiRequest) -> Result<(u16, Vec<u8>), String> {
        self(request)
    }
}

/// A KMS customer master key. Writes `-wrap-alg: KMS/TencentCloud` and wraps the IV too
/// (as the Go and Java SDKs do); reads `KMS/TencentCloud` and the legacy `kms`.
///
/// ```
/// use cos_crypto::{KmsMasterKey, MasterKey};
/// let key = KmsMasterKey::new("kms-key-id", "ap-guangzhou", |_request| {
///     Err::<(u16, Vec<u8>), String>("no network in this example".into())
/// })
/// .matdesc(r#"{"app":"billing"}"#)?;
/// assert_eq!(key.wrap_algorithm(), "KMS/TencentCloud");
/// assert!(key.wraps_iv());
/// # Ok::<(), cos_crypto::CryptoError>(())
/// ```
#[derive(Clone)]
pub struct KmsMasterKey {
    key_id: String,
    region: String,
    matdesc: String,
    endpoint: Option<String>,
    http: bool,
    transport: Arc<dyn KmsTransport>,
}

impl fmt::Debug for KmsMasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsMasterKey")
            .field("key_id", &self.key_id)
            .field("region", &self.region)
            .field("matdesc", &self.matdesc)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl KmsMasterKey {
    /// The `-wrap-alg` value written.
    pub const WRAP_ALGORITHM: &'static str = "KMS/TencentCloud";
    /// The legacy name the Java SDK also reads.
    pub const LEGACY_WRAP_ALGORITHM: &'static str = "kms";

    /// The master key `key_id` of KMS in `region`, reached through `transport`. The
    /// matdesc (and KMS encryption context) is `{}` until [`KmsMasterKey::matdesc`].
    pub fn new(
        key_id: impl Into<String>,
        region: impl Into<String>,
        transport: impl KmsTransport + 'static,
    ) -> Self {
        Self {
            key_id: key_id.into(),
            region: region.into(),
            matdesc: "{}".into(),
            endpoint: None,
            http: false,
            transport: Arc::new(transport),
        }
    }

    /// The KMS host (default `kms.tencentcloudapi.com`; an emulator's `127.0.0.1:port`),
    /// and whether to use plain `http` (a local endpoint only).
    pub fn endpoint(mut self, host: impl Into<String>, insecure_http: bool) -> Self {
        self.endpoint = Some(host.into());
        self.http = insecure_http;
        self
    }

    /// The material description written with each object, and the KMS encryption
    /// context of every call: a JSON object (the Go SDK writes `json.Marshal` of a map,
    /// keys sorted). Reading an object, the object's own matdesc is the context.
    pub fn matdesc(mut self, matdesc: impl Into<String>) -> Result<Self, CryptoError> {
        let matdesc = matdesc.into();
        check_matdesc(&matdesc)?;
        // The Go SDK's form (compact, keys sorted), so that every envelope format stores
        // exactly the context the KMS calls used.
        self.matdesc = crate::matdesc::canonical(&matdesc)?;
        Ok(self)
    }

    /// The master key's id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    fn call(
        &self,
        request: CloudApiRequest,
        parse: fn(u16, &[u8]) -> Result<KmsOutput, cos_proto::cloud_api::CloudApiError>,
    ) -> Result<KmsOutput, String> {
        let mut request = request.region(&self.region).insecure_http(self.http);
        if let Some(host) = &self.endpoint {
            request = request.endpoint(host);
        }
        let (status, body) = self.transport.send(request)?;
        parse(status, &body).map_err(|err| err.to_string())
    }
}

impl MasterKey for KmsMasterKey {
    fn wrap_algorithm(&self) -> &str {
        Self::WRAP_ALGORITHM
    }

    fn matdesc(&self) -> &str {
        &self.matdesc
    }

    fn wraps_iv(&self) -> bool {
        true
    }

    fn wrap(
        &self,
        item: WrapItem,
        plaintext: &[u8],
        _rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, CryptoError> {
        let plain = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(plaintext));
        let request = Encrypt::new(&self.key_id, plain.as_str())
            .encryption_context(context(&self.matdesc))
            .request();
        let output =
            self.call(request, Encrypt::parse)
                .map_err(|reason| CryptoError::WrapFailed {
                    what: item.as_str(),
                    reason: format!("KMS Encrypt: {reason}"),
                })?;
        Ok(output.ciphertext_blob.unwrap_or_default().into_bytes())
    }

    fn unwrap(
        &self,
        request: &UnwrapRequest<'_>,
        _rng: &mut dyn CryptoRng,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let algorithm = request.wrap_algorithm;
        if !same_algorithm(algorithm, Self::WRAP_ALGORITHM)
            && !same_algorithm(algorithm, Self::LEGACY_WRAP_ALGORITHM)
        {
            return Err(CryptoError::UnsupportedWrapAlgorithm {
                found: algorithm.to_owned(),
                supported: Self::WRAP_ALGORITHM.to_owned(),
            });
        }
        let failed = || CryptoError::UnwrapFailed {
            what: request.item.as_str(),
            algorithm: algorithm.to_owned(),
        };
        let blob = std::str::from_utf8(request.wrapped).map_err(|_| failed())?;
        let call = Decrypt::new(blob)
            .encryption_context(context(request.matdesc))
            .request();
        let output = self
            .call(call, Decrypt::parse)
            .map_err(|reason| CryptoError::Kms {
                what: request.item.as_str(),
                reason,
            })?;
        let plain = Zeroizing::new(output.plaintext.unwrap_or_default());
        base64::engine::general_purpose::STANDARD
            .decode(plain.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| failed())
    }
}

/// The KMS encryption context of a matdesc: the Go SDK sends an empty one for an empty
/// description (and writes no `-matdesc`, which reads as empty), so `{}` and nothing are
/// both the empty context.
fn context(matdesc: &str) -> &str {
    match matdesc.trim() {
        "" | "{}" => "",
        _ => matdesc,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use base64::engine::general_purpose::STANDARD;
    use serde_json::Value;

    use super::*;
    use crate::test_rng::TestRng;

    /// A KMS in memory: `CiphertextBlob` = Base64 of `context|plaintext-base64`, so a
    /// different context fails to decrypt.
    fn fake_kms(calls: Arc<Mutex<Vec<String>>>) -> impl KmsTransport {
        move |request: CloudApiRequest| {
            let creds = cos_proto::Credentials::new("AKID", "KEY").map_err(|e| e.to_string())?;
            let built = request
                .build(&creds, 1, [0; 16])
                .map_err(|e| e.to_string())?;
            let action = built.request.headers()["x-tc-action"]
                .to_str()
                .unwrap_or("")
                .to_owned();
            calls.lock().expect("lock").push(action.clone());
            let params: Value =
                serde_json::from_slice(built.request.body()).map_err(|e| e.to_string())?;
            let text = |name: &str| params[name].as_str().unwrap_or("").to_owned();
            let body = match action.as_str() {
                "Encrypt" => {
                    let blob = STANDARD.encode(format!(
                        "{}|{}",
                        text("EncryptionContext"),
                        text("Plaintext")
                    ));
                    format!(
                        r#"{{"Response":{{"CiphertextBlob":"{blob}","KeyId":"k","RequestId":"r"}}}}"#
                    )
                }
                _ => {
                    let inner = STANDARD.decode(text("CiphertextBlob")).unwrap_or_default();
                    let inner = String::from_utf8(inner).unwrap_or_default();
                    match inner.split_once('|') {
                        Some((context, plain)) if context == text("EncryptionContext") => format!(
                            r#"{{"Response":{{"Plaintext":"{plain}","KeyId":"k","RequestId":"r"}}}}"#
                        ),
                        _ => r#"{"Response":{"Error":{"Code":"InvalidParameterValue","Message":"bad blob"},"RequestId":"r"}}"#.to_owned(),
                    }
                }
            };
            Ok((200, body.into_bytes()))
        }
    }

    #[test]
    fn wraps_and_unwraps_through_kms_with_the_matdesc_as_context() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let key = KmsMasterKey::new("k", "ap-guangzhou", fake_kms(Arc::clone(&calls)))
            .matdesc(r#"{"a":"b"}"#)
            .expect("json");
        let mut rng = TestRng::new(1);
        let wrapped = key
            .wrap(WrapItem::ContentKey, &[9; 32], &mut rng)
            .expect("wrap");
        let request = |matdesc, algorithm, wrapped| UnwrapRequest {
            item: WrapItem::ContentKey,
            wrap_algorithm: algorithm,
            matdesc,
            wrapped,
        };
        let plain = key
            .unwrap(
                &request(r#"{"a":"b"}"#, "KMS/TencentCloud", &wrapped),
                &mut rng,
            )
            .expect("unwrap");
        assert_eq!(plain.as_slice(), &[9; 32]);
        assert!(
            key.unwrap(&request(r#"{"a":"b"}"#, "kms", &wrapped), &mut rng)
                .is_ok()
        );
        let other_context = key.unwrap(
            &request(r#"{"a":"c"}"#, "KMS/TencentCloud", &wrapped),
            &mut rng,
        );
        assert!(
            matches!(other_context, Err(CryptoError::Kms { .. })),
            "{other_context:?}"
        );
        let other_algorithm = key.unwrap(&request("{}", "AESWrap", &wrapped), &mut rng);
        assert!(matches!(
            other_algorithm,
            Err(CryptoError::UnsupportedWrapAlgorithm { .. })
        ));
        let not_text = key.unwrap(&request("{}", "kms", &[0xff]), &mut rng);
        assert!(matches!(not_text, Err(CryptoError::UnwrapFailed { .. })));
        assert_eq!(
            *calls.lock().expect("lock"),
            ["Encrypt", "Decrypt", "Decrypt", "Decrypt"]
        );
        assert!(
            KmsMasterKey::new("k", "r", fake_kms(calls))
                .matdesc("not json")
                .is_err()
        );
    }

    #[test]
    fn a_kms_failure_is_a_typed_error() {
        let key = KmsMasterKey::new("k", "ap-guangzhou", |_: CloudApiRequest| {
            Ok::<_, String>((502, b"bad gateway".to_vec()))
        });
        let mut rng = TestRng::new(2);
        let err = key.wrap(WrapItem::Iv, &[1; 16], &mut rng).expect_err("502");
        assert!(err.to_string().contains("KMS Encrypt"), "{err}");
        let down = KmsMasterKey::new("k", "ap-guangzhou", |_: CloudApiRequest| {
            Err::<(u16, Vec<u8>), _>("connection refused".to_owned())
        });
        assert!(down.wrap(WrapItem::Iv, &[1; 16], &mut rng).is_err());
        assert!(!format!("{down:?}").is_empty());
    }
}
