//! What the four listings (objects, object versions, multipart uploads, parts) share:
//! the owner model, page-size limits, the `encoding-type=url` decoding, and the check
//! that a body is the document a listing expects.

use std::borrow::Cow;

use serde::Deserialize;

use crate::encode::percent_decode_str;
use crate::error::{InputError, ResponseError};
use crate::xml;
use crate::xml::scan::{Child, Content, Scanner, trim_xml_spaces};

/// The largest page COS returns, and the default page size every listing asks for.
pub(crate) const MAX_PAGE_SIZE: u32 = 1000;

/// The owner or initiator of a listed object, version or upload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Owner {
    /// `ID`: an APPID (`1250000000`) or a CAM principal
    /// (`qcs::cam::uin/100000000001:uin/100000000001`).
    pub id: Option<String>,
    /// `DisplayName`.
    pub display_name: Option<String>,
}

/// `<Owner>` / `<Initiator>` as COS writes it.
#[derive(Debug, Deserialize)]
pub(crate) struct RawOwner {
    #[serde(rename = "ID", default, deserialize_with = "xml::non_empty")]
    id: Option<String>,
    #[serde(rename = "DisplayName", default, deserialize_with = "xml::non_empty")]
    display_name: Option<String>,
}

impl RawOwner {
    /// The public model; an `<Owner/>` with neither field is `None`.
    pub(crate) fn into_owner(self) -> Option<Owner> {
        if self.id.is_none() && self.display_name.is_none() {
            return None;
        }
        Some(Owner {
            id: self.id,
            display_name: self.display_name,
        })
    }
}

/// `<Owner>` / `<Initiator>` as the streaming scanner reads it.
#[derive(Debug, Default)]
pub(crate) struct ScannedOwner<'a> {
    id: Option<Option<Cow<'a, str>>>,
    display_name: Option<Option<Cow<'a, str>>>,
}

impl ScannedOwner<'_> {
    /// The public model, as [`RawOwner::into_owner`] makes it.
    pub(crate) fn into_owner(self) -> Option<Owner> {
        let (id, display_name) = (self.id.flatten(), self.display_name.flatten());
        if id.is_none() && display_name.is_none() {
            return None;
        }
        Some(Owner {
            id: id.map(Cow::into_owned),
            display_name: display_name.map(Cow::into_owned),
        })
    }
}

/// Reads the children of an `<Owner>` / `<Initiator>` whose start was just read.
pub(crate) fn scan_owner<'a>(
    scanner: &mut Scanner<'a>,
    content: Content<'a>,
) -> Option<ScannedOwner<'a>> {
    let mut raw = ScannedOwner::default();
    if scanner.enter(content)? {
        while let Child::Known(field, content) = scanner.next_child(&["ID", "DisplayName"])? {
            match field {
                0 => once(&mut raw.id, non_empty(scanner.text(content)?))?,
                _ => once(&mut raw.display_name, non_empty(scanner.text(content)?))?,
            }
        }
    }
    Some(raw)
}

/// Reads the `<Prefix>` of a `<CommonPrefixes>` whose start was just read (empty when
/// absent, as [`RawCommonPrefix`] defaults it).
pub(crate) fn scan_common_prefix<'a>(
    scanner: &mut Scanner<'a>,
    content: Content<'a>,
) -> Option<Cow<'a, str>> {
    let mut prefix = None;
    if scanner.enter(content)? {
        while let Child::Known(_, content) = scanner.next_child(&["Prefix"])? {
            once(&mut prefix, scanner.text(content)?)?;
        }
    }
    Some(prefix.unwrap_or_default())
}

/// Fills a field slot once; `None` (give up) when the field was already seen.
pub(crate) fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// [`crate::xml::non_empty`] for scanned text.
pub(crate) fn non_empty(text: Cow<'_, str>) -> Option<Cow<'_, str>> {
    (!text.is_empty()).then_some(text)
}

/// [`opt_u32`] for scanned text: `Some(None)` for an empty element, `None` (give up)
/// when the text is not a number.
pub(crate) fn scan_u32(text: &str) -> Option<Option<u32>> {
    if text.is_empty() {
        return Some(None);
    }
    text.trim().parse().ok().map(Some)
}

/// A number as the deserializer reads one (trimmed of XML whitespace, then `FromStr`);
/// `None` (give up) otherwise.
pub(crate) fn scan_number<T: std::str::FromStr>(text: &str) -> Option<T> {
    trim_xml_spaces(text).parse().ok()
}

/// A boolean as the deserializer reads one (`true`, `1`, `false`, `0`); `None` (give
/// up) otherwise.
pub(crate) fn scan_bool(text: &str) -> Option<bool> {
    match trim_xml_spaces(text) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The public model of an optional `<Owner>` / `<Initiator>` element.
pub(crate) fn owner(raw: Option<RawOwner>) -> Option<Owner> {
    raw.and_then(RawOwner::into_owner)
}

/// One `<CommonPrefixes><Prefix>..</Prefix></CommonPrefixes>` element.
#[derive(Debug, Deserialize)]
pub(crate) struct RawCommonPrefix {
    #[serde(rename = "Prefix", default)]
    pub(crate) prefix: String,
}

/// Deserialises an element holding an unsigned number; an empty or absent element is `None`.
pub(crate) fn opt_u32<'de, D>(deserializer: D) -> Result<Option<u32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    xml::non_empty(deserializer)?
        .map(|text| text.trim().parse::<u32>().map_err(serde::de::Error::custom))
        .transpose()
}

/// Fails unless `value` is a page size COS accepts (`1..=1000`).
pub(crate) fn check_page_size(what: &'static str, value: u32) -> Result<(), InputError> {
    if (1..=MAX_PAGE_SIZE).contains(&value) {
        Ok(())
    } else {
        Err(InputError::InvalidArgument {
            what,
            reason: format!("{value} is outside 1..={MAX_PAGE_SIZE}"),
        })
    }
}

pub(crate) use crate::xml::parse_document;

/// Undoes `encoding-type=url` on the fields COS encodes.
///
/// Decoding happens only when the document says `<EncodingType>url</EncodingType>`;
/// it is percent-only (`+` stays `+`, as COS encodes a space as `%20`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyDecoder {
    decode: bool,
}

/// Whether a listing's keys, prefixes and markers are decoded (the default) or kept as
/// COS encoded them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoding {
    /// Decoded when the document says `<EncodingType>url</EncodingType>`.
    Decoded,
    /// Kept as sent.
    KeepEncoded,
}

impl KeyDecoder {
    /// The decoder for a document whose `<EncodingType>` is `encoding_type`.
    pub(crate) fn new(encoding_type: Option<&str>, decoding: Decoding) -> Self {
        Self {
            decode: decoding == Decoding::Decoded
                && encoding_type.is_some_and(|e| e.eq_ignore_ascii_case("url")),
        }
    }

    /// Decodes one value; `field` names it in the error when the escapes do not form UTF-8.
    pub(crate) fn decode(
        self,
        field: &'static str,
        value: String,
    ) -> Result<String, ResponseError> {
        if !self.decode || !value.contains('%') {
            return Ok(value);
        }
        percent_decode_str(&value).ok_or_else(|| ResponseError::InvalidField {
            field,
            reason: format!("{value:?}, whose percent-escapes are not UTF-8"),
        })
    }

    /// [`KeyDecoder::decode`] of a scanned text: one allocation, for the result.
    pub(crate) fn decode_cow(
        self,
        field: &'static str,
        value: Cow<'_, str>,
    ) -> Result<String, ResponseError> {
        if !self.decode || !value.contains('%') {
            return Ok(value.into_owned());
        }
        percent_decode_str(&value).ok_or_else(|| ResponseError::InvalidField {
            field,
            reason: format!("{value:?}, whose percent-escapes are not UTF-8"),
        })
    }

    /// [`KeyDecoder::decode_opt`] of a scanned text.
    pub(crate) fn decode_cow_opt(
        self,
        field: &'static str,
        value: Option<Cow<'_, str>>,
    ) -> Result<Option<String>, ResponseError> {
        value.map(|v| self.decode_cow(field, v)).transpose()
    }

    /// Decodes an optional value.
    pub(crate) fn decode_opt(
        self,
        field: &'static str,
        value: Option<String>,
    ) -> Result<Option<String>, ResponseError> {
        value.map(|v| self.decode(field, v)).transpose()
    }

    /// Decodes every `<CommonPrefixes><Prefix>`.
    pub(crate) fn common_prefixes(
        self,
        raw: Vec<RawCommonPrefix>,
    ) -> Result<Vec<String>, ResponseError> {
        raw.into_iter()
            .map(|p| self.decode("CommonPrefixes.Prefix", p.prefix))
            .collect()
    }
}

/// The later (in COS's byte order) of two optional positions: where the next page starts
/// when COS truncates a listing without naming the next marker.
pub(crate) fn later<'a>(a: Option<&'a str>, b: Option<&'a str>) -> Option<&'a str> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_is_percent_only_and_only_for_url_documents() {
        let url = KeyDecoder::new(Some("url"), Decoding::Decoded);
        assert_eq!(
            url.decode("Key", "a%2Bb+c%20d".to_owned()),
            Ok("a+b+c d".to_owned())
        );
        assert_eq!(url.decode("Key", "100%".to_owned()), Ok("100%".to_owned()));
        assert!(matches!(
            url.decode("Key", "%FF".to_owned()),
            Err(ResponseError::InvalidField { field: "Key", .. })
        ));
        let raw = KeyDecoder::new(None, Decoding::Decoded);
        assert_eq!(
            raw.decode("Key", "a%20b".to_owned()),
            Ok("a%20b".to_owned())
        );
        assert_eq!(
            KeyDecoder::new(Some("URL"), Decoding::Decoded)
                .decode_opt("Prefix", Some("%2F".to_owned())),
            Ok(Some("/".to_owned()))
        );
    }

    #[test]
    fn page_sizes_and_positions() {
        assert!(check_page_size("max-keys", 0).is_err());
        assert!(check_page_size("max-keys", 1001).is_err());
        assert!(
            check_page_size("max-keys", 1).is_ok() && check_page_size("max-keys", 1000).is_ok()
        );
        assert_eq!(later(Some("a/b"), Some("a/")), Some("a/b"));
        assert_eq!(later(Some("a/"), Some("b/")), Some("b/"));
        assert_eq!(later(None, Some("x")), Some("x"));
        assert_eq!(later(None, None), None);
    }

    #[test]
    fn documents_are_checked_by_root() {
        #[derive(Debug, Deserialize)]
        struct Doc {
            #[serde(rename = "A")]
            a: u32,
            #[serde(rename = "B", default, deserialize_with = "opt_u32")]
            b: Option<u32>,
        }
        let doc: Doc = parse_document("R", b"<R><A>1</A><B> 7 </B></R>").expect("parses");
        assert_eq!((doc.a, doc.b), (1, Some(7)));
        let doc: Doc = parse_document("R", b"<R><A>1</A><B/></R>").expect("parses");
        assert_eq!(doc.b, None);
        assert!(parse_document::<Doc>("R", b"<R><A>1</A><B>-1</B></R>").is_err());
        assert!(matches!(
            parse_document::<Doc>("R", b"<Error><A>1</A></Error>"),
            Err(ResponseError::MalformedXml { .. })
        ));
        assert!(matches!(
            parse_document::<Doc>("R", b"garbage"),
            Err(ResponseError::MalformedXml { .. })
        ));
    }
}
