/*!
The exports of an analysis: the coordination graph of a saved `report.json` and its edge table
(`coordination-edges.csv`), as GEXF (static and dynamic), GraphML, CSV tables and DOT, without
recomputing anything.

[`CoordinationSource`] streams the graph to the exporters straight from the report and the
edge table (one record at a time, so a million-edge graph is not copied);
[`coordination_export`] collects the same records into an [`ExportGraph`];
[`write_analysis_exports`] writes every file of an analysis folder.

The graph, undirected:
- Nodes: every account of the edge table, and every member of a flagged cluster even without
  an edge (so each flagged account is drawn with its cluster, whatever edge table is given).
  They come in report account order (the order the collection first saw them); ids missing
  from `report.accounts` follow, in the order the edge table, then the flagged clusters by
  rank, name them. A missing account gets no attribute values, grey, and no size or spells.
- Node attributes, in this order: [`NODE_ATTRIBUTES`]. The cluster is the account's
  (`Account::cluster`), or else the cluster that lists the id among its members; `rank` and
  `suspicion` are that cluster's.
- Node colour: the rank colour of a flagged cluster for its members
  ([`super::palette::flagged_color`]), grey ([`super::palette::UNFLAGGED`]) for the rest;
  size by bot score ([`super::palette::size_by_score`]); spells: one, the account's first to
  last record.
- Edges: the edge table's rows, in its order, weighted by the combined weight, with the
  attributes of [`EDGE_FIXED_ATTRIBUTES`] then `w_<layer>` per layer (default 0: most edges
  come from one or two layers, and GEXF and GraphML leave defaults out); spells: one, the
  first to the last action of the edge's co-action pairs.
- Clusters: the flagged clusters, by rank, captioned with their id, suspicion and most shared
  object; they give the DOT files `clusters/<rank>-<id>.dot` and the overview.

Times the report holds as RFC 3339 strings are parsed; one that does not parse is left out.

**Large graphs.** A graph file of tens of millions of edges (about 400 bytes each in GEXF or
GraphML) fills a disk and opens in no viewer, so the graph files (GEXF, GraphML, the CSV tables
for Gephi, DOT) hold at most [`AnalysisExportOptions::max_edges`] edges
([`DEFAULT_EXPORT_MAX_EDGES`], `--export-max-edges`). Above it they hold the subgraph of the
flagged clusters: the edges whose two accounts are members of flagged clusters, and, if those
are still too many, the heaviest of them ([`select_export_edges`]; ties go to the earlier
row); edges keep the table's order. The GEXF description and the report's warnings say so;
the edge table `coordination-edges.csv` always holds every edge.
*/

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::atomic::write_atomically;
use super::model::{
    AttrType, AttrValue, AttributeDef, EdgeVisitor, Element, ExportCluster, ExportEdge,
    ExportGraph, ExportNode, GraphSource, NodeVisitor,
};
use super::palette::{UNFLAGGED, flagged_color, size_by_score};
use super::{
    CsvOptions, DotOptions, ExportError, GexfOptions, write_cluster_dots, write_csv_tables,
    write_gexf, write_graphml,
};
use crate::ingest::time::parse_iso_date;
use crate::report::{Account, Cluster, EdgeRows, Report};

/// The node attributes, in schema order. Names avoid those GraphML and networkx reserve
/// (`label`, `size`, `weight`, …).
pub const NODE_ATTRIBUTES: [(&str, AttrType); 19] = [
    ("handle", AttrType::String),
    ("name", AttrType::String),
    ("cluster", AttrType::Long),
    ("rank", AttrType::Long),
    ("suspicion", AttrType::Double),
    ("flagged", AttrType::Boolean),
    ("core", AttrType::Boolean),
    ("bot_score", AttrType::Double),
    ("dormant_reactivated", AttrType::Boolean),
    ("records", AttrType::Long),
    ("followers", AttrType::Long),
    ("friends", AttrType::Long),
    ("created_at", AttrType::DateTime),
    ("first", AttrType::DateTime),
    ("last", AttrType::DateTime),
    ("lang", AttrType::String),
    ("location", AttrType::String),
    ("main_client", AttrType::String),
    ("bio", AttrType::String),
];

/// The edge attributes before the per-layer weights (`w_<layer>`, in the edge table's layer
/// order). `min_dt_s` is the least |Δt| of the edge's co-action pairs, in seconds.
pub const EDGE_FIXED_ATTRIBUTES: [(&str, AttrType); 4] = [
    ("pairs", AttrType::Long),
    ("min_dt_s", AttrType::Double),
    ("first", AttrType::DateTime),
    ("last", AttrType::DateTime),
];

/// Static GEXF, for Gephi.
pub const GEXF_FILE: &str = "coordination.gexf";
/// Dynamic GEXF (spells), for Gephi's timeline.
pub const DYNAMIC_GEXF_FILE: &str = "coordination-dynamic.gexf";
/// GraphML, for networkx, igraph, Cytoscape, yEd.
pub const GRAPHML_FILE: &str = "coordination.graphml";
/// Node table, for Gephi's spreadsheet import.
pub const NODES_CSV_FILE: &str = "nodes.csv";
/// Edge table, for Gephi's spreadsheet import.
pub const EDGES_CSV_FILE: &str = "edges.csv";

/// One kind of export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExportFormat {
    /// [`GEXF_FILE`].
    Gexf,
    /// [`DYNAMIC_GEXF_FILE`].
    DynamicGexf,
    /// [`GRAPHML_FILE`].
    Graphml,
    /// [`NODES_CSV_FILE`] and [`EDGES_CSV_FILE`].
    Csv,
    /// `clusters/overview.dot` and `clusters/<rank>-<id>.dot` per flagged cluster.
    Dot,
}

impl ExportFormat {
    /// Every format, in the order files are written.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Gexf,
        ExportFormat::DynamicGexf,
        ExportFormat::Graphml,
        ExportFormat::Csv,
        ExportFormat::Dot,
    ];

    /// The name on the command line: `gexf`, `dynamic-gexf`, `graphml`, `csv`, `dot`.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Gexf => "gexf",
            ExportFormat::DynamicGexf => "dynamic-gexf",
            ExportFormat::Graphml => "graphml",
            ExportFormat::Csv => "csv",
            ExportFormat::Dot => "dot",
        }
    }

    /// Parses a comma-separated list of format names, or `all`; the result is sorted and
    /// without repeats.
    ///
    /// # Errors
    /// [`UnknownFormat`] naming the first word that is not a format (an empty list included).
    pub fn parse_list(spec: &str) -> Result<Vec<ExportFormat>, UnknownFormat> {
        let mut formats = BTreeSet::new();
        for word in spec.split(',').map(str::trim) {
            if word == "all" {
                formats.extend(ExportFormat::ALL);
            } else {
                formats.insert(word.parse()?);
            }
        }
        Ok(formats.into_iter().collect())
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`ExportFormat::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown export format `{0}` (expected gexf, dynamic-gexf, graphml, csv, dot or all)")]
pub struct UnknownFormat(pub String);

/// What [`write_analysis_exports`] writes, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisExportOptions {
    /// The formats to write (order does not matter; files come in [`ExportFormat::ALL`] order).
    pub formats: Vec<ExportFormat>,
    /// Drawing settings of the DOT files.
    pub dot: DotOptions,
    /// CSV table settings (an `Interval` column or not).
    pub csv: CsvOptions,
    /// The most edges the graph files hold; past it they hold the subgraph of the flagged
    /// clusters (see the module docs).
    pub max_edges: usize,
}

/// The default [`AnalysisExportOptions::max_edges`]: two million edges, about 800 MB of GEXF,
/// near the most Gephi draws on a workstation.
pub const DEFAULT_EXPORT_MAX_EDGES: usize = 2_000_000;

/// The edges the graph files hold when the graph has more than their limit.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSelection {
    /// The edges kept, as ascending row indices of the edge table.
    pub edges: Vec<u32>,
    /// The edges of the whole graph.
    pub total: usize,
    /// The edges between members of flagged clusters.
    pub flagged: usize,
    /// The limit.
    pub max_edges: usize,
}

impl ExportSelection {
    /// A sentence saying what the graph files hold, for the report's warnings.
    pub fn note(&self) -> String {
        let heaviest = if self.flagged > self.max_edges {
            format!(
                ", the {} heaviest of the {} between members of flagged clusters",
                self.edges.len(),
                self.flagged
            )
        } else {
            ": those between members of flagged clusters".to_owned()
        };
        format!(
            "the coordination graph has {} edges, more than the {} the graph files hold \
             (--export-max-edges): GEXF, GraphML, DOT and nodes.csv/edges.csv hold {} edges{}; \
             coordination-edges.csv holds every edge",
            self.total,
            self.max_edges,
            self.edges.len(),
            heaviest
        )
    }
}

/// The edges the graph files of `report` and `table` hold, when the table has more than
/// `max_edges` rows: those whose two accounts are members of flagged clusters, and if they
/// are still more than `max_edges`, the heaviest of them (ties to the earlier row), in table
/// order. `None` when the table fits.
///
/// # Complexity
/// O(E) hash lookups of ids for E rows, in parallel, plus O(F log F) for F flagged edges when
/// they are cut.
pub fn select_export_edges(
    report: &Report,
    table: &dyn EdgeRows,
    max_edges: usize,
) -> Option<ExportSelection> {
    let total = table.edge_count();
    if total <= max_edges {
        return None;
    }
    let members: rustc_hash::FxHashSet<&str> = report
        .clusters
        .iter()
        .filter(|c| c.flagged)
        .flat_map(|c| c.members.iter().map(String::as_str))
        .collect();
    Some(keep_flagged_then_heaviest(
        total,
        max_edges,
        |i| {
            let e = table.fields(i);
            members.contains(e.source) && members.contains(e.target)
        },
        |i| table.fields(i).weight,
    ))
}

/// The edges `0..total` for which `between_flagged` holds, and if they are more than
/// `max_edges`, the heaviest of them by `weight` (ties to the earlier edge), ascending.
pub(crate) fn keep_flagged_then_heaviest(
    total: usize,
    max_edges: usize,
    between_flagged: impl Fn(usize) -> bool + Sync,
    weight: impl Fn(usize) -> f64 + Sync,
) -> ExportSelection {
    let mut edges: Vec<u32> = (0..total as u32)
        .into_par_iter()
        .filter(|&i| between_flagged(i as usize))
        .collect();
    let flagged = edges.len();
    if flagged > max_edges {
        edges.par_sort_unstable_by(|&a, &b| {
            weight(b as usize)
                .total_cmp(&weight(a as usize))
                .then(a.cmp(&b))
        });
        edges.truncate(max_edges);
        edges.par_sort_unstable();
    }
    ExportSelection {
        edges,
        total,
        flagged,
        max_edges,
    }
}

impl Default for AnalysisExportOptions {
    fn default() -> Self {
        AnalysisExportOptions {
            formats: ExportFormat::ALL.to_vec(),
            dot: DotOptions::default(),
            csv: CsvOptions::default(),
            max_edges: DEFAULT_EXPORT_MAX_EDGES,
        }
    }
}

/// The coordination graph of a report and its edge table, as a streaming [`GraphSource`].
///
/// Holds references into the report and the table, the node ids, the edges' endpoints and
/// parsed times; each node and edge record is built when visited.
#[derive(Debug)]
pub struct CoordinationSource<'a> {
    report: &'a Report,
    table: &'a dyn EdgeRows,
    /// The rows drawn, when not all (see [`select_export_edges`]).
    rows: Option<Vec<u32>>,
    /// The edges of the whole table.
    table_edges: usize,
    node_attributes: Vec<AttributeDef>,
    edge_attributes: Vec<AttributeDef>,
    clusters: Vec<ExportCluster>,
    /// Per node: its id.
    ids: Vec<&'a str>,
    /// Per node: its account in `report.accounts`.
    accounts: Vec<Option<&'a Account>>,
    /// Per node: its cluster in `report.clusters`.
    node_clusters: Vec<Option<&'a Cluster>>,
    /// Per edge: its endpoints, as node indices.
    endpoints: Vec<(u32, u32)>,
    /// Per edge: its first and last action (ms), parsed once for every format.
    edge_times: Vec<(Option<i64>, Option<i64>)>,
}

impl<'a> CoordinationSource<'a> {
    /// Builds the graph's node list, endpoints and flagged clusters (see the module doc).
    ///
    /// # Arguments
    /// * `report` – a report, as [`crate::report::read_report`] gives it.
    /// * `table` – its coordination graph, as [`crate::report::EdgeTable::read_file`] gives it (or any
    ///   table of the same layout: accounts it names need not be in the report).
    ///
    /// # Errors
    /// [`ExportError::ValueCount`] when a row has more or fewer layer weights than the table
    /// has layers.
    ///
    /// # Complexity
    /// O(accounts + cluster members + edges) time, with one hash map of the node ids (each
    /// mention is looked up once).
    pub fn new(report: &'a Report, table: &'a dyn EdgeRows) -> Result<Self, ExportError> {
        Self::with_rows(report, table, None)
    }

    /// As [`CoordinationSource::new`], drawing only the rows `rows` (ascending) of the table
    /// when given: the graph files of a graph past their limit (see
    /// [`select_export_edges`]).
    ///
    /// # Errors
    /// As [`CoordinationSource::new`], for the rows drawn.
    pub fn with_rows(
        report: &'a Report,
        table: &'a dyn EdgeRows,
        rows: Option<Vec<u32>>,
    ) -> Result<Self, ExportError> {
        let layers = table.layers();
        let edge_attributes: Vec<AttributeDef> = EDGE_FIXED_ATTRIBUTES
            .iter()
            .map(|&(name, ty)| AttributeDef::new(name, ty))
            .chain(layers.iter().map(|layer| {
                AttributeDef::new(format!("w_{layer}"), AttrType::Double)
                    .with_default(AttrValue::Float(0.0))
            }))
            .collect();
        let row_of = |k: usize| rows.as_ref().map_or(k, |r| r[k] as usize);
        let drawn = rows.as_ref().map_or(table.edge_count(), Vec::len);
        let mut weights = Vec::new();
        for k in 0..drawn {
            let i = row_of(k);
            table.layer_weights(i, &mut weights);
            if weights.len() != layers.len() {
                return Err(ExportError::ValueCount {
                    element: Element::Edge(i),
                    expected: edge_attributes.len(),
                    got: EDGE_FIXED_ATTRIBUTES.len() + weights.len(),
                });
            }
        }

        let mut flagged: Vec<&Cluster> = report.clusters.iter().filter(|c| c.flagged).collect();
        flagged.sort_by_key(|c| (c.rank, c.id));

        // The ids to draw, in first-mention order: edge endpoints, then flagged members. Each
        // edge keeps the mentions of its endpoints, so every id is looked up once.
        let mut mention_of: FxHashMap<IdKey<'a>, u32> = FxHashMap::default();
        let mut mention_order: Vec<&str> = Vec::new();
        let mut mention = |id: &'a str| -> u32 {
            *mention_of.entry(IdKey::new(id)).or_insert_with(|| {
                mention_order.push(id);
                (mention_order.len() - 1) as u32
            })
        };
        let edge_mentions: Vec<(u32, u32)> = (0..drawn)
            .map(|k| {
                let e = table.fields(row_of(k));
                (mention(e.source), mention(e.target))
            })
            .collect();
        for member in flagged.iter().flat_map(|c| &c.members) {
            mention(member);
        }

        // Nodes: the mentioned accounts of the report, then the other mentioned ids.
        let mut node_of = vec![u32::MAX; mention_order.len()];
        let mut ids = Vec::with_capacity(mention_order.len());
        let mut accounts = Vec::with_capacity(mention_order.len());
        for account in &report.accounts {
            // The first account of an id wins, should the report repeat one.
            let Some(&m) = mention_of.get(&IdKey::new(&account.id)) else {
                continue;
            };
            if node_of[m as usize] == u32::MAX {
                node_of[m as usize] = ids.len() as u32;
                ids.push(account.id.as_str());
                accounts.push(Some(account));
            }
        }
        drop(mention_of);
        for (m, id) in mention_order.into_iter().enumerate() {
            if node_of[m] == u32::MAX {
                node_of[m] = ids.len() as u32;
                ids.push(id);
                accounts.push(None);
            }
        }

        let cluster_by_id: HashMap<u32, &Cluster> =
            report.clusters.iter().rev().map(|c| (c.id, c)).collect();
        let mut member_cluster: HashMap<&str, &Cluster> = HashMap::new();
        if accounts.iter().any(Option::is_none) {
            for cluster in &report.clusters {
                for member in &cluster.members {
                    member_cluster.entry(member.as_str()).or_insert(cluster);
                }
            }
        }
        let node_clusters = ids
            .iter()
            .zip(&accounts)
            .map(|(id, account)| match account {
                Some(a) => a.cluster.and_then(|k| cluster_by_id.get(&k).copied()),
                None => member_cluster.get(id).copied(),
            })
            .collect();

        let endpoints = edge_mentions
            .par_iter()
            .map(|&(s, t)| (node_of[s as usize], node_of[t as usize]))
            .collect();
        let edge_times = (0..drawn)
            .into_par_iter()
            .map(|k| {
                let e = table.fields(row_of(k));
                (e.first.ms(), e.last.ms())
            })
            .collect();

        let clusters = flagged
            .iter()
            .map(|c| ExportCluster {
                id: c.id,
                rank: c.rank,
                label: cluster_caption(c),
                color: flagged_color(c.rank),
            })
            .collect();

        Ok(CoordinationSource {
            report,
            table,
            table_edges: table.edge_count(),
            rows,
            node_attributes: NODE_ATTRIBUTES
                .iter()
                .map(|&(name, ty)| AttributeDef::new(name, ty))
                .collect(),
            edge_attributes,
            clusters,
            ids,
            accounts,
            node_clusters,
            endpoints,
            edge_times,
        })
    }

    /// Fills `node` with node `ix`.
    fn fill_node(&self, ix: usize, node: &mut ExportNode) {
        let account = self.accounts[ix];
        let cluster = self.node_clusters[ix];
        node.id.clear();
        node.id.push_str(self.ids[ix]);
        node.label.clear();
        node.label.push_str(
            account
                .and_then(|a| a.handle.as_deref())
                .filter(|h| !h.is_empty())
                .unwrap_or(self.ids[ix]),
        );
        node.cluster = cluster.map(|c| c.id);
        node.color = Some(match cluster {
            Some(c) if c.flagged => flagged_color(c.rank),
            _ => UNFLAGGED,
        });
        node.size = account.map(|a| size_by_score(a.bot_score));
        node.spells.clear();
        node.values.clear();
        let cluster_values = [
            cluster.map_or(AttrValue::Missing, |c| AttrValue::Int(i64::from(c.id))),
            cluster.map_or(AttrValue::Missing, |c| AttrValue::Int(i64::from(c.rank))),
            cluster.map_or(AttrValue::Missing, |c| AttrValue::Float(c.suspicion)),
        ];
        let Some(a) = account else {
            node.values
                .extend((0..NODE_ATTRIBUTES.len()).map(|_| AttrValue::Missing));
            node.values[2..5].clone_from_slice(&cluster_values);
            return;
        };
        let s = &a.signals;
        let first = s.first.as_deref().and_then(parse_iso_date);
        let last = s.last.as_deref().and_then(parse_iso_date);
        let text = |v: &Option<String>| v.clone().map_or(AttrValue::Missing, AttrValue::Str);
        let [cluster_id, rank, suspicion] = cluster_values;
        node.values.extend([
            text(&a.handle),
            text(&a.name),
            cluster_id,
            rank,
            suspicion,
            AttrValue::Bool(a.flagged),
            AttrValue::Bool(a.core),
            AttrValue::Float(a.bot_score),
            AttrValue::Bool(a.dormant_reactivated),
            count(Some(s.records)),
            count(s.followers),
            count(s.friends),
            time(s.created_at.as_deref()),
            first.map_or(AttrValue::Missing, AttrValue::Time),
            last.map_or(AttrValue::Missing, AttrValue::Time),
            text(&s.lang),
            text(&s.location),
            text(&s.main_client),
            text(&s.bio),
        ]);
        node.spells.extend(spell(first, last));
    }

    /// Fills `edge` with edge `ix`.
    fn fill_edge(&self, ix: usize, edge: &mut ExportEdge) {
        let i = self.rows.as_ref().map_or(ix, |r| r[ix] as usize);
        let row = self.table.fields(i);
        let (source, target) = self.endpoints[ix];
        edge.source = source as usize;
        edge.target = target as usize;
        edge.weight = row.weight;
        edge.kind = None;
        let (first, last) = self.edge_times[ix];
        edge.values.clear();
        edge.values.extend([
            count(Some(row.pairs)),
            AttrValue::Float(row.min_dt_s),
            first.map_or(AttrValue::Missing, AttrValue::Time),
            last.map_or(AttrValue::Missing, AttrValue::Time),
        ]);
        let mut weights = Vec::new();
        self.table.layer_weights(i, &mut weights);
        edge.values
            .extend(weights.iter().map(|&w| AttrValue::Float(w)));
        edge.spells.clear();
        edge.spells.extend(spell(first, last));
    }
}

impl GraphSource for CoordinationSource<'_> {
    fn directed(&self) -> bool {
        false
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
        self.ids.len()
    }
    fn edge_count(&self) -> usize {
        self.endpoints.len()
    }
    fn node_id(&self, ix: usize) -> &str {
        self.ids[ix]
    }
    fn visit_node_range(
        &self,
        range: Range<usize>,
        visit: &mut NodeVisitor<'_>,
    ) -> Result<(), ExportError> {
        let mut node = ExportNode::default();
        for ix in range {
            self.fill_node(ix, &mut node);
            visit(&node)?;
        }
        Ok(())
    }
    fn visit_edge_range(
        &self,
        range: Range<usize>,
        visit: &mut EdgeVisitor<'_>,
    ) -> Result<(), ExportError> {
        let mut edge = ExportEdge::default();
        for ix in range {
            self.fill_edge(ix, &mut edge);
            visit(&edge)?;
        }
        Ok(())
    }
}

/// The coordination graph of `report` and its edge table `edges`, in memory: the records of
/// [`CoordinationSource`] collected (see the module doc for what they hold).
///
/// # Errors
/// As [`CoordinationSource::new`].
///
/// # Complexity
/// O(accounts + cluster members + edges · layers) time and memory.
pub fn coordination_export(
    report: &Report,
    edges: &dyn EdgeRows,
) -> Result<ExportGraph, ExportError> {
    let source = CoordinationSource::new(report, edges)?;
    let mut graph = ExportGraph {
        directed: false,
        node_attributes: source.node_attributes.clone(),
        edge_attributes: source.edge_attributes.clone(),
        clusters: source.clusters.clone(),
        nodes: Vec::with_capacity(source.node_count()),
        edges: Vec::with_capacity(source.edge_count()),
    };
    source.visit_nodes(&mut |node| {
        graph.nodes.push(node.clone());
        Ok(())
    })?;
    source.visit_edges(&mut |edge| {
        graph.edges.push(edge.clone());
        Ok(())
    })?;
    Ok(graph)
}

/// Writes the exports of an analysis into `dir` (created if needed), each file atomically:
/// [`GEXF_FILE`], [`DYNAMIC_GEXF_FILE`], [`GRAPHML_FILE`], [`NODES_CSV_FILE`] and
/// [`EDGES_CSV_FILE`], `clusters/overview.dot` and `clusters/<rank>-<id>.dot` per flagged
/// cluster, as far as `options.formats` asks. A graph of more than `options.max_edges` edges
/// is drawn as the subgraph [`select_export_edges`] gives.
///
/// Cluster files of an earlier export (`clusters/<number>-<number>.dot`) that this one does not
/// write are removed, so the folder never shows a cluster the report no longer flags. Other
/// files are left alone.
///
/// # Returns
/// The paths written, in the order above (clusters by rank).
///
/// # Errors
/// As [`CoordinationSource::new`], and I/O errors. Files written before the error stay; none
/// is left half-written.
///
/// # Complexity
/// O(accounts + cluster members + edges · layers) time per format; memory holds the node
/// index and the flagged clusters, not the records.
pub fn write_analysis_exports(
    report: &Report,
    edges: &dyn EdgeRows,
    dir: &Path,
    options: &AnalysisExportOptions,
) -> Result<Vec<PathBuf>, ExportError> {
    let rows = select_export_edges(report, edges, options.max_edges).map(|s| s.edges);
    let source = CoordinationSource::with_rows(report, edges, rows)?;
    std::fs::create_dir_all(dir)?;
    let formats: Vec<ExportFormat> = ExportFormat::ALL
        .into_iter()
        .filter(|f| options.formats.contains(f))
        .collect();
    // Each format goes to its own files, so they are written in parallel; the list of paths
    // keeps the fixed order.
    let written: Vec<Vec<PathBuf>> = formats
        .par_iter()
        .map(|&format| write_format(&source, format, dir, options))
        .collect::<Result<_, _>>()?;
    Ok(written.concat())
}

fn write_format(
    source: &CoordinationSource<'_>,
    format: ExportFormat,
    dir: &Path,
    options: &AnalysisExportOptions,
) -> Result<Vec<PathBuf>, ExportError> {
    Ok(match format {
        ExportFormat::Gexf | ExportFormat::DynamicGexf => {
            let dynamic = format == ExportFormat::DynamicGexf;
            let path = dir.join(if dynamic {
                DYNAMIC_GEXF_FILE
            } else {
                GEXF_FILE
            });
            let gexf = gexf_options(source, dynamic);
            write_atomically(&path, |w| write_gexf(source, &gexf, w))?;
            vec![path]
        }
        ExportFormat::Graphml => {
            let path = dir.join(GRAPHML_FILE);
            write_atomically(&path, |w| write_graphml(source, w))?;
            vec![path]
        }
        ExportFormat::Csv => {
            let nodes = dir.join(NODES_CSV_FILE);
            let edges = dir.join(EDGES_CSV_FILE);
            write_atomically(&nodes, |n| {
                write_atomically(&edges, |e| write_csv_tables(source, &options.csv, n, e))
            })?;
            vec![nodes, edges]
        }
        ExportFormat::Dot => {
            let paths = write_cluster_dots(source, dir, &options.dot)?;
            remove_stale_cluster_files(&dir.join("clusters"), &paths)?;
            paths
        }
    })
}

/// The GEXF header: what the graph is, from the report alone (no clock, so the bytes depend
/// on the input only).
fn gexf_options(source: &CoordinationSource<'_>, dynamic: bool) -> GexfOptions {
    let report = source.report;
    let p = &report.parameters;
    let mut description = format!(
        "Coordination graph: accounts tied by acting on the same objects within {} s \
         (layers: {}; edges of weight {} or more). {} accounts, {} edges, {} flagged \
         clusters.",
        p.window_secs,
        source.table.layers().join(", "),
        p.min_edge_weight,
        source.node_count(),
        source.edge_count(),
        source.clusters.len(),
    );
    if source.rows.is_some() {
        description.push_str(&format!(
            " Only the subgraph of the flagged clusters is drawn: {} of the graph's {} edges \
             (coordination-edges.csv holds them all).",
            source.edge_count(),
            source.table_edges
        ));
    }
    GexfOptions {
        dynamic,
        description: Some(description),
        ..GexfOptions::default()
    }
}

/// Removes `clusters/<rank>-<id>.dot` files that are not in `keep`.
fn remove_stale_cluster_files(clusters_dir: &Path, keep: &[PathBuf]) -> std::io::Result<()> {
    let is_cluster_file = |name: &str| {
        name.strip_suffix(".dot")
            .and_then(|stem| stem.split_once('-'))
            .is_some_and(|(rank, id)| {
                [rank, id]
                    .iter()
                    .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            })
    };
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(clusters_dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_str().is_some_and(is_cluster_file)
            && entry.file_type()?.is_file()
            && !keep.contains(&path)
        {
            stale.push(path);
        }
    }
    stale.sort();
    for path in stale {
        std::fs::remove_file(path)?;
    }
    Ok(())
}

/// A node id as a hash key, held inline when short (account ids have at most 20 digits), so
/// that the millions of endpoint lookups of a large graph compare keys without following a
/// pointer into the edge table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum IdKey<'a> {
    /// The id's bytes, zero-padded; the last byte holds the length.
    Short([u8; 24]),
    /// An id of 24 bytes or more.
    Long(&'a str),
}

impl<'a> IdKey<'a> {
    fn new(id: &'a str) -> Self {
        let bytes = id.as_bytes();
        if bytes.len() < 24 {
            let mut key = [0u8; 24];
            key[..bytes.len()].copy_from_slice(bytes);
            key[23] = bytes.len() as u8;
            IdKey::Short(key)
        } else {
            IdKey::Long(id)
        }
    }
}

/// The caption of a flagged cluster: id, suspicion and the object its members shared most.
fn cluster_caption(c: &Cluster) -> String {
    let mut caption = format!("cluster {}, suspicion {:.2}", c.id, c.suspicion);
    if let Some(top) = c.evidence.top_objects.first() {
        caption.push_str(": ");
        let object: String = top.object.chars().take(40).collect();
        caption.push_str(&object);
        if object.len() < top.object.len() {
            caption.push('…');
        }
    }
    caption
}

/// A count as a `Long` value (a count past `i64::MAX` is left out).
fn count(n: Option<u64>) -> AttrValue {
    n.and_then(|n| i64::try_from(n).ok())
        .map_or(AttrValue::Missing, AttrValue::Int)
}

/// An RFC 3339 time as a `DateTime` value, left out when absent or unreadable.
fn time(s: Option<&str>) -> AttrValue {
    s.and_then(parse_iso_date)
        .map_or(AttrValue::Missing, AttrValue::Time)
}

/// The spell from `first` to `last` (ms); a single moment when only one is known.
fn spell(first: Option<i64>, last: Option<i64>) -> Option<(i64, i64)> {
    match (first, last) {
        (Some(a), Some(b)) => Some((a.min(b), a.max(b))),
        (Some(t), None) | (None, Some(t)) => Some((t, t)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_lists_parse_sorted_and_unique() {
        assert_eq!(
            ExportFormat::parse_list("dot, gexf,dot").unwrap(),
            [ExportFormat::Gexf, ExportFormat::Dot]
        );
        assert_eq!(ExportFormat::parse_list("all").unwrap(), ExportFormat::ALL);
        assert_eq!(
            ExportFormat::parse_list("csv,all").unwrap(),
            ExportFormat::ALL
        );
        let err = ExportFormat::parse_list("gexf,svg").unwrap_err();
        assert_eq!(err, UnknownFormat("svg".into()));
        assert!(err.to_string().contains("`svg`"));
        assert!(ExportFormat::parse_list("").is_err());
        for f in ExportFormat::ALL {
            assert_eq!(f.name().parse::<ExportFormat>().unwrap(), f);
        }
    }

    #[test]
    fn times_tolerate_bad_text_and_spells_are_ordered() {
        assert_eq!(
            time(Some("2017-05-05T18:50:00.250Z")),
            AttrValue::Time(1_494_010_200_250)
        );
        assert_eq!(time(Some("yesterday")), AttrValue::Missing);
        assert_eq!(
            time(Some("2017-05-05T18:50:00\u{202e}")),
            AttrValue::Missing
        );
        assert_eq!(time(None), AttrValue::Missing);
        assert_eq!(spell(Some(1_000), Some(0)), Some((0, 1_000)));
        assert_eq!(spell(None, Some(5)), Some((5, 5)));
        assert_eq!(spell(Some(5), None), Some((5, 5)));
        assert_eq!(spell(None, None), None);
    }

    #[test]
    fn id_keys_tell_ids_apart() {
        let long = "x".repeat(30);
        let keys = ["", "1", "12", "1\0", "01", "12345678901234567890123", &long];
        for (i, a) in keys.iter().enumerate() {
            for (j, b) in keys.iter().enumerate() {
                assert_eq!(IdKey::new(a) == IdKey::new(b), i == j, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn counts_beyond_long_are_left_out() {
        assert_eq!(count(Some(5)), AttrValue::Int(5));
        assert_eq!(count(Some(u64::MAX)), AttrValue::Missing);
        assert_eq!(count(None), AttrValue::Missing);
    }

    #[test]
    fn stale_cluster_files_go_and_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        let keep = dir.path().join("1-4.dot");
        for name in [
            "1-4.dot",
            "2-9.dot",
            "overview.dot",
            "notes-1.dot",
            "3-.dot",
            "1-4.svg",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        remove_stale_cluster_files(dir.path(), std::slice::from_ref(&keep)).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "1-4.dot",
                "1-4.svg",
                "3-.dot",
                "notes-1.dot",
                "overview.dot"
            ]
        );
    }
}
