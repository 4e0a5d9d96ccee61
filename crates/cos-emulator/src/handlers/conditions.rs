//! Conditional requests: `If-Match`, `If-None-Match`, `If-Modified-Since`,
//! `If-Unmodified-Since` (and their `x-cos-copy-source-` forms), evaluated in the order
//! RFC 7232 §6 gives. Unparseable dates are ignored.

use cos_proto::civil::parse_http_date;

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Serve the request.
    Proceed,
    /// 304 (GET/HEAD) — for copies this is a failure too.
    NotModified,
    /// 412.
    Failed,
}

/// The four condition headers.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Conditions<'a> {
    pub(crate) if_match: Option<&'a str>,
    pub(crate) if_none_match: Option<&'a str>,
    pub(crate) if_modified_since: Option<&'a str>,
    pub(crate) if_unmodified_since: Option<&'a str>,
}

fn bare(etag: &str) -> &str {
    let etag = etag.trim();
    let etag = etag.strip_prefix("W/").unwrap_or(etag);
    etag.trim_matches('"')
}

fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || bare(candidate).eq_ignore_ascii_case(bare(etag)))
}

impl Conditions<'_> {
    /// Evaluates the conditions against an object's ETag and modification time.
    pub(crate) fn evaluate(&self, etag: &str, last_modified: u64) -> Verdict {
        if let Some(list) = self.if_match {
            if !etag_matches(list, etag) {
                return Verdict::Failed;
            }
        } else if let Some(date) = self.if_unmodified_since.and_then(parse_http_date)
            && last_modified > date
        {
            return Verdict::Failed;
        }
        if let Some(list) = self.if_none_match {
            if etag_matches(list, etag) {
                return Verdict::NotModified;
            }
        } else if let Some(date) = self.if_modified_since.and_then(parse_http_date)
            && last_modified <= date
        {
            return Verdict::NotModified;
        }
        Verdict::Proceed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETAG: &str = "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"";
    const T: u64 = 1_700_000_000;

    #[test]
    fn etag_conditions() {
        let c = Conditions {
            if_match: Some("5eb63bbbe01eeed093cb22bb8f5acdc3"),
            ..Default::default()
        };
        assert_eq!(c.evaluate(ETAG, T), Verdict::Proceed);
        let c = Conditions {
            if_match: Some("\"other\""),
            ..Default::default()
        };
        assert_eq!(c.evaluate(ETAG, T), Verdict::Failed);
        let c = Conditions {
            if_none_match: Some(ETAG),
            ..Default::default()
        };
        assert_eq!(c.evaluate(ETAG, T), Verdict::NotModified);
        let c = Conditions {
            if_none_match: Some("*"),
            ..Default::default()
        };
        assert_eq!(c.evaluate(ETAG, T), Verdict::NotModified);
    }

    #[test]
    fn date_conditions() {
        let before = "Tue, 14 Nov 2023 22:13:19 GMT";
        let at = "Tue, 14 Nov 2023 22:13:20 GMT";
        let c = |ims: Option<&'static str>, ius: Option<&'static str>| Conditions {
            if_modified_since: ims,
            if_unmodified_since: ius,
            ..Default::default()
        };
        assert_eq!(c(Some(at), None).evaluate(ETAG, T), Verdict::NotModified);
        assert_eq!(c(Some(before), None).evaluate(ETAG, T), Verdict::Proceed);
        assert_eq!(c(None, Some(before)).evaluate(ETAG, T), Verdict::Failed);
        assert_eq!(c(None, Some(at)).evaluate(ETAG, T), Verdict::Proceed);
        assert_eq!(
            c(Some("garbage"), Some("garbage")).evaluate(ETAG, T),
            Verdict::Proceed
        );
        // If-Match wins over If-Unmodified-Since; If-None-Match over If-Modified-Since.
        let c = Conditions {
            if_match: Some(ETAG),
            if_unmodified_since: Some(before),
            if_none_match: Some("\"x\""),
            if_modified_since: Some(at),
        };
        assert_eq!(c.evaluate(ETAG, T), Verdict::Proceed);
    }
}
