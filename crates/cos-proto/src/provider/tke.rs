//! TKE's OIDC web identity: a pod's service-account token, exchanged with STS
//! (`AssumeRoleWithWebIdentity`) for keys of the role the cluster maps it to. TKE puts
//! four variables in the pod's environment ([`TKE_VARS`]); the token file is rotated by
//! the cluster, so the driver reads the variables and the file again on every refresh.

use std::path::PathBuf;

use crate::cloud_api::sts::AssumeRoleWithWebIdentity;

/// The region of the STS call.
pub const TKE_REGION: &str = "TKE_REGION";
/// The OIDC identity provider's id.
pub const TKE_PROVIDER_ID: &str = "TKE_PROVIDER_ID";
/// The file holding the web identity token.
pub const TKE_WEB_IDENTITY_TOKEN_FILE: &str = "TKE_WEB_IDENTITY_TOKEN_FILE";
/// The role to assume.
pub const TKE_ROLE_ARN: &str = "TKE_ROLE_ARN";
/// The four variables, in the order the official SDK reads them.
pub const TKE_VARS: [&str; 4] = [
    TKE_REGION,
    TKE_PROVIDER_ID,
    TKE_WEB_IDENTITY_TOKEN_FILE,
    TKE_ROLE_ARN,
];
/// How long the keys last unless the caller says otherwise (the SDK's 7,200 s).
pub const DEFAULT_DURATION_SECS: u64 = 7200;
/// The largest token file read.
pub const MAX_TOKEN_LEN: u64 = 64 * 1024;

/// What the pod's environment says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TkeOidc {
    /// `TKE_REGION`.
    pub region: String,
    /// `TKE_PROVIDER_ID`.
    pub provider_id: String,
    /// `TKE_WEB_IDENTITY_TOKEN_FILE`.
    pub token_file: PathBuf,
    /// `TKE_ROLE_ARN`.
    pub role_arn: String,
}

impl TkeOidc {
    /// Reads the four variables through `lookup`: `Ok(None)` when none is set (not on
    /// TKE), an error naming the missing ones when only some are.
    ///
    /// ```
    /// use cos_proto::provider::tke::TkeOidc;
    /// assert_eq!(TkeOidc::from_env(|_| None), Ok(None));
    /// let partial = TkeOidc::from_env(|name| (name == "TKE_REGION").then(|| "ap-beijing".into()));
    /// assert!(partial.unwrap_err().contains("TKE_PROVIDER_ID"));
    /// ```
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let values: Vec<Option<String>> = TKE_VARS
            .iter()
            .map(|name| lookup(name).filter(|v| !v.is_empty()))
            .collect();
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        let missing: Vec<&str> = TKE_VARS
            .iter()
            .zip(&values)
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "{} not set (the other TKE_* variables are)",
                missing.join(", ")
            ));
        }
        let mut values = values.into_iter().flatten();
        let mut next = || values.next().unwrap_or_default();
        Ok(Some(Self {
            region: next(),
            provider_id: next(),
            token_file: PathBuf::from(next()),
            role_arn: next(),
        }))
    }

    /// The STS call exchanging `token` (the file's content, sent as it is) for keys,
    /// under `session_name`, lasting `duration_secs`.
    pub fn request(
        &self,
        token: &str,
        session_name: &str,
        duration_secs: u64,
    ) -> AssumeRoleWithWebIdentity {
        AssumeRoleWithWebIdentity::new(&self.provider_id, token, &self.role_arn, session_name)
            .duration_seconds(duration_secs)
            .region(&self.region)
    }
}

/// A session name unique to this moment (`now_micros`, Unix microseconds), as the SDK
/// makes one (`tencentcloud-python-sdk-<micros>.0`), naming this SDK instead.
pub fn session_name(now_micros: u128) -> String {
    format!("cos-rs-{now_micros}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_four_or_an_error_naming_the_missing() {
        let env = |set: &'static [&'static str]| {
            move |name: &str| set.contains(&name).then(|| format!("v-{name}"))
        };
        let full = TkeOidc::from_env(env(&TKE_VARS)).expect("ok").expect("set");
        assert_eq!(full.role_arn, "v-TKE_ROLE_ARN");
        assert_eq!(
            full.token_file,
            PathBuf::from("v-TKE_WEB_IDENTITY_TOKEN_FILE")
        );
        let err = TkeOidc::from_env(env(&[TKE_REGION, TKE_ROLE_ARN])).expect_err("partial");
        assert!(
            err.starts_with("TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE not set"),
            "{err}"
        );
        let call = full.request("tok\n", "s", 900).request();
        assert_eq!(call.host(), "sts.tencentcloudapi.com");
        assert_eq!(session_name(17), "cos-rs-17");
    }
}
