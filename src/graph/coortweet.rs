/*!
A CooRTweet-compatible mode: the network CooRTweet 2.1.3 builds with `detect_groups` and
`generate_coordinated_network` (Righetti & Balluff 2025, <https://github.com/nicolarighetti/CooRTweet>),
reproduced on a collection.

CooRTweet reads a table of shares `(object_id, account_id, content_id, timestamp_share)`. Here
each action of the chosen [`CoActionKind`] is a share: the object as in the module docs of
[`crate::graph`], the author as account, the post as content. Its semantics:

1. **Pre-filter**: accounts with fewer than `min_participation` shares are dropped.
2. **Pairing**: every pair of shares of one object with |t₁ − t₂| ≤ `time_window`
   (inclusive; CooRTweet's timestamps are whole seconds, compared here in ms).
3. **Loops removed**: a pair is dropped when the object is either content (compared as
   ids), when both contents are the same, or when both accounts are the same.
4. **Post-filter**: for each account, count its shares whose content is in a remaining pair;
   a pair is kept when *either* account has a count ≥ `min_participation` (OR, not AND).
5. **Edges**: weight = the number of remaining pairs of the unordered account pair;
   `avg_time_delta` = their mean |Δt| in seconds; `weight_threshold` marks edges whose weight
   is strictly greater than the `edge_weight` quantile of all weights (R's default quantile,
   type 7). CooRTweet's `subgraph = 1` keeps only the marked edges.

Differences that come from the collection, not from the semantics: a post is one content, so
a table row repeated with the same content id counts once (the collection deduplicates posts),
and near-duplicate text has no CooRTweet counterpart.
*/

use rayon::prelude::*;

use super::actions::{Action, extract_actions, filter_participation};
use super::co_action::{CapWarning, cap_warnings, object_label};
use super::sweep::{Grouped, sweep};
use super::{CoActionKind, GraphError, MAX_WINDOW_SECS};
use crate::model::{AccountIx, Collection};

/// Options of [`coortweet_compatible`], with CooRTweet's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct CooRTweetOptions {
    /// `time_window` in seconds (CooRTweet's default: 10).
    pub time_window_secs: u32,
    /// `min_participation` (default 2).
    pub min_participation: u32,
    /// `edge_weight`: the quantile of the weights above which an edge is marked (default
    /// 0.5).
    pub edge_weight: f64,
    /// The most pairs one object may materialise (CooRTweet has no cap; a capped object is
    /// reported in the warnings).
    pub max_pairs_per_object: u64,
}

impl Default for CooRTweetOptions {
    fn default() -> Self {
        CooRTweetOptions {
            time_window_secs: 10,
            min_participation: 2,
            edge_weight: 0.5,
            max_pairs_per_object: 10_000_000,
        }
    }
}

/// One edge of the CooRTweet network; `source < target` as account indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CooRTweetEdge {
    /// The account with the smaller index.
    pub source: AccountIx,
    /// The account with the larger index.
    pub target: AccountIx,
    /// The number of co-share pairs.
    pub weight: u64,
    /// Mean |Δt| of the pairs, in seconds.
    pub avg_time_delta: f64,
    /// Whether the weight is above the `edge_weight` quantile.
    pub weight_threshold: bool,
}

/// The CooRTweet network: edges sorted by (source, target).
#[derive(Debug, Clone, PartialEq)]
pub struct CooRTweetNetwork {
    /// The edges.
    pub edges: Vec<CooRTweetEdge>,
    /// The `edge_weight` quantile of the weights (0 without edges).
    pub threshold: f64,
    /// Objects whose pairs were capped.
    pub warnings: Vec<CapWarning>,
}

/// A share pair surviving the loop removal.
#[derive(Clone, Copy)]
struct SharePair {
    key: u64,
    first: u32,
    second: u32,
    dt_ms: u32,
}

/// Builds the network CooRTweet 2.1.3 would build from the shares of `kind`; see the module
/// docs for the semantics.
///
/// # Errors
/// [`GraphError`] for near-duplicate text, a window too large, or an `edge_weight` outside
/// [0, 1].
///
/// # Complexity
/// As [`crate::graph::build_co_action_graph`]: one sort of the shares and a windowed sweep per
/// object.
pub fn coortweet_compatible(
    c: &Collection,
    kind: CoActionKind,
    options: &CooRTweetOptions,
) -> Result<CooRTweetNetwork, GraphError> {
    if kind == CoActionKind::NearDuplicateText {
        return Err(GraphError::InvalidCooRTweet(
            "CooRTweet 2.1.3 has no near-duplicate text".into(),
        ));
    }
    if options.time_window_secs > MAX_WINDOW_SECS {
        return Err(GraphError::WindowTooLarge(options.time_window_secs));
    }
    if !(0.0..=1.0).contains(&options.edge_weight) {
        return Err(GraphError::InvalidCooRTweet(format!(
            "edge_weight {} is not in [0, 1]",
            options.edge_weight
        )));
    }
    // 1. Pre-filter.
    let shares = extract_actions(c, kind, 1);
    let shares = filter_participation(shares, c.accounts.len(), options.min_participation);
    let grouped = Grouped::new(shares);
    let object_is_content: Vec<bool> = grouped
        .actions
        .par_iter()
        .map(|a| object_is_content(c, kind, a))
        .collect();
    // 2. and 3. Pairs within the window, loops removed (same account is never emitted).
    let cap = options.max_pairs_per_object;
    let window_ms = i64::from(options.time_window_secs) * 1000;
    let mut swept = sweep(&grouped, window_ms, cap, |g, group, i, j, out| {
        let offset = grouped.starts[g as usize];
        let (x, y) = (&group[i], &group[j]);
        if object_is_content[offset + i] || object_is_content[offset + j] || x.post == y.post {
            return;
        }
        let (s, t) = (x.account.min(y.account), x.account.max(y.account));
        out.push(SharePair {
            key: (u64::from(s) << 32) | u64::from(t),
            first: (offset + i) as u32,
            second: (offset + j) as u32,
            dt_ms: (y.time_ms - x.time_ms) as u32,
        });
    });
    let warnings = cap_warnings(&swept.capped, cap, kind, |g| {
        object_label(c, kind, &grouped.group(g as usize)[0])
    });
    let mut pairs = swept.concat();

    // 4. Post-filter: shares whose content is in a remaining pair, counted per account.
    if options.min_participation >= 1 {
        let mut in_pair = vec![false; c.posts.len()];
        for p in &pairs {
            in_pair[grouped.actions[p.first as usize].post as usize] = true;
            in_pair[grouped.actions[p.second as usize].post as usize] = true;
        }
        let mut count = vec![0u32; c.accounts.len()];
        for a in &grouped.actions {
            if in_pair[a.post as usize] {
                count[a.account as usize] += 1;
            }
        }
        let qualifies = |share: u32| {
            count[grouped.actions[share as usize].account as usize] >= options.min_participation
        };
        pairs.retain(|p| qualifies(p.first) || qualifies(p.second));
    }

    // 5. Edges.
    pairs.par_sort_unstable_by_key(|p| p.key);
    let mut edges: Vec<CooRTweetEdge> = Vec::new();
    let mut start = 0;
    while start < pairs.len() {
        let key = pairs[start].key;
        let mut end = start;
        let mut sum_ms = 0u64;
        while end < pairs.len() && pairs[end].key == key {
            sum_ms += u64::from(pairs[end].dt_ms);
            end += 1;
        }
        let weight = (end - start) as u64;
        edges.push(CooRTweetEdge {
            source: (key >> 32) as u32,
            target: key as u32,
            weight,
            avg_time_delta: sum_ms as f64 / weight as f64 / 1000.0,
            weight_threshold: false,
        });
        start = end;
    }
    let mut weights: Vec<f64> = edges.iter().map(|e| e.weight as f64).collect();
    weights.sort_unstable_by(f64::total_cmp);
    let threshold = quantile_type7(&weights, options.edge_weight);
    for e in &mut edges {
        e.weight_threshold = e.weight as f64 > threshold;
    }
    Ok(CooRTweetNetwork {
        edges,
        threshold,
        warnings,
    })
}

/// Whether a share's object is its own content, compared as ids as CooRTweet compares them.
fn object_is_content(c: &Collection, kind: CoActionKind, a: &Action) -> bool {
    let sym = a.object as u32;
    let id = || c.post_id(a.post);
    match kind {
        CoActionKind::CoRetweet | CoActionKind::CoQuote | CoActionKind::CoReply => sym == a.post,
        CoActionKind::CoHashtag => c.hashtags.resolve(sym) == id(),
        CoActionKind::CoUrl => c.urls.resolve(sym) == id(),
        CoActionKind::CoDomain => c.domains.resolve(sym) == id(),
        CoActionKind::CoObject => c.objects.resolve(sym) == id(),
        CoActionKind::CoMention => c.account_id(sym) == id(),
        CoActionKind::CoText | CoActionKind::NearDuplicateText | CoActionKind::CoPost => false,
    }
}

/// R's `quantile(x, p, type = 7)` of sorted values: linear interpolation between order
/// statistics at `h = (n − 1)·p`. Zero for no values.
pub(crate) fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_type7_matches_r() {
        // R: quantile(c(1, 1, 2, 5), 0.5) = 1.5; quantile(c(1, 2, 3), 0.9) = 2.8.
        assert_eq!(quantile_type7(&[1.0, 1.0, 2.0, 5.0], 0.5), 1.5);
        assert!((quantile_type7(&[1.0, 2.0, 3.0], 0.9) - 2.8).abs() < 1e-12);
        assert_eq!(quantile_type7(&[4.0], 0.3), 4.0);
        assert_eq!(quantile_type7(&[], 0.5), 0.0);
    }
}
