//! The copy loop: `copy` and `move_object`.

use super::{Requests, Tasks, settle};
use crate::{Copy, CopyAction, CopyOutcome, CopyOutput, TransferError};

/// Runs a copy (or move) machine: one server-side copy below the copy threshold, part
/// copies pinned to the source's ETag above it, the CRC-64 checked against the
/// source's; a move deletes the source only once the destination is verified.
pub async fn copy<R: Requests>(client: &R, mut machine: Copy) -> Result<CopyOutput, TransferError> {
    let source_config = machine
        .source()
        .config(client.config())
        .map_err(|e| TransferError::Client(cos_proto::Error::from(e).into()))?;
    let source = client.with_config(source_config);
    let mut tasks = client.tasks();
    loop {
        while machine.poll_event().is_some() {}
        let Some(action) = machine.poll_action() else {
            let outcome = tasks.next().await?;
            machine.handle(outcome);
            continue;
        };
        let (client, source) = (client.clone(), source.clone());
        let none = R::Body::default;
        match action {
            CopyAction::Done(result) => {
                settle(&mut tasks).await;
                return result;
            }
            CopyAction::HeadSource(op) => {
                tasks.spawn(async move { CopyOutcome::SourceHead(source.send(&op, none()).await) })
            }
            CopyAction::CopyObject(op) => {
                tasks.spawn(async move { CopyOutcome::Copied(client.send(&op, none()).await) })
            }
            CopyAction::Initiate(op) => {
                tasks.spawn(async move { CopyOutcome::Initiated(client.send(&op, none()).await) })
            }
            CopyAction::UploadPartCopy { op, part_number } => tasks.spawn(async move {
                let result = client.send(&op, none()).await;
                CopyOutcome::PartCopied {
                    part_number,
                    result,
                }
            }),
            CopyAction::Complete(op) => {
                tasks.spawn(async move { CopyOutcome::Completed(client.send(&op, none()).await) })
            }
            CopyAction::Abort(op) => tasks.spawn(async move {
                CopyOutcome::Aborted(client.send(&op, none()).await.map(drop))
            }),
            CopyAction::HeadDestination(op) => tasks
                .spawn(async move { CopyOutcome::DestinationHead(client.send(&op, none()).await) }),
            CopyAction::DeleteSource(op) => tasks.spawn(async move {
                CopyOutcome::SourceDeleted(source.send(&op, none()).await.map(drop))
            }),
        }
    }
}
