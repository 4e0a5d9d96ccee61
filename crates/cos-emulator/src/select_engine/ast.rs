//! The syntax tree of a parsed Select statement, and walks over its column references.

use super::aggregate::AggregateFunc;
use super::cast::CastType;

/// One step of a column path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A name: a CSV header name, a positional `_N`, or a JSON key.
    Name {
        /// The name, unescaped.
        name: String,
        /// Whether it was written `"quoted"` (quoted names match exactly,
        /// unquoted ones fall back to a case-insensitive match).
        quoted: bool,
    },
    /// An array index `[n]` (JSON only).
    Index(usize),
}

/// A column reference such as `s._1`, `name` or `s.a.b[0]`; after parsing,
/// the table alias qualifier has been removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnRef {
    pub(crate) segments: Vec<Segment>,
    /// Character offset of the reference in the expression.
    pub(crate) pos: usize,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Literal {
    Str(String),
    /// The number as written (with a leading `-` for negative literals).
    Number(String),
    Bool(bool),
    Null,
    Missing,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
}

impl CompareOp {
    /// Whether `left op right` holds given how `left` orders against `right`.
    pub(crate) fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Self::Eq => ordering == Equal,
            Self::NotEq => ordering != Equal,
            Self::Lt => ordering == Less,
            Self::LtEq => ordering != Greater,
            Self::Gt => ordering == Greater,
            Self::GtEq => ordering != Less,
        }
    }
}

/// An expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    Column(ColumnRef),
    Literal(Literal),
    Compare {
        op: CompareOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `expr IS [NOT] NULL` (`missing_only == false`) or
    /// `expr IS [NOT] MISSING` (`missing_only == true`).
    IsNull {
        expr: Box<Expr>,
        negated: bool,
        missing_only: bool,
    },
    Not(Box<Expr>),
    /// `CAST(expr AS type)`.
    Cast {
        expr: Box<Expr>,
        ty: CastType,
    },
    /// An aggregate call: `COUNT(*)` (`arg == None`), `COUNT(e)`, `SUM(e)`, `AVG(e)`,
    /// `MIN(e)`, `MAX(e)`. `slot` numbers the aggregates of a statement in the order
    /// they were written: the evaluator keeps one accumulator per slot. `pos` is the
    /// character offset of the call.
    Aggregate {
        func: AggregateFunc,
        arg: Option<Box<Expr>>,
        slot: usize,
        pos: usize,
    },
    /// Two or more operands.
    And(Vec<Expr>),
    /// Two or more operands.
    Or(Vec<Expr>),
}

/// One item of a select list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SelectItem {
    pub(crate) expr: Expr,
    pub(crate) alias: Option<String>,
}

/// What the query returns for each selected record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Projection {
    /// `*` or `alias.*`: the whole record.
    Star,
    /// An explicit list.
    Items(Vec<SelectItem>),
}

/// A parsed `SELECT` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) projection: Projection,
    pub(crate) table_alias: Option<String>,
    pub(crate) where_clause: Option<Expr>,
    pub(crate) limit: Option<u64>,
}

/// Calls `f` on every column reference in `expr`. Recursion is bounded by the
/// parser's nesting limit.
pub(crate) fn visit_columns_mut(expr: &mut Expr, f: &mut dyn FnMut(&mut ColumnRef)) {
    match expr {
        Expr::Column(c) => f(c),
        Expr::Literal(_) => {}
        Expr::Compare { left, right, .. } => {
            visit_columns_mut(left, f);
            visit_columns_mut(right, f);
        }
        Expr::IsNull { expr, .. } | Expr::Not(expr) | Expr::Cast { expr, .. } => {
            visit_columns_mut(expr, f);
        }
        Expr::Aggregate { arg, .. } => {
            if let Some(arg) = arg {
                visit_columns_mut(arg, f);
            }
        }
        Expr::And(items) | Expr::Or(items) => {
            for item in items {
                visit_columns_mut(item, f);
            }
        }
    }
}

/// Calls `f` on every column reference in `expr`, stopping at the first error.
pub(crate) fn visit_columns<E>(
    expr: &Expr,
    f: &mut dyn FnMut(&ColumnRef) -> Result<(), E>,
) -> Result<(), E> {
    match expr {
        Expr::Column(c) => f(c),
        Expr::Literal(_) => Ok(()),
        Expr::Compare { left, right, .. } => {
            visit_columns(left, f)?;
            visit_columns(right, f)
        }
        Expr::IsNull { expr, .. } | Expr::Not(expr) | Expr::Cast { expr, .. } => {
            visit_columns(expr, f)
        }
        Expr::Aggregate { arg, .. } => arg.as_deref().map_or(Ok(()), |arg| visit_columns(arg, f)),
        Expr::And(items) | Expr::Or(items) => items.iter().try_for_each(|i| visit_columns(i, f)),
    }
}

/// Whether `expr` contains an aggregate call. Recursion is bounded by the parser's
/// nesting limit.
pub(crate) fn has_aggregate(expr: &Expr) -> bool {
    match expr {
        Expr::Aggregate { .. } => true,
        Expr::Column(_) | Expr::Literal(_) => false,
        Expr::Compare { left, right, .. } => has_aggregate(left) || has_aggregate(right),
        Expr::IsNull { expr, .. } | Expr::Not(expr) | Expr::Cast { expr, .. } => {
            has_aggregate(expr)
        }
        Expr::And(items) | Expr::Or(items) => items.iter().any(has_aggregate),
    }
}

/// Calls `f` on every aggregate call in `expr` (not looking inside their arguments).
pub(crate) fn visit_aggregates<'e>(expr: &'e Expr, f: &mut dyn FnMut(&'e Expr)) {
    match expr {
        Expr::Aggregate { .. } => f(expr),
        Expr::Column(_) | Expr::Literal(_) => {}
        Expr::Compare { left, right, .. } => {
            visit_aggregates(left, f);
            visit_aggregates(right, f);
        }
        Expr::IsNull { expr, .. } | Expr::Not(expr) | Expr::Cast { expr, .. } => {
            visit_aggregates(expr, f);
        }
        Expr::And(items) | Expr::Or(items) => {
            for item in items {
                visit_aggregates(item, f);
            }
        }
    }
}

/// Calls `f` on every column reference in `expr` that is not inside an aggregate
/// call's argument, stopping at the first error.
pub(crate) fn visit_bare_columns<E>(
    expr: &Expr,
    f: &mut dyn FnMut(&ColumnRef) -> Result<(), E>,
) -> Result<(), E> {
    match expr {
        Expr::Column(c) => f(c),
        Expr::Literal(_) | Expr::Aggregate { .. } => Ok(()),
        Expr::Compare { left, right, .. } => {
            visit_bare_columns(left, f)?;
            visit_bare_columns(right, f)
        }
        Expr::IsNull { expr, .. } | Expr::Not(expr) | Expr::Cast { expr, .. } => {
            visit_bare_columns(expr, f)
        }
        Expr::And(items) | Expr::Or(items) => {
            items.iter().try_for_each(|i| visit_bare_columns(i, f))
        }
    }
}
