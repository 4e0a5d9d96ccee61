//! Lifecycle rules applied on the emulator clock.
//!
//! COS runs lifecycle in the background; the emulator runs it when asked: each time the
//! clock moves ([`crate::Emulator::set_clock_offset`], `POST /-/emulator/clock`), and on
//! [`crate::Emulator::apply_lifecycle`] / `POST /-/emulator/lifecycle`. A run looks at
//! every bucket's stored `?lifecycle` and, for each `Enabled` rule:
//!
//! * `Expiration` with `Days` expires the current version of every matching object whose
//!   `Last-Modified` is at least `Days` × 86400 seconds old; with `Date`, every matching
//!   object once the clock is past that date. Expiring is a DELETE Object without a
//!   version id: the object goes in an unversioned bucket, a delete marker is added in a
//!   versioned one. Objects whose current version is a delete marker are left alone.
//! * `AbortIncompleteMultipartUpload` aborts matching uploads initiated at least
//!   `DaysAfterInitiation` days ago.
//!
//! A rule matches an object by its `Filter` (`Prefix`, `Tag`, or both under `And`; the
//! object must carry every tag) or the rule's legacy top-level `Prefix`. Transitions,
//! noncurrent-version actions and `ExpiredObjectDeleteMarker` are stored and served but
//! not applied (COS does not promise when they run either).

use crate::context::App;
use crate::store::types::{BucketState, ObjectVersion};
use crate::time_fmt::parse_config_date;
use crate::xml_in::{self, Element};

const DAY: u64 = 86_400;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LifecycleRun {
    /// Objects expired (deleted, or hidden behind a delete marker).
    pub expired: usize,
    /// Multipart uploads aborted.
    pub aborted_uploads: usize,
}

/// One enabled rule, reduced to what the emulator applies.
#[derive(Debug, Clone, Default)]
struct Rule {
    prefix: String,
    tags: Vec<(String, String)>,
    expire_days: Option<u64>,
    expire_date: Option<u64>,
    abort_days: Option<u64>,
}

impl Rule {
    fn matches_key(&self, key: &str) -> bool {
        key.starts_with(&self.prefix)
    }

    fn matches(&self, version: &ObjectVersion) -> bool {
        self.matches_key(&version.key)
            && self
                .tags
                .iter()
                .all(|tag| version.meta.tags.iter().any(|t| t == tag))
    }

    fn expires(&self, version: &ObjectVersion, now: u64) -> bool {
        let by_days = self
            .expire_days
            .is_some_and(|d| version.last_modified.saturating_add(d.saturating_mul(DAY)) <= now);
        let by_date = self.expire_date.is_some_and(|date| now >= date);
        (by_days || by_date) && self.matches(version)
    }
}

fn number(el: Option<&Element>, name: &str) -> Option<u64> {
    el?.child_text(name)?.trim().parse().ok()
}

fn tags_of(el: &Element) -> Vec<(String, String)> {
    el.children_named("Tag")
        .filter_map(|t| {
            Some((
                t.child_text("Key")?.to_owned(),
                t.child_text("Value")?.to_owned(),
            ))
        })
        .collect()
}

/// The enabled rules of a stored `LifecycleConfiguration`.
fn rules(text: &str) -> Vec<Rule> {
    let Ok(root) = xml_in::parse(text.as_bytes()) else {
        return Vec::new();
    };
    root.children_named("Rule")
        .filter(|r| r.child_text("Status").map(str::trim) == Some("Enabled"))
        .map(|r| {
            let filter = r.child("Filter");
            let and = filter.and_then(|f| f.child("And"));
            let prefix = and
                .and_then(|a| a.child_text("Prefix"))
                .or_else(|| filter.and_then(|f| f.child_text("Prefix")))
                .or_else(|| r.child_text("Prefix"))
                .unwrap_or("")
                .to_owned();
            let mut tags = filter.map(tags_of).unwrap_or_default();
            tags.extend(and.map(tags_of).unwrap_or_default());
            let expiration = r.child("Expiration");
            Rule {
                prefix,
                tags,
                expire_days: number(expiration, "Days"),
                expire_date: expiration
                    .and_then(|e| e.child_text("Date"))
                    .and_then(|d| parse_config_date(d.trim())),
                abort_days: number(
                    r.child("AbortIncompleteMultipartUpload"),
                    "DaysAfterInitiation",
                ),
            }
        })
        .collect()
}

/// What is due in one bucket.
#[derive(Debug, Default)]
struct Due {
    /// Keys whose current version expires.
    keys: Vec<String>,
    /// `(key, upload id)` of uploads to abort.
    uploads: Vec<(String, String)>,
}

/// What is due in one bucket at `now`.
fn due(bucket: &BucketState, now: u64) -> Due {
    let Some(text) = bucket.record.configs.get("lifecycle") else {
        return Due::default();
    };
    let rules = rules(text);
    let keys = bucket
        .objects
        .iter()
        .filter_map(|(key, versions)| {
            let latest = versions.first().filter(|v| !v.delete_marker)?;
            rules
                .iter()
                .any(|r| r.expires(latest, now))
                .then(|| key.clone())
        })
        .collect();
    let uploads = bucket
        .uploads
        .values()
        .filter(|u| {
            rules.iter().any(|r| {
                r.matches_key(&u.key)
                    && r.abort_days
                        .is_some_and(|d| u.initiated.saturating_add(d.saturating_mul(DAY)) <= now)
            })
        })
        .map(|u| (u.key.clone(), u.upload_id.clone()))
        .collect();
    Due { keys, uploads }
}

/// Applies every bucket's lifecycle rules at the emulator's current time.
pub(crate) fn apply(app: &App) -> LifecycleRun {
    let now = app.now();
    let plan: Vec<(String, Due)> = app.store.read(|s| {
        s.buckets
            .iter()
            .map(|(name, bucket)| (name.clone(), due(bucket, now)))
            .filter(|(_, due)| !due.keys.is_empty() || !due.uploads.is_empty())
            .collect()
    });
    let mut run = LifecycleRun::default();
    for (bucket, Due { keys, uploads }) in plan {
        for key in keys {
            if app.store.delete_object(&bucket, &key, None, now).is_ok() {
                run.expired += 1;
            }
        }
        for (key, upload_id) in uploads {
            if app.store.abort_upload(&bucket, &key, &upload_id).is_ok() {
                run.aborted_uploads += 1;
            }
        }
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_filters_and_actions() {
        let text = "<LifecycleConfiguration><Rule><Filter><And><Prefix>tmp/</Prefix>\
            <Tag><Key>a</Key><Value>1</Value></Tag></And></Filter><Status>Enabled</Status>\
            <Expiration><Date>2024-01-01T00:00:00+08:00</Date></Expiration></Rule>\
            <Rule><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>\
            <Rule><Prefix>old/</Prefix><Status>Enabled</Status><Expiration><Days>3</Days></Expiration>\
            <AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation>\
            </AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>";
        let rules = rules(text);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].prefix, "tmp/");
        assert_eq!(rules[0].tags, [("a".to_owned(), "1".to_owned())]);
        assert_eq!(rules[0].expire_date, Some(1_704_038_400));
        assert_eq!(rules[1].prefix, "old/");
        assert_eq!(
            (rules[1].expire_days, rules[1].abort_days),
            (Some(3), Some(2))
        );
    }
}
