//! Dates as COS writes them (RFC 1123 in headers, ISO 8601 in XML) and parsing of the
//! conditional-request dates clients send. Pure functions of Unix seconds.

#[cfg(test)]
use cos_proto::civil::parse_http_date;
use cos_proto::civil::{civil_from_days, parse_iso8601};

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
    let digits = |text: &str| -> Option<i64> {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    };
    let offset_secs: i64 = sign * (digits(h)? * 3600 + digits(m)? * 60);
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
    fn round_trips_over_centuries() {
        for secs in (0..5_000_000_000u64).step_by(86_399 * 97) {
            assert_eq!(parse_http_date(&http_date(secs)), Some(secs));
        }
    }
}
