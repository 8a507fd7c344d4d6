//! `coordgraph evaluate`: precision, recall and F1 of a report's flagged accounts against a
//! ground truth.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use coordgraph::evaluate::{DEFAULT_POSITIVE_LABEL, evaluate, read_truth_file};
use coordgraph::report::read_report;

use super::Global;

#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    /// The ground truth: CSV `account_id,label,group` (as `coordgraph generate` writes it).
    #[arg(long, value_name = "TRUTH.csv")]
    truth: PathBuf,

    /// The report of `coordgraph analyze`.
    #[arg(value_name = "REPORT.json")]
    report: PathBuf,

    /// The label of accounts that should be flagged.
    #[arg(long, default_value = DEFAULT_POSITIVE_LABEL)]
    positive_label: String,

    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &EvaluateArgs, _global: &Global) -> Result<ExitCode> {
    let report = read_report(&args.report)?;
    let truth = read_truth_file(&args.truth)?;
    let e = evaluate(&report, &truth, &args.positive_label);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &e)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let o = &e.overall;
    writeln!(
        out,
        "flagged accounts against label `{}`: precision {:.3}, recall {:.3}, F1 {:.3} \
         ({} true positives, {} false positives, {} false negatives)",
        e.positive_label,
        o.precision,
        o.recall,
        o.f1,
        o.true_positives,
        o.false_positives,
        o.false_negatives
    )?;
    writeln!(
        out,
        "{:<24} {:<12} {:>8} {:>8} {:>8} {:>9} {:>8}",
        "group", "label", "accounts", "flagged", "share", "clustered", "dormant"
    )?;
    for g in &e.groups {
        writeln!(
            out,
            "{:<24} {:<12} {:>8} {:>8} {:>8.3} {:>9} {:>8}",
            g.group,
            g.label,
            g.accounts,
            g.flagged,
            g.flagged_share,
            g.clustered,
            g.dormant_reactivated
        )?;
    }
    if e.flagged_unknown > 0 {
        writeln!(
            out,
            "{} flagged accounts are not in the truth (counted as false positives)",
            e.flagged_unknown
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
