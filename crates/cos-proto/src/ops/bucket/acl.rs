//! PUT / GET Bucket ACL.

use bytes::Bytes;
use http::{HeaderMap, Method};

use super::ResponseInfo;
use super::common::{invalid, sub_resource};
use crate::Config;
use crate::error::Error;
use crate::headers::AclHeaders;
use crate::operation::Operation;
use crate::ops::object_acl::parse_policy;
use crate::ops::setters::{acl_setters, extras_setters};
use crate::ops::{
    ALL_USERS_GROUP, AccessControlPolicy, AclOwner, Extras, Grant, GranteeKind, Permission,
};
use crate::request::Body;
use crate::response::{self, REQUEST_ID_HEADER, header_text};

/// Sets the bucket's ACL, with headers (a canned `x-cos-acl` of `private`,
/// `public-read`, `public-read-write`, and/or `x-cos-grant-*` lists) or with an
/// [`AccessControlPolicy`] body (no `Content-MD5`, no `Content-Type`, as the official
/// SDK sends it). At least one of them must be given.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::PutBucketAcl};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = PutBucketAcl::new().acl("public-read").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("acl="));
/// assert_eq!(request.headers()["x-cos-acl"], "public-read");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct PutBucketAcl {
    acl: AclHeaders,
    policy: Option<AccessControlPolicy>,
    extras: Extras,
}

impl PutBucketAcl {
    extras_setters!(extras);
    acl_setters!(acl);

    /// An ACL change; give headers or a [`policy`](Self::policy).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends the whole ACL as an `AccessControlPolicy` document.
    pub fn policy(mut self, policy: AccessControlPolicy) -> Self {
        self.policy = Some(policy);
        self
    }
}

impl Operation for PutBucketAcl {
    type Output = ResponseInfo;
    const NAME: &'static str = "PutBucketAcl";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        if self.policy.is_none() && self.acl == AclHeaders::default() {
            return Err(invalid(
                "bucket ACL",
                "give a canned ACL, grant headers or an AccessControlPolicy",
            )
            .into());
        }
        let mut b = self.acl.apply(sub_resource(Method::PUT, "acl"))?;
        if let Some(policy) = &self.policy {
            b = b.body(Body::Bytes(policy.document()));
        }
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<ResponseInfo, Error> {
        response::check(&Method::PUT, url, &response)?;
        Ok(ResponseInfo::from_response(&response))
    }
}

/// Reads the bucket's ACL.
///
/// ```
/// use cos_proto::{Config, Operation, ops::bucket::GetBucketAcl};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// assert_eq!(GetBucketAcl::new().build_request(&cfg).unwrap().uri().query(), Some("acl="));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct GetBucketAcl {
    extras: Extras,
}

impl GetBucketAcl {
    extras_setters!(extras);

    /// Reads the ACL of the configuration's bucket.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The canned ACL a bucket's ACL amounts to (see [`GetBucketAclOutput::canned_acl`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BucketCannedAcl {
    /// `private`.
    Private,
    /// `public-read`: everyone may list and read.
    PublicRead,
    /// `public-read-write`: everyone may also write.
    PublicReadWrite,
}

impl BucketCannedAcl {
    /// The `x-cos-acl` value.
    pub fn as_str(self) -> &'static str {
        match self {
            BucketCannedAcl::Private => "private",
            BucketCannedAcl::PublicRead => "public-read",
            BucketCannedAcl::PublicReadWrite => "public-read-write",
        }
    }
}

/// A bucket's ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketAclOutput {
    /// `Owner` (its `DisplayName` as sent, whatever it contains).
    pub owner: Option<AclOwner>,
    /// `AccessControlList/Grant`, in order.
    pub grants: Vec<Grant>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl GetBucketAclOutput {
    /// The canned ACL this ACL amounts to, as the official SDK derives its `CannedACL`:
    /// `public-read-write` if the [`ALL_USERS_GROUP`] may `READ` and `WRITE`,
    /// `public-read` if it may `READ`, `private` otherwise.
    pub fn canned_acl(&self) -> BucketCannedAcl {
        let everyone = |permission: Permission| {
            self.grants.iter().any(|g| {
                g.grantee.kind == GranteeKind::Group
                    && g.grantee.uri.as_deref() == Some(ALL_USERS_GROUP)
                    && g.permission == permission
            })
        };
        match (everyone(Permission::Read), everyone(Permission::Write)) {
            (true, true) => BucketCannedAcl::PublicReadWrite,
            (true, false) => BucketCannedAcl::PublicRead,
            _ => BucketCannedAcl::Private,
        }
    }

    /// The ACL as a policy document (for a later [`PutBucketAcl::policy`]).
    pub fn policy(&self) -> Option<AccessControlPolicy> {
        Some(AccessControlPolicy {
            owner: self.owner.clone()?,
            grants: self.grants.clone(),
        })
    }
}

impl Operation for GetBucketAcl {
    type Output = GetBucketAclOutput;
    const NAME: &'static str = "GetBucketAcl";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        Ok(sub_resource(Method::GET, "acl")
            .extras(&self.extras)?
            .build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<GetBucketAclOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let (owner, grants) = parse_policy(&response)?;
        Ok(GetBucketAclOutput {
            owner,
            grants,
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
            headers: response.headers().clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Grantee;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    const UIN: &str = "qcs::cam::uin/100000000001:uin/100000000001";

    #[test]
    fn put_builds_with_headers_or_a_policy() {
        let grant = "id=\"qcs::cam::anyone:anyone\"";
        let request = PutBucketAcl::new()
            .acl("public-read")
            .grant_read(grant)
            .grant_write(grant)
            .grant_read_acp(grant)
            .grant_write_acp(grant)
            .grant_full_control(grant)
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "x-cos-grant-write-acp"), grant);
        assert_eq!(header(&request, "content-length"), "0");
        let policy = AccessControlPolicy::new(AclOwner::new(UIN))
            .grant(Grantee::canonical_user(UIN), Permission::FullControl)
            .grant(Grantee::group(ALL_USERS_GROUP), Permission::Read);
        let request = PutBucketAcl::new()
            .policy(policy)
            .build_request(&config())
            .expect("builds");
        assert_eq!(header(&request, "content-length"), "579");
        assert!(body_text(&request).contains("xsi:type=\"Group\""));
        assert!(request.headers().get("content-type").is_none());
        assert!(PutBucketAcl::new().build_request(&config()).is_err());
    }

    #[test]
    fn get_parses_grants_and_the_canned_acl() {
        let url = "http://h/?acl=".parse().expect("uri");
        let grant = |kind: &str, who: &str, permission: &str| {
            format!(
                "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"{kind}\">{who}</Grantee><Permission>{permission}</Permission></Grant>"
            )
        };
        let all = format!("<URI>{ALL_USERS_GROUP}</URI>");
        let body = |grants: &str| {
            format!(
                "<AccessControlPolicy><Owner><ID>{UIN}</ID><DisplayName>type-tester</DisplayName></Owner>\
                <AccessControlList>{grants}</AccessControlList></AccessControlPolicy>"
            )
        };
        let owner = grant("CanonicalUser", &format!("<ID>{UIN}</ID>"), "FULL_CONTROL");
        let out = GetBucketAcl::new()
            .parse_response(&url, response(200, &[], &body(&owner)))
            .expect("parses");
        assert_eq!(out.canned_acl(), BucketCannedAcl::Private);
        // bucket/responses.json `get_bucket_acl-type-substring`: text is kept as sent.
        assert_eq!(
            out.owner.as_ref().and_then(|o| o.display_name.as_deref()),
            Some("type-tester")
        );
        assert!(out.policy().is_some());
        let read = format!("{owner}{}", grant("Group", &all, "READ"));
        let out = GetBucketAcl::new()
            .parse_response(&url, response(200, &[], &body(&read)))
            .expect("parses");
        assert_eq!(out.canned_acl(), BucketCannedAcl::PublicRead);
        let rw = format!("{read}{}", grant("Group", &all, "WRITE"));
        let out = GetBucketAcl::new()
            .parse_response(
                &url,
                response(200, &[("x-cos-request-id", "r")], &body(&rw)),
            )
            .expect("parses");
        assert_eq!(out.canned_acl(), BucketCannedAcl::PublicReadWrite);
        assert_eq!(out.canned_acl().as_str(), "public-read-write");
        assert_eq!(out.grants.len(), 3);
        assert_eq!(out.request_id.as_deref(), Some("r"));
        assert!(
            GetBucketAcl::new()
                .parse_response(&url, error_response(403, "AccessDenied"))
                .is_err()
        );
        assert!(
            GetBucketAcl::new()
                .parse_response(&url, response(200, &[], "<AccessControlPolicy><Owner>"))
                .is_err()
        );
    }
}
