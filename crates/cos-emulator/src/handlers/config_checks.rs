//! What a bucket configuration document must contain before the emulator stores it.
//!
//! Each check takes the parsed root (its name already matched) and fails with COS's code
//! for a document that does not validate: `400 MalformedXML` for missing or misspelt
//! required elements and values outside their enumerations, `400 InvalidTag` for bad
//! bucket tags, `400 InvalidArgument` for numbers that are not numbers. The checks are
//! deliberately shallow: required elements and enumerated values, not every COS limit.

use crate::errors::{CosError, ErrorCode};
use crate::time_fmt::parse_config_date;
use crate::xml_in::Element;

fn malformed(message: impl Into<String>) -> CosError {
    CosError::with_message(ErrorCode::MalformedXML, message.into())
}

/// The first child `name` of `el`, or `MalformedXML`.
fn need<'a>(el: &'a Element, name: &str) -> Result<&'a Element, CosError> {
    el.child(name)
        .ok_or_else(|| malformed(format!("<{}> needs a <{name}>.", el.name)))
}

/// The trimmed text of child `name`, which must be one of `allowed`.
fn one_of(el: &Element, name: &str, allowed: &[&str]) -> Result<(), CosError> {
    let value = need(el, name)?.text.trim();
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(malformed(format!(
            "<{name}> must be one of {}, got {value:.64}.",
            allowed.join(", ")
        )))
    }
}

/// When present, child `name` is a whole number of at least `min`.
fn number_at_least(el: &Element, name: &str, min: u64) -> Result<(), CosError> {
    match el.child_text(name).map(str::trim) {
        None => Ok(()),
        Some(text) if text.parse::<u64>().is_ok_and(|n| n >= min) => Ok(()),
        Some(text) => Err(CosError::with_message(
            ErrorCode::InvalidArgument,
            format!("<{name}> must be a whole number of at least {min}, got {text:.64}."),
        )),
    }
}

fn at_least_one<'a>(el: &'a Element, name: &'a str) -> Result<Vec<&'a Element>, CosError> {
    let found: Vec<&Element> = el.children_named(name).collect();
    if found.is_empty() {
        return Err(malformed(format!(
            "<{}> needs at least one <{name}>.",
            el.name
        )));
    }
    Ok(found)
}

const ENABLED_DISABLED: [&str; 2] = ["Enabled", "Disabled"];

/// `LifecycleConfiguration`: rules with a status and at least one action; expiration
/// days positive, dates ISO 8601; transitions with a storage class.
pub(crate) fn lifecycle(root: &Element) -> Result<(), CosError> {
    let rules = at_least_one(root, "Rule")?;
    if rules.len() > 1000 {
        return Err(malformed("At most 1000 lifecycle rules."));
    }
    for rule in rules {
        one_of(rule, "Status", &ENABLED_DISABLED)?;
        const ACTIONS: [&str; 5] = [
            "Expiration",
            "Transition",
            "NoncurrentVersionExpiration",
            "NoncurrentVersionTransition",
            "AbortIncompleteMultipartUpload",
        ];
        if !rule
            .children
            .iter()
            .any(|c| ACTIONS.contains(&c.name.as_str()))
        {
            return Err(malformed("A lifecycle rule needs at least one action."));
        }
        for action in rule
            .children
            .iter()
            .filter(|c| c.name == "Expiration" || c.name == "Transition")
        {
            number_at_least(action, "Days", u64::from(action.name == "Expiration"))?;
            if let Some(date) = action.child_text("Date")
                && parse_config_date(date.trim()).is_none()
            {
                return Err(malformed(format!("Invalid date {date:.64}.")));
            }
            let has_when = action.child("Days").is_some() || action.child("Date").is_some();
            if action.name == "Transition" {
                need(action, "StorageClass")?;
                if !has_when {
                    return Err(malformed("A Transition needs Days or Date."));
                }
            } else if !has_when && action.child("ExpiredObjectDeleteMarker").is_none() {
                return Err(malformed(
                    "An Expiration needs Days, Date or ExpiredObjectDeleteMarker.",
                ));
            }
        }
        for action in rule.children_named("NoncurrentVersionExpiration") {
            number_at_least(action, "NoncurrentDays", 1)?;
        }
        for action in rule.children_named("AbortIncompleteMultipartUpload") {
            number_at_least(action, "DaysAfterInitiation", 1)?;
        }
    }
    Ok(())
}

/// The methods a CORS rule may allow.
pub(crate) const CORS_METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];

/// `CORSConfiguration`: rules with at least one origin and one known method.
pub(crate) fn cors(root: &Element) -> Result<(), CosError> {
    for rule in at_least_one(root, "CORSRule")? {
        at_least_one(rule, "AllowedOrigin")?;
        for method in at_least_one(rule, "AllowedMethod")? {
            if !CORS_METHODS.contains(&method.text.trim()) {
                return Err(malformed(format!(
                    "Unsupported AllowedMethod {:.16}.",
                    method.text
                )));
            }
        }
        number_at_least(rule, "MaxAgeSeconds", 0)?;
    }
    Ok(())
}

/// `Tagging` of a bucket: at most 50 tags, keys 1..=128 and values 0..=256 characters,
/// no duplicate keys (`400 InvalidTag`).
pub(crate) fn tagging(root: &Element) -> Result<(), CosError> {
    let set = need(root, "TagSet")?;
    let mut keys: Vec<&str> = Vec::new();
    for tag in set.children_named("Tag") {
        let (Some(key), Some(value)) = (tag.child_text("Key"), tag.child_text("Value")) else {
            return Err(malformed("Every Tag needs a Key and a Value."));
        };
        if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(CosError::new(ErrorCode::InvalidTag));
        }
        if keys.contains(&key) {
            return Err(CosError::with_message(
                ErrorCode::InvalidTag,
                "Cannot provide multiple tags with the same key.",
            ));
        }
        keys.push(key);
    }
    if keys.len() > 50 {
        return Err(CosError::with_message(
            ErrorCode::InvalidTag,
            "Bucket tags cannot be more than 50.",
        ));
    }
    Ok(())
}

/// `RefererConfiguration`: status, type, and the optional empty-referer switch.
pub(crate) fn referer(root: &Element) -> Result<(), CosError> {
    one_of(root, "Status", &ENABLED_DISABLED)?;
    one_of(root, "RefererType", &["Black-List", "White-List"])?;
    if root.child("EmptyReferConfiguration").is_some() {
        one_of(root, "EmptyReferConfiguration", &["Allow", "Deny"])?;
    }
    Ok(())
}

/// `WebsiteConfiguration`: an index document suffix.
pub(crate) fn website(root: &Element) -> Result<(), CosError> {
    let suffix = need(need(root, "IndexDocument")?, "Suffix")?;
    if suffix.text.trim().is_empty() {
        return Err(malformed("IndexDocument needs a Suffix."));
    }
    if let Some(rules) = root.child("RoutingRules") {
        for rule in rules.children_named("RoutingRule") {
            need(rule, "Redirect")?;
        }
    }
    Ok(())
}

/// `BucketLoggingStatus`: empty (logging off), or a target bucket.
pub(crate) fn logging(root: &Element) -> Result<(), CosError> {
    if let Some(enabled) = root.child("LoggingEnabled") {
        need(enabled, "TargetBucket")?;
    }
    Ok(())
}

/// `ServerSideEncryptionConfiguration`: a default algorithm COS knows.
pub(crate) fn encryption(root: &Element) -> Result<(), CosError> {
    let rule = need(root, "Rule")?;
    let default = need(rule, "ApplyServerSideEncryptionByDefault")?;
    one_of(
        default,
        "SSEAlgorithm",
        &["AES256", "SM4", "KMS", "cos/kms"],
    )
}

/// `ReplicationConfiguration`: a role and rules with a status and a destination bucket.
pub(crate) fn replication(root: &Element) -> Result<(), CosError> {
    need(root, "Role")?;
    for rule in at_least_one(root, "Rule")? {
        one_of(rule, "Status", &ENABLED_DISABLED)?;
        need(need(rule, "Destination")?, "Bucket")?;
    }
    Ok(())
}

/// `InventoryConfiguration` for PUT: a destination bucket and format, the versions to
/// include, a schedule and `IsEnabled`.
pub(crate) fn inventory(root: &Element) -> Result<(), CosError> {
    inventory_once(root)?;
    one_of(root, "IsEnabled", &["true", "false"])?;
    one_of(need(root, "Schedule")?, "Frequency", &["Daily", "Weekly"])
}

/// `InventoryConfiguration` for a one-shot POST: no schedule needed.
pub(crate) fn inventory_once(root: &Element) -> Result<(), CosError> {
    need(root, "Id")?;
    let destination = need(need(root, "Destination")?, "COSBucketDestination")?;
    need(destination, "Bucket")?;
    one_of(destination, "Format", &["CSV"])?;
    one_of(root, "IncludedObjectVersions", &["All", "Current"])
}

/// `DomainConfiguration`: rules with a name, a status and an origin type.
pub(crate) fn domain(root: &Element) -> Result<(), CosError> {
    for rule in at_least_one(root, "DomainRule")? {
        need(rule, "Name")?;
        one_of(rule, "Status", &["ENABLED", "DISABLED"])?;
        one_of(rule, "Type", &["REST", "WEBSITE", "ACCELERATE"])?;
    }
    Ok(())
}

/// `IntelligentTieringConfiguration` (the bucket-wide v1 form): a status, and the
/// transition days when present.
pub(crate) fn tiering_v1(root: &Element) -> Result<(), CosError> {
    one_of(root, "Status", &["Enabled", "Suspended"])?;
    if let Some(transition) = root.child("Transition") {
        number_at_least(transition, "Days", 1)?;
        number_at_least(transition, "RequestFrequent", 0)?;
    }
    Ok(())
}

/// `IntelligentTieringConfiguration` with an `Id` (v2): a status and tierings.
pub(crate) fn tiering_v2(root: &Element) -> Result<(), CosError> {
    need(root, "Id")?;
    one_of(root, "Status", &["Enabled", "Suspended"])?;
    for tiering in at_least_one(root, "Tiering")? {
        need(tiering, "AccessTier")?;
        number_at_least(tiering, "Days", 1)?;
    }
    Ok(())
}

/// `ObjectLockConfiguration`: `ObjectLockEnabled` is `Enabled`; default retention days
/// positive.
pub(crate) fn object_lock(root: &Element) -> Result<(), CosError> {
    one_of(root, "ObjectLockEnabled", &["Enabled"])?;
    if let Some(retention) = root.child("Rule").and_then(|r| r.child("DefaultRetention")) {
        number_at_least(retention, "Days", 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_in::parse;

    #[test]
    fn lifecycle_rules_need_a_status_and_an_action() {
        let ok = parse(b"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>").expect("xml");
        assert!(lifecycle(&ok).is_ok());
        for bad in [
            &b"<LifecycleConfiguration/>"[..],
            b"<LifecycleConfiguration><Rule><Status>On</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>",
            b"<LifecycleConfiguration><Rule><Status>Enabled</Status></Rule></LifecycleConfiguration>",
            b"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule></LifecycleConfiguration>",
            b"<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Date>soon</Date></Expiration></Rule></LifecycleConfiguration>",
        ] {
            let root = parse(bad).expect("xml");
            assert!(lifecycle(&root).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn cors_methods_are_checked() {
        let bad = parse(b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>").expect("xml");
        assert_eq!(cors(&bad).expect_err("patch").code, ErrorCode::MalformedXML);
    }

    #[test]
    fn bucket_tags_allow_fifty() {
        let tags: String = (0..51)
            .map(|i| format!("<Tag><Key>k{i}</Key><Value>v</Value></Tag>"))
            .collect();
        let doc = format!("<Tagging><TagSet>{tags}</TagSet></Tagging>");
        let root = parse(doc.as_bytes()).expect("xml");
        assert_eq!(tagging(&root).expect_err("51").code, ErrorCode::InvalidTag);
    }
}
