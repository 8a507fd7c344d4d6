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
use super::chunks::{RenderedIds, write_chunked};
use super::gexf::counted;
use super::model::{AttrValue, AttributeDef, Element, GraphSource, check_endpoints, check_values};
use super::text::{escape_xml_attr, push_f64, push_value};
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

    // Records sit two levels deep: graphml > graph.
    let node_count = graph.node_count();
    write_chunked(&mut out, node_count, |range, buf| {
        let mut xml = XmlOut::at_depth(2, std::mem::take(buf));
        let mut num = itoa::Buffer::new();
        let mut visited = range.start;
        let result = graph.visit_node_range(range.clone(), &mut |node| {
            check_values(
                Element::Node(visited),
                graph.node_attributes(),
                &node.values,
            )?;
            xml.start("node").text_attr("id", &node.id).open();
            data(&mut xml, "label", &node.label);
            if let Some(c) = node.color {
                data(&mut xml, "r", num.format(c.r));
                data(&mut xml, "g", num.format(c.g));
                data(&mut xml, "b", num.format(c.b));
            }
            if let Some(size) = node.size {
                data_with(&mut xml, "size", |s| push_f64(size, s));
            }
            values(&mut xml, 'n', &node.values);
            xml.close("node");
            visited += 1;
            Ok(())
        });
        *buf = xml.buf;
        result?;
        counted("nodes", node_count, range, visited)
    })?;

    let edge_count = graph.edge_count();
    let ids = RenderedIds::new(graph, escape_xml_attr);
    write_chunked(&mut out, edge_count, |range, buf| {
        let mut xml = XmlOut::at_depth(2, std::mem::take(buf));
        let mut visited = range.start;
        let result = graph.visit_edge_range(range.clone(), &mut |edge| {
            check_endpoints(visited, edge, node_count)?;
            check_values(
                Element::Edge(visited),
                graph.edge_attributes(),
                &edge.values,
            )?;
            xml.start("edge")
                .with("id", |s| {
                    s.push('e');
                    s.push_str(itoa::Buffer::new().format(visited));
                })
                .raw("source", ids.get(edge.source))
                .raw("target", ids.get(edge.target))
                .open();
            data_with(&mut xml, "weight", |s| push_f64(edge.weight, s));
            if let Some(kind) = &edge.kind {
                data(&mut xml, "kind", kind);
            }
            values(&mut xml, 'e', &edge.values);
            xml.close("edge");
            visited += 1;
            Ok(())
        });
        *buf = xml.buf;
        result?;
        counted("edges", edge_count, range, visited)
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
            .raw("attr.type", def.ty.graphml_name())
            .empty();
    }
}

/// `<data key="k">value</data>`, the value escaped as character data.
fn data(xml: &mut XmlOut, key: &str, value: &str) {
    xml.start("data").raw("key", key).open();
    xml.text(value);
    xml.close("data");
}

/// `<data key="k">value</data>` for a value that needs no escaping (a number, a date),
/// appended by `value`.
fn data_with(xml: &mut XmlOut, key: &str, value: impl FnOnce(&mut String)) {
    xml.start("data").raw("key", key).open();
    value(&mut xml.buf);
    // As [`XmlOut::text`]: the end tag follows on the same line.
    xml.text("");
    xml.close("data");
}

fn values(xml: &mut XmlOut, prefix: char, values: &[AttrValue]) {
    let mut num = itoa::Buffer::new();
    for (i, value) in values.iter().enumerate() {
        if matches!(value, AttrValue::Missing) {
            continue;
        }
        xml.start("data")
            .with("key", |s| {
                s.push(prefix);
                s.push_str(num.format(i));
            })
            .open();
        match value {
            AttrValue::Str(text) => xml.text(text),
            AttrValue::List(_) => {
                let mut text = String::new();
                push_value(value, &mut text);
                xml.text(&text);
            }
            // Numbers, booleans and times need no escaping.
            _ => {
                push_value(value, &mut xml.buf);
                xml.text("");
            }
        }
        xml.close("data");
    }
}
