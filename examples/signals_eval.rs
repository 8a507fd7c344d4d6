//! Checks the account signals on generated collections: per-group mean bot-likeness score,
//! AUCs of the score for the planted bot-like groups against organic accounts and the fan club,
//! and precision and recall of the dormancy detector for `dormant_reactivated`.
//!
//! Run: `cargo run --release --example signals_eval -- [scale] [seeds...]`
//! (defaults: scale 0.1, seeds 1 2 3), or `scripts/signals_eval.sh`.

use std::collections::{BTreeMap, HashMap};

use coordgraph::generate::{GenerateOptions, OutputFormat, generate};
use coordgraph::ingest::{IngestOptions, Input, read_collection};
use coordgraph::signals::{SignalOptions, compute_account_signals};

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative (ties count half).
fn auc(pos: &[f64], neg: &[f64]) -> f64 {
    let mut all: Vec<(f64, bool)> = pos.iter().map(|&s| (s, true)).collect();
    all.extend(neg.iter().map(|&s| (s, false)));
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let mid = (i + j + 1) as f64 / 2.0;
        rank_sum += mid * all[i..j].iter().filter(|e| e.1).count() as f64;
        i = j;
    }
    let (p, n) = (pos.len() as f64, neg.len() as f64);
    (rank_sum - p * (p + 1.0) / 2.0) / (p * n)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scale: f64 = args.first().map_or(0.1, |s| s.parse().expect("scale"));
    let seeds: Vec<u64> = if args.len() > 1 {
        args[1..].iter().map(|s| s.parse().expect("seed")).collect()
    } else {
        vec![1, 2, 3]
    };
    let opts = SignalOptions::default();
    println!("scale {scale}");
    for seed in seeds {
        let (mut tweets, mut truth) = (Vec::new(), Vec::new());
        let g = GenerateOptions {
            seed,
            scale,
            format: OutputFormat::V11,
        };
        generate(&g, &mut tweets, &mut truth).expect("generate");
        let ingest = read_collection(
            &[Input::bytes("gen.jsonl", tweets)],
            &IngestOptions::default(),
            &(),
        )
        .expect("read");
        let c = &ingest.collection;
        let truth: HashMap<String, String> = String::from_utf8(truth)
            .expect("utf-8")
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].to_owned(), f[2].to_owned())
            })
            .collect();
        // Timed on a two-thread pool, as the project measures speed.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("pool");
        let start = std::time::Instant::now();
        let signals = pool.install(|| compute_account_signals(c, &opts));
        let elapsed = start.elapsed();
        let mut by_group: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let mut parts_by_group: BTreeMap<&str, [f64; 10]> = BTreeMap::new();
        let (mut tp, mut fp, mut dormant_total) = (0u32, 0u32, 0u32);
        let (mut returning, mut returning_flagged) = (0u32, 0u32);
        for s in &signals.accounts {
            let group = truth.get(&s.id).map_or("unknown", String::as_str);
            by_group.entry(group).or_default().push(s.bot.score);
            let b = &s.bot;
            let parts = [
                b.automation,
                b.default_image,
                b.default_profile,
                b.digit_handle,
                b.follower_ratio,
                b.posts_per_day,
                b.young_account,
                b.duplicate_text,
                b.retweet_share,
                b.hashtags,
            ];
            let sums = parts_by_group.entry(group).or_default();
            for (sum, part) in sums.iter_mut().zip(parts) {
                *sum += part;
            }
            let flagged = s.dormancy.is_some();
            match (group, flagged) {
                ("dormant_reactivated", true) => tp += 1,
                (_, true) => fp += 1,
                _ => {}
            }
            if group == "dormant_reactivated" {
                dormant_total += 1;
            }
            if group == "organic_returning" {
                returning += 1;
                returning_flagged += u32::from(flagged);
            }
        }
        println!(
            "seed {seed}: {} records, {} accounts; signals in {:.3} s on 2 threads",
            c.records().count(),
            signals.accounts.len(),
            elapsed.as_secs_f64()
        );
        println!(
            "  {:<20} {:>8} {:>10} {:>8}",
            "group", "accounts", "mean_score", "p90"
        );
        for (group, scores) in &by_group {
            let mut sorted = scores.clone();
            sorted.sort_by(f64::total_cmp);
            let p90 = sorted[((sorted.len() - 1) as f64 * 0.9) as usize];
            let mean = scores.iter().sum::<f64>() / scores.len() as f64;
            println!("  {group:<20} {:>8} {mean:>10.3} {p90:>8.3}", scores.len());
        }
        // What each signal adds to the group's mean score.
        println!(
            "  {:<20} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
            "mean contribution",
            "auto",
            "img",
            "theme",
            "digit",
            "ratio",
            "rate",
            "young",
            "dup",
            "rt",
            "tags"
        );
        for (group, sums) in &parts_by_group {
            let n = by_group[group].len() as f64;
            let cells: Vec<String> = sums.iter().map(|x| format!("{:>5.3}", x / n)).collect();
            println!("  {group:<20} {}", cells.join(" "));
        }
        let empty = Vec::new();
        let g = |name: &str| by_group.get(name).unwrap_or(&empty);
        for bots in [
            "fast_retweeters",
            "hashtag_pushers",
            "retweet_ring",
            "dormant_reactivated",
            "copy_paste",
        ] {
            println!(
                "  AUC {bots:<20} vs organic {:.3}  vs fan_club {:.3}",
                auc(g(bots), g("organic")),
                auc(g(bots), g("fan_club"))
            );
        }
        println!(
            "  dormancy: precision {:.3} recall {:.3} ({tp} of {dormant_total}, {fp} false), \
             organic_returning flagged {returning_flagged} of {returning}",
            f64::from(tp) / f64::from((tp + fp).max(1)),
            f64::from(tp) / f64::from(dormant_total.max(1)),
        );
    }
}
