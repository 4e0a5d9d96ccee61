//! Bucket sub-resources: each stored, served and deleted with COS's codes; malformed
//! documents; versioning; inventory and intelligent-tiering per id; and what the
//! emulator does with them: CORS preflights and headers, lifecycle expiration when the
//! clock moves, anonymous reads through a bucket policy. The request bodies are those of
//! the COS Python SDK's bucket vectors.

mod common;

use common::bucket_requests::{bucket_target, client, create, signed, strict_emulator, unsigned};
use common::{BUCKET, Client, NOW, Raw};
use cos_emulator::{Emulator, EmulatorConfig, LifecycleRun};
use http::Method;

const LIFECYCLE: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<LifecycleConfiguration><Rule><ID>expire-tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>";
const CORS: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CORSConfiguration><CORSRule><ID>1234</ID><AllowedOrigin>http://www.qq.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-cos-meta-test</AllowedHeader><ExposeHeader>x-cos-meta-test1</ExposeHeader><MaxAgeSeconds>500</MaxAgeSeconds></CORSRule></CORSConfiguration>";
const TAGGING: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Tagging><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag><Tag><Key>项目</Key><Value>阿波罗 &amp; co</Value></Tag></TagSet></Tagging>";
const REFERER: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<RefererConfiguration><Status>Enabled</Status><RefererType>White-List</RefererType><DomainList><Domain>*.example.com</Domain><Domain>www.example.org</Domain></DomainList><EmptyReferConfiguration>Allow</EmptyReferConfiguration></RefererConfiguration>";
const WEBSITE: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>error.html</Key><OriginalHttpStatus>Disabled</OriginalHttpStatus></ErrorDocument><RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo><RoutingRules><RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals></Condition><Redirect><Protocol>https</Protocol><ReplaceKeyWith>404.html</ReplaceKeyWith></Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>";
const LOGGING: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<BucketLoggingStatus><LoggingEnabled><TargetBucket>logbucket-1250000000</TargetBucket><TargetPrefix>logs/examplebucket/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>";
const ENCRYPTION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>";
const REPLICATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ReplicationConfiguration><Role>qcs::cam::uin/100000000001:uin/100000000001</Role><Rule><ID>to-beijing</ID><Status>Enabled</Status><Prefix>images/</Prefix><Destination><Bucket>qcs::cos:ap-beijing::destinationbucket-1250000000</Bucket><StorageClass>STANDARD_IA</StorageClass></Destination></Rule></ReplicationConfiguration>";
const DOMAIN: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DomainConfiguration><DomainRule><Name>www.example.com</Name><Type>REST</Type><Status>ENABLED</Status><ForcedReplacement>CNAME</ForcedReplacement></DomainRule></DomainConfiguration>";
const TIERING_V1: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<IntelligentTieringConfiguration><Status>Enabled</Status><Transition><Days>30</Days><RequestFrequent>1</RequestFrequent></Transition></IntelligentTieringConfiguration>";
const OBJECT_LOCK: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>";
const POLICY: &str = r#"{"version": "2.0", "Statement": [{"Principal": {"qcs": ["qcs::cam::anyone:anyone"]}, "Effect": "allow", "Action": ["name/cos:GetObject"], "Resource": ["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/public/*"]}]}"#;

fn inventory(id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<InventoryConfiguration><Destination><COSBucketDestination><AccountId>100000000001</AccountId><Bucket>qcs::cos:ap-guangzhou::inventorybucket-1250000000</Bucket><Format>CSV</Format><Prefix>inventory</Prefix><Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination><IsEnabled>true</IsEnabled><Filter><Prefix>photos/</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule><Id>{id}</Id></InventoryConfiguration>"
    )
}

fn tiering_v2(id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<IntelligentTieringConfiguration><Id>{id}</Id><Status>Enabled</Status><Tiering><AccessTier>INFREQUENT</AccessTier><Days>30</Days><RequestFrequent>1</RequestFrequent></Tiering></IntelligentTieringConfiguration>"
    )
}

fn call(c: &Client, method: Method, query: &str, body: &str) -> Raw {
    signed(
        c,
        method,
        &bucket_target(BUCKET, query),
        &[],
        body.as_bytes(),
    )
}

fn with_bucket() -> (Emulator, Client) {
    let emulator = strict_emulator();
    let c = client(&emulator);
    create(&c, BUCKET);
    (emulator, c)
}

#[test]
fn each_sub_resource_round_trips_with_its_missing_code() {
    let (_emulator, c) = with_bucket();
    // (query, body, an element GET must return with its text, 404 code when unset)
    let cases: [(&str, &str, (&str, &str), &str); 9] = [
        (
            "lifecycle=",
            LIFECYCLE,
            ("Days", "7"),
            "NoSuchLifecycleConfiguration",
        ),
        (
            "cors=",
            CORS,
            ("MaxAgeSeconds", "500"),
            "NoSuchCORSConfiguration",
        ),
        ("tagging=", TAGGING, ("Value", "prod"), "NoSuchTagSet"),
        (
            "website=",
            WEBSITE,
            ("Suffix", "index.html"),
            "NoSuchWebsiteConfiguration",
        ),
        (
            "encryption=",
            ENCRYPTION,
            ("SSEAlgorithm", "AES256"),
            "NoSuchEncryptionConfiguration",
        ),
        (
            "replication=",
            REPLICATION,
            ("StorageClass", "STANDARD_IA"),
            "ReplicationConfigurationNotFoundError",
        ),
        (
            "domain=",
            DOMAIN,
            ("Name", "www.example.com"),
            "NoSuchDomainConfiguration",
        ),
        (
            "inventory=&id=daily-photos",
            &inventory("daily-photos"),
            ("Frequency", "Daily"),
            "InventoryConfigurationNotFoundError",
        ),
        (
            "intelligent-tiering&id=default",
            &tiering_v2("default"),
            ("AccessTier", "INFREQUENT"),
            "NoSuchConfiguration",
        ),
    ];
    for (query, body, (element, text), missing) in cases {
        call(&c, Method::GET, query, "").assert_error(404, missing);
        let put = call(&c, Method::PUT, query, body);
        assert_eq!(put.status, 200, "{query}: {}", put.text());
        let got = call(&c, Method::GET, query, "");
        assert_eq!(got.status, 200, "{query}: {}", got.text());
        assert_eq!(got.header("content-type"), Some("application/xml"));
        assert_eq!(got.element(element).as_deref(), Some(text), "{query}");
        assert!(
            got.text()
                .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        );
        let delete = call(&c, Method::DELETE, query, "");
        assert_eq!(delete.status, 204, "{query}: {}", delete.text());
        call(&c, Method::GET, query, "").assert_error(404, missing);
    }
}

#[test]
fn documents_come_back_in_cos_shape() {
    let (_emulator, c) = with_bucket();
    assert_eq!(call(&c, Method::PUT, "website=", WEBSITE).status, 200);
    let website = call(&c, Method::GET, "website=", "").text();
    assert!(
        website.find("<RedirectAllRequestsTo>") < website.find("<ErrorDocument>"),
        "{website}"
    );
    assert!(website.contains(
        "<WebsiteConfiguration>\n    <IndexDocument>\n        <Suffix>index.html</Suffix>\n"
    ));
    assert_eq!(call(&c, Method::PUT, "tagging=", TAGGING).status, 200);
    let tagging = call(&c, Method::GET, "tagging=", "");
    assert_eq!(tagging.elements("Key"), ["env", "项目"]);
    assert_eq!(tagging.elements("Value")[1], "阿波罗 &amp; co");
    assert_eq!(call(&c, Method::PUT, "referer=", REFERER).status, 200);
    let referer = call(&c, Method::GET, "referer=", "");
    assert_eq!(
        referer.element("VerifySignatureURL").as_deref(),
        Some("false")
    );
    assert_eq!(
        referer.elements("Domain"),
        ["*.example.com", "www.example.org"]
    );
    let query = "inventory=&id=daily-photos";
    assert_eq!(
        call(&c, Method::PUT, query, &inventory("daily-photos")).status,
        200
    );
    let inv = call(&c, Method::GET, query, "").text();
    assert!(
        inv.contains(
            "<InventoryConfiguration>\n    <Id>daily-photos</Id>\n    <IsEnabled>true</IsEnabled>\n"
        ),
        "{inv}"
    );
    assert!(inv.contains("<SSE-COS></SSE-COS>"), "{inv}");
}

#[test]
fn configurations_that_always_exist_and_ones_without_delete() {
    let (_emulator, c) = with_bucket();
    let versioning = call(&c, Method::GET, "versioning=", "");
    assert!(
        versioning.text().ends_with("<VersioningConfiguration/>\n"),
        "{}",
        versioning.text()
    );
    let logging = call(&c, Method::GET, "logging=", "");
    assert_eq!(logging.status, 200);
    assert!(logging.text().ends_with("<BucketLoggingStatus/>\n"));
    assert_eq!(call(&c, Method::PUT, "logging=", LOGGING).status, 200);
    assert_eq!(
        call(&c, Method::GET, "logging=", "")
            .element("TargetBucket")
            .as_deref(),
        Some("logbucket-1250000000")
    );
    call(&c, Method::DELETE, "logging=", "").assert_error(405, "MethodNotAllowed");
    assert_eq!(
        call(&c, Method::PUT, "logging=", "<BucketLoggingStatus/>").status,
        200
    );
    assert_eq!(
        call(&c, Method::GET, "logging=", "").element("TargetBucket"),
        None
    );

    let tiering = call(&c, Method::GET, "intelligenttiering=", "");
    assert_eq!(tiering.element("Status").as_deref(), Some("Suspended"));
    assert_eq!(
        call(&c, Method::PUT, "intelligenttiering=", TIERING_V1).status,
        200
    );
    let tiering = call(&c, Method::GET, "intelligenttiering=", "");
    assert_eq!(tiering.element("Status").as_deref(), Some("Enabled"));
    assert_eq!(tiering.element("Days").as_deref(), Some("30"));

    call(&c, Method::GET, "object-lock=", "").assert_error(404, "NoSuchObjectLockConfiguration");
    assert_eq!(
        call(&c, Method::PUT, "object-lock=", OBJECT_LOCK).status,
        200
    );
    assert_eq!(
        call(&c, Method::GET, "object-lock=", "")
            .element("ObjectLockEnabled")
            .as_deref(),
        Some("Enabled")
    );
    call(&c, Method::DELETE, "object-lock=", "").assert_error(405, "MethodNotAllowed");

    // The referer configuration goes with an empty PUT (as the Python SDK deletes it) or
    // a DELETE.
    assert_eq!(call(&c, Method::PUT, "referer=", REFERER).status, 200);
    assert_eq!(call(&c, Method::PUT, "referer=", "").status, 200);
    assert!(
        call(&c, Method::GET, "referer=", "")
            .text()
            .ends_with("<RefererConfiguration/>\n")
    );
    assert_eq!(call(&c, Method::PUT, "referer=", REFERER).status, 200);
    assert_eq!(call(&c, Method::DELETE, "referer=", "").status, 204);
    assert!(
        call(&c, Method::GET, "referer=", "")
            .text()
            .ends_with("<RefererConfiguration/>\n")
    );
}

#[test]
fn versioning_set_on_the_bucket_applies_to_writes() {
    let (_emulator, c) = with_bucket();
    let object = format!("/{BUCKET}/k");
    assert_eq!(
        signed(&c, Method::PUT, &object, &[], b"1").header("x-cos-version-id"),
        None
    );
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
    assert_eq!(call(&c, Method::PUT, "versioning=", body).status, 200);
    assert_eq!(
        call(&c, Method::GET, "versioning=", "")
            .element("Status")
            .as_deref(),
        Some("Enabled")
    );
    let put = signed(&c, Method::PUT, &object, &[], b"2");
    assert!(
        put.header("x-cos-version-id").is_some_and(|v| v != "null"),
        "{:?}",
        put.headers
    );
    call(
        &c,
        Method::PUT,
        "versioning=",
        "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>",
    )
    .assert_error(400, "MalformedXML");
}

#[test]
fn malformed_documents_are_rejected() {
    let (_emulator, c) = with_bucket();
    for (query, body, code) in [
        ("lifecycle=", "not xml", "MalformedXML"),
        ("lifecycle=", "<CORSConfiguration/>", "MalformedXML"),
        (
            "lifecycle=",
            "<LifecycleConfiguration><Rule><Status>Enabled</Status></Rule></LifecycleConfiguration>",
            "MalformedXML",
        ),
        ("lifecycle=", "", "MalformedXML"),
        (
            "cors=",
            "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>",
            "MalformedXML",
        ),
        (
            "tagging=",
            "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>",
            "InvalidTag",
        ),
        (
            "website=",
            "<WebsiteConfiguration><ErrorDocument><Key>e</Key></ErrorDocument></WebsiteConfiguration>",
            "MalformedXML",
        ),
        (
            "encryption=",
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>ROT13</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
            "MalformedXML",
        ),
        (
            "domain=",
            "<DomainConfiguration><DomainRule><Name>a.com</Name><Status>ON</Status><Type>REST</Type></DomainRule></DomainConfiguration>",
            "MalformedXML",
        ),
        ("policy=", "{not json", "MalformedPolicy"),
        ("policy=", r#"{"version": "2.0"}"#, "PolicyInvalid"),
        (
            "inventory=&id=other",
            &inventory("daily"),
            "InvalidArgument",
        ),
        ("inventory=", &inventory("daily"), "InvalidArgument"),
    ] {
        call(&c, Method::PUT, query, body).assert_error(400, code);
    }
    // Nothing was stored.
    call(&c, Method::GET, "lifecycle=", "").assert_error(404, "NoSuchLifecycleConfiguration");
    call(&c, Method::GET, "policy=", "").assert_error(404, "NoSuchBucketPolicy");
}

#[test]
fn policies_are_stored_as_sent() {
    let (_emulator, c) = with_bucket();
    let put = signed(
        &c,
        Method::PUT,
        &bucket_target(BUCKET, "policy="),
        &[("content-type", "application/json")],
        POLICY.as_bytes(),
    );
    assert_eq!(put.status, 200, "{}", put.text());
    let got = call(&c, Method::GET, "policy=", "");
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.text(), POLICY);
    assert_eq!(call(&c, Method::DELETE, "policy=", "").status, 204);
    call(&c, Method::GET, "policy=", "").assert_error(404, "NoSuchBucketPolicy");
}

#[test]
fn keyed_configurations_are_listed() {
    let (_emulator, c) = with_bucket();
    let empty = call(&c, Method::GET, "inventory=", "");
    assert_eq!(empty.status, 200);
    assert_eq!(empty.element("IsTruncated").as_deref(), Some("false"));
    assert!(empty.elements("Id").is_empty());
    for id in ["weekly", "daily"] {
        let put = call(
            &c,
            Method::PUT,
            &format!("inventory=&id={id}"),
            &inventory(id),
        );
        assert_eq!(put.status, 200, "{}", put.text());
    }
    let list = call(&c, Method::GET, "inventory=", "");
    assert!(list.text().contains("<ListInventoryConfigurationResult>"));
    assert_eq!(list.elements("Id"), ["daily", "weekly"]);
    // A one-shot inventory job is accepted and not kept.
    let once = "<InventoryConfiguration><Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::inventorybucket-1250000000</Bucket><Format>CSV</Format></COSBucketDestination></Destination><IncludedObjectVersions>Current</IncludedObjectVersions><Id>once-20231114</Id></InventoryConfiguration>";
    assert_eq!(
        call(&c, Method::POST, "inventory=&id=once-20231114", once).status,
        200
    );
    assert_eq!(
        call(&c, Method::GET, "inventory=", "").elements("Id"),
        ["daily", "weekly"]
    );

    for id in ["default", "archive"] {
        let put = call(
            &c,
            Method::PUT,
            &format!("intelligent-tiering&id={id}"),
            &tiering_v2(id),
        );
        assert_eq!(put.status, 200, "{}", put.text());
    }
    let list = call(&c, Method::GET, "intelligent-tiering", "");
    assert!(list.text().contains("<ListBucketIntelligentTieringConfigurationsOutput>\n    <IntelligentTieringConfiguration>\n        <Id>archive</Id>"), "{}", list.text());
    assert_eq!(list.elements("Id"), ["archive", "default"]);
}

#[test]
fn cors_preflight_follows_the_rules() {
    let (emulator, c) = with_bucket();
    let target = format!("/{BUCKET}/photo.jpg");
    let preflight = |origin: &str, method: &str, headers: &str| {
        let mut list = vec![
            ("Origin", origin),
            ("Access-Control-Request-Method", method),
        ];
        if !headers.is_empty() {
            list.push(("Access-Control-Request-Headers", headers));
        }
        unsigned(&emulator, "OPTIONS", &target, &list)
    };
    preflight("http://www.qq.com", "GET", "").assert_error(403, "AccessForbidden");
    assert_eq!(call(&c, Method::PUT, "cors=", CORS).status, 200);

    let ok = preflight("http://www.qq.com", "PUT", "x-cos-meta-test");
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("http://www.qq.com")
    );
    assert_eq!(ok.header("access-control-allow-methods"), Some("GET,PUT"));
    assert_eq!(
        ok.header("access-control-allow-headers"),
        Some("x-cos-meta-test")
    );
    assert_eq!(
        ok.header("access-control-expose-headers"),
        Some("x-cos-meta-test1")
    );
    assert_eq!(ok.header("access-control-max-age"), Some("500"));

    preflight("http://evil.example", "GET", "").assert_error(403, "AccessForbidden");
    preflight("http://www.qq.com", "DELETE", "").assert_error(403, "AccessForbidden");
    preflight("http://www.qq.com", "GET", "authorization").assert_error(403, "AccessForbidden");
    unsigned(
        &emulator,
        "OPTIONS",
        &target,
        &[("Origin", "http://www.qq.com")],
    )
    .assert_error(400, "BadRequest");

    // Simple requests get the headers when a rule allows their origin and method.
    assert_eq!(signed(&c, Method::PUT, &target, &[], b"jpg").status, 200);
    let get = signed(
        &c,
        Method::GET,
        &target,
        &[("Origin", "http://www.qq.com")],
        &[],
    );
    assert_eq!(get.status, 200);
    assert_eq!(
        get.header("access-control-allow-origin"),
        Some("http://www.qq.com")
    );
    assert_eq!(
        get.header("access-control-expose-headers"),
        Some("x-cos-meta-test1")
    );
    let other = signed(
        &c,
        Method::GET,
        &target,
        &[("Origin", "http://evil.example")],
        &[],
    );
    assert_eq!(other.status, 200);
    assert_eq!(other.header("access-control-allow-origin"), None);
    let delete = signed(
        &c,
        Method::DELETE,
        &target,
        &[("Origin", "http://www.qq.com")],
        &[],
    );
    assert_eq!(delete.header("access-control-allow-origin"), None);
}

#[test]
fn lifecycle_expires_objects_when_the_clock_moves() {
    let (emulator, c) = with_bucket();
    let rules = "<LifecycleConfiguration>\
        <Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>\
        <Rule><ID>tagged</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>class</Key><Value>short</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>\
        <Rule><ID>off</ID><Filter><Prefix>keep/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>\
        <Rule><ID>uploads</ID><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>\
        </LifecycleConfiguration>";
    assert_eq!(call(&c, Method::PUT, "lifecycle=", rules).status, 200);
    let put = |key: &str, headers: &[(&str, &str)]| {
        let raw = signed(&c, Method::PUT, &format!("/{BUCKET}/{key}"), headers, b"x");
        assert_eq!(raw.status, 200, "{key}: {}", raw.text());
    };
    put("tmp/a", &[]);
    put("keep/b", &[]);
    put("logs/short", &[("x-cos-tagging", "class=short")]);
    put("logs/long", &[("x-cos-tagging", "class=long")]);
    let initiate = signed(
        &c,
        Method::POST,
        &format!("/{BUCKET}/big?uploads"),
        &[],
        &[],
    );
    assert_eq!(initiate.status, 200);
    // Signed at the emulator's current time (the clock moves below).
    let exists = |key: &str| {
        let now = client(&emulator);
        signed(&now, Method::HEAD, &format!("/{BUCKET}/{key}"), &[], &[]).status == 200
    };

    assert_eq!(emulator.apply_lifecycle(), LifecycleRun::default());
    emulator.set_clock_offset(86_399);
    assert!(exists("tmp/a"));
    emulator.set_clock_offset(86_400);
    assert!(!exists("tmp/a"));
    assert!(exists("keep/b") && exists("logs/short") && exists("logs/long"));

    let body = r#"{"offset_secs":259200}"#;
    let request = format!(
        "POST /-/emulator/clock HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let admin = common::exchange(emulator.addr(), request.as_bytes()).expect("admin");
    assert_eq!(admin.status, 200, "{}", admin.text());
    assert!(admin.text().contains("\"expired\":1"), "{}", admin.text());
    assert!(
        admin.text().contains("\"aborted_uploads\":1"),
        "{}",
        admin.text()
    );
    assert!(!exists("logs/short"));
    assert!(exists("keep/b") && exists("logs/long"));
    let uploads = signed(
        &client(&emulator),
        Method::GET,
        &bucket_target(BUCKET, "uploads"),
        &[],
        &[],
    );
    assert_eq!(uploads.status, 200, "{}", uploads.text());
    assert!(
        uploads.elements("UploadId").is_empty(),
        "{}",
        uploads.text()
    );
}

#[test]
fn lifecycle_dates_and_versioned_buckets() {
    let emulator = Emulator::start(EmulatorConfig::new().fixed_time(NOW).bucket(BUCKET, true))
        .expect("starts");
    let c = client(&emulator);
    // 2023-11-15T06:13:21+08:00 is NOW + 1.
    let rules = "<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Expiration><Date>2023-11-15T06:13:21+08:00</Date></Expiration></Rule></LifecycleConfiguration>";
    assert_eq!(call(&c, Method::PUT, "lifecycle=", rules).status, 200);
    let put = signed(&c, Method::PUT, &format!("/{BUCKET}/doc"), &[], b"v1");
    let version = put.header("x-cos-version-id").expect("version").to_owned();
    assert_eq!(emulator.apply_lifecycle().expired, 0);
    emulator.set_clock_offset(1);
    signed(&c, Method::GET, &format!("/{BUCKET}/doc"), &[], &[]).assert_error(404, "NoSuchKey");
    let old = signed(
        &c,
        Method::GET,
        &format!("/{BUCKET}/doc?versionId={version}"),
        &[],
        &[],
    );
    assert_eq!(old.body, b"v1");
    // The delete marker is not expired again.
    assert_eq!(emulator.apply_lifecycle().expired, 0);
}

#[test]
fn a_bucket_policy_can_make_objects_public() {
    let (emulator, c) = with_bucket();
    for key in ["public/a.txt", "private/b.txt"] {
        assert_eq!(
            signed(&c, Method::PUT, &format!("/{BUCKET}/{key}"), &[], b"hi").status,
            200
        );
    }
    let anonymous =
        |key: &str, method: &str| unsigned(&emulator, method, &format!("/{BUCKET}/{key}"), &[]);
    anonymous("public/a.txt", "GET").assert_error(403, "AccessDenied");
    assert_eq!(call(&c, Method::PUT, "policy=", POLICY).status, 200);
    let get = anonymous("public/a.txt", "GET");
    assert_eq!(get.status, 200, "{}", get.text());
    assert_eq!(get.body, b"hi");
    assert_eq!(anonymous("public/a.txt", "HEAD").status, 200);
    anonymous("private/b.txt", "GET").assert_error(403, "AccessDenied");
    unsigned(&emulator, "PUT", &format!("/{BUCKET}/public/new"), &[])
        .assert_error(403, "AccessDenied");
    assert_eq!(call(&c, Method::DELETE, "policy=", "").status, 204);
    anonymous("public/a.txt", "GET").assert_error(403, "AccessDenied");

    // A public-read bucket ACL opens objects that keep the bucket's ACL.
    let acl = signed(
        &c,
        Method::PUT,
        &bucket_target(BUCKET, "acl="),
        &[("x-cos-acl", "public-read")],
        &[],
    );
    assert_eq!(acl.status, 200);
    assert_eq!(anonymous("private/b.txt", "GET").status, 200);
    let own = signed(
        &c,
        Method::PUT,
        &format!("/{BUCKET}/private/b.txt?acl"),
        &[("x-cos-acl", "private")],
        &[],
    );
    assert_eq!(own.status, 200, "{}", own.text());
    anonymous("private/b.txt", "GET").assert_error(403, "AccessDenied");
}

#[test]
fn sub_resources_of_a_missing_bucket_are_no_such_bucket() {
    let emulator = strict_emulator();
    let c = client(&emulator);
    for query in [
        "lifecycle=",
        "policy=",
        "acl=",
        "inventory=",
        "intelligent-tiering",
        "logging=",
    ] {
        call(&c, Method::GET, query, "").assert_error(404, "NoSuchBucket");
    }
    call(&c, Method::PUT, "cors=", CORS).assert_error(404, "NoSuchBucket");
}
