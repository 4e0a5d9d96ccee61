//! STS (`sts`, API `2018-08-13`): `AssumeRole`, `AssumeRoleWithWebIdentity` and
//! `GetFederationToken` issue temporary keys that the emulator's COS side and Cloud API
//! accept (with their token) until `ExpiredTime` on the emulator clock. No CAM model:
//! every well-formed role ARN names a role the caller may assume, and policies are kept
//! nowhere.

use serde_json::{Value, json};

use super::keys::TemporaryKey;
use super::{ApiError, Call, Fields};
use crate::time_fmt;

/// The service name.
pub(crate) const SERVICE: &str = "sts";
/// The API version.
pub(crate) const VERSION: &str = "2018-08-13";

/// The longest policy accepted (`InvalidParameter.PolicyTooLong` above), in bytes as sent.
const MAX_POLICY: usize = 8192;

/// The answer every action gives: the keys and when they expire.
pub(crate) fn credentials_fields(key: &TemporaryKey) -> Fields {
    vec![
        (
            "Credentials",
            json!({
                "Token": key.token,
                "TmpSecretId": key.secret_id,
                "TmpSecretKey": key.secret_key,
            }),
        ),
        ("ExpiredTime", Value::from(key.expired_time)),
        ("Expiration", Value::from(iso8601(key.expired_time))),
    ]
}

/// `YYYY-MM-DDTHH:MM:SSZ`, UTC.
pub(crate) fn iso8601(secs: u64) -> String {
    time_fmt::iso8601(secs)
}

/// Issues keys for `requested` seconds, capped by the configured maximum.
fn issue(call: &Call<'_>, requested: u64) -> Fields {
    let cloud = &call.app.cloud;
    let lifetime = requested.min(cloud.settings.sts_max_duration);
    let key = cloud.keys.issue(&cloud.generator, call.now, lifetime);
    credentials_fields(&key)
}

/// `DurationSeconds` or `default`, which must lie in `range`.
fn duration(
    call: &Call<'_>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ApiError> {
    let seconds = call.params.integer("DurationSeconds")?.unwrap_or(default);
    if range.contains(&seconds) {
        Ok(seconds)
    } else {
        Err(ApiError::invalid_value(format!(
            "DurationSeconds must be between {} and {}, got {seconds}.",
            range.start(),
            range.end()
        )))
    }
}

/// `qcs::cam::uin/<digits>:roleName/<name>` or `…:role/<id>`.
fn check_role_arn(arn: &str) -> Result<(), ApiError> {
    let ok = arn
        .strip_prefix("qcs::cam::uin/")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(uin, role)| {
            !uin.is_empty()
                && uin.bytes().all(|b| b.is_ascii_digit())
                && role
                    .strip_prefix("roleName/")
                    .or_else(|| role.strip_prefix("role/"))
                    .is_some_and(|name| !name.is_empty())
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            "InvalidParameter.RoleNotExist",
            format!("role not exist: {arn:.128} is not qcs::cam::uin/<uin>:roleName/<name>"),
        ))
    }
}

/// A session or user name: `[\w+=,.@-]`, `min..=max` characters.
fn check_name(name: &str, field: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let ok = (min..=max).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_value(format!(
            "{field} must be {min} to {max} characters of letters, digits and _+=,.@-"
        )))
    }
}

fn check_policy(call: &Call<'_>, required: bool) -> Result<(), ApiError> {
    let policy = if required {
        Some(call.params.required("Policy")?)
    } else {
        call.params.string("Policy")?
    };
    match policy {
        Some(p) if p.len() > MAX_POLICY => Err(ApiError::new(
            "InvalidParameter.PolicyTooLong",
            format!("policy too long: at most {MAX_POLICY} bytes"),
        )),
        _ => Ok(()),
    }
}

/// The `RoleArn`, `RoleSessionName` and `DurationSeconds` (900..=43200, default 7200) of
/// both role calls; the duration.
fn role_and_session(call: &Call<'_>) -> Result<u64, ApiError> {
    check_role_arn(call.params.required("RoleArn")?)?;
    check_name(
        call.params.required("RoleSessionName")?,
        "RoleSessionName",
        2,
        128,
    )?;
    duration(call, 7200, 900..=43_200)
}

/// `AssumeRole`: `RoleArn`, `RoleSessionName`, `DurationSeconds` (900..=43200, default
/// 7200), optional `Policy`.
pub(crate) fn assume_role(call: &Call<'_>) -> Result<Fields, ApiError> {
    let seconds = role_and_session(call)?;
    check_policy(call, false)?;
    Ok(issue(call, seconds))
}

/// `AssumeRoleWithWebIdentity` (signed or `Authorization: SKIP`): `ProviderId`,
/// `WebIdentityToken` (any non-empty token, or exactly the configured one), `RoleArn`,
/// `RoleSessionName`, `DurationSeconds` (900..=43200, default 7200).
pub(crate) fn assume_role_with_web_identity(call: &Call<'_>) -> Result<Fields, ApiError> {
    call.params.required("ProviderId")?;
    let token = call.params.required("WebIdentityToken")?;
    if let Some(expected) = &call.app.cloud.settings.web_identity_token
        && token != expected
    {
        return Err(ApiError::new(
            "InvalidParameter.WebIdentityTokenError",
            "The WebIdentityToken is not valid.",
        ));
    }
    let seconds = role_and_session(call)?;
    Ok(issue(call, seconds))
}

/// `GetFederationToken`: `Name`, `Policy`, `DurationSeconds` (1..=7200, default 1800).
pub(crate) fn get_federation_token(call: &Call<'_>) -> Result<Fields, ApiError> {
    check_name(call.params.required("Name")?, "Name", 2, 32)?;
    check_policy(call, true)?;
    let seconds = duration(call, 1800, 1..=7200)?;
    Ok(issue(call, seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_and_names() {
        assert!(check_role_arn("qcs::cam::uin/100000000001:roleName/uploader").is_ok());
        assert!(check_role_arn("qcs::cam::uin/1:role/4611686018427397919").is_ok());
        for bad in [
            "",
            "uploader",
            "qcs::cam::uin/:roleName/x",
            "qcs::cam::uin/12a:roleName/x",
            "qcs::cam::uin/1:roleName/",
            "qcs::cam::uin/1:user/x",
        ] {
            assert_eq!(
                check_role_arn(bad).expect_err(bad).code,
                "InvalidParameter.RoleNotExist"
            );
        }
        assert!(check_name("tencentcloud-python-sdk-1700000000000000.0", "n", 2, 128).is_ok());
        assert!(check_name("a", "n", 2, 128).is_err());
        assert!(check_name("a b", "n", 2, 128).is_err());
        assert_eq!(iso8601(1_700_007_200), "2023-11-15T00:13:20Z");
    }
}
