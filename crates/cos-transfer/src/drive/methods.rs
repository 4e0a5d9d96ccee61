//! The clients' convenience methods, one per operation, declared once: each client
//! expands [`operation_methods!`](crate::operation_methods) inside its `impl Client`,
//! async or blocking, and gets the same names, arguments, results and documentation.
//! A new operation (a bucket operation, say) is one line here.

/// Expands to `send`, `get_object`, `get_object_to_file`, `presigned_url`, `config`,
/// `with_bucket` and the one-line convenience method of every operation, inside the
/// `impl Client` block of a client with `execute(&op, &mut body)`, `current_credentials()`,
/// `with_config(config)`, `driver()`, `paginate(op)`, and `UploadBody`, `ObjectBody`,
/// `Pages` and `Error` in scope; the groups are those of
/// [`transfer_methods!`](crate::transfer_methods).
#[macro_export]
macro_rules! operation_methods {
    ([$($async:ident)?] [$($await:tt)*] $run:path [$($bound:tt)*]) => {
        /// Sends any buffered operation (every operation but GET Object and Select) with
        /// its upload body (`()` or [`UploadBody::empty`] when it has none), retrying as
        /// the core decides: each attempt is re-signed with the current clock and fresh
        /// credentials, marked `x-cos-sdk-retry`, and its body rewound. Streamed
        /// operations are refused: use [`Client::get_object`] and
        /// [`Client::select_object_content`].
        pub $($async)? fn send<O>(&self, op: &O, body: impl Into<UploadBody>) -> Result<O::Output, Error>
        where
            O: ::cos_proto::Operation + Sync,
            O::Output: Send,
        {
            if O::RESPONSE_BODY == ::cos_proto::ResponseBody::Streamed {
                return Err(Error::Unsupported(
                    "this operation streams its response: use get_object or select_object_content",
                ));
            }
            let mut body = body.into();
            Ok(self.execute(op, &mut body) $($await)*?.0)
        }

        /// GET Object: the answer's headers, and its body, which resumes a broken transfer
        /// where it stopped (pinned to the object's ETag) and checks the length and, for a
        /// whole object, the CRC-64 at its end.
        pub $($async)? fn get_object(
            &self,
            op: &::cos_proto::ops::GetObject,
        ) -> Result<(::cos_proto::ops::GetObjectOutput, ObjectBody), Error> {
            let (output, body) = self.execute(op, &mut UploadBody::empty()) $($await)*?;
            let (body, started) = body.ok_or(Error::Unsupported("a download without a body"))?;
            let body = ObjectBody::new(self.clone(), op, &output, body, started);
            Ok((output, body))
        }

        /// Downloads to `path` atomically: into a temporary file in the helper folder
        /// beside it, flushed to disk, then renamed over `path`. The length is checked
        /// against `Content-Length`, and the CRC-64 against `x-cos-hash-crc64ecma` when the
        /// whole object was fetched. On any failure `path` is untouched and the temporary
        /// file removed (nothing is created when COS answers an error).
        pub $($async)? fn get_object_to_file(
            &self,
            op: &::cos_proto::ops::GetObject,
            path: impl AsRef<::std::path::Path>,
        ) -> Result<::cos_proto::ops::GetObjectOutput, Error> {
            let client = self.driver();
            let files = $run($crate::drive::files_for(&client, path.as_ref())) $($await)*?;
            let (output, mut body) = self.get_object(op) $($await)*?;
            let unique = ::fastrand::u64(..);
            $run($crate::drive::save(&client, &mut body, files, unique)) $($await)*?;
            Ok(output)
        }

        /// A presigned URL for `presign`, signed now with the client's credentials.
        pub $($async)? fn presigned_url(
            &self,
            presign: &::cos_proto::presign::Presign,
        ) -> Result<String, Error> {
            let credentials = self.current_credentials() $($await)*?.ok_or_else(|| {
                Error::Credentials("presigned URLs need credentials; the client is anonymous".to_owned())
            })?;
            Ok(presign.url(self.config(), &credentials, $crate::drive::unix_now())?)
        }

        /// The configuration (bucket, region, endpoint).
        pub fn config(&self) -> &::cos_proto::Config {
            &self.inner.settings.config
        }

        /// The same client (connections, credentials, retry budget) for another bucket.
        pub fn with_bucket(&self, bucket: &str) -> Result<Client, Error> {
            Ok(self.with_config(self.inner.settings.config.with_bucket(bucket)?))
        }

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
        $crate::operation_methods!(@bucket [$($async)?] [$($await)*]
            "GET Service: the account's buckets (any client of the account; the bucket of its configuration is not used)."
            list_buckets ListBuckets;
            "PUT Bucket: creates the client's bucket."
            create_bucket CreateBucket;
            "HEAD Bucket: the bucket's region and kind."
            head_bucket HeadBucket;
            "Whether the client's bucket exists (HEAD Bucket: `404` is `false`)."
            bucket_exists BucketExists;
            "DELETE Bucket (it must be empty)."
            delete_bucket DeleteBucket;
            "GET Bucket location: the bucket's region."
            get_bucket_location GetBucketLocation;
            "PUT Bucket acl: replaces it."
            put_bucket_acl PutBucketAcl;
            "GET Bucket acl."
            get_bucket_acl GetBucketAcl;
            "PUT Bucket cors: replaces it."
            put_bucket_cors PutBucketCors;
            "GET Bucket cors."
            get_bucket_cors GetBucketCors;
            "DELETE Bucket cors."
            delete_bucket_cors DeleteBucketCors;
            "PUT Bucket domain: replaces it."
            put_bucket_domain PutBucketDomain;
            "GET Bucket domain."
            get_bucket_domain GetBucketDomain;
            "DELETE Bucket domain."
            delete_bucket_domain DeleteBucketDomain;
            "PUT Bucket encryption: replaces it."
            put_bucket_encryption PutBucketEncryption;
            "GET Bucket encryption."
            get_bucket_encryption GetBucketEncryption;
            "DELETE Bucket encryption."
            delete_bucket_encryption DeleteBucketEncryption;
            "PUT Bucket intelligent tiering: replaces it."
            put_bucket_intelligent_tiering PutBucketIntelligentTiering;
            "GET Bucket intelligent tiering."
            get_bucket_intelligent_tiering GetBucketIntelligentTiering;
            "PUT Bucket intelligent tiering configuration: replaces it."
            put_bucket_intelligent_tiering_configuration PutBucketIntelligentTieringConfiguration;
            "GET Bucket intelligent tiering configuration."
            get_bucket_intelligent_tiering_configuration GetBucketIntelligentTieringConfiguration;
            "Lists the bucket's intelligent tiering configurations."
            list_bucket_intelligent_tiering_configurations ListBucketIntelligentTieringConfigurations;
            "PUT Bucket inventory: replaces it."
            put_bucket_inventory PutBucketInventory;
            "GET Bucket inventory."
            get_bucket_inventory GetBucketInventory;
            "DELETE Bucket inventory."
            delete_bucket_inventory DeleteBucketInventory;
            "POST Bucket inventory: a one-time inventory job."
            post_bucket_inventory PostBucketInventory;
            "Lists the bucket's inventory configurations."
            list_bucket_inventory_configurations ListBucketInventoryConfigurations;
            "PUT Bucket lifecycle: replaces it."
            put_bucket_lifecycle PutBucketLifecycle;
            "GET Bucket lifecycle."
            get_bucket_lifecycle GetBucketLifecycle;
            "DELETE Bucket lifecycle."
            delete_bucket_lifecycle DeleteBucketLifecycle;
            "PUT Bucket logging: replaces it."
            put_bucket_logging PutBucketLogging;
            "GET Bucket logging."
            get_bucket_logging GetBucketLogging;
            "PUT Bucket object lock: replaces it."
            put_bucket_object_lock PutBucketObjectLock;
            "GET Bucket object lock."
            get_bucket_object_lock GetBucketObjectLock;
            "PUT Bucket policy: replaces it."
            put_bucket_policy PutBucketPolicy;
            "GET Bucket policy."
            get_bucket_policy GetBucketPolicy;
            "DELETE Bucket policy."
            delete_bucket_policy DeleteBucketPolicy;
            "PUT Bucket referer: replaces it."
            put_bucket_referer PutBucketReferer;
            "GET Bucket referer."
            get_bucket_referer GetBucketReferer;
            "DELETE Bucket referer."
            delete_bucket_referer DeleteBucketReferer;
            "PUT Bucket replication: replaces it."
            put_bucket_replication PutBucketReplication;
            "GET Bucket replication."
            get_bucket_replication GetBucketReplication;
            "DELETE Bucket replication."
            delete_bucket_replication DeleteBucketReplication;
            "PUT Bucket tagging: replaces it."
            put_bucket_tagging PutBucketTagging;
            "GET Bucket tagging."
            get_bucket_tagging GetBucketTagging;
            "DELETE Bucket tagging."
            delete_bucket_tagging DeleteBucketTagging;
            "PUT Bucket versioning: replaces it."
            put_bucket_versioning PutBucketVersioning;
            "GET Bucket versioning."
            get_bucket_versioning GetBucketVersioning;
            "PUT Bucket website: replaces it."
            put_bucket_website PutBucketWebsite;
            "GET Bucket website."
            get_bucket_website GetBucketWebsite;
            "DELETE Bucket website."
            delete_bucket_website DeleteBucketWebsite;
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
    (@bucket [$($async:ident)?] [$($await:tt)*]
        $doc:literal $name:ident $op:ident; $($rest:tt)*) => {
        #[doc = $doc]
        pub $($async)? fn $name(
            &self,
            op: &::cos_proto::ops::bucket::$op,
        ) -> ::std::result::Result<
            <::cos_proto::ops::bucket::$op as ::cos_proto::Operation>::Output,
            Error,
        > {
            self.send(op, ()) $($await)*
        }
        $crate::operation_methods!(@bucket [$($async)?] [$($await)*] $($rest)*);
    };
    (@bucket [$($async:ident)?] [$($await:tt)*]) => {};
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

/// Expands to the methods of an encrypting client, inside the `impl EncryptionClient`
/// block of a client whose `EncryptionClient` holds `client: Client` and
/// `keys: Encryption`, with `os_rng()`, `boxed_os_rng`, `UploadBody`, `DecryptedBody(Decrypting<ObjectBody>)`
/// and `Error` in scope; the groups are those of [`transfer_methods!`](crate::transfer_methods).
#[cfg(feature = "crypto")]
#[macro_export]
macro_rules! encryption_methods {
    ([$($async:ident)?] [$($await:tt)*] $run:path [$($bound:tt)*]) => {
        /// Wraps `client`; `master` wraps every object's content key, `format` is what
        /// uploads write.
        pub fn new(
            client: Client,
            master: ::std::sync::Arc<dyn ::cos_crypto::MasterKey + Send + Sync>,
            format: ::cos_crypto::Format,
        ) -> Self {
            let keys = $crate::drive::Encryption::new(master, format);
            Self { client, keys }
        }

        /// The plain client underneath.
        pub fn client(&self) -> &Client {
            &self.client
        }

        /// Encrypts `body` while uploading it (no buffering; files stay retryable). The
        /// plaintext length is recorded when known, and (v2) the plaintext CRC-64 of bytes
        /// or a file (one local read first), which every whole-object read checks; a
        /// one-shot reader or stream cannot have one.
        pub $($async)? fn put_object(
            &self,
            op: &::cos_proto::ops::PutObject,
            body: impl Into<UploadBody>,
        ) -> Result<::cos_proto::ops::PutObjectOutput, Error> {
            let client = self.client.driver();
            $run(self.keys.put_object(&client, op, body.into(), &mut os_rng())) $($await)*
        }

        /// Reads an encrypted object's attributes, after opening its envelope (so a plain
        /// object or a wrong master key fails here) and checking its length.
        /// `content_length` is the plaintext length.
        pub $($async)? fn head_object(
            &self,
            op: &::cos_proto::ops::HeadObject,
        ) -> Result<::cos_proto::ops::ObjectInfo, Error> {
            let client = self.client.driver();
            $run(self.keys.head_object(&client, op, &mut os_rng())) $($await)*
        }

        /// Starts a download and decrypts it while it streams. A range is requested from
        /// its start rounded down to 16 bytes, and the extra bytes are dropped; the output
        /// describes what the body yields.
        pub $($async)? fn get_object(
            &self,
            op: &::cos_proto::ops::GetObject,
        ) -> Result<(::cos_proto::ops::GetObjectOutput, DecryptedBody), Error> {
            let client = self.client.driver();
            let opened = $run(self.keys.get_object(&client, op, &mut os_rng())) $($await)*;
            let (output, body, plaintext) = opened?;
            let body = DecryptedBody($crate::drive::Decrypting::new(body, plaintext));
            Ok((output, body))
        }

        /// Downloads and decrypts into `path` atomically (temporary file, fsync, rename);
        /// the recorded length and MD5 are checked before the rename.
        pub $($async)? fn get_object_to_file(
            &self,
            op: &::cos_proto::ops::GetObject,
            path: impl AsRef<::std::path::Path>,
        ) -> Result<::cos_proto::ops::GetObjectOutput, Error> {
            let client = self.client.driver();
            let files = $run($crate::drive::files_for(&client, path.as_ref())) $($await)*?;
            let (output, mut body) = self.get_object(op) $($await)*?;
            let unique = ::fastrand::u64(..);
            $run($crate::drive::save(&client, &mut body, files, unique)) $($await)*?;
            Ok(output)
        }

        /// Starts an encrypted multipart upload: `info` must carry the part size
        /// ([`PlaintextInfo::multipart`](cos_crypto::PlaintextInfo::multipart), a multiple
        /// of 16) and, when known, the length.
        pub $($async)? fn create_multipart_upload(
            &self,
            op: &::cos_proto::ops::InitiateMultipartUpload,
            info: ::cos_crypto::PlaintextInfo,
        ) -> Result<
            (
                ::cos_proto::ops::InitiateMultipartUploadOutput,
                ::cos_crypto::object::EncryptedUpload,
            ),
            Error,
        > {
            let client = self.client.driver();
            $run(self.keys.create_multipart_upload(&client, op, &info, &mut os_rng())) $($await)*
        }

        /// Takes up an encrypted multipart upload again from the headers of
        /// [`EncryptedUpload::envelope_headers`](cos_crypto::object::EncryptedUpload::envelope_headers)
        /// (e.g. kept in a checkpoint). `part_size` is needed for Python-compatible
        /// envelopes, which do not record it.
        pub fn resume_upload(
            &self,
            key: &str,
            upload_id: &str,
            envelope_headers: &::http::HeaderMap,
            part_size: u64,
        ) -> Result<::cos_crypto::object::EncryptedUpload, Error> {
            let rng = &mut os_rng();
            self.keys.resume_upload(key, upload_id, envelope_headers, part_size, rng)
        }

        /// Encrypts `body` at the part's offset (`(part_number - 1) × part_size`) while
        /// uploading it. The part must not be longer than the part size.
        pub $($async)? fn upload_part(
            &self,
            upload: &::cos_crypto::object::EncryptedUpload,
            op: &::cos_proto::ops::UploadPart,
            body: impl Into<UploadBody>,
        ) -> Result<::cos_proto::ops::UploadPartOutput, Error> {
            let body = $crate::drive::Encryption::part_body(upload, op, body.into())?;
            self.client.upload_part(op, body) $($await)*
        }

        /// Completes the upload (the envelope was stored by the initiation).
        pub $($async)? fn complete_multipart_upload(
            &self,
            op: &::cos_proto::ops::CompleteMultipartUpload,
        ) -> Result<::cos_proto::ops::CompleteMultipartUploadOutput, Error> {
            self.client.complete_multipart_upload(op) $($await)*
        }

        /// Encrypts the file at `path` while uploading it as `put` describes: the same
        /// resumable, parallel transfer as [`Client::upload_file`] (one PUT below the
        /// multipart threshold, else parts of `options.part_size`, which must be a multiple
        /// of 16), each part encrypted at its offset with one envelope. The checkpoint
        /// (`.cos-transfer/<name>.resume` beside the file) records the envelope's headers —
        /// wrapped key material only — so a run after a crash resumes with the same key and
        /// IV; it needs the same master key (with another one, or from a plain checkpoint,
        /// the upload starts over). The CRC-64s checked are those of the ciphertext COS
        /// stores.
        pub $($async)? fn upload_file(
            &self,
            put: &::cos_proto::ops::PutObject,
            path: impl AsRef<::std::path::Path>,
            options: $crate::TransferOptions,
        ) -> Result<$crate::UploadOutput, $crate::TransferError> {
            self.upload_file_with_progress(put, path, options, |_| {}) $($await)*
        }

        /// [`EncryptionClient::upload_file`], calling `on_event` with every progress event.
        pub $($async)? fn upload_file_with_progress(
            &self,
            put: &::cos_proto::ops::PutObject,
            path: impl AsRef<::std::path::Path>,
            options: $crate::TransferOptions,
            on_event: impl FnMut($crate::TransferEvent) $($bound)*,
        ) -> Result<$crate::UploadOutput, $crate::TransferError> {
            let client = self.client.driver();
            let (master, format) = (self.keys.master().as_ref(), self.keys.format());
            let (path, rng) = (path.as_ref(), &mut os_rng());
            $run($crate::drive::upload_file_encrypted(
                &client, put, path, options, master, format, rng, on_event,
            )) $($await)*
        }

        /// Downloads and decrypts what `get` names to `path`: the same resumable, parallel,
        /// ranged transfer as [`Client::download_file`] (HEAD-pinned, CRC-64 of the
        /// ciphertext checked against COS's, atomic rename), each range decrypted at its
        /// offset before it is written. The envelope is opened from the HEAD, so a plain
        /// object or a wrong master key fails before any byte is fetched. A temp file left
        /// by a plain download of the same object is not reused.
        pub $($async)? fn download_file(
            &self,
            get: &::cos_proto::ops::GetObject,
            path: impl AsRef<::std::path::Path>,
            options: $crate::TransferOptions,
        ) -> Result<$crate::DownloadOutput, $crate::TransferError> {
            self.download_file_with_progress(get, path, options, |_| {}) $($await)*
        }

        /// [`EncryptionClient::download_file`], calling `on_event` with every progress event.
        pub $($async)? fn download_file_with_progress(
            &self,
            get: &::cos_proto::ops::GetObject,
            path: impl AsRef<::std::path::Path>,
            options: $crate::TransferOptions,
            on_event: impl FnMut($crate::TransferEvent) $($bound)*,
        ) -> Result<$crate::DownloadOutput, $crate::TransferError> {
            let target = ::std::sync::Arc::new($crate::fs::FileTarget::new(path.as_ref()));
            let (client, master) = (self.client.driver(), self.keys.master().clone());
            $run($crate::drive::download_decrypted(
                &client, get, target, options, master, boxed_os_rng, on_event,
            )) $($await)*
        }
    };
}

/// Expands, next to a client's `pub struct UploadBody(Payload<_>)`, to its conversions
/// (from bytes, `Vec<u8>`, static slices and strings, `String`, and `()` for no body)
/// and its [`TransferBody`](crate::drive::TransferBody) implementation.
#[macro_export]
macro_rules! upload_body_impls {
    () => {
        impl From<::bytes::Bytes> for UploadBody {
            fn from(bytes: ::bytes::Bytes) -> Self {
                Self::bytes(bytes)
            }
        }

        impl From<Vec<u8>> for UploadBody {
            fn from(bytes: Vec<u8>) -> Self {
                Self::bytes(bytes)
            }
        }

        impl From<&'static [u8]> for UploadBody {
            fn from(bytes: &'static [u8]) -> Self {
                Self::bytes(bytes)
            }
        }

        impl From<&'static str> for UploadBody {
            fn from(text: &'static str) -> Self {
                Self::bytes(text)
            }
        }

        impl From<String> for UploadBody {
            fn from(text: String) -> Self {
                Self::bytes(text)
            }
        }

        impl From<()> for UploadBody {
            fn from((): ()) -> Self {
                Self::empty()
            }
        }

        impl $crate::drive::TransferBody for UploadBody {
            fn file_range(
                file: ::std::fs::File,
                offset: u64,
                len: u64,
                tap: ::cos_proto::crc64::Crc64Tap,
            ) -> Self {
                Self($crate::drive::Payload::file_range(file, offset, len).with_crc64(tap))
            }

            #[cfg(feature = "crypto")]
            fn encrypted(self, cipher: ::cos_crypto::CtrCipher, offset: u64) -> Self {
                Self(self.0.encrypted(cipher, offset))
            }

            #[cfg(feature = "crypto")]
            fn plaintext_crc64(&self) -> Option<::std::io::Result<$crate::drive::PlaintextCrc64>> {
                self.0.plaintext_crc64()
            }
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
