/*!
DOT for Graphviz, built as a graphviz-rust AST and printed by its printer: one file per flagged
cluster (`clusters/<rank>-<id>.dot`, the cluster's induced subgraph) and an overview of the
flagged clusters (`clusters/overview.dot`: one node per cluster sized by its member count,
edges weighted by the summed weight between clusters).

Nodes are named `n<index>`, so ids never need escaping; labels, captions and tooltips are
quoted strings escaped by [`super::text::escape_dot`] (HTML-like labels are never used).
Nodes are filled with their colour and sized (width and height, in inches) by their size
relative to the largest in the file; edges get a pen width relative to the heaviest edge.

Only flagged clusters are held in memory (one pass over nodes, one over edges): the overview
and cluster files stay small whatever the size of the whole graph.
*/

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};

use super::ExportError;
use super::atomic::write_atomically;
use super::model::{ExportCluster, GraphSource, Rgb, check_endpoints};
use super::palette::UNFLAGGED;
use super::text::escape_dot;

/// DOT drawing settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DotOptions {
    /// Width and height of the smallest node, in inches.
    pub min_node_inches: f64,
    /// Width and height of the largest node, in inches.
    pub max_node_inches: f64,
    /// Pen width of the lightest edge, in points.
    pub min_penwidth: f64,
    /// Pen width of the heaviest edge, in points.
    pub max_penwidth: f64,
    /// Labels longer than this many characters are cut, with `…`.
    pub max_label_chars: usize,
}

impl Default for DotOptions {
    fn default() -> Self {
        DotOptions {
            min_node_inches: 0.3,
            max_node_inches: 1.2,
            min_penwidth: 0.5,
            max_penwidth: 6.0,
            max_label_chars: 40,
        }
    }
}

/// One DOT file: its path relative to the output directory and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotFile {
    /// Relative path, `/`-separated: `clusters/overview.dot` or `clusters/<rank>-<id>.dot`.
    pub path: String,
    /// DOT source.
    pub text: String,
}

/// A node to draw.
struct DrawNode {
    index: usize,
    label: String,
    tooltip: String,
    color: Rgb,
    size: f64,
}

/// An edge to draw (endpoints are node indices).
struct DrawEdge {
    source: usize,
    target: usize,
    weight: f64,
    tooltip: String,
}

/// Writes the whole graph as one DOT file: fine for small graphs, unreadable past a few
/// thousand nodes (use [`cluster_dots`] then).
///
/// # Errors
/// I/O errors and edges whose endpoints are out of range.
///
/// # Complexity
/// O(nodes + edges) time and memory (the AST is built before printing).
pub fn write_dot<S, W>(graph: &S, options: &DotOptions, mut out: W) -> Result<(), ExportError>
where
    S: GraphSource + ?Sized,
    W: Write,
{
    let mut nodes = Vec::with_capacity(graph.node_count());
    let mut index = 0;
    graph.visit_nodes(&mut |node| {
        nodes.push(draw_node(index, node, options));
        index += 1;
        Ok(())
    })?;
    let mut edges = Vec::with_capacity(graph.edge_count());
    let mut index = 0;
    graph.visit_edges(&mut |edge| {
        check_endpoints(index, edge, nodes.len())?;
        edges.push(draw_edge(edge));
        index += 1;
        Ok(())
    })?;
    let dot = build_graph(
        "coordgraph",
        graph.directed(),
        None,
        &nodes,
        &edges,
        options,
    );
    out.write_all(print(dot).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The overview and one DOT file per flagged cluster ([`GraphSource::clusters`]), overview
/// first, then clusters by rank.
///
/// # Errors
/// Errors of the source's visits, and edges whose endpoints are out of range.
///
/// # Complexity
/// O(nodes + edges) time; memory O(nodes) bytes for membership plus the flagged clusters.
pub fn cluster_dots<S>(graph: &S, options: &DotOptions) -> Result<Vec<DotFile>, ExportError>
where
    S: GraphSource + ?Sized,
{
    let mut clusters: Vec<&ExportCluster> = graph.clusters().iter().collect();
    clusters.sort_by_key(|c| (c.rank, c.id));
    let slot_of: HashMap<u32, u32> = clusters
        .iter()
        .enumerate()
        .map(|(slot, c)| (c.id, slot as u32))
        .collect();

    // Slot of each node's flagged cluster, u32::MAX for the rest.
    let mut node_slot = Vec::with_capacity(graph.node_count());
    let mut members: Vec<Vec<DrawNode>> = clusters.iter().map(|_| Vec::new()).collect();
    graph.visit_nodes(&mut |node| {
        let index = node_slot.len();
        let slot = node.cluster.and_then(|c| slot_of.get(&c).copied());
        node_slot.push(slot.unwrap_or(u32::MAX));
        if let Some(slot) = slot {
            members[slot as usize].push(draw_node(index, node, options));
        }
        Ok(())
    })?;

    let mut inner: Vec<Vec<DrawEdge>> = clusters.iter().map(|_| Vec::new()).collect();
    // Between two flagged clusters (slots, low first): summed weight and edge count.
    let mut between: BTreeMap<(u32, u32), (f64, u64)> = BTreeMap::new();
    let mut index = 0;
    graph.visit_edges(&mut |edge| {
        check_endpoints(index, edge, node_slot.len())?;
        index += 1;
        let (a, b) = (node_slot[edge.source], node_slot[edge.target]);
        if a == u32::MAX || b == u32::MAX {
            return Ok(());
        }
        if a == b {
            inner[a as usize].push(draw_edge(edge));
        } else {
            let entry = between.entry((a.min(b), a.max(b))).or_insert((0.0, 0));
            entry.0 += edge.weight;
            entry.1 += 1;
        }
        Ok(())
    })?;

    let mut files = Vec::with_capacity(clusters.len() + 1);
    let overview_nodes: Vec<DrawNode> = clusters
        .iter()
        .enumerate()
        .map(|(slot, c)| DrawNode {
            index: slot,
            label: format!("#{} {}\n{} accounts", c.rank, c.label, members[slot].len()),
            tooltip: format!("cluster {}", c.id),
            color: c.color,
            size: (members[slot].len() as f64).sqrt(),
        })
        .collect();
    let overview_edges: Vec<DrawEdge> = between
        .iter()
        .map(|(&(a, b), &(weight, count))| DrawEdge {
            source: a as usize,
            target: b as usize,
            weight,
            tooltip: format!("{count} edges, weight {weight}"),
        })
        .collect();
    let overview = build_graph(
        "overview",
        false,
        Some("Flagged clusters"),
        &overview_nodes,
        &overview_edges,
        options,
    );
    files.push(DotFile {
        path: "clusters/overview.dot".to_string(),
        text: print(overview),
    });

    for (slot, cluster) in clusters.iter().enumerate() {
        let caption = format!("#{} {}", cluster.rank, cluster.label);
        let dot = build_graph(
            &format!("cluster{}", cluster.id),
            graph.directed(),
            Some(&caption),
            &members[slot],
            &inner[slot],
            options,
        );
        files.push(DotFile {
            path: format!("clusters/{}-{}.dot", cluster.rank, cluster.id),
            text: print(dot),
        });
    }
    Ok(files)
}

/// Writes [`cluster_dots`] under `dir` (creating `dir/clusters`), each file atomically, and
/// returns the paths written.
///
/// # Errors
/// As [`cluster_dots`], plus I/O errors creating the directory or the files.
pub fn write_cluster_dots<S>(
    graph: &S,
    dir: &Path,
    options: &DotOptions,
) -> Result<Vec<PathBuf>, ExportError>
where
    S: GraphSource + ?Sized,
{
    let files = cluster_dots(graph, options)?;
    std::fs::create_dir_all(dir.join("clusters"))?;
    let mut paths = Vec::with_capacity(files.len());
    for file in files {
        let path = dir.join(&file.path);
        write_atomically(&path, |w| w.write_all(file.text.as_bytes()))?;
        paths.push(path);
    }
    Ok(paths)
}

fn draw_node(index: usize, node: &super::ExportNode, options: &DotOptions) -> DrawNode {
    let label = if node.label.is_empty() {
        &node.id
    } else {
        &node.label
    };
    DrawNode {
        index,
        label: shorten(label, options.max_label_chars),
        tooltip: node.id.clone(),
        color: node.color.unwrap_or(UNFLAGGED),
        size: node
            .size
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(0.0),
    }
}

fn draw_edge(edge: &super::ExportEdge) -> DrawEdge {
    DrawEdge {
        source: edge.source,
        target: edge.target,
        weight: edge.weight,
        tooltip: match &edge.kind {
            Some(kind) => format!("{kind}, weight {}", edge.weight),
            None => format!("weight {}", edge.weight),
        },
    }
}

fn shorten(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

fn plain(s: &str) -> Id {
    Id::Plain(s.to_string())
}

fn quoted(s: &str) -> Id {
    Id::Escaped(format!("\"{}\"", escape_dot(s)))
}

fn attr(key: &str, value: Id) -> Attribute {
    Attribute(plain(key), value)
}

/// A number as DOT wants it (finite, short).
fn number(v: f64) -> Id {
    let v = if v.is_finite() { v } else { 0.0 };
    plain(
        format!("{v:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.'),
    )
}

/// Linear map of `value / max` in [0, 1] onto [lo, hi].
fn scale(value: f64, max: f64, lo: f64, hi: f64) -> f64 {
    if max.is_nan() || max <= 0.0 || !value.is_finite() {
        return lo;
    }
    lo + (hi - lo) * (value / max).clamp(0.0, 1.0)
}

fn build_graph(
    name: &str,
    directed: bool,
    caption: Option<&str>,
    nodes: &[DrawNode],
    edges: &[DrawEdge],
    options: &DotOptions,
) -> Graph {
    let mut stmts = Vec::with_capacity(nodes.len() + edges.len() + 3);
    let mut graph_attrs = vec![attr("outputorder", plain("edgesfirst"))];
    if let Some(caption) = caption {
        graph_attrs.push(attr("label", quoted(&shorten(caption, 120))));
        graph_attrs.push(attr("labelloc", plain("t")));
        graph_attrs.push(attr("fontsize", plain("16")));
    }
    stmts.push(Stmt::GAttribute(GraphAttributes::Graph(graph_attrs)));
    stmts.push(Stmt::GAttribute(GraphAttributes::Node(vec![
        attr("style", plain("filled")),
        attr("fontsize", plain("10")),
        attr("color", quoted("#555555")),
    ])));
    stmts.push(Stmt::GAttribute(GraphAttributes::Edge(vec![attr(
        "color",
        quoted("#80808080"),
    )])));

    let max_size = nodes.iter().map(|n| n.size).fold(0.0, f64::max);
    for node in nodes {
        let inches = scale(
            node.size,
            max_size,
            options.min_node_inches,
            options.max_node_inches,
        );
        stmts.push(Stmt::Node(Node::new(
            node_id(node.index),
            vec![
                attr("label", quoted(&node.label)),
                attr("tooltip", quoted(&node.tooltip)),
                attr("fillcolor", quoted(&node.color.hex())),
                attr("width", number(inches)),
                attr("height", number(inches)),
            ],
        )));
    }
    let max_weight = edges.iter().map(|e| e.weight).fold(0.0, f64::max);
    for edge in edges {
        let pen = scale(
            edge.weight,
            max_weight,
            options.min_penwidth,
            options.max_penwidth,
        );
        stmts.push(Stmt::Edge(Edge {
            ty: EdgeTy::Pair(
                Vertex::N(node_id(edge.source)),
                Vertex::N(node_id(edge.target)),
            ),
            attributes: vec![
                attr("penwidth", number(pen)),
                attr("tooltip", quoted(&edge.tooltip)),
            ],
        }));
    }
    let id = plain(name);
    if directed {
        Graph::DiGraph {
            id,
            strict: false,
            stmts,
        }
    } else {
        Graph::Graph {
            id,
            strict: false,
            stmts,
        }
    }
}

fn node_id(index: usize) -> NodeId {
    NodeId(plain(&format!("n{index}")), None)
}

fn print(graph: Graph) -> String {
    let mut text = graph.print(&mut PrinterContext::default());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_finite() {
        assert_eq!(number(1.2), plain("1.2"));
        assert_eq!(number(3.0), plain("3"));
        assert_eq!(number(0.3333333), plain("0.333"));
        assert_eq!(number(f64::NAN), plain("0"));
    }

    #[test]
    fn labels_are_cut_on_characters() {
        assert_eq!(shorten("😀😀😀", 2), "😀😀…");
        assert_eq!(shorten("ab", 2), "ab");
    }

    #[test]
    fn scaling_is_linear_and_safe() {
        assert_eq!(scale(5.0, 10.0, 1.0, 3.0), 2.0);
        assert_eq!(scale(5.0, 0.0, 1.0, 3.0), 1.0);
        assert_eq!(scale(f64::NAN, 10.0, 1.0, 3.0), 1.0);
        assert_eq!(scale(-1.0, 10.0, 1.0, 3.0), 1.0);
    }
}
