//! Tests of the Select engine.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use super::*;
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn csv_input() -> InputFormat {
    InputFormat::Csv(CsvInput::default())
}

fn csv_header(info: FileHeaderInfo) -> InputFormat {
    InputFormat::Csv(CsvInput {
        file_header_info: info,
        ..CsvInput::default()
    })
}

fn csv_output() -> OutputFormat {
    OutputFormat::Csv(CsvOutput::default())
}

fn json_output() -> OutputFormat {
    OutputFormat::Json(JsonOutput::default())
}

fn select(
    expr: &str,
    input: &str,
    input_format: &InputFormat,
    output_format: &OutputFormat,
) -> String {
    let out = run(expr, input.as_bytes(), input_format, output_format)
        .unwrap_or_else(|e| panic!("{expr:?} failed: {e} ({})", e.code()));
    String::from_utf8(out.records).expect("output is UTF-8")
}

/// CSV in (no header), CSV out.
fn csv(expr: &str, input: &str) -> String {
    select(expr, input, &csv_input(), &csv_output())
}

fn err(expr: &str, input: &str, input_format: &InputFormat) -> SelectEngineError {
    match run(expr, input.as_bytes(), input_format, &csv_output()) {
        Ok(out) => panic!(
            "{expr:?} unexpectedly succeeded: {:?}",
            String::from_utf8_lossy(&out.records)
        ),
        Err(e) => e,
    }
}

fn parse_err(expr: &str) -> (ParseErrorKind, usize) {
    match err(expr, "", &csv_input()) {
        SelectEngineError::Parse { kind, position, .. } => (kind, position),
        other => panic!("{expr:?}: expected a parse error, got {other:?}"),
    }
}

const PEOPLE: &str = "name,age,city\nAlice,30,Paris\nBob,25,Berlin\nCarol,35,Paris\n";

// ---------------------------------------------------------------------------
// The seed example and basic CSV selection
// ---------------------------------------------------------------------------

#[test]
fn seed_example_select_star_json_lines_to_csv() {
    let input = "{\"name\":\"Alice\",\"age\":30}\n{\"name\":\"Bob\",\"age\":25}\n";
    let output_format = OutputFormat::Csv(CsvOutput {
        record_delimiter: "\n".into(),
        ..CsvOutput::default()
    });
    let out = run(
        "Select * from COSObject",
        input.as_bytes(),
        &InputFormat::JsonLines,
        &output_format,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out.records.clone()).unwrap(),
        "Alice,30\nBob,25\n"
    );
    assert_eq!(out.bytes_scanned, input.len() as u64);
    assert_eq!(out.bytes_processed, input.len() as u64);
    assert_eq!(out.bytes_returned, out.records.len() as u64);
}

#[test]
fn select_star_keeps_json_member_order() {
    let input = "{\"z\":1,\"a\":2,\"m\":3}\n";
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            input,
            &InputFormat::JsonLines,
            &csv_output()
        ),
        "1,2,3\n"
    );
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            input,
            &InputFormat::JsonLines,
            &json_output()
        ),
        "{\"z\":1,\"a\":2,\"m\":3}\n"
    );
}

#[test]
fn positional_columns_with_where_greater_than_string_literal() {
    let input = "5,a\n20,b\n100,c\n9,d\n10,e\n";
    // Both sides are numeric, so the comparison is numeric: 9 and 10 are out,
    // 100 is in (a string comparison would keep "9" and drop "100" < "9").
    assert_eq!(
        csv(
            "SELECT s._1, s._2 FROM COSObject s WHERE s._1 > '10'",
            input
        ),
        "20,b\n100,c\n"
    );
    assert_eq!(
        csv("select _2 from cosobject where _1 > 10", input),
        "b\nc\n"
    );
}

#[test]
fn positional_column_out_of_range_is_empty_and_null() {
    assert_eq!(csv("SELECT s._1, s._5 FROM COSObject s", "a,b\n"), "a,\n");
    assert_eq!(
        csv("SELECT s._1 FROM COSObject s WHERE s._5 IS NULL", "a,b\n"),
        "a\n"
    );
    assert_eq!(
        csv("SELECT s._1 FROM COSObject s WHERE s._2 IS NULL", "a,b\n"),
        ""
    );
}

#[test]
fn file_header_info_use_named_columns() {
    let input_format = csv_header(FileHeaderInfo::Use);
    assert_eq!(
        select(
            "SELECT s.name, s.\"age\" FROM COSObject s WHERE s.city = 'Paris'",
            PEOPLE,
            &input_format,
            &csv_output()
        ),
        "Alice,30\nCarol,35\n"
    );
    // Unquoted names match case-insensitively, quoted names exactly.
    assert_eq!(
        select(
            "SELECT NAME FROM COSObject WHERE AGE < 30",
            PEOPLE,
            &input_format,
            &csv_output()
        ),
        "Bob\n"
    );
    assert_eq!(
        select(
            "SELECT \"NAME\" FROM COSObject",
            PEOPLE,
            &input_format,
            &csv_output()
        ),
        "\n\n\n"
    );
    // Positions still work with a header.
    assert_eq!(
        select(
            "SELECT _3 FROM COSObject LIMIT 1",
            PEOPLE,
            &input_format,
            &csv_output()
        ),
        "Paris\n"
    );
    // SELECT * does not repeat the header.
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            PEOPLE,
            &input_format,
            &csv_output()
        ),
        "Alice,30,Paris\nBob,25,Berlin\nCarol,35,Paris\n"
    );
}

#[test]
fn file_header_info_ignore_and_none() {
    let ignore = csv_header(FileHeaderInfo::Ignore);
    assert_eq!(
        select(
            "SELECT s._1 FROM COSObject s",
            PEOPLE,
            &ignore,
            &csv_output()
        ),
        "Alice\nBob\nCarol\n"
    );
    // With IGNORE the header names are not columns: they are MISSING.
    assert_eq!(
        select(
            "SELECT s._1 FROM COSObject s WHERE s.name IS MISSING",
            PEOPLE,
            &ignore,
            &csv_output()
        ),
        "Alice\nBob\nCarol\n"
    );
    assert_eq!(
        csv("SELECT s._1 FROM COSObject s", PEOPLE),
        "name\nAlice\nBob\nCarol\n"
    );
}

#[test]
fn header_names_as_json_keys() {
    assert_eq!(
        select(
            "SELECT * FROM COSObject LIMIT 1",
            PEOPLE,
            &csv_header(FileHeaderInfo::Use),
            &json_output()
        ),
        "{\"name\":\"Alice\",\"age\":\"30\",\"city\":\"Paris\"}\n"
    );
}

// ---------------------------------------------------------------------------
// Quoting and escaping
// ---------------------------------------------------------------------------

#[test]
fn quoted_fields_round_trip() {
    let input_format = InputFormat::Csv(CsvInput {
        allow_quoted_record_delimiter: true,
        ..CsvInput::default()
    });
    let input = "\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",plain\n";
    // CSV → CSV reproduces the quoting.
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            input,
            &input_format,
            &csv_output()
        ),
        input
    );
    // The values themselves are unquoted.
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            input,
            &input_format,
            &json_output()
        ),
        "{\"_1\":\"a,b\",\"_2\":\"say \\\"hi\\\"\",\"_3\":\"line1\\nline2\",\"_4\":\"plain\"}\n"
    );
    assert_eq!(
        select(
            "SELECT s._4 FROM COSObject s WHERE s._2 = 'say \"hi\"' AND s._3 = 'line1\nline2'",
            input,
            &input_format,
            &csv_output()
        ),
        "plain\n"
    );
}

#[test]
fn quoted_record_delimiter_needs_allow_flag() {
    let input = "\"line1\nline2\",x\n";
    let e = err("SELECT * FROM COSObject", input, &csv_input());
    assert!(
        matches!(e, SelectEngineError::CsvParsing { record: 1, .. }),
        "{e:?}"
    );
    assert_eq!(e.code(), "CSVParsingError");
}

#[test]
fn unterminated_quote_is_an_error() {
    let input_format = InputFormat::Csv(CsvInput {
        allow_quoted_record_delimiter: true,
        ..CsvInput::default()
    });
    let e = err("SELECT * FROM COSObject", "a\n\"open,b\nc\n", &input_format);
    assert!(
        matches!(e, SelectEngineError::CsvParsing { record: 2, .. }),
        "{e:?}"
    );
}

#[test]
fn custom_input_delimiters_quote_and_escape() {
    let input_format = InputFormat::Csv(CsvInput {
        field_delimiter: ";".into(),
        record_delimiter: "|".into(),
        quote_character: "'".into(),
        quote_escape_character: "\\".into(),
        allow_quoted_record_delimiter: true,
        ..CsvInput::default()
    });
    let input = "a;'b;c'|'it\\'s';'x|y'|'back\\\\slash';'q''q'";
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            input,
            &input_format,
            &json_output()
        ),
        "{\"_1\":\"a\",\"_2\":\"b;c\"}\n{\"_1\":\"it's\",\"_2\":\"x|y\"}\n{\"_1\":\"back\\\\slash\",\"_2\":\"q'q\"}\n"
    );
}

#[test]
fn multi_character_delimiters() {
    let input_format = InputFormat::Csv(CsvInput {
        field_delimiter: "::".into(),
        record_delimiter: "\r\n".into(),
        ..CsvInput::default()
    });
    assert_eq!(
        select(
            "SELECT _2 FROM COSObject",
            "a::b:c\r\nd::e\r\n",
            &input_format,
            &csv_output()
        ),
        "b:c\ne\n"
    );
}

#[test]
fn crlf_line_endings_and_blank_lines_and_comments() {
    let input = "# a comment\r\n1,a\r\n\r\n2,b\r\n#another\n3,c";
    assert_eq!(
        csv("SELECT _1, _2 FROM COSObject", input),
        "1,a\n2,b\n3,c\n"
    );
    // Comments can be disabled or changed.
    let no_comments = InputFormat::Csv(CsvInput {
        comments: None,
        ..CsvInput::default()
    });
    assert_eq!(
        select(
            "SELECT _1 FROM COSObject",
            "#x,1\n",
            &no_comments,
            &csv_output()
        ),
        "#x\n"
    );
    let semicolon = InputFormat::Csv(CsvInput {
        comments: Some("//".into()),
        ..CsvInput::default()
    });
    assert_eq!(
        select(
            "SELECT _1 FROM COSObject",
            "// note\n#x,1\n",
            &semicolon,
            &csv_output()
        ),
        "#x\n"
    );
}

#[test]
fn csv_output_options() {
    let input = "a,b c,\"d\"\"e\"\n";
    let always = OutputFormat::Csv(CsvOutput {
        quote_fields: QuoteFields::Always,
        ..CsvOutput::default()
    });
    assert_eq!(
        select("SELECT * FROM COSObject", input, &csv_input(), &always),
        "\"a\",\"b c\",\"d\"\"e\"\n"
    );
    let custom = OutputFormat::Csv(CsvOutput {
        quote_fields: QuoteFields::AsNeeded,
        record_delimiter: "\r\n".into(),
        field_delimiter: "\t".into(),
        quote_character: "'".into(),
        quote_escape_character: "\\".into(),
    });
    assert_eq!(
        select(
            "SELECT _1, 'it''s', 'tab\there', _3 FROM COSObject",
            input,
            &csv_input(),
            &custom
        ),
        "a\t'it\\'s'\t'tab\there'\td\"e\r\n"
    );
    // An empty field is not quoted, even alone (like Go's encoding/csv).
    assert_eq!(csv("SELECT _2 FROM COSObject", "a,\n"), "\n");
    assert_eq!(csv("SELECT _1, _2 FROM COSObject", "a,\n"), "a,\n");
}

// ---------------------------------------------------------------------------
// WHERE, LIMIT, logic and comparisons
// ---------------------------------------------------------------------------

#[test]
fn limit() {
    let input = "1\n2\n3\n4\n";
    assert_eq!(csv("SELECT * FROM COSObject LIMIT 2", input), "1\n2\n");
    assert_eq!(csv("SELECT * FROM COSObject LIMIT 0", input), "");
    assert_eq!(
        csv("SELECT * FROM COSObject LIMIT 10", input),
        "1\n2\n3\n4\n"
    );
    assert_eq!(
        csv("SELECT * FROM COSObject WHERE _1 > 1 LIMIT 2;", input),
        "2\n3\n"
    );
    assert_eq!(
        csv(
            "SELECT * FROM COSObject LIMIT 99999999999999999999999",
            input
        ),
        "1\n2\n3\n4\n"
    );
}

#[test]
fn and_or_not_precedence() {
    // Columns: a, b, c as 0/1.
    let input = "0,0,0\n0,0,1\n0,1,0\n0,1,1\n1,0,0\n1,0,1\n1,1,0\n1,1,1\n";
    let rows = |cond: &str| {
        csv(
            &format!("SELECT _1, _2, _3 FROM COSObject WHERE {cond}"),
            input,
        )
    };
    // AND binds tighter than OR: a OR (b AND c).
    assert_eq!(
        rows("_1 = 1 OR _2 = 1 AND _3 = 1"),
        "0,1,1\n1,0,0\n1,0,1\n1,1,0\n1,1,1\n"
    );
    assert_eq!(
        rows("(_1 = 1 OR _2 = 1) AND _3 = 1"),
        "0,1,1\n1,0,1\n1,1,1\n"
    );
    // NOT binds tighter than AND: (NOT a) AND b.
    assert_eq!(rows("NOT _1 = 1 AND _2 = 1"), "0,1,0\n0,1,1\n");
    assert_eq!(
        rows("NOT (_1 = 1 AND _2 = 1)"),
        "0,0,0\n0,0,1\n0,1,0\n0,1,1\n1,0,0\n1,0,1\n"
    );
    assert_eq!(rows("not not _1 = 1 and _2 = 0 and _3 = 0"), "1,0,0\n");
    assert_eq!(
        rows("_1 = 1 AnD (_2 = 1 oR _3 = 1) AND NOT _2 = _3"),
        "1,0,1\n1,1,0\n"
    );
}

#[test]
fn null_handling() {
    let input = "{\"a\":1,\"b\":null}\n{\"a\":2}\n{\"a\":3,\"b\":\"x\"}\n";
    let rows = |cond: &str| {
        select(
            &format!("SELECT s.a FROM COSObject s WHERE {cond}"),
            input,
            &InputFormat::JsonLines,
            &csv_output(),
        )
    };
    assert_eq!(rows("s.b IS NULL"), "1\n2\n");
    assert_eq!(rows("s.b IS NOT NULL"), "3\n");
    assert_eq!(rows("s.b IS MISSING"), "2\n");
    assert_eq!(rows("s.b IS NOT MISSING"), "1\n3\n");
    // Comparisons with NULL are never TRUE, whichever the operator...
    assert_eq!(rows("s.b = 'x'"), "3\n");
    assert_eq!(rows("s.b != 'x'"), "");
    assert_eq!(rows("s.b <> 'y'"), "3\n");
    assert_eq!(rows("s.b = NULL"), "");
    // ... and, in three-valued logic, neither is their negation.
    assert_eq!(rows("NOT (s.b = 'y')"), "3\n");
    // UNKNOWN OR TRUE is TRUE; UNKNOWN AND FALSE is FALSE.
    assert_eq!(rows("s.b = 'y' OR s.a = 2"), "2\n");
    assert_eq!(rows("NOT (s.b = 'y' AND s.a = 5)"), "1\n2\n3\n");
    // Projection: MISSING is left out of JSON, NULL is written as null.
    assert_eq!(
        select(
            "SELECT s.a, s.b FROM COSObject s",
            input,
            &InputFormat::JsonLines,
            &json_output()
        ),
        "{\"a\":1,\"b\":null}\n{\"a\":2}\n{\"a\":3,\"b\":\"x\"}\n"
    );
    assert_eq!(
        select(
            "SELECT s.a, s.b FROM COSObject s",
            input,
            &InputFormat::JsonLines,
            &csv_output()
        ),
        "1,\n2,\n3,x\n"
    );
}

#[test]
fn empty_csv_field_is_empty_string_not_null() {
    assert_eq!(
        csv("SELECT _1 FROM COSObject WHERE _2 = ''", "a,\nb,x\n"),
        "a\n"
    );
    assert_eq!(
        csv("SELECT _1 FROM COSObject WHERE _2 IS NULL", "a,\nb,x\n"),
        ""
    );
}

#[test]
fn numeric_versus_string_comparison() {
    let check = |cond: &str, expected: bool| {
        let out = csv(
            &format!("SELECT 'yes' FROM COSObject WHERE {cond}"),
            "row\n",
        );
        assert_eq!(out == "yes\n", expected, "{cond}");
    };
    check("'10' > '9'", true); // numeric
    check("'10' > '9a'", false); // string: "1" < "9"
    check("'abc' < 'abd'", true);
    check("'1.0' = '1'", true);
    check("1e2 = 100", true);
    check("' 7 ' = 7", true);
    check("'007' = 7", true);
    check("-5 < 3", true);
    check("-5 < -3.5", true);
    check("'b' > 'B'", true);
    check("'x' = 'x'", true);
    check("'x' != 'x'", false);
    check("'x' <> 'y'", true);
    check("2 >= 2", true);
    check("2 <= 1", false);
    check("'inf' > 1", true); // "inf" is not a number: string comparison
    check(
        "170141183460469231731687303715884105727 > 170141183460469231731687303715884105726",
        true,
    );
    check("1 = 1.0000000000000000000001", true); // beyond f64 precision
    check("TRUE = 'true'", true);
    check("TRUE", true);
    check("FALSE", false);
    check("NULL", false);
    // JSON numbers and strings compare numerically when both are numbers.
    let input = "{\"n\":5,\"s\":\"5\",\"f\":4.5}\n";
    let json = |cond: &str| {
        select(
            &format!("SELECT 'yes' FROM COSObject s WHERE {cond}"),
            input,
            &InputFormat::JsonLines,
            &csv_output(),
        )
    };
    assert_eq!(json("s.n = s.s"), "yes\n");
    assert_eq!(json("s.f < s.n"), "yes\n");
    assert_eq!(json("s.n > 10"), "");
}

// ---------------------------------------------------------------------------
// JSON input and output
// ---------------------------------------------------------------------------

#[test]
fn json_output_keys() {
    let input = "a,b,c\n";
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            input,
            &csv_input(),
            &json_output()
        ),
        "{\"_1\":\"a\",\"_2\":\"b\",\"_3\":\"c\"}\n"
    );
    assert_eq!(
        select(
            "SELECT s._3, s._1 AS first, 'lit', 42 x, s._1 = 'a' FROM COSObject s",
            input,
            &csv_input(),
            &json_output()
        ),
        "{\"_3\":\"c\",\"first\":\"a\",\"_3\":\"lit\",\"x\":42,\"_5\":true}\n"
    );
    let custom = OutputFormat::Json(JsonOutput {
        record_delimiter: ",".into(),
    });
    assert_eq!(
        select("SELECT _1 FROM COSObject", "a\nb\n", &csv_input(), &custom),
        "{\"_1\":\"a\"},{\"_1\":\"b\"},"
    );
    // Aliases are ignored in CSV output.
    assert_eq!(csv("SELECT _1 AS x FROM COSObject", "a\n"), "a\n");
}

#[test]
fn json_output_numbers_are_valid_json() {
    let out = select(
        "SELECT 007, .5, -3, 1., 2e3, '0' FROM COSObject",
        "x\n",
        &csv_input(),
        &json_output(),
    );
    assert_eq!(
        out,
        "{\"_1\":7,\"_2\":0.5,\"_3\":-3,\"_4\":1,\"_5\":2e3,\"_6\":\"0\"}\n"
    );
    serde_json::from_str::<serde_json::Value>(out.trim_end()).unwrap();
}

#[test]
fn json_nested_paths_and_case() {
    let input = r#"{"User":{"Name":"ann","tags":["a","b"],"n":{"x":1}},"k":"v"}
{"User":{"Name":"bob","tags":[]}}
"#;
    let q = |expr: &str, out: &OutputFormat| select(expr, input, &InputFormat::JsonLines, out);
    assert_eq!(
        q(
            "SELECT s.user.name, s.User.tags[1] FROM COSObject s",
            &csv_output()
        ),
        "ann,b\nbob,\n"
    );
    assert_eq!(
        q("SELECT s.\"User\".\"name\" FROM COSObject s", &csv_output()),
        "\n\n"
    );
    assert_eq!(
        q(
            "SELECT s.User.n, s.User.tags FROM COSObject s LIMIT 1",
            &csv_output()
        ),
        "\"{\"\"x\"\":1}\",\"[\"\"a\"\",\"\"b\"\"]\"\n"
    );
    assert_eq!(
        q("SELECT s.User.n AS n, s.k FROM COSObject s", &json_output()),
        "{\"n\":{\"x\":1},\"k\":\"v\"}\n{}\n"
    );
    assert_eq!(
        q(
            "SELECT k FROM COSObject WHERE User.Name = 'ann'",
            &csv_output()
        ),
        "v\n"
    );
    assert_eq!(
        q(
            "SELECT COSObject.k FROM COSObject WHERE k IS NOT NULL",
            &csv_output()
        ),
        "v\n"
    );
    assert_eq!(
        q(
            "SELECT s.* FROM COSObject AS s WHERE s.k = 'v'",
            &json_output()
        ),
        format!("{}\n", input.lines().next().unwrap())
    );
}

#[test]
fn json_document_input() {
    let input = "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n{\"a\": 2} 7 \"str\"\n";
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            input,
            &InputFormat::JsonDocument,
            &json_output()
        ),
        "{\"a\":1,\"b\":[1,2]}\n{\"a\":2}\n{\"_1\":7}\n{\"_1\":\"str\"}\n"
    );
    assert_eq!(
        InputFormat::json("document").unwrap(),
        InputFormat::JsonDocument
    );
    assert_eq!(InputFormat::json("LINES").unwrap(), InputFormat::JsonLines);
    assert!(InputFormat::json("xml").is_err());
}

#[test]
fn json_strings_and_escapes() {
    let input = r#"{"s":"tab\there \"q\" \u00e9 \ud83d\ude00 \/","c":"\u0001"}"#;
    let out = select(
        "SELECT * FROM COSObject",
        input,
        &InputFormat::JsonLines,
        &json_output(),
    );
    assert_eq!(
        out,
        "{\"s\":\"tab\\there \\\"q\\\" é 😀 /\",\"c\":\"\\u0001\"}\n"
    );
    let value: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    assert_eq!(value["s"], "tab\there \"q\" é 😀 /");
}

#[test]
fn json_parse_errors_report_lines() {
    let e = err(
        "SELECT * FROM COSObject",
        "{\"a\":1}\n\n{\"a\":}\n",
        &InputFormat::JsonLines,
    );
    assert!(
        matches!(e, SelectEngineError::JsonParsing { line: 3, .. }),
        "{e:?}"
    );
    assert_eq!(e.code(), "JSONParsingError");
    let e = err(
        "SELECT * FROM COSObject",
        "{\"a\":1} x",
        &InputFormat::JsonLines,
    );
    assert!(
        matches!(e, SelectEngineError::JsonParsing { line: 1, .. }),
        "{e:?}"
    );
    let e = err(
        "SELECT * FROM COSObject",
        "{\"a\":\n1}\n{\"b\"\n:\n]",
        &InputFormat::JsonDocument,
    );
    assert!(
        matches!(e, SelectEngineError::JsonParsing { line: 5, .. }),
        "{e:?}"
    );
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let e = err("SELECT * FROM COSObject", &deep, &InputFormat::JsonLines);
    assert!(matches!(e, SelectEngineError::JsonParsing { .. }), "{e:?}");
    for bad in [
        "\"\\ud800\"",
        "01",
        "1.",
        "-",
        "tru",
        "{\"a\" 1}",
        "[1,]",
        "\"a\u{1}\"",
    ] {
        let e = err("SELECT * FROM COSObject", bad, &InputFormat::JsonLines);
        assert!(
            matches!(e, SelectEngineError::JsonParsing { .. }),
            "{bad}: {e:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

#[test]
fn parse_errors_with_positions() {
    assert_eq!(
        parse_err("SELECT * FORM COSObject"),
        (ParseErrorKind::UnexpectedToken, 9)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE"),
        (ParseErrorKind::ExpectedExpression, 29)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE _1 = 'abc"),
        (ParseErrorKind::InvalidLiteral, 35)
    );
    assert_eq!(
        parse_err("SELECT \"abc FROM COSObject"),
        (ParseErrorKind::InvalidLiteral, 7)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE _1 = #"),
        (ParseErrorKind::InvalidChar, 35)
    );
    assert_eq!(
        parse_err("SELECT * FROM Other"),
        (ParseErrorKind::UnexpectedToken, 14)
    );
    assert_eq!(parse_err("UPDATE x"), (ParseErrorKind::ExpectedKeyword, 0));
    assert_eq!(parse_err(""), (ParseErrorKind::ExpectedKeyword, 0));
    assert_eq!(
        parse_err("SELECT FROM COSObject"),
        (ParseErrorKind::EmptySelect, 7)
    );
    assert_eq!(
        parse_err("SELECT _1"),
        (ParseErrorKind::SelectMissingFrom, 9)
    );
    assert_eq!(
        parse_err("SELECT *, _1 FROM COSObject"),
        (ParseErrorKind::AsteriskIsNotAloneInSelectList, 8)
    );
    assert_eq!(
        parse_err("SELECT _1, * FROM COSObject"),
        (ParseErrorKind::AsteriskIsNotAloneInSelectList, 11)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject LIMIT -1"),
        (ParseErrorKind::ExpectedNumber, 30)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject LIMIT 1.5"),
        (ParseErrorKind::ExpectedNumber, 30)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject LIMIT 1 2"),
        (ParseErrorKind::ExpectedEndOfInput, 32)
    );
    assert_eq!(
        parse_err("SELECT _1 AS FROM COSObject"),
        (ParseErrorKind::ExpectedIdentForAlias, 13)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE (_1 = 1"),
        (ParseErrorKind::UnexpectedToken, 37)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE _1 = 1)"),
        (ParseErrorKind::ExpectedEndOfInput, 36)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE _1 = = 1"),
        (ParseErrorKind::ExpectedExpression, 35)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE _1 IS 5"),
        (ParseErrorKind::ExpectedKeyword, 36)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE 12abc = 1"),
        (ParseErrorKind::InvalidLiteral, 30)
    );
    assert_eq!(
        parse_err("SELECT * FROM COSObject WHERE _1 = 1 = 2"),
        (ParseErrorKind::ExpectedEndOfInput, 37)
    );
    assert_eq!(
        parse_err("SELECT x.* FROM COSObject s"),
        (ParseErrorKind::InvalidTableAlias, 7)
    );
    assert_eq!(
        parse_err("SELECT é, ü FROM COSObject WHERE ü = 'ö' AND ^"),
        (ParseErrorKind::InvalidChar, 45)
    );
    // Positions are counted in characters, not bytes.
    let e = err("SELECT * FORM COSObject", "", &csv_input());
    assert_eq!(e.code(), "ParseUnexpectedToken");
    assert!(e.to_string().contains("at character 9"), "{e}");
}

#[test]
fn column_reference_errors_for_csv() {
    let e = err("SELECT s._0 FROM COSObject s", "a\n", &csv_input());
    assert_eq!(e.code(), "InvalidColumnIndex");
    assert!(
        matches!(e, SelectEngineError::Parse { position: 7, .. }),
        "{e:?}"
    );
    let e = err("SELECT t._1 FROM COSObject s", "a\n", &csv_input());
    assert_eq!(e.code(), "InvalidTableAlias");
    let e = err("SELECT s._1 FROM COSObject", "a\n", &csv_input());
    assert_eq!(e.code(), "InvalidTableAlias");
    // For JSON, `_0` and dotted names are keys and paths.
    assert_eq!(
        select(
            "SELECT _0, t.u FROM COSObject",
            "{\"_0\":1,\"t\":{\"u\":2}}",
            &InputFormat::JsonLines,
            &csv_output()
        ),
        "1,2\n"
    );
}

#[test]
fn nesting_depth_is_bounded() {
    let ok = format!(
        "SELECT * FROM COSObject WHERE {}_1 = 1{}",
        "(".repeat(60),
        ")".repeat(60)
    );
    assert_eq!(csv(&ok, "1\n2\n"), "1\n");
    let deep = format!(
        "SELECT * FROM COSObject WHERE {}_1 = 1{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let e = err(&deep, "1\n", &csv_input());
    assert_eq!(e.code(), "MaxOperatorsExceeded");
    let nots = format!(
        "SELECT * FROM COSObject WHERE {} _1 = 1",
        "NOT ".repeat(1000)
    );
    assert_eq!(
        err(&nots, "1\n", &csv_input()).code(),
        "MaxOperatorsExceeded"
    );
    // Long AND chains are flat, not deep.
    let chain = format!(
        "SELECT * FROM COSObject WHERE _1 = 1{}",
        " AND _1 = 1".repeat(10_000)
    );
    assert_eq!(csv(&chain, "1\n2\n"), "1\n");
}

#[test]
fn expression_length_is_bounded() {
    let long = format!(
        "SELECT * FROM COSObject WHERE _1 = '{}'",
        "x".repeat(300 * 1024)
    );
    let e = err(&long, "", &csv_input());
    assert!(
        matches!(e, SelectEngineError::ExpressionTooLong { .. }),
        "{e:?}"
    );
    assert_eq!(e.code(), "ExpressionTooLong");
}

#[test]
fn unsupported_features() {
    for expr in [
        "SELECT UPPER(_1) FROM COSObject",
        "SELECT COUNT(DISTINCT _1) FROM COSObject",
        "SELECT * FROM COSObject WHERE _1 LIKE 'a%'",
        "SELECT * FROM COSObject WHERE _1 NOT IN ('a')",
        "SELECT * FROM COSObject WHERE _1 BETWEEN 1 AND 2",
        "SELECT * FROM COSObject ORDER BY _1",
        "SELECT _1 + 1 FROM COSObject",
        "SELECT CASE WHEN _1 = 1 THEN 2 END FROM COSObject",
        "SELECT * FROM COSObject[*].a s",
        "SELECT * FROM COSObject s WHERE s.a[*] = 1",
        "SELECT _1 || _2 FROM COSObject",
    ] {
        let e = err(expr, "", &InputFormat::JsonLines);
        assert!(
            matches!(e, SelectEngineError::UnsupportedFeature(_)),
            "{expr}: {e:?}"
        );
        assert_eq!(e.code(), "UnsupportedSyntax");
        assert_eq!(e.http_status(), 400);
    }
}

#[test]
fn compression_and_option_names() {
    assert_eq!(
        "NONE".parse::<CompressionType>().unwrap(),
        CompressionType::None
    );
    assert_eq!(
        "gzip".parse::<CompressionType>().unwrap(),
        CompressionType::Gzip
    );
    assert_eq!(
        "BZIP2".parse::<CompressionType>().unwrap(),
        CompressionType::Bzip2
    );
    assert_eq!(CompressionType::Bzip2.name(), "BZIP2");
    assert!("zip".parse::<CompressionType>().is_err());
    assert_eq!(
        "use".parse::<FileHeaderInfo>().unwrap(),
        FileHeaderInfo::Use
    );
    assert_eq!(
        "IGNORE".parse::<FileHeaderInfo>().unwrap(),
        FileHeaderInfo::Ignore
    );
    assert_eq!(
        "None".parse::<FileHeaderInfo>().unwrap(),
        FileHeaderInfo::None
    );
    assert_eq!(
        "yes".parse::<FileHeaderInfo>().unwrap_err().code(),
        "InvalidFileHeaderInfo"
    );
    assert_eq!(
        "ALWAYS".parse::<QuoteFields>().unwrap(),
        QuoteFields::Always
    );
    assert_eq!(
        "asneeded".parse::<QuoteFields>().unwrap(),
        QuoteFields::AsNeeded
    );
    assert_eq!(
        "never".parse::<QuoteFields>().unwrap_err().code(),
        "InvalidQuoteFields"
    );
}

#[test]
fn defaults_match_cos() {
    let input = CsvInput::default();
    assert_eq!(input.file_header_info, FileHeaderInfo::None);
    assert_eq!(input.record_delimiter, "\n");
    assert_eq!(input.field_delimiter, ",");
    assert_eq!(input.quote_character, "\"");
    assert_eq!(input.quote_escape_character, "\"");
    assert!(!input.allow_quoted_record_delimiter);
    let output = CsvOutput::default();
    assert_eq!(output.quote_fields, QuoteFields::AsNeeded);
    assert_eq!(output.record_delimiter, "\n");
    assert_eq!(output.field_delimiter, ",");
    assert_eq!(JsonOutput::default().record_delimiter, "\n");
    assert_eq!(
        InputFormat::default(),
        InputFormat::Csv(CsvInput::default())
    );
    assert_eq!(
        OutputFormat::default(),
        OutputFormat::Csv(CsvOutput::default())
    );
}

#[test]
fn invalid_options() {
    for config in [
        CsvInput {
            field_delimiter: String::new(),
            ..CsvInput::default()
        },
        CsvInput {
            record_delimiter: String::new(),
            ..CsvInput::default()
        },
        CsvInput {
            field_delimiter: "\n".into(),
            ..CsvInput::default()
        },
        CsvInput {
            quote_character: "''".into(),
            ..CsvInput::default()
        },
        CsvInput {
            quote_character: ",".into(),
            ..CsvInput::default()
        },
    ] {
        let e = err(
            "SELECT * FROM COSObject",
            "a\n",
            &InputFormat::Csv(config.clone()),
        );
        assert_eq!(e.code(), "InvalidRequestParameter", "{config:?}");
    }
    let output = OutputFormat::Csv(CsvOutput {
        quote_escape_character: "ab".into(),
        ..CsvOutput::default()
    });
    let e = run("SELECT * FROM COSObject", b"a\n", &csv_input(), &output).unwrap_err();
    assert_eq!(e.code(), "InvalidRequestParameter");
}

#[test]
fn text_encoding() {
    let e = run(
        "SELECT * FROM COSObject",
        b"ab\xffc\n",
        &csv_input(),
        &csv_output(),
    )
    .unwrap_err();
    assert_eq!(e, SelectEngineError::InvalidTextEncoding { offset: 2 });
    assert_eq!(e.code(), "InvalidTextEncoding");
    // A byte-order mark is skipped.
    let out = run(
        "SELECT _1 FROM COSObject",
        "\u{feff}a,b\n".as_bytes(),
        &csv_input(),
        &csv_output(),
    )
    .unwrap();
    assert_eq!(out.records, b"a\n");
    // Non-ASCII text passes through.
    assert_eq!(
        csv("SELECT _2 FROM COSObject WHERE _1 = 'ü'", "ü,日本\n"),
        "日本\n"
    );
}

#[test]
fn empty_input_and_trailing_record_without_newline() {
    let out = run("SELECT * FROM COSObject", b"", &csv_input(), &csv_output()).unwrap();
    assert_eq!(out, SelectOutput::default());
    assert_eq!(csv("SELECT * FROM COSObject", "a,b\nc,d"), "a,b\nc,d\n");
    assert_eq!(
        select(
            "SELECT * FROM COSObject",
            "",
            &InputFormat::JsonLines,
            &json_output()
        ),
        ""
    );
}

#[test]
fn syntax_variants() {
    let input = "1,x\n2,y\n";
    for expr in [
        "SELECT s._2 FROM COSObject s WHERE s._1 = 2",
        "select S._2 from COSOBJECT as S where S._1 = 2;",
        "SELECT \"s\"._2 FROM cosobject \"s\" WHERE _1 = 2 -- trailing comment",
        "SELECT\n\t_2\nFROM\nCOSObject\nWHERE\n_1>=2",
        "SELECT COSObject._2 FROM COSObject WHERE (((_1 > 1)))",
        "SELECT s._2 FROM COSObject s WHERE s._1 <> 1",
        "SELECT s._2 FROM COSObject s WHERE s._1 != 1",
        "SELECT s.* FROM COSObject s WHERE NOT s._1 < 2",
    ] {
        let out = csv(expr, input);
        assert!(out == "y\n" || out == "2,y\n", "{expr}: {out:?}");
    }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

fn any_csv_input() -> impl Strategy<Value = CsvInput> {
    let header = prop_oneof![
        Just(FileHeaderInfo::None),
        Just(FileHeaderInfo::Ignore),
        Just(FileHeaderInfo::Use)
    ];
    let small = || proptest::string::string_regex("[,;\n\r\"'\\\\#|a]{0,2}").unwrap();
    (
        header,
        small(),
        small(),
        small(),
        small(),
        proptest::option::of(small()),
        any::<bool>(),
    )
        .prop_map(
            |(
                file_header_info,
                record_delimiter,
                field_delimiter,
                quote_character,
                quote_escape_character,
                comments,
                allow,
            )| {
                CsvInput {
                    file_header_info,
                    record_delimiter,
                    field_delimiter,
                    quote_character,
                    quote_escape_character,
                    comments,
                    allow_quoted_record_delimiter: allow,
                }
            },
        )
}

fn any_input_format() -> impl Strategy<Value = InputFormat> {
    prop_oneof![
        any_csv_input().prop_map(InputFormat::Csv),
        Just(InputFormat::Csv(CsvInput::default())),
        Just(InputFormat::JsonLines),
        Just(InputFormat::JsonDocument),
    ]
}

fn any_output_format() -> impl Strategy<Value = OutputFormat> {
    let small = || proptest::string::string_regex("[,;\n\"'\\\\]{0,2}").unwrap();
    prop_oneof![
        (any::<bool>(), small(), small(), small(), small()).prop_map(|(always, rd, fd, q, e)| {
            OutputFormat::Csv(CsvOutput {
                quote_fields: if always {
                    QuoteFields::Always
                } else {
                    QuoteFields::AsNeeded
                },
                record_delimiter: rd,
                field_delimiter: fd,
                quote_character: q,
                quote_escape_character: e,
            })
        }),
        Just(OutputFormat::Json(JsonOutput::default())),
    ]
}

/// SQL-ish text built from tokens the parser knows, so that random
/// expressions get past the tokenizer and exercise the parser and evaluator.
fn sqlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("SELECT"),
        Just("*"),
        Just("FROM"),
        Just("COSObject"),
        Just("s"),
        Just("AS"),
        Just("WHERE"),
        Just("LIMIT"),
        Just("AND"),
        Just("OR"),
        Just("NOT"),
        Just("IS"),
        Just("NULL"),
        Just("MISSING"),
        Just("TRUE"),
        Just("("),
        Just(")"),
        Just(","),
        Just("."),
        Just("="),
        Just("!="),
        Just("<"),
        Just(">="),
        Just("s._1"),
        Just("s._2"),
        Just("_0"),
        Just("s.a"),
        Just("a.b[0]"),
        Just("\"name\""),
        Just("'10'"),
        Just("'x'"),
        Just("3"),
        Just("-2.5"),
        Just("["),
        Just("]"),
        Just("1e3"),
        Just(";"),
        Just("'"),
        Just("\""),
    ];
    (proptest::collection::vec(token, 0..24), any::<bool>()).prop_map(|(tokens, prefix)| {
        let body = tokens.join(" ");
        if prefix {
            format!("SELECT s._1, s.a FROM COSObject s WHERE {body}")
        } else {
            body
        }
    })
}

fn csv_field() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-c ,;\"'\\\\\n\r|#é]{0,6}").unwrap()
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,8}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::vec(("[a-z]{0,4}", inner), 0..6)
                .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn run_never_panics_on_arbitrary_input(
        expression in ".{0,64}",
        input in proptest::collection::vec(any::<u8>(), 0..256),
        input_format in any_input_format(),
        output_format in any_output_format(),
    ) {
        let _ = run(&expression, &input, &input_format, &output_format);
    }

    #[test]
    fn run_never_panics_on_sqlish_expressions(
        expression in sqlish(),
        input in "[0-9a-z,;\"'\\\\\n\r{}\\[\\]:. ]{0,64}",
        input_format in any_input_format(),
        output_format in any_output_format(),
    ) {
        let _ = run(&expression, input.as_bytes(), &input_format, &output_format);
    }

    #[test]
    fn run_never_panics_on_valid_queries_over_json(
        cond in sqlish(),
        values in proptest::collection::vec(json_value(), 0..4),
    ) {
        let input: String = values.iter().map(|v| format!("{v}\n")).collect();
        let _ = run(&cond, input.as_bytes(), &InputFormat::JsonLines, &json_output());
    }

    #[test]
    fn csv_round_trips_through_select_star(
        records in proptest::collection::vec(
            // A record of one empty field would be a blank line, which is skipped.
            proptest::collection::vec(csv_field(), 1..5)
                .prop_filter("not a blank line", |r| r.len() > 1 || r.iter().any(|f| !f.is_empty())),
            0..6,
        ),
        always in any::<bool>(),
        backslash_escape in any::<bool>(),
    ) {
        let escape = if backslash_escape { "\\" } else { "\"" };
        let output_format = OutputFormat::Csv(CsvOutput {
            quote_fields: if always { QuoteFields::Always } else { QuoteFields::AsNeeded },
            quote_escape_character: escape.into(),
            ..CsvOutput::default()
        });
        let input_format = InputFormat::Csv(CsvInput {
            quote_escape_character: escape.into(),
            comments: None,
            allow_quoted_record_delimiter: true,
            ..CsvInput::default()
        });
        // Write the records with the engine's writer via a literal-free path:
        // JSON-encode them, select them back as CSV.
        let json: String = records
            .iter()
            .map(|r| {
                let object: serde_json::Map<String, serde_json::Value> = r
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (format!("k{i}"), serde_json::Value::String(f.clone())))
                    .collect();
                format!("{}\n", serde_json::Value::Object(object))
            })
            .collect();
        let csv_text = run("SELECT * FROM COSObject", json.as_bytes(), &InputFormat::JsonLines, &output_format)
            .unwrap()
            .records;
        // Reading that CSV back gives the same fields...
        let back = run("SELECT * FROM COSObject", &csv_text, &input_format, &json_output()).unwrap();
        let expected: String = records
            .iter()
            .map(|r| {
                let object: serde_json::Map<String, serde_json::Value> = r
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (format!("_{}", i + 1), serde_json::Value::String(f.clone())))
                    .collect();
                format!("{}\n", serde_json::Value::Object(object))
            })
            .collect();
        let parse_lines = |text: &str| -> Vec<serde_json::Value> {
            text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
        };
        prop_assert_eq!(
            parse_lines(&String::from_utf8(back.records).unwrap()),
            parse_lines(&expected)
        );
        // ... and CSV → CSV is the identity on the writer's output.
        let again = run("SELECT * FROM COSObject", &csv_text, &input_format, &output_format).unwrap();
        prop_assert_eq!(again.records, csv_text);
    }

    #[test]
    fn json_parser_agrees_with_serde_json(value in json_value()) {
        let text = value.to_string();
        let parsed = json_input::parse_one(&text).unwrap();
        // Both writers are compact and the engine keeps member order and
        // number text, so the text comes back unchanged.
        prop_assert_eq!(parsed.to_json_string(), text);
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        prop_assert_eq!(json_input::parse_one(&pretty).unwrap(), parsed);
    }

    #[test]
    fn json_parser_accepts_what_serde_json_accepts(text in "[\\[\\]{}\":,0-9.eE+\\-a-z\\\\ ]{0,16}") {
        let ours = json_input::parse_one(&text).is_ok();
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        // serde_json rejects numbers beyond f64; the engine keeps their text.
        prop_assume!(!matches!(&theirs, Err(e) if e.to_string().contains("out of range")));
        let theirs = theirs.is_ok();
        prop_assert_eq!(ours, theirs, "{:?}", text);
    }

    #[test]
    fn integer_comparisons_are_numeric(a in any::<i64>(), b in any::<i64>()) {
        let input = format!("{a},{b}\n");
        for (op, holds) in [("<", a < b), ("<=", a <= b), ("=", a == b), ("!=", a != b), (">", a > b), (">=", a >= b)] {
            let out = csv(&format!("SELECT 'y' FROM COSObject s WHERE s._1 {op} s._2"), &input);
            prop_assert_eq!(out == "y\n", holds, "{} {} {}", a, op, b);
            let literal = csv(&format!("SELECT 'y' FROM COSObject s WHERE s._1 {op} '{b}'"), &input);
            prop_assert_eq!(literal == "y\n", holds, "{} {} '{}'", a, op, b);
        }
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn compressed_input_is_decompressed_before_the_query() {
    let rows = b"{\"name\":\"a\",\"n\":1}\n{\"name\":\"b\",\"n\":2}\n";
    assert_eq!(
        CompressionType::None.decompress(rows, 10).unwrap().as_ref(),
        rows,
        "NONE is not bounded here: the caller bounds the object"
    );
    for (kind, compressed) in [
        (CompressionType::Gzip, gzip(rows)),
        (CompressionType::Bzip2, bzip2(rows)),
    ] {
        let input = kind.decompress(&compressed, 1024).unwrap();
        assert_eq!(input.as_ref(), rows);
        let out = run(
            "select s.name from COSObject s where s.n = 2",
            &input,
            &InputFormat::JsonLines,
            &OutputFormat::Json(JsonOutput::default()),
        )
        .unwrap();
        assert_eq!(out.records, b"{\"name\":\"b\"}\n");
    }
    // Concatenated members / streams are one object.
    let mut two = gzip(b"1\n");
    two.extend_from_slice(&gzip(b"2\n"));
    assert_eq!(
        CompressionType::Gzip
            .decompress(&two, 1024)
            .unwrap()
            .as_ref(),
        b"1\n2\n"
    );
    let mut two = bzip2(b"1\n");
    two.extend_from_slice(&bzip2(b"2\n"));
    assert_eq!(
        CompressionType::Bzip2
            .decompress(&two, 1024)
            .unwrap()
            .as_ref(),
        b"1\n2\n"
    );
}

#[test]
fn corrupt_or_oversized_compressed_input_is_an_error() {
    let rows = b"{\"n\":1}\n".repeat(100);
    for (kind, compressed) in [
        (CompressionType::Gzip, gzip(&rows)),
        (CompressionType::Bzip2, bzip2(&rows)),
    ] {
        let not_compressed = kind.decompress(&rows, 1 << 20).unwrap_err();
        assert!(
            matches!(not_compressed, SelectEngineError::Decompression { .. }),
            "{kind:?}: {not_compressed:?}"
        );
        assert_eq!(not_compressed.code(), "TruncatedInput");
        assert_eq!(not_compressed.http_status(), 400);
        let truncated = &compressed[..compressed.len() - 6];
        assert!(kind.decompress(truncated, 1 << 20).is_err(), "{kind:?}");
        let mut flipped = compressed.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x55;
        assert!(kind.decompress(&flipped, 1 << 20).is_err(), "{kind:?}");
        let mut trailing = compressed.clone();
        trailing.extend_from_slice(b"garbage");
        assert!(kind.decompress(&trailing, 1 << 20).is_err(), "{kind:?}");
        assert!(kind.decompress(b"", 1 << 20).map_or(true, |d| d.is_empty()));
        // Exactly at the bound is fine; one byte over is not.
        let limit = rows.len() as u64;
        assert_eq!(
            kind.decompress(&compressed, limit).unwrap().len(),
            rows.len()
        );
        let e = kind.decompress(&compressed, limit - 1).unwrap_err();
        assert!(matches!(e, SelectEngineError::DecompressedTooLarge { .. }));
        assert_eq!(e.code(), "InvalidArgument");
    }
    // A bomb: 64 MiB of zeros in a small object, refused at 1 MiB.
    let bomb = gzip(&vec![0u8; 64 << 20]);
    assert!(bomb.len() < 1 << 20);
    let e = CompressionType::Gzip
        .decompress(&bomb, 1 << 20)
        .unwrap_err();
    assert!(matches!(e, SelectEngineError::DecompressedTooLarge { limit, .. } if limit == 1 << 20));
}

proptest! {
    #[test]
    fn decompressing_arbitrary_bytes_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        for kind in [CompressionType::Gzip, CompressionType::Bzip2] {
            let _ = kind.decompress(&data, 4096);
        }
        // Nor does a valid header followed by noise.
        let mut noisy = gzip(b"x");
        noisy.truncate(10);
        noisy.extend_from_slice(&data);
        let _ = CompressionType::Gzip.decompress(&noisy, 4096);
    }
}
