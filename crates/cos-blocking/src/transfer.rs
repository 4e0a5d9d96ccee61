//! The transfers (`upload_file`, `download_file`, `copy`, `move_object`, the
//! directories): every rule is in [`cos_transfer`], every loop in
//! [`cos_transfer::drive`]; this file gives the loops the client's requests, a thread
//! per action in flight (at most the machine's window at once), and the caller's thread
//! for file work. A call returns only once every thread it started has finished.

use std::future::{Future, ready};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::thread;

use cos_proto::Operation;
use cos_proto::ops::{GetObject, GetObjectOutput};
use cos_transfer::TransferError;
use cos_transfer::drive::{ChunkSource, Requests, Tasks};

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::ObjectBody;
use crate::error::Error;

impl Client {
    cos_transfer::transfer_methods!([] [] ::pollster::block_on []);

    /// The client as the transfer loops use it.
    pub(crate) fn driver(&self) -> Driver {
        Driver(self.clone())
    }
}

/// The client, lent to [`cos_transfer::drive`]: every request and file call blocks the
/// thread that makes it; [`ThreadTasks`] gives each action its own thread.
#[derive(Clone)]
pub(crate) struct Driver(Client);

impl Requests for Driver {
    type Body = UploadBody;
    type Object = ObjectBody;
    type Tasks<O: Send + 'static> = ThreadTasks<O>;

    fn config(&self) -> &cos_proto::Config {
        self.0.config()
    }

    fn with_config(&self, config: cos_proto::Config) -> Self {
        Driver(self.0.with_config(config))
    }

    fn tasks<O: Send + 'static>(&self) -> ThreadTasks<O> {
        let (sender, receiver) = mpsc::channel();
        ThreadTasks {
            sender,
            receiver,
            in_flight: 0,
        }
    }

    fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, Error> + Send + 'static,
    ) -> impl Future<Output = Result<T, Error>> + Send + 'static {
        ready(work())
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
        ready(self.0.send(op, body))
    }

    fn get_object(
        &self,
        op: &GetObject,
    ) -> impl Future<Output = Result<(GetObjectOutput, ObjectBody), Error>> + Send {
        ready(self.0.get_object(op))
    }
}

/// A transfer's actions, each on a thread of its own, their outcomes handed back in
/// the order they finish.
pub(crate) struct ThreadTasks<O> {
    sender: mpsc::Sender<thread::Result<O>>,
    receiver: mpsc::Receiver<thread::Result<O>>,
    in_flight: usize,
}

impl<O: Send + 'static> ThreadTasks<O> {
    fn start(&mut self, work: impl FnOnce() -> O + Send + 'static) {
        let sender = self.sender.clone();
        self.in_flight += 1;
        thread::spawn(move || {
            let _ = sender.send(catch_unwind(AssertUnwindSafe(work)));
        });
    }
}

impl<O: Send + 'static> Tasks<O> for ThreadTasks<O> {
    fn spawn(&mut self, action: impl Future<Output = O> + Send + 'static) {
        self.start(move || pollster::block_on(action));
    }

    fn spawn_blocking(&mut self, work: impl FnOnce() -> O + Send + 'static) {
        self.start(work);
    }

    async fn next(&mut self) -> Result<O, TransferError> {
        if self.in_flight == 0 {
            return Err(TransferError::Unexpected(
                "the transfer waits for nothing in flight".into(),
            ));
        }
        let outcome = self.receiver.recv();
        self.in_flight -= 1;
        match outcome {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(_)) => Err(TransferError::Unexpected(
                "a transfer thread panicked".into(),
            )),
            Err(_) => Err(TransferError::Unexpected(
                "a transfer thread vanished".into(),
            )),
        }
    }

    fn len(&self) -> usize {
        self.in_flight
    }
}

impl ChunkSource for ObjectBody {
    fn next_chunk(&mut self) -> impl Future<Output = Option<Result<bytes::Bytes, Error>>> + Send {
        ready(ObjectBody::next_chunk(self))
    }

    fn check_complete(&self) -> Result<(), Error> {
        self.check_complete()
    }
}
