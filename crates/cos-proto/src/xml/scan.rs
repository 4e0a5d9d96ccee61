//! A streaming reader for the documents COS actually sends, borrowing from the body.
//!
//! The listing parsers use it on their fast path. It accepts a strict subset of what the
//! serde deserializer ([`super::parse`]) accepts and, on that subset, reads exactly the
//! same values: element text is the concatenation of its text, CDATA and references,
//! EOL-normalised and unescaped, whitespace included (the deserializer trims nothing but
//! numbers and booleans); unknown elements are skipped; attributes other than namespace
//! declarations on the root are not expected.
//!
//! Structure goes through quick-xml's `Reader`, configured like the deserializer's except
//! that `<a/>` is one `Empty` event. A known child of the form `<name>text</name>`, with
//! no markup and no carriage return in its text, is read by hand from the reader's
//! remaining input, which is then advanced past it (three reader events saved for most
//! fields); the reader never sees either tag, so its stack of open elements stays right.
//!
//! Whatever falls outside the subset makes a method return `None` — a comment, a
//! processing instruction, a DTD, XML 1.1, an attribute on an inner element (so the only
//! namespace declarations are the root's, checked once), a prefixed element name, text
//! between fields, an unresolvable reference, malformed XML, anything after the root —
//! and the caller then parses the body with the deserializer, which gives the result or
//! the error it always gave. So the fast path never has to reproduce an error.

use std::borrow::Cow;

use quick_xml::escape::{resolve_predefined_entity, unescape};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::NamespaceResolver;
use quick_xml::{Reader, XmlVersion};

/// What came next inside the current element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Child<'a> {
    /// The child named `names[i]`, and how its content is to be read.
    Known(usize, Content<'a>),
    /// The end of the current element.
    End,
}

/// The content of a known child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content<'a> {
    /// The child was `<name>text</name>` (or `<name/>`) and has been read whole.
    Text(Cow<'a, str>),
    /// The child's start tag has been read; its content follows.
    Open,
}

/// A cursor over a document, inside some element.
#[derive(Debug)]
pub(crate) struct Scanner<'a> {
    /// The document after the BOM and leading whitespace: the reader reads a suffix of it.
    text: &'a str,
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
        // The deserializer's configuration, except that `<a/>` comes as one `Empty` event
        // (the deserializer expands it to a start and an end): elements read by hand must
        // never be in the middle of an expansion.
        let reader = Reader::from_str(text);
        let mut scanner = Self {
            text,
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
    pub(crate) fn next_child(&mut self, names: &[&str]) -> Option<Child<'a>> {
        // Whether the reader is between markup (not after a text event, which consumes
        // the `<` that follows it): only then may a child be read by hand.
        let mut between_markup = true;
        loop {
            if between_markup && let Some((index, text)) = self.simple_child(names) {
                return Some(Child::Known(index, Content::Text(text)));
            }
            match self.reader.read_event().ok()? {
                Event::Start(start) => match self.known(&start, names)? {
                    Some(index) => return Some(Child::Known(index, Content::Open)),
                    None => {
                        self.skip()?;
                        between_markup = true;
                    }
                },
                Event::Empty(start) => match self.known(&start, names)? {
                    Some(index) => {
                        return Some(Child::Known(index, Content::Text(Cow::Borrowed(""))));
                    }
                    None => between_markup = true,
                },
                Event::End(_) => return Some(Child::End),
                Event::Text(t) if is_blank(&t) => between_markup = false,
                _ => return None,
            }
        }
    }

    /// The index of a start tag's name in `names` (`Some(None)` for an unknown name);
    /// `None` (give up) for a prefixed name or attributes.
    fn known(&self, start: &BytesStart<'_>, names: &[&str]) -> Option<Option<usize>> {
        let name = start.name();
        let name = name.as_ref();
        if name.contains(':') || !is_blank(start.attributes_raw()) {
            return None;
        }
        Some(names.iter().position(|n| *n == name))
    }

    /// Reads the next child by hand when it is a known `<name>text</name>` or `<name/>`
    /// whose text has no markup and no carriage return (the common case, three events
    /// fewer for the reader). Unescaping is the reader's: predefined entities and
    /// character references. The reader, which sees neither tag, stays balanced; the
    /// caller makes sure it is between markup (after a start, an end, an empty element or
    /// such a child), where it would read the same bytes as a text or a tag.
    fn simple_child(&mut self, names: &[&str]) -> Option<(usize, Cow<'a, str>)> {
        let rest: &'a [u8] = self.reader.get_ref();
        let space = rest
            .iter()
            .take_while(|&&b| is_xml_space(char::from(b)))
            .count();
        let tag = rest.get(space..)?.strip_prefix(b"<")?;
        // The name runs to the first `>` or `/` (a name with anything else in or after
        // it is not a simple child).
        let name_len = tag.iter().position(|&b| b == b'>' || b == b'/')?;
        let (name, after_name) = tag.split_at(name_len);
        let index = names.iter().position(|n| n.as_bytes() == name)?;
        if let Some(after) = after_name.strip_prefix(b"/>") {
            *self.reader.get_mut() = after;
            return Some((index, Cow::Borrowed("")));
        }
        let content = after_name.strip_prefix(b">")?;
        let mut len = 0;
        let mut escaped = false;
        for &b in content {
            match b {
                b'<' => break,
                b'&' => escaped = true,
                b'\r' => return None,
                _ => {}
            }
            len += 1;
        }
        let after = content
            .get(len..)?
            .strip_prefix(b"</")?
            .strip_prefix(name)?
            .strip_prefix(b">")?;
        let start = self.text.len().checked_sub(content.len())?;
        let raw = self.text.get(start..start + len)?;
        let text = if escaped {
            unescape(raw).ok()?
        } else {
            Cow::Borrowed(raw)
        };
        *self.reader.get_mut() = after;
        Some((index, text))
    }

    /// Enters a known child read as a struct: `Some(true)` when its children follow,
    /// `Some(false)` when it had only whitespace (no children), `None` (give up) when it
    /// had text.
    pub(crate) fn enter(&mut self, content: Content<'a>) -> Option<bool> {
        match content {
            Content::Open => Some(true),
            Content::Text(text) => is_blank(&text).then_some(false),
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
                    self.known(&start, &[])?;
                    depth += 1;
                }
                Event::Empty(start) => {
                    self.known(&start, &[])?;
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

    /// The text of a known child read as a leaf: read already, or read now up to and
    /// including its end.
    pub(crate) fn text(&mut self, content: Content<'a>) -> Option<Cow<'a, str>> {
        match content {
            Content::Text(text) => Some(text),
            Content::Open => self.text_events(),
        }
    }

    /// Text, CDATA and references up to the end of the current element.
    fn text_events(&mut self) -> Option<Cow<'a, str>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_children_are_read_by_hand_and_the_rest_by_the_reader() {
        let body = "<R>\n  <A>x &amp; y</A><B/><A><![CDATA[c]]></A><Other><A>z</A></Other>\
                    <AB>w</AB><A>r\r\n</A> <<A>v</A></R> ";
        let mut scanner = Scanner::open(body.as_bytes(), "R").expect("plain root");
        let names = ["A", "B", "AB"];
        let text = |t: &str| Child::Known(0, Content::Text(Cow::Owned(t.to_owned())));
        assert_eq!(scanner.next_child(&names), Some(text("x & y")));
        assert_eq!(
            scanner.next_child(&names),
            Some(Child::Known(1, Content::Text(Cow::Borrowed(""))))
        );
        assert_eq!(
            scanner.next_child(&names),
            Some(Child::Known(0, Content::Open))
        );
        assert_eq!(scanner.text(Content::Open).as_deref(), Some("c"));
        assert_eq!(
            scanner.next_child(&names),
            Some(Child::Known(2, Content::Text(Cow::Borrowed("w"))))
        );
        // A carriage return is normalised by the reader.
        assert_eq!(
            scanner.next_child(&names),
            Some(Child::Known(0, Content::Open))
        );
        assert_eq!(scanner.text(Content::Open).as_deref(), Some("r\n"));
        // After a text, the reader has consumed the next `<`: the `<A>v</A>` after `<` is
        // not read by hand as an `A`, but left to the reader (which rejects `<<A>`).
        assert_eq!(scanner.next_child(&names), None);
    }

    #[test]
    fn the_subset_excludes_what_the_deserializer_may_treat_otherwise() {
        for body in [
            "<R><!-- c --></R>",
            "<R><A a=\"1\">x</A></R>",
            "<R><p:A>x</p:A></R>",
            "<R>text</R>",
            "<R><A>&bogus;</A></R>",
            "<R><A>x</B></R>",
        ] {
            let mut scanner = Scanner::open(body.as_bytes(), "R").expect("plain root");
            let read = scanner
                .next_child(&["A"])
                .and_then(|child| match child {
                    Child::Known(_, content) => scanner.text(content).map(|_| ()),
                    Child::End => Some(()),
                })
                .and_then(|()| scanner.next_child(&["A"]).map(|_| ()));
            assert_eq!(read, None, "{body}");
        }
        for body in [
            "<R a=\"1\"/>",
            "<?xml version=\"1.1\"?><R/>",
            "<!DOCTYPE R><R/>",
            "<p:R/>",
        ] {
            assert!(Scanner::open(body.as_bytes(), "R").is_none(), "{body}");
        }
    }
}
