//! `cos signurl`: a presigned URL for an object, usable without keys until it expires
//! (`curl`, a browser, a third party).

use cos_proto::presign::Presign;
use http::Method;
use serde_json::json;

use crate::commands::Context;
use crate::failure::CliError;
use crate::location::Remote;

/// The arguments of `cos signurl`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The object, cos://bucket-appid/key.
    pub(crate) object: String,
    /// How long the URL works, in seconds.
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    pub(crate) expires: u64,
    /// The HTTP method the URL is for (GET to download, PUT to upload, HEAD, DELETE).
    #[arg(long, default_value = "GET")]
    pub(crate) method: String,
}

/// Runs `cos signurl`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let remote = Remote::parse(&args.object)?;
    if remote.key.is_empty() {
        return Err(CliError::usage(format!("{remote} names no object")));
    }
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| CliError::usage(format!("--method {:?} is no HTTP method", args.method)))?;
    if args.expires == 0 {
        return Err(CliError::usage("--expires must be at least 1 second"));
    }
    let client = cx.clients.bucket(&remote.bucket)?;
    let presign = Presign::new(method.clone(), remote.key.clone()).expires_in(args.expires);
    let url = client
        .presigned_url(&presign)
        .await
        .map_err(|err| CliError::cos(format!("signing {remote}"), &err))?;
    cx.output.result(
        || url.clone(),
        || {
            json!({
                "url": url,
                "object": remote.to_string(),
                "method": method.as_str(),
                "expires_in": args.expires,
            })
        },
    );
    Ok(())
}
