//! Calendar dates of Unix time, for the formats that carry one (the Cloud API's
//! credential scope, COS's HTTP dates, listings' ISO 8601 times), both ways. Pure
//! arithmetic: no clock, no time zone but UTC.

/// Days since 1970-01-01 to `(year, month, day)` (proleptic Gregorian; Howard Hinnant's
/// `civil_from_days`). Negative days are dates before 1970.
///
/// ```
/// assert_eq!(cos_proto::civil::civil_from_days(0), (1970, 1, 1));
/// assert_eq!(cos_proto::civil::civil_from_days(19_675), (2023, 11, 14));
/// ```
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if m <= 2 { y + 1 } else { y };
    // `d` is 1..=31 and `m` 1..=12 by construction.
    (year, m as u32, d as u32)
}

/// The UTC date of Unix second `secs`, as `YYYY-MM-DD`.
///
/// ```
/// assert_eq!(cos_proto::civil::utc_date(1_700_000_000), "2023-11-14");
/// ```
pub fn utc_date(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `(year, month, day)` to days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's
/// `days_from_civil`), the inverse of [`civil_from_days`].
///
/// ```
/// assert_eq!(cos_proto::civil::days_from_civil(2023, 11, 14), 19_675);
/// ```
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn to_secs(year: i64, month: u32, day: u32, h: u64, m: u64, s: u64) -> Option<u64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = u64::try_from(days_from_civil(year, month, day)).ok()?;
    days.checked_mul(86_400)?
        .checked_add(h * 3600 + m * 60 + s.min(59))
}

fn clock(text: &str) -> Option<(u64, u64, u64)> {
    let mut it = text.split(':');
    let h = number(it.next()?)?;
    let m = number(it.next()?)?;
    let s = number(it.next()?)?;
    if it.next().is_some() {
        return None;
    }
    Some((h, m, s))
}

/// Parses an HTTP date (`IMF-fixdate`, RFC 850 or asctime) or an ISO 8601 UTC time into
/// Unix seconds; `None` for anything else (a server then ignores the condition, as HTTP
/// says; a client treats the time as unknown).
///
/// ```
/// use cos_proto::civil::parse_http_date;
/// assert_eq!(parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"), Some(1_700_000_000));
/// assert_eq!(parse_http_date("2023-11-14T22:13:20.000Z"), Some(1_700_000_000));
/// assert_eq!(parse_http_date("yesterday"), None);
/// ```
pub fn parse_http_date(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Some(iso) = parse_iso8601(text) {
        return Some(iso);
    }
    let month_of = |name: &str| {
        MONTH_NAMES
            .iter()
            .position(|m| m.eq_ignore_ascii_case(name))
            .map(|i| i as u32 + 1)
    };
    let (_, rest) = text.split_once(' ')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    match fields.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [day, month, year, time, "GMT"] => {
            let (h, m, s) = clock(time)?;
            to_secs(number(year)?, month_of(month)?, number(day)?, h, m, s)
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [date, time, "GMT"] => {
            let mut parts = date.split('-');
            let day = number(parts.next()?)?;
            let month = month_of(parts.next()?)?;
            let year: i64 = number(parts.next()?)?;
            let year = if year < 70 {
                year + 2000
            } else if year < 100 {
                year + 1900
            } else {
                year
            };
            let (h, m, s) = clock(time)?;
            to_secs(year, month, day, h, m, s)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [month, day, time, year] => {
            let (h, m, s) = clock(time)?;
            to_secs(number(year)?, month_of(month)?, number(day)?, h, m, s)
        }
        _ => None,
    }
}

/// Parses `2023-11-14T22:13:20Z` or `2023-11-14T22:13:20.000Z` (UTC) into Unix seconds.
pub fn parse_iso8601(text: &str) -> Option<u64> {
    let body = text.strip_suffix('Z')?;
    let (date, time) = body.split_once('T')?;
    let mut d = date.split('-');
    let year = number(d.next()?)?;
    let month = number(d.next()?)?;
    let day = number(d.next()?)?;
    if d.next().is_some() {
        return None;
    }
    let time = time.split_once('.').map_or(time, |(t, _)| t);
    let (h, m, s) = clock(time)?;
    to_secs(year, month, day, h, m, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_boundaries_and_far_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(86_399), "1970-01-01");
        assert_eq!(utc_date(86_400), "1970-01-02");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(4_102_444_800), "2100-01-01");
        assert!(!utc_date(u64::MAX).is_empty());
    }

    #[test]
    fn parses_every_http_date_form() {
        for text in [
            "Tue, 14 Nov 2023 22:13:20 GMT",
            "Tuesday, 14-Nov-23 22:13:20 GMT",
            "Tue Nov 14 22:13:20 2023",
            "2023-11-14T22:13:20Z",
            "2023-11-14T22:13:20.000Z",
        ] {
            assert_eq!(parse_http_date(text), Some(1_700_000_000), "{text}");
        }
        for bad in [
            "",
            "yesterday",
            "Tue, 99 Nov 2023 22:13:20 GMT",
            "Tue, 14 Nov 2023 25:13:20 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn days_from_civil_inverts_civil_from_days(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            proptest::prop_assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
