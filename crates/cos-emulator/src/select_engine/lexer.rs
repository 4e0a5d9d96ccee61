//! The tokenizer of the Select SQL subset: keywords and identifiers, quoted
//! identifiers, string and number literals, operators and punctuation, `--` comments.

use super::error::{ParseErrorKind, SelectEngineError};

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

pub(crate) static EOF_TOKEN: Token = Token {
    tok: Tok::Eof,
    pos: 0,
};

pub(crate) fn describe(tok: &Tok) -> String {
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
