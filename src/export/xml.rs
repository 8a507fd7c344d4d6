/*!
The indented XML the GEXF and GraphML exporters write, rendered into a `String`: [`XmlOut`]
writes the parts around the records, and the exporters render each node and edge straight
into text in the same layout (chunks of them in parallel, [`super::chunks`]).

The layout is quick-xml's indenting writer's, kept byte for byte: every start, end or empty tag
goes on its own line, indented two spaces per level, except the end tag right after text
(`<data key="k">text</data>`). Attribute values go through [`super::text::escape_xml_attr`] and
text through [`super::text::escape_xml_text`] (which, unlike quick-xml's own escaping, also
replace the characters XML 1.0 forbids).
*/

use super::text::{escape_xml_attr, escape_xml_text};

/// A part of an indented XML document, written into [`XmlOut::buf`].
pub(crate) struct XmlOut {
    /// The text written so far.
    pub(crate) buf: String,
    /// Nesting depth of the next tag.
    depth: usize,
    /// Whether the next tag starts a new line (not right after text).
    line_break: bool,
}

impl XmlOut {
    /// The start of a document: the XML declaration.
    pub(crate) fn document() -> Self {
        XmlOut {
            buf: String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#),
            depth: 0,
            line_break: true,
        }
    }

    /// A part of a document whose next tag is nested `depth` levels deep and follows a tag.
    pub(crate) fn at_depth(depth: usize, buf: String) -> Self {
        XmlOut {
            buf,
            depth,
            line_break: true,
        }
    }

    /// Begins a start (or empty) tag `<name`; attributes follow, then [`XmlOut::open`] or
    /// [`XmlOut::empty`].
    pub(crate) fn start(&mut self, name: &str) -> &mut Self {
        self.new_line();
        self.buf.push('<');
        self.buf.push_str(name);
        self
    }

    /// Adds an attribute whose value is already safe (a number, a fixed keyword).
    pub(crate) fn raw(&mut self, key: &str, value: &str) -> &mut Self {
        self.buf.push(' ');
        self.buf.push_str(key);
        self.buf.push_str("=\"");
        self.buf.push_str(value);
        self.buf.push('"');
        self
    }

    /// Adds an attribute with arbitrary text, escaped.
    pub(crate) fn text_attr(&mut self, key: &str, value: &str) -> &mut Self {
        self.buf.push(' ');
        self.buf.push_str(key);
        self.buf.push_str("=\"");
        escape_xml_attr(value, &mut self.buf);
        self.buf.push('"');
        self
    }

    /// Ends the start tag begun by [`XmlOut::start`]: `>`, one level deeper.
    pub(crate) fn open(&mut self) {
        self.buf.push('>');
        self.depth += 1;
        self.line_break = true;
    }

    /// Ends the tag begun by [`XmlOut::start`] as an empty element: `/>`.
    pub(crate) fn empty(&mut self) {
        self.buf.push_str("/>");
        self.line_break = true;
    }

    /// Writes the end tag `</name>`, one level up.
    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.new_line();
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push('>');
        self.line_break = true;
    }

    /// Writes `text`, escaped, inside the element just opened; its end tag follows on the same
    /// line.
    pub(crate) fn text(&mut self, text: &str) {
        escape_xml_text(text, &mut self.buf);
        self.line_break = false;
    }

    /// Writes `<name>text</name>`, the text escaped.
    pub(crate) fn text_element(&mut self, name: &str, text: &str) {
        self.start(name).open();
        self.text(text);
        self.close(name);
    }

    /// Ends the element just started: empty without `child_text`, else holding one
    /// `<child>text</child>`. What attribute declarations with an optional default share.
    pub(crate) fn end_with_child(&mut self, name: &str, child: &str, child_text: Option<&str>) {
        match child_text {
            Some(text) => {
                self.open();
                self.text_element(child, text);
                self.close(name);
            }
            None => self.empty(),
        }
    }

    /// Ends the document with a newline.
    pub(crate) fn finish(&mut self) {
        self.buf.push('\n');
    }

    fn new_line(&mut self) {
        const SPACES: &str = "                                ";
        if self.line_break {
            self.buf.push('\n');
            let mut indent = 2 * self.depth;
            while indent > 0 {
                let n = indent.min(SPACES.len());
                self.buf.push_str(&SPACES[..n]);
                indent -= n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_indented_with_text_inline() {
        let mut xml = XmlOut::document();
        xml.start("a").raw("n", "1").open();
        xml.start("b").text_attr("t", "x<\"y\"").empty();
        xml.start("c").open();
        xml.text("1 < 2");
        xml.close("c");
        xml.text_element("d", "");
        xml.close("a");
        xml.finish();
        assert_eq!(
            xml.buf,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a n=\"1\">\n  \
             <b t=\"x&lt;&quot;y&quot;\"/>\n  <c>1 &lt; 2</c>\n  <d></d>\n</a>\n"
        );
        let mut part = XmlOut::at_depth(2, String::new());
        part.start("e").raw("v", "7").empty();
        assert_eq!(part.buf, "\n    <e v=\"7\"/>");
        let mut deep = XmlOut::at_depth(20, String::new());
        deep.start("f").empty();
        assert_eq!(deep.buf, format!("\n{}<f/>", " ".repeat(40)));
    }
}
