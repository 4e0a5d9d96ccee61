//! KMS (`kms`, API `2019-01-18`): what an envelope-encryption master key held by Tencent
//! Cloud needs — `GenerateDataKey`, `Encrypt`, `Decrypt`. Binary values travel in Base64.

use serde_json::{Map, Value};

use super::response::{CloudApiError, parse_response, request_id, required, text};
use super::{CloudApiRequest, Param};

/// The service name.
pub const SERVICE: &str = "kms";
/// The API version.
pub const VERSION: &str = "2019-01-18";

/// What KMS answers to the three calls (the fields an action does not return are `None`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KmsOutput {
    /// `KeyId`: the master key used.
    pub key_id: Option<String>,
    /// `Plaintext` (Base64): a data key, or the decrypted value.
    pub plaintext: Option<String>,
    /// `CiphertextBlob` (Base64): the encrypted data key or value.
    pub ciphertext_blob: Option<String>,
    /// `RequestId`.
    pub request_id: Option<String>,
}

impl std::fmt::Debug for KmsOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsOutput")
            .field("key_id", &self.key_id)
            .field("plaintext", &self.plaintext.as_ref().map(|_| "<redacted>"))
            .field("ciphertext_blob", &self.ciphertext_blob)
            .field("request_id", &self.request_id)
            .finish()
    }
}

impl KmsOutput {
    /// Parses a KMS answer; `needs` names the fields the action must return.
    fn parse(status: u16, body: &[u8], needs: &[&str]) -> Result<Self, CloudApiError> {
        let response = parse_response(status, body)?;
        for field in needs {
            required(&response, field)?;
        }
        Ok(Self::from_response(&response))
    }

    fn from_response(response: &Map<String, Value>) -> Self {
        Self {
            key_id: text(response, "KeyId"),
            plaintext: text(response, "Plaintext"),
            ciphertext_blob: text(response, "CiphertextBlob"),
            request_id: request_id(response),
        }
    }
}

fn call(
    action: &str,
    region: &Option<String>,
    params: Vec<(&str, Option<String>)>,
) -> CloudApiRequest {
    let mut request = CloudApiRequest::new(SERVICE, VERSION, action);
    if let Some(region) = region {
        request = request.region(region);
    }
    for (name, value) in params {
        if let Some(value) = value {
            request = request.param(name, Param::Str(value));
        }
    }
    request
}

macro_rules! kms_action {
    (
        $(#[$doc:meta])* $name:ident, $action:literal, needs [$($need:literal),*],
        new($($arg:ident: $field:literal),*),
        optional($($opt:ident: $opt_field:literal),*)
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[must_use]
        pub struct $name {
            $($arg: String,)*
            $($opt: Option<String>,)*
            region: Option<String>,
        }

        impl $name {
            /// The call with its required parameters.
            pub fn new($($arg: impl Into<String>),*) -> Self {
                Self { $($arg: $arg.into(),)* $($opt: None,)* region: None }
            }

            $(
                #[doc = concat!("Sets `", $opt_field, "`.")]
                pub fn $opt(mut self, value: impl Into<String>) -> Self {
                    self.$opt = Some(value.into());
                    self
                }
            )*

            /// `X-TC-Region`.
            pub fn region(mut self, region: impl Into<String>) -> Self {
                self.region = Some(region.into());
                self
            }

            /// The call, parameters in the API's order.
            pub fn request(&self) -> CloudApiRequest {
                call(
                    $action,
                    &self.region,
                    vec![
                        $(($field, Some(self.$arg.clone())),)*
                        $(($opt_field, self.$opt.clone()),)*
                    ],
                )
            }

            /// Parses the answer (`status` and body).
            pub fn parse(status: u16, body: &[u8]) -> Result<KmsOutput, CloudApiError> {
                KmsOutput::parse(status, body, &[$($need),*])
            }
        }
    };
}

kms_action!(
    /// `Encrypt`: encrypts up to 4 KiB under master key `key_id` (`plaintext` in Base64).
    Encrypt, "Encrypt", needs ["CiphertextBlob"],
    new(key_id: "KeyId", plaintext: "Plaintext"),
    optional(encryption_context: "EncryptionContext")
);

kms_action!(
    /// `Decrypt`: decrypts a `CiphertextBlob`; the master key is named inside it.
    Decrypt, "Decrypt", needs ["Plaintext"],
    new(ciphertext_blob: "CiphertextBlob"),
    optional(encryption_context: "EncryptionContext")
);

kms_action!(
    /// `GenerateDataKey`: a fresh data key (`KeySpec` `AES_256` or `AES_128`), in the
    /// clear and encrypted under master key `key_id`.
    GenerateDataKey, "GenerateDataKey", needs ["Plaintext", "CiphertextBlob"],
    new(key_id: "KeyId"),
    optional(key_spec: "KeySpec", number_of_bytes: "NumberOfBytes", encryption_context: "EncryptionContext")
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_key_answer_needs_both_forms() {
        let ok = br#"{"Response": {"KeyId": "k", "Plaintext": "cA==", "CiphertextBlob": "Yw==", "RequestId": "r"}}"#;
        let out = GenerateDataKey::parse(200, ok).expect("parses");
        assert_eq!(out.ciphertext_blob.as_deref(), Some("Yw=="));
        assert!(!format!("{out:?}").contains("cA=="));
        let half = br#"{"Response": {"KeyId": "k", "Plaintext": "cA==", "RequestId": "r"}}"#;
        assert!(GenerateDataKey::parse(200, half).is_err());
        let request = GenerateDataKey::new("k").key_spec("AES_256").request();
        assert_eq!(request.host(), "kms.tencentcloudapi.com");
    }
}
