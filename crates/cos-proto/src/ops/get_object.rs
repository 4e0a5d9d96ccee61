//! GET Object: download an object (or a range of it).

use super::Extras;
use super::setters::extras_setters;
use bytes::Bytes;
use http::Method;

use super::object_info::ObjectInfo;
use super::range::{ByteRange, ContentRange};
use crate::Config;
use crate::error::{Error, InputError, ResponseError};
use crate::headers::{CustomerKey, apply_traffic_limit};
use crate::operation::{Operation, ResponseBody};
use crate::request::{Body, RequestBuilder};
use crate::response::{self, header_text};

/// Response headers a GET can override with `response-*` query parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseOverride {
    /// `response-content-type`.
    ContentType,
    /// `response-content-language`.
    ContentLanguage,
    /// `response-expires`.
    Expires,
    /// `response-cache-control`.
    CacheControl,
    /// `response-content-disposition`.
    ContentDisposition,
    /// `response-content-encoding`.
    ContentEncoding,
}

impl ResponseOverride {
    /// The query parameter name.
    pub fn param(self) -> &'static str {
        match self {
            ResponseOverride::ContentType => "response-content-type",
            ResponseOverride::ContentLanguage => "response-content-language",
            ResponseOverride::Expires => "response-expires",
            ResponseOverride::CacheControl => "response-cache-control",
            ResponseOverride::ContentDisposition => "response-content-disposition",
            ResponseOverride::ContentEncoding => "response-content-encoding",
        }
    }
}

/// Downloads an object. The driver streams the body ([`ResponseBody::Streamed`]);
/// `parse_response` reads the headers.
///
/// ```
/// use cos_proto::{Config, Operation, ops::{GetObject, ByteRange}};
/// let cfg = Config::builder("ap-guangzhou", "examplebucket-1250000000").build().unwrap();
/// let get = GetObject::new("a.txt").range(ByteRange::inclusive(0, 9).unwrap());
/// let request = get.build_request(&cfg).unwrap();
/// assert_eq!(request.headers()["range"], "bytes=0-9");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct GetObject {
    key: String,
    range: Option<ByteRange>,
    if_match: Option<String>,
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    if_unmodified_since: Option<String>,
    overrides: Vec<(ResponseOverride, String)>,
    version_id: Option<String>,
    traffic_limit: Option<u64>,
    customer_key: Option<CustomerKey>,
    object_size: Option<u64>,
    key_simplify_check: bool,
    extras: Extras,
}

impl GetObject {
    extras_setters!(extras);

    /// Downloads `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            extras: Extras::default(),
            key: key.into(),
            range: None,
            if_match: None,
            if_none_match: None,
            if_modified_since: None,
            if_unmodified_since: None,
            overrides: Vec::new(),
            version_id: None,
            traffic_limit: None,
            customer_key: None,
            object_size: None,
            key_simplify_check: true,
        }
    }

    /// Whether the key is refused when it normalises to `/` like a POSIX path (`a/../`,
    /// `./`; default on, as the official SDK's `KeySimplifyCheck`): turn it off to read
    /// an object whose key really is such a name. The key `/` itself, a last segment
    /// `.` or `..` are refused either way (see [`crate::key::check_key_unsimplified`]).
    pub fn key_simplify_check(mut self, check: bool) -> Self {
        self.key_simplify_check = check;
        self
    }

    /// Downloads only this range. The answer must be `206` with a `Content-Range` naming
    /// exactly the span the range selects (and as many body bytes): anything else — a
    /// `200` with the whole object, as a proxy that ignores `Range` sends, or another
    /// span — is [`ResponseError::RangeMismatch`], never the caller's data.
    pub fn range(mut self, range: ByteRange) -> Self {
        self.range = Some(range);
        self
    }

    /// The object version this GET reads is `size` bytes long: a ranged answer whose
    /// `Content-Range` names another total is [`ResponseError::RangeMismatch`]. Set by
    /// [`GetObject::pinned_span`] and [`GetObject::resume`].
    pub fn object_size(mut self, size: u64) -> Self {
        self.object_size = Some(size);
        self
    }

    /// Answers 412 unless the ETag matches (pins the object while resuming).
    pub fn if_match(mut self, etag: impl Into<String>) -> Self {
        self.if_match = Some(etag.into());
        self
    }

    /// Answers 304 if the ETag matches.
    pub fn if_none_match(mut self, etag: impl Into<String>) -> Self {
        self.if_none_match = Some(etag.into());
        self
    }

    /// Answers 304 unless modified after this HTTP date.
    pub fn if_modified_since(mut self, date: impl Into<String>) -> Self {
        self.if_modified_since = Some(date.into());
        self
    }

    /// Answers 412 if modified after this HTTP date.
    pub fn if_unmodified_since(mut self, date: impl Into<String>) -> Self {
        self.if_unmodified_since = Some(date.into());
        self
    }

    /// Overrides a response header (sent as a `response-*` query parameter, in call order).
    pub fn response_header(mut self, which: ResponseOverride, value: impl Into<String>) -> Self {
        self.overrides.retain(|(w, _)| *w != which);
        self.overrides.push((which, value.into()));
        self
    }

    /// Downloads a given version.
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// Limits this download's bandwidth, in bit/s (819200..=838860800).
    pub fn traffic_limit(mut self, bits_per_second: u64) -> Self {
        self.traffic_limit = Some(bits_per_second);
        self
    }

    /// The SSE-C key the object was stored with.
    pub fn customer_key(mut self, key: CustomerKey) -> Self {
        self.customer_key = Some(key);
        self
    }

    /// The object key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The HEAD that reads the attributes this GET would see: the same key, version,
    /// conditions and SSE-C key (no range, no `response-*` overrides).
    pub fn head_object(&self) -> super::HeadObject {
        let mut head = super::HeadObject::new(self.key.clone());
        if let Some(v) = &self.version_id {
            head = head.version_id(v.clone());
        }
        if let Some(v) = &self.if_match {
            head = head.if_match(v.clone());
        }
        if let Some(v) = &self.if_none_match {
            head = head.if_none_match(v.clone());
        }
        if let Some(v) = &self.if_modified_since {
            head = head.if_modified_since(v.clone());
        }
        if let Some(v) = &self.if_unmodified_since {
            head = head.if_unmodified_since(v.clone());
        }
        if let Some(k) = &self.customer_key {
            head = head.customer_key(k.clone());
        }
        head
    }

    /// This GET for one inclusive byte span of the object version whose ETag is `etag`
    /// and whose size is `size`: the range is replaced, `If-Match: etag` pins the
    /// version, and the other conditions (already checked against that version) are
    /// dropped. Its answer is accepted only as a `206` of exactly `first..=last` of a
    /// `size`-byte object (see [`GetObject::range`]).
    pub fn pinned_span(
        &self,
        first: u64,
        last: u64,
        size: u64,
        etag: &str,
    ) -> Result<GetObject, InputError> {
        if last >= size {
            return Err(InputError::InvalidArgument {
                what: "range",
                reason: format!("last byte {last} is past the object's {size} bytes"),
            });
        }
        let mut get = self.clone();
        get.range = Some(ByteRange::inclusive(first, last)?);
        get.object_size = Some(size);
        get.if_match = Some(etag.to_owned());
        get.if_none_match = None;
        get.if_modified_since = None;
        get.if_unmodified_since = None;
        Ok(get)
    }

    /// The requested range, if any.
    pub fn requested_range(&self) -> Option<ByteRange> {
        self.range
    }
}

/// The headers of a download; the data itself is the response body the driver streams.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetObjectOutput {
    /// `200` for the whole object, `206` for a range.
    pub status: u16,
    /// The object's attributes. `content_length` is the length of this body.
    pub info: ObjectInfo,
    /// `Content-Range` of a 206 answer.
    pub content_range: Option<ContentRange>,
}

impl GetObjectOutput {
    /// The number of body bytes the driver must deliver, when the response says
    /// (`Content-Length`, or the span of a `206` sent without one).
    pub fn body_length(&self) -> Option<u64> {
        self.info
            .content_length
            .or_else(|| self.content_range.map(|r| r.len()))
    }

    /// The size of the whole object, when the response says (`Content-Range`'s total
    /// for a `206`, `Content-Length` for a `200`).
    pub fn object_size(&self) -> Option<u64> {
        match &self.content_range {
            Some(range) => range.total,
            None => self.info.content_length,
        }
    }

    /// The absolute byte span `(first, last)` of the object this body carries: the
    /// `Content-Range` of a 206, or the whole object for a 200.
    pub fn span(&self) -> Option<(u64, u64)> {
        match (&self.content_range, self.info.content_length) {
            (Some(range), _) => Some((range.first, range.last)),
            (None, Some(len)) if len > 0 => Some((0, len - 1)),
            _ => None,
        }
    }
}

impl GetObject {
    /// The request that continues a download whose body broke after `received` bytes:
    /// a ranged GET for the rest of the same span, pinned to the same object with
    /// `If-Match: <etag>` (so a concurrent overwrite fails with 412 instead of splicing
    /// two objects). Conditions that would turn the continuation into a 304 are dropped.
    ///
    /// Returns `Ok(None)` when nothing is left to read. Fails when the first response has
    /// no ETag or no known length (the continuation cannot be pinned or bounded).
    pub fn resume(
        &self,
        first: &GetObjectOutput,
        received: u64,
    ) -> Result<Option<GetObject>, Error> {
        let etag = first
            .info
            .etag
            .clone()
            .ok_or(ResponseError::MissingHeader("etag"))?;
        let (start, last) = first
            .span()
            .ok_or(ResponseError::MissingHeader("content-length"))?;
        let next = start.saturating_add(received);
        if next > last {
            return Ok(None);
        }
        let mut resumed = self.clone();
        resumed.range = Some(ByteRange::Inclusive { first: next, last });
        resumed.object_size = first.object_size().or(self.object_size);
        resumed.if_match = Some(etag);
        resumed.if_none_match = None;
        resumed.if_modified_since = None;
        Ok(Some(resumed))
    }
}

impl Operation for GetObject {
    type Output = GetObjectOutput;
    const NAME: &'static str = "GetObject";
    const RESPONSE_BODY: ResponseBody = ResponseBody::Streamed;

    fn build_request(&self, config: &Config) -> Result<http::Request<Body>, Error> {
        let mut b = if self.key_simplify_check {
            RequestBuilder::object(Method::GET, &self.key)?
        } else {
            RequestBuilder::object_unsimplified(Method::GET, &self.key)?
        };
        for (which, value) in &self.overrides {
            b = b.query(which.param(), value.clone());
        }
        b = b.query_opt("versionId", self.version_id.clone());
        b = b
            .header_opt("range", self.range.map(|r| r.to_string()).as_deref())?
            .header_opt("if-match", self.if_match.as_deref())?
            .header_opt("if-modified-since", self.if_modified_since.as_deref())?
            .header_opt("if-none-match", self.if_none_match.as_deref())?
            .header_opt("if-unmodified-since", self.if_unmodified_since.as_deref())?;
        b = apply_traffic_limit(b, self.traffic_limit)?;
        if let Some(key) = &self.customer_key {
            b = key.apply(b, "")?;
        }
        Ok(b.extras(&self.extras)?.build(config)?)
    }

    fn parse_response(
        &self,
        url: &http::Uri,
        response: http::Response<Bytes>,
    ) -> Result<GetObjectOutput, Error> {
        response::check(&Method::GET, url, &response)?;
        let headers = response.headers();
        let content_range = match header_text(headers, "content-range") {
            Some(value) => Some(ContentRange::parse(&value).ok_or(
                ResponseError::InvalidHeader {
                    name: "content-range",
                    value,
                },
            )?),
            None => None,
        };
        if response.status() == http::StatusCode::PARTIAL_CONTENT && content_range.is_none() {
            return Err(ResponseError::MissingHeader("content-range").into());
        }
        let output = GetObjectOutput {
            status: response.status().as_u16(),
            info: ObjectInfo::from_headers(headers)?,
            content_range,
        };
        if let Some(range) = self.range {
            self.check_span(range, &output)?;
        }
        Ok(output)
    }
}

impl GetObject {
    /// The rule for every ranged answer: a `206` whose `Content-Range` is exactly the span
    /// `range` selects, of an object of the pinned size (when pinned), with as many body
    /// bytes as the span holds.
    fn check_span(&self, range: ByteRange, output: &GetObjectOutput) -> Result<(), ResponseError> {
        let requested = || match self.object_size {
            Some(size) => format!("{range} of a {size}-byte object"),
            None => range.to_string(),
        };
        let mismatch = |answered: String| ResponseError::RangeMismatch {
            requested: requested(),
            answered,
        };
        let Some(answered) = output.content_range.filter(|_| output.status == 206) else {
            return Err(mismatch(format!(
                "status {} without a byte range (the whole object)",
                output.status
            )));
        };
        let describe = |r: ContentRange| match r.total {
            Some(total) => format!("bytes {}-{}/{total}", r.first, r.last),
            None => format!("bytes {}-{}/*", r.first, r.last),
        };
        if let Some(size) = self.object_size
            && answered.total != Some(size)
        {
            return Err(mismatch(describe(answered)));
        }
        let total = self.object_size.or(answered.total);
        let exact = match range.span_in(total) {
            Some(span) => span == (answered.first, answered.last),
            // An open range over an object of unknown size: its start must match, and a
            // suffix must be as long as asked.
            None => match range {
                ByteRange::From(first) => answered.first == first,
                ByteRange::Suffix(n) => answered.len() == n,
                ByteRange::Inclusive { .. } => false,
            },
        };
        if !exact {
            return Err(mismatch(describe(answered)));
        }
        if let Some(length) = output.info.content_length
            && length != answered.len()
        {
            return Err(mismatch(format!(
                "{} with a {length}-byte body",
                describe(answered)
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{config, error_response, header, response};
    use proptest::prelude::*;

    fn answer(
        get: &GetObject,
        status: u16,
        range: Option<&str>,
        length: Option<u64>,
    ) -> Result<GetObjectOutput, Error> {
        let length = length.map(|n| n.to_string());
        let mut headers = vec![("ETag", "\"e\"")];
        if let Some(range) = range {
            headers.push(("Content-Range", range));
        }
        if let Some(length) = &length {
            headers.push(("Content-Length", length.as_str()));
        }
        let url = "http://h/k".parse().expect("uri");
        get.parse_response(&url, response(status, &headers, ""))
    }

    fn is_mismatch(result: Result<GetObjectOutput, Error>) -> bool {
        matches!(
            result,
            Err(Error::Response(ResponseError::RangeMismatch { .. }))
        )
    }

    /// What an honest server answers: the span a range selects in an object of `size`
    /// bytes, written independently of `ByteRange::span_in` (RFC 9110 §14.1.2).
    fn honest_span(range: ByteRange, size: u64) -> Option<(u64, u64)> {
        match range {
            ByteRange::Inclusive { first, last } if first < size => {
                Some((first, if last >= size { size - 1 } else { last }))
            }
            ByteRange::From(first) if first < size => Some((first, size - 1)),
            ByteRange::Suffix(n) if n > 0 && size > 0 => Some((size.saturating_sub(n), size - 1)),
            _ => None,
        }
    }

    #[test]
    fn a_ranged_answer_must_be_exactly_the_span_asked_for() {
        let get = GetObject::new("k").range(ByteRange::inclusive(100, 199).expect("range"));
        // A proxy that ignores Range: 200 and the whole object.
        assert!(is_mismatch(answer(&get, 200, None, Some(1000))));
        // Another span, a longer one, a 206 whose body is not the span.
        assert!(is_mismatch(answer(
            &get,
            206,
            Some("bytes 110-209/1000"),
            Some(100)
        )));
        assert!(is_mismatch(answer(
            &get,
            206,
            Some("bytes 100-299/1000"),
            Some(200)
        )));
        assert!(is_mismatch(answer(
            &get,
            206,
            Some("bytes 100-199/1000"),
            Some(150)
        )));
        // Missing and malformed Content-Range stay errors of their own.
        assert!(answer(&get, 206, None, Some(100)).is_err());
        assert!(answer(&get, 206, Some("bytes 100-199"), Some(100)).is_err());
        // The honest answer, with or without a Content-Length (the span says how long).
        let ok = answer(&get, 206, Some("bytes 100-199/1000"), Some(100)).expect("exact");
        assert_eq!(
            (ok.body_length(), ok.object_size()),
            (Some(100), Some(1000))
        );
        let chunked = answer(&get, 206, Some("bytes 100-199/1000"), None).expect("exact");
        assert_eq!(chunked.body_length(), Some(100));
        // Clamped at the end of a shorter object.
        let short = answer(&get, 206, Some("bytes 100-149/150"), Some(50)).expect("clamped");
        assert_eq!(short.body_length(), Some(50));
        // Unranged GETs take a 200 as it is.
        assert!(answer(&GetObject::new("k"), 200, None, Some(1000)).is_ok());
    }

    #[test]
    fn a_pinned_span_also_checks_the_object_size() {
        let get = GetObject::new("k")
            .pinned_span(100, 199, 1000, "\"e\"")
            .expect("span");
        assert!(answer(&get, 206, Some("bytes 100-199/1000"), Some(100)).is_ok());
        assert!(is_mismatch(answer(
            &get,
            206,
            Some("bytes 100-199/1001"),
            Some(100)
        )));
        assert!(is_mismatch(answer(
            &get,
            206,
            Some("bytes 100-199/*"),
            Some(100)
        )));
        // The continuation of a broken 200 is pinned to the first answer's size.
        let whole = GetObject::new("k");
        let first = answer(&whole, 200, None, Some(1000)).expect("whole");
        let next = whole.resume(&first, 400).expect("etag").expect("more");
        assert!(answer(&next, 206, Some("bytes 400-999/1000"), Some(600)).is_ok());
        assert!(is_mismatch(answer(&next, 200, None, Some(1000))));
        assert!(is_mismatch(answer(
            &next,
            206,
            Some("bytes 403-999/1000"),
            Some(597)
        )));
        assert!(is_mismatch(answer(
            &next,
            206,
            Some("bytes 400-999/2000"),
            Some(600)
        )));
    }

    proptest! {
        /// For any range over any object, the honest answer is accepted and every other
        /// span, total or status is refused.
        #[test]
        fn only_the_honest_span_is_accepted(
            size in 1u64..1 << 40,
            kind in 0u8..3,
            a in any::<u64>(),
            b in any::<u64>(),
            pinned in any::<bool>(),
            (dfirst, dlast, dtotal) in (-2i64..=2, -2i64..=2, -1i64..=1),
        ) {
            let range = match kind {
                0 => {
                    let first = a % size;
                    ByteRange::inclusive(first, first + b % (size * 2)).expect("range")
                }
                1 => ByteRange::From(a % size),
                _ => ByteRange::Suffix(1 + b % (size * 2)),
            };
            let mut get = GetObject::new("k").range(range);
            if pinned {
                get = get.object_size(size);
            }
            let (first, last) = honest_span(range, size).expect("satisfiable");
            let header = |f: u64, l: u64, t: u64| format!("bytes {f}-{l}/{t}");
            let honest = answer(&get, 206, Some(&header(first, last, size)), Some(last - first + 1));
            prop_assert!(honest.is_ok(), "{range} of {size}: {honest:?}");
            prop_assert!(is_mismatch(answer(&get, 200, None, Some(size))));
            let moved = |x: u64, d: i64| x.checked_add_signed(d);
            if let (Some(f), Some(l), Some(t)) =
                (moved(first, dfirst), moved(last, dlast), moved(size, dtotal))
                && (dfirst, dlast, dtotal) != (0, 0, 0)
                && f <= l
                && l < t
            {
                let other = answer(&get, 206, Some(&header(f, l, t)), Some(l - f + 1));
                // Unpinned, the honest answer for an object of another size cannot be
                // told from the truth (the object may have changed): that one passes.
                let harmless = !pinned && honest_span(range, t) == Some((f, l));
                prop_assert!(harmless || is_mismatch(other), "{range} of {size}: {f}-{l}/{t}");
            }
        }
    }

    #[test]
    fn builds_with_every_parameter() {
        let request = GetObject::new("docs/a b+c.txt")
            .range(ByteRange::inclusive(0, 99).expect("valid"))
            .if_match("\"e\"")
            .if_modified_since("Mon, 13 Nov 2023 00:00:00 GMT")
            .if_none_match("\"n\"")
            .if_unmodified_since("Wed, 15 Nov 2023 00:00:00 GMT")
            .response_header(ResponseOverride::CacheControl, "no-cache")
            .response_header(
                ResponseOverride::ContentDisposition,
                "attachment; filename=\"a b.txt\"",
            )
            .response_header(ResponseOverride::ContentEncoding, "gzip")
            .response_header(ResponseOverride::ContentLanguage, "zh-CN")
            .response_header(ResponseOverride::ContentType, "text/plain; charset=utf-8")
            .response_header(ResponseOverride::Expires, "Wed, 21 Oct 2025 07:28:00 GMT")
            .version_id("MTg0NDUxNTc1NjIzMTQ1MDAwODg")
            .traffic_limit(819_200)
            .build_request(&config())
            .expect("builds");
        assert_eq!(
            request.uri().to_string(),
            "http://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/docs/a%20b%2Bc.txt\
             ?response-cache-control=no-cache&response-content-disposition=attachment%3B+filename%3D%22a+b.txt%22\
             &response-content-encoding=gzip&response-content-language=zh-CN\
             &response-content-type=text%2Fplain%3B+charset%3Dutf-8\
             &response-expires=Wed%2C+21+Oct+2025+07%3A28%3A00+GMT&versionId=MTg0NDUxNTc1NjIzMTQ1MDAwODg"
        );
        assert_eq!(header(&request, "range"), "bytes=0-99");
        assert_eq!(header(&request, "if-match"), "\"e\"");
        assert_eq!(header(&request, "if-none-match"), "\"n\"");
        assert_eq!(header(&request, "x-cos-traffic-limit"), "819200");
        assert!(request.headers().get("content-length").is_none());
    }

    #[test]
    fn resume_continues_the_same_span_pinned_by_etag() {
        let url = "http://h/k".parse().expect("uri");
        let get = GetObject::new("k").if_none_match("\"old\"");
        let full = response(200, &[("Content-Length", "100"), ("ETag", "\"e1\"")], "");
        let first = get.parse_response(&url, full).expect("parses");
        let resumed = get
            .resume(&first, 40)
            .expect("resumable")
            .expect("bytes left");
        let request = resumed.build_request(&config()).expect("builds");
        assert_eq!(header(&request, "range"), "bytes=40-99");
        assert_eq!(header(&request, "if-match"), "\"e1\"");
        assert!(request.headers().get("if-none-match").is_none());
        assert_eq!(get.resume(&first, 100).expect("resumable"), None);

        let ranged = GetObject::new("k").range(ByteRange::inclusive(10, 19).expect("valid"));
        let part = response(
            206,
            &[
                ("Content-Range", "bytes 10-19/100"),
                ("Content-Length", "10"),
                ("ETag", "\"e\""),
            ],
            "",
        );
        let first = ranged.parse_response(&url, part).expect("parses");
        let resumed = ranged
            .resume(&first, 3)
            .expect("resumable")
            .expect("bytes left");
        assert_eq!(
            resumed.requested_range(),
            Some(ByteRange::Inclusive {
                first: 13,
                last: 19
            })
        );

        let no_etag = response(200, &[("Content-Length", "5")], "");
        let first = get.parse_response(&url, no_etag).expect("parses");
        assert!(get.resume(&first, 1).is_err());
    }

    #[test]
    fn invalid_keys_and_limits_are_rejected() {
        for key in ["/", "a/..", "/./", ""] {
            assert!(
                GetObject::new(key).build_request(&config()).is_err(),
                "{key}"
            );
        }
        assert!(
            GetObject::new("k")
                .traffic_limit(838_860_801)
                .build_request(&config())
                .is_err()
        );
    }

    #[test]
    fn parses_full_and_partial_answers() {
        let url = "http://h/hello.txt".parse().expect("uri");
        let get = GetObject::new("hello.txt");
        let full = response(
            200,
            &[
                ("Content-Length", "11"),
                ("ETag", "\"e\""),
                ("x-cos-hash-crc64ecma", "1"),
            ],
            "",
        );
        let out = get.parse_response(&url, full).expect("parses");
        assert_eq!(
            (out.status, out.body_length(), out.info.crc64),
            (200, Some(11), Some(1))
        );
        let part = response(
            206,
            &[("Content-Range", "bytes 6-10/11"), ("Content-Length", "5")],
            "",
        );
        let out = get.parse_response(&url, part).expect("parses");
        assert_eq!(out.content_range, ContentRange::parse("bytes 6-10/11"));
        let missing = response(206, &[("Content-Length", "5")], "");
        assert!(get.parse_response(&url, missing).is_err());
        let err = get
            .parse_response(&url, error_response(412, "PreconditionFailed"))
            .expect_err("fails");
        assert_eq!(
            err.service_error().map(|e| (e.status, e.code())),
            Some((412, "PreconditionFailed"))
        );
        let not_modified = response(304, &[("x-cos-request-id", "r1")], "");
        let err = get.parse_response(&url, not_modified).expect_err("304");
        assert!(
            matches!(&err, crate::Error::NotModified(answer) if answer.status == 304
                && answer.request_id.as_deref() == Some("r1")),
            "{err:?}"
        );
        // Any other error status stays a service error.
        let err = get
            .parse_response(&url, error_response(404, "NoSuchKey"))
            .expect_err("404");
        assert!(matches!(err, crate::Error::Service(_)) && !err.is_not_modified());
    }

    #[test]
    fn key_simplify_check_is_an_explicit_opt_out() {
        let config = crate::ops::test_support::config();
        assert!(GetObject::new("a/../").build_request(&config).is_err());
        let request = GetObject::new("a/../")
            .key_simplify_check(false)
            .build_request(&config)
            .expect("builds");
        assert_eq!(request.uri().path(), "/a/..%2F");
        assert!(
            GetObject::new("/")
                .key_simplify_check(false)
                .build_request(&config)
                .is_err()
        );
    }
}
