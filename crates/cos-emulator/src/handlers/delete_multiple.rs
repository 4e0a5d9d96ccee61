//! POST Bucket ?delete (Delete Multiple Objects).

use http::{Response, StatusCode};
use md5::{Digest, Md5};

use super::{MAX_DOCUMENT, check_md5, content_md5};
use crate::body::{RequestBody, ResponseBody};
use crate::context::{Req, xml};
use crate::errors::{CosError, ErrorCode};
use crate::xml_in;
use crate::xml_out::{self, DeleteEntry};

/// The most keys one request may delete.
const MAX_KEYS: usize = 1000;

/// Deletes up to 1000 keys; `Quiet` reports only the failures.
pub(crate) async fn delete_objects(
    req: &Req<'_>,
    body: &mut RequestBody,
) -> Result<Response<ResponseBody>, CosError> {
    let expected_md5 = content_md5(req)?;
    let document = body
        .read_document(MAX_DOCUMENT, ErrorCode::MalformedXML)
        .await?;
    let actual: [u8; 16] = Md5::digest(&document).into();
    check_md5(expected_md5, &actual)?;
    let root = xml_in::parse_root(&document, "Delete")?;
    let quiet = root
        .child_text("Quiet")
        .is_some_and(|q| q.trim().eq_ignore_ascii_case("true"));
    let objects: Vec<_> = root.children_named("Object").collect();
    if objects.is_empty() || objects.len() > MAX_KEYS {
        return Err(CosError::with_message(
            ErrorCode::MalformedXML,
            "The request must name between 1 and 1000 objects.",
        ));
    }
    let mut targets = Vec::with_capacity(objects.len());
    for object in objects {
        let key = object
            .child_text("Key")
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                CosError::with_message(ErrorCode::MalformedXML, "Every Object needs a Key.")
            })?;
        let version = object
            .child_text("VersionId")
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
        targets.push((key.to_owned(), version));
    }
    let mut entries = Vec::new();
    for (key, version) in targets {
        let result = req
            .app
            .store
            .delete_object(&req.bucket, &key, version.as_deref(), req.now);
        match result {
            Ok(outcome) => {
                if quiet {
                    continue;
                }
                let entry = DeleteEntry::Deleted {
                    key,
                    version_id: version,
                    delete_marker: outcome.delete_marker,
                    delete_marker_version_id: outcome.version_id.filter(|_| outcome.delete_marker),
                };
                entries.push(entry);
            }
            Err(error) => entries.push(DeleteEntry::Error {
                key,
                version_id: version,
                code: error.code.as_str().to_owned(),
                message: error.message.into_owned(),
            }),
        }
    }
    Ok(xml(StatusCode::OK, xml_out::delete_result(&entries)))
}
