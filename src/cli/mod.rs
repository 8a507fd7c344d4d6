//! The command-line interface: flag definitions and one function per subcommand. Everything
//! here is glue; the work is done by the library.

mod analyze;
mod communities;
mod evaluate;
mod export;
mod generate;
mod input;
mod network;
mod progress;
mod report;
mod stats;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use progress::TerminalProgress;

/// Find coordinated inauthentic behaviour (bot networks, amplification rings, copy-paste
/// campaigns) in collections of social-media posts.
#[derive(Debug, Parser)]
#[command(name = "coordgraph", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,

    /// Print nothing but results and errors.
    #[arg(short, long, global = true)]
    quiet: bool,

    /// Print more about what is done.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read a collection and summarise it: posts by kind, accounts, hashtags, URLs, time span,
    /// duplicates, skipped records by reason, throughput.
    Stats(stats::StatsArgs),
    /// Write a synthetic collection with planted coordinated networks (fast retweeters,
    /// dormant accounts woken up for one campaign, copy-paste posters, hashtag pushers, a
    /// retweet ring) among organic users and a fan club, plus its ground truth.
    Generate(generate::GenerateArgs),
    /// Build co-action graphs (accounts acting on the same object within a time window) and
    /// write their edge lists as CSV.
    Network(network::NetworkArgs),
    /// Cut a weighted edge list into communities (Leiden, Louvain or connected components) and
    /// write `node,community`.
    Communities(communities::CommunitiesArgs),
    /// The whole pipeline: read collections, build the coordination graph, find clusters,
    /// measure their synchrony and account signals, rank them by suspicion, and write the
    /// report (JSON, HTML, Markdown) and graph exports (GEXF, GraphML, CSV, DOT) into a folder.
    Analyze(analyze::AnalyzeArgs),
    /// Precision, recall and F1 of a report's flagged accounts against a ground truth
    /// (`account_id,label,group`), overall and per group.
    Evaluate(evaluate::EvaluateArgs),
    /// Write the graph exports of a saved analysis again (GEXF, dynamic GEXF, GraphML, CSV
    /// tables, DOT per flagged cluster) from its report.json, without recomputing.
    Export(export::ExportArgs),
    /// Render a saved report.json for people: write report.md and a self-contained
    /// report.html (charts included), and print the most suspicious clusters.
    Report(report::ReportArgs),
}

/// Settings every subcommand sees.
pub(crate) struct Global {
    pub(crate) quiet: bool,
    #[allow(dead_code)]
    pub(crate) verbose: u8,
    progress: TerminalProgress,
}

impl Global {
    pub(crate) fn progress(&self) -> &TerminalProgress {
        &self.progress
    }
}

/// Runs the chosen subcommand.
pub(crate) fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(n) = cli.threads {
        anyhow::ensure!(n >= 1, "--threads must be at least 1");
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    let global = Global {
        quiet: cli.quiet,
        verbose: cli.verbose,
        progress: TerminalProgress::new(cli.quiet),
    };
    match cli.command {
        Command::Stats(args) => stats::run(&args, &global),
        Command::Generate(args) => generate::run(&args, &global),
        Command::Network(args) => network::run(&args, &global),
        Command::Communities(args) => communities::run(&args, &global),
        Command::Analyze(args) => analyze::run(&args, &global),
        Command::Evaluate(args) => evaluate::run(&args, &global),
        Command::Export(args) => export::run(&args, &global),
        Command::Report(args) => report::run(&args, &global),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
