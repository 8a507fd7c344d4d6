/*!
Turns the analysis into a [`Report`]: per-cluster statistics, signals and evidence, the
suspicion ranking, and the account table.
*/

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::activity::{Bins, cluster_activity};
use super::rank::{SuspicionInputs, suspicion};
use super::synchrony::{ClusterSweep, latency_upper_edges};
use super::{AnalyzeOptions, ClusterSet};
use crate::community::Method;
use crate::graph::{
    CoActionEdge, CoActionGraph, CoActionKind, CompactGraph, Weighting, object_label,
};
use crate::ingest::IngestReport;
use crate::ingest::time::format_rfc3339;
use crate::model::{AccountIx, Collection, NO_TIME, NONE};
use crate::report::render::plural;
use crate::report::*;
use crate::signals::{
    AccountSignal, AccountSignals, BioBackground, DEFAULT_PRIOR_SIZE, ValueCount,
    creation_clustering_against, creation_times, languages, locations,
};
use crate::stats::CollectionStats;

/// Most bins of a timeline.
const MAX_TIMELINE_BINS: usize = 400;
/// Bot-likeness at or above which an account counts as bot-like.
const BOT_LIKE: f64 = 0.5;

/// The `input` section of a report: what was read, from the ingest report.
pub fn input_summary(c: &Collection, ingest: &IngestReport, files: &[String]) -> InputSummary {
    let stats = CollectionStats::compute(c, ingest);
    InputSummary {
        files: files.to_vec(),
        records: stats.posts,
        retweets: stats.retweets,
        accounts: stats.accounts,
        hashtags: stats.hashtags,
        urls: stats.urls,
        duplicates: stats.duplicates,
        skipped: stats.skipped,
        skipped_by_reason: stats.skipped_by_reason,
        first: stats.first,
        last: stats.last,
    }
}

fn time(ms: i64) -> String {
    format_rfc3339(ms)
}

fn opt_time(ms: i64) -> Option<String> {
    (ms != NO_TIME).then(|| time(ms))
}

fn value_shares(v: Vec<ValueCount>) -> Vec<ValueShare> {
    v.into_iter()
        .map(|v| ValueShare {
            value: v.value,
            accounts: u64::from(v.accounts),
            share: v.share,
        })
        .collect()
}

fn bot_parts(s: &AccountSignal) -> [(&'static str, f64); 10] {
    let b = &s.bot;
    [
        ("automation", b.automation),
        ("default_image", b.default_image),
        ("default_profile", b.default_profile),
        ("digit_handle", b.digit_handle),
        ("follower_ratio", b.follower_ratio),
        ("posts_per_day", b.posts_per_day),
        ("young_account", b.young_account),
        ("duplicate_text", b.duplicate_text),
        ("retweet_share", b.retweet_share),
        ("hashtags", b.hashtags),
    ]
}

#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    c: &Collection,
    input: InputSummary,
    options: &AnalyzeOptions,
    layers: &[CoActionGraph],
    totals: LayerTotals,
    graph: &CompactGraph,
    clusters: &ClusterSet,
    sweeps: &[ClusterSweep],
    signals: &AccountSignals,
    modularity: f64,
) -> Report {
    let window_ms = i64::from(options.co_action.window_secs) * 1000;
    let (first, last) = record_span(c);
    let bins = Bins::covering(first, last, MAX_TIMELINE_BINS);
    let activities = cluster_activity(c, &clusters.core_of, clusters.len(), &bins);
    let coordination = coordination(graph, clusters);
    let authors: Vec<AccountIx> = signals.accounts.iter().map(|s| s.account).collect();
    let upper = latency_upper_edges(window_ms);
    let bios = BioBackground::new(c, &authors);
    let created = creation_times(c);

    let mut built: Vec<Cluster> = (0..clusters.len())
        .into_par_iter()
        .map(|k| {
            // Statistics describe the core members, which are what a flag names.
            let members = &clusters.core[k];
            let sweep = &sweeps[k];
            let member_signals: Vec<&AccountSignal> =
                members.iter().filter_map(|&a| signals.get(a)).collect();
            let n = member_signals.len().max(1) as f64;
            let bot_score_mean = member_signals.iter().map(|s| s.bot.score).sum::<f64>() / n;
            let bot_share = member_signals
                .iter()
                .filter(|s| s.bot.score >= BOT_LIKE)
                .count() as f64
                / n;
            let dormant_accounts = member_signals
                .iter()
                .filter(|s| s.dormancy.is_some())
                .count() as u64;
            let automation: Vec<f64> = member_signals
                .iter()
                .filter_map(|s| s.automation_share)
                .collect();
            let mut clients: BTreeMap<String, u32> = BTreeMap::new();
            for s in &member_signals {
                if let Some(client) = &s.main_client {
                    *clients.entry(client.clone()).or_insert(0) += 1;
                }
            }
            let mut parts: BTreeMap<String, f64> = BTreeMap::new();
            for s in &member_signals {
                for (name, v) in bot_parts(s) {
                    *parts.entry(name.to_owned()).or_insert(0.0) += v / n;
                }
            }
            let creation = creation_clustering_against(
                c,
                members,
                options.signals.creation_window_days,
                &created,
            );
            let activity = &activities[k];
            let coord = &coordination[k];
            let inputs = SuspicionInputs {
                mean_edge_weight: coord.mean_weight,
                synchronized_share: sweep.synchronized_share,
                null_synchronized_share: sweep.null_share,
                synchrony_z: sweep.z,
                bot_score_mean,
                dormant_share: dormant_accounts as f64 / n,
                creation_members: creation.map_or(0, |x| x.members_with_date),
                creation_in_window: creation.map_or(0, |x| x.in_window),
                creation_baseline: creation.map_or(1.0, |x| x.baseline_share),
            };
            let (score, suspicion_parts) = suspicion(&inputs, &options.suspicion_weights);
            Cluster {
                id: clusters.community[k],
                rank: 0,
                flagged: false,
                suspicion: score,
                suspicion_parts,
                size: clusters.members[k].len() as u32,
                core_size: members.len() as u32,
                members: clusters.members[k]
                    .iter()
                    .map(|&a| c.account_id(a).into_owned())
                    .collect(),
                coordination: coord.clone(),
                synchrony: Synchrony {
                    actions: sweep.actions,
                    shared_objects: sweep.shared_objects,
                    pairs: sweep.pairs,
                    median_latency_s: sweep.median_latency_ms.map(|v| v / 1000.0),
                    p90_latency_s: sweep.p90_latency_ms.map(|v| v / 1000.0),
                    within_1s: sweep.within_1s,
                    within_10s: sweep.within_10s,
                    within_60s: sweep.within_60s,
                    synchronized_share: sweep.synchronized_share,
                    null_synchronized_share: sweep.null_share,
                    null_sd: sweep.null_sd,
                    z: sweep.z,
                    burstiness: activity.burstiness,
                    busiest_hour: activity.busiest_hour_ms.map(time),
                    busiest_hour_share: activity.busiest_hour_share,
                    hour_entropy: activity.hour_entropy,
                    hour_of_day: activity.hour_of_day.clone(),
                    latency_histogram: LatencyHistogram {
                        upper_s: upper.clone(),
                        observed: sweep.latency_observed.clone(),
                        null: sweep.latency_null.clone(),
                    },
                    timeline: Timeline {
                        start: Some(time(bins.start_ms)),
                        bin_secs: (bins.bin_ms / 1000) as u64,
                        counts: activity.timeline.clone(),
                    },
                },
                signals: ClusterSignals {
                    bot_score_mean,
                    bot_share,
                    dormant_share: dormant_accounts as f64 / n,
                    dormant_accounts,
                    automation_share: if automation.is_empty() {
                        0.0
                    } else {
                        automation.iter().sum::<f64>() / automation.len() as f64
                    },
                    clients: value_shares(crate::signals::top_values(clients, 5)),
                    creation: creation.map(|x| CreationWindow {
                        members_with_date: u64::from(x.members_with_date),
                        start: time(x.window_start_ms),
                        end: time(x.window_end_ms),
                        in_window: u64::from(x.in_window),
                        share: x.share,
                        baseline_share: x.baseline_share,
                        lift: x.lift,
                        z: x.z,
                    }),
                    bot_parts: parts,
                },
                evidence: Evidence {
                    top_objects: sweep
                        .top_objects
                        .iter()
                        .map(|o| shared_object(c, o))
                        .collect(),
                    tightest: sweep.tightest.iter().map(|t| tight(c, t)).collect(),
                    leaders: sweep
                        .leaders
                        .iter()
                        .map(|&(a, led, followed)| Leader {
                            account: c.account_id(a).into_owned(),
                            handle: c.accounts.handle(a).map(str::to_owned),
                            led,
                            followed,
                        })
                        .collect(),
                    languages: value_shares(languages(signals, members, 5)),
                    locations: value_shares(locations(c, members, 5)),
                    bio_terms: bios
                        .terms(members, options.bio_terms, DEFAULT_PRIOR_SIZE)
                        .into_iter()
                        .map(|t| BioTerm {
                            term: t.term,
                            z: t.z,
                            in_cluster: u64::from(t.count_in_group),
                            overall: u64::from(t.count_overall),
                        })
                        .collect(),
                },
            }
        })
        .collect();

    // Rank: most suspicious first; ties by size, then community id.
    let mut order: Vec<usize> = (0..built.len()).collect();
    order.sort_by(|&a, &b| {
        built[b]
            .suspicion
            .total_cmp(&built[a].suspicion)
            .then(built[b].size.cmp(&built[a].size))
            .then(built[a].id.cmp(&built[b].id))
    });
    let mut position_of = vec![0u32; built.len()];
    for (rank, &k) in order.iter().enumerate() {
        position_of[k] = rank as u32;
        built[k].rank = rank as u32 + 1;
        built[k].flagged = built[k].suspicion >= options.flag_threshold;
    }
    let mut ranked: Vec<Option<Cluster>> = built.into_iter().map(Some).collect();
    let clusters_out: Vec<Cluster> = order.iter().map(|&k| ranked[k].take().unwrap()).collect();

    let accounts = account_table(c, signals, clusters, &clusters_out, &position_of);
    let mut bot_hist = vec![0u64; 10];
    for s in &signals.accounts {
        bot_hist[((s.bot.score * 10.0) as usize).min(9)] += 1;
    }
    let timeline = bins.count_times(c.records().map(|p| c.posts.time_ms[p as usize]));
    let summary = Summary {
        graph_accounts: graph.node_count() as u64,
        graph_edges: graph.edge_count() as u64,
        modularity,
        clusters: clusters_out.len() as u64,
        flagged_clusters: clusters_out.iter().filter(|k| k.flagged).count() as u64,
        flagged_accounts: clusters_out
            .iter()
            .filter(|k| k.flagged)
            .map(|k| u64::from(k.core_size))
            .sum(),
        dormant_reactivated: signals
            .accounts
            .iter()
            .filter(|s| s.dormancy.is_some())
            .count() as u64,
        bot_like: signals
            .accounts
            .iter()
            .filter(|s| s.bot.score >= BOT_LIKE)
            .count() as u64,
    };
    let mut warnings: Vec<String> = layers
        .iter()
        .flat_map(|l| l.warnings.iter().map(|w| w.to_string()))
        .collect();
    let empty: Vec<String> = layers
        .iter()
        .filter(|l| l.stats.actions == 0)
        .map(|l| l.kind.to_string())
        .collect();
    let layer_edges: u64 = totals.edges.iter().sum();
    if summary.graph_edges == 0 && layer_edges > 0 {
        warnings.push(format!(
            "the coordination graph is empty: none of the {layer_edges} layer {} reaches the \
             combined weight {} (--min-edge-weight; objects crowded past --crowd count less)",
            plural(layer_edges, "edge"),
            options.min_edge_weight
        ));
    }
    match empty.as_slice() {
        [] => {}
        [kind] => warnings.push(format!(
            "{kind}: the collection has no actions of this kind; the layer is empty"
        )),
        kinds => warnings.push(format!(
            "{}: the collection has no actions of these kinds; the layers are empty",
            kinds.join(", ")
        )),
    }
    Report {
        version: REPORT_VERSION,
        generator: Generator {
            name: "coordgraph".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        input,
        parameters: parameters(options),
        summary,
        layers: layers
            .iter()
            .zip(&totals.edges)
            .map(|(l, &edges)| LayerSummary {
                kind: l.kind.name().into(),
                actions: l.stats.actions,
                objects: l.stats.objects,
                pairs: l.stats.pairs,
                pairs_not_materialised: l.stats.pairs_not_materialised,
                edges,
            })
            .collect(),
        clusters: clusters_out,
        accounts,
        baseline: Baseline {
            bot_score_histogram: bot_hist,
            timeline: Timeline {
                start: Some(time(bins.start_ms)),
                bin_secs: (bins.bin_ms / 1000) as u64,
                counts: timeline,
            },
            latency_histogram: LatencyHistogram {
                upper_s: upper.to_vec(),
                observed: totals.latency_observed,
                null: Vec::new(),
            },
        },
        warnings,
    }
}

fn parameters(o: &AnalyzeOptions) -> Parameters {
    Parameters {
        window_secs: o.co_action.window_secs,
        networks: o.networks.iter().map(|k| k.name().to_owned()).collect(),
        min_edge_weight: o.min_edge_weight,
        algorithm: match o.community.method {
            Method::Leiden => "leiden",
            Method::Louvain => "louvain",
            Method::Components => "components",
        }
        .into(),
        resolution: o.community.resolution,
        seed: o.community.seed,
        min_cluster_size: o.min_cluster_size,
        flag_threshold: o.flag_threshold,
        dormant_days: o.signals.dormant_days,
        similarity: o.co_action.similarity_threshold,
        min_text_chars: o.co_action.min_text_chars as u32,
        crowd: match o.co_action.weighting {
            Weighting::CrowdDiscounted { crowd } => crowd,
            _ => 0,
        },
    }
}

fn record_span(c: &Collection) -> (i64, i64) {
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for p in c.records() {
        let t = c.posts.time_ms[p as usize];
        first = first.min(t);
        last = last.max(t);
    }
    if first > last { (0, 0) } else { (first, last) }
}

/// Edges, weights and layers between the core members of each cluster.
fn coordination(graph: &CompactGraph, clusters: &ClusterSet) -> Vec<Coordination> {
    let layers = graph.layers.len();
    let mut internal = vec![(0u64, 0.0f64, vec![(0u64, 0.0f64); layers]); clusters.len()];
    let mut strength = vec![0.0f64; clusters.len()];
    let mut row = Vec::with_capacity(layers);
    for e in 0..graph.edge_count() {
        let a = graph.nodes[graph.source[e] as usize];
        let b = graph.nodes[graph.target[e] as usize];
        let (ka, kb) = (clusters.core_of[a as usize], clusters.core_of[b as usize]);
        let w = graph.weight[e];
        for k in [ka, kb] {
            if k != NONE {
                strength[k as usize] += w;
            }
        }
        if ka != NONE && ka == kb {
            let entry = &mut internal[ka as usize];
            entry.0 += 1;
            entry.1 += w;
            graph.layer_weights_into(e, &mut row);
            for (l, &lw) in row.iter().enumerate() {
                if lw > 0.0 {
                    entry.2[l].0 += 1;
                    entry.2[l].1 += lw;
                }
            }
        }
    }
    internal
        .into_iter()
        .enumerate()
        .map(|(k, (edges, weight, per_layer))| {
            let size = clusters.core[k].len() as f64;
            let possible = size * (size - 1.0) / 2.0;
            Coordination {
                edges,
                density: if possible > 0.0 {
                    edges as f64 / possible
                } else {
                    0.0
                },
                total_weight: weight,
                mean_weight: if edges > 0 {
                    weight / edges as f64
                } else {
                    0.0
                },
                internal_share: if strength[k] > 0.0 {
                    2.0 * weight / strength[k]
                } else {
                    0.0
                },
                layers: graph
                    .layers
                    .iter()
                    .zip(per_layer)
                    .map(|(kind, (edges, weight))| LayerShare {
                        kind: kind.name().into(),
                        edges,
                        weight,
                    })
                    .collect(),
            }
        })
        .collect()
}

fn shared_object(c: &Collection, o: &super::synchrony::TopObject) -> SharedObject {
    let post_object = matches!(
        o.layer,
        CoActionKind::CoRetweet | CoActionKind::CoQuote | CoActionKind::CoReply
    );
    let text = if post_object {
        Some(c.posts.text(o.first_action.object as u32))
    } else if matches!(o.layer, CoActionKind::CoText) {
        Some(c.posts.text(o.first_action.post))
    } else {
        None
    };
    SharedObject {
        layer: o.layer.name().into(),
        object: object_label(c, o.layer, &o.first_action),
        post_id: post_object.then(|| c.post_id(o.first_action.object as u32).into_owned()),
        text: text.filter(|t| !t.is_empty()).map(str::to_owned),
        accounts: o.accounts,
        actions: o.actions,
        first: time(o.first_ms),
        last: time(o.last_ms),
        median_delay_s: o.median_delay_ms / 1000.0,
    }
}

fn tight(c: &Collection, t: &super::synchrony::Tight) -> TightCoAction {
    let action = crate::graph::actions::Action {
        object: t.object,
        time_ms: t.time_ms,
        account: t.first.0,
        post: t.first.1,
    };
    TightCoAction {
        layer: t.layer.name().into(),
        object: object_label(c, t.layer, &action),
        source: c.account_id(t.first.0).into_owned(),
        target: c.account_id(t.second.0).into_owned(),
        source_handle: c.accounts.handle(t.first.0).map(str::to_owned),
        target_handle: c.accounts.handle(t.second.0).map(str::to_owned),
        source_post: c.post_id(t.first.1).into_owned(),
        target_post: c.post_id(t.second.1).into_owned(),
        time: time(t.time_ms),
        dt_s: t.dt_ms as f64 / 1000.0,
    }
}

/// What the report says of all the edges of each layer, summed as the layers are built range
/// by range (the layers themselves keep only the edges behind the coordination graph).
pub(super) struct LayerTotals {
    /// Edges per layer.
    pub edges: Vec<u64>,
    /// Co-action pairs per bin of the edges' median |Δt| (bins of `latency_upper_edges`),
    /// over all layers.
    pub latency_observed: Vec<u64>,
}

impl LayerTotals {
    /// Adds edges of layer `layer`; `upper` are the upper edges of the latency bins (s).
    pub(super) fn add(&mut self, layer: usize, edges: &[CoActionEdge], upper: &[f64]) {
        self.edges[layer] += edges.len() as u64;
        for e in edges {
            let secs = e.median_dt_ms / 1000.0;
            let bin = upper
                .iter()
                .position(|&u| secs <= u)
                .unwrap_or(upper.len() - 1);
            self.latency_observed[bin] += e.pairs;
        }
    }
}

fn account_table(
    c: &Collection,
    signals: &AccountSignals,
    clusters: &ClusterSet,
    ranked: &[Cluster],
    position_of: &[u32],
) -> Vec<Account> {
    signals
        .accounts
        .par_iter()
        .map(|s| {
            let k = clusters.cluster_of[s.account as usize];
            let cluster = (k != NONE).then(|| &ranked[position_of[k as usize] as usize]);
            let profile = c.accounts.profile(s.account);
            let nonempty = |x: &str| (!x.is_empty()).then(|| x.to_owned());
            Account {
                id: s.id.clone(),
                handle: s.handle.clone(),
                name: profile.and_then(|p| nonempty(&p.name)),
                cluster: cluster.map(|k| k.id),
                core: clusters.core_of[s.account as usize] != NONE,
                flagged: cluster.is_some_and(|k| k.flagged)
                    && clusters.core_of[s.account as usize] != NONE,
                bot_score: s.bot.score,
                dormant_reactivated: s.dormancy.is_some(),
                signals: AccountSignalsOut {
                    records: u64::from(s.records),
                    first: opt_time(s.first_ms),
                    last: opt_time(s.last_ms),
                    dormancy: s.dormancy.map(|d| DormancyOut {
                        gap_start: time(d.gap_start_ms),
                        gap_end: time(d.gap_end_ms),
                        gap_days: d.gap_days,
                        burst_records: u64::from(d.burst_records),
                    }),
                    longest_gap_days: s.longest_gap_days,
                    main_client: s.main_client.clone(),
                    automation_share: s.automation_share,
                    retweet_share: s.retweet_share,
                    duplicate_text_share: s.duplicate_text_share,
                    records_per_day: s.records_per_day,
                    followers: s.followers,
                    friends: s.friends,
                    created_at: s.created_ms.map(time),
                    lang: s.lang.clone(),
                    location: profile.and_then(|p| nonempty(&p.location)),
                    bio: profile.and_then(|p| nonempty(&p.bio)),
                    bot_parts: bot_parts(s)
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                    bot_coverage: s.bot.coverage,
                },
            }
        })
        .collect()
}
