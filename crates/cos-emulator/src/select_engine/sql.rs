//! Tokenizer and recursive-descent parser for the Select SQL subset.
//!
//! Grammar (keywords are case-insensitive):
//!
//! ```text
//! query      := SELECT select_list FROM table [ [AS] alias ] [WHERE expr] [LIMIT int] [;]
//! select_list:= '*' | alias '.' '*' | item (',' item)*
//! item       := expr [ [AS] name ]
//! table      := COSObject
//! expr       := and_expr (OR and_expr)*
//! and_expr   := not_expr (AND not_expr)*
//! not_expr   := NOT not_expr | comparison
//! comparison := primary [ cmp_op primary | IS [NOT] (NULL | MISSING) ]
//! cmp_op     := '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='
//! primary    := '(' expr ')' | string | ['-' | '+'] number | TRUE | FALSE | NULL | MISSING
//!             | CAST '(' expr AS type ')' | aggregate | path
//! type       := BOOL | BOOLEAN | INT | INTEGER | FLOAT | DECIMAL | NUMERIC | STRING | VARCHAR
//!             | TIMESTAMP
//! aggregate  := COUNT '(' '*' ')' | (COUNT | SUM | AVG | MIN | MAX) '(' expr ')'
//! path       := name ('.' name | '[' int ']')*
//! name       := identifier | "quoted identifier"
//! ```
//!
//! The tokens come from the `lexer` module and the tree is the `ast` module's;
//! `CAST` and the aggregates are evaluated by the `cast` and `aggregate` modules.
//! Nesting (parentheses, `NOT`, `CAST` and aggregate calls) is bounded by
//! [`MAX_NESTING_DEPTH`], and `AND`/`OR` chains are kept flat, so neither parsing
//! nor evaluation can recurse without bound.

use super::aggregate::AggregateFunc;
pub(crate) use super::ast::{
    ColumnRef, CompareOp, Expr, Literal, Projection, Query, Segment, SelectItem, visit_columns,
    visit_columns_mut,
};
use super::cast::CastType;
use super::error::{ParseErrorKind, SelectEngineError};
use super::lexer::{EOF_TOKEN, Tok, Token, describe, tokenize};

/// The longest SQL expression accepted, in bytes (256 KiB, as in COS/S3).
pub(crate) const MAX_EXPRESSION_BYTES: usize = 256 * 1024;

/// How deeply parentheses and `NOT`s may nest.
pub(crate) const MAX_NESTING_DEPTH: usize = 64;

/// The only table name accepted after `FROM` (case-insensitive).
const TABLE_NAME: &str = "cosobject";

/// Words that cannot be used as unquoted column names or implicit aliases.
const RESERVED: &[&str] = &[
    "select", "from", "where", "limit", "and", "or", "not", "is", "as", "null", "true", "false",
    "missing", "like", "between", "in", "order", "group", "having", "join", "union", "case",
    "cast", "distinct", "exists", "offset",
];

/// Keywords that start a clause or operator this engine does not implement.
const UNSUPPORTED_OPERAND_KEYWORDS: &[&str] = &["case", "distinct", "exists", "select"];

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|kw| kw.eq_ignore_ascii_case(word))
}

/// Parses a whole statement and removes the table-alias qualifier from column
/// references.
pub(crate) fn parse(src: &str) -> Result<Query, SelectEngineError> {
    if src.len() > MAX_EXPRESSION_BYTES {
        return Err(SelectEngineError::ExpressionTooLong {
            length: src.len(),
            max: MAX_EXPRESSION_BYTES,
        });
    }
    let tokens = tokenize(src)?;
    let mut parser = Parser {
        tokens,
        idx: 0,
        aggregates: 0,
    };
    let (mut query, star_qualifier) = parser.query()?;
    if let Some((qualifier, pos)) = star_qualifier
        && !matches_table(&qualifier, query.table_alias.as_deref())
    {
        return Err(SelectEngineError::parse(
            ParseErrorKind::InvalidTableAlias,
            pos,
            format!("`{qualifier}.*` does not name the table or its alias"),
        ));
    }
    let alias = query.table_alias.clone();
    let mut strip = |column: &mut ColumnRef| strip_qualifier(column, alias.as_deref());
    if let Projection::Items(items) = &mut query.projection {
        for item in items {
            visit_columns_mut(&mut item.expr, &mut strip);
        }
    }
    if let Some(expr) = &mut query.where_clause {
        visit_columns_mut(expr, &mut strip);
    }
    Ok(query)
}

/// Whether `name` is the table alias (or, always, the table name itself).
fn matches_table(name: &str, alias: Option<&str>) -> bool {
    name.eq_ignore_ascii_case(TABLE_NAME) || alias.is_some_and(|a| a.eq_ignore_ascii_case(name))
}

fn strip_qualifier(column: &mut ColumnRef, alias: Option<&str>) {
    if column.segments.len() < 2 {
        return;
    }
    if let Some(Segment::Name { name, .. }) = column.segments.first()
        && matches_table(name, alias)
    {
        column.segments.remove(0);
    }
}

struct Parser {
    tokens: Vec<Token>,
    idx: usize,
    /// Aggregate calls parsed so far (the next call's slot).
    aggregates: usize,
}

type PResult<T> = Result<T, SelectEngineError>;

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.idx).unwrap_or(&EOF_TOKEN)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.tokens
            .get(self.idx.saturating_add(ahead))
            .map_or(&Tok::Eof, |t| &t.tok)
    }

    fn tok(&self) -> &Tok {
        &self.peek().tok
    }

    fn pos(&self) -> usize {
        match self.tokens.get(self.idx) {
            Some(t) => t.pos,
            None => self.tokens.last().map_or(0, |t| t.pos),
        }
    }

    fn advance(&mut self) {
        if self.idx < self.tokens.len() {
            self.idx += 1;
        }
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.tok(), Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let found = self.is_kw(kw);
        if found {
            self.advance();
        }
        found
    }

    fn error(&self, kind: ParseErrorKind, message: impl Into<String>) -> SelectEngineError {
        SelectEngineError::parse(kind, self.pos(), message)
    }

    fn unexpected(&self, expected: &str) -> SelectEngineError {
        self.error(
            ParseErrorKind::UnexpectedToken,
            format!("expected {expected}, found {}", describe(self.tok())),
        )
    }

    fn enter(&self, depth: usize) -> PResult<usize> {
        let next = depth + 1;
        if next > MAX_NESTING_DEPTH {
            Err(self.error(
                ParseErrorKind::NestingTooDeep,
                format!("expression nesting exceeds {MAX_NESTING_DEPTH} levels"),
            ))
        } else {
            Ok(next)
        }
    }

    /// Parses the statement; also returns the qualifier of `alias.*`.
    fn query(&mut self) -> PResult<(Query, Option<(String, usize)>)> {
        if !self.eat_kw("select") {
            return Err(self.error(
                ParseErrorKind::ExpectedKeyword,
                format!("expected SELECT, found {}", describe(self.tok())),
            ));
        }
        let (projection, star_qualifier) = self.select_list()?;
        if !self.eat_kw("from") {
            return Err(if *self.tok() == Tok::Eof {
                self.error(
                    ParseErrorKind::SelectMissingFrom,
                    "the SELECT statement has no FROM clause",
                )
            } else {
                self.unexpected("`,` or FROM")
            });
        }
        let table_alias = self.table()?;
        let where_clause = if self.eat_kw("where") {
            Some(self.expr(0)?)
        } else {
            None
        };
        let limit = if self.eat_kw("limit") {
            Some(self.limit()?)
        } else {
            None
        };
        if *self.tok() == Tok::Semicolon {
            self.advance();
        }
        if *self.tok() != Tok::Eof {
            for kw in ["order", "group", "having", "union", "join", "offset"] {
                if self.is_kw(kw) {
                    return Err(SelectEngineError::UnsupportedFeature(format!(
                        "{} clauses are not supported",
                        kw.to_ascii_uppercase()
                    )));
                }
            }
            return Err(self.error(
                ParseErrorKind::ExpectedEndOfInput,
                format!("expected end of statement, found {}", describe(self.tok())),
            ));
        }
        Ok((
            Query {
                projection,
                table_alias,
                where_clause,
                limit,
            },
            star_qualifier,
        ))
    }

    /// Whether the tokens at the cursor are `*` or `name . *`; returns the
    /// qualifier (if any) and the position.
    fn star_here(&self) -> Option<(Option<String>, usize)> {
        match self.tok() {
            Tok::Star => Some((None, self.pos())),
            Tok::Ident(name) | Tok::QuotedIdent(name)
                if *self.peek_at(1) == Tok::Dot && *self.peek_at(2) == Tok::Star =>
            {
                Some((Some(name.clone()), self.pos()))
            }
            _ => None,
        }
    }

    fn select_list(&mut self) -> PResult<(Projection, Option<(String, usize)>)> {
        if self.is_kw("from") {
            return Err(self.error(ParseErrorKind::EmptySelect, "the select list is empty"));
        }
        if let Some((qualifier, pos)) = self.star_here() {
            let len = if qualifier.is_some() { 3 } else { 1 };
            for _ in 0..len {
                self.advance();
            }
            if *self.tok() == Tok::Comma {
                return Err(self.error(
                    ParseErrorKind::AsteriskIsNotAloneInSelectList,
                    "`*` must be the only item in the select list",
                ));
            }
            return Ok((Projection::Star, qualifier.map(|q| (q, pos))));
        }
        let mut items = Vec::new();
        loop {
            if self.star_here().is_some() {
                return Err(self.error(
                    ParseErrorKind::AsteriskIsNotAloneInSelectList,
                    "`*` must be the only item in the select list",
                ));
            }
            let expr = self.expr(0)?;
            let alias = if self.eat_kw("as") {
                match self.tok().clone() {
                    Tok::Ident(name) if !is_reserved(&name) => {
                        self.advance();
                        Some(name)
                    }
                    Tok::QuotedIdent(name) => {
                        self.advance();
                        Some(name)
                    }
                    other => {
                        return Err(self.error(
                            ParseErrorKind::ExpectedIdentForAlias,
                            format!("expected an alias after AS, found {}", describe(&other)),
                        ));
                    }
                }
            } else {
                self.implicit_alias()
            };
            items.push(SelectItem { expr, alias });
            if *self.tok() == Tok::Comma {
                self.advance();
            } else {
                break;
            }
        }
        Ok((Projection::Items(items), None))
    }

    /// An alias written without `AS`: a non-reserved identifier or a quoted one.
    fn implicit_alias(&mut self) -> Option<String> {
        match self.tok().clone() {
            Tok::Ident(name) if !is_reserved(&name) => {
                self.advance();
                Some(name)
            }
            Tok::QuotedIdent(name) => {
                self.advance();
                Some(name)
            }
            _ => None,
        }
    }

    fn table(&mut self) -> PResult<Option<String>> {
        match self.tok() {
            Tok::Ident(name) if name.eq_ignore_ascii_case(TABLE_NAME) => self.advance(),
            _ => return Err(self.unexpected("the table name COSObject")),
        }
        match self.tok() {
            Tok::LBracket | Tok::Dot => {
                return Err(SelectEngineError::UnsupportedFeature(
                    "paths after COSObject in the FROM clause are not supported".into(),
                ));
            }
            Tok::Comma => {
                return Err(SelectEngineError::UnsupportedFeature(
                    "more than one table in the FROM clause is not supported".into(),
                ));
            }
            _ => {}
        }
        if self.eat_kw("as") {
            return match self.tok().clone() {
                Tok::Ident(name) if !is_reserved(&name) => {
                    self.advance();
                    Ok(Some(name))
                }
                Tok::QuotedIdent(name) => {
                    self.advance();
                    Ok(Some(name))
                }
                other => Err(self.error(
                    ParseErrorKind::ExpectedIdentForAlias,
                    format!(
                        "expected a table alias after AS, found {}",
                        describe(&other)
                    ),
                )),
            };
        }
        Ok(self.implicit_alias())
    }

    fn limit(&mut self) -> PResult<u64> {
        match self.tok().clone() {
            Tok::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
                self.advance();
                // A limit too large for u64 is as good as no limit.
                Ok(text.parse::<u64>().unwrap_or(u64::MAX))
            }
            other => Err(self.error(
                ParseErrorKind::ExpectedNumber,
                format!(
                    "LIMIT must be followed by a non-negative integer, found {}",
                    describe(&other)
                ),
            )),
        }
    }

    fn expr(&mut self, depth: usize) -> PResult<Expr> {
        let first = self.and_expr(depth)?;
        if !self.is_kw("or") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("or") {
            items.push(self.and_expr(depth)?);
        }
        Ok(Expr::Or(items))
    }

    fn and_expr(&mut self, depth: usize) -> PResult<Expr> {
        let first = self.not_expr(depth)?;
        if !self.is_kw("and") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_kw("and") {
            items.push(self.not_expr(depth)?);
        }
        Ok(Expr::And(items))
    }

    fn not_expr(&mut self, depth: usize) -> PResult<Expr> {
        if self.is_kw("not") {
            let inner_depth = self.enter(depth)?;
            self.advance();
            let inner = self.not_expr(inner_depth)?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison(depth)
    }

    fn comparison(&mut self, depth: usize) -> PResult<Expr> {
        let left = self.primary(depth)?;
        let op = match self.tok() {
            Tok::Eq => Some(CompareOp::Eq),
            Tok::NotEq => Some(CompareOp::NotEq),
            Tok::Lt => Some(CompareOp::Lt),
            Tok::LtEq => Some(CompareOp::LtEq),
            Tok::Gt => Some(CompareOp::Gt),
            Tok::GtEq => Some(CompareOp::GtEq),
            Tok::Plus | Tok::Minus | Tok::Star | Tok::Slash | Tok::Percent | Tok::Concat => {
                return Err(SelectEngineError::UnsupportedFeature(format!(
                    "the operator {} is not supported",
                    describe(self.tok())
                )));
            }
            _ => None,
        };
        if let Some(op) = op {
            self.advance();
            let right = self.primary(depth)?;
            return Ok(Expr::Compare {
                op,
                left: Box::new(left),
                right: Box::new(right),
            });
        }
        if self.eat_kw("is") {
            let negated = self.eat_kw("not");
            let missing_only = if self.eat_kw("null") {
                false
            } else if self.eat_kw("missing") {
                true
            } else {
                return Err(self.error(
                    ParseErrorKind::ExpectedKeyword,
                    format!(
                        "expected NULL or MISSING after IS{}, found {}",
                        if negated { " NOT" } else { "" },
                        describe(self.tok())
                    ),
                ));
            };
            return Ok(Expr::IsNull {
                expr: Box::new(left),
                negated,
                missing_only,
            });
        }
        let unsupported_at = if self.is_kw("not") { 1 } else { 0 };
        for kw in ["like", "in", "between"] {
            if matches!(self.peek_at(unsupported_at), Tok::Ident(s) if s.eq_ignore_ascii_case(kw)) {
                return Err(SelectEngineError::UnsupportedFeature(format!(
                    "the {} operator is not supported",
                    kw.to_ascii_uppercase()
                )));
            }
        }
        Ok(left)
    }

    fn primary(&mut self, depth: usize) -> PResult<Expr> {
        let pos = self.pos();
        match self.tok().clone() {
            Tok::LParen => {
                let inner_depth = self.enter(depth)?;
                self.advance();
                let inner = self.expr(inner_depth)?;
                if *self.tok() != Tok::RParen {
                    return Err(self.unexpected("`)`"));
                }
                self.advance();
                Ok(inner)
            }
            Tok::Str(s) => {
                self.advance();
                Ok(Expr::Literal(Literal::Str(s)))
            }
            Tok::Number(n) => {
                self.advance();
                Ok(Expr::Literal(Literal::Number(n)))
            }
            sign @ (Tok::Minus | Tok::Plus) => {
                self.advance();
                match self.tok().clone() {
                    Tok::Number(n) => {
                        self.advance();
                        let text = if sign == Tok::Minus {
                            format!("-{n}")
                        } else {
                            n
                        };
                        Ok(Expr::Literal(Literal::Number(text)))
                    }
                    _ => Err(SelectEngineError::UnsupportedFeature(
                        "unary operators on non-literals are not supported".into(),
                    )),
                }
            }
            Tok::Ident(word) => {
                let lower = word.to_ascii_lowercase();
                let literal = match lower.as_str() {
                    "true" => Some(Literal::Bool(true)),
                    "false" => Some(Literal::Bool(false)),
                    "null" => Some(Literal::Null),
                    "missing" => Some(Literal::Missing),
                    _ => None,
                };
                if let Some(literal) = literal {
                    self.advance();
                    return Ok(Expr::Literal(literal));
                }
                if *self.peek_at(1) == Tok::LParen {
                    if lower == "cast" {
                        return self.cast(depth);
                    }
                    if let Some(func) = AggregateFunc::from_name(&lower) {
                        return self.aggregate(func, depth, pos);
                    }
                }
                if UNSUPPORTED_OPERAND_KEYWORDS.contains(&lower.as_str()) {
                    return Err(SelectEngineError::UnsupportedFeature(format!(
                        "{} expressions are not supported",
                        lower.to_ascii_uppercase()
                    )));
                }
                if is_reserved(&word) {
                    return Err(self.error(
                        ParseErrorKind::UnexpectedToken,
                        format!(
                            "expected an expression, found keyword {}",
                            word.to_ascii_uppercase()
                        ),
                    ));
                }
                if *self.peek_at(1) == Tok::LParen {
                    return Err(SelectEngineError::UnsupportedFeature(format!(
                        "function calls are not supported: {word}()"
                    )));
                }
                self.advance();
                self.path(word, false, pos)
            }
            Tok::QuotedIdent(name) => {
                self.advance();
                self.path(name, true, pos)
            }
            Tok::Star => Err(self.error(
                ParseErrorKind::UnexpectedToken,
                "`*` is only allowed alone in the select list",
            )),
            other => Err(self.error(
                ParseErrorKind::ExpectedExpression,
                format!("expected an expression, found {}", describe(&other)),
            )),
        }
    }

    /// `)` closing a call to `name`.
    fn close_call(&mut self, name: &str) -> PResult<()> {
        if *self.tok() != Tok::RParen {
            return Err(self.error(
                ParseErrorKind::ExpectedRightParen,
                format!(
                    "expected `)` to close {name}(, found {}",
                    describe(self.tok())
                ),
            ));
        }
        self.advance();
        Ok(())
    }

    /// `CAST ( expr AS type )`, at `CAST`.
    fn cast(&mut self, depth: usize) -> PResult<Expr> {
        let inner_depth = self.enter(depth)?;
        self.advance();
        self.advance();
        let expr = self.expr(inner_depth)?;
        if !self.eat_kw("as") {
            return Err(self.error(
                ParseErrorKind::ExpectedKeyword,
                format!("expected AS in CAST, found {}", describe(self.tok())),
            ));
        }
        let ty = match self.tok() {
            Tok::Ident(name) => CastType::from_name(name),
            _ => None,
        }
        .ok_or_else(|| {
            self.error(
                ParseErrorKind::ExpectedTypeName,
                format!(
                    "expected a type name (BOOL, INT, INTEGER, FLOAT, DECIMAL, STRING, \
                     TIMESTAMP), found {}",
                    describe(self.tok())
                ),
            )
        })?;
        self.advance();
        self.close_call("CAST")?;
        Ok(Expr::Cast {
            expr: Box::new(expr),
            ty,
        })
    }

    /// `COUNT(*)` or `FUNC ( expr )`, at the function name.
    fn aggregate(&mut self, func: AggregateFunc, depth: usize, pos: usize) -> PResult<Expr> {
        let inner_depth = self.enter(depth)?;
        self.advance();
        self.advance();
        let arg = if *self.tok() == Tok::Star {
            if func != AggregateFunc::Count {
                return Err(self.error(
                    ParseErrorKind::UnsupportedCallWithStar,
                    format!("only COUNT takes `*`, not {}", func.name()),
                ));
            }
            self.advance();
            None
        } else {
            if self.is_kw("distinct") {
                return Err(SelectEngineError::UnsupportedFeature(
                    "DISTINCT in aggregate calls is not supported".into(),
                ));
            }
            Some(Box::new(self.expr(inner_depth)?))
        };
        if *self.tok() == Tok::Comma {
            return Err(self.error(
                ParseErrorKind::NonUnaryAggregateCall,
                format!("{} takes one argument", func.name()),
            ));
        }
        self.close_call(func.name())?;
        let slot = self.aggregates;
        self.aggregates += 1;
        Ok(Expr::Aggregate {
            func,
            arg,
            slot,
            pos,
        })
    }

    fn path(&mut self, first: String, quoted: bool, pos: usize) -> PResult<Expr> {
        let mut segments = vec![Segment::Name {
            name: first,
            quoted,
        }];
        loop {
            match self.tok() {
                Tok::Dot => {
                    self.advance();
                    match self.tok().clone() {
                        Tok::Ident(name) => segments.push(Segment::Name {
                            name,
                            quoted: false,
                        }),
                        Tok::QuotedIdent(name) => {
                            segments.push(Segment::Name { name, quoted: true })
                        }
                        Tok::Star => {
                            return Err(self.error(
                                ParseErrorKind::AsteriskIsNotAloneInSelectList,
                                "`.*` is only allowed as the whole select list",
                            ));
                        }
                        _ => return Err(self.unexpected("a name after `.`")),
                    }
                    self.advance();
                }
                Tok::LBracket => {
                    self.advance();
                    match self.tok().clone() {
                        Tok::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => {
                            let index = n.parse::<usize>().map_err(|_| {
                                self.error(
                                    ParseErrorKind::InvalidLiteral,
                                    format!("array index {n} is too large"),
                                )
                            })?;
                            segments.push(Segment::Index(index));
                        }
                        Tok::Star => {
                            return Err(SelectEngineError::UnsupportedFeature(
                                "`[*]` wildcards are not supported".into(),
                            ));
                        }
                        _ => return Err(self.unexpected("a non-negative array index")),
                    }
                    self.advance();
                    if *self.tok() != Tok::RBracket {
                        return Err(self.unexpected("`]`"));
                    }
                    self.advance();
                }
                _ => break,
            }
        }
        Ok(Expr::Column(ColumnRef { segments, pos }))
    }
}
