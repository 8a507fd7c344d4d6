//! Speed and memory of `coordgraph export` on a large saved analysis:
//! `cargo run --profile test --example export_analysis_bench -- [ACCOUNTS] [EDGES] [OUT_DIR]`
//! (defaults 100000, 1000000, /work/bench-data/export-analysis; run by
//! `scripts/export_analysis_bench.sh`, which uses 2 threads).
//!
//! The report is a real analysis of a generated collection (scale 0.01) blown up to ACCOUNTS
//! accounts (its accounts repeated under new ids, spread over its clusters); the edge table
//! has EDGES random edges between them. Both are saved as `report.json` and
//! `coordination-edges.csv`, then, as `coordgraph export` does, read back and exported one
//! format at a time; last, every output `analyze` writes from an analysis (report, edge table,
//! Markdown and HTML, every export; all but the interaction graph) is written at once, as
//! `analyze` does, into `OUT_DIR/outputs`. For each step the bench prints wall time, the CPU
//! time of the process (user + system, all threads; `/proc/self/stat`), output size and peak
//! resident memory (`VmHWM`, reset through `/proc/self/clear_refs` before each step).

use std::path::{Path, PathBuf};
use std::time::Instant;

use coordgraph::analyze::{AnalyzeOptions, analyze, input_summary};
use coordgraph::export::{
    AnalysisExportOptions, CoordinationSource, ExportFormat, write_analysis_exports,
};
use coordgraph::generate::{GenerateOptions, OutputFormat, generate};
use coordgraph::ingest::{IngestOptions, Input, read_collection};
use coordgraph::report::{
    EdgeRow, EdgeTable, Report, read_report, write_outputs, write_report_json,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let accounts: usize = args.first().map_or(Ok(100_000), |s| s.parse())?;
    let edges: usize = args.get(1).map_or(Ok(1_000_000), |s| s.parse())?;
    let out = PathBuf::from(
        args.get(2)
            .map_or("/work/bench-data/export-analysis", String::as_str),
    );
    std::fs::create_dir_all(&out)?;

    let (report, table) = synthetic(accounts, edges)?;
    write_report_json(&report, &out.join("report.json"))?;
    table.write_file(&out.join("coordination-edges.csv"))?;
    let flagged = report.clusters.iter().filter(|c| c.flagged).count();
    println!(
        "{} accounts, {} edges, {} layers, {} clusters ({flagged} flagged)",
        report.accounts.len(),
        table.edges.len(),
        table.layers.len(),
        report.clusters.len()
    );
    drop((report, table));

    let mut loaded = None;
    let saved = [out.join("report.json"), out.join("coordination-edges.csv")];
    measure("read", &[&saved[0], &saved[1]], || {
        let report = read_report(&saved[0])?;
        let table = EdgeTable::read_file(&saved[1])?;
        loaded = Some((report, table));
        Ok(Vec::new())
    });
    let (report, table) = loaded.expect("read");
    measure("index", &[], || {
        CoordinationSource::new(&report, &table)?;
        Ok(Vec::new())
    });
    let dir = out.join("exports");
    for format in ExportFormat::ALL {
        let options = AnalysisExportOptions {
            formats: vec![format],
            ..AnalysisExportOptions::default()
        };
        measure(format.name(), &[], || {
            Ok(write_analysis_exports(&report, &table, &dir, &options)?)
        });
    }
    measure("all outputs", &[], || {
        Ok(write_outputs(
            &report,
            &table,
            &out.join("outputs"),
            &AnalysisExportOptions::default(),
        )?)
    });
    Ok(())
}

/// A real report grown to `accounts` accounts, and `edges` random edges between them.
fn synthetic(
    accounts: usize,
    edges: usize,
) -> Result<(Report, EdgeTable), Box<dyn std::error::Error>> {
    let options = GenerateOptions {
        seed: 42,
        scale: 0.01,
        format: OutputFormat::V11,
    };
    let (mut tweets, mut truth) = (Vec::new(), Vec::new());
    generate(&options, &mut tweets, &mut truth)?;
    let ingest = read_collection(
        &[Input::bytes("generated.jsonl", tweets)],
        &IngestOptions::default(),
        &(),
    )?;
    let files = ["generated.jsonl".to_string()];
    let input = input_summary(&ingest.collection, &ingest.report, &files);
    let analysis = analyze(&ingest.collection, input, &AnalyzeOptions::default(), &())?;
    let mut report = analysis.report;
    let template = std::mem::take(&mut report.accounts);
    for c in &mut report.clusters {
        c.members.clear();
    }
    let position: std::collections::HashMap<u32, usize> = report
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    for i in 0..accounts {
        let mut a = template[i % template.len()].clone();
        a.id = (1_000_000_000 + i).to_string();
        a.handle = Some(format!("user{i}"));
        if let Some(&k) = a.cluster.and_then(|k| position.get(&k)) {
            report.clusters[k].members.push(a.id.clone());
        }
        report.accounts.push(a);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let layers = analysis.edges.layers.clone();
    let rows = &analysis.edges.to_table().edges;
    let table = EdgeTable {
        layers,
        edges: (0..edges)
            .map(|i| {
                let row = &rows[i % rows.len()];
                let a = rng.random_range(0..accounts);
                let b = (a + rng.random_range(1..accounts)) % accounts;
                EdgeRow {
                    source: report.accounts[a.min(b)].id.clone(),
                    target: report.accounts[a.max(b)].id.clone(),
                    ..row.clone()
                }
            })
            .collect(),
    };
    Ok((report, table))
}

/// A field of `/proc/self/status` in kB, 0 where unavailable.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// User and system CPU time of the process so far, in seconds (all threads), 0 where
/// unavailable.
fn cpu_seconds() -> (f64, f64) {
    // Fields 14 and 15 of `/proc/self/stat` (after the parenthesised command name), in clock
    // ticks of 1/100 s on Linux.
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
            Some((ticks(11)? / 100.0, ticks(12)? / 100.0))
        })
        .unwrap_or((0.0, 0.0))
}

fn measure(
    name: &str,
    inputs: &[&Path],
    run: impl FnOnce() -> Result<Vec<PathBuf>, Box<dyn std::error::Error>>,
) {
    // Linux: `echo 5 > clear_refs` resets the high-water mark to the current RSS.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kb("VmRSS:");
    let (user0, sys0) = cpu_seconds();
    let start = Instant::now();
    let written = run().expect("step succeeds");
    let secs = start.elapsed().as_secs_f64();
    let (user1, sys1) = cpu_seconds();
    let size: u64 = written
        .iter()
        .map(PathBuf::as_path)
        .chain(inputs.iter().copied())
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let peak = status_kb("VmHWM:");
    println!(
        "{name:<13} {secs:>6.2} s  cpu {:>6.2} s ({:.2} user + {:.2} sys)  {:>7.1} MB  \
         peak RSS {:>7.1} MB (+{:.1} MB over {:.1} MB{})",
        user1 - user0 + sys1 - sys0,
        user1 - user0,
        sys1 - sys0,
        size as f64 / 1e6,
        peak as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0,
        before as f64 / 1024.0,
        if reset { "" } else { "; peak not reset" },
    );
}
