/*!
The HTML report (`report.html`): one self-contained page with the headline, the cluster
ranking, collection-wide charts, and a section per flagged cluster with its charts and evidence
tables. It loads nothing (no external style sheet, script, font or image) and runs no script:
a Content Security Policy (`default-src 'none'; style-src 'unsafe-inline'; img-src data:`)
makes any injected script or resource inert even if escaping ever failed.

Every piece of user text goes through [`push_escaped`], which escapes `& < > " '` in text and
attribute contexts alike, after [`clean_text`](super::render) removed control and
bidirectional characters. URLs are shown as text, never as links. The only links are to the
page's own sections, whose ids are numbers.
*/

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::charts::{
    bio_terms_chart, bot_score_chart, dormancy_chart, latency_chart, ranking_chart, timeline_chart,
};
use super::markdown::sort_members;
use super::render::{
    clean_text, count, crowd_text, decimal, display_width, duration, escaped, listed_clusters,
    percent, push_escaped, time, time_opt, truncate,
};
use super::{Account, Cluster, Report, ValueShare};

/// The Content Security Policy of the page.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Most members listed per flagged cluster.
const MAX_MEMBERS: usize = 200;
/// Longest user text shown in a table cell, in columns; the rest is in the cell's tooltip.
const MAX_CELL: usize = 160;

const STYLE: &str = "\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;\
margin:0 auto;max-width:1100px;padding:0 16px 48px}
h1{font-size:24px;margin:24px 0 4px}h2{font-size:19px;margin:32px 0 8px;\
border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}
.headline{font-size:16px}.flag-count{color:#be0032;font-weight:bold}
nav a{margin-right:12px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.text{max-width:360px;min-width:6em;overflow-wrap:anywhere}
td.id{white-space:nowrap}td .id{color:#666;white-space:nowrap}
tr.flagged td{background:#fff1f1}
.muted{color:#666}
section.cluster{border-left:4px solid #be0032;padding-left:12px}
.chart{display:block;max-width:100%;height:auto;margin:8px 0 16px;\
font:11px system-ui,sans-serif}
.chart .chart-title{font-size:14px;font-weight:bold}
.chart .axis-line,.chart .tick{stroke:#444;stroke-width:1}
.chart .tick-label{fill:#444}.chart .axis-label{fill:#222}
.chart .label.flagged{font-weight:bold;fill:#be0032}
.chart .flagged-outline{fill:none;stroke:#be0032;stroke-width:2}
.chart .threshold{stroke:#222;stroke-dasharray:4 3}
.chart polyline.series-baseline{fill:none;stroke:#555;stroke-width:1.5}
.chart .zero{stroke:#999}.chart .no-data,.chart .note{fill:#777;font-style:italic}
";

/// Renders `report` as one self-contained HTML page. The same report always gives the same
/// bytes.
pub fn render_html(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">"
    );
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>coordgraph report</title>\n<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");

    // Findings first, then what they were found in and how.
    headline(&mut out, report);
    clusters(&mut out, report);
    let accounts: BTreeMap<&str, &Account> =
        report.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
    for cluster in report.clusters.iter().filter(|c| c.flagged) {
        flagged_cluster(&mut out, report, cluster, &accounts);
    }
    collection(&mut out, report);
    input(&mut out, report);
    parameters(&mut out, report);
    if !report.warnings.is_empty() {
        out.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n");
        for w in &report.warnings {
            out.push_str("<li>");
            push_escaped(&mut out, w);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("<footer class=\"muted\"><p>Written by ");
    push_escaped(&mut out, &report.generator.name);
    out.push(' ');
    push_escaped(&mut out, &report.generator.version);
    let _ = write!(out, " (report.json version {})", report.version);
    out.push_str(".</p></footer>\n</body>\n</html>\n");
    out
}

/// A table cell of user text: escaped, cut to [`MAX_CELL`] columns with the whole text in the
/// cell's tooltip when cut.
fn text_cell(out: &mut String, s: Option<&str>) {
    let Some(s) = s else {
        out.push_str("<td class=\"muted\">–</td>");
        return;
    };
    if display_width(&clean_text(s)) > MAX_CELL {
        out.push_str("<td class=\"text\" title=\"");
        push_escaped(out, s);
        out.push_str("\">");
        push_escaped(out, &truncate(s, MAX_CELL));
    } else {
        out.push_str("<td class=\"text\">");
        push_escaped(out, s);
    }
    out.push_str("</td>");
}

/// A table cell of an identifier (account or post id, post label), kept on one line.
fn id_cell(out: &mut String, s: &str) {
    out.push_str("<td class=\"id\">");
    push_escaped(out, &truncate(s, MAX_CELL));
    out.push_str("</td>");
}

/// A table cell naming an account: its handle, then its id (muted, on one line); the id
/// alone without a handle.
fn account_cell(out: &mut String, id: &str, handle: Option<&str>) {
    out.push_str("<td class=\"text\">");
    if let Some(h) = handle {
        push_escaped(out, &truncate(h, MAX_CELL));
        out.push_str(" <span class=\"id\">");
        push_escaped(out, &truncate(id, MAX_CELL));
        out.push_str("</span>");
    } else {
        push_escaped(out, &truncate(id, MAX_CELL));
    }
    out.push_str("</td>");
}

/// A table cell of a number or other program-made text (still escaped).
fn num_cell(out: &mut String, s: &str) {
    out.push_str("<td class=\"num\">");
    push_escaped(out, s);
    out.push_str("</td>");
}

/// A table header row.
fn header(out: &mut String, class: &str, headers: &[&str]) {
    let _ = write!(out, "<table class=\"{class}\">\n<thead><tr>");
    for h in headers {
        out.push_str("<th>");
        push_escaped(out, h);
        out.push_str("</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

fn end_table(out: &mut String) {
    out.push_str("</tbody>\n</table>\n");
}

fn headline(out: &mut String, report: &Report) {
    let i = &report.input;
    let s = &report.summary;
    out.push_str("<header>\n<h1>coordgraph report</h1>\n<p class=\"headline\">");
    let _ = write!(
        out,
        "{} records ({} retweets) by {} accounts, {} to {}. ",
        count(i.records),
        count(i.retweets),
        count(i.accounts),
        escaped(&time_opt(i.first.as_deref())),
        escaped(&time_opt(i.last.as_deref())),
    );
    let _ = writeln!(
        out,
        "<span class=\"flag-count\">{} of {} clusters flagged</span> ({} flagged accounts: \
         their core members) at suspicion ≥ {}; {} accounts dormant then reactivated; {} \
         bot-like accounts.</p>",
        count(s.flagged_clusters),
        count(s.clusters),
        count(s.flagged_accounts),
        decimal(report.parameters.flag_threshold, 2),
        count(s.dormant_reactivated),
        count(s.bot_like),
    );
    out.push_str("<nav><a href=\"#clusters\">Clusters</a>");
    for c in report.clusters.iter().filter(|c| c.flagged) {
        let _ = write!(out, "<a href=\"#cluster-{}\">Cluster {}</a>", c.id, c.id);
    }
    out.push_str(
        "<a href=\"#collection\">Collection</a><a href=\"#input\">Input</a>\
         <a href=\"#parameters\">Parameters</a></nav>\n</header>\n",
    );
}

fn input(out: &mut String, report: &Report) {
    let i = &report.input;
    out.push_str("<section id=\"input\">\n<h2>Input</h2>\n");
    header(out, "files", &["File"]);
    for f in &i.files {
        out.push_str("<tr>");
        text_cell(out, Some(f));
        out.push_str("</tr>\n");
    }
    end_table(out);
    header(
        out,
        "counts",
        &[
            "Records",
            "Retweets",
            "Accounts",
            "Hashtags",
            "URLs",
            "Duplicates",
            "Skipped",
        ],
    );
    out.push_str("<tr>");
    for n in [
        i.records,
        i.retweets,
        i.accounts,
        i.hashtags,
        i.urls,
        i.duplicates,
        i.skipped,
    ] {
        num_cell(out, &count(n));
    }
    out.push_str("</tr>\n");
    end_table(out);
    if !i.skipped_by_reason.is_empty() {
        header(out, "skipped", &["Skipped because", "Records"]);
        for (reason, n) in &i.skipped_by_reason {
            out.push_str("<tr>");
            text_cell(out, Some(reason));
            num_cell(out, &count(*n));
            out.push_str("</tr>\n");
        }
        end_table(out);
    }
    out.push_str("</section>\n");
}

fn parameters(out: &mut String, report: &Report) {
    let p = &report.parameters;
    out.push_str("<section id=\"parameters\">\n<h2>Parameters</h2>\n");
    header(out, "parameters", &["Parameter", "Value"]);
    let rows = [
        ("Co-action window W", format!("{} s", p.window_secs)),
        ("Networks", p.networks.join(", ")),
        ("Least edge weight", decimal(p.min_edge_weight, 2)),
        ("Crowd counted in full", crowd_text(p.crowd)),
        ("Community detection", p.algorithm.clone()),
        ("Resolution γ", decimal(p.resolution, 2)),
        ("Seed", p.seed.to_string()),
        ("Smallest cluster", p.min_cluster_size.to_string()),
        ("Flag threshold", decimal(p.flag_threshold, 2)),
        ("Dormancy", format!("{} days", p.dormant_days)),
        ("Near-duplicate similarity", decimal(p.similarity, 2)),
        ("Shortest text", format!("{} characters", p.min_text_chars)),
    ];
    for (name, value) in rows {
        out.push_str("<tr><th>");
        push_escaped(out, name);
        out.push_str("</th>");
        text_cell(out, Some(&value));
        out.push_str("</tr>\n");
    }
    end_table(out);
    out.push_str("</section>\n");
}

fn clusters(out: &mut String, report: &Report) {
    let s = &report.summary;
    out.push_str("<section id=\"clusters\">\n<h2>Clusters</h2>\n<p>");
    let _ = write!(
        out,
        "Coordination graph: {} accounts, {} edges, modularity {}.",
        count(s.graph_accounts),
        count(s.graph_edges),
        decimal(s.modularity, 3)
    );
    out.push_str("</p>\n");
    if !report.layers.is_empty() {
        header(
            out,
            "layers",
            &[
                "Layer",
                "Actions",
                "Objects",
                "Pairs",
                "Pairs not materialised",
                "Edges",
            ],
        );
        for l in &report.layers {
            out.push_str("<tr>");
            text_cell(out, Some(&l.kind));
            for n in [
                l.actions,
                l.objects,
                l.pairs,
                l.pairs_not_materialised,
                l.edges,
            ] {
                num_cell(out, &count(n));
            }
            out.push_str("</tr>\n");
        }
        end_table(out);
    }
    out.push_str(&ranking_chart(report));
    if report.clusters.is_empty() {
        out.push_str("<p>No cluster reached the smallest reported size.</p>\n</section>\n");
        return;
    }
    header(
        out,
        "clusters",
        &[
            "Rank",
            "Cluster",
            "Flagged",
            "Size",
            "Core",
            "Suspicion",
            "Bot share",
            "Dormant share",
            "Median Δt",
            "≤ 10 s",
            "Synchrony z",
            "Top object",
            "Languages",
        ],
    );
    let (listed, hidden) = listed_clusters(report);
    for c in listed {
        out.push_str(if c.flagged {
            "<tr class=\"flagged\">"
        } else {
            "<tr>"
        });
        num_cell(out, &c.rank.to_string());
        if c.flagged {
            let _ = write!(
                out,
                "<td class=\"num\"><a href=\"#cluster-{}\">{}</a></td>",
                c.id, c.id
            );
        } else {
            num_cell(out, &c.id.to_string());
        }
        num_cell(out, if c.flagged { "yes" } else { "no" });
        num_cell(out, &count(u64::from(c.size)));
        num_cell(out, &count(u64::from(c.core_size)));
        num_cell(out, &decimal(c.suspicion, 2));
        num_cell(out, &percent(c.signals.bot_share));
        num_cell(out, &percent(c.signals.dormant_share));
        num_cell(out, &duration(c.synchrony.median_latency_s));
        num_cell(out, &percent(c.synchrony.within_10s));
        num_cell(out, &decimal(c.synchrony.z, 1));
        text_cell(
            out,
            c.evidence.top_objects.first().map(|o| o.object.as_str()),
        );
        let languages = shares_text(&c.evidence.languages, 3);
        text_cell(out, Some(&languages));
        out.push_str("</tr>\n");
    }
    end_table(out);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "<p class=\"muted\">… and {} less suspicious clusters (see report.json).</p>",
            count(hidden as u64)
        );
    }
    out.push_str("</section>\n");
}

/// `value (share)` for the first `n` values, unescaped.
fn shares_text(values: &[ValueShare], n: usize) -> String {
    values
        .iter()
        .take(n)
        .map(|v| format!("{} ({})", clean_text(&v.value), percent(v.share)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn collection(out: &mut String, report: &Report) {
    out.push_str("<section id=\"collection\">\n<h2>Collection</h2>\n");
    out.push_str(&bot_score_chart(report));
    out.push_str(&dormancy_chart(report));
    out.push_str("</section>\n");
}

fn flagged_cluster(
    out: &mut String,
    report: &Report,
    c: &Cluster,
    accounts: &BTreeMap<&str, &Account>,
) {
    let _ = writeln!(
        out,
        "<section class=\"cluster flagged\" id=\"cluster-{}\">\n<h2>Cluster {} (rank {}, \
         flagged)</h2>",
        c.id, c.id, c.rank
    );
    out.push_str("<p class=\"muted\">The figures below describe the core members.</p>\n");
    facts(out, c);
    out.push_str(&timeline_chart(report, c));
    out.push_str(&latency_chart(report, c));
    let e = &c.evidence;
    if !e.top_objects.is_empty() {
        out.push_str("<h3>Top objects</h3>\n");
        header(
            out,
            "top-objects",
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
        );
        for o in &e.top_objects {
            out.push_str("<tr>");
            text_cell(out, Some(&o.layer));
            if o.post_id.is_some() {
                id_cell(out, &o.object);
            } else {
                text_cell(out, Some(&o.object));
            }
            text_cell(out, o.text.as_deref());
            num_cell(out, &count(o.accounts));
            num_cell(out, &count(o.actions));
            num_cell(out, &time(&o.first));
            num_cell(out, &time(&o.last));
            num_cell(out, &duration(Some(o.median_delay_s)));
            out.push_str("</tr>\n");
        }
        end_table(out);
    }
    if !e.tightest.is_empty() {
        out.push_str("<h3>Tightest co-actions</h3>\n");
        header(
            out,
            "tightest",
            &[
                "Layer", "Object", "Account", "Post", "Account", "Post", "Time", "|Δt|",
            ],
        );
        for t in &e.tightest {
            out.push_str("<tr>");
            text_cell(out, Some(&t.layer));
            // The object of a co-action on a post is `post <id>`, kept on one line.
            if t.object.starts_with("post ") {
                id_cell(out, &t.object);
            } else {
                text_cell(out, Some(&t.object));
            }
            account_cell(out, &t.source, t.source_handle.as_deref());
            num_cell(out, &t.source_post);
            account_cell(out, &t.target, t.target_handle.as_deref());
            num_cell(out, &t.target_post);
            num_cell(out, &time(&t.time));
            num_cell(out, &duration(Some(t.dt_s)));
            out.push_str("</tr>\n");
        }
        end_table(out);
    }
    if !e.leaders.is_empty() {
        out.push_str(
            "<h3>Leaders</h3>\n<p>Members who acted first in more co-action pairs with other \
             members than they acted second.</p>\n",
        );
        header(
            out,
            "leaders",
            &["Account", "Pairs led", "Pairs followed", "Led"],
        );
        for l in &e.leaders {
            out.push_str("<tr>");
            account_cell(out, &l.account, l.handle.as_deref());
            num_cell(out, &count(l.led));
            num_cell(out, &count(l.followed));
            num_cell(out, &percent(l.led_share()));
            out.push_str("</tr>\n");
        }
        end_table(out);
    }
    for (title, class, values) in [
        ("Languages", "languages", &e.languages),
        ("Locations", "locations", &e.locations),
        ("Clients", "clients", &c.signals.clients),
    ] {
        if values.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{title}</h3>");
        header(
            out,
            class,
            &[title.trim_end_matches('s'), "Accounts", "Share"],
        );
        for v in values {
            out.push_str("<tr>");
            text_cell(out, Some(&v.value));
            num_cell(out, &count(v.accounts));
            num_cell(out, &percent(v.share));
            out.push_str("</tr>\n");
        }
        end_table(out);
    }
    out.push_str("<h3>Bio terms</h3>\n");
    out.push_str(&bio_terms_chart(c));
    members(out, c, accounts);
    out.push_str("</section>\n");
}

/// The cluster's key figures as a definition list.
fn facts(out: &mut String, c: &Cluster) {
    let k = &c.coordination;
    let s = &c.synchrony;
    let g = &c.signals;
    let p = &c.suspicion_parts;
    let mut items = vec![
        (
            "Suspicion".to_owned(),
            format!(
                "{} = coordination {} + synchrony {} + automation {} + dormancy {} + creation {}",
                decimal(c.suspicion, 2),
                decimal(p.coordination, 2),
                decimal(p.synchrony, 2),
                decimal(p.automation, 2),
                decimal(p.dormancy, 2),
                decimal(p.creation, 2)
            ),
        ),
        (
            "Ties".to_owned(),
            format!(
                "{} members ({} core members, flagged), {} edges, density {}, mean weight {}, {} \
                 of their edge weight inside",
                count(u64::from(c.size)),
                count(u64::from(c.core_size)),
                count(k.edges),
                decimal(k.density, 2),
                decimal(k.mean_weight, 2),
                percent(k.internal_share)
            ),
        ),
        (
            "Synchrony".to_owned(),
            format!(
                "{} pairs on {} shared objects; median |Δt| {}, 90th percentile {}; {} within \
                 1 s, {} within 10 s, {} within 60 s; {} of actions synchronised against {} ± \
                 {} under the null model (z = {})",
                count(s.pairs),
                count(s.shared_objects),
                duration(s.median_latency_s),
                duration(s.p90_latency_s),
                percent(s.within_1s),
                percent(s.within_10s),
                percent(s.within_60s),
                percent(s.synchronized_share),
                percent(s.null_synchronized_share),
                percent(s.null_sd),
                decimal(s.z, 1)
            ),
        ),
        (
            "Timing".to_owned(),
            format!(
                "burstiness {}; busiest hour {} ({} of the records); hour-of-day entropy {}",
                s.burstiness
                    .map_or_else(|| "–".to_owned(), |b| decimal(b, 2)),
                time_opt(s.busiest_hour.as_deref()),
                percent(s.busiest_hour_share),
                decimal(s.hour_entropy, 2)
            ),
        ),
        (
            "Accounts".to_owned(),
            format!(
                "bot-likeness mean {}, {} at 0.5 or more; {} dormant then reactivated ({}); {} \
                 of the records from automation clients",
                decimal(g.bot_score_mean, 2),
                percent(g.bot_share),
                count(g.dormant_accounts),
                percent(g.dormant_share),
                percent(g.automation_share)
            ),
        ),
    ];
    if let Some(w) = &g.creation {
        items.push((
            "Creation dates".to_owned(),
            format!(
                "{} of {} members created between {} and {} ({} of all accounts; lift {}, z = {})",
                count(w.in_window),
                count(w.members_with_date),
                time(&w.start),
                time(&w.end),
                percent(w.baseline_share),
                decimal(w.lift, 1),
                decimal(w.z, 1)
            ),
        ));
    }
    if !g.bot_parts.is_empty() {
        let parts = g
            .bot_parts
            .iter()
            .map(|(k, v)| format!("{} {}", clean_text(k), decimal(*v, 3)))
            .collect::<Vec<_>>()
            .join(", ");
        items.push(("Bot-likeness parts".to_owned(), parts));
    }
    if !k.layers.is_empty() {
        let layers = k
            .layers
            .iter()
            .map(|l| format!("{} {} edges", clean_text(&l.kind), count(l.edges)))
            .collect::<Vec<_>>()
            .join(", ");
        items.push(("Layers".to_owned(), layers));
    }
    out.push_str("<dl class=\"facts\">\n");
    for (term, text) in items {
        out.push_str("<dt>");
        push_escaped(out, &term);
        out.push_str("</dt><dd>");
        push_escaped(out, &text);
        out.push_str("</dd>\n");
    }
    out.push_str("</dl>\n");
}

fn members(out: &mut String, c: &Cluster, accounts: &BTreeMap<&str, &Account>) {
    let mut listed: Vec<(&str, Option<&Account>)> = c
        .members
        .iter()
        .map(|id| (id.as_str(), accounts.get(id.as_str()).copied()))
        .collect();
    sort_members(&mut listed);
    out.push_str("<h3>Members</h3>\n");
    header(
        out,
        "members",
        &[
            "Account",
            "Handle",
            "Name",
            "Core",
            "Bot score",
            "Dormant",
            "Records",
            "Followers",
            "Created",
            "Location",
            "Bio",
        ],
    );
    for (id, account) in listed.iter().take(MAX_MEMBERS) {
        out.push_str("<tr>");
        id_cell(out, id);
        match account {
            Some(a) => {
                text_cell(out, a.handle.as_deref());
                text_cell(out, a.name.as_deref());
                num_cell(out, if a.core { "yes" } else { "no" });
                num_cell(out, &decimal(a.bot_score, 2));
                num_cell(out, if a.dormant_reactivated { "yes" } else { "no" });
                num_cell(out, &count(a.signals.records));
                num_cell(
                    out,
                    &a.signals.followers.map_or_else(|| "–".to_owned(), count),
                );
                num_cell(out, &time_opt(a.signals.created_at.as_deref()));
                text_cell(out, a.signals.location.as_deref());
                text_cell(out, a.signals.bio.as_deref());
            }
            None => {
                for _ in 0..10 {
                    text_cell(out, None);
                }
            }
        }
        out.push_str("</tr>\n");
    }
    end_table(out);
    if listed.len() > MAX_MEMBERS {
        let _ = writeln!(
            out,
            "<p class=\"muted\">… and {} more members (see report.json).</p>",
            count((listed.len() - MAX_MEMBERS) as u64)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::charts::CHART_CLASSES;
    use super::super::render::tests::hostile_report;
    use super::*;

    /// Tag names the page may contain; anything else would be injected markup.
    const TAGS: [&str; 36] = [
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
        "p", "span", "nav", "a", "section", "table", "thead", "tbody", "tr", "th", "td", "ul",
        "li", "dl", "dt", "dd", "footer", "svg", "g", "rect", "line", "polyline", "text", "br",
        "div",
    ];

    /// The tags of `html` (name and attribute text), skipping the style sheet.
    fn tags(html: &str) -> Vec<&str> {
        let body = &html[html.find("</style>").unwrap()..];
        body.split('<')
            .skip(1)
            .map(|t| &t[..t.find('>').expect("tag closed")])
            .collect()
    }

    #[test]
    fn page_has_meta_csp_and_every_chart() {
        let html = render_html(&hostile_report());
        assert!(
            html.starts_with(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
            )
        );
        assert!(html.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; img-src data:\">"
        ));
        for class in CHART_CLASSES {
            assert!(
                html.contains(&format!("class=\"chart {class}\"")),
                "{class}"
            );
        }
        assert!(html.contains("<section class=\"cluster flagged\" id=\"cluster-4\">"));
        for id in [
            "chart-timeline-4",
            "chart-latency-4",
            "chart-bio-terms-4",
            "chart-dormancy",
        ] {
            assert_eq!(html.matches(&format!(" id=\"{id}\"")).count(), 1, "{id}");
        }
        assert!(!html.contains("id=\"cluster-7\""));
        assert_eq!(html.matches("<svg").count(), 6);
        assert_eq!(html.matches("</svg>").count(), 6);
    }

    #[test]
    fn hostile_text_stays_text() {
        let html = render_html(&hostile_report());
        for tag in tags(&html) {
            let name = tag
                .trim_start_matches('/')
                .split([' ', '\n'])
                .next()
                .unwrap();
            assert!(TAGS.contains(&name), "unexpected tag <{tag}>");
            assert!(
                !tag.contains("onerror") && !tag.contains("javascript"),
                "<{tag}>"
            );
            if tag.starts_with("a ") {
                assert!(tag.starts_with("a href=\"#"), "only in-page links: <{tag}>");
            }
        }
        for raw in ["<script", "<img", "\u{7}", "\u{1b}", "\u{202E}"] {
            assert!(!html.contains(raw), "raw {raw:?}");
        }
        // Escaped, and readable as what it was.
        assert!(html.contains("bot_&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains(
            "lead_&lt;script&gt;alert(2)&lt;/script&gt;\u{FFFD} <span class=\"id\">101</span>"
        ));
        assert!(html.contains("quote &quot;dbl&quot; &#39;sgl&#39; &amp;amp;"));
        assert!(html.contains("🤖🇫🇷"));
    }

    #[test]
    fn evidence_tables_are_filled() {
        let html = render_html(&hostile_report());
        assert!(html.contains(
            "<td class=\"num\">4</td><td class=\"num\">4</td><td class=\"num\">\
             2017-05-05T14:00:01Z</td><td class=\"num\">2017-05-05T14:00:09.500Z</td>\
             <td class=\"num\">2.5 s</td>"
        ));
        assert!(
            html.contains("<td class=\"text\">pipe|user`x` <span class=\"id\">104</span></td>")
        );
        assert_eq!(html.matches("<table class=\"members\">").count(), 1);
        let members = &html[html.find("<table class=\"members\">").unwrap()..];
        let members = &members[..members.find("</table>").unwrap()];
        assert_eq!(members.matches("<tr>").count(), 1 + 4);
        // Core members first, most bot-like first: 101 (0.93), 102, 103, then 104 (0.2).
        let order: Vec<usize> = ["101", "102", "103", "104"]
            .iter()
            .map(|id| {
                members
                    .find(&format!("<td class=\"id\">{id}</td>"))
                    .unwrap()
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn long_text_is_cut_with_the_whole_in_a_tooltip() {
        let mut report = hostile_report();
        let long = format!("{}\"<b>", "x".repeat(300));
        report.accounts[0].signals.bio = Some(long);
        let html = render_html(&report);
        let cell = format!(
            "<td class=\"text\" title=\"{}&quot;&lt;b&gt;\">",
            "x".repeat(300)
        );
        assert!(html.contains(&cell));
        assert!(html.contains(&format!("{}…</td>", "x".repeat(MAX_CELL - 1))));
    }

    #[test]
    fn rendering_is_deterministic() {
        let report = hostile_report();
        assert_eq!(render_html(&report), render_html(&report.clone()));
    }
}
