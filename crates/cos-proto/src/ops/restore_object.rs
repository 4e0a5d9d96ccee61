//! POST Object restore: make a temporary readable copy of an archived object.

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::Config;
use crate::error::{Error, InputError};
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::xml::XmlWriter;

/// How fast COS restores an archived object (`CASJobParameters/Tier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestoreTier {
    /// `Expedited`: minutes; ARCHIVE only.
    Expedited,
    /// `Standard`: hours.
    Standard,
    /// `Bulk`: the slowest and cheapest.
    Bulk,
}

impl RestoreTier {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            RestoreTier::Expedited => "Expedited",
            RestoreTier::Standard => "Standard",
            RestoreTier::Bulk => "Bulk",
        }
    }
}

/// Restores an `ARCHIVE` or `DEEP_ARCHIVE` object for `days` days. COS answers
/// `202 Accepted` and restores in the background; poll HEAD Object's `x-cos-restore`
/// to learn when the copy is readable.
///
/// The body is `<RestoreRequest><Days>N</Days>[<CASJobParameters><Tier>..</Tier></CASJobParameters>]</RestoreRequest>`,
/// as the Python SDK writes it (no `Content-MD5`).
///
/// ```
/// use cos_proto::{Config, Operation, ops::{RestoreObject, RestoreTier}};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let restore = RestoreObject::new("archive/data.bin", 1).tier(RestoreTier::Expedited);
/// let request = restore.build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("restore="));
/// assert_eq!(request.headers()["content-length"], "145");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RestoreObject {
    key: String,
    days: u32,
    tier: Option<RestoreTier>,
    version_id: Option<String>,
    extras: Extras,
}

impl RestoreObject {
    extras_setters!(extras);

    /// Restores `key` for `days` days (at least 1).
    pub fn new(key: impl Into<String>, days: u32) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            days,
            tier: None,
            version_id: None,
        }
    }

    /// Sets the restore speed. Without it no `CASJobParameters` element is sent and COS
    /// uses its default.
    pub fn tier(mut self, tier: RestoreTier) -> Self {
        self.tier = Some(tier);
        self
    }

    /// Restores this version (sent as the `versionId` query parameter).
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn document(&self) -> Result<Bytes, InputError> {
        if self.days == 0 {
            return Err(InputError::InvalidArgument {
                what: "restore days",
                reason: "must be at least 1".to_owned(),
            });
        }
        let mut w = XmlWriter::new();
        w.open("RestoreRequest")
            .element("Days", &self.days.to_string());
        if let Some(tier) = self.tier {
            w.open("CASJobParameters")
                .element("Tier", tier.as_str())
                .close("CASJobParameters");
        }
        w.close("RestoreRequest");
        Ok(w.finish())
    }
}

/// What COS answered to a restore request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestoreObjectOutput {
    /// `202`: the restore started; `200`: a restored copy already exists (its expiry was
    /// updated).
    pub status: u16,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl RestoreObjectOutput {
    /// `true` when COS started a new restore (`202 Accepted`).
    pub fn is_accepted(&self) -> bool {
        self.status == 202
    }

    /// `true` when the object was already restored (`200 OK`).
    pub fn is_already_restored(&self) -> bool {
        self.status == 200
    }
}

impl Operation for RestoreObject {
    type Output = RestoreObjectOutput;
    const NAME: &'static str = "RestoreObject";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let document = self.document()?;
        let b = RequestBuilder::object(Method::POST, &self.key)?
            .query("restore", "")
            .query_opt("versionId", self.version_id.clone());
        Ok(b.body(Body::Bytes(document))
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<RestoreObjectOutput, Error> {
        response::check(&Method::POST, url, &response)?;
        let headers = response.headers();
        Ok(RestoreObjectOutput {
            status: response.status().as_u16(),
            request_id: header_text(headers, REQUEST_ID_HEADER),
            headers: headers.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    #[test]
    fn builds_with_every_parameter() {
        // requests.json `restore_object-full`.
        let request = RestoreObject::new("archive/data.bin", 7)
            .tier(RestoreTier::Bulk)
            .version_id("MTg0NDUxNTc1NjIzMTQ1MDAwODg")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::POST);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\
             /archive/data.bin?restore=&versionId=MTg0NDUxNTc1NjIzMTQ1MDAwODg"
        );
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<RestoreRequest><Days>7</Days>\
             <CASJobParameters><Tier>Bulk</Tier></CASJobParameters></RestoreRequest>"
        );
        assert_eq!(header(&request, "content-length"), "140");
        assert_eq!(
            header(&request, "host"),
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
        );
        assert_eq!(
            request.headers().len(),
            2,
            "no Content-MD5, no Content-Type"
        );
    }

    #[test]
    fn matches_the_other_vectors() {
        // requests.json `restore_object-standard`.
        let request = RestoreObject::new("archive/deep.bin", 1)
            .tier(RestoreTier::Standard)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().path_and_query().map(|p| p.as_str()),
            Some("/archive/deep.bin?restore=")
        );
        assert_eq!(header(&request, "content-length"), "144");
        // signature.json `restore-object`.
        let request = RestoreObject::new("archive/data.bin", 1)
            .tier(RestoreTier::Expedited)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<RestoreRequest><Days>1</Days>\
             <CASJobParameters><Tier>Expedited</Tier></CASJobParameters></RestoreRequest>"
        );
        let no_tier = RestoreObject::new("k", 3)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            body_text(&no_tier),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<RestoreRequest><Days>3</Days></RestoreRequest>"
        );
    }

    #[test]
    fn rejects_invalid_input() {
        let zero = RestoreObject::new("k", 0)
            .tier(RestoreTier::Bulk)
            .build_request(&config());
        assert!(matches!(
            zero,
            Err(Error::Input(InputError::InvalidArgument {
                what: "restore days",
                ..
            }))
        ));
        assert!(matches!(
            RestoreObject::new("a/..", 1).build_request(&config()),
            Err(Error::Input(InputError::KeyResolvesToBucket { .. }))
        ));
    }

    #[test]
    fn parses_status_and_errors() {
        let url = "http://h/archive.bin?restore=".parse().expect("uri");
        let op = RestoreObject::new("archive.bin", 1).tier(RestoreTier::Standard);
        // responses.json `restore_object-202`.
        let accepted = response(
            202,
            &[
                (
                    "x-cos-request-id",
                    "NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk",
                ),
                ("Content-Length", "0"),
            ],
            "",
        );
        let out = op.parse_response(&url, accepted).expect("parses");
        assert_eq!(out.status, 202);
        assert!(out.is_accepted() && !out.is_already_restored());
        assert_eq!(
            out.request_id.as_deref(),
            Some("NjU1M2YxYjBfOTBhMjQ5MDlfMjE5ZWRfOTM0ZmFk")
        );
        let done = op
            .parse_response(&url, response(200, &[], ""))
            .expect("parses");
        assert!(done.is_already_restored() && !done.is_accepted());
        let err = op
            .parse_response(&url, error_response(409, "RestoreAlreadyInProgress"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((409, "RestoreAlreadyInProgress"))
        );
    }

    #[test]
    fn signs_like_the_reference() {
        // signature.json `restore-object`.
        let request = RestoreObject::new("archive/data.bin", 1)
            .tier(RestoreTier::Expedited)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            crate::ops::misc_common::vector_authorization(request, 1_700_000_035),
            "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1699999975;1700010035&q-key-time=1699999975;1700010035\
             &q-header-list=content-length;host&q-url-param-list=restore\
             &q-signature=9e562db36085574188b34c7c55c93d1ef4922466"
        );
    }
}
