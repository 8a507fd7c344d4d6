/*!
Co-action graphs: pairs from the sweep engine aggregated into weighted, evidence-carrying
edges, then weighted, filtered and cut to a backbone.
*/

use std::borrow::Cow;
use std::fmt;

use rayon::prelude::*;

use super::actions::{Action, concat_parts, extract_action_parts, filter_participation_parts};
use super::near_duplicate::near_duplicate_pairs;
use super::sweep::{Capped, Grouped, sweep_into, window_pairs_per_group};
use super::weighting::{ObjectShares, apply_backbone, group_shares, tfidf_cosine};
use super::{CoActionKind, CoActionOptions, GraphError, Weighting};
use crate::model::{AccountIx, Collection, normalize_text};

/// One undirected co-action edge; `source < target` as account indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoActionEdge {
    /// The account with the smaller index.
    pub source: AccountIx,
    /// The account with the larger index.
    pub target: AccountIx,
    /// The weight: `objects` with [`Weighting::Count`], the sum of the objects' shares with
    /// [`Weighting::CrowdDiscounted`], the TF-IDF cosine with [`Weighting::TfIdfCosine`].
    pub weight: f64,
    /// Distinct objects on which the two accounts co-act.
    pub objects: u32,
    /// Co-action pairs: pairs of actions, one of each account, on one object, within the
    /// window.
    pub pairs: u64,
    /// Least |Δt| over the pairs, in ms.
    pub min_dt_ms: u32,
    /// Median |Δt| over the pairs, in ms (the mean of the two middle values for an even
    /// count).
    pub median_dt_ms: f64,
    /// Earliest time of an action in a pair (ms).
    pub first_ms: i64,
    /// Latest time of an action in a pair (ms).
    pub last_ms: i64,
    /// Pairs in which the source acted strictly before the target: with
    /// [`CoActionEdge::target_first`], who leads and who follows. Pairs at the same instant
    /// count in neither.
    pub source_first: u64,
    /// Pairs in which the target acted strictly before the source.
    pub target_first: u64,
}

/// An object whose co-action pairs went past `max_pairs_per_object`: the pairs of its later
/// actions (in time order) were not materialised.
#[derive(Debug, Clone, PartialEq)]
pub struct CapWarning {
    /// The kind of graph.
    pub kind: CoActionKind,
    /// The object, as a person would name it (`post 123`, `#tag`, a URL, …).
    pub object: String,
    /// Actions on the object.
    pub actions: u64,
    /// Co-action pairs the object has within the window.
    pub pairs: u64,
    /// Of those, the pairs not materialised.
    pub not_materialised: u64,
    /// The cap in force.
    pub cap: u64,
}

impl fmt::Display for CapWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} has {} actions and {} co-action pairs within the window; {} pairs were \
             not materialised (cap {} per object)",
            self.kind, self.object, self.actions, self.pairs, self.not_materialised, self.cap
        )
    }
}

/// Counters of one build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoActionStats {
    /// Actions after `min_participation`.
    pub actions: u64,
    /// Objects with at least one action.
    pub objects: u64,
    /// Co-action pairs materialised.
    pub pairs: u64,
    /// Co-action pairs not materialised because of the cap.
    pub pairs_not_materialised: u64,
    /// Edges before `min_weight` and the backbone.
    pub edges_before_filter: u64,
}

/// A co-action graph: edges sorted by (source, target), and the warnings of the build.
#[derive(Debug, Clone)]
pub struct CoActionGraph {
    /// The kind of co-action.
    pub kind: CoActionKind,
    /// The options it was built with.
    pub options: CoActionOptions,
    /// The edges, sorted by (source, target), `source < target`.
    pub edges: Vec<CoActionEdge>,
    /// Objects whose pairs were capped, sorted by object name.
    pub warnings: Vec<CapWarning>,
    /// Counters.
    pub stats: CoActionStats,
}

/// One co-action pair on its way to an edge: 24 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairRecord {
    /// `source << 32 | target`.
    pub key: u64,
    /// The time of the earlier action (ms) shifted left by one bit, the low bit set when the
    /// source acted strictly first: see [`PairRecord::t_first`] and
    /// [`PairRecord::source_first`]. Times lie far within ±2^62 ms.
    pub first_and_lead: i64,
    /// |Δt| in ms.
    pub dt_ms: u32,
    /// The object (a group or cluster number).
    pub object: u32,
}

impl PairRecord {
    pub(crate) fn new(a: &Action, b: &Action, object: u32) -> Self {
        let (s, t) = if a.account < b.account {
            (a.account, b.account)
        } else {
            (b.account, a.account)
        };
        let (early, late) = if a.time_ms <= b.time_ms {
            (a.time_ms, b.time_ms)
        } else {
            (b.time_ms, a.time_ms)
        };
        // The source leads when its action is the strictly earlier one.
        let source_first = (a.account < b.account) == (a.time_ms < b.time_ms) && early < late;
        PairRecord::at(
            (u64::from(s) << 32) | u64::from(t),
            early,
            (late - early) as u32,
            object,
            source_first,
        )
    }

    /// A record from its parts.
    pub(crate) fn at(key: u64, t_first: i64, dt_ms: u32, object: u32, source_first: bool) -> Self {
        PairRecord {
            key,
            first_and_lead: t_first.wrapping_shl(1) | i64::from(source_first),
            dt_ms,
            object,
        }
    }

    /// The time of the earlier action (ms).
    pub(crate) fn t_first(&self) -> i64 {
        self.first_and_lead >> 1
    }

    /// Whether the source acted strictly before the target (with `dt_ms > 0` and not this,
    /// the target did).
    pub(crate) fn source_first(&self) -> bool {
        self.first_and_lead & 1 != 0
    }
}

/// What the pairing stage hands to aggregation.
pub(crate) struct Paired {
    /// The pair records, split by ranges of source accounts.
    pub records: SplitPairs,
    /// (account, object) of every action, for TF-IDF.
    pub account_objects: Vec<(u32, u32)>,
    /// What each object adds to an edge's weight (empty: 1 each).
    pub shares: ObjectShares,
    pub warnings: Vec<CapWarning>,
    pub objects: u64,
    pub pairs: u64,
}

/// Builds the co-action graph of `kind`.
///
/// # Arguments
/// - `c`: the collection; only its records act.
/// - `kind`: what the accounts act on.
/// - `options`: window, filters, weighting, backbone and cap.
///
/// # Returns
/// The edges sorted by (source, target), with the warnings of objects whose pairs were
/// capped. The result is the same for any number of rayon threads.
///
/// # Errors
/// [`GraphError`] when the options are out of range (see [`CoActionOptions::validate`]).
///
/// # Complexity
/// O(A log A + P log P) time for A actions and P materialised pairs, O(A + P) memory, with
/// P ≤ Σ_o min(pairs of o, `max_pairs_per_object`).
///
/// # Example
/// ```
/// use coordgraph::graph::{CoActionKind, CoActionOptions, build_co_action_graph};
/// use coordgraph::model::Collection;
///
/// let g = build_co_action_graph(&Collection::default(), CoActionKind::CoRetweet,
///                               &CoActionOptions::default()).unwrap();
/// assert!(g.edges.is_empty());
/// ```
pub fn build_co_action_graph(
    c: &Collection,
    kind: CoActionKind,
    options: &CoActionOptions,
) -> Result<CoActionGraph, GraphError> {
    Ok(PairedLayer::new(c, kind, options)?.into_graph())
}

/// A co-action layer paired but not yet aggregated into edges: the edges are either
/// collected into a [`CoActionGraph`] ([`PairedLayer::into_graph`]) or handed out a run at a
/// time ([`PairedLayer::stream`]), which never holds them all: an edge list of tens of
/// millions of edges is written out in the memory of a few runs.
///
/// # Example
/// ```
/// use coordgraph::graph::{CoActionKind, CoActionOptions, EdgeCsvColumns, EdgeCsvFormat, PairedLayer};
/// use coordgraph::model::Collection;
///
/// let c = Collection::default();
/// let layer = PairedLayer::new(&c, CoActionKind::CoRetweet, &CoActionOptions::default()).unwrap();
/// let format = EdgeCsvFormat::new(&c, EdgeCsvColumns::default(), layer.edges_at_most());
/// let mut csv = format.header();
/// let graph = layer
///     .stream(|edges| format.records(edges), |run| format.write_records(&mut csv, run))
///     .unwrap();
/// assert_eq!(graph.edges, 0);
/// assert_eq!(csv, b"source,target,weight,pairs,min_dt,median_dt,first,last\n");
/// ```
pub struct PairedLayer {
    kind: CoActionKind,
    options: CoActionOptions,
    paired: Paired,
    actions: u64,
}

/// What [`PairedLayer::stream`] tells of the graph whose edges it handed out: all of a
/// [`CoActionGraph`] but the edges, and how many there were.
#[derive(Debug, Clone)]
pub struct StreamedGraph {
    /// The co-action kind.
    pub kind: CoActionKind,
    /// The options the graph was built with.
    pub options: CoActionOptions,
    /// The number of edges handed out.
    pub edges: u64,
    /// Objects whose pairs were capped, sorted by object name.
    pub warnings: Vec<CapWarning>,
    /// Counters.
    pub stats: CoActionStats,
}

/// Edges handed out in one run when a layer is streamed from a whole graph.
const STREAM_RUN_EDGES: usize = 1 << 14;

impl PairedLayer {
    /// Pairs the actions of `kind`: the work of [`build_co_action_graph`] up to aggregation.
    ///
    /// # Errors
    /// [`GraphError`] when the options are out of range (see [`CoActionOptions::validate`]).
    pub fn new(
        c: &Collection,
        kind: CoActionKind,
        options: &CoActionOptions,
    ) -> Result<Self, GraphError> {
        options.validate()?;
        let parts = extract_action_parts(c, kind, options.min_text_chars);
        let parts = filter_participation_parts(parts, c.accounts.len(), options.min_participation);
        let actions = parts.iter().map(Vec::len).sum::<usize>() as u64;
        let paired = if kind == CoActionKind::NearDuplicateText {
            near_duplicate_pairs(c, concat_parts(parts), options)
        } else {
            pair_by_object(c, kind, parts, options)
        };
        Ok(PairedLayer {
            kind,
            options: options.clone(),
            paired,
            actions,
        })
    }

    /// An upper bound of the number of edges: the materialised pairs.
    pub fn edges_at_most(&self) -> u64 {
        self.paired.records.len()
    }

    /// Whether the edges' weights or the edges kept depend on all edges (TF-IDF weighting,
    /// a backbone), so that they cannot be made a run at a time.
    fn needs_all_edges(&self) -> bool {
        self.options.weighting == Weighting::TfIdfCosine
            || self.options.backbone != super::Backbone::All
    }

    /// The counters, but for the edges, which aggregation counts.
    fn stats(&self) -> CoActionStats {
        CoActionStats {
            actions: self.actions,
            objects: self.paired.objects,
            pairs: self.paired.pairs,
            pairs_not_materialised: self
                .paired
                .warnings
                .iter()
                .map(|w| w.not_materialised)
                .sum(),
            edges_before_filter: 0,
        }
    }

    /// The graph: edges sorted by (source, target), with the warnings of the capped objects.
    pub fn into_graph(self) -> CoActionGraph {
        let mut stats = self.stats();
        let mut edges = self.paired.records.aggregate(&self.paired.shares);
        stats.edges_before_filter = edges.len() as u64;
        if self.options.weighting == Weighting::TfIdfCosine {
            tfidf_cosine(self.paired.account_objects, &mut edges);
        }
        edges.retain(|e| e.weight >= self.options.min_weight);
        let edges = apply_backbone(edges, self.options.backbone);
        CoActionGraph {
            kind: self.kind,
            options: self.options,
            edges,
            warnings: self.paired.warnings,
            stats,
        }
    }

    /// Hands the edges of [`PairedLayer::into_graph`], in the same order, to `map` a run of
    /// consecutive edges at a time, on all threads, and what `map` makes of each run to
    /// `consume`, in order, on one thread at a time, while the next runs are made. Runs are
    /// never empty; how the edges are cut into runs depends on the records, not on the
    /// number of threads. A TF-IDF weighting or a backbone needs all edges: the graph is then
    /// made whole first.
    ///
    /// # Errors
    /// The first error of `consume`, after which nothing more is consumed.
    pub fn stream<T: Send>(
        self,
        map: impl Fn(&[CoActionEdge]) -> T + Sync,
        consume: impl FnMut(T) -> std::io::Result<()> + Send,
    ) -> std::io::Result<StreamedGraph> {
        if self.needs_all_edges() {
            let graph = self.into_graph();
            hand_out_in_runs(&graph.edges, STREAM_RUN_EDGES, map, consume)?;
            return Ok(StreamedGraph {
                kind: graph.kind,
                options: graph.options,
                edges: graph.edges.len() as u64,
                warnings: graph.warnings,
                stats: graph.stats,
            });
        }
        let min_weight = self.options.min_weight;
        let stats = self.stats();
        let (before, after) = self.paired.records.aggregate_each(
            &self.paired.shares,
            |e| e.weight >= min_weight,
            map,
            consume,
        )?;
        Ok(StreamedGraph {
            stats: CoActionStats {
                edges_before_filter: before,
                ..stats
            },
            kind: self.kind,
            options: self.options,
            edges: after,
            warnings: self.paired.warnings,
        })
    }
}

/// Hands `edges` to `map` in runs of `run` edges (the last may be shorter), on all threads,
/// and what `map` makes of each run to `consume`, in order, while the next runs are made: a
/// few runs per thread at a time, so that what waits to be consumed stays bounded. Where runs
/// are cut does not depend on the number of threads.
///
/// # Errors
/// The first error of `consume`, after which nothing more is consumed.
pub(crate) fn hand_out_in_runs<T: Send>(
    edges: &[CoActionEdge],
    run: usize,
    map: impl Fn(&[CoActionEdge]) -> T + Sync,
    consume: impl FnMut(T) -> std::io::Result<()> + Send,
) -> std::io::Result<()> {
    // Whole runs to a round.
    let round_edges = run * 4 * rayon::current_num_threads();
    make_and_consume_in_rounds(
        edges,
        round_edges,
        |edges| edges.par_chunks(run).map(&map).collect(),
        consume,
    )
}

/// Makes what `make` makes of `items`, a round of `round` items at a time, and hands it to
/// `consume`, in order, while the next round is made: what waits to be consumed is at most
/// two rounds' worth.
///
/// # Errors
/// The first error of `consume`, after which nothing more is consumed.
fn make_and_consume_in_rounds<I: Sync, T: Send>(
    items: &[I],
    round: usize,
    make: impl Fn(&[I]) -> Vec<T> + Sync,
    mut consume: impl FnMut(T) -> std::io::Result<()> + Send,
) -> std::io::Result<()> {
    let mut made: Vec<T> = Vec::new();
    for items in items.chunks(round.max(1)) {
        let (next, consumed) =
            rayon::join(|| make(items), || made.drain(..).try_for_each(&mut consume));
        consumed?;
        made = next;
    }
    made.into_iter().try_for_each(&mut consume)
}

/// A co-action layer whose edges are built one range of source accounts at a time: each range
/// sweeps the actions again and materialises only the pairs whose source (the account with the
/// smaller index) lies in it, so that memory holds one range's pair records, not all of them.
/// The edges of a range are exactly the edges of [`build_co_action_graph`] with their source
/// in the range, and the stats and warnings are those of the whole build.
///
/// Near-duplicate text (whose objects are clusters of all verified pairs) and backbones other
/// than [`Backbone::All`](super::Backbone::All) (which cut over all edges) are not
/// restrictable to a range: such a layer is built whole once and handed out range by range.
pub(crate) struct RangedLayer<'c> {
    c: &'c Collection,
    kind: CoActionKind,
    options: CoActionOptions,
    source: LayerSource,
    /// Pairs met and warnings of the sweep: the same for every range, since the sweep meets
    /// every pair whatever it keeps.
    swept: Option<(u64, Vec<CapWarning>)>,
    edges_before_filter: u64,
}

enum LayerSource {
    /// Actions grouped by object, with their in-window pairs per group, swept per range.
    Sweep {
        grouped: Grouped,
        totals: Vec<u64>,
        account_objects: Vec<(u32, u32)>,
        shares: ObjectShares,
        actions: u64,
    },
    /// The whole graph, built at once.
    Whole(CoActionGraph),
}

impl<'c> RangedLayer<'c> {
    /// Extracts and groups the actions of `kind` (or builds the whole layer, see above).
    pub(crate) fn new(
        c: &'c Collection,
        kind: CoActionKind,
        options: &CoActionOptions,
    ) -> Result<Self, GraphError> {
        options.validate()?;
        let source = if kind == CoActionKind::NearDuplicateText
            || options.backbone != super::Backbone::All
        {
            LayerSource::Whole(build_co_action_graph(c, kind, options)?)
        } else {
            let parts = extract_action_parts(c, kind, options.min_text_chars);
            let parts =
                filter_participation_parts(parts, c.accounts.len(), options.min_participation);
            let grouped = Grouped::from_parts(parts);
            let totals = window_pairs_per_group(&grouped, options.window_ms());
            let account_objects = account_objects(&grouped, options.weighting);
            let shares = group_shares(&grouped, options.window_ms(), options.weighting);
            LayerSource::Sweep {
                actions: grouped.actions.len() as u64,
                grouped,
                totals,
                account_objects,
                shares,
            }
        };
        Ok(RangedLayer {
            c,
            kind,
            options: options.clone(),
            source,
            swept: None,
            edges_before_filter: 0,
        })
    }

    /// An upper bound of the pair records one range of all accounts would hold at once (the
    /// in-window pairs, same-account ones included); 0 for a layer built whole.
    pub(crate) fn pairs_bound(&self) -> u64 {
        match &self.source {
            LayerSource::Sweep { totals, .. } => totals.iter().sum(),
            LayerSource::Whole(_) => 0,
        }
    }

    /// Pair records (edges, for a layer built whole) per block of source accounts, block `b`
    /// holding the accounts `a` with `a × blocks / accounts = b`. One sweep that counts.
    pub(crate) fn pairs_per_block(&self, blocks: usize) -> Vec<u64> {
        let accounts = self.c.accounts.len().max(1) as u64;
        let block_of =
            |a: u32| ((u64::from(a) * blocks as u64 / accounts) as usize).min(blocks - 1);
        let mut counts: Vec<std::sync::atomic::AtomicU64> =
            (0..blocks).map(|_| Default::default()).collect();
        match &self.source {
            LayerSource::Sweep {
                grouped, totals, ..
            } => {
                sweep_into(
                    grouped,
                    self.options.window_ms(),
                    self.options.max_pairs_per_object,
                    totals,
                    false,
                    |_, group, i, j, out: &mut Vec<u64>| {
                        if out.is_empty() {
                            out.resize(blocks, 0);
                        }
                        out[block_of(group[i].account.min(group[j].account))] += 1;
                    },
                    |local| {
                        for (b, n) in local.drain(..).enumerate().filter(|x| x.1 > 0) {
                            counts[b].fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                        }
                    },
                );
            }
            LayerSource::Whole(g) => {
                for e in &g.edges {
                    *counts[block_of(e.source)].get_mut() += 1;
                }
            }
        }
        counts.into_iter().map(|n| n.into_inner()).collect()
    }

    /// The edges whose source lies in `first..end`, sorted by (source, target), weighted and
    /// filtered by `min_weight` as [`build_co_action_graph`] would; `expected` (the range's
    /// pairs, roughly) sizes the buckets of the aggregation.
    pub(crate) fn edges_in(&mut self, first: u32, end: u32, expected: u64) -> Vec<CoActionEdge> {
        match &self.source {
            LayerSource::Whole(g) => {
                let lo = g.edges.partition_point(|e| e.source < first);
                let hi = g.edges.partition_point(|e| e.source < end);
                g.edges[lo..hi].to_vec()
            }
            LayerSource::Sweep {
                grouped,
                totals,
                account_objects,
                shares,
                ..
            } => {
                let c = self.c;
                let kind = self.kind;
                let cap = self.options.max_pairs_per_object;
                let layout = BucketLayout::over(expected, first as usize, end as usize);
                let swept = sweep_into(
                    grouped,
                    self.options.window_ms(),
                    cap,
                    totals,
                    false,
                    |g, group, i, j, out| {
                        let source = group[i].account.min(group[j].account);
                        if (first..end).contains(&source) {
                            out.push(PairRecord::new(&group[i], &group[j], g));
                        }
                    },
                    |records| layout.split(records),
                );
                if self.swept.is_none() {
                    let warnings = cap_warnings(&swept.capped, cap, kind, |g| {
                        object_label(c, kind, &grouped.group(g as usize)[0])
                    });
                    self.swept = Some((swept.pairs, warnings));
                }
                let mut edges = SplitPairs {
                    layout,
                    parts: swept.parts,
                }
                .aggregate(shares);
                self.edges_before_filter += edges.len() as u64;
                if self.options.weighting == Weighting::TfIdfCosine {
                    tfidf_cosine(account_objects.clone(), &mut edges);
                }
                edges.retain(|e| e.weight >= self.options.min_weight);
                edges
            }
        }
    }

    /// The layer with the stats and warnings of the whole build, and `edges` as its edges.
    pub(crate) fn finish(self, edges: Vec<CoActionEdge>) -> CoActionGraph {
        match self.source {
            LayerSource::Whole(g) => CoActionGraph { edges, ..g },
            LayerSource::Sweep {
                grouped, actions, ..
            } => {
                let (pairs, warnings) = self.swept.unwrap_or_default();
                let pairs_not_materialised = warnings.iter().map(|w| w.not_materialised).sum();
                CoActionGraph {
                    kind: self.kind,
                    options: self.options,
                    edges,
                    warnings,
                    stats: CoActionStats {
                        actions,
                        objects: grouped.len() as u64,
                        pairs,
                        pairs_not_materialised,
                        edges_before_filter: self.edges_before_filter,
                    },
                }
            }
        }
    }
}

/// Pairs of every kind but near-duplicate text: the object is given by the action.
fn pair_by_object(
    c: &Collection,
    kind: CoActionKind,
    parts: Vec<Vec<Action>>,
    options: &CoActionOptions,
) -> Paired {
    let grouped = Grouped::from_parts(parts);
    let cap = options.max_pairs_per_object;
    let window_ms = options.window_ms();
    let totals = window_pairs_per_group(&grouped, window_ms);
    let layout = BucketLayout::new(totals.iter().sum(), c.accounts.len());
    let swept = sweep_into(
        &grouped,
        window_ms,
        cap,
        &totals,
        true,
        |g, group, i, j, out| out.push(PairRecord::new(&group[i], &group[j], g)),
        |records| layout.split(records),
    );
    let warnings = cap_warnings(&swept.capped, cap, kind, |g| {
        object_label(c, kind, &grouped.group(g as usize)[0])
    });
    let account_objects = account_objects(&grouped, options.weighting);
    let shares = group_shares(&grouped, window_ms, options.weighting);
    Paired {
        records: SplitPairs {
            layout,
            parts: swept.parts,
        },
        account_objects,
        shares,
        warnings,
        objects: grouped.len() as u64,
        pairs: swept.pairs,
    }
}

/// Warnings for capped groups, sorted by object name (then by count), so that they read the
/// same on every run.
pub(crate) fn cap_warnings(
    capped: &[Capped],
    cap: u64,
    kind: CoActionKind,
    label: impl Fn(u32) -> String,
) -> Vec<CapWarning> {
    let mut warnings: Vec<CapWarning> = capped
        .iter()
        .map(|k| CapWarning {
            kind,
            object: label(k.group),
            actions: k.actions,
            pairs: k.pairs,
            not_materialised: k.pairs - k.materialised,
            cap,
        })
        .collect();
    warnings.sort_by(|a, b| (&a.object, a.actions, a.pairs).cmp(&(&b.object, b.actions, b.pairs)));
    warnings
}

/// How a person names the object of an action of `kind`.
pub(crate) fn object_label(c: &Collection, kind: CoActionKind, a: &Action) -> String {
    let sym = a.object as u32;
    match kind {
        CoActionKind::CoRetweet | CoActionKind::CoQuote | CoActionKind::CoReply => {
            format!("post {}", c.post_id(sym))
        }
        CoActionKind::CoHashtag => format!("#{}", c.hashtags.resolve(sym)),
        CoActionKind::CoUrl => c.urls.resolve(sym).to_string(),
        CoActionKind::CoDomain => format!("domain {}", c.domains.resolve(sym)),
        CoActionKind::CoMention => match c.accounts.handle(sym) {
            Some(h) => format!("@{h}"),
            None => format!("account {}", c.account_id(sym)),
        },
        CoActionKind::CoObject => format!("object {}", c.objects.resolve(sym)),
        CoActionKind::CoPost => "any post".to_string(),
        CoActionKind::CoText | CoActionKind::NearDuplicateText => {
            format!("text \"{}\"", text_excerpt(c, a.post))
        }
    }
}

/// The first 60 characters of a post's normalised text.
pub(crate) fn text_excerpt(c: &Collection, post: u32) -> String {
    let mut normalized = String::new();
    normalize_text(c.posts.text(post), &mut normalized);
    let mut excerpt: String = normalized.chars().take(60).collect();
    if excerpt.len() < normalized.len() {
        excerpt.push('…');
    }
    excerpt
}

/// About this many records per unit of the aggregation: a unit's records (384 KiB) and the
/// two buffers of its sort (128 KiB each) are about what a core's L2 cache holds. Twice as
/// many made the edges stage a tenth slower; half as many, no faster.
const UNIT_RECORDS: u64 = 1 << 14;

/// At most this many buckets of source accounts.
const MAX_BUCKETS: u64 = 1 << 14;

/// About this many records per bucket, where there are fewer buckets than the most.
const RECORDS_PER_BUCKET: u64 = 1 << 8;

/// How pair records are ordered by ranges of their source account, so that ranges of
/// buckets can be aggregated independently and their edges follow each other in (source,
/// target) order. The buckets are fine (a few accounts each): the aggregation gathers
/// consecutive buckets into units of about [`UNIT_RECORDS`] records, since pairs crowd on
/// the few accounts that act most and even ranges of accounts would hold very different
/// numbers of records.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BucketLayout {
    /// Bucket `b` holds the sources `first + (b << shift) ..`.
    shift: u32,
    buckets: usize,
    /// The first source account of the range the buckets cover.
    first: u32,
}

impl BucketLayout {
    /// Buckets for about `records` records over `accounts` accounts.
    pub(crate) fn new(records: u64, accounts: usize) -> Self {
        Self::over(records, 0, accounts)
    }

    /// [`BucketLayout::new`] for records whose source accounts lie in `first..end`.
    pub(crate) fn over(records: u64, first: usize, end: usize) -> Self {
        let accounts = end.saturating_sub(first).max(1) as u64;
        let wanted = (records / RECORDS_PER_BUCKET).clamp(1, MAX_BUCKETS);
        let mut shift = 0;
        while (accounts - 1) >> shift >= wanted {
            shift += 1;
        }
        BucketLayout {
            shift,
            buckets: ((accounts - 1) >> shift) as usize + 1,
            first: first as u32,
        }
    }

    fn bucket_of(&self, key: u64) -> usize {
        let source = ((key >> 32) as u32).saturating_sub(self.first);
        ((source >> self.shift) as usize).min(self.buckets - 1)
    }

    /// `records` ordered by bucket (a counting sort), with where each bucket starts.
    pub(crate) fn split(&self, records: &[PairRecord]) -> SplitPart {
        if records.is_empty() {
            return SplitPart {
                records: Vec::new(),
                starts: Vec::new(),
            };
        }
        let mut starts = vec![0u32; self.buckets + 1];
        for r in records {
            starts[self.bucket_of(r.key) + 1] += 1;
        }
        for b in 0..self.buckets {
            starts[b + 1] += starts[b];
        }
        let mut next = starts.clone();
        // Scattered into uninitialized room: filling it first would write every record twice.
        let mut out: Vec<PairRecord> = Vec::with_capacity(records.len());
        let room = &mut out.spare_capacity_mut()[..records.len()];
        for r in records {
            let slot = &mut next[self.bucket_of(r.key)];
            room[*slot as usize].write(*r);
            *slot += 1;
        }
        // SAFETY: the counts gave each bucket as many slots as it has records, so the scatter
        // wrote each of the first `records.len()` slots once.
        unsafe { out.set_len(records.len()) };
        SplitPart {
            records: out,
            starts,
        }
    }
}

/// The records of one part (one sweep task), ordered by bucket: bucket `b` is
/// `records[starts[b]..starts[b + 1]]` (`starts` is empty when there are no records).
pub(crate) struct SplitPart {
    records: Vec<PairRecord>,
    starts: Vec<u32>,
}

impl SplitPart {
    /// The records of buckets `b0..b1`.
    fn buckets(&self, b0: usize, b1: usize) -> &[PairRecord] {
        match (self.starts.get(b0), self.starts.get(b1)) {
            (Some(&lo), Some(&hi)) => &self.records[lo as usize..hi as usize],
            _ => &[],
        }
    }
}

/// Pair records split by [`BucketLayout`]: one counting-sorted part per sweep task.
pub(crate) struct SplitPairs {
    pub layout: BucketLayout,
    pub parts: Vec<SplitPart>,
}

impl SplitPairs {
    /// Splits records given in any number of parts, in parallel chunks.
    pub(crate) fn from_parts(parts: Vec<Vec<PairRecord>>, accounts: usize) -> Self {
        const CHUNK: usize = 1 << 16;
        let layout = BucketLayout::new(parts.iter().map(|p| p.len() as u64).sum(), accounts);
        let chunks: Vec<&[PairRecord]> = parts.iter().flat_map(|p| p.chunks(CHUNK)).collect();
        let parts = chunks.into_par_iter().map(|c| layout.split(c)).collect();
        SplitPairs { layout, parts }
    }

    /// Edges, one per key, sorted by key, weighted by the objects' `shares` (empty: each
    /// distinct object counts 1). Consecutive buckets are gathered into units of about
    /// [`UNIT_RECORDS`] records, whose records are put in key order in parallel; then each
    /// unit's edges are made straight into its own slice of the result. Every aggregate is
    /// independent of the order of the records, so the edges do not depend on how the work
    /// was split.
    pub(crate) fn aggregate(self, shares: &[f64]) -> Vec<CoActionEdge> {
        let sorted: Vec<(KeyOrder<'_>, usize)> = self
            .units()
            .into_par_iter()
            .map(|(b0, b1)| {
                let order = self.unit_order(b0, b1, SortWords::default());
                let keys = order.distinct_keys();
                (order, keys)
            })
            .collect();
        let total = sorted.iter().map(|(_, keys)| keys).sum();
        // Small pages: asking for huge ones made this fill's time vary several-fold from run to
        // run (the kernel compacts memory to find them).
        let mut edges = Vec::with_capacity(total);
        edges.par_extend(rayon::iter::repeat_n(EMPTY_EDGE, total));
        let mut slices = Vec::with_capacity(sorted.len());
        let mut rest = &mut edges[..];
        for (_, keys) in &sorted {
            let (slice, tail) = rest.split_at_mut(*keys);
            slices.push(slice);
            rest = tail;
        }
        sorted.into_par_iter().zip(slices).for_each_init(
            Vec::new,
            |in_order, ((order, _), out)| {
                // One gather in key order, so that the aggregation reads records in sequence.
                in_order.clear();
                in_order.extend(order.records().copied());
                let mut slots = out.iter_mut();
                aggregate_sorted(in_order, shares, |edge| {
                    *slots.next().expect("a slot for each distinct key") = edge;
                });
            },
        );
        edges
    }

    /// The number of records.
    pub(crate) fn len(&self) -> u64 {
        self.parts.iter().map(|p| p.records.len() as u64).sum()
    }

    /// The records of each unit of [`plan_units`], as [`SplitPairs::aggregate`] cuts them.
    fn units(&self) -> Vec<(usize, usize)> {
        let mut sizes = vec![0u64; self.layout.buckets];
        for part in self.parts.iter().filter(|p| !p.starts.is_empty()) {
            for (b, size) in sizes.iter_mut().enumerate() {
                *size += u64::from(part.starts[b + 1] - part.starts[b]);
            }
        }
        plan_units(&sizes)
    }

    /// The records of buckets `b0..b1` of every part, in key order.
    fn unit_order(&self, b0: usize, b1: usize, words: SortWords) -> KeyOrder<'_> {
        let pieces: Vec<&[PairRecord]> = self
            .parts
            .iter()
            .map(|p| p.buckets(b0, b1))
            .filter(|r| !r.is_empty())
            .collect();
        KeyOrder::new(pieces, words)
    }

    /// [`SplitPairs::aggregate`] a unit at a time: each unit's edges that `keep` keeps, if
    /// any, are made and handed to `map` on all threads, and what `map` makes of them to
    /// `consume`, in unit order, while the next units are made. Returns the number of edges
    /// before and after `keep`.
    ///
    /// # Errors
    /// The first error of `consume`, after which nothing more is consumed.
    pub(crate) fn aggregate_each<T: Send>(
        self,
        shares: &[f64],
        keep: impl Fn(&CoActionEdge) -> bool + Sync,
        map: impl Fn(&[CoActionEdge]) -> T + Sync,
        mut consume: impl FnMut(T) -> std::io::Result<()> + Send,
    ) -> std::io::Result<(u64, u64)> {
        let (mut before, mut after) = (0u64, 0u64);
        let make = |units: &[(usize, usize)]| -> Vec<(Option<T>, u64, u64)> {
            units
                .par_iter()
                .map_init(
                    || (Vec::new(), Vec::new(), SortWords::default()),
                    |(in_order, edges, words), &(b0, b1)| {
                        let order = self.unit_order(b0, b1, std::mem::take(words));
                        in_order.clear();
                        in_order.extend(order.records().copied());
                        *words = order.into_words();
                        edges.clear();
                        let mut made = 0u64;
                        aggregate_sorted(in_order, shares, |edge| {
                            made += 1;
                            if keep(&edge) {
                                edges.push(edge);
                            }
                        });
                        let kept = edges.len() as u64;
                        ((!edges.is_empty()).then(|| map(edges)), made, kept)
                    },
                )
                .collect()
        };
        make_and_consume_in_rounds(
            &self.units(),
            4 * rayon::current_num_threads(),
            make,
            |(run, made, kept)| {
                before += made;
                after += kept;
                run.map_or(Ok(()), &mut consume)
            },
        )?;
        Ok((before, after))
    }
}

/// Consecutive buckets `(first, end)` gathered into units of at least [`UNIT_RECORDS`]
/// records (the last one may hold fewer), given the records of each bucket.
fn plan_units(sizes: &[u64]) -> Vec<(usize, usize)> {
    let mut units = Vec::new();
    let (mut b0, mut held) = (0, 0);
    for (b, &size) in sizes.iter().enumerate() {
        held += size;
        if held >= UNIT_RECORDS || b + 1 == sizes.len() {
            units.push((b0, b + 1));
            (b0, held) = (b + 1, 0);
        }
    }
    units
}

/// The number of distinct keys of records sorted by key.
#[cfg(test)]
fn distinct_keys(records: &[PairRecord]) -> usize {
    let changes = records.windows(2).filter(|w| w[0].key != w[1].key).count();
    changes + usize::from(!records.is_empty())
}

/// Fewer records than this are sorted by comparison.
const RADIX_MIN_RECORDS: usize = 256;

/// The buffers of a [`KeyOrder`], handed from one sort to the next so that each unit's sort
/// does not allocate and fault in fresh memory.
#[derive(Default)]
struct SortWords {
    order: Vec<u64>,
    spare: Vec<u64>,
}

/// The records of a unit in key order, left where they are: `order` lists where each lies,
/// `piece << offset_bits | offset` in the bits of `index_mask`, above which lies the rank the
/// records were sorted by (from bit `rank_shift`; none when it is 64).
struct KeyOrder<'a> {
    pieces: Vec<Cow<'a, [PairRecord]>>,
    order: Vec<u64>,
    /// The radix sort's other buffer, kept for the next sort.
    spare: Vec<u64>,
    offset_bits: u32,
    index_mask: u64,
    rank_shift: u32,
}

/// The `bits` low bits set.
fn low_bits(bits: u32) -> u64 {
    u64::MAX.checked_shr(64 - bits).unwrap_or(0)
}

/// The bits needed to write `x`.
fn bits_of(x: u64) -> u32 {
    64 - x.leading_zeros()
}

impl<'a> KeyOrder<'a> {
    /// Orders the records of `pieces` by key: a least-significant-digit radix sort, or a
    /// comparison sort of a copy for few records. The radix sort orders 8-byte words that
    /// hold a compact rank of each record's key above its place: the rank is `(source - s0) ·
    /// span + (target - t0)` over the least source `s0`, least target `t0` and target range
    /// `span` of the records, which a unit keeps small (it covers few sources), so it is
    /// sorted in as few passes of at most 12 bits as its bits allow, while the 24-byte records
    /// stay where they are. The rank orders records as the key does. Records of one key may
    /// come in any order, which no aggregate sees.
    ///
    /// # Complexity
    /// O(p · (n + 2^12)) for n records whose ranks need p passes of 12 bits.
    fn new(pieces: Vec<&'a [PairRecord]>, words: SortWords) -> Self {
        let SortWords {
            order: mut from,
            spare: mut to,
        } = words;
        const MAX_DIGIT_BITS: u32 = 12;
        let n: usize = pieces.iter().map(|p| p.len()).sum();
        let (mut s_lo, mut s_hi, mut t_lo, mut t_hi) = (u32::MAX, 0u32, u32::MAX, 0u32);
        for r in pieces.iter().copied().flatten() {
            let (s, t) = ((r.key >> 32) as u32, r.key as u32);
            (s_lo, s_hi, t_lo, t_hi) = (s_lo.min(s), s_hi.max(s), t_lo.min(t), t_hi.max(t));
        }
        let span = u64::from(t_hi.saturating_sub(t_lo)) + 1;
        // The largest rank is that of (s_hi, t_hi); it fits in 64 bits since span ≤ 2^32.
        let rank_bits = bits_of(u64::from(s_hi.saturating_sub(s_lo)) * span + (span - 1));
        let longest = pieces.iter().map(|p| p.len()).max().unwrap_or(0);
        let offset_bits = bits_of(longest.saturating_sub(1) as u64);
        let index_bits = bits_of(pieces.len().saturating_sub(1) as u64) + offset_bits;
        if n < RADIX_MIN_RECORDS || rank_bits + index_bits > 64 || n > u32::MAX as usize {
            let mut records = pieces.concat();
            records.sort_unstable_by_key(|r| r.key);
            return KeyOrder {
                offset_bits: bits_of(n.saturating_sub(1) as u64),
                index_mask: u64::MAX,
                order: (0..n as u64).collect(),
                pieces: vec![Cow::Owned(records)],
                rank_shift: 64,
                spare: to,
            };
        }
        from.clear();
        for (p, piece) in pieces.iter().enumerate() {
            from.extend(piece.iter().enumerate().map(|(o, r)| {
                let rank =
                    u64::from((r.key >> 32) as u32 - s_lo) * span + u64::from(r.key as u32 - t_lo);
                (rank << index_bits) | ((p as u64) << offset_bits) | o as u64
            }));
        }
        let passes = rank_bits.div_ceil(MAX_DIGIT_BITS);
        let digit_bits = rank_bits.div_ceil(passes.max(1));
        let mask = low_bits(digit_bits);
        // Every word of `to[..n]` is written in each pass before it is read.
        if to.len() < n {
            to.resize(n, 0);
        }
        // 32-bit counts: the table of a 12-bit digit then takes half of the L1 cache, not all.
        let mut next = [0u32; 1 << MAX_DIGIT_BITS];
        let next = &mut next[..1 << digit_bits];
        for pass in 0..passes {
            let shift = index_bits + pass * digit_bits;
            let digit = |w: u64| ((w >> shift) & mask) as usize;
            let (src, dst) = if pass % 2 == 0 {
                (&from[..n], &mut to[..n])
            } else {
                (&to[..n], &mut from[..n])
            };
            next.fill(0);
            for &w in src {
                next[digit(w)] += 1;
            }
            let mut sum = 0;
            for slot in next.iter_mut() {
                (*slot, sum) = (sum, sum + *slot);
            }
            for &w in src {
                let d = digit(w);
                dst[next[d] as usize] = w;
                next[d] += 1;
            }
        }
        if passes % 2 == 1 {
            std::mem::swap(&mut from, &mut to);
            from.truncate(n);
        }
        KeyOrder {
            pieces: pieces.into_iter().map(Cow::Borrowed).collect(),
            order: from,
            offset_bits,
            index_mask: low_bits(index_bits),
            rank_shift: index_bits,
            spare: to,
        }
    }

    /// The buffers, for the next sort.
    fn into_words(self) -> SortWords {
        SortWords {
            order: self.order,
            spare: self.spare,
        }
    }

    fn len(&self) -> usize {
        self.order.len()
    }

    /// The records in key order.
    fn records(&self) -> impl Iterator<Item = &PairRecord> {
        (0..self.len()).map(|k| self.get(k))
    }

    /// The `k`-th record in key order.
    fn get(&self, k: usize) -> &PairRecord {
        let w = self.order[k] & self.index_mask;
        &self.pieces[(w >> self.offset_bits) as usize][(w & low_bits(self.offset_bits)) as usize]
    }

    /// The number of distinct keys.
    fn distinct_keys(&self) -> usize {
        let changes = if self.rank_shift < 64 {
            let shift = self.rank_shift;
            self.order
                .windows(2)
                .filter(|w| w[0] >> shift != w[1] >> shift)
                .count()
        } else {
            (1..self.len())
                .filter(|&k| self.get(k - 1).key != self.get(k).key)
                .count()
        };
        changes + usize::from(self.len() > 0)
    }
}

/// Edges from pair records (given in any number of parts, in any order): one edge per key,
/// sorted by key.
/// The (account, object group) of every action, which TF-IDF weighting reads; empty under
/// any other weighting.
fn account_objects(grouped: &Grouped, weighting: Weighting) -> Vec<(u32, u32)> {
    if weighting != Weighting::TfIdfCosine {
        return Vec::new();
    }
    let group_of = grouped.group_of_actions();
    grouped
        .actions
        .iter()
        .zip(group_of)
        .map(|(a, g)| (a.account, g))
        .collect()
}

#[cfg(test)]
fn aggregate(parts: Vec<Vec<PairRecord>>, accounts: usize) -> Vec<CoActionEdge> {
    SplitPairs::from_parts(parts, accounts).aggregate(&[])
}

const EMPTY_EDGE: CoActionEdge = CoActionEdge {
    source: 0,
    target: 0,
    weight: 0.0,
    objects: 0,
    pairs: 0,
    min_dt_ms: 0,
    median_dt_ms: 0.0,
    first_ms: 0,
    last_ms: 0,
    source_first: 0,
    target_first: 0,
};

/// Aggregates records sorted by key into one edge per distinct key, handed to `emit` in key
/// order; the weight sums the `shares` of the distinct objects in ascending object order (1
/// each when empty).
fn aggregate_sorted(records: &[PairRecord], shares: &[f64], mut emit: impl FnMut(CoActionEdge)) {
    let share = |object: u32| shares.get(object as usize).copied().unwrap_or(1.0);
    let mut dts: Vec<u32> = Vec::new();
    let mut objects: Vec<u32> = Vec::new();
    let mut start = 0;
    while start < records.len() {
        let key = records[start].key;
        let mut end = start + 1;
        while end < records.len() && records[end].key == key {
            end += 1;
        }
        let mut edge = CoActionEdge {
            source: (key >> 32) as u32,
            target: key as u32,
            pairs: (end - start) as u64,
            ..EMPTY_EDGE
        };
        if let [r] = &records[start..end] {
            // Most edges rest on one pair.
            edge.objects = 1;
            edge.weight = share(r.object);
            edge.min_dt_ms = r.dt_ms;
            edge.median_dt_ms = f64::from(r.dt_ms);
            edge.first_ms = r.t_first();
            edge.last_ms = r.t_first() + i64::from(r.dt_ms);
            (edge.source_first, edge.target_first) = lead_counts(r);
            emit(edge);
            start = end;
            continue;
        }
        edge.first_ms = i64::MAX;
        edge.last_ms = i64::MIN;
        edge.min_dt_ms = u32::MAX;
        dts.clear();
        objects.clear();
        for r in &records[start..end] {
            edge.first_ms = edge.first_ms.min(r.t_first());
            edge.last_ms = edge.last_ms.max(r.t_first() + i64::from(r.dt_ms));
            edge.min_dt_ms = edge.min_dt_ms.min(r.dt_ms);
            let (source, target) = lead_counts(r);
            edge.source_first += source;
            edge.target_first += target;
            dts.push(r.dt_ms);
            objects.push(r.object);
        }
        sort_small(&mut objects);
        objects.dedup();
        edge.objects = objects.len() as u32;
        edge.weight = if shares.is_empty() {
            objects.len() as f64
        } else {
            objects.iter().map(|&o| share(o)).sum()
        };
        edge.median_dt_ms = median_ms(&mut dts);
        emit(edge);
        start = end;
    }
}

/// A pair's part in [`CoActionEdge::source_first`] and [`CoActionEdge::target_first`].
fn lead_counts(r: &PairRecord) -> (u64, u64) {
    let source = r.source_first();
    (u64::from(source), u64::from(!source && r.dt_ms > 0))
}

/// Lists up to this long are sorted by insertion: most edges rest on a few pairs, for which
/// the general sorts cost more in setting up than in sorting.
const SMALL_SORT: usize = 16;

/// Sorts `values`, by insertion when there are few.
fn sort_small(values: &mut [u32]) {
    if values.len() > SMALL_SORT {
        values.sort_unstable();
        return;
    }
    for i in 1..values.len() {
        let x = values[i];
        let mut j = i;
        while j > 0 && values[j - 1] > x {
            values[j] = values[j - 1];
            j -= 1;
        }
        values[j] = x;
    }
}

/// The median of a non-empty list (mean of the two middle values for an even length).
fn median_ms(values: &mut [u32]) -> f64 {
    let n = values.len();
    let mid = n / 2;
    if n <= SMALL_SORT {
        sort_small(values);
        let upper = f64::from(values[mid]);
        return if n % 2 == 1 {
            upper
        } else {
            (f64::from(values[mid - 1]) + upper) / 2.0
        };
    }
    let (below, upper, _) = values.select_nth_unstable(mid);
    let upper = f64::from(*upper);
    if n % 2 == 1 {
        upper
    } else {
        let lower = below.iter().copied().max().map_or(upper, f64::from);
        (lower + upper) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_lists() {
        assert_eq!(median_ms(&mut [5]), 5.0);
        assert_eq!(median_ms(&mut [9, 1, 4]), 4.0);
        assert_eq!(median_ms(&mut [9, 1, 4, 2]), 3.0);
        assert_eq!(median_ms(&mut [1, 2]), 1.5);
        // Past the insertion sort's lengths too, against a full sort.
        let mut x = 12345u32;
        for n in 1..60 {
            let mut values: Vec<u32> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) % 50
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let mid = n / 2;
            let expected = if n % 2 == 1 {
                f64::from(sorted[mid])
            } else {
                (f64::from(sorted[mid - 1]) + f64::from(sorted[mid])) / 2.0
            };
            let mut objects = values.clone();
            sort_small(&mut objects);
            assert_eq!(objects, sorted, "{n}");
            assert_eq!(median_ms(&mut values), expected, "{n}");
        }
    }

    /// The sizes the README's memory bound is stated in.
    #[test]
    fn pairs_actions_and_edges_take_24_24_and_72_bytes() {
        assert_eq!(std::mem::size_of::<PairRecord>(), 24);
        assert_eq!(std::mem::size_of::<Action>(), 24);
        assert_eq!(std::mem::size_of::<CoActionEdge>(), 72);
    }

    /// `n` records between the accounts `pair(i, next)` gives, with random times, gaps, objects
    /// and leads.
    fn random_records(
        n: usize,
        seed: u64,
        mut pair: impl FnMut(usize, &mut dyn FnMut() -> u64) -> (u32, u32),
    ) -> Vec<PairRecord> {
        let mut next = crate::graph::xorshift(seed);
        (0..n)
            .map(|i| {
                let (s, t) = pair(i, &mut next);
                PairRecord::at(
                    (u64::from(s) << 32) | u64::from(t),
                    (next() % 1_000_000) as i64,
                    (next() % 60_000) as u32,
                    (next() % 50) as u32,
                    next().is_multiple_of(2),
                )
            })
            .collect()
    }

    /// Aggregates `records` split in parts over 1,000 accounts, checks the edges against one
    /// sort of everything, and returns the split's layout.
    fn assert_split_gives_the_edges_of_one_sort(records: &[PairRecord]) -> BucketLayout {
        let split =
            SplitPairs::from_parts(records.chunks(30_000).map(<[_]>::to_vec).collect(), 1000);
        let layout = split.layout;
        let edges = split.aggregate(&[]);
        let mut sorted = records.to_vec();
        sorted.sort_unstable_by_key(|r| r.key);
        let mut expected = Vec::new();
        aggregate_sorted(&sorted, &[], |edge| expected.push(edge));
        assert_eq!(edges, expected);
        assert!(
            edges
                .windows(2)
                .all(|w| (w[0].source, w[0].target) < (w[1].source, w[1].target))
        );
        layout
    }

    #[test]
    fn many_buckets_give_the_edges_of_one() {
        // 200,000 records over 1,000 accounts: 500 buckets.
        let records = random_records(200_000, 0x9e37_79b9_7f4a_7c15, |_, next| {
            let (a, b) = ((next() % 1000) as u32, (next() % 1000) as u32);
            (a.min(b), a.max(b).max(a.min(b) + 1))
        });
        assert_eq!(
            assert_split_gives_the_edges_of_one_sort(&records).buckets,
            500
        );
    }

    #[test]
    fn crowded_sources_give_the_edges_of_one_sort() {
        // 300,000 records over 1,000 accounts, two thirds with a source among accounts 0..4.
        let records = random_records(300_000, 0x243f_6a88_85a3_08d3, |i, next| {
            let s = if i % 3 == 0 {
                (next() % 999) as u32
            } else {
                (next() % 4) as u32
            };
            (s, s + 1 + (next() % u64::from(999 - s)) as u32)
        });
        assert_split_gives_the_edges_of_one_sort(&records);
    }

    #[test]
    fn buckets_follow_the_records_expected() {
        // About 256 records a bucket, a power-of-two number of accounts each, at most 2^14.
        let layout = BucketLayout::new(100, 1000);
        assert_eq!((layout.buckets, layout.shift), (1, 10));
        let layout = BucketLayout::new(200_000, 1000);
        assert_eq!((layout.buckets, layout.shift), (500, 1));
        let layout = BucketLayout::new(1 << 40, 1_000_000);
        assert_eq!((layout.buckets, layout.shift), (15_625, 6));
        let layout = BucketLayout::over(1 << 20, 500, 600);
        assert_eq!((layout.buckets, layout.shift, layout.first), (100, 0, 500));
        assert_eq!(layout.bucket_of(550 << 32 | 7), 50);
        // An empty part holds no bucket table, and aggregates as no records.
        let empty = layout.split(&[]);
        assert!(empty.starts.is_empty() && empty.buckets(0, 100).is_empty());
        let one = PairRecord::at(550 << 32 | 600, 10, 5, 0, true);
        let pairs = SplitPairs {
            layout,
            parts: vec![empty, layout.split(&[one, one])],
        };
        let edges = pairs.aggregate(&[]);
        assert_eq!(edges.len(), 1);
        assert_eq!(
            (edges[0].source, edges[0].target, edges[0].pairs),
            (550, 600, 2)
        );
    }

    #[test]
    fn units_gather_buckets_until_they_hold_enough_records() {
        let b = UNIT_RECORDS;
        // A crowded bucket is a unit of its own; small ones are gathered; the rest ends one.
        let sizes = [2 * b, b, b / 2, b / 2, 1, b - 1, 0, 3];
        assert_eq!(plan_units(&sizes), [(0, 1), (1, 2), (2, 4), (4, 6), (6, 8)]);
        assert_eq!(plan_units(&[0, 0]), [(0, 2)]);
        assert!(plan_units(&[]).is_empty());
    }

    #[test]
    fn the_radix_sort_orders_keys_as_a_comparison_sort() {
        let mut next = crate::graph::xorshift(0x2545_f491_4f6c_dd1d_u64);
        // One set of buffers for every sort, as a thread's units share them: a later sort
        // finds them longer than it needs, left by a larger one.
        let mut words = SortWords::default();
        for (n, spread) in [
            (10, 1000),
            (300, 1),
            (5000, 70_000),
            (20_000, 1 << 40),
            (3000, u64::MAX >> 8),
            (4000, 70_000),
        ] {
            let records: Vec<PairRecord> = (0..n)
                .map(|_| {
                    PairRecord::at(
                        (next() % spread) << 8 | (next() % 3),
                        (next() % 1000) as i64,
                        (next() % 100) as u32,
                        (next() % 7) as u32,
                        next().is_multiple_of(2),
                    )
                })
                .collect();
            let mut expected: Vec<u64> = records.iter().map(|r| r.key).collect();
            expected.sort_unstable();
            let mut multiset: Vec<(u64, i64, u32, u32)> = records
                .iter()
                .map(|r| (r.key, r.first_and_lead, r.dt_ms, r.object))
                .collect();
            multiset.sort_unstable();
            // Given in pieces, as buckets are.
            let order = KeyOrder::new(records.chunks(97).collect(), std::mem::take(&mut words));
            let records: Vec<PairRecord> = order.records().copied().collect();
            assert_eq!(order.distinct_keys(), distinct_keys(&records));
            words = order.into_words();
            assert_eq!(records.iter().map(|r| r.key).collect::<Vec<_>>(), expected);
            let mut after: Vec<(u64, i64, u32, u32)> = records
                .iter()
                .map(|r| (r.key, r.first_and_lead, r.dt_ms, r.object))
                .collect();
            after.sort_unstable();
            assert_eq!(after, multiset);
        }
    }

    #[test]
    fn records_aggregate_into_edges_with_evidence() {
        let rec = |s: u64, t: u64, t_first, dt_ms, object| {
            PairRecord::at(s << 32 | t, t_first, dt_ms, object, dt_ms % 2 == 1)
        };
        let edges = aggregate(
            vec![
                vec![rec(1, 2, 100, 5, 0), rec(0, 3, 50, 0, 9)],
                vec![rec(1, 2, 10, 1, 1), rec(1, 2, 200, 30, 1)],
            ],
            4,
        );
        assert_eq!(edges.len(), 2);
        assert_eq!(
            (edges[0].source, edges[0].target, edges[0].objects),
            (0, 3, 1)
        );
        let e = edges[1];
        assert_eq!((e.source, e.target, e.objects, e.pairs), (1, 2, 2, 3));
        assert_eq!((e.min_dt_ms, e.median_dt_ms), (1, 5.0));
        assert_eq!((e.first_ms, e.last_ms), (10, 230));
        assert_eq!((e.source_first, e.target_first), (2, 1));
        assert_eq!((edges[0].source_first, edges[0].target_first), (0, 0));
    }

    #[test]
    fn pair_records_know_who_acted_first() {
        let act = |account: u32, time_ms: i64| Action {
            object: 0,
            time_ms,
            account,
            post: 0,
        };
        for (a, b, source_first, target_first) in [
            (act(1, 100), act(2, 150), true, false),
            (act(2, 150), act(1, 100), true, false),
            (act(1, 150), act(2, 100), false, true),
            (act(2, 100), act(1, 150), false, true),
            (act(1, 100), act(2, 100), false, false),
            (act(1, -5_000), act(2, -4_000), true, false),
        ] {
            let r = PairRecord::new(&a, &b, 7);
            assert_eq!(r.key, 1 << 32 | 2);
            assert_eq!(r.t_first(), a.time_ms.min(b.time_ms));
            assert_eq!(r.dt_ms, a.time_ms.abs_diff(b.time_ms) as u32);
            assert_eq!(r.source_first(), source_first);
            assert_eq!(
                lead_counts(&r),
                (u64::from(source_first), u64::from(target_first))
            );
        }
    }
}
