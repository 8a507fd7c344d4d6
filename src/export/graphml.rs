/*!
GraphML (<http://graphml.graphdrawing.org>), read by networkx, igraph, yEd, Cytoscape and
Gephi, written in one streaming pass.

Keys: `label` (node), one `n<i>` per node attribute, Gephi's visual keys `r`, `g`, `b` and
`size` (node), then `weight` and `kind` (edge) and one `e<i>` per edge attribute; `attr.name`
is the attribute's name. Lists and times become strings (GraphML has no such types), in the
same textual form as GEXF. Edges get ids `e0, e1, …` in visit order, so parallel edges stay
distinct. Spells are not written: GraphML has no notion of time.
*/

use std::io::{BufWriter, Write};

use super::ExportError;
use super::chunks::{RenderedIds, visit_checked_edges, visit_checked_nodes, write_chunked};
use super::model::{AttrValue, AttributeDef, GraphSource, check_defaults};
use super::text::{escape_xml_attr, escape_xml_text, push_f64, push_tagged_values};
use super::xml::XmlOut;

/// Writes `graph` as GraphML to `out`.
///
/// Nodes and edges are rendered in chunks in parallel on the current rayon pool; the bytes do
/// not depend on the thread count.
///
/// # Errors
/// I/O errors, and [`ExportError`]s for records that break the model.
///
/// # Complexity
/// O(nodes + edges) time; memory holds a few chunks of rendered records.
pub fn write_graphml<S, W>(graph: &S, out: W) -> Result<(), ExportError>
where
    S: GraphSource + ?Sized,
    W: Write,
{
    check_defaults(graph.node_attributes())?;
    check_defaults(graph.edge_attributes())?;
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut xml = XmlOut::document();
    xml.start("graphml")
        .raw("xmlns", "http://graphml.graphdrawing.org/xmlns")
        .open();
    let fixed_keys = [
        ("label", "node", "string"),
        ("r", "node", "int"),
        ("g", "node", "int"),
        ("b", "node", "int"),
        ("size", "node", "double"),
        ("weight", "edge", "double"),
        ("kind", "edge", "string"),
    ];
    for (name, domain, ty) in fixed_keys {
        xml.start("key")
            .raw("id", name)
            .raw("for", domain)
            .raw("attr.name", name)
            .raw("attr.type", ty)
            .empty();
    }
    write_keys(&mut xml, "node", 'n', graph.node_attributes());
    write_keys(&mut xml, "edge", 'e', graph.edge_attributes());
    xml.start("graph")
        .raw("id", "G")
        .raw(
            "edgedefault",
            if graph.directed() {
                "directed"
            } else {
                "undirected"
            },
        )
        .open();
    out.write_all(xml.buf.as_bytes())?;

    // Records are rendered straight into text with the layout of [`XmlOut`]: a node or edge
    // sits two levels deep (graphml > graph, four spaces), its `data` three. Fixed text is
    // written in as few pieces as possible: this runs for every one of a million edges.
    let node_count = graph.node_count();
    let node_keys = data_tags('n', graph.node_attributes().len());
    write_chunked(&mut out, node_count, |range, buf| {
        let mut num = itoa::Buffer::new();
        visit_checked_nodes(graph, range, |node| {
            buf.push_str("\n    <node id=\"");
            escape_xml_attr(&node.id, buf);
            buf.push_str("\">\n      <data key=\"label\">");
            escape_xml_text(&node.label, buf);
            buf.push_str("</data>");
            if let Some(c) = node.color {
                buf.push_str("\n      <data key=\"r\">");
                buf.push_str(num.format(c.r));
                buf.push_str("</data>\n      <data key=\"g\">");
                buf.push_str(num.format(c.g));
                buf.push_str("</data>\n      <data key=\"b\">");
                buf.push_str(num.format(c.b));
                buf.push_str("</data>");
            }
            if let Some(size) = node.size {
                buf.push_str("\n      <data key=\"size\">");
                push_f64(size, buf);
                buf.push_str("</data>");
            }
            values(buf, &node_keys, graph.node_attributes(), &node.values);
            buf.push_str("\n    </node>");
        })
    })?;

    let edge_count = graph.edge_count();
    let ids = RenderedIds::new(graph, escape_xml_attr);
    let edge_keys = data_tags('e', graph.edge_attributes().len());
    write_chunked(&mut out, edge_count, |range, buf| {
        visit_checked_edges(graph, range, |visited, edge| {
            buf.push_str("\n    <edge id=\"e");
            buf.push_str(itoa::Buffer::new().format(visited));
            buf.push_str("\" source=\"");
            buf.push_str(ids.get(edge.source));
            buf.push_str("\" target=\"");
            buf.push_str(ids.get(edge.target));
            buf.push_str("\">\n      <data key=\"weight\">");
            push_f64(edge.weight, buf);
            buf.push_str("</data>");
            if let Some(kind) = &edge.kind {
                buf.push_str("\n      <data key=\"kind\">");
                escape_xml_text(kind, buf);
                buf.push_str("</data>");
            }
            values(buf, &edge_keys, graph.edge_attributes(), &edge.values);
            buf.push_str("\n    </edge>");
        })
    })?;
    let mut xml = XmlOut::at_depth(2, String::new());
    xml.close("graph");
    xml.close("graphml");
    xml.finish();
    out.write_all(xml.buf.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn write_keys(xml: &mut XmlOut, domain: &str, prefix: char, defs: &[AttributeDef]) {
    for (i, def) in defs.iter().enumerate() {
        let id = format!("{prefix}{i}");
        xml.start("key")
            .raw("id", &id)
            .raw("for", domain)
            .text_attr("attr.name", &def.name)
            .raw("attr.type", def.ty.graphml_name());
        xml.end_with_child("key", "default", def.default_text().as_deref());
    }
}

/// The start of `<data key="<prefix>i">` for each attribute `i`, on its own line.
fn data_tags(prefix: char, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("\n      <data key=\"{prefix}{i}\">"))
        .collect()
}

/// The `data` elements of the values present and not implied by a default, text escaped as
/// character data.
fn values(out: &mut String, tags: &[String], schema: &[AttributeDef], values: &[AttrValue]) {
    push_tagged_values(out, tags, schema, values, escape_xml_text, "</data>");
}
