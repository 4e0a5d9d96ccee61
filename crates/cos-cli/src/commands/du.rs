//! `cos du`: the number of objects and their total size under a prefix, per first-level
//! sub-prefix, in constant memory: the listing is sorted, so the keys of a sub-prefix
//! come together and each total is printed as soon as the next sub-prefix starts.

use cos_proto::ops::ListObjects;
use serde_json::json;

use crate::commands::Context;
use crate::failure::CliError;
use crate::location::Remote;
use crate::output::human_size;

/// The arguments of `cos du`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A bucket or prefix, cos://bucket-appid/prefix (taken as a directory).
    pub(crate) target: String,
    /// Sizes in bytes, not KiB, MiB, ...
    #[arg(long)]
    pub(crate) bytes: bool,
}

/// Objects and bytes.
#[derive(Debug, Default, Clone, Copy)]
struct Total {
    objects: u64,
    bytes: u64,
}

impl Total {
    fn add(&mut self, size: u64) {
        self.objects += 1;
        self.bytes += size;
    }
}

/// Runs `cos du`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let remote = Remote::parse(&args.target)?;
    let prefix = remote.dir_prefix();
    let client = cx.clients.bucket(&remote.bucket)?;
    // `kind`: "" for a sub-prefix, "direct" for the objects right under the prefix,
    // "total" for the grand total.
    let line = |url: &Remote, total: Total, kind: &str| {
        cx.output.result(
            || {
                let size = if args.bytes {
                    total.bytes.to_string()
                } else {
                    human_size(total.bytes)
                };
                let label = match kind {
                    "" => String::new(),
                    "direct" => "(objects directly under)  ".to_owned(),
                    other => format!("{other}  "),
                };
                format!("{size:>12}  {:>10} objects  {label}{url}", total.objects)
            },
            || {
                let mut value = json!({
                    "prefix": url.to_string(),
                    "objects": total.objects,
                    "bytes": total.bytes,
                });
                match kind {
                    "" => {}
                    "direct" => value["direct"] = json!(true),
                    _ => value["event"] = json!("summary"),
                }
                value
            },
        );
    };
    let (mut current, mut group): (Option<String>, Total) = (None, Total::default());
    let (mut direct, mut all) = (Total::default(), Total::default());
    let mut pages = client.paginate(ListObjects::new().prefix(prefix.clone()));
    while let Some(page) = pages.next_page().await {
        let page = page.map_err(|err| CliError::cos(format!("listing {remote}"), &err))?;
        for object in &page.contents {
            all.add(object.size);
            let relative = object.key.strip_prefix(&prefix).unwrap_or(&object.key);
            let Some((first, _)) = relative.split_once('/') else {
                direct.add(object.size);
                continue;
            };
            let sub = format!("{prefix}{first}/");
            if current.as_deref() != Some(sub.as_str()) {
                if let Some(done) = current.replace(sub) {
                    line(&remote.with_key(done), group, "");
                }
                group = Total::default();
            }
            group.add(object.size);
        }
    }
    if let Some(done) = current {
        line(&remote.with_key(done), group, "");
    }
    if direct.objects > 0 {
        line(&remote.with_key(prefix.clone()), direct, "direct");
    }
    line(&remote.with_key(prefix), all, "total");
    Ok(())
}
