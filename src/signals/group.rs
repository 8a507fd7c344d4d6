/*!
Evidence about a set of member accounts: how tightly their creation dates cluster, and which
languages and declared locations they share.
*/

use std::collections::BTreeMap;

use serde::Serialize;

use super::DAY_MS;
use super::account::AccountSignals;
use crate::model::{AccountIx, Collection, NO_TIME};

/// How tightly the members' creation dates cluster, against all accounts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CreationClustering {
    /// Members whose creation date is known.
    pub members_with_date: u32,
    /// Start of the window holding the most members (ms; the creation time of a member).
    pub window_start_ms: i64,
    /// End of that window, exclusive (ms).
    pub window_end_ms: i64,
    /// Members created in the window.
    pub in_window: u32,
    /// `in_window / members_with_date`.
    pub share: f64,
    /// Share of all accounts with a known creation date created in the same window: what
    /// members drawn at random from all accounts would give.
    pub baseline_share: f64,
    /// `share / baseline_share`.
    pub lift: f64,
    /// Binomial z-score of `in_window` against `members_with_date · baseline_share`.
    pub z: f64,
}

/// The densest window of `window_days` days in the members' creation dates, compared with all
/// accounts of the collection.
///
/// # Arguments
/// - `c`: the collection (creation dates come from profiles).
/// - `members`: the accounts of the group (repeats are ignored).
/// - `window_days`: the window width (e.g. [`super::SignalOptions::creation_window_days`]).
///
/// # Returns
/// `None` when no member has a known creation date. Among windows with the most members, the
/// earliest.
///
/// # Complexity
/// `O(m log m + A log A)` for `m` members and `A` accounts.
pub fn creation_clustering(
    c: &Collection,
    members: &[AccountIx],
    window_days: u32,
) -> Option<CreationClustering> {
    creation_clustering_against(c, members, window_days, &creation_times(c))
}

/// The known creation dates of all accounts, sorted: the baseline of
/// [`creation_clustering_against`].
pub fn creation_times(c: &Collection) -> Vec<i64> {
    let mut all: Vec<i64> = (0..c.accounts.len() as AccountIx)
        .filter_map(|a| {
            c.accounts
                .profile(a)
                .map(|p| p.created_ms)
                .filter(|&t| t != NO_TIME)
        })
        .collect();
    all.sort_unstable();
    all
}

/// [`creation_clustering`] against precomputed sorted creation dates of all accounts
/// ([`creation_times`]), for many groups: `O(m log m + log A)` per group.
pub fn creation_clustering_against(
    c: &Collection,
    members: &[AccountIx],
    window_days: u32,
    all: &[i64],
) -> Option<CreationClustering> {
    let created = |a: AccountIx| {
        c.accounts
            .profile(a)
            .map(|p| p.created_ms)
            .filter(|&t| t != NO_TIME)
    };
    let mut members: Vec<AccountIx> = members
        .iter()
        .copied()
        .filter(|&a| (a as usize) < c.accounts.len())
        .collect();
    members.sort_unstable();
    members.dedup();
    let mut times: Vec<i64> = members.iter().filter_map(|&a| created(a)).collect();
    if times.is_empty() {
        return None;
    }
    times.sort_unstable();
    let window = i64::from(window_days.max(1)) * DAY_MS;
    let (mut best_start, mut best_count) = (times[0], 0usize);
    for (i, &t) in times.iter().enumerate() {
        let count = times[i..].partition_point(|&u| u < t.saturating_add(window));
        if count > best_count {
            (best_start, best_count) = (t, count);
        }
    }
    let end = best_start.saturating_add(window);
    let in_all = all.partition_point(|&t| t < end) - all.partition_point(|&t| t < best_start);
    let n = times.len() as f64;
    let share = best_count as f64 / n;
    let p = in_all as f64 / all.len() as f64;
    let var = n * p * (1.0 - p);
    Some(CreationClustering {
        members_with_date: times.len() as u32,
        window_start_ms: best_start,
        window_end_ms: end,
        in_window: best_count as u32,
        share,
        baseline_share: p,
        lift: share / p,
        z: if var > 0.0 {
            (best_count as f64 - n * p) / var.sqrt()
        } else {
            0.0
        },
    })
}

/// A value shared by some accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueCount {
    /// The value.
    pub value: String,
    /// Accounts with it.
    pub accounts: u32,
    /// `accounts` over the members with any value.
    pub share: f64,
}

/// The `top_k` most common values with their shares, most common first (ties in value order).
pub(crate) fn top(counts: BTreeMap<String, u32>, top_k: usize) -> Vec<ValueCount> {
    let total: u32 = counts.values().sum();
    let mut v: Vec<ValueCount> = counts
        .into_iter()
        .map(|(value, accounts)| ValueCount {
            value,
            accounts,
            share: f64::from(accounts) / f64::from(total.max(1)),
        })
        .collect();
    // The map iterates in value order, so a stable sort keeps ties in that order.
    v.sort_by_key(|c| std::cmp::Reverse(c.accounts));
    v.truncate(top_k);
    v
}

fn dedup(members: &[AccountIx]) -> Vec<AccountIx> {
    let mut m = members.to_vec();
    m.sort_unstable();
    m.dedup();
    m
}

/// The members' main languages (each member's most frequent record language, see
/// [`super::AccountSignal::lang`]), most common first (ties by code), at most `top_k`.
///
/// `O(m log m)` for `m` members.
pub fn languages(signals: &AccountSignals, members: &[AccountIx], top_k: usize) -> Vec<ValueCount> {
    let mut counts = BTreeMap::new();
    for a in dedup(members) {
        if let Some(lang) = signals.get(a).and_then(|s| s.lang.as_deref()) {
            *counts.entry(lang.to_owned()).or_insert(0) += 1;
        }
    }
    top(counts, top_k)
}

/// The members' declared locations, trimmed and lower-cased, most common first (ties by
/// text), at most `top_k`; empty locations are left out.
///
/// `O(m log m)` for `m` members.
pub fn locations(c: &Collection, members: &[AccountIx], top_k: usize) -> Vec<ValueCount> {
    let mut counts = BTreeMap::new();
    for a in dedup(members) {
        if (a as usize) >= c.accounts.len() {
            continue;
        }
        if let Some(p) = c.accounts.profile(a) {
            let loc = p.location.trim().to_lowercase();
            if !loc.is_empty() {
                *counts.entry(loc).or_insert(0) += 1;
            }
        }
    }
    top(counts, top_k)
}
