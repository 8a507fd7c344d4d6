//! Flags shared by every subcommand that reads a collection, and the one place they become
//! [`IngestOptions`].

use anyhow::Result;
use clap::Args;
use coordgraph::ingest::{ColumnMapping, Format, Ingest, IngestOptions, Input, read_collection};

use super::Global;

/// Inputs and how to read them.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Files or directories to read (plain, gzip or zstd); `-` reads standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub(crate) inputs: Vec<String>,

    /// Input format; `auto` tells JSON from CSV by content and each JSON line's shape by its
    /// fields.
    #[arg(long, default_value = "auto", value_parser = ["auto", "twitter-v1", "twitter-v2", "csv"])]
    pub(crate) format: String,

    /// CSV column mapping, as `role=column,...` (columns by header name or `#position`) or a
    /// preset: `coortweet` (object_id,account_id,content_id,timestamp_share) or `cnt`
    /// (coordination-network-toolkit's 8 columns). Default: inferred from the header.
    #[arg(long, value_name = "MAPPING")]
    pub(crate) columns: Option<ColumnMapping>,

    /// Make the first bad record an error (exit code 2) instead of skipping it.
    #[arg(long)]
    pub(crate) strict: bool,
}

impl InputArgs {
    pub(crate) fn options(&self) -> Result<IngestOptions> {
        let format: Format = self.format.parse().map_err(anyhow::Error::msg)?;
        Ok(IngestOptions {
            format,
            columns: self.columns.clone(),
            strict: self.strict,
            ..IngestOptions::default()
        })
    }

    pub(crate) fn inputs(&self) -> Vec<Input> {
        self.inputs.iter().map(|s| Input::from_arg(s)).collect()
    }

    /// Reads the collection, telling the user about skipped records.
    pub(crate) fn read(&self, global: &Global) -> Result<Ingest> {
        self.read_with(&self.options()?, global)
    }

    /// [`Self::read`] with options the caller has adjusted.
    pub(crate) fn read_with(&self, opts: &IngestOptions, global: &Global) -> Result<Ingest> {
        let ingest = read_collection(&self.inputs(), opts, global.progress())?;
        let skipped = ingest.report.skipped_total();
        if skipped > 0 && !global.quiet {
            eprintln!(
                "coordgraph: skipped {skipped} bad record(s); first ones (use --strict to stop at the first):"
            );
            for example in &ingest.report.examples {
                eprintln!("  {example}");
            }
        }
        Ok(ingest)
    }
}
