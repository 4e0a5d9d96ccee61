//! The state machines of the core: a download followed to its verified end (resumes,
//! lengths, CRC-64) and a call driven through its retries.

use std::time::Duration;

use bytes::Bytes;
use cos_proto::Operation;
use cos_proto::crc64;
use cos_proto::driver::call::{Call, CallOptions, Payload, Step};
use cos_proto::driver::resume::{ResumeError, ResumeStep, ResumingGet};
use cos_proto::ops::{ByteRange, GetObject, HeadObject, InitiateMultipartUpload, PutObject};
use cos_proto::retry::{GiveUpReason, RETRY_HEADER, RetryBudget, RetryPolicy, TransportFailure};
use cos_proto::sign::Authorization;

use crate::input::{self, Reader};

/// The byte at offset `i` of the simulated object.
fn object_byte(i: u64) -> u8 {
    (i.wrapping_mul(31).wrapping_add(7) % 251) as u8
}

fn failure(r: &mut Reader<'_>) -> TransportFailure {
    [
        TransportFailure::Connect,
        TransportFailure::Timeout,
        TransportFailure::ConnectionReset,
        TransportFailure::Io,
    ][usize::from(r.u8() % 4)]
}

fn jitter(r: &mut Reader<'_>) -> f64 {
    f64::from(r.u8()) / 255.0
}

/// Builds a GET answer from its parts (`None` if `http` rejects them).
fn get_answer(
    status: u16,
    length: Option<u64>,
    range: Option<(u64, u64, u64)>,
    crc: Option<u64>,
    etag: Option<&str>,
) -> http::Response<Bytes> {
    let mut headers = Vec::new();
    if let Some(length) = length {
        headers.push(("content-length".to_owned(), length.to_string()));
    }
    if let Some((first, last, total)) = range {
        headers.push((
            "content-range".to_owned(),
            format!("bytes {first}-{last}/{total}"),
        ));
    }
    if let Some(crc) = crc {
        headers.push(("x-cos-hash-crc64ecma".to_owned(), crc.to_string()));
    }
    if let Some(etag) = etag {
        headers.push(("etag".to_owned(), etag.to_owned()));
    }
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    input::response(&input::response_text(status, &headers, b""))
}

/// A download program: `[object length u16][flags][first u16][last u16][max attempts]`
/// then operations — `0 n` data, `1 j` end of body, `2 f j` break, `3 s` the answer to
/// the pending resume (shifted by `s` when `s` is odd); every operation advances the
/// call's clock by 37 ms, and flag 32 gives the call a deadline of `first % 1024` ms.
/// The downloaded bytes are the object's: a download that completes has exactly the
/// announced length, its CRC-64 matches when the object's was announced, resumes
/// continue at the next byte, pinned to the ETag, a continuation that starts elsewhere
/// is refused, and no resume is planned that could not start before the deadline.
pub fn download(data: &[u8]) {
    let mut r = Reader::new(data);
    let object_len = u64::from(r.u16());
    let flags = r.u8();
    let ranged = flags & 1 == 1 && object_len > 0;
    let crc_right = flags & 2 == 2;
    let has_crc = flags & 4 == 4;
    let etag = (flags & 8 == 8).then_some("\"etag-1\"");
    let has_length = flags & 16 == 0;
    let (a, b) = (u64::from(r.u16()), u64::from(r.u16()));
    let deadline = (flags & 32 == 32).then(|| Duration::from_millis(a % 1024));
    let policy = RetryPolicy {
        max_attempts: u32::from(r.u8() % 6) + 1,
        ..RetryPolicy::default()
    };

    let (span_first, span_last) = if ranged {
        let (a, b) = (a % object_len, b % object_len);
        (a.min(b), a.max(b))
    } else {
        (0, object_len.saturating_sub(1))
    };
    let span_len = if ranged || object_len > 0 {
        span_last - span_first + 1
    } else {
        0
    };
    let object: Vec<u8> = (0..object_len).map(object_byte).collect();
    let right = crc64::crc64(&object);
    let crc = has_crc.then_some(if crc_right { right } else { right ^ 1 });
    let answer = if ranged {
        get_answer(
            206,
            has_length.then_some(span_len),
            Some((span_first, span_last, object_len)),
            crc,
            etag,
        )
    } else {
        get_answer(200, has_length.then_some(object_len), None, crc, etag)
    };
    let op = GetObject::new("k");
    let Ok(first) = op.parse_response(&input::url(), answer) else {
        return;
    };
    // The body's length is known from Content-Length, or for a 206 from its span.
    let bounded = has_length || ranged;
    // The CRC-64 of a whole-object answer is checked, with or without a length (without
    // one, it is what catches a truncated body).
    let whole_checked = !ranged && has_crc;
    let mut download = ResumingGet::new(&op, &first, policy).with_deadline(deadline);
    let mut pending: Option<GetObject> = None;
    let mut clock = Duration::ZERO;

    while !r.is_empty() {
        clock += Duration::from_millis(37);
        let step = match r.u8() % 4 {
            0 => {
                let n = u64::from(r.u8());
                let at = span_first + download.received();
                let chunk: Vec<u8> = (at..at + n).map(object_byte).collect();
                let before = download.received();
                match download.on_data(&chunk) {
                    Ok(()) => {
                        assert!(!bounded || before + n <= span_len);
                        assert_eq!(download.received(), before + n);
                    }
                    Err(ResumeError::TooLong { expected }) => {
                        assert!(bounded && before + n > expected);
                        return;
                    }
                    Err(other) => panic!("on_data failed with {other:?}"),
                }
                continue;
            }
            1 => download.on_end(jitter(&mut r), clock),
            2 => {
                let failure = failure(&mut r);
                download.on_break(failure, jitter(&mut r), clock)
            }
            _ => {
                let shift = u64::from(r.u8());
                let Some(request) = pending.take() else {
                    continue;
                };
                let Some(ByteRange::Inclusive { first: from, last }) = request.requested_range()
                else {
                    panic!("a continuation without a closed range");
                };
                let asked = from;
                let from = if shift % 2 == 1 {
                    from.saturating_add(shift)
                } else {
                    from
                };
                let Some(remaining) = (last + 1).checked_sub(from).filter(|n| *n > 0) else {
                    continue;
                };
                let answer = get_answer(
                    206,
                    Some(remaining),
                    Some((from, last, object_len.max(last + 1))),
                    crc,
                    etag,
                );
                let parsed = request.parse_response(&input::url(), answer);
                // Another span than the one asked for is refused before any byte of it.
                assert!(
                    from == asked || parsed.is_err(),
                    "bytes {from}-{last} accepted for bytes {asked}-{last}"
                );
                let Ok(output) = parsed else {
                    continue;
                };
                let aligned = download.on_resumed(&output);
                assert_eq!(
                    aligned.is_ok(),
                    from == span_first + download.received(),
                    "{aligned:?}"
                );
                continue;
            }
        };
        match step {
            Ok(ResumeStep::Done) => {
                assert!(download.is_done());
                if bounded {
                    assert_eq!(download.received(), span_len, "done before the last byte");
                }
                if whole_checked {
                    assert!(crc_right, "a wrong CRC-64 was accepted");
                    assert_eq!(
                        download.received(),
                        object_len,
                        "a partial body was accepted"
                    );
                }
                return;
            }
            Ok(ResumeStep::Resume { request, after }) => {
                assert!(after <= policy.max_delay);
                if let Some(deadline) = deadline {
                    assert!(clock + after < deadline, "a resume past the deadline");
                }
                assert!(download.resumes() < policy.max_attempts);
                let next = span_first + download.received();
                assert_eq!(
                    request.requested_range(),
                    Some(ByteRange::Inclusive {
                        first: next,
                        last: span_last
                    })
                );
                let built = input::config().and_then(|c| request.build_request(&c).ok());
                let if_match = built.as_ref().and_then(|b| b.headers().get("if-match"));
                assert_eq!(
                    if_match.and_then(|v| v.to_str().ok()),
                    etag,
                    "not pinned to the ETag"
                );
                pending = Some(*request);
            }
            Err(ResumeError::Crc64Mismatch { expected, actual }) => {
                assert!(
                    whole_checked,
                    "a range was checked against the object's CRC-64"
                );
                let complete = download.received() == object_len;
                assert!(!(crc_right && complete), "the right CRC-64 was refused");
                assert_eq!(expected, crc.unwrap_or_default());
                if complete {
                    assert_eq!(actual, right);
                }
                return;
            }
            Err(ResumeError::GaveUp {
                reason: GiveUpReason::DeadlineExceeded,
                ..
            }) => {
                assert!(deadline.is_some(), "a deadline given up without one");
                return;
            }
            Err(_) => return,
        }
    }
}

/// A call program: `[operation][flags][max attempts]` then one outcome per attempt —
/// `0 status code-index request-id jitter` a response, `1 failure jitter` no response.
/// Every attempt is signed (or anonymous) and only retries carry `x-cos-sdk-retry`;
/// the attempts stay within the policy, backoffs within `max_delay`, a one-shot body is
/// never re-sent, and InitiateMultipartUpload is re-sent only when it never left.
pub fn call(data: &[u8]) {
    let mut r = Reader::new(data);
    let kind = r.u8() % 3;
    let flags = r.u8();
    let max_attempts = u32::from(r.u8() % 6) + 1;
    match kind {
        0 => drive(&HeadObject::new("a.txt"), flags, max_attempts, &mut r),
        1 => drive(
            &PutObject::new("a.txt", Some(3)),
            flags,
            max_attempts,
            &mut r,
        ),
        _ => drive(
            &InitiateMultipartUpload::new("a.txt"),
            flags,
            max_attempts,
            &mut r,
        ),
    }
}

const STATUSES: [u16; 16] = [
    200, 204, 206, 304, 400, 403, 404, 408, 409, 412, 429, 500, 501, 502, 503, 504,
];
const CODES: [&str; 8] = [
    "",
    "InternalError",
    "SlowDown",
    "NoSuchKey",
    "RequestTimeout",
    "AccessDenied",
    "ServiceUnavailable",
    "NoSuchUpload",
];

fn drive<O: Operation>(op: &O, flags: u8, max_attempts: u32, r: &mut Reader<'_>) {
    let Some(config) = input::config() else {
        return;
    };
    let replayable = flags & 1 == 1;
    let options = CallOptions {
        retry: RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        },
        switch_to_backup_domain: flags & 2 == 2,
        deadline: (flags & 16 == 16).then(|| Duration::from_millis(u64::from(r.u8()) * 20)),
        ..CallOptions::default()
    };
    let mut elapsed = Duration::ZERO;
    let credentials = cos_proto::Credentials::new("AKIDEXAMPLE", "SECRETKEYEXAMPLE").ok();
    let credentials = credentials.filter(|_| flags & 4 == 0);
    let mut budget = (flags & 8 == 8).then(|| RetryBudget::with_capacity(10));
    let not_idempotent = op.idempotency() == cos_proto::retry::Idempotency::NotIdempotent;
    let Ok(unsigned) = op.build_request(&config) else {
        return;
    };
    let payload = Payload::new(unsigned.body().content_length(), replayable);
    let mut call = Call::new(op, &config, options, payload);
    let mut now = 1_700_000_000;
    loop {
        let attempt = call.attempt();
        assert!(
            attempt >= 1 && attempt <= max_attempts,
            "attempt {attempt} of {max_attempts}"
        );
        let Some(wait) = call.attempt_timeout(elapsed) else {
            assert!(options.deadline.is_some_and(|d| elapsed >= d));
            return;
        };
        assert!(options.deadline.is_none_or(|d| elapsed + wait <= d));
        // The attempt takes some of that time.
        elapsed += Duration::from_millis(u64::from(r.u8()) * 10).min(wait);
        let request = call
            .request(credentials.as_ref(), now)
            .expect("a valid operation builds");
        assert_eq!(request.headers().contains_key(RETRY_HEADER), attempt > 1);
        let authorization = request.headers()[http::header::AUTHORIZATION]
            .to_str()
            .unwrap_or("?");
        match &credentials {
            Some(_) => assert!(Authorization::parse(authorization).is_some()),
            None => assert_eq!(authorization, ""),
        }
        let (step, never_sent) = if r.u8().is_multiple_of(2) {
            let status = STATUSES[usize::from(r.u8() % 16)];
            let code = CODES[usize::from(r.u8() % 8)];
            let with_id = r.u8().is_multiple_of(2);
            let mut headers = vec![("x-cos-request-id", "req")];
            if !with_id {
                headers.clear();
            }
            let body = if code.is_empty() {
                String::new()
            } else {
                format!("<Error><Code>{code}</Code><Message>m</Message></Error>")
            };
            let response =
                input::response(&input::response_text(status, &headers, body.as_bytes()));
            let jitter = jitter(r);
            (
                call.on_response(request.uri(), response, jitter, budget.as_mut(), elapsed),
                false,
            )
        } else {
            let failure = failure(r);
            let jitter = jitter(r);
            (
                call.on_transport_error(failure, jitter, budget.as_mut(), elapsed),
                failure == TransportFailure::Connect,
            )
        };
        match step {
            Step::Retry { after } => {
                assert!(after <= Duration::from_secs(2));
                assert!(
                    options.deadline.is_none_or(|d| elapsed + after < d),
                    "a retry planned past the deadline"
                );
                elapsed += after;
                assert!(replayable, "a one-shot body was re-sent");
                assert!(
                    !not_idempotent || never_sent,
                    "a non-idempotent request was re-sent"
                );
                assert_eq!(call.attempt(), attempt + 1);
            }
            Step::Done(_) | Step::Failed(_) | Step::GaveUp(_) => return,
        }
        now += 1;
    }
}
