//! GET Bucket (ListObjects v1) and GET Bucket versions (ListObjectVersions).

use std::ops::Bound;

use http::{Response, StatusCode};

use super::multipart::common_prefix;
use super::{encoding_type, number_param};
use crate::body::ResponseBody;
use crate::context::{Req, xml};
use crate::errors::CosError;
use crate::xml_out::{self, ListObjectsDoc, ListVersionsDoc, ObjectEntry, VersionEntry};

/// A listing's page size parameter (`max-keys`, `max-uploads`, `max-parts`): 1000 when
/// absent, at most 1000.
///
/// COS documents no behaviour for `0`; the emulator answers as S3 does: an empty page
/// that is not truncated (so a client that pages until `IsTruncated` is false stops),
/// which is what [`truncated`] gives.
pub(crate) fn page_size(req: &Req<'_>, name: &str) -> Result<usize, CosError> {
    Ok(number_param::<usize>(req, name)?.unwrap_or(1000).min(1000))
}

/// Whether a page of at most `max` entries is truncated: never for `max == 0`.
pub(crate) fn truncated(more_follow: bool, max: usize) -> bool {
    more_follow && max > 0
}

fn entry(version: &crate::store::types::ObjectVersion) -> ObjectEntry {
    ObjectEntry {
        key: version.key.clone(),
        last_modified: version.last_modified,
        etag: version.etag.clone(),
        size: version.size,
        storage_class: version.storage_class().to_owned(),
    }
}

/// ListObjects: keys after `marker` starting with `prefix`, rolled up at `delimiter`.
pub(crate) fn list_objects(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let encode = encoding_type(req)?;
    let prefix = req.param("prefix").unwrap_or("").to_owned();
    let delimiter = req.param("delimiter").unwrap_or("").to_owned();
    let marker = req.param("marker").unwrap_or("").to_owned();
    let max_keys = page_size(req, "max-keys")?;
    let doc = req
        .app
        .store
        .read(|state| -> Result<ListObjectsDoc, CosError> {
            let bucket = state.bucket(&req.bucket)?;
            let lower = if marker.is_empty() {
                Bound::Unbounded
            } else {
                Bound::Excluded(marker.clone())
            };
            let mut contents = Vec::new();
            let mut prefixes: Vec<String> = Vec::new();
            let mut is_truncated = false;
            let mut last: Option<String> = None;
            for (key, versions) in bucket.objects.range((lower, Bound::Unbounded)) {
                if !key.starts_with(prefix.as_str()) {
                    if key.as_str() > prefix.as_str() {
                        break;
                    }
                    continue;
                }
                let Some(latest) = versions.first().filter(|v| !v.delete_marker) else {
                    continue;
                };
                let common = common_prefix(key, &prefix, &delimiter);
                if let Some(cp) = &common
                    && (prefixes.last() == Some(cp) || cp.as_str() <= marker.as_str())
                {
                    continue;
                }
                if contents.len() + prefixes.len() >= max_keys {
                    is_truncated = true;
                    break;
                }
                match common {
                    Some(cp) => {
                        last = Some(cp.clone());
                        prefixes.push(cp);
                    }
                    None => {
                        last = Some(key.clone());
                        contents.push(entry(latest));
                    }
                }
            }
            let is_truncated = truncated(is_truncated, max_keys);
            Ok(ListObjectsDoc {
                name: req.bucket.clone(),
                encode,
                prefix: prefix.clone(),
                marker: marker.clone(),
                max_keys,
                delimiter: delimiter.clone(),
                is_truncated,
                next_marker: if is_truncated { last } else { None },
                common_prefixes: prefixes,
                contents,
                owner: req.app.owner(&req.bucket),
            })
        })?;
    Ok(xml(StatusCode::OK, xml_out::list_bucket_result(&doc)))
}

/// ListObjectVersions: every version and delete marker, newest first within a key.
pub(crate) fn list_versions(req: &Req<'_>) -> Result<Response<ResponseBody>, CosError> {
    let encode = encoding_type(req)?;
    let prefix = req.param("prefix").unwrap_or("").to_owned();
    let delimiter = req.param("delimiter").unwrap_or("").to_owned();
    let key_marker = req.param("key-marker").unwrap_or("").to_owned();
    let version_id_marker = req.param("version-id-marker").unwrap_or("").to_owned();
    let max_keys = page_size(req, "max-keys")?;
    let doc = req
        .app
        .store
        .read(|state| -> Result<ListVersionsDoc, CosError> {
            let bucket = state.bucket(&req.bucket)?;
            let lower = if key_marker.is_empty() {
                Bound::Unbounded
            } else if version_id_marker.is_empty() {
                Bound::Excluded(key_marker.clone())
            } else {
                Bound::Included(key_marker.clone())
            };
            let mut entries = Vec::new();
            let mut prefixes: Vec<String> = Vec::new();
            let mut is_truncated = false;
            let mut last: Option<(String, Option<String>)> = None;
            'keys: for (key, versions) in bucket.objects.range((lower, Bound::Unbounded)) {
                if !key.starts_with(prefix.as_str()) {
                    if key.as_str() > prefix.as_str() {
                        break;
                    }
                    continue;
                }
                if let Some(cp) = common_prefix(key, &prefix, &delimiter) {
                    if prefixes.last() == Some(&cp) || cp.as_str() <= key_marker.as_str() {
                        continue;
                    }
                    if entries.len() + prefixes.len() >= max_keys {
                        is_truncated = true;
                        break;
                    }
                    last = Some((cp.clone(), None));
                    prefixes.push(cp);
                    continue;
                }
                let mut skipping = *key == key_marker && !version_id_marker.is_empty();
                for (index, version) in versions.iter().enumerate() {
                    if skipping {
                        if version.version_id == version_id_marker {
                            skipping = false;
                        }
                        continue;
                    }
                    if entries.len() + prefixes.len() >= max_keys {
                        is_truncated = true;
                        break 'keys;
                    }
                    last = Some((key.clone(), Some(version.version_id.clone())));
                    let is_latest = index == 0;
                    entries.push(if version.delete_marker {
                        VersionEntry::DeleteMarker {
                            key: key.clone(),
                            version_id: version.version_id.clone(),
                            is_latest,
                            last_modified: version.last_modified,
                        }
                    } else {
                        VersionEntry::Version {
                            entry: entry(version),
                            version_id: version.version_id.clone(),
                            is_latest,
                        }
                    });
                }
            }
            let is_truncated = truncated(is_truncated, max_keys);
            let (next_key_marker, next_version_id_marker) = match (is_truncated, last) {
                (true, Some((key, id))) => (Some(key), id),
                _ => (None, None),
            };
            Ok(ListVersionsDoc {
                name: req.bucket.clone(),
                encode,
                prefix: prefix.clone(),
                key_marker: key_marker.clone(),
                version_id_marker: version_id_marker.clone(),
                max_keys,
                delimiter: delimiter.clone(),
                is_truncated,
                next_key_marker,
                next_version_id_marker,
                common_prefixes: prefixes,
                entries,
                owner: req.app.owner(&req.bucket),
            })
        })?;
    Ok(xml(StatusCode::OK, xml_out::list_versions_result(&doc)))
}
