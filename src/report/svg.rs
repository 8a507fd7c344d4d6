/*!
A minimal SVG writer for the report's charts: shapes, text and groups written as inline SVG
markup for an HTML page, with every label escaped and every number written the same way on
every platform ([`push_coord`]).

Only the elements the charts use exist; each takes a `class` so pages can style them and tests
can find them. Tooltips are `<title>` children, which browsers show on hover without script.
*/

use std::fmt::Write as _;

use super::render::{push_coord, push_escaped};

/// Horizontal anchoring of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// The text starts at x.
    Start,
    /// The text is centred on x.
    Middle,
    /// The text ends at x.
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// An SVG document being written; [`Svg::finish`] closes it.
pub(crate) struct Svg {
    out: String,
    open_groups: usize,
}

impl Svg {
    /// Opens `<svg class="chart {class}" id="{id}">` of `width` × `height` user units, with a
    /// `<title>` (the accessible name) and a visible heading text at the top left.
    pub(crate) fn new(class: &str, id: &str, width: f64, height: f64, title: &str) -> Self {
        let mut out = String::with_capacity(4096);
        out.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart ");
        push_escaped(&mut out, class);
        out.push_str("\" id=\"");
        push_escaped(&mut out, id);
        out.push_str("\" role=\"img\" viewBox=\"0 0 ");
        push_coord(&mut out, width);
        out.push(' ');
        push_coord(&mut out, height);
        out.push_str("\" width=\"");
        push_coord(&mut out, width);
        out.push_str("\" height=\"");
        push_coord(&mut out, height);
        out.push_str("\"><title>");
        push_escaped(&mut out, title);
        out.push_str("</title>\n");
        let mut svg = Svg {
            out,
            open_groups: 0,
        };
        svg.text("chart-title", 8.0, 18.0, Anchor::Start, title);
        svg
    }

    /// Opens a `<g class="…">`; closed by [`Svg::end_group`] or [`Svg::finish`].
    pub(crate) fn group(&mut self, class: &str) {
        self.out.push_str("<g class=\"");
        push_escaped(&mut self.out, class);
        self.out.push_str("\">\n");
        self.open_groups += 1;
    }

    /// Closes the innermost open group.
    pub(crate) fn end_group(&mut self) {
        if self.open_groups > 0 {
            self.out.push_str("</g>\n");
            self.open_groups -= 1;
        }
    }

    /// A rectangle; negative sizes are drawn from the other corner. `fill` is a colour the
    /// program chose (never user text); `tooltip` is shown on hover.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn rect(
        &mut self,
        class: &str,
        x: f64,
        y: f64,
        width: f64,
        height: f64,
        fill: Option<&str>,
        tooltip: Option<&str>,
    ) {
        let (x, width) = if width < 0.0 {
            (x + width, -width)
        } else {
            (x, width)
        };
        let (y, height) = if height < 0.0 {
            (y + height, -height)
        } else {
            (y, height)
        };
        self.out.push_str("<rect class=\"");
        push_escaped(&mut self.out, class);
        self.out.push('"');
        self.attr("x", x);
        self.attr("y", y);
        self.attr("width", width);
        self.attr("height", height);
        if let Some(fill) = fill {
            self.out.push_str(" fill=\"");
            push_escaped(&mut self.out, fill);
            self.out.push('"');
        }
        self.close_with_tooltip("rect", tooltip);
    }

    /// A straight line.
    pub(crate) fn line(&mut self, class: &str, x1: f64, y1: f64, x2: f64, y2: f64) {
        self.out.push_str("<line class=\"");
        push_escaped(&mut self.out, class);
        self.out.push('"');
        self.attr("x1", x1);
        self.attr("y1", y1);
        self.attr("x2", x2);
        self.attr("y2", y2);
        self.out.push_str("/>\n");
    }

    /// An open polyline through `points`, with a hover `tooltip`.
    pub(crate) fn polyline(&mut self, class: &str, points: &[(f64, f64)], tooltip: Option<&str>) {
        self.out.push_str("<polyline class=\"");
        push_escaped(&mut self.out, class);
        self.out.push_str("\" points=\"");
        for (i, &(x, y)) in points.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            push_coord(&mut self.out, x);
            self.out.push(',');
            push_coord(&mut self.out, y);
        }
        self.out.push('"');
        self.close_with_tooltip("polyline", tooltip);
    }

    /// A text; `text` is escaped.
    pub(crate) fn text(&mut self, class: &str, x: f64, y: f64, anchor: Anchor, text: &str) {
        self.out.push_str("<text class=\"");
        push_escaped(&mut self.out, class);
        self.out.push('"');
        self.attr("x", x);
        self.attr("y", y);
        let _ = write!(self.out, " text-anchor=\"{}\">", anchor.as_str());
        push_escaped(&mut self.out, text);
        self.out.push_str("</text>\n");
    }

    /// A text rotated a quarter turn anticlockwise about (x, y), for vertical axis labels.
    pub(crate) fn vertical_text(&mut self, class: &str, x: f64, y: f64, text: &str) {
        self.out.push_str("<text class=\"");
        push_escaped(&mut self.out, class);
        self.out.push('"');
        self.attr("x", x);
        self.attr("y", y);
        self.out
            .push_str(" text-anchor=\"middle\" transform=\"rotate(-90 ");
        push_coord(&mut self.out, x);
        self.out.push(' ');
        push_coord(&mut self.out, y);
        self.out.push_str(")\">");
        push_escaped(&mut self.out, text);
        self.out.push_str("</text>\n");
    }

    /// A legend entry: a colour swatch and its label, at (x, y) (the label's baseline).
    pub(crate) fn legend(&mut self, x: f64, y: f64, fill: &str, label: &str) {
        self.rect("legend-swatch", x, y - 9.0, 10.0, 10.0, Some(fill), None);
        self.text("legend-label", x + 14.0, y, Anchor::Start, label);
    }

    /// Closes every open group and the document.
    pub(crate) fn finish(mut self) -> String {
        while self.open_groups > 0 {
            self.end_group();
        }
        self.out.push_str("</svg>\n");
        self.out
    }

    fn attr(&mut self, name: &str, value: f64) {
        let _ = write!(self.out, " {name}=\"");
        push_coord(&mut self.out, value);
        self.out.push('"');
    }

    fn close_with_tooltip(&mut self, element: &str, tooltip: Option<&str>) {
        match tooltip {
            Some(t) => {
                self.out.push_str("><title>");
                push_escaped(&mut self.out, t);
                let _ = writeln!(self.out, "</title></{element}>");
            }
            None => self.out.push_str("/>\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_escaped_balanced_markup() {
        let mut svg = Svg::new("chart-test", "t-1", 100.0, 50.5, "T <1>");
        svg.group("bars");
        svg.rect(
            "bar",
            10.0,
            40.0,
            5.0,
            -30.0,
            Some("#123456"),
            Some("a \"b\" <c>"),
        );
        svg.line("axis", 0.0, 0.0, 100.0, 0.0);
        svg.polyline("series", &[(0.0, 1.0), (2.5, f64::NAN)], None);
        svg.vertical_text("axis-label", 5.0, 25.0, "y");
        svg.legend(0.0, 10.0, "#000", "x&y");
        let text = svg.finish();
        assert!(text.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-test\" id=\"t-1\" \
             role=\"img\" viewBox=\"0 0 100 50.5\" width=\"100\" height=\"50.5\"><title>T &lt;1&gt;</title>"
        ));
        assert!(text.contains(
            "<rect class=\"bar\" x=\"10\" y=\"10\" width=\"5\" height=\"30\" fill=\"#123456\">\
             <title>a &quot;b&quot; &lt;c&gt;</title></rect>"
        ));
        assert!(text.contains("<polyline class=\"series\" points=\"0,1 2.5,0\"/>"));
        assert!(text.contains("transform=\"rotate(-90 5 25)\">y</text>"));
        assert!(text.contains(">x&amp;y</text>"));
        assert!(text.ends_with("</g>\n</svg>\n"));
        assert_eq!(text.matches("<g ").count(), text.matches("</g>").count());
    }
}
