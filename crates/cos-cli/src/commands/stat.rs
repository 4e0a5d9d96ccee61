//! `cos stat`: an object's metadata (HEAD Object).

use cos_proto::ops::HeadObject;
use serde_json::{Map, Value, json};

use crate::commands::Context;
use crate::failure::CliError;
use crate::location::Remote;

/// The arguments of `cos stat`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The object, cos://bucket-appid/key.
    pub(crate) object: String,
    /// A version of the object (a bucket with versioning).
    #[arg(long)]
    pub(crate) version_id: Option<String>,
}

/// Runs `cos stat`.
pub(crate) async fn run(args: Args, cx: &Context) -> Result<(), CliError> {
    let remote = Remote::parse(&args.object)?;
    if remote.key.is_empty() {
        return Err(CliError::usage(format!("{remote} names no object")));
    }
    let client = cx.clients.bucket(&remote.bucket)?;
    let mut head = HeadObject::new(remote.key.clone());
    if let Some(version) = &args.version_id {
        head = head.version_id(version.clone());
    }
    let info = client
        .head_object(&head)
        .await
        .map_err(|err| CliError::cos(&remote, &err))?;
    let mut fields: Vec<(&str, Value)> = vec![("url", json!(remote.to_string()))];
    let mut put = |name: &'static str, value: Option<Value>| {
        if let Some(value) = value {
            fields.push((name, value));
        }
    };
    put("size", info.content_length.map(Value::from));
    put("last_modified", info.last_modified.clone().map(Value::from));
    put("etag", info.etag.clone().map(Value::from));
    put("crc64", info.crc64.map(|c| Value::from(c.to_string())));
    put("version_id", info.version_id.clone().map(Value::from));
    put(
        "storage_class",
        info.storage_class.as_ref().map(|c| Value::from(c.as_str())),
    );
    put(
        "content_type",
        info.content.content_type.clone().map(Value::from),
    );
    put(
        "cache_control",
        info.content.cache_control.clone().map(Value::from),
    );
    put(
        "content_disposition",
        info.content.content_disposition.clone().map(Value::from),
    );
    put(
        "content_encoding",
        info.content.content_encoding.clone().map(Value::from),
    );
    put(
        "server_side_encryption",
        info.server_side_encryption.clone().map(Value::from),
    );
    put("object_type", info.object_type.clone().map(Value::from));
    put("tags", info.tagging_count.map(Value::from));
    put("restore", info.restore.clone().map(Value::from));
    let metadata: Map<String, Value> = info
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.clone())))
        .collect();
    cx.output.result(
        || {
            let mut lines: Vec<String> = fields
                .iter()
                .map(|(name, value)| format!("{name:<22} {}", plain(value)))
                .collect();
            for (name, value) in &metadata {
                lines.push(format!("{:<22} {}", format!("meta {name}"), plain(value)));
            }
            lines.join("\n")
        },
        || {
            let mut object: Map<String, Value> = fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            object.insert("metadata".into(), Value::Object(metadata.clone()));
            Value::Object(object)
        },
    );
    Ok(())
}

/// A JSON value as text for people (strings without quotes).
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
