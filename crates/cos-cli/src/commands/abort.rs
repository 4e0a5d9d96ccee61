//! `cos abort`: abort one pending multipart upload, or with `-r` every pending upload
//! under a prefix (their parts are deleted and stop costing storage).

use cos_proto::ops::{AbortMultipartUpload, ListMultipartUploads};
use cos_tokio::Client;
use serde_json::json;

use crate::commands::Context;
use crate::commands::rm::batch::Tally;
use crate::commands::rm::{check, confirm::confirm};
use crate::failure::CliError;
use crate::location::Remote;

/// The arguments of `cos abort`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The object of the upload, cos://bucket-appid/key, or with -r a prefix.
    pub(crate) target: String,
    /// The upload to abort (`cos lsparts` lists them).
    #[arg(
        long,
        required_unless_present = "recursive",
        conflicts_with = "recursive"
    )]
    pub(crate) upload_id: Option<String>,
    /// Every pending upload under the prefix.
    #[arg(short, long)]
    pub(crate) recursive: bool,
    /// Abort without asking (required with -r when standard input is not a terminal).
    #[arg(short, long)]
    pub(crate) force: bool,
}

/// Runs `cos abort`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let remote = Remote::parse(&args.target)?;
    let client = cx.clients.bucket(&remote.bucket)?;
    let Some(upload_id) = &args.upload_id else {
        confirm(
            &format!("abort every pending upload under {remote}"),
            args.force,
        )?;
        let counts = abort_under(&client, &remote, cx).await?;
        cx.output.result(
            || format!("{} aborted, {} failed", counts.done, counts.failed),
            || json!({"event": "summary", "aborted": counts.done, "failed": counts.failed}),
        );
        return check(counts);
    };
    if remote.key.is_empty() {
        return Err(CliError::usage(format!(
            "{remote} names no object: give the key of the upload"
        )));
    }
    client
        .abort_multipart_upload(&AbortMultipartUpload::new(
            remote.key.clone(),
            upload_id.clone(),
        ))
        .await
        .map_err(|err| CliError::cos(format!("aborting {remote} upload {upload_id}"), &err))?;
    report(cx, &remote, upload_id);
    Ok(())
}

/// Aborts every pending upload under `remote` taken as a directory (`logs` is `logs/`, so
/// `logs-old/` is left alone), reporting each; an
/// upload that fails is reported and counted, a listing error is returned.
pub(crate) async fn abort_under(
    client: &Client,
    remote: &Remote,
    cx: &Context,
) -> Result<Tally, CliError> {
    let mut counts = Tally::default();
    let mut pages = client.paginate(ListMultipartUploads::new().prefix(remote.dir_prefix()));
    while let Some(page) = pages.next_page().await {
        let page =
            page.map_err(|err| CliError::cos(format!("listing uploads under {remote}"), &err))?;
        for upload in page.uploads {
            let url = remote.with_key(upload.key.clone());
            let abort = AbortMultipartUpload::new(upload.key.clone(), upload.upload_id.clone());
            match client.abort_multipart_upload(&abort).await {
                Ok(_) => {
                    counts.done += 1;
                    report(cx, &url, &upload.upload_id);
                }
                // Finished or aborted since it was listed: nothing left to free.
                Err(err) if err.code() == Some("NoSuchUpload") => {}
                Err(err) => {
                    counts.failed += 1;
                    cx.output.failure(
                        &format!("{url} upload {}", upload.upload_id),
                        &err.to_string(),
                    );
                }
            }
        }
    }
    Ok(counts)
}

fn report(cx: &Context, url: &Remote, upload_id: &str) {
    cx.output.result(
        || format!("aborted: {url} upload {upload_id}"),
        || json!({"event": "aborted", "url": url.to_string(), "upload_id": upload_id}),
    );
}
