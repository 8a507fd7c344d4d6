//! The renderings `analyze` writes beside `report.json`, shared with `report` and `export`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use coordgraph::export::{AnalysisExportOptions, write_analysis_exports};
use coordgraph::report::{EdgeTable, Report};

/// Writes the human-facing report and the graph exports into `dir`.
pub(crate) fn write_outputs(report: &Report, edges: &EdgeTable, dir: &Path) -> Result<Vec<PathBuf>> {
    let written = write_analysis_exports(report, edges, dir, &AnalysisExportOptions::default())?;
    Ok(written)
}

/// Prints the summary table of the top clusters.
pub(crate) fn print_summary(report: &Report, top: usize, out: &mut impl Write) -> Result<()> {
    let s = &report.summary;
    writeln!(
        out,
        "{} records, {} accounts; {} clusters, {} flagged ({} accounts)",
        report.input.records,
        report.input.accounts,
        s.clusters,
        s.flagged_clusters,
        s.flagged_accounts
    )?;
    for k in report.clusters.iter().take(top) {
        writeln!(
            out,
            "{:>4} {} size {:>5} suspicion {:.2}",
            k.rank,
            if k.flagged { "FLAGGED" } else { "       " },
            k.size,
            k.suspicion
        )?;
    }
    Ok(())
}
