/*!
The terminal summary of a report: headline counts and a column-aligned table of the most
suspicious clusters, at most [`MAX_WIDTH`] columns wide, in plain text (no colours, so it reads
the same in a pipe or a log file).

User text is cleaned and cut ([`truncate`]), so a bio with an escape sequence or a line break
cannot move the cursor or break the table.
*/

use std::io::{self, Write};

use super::render::{
    clean_text, count, decimal, display_width, duration, pad_left, pad_right, percent, plural,
    time_opt, truncate,
};
use super::{Cluster, Report};

/// The widest line written.
pub const MAX_WIDTH: usize = 120;

/// How many warnings are listed before the rest are counted.
const MAX_WARNINGS: usize = 5;

/// A table column: header, width in terminal columns, and whether numbers align right.
struct Column {
    header: &'static str,
    width: usize,
    right: bool,
}

const COLUMNS: [Column; 11] = [
    Column {
        header: "rank",
        width: 4,
        right: true,
    },
    Column {
        header: "flag",
        width: 4,
        right: false,
    },
    Column {
        header: "size",
        width: 6,
        right: true,
    },
    Column {
        header: "core",
        width: 5,
        right: true,
    },
    Column {
        header: "susp",
        width: 5,
        right: true,
    },
    Column {
        header: "bots",
        width: 5,
        right: true,
    },
    Column {
        header: "dorm",
        width: 5,
        right: true,
    },
    Column {
        header: "med Δt",
        width: 8,
        right: true,
    },
    Column {
        header: "≤10s",
        width: 5,
        right: true,
    },
    Column {
        header: "top objects",
        width: 40,
        right: false,
    },
    Column {
        header: "languages",
        width: 23,
        right: false,
    },
];

/// Writes the headline counts and the `top` most suspicious clusters of `report` to `out`.
///
/// Columns: rank, `FLAG` for flagged clusters, members, core members (those flagged),
/// suspicion, share of bot-like members,
/// share of dormant-then-reactivated members, median co-action latency, share of co-actions
/// within 10 s, the objects most members acted on (a post by its text), the members' main
/// languages.
///
/// # Errors
/// The error of writing to `out`.
pub fn write_terminal_summary(report: &Report, top: usize, out: &mut impl Write) -> io::Result<()> {
    let input = &report.input;
    let summary = &report.summary;
    let line = |text: String| truncate(&text, MAX_WIDTH);
    let files = input
        .files
        .iter()
        .map(|f| truncate(f, 40))
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(
        out,
        "{}",
        line(format!(
            "records {} ({} retweets), accounts {}, skipped {}, duplicates {}",
            count(input.records),
            count(input.retweets),
            count(input.accounts),
            count(input.skipped),
            count(input.duplicates),
        ))
    )?;
    writeln!(
        out,
        "{}",
        line(format!(
            "span {} to {}; files: {files}",
            time_opt(input.first.as_deref()),
            time_opt(input.last.as_deref()),
        ))
    )?;
    writeln!(
        out,
        "{}",
        line(format!(
            "graph {} accounts, {} edges, modularity {}; clusters {}, flagged {} ({} accounts)",
            count(summary.graph_accounts),
            count(summary.graph_edges),
            decimal(summary.modularity, 2),
            count(summary.clusters),
            count(summary.flagged_clusters),
            count(summary.flagged_accounts),
        ))
    )?;
    writeln!(
        out,
        "{}",
        line(format!(
            "dormant then reactivated {} accounts, bot-like {} accounts (score ≥ 0.5)",
            count(summary.dormant_reactivated),
            count(summary.bot_like),
        ))
    )?;
    writeln!(out)?;

    let shown = &report.clusters[..top.min(report.clusters.len())];
    if report.clusters.is_empty() {
        writeln!(out, "no clusters")?;
    } else if !shown.is_empty() {
        let headers = COLUMNS
            .iter()
            .map(|c| c.header.to_owned())
            .collect::<Vec<_>>();
        writeln!(out, "{}", row(&headers))?;
        for cluster in shown {
            writeln!(out, "{}", row(&cells(cluster)))?;
        }
    }
    let hidden = report.clusters.len() - shown.len();
    if hidden > 0 {
        let hidden = hidden as u64;
        writeln!(
            out,
            "… {} more {}",
            count(hidden),
            plural(hidden, "cluster")
        )?;
    }
    for warning in report.warnings.iter().take(MAX_WARNINGS) {
        for part in wrap(&format!("warning: {warning}"), MAX_WIDTH) {
            writeln!(out, "{part}")?;
        }
    }
    if report.warnings.len() > MAX_WARNINGS {
        let more = (report.warnings.len() - MAX_WARNINGS) as u64;
        writeln!(out, "… {} more {}", count(more), plural(more, "warning"))?;
    }
    Ok(())
}

/// `text` cleaned and broken at spaces into lines of at most `max` columns, the lines after
/// the first indented by two: a warning is read in full, not cut. A word too long for a line
/// is cut.
fn wrap(text: &str, max: usize) -> Vec<String> {
    let text = clean_text(text);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let width = display_width(&current);
        if width > 0 && width + 1 + display_width(word) > max {
            lines.push(std::mem::replace(&mut current, "  ".to_owned()));
        }
        if !current.trim().is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        if display_width(&current) > max {
            current = truncate(&current, max);
        }
    }
    if !current.trim().is_empty() {
        lines.push(current);
    }
    lines
}

/// One table row: each cell cut and padded to its column, the last without trailing spaces.
fn row(cells: &[String]) -> String {
    let mut line = String::new();
    for (i, (cell, column)) in cells.iter().zip(&COLUMNS).enumerate() {
        if i > 0 {
            line.push(' ');
        }
        let cell = truncate(cell, column.width);
        if column.right {
            line.push_str(&pad_left(&cell, column.width));
        } else {
            line.push_str(&pad_right(&cell, column.width));
        }
    }
    line.trim_end().to_owned()
}

/// The cells of a cluster's row, uncut.
fn cells(cluster: &Cluster) -> Vec<String> {
    let objects = cluster
        .evidence
        .top_objects
        .iter()
        .take(3)
        .map(|o| {
            match o
                .text
                .as_deref()
                .filter(|t| o.post_id.is_some() && !t.trim().is_empty())
            {
                // A post reads better by its text than by its id.
                Some(text) => format!("\"{}\"", truncate(text, 22)),
                None => truncate(&o.object, 24),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let languages = cluster
        .evidence
        .languages
        .iter()
        .take(3)
        .map(|l| format!("{} {}", truncate(&l.value, 8), percent(l.share)))
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        cluster.rank.to_string(),
        if cluster.flagged { "FLAG" } else { "" }.to_owned(),
        count(u64::from(cluster.size)),
        count(u64::from(cluster.core_size)),
        decimal(cluster.suspicion, 2),
        percent(cluster.signals.bot_share),
        percent(cluster.signals.dormant_share),
        duration(cluster.synchrony.median_latency_s),
        if cluster.synchrony.pairs > 0 {
            percent(cluster.synchrony.within_10s)
        } else {
            "–".to_owned()
        },
        objects,
        languages,
    ]
}

#[cfg(test)]
mod tests {
    use super::super::render::tests::hostile_report;
    use super::*;

    fn summary(top: usize) -> String {
        let mut out = Vec::new();
        write_terminal_summary(&hostile_report(), top, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_lists_the_top_clusters_in_rank_order() {
        let text = summary(10);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("records 1,200 (800 retweets), accounts 10, skipped 2"));
        assert!(lines[2].contains("clusters 3, flagged 1 (3 accounts)"));
        let header = lines
            .iter()
            .position(|l| l.starts_with("rank flag"))
            .unwrap();
        let rows = &lines[header + 1..header + 4];
        assert!(rows[0].starts_with(
            "   1 FLAG      4     3  0.82   75%   50%    3.5 s   81% \"RT <script>alert(1)"
        ));
        assert!(rows[0].contains("fr 75%, en"));
        assert!(rows[1].starts_with("   2           3     3  0.31    0%    0%     25 s   10%"));
        assert!(rows[2].starts_with("   3           2     2  0.12    0%    0%        –   10%"));
        assert!(!text.contains("more cluster"));
    }

    #[test]
    fn top_limits_the_rows_and_says_how_many_are_left() {
        let text = summary(1);
        assert!(text.contains("   1 FLAG"));
        assert!(!text.contains("   2     "));
        assert!(text.contains("… 2 more clusters"));
        let none = summary(0);
        assert!(none.contains("… 3 more clusters") && !none.contains("rank flag"));
        let mut empty = hostile_report();
        empty.clusters.clear();
        let mut out = Vec::new();
        write_terminal_summary(&empty, 10, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("\nno clusters\n"));
    }

    #[test]
    fn long_warnings_are_wrapped_whole() {
        let words: Vec<String> = (0..60).map(|i| format!("word{i}")).collect();
        let mut report = hostile_report();
        report.warnings = vec![words.join(" ")];
        let mut out = Vec::new();
        write_terminal_summary(&report, 0, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let start = text.find("warning: word0 ").unwrap();
        let lines: Vec<&str> = text[start..].lines().collect();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| display_width(l) <= MAX_WIDTH));
        assert!(lines[1..].iter().all(|l| l.starts_with("  word")));
        let rejoined: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        let expected: Vec<&str> = std::iter::once("warning:")
            .chain(words.iter().map(String::as_str))
            .collect();
        assert_eq!(rejoined, expected);
        assert_eq!(
            wrap(&"x".repeat(200), 20),
            vec![format!("{}…", "x".repeat(19))]
        );
    }

    #[test]
    fn lines_are_narrow_and_free_of_control_characters() {
        let text = summary(10);
        for line in text.lines() {
            assert!(display_width(line) <= MAX_WIDTH, "too wide: {line}");
            assert!(
                !line.chars().any(|c| c.is_control()),
                "control character: {line:?}"
            );
            assert!(!line.contains('\u{202E}'));
        }
        // The warning's line break did not start a line of its own.
        assert!(text.contains("warning: layer co-mention is empty | injected | row |"));
        assert!(!text.lines().any(|l| l.starts_with("| injected")));
    }
}
