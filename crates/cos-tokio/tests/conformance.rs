//! The shared conformance suite (`cos-conformance`), run through the async client on a
//! Tokio runtime against an in-process emulator.
#![allow(clippy::print_stdout)]

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use cos_conformance::transfer::{self, OnEvent, TransferClient, TransferSetup};
use cos_conformance::{ConformanceClient, Failure, Outcome, Setup, Upload};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::*;
use cos_proto::presign::Presign;
use cos_proto::select::SelectEvent;
use cos_tokio::{Client, Error, StaticCredentials, UploadBody};
use cos_transfer::fs::DownloadTarget;
use cos_transfer::paths::DirectoryReport;
use cos_transfer::{
    CopyOutput, DirectoryOptions, DownloadOutput, TransferError, TransferOptions, UploadOutput,
};
use futures_core::Stream;
use tokio::io::AsyncReadExt;
use tokio::runtime::Runtime;

const BUCKET: &str = "examplebucket-1250000000";
const VERSIONED: &str = "versioned-1250000000";

struct Adapter {
    client: Client,
    runtime: Arc<Runtime>,
}

/// A one-shot stream of chunks (an upload of unknown length).
struct Chunks(std::vec::IntoIter<Bytes>);

impl Stream for Chunks {
    type Item = io::Result<Bytes>;
    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.get_mut().0.next().map(Ok))
    }
}

/// A stream that waits `hold` before giving each chunk.
struct SlowChunks {
    chunks: std::vec::IntoIter<Bytes>,
    hold: std::time::Duration,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Stream for SlowChunks {
    type Item = io::Result<Bytes>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.chunks.len() == 0 {
            return Poll::Ready(None);
        }
        let hold = this.hold;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(hold)));
        std::task::ready!(Future::poll(timer.as_mut(), cx));
        this.timer = None;
        Poll::Ready(this.chunks.next().map(Ok))
    }
}

fn failure(err: Error) -> Failure {
    match err {
        Error::Cos(err) => Failure::from_proto(&err),
        Error::Transport { .. } => Failure::Transport(err.to_string()),
        Error::Source(_)
        | Error::ShortBody { .. }
        | Error::Crc64Mismatch { .. }
        | Error::DocumentTooLarge { .. }
        | Error::File { .. }
        | Error::Io(_)
        | Error::Select(_)
        | Error::Download(_) => Failure::Body(err.to_string()),
        other => Failure::Client(other.to_string()),
    }
}

fn upload(body: Upload) -> Outcome<UploadBody> {
    Ok(match body {
        Upload::Bytes(bytes) => UploadBody::bytes(bytes),
        Upload::File(path) => UploadBody::file(path).map_err(failure)?,
        Upload::Chunks(chunks) => UploadBody::stream(Chunks(chunks.into_iter())),
        Upload::SlowChunks(chunks, hold) => UploadBody::stream(SlowChunks {
            chunks: chunks.into_iter(),
            hold,
            timer: None,
        }),
    })
}

impl Adapter {
    fn run<T>(&self, fut: impl Future<Output = Result<T, Error>>) -> Outcome<T> {
        self.runtime.block_on(fut).map_err(failure)
    }
}

impl ConformanceClient for Adapter {
    fn with_bucket(&self, bucket: &str) -> Outcome<Box<dyn ConformanceClient>> {
        let client = self.client.with_bucket(bucket).map_err(failure)?;
        Ok(Box::new(Adapter {
            client,
            runtime: Arc::clone(&self.runtime),
        }))
    }

    fn put_object(&self, op: &PutObject, body: Upload) -> Outcome<PutObjectOutput> {
        let body = upload(body)?;
        self.run(self.client.put_object(op, body))
    }

    fn head_object(&self, op: &HeadObject) -> Outcome<ObjectInfo> {
        self.run(self.client.head_object(op))
    }

    fn get_object(&self, op: &GetObject) -> Outcome<(GetObjectOutput, Vec<u8>)> {
        self.run(async {
            let (output, mut body) = self.client.get_object(op).await?;
            let mut data = Vec::new();
            body.read_to_end(&mut data).await.map_err(Error::from_io)?;
            Ok((output, data))
        })
    }

    fn get_object_chunks(&self, op: &GetObject) -> Outcome<(GetObjectOutput, Vec<Bytes>)> {
        self.run(async {
            let (output, mut body) = self.client.get_object(op).await?;
            let mut chunks = Vec::new();
            while let Some(chunk) = body.next_chunk().await {
                chunks.push(chunk?);
            }
            Ok((output, chunks))
        })
    }

    fn get_object_held(
        &self,
        op: &GetObject,
        hold: std::time::Duration,
    ) -> Outcome<(Vec<u8>, u32)> {
        self.run(async {
            let (_, mut body) = self.client.get_object(op).await?;
            let mut data = Vec::new();
            if let Some(chunk) = body.next_chunk().await {
                data.extend_from_slice(&chunk?);
            }
            tokio::time::sleep(hold).await;
            while let Some(chunk) = body.next_chunk().await {
                data.extend_from_slice(&chunk?);
            }
            Ok((data, body.resumes()))
        })
    }

    fn get_object_to_file(&self, op: &GetObject, path: &Path) -> Outcome<GetObjectOutput> {
        self.run(self.client.get_object_to_file(op, path))
    }

    fn delete_object(&self, op: &DeleteObject) -> Outcome<DeleteObjectOutput> {
        self.run(self.client.delete_object(op))
    }

    fn delete_objects(&self, op: &DeleteObjects) -> Outcome<DeleteObjectsOutput> {
        self.run(self.client.delete_objects(op))
    }

    fn list_objects(&self, op: &ListObjects) -> Outcome<ListObjectsOutput> {
        self.run(self.client.list_objects(op))
    }

    fn list_objects_pages(&self, op: &ListObjects) -> Outcome<Vec<ListObjectsOutput>> {
        self.run(async {
            let mut pages = self.client.list_objects_pages(op.clone());
            let mut all = Vec::new();
            while let Some(page) = pages.next_page().await {
                all.push(page?);
            }
            Ok(all)
        })
    }

    fn list_object_versions(&self, op: &ListObjectVersions) -> Outcome<ListObjectVersionsOutput> {
        self.run(self.client.list_object_versions(op))
    }

    fn copy_object(&self, op: &CopyObject) -> Outcome<CopyObjectOutput> {
        self.run(self.client.copy_object(op))
    }

    fn restore_object(&self, op: &RestoreObject) -> Outcome<RestoreObjectOutput> {
        self.run(self.client.restore_object(op))
    }

    fn select_object_content(&self, op: &SelectObjectContent) -> Outcome<Vec<SelectEvent>> {
        self.run(async {
            let mut events = self.client.select_object_content(op).await?;
            let mut all = Vec::new();
            while let Some(event) = events.next_event().await {
                all.push(event?);
            }
            Ok(all)
        })
    }

    fn append_object(&self, op: &AppendObject, body: Upload) -> Outcome<AppendObjectOutput> {
        let body = upload(body)?;
        self.run(self.client.append_object(op, body))
    }

    fn list_multipart_uploads(
        &self,
        op: &ListMultipartUploads,
    ) -> Outcome<ListMultipartUploadsOutput> {
        self.run(self.client.list_multipart_uploads(op))
    }

    fn create_multipart_upload(
        &self,
        op: &InitiateMultipartUpload,
    ) -> Outcome<InitiateMultipartUploadOutput> {
        self.run(self.client.create_multipart_upload(op))
    }

    fn upload_part(&self, op: &UploadPart, body: Upload) -> Outcome<UploadPartOutput> {
        let body = upload(body)?;
        self.run(self.client.upload_part(op, body))
    }

    fn upload_part_copy(&self, op: &UploadPartCopy) -> Outcome<UploadPartCopyOutput> {
        self.run(self.client.upload_part_copy(op))
    }

    fn list_parts(&self, op: &ListParts) -> Outcome<ListPartsOutput> {
        self.run(self.client.list_parts(op))
    }

    fn complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Outcome<CompleteMultipartUploadOutput> {
        self.run(self.client.complete_multipart_upload(op))
    }

    fn send_complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Outcome<CompleteMultipartUploadOutput> {
        self.run(self.client.send(op, ()))
    }
    fn abort_multipart_upload(
        &self,
        op: &AbortMultipartUpload,
    ) -> Outcome<AbortMultipartUploadOutput> {
        self.run(self.client.abort_multipart_upload(op))
    }

    fn put_object_tagging(&self, op: &PutObjectTagging) -> Outcome<PutObjectTaggingOutput> {
        self.run(self.client.put_object_tagging(op))
    }

    fn get_object_tagging(&self, op: &GetObjectTagging) -> Outcome<GetObjectTaggingOutput> {
        self.run(self.client.get_object_tagging(op))
    }

    fn delete_object_tagging(
        &self,
        op: &DeleteObjectTagging,
    ) -> Outcome<DeleteObjectTaggingOutput> {
        self.run(self.client.delete_object_tagging(op))
    }

    fn put_object_acl(&self, op: &PutObjectAcl) -> Outcome<PutObjectAclOutput> {
        self.run(self.client.put_object_acl(op))
    }

    fn get_object_acl(&self, op: &GetObjectAcl) -> Outcome<GetObjectAclOutput> {
        self.run(self.client.get_object_acl(op))
    }

    fn presigned_url(&self, presign: &Presign) -> Outcome<String> {
        self.run(self.client.presigned_url(presign))
    }

    fn custom_request(&self, op: &CustomRequest, body: Upload) -> Outcome<http::Response<Bytes>> {
        let body = upload(body)?;
        self.run(self.client.send(op, body))
    }

    fn credential_source(&self) -> Option<cos_tokio::CredentialSource> {
        self.client.credential_source()
    }
}

#[test]
fn conformance_suite() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .bucket(BUCKET, false)
            .bucket(VERSIONED, true),
    )
    .expect("emulator starts");
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(emulator.authority())
        .build()
        .expect("config");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let client = Client::builder(config.clone())
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .proxy_from_env(false)
        .build()
        .expect("client");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let setup = Setup::new(config, scratch.path(), "tokio/").versioned_bucket(VERSIONED);
    let adapter = Adapter {
        client,
        runtime: Arc::new(runtime),
    };
    let results = cos_conformance::run_all(&adapter, &setup);
    print!("{}", cos_conformance::report(&results));
    let failed: Vec<_> = results.iter().filter(|(_, r)| r.is_err()).collect();
    assert!(
        failed.is_empty(),
        "{} checks failed: {failed:?}",
        failed.len()
    );
    assert_eq!(results.len(), cos_conformance::check_names().len());
}

impl TransferClient for Adapter {
    fn upload_file(
        &self,
        put: &PutObject,
        path: &Path,
        options: TransferOptions,
        on_event: OnEvent<'_>,
    ) -> Result<UploadOutput, TransferError> {
        self.runtime.block_on(
            self.client
                .upload_file_with_progress(put, path, options, on_event),
        )
    }
    fn download_file(
        &self,
        get: &GetObject,
        path: &Path,
        options: TransferOptions,
        on_event: OnEvent<'_>,
    ) -> Result<DownloadOutput, TransferError> {
        self.runtime.block_on(
            self.client
                .download_file_with_progress(get, path, options, on_event),
        )
    }
    fn download_to(
        &self,
        get: &GetObject,
        target: Arc<dyn DownloadTarget>,
        options: TransferOptions,
    ) -> Result<DownloadOutput, TransferError> {
        self.runtime
            .block_on(self.client.download_to(get, target, options, |_| {}))
    }
    fn copy(&self, op: &CopyObject, options: TransferOptions) -> Result<CopyOutput, TransferError> {
        self.runtime.block_on(self.client.copy(op, options))
    }
    fn move_object(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        self.runtime.block_on(self.client.move_object(op, options))
    }
    fn upload_dir(
        &self,
        dir: &Path,
        prefix: &str,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        self.runtime
            .block_on(self.client.upload_dir(dir, prefix, options))
    }
    fn download_dir(
        &self,
        prefix: &str,
        dir: &Path,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        self.runtime
            .block_on(self.client.download_dir(prefix, dir, options))
    }
}

fn run_transfer_check(name: &str) {
    let emulator = transfer::emulator();
    let config = Config::builder("ap-guangzhou", transfer::BUCKET)
        .path_style(emulator.authority())
        .build()
        .expect("config");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let client = Client::builder(config.clone())
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .options(transfer::client_options(name))
        .build()
        .expect("client");
    let scratch = tempfile::tempdir().expect("scratch dir");
    let setup = TransferSetup {
        emulator: &emulator,
        config,
        scratch_dir: scratch.path().to_owned(),
    };
    let adapter = Adapter {
        client,
        runtime: Arc::new(runtime),
    };
    if let Err(err) = transfer::run_transfer_check(&adapter, &setup, name) {
        panic!("{name}: {err}");
    }
}

mod transfers {
    cos_conformance::transfer_tests!(super::run_transfer_check);
}

struct Sourced(Arc<Runtime>);

impl cos_conformance::credentials::CredentialClients for Sourced {
    fn with_provider(
        &self,
        config: Config,
        provider: cos_tokio::CredentialsProvider,
    ) -> Box<dyn ConformanceClient + Send + Sync> {
        let client = Client::builder(config)
            .credentials_provider(provider)
            .proxy_from_env(false)
            .build()
            .expect("client");
        Box::new(Adapter {
            client,
            runtime: Arc::clone(&self.0),
        })
    }
}

fn run_credential_check(name: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let clients = Sourced(Arc::new(runtime));
    if let Err(err) = cos_conformance::credentials::run_credentials_check(&clients, name) {
        panic!("{name}: {err}");
    }
}

mod credentials {
    cos_conformance::credential_tests!(super::run_credential_check);
}
