//! The shared conformance suite (`cos-conformance`) against an in-process emulator.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use cos_blocking::{Client, Error, StaticCredentials, UploadBody};
use cos_conformance::transfer::{self, OnEvent, TransferClient, TransferSetup};
use cos_conformance::{ConformanceClient, Failure, Outcome, Setup, Upload};
use cos_emulator::{Emulator, EmulatorConfig};
use cos_proto::Config;
use cos_proto::ops::*;
use cos_proto::presign::Presign;
use cos_proto::select::SelectEvent;
use cos_transfer::fs::DownloadTarget;
use cos_transfer::paths::DirectoryReport;
use cos_transfer::{
    CopyOutput, DirectoryOptions, DownloadOutput, TransferError, TransferOptions, UploadOutput,
};

const BUCKET: &str = "examplebucket-1250000000";
const VERSIONED: &str = "versioned-1250000000";

struct Blocking(Client);

fn failure(err: Error) -> Failure {
    match err {
        Error::Cos(err) => Failure::from_proto(&err),
        err @ Error::Transport { .. } => Failure::Transport(err.to_string()),
        err @ (Error::ShortBody { .. }
        | Error::Crc64Mismatch { .. }
        | Error::File { .. }
        | Error::Io(_)
        | Error::Source(_)
        | Error::Select(_)
        | Error::DocumentTooLarge { .. }) => Failure::Body(err.to_string()),
        err => Failure::Client(err.to_string()),
    }
}

fn body(upload: Upload) -> Outcome<UploadBody> {
    Ok(match upload {
        Upload::Bytes(bytes) => UploadBody::bytes(bytes),
        Upload::File(path) => UploadBody::file(path).map_err(failure)?,
        Upload::Chunks(chunks) => UploadBody::reader(io::Cursor::new(chunks.concat())),
        Upload::SlowChunks(chunks, hold) => UploadBody::reader(SlowReader {
            chunks: chunks.into_iter(),
            hold,
        }),
    })
}

/// A source that sleeps `hold` before giving each chunk.
struct SlowReader {
    chunks: std::vec::IntoIter<Bytes>,
    hold: std::time::Duration,
}

impl Read for SlowReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(chunk) = self.chunks.next() else {
            return Ok(0);
        };
        std::thread::sleep(self.hold);
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        if n < chunk.len() {
            let rest = chunk.slice(n..);
            let mut all = vec![rest];
            all.extend(self.chunks.by_ref());
            self.chunks = all.into_iter();
        }
        Ok(n)
    }
}

fn io_failure(err: io::Error) -> Failure {
    failure(Error::from_io(err))
}

impl ConformanceClient for Blocking {
    fn with_bucket(&self, bucket: &str) -> Outcome<Box<dyn ConformanceClient>> {
        Ok(Box::new(Blocking(
            self.0.with_bucket(bucket).map_err(failure)?,
        )))
    }
    fn put_object(&self, op: &PutObject, upload: Upload) -> Outcome<PutObjectOutput> {
        self.0.put_object(op, body(upload)?).map_err(failure)
    }
    fn head_object(&self, op: &HeadObject) -> Outcome<ObjectInfo> {
        self.0.head_object(op).map_err(failure)
    }
    fn get_object(&self, op: &GetObject) -> Outcome<(GetObjectOutput, Vec<u8>)> {
        let (out, mut reader) = self.0.get_object(op).map_err(failure)?;
        let mut data = Vec::new();
        reader.read_to_end(&mut data).map_err(io_failure)?;
        Ok((out, data))
    }
    fn get_object_chunks(&self, op: &GetObject) -> Outcome<(GetObjectOutput, Vec<Bytes>)> {
        let (out, reader) = self.0.get_object(op).map_err(failure)?;
        let chunks = reader
            .chunks()
            .collect::<io::Result<Vec<_>>>()
            .map_err(io_failure)?;
        Ok((out, chunks))
    }
    fn get_object_held(
        &self,
        op: &GetObject,
        hold: std::time::Duration,
    ) -> Outcome<(Vec<u8>, u32)> {
        let (_, mut reader) = self.0.get_object(op).map_err(failure)?;
        let mut data = vec![0u8; 4096];
        let n = reader.read(&mut data).map_err(io_failure)?;
        data.truncate(n);
        std::thread::sleep(hold);
        reader.read_to_end(&mut data).map_err(io_failure)?;
        Ok((data, reader.resumes()))
    }
    fn get_object_to_file(&self, op: &GetObject, path: &Path) -> Outcome<GetObjectOutput> {
        self.0.get_object_to_file(op, path).map_err(failure)
    }
    fn delete_object(&self, op: &DeleteObject) -> Outcome<DeleteObjectOutput> {
        self.0.delete_object(op).map_err(failure)
    }
    fn delete_objects(&self, op: &DeleteObjects) -> Outcome<DeleteObjectsOutput> {
        self.0.delete_objects(op).map_err(failure)
    }
    fn list_objects(&self, op: &ListObjects) -> Outcome<ListObjectsOutput> {
        self.0.list_objects(op).map_err(failure)
    }
    fn list_objects_pages(&self, op: &ListObjects) -> Outcome<Vec<ListObjectsOutput>> {
        self.0
            .list_objects_pages(op.clone())
            .collect::<Result<Vec<_>, _>>()
            .map_err(failure)
    }
    fn list_object_versions(&self, op: &ListObjectVersions) -> Outcome<ListObjectVersionsOutput> {
        self.0.list_object_versions(op).map_err(failure)
    }
    fn copy_object(&self, op: &CopyObject) -> Outcome<CopyObjectOutput> {
        self.0.copy_object(op).map_err(failure)
    }
    fn restore_object(&self, op: &RestoreObject) -> Outcome<RestoreObjectOutput> {
        self.0.restore_object(op).map_err(failure)
    }
    fn select_object_content(&self, op: &SelectObjectContent) -> Outcome<Vec<SelectEvent>> {
        self.0
            .select_object_content(op)
            .map_err(failure)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(failure)
    }
    fn append_object(&self, op: &AppendObject, upload: Upload) -> Outcome<AppendObjectOutput> {
        self.0.append_object(op, body(upload)?).map_err(failure)
    }
    fn list_multipart_uploads(
        &self,
        op: &ListMultipartUploads,
    ) -> Outcome<ListMultipartUploadsOutput> {
        self.0.list_multipart_uploads(op).map_err(failure)
    }
    fn create_multipart_upload(
        &self,
        op: &InitiateMultipartUpload,
    ) -> Outcome<InitiateMultipartUploadOutput> {
        self.0.create_multipart_upload(op).map_err(failure)
    }
    fn upload_part(&self, op: &UploadPart, upload: Upload) -> Outcome<UploadPartOutput> {
        self.0.upload_part(op, body(upload)?).map_err(failure)
    }
    fn upload_part_copy(&self, op: &UploadPartCopy) -> Outcome<UploadPartCopyOutput> {
        self.0.upload_part_copy(op).map_err(failure)
    }
    fn list_parts(&self, op: &ListParts) -> Outcome<ListPartsOutput> {
        self.0.list_parts(op).map_err(failure)
    }
    fn complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Outcome<CompleteMultipartUploadOutput> {
        self.0.complete_multipart_upload(op).map_err(failure)
    }
    fn send_complete_multipart_upload(
        &self,
        op: &CompleteMultipartUpload,
    ) -> Outcome<CompleteMultipartUploadOutput> {
        self.0.send(op, ()).map_err(failure)
    }
    fn abort_multipart_upload(
        &self,
        op: &AbortMultipartUpload,
    ) -> Outcome<AbortMultipartUploadOutput> {
        self.0.abort_multipart_upload(op).map_err(failure)
    }
    fn put_object_tagging(&self, op: &PutObjectTagging) -> Outcome<PutObjectTaggingOutput> {
        self.0.put_object_tagging(op).map_err(failure)
    }
    fn get_object_tagging(&self, op: &GetObjectTagging) -> Outcome<GetObjectTaggingOutput> {
        self.0.get_object_tagging(op).map_err(failure)
    }
    fn delete_object_tagging(
        &self,
        op: &DeleteObjectTagging,
    ) -> Outcome<DeleteObjectTaggingOutput> {
        self.0.delete_object_tagging(op).map_err(failure)
    }
    fn put_object_acl(&self, op: &PutObjectAcl) -> Outcome<PutObjectAclOutput> {
        self.0.put_object_acl(op).map_err(failure)
    }
    fn get_object_acl(&self, op: &GetObjectAcl) -> Outcome<GetObjectAclOutput> {
        self.0.get_object_acl(op).map_err(failure)
    }
    fn presigned_url(&self, presign: &Presign) -> Outcome<String> {
        self.0.presigned_url(presign).map_err(failure)
    }
    fn custom_request(&self, op: &CustomRequest, upload: Upload) -> Outcome<http::Response<Bytes>> {
        self.0.send(op, body(upload)?).map_err(failure)
    }

    fn credential_source(&self) -> Option<cos_blocking::CredentialSource> {
        self.0.credential_source()
    }
}

#[test]
fn conformance_suite_passes_against_the_emulator() {
    let emulator = Emulator::start(
        EmulatorConfig::new()
            .bucket(BUCKET, false)
            .bucket(VERSIONED, true),
    )
    .unwrap();
    let config = Config::builder("ap-guangzhou", BUCKET)
        .path_style(emulator.authority())
        .build()
        .unwrap();
    let client = Client::builder(config.clone())
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .proxy_from_env(false)
        .build()
        .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let setup = Setup::new(config, scratch.path(), "blocking/").versioned_bucket(VERSIONED);
    let results = cos_conformance::run_all(&Blocking(client), &setup);
    print!("{}", cos_conformance::report(&results));
    let failed: Vec<_> = results.iter().filter(|(_, r)| r.is_err()).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(results.len(), cos_conformance::check_names().len());
}

impl TransferClient for Blocking {
    fn upload_file(
        &self,
        put: &PutObject,
        path: &Path,
        options: TransferOptions,
        on_event: OnEvent<'_>,
    ) -> Result<UploadOutput, TransferError> {
        self.0
            .upload_file_with_progress(put, path, options, on_event)
    }
    fn download_file(
        &self,
        get: &GetObject,
        path: &Path,
        options: TransferOptions,
        on_event: OnEvent<'_>,
    ) -> Result<DownloadOutput, TransferError> {
        self.0
            .download_file_with_progress(get, path, options, on_event)
    }
    fn download_to(
        &self,
        get: &GetObject,
        target: Arc<dyn DownloadTarget>,
        options: TransferOptions,
    ) -> Result<DownloadOutput, TransferError> {
        self.0.download_to(get, target, options, |_| {})
    }
    fn copy(&self, op: &CopyObject, options: TransferOptions) -> Result<CopyOutput, TransferError> {
        self.0.copy(op, options)
    }
    fn move_object(
        &self,
        op: &CopyObject,
        options: TransferOptions,
    ) -> Result<CopyOutput, TransferError> {
        self.0.move_object(op, options)
    }
    fn upload_dir(
        &self,
        dir: &Path,
        prefix: &str,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        self.0.upload_dir(dir, prefix, options)
    }
    fn download_dir(
        &self,
        prefix: &str,
        dir: &Path,
        options: DirectoryOptions,
    ) -> Result<DirectoryReport, TransferError> {
        self.0.download_dir(prefix, dir, options)
    }
}

fn run_transfer_check(name: &str) {
    let emulator = transfer::emulator();
    let config = Config::builder("ap-guangzhou", transfer::BUCKET)
        .path_style(emulator.authority())
        .build()
        .unwrap();
    let client = Client::builder(config.clone())
        .credentials(StaticCredentials::new(emulator.credentials().clone()))
        .options(transfer::client_options(name))
        .build()
        .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let setup = TransferSetup {
        emulator: &emulator,
        config,
        scratch_dir: scratch.path().to_owned(),
    };
    if let Err(err) = transfer::run_transfer_check(&Blocking(client), &setup, name) {
        panic!("{name}: {err}");
    }
}

mod transfers {
    cos_conformance::transfer_tests!(super::run_transfer_check);
}

struct Sourced;

impl cos_conformance::credentials::CredentialClients for Sourced {
    fn with_provider(
        &self,
        config: Config,
        provider: cos_blocking::CredentialsProvider,
    ) -> Box<dyn ConformanceClient + Send + Sync> {
        let client = Client::builder(config)
            .credentials_provider(provider)
            .proxy_from_env(false)
            .build()
            .unwrap();
        Box::new(Blocking(client))
    }
}

fn run_credential_check(name: &str) {
    if let Err(err) = cos_conformance::credentials::run_credentials_check(&Sourced, name) {
        panic!("{name}: {err}");
    }
}

mod credentials {
    cos_conformance::credential_tests!(super::run_credential_check);
}
