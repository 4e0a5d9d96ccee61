//! Where credentials come from, Sans-IO: what each source reads (variables, files, the
//! CVM metadata service, STS) and how its answers are understood. The driver (every
//! client, through `cos_transfer::drive::credentials`) performs the reads and requests and
//! walks the default chain:
//!
//! 1. keys given explicitly to the client;
//! 2. the environment ([`Credentials::from_env`](crate::Credentials::from_env): `COS_*`,
//!    then `TENCENTCLOUD_*`);
//! 3. credential files ([`profile`]);
//! 4. TKE's OIDC web identity ([`tke`]), exchanged with STS;
//! 5. the CVM instance role ([`cvm`]).
//!
//! The official SDKs try the CVM role before TKE, so a pod would get its node's identity;
//! the pod's own identity comes first here, as web identity comes before the instance role
//! in AWS's chain.

mod coscli;
pub mod cvm;
pub mod ini;
pub mod profile;
pub mod tke;

use std::fmt;
use std::path::PathBuf;

/// Which source supplied the keys a client signs with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// Keys given to the client.
    Explicit,
    /// Environment variables (`id_var` names the family).
    Environment {
        /// The variable of the secret id (`COS_SECRET_ID` or `TENCENTCLOUD_SECRET_ID`).
        id_var: &'static str,
    },
    /// A credential file.
    Profile {
        /// The file.
        path: PathBuf,
        /// The profile read.
        profile: String,
    },
    /// TKE's OIDC web identity, exchanged with STS.
    TkeOidc {
        /// The role assumed.
        role_arn: String,
    },
    /// The CVM instance role.
    CvmRole {
        /// The role's name.
        role: String,
    },
    /// STS `AssumeRole` from base keys.
    AssumeRole {
        /// The role assumed.
        role_arn: String,
    },
    /// STS `GetFederationToken` from base keys.
    FederationToken {
        /// The federated user's name.
        name: String,
    },
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Explicit => f.write_str("explicit keys"),
            Self::Environment { id_var } => write!(f, "environment ({id_var})"),
            Self::Profile { path, profile } => {
                write!(f, "profile {profile:?} in {}", path.display())
            }
            Self::TkeOidc { role_arn } => write!(f, "TKE OIDC web identity ({role_arn})"),
            Self::CvmRole { role } => write!(f, "CVM instance role {role}"),
            Self::AssumeRole { role_arn } => write!(f, "STS AssumeRole ({role_arn})"),
            Self::FederationToken { name } => write!(f, "STS GetFederationToken ({name})"),
        }
    }
}
