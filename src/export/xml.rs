/*!
A thin layer over quick-xml's writer shared by the GEXF and GraphML exporters: indented
elements whose attribute values go through [`super::text::escape_xml_attr`] (quick-xml's own
escaping keeps raw newlines and control characters, which XML 1.0 either normalises away or
forbids).
*/

use std::borrow::Cow;
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

use super::text::{escape_xml_attr, escape_xml_text};

/// An indented XML writer with reusable escaping buffers.
pub(crate) struct XmlWriter<W: Write> {
    writer: Writer<W>,
    scratch: Vec<u8>,
}

/// One element being built: its name and escaped attributes.
pub(crate) struct Tag<'a> {
    start: BytesStart<'a>,
}

impl<'a> Tag<'a> {
    /// An element named `name` with no attributes yet.
    pub(crate) fn new(name: &'a str) -> Self {
        Tag {
            start: BytesStart::new(name),
        }
    }

    /// Adds an attribute whose value is already safe (a number, a fixed keyword).
    pub(crate) fn raw(mut self, key: &str, value: &str) -> Self {
        self.start.push_attribute(Attribute {
            key: QName(key.as_bytes()),
            value: Cow::Borrowed(value.as_bytes()),
        });
        self
    }

    /// Adds an attribute with arbitrary text, escaped (with `scratch` as the buffer).
    pub(crate) fn text(mut self, key: &str, value: &str, scratch: &mut Vec<u8>) -> Self {
        scratch.clear();
        escape_xml_attr(value, scratch);
        self.start.push_attribute(Attribute {
            key: QName(key.as_bytes()),
            value: Cow::Borrowed(scratch.as_slice()),
        });
        self
    }
}

impl<W: Write> XmlWriter<W> {
    /// A writer that indents by two spaces, after writing the XML declaration.
    pub(crate) fn new(out: W) -> io::Result<Self> {
        let mut writer = Writer::new_with_indent(out, b' ', 2);
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        Ok(XmlWriter {
            writer,
            scratch: Vec::with_capacity(256),
        })
    }

    /// The escaping buffer, for [`Tag::text`].
    pub(crate) fn scratch(&mut self) -> &mut Vec<u8> {
        &mut self.scratch
    }

    /// Writes the start tag of `tag`.
    pub(crate) fn open(&mut self, tag: Tag<'_>) -> io::Result<()> {
        self.writer.write_event(Event::Start(tag.start))
    }

    /// Writes `tag` as an empty element.
    pub(crate) fn empty(&mut self, tag: Tag<'_>) -> io::Result<()> {
        self.writer.write_event(Event::Empty(tag.start))
    }

    /// Writes the end tag `</name>`.
    pub(crate) fn close(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// Writes `<name>text</name>`, the text escaped.
    pub(crate) fn text_element(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.text_element_tag(Tag::new(name), name, text)
    }

    /// Writes `tag` (named `name`) holding `text`, escaped.
    pub(crate) fn text_element_tag(
        &mut self,
        tag: Tag<'_>,
        name: &str,
        text: &str,
    ) -> io::Result<()> {
        self.scratch.clear();
        escape_xml_text(text, &mut self.scratch);
        // Valid UTF-8: escaping only inserts ASCII between whole characters of a str.
        let escaped = std::str::from_utf8(&self.scratch).map_err(io::Error::other)?;
        self.writer.write_event(Event::Start(tag.start))?;
        self.writer
            .write_event(Event::Text(BytesText::from_escaped(escaped)))?;
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// Ends the document with a newline and hands back the inner writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.writer.get_mut().write_all(b"\n")?;
        Ok(self.writer.into_inner())
    }
}
