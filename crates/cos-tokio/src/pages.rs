//! Paginated listings as streams of pages; which page comes next is
//! [`PageCursor`]'s to say.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use cos_proto::Operation;
use cos_proto::driver::pages::{PageCursor, Paginated};
use cos_proto::ops::ListObjects;
use futures_core::Stream;

use crate::body::UploadBody;
use crate::client::Client;
use crate::error::Error;

/// The pages of an object listing.
pub type ListObjectsPages = Pages<ListObjects>;

type PageFuture<O> =
    Pin<Box<dyn Future<Output = Result<(O, <O as Operation>::Output), Error>> + Send>>;

/// The pages of a listing, fetched one at a time as they are polled. An error ends it.
pub struct Pages<O: Paginated>
where
    O::Output: Send + 'static,
{
    client: Client,
    cursor: PageCursor<O>,
    pending: Option<PageFuture<O>>,
}

impl<O: Paginated> fmt::Debug for Pages<O>
where
    O::Output: Send + 'static,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("done", &(self.cursor.is_done() && self.pending.is_none()))
            .finish_non_exhaustive()
    }
}

impl<O> Pages<O>
where
    O: Paginated + Send + Sync + Unpin + 'static,
    O::Output: Send + 'static,
{
    pub(crate) fn new(client: Client, first: O) -> Self {
        Self {
            client,
            cursor: PageCursor::new(first),
            pending: None,
        }
    }

    /// The next page; `None` after the last.
    pub async fn next_page(&mut self) -> Option<Result<O::Output, Error>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<O::Output, Error>>> {
        if self.pending.is_none() {
            let Some(op) = self.cursor.next_request() else {
                return Poll::Ready(None);
            };
            let client = self.client.clone();
            self.pending = Some(Box::pin(async move {
                let (output, _) = client.execute(&op, &mut UploadBody::empty()).await?;
                Ok((op, output))
            }));
        }
        let Some(pending) = self.pending.as_mut() else {
            return Poll::Ready(None);
        };
        let result = ready!(pending.as_mut().poll(cx));
        self.pending = None;
        Poll::Ready(Some(result.map(|(op, output)| {
            self.cursor.on_page(&op, &output);
            output
        })))
    }
}

impl<O> Stream for Pages<O>
where
    O: Paginated + Send + Sync + Unpin + 'static,
    O::Output: Send + 'static,
{
    type Item = Result<O::Output, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

impl Client {
    /// Every page of a listing (objects, versions, uploads or parts), as a stream.
    pub fn paginate<O>(&self, first: O) -> Pages<O>
    where
        O: Paginated + Send + Sync + Unpin + 'static,
        O::Output: Send + 'static,
    {
        Pages::new(self.clone(), first)
    }
}
