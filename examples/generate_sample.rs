//! Writes a generated collection and its ground truth, and prints the summary as JSON.
//!
//! `cargo run --release --example generate_sample -- SCALE SEED FORMAT OUT_TWEETS OUT_TRUTH`
//! (defaults: 0.01 42 v11 sample.jsonl sample-truth.csv). Timing goes to stderr.

use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use coordgraph::generate::{GenerateOptions, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_owned());
    let opts = GenerateOptions {
        scale: arg(0, "0.01").parse()?,
        seed: arg(1, "42").parse()?,
        format: arg(2, "v11").parse()?,
    };
    let mut tweets = BufWriter::with_capacity(1 << 20, File::create(arg(3, "sample.jsonl"))?);
    let mut truth = BufWriter::new(File::create(arg(4, "sample-truth.csv"))?);
    let start = Instant::now();
    let summary = generate(&opts, &mut tweets, &mut truth)?;
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{} records, {:.1} MB in {secs:.2} s: {:.0} records/s, {:.1} MB/s",
        summary.posts,
        summary.bytes as f64 / 1e6,
        summary.posts as f64 / secs,
        summary.bytes as f64 / 1e6 / secs
    );
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}
