/*!
The charts of the HTML report, drawn as inline SVG from `report.json` alone:

| Chart | Class (id) | What it shows |
|---|---|---|
| [`ranking_chart`] | `chart-ranking` | suspicion per cluster, stacked by its parts, flagged outlined |
| [`timeline_chart`] | `chart-timeline` (`-{cluster id}`) | a cluster's records over time against all records |
| [`latency_chart`] | `chart-latency` (`-{cluster id}`) | co-action latencies: the cluster, its null model, all pairs |
| [`bot_score_chart`] | `chart-bot-scores` | bot-likeness of flagged members against all accounts |
| [`bio_terms_chart`] | `chart-bio-terms` (`-{cluster id}`) | over-represented bio terms, z per term with counts |
| [`dormancy_chart`] | `chart-dormancy` | activity, dormancy gap and burst of reactivated accounts |

Each `<svg>` has the class `chart` and its chart's class, and an id: the class, followed by
`-` and the cluster id for the per-cluster charts.

Series of different sizes are compared as shares (each series sums to 1), so a cluster of 30
accounts and a collection of a million records fit one axis. Every chart has a title, axis
labels and a legend; bars carry hover tooltips (`<title>`), so no script is needed. A chart
without data still renders, with a note saying so, so a page always has the same charts.
*/

use std::collections::BTreeMap;

use super::render::{count, decimal, duration, percent, plural, truncate};
use super::svg::{Anchor, Svg};
use super::{Account, Cluster, LatencyHistogram, Report, Timeline};
use crate::ingest::time::{format_rfc3339, parse_iso_date};

/// The class of each chart, in the order of the table above.
pub const CHART_CLASSES: [&str; 6] = [
    "chart-ranking",
    "chart-timeline",
    "chart-latency",
    "chart-bot-scores",
    "chart-bio-terms",
    "chart-dormancy",
];

/// Width of every chart, in SVG user units (CSS pixels at 100 %).
const WIDTH: f64 = 760.0;
/// Most clusters in the ranking chart.
const MAX_RANKED: usize = 30;
/// Most bio terms in a cluster's bio-term chart.
const MAX_TERMS: usize = 15;
/// Most accounts in the dormancy chart.
pub const MAX_DORMANT: usize = 50;

/// The suspicion components, in stacking order, with their colours (Kelly's colours of
/// maximum contrast, as the graph exports use).
const PARTS: [(&str, &str); 5] = [
    ("coordination", "#0067a5"),
    ("synchrony", "#e25822"),
    ("automation", "#875692"),
    ("dormancy", "#008856"),
    ("creation", "#c2b280"),
];
/// A cluster's own series.
const CLUSTER_COLOUR: &str = "#be0032";
/// The collection's series.
const BASELINE_COLOUR: &str = "#8c8c8c";
/// The null model's series.
const NULL_COLOUR: &str = "#a1caf1";

/// A linear map from a data interval onto a pixel interval.
#[derive(Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        let d1 = if d1 > d0 { d1 } else { d0 + 1.0 };
        Scale { d0, d1, r0, r1 }
    }

    fn at(self, x: f64) -> f64 {
        let x = if x.is_finite() { x } else { self.d0 };
        self.r0 + (x - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// A finite, non-negative value (0 otherwise): report numbers drive lengths.
fn nonneg(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// Each value divided by the sum (all zeros when the sum is zero).
fn shares(values: &[f64]) -> Vec<f64> {
    let total: f64 = values.iter().copied().map(nonneg).sum();
    values
        .iter()
        .map(|&v| if total > 0.0 { nonneg(v) / total } else { 0.0 })
        .collect()
}

/// A time for an axis: `2017-05-05 14:00`.
fn axis_time(ms: i64) -> String {
    let s = format_rfc3339(ms);
    s.get(..16).map_or(s.clone(), |p| p.replace('T', " "))
}

/// A date for an axis: `2017-05-05`.
fn axis_date(ms: i64) -> String {
    let s = format_rfc3339(ms);
    s.get(..10).unwrap_or(&s).to_owned()
}

/// Draws a left axis from 0 to `max` share with `ticks` + 1 labelled ticks and its label.
fn share_axis(svg: &mut Svg, y: Scale, x: f64, max: f64, ticks: usize, label: &str) {
    svg.group("axis axis-y");
    svg.line("axis-line", x, y.at(0.0), x, y.at(max));
    for i in 0..=ticks {
        let v = max * i as f64 / ticks as f64;
        svg.line("tick", x - 4.0, y.at(v), x, y.at(v));
        svg.text(
            "tick-label",
            x - 6.0,
            y.at(v) + 4.0,
            Anchor::End,
            &percent(v),
        );
    }
    svg.vertical_text("axis-label", 14.0, (y.at(0.0) + y.at(max)) / 2.0, label);
    svg.end_group();
}

/// A note in place of a chart's data.
fn no_data(svg: &mut Svg, y: f64, note: &str) {
    svg.text("no-data", WIDTH / 2.0, y, Anchor::Middle, note);
}

/// A share axis for values up to `max`: its top and its number of steps, so that ticks fall
/// on round percentages (5 % steps up to 10 %, 10 % steps up to 50 %, 20 % steps beyond).
fn share_axis_range(max: f64) -> (f64, usize) {
    let tenths = ((nonneg(max) * 10.0 - 1e-9).ceil() as usize).clamp(1, 10);
    match tenths {
        1 => (0.1, 2),
        2..=5 => (tenths as f64 / 10.0, tenths),
        _ => {
            let even = tenths + tenths % 2;
            (even as f64 / 10.0, even / 2)
        }
    }
}

/// (a) The clusters by suspicion, stacked by [`super::SuspicionParts`], flagged clusters
/// outlined and labelled, with the flag threshold. At most 30 clusters, by rank.
pub fn ranking_chart(report: &Report) -> String {
    let mut ranked: Vec<&Cluster> = report.clusters.iter().collect();
    ranked.sort_by_key(|c| c.rank);
    let shown = &ranked[..ranked.len().min(MAX_RANKED)];
    let row = 20.0;
    let top = 56.0;
    let height = top + row * shown.len().max(1) as f64 + 50.0;
    let mut svg = Svg::new(
        "chart-ranking",
        "chart-ranking",
        WIDTH,
        height,
        "Clusters by suspicion",
    );
    for (i, (name, colour)) in PARTS.iter().enumerate() {
        svg.legend(8.0 + 120.0 * i as f64, 38.0, colour, name);
    }
    if shown.is_empty() {
        no_data(&mut svg, top + 14.0, "no clusters");
        return svg.finish();
    }
    let part_values = |c: &Cluster| {
        let p = &c.suspicion_parts;
        [
            p.coordination,
            p.synchrony,
            p.automation,
            p.dormancy,
            p.creation,
        ]
        .map(nonneg)
    };
    let max = shown
        .iter()
        .map(|c| part_values(c).iter().sum::<f64>().max(nonneg(c.suspicion)))
        .fold(1.0, f64::max);
    let x = Scale::new(0.0, max, 230.0, WIDTH - 60.0);
    let bottom = top + row * shown.len() as f64;
    for (i, c) in shown.iter().enumerate() {
        let y = top + row * i as f64;
        let label_class = if c.flagged { "label flagged" } else { "label" };
        let label = format!(
            "#{} cluster {} ({} members){}",
            c.rank,
            c.id,
            count(u64::from(c.size)),
            if c.flagged { " ⚑" } else { "" }
        );
        svg.text(label_class, 224.0, y + 14.0, Anchor::End, &label);
        svg.group(if c.flagged {
            "bar-stack flagged"
        } else {
            "bar-stack"
        });
        let mut start = 0.0;
        for ((name, colour), value) in PARTS.iter().zip(part_values(c)) {
            if value <= 0.0 {
                continue;
            }
            let tip = format!("cluster {}: {name} {}", c.id, decimal(value, 3));
            let (x0, x1) = (x.at(start), x.at(start + value));
            svg.rect("bar", x0, y + 3.0, x1 - x0, 14.0, Some(colour), Some(&tip));
            start += value;
        }
        if c.flagged {
            let x1 = x.at(start.max(nonneg(c.suspicion)));
            let (x0, fill) = (x.at(0.0), Some("none"));
            svg.rect("flagged-outline", x0, y + 1.0, x1 - x0, 18.0, fill, None);
        }
        svg.end_group();
        let value_x = x.at(start.max(nonneg(c.suspicion))) + 5.0;
        svg.text(
            "value",
            value_x,
            y + 14.0,
            Anchor::Start,
            &decimal(c.suspicion, 2),
        );
    }
    let threshold = nonneg(report.parameters.flag_threshold).min(max);
    svg.line(
        "threshold",
        x.at(threshold),
        top - 4.0,
        x.at(threshold),
        bottom + 2.0,
    );
    let threshold_label = format!("flag at {}", decimal(report.parameters.flag_threshold, 2));
    svg.text(
        "threshold-label",
        x.at(threshold),
        top - 6.0,
        Anchor::Middle,
        &threshold_label,
    );
    svg.group("axis axis-x");
    svg.line(
        "axis-line",
        x.at(0.0),
        bottom + 4.0,
        x.at(max),
        bottom + 4.0,
    );
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        svg.line("tick", x.at(v), bottom + 4.0, x.at(v), bottom + 8.0);
        svg.text(
            "tick-label",
            x.at(v),
            bottom + 20.0,
            Anchor::Middle,
            &decimal(v, 2),
        );
    }
    let axis_label = "suspicion score (stacked by component)";
    svg.text(
        "axis-label",
        x.at(max / 2.0),
        bottom + 38.0,
        Anchor::Middle,
        axis_label,
    );
    svg.end_group();
    if ranked.len() > shown.len() {
        let hidden = (ranked.len() - shown.len()) as u64;
        let more = format!(
            "{} more {} not shown",
            count(hidden),
            plural(hidden, "cluster")
        );
        svg.text("note", WIDTH - 8.0, height - 6.0, Anchor::End, &more);
    }
    svg.finish()
}

/// A timeline's bins as (start ms, width ms), or `None` without a usable start.
fn bins(t: &Timeline) -> Option<(f64, f64)> {
    let start = parse_iso_date(t.start.as_deref()?)?;
    let width = (t.bin_secs.max(1) as f64) * 1000.0;
    Some((start as f64, width))
}

/// (b) A cluster's records over time (bars, share of its records per bin) against every
/// record of the collection (a step line, same normalisation).
pub fn timeline_chart(report: &Report, cluster: &Cluster) -> String {
    let height = 250.0;
    let title = format!("Cluster {}: activity over time", cluster.id);
    let mut svg = Svg::new(
        "chart-timeline",
        &format!("chart-timeline-{}", cluster.id),
        WIDTH,
        height,
        &title,
    );
    let own = &cluster.synchrony.timeline;
    let base = &report.baseline.timeline;
    let own_bins = bins(own).filter(|_| !own.counts.is_empty());
    let Some((own_start, own_width)) = own_bins else {
        no_data(&mut svg, 120.0, "no dated records");
        return svg.finish();
    };
    let base_bins = bins(base).filter(|_| !base.counts.is_empty());
    let own_end = own_start + own_width * own.counts.len() as f64;
    let (t0, t1) = match base_bins {
        Some((s, w)) => (
            s.min(own_start),
            (s + w * base.counts.len() as f64).max(own_end),
        ),
        None => (own_start, own_end),
    };
    let as_f64 = |c: &[u64]| c.iter().map(|&n| n as f64).collect::<Vec<_>>();
    let own_shares = shares(&as_f64(&own.counts));
    let base_shares = shares(&as_f64(&base.counts));
    let (max, ticks) = share_axis_range(
        own_shares
            .iter()
            .chain(base_bins.map_or(&[][..], |_| &base_shares[..]))
            .copied()
            .fold(0.0, f64::max),
    );
    let x = Scale::new(t0, t1, 70.0, WIDTH - 20.0);
    let y = Scale::new(0.0, max, height - 60.0, 50.0);
    let own_total: u64 = own.counts.iter().sum();
    let base_total: u64 = base.counts.iter().sum();
    svg.legend(
        8.0,
        38.0,
        CLUSTER_COLOUR,
        &format!("cluster members ({} records)", count(own_total)),
    );
    if base_bins.is_some() {
        svg.legend(
            260.0,
            38.0,
            BASELINE_COLOUR,
            &format!("all records ({})", count(base_total)),
        );
    }
    share_axis(&mut svg, y, 70.0, max, ticks, "share of records per bin");
    svg.group("series series-cluster");
    for (i, (&n, &share)) in own.counts.iter().zip(&own_shares).enumerate() {
        if n == 0 {
            continue;
        }
        let start = own_start + own_width * i as f64;
        let (x0, x1) = (x.at(start), x.at(start + own_width));
        let tip = format!(
            "{}: {} records ({})",
            axis_time(start as i64),
            count(n),
            percent(share)
        );
        let fill = Some(CLUSTER_COLOUR);
        svg.rect(
            "bar",
            x0,
            y.at(0.0),
            (x1 - x0).max(1.0),
            y.at(share) - y.at(0.0),
            fill,
            Some(&tip),
        );
    }
    svg.end_group();
    if let Some((start, width)) = base_bins {
        let mut points = Vec::with_capacity(base.counts.len() * 2);
        for (i, &share) in base_shares.iter().enumerate() {
            let s = start + width * i as f64;
            points.push((x.at(s), y.at(share)));
            points.push((x.at(s + width), y.at(share)));
        }
        let tip = "all records of the collection";
        svg.polyline("series series-baseline", &points, Some(tip));
    }
    svg.group("axis axis-x");
    let bottom = y.at(0.0);
    svg.line("axis-line", x.at(t0), bottom, x.at(t1), bottom);
    for (v, anchor) in [
        (t0, Anchor::Start),
        ((t0 + t1) / 2.0, Anchor::Middle),
        (t1, Anchor::End),
    ] {
        svg.line("tick", x.at(v), bottom, x.at(v), bottom + 4.0);
        svg.text(
            "tick-label",
            x.at(v),
            bottom + 18.0,
            anchor,
            &axis_time(v as i64),
        );
    }
    let label = format!("time (UTC), bins of {}", duration(Some(own_width / 1000.0)));
    svg.text(
        "axis-label",
        x.at((t0 + t1) / 2.0),
        bottom + 36.0,
        Anchor::Middle,
        &label,
    );
    svg.end_group();
    svg.finish()
}

/// A histogram's observed counts, as floats.
fn observed(h: &LatencyHistogram) -> Vec<f64> {
    h.observed.iter().map(|&n| n as f64).collect()
}

/// (c) Co-action latencies by bin as shares: the cluster's pairs, its null model (the mean of
/// the shuffled rounds) and every co-action pair of the graph.
pub fn latency_chart(report: &Report, cluster: &Cluster) -> String {
    let height = 260.0;
    let title = format!("Cluster {}: co-action latency |Δt|", cluster.id);
    let mut svg = Svg::new(
        "chart-latency",
        &format!("chart-latency-{}", cluster.id),
        WIDTH,
        height,
        &title,
    );
    let h = &cluster.synchrony.latency_histogram;
    let n = h.upper_s.len().min(h.observed.len());
    if n == 0 || h.observed.iter().sum::<u64>() == 0 {
        no_data(&mut svg, 120.0, "no co-action pairs");
        return svg.finish();
    }
    let mut null = h.null.clone();
    null.resize(n, 0.0);
    let mut base = observed(&report.baseline.latency_histogram);
    base.resize(n, 0.0);
    let series = [
        ("cluster pairs", CLUSTER_COLOUR, shares(&observed(h)[..n])),
        (
            "null model (shuffled times)",
            NULL_COLOUR,
            shares(&null[..n]),
        ),
        (
            "all edges (median |Δt| per pair)",
            BASELINE_COLOUR,
            shares(&base[..n]),
        ),
    ];
    for (i, (label, colour, _)) in series.iter().enumerate() {
        svg.legend(8.0 + 220.0 * i as f64, 38.0, colour, label);
    }
    let (max, ticks) = share_axis_range(
        series
            .iter()
            .flat_map(|s| s.2.iter().copied())
            .fold(0.0, f64::max),
    );
    let y = Scale::new(0.0, max, height - 60.0, 50.0);
    let x = Scale::new(0.0, n as f64, 70.0, WIDTH - 20.0);
    share_axis(&mut svg, y, 70.0, max, ticks, "share of pairs");
    let group = x.at(1.0) - x.at(0.0);
    let bar = group * 0.8 / 3.0;
    for (k, (label, colour, values)) in series.iter().enumerate() {
        let class = [
            "series series-cluster",
            "series series-null",
            "series series-baseline",
        ][k];
        svg.group(class);
        for (i, &share) in values.iter().enumerate() {
            let x0 = x.at(i as f64) + group * 0.1 + bar * k as f64;
            let tip = format!(
                "≤ {}: {label} {}",
                duration(Some(h.upper_s[i])),
                percent(share)
            );
            let fill = Some(*colour);
            svg.rect(
                "bar",
                x0,
                y.at(0.0),
                bar,
                y.at(share) - y.at(0.0),
                fill,
                Some(&tip),
            );
        }
        svg.end_group();
    }
    svg.group("axis axis-x");
    let bottom = y.at(0.0);
    svg.line("axis-line", x.at(0.0), bottom, x.at(n as f64), bottom);
    for (i, upper) in h.upper_s.iter().take(n).enumerate() {
        let label = format!("≤ {}", duration(Some(*upper)));
        svg.text(
            "tick-label",
            x.at(i as f64 + 0.5),
            bottom + 18.0,
            Anchor::Middle,
            &label,
        );
    }
    let label = format!(
        "|Δt| between two members acting on one object ({} pairs)",
        count(h.observed.iter().sum())
    );
    svg.text(
        "axis-label",
        x.at(n as f64 / 2.0),
        bottom + 36.0,
        Anchor::Middle,
        &label,
    );
    svg.end_group();
    svg.finish()
}

/// The bin of a bot score among ten bins of 0.1 (the last includes 1), or `None` for NaN.
fn bot_bin(score: f64) -> Option<usize> {
    if score.is_nan() {
        return None;
    }
    Some(((score.clamp(0.0, 1.0) * 10.0).floor() as usize).min(9))
}

/// (d) Bot-likeness scores of the flagged accounts (core members of flagged clusters) against
/// all accounts, as
/// shares over ten bins of 0.1.
pub fn bot_score_chart(report: &Report) -> String {
    let height = 250.0;
    let mut svg = Svg::new(
        "chart-bot-scores",
        "chart-bot-scores",
        WIDTH,
        height,
        "Bot-likeness scores",
    );
    let mut flagged = [0.0; 10];
    let mut flagged_n = 0u64;
    for a in report.accounts.iter().filter(|a| a.flagged) {
        if let Some(bin) = bot_bin(a.bot_score) {
            flagged[bin] += 1.0;
            flagged_n += 1;
        }
    }
    let mut all = [0.0; 10];
    for (slot, &n) in all.iter_mut().zip(&report.baseline.bot_score_histogram) {
        *slot = n as f64;
    }
    let all_n: u64 = report.baseline.bot_score_histogram.iter().sum();
    let series = [
        (
            format!("flagged accounts ({})", count(flagged_n)),
            CLUSTER_COLOUR,
            shares(&flagged),
            "series series-flagged",
        ),
        (
            format!("all accounts ({})", count(all_n)),
            BASELINE_COLOUR,
            shares(&all),
            "series series-baseline",
        ),
    ];
    for (i, (label, colour, _, _)) in series.iter().enumerate() {
        svg.legend(8.0 + 300.0 * i as f64, 38.0, colour, label);
    }
    if flagged_n + all_n == 0 {
        no_data(&mut svg, 120.0, "no scored accounts");
        return svg.finish();
    }
    let (max, ticks) = share_axis_range(
        series
            .iter()
            .flat_map(|s| s.2.iter().copied())
            .fold(0.0, f64::max),
    );
    let y = Scale::new(0.0, max, height - 60.0, 50.0);
    let x = Scale::new(0.0, 1.0, 70.0, WIDTH - 20.0);
    share_axis(&mut svg, y, 70.0, max, ticks, "share of accounts");
    let group = x.at(0.1) - x.at(0.0);
    let bar = group * 0.8 / 2.0;
    for (k, (label, colour, values, class)) in series.iter().enumerate() {
        svg.group(class);
        for (i, &share) in values.iter().enumerate() {
            let x0 = x.at(i as f64 / 10.0) + group * 0.1 + bar * k as f64;
            let tip = format!(
                "{}–{}: {label} {}",
                decimal(i as f64 / 10.0, 1),
                decimal((i + 1) as f64 / 10.0, 1),
                percent(share)
            );
            svg.rect(
                "bar",
                x0,
                y.at(0.0),
                bar,
                y.at(share) - y.at(0.0),
                Some(colour),
                Some(&tip),
            );
        }
        svg.end_group();
    }
    svg.group("axis axis-x");
    let bottom = y.at(0.0);
    svg.line("axis-line", x.at(0.0), bottom, x.at(1.0), bottom);
    for i in 0..=10 {
        let v = f64::from(i) / 10.0;
        svg.line("tick", x.at(v), bottom, x.at(v), bottom + 4.0);
        svg.text(
            "tick-label",
            x.at(v),
            bottom + 18.0,
            Anchor::Middle,
            &decimal(v, 1),
        );
    }
    let label = "bot-likeness score";
    svg.text(
        "axis-label",
        x.at(0.5),
        bottom + 36.0,
        Anchor::Middle,
        label,
    );
    svg.end_group();
    svg.finish()
}

/// (e) A cluster's over-represented bio terms: a bar of the log-odds z-score per term, with
/// how many members and accounts have it. At most 15 terms, in report order (highest z
/// first).
pub fn bio_terms_chart(cluster: &Cluster) -> String {
    let terms = &cluster.evidence.bio_terms[..cluster.evidence.bio_terms.len().min(MAX_TERMS)];
    let row = 20.0;
    let top = 34.0;
    let height = top + row * terms.len().max(1) as f64 + 50.0;
    let title = format!(
        "Cluster {}: bio terms over-represented among members",
        cluster.id
    );
    let mut svg = Svg::new(
        "chart-bio-terms",
        &format!("chart-bio-terms-{}", cluster.id),
        WIDTH,
        height,
        &title,
    );
    if terms.is_empty() {
        no_data(&mut svg, top + 14.0, "no over-represented bio terms");
        return svg.finish();
    }
    let z = |z: f64| if z.is_finite() { z } else { 0.0 };
    let low = terms.iter().map(|t| z(t.z)).fold(0.0, f64::min);
    let high = terms.iter().map(|t| z(t.z)).fold(0.0, f64::max);
    let x = Scale::new(low, high, 220.0, WIDTH - 180.0);
    let bottom = top + row * terms.len() as f64;
    for (i, term) in terms.iter().enumerate() {
        let y = top + row * i as f64;
        svg.text(
            "label",
            212.0,
            y + 14.0,
            Anchor::End,
            &truncate(&term.term, 30),
        );
        let tip = format!("{}: z {}", term.term, decimal(term.z, 2));
        let (x0, x1) = (x.at(0.0), x.at(z(term.z)));
        svg.rect(
            "bar",
            x0,
            y + 3.0,
            x1 - x0,
            14.0,
            Some(CLUSTER_COLOUR),
            Some(&tip),
        );
        let note = format!(
            "z {} · {} of {} accounts",
            decimal(term.z, 2),
            count(term.in_cluster),
            count(term.overall)
        );
        svg.text("value", WIDTH - 172.0, y + 14.0, Anchor::Start, &note);
    }
    svg.group("axis axis-x");
    svg.line(
        "axis-line",
        x.at(low),
        bottom + 4.0,
        x.at(high),
        bottom + 4.0,
    );
    svg.line("zero", x.at(0.0), top, x.at(0.0), bottom + 4.0);
    for v in [low, 0.0, high] {
        svg.text(
            "tick-label",
            x.at(v),
            bottom + 20.0,
            Anchor::Middle,
            &decimal(v, 1),
        );
    }
    let label = "log-odds z-score, members against all accounts";
    svg.text(
        "axis-label",
        x.at((low + high) / 2.0),
        bottom + 38.0,
        Anchor::Middle,
        label,
    );
    svg.end_group();
    svg.finish()
}

/// A dormant-then-reactivated account placed on the time axis.
struct Dormant<'a> {
    account: &'a Account,
    /// Cluster rank, when its cluster was reported.
    rank: Option<u32>,
    first: f64,
    gap_start: f64,
    gap_end: f64,
    last: f64,
    gap_days: f64,
    burst: u64,
}

/// The dormant-then-reactivated accounts with usable times, most relevant first: members of
/// flagged clusters, then of better-ranked clusters, then the biggest bursts and the longest
/// gaps; ties by account id.
pub fn dormant_accounts(report: &Report) -> Vec<&Account> {
    dormant(report).into_iter().map(|d| d.account).collect()
}

fn dormant(report: &Report) -> Vec<Dormant<'_>> {
    let ranks: BTreeMap<u32, u32> = report.clusters.iter().map(|c| (c.id, c.rank)).collect();
    let mut found: Vec<Dormant<'_>> = report
        .accounts
        .iter()
        .filter(|a| a.dormant_reactivated)
        .filter_map(|a| {
            let d = a.signals.dormancy.as_ref()?;
            let gap_start = parse_iso_date(&d.gap_start)? as f64;
            let gap_end = parse_iso_date(&d.gap_end)? as f64;
            let parse = |s: Option<&String>| s.and_then(|s| parse_iso_date(s)).map(|t| t as f64);
            Some(Dormant {
                account: a,
                rank: a.cluster.and_then(|c| ranks.get(&c).copied()),
                first: parse(a.signals.first.as_ref())
                    .unwrap_or(gap_start)
                    .min(gap_start),
                gap_start,
                gap_end,
                last: parse(a.signals.last.as_ref())
                    .unwrap_or(gap_end)
                    .max(gap_end),
                gap_days: nonneg(d.gap_days),
                burst: d.burst_records,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.account
            .flagged
            .cmp(&a.account.flagged)
            .then_with(|| a.rank.unwrap_or(u32::MAX).cmp(&b.rank.unwrap_or(u32::MAX)))
            .then_with(|| b.burst.cmp(&a.burst))
            .then_with(|| b.gap_days.total_cmp(&a.gap_days))
            .then_with(|| a.account.id.cmp(&b.account.id))
    });
    found
}

/// (f) Dormant-then-reactivated accounts, one row each: activity from the first record to the
/// gap, the dormancy gap, then the burst to the last record. At most 50 accounts, most
/// relevant first ([`dormant_accounts`]).
pub fn dormancy_chart(report: &Report) -> String {
    let found = dormant(report);
    let shown = &found[..found.len().min(MAX_DORMANT)];
    let row = 16.0;
    let top = 50.0;
    let height = top + row * shown.len().max(1) as f64 + 56.0;
    let mut svg = Svg::new(
        "chart-dormancy",
        "chart-dormancy",
        WIDTH,
        height,
        "Dormant accounts woken up",
    );
    let legend = [
        ("active", "#4d4d4d"),
        ("dormant", "#d9d9d9"),
        ("reactivated", CLUSTER_COLOUR),
    ];
    for (i, (label, colour)) in legend.iter().enumerate() {
        svg.legend(8.0 + 130.0 * i as f64, 38.0, colour, label);
    }
    if shown.is_empty() {
        no_data(&mut svg, top + 14.0, "no dormant then reactivated accounts");
        return svg.finish();
    }
    let t0 = shown.iter().map(|d| d.first).fold(f64::INFINITY, f64::min);
    let t1 = shown
        .iter()
        .map(|d| d.last)
        .fold(f64::NEG_INFINITY, f64::max);
    let x = Scale::new(t0, t1, 190.0, WIDTH - 20.0);
    let bottom = top + row * shown.len() as f64;
    for (i, d) in shown.iter().enumerate() {
        let y = top + row * i as f64;
        let a = d.account;
        let name = a.handle.as_deref().unwrap_or(&a.id);
        let class = if a.flagged { "label flagged" } else { "label" };
        svg.text(class, 182.0, y + 11.0, Anchor::End, &truncate(name, 24));
        svg.group(if a.flagged {
            "account flagged"
        } else {
            "account"
        });
        let segments = [
            (
                "segment-active",
                "#4d4d4d",
                d.first,
                d.gap_start,
                "active".to_owned(),
            ),
            (
                "segment-gap",
                "#d9d9d9",
                d.gap_start,
                d.gap_end,
                format!("dormant {} days", decimal(d.gap_days, 0)),
            ),
            (
                "segment-burst",
                CLUSTER_COLOUR,
                d.gap_end,
                d.last,
                format!("reactivated: {} records in the burst", count(d.burst)),
            ),
        ];
        for (class, colour, from, to, what) in segments {
            let (x0, x1) = (x.at(from), x.at(to));
            let tip = format!(
                "{name}: {what}, {} to {}",
                axis_date(from as i64),
                axis_date(to as i64)
            );
            svg.rect(
                class,
                x0,
                y + 3.0,
                (x1 - x0).max(1.5),
                10.0,
                Some(colour),
                Some(&tip),
            );
        }
        svg.end_group();
    }
    svg.group("axis axis-x");
    svg.line("axis-line", x.at(t0), bottom + 2.0, x.at(t1), bottom + 2.0);
    for (v, anchor) in [
        (t0, Anchor::Start),
        ((t0 + t1) / 2.0, Anchor::Middle),
        (t1, Anchor::End),
    ] {
        svg.line("tick", x.at(v), bottom + 2.0, x.at(v), bottom + 6.0);
        svg.text(
            "tick-label",
            x.at(v),
            bottom + 20.0,
            anchor,
            &axis_date(v as i64),
        );
    }
    let label = "time (UTC): first record, dormancy gap, burst to the last record";
    svg.text(
        "axis-label",
        x.at((t0 + t1) / 2.0),
        bottom + 38.0,
        Anchor::Middle,
        label,
    );
    svg.end_group();
    if found.len() > shown.len() {
        let more = format!(
            "{} more accounts not shown",
            count((found.len() - shown.len()) as u64)
        );
        svg.text("note", WIDTH - 8.0, height - 4.0, Anchor::End, &more);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::super::render::tests::hostile_report;
    use super::*;

    fn balanced(svg: &str) {
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<g ").count(), svg.matches("</g>").count());
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn share_axes_tick_on_round_percentages() {
        assert_eq!(share_axis_range(0.0), (0.1, 2));
        assert_eq!(share_axis_range(0.1), (0.1, 2));
        assert_eq!(share_axis_range(0.25), (0.3, 3));
        assert_eq!(share_axis_range(0.47), (0.5, 5));
        assert_eq!(share_axis_range(0.51), (0.6, 3));
        assert_eq!(share_axis_range(0.7), (0.8, 4));
        assert_eq!(share_axis_range(1.0), (1.0, 5));
        assert_eq!(share_axis_range(f64::NAN), (0.1, 2));
    }

    #[test]
    fn ranking_stacks_the_parts_and_outlines_the_flagged() {
        let report = hostile_report();
        let svg = ranking_chart(&report);
        balanced(&svg);
        assert!(svg.contains("class=\"chart chart-ranking\" id=\"chart-ranking\""));
        assert_eq!(svg.matches("class=\"bar-stack flagged\"").count(), 1);
        assert_eq!(svg.matches("class=\"bar-stack\"").count(), 2);
        assert_eq!(svg.matches("class=\"flagged-outline\"").count(), 1);
        // Cluster 4's five parts, clusters 7 and 9 four each (no creation part).
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 5 + 4 + 4);
        assert!(svg.contains(">#1 cluster 4 (4 members) ⚑</text>"));
        assert!(svg.contains(">flag at 0.50</text>"));
        // Scale 0..1 over 230..700: the coordination part of cluster 4 is 0.25 → 117.5 wide.
        assert!(svg.contains("x=\"230\" y=\"59\" width=\"117.5\" height=\"14\" fill=\"#0067a5\""));
    }

    #[test]
    fn timeline_normalises_both_series() {
        let report = hostile_report();
        let svg = timeline_chart(&report, &report.clusters[0]);
        balanced(&svg);
        // Six non-empty bins of the cluster, one step line for the collection.
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 6);
        assert_eq!(svg.matches("series-baseline").count(), 1);
        assert!(svg.contains("<title>2017-05-05 12:00: 40 records (43%)</title>"));
        assert!(svg.contains(">2017-05-03 00:00</text>"));
        assert!(svg.contains(">2017-05-07 00:00</text>"));
        assert!(svg.contains(">time (UTC), bins of 6.0 h</text>"));
        // A cluster without a dated timeline still gets its chart, with a note.
        let empty = timeline_chart(&report, &report.clusters[2]);
        balanced(&empty);
        assert!(empty.contains("no dated records"));
    }

    #[test]
    fn latency_compares_cluster_null_and_collection() {
        let report = hostile_report();
        let svg = latency_chart(&report, &report.clusters[0]);
        balanced(&svg);
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 15);
        assert!(svg.contains("<title>≤ 1.0 s: cluster pairs 25%</title>"));
        assert!(svg.contains("<title>≤ 60 s: all edges (median |Δt| per pair) 41%</title>"));
        assert!(svg.contains("(64 pairs)"));
    }

    #[test]
    fn bot_scores_bin_the_flagged_members() {
        assert_eq!(bot_bin(0.0), Some(0));
        assert_eq!(bot_bin(0.55), Some(5));
        assert_eq!(bot_bin(1.0), Some(9));
        assert_eq!(bot_bin(7.0), Some(9));
        assert_eq!(bot_bin(f64::NAN), None);
        let svg = bot_score_chart(&hostile_report());
        balanced(&svg);
        assert!(svg.contains(">flagged accounts (3)</text>"));
        assert!(svg.contains(">all accounts (10)</text>"));
        // Flagged scores 0.93, 0.81, 0.55 (104, 0.2, is not a core member): a third in 0.9–1.0.
        assert!(svg.contains("<title>0.9–1.0: flagged accounts (3) 33%</title>"));
        assert!(svg.contains("<title>0.2–0.3: flagged accounts (3) 0%</title>"));
        assert!(svg.contains("<title>0.0–0.1: all accounts (10) 20%</title>"));
    }

    #[test]
    fn bio_terms_draw_negative_z_leftwards_and_escape_terms() {
        let report = hostile_report();
        let svg = bio_terms_chart(&report.clusters[0]);
        balanced(&svg);
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 4);
        assert!(svg.contains(">&lt;script&gt;alert(1)&lt;/script&gt;</text>"));
        assert!(svg.contains(">z 4.20 · 3 of 5 accounts</text>"));
        assert!(!svg.contains("<script"));
        assert!(bio_terms_chart(&report.clusters[1]).contains("no over-represented bio terms"));
    }

    #[test]
    fn dormancy_orders_flagged_accounts_first() {
        let report = hostile_report();
        let ids: Vec<&str> = dormant_accounts(&report)
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        // 101 (flagged, burst 30), 102 (flagged, burst 12), then 203 (cluster rank 2).
        assert_eq!(ids, ["101", "102", "203"]);
        let svg = dormancy_chart(&report);
        balanced(&svg);
        assert_eq!(svg.matches("class=\"account flagged\"").count(), 2);
        assert_eq!(svg.matches("<rect class=\"segment-gap\"").count(), 3);
        assert!(svg.contains("dormant 469 days, 2016-01-20 to 2017-05-04"));
        assert!(svg.contains(">2015-01-01</text>"));
    }

    #[test]
    fn charts_without_data_say_so() {
        let mut report = hostile_report();
        report.clusters.clear();
        report.accounts.clear();
        report.baseline.bot_score_histogram.clear();
        assert!(ranking_chart(&report).contains("no clusters"));
        assert!(dormancy_chart(&report).contains("no dormant then reactivated accounts"));
        assert!(bot_score_chart(&report).contains("no scored accounts"));
    }
}
