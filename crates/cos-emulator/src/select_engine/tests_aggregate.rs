//! Tests of `CAST` and the aggregate functions, on CSV and JSON input.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use super::*;
use proptest::prelude::*;

fn csv_use() -> InputFormat {
    InputFormat::Csv(CsvInput {
        file_header_info: FileHeaderInfo::Use,
        ..CsvInput::default()
    })
}

fn csv_out() -> OutputFormat {
    OutputFormat::Csv(CsvOutput::default())
}

fn json_out() -> OutputFormat {
    OutputFormat::Json(JsonOutput::default())
}

fn select(expr: &str, input: &str, input_format: &InputFormat, output: &OutputFormat) -> String {
    let out = run(expr, input.as_bytes(), input_format, output)
        .unwrap_or_else(|e| panic!("{expr:?} failed: {e} ({})", e.code()));
    String::from_utf8(out.records).expect("UTF-8")
}

fn error(expr: &str, input: &str, input_format: &InputFormat) -> SelectEngineError {
    match run(expr, input.as_bytes(), input_format, &csv_out()) {
        Ok(out) => panic!(
            "{expr:?} unexpectedly succeeded: {:?}",
            String::from_utf8_lossy(&out.records)
        ),
        Err(e) => e,
    }
}

const PEOPLE: &str = "name,age,score\nAlice,30,1.5\nBob,25,\nCarol,35,2.5\nDan,,4\n";

const PEOPLE_JSON: &str = "{\"name\":\"Alice\",\"age\":30,\"score\":1.5}\n\
{\"name\":\"Bob\",\"age\":25,\"score\":null}\n\
{\"name\":\"Carol\",\"age\":35,\"score\":2.5}\n\
{\"name\":\"Dan\",\"score\":4}\n";

// ---------------------------------------------------------------------------
// Aggregates
// ---------------------------------------------------------------------------

#[test]
fn count_star_counts_records_and_count_expr_skips_nulls() {
    let json = &InputFormat::JsonLines;
    assert_eq!(
        select(
            "SELECT COUNT(*) FROM COSObject",
            PEOPLE_JSON,
            json,
            &csv_out()
        ),
        "4\n"
    );
    // Dan has no age (MISSING), Bob's score is null.
    assert_eq!(
        select(
            "SELECT COUNT(s.age), COUNT(s.score) FROM COSObject s",
            PEOPLE_JSON,
            json,
            &csv_out()
        ),
        "3,3\n"
    );
    // CSV: an empty field is the empty string, not NULL, so COUNT takes it.
    assert_eq!(
        select(
            "SELECT count(*), COUNT(age) FROM COSObject",
            PEOPLE,
            &csv_use(),
            &csv_out()
        ),
        "4,4\n"
    );
}

#[test]
fn sum_avg_min_max_over_json() {
    let out = select(
        "SELECT SUM(s.age), AVG(s.age), MIN(s.age), MAX(s.age), SUM(s.score), AVG(s.score) \
         FROM COSObject s",
        PEOPLE_JSON,
        &InputFormat::JsonLines,
        &csv_out(),
    );
    assert_eq!(out, "90,30.0,25,35,8.0,2.6666666666666665\n");
}

#[test]
fn aggregates_over_csv_need_numbers_or_a_cast() {
    let input = "name,age\nAlice,30\nBob,25\nCarol,35\n";
    assert_eq!(
        select(
            "SELECT SUM(CAST(age AS INT)), AVG(CAST(age AS FLOAT)), MIN(age), MAX(s.age) \
             FROM COSObject s",
            input,
            &csv_use(),
            &csv_out()
        ),
        "90,30.0,25,35\n"
    );
    // Numeric text is summed as it is; an empty field is not a number.
    assert_eq!(
        select(
            "SELECT SUM(age) FROM COSObject",
            input,
            &csv_use(),
            &csv_out()
        ),
        "90\n"
    );
    let e = error("SELECT SUM(age) FROM COSObject", PEOPLE, &csv_use());
    assert_eq!(e.code(), "IncorrectSqlFunctionArgumentType");
    let e = error(
        "SELECT SUM(CAST(age AS INT)) FROM COSObject",
        PEOPLE,
        &csv_use(),
    );
    assert_eq!(e.code(), "CastFailed");
    // MIN/MAX order numbers numerically, not as text.
    assert_eq!(
        select(
            "SELECT MIN(_1), MAX(_1) FROM COSObject",
            "9\n10\n-2\n",
            &InputFormat::default(),
            &csv_out()
        ),
        "-2,10\n"
    );
}

#[test]
fn aggregates_with_where_and_limit() {
    let json = &InputFormat::JsonLines;
    assert_eq!(
        select(
            "SELECT COUNT(*), SUM(s.age) FROM COSObject s WHERE s.age > 26",
            PEOPLE_JSON,
            json,
            &csv_out()
        ),
        "2,65\n"
    );
    // Nothing selected: COUNT is 0, the others NULL (empty CSV fields, JSON null).
    assert_eq!(
        select(
            "SELECT COUNT(*), SUM(s.age), MAX(s.name) FROM COSObject s WHERE s.age > 100",
            PEOPLE_JSON,
            json,
            &csv_out()
        ),
        "0,,\n"
    );
    assert_eq!(
        select(
            "SELECT COUNT(*) AS n, AVG(s.age) AS mean FROM COSObject s WHERE s.age > 100",
            PEOPLE_JSON,
            json,
            &json_out()
        ),
        "{\"n\":0,\"mean\":null}\n"
    );
    // LIMIT limits the result, not the records aggregated.
    assert_eq!(
        select(
            "SELECT COUNT(*) FROM COSObject LIMIT 1",
            PEOPLE_JSON,
            json,
            &csv_out()
        ),
        "4\n"
    );
    assert_eq!(
        select(
            "SELECT COUNT(*) FROM COSObject LIMIT 0",
            PEOPLE_JSON,
            json,
            &csv_out()
        ),
        ""
    );
}

#[test]
fn json_output_of_aggregates() {
    assert_eq!(
        select(
            "SELECT COUNT(*), MAX(s.name) AS last, MIN(s.score) FROM COSObject s",
            PEOPLE_JSON,
            &InputFormat::JsonDocument,
            &json_out()
        ),
        "{\"_1\":4,\"last\":\"Dan\",\"_3\":1.5}\n"
    );
    // Expressions over aggregate results.
    assert_eq!(
        select(
            "SELECT COUNT(*) > 3, CAST(AVG(s.age) AS INT) FROM COSObject s",
            PEOPLE_JSON,
            &InputFormat::JsonLines,
            &json_out()
        ),
        "{\"_1\":true,\"_2\":30}\n"
    );
}

#[test]
fn misplaced_aggregates_are_errors() {
    for (expr, code) in [
        (
            "SELECT _1, COUNT(*) FROM COSObject",
            "UnsupportedSqlStructure",
        ),
        (
            "SELECT COUNT(*), s.a FROM COSObject s",
            "UnsupportedSqlStructure",
        ),
        (
            "SELECT _1 FROM COSObject WHERE COUNT(*) > 1",
            "UnsupportedSqlStructure",
        ),
        (
            "SELECT * FROM COSObject WHERE SUM(_1) > 1",
            "UnsupportedSqlStructure",
        ),
        (
            "SELECT SUM(COUNT(*)) FROM COSObject",
            "UnsupportedSqlStructure",
        ),
        (
            "SELECT SUM(*) FROM COSObject",
            "ParseUnsupportedCallWithStar",
        ),
        (
            "SELECT MAX(_1, _2) FROM COSObject",
            "ParseNonUnaryAgregateFunctionCall",
        ),
        (
            "SELECT COUNT(_1 FROM COSObject",
            "ParseExpectedRightParenBuiltinFunctionCall",
        ),
        ("SELECT COUNT() FROM COSObject", "ParseExpectedExpression"),
        (
            "SELECT CAST(_1 AS DATE) FROM COSObject",
            "ParseExpectedTypeName",
        ),
        ("SELECT CAST(_1 INT) FROM COSObject", "ParseExpectedKeyword"),
        (
            "SELECT CAST(_1 AS INT FROM COSObject",
            "ParseExpectedRightParenBuiltinFunctionCall",
        ),
        ("SELECT CAST FROM COSObject", "ParseUnexpectedToken"),
    ] {
        let e = error(expr, "1,2\n", &InputFormat::default());
        assert_eq!(e.code(), code, "{expr}: {e}");
        assert_eq!(e.http_status(), 400);
    }
}

#[test]
fn aggregate_names_are_still_column_names() {
    let input = "count,sum\n1,2\n";
    assert_eq!(
        select(
            "SELECT count, s.sum FROM COSObject s",
            input,
            &csv_use(),
            &csv_out()
        ),
        "1,2\n"
    );
}

// ---------------------------------------------------------------------------
// CAST
// ---------------------------------------------------------------------------

#[test]
fn casts_in_projections_and_conditions() {
    let input = "a,b\n 7 ,2.9\nx,true\n";
    assert_eq!(
        select(
            "SELECT CAST(b AS INT), CAST(a AS STRING) FROM COSObject WHERE a <> 'x' AND CAST(a AS INT) = 7",
            input,
            &csv_use(),
            &csv_out()
        ),
        "2, 7 \n"
    );
    assert_eq!(
        select(
            "SELECT CAST(b AS BOOL) AS flag FROM COSObject WHERE a = 'x'",
            input,
            &csv_use(),
            &json_out()
        ),
        "{\"flag\":true}\n"
    );
    let json = "{\"n\":\"12\",\"f\":2,\"t\":\"2024-02-29T10:00Z\"}\n";
    assert_eq!(
        select(
            "SELECT CAST(s.n AS INTEGER) AS n, CAST(s.f AS FLOAT) AS f, \
             CAST(s.f AS DECIMAL) AS d, CAST(s.t AS TIMESTAMP) AS t, CAST(s.gone AS INT) AS g \
             FROM COSObject s",
            json,
            &InputFormat::JsonLines,
            &json_out()
        ),
        "{\"n\":12,\"f\":2.0,\"d\":2,\"t\":\"2024-02-29T10:00Z\"}\n"
    );
}

#[test]
fn a_failed_cast_fails_the_query() {
    let e = error(
        "SELECT CAST(_1 AS INT) FROM COSObject",
        "12\nabc\n",
        &InputFormat::default(),
    );
    assert_eq!(e.code(), "CastFailed");
    assert_eq!(e.http_status(), 400);
    let e = error(
        "SELECT _1 FROM COSObject WHERE CAST(_1 AS TIMESTAMP) > '2000T'",
        "2001T\nnow\n",
        &InputFormat::default(),
    );
    assert_eq!(e.code(), "CastFailed");
    // A record not reached because of LIMIT is not cast.
    assert_eq!(
        select(
            "SELECT CAST(_1 AS INT) FROM COSObject LIMIT 1",
            "12\nabc\n",
            &InputFormat::default(),
            &csv_out()
        ),
        "12\n"
    );
}

#[test]
fn nested_casts_and_calls_are_bounded() {
    let deep = format!(
        "SELECT {}_1{} FROM COSObject",
        "CAST(".repeat(200),
        " AS INT)".repeat(200)
    );
    let e = error(&deep, "1\n", &InputFormat::default());
    assert_eq!(e.code(), "MaxOperatorsExceeded");
    let deep = format!(
        "SELECT {}_1{} FROM COSObject",
        "MAX(".repeat(200),
        ")".repeat(200)
    );
    let e = error(&deep, "1\n", &InputFormat::default());
    assert_eq!(e.code(), "MaxOperatorsExceeded");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn aggregate_queries_never_panic(
        func in prop::sample::select(vec!["COUNT", "SUM", "AVG", "MIN", "MAX"]),
        ty in prop::sample::select(vec!["INT", "FLOAT", "DECIMAL", "STRING", "BOOL", "TIMESTAMP"]),
        cells in proptest::collection::vec("[0-9a-zT:.eE+-]{0,6}", 0..8),
    ) {
        let input: String = cells.iter().map(|c| format!("{c}\n")).collect();
        for expr in [
            format!("SELECT {func}(_1) FROM COSObject"),
            format!("SELECT {func}(CAST(_1 AS {ty})) FROM COSObject WHERE _1 IS NOT NULL"),
            format!("SELECT CAST(_1 AS {ty}) FROM COSObject"),
        ] {
            let _ = run(&expr, input.as_bytes(), &InputFormat::default(), &csv_out());
            let _ = run(&expr, input.as_bytes(), &InputFormat::default(), &json_out());
        }
    }

    #[test]
    fn sums_of_integers_are_exact(values in proptest::collection::vec(any::<i32>(), 0..20)) {
        let input: String = values.iter().map(|v| format!("{v}\n")).collect();
        let expected: i64 = values.iter().map(|v| i64::from(*v)).sum();
        let out = select(
            "SELECT COUNT(*), SUM(CAST(_1 AS INT)) FROM COSObject",
            &input,
            &InputFormat::default(),
            &csv_out(),
        );
        let sum = if values.is_empty() { String::new() } else { expected.to_string() };
        prop_assert_eq!(out, format!("{},{}\n", values.len(), sum));
    }
}
