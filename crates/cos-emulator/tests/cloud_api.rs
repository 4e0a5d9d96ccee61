//! The emulator as Tencent Cloud: Cloud API 3.0 calls (STS, KMS) checked with TC3
//! signatures, temporary keys accepted by COS until they expire, the CVM metadata
//! endpoint, and the counters. Calls are built with cos-proto's `cloud_api` and sent as
//! raw HTTP/1.1.

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{BUCKET, Client, NOW, Raw, exchange, head_bytes};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Credentials;
use cos_proto::cloud_api::kms::{Decrypt, Encrypt, GenerateDataKey, KmsOutput};
use cos_proto::cloud_api::response::parse_response;
use cos_proto::cloud_api::sts::{
    AssumeRole, AssumeRoleWithWebIdentity, GetFederationToken, StsCredentials,
};
use cos_proto::cloud_api::tc3::{self, Tc3Input};
use cos_proto::cloud_api::{CloudApiError, CloudApiRequest, CloudMethod};
use cos_proto::presign::Presign;
use proptest::strategy::Strategy;

const ROLE_ARN: &str = "qcs::cam::uin/100000000001:roleName/uploader";
const KEY_ID: &str = "23e80852-1e38-11e9-b129-5cb9019b4b01";

fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config.fixed_time(NOW).bucket(BUCKET, false)).expect("starts")
}

fn emulator() -> Emulator {
    start(EmulatorConfig::new())
}

/// Builds `request` for the emulator, signed by `creds` at `timestamp`, and sends it.
fn send_at(
    emulator: &Emulator,
    request: CloudApiRequest,
    creds: &Credentials,
    timestamp: u64,
) -> Raw {
    let call = request
        .endpoint(emulator.authority())
        .insecure_http(true)
        .build(creds, timestamp, [7; 16])
        .expect("builds");
    send_request(emulator, &call.request)
}

fn send_request(emulator: &Emulator, request: &http::Request<bytes::Bytes>) -> Raw {
    let mut bytes = head_bytes(request);
    bytes.extend_from_slice(request.body());
    exchange(emulator.addr(), &bytes).expect("exchange")
}

/// Sends `request` signed by the emulator's own credentials at its clock.
fn send(emulator: &Emulator, request: CloudApiRequest) -> Raw {
    send_at(emulator, request, emulator.credentials(), emulator.now())
}

/// The Cloud API error code of an answer (which must be a 200 with exactly
/// `Content-Type: application/json`).
#[track_caller]
fn error_code(raw: &Raw) -> String {
    assert_eq!(raw.status, 200, "{}", raw.text());
    assert_eq!(raw.header("content-type"), Some("application/json"));
    match parse_response(raw.status, &raw.body) {
        Err(CloudApiError::Service {
            code, request_id, ..
        }) => {
            assert_eq!(request_id.map(|r| r.len()), Some(36), "{}", raw.text());
            code
        }
        other => panic!("expected a service error, got {other:?}: {}", raw.text()),
    }
}

#[track_caller]
fn keys(raw: &Raw) -> StsCredentials {
    assert_eq!(raw.header("content-type"), Some("application/json"));
    StsCredentials::parse(raw.status, &raw.body).unwrap_or_else(|e| panic!("{e}: {}", raw.text()))
}

fn assume_role(emulator: &Emulator) -> StsCredentials {
    keys(&send(emulator, AssumeRole::new(ROLE_ARN, "s1").request()))
}

#[test]
fn assume_role_issues_unique_keys_that_expire_on_the_emulator_clock() {
    let emulator = emulator();
    let first = assume_role(&emulator);
    assert!(first.tmp_secret_id.starts_with("AKID"), "{first:?}");
    assert!(first.tmp_secret_key.len() >= 32);
    assert!(first.token.len() >= 100);
    assert_eq!(first.expired_time, Some(NOW + 7200));
    assert_eq!(first.expiration.as_deref(), Some("2023-11-15T00:13:20Z"));
    let id = first.request_id.clone().expect("request id");
    assert_eq!((id.len(), &id[14..15]), (36, "4"), "a version-4 UUID: {id}");
    let second = assume_role(&emulator);
    assert_ne!(first.tmp_secret_id, second.tmp_secret_id);
    assert_ne!(first.tmp_secret_key, second.tmp_secret_key);
    assert_ne!(first.token, second.token);
    assert_ne!(first.request_id, second.request_id);
}

#[test]
fn a_tampered_body_or_a_wrong_key_is_a_signature_failure() {
    let emulator = emulator();
    let call = AssumeRole::new(ROLE_ARN, "s1")
        .duration_seconds(900)
        .request()
        .endpoint(emulator.authority())
        .insecure_http(true)
        .build(emulator.credentials(), NOW, [1; 16])
        .expect("builds");
    let mut request = call.request;
    let body = String::from_utf8(request.body().to_vec()).expect("utf-8");
    *request.body_mut() = body.replace("900", "901").into();
    let raw = send_request(&emulator, &request);
    assert_eq!(error_code(&raw), "AuthFailure.SignatureFailure");
    let wrong_key =
        Credentials::new(emulator.credentials().secret_id(), "not-the-key").expect("creds");
    let raw = send_at(
        &emulator,
        AssumeRole::new(ROLE_ARN, "s1").request(),
        &wrong_key,
        NOW,
    );
    assert_eq!(error_code(&raw), "AuthFailure.SignatureFailure");
    assert_eq!(emulator.cloud_api_calls("AssumeRole"), 2);
}

#[test]
fn timestamps_more_than_five_minutes_away_are_expired() {
    let emulator = emulator();
    let creds = emulator.credentials().clone();
    for off in [NOW - 301, NOW + 301] {
        let raw = send_at(
            &emulator,
            AssumeRole::new(ROLE_ARN, "s1").request(),
            &creds,
            off,
        );
        assert_eq!(error_code(&raw), "AuthFailure.SignatureExpire", "{off}");
    }
    for within in [NOW - 300, NOW + 300] {
        let raw = send_at(
            &emulator,
            AssumeRole::new(ROLE_ARN, "s1").request(),
            &creds,
            within,
        );
        keys(&raw);
    }
}

#[test]
fn unknown_secret_ids_are_not_found() {
    let emulator = emulator();
    let stranger = Credentials::new("AKIDstranger", "key").expect("creds");
    let raw = send_at(
        &emulator,
        AssumeRole::new(ROLE_ARN, "s1").request(),
        &stranger,
        NOW,
    );
    assert_eq!(error_code(&raw), "AuthFailure.SecretIdNotFound");
}

#[test]
fn web_identity_calls_may_be_unsigned_and_the_token_is_checked_when_configured() {
    let emulator = emulator();
    let anyone = Credentials::new("AKIDunused", "unused").expect("creds");
    let op =
        AssumeRoleWithWebIdentity::new("OIDC", "any-jwt", ROLE_ARN, "pod-1").duration_seconds(3600);
    let call = op
        .request()
        .endpoint(emulator.authority())
        .build(&anyone, NOW, [0; 16])
        .expect("builds");
    assert_eq!(call.request.headers()["authorization"], "SKIP");
    let got = keys(&send_request(&emulator, &call.request));
    assert_eq!(got.expired_time, Some(NOW + 3600));
    // Only this action may skip the signature.
    let raw = send_at(
        &emulator,
        AssumeRole::new(ROLE_ARN, "s1").request().skip_sign(true),
        &anyone,
        NOW,
    );
    assert_eq!(error_code(&raw), "AuthFailure.InvalidAuthorization");

    let strict = start(EmulatorConfig::new().web_identity_token("the-jwt"));
    let wrong = AssumeRoleWithWebIdentity::new("OIDC", "other-jwt", ROLE_ARN, "pod-1");
    let raw = send_at(&strict, wrong.request(), &anyone, NOW);
    assert_eq!(error_code(&raw), "InvalidParameter.WebIdentityTokenError");
    let right = AssumeRoleWithWebIdentity::new("OIDC", "the-jwt", ROLE_ARN, "pod-1");
    let got = keys(&send_at(&strict, right.request(), &anyone, NOW));
    assert_eq!(got.expired_time, Some(NOW + 7200));
    let empty = AssumeRoleWithWebIdentity::new("OIDC", "", ROLE_ARN, "pod-1");
    assert_eq!(
        error_code(&send_at(&strict, empty.request(), &anyone, NOW)),
        "MissingParameter"
    );
}

#[test]
fn federation_tokens_last_half_an_hour_by_default() {
    let emulator = emulator();
    let policy = "%7B%22version%22%3A%222.0%22%7D";
    let got = keys(&send(
        &emulator,
        GetFederationToken::new("alice", policy).request(),
    ));
    assert_eq!(got.expired_time, Some(NOW + 1800));
    let raw = send(
        &emulator,
        GetFederationToken::new("alice", policy)
            .duration_seconds(7201)
            .request(),
    );
    assert_eq!(error_code(&raw), "InvalidParameterValue");
    let raw = send(&emulator, GetFederationToken::new("alice", "").request());
    assert_eq!(error_code(&raw), "MissingParameter");
}

#[test]
fn durations_are_bounded_and_capped_by_the_configuration() {
    let emulator = emulator();
    for bad in [0, 899, 43_201] {
        let raw = send(
            &emulator,
            AssumeRole::new(ROLE_ARN, "s1")
                .duration_seconds(bad)
                .request(),
        );
        assert_eq!(error_code(&raw), "InvalidParameterValue", "{bad}");
    }
    for good in [900, 43_200] {
        let raw = send(
            &emulator,
            AssumeRole::new(ROLE_ARN, "s1")
                .duration_seconds(good)
                .request(),
        );
        assert_eq!(keys(&raw).expired_time, Some(NOW + good));
    }
    let raw = send(&emulator, AssumeRole::new("uploader", "s1").request());
    assert_eq!(error_code(&raw), "InvalidParameter.RoleNotExist");

    let capped = start(EmulatorConfig::new().sts_max_duration(Duration::from_secs(60)));
    assert_eq!(assume_role(&capped).expired_time, Some(NOW + 60));
}

/// A COS client signing with `creds` at the emulator's current time.
fn cos_client(emulator: &Emulator, creds: Credentials) -> Client {
    Client::for_addr(emulator.addr(), BUCKET, creds, emulator.now())
}

#[test]
fn temporary_keys_work_on_cos_with_their_token_until_they_expire() {
    let emulator = start(EmulatorConfig::new().sts_max_duration(Duration::from_secs(900)));
    let issued = assume_role(&emulator);
    let creds = issued.credentials().expect("valid");
    let client = cos_client(&emulator, creds.clone());
    client.put("temp.txt", b"temporary");
    let raw = client.get("temp.txt");
    assert_eq!((raw.status, raw.body.as_slice()), (200, &b"temporary"[..]));

    // A presigned URL carries the token in its query.
    let url = Presign::get("temp.txt")
        .url(&client.config, &creds, emulator.now())
        .expect("url");
    let path = url.splitn(4, '/').nth(3).expect("path");
    let request = format!(
        "GET /{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        emulator.authority()
    );
    let raw = exchange(emulator.addr(), request.as_bytes()).expect("exchange");
    assert_eq!((raw.status, raw.body.as_slice()), (200, &b"temporary"[..]));

    let no_token = Credentials::new(&issued.tmp_secret_id, &issued.tmp_secret_key).expect("c");
    cos_client(&emulator, no_token.clone())
        .get("temp.txt")
        .assert_error(403, "InvalidAccessKeyId");
    let wrong_token = no_token.with_token("not-the-token").expect("c");
    cos_client(&emulator, wrong_token)
        .get("temp.txt")
        .assert_error(403, "InvalidAccessKeyId");
    let unknown = Credentials::new("AKIDneverissued", "k")
        .expect("c")
        .with_token(&issued.token)
        .expect("c");
    cos_client(&emulator, unknown)
        .get("temp.txt")
        .assert_error(403, "InvalidAccessKeyId");

    // One second before the end it still works; at the end it is expired.
    emulator.set_clock_offset(899);
    assert_eq!(
        cos_client(&emulator, creds.clone()).get("temp.txt").status,
        200
    );
    emulator.set_clock_offset(900);
    cos_client(&emulator, creds.clone())
        .get("temp.txt")
        .assert_error(400, "ExpiredToken");
    // The configured keys are unaffected.
    assert_eq!(Client::new(&emulator, BUCKET).get("temp.txt").status, 200);
}

#[test]
fn temporary_keys_sign_cloud_api_calls_with_their_token() {
    let emulator = emulator();
    let issued = assume_role(&emulator);
    let creds = issued.credentials().expect("valid");
    let encrypt = Encrypt::new(KEY_ID, STANDARD.encode("hello"));
    let raw = send_at(&emulator, encrypt.request(), &creds, NOW);
    let out = Encrypt::parse(raw.status, &raw.body).expect("encrypts");
    assert_eq!(out.key_id.as_deref(), Some(KEY_ID));
    let chained = keys(&send_at(
        &emulator,
        AssumeRole::new(ROLE_ARN, "s2").request(),
        &creds,
        NOW,
    ));
    assert_ne!(chained.tmp_secret_id, issued.tmp_secret_id);

    let no_token = Credentials::new(&issued.tmp_secret_id, &issued.tmp_secret_key).expect("c");
    let raw = send_at(&emulator, encrypt.request(), &no_token, NOW);
    assert_eq!(error_code(&raw), "AuthFailure.TokenFailure");
    assert_eq!(emulator.expire_temporary_keys(), 2);
    let raw = send_at(&emulator, encrypt.request(), &creds, NOW);
    assert_eq!(error_code(&raw), "AuthFailure.TokenFailure");
}

fn metadata_get(emulator: &Emulator, path: &str) -> Raw {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        emulator.authority()
    );
    exchange(emulator.addr(), request.as_bytes()).expect("exchange")
}

const CREDENTIALS_PATH: &str = "/latest/meta-data/cam/security-credentials/";

#[test]
fn the_metadata_endpoint_lists_the_role_and_issues_its_keys() {
    let emulator = start(EmulatorConfig::new().cvm_role("CVM_QcsRole"));
    let listing = metadata_get(&emulator, CREDENTIALS_PATH);
    assert_eq!(listing.status, 200);
    assert_eq!(listing.header("content-type"), Some("text/plain"));
    assert_eq!(listing.text(), "CVM_QcsRole");

    let raw = metadata_get(&emulator, &format!("{CREDENTIALS_PATH}CVM_QcsRole"));
    assert_eq!(raw.status, 200, "{}", raw.text());
    let doc: serde_json::Value = serde_json::from_slice(&raw.body).expect("json");
    let names: Vec<&str> = ["TmpSecretId", "TmpSecretKey", "ExpiredTime", "Expiration"]
        .into_iter()
        .chain(["Token", "Code"])
        .collect();
    let text = raw.text();
    let positions: Vec<usize> = names
        .iter()
        .map(|n| text.find(&format!("\"{n}\"")).expect(n))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "CVM's order: {text}"
    );
    assert_eq!(doc["Code"], "Success");
    assert_eq!(doc["ExpiredTime"], NOW + 7200);
    assert_eq!(doc["Expiration"], "2023-11-15T00:13:20Z");
    let id = doc["TmpSecretId"].as_str().expect("id");
    assert!(id.starts_with("AKID"));
    let creds = Credentials::new(id, doc["TmpSecretKey"].as_str().expect("key"))
        .expect("c")
        .with_token(doc["Token"].as_str().expect("token"))
        .expect("c");
    cos_client(&emulator, creds).put("from-cvm.txt", b"cvm");
    let again = metadata_get(&emulator, &format!("{CREDENTIALS_PATH}CVM_QcsRole"));
    assert!(!again.text().contains(id), "fresh keys on every call");

    assert_eq!(
        metadata_get(&emulator, &format!("{CREDENTIALS_PATH}OtherRole")).status,
        404
    );
    assert_eq!(
        metadata_get(&emulator, "/latest/meta-data/instance-id").status,
        404
    );
    assert_eq!(emulator.metadata_requests(), 5);
}

#[test]
fn without_a_role_the_metadata_endpoint_is_not_found() {
    let emulator = emulator();
    assert_eq!(metadata_get(&emulator, CREDENTIALS_PATH).status, 404);
    assert_eq!(
        metadata_get(&emulator, &format!("{CREDENTIALS_PATH}CVM_QcsRole")).status,
        404
    );
    // On a COS virtual host the same path is an object key.
    let client = Client::virtual_host(&emulator, BUCKET);
    client.put("latest/meta-data/cam/security-credentials/x", b"object");
    assert_eq!(
        client
            .get("latest/meta-data/cam/security-credentials/x")
            .body,
        b"object"
    );
    assert_eq!(emulator.metadata_requests(), 2);
}

fn kms(emulator: &Emulator, request: CloudApiRequest) -> Result<KmsOutput, String> {
    let raw = send(emulator, request);
    assert_eq!(raw.header("content-type"), Some("application/json"));
    Decrypt::parse(raw.status, &raw.body)
        .or_else(|_| Encrypt::parse(raw.status, &raw.body))
        .map_err(|e| e.code().to_owned())
}

#[test]
fn kms_data_keys_and_encryption_round_trip_with_their_context() {
    let emulator = emulator();
    let context = r#"{"bucket":"examplebucket-1250000000","key":"a.txt"}"#;
    let raw = send(
        &emulator,
        GenerateDataKey::new(KEY_ID)
            .key_spec("AES_256")
            .encryption_context(context)
            .request(),
    );
    let data_key = GenerateDataKey::parse(raw.status, &raw.body).expect("a data key");
    let plaintext = data_key.plaintext.expect("plaintext");
    assert_eq!(STANDARD.decode(&plaintext).expect("base64").len(), 32);
    let blob = data_key.ciphertext_blob.expect("blob");
    assert!(!blob.contains(&plaintext));

    let reordered = r#"{"key": "a.txt", "bucket": "examplebucket-1250000000"}"#;
    let opened = kms(
        &emulator,
        Decrypt::new(&blob).encryption_context(reordered).request(),
    )
    .expect("decrypts");
    assert_eq!(opened.plaintext.as_deref(), Some(plaintext.as_str()));
    assert_eq!(opened.key_id.as_deref(), Some(KEY_ID));

    let other = r#"{"bucket":"examplebucket-1250000000","key":"b.txt"}"#;
    let mismatch = kms(
        &emulator,
        Decrypt::new(&blob).encryption_context(other).request(),
    );
    assert_eq!(
        mismatch.expect_err("context"),
        "InvalidParameterValue.InvalidCiphertext"
    );
    let missing = kms(&emulator, Decrypt::new(&blob).request());
    assert_eq!(
        missing.expect_err("no context"),
        "InvalidParameterValue.InvalidCiphertext"
    );
    let mut bytes = STANDARD.decode(&blob).expect("base64");
    for index in [0, 3, bytes.len() / 2, bytes.len() - 1] {
        bytes[index] ^= 1;
        let altered = STANDARD.encode(&bytes);
        bytes[index] ^= 1;
        let result = kms(
            &emulator,
            Decrypt::new(altered).encryption_context(context).request(),
        );
        assert!(result.is_err(), "byte {index} altered");
    }
    assert_eq!(
        kms(&emulator, Decrypt::new("not base64!").request()).expect_err("garbage"),
        "InvalidParameterValue.InvalidCiphertext"
    );

    let sealed = kms(
        &emulator,
        Encrypt::new(KEY_ID, STANDARD.encode("cos data key material")).request(),
    )
    .expect("encrypts");
    let opened = kms(
        &emulator,
        Decrypt::new(sealed.ciphertext_blob.expect("blob")).request(),
    )
    .expect("decrypts");
    assert_eq!(
        opened.plaintext.as_deref(),
        Some(STANDARD.encode("cos data key material").as_str())
    );
    let raw = send(
        &emulator,
        GenerateDataKey::new(KEY_ID).number_of_bytes("24").request(),
    );
    let out = GenerateDataKey::parse(raw.status, &raw.body).expect("24 bytes");
    let len = STANDARD
        .decode(out.plaintext.expect("p"))
        .expect("b64")
        .len();
    assert_eq!(len, 24);
    assert_eq!(emulator.cloud_api_calls("Decrypt"), 9);
    assert_eq!(emulator.cloud_api_calls("GenerateDataKey"), 2);
}

#[test]
fn kms_refuses_unknown_keys_bad_specs_and_bad_plaintext() {
    let emulator = start(EmulatorConfig::new().kms_key(KEY_ID));
    let raw = send(
        &emulator,
        GenerateDataKey::new("no-such-key")
            .key_spec("AES_256")
            .request(),
    );
    assert_eq!(error_code(&raw), "ResourceUnavailable.CmkNotFound");
    let raw = send(
        &emulator,
        GenerateDataKey::new(KEY_ID).key_spec("AES_512").request(),
    );
    assert_eq!(error_code(&raw), "InvalidParameterValue");
    let raw = send(&emulator, Encrypt::new(KEY_ID, "%%%").request());
    assert_eq!(error_code(&raw), "InvalidParameterValue.InvalidPlaintext");
    let raw = send(
        &emulator,
        Encrypt::new(KEY_ID, STANDARD.encode("x"))
            .encryption_context("not json")
            .request(),
    );
    assert_eq!(error_code(&raw), "InvalidParameterValue");
    // A blob sealed under a key this emulator does not have.
    let other = emulator_blob();
    let raw = send(&emulator, Decrypt::new(other).request());
    assert_eq!(error_code(&raw), "ResourceUnavailable.CmkNotFound");
}

/// A blob from an emulator where every key exists, sealed under `another-key`.
fn emulator_blob() -> String {
    let open = emulator();
    let raw = send(
        &open,
        Encrypt::new("another-key", STANDARD.encode("x")).request(),
    );
    Encrypt::parse(raw.status, &raw.body)
        .expect("encrypts")
        .ciphertext_blob
        .expect("blob")
}

/// A POST signed over exactly `body`, for bodies the request builder would not make.
fn raw_post(emulator: &Emulator, service: &str, action: &str, version: &str, body: &[u8]) -> Raw {
    let creds = emulator.credentials();
    let host = emulator.authority();
    let signing = tc3::sign(
        creds.secret_id(),
        creds.secret_key(),
        Tc3Input {
            method: "POST",
            query: "",
            content_type: "application/json",
            host: &host,
            payload: body,
            service,
            timestamp: NOW,
        },
    );
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         X-TC-Action: {action}\r\nX-TC-Version: {version}\r\nX-TC-Timestamp: {NOW}\r\n\
         Authorization: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        signing.authorization,
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    exchange(emulator.addr(), &request).expect("exchange")
}

#[test]
fn hostile_bodies_and_mismatched_calls_get_cloud_api_errors() {
    let emulator = emulator();
    let sts = |body: &[u8]| raw_post(&emulator, "sts", "AssumeRole", "2018-08-13", body);
    assert_eq!(error_code(&sts(b"{not json")), "InvalidParameter");
    assert_eq!(error_code(&sts(b"[1, 2]")), "InvalidParameter");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(error_code(&sts(deep.as_bytes())), "InvalidParameter");
    assert_eq!(
        error_code(&sts(br#"{"RoleArn": 5, "RoleSessionName": "s1"}"#)),
        "InvalidParameter"
    );
    assert_eq!(
        error_code(&sts(br#"{"RoleSessionName": "s1"}"#)),
        "MissingParameter"
    );
    let arn_and = |duration: &str| {
        format!(
            r#"{{"RoleArn": "{ROLE_ARN}", "RoleSessionName": "s1", "DurationSeconds": {duration}}}"#
        )
    };
    for duration in ["-5", "1.5", "\"abc\"", "18446744073709551616"] {
        assert_eq!(
            error_code(&sts(arn_and(duration).as_bytes())),
            "InvalidParameterValue",
            "{duration}"
        );
    }
    let huge = vec![b' '; 1024 * 1024 + 1];
    assert_eq!(error_code(&sts(&huge)), "RequestSizeLimitExceeded");
    let wrong_version = raw_post(&emulator, "sts", "AssumeRole", "2019-01-18", b"{}");
    assert_eq!(error_code(&wrong_version), "NoSuchVersion");
    let wrong_service = raw_post(&emulator, "kms", "AssumeRole", "2018-08-13", b"{}");
    assert_eq!(error_code(&wrong_service), "InvalidAction");
    let unknown = raw_post(&emulator, "sts", "DeleteEverything", "2018-08-13", b"{}");
    assert_eq!(error_code(&unknown), "InvalidAction");
    common::assert_alive(&emulator);
}

#[test]
fn get_calls_carry_their_parameters_in_the_query() {
    let emulator = emulator();
    let raw = send(
        &emulator,
        AssumeRole::new(ROLE_ARN, "s1")
            .duration_seconds(1000)
            .request()
            .method(CloudMethod::Get),
    );
    assert_eq!(keys(&raw).expired_time, Some(NOW + 1000));
}

#[test]
fn counters_are_kept_per_action_shown_by_the_admin_endpoint_and_reset() {
    let emulator = start(EmulatorConfig::new().cvm_role("r"));
    assume_role(&emulator);
    assume_role(&emulator);
    kms(
        &emulator,
        Encrypt::new(KEY_ID, STANDARD.encode("x")).request(),
    )
    .expect("encrypts");
    metadata_get(&emulator, CREDENTIALS_PATH);
    assert_eq!(emulator.cloud_api_calls("AssumeRole"), 2);
    assert_eq!(emulator.cloud_api_calls("Encrypt"), 1);
    assert_eq!(emulator.cloud_api_calls("Decrypt"), 0);
    assert_eq!(emulator.metadata_requests(), 1);
    let admin = exchange(
        emulator.addr(),
        b"GET /-/emulator/cloud-api HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .expect("admin");
    let doc: serde_json::Value = serde_json::from_slice(&admin.body).expect("json");
    assert_eq!(doc["calls"]["AssumeRole"], 2);
    assert_eq!(doc["calls"]["Encrypt"], 1);
    assert_eq!(doc["metadata_requests"], 1);

    let expire = exchange(
        emulator.addr(),
        b"POST /-/emulator/cloud-api/expire-keys HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .expect("admin");
    let doc: serde_json::Value = serde_json::from_slice(&expire.body).expect("json");
    assert_eq!(doc["expired"], 2);

    emulator.reset().expect("reset");
    assert_eq!(emulator.cloud_api_calls("AssumeRole"), 0);
    assert_eq!(emulator.metadata_requests(), 0);
}

#[test]
fn metadata_answers_through_a_proxy_for_metadata_tencentyun_com() {
    let emulator = start(EmulatorConfig::new().cvm_role("CVM_QcsRole"));
    let request = "GET http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/ \
                   HTTP/1.1\r\nHost: metadata.tencentyun.com\r\nConnection: close\r\n\r\n";
    let raw = exchange(emulator.addr(), request.as_bytes()).expect("exchange");
    assert_eq!((raw.status, raw.text().as_str()), (200, "CVM_QcsRole"));
    let raw = metadata_get(&emulator, "/latest/meta-data/cam/security-credentials/");
    assert_eq!(raw.text(), "CVM_QcsRole");
    let post = format!(
        "POST {CREDENTIALS_PATH} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        emulator.authority()
    );
    let raw = exchange(emulator.addr(), post.as_bytes()).expect("exchange");
    assert_eq!(raw.status, 405);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever a correctly signed call carries in its body, action and version, the
    /// answer is a Cloud API document (an error or keys), and the server stays up.
    #[test]
    fn any_signed_body_gets_a_cloud_api_answer(
        body in proptest::prop_oneof![
            proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
            "\\{(\"[A-Za-z]{1,16}\": (\"[ -~]{0,24}\"|-?[0-9]{1,22}|null|true|\\[\\]|\\{\\}), ){0,6}\"RoleArn\": \"[ -~]{0,40}\"\\}"
                .prop_map(String::into_bytes),
        ],
        action in proptest::prop_oneof![
            proptest::strategy::Just("AssumeRole".to_owned()),
            proptest::strategy::Just("Decrypt".to_owned()),
            proptest::strategy::Just("GetFederationToken".to_owned()),
            "[A-Za-z]{0,12}",
        ],
        kms_scope in proptest::prelude::any::<bool>(),
    ) {
        use proptest::prelude::*;
        let emulator = emulator();
        let (service, version) = if kms_scope { ("kms", "2019-01-18") } else { ("sts", "2018-08-13") };
        let raw = raw_post(&emulator, service, &action, version, &body);
        prop_assert_eq!(raw.status, 200);
        prop_assert_eq!(raw.header("content-type"), Some("application/json"));
        let parsed = parse_response(raw.status, &raw.body);
        prop_assert!(
            !matches!(parsed, Err(CloudApiError::Malformed(_))),
            "{}",
            raw.text()
        );
        common::assert_alive(&emulator);
    }
}
