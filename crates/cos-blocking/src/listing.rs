//! Paginated listings as iterators.

use cos_proto::ops::{ListObjects, ListObjectsOutput};

use crate::client::Client;
use crate::error::Error;

/// Every page of a listing, fetched as the iteration proceeds (the next request is built
/// by [`ListObjects::next_page`]). Stops after the last page or the first error.
#[derive(Debug)]
pub struct ListObjectsPages {
    client: Client,
    next: Option<ListObjects>,
}

impl ListObjectsPages {
    pub(crate) fn new(client: Client, first: ListObjects) -> Self {
        Self {
            client,
            next: Some(first),
        }
    }
}

impl Iterator for ListObjectsPages {
    type Item = Result<ListObjectsOutput, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let op = self.next.take()?;
        match self.client.list_objects(&op) {
            Ok(page) => {
                self.next = op.next_page(&page);
                Some(Ok(page))
            }
            Err(err) => Some(Err(err)),
        }
    }
}
