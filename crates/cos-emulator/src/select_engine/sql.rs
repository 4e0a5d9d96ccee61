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
//! primary    := '(' expr ')' | string | ['-' | '+'] number | TRUE | FALSE | NULL | MISSING | path
//! path       := name ('.' name | '[' int ']')*
//! name       := identifier | "quoted identifier"
//! ```
//!
//! Nesting (parentheses and `NOT`) is bounded by [`MAX_NESTING_DEPTH`], and
//! `AND`/`OR` chains are kept flat, so neither parsing nor evaluation can
//! recurse without bound.

use super::error::{ParseErrorKind, SelectEngineError};

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
const UNSUPPORTED_OPERAND_KEYWORDS: &[&str] = &["case", "cast", "distinct", "exists", "select"];

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|kw| kw.eq_ignore_ascii_case(word))
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/// One lexical token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An unquoted identifier or keyword, as written.
    Ident(String),
    /// A `"double-quoted"` identifier, unescaped.
    QuotedIdent(String),
    /// A `'single-quoted'` string literal, unescaped.
    Str(String),
    /// A numeric literal, as written.
    Number(String),
    Star,
    Comma,
    Dot,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Plus,
    Minus,
    Slash,
    Percent,
    Concat,
    Semicolon,
    Eof,
}

/// A token and the character offset where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: usize,
}

static EOF_TOKEN: Token = Token {
    tok: Tok::Eof,
    pos: 0,
};

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::QuotedIdent(s) => format!("quoted identifier \"{s}\""),
        Tok::Str(s) => format!("string literal '{s}'"),
        Tok::Number(s) => format!("number {s}"),
        Tok::Star => "`*`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Dot => "`.`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Eq => "`=`".into(),
        Tok::NotEq => "`!=`".into(),
        Tok::Lt => "`<`".into(),
        Tok::LtEq => "`<=`".into(),
        Tok::Gt => "`>`".into(),
        Tok::GtEq => "`>=`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Minus => "`-`".into(),
        Tok::Slash => "`/`".into(),
        Tok::Percent => "`%`".into(),
        Tok::Concat => "`||`".into(),
        Tok::Semicolon => "`;`".into(),
        Tok::Eof => "end of input".into(),
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Splits `src` into tokens; the last token is always [`Tok::Eof`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, SelectEngineError> {
    let chars: Vec<char> = src.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '-' && at(i + 1) == Some('-') {
            // Line comment.
            while let Some(c) = at(i) {
                if c == '\n' {
                    break;
                }
                i += 1;
            }
            continue;
        }
        let tok = match c {
            '\'' | '"' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match at(i) {
                        None => {
                            let what = if c == '\'' {
                                "string literal"
                            } else {
                                "quoted identifier"
                            };
                            return Err(SelectEngineError::parse(
                                ParseErrorKind::InvalidLiteral,
                                start,
                                format!("unterminated {what}"),
                            ));
                        }
                        Some(q) if q == c => {
                            if at(i + 1) == Some(c) {
                                text.push(c);
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(other) => {
                            text.push(other);
                            i += 1;
                        }
                    }
                }
                if c == '\'' {
                    Tok::Str(text)
                } else {
                    Tok::QuotedIdent(text)
                }
            }
            '0'..='9' | '.' if c != '.' || at(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                let mut text = String::new();
                while let Some(d) = at(i).filter(char::is_ascii_digit) {
                    text.push(d);
                    i += 1;
                }
                if at(i) == Some('.') {
                    text.push('.');
                    i += 1;
                    while let Some(d) = at(i).filter(char::is_ascii_digit) {
                        text.push(d);
                        i += 1;
                    }
                }
                if let Some(e) = at(i).filter(|e| matches!(e, 'e' | 'E')) {
                    text.push(e);
                    i += 1;
                    if let Some(sign) = at(i).filter(|s| matches!(s, '+' | '-')) {
                        text.push(sign);
                        i += 1;
                    }
                    let mut digits = 0;
                    while let Some(d) = at(i).filter(char::is_ascii_digit) {
                        text.push(d);
                        i += 1;
                        digits += 1;
                    }
                    if digits == 0 {
                        return Err(SelectEngineError::parse(
                            ParseErrorKind::InvalidLiteral,
                            start,
                            format!("malformed number `{text}`: exponent has no digits"),
                        ));
                    }
                }
                if let Some(next) = at(i).filter(|n| is_ident_continue(*n) || *n == '.') {
                    return Err(SelectEngineError::parse(
                        ParseErrorKind::InvalidLiteral,
                        start,
                        format!("malformed number: `{text}` followed by `{next}`"),
                    ));
                }
                Tok::Number(text)
            }
            c if is_ident_start(c) => {
                let mut text = String::new();
                while let Some(d) = at(i).filter(|d| is_ident_continue(*d)) {
                    text.push(d);
                    i += 1;
                }
                Tok::Ident(text)
            }
            _ => {
                let next = at(i + 1);
                let (tok, len) = match (c, next) {
                    ('*', _) => (Tok::Star, 1),
                    (',', _) => (Tok::Comma, 1),
                    ('.', _) => (Tok::Dot, 1),
                    ('(', _) => (Tok::LParen, 1),
                    (')', _) => (Tok::RParen, 1),
                    ('[', _) => (Tok::LBracket, 1),
                    (']', _) => (Tok::RBracket, 1),
                    ('=', _) => (Tok::Eq, 1),
                    ('!', Some('=')) => (Tok::NotEq, 2),
                    ('<', Some('>')) => (Tok::NotEq, 2),
                    ('<', Some('=')) => (Tok::LtEq, 2),
                    ('<', _) => (Tok::Lt, 1),
                    ('>', Some('=')) => (Tok::GtEq, 2),
                    ('>', _) => (Tok::Gt, 1),
                    ('+', _) => (Tok::Plus, 1),
                    ('-', _) => (Tok::Minus, 1),
                    ('/', _) => (Tok::Slash, 1),
                    ('%', _) => (Tok::Percent, 1),
                    ('|', Some('|')) => (Tok::Concat, 2),
                    (';', _) => (Tok::Semicolon, 1),
                    _ => {
                        return Err(SelectEngineError::parse(
                            ParseErrorKind::InvalidChar,
                            start,
                            format!("unexpected character {c:?}"),
                        ));
                    }
                };
                i += len;
                tok
            }
        };
        out.push(Token { tok, pos: start });
    }
    out.push(Token {
        tok: Tok::Eof,
        pos: chars.len(),
    });
    Ok(out)
}

// ---------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

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
    let mut parser = Parser { tokens, idx: 0 };
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
        Expr::IsNull { expr, .. } | Expr::Not(expr) => visit_columns_mut(expr, f),
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
        Expr::IsNull { expr, .. } | Expr::Not(expr) => visit_columns(expr, f),
        Expr::And(items) | Expr::Or(items) => items.iter().try_for_each(|i| visit_columns(i, f)),
    }
}

struct Parser {
    tokens: Vec<Token>,
    idx: usize,
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
