//! Buckets themselves: PUT/HEAD/DELETE Bucket, name rules, BucketNotEmpty, NoSuchBucket
//! with auto-creation off, GET Service and its filters, location, bucket ACL, and
//! persistence in the data directory. Requests are built by hand and signed with
//! cos-proto's signer (see `common::bucket_requests`).

mod common;

use common::bucket_requests::{
    bucket_target, client, create, signed, signed_virtual, strict_emulator, unsigned,
};
use common::{BUCKET, NOW, Raw};
use cos_emulator::{Emulator, EmulatorConfig};
use http::Method;

fn service(client: &common::Client, query: &str) -> Raw {
    let target = if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    };
    signed(client, Method::GET, &target, &[], &[])
}

#[test]
fn create_head_list_delete() {
    let emulator = strict_emulator();
    let c = client(&emulator);
    let head = signed(&c, Method::HEAD, &bucket_target(BUCKET, ""), &[], &[]);
    assert_eq!(head.status, 404);
    assert!(head.body.is_empty());

    create(&c, BUCKET);
    let head = signed(&c, Method::HEAD, &bucket_target(BUCKET, ""), &[], &[]);
    assert_eq!(head.status, 200, "{}", head.text());
    assert_eq!(head.header("x-cos-bucket-region"), Some("ap-guangzhou"));
    assert_eq!(head.header("x-cos-bucket-arch"), None);

    signed(&c, Method::PUT, &bucket_target(BUCKET, ""), &[], &[])
        .assert_error(409, "BucketAlreadyExists");

    let list = service(&c, "marker=&max-keys=2000");
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(list.elements("Name"), [BUCKET]);
    assert_eq!(list.element("Location").as_deref(), Some("ap-guangzhou"));
    assert_eq!(
        list.element("CreationDate").as_deref(),
        Some("2023-11-14T22:13:20Z")
    );
    assert_eq!(list.element("BucketType").as_deref(), Some("cos"));
    assert_eq!(
        list.element("ID").as_deref(),
        Some("qcs::cam::uin/100000000001:uin/100000000001")
    );
    assert_eq!(list.element("IsTruncated"), None);

    let delete = signed(&c, Method::DELETE, &bucket_target(BUCKET, ""), &[], &[]);
    assert_eq!(delete.status, 204, "{}", delete.text());
    assert_eq!(
        signed(&c, Method::HEAD, &bucket_target(BUCKET, ""), &[], &[]).status,
        404
    );
    signed(&c, Method::DELETE, &bucket_target(BUCKET, ""), &[], &[])
        .assert_error(404, "NoSuchBucket");
    assert!(service(&c, "").text().contains("<Buckets/>"));
}

#[test]
fn new_bucket_names_follow_cos_rules() {
    let emulator = strict_emulator();
    let c = client(&emulator);
    for bad in [
        "noappid",
        "name-12a0",
        "-1250000000",
        "bad_name-1250000000",
        "Upper-1250000000",
        // `<bucket>.cos.ap-guangzhou.myqcloud.com` would be 61 characters.
        "a2345678901234567890-1250000000",
    ] {
        signed(&c, Method::PUT, &bucket_target(bad, ""), &[], &[])
            .assert_error(400, "InvalidBucketName");
    }
    create(&c, "a234567890123456789-1250000000");
    create(&c, "with-dashes-1-1250000000");
}

#[test]
fn buckets_with_objects_or_uploads_are_not_deleted() {
    let emulator = strict_emulator();
    let c = client(&emulator);
    create(&c, BUCKET);
    let object = format!("/{BUCKET}/k");
    let put = signed(&c, Method::PUT, &object, &[], b"data");
    assert_eq!(put.status, 200, "{}", put.text());
    signed(&c, Method::DELETE, &bucket_target(BUCKET, ""), &[], &[])
        .assert_error(409, "BucketNotEmpty");
    assert_eq!(signed(&c, Method::DELETE, &object, &[], &[]).status, 204);

    let initiate = signed(&c, Method::POST, &format!("{object}?uploads"), &[], &[]);
    assert_eq!(initiate.status, 200, "{}", initiate.text());
    let upload_id = initiate.element("UploadId").expect("upload id");
    signed(&c, Method::DELETE, &bucket_target(BUCKET, ""), &[], &[])
        .assert_error(409, "BucketNotEmpty");
    let abort = signed(
        &c,
        Method::DELETE,
        &format!("{object}?uploadId={upload_id}"),
        &[],
        &[],
    );
    assert_eq!(abort.status, 204, "{}", abort.text());
    assert_eq!(
        signed(&c, Method::DELETE, &bucket_target(BUCKET, ""), &[], &[]).status,
        204
    );
}

#[test]
fn without_auto_create_a_bucket_exists_only_after_put_bucket() {
    let emulator = strict_emulator();
    let c = client(&emulator);
    let object = format!("/{BUCKET}/k");
    signed(&c, Method::PUT, &object, &[], b"data").assert_error(404, "NoSuchBucket");
    signed(&c, Method::GET, &object, &[], &[]).assert_error(404, "NoSuchBucket");
    signed(&c, Method::GET, &bucket_target(BUCKET, ""), &[], &[]).assert_error(404, "NoSuchBucket");
    signed(&c, Method::GET, &bucket_target(BUCKET, "cors="), &[], &[])
        .assert_error(404, "NoSuchBucket");
    signed(
        &c,
        Method::GET,
        &bucket_target(BUCKET, "location="),
        &[],
        &[],
    )
    .assert_error(404, "NoSuchBucket");
    create(&c, BUCKET);
    assert_eq!(signed(&c, Method::PUT, &object, &[], b"data").status, 200);
    assert_eq!(signed(&c, Method::GET, &object, &[], &[]).body, b"data");
}

#[test]
fn auto_create_stays_the_default() {
    let emulator = Emulator::start(EmulatorConfig::new().fixed_time(NOW)).expect("starts");
    let c = client(&emulator);
    let put = signed(&c, Method::PUT, "/fresh-1250000000/k", &[], b"x");
    assert_eq!(put.status, 200, "{}", put.text());
    // The bucket now exists: creating it again conflicts.
    signed(
        &c,
        Method::PUT,
        &bucket_target("fresh-1250000000", ""),
        &[],
        &[],
    )
    .assert_error(409, "BucketAlreadyExists");
}

#[test]
fn service_pages_and_filters() {
    let emulator = strict_emulator();
    let c = client(&emulator);
    for name in ["alpha-1250000000", "beta-1250000000", "gamma-1250000000"] {
        create(&c, name);
    }
    let created = signed_virtual(&c, "delta-1250000000", "ap-beijing", Method::PUT, "/", &[]);
    assert_eq!(created.status, 200, "{}", created.text());
    let tags = b"<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>";
    let tagged = signed(
        &c,
        Method::PUT,
        &bucket_target("beta-1250000000", "tagging="),
        &[],
        tags,
    );
    assert_eq!(tagged.status, 200, "{}", tagged.text());

    let page = service(&c, "marker=&max-keys=2");
    assert_eq!(
        page.elements("Name"),
        ["alpha-1250000000", "beta-1250000000"]
    );
    assert_eq!(page.element("IsTruncated").as_deref(), Some("true"));
    assert_eq!(
        page.element("NextMarker").as_deref(),
        Some("beta-1250000000")
    );
    assert_eq!(page.element("MaxKeys").as_deref(), Some("2"));
    let rest = service(&c, "marker=beta-1250000000&max-keys=2");
    assert_eq!(
        rest.elements("Name"),
        ["delta-1250000000", "gamma-1250000000"]
    );
    assert_eq!(rest.element("IsTruncated").as_deref(), Some("false"));
    assert_eq!(rest.element("Marker").as_deref(), Some("beta-1250000000"));

    let beijing = service(&c, "region=ap-beijing");
    assert_eq!(beijing.elements("Name"), ["delta-1250000000"]);
    assert_eq!(beijing.elements("Location"), ["ap-beijing"]);
    let by_tag = service(&c, "tagkey=team&tagvalue=web");
    assert_eq!(by_tag.elements("Name"), ["beta-1250000000"]);
    assert!(
        service(&c, "tagkey=team&tagvalue=db")
            .text()
            .contains("<Buckets/>")
    );
    let later = service(&c, &format!("create-time={NOW}&range=gt"));
    assert!(later.text().contains("<Buckets/>"), "{}", later.text());
    let same = service(&c, &format!("create-time={NOW}&range=gte"));
    assert_eq!(same.elements("Name").len(), 4);
    service(&c, "max-keys=abc").assert_error(400, "InvalidArgument");
}

#[test]
fn location_follows_the_region_of_creation() {
    let emulator = strict_emulator();
    let c = client(&emulator);
    create(&c, BUCKET);
    let location = signed(
        &c,
        Method::GET,
        &bucket_target(BUCKET, "location="),
        &[],
        &[],
    );
    assert_eq!(location.status, 200, "{}", location.text());
    assert_eq!(
        location.text(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint>ap-guangzhou</LocationConstraint>\n"
    );
    let other = "other-1250000000";
    assert_eq!(
        signed_virtual(&c, other, "ap-beijing", Method::PUT, "/", &[]).status,
        200
    );
    let location = signed_virtual(&c, other, "ap-beijing", Method::GET, "/?location=", &[]);
    assert_eq!(
        location.element("LocationConstraint").as_deref(),
        Some("ap-beijing")
    );
    let head = signed(&c, Method::HEAD, &bucket_target(other, ""), &[], &[]);
    assert_eq!(head.header("x-cos-bucket-region"), Some("ap-beijing"));
}

#[test]
fn create_takes_acl_headers_and_a_configuration() {
    let emulator = strict_emulator();
    let c = client(&emulator);
    let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CreateBucketConfiguration><BucketArchConfig>OFS</BucketArchConfig><BucketAZConfig>MAZ</BucketAZConfig></CreateBucketConfiguration>";
    let created = signed(
        &c,
        Method::PUT,
        &bucket_target(BUCKET, ""),
        &[
            ("x-cos-acl", "public-read"),
            (
                "x-cos-grant-write",
                "id=\"qcs::cam::uin/100000000001:uin/100000000003\"",
            ),
            ("content-type", "application/xml"),
        ],
        body,
    );
    assert_eq!(created.status, 200, "{}", created.text());
    let head = signed(&c, Method::HEAD, &bucket_target(BUCKET, ""), &[], &[]);
    assert_eq!(head.header("x-cos-bucket-arch"), Some("OFS"));
    assert_eq!(head.header("x-cos-bucket-az-type"), Some("MAZ"));
    assert_eq!(
        service(&c, "").element("BucketType").as_deref(),
        Some("ofs")
    );

    let acl = signed(&c, Method::GET, &bucket_target(BUCKET, "acl="), &[], &[]);
    assert_eq!(acl.status, 200, "{}", acl.text());
    assert_eq!(acl.header("x-cos-acl"), Some("public-read"));
    assert_eq!(
        acl.elements("Permission"),
        ["FULL_CONTROL", "READ", "WRITE"]
    );
    assert!(
        acl.text()
            .contains("http://cam.qcloud.com/groups/global/AllUsers")
    );

    let put = signed(
        &c,
        Method::PUT,
        &bucket_target(BUCKET, "acl="),
        &[("x-cos-acl", "private")],
        &[],
    );
    assert_eq!(put.status, 200, "{}", put.text());
    let acl = signed(&c, Method::GET, &bucket_target(BUCKET, "acl="), &[], &[]);
    assert_eq!(acl.elements("Permission"), ["FULL_CONTROL"]);

    let bad = signed(
        &c,
        Method::PUT,
        &bucket_target("second-1250000000", ""),
        &[],
        b"<CreateBucketConfiguration><BucketArchConfig>HDFS</BucketArchConfig></CreateBucketConfiguration>",
    );
    bad.assert_error(400, "InvalidArgument");
    signed(
        &c,
        Method::PUT,
        &bucket_target("second-1250000000", ""),
        &[],
        b"<Oops/>",
    )
    .assert_error(400, "MalformedXML");
}

#[test]
fn buckets_and_configurations_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("cos-emulator-buckets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = || {
        EmulatorConfig::new()
            .fixed_time(NOW)
            .auto_create_buckets(false)
            .data_dir(&dir)
    };
    let cors = b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>";
    {
        let emulator = Emulator::start(config()).expect("starts");
        let c = client(&emulator);
        create(&c, BUCKET);
        create(&c, "gone-1250000000");
        let put = signed(&c, Method::PUT, &bucket_target(BUCKET, "cors="), &[], cors);
        assert_eq!(put.status, 200, "{}", put.text());
        let acl = signed(
            &c,
            Method::PUT,
            &bucket_target(BUCKET, "acl="),
            &[("x-cos-acl", "public-read")],
            &[],
        );
        assert_eq!(acl.status, 200, "{}", acl.text());
        assert_eq!(
            signed(
                &c,
                Method::DELETE,
                &bucket_target("gone-1250000000", ""),
                &[],
                &[]
            )
            .status,
            204
        );
    }
    let emulator = Emulator::start(config()).expect("restarts");
    let c = client(&emulator);
    assert_eq!(service(&c, "").elements("Name"), [BUCKET]);
    let got = signed(&c, Method::GET, &bucket_target(BUCKET, "cors="), &[], &[]);
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.element("AllowedOrigin").as_deref(), Some("*"));
    let acl = signed(&c, Method::GET, &bucket_target(BUCKET, "acl="), &[], &[]);
    assert_eq!(acl.header("x-cos-acl"), Some("public-read"));
    drop(emulator);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn anonymous_requests_cannot_manage_buckets() {
    let emulator = strict_emulator();
    unsigned(&emulator, "PUT", &bucket_target(BUCKET, ""), &[]).assert_error(403, "AccessDenied");
    let c = client(&emulator);
    create(&c, BUCKET);
    unsigned(&emulator, "GET", &bucket_target(BUCKET, "cors="), &[])
        .assert_error(403, "AccessDenied");
    unsigned(&emulator, "DELETE", &bucket_target(BUCKET, ""), &[])
        .assert_error(403, "AccessDenied");
}

/// The binary with `--no-auto-create`: killed when dropped.
struct Binary(std::process::Child);

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_without_auto_create_needs_put_bucket() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cos-emulator"))
        .args(["--port", "0", "--no-auto-create"])
        .env_remove("COS_EMULATOR_SECRET_ID")
        .env_remove("COS_EMULATOR_SECRET_KEY")
        .env_remove("COS_EMULATOR_TOKEN")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let running = Binary(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("endpoint line");
    let addr: std::net::SocketAddr = line
        .trim()
        .strip_prefix("http://")
        .expect("endpoint")
        .parse()
        .expect("address");
    let credentials = cos_proto::Credentials::new(
        cos_emulator::DEFAULT_SECRET_ID,
        cos_emulator::DEFAULT_SECRET_KEY,
    )
    .expect("credentials");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let c = common::Client::for_addr(addr, BUCKET, credentials, now);
    let object = format!("/{BUCKET}/k");
    signed(&c, Method::PUT, &object, &[], b"x").assert_error(404, "NoSuchBucket");
    create(&c, BUCKET);
    assert_eq!(signed(&c, Method::PUT, &object, &[], b"x").status, 200);
    drop(running);
}
