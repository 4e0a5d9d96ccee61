//! Paginated listings as iterators of pages; which page comes next is
//! [`PageCursor`]'s to say.

use std::fmt;

use cos_proto::driver::pages::{PageCursor, Paginated};
use cos_proto::ops::ListObjects;

use crate::body::UploadBody;
use crate::client::Client;
use crate::error::Error;

/// The pages of an object listing.
pub type ListObjectsPages = Pages<ListObjects>;

/// The pages of a listing, fetched one at a time as the iteration proceeds. An error
/// ends it.
pub struct Pages<O> {
    client: Client,
    cursor: PageCursor<O>,
}

impl<O: Paginated> fmt::Debug for Pages<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("done", &self.cursor.is_done())
            .finish_non_exhaustive()
    }
}

impl<O: Paginated> Pages<O> {
    /// The next page; `None` after the last.
    pub fn next_page(&mut self) -> Option<Result<O::Output, Error>> {
        let op = self.cursor.next_request()?;
        Some(
            self.client
                .execute(&op, &mut UploadBody::empty())
                .map(|(output, _)| {
                    self.cursor.on_page(&op, &output);
                    output
                }),
        )
    }
}

impl<O: Paginated> Iterator for Pages<O> {
    type Item = Result<O::Output, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_page()
    }
}

impl Client {
    /// Every page of a listing (objects, versions, uploads or parts), as an iterator.
    pub fn paginate<O: Paginated>(&self, first: O) -> Pages<O> {
        Pages {
            client: self.clone(),
            cursor: PageCursor::new(first),
        }
    }
}
