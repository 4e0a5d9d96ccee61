//! `cos restore`: make archived objects (ARCHIVE, DEEP_ARCHIVE) readable for some days
//! (POST Object restore); one object, or with `-r` every archived object under a prefix.
//! Objects that are not archived are reported as skipped.

use cos_proto::headers::StorageClass;
use cos_proto::ops::{ListObjects, RestoreObject, RestoreTier};
use cos_tokio::Client;
use serde_json::json;

use crate::commands::Context;
use crate::failure::CliError;
use crate::location::Remote;

/// The arguments of `cos restore`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The object, cos://bucket-appid/key, or with -r a prefix.
    pub(crate) target: String,
    /// Every archived object under the prefix (the key is taken as a directory).
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// How many days the restored copy stays readable.
    #[arg(long, default_value_t = 1)]
    pub(crate) days: u32,
    /// How fast: Expedited (minutes, ARCHIVE only), Standard (hours) or Bulk (cheapest).
    #[arg(long, value_enum, default_value_t = Tier::Standard)]
    pub(crate) tier: Tier,
    /// A version of the object (without -r).
    #[arg(long, conflicts_with = "recursive")]
    pub(crate) version_id: Option<String>,
}

/// `--tier`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Tier {
    /// Minutes (ARCHIVE only).
    #[value(name = "Expedited", alias = "expedited")]
    Expedited,
    /// Hours.
    #[value(name = "Standard", alias = "standard")]
    Standard,
    /// The slowest and cheapest.
    #[value(name = "Bulk", alias = "bulk")]
    Bulk,
}

impl From<Tier> for RestoreTier {
    fn from(tier: Tier) -> RestoreTier {
        match tier {
            Tier::Expedited => RestoreTier::Expedited,
            Tier::Standard => RestoreTier::Standard,
            Tier::Bulk => RestoreTier::Bulk,
        }
    }
}

/// What became of one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Started,
    Extended,
    InProgress,
    NotArchived,
}

/// Restored, skipped and failed objects.
#[derive(Debug, Default)]
struct Counts {
    restored: u64,
    skipped: u64,
    failed: u64,
}

/// Runs `cos restore`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    if args.days == 0 {
        return Err(CliError::usage("--days must be at least 1"));
    }
    let remote = Remote::parse(&args.target)?;
    let client = cx.clients.bucket(&remote.bucket)?;
    if !args.recursive {
        if remote.key.is_empty() || remote.key.ends_with('/') {
            return Err(CliError::usage(format!(
                "{remote} is a prefix: pass -r to restore every archived object under it"
            )));
        }
        let outcome = restore_one(&client, &remote, &args)
            .await
            .map_err(|err| CliError::cos(format!("restoring {remote}"), &err))?;
        report(cx, &remote, outcome, &args);
        return Ok(());
    }
    let counts = restore_tree(&client, &remote, &args, cx).await?;
    cx.output.result(
        || {
            format!(
                "{} restoring, {} skipped, {} failed",
                counts.restored, counts.skipped, counts.failed
            )
        },
        || {
            json!({
                "event": "summary",
                "restoring": counts.restored,
                "skipped": counts.skipped,
                "failed": counts.failed,
            })
        },
    );
    if counts.failed > 0 {
        return Err(CliError::partial(counts.failed));
    }
    Ok(())
}

/// Restores every archived object under the prefix; the others are skipped unasked.
async fn restore_tree(
    client: &Client,
    remote: &Remote,
    args: &Args,
    cx: &Context,
) -> Result<Counts, CliError> {
    let mut counts = Counts::default();
    let mut pages = client.paginate(ListObjects::new().prefix(remote.dir_prefix()));
    while let Some(page) = pages.next_page().await {
        let page = page.map_err(|err| CliError::cos(format!("listing {remote}"), &err))?;
        for object in page.contents {
            let url = remote.with_key(object.key);
            if !is_archived(object.storage_class.as_ref()) {
                counts.skipped += 1;
                report(cx, &url, Outcome::NotArchived, args);
                continue;
            }
            match restore_one(client, &url, args).await {
                Ok(Outcome::NotArchived) => {
                    counts.skipped += 1;
                    report(cx, &url, Outcome::NotArchived, args);
                }
                Ok(outcome) => {
                    counts.restored += 1;
                    report(cx, &url, outcome, args);
                }
                Err(err) => {
                    counts.failed += 1;
                    cx.output.failure(&url.to_string(), &err.to_string());
                }
            }
        }
    }
    Ok(counts)
}

fn is_archived(class: Option<&StorageClass>) -> bool {
    matches!(
        class,
        Some(StorageClass::Archive | StorageClass::DeepArchive)
    )
}

/// Sends one restore request; COS's answers for objects that need none are outcomes.
async fn restore_one(
    client: &Client,
    remote: &Remote,
    args: &Args,
) -> Result<Outcome, cos_tokio::Error> {
    let mut op = RestoreObject::new(remote.key.clone(), args.days).tier(args.tier.into());
    if let Some(version) = &args.version_id {
        op = op.version_id(version.clone());
    }
    match client.restore_object(&op).await {
        Ok(answer) if answer.is_already_restored() => Ok(Outcome::Extended),
        Ok(_) => Ok(Outcome::Started),
        Err(err) => match err.code() {
            Some("RestoreAlreadyInProgress") => Ok(Outcome::InProgress),
            Some("RestoreNonArchiveObject") => Ok(Outcome::NotArchived),
            _ => Err(err),
        },
    }
}

fn report(cx: &Context, url: &Remote, outcome: Outcome, args: &Args) {
    let (plain, event) = match outcome {
        Outcome::Started => ("restore started", "restoring"),
        Outcome::Extended => ("already restored, kept longer", "extended"),
        Outcome::InProgress => ("a restore is already in progress", "in_progress"),
        Outcome::NotArchived => ("skipped, not archived", "skipped"),
    };
    cx.output.result(
        || match outcome {
            Outcome::Started | Outcome::Extended => {
                format!("{plain}: {url} ({} days, {:?})", args.days, args.tier)
            }
            _ => format!("{plain}: {url}"),
        },
        || json!({"event": event, "url": url.to_string(), "days": args.days}),
    );
}
