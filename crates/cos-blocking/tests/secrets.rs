//! No secret — secret key, session token, signature — appears in any Debug, Display,
//! error or tracing output of the client.
#![allow(clippy::unwrap_used)]

use std::io::{self, Read};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cos_blocking::{Client, StaticCredentials};
use cos_emulator::{Emulator, EmulatorConfig, FaultRule};
use cos_proto::ops::{GetObject, HeadObject, PutObject};
use cos_proto::presign::Presign;
use cos_proto::retry::RetryPolicy;
use cos_proto::{Config, Credentials};

const BUCKET: &str = "examplebucket-1250000000";
const SECRET_ID: &str = "AKIDSECRETSTEST000000000000000000";
const SECRET_KEY: &str = "TopSecretKeyValue1234567890abcdef";
const TOKEN: &str = "SessionTokenValueXYZ987654321";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn credentials(key: &str) -> Credentials {
    Credentials::new(SECRET_ID, key)
        .unwrap()
        .with_token(TOKEN)
        .unwrap()
}

#[test]
fn secrets_never_appear_in_output() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emulator = Emulator::start(
        EmulatorConfig::new()
            .bucket(BUCKET, false)
            .credentials(credentials(SECRET_KEY)),
    )
    .unwrap();
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(emulator.authority())
        .build()
        .unwrap();
    let retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    };
    let builder = Client::builder(config.clone())
        .credentials(StaticCredentials::new(credentials(SECRET_KEY)))
        .retry(retry)
        .proxy_from_env(false);
    let mut shown = vec![format!("{builder:?}")];
    let client = builder.build().unwrap();
    shown.push(format!("{client:?}"));

    // Successes, a retried 503, a download, a 404 and a HEAD 404.
    emulator
        .faults()
        .add(FaultRule::status(503, "SlowDown").method("PUT").times(1));
    let put = client
        .put_object(&PutObject::new("secret/a.txt", Some(5)), "hello")
        .unwrap();
    shown.push(format!("{put:?}"));
    let (out, mut body) = client.get_object(&GetObject::new("secret/a.txt")).unwrap();
    let mut data = Vec::new();
    body.read_to_end(&mut data).unwrap();
    shown.push(format!("{out:?} {body:?}"));
    for err in [
        client
            .get_object(&GetObject::new("secret/missing"))
            .map(|_| ())
            .unwrap_err(),
        client
            .head_object(&HeadObject::new("secret/missing"))
            .map(|_| ())
            .unwrap_err(),
    ] {
        shown.push(format!("{err:?} {err}"));
    }

    // A signature mismatch (wrong key): COS echoes its StringToSign and FormatString.
    let wrong = Client::builder(config.clone())
        .credentials(StaticCredentials::new(credentials(
            "WrongKeyValue0000000000",
        )))
        .retry(retry)
        .proxy_from_env(false)
        .build()
        .unwrap();
    let err = wrong
        .head_object(&HeadObject::new("secret/a.txt"))
        .unwrap_err();
    shown.push(format!("{err:?} {err}"));
    let err = wrong
        .get_object(&GetObject::new("secret/a.txt"))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        err.service_error().map(|e| e.code()),
        Some("SignatureDoesNotMatch")
    );
    shown.push(format!("{err:?} {err}"));

    // A transport failure.
    let dead = Client::builder(
        Config::builder("ap-guangzhou", BUCKET)
            .path_style("127.0.0.1:9")
            .build()
            .unwrap(),
    )
    .credentials(StaticCredentials::new(credentials(SECRET_KEY)))
    .retry(retry)
    .proxy_from_env(false)
    .build()
    .unwrap();
    let err = dead.head_object(&HeadObject::new("x")).unwrap_err();
    shown.push(format!("{err:?} {err}"));

    // A presigned URL carries a signature by design; it must not be logged.
    let url = client.presigned_url(&Presign::get("secret/a.txt")).unwrap();
    let signature = url
        .split("q-signature=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    drop(emulator);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("cos_request"), "no request span: {logs}");
    assert!(
        logs.contains("PutObject") && logs.contains("retrying"),
        "{logs}"
    );
    let everything = format!("{}\n{logs}", shown.join("\n"));
    for secret in [
        SECRET_KEY,
        "WrongKeyValue0000000000",
        TOKEN,
        "q-signature",
        "q-sign-algorithm",
        signature.as_str(),
    ] {
        assert!(
            !everything.contains(secret),
            "{secret:?} leaked into:\n{everything}"
        );
    }
    if std::env::var_os("COS_SHOW_SECRETS_TEST_OUTPUT").is_some() {
        eprintln!("{everything}");
    }
}
