//! Calendar dates of Unix time, for the formats that carry one (the Cloud API's
//! credential scope, COS's HTTP dates). Pure arithmetic: no clock, no time zone but UTC.

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
}
