//! `analyze` end to end, per stage: `cargo bench --bench analyze -- [SCALE] [THREADS]`
//! (defaults 1.0 and 2). Reads a generated Twitter API v1.1 collection (written once to
//! `bench-data/ingest-<SCALE>.jsonl`, seed 42, shared with the ingest benchmark; scale 1 is
//! about a million tweets), runs the analysis with default options on THREADS threads and
//! writes every output into `bench-data/analyze-out`, then prints the wall time of each stage
//! and the peak resident memory of the process. The page cache is warmed first.

mod common;

use std::time::Instant;

use coordgraph::analyze::{AnalyzeOptions, analyze, input_summary};
use coordgraph::ingest::{IngestOptions, Input, read_collection};

fn main() {
    let args = common::positional_args();
    let scale: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let threads: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let path = common::generated_collection(scale);
    let dir = path.parent().expect("bench-data").to_path_buf();
    std::fs::read(&path).map(drop).expect("warm the page cache");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let out_dir = dir.join("analyze-out");
    std::fs::create_dir_all(&out_dir).expect("out folder");
    let total = Instant::now();
    let (stages, summary) = pool.install(|| {
        let start = Instant::now();
        let ingest = read_collection(
            &[Input::from_arg(&path.to_string_lossy())],
            &IngestOptions::default(),
            &(),
        )
        .expect("read");
        let mut stages = vec![("read".to_owned(), start.elapsed().as_secs_f64())];
        let c = &ingest.collection;
        let start = Instant::now();
        let input = input_summary(c, &ingest.report, &[path.display().to_string()]);
        stages.push(("input summary".to_owned(), start.elapsed().as_secs_f64()));
        let analysis = analyze(c, input, &AnalyzeOptions::default(), &()).expect("analyze");
        stages.extend(analysis.stage_seconds.iter().cloned());
        let start = Instant::now();
        let (outputs, interaction) = rayon::join(
            || {
                coordgraph::report::write_outputs(
                    &analysis.report,
                    &analysis.edges,
                    &out_dir,
                    &coordgraph::export::AnalysisExportOptions::default(),
                )
            },
            || {
                let graph = coordgraph::graph::build_interaction_graph(c);
                coordgraph::export::write_interaction_gexf(
                    c,
                    &graph,
                    &analysis.report,
                    None,
                    &out_dir.join(coordgraph::export::INTERACTION_GEXF_FILE),
                )
            },
        );
        outputs.expect("outputs");
        interaction.expect("interaction graph");
        stages.push(("write outputs".to_owned(), start.elapsed().as_secs_f64()));
        let s = &analysis.report.summary;
        let summary = format!(
            "{} records, {} accounts, {} graph edges, {} clusters, {} flagged ({} accounts)",
            analysis.report.input.records,
            analysis.report.input.accounts,
            s.graph_edges,
            s.clusters,
            s.flagged_clusters,
            s.flagged_accounts
        );
        let start = Instant::now();
        drop(analysis);
        drop(ingest);
        stages.push(("free memory".to_owned(), start.elapsed().as_secs_f64()));
        (stages, summary)
    });
    let wall = total.elapsed().as_secs_f64();
    println!("analyze, scale {scale}, {threads} threads: {summary}");
    println!("| stage | seconds |");
    println!("|---|---:|");
    for (stage, secs) in &stages {
        println!("| {stage} | {secs:.2} |");
    }
    println!("| **total** | **{wall:.2}** |");
    println!("peak resident memory: {:.0} MB", common::peak_rss_mb());
}
