//! Times the interaction graph and every co-action kind on a generated collection of about one
//! million posts, on 2 threads (or `--threads N`).
//!
//! Run: `cargo bench --bench graph` (or `cargo bench --bench graph -- --posts 200000
//! --only co-retweet`).
//! The collection is random but seeded: retweet cascades with a skewed popularity, replies,
//! quotes, hashtags, URLs, mentions and texts over one day, plus a planted retweet ring and a
//! copy-paste campaign.

use std::time::Instant;

use coordgraph::graph::{
    CoActionKind, CoActionOptions, CooRTweetOptions, Weighting, build_co_action_graph,
    build_interaction_graph, coortweet_compatible,
};
use coordgraph::model::{
    AccountRef, Collection, CollectionBuilder, NewPost, Origin, PostKind, PostRef, TextFingerprint,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DAY_MS: i64 = 86_400_000;

struct Generator {
    b: CollectionBuilder,
    rng: ChaCha8Rng,
    scratch: String,
    posts: usize,
}

impl Generator {
    fn account(&mut self, accounts: u32) -> String {
        // Skewed activity: a few accounts post a lot.
        let u: f64 = self.rng.random();
        format!("{}", (u.powi(3) * f64::from(accounts)) as u32 + 1000)
    }

    fn text(&mut self, words: usize) -> String {
        (0..words)
            .map(|_| format!("w{}", self.rng.random_range(0..5000)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        id: &str,
        author: &str,
        time_ms: i64,
        kind: PostKind,
        target: Option<&str>,
        text: &str,
    ) -> u32 {
        let target = target.map(|id| PostRef {
            id,
            author: AccountRef::default(),
        });
        let (shared, reply_to) = match kind {
            PostKind::Retweet | PostKind::Quote => (target, None),
            PostKind::Reply => (None, target),
            PostKind::Original => (None, None),
        };
        let fingerprint = TextFingerprint::of_text(text, &mut self.scratch);
        self.posts += 1;
        self.b
            .add_post(&NewPost {
                id,
                author: AccountRef {
                    id: Some(author),
                    handle: None,
                },
                time_ms,
                kind,
                origin: Origin::Record,
                shared,
                reply_to,
                fingerprint,
                text,
                client: None,
                lang: None,
                merge_rows: false,
            })
            .expect("new post")
    }

    fn entities(&mut self, p: u32) {
        let tags = self.rng.random_range(0..3);
        for _ in 0..tags {
            let u: f64 = self.rng.random();
            let tag = format!("tag{}", (u.powi(2) * 5000.0) as u32);
            self.b.add_hashtag(p, &tag);
        }
        if self.rng.random_bool(0.5) {
            let url = format!(
                "https://site{}.example/{}",
                self.rng.random_range(0..500),
                self.rng.random_range(0..40)
            );
            self.b.add_url(p, &url);
        }
        if self.rng.random_bool(0.3) {
            let who = format!("{}", self.rng.random_range(1000..101_000));
            self.b.add_mention(
                p,
                AccountRef {
                    id: Some(&who),
                    handle: None,
                },
            );
        }
    }
}

fn generate(posts: usize, seed: u64) -> Collection {
    let mut g = Generator {
        b: CollectionBuilder::new(),
        rng: ChaCha8Rng::seed_from_u64(seed),
        scratch: String::new(),
        posts: 0,
    };
    let accounts = 100_000;
    let originals = posts * 15 / 100;
    let mut original_time = Vec::with_capacity(originals);
    for k in 0..originals {
        let author = g.account(accounts);
        let t = g.rng.random_range(0..DAY_MS);
        let words = g.rng.random_range(8..16);
        let text = g.text(words);
        let p = g.add(&format!("{k}"), &author, t, PostKind::Original, None, &text);
        g.entities(p);
        original_time.push(t);
    }
    // A planted ring: 200 accounts retweet 300 posts within 10 s of each other.
    let mut next = originals;
    for k in 0..300 {
        let of = k * 7;
        for bot in 0..200 {
            let t = original_time[of] + 60_000 + g.rng.random_range(0..10_000);
            g.add(
                &format!("{next}"),
                &format!("{}", 500 + bot),
                t,
                PostKind::Retweet,
                Some(&format!("{of}")),
                "",
            );
            next += 1;
        }
    }
    // A copy-paste campaign: 100 accounts post one of 50 texts within a minute, 50 times.
    for round in 0..50 {
        let text = format!("campaign message number {round} share everywhere now");
        let t0 = g.rng.random_range(0..DAY_MS);
        for bot in 0..100 {
            let t = t0 + g.rng.random_range(0..60_000);
            let p = g.add(
                &format!("{next}"),
                &format!("{}", 800 + bot),
                t,
                PostKind::Original,
                None,
                &text,
            );
            g.b.add_hashtag(p, "campaign");
            next += 1;
        }
    }
    while g.posts < posts {
        let u: f64 = g.rng.random();
        let of = (u.powi(4) * originals as f64) as usize;
        let delay = (-g.rng.random::<f64>().max(1e-12).ln() * 3_600_000.0) as i64;
        let t = original_time[of] + delay;
        let author = g.account(accounts);
        let roll = g.rng.random_range(0..100);
        let id = format!("{next}");
        let target = format!("{of}");
        if roll < 80 {
            g.add(&id, &author, t, PostKind::Retweet, Some(&target), "");
        } else {
            let kind = if roll < 93 {
                PostKind::Reply
            } else {
                PostKind::Quote
            };
            let words = g.rng.random_range(5..12);
            let text = g.text(words);
            let p = g.add(&id, &author, t, kind, Some(&target), &text);
            g.entities(p);
        }
        next += 1;
    }
    g.b.finish().0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let posts = flag("--posts", 1_000_000);
    let only: Option<String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let threads = flag("--threads", 2);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("rayon pool");

    let start = Instant::now();
    let c = generate(posts, 42);
    println!(
        "generated {} posts ({} records), {} accounts in {:.2} s; {} threads",
        c.posts.len(),
        c.records().count(),
        c.accounts.len(),
        start.elapsed().as_secs_f64(),
        threads
    );
    println!(
        "{:<24} {:>9} {:>12} {:>12} {:>12} {:>9} {:>9}",
        "graph", "actions", "pairs", "capped", "edges", "warnings", "seconds"
    );

    let start = Instant::now();
    let g = build_interaction_graph(&c);
    if wanted("interaction") {
        println!(
            "{:<24} {:>9} {:>12} {:>12} {:>12} {:>9} {:>9.3}",
            "interaction",
            "",
            "",
            "",
            g.edges.len(),
            "",
            start.elapsed().as_secs_f64()
        );
    }

    let options = CoActionOptions::default();
    let tfidf = CoActionOptions {
        weighting: Weighting::TfIdfCosine,
        ..Default::default()
    };
    let mut runs: Vec<(String, CoActionKind, &CoActionOptions)> = CoActionKind::ALL
        .iter()
        .map(|&k| (k.name().to_string(), k, &options))
        .collect();
    runs.push(("co-retweet tf-idf".into(), CoActionKind::CoRetweet, &tfidf));
    for (name, kind, options) in runs {
        if !wanted(&name) {
            continue;
        }
        let start = Instant::now();
        let g = build_co_action_graph(&c, kind, options).expect("valid options");
        println!(
            "{:<24} {:>9} {:>12} {:>12} {:>12} {:>9} {:>9.3}",
            name,
            g.stats.actions,
            g.stats.pairs,
            g.stats.pairs_not_materialised,
            g.edges.len(),
            g.warnings.len(),
            start.elapsed().as_secs_f64()
        );
    }

    if !wanted("coortweet") {
        return;
    }
    let start = Instant::now();
    let net = coortweet_compatible(&c, CoActionKind::CoRetweet, &CooRTweetOptions::default())
        .expect("valid options");
    println!(
        "{:<24} {:>9} {:>12} {:>12} {:>12} {:>9} {:>9.3}",
        "coortweet co-retweet",
        "",
        "",
        "",
        net.edges.len(),
        net.warnings.len(),
        start.elapsed().as_secs_f64()
    );
}
