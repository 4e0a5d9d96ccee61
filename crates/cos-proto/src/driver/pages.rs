//! Paginated listings: which request fetches the page after a page. The clients' pagers
//! (`Pages<O>`, a stream in `cos-tokio`, an iterator in `cos-blocking`) only send what
//! [`PageCursor`] asks for.
//!
//! ```
//! use cos_proto::Operation;
//! use cos_proto::ops::ListObjects;
//! use cos_proto::driver::pages::PageCursor;
//!
//! let mut cursor = PageCursor::new(ListObjects::new().prefix("logs/"));
//! let first = cursor.next_request().expect("the first page is always asked for");
//! // ... a driver sends `first`; its answer says whether there is more:
//! let url: http::Uri = "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/".parse()?;
//! let body = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
//! let output = first.parse_response(&url, http::Response::new(body.into()))?;
//! cursor.on_page(&first, &output);
//! assert!(cursor.next_request().is_none(), "a page that is not truncated is the last");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::operation::Operation;
use crate::ops::{ListMultipartUploads, ListObjectVersions, ListObjects, ListParts};

/// A listing whose output says how to ask for the next page.
pub trait Paginated: Operation + Sized {
    /// The request for the page after `output`, or `None` after the last page.
    fn next_page(&self, output: &Self::Output) -> Option<Self>;
}

impl Paginated for ListObjects {
    fn next_page(&self, output: &Self::Output) -> Option<Self> {
        ListObjects::next_page(self, output)
    }
}

impl Paginated for ListObjectVersions {
    fn next_page(&self, output: &Self::Output) -> Option<Self> {
        ListObjectVersions::next_page(self, output)
    }
}

impl Paginated for ListMultipartUploads {
    fn next_page(&self, output: &Self::Output) -> Option<Self> {
        ListMultipartUploads::next_page(self, output)
    }
}

impl Paginated for ListParts {
    fn next_page(&self, output: &Self::Output) -> Option<Self> {
        ListParts::next_page(self, output)
    }
}

/// Where a listing stands: the request of the next page, until the last page answered
/// or a page failed.
#[derive(Debug, Clone)]
pub struct PageCursor<O> {
    next: Option<O>,
}

impl<O: Paginated> PageCursor<O> {
    /// A listing that starts with `first`.
    pub fn new(first: O) -> Self {
        Self { next: Some(first) }
    }

    /// The request of the next page (`None` when the listing is over). Taking it
    /// leaves the cursor waiting for [`PageCursor::on_page`]: a page that failed ends
    /// the listing.
    pub fn next_request(&mut self) -> Option<O> {
        self.next.take()
    }

    /// Reports the answer to `request`.
    pub fn on_page(&mut self, request: &O, output: &O::Output) {
        self.next = request.next_page(output);
    }

    /// Whether no page is left to ask for.
    pub fn is_done(&self) -> bool {
        self.next.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::ListObjectsOutput;

    #[test]
    fn a_truncated_page_asks_for_the_next_and_a_failure_ends_it() {
        let mut cursor = PageCursor::new(ListObjects::new());
        let first = cursor.next_request().expect("first");
        let truncated = ListObjectsOutput {
            name: None,
            encoding_type: None,
            prefix: None,
            delimiter: None,
            marker: None,
            next_marker: Some("m".to_owned()),
            max_keys: None,
            is_truncated: true,
            contents: Vec::new(),
            common_prefixes: Vec::new(),
            request_id: None,
        };
        cursor.on_page(&first, &truncated);
        assert!(!cursor.is_done());
        let second = cursor.next_request().expect("second");
        assert_eq!(second, first.clone().marker("m"));
        // The second page failed: nothing is reported, nothing is asked again.
        assert!(cursor.next_request().is_none());
        assert!(cursor.is_done());
    }
}
