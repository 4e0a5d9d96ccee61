//! A streaming reader for the documents COS actually sends, borrowing from the body.
//!
//! The listing parsers use it on their fast path. It accepts a strict subset of what the
//! serde deserializer ([`super::parse`]) accepts and, on that subset, reads exactly the
//! same values: element text is the concatenation of its text, CDATA and references,
//! EOL-normalised and unescaped, whitespace included (the deserializer trims nothing but
//! numbers and booleans); unknown elements are skipped; attributes other than namespace
//! declarations on the root are not expected.
//!
//! Whatever falls outside the subset makes a method return `None` — a comment, a
//! processing instruction, a DTD, an attribute on an inner element (so the only namespace
//! declarations are the root's, checked once), a prefixed element name, text between fields, an unresolvable reference, malformed XML, anything after
//! the root — and the caller then parses the body with the deserializer, which gives the
//! result or the error it always gave. So the fast path never has to reproduce an error.

use std::borrow::Cow;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::NamespaceResolver;
use quick_xml::{Reader, XmlVersion};

/// What came next inside the current element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Child {
    /// The start of the child named `names[i]`.
    Known(usize),
    /// The end of the current element.
    End,
}

/// A cursor over a document, inside some element.
#[derive(Debug)]
pub(crate) struct Scanner<'a> {
    reader: Reader<&'a [u8]>,
    version: XmlVersion,
}

/// `true` for the whitespace XML allows between elements.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// `true` when `text` is only XML whitespace (or nothing).
fn is_blank(text: &str) -> bool {
    text.chars().all(is_xml_space)
}

/// Appends the text a reference stands for: a predefined entity or a character
/// reference; `None` for anything else (the deserializer resolves nothing more).
fn push_reference(text: &mut String, reference: &BytesRef<'_>) -> Option<()> {
    if let Some(ch) = reference.resolve_char_ref().ok()? {
        text.push(ch);
        return Some(());
    }
    text.push_str(resolve_predefined_entity(reference)?);
    Some(())
}

impl<'a> Scanner<'a> {
    /// Opens `body` and enters its root element, which must be `<root>` without a
    /// namespace prefix and with no attribute but namespace declarations. Like [`super::parse`], a UTF-8
    /// BOM and leading whitespace are skipped; an XML declaration may come first.
    pub(crate) fn open(body: &'a [u8], root: &str) -> Option<Self> {
        let text = std::str::from_utf8(body).ok()?;
        let text = text.trim_start_matches('\u{feff}').trim_start();
        let mut reader = Reader::from_str(text);
        // The deserializer's configuration.
        reader.config_mut().expand_empty_elements = true;
        let mut scanner = Self {
            reader,
            version: XmlVersion::Implicit1_0,
        };
        let mut first = true;
        loop {
            match scanner.reader.read_event().ok()? {
                // XML 1.1 (which normalises more line ends) is left to the deserializer.
                Event::Decl(decl) if first => match decl.xml_version().ok()? {
                    XmlVersion::Explicit1_1 => return None,
                    version => scanner.version = version,
                },
                Event::Text(t) if is_blank(&t) => {}
                Event::Start(start) => {
                    return scanner.is_plain_root(&start, root).then_some(scanner);
                }
                _ => return None,
            }
            first = false;
        }
    }

    fn is_plain_root(&self, start: &BytesStart<'_>, root: &str) -> bool {
        // The deserializer binds the namespaces an element declares, and fails on
        // declarations XML forbids.
        let namespaces_bind = || NamespaceResolver::default().push(start).is_ok();
        start.name().as_ref() == root
            && (is_blank(start.attributes_raw()) || namespaces_bind())
            && start.attributes().all(|attribute| {
                attribute.is_ok_and(|a| {
                    let key = a.key.as_ref();
                    (key == "xmlns" || key.starts_with("xmlns:")) && !a.value.contains('&')
                })
            })
    }

    /// The next child of the current element, `names` being the children it knows;
    /// unknown children are skipped. Whitespace between children is ignored.
    pub(crate) fn next_child(&mut self, names: &[&str]) -> Option<Child> {
        loop {
            match self.reader.read_event().ok()? {
                Event::Start(start) => {
                    let name = start.name();
                    let name = name.as_ref();
                    if name.contains(':') || !is_blank(start.attributes_raw()) {
                        return None;
                    }
                    match names.iter().position(|n| *n == name) {
                        Some(index) => return Some(Child::Known(index)),
                        None => self.skip()?,
                    }
                }
                Event::End(_) => return Some(Child::End),
                Event::Text(t) if is_blank(&t) => {}
                _ => return None,
            }
        }
    }

    /// Skips the rest of an element whose start was just read, checking that every
    /// reference in it resolves (the deserializer may read skipped elements in full).
    fn skip(&mut self) -> Option<()> {
        let mut depth = 1usize;
        let mut scratch = String::new();
        loop {
            match self.reader.read_event().ok()? {
                Event::Start(start) => {
                    if start.name().as_ref().contains(':') || !is_blank(start.attributes_raw()) {
                        return None;
                    }
                    depth += 1;
                }
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
                Event::Text(_) | Event::CData(_) => {}
                Event::GeneralRef(reference) => {
                    scratch.clear();
                    push_reference(&mut scratch, &reference)?;
                }
                _ => return None,
            }
        }
    }

    /// The text of a leaf element whose start was just read, up to and including its end.
    pub(crate) fn text(&mut self) -> Option<Cow<'a, str>> {
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            let piece = match self.reader.read_event().ok()? {
                Event::Text(t) => t.xml_content(self.version),
                Event::CData(c) => c.xml_content(self.version),
                Event::GeneralRef(reference) => {
                    push_reference(owned(&mut text), &reference)?;
                    continue;
                }
                Event::End(_) => return Some(text),
                _ => return None,
            };
            if text.is_empty() {
                text = piece;
            } else {
                owned(&mut text).push_str(&piece);
            }
        }
    }

    /// After the root's end: nothing but whitespace may follow.
    pub(crate) fn finish(mut self) -> Option<()> {
        loop {
            match self.reader.read_event().ok()? {
                Event::Eof => return Some(()),
                Event::Text(t) if is_blank(&t) => {}
                _ => return None,
            }
        }
    }
}

/// The text as a `String` to append to, with room for what usually follows (an `ETag`
/// is a reference, 32 or more characters, a reference).
fn owned<'t>(text: &'t mut Cow<'_, str>) -> &'t mut String {
    if let Cow::Borrowed(borrowed) = text {
        let mut string = String::with_capacity(borrowed.len() + 64);
        string.push_str(borrowed);
        *text = Cow::Owned(string);
    }
    text.to_mut()
}

/// Trims XML whitespace at both ends, as the deserializer does for numbers and booleans
/// (element text itself is never trimmed).
pub(crate) fn trim_xml_spaces(text: &str) -> &str {
    text.trim_matches(is_xml_space)
}
