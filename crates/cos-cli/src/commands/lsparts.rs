//! `cos lsparts`: the pending multipart uploads under a prefix (key, upload id, when it
//! started), streamed page by page.

use cos_proto::ops::ListMultipartUploads;
use serde_json::json;

use crate::commands::Context;
use crate::failure::CliError;
use crate::location::Remote;

/// The arguments of `cos lsparts`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A bucket or key prefix, cos://bucket-appid/prefix.
    pub(crate) target: String,
}

/// Runs `cos lsparts`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let remote = Remote::parse(&args.target)?;
    let client = cx.clients.bucket(&remote.bucket)?;
    let mut pages = client.paginate(ListMultipartUploads::new().prefix(remote.key.clone()));
    let mut count = 0u64;
    while let Some(page) = pages.next_page().await {
        let page =
            page.map_err(|err| CliError::cos(format!("listing uploads under {remote}"), &err))?;
        for upload in &page.uploads {
            count += 1;
            let url = remote.with_key(upload.key.clone());
            cx.output.result(
                || format!("{}  {}  {url}", upload.initiated, upload.upload_id),
                || {
                    json!({
                        "url": url.to_string(),
                        "key": upload.key,
                        "upload_id": upload.upload_id,
                        "initiated": upload.initiated,
                        "storage_class": upload.storage_class.as_ref().map(|c| c.as_str()),
                    })
                },
            );
        }
    }
    cx.output.result(
        || format!("{count} pending uploads"),
        || json!({"event": "summary", "uploads": count}),
    );
    Ok(())
}
