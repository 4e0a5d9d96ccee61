//! PUT / GET Object ACL: who may read and change an object.

use super::Extras;
use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::Deserialize;

use super::misc_common::parse_document;
use super::setters::{acl_setters, extras_setters};
use crate::Config;
use crate::error::{Error, InputError};
use crate::headers::AclHeaders;
use crate::operation::Operation;
use crate::request::{Body, RequestBuilder};
use crate::response::{self, REQUEST_ID_HEADER, header_text};
use crate::xml::{self, XmlWriter};

/// The group URI that stands for everyone (anonymous users included).
pub const ALL_USERS_GROUP: &str = "http://cam.qcloud.com/groups/global/AllUsers";

/// The XML Schema instance namespace the `xsi:type` attribute of a grantee belongs to.
const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The owner named in an access control policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclOwner {
    /// `ID`, e.g. `qcs::cam::uin/100000000001:uin/100000000001`.
    pub id: String,
    /// `DisplayName`, when present.
    pub display_name: Option<String>,
}

impl AclOwner {
    /// An owner with only an `ID`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            display_name: None,
        }
    }
}

/// The kind of a grantee: its `xsi:type` attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GranteeKind {
    /// `CanonicalUser`: an account or sub-account, named by `ID`.
    CanonicalUser,
    /// `Group`: a predefined group, named by `URI` (see [`ALL_USERS_GROUP`]).
    Group,
    /// Any other value, as received (empty when the attribute was missing).
    Other(String),
}

impl GranteeKind {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            GranteeKind::CanonicalUser => "CanonicalUser",
            GranteeKind::Group => "Group",
            GranteeKind::Other(other) => other,
        }
    }

    /// Parses a wire value.
    pub fn parse(value: &str) -> Self {
        match value {
            "CanonicalUser" => GranteeKind::CanonicalUser,
            "Group" => GranteeKind::Group,
            _ => GranteeKind::Other(value.to_owned()),
        }
    }
}

/// Who a grant is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grantee {
    /// `xsi:type`.
    pub kind: GranteeKind,
    /// `ID` of a canonical user.
    pub id: Option<String>,
    /// `URI` of a group.
    pub uri: Option<String>,
    /// `DisplayName`, when present.
    pub display_name: Option<String>,
}

impl Grantee {
    /// A canonical user (`qcs::cam::uin/<owner uin>:uin/<sub uin>`).
    pub fn canonical_user(id: impl Into<String>) -> Self {
        Self {
            kind: GranteeKind::CanonicalUser,
            id: Some(id.into()),
            uri: None,
            display_name: None,
        }
    }

    /// A group, e.g. [`ALL_USERS_GROUP`].
    pub fn group(uri: impl Into<String>) -> Self {
        Self {
            kind: GranteeKind::Group,
            id: None,
            uri: Some(uri.into()),
            display_name: None,
        }
    }
}

/// A permission an ACL grants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Permission {
    /// `READ`.
    Read,
    /// `WRITE`.
    Write,
    /// `READ_ACP`: read the ACL.
    ReadAcp,
    /// `WRITE_ACP`: change the ACL.
    WriteAcp,
    /// `FULL_CONTROL`.
    FullControl,
    /// Any other value, as received.
    Other(String),
}

impl Permission {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::FullControl => "FULL_CONTROL",
            Permission::Other(other) => other,
        }
    }

    /// Parses a wire value.
    pub fn parse(value: &str) -> Self {
        match value {
            "READ" => Permission::Read,
            "WRITE" => Permission::Write,
            "READ_ACP" => Permission::ReadAcp,
            "WRITE_ACP" => Permission::WriteAcp,
            "FULL_CONTROL" => Permission::FullControl,
            _ => Permission::Other(value.to_owned()),
        }
    }
}

/// One entry of an access control list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Who.
    pub grantee: Grantee,
    /// What.
    pub permission: Permission,
}

impl Grant {
    /// Grants `permission` to `grantee`.
    pub fn new(grantee: Grantee, permission: Permission) -> Self {
        Self {
            grantee,
            permission,
        }
    }
}

/// An `AccessControlPolicy` document: an owner and its grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessControlPolicy {
    /// `Owner`.
    pub owner: AclOwner,
    /// `AccessControlList/Grant`, in order.
    pub grants: Vec<Grant>,
}

impl AccessControlPolicy {
    /// A policy owned by `owner` with no grants yet.
    pub fn new(owner: AclOwner) -> Self {
        Self {
            owner,
            grants: Vec::new(),
        }
    }

    /// Adds a grant.
    #[must_use]
    pub fn grant(mut self, grantee: Grantee, permission: Permission) -> Self {
        self.grants.push(Grant::new(grantee, permission));
        self
    }

    /// The document as the Python SDK writes it: grantee attributes `xmlns:xsi` then
    /// `xsi:type`, children `ID`, `DisplayName`, `URI` (those present).
    pub(crate) fn document(&self) -> Bytes {
        let mut w = XmlWriter::new();
        w.open("AccessControlPolicy")
            .open("Owner")
            .element("ID", &self.owner.id)
            .element_opt("DisplayName", self.owner.display_name.as_deref())
            .close("Owner")
            .open("AccessControlList");
        for grant in &self.grants {
            let g = &grant.grantee;
            w.open("Grant")
                .open_with(
                    "Grantee",
                    &[("xmlns:xsi", XSI_NAMESPACE), ("xsi:type", g.kind.as_str())],
                )
                .element_opt("ID", g.id.as_deref())
                .element_opt("DisplayName", g.display_name.as_deref())
                .element_opt("URI", g.uri.as_deref())
                .close("Grantee")
                .element("Permission", grant.permission.as_str())
                .close("Grant");
        }
        w.close("AccessControlList").close("AccessControlPolicy");
        w.finish()
    }
}

/// Sets an object's ACL, either with headers (a canned ACL and/or `x-cos-grant-*`
/// lists) or with an [`AccessControlPolicy`] body (no `Content-MD5`, no `Content-Type`,
/// as the Python SDK sends it). At least one of them must be given.
///
/// ```
/// use cos_proto::{Config, Operation, ops::*};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let put = PutObjectAcl::new("acl.txt").acl("public-read");
/// let request = put.build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("acl="));
/// assert_eq!(request.headers()["x-cos-acl"], "public-read");
///
/// let owner = "qcs::cam::uin/100000000001:uin/100000000001";
/// let policy = AccessControlPolicy::new(AclOwner::new(owner))
///     .grant(Grantee::canonical_user(owner), Permission::FullControl)
///     .grant(Grantee::group(ALL_USERS_GROUP), Permission::Read);
/// let request = PutObjectAcl::new("acl.txt").policy(policy).build_request(&cfg).unwrap();
/// assert_eq!(request.headers()["content-length"], "579");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct PutObjectAcl {
    key: String,
    acl: AclHeaders,
    policy: Option<AccessControlPolicy>,
    extras: Extras,
}

impl PutObjectAcl {
    extras_setters!(extras);

    /// Sets the ACL of `key`; give headers or a [`policy`](Self::policy).
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            acl: AclHeaders::default(),
            policy: None,
        }
    }

    acl_setters!(acl);

    /// Sends the ACL as an `AccessControlPolicy` document.
    pub fn policy(mut self, policy: AccessControlPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// What COS returns for an ACL PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectAclOutput {
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header.
    pub headers: HeaderMap,
}

impl Operation for PutObjectAcl {
    type Output = PutObjectAclOutput;
    const NAME: &'static str = "PutObjectAcl";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        if self.policy.is_none() && self.acl == AclHeaders::default() {
            return Err(InputError::InvalidArgument {
                what: "object ACL",
                reason: "give a canned ACL, grant headers or an AccessControlPolicy".to_owned(),
            }
            .into());
        }
        let mut b = RequestBuilder::object(Method::PUT, &self.key)?.query("acl", "");
        b = self.acl.apply(b)?;
        if let Some(policy) = &self.policy {
            b = b.body(Body::Bytes(policy.document()));
        }
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<PutObjectAclOutput, Error> {
        response::check(&Method::PUT, url, &response)?;
        Ok(PutObjectAclOutput {
            request_id: header_text(response.headers(), REQUEST_ID_HEADER),
            headers: response.headers().clone(),
        })
    }
}

/// Reads an object's ACL.
///
/// ```
/// use cos_proto::{Config, Operation, ops::GetObjectAcl};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let request = GetObjectAcl::new("acl.txt").build_request(&cfg).unwrap();
/// assert_eq!(request.uri().query(), Some("acl="));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct GetObjectAcl {
    key: String,
    extras: Extras,
}

impl GetObjectAcl {
    extras_setters!(extras);

    /// Reads the ACL of `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            extras: Extras::default(),
        }
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// The canned ACL an object's ACL amounts to (see [`GetObjectAclOutput::canned_acl`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CannedAcl {
    /// `private`.
    Private,
    /// `public-read`.
    PublicRead,
    /// `default`: the object inherits the bucket's ACL.
    Default,
}

impl CannedAcl {
    /// The `x-cos-acl` value.
    pub fn as_str(self) -> &'static str {
        match self {
            CannedAcl::Private => "private",
            CannedAcl::PublicRead => "public-read",
            CannedAcl::Default => "default",
        }
    }
}

#[derive(Debug, Deserialize)]
struct PolicyDocument {
    #[serde(rename = "Owner", default)]
    owner: Option<OwnerDocument>,
    #[serde(rename = "AccessControlList", default)]
    list: ListDocument,
}

#[derive(Debug, Deserialize)]
struct OwnerDocument {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "DisplayName", default, deserialize_with = "xml::non_empty")]
    display_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ListDocument {
    #[serde(rename = "Grant", default)]
    grants: Vec<GrantDocument>,
}

#[derive(Debug, Deserialize)]
struct GrantDocument {
    #[serde(rename = "Grantee")]
    grantee: GranteeDocument,
    #[serde(rename = "Permission")]
    permission: String,
}

#[derive(Debug, Deserialize)]
struct GranteeDocument {
    // quick-xml matches attributes by local name: this is `xsi:type`.
    #[serde(rename = "@type", default)]
    kind: Option<String>,
    #[serde(rename = "ID", default, deserialize_with = "xml::non_empty")]
    id: Option<String>,
    #[serde(rename = "URI", default, deserialize_with = "xml::non_empty")]
    uri: Option<String>,
    #[serde(rename = "DisplayName", default, deserialize_with = "xml::non_empty")]
    display_name: Option<String>,
}

/// An object's ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetObjectAclOutput {
    /// `Owner`.
    pub owner: Option<AclOwner>,
    /// `AccessControlList/Grant`, in order (empty when the list is empty).
    pub grants: Vec<Grant>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
    /// Every response header (`x-cos-acl` among them).
    pub headers: HeaderMap,
}

impl GetObjectAclOutput {
    /// The canned ACL this ACL amounts to, as the Python SDK derives its `CannedACL`:
    /// [`CannedAcl::Default`] if the `x-cos-acl` response header says `default`;
    /// [`CannedAcl::PublicRead`] if a grant gives `READ` to the [`ALL_USERS_GROUP`]
    /// group; [`CannedAcl::Private`] otherwise.
    pub fn canned_acl(&self) -> CannedAcl {
        if header_text(&self.headers, "x-cos-acl").as_deref() == Some("default") {
            return CannedAcl::Default;
        }
        let public = self.grants.iter().any(|grant| {
            grant.grantee.kind == GranteeKind::Group
                && grant.grantee.uri.as_deref() == Some(ALL_USERS_GROUP)
                && grant.permission == Permission::Read
        });
        if public {
            CannedAcl::PublicRead
        } else {
            CannedAcl::Private
        }
    }

    /// The ACL as a policy document (for a later [`PutObjectAcl::policy`]), when it
    /// names an owner.
    pub fn policy(&self) -> Option<AccessControlPolicy> {
        Some(AccessControlPolicy {
            owner: self.owner.clone()?,
            grants: self.grants.clone(),
        })
    }
}

/// Parses an `AccessControlPolicy` answer (object or bucket ACL): its owner and grants.
pub(crate) fn parse_policy(
    response: &http::Response<Bytes>,
) -> Result<(Option<AclOwner>, Vec<Grant>), Error> {
    let document: PolicyDocument = parse_document("AccessControlPolicy", response)?;
    let grants = document
        .list
        .grants
        .into_iter()
        .map(|g| Grant {
            grantee: Grantee {
                kind: GranteeKind::parse(g.grantee.kind.as_deref().unwrap_or("")),
                id: g.grantee.id,
                uri: g.grantee.uri,
                display_name: g.grantee.display_name,
            },
            permission: Permission::parse(&g.permission),
        })
        .collect();
    let owner = document.owner.map(|o| AclOwner {
        id: o.id,
        display_name: o.display_name,
    });
    Ok((owner, grants))
}

impl Operation for GetObjectAcl {
    type Output = GetObjectAclOutput;
    const NAME: &'static str = "GetObjectAcl";

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let b = RequestBuilder::object(Method::GET, &self.key)?.query("acl", "");
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<GetObjectAclOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let (owner, grants) = parse_policy(&response)?;
        Ok(GetObjectAclOutput {
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
    use crate::error::ResponseError;
    use crate::ops::test_support::{body_text, config, error_response, header, response};

    const UIN: &str = "qcs::cam::uin/100000000001:uin/100000000001";

    #[test]
    fn put_builds_with_headers() {
        // requests.json `put_object_acl-headers`, plus the remaining grant headers.
        let request = PutObjectAcl::new("acl.txt")
            .acl("public-read")
            .grant_read(
                "id=\"qcs::cam::uin/100000000001:uin/100000000002\",id=\"qcs::cam::anyone:anyone\"",
            )
            .grant_full_control("id=\"qcs::cam::uin/100000000001:uin/100000000001\"")
            .grant_write("id=\"qcs::cam::uin/100000000001:uin/100000000003\"")
            .grant_read_acp("id=\"qcs::cam::uin/100000000001:uin/100000000004\"")
            .grant_write_acp("id=\"qcs::cam::uin/100000000001:uin/100000000005\"")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::PUT);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/acl.txt?acl="
        );
        let expected = [
            (
                "host",
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
            ),
            ("x-cos-acl", "public-read"),
            (
                "x-cos-grant-read",
                "id=\"qcs::cam::uin/100000000001:uin/100000000002\",id=\"qcs::cam::anyone:anyone\"",
            ),
            (
                "x-cos-grant-full-control",
                "id=\"qcs::cam::uin/100000000001:uin/100000000001\"",
            ),
            (
                "x-cos-grant-write",
                "id=\"qcs::cam::uin/100000000001:uin/100000000003\"",
            ),
            (
                "x-cos-grant-read-acp",
                "id=\"qcs::cam::uin/100000000001:uin/100000000004\"",
            ),
            (
                "x-cos-grant-write-acp",
                "id=\"qcs::cam::uin/100000000001:uin/100000000005\"",
            ),
            ("content-length", "0"),
        ];
        for (name, value) in expected {
            assert_eq!(header(&request, name), value, "{name}");
        }
        assert_eq!(request.headers().len(), expected.len());
        assert_eq!(request.body(), &Body::Empty);
    }

    #[test]
    fn put_builds_with_a_policy() {
        // requests.json `put_object_acl-body`.
        let policy = AccessControlPolicy::new(AclOwner::new(UIN))
            .grant(Grantee::canonical_user(UIN), Permission::FullControl)
            .grant(Grantee::group(ALL_USERS_GROUP), Permission::Read);
        let request = PutObjectAcl::new("acl.txt")
            .policy(policy)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().path_and_query().map(|p| p.as_str()),
            Some("/acl.txt?acl=")
        );
        assert_eq!(
            body_text(&request),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<AccessControlPolicy><Owner><ID>qcs::cam::uin/100000000001:uin/100000000001</ID></Owner>\
             <AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">\
             <ID>qcs::cam::uin/100000000001:uin/100000000001</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>\
             <Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">\
             <URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>\
             </AccessControlList></AccessControlPolicy>"
        );
        assert_eq!(header(&request, "content-length"), "579");
        assert_eq!(
            request.headers().len(),
            2,
            "no Content-MD5, no Content-Type"
        );
        // Display names and the other permissions.
        let mut owner = AclOwner::new("o");
        owner.display_name = Some("n & m".to_owned());
        let mut user = Grantee::canonical_user("u");
        user.display_name = Some("d".to_owned());
        let policy = AccessControlPolicy::new(owner)
            .grant(user, Permission::Write)
            .grant(Grantee::canonical_user("u"), Permission::ReadAcp)
            .grant(Grantee::canonical_user("u"), Permission::WriteAcp);
        let body = body_text(
            &PutObjectAcl::new("k")
                .policy(policy)
                .build_request(&config())
                .expect("builds"),
        );
        assert!(
            body.contains("<Owner><ID>o</ID><DisplayName>n &amp; m</DisplayName></Owner>"),
            "{body}"
        );
        assert!(body.contains(
            "<ID>u</ID><DisplayName>d</DisplayName></Grantee><Permission>WRITE</Permission>"
        ));
        assert!(
            body.contains("<Permission>READ_ACP</Permission>")
                && body.contains("<Permission>WRITE_ACP</Permission>")
        );
    }

    #[test]
    fn put_rejects_invalid_input() {
        let nothing = PutObjectAcl::new("acl.txt").build_request(&config());
        assert!(matches!(
            nothing,
            Err(Error::Input(InputError::InvalidArgument {
                what: "object ACL",
                ..
            }))
        ));
        assert_eq!(
            PutObjectAcl::new("")
                .acl("private")
                .build_request(&config())
                .err(),
            Some(Error::Input(InputError::EmptyKey))
        );
        let bad_value = PutObjectAcl::new("k")
            .acl("private\r\nx-evil: 1")
            .build_request(&config());
        assert!(matches!(
            bad_value,
            Err(Error::Input(InputError::InvalidHeaderValue { .. }))
        ));
    }

    #[test]
    fn put_parses_responses() {
        let url = "http://h/acl.txt?acl=".parse().expect("uri");
        let put = PutObjectAcl::new("acl.txt").acl("private");
        // responses.json `put_object_acl-ok`.
        let out = put
            .parse_response(&url, response(200, &[("x-cos-request-id", "rid")], ""))
            .expect("parses");
        assert_eq!(out.request_id.as_deref(), Some("rid"));
        let err = put
            .parse_response(&url, error_response(400, "MalformedXML"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((400, "MalformedXML"))
        );
    }

    #[test]
    fn get_builds_the_request() {
        // requests.json `get_object_acl`.
        let request = GetObjectAcl::new("acl.txt")
            .build_request(&config())
            .expect("builds");
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/acl.txt?acl="
        );
        assert_eq!(request.headers().len(), 1, "only Host");
        assert!(matches!(
            GetObjectAcl::new("a/..").build_request(&config()),
            Err(Error::Input(InputError::KeyResolvesToBucket { .. }))
        ));
    }

    const PUBLIC_READ: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AccessControlPolicy><Owner>\
        <ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Owner>\
        <AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">\
        <ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>100000000001</DisplayName></Grantee>\
        <Permission>FULL_CONTROL</Permission></Grant><Grant>\
        <Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">\
        <URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>\
        </AccessControlList></AccessControlPolicy>";

    #[test]
    fn get_parses_grants_and_derives_the_canned_acl() {
        let url = "http://h/acl.txt?acl=".parse().expect("uri");
        let get = GetObjectAcl::new("acl.txt");
        // responses.json `get_object_acl-public-read`.
        let ok = response(
            200,
            &[
                ("Content-Type", "application/xml"),
                ("x-cos-request-id", "rid"),
            ],
            PUBLIC_READ,
        );
        let out = get.parse_response(&url, ok).expect("parses");
        assert_eq!(
            out.owner,
            Some(AclOwner {
                id: UIN.to_owned(),
                display_name: Some("100000000001".to_owned()),
            })
        );
        assert_eq!(
            out.grants,
            vec![
                Grant {
                    grantee: Grantee {
                        kind: GranteeKind::CanonicalUser,
                        id: Some(UIN.to_owned()),
                        uri: None,
                        display_name: Some("100000000001".to_owned()),
                    },
                    permission: Permission::FullControl,
                },
                Grant::new(Grantee::group(ALL_USERS_GROUP), Permission::Read),
            ]
        );
        assert_eq!(out.canned_acl(), CannedAcl::PublicRead);
        assert_eq!(out.request_id.as_deref(), Some("rid"));
        let policy = out.policy().expect("has an owner");
        assert_eq!(policy.grants.len(), 2);

        // The same document with `x-cos-acl: default` is `default`.
        let default = response(200, &[("x-cos-acl", "default")], PUBLIC_READ);
        assert_eq!(
            get.parse_response(&url, default)
                .expect("parses")
                .canned_acl(),
            CannedAcl::Default
        );
    }

    #[test]
    fn get_keeps_values_verbatim() {
        // responses.json `get_object_acl-type-substring`: the SDK turns every `type` into
        // `Type` (a quirk); here `prototype-team` stays as sent.
        let url = "http://h/acl.txt?acl=".parse().expect("uri");
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AccessControlPolicy><Owner>\
            <ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>prototype-team</DisplayName></Owner>\
            <AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">\
            <ID>qcs::cam::uin/100000000001:uin/100000000001</ID><DisplayName>prototype-team</DisplayName></Grantee>\
            <Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>";
        let out = GetObjectAcl::new("acl.txt")
            .parse_response(&url, response(200, &[], body))
            .expect("parses");
        assert_eq!(
            out.owner.as_ref().and_then(|o| o.display_name.as_deref()),
            Some("prototype-team")
        );
        assert_eq!(
            out.grants[0].grantee.display_name.as_deref(),
            Some("prototype-team")
        );
        assert_eq!(out.grants[0].grantee.kind, GranteeKind::CanonicalUser);
        assert_eq!(out.canned_acl(), CannedAcl::Private);
    }

    #[test]
    fn get_parses_unusual_documents() {
        let url = "http://h/acl.txt?acl=".parse().expect("uri");
        let get = GetObjectAcl::new("acl.txt");
        // Namespaced root, a grantee without xsi:type, an unknown permission, an empty list.
        let body = "<AccessControlPolicy xmlns=\"http://www.qcloud.com/document/product/436/7751\"><Owner><ID>o</ID></Owner>\
            <AccessControlList><Grant><Grantee><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee>\
            <Permission>READ</Permission></Grant><Grant><Grantee xsi:type=\"Special\"><ID>x</ID></Grantee>\
            <Permission>SOMETHING</Permission></Grant></AccessControlList></AccessControlPolicy>";
        let out = get
            .parse_response(&url, response(200, &[], body))
            .expect("parses");
        assert_eq!(
            out.grants[0].grantee.kind,
            GranteeKind::Other(String::new())
        );
        assert_eq!(
            out.canned_acl(),
            CannedAcl::Private,
            "a grantee that is not a Group is not public"
        );
        assert_eq!(
            out.grants[1].grantee.kind,
            GranteeKind::Other("Special".to_owned())
        );
        assert_eq!(
            out.grants[1].permission,
            Permission::Other("SOMETHING".to_owned())
        );
        let empty = "<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList/></AccessControlPolicy>";
        let out = get
            .parse_response(&url, response(200, &[], empty))
            .expect("parses");
        assert!(out.grants.is_empty());
        assert_eq!(out.canned_acl(), CannedAcl::Private);
    }

    #[test]
    fn get_reports_errors_and_malformed_documents() {
        let url = "http://h/acl.txt?acl=".parse().expect("uri");
        let get = GetObjectAcl::new("acl.txt");
        let err = get
            .parse_response(&url, error_response(403, "AccessDenied"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((403, "AccessDenied"))
        );
        for body in [
            "<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>",
            "<AccessControlPolicy><Owner><DisplayName>x</DisplayName></Owner></AccessControlPolicy>",
            "<AccessControlPolicy><Owner>",
            "<Tagging/>",
        ] {
            let result = get.parse_response(&url, response(200, &[], body));
            assert!(
                matches!(
                    result,
                    Err(Error::Response(ResponseError::MalformedXml { .. }))
                ),
                "{body}"
            );
        }
    }
}
