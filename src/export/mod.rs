/*!
Exports: the coordination and interaction graphs as GEXF 1.3 (static or dynamic, for Gephi),
GraphML, CSV node/edge tables (Gephi's spreadsheet import) and DOT (one file per flagged
cluster plus an overview, for Graphviz).

Every exporter reads a [`GraphSource`], a plain data model documented in [`model`] that the
analysis fills; [`ExportGraph`] is its in-memory form. Exporters stream: they render chunks of
a few thousand records in parallel and write them in order (DOT excepted, which holds only the
flagged clusters), so memory stays bounded on million-edge graphs and the bytes do not depend
on the thread count. Output files are written through [`atomic::write_atomically`].
[`analysis`] streams the coordination graph of a saved report and writes every export file of
an analysis folder.

```
use coordgraph::export::{
    AttrType, AttrValue, AttributeDef, ExportEdge, ExportGraph, ExportNode, GexfOptions,
    write_gexf,
};

let graph = ExportGraph {
    directed: false,
    node_attributes: vec![AttributeDef::new("bot_score", AttrType::Double)],
    nodes: vec![
        ExportNode { id: "1".into(), label: "ann".into(), values: vec![AttrValue::Float(0.9)],
                     ..Default::default() },
        ExportNode { id: "2".into(), label: "bob".into(), values: vec![AttrValue::Missing],
                     ..Default::default() },
    ],
    edges: vec![ExportEdge { source: 0, target: 1, weight: 3.0, ..Default::default() }],
    ..Default::default()
};
let mut out = Vec::new();
write_gexf(&graph, &GexfOptions::default(), &mut out).unwrap();
let xml = String::from_utf8(out).unwrap();
assert!(xml.contains(r#"<edge id="0" source="1" target="2" weight="3"/>"#));
```
*/

pub mod analysis;
pub mod atomic;
pub(crate) mod chunks;
mod dot;
mod gexf;
mod graphml;
mod interaction;
pub mod model;
pub mod palette;
mod tables;
pub mod text;
mod xml;

pub use analysis::{
    AnalysisExportOptions, CoordinationSource, DEFAULT_EXPORT_MAX_EDGES, ExportFormat,
    ExportSelection, coordination_export, select_export_edges, write_analysis_exports,
};
pub use dot::{DotFile, DotOptions, cluster_dots, write_cluster_dots, write_dot};
pub use gexf::{GexfOptions, write_gexf};
pub use graphml::write_graphml;
pub use interaction::{
    INTERACTION_GEXF_FILE, interaction_export, interaction_export_selected,
    interaction_selection_note, select_interaction_edges, write_interaction_gexf,
};
pub use model::{
    AttrType, AttrValue, AttributeDef, EdgeVisitor, Element, ExportCluster, ExportEdge,
    ExportGraph, ExportNode, GraphSource, NodeVisitor, Rgb,
};
pub use tables::{CsvOptions, write_csv_tables};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing the output failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// An edge names a node index past the end of the node list.
    #[error("edge {edge} refers to node {node}, but the graph has {node_count} nodes")]
    NoSuchNode {
        /// Edge, by visit order.
        edge: usize,
        /// The offending node index.
        node: usize,
        /// Number of nodes.
        node_count: usize,
    },
    /// A node or edge has more or fewer values than its attribute schema.
    #[error("{element} has {got} attribute values but the schema has {expected}")]
    ValueCount {
        /// The node or edge.
        element: Element,
        /// Number of attributes in the schema.
        expected: usize,
        /// Number of values given.
        got: usize,
    },
    /// A value does not fit its attribute's type.
    #[error("{element}: the value of attribute `{attribute}` is not of type {expected:?}")]
    ValueType {
        /// The node or edge.
        element: Element,
        /// Attribute name.
        attribute: String,
        /// The schema's type.
        expected: AttrType,
    },
    /// A declared default is missing or does not fit its attribute's type.
    #[error("the default of attribute `{attribute}` is not a value of type {expected:?}")]
    DefaultType {
        /// Attribute name.
        attribute: String,
        /// The schema's type.
        expected: AttrType,
    },
    /// A source visited a different number of nodes or edges than it announced.
    #[error("the source announced {announced} {what} but visited {visited}")]
    CountMismatch {
        /// `nodes` or `edges`.
        what: &'static str,
        /// `node_count()` or `edge_count()`.
        announced: usize,
        /// Records actually visited.
        visited: usize,
    },
}
