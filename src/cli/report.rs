//! `coordgraph report`: render a saved `report.json` for people, without recomputing: writes
//! `report.md` and `report.html` and prints the summary table.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use coordgraph::report::{read_report, write_report_files, write_terminal_summary};

use super::Global;

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The `report.json` an analysis wrote.
    #[arg(value_name = "REPORT.json")]
    report: PathBuf,

    /// Where to write `report.md` and `report.html` (default: the folder of REPORT.json).
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Clusters listed in the summary table.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
}

pub(crate) fn run(args: &ReportArgs, global: &Global) -> Result<ExitCode> {
    // A `ReportError` names the file and already says its cause, so it is passed on as one
    // message (as a chain, the cause would be printed twice).
    let flat = |e: coordgraph::report::ReportError| anyhow::anyhow!("{e}");
    let report = read_report(&args.report).map_err(flat)?;
    let dir = match &args.out {
        Some(dir) => dir.clone(),
        None => match args.report.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let written = write_report_files(&report, &dir).map_err(flat)?;
    let mut out = std::io::stdout().lock();
    write_terminal_summary(&report, args.top, &mut out).context("cannot print the summary")?;
    out.flush()?;
    if !global.quiet {
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        eprintln!("coordgraph: wrote {}", names.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
