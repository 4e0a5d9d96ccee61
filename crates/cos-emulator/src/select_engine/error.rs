//! The errors of the Select engine and the COS error codes they map to.

use thiserror::Error;

/// Which kind of problem a [`SelectEngineError::Parse`] reports.
///
/// Each kind maps to a COS/S3-style error code through [`ParseErrorKind::code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// A character that cannot start any token (`LexerInvalidChar`).
    InvalidChar,
    /// A malformed literal: an unterminated string or quoted identifier, or a
    /// malformed number (`LexerInvalidLiteral`).
    InvalidLiteral,
    /// A token that is not allowed where it appears (`ParseUnexpectedToken`).
    UnexpectedToken,
    /// An operand was expected but something else was found
    /// (`ParseExpectedExpression`).
    ExpectedExpression,
    /// A keyword was expected, e.g. `SELECT` at the start or `NULL` after `IS`
    /// (`ParseExpectedKeyword`).
    ExpectedKeyword,
    /// The statement is complete but more tokens follow
    /// (`ParseExpectedEndOfInput`).
    ExpectedEndOfInput,
    /// `LIMIT` is not followed by a non-negative integer (`ParseExpectedNumber`).
    ExpectedNumber,
    /// `AS` is not followed by an identifier (`ParseExpectedIdentForAlias`).
    ExpectedIdentForAlias,
    /// `*` is combined with other items in the select list
    /// (`ParseAsteriskIsNotAloneInSelectList`).
    AsteriskIsNotAloneInSelectList,
    /// Nothing between `SELECT` and `FROM` (`ParseEmptySelect`).
    EmptySelect,
    /// The statement has no `FROM` clause (`ParseSelectMissingFrom`).
    SelectMissingFrom,
    /// A column reference is qualified by a name that is not the table alias
    /// (`InvalidTableAlias`).
    InvalidTableAlias,
    /// A positional column `_0` (positions start at `_1`) (`InvalidColumnIndex`).
    InvalidColumnIndex,
    /// Parentheses or `NOT`s are nested deeper than the engine allows
    /// (`MaxOperatorsExceeded`).
    NestingTooDeep,
    /// `CAST(... AS x)` names no known type (`ParseExpectedTypeName`).
    ExpectedTypeName,
    /// A function call is not closed by `)` (`ParseExpectedRightParenBuiltinFunctionCall`).
    ExpectedRightParen,
    /// `*` as the argument of an aggregate other than `COUNT`
    /// (`ParseUnsupportedCallWithStar`).
    UnsupportedCallWithStar,
    /// An aggregate called with more than one argument
    /// (`ParseNonUnaryAgregateFunctionCall`, S3's spelling).
    NonUnaryAggregateCall,
    /// An aggregate where none may be: in `WHERE`, inside another aggregate, or beside
    /// plain columns in the select list (`UnsupportedSqlStructure`).
    MisplacedAggregate,
}

impl ParseErrorKind {
    /// The COS/S3-style error code for this kind of parse error.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidChar => "LexerInvalidChar",
            Self::InvalidLiteral => "LexerInvalidLiteral",
            Self::UnexpectedToken => "ParseUnexpectedToken",
            Self::ExpectedExpression => "ParseExpectedExpression",
            Self::ExpectedKeyword => "ParseExpectedKeyword",
            Self::ExpectedEndOfInput => "ParseExpectedEndOfInput",
            Self::ExpectedNumber => "ParseExpectedNumber",
            Self::ExpectedIdentForAlias => "ParseExpectedIdentForAlias",
            Self::AsteriskIsNotAloneInSelectList => "ParseAsteriskIsNotAloneInSelectList",
            Self::EmptySelect => "ParseEmptySelect",
            Self::SelectMissingFrom => "ParseSelectMissingFrom",
            Self::InvalidTableAlias => "InvalidTableAlias",
            Self::InvalidColumnIndex => "InvalidColumnIndex",
            Self::NestingTooDeep => "MaxOperatorsExceeded",
            Self::ExpectedTypeName => "ParseExpectedTypeName",
            Self::ExpectedRightParen => "ParseExpectedRightParenBuiltinFunctionCall",
            Self::UnsupportedCallWithStar => "ParseUnsupportedCallWithStar",
            Self::NonUnaryAggregateCall => "ParseNonUnaryAgregateFunctionCall",
            Self::MisplacedAggregate => "UnsupportedSqlStructure",
        }
    }
}

/// Everything that can make [`run`](super::run) fail.
///
/// Every variant is a client error: a COS server answers all of them with
/// HTTP 400 ([`SelectEngineError::http_status`]) and the code from
/// [`SelectEngineError::code`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SelectEngineError {
    /// The SQL expression is malformed.
    #[error("{message} (at character {position})")]
    Parse {
        /// What kind of syntax error this is; gives the error code.
        kind: ParseErrorKind,
        /// 0-based offset, in characters (Unicode scalar values), into the
        /// expression where the problem was found.
        position: usize,
        /// A human-readable description.
        message: String,
    },
    /// The SQL expression is longer than the engine accepts.
    #[error("the SQL expression is {length} bytes long; at most {max} bytes are allowed")]
    ExpressionTooLong {
        /// Length of the expression in bytes.
        length: usize,
        /// The largest accepted length in bytes.
        max: usize,
    },
    /// The expression or request uses a feature this engine does not implement
    /// (functions, `LIKE`, `ORDER BY`, JSON DOCUMENT paths in `FROM`, ...).
    #[error("unsupported: {0}")]
    UnsupportedFeature(String),
    /// The object could not be decompressed with the requested
    /// `CompressionType`.
    #[error("the object could not be decompressed as {format}: {message}")]
    Decompression {
        /// `GZIP` or `BZIP2`.
        format: &'static str,
        /// What the decoder reported.
        message: String,
    },
    /// The object decompresses to more bytes than the engine reads.
    #[error("the object decompresses ({format}) to more than {limit} bytes, the most Select reads")]
    DecompressedTooLarge {
        /// `GZIP` or `BZIP2`.
        format: &'static str,
        /// The largest decompressed size accepted.
        limit: u64,
    },
    /// A serialization parameter is invalid (an empty field delimiter, a quote
    /// character longer than one character, an unknown JSON type, ...).
    #[error("invalid request parameter: {0}")]
    InvalidInput(String),
    /// `FileHeaderInfo` is not one of NONE, IGNORE or USE.
    #[error("invalid FileHeaderInfo {0:?}: expected NONE, IGNORE or USE")]
    InvalidFileHeaderInfo(String),
    /// `QuoteFields` is not one of ALWAYS or ASNEEDED.
    #[error("invalid QuoteFields {0:?}: expected ALWAYS or ASNEEDED")]
    InvalidQuoteFields(String),
    /// The object is not valid UTF-8.
    #[error("the object is not valid UTF-8 (first invalid byte at offset {offset})")]
    InvalidTextEncoding {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// A `CAST` could not convert a value (`CastFailed`).
    #[error("cannot CAST \"{value:.64}\" AS {ty}")]
    CastFailed {
        /// The target type.
        ty: &'static str,
        /// The value's text.
        value: String,
    },
    /// An aggregate got a value it cannot take, such as text that is not a number
    /// for `SUM` (`IncorrectSqlFunctionArgumentType`).
    #[error("{function} cannot take the value \"{value:.64}\"")]
    IncorrectArgumentType {
        /// The aggregate's name.
        function: &'static str,
        /// The value's text.
        value: String,
    },
    /// The CSV input is malformed.
    #[error("CSV parsing error in record {record}: {message}")]
    CsvParsing {
        /// 1-based number of the record (counting the header, not counting
        /// comment or blank lines) where the problem was found.
        record: u64,
        /// A human-readable description.
        message: String,
    },
    /// The JSON input is malformed.
    #[error("JSON parsing error on line {line}: {message}")]
    JsonParsing {
        /// 1-based line of the input where the problem was found.
        line: u64,
        /// A human-readable description.
        message: String,
    },
}

impl SelectEngineError {
    /// The COS/S3-style error code, e.g. `"ParseUnexpectedToken"`,
    /// `"UnsupportedSyntax"`, `"InvalidTextEncoding"` or `"CSVParsingError"`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Parse { kind, .. } => kind.code(),
            Self::ExpressionTooLong { .. } => "ExpressionTooLong",
            Self::UnsupportedFeature(_) => "UnsupportedSyntax",
            Self::Decompression { .. } => "TruncatedInput",
            Self::DecompressedTooLarge { .. } => "InvalidArgument",
            Self::InvalidInput(_) => "InvalidRequestParameter",
            Self::InvalidFileHeaderInfo(_) => "InvalidFileHeaderInfo",
            Self::InvalidQuoteFields(_) => "InvalidQuoteFields",
            Self::InvalidTextEncoding { .. } => "InvalidTextEncoding",
            Self::CastFailed { .. } => "CastFailed",
            Self::IncorrectArgumentType { .. } => "IncorrectSqlFunctionArgumentType",
            Self::CsvParsing { .. } => "CSVParsingError",
            Self::JsonParsing { .. } => "JSONParsingError",
        }
    }

    /// The HTTP status a server answers this error with: always 400.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        400
    }

    pub(crate) fn parse(kind: ParseErrorKind, position: usize, message: impl Into<String>) -> Self {
        Self::Parse {
            kind,
            position,
            message: message.into(),
        }
    }
}
