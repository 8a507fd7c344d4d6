/*!
The windowed pairing engine shared by every co-action kind: actions grouped by object, each
object swept in time order, every action paired with the later actions of other accounts within
the window.

# Algorithm
1. One parallel sort of the actions by (object, time, account, post) lays every object out as
   a contiguous, time-ordered run (a *group*).
2. Per group, a two-pointer pass counts the in-window action pairs started by each action,
   `n_i = |{ j > i : t_j − t_i ≤ W }|`, in O(k).
3. Groups are cut into tasks of about [`TASK_PAIRS`] pairs: many small groups per task, or one
   large group split by ranges of `i`. A group whose in-window pairs exceed the cap is swept
   only for its first actions `i < i_cut`, where `Σ_{i < i_cut} n_i ≤ cap`.
4. Tasks run on rayon; each hands the cross-account pairs `(i, j)` it meets to the caller's
   `emit`, which writes into the task's own output vector (no shared state, no allocation per
   pair); the caller's `finish` then turns that vector into the task's part (e.g. splits it
   by account range), so the buffers of finished tasks never pile up.

# Complexity
O(A log A) for the sort of A actions, plus O(Σ_o min(P_o, cap)) for the sweeps, where P_o is
the number of in-window pairs of object o; never O(k²) for an object of k actions unless its
k actions all fall within one window.

The plan depends only on the data, so the set of pairs emitted does not depend on the number
of threads.
*/

use rayon::prelude::*;

use super::actions::Action;
use crate::model::advise_huge_pages;

/// What fills the output of the counting sort before every slot is written.
const PLACEHOLDER: Action = Action {
    object: 0,
    time_ms: 0,
    account: 0,
    post: 0,
};

/// About this many in-window pairs (or actions, for sparse groups) per rayon task.
pub(crate) const TASK_PAIRS: u64 = 1 << 16;

/// Actions sorted by (object, time, account, post), with the start of each object's group.
pub(crate) struct Grouped {
    /// The sorted actions.
    pub actions: Vec<Action>,
    /// `actions[starts[g]..starts[g + 1]]` is group `g`.
    pub starts: Vec<usize>,
}

/// Fewer actions than this are sorted whole: counting them by object would cost more.
const COUNTING_MIN_ACTIONS: usize = 1 << 12;

/// Groups larger than this are sorted on all threads.
const PARALLEL_GROUP: usize = 1 << 15;

impl Grouped {
    /// Sorts `actions` and finds the groups.
    pub(crate) fn new(actions: Vec<Action>) -> Self {
        Self::from_parts(vec![actions])
    }

    /// Sorts the actions of all `parts` into one vector and finds the groups.
    ///
    /// Objects that are dense indices (posts, symbols, accounts: below a small multiple of the
    /// number of actions) are grouped by a counting sort, each range of objects scattered by
    /// its own task, and each group then sorted on its own; other objects (text fingerprints)
    /// by one parallel sort of everything. Both give the same order, (object, time, account,
    /// post), since equal keys are equal actions.
    ///
    /// # Complexity
    /// O(A + M + Σ_g k_g log k_g) for A actions over objects below M with groups of k_g
    /// actions, on the dense path; O(A log A) otherwise.
    pub(crate) fn from_parts(parts: Vec<Vec<Action>>) -> Self {
        let n: usize = parts.iter().map(Vec::len).sum();
        let objects = parts
            .par_iter()
            .filter_map(|p| p.iter().map(|a| a.object).max())
            .max()
            .map_or(0, |m| m.saturating_add(1));
        let dense_bound = (n as u64).saturating_mul(4).saturating_add(1 << 16);
        if n >= COUNTING_MIN_ACTIONS && n < u32::MAX as usize && objects <= dense_bound {
            Self::by_counting(&parts, n, objects as usize)
        } else {
            Self::by_sorting(super::actions::concat_parts(parts))
        }
    }

    /// One parallel sort of all actions.
    fn by_sorting(mut actions: Vec<Action>) -> Self {
        actions.par_sort_unstable();
        let mut starts = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            if i == 0 || actions[i - 1].object != a.object {
                starts.push(i);
            }
        }
        starts.push(actions.len());
        Grouped { actions, starts }
    }

    /// A counting sort by object (all objects below `objects`), then a sort of each group.
    fn by_counting(parts: &[Vec<Action>], n: usize, objects: usize) -> Self {
        // Actions per object, then the first position of each object's group.
        let mut cursor = vec![0u32; objects];
        for part in parts {
            for a in part {
                cursor[a.object as usize] += 1;
            }
        }
        let mut starts = Vec::new();
        let mut sum = 0u32;
        for slot in cursor.iter_mut() {
            let count = *slot;
            if count > 0 {
                starts.push(sum as usize);
            }
            *slot = sum;
            sum += count;
        }
        starts.push(n);

        let mut actions: Vec<Action> = Vec::with_capacity(n);
        advise_huge_pages(&actions);
        actions.par_extend(rayon::iter::repeat_n(PLACEHOLDER, n));

        // Ranges of objects with about the same number of actions, one task each: every task
        // reads all actions and places those of its range, into its own part of the output.
        let tasks = rayon::current_num_threads().clamp(1, 8);
        let mut bounds = vec![0usize];
        for k in 1..tasks {
            let target = (n * k / tasks) as u32;
            let o = cursor
                .partition_point(|&c| c < target)
                .max(*bounds.last().unwrap_or(&0));
            bounds.push(o);
        }
        bounds.push(objects);
        let mut jobs = Vec::with_capacity(tasks);
        let (mut rest_out, mut rest_cursor) = (&mut actions[..], &mut cursor[..]);
        let mut first_action = 0usize;
        for w in bounds.windows(2) {
            let (lo, hi) = (w[0], w[1]);
            let end_action = rest_cursor.get(hi - lo).map_or(n, |&c| c as usize);
            let (cur, cur_rest) = rest_cursor.split_at_mut(hi - lo);
            let (out, out_rest) = rest_out.split_at_mut(end_action - first_action);
            jobs.push((lo as u64, hi as u64, first_action, out, cur));
            (rest_out, rest_cursor) = (out_rest, cur_rest);
            first_action = end_action;
        }
        let starts_ref = &starts;
        jobs.into_par_iter().for_each(|(lo, hi, base, out, cur)| {
            for part in parts {
                for a in part {
                    if (lo..hi).contains(&a.object) {
                        let c = &mut cur[(a.object - lo) as usize];
                        out[*c as usize - base] = *a;
                        *c += 1;
                    }
                }
            }
            let g0 = starts_ref.partition_point(|&s| s < base);
            let end = base + out.len();
            for w in starts_ref[g0..].windows(2).take_while(|w| w[0] < end) {
                let group = &mut out[w[0] - base..w[1] - base];
                if group.len() > PARALLEL_GROUP {
                    group.par_sort_unstable();
                } else if group.len() > 1 {
                    group.sort_unstable();
                }
            }
        });
        Grouped { actions, starts }
    }

    /// Number of groups.
    pub(crate) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The actions of group `g`.
    pub(crate) fn group(&self, g: usize) -> &[Action] {
        &self.actions[self.starts[g]..self.starts[g + 1]]
    }

    /// The group of every action, as a vector parallel to `actions`.
    pub(crate) fn group_of_actions(&self) -> Vec<u32> {
        let mut out = vec![0u32; self.actions.len()];
        for g in 0..self.len() {
            out[self.starts[g]..self.starts[g + 1]].fill(g as u32);
        }
        out
    }
}

/// A group whose pairs were capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Capped {
    /// The group.
    pub group: u32,
    /// Actions in the group.
    pub actions: u64,
    /// Cross-account in-window pairs of the group.
    pub pairs: u64,
    /// Of those, how many were handed to `emit`.
    pub materialised: u64,
}

/// What a sweep produced: the outputs of all tasks (one part per task, in plan order), the
/// capped groups, and the number of cross-account pairs handed to `emit`.
pub(crate) struct SweepOutput<P> {
    pub parts: Vec<P>,
    pub capped: Vec<Capped>,
    pub pairs: u64,
}

#[derive(Debug, Clone, Copy)]
struct Task {
    /// First and one-past-last group.
    g0: usize,
    g1: usize,
    /// Range of `i` within the group, when the task covers part of one group.
    part: Option<(usize, usize)>,
    /// At least the pairs the task emits (in-window pairs, same-account ones included), to
    /// size its output once.
    pairs: u64,
}

/// `n_i` for every action of a group: how many later actions fall within the window.
fn pairs_started(group: &[Action], window_ms: i64, out: &mut Vec<u64>) {
    out.clear();
    let mut hi = 0;
    for i in 0..group.len() {
        hi = hi.max(i + 1);
        while hi < group.len() && group[hi].time_ms - group[i].time_ms <= window_ms {
            hi += 1;
        }
        out.push((hi - i - 1) as u64);
    }
}

/// In-window pairs of each group, all accounts included: what plans a sweep, and an upper
/// bound of what it emits, known before it runs.
pub(crate) fn window_pairs_per_group(grouped: &Grouped, window_ms: i64) -> Vec<u64> {
    (0..grouped.len())
        .into_par_iter()
        .map(|g| window_pairs(grouped.group(g), window_ms))
        .collect()
}

/// In-window pairs of a group, all accounts included.
fn window_pairs(group: &[Action], window_ms: i64) -> u64 {
    window_counts(group, window_ms).0
}

/// The in-window pairs of a time-ordered group, all accounts included, and its peak crowd:
/// the most actions within one window, `max_i |{ j ≥ i : t_j − t_i ≤ W }|`. One two-pointer
/// pass.
pub(crate) fn window_counts(group: &[Action], window_ms: i64) -> (u64, u64) {
    let mut hi = 0;
    let mut total = 0u64;
    let mut peak = 0;
    for i in 0..group.len() {
        hi = hi.max(i + 1);
        while hi < group.len() && group[hi].time_ms - group[i].time_ms <= window_ms {
            hi += 1;
        }
        total += (hi - i - 1) as u64;
        peak = peak.max(hi - i);
    }
    (total, peak as u64)
}

/// In-window pairs of a group made by one account with itself.
fn same_account_window_pairs(group: &[Action], window_ms: i64) -> u64 {
    let mut by_account: Vec<(u32, i64)> = group.iter().map(|a| (a.account, a.time_ms)).collect();
    by_account.sort_unstable();
    let mut total = 0u64;
    let mut start = 0;
    while start < by_account.len() {
        let mut end = start;
        while end < by_account.len() && by_account[end].0 == by_account[start].0 {
            end += 1;
        }
        let run = &by_account[start..end];
        let mut hi = 0;
        for i in 0..run.len() {
            hi = hi.max(i + 1);
            while hi < run.len() && run[hi].1 - run[i].1 <= window_ms {
                hi += 1;
            }
            total += (hi - i - 1) as u64;
        }
        start = end;
    }
    total
}

/// Runs `emit(group_index, group, i, j, out)` for every cross-account in-window pair `(i, j)`,
/// `i < j`, of every group, within the per-group `cap`; see the module docs.
pub(crate) fn sweep<T, F>(
    grouped: &Grouped,
    window_ms: i64,
    cap: u64,
    emit: F,
) -> SweepOutput<Vec<T>>
where
    T: Send,
    F: Fn(u32, &[Action], usize, usize, &mut Vec<T>) + Sync,
{
    let totals = window_pairs_per_group(grouped, window_ms);
    sweep_into(
        grouped,
        window_ms,
        cap,
        &totals,
        false,
        emit,
        std::mem::take,
    )
}

/// [`sweep`], given the groups' [`window_pairs_per_group`], with each task's output vector
/// turned into the task's part by `finish` as soon as the task ends. The vector is cleared and
/// reused by later tasks on the same thread, whose output then lands in memory already
/// faulted in; `finish` may take it instead. With `one_per_pair` (`emit` pushes one item per
/// pair), each task's vector is sized once for its in-window pairs, instead of growing.
pub(crate) fn sweep_into<T, P, F, G>(
    grouped: &Grouped,
    window_ms: i64,
    cap: u64,
    totals: &[u64],
    one_per_pair: bool,
    emit: F,
    finish: G,
) -> SweepOutput<P>
where
    T: Send,
    P: Send,
    F: Fn(u32, &[Action], usize, usize, &mut Vec<T>) + Sync,
    G: Fn(&mut Vec<T>) -> P + Sync,
{
    let groups = grouped.len();
    // Plan the tasks.
    let mut tasks = Vec::new();
    let mut capped_groups = Vec::new();
    let mut n_i = Vec::new();
    let mut g0 = 0;
    let mut load = 0u64;
    let mut pending_pairs = 0u64;
    for (g, &total) in totals.iter().enumerate() {
        let size = grouped.starts[g + 1] - grouped.starts[g];
        let work = total + size as u64;
        if work <= TASK_PAIRS && total <= cap {
            if load + work > TASK_PAIRS && g > g0 {
                tasks.push(Task {
                    g0,
                    g1: g,
                    part: None,
                    pairs: pending_pairs,
                });
                g0 = g;
                load = 0;
                pending_pairs = 0;
            }
            load += work;
            pending_pairs += total;
            continue;
        }
        // A large group: close the pending small ones, then split this one by ranges of i.
        if g > g0 {
            tasks.push(Task {
                g0,
                g1: g,
                part: None,
                pairs: pending_pairs,
            });
        }
        g0 = g + 1;
        load = 0;
        pending_pairs = 0;
        pairs_started(grouped.group(g), window_ms, &mut n_i);
        let mut i_cut = n_i.len();
        if total > cap {
            let mut sum = 0u64;
            i_cut = 0;
            while i_cut < n_i.len() && sum + n_i[i_cut] <= cap {
                sum += n_i[i_cut];
                i_cut += 1;
            }
            capped_groups.push(g);
        }
        let mut start = 0;
        let mut part_load = 0u64;
        let mut part_pairs = 0u64;
        for (i, &n) in n_i.iter().enumerate().take(i_cut) {
            part_load += n + 1;
            part_pairs += n;
            if part_load >= TASK_PAIRS {
                tasks.push(Task {
                    g0: g,
                    g1: g + 1,
                    part: Some((start, i + 1)),
                    pairs: part_pairs,
                });
                start = i + 1;
                part_load = 0;
                part_pairs = 0;
            }
        }
        if start < i_cut {
            tasks.push(Task {
                g0: g,
                g1: g + 1,
                part: Some((start, i_cut)),
                pairs: part_pairs,
            });
        }
    }
    if groups > g0 {
        tasks.push(Task {
            g0,
            g1: groups,
            part: None,
            pairs: pending_pairs,
        });
    }

    // Sweep.
    let results: Vec<(P, u64)> = tasks
        .par_iter()
        .map_init(Vec::new, |out, task| {
            out.clear();
            if one_per_pair {
                out.reserve(usize::try_from(task.pairs).unwrap_or(0));
            }
            let mut emitted = 0u64;
            for g in task.g0..task.g1 {
                let group = grouped.group(g);
                let (lo, hi) = task.part.unwrap_or((0, group.len()));
                for i in lo..hi {
                    let a = group[i];
                    for (j, b) in group.iter().enumerate().skip(i + 1) {
                        if b.time_ms - a.time_ms > window_ms {
                            break;
                        }
                        if b.account != a.account {
                            emitted += 1;
                            emit(g as u32, group, i, j, out);
                        }
                    }
                }
            }
            (finish(out), emitted)
        })
        .collect();

    // Materialised pairs per capped group, from the tasks that cover it.
    let mut capped = Vec::with_capacity(capped_groups.len());
    for &g in &capped_groups {
        let group = grouped.group(g);
        let pairs = totals[g] - same_account_window_pairs(group, window_ms);
        let materialised: u64 = tasks
            .iter()
            .zip(&results)
            .filter(|(t, _)| t.part.is_some() && t.g0 == g)
            .map(|(_, r)| r.1)
            .sum();
        capped.push(Capped {
            group: g as u32,
            actions: group.len() as u64,
            pairs,
            materialised,
        });
    }
    let pairs = results.iter().map(|r| r.1).sum();
    let parts = results.into_iter().map(|r| r.0).collect();
    SweepOutput {
        parts,
        capped,
        pairs,
    }
}

impl<T> SweepOutput<Vec<T>> {
    /// The outputs of all tasks in one vector.
    pub(crate) fn concat(&mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.parts.iter().map(Vec::len).sum());
        for part in self.parts.drain(..) {
            out.extend(part);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(object: u64, secs: i64, account: u32, post: u32) -> Action {
        Action {
            object,
            time_ms: secs * 1000,
            account,
            post,
        }
    }

    #[test]
    fn pairs_respect_the_inclusive_window_and_skip_self_pairs() {
        let grouped = Grouped::new(vec![
            act(1, 0, 0, 0),
            act(1, 60, 1, 1),
            act(1, 121, 2, 2),
            act(1, 61, 0, 3),
            act(2, 0, 3, 4),
        ]);
        let res = sweep(&grouped, 60_000, u64::MAX, |_, g, i, j, out| {
            out.push((g[i].post, g[j].post))
        });
        let mut res = res;
        let mut pairs = res.concat();
        pairs.sort_unstable();
        // 0-1 (Δt 60 in), 1-3 (Δt 1), 1-2 (Δt 61 out), 3-2 (Δt 60 in); 0-3 same account.
        assert_eq!(pairs, vec![(0, 1), (1, 3), (3, 2)]);
        assert_eq!(res.pairs, 3);
        assert!(res.capped.is_empty());
    }

    #[test]
    fn a_capped_group_reports_what_was_left_out() {
        // 10 accounts at the same second: 45 pairs; cap 20 keeps i = 0 (9) and i = 1 (8).
        let actions = (0..10).map(|k| act(7, 5, k, k)).collect();
        let grouped = Grouped::new(actions);
        let res = sweep(&grouped, 0, 20, |_, _, _, _, out: &mut Vec<()>| {
            out.push(())
        });
        assert_eq!(res.parts.iter().map(Vec::len).sum::<usize>(), 17);
        assert_eq!(
            res.capped,
            vec![Capped {
                group: 0,
                actions: 10,
                pairs: 45,
                materialised: 17
            }]
        );
    }

    /// The counting sort by object and the sort of everything give the same groups, whatever
    /// the parts and the thread count.
    #[test]
    fn counting_and_sorting_group_alike() {
        let mut next = crate::graph::xorshift(0x9e37_79b9_7f4a_7c15_u64);
        // Skewed objects, with one object much larger than the others.
        let actions: Vec<Action> = (0..80_000u32)
            .map(|k| {
                let r = next();
                let object = if r.is_multiple_of(2) {
                    7
                } else {
                    (r >> 8) % 20_000
                };
                act(object, (next() % 500) as i64, (next() % 300) as u32, k)
            })
            .collect();
        let sorted = Grouped::by_sorting(actions.clone());
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let parts: Vec<Vec<Action>> = actions.chunks(7_000).map(<[_]>::to_vec).collect();
            let counted = pool.install(|| Grouped::by_counting(&parts, actions.len(), 20_000));
            assert_eq!(counted.actions, sorted.actions);
            assert_eq!(counted.starts, sorted.starts);
            let from_parts = pool.install(|| Grouped::from_parts(parts));
            assert_eq!(from_parts.actions, sorted.actions);
            assert_eq!(from_parts.starts, sorted.starts);
        }
        assert!(sorted.len() > 10_000);
    }

    #[test]
    fn same_account_pairs_are_not_counted_as_co_actions() {
        let g = [
            act(1, 0, 0, 0),
            act(1, 1, 0, 1),
            act(1, 2, 1, 2),
            act(1, 100, 0, 3),
        ];
        assert_eq!(window_pairs(&g, 10_000), 3);
        assert_eq!(same_account_window_pairs(&g, 10_000), 1);
    }
}
