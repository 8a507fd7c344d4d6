/*!
Temporal synchrony of each cluster: the members' actions on the objects of the coordination
layers, swept per object in time order, against a null model that shuffles their timing.

For a cluster, an object is *shared* when at least two members act on it. Every pair of
actions by two different members on one shared object with |Δt| ≤ W is a co-action pair; its
|Δt| goes into an exact histogram (1 ms bins up to W, coarser past 100 s so that a task holds at
most 100,001 bins), from which the median, the 90th percentile and the shares within 1, 10 and
60 s are read. An action is *synchronised* when another member acted on the same object within
W of it.

**Null model.** Per layer, the times of the members' actions on shared objects are shuffled
among those actions (a random permutation, seeded by the analysis seed and the cluster), and
the synchronised share is measured again; `null_rounds` rounds give its mean and standard
deviation, and `z = (observed − mean) / max(sd, 1 / actions)`. The shuffle keeps who acted on
what and how active each layer was, and destroys only the timing: a team that retweets within
seconds of each other scores far above it; a fan club that retweets the same posts over hours
scores near it, because its members' actions meet within W about as often as chance allows.

The same sweep collects each cluster's evidence: the objects the most members acted on, and
the co-actions with the smallest |Δt|.
*/

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::graph::CoActionKind;
use crate::graph::actions::{Action, extract_actions};
use crate::model::{AccountIx, Collection, NONE, PostIx};

/// Upper bin edges of the reported latency histogram, in seconds; bins past W are dropped.
pub(crate) const LATENCY_BINS_S: [f64; 12] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// Most co-action pairs counted per object and cluster, so that one object touched by
/// thousands of members in a second costs bounded time.
const MAX_PAIRS_PER_OBJECT: u64 = 10_000_000;

/// One member action, with its cluster and layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct MemberAction {
    cluster: u32,
    layer: u8,
    object: u64,
    time_ms: i64,
    account: AccountIx,
    post: PostIx,
}

/// What the sweep found for one cluster.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClusterSweep {
    pub actions: u64,
    pub shared_objects: u64,
    pub pairs: u64,
    pub median_latency_ms: Option<f64>,
    pub p90_latency_ms: Option<f64>,
    pub within_1s: f64,
    pub within_10s: f64,
    pub within_60s: f64,
    pub synchronized_share: f64,
    pub null_share: f64,
    pub null_sd: f64,
    pub z: f64,
    /// Observed pairs per [`LATENCY_BINS_S`] bin (bins up to W).
    pub latency_observed: Vec<u64>,
    /// Mean pairs per bin under the null model.
    pub latency_null: Vec<f64>,
    pub top_objects: Vec<TopObject>,
    pub tightest: Vec<Tight>,
    /// Members who led more co-action pairs than they followed, as (account, led, followed),
    /// the largest lead (led − followed) first (see [`Pass::leads`]).
    pub leaders: Vec<(AccountIx, u64, u64)>,
}

/// An object shared by members.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TopObject {
    pub layer: CoActionKind,
    /// The first member action on it (names the object).
    pub first_action: Action,
    pub accounts: u64,
    pub actions: u64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub median_delay_ms: f64,
}

/// A co-action pair between members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Tight {
    pub dt_ms: i64,
    pub time_ms: i64,
    pub layer: CoActionKind,
    pub first: (AccountIx, PostIx),
    pub second: (AccountIx, PostIx),
    pub object: u64,
}

/// Options of the sweep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SweepOptions {
    pub window_ms: i64,
    pub min_text_chars: usize,
    pub null_rounds: u32,
    pub seed: u64,
    pub top_objects: usize,
    pub tightest: usize,
    pub leaders: usize,
}

/// The kinds whose actions the sweep uses: near-duplicate text is swept as co-text (the exact
/// normalised text), since its objects exist only after clustering; co-post is left out.
pub(crate) fn sweep_kinds(layers: &[CoActionKind]) -> Vec<CoActionKind> {
    let mut kinds: Vec<CoActionKind> = layers
        .iter()
        .map(|&k| match k {
            CoActionKind::NearDuplicateText => CoActionKind::CoText,
            k => k,
        })
        .filter(|&k| k != CoActionKind::CoPost)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// Sweeps the actions of every cluster's members.
///
/// # Arguments
/// - `cluster_of`: per account index, its cluster position (`0..clusters`) or [`NONE`].
/// - `clusters`: number of clusters.
/// - `kinds`: from [`sweep_kinds`].
///
/// # Returns
/// One [`ClusterSweep`] per cluster position.
///
/// # Complexity
/// `O(A log A + P)` for `A` member actions and `P` co-action pairs, times `1 + null_rounds`
/// for the pairs; parallel over clusters; memory `O(A)` plus one histogram per task.
pub(crate) fn sweep_clusters(
    c: &Collection,
    cluster_of: &[u32],
    clusters: usize,
    kinds: &[CoActionKind],
    options: &SweepOptions,
) -> Vec<ClusterSweep> {
    let mut actions: Vec<MemberAction> = Vec::new();
    for (layer, &kind) in kinds.iter().enumerate() {
        let layer_actions = extract_actions(c, kind, options.min_text_chars);
        actions.par_extend(layer_actions.into_par_iter().filter_map(|a| {
            let cluster = *cluster_of.get(a.account as usize)?;
            (cluster != NONE).then_some(MemberAction {
                cluster,
                layer: layer as u8,
                object: a.object,
                time_ms: a.time_ms,
                account: a.account,
                post: a.post,
            })
        }));
    }
    actions.par_sort_unstable();
    let mut starts = vec![0usize; clusters + 1];
    for a in &actions {
        starts[a.cluster as usize + 1] += 1;
    }
    for i in 0..clusters {
        starts[i + 1] += starts[i];
    }
    let bin_of = bin_of_fine(options.window_ms, latency_bins(options.window_ms));
    (0..clusters)
        .into_par_iter()
        .map(|k| {
            let slice = &actions[starts[k]..starts[k + 1]];
            sweep_cluster(slice, kinds, k as u64, options, &bin_of)
        })
        .collect()
}

/// Per-pair counters of one pass over a cluster's shared groups.
struct Pass {
    /// Pair counts: the exact |Δt| histogram at `resolution_ms`, or one count per reported
    /// bin in a pass made by [`Pass::binned_only`].
    counts: Vec<u64>,
    resolution_ms: i64,
    pairs: u64,
    synchronized: u64,
    /// Per member, (pairs led, pairs followed): the counted pairs in which it acted strictly
    /// first or strictly second (pairs at one instant count in neither). Kept by the observed
    /// pass only ([`Pass::new`]); a null round's shuffled times lead nowhere.
    leads: Option<LeadCounts>,
}

/// (pairs led, pairs followed) per member.
type LeadCounts = std::collections::HashMap<AccountIx, (u64, u64), rustc_hash::FxBuildHasher>;

/// The resolution of a window's exact histogram: 100,000 steps at most, 1 ms at least.
fn resolution_ms(window_ms: i64) -> i64 {
    (window_ms / 100_000).max(1)
}

/// Per index of the exact histogram, its reported bin (see [`Pass::binned`]). Computed once
/// per window, so that null rounds count straight into the reported bins.
fn bin_of_fine(window_ms: i64, bins: usize) -> Vec<u8> {
    let resolution_ms = resolution_ms(window_ms);
    (0..=window_ms / resolution_ms)
        .map(|i| {
            let secs = (i * resolution_ms) as f64 / 1000.0;
            LATENCY_BINS_S[..bins]
                .iter()
                .position(|&upper| secs <= upper)
                .unwrap_or(bins - 1) as u8
        })
        .collect()
}

impl Pass {
    fn new(window_ms: i64) -> Self {
        let resolution_ms = resolution_ms(window_ms);
        Pass {
            counts: vec![0; (window_ms / resolution_ms) as usize + 1],
            resolution_ms,
            pairs: 0,
            synchronized: 0,
            leads: Some(LeadCounts::default()),
        }
    }

    /// A pass that counts into the reported bins alone (`counts` holds one per bin): what
    /// a null round needs, without allocating and scanning an exact histogram every round.
    fn binned_only(window_ms: i64, bins: usize) -> Self {
        Pass {
            counts: vec![0; bins],
            resolution_ms: resolution_ms(window_ms),
            pairs: 0,
            synchronized: 0,
            leads: None,
        }
    }

    /// Counts the pairs of one group into the exact histogram.
    fn group(&mut self, group: &[(i64, AccountIx)], window_ms: i64) {
        self.group_into(group, window_ms, None);
    }

    /// Counts the pairs and synchronised actions of one group (sorted by time), into the
    /// exact histogram or, with `bin_of`, into the reported bins.
    fn group_into(&mut self, group: &[(i64, AccountIx)], window_ms: i64, bin_of: Option<&[u8]>) {
        let mut materialised = 0u64;
        for i in 0..group.len() {
            let (t, a) = group[i];
            let mut synchronized = false;
            for &(u, b) in group[..i].iter().rev() {
                if t - u > window_ms {
                    break;
                }
                if b != a {
                    synchronized = true;
                    break;
                }
            }
            for &(u, b) in &group[i + 1..] {
                if u - t > window_ms {
                    break;
                }
                if b != a {
                    synchronized = true;
                    if materialised < MAX_PAIRS_PER_OBJECT {
                        let i = ((u - t) / self.resolution_ms) as usize;
                        let slot = bin_of.map_or(i, |b| usize::from(b[i]));
                        self.counts[slot] += 1;
                        materialised += 1;
                        if let Some(leads) = self.leads.as_mut()
                            && u > t
                        {
                            leads.entry(a).or_default().0 += 1;
                            leads.entry(b).or_default().1 += 1;
                        }
                    }
                }
            }
            self.synchronized += u64::from(synchronized);
        }
        self.pairs += materialised;
    }

    /// Pairs per reported bin, from the exact histogram; `bin_of` from [`bin_of_fine`]. A pair
    /// goes to the first bin whose upper edge (in seconds) is at least its |Δt|.
    fn binned(&self, bin_of: &[u8], bins: usize) -> Vec<u64> {
        let mut out = vec![0u64; bins];
        for (&n, &bin) in self.counts.iter().zip(bin_of) {
            out[usize::from(bin)] += n;
        }
        out
    }

    /// The `q`-quantile of |Δt| in ms (nearest rank), if there are pairs.
    fn quantile(&self, q: f64) -> Option<f64> {
        if self.pairs == 0 {
            return None;
        }
        let rank = ((q * self.pairs as f64).ceil() as u64).clamp(1, self.pairs);
        let mut seen = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some((i as i64 * self.resolution_ms) as f64);
            }
        }
        None
    }

    /// Share of pairs with |Δt| ≤ `ms`.
    fn share_within(&self, ms: i64) -> f64 {
        if self.pairs == 0 {
            return 0.0;
        }
        let last = ((ms / self.resolution_ms) as usize).min(self.counts.len() - 1);
        self.counts[..=last].iter().sum::<u64>() as f64 / self.pairs as f64
    }
}

/// Number of reported latency bins for a window.
pub(crate) fn latency_bins(window_ms: i64) -> usize {
    let w = window_ms as f64 / 1000.0;
    LATENCY_BINS_S.iter().take_while(|&&u| u < w).count() + 1
}

/// Upper edges of the reported bins for a window: the fixed edges below W, then W.
pub(crate) fn latency_upper_edges(window_ms: i64) -> Vec<f64> {
    let w = window_ms as f64 / 1000.0;
    let mut edges: Vec<f64> = LATENCY_BINS_S.iter().copied().filter(|&u| u < w).collect();
    edges.push(w);
    edges
}

fn sweep_cluster(
    actions: &[MemberAction],
    kinds: &[CoActionKind],
    cluster: u64,
    options: &SweepOptions,
    bin_of: &[u8],
) -> ClusterSweep {
    let window = options.window_ms;
    let bins = latency_bins(window);
    let mut out = ClusterSweep {
        actions: actions.len() as u64,
        ..Default::default()
    };
    // Shared groups: runs of one (layer, object) with two accounts or more.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    while start < actions.len() {
        let key = (actions[start].layer, actions[start].object);
        let mut end = start + 1;
        while end < actions.len() && (actions[end].layer, actions[end].object) == key {
            end += 1;
        }
        let first = actions[start].account;
        if actions[start..end].iter().any(|a| a.account != first) {
            groups.push((start, end));
        }
        start = end;
    }
    out.shared_objects = groups.len() as u64;
    let in_shared: u64 = groups.iter().map(|&(s, e)| (e - s) as u64).sum();

    let mut observed = Pass::new(window);
    let mut tight: BinaryHeap<Tight> = BinaryHeap::new();
    let mut top: Vec<TopObject> = Vec::with_capacity(groups.len());
    let mut scratch: Vec<(i64, AccountIx)> = Vec::new();
    for &(s, e) in &groups {
        let group = &actions[s..e];
        scratch.clear();
        scratch.extend(group.iter().map(|a| (a.time_ms, a.account)));
        observed.group(&scratch, window);
        collect_tightest(group, kinds, window, options.tightest, &mut tight);
        let mut accounts: Vec<AccountIx> = group.iter().map(|a| a.account).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let t0 = group[0].time_ms;
        let mut delays: Vec<i64> = group.iter().map(|a| a.time_ms - t0).collect();
        delays.sort_unstable();
        let first = &group[0];
        top.push(TopObject {
            layer: kinds[first.layer as usize],
            first_action: Action {
                object: first.object,
                time_ms: first.time_ms,
                account: first.account,
                post: first.post,
            },
            accounts: accounts.len() as u64,
            actions: group.len() as u64,
            first_ms: t0,
            last_ms: group[group.len() - 1].time_ms,
            median_delay_ms: median_sorted(&delays),
        });
    }
    top.sort_by(|a, b| {
        (
            Reverse(a.accounts),
            Reverse(a.actions),
            a.first_ms,
            a.layer,
            a.first_action.object,
        )
            .cmp(&(
                Reverse(b.accounts),
                Reverse(b.actions),
                b.first_ms,
                b.layer,
                b.first_action.object,
            ))
    });
    top.truncate(options.top_objects);
    out.top_objects = top;
    let mut tightest = tight.into_vec();
    tightest.sort_unstable();
    out.tightest = tightest;
    let mut leaders: Vec<(AccountIx, u64, u64)> = observed
        .leads
        .take()
        .unwrap_or_default()
        .into_iter()
        .filter(|&(_, (led, followed))| led > followed)
        .map(|(account, (led, followed))| (account, led, followed))
        .collect();
    leaders.sort_unstable_by_key(|&(account, led, followed)| {
        (Reverse(led - followed), Reverse(led), account)
    });
    leaders.truncate(options.leaders);
    out.leaders = leaders;

    out.pairs = observed.pairs;
    out.median_latency_ms = observed.quantile(0.5);
    out.p90_latency_ms = observed.quantile(0.9);
    out.within_1s = observed.share_within(1000);
    out.within_10s = observed.share_within(10_000);
    out.within_60s = observed.share_within(60_000);
    out.latency_observed = observed.binned(bin_of, bins);
    out.synchronized_share = share(observed.synchronized, in_shared);

    // The null model: shuffle each layer's times among its shared actions.
    let rounds = options.null_rounds;
    let mut null_shares = Vec::with_capacity(rounds as usize);
    let mut null_bins = vec![0.0; bins];
    if rounds > 0 && in_shared > 0 {
        let mut rng =
            ChaCha8Rng::seed_from_u64(options.seed ^ cluster.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut times: Vec<i64> = Vec::with_capacity(in_shared as usize);
        for _ in 0..rounds {
            let mut pass = Pass::binned_only(window, bins);
            let mut g = 0;
            while g < groups.len() {
                // The groups of one layer are contiguous.
                let layer = actions[groups[g].0].layer;
                let mut h = g;
                times.clear();
                while h < groups.len() && actions[groups[h].0].layer == layer {
                    let (s, e) = groups[h];
                    times.extend(actions[s..e].iter().map(|a| a.time_ms));
                    h += 1;
                }
                times.shuffle(&mut rng);
                let mut next = 0;
                for &(s, e) in &groups[g..h] {
                    scratch.clear();
                    for a in &actions[s..e] {
                        scratch.push((times[next], a.account));
                        next += 1;
                    }
                    scratch.sort_unstable();
                    pass.group_into(&scratch, window, Some(bin_of));
                }
                g = h;
            }
            null_shares.push(share(pass.synchronized, in_shared));
            for (b, &n) in pass.counts.iter().enumerate() {
                null_bins[b] += n as f64 / f64::from(rounds);
            }
        }
    }
    let (mean, sd) = mean_sd(&null_shares);
    out.null_share = mean;
    out.null_sd = sd;
    out.latency_null = null_bins;
    out.z = if in_shared > 0 {
        (out.synchronized_share - mean) / sd.max(1.0 / in_shared as f64)
    } else {
        0.0
    };
    out
}

/// Keeps the `k` co-action pairs of a group with the smallest |Δt| in `heap` (a max-heap).
fn collect_tightest(
    group: &[MemberAction],
    kinds: &[CoActionKind],
    window_ms: i64,
    k: usize,
    heap: &mut BinaryHeap<Tight>,
) {
    if k == 0 {
        return;
    }
    for i in 0..group.len() {
        for j in i + 1..group.len() {
            let (a, b) = (&group[i], &group[j]);
            let dt = b.time_ms - a.time_ms;
            if dt > window_ms {
                break;
            }
            if a.account == b.account {
                continue;
            }
            if heap.len() == k && heap.peek().is_some_and(|worst| dt > worst.dt_ms) {
                // Later partners of `a` are further away still.
                break;
            }
            let candidate = Tight {
                dt_ms: dt,
                time_ms: a.time_ms,
                layer: kinds[a.layer as usize],
                first: (a.account, a.post),
                second: (b.account, b.post),
                object: a.object,
            };
            if heap.len() < k {
                heap.push(candidate);
            } else if heap.peek().is_some_and(|worst| candidate < *worst) {
                heap.pop();
                heap.push(candidate);
            }
        }
    }
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Median of sorted values (mean of the two middle ones for an even count); 0 when empty.
pub(crate) fn median_sorted(sorted: &[i64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2] as f64,
        n => (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0,
    }
}

fn mean_sd(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_counts_cross_account_pairs_within_the_window() {
        let mut pass = Pass::new(60_000);
        // a and b 3 s apart, a again 50 s later, c 2 minutes later (alone).
        let group = [(0, 1), (3_000, 2), (53_000, 1), (173_000, 3)];
        pass.group(&group, 60_000);
        // (a0, b) 3 s, (b, a1) 50 s; (a0, a1) is one account; c is out of reach.
        assert_eq!(pass.pairs, 2);
        assert_eq!(pass.synchronized, 3);
        assert_eq!(pass.quantile(0.5), Some(3_000.0));
        assert_eq!(pass.quantile(0.9), Some(50_000.0));
        assert_eq!(pass.share_within(10_000), 0.5);
        let bins = latency_bins(60_000);
        assert_eq!(
            pass.binned(&bin_of_fine(60_000, bins), bins),
            vec![0, 0, 1, 0, 0, 0, 1]
        );
        // Counting straight into the bins gives the same.
        let mut direct = Pass::binned_only(60_000, bins);
        direct.group_into(&group, 60_000, Some(&bin_of_fine(60_000, bins)));
        assert_eq!(direct.counts, vec![0, 0, 1, 0, 0, 0, 1]);
        assert_eq!((direct.pairs, direct.synchronized), (2, 3));
    }

    #[test]
    fn leads_count_who_acted_strictly_first_within_the_window() {
        let mut pass = Pass::new(60_000);
        // 1 at 0 s; 2 and 3 together at 5 s; 1 again at 70 s; 2 at 200 s, alone.
        let group = [(0, 1), (5_000, 2), (5_000, 3), (70_000, 1), (200_000, 2)];
        pass.group(&group, 60_000);
        let mut got: Vec<(AccountIx, (u64, u64))> = pass.leads.unwrap().into_iter().collect();
        got.sort_unstable();
        // 1 leads 2 and 3; 2 and 3 (tied) lead 1 at 70 s, 65 s later: out of the window.
        assert_eq!(got, [(1, (2, 0)), (2, (0, 1)), (3, (0, 1))]);
    }

    #[test]
    fn the_window_is_inclusive() {
        let mut pass = Pass::new(60_000);
        pass.group(&[(0, 1), (60_000, 2), (120_001, 3)], 60_000);
        assert_eq!(pass.pairs, 1);
        assert_eq!(pass.quantile(1.0), Some(60_000.0));
    }

    #[test]
    fn bins_end_at_the_window() {
        assert_eq!(
            latency_upper_edges(60_000),
            vec![1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0]
        );
        assert_eq!(latency_upper_edges(45_000).last(), Some(&45.0));
        assert_eq!(latency_bins(45_000), latency_upper_edges(45_000).len());
    }
}
