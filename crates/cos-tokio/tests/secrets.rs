//! No secret (secret key, session token, signature, `Authorization` value) appears in
//! any `Debug`, `Display`, error or tracing output of the client.

mod common;

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use cos_emulator::{Emulator, EmulatorConfig, FaultRule};
use cos_proto::ops::{GetObject, HeadObject, PutObject};
use cos_proto::presign::Presign;
use cos_proto::{Credentials, ExpiringCredentials};
use cos_tokio::{Client, RefreshingCredentials, StaticCredentials};

const SECRET_ID: &str = "AKIDSECRETSTEST000000000000000000000";
const SECRET_KEY: &str = "Sup3rS3cretKeyThatMustNeverLeak0";
const TOKEN: &str = "SessionTokenThatMustNeverLeak-1234567890";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn credentials() -> Credentials {
    Credentials::new(SECRET_ID, SECRET_KEY)
        .and_then(|c| c.with_token(TOKEN))
        .expect("credentials")
}

/// A 40-hex-digit run: what a q-signature (HMAC-SHA1) looks like.
fn has_sha1_hex(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_hexdigit() && !c.is_ascii_uppercase() {
            run += 1;
            if run >= 40 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

#[test]
fn nothing_secret_is_printed_or_traced() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .bucket(common::BUCKET, false)
            .credentials(credentials()),
    )
    .expect("emulator");
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let mut shown = String::new();
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let provider = RefreshingCredentials::new(|| async {
                Ok::<_, cos_proto::InputError>(ExpiringCredentials {
                    credentials: credentials(),
                    expires_at: Some(u64::MAX),
                })
            });
            let client = Client::builder(common::config(&emulator))
                .credentials(provider.clone())
                .retry(common::fast_retries())
                .proxy_from_env(false)
                .build()
                .expect("client");
            shown.push_str(&format!("{client:?}\n{provider:?}\n"));
            // Success, a retried failure, a service error, a transport failure.
            emulator
                .faults()
                .add(FaultRule::status(503, "SlowDown").method("PUT").times(1));
            let out = client
                .put_object(&PutObject::new("s.txt", Some(6)), "secret")
                .await
                .expect("put");
            shown.push_str(&format!("{out:?}\n"));
            let (output, body) = client
                .get_object(&GetObject::new("s.txt"))
                .await
                .expect("get");
            shown.push_str(&format!("{output:?}\n{body:?}\n"));
            let err = client
                .head_object(&HeadObject::new("missing.txt"))
                .await
                .expect_err("404");
            shown.push_str(&format!("{err}\n{err:?}\n"));
            // Wrong keys: COS answers SignatureDoesNotMatch with its StringToSign.
            let wrong = Client::builder(common::config(&emulator))
                .credentials(StaticCredentials::new(
                    Credentials::new(SECRET_ID, "WrongKeyWrongKeyWrongKey")
                        .and_then(|c| c.with_token(TOKEN))
                        .expect("credentials"),
                ))
                .retry(common::fast_retries())
                .build()
                .expect("client");
            shown.push_str(&format!("{wrong:?}\n"));
            let err = wrong
                .get_object(&GetObject::new("s.txt"))
                .await
                .expect_err("403");
            assert_eq!(err.service_error().map(|e| e.status), Some(403));
            shown.push_str(&format!("{err}\n{err:?}\n"));
            emulator
                .faults()
                .add(FaultRule::reset_request_after(0).method("HEAD"));
            let err = client
                .head_object(&HeadObject::new("s.txt"))
                .await
                .expect_err("reset");
            shown.push_str(&format!("{err}\n{err:?}\n"));
            // The presigned URL itself carries a signature by design; its errors do not.
            let url = client
                .presigned_url(&Presign::get("s.txt"))
                .await
                .expect("url");
            assert!(url.contains("q-signature="));
            let err = client
                .presigned_url(&Presign::get(""))
                .await
                .expect_err("empty key");
            shown.push_str(&format!("{err}\n{err:?}\n"));
        });
    });
    let traced =
        String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(
        traced.contains("cos_request"),
        "no request span traced:\n{traced}"
    );
    assert!(
        traced.contains("retrying"),
        "the retry was not traced:\n{traced}"
    );
    for (what, text) in [("output", &shown), ("tracing", &traced)] {
        for secret in [SECRET_KEY, TOKEN, "WrongKeyWrongKeyWrongKey"] {
            assert!(!text.contains(secret), "{what} contains a secret:\n{text}");
        }
        assert!(
            !text.contains("q-signature"),
            "{what} contains a signature:\n{text}"
        );
        assert!(
            !text.contains("q-sign-algorithm"),
            "{what} contains an Authorization:\n{text}"
        );
        assert!(
            !has_sha1_hex(text),
            "{what} contains a hex signature:\n{text}"
        );
    }
}
