//! Aggregate functions: `COUNT(*)`, `COUNT(expr)`, `SUM`, `AVG`, `MIN` and `MAX`, with
//! S3 Select's semantics, which COS Select follows.
//!
//! * A query whose select list calls an aggregate returns one record, computed over
//!   every record the `WHERE` clause keeps (`LIMIT` limits the result, not the scan:
//!   `LIMIT 0` returns nothing).
//! * Such a select list may only use columns inside aggregate arguments: mixing
//!   aggregates and plain columns (`SELECT _1, COUNT(*)`) is an error, as are
//!   aggregates in `WHERE` and aggregates inside aggregates (`UnsupportedSqlStructure`).
//! * `COUNT(*)` counts records; every other aggregate ignores NULL and MISSING values,
//!   so `COUNT(expr)` counts the others.
//! * `SUM` and `AVG` add numbers: JSON numbers, and text (CSV fields, strings) that
//!   reads as a number. Any other value fails the query with
//!   `IncorrectSqlFunctionArgumentType`. The sum of integers is an integer (a double
//!   once it overflows 128 bits), of anything else a double; `AVG` is a double.
//! * `MIN` and `MAX` order values as comparisons do (numerically when both read as
//!   numbers, else as text) and return the value itself.
//! * Over no values, `SUM`, `AVG`, `MIN` and `MAX` are NULL and `COUNT` is 0.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::ast::{Expr, Projection, Query, has_aggregate, visit_aggregates, visit_bare_columns};
use super::cast::format_float;
use super::error::{ParseErrorKind, SelectEngineError};
use super::eval::{self, Number, Row, Value, parse_number};

/// An aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AggregateFunc {
    /// `COUNT(*)` or `COUNT(expr)`.
    Count,
    /// `SUM(expr)`.
    Sum,
    /// `AVG(expr)`.
    Avg,
    /// `MIN(expr)`.
    Min,
    /// `MAX(expr)`.
    Max,
}

impl AggregateFunc {
    /// The function a name denotes (case-insensitive).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "count" => Self::Count,
            "sum" => Self::Sum,
            "avg" => Self::Avg,
            "min" => Self::Min,
            "max" => Self::Max,
            _ => return None,
        })
    }

    /// The function's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Count => "COUNT",
            Self::Sum => "SUM",
            Self::Avg => "AVG",
            Self::Min => "MIN",
            Self::Max => "MAX",
        }
    }
}

/// A running sum.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sum {
    Int(i128),
    Float(f64),
}

impl Sum {
    fn add(self, n: Number) -> Self {
        match (self, n) {
            (Self::Int(a), Number::Int(b)) => a
                .checked_add(b)
                .map_or_else(|| Self::Float(a as f64 + b as f64), Self::Int),
            (sum, n) => Self::Float(sum.as_f64() + n.as_f64()),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            // Precision loss is what a double sum means.
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }
}

/// Turns a borrowed value into one that outlives the record it came from.
fn owned(value: Value<'_>) -> Value<'static> {
    match value {
        Value::Missing => Value::Missing,
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(b),
        Value::Number(n) => Value::Number(Cow::Owned(n.into_owned())),
        Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
        Value::Json(json) => Value::Text(Cow::Owned(json.to_json_string())),
    }
}

fn float(f: f64) -> Value<'static> {
    if f.is_finite() {
        Value::Number(Cow::Owned(format_float(f)))
    } else {
        Value::Null
    }
}

/// The state of one aggregate call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Accumulator {
    func: AggregateFunc,
    /// Values (or, for `COUNT(*)`, records) taken.
    count: u64,
    sum: Sum,
    /// The least (`MIN`) or greatest (`MAX`) value so far.
    extreme: Option<Value<'static>>,
}

impl Accumulator {
    /// A fresh accumulator.
    pub(crate) fn new(func: AggregateFunc) -> Self {
        Self {
            func,
            count: 0,
            sum: Sum::Int(0),
            extreme: None,
        }
    }

    /// Takes one record's value: `None` for `COUNT(*)`.
    pub(crate) fn add(&mut self, value: Option<Value<'_>>) -> Result<(), SelectEngineError> {
        let Some(value) = value else {
            self.count += 1;
            return Ok(());
        };
        if matches!(value, Value::Missing | Value::Null) {
            return Ok(());
        }
        match self.func {
            AggregateFunc::Count => {}
            AggregateFunc::Sum | AggregateFunc::Avg => {
                let number = match &value {
                    Value::Number(text) | Value::Text(text) => parse_number(text),
                    _ => None,
                };
                let number = number.ok_or_else(|| SelectEngineError::IncorrectArgumentType {
                    function: self.func.name(),
                    value: value.text().map(Cow::into_owned).unwrap_or_default(),
                })?;
                self.sum = self.sum.add(number);
            }
            AggregateFunc::Min | AggregateFunc::Max => {
                let wanted = if self.func == AggregateFunc::Min {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                let replace = match &self.extreme {
                    None => true,
                    Some(current) => eval::compare(&value, current) == Some(wanted),
                };
                if replace {
                    self.extreme = Some(owned(value));
                }
            }
        }
        self.count += 1;
        Ok(())
    }

    /// The result over everything taken.
    pub(crate) fn finish(&self) -> Value<'static> {
        match self.func {
            AggregateFunc::Count => Value::Number(Cow::Owned(self.count.to_string())),
            _ if self.count == 0 => Value::Null,
            AggregateFunc::Sum => match self.sum {
                Sum::Int(i) => Value::Number(Cow::Owned(i.to_string())),
                Sum::Float(f) => float(f),
            },
            // u64 → f64 loses precision only beyond 2^53 values.
            AggregateFunc::Avg => float(self.sum.as_f64() / self.count as f64),
            AggregateFunc::Min | AggregateFunc::Max => self.extreme.clone().unwrap_or(Value::Null),
        }
    }
}

fn misplaced(pos: usize, message: &str) -> SelectEngineError {
    SelectEngineError::parse(ParseErrorKind::MisplacedAggregate, pos, message)
}

/// The aggregate calls of a query and their accumulators.
#[derive(Debug)]
pub(crate) struct Aggregates<'q> {
    /// Each call: its slot, its argument (`None` for `COUNT(*)`), its state.
    calls: Vec<(usize, Option<&'q Expr>, Accumulator)>,
}

impl<'q> Aggregates<'q> {
    /// The aggregates of `query`, or `None` when its select list calls none. Checks
    /// where aggregates appear (see the module docs).
    pub(crate) fn of(query: &'q Query) -> Result<Option<Self>, SelectEngineError> {
        if let Some(condition) = &query.where_clause {
            let mut found = None;
            visit_aggregates(condition, &mut |call| found = found.or(Some(call)));
            if let Some(Expr::Aggregate { pos, .. }) = found {
                return Err(misplaced(
                    *pos,
                    "aggregate functions are not allowed in the WHERE clause",
                ));
            }
        }
        let Projection::Items(items) = &query.projection else {
            return Ok(None);
        };
        if !items.iter().any(|item| has_aggregate(&item.expr)) {
            return Ok(None);
        }
        for item in items {
            visit_bare_columns(&item.expr, &mut |column| {
                Err(misplaced(
                    column.pos,
                    "a select list cannot mix aggregate functions and plain columns",
                ))
            })?;
        }
        let mut calls = Vec::new();
        let mut nested = None;
        for item in items {
            visit_aggregates(&item.expr, &mut |call| {
                if let Expr::Aggregate {
                    func,
                    arg,
                    slot,
                    pos,
                } = call
                {
                    if arg.as_deref().is_some_and(has_aggregate) {
                        nested = nested.or(Some(*pos));
                    }
                    calls.push((*slot, arg.as_deref(), Accumulator::new(*func)));
                }
            });
        }
        if let Some(pos) = nested {
            return Err(misplaced(pos, "aggregate functions cannot be nested"));
        }
        Ok(Some(Self { calls }))
    }

    /// Takes one record the query selected.
    pub(crate) fn add(&mut self, row: Row<'_>) -> Result<(), SelectEngineError> {
        for (_, arg, accumulator) in &mut self.calls {
            let value = match arg {
                Some(expr) => Some(eval::eval(expr, row)?),
                None => None,
            };
            accumulator.add(value)?;
        }
        Ok(())
    }

    /// The result of each call, indexed by slot.
    pub(crate) fn results(&self) -> Vec<Value<'static>> {
        let slots = self
            .calls
            .iter()
            .map(|(slot, ..)| slot + 1)
            .max()
            .unwrap_or(0);
        let mut results = vec![Value::Null; slots];
        for (slot, _, accumulator) in &self.calls {
            if let Some(result) = results.get_mut(*slot) {
                *result = accumulator.finish();
            }
        }
        results
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<Value<'_>> {
        Some(Value::Number(Cow::Borrowed(s)))
    }

    fn text(s: &str) -> Option<Value<'_>> {
        Some(Value::Text(Cow::Borrowed(s)))
    }

    fn run(func: AggregateFunc, values: Vec<Option<Value<'_>>>) -> Value<'static> {
        let mut acc = Accumulator::new(func);
        for v in values {
            acc.add(v).expect("adds");
        }
        acc.finish()
    }

    fn shown(v: &Value<'_>) -> Option<String> {
        v.text().map(Cow::into_owned)
    }

    #[test]
    fn nulls_are_ignored_except_by_count_star() {
        let values = || vec![num("1"), Some(Value::Null), Some(Value::Missing), text("2")];
        assert_eq!(
            shown(&run(AggregateFunc::Count, values())).as_deref(),
            Some("2")
        );
        assert_eq!(
            shown(&run(AggregateFunc::Sum, values())).as_deref(),
            Some("3")
        );
        assert_eq!(
            shown(&run(AggregateFunc::Avg, values())).as_deref(),
            Some("1.5")
        );
        assert_eq!(
            shown(&run(AggregateFunc::Count, vec![None, None, None])).as_deref(),
            Some("3")
        );
    }

    #[test]
    fn empty_inputs() {
        assert_eq!(
            shown(&run(AggregateFunc::Count, vec![])).as_deref(),
            Some("0")
        );
        for func in [
            AggregateFunc::Sum,
            AggregateFunc::Avg,
            AggregateFunc::Min,
            AggregateFunc::Max,
        ] {
            assert_eq!(run(func, vec![Some(Value::Null)]), Value::Null, "{func:?}");
        }
    }

    #[test]
    fn sums_of_ints_and_floats() {
        assert_eq!(
            shown(&run(AggregateFunc::Sum, vec![num("1"), num("2.5")])).as_deref(),
            Some("3.5")
        );
        assert_eq!(
            shown(&run(AggregateFunc::Sum, vec![num("1.5"), num("1.5")])).as_deref(),
            Some("3.0")
        );
        let huge = i128::MAX.to_string();
        let overflow = run(AggregateFunc::Sum, vec![num(&huge), num(&huge)]);
        assert!(matches!(overflow, Value::Number(_)), "{overflow:?}");
        let mut acc = Accumulator::new(AggregateFunc::Sum);
        let err = acc.add(text("abc")).expect_err("not a number");
        assert_eq!(err.code(), "IncorrectSqlFunctionArgumentType");
        assert!(acc.add(Some(Value::Bool(true))).is_err());
    }

    #[test]
    fn min_and_max_compare_numbers_numerically() {
        let values = || vec![text("9"), text("10"), num("-1.5"), Some(Value::Null)];
        assert_eq!(
            shown(&run(AggregateFunc::Min, values())).as_deref(),
            Some("-1.5")
        );
        assert_eq!(
            shown(&run(AggregateFunc::Max, values())).as_deref(),
            Some("10")
        );
        let words = || vec![text("pear"), text("apple")];
        assert_eq!(
            shown(&run(AggregateFunc::Min, words())).as_deref(),
            Some("apple")
        );
    }
}
