/*!
The analysis: from a collection to ranked clusters of coordinated accounts with their evidence,
as a [`Report`].

```text
collection ─► co-action layers ─► coordination graph (edges ≥ min weight)
           ─► communities (Leiden) ─► clusters of ≥ min size
           ─► synchrony (per cluster, against shuffled timing) + account signals
           ─► suspicion, rank, flag ─► Report
```

**Layers.** By default co-retweet, co-hashtag, co-URL, co-text and near-duplicate text, with
W = 60 s: amplification, trend pushing, link pushing and copy-paste. The combined weight of an
edge is the sum of its layer weights: distinct objects co-acted on, an object on which more
than [`DEFAULT_CROWD`] (50) actions fall within one window counting `50 / peak`
([`Weighting::CrowdDiscounted`]). Edges under `min_edge_weight` (2) are dropped: one
coincidence in a minute is what organic users produce by the thousand around a viral post;
two distinct objects within a minute each, rarely. The discount matters as the collection
grows: ten times the accounts put ten times as many in each viral post's first minute and a
hundred times as many pairs, and the same holds for the thousands of bots of several
networks that retweet the same leaked post within seconds; counted in full, such crowds tie
every bot of every network together and outweigh the teams themselves.

**Memory.** Only the combined edges that pass `min_edge_weight` are kept. The layers are
built and combined one range of source accounts at a time
([`CoordinationGraph::build_filtered`]) when their in-window pairs exceed
`max_pairs_in_memory`, so the co-action pairs and layer edges in memory are those of one
range; what the report says of all layer edges (their number, the baseline latency
histogram) is summed over the ranges. The output does not depend on the number of ranges.
The kept edges are held as a [`CompactGraph`]: about 50 bytes
per edge with everything the report and the edge table need (pairs, least |Δt|, time span,
layer weights), folded in as each range is merged, so no layer edge outlives its range.
Community detection adds its compressed graph (16 bytes per edge, freed after it), and the
edge table is [`CoordinationEdges`]: the compact graph and one id per node, formatted only
as the CSV is written. At scale 10 of the generator (2.69 billion co-action pairs, 1.94
million kept edges) the analysis peaks at 7.4 GB. Graph files of large graphs are bounded
(see [`crate::export`]).

**Clusters** are the communities of the remaining graph (Leiden, modularity, seeded) with at
least `min_cluster_size` members. Ranking and flagging are described in [`rank`].

Everything is deterministic: the same collection and options give the same report, byte for
byte, on any number of threads.

```
use coordgraph::analyze::{AnalyzeOptions, analyze, input_summary};
use coordgraph::ingest::{IngestOptions, Input, read_collection};

// Accounts 1, 2 and 3 retweet each of three posts within two seconds of each other.
let mut lines = String::new();
for (k, post) in [10, 11, 12].into_iter().enumerate() {
    for (j, who) in [1, 2, 3].into_iter().enumerate() {
        let t = 1_493_900_000_000i64 + k as i64 * 3_600_000 + j as i64 * 1_000;
        let line = format!(
            r#"{{"id_str":"{}","timestamp_ms":"{t}","text":"RT","user":{{"id_str":"{who}"}},
               "retweeted_status":{{"id_str":"{post}","timestamp_ms":"{}","text":"hi",
               "user":{{"id_str":"9"}}}}}}"#,
            100 + 3 * k + j,
            t - 5_000
        );
        lines.push_str(&line.replace('\n', ""));
        lines.push('\n');
    }
}
let ingest = read_collection(&[Input::bytes("rt.jsonl", lines.into_bytes())],
                             &IngestOptions::default(), &()).unwrap();
let input = input_summary(&ingest.collection, &ingest.report, &[]);
let analysis = analyze(&ingest.collection, input, &AnalyzeOptions::default(), &()).unwrap();
let cluster = &analysis.report.clusters[0];
assert_eq!(cluster.members, ["1", "2", "3"]);
assert_eq!(cluster.synchrony.median_latency_s, Some(1.0));
```
*/

mod activity;
pub mod rank;
mod report;
mod synchrony;

use std::time::Instant;

use rayon::prelude::*;

use crate::community::{CommunityError, CommunityOptions, Partition, detect_communities};
use crate::graph::csr::CsrError;
use crate::graph::{
    CoActionKind, CoActionOptions, CompactGraph, CoordinationGraph, GraphError, Weighting,
};
use crate::model::{AccountIx, Collection, NONE};
use crate::progress::Progress;
use crate::report::{CoordinationEdges, Report};
use crate::signals::{SignalOptions, compute_account_signals};

pub use rank::{SuspicionWeights, suspicion};
pub use report::input_summary;

/// Options of [`analyze`].
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeOptions {
    /// The co-action layers of the coordination graph.
    pub networks: Vec<CoActionKind>,
    /// Window, text and near-duplicate options shared by the layers.
    pub co_action: CoActionOptions,
    /// Edges of the combined graph lighter than this are dropped (2).
    pub min_edge_weight: f64,
    /// Community detection.
    pub community: CommunityOptions,
    /// Smallest cluster reported (3).
    pub min_cluster_size: u32,
    /// Suspicion at or above which a cluster is flagged.
    pub flag_threshold: f64,
    /// The weights of the suspicion score.
    pub suspicion_weights: SuspicionWeights,
    /// Account signals.
    pub signals: SignalOptions,
    /// Rounds of the synchrony null model (20).
    pub null_rounds: u32,
    /// Shared objects reported per cluster (10).
    pub top_objects: usize,
    /// Tightest co-actions reported per cluster (10).
    pub tightest: usize,
    /// Leaders reported per cluster: members who acted first in more co-action pairs than
    /// they acted second (5).
    pub leaders: usize,
    /// Bio terms reported per cluster (15).
    pub bio_terms: usize,
    /// The most co-action pair records held in memory at once (about 80 bytes each with
    /// their edges): past it, the layers are built and combined one range of accounts at a
    /// time (see [`CoordinationGraph::build_filtered`]). The results do not depend on it.
    pub max_pairs_in_memory: u64,
}

/// The default layers.
pub const DEFAULT_NETWORKS: [CoActionKind; 5] = [
    CoActionKind::CoRetweet,
    CoActionKind::CoHashtag,
    CoActionKind::CoUrl,
    CoActionKind::CoText,
    CoActionKind::NearDuplicateText,
];

/// The default peak crowd up to which an object counts in full in the coordination graph
/// ([`Weighting::CrowdDiscounted`]): a team of fifty acting on a post within a minute.
pub const DEFAULT_CROWD: u32 = 50;

/// The default [`AnalyzeOptions::max_pairs_in_memory`]: 64 million, about 5 GB.
pub const DEFAULT_MAX_PAIRS_IN_MEMORY: u64 = 64 << 20;

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            networks: DEFAULT_NETWORKS.to_vec(),
            co_action: CoActionOptions {
                weighting: Weighting::CrowdDiscounted {
                    crowd: DEFAULT_CROWD,
                },
                ..CoActionOptions::default()
            },
            min_edge_weight: 2.0,
            community: CommunityOptions::default(),
            min_cluster_size: 3,
            flag_threshold: rank::DEFAULT_FLAG_THRESHOLD,
            suspicion_weights: SuspicionWeights::default(),
            signals: SignalOptions::default(),
            null_rounds: 20,
            top_objects: 10,
            tightest: 10,
            leaders: 5,
            bio_terms: 15,
            max_pairs_in_memory: DEFAULT_MAX_PAIRS_IN_MEMORY,
        }
    }
}

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// Graph options out of range.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// Community options out of range.
    #[error(transparent)]
    Community(#[from] CommunityError),
    /// The coordination graph does not fit the compact graph of community detection.
    #[error(transparent)]
    Csr(#[from] CsrError),
    /// Other options out of range.
    #[error("{0}")]
    Options(String),
}

/// An analysis: its report, and the graph the report's clusters partition.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The report.
    pub report: Report,
    /// The coordination graph after `min_edge_weight` (`edges.graph`, nodes are account
    /// indices), with the account id of each node: the table saved beside the report.
    pub edges: CoordinationEdges,
    /// Wall time per stage, in order: (stage, seconds). Not part of the report, which must
    /// not depend on the machine.
    pub stage_seconds: Vec<(String, f64)>,
}

/// Runs the analysis on a collection.
///
/// # Arguments
/// - `c`: the collection.
/// - `input`: what was read (see [`input_summary`]); copied into the report.
/// - `options`: see [`AnalyzeOptions`].
/// - `progress`: receives one stage per step.
///
/// # Errors
/// Options out of range; the collection itself never makes it fail.
///
/// # Complexity
/// That of the layers ([`CoordinationGraph::build_filtered`]), of Leiden on the combined graph, and
/// `O(A log A)` for the `A` actions of cluster members.
pub fn analyze(
    c: &Collection,
    input: crate::report::InputSummary,
    options: &AnalyzeOptions,
    progress: &dyn Progress,
) -> Result<Analysis, AnalyzeError> {
    validate(options)?;
    let mut stages = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &str, stages: &mut Vec<(String, f64)>| {
        stages.push((name.to_owned(), clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };

    progress.begin("co-action layers", None);
    let upper = synchrony::latency_upper_edges(i64::from(options.co_action.window_secs) * 1000);
    let mut totals = report::LayerTotals {
        edges: vec![0; options.networks.len()],
        latency_observed: vec![0; upper.len()],
    };
    let built = CoordinationGraph::build_filtered(
        c,
        &options.networks,
        &options.co_action,
        options.min_edge_weight,
        options.max_pairs_in_memory,
        |layer, edges| {
            totals.add(layer, edges, &upper);
            progress.advance(1);
        },
    )?;
    progress.finish();
    let (graph, layers) = (built.graph, built.layers);
    lap("graphs", &mut stages);

    progress.begin("communities", None);
    let csr = graph.to_csr()?;
    let partition = detect_communities(&csr, &options.community)?;
    let modularity =
        crate::community::modularity(&csr, &partition, options.community.resolution).unwrap_or(0.0);
    drop(csr);
    progress.finish();
    lap("communities", &mut stages);

    progress.begin("account signals", None);
    let signals = compute_account_signals(c, &options.signals);
    progress.finish();
    lap("signals", &mut stages);

    let clusters = ClusterSet::new(&graph, &partition, c.accounts.len(), options);
    progress.begin("synchrony", None);
    let sweep_kinds = synchrony::sweep_kinds(&options.networks);
    let sweeps = synchrony::sweep_clusters(
        c,
        &clusters.core_of,
        clusters.len(),
        &sweep_kinds,
        &synchrony::SweepOptions {
            window_ms: i64::from(options.co_action.window_secs) * 1000,
            min_text_chars: options.co_action.min_text_chars,
            null_rounds: options.null_rounds,
            seed: options.community.seed,
            top_objects: options.top_objects,
            tightest: options.tightest,
            leaders: options.leaders,
        },
    );
    progress.finish();
    lap("synchrony", &mut stages);

    progress.begin("ranking and evidence", None);
    let report = report::build(
        c, input, options, &layers, totals, &graph, &clusters, &sweeps, &signals, modularity,
    );
    progress.finish();
    lap("ranking and evidence", &mut stages);

    drop(layers);
    let edges = CoordinationEdges {
        layers: options
            .networks
            .iter()
            .map(|k| k.name().to_owned())
            .collect(),
        ids: graph
            .nodes
            .par_iter()
            .map(|&a| c.account_id(a).into_owned())
            .collect(),
        graph,
    };
    lap("edge table", &mut stages);
    Ok(Analysis {
        report,
        edges,
        stage_seconds: stages,
    })
}

fn validate(options: &AnalyzeOptions) -> Result<(), AnalyzeError> {
    options.co_action.validate()?;
    if options.networks.is_empty() {
        return Err(AnalyzeError::Options("no co-action layer chosen".into()));
    }
    if !(options.min_edge_weight.is_finite() && options.min_edge_weight >= 0.0) {
        return Err(AnalyzeError::Options(format!(
            "minimum edge weight {} is not a number of at least 0",
            options.min_edge_weight
        )));
    }
    if !(0.0..=1.0).contains(&options.flag_threshold) {
        return Err(AnalyzeError::Options(format!(
            "flag threshold {} is not in [0, 1]",
            options.flag_threshold
        )));
    }
    Ok(())
}

/// The graph without the edges lighter than `min_weight`, and without the nodes left alone:
/// what [`CoordinationGraph::build_filtered`] gives directly.
#[cfg(test)]
fn drop_light_edges(g: CoordinationGraph, min_weight: f64) -> CoordinationGraph {
    use petgraph::visit::EdgeRef;
    let layers = g.layers.len();
    let keep_edge: Vec<bool> = g
        .graph
        .edge_weights()
        .map(|e| e.weight >= min_weight)
        .collect();
    let mut keep_node = vec![false; g.graph.node_count()];
    for e in g.graph.edge_references() {
        if keep_edge[e.id().index()] {
            keep_node[e.source().index()] = true;
            keep_node[e.target().index()] = true;
        }
    }
    let mut layer_weights = Vec::new();
    for (e, &keep) in keep_edge.iter().enumerate() {
        if keep {
            layer_weights.extend_from_slice(&g.layer_weights[e * layers..(e + 1) * layers]);
        }
    }
    // `filter_map` keeps the order of nodes and edges, so nodes stay in account order.
    let graph = g.graph.filter_map(
        |n, &a| keep_node[n.index()].then_some(a),
        |e, &w| keep_edge[e.index()].then_some(w),
    );
    CoordinationGraph {
        layers: g.layers,
        graph,
        layer_weights,
    }
}

/// The reported clusters: communities with at least `min_cluster_size` members, in community
/// order, with their core members (see [`rank`]).
#[derive(Debug, Clone)]
pub(crate) struct ClusterSet {
    /// Community id of each cluster.
    pub community: Vec<u32>,
    /// Members (account indices, ascending) of each cluster.
    pub members: Vec<Vec<AccountIx>>,
    /// Core members (ascending) of each cluster: what its statistics describe.
    pub core: Vec<Vec<AccountIx>>,
    /// Per account index, its cluster position or [`NONE`].
    pub cluster_of: Vec<u32>,
    /// Per account index, its cluster position if it is a core member, or [`NONE`].
    pub core_of: Vec<u32>,
}

impl ClusterSet {
    fn new(
        graph: &CompactGraph,
        partition: &Partition,
        accounts: usize,
        options: &AnalyzeOptions,
    ) -> Self {
        let mut set = ClusterSet {
            community: Vec::new(),
            members: Vec::new(),
            core: Vec::new(),
            cluster_of: vec![NONE; accounts],
            core_of: vec![NONE; accounts],
        };
        for (community, nodes) in partition.communities().into_iter().enumerate() {
            if nodes.len() < options.min_cluster_size.max(1) as usize {
                continue;
            }
            let position = set.members.len() as u32;
            let members: Vec<AccountIx> = nodes.iter().map(|&n| graph.nodes[n as usize]).collect();
            for &a in &members {
                set.cluster_of[a as usize] = position;
            }
            set.community.push(community as u32);
            set.members.push(members);
        }
        // Neighbours and combined edge weight inside the own cluster, per account.
        let mut inside = vec![0u32; accounts];
        let mut strength = vec![0.0f64; accounts];
        for e in 0..graph.edge_count() {
            let a = graph.nodes[graph.source[e] as usize];
            let b = graph.nodes[graph.target[e] as usize];
            let k = set.cluster_of[a as usize];
            if k != NONE && k == set.cluster_of[b as usize] {
                inside[a as usize] += 1;
                inside[b as usize] += 1;
                strength[a as usize] += graph.weight[e];
                strength[b as usize] += graph.weight[e];
            }
        }
        for (position, members) in set.members.iter().enumerate() {
            let mut degrees: Vec<i64> = members
                .iter()
                .map(|&a| i64::from(inside[a as usize]))
                .collect();
            degrees.sort_unstable();
            let least = (rank::CORE_SHARE * synchrony::median_sorted(&degrees)).max(1.0);
            let mut strengths: Vec<f64> = members.iter().map(|&a| strength[a as usize]).collect();
            strengths.sort_unstable_by(f64::total_cmp);
            let strongest = strengths
                [((strengths.len() - 1) as f64 * rank::STRONGEST_QUANTILE).round() as usize];
            let least_strength = rank::CORE_SHARE * strongest;
            let core: Vec<AccountIx> = members
                .iter()
                .copied()
                .filter(|&a| {
                    f64::from(inside[a as usize]) >= least && strength[a as usize] >= least_strength
                })
                .collect();
            for &a in &core {
                set.core_of[a as usize] = position as u32;
            }
            set.core.push(core);
        }
        set
    }

    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{GenerateOptions, OutputFormat, generate};
    use crate::graph::{CoActionEdge, CoActionGraph, build_co_action_graph};
    use crate::ingest::{IngestOptions, Input, read_collection};
    use petgraph::visit::EdgeRef;

    fn generated(seed: u64, scale: f64) -> crate::ingest::Ingest {
        let (mut tweets, mut truth) = (Vec::new(), Vec::new());
        let options = GenerateOptions {
            seed,
            scale,
            format: OutputFormat::V11,
        };
        generate(&options, &mut tweets, &mut truth).expect("generates");
        read_collection(
            &[Input::bytes("g.jsonl", tweets)],
            &IngestOptions::default(),
            &(),
        )
        .expect("reads")
    }

    /// Nodes, edges (endpoint accounts, weight and layer bits, in order) and layer weights.
    type GraphParts = (Vec<AccountIx>, Vec<(u32, u32, f64, u32)>, Vec<f64>);

    /// The parts of a graph that a test compares.
    fn parts(g: &CoordinationGraph) -> GraphParts {
        let nodes = g.graph.node_weights().copied().collect();
        let edges = g
            .graph
            .edge_references()
            .map(|e| {
                let w = e.weight();
                (g.graph[e.source()], g.graph[e.target()], w.weight, w.layers)
            })
            .collect();
        (nodes, edges, g.layer_weights.clone())
    }

    /// The same parts of a compact graph.
    fn compact_parts(g: &CompactGraph) -> GraphParts {
        let edges = (0..g.edge_count())
            .map(|e| {
                let (s, t) = (g.source[e] as usize, g.target[e] as usize);
                (g.nodes[s], g.nodes[t], g.weight[e], g.layer_bits[e])
            })
            .collect();
        let mut weights = Vec::new();
        let mut row = Vec::new();
        for e in 0..g.edge_count() {
            g.layer_weights_into(e, &mut row);
            weights.extend_from_slice(&row);
        }
        (g.nodes.clone(), edges, weights)
    }

    /// Per kept edge: the pairs, least |Δt| and time span over the whole layers' edges.
    fn expected_spans(g: &CompactGraph, whole: &[CoActionGraph]) -> Vec<(u64, u32, i64, i64)> {
        (0..g.edge_count())
            .map(|e| {
                let (s, t) = (g.nodes[g.source[e] as usize], g.nodes[g.target[e] as usize]);
                let mut span = (0u64, u32::MAX, i64::MAX, i64::MIN);
                for layer in whole {
                    if let Ok(i) = layer
                        .edges
                        .binary_search_by_key(&(s, t), |x| (x.source, x.target))
                    {
                        let x = &layer.edges[i];
                        span.0 += x.pairs;
                        span.1 = span.1.min(x.min_dt_ms);
                        span.2 = span.2.min(x.first_ms);
                        span.3 = span.3.max(x.last_ms);
                    }
                }
                span
            })
            .collect()
    }

    /// Building range by range, with a budget that forces many ranges, gives the graph of
    /// combining whole layers and dropping light edges, the layers' stats and warnings, and
    /// every layer edge to `visit` once; on 1 and 2 threads alike.
    #[test]
    fn many_ranges_give_the_graph_of_whole_layers() {
        let ingest = generated(3, 0.05);
        let c = &ingest.collection;
        let options = AnalyzeOptions::default();
        let whole: Vec<CoActionGraph> = options
            .networks
            .iter()
            .map(|&k| build_co_action_graph(c, k, &options.co_action).unwrap())
            .collect();
        let expected = drop_light_edges(
            CoordinationGraph::combine(&whole, None).unwrap(),
            options.min_edge_weight,
        );
        assert!(expected.graph.edge_count() > 1000);
        let pairs: u64 = whole.iter().map(|l| l.stats.pairs).sum();
        for (budget, threads) in [(u64::MAX, 2), (pairs / 20, 1), (pairs / 20, 2), (1, 2)] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut seen: Vec<Vec<CoActionEdge>> = vec![Vec::new(); whole.len()];
            let built = pool.install(|| {
                CoordinationGraph::build_filtered(
                    c,
                    &options.networks,
                    &options.co_action,
                    options.min_edge_weight,
                    budget,
                    |l, edges| seen[l].extend_from_slice(edges),
                )
                .unwrap()
            });
            let context = format!("budget {budget}, {} ranges", built.ranges.len());
            match budget {
                u64::MAX => assert_eq!(built.ranges.len(), 1),
                1 => assert!(built.ranges.len() > 100, "{context}"),
                _ => assert!(built.ranges.len() >= 20, "{context}"),
            }
            let g = &built.graph;
            assert_eq!(compact_parts(g), parts(&expected), "{context}");
            let spans: Vec<_> = (0..g.edge_count())
                .map(|e| (g.pairs[e], g.min_dt_ms[e], g.first_ms[e], g.last_ms[e]))
                .collect();
            assert_eq!(spans, expected_spans(g, &whole), "{context}");
            for ((layer, all), seen) in built.layers.iter().zip(&whole).zip(&seen) {
                assert_eq!(seen, &all.edges, "{context}");
                assert_eq!(layer.stats, all.stats, "{context}");
                assert_eq!(layer.warnings, all.warnings, "{context}");
                assert!(layer.edges.is_empty());
            }
        }
    }

    /// The whole analysis, report and edge table, is the same with one range and with many.
    #[test]
    fn many_ranges_give_the_report_of_one() {
        let ingest = generated(5, 0.05);
        let c = &ingest.collection;
        let run = |max_pairs_in_memory| {
            let options = AnalyzeOptions {
                max_pairs_in_memory,
                ..AnalyzeOptions::default()
            };
            let input = input_summary(c, &ingest.report, &[]);
            analyze(c, input, &options, &()).unwrap()
        };
        let (one, many) = (run(u64::MAX), run(10_000));
        assert!(!one.report.clusters.is_empty());
        assert_eq!(one.report, many.report);
        assert_eq!(one.edges, many.edges);
    }

    /// A team of five accounts tied by weight 20, and three passers-by each tied to every
    /// member by weight 2: the passers-by have as many neighbours as the team, not its strength.
    #[test]
    fn passers_by_tied_by_light_edges_are_not_core_members() {
        let mut edges = Vec::new();
        for a in 0..5 {
            for b in a + 1..5 {
                edges.push((a, b, vec![20.0]));
            }
            for p in 5..8 {
                edges.push((a, p, vec![2.0]));
            }
        }
        let g = CompactGraph::from_layer_weights(&[CoActionKind::CoRetweet], 8, &edges);
        let partition = Partition::from_labels(&[0; 8]);
        let set = ClusterSet::new(&g, &partition, 8, &AnalyzeOptions::default());
        assert_eq!(set.members, vec![(0..8).collect::<Vec<u32>>()]);
        // Team members: 7 neighbours, strength 86; passers-by: 5 neighbours, strength 10.
        // Median degree 6 (least 1.5), 90th-percentile strength 86 (least 21.5).
        assert_eq!(set.core, vec![vec![0, 1, 2, 3, 4]]);
        assert_eq!(&set.core_of[5..], &[NONE; 3]);
    }
}
