//! The report of `cargo xtask bench`: rows with a goal, their verdicts, the markdown
//! tables and the closing line. Pure functions, so the arithmetic and the verdicts are
//! unit-tested.

use std::fmt::Write as _;

/// What a row must reach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// A ratio, ours over the reference, higher is better (a speed-up or a share).
    AtLeast(f64),
    /// A ratio of costs, ours over the reference, lower is better (CPU time per byte).
    AtMost(f64),
    /// A peak resident set, in MiB.
    AtMostMiB(f64),
}

impl Goal {
    /// `≥ 3×`, `≤ 0.33×`, `≤ 96 MiB`.
    pub fn label(self) -> String {
        match self {
            Goal::AtLeast(ratio) => format!("≥ {}×", trim_float(ratio)),
            Goal::AtMost(ratio) => format!("≤ {}×", trim_float(ratio)),
            Goal::AtMostMiB(mib) => format!("≤ {} MiB", trim_float(mib)),
        }
    }

    /// Whether `value` (the ratio, or the MiB) meets the goal.
    pub fn met_by(self, value: f64) -> bool {
        match self {
            Goal::AtLeast(ratio) => value >= ratio,
            Goal::AtMost(ratio) => value <= ratio,
            Goal::AtMostMiB(mib) => value <= mib,
        }
    }
}

/// What was measured for a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    /// The ratio (for [`Goal::AtLeast`] and [`Goal::AtMost`]) or the MiB (for
    /// [`Goal::AtMostMiB`]).
    Value(f64),
    /// The median of per-run ratios (ours over the reference in the same round), checked
    /// against the goal, and their spread.
    Ratios {
        /// The median ratio: the verdict's figure.
        median: f64,
        /// The smallest ratio of a run.
        min: f64,
        /// The largest ratio of a run.
        max: f64,
    },
    /// Not measured because a tool is missing (openssl, curl, Python): neither passed
    /// nor failed.
    Skipped(String),
    /// The measurement itself failed (an error, a wrong download): a failed row.
    Failed(String),
}

/// The verdict of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The goal is met.
    Met,
    /// Measured, and the goal is missed.
    Missed,
    /// Not measured (a tool is missing).
    Skipped,
    /// The measurement failed.
    Failed,
}

impl Verdict {
    fn label(self) -> &'static str {
        match self {
            Verdict::Met => "yes",
            Verdict::Missed => "**no**",
            Verdict::Skipped => "skipped",
            Verdict::Failed => "**failed**",
        }
    }

    /// Whether the row counts as failed in the closing line.
    pub fn is_failure(self) -> bool {
        matches!(self, Verdict::Missed | Verdict::Failed)
    }
}

/// One row of the targets table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What is compared, e.g. `upload_file 1 GiB, cos-tokio vs Python SDK`.
    pub what: String,
    /// Our figure, formatted with its unit.
    pub ours: String,
    /// The reference's figure, formatted with its name and unit.
    pub reference: String,
    /// The ratio or the MiB the goal is checked against.
    pub measured: Measured,
    /// The goal.
    pub goal: Goal,
}

impl Row {
    /// A speed-up row: `ours` and `reference` are rates (higher is faster) in the same
    /// unit, or inverse costs (ns/op) when `costs` is true.
    pub fn ratio(
        what: impl Into<String>,
        ours: Result<(f64, String), Measured>,
        reference: Result<(f64, String), Measured>,
        costs: bool,
        goal: f64,
    ) -> Row {
        let what = what.into();
        let (ours_text, reference_text, measured) = match (ours, reference) {
            (Ok((a, a_text)), Ok((b, b_text))) => {
                let ratio = if costs { speedup(b, a) } else { speedup(a, b) };
                let measured = if ratio.is_finite() {
                    Measured::Value(ratio)
                } else {
                    Measured::Failed(format!("no ratio from {a} and {b}"))
                };
                (a_text, b_text, measured)
            }
            (Ok((_, a_text)), Err(why)) => (a_text, String::from("—"), why),
            (Err(why), Ok((_, b_text))) => (String::from("—"), b_text, why),
            (Err(why), Err(_)) => ("—".into(), "—".into(), why),
        };
        Row {
            what,
            ours: ours_text,
            reference: reference_text,
            measured,
            goal: Goal::AtLeast(goal),
        }
    }

    /// A row of per-run ratios, ours over the reference in the same round (rates or
    /// costs alike; [`Goal::AtMost`] for costs), reported as their median with the spread.
    /// `ours` and `reference` are the figures shown; an error in `ratios` (a failed or
    /// skipped run of either side) becomes the row's measurement, and a ratio that is not
    /// finite fails the row.
    pub fn per_run(
        what: impl Into<String>,
        ours: impl Into<String>,
        reference: impl Into<String>,
        ratios: Result<Vec<f64>, Measured>,
        goal: Goal,
    ) -> Row {
        let measured = match ratios {
            Ok(ratios) => match median_ratio(&ratios) {
                Some((median, min, max)) => Measured::Ratios { median, min, max },
                None => Measured::Failed(format!("no ratio from the runs {ratios:?}")),
            },
            Err(why) => why,
        };
        Row {
            what: what.into(),
            ours: ours.into(),
            reference: reference.into(),
            measured,
            goal,
        }
    }

    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        match &self.measured {
            Measured::Value(v) | Measured::Ratios { median: v, .. } if self.goal.met_by(*v) => {
                Verdict::Met
            }
            Measured::Value(_) | Measured::Ratios { .. } => Verdict::Missed,
            Measured::Skipped(_) => Verdict::Skipped,
            Measured::Failed(_) => Verdict::Failed,
        }
    }

    fn measured_text(&self) -> String {
        match (&self.measured, self.goal) {
            (Measured::Value(v), Goal::AtLeast(_) | Goal::AtMost(_)) => {
                format!("{}×", ratio_text(*v))
            }
            (Measured::Value(v), Goal::AtMostMiB(_)) => format!("{v:.1} MiB"),
            (Measured::Ratios { median, min, max }, _) if min < max => format!(
                "{}× ({}–{})",
                ratio_text(*median),
                ratio_text(*min),
                ratio_text(*max)
            ),
            (Measured::Ratios { median, .. }, _) => format!("{}×", ratio_text(*median)),
            (Measured::Skipped(why), _) => format!("skipped: {why}"),
            (Measured::Failed(why), _) => format!("failed: {why}"),
        }
    }
}

/// `ours / reference` for rates; `NaN`-free only when both are positive and finite.
pub fn speedup(ours: f64, reference: f64) -> f64 {
    if ours > 0.0 && reference > 0.0 && ours.is_finite() && reference.is_finite() {
        ours / reference
    } else {
        f64::NAN
    }
}

/// The median of per-run ratios and their spread: `(median, min, max)`; the mean of the
/// two middle ratios when their count is even. `None` when there are none or one is not
/// finite (a run without a figure), so that such a row fails rather than passes.
pub fn median_ratio(ratios: &[f64]) -> Option<(f64, f64, f64)> {
    if ratios.is_empty() || ratios.iter().any(|r| !r.is_finite()) {
        return None;
    }
    let mut sorted = ratios.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    Some((median, sorted[0], sorted[n - 1]))
}

/// MiB per second.
pub fn mib_per_s(bytes: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        bytes as f64 / MIB / seconds
    } else {
        f64::NAN
    }
}

/// One MiB.
pub const MIB: f64 = 1024.0 * 1024.0;

/// A ratio with a precision that suits its size: `56`, `5.3`, `0.84`.
pub fn ratio_text(ratio: f64) -> String {
    if ratio >= 20.0 {
        format!("{ratio:.0}")
    } else if ratio >= 2.0 {
        format!("{ratio:.1}")
    } else {
        format!("{ratio:.2}")
    }
}

/// An integer with thousands separators: `1,234,567`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

fn trim_float(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// The counts of the closing line: (met, failed, skipped).
pub fn counts(rows: &[Row]) -> (usize, usize, usize) {
    rows.iter().fold((0, 0, 0), |(met, failed, skipped), row| {
        match row.verdict() {
            Verdict::Met => (met + 1, failed, skipped),
            Verdict::Missed | Verdict::Failed => (met, failed + 1, skipped),
            Verdict::Skipped => (met, failed, skipped + 1),
        }
    })
}

/// `bench: N passed, M failed` (`, K skipped` when some were).
pub fn closing_line(rows: &[Row]) -> String {
    let (met, failed, skipped) = counts(rows);
    if skipped == 0 {
        format!("bench: {met} passed, {failed} failed")
    } else {
        format!("bench: {met} passed, {failed} failed, {skipped} skipped")
    }
}

/// A markdown table whose columns are padded to line up in a terminal too.
pub fn markdown(header: &[&str], rows: &[Vec<String>]) -> String {
    let width = |i: usize| {
        rows.iter()
            .filter_map(|r| r.get(i))
            .map(|c| c.chars().count())
            .chain([header[i].chars().count(), 3])
            .max()
            .unwrap_or(3)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: Vec<&str>| {
        let mut out = String::from("|");
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths[i].saturating_sub(cell.chars().count());
            let _ = write!(out, " {cell}{} |", " ".repeat(pad));
        }
        out
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    out.push('|');
    for w in &widths {
        let _ = write!(out, "{}|", "-".repeat(w + 2));
    }
    for row in rows {
        out.push('\n');
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out.push('\n');
    out
}

/// The targets table: one row per goal.
pub fn targets_table(rows: &[Row]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.what.clone(),
                row.ours.clone(),
                row.reference.clone(),
                row.measured_text(),
                row.goal.label(),
                row.verdict().label().to_owned(),
            ]
        })
        .collect();
    markdown(
        &["target", "cos-rs", "reference", "measured", "goal", "met"],
        &cells,
    )
}

/// The days since 1970-01-01 as a civil date, `YYYY-MM-DD` (proleptic Gregorian, UTC).
pub fn civil_date(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Replaces the text between `begin` and `end` (both kept) in `document`.
pub fn replace_section(document: &str, begin: &str, end: &str, body: &str) -> Option<String> {
    let start = document.find(begin)? + begin.len();
    let stop = start + document[start..].find(end)?;
    Some(format!(
        "{}\n{}\n{}",
        &document[..start],
        body.trim_end(),
        &document[stop..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(v: f64) -> Result<(f64, String), Measured> {
        Ok((v, format!("{v} MiB/s")))
    }

    #[test]
    fn a_speedup_is_ours_over_the_reference() {
        let row = Row::ratio("upload", rate(900.0), rate(100.0), false, 3.0);
        assert_eq!(row.measured, Measured::Value(9.0));
        assert_eq!(row.verdict(), Verdict::Met);
        let row = Row::ratio("upload", rate(250.0), rate(100.0), false, 3.0);
        assert_eq!(row.verdict(), Verdict::Missed);
        assert!(targets_table(&[row]).contains("| 2.5× "));
    }

    #[test]
    fn costs_invert_the_ratio() {
        // 4,000 ns against Python's 220,000 ns is a 55× speed-up.
        let ours = Ok((4_000.0, "4,000 ns".to_owned()));
        let python = Ok((220_000.0, "220,000 ns".to_owned()));
        let row = Row::ratio("sign", ours, python, true, 50.0);
        assert_eq!(row.measured, Measured::Value(55.0));
        assert_eq!(row.verdict(), Verdict::Met);
        let ours = Ok((3_000_000.0, String::new()));
        let python = Ok((48_000_000.0, String::new()));
        let row = Row::ratio("parse", ours, python, true, 30.0);
        assert_eq!(row.measured, Measured::Value(16.0));
        assert_eq!(row.verdict(), Verdict::Missed);
    }

    #[test]
    fn the_boundary_meets_the_goal() {
        assert!(Goal::AtLeast(0.8).met_by(0.8));
        assert!(!Goal::AtLeast(0.8).met_by(0.799));
        assert!(Goal::AtMost(0.8).met_by(0.8));
        assert!(!Goal::AtMost(0.8).met_by(0.801));
        assert_eq!(Goal::AtMost(0.8).label(), "≤ 0.8×");
        assert!(Goal::AtMostMiB(96.0).met_by(96.0));
        assert!(!Goal::AtMostMiB(96.0).met_by(96.1));
    }

    #[test]
    fn a_zero_or_missing_figure_fails_rather_than_passes() {
        let row = Row::ratio("download", rate(0.0), rate(100.0), false, 0.8);
        assert_eq!(row.verdict(), Verdict::Failed);
        let row = Row::ratio("download", rate(f64::NAN), rate(100.0), false, 0.8);
        assert_eq!(row.verdict(), Verdict::Failed);
        let wrong = Err(Measured::Failed("CRC64 mismatch".into()));
        let row = Row::ratio("download", wrong, rate(100.0), false, 0.8);
        assert_eq!(row.verdict(), Verdict::Failed);
        assert!(targets_table(&[row]).contains("failed: CRC64 mismatch"));
    }

    #[test]
    fn skipped_rows_count_apart() {
        let rows = vec![
            Row::ratio("a", rate(10.0), rate(1.0), false, 3.0),
            Row::ratio("b", rate(1.0), rate(10.0), false, 3.0),
            Row::ratio(
                "c",
                rate(1.0),
                Err(Measured::Skipped("no openssl".into())),
                false,
                0.8,
            ),
            Row {
                what: "rss".into(),
                ours: "61.0 MiB".into(),
                reference: String::new(),
                measured: Measured::Value(61.0),
                goal: Goal::AtMostMiB(96.0),
            },
            Row {
                what: "rss".into(),
                ours: "—".into(),
                reference: String::new(),
                measured: Measured::Failed("not measured".into()),
                goal: Goal::AtMostMiB(96.0),
            },
        ];
        assert_eq!(counts(&rows), (2, 2, 1));
        assert_eq!(closing_line(&rows), "bench: 2 passed, 2 failed, 1 skipped");
        assert_eq!(closing_line(&rows[..2]), "bench: 1 passed, 1 failed");
        let table = targets_table(&rows);
        assert!(table.contains("| skipped "), "{table}");
        assert!(table.contains("| 61.0 MiB "), "{table}");
        assert!(table.contains("≤ 96 MiB"), "{table}");
    }

    #[test]
    fn the_median_of_ratios_keeps_its_spread() {
        assert_eq!(median_ratio(&[0.36, 0.27, 0.31]), Some((0.31, 0.27, 0.36)));
        assert_eq!(median_ratio(&[2.0, 1.0, 4.0, 3.0]), Some((2.5, 1.0, 4.0)));
        assert_eq!(median_ratio(&[0.5]), Some((0.5, 0.5, 0.5)));
        assert_eq!(median_ratio(&[]), None);
        assert_eq!(median_ratio(&[1.0, f64::NAN, 2.0]), None);
        assert_eq!(median_ratio(&[1.0, f64::INFINITY]), None);
    }

    #[test]
    fn costs_at_most_a_share_are_lower_is_better() {
        assert!(Goal::AtMost(0.33).met_by(0.33));
        assert!(Goal::AtMost(0.33).met_by(0.1));
        assert!(!Goal::AtMost(0.33).met_by(0.331));
        assert_eq!(Goal::AtMost(0.33).label(), "≤ 0.33×");
        assert_eq!(Goal::AtMost(1.0).label(), "≤ 1×");
        let row = Row::per_run(
            "upload_file 1 GiB, cos-tokio, CPU per GiB vs Python SDK",
            "0.55 s/GiB",
            "Python SDK 1.74 s/GiB",
            Ok(vec![0.35, 0.29, 0.32]),
            Goal::AtMost(0.33),
        );
        assert_eq!(row.verdict(), Verdict::Met);
        assert!(
            targets_table(std::slice::from_ref(&row))
                .contains("| 0.32× (0.29–0.35) | ≤ 0.33× | yes "),
            "{}",
            targets_table(&[row])
        );
        // The median decides, not the best run.
        let row = Row::per_run("x", "", "", Ok(vec![0.2, 0.4, 0.5]), Goal::AtMost(0.33));
        assert_eq!(row.verdict(), Verdict::Missed);
        // A throughput's median decides the other way.
        let row = Row::per_run("x", "", "", Ok(vec![1.2, 0.9, 1.1]), Goal::AtLeast(1.0));
        assert_eq!(row.verdict(), Verdict::Met);
        assert!(targets_table(&[row]).contains("| 1.10× (0.90–1.20) |"));
        // One run: no spread.
        let row = Row::per_run("x", "", "", Ok(vec![0.25]), Goal::AtMost(0.33));
        assert!(targets_table(&[row]).contains("| 0.25×    |"));
    }

    #[test]
    fn a_failed_or_empty_series_fails_the_row() {
        let failed = Err(Measured::Failed("run 2: CRC-64 mismatch".into()));
        let row = Row::per_run("x", "—", "—", failed, Goal::AtLeast(1.0));
        assert_eq!(row.verdict(), Verdict::Failed);
        let row = Row::per_run("x", "", "", Ok(vec![]), Goal::AtMost(1.0));
        assert_eq!(row.verdict(), Verdict::Failed);
        let row = Row::per_run("x", "", "", Ok(vec![1.0, f64::NAN]), Goal::AtMost(1.0));
        assert_eq!(row.verdict(), Verdict::Failed);
        let skipped = Err(Measured::Skipped("no python3".into()));
        let row = Row::per_run("x", "", "", skipped, Goal::AtMost(0.33));
        assert_eq!(row.verdict(), Verdict::Skipped);
    }

    #[test]
    fn tables_line_up() {
        let table = markdown(
            &["a", "bb"],
            &[
                vec!["long cell".into(), "x".into()],
                vec!["y".into(), "zz".into()],
            ],
        );
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| a         | bb  |");
        assert_eq!(lines[1], "|-----------|-----|");
        assert_eq!(lines[2], "| long cell | x   |");
        let widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{table}");
    }

    #[test]
    fn figures_read_well() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(ratio_text(55.4), "55");
        assert_eq!(ratio_text(5.34), "5.3");
        assert_eq!(ratio_text(0.836), "0.84");
        assert_eq!(Goal::AtLeast(0.8).label(), "≥ 0.8×");
        assert_eq!(Goal::AtLeast(50.0).label(), "≥ 50×");
        assert!((mib_per_s(1 << 30, 2.0) - 512.0).abs() < 1e-9);
        assert!(mib_per_s(1, 0.0).is_nan());
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        assert_eq!(civil_date(1_700_000_000), "2023-11-14");
    }

    #[test]
    fn the_section_is_replaced_between_its_markers() {
        let doc = "intro\n<!-- b -->\nold\ntable\n<!-- e -->\nrest\n";
        let new = replace_section(doc, "<!-- b -->", "<!-- e -->", "new\n").expect("markers");
        assert_eq!(new, "intro\n<!-- b -->\nnew\n<!-- e -->\nrest\n");
        assert_eq!(
            replace_section("no markers", "<!-- b -->", "<!-- e -->", "x"),
            None
        );
    }
}
