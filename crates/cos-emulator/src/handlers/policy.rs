//! PUT, GET and DELETE Bucket `?policy` (a JSON document), and the one thing the emulator
//! reads from a policy: whether it lets anonymous users read objects.
//!
//! PUT accepts a JSON object whose `Statement` is a non-empty array of statements, each
//! with an `Effect` (`allow`/`deny`, any case), an `Action` and a `Resource` (a string or
//! an array of strings). Text that is not JSON is `400 MalformedPolicy`; JSON without
//! that shape is `400 PolicyInvalid` (what COS answers for `{"version": "2.0"}`). The
//! text is stored and served as sent (`Content-Type: application/json`).
//!
//! Only anonymous access is evaluated ([`allows_anonymous`]): signed requests are
//! allowed everything, as everywhere in the emulator.

use http::{Response, StatusCode};
use serde_json::Value;

use super::MAX_DOCUMENT;
use super::bucket_config::stored;
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, empty, set_header};
use crate::errors::{CosError, ErrorCode};

const KEY: &str = "policy";

fn invalid(message: &str) -> CosError {
    CosError::with_message(ErrorCode::PolicyInvalid, message.to_owned())
}

/// A string or an array of strings, as policies write lists.
fn strings(value: Option<&Value>) -> Option<Vec<&str>> {
    match value? {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// Checks a policy document's shape.
fn check(policy: &Value) -> Result<(), CosError> {
    let statements = policy
        .get("Statement")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("The policy needs a non-empty Statement array."))?;
    for statement in statements {
        let effect = statement
            .get("Effect")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        if !matches!(effect.as_deref(), Some("allow" | "deny")) {
            return Err(invalid("Every statement needs an Effect of allow or deny."));
        }
        for field in ["Action", "Resource"] {
            if strings(statement.get(field)).is_none_or(|v| v.is_empty()) {
                return Err(invalid(&format!("Every statement needs a {field}.")));
            }
        }
    }
    Ok(())
}

/// PUT Bucket policy.
pub(crate) async fn put_policy(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedPolicy)
        .await?;
    let text = String::from_utf8(document.to_vec())
        .map_err(|_| CosError::new(ErrorCode::MalformedPolicy))?;
    let policy: Value =
        serde_json::from_str(&text).map_err(|_| CosError::new(ErrorCode::MalformedPolicy))?;
    check(&policy)?;
    req.app.store.update_bucket(&req.bucket, |record| {
        record.configs.insert(KEY.to_owned(), text);
        Ok(())
    })?;
    Ok(empty(StatusCode::OK))
}

/// GET Bucket policy (`404 NoSuchBucketPolicy` when none is set).
pub(crate) fn get_policy(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let text = stored(req, KEY).ok_or_else(|| CosError::new(ErrorCode::NoSuchBucketPolicy))?;
    let len = text.len();
    let mut response = Response::new(ResponseBody::bytes(text));
    set_header(&mut response, "content-type", "application/json");
    set_header(&mut response, "content-length", &len.to_string());
    Ok(response)
}

/// DELETE Bucket policy (204).
pub(crate) fn delete_policy(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    req.app.store.update_bucket(&req.bucket, |record| {
        record.configs.remove(KEY);
        Ok(())
    })?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `*` matches any run of characters; everything else matches itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| glob(rest, &tail[i..]))
        }
    }
}

fn names_anyone(principal: Option<&Value>) -> bool {
    let Some(principal) = principal else {
        return false;
    };
    if principal.as_str() == Some("*") {
        return true;
    }
    strings(principal.get("qcs")).is_some_and(|ids| {
        ids.iter()
            .any(|id| *id == "*" || *id == "qcs::cam::anyone:anyone")
    })
}

fn names_action(actions: Option<&Value>, action: &str) -> bool {
    strings(actions).is_some_and(|list| {
        list.iter().any(|a| {
            let a = a.strip_prefix("name/").unwrap_or(a);
            glob(&a.to_ascii_lowercase(), &action.to_ascii_lowercase())
        })
    })
}

fn names_object(resources: Option<&Value>, bucket: &str, key: &str) -> bool {
    let marker = format!(":{bucket}/");
    strings(resources).is_some_and(|list| {
        list.iter().any(|r| {
            *r == "*"
                || r.find(&marker)
                    .is_some_and(|at| glob(&r[at + marker.len()..], key))
        })
    })
}

/// `true` when the policy text lets anonymous users perform `action` (`cos:GetObject`,
/// `cos:HeadObject`) on `bucket`/`key`: some `allow` statement names everyone
/// (`"Principal": "*"`, or `{"qcs": ["*"]}` / `qcs::cam::anyone:anyone`), the action
/// (`name/cos:GetObject`, `cos:*`, `*`) and the object (`…:<bucket>/<pattern>` with `*`
/// wildcards, or `*`), and no matching `deny` statement does. Conditions are ignored.
pub(crate) fn allows_anonymous(policy: &str, action: &str, bucket: &str, key: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let Some(statements) = policy.get("Statement").and_then(Value::as_array) else {
        return false;
    };
    let mut allowed = false;
    for statement in statements {
        let applies = names_anyone(statement.get("Principal"))
            && names_action(statement.get("Action"), action)
            && names_object(statement.get("Resource"), bucket, key);
        if !applies {
            continue;
        }
        match statement
            .get("Effect")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("deny") => return false,
            Some("allow") => allowed = true,
            _ => {}
        }
    }
    allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::anyone:anyone"]},
        "Effect":"allow","Action":["name/cos:GetObject"],
        "Resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/public/*"]}],"version":"2.0"}"#;

    #[test]
    fn anonymous_reads_follow_the_statements() {
        assert!(allows_anonymous(
            PUBLIC,
            "cos:GetObject",
            "b-1250000000",
            "public/a.txt"
        ));
        assert!(!allows_anonymous(
            PUBLIC,
            "cos:GetObject",
            "b-1250000000",
            "private/a.txt"
        ));
        assert!(!allows_anonymous(
            PUBLIC,
            "cos:PutObject",
            "b-1250000000",
            "public/a.txt"
        ));
        assert!(!allows_anonymous(
            PUBLIC,
            "cos:GetObject",
            "other-1250000000",
            "public/a"
        ));
        let denied = r#"{"Statement":[
            {"Principal":"*","Effect":"allow","Action":"*","Resource":"*"},
            {"Principal":{"qcs":["*"]},"Effect":"Deny","Action":"cos:GetObject","Resource":"*"}]}"#;
        assert!(!allows_anonymous(denied, "cos:GetObject", "b", "k"));
        assert!(allows_anonymous(denied, "cos:HeadObject", "b", "k"));
    }

    #[test]
    fn shapes_are_checked() {
        let value = |text: &str| serde_json::from_str::<Value>(text).expect("json");
        assert!(check(&value(PUBLIC)).is_ok());
        assert_eq!(
            check(&value(r#"{"version":"2.0"}"#))
                .expect_err("no statement")
                .code,
            ErrorCode::PolicyInvalid
        );
        assert!(
            check(&value(
                r#"{"Statement":[{"Effect":"maybe","Action":"*","Resource":"*"}]}"#
            ))
            .is_err()
        );
    }
}
