//! Precision and recall of `analyze`'s flagged accounts on generated collections, per planted
//! group, with default options: the large-scale check of the analysis.
//!
//! Run: `cargo run --release --example analyze_eval -- [scale] [seeds...]` (defaults: scale
//! 1, seeds 1 2 3), or `scripts/analyze_eval.sh`. Each collection is generated in memory
//! (scale 1 is about 2 GB of JSON), read, analysed and evaluated against its ground truth.

use coordgraph::analyze::{AnalyzeOptions, analyze, input_summary};
use coordgraph::evaluate::{DEFAULT_POSITIVE_LABEL, evaluate, read_truth};
use coordgraph::generate::{GenerateOptions, OutputFormat, generate};
use coordgraph::ingest::{IngestOptions, Input, read_collection};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scale: f64 = args.first().map_or(1.0, |s| s.parse().expect("scale"));
    let seeds: Vec<u64> = if args.len() > 1 {
        args[1..].iter().map(|s| s.parse().expect("seed")).collect()
    } else {
        vec![1, 2, 3]
    };
    println!(
        "| scale | seed | records | flagged | precision | recall | F1 | fan club flagged | dormant found |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut groups_table = String::new();
    for seed in seeds {
        let (mut tweets, mut truth) = (Vec::new(), Vec::new());
        let options = GenerateOptions {
            seed,
            scale,
            format: OutputFormat::V11,
        };
        generate(&options, &mut tweets, &mut truth).expect("generate");
        let ingest = read_collection(
            &[Input::bytes("generated.jsonl", tweets)],
            &IngestOptions::default(),
            &(),
        )
        .expect("read");
        let c = &ingest.collection;
        let input = input_summary(c, &ingest.report, &["generated.jsonl".to_owned()]);
        let analysis = analyze(c, input, &AnalyzeOptions::default(), &()).expect("analyze");
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
        for g in &e.groups {
            groups_table.push_str(&format!(
                "| {scale} | {seed} | {} | {} | {} | {} | {:.3} |\n",
                g.group, g.label, g.accounts, g.flagged, g.flagged_share
            ));
        }
    }
    println!();
    println!("| scale | seed | group | label | accounts | flagged | share flagged |");
    println!("|---:|---:|---|---|---:|---:|---:|");
    print!("{groups_table}");
}
