//! Evaluation of parsed queries against one record at a time.
//!
//! # Semantics
//!
//! * **Column references.** For CSV input, `_N` (unquoted, N ≥ 1) is the N-th
//!   field whatever `FileHeaderInfo` says; any other name is looked up in the
//!   header when `FileHeaderInfo` is USE (quoted names match exactly, unquoted
//!   ones exactly or else case-insensitively). For JSON input each name is an
//!   object key (same matching rules) and `[n]` an array index, so `s.a.b[0]`
//!   walks nested values. A column that does not exist is MISSING.
//! * **NULL.** MISSING and JSON `null` are both NULL for `IS NULL`;
//!   `IS MISSING` is true only for absent columns. An empty CSV field is the
//!   empty string, not NULL.
//! * **Comparisons.** If either side is NULL the comparison is UNKNOWN. If
//!   both sides' text parses as a decimal number (optional sign, digits,
//!   optional fraction and exponent, surrounding whitespace ignored) the
//!   numbers are compared — this holds for string literals and CSV fields
//!   too, so `s._1 > '10'` is numeric when the field is numeric. Otherwise
//!   both sides are compared as strings, by Unicode code point (booleans as
//!   `true`/`false`, arrays and objects as their compact JSON text).
//! * **Logic.** `AND`, `OR` and `NOT` use SQL three-valued logic; `WHERE`
//!   keeps a record only when its condition is TRUE, so comparisons with NULL
//!   never select a record (and neither does `NOT` of one). `AND` and `OR`
//!   stop at the first operand that decides them.
//! * **`CAST`** converts as the `cast` module describes; a value it cannot
//!   convert fails the query, which is why evaluation returns a `Result`.
//! * **Aggregates** are computed by the `aggregate` module; the one record of
//!   an aggregate query is evaluated against their results
//!   ([`Row::Aggregated`]).

use std::borrow::Cow;
use std::cmp::Ordering;

use super::cast;
use super::error::{ParseErrorKind, SelectEngineError};
use super::json_input::JsonValue;
use super::sql::{self, ColumnRef, Expr, Literal, Projection, Query, Segment};

/// The value of an expression for one record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    /// The column does not exist in this record.
    Missing,
    /// SQL NULL (JSON `null`, an UNKNOWN truth value, or the literal NULL).
    Null,
    Bool(bool),
    /// A number, as written.
    Number(Cow<'a, str>),
    Text(Cow<'a, str>),
    /// A JSON array or object.
    Json(&'a JsonValue),
}

impl<'a> Value<'a> {
    /// The value's text, or `None` for MISSING and NULL.
    pub(crate) fn text(&self) -> Option<Cow<'a, str>> {
        match self {
            Self::Missing | Self::Null => None,
            Self::Bool(true) => Some(Cow::Borrowed("true")),
            Self::Bool(false) => Some(Cow::Borrowed("false")),
            Self::Number(n) => Some(n.clone()),
            Self::Text(t) => Some(t.clone()),
            Self::Json(v) => Some(Cow::Owned(v.to_json_string())),
        }
    }

    fn from_json(value: &'a JsonValue) -> Self {
        match value {
            JsonValue::Null => Self::Null,
            JsonValue::Bool(b) => Self::Bool(*b),
            JsonValue::Number(n) => Self::Number(Cow::Borrowed(n)),
            JsonValue::String(s) => Self::Text(Cow::Borrowed(s)),
            JsonValue::Array(_) | JsonValue::Object(_) => Self::Json(value),
        }
    }
}

/// One input record.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Row<'a> {
    /// A CSV record, with the header when `FileHeaderInfo` is USE.
    Csv {
        fields: &'a [String],
        header: Option<&'a [String]>,
    },
    /// A top-level JSON value.
    Json(&'a JsonValue),
    /// The results of an aggregate query's calls, by slot: the one record such a
    /// query returns is evaluated against it.
    Aggregated(&'a [Value<'a>]),
}

/// A number parsed from text for comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    /// The number as a double.
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            // Precision loss is acceptable for mixed comparisons.
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }

    fn compare(self, other: Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

/// Parses `[+-]digits[.digits][e[+-]digits]` (or `[+-].digits...`), ignoring
/// surrounding whitespace. `inf`, `NaN`, hex and the like are not numbers.
pub(crate) fn parse_number(text: &str) -> Option<Number> {
    let t = text.trim();
    let bytes = t.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    let mut integral = true;
    if bytes.get(i) == Some(&b'.') {
        integral = false;
        i += 1;
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_digits = i - start;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        integral = false;
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    if integral && let Ok(n) = t.parse::<i128>() {
        return Some(Number::Int(n));
    }
    t.parse::<f64>().ok().map(Number::Float)
}

/// Checks column references against the input kind: for CSV input, column
/// references must be single names (after the alias was removed) and
/// positions start at `_1`.
pub(crate) fn validate(query: &Query, csv: bool) -> Result<(), SelectEngineError> {
    if !csv {
        return Ok(());
    }
    let mut check = |column: &ColumnRef| -> Result<(), SelectEngineError> {
        match column.segments.as_slice() {
            [
                Segment::Name {
                    name,
                    quoted: false,
                },
            ] if positional_index(name) == Some(0) => Err(SelectEngineError::parse(
                ParseErrorKind::InvalidColumnIndex,
                column.pos,
                format!("invalid column index {name}: positions start at _1"),
            )),
            [Segment::Name { .. }] => Ok(()),
            [Segment::Name { name, .. }, _, ..] => Err(SelectEngineError::parse(
                ParseErrorKind::InvalidTableAlias,
                column.pos,
                format!(
                    "`{name}` is not the table alias; CSV columns are referenced as \
                     alias.column or column"
                ),
            )),
            _ => Err(SelectEngineError::parse(
                ParseErrorKind::UnexpectedToken,
                column.pos,
                "invalid column reference",
            )),
        }
    };
    if let Projection::Items(items) = &query.projection {
        for item in items {
            sql::visit_columns(&item.expr, &mut check)?;
        }
    }
    if let Some(expr) = &query.where_clause {
        sql::visit_columns(expr, &mut check)?;
    }
    Ok(())
}

/// `_N` → `Some(N)` (saturating `None` if N overflows).
fn positional_index(name: &str) -> Option<usize> {
    let digits = name.strip_prefix('_')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn eq_case_insensitive(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Finds `name` among `names`: exactly, or (unquoted) case-insensitively.
fn find_name<'n, I>(names: I, name: &str, quoted: bool) -> Option<usize>
where
    I: Iterator<Item = &'n str> + Clone,
{
    let mut all = names.clone();
    if let Some(i) = all.position(|n| n == name) {
        return Some(i);
    }
    if quoted {
        return None;
    }
    names.into_iter().position(|n| eq_case_insensitive(n, name))
}

fn lookup<'a>(column: &ColumnRef, row: Row<'a>) -> Value<'a> {
    match row {
        Row::Csv { fields, header } => {
            let [Segment::Name { name, quoted }] = column.segments.as_slice() else {
                return Value::Missing;
            };
            let index = if let Some(n) = positional_index(name).filter(|_| !quoted) {
                n.checked_sub(1)
            } else {
                header.and_then(|h| find_name(h.iter().map(String::as_str), name, *quoted))
            };
            match index.and_then(|i| fields.get(i)) {
                Some(field) => Value::Text(Cow::Borrowed(field)),
                None => Value::Missing,
            }
        }
        Row::Json(mut current) => {
            for segment in &column.segments {
                let next = match (segment, current) {
                    (Segment::Name { name, quoted }, JsonValue::Object(members)) => {
                        find_name(members.iter().map(|(k, _)| k.as_str()), name, *quoted)
                            .and_then(|i| members.get(i))
                            .map(|(_, v)| v)
                    }
                    (Segment::Index(i), JsonValue::Array(items)) => items.get(*i),
                    _ => None,
                };
                match next {
                    Some(value) => current = value,
                    None => return Value::Missing,
                }
            }
            Value::from_json(current)
        }
        Row::Aggregated(_) => Value::Missing,
    }
}

/// Evaluates `expr` for `row`; fails only when a `CAST` does.
pub(crate) fn eval<'a>(expr: &'a Expr, row: Row<'a>) -> Result<Value<'a>, SelectEngineError> {
    Ok(match expr {
        Expr::Column(column) => lookup(column, row),
        Expr::Literal(literal) => match literal {
            Literal::Str(s) => Value::Text(Cow::Borrowed(s)),
            Literal::Number(n) => Value::Number(Cow::Borrowed(n)),
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Null => Value::Null,
            Literal::Missing => Value::Missing,
        },
        Expr::Cast { expr, ty } => cast::cast(eval(expr, row)?, *ty)?,
        Expr::Aggregate { slot, .. } => match row {
            Row::Aggregated(results) => results.get(*slot).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        },
        _ => match truth(expr, row)? {
            Some(b) => Value::Bool(b),
            None => Value::Null,
        },
    })
}

/// The truth value of `expr` for `row`: `None` is UNKNOWN.
pub(crate) fn truth(expr: &Expr, row: Row<'_>) -> Result<Option<bool>, SelectEngineError> {
    Ok(match expr {
        Expr::Compare { op, left, right } => {
            let left = eval(left, row)?;
            let right = eval(right, row)?;
            compare(&left, &right).map(|ordering| op.holds(ordering))
        }
        Expr::IsNull {
            expr,
            negated,
            missing_only,
        } => {
            let value = eval(expr, row)?;
            let is = match value {
                Value::Missing => true,
                Value::Null => !missing_only,
                _ => false,
            };
            Some(is != *negated)
        }
        Expr::Not(inner) => truth(inner, row)?.map(|b| !b),
        Expr::And(items) => {
            let mut unknown = false;
            for item in items {
                match truth(item, row)? {
                    Some(false) => return Ok(Some(false)),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        Expr::Or(items) => {
            let mut unknown = false;
            for item in items {
                match truth(item, row)? {
                    Some(true) => return Ok(Some(true)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown { None } else { Some(false) }
        }
        Expr::Column(_) | Expr::Literal(_) | Expr::Cast { .. } | Expr::Aggregate { .. } => {
            match eval(expr, row)? {
                Value::Bool(b) => Some(b),
                _ => None,
            }
        }
    })
}

/// Orders two values: numerically if both parse as numbers, else as strings;
/// `None` if either is NULL or the numbers are unordered.
pub(crate) fn compare(left: &Value<'_>, right: &Value<'_>) -> Option<Ordering> {
    let left = left.text()?;
    let right = right.text()?;
    match (parse_number(&left), parse_number(&right)) {
        (Some(a), Some(b)) => a.compare(b),
        _ => Some(left.as_ref().cmp(right.as_ref())),
    }
}

/// Whether `query` selects `row`.
pub(crate) fn selects(query: &Query, row: Row<'_>) -> Result<bool, SelectEngineError> {
    match &query.where_clause {
        None => Ok(true),
        Some(condition) => Ok(truth(condition, row)? == Some(true)),
    }
}

/// The output columns of `row`: (name, value) pairs. Names are used as JSON
/// keys: the alias, else the last name of a column reference, else `_N` for
/// the N-th item; `*` gives header names (or `_N`) for CSV and the members of
/// a JSON object.
pub(crate) fn project<'a>(
    query: &'a Query,
    row: Row<'a>,
) -> Result<Vec<(Cow<'a, str>, Value<'a>)>, SelectEngineError> {
    Ok(match &query.projection {
        Projection::Star => match row {
            Row::Csv { fields, header } => fields
                .iter()
                .enumerate()
                .map(|(i, field)| {
                    let name = match header.and_then(|h| h.get(i)) {
                        Some(name) => Cow::Borrowed(name.as_str()),
                        None => Cow::Owned(format!("_{}", i + 1)),
                    };
                    (name, Value::Text(Cow::Borrowed(field.as_str())))
                })
                .collect(),
            Row::Json(JsonValue::Object(members)) => members
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Value::from_json(v)))
                .collect(),
            Row::Json(other) => vec![(Cow::Borrowed("_1"), Value::from_json(other))],
            Row::Aggregated(_) => Vec::new(),
        },
        Projection::Items(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let name = match (&item.alias, &item.expr) {
                    (Some(alias), _) => Cow::Borrowed(alias.as_str()),
                    (None, Expr::Column(column)) => match column.segments.last() {
                        Some(Segment::Name { name, .. }) => Cow::Borrowed(name.as_str()),
                        _ => Cow::Owned(format!("_{}", i + 1)),
                    },
                    (None, _) => Cow::Owned(format!("_{}", i + 1)),
                };
                Ok((name, eval(&item.expr, row)?))
            })
            .collect::<Result<_, SelectEngineError>>()?,
    })
}
