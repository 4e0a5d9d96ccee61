//! The two sides of a `sync`: a local directory or a prefix each, their listings, and
//! the names of each path on both.

use std::path::PathBuf;

use cos_tokio::Client;

use super::cp::slash_path;
use super::listing::{Listing, RemoteList, local_tree};
use crate::commands::Context;
use crate::failure::CliError;
use crate::location::{Location, Remote};

/// Where a sync reads and writes.
#[derive(Debug, Clone)]
pub(crate) enum Sides {
    /// A local directory to a prefix.
    Up {
        root: PathBuf,
        to: Remote,
        client: Client,
    },
    /// A prefix to a local directory.
    Down {
        from: Remote,
        root: PathBuf,
        client: Client,
    },
    /// A prefix to a prefix (maybe in another bucket).
    Across {
        from: Remote,
        to: Remote,
        source_client: Client,
        client: Client,
    },
}

impl Sides {
    pub(crate) fn new(
        cx: &Context,
        source: Location,
        destination: Location,
    ) -> Result<Sides, CliError> {
        let tree = |remote: &Remote| remote.with_key(remote.dir_prefix());
        Ok(match (source, destination) {
            (Location::Local(root), Location::Remote(to)) => {
                if !root.is_dir() {
                    return Err(
                        CliError::usage(format!("{} is no directory", root.display()))
                            .hint("sync works on directories; copy one file with `cos cp`"),
                    );
                }
                let client = cx.clients.bucket(&to.bucket)?;
                Sides::Up {
                    root,
                    to: tree(&to),
                    client,
                }
            }
            (Location::Remote(from), Location::Local(root)) => {
                let client = cx.clients.bucket(&from.bucket)?;
                Sides::Down {
                    from: tree(&from),
                    root,
                    client,
                }
            }
            (Location::Remote(from), Location::Remote(to)) => Sides::Across {
                source_client: cx.clients.bucket(&from.bucket)?,
                client: cx.clients.bucket(&to.bucket)?,
                from: tree(&from),
                to: tree(&to),
            },
            (Location::Local(_), Location::Local(_)) => {
                return Err(CliError::usage(
                    "both paths are local: one of them must be cos://bucket-appid/prefix",
                ));
            }
        })
    }

    /// The source and destination listings, and the local paths that cannot be keys.
    pub(crate) async fn listings(&self) -> Result<(Listing, Listing, Vec<PathBuf>), CliError> {
        Ok(match self {
            Sides::Up { root, to, client } => {
                let (tree, unusable) = local_tree(root).await?;
                let remote = Listing::Remote(RemoteList::new(client, to));
                (Listing::Local(tree.into_iter()), remote, unusable)
            }
            Sides::Down { from, root, client } => {
                let (tree, unusable) = local_tree(root).await?;
                let remote = Listing::Remote(RemoteList::new(client, from));
                (remote, Listing::Local(tree.into_iter()), unusable)
            }
            Sides::Across {
                from,
                to,
                source_client,
                client,
            } => (
                Listing::Remote(RemoteList::new(source_client, from)),
                Listing::Remote(RemoteList::new(client, to)),
                Vec::new(),
            ),
        })
    }

    /// The source and destination of `relative`, as printed.
    pub(crate) fn names(&self, relative: &str) -> (String, String) {
        match self {
            Sides::Up { root, to, .. } => (
                slash_path(root, relative).display().to_string(),
                to.with_key(format!("{}{relative}", to.key)).to_string(),
            ),
            Sides::Down { from, root, .. } => (
                from.with_key(format!("{}{relative}", from.key)).to_string(),
                slash_path(root, relative).display().to_string(),
            ),
            Sides::Across { from, to, .. } => (
                from.with_key(format!("{}{relative}", from.key)).to_string(),
                to.with_key(format!("{}{relative}", to.key)).to_string(),
            ),
        }
    }
}
