//! The clients' convenience methods, one per operation, declared once: each client
//! expands [`operation_methods!`](crate::operation_methods) inside its `impl Client`,
//! async or blocking, and gets the same names, arguments, results and documentation.
//! A new operation (a bucket operation, say) is one line here.

/// Expands to the one-line convenience methods of every operation, inside the
/// `impl Client` block of a client with `send(&op, body)`, `paginate(op)`, an
/// `UploadBody` and an `Error` in scope.
///
/// `cos_transfer::operation_methods!(async, .await)` writes async methods;
/// `cos_transfer::operation_methods!(,)` blocking ones.
#[macro_export]
macro_rules! operation_methods {
    ($($async:ident)?, $($await:tt)*) => {
        $crate::operation_methods!(@send [$($async)?] [$($await)*]
            "HEAD Object: the object's attributes."
            head_object HeadObject => ObjectInfo;
            "DELETE Object (or one version of it)."
            delete_object DeleteObject => DeleteObjectOutput;
            "Delete Multiple Objects: up to 1,000 in one request."
            delete_objects DeleteObjects => DeleteObjectsOutput;
            "GET Bucket: one page of the object listing."
            list_objects ListObjects => ListObjectsOutput;
            "GET Bucket versions: one page of versions and delete markers."
            list_object_versions ListObjectVersions => ListObjectVersionsOutput;
            "PUT Object - Copy, inside COS (an error inside the `200` is an error)."
            copy_object CopyObject => CopyObjectOutput;
            "POST Object restore: an archived object readable for some days."
            restore_object RestoreObject => RestoreObjectOutput;
            "List Multipart Uploads: one page of the uploads in progress."
            list_multipart_uploads ListMultipartUploads => ListMultipartUploadsOutput;
            "Initiate Multipart Upload (not retried once it may have reached COS)."
            create_multipart_upload InitiateMultipartUpload => InitiateMultipartUploadOutput;
            "Upload Part - Copy: a range of an object as one part."
            upload_part_copy UploadPartCopy => UploadPartCopyOutput;
            "List Parts: one page of a multipart upload's parts."
            list_parts ListParts => ListPartsOutput;
            "Complete Multipart Upload (waits up to the complete timeout while COS assembles \
             the object; an error inside the `200` is an error)."
            complete_multipart_upload CompleteMultipartUpload => CompleteMultipartUploadOutput;
            "Abort Multipart Upload."
            abort_multipart_upload AbortMultipartUpload => AbortMultipartUploadOutput;
            "PUT Object tagging: replaces the object's tags."
            put_object_tagging PutObjectTagging => PutObjectTaggingOutput;
            "GET Object tagging."
            get_object_tagging GetObjectTagging => GetObjectTaggingOutput;
            "DELETE Object tagging."
            delete_object_tagging DeleteObjectTagging => DeleteObjectTaggingOutput;
            "PUT Object ACL."
            put_object_acl PutObjectAcl => PutObjectAclOutput;
            "GET Object ACL."
            get_object_acl GetObjectAcl => GetObjectAclOutput;
        );
        $crate::operation_methods!(@upload [$($async)?] [$($await)*]
            "PUT Object. The operation takes the body's length when it leaves its own open; \
             a length it announces must be the body's."
            put_object PutObject => PutObjectOutput;
            "Upload Part. The operation takes the body's length when it leaves its own open; \
             a length it announces must be the body's."
            upload_part UploadPart => UploadPartOutput;
        );
        $crate::operation_methods!(@pages
            "Every page of the object listing."
            list_objects_pages ListObjects;
            "Every page of the version listing."
            list_object_versions_pages ListObjectVersions;
            "Every page of the multipart-upload listing."
            list_multipart_uploads_pages ListMultipartUploads;
            "Every page of a multipart upload's parts."
            list_parts_pages ListParts;
        );
    };
    // One method at a time: the qualifiers repeat once per method.
    (@send [$($async:ident)?] [$($await:tt)*]
        $doc:literal $name:ident $op:ident => $out:ident; $($rest:tt)*) => {
        #[doc = $doc]
        pub $($async)? fn $name(
            &self,
            op: &::cos_proto::ops::$op,
        ) -> ::std::result::Result<::cos_proto::ops::$out, Error> {
            self.send(op, ()) $($await)*
        }
        $crate::operation_methods!(@send [$($async)?] [$($await)*] $($rest)*);
    };
    (@send [$($async:ident)?] [$($await:tt)*]) => {};
    (@upload [$($async:ident)?] [$($await:tt)*]
        $doc:literal $name:ident $op:ident => $out:ident; $($rest:tt)*) => {
        #[doc = $doc]
        pub $($async)? fn $name(
            &self,
            op: &::cos_proto::ops::$op,
            body: impl Into<UploadBody>,
        ) -> ::std::result::Result<::cos_proto::ops::$out, Error> {
            self.send(op, body) $($await)*
        }
        $crate::operation_methods!(@upload [$($async)?] [$($await)*] $($rest)*);
    };
    (@upload [$($async:ident)?] [$($await:tt)*]) => {};
    (@pages $($doc:literal $name:ident $op:ident;)*) => {
        $(
            #[doc = $doc]
            pub fn $name(&self, op: ::cos_proto::ops::$op) -> Pages<::cos_proto::ops::$op> {
                self.paginate(op)
            }
        )*
    };
}

/// Expands to the transfer methods (`upload_file`, `download_file`, `download_to`,
/// `copy`, `move_object`, `upload_dir`, `download_dir`) inside the `impl Client` block
/// of a client with `driver()` (its [`Requests`](crate::drive::Requests)), declared
/// once for both clients: `[async] [.await] ::std::convert::identity [+ Send]` for an
/// async client, `[] [] ::pollster::block_on []` for a blocking one (`run` turns a
/// loop's future into the method's result; the last group bounds progress callbacks).
#[macro_export]
macro_rules! transfer_methods {
    ([$($async:ident)?] [$($await:tt)*] $run:path [$($bound:tt)*]) => {
        /// Uploads the file at `path` as `put` describes (key, content headers, metadata,
        /// ACL, storage class, tags, encryption, traffic limit; its length is ignored): one
        /// PUT below `options.multipart_threshold`, else a multipart upload with
        /// `options.concurrency` parts in flight. Resumable: the state is kept in
        /// `.cos-transfer/<name>.resume` beside the file after each part; running the same
        /// upload again after a crash or failure sends only the parts COS does not have.
        /// The CRC-64 of every part and of the whole object is checked against COS's.
        pub $($async)? fn upload_file(
            &self,
            put: &::cos_proto::ops::PutObject,
            path: impl AsRef<::std::path::Path>,
            options: $crate::TransferOptions,
        ) -> Result<$crate::UploadOutput, $crate::TransferError> {
            self.upload_file_with_progress(put, path, options, |_| {}) $($await)*
        }

        /// [`Client::upload_file`], calling `on_event` with every progress event.
        pub $($async)? fn upload_file_with_progress(
            &self,
            put: &::cos_proto::ops::PutObject,
            path: impl AsRef<::std::path::Path>,
            options: $crate::TransferOptions,
            on_event: impl FnMut($crate::TransferEvent) $($bound)*,
        ) -> Result<$crate::UploadOutput, $crate::TransferError> {
            let client = self.driver();
            $run($crate::drive::upload_file(&client, put, path.as_ref(), options, on_event)) $($await)*
        }

        /// Downloads what `get` names to `path`: a HEAD pins the object's size, ETag and
        /// CRC-64; ranges of `options.part_size` are fetched `options.concurrency` at a
        /// time with `If-Match`, written into `.cos-transfer/<name>.part` beside it, and the
        /// file is renamed over `path` only once the CRC-64 combined from the ranges matches
        /// COS's. Resumable: `.cos-transfer/<name>.resume` records the ranges that are
        /// durable; running the same download again fetches only the rest (or starts over
        /// if the object changed).
        pub $($async)? fn download_file(
            &self,
            get: &::cos_proto::ops::GetObject,
            path: impl AsRef<::std::path::Path>,
            options: $crate::TransferOptions,
        ) -> Result<$crate::DownloadOutput, $crate::TransferError> {
            self.download_file_with_progress(get, path, options, |_| {}) $($await)*
        }

        /// [`Client::download_file`], calling `on_event` with every progress event.
        pub $($async)? fn download_file_with_progress(
            &self,
            get: &::cos_proto::ops::GetObject,
            path: impl AsRef<::std::path::Path>,
            options: $crate::TransferOptions,
            on_event: impl FnMut($crate::TransferEvent) $($bound)*,
        ) -> Result<$crate::DownloadOutput, $crate::TransferError> {
            let target = ::std::sync::Arc::new($crate::fs::FileTarget::new(path.as_ref()));
            self.download_to(get, target, options, on_event) $($await)*
        }

        /// [`Client::download_file`] into any
        /// [`DownloadTarget`](cos_transfer::fs::DownloadTarget) (another store, a quota):
        /// the same ranges, checkpoints, verification and resume; the target decides where
        /// bytes and checkpoints go and keeps them durable.
        pub $($async)? fn download_to(
            &self,
            get: &::cos_proto::ops::GetObject,
            target: ::std::sync::Arc<dyn $crate::fs::DownloadTarget>,
            options: $crate::TransferOptions,
            on_event: impl FnMut($crate::TransferEvent) $($bound)*,
        ) -> Result<$crate::DownloadOutput, $crate::TransferError> {
            let client = self.driver();
            $run($crate::drive::download_to(&client, get, target, options, on_event)) $($await)*
        }

        /// Copies as `op` describes: one server-side copy below `options.copy_threshold`
        /// (5 GiB), parallel part copies above it, each pinned to the source's ETag; the
        /// copy's CRC-64 is checked against the source's.
        pub $($async)? fn copy(
            &self,
            op: &::cos_proto::ops::CopyObject,
            options: $crate::TransferOptions,
        ) -> Result<$crate::CopyOutput, $crate::TransferError> {
            let machine = $crate::Copy::new(op.clone(), options);
            $run($crate::drive::copy(&self.driver(), machine)) $($await)*
        }

        /// Moves: [`Client::copy`], then a HEAD of the destination (size and CRC-64 must
        /// match the source's), and only then the deletion of the source.
        pub $($async)? fn move_object(
            &self,
            op: &::cos_proto::ops::CopyObject,
            options: $crate::TransferOptions,
        ) -> Result<$crate::CopyOutput, $crate::TransferError> {
            let machine = $crate::Copy::moving(op.clone(), options);
            $run($crate::drive::copy(&self.driver(), machine)) $($await)*
        }

        /// Uploads every file below `dir` to `prefix` + its relative path (with `/`
        /// separators), `options.parallel_files` files at a time, each with
        /// [`Client::upload_file`] (so each resumes). With `options.skip_unchanged`, files
        /// whose object has the same size and CRC-64 are skipped. Fails only if `dir`
        /// cannot be read; each file's fate is in the report.
        pub $($async)? fn upload_dir(
            &self,
            dir: impl AsRef<::std::path::Path>,
            prefix: &str,
            options: $crate::DirectoryOptions,
        ) -> Result<$crate::paths::DirectoryReport, $crate::TransferError> {
            let client = self.driver();
            $run($crate::drive::upload_dir(&client, dir.as_ref(), prefix, options)) $($await)*
        }

        /// Downloads every object under `prefix` into `dir`, at the path the key names
        /// after the prefix, `options.parallel_files` at a time, each with
        /// [`Client::download_file`] (so each resumes, and appears only when verified).
        /// Keys that could escape `dir` (`..`, absolute, drive letters, backslashes, empty
        /// segments) or name the transfers' helper folder (`.cos-transfer`) are refused and
        /// reported, never written; a key below a symbolic link in `dir` fails, and nothing
        /// is created past the link. Directory markers (keys ending in `/`) are reported
        /// and skipped. With `options.skip_unchanged`, files whose size and CRC-64 match the
        /// object are kept.
        pub $($async)? fn download_dir(
            &self,
            prefix: &str,
            dir: impl AsRef<::std::path::Path>,
            options: $crate::DirectoryOptions,
        ) -> Result<$crate::paths::DirectoryReport, $crate::TransferError> {
            let client = self.driver();
            $run($crate::drive::download_dir(&client, prefix, dir.as_ref(), options)) $($await)*
        }
    };
}

use cos_proto::driver::error::Error as ClientError;
use cos_proto::ops::{AppendObject, AppendObjectOutput};

use super::Requests;

/// APPEND Object, never sent twice (the append could land twice): when its answer is
/// lost, a HEAD says whether it landed (appendable, `position + length` bytes), and
/// only then is it reported done.
pub async fn append_object<R: Requests>(
    client: &R,
    op: &AppendObject,
    body: R::Body,
) -> Result<AppendObjectOutput, ClientError> {
    let err = match client.send(op, body).await {
        Err(err) => err,
        done => return done,
    };
    match op.recheck_after(&err) {
        Some(head) => match client.send(&head, R::Body::default()).await {
            Ok(info) => op.reconcile(&info).ok_or(err),
            Err(_) => Err(err),
        },
        None => Err(err),
    }
}
