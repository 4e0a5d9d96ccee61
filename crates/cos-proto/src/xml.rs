//! XML documents: parsing responses (quick-xml + serde) and writing request bodies
//! byte-for-byte like the official SDK.

use serde::de::DeserializeOwned;

pub(crate) mod scan;

use crate::error::ResponseError;

/// The declaration every request document starts with.
pub(crate) const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

/// Parses a response document. Leading whitespace (COS may send keep-alive spaces before
/// a late CompleteMultipartUpload result) and a UTF-8 BOM are skipped.
pub(crate) fn parse<T: DeserializeOwned>(
    document: &'static str,
    body: &[u8],
) -> Result<T, ResponseError> {
    let text = std::str::from_utf8(body).map_err(|e| ResponseError::MalformedXml {
        document,
        detail: e.to_string(),
    })?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    quick_xml::de::from_str(text).map_err(|e| ResponseError::MalformedXml {
        document,
        detail: e.to_string(),
    })
}

/// Parses a response document after checking that its root element is `root` (a body
/// that is not XML, or another document, is [`ResponseError::MalformedXml`]).
pub(crate) fn parse_document<T: serde::de::DeserializeOwned>(
    root: &'static str,
    body: &[u8],
) -> Result<T, ResponseError> {
    match root_element(body) {
        Some(found) if found == root => parse(root, body),
        Some(found) => Err(ResponseError::MalformedXml {
            document: root,
            detail: format!("the root element is <{found}>"),
        }),
        None => Err(ResponseError::MalformedXml {
            document: root,
            detail: "the body is not an XML document".to_owned(),
        }),
    }
}

/// The local name of the document's root element, if the body is XML at all.
pub(crate) fn root_element(body: &[u8]) -> Option<String> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = quick_xml::Reader::from_str(text.trim_start_matches('\u{feff}').trim_start());
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                return Some(e.local_name().into_inner().to_owned());
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// Which characters are escaped in element text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Escaping {
    /// `&`, `<`, `>` (Python's `xmltodict`, used for most documents).
    Minimal,
    /// `&`, `<`, `>` and `"` (Python's `minidom`, used for CompleteMultipartUpload).
    WithQuotes,
}

/// A compact XML writer for request documents.
#[derive(Debug)]
pub(crate) struct XmlWriter {
    buf: String,
    escaping: Escaping,
}

impl XmlWriter {
    /// Starts a document with the declaration followed by a newline (`xmltodict` style).
    pub(crate) fn new() -> Self {
        Self {
            buf: format!("{DECLARATION}\n"),
            escaping: Escaping::Minimal,
        }
    }

    /// Starts a document with the declaration and no newline, escaping quotes in text
    /// (`minidom` style, as the official SDK writes CompleteMultipartUpload).
    pub(crate) fn minidom() -> Self {
        Self {
            buf: DECLARATION.to_owned(),
            escaping: Escaping::WithQuotes,
        }
    }

    /// Opens `<name>`.
    pub(crate) fn open(&mut self, name: &str) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }

    /// Opens `<name a="v" ...>`; attribute values are escaped.
    pub(crate) fn open_with(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(name);
        for (attr, value) in attributes {
            self.buf.push(' ');
            self.buf.push_str(attr);
            self.buf.push_str("=\"");
            self.buf.push_str(&quick_xml::escape::escape(*value));
            self.buf.push('"');
        }
        self.buf.push('>');
        self
    }

    /// Closes `</name>`.
    pub(crate) fn close(&mut self, name: &str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
        self
    }

    /// Writes `<name>text</name>`.
    pub(crate) fn element(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        let escaped = quick_xml::escape::partial_escape(text);
        match self.escaping {
            Escaping::Minimal => self.buf.push_str(&escaped),
            Escaping::WithQuotes => self.buf.push_str(&escaped.replace('"', "&quot;")),
        }
        self.close(name)
    }

    /// Writes `<name>text</name>` when the value is present.
    pub(crate) fn element_opt(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.element(name, text);
        }
        self
    }

    /// The finished document.
    pub(crate) fn finish(&mut self) -> bytes::Bytes {
        bytes::Bytes::from(std::mem::take(&mut self.buf))
    }
}

/// Deserialises an element's text, mapping an empty element (`<Marker/>`) to `None`.
pub(crate) fn non_empty<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_escapes_like_the_reference() {
        let mut w = XmlWriter::new();
        w.open("Delete")
            .element("Key", "c&d<e>\"'.txt")
            .close("Delete");
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Delete><Key>c&amp;d&lt;e&gt;\"'.txt</Key></Delete>"
        );
        let mut w = XmlWriter::minidom();
        w.open("Part").element("ETag", "\"e1\"").close("Part");
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Part><ETag>&quot;e1&quot;</ETag></Part>"
        );
    }

    #[test]
    fn root_element_skips_declaration_and_whitespace() {
        assert_eq!(
            root_element(b"  \n<?xml version=\"1.0\"?>\n<Error><Code/></Error>").as_deref(),
            Some("Error")
        );
        assert_eq!(
            root_element(b"<ns:Result xmlns:ns=\"x\"/>").as_deref(),
            Some("Result")
        );
        assert_eq!(root_element(b"not xml"), None);
        assert_eq!(root_element(b""), None);
    }
}
