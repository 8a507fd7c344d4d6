//! Precision and recall of `analyze`'s flagged accounts on generated collections, per planted
//! group, with default options: the large-scale check of the analysis.
//!
//! Run: `cargo run --release --example analyze_eval -- [scale] [seeds...]` (defaults: scale
//! 1, seeds 1 2 3), or `scripts/analyze_eval.sh`. Each collection is generated, read, analysed
//! and evaluated against its ground truth. Up to scale 2 the collection stays in memory (scale 1
//! is about 2 GB of JSON); larger ones are streamed through a zstd file in `bench-data/`
//! (scale 10 is about 22 GB of JSON, 1.8 GB compressed), removed afterwards. With
//! `COORDGRAPH_EVAL_DATA=DIR`, the file and its truth are kept in `DIR` as
//! `eval-<scale>-<seed>.jsonl.zst` and `eval-<scale>-<seed>-truth.csv` and read from there
//! when present (`coordgraph generate --scale S --seed N -o DIR/eval-S-N.jsonl.zst --truth
//! DIR/eval-S-N-truth.csv` writes the same collection).

#[path = "../benches/common/mod.rs"]
mod common;

use coordgraph::analyze::{AnalyzeOptions, analyze, input_summary};
use coordgraph::evaluate::{DEFAULT_POSITIVE_LABEL, evaluate, read_truth};
use coordgraph::generate::{GenerateOptions, OutputFormat, generate};
use coordgraph::ingest::{IngestOptions, Input, read_collection};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let graph_only = args.first().is_some_and(|a| a == "--graph-only");
    if graph_only {
        args.remove(0);
    }
    let scale: f64 = args.first().map_or(1.0, |s| s.parse().expect("scale"));
    let seeds: Vec<u64> = if args.len() > 1 {
        args[1..].iter().map(|s| s.parse().expect("seed")).collect()
    } else {
        vec![1, 2, 3]
    };
    if graph_only {
        println!(
            "| scale | seed | records | co-action pairs | layer edges | ranges | graph edges | \
             graphs s | peak MB so far |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    } else {
        println!(
            "| scale | seed | records | flagged | precision | recall | F1 | fan club flagged | \
             dormant found |"
        );
    }
    if !graph_only {
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    }
    let mut groups_table = String::new();
    let mut size_table = String::new();
    for seed in seeds {
        let options = GenerateOptions {
            seed,
            scale,
            format: OutputFormat::V11,
        };
        let (input, truth, spill) = generated_input(&options);
        let ingest = read_collection(&[input], &IngestOptions::default(), &()).expect("read");
        if let Some(path) = spill {
            std::fs::remove_file(path).expect("remove the generated file");
        }
        let c = &ingest.collection;
        if graph_only {
            size_table.push_str(&coordination_size(c, scale, seed));
            continue;
        }
        let input = input_summary(c, &ingest.report, &["generated.jsonl".to_owned()]);
        let start = std::time::Instant::now();
        let analysis = analyze(c, input, &AnalyzeOptions::default(), &()).expect("analyze");
        let analyze_secs = start.elapsed().as_secs_f64();
        let truth = read_truth(&truth[..], "truth.csv").expect("truth");
        let e = evaluate(&analysis.report, &truth, DEFAULT_POSITIVE_LABEL);
        let group = |name: &str| e.groups.iter().find(|g| g.group == name);
        let fans = group("fan_club").map_or(0, |g| g.flagged);
        let dormant = group("dormant_reactivated").map_or(String::from("-"), |g| {
            format!("{}/{}", g.dormant_reactivated, g.accounts)
        });
        println!(
            "| {scale} | {seed} | {} | {} | {:.3} | {:.3} | {:.3} | {fans} | {dormant} |",
            analysis.report.input.records,
            analysis.report.summary.flagged_accounts,
            e.overall.precision,
            e.overall.recall,
            e.overall.f1
        );
        let layers = &analysis.report.layers;
        let stage = |name: &str| {
            let secs = analysis.stage_seconds.iter().find(|s| s.0 == name);
            secs.map_or(0.0, |s| s.1)
        };
        size_table.push_str(&format!(
            "| {scale} | {seed} | {} | {} | {} | {} | {:.1} | {:.1} | {analyze_secs:.1} | {:.0} |\n",
            layers.iter().map(|l| l.pairs).sum::<u64>(),
            layers.iter().map(|l| l.edges).sum::<u64>(),
            analysis.report.summary.graph_accounts,
            analysis.report.summary.graph_edges,
            stage("graphs"),
            stage("communities"),
            common::peak_rss_mb()
        ));
        for g in &e.groups {
            groups_table.push_str(&format!(
                "| {scale} | {seed} | {} | {} | {} | {} | {:.3} |\n",
                g.group, g.label, g.accounts, g.flagged, g.flagged_share
            ));
        }
    }
    if graph_only {
        print!("{size_table}");
        return;
    }
    println!();
    println!("| scale | seed | group | label | accounts | flagged | share flagged |");
    println!("|---:|---:|---|---|---:|---:|---:|");
    print!("{groups_table}");
    println!();
    println!(
        "| scale | seed | co-action pairs | layer edges | graph accounts | graph edges | \
         graphs s | communities s | analyze s | peak MB so far |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    print!("{size_table}");
}

/// Collections larger than this many scale units are written to disk instead of memory.
const IN_MEMORY_SCALE: f64 = 2.0;

/// Generates one collection: the input to read, its ground truth, and the file to remove once
/// read (for collections streamed through disk).
fn generated_input(options: &GenerateOptions) -> (Input, Vec<u8>, Option<PathBuf>) {
    let mut truth = Vec::new();
    let kept = std::env::var_os("COORDGRAPH_EVAL_DATA").map(PathBuf::from);
    if options.scale <= IN_MEMORY_SCALE && kept.is_none() {
        let mut tweets = Vec::new();
        generate(options, &mut tweets, &mut truth).expect("generate");
        return (Input::bytes("generated.jsonl", tweets), truth, None);
    }
    let dir = kept
        .clone()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data"));
    std::fs::create_dir_all(&dir).expect("bench-data folder");
    let name = format!("eval-{}-{}", options.scale, options.seed);
    let path = dir.join(format!("{name}.jsonl.zst"));
    let truth_path = dir.join(format!("{name}-truth.csv"));
    if kept.is_some() && path.exists() && truth_path.exists() {
        let truth = std::fs::read(&truth_path).expect("read the truth");
        return (Input::from_arg(&path.to_string_lossy()), truth, None);
    }
    let file = std::fs::File::create(&path).expect("create the generated file");
    let mut encoder = zstd::Encoder::new(BufWriter::new(file), 1).expect("zstd");
    generate(options, &mut encoder, &mut truth).expect("generate");
    encoder.finish().expect("zstd").flush().expect("write");
    if kept.is_some() {
        std::fs::write(&truth_path, &truth).expect("write the truth");
        return (Input::from_arg(&path.to_string_lossy()), truth, None);
    }
    (Input::from_arg(&path.to_string_lossy()), truth, Some(path))
}

/// The size of the coordination graph of the analysis (default options) without holding it:
/// the layers are built range by range as `analyze` builds them, but nothing is kept
/// (minimum weight infinite); each range's combined edges are counted here instead. A table
/// row: records, co-action pairs, layer edges, ranges, edges of combined weight ≥ the
/// default minimum, seconds, peak memory.
fn coordination_size(c: &coordgraph::model::Collection, scale: f64, seed: u64) -> String {
    use coordgraph::graph::{CoActionEdge, CoordinationGraph};
    let options = AnalyzeOptions::default();
    let layers = options.networks.len();
    let start = std::time::Instant::now();
    let (mut layer_edges, mut kept) = (0u64, 0u64);
    let mut range: Vec<(u64, f64)> = Vec::new();
    let built = CoordinationGraph::build_filtered(
        c,
        &options.networks,
        &options.co_action,
        f64::INFINITY,
        options.max_pairs_in_memory,
        |layer, edges: &[CoActionEdge]| {
            layer_edges += edges.len() as u64;
            let key = |e: &CoActionEdge| (u64::from(e.source) << 32) | u64::from(e.target);
            range.extend(edges.iter().map(|e| (key(e), e.weight)));
            if layer + 1 == layers {
                range.sort_unstable_by_key(|x| x.0);
                let mut i = 0;
                while i < range.len() {
                    let (mut weight, mut j) = (0.0, i);
                    while j < range.len() && range[j].0 == range[i].0 {
                        weight += range[j].1;
                        j += 1;
                    }
                    kept += u64::from(weight >= options.min_edge_weight);
                    i = j;
                }
                range.clear();
            }
        },
    )
    .expect("graphs");
    let pairs: u64 = built.layers.iter().map(|l| l.stats.pairs).sum();
    format!(
        "| {scale} | {seed} | {} | {pairs} | {layer_edges} | {} | {kept} | {:.1} | {:.0} |\n",
        c.records().count(),
        built.ranges.len(),
        start.elapsed().as_secs_f64(),
        common::peak_rss_mb()
    )
}
