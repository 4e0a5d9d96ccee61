//! Paginated listings as streams of pages, driven by the core's `next_page` rules.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use cos_proto::Operation;
use cos_proto::ops::{ListMultipartUploads, ListObjectVersions, ListObjects, ListParts};
use futures_core::Stream;

use crate::body::UploadBody;
use crate::client::Client;
use crate::error::Error;

/// A listing whose output says how to ask for the next page.
pub trait Paginated: Operation + Send + Sync + Unpin + Sized + 'static
where
    Self::Output: Send + 'static,
{
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
    next: Option<O>,
    pending: Option<PageFuture<O>>,
}

impl<O: Paginated> fmt::Debug for Pages<O>
where
    O::Output: Send + 'static,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("done", &(self.next.is_none() && self.pending.is_none()))
            .finish_non_exhaustive()
    }
}

impl<O: Paginated> Pages<O>
where
    O::Output: Send + 'static,
{
    pub(crate) fn new(client: Client, first: O) -> Self {
        Self {
            client,
            next: Some(first),
            pending: None,
        }
    }

    /// The next page; `None` after the last.
    pub async fn next_page(&mut self) -> Option<Result<O::Output, Error>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<O::Output, Error>>> {
        if self.pending.is_none() {
            let Some(op) = self.next.take() else {
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
            self.next = op.next_page(&output);
            output
        })))
    }
}

impl<O: Paginated> Stream for Pages<O>
where
    O::Output: Send + 'static,
{
    type Item = Result<O::Output, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

impl Client {
    /// Every page of a listing (objects, versions, uploads or parts), as a stream.
    pub fn paginate<O: Paginated>(&self, first: O) -> Pages<O>
    where
        O::Output: Send + 'static,
    {
        Pages::new(self.clone(), first)
    }
}
