/*!
The graph-export data model: what every exporter reads.

An exporter never sees analysis types. The analysis describes its graph as a [`GraphSource`]:
two attribute schemas (one for nodes, one for edges), then nodes and edges visited one at a
time, by index range, as [`ExportNode`] / [`ExportEdge`] records. [`ExportGraph`] is the plain
in-memory implementation (vectors of records) for small graphs and tests; a large analysis
implements [`GraphSource`] over its own columns and fills one reusable record per visit, so a
1M-edge graph is streamed to disk without a second copy of it, several ranges at once.

Conventions shared by every format:
- Nodes are visited in index order `0..node_count()`; edges name their endpoints by node index.
- `values[i]` of a node (edge) is the value of `node_attributes()[i]` (`edge_attributes()[i]`);
  [`AttrValue::Missing`] leaves it unset.
- Times are milliseconds since the Unix epoch, UTC; formats write them as RFC 3339.
- Spells are inclusive `(start_ms, end_ms)` periods of activity (an account's active periods,
  an edge's co-action times; a single moment is `(t, t)`). An edge's spells should lie within
  both endpoints' spells: Gephi's timeline hides an edge while one of its nodes is absent.
*/

use std::ops::Range;

use super::ExportError;

/// The type of an attribute column. GEXF, GraphML and CSV each spell it their own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrType {
    /// Free text.
    String,
    /// A 32-bit signed integer (values outside the range are refused).
    Integer,
    /// A 64-bit signed integer.
    Long,
    /// A 64-bit float.
    Double,
    /// `true` / `false`.
    Boolean,
    /// A list of strings (hashtags, bio terms); GEXF `liststring`, written `[a, b]`.
    ListString,
    /// A moment in ms since the epoch, written as an RFC 3339 string: neither GEXF nor GraphML
    /// has a date type, and RFC 3339 in UTC sorts as text.
    DateTime,
}

impl AttrType {
    /// The GEXF 1.3 attribute type name.
    pub fn gexf_name(self) -> &'static str {
        match self {
            AttrType::String | AttrType::DateTime => "string",
            AttrType::Integer => "integer",
            AttrType::Long => "long",
            AttrType::Double => "double",
            AttrType::Boolean => "boolean",
            AttrType::ListString => "liststring",
        }
    }

    /// The GraphML `attr.type` name (GraphML has no list type: lists become strings).
    pub fn graphml_name(self) -> &'static str {
        match self {
            AttrType::String | AttrType::DateTime | AttrType::ListString => "string",
            AttrType::Integer => "int",
            AttrType::Long => "long",
            AttrType::Double => "double",
            AttrType::Boolean => "boolean",
        }
    }
}

/// One attribute column: its name (the GEXF title, GraphML `attr.name`, CSV header), type and
/// optional default value.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeDef {
    /// Column name, e.g. `bot_score`.
    pub name: String,
    /// Value type; every value given for this column must match it.
    pub ty: AttrType,
    /// The value GEXF and GraphML declare as the column's default (`<default>`): values equal
    /// to it are left out of those files, since readers fill them in. Per-layer weights, mostly
    /// zero, shrink a coordination graph's files by a fifth this way. CSV tables write every
    /// value. Must fit `ty` and not be [`AttrValue::Missing`].
    pub default: Option<AttrValue>,
}

impl AttributeDef {
    /// A column named `name` of type `ty`, without a default.
    pub fn new(name: impl Into<String>, ty: AttrType) -> Self {
        AttributeDef {
            name: name.into(),
            ty,
            default: None,
        }
    }

    /// The same column with `value` as its default (see [`AttributeDef::default`]).
    pub fn with_default(mut self, value: AttrValue) -> Self {
        self.default = Some(value);
        self
    }

    /// Whether `value` is this column's default, so that GEXF and GraphML may leave it out.
    pub(crate) fn implies(&self, value: &AttrValue) -> bool {
        self.default.as_ref() == Some(value)
    }

    /// Whether GEXF and GraphML write `value`: present and not implied by the default.
    pub(crate) fn writes(&self, value: &AttrValue) -> bool {
        !matches!(value, AttrValue::Missing) && !self.implies(value)
    }

    /// The default's text, as GEXF and GraphML declare it.
    pub(crate) fn default_text(&self) -> Option<String> {
        self.default.as_ref().map(|value| {
            let mut text = String::new();
            super::text::push_value(value, &mut text);
            text
        })
    }
}

/// One attribute value. Which variants fit which [`AttrType`] is decided by [`AttrValue::fits`].
#[derive(Debug, Clone, PartialEq, Default)]
pub enum AttrValue {
    /// No value: the attribute is left out for this node or edge.
    #[default]
    Missing,
    /// For [`AttrType::String`].
    Str(String),
    /// For [`AttrType::Integer`] (within `i32`) and [`AttrType::Long`].
    Int(i64),
    /// For [`AttrType::Double`].
    Float(f64),
    /// For [`AttrType::Boolean`].
    Bool(bool),
    /// For [`AttrType::ListString`].
    List(Vec<String>),
    /// For [`AttrType::DateTime`]: ms since the epoch.
    Time(i64),
}

impl AttrValue {
    /// Whether this value may be written in a column of type `ty` ([`AttrValue::Missing`]
    /// fits every type).
    pub fn fits(&self, ty: AttrType) -> bool {
        match (self, ty) {
            (AttrValue::Missing, _) => true,
            (AttrValue::Str(_), AttrType::String) => true,
            (AttrValue::Int(v), AttrType::Integer) => i32::try_from(*v).is_ok(),
            (AttrValue::Int(_), AttrType::Long) => true,
            (AttrValue::Float(_), AttrType::Double) => true,
            (AttrValue::Bool(_), AttrType::Boolean) => true,
            (AttrValue::List(_), AttrType::ListString) => true,
            (AttrValue::Time(_), AttrType::DateTime) => true,
            _ => false,
        }
    }
}

/// An RGB colour (`viz:color`, DOT `fillcolor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
}

impl Rgb {
    /// The colour with these channels.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Rgb { r, g, b }
    }

    /// `#rrggbb`, as Graphviz and CSS write it.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// One node (an account) as exporters see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportNode {
    /// Stable id, unique in the graph (the account's platform id).
    pub id: String,
    /// Display label (the handle).
    pub label: String,
    /// One value per node attribute, in schema order.
    pub values: Vec<AttrValue>,
    /// Display colour (by cluster: see [`super::palette`]).
    pub color: Option<Rgb>,
    /// Display size (by bot score or degree), non-negative.
    pub size: Option<f64>,
    /// Id of the node's cluster, if any; splits the DOT output per flagged cluster.
    pub cluster: Option<u32>,
    /// Active periods, inclusive `(start_ms, end_ms)`; used in dynamic GEXF.
    pub spells: Vec<(i64, i64)>,
}

/// One edge as exporters see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportEdge {
    /// Index of the source node.
    pub source: usize,
    /// Index of the target node.
    pub target: usize,
    /// Edge weight.
    pub weight: f64,
    /// Category of a parallel edge (`retweet`, `reply`, `mention`, `quote`): GEXF 1.3 `kind`.
    /// The (source, target, kind) triple should be unique.
    pub kind: Option<String>,
    /// One value per edge attribute, in schema order.
    pub values: Vec<AttrValue>,
    /// Co-action times, inclusive `(start_ms, end_ms)`; used in dynamic GEXF.
    pub spells: Vec<(i64, i64)>,
}

/// A flagged cluster: one DOT file each, and a node of the DOT overview.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportCluster {
    /// Cluster id, as in [`ExportNode::cluster`].
    pub id: u32,
    /// Rank among flagged clusters, 1 = most suspicious; names the DOT file `<rank>-<id>.dot`.
    pub rank: u32,
    /// Caption, e.g. `#MacronLeaks amplifiers (score 0.91)`.
    pub label: String,
    /// Colour of the cluster and its members.
    pub color: Rgb,
}

impl Default for Rgb {
    fn default() -> Self {
        super::palette::UNFLAGGED
    }
}

/// Visitor callback for nodes; its error stops the visit and is returned by it.
pub type NodeVisitor<'v> = dyn FnMut(&ExportNode) -> Result<(), ExportError> + 'v;
/// Visitor callback for edges; its error stops the visit and is returned by it.
pub type EdgeVisitor<'v> = dyn FnMut(&ExportEdge) -> Result<(), ExportError> + 'v;

/// A graph that exporters can stream.
///
/// Implementors hand out one node or edge at a time, so they can build each record on the fly
/// from their own storage (reusing one buffer) instead of materialising the whole graph.
/// Records are visited by index range, so that exporters can render disjoint ranges on several
/// threads (hence `Sync`). Visits must give the same records every time: exporters may visit
/// twice.
pub trait GraphSource: Sync {
    /// Whether edges are directed (the interaction graph) or not (the co-action graph).
    fn directed(&self) -> bool;
    /// Node attribute schema.
    fn node_attributes(&self) -> &[AttributeDef];
    /// Edge attribute schema.
    fn edge_attributes(&self) -> &[AttributeDef];
    /// Flagged clusters (empty when there are none).
    fn clusters(&self) -> &[ExportCluster] {
        &[]
    }
    /// Number of nodes.
    fn node_count(&self) -> usize;
    /// Number of edges.
    fn edge_count(&self) -> usize;
    /// The id of node `ix` (`ix < node_count()`), as in [`ExportNode::id`].
    fn node_id(&self, ix: usize) -> &str;
    /// Calls `visit` on nodes `range` (within `0..node_count()`), in index order.
    ///
    /// # Errors
    /// The first error `visit` returns, or the source's own.
    fn visit_node_range(
        &self,
        range: Range<usize>,
        visit: &mut NodeVisitor<'_>,
    ) -> Result<(), ExportError>;
    /// Calls `visit` on edges `range` (within `0..edge_count()`), in order.
    ///
    /// # Errors
    /// The first error `visit` returns, or the source's own.
    fn visit_edge_range(
        &self,
        range: Range<usize>,
        visit: &mut EdgeVisitor<'_>,
    ) -> Result<(), ExportError>;
    /// Calls `visit` on every node, in index order.
    ///
    /// # Errors
    /// The first error `visit` returns, or the source's own.
    fn visit_nodes(&self, visit: &mut NodeVisitor<'_>) -> Result<(), ExportError> {
        self.visit_node_range(0..self.node_count(), visit)
    }
    /// Calls `visit` on every edge.
    ///
    /// # Errors
    /// The first error `visit` returns, or the source's own.
    fn visit_edges(&self, visit: &mut EdgeVisitor<'_>) -> Result<(), ExportError> {
        self.visit_edge_range(0..self.edge_count(), visit)
    }
}

/// A graph held in memory as plain vectors: the simplest [`GraphSource`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportGraph {
    /// Whether edges are directed.
    pub directed: bool,
    /// Node attribute schema.
    pub node_attributes: Vec<AttributeDef>,
    /// Edge attribute schema.
    pub edge_attributes: Vec<AttributeDef>,
    /// Flagged clusters.
    pub clusters: Vec<ExportCluster>,
    /// Nodes, by index.
    pub nodes: Vec<ExportNode>,
    /// Edges.
    pub edges: Vec<ExportEdge>,
}

impl GraphSource for ExportGraph {
    fn directed(&self) -> bool {
        self.directed
    }
    fn node_attributes(&self) -> &[AttributeDef] {
        &self.node_attributes
    }
    fn edge_attributes(&self) -> &[AttributeDef] {
        &self.edge_attributes
    }
    fn clusters(&self) -> &[ExportCluster] {
        &self.clusters
    }
    fn node_count(&self) -> usize {
        self.nodes.len()
    }
    fn edge_count(&self) -> usize {
        self.edges.len()
    }
    fn node_id(&self, ix: usize) -> &str {
        &self.nodes[ix].id
    }
    fn visit_node_range(
        &self,
        range: Range<usize>,
        visit: &mut NodeVisitor<'_>,
    ) -> Result<(), ExportError> {
        self.nodes[range].iter().try_for_each(visit)
    }
    fn visit_edge_range(
        &self,
        range: Range<usize>,
        visit: &mut EdgeVisitor<'_>,
    ) -> Result<(), ExportError> {
        self.edges[range].iter().try_for_each(visit)
    }
}

/// Which element a checked record is, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// A node, by index.
    Node(usize),
    /// An edge, by visit order.
    Edge(usize),
}

impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Element::Node(i) => write!(f, "node {i}"),
            Element::Edge(i) => write!(f, "edge {i}"),
        }
    }
}

/// Checks that `values` match `schema` in number and types.
pub(crate) fn check_values(
    element: Element,
    schema: &[AttributeDef],
    values: &[AttrValue],
) -> Result<(), ExportError> {
    if values.len() != schema.len() {
        return Err(ExportError::ValueCount {
            element,
            expected: schema.len(),
            got: values.len(),
        });
    }
    for (def, value) in schema.iter().zip(values) {
        if !value.fits(def.ty) {
            return Err(ExportError::ValueType {
                element,
                attribute: def.name.clone(),
                expected: def.ty,
            });
        }
    }
    Ok(())
}

/// Checks that every declared default fits its column and is a value.
pub(crate) fn check_defaults(schema: &[AttributeDef]) -> Result<(), ExportError> {
    for def in schema {
        if let Some(value) = &def.default
            && (matches!(value, AttrValue::Missing) || !value.fits(def.ty))
        {
            return Err(ExportError::DefaultType {
                attribute: def.name.clone(),
                expected: def.ty,
            });
        }
    }
    Ok(())
}

/// Checks an edge's endpoints against the node count.
pub(crate) fn check_endpoints(
    index: usize,
    edge: &ExportEdge,
    node_count: usize,
) -> Result<(), ExportError> {
    for node in [edge.source, edge.target] {
        if node >= node_count {
            return Err(ExportError::NoSuchNode {
                edge: index,
                node,
                node_count,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fit_their_types() {
        assert!(AttrValue::Int(5).fits(AttrType::Integer));
        assert!(!AttrValue::Int(1 << 40).fits(AttrType::Integer));
        assert!(AttrValue::Int(1 << 40).fits(AttrType::Long));
        assert!(AttrValue::Missing.fits(AttrType::Double));
        assert!(!AttrValue::Str("x".into()).fits(AttrType::Double));
        assert!(AttrValue::Time(0).fits(AttrType::DateTime));
        assert!(!AttrValue::Time(0).fits(AttrType::Long));
    }

    #[test]
    fn check_values_reports_count_and_type() {
        let schema = [AttributeDef::new("a", AttrType::Double)];
        assert!(check_values(Element::Node(0), &schema, &[AttrValue::Float(1.0)]).is_ok());
        let err = check_values(Element::Node(3), &schema, &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "node 3 has 0 attribute values but the schema has 1"
        );
        let err = check_values(Element::Edge(2), &schema, &[AttrValue::Bool(true)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "edge 2: the value of attribute `a` is not of type Double"
        );
    }

    #[test]
    fn defaults_must_be_values_of_their_type() {
        let zero = AttributeDef::new("w", AttrType::Double).with_default(AttrValue::Float(0.0));
        assert!(check_defaults(std::slice::from_ref(&zero)).is_ok());
        assert!(zero.implies(&AttrValue::Float(0.0)));
        assert!(!zero.implies(&AttrValue::Float(1.0)));
        assert!(!zero.implies(&AttrValue::Missing));
        assert!(!zero.writes(&AttrValue::Float(0.0)) && !zero.writes(&AttrValue::Missing));
        assert!(zero.writes(&AttrValue::Float(2.5)));
        assert_eq!(zero.default_text().as_deref(), Some("0"));
        let wrong = AttributeDef::new("w", AttrType::Double).with_default(AttrValue::Int(0));
        assert_eq!(
            check_defaults(&[wrong]).unwrap_err().to_string(),
            "the default of attribute `w` is not a value of type Double"
        );
        let missing = AttributeDef::new("w", AttrType::Long).with_default(AttrValue::Missing);
        assert!(check_defaults(&[missing]).is_err());
    }

    #[test]
    fn hex_colours() {
        assert_eq!(Rgb::new(255, 0, 16).hex(), "#ff0010");
    }
}
