//! The signer: canonicalisation of arbitrary request parts, `sign_request` checked by an
//! independent verifier (the one COS and the emulator apply), and the `Authorization`
//! value's print/parse round trip.

use cos_proto::Credentials;
use cos_proto::encode::sign_encode;
use cos_proto::sign::{
    self, Authorization, Canonical, KeyTime, SignOptions, SigningParts, canonicalize,
};

use crate::input;

/// The host every fuzzed request is sent to, unless it names another.
pub const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

/// `Authorization::parse` and `KeyTime::parse` on any text: what parses prints back to a
/// value that parses to the same thing.
pub fn authorization(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(auth) = Authorization::parse(&text) {
        let printed = auth.to_string();
        assert_eq!(
            Authorization::parse(&printed).as_ref(),
            Some(&auth),
            "{printed}"
        );
        assert!(auth.key_time.to_string().contains(';'));
    }
    if let Some(key_time) = KeyTime::parse(&text) {
        assert_eq!(KeyTime::parse(&key_time.to_string()), Some(key_time));
    }
}

/// From the text form of a request — `METHOD TARGET [TOKEN]`, header lines, an empty line
/// — canonicalises the raw parts (the result must not depend on their order), then signs
/// the request with `sign_request` and checks the signature the way COS does: pick the
/// parts named in `q-header-list` and `q-url-param-list`, canonicalise, compare.
pub fn sign_request(data: &[u8]) {
    let (first, headers, _) = input::split_message(data);
    let first = String::from_utf8_lossy(first);
    let mut words = first.split(' ');
    let method = words.next().unwrap_or_default();
    let target = words.next().unwrap_or("/");
    let token = words.next();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));

    // The canonical form of the raw parts, in two orders.
    let path = cos_proto::encode::percent_decode_str(path).unwrap_or_else(|| path.to_owned());
    let params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (n.to_owned(), v.to_owned())
        })
        .collect();
    let params: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let raw_headers: Vec<(String, &[u8])> = headers
        .iter()
        .map(|(n, v)| (String::from_utf8_lossy(n).into_owned(), *v))
        .collect();
    let raw_headers: Vec<(&str, &[u8])> =
        raw_headers.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let canonical = canonicalize(method, &path, &params, &raw_headers);
    let mut reversed_params = params.clone();
    reversed_params.reverse();
    let mut reversed_headers = raw_headers.clone();
    reversed_headers.reverse();
    assert_eq!(
        canonicalize(method, &path, &reversed_params, &reversed_headers),
        canonical,
        "the canonical form depends on the order of the parts"
    );
    check_list(&canonical.header_list, raw_headers.len());
    check_list(&canonical.param_list, params.len());

    // A real request, signed and verified.
    let mut builder = http::Request::builder().method(method).uri(target);
    let mut has_host = false;
    for (name, value) in &headers {
        has_host |= name.eq_ignore_ascii_case(b"host");
        builder = builder.header(*name, *value);
    }
    if !has_host {
        builder = builder.header("host", HOST);
    }
    let Ok(request) = builder.body(()) else {
        return;
    };
    let Ok(mut credentials) = Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE") else {
        return;
    };
    if let Some(token) = token {
        match credentials.clone().with_token(token) {
            Ok(with_token) => credentials = with_token,
            Err(_) => return,
        }
    }
    let key_time = KeyTime::new(1_700_000_000, sign::DEFAULT_REQUEST_EXPIRY_SECS);
    for (sign_host, sign_params) in [(true, true), (false, false)] {
        let mut request = request.clone();
        let options = SignOptions {
            sign_host,
            sign_params,
        };
        if sign::sign_request(&mut request, &credentials, key_time, options).is_err() {
            continue;
        }
        let value = request.headers()[http::header::AUTHORIZATION]
            .to_str()
            .expect("the Authorization value is text");
        let auth = Authorization::parse(value).expect("our Authorization parses");
        assert_eq!(auth.to_string(), value);
        assert_eq!(auth.key_time, key_time);
        assert_eq!(auth.secret_id, credentials.secret_id());
        if !sign_params {
            assert_eq!(auth.param_list, "");
        }
        if !sign_host {
            assert!(!names(&auth.header_list).contains(&"host"));
        }
        let verified = verify(&request, &auth);
        assert_eq!(verified.header_list, auth.header_list);
        assert_eq!(verified.param_list, auth.param_list);
        assert_eq!(
            sign::signature(credentials.secret_key(), key_time, &verified.http_string),
            auth.signature,
            "the signature does not verify"
        );
    }
}

/// The verifier's view: the parts the signature names, canonicalised.
fn verify(request: &http::Request<()>, auth: &Authorization) -> Canonical {
    let signing = SigningParts::from_uri(request.method(), request.uri());
    let header_names = names(&auth.header_list);
    let headers: Vec<(&str, &[u8])> = request
        .headers()
        .iter()
        .filter(|(name, _)| {
            header_names.contains(&sign_encode(name.as_str()).to_lowercase().as_str())
        })
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let param_names = names(&auth.param_list);
    let params: Vec<(&str, &str)> = signing
        .params
        .iter()
        .filter(|(name, _)| param_names.contains(&sign_encode(name).to_lowercase().as_str()))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    canonicalize(&signing.method, &signing.path, &params, &headers)
}

fn names(list: &str) -> Vec<&str> {
    list.split(';').filter(|n| !n.is_empty()).collect()
}

/// A `q-*-list`: one encoded, lower-case name per part, sorted, `;`-separated.
fn check_list(list: &str, parts: usize) {
    assert!(
        list.bytes().all(
            |b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'%' | b';')
        ),
        "{list:?}"
    );
    if parts == 0 {
        assert_eq!(list, "");
    } else {
        let names: Vec<&str> = list.split(';').collect();
        assert_eq!(names.len(), parts, "{list:?}");
        assert!(
            names.windows(2).all(|w| w[0] <= w[1]),
            "{list:?} is not sorted"
        );
    }
}
