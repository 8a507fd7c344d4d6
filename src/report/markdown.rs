/*!
The Markdown summary of a report (`report.md`): headline, input, parameters, layers, a table of
every cluster, and for each flagged cluster a section with the evidence an investigator can
cite (top objects with times, tightest co-actions, languages, locations, bio terms, signals,
members).

User text is escaped by [`md`]: cleaned (no line breaks, so it cannot end a table row), then
every character that Markdown (CommonMark, GitHub Flavored Markdown and its math extension)
could read as markup is backslash-escaped or written as an HTML character reference, and
autolinks (`https://`, `www.`, e-mail addresses) are broken up, so a bio can inject neither a
table cell, a link, an image, emphasis nor raw HTML.
*/

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::render::{
    clean_text, count, crowd_text, decimal, duration, listed_clusters, percent, time,
};
use super::{Account, Cluster, Report, ValueShare};
use crate::ingest::time::parse_iso_date;

/// Most members listed in a flagged cluster's section.
const MAX_MEMBERS: usize = 50;

/// `s` escaped for Markdown inline text, table cells included (see the module documentation).
pub fn md(s: &str) -> String {
    let cleaned = clean_text(s);
    let mut out = String::with_capacity(cleaned.len() + 8);
    let mut previous: [char; 3] = [' '; 3];
    let mut chars = cleaned.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '(' | ')' | '{' | '}'
            | '$' | '@' | '^' => {
                out.push('\\');
                out.push(c);
            }
            // `scheme://` and `www.` start autolinks.
            ':' if chars.peek() == Some(&'/') => out.push_str("\\:"),
            '.' if previous.iter().all(|p| p.eq_ignore_ascii_case(&'w')) => out.push_str("\\."),
            c => out.push(c),
        }
        previous = [previous[1], previous[2], c];
    }
    out
}

/// A report time as shown to people ([`time`]), escaped only when it did not parse: a time the
/// program formatted has no markup in it.
fn md_time(s: &str) -> String {
    if parse_iso_date(s).is_some() {
        time(s)
    } else {
        md(s)
    }
}

/// An optional report time; `–` when unknown.
fn md_time_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "–".to_owned(), md_time)
}

/// `s` or `–` when absent, escaped.
fn md_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "–".to_owned(), md)
}

/// Renders `report` as Markdown. The same report always gives the same bytes.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    headline(&mut out, report);
    input(&mut out, report);
    parameters(&mut out, report);
    graph(&mut out, report);
    clusters(&mut out, report);
    let accounts: BTreeMap<&str, &Account> =
        report.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    for cluster in report.clusters.iter().filter(|c| c.flagged) {
        flagged_cluster(&mut out, cluster, &accounts);
    }
    if !report.warnings.is_empty() {
        out.push_str("## Warnings\n\n");
        for warning in &report.warnings {
            let _ = writeln!(out, "- {}", md(warning));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Written by {} {} (report.json version {}).",
        md(&report.generator.name),
        md(&report.generator.version),
        report.version
    );
    out
}

fn headline(out: &mut String, report: &Report) {
    let s = &report.summary;
    let i = &report.input;
    out.push_str("# coordgraph report\n\n");
    let _ = writeln!(
        out,
        "{} records ({} retweets) by {} accounts, {} to {}.\n",
        count(i.records),
        count(i.retweets),
        count(i.accounts),
        md_time_opt(i.first.as_deref()),
        md_time_opt(i.last.as_deref()),
    );
    let _ = writeln!(
        out,
        "**{} of {} clusters flagged** ({} flagged accounts: their core members) at \
         suspicion ≥ {}; {} accounts dormant then reactivated; {} bot-like accounts (score ≥ \
         0.5).\n",
        count(s.flagged_clusters),
        count(s.clusters),
        count(s.flagged_accounts),
        decimal(report.parameters.flag_threshold, 2),
        count(s.dormant_reactivated),
        count(s.bot_like),
    );
}

fn input(out: &mut String, report: &Report) {
    let i = &report.input;
    out.push_str("## Input\n\n");
    for file in &i.files {
        let _ = writeln!(out, "- File: {}", md(file));
    }
    let _ = writeln!(
        out,
        "- Records: {} ({} retweets); duplicates: {}; skipped: {}",
        count(i.records),
        count(i.retweets),
        count(i.duplicates),
        count(i.skipped)
    );
    for (reason, n) in &i.skipped_by_reason {
        let _ = writeln!(out, "  - {}: {}", md(reason), count(*n));
    }
    let _ = writeln!(
        out,
        "- Accounts: {}; hashtags: {}; URLs: {}\n",
        count(i.accounts),
        count(i.hashtags),
        count(i.urls)
    );
}

fn parameters(out: &mut String, report: &Report) {
    let p = &report.parameters;
    out.push_str("## Parameters\n\n");
    let networks = p
        .networks
        .iter()
        .map(|n| md(n))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = [
        ("Co-action window W", format!("{} s", p.window_secs)),
        ("Networks", networks),
        ("Least edge weight", decimal(p.min_edge_weight, 2)),
        ("Crowd counted in full", crowd_text(p.crowd)),
        ("Community detection", md(&p.algorithm)),
        ("Resolution γ", decimal(p.resolution, 2)),
        ("Seed", p.seed.to_string()),
        ("Smallest cluster", p.min_cluster_size.to_string()),
        ("Flag threshold", decimal(p.flag_threshold, 2)),
        ("Dormancy", format!("{} days", p.dormant_days)),
        ("Near-duplicate similarity", decimal(p.similarity, 2)),
        ("Shortest text", format!("{} characters", p.min_text_chars)),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_owned(), v])
    .collect();
    table(out, &["Parameter", "Value"], &[false, false], rows);
}

fn graph(out: &mut String, report: &Report) {
    let s = &report.summary;
    out.push_str("## Coordination graph\n\n");
    let _ = writeln!(
        out,
        "{} accounts, {} edges, modularity {}.\n",
        count(s.graph_accounts),
        count(s.graph_edges),
        decimal(s.modularity, 3)
    );
    if report.layers.is_empty() {
        return;
    }
    let rows = report
        .layers
        .iter()
        .map(|l| {
            vec![
                md(&l.kind),
                count(l.actions),
                count(l.objects),
                count(l.pairs),
                count(l.pairs_not_materialised),
                count(l.edges),
            ]
        })
        .collect();
    table(
        out,
        &[
            "Layer",
            "Actions",
            "Objects",
            "Pairs",
            "Pairs not materialised",
            "Edges",
        ],
        &[false, true, true, true, true, true],
        rows,
    );
}

fn clusters(out: &mut String, report: &Report) {
    out.push_str("## Clusters\n\n");
    if report.clusters.is_empty() {
        out.push_str("No cluster reached the smallest reported size.\n\n");
        return;
    }
    let (listed, hidden) = listed_clusters(report);
    let rows = listed
        .iter()
        .map(|c| {
            let p = &c.suspicion_parts;
            vec![
                c.rank.to_string(),
                c.id.to_string(),
                if c.flagged { "**yes**" } else { "no" }.to_owned(),
                count(u64::from(c.size)),
                count(u64::from(c.core_size)),
                decimal(c.suspicion, 2),
                decimal(p.coordination, 2),
                decimal(p.synchrony, 2),
                decimal(p.automation, 2),
                decimal(p.dormancy, 2),
                decimal(p.creation, 2),
                percent(c.signals.bot_share),
                percent(c.signals.dormant_share),
                duration(c.synchrony.median_latency_s),
                percent(c.synchrony.within_10s),
                c.evidence
                    .top_objects
                    .first()
                    .map_or_else(|| "–".to_owned(), |o| md(&o.object)),
                shares(&c.evidence.languages, 3),
            ]
        })
        .collect();
    table(
        out,
        &[
            "Rank",
            "Cluster",
            "Flagged",
            "Size",
            "Core",
            "Suspicion",
            "Coordination",
            "Synchrony",
            "Automation",
            "Dormancy",
            "Creation",
            "Bot share",
            "Dormant share",
            "Median Δt",
            "≤ 10 s",
            "Top object",
            "Languages",
        ],
        &[
            true, true, false, true, true, true, true, true, true, true, true, true, true, true,
            true, false, false,
        ],
        rows,
    );
    if hidden > 0 {
        let _ = writeln!(
            out,
            "… and {} less suspicious clusters (see report.json).\n",
            count(hidden as u64)
        );
    }
    out.push_str(
        "Suspicion is the sum of its parts (coordination, synchrony, automation, dormancy, \
         creation).\n\n",
    );
}

/// `value (share)` for the first `n` values, escaped.
fn shares(values: &[ValueShare], n: usize) -> String {
    if values.is_empty() {
        return "–".to_owned();
    }
    values
        .iter()
        .take(n)
        .map(|v| format!("{} ({})", md(&v.value), percent(v.share)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn flagged_cluster(out: &mut String, c: &Cluster, accounts: &BTreeMap<&str, &Account>) {
    let _ = writeln!(
        out,
        "## Cluster {} (rank {}, flagged)\n\nSuspicion {}: {} members, {} of them core members \
         (flagged). The figures below describe the core members.\n",
        c.id,
        c.rank,
        decimal(c.suspicion, 2),
        count(u64::from(c.size)),
        count(u64::from(c.core_size))
    );
    let k = &c.coordination;
    let _ = writeln!(
        out,
        "- Ties: {} edges, density {}, mean weight {}, {} of the members' edge weight inside",
        count(k.edges),
        decimal(k.density, 2),
        decimal(k.mean_weight, 2),
        percent(k.internal_share)
    );
    for layer in &k.layers {
        let _ = writeln!(
            out,
            "  - {}: {} edges, weight {}",
            md(&layer.kind),
            count(layer.edges),
            decimal(layer.weight, 2)
        );
    }
    let s = &c.synchrony;
    let _ = writeln!(
        out,
        "- Synchrony: {} co-action pairs on {} shared objects; median |Δt| {}, 90th percentile \
         {}; {} within 1 s, {} within 10 s, {} within 60 s",
        count(s.pairs),
        count(s.shared_objects),
        duration(s.median_latency_s),
        duration(s.p90_latency_s),
        percent(s.within_1s),
        percent(s.within_10s),
        percent(s.within_60s)
    );
    let _ = writeln!(
        out,
        "- Synchronised actions: {} against {} ± {} under the null model (z = {})",
        percent(s.synchronized_share),
        percent(s.null_synchronized_share),
        percent(s.null_sd),
        decimal(s.z, 1)
    );
    let _ = writeln!(
        out,
        "- Timing: burstiness {}; busiest hour {} ({} of the records); hour-of-day entropy {}\n",
        s.burstiness
            .map_or_else(|| "–".to_owned(), |b| decimal(b, 2)),
        md_time_opt(s.busiest_hour.as_deref()),
        percent(s.busiest_hour_share),
        decimal(s.hour_entropy, 2)
    );

    let e = &c.evidence;
    if !e.top_objects.is_empty() {
        out.push_str("### Top objects\n\n");
        let rows = e
            .top_objects
            .iter()
            .map(|o| {
                vec![
                    md(&o.layer),
                    md(&o.object),
                    md_opt(o.text.as_deref()),
                    count(o.accounts),
                    count(o.actions),
                    md_time(&o.first),
                    md_time(&o.last),
                    duration(Some(o.median_delay_s)),
                ]
            })
            .collect();
        table(
            out,
            &[
                "Layer",
                "Object",
                "Text",
                "Accounts",
                "Actions",
                "First",
                "Last",
                "Median delay",
            ],
            &[false, false, false, true, true, false, false, true],
            rows,
        );
    }
    if !e.tightest.is_empty() {
        out.push_str("### Tightest co-actions\n\n");
        let rows = e
            .tightest
            .iter()
            .map(|t| {
                vec![
                    md(&t.layer),
                    md(&t.object),
                    who(&t.source, t.source_handle.as_deref()),
                    who(&t.target, t.target_handle.as_deref()),
                    format!("{}, {}", md(&t.source_post), md(&t.target_post)),
                    md_time(&t.time),
                    duration(Some(t.dt_s)),
                ]
            })
            .collect();
        table(
            out,
            &[
                "Layer",
                "Object",
                "Account",
                "Account",
                "Posts",
                "Time",
                "\\|Δt\\|",
            ],
            &[false, false, false, false, false, false, true],
            rows,
        );
    }
    if !e.leaders.is_empty() {
        out.push_str(
            "### Leaders\n\nMembers who acted first in more co-action pairs with other members \
             than they acted second.\n\n",
        );
        let rows = e
            .leaders
            .iter()
            .map(|l| {
                vec![
                    who(&l.account, l.handle.as_deref()),
                    count(l.led),
                    count(l.followed),
                    percent(l.led_share()),
                ]
            })
            .collect();
        table(
            out,
            &["Account", "Pairs led", "Pairs followed", "Led"],
            &[false, true, true, true],
            rows,
        );
    }
    for (title, values) in [("Languages", &e.languages), ("Locations", &e.locations)] {
        if values.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        for v in values {
            let _ = writeln!(
                out,
                "- {}: {} accounts ({})",
                md(&v.value),
                count(v.accounts),
                percent(v.share)
            );
        }
        out.push('\n');
    }
    if !e.bio_terms.is_empty() {
        out.push_str("### Bio terms\n\n");
        let rows = e
            .bio_terms
            .iter()
            .map(|t| {
                vec![
                    md(&t.term),
                    decimal(t.z, 2),
                    count(t.in_cluster),
                    count(t.overall),
                ]
            })
            .collect();
        table(
            out,
            &["Term", "z", "Members", "All accounts"],
            &[false, true, true, true],
            rows,
        );
    }

    let g = &c.signals;
    out.push_str("### Signals\n\n");
    let _ = writeln!(
        out,
        "- Bot-likeness: mean {}, {} of the members at 0.5 or more",
        decimal(g.bot_score_mean, 2),
        percent(g.bot_share)
    );
    for (signal, part) in &g.bot_parts {
        let _ = writeln!(out, "  - {}: {}", md(signal), decimal(*part, 3));
    }
    let _ = writeln!(
        out,
        "- Dormant then reactivated: {} members ({})",
        count(g.dormant_accounts),
        percent(g.dormant_share)
    );
    let _ = writeln!(
        out,
        "- Automation clients: {} of the records; main clients: {}",
        percent(g.automation_share),
        shares(&g.clients, 5)
    );
    match &g.creation {
        Some(w) => {
            let _ = writeln!(
                out,
                "- Creation dates: {} of {} members created between {} and {} ({} of all \
                 accounts; lift {}, z = {})",
                count(w.in_window),
                count(w.members_with_date),
                md_time(&w.start),
                md_time(&w.end),
                percent(w.baseline_share),
                decimal(w.lift, 1),
                decimal(w.z, 1)
            );
        }
        None => out.push_str("- Creation dates: no clustering found\n"),
    }
    out.push('\n');

    members(out, c, accounts);
}

/// `handle (id)`, or the id alone, escaped.
fn who(id: &str, handle: Option<&str>) -> String {
    match handle {
        Some(h) => format!("{} ({})", md(h), md(id)),
        None => md(id),
    }
}

fn members(out: &mut String, c: &Cluster, accounts: &BTreeMap<&str, &Account>) {
    let mut listed: Vec<(&str, Option<&Account>)> = c
        .members
        .iter()
        .map(|id| (id.as_str(), accounts.get(id.as_str()).copied()))
        .collect();
    sort_members(&mut listed);
    let _ = writeln!(out, "### Members\n");
    let rows = listed
        .iter()
        .take(MAX_MEMBERS)
        .map(|(id, account)| match account {
            Some(a) => vec![
                md(id),
                md_opt(a.handle.as_deref()),
                md_opt(a.name.as_deref()),
                if a.core { "yes" } else { "no" }.to_owned(),
                decimal(a.bot_score, 2),
                if a.dormant_reactivated { "yes" } else { "no" }.to_owned(),
                count(a.signals.records),
                md_opt(a.signals.location.as_deref()),
                md_opt(a.signals.bio.as_deref()),
            ],
            None => {
                let mut row = vec![md(id)];
                row.extend(std::iter::repeat_n("–".to_owned(), 8));
                row
            }
        })
        .collect();
    table(
        out,
        &[
            "Account",
            "Handle",
            "Name",
            "Core",
            "Bot score",
            "Dormant",
            "Records",
            "Location",
            "Bio",
        ],
        &[false, false, false, false, true, false, true, false, false],
        rows,
    );
    if listed.len() > MAX_MEMBERS {
        let _ = writeln!(
            out,
            "… and {} more members (see report.json).\n",
            count((listed.len() - MAX_MEMBERS) as u64)
        );
    }
}

/// Orders a cluster's members for reading: core members first, then the most bot-like; ties
/// keep member order.
pub(crate) fn sort_members(members: &mut [(&str, Option<&Account>)]) {
    members.sort_by(|a, b| {
        let key =
            |x: &(&str, Option<&Account>)| x.1.map_or((false, -1.0), |a| (a.core, a.bot_score));
        let (a, b) = (key(a), key(b));
        b.0.cmp(&a.0).then_with(|| b.1.total_cmp(&a.1))
    });
}

/// Appends a table; the cells must already be escaped. `right[i]` aligns column `i` right.
fn table(out: &mut String, headers: &[&str], right: &[bool], rows: Vec<Vec<String>>) {
    out.push('|');
    for h in headers {
        let _ = write!(out, " {h} |");
    }
    out.push_str("\n|");
    for i in 0..headers.len() {
        out.push_str(if right.get(i) == Some(&true) {
            " ---: |"
        } else {
            " --- |"
        });
    }
    out.push('\n');
    for row in rows {
        out.push('|');
        for i in 0..headers.len() {
            let cell = row.get(i).map_or("", String::as_str);
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::super::render::tests::hostile_report;
    use super::*;

    /// Cells of a table row: splits on `|` that no backslash escapes.
    pub(crate) fn cells(row: &str) -> usize {
        let mut n: usize = 0;
        let mut escaped = false;
        for c in row.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => n += 1,
                _ => escaped = false,
            }
        }
        n.saturating_sub(1)
    }

    #[test]
    fn escapes_everything_markdown_could_read_as_markup() {
        assert_eq!(md("a | b"), "a \\| b");
        assert_eq!(md("`x` *y* _z_"), "\\`x\\` \\*y\\* \\_z\\_");
        assert_eq!(
            md("[l](javascript:alert(1))"),
            "\\[l\\]\\(javascript:alert\\(1\\)\\)"
        );
        assert_eq!(md("<b>&amp;"), "&lt;b&gt;&amp;amp;");
        assert_eq!(md("line1\nline2"), "line1 line2");
        assert_eq!(md("https://x.org a: b"), "https\\://x.org a: b");
        assert_eq!(md("www.x.org WWW.y"), "www\\.x.org WWW\\.y");
        assert_eq!(md("a\\|"), "a\\\\\\|");
        assert_eq!(md("$x$ ~~s~~ @me"), "\\$x\\$ \\~\\~s\\~\\~ \\@me");
        assert_eq!(cells(&format!("| {} | {} |", md("a|b\\"), md("|"))), 2);
    }

    #[test]
    fn every_table_row_keeps_its_column_count() {
        let text = render_markdown(&hostile_report());
        let mut tables = 0;
        let mut columns = None;
        for line in text.lines() {
            if line.starts_with('|') {
                let n = cells(line);
                match columns {
                    None => {
                        columns = Some(n);
                        tables += 1;
                    }
                    Some(expected) => assert_eq!(n, expected, "row {line}"),
                }
                assert!(line.ends_with(" |"), "row {line}");
            } else {
                columns = None;
            }
        }
        // Parameters, layers, clusters, top objects, tightest, leaders, bio terms, members.
        assert_eq!(tables, 8);
    }

    #[test]
    fn has_the_flagged_cluster_evidence_and_no_raw_markup() {
        let text = render_markdown(&hostile_report());
        assert!(text.contains("## Cluster 4 (rank 1, flagged)"));
        assert!(
            !text.contains("## Cluster 7"),
            "unflagged clusters get no section"
        );
        assert!(
            text.contains("| 1 | 4 | **yes** | 4 | 3 | 0.82 | 0.25 | 0.30 | 0.12 | 0.10 | 0.05 |")
        );
        assert!(text.contains("| co-retweet | post 861234567890123456 | RT &lt;script&gt;"));
        assert!(text.contains("| 2017-05-05T14:00:01Z | 2017-05-05T14:00:09.500Z | 2.5 s |"));
        assert!(text.contains("- fr: 3 accounts (75%)"));
        assert!(text.contains(
            "| lead\\_&lt;script&gt;alert\\(2\\)&lt;/script&gt;\u{FFFD} (101) | 5 | 1 | 83% |"
        ));
        assert!(text.contains("| \\#macronleaks | 4.20 | 3 | 5 |"));
        assert!(text.contains("- Dormant then reactivated: 2 members (50%)"));
        assert!(text.contains("created between 2017-04-01T00:00:00Z and 2017-04-08T00:00:00Z"));
        for raw in [
            "<script",
            "<img",
            "](",
            "\u{7}",
            "\u{1b}",
            "\u{202E}",
            "onerror=alert(1)>",
        ] {
            assert!(!text.contains(raw), "raw {raw:?}");
        }
        // Members: most bot-like first.
        let first = text.find("| 101 | bot\\_&lt;script&gt;").unwrap();
        let second = text
            .find("| 102 | &quot;")
            .or_else(|| text.find("| 102 | \""))
            .unwrap();
        assert!(first < second);
    }

    #[test]
    fn rendering_is_deterministic() {
        let report = hostile_report();
        assert_eq!(render_markdown(&report), render_markdown(&report.clone()));
    }
}
