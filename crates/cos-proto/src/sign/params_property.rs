//! Query parameters of any name and value are sent and signed as the official Python
//! SDK does (`cos-python-sdk.md` §1.2), checked against an independent rewrite of its
//! `CosS3Auth`: the caller's parameters are a dict; each name and value is quoted with
//! `-_.~` safe, names are lower-cased, the dict that results is sorted.

use proptest::prelude::*;

use super::tests::reference_signature;
use super::*;
use crate::ops::CustomRequest;
use crate::{Config, Operation};

const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

/// Python's `quote(s.encode(), safe='-_.~')`: upper-case escapes.
fn quote(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A Python dict built from `pairs` in order: a name given again keeps its first place
/// and takes the last value.
fn dict(pairs: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut dict: Vec<(String, String)> = Vec::new();
    for (name, value) in pairs {
        match dict.iter_mut().find(|(present, _)| *present == name) {
            Some(slot) => slot.1 = value,
            None => dict.push((name, value)),
        }
    }
    dict
}

/// `CosS3Auth.__call__`'s parameters: `(quote(k).lower(), quote(v))` into a dict, sorted.
fn signed_params(params: &[(String, String)]) -> Vec<(String, String)> {
    let mut signed = dict(
        params
            .iter()
            .map(|(n, v)| (quote(n).to_lowercase(), quote(v))),
    );
    signed.sort();
    signed
}

/// The reference `HttpString` of a GET on `path` with `params` and the `host` header.
fn reference_http_string(path: &str, params: &[(String, String)]) -> String {
    let joined = signed_params(params)
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!("get\n{path}\n{joined}\nhost={}\n", quote(HOST))
}

/// `requests`' side: the query decoded (`+` is a space), in wire order.
fn decode_query(query: &str) -> Vec<(String, String)> {
    let decode = |text: &str| {
        let spaced = text.replace('+', " ");
        String::from_utf8(percent_encoding::percent_decode_str(&spaced).collect())
            .expect("UTF-8 in, UTF-8 out")
    };
    query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 /~._%&=+?#中文-]{1,6}",
        Just("versionId".to_owned()),
        Just("VersionId".to_owned()),
        Just("response-content-type".to_owned()),
        Just("中".to_owned()),
    ]
}

proptest! {
    #[test]
    fn any_parameters_are_sent_and_signed_as_the_sdk_does(
        params in proptest::collection::vec((name(), "[a-zA-Z0-9 /~._%&=+中-]{0,6}"), 0..7),
        key in proptest::option::of("[a-z 中/]{1,6}[a-z]"),
    ) {
        let config = Config::builder("ap-guangzhou", "examplebucket-1250000000")
            .build()
            .expect("valid");
        let mut op = match &key {
            Some(key) => CustomRequest::object(http::Method::GET, key.clone()),
            None => CustomRequest::bucket(http::Method::GET),
        };
        for (name, value) in &params {
            op = op.param(name.clone(), value.clone());
        }
        let mut request = op.build_request(&config).expect("builds");
        let credentials = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").expect("valid");
        let key_time = KeyTime::new(1_700_000_000, 600);
        sign_request(&mut request, &credentials, key_time, SignOptions::default()).expect("signs");
        let authorization = request.headers()[http::header::AUTHORIZATION].to_str().expect("ASCII");
        let authorization = Authorization::parse(authorization).expect("parses");

        // `CosS3Auth.__init__`: the key as given, with `/` put in front when missing.
        let path = match &key {
            Some(key) if key.starts_with('/') => key.clone(),
            Some(key) => format!("/{key}"),
            None => "/".to_owned(),
        };
        let caller_dict = dict(params.iter().cloned());
        let expected = signed_params(&caller_dict);
        let names: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
        prop_assert_eq!(&authorization.param_list, &names.join(";"));
        prop_assert_eq!(authorization.header_list.as_str(), "host");
        prop_assert_eq!(
            &authorization.signature,
            &reference_signature(
                credentials.secret_key(),
                key_time,
                &reference_http_string(&path, &caller_dict)
            )
        );
        // What goes on the wire decodes to what was signed: one value per signed name.
        let wire = request.uri().query().map(decode_query).unwrap_or_default();
        prop_assert_eq!(&signed_params(&wire), &expected);
        prop_assert_eq!(wire.len(), names.len());
    }
}

#[test]
fn a_parameter_named_again_in_another_case_replaces_the_first() {
    let config = Config::builder("ap-guangzhou", "examplebucket-1250000000")
        .build()
        .expect("valid");
    let request = crate::ops::GetObject::new("k")
        .version_id("v1")
        .param("VersionId", "v2")
        .param("x-cos-traffic-limit", "819200")
        .build_request(&config)
        .expect("builds");
    assert_eq!(
        request.uri().query(),
        Some("VersionId=v2&x-cos-traffic-limit=819200")
    );
}
