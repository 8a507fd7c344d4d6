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
use super::chunks::{RenderedIds, visit_checked_edges, visit_checked_nodes, write_chunked};
use super::model::{AttrValue, AttributeDef, ExportEdge, ExportNode, GraphSource, check_defaults};
use super::text::{escape_xml_attr, push_datetime, push_f64, push_tagged_values};
use super::xml::XmlOut;

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
/// * `graph` – any [`GraphSource`]; nodes and edges are visited once each, in chunks rendered
///   in parallel on the current rayon pool (the bytes do not depend on the thread count).
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
/// O(nodes + edges + total spells) time; memory holds a few chunks of rendered records.
pub fn write_gexf<S, W>(graph: &S, options: &GexfOptions, out: W) -> Result<(), ExportError>
where
    S: GraphSource + ?Sized,
    W: Write,
{
    check_defaults(graph.node_attributes())?;
    check_defaults(graph.edge_attributes())?;
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut xml = XmlOut::document();
    xml.start("gexf")
        .raw("xmlns", "http://gexf.net/1.3")
        .raw("xmlns:viz", "http://gexf.net/1.3/viz")
        .raw("version", "1.3")
        .open();
    write_meta(&mut xml, options);

    let graph_tag = xml.start("graph").raw(
        "defaultedgetype",
        if graph.directed() {
            "directed"
        } else {
            "undirected"
        },
    );
    if options.dynamic {
        graph_tag
            .raw("mode", "dynamic")
            .raw("timeformat", "dateTime");
    }
    xml.open();
    write_attribute_decls(&mut xml, "node", graph.node_attributes());
    write_attribute_decls(&mut xml, "edge", graph.edge_attributes());

    let node_count = graph.node_count();
    xml.start("nodes")
        .raw("count", itoa::Buffer::new().format(node_count))
        .open();
    out.write_all(xml.buf.as_bytes())?;
    // Records sit three levels deep: gexf > graph > nodes | edges.
    let node_values = AttValues::new(graph.node_attributes());
    write_chunked(&mut out, node_count, |range, buf| {
        visit_checked_nodes(graph, range, |node| {
            write_node(buf, &node_values, node, options.dynamic);
        })
    })?;

    let edge_count = graph.edge_count();
    let mut xml = XmlOut::at_depth(3, String::new());
    xml.close("nodes");
    xml.start("edges")
        .raw("count", itoa::Buffer::new().format(edge_count))
        .open();
    out.write_all(xml.buf.as_bytes())?;
    let ids = RenderedIds::new(graph, escape_xml_attr);
    let edge_values = AttValues::new(graph.edge_attributes());
    write_chunked(&mut out, edge_count, |range, buf| {
        visit_checked_edges(graph, range, |visited, edge| {
            write_edge(buf, &ids, &edge_values, visited, edge, options.dynamic);
        })
    })?;
    let mut xml = XmlOut::at_depth(3, String::new());
    xml.close("edges");
    xml.close("graph");
    xml.close("gexf");
    xml.finish();
    out.write_all(xml.buf.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn write_meta(xml: &mut XmlOut, options: &GexfOptions) {
    if options.creator.is_none() && options.description.is_none() {
        return;
    }
    let meta = xml.start("meta");
    if let Some(ms) = options.last_modified_ms {
        let mut s = String::new();
        push_datetime(ms, &mut s);
        meta.raw("lastmodifieddate", &s[..10]);
    }
    xml.open();
    if let Some(creator) = &options.creator {
        xml.text_element("creator", creator);
    }
    if let Some(description) = &options.description {
        xml.text_element("description", description);
    }
    xml.close("meta");
}

fn write_attribute_decls(xml: &mut XmlOut, class: &str, defs: &[AttributeDef]) {
    if defs.is_empty() {
        return;
    }
    xml.start("attributes").raw("class", class).open();
    let mut ids = itoa::Buffer::new();
    for (i, def) in defs.iter().enumerate() {
        xml.start("attribute")
            .raw("id", ids.format(i))
            .text_attr("title", &def.name)
            .raw("type", def.ty.gexf_name());
        xml.end_with_child("attribute", "default", def.default_text().as_deref());
    }
    xml.close("attributes");
}

// Records are rendered straight into text with the layout of [`XmlOut`]: a node or edge
// sits three levels deep (gexf > graph > nodes | edges, six spaces), its `attvalues` and
// `spells` four, their items five. Fixed text is written in as few pieces as possible: this
// runs for every one of a million edges.

/// A schema and the start of `<attvalue for="i" value="` for each of its attributes, on its
/// own line.
struct AttValues<'a> {
    schema: &'a [AttributeDef],
    tags: Vec<String>,
}

impl<'a> AttValues<'a> {
    fn new(schema: &'a [AttributeDef]) -> Self {
        let tags = (0..schema.len())
            .map(|i| format!("\n          <attvalue for=\"{i}\" value=\""))
            .collect();
        AttValues { schema, tags }
    }

    /// Whether any of `values` is written: present and not its column's default.
    fn any_written(&self, values: &[AttrValue]) -> bool {
        self.schema.iter().zip(values).any(|(def, v)| def.writes(v))
    }
}

fn write_node(out: &mut String, attvalues: &AttValues, node: &ExportNode, dynamic: bool) {
    out.push_str("\n      <node id=\"");
    escape_xml_attr(&node.id, out);
    out.push_str("\" label=\"");
    escape_xml_attr(&node.label, out);
    out.push('"');
    let spells = dynamic && !node.spells.is_empty();
    let size = node.size.filter(|s| s.is_finite() && *s >= 0.0);
    let has_values = attvalues.any_written(&node.values);
    if !has_values && !spells && node.color.is_none() && size.is_none() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if has_values {
        write_attvalues(out, attvalues, &node.values);
    }
    if spells {
        write_spells(out, &node.spells);
    }
    if let Some(c) = node.color {
        let mut n = itoa::Buffer::new();
        out.push_str("\n        <viz:color r=\"");
        out.push_str(n.format(c.r));
        out.push_str("\" g=\"");
        out.push_str(n.format(c.g));
        out.push_str("\" b=\"");
        out.push_str(n.format(c.b));
        out.push_str("\"/>");
    }
    if let Some(size) = size {
        // `viz:size` is an xsd:float.
        out.push_str("\n        <viz:size value=\"");
        push_f64(size.min(f64::from(f32::MAX)), out);
        out.push_str("\"/>");
    }
    out.push_str("\n      </node>");
}

fn write_edge(
    out: &mut String,
    ids: &RenderedIds,
    attvalues: &AttValues,
    index: usize,
    edge: &ExportEdge,
    dynamic: bool,
) {
    out.push_str("\n      <edge id=\"");
    out.push_str(itoa::Buffer::new().format(index));
    out.push_str("\" source=\"");
    out.push_str(ids.get(edge.source));
    out.push_str("\" target=\"");
    out.push_str(ids.get(edge.target));
    out.push_str("\" weight=\"");
    push_f64(edge.weight, out);
    out.push('"');
    if let Some(kind) = edge.kind.as_deref().filter(|k| !k.is_empty()) {
        out.push_str(" kind=\"");
        escape_xml_attr(kind, out);
        out.push('"');
    }
    let spells = dynamic && !edge.spells.is_empty();
    let has_values = attvalues.any_written(&edge.values);
    if !has_values && !spells {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if has_values {
        write_attvalues(out, attvalues, &edge.values);
    }
    if spells {
        write_spells(out, &edge.spells);
    }
    out.push_str("\n      </edge>");
}

fn write_attvalues(out: &mut String, attvalues: &AttValues, values: &[AttrValue]) {
    out.push_str("\n        <attvalues>");
    push_tagged_values(
        out,
        &attvalues.tags,
        attvalues.schema,
        values,
        escape_xml_attr,
        "\"/>",
    );
    out.push_str("\n        </attvalues>");
}

fn write_spells(out: &mut String, spells: &[(i64, i64)]) {
    out.push_str("\n        <spells>");
    for &(a, b) in spells {
        out.push_str("\n          <spell start=\"");
        push_datetime(a.min(b), out);
        out.push_str("\" end=\"");
        push_datetime(a.max(b), out);
        out.push_str("\"/>");
    }
    out.push_str("\n        </spells>");
}
