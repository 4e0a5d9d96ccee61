//! `cloud-api/tc3_signature.json`: Cloud API 3.0 requests signed with `TC3-HMAC-SHA256`,
//! rebuilt with `cos_proto::cloud_api` and compared with what the official Python SDK
//! sent: method, URL, body, every header but the transport's own, and each intermediate
//! of the signature.
//!
//! The file is read into typed structures whose parameter objects keep their keys in the
//! file's order (the SDK writes them in the order given).

use std::fmt;

use cos_proto::Credentials;
use cos_proto::cloud_api::{CloudApiRequest, CloudMethod, Param, REQUEST_CLIENT};
use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};

use super::{CaseResult, Mismatches, Verdict};

/// The transport's own headers (`requests`' defaults): not the API's.
const TRANSPORT_HEADERS: [&str; 4] = ["user-agent", "accept-encoding", "accept", "connection"];

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
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    service: String,
    version: String,
    action: String,
    region: String,
    timestamp: u64,
    method: String,
    profile: Profile,
    call: Call,
}

#[derive(Deserialize)]
struct Profile {
    protocol: String,
    endpoint: Option<String>,
    language: Option<String>,
    request_client: Option<String>,
}

#[derive(Deserialize)]
struct Call {
    params: Option<Ordered>,
    serialized_params: Option<Ordered>,
    headers: Option<Ordered>,
    options: Option<Ordered>,
}

#[derive(Deserialize)]
struct Expected {
    request: WireRequest,
    signing: Option<Signing>,
}

#[derive(Deserialize)]
pub(super) struct WireRequest {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
pub(super) struct Signing {
    date: String,
    credential_scope: String,
    hashed_payload: String,
    canonical_request: String,
    string_to_sign: String,
    secret_date: String,
    secret_service: String,
    signing_key: String,
    signature: String,
    authorization: String,
}

/// A JSON value read into a [`Param`], objects in document order.
pub(super) struct Ordered(pub(super) Param);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor).map(Ordered)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Param;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Param, E> {
        Ok(Param::Null)
    }
    fn visit_none<E>(self) -> Result<Param, E> {
        Ok(Param::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Param, E> {
        Ok(Param::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Param, E> {
        Ok(Param::Int(i128::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Param, E> {
        Ok(Param::Int(i128::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Param, E> {
        Ok(Param::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Param, E> {
        Ok(Param::Str(v.to_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Param, A::Error> {
        let mut items = Vec::new();
        while let Some(Ordered(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Param::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Param, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, Ordered(value))) = map.next_entry::<String, Ordered>()? {
            entries.push((key, value));
        }
        Ok(Param::Object(entries))
    }
}

pub(super) fn entries(value: Option<&Ordered>) -> Vec<(String, Param)> {
    match value {
        Some(Ordered(Param::Object(entries))) => entries.clone(),
        _ => Vec::new(),
    }
}

/// Checks every case of a `tc3_signature.json` document.
pub(super) fn check_tc3(name: &str, text: &str) -> Vec<CaseResult> {
    check_document(
        name,
        text,
        |file: &File| &file.cases,
        |case| &case.id,
        |case| {
            check_case(case)
                .map(Mismatches::verdict)
                .unwrap_or_else(Verdict::Fail)
        },
    )
}

/// Reads a typed vector document and checks each of its cases; a document that does not
/// read is one failed case, a check that panics fails its case.
pub(super) fn check_document<F, C>(
    name: &str,
    text: &str,
    cases: impl Fn(&F) -> &[C],
    id: impl Fn(&C) -> &str,
    check: impl Fn(&C) -> Verdict + std::panic::RefUnwindSafe,
) -> Vec<CaseResult>
where
    F: serde::de::DeserializeOwned,
    C: std::panic::RefUnwindSafe,
{
    let file: F = match serde_json::from_str(text) {
        Ok(file) => file,
        Err(err) => {
            return vec![CaseResult {
                file: name.to_owned(),
                id: "-".into(),
                verdict: Verdict::Fail(format!("not a {name} document: {err}")),
            }];
        }
    };
    cases(&file)
        .iter()
        .map(|case| CaseResult {
            file: name.to_owned(),
            id: id(case).to_owned(),
            verdict: std::panic::catch_unwind(|| check(case))
                .unwrap_or_else(|_| Verdict::Fail("panicked".into())),
        })
        .collect()
}

fn check_case(case: &Case) -> Result<Mismatches, String> {
    let input = &case.input;
    let mut request = CloudApiRequest::new(&input.service, &input.version, &input.action)
        .region(&input.region)
        .insecure_http(input.profile.protocol == "http")
        .language(input.profile.language.clone());
    request = match input.method.as_str() {
        "GET" => request.method(CloudMethod::Get),
        _ => request.method(CloudMethod::Post),
    };
    if let Some(endpoint) = &input.profile.endpoint {
        request = request.endpoint(endpoint);
    }
    if let Some(name) = &input.profile.request_client {
        request = request.request_client(name);
    }
    let params = input
        .call
        .params
        .as_ref()
        .or(input.call.serialized_params.as_ref());
    for (name, value) in entries(params) {
        request = request.param(name, value);
    }
    for (name, value) in entries(input.call.headers.as_ref()) {
        if let Param::Str(value) = value {
            request = request.header(name, value);
        }
    }
    if entries(input.call.options.as_ref())
        .iter()
        .any(|(name, value)| name == "SkipSign" && *value == Param::Bool(true))
    {
        request = request.skip_sign(true);
    }
    let mut credentials = Credentials::new(&input.secret_id, &input.secret_key)
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
    compare_call(
        &mut m,
        &case.expected.request,
        case.expected.signing.as_ref(),
        call,
    );
    Ok(m)
}

/// Compares a built call with the wire request and signature the SDK produced.
pub(super) fn compare_call(
    m: &mut Mismatches,
    expected: &WireRequest,
    signing: Option<&Signing>,
    call: cos_proto::cloud_api::CloudApiCall,
) {
    m.eq(
        "method",
        expected.method.as_str(),
        call.request.method().as_str(),
    );
    let url = call.request.uri().to_string();
    m.eq("url", expected.url.as_str(), url.as_str());
    let body = String::from_utf8_lossy(call.request.body());
    m.eq("body", expected.body.as_deref().unwrap_or(""), &body);

    let mut want: Vec<(String, String)> = Vec::new();
    for (name, value) in &expected.headers {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            n if TRANSPORT_HEADERS.contains(&n) => {}
            // Random per call: a caller's own value is kept, ours is a UUID.
            "x-tc-traceid" if value.len() == 36 && value.matches('-').count() == 4 => {}
            // The SDK names itself; we name ourselves, and keep the caller's suffix.
            "x-tc-requestclient" => {
                let suffix = value.split_once("; ").map(|(_, s)| s);
                let ours = match suffix {
                    Some(suffix) => format!("{REQUEST_CLIENT}; {suffix}"),
                    None => REQUEST_CLIENT.to_owned(),
                };
                want.push((lower, ours));
            }
            _ => want.push((lower, value.clone())),
        }
    }
    let mut got: Vec<(String, String)> = Vec::new();
    for (name, value) in call.request.headers() {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "x-tc-traceid" && !want.iter().any(|(n, _)| n == "x-tc-traceid") {
            if value.len() != 36 || value.matches('-').count() != 4 {
                m.push(format!("X-TC-TraceId {value:?} is not a UUID"));
            }
            continue;
        }
        got.push((name.as_str().to_owned(), value));
    }
    want.sort();
    got.sort();
    m.eq("headers", &want, &got);

    let ours = call.signing.map(|s| Signing {
        date: s.date,
        credential_scope: s.credential_scope,
        hashed_payload: s.hashed_payload,
        canonical_request: s.canonical_request,
        string_to_sign: s.string_to_sign,
        secret_date: s.secret_date,
        secret_service: s.secret_service,
        signing_key: s.signing_key,
        signature: s.signature,
        authorization: s.authorization,
    });
    m.eq("signing", &signing.cloned(), &ours);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_file() -> Option<String> {
        let path = crate::vectors::default_dir()
            .join("cloud-api")
            .join("tc3_signature.json");
        std::fs::read_to_string(path).ok()
    }

    #[test]
    fn the_runner_fails_on_an_altered_vector() {
        let Some(text) = shared_file() else {
            panic!("../shared/vectors/cloud-api/tc3_signature.json is missing");
        };
        let pristine = check_tc3("tc3", &text);
        assert!(pristine.iter().all(|c| c.verdict == Verdict::Pass));
        for (from, to) in [
            ("\"signature\": \"9e8de188", "\"signature\": \"9e8de189"),
            (
                "\"X-TC-Action\",\n       \"AssumeRole\"",
                "\"X-TC-Action\",\n       \"AssumeRolE\"",
            ),
            ("sts.tencentcloudapi.com/\"", "sts.tencentcloudapi.com/x\""),
        ] {
            assert!(text.contains(from), "{from}");
            let altered = text.replacen(from, to, 1);
            let results = check_tc3("tc3", &altered);
            assert!(
                results
                    .iter()
                    .any(|c| matches!(c.verdict, Verdict::Fail(_))),
                "{from} -> {to} went unnoticed"
            );
        }
    }
}
