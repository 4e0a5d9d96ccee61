//! Every credential-source reader (INI and JSON credential files, the CVM metadata
//! service's answers, TKE's environment, STS and KMS answers) returns `Ok` or `Err` —
//! never panics — whatever the text, and what it accepts it reads back.

use cos_proto::cloud_api::kms::Decrypt;
use cos_proto::cloud_api::sts::StsCredentials;
use cos_proto::provider::cvm::{parse_credentials, parse_role_name};
use cos_proto::provider::ini::Ini;
use cos_proto::provider::profile::{ProfileFormat, ProfileRead, read_profile};
use cos_proto::provider::tke::TkeOidc;
use proptest::prelude::*;

/// Text made of the characters these formats care about.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("=".to_owned()),
            Just(":".to_owned()),
            Just("\n".to_owned()),
            Just(" ".to_owned()),
            Just("#".to_owned()),
            Just("\"".to_owned()),
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("default".to_owned()),
            Just("DEFAULT".to_owned()),
            Just("secret_id".to_owned()),
            Just("secret_key".to_owned()),
            Just("token".to_owned()),
            Just("\"secretId\"".to_owned()),
            Just("\"TmpSecretId\"".to_owned()),
            Just("\"Code\": \"Success\"".to_owned()),
            Just("cos:\n  base:\n    secretid: ".to_owned()),
            Just("    secretkey: ".to_owned()),
            Just("- ".to_owned()),
            "[ -~\u{a0}-\u{ff}\u{4e2d}]{0,8}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn credential_readers_never_panic(input in text(), status in 100u16..600, bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = Ini::parse(&input);
        for format in [ProfileFormat::TencentCloud, ProfileFormat::Tccli, ProfileFormat::Coscmd, ProfileFormat::Coscli] {
            if let Ok(ProfileRead::Found(keys)) = read_profile(format, &input, "default") {
                // Accepted keys are usable keys.
                prop_assert!(!keys.secret_id().is_empty() && !keys.secret_key().is_empty());
            }
        }
        let _ = parse_role_name(status, input.as_bytes());
        let _ = parse_role_name(status, &bytes);
        if let Ok(keys) = parse_credentials(status, input.as_bytes()) {
            prop_assert!(keys.credentials.token().is_some() && keys.expires_at.is_some());
        }
        let _ = parse_credentials(status, &bytes);
        let _ = StsCredentials::parse(status, input.as_bytes());
        let _ = Decrypt::parse(status, &bytes);
        let _ = TkeOidc::from_env(|name| (name.len() % 2 == input.len() % 2).then(|| input.clone()));
    }

    #[test]
    fn a_written_profile_reads_back(id in "[A-Za-z0-9]{1,20}", key in "[!-~]{1,30}", other in "[a-z]{1,8}") {
        let text = format!("[{other}x]\nsecret_id = nope\nsecret_key = nope\n\n[default]\nSECRET_ID = {id}\nsecret_key:{key}\n");
        match read_profile(ProfileFormat::TencentCloud, &text, "default") {
            Ok(ProfileRead::Found(keys)) => {
                prop_assert_eq!(keys.secret_id(), id.as_str());
                prop_assert_eq!(keys.secret_key(), key.as_str());
            }
            other => prop_assert!(false, "{other:?}"),
        }
    }
}
