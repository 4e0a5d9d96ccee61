//! The transfers (`upload_file`, `download_file`, `copy`, `move_object`, the
//! directories): every rule is in [`cos_transfer`], every loop in
//! [`cos_transfer::drive`]; this file gives the loops the client's requests, tasks for
//! concurrency, and the blocking pool for file work.
//!
//! A transfer returns only once nothing it started is still running. Dropping its
//! future cancels the requests in flight, but a file write already on the blocking pool
//! finishes on its own: wait a moment before starting the same transfer again.

use std::future::Future;
use std::io;

use cos_proto::Operation;
use cos_proto::ops::{GetObject, GetObjectOutput};
use cos_transfer::TransferError;
use cos_transfer::drive::{ChunkSource, Requests, Tasks};
use tokio::task::JoinSet;

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::ObjectBody;
use crate::error::Error;

impl Client {
    cos_transfer::transfer_methods!([async] [.await] ::std::convert::identity [+ Send]);

    /// The client as the transfer loops use it.
    pub(crate) fn driver(&self) -> Driver {
        Driver(self.clone())
    }
}

/// The client, lent to [`cos_transfer::drive`]: requests as tasks, file work on the
/// blocking pool.
#[derive(Clone)]
pub(crate) struct Driver(Client);

impl Requests for Driver {
    type Body = UploadBody;
    type Object = ObjectBody;
    type Tasks<O: Send + 'static> = JoinTasks<O>;

    fn config(&self) -> &cos_proto::Config {
        self.0.config()
    }

    fn with_config(&self, config: cos_proto::Config) -> Self {
        Driver(self.0.with_config(config))
    }

    fn tasks<O: Send + 'static>(&self) -> JoinTasks<O> {
        JoinTasks(JoinSet::new())
    }

    fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> impl Future<Output = Result<T, Error>> + Send + 'static {
        let task = tokio::task::spawn_blocking(work);
        async move {
            task.await
                .unwrap_or_else(|join| Err(Error::Io(io::Error::other(join))))
        }
    }

    fn send<O>(
        &self,
        op: &O,
        body: UploadBody,
    ) -> impl Future<Output = Result<O::Output, Error>> + Send
    where
        O: Operation + Sync,
        O::Output: Send,
    {
        self.0.send(op, body)
    }

    fn get_object(
        &self,
        op: &GetObject,
    ) -> impl Future<Output = Result<(GetObjectOutput, ObjectBody), Error>> + Send {
        self.0.get_object(op)
    }
}

/// A transfer's actions as tasks of a [`JoinSet`] (aborted if the transfer is dropped).
pub(crate) struct JoinTasks<O>(JoinSet<O>);

impl<O: Send + 'static> Tasks<O> for JoinTasks<O> {
    fn spawn(&mut self, action: impl Future<Output = O> + Send + 'static) {
        self.0.spawn(action);
    }

    fn spawn_blocking(&mut self, work: impl FnOnce() -> O + Send + 'static) {
        self.0.spawn_blocking(work);
    }

    async fn next(&mut self) -> Result<O, TransferError> {
        match self.0.join_next().await {
            Some(Ok(outcome)) => Ok(outcome),
            Some(Err(join)) => Err(TransferError::Client(Error::Io(io::Error::other(join)))),
            None => Err(TransferError::Unexpected(
                "the transfer waits for nothing in flight".into(),
            )),
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

impl ChunkSource for ObjectBody {
    fn next_chunk(&mut self) -> impl Future<Output = Option<Result<bytes::Bytes, Error>>> + Send {
        ObjectBody::next_chunk(self)
    }

    fn check_complete(&self) -> Result<(), Error> {
        self.check_complete()
    }
}
