/*!
GEXF 1.3 (<https://gexf.net>), Gephi's native format, written in one streaming pass.

Layout: `<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">`,
an optional `<meta>`, then one `<graph>` with the node and edge attribute declarations
(`<attributes class="node|edge">`, ids `0, 1, …` in schema order), `<nodes>` and `<edges>`.
- Nodes carry `id`, `label`, `<attvalues>` (missing values left out), `<viz:color>` and
  `<viz:size>`.
- Edges carry `id` (their visit order), `source`, `target`, `weight` and, for parallel edges
  of the interaction graph, `kind` (GEXF's `type` is the direction, not a category).
- In dynamic mode the graph is `mode="dynamic" timeformat="dateTime"` and nodes and edges get
  `<spells>` (inclusive RFC 3339 intervals), so Gephi's timeline replays the activity. Elements
  without spells exist at all times.

No `xsi:schemaLocation` is written: the official RELAX NG schema rejects it.
*/

use std::io::{BufWriter, Write};

use super::ExportError;
use super::model::{
    AttributeDef, Element, ExportEdge, ExportNode, GraphSource, check_endpoints, check_values,
};
use super::text::{push_datetime, push_f64, push_value};
use super::xml::XmlWriter;

/// GEXF export settings.
#[derive(Debug, Clone, PartialEq)]
pub struct GexfOptions {
    /// Dynamic mode: write spells and `mode="dynamic"` for Gephi's timeline.
    pub dynamic: bool,
    /// `<meta><creator>`; `None` leaves it out.
    pub creator: Option<String>,
    /// `<meta><description>`; `None` leaves it out.
    pub description: Option<String>,
    /// `<meta lastmodifieddate>` (ms since the epoch, written as a date). Not taken from the
    /// clock by default, so that the same input gives the same bytes.
    pub last_modified_ms: Option<i64>,
}

impl Default for GexfOptions {
    fn default() -> Self {
        GexfOptions {
            dynamic: false,
            creator: Some(concat!("coordgraph ", env!("CARGO_PKG_VERSION")).to_string()),
            description: None,
            last_modified_ms: None,
        }
    }
}

/// Writes `graph` as GEXF 1.3 to `out`.
///
/// # Arguments
/// * `graph` – any [`GraphSource`]; nodes and edges are visited once each.
/// * `options` – static or dynamic mode and the `<meta>` header.
/// * `out` – the destination; it is buffered here, so a raw `File` is fine.
///
/// # Returns
/// `Ok(())` once everything is written and flushed.
///
/// # Errors
/// I/O errors, and [`ExportError`]s for records that break the model (endpoint out of range,
/// values that do not match the schema, counts different from the announced ones).
///
/// # Complexity
/// O(nodes + edges + total spells) time; memory holds one record at a time.
pub fn write_gexf<S, W>(graph: &S, options: &GexfOptions, out: W) -> Result<(), ExportError>
where
    S: GraphSource + ?Sized,
    W: Write,
{
    let mut xml = XmlWriter::new(BufWriter::with_capacity(1 << 16, out))?;
    let tag = xml
        .tag("gexf")
        .raw("xmlns", "http://gexf.net/1.3")
        .raw("xmlns:viz", "http://gexf.net/1.3/viz")
        .raw("version", "1.3");
    xml.open(tag)?;
    write_meta(&mut xml, options)?;

    let mut graph_tag = xml.tag("graph").raw(
        "defaultedgetype",
        if graph.directed() {
            "directed"
        } else {
            "undirected"
        },
    );
    if options.dynamic {
        graph_tag = graph_tag
            .raw("mode", "dynamic")
            .raw("timeformat", "dateTime");
    }
    xml.open(graph_tag)?;
    write_attribute_decls(&mut xml, "node", graph.node_attributes())?;
    write_attribute_decls(&mut xml, "edge", graph.edge_attributes())?;

    let mut text = String::with_capacity(64);
    let node_count = graph.node_count();
    let count = itoa::Buffer::new().format(node_count).to_string();
    let tag = xml.tag("nodes").raw("count", &count);
    xml.open(tag)?;
    let mut visited = 0;
    graph.visit_nodes(&mut |node| {
        check_values(
            Element::Node(visited),
            graph.node_attributes(),
            &node.values,
        )?;
        write_node(&mut xml, node, options.dynamic, &mut text)?;
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
    xml.close("nodes")?;

    let edge_count = graph.edge_count();
    let count = itoa::Buffer::new().format(edge_count).to_string();
    let tag = xml.tag("edges").raw("count", &count);
    xml.open(tag)?;
    let mut visited = 0;
    graph.visit_edges(&mut |edge| {
        check_endpoints(visited, edge, node_count)?;
        check_values(
            Element::Edge(visited),
            graph.edge_attributes(),
            &edge.values,
        )?;
        write_edge(&mut xml, graph, visited, edge, options.dynamic, &mut text)?;
        visited += 1;
        Ok(())
    })?;
    if visited != edge_count {
        return Err(ExportError::CountMismatch {
            what: "edges",
            announced: edge_count,
            visited,
        });
    }
    xml.close("edges")?;
    xml.close("graph")?;
    xml.close("gexf")?;
    xml.finish()?.flush()?;
    Ok(())
}

fn write_meta<W: Write>(xml: &mut XmlWriter<W>, options: &GexfOptions) -> Result<(), ExportError> {
    if options.creator.is_none() && options.description.is_none() {
        return Ok(());
    }
    let mut meta = xml.tag("meta");
    let date;
    if let Some(ms) = options.last_modified_ms {
        let mut s = String::new();
        push_datetime(ms, &mut s);
        date = s[..10].to_string();
        meta = meta.raw("lastmodifieddate", &date);
    }
    xml.open(meta)?;
    if let Some(creator) = &options.creator {
        xml.text_element("creator", creator)?;
    }
    if let Some(description) = &options.description {
        xml.text_element("description", description)?;
    }
    xml.close("meta")?;
    Ok(())
}

fn write_attribute_decls<W: Write>(
    xml: &mut XmlWriter<W>,
    class: &str,
    defs: &[AttributeDef],
) -> Result<(), ExportError> {
    if defs.is_empty() {
        return Ok(());
    }
    let tag = xml.tag("attributes").raw("class", class);
    xml.open(tag)?;
    let mut ids = itoa::Buffer::new();
    for (i, def) in defs.iter().enumerate() {
        let tag = xml
            .tag("attribute")
            .raw("id", ids.format(i))
            .text("title", &def.name)
            .raw("type", def.ty.gexf_name());
        xml.empty(tag)?;
    }
    xml.close("attributes")?;
    Ok(())
}

fn write_node<W: Write>(
    xml: &mut XmlWriter<W>,
    node: &ExportNode,
    dynamic: bool,
    text: &mut String,
) -> Result<(), ExportError> {
    let tag = xml.tag("node").text("id", &node.id);
    let tag = tag.text("label", &node.label);
    let spells = dynamic && !node.spells.is_empty();
    let size = node.size.filter(|s| s.is_finite() && *s >= 0.0);
    let has_values = node
        .values
        .iter()
        .any(|v| !matches!(v, super::AttrValue::Missing));
    if !has_values && !spells && node.color.is_none() && size.is_none() {
        xml.empty(tag)?;
        return Ok(());
    }
    xml.open(tag)?;
    if has_values {
        write_attvalues(xml, &node.values, text)?;
    }
    if spells {
        write_spells(xml, &node.spells, text)?;
    }
    if let Some(c) = node.color {
        let mut b = [
            itoa::Buffer::new(),
            itoa::Buffer::new(),
            itoa::Buffer::new(),
        ];
        let [rb, gb, bb] = &mut b;
        let tag = xml
            .tag("viz:color")
            .raw("r", rb.format(c.r))
            .raw("g", gb.format(c.g))
            .raw("b", bb.format(c.b));
        xml.empty(tag)?;
    }
    if let Some(size) = size {
        text.clear();
        // `viz:size` is an xsd:float.
        push_f64(size.min(f64::from(f32::MAX)), text);
        let tag = xml.tag("viz:size").raw("value", text);
        xml.empty(tag)?;
    }
    xml.close("node")?;
    Ok(())
}

fn write_edge<S, W>(
    xml: &mut XmlWriter<W>,
    graph: &S,
    index: usize,
    edge: &ExportEdge,
    dynamic: bool,
    text: &mut String,
) -> Result<(), ExportError>
where
    S: GraphSource + ?Sized,
    W: Write,
{
    let mut id = itoa::Buffer::new();
    text.clear();
    push_f64(edge.weight, text);
    let mut tag = xml
        .tag("edge")
        .raw("id", id.format(index))
        .text("source", graph.node_id(edge.source));
    tag = tag
        .text("target", graph.node_id(edge.target))
        .raw("weight", text);
    if let Some(kind) = edge.kind.as_deref().filter(|k| !k.is_empty()) {
        tag = tag.text("kind", kind);
    }
    let spells = dynamic && !edge.spells.is_empty();
    let has_values = edge
        .values
        .iter()
        .any(|v| !matches!(v, super::AttrValue::Missing));
    if !has_values && !spells {
        xml.empty(tag)?;
        return Ok(());
    }
    xml.open(tag)?;
    if has_values {
        write_attvalues(xml, &edge.values, text)?;
    }
    if spells {
        write_spells(xml, &edge.spells, text)?;
    }
    xml.close("edge")?;
    Ok(())
}

fn write_attvalues<W: Write>(
    xml: &mut XmlWriter<W>,
    values: &[super::AttrValue],
    text: &mut String,
) -> Result<(), ExportError> {
    let tag = xml.tag("attvalues");
    xml.open(tag)?;
    let mut id = itoa::Buffer::new();
    for (i, value) in values.iter().enumerate() {
        if matches!(value, super::AttrValue::Missing) {
            continue;
        }
        text.clear();
        push_value(value, text);
        let tag = xml
            .tag("attvalue")
            .raw("for", id.format(i))
            .text("value", text);
        xml.empty(tag)?;
    }
    xml.close("attvalues")?;
    Ok(())
}

fn write_spells<W: Write>(
    xml: &mut XmlWriter<W>,
    spells: &[(i64, i64)],
    text: &mut String,
) -> Result<(), ExportError> {
    let tag = xml.tag("spells");
    xml.open(tag)?;
    for &(a, b) in spells {
        text.clear();
        push_datetime(a.min(b), text);
        let split = text.len();
        push_datetime(a.max(b), text);
        let (start, end) = text.split_at(split);
        let tag = xml.tag("spell").raw("start", start).raw("end", end);
        xml.empty(tag)?;
    }
    xml.close("spells")?;
    Ok(())
}
