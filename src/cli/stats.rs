//! `coordgraph stats`: read a collection and summarise it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use coordgraph::stats::CollectionStats;

use super::Global;
use super::input::InputArgs;

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &StatsArgs, global: &Global) -> Result<ExitCode> {
    let ingest = args.input.read(global)?;
    let stats = CollectionStats::compute(&ingest.collection, &ingest.report);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &stats)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &stats)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn n(x: u64) -> String {
    let s = x.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn write_table(out: &mut impl Write, s: &CollectionStats) -> std::io::Result<()> {
    writeln!(out, "{:<16} {}", "files", s.files.len())?;
    writeln!(
        out,
        "{:<16} {} ({} originals, {} retweets, {} replies, {} quotes)",
        "posts",
        n(s.posts),
        n(s.originals),
        n(s.retweets),
        n(s.replies),
        n(s.quotes)
    )?;
    writeln!(
        out,
        "{:<16} {} embedded originals, {} known only by reference",
        "also seen",
        n(s.embedded),
        n(s.referenced_only)
    )?;
    writeln!(
        out,
        "{:<16} {} authors ({} seen in all, {} with a profile)",
        "accounts",
        n(s.accounts),
        n(s.accounts_seen),
        n(s.profiles)
    )?;
    writeln!(
        out,
        "{:<16} {} hashtags, {} URLs, {} domains, {} other objects",
        "distinct",
        n(s.hashtags),
        n(s.urls),
        n(s.domains),
        n(s.objects)
    )?;
    let span = match (&s.first, &s.last) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "-".to_string(),
    };
    writeln!(out, "{:<16} {span}", "time span")?;
    writeln!(
        out,
        "{:<16} {} (merged CSV rows: {})",
        "duplicates",
        n(s.duplicates),
        n(s.merged_rows)
    )?;
    let reasons: Vec<String> = s
        .skipped_by_reason
        .iter()
        .map(|(r, c)| format!("{r} {}", n(*c)))
        .collect();
    if reasons.is_empty() {
        writeln!(out, "{:<16} 0", "skipped")?;
    } else {
        writeln!(
            out,
            "{:<16} {} ({})",
            "skipped",
            n(s.skipped),
            reasons.join(", ")
        )?;
    }
    writeln!(
        out,
        "{:<16} {:.1} MB in {:.2} s: {:.0} MB/s, {} posts/s",
        "read",
        s.bytes as f64 / 1e6,
        s.seconds,
        s.mb_per_s,
        n(s.posts_per_s.round() as u64)
    )?;
    let per_post = if s.posts + s.embedded > 0 {
        s.memory_bytes as f64 / (s.posts + s.embedded + s.referenced_only) as f64
    } else {
        0.0
    };
    writeln!(
        out,
        "{:<16} {:.1} MB ({per_post:.0} bytes per post) + {:.1} MB of text",
        "memory",
        s.memory_bytes as f64 / 1e6,
        s.text_bytes as f64 / 1e6
    )?;
    Ok(())
}
