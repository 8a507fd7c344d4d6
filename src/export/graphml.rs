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
use super::model::{AttrValue, AttributeDef, Element, GraphSource, check_endpoints, check_values};
use super::text::{push_f64, push_value};
use super::xml::{Tag, XmlWriter};

/// Writes `graph` as GraphML to `out`.
///
/// # Errors
/// I/O errors, and [`ExportError`]s for records that break the model.
///
/// # Complexity
/// O(nodes + edges) time; memory holds one record at a time.
pub fn write_graphml<S, W>(graph: &S, out: W) -> Result<(), ExportError>
where
    S: GraphSource + ?Sized,
    W: Write,
{
    let mut xml = XmlWriter::new(BufWriter::with_capacity(1 << 16, out))?;
    let tag = xml
        .tag("graphml")
        .raw("xmlns", "http://graphml.graphdrawing.org/xmlns");
    xml.open(tag)?;
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
        let tag = key_tag(&mut xml, name, domain, name, ty);
        xml.empty(tag)?;
    }
    write_keys(&mut xml, "node", 'n', graph.node_attributes())?;
    write_keys(&mut xml, "edge", 'e', graph.edge_attributes())?;
    let tag = xml.tag("graph").raw("id", "G").raw(
        "edgedefault",
        if graph.directed() {
            "directed"
        } else {
            "undirected"
        },
    );
    xml.open(tag)?;

    let mut text = String::with_capacity(64);
    let mut num = itoa::Buffer::new();
    let node_count = graph.node_count();
    let mut visited = 0;
    graph.visit_nodes(&mut |node| {
        check_values(
            Element::Node(visited),
            graph.node_attributes(),
            &node.values,
        )?;
        let tag = xml.tag("node").text("id", &node.id);
        xml.open(tag)?;
        data(&mut xml, "label", &node.label)?;
        if let Some(c) = node.color {
            data(&mut xml, "r", num.format(c.r))?;
            data(&mut xml, "g", num.format(c.g))?;
            data(&mut xml, "b", num.format(c.b))?;
        }
        if let Some(size) = node.size {
            text.clear();
            push_f64(size, &mut text);
            data(&mut xml, "size", &text)?;
        }
        values(&mut xml, 'n', &node.values, &mut text)?;
        xml.close("node")?;
        visited += 1;
        Ok(())
    })?;
    if visited != node_count {
        return Err(ExportError::CountMismatch {
            what: "nodes",
            announced: node_count,
            visited,
        });
    }

    let mut visited = 0;
    graph.visit_edges(&mut |edge| {
        check_endpoints(visited, edge, node_count)?;
        check_values(
            Element::Edge(visited),
            graph.edge_attributes(),
            &edge.values,
        )?;
        text.clear();
        text.push('e');
        text.push_str(num.format(visited));
        let tag = xml
            .tag("edge")
            .raw("id", &text)
            .text("source", graph.node_id(edge.source));
        let tag = tag.text("target", graph.node_id(edge.target));
        xml.open(tag)?;
        text.clear();
        push_f64(edge.weight, &mut text);
        data(&mut xml, "weight", &text)?;
        if let Some(kind) = &edge.kind {
            data(&mut xml, "kind", kind)?;
        }
        values(&mut xml, 'e', &edge.values, &mut text)?;
        xml.close("edge")?;
        visited += 1;
        Ok(())
    })?;
    if visited != graph.edge_count() {
        return Err(ExportError::CountMismatch {
            what: "edges",
            announced: graph.edge_count(),
            visited,
        });
    }
    xml.close("graph")?;
    xml.close("graphml")?;
    xml.finish()?.flush()?;
    Ok(())
}

fn key_tag<W: Write>(xml: &mut XmlWriter<W>, id: &str, domain: &str, name: &str, ty: &str) -> Tag {
    xml.tag("key")
        .raw("id", id)
        .raw("for", domain)
        .raw("attr.name", name)
        .raw("attr.type", ty)
}

fn write_keys<W: Write>(
    xml: &mut XmlWriter<W>,
    domain: &str,
    prefix: char,
    defs: &[AttributeDef],
) -> Result<(), ExportError> {
    for (i, def) in defs.iter().enumerate() {
        let id = format!("{prefix}{i}");
        let tag = xml
            .tag("key")
            .raw("id", &id)
            .raw("for", domain)
            .text("attr.name", &def.name)
            .raw("attr.type", def.ty.graphml_name());
        xml.empty(tag)?;
    }
    Ok(())
}

fn data<W: Write>(xml: &mut XmlWriter<W>, key: &str, value: &str) -> Result<(), ExportError> {
    // `<data key="k">value</data>`, the value escaped as character data.
    let tag = xml.tag("data").raw("key", key);
    xml.text_element_tag(tag, "data", value)?;
    Ok(())
}

fn values<W: Write>(
    xml: &mut XmlWriter<W>,
    prefix: char,
    values: &[AttrValue],
    text: &mut String,
) -> Result<(), ExportError> {
    let mut key = String::with_capacity(8);
    let mut num = itoa::Buffer::new();
    for (i, value) in values.iter().enumerate() {
        if matches!(value, AttrValue::Missing) {
            continue;
        }
        key.clear();
        key.push(prefix);
        key.push_str(num.format(i));
        text.clear();
        push_value(value, text);
        data(xml, &key, text)?;
    }
    Ok(())
}
