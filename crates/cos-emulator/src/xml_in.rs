//! Request documents (Delete, CompleteMultipartUpload, Tagging, RestoreRequest,
//! AccessControlPolicy, SelectRequest, VersioningConfiguration), parsed into a small
//! element tree with hard limits. Anything malformed is an error, never a panic.

use quick_xml::XmlVersion;
use quick_xml::events::Event;

use crate::errors::{CosError, ErrorCode};

/// The deepest nesting accepted.
const MAX_DEPTH: usize = 32;
/// The most elements accepted in one document.
const MAX_ELEMENTS: usize = 200_000;

/// One element: its local name (namespace prefix dropped), attributes, children and text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    /// The local name.
    pub(crate) name: String,
    /// Attributes as `(local name, value)`.
    pub(crate) attributes: Vec<(String, String)>,
    /// Child elements in document order.
    pub(crate) children: Vec<Element>,
    /// The concatenated text content (entities resolved).
    pub(crate) text: String,
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub(crate) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub(crate) fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// An attribute by local name.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn malformed(detail: impl std::fmt::Display) -> CosError {
    CosError::with_message(
        ErrorCode::MalformedXML,
        format!("The XML you provided was not well-formed or did not validate: {detail}"),
    )
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name.to_owned(),
    }
}

/// Parses a whole document and returns its root element. Fails with `MalformedXML` on
/// empty input, invalid UTF-8, syntax errors, text or elements after the root, more than
/// one root, excessive depth or size.
pub(crate) fn parse(body: &[u8]) -> Result<Element, CosError> {
    let text = std::str::from_utf8(body).map_err(|_| malformed("the body is not UTF-8"))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let event = reader.read_event().map_err(malformed)?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(malformed("content after the root element"));
            }
            Event::Start(start) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(malformed("the document is too deep or too large"));
                }
                stack.push(element(&start)?);
            }
            Event::Empty(start) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(malformed("the document is too deep or too large"));
                }
                let el = element(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(malformed("unexpected end tag"));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let content = t.xml_content(XmlVersion::Implicit1_0);
                push_text(&mut stack, &content)?;
            }
            Event::CData(c) => {
                let content = c.xml_content(XmlVersion::Implicit1_0).into_owned();
                push_text(&mut stack, &content)?;
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    match r.resolve_char_ref().map_err(malformed)? {
                        Some(c) => c.to_string(),
                        None => return Err(malformed("bad character reference")),
                    }
                } else {
                    match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => return Err(malformed(format!("unknown entity &{};", &*r))),
                    }
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::DocType(_) => return Err(malformed("DOCTYPE is not allowed")),
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed("unclosed element"));
    }
    root.ok_or_else(|| malformed("the document is empty"))
}

fn push_text(stack: &mut [Element], content: &str) -> Result<(), CosError> {
    match stack.last_mut() {
        Some(current) => {
            current.text.push_str(content);
            Ok(())
        }
        None if content.trim().is_empty() => Ok(()),
        None => Err(malformed("text outside the root element")),
    }
}

fn element(start: &quick_xml::events::BytesStart<'_>) -> Result<Element, CosError> {
    let mut el = Element {
        name: local(start.name().as_ref()),
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(malformed)?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(malformed)?;
        el.attributes
            .push((local(attr.key.as_ref()), value.into_owned()));
    }
    Ok(el)
}

/// Parses and checks the root element's name.
pub(crate) fn parse_root(body: &[u8], expected: &str) -> Result<Element, CosError> {
    let root = parse(body)?;
    if root.name != expected {
        return Err(malformed(format!(
            "expected <{expected}>, found <{}>",
            root.name
        )));
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sdk_bodies() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Delete><Quiet>false</Quiet>\
            <Object><Key>a.txt</Key></Object><Object><Key>c&amp;d&lt;e&gt;.txt</Key>\
            <VersionId>v1</VersionId></Object></Delete>";
        let root = parse_root(body.as_bytes(), "Delete").expect("parses");
        assert_eq!(root.child_text("Quiet"), Some("false"));
        let keys: Vec<&str> = root
            .children_named("Object")
            .filter_map(|o| o.child_text("Key"))
            .collect();
        assert_eq!(keys, ["a.txt", "c&d<e>.txt"]);
    }

    #[test]
    fn keeps_attributes_and_char_refs() {
        let body = "<A><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
                    xsi:type=\"Group\"><URI>x&#x41;&#66;</URI></Grantee></A>";
        let root = parse(body.as_bytes()).expect("parses");
        let grantee = root.child("Grantee").expect("grantee");
        assert_eq!(grantee.attribute("type"), Some("Group"));
        assert_eq!(grantee.child_text("URI"), Some("xAB"));
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            &b""[..],
            b"   ",
            b"not xml",
            b"<a>",
            b"<a></b>",
            b"<a/><b/>",
            b"<a>&bogus;</a>",
            b"\xff\xfe<a/>",
            b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            b"</a>",
            b"<a><b></a></b>",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn checks_the_root_name() {
        assert!(parse_root(b"<Tagging/>", "Delete").is_err());
        assert!(parse_root(b"<Tagging/>", "Tagging").is_ok());
    }
}
