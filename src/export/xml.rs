/*!
A thin layer over quick-xml's writer shared by the GEXF and GraphML exporters: indented
elements whose attribute values go through [`super::text::escape_xml_attr`] (quick-xml's own
escaping keeps raw newlines and control characters, which XML 1.0 either normalises away or
forbids).
*/

use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::text::{escape_xml_attr, escape_xml_text};

/// An indented XML writer that recycles one buffer for start tags.
pub(crate) struct XmlWriter<W: Write> {
    writer: Writer<W>,
    spare: String,
}

/// One start tag being built: `name key="value" …`, values escaped as they are added.
pub(crate) struct Tag {
    content: String,
    name_len: usize,
}

impl Tag {
    /// Adds an attribute whose value is already safe (a number, a fixed keyword).
    pub(crate) fn raw(mut self, key: &str, value: &str) -> Self {
        self.content.push(' ');
        self.content.push_str(key);
        self.content.push_str("=\"");
        self.content.push_str(value);
        self.content.push('"');
        self
    }

    /// Adds an attribute with arbitrary text, escaped.
    pub(crate) fn text(mut self, key: &str, value: &str) -> Self {
        self.content.push(' ');
        self.content.push_str(key);
        self.content.push_str("=\"");
        escape_xml_attr(value, &mut self.content);
        self.content.push('"');
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
            spare: String::with_capacity(256),
        })
    }

    /// A start tag named `name` with no attributes yet (reusing the writer's buffer).
    pub(crate) fn tag(&mut self, name: &str) -> Tag {
        let mut content = std::mem::take(&mut self.spare);
        content.clear();
        content.push_str(name);
        Tag {
            content,
            name_len: name.len(),
        }
    }

    /// Writes the start tag of `tag`.
    pub(crate) fn open(&mut self, tag: Tag) -> io::Result<()> {
        let result = self
            .writer
            .write_event(Event::Start(BytesStart::from_content(
                tag.content.as_str(),
                tag.name_len,
            )));
        self.spare = tag.content;
        result
    }

    /// Writes `tag` as an empty element.
    pub(crate) fn empty(&mut self, tag: Tag) -> io::Result<()> {
        let result = self
            .writer
            .write_event(Event::Empty(BytesStart::from_content(
                tag.content.as_str(),
                tag.name_len,
            )));
        self.spare = tag.content;
        result
    }

    /// Writes the end tag `</name>`.
    pub(crate) fn close(&mut self, name: &str) -> io::Result<()> {
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// Writes `<name>text</name>`, the text escaped.
    pub(crate) fn text_element(&mut self, name: &str, text: &str) -> io::Result<()> {
        let tag = self.tag(name);
        self.text_element_tag(tag, name, text)
    }

    /// Writes `tag` (named `name`) holding `text`, escaped.
    pub(crate) fn text_element_tag(&mut self, tag: Tag, name: &str, text: &str) -> io::Result<()> {
        self.open(tag)?;
        let mut escaped = std::mem::take(&mut self.spare);
        escaped.clear();
        escape_xml_text(text, &mut escaped);
        let result = self
            .writer
            .write_event(Event::Text(BytesText::from_escaped(escaped.as_str())));
        self.spare = escaped;
        result?;
        self.writer.write_event(Event::End(BytesEnd::new(name)))
    }

    /// Ends the document with a newline and hands back the inner writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.writer.get_mut().write_all(b"\n")?;
        Ok(self.writer.into_inner())
    }
}
