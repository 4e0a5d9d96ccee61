//! `presign.json`: presigned URLs.

use cos_proto::presign::Presign;
use serde_json::Value;

use super::python::config_from;
use super::value::{object_pairs, str_at, u64_at};
use super::{Mismatches, Verdict};

pub(super) fn check(_meta: &Value, case: &Value) -> Verdict {
    match check_inner(case) {
        Ok(m) => m.verdict(),
        Err(e) => Verdict::Fail(e),
    }
}

fn check_inner(case: &Value) -> Result<Mismatches, String> {
    let mut m = Mismatches::default();
    let kwargs = case.get("call_kwargs").ok_or("missing call_kwargs")?;
    let vc = config_from(
        case.get("config").ok_or("missing config")?,
        str_at(kwargs, "Bucket")?,
    )?;
    let method = match str_at(case, "function")? {
        "get_presigned_download_url" => "GET".to_owned(),
        _ => str_at(kwargs, "Method")?.to_uppercase(),
    };
    let method: http::Method = method.parse().map_err(|_| "bad method")?;
    let key = str_at(kwargs, "Key")?;
    let mut presign = if key == "/" {
        // The reference turns the key "/" into a bucket-level URL; cos-proto rejects that
        // key for object operations and has an explicit bucket-level form.
        Presign::bucket(method)
    } else {
        Presign::new(method, key)
    };
    presign = presign.expires_in(u64_at(case, "expire_seconds")?);
    if let Some(sign_host) = kwargs.get("SignHost").and_then(Value::as_bool) {
        presign = presign.sign_host(sign_host);
    }
    for (name, value) in object_pairs(kwargs.get("Params")) {
        presign = presign.param(name, value);
    }
    for (name, value) in object_pairs(kwargs.get("Headers")) {
        presign = presign.header(name, value);
    }
    let url = presign
        .url(&vc.config, &vc.creds, u64_at(case, "now")?)
        .map_err(|e| format!("presign failed: {e}"))?;
    m.eq("url", str_at(case, "url")?, url.as_str());
    Ok(m)
}
