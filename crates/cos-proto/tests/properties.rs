//! Property tests: signing and request building never panic, whatever the input.

use cos_proto::ops::{CustomRequest, GetObject, HeadObject, PutObject};
use cos_proto::presign::Presign;
use cos_proto::sign::{self, KeyTime, SignOptions};
use cos_proto::{Config, Credentials, Operation, encode};
use proptest::prelude::*;

fn config() -> Config {
    Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .build()
        .expect("valid config")
}

fn credentials() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE")
        .and_then(|c| c.with_token("TOKEN"))
        .expect("valid credentials")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn building_and_signing_never_panic(
        key in any::<String>(),
        value in any::<String>(),
        name in any::<String>(),
        params in proptest::collection::vec((any::<String>(), any::<String>()), 0..4),
        now in any::<u64>(),
        expiry in any::<u64>(),
    ) {
        let cfg = config();
        let creds = credentials();
        let key_time = KeyTime::new(now, expiry);
        let mut custom = CustomRequest::object(http::Method::PUT, key.clone()).header(name.clone(), value.clone());
        for (n, v) in &params {
            custom = custom.param(n.clone(), v.clone());
        }
        let requests = [
            PutObject::new(key.clone(), Some(1)).content_type(value.clone()).metadata(name.clone(), value.clone()).build_request(&cfg),
            GetObject::new(key.clone()).if_match(value.clone()).version_id(value.clone()).build_request(&cfg),
            HeadObject::new(key.clone()).build_request(&cfg),
            custom.build_request(&cfg),
        ];
        for request in requests.into_iter().flatten() {
            let mut request = request;
            prop_assert!(sign::sign_request(&mut request, &creds, key_time, SignOptions::default()).is_ok());
            let auth = request.headers()["authorization"].to_str().expect("ascii").to_owned();
            prop_assert!(sign::Authorization::parse(&auth).is_some());
        }
        let mut presign = Presign::get(key.clone()).header(name.clone(), value.clone());
        for (n, v) in &params {
            presign = presign.param(n.clone(), v.clone());
        }
        let _ = presign.url(&cfg, &creds, now);
    }

    /// The signature sees exactly the key the wire carries: decoding the encoded path
    /// gives back `/` + the key (minus one leading `/`).
    #[test]
    fn wire_path_decodes_to_the_signed_path(key in "[^\\x00]{1,64}") {
        let encoded = encode::path_encode(&key);
        let decoded = encode::percent_decode_str(&encoded).expect("utf-8");
        let signed = format!("/{}", key.strip_prefix('/').unwrap_or(&key));
        prop_assert_eq!(decoded, signed);
        prop_assert!(!encoded.contains("./"));
    }

    #[test]
    fn query_encoding_round_trips(pairs in proptest::collection::vec((any::<String>(), any::<String>()), 0..6)) {
        let query = encode::build_query(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let parsed = encode::parse_query(&query).expect("utf-8");
        prop_assert_eq!(parsed, pairs);
    }

    #[test]
    fn authorization_parser_never_panics(text in any::<String>()) {
        let _ = sign::Authorization::parse(&text);
        let _ = KeyTime::parse(&text);
    }
}
