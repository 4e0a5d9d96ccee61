//! Dates as COS writes them (RFC 1123 in headers, ISO 8601 in XML) and parsing of the
//! conditional-request dates clients send. Pure functions of Unix seconds.

use cos_proto::civil::civil_from_days;

const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A broken-down UTC time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
}

/// (year, month, day) to days since 1970-01-01; Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(secs: u64) -> Civil {
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem % 3600 / 60,
        second: rem % 60,
    }
}

/// `Tue, 14 Nov 2023 22:13:20 GMT` (the `Last-Modified` form).
pub(crate) fn http_date(secs: u64) -> String {
    let c = civil(secs);
    let weekday = DAY_NAMES[((secs / 86_400) % 7) as usize];
    let month = MONTH_NAMES[(c.month.saturating_sub(1) as usize).min(11)];
    format!(
        "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        c.day, c.year, c.hour, c.minute, c.second
    )
}

/// `2023-11-14T22:13:20.000Z` (listings).
pub(crate) fn iso8601_millis(secs: u64) -> String {
    let c = civil(secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `2023-11-14T22:13:20Z` (copy results).
pub(crate) fn iso8601(secs: u64) -> String {
    let c = civil(secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
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

/// Parses an HTTP date (`IMF-fixdate`, RFC 850 or asctime) or an ISO 8601 UTC time.
/// Returns `None` for anything else (the condition is then ignored, as HTTP says).
pub(crate) fn parse_http_date(text: &str) -> Option<u64> {
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

/// Parses `2023-11-14T22:13:20Z` or `2023-11-14T22:13:20.000Z`.
fn parse_iso8601(text: &str) -> Option<u64> {
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

/// Parses a configuration date (lifecycle `Date`): ISO 8601 with `Z` or a `±HH:MM`
/// offset, e.g. `2024-12-31T00:00:00+08:00`. Returns Unix seconds in UTC.
pub(crate) fn parse_config_date(text: &str) -> Option<u64> {
    if let Some(utc) = parse_iso8601(text) {
        return Some(utc);
    }
    if text.len() < 6 {
        return None;
    }
    let (local, offset) = text.split_at(text.len() - 6);
    let sign = match offset.as_bytes().first() {
        Some(b'+') => 1i64,
        Some(b'-') => -1i64,
        _ => return None,
    };
    let (h, m) = offset[1..].split_once(':')?;
    let offset_secs: i64 = sign * (number::<i64>(h)? * 3600 + number::<i64>(m)? * 60);
    let local = parse_iso8601(&format!("{local}Z"))?;
    u64::try_from(i64::try_from(local).ok()?.checked_sub(offset_secs)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_dates_take_offsets() {
        assert_eq!(
            parse_config_date("2023-11-14T22:13:20Z"),
            Some(1_700_000_000)
        );
        assert_eq!(
            parse_config_date("2023-11-15T06:13:20+08:00"),
            Some(1_700_000_000)
        );
        assert_eq!(parse_config_date("2023-11-14"), None);
    }

    #[test]
    fn formats_like_cos() {
        assert_eq!(http_date(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(iso8601_millis(1_700_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
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

    #[test]
    fn round_trips_over_centuries() {
        for secs in (0..5_000_000_000u64).step_by(86_399 * 97) {
            assert_eq!(parse_http_date(&http_date(secs)), Some(secs));
        }
    }
}
