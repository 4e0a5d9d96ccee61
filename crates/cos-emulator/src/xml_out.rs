//! Response documents, written the way COS writes them: an `UTF-8` declaration, then the
//! root element with one child per line, indented by four spaces.
//!
//! Element names and order follow the documents COS serves (see the `responses.json`
//! vectors): `ListBucketResult`, `ListVersionsResult`, `ListMultipartUploadsResult`,
//! `ListPartsResult`, `InitiateMultipartUploadResult`, `CompleteMultipartUploadResult`,
//! `CopyObjectResult`, `CopyPartResult`, `DeleteResult`, `Tagging`, `AccessControlPolicy`,
//! `VersioningConfiguration` and `Error`.

use cos_proto::encode::sign_encode;

use crate::time_fmt::{iso8601, iso8601_millis};

/// The XML declaration COS puts before every document.
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The namespace of the `xsi:type` attribute on ACL grantees.
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Escapes text and attribute values (`&`, `<`, `>`, `"`, `'`).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A pretty-printing writer: one element per line, four spaces per level.
#[derive(Debug)]
pub(crate) struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// Starts a document (declaration included).
    pub(crate) fn new() -> Self {
        Self {
            out: DECLARATION.to_owned(),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
    }

    /// Opens `<name>` on its own line.
    pub(crate) fn open(&mut self, name: &str) -> &mut Self {
        self.open_with(name, &[])
    }

    /// Opens `<name a="v" ...>` on its own line.
    pub(crate) fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (attr, value) in attributes {
            self.out.push(' ');
            self.out.push_str(attr);
            self.out.push_str("=\"");
            self.out.push_str(&escape(value));
            self.out.push('"');
        }
        self.out.push_str(">\n");
        self.depth += 1;
        self
    }

    /// Closes `</name>`.
    pub(crate) fn close(&mut self, name: &str) -> &mut Self {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
        self
    }

    /// `<name>text</name>`, or `<name/>` when the text is empty.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.indent();
        if text.is_empty() {
            self.out.push('<');
            self.out.push_str(name);
            self.out.push_str("/>\n");
        } else {
            self.out.push('<');
            self.out.push_str(name);
            self.out.push('>');
            self.out.push_str(&escape(text));
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push_str(">\n");
        }
        self
    }

    /// `<name></name>`: an empty element written with both tags.
    pub(crate) fn leaf_paired(&mut self, name: &str) -> &mut Self {
        self.indent();
        self.out.push_str(&format!("<{name}></{name}>\n"));
        self
    }

    /// A leaf only when the value is present.
    pub(crate) fn leaf_opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.leaf(name, text);
        }
        self
    }

    /// An empty element `<name/>`.
    pub(crate) fn empty(&mut self, name: &str) -> &mut Self {
        self.leaf(name, "")
    }

    /// The finished document.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// The account that owns a bucket, as listings and ACLs name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The APPID (listings' `Owner/ID`).
    pub(crate) appid: String,
    /// The root account UIN (ACLs' and uploads' `qcs::cam::uin/…` ids).
    pub(crate) uin: String,
}

impl Owner {
    /// `qcs::cam::uin/<uin>:uin/<uin>`.
    pub(crate) fn cam_id(&self) -> String {
        format!("qcs::cam::uin/{0}:uin/{0}", self.uin)
    }

    fn write_listing_owner(&self, w: &mut XmlWriter) {
        w.open("Owner")
            .leaf("ID", &self.appid)
            .leaf("DisplayName", &self.appid)
            .close("Owner");
    }

    /// `<name><ID>qcs::cam::uin/…</ID><DisplayName>uin</DisplayName></name>`.
    pub(crate) fn write_cam(&self, w: &mut XmlWriter, name: &str) {
        w.open(name)
            .leaf("ID", &self.cam_id())
            .leaf("DisplayName", &self.uin)
            .close(name);
    }
}

/// Applies `encoding-type=url` when asked for.
fn enc(encode: bool, text: &str) -> String {
    if encode {
        sign_encode(text)
    } else {
        text.to_owned()
    }
}

/// The `<Error>` document.
pub(crate) fn error_document(
    code: &str,
    message: &str,
    resource: &str,
    request_id: &str,
    trace_id: &str,
    details: &[(&str, String)],
) -> String {
    let mut w = XmlWriter::new();
    w.open("Error")
        .leaf("Code", code)
        .leaf("Message", message)
        .leaf("Resource", resource)
        .leaf("RequestId", request_id)
        .leaf("TraceId", trace_id);
    for (name, value) in details {
        w.leaf(name, value);
    }
    w.close("Error");
    w.finish()
}

/// One object in a listing.
#[derive(Debug, Clone)]
pub(crate) struct ObjectEntry {
    pub(crate) key: String,
    pub(crate) last_modified: u64,
    pub(crate) etag: String,
    pub(crate) size: u64,
    pub(crate) storage_class: String,
}

/// `GET Bucket` (ListObjects).
#[derive(Debug, Clone)]
pub(crate) struct ListObjectsDoc {
    pub(crate) name: String,
    pub(crate) encode: bool,
    pub(crate) prefix: String,
    pub(crate) marker: String,
    pub(crate) max_keys: usize,
    pub(crate) delimiter: String,
    pub(crate) is_truncated: bool,
    pub(crate) next_marker: Option<String>,
    pub(crate) common_prefixes: Vec<String>,
    pub(crate) contents: Vec<ObjectEntry>,
    pub(crate) owner: Owner,
}

/// The `ListBucketResult` document.
pub(crate) fn list_bucket_result(doc: &ListObjectsDoc) -> String {
    let e = |s: &str| enc(doc.encode, s);
    let mut w = XmlWriter::new();
    w.open("ListBucketResult").leaf("Name", &doc.name);
    if doc.encode {
        w.leaf("EncodingType", "url");
    }
    w.leaf("Prefix", &e(&doc.prefix))
        .leaf("Marker", &e(&doc.marker))
        .leaf("MaxKeys", &doc.max_keys.to_string());
    if !doc.delimiter.is_empty() {
        w.leaf("Delimiter", &e(&doc.delimiter));
    }
    w.leaf("IsTruncated", bool_text(doc.is_truncated));
    if let Some(next) = &doc.next_marker {
        w.leaf("NextMarker", &e(next));
    }
    for prefix in &doc.common_prefixes {
        w.open("CommonPrefixes")
            .leaf("Prefix", &e(prefix))
            .close("CommonPrefixes");
    }
    for entry in &doc.contents {
        w.open("Contents")
            .leaf("Key", &e(&entry.key))
            .leaf("LastModified", &iso8601_millis(entry.last_modified))
            .leaf("ETag", &entry.etag)
            .leaf("Size", &entry.size.to_string());
        doc.owner.write_listing_owner(&mut w);
        w.leaf("StorageClass", &entry.storage_class)
            .close("Contents");
    }
    w.close("ListBucketResult");
    w.finish()
}

/// One entry of a version listing.
#[derive(Debug, Clone)]
pub(crate) enum VersionEntry {
    /// An object version.
    Version {
        entry: ObjectEntry,
        version_id: String,
        is_latest: bool,
    },
    /// A delete marker.
    DeleteMarker {
        key: String,
        version_id: String,
        is_latest: bool,
        last_modified: u64,
    },
}

/// `GET Bucket versions` (ListObjectVersions).
#[derive(Debug, Clone)]
pub(crate) struct ListVersionsDoc {
    pub(crate) name: String,
    pub(crate) encode: bool,
    pub(crate) prefix: String,
    pub(crate) key_marker: String,
    pub(crate) version_id_marker: String,
    pub(crate) max_keys: usize,
    pub(crate) delimiter: String,
    pub(crate) is_truncated: bool,
    pub(crate) next_key_marker: Option<String>,
    pub(crate) next_version_id_marker: Option<String>,
    pub(crate) common_prefixes: Vec<String>,
    pub(crate) entries: Vec<VersionEntry>,
    pub(crate) owner: Owner,
}

/// The `ListVersionsResult` document.
pub(crate) fn list_versions_result(doc: &ListVersionsDoc) -> String {
    let e = |s: &str| enc(doc.encode, s);
    let mut w = XmlWriter::new();
    w.open("ListVersionsResult");
    if doc.encode {
        w.leaf("EncodingType", "url");
    }
    w.leaf("Name", &doc.name)
        .leaf("Prefix", &e(&doc.prefix))
        .leaf("KeyMarker", &e(&doc.key_marker))
        .leaf("VersionIdMarker", &doc.version_id_marker)
        .leaf("MaxKeys", &doc.max_keys.to_string());
    if !doc.delimiter.is_empty() {
        w.leaf("Delimiter", &e(&doc.delimiter));
    }
    w.leaf("IsTruncated", bool_text(doc.is_truncated));
    if let Some(next) = &doc.next_key_marker {
        w.leaf("NextKeyMarker", &e(next));
    }
    w.leaf_opt("NextVersionIdMarker", doc.next_version_id_marker.as_deref());
    for prefix in &doc.common_prefixes {
        w.open("CommonPrefixes")
            .leaf("Prefix", &e(prefix))
            .close("CommonPrefixes");
    }
    for entry in &doc.entries {
        match entry {
            VersionEntry::Version {
                entry,
                version_id,
                is_latest,
            } => {
                w.open("Version")
                    .leaf("Key", &e(&entry.key))
                    .leaf("VersionId", version_id)
                    .leaf("IsLatest", bool_text(*is_latest))
                    .leaf("LastModified", &iso8601_millis(entry.last_modified))
                    .leaf("ETag", &entry.etag)
                    .leaf("Size", &entry.size.to_string())
                    .leaf("StorageClass", &entry.storage_class);
                doc.owner.write_listing_owner(&mut w);
                w.close("Version");
            }
            VersionEntry::DeleteMarker {
                key,
                version_id,
                is_latest,
                last_modified,
            } => {
                w.open("DeleteMarker")
                    .leaf("Key", &e(key))
                    .leaf("VersionId", version_id)
                    .leaf("IsLatest", bool_text(*is_latest))
                    .leaf("LastModified", &iso8601_millis(*last_modified));
                doc.owner.write_listing_owner(&mut w);
                w.close("DeleteMarker");
            }
        }
    }
    w.close("ListVersionsResult");
    w.finish()
}

/// One in-progress multipart upload in a listing.
#[derive(Debug, Clone)]
pub(crate) struct UploadEntry {
    pub(crate) key: String,
    pub(crate) upload_id: String,
    pub(crate) storage_class: String,
    pub(crate) initiated: u64,
}

/// `GET Bucket uploads` (ListMultipartUploads).
#[derive(Debug, Clone)]
pub(crate) struct ListUploadsDoc {
    pub(crate) bucket: String,
    pub(crate) encode: bool,
    pub(crate) key_marker: String,
    pub(crate) upload_id_marker: String,
    pub(crate) next_key_marker: Option<String>,
    pub(crate) next_upload_id_marker: Option<String>,
    pub(crate) max_uploads: usize,
    pub(crate) is_truncated: bool,
    pub(crate) prefix: String,
    pub(crate) delimiter: String,
    pub(crate) uploads: Vec<UploadEntry>,
    pub(crate) common_prefixes: Vec<String>,
    pub(crate) owner: Owner,
}

/// The `ListMultipartUploadsResult` document.
pub(crate) fn list_uploads_result(doc: &ListUploadsDoc) -> String {
    let e = |s: &str| enc(doc.encode, s);
    let mut w = XmlWriter::new();
    w.open("ListMultipartUploadsResult")
        .leaf("Bucket", &doc.bucket);
    if doc.encode {
        w.leaf("EncodingType", "url");
    }
    w.leaf("KeyMarker", &e(&doc.key_marker))
        .leaf("UploadIdMarker", &doc.upload_id_marker);
    if let Some(next) = &doc.next_key_marker {
        w.leaf("NextKeyMarker", &e(next));
    }
    w.leaf_opt("NextUploadIdMarker", doc.next_upload_id_marker.as_deref())
        .leaf("MaxUploads", &doc.max_uploads.to_string())
        .leaf("IsTruncated", bool_text(doc.is_truncated))
        .leaf("Prefix", &e(&doc.prefix));
    if !doc.delimiter.is_empty() {
        w.leaf("Delimiter", &e(&doc.delimiter));
    }
    for upload in &doc.uploads {
        w.open("Upload")
            .leaf("Key", &e(&upload.key))
            .leaf("UploadId", &upload.upload_id)
            .leaf("StorageClass", &upload.storage_class);
        doc.owner.write_cam(&mut w, "Initiator");
        doc.owner.write_cam(&mut w, "Owner");
        w.leaf("Initiated", &iso8601_millis(upload.initiated))
            .close("Upload");
    }
    for prefix in &doc.common_prefixes {
        w.open("CommonPrefixes")
            .leaf("Prefix", &e(prefix))
            .close("CommonPrefixes");
    }
    w.close("ListMultipartUploadsResult");
    w.finish()
}

/// One uploaded part in a listing.
#[derive(Debug, Clone)]
pub(crate) struct PartEntry {
    pub(crate) number: u32,
    pub(crate) last_modified: u64,
    pub(crate) etag: String,
    pub(crate) size: u64,
}

/// `GET Object uploadId` (ListParts).
#[derive(Debug, Clone)]
pub(crate) struct ListPartsDoc {
    pub(crate) bucket: String,
    pub(crate) encode: bool,
    pub(crate) key: String,
    pub(crate) upload_id: String,
    pub(crate) part_number_marker: u32,
    pub(crate) parts: Vec<PartEntry>,
    pub(crate) next_part_number_marker: Option<u32>,
    pub(crate) storage_class: String,
    pub(crate) max_parts: usize,
    pub(crate) is_truncated: bool,
    pub(crate) owner: Owner,
}

/// The `ListPartsResult` document.
pub(crate) fn list_parts_result(doc: &ListPartsDoc) -> String {
    let mut w = XmlWriter::new();
    w.open("ListPartsResult").leaf("Bucket", &doc.bucket);
    if doc.encode {
        w.leaf("EncodingType", "url");
    }
    w.leaf("Key", &enc(doc.encode, &doc.key))
        .leaf("UploadId", &doc.upload_id);
    doc.owner.write_cam(&mut w, "Initiator");
    doc.owner.write_cam(&mut w, "Owner");
    w.leaf("PartNumberMarker", &doc.part_number_marker.to_string());
    for part in &doc.parts {
        w.open("Part")
            .leaf("PartNumber", &part.number.to_string())
            .leaf("LastModified", &iso8601_millis(part.last_modified))
            .leaf("ETag", &part.etag)
            .leaf("Size", &part.size.to_string())
            .close("Part");
    }
    if let Some(next) = doc.next_part_number_marker {
        w.leaf("NextPartNumberMarker", &next.to_string());
    }
    w.leaf("StorageClass", &doc.storage_class)
        .leaf("MaxParts", &doc.max_parts.to_string())
        .leaf("IsTruncated", bool_text(doc.is_truncated))
        .close("ListPartsResult");
    w.finish()
}

/// The `InitiateMultipartUploadResult` document.
pub(crate) fn initiate_result(bucket: &str, key: &str, upload_id: &str) -> String {
    let mut w = XmlWriter::new();
    w.open("InitiateMultipartUploadResult")
        .leaf("Bucket", bucket)
        .leaf("Key", key)
        .leaf("UploadId", upload_id)
        .close("InitiateMultipartUploadResult");
    w.finish()
}

/// The `CompleteMultipartUploadResult` document.
pub(crate) fn complete_result(location: &str, bucket: &str, key: &str, etag: &str) -> String {
    let mut w = XmlWriter::new();
    w.open("CompleteMultipartUploadResult")
        .leaf("Location", location)
        .leaf("Bucket", bucket)
        .leaf("Key", key)
        .leaf("ETag", etag)
        .close("CompleteMultipartUploadResult");
    w.finish()
}

/// The `CopyObjectResult` document.
pub(crate) fn copy_object_result(
    etag: &str,
    crc64: Option<u64>,
    last_modified: u64,
    version_id: Option<&str>,
) -> String {
    let mut w = XmlWriter::new();
    w.open("CopyObjectResult").leaf("ETag", etag);
    if let Some(crc) = crc64 {
        w.leaf("CRC64", &crc.to_string());
    }
    w.leaf("LastModified", &iso8601(last_modified))
        .leaf_opt("VersionId", version_id)
        .close("CopyObjectResult");
    w.finish()
}

/// The `CopyPartResult` document.
pub(crate) fn copy_part_result(etag: &str, crc64: Option<u64>, last_modified: u64) -> String {
    let mut w = XmlWriter::new();
    w.open("CopyPartResult").leaf("ETag", etag);
    if let Some(crc) = crc64 {
        w.leaf("CRC64", &crc.to_string());
    }
    w.leaf("LastModified", &iso8601(last_modified))
        .close("CopyPartResult");
    w.finish()
}

/// One line of a `DeleteResult`.
#[derive(Debug, Clone)]
pub(crate) enum DeleteEntry {
    /// The key (or version) was deleted.
    Deleted {
        key: String,
        version_id: Option<String>,
        delete_marker: bool,
        delete_marker_version_id: Option<String>,
    },
    /// The key could not be deleted.
    Error {
        key: String,
        version_id: Option<String>,
        code: String,
        message: String,
    },
}

/// The `DeleteResult` document (`<DeleteResult/>` when empty).
pub(crate) fn delete_result(entries: &[DeleteEntry]) -> String {
    let mut w = XmlWriter::new();
    if entries.is_empty() {
        w.empty("DeleteResult");
        return w.finish();
    }
    w.open("DeleteResult");
    for entry in entries {
        match entry {
            DeleteEntry::Deleted {
                key,
                version_id,
                delete_marker,
                delete_marker_version_id,
            } => {
                w.open("Deleted")
                    .leaf("Key", key)
                    .leaf_opt("VersionId", version_id.as_deref());
                if *delete_marker {
                    w.leaf("DeleteMarker", "true");
                }
                w.leaf_opt("DeleteMarkerVersionId", delete_marker_version_id.as_deref())
                    .close("Deleted");
            }
            DeleteEntry::Error {
                key,
                version_id,
                code,
                message,
            } => {
                w.open("Error")
                    .leaf("Key", key)
                    .leaf_opt("VersionId", version_id.as_deref())
                    .leaf("Code", code)
                    .leaf("Message", message)
                    .close("Error");
            }
        }
    }
    w.close("DeleteResult");
    w.finish()
}

/// The `Tagging` document.
pub(crate) fn tagging(tags: &[(String, String)]) -> String {
    let mut w = XmlWriter::new();
    w.open("Tagging");
    if tags.is_empty() {
        w.empty("TagSet");
    } else {
        w.open("TagSet");
        for (key, value) in tags {
            w.open("Tag")
                .leaf("Key", key)
                .leaf("Value", value)
                .close("Tag");
        }
        w.close("TagSet");
    }
    w.close("Tagging");
    w.finish()
}

/// One ACL grant as the emulator stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GrantView {
    /// `CanonicalUser` or `Group`.
    pub(crate) grantee_type: String,
    /// The CAM id of a `CanonicalUser`.
    pub(crate) id: Option<String>,
    /// The URI of a `Group`.
    pub(crate) uri: Option<String>,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP` or `FULL_CONTROL`.
    pub(crate) permission: String,
}

/// The `AccessControlPolicy` document.
pub(crate) fn access_control_policy(owner: &Owner, grants: &[GrantView]) -> String {
    let mut w = XmlWriter::new();
    w.open("AccessControlPolicy");
    owner.write_cam(&mut w, "Owner");
    w.open("AccessControlList");
    for grant in grants {
        w.open("Grant").open_with(
            "Grantee",
            &[("xmlns:xsi", XSI), ("xsi:type", &grant.grantee_type)],
        );
        if let Some(uri) = &grant.uri {
            w.leaf("URI", uri);
        }
        if let Some(id) = &grant.id {
            w.leaf("ID", id);
            let display = id.rsplit('/').next().unwrap_or(id);
            w.leaf("DisplayName", display);
        }
        w.close("Grantee")
            .leaf("Permission", &grant.permission)
            .close("Grant");
    }
    w.close("AccessControlList").close("AccessControlPolicy");
    w.finish()
}

/// The `VersioningConfiguration` document (`<VersioningConfiguration/>` when never set).
pub(crate) fn versioning_configuration(status: Option<&str>) -> String {
    let mut w = XmlWriter::new();
    match status {
        Some(status) => {
            w.open("VersioningConfiguration")
                .leaf("Status", status)
                .close("VersioningConfiguration");
        }
        None => {
            w.empty("VersioningConfiguration");
        }
    }
    w.finish()
}

/// `true` / `false`.
pub(crate) fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner {
            appid: "1250000000".into(),
            uin: "100000000001".into(),
        }
    }

    #[test]
    fn error_document_has_the_cos_layout() {
        let doc = error_document("NoSuchKey", "gone", "b/k", "rid", "tid", &[]);
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n    <Code>NoSuchKey</Code>\n    \
             <Message>gone</Message>\n    <Resource>b/k</Resource>\n    <RequestId>rid</RequestId>\n    \
             <TraceId>tid</TraceId>\n</Error>\n"
        );
    }

    #[test]
    fn listing_matches_the_reference_shape() {
        let doc = ListObjectsDoc {
            name: "examplebucket-1250000000".into(),
            encode: true,
            prefix: "docs/".into(),
            marker: String::new(),
            max_keys: 3,
            delimiter: "/".into(),
            is_truncated: true,
            next_marker: Some("docs/a+b c.txt".into()),
            common_prefixes: vec!["docs/sub dir/".into()],
            contents: vec![ObjectEntry {
                key: "docs/a+b c.txt".into(),
                last_modified: 1_700_000_000,
                etag: "\"5d41402abc4b2a76b9719d911017c592\"".into(),
                size: 5,
                storage_class: "STANDARD".into(),
            }],
            owner: owner(),
        };
        let xml = list_bucket_result(&doc);
        assert!(xml.contains("    <Prefix>docs%2F</Prefix>\n    <Marker/>\n    <MaxKeys>3</MaxKeys>\n    <Delimiter>%2F</Delimiter>\n"));
        assert!(xml.contains("<NextMarker>docs%2Fa%2Bb%20c.txt</NextMarker>"));
        assert!(
            xml.contains("        <ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag>\n")
        );
        assert!(xml.contains("<LastModified>2023-11-14T22:13:20.000Z</LastModified>"));
        assert!(xml.contains("        <Owner>\n            <ID>1250000000</ID>\n"));
    }

    #[test]
    fn empty_documents_are_self_closing() {
        assert!(delete_result(&[]).ends_with("<DeleteResult/>\n"));
        assert!(tagging(&[]).contains("<TagSet/>"));
        assert!(versioning_configuration(None).ends_with("<VersioningConfiguration/>\n"));
    }

    #[test]
    fn acl_grantees_carry_xsi_type() {
        let xml = access_control_policy(
            &owner(),
            &[GrantView {
                grantee_type: "Group".into(),
                id: None,
                uri: Some("http://cam.qcloud.com/groups/global/AllUsers".into()),
                permission: "READ".into(),
            }],
        );
        assert!(xml.contains(
            "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">"
        ));
        assert!(xml.contains("<Permission>READ</Permission>"));
    }
}
