//! `cloud-api/sts.json` and `cloud-api/kms.json`: typed STS and KMS calls rebuilt with
//! `cos_proto::cloud_api::{sts, kms}` from the SDK request model's fields, their first
//! request compared with the SDK's (wire and signature), and the answer parsed and
//! compared with the SDK's result (model fields, or the error's code, message and
//! request id).
//!
//! Cases where cos-rs deliberately differs (README, "Cloud API") are reported as skipped
//! with the reason; unit tests in `cos_proto::cloud_api` pin what we do instead.

use cos_proto::Credentials;
use cos_proto::cloud_api::kms::{self, KmsOutput};
use cos_proto::cloud_api::sts::{self, StsCredentials};
use cos_proto::cloud_api::{CloudApiError, CloudApiRequest, CloudMethod, Param};
use serde::Deserialize;
use serde_json::Value;

use super::cloud_api::{Ordered, Signing, WireRequest, check_document, compare_call, entries};
use super::{CaseResult, Mismatches, Verdict};

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    input: Input,
    expected: Expected,
}

#[derive(Deserialize)]
struct Input {
    region: String,
    secret_id: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
    credential: Option<String>,
    timestamp: u64,
    method: String,
    request_model: String,
    model_fields: Ordered,
    responses: Vec<Value>,
    retryer: Option<String>,
}

#[derive(Deserialize)]
struct Expected {
    attempts: Vec<Attempt>,
    result: Value,
}

#[derive(Deserialize)]
struct Attempt {
    request: WireRequest,
    signing: Option<Signing>,
}

/// Checks every case of an `sts.json` or `kms.json` document.
pub(super) fn check(name: &str, text: &str) -> Vec<CaseResult> {
    check_document(
        name,
        text,
        |file: &File| &file.cases,
        |case| &case.id,
        |case| match deviation(case) {
            Some(why) => Verdict::Skip(why.to_owned()),
            None => check_case(case)
                .map(Mismatches::verdict)
                .unwrap_or_else(Verdict::Fail),
        },
    )
}

/// Where cos-rs chooses differently from the SDK, and why (README, "Cloud API").
fn deviation(case: &Case) -> Option<&'static str> {
    if case.input.retryer.is_some() {
        return Some(
            "the SDK's StandardRetryer keeps the first error and drops a later success; \
             retries are the driver's, which returns the outcome of the last attempt",
        );
    }
    if case.input.credential.is_none() {
        return Some(
            "the SDK's typed client cannot send AssumeRoleWithWebIdentity without keys; \
             cos-proto sends it unsigned, as the SDK's OIDC provider does",
        );
    }
    let charset = case.input.responses.first().is_some_and(|r| {
        r.pointer("/headers/Content-Type")
            .and_then(Value::as_str)
            .is_some_and(|ct| ct.contains(';'))
    });
    if charset {
        return Some(
            "the SDK ignores Response.Error when Content-Type has parameters \
             (`application/json; charset=utf-8`); cos-proto reports the error",
        );
    }
    None
}

/// The typed call for the SDK's request model and its fields.
fn typed_call(input: &Input) -> Result<(CloudApiRequest, Parser), String> {
    let fields = entries(Some(&input.model_fields));
    let text = |name: &str| {
        fields.iter().find_map(|(n, v)| match v {
            Param::Str(s) if n == name => Some(s.clone()),
            _ => None,
        })
    };
    let number = |name: &str| {
        fields.iter().find_map(|(n, v)| match v {
            Param::Int(i) if n == name => u64::try_from(*i).ok(),
            _ => None,
        })
    };
    let need = |name: &str| text(name).ok_or(format!("model field {name} missing"));
    let known: &[&str] = match input.request_model.as_str() {
        "AssumeRoleRequest" => &[
            "RoleArn",
            "RoleSessionName",
            "DurationSeconds",
            "Policy",
            "ExternalId",
            "Tags",
        ],
        "AssumeRoleWithWebIdentityRequest" => &[
            "ProviderId",
            "WebIdentityToken",
            "RoleArn",
            "RoleSessionName",
            "DurationSeconds",
        ],
        "GetFederationTokenRequest" => &["Name", "Policy", "DurationSeconds"],
        "EncryptRequest" => &["KeyId", "Plaintext", "EncryptionContext"],
        "DecryptRequest" => &["CiphertextBlob", "EncryptionContext"],
        "GenerateDataKeyRequest" => &["KeyId", "KeySpec", "EncryptionContext"],
        other => return Err(format!("request model {other} is not mapped")),
    };
    if let Some((name, _)) = fields.iter().find(|(n, _)| !known.contains(&n.as_str())) {
        return Err(format!("model field {name} is not mapped"));
    }
    let region = input.region.clone();
    let (request, parser): (CloudApiRequest, Parser) = match input.request_model.as_str() {
        "AssumeRoleRequest" => {
            let mut op =
                sts::AssumeRole::new(need("RoleArn")?, need("RoleSessionName")?).region(region);
            if let Some(seconds) = number("DurationSeconds") {
                op = op.duration_seconds(seconds);
            }
            if let Some(policy) = text("Policy") {
                op = op.policy(policy);
            }
            if let Some(id) = text("ExternalId") {
                op = op.external_id(id);
            }
            if let Some((_, Param::List(tags))) = fields.iter().find(|(n, _)| n == "Tags") {
                for tag in tags {
                    let Param::Object(pairs) = tag else { continue };
                    let get = |k: &str| {
                        pairs.iter().find_map(|(n, v)| match v {
                            Param::Str(s) if n == k => Some(s.clone()),
                            _ => None,
                        })
                    };
                    op = op.tag(
                        get("Key").unwrap_or_default(),
                        get("Value").unwrap_or_default(),
                    );
                }
            }
            (op.request(), Parser::Sts)
        }
        "AssumeRoleWithWebIdentityRequest" => {
            let mut op = sts::AssumeRoleWithWebIdentity::new(
                need("ProviderId")?,
                need("WebIdentityToken")?,
                need("RoleArn")?,
                need("RoleSessionName")?,
            )
            .region(region)
            .signed(true);
            if let Some(seconds) = number("DurationSeconds") {
                op = op.duration_seconds(seconds);
            }
            (op.request(), Parser::Sts)
        }
        "GetFederationTokenRequest" => {
            let mut op =
                sts::GetFederationToken::new(need("Name")?, need("Policy")?).region(region);
            if let Some(seconds) = number("DurationSeconds") {
                op = op.duration_seconds(seconds);
            }
            (op.request(), Parser::Sts)
        }
        "EncryptRequest" => {
            let mut op = kms::Encrypt::new(need("KeyId")?, need("Plaintext")?).region(region);
            if let Some(context) = text("EncryptionContext") {
                op = op.encryption_context(context);
            }
            (op.request(), Parser::Kms(kms::Encrypt::parse))
        }
        "DecryptRequest" => {
            let mut op = kms::Decrypt::new(need("CiphertextBlob")?).region(region);
            if let Some(context) = text("EncryptionContext") {
                op = op.encryption_context(context);
            }
            (op.request(), Parser::Kms(kms::Decrypt::parse))
        }
        _ => {
            let mut op = kms::GenerateDataKey::new(need("KeyId")?).region(region);
            if let Some(spec) = text("KeySpec") {
                op = op.key_spec(spec);
            }
            if let Some(context) = text("EncryptionContext") {
                op = op.encryption_context(context);
            }
            (op.request(), Parser::Kms(kms::GenerateDataKey::parse))
        }
    };
    let request = match input.method.as_str() {
        "GET" => request.method(CloudMethod::Get),
        _ => request,
    };
    Ok((request, parser))
}

/// How an answer is read.
enum Parser {
    Sts,
    Kms(fn(u16, &[u8]) -> Result<KmsOutput, CloudApiError>),
}

fn check_case(case: &Case) -> Result<Mismatches, String> {
    let input = &case.input;
    let (request, parser) = typed_call(input)?;
    let mut credentials = Credentials::new(
        input.secret_id.as_deref().unwrap_or_default(),
        input.secret_key.as_deref().unwrap_or_default(),
    )
    .map_err(|e| format!("credentials: {e}"))?;
    if let Some(token) = &input.token {
        credentials = credentials
            .with_token(token)
            .map_err(|e| format!("token: {e}"))?;
    }
    let call = request
        .build(&credentials, input.timestamp, [0x5a; 16])
        .map_err(|e| format!("build failed: {e}"))?;
    let mut m = Mismatches::default();
    let first = case
        .expected
        .attempts
        .first()
        .ok_or("the SDK sent nothing")?;
    compare_call(&mut m, &first.request, first.signing.as_ref(), call);

    let answer = input.responses.first().ok_or("no response served")?;
    let status = answer
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .ok_or("the served answer has no status")?;
    let body = answer
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .as_bytes();
    let parsed: Result<Value, CloudApiError> = match parser {
        Parser::Sts => StsCredentials::parse(status, body).map(|c| {
            serde_json::json!({
                "Credentials": {
                    "Token": c.token, "TmpSecretId": c.tmp_secret_id, "TmpSecretKey": c.tmp_secret_key,
                },
                "ExpiredTime": c.expired_time, "Expiration": c.expiration, "RequestId": c.request_id,
            })
        }),
        Parser::Kms(parse) => parse(status, body).map(|o| {
            serde_json::json!({
                "KeyId": o.key_id, "Plaintext": o.plaintext,
                "CiphertextBlob": o.ciphertext_blob, "RequestId": o.request_id,
            })
        }),
    };
    let result = &case.expected.result;
    match (result.get("kind").and_then(Value::as_str), parsed) {
        (Some("model"), Ok(ours)) => {
            let fields = result.get("fields").and_then(Value::as_object);
            for (name, want) in fields.into_iter().flatten() {
                m.eq(name, want, ours.get(name).unwrap_or(&Value::Null));
            }
        }
        (Some("exception"), Err(err)) => {
            let exception = result.get("exception").cloned().unwrap_or(Value::Null);
            let field = |name: &str| {
                exception
                    .get(name)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            m.eq("code", &field("code"), &Some(err.code().to_owned()));
            match &err {
                CloudApiError::Service {
                    message,
                    request_id,
                    ..
                } => {
                    m.eq("message", &field("message"), &Some(message.clone()));
                    m.eq("request_id", &field("request_id"), request_id);
                }
                CloudApiError::Status { body, .. } => {
                    m.eq("message", &field("message"), &Some(body.clone()));
                }
                _ => {}
            }
        }
        (kind, parsed) => m.push(format!("the SDK's result is {kind:?}, ours {parsed:?}")),
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_fails_on_an_altered_vector() {
        let dir = crate::vectors::default_dir().join("cloud-api");
        for (file, from, to) in [
            (
                "sts.json",
                "\"RequestId\": \"d32c6596",
                "\"RequestId\": \"e32c6596",
            ),
            (
                "kms.json",
                "\"code\": \"ResourceUnavailable.CmkNotFound\"",
                "\"code\": \"ResourceUnavailable\"",
            ),
            (
                "sts.json",
                "\"DurationSeconds\": 7200",
                "\"DurationSeconds\": 7201",
            ),
        ] {
            let text = std::fs::read_to_string(dir.join(file)).expect("the shared vectors");
            assert!(
                check(file, &text)
                    .iter()
                    .all(|c| !matches!(c.verdict, Verdict::Fail(_)))
            );
            assert!(text.contains(from), "{from}");
            let altered = text.replacen(from, to, 1);
            assert!(
                check(file, &altered)
                    .iter()
                    .any(|c| matches!(c.verdict, Verdict::Fail(_))),
                "{from} -> {to} went unnoticed"
            );
        }
    }
}
