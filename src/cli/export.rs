//! `coordgraph export`: write the graph exports of a saved analysis again (other formats,
//! another folder) from its `report.json` and coordination edge table, without recomputing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use coordgraph::export::{
    AnalysisExportOptions, DEFAULT_EXPORT_MAX_EDGES, ExportFormat, write_analysis_exports,
};
use coordgraph::report::{EdgeTable, read_report};

use super::Global;

/// The report in an analysis folder.
const REPORT_FILE: &str = "report.json";
/// The coordination graph beside it.
const EDGES_FILE: &str = "coordination-edges.csv";

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// An analysis folder (holding report.json and coordination-edges.csv), or a report.json.
    #[arg(value_name = "DIR_OR_REPORT.json")]
    input: PathBuf,

    /// The coordination graph (default: coordination-edges.csv beside the report).
    #[arg(long, value_name = "FILE")]
    edges: Option<PathBuf>,

    /// Where to write (default: the report's folder).
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Formats, comma-separated: gexf, dynamic-gexf (spells for Gephi's timeline), graphml,
    /// csv (nodes.csv and edges.csv for Gephi's spreadsheet import), dot (one file per flagged
    /// cluster and an overview), or all.
    #[arg(long, value_name = "FORMAT[,FORMAT...]", default_value = "all")]
    format: String,

    /// The most edges the graph files hold; a larger graph is drawn as the subgraph of its
    /// flagged clusters (then its heaviest edges).
    #[arg(long, default_value_t = DEFAULT_EXPORT_MAX_EDGES, value_name = "EDGES")]
    export_max_edges: usize,
}

pub(crate) fn run(args: &ExportArgs, global: &Global) -> Result<ExitCode> {
    let formats = ExportFormat::parse_list(&args.format)?;
    let report_path = if args.input.is_dir() {
        args.input.join(REPORT_FILE)
    } else {
        args.input.clone()
    };
    let folder = match report_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let edges_path = args
        .edges
        .clone()
        .unwrap_or_else(|| folder.join(EDGES_FILE));
    let out = args.out.clone().unwrap_or_else(|| folder.clone());

    let report = read_report(&report_path)?;
    let edges = EdgeTable::read_file(&edges_path)
        .context("cannot read the coordination graph (give it with --edges if it is elsewhere)")?;
    let options = AnalysisExportOptions {
        formats,
        max_edges: args.export_max_edges,
        ..AnalysisExportOptions::default()
    };
    let written = write_analysis_exports(&report, &edges, &out, &options)
        .with_context(|| format!("cannot write the exports in {}", out.display()))?;
    if !global.quiet {
        eprintln!(
            "coordgraph: export: {} edges, {} flagged clusters; wrote {} files in {}",
            edges.edges.len(),
            report.clusters.iter().filter(|c| c.flagged).count(),
            written.len(),
            out.display()
        );
        for path in &written {
            eprintln!("  {}", relative(path, &out).display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `path` relative to `base` when it lies under it.
fn relative<'p>(path: &'p Path, base: &Path) -> &'p Path {
    path.strip_prefix(base).unwrap_or(path)
}
