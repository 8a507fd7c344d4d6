//! `coordgraph generate`: a synthetic collection with planted coordinated networks, and its
//! ground truth.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use coordgraph::export::atomic::{write_atomically, write_file_atomically};
use coordgraph::generate::{GenerateOptions, OutputFormat, generate};

use super::Global;

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Where to write the collection (`.gz` or `.zst` compresses); `-` writes to standard
    /// output.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,

    /// Where to write the ground truth `account_id,label,group` (default: next to the output,
    /// `<name>-truth.csv`).
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,

    /// Size: 1.0 is about a million records and a hundred thousand accounts.
    #[arg(long, default_value_t = 0.01)]
    scale: f64,

    /// Random seed; the same seed and scale give the same bytes.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Output format.
    #[arg(long, default_value = "twitter-v1", value_parser = ["twitter-v1", "twitter-v2", "csv"])]
    format: String,

    /// Also write the summary of what was generated (JSON) to this file.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
}

fn default_truth_path(output: &std::path::Path) -> PathBuf {
    let name = output
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("collection");
    let stem = name.split('.').next().unwrap_or(name);
    output.with_file_name(format!("{stem}-truth.csv"))
}

/// Runs `write` on the collection's output: standard output, or a file written atomically
/// (a temporary file renamed over it once complete), compressed as its name asks.
fn with_output<T>(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T>,
) -> Result<T> {
    if path.as_os_str() == "-" {
        let mut out = BufWriter::new(std::io::stdout().lock());
        let value = write(&mut out)?;
        out.flush()?;
        return Ok(value);
    }
    let name = path.to_string_lossy();
    write_atomically(path, |file| {
        if name.ends_with(".gz") {
            let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::new(6));
            let value = write(&mut gz)?;
            gz.finish()?;
            Ok(value)
        } else if name.ends_with(".zst") {
            let mut zst = zstd::Encoder::new(file, 3)?;
            let value = write(&mut zst)?;
            zst.finish()?;
            Ok(value)
        } else {
            write(file)
        }
    })
    .with_context(|| format!("cannot write {}", path.display()))
}

pub(crate) fn run(args: &GenerateArgs, global: &Global) -> Result<ExitCode> {
    let format = match args.format.as_str() {
        "twitter-v2" => OutputFormat::V2,
        "csv" => OutputFormat::Csv,
        _ => OutputFormat::V11,
    };
    let opts = GenerateOptions {
        seed: args.seed,
        scale: args.scale,
        format,
    };
    opts.validate()?;
    let truth_path = args
        .truth
        .clone()
        .unwrap_or_else(|| default_truth_path(&args.output));
    let summary = with_output(&args.output, |tweets| {
        write_atomically(&truth_path, |truth| generate(&opts, tweets, truth))
            .with_context(|| format!("cannot write {}", truth_path.display()))
    })?;
    if let Some(path) = &args.summary {
        let json = serde_json::to_string_pretty(&summary)?;
        write_file_atomically(path, (json + "\n").as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !global.quiet {
        eprintln!(
            "coordgraph: wrote {} records by {} accounts ({} in planted networks) to {}; truth in {}",
            summary.posts,
            summary.accounts,
            summary.coordinated_accounts,
            args.output.display(),
            truth_path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
