//! CORS from a bucket's stored `?cors` rules: the `OPTIONS` preflight, and the
//! `Access-Control-*` headers on requests that carry an `Origin`.
//!
//! A rule matches when one `AllowedOrigin` matches the `Origin` (a `*` in it matches
//! any run of characters), the method is one of its `AllowedMethod`s, and every
//! requested header matches an `AllowedHeader` (case-insensitive, `*` wildcards). The
//! first matching rule wins.

use http::{Response, StatusCode};

use super::bucket_config::stored;
use super::policy::glob;
use crate::body::ResponseBody;
use crate::context::{Req, empty, set_header};
use crate::errors::{CosError, ErrorCode};
use crate::xml_in;

/// One `CORSRule`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Rule {
    origins: Vec<String>,
    methods: Vec<String>,
    headers: Vec<String>,
    expose: Vec<String>,
    max_age: Option<String>,
}

impl Rule {
    fn allows(&self, origin: &str, method: &str, headers: &[String]) -> bool {
        self.origins.iter().any(|o| glob(o, origin))
            && self.methods.iter().any(|m| m.eq_ignore_ascii_case(method))
            && headers.iter().all(|h| {
                self.headers
                    .iter()
                    .any(|a| glob(&a.to_ascii_lowercase(), &h.to_ascii_lowercase()))
            })
    }
}

/// The bucket's rules, `None` when it has no CORS configuration.
fn rules(req: &Req<'_>) -> Option<Vec<Rule>> {
    let text = stored(req, "cors")?;
    let root = xml_in::parse(text.as_bytes()).ok()?;
    let texts = |rule: &xml_in::Element, name: &str| -> Vec<String> {
        rule.children_named(name)
            .map(|c| c.text.trim().to_owned())
            .collect()
    };
    Some(
        root.children_named("CORSRule")
            .map(|rule| Rule {
                origins: texts(rule, "AllowedOrigin"),
                methods: texts(rule, "AllowedMethod"),
                headers: texts(rule, "AllowedHeader"),
                expose: texts(rule, "ExposeHeader"),
                max_age: rule
                    .child_text("MaxAgeSeconds")
                    .map(|t| t.trim().to_owned()),
            })
            .collect(),
    )
}

/// Writes the headers a matching rule grants.
fn grant<B>(response: &mut Response<B>, rule: &Rule, origin: &str) {
    let allowed_origin = if rule.origins.iter().any(|o| o == "*") {
        "*"
    } else {
        origin
    };
    set_header(response, "access-control-allow-origin", allowed_origin);
    set_header(
        response,
        "access-control-allow-methods",
        &rule.methods.join(","),
    );
    if !rule.expose.is_empty() {
        set_header(
            response,
            "access-control-expose-headers",
            &rule.expose.join(","),
        );
    }
    if let Some(max_age) = &rule.max_age {
        set_header(response, "access-control-max-age", max_age);
    }
}

/// `OPTIONS` (preflight): `Origin` and `Access-Control-Request-Method` are required
/// (`400 BadRequest`); no configuration or no matching rule is `403 AccessForbidden`;
/// a match is 200 with `Access-Control-Allow-Origin`, `-Allow-Methods`,
/// `-Allow-Headers` (the headers asked for), `-Expose-Headers` and `-Max-Age`.
pub(crate) fn preflight(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let origin = req.header("origin").filter(|o| !o.is_empty());
    let method = req
        .header("access-control-request-method")
        .filter(|m| !m.is_empty());
    let (Some(origin), Some(method)) = (origin, method) else {
        return Err(CosError::with_message(
            ErrorCode::BadRequest,
            "Insufficient information. Origin and Access-Control-Request-Method are needed.",
        ));
    };
    let requested: Vec<String> = req
        .header("access-control-request-headers")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect();
    let Some(rules) = rules(req) else {
        return Err(CosError::with_message(
            ErrorCode::AccessForbidden,
            "CORSResponse: CORS is not enabled for this bucket.",
        ));
    };
    let rule = rules
        .iter()
        .find(|r| r.allows(origin, method, &requested))
        .ok_or_else(|| CosError::new(ErrorCode::AccessForbidden))?;
    let mut response = empty(StatusCode::OK);
    grant(&mut response, rule, origin);
    if !requested.is_empty() {
        set_header(
            &mut response,
            "access-control-allow-headers",
            &requested.join(","),
        );
    }
    Ok(response)
}

/// Adds the `Access-Control-*` headers to the answer of a request with an `Origin` when
/// a rule of its bucket allows that origin and method (nothing otherwise).
pub(crate) fn decorate<B>(req: &Req<'_>, response: &mut Response<B>) {
    let Some(origin) = req.header("origin").filter(|o| !o.is_empty()) else {
        return;
    };
    let Some(rules) = rules(req) else {
        return;
    };
    let method = req.parts.method.as_str();
    if let Some(rule) = rules.iter().find(|r| r.allows(origin, method, &[])) {
        grant(response, rule, origin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_origin_method_and_headers() {
        let rule = Rule {
            origins: vec!["https://*.example.com".into()],
            methods: vec!["GET".into(), "PUT".into()],
            headers: vec!["x-cos-meta-*".into(), "Content-Type".into()],
            ..Rule::default()
        };
        let h = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert!(rule.allows("https://www.example.com", "PUT", &h(&["content-type"])));
        assert!(rule.allows("https://a.example.com", "GET", &h(&["X-Cos-Meta-Color"])));
        assert!(!rule.allows("https://example.org", "GET", &[]));
        assert!(!rule.allows("https://a.example.com", "DELETE", &[]));
        assert!(!rule.allows("https://a.example.com", "GET", &h(&["authorization"])));
    }
}
