/*!
Edge weighting and backbones: the shares of crowded objects, TF-IDF cosine of the account ×
object matrix (Pacheco et al., "Uncovering coordinated networks on social media", ICWSM 2021,
<https://ojs.aaai.org/index.php/ICWSM/article/view/18075>), and the cuts that keep the
strongest edges.
*/

use rayon::prelude::*;

use super::sweep::{Grouped, window_counts};
use super::{Backbone, CoActionEdge, Weighting};

/// What each object adds to the weight of an edge, indexed by the `object` of its pair
/// records: the group number, or the near-duplicate cluster. Empty means 1 for every object
/// (every weighting but [`Weighting::CrowdDiscounted`]).
pub(crate) type ObjectShares = Vec<f64>;

/// The share of every group of `grouped` under `weighting` (empty when every share is 1).
pub(crate) fn group_shares(
    grouped: &Grouped,
    window_ms: i64,
    weighting: Weighting,
) -> ObjectShares {
    if !matches!(weighting, Weighting::CrowdDiscounted { .. }) {
        return Vec::new();
    }
    (0..grouped.len())
        .into_par_iter()
        .map(|g| weighting.object_share(window_counts(grouped.group(g), window_ms).1))
        .collect()
}

/// Replaces each edge's weight by the cosine similarity of its accounts' TF-IDF rows.
///
/// # Arguments
/// - `account_objects`: one (account, object) entry per action; repeated entries are the
///   term frequency.
/// - `edges`: the edges to weight; every endpoint must have a row.
///
/// The row of account *a* has, for each object *o* it acted on, `(1 + ln tf(a, o)) × idf(o)`
/// with `idf(o) = ln((1 + N) / (1 + df(o))) + 1` (scikit-learn's `sublinear_tf`, `smooth_idf`,
/// as in Pacheco et al.'s code), `N` the number of accounts with an action and `df(o)` the
/// number of accounts acting on *o*; rows are L2-normalised. Sums run in object order, so the
/// result does not depend on the thread count.
///
/// # Complexity
/// O(A log A) for the sort plus O(Σ_edges (row(s) + row(t))) for the dot products.
pub(crate) fn tfidf_cosine(mut account_objects: Vec<(u32, u32)>, edges: &mut [CoActionEdge]) {
    account_objects.par_sort_unstable();
    // Run-length: (account, object, tf).
    let mut entries: Vec<(u32, u32, f64)> = Vec::new();
    for &(a, o) in &account_objects {
        match entries.last_mut() {
            Some(last) if last.0 == a && last.1 == o => last.2 += 1.0,
            _ => entries.push((a, o, 1.0)),
        }
    }
    drop(account_objects);
    let objects = entries.iter().map(|e| e.1 as usize + 1).max().unwrap_or(0);
    let mut df = vec![0u32; objects];
    for e in &entries {
        df[e.1 as usize] += 1;
    }
    let mut accounts = 0usize;
    for (i, e) in entries.iter().enumerate() {
        if i == 0 || entries[i - 1].0 != e.0 {
            accounts += 1;
        }
    }
    let n = accounts as f64;
    for e in &mut entries {
        let idf = ((1.0 + n) / (1.0 + f64::from(df[e.1 as usize]))).ln() + 1.0;
        e.2 = (1.0 + e.2.ln()) * idf;
    }
    // Rows: account -> range of entries, L2-normalised.
    let mut row_account: Vec<u32> = Vec::new();
    let mut row_start: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if i == 0 || entries[i - 1].0 != e.0 {
            row_account.push(e.0);
            row_start.push(i);
        }
    }
    row_start.push(entries.len());
    for r in 0..row_account.len() {
        let row = &mut entries[row_start[r]..row_start[r + 1]];
        let norm = row.iter().map(|e| e.2 * e.2).sum::<f64>().sqrt();
        if norm > 0.0 {
            for e in row {
                e.2 /= norm;
            }
        }
    }
    let accounts = row_account.last().map_or(0, |&a| a as usize + 1);
    let mut row_of = vec![u32::MAX; accounts];
    for (r, &a) in row_account.iter().enumerate() {
        row_of[a as usize] = r as u32;
    }
    let row = |account: u32| -> &[(u32, u32, f64)] {
        match row_of.get(account as usize) {
            Some(&r) if r != u32::MAX => &entries[row_start[r as usize]..row_start[r as usize + 1]],
            _ => &[],
        }
    };
    // Each edge is computed by the endpoint with the longer row ("owner"): the owner's row is
    // scattered once into a dense vector, and each of its edges costs one lookup per object of
    // the shorter row. An account with a huge row is then scattered once, not searched once
    // per edge.
    let owner_of = |e: &CoActionEdge| {
        if row(e.target).len() > row(e.source).len() {
            e.target
        } else {
            e.source
        }
    };
    let mut start = vec![0usize; accounts + 1];
    for e in edges.iter() {
        start[owner_of(e) as usize + 1] += 1;
    }
    for a in 0..accounts {
        start[a + 1] += start[a];
    }
    let mut fill = start.clone();
    let mut by_owner = vec![0usize; edges.len()];
    for (i, e) in edges.iter().enumerate() {
        let o = owner_of(e) as usize;
        by_owner[fill[o]] = i;
        fill[o] += 1;
    }
    let edges_ro: &[CoActionEdge] = edges;
    let weights: Vec<Vec<(usize, f64)>> = (0..accounts)
        .into_par_iter()
        .filter(|&a| start[a + 1] > start[a])
        .map_init(
            || vec![0.0f64; objects],
            |dense, a| {
                let own = row(a as u32);
                for x in own {
                    dense[x.1 as usize] = x.2;
                }
                let out: Vec<(usize, f64)> = by_owner[start[a]..start[a + 1]]
                    .iter()
                    .map(|&i| {
                        let e = &edges_ro[i];
                        let other = if e.source == a as u32 {
                            e.target
                        } else {
                            e.source
                        };
                        // Sums run in object order of the shorter row.
                        let dot = row(other).iter().map(|y| y.2 * dense[y.1 as usize]).sum();
                        (i, dot)
                    })
                    .collect();
                for x in own {
                    dense[x.1 as usize] = 0.0;
                }
                out
            },
        )
        .collect();
    for (i, w) in weights.into_iter().flatten() {
        edges[i].weight = w;
    }
}

/// Keeps the edges `backbone` selects, in their order.
pub(crate) fn apply_backbone(edges: Vec<CoActionEdge>, backbone: Backbone) -> Vec<CoActionEdge> {
    let m = edges.len();
    let heavier = |x: &CoActionEdge, y: &CoActionEdge| {
        y.weight
            .total_cmp(&x.weight)
            .then((x.source, x.target).cmp(&(y.source, y.target)))
    };
    let keep: Vec<bool> = match backbone {
        Backbone::All => return edges,
        Backbone::TopFraction(f) => {
            let kept = ((f * m as f64).ceil() as usize).min(m);
            let mut order: Vec<usize> = (0..m).collect();
            order.par_sort_unstable_by(|&i, &j| heavier(&edges[i], &edges[j]));
            let mut keep = vec![false; m];
            for &i in &order[..kept] {
                keep[i] = true;
            }
            keep
        }
        Backbone::TopKPerNode(k) => {
            // Incident edges of every node, by counting sort on the endpoint.
            let nodes = edges
                .iter()
                .map(|e| e.target.max(e.source) as usize + 1)
                .max()
                .unwrap_or(0);
            let mut start = vec![0usize; nodes + 1];
            for e in &edges {
                start[e.source as usize + 1] += 1;
                start[e.target as usize + 1] += 1;
            }
            for v in 0..nodes {
                start[v + 1] += start[v];
            }
            let mut fill = start.clone();
            let mut incident = vec![0usize; 2 * m];
            for (i, e) in edges.iter().enumerate() {
                for v in [e.source, e.target] {
                    incident[fill[v as usize]] = i;
                    fill[v as usize] += 1;
                }
            }
            let mut keep = vec![false; m];
            for v in 0..nodes {
                let list = &mut incident[start[v]..start[v + 1]];
                list.sort_unstable_by(|&i, &j| heavier(&edges[i], &edges[j]));
                for &i in list.iter().take(k) {
                    keep[i] = true;
                }
            }
            keep
        }
    };
    edges
        .into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(source: u32, target: u32, weight: f64) -> CoActionEdge {
        CoActionEdge {
            source,
            target,
            weight,
            objects: 1,
            pairs: 1,
            min_dt_ms: 0,
            median_dt_ms: 0.0,
            first_ms: 0,
            last_ms: 0,
            source_first: 0,
            target_first: 0,
        }
    }

    #[test]
    fn tfidf_cosine_matches_a_hand_computation() {
        // Accounts 0 and 1 share object 0; account 1 also acts on object 1 twice; account 2
        // acts on object 1 only.
        let mut edges = vec![edge(0, 1, 0.0), edge(1, 2, 0.0)];
        tfidf_cosine(vec![(0, 0), (1, 0), (1, 1), (1, 1), (2, 1)], &mut edges);
        // N = 3, df(0) = df(1) = 2, so idf is the same for both objects and cancels out.
        // Row 1 ∝ (1, 1 + ln 2); row 0 = (1, 0); row 2 = (0, 1).
        let w = 1.0 + 2f64.ln();
        let norm = (1.0 + w * w).sqrt();
        assert!((edges[0].weight - 1.0 / norm).abs() < 1e-12);
        assert!((edges[1].weight - w / norm).abs() < 1e-12);
    }

    #[test]
    fn backbones_keep_the_heaviest() {
        let edges = vec![
            edge(0, 1, 3.0),
            edge(0, 2, 1.0),
            edge(1, 2, 2.0),
            edge(3, 4, 1.0),
        ];
        let top = apply_backbone(edges.clone(), Backbone::TopFraction(0.5));
        assert_eq!(
            top.iter().map(|e| (e.source, e.target)).collect::<Vec<_>>(),
            [(0, 1), (1, 2)]
        );
        // Top-1 per node: 0 -> (0,1); 1 -> (0,1); 2 -> (1,2); 3, 4 -> (3,4).
        let top1 = apply_backbone(edges, Backbone::TopKPerNode(1));
        assert_eq!(
            top1.iter()
                .map(|e| (e.source, e.target))
                .collect::<Vec<_>>(),
            [(0, 1), (1, 2), (3, 4)]
        );
    }
}
