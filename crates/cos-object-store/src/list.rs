//! Listings: GET Bucket pages as `object_store` listings (a stream of objects, one
//! "directory", or one page at a time for
//! [`PaginatedListStore`](object_store::list::PaginatedListStore)).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cos_proto::ops::{ListObjects, ListObjectsOutput, ObjectSummary};
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use object_store::list::{PaginatedListOptions, PaginatedListResult, PaginatedListStore};
use object_store::path::Path;
use object_store::{ListResult, ObjectMeta};

use crate::errors;
use crate::path::{DELIMITER, KeyPrefix};
use crate::store::CosObjectStore;

/// COS returns at most 1,000 keys per page.
const MAX_KEYS: usize = 1000;

/// A listed object's metadata.
fn meta(keys: &KeyPrefix, object: ObjectSummary) -> object_store::Result<ObjectMeta> {
    let last_modified = DateTime::parse_from_rfc3339(&object.last_modified)
        .map_err(|err| {
            errors::generic(format!(
                "{}: LastModified {:?}: {err}",
                object.key, object.last_modified
            ))
        })?
        .with_timezone(&Utc);
    Ok(ObjectMeta {
        location: keys.path(&object.key)?,
        last_modified,
        size: object.size,
        e_tag: Some(object.etag),
        version: None,
    })
}

/// A page's objects and "directories".
fn page_result(keys: &KeyPrefix, page: ListObjectsOutput) -> object_store::Result<ListResult> {
    let common_prefixes = page
        .common_prefixes
        .iter()
        .map(|p| keys.dir_path(p))
        .collect::<Result<_, _>>()?;
    let objects = page
        .contents
        .into_iter()
        .map(|o| meta(keys, o))
        .collect::<Result<_, _>>()?;
    Ok(ListResult {
        common_prefixes,
        objects,
    })
}

/// Where the page after `page` (the answer to `op`) starts, when there is one: the marker
/// [`ListObjects::next_page`] would send.
fn next_marker(op: &ListObjects, page: &ListObjectsOutput) -> Option<String> {
    let _next = op.next_page(page)?;
    page.next_marker.clone().or_else(|| {
        let key = page.contents.iter().map(|o| o.key.as_str()).max();
        let prefix = page.common_prefixes.iter().map(String::as_str).max();
        key.max(prefix).map(str::to_owned)
    })
}

impl CosObjectStore {
    /// Every object whose key starts with `prefix`, after the key `marker` (exclusive),
    /// page after page as the stream is polled.
    pub(crate) fn list_keys(
        &self,
        prefix: String,
        marker: Option<String>,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        let keys = self.keys.clone();
        let mut op = ListObjects::new().prefix(prefix.clone());
        if let Some(marker) = marker {
            op = op.marker(marker);
        }
        self.client
            .list_objects_pages(op)
            .map_err(move |err| errors::client(err, &prefix))
            .map_ok(move |page| {
                let keys = keys.clone();
                stream::iter(page.contents.into_iter().map(move |o| meta(&keys, o)))
            })
            .try_flatten()
            .boxed()
    }

    /// One "directory": the objects directly below `prefix` and its subdirectories.
    pub(crate) async fn list_dir(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        let dir = self.keys.dir(prefix);
        let op = ListObjects::new().prefix(dir.clone()).delimiter(DELIMITER);
        let mut pages = self.client.list_objects_pages(op);
        let mut result = ListResult {
            common_prefixes: Vec::new(),
            objects: Vec::new(),
        };
        while let Some(page) = pages.next_page().await {
            let page = page.map_err(|err| errors::client(err, &dir))?;
            let ListResult {
                common_prefixes,
                objects,
            } = page_result(&self.keys, page)?;
            result.common_prefixes.extend(common_prefixes);
            result.objects.extend(objects);
        }
        Ok(result)
    }
}

/// One GET Bucket per call. `prefix` is taken as is (no `/` added); the page token is the
/// key the next page starts after; `offset` (a path) applies to the first page only;
/// `max_keys` above 1,000 is COS's 1,000.
#[async_trait]
impl PaginatedListStore for CosObjectStore {
    async fn list_paginated(
        &self,
        prefix: Option<&str>,
        opts: PaginatedListOptions,
    ) -> object_store::Result<PaginatedListResult> {
        let prefix = format!("{}{}", self.keys.as_str(), prefix.unwrap_or_default());
        let max_keys = opts.max_keys.unwrap_or(MAX_KEYS).clamp(1, MAX_KEYS);
        let mut op = ListObjects::new()
            .prefix(prefix.clone())
            .max_keys(u32::try_from(max_keys).unwrap_or(1000));
        if let Some(delimiter) = &opts.delimiter {
            op = op.delimiter(delimiter.as_ref());
        }
        let marker = match (opts.page_token, opts.offset) {
            (Some(token), _) => Some(token),
            (None, Some(offset)) => Some(self.keys.key(&Path::parse(&offset)?)),
            (None, None) => None,
        };
        if let Some(marker) = marker {
            op = op.marker(marker);
        }
        let page = self
            .client
            .list_objects(&op)
            .await
            .map_err(|err| errors::client(err, &prefix))?;
        let page_token = next_marker(&op, &page);
        Ok(PaginatedListResult {
            result: page_result(&self.keys, page)?,
            page_token,
        })
    }
}
